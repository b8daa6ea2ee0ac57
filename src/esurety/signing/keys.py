"""Where the signing keys and the trust roots live (settings.SIGNING_DIR).

File layout, one directory, never in the repository (var/ is gitignored):

- ``surety-<pk>.key.pem``   the private key of SuretyCompany <pk> (PEM, unencrypted PKCS#8;
                            protect the directory, mode 0700, files 0600)
- ``surety-<pk>.cert.pem``  its signing certificate, followed by any intermediate CA certificates
- ``trust-roots.pem``       the CA certificate(s) a signature must chain to (and the roots of the
                            TSA when SIGNING_TSA_URL is set)
- ``demo-ca.key.pem`` / ``demo-ca.cert.pem``  only with the throwaway demo CA (demo and tests)

Files are keyed by the surety's primary key, not its name: a company that
changes its name keeps its files (the system check reports the outdated
subject so a new certificate gets ordered).

Parsed files are cached per process and re-read when a file changes, so a
renewed certificate is picked up without a restart.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from esurety.parties.models import SuretyCompany

TRUST_ROOTS_FILE = "trust-roots.pem"
DEMO_CA_KEY_FILE = "demo-ca.key.pem"
DEMO_CA_CERT_FILE = "demo-ca.cert.pem"


class SigningKeyMissing(ImproperlyConfigured):
    """A surety has no usable key or certificate: esurety refuses to issue unsigned PDFs."""


def signing_dir() -> Path:
    return Path(settings.SIGNING_DIR)


def surety_key_path(surety_id: int) -> Path:
    return signing_dir() / f"surety-{surety_id}.key.pem"


def surety_cert_path(surety_id: int) -> Path:
    return signing_dir() / f"surety-{surety_id}.cert.pem"


def trust_roots_path() -> Path:
    return signing_dir() / TRUST_ROOTS_FILE


def fingerprint(cert: asn1_x509.Certificate) -> str:
    """SHA-256 of the certificate's DER encoding, lowercase hex."""
    return hashlib.sha256(cert.dump()).hexdigest()


def subject_name(cert: asn1_x509.Certificate) -> str:
    """Organisation (else common name) of the subject, as a validator shows it."""
    names = cert.subject.native
    return str(names.get("organization_name") or names.get("common_name") or "")


# ---------------------------------------------------------------------------
# Per-process cache keyed by the files' identity (path, mtime, size)
# ---------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Any] = {}


def _stamp(*paths: Path) -> tuple[Any, ...] | None:
    stamps: list[Any] = []
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def _certs_in(path: Path) -> list[asn1_x509.Certificate]:
    return list(load_certs_from_pemder_data(path.read_bytes()))


class _PreloadedKeySigner(SimpleSigner):
    """SimpleSigner with the private key parsed once.

    pyHanko's SimpleSigner parses the key again for every raw signature, twice per
    PDF (size estimate + signature); for RSA that includes the key consistency check,
    about 45 ms each on this machine: most of the cost of signing a notice.
    """

    def __init__(self, *, private_key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        digest = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), digest)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        signature: bytes = super().sign_raw(data, digest_algorithm)
        return signature


@dataclass(frozen=True)
class SuretyCredentials:
    signer: SimpleSigner
    certificate: asn1_x509.Certificate
    fingerprint: str


def surety_credentials(surety: SuretyCompany) -> SuretyCredentials:
    """The surety's signer, loaded from SIGNING_DIR; raises SigningKeyMissing when it has none."""
    key_path, cert_path = surety_key_path(surety.pk), surety_cert_path(surety.pk)
    stamp = _stamp(key_path, cert_path)
    if stamp is None:
        raise SigningKeyMissing(
            f"No signing key for surety {surety.pk} ({surety.name}): expected {key_path} and {cert_path}. "
            "esurety does not issue unsigned PDFs; install the surety's key and certificate "
            "(demo and development: manage.py signing_demo_ca)."
        )
    cache_key = ("surety", stamp)
    with _lock:
        cached = _cache.get(cache_key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    try:
        key: asn1_keys.PrivateKeyInfo = load_private_key_from_pemder_data(key_path.read_bytes(), passphrase=None)
        certs = _certs_in(cert_path)
        private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyMissing(f"Unreadable signing key or certificate for surety {surety.pk}: {exc}") from exc
    if not certs:
        raise SigningKeyMissing(f"{cert_path} holds no certificate.")
    leaf, chain = certs[0], certs[1:]
    public_key = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if leaf.public_key.dump() != public_key:
        raise SigningKeyMissing(f"{key_path} and {cert_path} do not belong together (different public keys).")
    registry = SimpleCertificateStore.from_certs([leaf, *chain])  # type: ignore[no-untyped-call]
    signer = _PreloadedKeySigner(private_key=private_key, signing_cert=leaf, signing_key=key, cert_registry=registry)
    credentials = SuretyCredentials(signer=signer, certificate=leaf, fingerprint=fingerprint(leaf))
    with _lock:
        _cache[cache_key] = credentials
    return credentials


def trust_roots() -> list[asn1_x509.Certificate]:
    """The configured trust roots; empty when trust-roots.pem is missing (then nothing validates as trusted)."""
    path = trust_roots_path()
    stamp = _stamp(path)
    if stamp is None:
        return []
    cache_key = ("roots", stamp)
    with _lock:
        cached = _cache.get(cache_key)
    if cached is None:
        cached = _certs_in(path)
        with _lock:
            _cache[cache_key] = cached
    return list(cached)


def configured_surety_fingerprints() -> dict[str, int]:
    """Fingerprint of each surety-<pk>.cert.pem leaf in SIGNING_DIR -> surety pk."""
    found: dict[str, int] = {}
    for path in sorted(signing_dir().glob("surety-*.cert.pem")):
        pk_text = path.name.removeprefix("surety-").removesuffix(".cert.pem")
        if not pk_text.isdigit():
            continue
        stamp = _stamp(path)
        if stamp is None:
            continue
        cache_key = ("leaf", stamp)
        with _lock:
            leaf_fp = _cache.get(cache_key)
        if leaf_fp is None:
            try:
                certs = _certs_in(path)
            except (OSError, ValueError):
                continue
            if not certs:
                continue
            leaf_fp = fingerprint(certs[0])
            with _lock:
                _cache[cache_key] = leaf_fp
        found[leaf_fp] = int(pk_text)
    return found
