"""Two-factor login for surety staff: TOTP (RFC 6238, HMAC-SHA1, 6 digits, 30-second steps).

Implemented here with hmac (a few lines, tested against the RFC's own test
vectors) rather than another dependency. A code is accepted for the current
step and one step either side (clock drift of a phone), and never twice: the
step of the last accepted code is stored, and only later steps pass.

The shared secret is stored encrypted with AES-GCM, bound to the user's id,
and never written to a log.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
import struct
import unicodedata
from urllib.parse import quote, urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction

from esurety.accounts import ratelimit
from esurety.accounts.models import StaffTotp
from esurety.audit.services import audit_record
from esurety.core.errors import DomainError
from esurety.parties.models import User
from esurety.parties.permissions import can_reset_second_factor, is_active_staff

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
ISSUER = "esurety"

# Six digits are guessable by brute force without a limit: 5 wrong codes in
# 15 minutes lock the second step for that user for 15 minutes.
TOTP_PER_USER = ratelimit.Limit("totp-user", max_attempts=5, window_seconds=15 * 60)


# -- RFC 4226 / 6238 ---------------------------------------------------------------------------


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def time_step(at: dt.datetime | float) -> int:
    seconds = at.timestamp() if isinstance(at, dt.datetime) else at
    return int(seconds // STEP_SECONDS)


def totp(key: bytes, at: dt.datetime | float, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    return hotp(key, time_step(at), digits=digits, digest=digest)


def matching_step(key: bytes, code: str, at: dt.datetime, *, after_step: int | None) -> int | None:
    """The step (now ± 1) whose code equals `code` and that is later than `after_step`; None if none."""
    now_step = time_step(at)
    found = None
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        # Compare every candidate, in constant time, so timing does not tell which one matched.
        if hmac.compare_digest(hotp(key, step), code) and (after_step is None or step > after_step):
            found = step
    return found


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def secret_text(secret: bytes) -> str:
    """Base32 without padding, in groups of four, as authenticator apps accept it typed."""
    raw = base64.b32encode(secret).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def provisioning_uri(secret: bytes, *, account: str) -> str:
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {
            "secret": base64.b32encode(secret).decode().rstrip("="),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def normalize_code(raw: str) -> str:
    return "".join(unicodedata.normalize("NFKC", raw or "").split()).replace("-", "")


# -- storage -----------------------------------------------------------------------------------


def _aead() -> AESGCM:
    # The data secret of the deployment (as for access keys), under its own purpose label.
    key = hashlib.sha256(f"esurety:staff-totp:{settings.ACCESS_KEY_SECRET}".encode()).digest()
    return AESGCM(key)


def _encrypt(secret: bytes, *, user_id: int) -> bytes:
    nonce = os.urandom(12)
    return nonce + _aead().encrypt(nonce, secret, f"user:{user_id}".encode())


def _decrypt(blob: bytes | memoryview, *, user_id: int) -> bytes:
    data = bytes(blob)
    return _aead().decrypt(data[:12], data[12:], f"user:{user_id}".encode())


def confirmed_device(user: User) -> StaffTotp | None:
    return StaffTotp.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_totp(user: User) -> bool:
    return StaffTotp.objects.filter(user=user, confirmed_at__isnull=False).exists()


class TotpLocked(DomainError):
    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            f"確認コードの誤りが続いたため、一時的に受付を停止しています。約{minutes}分後に再度お試しください。"
        )
        self.seconds = seconds


WRONG_CODE = "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。"


def _require_not_locked(user: User, at: dt.datetime) -> None:
    wait = ratelimit.is_blocked(TOTP_PER_USER, str(user.pk), now=at.timestamp())
    if wait:
        raise TotpLocked(wait)


def _count_failure(user: User, at: dt.datetime) -> DomainError:
    # Called outside the transaction: with the database cache, a failure counted
    # inside a transaction that then rolls back would not count at all.
    wait = ratelimit.record_failure(TOTP_PER_USER, str(user.pk), now=at.timestamp())
    return TotpLocked(wait) if wait else DomainError(WRONG_CODE)


def _step_of(code: str, secret: bytes, *, after_step: int | None, at: dt.datetime) -> int | None:
    code = normalize_code(code)
    if not (code.isdigit() and len(code) == DIGITS):
        return None
    return matching_step(secret, code, at, after_step=after_step)


# -- services ----------------------------------------------------------------------------------


@transaction.atomic
def totp_enrol_start(*, user: User, now: dt.datetime, renew: bool = False) -> bytes:
    """The secret being set up (kept across page reloads so a scanned QR stays valid); a new one if renew."""
    if not is_active_staff(user):
        raise DomainError("二要素認証は保証会社の職員のみ登録できます。")
    device = StaffTotp.objects.select_for_update().filter(user=user).first()
    if device is None:
        device = StaffTotp.objects.create(user=user, created_at=now)
    if device.pending_ciphertext is not None and not renew:
        try:
            return _decrypt(device.pending_ciphertext, user_id=user.pk)
        except InvalidTag:
            pass  # the data secret changed: start afresh
    secret = new_secret()
    device.pending_ciphertext = _encrypt(secret, user_id=user.pk)
    device.save(update_fields=["pending_ciphertext"])
    return secret


def totp_enrol_confirm(*, user: User, code: str, now: dt.datetime) -> StaffTotp:
    """A code from the new secret proves the app has it: the new secret replaces any old one."""
    _require_not_locked(user, now)
    device = _enrol_confirm(user=user, code=code, now=now)
    if device is None:
        raise _count_failure(user, now)
    ratelimit.reset(TOTP_PER_USER, str(user.pk))
    return device


@transaction.atomic
def _enrol_confirm(*, user: User, code: str, now: dt.datetime) -> StaffTotp | None:
    device = StaffTotp.objects.select_for_update().filter(user=user).first()
    if device is None or device.pending_ciphertext is None:
        raise DomainError("登録を最初からやり直してください。")
    step = _step_of(code, _decrypt(device.pending_ciphertext, user_id=user.pk), after_step=None, at=now)
    if step is None:
        return None
    renewed = device.confirmed_at is not None
    device.secret_ciphertext = device.pending_ciphertext
    device.pending_ciphertext = None
    device.confirmed_at = now
    device.last_step = step
    device.save(update_fields=["secret_ciphertext", "pending_ciphertext", "confirmed_at", "last_step"])
    audit_record(
        actor=user,
        action="user.totp_enrol",
        obj=user,
        at=now,
        after={"totp": "renewed" if renewed else "enrolled"},
        surety_id=user.surety_id,
    )
    return device


def totp_verify_login(*, user: User, code: str, now: dt.datetime) -> None:
    """The second step of a staff login. Raises DomainError (TotpLocked when locked) if the code is refused."""
    _require_not_locked(user, now)
    if not _consume_code(user=user, code=code, now=now):
        raise _count_failure(user, now)
    ratelimit.reset(TOTP_PER_USER, str(user.pk))


@transaction.atomic
def _consume_code(*, user: User, code: str, now: dt.datetime) -> bool:
    # The row lock makes two requests with the same code take turns: only the first can use it.
    device = StaffTotp.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None or device.secret_ciphertext is None:
        raise DomainError("二要素認証が登録されていません。")
    step = _step_of(code, _decrypt(device.secret_ciphertext, user_id=user.pk), after_step=device.last_step, at=now)
    if step is None:
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@transaction.atomic
def totp_reset(*, by: User, user: User, now: dt.datetime) -> None:
    """An administrator removes a colleague's authenticator (lost phone); they set it up again at next login."""
    if not can_reset_second_factor(by, of=user):
        raise DomainError("二要素認証を解除できるのは、同じ保証会社の管理者のみです。")
    device = StaffTotp.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is None:
        raise DomainError("この職員は二要素認証を登録していません。")
    device.delete()
    audit_record(
        actor=by,
        action="user.totp_reset",
        obj=user,
        at=now,
        before={"totp": "enrolled"},
        after={"totp": "removed"},
        surety_id=by.surety_id,
    )
