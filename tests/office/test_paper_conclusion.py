"""Concluding a paper (書面) guarantee: staff are told to hand the paper over, not promised a mail."""

from __future__ import annotations

from django.utils import timezone

from esurety.core.kinds import DeliveryMethod
from esurety.guarantees import services
from esurety.guarantees.models import Application, Guarantee
from esurety.notifications.models import OutboxMessage
from tests.contractor.portal import visible_text
from tests.factories import World, submit_application
from tests.office.operations import client_for


def paid(world: World, delivery_method: str) -> Application:
    now = timezone.now()
    app = submit_application(world, delivery_method=delivery_method)
    app = services.application_start_review(application=app, by=world.clerk, now=now)
    app = services.application_approve(application=app, by=world.approver, now=now)
    return services.application_confirm_payment(application=app, by=world.clerk, received_on=now.date(), now=now)


def test_paper_conclusion(world: World) -> None:
    app = paid(world, DeliveryMethod.PAPER)
    client = client_for(world.clerk)
    before = visible_text(client.get(f"/office/applications/{app.pk}/").content.decode())
    assert "契約締結（書面交付）" in before
    assert "認証キーを発行" not in before and "お知らせ" not in before
    assert "保証証書（書面）を作成し、保証契約者へ郵送または窓口でお渡しください。" in before

    after = visible_text(client.post(f"/office/applications/{app.pk}/conclude/", follow=True).content.decode())
    g = Guarantee.objects.get(application=app)
    assert f"契約を締結しました。保証契約番号 {g.number} は書面交付です。" in after
    assert "保証証書（書面）を作成し、保証契約者へ郵送または窓口でお渡しください。" in after
    assert "お知らせ" not in after and "電子証書（第1版）を発行" not in after
    # What the message says is what happened: no mail was queued.
    assert not OutboxMessage.objects.exists()


def test_electronic_conclusion_still_promises_the_notice(world: World) -> None:
    app = paid(world, DeliveryMethod.ELECTRONIC)
    client = client_for(world.clerk)
    assert "契約締結（電子証書・認証キーを発行）" in client.get(f"/office/applications/{app.pk}/").content.decode()
    after = visible_text(client.post(f"/office/applications/{app.pk}/conclude/", follow=True).content.decode())
    g = Guarantee.objects.get(application=app)
    assert f"保証契約番号 {g.number} の電子証書（第1版）を発行し、" in after
    assert "保証契約者へ「電子証書・認証キー登録のお知らせ」を送信します。" in after
    assert OutboxMessage.objects.filter(template="certificate_issued").exists()
