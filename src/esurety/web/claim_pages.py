"""View helpers the portals share for the end of a guarantee: a claim document as a download,
the history rows of a guarantee with its claim."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404, HttpResponse

from esurety.audit.actions import action_label
from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim, ClaimDocument
from esurety.claims.selectors import guarantee_history
from esurety.documents.claim_pdf import KINDS, claim_pdf, claim_pdf_available, claim_pdf_filename
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.web.downloads import attachment


def document_download(doc: ClaimDocument) -> HttpResponse:
    with doc.file.open("rb") as f:
        data = f.read()
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(doc.content_type, "")
    response = attachment(
        data, filename=doc.original_name, fallback=f"claim-document-{doc.pk}{suffix}", content_type=doc.content_type
    )
    # Uploaded by someone else: never rendered inline as the site's own content.
    response["X-Content-Type-Options"] = "nosniff"
    return response


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    label: str
    actor: str
    detail: str


def claim_history_lines(guarantee: Guarantee, *, show_actor: bool) -> list[HistoryLine]:
    """The guarantee's history with its claim, each step in the audit log's words."""
    labels = {**dict(GuaranteeStatus.choices), **dict(ClaimStatus.choices)}
    out = []
    for e in guarantee_history(guarantee):
        after = e.after if isinstance(e.after, dict) else {}
        status = after.get("status")
        detail = labels.get(status, "") if isinstance(status, str) else ""
        actor = ""
        if show_actor:
            actor = (e.actor.display_name or e.actor.username) if e.actor else "システム（自動処理）"
        out.append(HistoryLine(e.at, action_label(e.action), actor, detail))
    return out


def claim_pdf_response(claim: Claim, which: str) -> HttpResponse:
    """A signed PDF of the claim (filed / decision / payment); 404 while it does not exist yet."""
    if which not in KINDS or not claim_pdf_available(claim, which):
        raise Http404("この書類はまだありません。")
    return attachment(
        claim_pdf(claim=claim, which=which),
        filename=claim_pdf_filename(claim, which),
        fallback=f"claim_{claim.number}_{which}.pdf",
        content_type="application/pdf",
    )
