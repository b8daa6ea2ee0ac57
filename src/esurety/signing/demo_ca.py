"""A throwaway demo CA and one signing certificate per surety, for `make demo` and the tests.

Never for production: settings.SIGNING_DEMO (on only in demo and test runs)
guards every function here. The CA's name says it is a test CA, so a PDF
signed by it can never pass for a real surety's document.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from esurety.parties.models import SuretyCompany
from esurety.signing import keys

DEMO_CA_NAME = "esurety デモ認証局（試験用）"
_CA_YEARS = 20
_LEAF_YEARS = 10


def _require_demo() -> None:
    if not settings.SIGNING_DEMO:
        raise ImproperlyConfigured(
            "The demo CA is only for demo and test runs (ESURETY_DEMO=1 or ESURETY_TESTING=1); "
            "production sureties install their own keys in SIGNING_DIR."
        )


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically with mode 0600: a reader never sees half a key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


@contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    # The demo's web workers and task worker may mint the same certificate at once.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (directory / ".demo-ca.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


_TEST_SUFFIX = "（試験用）"
_CN_MAX_BYTES = 64  # X.509 upper bound for a common name, counted by cryptography in UTF-8 bytes


def _fit(text: str, *, suffix: str) -> str:
    """text + suffix, shortening text so the whole fits a common name."""
    budget = _CN_MAX_BYTES - len(suffix.encode())
    while len(text.encode()) > budget:
        text = text[:-1]
    return text + suffix


def _name(*, organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ensure_ca(directory: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate, bool]:
    key_path, cert_path = directory / keys.DEMO_CA_KEY_FILE, directory / keys.DEMO_CA_CERT_FILE
    created = False
    if key_path.is_file() and cert_path.is_file():
        ca_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(ca_key, rsa.RSAPrivateKey)
        ca_cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    else:
        ca_key = _new_key()
        now = dt.datetime.now(dt.UTC)
        name = _name(organisation=DEMO_CA_NAME, common_name=DEMO_CA_NAME)
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * _CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(key_path, _pem_key(ca_key))
        _write_private(cert_path, _pem_cert(ca_cert))
        created = True
    roots = directory / keys.TRUST_ROOTS_FILE
    if not roots.is_file():
        _write_private(roots, _pem_cert(ca_cert))
    return ca_key, ca_cert, created


def demo_leaf_certificate(
    *,
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    key: rsa.RSAPrivateKey,
    organisation: str,
    common_name: str,
    time_stamping: bool = False,
) -> x509.Certificate:
    """A certificate issued by the demo CA: document signing, or time-stamping for a test TSA."""
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation=organisation, common_name=common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * _LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not time_stamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(ca_key, hashes.SHA256())


def _certificate_current(surety: SuretyCompany, directory: Path) -> bool:
    """Key and certificate exist and the certificate names the surety as it is called now.

    Test databases reuse primary keys for differently named sureties.
    """
    key_path, cert_path = directory / f"surety-{surety.pk}.key.pem", directory / f"surety-{surety.pk}.cert.pem"
    if not (key_path.is_file() and cert_path.is_file()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except ValueError:
        return False
    names = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return bool(names) and names[0].value == surety.name


def demo_certificate_ensure(surety: SuretyCompany, *, directory: Path | None = None) -> bool:
    """Mint the surety's demo key and certificate if it has none (or an outdated one); True if minted."""
    _require_demo()
    directory = directory or keys.signing_dir()
    with _directory_lock(directory):
        if _certificate_current(surety, directory):
            return False
        ca_key, ca_cert, _ = _ensure_ca(directory)
        key = _new_key()
        cert = demo_leaf_certificate(
            ca_key=ca_key,
            ca_cert=ca_cert,
            key=key,
            organisation=surety.name,
            common_name=_fit(surety.name, suffix=_TEST_SUFFIX),
        )
        _write_private(directory / f"surety-{surety.pk}.key.pem", _pem_key(key))
        _write_private(directory / f"surety-{surety.pk}.cert.pem", _pem_cert(cert))
    return True


def demo_ca_ensure(*, directory: Path | None = None) -> bool:
    """Create the demo CA (and trust-roots.pem) if missing; True if created."""
    _require_demo()
    directory = directory or keys.signing_dir()
    with _directory_lock(directory):
        return _ensure_ca(directory)[2]


def demo_ca_materials(*, directory: Path | None = None) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The demo CA's key and certificate (created if missing): tests issue extra certificates with it."""
    _require_demo()
    directory = directory or keys.signing_dir()
    with _directory_lock(directory):
        ca_key, ca_cert, _ = _ensure_ca(directory)
    return ca_key, ca_cert


def signing_ensure_demo_certificates(*, directory: Path | None = None) -> list[SuretyCompany]:
    """The demo CA plus a certificate for every surety that lacks one; returns the sureties minted for."""
    demo_ca_ensure(directory=directory)
    return [s for s in SuretyCompany.objects.order_by("pk") if demo_certificate_ensure(s, directory=directory)]
