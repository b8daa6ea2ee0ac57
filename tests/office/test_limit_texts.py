"""The limits the office shows beside amounts are said from guarantees/rules.py, not restated."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import pytest

from esurety.core.kinds import GuaranteeKind
from esurety.guarantees import rules
from esurety.office.views.guarantees import amendment_limits
from esurety.office.views.queue import amount_note
from esurety.parties.models import Role
from tests.factories import World, make_user
from tests.office.operations import client_for


def test_amendment_hint_and_review_note_follow_a_changed_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "INTERIM_RATIO", Fraction(3, 10))
    monkeypatch.setattr(rules, "ADVANCE_PLUS_INTERIM_RATIO", Fraction(7, 10))
    monkeypatch.setattr(rules, "PERFORMANCE_MIN_RATIO", Fraction(2, 10))
    interim = SimpleNamespace(kind=GuaranteeKind.INTERIM_ADVANCE, work_category="", low_bid=False)
    assert "変更後の請負金額(総額)の10分の3以下、前払金との合計は10分の7以下" in amendment_limits(interim)
    performance = SimpleNamespace(kind=GuaranteeKind.PERFORMANCE, work_category="", low_bid=False)
    assert "変更後の請負金額(総額)の10分の2以上" in amendment_limits(performance)
    app = SimpleNamespace(
        kind=GuaranteeKind.INTERIM_ADVANCE, work_category="", low_bid=False, contract_price=10_000_000
    )
    note = amount_note(app)
    assert "（10分の3）" in note and "（10分の7）" in note
    app = SimpleNamespace(kind=GuaranteeKind.PERFORMANCE, work_category="", low_bid=False, contract_price=10_000_000)
    assert "請負金額(総額)の10分の2 = " in amount_note(app)


def test_import_page_notes_follow_a_changed_ratio(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "ADVANCE_RATIO_WORKS", Fraction(5, 10))
    monkeypatch.setattr(rules, "INTERIM_RATIO", Fraction(3, 10))
    admin = make_user("office-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    html = client_for(admin).get("/office/imports/").content.decode()
    assert "前払は請負金額の10分の5・コンサルは10分の3・低入札は10分の2まで、中間前払は10分の3まで" in html
