"""Writes of the accounts app: 利用申込, company users, passwords.

Every function is one atomic step with its audit entry; e-mails go through
the outbox in the same transaction, so a mail exists iff the change committed.
people.py: the お客様ID, the set-password link, passwords; usage_applications.py: 利用申込;
members.py: a company's or an orderer's people; bank_users.py: a deposit bank's people.
"""

from esurety.accounts.services.members import member_invite, member_remove, orderer_user_invite, same_organisation
from esurety.accounts.services.people import (
    link_valid_days,
    mail_set_password_link,
    new_customer_id,
    password_reset_mail_enqueue,
    set_password_path,
    user_password_set,
    user_snapshot,
)
from esurety.accounts.services.usage_applications import (
    UsageApplicationInput,
    usage_application_approve,
    usage_application_reject,
    usage_application_snapshot,
    usage_application_submit,
)

__all__ = [
    "UsageApplicationInput",
    "link_valid_days",
    "mail_set_password_link",
    "member_invite",
    "member_remove",
    "new_customer_id",
    "orderer_user_invite",
    "password_reset_mail_enqueue",
    "same_organisation",
    "set_password_path",
    "usage_application_approve",
    "usage_application_reject",
    "usage_application_snapshot",
    "usage_application_submit",
    "user_password_set",
    "user_snapshot",
]
