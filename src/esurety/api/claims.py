"""完成 and 保証債務の履行請求 over the API: an orderer's system files completion and a claim and
reads its state; a surety's system assesses, decides (four eyes between two tokens) and records
payment. The same services and selectors as the portals (verify/views_claims.py, office/views/claims.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest
from ninja import Field, P, PathEx, Router, Schema, Status

from esurety.api.auth import orderer_auth, surety_auth, token_user
from esurety.api.common import NUMBER_EXAMPLE, NUMBER_PATTERN, CodeLabel, Day, Text, Yen, errors
from esurety.api.errors import input_error
from esurety.claims import selectors
from esurety.claims import services as claims
from esurety.claims.models import Claim
from esurety.claims.services import ClaimInput, Upload
from esurety.core.clock import now
from esurety.parties.models import User

orderer_router = Router(tags=["発注者: 完成・履行請求"], auth=orderer_auth)
surety_router = Router(tags=["保証事業会社: 履行請求"], auth=surety_auth)

Number = PathEx[str, P(pattern=NUMBER_PATTERN, example=NUMBER_EXAMPLE, description="保証契約番号（10桁）")]
ClaimNumber = PathEx[str, P(pattern=r"^C[0-9]{10}$", example="C2070004426", description="履行請求番号")]
STEP_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)
# A document arrives as base64 in the JSON body: 10 MB of file is under 14 MB of text.
MAX_DOCUMENT_TEXT = 14_000_000


class CompletionIn(Schema):
    completed_on: Day = Field(description="完成日")
    inspected_on: Day = Field(description="完成検査日")
    inspection_passed: Literal[True] = Field(description="完成検査に合格したこと（true のみ）")
    note: Text = Field("", max_length=200)


class CompletionOut(Schema):
    completed: list[str] = Field(description="完了となった保証契約番号（同じ工事の中間前払金保証・契約保証を含む）")


class DocumentIn(Schema):
    title: Text = Field(max_length=100, description="書類の名称（解除通知書 など）")
    filename: Text = Field(max_length=255)
    content_base64: str = Field(max_length=MAX_DOCUMENT_TEXT, description="PDF・JPEG・PNG を base64 で")


class ClaimIn(Schema):
    termination_date: Day = Field(description="契約解除日")
    termination_reason: Literal["DEFAULT", "BANKRUPTCY_TRUSTEE", "REORGANIZATION_TRUSTEE", "REHABILITATION_DEBTOR"]
    advance_paid: Yen = 0
    interim_advance_paid: Yen = 0
    progress_paid: Yen = 0
    work_done_value: Yen = Field(0, description="既済部分（出来形）の代価")
    penalty_numerator: int = Field(10, ge=1, le=1000, description="違約金の割合の分子（契約保証）")
    penalty_denominator: int = Field(100, ge=1, le=1000, description="違約金の割合の分母（契約保証）")
    statement: Text = Field("", max_length=2000)
    documents: list[DocumentIn] = Field(min_length=1, max_length=10)


class DocumentsIn(Schema):
    documents: list[DocumentIn] = Field(min_length=1, max_length=10)
    message: Text = Field("", max_length=2000)


class ClaimLine(Schema):
    label: str
    sign: str
    amount: int


class ClaimOut(Schema):
    number: str
    guarantee_number: str
    status: CodeLabel
    filed_at: dt.datetime
    termination_date: dt.date
    termination_reason: CodeLabel
    claimed_amount: int
    assessed_amount: int | None
    decision: CodeLabel | None
    decision_reason: str
    paid_amount: int | None
    paid_on: dt.date | None
    computation: list[ClaimLine]
    missing_documents: list[str]
    messages: list[str] = Field(description="保証事業会社からの連絡（新しいものが後）")


class AssessIn(Schema):
    work_done_value: Yen | None = Field(None, description="審査による既済部分の代価（前払金保証）")
    note: Text = Field(max_length=2000)


class DecisionIn(Schema):
    decision: Literal["PAY", "REFUSE"]
    reason: Text = Field(max_length=2000)


class PaymentIn(Schema):
    paid_on: Day


def _uploads(documents: list[DocumentIn]) -> list[Upload]:
    out = []
    for i, d in enumerate(documents):
        try:
            data = base64.b64decode(d.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise input_error(f"documents.{i}.content_base64", "base64 で指定してください。") from None
        out.append(Upload(title=d.title, file=SimpleUploadedFile(d.filename or "document", data)))
    return out


def claim_out(claim: Claim) -> dict[str, object]:
    facts = selectors.claim_facts(claim)
    return {
        "number": claim.number,
        "guarantee_number": claim.guarantee.number,
        "status": {"code": claim.status, "label": claim.get_status_display()},
        "filed_at": claim.filed_at,
        "termination_date": claim.termination_date,
        "termination_reason": {"code": claim.termination_reason, "label": claim.get_termination_reason_display()},
        "claimed_amount": claim.claimed_amount,
        "assessed_amount": claim.assessed_amount,
        "decision": {"code": claim.decision, "label": claim.get_decision_display()} if claim.decision else None,
        "decision_reason": claim.decision_reason,
        "paid_amount": claim.paid_amount,
        "paid_on": claim.paid_on,
        "computation": [{"label": x.label, "sign": x.sign, "amount": x.amount} for x in facts.payout.lines],
        "missing_documents": list(facts.missing_documents),
        "messages": [m.body for m in selectors.messages_of(claim) if m.side == "SURETY" and m.body],
    }


def _orderer_claim(user: User, number: str) -> Claim:
    claim = selectors.claim_for_orderer(user=user, number=number)
    if claim is None:
        raise Http404("履行請求が見つかりません。")
    return claim


def _staff_claim(user: User, number: str) -> Claim:
    claim = selectors.claim_for_staff(user=user, number=number)
    if claim is None:
        raise Http404("履行請求が見つかりません。")
    return claim


@orderer_router.post(
    "/certificates/{number}/completion",
    response={200: CompletionOut, **STEP_ERRORS},
    summary="完成の届出（完成検査の合格後）。保証契約は「完了」になります",
)
def completion(request: HttpRequest, payload: CompletionIn, number: Number) -> dict[str, object]:
    user = token_user(request)
    g = selectors.guarantee_for_beneficiary(user=user, number=number)
    if g is None:
        raise Http404("受領済みの電子証書ではありません。")
    done = claims.guarantee_complete(
        guarantee=g,
        by=user,
        completed_on=payload.completed_on,
        inspected_on=payload.inspected_on,
        inspection_passed=payload.inspection_passed,
        note=payload.note,
        now=now(),
    )
    return {"completed": [x.number for x in done]}


@orderer_router.post(
    "/certificates/{number}/claim",
    response={201: ClaimOut, **STEP_ERRORS},
    summary="保証債務の履行請求（保証契約ごとに1回）",
)
def claim_file(request: HttpRequest, payload: ClaimIn, number: Number) -> Status[dict[str, object]]:
    user = token_user(request)
    g = selectors.guarantee_for_beneficiary(user=user, number=number)
    if g is None:
        raise Http404("受領済みの電子証書ではありません。")
    data = ClaimInput(
        termination_date=payload.termination_date,
        termination_reason=payload.termination_reason,
        advance_paid=payload.advance_paid,
        interim_advance_paid=payload.interim_advance_paid,
        progress_paid=payload.progress_paid,
        work_done_value=payload.work_done_value,
        penalty_numerator=payload.penalty_numerator,
        penalty_denominator=payload.penalty_denominator,
        statement=payload.statement,
    )
    claim = claims.claim_file(guarantee=g, by=user, data=data, uploads=_uploads(payload.documents), now=now())
    return Status(201, claim_out(_orderer_claim(user, claim.number)))


@orderer_router.get(
    "/claims/{claim_number}", response={200: ClaimOut, **errors(401, 403, 404, 422)}, summary="履行請求の状態"
)
def orderer_claim(request: HttpRequest, claim_number: ClaimNumber) -> dict[str, object]:
    return claim_out(_orderer_claim(token_user(request), claim_number))


@orderer_router.post("/claims/{claim_number}/documents", response={200: ClaimOut, **STEP_ERRORS}, summary="書類の追加")
def claim_add_documents(request: HttpRequest, payload: DocumentsIn, claim_number: ClaimNumber) -> dict[str, object]:
    user = token_user(request)
    claim = claims.claim_add_documents(
        claim=_orderer_claim(user, claim_number),
        by=user,
        uploads=_uploads(payload.documents),
        message=payload.message,
        now=now(),
    )
    return claim_out(claim)


@surety_router.get(
    "/surety/claims/{claim_number}",
    response={200: ClaimOut, **errors(401, 403, 404, 422)},
    summary="履行請求の内容と状態",
)
def surety_claim(request: HttpRequest, claim_number: ClaimNumber) -> dict[str, object]:
    return claim_out(_staff_claim(token_user(request), claim_number))


@surety_router.post(
    "/surety/claims/{claim_number}/assessment", response={200: ClaimOut, **STEP_ERRORS}, summary="審査の記録"
)
def claim_assess(request: HttpRequest, payload: AssessIn, claim_number: ClaimNumber) -> dict[str, object]:
    user = token_user(request)
    claim = claims.claim_assess(
        claim=_staff_claim(user, claim_number),
        by=user,
        work_done_value=payload.work_done_value,
        note=payload.note,
        now=now(),
    )
    return claim_out(claim)


@surety_router.post(
    "/surety/claims/{claim_number}/decision",
    response={200: ClaimOut, **STEP_ERRORS},
    summary="支払・不支払の決定（審査したトークン以外の承認者）",
)
def claim_decide(request: HttpRequest, payload: DecisionIn, claim_number: ClaimNumber) -> dict[str, object]:
    user = token_user(request)
    claim = claims.claim_decide(
        claim=_staff_claim(user, claim_number), by=user, decision=payload.decision, reason=payload.reason, now=now()
    )
    return claim_out(claim)


@surety_router.post(
    "/surety/claims/{claim_number}/payment", response={200: ClaimOut, **STEP_ERRORS}, summary="保証金の支払の記録"
)
def claim_record_payment(request: HttpRequest, payload: PaymentIn, claim_number: ClaimNumber) -> dict[str, object]:
    user = token_user(request)
    claim = claims.claim_record_payment(
        claim=_staff_claim(user, claim_number), by=user, paid_on=payload.paid_on, now=now()
    )
    return claim_out(claim)
