"""一括取込: writing a validated file — numbers, guarantees, certificates, access keys, audit, mails — in bulk."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from typing import Any

from esurety.audit.services import AuditItem, audit_record_many
from esurety.core.bulk import bulk_insert
from esurety.core.kinds import DeliveryMethod, kind_full_name
from esurety.core.wareki import format_wareki
from esurety.guarantees.events import guarantees_issued_publish_many
from esurety.guarantees.imports.validation import Row, chunks, series_for
from esurety.guarantees.models import Certificate, Guarantee, GuaranteeStatus, ImportBatch, NumberSeries
from esurety.guarantees.services.access_keys import access_keys_build_many
from esurety.guarantees.services.issuance import certificate_snapshot
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import SuretyCompany, User

# The package's name, as before the split into modules: log filters and searches keep working.
logger = logging.getLogger("esurety.guarantees.imports")

# The summary mail lists this many numbers; the rest are in the portal's list.
MAIL_LIST_LIMIT = 100


class ImportConflict(Exception):
    """Something changed between validation and the writes (a number taken meanwhile)."""


def _allocate(rows: list[Row]) -> None:
    """Give numbers to the lines without one, from their branch's series, under its row lock."""
    wanting = [r for r in rows if not r.number]
    if not wanting:
        return
    branch_ids = sorted({r.branch.pk for r in wanting if r.branch})
    # Locked in a fixed order (by id) so that two imports cannot deadlock.
    locked = list(NumberSeries.objects.select_for_update().filter(branch_id__in=branch_ids).order_by("id"))
    series = {(s.branch_id, s.kind): s for s in locked}
    for row in wanting:
        assert row.branch is not None and row.kind is not None
        s = series_for(series, row.branch.pk, row.kind)
        if s is None or s.next_number > s.last_number:
            raise ImportConflict("保証契約番号の採番範囲が足りなくなりました。")
        row.number = f"{s.next_number:010d}"
        s.next_number += 1
    for s in locked:
        NumberSeries.objects.filter(pk=s.pk).update(next_number=s.next_number)


def _guarantee(row: Row, surety: SuretyCompany, now: dt.datetime) -> Guarantee:
    assert row.branch and row.contractor and row.orderer and row.kind and row.work_category
    assert row.contract_date and row.completion_date and row.delivery_method and row.issued_on
    assert row.contract_price is not None and row.guaranteed_amount is not None
    # Ids rather than objects: setting a relation through its descriptor costs more than
    # everything else in building 100,000 instances.
    return Guarantee(
        number=row.number,
        surety_id=surety.pk,
        branch_id=row.branch.pk,
        contractor_id=row.contractor.pk,
        orderer_id=row.orderer.pk,
        kind=row.kind,
        work_category=row.work_category,
        work_name=row.work_name,
        contract_date=row.contract_date,
        completion_date=row.completion_date,
        contract_price=row.contract_price,
        contract_price_consideration=row.contract_price_consideration,
        guaranteed_amount=row.guaranteed_amount,
        low_bid=bool(row.low_bid),
        deposit_bank=row.deposit_bank,
        delivery_method=row.delivery_method,
        period_end=row.completion_date,
        status=GuaranteeStatus.ACTIVE,
        concluded_at=now,
        current_version=1,
        latest_issued_on=row.issued_on,
        is_amended=False,
    )


def _certificate(g: Guarantee, row: Row, surety: SuretyCompany, by: User, now: dt.datetime) -> Certificate:
    # The same snapshot as a conclusion's, built in memory for one bulk insert.
    assert row.branch and row.contractor and row.orderer and row.issued_on
    return certificate_snapshot(
        guarantee=g,
        surety=surety,
        branch=row.branch,
        contractor=row.contractor,
        orderer=row.orderer,
        version=1,
        is_amendment=False,
        issued_on=row.issued_on,
        issued_at=now,
        by=by,
    )


