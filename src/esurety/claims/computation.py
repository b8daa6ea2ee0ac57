"""The 保証金 of a claim, line by line, from its stored figures (shared by services and pages)."""

from __future__ import annotations

from esurety.claims.models import Claim
from esurety.claims.rules import Payout, advance_payout, penalty_payout
from esurety.core.kinds import GuaranteeKind


def claim_payout(claim: Claim, *, work_done_value: int | None = None) -> Payout:
    """What the claim pays: 違約金 for a 契約保証, otherwise advances less the work done.

    ``work_done_value`` overrides the declared value (the assessor's figure); by default the
    assessed figure when there is one, else the orderer's.
    """
    g = claim.guarantee
    if g.kind == GuaranteeKind.PERFORMANCE:
        return penalty_payout(
            contract_price=g.contract_price,
            numerator=claim.penalty_numerator,
            denominator=claim.penalty_denominator,
            guaranteed_amount=g.guaranteed_amount,
        )
    if work_done_value is None:
        work_done_value = (
            claim.assessed_work_done_value if claim.assessed_work_done_value is not None else claim.work_done_value
        )
    return advance_payout(
        advance_paid=claim.advance_paid,
        interim_advance_paid=claim.interim_advance_paid,
        progress_paid=claim.progress_paid,
        work_done_value=work_done_value,
        includes_progress=claim.includes_progress,
        guaranteed_amount=g.guaranteed_amount,
    )
