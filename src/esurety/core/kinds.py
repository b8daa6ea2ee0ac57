"""Domain vocabularies shared by parties (adoption rules) and guarantees."""

from __future__ import annotations

from django.db import models


class GuaranteeKind(models.TextChoices):
    """区分. Labels are the short forms the seed's list prints."""

    ADVANCE = "ADVANCE", "前払"
    INTERIM_ADVANCE = "INTERIM_ADVANCE", "中間前払"
    PERFORMANCE = "PERFORMANCE", "契約"
    # 契約保証予約 exists on paper only; it can never be delivered electronically.
    PERFORMANCE_RESERVATION = "PERFORMANCE_RESERVATION", "契約保証予約"


KIND_FULL_NAMES: dict[str, str] = {
    GuaranteeKind.ADVANCE: "前払金保証",
    GuaranteeKind.INTERIM_ADVANCE: "中間前払金保証",
    GuaranteeKind.PERFORMANCE: "契約保証",
    GuaranteeKind.PERFORMANCE_RESERVATION: "契約保証予約",
}

ELECTRONIC_KINDS: frozenset[str] = frozenset(
    {GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE}
)
ADVANCE_KINDS: frozenset[str] = frozenset({GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE})


def kind_full_name(kind: str) -> str:
    return KIND_FULL_NAMES[kind]


class WorkCategory(models.TextChoices):
    WORKS = "WORKS", "工事"
    CONSULTING = "CONSULTING", "建設コンサルタント業務"


class DeliveryMethod(models.TextChoices):
    ELECTRONIC = "ELECTRONIC", "電子交付"
    PAPER = "PAPER", "書面"
