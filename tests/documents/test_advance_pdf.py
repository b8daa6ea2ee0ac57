"""前払金使途内訳明細書 and 前払金払出依頼書 as signed PDFs: read back, registered, accepted by /check/.

Set DOCS_PDF_DIR=/some/dir to keep the generated files for a visual check.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from esurety.advances import services as advances
from esurety.documents import advance_pdf
from esurety.signing.models import DocumentKind, IssuedDocument
from esurety.signing.validation import pdf_signature_check
from tests.factories import (
    ADVANCE_NOW,
    AdvanceWorld,
    World,
    accept_statement,
    deposit_advance,
    make_advance_world,
    request,
    submit_statement,
    use_line,
)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    keep = os.environ.get("DOCS_PDF_DIR")
    path = Path(keep) if keep else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


def _fonts(path: Path) -> set[str]:
    rows = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = set()
    for row in rows.splitlines()[2:]:
        cols = row.split()
        assert cols[-5] == "yes", f"font not embedded: {row}"
        fonts.add(cols[0].split("+", 1)[-1])
    return fonts


def _check(data: bytes) -> str:
    response = Client().post(
        "/check/",
        {"document": SimpleUploadedFile("d.pdf", data, content_type="application/pdf")},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", response.content.decode()))


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return make_advance_world(world)


def test_use_statement_versions_are_signed_registered_and_checkable(aw: AdvanceWorld, out_dir: Path) -> None:
    v1 = accept_statement(aw, submit_statement(aw))
    data = advance_pdf.use_statement_pdf(statement=v1, now=ADVANCE_NOW)
    path = out_dir / "use_statement_v1.pdf"
    path.write_bytes(data)

    text = _text(path)
    assert "前払金使途内訳明細書" in text
    assert aw.guarantee.number in text and "第1版" in text
    assert "〇〇道路改良工事" in text and "株式会社〇〇建設" in text
    assert "〇〇銀行▲▲支店" in text and "1234567" in text
    assert "40,000,000" in text and "15,000,000" in text and "株式会社□□工業" in text
    # The 未定 line is called so, with what it holds; proofs are named per line.
    assert "未定" in text and "うち支払先未定10,000,000円" in text
    assert "請求書" in text and "下請契約書" in text
    assert "承認済" in text and "西日本建設業保証株式会社" in text
    assert _fonts(path) and all(f.startswith("IPAex") for f in _fonts(path))

    signature = pdf_signature_check(data)
    assert signature.valid, signature.problem
    issued = IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest())
    assert issued.kind == DocumentKind.USE_STATEMENT
    assert issued.guarantee_id == aw.guarantee.pk and issued.surety_id == aw.world.surety.pk

    page = _check(data)
    assert "esuretyで発行した書類そのものです" in page
    assert "前払金使途内訳明細書" in page and aw.guarantee.number in page

    # 使途変更: version 2 has its own document; version 1 still renders, marked as replaced.
    v2 = advances.use_statement_change(
        account=aw.account, by=aw.world.contractor_user, reason="支払先の決定", now=ADVANCE_NOW
    )
    lines = [
        use_line(x.category, x.amount, x.payee_name or "株式会社◇◇建材", line_no=x.line_no) for x in v2.lines.all()
    ]
    advances.use_statement_update_draft(statement=v2, by=aw.world.contractor_user, lines=lines, now=ADVANCE_NOW)
    path2 = out_dir / "use_statement_v2_draft.pdf"
    path2.write_bytes(advance_pdf.use_statement_pdf(statement=v2, now=ADVANCE_NOW))
    text2 = _text(path2)
    assert "（使途変更）" in text2 and "第2版" in text2 and "支払先の決定" in text2 and "株式会社◇◇建材" in text2
    assert "下書き" in text2

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert advance_pdf.use_statement_filename(v1) == f"前払金使途内訳明細書_{aw.guarantee.number}_第1版.pdf"


def test_withdrawal_request_is_signed_registered_and_checkable(aw: AdvanceWorld, out_dir: Path) -> None:
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    w = request(aw, amount=1_234_000)
    data = advance_pdf.withdrawal_request_pdf(withdrawal=w, now=ADVANCE_NOW)
    path = out_dir / "withdrawal_request.pdf"
    path.write_bytes(data)

    text = _text(path)
    assert "前払金払出依頼書" in text and w.number in text
    assert "〇〇銀行▲▲支店御中" in text
    assert "1,234,000" in text
    assert "株式会社△△資材" in text and "□□信用金庫" in text and "7654321" in text and "カ)サンカクシザイ" in text
    assert "材料費" in text and "依頼中" in text
    assert _fonts(path) and all(f.startswith("IPAex") for f in _fonts(path))

    assert pdf_signature_check(data).valid
    issued = IssuedDocument.objects.get(sha256=hashlib.sha256(data).hexdigest())
    assert issued.kind == DocumentKind.WITHDRAWAL_REQUEST and issued.guarantee_id == aw.guarantee.pk
    page = _check(data)
    assert "esuretyで発行した書類そのものです" in page and "前払金払出依頼書" in page

    # After the bank pays it, the request says so (a new, separately registered file).
    advances.withdrawal_pay(withdrawal=w, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    paid = advance_pdf.withdrawal_request_pdf(withdrawal=w, now=ADVANCE_NOW)
    (out_dir / "withdrawal_request_paid.pdf").write_bytes(paid)
    assert "払出済" in _text(out_dir / "withdrawal_request_paid.pdf")
    assert advance_pdf.withdrawal_request_filename(w) == f"前払金払出依頼書_{w.number}.pdf"


def test_a_tampered_statement_is_not_genuine(aw: AdvanceWorld) -> None:
    st = submit_statement(aw)
    data = advance_pdf.use_statement_pdf(statement=st, now=ADVANCE_NOW)
    tampered = data.replace(b"/Producer", b"/Produkt!", 1)
    assert tampered != data
    assert "esuretyが発行した書類であることを確認できません" in _check(tampered)


def test_a_long_statement_runs_over_pages_with_its_header_on_each(aw: AdvanceWorld, out_dir: Path) -> None:
    lines = [use_line("LABOUR", 1_000_000, payee=f"協力会社{i:02d}") for i in range(39)]
    lines.append(use_line("MATERIALS", 1_000_000, payee="未定"))
    st = advances.use_statement_create(account=aw.account, by=aw.world.contractor_user, lines=lines, now=ADVANCE_NOW)
    path = out_dir / "use_statement_long.pdf"
    path.write_bytes(advance_pdf.use_statement_pdf(statement=st, now=ADVANCE_NOW))
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in (1, 2)
    ]
    assert "協力会社00" in pages[0] and "協力会社38" in pages[0] + pages[1]
    # The column heads come again on the next page, so a page read alone still says what each column is.
    assert "支払予定日" in pages[1] and "払出方法" in pages[1]
    assert "40,000,000" in _text(path)
