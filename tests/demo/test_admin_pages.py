"""The Django admin of the domain apps, as a platform superuser sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from esurety.advances import services as advances
from esurety.advances.models import OverheadAllowance
from esurety.guarantees.models import AccessKey, Guarantee
from esurety.parties.models import User
from tests.factories import PAYEE, World, amend_amount, make_guarantee, ready_account, request

DOMAIN_APPS = {"parties", "guarantees", "notifications", "audit", "advances"}
READ_ONLY = {
    "application",
    "guarantee",
    "certificate",
    "amendment",
    "accesskey",
    "premiumstatement",
    "outboxmessage",
    "auditentry",
    "advanceaccount",
    "deposit",
    "usestatement",
    "proofdocument",
    "payee",
    "withdrawal",
}


def registered() -> list[type[Model]]:
    return sorted(
        (m for m in admin.site._registry if m._meta.app_label in DOMAIN_APPS),
        key=lambda m: m._meta.label,
    )


@pytest.fixture
def data(world: World) -> Guarantee:
    # The advance money after the certificate: an account with a statement, a payee and a request.
    aw = ready_account(world)
    request(aw)
    advances.payee_save(by=world.contractor_user, data=PAYEE, now=timezone.now())
    OverheadAllowance.objects.create(
        orderer=world.orderer, effective_from=dt.date(2026, 4, 1), contract_article="第34条"
    )
    g = make_guarantee(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000)
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更による増額",
        now=timezone.now(),
    )
    return g


def test_every_domain_model_is_registered() -> None:
    names = {m._meta.model_name for m in registered()}
    assert READ_ONLY <= names
    assert {"user", "suretycompany", "branch", "contractor", "orderer", "numberseries", "premiumrate"} <= names


def test_changelists_searches_and_detail_pages_open(admin_client: Client, data: Guarantee) -> None:
    for model in registered():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = admin_client.get(changelist)
        assert response.status_code == 200, opts.label
        if admin.site._registry[model].search_fields:
            assert admin_client.get(changelist, {"q": "2070"}).status_code == 200, opts.label
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, opts.label
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200, opts.label


def test_guarantee_list_shows_the_number_and_amended_flag(admin_client: Client, data: Guarantee) -> None:
    page = admin_client.get(reverse("admin:guarantees_guarantee_changelist")).content.decode()
    assert data.number in page
    assert "44,000,000" in page


def test_records_are_view_only(admin_client: Client, data: Guarantee) -> None:
    for name in READ_ONLY:
        model = next(m for m in registered() if m._meta.model_name == name)
        opts = model._meta
        assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403, name
        obj = model._default_manager.first()
        assert obj is not None
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403, name
        assert model._default_manager.filter(pk=obj.pk).exists()


def test_access_key_page_never_shows_the_digest_or_ciphertext(admin_client: Client, data: Guarantee) -> None:
    key = AccessKey.objects.get(guarantee=data)
    for url in (
        reverse("admin:guarantees_accesskey_changelist"),
        reverse("admin:guarantees_accesskey_change", args=[key.pk]),
        reverse("admin:guarantees_guarantee_change", args=[data.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert key.digest not in page
        assert "digest" not in page and "ciphertext" not in page


def test_user_add_form_asks_for_the_organisation(admin_client: Client, world: World) -> None:
    page = admin_client.get(reverse("admin:parties_user_add")).content.decode()
    for field in ("surety", "contractor", "orderer", "role"):
        assert f'name="{field}"' in page
    response = admin_client.post(
        reverse("admin:parties_user_add"),
        {
            "username": "new-clerk",
            "usable_password": "true",
            "password1": "a-long-pass-2026",
            "password2": "a-long-pass-2026",
            "surety": world.surety.pk,
            "role": "CLERK",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="new-clerk").surety == world.surety


def test_anonymous_and_non_superusers_are_kept_out(client: Client, world: World) -> None:
    url = reverse("admin:guarantees_guarantee_changelist")
    assert client.get(url).status_code == 302
    client.force_login(world.approver)  # surety staff, but not a platform superuser
    assert client.get(url).status_code == 302
