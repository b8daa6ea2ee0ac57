"""Vocabularies of the end of a guarantee: who records a completion, claim states, reasons, documents."""

from __future__ import annotations

from django.db import models


class CompletionSource(models.TextChoices):
    ORDERER = "ORDERER", "発注者による届出"
    SURETY = "SURETY", "保証会社が発注者の通知により記録"


class ClaimStatus(models.TextChoices):
    RECEIVED = "RECEIVED", "受付"
    UNDER_REVIEW = "UNDER_REVIEW", "審査中"
    DOCUMENTS_REQUESTED = "DOCUMENTS_REQUESTED", "追加資料依頼"
    PAYMENT_DECIDED = "PAYMENT_DECIDED", "支払決定"
    PAID = "PAID", "支払済"
    REFUSED = "REFUSED", "不支払"


# Claims the surety still has to act on (the office's queue).
OPEN_CLAIM_STATUSES = (
    ClaimStatus.RECEIVED,
    ClaimStatus.UNDER_REVIEW,
    ClaimStatus.DOCUMENTS_REQUESTED,
    ClaimStatus.PAYMENT_DECIDED,
)
# While the orderer may still attach documents.
DOCUMENT_STATUSES = (ClaimStatus.RECEIVED, ClaimStatus.UNDER_REVIEW, ClaimStatus.DOCUMENTS_REQUESTED)
# While staff may assess (a new assessment replaces the previous one until the decision).
ASSESSABLE_STATUSES = (ClaimStatus.RECEIVED, ClaimStatus.UNDER_REVIEW)


class TerminationReason(models.TextChoices):
    """Who ended the contract: the orderer for the contractor's default, or a trustee / the debtor."""

    DEFAULT = "DEFAULT", "受注者の債務不履行による発注者の契約解除"
    BANKRUPTCY_TRUSTEE = "BANKRUPTCY_TRUSTEE", "破産管財人による契約解除"
    REORGANIZATION_TRUSTEE = "REORGANIZATION_TRUSTEE", "更生管財人による契約解除"
    REHABILITATION_DEBTOR = "REHABILITATION_DEBTOR", "再生債務者による契約解除"


class Decision(models.TextChoices):
    PAY = "PAY", "支払"
    REFUSE = "REFUSE", "不支払"


class MessageSide(models.TextChoices):
    ORDERER = "ORDERER", "発注者"
    SURETY = "SURETY", "保証会社"


class MessageKind(models.TextChoices):
    FILED = "FILED", "請求"
    DOCUMENT_REQUEST = "DOCUMENT_REQUEST", "追加資料の依頼"
    DOCUMENTS_ADDED = "DOCUMENTS_ADDED", "資料の追加"
    ASSESSMENT = "ASSESSMENT", "審査"
    DECISION = "DECISION", "決定"
    PAYMENT = "PAYMENT", "支払"


# The default list of what an orderer attaches to a claim, when the surety has set none
# (ClaimTerms.required_documents): the sureties do not publish theirs in full.
DEFAULT_REQUIRED_DOCUMENTS: tuple[str, ...] = (
    "解除通知書",
    "既済部分検査調書",
    "前払金の支払を証する書類",
)
