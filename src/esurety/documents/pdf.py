"""PDF rendering of the documents the product issues (WeasyPrint + Django templates).

Every public function returns the finished PDF as bytes, signed by the
issuing surety (PAdES, ``esurety.signing.services.pdf_sign``, which also
records the file in the IssuedDocument registry). ``_render`` gives the
unsigned rendering; the signature is an incremental update after it, so the
text, fonts and layout read back unchanged.
Callers send the bytes with ``django.utils.http.content_disposition_header``
(RFC 5987 ``filename*``) and one of the ``*_filename`` helpers below.

Fonts: the IPAex Gothic and Mincho files are loaded through ``@font-face``
with file:// URLs, so every PDF embeds (subsets of) exactly those fonts,
whatever fonts the machine has installed.

Speed (issue 3 wants the notice under 100 ms; ``manage.py pdf_bench`` measures
it): parsing the stylesheets and loading the fonts takes several times longer
than rendering a one-page document, so each thread keeps its own parsed
stylesheets and ``FontConfiguration`` (WeasyPrint objects are not meant to be
shared across threads). A small user-agent stylesheet replaces WeasyPrint's
full one, tables use ``table-layout: fixed``, fonts are subset with
harfbuzz-subset (libharfbuzz-subset0).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import weasyprint
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.text.fonts import FontConfiguration

from esurety.core.clock import TOKYO, business_date
from esurety.core.kinds import ADVANCE_KINDS, kind_full_name
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.documents import qr
from esurety.guarantees.models import Certificate, Guarantee, GuaranteeStatus, PremiumStatement, StatementType
from esurety.signing.models import DocumentKind
from esurety.signing.services import pdf_sign

# Neutral name of the orderers' verification portal (the leaflet's 「保証確認サービス (D-Sure)」).
SERVICE_NAME = "保証確認サービス"
VIEWING_COPY_LABEL = "閲覧用控え（提出不可）"
# The orderer's own copy is its record of what it viewed, not a contractor's
# screen copy: it names whose record it is instead of 「提出不可」.
ORDERER_COPY_MARK = "発注者控え"
SAMPLE_RATE_NOTE = "※デモ用のサンプル料率による計算です"

DEFAULT_GOTHIC_FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
DEFAULT_MINCHO_FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"

_STYLES_DIR = Path(__file__).resolve().parent / "styles"

# WeasyPrint logs every rendering step at INFO; at 40,000 notices a day that
# drowns the application's own log lines. Warnings (missing glyphs, bad CSS) stay.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


# ---------------------------------------------------------------------------
# Stylesheets and fonts, parsed once per thread
# ---------------------------------------------------------------------------


def _font_path(setting: str, default: str) -> Path:
    path = Path(getattr(settings, setting, default))
    if not path.is_file():
        raise ImproperlyConfigured(
            f"{setting}: font file {path} not found (Debian: fonts-ipaexfont-gothic, fonts-ipaexfont-mincho)."
        )
    return path


def _font_face_css() -> str:
    gothic = _font_path("PDF_FONT_GOTHIC", DEFAULT_GOTHIC_FONT)
    mincho = _font_path("PDF_FONT_MINCHO", DEFAULT_MINCHO_FONT)
    # Family names of our own, so fontconfig can never substitute a system font.
    return (
        f'@font-face {{ font-family: "IPAexGothic-Embedded"; src: url("{gothic.as_uri()}"); }}\n'
        f'@font-face {{ font-family: "IPAexMincho-Embedded"; src: url("{mincho.as_uri()}"); }}\n'
    )


def _css(name: str, *, font_config: FontConfiguration | None = None, prefix: str = "") -> Any:
    text = prefix + (_STYLES_DIR / f"{name}.css").read_text(encoding="utf-8")
    return weasyprint.CSS(string=text, base_url=str(_STYLES_DIR), font_config=font_config)


@dataclass
class _Styles:
    font_config: FontConfiguration
    ua: Any
    sheets: dict[str, list[Any]]


_local = threading.local()


def _styles() -> _Styles:
    styles: _Styles | None = getattr(_local, "styles", None)
    if styles is None:
        font_config = FontConfiguration()
        base = _css("base", font_config=font_config, prefix=_font_face_css())
        styles = _Styles(font_config=font_config, ua=_css("ua"), sheets={"base": [base]})
        _local.styles = styles
    return styles


def _sheets_for(styles: _Styles, document: str) -> list[Any]:
    sheets = styles.sheets.get(document)
    if sheets is None:
        sheets = [*styles.sheets["base"], _css(document, font_config=styles.font_config)]
        styles.sheets[document] = sheets
    return sheets


class _DocumentHTML(weasyprint.HTML):  # type: ignore[misc]
    """WeasyPrint's HTML with our small user-agent stylesheet (styles/ua.css).

    Overrides a private hook of the pinned WeasyPrint version; the tests read
    every document back, so a change of that hook shows up as a failure.
    """

    def __init__(self, *, string: str, ua: Any) -> None:
        super().__init__(string=string, base_url=str(_STYLES_DIR))
        self._esurety_ua = ua

    def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
        return [self._esurety_ua]


def warm_up() -> None:
    """Parse the stylesheets and load the fonts now (about a second), not in the first request.

    Optional: a worker process may call it once after starting (e.g. gunicorn's post_fork).
    """
    styles = _styles()
    for document in ("key_notice", "premium_statement", "certificate_copy"):
        _sheets_for(styles, document)


def render_document(*, document: str, context: dict[str, Any], title: str, author: str, created: dt.datetime) -> bytes:
    html = render_to_string(
        f"documents/{document}.html",
        {**context, "doc_title": title, "doc_author": author, "doc_created": created.isoformat()},
    )
    styles = _styles()
    pdf: bytes = _DocumentHTML(string=html, ua=styles.ua).write_pdf(
        stylesheets=_sheets_for(styles, document), font_config=styles.font_config
    )
    return pdf


# ---------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------


def wareki_datetime(at: dt.datetime) -> str:
    local = at.astimezone(TOKYO)
    return f"{format_wareki(local.date(), padded=False)} {local:%H:%M}"


def _percent(rate: object) -> str:
    """'0.001200' -> '0.12%' (the stored rate is a fraction, printed as a percentage)."""
    try:
        value = Decimal(str(rate)) * 100
    except InvalidOperation:
        return str(rate)
    text = f"{value.normalize():f}"
    return f"{text}%"


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def key_notice_pdf(*, guarantee: Guarantee, key: str, issued_at: dt.datetime) -> bytes:
    """「電子証書閲覧用「認証キー」等のお知らせ」: the one document the contractor submits to the orderer."""
    surety_name = guarantee.surety.name
    context = {
        "service_name": SERVICE_NAME,
        "issued_on": format_wareki(business_date(issued_at)),
        "kind_full_name": kind_full_name(guarantee.kind),
        "number": guarantee.number,
        "key": key,
        "work_name": guarantee.work_name,
        "orderer_name": guarantee.orderer.name,
        "surety_name": surety_name,
        "verify_url": f"{settings.SITE_URL}/verify/",
        "qr_image": qr.qr_png_data_uri(qr.check_url(number=guarantee.number, key=key)),
        "check_page_url": qr.check_page_url(),
    }
    rendered = render_document(
        document="key_notice",
        context=context,
        title=f"電子証書閲覧用「認証キー」等のお知らせ（{guarantee.number}）",
        author=surety_name,
        created=issued_at,
    )
    return pdf_sign(
        rendered,
        surety=guarantee.surety,
        kind=DocumentKind.KEY_NOTICE,
        guarantee=guarantee,
        certificate_version=guarantee.current_version or None,
        now=timezone.now(),
    )


# Breakdown keys written by guarantees.premiums.PremiumQuote.breakdown, in print order.
_BREAKDOWN_ROWS: tuple[tuple[str, str, str], ...] = (
    ("guaranteed_amount", "保証金額", "yen"),
    ("annual_rate", "保証料率（年率）", "percent"),
    ("days", "保証日数", "days"),
    ("minimum_premium", "最低保証料", "yen"),
)


def _breakdown_rows(breakdown: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for field, label, unit in _BREAKDOWN_ROWS:
        if field not in breakdown or breakdown[field] in (None, ""):
            continue
        value = breakdown[field]
        if unit == "yen":
            number = _as_int(value)
            rows.append((label, f"{format_yen(number)} 円" if number is not None else str(value)))
        elif unit == "percent":
            rows.append((label, _percent(value)))
        else:
            rows.append((label, f"{value} 日"))
    return rows


def _expression(breakdown: dict[str, Any]) -> str:
    amount = _as_int(breakdown.get("guaranteed_amount"))
    days = _as_int(breakdown.get("days"))
    rate = breakdown.get("annual_rate")
    if amount is None or days is None or rate in (None, ""):
        return ""
    return f"{format_yen(amount)}円 × {_percent(rate)} × {days}日 ÷ 365日"


def premium_statement_pdf(*, statement: PremiumStatement) -> bytes:
    """保証料領収書(計算書) or 返還計算書, issued by the guarantee's surety."""
    guarantee = statement.guarantee
    surety = guarantee.surety
    is_refund = statement.statement_type == StatementType.REFUND
    breakdown: dict[str, Any] = statement.breakdown if isinstance(statement.breakdown, dict) else {}
    title = statement.get_statement_type_display()
    context = {
        "title": title,
        "is_refund": is_refund,
        "amount_label": "返還金額" if is_refund else "保証料",
        "statement_number": statement.number,
        "issued_on": format_wareki(statement.issued_on),
        "counterparty_name": statement.counterparty_name,
        "amount": format_yen(statement.amount),
        "number": guarantee.number,
        "kind_full_name": kind_full_name(guarantee.kind),
        "work_name": guarantee.work_name,
        "orderer_name": guarantee.orderer.name,
        "breakdown_rows": _breakdown_rows(breakdown),
        "expression": _expression(breakdown),
        "formula": str(breakdown.get("formula", "")),
        "tax_note": PremiumStatement.TAX_NOTE,
        "sample_note": SAMPLE_RATE_NOTE if statement.is_sample_rate else "",
        "surety_name": surety.name,
        "surety_postal_code": surety.postal_code,
        "surety_address": surety.address,
        "surety_representative": f"{surety.representative_title} {surety.representative_name}",
    }
    rendered = render_document(
        document="premium_statement",
        context=context,
        title=f"{title}（{statement.number}）",
        author=surety.name,
        created=statement.created_at,
    )
    return pdf_sign(
        rendered,
        surety=surety,
        kind=DocumentKind.PREMIUM_STATEMENT,
        guarantee=guarantee,
        certificate_version=None,
        now=timezone.now(),
    )


def _obligation_sentence(kind: str) -> str:
    name = kind_full_name(kind)
    return f"当会社は、{name}契約に基づき上記のとおり{name}契約を締結し、その責に任じます。"


def _status_notes(certificate: Certificate) -> list[str]:
    """What a reader of an old or void version must not miss (the copy may be read long after).

    Read fresh from the database: the caller's Guarantee instance may predate an amendment.
    """
    current_version, status = (
        Guarantee.objects.filter(pk=certificate.guarantee_id).values_list("current_version", "status").get()
    )
    notes = []
    if certificate.version < current_version:
        notes.append(
            f"この保証証書（第{certificate.version}版）は変更前の内容です。最新の内容は第{current_version}版をご確認ください。"
        )
    if status == GuaranteeStatus.CANCELLED:
        notes.append("この保証契約は解約されています。")
    return notes


def orderer_copy_label(orderer_name: str) -> str:
    """「発注者控え（徳島市上下水道事業管理者 閲覧記録）」: the orderer's print and PDF copy say whose record it is."""
    return f"{ORDERER_COPY_MARK}（{orderer_name} 閲覧記録）"


def certificate_copy_pdf(
    *,
    certificate: Certificate,
    viewer_label: str | None = None,
    viewed_at: dt.datetime | None = None,
    orderer_name: str | None = None,
) -> bytes:
    """A copy of one certificate version, laid out like the paper 保証証書.

    The contractor's copy (no ``orderer_name``) is a viewing copy (閲覧用控え) and says on
    every page that it is not valid for submission: orderers accept only the key notice.
    The orderer's copy (``orderer_name`` given) is that orderer's record of its viewing
    and says so on every page instead.
    """
    guarantee = certificate.guarantee
    copy_label = VIEWING_COPY_LABEL if orderer_name is None else orderer_copy_label(orderer_name)
    watermark = VIEWING_COPY_LABEL if orderer_name is None else ORDERER_COPY_MARK
    kind_name = kind_full_name(certificate.kind)
    viewer_line = ""
    if viewer_label or viewed_at:
        parts = []
        if viewer_label:
            parts.append(f"閲覧者: {viewer_label}")
        if viewed_at:
            parts.append(f"閲覧日時: {wareki_datetime(viewed_at)}")
        viewer_line = "　".join(parts)
    context = {
        "viewing_copy_label": copy_label,
        "watermark": watermark,
        "orderer_record": orderer_name is not None,
        "issued_on": format_wareki(certificate.issued_on),
        "kind_full_name": kind_name,
        "is_amendment": certificate.is_amendment,
        "number": guarantee.number,
        "version": certificate.version,
        "contractor_address": certificate.contractor_address,
        "contractor_name": certificate.contractor_name,
        "orderer_name": certificate.orderer_name,
        "guaranteed_amount": format_yen(certificate.guaranteed_amount),
        "period_end": format_wareki(certificate.period_end),
        "completion_date": format_wareki(certificate.completion_date),
        "work_name": certificate.work_name,
        "contract_price": format_yen(certificate.contract_price),
        "contract_price_consideration": format_yen(certificate.contract_price_consideration),
        "deposit_bank": certificate.deposit_bank if certificate.kind in ADVANCE_KINDS else "",
        "shows_deposit_bank": certificate.kind in ADVANCE_KINDS,
        "obligation": _obligation_sentence(certificate.kind),
        "surety_postal_code": certificate.surety_postal_code,
        "surety_address": certificate.surety_address,
        "surety_name": certificate.surety_name,
        "surety_representative": certificate.surety_representative,
        "surety_website": guarantee.surety.website,
        "branch_name": certificate.branch_name,
        "branch_address": certificate.branch_address,
        "branch_tel": certificate.branch_tel,
        "branch_fax": certificate.branch_fax,
        "viewer_line": viewer_line,
        "status_notes": _status_notes(certificate),
        "qr_image": qr.qr_png_data_uri(qr.check_url(number=guarantee.number, version=certificate.version)),
        "check_page_url": qr.check_page_url(),
    }
    rendered = render_document(
        document="certificate_copy",
        context=context,
        title=f"保証証書（{kind_name}）{guarantee.number} 第{certificate.version}版 {copy_label}",
        author=certificate.surety_name,
        created=viewed_at or certificate.issued_at,
    )
    return pdf_sign(
        rendered,
        surety=guarantee.surety,
        kind=DocumentKind.CERTIFICATE_COPY,
        guarantee=guarantee,
        certificate_version=certificate.version,
        now=timezone.now(),
    )


# ---------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------

# Characters Windows, macOS or a mail client would reject or mangle in a file name.
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def pdf_filename(title: str, *parts: str) -> str:
    """'認証キー等のお知らせ', '2070004426' -> '認証キー等のお知らせ_2070004426.pdf'.

    Non-ASCII on purpose: callers send it as RFC 5987 ``filename*`` via
    ``django.utils.http.content_disposition_header``.
    """
    stem = "_".join(p for p in (title, *parts) if p)
    stem = _UNSAFE_FILENAME.sub("_", stem).strip(" .")
    return f"{stem or 'document'}.pdf"


def key_notice_filename(guarantee: Guarantee) -> str:
    return pdf_filename("認証キー等のお知らせ", guarantee.number)


def premium_statement_filename(statement: PremiumStatement) -> str:
    return pdf_filename(statement.get_statement_type_display(), statement.number)


def certificate_copy_filename(certificate: Certificate) -> str:
    return pdf_filename("保証証書_閲覧用控え", certificate.guarantee.number, f"第{certificate.version}版")
