"""Steps shared by the claim services: locks, snapshots, documents, messages, mail and webhooks."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.base import File

from esurety.advances.rules import PROOF_MAX_BYTES, PROOF_SUFFIXES, sniff_proof_type
from esurety.audit.services import audit_record
from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim, ClaimDocument, ClaimMessage
from esurety.core.clock import business_date
from esurety.core.errors import DomainError, RuleViolation
from esurety.core.money import format_yen
from esurety.core.text import text_error
from esurety.core.wareki import format_wareki
from esurety.guarantees.events import guarantee_event_publish
from esurety.guarantees.models import Guarantee
from esurety.guarantees.services.mail import notify_parties
from esurety.parties.models import User

CHUNK = 64 * 1024
MAX_DOCUMENTS_PER_STEP = 10
MESSAGE_MAX = 2000

CLAIM_RELATED = (
    "guarantee",
    "guarantee__surety",
    "guarantee__branch",
    "guarantee__contractor",
    "guarantee__orderer",
    "orderer",
)


def lock_claim(claim: Claim | int) -> Claim:
    """The claim row, locked to the end of the transaction: two staff acting on one claim at
    once (two decisions, a decision and a payment) run one after the other, the second seeing
    the first's result. of=("self",): only the claim row is locked."""
    pk = claim if isinstance(claim, int) else claim.pk
    return Claim.objects.select_for_update(of=("self",)).select_related(*CLAIM_RELATED).get(pk=pk)


def lock_guarantee_row(guarantee_id: int) -> Guarantee:
    return (
        Guarantee.objects.select_for_update(of=("self",))
        .select_related("surety", "branch", "contractor", "orderer")
        .get(pk=guarantee_id)
    )


def raise_if(violations: list[RuleViolation], message: str = "入力に誤りがあります。") -> None:
    if violations:
        raise DomainError(message, violations)


def claim_snapshot(c: Claim) -> dict[str, Any]:
    return {
        "number": c.number,
        "guarantee": c.guarantee.number,
        "status": c.status,
        "claimed_amount": c.claimed_amount,
        "assessed_amount": c.assessed_amount,
        "decision": c.decision,
        "paid_amount": c.paid_amount,
    }


def guarantee_status_change(
    g: Guarantee, *, to: str, by: User | None, now: dt.datetime, action: str, extra: dict[str, Any]
) -> None:
    """The guarantee's own status, with its own entry in the guarantee's history."""
    before = {"status": g.status}
    g.status = to
    g.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action=action,
        obj=g,
        at=now,
        before=before,
        after={"status": to, "number": g.number, **extra},
        surety_id=g.surety_id,
    )


def clean_message(text: str, *, field: str, label: str, required: bool) -> tuple[str, list[RuleViolation]]:
    error = text_error(text or "", multiline=True)
    if error is not None:
        return "", [RuleViolation(field, error)]
    cleaned = (text or "").strip()
    if required and not cleaned:
        return "", [RuleViolation(field, f"{label}を入力してください。")]
    if len(cleaned) > MESSAGE_MAX:
        return "", [RuleViolation(field, f"{label}は{MESSAGE_MAX}文字以内で入力してください。")]
    return cleaned, []


def message_add(*, claim: Claim, side: str, kind: str, body: str, by: User, now: dt.datetime) -> ClaimMessage:
    return ClaimMessage.objects.create(claim=claim, side=side, kind=kind, body=body, author=by, at=now)


@dataclass(frozen=True)
class Upload:
    """One file the orderer attaches, with the name of the document it is (解除通知書, …)."""

    title: str
    file: File[bytes]


