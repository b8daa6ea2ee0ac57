"""A surety's core system over the API: the back office's services, rules, four eyes and scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.guarantees import keys
from esurety.guarantees import services as gservices
from esurety.guarantees.models import AmendmentRequest, Application, ApplicationStatus, Guarantee, ImportStatus
from esurety.verification import services as vservices
from tests.api.conftest import Api, Tokens, assert_error
from tests.factories import World, make_guarantee, submit_application
from tests.office.operations import csv_bytes, line


def application_body(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "contractor_id": world.contractor.pk,
        "branch_id": world.branch.pk,
        "orderer_id": world.orderer.pk,
        "kind": "ADVANCE",
        "work_category": "WORKS",
        "work_name": "〇〇道路改良工事",
        "contract_date": "2026-04-10",
        "completion_date": "2027-03-31",
        "contract_price": 100_000_000,
        "guaranteed_amount": 40_000_000,
        "deposit_bank": "〇〇銀行 ▲▲支店",
    }
    body.update(overrides)
    return body


def enter(world: World, tokens: Tokens, **overrides: Any) -> dict[str, Any]:
    response = Api(tokens.clerk).post("/applications", application_body(world, **overrides))
    assert response.status_code == 201, response.content.decode()
    return response.json()


def step(secret: str, app_id: int, action: str, body: Any = None) -> Any:
    return Api(secret).post(f"/applications/{app_id}/{action}", body)


def conclude_via_api(world: World, tokens: Tokens, **overrides: Any) -> dict[str, Any]:
    app = enter(world, tokens, **overrides)
    assert step(tokens.clerk, app["id"], "start-review").status_code == 200
    assert step(tokens.approver, app["id"], "approve").status_code == 200
    assert step(tokens.clerk, app["id"], "confirm-payment", {"received_on": "2026-04-12"}).status_code == 200
    response = step(tokens.clerk, app["id"], "conclude")
    assert response.status_code == 200, response.content.decode()
    return dict(response.json())


# ---------------------------------------------------------------------------
# applications


def test_an_entered_application_is_received_with_its_rules_checked(world: World, tokens: Tokens) -> None:
    body = enter(world, tokens)
    assert body["status"] == {"code": "SUBMITTED", "label": "受付"}
    assert body["contractor"] == {"id": world.contractor.pk, "name": "株式会社〇〇建設"}
    assert body["entered_by"] == "API連携: 基幹システム（入力）"
    assert body["rule_violations"] == []
    app = Application.objects.get(pk=body["id"])
    assert app.created_by.username.startswith("api-") and app.created_by.surety == world.surety
    entry = AuditEntry.objects.get(action="application.submit", object_id=str(app.pk))
    assert entry.surety_id_scope == world.surety.pk


def test_an_application_breaking_a_rule_is_a_422_naming_the_field(world: World, tokens: Tokens) -> None:
    response = Api(tokens.clerk).post("/applications", application_body(world, guaranteed_amount=90_000_000))
    body = assert_error(response, 422, "rule_violation")
    assert "guaranteed_amount" in body["fields"]
    assert "10分の4" in body["fields"]["guaranteed_amount"][0] or "限度" in body["fields"]["guaranteed_amount"][0]
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "前払"}, "kind"),
        ({"contract_date": "1868-01-01"}, "contract_date"),
        ({"contract_price": -1}, "contract_price"),
        ({"work_name": "x" * 201}, "work_name"),
        ({"work_name": "工事\x00"}, "work_name"),
        ({"work_name": "工事\u202e"}, "work_name"),
        ({"notes": "連絡\u200b事項"}, "notes"),
        ({"contract_date": "9999-12-31"}, "contract_date"),
        ({"contractor_id": 999_999}, "contractor_id"),
        ({"orderer_id": 999_999}, "orderer"),
    ],
)
def test_bad_application_input_is_a_422_in_japanese(
    world: World, tokens: Tokens, overrides: dict[str, Any], field: str
) -> None:
    response = Api(tokens.clerk).post("/applications", application_body(world, **overrides))
    assert response.status_code == 422, response.content.decode()
    body = response.json()
    assert field in body["fields"], body
    assert not Application.objects.exists()


def test_another_suretys_branch_is_refused_like_an_unknown_one(world: World, tokens: Tokens) -> None:
    other_branch = tokens.other_surety_company.branches.get()
    response = Api(tokens.clerk).post("/applications", application_body(world, branch_id=other_branch.pk))
    assert assert_error(response, 422, "rule_violation")["fields"] == {"branch": ["取次場所を選択してください。"]}


def test_four_eyes_hold_between_tokens(world: World, tokens: Tokens) -> None:
    app = enter(world, tokens)
    step(tokens.clerk, app["id"], "start-review")
    # The 担当者 token may not approve at all; the approver may not approve what it entered itself.
    assert_error(step(tokens.clerk, app["id"], "approve"), 403, "not_permitted")
    own = Api(tokens.approver).post("/applications", application_body(world, work_name="承認者が入力した工事")).json()
    step(tokens.clerk, own["id"], "start-review")
    denied = assert_error(step(tokens.approver, own["id"], "approve"), 403, "not_permitted")
    assert "自分が入力した案件は承認できません" in denied["message"]
    # A person in the back office may approve what a system entered.
    gservices.application_approve(
        application=Application.objects.get(pk=own["id"]), by=world.approver, now=timezone.now()
    )
    approved = step(tokens.approver, app["id"], "approve").json()
    assert approved["status"]["code"] == "APPROVED" and approved["premium"] > 0


def test_the_whole_path_to_conclusion_returns_the_guarantee_and_its_key_once(world: World, tokens: Tokens) -> None:
    done = conclude_via_api(world, tokens)
    g = Guarantee.objects.get(number=done["guarantee"]["number"])
    assert done["application"]["status"]["code"] == "CONCLUDED"
    assert done["application"]["guarantee_number"] == g.number
    assert done["guarantee"]["current_version"] == 1
    assert done["access_key"] == gservices.access_key_plain(guarantee=g)
    assert AuditEntry.objects.filter(action="access_key.hand_over", object_id=str(g.pk)).count() == 1
    # Reading the guarantee later never shows the key again.
    later = Api(tokens.clerk).get(f"/guarantees/{g.number}").json()
    assert "access_key" not in later and done["access_key"] not in str(later)


def test_a_step_out_of_order_is_a_409_and_a_rejection_needs_a_reason(world: World, tokens: Tokens) -> None:
    app = enter(world, tokens)
    assert_error(step(tokens.clerk, app["id"], "conclude"), 409, "invalid_state")
    assert_error(step(tokens.clerk, app["id"], "confirm-payment", {"received_on": "2026-04-12"}), 409, "invalid_state")
    assert_error(step(tokens.clerk, app["id"], "reject", {"reason": "  "}), 422, "rule_violation")
    assert_error(step(tokens.clerk, app["id"], "confirm-payment", {}), 422, "invalid_input")
    rejected = step(tokens.clerk, app["id"], "reject", {"reason": "保証金額の根拠資料が不足しています"}).json()
    assert rejected["status"]["code"] == "REJECTED"
    assert rejected["rejection_reason"] == "保証金額の根拠資料が不足しています"


def test_an_application_in_the_portal_can_be_reviewed_by_a_system(world: World, tokens: Tokens) -> None:
    app = submit_application(world)
    reviewed = step(tokens.clerk, app.pk, "start-review").json()
    assert reviewed["status"]["code"] == "UNDER_REVIEW"
    assert step(tokens.approver, app.pk, "approve").json()["status"]["code"] == "APPROVED"


def test_another_surety_sees_none_of_it(world: World, tokens: Tokens) -> None:
    app = enter(world, tokens)
    g = make_guarantee(world)
    req = gservices.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type="PERIOD",
        completion_date=dt.date(2027, 9, 30),
        effective_on=dt.date(2026, 7, 1),
        reason="工期延長",
        now=timezone.now(),
    )
    batch = Api(tokens.approver).upload("/imports", "g.csv", csv_bytes([line(world)])).json()
    east = Api(tokens.other_surety)
    for path in (
        f"/applications/{app['id']}",
        f"/guarantees/{g.number}",
        f"/amendment-requests/{req.pk}",
        f"/imports/{batch['id']}",
    ):
        assert_error(east.get(path), 404, "not_found")
    for path, body in (
        (f"/applications/{app['id']}/start-review", None),
        (f"/applications/{app['id']}/approve", None),
        (f"/applications/{app['id']}/reject", {"reason": "他社"}),
        (f"/applications/{app['id']}/confirm-payment", {"received_on": "2026-04-12"}),
        (f"/applications/{app['id']}/conclude", None),
        (
            f"/guarantees/{g.number}/amendment-requests",
            {
                "amendment_type": "PERIOD",
                "completion_date": "2027-12-31",
                "effective_on": "2026-07-01",
                "reason": "他社",
            },
        ),
        (f"/amendment-requests/{req.pk}/approve", None),
        (f"/amendment-requests/{req.pk}/reject", {"reason": "他社"}),
        (f"/guarantees/{g.number}/cancel", {"reason": "他社"}),
        (f"/guarantees/{g.number}/reissue-key", None),
    ):
        assert_error(east.post(path, body), 404, "not_found")
    assert Application.objects.get(pk=app["id"]).status == ApplicationStatus.SUBMITTED
    assert AmendmentRequest.objects.get(pk=req.pk).status == "PENDING"


def test_an_orderer_token_may_not_call_a_suretys_operations_nor_the_reverse(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    assert_error(Api(tokens.orderer).get(f"/guarantees/{g.number}"), 403, "forbidden")
    assert_error(Api(tokens.orderer).post("/applications", application_body(world)), 403, "forbidden")
    assert_error(Api(tokens.clerk).get("/certificates"), 403, "forbidden")
    assert_error(Api(tokens.clerk).post("/verifications", {"number": g.number, "key": "x"}), 403, "forbidden")


# ---------------------------------------------------------------------------
# guarantees: 変更申請, 解約, 認証キー再発行


def test_an_amount_change_needs_a_second_token_and_issues_version_2(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    body = {
        "amendment_type": "AMOUNT",
        "contract_price": 100_000_000,
        "guaranteed_amount": 30_000_000,
        "effective_on": "2026-06-01",
        "reason": "設計変更による減額",
    }
    created = Api(tokens.clerk).post(f"/guarantees/{g.number}/amendment-requests", body)
    assert created.status_code == 201, created.content.decode()
    req = created.json()
    assert req["status"]["code"] == "PENDING" and req["guarantee_version"] == 1
    assert_error(Api(tokens.clerk).post(f"/guarantees/{g.number}/amendment-requests", body), 409, "invalid_state")
    assert_error(Api(tokens.clerk).post(f"/amendment-requests/{req['id']}/approve"), 403, "not_permitted")
    approved = Api(tokens.approver).post(f"/amendment-requests/{req['id']}/approve").json()
    assert approved["status"]["code"] == "APPROVED" and approved["guarantee_version"] == 2
    detail = Api(tokens.clerk).get(f"/guarantees/{g.number}").json()
    assert detail["guaranteed_amount"] == 30_000_000
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["amendments"][0]["amendment_type"]["code"] == "AMOUNT"


def test_a_bad_change_is_a_422_and_a_withdrawal_by_its_author_works(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    api = Api(tokens.clerk)
    too_much = {
        "amendment_type": "AMOUNT",
        "contract_price": 100_000_000,
        "guaranteed_amount": 90_000_000,
        "effective_on": "2026-06-01",
        "reason": "増額",
    }
    assert (
        "guaranteed_amount"
        in assert_error(api.post(f"/guarantees/{g.number}/amendment-requests", too_much), 422, "rule_violation")[
            "fields"
        ]
    )
    period = {
        "amendment_type": "PERIOD",
        "completion_date": "2027-09-30",
        "effective_on": "2026-07-01",
        "reason": "延長",
    }
    req = api.post(f"/guarantees/{g.number}/amendment-requests", period).json()
    withdrawn = api.post(f"/amendment-requests/{req['id']}/reject", {"reason": "入力誤り"}).json()
    assert withdrawn["status"]["code"] == "REJECTED"
    assert Guarantee.objects.get(pk=g.pk).completion_date == dt.date(2027, 3, 31)


def test_cancellation_needs_an_approver_token_and_happens_once(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    assert_error(Api(tokens.clerk).post(f"/guarantees/{g.number}/cancel", {"reason": "工事中止"}), 403, "not_permitted")
    done = Api(tokens.approver).post(f"/guarantees/{g.number}/cancel", {"reason": "工事中止"}).json()
    assert done["status"] == {"code": "CANCELLED", "label": "解約"}
    assert_error(Api(tokens.approver).post(f"/guarantees/{g.number}/cancel", {"reason": "再度"}), 409, "invalid_state")


def test_a_reissued_key_is_returned_once_and_the_old_one_stops_working(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    old = gservices.access_key_plain(guarantee=g)
    assert old is not None
    body = Api(tokens.clerk).post(f"/guarantees/{g.number}/reissue-key").json()
    new = body["access_key"]
    assert body["number"] == g.number and new != old
    verify = Api(tokens.orderer)
    assert_error(verify.post("/verifications", {"number": g.number, "key": old}), 404, "verification_refused")
    assert verify.post("/verifications", {"number": g.number, "key": new}).status_code == 200
    paper = make_guarantee(world, delivery_method="PAPER", work_name="書面の工事")
    assert_error(Api(tokens.clerk).post(f"/guarantees/{paper.number}/reissue-key"), 409, "invalid_state")


def test_a_reissued_key_is_handed_over_without_decrypting_it(
    world: World, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The key made by the reissue is the one handed over: the ciphertext just written is not read back.
    g = make_guarantee(world)

    def no_decryption(*args: object, **kwargs: object) -> str:
        raise AssertionError("the reissued key was decrypted again")

    monkeypatch.setattr(keys, "decrypt_key", no_decryption)
    body = Api(tokens.clerk).post(f"/guarantees/{g.number}/reissue-key").json()
    assert len(body["access_key"]) > 0
    monkeypatch.undo()
    assert gservices.access_key_plain(guarantee=g) == body["access_key"]


# ---------------------------------------------------------------------------
# 一括取込


def test_a_small_csv_is_imported_at_once(world: World, tokens: Tokens) -> None:
    response = Api(tokens.approver).upload("/imports", "基幹システム.csv", csv_bytes([line(world)]))
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["status"]["code"] == ImportStatus.IMPORTED and body["imported_count"] == 1
    assert Guarantee.objects.filter(work_name="〇〇道路改良工事").exists()
    again = Api(tokens.approver).get(f"/imports/{body['id']}").json()
    assert again == body


def test_a_bad_csv_is_reported_line_by_line_and_nothing_is_imported(world: World, tokens: Tokens) -> None:
    body = Api(tokens.approver).upload("/imports", "bad.csv", csv_bytes([line(world, 保証金額="abc")])).json()
    assert body["status"]["code"] == ImportStatus.REJECTED
    assert body["errors"][0]["line"] == 2 and body["errors"][0]["column"] == "保証金額"
    assert not Guarantee.objects.exists()


def test_imports_need_an_approver_token_and_a_file(world: World, tokens: Tokens) -> None:
    assert_error(Api(tokens.clerk).upload("/imports", "g.csv", csv_bytes([line(world)])), 403, "not_permitted")
    assert_error(Api(tokens.approver).upload("/imports", "empty.csv", b""), 422, "rejected")
    api = Api(tokens.approver)
    assert_error(api.client.post("/api/v1/imports", {}, **api.headers), 422, "invalid_input")


def test_a_key_handed_to_a_system_verifies_for_the_orderer(world: World, tokens: Tokens) -> None:
    done = conclude_via_api(world, tokens)
    receipt = vservices.certificate_verify(
        user=world.orderer_user,
        number=done["guarantee"]["number"],
        key=done["access_key"],
        client_ip="192.0.2.1",
        now=timezone.now(),
    )
    assert receipt.guarantee.number == done["guarantee"]["number"]
