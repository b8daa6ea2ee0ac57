"""Number + key → the certificate, for the beneficiary orderer only, under brute-force limits."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F, FilteredRelation, Q, QuerySet

from esurety.accounts.ratelimit import Check, Limit, check_all, record_failure, reset
from esurety.audit.services import audit_record
from esurety.core.errors import DomainError
from esurety.core.normalize import normalize_access_key, normalize_guarantee_number
from esurety.core.queries import FixedInsert, FixedQuery
from esurety.documents import pdf
from esurety.guarantees.events import guarantee_event_publish
from esurety.guarantees.models import Guarantee
from esurety.guarantees.presentation import certificate_presentation
from esurety.guarantees.services import key_check_of, number_and_key_query
from esurety.parties.models import User
from esurety.verification.models import Receipt, ViewKind, ViewRecord

# A 10-character key from 24 symbols has ~10^13 values; these limits allow a
# few hundred guesses a day per number, so guessing is hopeless.
PER_USER = Limit("verify-user", max_attempts=10, window_seconds=900)
PER_ADDRESS = Limit("verify-ip", max_attempts=30, window_seconds=900)
PER_NUMBER = Limit("verify-number", max_attempts=10, window_seconds=3600)
_USER, _ADDRESS = 0, 1  # positions of the per-user and per-address limits in certificate_verify's list

REFUSED_MESSAGE = (
    "保証契約番号または認証キーが正しくありません。受注者から提出された「認証キー等のお知らせ」をご確認ください。"
)


class VerificationRefused(DomainError):
    """Wrong number, wrong key, or another orderer's certificate: one answer for all."""

    def __init__(self) -> None:
        super().__init__(REFUSED_MESSAGE)


class VerificationLocked(DomainError):
    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(f"確認の失敗が続いたため、一時的に受付を停止しています。約{minutes}分後に再度お試しください。")
        self.seconds = seconds


def certificate_verify(*, user: User, number: str, key: str, client_ip: str, now: dt.datetime) -> Receipt:
    """Check the pair; on success the certificate enters the orderer's 受領済み一覧.

    This is the orderer's hot path: one query for number + key and the caller's receipt,
    one cache read for every limit, then the view record.
    """
    if user.orderer_id is None or not user.is_active:
        raise VerificationRefused()
    number = normalize_guarantee_number(number)
    key = normalize_access_key(key)
    row = _VERIFICATION.first(number=number, orderer_id=user.orderer_id)
    check = key_check_of(row, key)
    limits = [(PER_USER, str(user.pk)), (PER_ADDRESS, client_ip)]
    # The per-number lock protects a number from guessing by others; the
    # beneficiary's own staff stay bounded by the per-user limit (and by the
    # per-address one once they fail), so an attacker cannot lock the rightful
    # orderer out.
    if check.beneficiary_id != user.orderer_id:
        limits.append((PER_NUMBER, number))
    gate = check_all(limits)
    wait = _admitted_wait(gate)
    if wait:
        # Locked: the outcome of the key check is not used, whatever it was.
        raise VerificationLocked(wait)
    guarantee = check.guarantee
    if not check.matched or guarantee is None or guarantee.orderer_id != user.orderer_id:
        _record_failure(user=user, number=number, client_ip=client_ip, now=now)
        raise VerificationRefused()
    if _USER in gate.failed:
        reset(PER_USER, str(user.pk))
    return _receipt_record(user=user, guarantee=guarantee, receipt=_receipt_of(guarantee), client_ip=client_ip, now=now)


def _admitted_wait(gate: Check) -> int:
    """Seconds the caller must wait, or 0.

    Municipalities share outbound addresses (LGWAN): thirty failures by others
    behind one address must not shut out an orderer user who has not failed
    itself. So the per-address lock holds only users with failures of their own
    in the per-user window (or locked per user); a clean user passes it, and its
    first failure puts it under the address lock too. The per-user and
    per-number limits hold everyone as before. The decision reads only the
    counters, never the key check, so wrong number, wrong key and another
    orderer's certificate still get one answer.
    """
    clean = _USER not in gate.failed and gate.waits[_USER] == 0
    return max((w for i, w in enumerate(gate.waits) if not (i == _ADDRESS and clean)), default=0)


def _record_failure(*, user: User, number: str, client_ip: str, now: dt.datetime) -> None:
    locked = [
        name
        for name, limit, key in (
            ("user", PER_USER, str(user.pk)),
            ("address", PER_ADDRESS, client_ip),
            ("number", PER_NUMBER, number),
        )
        if record_failure(limit, key)
    ]
    if locked:
        # Surety staff see these alerts in the audit log (action verify.lockout).
        guarantee = Guarantee.objects.filter(number=number).only("pk", "surety_id").first()
        with transaction.atomic():
            audit_record(
                actor=user,
                action="verify.lockout",
                obj=guarantee if guarantee is not None else user,
                at=now,
                after={"limits": locked, "number": number, "client_ip": client_ip, "orderer_id": user.orderer_id},
                surety_id=guarantee.surety_id if guarantee is not None else None,
            )


def _stored_ip(client_ip: str) -> str | None:
    """The address for ViewRecord.client_ip, or None: the rate-limit key falls back to "unknown"
    without REMOTE_ADDR (a unix socket, some test clients), which PostgreSQL's inet refuses."""
    try:
        return str(ipaddress.ip_address(client_ip))
    except ValueError:
        return None


