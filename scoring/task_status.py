"""Status of a plan task on a given date: on track, due soon, overdue, completed on time or late.

The due date of a task is the last day allowed as written (``sources.deadlines``). When that day is a weekend day or a
public holiday, the period ends at the end of the next working day (Bộ luật Dân sự 2015, Điều 148 khoản 5: "Khi ngày
cuối cùng của thời hạn là ngày nghỉ cuối tuần hoặc ngày nghỉ lễ thì thời hạn kết thúc tại thời điểm kết thúc ngày làm
việc tiếp theo ngày nghỉ đó"): due Saturday 30/05/2026 → Monday 01/06/2026; due 30/04/2026 or 01/05/2026 → Monday
04/05/2026; due in Tết 16–20/02/2026 → Monday 23/02/2026. Holidays and their substitute days are those of
``common.workdays`` (the ``holidays`` package); a Saturday the government makes a working day in exchange for a
substitute day off (22/08/2026 for 31/08/2026, ``weekend_workdays`` of ``holidays``) is not a rest day, so a period
ending on it is not extended.

A "Trước <date>" deadline is a boundary, not a period: its last day (the eve of the date written) is never moved
(``effective_due(due, before=True)``). The effective due date is worked out once, by ``effective_due``, and stored
(``effective_due_date``); ``task_status`` takes it as it is.

Status on ``as_of`` is the status at the END of that day (calendar days against the effective due date): a report
"tính đến hết ngày 30/09" counts what was done by the end of 30/09 and what was due by then.

- a completion counts only when ``completed_on <= as_of`` (a completion after the as-of date is not known yet):
  ``completed_on_time`` when ``completed_on <= effective due`` (a completion on the due day is on time), else
  ``completed_late``;
- otherwise ``overdue`` from the due day itself (``past_due``: not completed by the end of its last day, the task is
  due and overdue on that day, so it is in the denominator of the rate of a period ending that day), ``due_soon``
  when the due day is 1 to ``due_soon_days`` (14) days after ``as_of``, else ``on_track``;
- ``no_deadline`` when the task has no due date (its completion time could not be read): it is neither on time nor
  late, and is reported as a quality issue upstream.
"""

from __future__ import annotations

from datetime import date, timedelta

from common.workdays import is_working_day

ON_TRACK, DUE_SOON, OVERDUE = "on_track", "due_soon", "overdue"
COMPLETED_ON_TIME, COMPLETED_LATE, NO_DEADLINE = "completed_on_time", "completed_late", "no_deadline"

STATUS_LABELS = {
    ON_TRACK: "Đang thực hiện, trong hạn",
    DUE_SOON: "Sắp đến hạn (≤ 14 ngày)",
    OVERDUE: "Quá hạn",
    COMPLETED_ON_TIME: "Hoàn thành đúng hạn",
    COMPLETED_LATE: "Hoàn thành quá hạn",
    NO_DEADLINE: "Chưa xác định được thời hạn",
}
DUE_SOON_DAYS = 14


def effective_due(due: date, before: bool = False) -> date:
    """The last day of a period ending on ``due``, moved to the next working day when ``due`` is a rest day; a
    "Trước <date>" boundary (``before``) stays where it is."""
    if before:
        return due
    day = due
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def past_due(last: date, as_of: date) -> bool:
    """Whether a task whose effective due date is ``last`` is due (its time is up) by the end of ``as_of``: the one
    rule every status, count and rate of the plan's tasks uses. True on the due day itself: a task not completed by the
    end of its last day is overdue on that day."""
    return as_of >= last


def task_status(last: date | None, completed_on: date | None, as_of: date, due_soon_days: int = DUE_SOON_DAYS) -> str:
    """One of ``STATUS_LABELS``' codes for a task whose effective due date (``effective_due``) is ``last`` and which
    was completed on ``completed_on``."""
    if due_soon_days < 0:
        raise ValueError("due_soon_days phải không âm.")
    if last is None:
        return NO_DEADLINE
    if completed_on is not None and completed_on <= as_of:
        return COMPLETED_ON_TIME if completed_on <= last else COMPLETED_LATE
    if past_due(last, as_of):
        return OVERDUE
    if (last - as_of).days <= due_soon_days:
        return DUE_SOON
    return ON_TRACK
