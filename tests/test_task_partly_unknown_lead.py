"""A task led by several units of which the master data knows only some (hand-made register): the unknown lead is
kept as the plan writes it (``unknown_leads``), named in the register's quality notes, shown beside the known leads
in the annex, and the report never says every lead unit has reported when one of them cannot be told."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from common.periods import parse_period
from documents.task_report import context, read_task_document_data
from tests.conftest import rows_of
from tests.excel_files import write_xlsx
from tests.task_department import DEPT, add_department, load_task_inbox
from tests.test_plan_task_removed import HEADER, REPORT_TABLE
from workbooks.excel import frame_records
from workbooks.tasks import read_task_report_data, task_rows, unidentified_leads

NOW = datetime(2026, 10, 20, 8, 0)
CENTRE = "Trung tâm Thông tin và Thống kê khoa học"  # not in the department's office list
Q3 = date(2026, 9, 30)


def _put(inbox: Path, folder: str, name: str, grid: list[list[object]]) -> None:
    (inbox / folder).mkdir(parents=True, exist_ok=True)
    path = write_xlsx(inbox / folder / name, grid, "Danh mục")
    old = time.time() - 60
    os.utime(path, (old, old))


def _warehouse(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    meta = [["Số kế hoạch:", "245/KH-SKHCN"], ["Ngày ban hành:", "29/12/2025"], ["Năm kế hoạch:", 2026], []]
    tasks = [
        ["1.", "Xây dựng Kế hoạch cải cách hành chính năm 2026 của Sở", "Văn phòng Sở", None, "Quý I/2026"],
        [
            "2.",
            "Số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực",
            f"Phòng Chuyển đổi số; {CENTRE}",
            None,
            "Quý III/2026",
        ],
    ]
    _put(inbox, "ke_hoach", "ke_hoach_2026.xlsx", [*meta, HEADER, *tasks])
    head = [["BÁO CÁO TIẾN ĐỘ"], ["Kỳ báo cáo:", "Quý III/2026"], ["Ngày báo cáo:", "05/10/2026"], []]
    vp = [head[0], ["Đơn vị báo cáo:", "Văn phòng Sở"], *head[1:], REPORT_TABLE, ["1", "Hoàn thành", 100, "25/03/2026"]]
    cds = [head[0], ["Đơn vị báo cáo:", "Phòng CĐS"], *head[1:], REPORT_TABLE, ["2", "Hoàn thành", 100, "20/09/2026"]]
    _put(inbox, "tien_do", "vp_quy_3.xlsx", vp)
    _put(inbox, "tien_do", "cds_quy_3.xlsx", cds)
    add_department(con)
    load_task_inbox(con, inbox, {"2026-Q3": Q3}, NOW)


def test_the_unknown_lead_of_a_shared_task_is_kept_noted_and_shown(con: duckdb.DuckDBPyConnection, tmp_path) -> None:
    _warehouse(con, tmp_path)
    assert rows_of(con, "SELECT task_no, lead_codes, unknown_leads FROM fct_plan_task ORDER BY task_no") == [
        ("1", ["19.SKHCN.VP"], []),
        ("2", ["19.SKHCN.CDS"], [CENTRE]),
    ]
    notes = rows_of(con, "SELECT reason FROM file_issues WHERE rule = 'unknown_unit'")
    assert len(notes) == 1 and CENTRE in notes[0][0] and "Nhiệm vụ 2" in notes[0][0]
    data = read_task_report_data(con, parse_period("2026-Q3"), Q3, DEPT)
    rows = {r["task_no"]: r for r in task_rows(frame_records(data.tasks))}
    assert rows["2"]["lead"] == f"Phòng Chuyển đổi số; {CENTRE}"
    assert unidentified_leads(data.tasks) == [{"lead_text": CENTRE, "tasks": 1, "task_nos": ["2"]}]


def test_the_report_does_not_say_every_lead_reported_when_one_cannot_be_told(con: duckdb.DuckDBPyConnection, tmp_path) -> None:
    _warehouse(con, tmp_path)
    document = read_task_document_data(con, parse_period("2026-Q3"), Q3, DEPT, made_on=NOW.date())
    reporting = context(document)["reporting"]
    assert "Các đơn vị chủ trì đã gửi báo cáo quý III năm 2026." not in reporting
    assert reporting[0] == "Các đơn vị chủ trì đã xác định được đã gửi báo cáo quý III năm 2026."
    assert any("Nhiệm vụ 2" in line and CENTRE in line for line in reporting)
