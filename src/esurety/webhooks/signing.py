"""Webhook secrets (generated, stored encrypted) and the signature of each delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label that tells integrators what the string is


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hint(secret: str) -> str:
    """Enough to tell two secrets apart on the settings page, far too little to sign with."""
    return "…" + secret[-4:]


def _cipher() -> AESGCM:
    # Like the outbox attachments: ACCESS_KEY_SECRET outlives SECRET_KEY rotations.
    key = getattr(settings, "ACCESS_KEY_SECRET", "") or settings.SECRET_KEY
    return AESGCM(hashlib.sha256(f"esurety:webhook-secret:{key}".encode()).digest())


def secret_seal(secret: str, *, url: str) -> str:
    # The URL is bound in: a sealed secret copied onto another endpoint row does not open.
    nonce = os.urandom(12)
    sealed = nonce + _cipher().encrypt(nonce, secret.encode(), url.encode())
    return base64.b64encode(sealed).decode("ascii")


def secret_unseal(sealed: str, *, url: str) -> str:
    data = base64.b64decode(sealed)
    return _cipher().decrypt(data[:12], data[12:], url.encode()).decode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """X-Esurety-Signature: HMAC-SHA256 over "<timestamp>.<body>", so a replayed body with a new time fails."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
