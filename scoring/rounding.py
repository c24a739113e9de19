"""Rounding as the published tables do it: half up (3.925 → 3.93), not Python's round(), which rounds the binary
float (3.925 is stored as 3.92499…, so round(3.925, 2) gives 3.92 while round(2.975, 2) gives 2.98)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, digits: int = 2) -> float:
    """``value`` rounded half up to ``digits`` decimals. It is first written with 9 decimals, so a product that lands
    a hair below the half (5 × 0.785 = 3.9249999…) counts as the half it stands for."""
    return float(Decimal(f"{value:.9f}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
