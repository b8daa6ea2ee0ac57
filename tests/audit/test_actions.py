"""One vocabulary: every audited action has one Japanese label, the same on every page."""

from __future__ import annotations

import re
from pathlib import Path

import esurety
from esurety.audit.actions import ACTION_LABELS, action_label

SRC = Path(esurety.__file__).parent
# action="guarantee.cancel", action="x" if … else "y", LOCKOUT_ACTION = "verify.lockout"
ACTION_LITERAL = re.compile(r"(?:action=|_ACTION = )([^\n]*)")
NAME = re.compile(r'"([a-z_]+\.[a-z_]+)"')


def written_actions() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for line in ACTION_LITERAL.findall(path.read_text(encoding="utf-8")):
            found.update(NAME.findall(line))
    return found


def test_every_action_written_in_src_has_a_label() -> None:
    written = written_actions()
    assert {"application.submit", "guarantee.cancel", "verify.lockout", "webhook.create"} <= written
    assert sorted(written - ACTION_LABELS.keys()) == []


def test_labels_are_distinct_so_the_audit_filter_can_tell_them_apart() -> None:
    labels = list(ACTION_LABELS.values())
    assert len(labels) == len(set(labels))


def test_an_unknown_action_is_shown_as_it_is() -> None:
    assert action_label("application.submit") == "保証申込の受付"
    assert action_label("something.new") == "something.new"
