"""Guarantees for a surety's core system: read, 変更申請 (four eyes), 解約, 認証キー再発行, 一括取込.

The same services as the back office's guarantee and import pages
(office/views/guarantees.py, office/views/imports.py).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import File, P, PathEx, Router, Status, UploadedFile

from esurety.api.auth import surety_auth, token_user
from esurety.api.common import MAX_ID, NUMBER_EXAMPLE, NUMBER_PATTERN, errors
from esurety.api.errors import input_error
from esurety.api.services import access_key_reissue_for_system
from esurety.api.surety_present import amendment_request_out, guarantee_out, import_out
from esurety.api.surety_schemas import (
    AccessKeyOut,
    AmendmentRequestIn,
    AmendmentRequestOut,
    GuaranteeOut,
    ImportOut,
    ReasonIn,
)
from esurety.claims.services import guarantee_cancel_with_refund
from esurety.core.clock import now
from esurety.guarantees import imports, selectors, services
from esurety.guarantees.models import AmendmentRequest, Guarantee, ImportBatch, ImportStatus
from esurety.parties.models import User

router = Router(tags=["保証事業会社: 保証契約"], auth=surety_auth)

Number = PathEx[str, P(pattern=NUMBER_PATTERN, example=NUMBER_EXAMPLE, description="保証契約番号（10桁）")]
RequestId = PathEx[int, P(ge=1, le=MAX_ID, description="変更申請ID")]
ImportId = PathEx[int, P(ge=1, le=MAX_ID, description="一括取込ID")]
STEP_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)


def _guarantee_or_404(user: User, number: str) -> Guarantee:
    guarantee = selectors.guarantee_for_staff(user=user, number=number)
    if guarantee is None:
        raise Http404("保証契約が見つかりません。")
    return guarantee


def _request_or_404(user: User, pk: int) -> AmendmentRequest:
    req = selectors.amendment_request_for_staff(user=user, pk=pk)
    if req is None:
        raise Http404("変更申請が見つかりません。")
    return req


def _batch_or_404(user: User, pk: int) -> ImportBatch:
    batch = imports.imports_for_staff(user=user).filter(pk=pk).first()
    if batch is None:
        raise Http404("一括取込が見つかりません。")
    return batch


@router.get(
    "/guarantees/{number}", summary="保証契約の内容と状態", response={200: GuaranteeOut, **errors(401, 403, 404, 422)}
)
def guarantee_detail(request: HttpRequest, number: Number) -> dict[str, object]:
    return guarantee_out(_guarantee_or_404(token_user(request), number))


@router.post(
    "/guarantees/{number}/amendment-requests",
    response={201: AmendmentRequestOut, **STEP_ERRORS},
    summary="変更申請（金額の変更・工期の変更）。入力したトークン以外の承認者が承認すると反映されます",
)
def amendment_request_create(
    request: HttpRequest, payload: AmendmentRequestIn, number: Number
) -> Status[dict[str, object]]:
    user = token_user(request)
    req = services.amendment_request_create(
        guarantee=_guarantee_or_404(user, number),
        by=user,
        amendment_type=payload.amendment_type,
        contract_price=payload.contract_price,
        guaranteed_amount=payload.guaranteed_amount,
        completion_date=payload.completion_date,
        effective_on=payload.effective_on,
        reason=payload.reason,
        now=now(),
    )
    return Status(201, amendment_request_out(_request_or_404(user, req.pk)))


@router.get(
    "/amendment-requests/{request_id}",
    summary="変更申請の状態と内容",
    response={200: AmendmentRequestOut, **errors(401, 403, 404, 422)},
)
def amendment_request_detail(request: HttpRequest, request_id: RequestId) -> dict[str, object]:
    return amendment_request_out(_request_or_404(token_user(request), request_id))


@router.post(
    "/amendment-requests/{request_id}/approve",
    response={200: AmendmentRequestOut, **STEP_ERRORS},
    summary="変更申請の承認（変更の保証証書の発行、または保証期間の変更）",
)
def amendment_request_approve(request: HttpRequest, request_id: RequestId) -> dict[str, object]:
    user = token_user(request)
    req = services.amendment_request_approve(request=_request_or_404(user, request_id), by=user, now=now())
    return amendment_request_out(_request_or_404(user, req.pk))


@router.post(
    "/amendment-requests/{request_id}/reject",
    response={200: AmendmentRequestOut, **STEP_ERRORS},
    summary="変更申請の却下（入力したトークンなら取り下げ）",
)
def amendment_request_reject(request: HttpRequest, payload: ReasonIn, request_id: RequestId) -> dict[str, object]:
    user = token_user(request)
    req = services.amendment_request_reject(
        request=_request_or_404(user, request_id), by=user, reason=payload.reason, now=now()
    )
    return amendment_request_out(_request_or_404(user, req.pk))


@router.post(
    "/guarantees/{number}/cancel",
    response={200: GuaranteeOut, **STEP_ERRORS},
    summary="解約（承認者のトークン）",
)
def guarantee_cancel(request: HttpRequest, payload: ReasonIn, number: Number) -> dict[str, object]:
    user = token_user(request)
    g, _ = guarantee_cancel_with_refund(
        guarantee=_guarantee_or_404(user, number), by=user, reason=payload.reason, now=now()
    )
    return guarantee_out(_guarantee_or_404(user, g.number))


@router.post(
    "/guarantees/{number}/reissue-key",
    response={200: AccessKeyOut, **STEP_ERRORS},
    summary="認証キーの再発行（新しいキーはこの応答でのみ渡します）",
)
def access_key_reissue(request: HttpRequest, number: Number) -> dict[str, object]:
    user = token_user(request)
    g = _guarantee_or_404(user, number)
    return {"number": g.number, "access_key": access_key_reissue_for_system(guarantee=g, by=user, now=now())}


@router.post(
    "/imports",
    response={201: ImportOut, 202: ImportOut, **errors(400, 401, 403, 413, 422)},
    summary="一括取込（CSV）。小さなファイルはその場で検証・取込（201）、大きなファイルは順に処理（202）",
)
def import_upload(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, object]]:
    user = token_user(request)
    content = file.read(imports.MAX_FILE_BYTES + 1)
    if not isinstance(content, bytes):
        raise input_error("file", "ファイルを読み取れません。")
    batch = imports.import_batch_upload(by=user, file_name=file.name or "", content=content, now=now())
    if imports.runs_in_request(content):
        imports.import_batch_process(batch_id=batch.pk, now=now())
    done = _batch_or_404(user, batch.pk)
    return Status(202 if done.status == ImportStatus.VALIDATING else 201, import_out(done))


@router.get("/imports/{import_id}", summary="一括取込の結果", response={200: ImportOut, **errors(401, 403, 404, 422)})
def import_detail(request: HttpRequest, import_id: ImportId) -> dict[str, object]:
    return import_out(_batch_or_404(token_user(request), import_id))