def _display_name(name: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return (cleaned or "document")[-255:]


def check_uploads(uploads: Sequence[Upload], *, required: bool) -> list[RuleViolation]:
    """Titles present, files PDF / JPEG / PNG by their first bytes, within the size limit."""
    violations: list[RuleViolation] = []
    if required and not uploads:
        violations.append(RuleViolation("documents", "添付書類を1つ以上選んでください。"))
    if len(uploads) > MAX_DOCUMENTS_PER_STEP:
        violations.append(RuleViolation("documents", f"一度に添付できる書類は{MAX_DOCUMENTS_PER_STEP}件までです。"))
    for up in uploads:
        if not up.title.strip() or len(up.title.strip()) > 100:
            violations.append(RuleViolation("documents", "書類の名称を100文字以内で選ぶか入力してください。"))
        size = up.file.size or 0
        if size == 0:
            violations.append(RuleViolation("documents", "空のファイルは添付できません。"))
        elif size > PROOF_MAX_BYTES:
            violations.append(
                RuleViolation("documents", f"ファイルが大きすぎます（{PROOF_MAX_BYTES // (1024 * 1024)}MBまで）。")
            )
        else:
            up.file.seek(0)
            if sniff_proof_type(up.file.read(16)) is None:
                violations.append(RuleViolation("documents", "PDF・JPEG・PNGのファイルを添付してください。"))
    return violations


def store_uploads(*, claim: Claim, uploads: Sequence[Upload], by: User, now: dt.datetime) -> list[ClaimDocument]:
    """Save checked uploads (check_uploads first). Storage is not transactional: a failure after a
    file is written leaves an unreferenced file, never a row without its file."""
    out = []
    for up in uploads:
        up.file.seek(0)
        head = up.file.read(16)
        content_type = sniff_proof_type(head)
        assert content_type is not None
        digest = hashlib.sha256(head)
        for chunk in iter(lambda f=up.file: f.read(CHUNK), b""):  # type: ignore[misc]
            digest.update(chunk)
        doc = ClaimDocument(
            claim=claim,
            title=up.title.strip(),
            original_name=_display_name(up.file.name or ""),
            content_type=content_type,
            size=up.file.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=by,
            uploaded_at=now,
        )
        up.file.seek(0)
        doc.file.save(f"document{PROOF_SUFFIXES[content_type]}", up.file, save=False)
        doc.save()
        out.append(doc)
    return out


def documents_summary(docs: Sequence[ClaimDocument]) -> list[dict[str, Any]]:
    return [{"title": d.title, "name": d.original_name, "size": d.size, "sha256": d.sha256} for d in docs]


def notify_claim(*, claim: Claim, now: dt.datetime, message: str = "") -> None:
    """Mail the contractor and the orderer that verified the certificate: the claim's new state.

    The surety's words (a request for documents, the reason of a decision) go to the orderer only.
    """
    g = claim.guarantee
    notify_parties(
        g=g,
        template="claim_changed",
        context={
            "claim_number": claim.number,
            "claim_status": ClaimStatus(claim.status).label,
            "filed_on": format_wareki(business_date(claim.filed_at), padded=False),
            "changed_on": format_wareki(business_date(now), padded=False),
            "message": message,
            "amount": format_yen(claim.paid_amount if claim.paid_amount is not None else claim.assessed_amount)
            if claim.status in (ClaimStatus.PAYMENT_DECIDED, ClaimStatus.PAID)
            else "",
        },
        now=now,
    )


def publish(*, event: str, claim: Claim, now: dt.datetime) -> None:
    guarantee_event_publish(event=event, guarantee=claim.guarantee, now=now, extra={"claim": claim_data(claim)})


def claim_data(claim: Claim) -> dict[str, Any]:
    """What a webhook (and the API) says of a claim: its state and figures, never the messages."""
    return {
        "number": claim.number,
        "status": claim.status,
        "status_label": ClaimStatus(claim.status).label,
        "filed_at": claim.filed_at,
        "termination_date": claim.termination_date,
        "termination_reason": claim.termination_reason,
        "claimed_amount": claim.claimed_amount,
        "decision": claim.decision or None,
        "decided_at": claim.decided_at,
        "amount": claim.assessed_amount if claim.decision == "PAY" else None,
        "paid_amount": claim.paid_amount,
        "paid_on": claim.paid_on,
    }
