"""Progress reports that must not count, through the loader: a period of another year than the report's date is
recorded with its reason by the run that sees it (never silently left out), a blank report sent after the real one
never replaces it, and task numbers written with a leading zero match the register."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from common.units import load_offices, load_units
from tests.conftest import rows_of
from tests.excel_files import write_xlsx
from tests.test_excel_intake import REGISTER
from warehouse.tasks import known_tasks, load_plan_registers, load_task_reports, read_reports

NOW = datetime(2027, 1, 10, 8, 0)
UNITS, OFFICES = load_units("Thái Nguyên"), load_offices("Thái Nguyên")
TABLE = ["Số TT nhiệm vụ", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Ngày hoàn thành"]
Q3 = ["2026-Q3"]
Q4 = ["2026-Q4", "2026-H2", "2026-Y"]  # what the partition 2026-10-01 files (assets.tasks._report_periods)


def _report(unit: str, period: str, day: str, *rows: list[object]) -> list[list[object]]:
    head = [["BÁO CÁO TIẾN ĐỘ"], ["Đơn vị báo cáo:", unit], ["Kỳ báo cáo:", period], ["Ngày báo cáo:", day], []]
    return [*head, TABLE, *[list(r) for r in rows]]


def _put(inbox: Path, name: str, grid: list[list[object]], *, age: int = 60) -> Path:
    """A report that finished arriving ``age`` seconds ago (not watched for a copy in progress)."""
    path = write_xlsx(inbox / "tien_do" / name, grid, "Báo cáo")
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def _inbox(con: duckdb.DuckDBPyConnection, tmp_path: Path, register: list[list[object]] = REGISTER) -> Path:
    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    (inbox / "tien_do").mkdir(parents=True)
    path = write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", register, "Danh mục nhiệm vụ")
    old = time.time() - 60
    os.utime(path, (old, old))
    load_plan_registers(con, inbox, units=UNITS, offices=OFFICES, now=NOW)
    return inbox


def _load(con: duckdb.DuckDBPyConnection, inbox: Path, labels: list[str], now: datetime = NOW) -> dict:
    reports = read_reports(inbox, units=UNITS, offices=OFFICES, known=known_tasks(con), today=date(2027, 1, 10))
    return load_task_reports(con, reports, labels, now)


def test_a_report_naming_last_years_period_is_recorded_with_its_reason_not_left_out(con, tmp_path: Path) -> None:
    inbox = _inbox(con, tmp_path)
    _put(inbox, "vp_quy_3.xlsx", _report("Văn phòng Sở", "Quý III/2026", "05/10/2026", ["1", "Hoàn thành", 100, "20/09/2026"]))
    # Last year's template, the period left unchanged: no partition's run has 2025-Q3.
    stale = ["3", "Hoàn thành", 100, "01/10/2026"]
    _put(inbox, "cds_quy_3.xlsx", _report("Phòng Chuyển đổi số", "Quý III/2025", "06/10/2026", stale))
    _put(inbox, "vp_quy_4.xlsx", _report("Văn phòng Sở", "Quý IV/2026", "05/01/2027", ["1", "Hoàn thành", 100, "20/09/2026"]))
    _load(con, inbox, Q3)
    landed = "SELECT file_name, status, partition_date FROM landed_files WHERE source = 'task_report' ORDER BY file_name"
    # The Q4 report is its own partition's run's, never recorded by the Q3 run.
    assert [(f, s) for f, s, _ in rows_of(con, landed)] == [("cds_quy_3.xlsx", "rejected"), ("vp_quy_3.xlsx", "loaded")]
    [(rule, blocking, partition_date, reason)] = rows_of(
        con, "SELECT rule, blocking, partition_date, reason FROM file_issues WHERE file_name = 'cds_quy_3.xlsx' AND blocking"
    )
    assert (rule, blocking, partition_date) == ("period_date_mismatch", True, None)  # no date: every annex lists it
    assert "'Quý III/2025'" in reason and "06/10/2026" in reason and "Đề nghị sửa 'Kỳ báo cáo'" in reason
    assert rows_of(con, "SELECT DISTINCT source_file FROM stg_task_report") == [("vp_quy_3.xlsx",)]
    # The Q4 run loads its report and records the stale one again in place, never twice.
    _load(con, inbox, Q4)
    assert [(f, s) for f, s, _ in rows_of(con, landed)] == [
        ("cds_quy_3.xlsx", "rejected"),
        ("vp_quy_3.xlsx", "loaded"),
        ("vp_quy_4.xlsx", "loaded"),
    ]
    assert rows_of(con, "SELECT count(*) FROM file_issues WHERE file_name = 'cds_quy_3.xlsx' AND blocking") == [(1,)]
    assert rows_of(con, "SELECT DISTINCT source_file FROM stg_task_report ORDER BY 1") == [("vp_quy_3.xlsx",), ("vp_quy_4.xlsx",)]


def test_a_blank_report_sent_after_the_real_one_never_replaces_it(con, tmp_path: Path) -> None:
    inbox = _inbox(con, tmp_path)
    real = _report("Văn phòng Sở", "Quý III/2026", "05/10/2026", ["1", "Hoàn thành", 100, "20/09/2026"])
    _put(inbox, "vp_quy_3.xlsx", real, age=3600)
    _put(inbox, "vp_quy_3_gui_lai.xlsx", _report("Văn phòng Sở", "Quý III/2026", "08/10/2026"))  # the template, dated later
    stats = _load(con, inbox, Q3)
    assert stats["superseded"] == 0 and stats["reports_rejected"] == 1
    used = "SELECT source_file, task_no, status, superseded FROM stg_task_report ORDER BY ALL"
    assert rows_of(con, used) == [("vp_quy_3.xlsx", "1", "completed", False)]
    [(rule, blocking, reason)] = rows_of(
        con, "SELECT rule, blocking, reason FROM file_issues WHERE file_name = 'vp_quy_3_gui_lai.xlsx' AND blocking"
    )
    assert (rule, blocking) == ("no_rows", True) and "vẫn được dùng" in reason
    assert rows_of(con, "SELECT count(*) FROM file_issues WHERE rule = 'superseded_report'") == [(0,)]
    # A later report with rows still supersedes the real one, as ever.
    later = _report("Văn phòng Sở", "Quý III/2026", "09/10/2026", ["1", "Đang triển khai", 90])
    _put(inbox, "vp_quy_3_bo_sung.xlsx", later)
    _load(con, inbox, Q3, datetime(2027, 1, 11, 8, 0))
    assert rows_of(con, used) == [
        ("vp_quy_3.xlsx", "1", "completed", True),
        ("vp_quy_3_bo_sung.xlsx", "1", "in_progress", False),
    ]


def test_task_numbers_with_a_leading_zero_match_in_register_and_report(con, tmp_path: Path) -> None:
    register = [list(r) for r in REGISTER]
    for row in register[7:]:
        row[0] = row[0].zfill(2)  # "01", "02", "03"
    inbox = _inbox(con, tmp_path, register)
    assert rows_of(con, "SELECT task_no FROM fct_plan_task ORDER BY task_no") == [("1",), ("2",), ("3",)]
    rows = (["1", "Hoàn thành", 100, "20/09/2026"], ["003", "Đang triển khai", 50])
    _put(inbox, "vp_quy_3.xlsx", _report("Văn phòng Sở", "Quý III/2026", "05/10/2026", *rows))
    stats = _load(con, inbox, Q3)
    assert stats["rows_rejected"] == 0
    assert rows_of(con, "SELECT task_no FROM stg_task_report ORDER BY task_no") == [("1",), ("3",)]
