"""What a surety's core system sends and receives: applications, guarantees, changes, keys, imports."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from esurety.api.common import CodeLabel, Day, Flag, Id, Text, Yen

Kind = Literal["ADVANCE", "INTERIM_ADVANCE", "PERFORMANCE", "PERFORMANCE_RESERVATION"]
WorkCategoryCode = Literal["WORKS", "CONSULTING"]
Delivery = Literal["ELECTRONIC", "PAPER"]


class ApplicationIn(Schema):
    """A guarantee application the surety received (its core system enters it for the contractor)."""

    contractor_id: Id = Field(description="保証契約者ID")
    branch_id: Id = Field(description="取次場所ID（自社のもの）")
    orderer_id: Id = Field(description="発注者（被保証者）ID")
    kind: Kind
    work_category: WorkCategoryCode
    work_name: Text = Field(max_length=200)
    contract_date: Day
    completion_date: Day
    contract_price: Yen
    contract_price_consideration: Yen | None = None
    guaranteed_amount: Yen
    delivery_method: Delivery = "ELECTRONIC"
    low_bid: Flag = False
    deposit_bank: Text = Field("", max_length=100)
    notes: Text = Field("", max_length=2000)
    advance_guarantee_number: Text = Field("", max_length=40, description="前払金保証の保証契約番号（中間前払・契約）")


class ReasonIn(Schema):
    reason: Text = Field(max_length=1000)


class PaymentIn(Schema):
    received_on: Day = Field(description="入金日")


class NamedRef(Schema):
    id: int
    name: str


class ViolationOut(Schema):
    field: str
    message: str


class ApplicationOut(Schema):
    id: int
    status: CodeLabel
    contractor: NamedRef
    branch: NamedRef
    orderer: NamedRef
    kind: CodeLabel
    work_category: CodeLabel
    work_name: str
    contract_date: dt.date
    completion_date: dt.date
    contract_price: int
    contract_price_consideration: int | None
    guaranteed_amount: int
    delivery_method: CodeLabel
    low_bid: bool
    deposit_bank: str
    advance_guarantee_number: str | None
    premium: int | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    rejection_reason: str
    payment_received_on: dt.date | None
    entered_by: str
    guarantee_number: str | None
    rule_violations: list[ViolationOut] = Field(description="現在の内容で守られていない規則（承認・締結できない理由）")


class CertificateVersionOut(Schema):
    version: int
    issued_on: dt.date
    is_amendment: bool
    guaranteed_amount: int
    contract_price: int
    period_end: dt.date


class AmendmentOut(Schema):
    amendment_type: CodeLabel
    effective_on: dt.date
    reason: str
    before: dict[str, int | str | None]
    after: dict[str, int | str | None]
    version: int | None
    recorded_at: dt.datetime


class GuaranteeOut(Schema):
    number: str
    status: CodeLabel
    kind: CodeLabel
    work_category: CodeLabel
    work_name: str
    contractor: NamedRef
    orderer: NamedRef
    branch: NamedRef
    contract_date: dt.date
    completion_date: dt.date
    period_end: dt.date
    contract_price: int
    contract_price_consideration: int | None
    guaranteed_amount: int
    delivery_method: CodeLabel
    concluded_at: dt.datetime
    cancelled_at: dt.datetime | None
    current_version: int
    application_id: int | None
    versions: list[CertificateVersionOut]
    amendments: list[AmendmentOut]
    pending_amendment_request_id: int | None
    receipt_count: int = Field(description="電子証書を確認した発注者の数")


class ConcludeOut(Schema):
    application: ApplicationOut
    guarantee: GuaranteeOut
    access_key: str | None = Field(
        description="認証キー（電子交付のみ）。この応答でのみ渡します。保証契約者への表示に使ってください。"
    )


class AccessKeyOut(Schema):
    number: str
    access_key: str = Field(description="新しい認証キー。この応答でのみ渡します（以前のキーは使用できません）。")


class AmendmentRequestIn(Schema):
    amendment_type: Literal["AMOUNT", "PERIOD"]
    contract_price: Yen | None = Field(None, description="変更後の請負金額(総額)（金額の変更）")
    guaranteed_amount: Yen | None = Field(None, description="変更後の保証金額（金額の変更）")
    completion_date: Day | None = Field(None, description="変更後の工事末日（工期の変更）")
    effective_on: Day = Field(description="変更日")
    reason: Text = Field(max_length=200, description="変更理由")


class AmendmentRequestOut(Schema):
    id: int
    number: str
    status: CodeLabel
    amendment_type: CodeLabel
    contract_price: int | None
    guaranteed_amount: int | None
    completion_date: dt.date | None
    effective_on: dt.date
    reason: str
    entered_by: str
    decided_by: str | None
    decided_at: dt.datetime | None
    rejection_reason: str
    guarantee_version: int = Field(description="保証契約の現在の版")


class ImportErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    id: int
    status: CodeLabel
    file_name: str
    line_count: int
    imported_count: int
    error_count: int
    uploaded_at: dt.datetime
    finished_at: dt.datetime | None
    errors: list[ImportErrorOut] = Field(description="エラーのある行（先頭の1,000件まで）")
