"""Build the planned history through the real services, one step at a time, in date order.

Every step passes its own `now`, so certificates, audit entries and e-mails
carry the dates of the story; the row timestamps Django sets itself
(created_at / updated_at) are moved to the same moments at the end.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db.models import Model

from esurety.core.clock import business_date
from esurety.guarantees import services
from esurety.guarantees.models import Amendment, AmendmentRequest, AmendmentType, Application, Guarantee, NumberSeries
from esurety.guarantees.rules import advance_limit, performance_minimum
from esurety.guarantees.services import access_key_plain
from esurety.verification.selectors import notice_department_for
from esurety.verification.services import certificate_verify, notice_dispatch_send

from . import reference as ref
from .plans import AmendmentPlan, Plan, Project, S, SeedError

# The orderers' office network in the demo's story (TEST-NET-1, never a real host).
DEMO_ADDRESS = "192.0.2.10"


class _Stamps:
    """Where each row's created_at / updated_at must end up; written in a few bulk updates."""

    def __init__(self) -> None:
        self.rows: dict[type[Model], dict[int, list[dt.datetime | None]]] = defaultdict(dict)

    def touch(self, model: type[Model], pk: int, at: dt.datetime, *, created: bool = False) -> None:
        row = self.rows[model].setdefault(pk, [None, at])
        if created:
            row[0] = at
        row[1] = at

    def apply(self) -> None:
        for model, rows in self.rows.items():
            objs = list(model._default_manager.filter(pk__in=rows).only("pk", "created_at", "updated_at"))
            for obj in objs:
                created, updated = rows[obj.pk]
                if created is not None:
                    obj.created_at = created  # type: ignore[attr-defined]
                obj.updated_at = updated  # type: ignore[attr-defined]
            # bulk_update writes the values given; save() would reset updated_at (auto_now).
            model._default_manager.bulk_update(objs, ["created_at", "updated_at"], batch_size=300)


# A change is entered by a clerk and approved by another member of staff (four eyes)
# a little later; the next guarantee of the same works is entered after that. Changes
# are planned by 17:00, so even three guarantees end within office hours.
APPROVAL_AFTER = dt.timedelta(minutes=15)
NEXT_ENTRY_AFTER = dt.timedelta(minutes=5)


