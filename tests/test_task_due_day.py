"""The on-time rate of a period counts the tasks due on its last day (hand-computed): the Q3 report "tính đến hết ngày
30/09" has a task due 30/09 and not done as overdue, in its denominator, and one completed on 30/09 as on time."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from tests.conftest import rows_of
from tests.task_department import DEPT, VP, add_department, insert_rows
from warehouse.tasks import on_time_rates, refresh_completion, refresh_plan_revisions, refresh_task_status

Q3_END = date(2026, 9, 30)
# task, due, completed on (reported by VP, the lead unit)
TASKS = (
    ("1", date(2026, 3, 31), date(2026, 3, 20)),  # done on time in Q1
    ("2", Q3_END, None),  # due 30/09, not done: overdue on 30/09
    ("3", Q3_END, Q3_END),  # done on its last day: on time
    ("4", date(2026, 12, 31), None),  # not due yet
)


def _add_task(con: duckdb.DuckDBPyConnection, no: str, due: date, leads: list[str], done: date | None, period: str) -> None:
    """A task of the 2026 plan led by ``leads``, and its first lead's report of ``period`` completing it on ``done``."""
    common = {
        "plan_number": "45/KH-SKHCN",
        "plan_year": 2026,
        "revision": 1,
        "task_no": no,
        "content": f"Nhiệm vụ {no}",
        "deadline_text": f"Trước ngày {due:%d/%m/%Y}",
        "due_date": due,
        "effective_due_date": due,
        "provisional": False,
        "source_file": "ke_hoach_2026.xlsx",
        "source_row": 10 + int(no),
        "lead_codes": leads,
    }
    insert_rows(con, "plan_task_history", [{**common, "issued_on": date(2025, 12, 30)}])
    insert_rows(con, "fct_plan_task", [{**common, "first_revision": 1, "changed_in_revision": 1}])
    if done is not None:
        report = {
            "source_file": f"tien_do_{period}.xlsx",
            "unit_code": leads[0],
            "period_label": period,
            "report_date": date(2026, 10, 3),
            "plan_year": 2026,
            "task_no": no,
            "status": "completed",
            "completed_on": done,
            "source_row": 5,
            "superseded": False,
        }
        insert_rows(con, "stg_task_report", [report])


def _warehouse(con: duckdb.DuckDBPyConnection) -> None:
    add_department(con)
    for no, due, done in TASKS:
        _add_task(con, no, due, [VP], done, "2026-Q3")
    refresh_plan_revisions(con)  # plan_revision, as load_plan_registers leaves it


def test_a_task_due_on_the_periods_last_day_and_not_done_is_overdue_in_that_periods_rate(con) -> None:
    _warehouse(con)
    refresh_task_status(con, 2026, [date(2026, 9, 29), Q3_END])
    statuses = rows_of(con, "SELECT as_of, task_no, status FROM mart_task_status ORDER BY as_of, task_no")
    assert statuses == [
        (date(2026, 9, 29), "1", "completed_on_time"),
        (date(2026, 9, 29), "2", "due_soon"),
        (date(2026, 9, 29), "3", "due_soon"),  # its completion on 30/09 is not known on 29/09
        (date(2026, 9, 29), "4", "on_track"),
        (Q3_END, "1", "completed_on_time"),
        (Q3_END, "2", "overdue"),
        (Q3_END, "3", "completed_on_time"),
        (Q3_END, "4", "on_track"),
    ]
    refresh_completion(con, 2026, [("2026-Q3", Q3_END)], DEPT)
    # due by the end of 30/09: tasks 1, 2, 3; on time: 1 and 3 -> 2/3 = 66.7 %
    assert rows_of(
        con,
        """SELECT unit_code, tasks, due, completed_on_time, completed_late, overdue, on_time_rate
           FROM mart_task_completion WHERE period_label = '2026-Q3' ORDER BY unit_code""",
    ) == [(DEPT, 4, 3, 2, 0, 1, 66.7), (VP, 4, 3, 2, 0, 1, 66.7)]
    # the DTI and PAR index's rate (2 decimals) reads the same rule
    assert on_time_rates(con, 2026, Q3_END, DEPT) == {DEPT: pytest.approx(200 / 3), VP: pytest.approx(200 / 3)}
    assert on_time_rates(con, 2026, date(2026, 9, 29), DEPT) == {DEPT: 100.0, VP: 100.0}


def test_the_department_named_among_its_tasks_leads_counts_each_task_once(con) -> None:
    """'Sở Khoa học và Công nghệ' (or 'Các sở, ban, ngành') as a task's lead made the department a lead unit of its
    own plan: its task counted twice in its rate. By hand: task 1 (lead: the department, done 01/03, due 31/03) on
    time, task 2 (lead: Văn phòng, due 31/03) not done: 1 of 2 = 50 % (it gave 2 of 3)."""
    add_department(con)
    _add_task(con, "1", date(2026, 3, 31), [DEPT], date(2026, 3, 1), "2026-Q1")
    _add_task(con, "2", date(2026, 3, 31), [VP], None, "2026-Q1")
    refresh_plan_revisions(con)
    assert on_time_rates(con, 2026, date(2026, 6, 30), DEPT) == {DEPT: 50.0, VP: 0.0}
    refresh_completion(con, 2026, [("2026-Q2", date(2026, 6, 30))], DEPT)
    assert rows_of(
        con,
        "SELECT due, completed_on_time, overdue FROM mart_task_completion WHERE unit_code = ? AND period_label = '2026-Q2'",
        [DEPT],
    ) == [(2, 1, 1)]
