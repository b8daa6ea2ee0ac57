"""400, 403, 404, 500 and a failed CSRF check: Japanese pages in the site layout with a way
back for people, the API's JSON {"code", "message"} under /api/ (DEBUG off, as in production)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory

from esurety.web.errors import server_error
from tests.factories import World, make_guarantee

ERROR_URLS = pytest.mark.urls("tests.web.urls_errors")


def html(response: HttpResponse) -> str:
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    # The site's own layout, not Django's bare page: header, skip link, footer.
    assert '<html lang="ja">' in body and 'class="site-header"' in body and "本文へ移動" in body
    return body


def api_error(response: HttpResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.content)
    assert body["code"] == code
    assert not body["message"].isascii()
    return body


def test_an_unknown_page_is_a_japanese_404_with_links_home_and_to_login(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    body = html(response)
    assert "ページが見つかりません" in body and "Not Found" not in body
    assert '<a class="button" href="/">ホームへ</a>' in body
    assert 'href="/login/">ログイン</a>' in body


def test_a_contractor_following_the_office_link_is_told_it_is_not_their_portal(world: World) -> None:
    client = Client()
    client.force_login(world.contractor_user)
    response = client.get("/office/")
    assert response.status_code == 404
    body = html(response)
    assert "「業務システム（保証事業会社用）」のページです" in body
    assert '<a class="button" href="/contractor/">電子証書の確認（受注者用）のトップへ</a>' in body
    assert 'href="/login/"' not in body


def test_an_orderer_opening_a_certificate_it_has_not_verified_is_sent_back_to_verification(world: World) -> None:
    g = make_guarantee(world)
    client = Client()
    client.force_login(world.orderer_user)
    response = client.get(f"/verify/certificates/{g.number}/")
    assert response.status_code == 404
    body = html(response)
    assert "受領済みの電子証書ではありません。" in body
    assert '<a class="button" href="/verify/">保証確認サービス（発注者用）のトップへ</a>' in body
    assert "のページです" not in body  # its own portal: nothing to explain
    assert "株式会社〇〇建設" not in body and g.work_name not in body


def test_djangos_own_english_404_details_are_never_shown(db: None) -> None:
    body = Client().get("/存在しない/ページ").content.decode()
    assert "tried" not in body and "存在しない" not in body
    assert "お探しのページは見つかりませんでした。" in body


@ERROR_URLS
def test_permission_denied_is_a_japanese_403_with_its_reason(db: None) -> None:
    response = Client().get("/test-errors/forbidden/")
    assert response.status_code == 403
    body = html(response)
    assert "このページはご利用いただけません" in body and "権限がありません" in body and "Forbidden" not in body
    reasoned = Client().get("/test-errors/forbidden-reason/").content.decode()
    assert "この書類は承認者のみが発行できます。" in reasoned


def test_a_request_for_another_host_is_a_japanese_400(db: None) -> None:
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = html(response)
    assert "このアドレス（ホスト名）ではご利用いただけません。" in body and "Bad Request" not in body


def test_a_form_over_the_size_limit_is_a_japanese_400(db: None, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 400
    assert "送信されたデータが大きすぎます。" in html(response)


@ERROR_URLS
def test_a_bug_is_a_japanese_500_even_with_the_database_down(world: World) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.contractor_user)

    def database_down(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        raise OperationalError("database is down")

    with connection.execute_wrapper(database_down):
        response = client.get("/test-errors/boom/")
    assert response.status_code == 500
    body = html(response)
    assert "システムエラーが発生しました" in body and "Server Error" not in body
    assert '<a class="button" href="/">ホームへ</a>' in body
    assert world.contractor_user.username not in body  # rendered without the request's user


def test_the_500_page_reads_nothing_from_the_database(db: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/contractor/"))
    assert response.status_code == 500
    assert "システムエラーが発生しました" in response.content.decode()


def test_a_form_without_the_csrf_cookie_is_told_to_enable_cookies(db: None) -> None:
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    body = html(response)
    assert "Cookieが無効になっている" in body and "CSRF" not in body


def test_a_form_from_a_stale_page_is_sent_back_to_reload_that_page(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")  # sets the CSRF cookie
    data = {"username": "a", "password": "b", "csrfmiddlewaretoken": "x" * 64}
    response = client.post("/login/", data, HTTP_REFERER="http://testserver/login/?next=/verify/")
    assert response.status_code == 403
    body = html(response)
    assert "この画面からの送信は無効になりました" in body
    assert '<a class="button" href="http://testserver/login/?next=/verify/">前の画面を開き直す</a>' in body

    foreign = client.post("/login/", data, HTTP_REFERER="https://evil.example/login/").content.decode()
    assert "evil.example" not in foreign and "前の画面を開き直す" not in foreign


def test_a_stale_logout_of_a_signed_in_orderer_links_back_to_its_portal(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.orderer_user)
    client.get("/verify/")
    response = client.post("/logout/", {"csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert '<a class="button" href="/verify/">保証確認サービス（発注者用）のトップへ</a>' in html(response)


# --- the API keeps its JSON ---------------------------------------------------------------


def test_unknown_api_urls_answer_json_also_outside_v1_and_for_posts(db: None) -> None:
    api_error(Client().get("/api/v2/certificates"), 404, "not_found")
    api_error(Client().get("/api/"), 404, "not_found")
    # A POST to a wrong URL learns "no such API", not a CSRF refusal.
    api_error(Client(enforce_csrf_checks=True).post("/api/v1/no-such-thing", {}), 404, "not_found")


def test_api_operations_need_no_csrf_token(db: None) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/verifications", {"number": "2070004426", "key": "ABCDEFGHJK"}, content_type="application/json"
    )
    api_error(response, 401, "unauthorized")


@ERROR_URLS
def test_api_errors_outside_ninja_are_json(db: None) -> None:
    api_error(Client(raise_request_exception=False).get("/api/test-errors/boom/"), 500, "server_error")
    api_error(Client().get("/api/test-errors/forbidden/"), 403, "forbidden")
    api_error(Client().get("/api/test-errors/suspicious/"), 400, "bad_request")
    api_error(Client(enforce_csrf_checks=True).post("/api/test-errors/post/"), 403, "csrf_failed")
    api_error(Client().get("/api/v1/certificates", HTTP_HOST="evil.example"), 400, "bad_host")


def test_a_post_only_address_opened_from_a_bookmark_is_a_japanese_405(db: None) -> None:
    response = Client().get("/logout/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    body = html(response)
    assert "このページは、この方法では開けません" in body and 'href="/login/">ログイン</a>' in body


def test_a_wrong_method_on_the_api_stays_json(db: None) -> None:
    response = Client().delete("/api/v1/verifications")
    api_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"
