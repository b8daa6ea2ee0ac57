"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import re

from django.test import Client

from esurety.notifications.models import OutboxMessage

SET_PASSWORD_LINK = re.compile(r"(/reset/[A-Za-z0-9_\-]+/[A-Za-z0-9\-]+/)")


def login(client: Client, username: str, password: str, *, ip: str = "192.0.2.10", next_url: str | None = None):
    data = {"username": username, "password": password}
    path = "/login/" if next_url is None else f"/login/?next={next_url}"
    return client.post(path, data, REMOTE_ADDR=ip)


def link_in(message: OutboxMessage) -> str:
    """The set-password path in a mail; the text and the HTML part must carry the same link."""
    text = SET_PASSWORD_LINK.search(message.body_text)
    html = SET_PASSWORD_LINK.search(message.body_html)
    assert text is not None and html is not None, message.body_text
    assert text.group(1) == html.group(1)
    return text.group(1)


def set_password_through_link(client: Client, link: str, new_password: str):
    """Open the mailed link and submit the new password, as a person would."""
    opened = client.get(link, follow=True)
    assert opened.status_code == 200
    assert "パスワードの設定" in opened.content.decode()
    form_url = opened.redirect_chain[-1][0] if opened.redirect_chain else link
    return client.post(form_url, {"new_password1": new_password, "new_password2": new_password}, follow=True)
