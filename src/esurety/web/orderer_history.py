"""An orderer's change history as both portals show it (office: 発注者; 保証確認サービス: 組織情報)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from esurety.audit.actions import action_label
from esurety.core.kinds import GuaranteeKind, WorkCategory
from esurety.parties.models import Orderer
from esurety.parties.selectors import orderer_history
from esurety.parties.services import actor_organisation, department_changes

FIELDS = (
    ("name", "発注者名"),
    ("organisation_name", "機関名"),
    ("postal_code", "郵便番号"),
    ("address", "所在地"),
    ("notice_subject_template", "認証キー送信メールの件名"),
)


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    organisation: str
    person: str
    action: str
    lines: list[str]


def _adoption_text(rows: list[list[Any]]) -> str:
    if not rows:
        return "なし（書面のみ）"
    return "、".join(
        f"{WorkCategory(r[0]).label if r[0] in WorkCategory.values else r[0]}・"
        f"{GuaranteeKind(r[1]).label if r[1] in GuaranteeKind.values else r[1]}（{r[2]}から"
        + (f"{r[3]}まで" if r[3] else "")
        + "）"
        for r in rows
    )


def _lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = [
        f"{label}: {before.get(key) or '―'} → {after.get(key) or '―'}"
        for key, label in FIELDS
        if key in after and before.get(key) != after.get(key)
    ]
    if "adoptions" in after and before.get("adoptions") != after.get("adoptions"):
        lines.append(f"電子交付の導入範囲: {_adoption_text(after['adoptions'])}")
    if "departments" in after:
        lines += [
            f"部署「{c['name']}」: {c['before']} → {c['after']}"
            for c in department_changes(before.get("departments") or [], after["departments"])
        ]
    return lines


def orderer_history_rows(orderer: Orderer, *, limit: int = 50) -> list[HistoryRow]:
    """The newest changes of the orderer's data, each with who made it (organisation and person)."""
    rows = []
    for entry in orderer_history(orderer=orderer)[:limit]:
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        actor = entry.actor
        rows.append(
            HistoryRow(
                at=entry.at,
                organisation=actor_organisation(actor),
                person=(actor.display_name or actor.get_username()) if actor is not None else entry.actor_label,
                action=action_label(entry.action),
                lines=_lines(before, after) if before else [],
            )
        )
    return rows
