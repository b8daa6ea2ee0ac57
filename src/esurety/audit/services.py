"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from esurety.audit.models import AuditChainHead, AuditEntry
from esurety.core.actors import Actor
from esurety.core.bulk import bulk_insert

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


# What an object's business hangs from, nearest first, followed by attribute (see branch_of).
# A proof hangs from its statement before its uploader: a contractor who uploads has no branch.
BRANCH_OWNERS = ("guarantee", "account", "statement", "claim", "uploaded_by")


def branch_of(obj: Any) -> int | None:
    """The branch whose business ``obj`` is, or None.

    Guarantees, applications and staff have their branch; what belongs to a
    guarantee (certificates, amendments, keys, statements, receipts, notices,
    its advance account and claim) takes the guarantee's, and so does what
    belongs to those (an account's deposits, use statements and withdrawals, a
    statement's proofs); an import, its uploader's. The audit app takes plain
    objects, so it asks by attribute rather than importing the models.
    """
    if hasattr(obj, "branch_id"):
        return getattr(obj, "branch_id", None)
    for owner in BRANCH_OWNERS:
        if getattr(obj, f"{owner}_id", None) is not None:
            return branch_of(getattr(obj, owner))
    return None


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: Any,
    at: dt.datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    surety_id: int | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records.

    Its branch (for the branch rule of the office) is taken from ``obj``: see branch_of.
    """
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
        # By id: the audit app sits below the users' app (parties) and takes any user.
        actor_id=actor.pk if actor else None,
        actor_label=(actor.get_username() if actor else "system"),
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        surety_id_scope=surety_id,
        branch_id_scope=branch_of(obj),
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
class AuditItem:
    """One entry for audit_record_many: what audit_record takes, minus the shared actor and time."""

    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    surety_id: int | None = None
    branch_id: int | None = None  # see AuditEntry.branch_id_scope


def audit_record_many(*, actor: Actor | None, at: dt.datetime, items: list[AuditItem], batch_size: int = 5000) -> int:
    """Append many entries under one lock of the chain head (bulk imports).

    Same chain as audit_record, entry by entry: each prev_hash is the hash of
    the entry before it. The rows are inserted in chain order, so their ids
    (which audit_verify walks) follow the chain too.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction of the change")
    if not items:
        return 0
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1, last_hash=GENESIS)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    label = actor.get_username() if actor else "system"
    actor_id = actor.pk if actor else None
    prev = head.last_hash
    entries: list[AuditEntry] = []
    for item in items:
        entry = AuditEntry(
            at=at,
            actor_id=actor_id,
            actor_label=label,
            action=item.action,
            object_type=item.object_type,
            object_id=item.object_id,
            surety_id_scope=item.surety_id,
            branch_id_scope=item.branch_id,
            before=json.loads(json.dumps(item.before, ensure_ascii=False)) if item.before is not None else None,
            after=json.loads(json.dumps(item.after, ensure_ascii=False)) if item.after is not None else None,
            prev_hash=prev,
        )
        entry.entry_hash = _hash(prev, entry)
        prev = entry.entry_hash
        entries.append(entry)
    # COPY on PostgreSQL, with ids taken in chain order (audit_verify walks by id).
    bulk_insert(entries)
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    return len(entries)


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
