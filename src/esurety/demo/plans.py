"""What the demo's history will contain: projects, their applications and changes, with dates.

Planning is separate from building (timeline.py) so that the shape of the
data can be read in one place. Everything random comes from one seeded
`random.Random`, so every `make demo` produces the same database.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field, replace

from esurety.core.kinds import DeliveryMethod
from esurety.core.wareki import format_wareki
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee
from esurety.guarantees.rules import INTERIM_RATIO, advance_limit, performance_minimum, ratio_limit
from esurety.parties.models import Branch

from . import reference as ref
from .calendar import (
    DEMO_TODAY,
    HISTORY_BEGINS,
    HISTORY_ENDS,
    LAST_CONTRACT,
    at_work,
    later,
    moment,
    random_day,
    reiwa_fiscal_year,
    weekdays_before,
)
from .parties import Cast, ContractorCast, OrdererCast, SuretyCast

S = ApplicationStatus


class SeedError(Exception):
    """The demo data could not be planned or built as intended (a bug in the demo, not user input)."""


@dataclass
class Plan:
    """One application and, if it gets that far, its guarantee."""

    surety: SuretyCast
    branch: Branch
    contractor: ContractorCast
    orderer: OrdererCast
    kind: str
    work_category: str
    work_name: str
    contract_date: dt.date
    completion_date: dt.date
    contract_price: int
    guaranteed_amount: int
    delivery_method: str
    deposit_bank: str = ""
    low_bid: bool = False
    advance: Plan | None = None
    notes: str = ""
    # When each step happens; the plan stops after `stop`.
    stop: str = S.CONCLUDED
    created: dt.datetime = HISTORY_ENDS
    submitted: dt.datetime | None = None
    reviewed: dt.datetime | None = None
    decided: dt.datetime | None = None
    paid: dt.datetime | None = None
    concluded: dt.datetime | None = None
    rejection_reason: str = ""
    fixed_number: str = ""  # the seed's guarantees must get exactly their printed numbers
    # After conclusion (electronic only): 「発注者へ送信」 by the contractor, then the orderer's verification.
    dispatched: dt.datetime | None = None
    verified: dt.datetime | None = None
    # Filled in while building.
    application: Application | None = None
    guarantee: Guarantee | None = None

    @property
    def last_step(self) -> dt.datetime:
        steps = (self.concluded, self.paid, self.decided, self.reviewed, self.submitted, self.created)
        return next(s for s in steps if s is not None)


@dataclass
class AmendmentPlan:
    """A 変更契約 of the works: a new price or a new completion date, for all its guarantees."""

    at: dt.datetime
    effective_on: dt.date
    reason: str
    new_price: int | None = None
    new_completion: dt.date | None = None


@dataclass
class Project:
    """One works contract and everything guaranteed for it."""

    plans: list[Plan] = field(default_factory=list)
    amendments: list[AmendmentPlan] = field(default_factory=list)


# A change is entered and approved guarantee by guarantee (timeline.py: 20 minutes each, three
# guarantees at most): it is planned only if all of it is done by the end of the story.
CHANGE_SPAN = dt.timedelta(hours=1)

# How far back an open application in each status was entered (later steps take longer).
QUEUE_AGE_DAYS: dict[str, int] = {S.DRAFT: 4, S.SUBMITTED: 3, S.UNDER_REVIEW: 5, S.REJECTED: 8}

# How many applications each surety has open on DEMO_TODAY, per status.
QUEUE: dict[str, tuple[tuple[str, int], ...]] = {
    "west": (
        (S.DRAFT, 2),
        (S.SUBMITTED, 4),
        (S.UNDER_REVIEW, 3),
        (S.APPROVED, 3),
        (S.REJECTED, 2),
        (S.PAYMENT_CONFIRMED, 3),
    ),
    "east": (
        (S.DRAFT, 1),
        (S.SUBMITTED, 2),
        (S.UNDER_REVIEW, 1),
        (S.APPROVED, 1),
        (S.REJECTED, 1),
        (S.PAYMENT_CONFIRMED, 1),
    ),
    "north": ((S.SUBMITTED, 1), (S.UNDER_REVIEW, 1), (S.APPROVED, 1), (S.REJECTED, 1), (S.PAYMENT_CONFIRMED, 1)),
}


def schedule(plan: Plan, rng: random.Random, created: dt.datetime, stop: str = S.CONCLUDED) -> Plan:
    """Give the plan natural step times from `created` up to its `stop` status."""
    plan.stop = stop
    plan.created = created
    plan.submitted = plan.reviewed = plan.decided = plan.paid = plan.concluded = None
    if stop == S.DRAFT:
        return plan
    plan.submitted = later(created, rng, 3, 90)
    if stop == S.SUBMITTED:
        return plan
    plan.reviewed = later(plan.submitted, rng, 30, 1500)
    if stop == S.UNDER_REVIEW:
        return plan
    plan.decided = later(plan.reviewed, rng, 20, 480)
    if stop == S.REJECTED:
        plan.rejection_reason = plan.rejection_reason or rng.choice(ref.REJECTION_REASONS)
        return plan
    if stop == S.APPROVED:
        return plan
    plan.paid = later(plan.decided, rng, 240, 4000)
    if stop == S.PAYMENT_CONFIRMED:
        return plan
    plan.concluded = later(plan.paid, rng, 15, 180)
    return plan


def round_price(value: float) -> int:
    """Contract prices in whole ¥10,000, as tenders usually are."""
    return max(1, round(value / 10_000)) * 10_000


# The leaflet's works run to 令和9年3月31日 (the end of 令和8年度, the year they were contracted).
LEAFLET_COMPLETION = dt.date(2027, 3, 31)
# What the 〇〇道路改良工事 still has to run on the demo's today: its advance is being spent (a
# withdrawal waits at the bank today) and its 中間前払金 is applied for, which a guarantee past
# its 工事末日 (満了, expired by the worker) would refuse.
WORKS_LEFT = dt.timedelta(days=60)
LEAFLET_EXTENSION_REASON = ref.PERIOD_REASONS[0]


def fiscal_year_end(day: dt.date) -> dt.date:
    """31 March closing the 年度 (April to March) of ``day``."""
    return dt.date(day.year if day.month <= 3 else day.year + 1, 3, 31)


def leaflet_extensions() -> list[AmendmentPlan]:
    """工期の変更 of the 〇〇道路改良工事 when the demo is made near or after its 工事末日: one 年度 at a
    time, each entered some weeks before the end it moves (and never after the demo's today), so the
    works are still running today. The period follows (leaflet note 2): no new certificate."""
    out: list[AmendmentPlan] = []
    completion = LEAFLET_COMPLETION
    while completion < DEMO_TODAY + WORKS_LEFT:
        day = min(completion - dt.timedelta(days=30), weekdays_before(DEMO_TODAY, 3))
        day = weekdays_before(day + dt.timedelta(days=1), 1)  # that day, or the weekday before it
        new_completion = fiscal_year_end(completion + dt.timedelta(days=1))
        out.append(
            AmendmentPlan(
                at=moment(day, 10, 20, 50),
                effective_on=day - dt.timedelta(days=3),
                reason=LEAFLET_EXTENSION_REASON,
                new_completion=new_completion,
            )
        )
        completion = new_completion
    return out


def leaflet_road_completion() -> dt.date:
    """The 工事末日 of the 〇〇道路改良工事 on the demo's today, after leaflet_extensions."""
    ends = [change.new_completion for change in leaflet_extensions() if change.new_completion is not None]
    return ends[-1] if ends else LEAFLET_COMPLETION


def seed_projects(cast: Cast) -> list[Project]:
    """The leaflet's three guarantees, with the numbers it prints (2070004426, 2070004427, 2070202096).

    All three are issued on one day, like the leaflet's list, so the
    contractor's list shows them in the leaflet's order.
    """
    west, otsuka, maru, tokushima = cast.west, cast.otsuka, cast.seed_contractor, cast.tokushima
    completion = LEAFLET_COMPLETION

    def seed_plan(kind: str, work_name: str, contract: dt.date, price: int, amount: int) -> Plan:
        return Plan(
            surety=west,
            branch=otsuka,
            contractor=maru,
            orderer=tokushima,
            kind=kind,
            work_category=ref.WORKS,
            work_name=work_name,
            contract_date=contract,
            completion_date=completion,
            contract_price=price,
            guaranteed_amount=amount,
            delivery_method=DeliveryMethod.ELECTRONIC,
            deposit_bank=ref.SEED_DEPOSIT_BANK if kind == ref.ADVANCE else "",
        )

    def steps(plan: Plan, second: int, *times: tuple[int, str]) -> None:
        """Hand-set April 2026 times (day, "HH:MM") for created … concluded.

        The seconds keep them apart from the generated history (always :00), so no
        other 大塚支店 guarantee is concluded between them and takes their numbers.
        """
        at = [moment(dt.date(2026, 4, day), int(hhmm[:2]), int(hhmm[3:]), second) for day, hhmm in times]
        plan.created, plan.submitted, plan.reviewed, plan.decided, plan.paid, plan.concluded = at

    road = seed_plan(ref.ADVANCE, "〇〇道路改良工事", dt.date(2026, 4, 10), 100_000_000, 40_000_000)
    road.fixed_number = "2070004426"
    steps(road, 10, (20, "09:40"), (20, "09:52"), (21, "10:15"), (21, "14:30"), (23, "11:00"), (24, "10:00"))
    tunnel = seed_plan(ref.ADVANCE, "△△トンネル工事", dt.date(2026, 4, 13), 50_000_000, 20_000_000)
    tunnel.fixed_number = "2070004427"
    steps(tunnel, 20, (20, "10:25"), (20, "10:31"), (21, "10:40"), (21, "14:45"), (23, "11:05"), (24, "10:00"))
    # The performance guarantee rides on the road advance: applied for once that is concluded.
    performance = seed_plan(ref.PERFORMANCE, "〇〇道路改良工事", dt.date(2026, 4, 10), 100_000_000, 10_000_000)
    performance.advance = road
    performance.fixed_number = "2070202096"
    steps(performance, 30, (24, "10:30"), (24, "10:36"), (24, "11:00"), (24, "13:20"), (24, "15:00"), (24, "16:00"))
    return [Project(plans=[road, performance], amendments=leaflet_extensions()), Project(plans=[tunnel])]


class Planner:
    def __init__(self, cast: Cast, rng: random.Random) -> None:
        self.cast = cast
        self.rng = rng

    # -- choices -------------------------------------------------------------------------

    def _surety_for(self, contractor: ContractorCast) -> SuretyCast:
        sureties = self.cast.sureties
        if self.rng.random() < 0.7:
            return next(s for s in sureties if s.spec.key == contractor.spec.home_surety)
        return self.rng.choices(sureties, weights=[s.spec.weight for s in sureties])[0]

    def _branch_for(self, surety: SuretyCast) -> Branch:
        # The first branch is the busier one (大塚支店 for 西日本).
        return self.rng.choices(surety.branches, weights=[3, 2][: len(surety.branches)])[0]

    def _orderer(self) -> OrdererCast:
        orderers = self.cast.orderers
        return self.rng.choices(orderers, weights=[o.spec.weight for o in orderers])[0]

    def _delivery(self, orderer: OrdererCast, kind: str, category: str, contract_date: dt.date) -> str:
        if kind == ref.RESERVATION:
            return DeliveryMethod.PAPER  # 契約保証予約 is never electronic
        accepts = orderer.orderer.accepts_electronic(kind=kind, work_category=category, contract_date=contract_date)
        # Where electronic delivery is open, a few contractors still ask for paper.
        if accepts and self.rng.random() < 0.93:
            return DeliveryMethod.ELECTRONIC
        return DeliveryMethod.PAPER

    def _work_name(self, category: str, contract_date: dt.date) -> str:
        templates = ref.CONSULTING_NAMES if category == ref.CONSULTING else ref.WORKS_NAMES
        base = self.rng.choice(templates).format(area=self.rng.choice(ref.AREAS))
        return f"令和{reiwa_fiscal_year(contract_date)}年度 {base}"

    def _price(self, category: str) -> int:
        low, high = (3_000_000, 80_000_000) if category == ref.CONSULTING else (8_000_000, 600_000_000)
        return round_price(math.exp(self.rng.uniform(math.log(low), math.log(high))))

    def _completion(self, category: str, contract_date: dt.date) -> dt.date:
        days = self.rng.randint(90, 300) if category == ref.CONSULTING else self.rng.randint(120, 540)
        completion = contract_date + dt.timedelta(days=days)
        if self.rng.random() < 0.4:
            # Many public works end with the fiscal year, on 31 March.
            year = completion.year if completion.month <= 3 else completion.year + 1
            completion = dt.date(year, 3, 31)
        return completion

    # -- plans ---------------------------------------------------------------------------

    def _rider(self, advance: Plan, kind: str, amount: int) -> Plan:
        """An interim or performance guarantee on the same works as `advance`."""
        return Plan(
            surety=advance.surety,
            branch=advance.branch,
            contractor=advance.contractor,
            orderer=advance.orderer,
            kind=kind,
            work_category=advance.work_category,
            work_name=advance.work_name,
            contract_date=advance.contract_date,
            completion_date=advance.completion_date,
            contract_price=advance.contract_price,
            guaranteed_amount=amount,
            delivery_method=self._delivery(advance.orderer, kind, advance.work_category, advance.contract_date),
            deposit_bank=advance.deposit_bank if kind == ref.INTERIM else "",
            low_bid=advance.low_bid,
            advance=advance,
        )

    def _advance(self, contractor: ContractorCast, contract_date: dt.date) -> Plan:
        category = contractor.spec.category
        surety = self._surety_for(contractor)
        orderer = self._orderer()
        price = self._price(category)
        low_bid = category == ref.WORKS and self.rng.random() < 0.05
        amount = advance_limit(price=price, work_category=category, low_bid=low_bid)
        if self.rng.random() < 0.15:
            # Some contractors take less than the full advance.
            amount = max(100_000, amount // 2 // 100_000 * 100_000)
        return Plan(
            surety=surety,
            branch=self._branch_for(surety),
            contractor=contractor,
            orderer=orderer,
            kind=ref.ADVANCE,
            work_category=category,
            work_name=self._work_name(category, contract_date),
            contract_date=contract_date,
            completion_date=self._completion(category, contract_date),
            contract_price=price,
            guaranteed_amount=amount,
            delivery_method=self._delivery(orderer, ref.ADVANCE, category, contract_date),
            deposit_bank=self.rng.choice(ref.DEPOSIT_BANKS),
            low_bid=low_bid,
        )

    def _performance(self, advance: Plan) -> Plan:
        amount = performance_minimum(price=advance.contract_price, low_bid=advance.low_bid)
        return self._rider(advance, ref.PERFORMANCE, amount)

    def history_project(self, contractor: ContractorCast) -> Project | None:
        """A contract of the past 24 months with its advance, maybe interim/performance, maybe changes."""
        rng = self.rng
        contract_date = random_day(rng, HISTORY_BEGINS, LAST_CONTRACT)
        advance = self._advance(contractor, contract_date)
        project = Project()
        applied = at_work(contract_date + dt.timedelta(days=rng.randint(1, 8)), rng)
        if rng.random() < 0.04:
            # Rejected, then applied again correctly a few days later.
            # A reason that a corrected re-application answers (not, say, a duplicate).
            reason = rng.choice(ref.REJECTION_REASONS[:2])
            rejected = schedule(replace(advance, rejection_reason=reason), rng, applied, stop=S.REJECTED)
            project.plans.append(rejected)
            applied = later(rejected.last_step, rng, 1440, 4320)
        schedule(advance, rng, applied)
        if advance.last_step > HISTORY_ENDS:
            return None
        project.plans.append(advance)

        if rng.random() < 0.5:
            performance = schedule(self._performance(advance), rng, later(advance.last_step, rng, 30, 2880))
            if performance.last_step <= HISTORY_ENDS:
                project.plans.append(performance)
        duration = (advance.completion_date - contract_date).days
        if advance.work_category == ref.WORKS and duration >= 180 and rng.random() < 0.25:
            interim_amount = ratio_limit(advance.contract_price, INTERIM_RATIO)
            interim = self._rider(advance, ref.INTERIM, interim_amount)
            halfway = contract_date + dt.timedelta(days=int(duration * rng.uniform(0.4, 0.6)))
            schedule(interim, rng, at_work(halfway, rng))
            if interim.last_step <= HISTORY_ENDS:
                project.plans.append(interim)
        for plan in project.plans:
            self._hand_over(plan)
        self._maybe_amend(project)
        return project

    def _hand_over(self, plan: Plan) -> None:
        """Some contractors send the key notice from the portal; most orderers verify within days.

        Each sent notice is a signed PDF (most of a second to build): 4 in 10 keep the seed quick.
        """
        rng = self.rng
        if plan.delivery_method != DeliveryMethod.ELECTRONIC or plan.stop != S.CONCLUDED or plan.concluded is None:
            return
        handed = later(plan.concluded, rng, 60, 2880)
        if rng.random() < 0.4:
            plan.dispatched = handed  # else by the orderer's own route (its 電子契約システム, a mail by hand)
        if rng.random() < 0.88:
            plan.verified = later(handed, rng, 30, 4320)
        if plan.dispatched is not None and plan.dispatched > HISTORY_ENDS:
            plan.dispatched = None
        if plan.verified is not None and plan.verified > HISTORY_ENDS:
            plan.verified = None

    def _maybe_amend(self, project: Project) -> None:
        rng = self.rng
        advance = next(p for p in project.plans if p.kind == ref.ADVANCE and p.stop == S.CONCLUDED)
        settled = max(p.last_step for p in project.plans)
        has_interim = any(p.kind == ref.INTERIM for p in project.plans)
        if rng.random() < 0.16:
            at = at_work(settled.date() + dt.timedelta(days=rng.randint(30, 200)), rng)
            if at + CHANGE_SPAN <= HISTORY_ENDS:
                # Decreases only without an interim advance, whose 6/10 cap could then be exceeded.
                if has_interim or rng.random() < 0.8:
                    factor, reasons = rng.uniform(1.05, 1.25), ref.AMOUNT_INCREASE_REASONS
                else:
                    factor, reasons = rng.uniform(0.85, 0.97), ref.AMOUNT_DECREASE_REASONS
                project.amendments.append(
                    AmendmentPlan(
                        at=at,
                        effective_on=at.date() - dt.timedelta(days=rng.randint(1, 7)),
                        reason=rng.choice(reasons),
                        new_price=round_price(advance.contract_price * factor),
                    )
                )
        if rng.random() < 0.1:
            at = at_work(settled.date() + dt.timedelta(days=rng.randint(20, 200)), rng)
            if at + CHANGE_SPAN <= HISTORY_ENDS:
                project.amendments.append(
                    AmendmentPlan(
                        at=at,
                        effective_on=at.date() - dt.timedelta(days=rng.randint(1, 7)),
                        reason=rng.choice(ref.PERIOD_REASONS),
                        new_completion=advance.completion_date + dt.timedelta(days=rng.randint(30, 120)),
                    )
                )

    def reservation_project(self, contractor: ContractorCast) -> Project | None:
        """契約保証予約 at the bidding stage: on paper, always."""
        rng = self.rng
        contract_date = random_day(rng, HISTORY_BEGINS, LAST_CONTRACT)
        advance = self._advance(contractor, contract_date)
        amount = performance_minimum(price=advance.contract_price, low_bid=advance.low_bid)
        reservation = self._rider(advance, ref.RESERVATION, amount)
        reservation.advance = None
        reservation.deposit_bank = ""
        schedule(reservation, rng, at_work(contract_date - dt.timedelta(days=rng.randint(7, 20)), rng))
        if reservation.last_step > HISTORY_ENDS:
            return None
        return Project(plans=[reservation])

    def queue_project(self, contractor: ContractorCast, surety: SuretyCast, stop: str) -> Project:
        """An application still open on DEMO_TODAY, so the back office has a queue to work."""
        rng = self.rng
        for _ in range(50):
            days_back = QUEUE_AGE_DAYS.get(stop, 10)
            created = at_work(HISTORY_ENDS.date() - dt.timedelta(days=rng.randint(1, days_back)), rng)
            contract_date = created.date() - dt.timedelta(days=rng.randint(3, 10))
            advance = self._advance(contractor, contract_date)
            advance.surety, advance.branch = surety, self._branch_for(surety)
            if rng.random() < 0.3 and stop != S.DRAFT:
                # The advance is done; its performance guarantee is what is waiting.
                earlier = at_work(contract_date + dt.timedelta(days=1), rng)
                schedule(advance, rng, earlier)
                if advance.last_step >= created:
                    continue
                rider = schedule(self._performance(advance), rng, created, stop=stop)
                plans = [advance, rider]
            else:
                plans = [schedule(advance, rng, created, stop=stop)]
            if plans[-1].last_step <= HISTORY_ENDS:
                return Project(plans=plans)
        raise SeedError(f"could not date an open application in status {stop}")


def plan_history(cast: Cast, rng: random.Random, *, projects: int = 240, reservations: int = 8) -> list[Project]:
    planner = Planner(cast, rng)
    others = cast.contractors[1:]  # the seed's contractor keeps exactly the leaflet's guarantees
    history: list[Project] = seed_projects(cast)
    while len(history) < projects + 2:
        project = planner.history_project(rng.choice(others))
        if project is not None:
            history.append(project)
    for _ in range(reservations):
        reservation = planner.reservation_project(rng.choice(others))
        if reservation is not None:
            history.append(reservation)
    return history


def plan_queue(cast: Cast, rng: random.Random, seed: list[Project]) -> list[Project]:
    planner = Planner(cast, rng)
    others = cast.contractors[1:]
    queue = [
        planner.queue_project(rng.choice(others), surety, stop)
        for surety in cast.sureties
        for stop, count in QUEUE[surety.spec.key]
        for _ in range(count)
    ]
    queue.extend(seed_contractor_queue(cast, seed, rng))
    return queue


def seed_contractor_queue(cast: Cast, seed: list[Project], rng: random.Random) -> list[Project]:
    """株式会社〇〇建設's own open applications: an interim advance in 受付, a draft, a rejection."""
    road = seed[0].plans[0]
    interim = replace(
        road,
        kind=ref.INTERIM,
        guaranteed_amount=ratio_limit(road.contract_price, INTERIM_RATIO),  # 4/10 + 2/10: exactly the 6/10 cap
        # The works' 工事末日 as they stand today (extended when the demo is made after the leaflet's).
        completion_date=leaflet_road_completion(),
        advance=road,
        fixed_number="",
        notes=f"中間前払金の請求予定日: {format_wareki(DEMO_TODAY + dt.timedelta(days=11), padded=False)}",
    )
    # Dated back from today (calendar.py): applied two working days ago, a draft begun yesterday.
    schedule(interim, rng, moment(weekdays_before(DEMO_TODAY, 2), 10, 5, 40), stop=S.SUBMITTED)
    draft_day = weekdays_before(DEMO_TODAY, 1)
    draft_contract = draft_day - dt.timedelta(days=3)
    draft = replace(
        road,
        work_name=f"令和{reiwa_fiscal_year(draft_contract)}年度 〇〇地区配水管更新工事",
        contract_date=draft_contract,
        # Works of the 年度 it is contracted in (or of the next, contracted in its last months).
        completion_date=fiscal_year_end(draft_contract + dt.timedelta(days=120)),
        contract_price=68_200_000,
        guaranteed_amount=advance_limit(price=68_200_000, work_category=ref.WORKS, low_bid=False),
        fixed_number="",
    )
    schedule(draft, rng, moment(draft_day, 16, 12, 40), stop=S.DRAFT)
    rejected = replace(
        road,
        work_name="令和8年度 ▲▲地区管渠布設工事",
        contract_date=dt.date(2026, 6, 22),
        contract_price=31_500_000,
        guaranteed_amount=12_600_000,
        fixed_number="",
        rejection_reason=ref.REJECTION_REASONS[0],
    )
    schedule(rejected, rng, moment(dt.date(2026, 6, 25), 11, 3, 40), stop=S.REJECTED)
    return [Project(plans=[interim]), Project(plans=[draft]), Project(plans=[rejected])]
