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


def _two_vp_tasks(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> Path:
    """The register with tasks 1 and 2 led by Văn phòng Sở (3 by Phòng Chuyển đổi số)."""
    register = [list(r) for r in REGISTER]
    register[8][2] = "Văn phòng Sở"
    return _inbox(con, tmp_path, register)


CURRENT = "SELECT source_file, task_no, status, superseded FROM stg_task_report ORDER BY ALL"


def test_an_addendum_giving_some_tasks_replaces_those_and_the_first_report_still_gives_the_others(con, tmp_path: Path) -> None:
    """Văn phòng Sở reports task 1 done and task 2 under way, then sends an addendum with task 2 alone: task 1's
    completion was erased (the whole first report superseded), the Sở's rate falling from 100 % to 0."""
    inbox = _two_vp_tasks(con, tmp_path)
    first = (["1", "Hoàn thành", 100, "20/09/2026"], ["2", "Đang triển khai", 50])
    _put(inbox, "vp_quy_3.xlsx", _report("Văn phòng Sở", "Quý III/2026", "05/10/2026", *first), age=3600)
    _put(
        inbox,
        "vp_quy_3_bo_sung.xlsx",
        _report("Văn phòng Sở", "Quý III/2026", "10/10/2026", ["2", "Hoàn thành", 100, "30/09/2026"]),
    )
    _load(con, inbox, Q3)
    assert rows_of(con, CURRENT) == [
        ("vp_quy_3.xlsx", "1", "completed", False),
        ("vp_quy_3.xlsx", "2", "in_progress", True),
        ("vp_quy_3_bo_sung.xlsx", "2", "completed", False),
    ]
    [(file_name, reason)] = rows_of(con, "SELECT file_name, reason FROM file_issues WHERE rule = 'superseded_report'")
    assert file_name == "vp_quy_3.xlsx" and reason.startswith("Nhiệm vụ 2 được báo cáo lại trong tệp 'vp_quy_3_bo_sung.xlsx'")
    assert "các nhiệm vụ khác của tệp này vẫn được dùng" in reason
    first_tables = rows_of(con, CURRENT), rows_of(con, "SELECT * FROM file_issues ORDER BY ALL")
    _load(con, inbox, Q3, datetime(2027, 1, 11, 8, 0))  # a rerun gives the same tables
    assert (rows_of(con, CURRENT), rows_of(con, "SELECT * EXCLUDE (loaded_at) FROM file_issues ORDER BY ALL")) == (
        first_tables[0],
        [r[:6] + r[7:] for r in first_tables[1]],
    )


def test_a_report_on_another_units_template_does_not_replace_that_units_report(con, tmp_path: Path) -> None:
    """Phòng Chuyển đổi số fills in Văn phòng Sở's report, leaving 'Đơn vị báo cáo: Văn phòng Sở', and sends it
    later: its rows are not the office's tasks, so the office's real report still counts, and the file says why."""
    inbox = _inbox(con, tmp_path)
    _put(inbox, "vp_quy_3.xlsx", _report("Văn phòng Sở", "Quý III/2026", "03/10/2026", ["1", "Hoàn thành", 100, "20/09/2026"]))
    _put(inbox, "cds_quy_3.xlsx", _report("Văn phòng Sở", "Quý III/2026", "06/10/2026", ["3", "Hoàn thành", 100, "01/10/2026"]))
    _load(con, inbox, Q3)
    assert rows_of(con, CURRENT) == [("cds_quy_3.xlsx", "3", "completed", False), ("vp_quy_3.xlsx", "1", "completed", False)]
    notes = rows_of(con, "SELECT file_name, rule FROM file_issues WHERE rule LIKE '%lead%' OR rule LIKE '%led%' ORDER BY ALL")
    assert notes == [("cds_quy_3.xlsx", "no_led_task"), ("cds_quy_3.xlsx", "not_lead_unit")]
    [(reason,)] = rows_of(con, "SELECT reason FROM file_issues WHERE rule = 'no_led_task'")
    assert "'Văn phòng Sở'" in reason and "Đơn vị báo cáo" in reason


def test_a_report_gone_from_the_inbox_keeps_its_rows_until_withdrawn(con, tmp_path: Path) -> None:
    """A report deleted from tien_do/ (an archiving script, a colleague tidying up) took its completions with it
    silently while its lineage still said 'loaded': its rows now stay, with a note saying how to withdraw it; the
    explicit withdrawal removes rows and records; a report renamed (same content) is the same report."""
    inbox = _two_vp_tasks(con, tmp_path)
    rows = (["1", "Hoàn thành", 100, "20/09/2026"], ["2", "Đang triển khai", 50])
    path = _put(inbox, "vp_quy_3.xlsx", _report("Văn phòng Sở", "Quý III/2026", "05/10/2026", *rows))
    _load(con, inbox, Q3)
    loaded = rows_of(con, CURRENT)
    renamed = path.rename(path.with_name("bao_cao_vp_quy_3.xlsx"))
    _load(con, inbox, Q3)
    assert rows_of(con, CURRENT) == [("bao_cao_vp_quy_3.xlsx", t, s, o) for _, t, s, o in loaded]
    assert rows_of(con, "SELECT file_name FROM landed_files WHERE source = 'task_report'") == [("bao_cao_vp_quy_3.xlsx",)]

    renamed.unlink()
    stats = _load(con, inbox, Q3)
    assert stats["reports_gone"] == 1 and rows_of(con, CURRENT) == [("bao_cao_vp_quy_3.xlsx", t, s, o) for _, t, s, o in loaded]
    [(rule, blocking, period, reason)] = rows_of(
        con,
        "SELECT rule, blocking, period_label, reason FROM file_issues WHERE file_name = 'bao_cao_vp_quy_3.xlsx' AND rule <> 'missing_optional_columns'",
    )
    assert (rule, blocking, period) == ("file_gone", False, "2026-Q3") and "withdraw: true" in reason
    assert rows_of(con, "SELECT status FROM landed_files WHERE source = 'task_report'") == [("loaded",)]
    _load(con, inbox, Q3)  # once, whatever the number of runs
    assert rows_of(con, "SELECT count(*) FROM file_issues WHERE rule = 'file_gone'") == [(1,)]

    reports = read_reports(inbox, units=UNITS, offices=OFFICES, known=known_tasks(con), today=date(2027, 1, 10))
    load_task_reports(con, reports, Q3, NOW, withdraw=True)
    assert rows_of(con, CURRENT) == []
    tables = ("file_issues", "landed_files", "quarantine")
    assert [rows_of(con, f"SELECT count(*) FROM {t} WHERE source = 'task_report'") for t in tables] == [[(0,)]] * 3


def test_a_first_report_deleted_once_its_correction_replaced_it_is_forgotten(con, tmp_path: Path) -> None:
    """The office deletes v1 after sending v2 (which gives every task again): v1 gives nothing any more, so it goes
    without a 'file_gone' note that would stay for ever."""
    inbox = _inbox(con, tmp_path)
    first = _put(inbox, "vp_v1.xlsx", _report("Văn phòng Sở", "Quý III/2026", "03/10/2026", ["1", "Đang triển khai", 50]))
    _put(inbox, "vp_v2.xlsx", _report("Văn phòng Sở", "Quý III/2026", "06/10/2026", ["1", "Hoàn thành", 100, "01/10/2026"]))
    _load(con, inbox, Q3)
    first.unlink()
    _load(con, inbox, Q3)
    assert rows_of(con, CURRENT) == [("vp_v2.xlsx", "1", "completed", False)]
    assert rows_of(con, "SELECT DISTINCT file_name FROM file_issues WHERE source = 'task_report'") == [("vp_v2.xlsx",)]


def test_a_reporting_unit_that_matches_no_single_unit_is_refused_with_the_closest_name_or_the_units_named(
    con, tmp_path: Path
) -> None:
    """'Phòng Bưu chính Viễn thông số' (the office is 'Phòng Bưu chính - Viễn thông') and a header naming two offices
    were refused with only 'không có trong danh mục': the refusal now says which unit was likely meant, or that one
    report names one unit. ('Phòng Bưu chính và Viễn thông' is that office: a connector counts for nothing.)"""
    inbox = _inbox(con, tmp_path)
    row = ["1", "Đang triển khai", 50]
    _put(inbox, "bcvt.xlsx", _report("Phòng Bưu chính Viễn thông số", "Quý III/2026", "05/10/2026", row))
    _put(inbox, "va.xlsx", _report("Phòng Bưu chính và Viễn thông", "Quý III/2026", "05/10/2026", row))
    _put(inbox, "hai.xlsx", _report("Phòng Chuyển đổi số, Văn phòng Sở", "Quý III/2026", "05/10/2026", row))
    reports = {
        r.path.name: r for r in read_reports(inbox, units=UNITS, offices=OFFICES, known=known_tasks(con), today=date(2027, 1, 10))
    }
    assert not [i for i in reports["va.xlsx"].issues if i.rule == "unknown_unit"]
    [bcvt] = [i.reason for i in reports["bcvt.xlsx"].issues if i.rule == "unknown_unit"]
    assert "(có phải 'Phòng Bưu chính - Viễn thông'?)" in bcvt
    [two] = [i.reason for i in reports["hai.xlsx"].issues if i.rule == "unknown_unit"]
    assert "ghi nhiều đơn vị: 'Phòng Chuyển đổi số', 'Văn phòng Sở'" in two
