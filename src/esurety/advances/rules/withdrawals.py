"""Rules of the 払出依頼書 (withdrawal) against the accepted statement, and of its payment (払出)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esurety.advances.kinds import (
    AccountStatus,
    WithdrawalMethod,
)
from esurety.advances.rules.accounts import PayeeInput, check_payee
from esurety.advances.rules.statements import category_label
from esurety.core.errors import RuleViolation
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki


@dataclass(frozen=True)
class LineRoom:
    """A line of the statement in force, and what it has given (paid) and promised (requested)."""

    line_no: int
    category: str
    payee_name: str
    amount: int
    method: str
    paid: int = 0
    pending: int = 0

    @property
    def left(self) -> int:
        """What may still be requested: the line less what is paid and what is waiting."""
        return self.amount - self.paid - self.pending

    @property
    def is_undecided(self) -> bool:
        return self.payee_name == ""


def account_state_violation(status: str, stop_reason: str = "") -> RuleViolation | None:
    """No withdrawal is requested or paid while the account is stopped or closed."""
    if status == AccountStatus.STOPPED:
        why = f"（理由: {stop_reason}）" if stop_reason else ""
        return RuleViolation(
            "account", f"この口座は保証会社により払出停止中です{why}。停止が解除されるまで払出できません。"
        )
    if status == AccountStatus.CLOSED:
        return RuleViolation("account", "この口座は閉鎖されているため払出できません。")
    return None


def check_withdrawal(
    *,
    account_status: str,
    stop_reason: str,
    line: LineRoom | None,
    amount: int,
    desired_on: dt.date | None,
    today: dt.date,
    payee: PayeeInput,
    prefix: str = "",
) -> list[RuleViolation]:
    """A request: it fits what is left of its line (paid and requested counted), never a 未定 line."""
    out: list[RuleViolation] = []
    state = account_state_violation(account_status, stop_reason)
    if state is not None:
        out.append(state)
    if line is None:
        out.append(RuleViolation(prefix + "line_no", "払い出す使途内訳の行を、承認済の明細書から選んでください。"))
    elif line.is_undecided:
        out.append(
            RuleViolation(
                prefix + "line_no",
                f"{category_label(line.category)}の行は支払先が未定のため払出できません。"
                "使途変更で支払先を定め、承認を受けてから依頼してください。",
            )
        )
    if amount < 1:
        out.append(RuleViolation(prefix + "amount", "金額は1円以上で入力してください。"))
    elif line is not None and amount > line.left:
        out.append(
            RuleViolation(
                prefix + "amount",
                f"{category_label(line.category)}の行の残額 {format_yen(max(0, line.left))}円 を超えています"
                f"（{format_yen(amount - max(0, line.left))}円超過。払出済・依頼中を差し引いた額です）。",
            )
        )
    if desired_on is None:
        out.append(RuleViolation(prefix + "desired_on", "払出希望日を入力してください。"))
    elif desired_on < today:
        out.append(
            RuleViolation(
                prefix + "desired_on", f"払出希望日は本日（{format_wareki(today, padded=False)}）以降にしてください。"
            )
        )
    needs_account = line is None or line.method == WithdrawalMethod.TRANSFER
    out += check_payee(payee, needs_account=needs_account, prefix=prefix + "payee_")
    return out


def check_payment(
    *,
    account_status: str,
    stop_reason: str,
    line: LineRoom | None,
    balance: int,
    amount: int,
    paid_on: dt.date | None,
    requested_on: dt.date,
    today: dt.date,
) -> list[RuleViolation]:
    """The bank pays only what fits what the line has not paid yet and the advance in the account.

    ``line`` is the line of the statement in force now (its ``paid`` excludes this request,
    which is not paid yet); ``balance`` the advance money in the account (interest excluded:
    it is not advance money).
    """
    out: list[RuleViolation] = []
    state = account_state_violation(account_status, stop_reason)
    if state is not None:
        out.append(state)
    if line is None:
        out.append(RuleViolation("line_no", "この依頼の使途内訳の行は、承認済の明細書にありません。差戻してください。"))
    elif line.is_undecided:
        out.append(
            RuleViolation("line_no", "この依頼の使途内訳の行は、使途変更で支払先が未定になりました。差戻してください。")
        )
    elif amount > line.amount - line.paid:
        left = max(0, line.amount - line.paid)
        out.append(
            RuleViolation(
                "amount",
                f"使途内訳の行の残額 {format_yen(left)}円 を超えるため払出できません"
                f"（{format_yen(amount - left)}円超過）。",
            )
        )
    if amount > balance:
        out.append(
            RuleViolation("amount", f"口座の前払金残高 {format_yen(max(0, balance))}円 を超えるため払出できません。")
        )
    if paid_on is None:
        out.append(RuleViolation("paid_on", "払出日を入力してください。"))
    elif paid_on > today:
        out.append(RuleViolation("paid_on", "払出日に未来の日付は入力できません。"))
    elif paid_on < requested_on:
        out.append(
            RuleViolation(
                "paid_on", f"払出日は依頼日（{format_wareki(requested_on, padded=False)}）以降にしてください。"
            )
        )
    return out
