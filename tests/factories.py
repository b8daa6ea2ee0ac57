"""Test data built through the real services, so tests exercise real rules.

Personas (healthchecks' habit): `contractor_user` (alice, owner of the
guarantees), `other_contractor_user` (charlie, another company: must see
nothing of alice's), `clerk` and `approver` (surety staff).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import timezone

from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.guarantees import services
from esurety.guarantees.models import Amendment, AmendmentType, Application, Guarantee, NumberSeries, PremiumRate
from esurety.parties.models import (
    Branch,
    Contractor,
    ElectronicAdoption,
    Orderer,
    OrdererDepartment,
    Role,
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
