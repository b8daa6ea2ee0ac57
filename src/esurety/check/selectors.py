"""書類の真正性確認: what a PDF someone holds is, read from its signature and the registry of issued documents.

Anyone may ask, without logging in. Registry data is disclosed only for a
file whose exact bytes (sha256) esurety issued: such a file already carries
that number, version and issuer in its own text, so the answer reveals nothing
its holder does not have. For any other file nothing from the registry is shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from esurety.advances.kinds import StatementStatus
from esurety.advances.models import UseStatement
from esurety.core.clock import business_date
from esurety.guarantees.models import Guarantee
from esurety.signing.models import IssuedDocument
from esurety.signing.validation import SignatureReport, pdf_signature_check
from esurety.verification.selectors import ReceiptStatus, guarantee_status_label


@dataclass(frozen=True)
class RegistryEntry:
    """What the registry says about an issued file, and where its guarantee stands today."""

    kind_label: str
    surety_name: str
    issued_at: dt.datetime
    number: str  # '' for a document tied to no guarantee
    version: int | None
    status: str  # a ReceiptStatus label (the orderer's 状態), '' without a guarantee
    current_version: int | None
    cancelled_on: dt.date | None
    period_end: dt.date | None
    # 前払金使途内訳明細書 and 払出依頼書: the statement version the file shows (or was made against)
    # and where that version stands today, as 版 and 保証契約の状態 say for certificates.
    statement_version: int | None = None
    statement_note: str = ""

    @property
    def is_superseded(self) -> bool:
        return self.status == ReceiptStatus.AMENDED

    @property
    def is_cancelled(self) -> bool:
        return self.status == ReceiptStatus.CANCELLED

    @property
    def is_expired(self) -> bool:
        return self.status == ReceiptStatus.EXPIRED


@dataclass(frozen=True)
class DocumentCheck:
    sha256: str
    size: int
    signature: SignatureReport
    entry: RegistryEntry | None

    @property
    def genuine(self) -> bool:
        """Signed by a surety esurety trusts and byte for byte a file esurety issued."""
        return self.signature.valid and self.entry is not None


def _statement_note(guarantee: Guarantee, version: int) -> str:
    """Where the statement version ``version`` of the guarantee's account stands today, in Japanese."""
    versions = dict(UseStatement.objects.filter(account__guarantee=guarantee).values_list("version", "status"))
    in_force = next((v for v, status in versions.items() if status == StatementStatus.ACCEPTED), None)
    status = versions.get(version)
    if status == StatementStatus.ACCEPTED:
        return "現在承認されている版です。"
    if status == StatementStatus.SUPERSEDED:
        later = f"第{in_force}版が承認されています" if in_force else "変更後の版が審査中です"
        return f"この版の後に使途変更があり、{later}。"
    if status is None:
        return ""
    note = f"この版は承認前です（{StatementStatus(status).label}）。"
    return note + (f"現在承認されている版は第{in_force}版です。" if in_force else "")


def _registry_entry(sha256: str, *, today: dt.date) -> RegistryEntry | None:
    issued = IssuedDocument.objects.select_related("surety", "guarantee").filter(sha256=sha256).first()
    if issued is None:
        return None
    guarantee = issued.guarantee
    if guarantee is None:
        return RegistryEntry(
            kind_label=issued.get_kind_display(),
            surety_name=issued.surety.name,
            issued_at=issued.issued_at,
            number="",
            version=issued.certificate_version,
            status="",
            current_version=None,
            cancelled_on=None,
            period_end=None,
        )
    # The same rule as the orderer's 受領済み一覧: the version this file shows
    # plays the part of the version the orderer last saw.
    status = guarantee_status_label(guarantee, seen_version=issued.certificate_version, today=today)
    return RegistryEntry(
        kind_label=issued.get_kind_display(),
        surety_name=issued.surety.name,
        issued_at=issued.issued_at,
        number=guarantee.number,
        version=issued.certificate_version,
        status=status,
        current_version=guarantee.current_version,
        cancelled_on=business_date(guarantee.cancelled_at) if guarantee.cancelled_at else None,
        period_end=guarantee.period_end,
        statement_version=issued.statement_version,
        statement_note=_statement_note(guarantee, issued.statement_version) if issued.statement_version else "",
    )


def document_check(*, data: bytes, today: dt.date | None = None) -> DocumentCheck:
    """The signature of ``data`` and, for a file esurety issued, its registry entry. Writes nothing."""
    sha256 = hashlib.sha256(data).hexdigest()
    return DocumentCheck(
        sha256=sha256,
        size=len(data),
        signature=pdf_signature_check(data),
        entry=_registry_entry(sha256, today=today or business_date()),
    )
