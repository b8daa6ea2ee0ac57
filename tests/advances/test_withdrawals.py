"""払出依頼書 and 払出 through the services: limits, stops, bulk all-or-nothing, the bank's authority, events."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from esurety.advances import services as advances
from esurety.advances.kinds import WithdrawalStatus
from esurety.advances.models import Payee, Withdrawal
from esurety.advances.rules import PayeeInput
from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.notifications.models import OutboxMessage
from esurety.webhooks import services as webhooks
from esurety.webhooks.models import WebhookDelivery
from tests.factories import (
    ADVANCE_NOW,
    PAYEE,
    AdvanceWorld,
    World,
    accept_statement,
    deposit_advance,
    make_advance_world,
    make_user,
    ready_account,
    request,
    submit_statement,
)

NOW = ADVANCE_NOW
TODAY = NOW.date()


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return ready_account(world)


def item(
    aw: AdvanceWorld, line_no: int, amount: int, label: str = "", payee: PayeeInput = PAYEE, payee_id: int | None = None
) -> advances.WithdrawalInput:
    return advances.WithdrawalInput(
        account_id=aw.account.pk,
        line_no=line_no,
        amount=amount,
        desired_on=TODAY,
        payee=None if payee_id else payee,
        payee_id=payee_id,
        label=label,
    )


def test_request_pay_and_return(aw: AdvanceWorld) -> None:
    w = aw.world
    first = request(aw, line_no=1, amount=4_000_000)
    second = request(aw, line_no=1, amount=1_000_000)
    assert (first.number, second.number) == (f"{aw.guarantee.number}-0001", f"{aw.guarantee.number}-0002")
    assert (first.status, first.category, first.bank, first.contractor) == (
        WithdrawalStatus.REQUESTED,
        "MATERIALS",
        aw.bank,
        w.contractor,
    )
    assert first.payee_account_number == "7654321"
    bank_mail = OutboxMessage.objects.filter(template="advance_withdrawals_requested")
    assert sorted(a for m in bank_mail for a in m.to) == sorted([aw.bank_user.email, aw.bank_admin.email] * 2)

    advances.withdrawal_pay(withdrawal=first, by=aw.bank_user, paid_on=TODAY, now=NOW)
    advances.withdrawal_return(withdrawal=second, by=aw.bank_admin, reason="口座名義が一致しません", now=NOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.paid_on, first.acted_by) == (WithdrawalStatus.PAID, TODAY, aw.bank_user)
    assert (second.status, second.return_reason) == (WithdrawalStatus.RETURNED, "口座名義が一致しません")
    paid_mail = OutboxMessage.objects.get(template="advance_withdrawal_paid")
    assert paid_mail.to == [w.contractor_user.email]
    assert "4,000,000円" in paid_mail.body_text
    assert "口座名義が一致しません" in OutboxMessage.objects.get(template="advance_withdrawal_returned").body_text
    # Nothing is decided twice.
    with pytest.raises(InvalidStateError, match="払出済"):
        advances.withdrawal_pay(withdrawal=first, by=aw.bank_user, paid_on=TODAY, now=NOW)
    with pytest.raises(InvalidStateError, match="差戻し"):
        advances.withdrawal_pay(withdrawal=second, by=aw.bank_user, paid_on=TODAY, now=NOW)
    assert list(
        AuditEntry.objects.filter(object_type="Withdrawal").order_by("id").values_list("action", flat=True)
    ) == ["withdrawal.request", "withdrawal.request", "withdrawal.pay", "withdrawal.return"]
    assert audit_verify() is None


def test_a_request_one_yen_over_what_is_left_of_its_line(aw: AdvanceWorld) -> None:
    # Line 1: 材料費 15,000,000円. 依頼中 counts as taken; a returned request gives its amount back.
    waiting = request(aw, line_no=1, amount=9_000_000)
    with pytest.raises(DomainError) as exc:
        request(aw, line_no=1, amount=6_000_001)
    assert [v.field for v in exc.value.violations] == ["amount"]
    assert "残額 6,000,000円" in exc.value.violations[0].message
    advances.withdrawal_return(withdrawal=waiting, by=aw.bank_user, reason="取下げ", now=NOW)
    assert request(aw, line_no=1, amount=15_000_000).amount == 15_000_000
    with pytest.raises(DomainError, match="残額 0円"):
        request(aw, line_no=1, amount=1)
    assert Withdrawal.objects.filter(status=WithdrawalStatus.REQUESTED).count() == 1


def test_nothing_against_an_undecided_line(aw: AdvanceWorld) -> None:
    with pytest.raises(DomainError, match="未定"):
        request(aw, line_no=4, amount=1)
    assert not Withdrawal.objects.exists()


def test_nothing_requested_or_paid_while_stopped(aw: AdvanceWorld) -> None:
    w = aw.world
    waiting = request(aw, line_no=1, amount=1_000_000)
    with pytest.raises(NotPermitted):
        advances.account_stop(account=aw.account, by=aw.branch_clerk, reason="他支店", now=NOW)
    with pytest.raises(NotPermitted):
        advances.account_stop(account=aw.account, by=aw.bank_admin, reason="銀行", now=NOW)
    with pytest.raises(DomainError, match="理由"):
        advances.account_stop(account=aw.account, by=w.clerk, reason=" ", now=NOW)
    advances.account_stop(account=aw.account, by=w.clerk, reason="保証事故の調査中", now=NOW)
    with pytest.raises(InvalidStateError, match="保証事故の調査中"):
        request(aw, line_no=1, amount=1)
    with pytest.raises(InvalidStateError, match="払出停止中"):
        advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW)
    stopped_mail = OutboxMessage.objects.filter(template="advance_account_stopped")
    assert sorted(a for m in stopped_mail for a in m.to) == sorted(
        [w.contractor_user.email, aw.bank_user.email, aw.bank_admin.email]
    )
    # Resuming takes an approver; then the bank pays again.
    with pytest.raises(NotPermitted, match="承認の権限"):
        advances.account_resume(account=aw.account, by=w.clerk, reason="調査終了", now=NOW)
    advances.account_resume(account=aw.account, by=w.approver, reason="調査終了", now=NOW)
    advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW)
    assert list(
        AuditEntry.objects.filter(object_type="AdvanceAccount").order_by("id").values_list("action", flat=True)
    ) == ["advance_account.open", "advance_account.stop", "advance_account.resume"]
    stop = AuditEntry.objects.get(action="advance_account.stop")
    assert stop.after is not None and stop.after["reason"] == "保証事故の調査中"


def test_only_the_bank_and_branch_holding_the_account_pay_or_return(aw: AdvanceWorld) -> None:
    w = aw.world
    waiting = request(aw, line_no=1, amount=1_000_000)
    for who in (aw.other_bank_user, aw.other_branch_bank_user, w.contractor_user, w.clerk, w.approver):
        with pytest.raises(NotPermitted):
            advances.withdrawal_pay(withdrawal=waiting, by=who, paid_on=TODAY, now=NOW)
        with pytest.raises(NotPermitted):
            advances.withdrawal_return(withdrawal=waiting, by=who, reason="x", now=NOW)
    inactive = make_user("judy", deposit_bank=aw.bank)
    inactive.is_active = False
    inactive.save()
    with pytest.raises(NotPermitted):
        advances.withdrawal_pay(withdrawal=waiting, by=inactive, paid_on=TODAY, now=NOW)
    waiting.refresh_from_db()
    assert waiting.status == WithdrawalStatus.REQUESTED
    # Nobody but the contractor requests; another company's account is answered as not found.
    for who in (w.clerk, aw.bank_user):
        with pytest.raises(NotPermitted):
            request(aw, line_no=1, amount=1, by=who)
    with pytest.raises(DomainError, match="見つかりません"):
        request(aw, line_no=1, amount=1, by=w.other_contractor_user)


def test_the_payment_date_is_between_the_request_and_today(aw: AdvanceWorld) -> None:
    waiting = request(aw, line_no=1, amount=1_000_000)
    with pytest.raises(DomainError, match="未来の日付"):
        advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY + dt.timedelta(days=1), now=NOW)
    with pytest.raises(DomainError, match="依頼日"):
        advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY - dt.timedelta(days=1), now=NOW)


def test_payment_beyond_the_advance_in_the_account_is_refused(world: World) -> None:
    aw = make_advance_world(world)
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw, amount=600_000)
    waiting = request(aw, line_no=1, amount=600_001)
    with pytest.raises(DomainError, match="前払金残高 600,000円"):
        advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW)
    # Interest is not advance money: it does not make room for an advance payment.
    advances.deposit_record(account=aw.account, by=aw.bank_user, kind="INTEREST", amount=5, booked_on=TODAY, now=NOW)
    with pytest.raises(DomainError, match="前払金残高 600,000円"):
        advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW)
    for who in (aw.other_branch_bank_user, aw.other_bank_user, world.contractor_user, world.clerk):
        with pytest.raises(NotPermitted):
            advances.deposit_record(account=aw.account, by=who, kind="ADVANCE", amount=1, booked_on=TODAY, now=NOW)
    advances.deposit_record(account=aw.account, by=aw.bank_admin, kind="ADVANCE", amount=1, booked_on=TODAY, now=NOW)
    assert advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW).status == "PAID"


def test_bulk_requests_are_all_or_nothing_and_name_each_bad_row(aw: AdvanceWorld) -> None:
    w = aw.world
    rows = [
        item(aw, 1, 10_000_000, "2行目"),
        item(aw, 1, 5_000_001, "3行目"),  # with row 2, one yen over line 1
        item(aw, 4, 1, "4行目"),  # 未定
        item(aw, 2, 1_000_000, "5行目", payee=dataclasses.replace(PAYEE, holder_kana="さんかく")),
        item(aw, 3, 1_000_000, "6行目"),  # fine on its own
    ]
    with pytest.raises(DomainError) as exc:
        advances.withdrawals_request_bulk(by=w.contractor_user, items=rows, now=NOW)
    assert [v.field for v in exc.value.violations] == ["1.amount", "2.line_no", "3.payee_holder_kana"]
    assert exc.value.violations[0].message.startswith("3行目: ")
    assert "どの依頼も登録していません" in exc.value.message
    assert not Withdrawal.objects.exists()
    assert not OutboxMessage.objects.filter(template="advance_withdrawals_requested").exists()

    good = [item(aw, 1, 7_500_000, f"{i + 2}行目") for i in range(2)] + [item(aw, 3, 5_000_000)]
    made = advances.withdrawals_request_bulk(by=w.contractor_user, items=good, now=NOW)
    assert [m.number[-4:] for m in made] == ["0001", "0002", "0003"]
    assert Withdrawal.objects.filter(status=WithdrawalStatus.REQUESTED).count() == 3
    assert AuditEntry.objects.filter(action="withdrawal.request").count() == 3
    # One mail per bank recipient for the whole upload.
    mails = OutboxMessage.objects.filter(template="advance_withdrawals_requested")
    assert mails.count() == 2
    assert all("3件" in m.subject for m in mails)
    assert audit_verify() is None


def test_payee_book_is_the_contractors_own(aw: AdvanceWorld) -> None:
    w = aw.world
    payee = advances.payee_save(
        by=w.contractor_user, data=PayeeInput(**{**PAYEE.__dict__, "holder_kana": "ｶ)ｻﾝｶｸｼｻﾞｲ"}), now=NOW
    )
    assert payee.holder_kana == "カ)サンカクシザイ"
    with pytest.raises(NotPermitted):
        advances.payee_save(by=w.other_contractor_user, data=PAYEE, payee=payee, now=NOW)
    with pytest.raises(DomainError, match="台帳にあります"):
        advances.payee_save(by=w.contractor_user, data=PAYEE, now=NOW)
    # A request copies the payee: a later correction of the book does not change it.
    made = advances.withdrawal_request(
        by=w.contractor_user,
        data=advances.WithdrawalInput(
            account_id=aw.account.pk, line_no=1, amount=1, desired_on=TODAY, payee_id=payee.pk
        ),
        now=NOW,
    )
    advances.payee_save(
        by=w.contractor_user, data=dataclasses.replace(PAYEE, account_number="1111111"), payee=payee, now=NOW
    )
    made.refresh_from_db()
    assert made.payee_account_number == "7654321"
    # Another company's payee is not in this contractor's book.
    theirs = Payee.objects.create(contractor=w.other_contractor, name="他社の支払先")
    with pytest.raises(DomainError, match="台帳にこの支払先がありません"):
        advances.withdrawal_request(
            by=w.contractor_user,
            data=advances.WithdrawalInput(
                account_id=aw.account.pk, line_no=1, amount=1, desired_on=TODAY, payee_id=theirs.pk
            ),
            now=NOW,
        )


def test_webhooks_reach_the_bank_and_the_surety_never_the_orderer(aw: AdvanceWorld) -> None:
    w = aw.world
    bank_hook = webhooks.webhook_endpoint_create(
        owner=aw.bank,
        by=aw.bank_admin,
        url="https://bank.example/hooks",
        events=["withdrawal.requested", "withdrawal.paid", "account.stopped"],
        now=NOW,
    ).endpoint
    admin = make_user("kate", surety=w.surety, role="SURETY_ADMIN")
    surety_hook = webhooks.webhook_endpoint_create(
        owner=w.surety, by=admin, url="https://surety.example/hooks", events=["withdrawal.paid"], now=NOW
    ).endpoint
    orderer_admin = make_user("leo", orderer=w.orderer, role="ORG_ADMIN")
    with pytest.raises(DomainError):
        webhooks.webhook_endpoint_create(
            owner=w.orderer, by=orderer_admin, url="https://orderer.example/h", events=["withdrawal.paid"], now=NOW
        )
    # A branch user of the bank does not administer the bank's webhooks.
    with pytest.raises(webhooks.NotPermitted):
        webhooks.webhook_endpoint_create(
            owner=aw.bank, by=aw.bank_user, url="https://bank.example/other", events=["withdrawal.paid"], now=NOW
        )

    waiting = request(aw, line_no=1, amount=2_000_000)
    advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW)
    advances.account_stop(account=aw.account, by=w.clerk, reason="保証事故", now=NOW)
    got = sorted(WebhookDelivery.objects.values_list("endpoint_id", "event_type"))
    assert got == sorted(
        [
            (bank_hook.pk, "withdrawal.requested"),
            (bank_hook.pk, "withdrawal.paid"),
            (surety_hook.pk, "withdrawal.paid"),
            (bank_hook.pk, "account.stopped"),
        ]
    )
    paid = WebhookDelivery.objects.filter(event_type="withdrawal.paid").first()
    assert paid is not None
    data = paid.payload["data"]
    assert data["number"] == aw.guarantee.number
    assert data["withdrawal"]["amount"] == 2_000_000
    assert data["withdrawal"]["paid_on"] == TODAY.isoformat()
    assert data["account"]["account_number"] == "1234567"


def test_nothing_requested_or_paid_once_the_guarantee_is_cancelled(aw: AdvanceWorld) -> None:
    from esurety.guarantees import services as gservices

    waiting = request(aw, line_no=1, amount=1_000_000)
    gservices.guarantee_cancel(guarantee=aw.guarantee, by=aw.world.approver, reason="契約解除", now=NOW)
    with pytest.raises(InvalidStateError, match="解約されたため"):
        advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW)
    with pytest.raises(DomainError, match="有効ではありません"):
        request(aw, line_no=1, amount=1)
    # The bank returns what is waiting; what is left is the orderer's to claim back.
    advances.withdrawal_return(withdrawal=waiting, by=aw.bank_user, reason="保証契約の解約", now=NOW)
