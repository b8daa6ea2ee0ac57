"""Every write of the guarantee lifecycle. Each function is one atomic step."""

from esurety.guarantees.services.access_keys import (
    KeyCheck,
    NewKey,
    access_key_check,
    access_key_plain,
    access_key_reissue,
    access_key_reveal,
    access_key_verify,
    key_check_of,
    number_and_key_query,
)
from esurety.guarantees.services.amendments import (
    amendment_check,
    amendment_request_approve,
    amendment_request_create,
    amendment_request_reject,
)
from esurety.guarantees.services.applications import (
    ApplicationInput,
    application_approve,
    application_confirm_payment,
    application_create,
    application_enter,
    application_reject,
    application_start_review,
    application_submit,
    application_update_draft,
)
from esurety.guarantees.services.cancellation import guarantee_cancel, guarantees_expire_due
from esurety.guarantees.services.issuance import Concluded, application_conclude
from esurety.guarantees.services.premium_rates import premium_rate_create
from esurety.guarantees.services.steps import application_check

__all__ = [
    "ApplicationInput",
    "Concluded",
    "KeyCheck",
    "NewKey",
    "access_key_check",
    "access_key_plain",
    "access_key_reissue",
    "access_key_reveal",
    "access_key_verify",
    "amendment_check",
    "amendment_request_approve",
    "amendment_request_create",
    "amendment_request_reject",
    "application_approve",
    "application_check",
    "application_conclude",
    "application_confirm_payment",
    "application_create",
    "application_enter",
    "application_reject",
    "application_start_review",
    "application_submit",
    "application_update_draft",
    "guarantee_cancel",
    "guarantees_expire_due",
    "key_check_of",
    "number_and_key_query",
    "premium_rate_create",
]
