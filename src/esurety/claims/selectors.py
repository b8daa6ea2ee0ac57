"""Reads of completions and claims, scoped by who asks. Portals read only through these.

The orderer sees the claims of its organisation; staff those of their surety (and branch);
the contractor that a claim was filed on its guarantee and its outcome, not the conversation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from esurety.advances.ledger import Balance, balance
from esurety.advances.models import AdvanceAccount
from esurety.audit.models import AuditEntry
from esurety.claims.computation import claim_payout
from esurety.claims.kinds import OPEN_CLAIM_STATUSES
from esurety.claims.models import Claim, ClaimDocument, ClaimMessage, Completion
from esurety.claims.rules import Payout, PriceCutRefund, price_cut_refund
from esurety.claims.terms import claim_terms_on, price_cut_ratio_on
from esurety.core.clock import business_date
from esurety.core.kinds import ADVANCE_KINDS
from esurety.core.normalize import is_guarantee_number, normalize_guarantee_number
from esurety.guarantees.models import AmendmentType, Guarantee
from esurety.parties.models import User
from esurety.parties.permissions import is_active_staff

CLAIM_RELATED = ("guarantee", "guarantee__surety", "guarantee__branch", "guarantee__contractor", "orderer")


def _claim_number(text: str) -> str:
    text = (text or "").strip().upper()
    if text.startswith("C"):
        number = normalize_guarantee_number(text[1:])
        return f"C{number}" if is_guarantee_number(number) else ""
    return ""


# --- the orderer ---------------------------------------------------------------------------


def guarantee_for_beneficiary(*, user: User, number: str) -> Guarantee | None:
    """A guarantee of which the user's orderer is the beneficiary and has received the certificate:
    the ones it may report complete or claim on."""
    number = normalize_guarantee_number(number)
    if user.orderer_id is None or not user.is_active or not is_guarantee_number(number):
        return None
    return (
        Guarantee.objects.filter(number=number, orderer_id=user.orderer_id, receipts__orderer_id=user.orderer_id)
        .select_related("surety", "branch", "contractor", "orderer")
        .first()
    )


def claims_for_orderer(*, user: User) -> QuerySet[Claim]:
    if user.orderer_id is None or not user.is_active:
        return Claim.objects.none()
    return Claim.objects.filter(orderer_id=user.orderer_id).select_related(*CLAIM_RELATED).order_by("-filed_at")


def claim_for_orderer(*, user: User, number: str) -> Claim | None:
    number = _claim_number(number)
    return claims_for_orderer(user=user).filter(number=number).first() if number else None


# --- the surety's staff ----------------------------------------------------------------------


def _staff_scope(user: User) -> Q | None:
    if not is_active_staff(user):
        return None
    scope = Q(guarantee__surety_id=user.surety_id)
    if user.branch_id is not None:
        scope &= Q(guarantee__branch_id=user.branch_id)
    return scope


def claims_for_staff(*, user: User, status: str = "", open_only: bool = False) -> QuerySet[Claim]:
    scope = _staff_scope(user)
    if scope is None:
        return Claim.objects.none()
    qs = Claim.objects.filter(scope).select_related(*CLAIM_RELATED)
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=OPEN_CLAIM_STATUSES)
    return qs.order_by("filed_at", "pk")


def claim_for_staff(*, user: User, number: str) -> Claim | None:
    number = _claim_number(number)
    return claims_for_staff(user=user).filter(number=number).first() if number else None


# --- the contractor ---------------------------------------------------------------------------


def claims_for_contractor(*, user: User) -> QuerySet[Claim]:
    if user.contractor_id is None or not user.is_active:
        return Claim.objects.none()
    return (
        Claim.objects.filter(guarantee__contractor_id=user.contractor_id)
        .select_related(*CLAIM_RELATED)
        .order_by("-filed_at")
    )


def claim_for_contractor(*, user: User, number: str) -> Claim | None:
    number = _claim_number(number)
    return claims_for_contractor(user=user).filter(number=number).first() if number else None


# --- documents --------------------------------------------------------------------------------


def claim_document_for(*, user: User, claim: Claim, pk: int) -> ClaimDocument | None:
    """A document of a claim the caller has already scoped (claim_for_orderer / claim_for_staff)."""
    return ClaimDocument.objects.filter(claim=claim, pk=pk).first()


def documents_of(claim: Claim) -> QuerySet[ClaimDocument]:
    return claim.documents.select_related("uploaded_by").order_by("uploaded_at", "pk")


def messages_of(claim: Claim) -> QuerySet[ClaimMessage]:
    return claim.messages.select_related("author").order_by("at", "pk")


# --- what the pages show ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimFacts:
    payout: Payout
    required_documents: tuple[str, ...]
    missing_documents: tuple[str, ...]
    terms_are_sample: bool
    terms_are_default: bool
    account: AdvanceAccount | None
    account_balance: Balance | None


def claim_facts(claim: Claim) -> ClaimFacts:
    terms = claim_terms_on(surety_id=claim.guarantee.surety_id, on=business_date(claim.filed_at))
    have = set(claim.documents.values_list("title", flat=True))
    account, account_balance = account_balance_of(claim.guarantee)
    return ClaimFacts(
        payout=claim_payout(claim),
        required_documents=terms.required_documents,
        missing_documents=tuple(d for d in terms.required_documents if d not in have),
        terms_are_sample=terms.is_sample,
        terms_are_default=terms.is_default,
        account=account,
        account_balance=account_balance,
    )


def required_documents_for(guarantee: Guarantee, *, on: dt.date | None = None) -> tuple[str, ...]:
    return claim_terms_on(surety_id=guarantee.surety_id, on=on or business_date()).required_documents


def completion_of(guarantee: Guarantee) -> Completion | None:
    return Completion.objects.filter(guarantee=guarantee).select_related("recorded_by").first()


def account_balance_of(guarantee: Guarantee) -> tuple[AdvanceAccount | None, Balance | None]:
    """The advance account of a guarantee and what is left in it (completion, claim pages)."""
    account = AdvanceAccount.objects.filter(guarantee_id=guarantee.pk).select_related("bank", "bank_branch").first()
    return account, (balance(account.pk) if account is not None else None)


def claim_history(claim: Claim) -> QuerySet[AuditEntry]:
    """The claim's steps and the guarantee's own entries, oldest first."""
    return guarantee_history(claim.guarantee)


def claim_of(guarantee: Guarantee) -> Claim | None:
    """The claim on a guarantee the caller has scoped (one per guarantee)."""
    return Claim.objects.filter(guarantee=guarantee).first()


def claim_entries_of(guarantee: Guarantee) -> Q:
    """The audit entries of a guarantee's claim, as a condition on AuditEntry."""
    claim_pk = Claim.objects.filter(guarantee=guarantee).values_list("pk", flat=True).first()
    if claim_pk is None:
        return Q(pk__in=[])
    return Q(object_type=Claim.__name__, object_id=str(claim_pk))


