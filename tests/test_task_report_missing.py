"""The view mart_task_report_missing: per report period, the lead units with tasks in the plan (as it stood at the end
of the period) that sent no report of the period, with the report's due date and whether it is late."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from warehouse.schema import ensure_schema
from warehouse.tasks import refresh_plan_revisions

DEPT, VP, CDS, QLCN = "19.SKHCN", "19.SKHCN.VP", "19.SKHCN.CDS", "19.SKHCN.QLCN"
PLAN = "188/KH-SKHCN"


def _insert(con, table: str, rows: list[dict]) -> None:
    for row in rows:
        con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def _task(no: str, leads: list[str], issued_on: date, revision: int = 1) -> dict:
    return {
        "plan_number": PLAN,
        "plan_year": 2026,
        "revision": revision,
        "task_no": no,
        "content": f"Nhiệm vụ {no}",
        "lead_codes": leads,
        "source_file": f"ke_hoach_lan_{revision}.xlsx",
        "source_row": 3,
        "issued_on": issued_on,
    }


def _report(unit: str, period: str, day: date, task: str = "1", *, superseded: bool = False) -> dict:
    return {
        "source_file": f"tien_do_{unit}_{period}.xlsx",
        "unit_code": unit,
        "period_label": period,
        "report_date": day,
        "plan_year": 2026,
        "task_no": task,
        "status": "in_progress",
        "source_row": 5,
        "superseded": superseded,
    }


@pytest.fixture
def con():
    con = duckdb.connect()
    ensure_schema(con)
    _insert(
        con,
        "dim_office",
        [
            {"office_code": c, "office_name": n, "kind": "phong", "parent_unit_code": DEPT, "sort_order": i}
            for i, (c, n) in enumerate([(VP, "Văn phòng Sở"), (CDS, "Phòng Chuyển đổi số"), (QLCN, "Phòng Quản lý Chuyên ngành")])
        ],
    )
    tasks = [
        _task("1", [VP], date(2026, 1, 10)),
        _task("2", [CDS], date(2026, 1, 10)),
        _task("3", [CDS, VP], date(2026, 1, 10)),
        # added by the revision of 15 July: not a task of Q1 or Q2
        _task("4", [QLCN], date(2026, 7, 15), revision=2),
    ]
    _insert(con, "plan_task_history", tasks)
    refresh_plan_revisions(con)  # plan_revision, as load_plan_registers leaves it
    _insert(
        con,
        "fct_plan_task",
        [
            {k: v for k, v in t.items() if k != "issued_on"}
            | {"first_revision": t["revision"], "changed_in_revision": t["revision"]}
            for t in tasks
        ],
    )
    _insert(
        con,
        "stg_task_report",
        [
            _report(VP, "2026-Q1", date(2026, 4, 5)),
            _report(VP, "2026-Q2", date(2026, 7, 3)),
            _report(CDS, "2026-Q1", date(2026, 4, 20)),
            _report(CDS, "2026-Q2", date(2026, 7, 1), superseded=True),  # replaced by a later copy: still a report
            _report(CDS, "2026-Q2", date(2026, 7, 2)),
            _report(VP, "2026-M10", date(2026, 11, 2)),  # a monthly report does not stand for the quarter
        ],
    )
    yield con
    con.close()


def missing(con, period: str) -> list[tuple]:
    return con.execute(
        """SELECT unit_code, unit_name, tasks, last_period, last_report_date, report_due_on, is_late
                          FROM mart_task_report_missing WHERE for_period = ? ORDER BY unit_code""",
        [period],
    ).fetchall()


def test_units_that_reported_are_not_listed_and_tasks_follow_the_plan_at_the_period_end(con):
    assert missing(con, "2026-Q1") == []
    assert missing(con, "2026-Q2") == []  # QLCN's task came with the July revision
    con.execute("SET VARIABLE task_report_as_of = DATE '2026-10-20'")
    q3 = missing(con, "2026-Q3")
    assert [(u, n, t, p, d) for u, n, t, p, d, _, _ in q3] == [
        (CDS, "Phòng Chuyển đổi số", 2, "2026-Q2", date(2026, 7, 2)),
        (QLCN, "Phòng Quản lý Chuyên ngành", 1, None, None),
        (VP, "Văn phòng Sở", 2, "2026-Q2", date(2026, 7, 3)),
    ]
    assert {r[5] for r in q3} == {date(2026, 10, 15)}  # 15 days after the end of the quarter by default
    assert all(r[6] for r in q3)  # 20 October: after the due date


def test_a_report_made_before_the_due_date_lists_nobody_as_late(con):
    con.execute("SET VARIABLE task_report_as_of = DATE '2026-12-02'")
    q4 = missing(con, "2026-Q4")
    assert {r[0] for r in q4} == {VP, CDS, QLCN}
    assert {r[5] for r in q4} == {date(2027, 1, 15)} and not any(r[6] for r in q4)
    con.execute("SET VARIABLE task_report_as_of = DATE '2027-01-16'")
    assert all(r[6] for r in missing(con, "2026-Q4"))


def test_the_due_date_is_configurable(con):
    con.execute("SET VARIABLE task_report_due_days = 5")
    con.execute("SET VARIABLE task_report_as_of = DATE '2026-10-10'")
    q3 = missing(con, "2026-Q3")
    assert {r[5] for r in q3} == {date(2026, 10, 5)} and all(r[6] for r in q3)


def test_a_report_counts_for_every_period_ending_the_same_day(con):
    """As mart_task_report_by_unit: a six-month report stands for the quarter and the year ending with it."""
    assert {r[0] for r in missing(con, "2026-Y")} == {VP, CDS, QLCN}
    _insert(con, "stg_task_report", [_report(u, "2026-H2", date(2027, 1, 5)) for u in (VP, CDS, QLCN)])
    assert missing(con, "2026-Q4") == missing(con, "2026-H2") == missing(con, "2026-Y") == []


def test_no_report_at_all_lists_every_lead_unit(con):
    con.execute("DELETE FROM stg_task_report")
    assert [(r[0], r[2], r[3]) for r in missing(con, "2026-Q1")] == [(CDS, 2, None), (VP, 2, None)]


def test_no_lead_unit_is_missing_a_report_of_a_month_that_ends_no_quarter(con):
    """The plan asks for quarterly, six-monthly and yearly reports: every lead unit was listed, and late, for January,
    February, April… (35 false alarms in the demo). A month ending a quarter is the quarter's report."""
    con.execute("SET VARIABLE task_report_as_of = DATE '2026-12-20'")
    assert [m for m in ("2026-M01", "2026-M02", "2026-M04", "2026-M10", "2026-M11") if missing(con, m)] == []
    assert {r[0] for r in missing(con, "2026-M09")} == {r[0] for r in missing(con, "2026-Q3")} == {VP, CDS, QLCN}
