"""変更契約: an amount change issues a (変更) version; a 工期 change moves the period only."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.core.kinds import GuaranteeKind
from esurety.core.money import format_yen
from esurety.guarantees.models import Amendment, AmendmentType, Guarantee, GuaranteeStatus
from esurety.guarantees.rules import ADVANCE_PLUS_INTERIM_RATIO, AdvanceFacts, Terms, check_terms, ratio_limit
from esurety.guarantees.services.issuance import certificate_issue
from esurety.parties.models import User
from esurety.parties.permissions import require_staff
from esurety.webhooks.payloads import amendment_change
from esurety.webhooks.services import webhook_event_publish


def _lock_active(guarantee: Guarantee) -> Guarantee:
    g = (
        Guarantee.objects.select_for_update()
        .select_related("surety", "branch", "contractor", "orderer")
        .get(pk=guarantee.pk)
    )
    if g.status != GuaranteeStatus.ACTIVE:
        raise InvalidStateError(f"保証契約 {g.number} は「{g.get_status_display()}」のため変更できません。")
    return g


def amended_terms_violations(g: Guarantee, *, price: int, amount: int, completion: dt.date) -> list[RuleViolation]:
    adv = g.advance_guarantee
    facts = None
    if adv is not None:
        facts = AdvanceFacts(
            number=adv.number,
            kind=adv.kind,
            is_active=adv.status == GuaranteeStatus.ACTIVE,
            same_parties=True,
            work_name=adv.work_name,
            guaranteed_amount=adv.guaranteed_amount,
        )
    terms = Terms(
        kind=g.kind,
        work_category=g.work_category,
        work_name=g.work_name,
        contract_date=g.contract_date,
        completion_date=completion,
        contract_price=price,
        guaranteed_amount=amount,
        low_bid=g.low_bid,
        deposit_bank=g.deposit_bank,
        delivery_method=g.delivery_method,
    )
    # Delivery was settled at conclusion; an amendment does not re-decide it.
    return check_terms(terms, orderer_name=g.orderer.name, orderer_accepts_electronic=True, advance=facts)


def rider_violations(g: Guarantee, *, new_advance_amount: int) -> list[RuleViolation]:
    """Raising an advance must keep advance + interim within 6/10 for interims already issued on it."""
    if g.kind != GuaranteeKind.ADVANCE:
        return []
    out: list[RuleViolation] = []
    for rider in g.riders.filter(kind=GuaranteeKind.INTERIM_ADVANCE, status=GuaranteeStatus.ACTIVE):
        limit = ratio_limit(rider.contract_price, ADVANCE_PLUS_INTERIM_RATIO)
        if new_advance_amount + rider.guaranteed_amount > limit:
            out.append(
                RuleViolation(
                    "guaranteed_amount",
                    f"中間前払金保証 {rider.number}（{format_yen(rider.guaranteed_amount)}円）との合計が、"
                    f"請負金額(総額)の10分の6の{format_yen(limit)}円を超えます。",
                )
            )
    return out


@transaction.atomic
def guarantee_amend_amount(
    *,
    guarantee: Guarantee,
    by: User,
    contract_price: int,
    guaranteed_amount: int,
    effective_on: dt.date,
    reason: str,
    now: dt.datetime,
) -> Amendment:
    g = _lock_active(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    if contract_price == g.contract_price and guaranteed_amount == g.guaranteed_amount:
        raise DomainError(
            "変更後の金額が現在と同じです。", [RuleViolation("guaranteed_amount", "金額が変わっていません。")]
        )
    violations = amended_terms_violations(
        g, price=contract_price, amount=guaranteed_amount, completion=g.completion_date
    )
    violations += rider_violations(g, new_advance_amount=guaranteed_amount)
    if violations:
        raise DomainError("変更後の内容に誤りがあります。", violations)
    before = {
        "contract_price": g.contract_price,
        "guaranteed_amount": g.guaranteed_amount,
        "version": g.current_version,
    }
    g.contract_price = contract_price
    g.guaranteed_amount = guaranteed_amount
    g.save(update_fields=["contract_price", "guaranteed_amount", "updated_at"])
    certificate = certificate_issue(guarantee=g, by=by, now=now, is_amendment=True)
    after = {"contract_price": contract_price, "guaranteed_amount": guaranteed_amount, "version": certificate.version}
    amendment = Amendment.objects.create(
        guarantee=g,
        amendment_type=AmendmentType.AMOUNT,
        effective_on=effective_on,
        reason=reason,
        before=before,
        after=after,
        certificate=certificate,
        created_by=by,
    )
    audit_record(
        actor=by, action="guarantee.amend_amount", obj=g, at=now, before=before, after=after, surety_id=g.surety_id
    )
    webhook_event_publish(event="amended", guarantee=g, now=now, extra=amendment_change(amendment))
    return amendment


@transaction.atomic
def guarantee_change_period(
    *, guarantee: Guarantee, by: User, completion_date: dt.date, effective_on: dt.date, reason: str, now: dt.datetime
) -> Amendment:
    """工期の変更: the period follows the works automatically; no new certificate (seed note 2)."""
    g = _lock_active(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    if completion_date == g.completion_date:
        raise DomainError(
            "変更後の工事末日が現在と同じです。", [RuleViolation("completion_date", "工事末日が変わっていません。")]
        )
    violations = amended_terms_violations(
        g, price=g.contract_price, amount=g.guaranteed_amount, completion=completion_date
    )
    if violations:
        raise DomainError("変更後の内容に誤りがあります。", violations)
    before = {"completion_date": g.completion_date.isoformat(), "period_end": g.period_end.isoformat()}
    g.completion_date = completion_date
    g.period_end = completion_date
    g.save(update_fields=["completion_date", "period_end", "updated_at"])
    after = {"completion_date": completion_date.isoformat(), "period_end": completion_date.isoformat()}
    amendment = Amendment.objects.create(
        guarantee=g,
        amendment_type=AmendmentType.PERIOD,
        effective_on=effective_on,
        reason=reason,
        before=before,
        after=after,
        created_by=by,
    )
    audit_record(
        actor=by, action="guarantee.change_period", obj=g, at=now, before=before, after=after, surety_id=g.surety_id
    )
    webhook_event_publish(event="amended", guarantee=g, now=now, extra=amendment_change(amendment))
    return amendment
