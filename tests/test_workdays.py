"""Working days backwards (QĐ 766 1.1: the decision is on time when dated on or before the legal basis's effective date
minus 5 working days), on the same Vietnamese holiday calendar as the deadlines forwards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from common.workdays import add_working_days, is_working_day, subtract_working_days


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 3, 11), 0, date(2026, 3, 11)),
        (date(2026, 3, 10), 1, date(2026, 3, 9)),
        (date(2026, 3, 9), 1, date(2026, 3, 6)),  # Monday: back over the weekend to Friday
        (date(2026, 3, 11), 5, date(2026, 3, 4)),  # Wednesday to Wednesday across a weekend
        (date(2026, 3, 7), 5, date(2026, 3, 2)),  # Saturday: Fri, Thu, Wed, Tue, Mon
        (date(2026, 3, 8), 5, date(2026, 3, 2)),  # Sunday: the same working days before it
        (date(2026, 2, 23), 1, date(2026, 2, 13)),  # Tết 16-20/02/2026 and two weekends skipped
        (date(2026, 2, 24), 3, date(2026, 2, 12)),  # Mon 23/2, then Fri 13/2, Thu 12/2
        (date(2026, 2, 18), 5, date(2026, 2, 9)),  # from inside Tết: Fri 13 … Mon 9
    ],
)
def test_subtract_working_days(day, n, expected):
    assert subtract_working_days(day, n) == expected
    assert is_working_day(expected) or n == 0


def test_subtract_undoes_add_on_working_days():
    day = date(2026, 1, 2)
    while day < date(2027, 1, 1):
        if is_working_day(day):
            for n in (1, 5, 15):
                assert subtract_working_days(add_working_days(day, n), n) == day
        day += timedelta(days=1)


def test_published_on_time_by_the_literal_rule_when_the_effective_date_is_a_day_off():
    """The reviewer's case: decided Monday 02/03/2026, legal basis effective Saturday 07/03/2026. Five working days
    before the Saturday is the Monday itself, so it is on time (the old `decided + 5 <= effective` said late)."""
    decided, effective = date(2026, 3, 2), date(2026, 3, 7)
    assert decided <= subtract_working_days(effective, 5)
    assert not add_working_days(decided, 5) <= effective  # the rule it replaces
    assert not date(2026, 3, 3) <= subtract_working_days(effective, 5)  # one working day later is late


def test_a_make_up_saturday_is_a_working_day():
    # 2026: the 31/08 bridge day off is worked on Saturday 22/08 (holidays' weekend_workdays).
    assert is_working_day(date(2026, 8, 22)) and not is_working_day(date(2026, 8, 31))
    assert add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
