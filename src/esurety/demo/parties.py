"""Create the demo's organisations, number series, sample rates and users from reference.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from esurety.guarantees.models import NumberSeries, PremiumRate
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

from . import reference as ref

RATES_FROM = dt.date(2020, 4, 1)


@dataclass
class SuretyCast:
    spec: ref.SuretySpec
    surety: SuretyCompany
    branches: list[Branch]
    clerk: User
    approver: User


@dataclass
class ContractorCast:
    spec: ref.ContractorSpec
    contractor: Contractor
    user: User


@dataclass
class OrdererCast:
    spec: ref.OrdererSpec
    orderer: Orderer
    user: User


@dataclass
class BankCast:
    bank: DepositBank
    branch: DepositBankBranch  # ▲▲支店, where the seed's advance account is kept
    user: User  # demo-bank: that branch's 管理者


@dataclass
class Cast:
    """Everyone the demo's guarantees are built by and for."""

    sureties: list[SuretyCast]
    contractors: list[ContractorCast]
    orderers: list[OrdererCast]
    bank: BankCast
    superuser: User
    users: list[User] = field(default_factory=list)

    @property
    def west(self) -> SuretyCast:
        return self.sureties[0]

    @property
    def otsuka(self) -> Branch:
        return self.west.branches[0]

    @property
    def seed_contractor(self) -> ContractorCast:
        return self.contractors[0]

    @property
    def tokushima(self) -> OrdererCast:
        return self.orderers[0]

    def surety_of(self, branch: Branch) -> SuretyCast:
        return next(s for s in self.sureties if s.surety.pk == branch.surety_id)


class _Users:
    """Every demo account gets the same password; hash it once (PBKDF2 is slow on purpose)."""

    def __init__(self, joined: dt.datetime) -> None:
        self.encoded = make_password(ref.DEMO_PASSWORD)
        self.joined = joined
        self.created: list[User] = []

    def make(self, username: str, *, role: str, display_name: str, **org: object) -> User:
        user = User(
            username=username,
            email=f"{username}@example.com",
            password=self.encoded,
            role=role,
            display_name=display_name,
            date_joined=self.joined,
            **org,
        )
        user.save()
        self.created.append(user)
        return user


def _create_surety(spec: ref.SuretySpec, users: _Users) -> SuretyCast:
    surety = SuretyCompany.objects.create(
        name=spec.name,
        postal_code=spec.postal_code,
        address=spec.address,
        representative_title=spec.representative_title,
        representative_name=spec.representative_name,
        website=spec.website,
    )
    branches = []
    for b in spec.branches:
        branch = Branch.objects.create(
            surety=surety, name=b.name, postal_code=b.postal_code, address=b.address, tel=b.tel, fax=b.fax
        )
        for s in b.series:
            NumberSeries.objects.create(
                branch=branch, kind=s.kind, first_number=s.first, last_number=s.last, next_number=s.start
            )
        branches.append(branch)
    for kind, rate, minimum in spec.rates:
        # Real rate tables are not published: these are marked as samples and
        # every premium statement computed from them says so.
        PremiumRate.objects.create(
            surety=surety,
            kind=kind,
            effective_from=RATES_FROM,
            annual_rate=rate,
            minimum_premium=minimum,
            is_sample=True,
        )
    staff = {
        s.username: users.make(s.username, role=s.role, display_name=s.display_name, surety=surety)
        for s in (spec.admin, spec.clerk, spec.approver)
        if s is not None
    }
    return SuretyCast(
        spec=spec,
        surety=surety,
        branches=branches,
        clerk=staff[spec.clerk.username],
        approver=staff[spec.approver.username],
    )


def _create_orderer(spec: ref.OrdererSpec, users: _Users) -> OrdererCast:
    orderer = Orderer(
        name=spec.name, organisation_name=spec.organisation_name, postal_code=spec.postal_code, address=spec.address
    )
    if spec.subject_template:
        orderer.notice_subject_template = spec.subject_template
    orderer.save()
    for adoption in spec.adoptions:
        for category in adoption.categories:
            for kind in adoption.kinds:
                ElectronicAdoption.objects.create(
                    orderer=orderer,
                    work_category=category,
                    kind=kind,
                    effective_from=adoption.effective_from,
                    effective_until=adoption.effective_until,
                )
    # The leaflet: keys go by e-mail to the 契約窓口; advances are handled by the works section.
    OrdererDepartment.objects.create(
        orderer=orderer, name="契約窓口", email=f"keiyaku@{spec.mail_domain}", handles_kinds=ref.PERFORMANCE
    )
    OrdererDepartment.objects.create(
        orderer=orderer,
        name="工事担当課",
        email=f"koji@{spec.mail_domain}",
        handles_kinds=f"{ref.ADVANCE},{ref.INTERIM}",
    )
    # The header already names the orderer (user.organisation_name): the person is only the desk.
    user = users.make(spec.username, role=Role.ORG_ADMIN, display_name="契約担当", orderer=orderer)
    return OrdererCast(spec=spec, orderer=orderer, user=user)


def _create_contractor(spec: ref.ContractorSpec, users: _Users) -> ContractorCast:
    contractor = Contractor.objects.create(
        name=spec.name,
        postal_code=spec.postal_code,
        address=spec.address,
        representative_title="代表取締役",
        representative_name=spec.representative_name,
    )
    user = users.make(spec.username, role=Role.ORG_ADMIN, display_name=spec.user_display_name, contractor=contractor)
    return ContractorCast(spec=spec, contractor=contractor, user=user)


def _create_bank(spec: ref.DepositBankSpec, surety: SuretyCompany, users: _Users) -> BankCast:
    bank = DepositBank.objects.create(name=spec.name, code=spec.code)
    branches = [DepositBankBranch.objects.create(bank=bank, name=name, code=code) for name, code in spec.branches]
    SuretyBankContract.objects.create(surety=surety, bank=bank, effective_from=spec.contract_from)
    user = users.make(
        spec.username,
        role=Role.ORG_ADMIN,
        display_name=spec.user_display_name,
        deposit_bank=bank,
        bank_branch=branches[0],
    )
    return BankCast(bank=bank, branch=branches[0], user=user)


def create_cast(*, joined: dt.datetime) -> Cast:
    users = _Users(joined)
    sureties = [_create_surety(spec, users) for spec in ref.SURETIES]
    orderers = [_create_orderer(spec, users) for spec in ref.ORDERERS]
    contractors = [_create_contractor(spec, users) for spec in ref.CONTRACTORS]
    bank = _create_bank(ref.SEED_BANK, sureties[0].surety, users)
    admin = User(
        username="demo-admin",
        email="demo-admin@example.com",
        password=users.encoded,
        is_staff=True,
        is_superuser=True,
        display_name="デモ システム管理者",
        date_joined=joined,
    )
    admin.save()
    users.created.append(admin)
    return Cast(
        sureties=sureties,
        contractors=contractors,
        orderers=orderers,
        bank=bank,
        superuser=admin,
        users=users.created,
    )
