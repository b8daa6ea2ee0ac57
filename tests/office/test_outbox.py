"""送信メール: staff see their surety's guarantee mails with state, attempts and error; 「再送」 of a failed one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.notifications.services import MAX_ATTEMPTS, outbox_enqueue
from esurety.parties.models import Role
from tests.factories import World, make_contractor, make_guarantee, make_orderer, make_user
from tests.office.operations import client_for, other_surety_staff
from tests.queue import deliver_mail
from tests.smtp import SmtpServer, smtp_server_down  # noqa: F401 - fixture


def _fail_for_good(at: dt.datetime) -> dt.datetime:
    """Run delivery until every due message has used all its attempts; returns the time reached."""
    for _ in range(MAX_ATTEMPTS):
        deliver_mail(now=at)
        at += dt.timedelta(hours=2)
    return at


def test_list_shows_own_guarantee_mails_only(world: World) -> None:
    own = make_guarantee(world)
    other_surety, other_staff = other_surety_staff()
    # A mail about another surety's guarantee, and a password mail of our own staff.
    from esurety.guarantees.models import Guarantee

    other_g = Guarantee.objects.create(
        number="3070000001",
        surety=other_surety,
        branch=other_surety.branches.get(),
        contractor=make_contractor("他社の建設"),
        orderer=make_orderer("他市", adopt_from=None),
        kind="ADVANCE",
        work_category="WORKS",
        work_name="他社の工事",
        contract_date=dt.date(2026, 4, 1),
        completion_date=dt.date(2027, 3, 31),
        contract_price=10_000_000,
        guaranteed_amount=4_000_000,
        period_end=dt.date(2027, 3, 31),
        concluded_at=timezone.now(),
    )
    now = timezone.now()
    context = {
        "contractor_name": "x",
        "surety_name": "y",
        "kind_full_name": "前払金保証",
        "number": other_g.number,
        "work_name": "他社の工事",
        "orderer_name": "他市",
        "issued_on": "令和8年4月1日",
    }
    outbox_enqueue(template="certificate_issued", to=["other@example.com"], context=context, at=now, obj=other_g)
    outbox_enqueue(
        template="password_reset",
        to=["clerk@example.com"],
        context={"user": world.clerk, "reset_url": "http://x/reset/secret-token/", "display_name": "clerk"},
        at=now,
        obj=world.clerk,
    )

    html = client_for(world.clerk).get("/office/outbox/").content.decode()
    assert own.number in html
    assert "alice@example.com" in html
    assert "送信待ち" in html
    assert other_g.number not in html
    assert "secret-token" not in html and "clerk@example.com" not in html

    other_html = client_for(other_staff).get("/office/outbox/").content.decode()
    assert other_g.number in other_html
    assert own.number not in other_html


def test_filter_by_state(world: World, smtp_server_down: SmtpServer) -> None:  # noqa: F811
    sent_g = make_guarantee(world, work_name="送信済みの工事")
    smtp_server_down.start()
    deliver_mail(now=timezone.now())
    smtp_server_down.stop()
    waiting_g = make_guarantee(world, work_name="待ちの工事")
    client = client_for(world.clerk)
    sent_page = client.get("/office/outbox/?status=SENT").content.decode()
    assert sent_g.number in sent_page and waiting_g.number not in sent_page
    waiting_page = client.get("/office/outbox/?status=PENDING").content.decode()
    assert waiting_g.number in waiting_page and sent_g.number not in waiting_page
    assert "該当するメールはありません。" in client.get("/office/outbox/?status=FAILED").content.decode()


def test_resend_a_failed_message(world: World, smtp_server_down: SmtpServer) -> None:  # noqa: F811
    g = make_guarantee(world)
    _fail_for_good(timezone.now())
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)

    client = client_for(world.clerk)
    page = client.get("/office/outbox/?status=FAILED").content.decode()
    assert "送信失敗" in page and "再送</button>" in page
    response = client.post(f"/office/outbox/{message.pk}/resend/", {"back": "status=FAILED"})
    assert response.status_code == 302
    assert response["Location"] == "/office/outbox/?status=FAILED"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    entry = AuditEntry.objects.get(action="outbox.retry")
    assert entry.actor_id == world.clerk.pk
    assert entry.before["status"] == "FAILED" and entry.after["status"] == "PENDING"
    assert entry.surety_id_scope == world.surety.pk

    smtp_server_down.start()
    assert deliver_mail(now=timezone.now() + dt.timedelta(seconds=1)) == 1
    assert len(smtp_server_down.messages) == 1
    assert g.number in smtp_server_down.messages[0].subject

    # A message that is not 送信失敗 is not resent twice.
    again = client.post(f"/office/outbox/{message.pk}/resend/", follow=True)
    assert "送信失敗のメールのみ再送できます。" in again.content.decode()
    assert AuditEntry.objects.filter(action="outbox.retry").count() == 1


@pytest.mark.parametrize("who", ["contractor_user", "orderer_user", "other_surety"])
def test_others_get_404(world: World, who: str) -> None:
    make_guarantee(world)
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED)
    user = other_surety_staff()[1] if who == "other_surety" else getattr(world, who)
    client = client_for(user)
    if who != "other_surety":
        assert client.get("/office/outbox/").status_code == 404
    assert client.post(f"/office/outbox/{message.pk}/resend/").status_code == 404
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED


def test_branch_staff_see_their_branch_only(world: World) -> None:
    from esurety.parties.models import Branch

    g = make_guarantee(world)
    other_branch = Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市", tel="088-000-0000")
    tokushima = make_user("tokushima-clerk", surety=world.surety, branch=other_branch, role=Role.CLERK)
    otsuka = make_user("otsuka-clerk", surety=world.surety, branch=world.branch, role=Role.CLERK)
    assert g.number not in client_for(tokushima).get("/office/outbox/").content.decode()
    assert g.number in client_for(otsuka).get("/office/outbox/").content.decode()
