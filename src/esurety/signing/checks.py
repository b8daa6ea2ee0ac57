"""Startup check: every surety can sign (production only; demo and tests mint demo certificates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError

from esurety.parties.models import SuretyCompany
from esurety.signing import keys

_EXPIRY_WARNING = dt.timedelta(days=30)


@register()
def signing_keys_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.SIGNING_DEMO:
        return []
    messages: list[CheckMessage] = []
    if not keys.trust_roots_path().is_file():
        messages.append(
            Warning(
                f"{keys.trust_roots_path()} is missing: no signature will validate as trusted.",
                hint="Put the CA certificate(s) of the sureties' signing certificates there (PEM).",
                id="signing.W001",
            )
        )
    try:
        sureties = list(SuretyCompany.objects.order_by("pk"))
    except DatabaseError:
        return messages  # not migrated yet (e.g. during the first migrate)
    now = dt.datetime.now(dt.UTC)
    for surety in sureties:
        try:
            credentials = keys.surety_credentials(surety)
        except keys.SigningKeyMissing as exc:
            messages.append(
                Warning(
                    str(exc),
                    hint="Issuing PDFs for this surety fails until its key and certificate are installed.",
                    id="signing.W002",
                )
            )
            continue
        cert = credentials.certificate
        if keys.subject_name(cert) != surety.name:
            messages.append(
                Warning(
                    f"{keys.surety_cert_path(surety.pk)} names '{keys.subject_name(cert)}', not '{surety.name}'.",
                    id="signing.W003",
                )
            )
        if cert.not_valid_after - now < _EXPIRY_WARNING:
            messages.append(
                Warning(
                    f"The signing certificate of {surety.name} expires on {cert.not_valid_after:%Y-%m-%d}.",
                    id="signing.W004",
                )
            )
    return messages
