"""Failure counters with lockout, kept in the shared cache.

Used for login (per ID, per client address) and reusable for any other
guessable secret (the orderer portal limits per user, per address and per
guarantee number):

    LOGIN_PER_USERNAME = Limit("login-user", max_attempts=5, window_seconds=900)

    wait = is_blocked(LOGIN_PER_USERNAME, username)      # seconds left, 0 = free
    if not wait and not credentials_ok:
        wait = record_failure(LOGIN_PER_USERNAME, username)  # > 0 if this failure locked it
    if credentials_ok:
        reset(LOGIN_PER_USERNAME, username)

Why slots instead of one counter: the counter must be exact across every web
worker, whatever the cache backend. Redis has an atomic INCR, but Django's
database cache implements ``incr`` as get + set (racy, and it resets the
expiry). ``cache.add`` is atomic on both (Redis SET NX; a primary-key insert
in the database), so each failure claims one of ``max_attempts`` slot keys
with ``add``; a slot lives ``window_seconds`` from its own failure, which
makes the window sliding ("5 failures in the last 15 minutes"), not fixed.
When the last slot is claimed, a lock key is written for ``lockout_seconds``.
Beside the slots, a "last" key holds the expiry of the latest failure: whether a key
has any failure in its window is then one read, not ``max_attempts`` (check_all, on the
orderer's verification, reads two keys per limit instead of 42 in all).

The expiry instant is also stored in each value and compared with the
caller's clock, so tests can move time without waiting for the cache's TTL.

Keys are hashed: usernames and addresses are arbitrary text (the database
cache limits key length) and need not sit readable in the cache.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

PREFIX = "rl"


@dataclass(frozen=True)
class Limit:
    """At most ``max_attempts`` failures per key within ``window_seconds``.

    Reaching the limit locks the key for ``lockout_seconds`` (default: the
    window). ``name`` separates the counters of different limits.
    """

    name: str
    max_attempts: int
    window_seconds: int
    lockout_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.window_seconds < 1:
            raise ValueError("max_attempts and window_seconds must be positive")
        if self.lockout_seconds is not None and self.lockout_seconds < 1:
            raise ValueError("lockout_seconds must be positive")

    @property
    def lockout(self) -> int:
        return self.lockout_seconds if self.lockout_seconds is not None else self.window_seconds


def _digest(limit: Limit, key: str) -> str:
    return hashlib.sha256(f"{limit.name}\x00{key}".encode()).hexdigest()[:40]


def _lock_key(limit: Limit, key: str) -> str:
    return f"{PREFIX}:{limit.name}:{_digest(limit, key)}:lock"


def _last_key(limit: Limit, key: str) -> str:
    return f"{PREFIX}:{limit.name}:{_digest(limit, key)}:last"


def _slot_keys(limit: Limit, key: str) -> list[str]:
    base = f"{PREFIX}:{limit.name}:{_digest(limit, key)}"
    return [f"{base}:{i}" for i in range(limit.max_attempts)]


def _clock(now: float | None) -> float:
    return time.time() if now is None else now


def _ttl(seconds: float) -> int:
    # A little margin over the logical expiry so the cache never drops a
    # value the stored instant still counts as live.
    return math.ceil(seconds) + 5


def is_blocked(limit: Limit, key: str, *, now: float | None = None) -> int:
    """Seconds until ``key`` may try again under ``limit``; 0 when not locked."""
    until = cache.get(_lock_key(limit, key))
    if until is None:
        return 0
    left = math.ceil(float(until) - _clock(now))
    return max(0, left)


@dataclass(frozen=True)
class Check:
    """The state of several limits, read in one round trip to the cache."""

    wait: int  # seconds until every limit admits the caller; 0 = free
    failed: frozenset[int]  # indexes of the limits that hold failures in their window
    waits: tuple[int, ...] = ()  # seconds left per limit, in the order given; 0 = that limit is free


def check_all(items: list[tuple[Limit, str]], *, now: float | None = None) -> Check:
    """is_blocked and failures for several (limit, key) pairs with a single cache read.

    On a hot path (the orderer's verification) three separate lookups would
    be three round trips; a successful caller also learns which counters it
    needs to reset, so it resets only those.
    """
    t = _clock(now)
    pairs = [(_lock_key(limit, key), _last_key(limit, key)) for limit, key in items]
    values = cache.get_many([k for pair in pairs for k in pair])
    waits: list[int] = []
    failed: set[int] = set()
    for index, (lock, last) in enumerate(pairs):
        until = values.get(lock)
        waits.append(max(0, math.ceil(float(until) - t)) if until is not None else 0)
        # The latest failure's expiry is the latest of every slot's: any failure in the window.
        latest = values.get(last)
        if latest is not None and float(latest) > t:
            failed.add(index)
    return Check(wait=max(waits, default=0), failed=frozenset(failed), waits=tuple(waits))


def failures(limit: Limit, key: str, *, now: float | None = None) -> int:
    """Failures of ``key`` still inside the window (0 while locked: the slots were cleared)."""
    t = _clock(now)
    values = cache.get_many(_slot_keys(limit, key))
    return sum(1 for expires in values.values() if float(expires) > t)


def record_failure(limit: Limit, key: str, *, now: float | None = None) -> int:
    """Count one failure. Returns the lockout in seconds if this failure reached the limit, else 0."""
    t = _clock(now)
    slot_keys = _slot_keys(limit, key)
    values = cache.get_many(slot_keys)
    live = {k for k, expires in values.items() if float(expires) > t}
    stale = [k for k in values if k not in live]
    if stale:
        # Expired by the caller's clock though the cache still holds them.
        cache.delete_many(stale)
    claimed = False
    for slot in slot_keys:
        if slot in live:
            continue
        if cache.add(slot, t + limit.window_seconds, timeout=_ttl(limit.window_seconds)):
            live.add(slot)
            claimed = True
            break
        # Another worker took this slot between our read and our add.
        live.add(slot)
    if claimed and len(live) < limit.max_attempts:
        cache.set(_last_key(limit, key), t + limit.window_seconds, timeout=_ttl(limit.window_seconds))
        return 0
    # Every slot is taken (by us or by concurrent failures): lock.
    cache.set(_lock_key(limit, key), t + limit.lockout, timeout=_ttl(limit.lockout))
    # Start afresh once the lock ends rather than locking again on the next failure.
    cache.delete_many([*slot_keys, _last_key(limit, key)])
    return limit.lockout


def client_ip(request: HttpRequest) -> str:
    """The address to count per-address limits against: REMOTE_ADDR, nothing else.

    X-Forwarded-For is set by the client and would let an attacker pick a fresh
    "address" for every guess. Behind a reverse proxy, the server in front of
    Django must put the real client address into REMOTE_ADDR, or every client
    shares the proxy's address and one attacker locks everybody out. Note that
    gunicorn's ``--forwarded-allow-ips`` only trusts the proxy's scheme
    headers and does NOT rewrite REMOTE_ADDR; with gunicorn use the PROXY
    protocol (``--proxy-protocol --proxy-allow-from=<proxy address>``, with
    HAProxy ``send-proxy`` or nginx ``proxy_protocol on``). uvicorn's
    ``--forwarded-allow-ips`` does rewrite the client address.
    """
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def reset(limit: Limit, key: str) -> None:
    """Forget the failures and any lock of ``key`` (after a success, or by an administrator)."""
    cache.delete_many([*_slot_keys(limit, key), _last_key(limit, key), _lock_key(limit, key)])
