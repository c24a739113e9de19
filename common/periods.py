"""Reporting periods: month ``2026-M03``, quarter ``2026-Q1``, six months ``2026-H1`` and year (to date) ``2026-Y``.

The labels are the national portal's (its snapshot files use them), so local and portal figures join on them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("month", "quarter", "half", "year")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    label: str
    kind: str  # month | quarter | year
    start: date
    end: date  # last calendar day of the period

    @property
    def vietnamese(self) -> str:
        if self.kind == "month":
            return f"Tháng {self.start:%m/%Y}"
        if self.kind == "quarter":
            return f"Quý {ROMAN[(self.start.month + 2) // 3]}/{self.start.year}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.start.month == 1 else 'cuối'} năm {self.start.year}"
        return f"Năm {self.start.year}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(label: str) -> Period:
    """Period of a label; ValueError for anything else."""
    try:
        year, part = int(label[:4]), label[5:]
        if label[4] != "-":
            raise ValueError
        if part == "Y":
            return Period(label, "year", date(year, 1, 1), date(year, 12, 31))
        if part in ("H1", "H2"):
            half = int(part[1])
            return Period(label, "half", date(year, 6 * half - 5, 1), _month_end(year, 6 * half))
        if part[0] == "Q" and part[1:] in ("1", "2", "3", "4"):
            q = int(part[1:])
            return Period(label, "quarter", date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
        if part[0] == "M" and len(part) == 3 and 1 <= int(part[1:]) <= 12:
            month = int(part[1:])
            return Period(label, "month", date(year, month, 1), _month_end(year, month))
    except (ValueError, IndexError):
        pass
    raise ValueError(f"Kỳ '{label}' không hợp lệ: dùng 2026-M03 (tháng), 2026-Q1 (quý), 2026-H1 (6 tháng) hoặc 2026-Y (năm)")


def period_containing(kind: str, day: date) -> Period:
    if kind == "month":
        return parse_period(f"{day.year}-M{day.month:02d}")
    if kind == "quarter":
        return parse_period(f"{day.year}-Q{(day.month + 2) // 3}")
    if kind == "half":
        return parse_period(f"{day.year}-H{1 if day.month <= 6 else 2}")
    if kind == "year":
        return parse_period(f"{day.year}-Y")
    raise ValueError(f"unknown period kind {kind!r}")


def periods_between(kind: str, first: date, last: date) -> list[Period]:
    """Every period of a kind that overlaps [first, last], in order."""
    out: list[Period] = []
    day = first
    while day <= last:
        p = period_containing(kind, day)
        out.append(p)
        day = date.fromordinal(p.end.toordinal() + 1)
    return out


def periods_closed_by(period: Period) -> list[Period]:
    """The period itself and every quarter, six months or year that ends with it (a unit's quarter II report also
    reports the first six months): the report periods filed under ``period``."""
    out = [period]
    for kind in ("quarter", "half", "year"):
        p = period_containing(kind, period.end)
        if p.end == period.end and p.label not in {x.label for x in out}:
            out.append(p)
    return out


def end_of_label(label: str | None) -> date | None:
    """Last day of a period label, or None for an empty or unreadable one (a report whose period cannot be read)."""
    try:
        return parse_period(label).end if label else None
    except ValueError:
        return None


def report_quarter(label: str | None) -> date | None:
    """First day of the quarter a report period is filed under (six months → its second quarter, year → the fourth)."""
    end = end_of_label(label)
    return None if end is None else period_containing("quarter", end).start


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
