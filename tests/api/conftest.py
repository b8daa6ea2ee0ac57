"""Tokens for every persona of the API tests.

Personas: the seed's orderer (徳島市上下水道事業管理者) and a stranger orderer
(鳴門市長) who must see nothing of it; the seed's surety with a 担当者 token and a
承認者 token (two systems, so four eyes can hold), and another surety whose
token must see nothing of the first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from esurety.integrations.services import api_token_create
from esurety.parties.models import Orderer, Role, SuretyCompany
from tests.factories import World, make_orderer, make_surety


class Api:
    """A client for one bearer token (or none), speaking JSON."""

    def __init__(self, secret: str | None = None, *, remote_addr: str = "192.0.2.10") -> None:
        self.client = Client(REMOTE_ADDR=remote_addr)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get("/api/v1" + path, params or {}, **self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        data = json.dumps(body if body is not None else {}, ensure_ascii=False)
        return self.client.post("/api/v1" + path, data, content_type="application/json", **self.headers)

    def upload(self, path: str, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            "/api/v1" + path, {"file": SimpleUploadedFile(name, content, content_type="text/csv")}, **self.headers
        )


@dataclass
class Tokens:
    orderer: str
    stranger_orderer: str
    clerk: str
    approver: str
    other_surety: str
    stranger: Orderer
    other_surety_company: SuretyCompany


def issue(*, name: str, **owner: Any) -> str:
    return api_token_create(by=None, name=name, now=timezone.now(), **owner).secret


@pytest.fixture
def tokens(world: World) -> Tokens:
    stranger = make_orderer("鳴門市長")
    other, _ = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    return Tokens(
        orderer=issue(name="電子契約システム", orderer=world.orderer),
        stranger_orderer=issue(name="鳴門市 電子契約", orderer=stranger),
        clerk=issue(name="基幹システム（入力）", surety=world.surety, role=Role.CLERK),
        approver=issue(name="基幹システム（承認）", surety=world.surety, role=Role.APPROVER),
        other_surety=issue(name="東日本 基幹システム", surety=other, role=Role.APPROVER),
        stranger=stranger,
        other_surety_company=other,
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Every error: JSON with a stable code and a Japanese message."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["message"] and not body["message"].isascii()
    return body
