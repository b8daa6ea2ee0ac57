"""What a certificate page shows, for every portal: the version asked for, the dates in force, the history.

The contractor's, the orderer's and the staff's pages all print the same
保証証書, so they build it here once; visibility has been checked by the
caller's selector before a guarantee reaches this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esurety.core.clock import business_date
from esurety.core.errors import NotFound
from esurety.core.kinds import ADVANCE_KINDS
from esurety.guarantees import selectors
from esurety.guarantees.models import Certificate, Guarantee

VERSION_NOT_FOUND = "指定された版はありません。"


@dataclass(frozen=True)
class PeriodChange:
    effective_on: dt.date
    completion_before: dt.date | None
    completion_after: dt.date | None
    reason: str


def _iso_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class CertificatePresentation:
    guarantee: Guarantee
    certificate: Certificate
    versions: list[Certificate]
    is_current: bool
    period_end_shown: dt.date
    completion_date_shown: dt.date
    period_moved: bool
    period_changes: list[PeriodChange]
    cancelled_on: dt.date | None
    representative_title: str
    representative_name: str
    shows_deposit_bank: bool


def certificate_presentation(*, guarantee: Guarantee, version: int | None) -> CertificatePresentation:
    versions = list(selectors.certificate_versions(guarantee=guarantee))
    wanted = guarantee.current_version if version is None else version
    certificate = next((c for c in versions if c.version == wanted), None)
    if certificate is None:
        raise NotFound(VERSION_NOT_FOUND)
    is_current = certificate.version == guarantee.current_version
    period_end, completion = certificate.period_end, certificate.completion_date
    changes: list[PeriodChange] = []
    # Seed note 2: a change of 工期 moves the period without a new certificate,
    # so the current version shows the guarantee's dates, with the record.
    moved = is_current and (guarantee.period_end != period_end or guarantee.completion_date != completion)
    if moved:
        period_end, completion = guarantee.period_end, guarantee.completion_date
        changes = [
            PeriodChange(
                effective_on=a.effective_on,
                completion_before=_iso_date(a.before.get("completion_date")),
                completion_after=_iso_date(a.after.get("completion_date")),
                reason=a.reason,
            )
            for a in selectors.period_changes_since(guarantee=guarantee, since=certificate.issued_at)
        ]
    title, _, name = certificate.surety_representative.partition(" ")
    return CertificatePresentation(
        guarantee=guarantee,
        certificate=certificate,
        versions=versions,
        is_current=is_current,
        period_end_shown=period_end,
        completion_date_shown=completion,
        period_moved=moved,
        period_changes=changes,
        cancelled_on=business_date(guarantee.cancelled_at) if guarantee.cancelled_at else None,
        representative_title=title if name else "",
        representative_name=name or title,
        shows_deposit_bank=certificate.kind in ADVANCE_KINDS,
    )