def _summary_mails(surety: SuretyCompany, rows: list[Row], batch: ImportBatch, now: dt.datetime) -> int:
    """One お知らせ per contractor user listing the new electronic certificates, not one per guarantee."""
    by_contractor: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.delivery_method == DeliveryMethod.ELECTRONIC and row.contractor is not None:
            by_contractor[row.contractor.pk].append(row)
    sent = 0
    for contractor_id, items in by_contractor.items():
        items.sort(key=lambda r: r.number)
        contractor = items[0].contractor
        assert contractor is not None
        listed = [
            {
                "number": r.number,
                "kind_full_name": kind_full_name(r.kind or ""),
                "work_name": r.work_name,
                "orderer_name": r.orderer.name if r.orderer else r.orderer_name,
                "issued_on": format_wareki(r.issued_on, padded=False),
            }
            for r in items[:MAIL_LIST_LIMIT]
        ]
        context = {
            "contractor_name": contractor.name,
            "surety_name": surety.name,
            "count": len(items),
            "rows": listed,
            "more": max(0, len(items) - MAIL_LIST_LIMIT),
        }
        addresses = (
            User.objects.filter(contractor_id=contractor_id, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        # One message per user: colleagues' addresses are not shown to each other.
        for address in addresses:
            if outbox_enqueue(template="guarantees_imported", to=[address], context=context, at=now, obj=batch):
                sent += 1
    return sent


def _snapshot(g: Guarantee, batch: ImportBatch) -> dict[str, Any]:
    return {
        "number": g.number,
        "version": 1,
        "kind": g.kind,
        "work_name": g.work_name,
        "contract_price": g.contract_price,
        "guaranteed_amount": g.guaranteed_amount,
        "electronic": g.delivery_method == DeliveryMethod.ELECTRONIC,
        "status": g.status,
        "import_batch": batch.pk,
    }


class _Phases:
    """Durations of the import's steps, logged: where the time of a big file goes."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        logger.info("import batch %s: %s %.1f s", self.batch_id, name, now - self.last)
        self.last = now


def _write(*, batch: ImportBatch, rows: list[Row], by: User, now: dt.datetime) -> list[Guarantee]:
    surety = batch.surety
    phases = _Phases(batch.pk)
    _allocate(rows)
    phases.done("numbers")
    # Advances first: interim and performance lines of the same file point at them.
    in_file = {r.number for r in rows}
    first = [r for r in rows if not (r.advance_number and r.advance_number in in_file)]
    second = [r for r in rows if r.advance_number and r.advance_number in in_file]
    outside = sorted({r.advance_number for r in rows if r.advance_number and r.advance_number not in in_file})
    advance_ids: dict[str, int] = {}
    for chunk in chunks(outside):
        advance_ids.update(Guarantee.objects.filter(number__in=list(chunk)).values_list("number", "id"))

    created: list[Guarantee] = []
    for group in (first, second):
        objs = []
        for row in group:
            g = _guarantee(row, surety, now)
            if row.advance_number:
                g.advance_guarantee_id = advance_ids[row.advance_number]
            objs.append(g)
        bulk_insert(objs)
        for g in objs:
            advance_ids[g.number] = g.pk
        created.extend(objs)
    phases.done("guarantees")

    row_of = {r.number: r for r in rows}
    bulk_insert([_certificate(g, row_of[g.number], surety, by, now) for g in created])
    phases.done("certificates")
    electronic = [g for g in created if g.delivery_method == DeliveryMethod.ELECTRONIC]
    bulk_insert(access_keys_build_many(electronic, by=by, now=now))
    phases.done("access keys")
    guarantees_issued_publish_many(surety=surety, guarantees=created, now=now)
    phases.done("webhooks")
    # Last, so that the chain head (which every audited write waits for) is held briefly.
    audit_record_many(
        actor=by,
        at=now,
        items=[
            AuditItem(
                action="guarantee.import",
                object_type="Guarantee",
                object_id=str(g.pk),
                after=_snapshot(g, batch),
                surety_id=surety.pk,
                branch_id=g.branch_id,
            )
            for g in created
        ],
    )
    phases.done("audit entries")
    return created
