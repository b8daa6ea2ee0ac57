"""Known data for the dashboards: guarantees concluded at chosen moments in two branches and two orderers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import time_machine

from esurety.core.clock import TOKYO
from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.guarantees import services
from esurety.guarantees.models import Guarantee, NumberSeries
from esurety.parties.models import Branch, Orderer, Role, User
from tests.factories import World, make_guarantee, make_orderer, make_user

# The figures are asked for on this day; the window runs from 2024-07 to 2026-06.
TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 9, 0, tzinfo=TOKYO)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TOKYO)


@dataclass
class Dashboards:
    world: World
    tokushima_branch: Branch
    other_orderer: Orderer
    head_office: User  # 管理者, every branch
    otsuka_clerk: User  # 大塚支店 only
    tokushima_clerk: User  # 徳島支店 only
    guarantees: dict[str, Guarantee]


def concluded_at(world: World, moment: dt.datetime, **overrides: object) -> Guarantee:
    """A guarantee through every service step, with the clock at `moment` (the month it is counted in)."""
    with time_machine.travel(moment, tick=False):
        return make_guarantee(world, **overrides)


def build(world: World) -> Dashboards:
    tokushima = Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市幸町1-1", tel="088-000-0000")
    NumberSeries.objects.create(
        branch=tokushima, kind="", first_number=2_080_000_001, last_number=2_080_099_999, next_number=2_080_000_001
    )
    other = make_orderer("鳴門浜市長", adopt_from=dt.date(2024, 1, 1))
    april, may = dt.date(2026, 4, 14), dt.date(2026, 5, 12)
    paper = DeliveryMethod.PAPER
    g = {
        # 大塚支店, April: two electronic advances and one on paper for 徳島市上下水道.
        "apr_e1": concluded_at(world, at(april), work_name="四月電子一"),
        "apr_e2": concluded_at(world, at(april, 11), work_name="四月電子二"),
        "apr_p": concluded_at(world, at(april, 12), work_name="四月書面", delivery_method=paper),
        # 大塚支店, May: a paper advance for 鳴門浜市.
        "may_other": concluded_at(
            world, at(may), work_name="五月鳴門浜", orderer_id=other.pk, delivery_method=paper, contract_date=may
        ),
        # 徳島支店, May: one electronic advance.
        "may_tokushima": concluded_at(world, at(may, 11), work_name="五月徳島支店", branch_id=tokushima.pk),
        # Outside the 24 months: never counted.
        "old": concluded_at(
            world,
            at(dt.date(2024, 5, 20)),
            work_name="二年前",
            orderer_id=other.pk,
            contract_date=dt.date(2024, 5, 10),
            completion_date=dt.date(2025, 3, 31),
        ),
    }
    # A performance guarantee on the April advance, in May (大塚支店, electronic).
    g["may_performance"] = concluded_at(
        world,
        at(may, 14),
        work_name="四月電子一",
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=g["apr_e1"].number,
    )
    return Dashboards(
        world=world,
        tokushima_branch=tokushima,
        other_orderer=other,
        head_office=make_user("honsha", surety=world.surety, role=Role.SURETY_ADMIN),
        otsuka_clerk=make_user("otsuka", surety=world.surety, branch=world.branch, role=Role.CLERK),
        tokushima_clerk=make_user("tokushima", surety=world.surety, branch=tokushima, role=Role.APPROVER),
        guarantees=g,
    )


def refund_in_june(d: Dashboards) -> int:
    """The April paper advance's amount is lowered in June: a 返還計算書, approved by a second person."""
    world = d.world
    g = d.guarantees["apr_p"]
    june = at(dt.date(2026, 6, 2))
    request = services.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type="AMOUNT",
        effective_on=june.date(),
        reason="請負金額の減額",
        now=june,
        contract_price=g.contract_price,
        guaranteed_amount=20_000_000,
    )
    services.amendment_request_approve(request=request, by=world.approver, now=june)
    refund = g.premium_statements.get(statement_type="REFUND")
    return refund.amount
