"""保証工事一覧 (seed STEP 3): columns, search modes, pagination, speed habits."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.utils import timezone

from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.guarantees.models import Guarantee
from tests.contractor.portal import client_for, pager_texts, tables, visible_text
from tests.factories import World, amend_amount, make_guarantee, make_orderer

SEED_COLUMNS = [
    "種別",
    "証書発行日",
    "保証契約番号",
    "区分",
    "変更契約",
    "発注者",
    "工事名",
    "請負金額(総額):円\n請負金額(対価額):円",
    "保証金額:円",
    "認証キー",
]


@pytest.fixture
def many(world: World) -> list[Guarantee]:
    """25 of alice's guarantees with distinct work names (more than one page of 20)."""
    return [make_guarantee(world, work_name=f"第{i:02d}号 市道改良工事") for i in range(1, 26)]


def rows(html: str) -> list[list[str]]:
    return tables(html)[0]["body"]


def test_first_view_lists_all_with_the_seed_columns_and_pagination(world: World, many: list[Guarantee]) -> None:
    response = client_for(world.contractor_user).get("/contractor/")
    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html)

    assert "保証工事一覧" in text
    assert "株式会社〇〇建設 様" in text
    for note in (
        "保証契約番号（10桁）をクリックすると、保証証書の内容をご確認できます。",
        "認証キーの「表示」ボタンを押すと、発注者へ提出いただく情報が表示されます。",
        "全件表示したい場合は全件を選択し、検索ボックスを空白にして検索ボタンを押してください。（初期表示は全件表示しています。）",
    ):
        assert note in text

    table = tables(html)[0]
    assert table["head"] == [SEED_COLUMNS]
    assert len(table["body"]) == 20
    # Newest first; all issued today, so by number descending.
    numbers = [row[2] for row in table["body"]]
    assert numbers == sorted((g.number for g in many), reverse=True)[:20]

    # Above and below the list, exactly the seed's wording.
    assert pager_texts(html) == ["【先頭】 ◀ 前 25件中 1 - 20件 次 ▶ 最後 ▶"] * 2


def test_one_row_reads_like_the_seed(world: World) -> None:
    g = make_guarantee(world, contract_price_consideration=90_000_000)
    html = client_for(world.contractor_user).get("/contractor/").content.decode()
    (row,) = rows(html)
    assert row == [
        "電子",
        g.latest_issued_on.strftime("%Y/%m/%d"),  # type: ignore[union-attr]
        g.number,
        "前払",
        "",
        "徳島市上下水道事業管理者",
        "〇〇道路改良工事",
        "100,000,000\n90,000,000",
        "40,000,000",
        "表示",
    ]
    assert f'href="/contractor/guarantees/{g.number}/"' in html
    assert f'href="/contractor/guarantees/{g.number}/key/"' in html


def test_second_page_and_links_keep_the_search(world: World, many: list[Guarantee]) -> None:
    client = client_for(world.contractor_user)
    html = client.get("/contractor/", {"mode": "work_name", "q": "市道", "page": 2}).content.decode()
    assert pager_texts(html)[0] == "【先頭】 ◀ 前 25件中 21 - 25件 次 ▶ 最後 ▶"
    assert len(rows(html)) == 5
    # 【先頭】 and ◀ 前 lead back to page 1 of the same search; 次/最後 are not links on the last page.
    assert "?mode=work_name&amp;q=%E5%B8%82%E9%81%93&amp;page=1" in html
    assert 'rel="next"' not in html

    first = client.get("/contractor/", {"mode": "work_name", "q": "市道"}).content.decode()
    assert "?mode=work_name&amp;q=%E5%B8%82%E9%81%93&amp;page=2" in first


def test_out_of_range_or_garbage_page_does_not_fail(world: World, many: list[Guarantee]) -> None:
    client = client_for(world.contractor_user)
    last = pager_texts(client.get("/contractor/?page=99").content.decode())[0]
    assert last.startswith("【先頭】 ◀ 前 25件中 21 - 25件")
    first = pager_texts(client.get("/contractor/?page=abc").content.decode())[0]
    assert first.startswith("【先頭】 ◀ 前 25件中 1 - 20件")


@pytest.fixture
def assorted(world: World) -> dict[str, Guarantee]:
    anan = make_orderer("阿南市長")
    return {
        "road": make_guarantee(world, work_name="〇〇道路改良工事"),
        "tunnel": make_guarantee(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000),
        "anan": make_guarantee(world, orderer_id=anan.pk, work_name="阿南浄水場改修工事"),
    }


def listed(world: World, **params: str) -> list[str]:
    html = client_for(world.contractor_user).get("/contractor/", params).content.decode()
    return [row[2] for row in rows(html)] if tables(html) else []


def test_search_by_work_name(world: World, assorted: dict[str, Guarantee]) -> None:
    assert listed(world, mode="work_name", q="トンネル") == [assorted["tunnel"].number]


def test_search_by_orderer(world: World, assorted: dict[str, Guarantee]) -> None:
    assert listed(world, mode="orderer", q="阿南") == [assorted["anan"].number]
    # 阿南 is also in a work name: the 発注者 mode must not look there.
    assert listed(world, mode="orderer", q="浄水場") == []


