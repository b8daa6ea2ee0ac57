"""The advance money after the certificate: account, deposits, use statements, proofs, payees, withdrawals.

One AdvanceAccount (前払金専用口座) per concluded advance or interim advance
guarantee, at a branch of a deposit bank. The contractor's use statement
(前払金使途内訳明細書) is versioned: version 1, then one per 使途変更; lines keep
their ``line_no`` from version to version, so withdrawals made under an earlier
version still count against the same line. Status fields change only through
services.py; an accepted statement and its lines are never edited.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q

from esurety.advances.kinds import (
    OPEN_STATEMENT_STATUSES,
    AccountStatus,
    AccountType,
    DepositKind,
    PayeeAccountType,
    ProofKind,
    StatementStatus,
    UseCategory,
    WithdrawalMethod,
    WithdrawalStatus,
)
from esurety.core.models import TimeStampedModel
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Contractor, DepositBank, DepositBankBranch, Orderer


class AdvanceAccount(TimeStampedModel):
    """前払金専用口座 of one advance (or interim advance) guarantee."""

    guarantee = models.OneToOneField(Guarantee, on_delete=models.PROTECT, related_name="advance_account")
    # The bank is the branch's bank, kept here so a bank's lists need no join.
    bank = models.ForeignKey(DepositBank, on_delete=models.PROTECT, related_name="advance_accounts")
    bank_branch = models.ForeignKey(DepositBankBranch, on_delete=models.PROTECT, related_name="advance_accounts")
    account_type = models.CharField("預金種目", max_length=12, choices=AccountType.choices)
    account_number = models.CharField("口座番号", max_length=7)
    holder_kana = models.CharField("口座名義（カナ）", max_length=100)
    status = models.CharField("状態", max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    opened_at = models.DateTimeField("登録日時")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The latest stop; kept after a resume so that withdrawals since then can be looked at.
    stopped_at = models.DateTimeField("払出停止日時", null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stop_reason = models.TextField("払出停止の理由", blank=True)
    resumed_at = models.DateTimeField("払出再開日時", null=True, blank=True)
    closed_at = models.DateTimeField("閉鎖日時", null=True, blank=True)
    close_reason = models.TextField("閉鎖の理由", blank=True)

    class Meta:
        verbose_name = "前払金専用口座"
        verbose_name_plural = "前払金専用口座"
        constraints = [
            models.UniqueConstraint(
                fields=["bank_branch", "account_type", "account_number"], name="advance_account_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(account_number__regex=r"^[0-9]{7}$"), name="advance_account_number_7_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["bank", "status"], name="advance_account_by_bank"),
            models.Index(fields=["bank_branch", "status"], name="advance_account_by_bank_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_branch} {self.get_account_type_display()} {self.account_number}"


class Deposit(models.Model):
    """入金: the orderer's advance landing in the account, or interest (not advance money)."""

    account = models.ForeignKey(AdvanceAccount, on_delete=models.PROTECT, related_name="deposits")
    kind = models.CharField("種類", max_length=10, choices=DepositKind.choices)
    amount = models.BigIntegerField("金額")
    booked_on = models.DateField("入金日")
    note = models.CharField("摘要", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("記録日時")

    class Meta:
        verbose_name = "入金"
        verbose_name_plural = "入金"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive")]
        indexes = [models.Index(fields=["account", "booked_on"], name="deposit_by_account")]


class UseStatement(TimeStampedModel):
    """前払金使途内訳明細書, one version. Lines add up to ``advance_amount`` exactly."""

    account = models.ForeignKey(AdvanceAccount, on_delete=models.PROTECT, related_name="statements")
    version = models.PositiveIntegerField("版")
    status = models.CharField("状態", max_length=12, choices=StatementStatus.choices, default=StatementStatus.DRAFT)
    # The guarantee's amount when the statement was last saved; the accepted version keeps it,
    # so an amount change of the guarantee afterwards shows as a mismatch (selectors).
    advance_amount = models.BigIntegerField("前払金額")
    change_reason = models.CharField("使途変更の理由", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("確認日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("承認・差戻し日時", null=True, blank=True)
    return_reason = models.TextField("差戻しの理由", blank=True)
    superseded_at = models.DateTimeField("変更日時", null=True, blank=True)

    class Meta:
        verbose_name = "前払金使途内訳明細書"
        verbose_name_plural = "前払金使途内訳明細書"
        constraints = [
            models.UniqueConstraint(fields=["account", "version"], name="use_statement_unique_version"),
            # One version being written or examined at a time, and one in force.
            models.UniqueConstraint(
                fields=["account"], condition=Q(status__in=OPEN_STATEMENT_STATUSES), name="use_statement_one_open"
            ),
            models.UniqueConstraint(
                fields=["account"], condition=Q(status=StatementStatus.ACCEPTED), name="use_statement_one_accepted"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="use_statement_queue")]

    def __str__(self) -> str:
        return f"使途内訳明細書 第{self.version}版"


class UseStatementLine(models.Model):
    """One use of the money. An empty payee is 未定: nothing may be withdrawn against it."""

    statement = models.ForeignKey(UseStatement, on_delete=models.CASCADE, related_name="lines")
    # Stable across versions: a 使途変更 keeps each line's number, so what was withdrawn
    # against a line under an earlier version still counts against it.
    line_no = models.PositiveIntegerField("行番号")
    position = models.PositiveSmallIntegerField("表示順")
    category = models.CharField("使途", max_length=24, choices=UseCategory.choices)
    payee_name = models.CharField("支払先", max_length=100, blank=True)
    amount = models.BigIntegerField("金額")
    planned_on = models.DateField("支払予定日")
    method = models.CharField("払出方法", max_length=10, choices=WithdrawalMethod.choices)

    class Meta:
        verbose_name = "使途内訳"
        verbose_name_plural = "使途内訳"
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "line_no"], name="use_line_unique_no"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="use_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.payee_name or '未定'}"

    @property
    def is_undecided(self) -> bool:
        return self.payee_name == ""


def proof_upload_to(instance: ProofDocument, filename: str) -> str:
    # Never the uploaded name (it may be anything); the original is kept in a column.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"advances/proofs/{instance.statement.account_id}/{uuid.uuid4().hex}{suffix}"


class ProofDocument(models.Model):
    """A proof of payee kept with one statement version (copied, not re-uploaded, into the next)."""

    statement = models.ForeignKey(UseStatement, on_delete=models.CASCADE, related_name="proofs")
    line_no = models.PositiveIntegerField("行番号")
    kind = models.CharField("書類の種類", max_length=20, choices=ProofKind.choices)
    file = models.FileField("ファイル", upload_to=proof_upload_to, max_length=255)
    original_name = models.CharField("ファイル名", max_length=255)
    content_type = models.CharField("形式", max_length=100)
    size = models.PositiveIntegerField("サイズ(バイト)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("添付日時")

    class Meta:
        verbose_name = "支払先の確認書類"
        verbose_name_plural = "支払先の確認書類"
        indexes = [models.Index(fields=["statement", "line_no"], name="proof_by_line")]


class Payee(TimeStampedModel):
    """振込先台帳: a contractor's payees, reused in withdrawal requests (which copy the fields)."""

    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="payees")
    name = models.CharField("支払先名", max_length=100)
    bank_name = models.CharField("金融機関名", max_length=100, blank=True)
    bank_code = models.CharField("金融機関コード", max_length=4, blank=True)
    branch_name = models.CharField("支店名", max_length=100, blank=True)
    branch_code = models.CharField("支店コード", max_length=3, blank=True)
    account_type = models.CharField("預金種目", max_length=10, choices=PayeeAccountType.choices, blank=True)
    account_number = models.CharField("口座番号", max_length=7, blank=True)
    holder_kana = models.CharField("口座名義（カナ）", max_length=100, blank=True)
    is_active = models.BooleanField("台帳に表示", default=True)

    class Meta:
        verbose_name = "支払先"
        verbose_name_plural = "支払先"
        constraints = [
            models.UniqueConstraint(
                fields=["contractor", "name", "bank_name", "branch_name", "account_type", "account_number"],
                name="payee_unique_account",
            )
        ]
        indexes = [models.Index(fields=["contractor", "name"], name="payee_book")]

    def __str__(self) -> str:
        return self.name


class OverheadAllowance(models.Model):
    """An orderer's contract lets the advance pay 現場管理費・一般管理費等, for contracts from a date.

    Per orderer (its contract article differs), with the cap as data: 25/100 of
    the advance in the public rules known today, kept per row so a change of the
    rule is a new row, not a code change. Never for a 中間前払金 (rules.py).
    """

    orderer = models.ForeignKey(Orderer, on_delete=models.PROTECT, related_name="overhead_allowances")
    effective_from = models.DateField("対象となる契約締結日（から）")
    effective_until = models.DateField("対象となる契約締結日（まで）", null=True, blank=True)
    contract_article = models.CharField("契約書の条項", max_length=100, help_text="例: 工事請負契約書第34条第5項")
    ratio_numerator = models.PositiveSmallIntegerField("上限（分子）", default=25)
    ratio_denominator = models.PositiveSmallIntegerField("上限（分母）", default=100)

    class Meta:
        verbose_name = "現場管理費等の充当"
        verbose_name_plural = "現場管理費等の充当"
        constraints = [
            models.UniqueConstraint(fields=["orderer", "effective_from"], name="overhead_allowance_unique"),
            models.CheckConstraint(
                condition=Q(ratio_denominator__gt=0) & Q(ratio_numerator__lte=models.F("ratio_denominator")),
                name="overhead_allowance_ratio_le_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.orderer} {self.effective_from}〜 {self.ratio_numerator}/{self.ratio_denominator}"


class Withdrawal(models.Model):
    """払出依頼書: one payment out of the account, against one line of the accepted statement.

    The payee's details are copied at request time (a later edit of the payee
    book does not change a request already made). Bank, branch and contractor
    are copied from the account for the bank's list of a million requests.
    """

    # No single-column indexes on account, bank, branch and contractor: the composite indexes
    # below lead with them, and each extra index costs every request and payment a write.
    account = models.ForeignKey(AdvanceAccount, on_delete=models.PROTECT, related_name="withdrawals", db_index=False)
    seq = models.PositiveIntegerField("連番")
    number = models.CharField("払出依頼番号", max_length=20, unique=True)
    statement = models.ForeignKey(UseStatement, on_delete=models.PROTECT, related_name="withdrawals")
    line = models.ForeignKey(UseStatementLine, on_delete=models.PROTECT, related_name="withdrawals")
    line_no = models.PositiveIntegerField("行番号")
    category = models.CharField("使途", max_length=24, choices=UseCategory.choices)
    bank = models.ForeignKey(DepositBank, on_delete=models.PROTECT, related_name="+", db_index=False)
    bank_branch = models.ForeignKey(DepositBankBranch, on_delete=models.PROTECT, related_name="+", db_index=False)
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="+", db_index=False)
    amount = models.BigIntegerField("金額")
    method = models.CharField("払出方法", max_length=10, choices=WithdrawalMethod.choices)
    desired_on = models.DateField("払出希望日")
    payee_name = models.CharField("支払先名", max_length=100)
    payee_bank_name = models.CharField("金融機関名", max_length=100, blank=True)
    payee_bank_code = models.CharField("金融機関コード", max_length=4, blank=True)
    payee_branch_name = models.CharField("支店名", max_length=100, blank=True)
    payee_branch_code = models.CharField("支店コード", max_length=3, blank=True)
    payee_account_type = models.CharField("預金種目", max_length=10, choices=PayeeAccountType.choices, blank=True)
    payee_account_number = models.CharField("口座番号", max_length=7, blank=True)
    payee_holder_kana = models.CharField("口座名義（カナ）", max_length=100, blank=True)
    status = models.CharField(
        "状態", max_length=10, choices=WithdrawalStatus.choices, default=WithdrawalStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("依頼日時")
    requested_on = models.DateField("依頼日")
    paid_on = models.DateField("払出日", null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acted_at = models.DateTimeField("処理日時", null=True, blank=True)
    return_reason = models.TextField("差戻しの理由", blank=True)

    class Meta:
        verbose_name = "払出依頼"
        verbose_name_plural = "払出依頼"
        constraints = [
            models.UniqueConstraint(fields=["account", "seq"], name="withdrawal_unique_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="withdrawal_amount_positive"),
            models.CheckConstraint(
                condition=Q(status=WithdrawalStatus.PAID, paid_on__isnull=False)
                | (~Q(status=WithdrawalStatus.PAID) & Q(paid_on__isnull=True)),
                name="withdrawal_paid_on_iff_paid",
            ),
        ]
        indexes = [
            # The bank's request list, newest first, by bank or by branch, with or without a state
            # (the filters a bank desk uses every day); the date range rides on requested_on.
            models.Index(fields=["bank", "-requested_on", "-id"], name="withdrawal_bank_list"),
            models.Index(fields=["bank", "status", "-requested_on", "-id"], name="withdrawal_bank_status"),
            models.Index(fields=["bank_branch", "-requested_on", "-id"], name="withdrawal_branch_list"),
            models.Index(fields=["bank_branch", "status", "-requested_on", "-id"], name="withdrawal_branch_status"),
            models.Index(fields=["bank", "contractor", "-requested_on", "-id"], name="withdrawal_bank_contractor"),
            # What each line has given: the account view sums by line from this index alone (PostgreSQL).
            models.Index(
                fields=["account", "line_no", "status"], include=["amount", "payee_name"], name="withdrawal_by_line"
            ),
            models.Index(fields=["contractor", "-requested_at"], name="withdrawal_contractor_list"),
            # One account's requests newest first, a page at a time (the account view of staff, contractor
            # and bank): read in order from here, not sorted whole for every page.
            models.Index(fields=["account", "-requested_at", "-id"], name="withdrawal_account_list"),
        ]

    def __str__(self) -> str:
        return f"払出依頼 {self.number}"

    @property
    def payee_account_display(self) -> str:
        if not self.payee_account_number:
            return ""
        kind = PayeeAccountType(self.payee_account_type).label if self.payee_account_type else ""
        return f"{self.payee_bank_name} {self.payee_branch_name} {kind} {self.payee_account_number}"
