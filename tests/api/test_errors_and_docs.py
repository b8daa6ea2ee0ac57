"""The API's own surface: the OpenAPI document, the documentation page, JSON for every error."""

from __future__ import annotations

from django.test import Client

from esurety.verification.models import ViewRecord
from tests.api.conftest import Api, Tokens, assert_error
from tests.factories import World, make_guarantee


def test_the_openapi_document_describes_every_operation_and_its_errors(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "esurety API"
    paths = doc["paths"]
    assert {"/api/v1/verifications", "/api/v1/certificates", "/api/v1/changes", "/api/v1/applications"} <= set(paths)
    verify = paths["/api/v1/verifications"]["post"]
    assert {"200", "401", "403", "404", "422", "429"} <= set(verify["responses"])
    assert verify["security"] == [{"TokenAuth": []}]
    pdf = paths["/api/v1/certificates/{number}/pdf"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf
    assert doc["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_the_documentation_page_needs_no_outside_server(db: None) -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_unknown_urls_and_wrong_methods_answer_in_json(tokens: Tokens) -> None:
    api = Api(tokens.orderer)
    assert_error(api.get("/no-such-thing"), 404, "not_found")
    response = api.client.delete("/api/v1/verifications", **api.headers)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"


def test_a_request_without_a_client_address_still_records_its_view(world: World, tokens: Tokens) -> None:
    """Behind a unix socket REMOTE_ADDR is empty; PostgreSQL's inet column must not turn that into a 500."""
    from esurety.guarantees.services import access_key_plain

    g = make_guarantee(world)
    api = Api(tokens.orderer, remote_addr="")
    response = api.post("/verifications", {"number": g.number, "key": access_key_plain(guarantee=g)})
    assert response.status_code == 200
    assert api.get(f"/certificates/{g.number}").status_code == 200
    assert list(ViewRecord.objects.values_list("client_ip", flat=True)) == [None, None]


def test_a_body_over_the_size_limit_is_a_413_in_json(tokens: Tokens, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # type: ignore[attr-defined]
    response = Api(tokens.orderer).post("/verifications", {"number": "1" * 10, "key": "x" * 2000})
    assert_error(response, 413, "too_large")


def test_japanese_travels_as_utf8_not_as_escapes(db: None) -> None:
    response = Client().get("/api/v1/certificates")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "APIトークン".encode() in response.content and b"\\u" not in response.content
