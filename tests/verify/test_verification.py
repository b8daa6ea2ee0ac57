"""The orderer's 保証確認サービス: number + key → the authentic certificate, for the beneficiary only."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.guarantees import services as gservices
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role, User
from esurety.verification import services
from esurety.verification.models import Receipt, ViewKind, ViewRecord
from tests.contractor.portal import pdf_text, visible_text
from tests.factories import (
    PASSWORD,
    World,
    amend_amount,
    change_period,
    make_contractor,
    make_guarantee,
    make_orderer,
    make_user,
)

REFUSED = "保証契約番号または認証キーが正しくありません"


def key_of(g: Guarantee) -> str:
    key = gservices.access_key_plain(guarantee=g)
    assert key is not None
    return key


def zenkaku(text: str) -> str:
    """ASCII → full width, as a clerk typing with the IME on would enter it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def issued(world: World) -> tuple[Guarantee, str]:
    g = make_guarantee(world)
    return g, key_of(g)


def test_right_pair_in_zenkaku_shows_the_certificate_and_lists_it(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    client = login(world.orderer_user)
    typed_key = zenkaku(key[:5].lower() + "-" + key[5:])
    assert unicodedata.normalize("NFKC", typed_key) != key
    response = client.post("/verify/", {"number": zenkaku(g.number), "key": typed_key})
    # POST → redirect → GET: the answer has its own URL, so F5 does not post the key again.
    assert response.status_code == 303
    assert response["Location"] == f"/verify/certificates/{g.number}/"

    page = client.get(response["Location"]).content.decode()
    assert "真正な電子証書" in page
    assert "保証証書 (前払金保証)" in page
    assert "株式会社〇〇建設 様" in page
    assert "40,000,000 円" in page
    assert "令和 9年 3月 31日" in page
    assert "有効" in page

    listing = client.get("/verify/received/").content.decode()
    assert g.number in listing and "〇〇道路改良工事" in listing

    receipt = Receipt.objects.get()
    assert receipt.orderer == world.orderer and receipt.first_verified_by == world.orderer_user
    assert AuditEntry.objects.filter(action="certificate.receive").count() == 1


def test_landing_after_verification_records_one_look_and_a_reload_no_verification(
    world: World, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    client = login(world.orderer_user)
    landing = client.post("/verify/", {"number": g.number, "key": key}, follow=True)
    assert landing.redirect_chain == [(f"/verify/certificates/{g.number}/", 303)]
    assert "真正な電子証書" in landing.content.decode()
    # The verification is the record of this look; landing on the page adds none.
    assert list(ViewRecord.objects.values_list("kind", flat=True)) == [ViewKind.VERIFY]

    reload = client.get(f"/verify/certificates/{g.number}/")
    assert reload.status_code == 200
    # A reload is a look at the page (as from the 受領済み一覧), not a second verification.
    assert sorted(ViewRecord.objects.values_list("kind", flat=True)) == [ViewKind.VERIFY, ViewKind.VIEW]
    assert AuditEntry.objects.filter(action="certificate.receive").count() == 1


def test_received_list_searches_fold_kana_width_and_letters(world: World) -> None:
    abc = make_contractor("株式会社ＡＢＣ建設")
    abc_user = make_user("abc-admin", contractor=abc, role=Role.ORG_ADMIN)
    tunnel = make_guarantee(world, work_name="△△トンネル工事")
    bridge = make_guarantee(world, work_name="ABC橋梁補修工事", by=abc_user)
    client = login(world.orderer_user)
    for g in (tunnel, bridge):
        client.post("/verify/", {"number": g.number, "key": key_of(g)})

    def listed(**query: str) -> set[str]:
        page = client.get("/verify/received/", query).content.decode()
        return {g.number for g in (tunnel, bridge) if g.number in page}

    assert listed(work_name="ﾄﾝﾈﾙ") == {tunnel.number}
    assert listed(work_name="ａｂｃ") == {bridge.number}
    assert listed(contractor="ABC") == {bridge.number}
    assert listed(contractor="ａｂｃ建設") == {bridge.number}


@pytest.mark.parametrize("case", ["wrong_number", "wrong_key", "other_orderer"])
def test_every_refusal_gives_the_same_answer_and_records_nothing(
    world: World, issued: tuple[Guarantee, str], case: str
) -> None:
    g, key = issued
    user = world.orderer_user
    number = g.number
    if case == "wrong_number":
        number = str(int(g.number) + 1)
    elif case == "wrong_key":
        key = key[::-1] if key[::-1] != key else "3" * 10
    else:
        user = make_user("other-orderer", orderer=make_orderer("鳴門市長"), role=Role.MEMBER)
    response = login(user).post("/verify/", {"number": number, "key": key})
    assert response.status_code == 200
    body = response.content.decode()
    assert REFUSED in body
    assert "株式会社〇〇建設" not in body
    assert not Receipt.objects.exists()
    assert not ViewRecord.objects.exists()


def test_refusals_cost_the_same_queries_whatever_was_wrong(world: World, issued: tuple[Guarantee, str]) -> None:
    """A wrong number must not answer faster than a wrong key: same database work for each."""
    g, key = issued
    stranger = make_user("stranger", orderer=make_orderer("阿南市長"), role=Role.MEMBER)
    counts = []
    for number, attempt_key in ((str(int(g.number) + 7), key), (g.number, "7" * 10), (g.number, key)):
        with CaptureQueriesContext(connection) as queries:
            with pytest.raises(services.VerificationRefused):
                services.certificate_verify(
                    user=stranger, number=number, key=attempt_key, client_ip="192.0.2.9", now=timezone.now()
                )
        counts.append(len([q for q in queries.captured_queries if "cache" not in q["sql"]]))
    assert counts[0] == counts[1] == counts[2]


def test_a_thousand_guesses_against_one_number_get_nowhere(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    attacker_org = make_orderer("攻撃市長")
    attackers = [make_user(f"attacker{i}", orderer=attacker_org, role=Role.MEMBER) for i in range(5)]
    outcomes = {"ok": 0, "refused": 0, "locked": 0}
    for i in range(1000):
        guess = f"{i:010d}".translate(str.maketrans("0123456789", "34679ACEFG"))
        try:
            services.certificate_verify(
                user=attackers[i % 5],
                number=g.number,
                key=guess,
                client_ip=f"198.51.{i // 250}.{i % 250}",
                now=timezone.now(),
            )
            outcomes["ok"] += 1
        except services.VerificationLocked:
            outcomes["locked"] += 1
        except services.VerificationRefused:
            outcomes["refused"] += 1
    assert outcomes["ok"] == 0
    assert outcomes["refused"] <= services.PER_NUMBER.max_attempts
    assert outcomes["locked"] >= 1000 - services.PER_NUMBER.max_attempts
    # Even the right key is locked out for the attackers' organisation…
    with pytest.raises(services.VerificationLocked):
        services.certificate_verify(
            user=attackers[0], number=g.number, key=key, client_ip="203.0.113.5", now=timezone.now()
        )
    # …while the rightful orderer still gets in, and surety staff were alerted.
    receipt = services.certificate_verify(
        user=world.orderer_user, number=g.number, key=key, client_ip="203.0.113.77", now=timezone.now()
    )
    assert receipt.guarantee == g
    alert = AuditEntry.objects.filter(action="verify.lockout").first()
    assert alert is not None and alert.surety_id_scope == world.surety.pk
    assert "number" in alert.after["limits"]


def test_the_form_says_to_wait_once_locked(world: World, issued: tuple[Guarantee, str]) -> None:
    g, _ = issued
    client = login(world.orderer_user)
    for _ in range(services.PER_USER.max_attempts):
        client.post("/verify/", {"number": g.number, "key": "7" * 10})
    body = client.post("/verify/", {"number": g.number, "key": "7" * 10}).content.decode()
    assert "一時的に受付を停止しています" in body


def test_amended_certificate_is_marked_and_history_readable(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    client = login(world.orderer_user)
    client.post("/verify/", {"number": g.number, "key": key})
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=g.contract_date,
        reason="設計変更",
        now=timezone.now(),
    )
    flagged = 'class="status-label status-label--変更あり"'
    listing = client.get("/verify/received/").content.decode()
    assert flagged in listing
    assert client.get("/verify/received/?status=変更あり").content.decode().count(g.number) >= 1

    latest = client.get(f"/verify/certificates/{g.number}/").content.decode()
    assert "(変更)" in latest and "44,000,000 円" in latest and "第2版" in latest
    old = client.get(f"/verify/certificates/{g.number}/?version=1").content.decode()
    assert "40,000,000 円" in old and "旧版" in old
    # Having looked at the new version, the list no longer flags it.
    assert flagged not in client.get("/verify/received/").content.decode()


def test_period_change_is_shown_without_a_new_version(world: World, issued: tuple[Guarantee, str]) -> None:
    import datetime as dt

    g, key = issued
    client = login(world.orderer_user)
    client.post("/verify/", {"number": g.number, "key": key})
    change_period(
        guarantee=g,
        by=world.clerk,
        completion_date=dt.date(2027, 6, 30),
        effective_on=dt.date(2027, 3, 1),
        reason="工期延長",
        now=timezone.now(),
    )
    page = client.get(f"/verify/certificates/{g.number}/").content.decode()
    assert "令和 9年 6月 30日" in page
    assert "工期の変更" in page and "証書の再発行なし" in page
    assert "第2版" not in page
    # The record of changes speaks 和暦 like the certificate above it, never ISO dates.
    text = visible_text(page)
    assert "工事末日・保証期間 令和9年3月31日 → 令和9年6月30日（証書の再発行なし）" in text
    assert "2027-03-31" not in page and "2027-06-30" not in page
    assert re.search(r"<li>\s*令和\d+年\d+月\d+日 工期の変更（令和9年3月1日付）", page)


def test_csv_export_has_bom_and_rows(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    client = login(world.orderer_user)
    client.post("/verify/", {"number": g.number, "key": key})
    response = client.get("/verify/received.csv")
    data = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows[0][0] == "保証契約番号"
    assert rows[1][0] == g.number and rows[1][4] == "〇〇道路改良工事"


def test_certificate_pdf_carries_the_viewer(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    client = login(world.orderer_user)
    client.post("/verify/", {"number": g.number, "key": key})
    response = client.get(f"/verify/certificates/{g.number}/copy.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


ORDERER_RECORD = "発注者控え（徳島市上下水道事業管理者 閲覧記録）"


def test_orderer_print_page_says_whose_record_it_is(world: World, issued: tuple[Guarantee, str]) -> None:
    """The orderer's print is its own record of the viewing, not the contractor's 閲覧用控え（提出不可）."""
    g, key = issued
    client = login(world.orderer_user)
    client.post("/verify/", {"number": g.number, "key": key})
    html = client.get(f"/verify/certificates/{g.number}/print/").content.decode()
    text = visible_text(html)
    assert ORDERER_RECORD in text
    assert "閲覧者: 徳島市上下水道事業管理者 orderer" in text
    assert "保証証書 (前払金保証)" in text and "40,000,000 円" in text
    assert "提出不可" not in html and "閲覧用控え" not in html
    # The watermark comes from CSS: the orderer's own stylesheet replaces the contractor's words.
    assert "verify/print.css" in html and 'class="sheet sheet--record"' in html
    assert f'href="/verify/certificates/{g.number}/copy.pdf?version=1"' in html


def test_orderer_pdf_copy_says_whose_record_it_is(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    client = login(world.orderer_user)
    client.post("/verify/", {"number": g.number, "key": key})
    text = pdf_text(client.get(f"/verify/certificates/{g.number}/copy.pdf").content)
    # Letter-spaced words come out of pdftotext with spaces inside: compare without any.
    flat = re.sub(r"\s+", "", text)
    assert flat.count(re.sub(r"\s+", "", ORDERER_RECORD)) >= 2  # the banner and the page foot
    assert "閲覧者:徳島市上下水道事業管理者orderer" in flat
    assert "提出不可" not in flat and "閲覧用控え" not in flat
    assert "40,000,000円" in flat


def test_every_url_is_404_to_those_who_did_not_receive_it(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    login(world.orderer_user).post("/verify/", {"number": g.number, "key": key})
    other_orderer_user = make_user("naruto", orderer=make_orderer("鳴門市長"), role=Role.MEMBER)
    urls = [
        f"/verify/certificates/{g.number}/",
        f"/verify/certificates/{g.number}/?version=1",
        f"/verify/certificates/{g.number}/print/",
        f"/verify/certificates/{g.number}/copy.pdf",
    ]
    for url in urls:
        assert login(other_orderer_user).get(url).status_code == 404, url
        assert login(world.contractor_user).get(url).status_code == 404, url
        assert login(world.clerk).get(url).status_code == 404, url
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/"), url
    for url in ("/verify/", "/verify/received/", "/verify/received.csv"):
        assert login(world.contractor_user).get(url).status_code == 404, url
    assert g.number not in login(other_orderer_user).get("/verify/received/").content.decode()
    csv_body = b"".join(login(other_orderer_user).get("/verify/received.csv").streaming_content)  # type: ignore[attr-defined]
    assert g.number.encode() not in csv_body


def test_login_page_leads_orderers_here(world: World) -> None:
    response = Client().post("/login/", {"username": world.orderer_user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/verify/home/"


def test_orderer_sees_its_adoption_and_departments(world: World) -> None:
    page = login(world.orderer_user).get("/verify/organisation/").content.decode()
    assert "徳島市上下水道事業管理者" in page
    assert "令和8年4月1日以降" in page
    assert "契約窓口" in page and "工事担当課" in page
    assert "前払・中間前払" in page
    assert login(world.contractor_user).get("/verify/organisation/").status_code == 404


def test_csv_cells_that_look_like_formulas_arrive_as_text(world: World) -> None:
    g = make_guarantee(world, work_name='=HYPERLINK("http://example.invalid")工事')
    client = login(world.orderer_user)
    client.post("/verify/", {"number": g.number, "key": key_of(g)})
    data = b"".join(client.get("/verify/received.csv").streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows[1][4] == '\'=HYPERLINK("http://example.invalid")工事'
