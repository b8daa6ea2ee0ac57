"""Queries of a fixed shape on hot paths, compiled from the ORM once per process.

Django compiles a queryset to SQL each time it runs; for a query that never changes shape on a
path every request takes (the signed-in user, number + key), that compilation cost more than the
database's answer. A FixedQuery builds its queryset once with placeholder values, keeps the SQL,
and runs it through ``raw()`` with the real values: the ORM stays the definition of the query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models.query import QuerySet, RawQuerySet

M = TypeVar("M", bound=models.Model)


class FixedQuery(Generic[M]):
    """``build(**slots)`` → the queryset; each slot's placeholder must appear once among its parameters
    unchanged (exact lookups: pick values of the field's type that no real row has)."""

    def __init__(self, build: Callable[..., QuerySet[M]], **slots: Any) -> None:
        self._build = build
        self._slots = slots
        self._compiled: tuple[type[M], str, list[str | None], tuple[Any, ...]] | None = None

    def _compile(self) -> tuple[type[M], str, list[str | None], tuple[Any, ...]]:
        if self._compiled is None:
            queryset = self._build(**self._slots)
            sql, params = queryset.query.sql_with_params()
            names: list[str | None] = [
                next((name for name, slot in self._slots.items() if slot == p), None) for p in params
            ]
            if sorted(n for n in names if n is not None) != sorted(self._slots):
                raise RuntimeError(f"placeholders {self._slots!r} not found once each among {params!r}")
            self._compiled = (queryset.model, sql, names, params)
        return self._compiled

    def __call__(self, **values: Any) -> RawQuerySet[M]:
        model, sql, names, params = self._compile()
        args = [values[name] if name is not None else p for name, p in zip(names, params, strict=True)]
        return model._default_manager.raw(sql, args)

    def first(self, **values: Any) -> M | None:
        """The first row, for queries by a unique key (no ORDER BY is added)."""
        return next(iter(self(**values)), None)
