"""Insert many rows fast: PostgreSQL COPY, with ids drawn from the table's sequence beforehand.

Django's bulk_create builds one INSERT with tens of thousands of bound
values per batch; for a 100,000-line import that costs minutes. COPY streams
the rows instead. The ids are taken from the sequence first (in order), so
callers get them back as with bulk_create, and rows keep their order of ids
(the audit chain relies on it). Other databases (SQLite in the demo and the
tests) use bulk_create.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TypeVar

from django.db import connection, models

from esurety.core.fields import SearchTextField

M = TypeVar("M", bound=models.Model)

CHUNK = 10_000


def _next_ids(table: str, count: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cur.fetchall()]


def _reader(field: models.Field[object, object]) -> Callable[[models.Model], object]:
    """How to read one column's value for COPY, cheaply.

    psycopg adapts str, int, bool, date, aware datetime, Decimal, bytes and None
    itself; only auto_now and search fields (filled as save() would) and JSON
    (sent as its text) need Django. Going through get_db_prep_save for every
    value would cost more than the database's own work.
    """
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) or isinstance(field, SearchTextField):
        return lambda obj: field.pre_save(obj, True)
    if isinstance(field, models.JSONField):
        attname, encoder = field.attname, field.encoder

        def as_json(obj: models.Model) -> object:
            value = getattr(obj, attname)
            return None if value is None else json.dumps(value, cls=encoder, ensure_ascii=False)

        return as_json
    return attrgetter(field.attname)


def bulk_insert(objs: Sequence[M]) -> None:
    """Insert unsaved instances of one model; their pk is set afterwards, in list order."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=2_000)
        return
    meta = model._meta
    for obj, pk in zip(objs, _next_ids(meta.db_table, len(objs)), strict=True):
        obj.pk = pk
    fields = list(meta.concrete_fields)
    readers = [_reader(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cur:
        raw = cur.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([read(obj) for read in readers])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
