"""一括取込 of crafted files: every problem is named by line and column, never 「システムエラー」.

Issue 11, item 7: the request-or-worker split by size, a 200,000-character field,
dates outside the business range, NUL, bidi and zero-width characters.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esurety.guarantees.imports import (
    SYNC_BYTE_LIMIT,
    import_batch_process,
    import_batch_upload,
    line_count,
    runs_in_request,
)
from esurety.guarantees.models import Guarantee, ImportBatch, ImportStatus
from esurety.parties.models import Role, User
from tests.factories import World, make_user
from tests.office.operations import csv_bytes, line

NOW = timezone.make_aware(dt.datetime(2026, 5, 1, 10, 0))
RANGE = "2000年1月1日から2099年12月31日までの日付にしてください。"


@pytest.fixture
def admin(world: World) -> User:
    return make_user("office-admin", surety=world.surety, role=Role.SURETY_ADMIN)


def run(by: User, content: bytes) -> ImportBatch:
    batch = import_batch_upload(by=by, file_name="import.csv", content=content, now=NOW)
    done = import_batch_process(batch_id=batch.pk, now=NOW)
    assert done is not None
    return done


def errors_of(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [(e["line"], e["column"], e["message"]) for e in batch.errors]


# -- in the request or by the worker -------------------------------------------------------------


def test_lines_are_counted_with_any_line_ending() -> None:
    assert line_count(b"") == 0
    assert line_count(b"a") == 1
    assert line_count(b"a\r\nb\r\n") == 2
    assert line_count(b"a\rb\rc") == 3  # old Mac / some core systems: CR only
    assert line_count(b"a\nb\rc\r\n") == 3
    assert line_count("工事\r名".encode("cp932")) == 2


def test_the_split_is_decided_by_size_then_by_lines() -> None:
    assert runs_in_request(b"h\n" + b"x\n" * 1_000)
    assert not runs_in_request(b"h\n" + b"x\n" * 1_001)
    # One long CR-only file: no "\n" at all, yet far too big to process in the request.
    assert not runs_in_request(b"h\r" + b"x" * SYNC_BYTE_LIMIT)
    assert not runs_in_request(b"h\r" + b"x\r" * 2_000)


# -- a bad cell is named by line and column ----------------------------------------------------------


def test_a_200000_character_field_is_named_by_line_and_column(world: World, admin: User) -> None:
    content = csv_bytes([line(world), line(world, 工事名="長" * 200_000)])
    batch = run(admin, content)
    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [(3, "工事名", "値が長すぎます（200,000文字）。1,000文字以内にしてください。")]
    assert not Guarantee.objects.exists()


def test_a_long_field_in_any_column_is_named_without_repeating_it(world: World, admin: User) -> None:
    batch = run(admin, csv_bytes([line(world, 区分="前" * 5_000, 保証金額="9" * 5_000)]))
    assert sorted(errors_of(batch)) == [
        (2, "保証金額", "値が長すぎます（5,000文字）。1,000文字以内にしてください。"),
        (2, "区分", "値が長すぎます（5,000文字）。1,000文字以内にしてください。"),
    ]


@pytest.mark.parametrize(
    ("column", "value", "named"),
    [
        ("工事名", "〇〇道路\x00改良工事", "NUL文字 U+0000"),
        ("発注者", "徳島市\u202e者理管業事道水下上", "文字の向きを変える制御文字 U+202E"),
        ("預託金融機関", "〇〇銀行\u200b▲▲支店", "幅のない文字 U+200B"),
        ("保証契約者", "株式会社\ufeff〇〇建設", "幅のない文字 U+FEFF"),
        ("保証金額", "40000000\x00", "NUL文字 U+0000"),
    ],
)
def test_control_characters_are_refused_with_line_and_column(
    world: World, admin: User, column: str, value: str, named: str
) -> None:
    batch = run(admin, csv_bytes([line(world, **{column: value})]))
    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [
        (2, column, f"使用できない文字（{named}）が含まれています。削除してから入力してください。")
    ]
    assert not Guarantee.objects.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("契約締結日", "1800-01-01"),
        ("工事末日", "9999-12-31"),
        ("証書発行日", "1999-12-31"),
        ("契約締結日", "令和99年1月1日"),
    ],
)
def test_a_date_outside_the_business_range_is_named_by_line_and_column(
    world: World, admin: User, column: str, value: str
) -> None:
    batch = run(admin, csv_bytes([line(world), line(world, 工事名="二行目", **{column: value})]))
    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [(3, column, f"{column}は{RANGE}")]


def test_a_header_with_control_characters_is_named_by_position(world: World, admin: User) -> None:
    content = csv_bytes([line(world)]).replace("保証金額".encode(), "保証金額\u202e".encode(), 1)
    batch = run(admin, content)
    assert batch.status == ImportStatus.REJECTED
    by_column = {column: message for _, column, message in errors_of(batch)}
    assert by_column["13列目"].startswith("見出し: 使用できない文字（文字の向きを変える制御文字 U+202E）")
    assert by_column["保証金額"] == "見出し「保証金額」がありません。"


def test_a_contractor_id_too_long_for_the_database_is_a_line_error(world: World, admin: User) -> None:
    batch = run(admin, csv_bytes([line(world, 保証契約者ID="9" * 30)]))
    assert batch.status == ImportStatus.REJECTED
    assert errors_of(batch) == [(2, "保証契約者ID", f"保証契約者ID {'9' * 30} は登録されていません。")]


def test_a_file_name_with_a_bidi_override_is_refused(world: World, admin: User) -> None:
    from esurety.core.errors import DomainError

    with pytest.raises(DomainError, match="ファイル名"):
        import_batch_upload(by=admin, file_name="report\u202evsc.exe", content=csv_bytes([line(world)]), now=NOW)
    assert not ImportBatch.objects.exists()


def test_every_problem_of_a_line_is_named_in_one_upload(world: World, admin: User) -> None:
    """An unreadable cell does not hide the line's other problems (nor invent a missing value)."""
    batch = run(
        admin, csv_bytes([line(world, 工事名="〇〇\x00工事", 契約締結日="1800-01-01", 預託金融機関="〇〇\u200b銀行")])
    )
    assert sorted(errors_of(batch)) == [
        (2, "契約締結日", f"契約締結日は{RANGE}"),
        (2, "工事名", "使用できない文字（NUL文字 U+0000）が含まれています。削除してから入力してください。"),
        (2, "預託金融機関", "使用できない文字（幅のない文字 U+200B）が含まれています。削除してから入力してください。"),
    ]
