"""The tables an orderer's and a deposit bank's 管理者 both keep (利用者一覧, 発行済みのトークン) read the
same in both portals: one markup, so a fix to one reaches the other."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from esurety.integrations.services import api_token_create
from esurety.parties.models import Role, User
from tests.factories import World, make_bank, make_user

pytestmark = pytest.mark.django_db


def page(user: User, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def headers(body: str) -> list[str]:
    return re.findall(r'<th scope="col">([^<]*)</th>', body)


def test_each_revoke_button_names_its_token_for_the_orderer_as_for_the_bank(world: World) -> None:
    """The orderer's buttons were all 「失効させる」: a screen reader could not tell which token each
    one revokes (the bank's said 「失効させる（勘定系）」)."""
    bank, _ = make_bank()
    orderer_admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
    bank_admin = make_user("bankadmin", deposit_bank=bank, role=Role.ORG_ADMIN)
    for admin, path, org in (
        (orderer_admin, "/verify/organisation/api-tokens/", {"orderer": world.orderer}),
        (bank_admin, "/bank/api-tokens/", {"deposit_bank": bank}),
    ):
        for name in ("電子契約システム", "勘定系"):
            api_token_create(by=admin, name=name, now=timezone.now(), **org)  # type: ignore[arg-type]
        body = page(admin, path)
        for name in ("電子契約システム", "勘定系"):
            assert f'失効させる<span class="visually-hidden">（{name}）</span></button>' in body, (path, name)
        assert body.count('aria-label="発行済みのトークンの一覧"') == 1, path


def test_the_bank_lists_its_people_as_the_contractor_and_the_orderer_do_with_their_branch(world: World) -> None:
    bank, branches = make_bank()
    bank_admin = make_user("bankadmin", deposit_bank=bank, role=Role.ORG_ADMIN)
    make_user("madoguchi", deposit_bank=bank, bank_branch=branches[0])
    orderer_admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
    ours = page(orderer_admin, "/account/members/")
    theirs = page(bank_admin, "/bank/users/")
    assert headers(ours) == ["お客様ID", "氏名", "メールアドレス", "権限", "状態", "操作"]
    assert headers(theirs) == ["お客様ID", "氏名", "メールアドレス", "所属", "権限", "状態", "操作"]
    for body in (ours, theirs):
        # Both boxes are named by the heading above them, as Chromium announces them: 利用者一覧.
        assert '<h2 id="members-heading">利用者一覧</h2>' in body
        assert 'role="group" aria-labelledby="members-heading" tabindex="0"' in body
    assert "<td>▲▲支店</td>" in theirs and "<td>本部（全支店）</td>" in theirs
