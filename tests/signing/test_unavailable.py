"""Without its surety's signing key esurety issues no PDF, and says so: a 503 in Japanese, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from esurety.guarantees.services import access_key_plain
from esurety.signing.models import IssuedDocument
from esurety.verification.models import ViewKind, ViewRecord
from tests.api.conftest import Api, Tokens, assert_error, tokens
from tests.contractor.portal import client_for
from tests.factories import World, make_guarantee
from tests.webhooks.conftest import verify

__all__ = ["tokens"]  # the API's token fixture, used here too


@pytest.fixture
def no_keys(tmp_path: Path) -> Path:
    empty = tmp_path / "signing"
    empty.mkdir()
    return empty


def test_the_contractor_gets_a_clear_503_and_nothing_is_registered(world: World, no_keys: Path) -> None:
    g = make_guarantee(world)
    with override_settings(SIGNING_DIR=no_keys, SIGNING_DEMO=False):
        response = client_for(world.contractor_user).get(f"/contractor/guarantees/{g.number}/key/notice.pdf")
    assert response.status_code == 503
    text = response.content.decode()
    assert "署名用の鍵が設定されていない" in text
    assert "surety-" not in text  # the missing file's name is for the log only
    assert not IssuedDocument.objects.exists()


def test_the_api_answers_json_503(world: World, tokens: Tokens, no_keys: Path) -> None:
    g = make_guarantee(world)
    key = access_key_plain(guarantee=g)
    assert key is not None
    verify(world.orderer_user, g)
    api = Api(tokens.orderer)
    api.post("/verifications", {"number": g.number, "key": key})
    with override_settings(SIGNING_DIR=no_keys, SIGNING_DEMO=False):
        body = assert_error(api.get(f"/certificates/{g.number}/pdf"), 503, "signing_unavailable")
    assert "署名用の鍵" in body["message"]
    # No copy was handed out, so no view of it is recorded either.
    assert not ViewRecord.objects.filter(kind=ViewKind.PDF).exists()
