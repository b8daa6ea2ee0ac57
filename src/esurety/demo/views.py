"""デモ用メールボックス: the demo's sent mail, read in the browser (demo mode only).

The leaflet's STEP 2 starts in the contractor's mailbox (the お知らせ mail, then
「電子証書の確認はこちら」); in the demo no mail leaves the machine, so this page
stands in for the mailbox. Every view answers 404 outside demo mode, even if the
URLs were mounted.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from esurety.demo import mail
from esurety.web.downloads import attachment

# The mail's HTML is shown as received, so it is treated as untrusted: no script, no
# plugin, no form, no request anywhere, framed only by our own page, with an opaque
# origin (no cookies, no access to the page around it). Links may navigate the tab on a
# click, so 「電子証書の確認はこちら」 leads on to the demo as it would from a mail reader.
HTML_PART_POLICY = (
    "sandbox allow-top-navigation-by-user-activation; default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:; form-action 'none'; frame-ancestors 'self'"
)
_HTML_OPEN = re.compile(r"<html\b[^>]*>", re.IGNORECASE)


def _require_demo() -> None:
    if not getattr(settings, "DEMO_MODE", False):
        raise Http404("このページはデモ環境でのみ利用できます。")


def _mail_or_404(mail_id: str) -> mail.Mail:
    found = mail.mailbox_get(mail_id)
    if found is None:
        raise Http404("メールが見つかりません。")
    return found


@never_cache
@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    _require_demo()
    return render(
        request,
        "demo/mailbox.html",
        {"mails": mail.mailbox_list(), "mail_dir": mail.mail_dir()},
    )


@never_cache
@require_GET
def message(request: HttpRequest, mail_id: str) -> HttpResponse:
    _require_demo()
    return render(request, "demo/message.html", {"mail": _mail_or_404(mail_id)})


def _links_leave_the_frame(html: str) -> str:
    """A mail reader opens a mail's links outside the message pane; so does ours."""
    base = '<base target="_top">'
    found = _HTML_OPEN.search(html)
    if found is None:
        return base + html
    return html[: found.end()] + base + html[found.end() :]


@never_cache
@require_GET
@xframe_options_sameorigin
def message_html(request: HttpRequest, mail_id: str) -> HttpResponse:
    _require_demo()
    found = _mail_or_404(mail_id)
    if not found.html:
        raise Http404("このメールにはHTML形式の本文がありません。")
    response = HttpResponse(_links_leave_the_frame(found.html), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_PART_POLICY
    return response


@never_cache
@require_GET
def message_attachment(request: HttpRequest, mail_id: str, index: int) -> HttpResponse:
    _require_demo()
    found = mail.mailbox_attachment(mail_id, index)
    if found is None:
        raise Http404("添付ファイルが見つかりません。")
    meta, data = found
    suffix = PurePosixPath(meta.filename).suffix
    fallback = (
        meta.filename if meta.filename.isascii() else f"attachment-{index + 1}{suffix if suffix.isascii() else ''}"
    )
    return attachment(data, filename=meta.filename, fallback=fallback, content_type=meta.content_type)
