"""Steps shared by the guarantee services: lock the row, check its state, snapshot it for the audit.

Public so that each service module imports them by name; none of them commits. The write itself
(snapshot → save → audit) is ``audited_change`` / ``audited_create`` from ``audit.changes``,
re-exported here for the guarantee services.
"""

from __future__ import annotations

from typing import Any

from esurety.audit.changes import audited_change, audited_create
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee, GuaranteeStatus
from esurety.guarantees.rules import AdvanceFacts, Terms, check_terms

__all__ = [
    "application_check",
    "application_snapshot",
    "audited_change",
    "audited_create",
    "lock_application",
    "lock_guarantee",
    "require_application_status",
    "require_application_valid",
    "require_guarantee_active",
]

# ---------------------------------------------------------------------------
# applications


def application_snapshot(app: Application) -> dict[str, Any]:
    return {
        "status": app.status,
        "kind": app.kind,
        "work_name": app.work_name,
        "contract_price": app.contract_price,
        "guaranteed_amount": app.guaranteed_amount,
        "delivery_method": app.delivery_method,
        "premium": app.premium,
    }


def lock_application(app: Application) -> Application:
    # Lock the row so that two staff clicking at once cannot both move it.
    return Application.objects.select_for_update().get(pk=app.pk)


def require_application_status(app: Application, *allowed: str) -> None:
    if app.status not in allowed:
        labels = "・".join(ApplicationStatus(s).label for s in allowed)
        raise InvalidStateError(
            f"この申込は「{app.get_status_display()}」のため、この操作はできません（{labels}の申込のみ）。"
        )


def _advance_facts(app: Application) -> AdvanceFacts | None:
    adv = app.advance_guarantee
    if adv is None:
        return None
    return AdvanceFacts(
        number=adv.number,
        kind=adv.kind,
        is_active=adv.status == GuaranteeStatus.ACTIVE,
        same_parties=(
            adv.surety_id == app.surety_id
            and adv.contractor_id == app.contractor_id
            and adv.orderer_id == app.orderer_id
        ),
        work_name=adv.work_name,
        guaranteed_amount=adv.guaranteed_amount,
    )


def application_check(app: Application) -> list[RuleViolation]:
    """Every rule check of DESIGN.md against the application as it stands."""
    terms = Terms(
        kind=app.kind,
        work_category=app.work_category,
        work_name=app.work_name,
        contract_date=app.contract_date,
        completion_date=app.completion_date,
        contract_price=app.contract_price,
        guaranteed_amount=app.guaranteed_amount,
        low_bid=app.low_bid,
        deposit_bank=app.deposit_bank,
        delivery_method=app.delivery_method,
    )
    accepts = app.orderer.accepts_electronic(
        kind=app.kind, work_category=app.work_category, contract_date=app.contract_date
    )
    return check_terms(
        terms, orderer_name=app.orderer.name, orderer_accepts_electronic=accepts, advance=_advance_facts(app)
    )


def require_application_valid(app: Application) -> None:
    violations = application_check(app)
    if violations:
        raise DomainError("申込内容に誤りがあります。", violations)


# ---------------------------------------------------------------------------
# guarantees


def lock_guarantee(guarantee: Guarantee) -> Guarantee:
    # Row lock: a reissue, a cancellation and an approval on the same guarantee run one after another.
    # of=("self",): only the guarantee row is locked (PostgreSQL refuses FOR UPDATE on the
    # nullable side of the advance_guarantee outer join).
    return (
        Guarantee.objects.select_for_update(of=("self",))
        .select_related("surety", "branch", "contractor", "orderer", "advance_guarantee")
        .get(pk=guarantee.pk)
    )


def require_guarantee_active(g: Guarantee, action: str) -> None:
    if g.status != GuaranteeStatus.ACTIVE:
        raise InvalidStateError(f"保証契約 {g.number} は「{g.get_status_display()}」のため{action}できません。")
