"""A revision that removes a task (hand-made registers): the task was in force before the revision's issue date, so
the first quarter's statuses, on-time rate, lead units due to report, annex and Word report keep it, as the register
then wrote it; from the issue date it is gone (never overdue for ever), and the annex says from which revision."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from common.periods import parse_period
from common.units import load_offices, load_units
from documents.task_report import context, read_task_document_data
from tests.conftest import rows_of
from tests.excel_files import write_xlsx
from tests.task_department import CDS, DEPT, VP, add_department, load_task_inbox
from workbooks.excel import frame_records
from workbooks.tasks import read_task_report_data, task_rows

NOW = datetime(2026, 10, 5, 8, 0)
UNITS, OFFICES = load_units("Thái Nguyên"), load_offices("Thái Nguyên")
HEADER = ["Số TT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
REPORT_TABLE = ["Số TT nhiệm vụ", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Ngày hoàn thành"]
TASK_1 = "Xây dựng Kế hoạch thực hiện nhiệm vụ cải cách hành chính năm 2026 của Sở"
TASK_2 = "Rà soát, đánh giá việc triển khai nền tảng số dùng chung của Sở trên địa bàn tỉnh"
TASK_3 = "Tổ chức triển khai xử lý các văn bản QPPL chịu sự tác động của việc sắp xếp tổ chức bộ máy"
Q1, Q3 = date(2026, 3, 31), date(2026, 9, 30)


def _put(inbox: Path, folder: str, name: str, grid: list[list[object]], sheet: str) -> None:
    (inbox / folder).mkdir(parents=True, exist_ok=True)
    path = write_xlsx(inbox / folder / name, grid, sheet)
    old = time.time() - 60
    os.utime(path, (old, old))


def _register(revision: int, issued: str, tasks: list[list[object]]) -> list[list[object]]:
    meta = [["Số kế hoạch:", "245/KH-SKHCN"], ["Ngày ban hành:", issued], ["Năm kế hoạch:", 2026]]
    return [*meta, ["Lần ban hành/sửa đổi:", revision], [], HEADER, *tasks]


def _report(unit: str, period: str, day: str, *rows: list[object]) -> list[list[object]]:
    head = [["BÁO CÁO TIẾN ĐỘ"], ["Đơn vị báo cáo:", unit], ["Kỳ báo cáo:", period], ["Ngày báo cáo:", day], []]
    return [*head, REPORT_TABLE, *[list(r) for r in rows]]


def _warehouse(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Plan 245/KH-SKHCN of 29/12/2025 with tasks 1–3; its revision 2 of 15/06/2026 drops task 2 (Phòng Chuyển đổi
    số, due in February, completed on 20/02); Q1 reports of both lead units, loaded after the revision."""
    inbox = tmp_path / "inbox"
    first = [
        ["1.", TASK_1, "Văn phòng Sở", None, "Quý I/2026"],
        ["2.", TASK_2, "Phòng Chuyển đổi số", "Văn phòng Sở", "Tháng 02/2026"],
        ["3.", TASK_3, "Văn phòng Sở", None, "Quý III/2026"],
    ]
    second = [first[0], first[2]]
    _put(inbox, "ke_hoach", "ke_hoach_2026.xlsx", _register(1, "29/12/2025", first), "Danh mục nhiệm vụ")
    _put(inbox, "ke_hoach", "ke_hoach_2026_sua_doi.xlsx", _register(2, "15/06/2026", second), "Danh mục nhiệm vụ")
    add_department(con)
    vp = _report(
        "Văn phòng Sở", "Quý I/2026", "03/04/2026", ["1", "Hoàn thành", 100, "25/03/2026"], ["3", "Đang triển khai", 20, None]
    )
    cds = _report("Phòng Chuyển đổi số", "Quý I/2026", "02/04/2026", ["2", "Hoàn thành", 100, "20/02/2026"])
    _put(inbox, "tien_do", "vp_quy_1.xlsx", vp, "Báo cáo")
    _put(inbox, "tien_do", "cds_quy_1.xlsx", cds, "Báo cáo")
    load_task_inbox(con, inbox, {"2026-Q1": Q1, "2026-Q3": Q3}, NOW, days=[Q1, date(2026, 6, 14), date(2026, 6, 15), Q3])