def guarantee_history(guarantee: Guarantee) -> QuerySet[AuditEntry]:
    """A guarantee's entries with those of its claim (the history read on the guarantee's pages)."""
    related = Q(object_type=Guarantee.__name__, object_id=str(guarantee.pk))
    claim_pk = Claim.objects.filter(guarantee=guarantee).values_list("pk", flat=True).first()
    if claim_pk is not None:
        related |= Q(object_type=Claim.__name__, object_id=str(claim_pk))
    return AuditEntry.objects.filter(related).select_related("actor").order_by("at", "id")


def price_cut_refunds(guarantee: Guarantee) -> list[PriceCutRefund]:
    """請負代金の減額 of an advance guarantee: each cut that leaves the advance above the orderer's
    ratio of the reduced price, with the excess to return and its deadline."""
    if guarantee.kind not in ADVANCE_KINDS:
        return []
    out = []
    _account, bal = account_balance_of(guarantee)
    for amendment in guarantee.amendments.filter(amendment_type=AmendmentType.AMOUNT).order_by("created_at"):
        before, after = amendment.before or {}, amendment.after or {}
        price_before, price_after = before.get("contract_price"), after.get("contract_price")
        if not isinstance(price_before, int) or not isinstance(price_after, int) or price_after >= price_before:
            continue
        # What was received: the deposits of the advance when the account exists, else the
        # advance as guaranteed before the cut.
        received = (
            bal.advance_deposited if bal is not None and bal.advance_deposited else before.get("guaranteed_amount")
        )
        if not isinstance(received, int):
            continue
        ratio = price_cut_ratio_on(orderer_id=guarantee.orderer_id, on=amendment.effective_on)
        refund = price_cut_refund(
            advance_received=received,
            reduced_price=price_after,
            cut_on=amendment.effective_on,
            numerator=ratio.numerator,
            denominator=ratio.denominator,
            days=ratio.refund_days,
        )
        if refund.excess > 0:
            out.append(refund)
    return out


@dataclass(frozen=True)
class RefundDue:
    guarantee: Guarantee
    refund: PriceCutRefund


def price_cut_refunds_for_contractor(*, user: User) -> list[RefundDue]:
    """The contractor's advance guarantees whose price was cut below what the advance allows, with
    the excess to return to the orderer and the deadline (the orderer's page shows the same)."""
    if user.contractor_id is None or not user.is_active:
        return []
    cut = Guarantee.objects.filter(
        contractor_id=user.contractor_id,
        kind__in=ADVANCE_KINDS,
        amendments__amendment_type=AmendmentType.AMOUNT,
    ).distinct()
    return [
        RefundDue(g, refund)
        for g in cut.select_related("orderer").order_by("-latest_issued_on", "-number")
        for refund in price_cut_refunds(g)
    ]
