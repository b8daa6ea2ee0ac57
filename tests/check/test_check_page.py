"""書類の真正性確認 (/check/): anyone uploads a PDF and learns whether esurety issued exactly this file."""

from __future__ import annotations

import hashlib
import logging
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from esurety.advances import services as advances
from esurety.check.forms import MAX_UPLOAD_BYTES, NOT_PDF_MESSAGE, TOO_COMPLEX_MESSAGE, TOO_LARGE_MESSAGE
from esurety.check.views import CHECK_PER_ADDRESS
from esurety.documents import advance_pdf, pdf
from esurety.guarantees import services
from esurety.guarantees.models import Guarantee
from esurety.signing import sandbox
from esurety.signing.models import IssuedDocument
from tests.factories import (
    ADVANCE_NOW,
    World,
    accept_statement,
    amend_amount,
    make_advance_world,
    make_guarantee,
    ready_account,
    request,
    submit_statement,
)
from tests.signing import hostile_pdfs

KEY = "C7QK9MXT4A"


@pytest.fixture
def guarantee(world: World) -> Guarantee:
    return make_guarantee(world)


def upload(
    data: bytes, *, name: str = "document.pdf", client: Client | None = None, ip: str = "192.0.2.10"
) -> tuple[int, str]:
    response = (client or Client()).post(
        "/check/", {"document": SimpleUploadedFile(name, data, content_type="application/pdf")}, REMOTE_ADDR=ip
    )
    return response.status_code, response.content.decode()


def row(page: str, label: str) -> str:
    """The text of the result table's row ``label``, tags and spacing removed."""
    match = re.search(rf"<th scope=\"row\">{label}</th>\s*<td[^>]*>(.*?)</td>", page, re.DOTALL)
    assert match, f"no row {label}"
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", match.group(1)))


def test_page_is_public_and_has_the_upload_form(db: None) -> None:
    response = Client().get("/check/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "電子保証書類の真正性確認" in page
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "check/check.js" in page
    assert "<script>" not in page  # no inline script


def test_signed_key_notice_is_genuine_and_current(world: World, guarantee: Guarantee) -> None:
    data = pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=timezone.now())
    status, page = upload(data)
    assert status == 200
    assert "esurety で発行した書類そのものです" in page
    assert row(page, "署名").startswith("有効")
    assert row(page, "署名者").startswith("西日本建設業保証株式会社")
    assert row(page, "登録簿との照合").startswith("一致（")
    assert row(page, "書類の種類") == "認証キー等のお知らせ"
    assert row(page, "保証契約番号") == guarantee.number
    assert row(page, "版") == "第1版"
    assert row(page, "保証契約の状態").startswith("有効現在も有効です")


def test_copy_of_version_1_after_an_amendment_names_the_newer_version(world: World, guarantee: Guarantee) -> None:
    copy_v1 = pdf.certificate_copy_pdf(certificate=guarantee.certificates.get(version=1))
    amend_amount(
        guarantee=guarantee,
        by=world.clerk,
        contract_price=120_000_000,
        guaranteed_amount=48_000_000,
        effective_on=guarantee.contract_date,
        reason="設計変更",
        now=timezone.now(),
    )
    status, page = upload(copy_v1)
    assert status == 200
    assert row(page, "登録簿との照合").startswith("一致")
    assert row(page, "書類の種類") == "保証証書（閲覧用控え）"
    assert row(page, "版") == "第1版"
    state = row(page, "保証契約の状態")
    assert state.startswith("変更あり")
    assert "第2版が発行されています" in state


def test_after_cancellation_the_document_says_cancelled(world: World, guarantee: Guarantee) -> None:
    data = pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=timezone.now())
    services.guarantee_cancel(guarantee=guarantee, by=world.approver, reason="契約解除", now=timezone.now())
    _, page = upload(data)
    state = row(page, "保証契約の状態")
    assert state.startswith("解約")
    assert "解約されています" in state


def test_one_changed_byte_breaks_the_signature_and_the_registry_match(world: World, guarantee: Guarantee) -> None:
    data = bytearray(pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=timezone.now()))
    # A byte of the rendered page, well inside the signed range.
    data[len(data) // 3] ^= 0x01
    status, page = upload(bytes(data))
    assert status == 200
    assert "esurety が発行した書類であることを確認できません" in page
    assert row(page, "署名").startswith("無効：")
    assert row(page, "登録簿との照合").startswith("一致しない")
    # Nothing from the registry for a file esurety did not issue.
    assert guarantee.number not in page
    assert "保証契約の状態" not in page and "書類の種類" not in page


def test_a_signed_file_esurety_did_not_register_does_not_match(world: World, guarantee: Guarantee) -> None:
    data = pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=timezone.now())
    IssuedDocument.objects.all().delete()
    _, page = upload(data)
    assert row(page, "署名").startswith("有効")
    assert row(page, "登録簿との照合").startswith("一致しない")
    assert "esurety が発行した書類であることを確認できません" in page
    assert guarantee.number not in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 not a pdf at all", "notice.docx", NOT_PDF_MESSAGE),
        (b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES, "huge.pdf", TOO_LARGE_MESSAGE),
        (b"", "empty.pdf", "選択されたファイルは空です"),
    ],
    ids=["not_pdf", "too_large", "empty"],
)
def test_bad_uploads_get_a_japanese_message_and_a_4xx(db: None, data: bytes, name: str, message: str) -> None:
    status, page = upload(data, name=name)
    assert status == 400
    assert message in page
    assert "確認結果" not in page


