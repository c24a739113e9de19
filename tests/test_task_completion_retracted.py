"""A unit's later progress report that gives a task another status takes back the "Hoàn thành" of an earlier one
(hand-made register and reports): the status, the rates and the annex follow the latest report, as
``mart_task_report_latest`` does."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from tests.conftest import rows_of
from tests.task_department import add_department, load_task_inbox
from tests.test_plan_task_removed import HEADER, REPORT_TABLE
from tests.test_task_partly_unknown_lead import _put

NOW = datetime(2026, 7, 20, 8, 0)
Q1, Q2 = date(2026, 3, 31), date(2026, 6, 30)


def _report(period: str, day: str, line: list[object]) -> list[list[object]]:
    head = [["BÁO CÁO TIẾN ĐỘ"], ["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", period], ["Ngày báo cáo:", day], []]
    return [*head, REPORT_TABLE, line]


STATUS = "SELECT as_of, status, completed_on, percent FROM mart_task_status WHERE as_of IN (?, ?) ORDER BY 1"


def _load(con: duckdb.DuckDBPyConnection, tmp_path: Path, reports: dict[str, list[list[object]]]) -> None:
    """The plan's task 1 (Văn phòng Sở, due by the end of 2026) and Văn phòng Sở's ``reports`` (file name -> grid), in
    the order given, loaded and judged on 31/03 and 30/06."""
    inbox = tmp_path / "inbox"
    meta = [["Số kế hoạch:", "245/KH-SKHCN"], ["Ngày ban hành:", "29/12/2025"], ["Năm kế hoạch:", 2026], []]
    _put(inbox, "ke_hoach", "ke_hoach_2026.xlsx", [*meta, HEADER, ["1.", "Xây dựng kế hoạch", "Văn phòng Sở", None, "Năm 2026"]])
    for name, grid in reports.items():
        _put(inbox, "tien_do", name, grid)
    add_department(con)
    load_task_inbox(con, inbox, {"2026-Q1": Q1, "2026-Q2": Q2}, NOW)


def test_a_later_report_not_completed_takes_back_an_earlier_completion(con: duckdb.DuckDBPyConnection, tmp_path) -> None:
    first = _report("Quý I/2026", "05/04/2026", ["1", "Hoàn thành", 100, "20/01/2026"])
    _load(
        con,
        tmp_path,
        {"vp_quy_1.xlsx": first, "vp_quy_2.xlsx": _report("Quý II/2026", "05/07/2026", ["1", "Đang triển khai", 60])},
    )
    # Before: completed on time on both days, at 60 % on 30/06 (the annex: "Hoàn thành đúng hạn | 60%").
    assert rows_of(con, STATUS, [Q1, Q2]) == [(Q1, "on_track", None, 100.0), (Q2, "on_track", None, 60.0)]


def test_an_earlier_periods_report_sent_late_does_not_take_back_a_later_completion(
    con: duckdb.DuckDBPyConnection, tmp_path
) -> None:
    # Quý II's report (05/07) says completed on 10/06; the forgotten quý I report, sent on 06/07, says 50 %.
    second = _report("Quý II/2026", "05/07/2026", ["1", "Hoàn thành", 100, "10/06/2026"])
    _load(
        con,
        tmp_path,
        {"vp_quy_2.xlsx": second, "vp_quy_1.xlsx": _report("Quý I/2026", "06/07/2026", ["1", "Đang triển khai", 50])},
    )
    assert rows_of(con, STATUS, [Q1, Q2]) == [(Q1, "on_track", None, 50.0), (Q2, "completed_on_time", date(2026, 6, 10), 100.0)]
    latest = "SELECT status FROM mart_task_report_latest WHERE for_period = '2026-Q2' AND task_no = '1'"
    assert rows_of(con, latest) == [("completed",)]


def test_a_later_report_saying_completed_again_without_a_date_keeps_the_known_date(
    con: duckdb.DuckDBPyConnection, tmp_path
) -> None:
    """Reports that repeat every task each quarter: quý II says "Hoàn thành" again for the task completed on 05/03,
    without the date. The completion moved to the quý II report's date (03/07): on 31/03 the task was not complete
    any more, and a task due in quý I turned overdue. The date reported earlier stays."""
    first = _report("Quý I/2026", "03/04/2026", ["1", "Hoàn thành", 100, "05/03/2026"])
    again = _report("Quý II/2026", "03/07/2026", ["1", "Hoàn thành", 100, None])
    _load(con, tmp_path, {"vp_quy_1.xlsx": first, "vp_quy_2.xlsx": again})
    done = date(2026, 3, 5)
    assert rows_of(con, STATUS, [Q1, Q2]) == [(Q1, "completed_on_time", done, 100.0), (Q2, "completed_on_time", done, 100.0)]


def test_a_completion_without_any_date_known_takes_the_report_date(con: duckdb.DuckDBPyConnection, tmp_path) -> None:
    only = _report("Quý II/2026", "03/07/2026", ["1", "Hoàn thành", 100, None])
    _load(con, tmp_path, {"vp_quy_2.xlsx": only})
    # Completed on the report's date, 03/07: not yet on 30/06.
    assert rows_of(con, STATUS, [Q1, Q2])[1] == (Q2, "on_track", None, 100.0)


def test_a_document_date_corrects_a_report_date_stood_in_for_a_missing_completion_date(
    con: duckdb.DuckDBPyConnection, tmp_path
) -> None:
    """Quý I says "Hoàn thành" without any date (the report's date, 15/04, stands in); quý II repeats it with the
    result document dated 20/03: the document's date is better evidence than a report date, so 20/03 (the first fix
    kept 15/04, a task done on time counted late)."""
    table = [*REPORT_TABLE, "Số văn bản kết quả", "Ngày văn bản"]
    head = [["BÁO CÁO TIẾN ĐỘ"], ["Đơn vị báo cáo:", "Văn phòng Sở"]]

    def report(period: str, day: str, line: list[object]) -> list[list[object]]:
        return [*head, ["Kỳ báo cáo:", period], ["Ngày báo cáo:", day], [], table, line]

    first = report("Quý I/2026", "15/04/2026", ["1", "Hoàn thành", 100, None, None, None])
    second = report("Quý II/2026", "03/07/2026", ["1", "Hoàn thành", 100, None, "12/QĐ-SKHCN", "20/03/2026"])
    _load(con, tmp_path, {"vp_quy_1.xlsx": first, "vp_quy_2.xlsx": second})
    assert rows_of(con, STATUS, [Q1, Q2])[1][1:3] == ("completed_on_time", date(2026, 3, 20))
