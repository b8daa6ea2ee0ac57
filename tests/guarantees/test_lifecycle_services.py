"""Services of a concluded guarantee: 変更申請 with four eyes, 解約, 満了, 認証キー再発行, 料率, 発注者."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from esurety.accounts.services import orderer_user_invite
from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.guarantees import selectors, services
from esurety.guarantees.models import (
    AccessKey,
    AmendmentRequest,
    AmendmentRequestStatus,
    AmendmentType,
    Certificate,
    Guarantee,
    GuaranteeStatus,
    PremiumRate,
    PremiumStatement,
    StatementType,
)
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import ElectronicAdoption, Orderer, OrdererDepartment, Role, User
from esurety.parties.services import AdoptionInput, DepartmentInput, OrdererInput, orderer_create, orderer_update
from tests.factories import PASSWORD, World, make_guarantee
from tests.office.lifecycle import LATER, NOW, Office, mails, make_office, receive, recipients


@pytest.fixture
def office(world: World) -> Office:
    return make_office(world)


def request_amount(world: World, g: Guarantee, *, price: int, amount: int, by: User | None = None) -> AmendmentRequest:
    return services.amendment_request_create(
        guarantee=g,
        by=by or world.clerk,
        amendment_type=AmendmentType.AMOUNT,
        contract_price=price,
        guaranteed_amount=amount,
        effective_on=dt.date(2026, 4, 18),
        reason="設計変更による請負金額の変更",
        now=NOW,
    )


# ---------------------------------------------------------------------------
# 変更申請: entry, four eyes, rules on the amended figures


def test_an_amount_request_changes_nothing_until_another_approver_approves(world: World) -> None:
    g = make_guarantee(world)
    req = request_amount(world, g, price=120_000_000, amount=48_000_000)
    g.refresh_from_db()
    assert (req.status, g.guaranteed_amount, g.current_version) == (AmendmentRequestStatus.PENDING, 40_000_000, 1)
    assert req.before["guaranteed_amount"] == 40_000_000

    services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    g.refresh_from_db()
    req.refresh_from_db()
    assert (g.contract_price, g.guaranteed_amount, g.current_version, g.is_amended) == (
        120_000_000,
        48_000_000,
        2,
        True,
    )
    assert (req.status, req.decided_by, req.amendment is not None) == (
        AmendmentRequestStatus.APPROVED,
        world.approver,
        True,
    )
    v1, v2 = Certificate.objects.filter(guarantee=g).order_by("version")
    assert (v1.guaranteed_amount, v1.is_amendment) == (40_000_000, False)  # the old version stays as issued
    assert (v2.guaranteed_amount, v2.is_amendment) == (48_000_000, True)
    assert req.amendment is not None and req.amendment.certificate == v2


def test_whoever_entered_an_amendment_cannot_approve_it(world: World) -> None:
    g = make_guarantee(world)
    req = request_amount(world, g, price=120_000_000, amount=48_000_000, by=world.approver)
    with pytest.raises(NotPermitted, match="自分が入力した案件は承認できません"):
        services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    g.refresh_from_db()
    assert g.current_version == 1
    # Another approver may.
    other = User.objects.create_user(username="approver-b", password=PASSWORD, surety=world.surety, role=Role.APPROVER)
    services.amendment_request_approve(request=req, by=other, now=LATER)
    g.refresh_from_db()
    assert g.current_version == 2


def test_a_clerk_cannot_approve_an_amendment(world: World) -> None:
    g = make_guarantee(world)
    req = services.amendment_request_create(
        guarantee=g,
        by=world.approver,
        amendment_type=AmendmentType.PERIOD,
        completion_date=dt.date(2027, 6, 30),
        effective_on=dt.date(2026, 4, 18),
        reason="工期延長",
        now=NOW,
    )
    with pytest.raises(NotPermitted, match="承認の権限がありません"):
        services.amendment_request_approve(request=req, by=world.clerk, now=LATER)


def test_the_advance_above_the_new_prices_limit_is_flagged_at_entry(world: World) -> None:
    g = make_guarantee(world)  # 100,000,000 / 40,000,000
    with pytest.raises(DomainError) as caught:
        request_amount(world, g, price=80_000_000, amount=40_000_000)
    assert [(v.field, v.message) for v in caught.value.violations] == [
        (
            "guaranteed_amount",
            "前払金の保証金額は、請負金額(総額)の10分の4（10万円未満切捨て）の32,000,000円以下にしてください。",
        )
    ]
    assert not AmendmentRequest.objects.exists()


def test_rules_are_checked_again_at_approval(world: World) -> None:
    advance = make_guarantee(world)
    req = request_amount(world, advance, price=120_000_000, amount=48_000_000)
    # Meanwhile an interim advance of 20,000,000 is issued on the same works: 40 + 20 = 6/10 of 100,000,000.
    make_guarantee(
        world,
        kind=GuaranteeKind.INTERIM_ADVANCE,
        guaranteed_amount=20_000_000,
        advance_guarantee_number=advance.number,
    )
    with pytest.raises(DomainError) as caught:
        services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    assert any("10分の6" in v.message for v in caught.value.violations)
    advance.refresh_from_db()
    req.refresh_from_db()
    assert (advance.guaranteed_amount, advance.current_version, req.status) == (
        40_000_000,
        1,
        AmendmentRequestStatus.PENDING,
    )


def test_unchanged_figures_and_missing_reason_are_refused(world: World) -> None:
    g = make_guarantee(world)
    with pytest.raises(DomainError) as caught:
        services.amendment_request_create(
            guarantee=g,
            by=world.clerk,
            amendment_type=AmendmentType.AMOUNT,
            contract_price=100_000_000,
            guaranteed_amount=40_000_000,
            effective_on=dt.date(2026, 4, 18),
            reason=" ",
            now=NOW,
        )
    assert {v.field for v in caught.value.violations} == {"reason", "guaranteed_amount"}


def test_only_one_pending_request_per_guarantee(world: World) -> None:
    g = make_guarantee(world)
    request_amount(world, g, price=120_000_000, amount=48_000_000)
    with pytest.raises(InvalidStateError, match="承認待ちの変更申請があります"):
        request_amount(world, g, price=110_000_000, amount=44_000_000)


def test_reject_leaves_the_guarantee_and_needs_a_reason(world: World) -> None:
    g = make_guarantee(world)
    req = request_amount(world, g, price=120_000_000, amount=48_000_000)
    with pytest.raises(DomainError, match="却下の理由"):
        services.amendment_request_reject(request=req, by=world.approver, reason="", now=LATER)
    services.amendment_request_reject(request=req, by=world.approver, reason="契約書の写しが未着", now=LATER)
    req.refresh_from_db()
    g.refresh_from_db()
    assert (req.status, req.rejection_reason, g.current_version) == (
        AmendmentRequestStatus.REJECTED,
        "契約書の写しが未着",
        1,
    )
    with pytest.raises(InvalidStateError):
        services.amendment_request_approve(request=req, by=world.approver, now=LATER)


# ---------------------------------------------------------------------------
# premium difference


def test_an_increase_issues_a_receipt_for_the_additional_premium(world: World) -> None:
    g = make_guarantee(world)
    req = request_amount(world, g, price=120_000_000, amount=48_000_000)
    services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    statement = PremiumStatement.objects.get(guarantee=g, number=f"R{g.number}-2")
    # 0.12% a year over 356 days: 40,000,000 → 46,816 yen; 48,000,000 → 56,179 yen.
    assert (statement.statement_type, statement.amount) == (StatementType.PREMIUM_RECEIPT, 9_363)
    assert statement.breakdown["previous_premium"] == 46_816
    assert statement.breakdown["new_premium"] == 56_179
    assert statement.breakdown["tax"] == "非課税"
    assert statement.is_sample_rate is True


def test_a_decrease_issues_a_refund_statement(world: World) -> None:
    g = make_guarantee(world)
    req = request_amount(world, g, price=75_000_000, amount=30_000_000)
    services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    refund = PremiumStatement.objects.get(guarantee=g, statement_type=StatementType.REFUND)
    # 46,816 − 35,112 (30,000,000 over the same 356 days).
    assert (refund.number, refund.amount, refund.counterparty_name) == (f"H{g.number}-1", 11_704, "株式会社〇〇建設")
    assert "返還保証料 11,704円" in refund.breakdown["formula"]
    # A second decrease gets the next number.
    req2 = request_amount(world, g, price=50_000_000, amount=20_000_000)
    services.amendment_request_approve(request=req2, by=world.approver, now=LATER)
    assert PremiumStatement.objects.filter(guarantee=g, number=f"H{g.number}-2").exists()


def test_a_period_change_moves_the_period_without_a_certificate_or_statement(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    req = services.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type=AmendmentType.PERIOD,
        completion_date=dt.date(2027, 6, 30),
        effective_on=dt.date(2026, 4, 18),
        reason="工期延長",
        now=NOW,
    )
    services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    g.refresh_from_db()
    assert (g.period_end, g.completion_date, g.current_version) == (dt.date(2027, 6, 30), dt.date(2027, 6, 30), 1)
    assert PremiumStatement.objects.filter(guarantee=g).count() == 1  # only the one of the conclusion
    # The orderer who verified is told too (it is shown to them).
    assert f"koji-{world.orderer.pk}@orderer.example" in recipients("guarantee_amended")
    body = mails("guarantee_amended")[-1].body_text
    assert "令和9年3月31日 → 令和9年6月30日" in body


# ---------------------------------------------------------------------------
# notifications


def test_an_amount_change_tells_the_contractor_and_every_orderer_department_that_handles_the_kind(
    world: World,
) -> None:
    g = make_guarantee(world)
    receive(world, g)
    OutboxMessage.objects.all().delete()
    req = request_amount(world, g, price=120_000_000, amount=48_000_000)
    services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    # 工事担当課 handles advances; 契約窓口 only performance guarantees.
    assert recipients("guarantee_amended") == ["alice@example.com", f"koji-{world.orderer.pk}@orderer.example"]
    to_orderer = next(m for m in mails("guarantee_amended") if m.to[0].startswith("koji-"))
    assert "徳島市上下水道事業管理者 工事担当課 御中" in to_orderer.body_text
    assert f"/verify/certificates/{g.number}/" in to_orderer.body_text
    assert "第2版（変更）" in to_orderer.body_text
    assert "40,000,000円 → 48,000,000円" in to_orderer.body_text
    to_contractor = next(m for m in mails("guarantee_amended") if m.to == ["alice@example.com"])
    assert f"/contractor/guarantees/{g.number}/" in to_contractor.body_text
    assert "保証証書の変更" in to_contractor.subject


def test_without_a_department_for_the_kind_the_person_who_verified_is_told(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    OrdererDepartment.objects.filter(orderer=world.orderer).delete()
    req = request_amount(world, g, price=120_000_000, amount=48_000_000)
    services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    assert recipients("guarantee_amended") == ["alice@example.com", "orderer@example.com"]


def test_no_receipt_no_orderer_mail(world: World) -> None:
    g = make_guarantee(world)
    req = request_amount(world, g, price=120_000_000, amount=48_000_000)
    services.amendment_request_approve(request=req, by=world.approver, now=LATER)
    assert recipients("guarantee_amended") == ["alice@example.com"]


# ---------------------------------------------------------------------------
# branch scope


def test_branch_staff_act_on_their_branch_only(world: World, office: Office) -> None:
    g = make_guarantee(world)  # 大塚支店
    with pytest.raises(NotPermitted, match="他の取次場所"):
        request_amount(world, g, price=120_000_000, amount=48_000_000, by=office.other_branch_clerk)
    req = request_amount(world, g, price=120_000_000, amount=48_000_000)
    with pytest.raises(NotPermitted, match="他の取次場所"):
        services.amendment_request_approve(request=req, by=office.other_branch_clerk, now=LATER)
    with pytest.raises(NotPermitted):
        services.access_key_reissue(guarantee=g, by=office.other_branch_clerk, now=LATER)
    assert selectors.guarantee_for_staff(user=office.other_branch_clerk, number=g.number) is None
    assert selectors.amendment_request_for_staff(user=office.other_branch_clerk, pk=req.pk) is None
    assert selectors.guarantee_for_staff(user=world.clerk, number=g.number) == g

    mine = make_guarantee(world, branch_id=office.other_branch.pk)
    assert selectors.guarantee_for_staff(user=office.other_branch_clerk, number=mine.number) == mine
    assert list(selectors.application_queue_for_staff(user=office.other_branch_clerk)) == [mine.application]


def test_staff_of_another_surety_can_do_nothing(world: World, office: Office) -> None:
    g = make_guarantee(world)
    with pytest.raises(NotPermitted):
        request_amount(world, g, price=120_000_000, amount=48_000_000, by=office.other_surety_staff)
    with pytest.raises(NotPermitted):
        services.guarantee_cancel(guarantee=g, by=office.other_surety_staff, reason="x", now=LATER)
    assert selectors.guarantee_for_staff(user=office.other_surety_staff, number=g.number) is None


# ---------------------------------------------------------------------------
# 解約 and 満了


def test_cancel_by_an_approver_with_notices(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    with pytest.raises(NotPermitted):
        services.guarantee_cancel(guarantee=g, by=world.clerk, reason="契約解除", now=LATER)
    with pytest.raises(DomainError, match="解約の理由"):
        services.guarantee_cancel(guarantee=g, by=world.approver, reason=" ", now=LATER)
    services.guarantee_cancel(guarantee=g, by=world.approver, reason="請負契約の解除", now=LATER)
    g.refresh_from_db()
    assert (g.status, g.cancelled_at) == (GuaranteeStatus.CANCELLED, LATER)
    assert recipients("guarantee_cancelled") == ["alice@example.com", f"koji-{world.orderer.pk}@orderer.example"]
    assert "令和8年4月27日に解約されました" in mails("guarantee_cancelled")[0].body_text
    entry = AuditEntry.objects.filter(action="guarantee.cancel").get()
    assert entry.after is not None and entry.after["reason"] == "請負契約の解除"
    # Still verifiable, so the orderer sees the status; but nothing more can be done to it.
    key = services.access_key_plain(guarantee=g)
    assert key is not None and services.access_key_verify(number=g.number, key=key) == g
    with pytest.raises(InvalidStateError, match="「解約」のため"):
        services.guarantee_cancel(guarantee=g, by=world.approver, reason="再", now=LATER)
    with pytest.raises(InvalidStateError):
        request_amount(world, g, price=120_000_000, amount=48_000_000)


def test_an_advance_with_an_active_rider_cannot_be_cancelled_first(world: World) -> None:
    advance = make_guarantee(world)
    rider = make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=advance.number,
    )
    with pytest.raises(InvalidStateError, match=rider.number):
        services.guarantee_cancel(guarantee=advance, by=world.approver, reason="解除", now=LATER)
    services.guarantee_cancel(guarantee=rider, by=world.approver, reason="解除", now=LATER)
    services.guarantee_cancel(guarantee=advance, by=world.approver, reason="解除", now=LATER)


def test_expiry_after_the_period_one_audit_entry_each_and_idempotent(world: World) -> None:
    ended = make_guarantee(world)  # period ends 2027-03-31
    running = make_guarantee(world, completion_date=dt.date(2027, 9, 30))
    cancelled = make_guarantee(world, work_name="△△トンネル工事")
    services.guarantee_cancel(guarantee=cancelled, by=world.approver, reason="解除", now=NOW)

    assert services.guarantees_expire_due(today=dt.date(2027, 3, 31), now=NOW) == 0  # the last day is still covered
    assert services.guarantees_expire_due(today=dt.date(2027, 4, 1), now=NOW) == 1
    assert services.guarantees_expire_due(today=dt.date(2027, 4, 1), now=NOW) == 0
    statuses = dict(Guarantee.objects.values_list("pk", "status"))
    assert statuses == {
        ended.pk: GuaranteeStatus.EXPIRED,
        running.pk: GuaranteeStatus.ACTIVE,
        cancelled.pk: GuaranteeStatus.CANCELLED,
    }
    entries = AuditEntry.objects.filter(action="guarantee.expire")
    assert [(e.object_id, e.actor_id) for e in entries] == [(str(ended.pk), None)]
    assert audit_verify() is None


def test_expire_command(world: World) -> None:
    g = make_guarantee(world)
    out = io.StringIO()
    call_command("expire_guarantees", "--today", "2027-05-01", stdout=out)
    assert "1 guarantee(s) expired" in out.getvalue()
    g.refresh_from_db()
    assert g.status == GuaranteeStatus.EXPIRED


# ---------------------------------------------------------------------------
# 認証キー再発行


def test_key_reissue_revokes_at_once_and_keeps_the_orderers_receipt(world: World) -> None:
    g = make_guarantee(world)
    old_key = services.access_key_plain(guarantee=g)
    assert old_key is not None
    receive(world, g)
    OutboxMessage.objects.all().delete()

    services.access_key_reissue(guarantee=g, by=world.clerk, now=LATER)

    assert services.access_key_verify(number=g.number, key=old_key) is None
    new_key = services.access_key_plain(guarantee=g)
    assert new_key is not None and new_key != old_key
    assert services.access_key_verify(number=g.number, key=new_key) == g
    assert AccessKey.objects.filter(guarantee=g).count() == 2
    assert AccessKey.objects.get(guarantee=g, revoked_at__isnull=False).revoked_at == LATER

    # The orderer that verified before opens the certificate from its 受領済み一覧 without the new key.
    client = Client()
    client.force_login(world.orderer_user)
    response = client.get(f"/verify/certificates/{g.number}/")
    assert response.status_code == 200
    assert g.work_name in response.content.decode()

    # The contractor's key page (and the notice PDF made from it) now gives the new key.
    contractor = Client()
    contractor.force_login(world.contractor_user)
    key_page = contractor.get(f"/contractor/guarantees/{g.number}/key/").content.decode()
    assert new_key in key_page and old_key not in key_page

    (message,) = mails("access_key_reissued")
    assert message.to == ["alice@example.com"]
    assert new_key not in message.body_text and new_key not in message.body_html
    assert "これまでの認証キーは使用できなくなりました" in message.body_text
    entry = AuditEntry.objects.get(action="access_key.reissue")
    assert entry.actor == world.clerk


def test_no_key_to_reissue_for_paper_or_ended_guarantees(world: World) -> None:
    paper = make_guarantee(world, delivery_method=DeliveryMethod.PAPER)
    with pytest.raises(InvalidStateError, match="書面交付"):
        services.access_key_reissue(guarantee=paper, by=world.clerk, now=LATER)
    g = make_guarantee(world, work_name="△△トンネル工事")
    services.guarantee_cancel(guarantee=g, by=world.approver, reason="解除", now=NOW)
    with pytest.raises(InvalidStateError, match="解約"):
        services.access_key_reissue(guarantee=g, by=world.clerk, now=LATER)


# ---------------------------------------------------------------------------
# 保証料率


def test_only_the_administrator_adds_rates_never_retroactively(world: World, office: Office) -> None:
    with pytest.raises(NotPermitted):
        services.premium_rate_create(
            by=world.approver,
            kind=GuaranteeKind.ADVANCE,
            effective_from=dt.date(2026, 10, 1),
            annual_rate="0.0011",
            minimum_premium=3_000,
            is_sample=True,
            now=NOW,
        )
    with pytest.raises(DomainError) as caught:
        services.premium_rate_create(
            by=office.admin,
            kind=GuaranteeKind.ADVANCE,
            effective_from=dt.date(2026, 4, 1),
            annual_rate="1.5",
            minimum_premium=-1,
            is_sample=False,
            now=NOW,
        )
    assert {v.field for v in caught.value.violations} == {"effective_from", "annual_rate", "minimum_premium"}
    rate = services.premium_rate_create(
        by=office.admin,
        kind=GuaranteeKind.ADVANCE,
        effective_from=dt.date(2026, 10, 1),
        annual_rate="0.0011",
        minimum_premium=3_000,
        is_sample=False,
        now=NOW,
    )
    assert (rate.surety, rate.annual_rate, rate.is_sample) == (world.surety, Decimal("0.001100"), False)
    assert AuditEntry.objects.filter(action="premium_rate.create", object_id=str(rate.pk)).exists()
    with pytest.raises(DomainError, match="既に登録"):
        services.premium_rate_create(
            by=office.admin,
            kind=GuaranteeKind.ADVANCE,
            effective_from=dt.date(2026, 10, 1),
            annual_rate="0.0010",
            minimum_premium=3_000,
            is_sample=False,
            now=NOW,
        )
    # Applications with a contract date from then on are quoted at the new rate.
    app = make_guarantee(world, contract_date=dt.date(2026, 10, 5), completion_date=dt.date(2027, 3, 31)).application
    assert app is not None and app.premium == 40_000_000 * 11 * 178 // 10_000 // 365
    assert PremiumRate.objects.filter(surety=world.surety, kind=GuaranteeKind.ADVANCE).count() == 2


# ---------------------------------------------------------------------------
# 発注者


def naruto_input(**overrides: object) -> OrdererInput:
    data = {
        "name": "鳴門市長",
        "organisation_name": "鳴門市",
        "postal_code": "772-8501",
        "address": "鳴門市撫養町南浜字東浜170",
        "notice_subject_template": "【電子保証】{number} {work_name}",
        "adoptions": tuple(
            AdoptionInput(work_category=WorkCategory.WORKS, kind=k, effective_from=dt.date(2026, 7, 1))
            for k in (GuaranteeKind.ADVANCE, GuaranteeKind.PERFORMANCE)
        ),
        "departments": (
            DepartmentInput(name="契約検査課", email="keiyaku@naruto.example", kinds=(GuaranteeKind.PERFORMANCE,)),
            DepartmentInput(name="土木課", email="doboku@naruto.example", kinds=(GuaranteeKind.ADVANCE,)),
        ),
    }
    data.update(overrides)
    return OrdererInput(**data)  # type: ignore[arg-type]


def test_orderer_registration_and_update(world: World, office: Office) -> None:
    with pytest.raises(NotPermitted):
        orderer_create(by=world.approver, data=naruto_input(), now=NOW)
    naruto = orderer_create(by=office.manager, data=naruto_input(), now=NOW)
    assert naruto.accepts_electronic(
        kind=GuaranteeKind.ADVANCE, work_category=WorkCategory.WORKS, contract_date=dt.date(2026, 7, 1)
    )
    assert not naruto.accepts_electronic(
        kind=GuaranteeKind.ADVANCE, work_category=WorkCategory.WORKS, contract_date=dt.date(2026, 6, 30)
    )
    assert not naruto.accepts_electronic(
        kind=GuaranteeKind.ADVANCE, work_category=WorkCategory.CONSULTING, contract_date=dt.date(2026, 7, 1)
    )
    assert {d.name: d.handles_kinds for d in naruto.departments.all()} == {
        "契約検査課": "PERFORMANCE",
        "土木課": "ADVANCE",
    }

    orderer_update(
        orderer=naruto,
        by=office.admin,
        data=naruto_input(
            adoptions=(AdoptionInput(WorkCategory.CONSULTING, GuaranteeKind.ADVANCE, dt.date(2026, 8, 1)),),
            departments=(
                DepartmentInput(name="土木課", email="doboku2@naruto.example", kinds=("ADVANCE", "INTERIM_ADVANCE")),
            ),
        ),
        now=LATER,
    )
    naruto.refresh_from_db()
    assert list(ElectronicAdoption.objects.filter(orderer=naruto).values_list("work_category", "kind")) == [
        ("CONSULTING", "ADVANCE")
    ]
    assert list(naruto.departments.values_list("name", "email", "handles_kinds")) == [
        ("土木課", "doboku2@naruto.example", "ADVANCE,INTERIM_ADVANCE")
    ]
    update = AuditEntry.objects.get(action="orderer.update")
    assert update.before is not None and len(update.before["departments"]) == 2


def test_orderer_input_errors_name_their_fields(world: World, office: Office) -> None:
    with pytest.raises(DomainError) as caught:
        orderer_create(
            by=office.admin,
            data=naruto_input(
                name="徳島市上下水道事業管理者",
                notice_subject_template="{kind} {amount}",
                adoptions=(
                    AdoptionInput(WorkCategory.WORKS, GuaranteeKind.ADVANCE, dt.date(2026, 7, 1), dt.date(2026, 6, 1)),
                ),
                departments=(DepartmentInput(name="土木課", email="not-an-address"),),
            ),
            now=NOW,
        )
    assert {v.field for v in caught.value.violations} == {
        "name",
        "notice_subject_template",
        "adoption_until",
        "departments",
    }
    assert Orderer.objects.count() == 1


# ---------------------------------------------------------------------------
# orderer users


def test_staff_invite_the_first_administrator_of_an_orderer(world: World, office: Office) -> None:
    naruto = orderer_create(by=office.admin, data=naruto_input(), now=NOW)
    with pytest.raises(NotPermitted):
        orderer_user_invite(by=world.clerk, orderer=naruto, email="a@naruto.example", display_name="阿波 花子", now=NOW)
    with pytest.raises(NotPermitted):
        orderer_user_invite(
            by=world.contractor_user, orderer=naruto, email="a@naruto.example", display_name="阿波 花子", now=NOW
        )
    user = orderer_user_invite(
        by=office.admin, orderer=naruto, email="a@naruto.example", display_name="阿波 花子", now=NOW
    )
    assert (user.orderer, user.role, user.has_usable_password()) == (naruto, Role.ORG_ADMIN, False)
    (mail,) = mails("orderer_user_invited")
    assert mail.to == ["a@naruto.example"]
    assert user.username in mail.body_text and "/reset/" in mail.body_text
    assert "西日本建設業保証株式会社が、あなたを鳴門市長の管理者として" in mail.body_text.replace("\n", "")
    with pytest.raises(InvalidStateError, match="既に管理者がいます"):
        orderer_user_invite(
            by=office.admin, orderer=naruto, email="b@naruto.example", display_name="眉山 次郎", now=NOW
        )
