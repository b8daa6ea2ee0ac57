"""Operations for a deposit bank's system: the withdrawal requests for the accounts it holds, 払出
and 差戻し. The same selectors and services as the bank portal (/bank/)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import P, PathEx, Query, Router

from esurety.advances.kinds import AccountType, PayeeAccountType, UseCategory, WithdrawalMethod
from esurety.advances.models import Withdrawal
from esurety.advances.selectors import account_view, withdrawal_for, withdrawals_for_bank
from esurety.advances.services import withdrawal_pay, withdrawal_return
from esurety.api.auth import bank_auth, token_user
from esurety.api.bank_schemas import (
    WITHDRAWAL_NUMBER_EXAMPLE,
    WITHDRAWAL_NUMBER_PATTERN,
    PayIn,
    ReturnIn,
    WithdrawalDetailOut,
    WithdrawalPage,
    WithdrawalQuery,
)
from esurety.api.common import errors
from esurety.api.errors import input_error
from esurety.core.clock import business_date, now
from esurety.parties.models import User
from esurety.parties.selectors import bank_branches

router = Router(tags=["預託金融機関: 払出依頼"], auth=bank_auth)

Number = PathEx[
    str, P(pattern=WITHDRAWAL_NUMBER_PATTERN, example=WITHDRAWAL_NUMBER_EXAMPLE, description="払出依頼番号")
]
STEP_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)


def _code(value: str, label: str) -> dict[str, str]:
    return {"code": value, "label": label}


def withdrawal_out(w: Withdrawal) -> dict[str, object]:
    acc = w.account
    return {
        "number": w.number,
        "status": _code(w.status, w.get_status_display()),
        "requested_on": w.requested_on,
        "desired_on": w.desired_on,
        "paid_on": w.paid_on,
        "amount": w.amount,
        "use": _code(w.category, UseCategory(w.category).label),
        "line_no": w.line_no,
        "method": _code(w.method, WithdrawalMethod(w.method).label),
        "contractor": {"id": w.contractor_id, "name": w.contractor.name},
        "account": {
            "guarantee_number": acc.guarantee.number,
            "branch": {"code": w.bank_branch.code, "name": w.bank_branch.name},
            "account_type": _code(acc.account_type, AccountType(acc.account_type).label),
            "account_number": acc.account_number,
            "holder_kana": acc.holder_kana,
            "status": _code(acc.status, acc.get_status_display()),
            "stop_reason": acc.stop_reason if acc.status == "STOPPED" else "",
        },
        "payee": {
            "name": w.payee_name,
            "bank_code": w.payee_bank_code,
            "bank_name": w.payee_bank_name,
            "branch_code": w.payee_branch_code,
            "branch_name": w.payee_branch_name,
            "account_type": (
                _code(w.payee_account_type, PayeeAccountType(w.payee_account_type).label)
                if w.payee_account_type
                else None
            ),
            "account_number": w.payee_account_number,
            "holder_kana": w.payee_holder_kana,
        },
        "return_reason": w.return_reason,
        "acted_at": w.acted_at,
    }


def withdrawal_detail_out(w: Withdrawal) -> dict[str, object]:
    view = account_view(account=w.account, today=business_date())
    line = next((x for x in view.lines if x.line_no == w.line_no), None)
    return {
        **withdrawal_out(w),
        "line": None
        if line is None
        else {
            "line_no": line.line_no,
            "use": _code(line.category, line.category_label),
            "payee_name": line.payee_name,
            "amount": line.amount,
            "paid": line.paid,
            "pending": line.pending,
            "unpaid": line.amount - line.paid,
        },
        "statement_version": view.statement.version if view.statement else None,
        "advance_balance": view.balance.advance_balance,
    }


def _scoped(user: User, query: WithdrawalQuery) -> QuerySet[Withdrawal]:
    branch_id: int | None = None
    if query.branch_code:
        branch = bank_branches(user.deposit_bank_id).filter(code=query.branch_code).first()
        if branch is None or (user.bank_branch_id is not None and branch.pk != user.bank_branch_id):
            raise input_error("branch_code", "この支店コードの支店の払出依頼は参照できません。")
        branch_id = branch.pk
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise input_error("date_to", "依頼日（まで）は、依頼日（から）以降の日付にしてください。")
    return withdrawals_for_bank(
        user=user,
        status=query.status or "",
        date_from=query.date_from,
        date_to=query.date_to,
        bank_branch_id=branch_id,
        contractor_id=query.contractor_id,
    )


def _withdrawal_or_404(user: User, number: str) -> Withdrawal:
    # The bank's own requests only (its branch's, for a branch's token); anything else is not found.
    pk = withdrawals_for_bank(user=user).filter(number=number).values_list("pk", flat=True).first()
    found = withdrawal_for(user=user, pk=pk) if pk is not None else None
    if found is None:
        raise Http404("払出依頼が見つかりません。")
    return found


@router.get(
    "/bank/withdrawals",
    response={200: WithdrawalPage, **errors(401, 403, 422)},
    summary="払出依頼の一覧（依頼日の新しい順）",
    description="この金融機関の前払金専用口座への払出依頼。状態・依頼日・支店・保証契約者で絞り込めます。",
)
def withdrawal_list(request: HttpRequest, query: Query[WithdrawalQuery]) -> dict[str, object]:
    user = token_user(request)
    rows = _scoped(user, query).select_related("account", "account__guarantee")
    start = (query.page - 1) * query.page_size
    # Keys first, then the rows (as the portal's DeferredJoinPaginator): fast deep in a million requests.
    keys = list(rows.values_list("pk", flat=True)[start : start + query.page_size])
    items = list(rows.filter(pk__in=keys)) if keys else []
    return {
        "count": rows.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": [withdrawal_out(w) for w in items],
    }


@router.get(
    "/bank/withdrawals/{number}",
    response={200: WithdrawalDetailOut, **errors(401, 403, 404, 422)},
    summary="払出依頼の内容、使途内訳の行の残額と口座の状態",
)
def withdrawal_detail(request: HttpRequest, number: Number) -> dict[str, object]:
    return withdrawal_detail_out(_withdrawal_or_404(token_user(request), number))


@router.post(
    "/bank/withdrawals/{number}/pay",
    response={200: WithdrawalDetailOut, **STEP_ERRORS},
    summary="払出（払出日を記録し、保証契約者と保証事業会社へ払出を報告します）",
    description=(
        "行の未払出の残額と口座の前払金残高を超える依頼、払出停止中・閉鎖の口座、解約された保証は 409 または 422。"
        "既に払出済・差戻しの依頼は 409。"
    ),
)
def withdrawal_pay_op(request: HttpRequest, payload: PayIn, number: Number) -> dict[str, object]:
    user = token_user(request)
    w = withdrawal_pay(withdrawal=_withdrawal_or_404(user, number), by=user, paid_on=payload.paid_on, now=now())
    return withdrawal_detail_out(_withdrawal_or_404(user, w.number))


@router.post(
    "/bank/withdrawals/{number}/return",
    response={200: WithdrawalDetailOut, **STEP_ERRORS},
    summary="差戻し（理由を保証契約者に通知し、金額は行の残額に戻ります）",
)
def withdrawal_return_op(request: HttpRequest, payload: ReturnIn, number: Number) -> dict[str, object]:
    user = token_user(request)
    w = withdrawal_return(withdrawal=_withdrawal_or_404(user, number), by=user, reason=payload.reason, now=now())
    return withdrawal_detail_out(_withdrawal_or_404(user, w.number))
