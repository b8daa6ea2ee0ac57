"""The site speaks Japanese to every browser, whatever language it asks for."""

from __future__ import annotations

from django.test import Client

from tests.factories import World

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_an_english_browser_gets_the_pages_and_djangos_own_messages_in_japanese(world: World) -> None:
    client = Client(**ENGLISH)
    client.force_login(world.orderer_user)
    page = client.get("/verify/")
    assert page.status_code == 200
    assert '<html lang="ja">' in page.content.decode()
    # An empty required field: Django's own message, translated by LANGUAGE_CODE.
    refused = client.post("/verify/", {"number": "", "key": ""})
    assert refused.status_code == 200
    assert "このフィールドは必須です。" in refused.content.decode()
    assert "This field is required" not in refused.content.decode()


def test_pages_do_not_vary_by_the_browsers_language(world: World) -> None:
    """One language: a shared cache in front of the site may keep one copy of a public page."""
    for headers in ({}, ENGLISH):
        response = Client(**headers).get("/check/")
        assert response.status_code == 200
        assert "Accept-Language" not in response.get("Vary", "")
