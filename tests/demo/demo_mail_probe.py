"""Run inside a demo built with the Makefile's DEMO_ENV (see test_demo_mail.py); not a test module.

As a person would: demo-clerk concludes an electronic application waiting in 入金確認
through the back office, the worker runs once, then the home page, the demo mailbox and
each message are opened. Prints what it saw as one JSON line after PROBE_MARKER.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esurety.config.settings")

PROBE_MARKER = "PROBE-RESULT "


def main() -> None:
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from esurety.core.kinds import DeliveryMethod
    from esurety.guarantees import selectors
    from esurety.guarantees.models import ApplicationStatus, Guarantee
    from esurety.notifications.models import OutboxMessage
    from esurety.parties.models import User

    clerk = User.objects.get(username="demo-clerk")
    app = (
        selectors.applications_for_staff(user=clerk)
        .filter(status=ApplicationStatus.PAYMENT_CONFIRMED, delivery_method=DeliveryMethod.ELECTRONIC)
        .order_by("pk")
        .first()
    )
    assert app is not None, "the demo has no electronic application in 入金確認 for demo-clerk"

    host = settings.SITE_URL.split("://", 1)[1]
    office = Client(HTTP_HOST=host)
    office.force_login(clerk)
    concluded = office.post(reverse("office:application_conclude", args=[app.pk]), follow=True)
    guarantee = Guarantee.objects.get(application=app)
    recipients = sorted(
        guarantee.contractor.users.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )

    call_command("run_worker", "--once")

    visitor = Client(HTTP_HOST=host)
    home = visitor.get("/")
    mailbox = visitor.get("/demo/mail/")
    from esurety.demo.mail import mailbox_list

    pages = {}
    for mail in mailbox_list():
        page = visitor.get(f"/demo/mail/{mail.id}/")
        html = visitor.get(f"/demo/mail/{mail.id}/html/")
        pages[mail.id] = {
            "subject": mail.subject,
            "to": mail.to,
            "status": page.status_code,
            "page": page.content.decode(),
            "html_status": html.status_code,
            "html": html.content.decode(),
            "html_csp": html.get("Content-Security-Policy", ""),
            "html_frame_options": html.get("X-Frame-Options", ""),
        }

    result = {
        "settings": {
            "EMAIL_BACKEND": settings.EMAIL_BACKEND,
            "EMAIL_FILE_PATH": str(settings.EMAIL_FILE_PATH),
            "SITE_URL": settings.SITE_URL,
            "DEMO_MODE": settings.DEMO_MODE,
        },
        "concluded": {
            "status": concluded.status_code,
            "page": concluded.content.decode(),
            "number": guarantee.number,
            "recipients": recipients,
        },
        "outbox": [
            {"to": m.to, "subject": m.subject, "status": m.status, "last_error": m.last_error}
            for m in OutboxMessage.objects.filter(status__in=["PENDING", "FAILED"]).order_by("pk")
        ]
        + [
            {"to": m.to, "subject": m.subject, "status": m.status, "last_error": m.last_error}
            for m in OutboxMessage.objects.filter(object_id=str(guarantee.pk), object_type="Guarantee")
        ],
        "home": {"status": home.status_code, "page": home.content.decode()},
        "mailbox": {"status": mailbox.status_code, "page": mailbox.content.decode()},
        "messages": pages,
    }
    print(PROBE_MARKER + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
