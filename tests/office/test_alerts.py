"""不正アクセス警告: verification lockouts on the surety's guarantees."""

from __future__ import annotations

import pytest
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.verification.services import PER_USER, VerificationLocked, VerificationRefused, certificate_verify
from tests.factories import World, make_guarantee
from tests.office.operations import client_for, other_surety_staff


def lock_out(world: World, number: str) -> None:
    for _ in range(PER_USER.max_attempts):
        with pytest.raises((VerificationRefused, VerificationLocked)):
            certificate_verify(
                user=world.orderer_user, number=number, key="AAAAAAAAAA", client_ip="203.0.113.9", now=timezone.now()
            )


def test_lockout_is_listed_with_number_user_address_and_limits(world: World) -> None:
    g = make_guarantee(world, work_name="△△トンネル工事")
    lock_out(world, g.number)
    assert AuditEntry.objects.filter(action="verify.lockout").count() == 1

    html = client_for(world.clerk).get("/office/alerts/").content.decode()
    assert g.number in html
    assert "△△トンネル工事" in html
    assert "徳島市上下水道事業管理者" in html
    assert "orderer" in html
    assert "203.0.113.9" in html
    assert "利用者ごとの上限（15分に10回）" in html


def test_empty_and_scoped(world: World) -> None:
    assert "警告はありません。" in client_for(world.clerk).get("/office/alerts/").content.decode()
    g = make_guarantee(world)
    lock_out(world, g.number)
    _, east = other_surety_staff()
    east_page = client_for(east).get("/office/alerts/").content.decode()
    assert g.number not in east_page and "警告はありません。" in east_page
    for user in (world.contractor_user, world.orderer_user):
        assert client_for(user).get("/office/alerts/").status_code == 404
