"""Issue 11 item 11: a bulk import answers another surety's numbers as if they did not exist.

Numbers are unique on the portal, so another surety's number cannot be imported; the
answer must still not say whether it is a registered guarantee or a range, nor whose
(no 「すでに登録されています」, no branch name, no 工事名 of another surety).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esurety.guarantees.imports import import_batch_process, import_batch_upload
from esurety.guarantees.imports.validation import FOREIGN_NUMBER
from esurety.guarantees.models import Guarantee, ImportBatch, ImportStatus
from esurety.parties.models import Branch, Role, User
from tests.factories import World, make_surety, make_user
from tests.office.operations import csv_bytes, line

NOW = timezone.make_aware(dt.datetime(2026, 5, 1, 10, 0))
EAST_WORK = "東日本の秘密の工事"


def run(by: User, content: bytes) -> ImportBatch:
    batch = import_batch_upload(by=by, file_name="import.csv", content=content, now=NOW)
    done = import_batch_process(batch_id=batch.pk, now=NOW)
    assert done is not None
    return done


def messages_by_line(batch: ImportBatch) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in batch.errors:
        out.setdefault(e["line"], []).append((e["column"], e["message"]))
    return out


@pytest.fixture
def east(world: World) -> dict[str, str]:
    """東日本 with its 東京支店 (series 3070000001…), one numbered guarantee and one outside its range."""
    surety, branch = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    Branch.objects.filter(pk=branch.pk).update(name="東京支店")
    admin = make_user("east-admin", surety=surety, role=Role.SURETY_ADMIN)
    batch = run(
        admin,
        csv_bytes(
            [
                line(world, 取次場所="東京支店", 工事名=EAST_WORK),
                line(world, 取次場所="東京支店", 工事名="東日本の別の工事", 保証契約番号="8000000001"),
            ]
        ),
    )
    assert batch.status == ImportStatus.IMPORTED, batch.errors
    numbered = Guarantee.objects.get(work_name=EAST_WORK)
    assert numbered.number == "3070000001"
    return {"in_range": numbered.number, "outside_range": "8000000001", "free": "3070000500"}


@pytest.fixture
def west_admin(world: World) -> User:
    return make_user("west-admin", surety=world.surety, role=Role.SURETY_ADMIN)


def test_another_suretys_numbers_get_one_answer_that_names_nothing_of_it(
    world: World, east: dict[str, str], west_admin: User
) -> None:
    batch = run(
        west_admin,
        csv_bytes(
            [
                line(world, 工事名="工事2", 保証契約番号=east["in_range"]),  # 東日本's guarantee
                line(world, 工事名="工事3", 保証契約番号=east["free"]),  # 東日本's unused range
                line(world, 工事名="工事4", 保証契約番号=east["outside_range"]),  # 東日本's, outside its ranges
                line(world, 工事名="工事5", 保証契約番号="8000000002"),  # nobody's: fine
            ]
        ),
    )
    assert batch.status == ImportStatus.REJECTED
    found = messages_by_line(batch)
    for n, number in ((2, east["in_range"]), (3, east["free"]), (4, east["outside_range"])):
        assert found[n] == [("保証契約番号", FOREIGN_NUMBER.format(number=number))]
    assert 5 not in found
    # A foreign advance number is exactly an unknown one (and its 工事名 is never quoted).
    advances = run(
        west_admin,
        csv_bytes(
            [
                line(world, 区分="契約", 工事名="工事6", 保証金額="10000000", 前払金保証番号=east["in_range"]),
                line(world, 区分="契約", 工事名="工事7", 保証金額="10000000", 前払金保証番号="2070999999"),
            ]
        ),
    )
    on_advance = messages_by_line(advances)
    assert on_advance[2] == [("前払金保証番号", f"前払金保証 {east['in_range']} が見つかりません。")]
    assert on_advance[3] == [("前払金保証番号", "前払金保証 2070999999 が見つかりません。")]
    everything = " ".join(m for rows in [*found.values(), *on_advance.values()] for _, m in rows)
    for secret in ("東京支店", "東日本", "すでに登録", EAST_WORK, "採番範囲の未使用番号"):
        assert secret not in everything, secret


def test_another_suretys_guarantee_is_no_duplicate_of_ours(
    world: World, east: dict[str, str], west_admin: User
) -> None:
    """The same contractor, orderer and works at another surety is not 「同じ保証契約がすでに登録されています」."""
    batch = run(
        west_admin, csv_bytes([line(world, 工事名=EAST_WORK), line(world, 工事名="工事3", 保証契約番号="8000000002")])
    )
    assert batch.status == ImportStatus.IMPORTED, batch.errors
    assert Guarantee.objects.filter(work_name=EAST_WORK, surety=world.surety).count() == 1


def test_our_own_numbers_are_still_named(world: World, east: dict[str, str], west_admin: User) -> None:
    first = run(west_admin, csv_bytes([line(world, 工事名="工事A", 保証契約番号="8000000003")]))
    assert first.status == ImportStatus.IMPORTED, first.errors
    again = run(
        west_admin,
        csv_bytes(
            [
                line(world, 工事名="工事B", 保証契約番号="8000000003"),
                line(world, 工事名="工事C", 保証契約番号="2070000500"),
            ]
        ),
    )
    found = messages_by_line(again)
    assert found[2] == [("保証契約番号", "保証契約番号 8000000003 はすでに登録されています。")]
    assert found[3][0][1].startswith("保証契約番号 2070000500 は大塚支店の採番範囲の未使用番号です。")
