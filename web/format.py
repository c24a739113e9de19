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


def rank_movement(change: Any, against: str = "năm trước") -> dict[str, Any]:
    """A rank change (previous rank - rank: positive moved up) as a screen shows it: an arrow (hidden from screen
    readers), the signed number, and the words a screen reader says instead. No change known: a dash."""
    if missing(change):
        return {"value": "", "arrow": "", "text": "–", "words": f"không so sánh được với {against}"}
    n = int(change)
    if n > 0:
        return {"value": n, "arrow": "▲", "text": f"+{n}", "words": f"tăng {n} bậc so với {against}"}
    if n < 0:
        return {"value": n, "arrow": "▼", "text": f"−{-n}", "words": f"giảm {-n} bậc so với {against}"}
    return {"value": 0, "arrow": "=", "text": "0", "words": f"giữ nguyên hạng so với {against}"}