def test_a_task_removed_by_a_revision_counts_before_its_issue_date_only(con: duckdb.DuckDBPyConnection, tmp_path) -> None:
    _warehouse(con, tmp_path)
    assert rows_of(con, "SELECT count(*) FROM quarantine WHERE source = 'task_report'") == [(0,)]  # task 2 is known
    statuses = "SELECT task_no, status, effective_due_date FROM mart_task_status WHERE as_of = ? ORDER BY task_order"
    assert rows_of(con, statuses, [Q1]) == [
        ("1", "completed_on_time", date(2026, 3, 31)),
        ("2", "completed_on_time", date(2026, 3, 2)),  # 28/02 is a Saturday
        ("3", "on_track", date(2026, 9, 30)),
    ]
    assert [t for t, *_ in rows_of(con, statuses, [date(2026, 6, 14)])] == ["1", "2", "3"]
    assert [t for t, *_ in rows_of(con, statuses, [date(2026, 6, 15)])] == ["1", "3"]  # gone from the issue date
    assert rows_of(con, statuses, [Q3]) == [("1", "completed_on_time", date(2026, 3, 31)), ("3", "overdue", Q3)]
    completion = """SELECT unit_code, tasks, due, completed_on_time, overdue, on_time_rate FROM mart_task_completion
                    WHERE period_label = ? ORDER BY unit_code"""
    assert rows_of(con, completion, ["2026-Q1"]) == [
        (DEPT, 3, 2, 2, 0, 100.0),
        (CDS, 1, 1, 1, 0, 100.0),
        (VP, 2, 1, 1, 0, 100.0),
    ]
    assert rows_of(con, completion, ["2026-Q3"]) == [(DEPT, 2, 2, 1, 1, 50.0), (VP, 2, 2, 1, 1, 50.0)]
    # Phòng Chuyển đổi số led a task of the plan in force at the end of Q1: due to report Q1, not Q3.
    missing = "SELECT unit_code, tasks FROM mart_task_report_missing WHERE for_period = ? ORDER BY unit_code"
    assert rows_of(con, missing, ["2026-Q1"]) == []
    assert rows_of(con, missing, ["2026-Q3"]) == [(VP, 2)]


def test_the_first_quarters_annex_and_report_list_the_removed_task_and_say_it_was_removed(
    con: duckdb.DuckDBPyConnection, tmp_path
) -> None:
    _warehouse(con, tmp_path)
    q1 = read_task_report_data(con, parse_period("2026-Q1"), Q1, DEPT)
    rows = {r["task_no"]: r for r in task_rows(frame_records(q1.tasks))}
    assert list(rows) == ["1", "2", "3"]
    assert rows["2"]["content"] == TASK_2 and rows["2"]["lead"] == "Phòng Chuyển đổi số"
    assert rows["2"]["status"] == "Hoàn thành đúng hạn" and rows["2"]["deadline"].startswith("Tháng 02/2026")
    assert "Bỏ khỏi kế hoạch từ lần sửa đổi 1 ngày 15/06/2026" in rows["2"]["note"]
    assert "Bỏ khỏi kế hoạch" not in rows["1"]["note"] + rows["3"]["note"]
    document = read_task_document_data(con, parse_period("2026-Q1"), Q1, DEPT, made_on=NOW.date())
    text = "\n".join(str(v) for v in context(document).values())
    assert "Kế hoạch có 3 nhiệm vụ" in text and "Tỷ lệ hoàn thành đúng hạn" in text
    q3 = read_task_report_data(con, parse_period("2026-Q3"), Q3, DEPT)
    assert list(q3.tasks["task_no"]) == ["1", "3"]
