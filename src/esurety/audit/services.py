"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from esurety.audit.models import AuditChainHead, AuditEntry
from esurety.parties.models import User

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "surety": entry.surety_id_scope,
        "before": entry.before,
        "after": entry.after,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(entry)).hexdigest()


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any,
    at: dt.datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    surety_id: int | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    # Lock the head so that concurrent writers append one after another and
    # the chain never forks.
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First entry ever: concurrent first writers may all get here. ON CONFLICT DO NOTHING
        # lets the losers wait for the winner's row instead of failing on the primary key.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1, last_hash=GENESIS)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    entry = AuditEntry(
        at=at,
        actor=actor,
        actor_label=(actor.get_username() if actor else "system"),
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        surety_id_scope=surety_id,
        before=before,
        after=after,
        prev_hash=head.last_hash,
    )
    # JSONField round-trips through the database; hash what will be read back.
    entry.before = json.loads(json.dumps(before, ensure_ascii=False)) if before is not None else None
    entry.after = json.loads(json.dumps(after, ensure_ascii=False)) if after is not None else None
    entry.entry_hash = _hash(head.last_hash, entry)
    entry.save()
    AuditChainHead.objects.filter(pk=1).update(last_hash=entry.entry_hash)
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int | None
    reason: str


def audit_verify() -> ChainBreak | None:
    """Walk the chain; return the first entry that was altered or removed, or None."""
    prev = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return ChainBreak(entry.id, "直前のエントリが削除または改ざんされています")
        if _hash(prev, entry) != entry.entry_hash:
            return ChainBreak(entry.id, "このエントリの内容が改ざんされています")
        prev = entry.entry_hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return ChainBreak(None, "末尾のエントリが削除されています")
    return None