@pytest.fixture
def folded(world: World) -> dict[str, Guarantee]:
    """Works and orderers written in half-width カナ or 全角 letters, and their plain twins."""
    alps = make_orderer("南アルプス市長")
    niseko = make_orderer("ﾆｾｺ町長")  # as an old system wrote it
    return {
        "tunnel": make_guarantee(world, work_name="△△トンネル工事"),
        "tunnel_hw": make_guarantee(world, work_name="ﾄﾝﾈﾙ照明更新工事"),
        "abc": make_guarantee(world, work_name="ABC橋梁補修工事"),
        "abc_fw": make_guarantee(world, work_name="ＡＢＣ配水管更新工事"),
        "alps": make_guarantee(world, orderer_id=alps.pk, work_name="市道改良工事"),
        "niseko": make_guarantee(world, orderer_id=niseko.pk, work_name="町道改良工事"),
    }


@pytest.mark.parametrize(
    ("mode", "query", "found"),
    [
        ("work_name", "ﾄﾝﾈﾙ", {"tunnel", "tunnel_hw"}),
        ("work_name", "トンネル", {"tunnel", "tunnel_hw"}),
        ("work_name", "ＡＢＣ", {"abc", "abc_fw"}),
        ("work_name", "abc", {"abc", "abc_fw"}),
        ("orderer", "ｱﾙﾌﾟｽ", {"alps"}),
        ("orderer", "ニセコ", {"niseko"}),
        ("all", "ﾄﾝﾈﾙ", {"tunnel", "tunnel_hw"}),
        ("all", "ニセコ", {"niseko"}),
    ],
)
def test_work_name_and_orderer_searches_fold_kana_width_and_letters(
    world: World, folded: dict[str, Guarantee], mode: str, query: str, found: set[str]
) -> None:
    assert set(listed(world, mode=mode, q=query)) == {folded[name].number for name in found}


def test_search_by_number_prefix_and_full_width_input(world: World, assorted: dict[str, Guarantee]) -> None:
    number = assorted["tunnel"].number
    assert listed(world, mode="number", q=number) == [number]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert unicodedata.normalize("NFKC", full_width) == number
    assert listed(world, mode="number", q=full_width) == [number]
    # The seed's 10-digit numbers are typed in pieces too: a prefix finds every match.
    assert set(listed(world, mode="number", q=number[:7])) == {g.number for g in assorted.values()}


def test_all_mode_with_text_searches_every_column(world: World, assorted: dict[str, Guarantee]) -> None:
    assert listed(world, mode="all", q="阿南") == [assorted["anan"].number]
    assert listed(world, mode="all", q="トンネル") == [assorted["tunnel"].number]


def test_empty_box_with_all_lists_everything(world: World, assorted: dict[str, Guarantee]) -> None:
    everything = sorted((g.number for g in assorted.values()), reverse=True)
    assert listed(world, mode="all", q="") == everything
    assert listed(world, mode="all", q="   ") == everything
    assert listed(world) == everything
    html = client_for(world.contractor_user).get("/contractor/").content.decode()
    assert 'name="mode" value="all" checked' in html


def test_no_match_says_so(world: World, assorted: dict[str, Guarantee]) -> None:
    html = client_for(world.contractor_user).get("/contractor/", {"mode": "work_name", "q": "橋梁"}).content.decode()
    assert "「橋梁」に該当する保証契約はありません。" in html
    assert pager_texts(html)[0] == "【先頭】 ◀ 前 0件中 0 - 0件 次 ▶ 最後 ▶"


def test_unknown_mode_falls_back_to_the_full_list(world: World, assorted: dict[str, Guarantee]) -> None:
    assert len(listed(world, mode="drop table", q="x")) == 3


def test_paper_guarantee_shows_shomen_and_no_key_button(world: World) -> None:
    g = make_guarantee(world, delivery_method=DeliveryMethod.PAPER)
    html = client_for(world.contractor_user).get("/contractor/").content.decode()
    (row,) = rows(html)
    assert row[0] == "書面"
    assert row[-1] == "―（書面交付のため認証キーはありません）"  # the parenthesis is for screen readers only
    assert f"/contractor/guarantees/{g.number}/key/" not in html


def test_amended_guarantee_shows_henko(world: World) -> None:
    g = make_guarantee(world)
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=120_000_000,
        guaranteed_amount=48_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更",
        now=timezone.now(),
    )
    (row,) = rows(client_for(world.contractor_user).get("/contractor/").content.decode())
    assert row[4] == "変更"
    assert row[7].startswith("120,000,000")
    assert row[8] == "48,000,000"


def test_kinds_are_labelled_as_in_the_seed(world: World) -> None:
    adv = make_guarantee(world)
    make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=adv.number,
    )
    kinds = {row[3] for row in rows(client_for(world.contractor_user).get("/contractor/").content.decode())}
    assert kinds == {"前払", "契約"}


def test_list_queries_do_not_grow_with_rows(
    world: World, many: list[Guarantee], django_assert_max_num_queries: pytest.FixtureRequest
) -> None:
    client = client_for(world.contractor_user)
    client.get("/contractor/")  # the first request of a session records its activity time
    # session + user + contractor (header) + one count + the page's keys + those rows with their orderers
    # + the page's last dispatches + the page's receipts (送信済 / 発注者閲覧済).
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get("/contractor/")
    assert response.status_code == 200


def test_only_own_company_is_listed(world: World) -> None:
    mine = make_guarantee(world)
    theirs = make_guarantee(world, by=world.other_contractor_user, work_name="他社の工事")
    assert listed(world) == [mine.number]
    html = client_for(world.other_contractor_user).get("/contractor/").content.decode()
    assert theirs.number in html and mine.number not in html
    assert "株式会社△△工務店 様" in html


def test_header_has_logout_form(world: World) -> None:
    html = client_for(world.contractor_user).get("/contractor/").content.decode()
    assert '<form method="post" action="/logout/"' in html
    assert "csrfmiddlewaretoken" in html
