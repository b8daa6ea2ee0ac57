"""Parallel test processes get a Redis database each: one process's FLUSHDB between tests must
not wipe the rate-limit counters another process's test is counting."""

from __future__ import annotations

from esurety.config.settings import redis_url_of_test_worker


def test_the_first_worker_keeps_the_configured_database_and_the_others_get_their_own() -> None:
    url = "redis://:secret@127.0.0.1:6379/15"
    databases = [redis_url_of_test_worker(url, f"gw{i}") for i in range(4)]
    assert databases == [
        "redis://:secret@127.0.0.1:6379/15",
        "redis://:secret@127.0.0.1:6379/10",
        "redis://:secret@127.0.0.1:6379/9",
        "redis://:secret@127.0.0.1:6379/8",
    ]
    assert "/14" not in " ".join(databases)  # the benchmarks' database
