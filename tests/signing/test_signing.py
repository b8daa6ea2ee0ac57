"""Every PDF esurety issues carries a PAdES signature of the issuing surety (issue 6)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from esurety.documents import pdf
from esurety.guarantees.models import Guarantee, StatementType
from esurety.parties.models import SuretyCompany
from esurety.signing import keys, validation
from esurety.signing.demo_ca import demo_certificate_ensure
from esurety.signing.models import DocumentKind, IssuedDocument
from esurety.signing.services import SIGNATURE_REASON, pdf_sign
from tests import factories
from tests.factories import amend_amount
from tests.signing.tsa import local_tsa

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def guarantee(world: factories.World) -> Guarantee:
    return factories.make_guarantee(world)


def _key_notice(g: Guarantee) -> bytes:
    return pdf.key_notice_pdf(guarantee=g, key="C7QK9MXT4A", issued_at=timezone.now())


def _certificate_copy(g: Guarantee) -> bytes:
    return pdf.certificate_copy_pdf(certificate=g.certificates.get(version=1))


def _premium_statement(g: Guarantee) -> bytes:
    return pdf.premium_statement_pdf(statement=g.premium_statements.get(statement_type=StatementType.PREMIUM_RECEIPT))


DOCUMENTS: list[tuple[Callable[[Guarantee], bytes], str, int | None]] = [
    (_key_notice, DocumentKind.KEY_NOTICE, 1),
    (_certificate_copy, DocumentKind.CERTIFICATE_COPY, 1),
    (_premium_statement, DocumentKind.PREMIUM_STATEMENT, None),
]


@pytest.mark.parametrize(("render", "kind", "version"), DOCUMENTS, ids=[k for _, k, _ in DOCUMENTS])
def test_each_document_is_signed_by_its_surety_and_registered(
    guarantee: Guarantee, render: Callable[[Guarantee], bytes], kind: str, version: int | None
) -> None:
    before = timezone.now()
    data = render(guarantee)

    report = validation.pdf_signature_check(data)
    assert report.valid, report.problem
    assert (report.signed, report.intact, report.trusted, report.problem) == (True, True, True, "")
    assert report.surety == guarantee.surety
    assert report.signer_name == "西日本建設業保証株式会社"
    assert report.signed_at is not None
    assert before - dt.timedelta(seconds=2) <= report.signed_at <= timezone.now() + dt.timedelta(seconds=2)
    assert not report.timestamped

    row = IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest())
    assert (row.kind, row.surety, row.guarantee, row.certificate_version) == (
        kind,
        guarantee.surety,
        guarantee,
        version,
    )
    assert row.size == len(data)
    assert not row.timestamped


def test_signature_dictionary_names_the_surety_and_reason(guarantee: Guarantee) -> None:
    reader = PdfFileReader(BytesIO(_key_notice(guarantee)))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == "esurety"
    sig_dict = signature.sig_object
    assert sig_dict["/Name"] == "西日本建設業保証株式会社"
    assert sig_dict["/Reason"] == SIGNATURE_REASON
    assert sig_dict["/Location"] == "大阪市西区立売堀二丁目1番2号"
    assert sig_dict["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    meta = reader.document_meta_view
    assert meta.author == "西日本建設業保証株式会社"
    assert "西日本建設業保証株式会社" in str(meta.subject)


def test_an_amended_version_records_its_version(world: factories.World, guarantee: Guarantee) -> None:
    amend_amount(
        guarantee=guarantee,
        guaranteed_amount=30_000_000,
        contract_price=guarantee.contract_price,
        effective_on=dt.date(2026, 5, 1),
        reason="設計変更",
        by=world.approver,
        now=timezone.now(),
    )
    v2 = guarantee.certificates.get(version=2)
    data = pdf.certificate_copy_pdf(certificate=v2)
    assert IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest()).certificate_version == 2


def _signed_range_offset(data: bytes) -> int:
    """An offset inside the first signed byte range, within a content stream (parses fine after the change)."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data)
    assert match
    first_length = int(match.group(2))
    stream = data.index(b"stream", len(data) // 4)
    offset = stream + 40
    assert offset < first_length
    return offset


def test_one_changed_byte_breaks_the_signature(guarantee: Guarantee) -> None:
    data = bytearray(_key_notice(guarantee))
    offset = _signed_range_offset(bytes(data))
    data[offset] ^= 0x01

    report = validation.pdf_signature_check(bytes(data))

    assert report.signed
    assert not report.intact
    assert not report.valid
    assert report.surety is None
    assert report.problem == validation.PROBLEM_ALTERED
    assert JAPANESE.search(report.problem)


def test_an_update_appended_after_signing_is_reported(guarantee: Guarantee) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(_key_notice(guarantee)))
    writer.document_meta.title = "差し替えられた題名"
    writer.update_root()
    out = BytesIO()
    writer.write(out)

    report = validation.pdf_signature_check(out.getvalue())

    assert report.signed and not report.intact and not report.valid
    assert report.problem == validation.PROBLEM_APPENDED


