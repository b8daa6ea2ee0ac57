"""認証キー: generation, storage (HMAC + AES-GCM, never plain text) and checking."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

# No look-alikes: 0/O/D, 1/I/L, 2/Z, 5/S, 8/B are left out, so a key read
# aloud or retyped from a PDF is not mistyped.
ALPHABET = "34679ACEFGHJKMNPQRTUVWXY"
KEY_LENGTH = 10


def generate_key() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"esurety:{purpose}:{settings.ACCESS_KEY_SECRET}".encode()).digest()


def key_digest(key: str) -> str:
    """Keyed hash so that a leaked database alone does not allow offline guessing."""
    return hmac.new(_derived("access-key-hmac"), key.encode(), hashlib.sha256).hexdigest()


def keys_match(candidate_digest: str, stored_digest: str) -> bool:
    return hmac.compare_digest(candidate_digest.encode(), stored_digest.encode())


def encrypt_key(key: str, *, number: str) -> bytes:
    # The guarantee number is bound as associated data: a ciphertext copied to
    # another guarantee's row fails to decrypt.
    nonce = os.urandom(12)
    return nonce + AESGCM(_derived("access-key-aead")).encrypt(nonce, key.encode(), number.encode())


def decrypt_key(blob: bytes | memoryview, *, number: str) -> str:
    data = bytes(blob)
    return AESGCM(_derived("access-key-aead")).decrypt(data[:12], data[12:], number.encode()).decode()


def is_well_formed(key: str) -> bool:
    return len(key) == KEY_LENGTH and all(c in ALPHABET for c in key)