@dataclass(order=True)
class _Event:
    at: dt.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class Timeline:
    events: list[_Event] = field(default_factory=list)
    stamps: _Stamps = field(default_factory=_Stamps)
    _seq: int = 0

    def add_project(self, project: Project) -> None:
        for plan in project.plans:
            self._add(plan.created, partial(self._create, plan))
            self._add(plan.submitted, partial(self._submit, plan))
            self._add(plan.reviewed, partial(self._review, plan))
            self._add(plan.decided, partial(self._decide, plan))
            self._add(plan.paid, partial(self._pay, plan))
            self._add(plan.concluded, partial(self._conclude, plan))
            self._add(plan.dispatched, partial(self._dispatch, plan))
            self._add(plan.verified, partial(self._verify, plan))
        for change in project.amendments:
            self._add(change.at, partial(self._amend, project, change))

    def add_step(self, at: dt.datetime, run: Callable[[], None]) -> None:
        """A step of a story told after the certificate (advances), in its place in the calendar."""
        self._add(at, run)

    def run(self) -> None:
        """Every step in date order, so numbers and the audit chain follow the calendar.

        A step may schedule a later one (a change's approval after its entry): the
        events are a heap, so that one still runs in its place in the calendar.
        """
        heapq.heapify(self.events)
        while self.events:
            heapq.heappop(self.events).run()
        self.stamps.apply()

    def _add(self, at: dt.datetime | None, run: Callable[[], None]) -> None:
        if at is not None:
            self._seq += 1
            heapq.heappush(self.events, _Event(at, self._seq, run))

    # -- application steps -------------------------------------------------------------

    def _create(self, plan: Plan) -> None:
        advance_number = ""
        if plan.advance is not None:
            if plan.advance.guarantee is None:
                raise SeedError(f"{plan.work_name}: the advance guarantee is not concluded yet")
            advance_number = plan.advance.guarantee.number
        data = services.ApplicationInput(
            branch_id=plan.branch.pk,
            orderer_id=plan.orderer.orderer.pk,
            kind=plan.kind,
            work_category=plan.work_category,
            work_name=plan.work_name,
            contract_date=plan.contract_date,
            completion_date=plan.completion_date,
            contract_price=plan.contract_price,
            guaranteed_amount=plan.guaranteed_amount,
            delivery_method=plan.delivery_method,
            low_bid=plan.low_bid,
            deposit_bank=plan.deposit_bank,
            notes=plan.notes,
            advance_guarantee_number=advance_number,
        )
        plan.application = services.application_create(by=plan.contractor.user, data=data, now=plan.created)
        self.stamps.touch(Application, plan.application.pk, plan.created, created=True)

    def _submit(self, plan: Plan) -> None:
        at = _when(plan.submitted)
        plan.application = services.application_submit(application=_app(plan), by=plan.contractor.user, now=at)
        self.stamps.touch(Application, plan.application.pk, at)

    def _review(self, plan: Plan) -> None:
        at = _when(plan.reviewed)
        plan.application = services.application_start_review(application=_app(plan), by=plan.surety.clerk, now=at)
        self.stamps.touch(Application, plan.application.pk, at)

    def _decide(self, plan: Plan) -> None:
        at = _when(plan.decided)
        if plan.stop == S.REJECTED:
            plan.application = services.application_reject(
                application=_app(plan), by=plan.surety.approver, reason=plan.rejection_reason, now=at
            )
        else:
            plan.application = services.application_approve(application=_app(plan), by=plan.surety.approver, now=at)
        self.stamps.touch(Application, plan.application.pk, at)

    def _pay(self, plan: Plan) -> None:
        at = _when(plan.paid)
        plan.application = services.application_confirm_payment(
            application=_app(plan), by=plan.surety.clerk, received_on=business_date(at), now=at
        )
        self.stamps.touch(Application, plan.application.pk, at)

    def _conclude(self, plan: Plan) -> None:
        at = _when(plan.concluded)
        if plan.fixed_number:
            _jump_series(plan)
        guarantee = services.application_conclude(application=_app(plan), by=plan.surety.clerk, now=at).guarantee
        if plan.fixed_number and guarantee.number != plan.fixed_number:
            raise SeedError(f"expected {plan.fixed_number}, got {guarantee.number}")
        self.stamps.touch(Guarantee, guarantee.pk, at, created=True)
        self.stamps.touch(Application, _app(plan).pk, at)
        plan.guarantee = guarantee

    # -- hand-over to the orderer ---------------------------------------------------------

    def _dispatch(self, plan: Plan) -> None:
        guarantee = _guarantee(plan)
        if notice_department_for(guarantee=guarantee) is not None:
            notice_dispatch_send(guarantee=guarantee, by=plan.contractor.user, now=_when(plan.dispatched))

    def _verify(self, plan: Plan) -> None:
        guarantee = _guarantee(plan)
        key = access_key_plain(guarantee=guarantee)  # the key the orderer read off the notice
        if key is None:
            raise SeedError(f"{guarantee.number}: an electronic guarantee without a key")
        certificate_verify(
            user=plan.orderer.user, number=guarantee.number, key=key, client_ip=DEMO_ADDRESS, now=_when(plan.verified)
        )

    # -- changes -------------------------------------------------------------------------

    def _amend(self, project: Project, change: AmendmentPlan) -> None:
        """A 変更契約 of the works, through the back office's four eyes, one guarantee at a time.

        As in the office: a clerk enters the 変更申請, an approver approves it a little
        later, and only then is the next guarantee of the works entered. A price increase
        moves the interim advance first: the advance's new amount is checked against 6/10
        of the price its interim advance states.
        """
        plans = [
            plan
            for plan in sorted(project.plans, key=lambda p: p.kind != ref.INTERIM)
            if plan.guarantee is not None and plan.kind != ref.RESERVATION
        ]
        if change.new_price is None and change.new_completion is None:
            return
        self._enter_change(plans, change, change.at)

    def _enter_change(self, plans: list[Plan], change: AmendmentPlan, at: dt.datetime) -> None:
        if not plans:
            return
        plan, rest = plans[0], plans[1:]
        assert plan.guarantee is not None
        g = Guarantee.objects.get(pk=plan.guarantee.pk)
        if change.new_price is not None:
            price, amount = _amount_after(g, change.new_price)
            request = services.amendment_request_create(
                guarantee=g,
                by=plan.surety.clerk,
                amendment_type=AmendmentType.AMOUNT,
                contract_price=price,
                guaranteed_amount=amount,
                effective_on=change.effective_on,
                reason=change.reason,
                now=at,
            )
        else:
            request = services.amendment_request_create(
                guarantee=g,
                by=plan.surety.clerk,
                amendment_type=AmendmentType.PERIOD,
                completion_date=change.new_completion,
                effective_on=change.effective_on,
                reason=change.reason,
                now=at,
            )
        self.stamps.touch(AmendmentRequest, request.pk, at, created=True)
        approve_at = at + APPROVAL_AFTER
        self._add(approve_at, partial(self._approve_change, plan, request, rest, change, approve_at))

    def _approve_change(
        self, plan: Plan, request: AmendmentRequest, rest: list[Plan], change: AmendmentPlan, at: dt.datetime
    ) -> None:
        assert plan.guarantee is not None
        done = services.amendment_request_approve(request=request, by=plan.surety.approver, now=at)
        assert done.amendment is not None
        self.stamps.touch(AmendmentRequest, done.pk, at)
        self.stamps.touch(Amendment, done.amendment.pk, at, created=True)
        self.stamps.touch(Guarantee, plan.guarantee.pk, at)
        self._enter_change(rest, change, at + NEXT_ENTRY_AFTER)


