"""Downloads of the advance money's documents, shared by the portals (office, contractor, bank).

Each portal scopes the row to its user first (advances.selectors: use_statement_for,
withdrawal_for, proof_for answer None for what the user may not see: answer 404),
then returns one of these responses. The PDFs are signed and registered
(documents.advance_pdf) on each download, as the other documents are.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse

from esurety.advances.models import ProofDocument, UseStatement, Withdrawal
from esurety.core.clock import now
from esurety.documents import advance_pdf
from esurety.web.downloads import attachment, content_disposition


def use_statement_pdf_response(statement: UseStatement) -> HttpResponse:
    """前払金使途内訳明細書 (this version) as a signed PDF attachment."""
    return attachment(
        advance_pdf.use_statement_pdf(statement=statement, now=now()),
        filename=advance_pdf.use_statement_filename(statement),
        fallback=f"use_statement_{statement.account.guarantee.number}_v{statement.version}.pdf",
        content_type="application/pdf",
    )


def withdrawal_pdf_response(withdrawal: Withdrawal) -> HttpResponse:
    """前払金払出依頼書 as a signed PDF attachment."""
    return attachment(
        advance_pdf.withdrawal_request_pdf(withdrawal=withdrawal, now=now()),
        filename=advance_pdf.withdrawal_request_filename(withdrawal),
        fallback=f"withdrawal_{withdrawal.number}.pdf",
        content_type="application/pdf",
    )


def proof_response(proof: ProofDocument) -> FileResponse:
    """A proof of payee as uploaded, under its original name, never shown inline (it may be anything)."""
    response = FileResponse(proof.file.open("rb"), content_type=proof.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(proof.original_name, fallback=f"proof_{proof.pk}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
