"""The rules an amended guarantee must still keep: its terms re-checked with the new price, amount
and 工期, and an advance's interim riders within 6/10 of the price together with it."""

from __future__ import annotations

import datetime as dt

from esurety.core.errors import RuleViolation
from esurety.core.kinds import GuaranteeKind
from esurety.core.money import format_yen
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.guarantees.rules import (
    ADVANCE_PLUS_INTERIM_RATIO,
    AdvanceFacts,
    Terms,
    check_terms,
    ratio_limit,
    ratio_text,
)


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
                    f"請負金額(総額)の{ratio_text(ADVANCE_PLUS_INTERIM_RATIO)}の{format_yen(limit)}円を超えます。",
                )
            )
    return out