def _when(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        raise SeedError("a step was scheduled without a time")
    return at


def _guarantee(plan: Plan) -> Guarantee:
    if plan.guarantee is None:
        raise SeedError(f"{plan.work_name}: a hand-over came before the guarantee was concluded")
    return Guarantee.objects.select_related("contractor", "orderer", "surety", "branch").get(pk=plan.guarantee.pk)


def _app(plan: Plan) -> Application:
    if plan.application is None:
        raise SeedError(f"{plan.work_name}: a step came before its application was created")
    return plan.application


def _jump_series(plan: Plan) -> None:
    """Move the branch's series to the number the leaflet prints (forward only: never reuse)."""
    wanted = int(plan.fixed_number)
    # The same lookup as numbering.number_allocate: the kind's own series, else the default.
    series = (
        NumberSeries.objects.filter(branch=plan.branch, kind=plan.kind).first()
        or NumberSeries.objects.filter(branch=plan.branch, kind="").first()
    )
    if series is None or not series.next_number <= wanted <= series.last_number:
        at = series.next_number if series is not None else None
        raise SeedError(f"cannot allocate {plan.fixed_number}: the series is at {at}")
    series.next_number = wanted
    series.save(update_fields=["next_number"])


def _amount_after(g: Guarantee, price: int) -> tuple[int, int]:
    """A new price; the guaranteed amount follows it where the rules tie them together."""
    if g.kind == ref.ADVANCE:
        old_limit = advance_limit(price=g.contract_price, work_category=g.work_category, low_bid=g.low_bid)
        new_limit = advance_limit(price=price, work_category=g.work_category, low_bid=g.low_bid)
        amount = new_limit if g.guaranteed_amount == old_limit else min(g.guaranteed_amount, new_limit)
    elif g.kind == ref.PERFORMANCE:
        amount = performance_minimum(price=price, low_bid=g.low_bid)
    else:
        # An interim advance keeps its amount on the new price (only increases are planned
        # for works with one), so advance + interim stay within 6/10.
        amount = g.guaranteed_amount
    return price, amount
