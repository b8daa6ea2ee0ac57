"""Applications, guarantees, change requests and imports as the surety's API returns them."""

from __future__ import annotations

from typing import Any

from esurety.api.present import code_label, kind_out
from esurety.core.kinds import DeliveryMethod, WorkCategory
from esurety.guarantees.models import (
    AmendmentRequest,
    AmendmentRequestStatus,
    AmendmentType,
    Application,
    ApplicationStatus,
    Guarantee,
    GuaranteeStatus,
    ImportBatch,
    ImportStatus,
)
from esurety.guarantees.services import application_check
from esurety.parties.models import User

IMPORT_ERRORS_SHOWN = 1_000


def _who(user: User | None) -> str:
    return (user.display_name or user.get_username()) if user is not None else ""


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": obj.name}


def application_out(app: Application) -> dict[str, Any]:
    guarantee = getattr(app, "guarantee", None) if app.status == ApplicationStatus.CONCLUDED else None
    return {
        "id": app.pk,
        "status": code_label(app.status, ApplicationStatus(app.status).label),
        "contractor": _ref(app.contractor),
        "branch": _ref(app.branch),
        "orderer": _ref(app.orderer),
        "kind": kind_out(app.kind),
        "work_category": code_label(app.work_category, WorkCategory(app.work_category).label),
        "work_name": app.work_name,
        "contract_date": app.contract_date,
        "completion_date": app.completion_date,
        "contract_price": app.contract_price,
        "contract_price_consideration": app.contract_price_consideration,
        "guaranteed_amount": app.guaranteed_amount,
        "delivery_method": code_label(app.delivery_method, DeliveryMethod(app.delivery_method).label),
        "low_bid": app.low_bid,
        "deposit_bank": app.deposit_bank,
        "advance_guarantee_number": app.advance_guarantee.number if app.advance_guarantee else None,
        "premium": app.premium,
        "submitted_at": app.submitted_at,
        "decided_at": app.decided_at,
        "rejection_reason": app.rejection_reason,
        "payment_received_on": app.payment_received_on,
        "entered_by": _who(app.created_by),
        "guarantee_number": guarantee.number if guarantee is not None else None,
        "rule_violations": [{"field": v.field, "message": v.message} for v in application_check(app)],
    }


def guarantee_out(g: Guarantee) -> dict[str, Any]:
    amendments = list(g.amendments.select_related("certificate").order_by("created_at", "pk"))
    pending = g.amendment_requests.filter(status=AmendmentRequestStatus.PENDING).values_list("pk", flat=True).first()
    return {
        "number": g.number,
        "status": code_label(g.status, GuaranteeStatus(g.status).label),
        "kind": kind_out(g.kind),
        "work_category": code_label(g.work_category, WorkCategory(g.work_category).label),
        "work_name": g.work_name,
        "contractor": _ref(g.contractor),
        "orderer": _ref(g.orderer),
        "branch": _ref(g.branch),
        "contract_date": g.contract_date,
        "completion_date": g.completion_date,
        "period_end": g.period_end,
        "contract_price": g.contract_price,
        "contract_price_consideration": g.contract_price_consideration,
        "guaranteed_amount": g.guaranteed_amount,
        "delivery_method": code_label(g.delivery_method, DeliveryMethod(g.delivery_method).label),
        "concluded_at": g.concluded_at,
        "cancelled_at": g.cancelled_at,
        "current_version": g.current_version,
        "application_id": g.application_id,
        "versions": [
            {
                "version": c.version,
                "issued_on": c.issued_on,
                "is_amendment": c.is_amendment,
                "guaranteed_amount": c.guaranteed_amount,
                "contract_price": c.contract_price,
                "period_end": c.period_end,
            }
            for c in g.certificates.order_by("version")
        ],
        "amendments": [
            {
                "amendment_type": code_label(a.amendment_type, AmendmentType(a.amendment_type).label),
                "effective_on": a.effective_on,
                "reason": a.reason,
                "before": a.before if isinstance(a.before, dict) else {},
                "after": a.after if isinstance(a.after, dict) else {},
                "version": a.certificate.version if a.certificate else None,
                "recorded_at": a.created_at,
            }
            for a in amendments
        ],
        "pending_amendment_request_id": pending,
        "receipt_count": g.receipts.count(),
    }


def amendment_request_out(req: AmendmentRequest) -> dict[str, Any]:
    return {
        "id": req.pk,
        "number": req.guarantee.number,
        "status": code_label(req.status, AmendmentRequestStatus(req.status).label),
        "amendment_type": code_label(req.amendment_type, AmendmentType(req.amendment_type).label),
        "contract_price": req.contract_price,
        "guaranteed_amount": req.guaranteed_amount,
        "completion_date": req.completion_date,
        "effective_on": req.effective_on,
        "reason": req.reason,
        "entered_by": _who(req.entered_by),
        "decided_by": _who(req.decided_by) if req.decided_by_id else None,
        "decided_at": req.decided_at,
        "rejection_reason": req.rejection_reason,
        "guarantee_version": (
            Guarantee.objects.filter(pk=req.guarantee_id).values_list("current_version", flat=True).get()
        ),
    }


def import_out(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "status": code_label(batch.status, ImportStatus(batch.status).label),
        "file_name": batch.file_name,
        "line_count": batch.line_count,
        "imported_count": batch.imported_count,
        "error_count": batch.error_count,
        "uploaded_at": batch.uploaded_at,
        "finished_at": batch.finished_at,
        "errors": list(batch.errors[:IMPORT_ERRORS_SHOWN]) if isinstance(batch.errors, list) else [],
    }
