"""Orderer-side reads: an orderer sees only what its organisation verified."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.db.models import F, Max, Min, Q, QuerySet

from esurety.core.clock import business_date
from esurety.core.normalize import is_guarantee_number, normalize_guarantee_number, normalize_search_text
from esurety.core.queries import FixedQuery
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.notifications.models import OutboxStatus
from esurety.parties.models import OrdererDepartment, User
from esurety.verification.models import NoticeDispatch, Receipt, ViewRecord


class ReceiptStatus:
    """The status an orderer sees for a received certificate."""

    VALID = "有効"
    AMENDED = "変更あり"
    CANCELLED = "解約"
    EXPIRED = "保証期間満了"
    # The end of a guarantee (esurety.claims).
    COMPLETED = "完了"
    CLAIMED = "履行請求中"
    PAID_OUT = "保証履行済"
    CHOICES = (VALID, AMENDED, CANCELLED, EXPIRED, COMPLETED, CLAIMED, PAID_OUT)


# Ends that say more than the period: a completed or claimed guarantee is not "expired".
_END_LABELS = {
    GuaranteeStatus.COMPLETED: ReceiptStatus.COMPLETED,
    GuaranteeStatus.CLAIMED: ReceiptStatus.CLAIMED,
    GuaranteeStatus.PAID_OUT: ReceiptStatus.PAID_OUT,
}


def guarantee_status_label(
    guarantee: Guarantee, *, seen_version: int | None = None, today: dt.date | None = None
) -> str:
    if guarantee.status in _END_LABELS:
        return _END_LABELS[GuaranteeStatus(guarantee.status)]
    if guarantee.status == GuaranteeStatus.CANCELLED:
        return ReceiptStatus.CANCELLED
    if guarantee.status == GuaranteeStatus.EXPIRED or guarantee.period_end < (today or business_date()):
        return ReceiptStatus.EXPIRED
    if seen_version is not None and guarantee.current_version > seen_version:
        return ReceiptStatus.AMENDED
    return ReceiptStatus.VALID


@dataclass(frozen=True)
class ReceiptFilters:
    number: str = ""
    contractor: str = ""
    work_name: str = ""
    kind: str = ""
    status: str = ""

    def query_string(self) -> str:
        return urlencode({k: v for k, v in asdict(self).items() if v})


def receipts_for_orderer(
    *, user: User, filters: ReceiptFilters | None = None, today: dt.date | None = None
) -> QuerySet[Receipt]:
    f = filters or ReceiptFilters()
    number, contractor, work_name, kind, status = f.number, f.contractor, f.work_name, f.kind, f.status
    orderer_id = _receiving_orderer_id(user)
    if orderer_id is None:
        return Receipt.objects.none()
    qs = _orderer_receipts(orderer_id)
    if number.strip():
        qs = qs.filter(guarantee__number__startswith=normalize_guarantee_number(number))
    if contractor.strip():
        qs = qs.filter(guarantee__contractor__search_name__contains=normalize_search_text(contractor))
    if work_name.strip():
        qs = qs.filter(guarantee__work_name_search__contains=normalize_search_text(work_name))
    if kind:
        qs = qs.filter(guarantee__kind=kind)
    if status:
        day = today or business_date()
        live = Q(guarantee__status=GuaranteeStatus.ACTIVE, guarantee__period_end__gte=day)
        if status == ReceiptStatus.CANCELLED:
            qs = qs.filter(guarantee__status=GuaranteeStatus.CANCELLED)
        elif status == ReceiptStatus.EXPIRED:
            qs = qs.filter(
                Q(guarantee__status=GuaranteeStatus.EXPIRED)
                | Q(guarantee__status=GuaranteeStatus.ACTIVE, guarantee__period_end__lt=day)
            )
        elif status in _END_LABELS.values():
            ends = {label: code for code, label in _END_LABELS.items()}
            qs = qs.filter(guarantee__status=ends[status])
        elif status == ReceiptStatus.AMENDED:
            qs = qs.filter(live).filter(guarantee__current_version__gt=F("last_seen_version"))
        elif status == ReceiptStatus.VALID:
            qs = qs.filter(live).filter(guarantee__current_version__lte=F("last_seen_version"))
    return qs.order_by("-first_verified_at")


def _receiving_orderer_id(user: User) -> int | None:
    """The organisation whose receipts the user sees: an active orderer user's own, else none."""
    return user.orderer_id if user.orderer_id is not None and user.is_active else None


def _orderer_receipts(orderer_id: int) -> QuerySet[Receipt]:
    """What an orderer may see: the certificates its own organisation received."""
    return Receipt.objects.filter(orderer_id=orderer_id).select_related(
        "guarantee", "guarantee__contractor", "guarantee__surety"
    )


