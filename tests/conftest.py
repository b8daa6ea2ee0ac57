from __future__ import annotations

import contextlib
import os

os.environ.setdefault("ESURETY_TESTING", "1")

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    # The database cache (used when no REDIS_URL is set) needs its table.
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("createcachetable", verbosity=0)
    yield


@pytest.fixture(scope="session", autouse=True)
def _signing_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Signed PDFs in tests: a throwaway demo CA in a temporary SIGNING_DIR.

    Sureties come from factories per test, so their certificates are minted on
    first use (settings.SIGNING_DEMO, on in test runs).
    """
    from django.test import override_settings

    from esurety.signing.demo_ca import demo_ca_ensure

    path = tmp_path_factory.mktemp("signing")
    with override_settings(SIGNING_DIR=path):
        demo_ca_ensure(directory=path)
        yield path


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Uploaded files (proofs of payee) go to a temporary MEDIA_ROOT, never the repository's var/."""
    from django.test import override_settings

    path = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=path):
        yield path


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    yield
    from django.core.cache import cache

    # Tests without database access cannot clear the database cache; nothing to clear then.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture
def world(db: None) -> factories.World:
    """The seed's parties: 西日本建設業保証 / 大塚支店, 株式会社〇〇建設, 徳島市上下水道事業管理者."""
    return factories.make_world()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


postgres_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite") or not os.environ.get("DATABASE_URL"),
    reason="needs PostgreSQL",
)
