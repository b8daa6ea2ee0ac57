"""What a deposit bank's system sends and receives: withdrawal requests, 払出 and 差戻し."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from esurety.api.common import MAX_ID, CodeLabel, Day, Text

WithdrawalStatusCode = Literal["REQUESTED", "PAID", "RETURNED"]
WITHDRAWAL_NUMBER_PATTERN = r"^[0-9]{10}-[0-9]{4,6}$"
WITHDRAWAL_NUMBER_EXAMPLE = "2070004426-0001"


class WithdrawalQuery(Schema):
    status: WithdrawalStatusCode | None = Field(
        None, description="状態（REQUESTED 依頼中, PAID 払出済, RETURNED 差戻し）"
    )
    date_from: Day | None = Field(None, description="依頼日（から）")
    date_to: Day | None = Field(None, description="依頼日（まで）")
    branch_code: str | None = Field(
        None, pattern=r"^[0-9]{3}$", description="支店コード（3桁。支店のトークンは自支店のみ）"
    )
    contractor_id: int | None = Field(None, ge=1, le=MAX_ID, description="保証契約者ID（一覧の contractor.id）")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


class BankBranchOut(Schema):
    code: str
    name: str


class ContractorOut(Schema):
    id: int
    name: str


class AccountOut(Schema):
    guarantee_number: str = Field(description="保証契約番号")
    branch: BankBranchOut
    account_type: CodeLabel
    account_number: str
    holder_kana: str
    status: CodeLabel = Field(description="ACTIVE 払出可, STOPPED 払出停止中, CLOSED 閉鎖")
    stop_reason: str = Field(description="払出停止の理由（停止中のみ）")


class PayeeOut(Schema):
    name: str
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: CodeLabel | None
    account_number: str
    holder_kana: str


class WithdrawalOut(Schema):
    number: str = Field(description="払出依頼番号")
    status: CodeLabel
    requested_on: dt.date
    desired_on: dt.date
    paid_on: dt.date | None
    amount: int
    use: CodeLabel = Field(description="使途")
    line_no: int = Field(description="使途内訳明細書の行番号")
    method: CodeLabel = Field(description="払出方法")
    contractor: ContractorOut
    account: AccountOut
    payee: PayeeOut
    return_reason: str
    acted_at: dt.datetime | None = Field(description="払出・差戻しの処理日時")


class LineOut(Schema):
    line_no: int
    use: CodeLabel
    payee_name: str = Field(description="明細書の支払先（空は未定）")
    amount: int
    paid: int = Field(description="払出済")
    pending: int = Field(description="依頼中（この依頼を含む）")
    unpaid: int = Field(description="未払出の残額（行の金額 − 払出済）。払出はこの額まで")


class WithdrawalDetailOut(WithdrawalOut):
    line: LineOut | None = Field(description="承認済の明細書の行（使途変更で行がなくなったときは null）")
    statement_version: int | None = Field(description="承認済の明細書の版")
    advance_balance: int = Field(description="口座の前払金残高（利息を除く）")


class WithdrawalPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[WithdrawalOut]


class PayIn(Schema):
    paid_on: Day = Field(description="払出日（依頼日以降、今日まで）")


class ReturnIn(Schema):
    reason: Text = Field(min_length=1, max_length=2000, description="差戻しの理由（保証契約者に通知します）")
