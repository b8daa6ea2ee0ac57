"""The PDFs a user downloads: read back with poppler (pdftotext / pdffonts / pdfinfo).

Set DOCS_PDF_DIR=/some/dir to keep the generated files for a visual check.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.http import content_disposition_header

from esurety.core.kinds import GuaranteeKind
from esurety.documents import pdf
from esurety.guarantees.models import Guarantee, PremiumStatement, StatementType
from tests import factories
from tests.factories import amend_amount

ISSUED_AT = dt.datetime(2026, 4, 10, 9, 30, tzinfo=dt.UTC)  # 令和8年4月10日 18:30 in Tokyo
KEY = "C7QK9MXT4A"


_out_dir: Path | None = None


@pytest.fixture(autouse=True)
def _pdf_dir(tmp_path: Path) -> None:
    global _out_dir
    keep = os.environ.get("DOCS_PDF_DIR")
    _out_dir = Path(keep) if keep else tmp_path
    _out_dir.mkdir(parents=True, exist_ok=True)


def _save(name: str, data: bytes) -> Path:
    assert _out_dir is not None
    path = _out_dir / name
    path.write_bytes(data)
    return path


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def _text(path: Path, *, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _run("pdftotext", "-layout", *pages, path, "-")


def _flat(text: str) -> str:
    """pdftotext -layout pads with spaces; compare content without them."""
    return re.sub(r"\s+", "", text)


def _page_count(path: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", path), re.MULTILINE)
    assert match
    return int(match.group(1))


def _assert_a4_ipaex(path: Path, *, families: set[str]) -> None:
    info = _run("pdfinfo", path)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    rows = _run("pdffonts", path).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    seen = set()
    for row in rows:
        cols = row.split()
        # Columns: name, type (1-2 words), encoding, emb, sub, uni, object ID (2): emb is 5th from the end.
        assert cols[-5] == "yes", f"font not embedded: {row}"
        family = cols[0].split("+", 1)[-1]
        assert family.startswith("IPAex"), f"unexpected font {family}: Japanese text must use the IPAex fonts"
        seen.add(family)
    assert seen == families


@pytest.fixture(autouse=True)
def _site_url(settings: object) -> None:
    settings.SITE_URL = "http://testserver.example"  # type: ignore[attr-defined]


@pytest.fixture
def guarantee(world: factories.World) -> Guarantee:
    return factories.make_guarantee(world)


def test_key_notice_has_everything_the_orderer_needs(guarantee: Guarantee) -> None:
    path = _save("key_notice.pdf", pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=ISSUED_AT))
    text = _text(path)
    flat = _flat(text)

    assert "電子証書閲覧用「認証キー」等のお知らせ" in flat
    assert "「保証確認サービス」で電子証書を閲覧するための「認証キー」等は、以下のとおりとなります。" in flat
    # The key must come back out exactly, on one line (the orderer retypes or copies it).
    key_line = next(line for line in text.splitlines() if "認証キー" in line and "C7" in line)
    assert KEY in _flat(key_line)
    assert re.search(r"保証契約番号\s+" + guarantee.number, text)
    assert "区分前払金保証" in flat
    assert "工事名〇〇道路改良工事" in flat
    assert "発注者徳島市上下水道事業管理者" in flat
    assert "保証機関西日本建設業保証株式会社" in flat
    assert "【受注者様へ】" in flat
    assert "①電子契約システムへの登録（アップロード）又は②電子メールに添付して送信" in flat
    assert "【発注者様へ】" in flat
    assert "上記の「保証契約番号」と「認証キー」を入力の上、電子証書を閲覧ください。" in flat
    assert "http://testserver.example/verify/" in flat
    assert "【重要】" in flat
    assert "令和8年4月10日" in flat
    _assert_a4_ipaex(path, families={"IPAexGothic-Embedded"})
    assert _page_count(path) == 1
    info = _run("pdfinfo", path)
    assert re.search(rf"Title:\s+電子証書閲覧用「認証キー」等のお知らせ（{guarantee.number}）", info)
    assert re.search(r"Author:\s+西日本建設業保証株式会社", info)


def test_key_notice_uses_the_full_kind_name(world: factories.World, guarantee: Guarantee) -> None:
    performance = factories.make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=guarantee.number,
    )
    path = _save("key_notice_performance.pdf", pdf.key_notice_pdf(guarantee=performance, key=KEY, issued_at=ISSUED_AT))
    flat = _flat(_text(path))
    assert "区分契約保証" in flat
    assert performance.number in flat


def test_long_and_markup_like_work_name_prints_literally_on_one_page(world: factories.World) -> None:
    work_name = "市道<A&B>線" + "道路改良及び舗装補修工事（その" * 12
    work_name = work_name[:200]
    guarantee = factories.make_guarantee(world, work_name=work_name)
    path = _save("key_notice_long.pdf", pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=ISSUED_AT))
    flat = _flat(_text(path))
    assert "市道<A&B>線" in flat
    assert "&amp;" not in flat and "&lt;" not in flat
    assert _flat(work_name) in flat
    assert _page_count(path) == 1


def test_premium_receipt(guarantee: Guarantee) -> None:
    statement = guarantee.premium_statements.get(statement_type=StatementType.PREMIUM_RECEIPT)
    path = _save("premium_receipt.pdf", pdf.premium_statement_pdf(statement=statement))
    text = _text(path)
    flat = _flat(text)

    assert "保証料領収書(計算書)" in flat
    assert statement.number in flat
    assert "株式会社〇〇建設様" in flat
    assert f"{statement.amount:,}円" in flat
    assert guarantee.number in flat
    assert "前払金保証" in flat
    assert "〇〇道路改良工事" in flat
    assert "徳島市上下水道事業管理者" in flat
    assert "40,000,000円" in flat  # guaranteed amount in the breakdown
    assert "0.12%" in flat
    assert f"{statement.breakdown['days']}日" in flat
    assert "非課税" in flat
    assert "※デモ用のサンプル料率による計算です" in flat
    assert "西日本建設業保証株式会社" in flat
    assert "大阪市西区立売堀二丁目1番2号" in flat
    assert re.search(r"発行日\s*令和\s*\d+年", text)
    _assert_a4_ipaex(path, families={"IPAexGothic-Embedded"})
    assert _page_count(path) == 1


def test_refund_statement_without_sample_rate(guarantee: Guarantee) -> None:
    receipt = guarantee.premium_statements.get(statement_type=StatementType.PREMIUM_RECEIPT)
    refund = PremiumStatement.objects.create(
        number=f"F{guarantee.number}-1",
        statement_type=StatementType.REFUND,
        guarantee=guarantee,
        issued_on=dt.date(2026, 9, 1),
        amount=12_345,
        counterparty_name="株式会社〇〇建設",
        breakdown={**receipt.breakdown, "days": 120},
        is_sample_rate=False,
        created_at=timezone.now(),
    )
    path = _save("premium_refund.pdf", pdf.premium_statement_pdf(statement=refund))
    flat = _flat(_text(path))
    assert "返還計算書" in flat
    assert "保証料領収書" not in flat
    assert "12,345円" in flat
    assert "令和8年9月1日" in flat
    assert "非課税" in flat
    assert "サンプル料率" not in flat
    assert "上記の金額を返還いたします。" in flat


def test_certificate_copy_is_marked_as_viewing_copy_on_every_page(guarantee: Guarantee) -> None:
    certificate = guarantee.certificates.get(version=1)
    path = _save("certificate_v1.pdf", pdf.certificate_copy_pdf(certificate=certificate))
    text = _text(path)
    flat = _flat(text)

    assert "保証証書(前払金保証)" in flat
    assert "(変更)保証証書" not in flat and "前払金保証)(変更)" not in flat
    assert f"保証証書番号:{guarantee.number}" in flat
    assert "▲▲市▲▲区▲▲1丁目1番1号" in flat
    assert "株式会社〇〇建設様" in flat
    assert "被保証者:徳島市上下水道事業管理者様" in flat
    assert "保証金額(総額)40,000,000円" in flat  # the leaflet's label, as on the screen
    assert "請負金額(総額)100,000,000円" in flat
    assert "保証期間令和9年3月31日" in flat
    assert "工事末日令和9年3月31日" in flat
    assert "工事名〇〇道路改良工事" in flat
    assert "預託金融機関〇〇銀行▲▲支店" in flat
    assert "当会社は、前払金保証契約に基づき上記のとおり前払金保証契約を締結し、その責に任じます。" in flat
    assert "〒550-0012" in flat
    assert "取締役社長御出一" in flat
    assert "大塚支店" in flat
    assert "TEL:06-6543-2711" in flat
    assert "FAX:0120-504160" in flat
    assert "【注】" in flat
    assert "保証金額の増減等の変更があった場合は(変更)と表示し、変更後の内容を表示します。" in flat
    assert "変更の保証証書は発行しません。" in flat
    assert "閲覧者" not in flat
    for page in range(1, _page_count(path) + 1):
        assert "閲覧用控え（提出不可）" in _flat(_text(path, page=page))
    _assert_a4_ipaex(path, families={"IPAexGothic-Embedded", "IPAexMincho-Embedded"})


def test_amended_version_says_changed_and_keeps_the_old_one(world: factories.World, guarantee: Guarantee) -> None:
    amend_amount(
        guarantee=guarantee,
        by=world.clerk,
        contract_price=120_000_000,
        guaranteed_amount=48_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="請負金額の増額",
        now=timezone.now(),
    )
    v1, v2 = guarantee.certificates.order_by("version")
    viewed_at = dt.datetime(2026, 6, 2, 1, 5, tzinfo=dt.UTC)  # 10:05 in Tokyo
    new = _flat(
        _text(
            _save(
                "certificate_v2.pdf",
                pdf.certificate_copy_pdf(certificate=v2, viewer_label="徳島市上下水道局 契約担当", viewed_at=viewed_at),
            )
        )
    )
    old = _flat(_text(_save("certificate_v1_after.pdf", pdf.certificate_copy_pdf(certificate=v1))))

    assert "保証証書(前払金保証)(変更)" in new
    assert "保証金額(総額)48,000,000円" in new
    assert "請負金額(総額)120,000,000円" in new
    assert "閲覧用控え（提出不可）" in new
    assert "閲覧者:徳島市上下水道局契約担当" in new
    assert "閲覧日時:令和8年6月2日10:05" in new
    assert "第2版" in new
    assert "変更前の内容です" not in new
    # The earlier version still prints as it was issued.
    assert "(変更)保証証書" not in old and "前払金保証)(変更)" not in old
    assert "保証金額(総額)40,000,000円" in old
    # ... and says plainly that it is no longer the current version.
    assert "この保証証書（第1版）は変更前の内容です。最新の内容は第2版をご確認ください。" in old


def test_performance_certificate_has_no_deposit_bank(world: factories.World, guarantee: Guarantee) -> None:
    performance = factories.make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=guarantee.number,
    )
    flat = _flat(
        _text(
            _save("certificate_performance.pdf", pdf.certificate_copy_pdf(certificate=performance.certificates.get()))
        )
    )
    assert "保証証書(契約保証)" in flat
    assert "預託金融機関" not in flat
    assert "当会社は、契約保証契約に基づき上記のとおり契約保証契約を締結し、その責に任じます。" in flat


def test_filenames(guarantee: Guarantee) -> None:
    assert pdf.key_notice_filename(guarantee) == f"認証キー等のお知らせ_{guarantee.number}.pdf"
    statement = guarantee.premium_statements.get()
    assert pdf.premium_statement_filename(statement) == f"保証料領収書(計算書)_{statement.number}.pdf"
    assert (
        pdf.certificate_copy_filename(guarantee.certificates.get())
        == f"保証証書_閲覧用控え_{guarantee.number}_第1版.pdf"
    )
    assert pdf.pdf_filename('a/b:c*"d', "") == "a_b_c_d.pdf"
    # Callers send it with an RFC 5987 filename* so browsers keep the Japanese name.
    header = content_disposition_header(as_attachment=True, filename=pdf.key_notice_filename(guarantee))
    assert header is not None
    assert "filename*=utf-8''" in header
    assert "%E8%AA%8D%E8%A8%BC" in header  # 認証