def test_missing_file_asks_for_one(db: None) -> None:
    response = Client().post("/check/", {}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 400
    assert "確認するPDFファイルを選択してください。" in response.content.decode()


def test_garbage_that_starts_like_a_pdf_is_invalid_not_an_error(db: None) -> None:
    status, page = upload(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert status == 200
    assert row(page, "署名").startswith("無効：")
    assert row(page, "登録簿との照合").startswith("一致しない")


def test_uploads_are_limited_per_address(world: World, guarantee: Guarantee) -> None:
    data = pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=timezone.now())
    for _ in range(CHECK_PER_ADDRESS.max_attempts):
        status, _ = upload(b"not a pdf", ip="198.51.100.7")
        assert status == 400
    status, page = upload(data, ip="198.51.100.7")
    assert status == 429
    assert "受付を一時停止しています" in page
    assert "確認結果" not in page  # the signature was not even checked
    # Another address is not affected.
    status, page = upload(data, ip="198.51.100.8")
    assert status == 200 and "確認結果" in page


def test_a_post_without_the_csrf_token_is_refused(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/check/", {"document": SimpleUploadedFile("a.pdf", b"%PDF-1.7\n")})
    assert response.status_code == 403


def test_the_form_posts_with_its_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/check/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/check/",
        {"csrfmiddlewaretoken": token.group(1), "document": SimpleUploadedFile("a.txt", b"hello")},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 400
    assert NOT_PDF_MESSAGE in response.content.decode()


def test_38000_signature_fields_get_a_japanese_400_one_log_line_and_little_cpu(
    world: World, guarantee: Guarantee, caplog: pytest.LogCaptureFixture
) -> None:
    # Reported: 22 s of CPU per upload, two at once and both web workers were killed.
    signed = pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=timezone.now())
    hostile = hostile_pdfs.many_signature_fields(hostile_pdfs.cms_of(signed), 38_000)
    before = hostile_pdfs.check_cpu_seconds()

    with caplog.at_level(logging.INFO):
        status, page = upload(hostile, name="hostile.pdf")

    assert hostile_pdfs.check_cpu_seconds() - before < 1.5  # the upload and the page included
    assert status == 400
    assert TOO_COMPLEX_MESSAGE in page
    assert "確認結果" not in page
    assert [(r.levelno, r.exc_info) for r in caplog.records] == [(logging.WARNING, None)]
    assert "more than 20 /Sig tokens" in caplog.records[0].getMessage()


def test_a_file_that_only_parsing_reveals_is_stopped_at_the_cpu_limit(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    hostile = hostile_pdfs.huge_array(2_400_000)  # 5 MB; 12 s to parse in one process
    upload(b"%PDF-1.7\n", ip="192.0.2.99")  # starts the sandbox's helper outside the measurement
    before = hostile_pdfs.check_cpu_seconds()
    started = time.monotonic()

    with caplog.at_level(logging.INFO):
        status, page = upload(hostile, name="hostile.pdf")

    assert time.monotonic() - started < sandbox.WALL_SECONDS + 2
    assert hostile_pdfs.check_cpu_seconds() - before < sandbox.CPU_SECONDS + 1
    assert status == 400
    assert TOO_COMPLEX_MESSAGE in page
    assert [(r.levelno, r.exc_info) for r in caplog.records] == [(logging.WARNING, None)]


def test_opening_the_page_starts_the_checker_before_the_upload(db: None) -> None:
    sandbox._helper.stop()
    started = time.monotonic()
    assert Client().get("/check/").status_code == 200
    assert time.monotonic() - started < 1  # not waiting for the helper's imports
    process = sandbox._helper.process
    assert process is not None and process.poll() is None


def test_a_use_statement_pdf_names_its_version_and_whether_a_later_one_replaced_it(world: World) -> None:
    aw = make_advance_world(world)
    v1 = accept_statement(aw, submit_statement(aw))
    v1_pdf = advance_pdf.use_statement_pdf(statement=v1, now=ADVANCE_NOW)
    _, page = upload(v1_pdf)
    assert row(page, "書類の種類") == "前払金使途内訳明細書"
    assert row(page, "明細書の版") == "第1版（現在承認されている版です。）"

    # 使途変更: version 2 is drafted, then accepted; version 1's file says it was replaced.
    v2 = advances.use_statement_change(
        account=aw.account, by=world.contractor_user, reason="支払先の決定", now=ADVANCE_NOW
    )
    v2_draft_pdf = advance_pdf.use_statement_pdf(statement=v2, now=ADVANCE_NOW)
    _, page = upload(v2_draft_pdf)
    assert row(page, "明細書の版") == "第2版（この版は承認前です（下書き）。現在承認されている版は第1版です。）"
    advances.use_statement_submit(statement=v2, by=world.contractor_user, now=ADVANCE_NOW)
    accept_statement(aw, v2)
    _, page = upload(v1_pdf)
    assert row(page, "明細書の版") == "第1版（この版の後に使途変更があり、第2版が承認されています。）"
    assert '<th scope="row">版</th>' not in page  # not a certificate's version
    issued = IssuedDocument.objects.get(sha256=hashlib.sha256(v1_pdf).hexdigest())
    assert (issued.kind, issued.statement_version, issued.certificate_version) == ("use_statement", 1, None)


def test_a_withdrawal_request_pdf_names_the_statement_version_it_was_made_against(world: World) -> None:
    aw = ready_account(world)
    w = request(aw, amount=1_234_000)
    data = advance_pdf.withdrawal_request_pdf(withdrawal=w, now=ADVANCE_NOW)
    _, page = upload(data)
    assert row(page, "書類の種類") == "前払金払出依頼書"
    assert row(page, "保証契約番号") == aw.guarantee.number
    assert row(page, "明細書の版") == "第1版（現在承認されている版です。）"
    assert IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest()).statement_version == 1
