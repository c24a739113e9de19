"""Numbers and dates as Vietnamese readers write them: 88,5 and 1.234; 30/09/2026."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, digits: int = 2, *, trim: bool = False) -> str:
    """88.5 -> "88,50" (``trim``: "88,5"); 1234 -> "1.234,00"; a missing value is "–". Scores keep their two decimals
    so a column lines up; maxima and axis ticks are trimmed."""
    if missing(value):
        return "–"
    text = f"{float(value):,.{digits}f}"
    if digits and trim:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def day(value: date | datetime | None) -> str:
    return "–" if value is None else f"{value:%d/%m/%Y}"
