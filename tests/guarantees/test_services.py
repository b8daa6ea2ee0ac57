"""The guarantee lifecycle through the services, as the contractor and the surety's staff live it."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db.models import Model

from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.core.clock import TOKYO
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.core.normalize import normalize_access_key, normalize_guarantee_number
from esurety.guarantees import keys, services
from esurety.guarantees.models import (
    AccessKey,
    Amendment,
    AmendmentType,
    Application,
    ApplicationStatus,
    Certificate,
    Guarantee,
    GuaranteeStatus,
    NumberSeries,
    PremiumStatement,
    StatementType,
)

# The changes themselves, below the four-eyes request → approve path (their own rules and audit).
from esurety.guarantees.services.amendments import _amend_amount, _change_period
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Branch, Role, User
from tests.factories import World, application_input, make_guarantee, make_surety, make_user

# 10:00 in Tokyo on a weekday after the adoption date.
NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=TOKYO)
LATER = NOW + dt.timedelta(days=30)

FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
)


def draft(world: World, *, by: User | None = None, **overrides: object) -> Application:
    return services.application_create(
        by=by or world.contractor_user, data=application_input(world, **overrides), now=NOW
    )


def actions(step: Callable[[], object]) -> list[str]:
    """Run one service step; return the audit actions it appended, in order."""
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    step()
    return list(AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True))


def counts() -> dict[str, int]:
    models: list[type[Model]] = [
        Application,
        Guarantee,
        Certificate,
        AccessKey,
        Amendment,
        PremiumStatement,
        OutboxMessage,
        AuditEntry,
    ]
    return {m.__name__: m.objects.count() for m in models}


def to_payment_confirmed(world: World, app: Application) -> Application:
    app = services.application_start_review(application=app, by=world.clerk, now=NOW)
    app = services.application_approve(application=app, by=world.approver, now=NOW)
    return services.application_confirm_payment(application=app, by=world.clerk, received_on=NOW.date(), now=NOW)


# --- The whole lifecycle ---------------------------------------------------


def test_full_lifecycle(world: World) -> None:
    app = draft(world)
    assert app.status == ApplicationStatus.DRAFT
    assert app.surety == world.surety

    steps: list[tuple[Callable[[], Application | Guarantee], str, list[str]]] = [
        (
            lambda: services.application_submit(application=app, by=world.contractor_user, now=NOW),
            ApplicationStatus.SUBMITTED,
            ["application.submit"],
        ),
        (
            lambda: services.application_start_review(application=app, by=world.clerk, now=NOW),
            ApplicationStatus.UNDER_REVIEW,
            ["application.start_review"],
        ),
        (
            lambda: services.application_approve(application=app, by=world.approver, now=NOW),
            ApplicationStatus.APPROVED,
            ["application.approve"],
        ),
        (
            lambda: services.application_confirm_payment(
                application=app, by=world.clerk, received_on=dt.date(2026, 4, 15), now=NOW
            ),
            ApplicationStatus.PAYMENT_CONFIRMED,
            ["application.confirm_payment"],
        ),
        (
            lambda: services.application_conclude(application=app, by=world.clerk, now=NOW),
            ApplicationStatus.CONCLUDED,
            ["application.conclude", "certificate.issue"],
        ),
    ]
    for step, status, expected_actions in steps:
        assert actions(step) == expected_actions
        app.refresh_from_db()
        assert app.status == status
    assert app.submitted_at == NOW
    assert app.reviewed_by == world.clerk
    assert app.payment_received_on == dt.date(2026, 4, 15)

    g = Guarantee.objects.get(application=app)
    # The first number of 大塚支店's series, 10 digits like the seed's 2070004426.
    assert g.number == "2070000001"
    assert NumberSeries.objects.get(branch=world.branch).next_number == 2_070_000_002
    assert g.status == GuaranteeStatus.ACTIVE
    assert g.period_end == g.completion_date == dt.date(2027, 3, 31)
    assert (g.current_version, g.latest_issued_on, g.is_amended) == (1, dt.date(2026, 4, 15), False)

    cert = g.certificates.get()
    assert cert.version == 1
    assert not cert.is_amendment
    assert cert.issued_on == dt.date(2026, 4, 15)
    assert cert.issued_by == world.clerk
    assert (cert.kind, cert.work_name, cert.contract_price, cert.guaranteed_amount) == (
        GuaranteeKind.ADVANCE,
        "〇〇道路改良工事",
        100_000_000,
        40_000_000,
    )
    assert cert.period_end == dt.date(2027, 3, 31)
    assert cert.deposit_bank == "〇〇銀行 ▲▲支店"
    assert cert.contractor_name == "株式会社〇〇建設"
    assert cert.contractor_address == "▲▲市▲▲区▲▲1丁目1番1号"
    assert cert.orderer_name == "徳島市上下水道事業管理者"
    assert cert.surety_name == "西日本建設業保証株式会社"
    assert cert.surety_representative == "取締役社長 御出 一"
    assert (cert.branch_name, cert.branch_tel, cert.branch_fax) == ("大塚支店", "06-6543-2711", "0120-504160")

    # The certificate is a snapshot: a later move of the contractor does not rewrite it.
    world.contractor.address = "徳島市新町1丁目1番1号"
    world.contractor.save()
    cert.refresh_from_db()
    assert cert.contractor_address == "▲▲市▲▲区▲▲1丁目1番1号"

    # 保証料領収書(計算書), exempt from consumption tax.
    statement = g.premium_statements.get()
    assert statement.statement_type == StatementType.PREMIUM_RECEIPT
    assert statement.get_statement_type_display() == "保証料領収書(計算書)"
    # 40,000,000 × 0.12% × 356 days ÷ 365, cut to the yen (sample rate of the factories).
    assert app.premium == statement.amount == 46_816
    assert statement.breakdown["tax"] == "非課税"
    assert statement.breakdown["days"] == 356
    assert statement.is_sample_rate
    assert statement.counterparty_name == "株式会社〇〇建設"
    assert statement.issued_on == dt.date(2026, 4, 15)
    assert audit_verify() is None


def test_issue_date_is_the_tokyo_date(world: World) -> None:
    # 23:30 UTC on 14 April is already 15 April in Tokyo.
    late = dt.datetime(2026, 4, 14, 23, 30, tzinfo=dt.UTC)
    app = to_payment_confirmed(
        world, services.application_submit(application=draft(world), by=world.contractor_user, now=late)
    )
    g = services.application_conclude(application=app, by=world.clerk, now=late).guarantee
    assert g.certificates.get().issued_on == dt.date(2026, 4, 15)
    assert g.latest_issued_on == dt.date(2026, 4, 15)


def test_kind_series_like_the_seed(world: World) -> None:
    # 大塚支店 numbers performance guarantees from its own range (2070202096 in the seed).
    NumberSeries.objects.create(
        branch=world.branch,
        kind=GuaranteeKind.PERFORMANCE,
        first_number=2_070_200_001,
        last_number=2_070_299_999,
        next_number=2_070_202_096,
    )
    advance = make_guarantee(world)
    performance = make_guarantee(
        world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    assert advance.number == "2070000001"
    assert performance.number == "2070202096"
    assert performance.advance_guarantee == advance


def test_paper_delivery_has_no_key_and_no_mail(world: World) -> None:
    g = make_guarantee(world, delivery_method=DeliveryMethod.PAPER)
    assert g.certificates.count() == 1
    assert not AccessKey.objects.filter(guarantee=g).exists()
    assert services.access_key_plain(guarantee=g) is None
    assert not OutboxMessage.objects.exists()
    assert g.premium_statements.count() == 1


# --- Access keys -----------------------------------------------------------


def test_access_key_is_never_stored_in_plain_text(world: World) -> None:
    g = make_guarantee(world)
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    assert keys.is_well_formed(key)

    row = AccessKey.objects.get(guarantee=g)
    assert row.digest == keys.key_digest(key)
    assert key not in row.digest
    assert key.encode() not in bytes(row.ciphertext)
    for values in AccessKey.objects.values():
        assert key not in repr(values)
    for outbox in OutboxMessage.objects.values():
        assert key not in json.dumps(outbox, default=str, ensure_ascii=False)
    for entry in AuditEntry.objects.values():
        assert key not in json.dumps(entry, default=str, ensure_ascii=False)
    # Nor anywhere else in the database.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert g.number in dump.getvalue()
    assert key not in dump.getvalue()


def test_access_key_verify(world: World) -> None:
    g = make_guarantee(world)
    other = make_guarantee(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000)
    key = services.access_key_plain(guarantee=g)
    other_key = services.access_key_plain(guarantee=other)
    assert key is not None
    assert other_key is not None
    assert key != other_key

    assert services.access_key_verify(number=g.number, key=key) == g
    # As an orderer types it: 全角, lower case, spaces and hyphens.
    typed_number = g.number[:4].translate(FULL_WIDTH) + "－" + g.number[4:].translate(FULL_WIDTH)
    typed_key = key[:5].lower().translate(FULL_WIDTH) + "　" + key[5:].translate(FULL_WIDTH)
    assert (
        services.access_key_verify(number=normalize_guarantee_number(typed_number), key=normalize_access_key(typed_key))
        == g
    )

    wrong_key = next(k for k in ("3" * 10, "4" * 10) if k != key)
    assert services.access_key_verify(number=g.number, key=wrong_key) is None
    assert services.access_key_verify(number=g.number, key=key.lower()) is None  # not normalised: no match
    assert services.access_key_verify(number=other.number, key=key) is None
    assert services.access_key_verify(number=g.number, key=other_key) is None
    assert services.access_key_verify(number="2079999999", key=key) is None

    AccessKey.objects.filter(guarantee=g).update(revoked_at=LATER)
    assert services.access_key_verify(number=g.number, key=key) is None
    assert services.access_key_plain(guarantee=g) is None
    assert services.access_key_verify(number=other.number, key=other_key) == other


def test_cancelled_guarantee_still_verifies(world: World) -> None:
    # The orderer must be able to see that a guarantee was cancelled.
    g = make_guarantee(world)
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    Guarantee.objects.filter(pk=g.pk).update(status=GuaranteeStatus.CANCELLED)
    found = services.access_key_verify(number=g.number, key=key)
    assert found is not None
    assert found.status == GuaranteeStatus.CANCELLED


def test_a_repeated_key_is_drawn_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two guarantees can't share a key digest; a repeat from the generator must not fail the conclusion.
    drawn = iter(["ACE34679FG", "ACE34679FG", "ACE34679FH"])
    monkeypatch.setattr(keys, "generate_key", lambda: next(drawn))
    first = make_guarantee(world)
    second = make_guarantee(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000)
    assert services.access_key_plain(guarantee=first) == "ACE34679FG"
    assert services.access_key_plain(guarantee=second) == "ACE34679FH"
    assert services.access_key_verify(number=second.number, key="ACE34679FH") == second


# --- Rules and states -------------------------------------------------------


def test_rule_violation_on_submit_writes_nothing(world: World) -> None:
    app = draft(world, guaranteed_amount=40_000_001, deposit_bank="")
    before = counts()
    with pytest.raises(DomainError) as info:
        services.application_submit(application=app, by=world.contractor_user, now=NOW)
    assert counts() == before
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT
    assert app.submitted_at is None

    error = info.value
    assert error.message == "申込内容に誤りがあります。"
    by_field = {v.field: v.message for v in error.violations}
    assert set(by_field) == {"guaranteed_amount", "deposit_bank"}
    assert "40,000,000円以下" in by_field["guaranteed_amount"]
    assert "預託金融機関" in by_field["deposit_bank"]
    assert "40,000,000円以下" in str(error)


def test_unknown_codes_are_refused_with_field_messages(world: World) -> None:
    before = counts()
    with pytest.raises(DomainError) as info:
        draft(world, kind="BID_BOND", work_category="SURVEY", delivery_method="FAX")
    assert [v.field for v in info.value.violations] == ["kind", "work_category", "delivery_method"]
    assert "区分" in info.value.violations[0].message
    assert counts() == before


def test_rules_are_checked_again_at_approval(world: World) -> None:
    app = services.application_submit(application=draft(world), by=world.contractor_user, now=NOW)
    app = services.application_start_review(application=app, by=world.clerk, now=NOW)
    # The orderer withdraws electronic delivery before the surety decides.
    world.orderer.adoptions.all().delete()
    before = counts()
    with pytest.raises(DomainError) as info:
        services.application_approve(application=app, by=world.approver, now=NOW)
    assert [v.field for v in info.value.violations] == ["delivery_method"]
    assert counts() == before
    app.refresh_from_db()
    assert app.status == ApplicationStatus.UNDER_REVIEW
    assert app.premium is None


def test_draft_can_be_edited_until_submitted(world: World) -> None:
    app = draft(world, guaranteed_amount=50_000_000)
    assert actions(
        lambda: services.application_update_draft(
            application=app, by=world.contractor_user, data=application_input(world), now=NOW
        )
    ) == ["application.update"]
    app.refresh_from_db()
    assert app.guaranteed_amount == 40_000_000
    services.application_submit(application=app, by=world.contractor_user, now=NOW)
    with pytest.raises(InvalidStateError, match="「受付」のため"):
        services.application_update_draft(
            application=app, by=world.contractor_user, data=application_input(world), now=NOW
        )


def test_invalid_transitions(world: World) -> None:
    app = services.application_submit(application=draft(world), by=world.contractor_user, now=NOW)
    with pytest.raises(InvalidStateError, match="この申込は「受付」のため、この操作はできません"):
        services.application_submit(application=app, by=world.contractor_user, now=NOW)
    with pytest.raises(InvalidStateError):
        services.application_approve(application=app, by=world.approver, now=NOW)
    with pytest.raises(InvalidStateError):
        services.application_confirm_payment(application=app, by=world.clerk, received_on=NOW.date(), now=NOW)
    with pytest.raises(InvalidStateError):
        services.application_conclude(application=app, by=world.clerk, now=NOW)

    app = services.application_start_review(application=app, by=world.clerk, now=NOW)
    with pytest.raises(InvalidStateError):
        services.application_start_review(application=app, by=world.clerk, now=NOW)
    app = services.application_approve(application=app, by=world.approver, now=NOW)
    with pytest.raises(InvalidStateError):
        services.application_conclude(application=app, by=world.clerk, now=NOW)
    with pytest.raises(InvalidStateError):
        services.application_reject(application=app, by=world.clerk, reason="書類不備", now=NOW)
    app = services.application_confirm_payment(application=app, by=world.clerk, received_on=NOW.date(), now=NOW)
    services.application_conclude(application=app, by=world.clerk, now=NOW)
    before = counts()
    with pytest.raises(InvalidStateError, match="「契約締結」"):
        services.application_conclude(application=app, by=world.clerk, now=NOW)
    assert counts() == before
    assert Guarantee.objects.count() == 1


def test_reject(world: World) -> None:
    app = services.application_submit(application=draft(world), by=world.contractor_user, now=NOW)
    with pytest.raises(DomainError) as info:
        services.application_reject(application=app, by=world.clerk, reason="  ", now=NOW)
    assert [v.field for v in info.value.violations] == ["reason"]
    assert actions(
        lambda: services.application_reject(application=app, by=world.clerk, reason=" 工期の記載誤り ", now=NOW)
    ) == ["application.reject"]
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    assert app.rejection_reason == "工期の記載誤り"
    with pytest.raises(InvalidStateError, match="「否決」"):
        services.application_start_review(application=app, by=world.clerk, now=NOW)


# --- Who may do what --------------------------------------------------------


def test_contractor_of_another_company_cannot_submit(world: World) -> None:
    app = draft(world)
    before = counts()
    with pytest.raises(NotPermitted, match="この保証契約者の操作は許可されていません"):
        services.application_submit(application=app, by=world.other_contractor_user, now=NOW)
    with pytest.raises(NotPermitted):
        services.application_update_draft(
            application=app, by=world.other_contractor_user, data=application_input(world), now=NOW
        )
    # Staff and orderers do not apply on a contractor's behalf either.
    with pytest.raises(NotPermitted):
        services.application_submit(application=app, by=world.clerk, now=NOW)
    with pytest.raises(DomainError, match="保証契約者の利用者のみ"):
        draft(world, by=world.clerk)
    assert counts() == before
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


def test_inactive_contractor_user_cannot_submit(world: World) -> None:
    app = draft(world)
    world.contractor_user.is_active = False
    world.contractor_user.save()
    with pytest.raises(NotPermitted):
        services.application_submit(application=app, by=world.contractor_user, now=NOW)


def test_staff_of_another_surety_cannot_review(world: World) -> None:
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    outsider = make_user("east-admin", surety=other_surety, role=Role.SURETY_ADMIN)
    app = services.application_submit(application=draft(world), by=world.contractor_user, now=NOW)
    for step in (
        lambda: services.application_start_review(application=app, by=outsider, now=NOW),
        lambda: services.application_reject(application=app, by=outsider, reason="否決", now=NOW),
        # Nor can the contractor or the orderer review.
        lambda: services.application_start_review(application=app, by=world.contractor_user, now=NOW),
        lambda: services.application_start_review(application=app, by=world.orderer_user, now=NOW),
    ):
        with pytest.raises(NotPermitted, match="この保証事業会社の職員ではない"):
            step()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_clerk_cannot_approve(world: World) -> None:
    app = services.application_submit(application=draft(world), by=world.contractor_user, now=NOW)
    app = services.application_start_review(application=app, by=world.clerk, now=NOW)
    with pytest.raises(NotPermitted, match="承認の権限がありません"):
        services.application_approve(application=app, by=world.clerk, now=NOW)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.UNDER_REVIEW
    # A branch manager may approve.
    manager = make_user("manager", surety=world.surety, role=Role.BRANCH_MANAGER)
    assert services.application_approve(application=app, by=manager, now=NOW).status == ApplicationStatus.APPROVED


def test_four_eyes(world: World) -> None:
    # An application the approver keyed in (e.g. from a paper form) needs another approver.
    app = Application.objects.create(
        surety=world.surety,
        branch=world.branch,
        contractor=world.contractor,
        orderer=world.orderer,
        kind=GuaranteeKind.ADVANCE,
        work_category=WorkCategory.WORKS,
        work_name="〇〇道路改良工事",
        contract_date=dt.date(2026, 4, 10),
        completion_date=dt.date(2027, 3, 31),
        contract_price=100_000_000,
        guaranteed_amount=40_000_000,
        deposit_bank="〇〇銀行 ▲▲支店",
        delivery_method=DeliveryMethod.ELECTRONIC,
        status=ApplicationStatus.UNDER_REVIEW,
        created_by=world.approver,
    )
    with pytest.raises(NotPermitted, match="自分が入力した案件は承認できません"):
        services.application_approve(application=app, by=world.approver, now=NOW)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.UNDER_REVIEW
    second = make_user("approver2", surety=world.surety, role=Role.APPROVER)
    assert services.application_approve(application=app, by=second, now=NOW).status == ApplicationStatus.APPROVED


def test_branch_staff_act_on_their_own_branch_only(world: World) -> None:
    tokushima = Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市", tel="088-000-0000")
    branch_clerk = make_user("tokushima-clerk", surety=world.surety, branch=tokushima, role=Role.CLERK)
    branch_manager = make_user("tokushima-manager", surety=world.surety, branch=tokushima, role=Role.BRANCH_MANAGER)

    otsuka_app = services.application_submit(application=draft(world), by=world.contractor_user, now=NOW)
    with pytest.raises(NotPermitted, match="他の取次場所の案件は操作できません"):
        services.application_start_review(application=otsuka_app, by=branch_clerk, now=NOW)
    services.application_start_review(application=otsuka_app, by=world.clerk, now=NOW)
    with pytest.raises(NotPermitted, match="他の取次場所"):
        services.application_approve(application=otsuka_app, by=branch_manager, now=NOW)

    tokushima_app = services.application_submit(
        application=draft(world, branch_id=tokushima.pk), by=world.contractor_user, now=NOW
    )
    services.application_start_review(application=tokushima_app, by=branch_clerk, now=NOW)
    services.application_approve(application=tokushima_app, by=branch_manager, now=NOW)

    g = make_guarantee(world)
    with pytest.raises(NotPermitted):
        _amend_amount(
            guarantee=g,
            by=branch_manager,
            contract_price=100_000_000,
            guaranteed_amount=30_000_000,
            effective_on=LATER.date(),
            reason="減額",
            now=LATER,
        )


def test_numbering_needs_a_series(world: World) -> None:
    tokushima = Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市", tel="088-000-0000")
    app = services.application_submit(
        application=draft(world, branch_id=tokushima.pk), by=world.contractor_user, now=NOW
    )
    app = to_payment_confirmed(world, app)
    before = counts()
    with pytest.raises(DomainError, match="徳島支店に保証契約番号の採番範囲が設定されていません"):
        services.application_conclude(application=app, by=world.clerk, now=NOW)
    assert counts() == before
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PAYMENT_CONFIRMED


# --- Amendments -------------------------------------------------------------


def amend(g: Guarantee, by: User, *, price: int, amount: int) -> Amendment:
    return _amend_amount(
        guarantee=g,
        by=by,
        contract_price=price,
        guaranteed_amount=amount,
        effective_on=LATER.date(),
        reason="設計変更による増額",
        now=LATER,
    )


def test_amount_amendment_issues_version_2(world: World) -> None:
    g = make_guarantee(world)
    v1 = g.certificates.get()
    assert (v1.version, v1.is_amendment) == (1, False)
    key = services.access_key_plain(guarantee=g)
    recorded: list[Amendment] = []
    assert actions(lambda: recorded.append(amend(g, world.clerk, price=120_000_000, amount=48_000_000))) == [
        "guarantee.amend_amount"
    ]
    amendment = recorded[0]
    assert amendment.amendment_type == AmendmentType.AMOUNT
    assert amendment.before == {"contract_price": 100_000_000, "guaranteed_amount": 40_000_000, "version": 1}
    assert amendment.after == {"contract_price": 120_000_000, "guaranteed_amount": 48_000_000, "version": 2}

    v2 = amendment.certificate
    assert v2 is not None
    assert (v2.version, v2.is_amendment) == (2, True)
    assert (v2.contract_price, v2.guaranteed_amount) == (120_000_000, 48_000_000)
    assert v2.issued_on == LATER.date()

    g.refresh_from_db()
    assert (g.current_version, g.is_amended, g.guaranteed_amount) == (2, True, 48_000_000)
    assert g.latest_issued_on == LATER.date()

    # Version 1 is unchanged and still readable.
    v1_again = Certificate.objects.get(guarantee=g, version=1)
    assert (v1_again.is_amendment, v1_again.contract_price, v1_again.guaranteed_amount) == (
        False,
        100_000_000,
        40_000_000,
    )
    assert list(g.certificates.values_list("version", flat=True)) == [1, 2]
    # The key stays the same: the orderer keeps verifying with what they were given.
    assert services.access_key_plain(guarantee=g) == key

    # An issued version is never edited.
    v1_again.guaranteed_amount = 1
    with pytest.raises(ValueError, match="never edited"):
        v1_again.save()
    assert Certificate.objects.get(pk=v1_again.pk).guaranteed_amount == 40_000_000


@pytest.mark.parametrize(
    ("price", "amount", "limit"),
    [
        (120_000_000, 48_000_001, "48,000,000"),  # above 4/10 of the new price
        (90_000_000, 40_000_000, "36,000,000"),  # the price fell under the amount's 4/10
    ],
)
def test_amendment_above_the_limit_is_refused(world: World, price: int, amount: int, limit: str) -> None:
    g = make_guarantee(world)
    before = counts()
    with pytest.raises(DomainError) as info:
        amend(g, world.clerk, price=price, amount=amount)
    assert [v.field for v in info.value.violations] == ["guaranteed_amount"]
    assert f"{limit}円以下" in info.value.violations[0].message
    assert counts() == before
    g.refresh_from_db()
    assert (g.contract_price, g.guaranteed_amount, g.current_version) == (100_000_000, 40_000_000, 1)


def test_amendment_needs_a_change_and_staff_and_an_active_guarantee(world: World) -> None:
    g = make_guarantee(world)
    with pytest.raises(DomainError, match="変更後の金額が現在と同じです"):
        amend(g, world.clerk, price=100_000_000, amount=40_000_000)
    with pytest.raises(NotPermitted):
        amend(g, world.contractor_user, price=100_000_000, amount=30_000_000)
    Guarantee.objects.filter(pk=g.pk).update(status=GuaranteeStatus.CANCELLED)
    with pytest.raises(InvalidStateError, match="「解約」のため変更できません"):
        amend(g, world.clerk, price=100_000_000, amount=30_000_000)
    assert not Amendment.objects.exists()


def test_period_change_moves_the_period_without_a_new_version(world: World) -> None:
    g = make_guarantee(world)
    recorded: list[Amendment] = []
    assert actions(
        lambda: recorded.append(
            _change_period(
                guarantee=g,
                by=world.clerk,
                completion_date=dt.date(2027, 9, 30),
                effective_on=LATER.date(),
                reason="工期延長",
                now=LATER,
            )
        )
    ) == ["guarantee.change_period"]
    amendment = recorded[0]
    assert amendment.amendment_type == AmendmentType.PERIOD
    assert amendment.certificate is None
    assert amendment.before == {"completion_date": "2027-03-31", "period_end": "2027-03-31"}
    assert amendment.after == {"completion_date": "2027-09-30", "period_end": "2027-09-30"}
    g.refresh_from_db()
    assert g.period_end == g.completion_date == dt.date(2027, 9, 30)
    assert (g.current_version, g.is_amended) == (1, False)
    assert g.certificates.count() == 1

    with pytest.raises(DomainError) as info:
        _change_period(
            guarantee=g,
            by=world.clerk,
            completion_date=dt.date(2026, 4, 1),
            effective_on=LATER.date(),
            reason="誤り",
            now=LATER,
        )
    assert [v.field for v in info.value.violations] == ["completion_date"]
    g.refresh_from_db()
    assert g.period_end == dt.date(2027, 9, 30)


def test_audit_actors_and_objects(world: World) -> None:
    g = make_guarantee(world)
    entries = {e.action: e for e in AuditEntry.objects.all()}
    assert sorted(entries) == sorted(
        [
            "application.create",
            "application.submit",
            "application.start_review",
            "application.approve",
            "application.confirm_payment",
            "application.conclude",
            "certificate.issue",
        ]
    )
    assert AuditEntry.objects.count() == len(entries)  # one entry per action
    assert entries["application.submit"].actor == world.contractor_user
    assert entries["application.approve"].actor == world.approver
    assert entries["application.conclude"].object_id == str(g.application_id)
    assert entries["application.conclude"].after["guarantee_number"] == g.number
    assert entries["application.submit"].before["status"] == ApplicationStatus.DRAFT
    assert entries["application.submit"].after["status"] == ApplicationStatus.SUBMITTED
    assert entries["certificate.issue"].after["version"] == 1
    assert all(e.surety_id_scope == world.surety.pk for e in entries.values())
    assert audit_verify() is None


def test_raising_an_advance_is_checked_against_its_interim(world: World) -> None:
    """Advance + interim must stay within 6/10 after an amendment of the advance too."""
    advance = make_guarantee(world, guaranteed_amount=40_000_000)
    make_guarantee(
        world,
        kind=GuaranteeKind.INTERIM_ADVANCE,
        guaranteed_amount=20_000_000,
        advance_guarantee_number=advance.number,
    )
    with pytest.raises(DomainError) as caught:
        _amend_amount(
            guarantee=advance,
            by=world.clerk,
            contract_price=100_000_000,
            guaranteed_amount=40_100_000,
            effective_on=advance.contract_date,
            reason="増額",
            now=dt.datetime.now(TOKYO),
        )
    assert any("10分の6の60,000,000円" in v.message for v in caught.value.violations)
    advance.refresh_from_db()
    assert advance.guaranteed_amount == 40_000_000
    assert advance.current_version == 1


def test_overlong_work_name_is_a_field_error_not_a_crash(world: World) -> None:
    """Even a draft is refused with the field named, not a database error (PostgreSQL checks lengths)."""
    with pytest.raises(DomainError) as caught:
        services.application_create(
            by=world.contractor_user, data=application_input(world, work_name="工" * 201), now=dt.datetime.now(TOKYO)
        )
    assert [v.field for v in caught.value.violations] == ["work_name"]
    assert "200文字以内" in caught.value.violations[0].message
    assert not Application.objects.exists()
