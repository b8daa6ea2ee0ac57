"""Test data built through the real services, so tests exercise real rules.

Personas (healthchecks' habit): `contractor_user` (alice, owner of the
guarantees), `other_contractor_user` (charlie, another company: must see
nothing of alice's), `clerk` and `approver` (surety staff).

Plain functions, not factory-boy: each one goes through the services a user would, so a factory
cannot build a state the rules forbid (factory-boy was pinned but never used, and is dropped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import timezone

from esurety.advances import services as advances
from esurety.advances.models import AdvanceAccount, UseStatement, Withdrawal
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.guarantees import services
from esurety.guarantees.models import Amendment, AmendmentType, Application, Guarantee, NumberSeries, PremiumRate
from esurety.parties.models import (
    Branch,
    Contractor,
    DepositBank,
    DepositBankBranch,
    ElectronicAdoption,
    Orderer,
    OrdererDepartment,
    Role,
    SuretyBankContract,
    SuretyCompany,
    User,
)

PASSWORD = "test-pass-2026"
ADOPTION_DATE = dt.date(2026, 4, 1)


def make_surety(
    name: str = "西日本建設業保証株式会社", first_number: int = 2_070_000_001
) -> tuple[SuretyCompany, Branch]:
    surety = SuretyCompany.objects.create(
        name=name,
        postal_code="550-0012",
        address="大阪市西区立売堀二丁目1番2号",
        representative_title="取締役社長",
        representative_name="御出 一",
    )
    branch = Branch.objects.create(
        surety=surety,
        name="大塚支店",
        address="大塚市西区立売堀二丁目1番2号",
        tel="06-6543-2711",
        fax="0120-504160",
    )
    NumberSeries.objects.create(
        branch=branch, kind="", first_number=first_number, last_number=first_number + 199_998, next_number=first_number
    )
    for kind in (
        GuaranteeKind.ADVANCE,
        GuaranteeKind.INTERIM_ADVANCE,
        GuaranteeKind.PERFORMANCE,
        GuaranteeKind.PERFORMANCE_RESERVATION,
    ):
        PremiumRate.objects.create(
            surety=surety,
            kind=kind,
            effective_from=dt.date(2020, 1, 1),
            annual_rate=Decimal("0.001200") if kind != GuaranteeKind.PERFORMANCE else Decimal("0.000800"),
            minimum_premium=3_000,
            is_sample=True,
        )
    return surety, branch


def make_orderer(name: str = "徳島市上下水道事業管理者", adopt_from: dt.date | None = ADOPTION_DATE) -> Orderer:
    orderer = Orderer.objects.create(name=name, organisation_name=name.replace("事業管理者", "局"))
    if adopt_from is not None:
        for category in WorkCategory.values:
            for kind in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE):
                ElectronicAdoption.objects.create(
                    orderer=orderer, work_category=category, kind=kind, effective_from=adopt_from
                )
    OrdererDepartment.objects.create(
        orderer=orderer, name="契約窓口", email=f"keiyaku-{orderer.pk}@orderer.example", handles_kinds="PERFORMANCE"
    )
    OrdererDepartment.objects.create(
        orderer=orderer,
        name="工事担当課",
        email=f"koji-{orderer.pk}@orderer.example",
        handles_kinds="ADVANCE,INTERIM_ADVANCE",
    )
    return orderer


def make_contractor(name: str = "株式会社〇〇建設") -> Contractor:
    return Contractor.objects.create(name=name, address="▲▲市▲▲区▲▲1丁目1番1号", representative_name="代表 太郎")


def make_bank(
    name: str = "〇〇銀行",
    code: str = "0123",
    branches: tuple[tuple[str, str], ...] = (("▲▲支店", "456"), ("□□支店", "457")),
    *,
    contract_with: SuretyCompany | None = None,
) -> tuple[DepositBank, list[DepositBankBranch]]:
    """A deposit bank (預託金融機関) with its branches, under contract with a surety if given."""
    bank = DepositBank.objects.create(name=name, code=code)
    made = [DepositBankBranch.objects.create(bank=bank, name=n, code=c) for n, c in branches]
    if contract_with is not None:
        SuretyBankContract.objects.create(surety=contract_with, bank=bank, effective_from=dt.date(2020, 1, 1))
    return bank, made


def make_user(username: str, *, role: str = Role.MEMBER, **org: object) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", role=role, **org
    )
    return user


@dataclass
class World:
    surety: SuretyCompany
    branch: Branch
    orderer: Orderer
    contractor: Contractor
    other_contractor: Contractor
    contractor_user: User
    other_contractor_user: User
    clerk: User
    approver: User
    orderer_user: User


def make_world() -> World:
    surety, branch = make_surety()
    orderer = make_orderer()
    contractor = make_contractor()
    other = make_contractor("株式会社△△工務店")
    return World(
        surety=surety,
        branch=branch,
        orderer=orderer,
        contractor=contractor,
        other_contractor=other,
        contractor_user=make_user("alice", contractor=contractor, role=Role.ORG_ADMIN),
        other_contractor_user=make_user("charlie", contractor=other, role=Role.ORG_ADMIN),
        clerk=make_user("clerk", surety=surety, role=Role.CLERK),
        approver=make_user("approver", surety=surety, role=Role.APPROVER),
        orderer_user=make_user("orderer", orderer=orderer, role=Role.MEMBER),
    )


def application_input(world: World, **overrides: object) -> services.ApplicationInput:
    data = services.ApplicationInput(
        branch_id=world.branch.pk,
        orderer_id=world.orderer.pk,
        kind=GuaranteeKind.ADVANCE,
        work_category=WorkCategory.WORKS,
        work_name="〇〇道路改良工事",
        contract_date=dt.date(2026, 4, 10),
        completion_date=dt.date(2027, 3, 31),
        contract_price=100_000_000,
        guaranteed_amount=40_000_000,
        delivery_method=DeliveryMethod.ELECTRONIC,
        deposit_bank="〇〇銀行 ▲▲支店",
    )
    return replace(data, **overrides)  # type: ignore[arg-type]


def submit_application(world: World, *, by: User | None = None, **overrides: object) -> Application:
    now = timezone.now()
    user = by or world.contractor_user
    app = services.application_create(by=user, data=application_input(world, **overrides), now=now)
    return services.application_submit(application=app, by=user, now=now)


def conclude(world: World, app: Application) -> Guarantee:
    now = timezone.now()
    app = services.application_start_review(application=app, by=world.clerk, now=now)
    app = services.application_approve(application=app, by=world.approver, now=now)
    app = services.application_confirm_payment(application=app, by=world.clerk, received_on=now.date(), now=now)
    return services.application_conclude(application=app, by=world.clerk, now=now).guarantee


def make_guarantee(world: World, *, by: User | None = None, **overrides: object) -> Guarantee:
    """A concluded guarantee, through every service step from application to issue."""
    return conclude(world, submit_application(world, by=by, **overrides))


# --- The advance money after the certificate (esurety.advances) -------------------------------

ADVANCE_NOW = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
PAYEE = advances.PayeeInput(
    name="株式会社△△資材",
    bank_name="□□信用金庫",
    bank_code="1234",
    branch_name="本店",
    branch_code="001",
    account_type="ORDINARY",
    account_number="7654321",
    holder_kana="カ)サンカクシザイ",
)


@dataclass
class AdvanceWorld:
    """alice's 〇〇道路改良工事 advance (40,000,000円) with its account at 〇〇銀行 ▲▲支店.

    Bank personas: `bank_user` (dave, ▲▲支店), `bank_admin` (erin, the whole bank),
    `other_branch_bank_user` (frank, □□支店 of the same bank: not this account's branch),
    `other_bank_user` (grace, another bank). Staff: `clerk` checks, `approver` accepts;
    `branch_clerk` works at another branch of the surety.
    """

    world: World
    bank: DepositBank
    bank_branch: DepositBankBranch
    other_bank_branch: DepositBankBranch
    other_bank: DepositBank
    bank_user: User
    bank_admin: User
    other_branch_bank_user: User
    other_bank_user: User
    branch_clerk: User
    guarantee: Guarantee
    account: AdvanceAccount


def make_advance_world(world: World, *, kind: str = GuaranteeKind.ADVANCE) -> AdvanceWorld:
    bank, (branch, other_branch) = make_bank(contract_with=world.surety)
    other_bank, _ = make_bank("△△信用金庫", "1999", (("本店", "001"),), contract_with=world.surety)
    # get_or_create: the office's fixtures (tests.office.lifecycle) make the same branch.
    far_branch, _ = Branch.objects.get_or_create(
        surety=world.surety, name="徳島支店", defaults={"address": "徳島市", "tel": "088-000-0000"}
    )
    guarantee = make_guarantee(world)
    if kind == GuaranteeKind.INTERIM_ADVANCE:
        guarantee = make_guarantee(
            world,
            kind=GuaranteeKind.INTERIM_ADVANCE,
            guaranteed_amount=20_000_000,
            advance_guarantee_number=guarantee.number,
        )
    account = open_account(world, guarantee, branch)
    return AdvanceWorld(
        world=world,
        bank=bank,
        bank_branch=branch,
        other_bank_branch=other_branch,
        other_bank=other_bank,
        bank_user=make_user("dave", deposit_bank=bank, bank_branch=branch),
        bank_admin=make_user("erin", deposit_bank=bank, role=Role.ORG_ADMIN),
        other_branch_bank_user=make_user("frank", deposit_bank=bank, bank_branch=other_branch),
        other_bank_user=make_user("grace", deposit_bank=other_bank),
        branch_clerk=make_user("heidi", surety=world.surety, branch=far_branch, role=Role.APPROVER),
        guarantee=guarantee,
        account=account,
    )


def another_advance(aw: AdvanceWorld, *, work_name: str, account_number: str) -> AdvanceWorld:
    """A second advance guarantee and account in the same world: same banks and users (their codes
    and usernames are unique, so a second make_advance_world in one database would collide)."""
    guarantee = make_guarantee(aw.world, work_name=work_name)
    account = open_account(aw.world, guarantee, aw.bank_branch, number=account_number)
    return replace(aw, guarantee=guarantee, account=account)


def open_account(
    world: World, guarantee: Guarantee, branch: DepositBankBranch, number: str = "1234567"
) -> AdvanceAccount:
    return advances.account_open(
        guarantee=guarantee,
        by=world.contractor_user,
        data=advances.AccountInput(
            bank_branch_id=branch.pk, account_type="ORDINARY", account_number=number, holder_kana="ｶ)ﾏﾙﾏﾙｹﾝｾﾂ"
        ),
        now=ADVANCE_NOW,
    )


def use_line(
    category: str, amount: int, payee: str = "株式会社△△資材", line_no: int | None = None
) -> advances.LineInput:
    return advances.LineInput(
        category=category,
        payee_name=payee,
        amount=amount,
        planned_on=dt.date(2026, 6, 30),
        method="TRANSFER",
        line_no=line_no,
    )


def standard_lines() -> list[advances.LineInput]:
    """40,000,000円: 材料費 (named), 外注費 (named), 労務費 (直用), 材料費 未定."""
    return [
        use_line("MATERIALS", 15_000_000),
        use_line("SUBCONTRACT", 10_000_000, payee="株式会社□□工業"),
        use_line("LABOUR", 5_000_000, payee="自社（直用）"),
        use_line("MATERIALS", 10_000_000, payee="未定"),
    ]


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def attach_required_proofs(aw: AdvanceWorld, statement: UseStatement) -> None:
    from django.core.files.base import ContentFile

    kinds = {"MATERIALS": "INVOICE", "SUBCONTRACT": "SUBCONTRACT"}
    for line in statement.lines.all():
        if line.category in kinds and line.payee_name:
            advances.proof_attach(
                statement=statement,
                by=aw.world.contractor_user,
                line_no=line.line_no,
                kind=kinds[line.category],
                upload=ContentFile(PDF, name=f"{line.line_no}.pdf"),
                now=ADVANCE_NOW,
            )


def submit_statement(aw: AdvanceWorld, lines: list[advances.LineInput] | None = None) -> UseStatement:
    statement = advances.use_statement_create(
        account=aw.account, by=aw.world.contractor_user, lines=lines or standard_lines(), now=ADVANCE_NOW
    )
    attach_required_proofs(aw, statement)
    return advances.use_statement_submit(statement=statement, by=aw.world.contractor_user, now=ADVANCE_NOW)


def accept_statement(aw: AdvanceWorld, statement: UseStatement) -> UseStatement:
    """確認 by the clerk, 承認 by the approver (four eyes)."""
    statement = advances.use_statement_review(statement=statement, by=aw.world.clerk, now=ADVANCE_NOW)
    return advances.use_statement_accept(statement=statement, by=aw.world.approver, now=ADVANCE_NOW)


def deposit_advance(aw: AdvanceWorld, amount: int | None = None) -> None:
    advances.deposit_record(
        account=aw.account,
        by=aw.bank_user,
        kind="ADVANCE",
        amount=amount if amount is not None else aw.guarantee.guaranteed_amount,
        booked_on=ADVANCE_NOW.date(),
        now=ADVANCE_NOW,
    )


def ready_account(world: World) -> AdvanceWorld:
    """An account with its statement accepted and the whole advance deposited."""
    aw = make_advance_world(world)
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    return aw


def request(aw: AdvanceWorld, *, line_no: int = 1, amount: int = 1_000_000, by: User | None = None) -> Withdrawal:
    return advances.withdrawal_request(
        by=by or aw.world.contractor_user,
        data=advances.WithdrawalInput(
            account_id=aw.account.pk, line_no=line_no, amount=amount, desired_on=ADVANCE_NOW.date(), payee=PAYEE
        ),
        now=ADVANCE_NOW,
    )


def _approver_other_than(guarantee: Guarantee, by: User) -> User:
    """An approver of the guarantee's surety who is not ``by`` (four eyes), made if there is none."""
    found = (
        User.objects.filter(surety_id=guarantee.surety_id, role=Role.APPROVER, is_active=True, branch__isnull=True)
        .exclude(pk=by.pk)
        .first()
    )
    return found or make_user(f"approver-for-{by.username}", surety=guarantee.surety, role=Role.APPROVER)


def amend_amount(
    *,
    guarantee: Guarantee,
    by: User,
    contract_price: int,
    guaranteed_amount: int,
    effective_on: dt.date,
    reason: str,
    now: dt.datetime,
) -> Amendment:
    """An amount change the way the office makes it: ``by`` enters the request, another approver approves."""
    request = services.amendment_request_create(
        guarantee=guarantee,
        by=by,
        amendment_type=AmendmentType.AMOUNT,
        contract_price=contract_price,
        guaranteed_amount=guaranteed_amount,
        effective_on=effective_on,
        reason=reason,
        now=now,
    )
    done = services.amendment_request_approve(request=request, by=_approver_other_than(guarantee, by), now=now)
    assert done.amendment is not None
    return done.amendment


def change_period(
    *, guarantee: Guarantee, by: User, completion_date: dt.date, effective_on: dt.date, reason: str, now: dt.datetime
) -> Amendment:
    """A 工期 change the way the office makes it: ``by`` enters the request, another approver approves."""
    request = services.amendment_request_create(
        guarantee=guarantee,
        by=by,
        amendment_type=AmendmentType.PERIOD,
        completion_date=completion_date,
        effective_on=effective_on,
        reason=reason,
        now=now,
    )
    done = services.amendment_request_approve(request=request, by=_approver_other_than(guarantee, by), now=now)
    assert done.amendment is not None
    return done.amendment
