"""Yen amounts are integers; never floats."""

from __future__ import annotations


def format_yen(amount: int | None) -> str:
    """40000000 -> '40,000,000' (the seed prints 円 separately)."""
    if amount is None:
        return ""
    return f"{int(amount):,}"


def floor_to_unit(amount: int, unit: int) -> int:
    """Cut to whole units: 10万円未満切捨 is floor_to_unit(x, 100_000)."""
    if unit <= 0:
        raise ValueError("unit must be positive")
    return (amount // unit) * unit


def fraction_of(amount: int, numerator: int, denominator: int) -> int:
    """amount × numerator / denominator, truncated to whole yen, in exact integer arithmetic."""
    return (amount * numerator) // denominator
