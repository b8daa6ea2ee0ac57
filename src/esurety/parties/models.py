"""Organisations (surety, contractor, orderer) and the people who act for them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from esurety.core.fields import SearchTextField
from esurety.core.kinds import GuaranteeKind, WorkCategory
from esurety.core.models import TimeStampedModel


class SuretyCompany(TimeStampedModel):
    """保証事業会社. The verification portal serves several of them."""

    name = models.CharField("会社名", max_length=100, unique=True)
    postal_code = models.CharField("郵便番号", max_length=8)
    address = models.CharField("所在地", max_length=200)
    representative_title = models.CharField("代表者役職", max_length=50, default="取締役社長")
    representative_name = models.CharField("代表者氏名", max_length=50)
    website = models.URLField("ウェブサイト", blank=True)

    class Meta:
        verbose_name = "保証事業会社"
        verbose_name_plural = "保証事業会社"

    def __str__(self) -> str:
        return self.name


class Branch(TimeStampedModel):
    """取次場所 (支店・取次店) printed on each certificate."""

    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="branches")
    name = models.CharField("名称", max_length=100)
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    address = models.CharField("所在地", max_length=200)
    tel = models.CharField("TEL", max_length=20)
    fax = models.CharField("FAX", max_length=20, blank=True)

    class Meta:
        verbose_name = "取次場所"
        verbose_name_plural = "取次場所"
        constraints = [models.UniqueConstraint(fields=["surety", "name"], name="branch_unique_name")]

    def __str__(self) -> str:
        return f"{self.surety.name} {self.name}"


class Contractor(TimeStampedModel):
    """保証契約者 (受注者): the construction company."""

    name = models.CharField("商号又は名称", max_length=100)
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    address = models.CharField("所在地", max_length=200)
    representative_title = models.CharField("代表者役職", max_length=50, default="代表取締役")
    representative_name = models.CharField("代表者氏名", max_length=50)
    # The name as searches compare it (core.normalize.normalize_search_text).
    search_name = SearchTextField("商号又は名称（検索用）", source="name")

    class Meta:
        verbose_name = "保証契約者"
        verbose_name_plural = "保証契約者"

    def __str__(self) -> str:
        return self.name


class Orderer(TimeStampedModel):
    """発注者 / 被保証者: the public body that is the beneficiary."""

    name = models.CharField("発注者名（被保証者）", max_length=100, unique=True)
    organisation_name = models.CharField("機関名", max_length=100, blank=True)
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    address = models.CharField("所在地", max_length=200, blank=True)
    notice_subject_template = models.CharField(
        "認証キー送信メールの件名",
        max_length=200,
        default="【電子保証】{kind}「認証キー」等のお知らせ（{work_name}）",
        help_text="{kind}, {number}, {work_name}, {contractor} を差し込めます。",
    )
    # The name as searches compare it (core.normalize.normalize_search_text).
    search_name = SearchTextField("発注者名（検索用）", source="name")

    class Meta:
        verbose_name = "発注者"
        verbose_name_plural = "発注者"

    def __str__(self) -> str:
        return self.name

    def accepts_electronic(self, *, kind: str, work_category: str, contract_date: dt.date) -> bool:
        return self.adoptions.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gte=contract_date),
            kind=kind,
            work_category=work_category,
            effective_from__lte=contract_date,
        ).exists()


class ElectronicAdoption(TimeStampedModel):
    """One (work category, kind) an orderer accepts electronically, from a contract date.

    徳島市上下水道局 accepts 前払/中間前払/契約 for 工事 and 建設コンサルタント業務
    concluded on or after 2026-04-01: six rows. Rules differ per orderer, so
    they are data, not code.
    """

    orderer = models.ForeignKey(Orderer, on_delete=models.CASCADE, related_name="adoptions")
    work_category = models.CharField("業務区分", max_length=20, choices=WorkCategory.choices)
    kind = models.CharField("保証の種類", max_length=30, choices=GuaranteeKind.choices)
    effective_from = models.DateField("対象となる契約締結日（から）")
    effective_until = models.DateField("対象となる契約締結日（まで）", null=True, blank=True)

    class Meta:
        verbose_name = "電子保証の導入範囲"
        verbose_name_plural = "電子保証の導入範囲"
        constraints = [
            models.UniqueConstraint(
                fields=["orderer", "work_category", "kind", "effective_from"], name="adoption_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind=GuaranteeKind.PERFORMANCE_RESERVATION),
                name="adoption_never_reservation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.orderer} {self.get_work_category_display()} {self.get_kind_display()} {self.effective_from}〜"


class OrdererDepartment(TimeStampedModel):
    """契約窓口, 工事担当課 …: where notices for an orderer are sent."""

    orderer = models.ForeignKey(Orderer, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField("部署名", max_length=100)
    email = models.EmailField("メールアドレス")
    handles_kinds = models.CharField(
        "受け付ける保証の種類",
        max_length=200,
        blank=True,
        help_text="カンマ区切りの区分コード（例: PERFORMANCE）。空欄は受付なし。",
    )

    class Meta:
        verbose_name = "発注者の部署"
        verbose_name_plural = "発注者の部署"
        constraints = [models.UniqueConstraint(fields=["orderer", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return f"{self.orderer.name} {self.name}"

    @property
    def kinds_display(self) -> str:
        """「前払・中間前払」: the kinds this department takes, in Japanese."""
        codes = [k.strip() for k in self.handles_kinds.split(",") if k.strip()]
        return "・".join(GuaranteeKind(c).label for c in codes if c in GuaranteeKind.values)

    def handles(self, kind: str) -> bool:
        return kind in {k.strip() for k in self.handles_kinds.split(",") if k.strip()}


class DepositBank(TimeStampedModel):
    """預託金融機関 (e.g. 〇〇銀行): holds contractors' advance accounts under a contract with a surety."""

    name = models.CharField("金融機関名", max_length=100, unique=True)
    code = models.CharField("金融機関コード", max_length=4, unique=True, help_text="4桁の数字（統一金融機関コード）")

    class Meta:
        verbose_name = "預託金融機関"
        verbose_name_plural = "預託金融機関"
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{4}$"), name="deposit_bank_code_4_digits")
        ]

    def __str__(self) -> str:
        return self.name


