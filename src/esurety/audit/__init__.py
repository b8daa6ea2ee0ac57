"""The append-only, hash-chained audit log (services.py writes, audit_verify checks) and actions.py, the one
table of audited actions with their Japanese labels. Takes any user by id; knows no other app's models.
"""
