"""Queries of a fixed shape on hot paths, compiled from the ORM once per process.

Django compiles a queryset to SQL each time it runs; for a query that never changes shape on a
path every request takes (the signed-in user, number + key, the received certificate), that
compilation cost more than the database's answer: 1.0 ms of the 1.4 ms that the certificate
page's receipt (with its guarantee, parties and branch) took. A FixedQuery builds its queryset
once with placeholder values, keeps the compiler's SQL and column map, and runs that SQL with
the real values through the ORM's own row-to-model code: the ORM stays the definition of the
query, and the rows come back as it would return them (select_related, annotations, converters).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models.query import ModelIterable, QuerySet
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Compiled(Generic[M]):
    queryset: QuerySet[M]
    compiler: SQLCompiler
    sql: str
    # Per parameter of the SQL: the slot whose value goes there, or None for a fixed value.
    names: tuple[str | None, ...]
    params: tuple[Any, ...]


class FixedQuery(Generic[M]):
    """``build(**slots)`` → the queryset; each slot's placeholder must appear once among its parameters
    unchanged (exact lookups: pick values of the field's type that no real row has)."""

    def __init__(self, build: Callable[..., QuerySet[M]], **slots: Any) -> None:
        self._build = build
        self._slots = slots
        self._compiled: _Compiled[M] | None = None

    def _compile(self) -> _Compiled[M]:
        if self._compiled is None:
            queryset = self._build(**self._slots)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            names = tuple(next((name for name, slot in self._slots.items() if slot == p), None) for p in params)
            if sorted(n for n in names if n is not None) != sorted(self._slots):
                raise RuntimeError(f"placeholders {self._slots!r} not found once each among {params!r}")
            self._compiled = _Compiled(queryset, compiler, sql, names, tuple(params))
        return self._compiled

    def __call__(self, **values: Any) -> Iterator[M]:
        compiled = self._compile()
        args = tuple(
            values[name] if name is not None else p for name, p in zip(compiled.names, compiled.params, strict=True)
        )
        # A copy of the compiled compiler per call: its SQL with this call's values, on this
        # thread's connection (a live-server test serves from another thread than it compiled in).
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[compiled.queryset.db]
        compiler.as_sql = lambda *args_, **kwargs: (compiled.sql, args)  # type: ignore[method-assign]
        queryset = compiled.queryset.all()
        queryset.query.get_compiler = lambda *args_, **kwargs: compiler  # type: ignore[method-assign]
        return iter(ModelIterable(queryset))

    def first(self, **values: Any) -> M | None:
        """The first row, for queries by a unique key (no ORDER BY is added)."""
        return next(self(**values), None)