class DepositBankBranch(TimeStampedModel):
    """A branch of a deposit bank (e.g. ▲▲支店) where advance accounts are kept."""

    bank = models.ForeignKey(DepositBank, on_delete=models.PROTECT, related_name="branches")
    name = models.CharField("支店名", max_length=100)
    code = models.CharField("支店コード", max_length=3, help_text="3桁の数字")

    class Meta:
        verbose_name = "預託金融機関の支店"
        verbose_name_plural = "預託金融機関の支店"
        constraints = [
            models.UniqueConstraint(fields=["bank", "code"], name="bank_branch_unique_code"),
            models.UniqueConstraint(fields=["bank", "name"], name="bank_branch_unique_name"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{3}$"), name="bank_branch_code_3_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.name} {self.name}"


class SuretyBankContract(TimeStampedModel):
    """預託契約: a surety accepts advance accounts at this bank for works contracted in the period.

    Which banks a surety works with is data of that surety (the list differs per
    surety and changes over time), so an account can be opened only at a bank
    under contract on the day it is opened.
    """

    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="bank_contracts")
    bank = models.ForeignKey(DepositBank, on_delete=models.PROTECT, related_name="surety_contracts")
    effective_from = models.DateField("契約開始日")
    effective_until = models.DateField("契約終了日", null=True, blank=True)

    class Meta:
        verbose_name = "預託契約"
        verbose_name_plural = "預託契約"
        constraints = [
            models.UniqueConstraint(fields=["surety", "bank", "effective_from"], name="surety_bank_contract_unique")
        ]

    def __str__(self) -> str:
        return f"{self.surety.name} × {self.bank.name} {self.effective_from}〜"

    @classmethod
    def in_force(cls, *, surety_id: int, bank_id: int, on: dt.date) -> bool:
        return cls.objects.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gte=on),
            surety_id=surety_id,
            bank_id=bank_id,
            effective_from__lte=on,
        ).exists()


class Role(models.TextChoices):
    # Surety staff
    CLERK = "CLERK", "担当者"
    APPROVER = "APPROVER", "承認者"
    BRANCH_MANAGER = "BRANCH_MANAGER", "支店長"
    SURETY_ADMIN = "SURETY_ADMIN", "管理者"
    # Contractor, orderer and deposit bank users
    ORG_ADMIN = "ORG_ADMIN", "企業・団体の管理者"
    MEMBER = "MEMBER", "一般利用者"


class User(AbstractUser):
    """A person acting for exactly one organisation (superusers excepted)."""

    surety = models.ForeignKey(SuretyCompany, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    branch = models.ForeignKey(
        Branch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="支店の職員は自支店の案件のみ扱えます。空欄は全支店。",
    )
    contractor = models.ForeignKey(Contractor, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    orderer = models.ForeignKey(Orderer, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    deposit_bank = models.ForeignKey(
        DepositBank, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name="預託金融機関"
    )
    bank_branch = models.ForeignKey(
        DepositBankBranch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="預託金融機関の支店",
        help_text="支店の利用者は自支店の口座のみ扱えます。空欄は全支店。",
    )
    role = models.CharField("権限", max_length=20, choices=Role.choices, default=Role.MEMBER)
    display_name = models.CharField("氏名", max_length=100, blank=True)

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        constraints = [
            # Exactly one organisation, except for platform superusers.
            models.CheckConstraint(
                condition=Q(is_superuser=True)
                | Q(surety__isnull=False, contractor__isnull=True, orderer__isnull=True, deposit_bank__isnull=True)
                | Q(surety__isnull=True, contractor__isnull=False, orderer__isnull=True, deposit_bank__isnull=True)
                | Q(surety__isnull=True, contractor__isnull=True, orderer__isnull=False, deposit_bank__isnull=True)
                | Q(surety__isnull=True, contractor__isnull=True, orderer__isnull=True, deposit_bank__isnull=False),
                name="user_exactly_one_organisation",
            ),
            models.CheckConstraint(
                condition=Q(branch__isnull=True) | Q(surety__isnull=False),
                name="user_branch_only_for_staff",
            ),
            # That the branch belongs to the user's bank is checked where bank users are
            # created (a check constraint cannot look at another table).
            models.CheckConstraint(
                condition=Q(bank_branch__isnull=True) | Q(deposit_bank__isnull=False),
                name="user_bank_branch_only_for_bank",
            ),
        ]

    @property
    def is_surety_staff(self) -> bool:
        return self.surety_id is not None

    @property
    def is_contractor_user(self) -> bool:
        return self.contractor_id is not None

    @property
    def is_orderer_user(self) -> bool:
        return self.orderer_id is not None

    @property
    def is_bank_user(self) -> bool:
        return self.deposit_bank_id is not None

    # Set by accounts.backends with the signed-in user, so that the page header costs no query.
    ORGANISATION_NAME_READ = "organisation_name_read"

    @property
    def organisation_name(self) -> str:
        read = self.__dict__.get(self.ORGANISATION_NAME_READ)
        if read is not None:
            return str(read)
        org = self.surety or self.contractor or self.orderer or self.deposit_bank
        return org.name if org else ""
