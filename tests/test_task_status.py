"""Status of a plan task on a date, with the Civil Code's shift of a period ending on a rest day (scoring/task_status.py)."""

from datetime import date, timedelta

import pytest

from scoring.task_status import STATUS_LABELS, effective_due, past_due, task_status


def status(due: date | None, completed_on: date | None, as_of: date, **kwargs) -> str:
    """The status of a task due on ``due`` as written (a period: shifted past rest days)."""
    return task_status(None if due is None else effective_due(due), completed_on, as_of, **kwargs)


@pytest.mark.parametrize(
    ("due", "effective"),
    [
        (date(2026, 6, 30), date(2026, 6, 30)),  # Tuesday: unchanged
        (date(2026, 5, 30), date(2026, 6, 1)),  # Saturday -> Monday
        (date(2026, 5, 31), date(2026, 6, 1)),  # a period ending on Sunday 31/05 -> Monday
        (date(2026, 4, 30), date(2026, 5, 4)),  # Liberation Day, then Labour Day and the weekend
        (date(2026, 5, 1), date(2026, 5, 4)),
        (date(2026, 4, 26), date(2026, 4, 28)),  # Hùng Kings' day (Sunday) and its substitute Monday
        (date(2026, 2, 14), date(2026, 2, 23)),  # the weekend before Tết
        (date(2026, 2, 16), date(2026, 2, 23)),  # Tết 16-20/02/2026
        (date(2026, 2, 18), date(2026, 2, 23)),
        (date(2026, 2, 20), date(2026, 2, 23)),
        (date(2026, 9, 2), date(2026, 9, 3)),  # National Day
        (date(2026, 12, 31), date(2026, 12, 31)),  # Thursday: "Năm 2026", "Quý IV/2026"
        (date(2026, 1, 31), date(2026, 2, 2)),  # "tháng 01/2026" ends on a Saturday
        (date(2026, 8, 22), date(2026, 8, 22)),  # Saturday worked in exchange for Monday 31/08: not a rest day
        (date(2026, 8, 29), date(2026, 9, 3)),  # Saturday, then 30/08 Sunday, 31/08 day off, 1-2/09 National Day
    ],
)
def test_effective_due_moves_a_rest_day_to_the_next_working_day(due, effective):
    assert effective_due(due) == effective


def test_a_before_boundary_on_a_rest_day_is_not_extended():
    # "Trước 01/6/2026": the last day is Sunday 31/05, and Monday 01/06 is already late.
    last = effective_due(date(2026, 5, 31), before=True)
    assert last == date(2026, 5, 31)
    assert task_status(last, date(2026, 6, 1), as_of=date(2026, 6, 1)) == "completed_late"
    assert task_status(last, None, as_of=date(2026, 6, 1)) == "overdue"


def test_completed_on_the_due_day_itself_is_on_time():
    due = date(2026, 6, 30)
    assert status(due, date(2026, 6, 30), as_of=date(2026, 6, 30)) == "completed_on_time"
    assert status(due, date(2026, 7, 1), as_of=date(2026, 7, 1)) == "completed_late"
    assert status(due, date(2026, 3, 2), as_of=date(2026, 12, 31)) == "completed_on_time"


def test_due_on_a_saturday_ends_on_monday():
    due = date(2026, 5, 30)
    assert status(due, date(2026, 6, 1), as_of=date(2026, 6, 15)) == "completed_on_time"
    assert status(due, date(2026, 6, 2), as_of=date(2026, 6, 15)) == "completed_late"
    assert status(due, None, as_of=date(2026, 5, 31)) == "due_soon"
    assert status(due, None, as_of=date(2026, 6, 1)) == "overdue"  # not done by the end of Monday, its last day


@pytest.mark.parametrize("due", [date(2026, 4, 30), date(2026, 5, 1)])
def test_due_on_a_holiday_ends_after_the_holidays_and_the_weekend(due):
    assert status(due, date(2026, 5, 4), as_of=date(2026, 5, 4)) == "completed_on_time"
    assert status(due, date(2026, 5, 5), as_of=date(2026, 5, 5)) == "completed_late"
    assert status(due, None, as_of=date(2026, 5, 3)) == "due_soon"
    assert status(due, None, as_of=date(2026, 5, 4)) == "overdue"


def test_due_within_tet():
    due = date(2026, 2, 17)
    assert status(due, date(2026, 2, 23), as_of=date(2026, 3, 31)) == "completed_on_time"
    assert status(due, date(2026, 2, 24), as_of=date(2026, 3, 31)) == "completed_late"
    assert status(due, None, as_of=date(2026, 2, 20)) == "due_soon"
    assert status(due, None, as_of=date(2026, 2, 24)) == "overdue"


def test_due_soon_window_counts_calendar_days_to_the_effective_due():
    due = date(2026, 5, 30)  # effective Monday 01/06/2026
    assert status(due, None, as_of=date(2026, 6, 1) - timedelta(days=14)) == "due_soon"
    assert status(due, None, as_of=date(2026, 6, 1) - timedelta(days=15)) == "on_track"
    assert status(due, None, as_of=date(2026, 5, 31)) == "due_soon"  # the day before the last day
    assert status(due, None, as_of=date(2026, 6, 1)) == "overdue"  # the last day itself, not done by its end
    assert status(due, None, as_of=date(2026, 5, 20), due_soon_days=7) == "on_track"
    assert status(due, None, as_of=date(2026, 5, 25), due_soon_days=7) == "due_soon"
    with pytest.raises(ValueError):
        status(due, None, as_of=date(2026, 5, 25), due_soon_days=-1)


def test_a_completion_after_the_as_of_date_is_not_known_yet():
    due = date(2026, 6, 30)
    assert status(due, date(2026, 6, 25), as_of=date(2026, 6, 20)) == "due_soon"
    assert status(due, date(2026, 6, 20), as_of=date(2026, 3, 31)) == "on_track"
    assert status(due, date(2026, 8, 1), as_of=date(2026, 7, 15)) == "overdue"
    assert status(due, date(2026, 8, 1), as_of=date(2026, 8, 1)) == "completed_late"


def test_no_deadline_and_labels():
    assert status(None, None, as_of=date(2026, 6, 1)) == "no_deadline"
    assert status(None, date(2026, 5, 1), as_of=date(2026, 6, 1)) == "no_deadline"
    assert set(STATUS_LABELS) == {"on_track", "due_soon", "overdue", "completed_on_time", "completed_late", "no_deadline"}
    assert STATUS_LABELS["overdue"] == "Quá hạn" and STATUS_LABELS["completed_on_time"] == "Hoàn thành đúng hạn"


def test_status_on_a_day_is_at_the_end_of_that_day():
    """A report "tính đến hết ngày 30/09": a task due 30/09 and not done by then is overdue on 30/09 (in the rate's
    denominator), one completed on 30/09 is on time, one due 01/10 is still due soon."""
    last = date(2026, 9, 30)
    assert past_due(last, date(2026, 9, 30)) and not past_due(last, date(2026, 9, 29))
    assert task_status(last, None, as_of=date(2026, 9, 30)) == "overdue"
    assert task_status(last, date(2026, 9, 30), as_of=date(2026, 9, 30)) == "completed_on_time"
    assert task_status(last, date(2026, 10, 1), as_of=date(2026, 9, 30)) == "overdue"  # not known yet on 30/09
    assert task_status(last, None, as_of=date(2026, 9, 29)) == "due_soon"
    assert task_status(date(2026, 12, 31), None, as_of=date(2026, 12, 31)) == "overdue"  # "Năm 2026" on 31/12
