"""利用申込 in the back office: staff of the chosen surety approve or decline; nobody else sees them."""

from __future__ import annotations

from django.test import Client

from esurety.accounts.models import UsageApplication, UsageApplicationStatus
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Contractor, Role
from tests.accounts.test_signup import signup_data, submit
from tests.factories import World, make_surety, make_user


def staff_client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_staff_approve_from_the_list_and_the_first_user_is_notified(world: World) -> None:
    submit(Client(), signup_data(world))
    ua = UsageApplication.objects.get()
    office = staff_client(world.clerk)
    page = office.get("/office/usage-applications/").content.decode()
    assert "株式会社□□組" in page and "hanako@shikaku.example" in page

    response = office.post(f"/office/usage-applications/{ua.pk}/approve/", follow=True)
    assert "利用開始通知を送信しました" in response.content.decode()
    ua.refresh_from_db()
    assert ua.status == UsageApplicationStatus.APPROVED
    assert Contractor.objects.filter(name="株式会社□□組").exists()
    assert OutboxMessage.objects.filter(template="usage_started", to=["hanako@shikaku.example"]).exists()


def test_decline_needs_a_reason(world: World) -> None:
    submit(Client(), signup_data(world))
    ua = UsageApplication.objects.get()
    office = staff_client(world.clerk)
    response = office.post(f"/office/usage-applications/{ua.pk}/reject/", {"reason": ""}, follow=True)
    assert "否決の理由を入力してください" in response.content.decode()
    ua.refresh_from_db()
    assert ua.status == UsageApplicationStatus.RECEIVED
    office.post(f"/office/usage-applications/{ua.pk}/reject/", {"reason": "所在地を確認できませんでした"})
    ua.refresh_from_db()
    assert ua.status == UsageApplicationStatus.REJECTED and ua.reject_reason == "所在地を確認できませんでした"


def test_other_surety_staff_and_other_users_get_404(world: World) -> None:
    submit(Client(), signup_data(world))
    ua = UsageApplication.objects.get()
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=1_010_000_001)
    stranger = make_user("east-clerk", surety=other_surety, role=Role.APPROVER)
    assert "株式会社□□組" not in staff_client(stranger).get("/office/usage-applications/").content.decode()
    assert staff_client(stranger).post(f"/office/usage-applications/{ua.pk}/approve/").status_code == 404
    assert staff_client(world.contractor_user).get("/office/usage-applications/").status_code == 404
    assert staff_client(world.orderer_user).post(f"/office/usage-applications/{ua.pk}/approve/").status_code == 404
    ua.refresh_from_db()
    assert ua.status == UsageApplicationStatus.RECEIVED
