"""よくある質問: the leaflet's Q&A for anyone, with the orderers that accept electronic certificates
read from their adoption data (and nothing else of them)."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from esurety.core.kinds import GuaranteeKind, WorkCategory
from esurety.parties.models import ElectronicAdoption, OrdererDepartment
from esurety.parties.selectors import electronic_adoptions_public
from tests.factories import World, make_orderer

ALL_KINDS = "前払金保証・中間前払金保証・契約保証"


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [row.split("</tr>", 1)[0] for row in body.split("<tr>")[1:]]


def test_anyone_reads_the_five_answers_and_each_orderer_s_electronic_contracts(world: World) -> None:
    make_orderer("書面のみ町長", adopt_from=None)
    html = Client().get("/faq/").content.decode()
    for question in (
        "電子保証を利用するには、どのような手続きが必要ですか。",
        "全ての保証証書が電子保証の対象となりますか。",
        "発注者ごとの電子保証の対象案件を教えてください。",
        "認証キーの提出方法を教えてください。",
        "保証証書以外の書類も電子化されますか。",
    ):
        assert question in html
    assert "※契約保証予約は対象外です。" in html
    rows = _rows(html)
    # 徳島市上下水道事業管理者 adopts 前払・中間前払・契約 for 工事 and コンサル from 令和8年4月1日: two rows.
    assert len(rows) == 2
    assert all(world.orderer.name in r and ALL_KINDS in r and "令和8年4月1日以降の契約締結分" in r for r in rows)
    assert ["工事" in rows[0], "建設コンサルタント業務" in rows[1]] == [True, True]
    assert "書面のみ町長" not in html


def test_a_closed_range_and_a_kind_of_its_own_are_rows_of_their_own(world: World) -> None:
    other = make_orderer("鳴門市長", adopt_from=None)
    ElectronicAdoption.objects.create(
        orderer=other,
        work_category=WorkCategory.WORKS,
        kind=GuaranteeKind.ADVANCE,
        effective_from=dt.date(2026, 4, 1),
        effective_until=dt.date(2027, 3, 31),
    )
    rows, more = electronic_adoptions_public(name="鳴門")
    assert not more
    assert [(r.orderer_name, r.work_category_label, r.kind_labels, r.effective_until) for r in rows] == [
        ("鳴門市長", "工事", ("前払金保証",), dt.date(2027, 3, 31))
    ]
    html = Client().get("/faq/", {"name": "鳴門"}).content.decode()
    assert "令和8年4月1日以降、令和9年3月31日までの契約締結分" in html
    assert world.orderer.name not in html


def test_a_search_finds_part_of_a_name_and_says_when_nothing_matches(world: World) -> None:
    assert len(_rows(Client().get("/faq/", {"name": "上下水道"}).content.decode())) == 2
    html = Client().get("/faq/", {"name": "札幌"}).content.decode()
    assert _rows(html) == []
    assert "「札幌」を含む発注者で、電子保証を導入している発注者はありません。" in html


def test_a_refused_word_is_a_form_error_not_a_search(world: World) -> None:
    response = Client().get("/faq/", {"name": "徳島\x00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist"' in html
    assert _rows(html) == []
    assert "電子保証を導入している発注者はありません" not in html
    too_long = Client().get("/faq/", {"name": "徳" * 101})
    assert too_long.status_code == 200
    assert 'class="errorlist"' in too_long.content.decode() and _rows(too_long.content.decode()) == []


def test_at_most_the_limit_of_orderers_by_name_and_a_note_that_more_matched(world: World) -> None:
    make_orderer("三好市長")  # 三 sorts before 徳
    rows, more = electronic_adoptions_public(limit=1)
    assert more
    assert {r.orderer_name for r in rows} == {"三好市長"}
    html = Client().get("/faq/").content.decode()
    assert "先頭の100発注者を表示しています" not in html  # two orderers: all shown


def test_nothing_of_an_orderer_beyond_its_adoption_is_shown(world: World) -> None:
    OrdererDepartment.objects.create(orderer=world.orderer, name="契約課", email="keiyaku@city.example.jp")
    html = Client().get("/faq/").content.decode()
    assert "keiyaku@city.example.jp" not in html and "契約課" not in html


def test_every_page_and_the_home_page_lead_to_it(world: World, client: Client) -> None:
    home = Client().get("/").content.decode()
    assert home.count('href="/faq/"') == 2  # the flow's note and the footer
    client.force_login(world.contractor_user)
    assert 'href="/faq/"' in client.get("/contractor/").content.decode()


def test_the_prose_has_no_stray_spaces_between_japanese_sentences(world: World) -> None:
    html = Client().get("/faq/").content.decode()
    assert "。 " not in html and "。\n " not in html
