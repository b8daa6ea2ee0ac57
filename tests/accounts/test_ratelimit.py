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


def test_check_all_tells_which_limits_hold_failures_in_their_window() -> None:
    """The orderer's verification reads every limit at once: a lock's seconds, and whether a caller
    has failed lately (the LGWAN rule lets a clean user through an address lock)."""
    other = Limit("test-other", max_attempts=30, window_seconds=900)
    items = [(LIMIT, "user"), (other, "address")]
    assert ratelimit.check_all(items, now=T0) == ratelimit.Check(wait=0, failed=frozenset(), waits=(0, 0))

    record_failure(LIMIT, "user", now=T0)
    record_failure(LIMIT, "user", now=T0 + 300)
    record_failure(other, "address", now=T0 - 200)
    assert ratelimit.check_all(items, now=T0 + 301).failed == {0, 1}
    # The address's one failure has left its 15 minutes; the user's second is still inside its 10.
    assert ratelimit.check_all(items, now=T0 + 701).failed == {0}
    assert ratelimit.check_all(items, now=T0 + 300 + 600).failed == frozenset()

    record_failure(LIMIT, "user", now=T0 + 1000)
    reset(LIMIT, "user")
    assert ratelimit.check_all(items, now=T0 + 1001).failed == frozenset()

    for i in range(3):
        record_failure(LIMIT, "user", now=T0 + 2000 + i)
    locked = ratelimit.check_all(items, now=T0 + 2003)
    assert locked.waits == (899, 0) and locked.wait == 899
    # Once the lock ends the count starts afresh: no failure in the window any more.
    assert ratelimit.check_all(items, now=T0 + 2002 + 901) == ratelimit.Check(wait=0, failed=frozenset(), waits=(0, 0))


def test_check_all_reads_two_keys_per_limit_in_one_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hot path costs one cache read of 2 keys per limit, whatever max_attempts is."""
    asked: list[list[str]] = []
    real = ratelimit.cache.get_many

    def spy(keys: list[str]) -> dict[str, object]:
        asked.append(list(keys))
        return real(keys)

    monkeypatch.setattr(ratelimit.cache, "get_many", spy)
    ratelimit.check_all([(LIMIT, "a"), (Limit("wide", max_attempts=30, window_seconds=900), "b")], now=T0)
    assert [len(keys) for keys in asked] == [4]
