"""What an orderer's system sends and receives: number + key, certificates, receipts, changes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from esurety.api.common import CodeLabel, Text

StatusCode = Literal["VALID", "AMENDED", "CANCELLED", "EXPIRED", "COMPLETED", "CLAIMED", "PAID_OUT"]
ElectronicKind = Literal["ADVANCE", "INTERIM_ADVANCE", "PERFORMANCE"]


class VerificationIn(Schema):
    number: Text = Field(min_length=1, max_length=40, description="保証契約番号（10桁。全角・空白・ハイフン可）")
    key: Text = Field(min_length=1, max_length=40, description="認証キー（10文字。全角・小文字・ハイフン可）")


class PartyOut(Schema):
    name: str
    address: str


class SuretyOut(Schema):
    name: str
    postal_code: str
    address: str
    representative: str


class BranchOut(Schema):
    name: str
    address: str
    tel: str
    fax: str


class ChangeOut(Schema):
    field: str
    label: str
    before: int | str | None
    after: int | str | None


class VersionOut(Schema):
    version: int
    issued_on: dt.date
    issued_at: dt.datetime
    is_amendment: bool = Field(description="(変更) の保証証書")
    is_current: bool
    contract_price: int
    guaranteed_amount: int
    completion_date: dt.date
    period_end: dt.date
    effective_on: dt.date | None = Field(description="変更日（変更の版のみ）")
    reason: str = Field(description="変更理由（変更の版のみ）")
    changes: list[ChangeOut] = Field(description="前の版からの変更点")


class PeriodChangeOut(Schema):
    effective_on: dt.date
    recorded_at: dt.datetime
    completion_date_before: dt.date | None
    completion_date_after: dt.date | None
    reason: str


class CertificateOut(Schema):
    """The authentic certificate as issued (the version asked for), with the guarantee's state now."""

    number: str
    kind: CodeLabel
    kind_full_name: str
    work_category: CodeLabel
    work_name: str
    contractor: PartyOut
    orderer_name: str
    surety: SuretyOut
    branch: BranchOut
    contract_date: dt.date
    contract_price: int
    contract_price_consideration: int | None
    guaranteed_amount: int
    completion_date: dt.date = Field(description="工事末日（工期の変更後の日付）")
    period_end: dt.date = Field(description="保証期間（工期の変更後の日付）")
    deposit_bank: str | None = Field(description="預託金融機関（前払・中間前払のみ）")
    issued_on: dt.date
    version: int
    is_amendment: bool
    is_current: bool
    current_version: int
    status: CodeLabel
    cancelled_on: dt.date | None
    changed_since_seen: bool = Field(description="前回この組織が確認した後に新しい版が発行された")
    received_at: dt.datetime = Field(description="この組織が初めて確認した日時")
    versions: list[VersionOut]
    period_changes: list[PeriodChangeOut] = Field(description="工期の変更（証書の再発行なし）")


class ReceiptOut(Schema):
    number: str
    kind: CodeLabel
    status: CodeLabel
    contractor_name: str
    work_name: str
    guaranteed_amount: int
    period_end: dt.date
    surety_name: str
    current_version: int
    last_seen_version: int
    received_at: dt.datetime


class ReceiptPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReceiptOut]


class ReceiptQuery(Schema):
    number: Text = Field("", max_length=40, description="保証契約番号（前方一致）")
    contractor: Text = Field("", max_length=100, description="保証契約者（部分一致）")
    work_name: Text = Field("", max_length=100, description="工事名（部分一致）")
    kind: ElectronicKind | None = None
    status: StatusCode | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class ChangeEventOut(Schema):
    id: str = Field(description="出来事ごとに一意（同じ出来事を二度受け取ったときの重複除去に）")
    number: str
    event: CodeLabel
    at: dt.datetime
    version: int | None = Field(description="新しい版（金額の変更）")
    effective_on: dt.date | None
    reason: str
    changes: list[ChangeOut]
    status: CodeLabel
    current_version: int


class ChangesOut(Schema):
    since: dt.datetime
    until: dt.datetime
    has_more: bool = Field(description="limit 件で打ち切った（最後の at を since にして続きを取得）")
    items: list[ChangeEventOut]
