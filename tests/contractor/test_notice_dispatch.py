"""「発注者へ送信」 (issue 3, 6a) and 送信済 / 発注者閲覧済 in 保証工事一覧."""

from __future__ import annotations

import base64
import datetime as dt
import json
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.core.clock import TOKYO
from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.guarantees import services
from esurety.guarantees.models import AccessKey, Guarantee
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.notifications.services import MAX_ATTEMPTS
from esurety.parties.models import OrdererDepartment
from esurety.verification import services as verification
from esurety.verification.models import NoticeDispatch
from tests.contractor.portal import client_for, pdf_text, squash, tables, visible_text
from tests.factories import World, make_guarantee
from tests.queue import deliver_mail
from tests.smtp import SmtpServer, smtp_server, smtp_server_down

__all__ = ["smtp_server", "smtp_server_down"]

NO_DEPARTMENT = "発注者に送信先が登録されていません。PDFをダウンロードして発注者の指示する方法で提出してください。"


def send_url(g: Guarantee) -> str:
    return f"/contractor/guarantees/{g.number}/key/send/"


def key_of(g: Guarantee) -> str:
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    return key


def dispatch_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="notice_dispatch").order_by("id"))


def performance_of(world: World, advance: Guarantee) -> Guarantee:
    return make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=advance.number,
        work_name=advance.work_name,
    )


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 4, 10, hour, minute, tzinfo=TOKYO)


# --- sending from the key page -------------------------------------------------------------------------


def test_key_page_offers_the_send_button_and_confirmation_names_the_department(world: World) -> None:
    g = make_guarantee(world)
    client = client_for(world.contractor_user)
    key_page = client.get(f"/contractor/guarantees/{g.number}/key/").content.decode()
    assert f'href="{send_url(g)}"' in key_page
    assert "発注者へ送信" in visible_text(key_page)

    response = client.get(send_url(g))
    assert response.status_code == 200
    html = response.content.decode()
    details = dict(tables(html)[0]["body"])
    assert details["送信先"] == "徳島市上下水道事業管理者\n工事担当課"
    assert details["メールアドレス"] == f"koji-{world.orderer.pk}@orderer.example"
    assert details["件名"] == "【電子保証】前払金保証「認証キー」等のお知らせ（〇〇道路改良工事）"
    assert details["添付ファイル"].startswith(f"認証キー等のお知らせ_{g.number}.pdf")
    # Looking at the confirmation sends nothing.
    assert dispatch_messages() == []
    assert key_of(g) not in html


def test_advance_goes_to_the_works_section_with_the_orderers_subject(world: World) -> None:
    world.orderer.notice_subject_template = (
        "【電子保証】{kind}／{number}／{work_name}／{contractor}／{unknown}／{kind:>3}／{"
    )
    world.orderer.save()
    g = make_guarantee(world)
    client = client_for(world.contractor_user)
    response = client.post(send_url(g))
    assert response.status_code == 302
    assert response["Location"] == f"/contractor/guarantees/{g.number}/key/"

    (message,) = dispatch_messages()
    assert message.to == [f"koji-{world.orderer.pk}@orderer.example"]
    # Known placeholders are filled; anything else is left as the orderer typed it.
    assert message.subject == (
        f"【電子保証】前払金保証／{g.number}／〇〇道路改良工事／株式会社〇〇建設／{{unknown}}／{{kind:>3}}／{{"
    )
    assert message.reply_to == ["alice@example.com"]
    (attachment,) = message.attachments
    assert attachment["filename"] == f"認証キー等のお知らせ_{g.number}.pdf"
    assert attachment["content_type"] == "application/pdf"

    dispatch = NoticeDispatch.objects.get()
    assert (dispatch.guarantee, dispatch.department_name, dispatch.email, dispatch.sent_by, dispatch.outbox) == (
        g,
        "工事担当課",
        f"koji-{world.orderer.pk}@orderer.example",
        world.contractor_user,
        message,
    )
    entry = AuditEntry.objects.get(action="notice.dispatch")
    assert entry.actor_id == world.contractor_user.pk
    assert entry.after["department"] == "工事担当課"  # type: ignore[index]
    assert key_of(g) not in json.dumps(entry.after, ensure_ascii=False)

    page = client.get(response["Location"]).content.decode()
    assert "工事担当課（koji-" in visible_text(page)  # the success message names the recipient


def test_performance_goes_to_the_contract_desk(world: World) -> None:
    g = performance_of(world, make_guarantee(world))
    assert client_for(world.contractor_user).post(send_url(g)).status_code == 302
    (message,) = dispatch_messages()
    assert message.to == [f"keiyaku-{world.orderer.pk}@orderer.example"]
    assert message.subject == "【電子保証】契約保証「認証キー」等のお知らせ（〇〇道路改良工事）"
    assert NoticeDispatch.objects.get().department_name == "契約窓口"


