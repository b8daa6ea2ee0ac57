"""一括取込: the whole file is checked first; all lines are imported, or none."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.core.normalize import normalize_search_text
from esurety.guarantees import services
from esurety.guarantees.imports import (
    COLUMN_NAMES,
    import_batch_process,
    import_batch_upload,
    import_batches_process_pending,
    parse_date,
)
from esurety.guarantees.models import AccessKey, Certificate, Guarantee, ImportBatch, ImportStatus, NumberSeries
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Role
from tests.factories import World, make_contractor, make_guarantee, make_orderer, make_user
from tests.office.operations import csv_bytes, line

NOW = timezone.make_aware(dt.datetime(2026, 5, 1, 10, 0))


@pytest.fixture
def admin(world: World):
    return make_user("office-admin", surety=world.surety, role=Role.SURETY_ADMIN)


def run(world: World, by, content: bytes) -> ImportBatch:
    batch = import_batch_upload(by=by, file_name="import.csv", content=content, now=NOW)
    done = import_batch_process(batch_id=batch.pk, now=NOW)
    assert done is not None
    return done


def errors_of(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [(e["line"], e["column"], e["message"]) for e in batch.errors]


# -- a good file -------------------------------------------------------------------------------


def test_good_file_imports_guarantee_certificate_key_audit_and_one_mail(world: World, admin) -> None:
    g0 = Guarantee.objects.count()
    series_before = NumberSeries.objects.get(branch=world.branch).next_number
    content = csv_bytes(
        [
            line(world),
            line(world, 工事名="△△トンネル工事", 保証契約番号="2070900001"),
            line(
                world,
                区分="契約",
                工事名="△△トンネル工事",
                保証金額="10000000",
                預託金融機関="",
                前払金保証番号="2070900001",
            ),
            line(world, 工事名="書面の工事", 受取方法="書面"),
        ]
    )
    batch = run(world, admin, content)

    assert batch.status == ImportStatus.IMPORTED, batch.errors
    assert batch.imported_count == 4
    assert batch.line_count == 4
    assert Guarantee.objects.count() == g0 + 4
    imported = Guarantee.objects.filter(work_name__in=["〇〇道路改良工事", "△△トンネル工事", "書面の工事"])
    # Empty numbers come from the branch's series, in file order.
    allocated = imported.get(work_name="〇〇道路改良工事")
    assert allocated.number == f"{series_before:010d}"
    assert NumberSeries.objects.get(branch=world.branch).next_number == series_before + 3
    # Bulk-written rows (COPY on PostgreSQL) carry their 工事名 folded for search too.
    found = imported.filter(work_name_search__contains=normalize_search_text("ﾄﾝﾈﾙ"))
    assert {g.work_name for g in found} == {"△△トンネル工事"}
    performance = imported.get(kind="PERFORMANCE")
    assert performance.advance_guarantee is not None
    assert performance.advance_guarantee.number == "2070900001"
    for g in imported:
        cert = Certificate.objects.get(guarantee=g)
        assert (cert.version, cert.issued_on, cert.contractor_name) == (1, dt.date(2026, 4, 15), "株式会社〇〇建設")
        assert (g.current_version, g.latest_issued_on, g.period_end) == (1, dt.date(2026, 4, 15), g.completion_date)
        entry = AuditEntry.objects.get(action="guarantee.import", object_id=str(g.pk))
        assert entry.actor_id == admin.pk
        assert entry.after["number"] == g.number
        assert entry.surety_id_scope == world.surety.pk
    # A key for each electronic guarantee only; the contractor can read it.
    assert AccessKey.objects.filter(guarantee__in=imported).count() == 3
    assert services.access_key_plain(guarantee=allocated) is not None
    assert services.access_key_plain(guarantee=imported.get(work_name="書面の工事")) is None
    # One summary mail per contractor user, listing the three electronic numbers.
    mail = OutboxMessage.objects.get(template="guarantees_imported")
    assert mail.to == ["alice@example.com"]
    assert "（3件）" in mail.subject
    for g in imported.exclude(work_name="書面の工事"):
        assert g.number in mail.body_text
    assert "書面の工事" not in mail.body_text
    assert audit_verify() is None


def test_shift_jis_and_bom_files_are_read(world: World, admin) -> None:
    sjis = run(world, admin, csv_bytes([line(world)], encoding="cp932"))
    assert sjis.status == ImportStatus.IMPORTED, sjis.errors
    assert sjis.encoding == "Shift_JIS"
    bom = run(world, admin, csv_bytes([line(world, 工事名="BOM付きの工事")], encoding="utf-8-sig"))
    assert bom.status == ImportStatus.IMPORTED, bom.errors
    assert bom.encoding == "UTF-8 (BOM付き)"
    assert Guarantee.objects.filter(work_name="BOM付きの工事").exists()


def test_full_width_values_and_wareki_dates(world: World, admin) -> None:
    batch = run(
        world,
        admin,
        csv_bytes([line(world, 保証金額="４０，０００，０００", 契約締結日="令和8年4月10日", 証書発行日="2026/4/15")]),
    )
    assert batch.status == ImportStatus.IMPORTED, batch.errors
    g = Guarantee.objects.get(work_name="〇〇道路改良工事")
    assert (g.guaranteed_amount, g.contract_date) == (40_000_000, dt.date(2026, 4, 10))


def test_parse_date_formats() -> None:
    assert parse_date("2026-04-10") == dt.date(2026, 4, 10)
    assert parse_date("20260410") == dt.date(2026, 4, 10)
    assert parse_date("令和元年5月1日") == dt.date(2019, 5, 1)
    assert parse_date("令和元年4月30日") is None  # before 令和 began
    assert parse_date("2026-02-30") is None
    assert parse_date("4/10") is None


# -- a bad file: nothing is imported ------------------------------------------------------------


def test_every_bad_line_is_reported_and_nothing_is_imported(world: World, admin) -> None:
    existing = make_guarantee(world, work_name="既存の工事")
    make_orderer("紙だけの市", adopt_from=None)
    before = (Guarantee.objects.count(), Certificate.objects.count(), AccessKey.objects.count())
    series_before = NumberSeries.objects.get(branch=world.branch).next_number
    mails_before = OutboxMessage.objects.count()
    content = csv_bytes(
        [
            line(world),  # line 2: good
            line(world, 工事名="工事3", 保証金額="50,000,000"),  # above 4/10
            line(world, 工事名="工事4", 保証契約番号=existing.number),  # number taken
            line(world, 工事名="工事5", 保証契約者="存在しない建設"),
            line(world, 工事名="工事6", 発注者="紙だけの市"),  # electronic not adopted
            line(world, 工事名="工事7", 契約締結日="2026-13-01"),
            line(world, 工事名="工事8", 区分="前金"),
            line(world, 工事名="工事9", 区分="契約", 保証金額="10000000"),  # no advance
            line(world, 工事名="別の工事", 保証契約番号="2070900005"),  # line 10: good
            line(world, 工事名="別の工事２", 保証契約番号="2070900005"),  # duplicate number in the file
            line(world),  # line 12: same as line 2
            line(world, 工事名="工事13", 証書発行日="2099-01-01"),  # future
            line(world, 工事名="工事14", 取次場所="存在しない支店"),
            line(world, 工事名=existing.work_name),  # line 15: already registered
        ]
    )
    batch = run(world, admin, content)

    assert batch.status == ImportStatus.REJECTED
    assert batch.imported_count == 0
    assert batch.line_count == 14
    assert (Guarantee.objects.count(), Certificate.objects.count(), AccessKey.objects.count()) == before
    assert NumberSeries.objects.get(branch=world.branch).next_number == series_before
    assert OutboxMessage.objects.count() == mails_before
    found = errors_of(batch)
    by_line: dict[int, list[tuple[str, str]]] = {}
    for n, col, msg in found:
        by_line.setdefault(n, []).append((col, msg))
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15]
    assert [c for c, _ in by_line[3]] == ["保証金額"] and "40,000,000円以下" in by_line[3][0][1]
    assert by_line[4] == [("保証契約番号", f"保証契約番号 {existing.number} はすでに登録されています。")]
    assert by_line[5] == [("保証契約者", "保証契約者「存在しない建設」は登録されていません。")]
    assert [c for c, _ in by_line[6]] == ["受取方法"] and "紙だけの市は" in by_line[6][0][1]
    assert by_line[7] == [("契約締結日", "契約締結日「2026-13-01」は日付として読めません（例: 2026-04-10）。")]
    assert [c for c, _ in by_line[8]] == ["区分"]
    assert [c for c, _ in by_line[9]] == ["前払金保証番号"]
    assert by_line[11] == [("保証契約番号", "保証契約番号 2070900005 が10行目と重複しています。")]
    assert by_line[12] == [("工事名", "2行目と同じ保証契約（保証契約者・発注者・区分・工事名・契約締結日）です。")]
    assert [c for c, _ in by_line[13]] == ["証書発行日"]
    assert by_line[14] == [("取次場所", "取次場所「存在しない支店」は西日本建設業保証株式会社に登録されていません。")]
    assert by_line[15] == [("工事名", f"同じ保証契約がすでに登録されています（保証契約番号 {existing.number}）。")]
    assert batch.error_count == len(found)
    assert AuditEntry.objects.filter(action="import_batch.reject", object_id=str(batch.pk)).exists()


def test_header_problems_are_reported(world: World, admin) -> None:
    header = [c for c in COLUMN_NAMES if c != "保証金額"] + ["備考"]
    batch = run(world, admin, csv_bytes([line(world)], header=header))
    assert batch.status == ImportStatus.REJECTED
    assert sorted(errors_of(batch)) == [
        (1, "保証金額", "見出し「保証金額」がありません。"),
        (1, "備考", "見出し「備考」は取込の項目にありません。"),
    ]


def test_unreadable_and_empty_files(world: World, admin) -> None:
    binary = run(world, admin, b"\x89PNG\r\n\x1a\n\xff\xfe\xfa")
    assert errors_of(binary) == [
        (1, "", "ファイルの文字コードを判別できません。UTF-8 または Shift_JIS のCSVで保存してください。")
    ]
    only_header = run(world, admin, csv_bytes([]))
    assert errors_of(only_header) == [(2, "", "データ行がありません。")]
    ragged = run(world, admin, csv_bytes([line(world)]) + "2070000001,大塚支店\r\n".encode())
    assert ragged.status == ImportStatus.REJECTED
    assert ragged.errors[0]["line"] == 3
    assert "項目の数が2個" in ragged.errors[0]["message"]


def test_same_name_contractors_need_the_id(world: World, admin) -> None:
    twin = make_contractor(world.contractor.name)
    batch = run(world, admin, csv_bytes([line(world)]))
    assert errors_of(batch) == [
        (2, "保証契約者", "「株式会社〇〇建設」という保証契約者が複数あります。保証契約者IDを指定してください。")
    ]
    by_id = run(world, admin, csv_bytes([line(world, 保証契約者ID=str(twin.pk))]))
    assert by_id.status == ImportStatus.IMPORTED, by_id.errors
    assert Guarantee.objects.get(work_name="〇〇道路改良工事").contractor_id == twin.pk


def test_number_inside_an_unused_series_range_is_refused(world: World, admin) -> None:
    series = NumberSeries.objects.get(branch=world.branch)
    batch = run(world, admin, csv_bytes([line(world, 保証契約番号=f"{series.next_number + 5:010d}")]))
    assert batch.status == ImportStatus.REJECTED
    assert "採番範囲の未使用番号" in batch.errors[0]["message"]


def test_branch_staff_import_only_their_branch(world: World) -> None:
    from esurety.parties.models import Branch

    other_branch = Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市", tel="088-000-0000")
    manager = make_user("otsuka-manager", surety=world.surety, branch=world.branch, role=Role.BRANCH_MANAGER)
    batch = run(world, manager, csv_bytes([line(world, 取次場所=other_branch.name, 保証契約番号="2070900009")]))
    assert errors_of(batch) == [(2, "取次場所", "取次場所「徳島支店」の案件は取り込めません（自支店の案件のみ）。")]


def test_clerks_cannot_import(world: World) -> None:
    from esurety.core.errors import DomainError

    with pytest.raises(DomainError, match="一括取込の権限がありません"):
        import_batch_upload(by=world.clerk, file_name="a.csv", content=csv_bytes([line(world)]), now=NOW)


# -- worker and command -------------------------------------------------------------------------


# The worker runs as in production, outside any transaction (it closes connections left in one).
@pytest.mark.django_db(transaction=True)
def test_worker_processes_pending_batches(world: World, admin) -> None:
    batch = import_batch_upload(by=admin, file_name="big.csv", content=csv_bytes([line(world)]), now=NOW)
    assert batch.status == ImportStatus.VALIDATING
    call_command("run_worker", "--once", stdout=io.StringIO())
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    assert import_batches_process_pending(now=NOW) == 0


def test_management_command(world: World, admin, tmp_path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([line(world)], encoding="cp932"))
    call_command("import_guarantees", str(good), "--user", admin.username, stdout=io.StringIO())
    assert Guarantee.objects.filter(work_name="〇〇道路改良工事").count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([line(world, 工事名="別", 保証金額="x")]))
    with pytest.raises(CommandError, match="エラー 1件"):
        call_command("import_guarantees", str(bad), "--user", admin.username, stdout=io.StringIO())