def _verification_query(number: str, orderer_id: int) -> QuerySet[Guarantee]:
    """number_and_key_query with the caller's own receipt of it, if any, LEFT JOINed as rec_* columns.

    (orderer, guarantee) is unique: at most one receipt per row. Another orderer's receipt never joins.
    """
    mine = FilteredRelation("receipts", condition=Q(receipts__orderer_id=orderer_id))
    return (
        number_and_key_query(number)
        .annotate(mine=mine)
        .annotate(
            rec_id=F("mine__id"),
            rec_first_verified_at=F("mine__first_verified_at"),
            rec_first_verified_by_id=F("mine__first_verified_by_id"),
            rec_last_seen_version=F("mine__last_seen_version"),
        )
    )


# Compiled once (the hot path of every verification): number, key and receipt in one round trip.
_VERIFICATION = FixedQuery(_verification_query, number="number-slot", orderer_id=-1)


def _receipt_of(row: Guarantee) -> Receipt | None:
    """The caller's receipt as the verification query read it (every column of the row), or None."""
    columns = vars(row)  # the query's rec_* annotations
    if columns.get("rec_id") is None:
        return None
    receipt = Receipt.from_db(
        DEFAULT_DB_ALIAS,
        ["id", "orderer_id", "guarantee_id", "first_verified_at", "first_verified_by_id", "last_seen_version"],
        [
            columns["rec_id"],
            row.orderer_id,  # the join's condition: the caller's orderer, here the beneficiary
            row.pk,
            columns["rec_first_verified_at"],
            columns["rec_first_verified_by_id"],
            columns["rec_last_seen_version"],
        ],
    )
    receipt.guarantee = row
    return receipt


def _receipt_record(
    *, user: User, guarantee: Guarantee, receipt: Receipt | None, client_ip: str, now: dt.datetime
) -> Receipt:
    """The receipt, its first-view audit entry (and webhook rows) and the view record: one commit.

    A repeat verification is a look at a received certificate (receipt_record_view): the hot case,
    an unchanged certificate, writes the view record only; a new version commits with it. A first
    one creates the receipt (audited, which locks the audit chain's head) with its view record.
    """
    if receipt is not None:
        # A repeat verification needs no audit entry; its time is in the view record.
        receipt_record_view(receipt=receipt, user=user, kind=ViewKind.VERIFY, client_ip=client_ip, now=now)
        return receipt
    with transaction.atomic():
        receipt = _receipt_create(user=user, guarantee=guarantee, now=now)
        receipt.guarantee = guarantee
        _view_record_create(receipt=receipt, user=user, kind=ViewKind.VERIFY, client_ip=client_ip, now=now)
    return receipt


# Every verification and every look writes one (the API's and the portal's hot paths).
_VIEW_RECORD = FixedInsert(ViewRecord, "receipt_id", "user_id", "at", "version", "kind", "client_ip")


def _view_record_create(*, receipt: Receipt, user: User, kind: str, client_ip: str, now: dt.datetime) -> None:
    """The look at the guarantee's current version (the receipt has just been brought up to it)."""
    _VIEW_RECORD(
        receipt_id=receipt.pk,
        user_id=user.pk,
        at=now,
        version=receipt.guarantee.current_version,
        kind=kind,
        client_ip=_stored_ip(client_ip),
    )


def _receipt_create(*, user: User, guarantee: Guarantee, now: dt.datetime) -> Receipt:
    # get_or_create re-reads if a colleague's simultaneous first verification
    # inserted the row first, so exactly one first view is recorded and audited.
    receipt, created = Receipt.objects.get_or_create(
        orderer_id=guarantee.orderer_id,  # == user.orderer_id, checked by the caller
        guarantee=guarantee,
        defaults={
            "first_verified_at": now,
            "first_verified_by": user,
            "last_seen_version": guarantee.current_version,
        },
    )
    if created:
        audit_record(
            actor=user,
            action="certificate.receive",
            obj=receipt,
            at=now,
            after={"number": guarantee.number, "version": guarantee.current_version},
            surety_id=guarantee.surety_id,
        )
        guarantee_event_publish(event="viewed", guarantee=guarantee, now=now, orderer=guarantee.orderer)
    return receipt


def receipt_record_view(*, receipt: Receipt, user: User, kind: str, client_ip: str, now: dt.datetime) -> None:
    """A later look from the 受領済み一覧 (or a PDF): it marks the current version as seen.

    A new version seen and its view record commit together; a look at a version already seen
    is the view record alone, one INSERT.
    """
    if receipt.orderer_id != user.orderer_id:
        raise VerificationRefused()
    version = receipt.guarantee.current_version
    if receipt.last_seen_version == version:
        _view_record_create(receipt=receipt, user=user, kind=kind, client_ip=client_ip, now=now)
        return
    with transaction.atomic():
        Receipt.objects.filter(pk=receipt.pk).update(last_seen_version=version)
        receipt.last_seen_version = version
        _view_record_create(receipt=receipt, user=user, kind=kind, client_ip=client_ip, now=now)


@dataclass(frozen=True)
class ViewedCopy:
    data: bytes
    filename: str
    fallback: str


def certificate_copy_for_viewer(
    *, receipt: Receipt, user: User, version: int | None, client_ip: str, now: dt.datetime
) -> ViewedCopy:
    """The orderer's 閲覧記録付き PDF (page and API): the view record and the signed copy, both or neither."""
    view = certificate_presentation(guarantee=receipt.guarantee, version=version)
    with transaction.atomic():
        receipt_record_view(receipt=receipt, user=user, kind=ViewKind.PDF, client_ip=client_ip, now=now)
        data = pdf.certificate_copy_pdf(
            certificate=view.certificate,
            viewer_label=f"{user.organisation_name} {user.display_name or user.get_username()}",
            viewed_at=now,
            orderer_name=receipt.orderer.name,
        )
    number, shown = receipt.guarantee.number, view.certificate.version
    return ViewedCopy(
        data=data, filename=f"電子証書閲覧記録_{number}_第{shown}版.pdf", fallback=f"certificate_{number}_v{shown}.pdf"
    )
