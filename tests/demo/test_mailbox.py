"""デモ用メールボックス: each message as sent (HTML safely framed, text, attachments); only in demo mode."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.test import Client
from django.urls import clear_url_caches

import esurety.config.urls
from esurety.demo.mail import EmailBackend, mailbox_list, text_parts

PDF = b"%PDF-1.7\n% not a real pdf, but bytes that must come back unchanged\n\x00\xff"
NOTICE_FILE = "認証キー等のお知らせ_2070004426.pdf"


def _reload_urls() -> None:
    importlib.reload(esurety.config.urls)
    clear_url_caches()


@pytest.fixture
def mail_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = "esurety.demo.mail.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "demo-mail")
    return tmp_path / "demo-mail"


@pytest.fixture
def demo_mode(settings: Any, mail_dir: Path) -> Iterator[Path]:
    """The URLs as `make demo` mounts them (ESURETY_DEMO=1 when the URL module is loaded)."""
    settings.DEMO_MODE = True
    _reload_urls()
    yield mail_dir
    settings.DEMO_MODE = False
    _reload_urls()


def send(
    *, subject: str = "【西日本建設業保証株式会社】電子証書・認証キー登録のお知らせ", html: str | None = None
) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body="株式会社〇〇建設 様\n\n電子証書の確認はこちら: http://127.0.0.1:8001/contractor/\n",
        from_email="esurety <no-reply@esurety.example>",
        to=["demo-contractor@example.com"],
    )
    message.attach_alternative(
        html
        if html is not None
        else '<html lang="ja"><body><p><a href="http://127.0.0.1:8001/contractor/">電子証書の確認はこちら</a></p></body></html>',
        "text/html",
    )
    message.attach(NOTICE_FILE, PDF, "application/pdf")
    assert message.send() == 1


def test_backend_writes_one_eml_per_message(mail_dir: Path) -> None:
    send(subject="一通目")
    send(subject="二通目")
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2
    # Nothing else left behind (the temporary file is renamed into place).
    assert sorted(mail_dir.iterdir()) == files
    assert [m.subject for m in mailbox_list()] == ["二通目", "一通目"]


def test_backend_takes_the_folder_from_its_caller(tmp_path: Path) -> None:
    connection = get_connection("esurety.demo.mail.EmailBackend", file_path=str(tmp_path / "elsewhere"))
    assert isinstance(connection, EmailBackend)
    message = EmailMultiAlternatives(subject="x", body="y", to=["a@example.com"], connection=connection)
    assert message.send() == 1
    assert len(list((tmp_path / "elsewhere").glob("*.eml"))) == 1


def test_list_and_message(demo_mode: Path) -> None:
    send()
    [mail] = mailbox_list()
    client = Client()
    page = client.get("/demo/mail/").content.decode()
    assert "デモ用メールボックス" in page
    assert f'href="/demo/mail/{mail.id}/"' in page
    assert "電子証書・認証キー登録のお知らせ" in page and "demo-contractor@example.com" in page

    message = client.get(f"/demo/mail/{mail.id}/").content.decode()
    assert "株式会社〇〇建設 様" in message
    # The text part's address is a link a person can follow.
    assert '<a href="http://127.0.0.1:8001/contractor/"' in message
    assert f'<iframe class="mail-html" src="/demo/mail/{mail.id}/html/" sandbox=' in message
    assert f'href="/demo/mail/{mail.id}/attachments/0/"' in message and NOTICE_FILE in message


def test_html_part_is_served_sandboxed(demo_mode: Path) -> None:
    send(
        html='<html lang="ja"><body><script>document.title="x"</script><a href="http://127.0.0.1:8001/contractor/">電子証書の確認はこちら</a></body></html>'
    )
    [mail] = mailbox_list()
    response = Client().get(f"/demo/mail/{mail.id}/html/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    # No scripts (no allow-scripts), no same origin, nothing loaded from anywhere.
    assert policy.startswith("sandbox allow-top-navigation-by-user-activation;")
    assert "allow-scripts" not in policy and "allow-same-origin" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    # Links open in the tab, as from a mail reader, not inside the frame.
    assert html.startswith('<html lang="ja"><base target="_top"><body>')
    assert 'href="http://127.0.0.1:8001/contractor/"' in html


def test_the_page_around_it_never_inlines_the_mails_html(demo_mode: Path) -> None:
    send(html='<html><body><img src="x" alt="marker-in-html-part"></body></html>')
    [mail] = mailbox_list()
    page = Client().get(f"/demo/mail/{mail.id}/").content.decode()
    assert "marker-in-html-part" not in page


def test_attachment_downloads_unchanged(demo_mode: Path) -> None:
    send()
    [mail] = mailbox_list()
    response = Client().get(f"/demo/mail/{mail.id}/attachments/0/")
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="attachment-1.pdf"; filename*=UTF-8')
    assert Client().get(f"/demo/mail/{mail.id}/attachments/1/").status_code == 404


@pytest.mark.parametrize("mail_id", ["..", "..%2F..%2Fsettings", "20261207T000000000000-zzzzzzzzzzzz", "x"])
def test_unknown_or_crafted_ids_are_404(demo_mode: Path, mail_id: str) -> None:
    send()
    client = Client()
    for suffix in ("", "html/", "attachments/0/"):
        assert client.get(f"/demo/mail/{mail_id}/{suffix}").status_code == 404


def test_empty_mailbox(demo_mode: Path) -> None:
    page = Client().get("/demo/mail/").content.decode()
    assert "まだメールはありません。" in page


def test_not_mounted_outside_demo_mode(mail_dir: Path, db: None) -> None:
    send()
    [mail] = mailbox_list()
    client = Client()
    for url in ("/demo/mail/", f"/demo/mail/{mail.id}/", f"/demo/mail/{mail.id}/html/"):
        assert client.get(url).status_code == 404
    assert "/demo/mail/" not in client.get("/").content.decode()


def test_404_when_mounted_but_demo_mode_is_off(demo_mode: Path, settings: Any) -> None:
    send()
    [mail] = mailbox_list()
    settings.DEMO_MODE = False
    client = Client()
    for url in ("/demo/mail/", f"/demo/mail/{mail.id}/", f"/demo/mail/{mail.id}/attachments/0/"):
        assert client.get(url).status_code == 404


def test_demo_home_page_links_the_mailbox(demo_mode: Path, db: None) -> None:
    page = Client().get("/").content.decode()
    assert 'href="/demo/mail/"' in page


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "電子証書の確認はこちら: http://127.0.0.1:8001/contractor/\n",
            [("電子証書の確認はこちら: ", False), ("http://127.0.0.1:8001/contractor/", True), ("\n", False)],
        ),
        # Japanese runs into the address without a space: the words are not part of the link.
        (
            "サービス（http://127.0.0.1:8001）から送信",
            [("サービス（", False), ("http://127.0.0.1:8001", True), ("）から送信", False)],
        ),
        (
            "詳しくは https://example.jp/a?b=1.",
            [("詳しくは ", False), ("https://example.jp/a?b=1", True), (".", False)],
        ),
        # Mail addresses and javascript: are never links.
        (
            "返信は demo@example.com）に届きます javascript:alert(1)",
            [("返信は demo@example.com）に届きます javascript:alert(1)", False)],
        ),
    ],
)
def test_text_part_links(text: str, parts: list[tuple[str, bool]]) -> None:
    assert text_parts(text) == parts
    assert "".join(p for p, _ in parts) == text


def test_text_part_is_escaped(demo_mode: Path) -> None:
    message = EmailMultiAlternatives(
        subject="x", body='<b>太字</b> http://127.0.0.1:8001/"onmouseover=x', to=["a@example.com"]
    )
    assert message.send() == 1
    [mail] = mailbox_list()
    page = Client().get(f"/demo/mail/{mail.id}/").content.decode()
    assert "&lt;b&gt;太字&lt;/b&gt;" in page
    assert '<a href="http://127.0.0.1:8001/">http://127.0.0.1:8001/</a>&quot;onmouseover=x' in page


def test_times_are_shown_in_tokyo(demo_mode: Path) -> None:
    """Django dates its mail in UTC ("-0000"); the mailbox shows the reader's Tokyo clock."""
    import datetime as dt

    from django.utils import timezone

    from esurety.core.clock import TOKYO

    sent = timezone.now()
    send()
    [mail] = mailbox_list()
    assert mail.date is not None and mail.date.utcoffset() == dt.timedelta(hours=9)
    assert abs((mail.date - sent).total_seconds()) < 60
    tokyo = mail.date.astimezone(TOKYO).strftime("%Y/%m/%d %H:%M:%S")
    utc = mail.date.astimezone(dt.UTC).strftime("%Y/%m/%d %H:%M:%S")
    client = Client()
    for page in (client.get("/demo/mail/"), client.get(f"/demo/mail/{mail.id}/")):
        text = page.content.decode()
        assert tokyo in text and utc not in text