def test_the_pdf_waits_in_the_outbox_encrypted(world: World) -> None:
    g = make_guarantee(world)
    verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=timezone.now())
    (message,) = dispatch_messages()
    stored = json.dumps(message.attachments)
    assert key_of(g) not in stored
    sealed = base64.b64decode(message.attachments[0]["sealed"])
    assert b"%PDF" not in sealed and key_of(g).encode() not in sealed


def test_delivered_mail_carries_the_key_in_the_pdf_only(world: World, smtp_server: SmtpServer) -> None:
    g = make_guarantee(world)
    key = key_of(g)
    client_for(world.contractor_user).post(send_url(g))
    deliver_mail(now=timezone.now())

    (mail,) = [m for m in smtp_server.messages if m.rcpt_tos == [f"koji-{world.orderer.pk}@orderer.example"]]
    assert mail.subject == "【電子保証】前払金保証「認証キー」等のお知らせ（〇〇道路改良工事）"
    assert mail.message["Reply-To"] == "alice@example.com"
    message_id = str(mail.message["Message-ID"])
    sender_domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    assert message_id.startswith("<outbox-") and message_id.endswith(f"@{sender_domain}>")

    (attachment,) = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"認証キー等のお知らせ_{g.number}.pdf"
    pdf = attachment.get_content()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert key in text and g.number in text

    for body in (mail.text, mail.html):
        assert "株式会社〇〇建設" in body  # who sent it
        assert "工事担当課" in body
        assert g.number in body and "〇〇道路改良工事" in body
        assert f"{settings.SITE_URL}/verify/" in body  # how to verify
        assert f"認証キー等のお知らせ_{g.number}.pdf" in body
        assert key not in body
    assert "認証キーはこのPDFにのみ記載" in mail.text

    # Sent: the outbox keeps what was attached, not the file (nor the key in it).
    message = OutboxMessage.objects.get(template="notice_dispatch")
    assert message.status == OutboxStatus.SENT
    assert "sealed" not in message.attachments[0]
    assert message.attachments[0]["filename"] == f"認証キー等のお知らせ_{g.number}.pdf"


def test_a_failed_mail_keeps_its_pdf_for_a_resend(world: World, smtp_server_down: SmtpServer) -> None:
    g = make_guarantee(world)
    OutboxMessage.objects.update(status=OutboxStatus.SENT)  # the お知らせ to alice is not the subject here
    verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=timezone.now())
    later = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        later += dt.timedelta(days=1)
        deliver_mail(now=later)
    (message,) = dispatch_messages()
    assert message.status == OutboxStatus.FAILED
    assert message.attachments[0]["sealed"]

    # Staff's 「再送」 puts it back in the queue; the PDF is still there to send.
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING, attempts=0)
    smtp_server_down.start()
    assert deliver_mail(now=later) == 1
    (mail,) = smtp_server_down.messages
    (attachment,) = list(mail.message.iter_attachments())
    assert key_of(g) in pdf_text(attachment.get_content())


def test_no_department_for_the_kind_says_so_and_sends_nothing(world: World) -> None:
    OrdererDepartment.objects.filter(orderer=world.orderer, name="工事担当課").delete()
    g = make_guarantee(world)
    client = client_for(world.contractor_user)

    key_page = client.get(f"/contractor/guarantees/{g.number}/key/").content.decode()
    assert NO_DEPARTMENT in visible_text(key_page)
    assert f'href="{send_url(g)}"' not in key_page

    confirm = client.get(send_url(g)).content.decode()
    assert NO_DEPARTMENT in visible_text(confirm)
    assert "送信する" not in visible_text(confirm)

    response = client.post(send_url(g))
    assert response.status_code == 409
    assert NO_DEPARTMENT in visible_text(response.content.decode())
    assert dispatch_messages() == []
    assert not NoticeDispatch.objects.exists()

    # The contract desk still takes performance guarantees of the same orderer.
    assert client.post(send_url(performance_of(world, g))).status_code == 302


def test_revoked_key_cannot_be_sent(world: World) -> None:
    g = make_guarantee(world)
    AccessKey.objects.filter(guarantee=g).update(revoked_at=timezone.now())
    response = client_for(world.contractor_user).post(send_url(g))
    assert response.status_code == 409
    assert "有効な認証キーがない" in visible_text(response.content.decode())
    assert dispatch_messages() == []


def test_paper_guarantee_has_nothing_to_send(world: World) -> None:
    g = make_guarantee(world, delivery_method=DeliveryMethod.PAPER)
    client = client_for(world.contractor_user)
    assert client.get(send_url(g)).status_code == 404
    assert client.post(send_url(g)).status_code == 404
    assert dispatch_messages() == []


@pytest.mark.parametrize("persona", ["other_contractor_user", "orderer_user", "clerk"])
def test_anyone_but_the_contractor_gets_404_and_nothing_is_sent(world: World, persona: str) -> None:
    g = make_guarantee(world)
    client = client_for(getattr(world, persona))
    assert client.get(send_url(g)).status_code == 404
    assert client.post(send_url(g)).status_code == 404
    assert dispatch_messages() == []