def _received_certificate_query(orderer_id: int, number: str) -> QuerySet[Receipt]:
    # (orderer, guarantee) is unique and so is the number: at most one row. The page's end section
    # asks for the guarantee's claim (保証債務の履行請求), if any: joined too.
    return (
        _orderer_receipts(orderer_id)
        .select_related("guarantee__branch", "guarantee__orderer", "guarantee__claim", "first_verified_by")
        .filter(guarantee__number=number)[:1]
    )


# Compiled once: every look at a received certificate (page, print, PDF, API) starts here, and the
# ORM's compilation of this six-table read cost 1.0 ms of its 1.4 ms.
_RECEIVED_CERTIFICATE = FixedQuery(_received_certificate_query, orderer_id=-1, number="number-slot")


def receipt_for_orderer(*, user: User, number: str) -> Receipt | None:
    """A certificate the user's organisation received, with its guarantee, parties, claim and first verifier."""
    number = normalize_guarantee_number(number)
    orderer_id = _receiving_orderer_id(user)
    if orderer_id is None or not is_guarantee_number(number):
        return None
    return _RECEIVED_CERTIFICATE.first(orderer_id=orderer_id, number=number)


def latest_view_by(*, receipt: Receipt, user: User) -> ViewRecord | None:
    """The user's own last verification or view of a received certificate (the signed 照合結果 records it)."""
    if receipt.orderer_id != user.orderer_id:
        return None
    return (
        ViewRecord.objects.select_related("receipt__guarantee__surety", "user")
        .filter(receipt=receipt, user=user)
        .order_by("-at", "-pk")
        .first()
    )


def receipts_of_guarantee(*, guarantee: Guarantee) -> QuerySet[Receipt]:
    """For the contractor's 発注者閲覧済 and the surety's view log (callers check visibility)."""
    return guarantee.receipts.select_related("orderer", "first_verified_by").order_by("first_verified_at")


# ---------------------------------------------------------------------------
# 発注者への提出 (contractor side): where the notice goes, whether it went and was seen.


def notice_department_for(*, guarantee: Guarantee) -> OrdererDepartment | None:
    """The orderer's department that takes notices of this kind (契約保証 → 契約窓口, 前払 → 工事担当課)."""
    departments = OrdererDepartment.objects.filter(orderer_id=guarantee.orderer_id).order_by("pk")
    return next((d for d in departments if d.handles(guarantee.kind)), None)


@dataclass(frozen=True)
class SubmissionStatus:
    """The last 「発注者へ送信」 and the orderer's first view, for 保証工事一覧 and the guarantee's pages."""

    dispatched_at: dt.datetime | None = None
    dispatch_department: str = ""
    dispatch_status: str = ""  # OutboxStatus of the last dispatch's mail
    viewed_at: dt.datetime | None = None

    @property
    def is_sent(self) -> bool:
        return self.dispatch_status == OutboxStatus.SENT

    @property
    def is_pending(self) -> bool:
        return self.dispatch_status == OutboxStatus.PENDING

    @property
    def is_failed(self) -> bool:
        return self.dispatch_status == OutboxStatus.FAILED


NO_SUBMISSION = SubmissionStatus()


def submission_status_for(guarantee_ids: list[int]) -> dict[int, SubmissionStatus]:
    """One query for the page's dispatches and one for its receipts, however many rows (callers check visibility).

    Guarantees with neither are left out; look them up with ``.get(pk, NO_SUBMISSION)``.
    """
    ids = list(guarantee_ids)
    if not ids:
        return {}
    # The newest dispatch per guarantee: ids grow with sent_at (both set at insert).
    latest_ids = (
        NoticeDispatch.objects.filter(guarantee_id__in=ids)
        .values("guarantee_id")
        .annotate(latest=Max("id"))
        .values("latest")
    )
    dispatches = {
        row["guarantee_id"]: row
        for row in NoticeDispatch.objects.filter(id__in=latest_ids).values(
            "guarantee_id", "sent_at", "department_name", "outbox__status"
        )
    }
    # Only the beneficiary's receipt counts (receipts are only ever made by it, but say so).
    viewed = dict(
        Receipt.objects.filter(guarantee_id__in=ids, orderer_id=F("guarantee__orderer_id"))
        .values("guarantee_id")
        .annotate(first=Min("first_verified_at"))
        .values_list("guarantee_id", "first")
    )
    result: dict[int, SubmissionStatus] = {}
    for pk in set(dispatches) | set(viewed):
        d = dispatches.get(pk)
        result[pk] = SubmissionStatus(
            dispatched_at=d["sent_at"] if d else None,
            dispatch_department=d["department_name"] if d else "",
            dispatch_status=d["outbox__status"] if d else "",
            viewed_at=viewed.get(pk),
        )
    return result
