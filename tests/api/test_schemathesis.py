"""Property-based tests of every operation from the OpenAPI document the app serves.

Schemathesis generates valid and invalid requests for each operation and sends
them with a live token of the right kind; whatever it sends, the answer must
be no 5xx, a documented status code and content type, and a body that
matches the documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from esurety.api.common import NUMBER_EXAMPLE
from esurety.guarantees.models import Guarantee, NumberSeries
from esurety.guarantees.services import access_key_plain
from esurety.integrations.services import api_token_create
from esurety.parties.models import Role
from esurety.verification import services as vservices
from tests.api.conftest import Tokens
from tests.factories import (
    AdvanceWorld,
    World,
    accept_statement,
    deposit_advance,
    make_bank,
    make_guarantee,
    make_user,
    open_account,
    request,
    submit_statement,
)

ORDERER_PATHS = ("/api/v1/verifications", "/api/v1/certificates", "/api/v1/changes", "/api/v1/claims")
BANK_PATHS = ("/api/v1/bank/",)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection across the in-process WSGI calls, as Django's test client does.

    WSGIHandler closes "old" connections at each request's start and end; inside the
    test's transaction (autocommit off) PostgreSQL's connection counts as old and
    would be closed under the test.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _bank_of(world: World, guarantee: Guarantee) -> str:
    """〇〇銀行 holding the guarantee's account, with request <number>-0001 waiting; its token's secret."""
    bank, (branch, other_branch) = make_bank(contract_with=world.surety)
    aw = AdvanceWorld(
        world=world,
        bank=bank,
        bank_branch=branch,
        other_bank_branch=other_branch,
        other_bank=bank,
        bank_user=make_user("dave", deposit_bank=bank, bank_branch=branch),
        bank_admin=make_user("erin", deposit_bank=bank, role=Role.ORG_ADMIN),
        other_branch_bank_user=make_user("frank", deposit_bank=bank, bank_branch=other_branch),
        other_bank_user=make_user("grace", deposit_bank=bank),
        branch_clerk=world.approver,
        guarantee=guarantee,
        account=open_account(world, guarantee, branch),
    )
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    request(aw)
    return api_token_create(by=None, name="勘定系システム", deposit_bank=bank, now=guarantee.concluded_at).secret


@pytest.fixture
def bank_secret() -> list[str]:
    """Filled by api_schema once the bank exists: the test reads the same list."""
    return []


@pytest.fixture
def api_schema(world: World, tokens: Tokens, bank_secret: list[str], in_test_transaction: None) -> Any:
    # The documented example number is made to exist (and to be received by the token's
    # orderer), so the explicit-example phase reads a real certificate, not only 404s.
    NumberSeries.objects.filter(branch=world.branch).update(next_number=int(NUMBER_EXAMPLE))
    g = make_guarantee(world)
    assert g.number == NUMBER_EXAMPLE
    key = access_key_plain(guarantee=g)
    vservices.certificate_verify(
        user=world.orderer_user, number=g.number, key=key, client_ip="192.0.2.1", now=g.concluded_at
    )
    # The documented example withdrawal (2070004426-0001) exists too, at the bank token's bank.
    bank_secret.append(_bank_of(world, g))
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    # The token is ours (sent with every case), not a parameter to fuzz; and unknown query
    # parameters are ignored by design, not a schema violation to reject.
    loaded.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_every_operation_answers_as_documented(case: Any, tokens: Tokens, bank_secret: list[str]) -> None:
    if case.operation.path.startswith(BANK_PATHS):
        token = bank_secret[0]
    else:
        token = tokens.orderer if case.operation.path.startswith(ORDERER_PATHS) else tokens.approver
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
