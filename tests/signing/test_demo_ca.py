"""`manage.py signing_demo_ca` and the startup check for missing keys."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from esurety.signing import keys
from esurety.signing.checks import signing_keys_check
from esurety.signing.demo_ca import DEMO_CA_NAME
from tests import factories


def _run(directory: Path) -> str:
    out = io.StringIO()
    call_command("signing_demo_ca", "--dir", str(directory), stdout=out)
    return out.getvalue()


def _org(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value)


def test_demo_ca_command_creates_once_per_surety(db: None, tmp_path: Path) -> None:
    first, _ = factories.make_surety()
    second, _ = factories.make_surety("東日本建設業保証株式会社", first_number=3_000_000_001)

    output = _run(tmp_path)

    assert DEMO_CA_NAME in output
    ca = x509.load_pem_x509_certificate((tmp_path / "demo-ca.cert.pem").read_bytes())
    assert _org(ca) == DEMO_CA_NAME
    assert (tmp_path / "trust-roots.pem").read_bytes() == (tmp_path / "demo-ca.cert.pem").read_bytes()
    for surety in (first, second):
        cert = x509.load_pem_x509_certificate((tmp_path / f"surety-{surety.pk}.cert.pem").read_bytes())
        assert _org(cert) == surety.name
        assert cert.issuer == ca.subject
        usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
        assert usage.digital_signature and usage.content_commitment  # content_commitment = nonRepudiation
        key_file = tmp_path / f"surety-{surety.pk}.key.pem"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.pem")}
    assert "already present" in _run(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.pem")} == before


def test_demo_ca_command_refuses_outside_demo_and_tests(db: None, tmp_path: Path) -> None:
    with override_settings(SIGNING_DEMO=False), pytest.raises(CommandError, match="demo"):
        _run(tmp_path)
    assert not any(tmp_path.iterdir())


def test_startup_check_warns_about_sureties_without_keys(db: None, tmp_path: Path) -> None:
    surety, _ = factories.make_surety()
    with override_settings(SIGNING_DIR=tmp_path, SIGNING_DEMO=False):
        ids = {m.id for m in signing_keys_check()}
        assert ids == {"signing.W001", "signing.W002"}
        assert any(surety.name in m.msg for m in signing_keys_check())

    _run(tmp_path)
    with override_settings(SIGNING_DIR=tmp_path, SIGNING_DEMO=False):
        assert signing_keys_check() == []
        keys.surety_key_path(surety.pk).unlink()
        assert [m.id for m in signing_keys_check()] == ["signing.W002"]


def test_startup_check_is_silent_in_demo_and_tests(db: None, tmp_path: Path) -> None:
    factories.make_surety()
    with override_settings(SIGNING_DIR=tmp_path):
        assert signing_keys_check() == []


def test_long_company_names_fit_the_certificate(db: None, tmp_path: Path) -> None:
    # A common name holds at most 64 bytes; the organisation keeps the whole name.
    long_name = "北海道東北関東甲信越北陸中部近畿中国四国九州沖縄建設業信用保証株式会社"
    surety, _ = factories.make_surety(long_name)

    _run(tmp_path)

    cert = x509.load_pem_x509_certificate((tmp_path / f"surety-{surety.pk}.cert.pem").read_bytes())
    assert _org(cert) == long_name
    common_name = str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    assert common_name.endswith("（試験用）") and long_name.startswith(common_name.removesuffix("（試験用）"))
