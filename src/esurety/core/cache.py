"""The shared cache's Redis backend: Django's, with one redis-py client per connection pool.

Django builds a new ``redis.Redis`` for every cache call; building one (its options, its table of
response callbacks) cost more than the round trip of the session read that every signed-in request
makes. redis-py's client is safe to share between threads, as its pool hands out the connections.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        base: Any = self  # the private helpers of Django's client have no stubs
        pool = base._get_connection_pool(write)
        clients: dict[int, Any] = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = base._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
