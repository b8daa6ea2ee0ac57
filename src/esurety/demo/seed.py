"""Fill an empty demo database: the leaflet's world plus a reproducible history around it.

Runs only in demo mode (ESURETY_DEMO=1, set by `make demo`): the demo
accounts share a published password and must never exist anywhere else.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from esurety.core.clock import TOKYO, now
from esurety.core.errors import DomainError
from esurety.core.kinds import DeliveryMethod
from esurety.dashboards.services import dashboard_figures_refresh
from esurety.guarantees.models import Amendment, AmendmentType, Application, Certificate, Guarantee
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.parties.models import (
    Branch,
    Contractor,
    DepositBank,
    DepositBankBranch,
    ElectronicAdoption,
    Orderer,
    OrdererDepartment,
    SuretyBankContract,
    SuretyCompany,
    User,
)

from . import reference as ref
from .advance_story import AdvanceStory
from .calendar import DEMO_TODAY
from .claims import seed_claims
from .parties import Cast, create_cast
from .plans import SeedError, plan_history, plan_queue
from .timeline import Timeline

RANDOM_SEED = 20260401  # fixed: the same choices every time (the dates follow the day it runs)
ORGANISATIONS_SINCE = dt.datetime(2024, 4, 1, 9, 0, tzinfo=TOKYO)


class DemoSeedRefused(Exception):
    """Demo data must not be written here (not demo mode, or the database is not empty)."""


@dataclass(frozen=True)
class Login:
    username: str
    organisation: str
    role: str


@dataclass(frozen=True)
class SeedSummary:
    sureties: int
    branches: int
    contractors: int
    orderers: int
    guarantees: int
    electronic: int
    paper: int
    amount_changes: int
    period_changes: int
    certificates: int
    applications_by_status: dict[str, int]
    logins: list[Login]
    other_usernames: list[str]


def refuse_unless_allowed() -> None:
    if not getattr(settings, "DEMO_MODE", False):
        raise DemoSeedRefused(
            "demo_seed はデモ環境専用です。ESURETY_DEMO=1（`make demo` が設定します）のときだけ実行できます。"
            "デモ用アカウントは公開されたパスワードを使うため、デモ以外のデータベースには作成しません。"
        )
    found = {
        "利用者": User.objects.count(),
        "保証事業会社": SuretyCompany.objects.count(),
        "保証申込": Application.objects.count(),
        "保証契約": Guarantee.objects.count(),
    }
    if any(found.values()):
        counts = "、".join(f"{name} {n}件" for name, n in found.items() if n)
        raise DemoSeedRefused(
            f"データベースに既にデータがあります（{counts}）。デモデータは空のデータベースにだけ投入できます。"
            "`make demo` はデモ用データベースを作り直してから投入します。"
        )


def demo_seed(*, seed: int = RANDOM_SEED) -> SeedSummary:
    refuse_unless_allowed()
    # One transaction: a failure leaves the database empty, not half-seeded
    # (and SQLite commits once instead of thousands of times).
    with transaction.atomic():
        cast = create_cast(joined=ORGANISATIONS_SINCE)
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        history = plan_history(cast, rng)
        queue = plan_queue(cast, rng, history[:2])
        timeline = Timeline()
        for project in history + queue:
            timeline.add_project(project)
        story = AdvanceStory(cast=cast, road=history[0].plans[0])
        story.schedule(timeline)
        try:
            timeline.run()
        except DomainError as exc:
            raise SeedError(f"a service refused a planned step: {exc}") from exc
        seed_claims(cast)
        _settle(cast)
        # The staff home shows its charts at once, not after the worker's first hourly tick.
        dashboard_figures_refresh(now=now())
        return _summary(cast)


def _settle(cast: Cast) -> None:
    """Make the rows Django time-stamps itself, and the past's mail, fit the story."""
    for model in (
        SuretyCompany,
        Branch,
        Contractor,
        Orderer,
        ElectronicAdoption,
        OrdererDepartment,
        DepositBank,
        DepositBankBranch,
        SuretyBankContract,
    ):
        model.objects.update(created_at=ORGANISATIONS_SINCE, updated_at=ORGANISATIONS_SINCE)
    # The notices of the history went out long ago; the demo's worker must not
    # send a year and a half of them again into var/demo-mail/. Except the leaflet's
    # STEP 2: the 「電子証書・認証キー登録のお知らせ」 of the seed contractor's guarantees
    # stay queued, so the worker delivers them when the demo starts and they wait in
    # the demo mailbox, ready for 「電子証書の確認はこちら」.
    leaflet_guarantees = Guarantee.objects.filter(contractor=cast.seed_contractor.contractor).values_list(
        "pk", flat=True
    )
    step_two = OutboxMessage.objects.filter(
        template="certificate_issued",
        object_type="Guarantee",
        object_id__in=[str(pk) for pk in leaflet_guarantees],
    )
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exclude(pk__in=step_two.values("pk")).update(
        status=OutboxStatus.SENT, attempts=1, sent_at=F("created_at")
    )


def _summary(cast: Cast) -> SeedSummary:
    delivery = Counter(Guarantee.objects.values_list("delivery_method", flat=True))
    changes = Counter(Amendment.objects.values_list("amendment_type", flat=True))
    statuses = Counter(Application.objects.values_list("status", flat=True))
    west = cast.west.spec
    logins = [
        Login("demo-contractor", ref.SEED_CONTRACTOR, "保証契約者（管理者）"),
        Login("demo-orderer", ref.TOKUSHIMA_WATER, "発注者"),
        Login("demo-staff", west.name, "保証会社 管理者（全支店）"),
        Login("demo-approver", west.name, "保証会社 承認者"),
        Login("demo-clerk", west.name, "保証会社 担当者"),
        Login("demo-bank", ref.SEED_DEPOSIT_BANK, "預託金融機関 支店の管理者（前払金の払出）"),
        Login("demo-admin", "—", "システム管理者（/admin/）"),
    ]
    listed = {login.username for login in logins}
    return SeedSummary(
        sureties=SuretyCompany.objects.count(),
        branches=Branch.objects.count(),
        contractors=Contractor.objects.count(),
        orderers=Orderer.objects.count(),
        guarantees=Guarantee.objects.count(),
        electronic=delivery[DeliveryMethod.ELECTRONIC],
        paper=delivery[DeliveryMethod.PAPER],
        amount_changes=changes[AmendmentType.AMOUNT],
        period_changes=changes[AmendmentType.PERIOD],
        certificates=Certificate.objects.count(),
        applications_by_status=dict(statuses),
        logins=logins,
        other_usernames=sorted(u.username for u in cast.users if u.username not in listed),
    )


__all__ = ["DEMO_TODAY", "DemoSeedRefused", "Login", "SeedError", "SeedSummary", "demo_seed"]
