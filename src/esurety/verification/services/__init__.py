"""Every write of the orderer's side: verification and the receipts it makes (receipts.py), and the
contractor's 「発注者へ送信」 of the key notice to the orderer (notice_dispatch.py)."""

from esurety.verification.services.notice_dispatch import (
    DISPATCH_PER_GUARANTEE,
    DUPLICATE_WINDOW,
    NO_DEPARTMENT_MESSAGE,
    DispatchLimited,
    NoDepartment,
    fill_placeholders,
    notice_dispatch_send,
    notice_subject,
)
from esurety.verification.services.receipts import (
    PER_ADDRESS,
    PER_NUMBER,
    PER_USER,
    REFUSED_MESSAGE,
    VerificationLocked,
    VerificationRefused,
    ViewedCopy,
    certificate_copy_for_viewer,
    certificate_verify,
    receipt_record_view,
)

__all__ = [
    "DISPATCH_PER_GUARANTEE",
    "DUPLICATE_WINDOW",
    "NO_DEPARTMENT_MESSAGE",
    "PER_ADDRESS",
    "PER_NUMBER",
    "PER_USER",
    "REFUSED_MESSAGE",
    "DispatchLimited",
    "NoDepartment",
    "VerificationLocked",
    "VerificationRefused",
    "ViewedCopy",
    "certificate_copy_for_viewer",
    "certificate_verify",
    "fill_placeholders",
    "notice_dispatch_send",
    "notice_subject",
    "receipt_record_view",
]
