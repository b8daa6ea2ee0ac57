"""The reusable failure counter: exact counts, sliding window, lockout, reset."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from esurety.accounts import ratelimit
from esurety.accounts.ratelimit import Limit, is_blocked, record_failure, reset
from tests.conftest import postgres_only

pytestmark = pytest.mark.django_db

LIMIT = Limit("test", max_attempts=3, window_seconds=600, lockout_seconds=900)
T0 = 1_800_000_000.0


def test_locks_on_the_last_allowed_failure_and_reports_seconds_left() -> None:
    assert record_failure(LIMIT, "k", now=T0) == 0
    assert record_failure(LIMIT, "k", now=T0 + 1) == 0
    assert is_blocked(LIMIT, "k", now=T0 + 2) == 0
    assert record_failure(LIMIT, "k", now=T0 + 2) == 900
    assert is_blocked(LIMIT, "k", now=T0 + 2) == 900
    assert is_blocked(LIMIT, "k", now=T0 + 602) == 300
    assert is_blocked(LIMIT, "k", now=T0 + 902) == 0


def test_window_is_sliding_old_failures_stop_counting() -> None:
    record_failure(LIMIT, "k", now=T0)
    record_failure(LIMIT, "k", now=T0 + 300)
    # The first failure has left the 10-minute window: two live, no lock.
    assert record_failure(LIMIT, "k", now=T0 + 601) == 0
    assert ratelimit.failures(LIMIT, "k", now=T0 + 601) == 2
    assert is_blocked(LIMIT, "k", now=T0 + 601) == 0
    assert record_failure(LIMIT, "k", now=T0 + 602) == 900


def test_keys_and_limits_are_independent() -> None:
    other = Limit("test-other", max_attempts=3, window_seconds=600)
    for i in range(3):
        record_failure(LIMIT, "a", now=T0 + i)
    assert is_blocked(LIMIT, "a", now=T0 + 3) > 0
    assert is_blocked(LIMIT, "b", now=T0 + 3) == 0
    assert is_blocked(other, "a", now=T0 + 3) == 0


def test_reset_forgets_failures_and_lock() -> None:
    record_failure(LIMIT, "k", now=T0)
    record_failure(LIMIT, "k", now=T0 + 1)
    reset(LIMIT, "k")
    assert ratelimit.failures(LIMIT, "k", now=T0 + 2) == 0
    assert record_failure(LIMIT, "k", now=T0 + 2) == 0
    for i in range(2):
        record_failure(LIMIT, "k", now=T0 + 3 + i)
    assert is_blocked(LIMIT, "k", now=T0 + 5) > 0
    reset(LIMIT, "k")
    assert is_blocked(LIMIT, "k", now=T0 + 5) == 0


def test_after_a_lock_ends_the_count_starts_afresh() -> None:
    for i in range(3):
        record_failure(LIMIT, "k", now=T0 + i)
    after = T0 + 2 + 901
    assert is_blocked(LIMIT, "k", now=after) == 0
    assert record_failure(LIMIT, "k", now=after) == 0


def test_lockout_defaults_to_window_and_bad_limits_are_refused() -> None:
    assert Limit("x", max_attempts=5, window_seconds=900).lockout == 900
    with pytest.raises(ValueError):
        Limit("x", max_attempts=0, window_seconds=900)


def test_arbitrary_key_text_is_accepted() -> None:
    key = "お客様ID with spaces/and:colons " + "x" * 500
    for i in range(3):
        record_failure(LIMIT, key, now=T0 + i)
    assert is_blocked(LIMIT, key, now=T0 + 3) > 0


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("backend", ["configured", "database"])
def test_concurrent_failures_are_all_counted(transactional_db: None, settings: object, backend: str) -> None:
    """Five workers failing at once against a limit of five: every failure counts, so the key locks."""
    if backend == "database":
        settings.CACHES = {  # type: ignore[attr-defined]
            "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "esurety_cache"}
        }
        call_command("createcachetable", verbosity=0)  # absent when the session started with Redis
    limit = Limit("race", max_attempts=5, window_seconds=600)
    barrier = threading.Barrier(5)
    results: list[int] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(record_failure(limit, "target"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 5
    assert is_blocked(limit, "target") > 0
    reset(limit, "target")
