"""Applications for a surety's core system: enter, review, approve, reject, confirm payment, conclude.

The same services as the back office's 申込審査 (office/views/queue.py). Each
token acts as its own system user, so four eyes hold between systems as
between people: an application entered with one token is approved with
another 承認者 token, or by a person in the back office.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import P, PathEx, Router, Status

from esurety.api.auth import surety_auth, token_user
from esurety.api.common import MAX_ID, errors
from esurety.api.errors import input_error
from esurety.api.services import application_conclude_for_system
from esurety.api.surety_present import application_out, guarantee_out
from esurety.api.surety_schemas import ApplicationIn, ApplicationOut, ConcludeOut, PaymentIn, ReasonIn
from esurety.core.clock import now
from esurety.guarantees import selectors, services
from esurety.guarantees.models import Application
from esurety.parties.models import Contractor, User

router = Router(tags=["保証事業会社: 保証申込"], auth=surety_auth)

ApplicationId = PathEx[int, P(ge=1, le=MAX_ID, description="申込ID")]
STEP_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)


def _application_or_404(user: User, pk: int) -> Application:
    app = selectors.application_for_staff(user=user, pk=pk)
    if app is None:
        raise Http404("申込が見つかりません。")
    return app


def _reloaded(user: User, app: Application) -> dict[str, object]:
    return application_out(_application_or_404(user, app.pk))


@router.post(
    "/applications",
    response={201: ApplicationOut, **errors(400, 401, 403, 413, 422)},
    summary="保証申込を受け付ける（受付の状態で登録）",
)
def application_enter(request: HttpRequest, payload: ApplicationIn) -> Status[dict[str, object]]:
    user = token_user(request)
    contractor = Contractor.objects.filter(pk=payload.contractor_id).first()
    if contractor is None:
        raise input_error("contractor_id", "保証契約者が登録されていません。")
    data = services.ApplicationInput(**payload.model_dump(exclude={"contractor_id"}))
    app = services.application_enter(by=user, contractor=contractor, data=data, now=now())
    return Status(201, _reloaded(user, app))


@router.get(
    "/applications/{application_id}",
    summary="保証申込の状態と内容",
    response={200: ApplicationOut, **errors(401, 403, 404, 422)},
)
def application_detail(request: HttpRequest, application_id: ApplicationId) -> dict[str, object]:
    return application_out(_application_or_404(token_user(request), application_id))


@router.post(
    "/applications/{application_id}/start-review", response={200: ApplicationOut, **STEP_ERRORS}, summary="審査開始"
)
def application_start_review(request: HttpRequest, application_id: ApplicationId) -> dict[str, object]:
    user = token_user(request)
    app = services.application_start_review(application=_application_or_404(user, application_id), by=user, now=now())
    return _reloaded(user, app)


@router.post(
    "/applications/{application_id}/approve",
    response={200: ApplicationOut, **STEP_ERRORS},
    summary="承認（承認者のトークン。入力したトークンとは別のもの）",
)
def application_approve(request: HttpRequest, application_id: ApplicationId) -> dict[str, object]:
    user = token_user(request)
    app = services.application_approve(application=_application_or_404(user, application_id), by=user, now=now())
    return _reloaded(user, app)


@router.post("/applications/{application_id}/reject", response={200: ApplicationOut, **STEP_ERRORS}, summary="否決")
def application_reject(request: HttpRequest, payload: ReasonIn, application_id: ApplicationId) -> dict[str, object]:
    user = token_user(request)
    app = services.application_reject(
        application=_application_or_404(user, application_id), by=user, reason=payload.reason, now=now()
    )
    return _reloaded(user, app)


@router.post(
    "/applications/{application_id}/confirm-payment",
    response={200: ApplicationOut, **STEP_ERRORS},
    summary="入金確認",
)
def application_confirm_payment(
    request: HttpRequest, payload: PaymentIn, application_id: ApplicationId
) -> dict[str, object]:
    user = token_user(request)
    app = services.application_confirm_payment(
        application=_application_or_404(user, application_id), by=user, received_on=payload.received_on, now=now()
    )
    return _reloaded(user, app)


@router.post(
    "/applications/{application_id}/conclude",
    response={200: ConcludeOut, **STEP_ERRORS},
    summary="契約締結（電子証書の発行。電子交付なら認証キーを返します）",
)
def application_conclude(request: HttpRequest, application_id: ApplicationId) -> dict[str, object]:
    user = token_user(request)
    app = _application_or_404(user, application_id)
    guarantee, key = application_conclude_for_system(application=app, by=user, now=now())
    staff_view = selectors.guarantee_for_staff(user=user, number=guarantee.number)
    assert staff_view is not None  # just concluded by this user
    return {"application": _reloaded(user, app), "guarantee": guarantee_out(staff_view), "access_key": key}
