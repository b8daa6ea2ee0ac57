"""On PostgreSQL the hot queries are planned once per connection, not on every request."""

from __future__ import annotations

import pytest
from django.db import connection

from esurety.accounts.backends import OrganisationModelBackend
from esurety.parties.models import User
from tests.conftest import postgres_only
from tests.factories import World

pytestmark = postgres_only


@pytest.mark.django_db
def test_the_signed_in_users_query_is_prepared_after_its_fifth_use(world: World) -> None:
    user: User = world.orderer_user
    backend = OrganisationModelBackend()
    for _ in range(6):
        assert backend.get_user(user.pk) == user
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "parties_user"' in sql for sql in prepared), prepared
