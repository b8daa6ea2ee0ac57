"""The tail of every audited write: snapshot → save → one audit entry, in the caller's transaction.

A service locks its row and checks state and authority itself (those differ per aggregate),
then hands the change to ``audited_change`` (an existing row) or ``audited_create`` (a new
row). Both take any model and any actor, so parties, accounts and the domain apps above them
share the one skeleton; none of them commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models

from esurety.audit.services import audit_record
from esurety.core.actors import Actor

M = TypeVar("M", bound=models.Model)

Snapshot = Callable[[M], dict[str, Any]]


def _update_fields(obj: models.Model, changed: Mapping[str, Any]) -> list[str]:
    fields = list(changed)
    # Rows of core.models.TimeStamped carry updated_at (auto_now): it is only written when named.
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields) and "updated_at" not in fields:
        fields.append("updated_at")
    return fields


def audited_change(
    obj: M,
    *,
    by: Actor | None,
    now: dt.datetime,
    action: str,
    snapshot: Snapshot[M],
    surety_id: int | None,
    changes: Mapping[str, Any] | None = None,
    edit: Callable[[M], None] | None = None,
    after_extra: Mapping[str, Any] | None = None,
    before: dict[str, Any] | None = None,
) -> M:
    """Change a row the caller has locked and checked, and record one entry with the snapshots
    before and after (plus ``after_extra``).

    ``changes`` sets those fields and saves only them; ``edit`` is for a change that is not a
    handful of fields (a form's whole input, rows that hang on it): it writes the row and its
    related rows itself. Give one of the two. ``before`` replaces the snapshot before where the entry
    records the state the change was decided on (an amendment request, the guarantee's terms).
    """
    if (changes is None) == (edit is None):
        raise TypeError("audited_change takes either changes or edit")
    if before is None:
        before = snapshot(obj)
    if changes is not None:
        for field, value in changes.items():
            setattr(obj, field, value)
        obj.save(update_fields=_update_fields(obj, changes))
    else:
        assert edit is not None
        edit(obj)
    audit_record(
        actor=by,
        action=action,
        obj=obj,
        at=now,
        before=before,
        after={**snapshot(obj), **(after_extra or {})},
        surety_id=surety_id,
    )
    return obj


def audited_create(
    obj: M,
    *,
    by: Actor | None,
    now: dt.datetime,
    action: str,
    snapshot: Snapshot[M],
    surety_id: int | None,
    after_extra: Mapping[str, Any] | None = None,
    before: dict[str, Any] | None = None,
) -> M:
    """Save a new row (unless the caller has, e.g. through a manager's create) and record its
    entry: the snapshot after (plus ``after_extra``); ``before`` only where a new row stands for
    a state it starts from (an amendment request records the guarantee as it was)."""
    if obj.pk is None or obj._state.adding:
        obj.save()
    audit_record(
        actor=by,
        action=action,
        obj=obj,
        at=now,
        before=before,
        after={**snapshot(obj), **(after_extra or {})},
        surety_id=surety_id,
    )
    return obj
