"""Helpers for the back-office operations tests (imports, outbox, audit, alerts, TOTP)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from django.test import Client

from esurety.guarantees.imports import COLUMN_NAMES
from esurety.parties.models import Role, SuretyCompany, User
from tests.factories import World, make_surety, make_user


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def line(world: World, **overrides: str) -> dict[str, str]:
    """One valid CSV line: an electronic advance guarantee of alice's company to the world's orderer."""
    values = {
        "保証契約番号": "",
        "取次場所": world.branch.name,
        "保証契約者ID": "",
        "保証契約者": world.contractor.name,
        "発注者": world.orderer.name,
        "区分": "前払",
        "業務区分": "工事",
        "工事名": "〇〇道路改良工事",
        "契約締結日": "2026-04-10",
        "工事末日": "2027-03-31",
        "請負金額(総額)": "100,000,000",
        "請負金額(対価額)": "",
        "保証金額": "40000000",
        "低入札": "0",
        "預託金融機関": "〇〇銀行 ▲▲支店",
        "前払金保証番号": "",
        "受取方法": "電子交付",
        "証書発行日": "2026-04-15",
    }
    values.update(overrides)
    return values


def csv_bytes(lines: list[Mapping[str, str]], *, encoding: str = "utf-8", header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = header or list(COLUMN_NAMES)
    writer.writerow(columns)
    for values in lines:
        writer.writerow([values.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def other_surety_staff() -> tuple[SuretyCompany, User]:
    surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    return surety, make_user("east-admin", surety=surety, role=Role.SURETY_ADMIN)
