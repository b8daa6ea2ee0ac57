"""Number + key → the certificate, for the beneficiary orderer only, under brute-force limits."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.accounts.ratelimit import Limit, is_blocked, record_failure, reset
from esurety.audit.services import audit_record
from esurety.core.errors import DomainError
from esurety.core.normalize import normalize_access_key, normalize_guarantee_number
from esurety.guarantees.models import Guarantee
from esurety.guarantees.services import access_key_verify
from esurety.parties.models import User
from esurety.verification.models import Receipt, ViewKind, ViewRecord

# A 10-character key from 24 symbols has ~10^13 values; these limits allow a
# few hundred guesses a day per number, so guessing is hopeless.
PER_USER = Limit("verify-user", max_attempts=10, window_seconds=900)
PER_ADDRESS = Limit("verify-ip", max_attempts=30, window_seconds=900)
PER_NUMBER = Limit("verify-number", max_attempts=10, window_seconds=3600)

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


def _beneficiary_of(number: str) -> int | None:
    return Guarantee.objects.filter(number=number).values_list("orderer_id", flat=True).first()


def certificate_verify(*, user: User, number: str, key: str, client_ip: str, now: dt.datetime) -> Receipt:
    """Check the pair; on success the certificate enters the orderer's 受領済み一覧."""
    if user.orderer_id is None or not user.is_active:
        raise VerificationRefused()
    number = normalize_guarantee_number(number)
    key = normalize_access_key(key)
    beneficiary_id = _beneficiary_of(number)
    # The per-number lock protects a number from guessing by others; the
    # beneficiary's own staff stay bounded by the per-user and per-address
    # limits, so an attacker cannot lock the rightful orderer out.
    number_lock = 0 if beneficiary_id == user.orderer_id else is_blocked(PER_NUMBER, number)
    wait = max(is_blocked(PER_USER, str(user.pk)), is_blocked(PER_ADDRESS, client_ip), number_lock)
    if wait:
        raise VerificationLocked(wait)

    guarantee = access_key_verify(number=number, key=key)
    if guarantee is None or guarantee.orderer_id != user.orderer_id:
        _record_failure(user=user, number=number, client_ip=client_ip, now=now)
        raise VerificationRefused()

    reset(PER_USER, str(user.pk))
    return _receipt_record(user=user, guarantee=guarantee, client_ip=client_ip, now=now)


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


@transaction.atomic
def _receipt_record(*, user: User, guarantee: Guarantee, client_ip: str, now: dt.datetime) -> Receipt:
    # get_or_create retries the read if a colleague's simultaneous first
    # verification inserted the row first, so exactly one first view is recorded.
    receipt, created = Receipt.objects.get_or_create(
        orderer_id=guarantee.orderer_id,  # == user.orderer_id, checked by the caller
        guarantee=guarantee,
        defaults={
            "first_verified_at": now,
            "first_verified_by": user,
            "last_verified_at": now,
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
    else:
        Receipt.objects.filter(pk=receipt.pk).update(last_verified_at=now, last_seen_version=guarantee.current_version)
        receipt.last_verified_at = now
        receipt.last_seen_version = guarantee.current_version
    ViewRecord.objects.create(
        receipt=receipt, user=user, at=now, version=guarantee.current_version, kind=ViewKind.VERIFY, client_ip=client_ip
    )
    return receipt


def receipt_record_view(*, receipt: Receipt, user: User, kind: str, client_ip: str, now: dt.datetime) -> ViewRecord:
    """A later look from the 受領済み一覧 (or a PDF): it marks the current version as seen."""
    if receipt.orderer_id != user.orderer_id:
        raise VerificationRefused()
    version = receipt.guarantee.current_version
    if receipt.last_seen_version != version:
        Receipt.objects.filter(pk=receipt.pk).update(last_seen_version=version)
        receipt.last_seen_version = version
    return ViewRecord.objects.create(
        receipt=receipt, user=user, at=now, version=version, kind=kind, client_ip=client_ip
    )
