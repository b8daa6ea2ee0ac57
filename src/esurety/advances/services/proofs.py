"""Proofs of payee kept with a use statement: attached to a line of a draft, removed from a draft.

The file is checked by its first bytes (PDF, JPEG or PNG; the name and the
declared type are not trusted), limited in size, hashed (SHA-256) and stored
with Django's default storage under a generated name. Storage is not
transactional: a proof refused after the file is written leaves an unreferenced
file, never a row without its file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import PurePath

from django.core.files.base import File
from django.db import transaction

from esurety.advances.kinds import EDITABLE_STATEMENT_STATUSES, ProofKind
from esurety.advances.models import ProofDocument, UseStatement
from esurety.advances.rules import PROOF_MAX_BYTES, PROOF_SUFFIXES, PROOF_TYPES, sniff_proof_type
from esurety.advances.services.common import raise_if
from esurety.advances.services.statements import lock_statement, require_statement_status
from esurety.audit.services import audit_record
from esurety.core.errors import RuleViolation
from esurety.parties.models import User
from esurety.parties.permissions import require_contractor_user

CHUNK = 64 * 1024


def _display_name(name: str) -> str:
    # Only the last path part, printable, within the column: it is shown, never used as a path.
    base = PurePath((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return (cleaned or "proof")[-255:]


@transaction.atomic
def proof_attach(
    *, statement: UseStatement, by: User, line_no: int, kind: str, upload: File[bytes], now: dt.datetime
) -> ProofDocument:
    """Attach one document to a line of a draft (or returned) statement."""
    acc, st = lock_statement(statement)
    g = acc.guarantee
    require_contractor_user(by, g.contractor)
    require_statement_status(st, *EDITABLE_STATEMENT_STATUSES)
    violations: list[RuleViolation] = []
    if not st.lines.filter(line_no=line_no).exists():
        violations.append(RuleViolation("line_no", "書類を添付する使途内訳の行を選んでください。"))
    if kind not in ProofKind.values:
        violations.append(RuleViolation("kind", "書類の種類を選んでください。"))
    size = upload.size or 0
    if size == 0:
        violations.append(RuleViolation("file", "ファイルを選んでください（空のファイルは添付できません）。"))
    elif size > PROOF_MAX_BYTES:
        violations.append(
            RuleViolation("file", f"ファイルが大きすぎます（{PROOF_MAX_BYTES // (1024 * 1024)}MBまで）。")
        )
    content_type = None
    digest = hashlib.sha256()
    if not violations:
        upload.seek(0)
        head = upload.read(16)
        content_type = sniff_proof_type(head)
        if content_type is None:
            violations.append(RuleViolation("file", "PDF・JPEG・PNGのファイルを添付してください。"))
        else:
            digest.update(head)
            for chunk in iter(lambda: upload.read(CHUNK), b""):
                digest.update(chunk)
    raise_if(violations)
    assert content_type is not None and content_type in PROOF_TYPES
    proof = ProofDocument(
        statement=st,
        line_no=line_no,
        kind=kind,
        original_name=_display_name(upload.name or ""),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=now,
    )
    upload.seek(0)
    proof.file.save(f"proof{PROOF_SUFFIXES[content_type]}", upload, save=False)
    proof.save()
    audit_record(
        actor=by,
        action="proof.attach",
        obj=proof,
        at=now,
        after={
            "statement_version": st.version,
            "guarantee": g.number,
            "line_no": line_no,
            "kind": kind,
            "name": proof.original_name,
            "size": size,
            "sha256": proof.sha256,
        },
        surety_id=g.surety_id,
    )
    return proof


@transaction.atomic
def proof_remove(*, proof: ProofDocument, by: User, now: dt.datetime) -> None:
    """Take a document off a draft (the file stays: an earlier version may share it)."""
    acc, st = lock_statement(proof.statement)
    g = acc.guarantee
    require_contractor_user(by, g.contractor)
    require_statement_status(st, *EDITABLE_STATEMENT_STATUSES)
    locked = ProofDocument.objects.select_for_update().get(pk=proof.pk, statement=st)
    before = {
        "statement_version": st.version,
        "line_no": locked.line_no,
        "kind": locked.kind,
        "name": locked.original_name,
        "sha256": locked.sha256,
    }
    audit_record(actor=by, action="proof.remove", obj=locked, at=now, before=before, surety_id=g.surety_id)
    locked.delete()
