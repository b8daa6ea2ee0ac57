"""CSV export of 保証工事一覧: UTF-8 with BOM for Excel, the list's columns, the current search."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from django.http import StreamingHttpResponse

from esurety.core.kinds import DeliveryMethod
from tests.contractor.portal import client_for
from tests.factories import World, make_guarantee


def export(world: World, **params: str) -> tuple[StreamingHttpResponse, bytes]:
    response = client_for(world.contractor_user).get("/contractor/export.csv", params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return response, b"".join(response.streaming_content)  # type: ignore[arg-type]


def parse(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_bom_header_and_plain_integer_amounts(world: World) -> None:
    g = make_guarantee(world, contract_price_consideration=90_000_000)
    paper = make_guarantee(world, work_name="書面の工事", delivery_method=DeliveryMethod.PAPER)
    response, body = export(world)
    assert body.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('保証工事一覧_')}" in disposition

    header, *rows = parse(body)
    assert header == [
        "種別",
        "証書発行日",
        "保証契約番号",
        "区分",
        "変更契約",
        "発注者",
        "工事名",
        "請負金額(総額):円",
        "請負金額(対価額):円",
        "保証金額:円",
        "状態",
    ]
    assert rows == [
        [
            "書面",
            paper.latest_issued_on.strftime("%Y/%m/%d"),
            paper.number,
            "前払",
            "",  # type: ignore[union-attr]
            "徳島市上下水道事業管理者",
            "書面の工事",
            "100000000",
            "",
            "40000000",
            "有効",
        ],
        [
            "電子",
            g.latest_issued_on.strftime("%Y/%m/%d"),
            g.number,
            "前払",
            "",  # type: ignore[union-attr]
            "徳島市上下水道事業管理者",
            "〇〇道路改良工事",
            "100000000",
            "90000000",
            "40000000",
            "有効",
        ],
    ]


def test_csv_follows_the_search(world: World) -> None:
    make_guarantee(world, work_name="〇〇道路改良工事")
    tunnel = make_guarantee(world, work_name="△△トンネル工事")
    _, body = export(world, mode="work_name", q="トンネル")
    rows = parse(body)[1:]
    assert [r[2] for r in rows] == [tunnel.number]


def test_csv_never_contains_another_companys_guarantees(world: World) -> None:
    mine = make_guarantee(world)
    theirs = make_guarantee(world, by=world.other_contractor_user)
    _, body = export(world)
    numbers = [r[2] for r in parse(body)[1:]]
    assert numbers == [mine.number]
    assert theirs.number.encode() not in body


def test_csv_defuses_formula_cells(world: World) -> None:
    make_guarantee(world, work_name='=HYPERLINK("http://x")工事')
    _, body = export(world)
    (row,) = parse(body)[1:]
    assert row[6].startswith("'=")
