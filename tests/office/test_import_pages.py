"""The 一括取込 pages of the office: upload, template, errors CSV, the worker hand-off, who sees them.

The import itself (whole file checked first, all lines or none) is tested in tests/guarantees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import esurety.guarantees.imports as imports
from esurety.guarantees.imports import (
    COLUMN_NAMES,
    SYNC_BYTE_LIMIT,
    import_batch_process,
    import_batch_upload,
    import_batches_process_pending,
)
from esurety.guarantees.models import Guarantee, ImportBatch, ImportStatus
from esurety.parties.models import Role, User
from tests.factories import World, make_user
from tests.office.operations import client_for, csv_bytes, line, other_surety_staff

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


# -- the page ------------------------------------------------------------------------------------


def test_page_upload_small_file_is_processed_at_once(world: World, admin) -> None:
    client = client_for(admin)
    page = client.get("/office/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in COLUMN_NAMES:
        assert name in html
    template = client.get("/office/imports/template.csv")
    assert template.status_code == 200
    assert template.content.startswith(b"\xef\xbb\xbf")
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMN_NAMES)

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("core.csv", csv_bytes([line(world), line(world, 工事名="x", 保証金額="abc")]))
    response = client.post("/office/imports/", {"file": upload}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "エラー" in html
    assert "何も取り込んでいません" in html
    assert "保証金額「abc」は円単位の整数ではありません。" in html
    batch = ImportBatch.objects.get()
    errors_csv = client.get(f"/office/imports/{batch.pk}/errors.csv")
    assert "保証金額「abc」は円単位の整数ではありません。" in b"".join(errors_csv.streaming_content).decode("utf-8-sig")

    upload = SimpleUploadedFile("core2.csv", csv_bytes([line(world)]))
    response = client.post("/office/imports/", {"file": upload}, follow=True)
    assert "取込済" in response.content.decode()
    assert Guarantee.objects.filter(work_name="〇〇道路改良工事").count() == 1


def test_page_large_file_goes_to_the_worker(world: World, admin, settings, monkeypatch) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    import esurety.guarantees.imports as imports

    monkeypatch.setattr(imports.batches, "SYNC_LINE_LIMIT", 1)
    client = client_for(admin)
    lines = [line(world, 工事名=f"工事{i}") for i in range(3)]
    response = client.post("/office/imports/", {"file": SimpleUploadedFile("big.csv", csv_bytes(lines))}, follow=True)
    html = response.content.decode()
    assert "検証中" in html
    assert not Guarantee.objects.filter(work_name__startswith="工事").exists()
    import_batches_process_pending(now=timezone.now())
    detail = client.get(f"/office/imports/{ImportBatch.objects.get().pk}/")
    assert "取込済" in detail.content.decode()
    assert Guarantee.objects.filter(work_name__startswith="工事").count() == 3


def test_page_refuses_missing_file_politely(world: World, admin) -> None:
    response = client_for(admin).post("/office/imports/", {})
    assert response.status_code == 200
    assert "CSVファイルを選択してください。" in response.content.decode()


@pytest.mark.parametrize("who", ["contractor_user", "orderer_user", "other_surety", "anonymous"])
def test_pages_do_not_exist_for_others(world: World, admin, who: str) -> None:
    batch = import_batch_upload(by=admin, file_name="a.csv", content=csv_bytes([line(world)]), now=NOW)
    if who == "other_surety":
        user = other_surety_staff()[1]
    elif who == "anonymous":
        user = None
    else:
        user = getattr(world, who)
    client = client_for(user)
    urls = [f"/office/imports/{batch.pk}/", f"/office/imports/{batch.pk}/errors.csv"]
    if who != "other_surety":
        urls += ["/office/imports/", "/office/imports/template.csv"]
    for url in urls:
        response = client.get(url)
        if user is None:
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        else:
            assert response.status_code == 404, url
    if who == "other_surety":
        # Their own list, without this surety's batch.
        assert "a.csv" not in client.get("/office/imports/").content.decode()


def test_clerk_sees_page_without_upload_form(world: World) -> None:
    html = client_for(world.clerk).get("/office/imports/").content.decode()
    assert 'type="file"' not in html
    assert "承認者・支店長・管理者" in html


def test_a_large_cr_only_upload_goes_to_the_worker(world: World, admin: User) -> None:
    rows = [line(world, 工事名=f"工事{i}") for i in range(3)]
    content = csv_bytes(rows).replace(b"\r\n", b"\r")
    content += b"\r" * (SYNC_BYTE_LIMIT - len(content) + 1)  # blank lines: bigger than the limit, still valid
    assert b"\n" not in content
    response = client_for(admin).post("/office/imports/", {"file": SimpleUploadedFile("cr.csv", content)})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.VALIDATING  # left to the worker, not run in the request
    imports.import_batches_process_pending(now=timezone.now())
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED, batch.errors
    assert batch.line_count == 3
    assert Guarantee.objects.filter(work_name__startswith="工事").count() == 3
