"""Issue 5 point 7: a 100,000-line CSV from a core system, validated whole and imported in one transaction.

The suite brings its own surety, branch (with a number series), contractor and
orderer (with adoption rules), imports into the 1,000,000-guarantee data set,
then deletes what it imported (dataset.build rebuilds when the count differs)
and rewinds the audit chain head, so the chain stays valid for the next run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from bench.dataset import FACILITIES, PASSWORD, PLACES, WORKS, Dataset
from bench.suites import suite
from esurety.audit.models import AuditChainHead, AuditEntry
from esurety.core.kinds import GuaranteeKind, WorkCategory
from esurety.guarantees.imports import COLUMN_NAMES, import_batch_process, import_batch_upload, import_validate
from esurety.guarantees.models import Guarantee, ImportBatch, ImportStatus, NumberSeries
from esurety.parties.models import Branch, Contractor, ElectronicAdoption, Orderer, Role, SuretyCompany, User

LINES = 100_000
SERIES_FIRST = 6_000_000_000
EXPLICIT_FIRST = 7_000_000_000


def _parties() -> tuple[SuretyCompany, Branch, Contractor, Orderer, User]:
    surety, _ = SuretyCompany.objects.get_or_create(
        name="ベンチ取込保証株式会社",
        defaults={"postal_code": "100-0001", "address": "東京都千代田区1-1", "representative_name": "代表 一郎"},
    )
    branch, _ = Branch.objects.get_or_create(
        surety=surety, name="取込支店", defaults={"address": "東京都", "tel": "03-0000-0000"}
    )
    NumberSeries.objects.update_or_create(
        branch=branch,
        kind="",
        defaults={"first_number": SERIES_FIRST, "last_number": SERIES_FIRST + 9_999_999, "next_number": SERIES_FIRST},
    )
    contractor, _ = Contractor.objects.get_or_create(
        name="ベンチ取込建設株式会社", defaults={"address": "東京都", "representative_name": "代表"}
    )
    orderer, created = Orderer.objects.get_or_create(name="ベンチ取込市上下水道事業管理者")
    if created:
        for category in WorkCategory.values:
            for kind in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE):
                ElectronicAdoption.objects.create(
                    orderer=orderer, work_category=category, kind=kind, effective_from=dt.date(2020, 4, 1)
                )
    admin = User.objects.filter(username="bench-import-admin").first() or User.objects.create_user(
        "bench-import-admin", password=PASSWORD, surety=surety, role=Role.SURETY_ADMIN
    )
    if not User.objects.filter(username="bench-import-contractor").exists():
        User.objects.create_user(
            "bench-import-contractor",
            password=PASSWORD,
            email="bench-import@example.com",
            contractor=contractor,
            role=Role.ORG_ADMIN,
        )
    return surety, branch, contractor, orderer, admin


def make_csv(*, lines: int, branch: Branch, contractor: Contractor, orderer: Orderer) -> bytes:
    """Valid lines in groups of ten works-lines: an advance with its number, its performance
    and interim guarantees pointing at it, and seven advances numbered from the series."""
    rng = random.Random(20261127)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for i in range(lines):
        group, slot = divmod(i, 10)
        price = rng.randrange(10_000_000, 900_000_000, 1000)
        contract = dt.date(2021, 4, 1) + dt.timedelta(days=(i * 13) % 1500)
        completion = contract + dt.timedelta(days=90 + i % 600)
        place = PLACES[i % len(PLACES)]
        name = f"{place}{rng.choice(PLACES)}地区{rng.choice(FACILITIES)}{rng.choice(WORKS)}（第{group}-{slot}号）"
        advance_number = f"{EXPLICIT_FIRST + group:010d}"
        number, kind, advance_ref, amount = "", "前払", "", (price * 4 // 10) // 100_000 * 100_000
        bank = "ベンチ銀行 本店"
        if slot in (0, 1, 2):
            # One works, three guarantees: the number of the advance ties them together.
            group_price = 500_000_000 + group % 1000 * 1000
            price = group_price
            contract = dt.date(2021, 4, 1) + dt.timedelta(days=group % 1500)
            completion = contract + dt.timedelta(days=365)
            facility = FACILITIES[group % len(FACILITIES)]
            name = f"{PLACES[group % len(PLACES)]}地区{facility}{WORKS[group % 6]}（第{group}号）"
            if slot == 0:
                number, amount = advance_number, price * 4 // 10 // 100_000 * 100_000
            elif slot == 1:
                kind, advance_ref, amount, bank = "契約", advance_number, -(-price // 10), ""
            else:
                kind, advance_ref, amount = "中間前払", advance_number, price * 2 // 10 // 100_000 * 100_000
        writer.writerow(
            [
                number,
                branch.name,
                str(contractor.pk),
                contractor.name,
                orderer.name,
                kind,
                "工事",
                name,
                contract.isoformat(),
                completion.isoformat(),
                f"{price:,}",
                "",
                str(amount),
                "0",
                bank,
                advance_ref,
                "書面" if i % 10 == 9 else "電子交付",
                (contract + dt.timedelta(days=7)).isoformat(),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _cleanup(*, surety: SuretyCompany, branch: Branch, first_audit_id: int | None) -> None:
    """Remove what the import wrote, so the data set keeps exactly dataset.TOTAL guarantees."""
    with transaction.atomic(), connection.cursor() as cur:
        ids = "SELECT id FROM guarantees_guarantee WHERE surety_id = %s"
        cur.execute(f"DELETE FROM guarantees_accesskey WHERE guarantee_id IN ({ids})", [surety.pk])
        cur.execute(f"DELETE FROM guarantees_certificate WHERE guarantee_id IN ({ids})", [surety.pk])
        # Riders first: they point at their advance.
        cur.execute(
            "DELETE FROM guarantees_guarantee WHERE surety_id = %s AND advance_guarantee_id IS NOT NULL", [surety.pk]
        )
        cur.execute("DELETE FROM guarantees_guarantee WHERE surety_id = %s", [surety.pk])
        cur.execute(
            "DELETE FROM notifications_outboxmessage WHERE object_type = 'ImportBatch' AND object_id IN"
            " (SELECT id::text FROM guarantees_importbatch WHERE surety_id = %s)",
            [surety.pk],
        )
        if first_audit_id is not None:
            first = AuditEntry.objects.get(pk=first_audit_id)
            # Rewind the chain to just before this run: the remaining chain verifies as before.
            AuditEntry.objects.filter(pk__gte=first_audit_id).delete()
            AuditChainHead.objects.filter(pk=1).update(last_hash=first.prev_hash)
        ImportBatch.objects.filter(surety=surety).delete()
        NumberSeries.objects.filter(branch=branch).update(next_number=SERIES_FIRST)


@suite("bulk_import")
def bulk_import(data: Dataset) -> dict[str, object]:
    surety, branch, contractor, orderer, admin = _parties()
    _cleanup(surety=surety, branch=branch, first_audit_id=None)
    before = Guarantee.objects.count()

    t0 = time.perf_counter()
    content = make_csv(lines=LINES, branch=branch, contractor=contractor, orderer=orderer)
    generate_s = time.perf_counter() - t0
    print(f"   generated {LINES:,} lines ({len(content) / 1e6:.1f} MB) in {generate_s:.1f} s")

    # Validation alone (read-only), to show how the total splits.
    t0 = time.perf_counter()
    checked = import_validate(surety=surety, by=admin, content=content, today=timezone.localdate())
    validate_s = time.perf_counter() - t0
    assert checked.error_count == 0, checked.errors[:5]
    print(f"   validation alone: {validate_s:.1f} s")

    first_audit_id = None
    try:
        now = timezone.now()
        batch = import_batch_upload(by=admin, file_name="bench-100k.csv", content=content, now=now)
        first_audit_id = AuditEntry.objects.filter(action="import_batch.upload", object_id=str(batch.pk)).values_list(
            "pk", flat=True
        )[0]
        t0 = time.perf_counter()
        done = import_batch_process(batch_id=batch.pk, now=now)
        total_s = time.perf_counter() - t0
        assert done is not None and done.status == ImportStatus.IMPORTED, done and done.errors[:5]
        imported = Guarantee.objects.count() - before
        assert imported == LINES, imported
        print(f"   imported {imported:,} guarantees in {total_s:.1f} s (validation + writes, one transaction)")
        audit_entries = AuditEntry.objects.filter(pk__gte=first_audit_id).count()
    finally:
        t0 = time.perf_counter()
        _cleanup(surety=surety, branch=branch, first_audit_id=first_audit_id)
        cleanup_s = time.perf_counter() - t0
    assert Guarantee.objects.count() == before
    return {
        "lines": LINES,
        "file_mb": round(len(content) / 1e6, 1),
        "validate_only_s": round(validate_s, 1),
        "import_total_s": round(total_s, 1),
        "lines_per_s": round(LINES / total_s),
        "audit_entries_written": audit_entries,
        "cleanup_s": round(cleanup_s, 1),
        "limit_s": 120,
    }
