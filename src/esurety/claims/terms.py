"""The per-surety and per-orderer data in force on a day (claim terms, refund rule, price-cut ratio)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esurety.claims.kinds import DEFAULT_REQUIRED_DOCUMENTS
from esurety.claims.models import ClaimTerms, PriceCutRule, RefundRule
from esurety.claims.rules import DEFAULT_PRICE_CUT_RATIO, DEFAULT_PRICE_CUT_REFUND_DAYS


@dataclass(frozen=True)
class TermsInForce:
    filing_deadline_days: int | None
    required_documents: tuple[str, ...]
    includes_progress_payments: bool
    is_sample: bool
    is_default: bool


def claim_terms_on(*, surety_id: int, on: dt.date) -> TermsInForce:
    """The surety's claim terms in force on ``on``; the defaults when it has set none."""
    row = ClaimTerms.objects.filter(surety_id=surety_id, effective_from__lte=on).order_by("-effective_from").first()
    if row is None:
        return TermsInForce(None, DEFAULT_REQUIRED_DOCUMENTS, False, False, True)
    documents = tuple(str(d) for d in row.required_documents if str(d).strip()) or DEFAULT_REQUIRED_DOCUMENTS
    return TermsInForce(row.filing_deadline_days, documents, row.includes_progress_payments, row.is_sample, False)


def refund_rule_on(*, surety_id: int, on: dt.date) -> RefundRule | None:
    return RefundRule.objects.filter(surety_id=surety_id, effective_from__lte=on).order_by("-effective_from").first()


@dataclass(frozen=True)
class PriceCutRatio:
    numerator: int
    denominator: int
    refund_days: int
    is_default: bool


def price_cut_ratio_on(*, orderer_id: int, on: dt.date) -> PriceCutRatio:
    row = PriceCutRule.objects.filter(orderer_id=orderer_id, effective_from__lte=on).order_by("-effective_from").first()
    if row is None:
        return PriceCutRatio(*DEFAULT_PRICE_CUT_RATIO, DEFAULT_PRICE_CUT_REFUND_DAYS, True)
    return PriceCutRatio(row.numerator, row.denominator, row.refund_days, False)
