"""Vocabularies of the advance money: uses, proofs, account types and states.

Plain choices (no database access), shared by the models, the pure rules and
the portals. Which proof each use needs and the overhead cap are public rules:
they live in rules.py, not here.
"""

from __future__ import annotations

from django.db import models


class UseCategory(models.TextChoices):
    """使途: the uses an advance may pay for (the order of the use statement form)."""

    MATERIALS = "MATERIALS", "材料費"
    LABOUR = "LABOUR", "労務費"
    SUBCONTRACT = "SUBCONTRACT", "外注費"
    EQUIPMENT_RENTAL = "EQUIPMENT_RENTAL", "機械器具の賃借料"
    EQUIPMENT_PURCHASE = "EQUIPMENT_PURCHASE", "機械購入費（当該工事の償却分）"
    POWER = "POWER", "動力費"
    FREIGHT = "FREIGHT", "支払運賃"
    REPAIR = "REPAIR", "修繕費"
    TEMPORARY = "TEMPORARY", "仮設費"
    WORKERS_COMPENSATION = "WORKERS_COMPENSATION", "労働者災害補償保険料"
    PREMIUM = "PREMIUM", "保証料"
    OVERHEAD = "OVERHEAD", "現場管理費・一般管理費等"


class WithdrawalMethod(models.TextChoices):
    TRANSFER = "TRANSFER", "振込"
    CASH = "CASH", "現金払"


class ProofKind(models.TextChoices):
    """書類: what a contractor attaches to show who is paid and why."""

    SYSTEM_DIAGRAM = "SYSTEM_DIAGRAM", "施工体系図"
    SYSTEM_LEDGER = "SYSTEM_LEDGER", "施工体制台帳"
    SUBCONTRACT = "SUBCONTRACT", "下請契約書"
    ORDER_ACCEPTANCE = "ORDER_ACCEPTANCE", "注文請書"
    DELIVERY_NOTE = "DELIVERY_NOTE", "納品書"
    INVOICE = "INVOICE", "請求書"
    QUOTATION = "QUOTATION", "見積書"
    OTHER = "OTHER", "その他"


class AccountType(models.TextChoices):
    """The advance account itself (前払金専用口座)."""

    ORDINARY = "ORDINARY", "普通預金"
    SETTLEMENT = "SETTLEMENT", "決済用預金"


class PayeeAccountType(models.TextChoices):
    """A payee's own account (振込先)."""

    ORDINARY = "ORDINARY", "普通"
    CURRENT = "CURRENT", "当座"
    SAVINGS = "SAVINGS", "貯蓄"


class AccountStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "払出可"
    STOPPED = "STOPPED", "払出停止中"
    CLOSED = "CLOSED", "閉鎖"


class DepositKind(models.TextChoices):
    ADVANCE = "ADVANCE", "前払金"
    INTEREST = "INTEREST", "利息"


class StatementStatus(models.TextChoices):
    DRAFT = "DRAFT", "下書き"
    SUBMITTED = "SUBMITTED", "提出済"
    REVIEWED = "REVIEWED", "確認済（承認待ち）"
    ACCEPTED = "ACCEPTED", "承認済"
    RETURNED = "RETURNED", "差戻し"
    SUPERSEDED = "SUPERSEDED", "変更前の版"


# A statement the contractor may still edit, or one waiting for the surety: at most one per account.
OPEN_STATEMENT_STATUSES: tuple[str, ...] = (
    StatementStatus.DRAFT,
    StatementStatus.SUBMITTED,
    StatementStatus.REVIEWED,
    StatementStatus.RETURNED,
)
EDITABLE_STATEMENT_STATUSES: tuple[str, ...] = (StatementStatus.DRAFT, StatementStatus.RETURNED)


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "REQUESTED", "依頼中"
    PAID = "PAID", "払出済"
    RETURNED = "RETURNED", "差戻し"


# Money a line has given or promised: paid, or requested and not yet returned.
COMMITTED_WITHDRAWAL_STATUSES: tuple[str, ...] = (WithdrawalStatus.REQUESTED, WithdrawalStatus.PAID)