def test_a_double_click_sends_one_mail(world: World) -> None:
    g = make_guarantee(world)
    client = client_for(world.contractor_user)
    assert client.post(send_url(g)).status_code == 302
    again = client.post(send_url(g))
    assert again.status_code == 409
    assert "たった今送信を受け付けました" in visible_text(again.content.decode())
    assert len(dispatch_messages()) == 1


def test_sending_is_limited_per_guarantee_per_hour(world: World) -> None:
    g = make_guarantee(world)
    other = make_guarantee(world, work_name="△△トンネル工事")
    start = timezone.now() - dt.timedelta(minutes=30)
    limit = verification.DISPATCH_PER_GUARANTEE
    for i in range(limit.max_attempts):  # resends a few minutes apart
        verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=start + dt.timedelta(minutes=i))
    client = client_for(world.contractor_user)
    refused = client.post(send_url(g))
    assert refused.status_code == 429
    assert "一時的に送信を停止しています" in visible_text(refused.content.decode())
    assert len(dispatch_messages()) == 5

    # Another guarantee of the same company is not held up.
    assert client.post(send_url(other)).status_code == 302
    # An hour after the fifth, the guarantee may be sent again.
    later = start + dt.timedelta(minutes=limit.max_attempts - 1, seconds=limit.window_seconds + 1)
    verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=later)
    assert NoticeDispatch.objects.filter(guarantee=g).count() == 6


# --- 送信済 / 発注者閲覧済 -------------------------------------------------------------------------------


def key_cell(world: World, g: Guarantee) -> str:
    html = client_for(world.contractor_user).get("/contractor/").content.decode()
    (row,) = [r for r in tables(html)[0]["body"] if r[2] == g.number]
    return squash(row[-1])


def test_list_shows_sent_and_then_viewed_by_the_orderer(world: World, smtp_server: SmtpServer) -> None:
    g = make_guarantee(world)
    assert key_cell(world, g) == "表示"

    verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=at(10, 15))
    assert key_cell(world, g) == "表示 送信待ち 2026/04/10 10:15"
    deliver_mail(now=at(10, 16))
    assert key_cell(world, g) == "表示 送信済 2026/04/10 10:15"

    verification.certificate_verify(
        user=world.orderer_user, number=g.number, key=key_of(g), client_ip="192.0.2.1", now=at(14, 5)
    )
    # A later look does not move the first view.
    verification.certificate_verify(
        user=world.orderer_user, number=g.number, key=key_of(g), client_ip="192.0.2.1", now=at(16, 0)
    )
    assert key_cell(world, g) == "表示 送信済 2026/04/10 10:15 発注者閲覧済 2026/04/10 14:05"

    client = client_for(world.contractor_user)
    for url in (f"/contractor/guarantees/{g.number}/", f"/contractor/guarantees/{g.number}/key/"):
        text = visible_text(client.get(url).content.decode())
        assert "送信済 2026/04/10 10:15" in text and "（工事担当課あて）" in text
        assert "発注者閲覧済 2026/04/10 14:05" in text


def test_viewed_without_a_dispatch_and_a_failed_dispatch_are_shown(world: World) -> None:
    viewed = make_guarantee(world)
    verification.certificate_verify(
        user=world.orderer_user, number=viewed.number, key=key_of(viewed), client_ip="192.0.2.1", now=at(9, 0)
    )
    assert key_cell(world, viewed) == "表示 発注者閲覧済 2026/04/10 09:00"

    failed = make_guarantee(world, work_name="△△トンネル工事")
    dispatch = verification.notice_dispatch_send(guarantee=failed, by=world.contractor_user, now=at(11, 30))
    OutboxMessage.objects.filter(pk=dispatch.outbox_id).update(status=OutboxStatus.FAILED)
    assert key_cell(world, failed) == "表示 送信失敗 2026/04/10 11:30"
    key_page = client_for(world.contractor_user).get(f"/contractor/guarantees/{failed.number}/key/")
    assert "メールを送信できませんでした" in visible_text(key_page.content.decode())


def test_list_queries_stay_constant_with_dispatches_and_receipts(
    world: World, django_assert_max_num_queries: pytest.FixtureRequest
) -> None:
    guarantees = [make_guarantee(world, work_name=f"第{i:02d}号 市道改良工事") for i in range(1, 13)]
    for i, g in enumerate(guarantees):
        verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=at(10, i))
        verification.certificate_verify(
            user=world.orderer_user, number=g.number, key=key_of(g), client_ip="192.0.2.1", now=at(12, i)
        )
    client = client_for(world.contractor_user)
    client.get("/contractor/")
    # The same 8 as the list without any (test_guarantee_list): two for the whole page, none per row.
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        html = client.get("/contractor/").content.decode()
    assert html.count("発注者閲覧済") == 12
    assert html.count("送信待ち") == 12
