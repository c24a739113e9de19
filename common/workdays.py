"""Working days in Vietnam: Monday to Friday except public holidays and their substitute days, plus the Saturdays
worked in exchange for a substitute day off (22/08/2026 for 31/08/2026), all from the ``holidays`` package."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays and substitute days off, Saturdays worked in exchange for a substitute day off)."""
    calendar = holidays.country_holidays("VN", years=year)
    make_up = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return frozenset(calendar.keys()), make_up


def is_working_day(day: date) -> bool:
    rest, make_up = _calendar(day.year)
    return day in make_up or (day.weekday() < 5 and day not in rest)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]: 0 when end <= start."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day


def subtract_working_days(day: date, days: int) -> date:
    """The working day `days` working days before `day` (the working days strictly before it; `day` itself is not
    counted, whether or not it is a working day): 5 before Saturday 07/03/2026 is Monday 02/03/2026."""
    while days > 0:
        day -= timedelta(days=1)
        days -= is_working_day(day)
    return day
