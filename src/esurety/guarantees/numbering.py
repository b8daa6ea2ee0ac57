"""Allocation of 10-digit 保証契約番号 from a branch's series."""

from __future__ import annotations

from esurety.core.errors import DomainError
from esurety.guarantees.models import NumberSeries
from esurety.parties.models import Branch


def number_allocate(*, branch: Branch, kind: str) -> str:
    """Take the next number of the branch's series for this kind (or its default series).

    Must run inside the transaction that stores the guarantee: the row lock
    on the series makes concurrent issuances wait for each other, so two
    guarantees never get the same number.
    """
    series = (
        NumberSeries.objects.select_for_update().filter(branch=branch, kind=kind).first()
        or NumberSeries.objects.select_for_update().filter(branch=branch, kind="").first()
    )
    if series is None:
        raise DomainError(f"{branch.name}に保証契約番号の採番範囲が設定されていません。")
    if series.next_number > series.last_number:
        raise DomainError(f"{branch.name}の保証契約番号の採番範囲を使い切りました。管理者に連絡してください。")
    number = series.next_number
    series.next_number = number + 1
    series.save(update_fields=["next_number"])
    return f"{number:010d}"
