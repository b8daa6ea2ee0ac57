"""Certificates and receipts as the orderer's API returns them (the same content as the portal's pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from esurety.api.selectors import CHANGE_EVENTS, ChangeEvent
from esurety.core.kinds import GuaranteeKind, WorkCategory
from esurety.guarantees.models import Amendment, AmendmentType, Certificate, Guarantee
from esurety.guarantees.presentation import certificate_presentation
from esurety.verification.models import Receipt
from esurety.verification.selectors import ReceiptStatus, guarantee_status_label

STATUS_CODES = {
    ReceiptStatus.VALID: "VALID",
    ReceiptStatus.AMENDED: "AMENDED",
    ReceiptStatus.CANCELLED: "CANCELLED",
    ReceiptStatus.EXPIRED: "EXPIRED",
    ReceiptStatus.COMPLETED: "COMPLETED",
    ReceiptStatus.CLAIMED: "CLAIMED",
    ReceiptStatus.PAID_OUT: "PAID_OUT",
}
STATUS_LABELS = {code: label for label, code in STATUS_CODES.items()}

# The figures a new version may change, in the order a reader compares them.
VERSION_FIELDS = (
    ("contract_price", "請負金額(総額)"),
    ("contract_price_consideration", "請負金額(対価額)"),
    ("guaranteed_amount", "保証金額"),
    ("completion_date", "工事末日"),
    ("period_end", "保証期間"),
)


def code_label(code: str, label: str) -> dict[str, str]:
    return {"code": code, "label": label}


def status_out(label: str) -> dict[str, str]:
    return code_label(STATUS_CODES[label], label)


def kind_out(kind: str) -> dict[str, str]:
    return code_label(kind, GuaranteeKind(kind).label)


def _plain(value: object) -> int | str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def version_changes(previous: Certificate | None, current: Certificate) -> list[dict[str, Any]]:
    if previous is None:
        return []
    out = []
    for name, label in VERSION_FIELDS:
        before, after = getattr(previous, name), getattr(current, name)
        if before != after:
            out.append({"field": name, "label": label, "before": _plain(before), "after": _plain(after)})
    return out


def _versions(versions: list[Certificate], amendments: list[Amendment], current: int) -> list[dict[str, Any]]:
    by_certificate = {a.certificate_id: a for a in amendments if a.certificate_id is not None}
    ordered = sorted(versions, key=lambda c: c.version)
    out = []
    for i, c in enumerate(ordered):
        amendment = by_certificate.get(c.pk)
        out.append(
            {
                "version": c.version,
                "issued_on": c.issued_on,
                "issued_at": c.issued_at,
                "is_amendment": c.is_amendment,
                "is_current": c.version == current,
                "contract_price": c.contract_price,
                "guaranteed_amount": c.guaranteed_amount,
                "completion_date": c.completion_date,
                "period_end": c.period_end,
                "effective_on": amendment.effective_on if amendment else None,
                "reason": amendment.reason if amendment else "",
                "changes": version_changes(ordered[i - 1] if i else None, c),
            }
        )
    return out


def _iso_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def period_change_out(a: Amendment) -> dict[str, Any]:
    before = a.before if isinstance(a.before, dict) else {}
    after = a.after if isinstance(a.after, dict) else {}
    return {
        "effective_on": a.effective_on,
        "recorded_at": a.created_at,
        "completion_date_before": _iso_date(before.get("completion_date")),
        "completion_date_after": _iso_date(after.get("completion_date")),
        "reason": a.reason,
    }


def certificate_out(*, receipt: Receipt, version: int | None, today: dt.date) -> dict[str, Any]:
    """The certificate version asked for (the current one by default), as the portal's page shows it.

    `receipt.last_seen_version` must be read before the caller records this look.
    """
    g: Guarantee = receipt.guarantee
    view = certificate_presentation(guarantee=g, version=version)
    c = view.certificate
    amendments = list(g.amendments.order_by("created_at", "pk"))
    label = guarantee_status_label(g, seen_version=c.version, today=today)
    return {
        "number": g.number,
        "kind": kind_out(c.kind),
        "kind_full_name": c.kind_full_name,
        "work_category": code_label(g.work_category, WorkCategory(g.work_category).label),
        "work_name": c.work_name,
        "contractor": {"name": c.contractor_name, "address": c.contractor_address},
        "orderer_name": c.orderer_name,
        "surety": {
            "name": c.surety_name,
            "postal_code": c.surety_postal_code,
            "address": c.surety_address,
            "representative": c.surety_representative,
        },
        "branch": {"name": c.branch_name, "address": c.branch_address, "tel": c.branch_tel, "fax": c.branch_fax},
        "contract_date": g.contract_date,
        "contract_price": c.contract_price,
        "contract_price_consideration": c.contract_price_consideration,
        "guaranteed_amount": c.guaranteed_amount,
        "completion_date": view.completion_date_shown,
        "period_end": view.period_end_shown,
        "deposit_bank": c.deposit_bank if view.shows_deposit_bank else None,
        "issued_on": c.issued_on,
        "version": c.version,
        "is_amendment": c.is_amendment,
        "is_current": view.is_current,
        "current_version": g.current_version,
        "status": status_out(label),
        "cancelled_on": view.cancelled_on,
        "changed_since_seen": g.current_version > receipt.last_seen_version,
        "received_at": receipt.first_verified_at,
        "versions": _versions(view.versions, amendments, g.current_version),
        "period_changes": [period_change_out(a) for a in amendments if a.amendment_type == AmendmentType.PERIOD],
    }


def receipt_out(receipt: Receipt, *, today: dt.date) -> dict[str, Any]:
    g = receipt.guarantee
    return {
        "number": g.number,
        "kind": kind_out(g.kind),
        "status": status_out(guarantee_status_label(g, seen_version=receipt.last_seen_version, today=today)),
        "contractor_name": g.contractor.name,
        "work_name": g.work_name,
        "guaranteed_amount": g.guaranteed_amount,
        "period_end": g.period_end,
        "surety_name": g.surety.name,
        "current_version": g.current_version,
        "last_seen_version": receipt.last_seen_version,
        "received_at": receipt.first_verified_at,
    }


def change_out(event: ChangeEvent, *, today: dt.date) -> dict[str, Any]:
    g = event.guarantee
    return {
        "id": event.id,
        "number": g.number,
        "event": code_label(event.event, CHANGE_EVENTS[event.event]),
        "at": event.at,
        "version": event.version,
        "effective_on": event.effective_on,
        "reason": event.reason,
        "changes": event.changes,
        "status": status_out(guarantee_status_label(g, today=today)),
        "current_version": g.current_version,
    }
