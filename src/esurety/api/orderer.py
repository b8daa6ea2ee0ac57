"""Operations for an orderer's system (電子契約システム): verify number + key, the received
certificates, their PDF copies and what changed. The same services and selectors as /verify/."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, Query, QueryEx, Router

from esurety.accounts.ratelimit import client_ip
from esurety.api import present
from esurety.api.auth import orderer_auth, token_user
from esurety.api.common import NUMBER_EXAMPLE, NUMBER_PATTERN, Moment, errors
from esurety.api.orderer_schemas import (
    CertificateOut,
    ChangesOut,
    ReceiptPage,
    ReceiptQuery,
    VerificationIn,
)
from esurety.api.selectors import changes_for_orderer
from esurety.core.clock import business_date, now
from esurety.verification import selectors, services
from esurety.verification.models import Receipt, ViewKind
from esurety.web.downloads import attachment

router = Router(tags=["発注者"], auth=orderer_auth)

NOT_RECEIVED = "受領済みの電子証書ではありません。"
Number = PathEx[str, P(pattern=NUMBER_PATTERN, example=NUMBER_EXAMPLE, description="保証契約番号（10桁）")]
Version = QueryEx[int | None, P(ge=1, le=10_000, description="版（省略時は最新の版）")]
Since = QueryEx[Moment, P(description="この日時以降（ISO 8601。時差のない日時は日本時間）")]
Limit = QueryEx[int, P(ge=1, le=500, description="最大件数")]


def _receipt_or_404(request: HttpRequest, number: str) -> Receipt:
    receipt = selectors.receipt_for_orderer(user=token_user(request), number=number)
    if receipt is None:
        # Unknown number, another orderer's certificate, or not yet verified: one answer.
        raise Http404(NOT_RECEIVED)
    return receipt


@router.post(
    "/verifications",
    response={200: CertificateOut, **errors(400, 401, 403, 404, 413, 422, 429)},
    summary="保証契約番号と認証キーで電子証書を確認する",
    description=(
        "正しい組み合わせなら電子証書を返し、受領済み一覧に加えます。番号・キーの誤りと他の発注者の電子証書は"
        "同じ 404 です。失敗が続くと 429（Retry-After 秒後に再試行）。"
    ),
)
def verify(request: HttpRequest, payload: VerificationIn) -> dict[str, object]:
    receipt = services.certificate_verify(
        user=token_user(request), number=payload.number, key=payload.key, client_ip=client_ip(request), now=now()
    )
    return present.certificate_out(receipt=receipt, version=None, today=business_date())


@router.get(
    "/certificates",
    response={200: ReceiptPage, **errors(401, 403, 422)},
    summary="受領済みの電子証書の一覧",
)
def received(request: HttpRequest, query: Query[ReceiptQuery]) -> dict[str, object]:
    filters = selectors.ReceiptFilters(
        number=query.number,
        contractor=query.contractor,
        work_name=query.work_name,
        kind=query.kind or "",
        status=present.STATUS_LABELS[query.status] if query.status else "",
    )
    today = business_date()
    receipts = selectors.receipts_for_orderer(user=token_user(request), filters=filters, today=today)
    start = (query.page - 1) * query.page_size
    return {
        "count": receipts.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": [present.receipt_out(r, today=today) for r in receipts[start : start + query.page_size]],
    }


@router.get(
    "/certificates/{number}",
    response={200: CertificateOut, **errors(401, 403, 404, 422)},
    summary="受領済みの電子証書（版を指定できます）",
)
def certificate(request: HttpRequest, number: Number, version: Version = None) -> dict[str, object]:
    receipt = _receipt_or_404(request, number)
    data = present.certificate_out(receipt=receipt, version=version, today=business_date())
    if version is None:
        # As on the portal: a look at the current certificate marks it as seen.
        services.receipt_record_view(
            receipt=receipt, user=token_user(request), kind=ViewKind.VIEW, client_ip=client_ip(request), now=now()
        )
    return data


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "閲覧記録付きの保証証書（発注者控え、電子署名付きPDF）",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/certificates/{number}/pdf",
    response=errors(401, 403, 404, 422),
    summary="電子証書の発注者控え（閲覧記録付きPDF）",
    openapi_extra=PDF_RESPONSE,
)
def certificate_pdf(request: HttpRequest, number: Number, version: Version = None) -> HttpResponse:
    receipt = _receipt_or_404(request, number)
    copy = services.certificate_copy_for_viewer(
        receipt=receipt, user=token_user(request), version=version, client_ip=client_ip(request), now=now()
    )
    return attachment(copy.data, filename=copy.filename, fallback=copy.fallback, content_type="application/pdf")


@router.get(
    "/changes",
    response={200: ChangesOut, **errors(401, 403, 422)},
    summary="受領済みの電子証書の変更・解約（指定日時以降）",
)
def changes(
    request: HttpRequest,
    since: Since,
    limit: Limit = 100,
) -> dict[str, object]:
    until = now()
    events, more = changes_for_orderer(user=token_user(request), since=since, until=until, limit=limit)
    today = business_date()
    items = [present.change_out(e, today=today) for e in events]
    return {"since": since, "until": until, "has_more": more, "items": items}