def test_unsigned_pdf_and_garbage_are_not_signed(guarantee: Guarantee) -> None:
    unsigned = pdf.render_document(
        document="key_notice",
        context={"number": guarantee.number},
        title="t",
        author="a",
        created=timezone.now(),
    )
    for data, problem in (
        (unsigned, validation.PROBLEM_UNSIGNED),
        (os.urandom(4096), validation.PROBLEM_NOT_PDF),
        (b"", validation.PROBLEM_NOT_PDF),
        (b"%PDF-1.7\n%%EOF", validation.PROBLEM_NOT_PDF),
    ):
        report = validation.pdf_signature_check(data)
        assert not report.signed and not report.valid
        assert report.problem == problem
        assert report.surety is None and report.signer_name == ""


def test_signature_by_a_key_outside_the_trust_root_is_not_trusted(
    guarantee: Guarantee, tmp_path: Path, settings: object
) -> None:
    # An impostor CA with the same name as the demo CA, certifying a key for the same company name.
    impostor_dir = tmp_path / "impostor"
    with override_settings(SIGNING_DIR=impostor_dir):
        demo_certificate_ensure(guarantee.surety, directory=impostor_dir)
        data = _key_notice(guarantee)

    report = validation.pdf_signature_check(data)

    assert report.signed and report.intact
    assert not report.trusted and not report.valid
    assert report.signer_name == "西日本建設業保証株式会社"
    assert report.surety is None
    assert report.problem == validation.PROBLEM_UNTRUSTED


def test_missing_key_fails_loudly_outside_demo_and_issues_nothing(guarantee: Guarantee, tmp_path: Path) -> None:
    with override_settings(SIGNING_DIR=tmp_path / "empty", SIGNING_DEMO=False):
        with pytest.raises(keys.SigningKeyMissing, match="西日本建設業保証株式会社") as raised:
            _key_notice(guarantee)
    assert f"surety-{guarantee.surety.pk}.key.pem" in str(raised.value)
    assert not IssuedDocument.objects.exists()


def test_a_replaced_certificate_still_identifies_the_documents_it_signed(guarantee: Guarantee) -> None:
    data = _key_notice(guarantee)
    keys.surety_cert_path(guarantee.surety.pk).unlink()
    demo_certificate_ensure(guarantee.surety)  # a new key and certificate, same CA

    report = validation.pdf_signature_check(data)

    assert report.valid
    assert report.surety == guarantee.surety
    new = validation.pdf_signature_check(_key_notice(guarantee))
    assert new.valid and new.surety == guarantee.surety
    assert IssuedDocument.objects.values("signer_fingerprint").distinct().count() == 2


def test_every_file_handed_out_is_in_the_registry(guarantee: Guarantee) -> None:
    # The same notice downloaded twice in the same second: two files, both traceable.
    rendered = pdf.render_document(document="key_notice", context={}, title="t", author="a", created=timezone.now())
    args = {"surety": guarantee.surety, "kind": DocumentKind.KEY_NOTICE, "guarantee": guarantee}
    with time_machine.travel(dt.datetime(2026, 4, 10, 9, 30, tzinfo=dt.UTC), tick=False):
        files = [pdf_sign(rendered, **args, certificate_version=1, now=timezone.now()) for _ in range(2)]
    for data in files:
        row = IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest())
        assert row.issued_at == dt.datetime(2026, 4, 10, 9, 30, tzinfo=dt.UTC)
        assert validation.pdf_signature_check(data).valid


def test_pdf_sign_rejects_unknown_kinds_and_unsaved_sureties(guarantee: Guarantee) -> None:
    rendered = pdf.render_document(document="key_notice", context={}, title="t", author="a", created=timezone.now())
    common = {"guarantee": None, "certificate_version": None, "now": timezone.now()}
    with pytest.raises(ValueError):
        pdf_sign(rendered, surety=guarantee.surety, kind="nonsense", **common)
    with pytest.raises(ValueError, match="saved surety"):
        pdf_sign(rendered, surety=SuretyCompany(name="未保存"), kind=DocumentKind.KEY_NOTICE, **common)
    assert not IssuedDocument.objects.exists()


def test_timestamped_signature_with_a_local_tsa(guarantee: Guarantee) -> None:
    with local_tsa() as url, override_settings(SIGNING_TSA_URL=url):
        data = _key_notice(guarantee)

    report = validation.pdf_signature_check(data)

    assert report.valid, report.problem
    assert report.timestamped
    assert report.signed_at is not None
    assert abs(report.signed_at - timezone.now()) < dt.timedelta(minutes=1)
    assert IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest()).timestamped


def test_tsa_outage_still_issues_a_signed_document(guarantee: Guarantee, caplog: pytest.LogCaptureFixture) -> None:
    with override_settings(SIGNING_TSA_URL="http://127.0.0.1:9/", SIGNING_TSA_TIMEOUT=2):
        data = _key_notice(guarantee)

    report = validation.pdf_signature_check(data)

    assert report.valid and not report.timestamped
    assert not IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest()).timestamped
    assert "time-stamping service" in caplog.text
