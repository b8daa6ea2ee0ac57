"""The orderer's system over the API: the same verification, limits and visibility as /verify/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.guarantees import services as gservices
from esurety.guarantees.models import AmendmentType, Guarantee
from esurety.verification import services as vservices
from esurety.verification.models import Receipt, ViewKind, ViewRecord
from tests.api.conftest import Api, Tokens, assert_error
from tests.factories import World, make_guarantee

REFUSED = vservices.REFUSED_MESSAGE


def key_of(g: Guarantee) -> str:
    key = gservices.access_key_plain(guarantee=g)
    assert key is not None
    return key


def zenkaku(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.fixture
def issued(world: World) -> tuple[Guarantee, str]:
    g = make_guarantee(world)
    return g, key_of(g)


def amend_amount(world: World, g: Guarantee, amount: int) -> None:
    req = gservices.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type=AmendmentType.AMOUNT,
        contract_price=g.contract_price,
        guaranteed_amount=amount,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更による減額",
        now=timezone.now(),
    )
    gservices.amendment_request_approve(request=req, by=world.approver, now=timezone.now())


def change_period(world: World, g: Guarantee, completion: dt.date) -> None:
    req = gservices.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type=AmendmentType.PERIOD,
        completion_date=completion,
        effective_on=dt.date(2026, 7, 1),
        reason="工期延長",
        now=timezone.now(),
    )
    gservices.amendment_request_approve(request=req, by=world.approver, now=timezone.now())


# ---------------------------------------------------------------------------
# POST /verifications


def test_number_and_key_in_zenkaku_return_the_certificate_and_a_receipt_by_the_system(
    world: World, tokens: Tokens, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    response = Api(tokens.orderer).post(
        "/verifications", {"number": zenkaku(g.number), "key": zenkaku(key[:4].lower() + "-" + key[4:])}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == g.number
    assert body["kind"] == {"code": "ADVANCE", "label": "前払"}
    assert body["kind_full_name"] == "前払金保証"
    assert body["contractor"]["name"] == "株式会社〇〇建設"
    assert body["surety"]["name"] == "西日本建設業保証株式会社"
    assert body["work_name"] == "〇〇道路改良工事"
    assert body["guaranteed_amount"] == 40_000_000
    assert body["contract_price"] == 100_000_000
    assert body["period_end"] == "2027-03-31"
    assert body["deposit_bank"] == "〇〇銀行 ▲▲支店"
    assert body["status"] == {"code": "VALID", "label": "有効"}
    assert body["current_version"] == 1 and body["version"] == 1
    assert [v["version"] for v in body["versions"]] == [1]
    receipt = Receipt.objects.get()
    assert receipt.orderer == world.orderer
    # The system user acts for the orderer; the audit log names the system.
    assert receipt.first_verified_by.username.startswith("api-")
    entry = AuditEntry.objects.get(action="certificate.receive")
    assert entry.actor_label.startswith("api-")
    assert receipt.first_verified_by.display_name == "API連携: 電子契約システム"


@pytest.mark.parametrize("case", ["wrong_number", "wrong_key", "other_orderer", "unknown_number"])
def test_every_refusal_is_the_same_404(world: World, tokens: Tokens, issued: tuple[Guarantee, str], case: str) -> None:
    g, key = issued
    secret, number = tokens.orderer, g.number
    if case == "wrong_number":
        number = str(int(g.number) + 1)
    elif case == "unknown_number":
        number = "9999999999"
    elif case == "wrong_key":
        key = "3" * 10 if key != "3" * 10 else "4" * 10
    else:
        secret = tokens.stranger_orderer
    response = Api(secret).post("/verifications", {"number": number, "key": key})
    body = assert_error(response, 404, "verification_refused")
    assert body == {"code": "verification_refused", "message": REFUSED}
    assert not Receipt.objects.exists()


def test_a_locked_number_answers_429_with_retry_after_and_the_rightful_orderer_still_gets_in(
    world: World, tokens: Tokens, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    # A stranger guessing from many addresses: the per-number limit locks the number for strangers.
    for i in range(vservices.PER_NUMBER.max_attempts):
        response = Api(tokens.stranger_orderer, remote_addr=f"198.51.100.{i + 1}").post(
            "/verifications", {"number": g.number, "key": f"{i:010d}"}
        )
        assert response.status_code in (404, 429)
    locked = Api(tokens.stranger_orderer, remote_addr="203.0.113.9").post(
        "/verifications", {"number": g.number, "key": key}
    )
    body = assert_error(locked, 429, "verification_locked")
    assert "一時的に受付を停止" in body["message"]
    assert int(locked["Retry-After"]) > 0
    # Even with the right key the stranger is held off; the beneficiary is not.
    assert not Receipt.objects.filter(orderer=tokens.stranger).exists()
    assert Api(tokens.orderer).post("/verifications", {"number": g.number, "key": key}).status_code == 200


def test_the_per_token_limit_locks_a_guessing_system_out(
    world: World, tokens: Tokens, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    api = Api(tokens.orderer)
    codes = [
        api.post("/verifications", {"number": g.number, "key": f"{i:010d}"}).status_code
        for i in range(vservices.PER_USER.max_attempts)
    ]
    assert codes == [404] * vservices.PER_USER.max_attempts
    assert_error(api.post("/verifications", {"number": g.number, "key": key}), 429, "verification_locked")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"number": "2070000001"}, "key"), ({"number": "", "key": "ABCDEFGHJK"}, "number"), ({"key": "x" * 41}, "key")],
)
def test_bad_input_is_a_422_in_japanese_and_counts_no_failure(
    world: World, tokens: Tokens, body: dict[str, str], field: str
) -> None:
    response = Api(tokens.orderer).post("/verifications", body)
    error = assert_error(response, 422, "invalid_input")
    assert error["message"] == "入力に誤りがあります。"
    assert field in error["fields"]
    assert all(not m.isascii() for messages in error["fields"].values() for m in messages)


def test_a_body_that_is_not_json_is_a_400_in_japanese(tokens: Tokens) -> None:
    api = Api(tokens.orderer)
    response = api.client.post("/api/v1/verifications", "{not json", content_type="application/json", **api.headers)
    assert_error(response, 400, "bad_request")


# ---------------------------------------------------------------------------
# GET /certificates, /certificates/{number}, /certificates/{number}/pdf


def test_the_received_list_filters_and_pages_and_shows_only_this_orderers_receipts(
    world: World, tokens: Tokens
) -> None:
    made = [make_guarantee(world, work_name=f"第{i}号 配水管布設工事") for i in range(3)]
    other = make_guarantee(world, work_name="鳴門 道路改良工事")
    for g in made:
        vservices.certificate_verify(
            user=world.orderer_user, number=g.number, key=key_of(g), client_ip="192.0.2.1", now=timezone.now()
        )
    api = Api(tokens.orderer)
    page = api.get("/certificates", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    second = api.get("/certificates", {"page_size": 2, "page": 2}).json()
    numbers = {i["number"] for i in page["items"] + second["items"]}
    assert numbers == {g.number for g in made}
    assert other.number not in numbers
    one = api.get("/certificates", {"work_name": "第1号"}).json()
    assert [i["number"] for i in one["items"]] == [made[1].number]
    assert api.get("/certificates", {"number": made[2].number}).json()["count"] == 1
    assert api.get("/certificates", {"status": "CANCELLED"}).json()["count"] == 0
    assert api.get("/certificates", {"kind": "PERFORMANCE"}).json()["count"] == 0
    assert api.get("/certificates", {"contractor": "〇〇建設"}).json()["count"] == 3
    # The stranger's list is empty, and so is a filter that would find the seed orderer's.
    assert Api(tokens.stranger_orderer).get("/certificates", {"number": made[0].number}).json()["count"] == 0
    assert_error(api.get("/certificates", {"page": 0}), 422, "invalid_input")
    assert_error(api.get("/certificates", {"status": "有効"}), 422, "invalid_input")


def test_a_received_certificate_reads_like_the_page_and_marks_the_look(
    world: World, tokens: Tokens, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    api = Api(tokens.orderer)
    api.post("/verifications", {"number": g.number, "key": key})
    amend_amount(world, g, 30_000_000)
    change_period(world, g, dt.date(2027, 9, 30))
    listed = api.get("/certificates").json()["items"][0]
    assert listed["status"] == {"code": "AMENDED", "label": "変更あり"}
    body = api.get(f"/certificates/{g.number}").json()
    assert body["version"] == 2 and body["is_amendment"] is True and body["changed_since_seen"] is True
    assert body["guaranteed_amount"] == 30_000_000
    assert body["period_end"] == "2027-09-30"  # the 工期 change moved the period without a new version
    v1, v2 = body["versions"]
    assert v1["is_current"] is False and v2["is_current"] is True
    assert v2["reason"] == "設計変更による減額"
    assert {"field": "guaranteed_amount", "label": "保証金額", "before": 40_000_000, "after": 30_000_000} in v2[
        "changes"
    ]
    assert body["period_changes"][0]["completion_date_before"] == "2027-03-31"
    assert body["period_changes"][0]["completion_date_after"] == "2027-09-30"
    # The look is recorded and the certificate no longer counts as changed.
    assert ViewRecord.objects.filter(kind=ViewKind.VIEW).count() == 1
    assert api.get("/certificates").json()["items"][0]["status"]["code"] == "VALID"
    old = api.get(f"/certificates/{g.number}", {"version": 1}).json()
    assert old["guaranteed_amount"] == 40_000_000 and old["is_current"] is False
    assert_error(api.get(f"/certificates/{g.number}", {"version": 9}), 404, "not_found")


def test_a_certificate_not_received_is_the_same_404_whoever_asks(
    world: World, tokens: Tokens, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    not_yet = Api(tokens.orderer).get(f"/certificates/{g.number}")
    Api(tokens.orderer).post("/verifications", {"number": g.number, "key": key})
    stranger = Api(tokens.stranger_orderer).get(f"/certificates/{g.number}")
    unknown = Api(tokens.orderer).get("/certificates/9999999999")
    bodies = [assert_error(r, 404, "not_found") for r in (not_yet, stranger, unknown)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert_error(Api(tokens.stranger_orderer).get(f"/certificates/{g.number}/pdf"), 404, "not_found")
    assert_error(Api(tokens.orderer).get("/certificates/12345"), 422, "invalid_input")


def test_the_pdf_copy_is_a_pdf_and_its_view_is_recorded(
    world: World, tokens: Tokens, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    api = Api(tokens.orderer)
    api.post("/verifications", {"number": g.number, "key": key})
    response = api.get(f"/certificates/{g.number}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"certificate_{g.number}_v1.pdf" in response["Content-Disposition"]
    view = ViewRecord.objects.get(kind=ViewKind.PDF)
    assert view.user.username.startswith("api-")


# ---------------------------------------------------------------------------
# GET /changes


def test_changes_since_list_new_versions_period_changes_and_cancellations_of_received_only(
    world: World, tokens: Tokens, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    unseen = make_guarantee(world, work_name="未確認の工事")
    api = Api(tokens.orderer)
    api.post("/verifications", {"number": g.number, "key": key})
    since = timezone.now()
    assert api.get("/changes", {"since": since.isoformat()}).json()["items"] == []
    amend_amount(world, g, 30_000_000)
    amend_amount(world, unseen, 30_000_000)
    change_period(world, g, dt.date(2027, 9, 30))
    gservices.guarantee_cancel(guarantee=g, by=world.approver, reason="工事の中止", now=timezone.now())
    body = api.get("/changes", {"since": since.isoformat()}).json()
    events = [(e["number"], e["event"]["code"]) for e in body["items"]]
    assert events == [(g.number, "AMENDED"), (g.number, "PERIOD_CHANGED"), (g.number, "CANCELLED")]
    amended = body["items"][0]
    assert amended["version"] == 2
    assert {"field": "guaranteed_amount", "label": "保証金額", "before": 40_000_000, "after": 30_000_000} in amended[
        "changes"
    ]
    assert body["items"][-1]["status"] == {"code": "CANCELLED", "label": "解約"}
    assert body["has_more"] is False
    limited = api.get("/changes", {"since": since.isoformat(), "limit": 2}).json()
    assert len(limited["items"]) == 2 and limited["has_more"] is True
    # A naive time is Tokyo time; the stranger sees nothing.
    naive = since.astimezone(dt.timezone(dt.timedelta(hours=9))).replace(tzinfo=None).isoformat()
    assert len(api.get("/changes", {"since": naive}).json()["items"]) == 3
    assert Api(tokens.stranger_orderer).get("/changes", {"since": since.isoformat()}).json()["items"] == []
    assert_error(api.get("/changes"), 422, "invalid_input")
    assert_error(api.get("/changes", {"since": "昨日"}), 422, "invalid_input")
