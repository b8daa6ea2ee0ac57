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

from django.db import connections, models, router, transaction
from django.db.models.query import ModelIterable, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.subqueries import InsertQuery

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


def _concrete(model: type[models.Model], column: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(column)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{column} is not a column")
    return field


class FixedInsert(Generic[M]):
    """One row into fixed columns, on a path every request of a kind takes (the view record of each
    verification and look): the ORM's INSERT compiled once per database, each value prepared as the
    ORM prepares it (``get_db_prep_save``). Model.save() cost twice the statement's own client time
    (instance, signals, pre_save, compilation). So: no signals, no field defaults and no pre_save
    (auto_now): the caller gives every column, by attname, and gets no row back.
    """

    def __init__(self, model: type[M], *columns: str) -> None:
        self._model = model
        self._fields = tuple(_concrete(model, c) for c in columns)
        self._attnames = frozenset(f.attname for f in self._fields)
        self._sql: dict[str, str] = {}

    def _compile(self, using: str) -> str:
        if using not in self._sql:
            query = InsertQuery(self._model)
            query.insert_values(self._fields, [self._model()], raw=True)
            [(sql, params)] = query.get_compiler(using=using).as_sql()
            if len(params) != len(self._fields) or sql.count("%s") != len(self._fields):
                raise RuntimeError(f"one placeholder per column expected: {sql!r}")
            self._sql[using] = sql
        return self._sql[using]

    def __call__(self, **values: Any) -> None:
        if values.keys() != self._attnames:
            raise TypeError(f"give exactly {[f.attname for f in self._fields]}, got {sorted(values)}")
        using = router.db_for_write(self._model)
        connection = connections[using]
        params = [f.get_db_prep_save(values[f.attname], connection=connection) for f in self._fields]
        # As Model.save(): inside an atomic block, a failed INSERT marks the block for rollback.
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(self._compile(using), params)
