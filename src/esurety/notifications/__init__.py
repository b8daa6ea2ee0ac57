"""The e-mail outbox: a message row written in the change's transaction, sent afterwards, with its
templates. Takes template, recipients and context as plain data; who may see which message is decided
above (office/outbox_log.py).
"""
