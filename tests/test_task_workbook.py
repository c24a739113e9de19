"""The report to Sở Nội vụ on the CCHC plan: hand-made warehouse rows in a small DuckDB to the reopened Excel file."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest
from openpyxl import load_workbook

from common.periods import parse_period
from tests.task_department import CDS, DEPT, QLCN, VP, add_department, insert_rows
from warehouse.schema import ensure_schema
from warehouse.tasks import refresh_plan_revisions
from workbooks.tasks import (
    SHEET_ISSUES,
    SHEET_OVERDUE,
    SHEET_SUMMARY,
    SHEET_TASKS,
    SHEET_UNITS,
    SHEETS,
    closing_labels,
    read_task_report_data,
    task_order_key,
    task_report_name,
    write_task_report,
)

PERIOD = parse_period("2026-Q3")
AS_OF = date(2026, 9, 30)
PLAN = "188/KH-SKHCN"
OLD_TEXT, OLD_DOC = "Nội dung của bản báo cáo đã bị thay thế", "99/BC-CU"
REASON = "Chưa bố trí được kinh phí nâng cấp phần mềm"
PROPOSAL = "Đề nghị Sở Tài chính bổ sung kinh phí trong quý IV"

# task_no, content, lead, deadline text, due, provisional, status, percent, completed_on, days_to_due
TASKS = [
    (
        "IV.1",
        "Tham mưu triển khai mạng truyền số liệu chuyên dùng",
        CDS,
        "Tháng 10/2026",
        date(2026, 10, 9),
        False,
        "due_soon",
        70.0,
        None,
        9,
    ),
    (
        "10",
        "Nâng cấp Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)",
        CDS,
        "Quý II/2026",
        date(2026, 6, 30),
        False,
        "overdue",
        60.0,
        None,
        -92,
    ),
    (
        "2",
        "Kế hoạch nâng cao chất lượng kiểm soát TTHC",
        VP,
        "Sau khi có Kế hoạch của UBND tỉnh (dự kiến tháng 01/2026)",
        date(2026, 1, 31),
        True,
        "completed_late",
        100.0,
        date(2026, 2, 20),
        -242,
    ),
    (
        "13",
        "Hướng dẫn quy trình công nhận sáng kiến CCHC",
        QLCN,
        "Năm 2026",
        date(2026, 12, 31),
        False,
        "on_track",
        40.0,
        None,
        92,
    ),
    (
        "1",
        "Kế hoạch tuyên truyền CCHC năm 2026",
        VP,
        "Quý I/2026",
        date(2026, 3, 31),
        False,
        "completed_on_time",
        100.0,
        date(2026, 3, 20),
        -183,
    ),
]
LABELS = {
    "on_track": "Đang thực hiện, trong hạn",
    "due_soon": "Sắp đến hạn (≤ 14 ngày)",
    "overdue": "Quá hạn",
    "completed_on_time": "Hoàn thành đúng hạn",
    "completed_late": "Hoàn thành quá hạn",
}


def _report(unit, period, day, task, status, *, superseded=False, **extra) -> dict:
    return {
        "source_file": f"tien_do_{unit}_{period}_{day:%m%d}.xlsx",
        "unit_code": unit,
        "period_label": period,
        "report_date": day,
        "plan_year": 2026,
        "task_no": task,
        "status": status,
        "source_row": 5,
        "superseded": superseded,
        **extra,
    }


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tasks")
    con = duckdb.connect(str(tmp / "w.duckdb"))
    ensure_schema(con)
    add_department(con)
    for no, content, lead, text, due, provisional, status, percent, done, days in TASKS:
        common = {
            "plan_number": PLAN,
            "plan_year": 2026,
            "revision": 2,
            "task_no": no,
            "content": content,
            "deadline_text": text,
            "due_date": due,
            "effective_due_date": due,
            "provisional": provisional,
            "source_file": "ke_hoach_2026_sua_doi.xlsx",
            "source_row": 3,
        }
        insert_rows(con, "plan_task_history", [{**common, "issued_on": date(2026, 4, 15)}])
        insert_rows(
            con,
            "fct_plan_task",
            [
                {
                    **common,
                    "lead_codes": [lead],
                    "collaborators_text": "Các phòng, đơn vị thuộc Sở",
                    "first_revision": 1,
                    "changed_in_revision": 1,
                }
            ],
        )
        insert_rows(
            con,
            "mart_task_status",
            [
                {
                    "plan_year": 2026,
                    "task_no": no,
                    "as_of": AS_OF,
                    "status": status,
                    "status_label": LABELS[status],
                    "effective_due_date": due,
                    "completed_on": done,
                    "percent": percent,
                    "days_to_due": days,
                }
            ],
        )
    refresh_plan_revisions(con)  # plan_revision, as load_plan_registers leaves it
    insert_rows(
        con,
        "stg_task_report",
        [
            _report(
                VP,
                "2026-Q1",
                date(2026, 3, 25),
                "1",
                "completed",
                percent=100.0,
                completed_on=date(2026, 3, 20),
                result_doc_number="15/KH-SKHCN",
                result_doc_date=date(2026, 3, 20),
            ),
            _report(VP, "2026-Q3", date(2026, 9, 25), "1", "completed", percent=100.0, completed_on=date(2026, 3, 20)),
            _report(VP, "2026-Q3", date(2026, 9, 25), "2", "completed", percent=100.0, completed_on=date(2026, 2, 20)),
            _report(
                CDS,
                "2026-Q3",
                date(2026, 9, 20),
                "10",
                "in_progress",
                superseded=True,
                percent=10.0,
                difficulties=OLD_TEXT,
                proposals=OLD_TEXT,
                result_doc_number=OLD_DOC,
                result_doc_date=date(2026, 9, 1),
            ),
            _report(
                CDS, "2026-Q3", date(2026, 9, 28), "10", "in_progress", percent=60.0, difficulties=REASON, proposals=PROPOSAL
            ),
            _report(CDS, "2026-Q3", date(2026, 9, 28), "IV.1", "in_progress", percent=70.0),
        ],
    )
    completion = [
        (VP, "Văn phòng Sở", 2, 2, 1, 1, 0, 50.0),
        (CDS, "Phòng Chuyển đổi số", 2, 1, 0, 0, 1, 0.0),
        (QLCN, "Phòng Quản lý Chuyên ngành", 1, 0, 0, 0, 0, None),
        (DEPT, "Sở Khoa học và Công nghệ", 5, 3, 1, 1, 1, 33.3),
    ]
    insert_rows(
        con,
        "mart_task_completion",
        [
            {
                "plan_year": 2026,
                "period_label": "2026-Q3",
                "as_of": AS_OF,
                "unit_code": c,
                "unit_name": n,
                "tasks": t,
                "due": d,
                "completed_on_time": o,
                "completed_late": late,
                "overdue": od,
                "on_time_rate": r,
            }
            for c, n, t, d, o, late, od, r in completion
        ],
    )
    insert_rows(
        con,
        "quarantine",
        [
            {
                "source": "task_report",
                "file_name": "tien_do_CDS_Q3.xlsx",
                "partition_date": date(2026, 9, 30),
                "row_number": 9,
                "unit_code": CDS,
                "unit_name": "Phòng Chuyển đổi số",
                "rule": "percent_range",
                "reason": "Tỷ lệ hoàn thành 150 ngoài khoảng 0–100",
                "value": "150",
            },
            {
                "source": "task_report",
                "file_name": "tien_do_VP_Q1.xlsx",
                "partition_date": date(2026, 3, 31),
                "row_number": 4,
                "rule": "unknown_task",
                "reason": "Lỗi của quý I không thuộc kỳ này",
                "value": "99",
            },
        ],
    )
    insert_rows(
        con,
        "file_issues",
        [
            {
                "source": "task_report",
                "file_name": "tien_do_CDS_Q3_0920.xlsx",
                "partition_date": date(2026, 9, 30),
                "rule": "superseded_report",
                "reason": "Đã có báo cáo gửi sau của cùng đơn vị",
                "blocking": False,
            }
        ],
    )
    data = read_task_report_data(con, PERIOD, AS_OF, DEPT)
    con.close()
    path = write_task_report(tmp / task_report_name(PERIOD), data, generated_at=datetime(2026, 10, 5, 9, 0))
    return data, load_workbook(path)


def _values(ws) -> list[tuple]:
    return [row for row in ws.iter_rows(values_only=True) if any(v is not None for v in row)]


def _row(ws, first: str) -> tuple:
    return next(r for r in _values(ws) if r[0] == first)


def test_task_report_workbook(workbook):
    data, wb = workbook
    assert task_report_name(PERIOD) == "bao_cao_tien_do_cchc_2026-Q3.xlsx"
    assert closing_labels(parse_period("2026-Q2")) == ["2026-Q2", "2026-H1"]
    assert sorted(["IV.1", "10", "2", "V.1", "IV.10", "IV.2"], key=task_order_key) == ["2", "10", "IV.1", "IV.2", "IV.10", "V.1"]
    assert wb.sheetnames == list(SHEETS)
    assert data.plan["plan_number"] == PLAN and data.plan["issued_on"] == date(2026, 4, 15)

    summary = [v for row in _values(wb[SHEET_SUMMARY]) for v in row if v is not None]
    text = " ".join(str(v) for v in summary)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Kính gửi: Sở Nội vụ tỉnh Thái Nguyên" in text
    assert "Kết quả thực hiện nhiệm vụ cải cách hành chính Quý III/2026" in text and PLAN in text
    counts = {r[1]: r[2] for r in _values(wb[SHEET_SUMMARY]) if isinstance(r[0], int)}
    assert counts["Tổng số nhiệm vụ của kế hoạch"] == 5
    assert [counts[LABELS[s]] for s in LABELS] == [1, 1, 1, 1, 1]
    rate = next(r for r in _values(wb[SHEET_SUMMARY]) if str(r[1]).startswith("Tỷ lệ hoàn thành đúng hạn"))
    assert rate[2:4] == (1, 33.3) and rate[1].endswith("(trên 3 nhiệm vụ đã đến hạn hoặc đã hoàn thành)")
    assert list(data.missing_reports["unit_code"]) == [QLCN]  # VP and CDS reported for Q3
    assert (1, "Phòng Quản lý Chuyên ngành", 1, "Chưa gửi") == _values(wb[SHEET_SUMMARY])[-1][:4]

    tasks = wb[SHEET_TASKS]
    header = next(r for r in _values(tasks) if r[0] == "STT")
    body = _values(tasks)[_values(tasks).index(header) + 1 :]
    assert [r[0] for r in body] == ["1", "2", "10", "13", "IV.1"]
    assert body[0][8] == "15/KH-SKHCN ngày 20/03/2026"  # from the Q1 report, the Q3 one leaves it blank
    assert body[1][4].endswith("Hạn: 31/01/2026 (dự kiến)") and body[2][5] == "Quá hạn"
    row_of = {tasks.cell(row=r, column=1).value: r for r in range(1, tasks.max_row + 1)}
    assert tasks.cell(row=row_of["10"], column=2).fill.start_color.rgb.endswith("FFC7CE")  # overdue: whole row red
    assert tasks.cell(row=row_of["13"], column=2).fill.fill_type is None  # on track: only the status cell

    overdue = wb[SHEET_OVERDUE]
    late = _row(overdue, "10")
    assert late[5] == 92 and late[8] == REASON and late[9] == PROPOSAL and late[2] == "Phòng Chuyển đổi số"
    assert _row(overdue, "IV.1")[6] == 9

    units = wb[SHEET_UNITS]
    assert len(units._charts) == 1
    rows = _values(units)
    assert rows[-1][0] == "Toàn Sở (Sở Khoa học và Công nghệ)" and rows[-1][7] == 33.3
    assert units.cell(row=units.max_row, column=1).font.b
    assert [r[0] for r in rows[-4:-1]] == ["Văn phòng Sở", "Phòng Chuyển đổi số", "Phòng Quản lý Chuyên ngành"]

    issues = _values(wb[SHEET_ISSUES])
    assert any(r[4] == "Tỷ lệ hoàn thành 150 ngoài khoảng 0–100" and r[2] == 9 for r in issues)
    assert not any("quý I" in str(r[4]) for r in issues)

    everything = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert OLD_TEXT not in everything and OLD_DOC not in everything


def test_empty_period_still_writes(tmp_path):
    con = duckdb.connect()
    ensure_schema(con)
    data = read_task_report_data(con, parse_period("2026-H1"), date(2026, 6, 30), DEPT)
    wb = load_workbook(write_task_report(tmp_path / "empty.xlsx", data))
    assert wb.sheetnames == list(SHEETS)
    assert ("Không có",) == _values(wb[SHEET_ISSUES])[-1][:1]


def test_a_task_finished_before_its_due_date_is_not_said_to_be_due(tmp_path):
    """Quý III: task 1 (hạn 31/03) done, task 10 (hạn 30/06) overdue and task 13 (hạn 31/12/2026) finished early on
    15/09: 2 tasks are due by 30/09, the rate's denominator is 3 (due or completed) and the words must say so."""
    con = duckdb.connect()
    ensure_schema(con)
    add_department(con)
    tasks = [
        ("1", VP, date(2026, 3, 31), "completed_on_time", date(2026, 3, 20)),
        ("10", CDS, date(2026, 6, 30), "overdue", None),
        ("13", QLCN, date(2026, 12, 31), "completed_on_time", date(2026, 9, 15)),
    ]
    for no, lead, due, status, done in tasks:
        common = {
            "plan_number": PLAN,
            "plan_year": 2026,
            "revision": 1,
            "task_no": no,
            "content": f"Nhiệm vụ {no}",
            "deadline_text": f"{due:%d/%m/%Y}",
            "due_date": due,
            "effective_due_date": due,
            "provisional": False,
            "source_file": "ke_hoach_2026.xlsx",
            "source_row": 3,
        }
        insert_rows(con, "plan_task_history", [{**common, "issued_on": date(2026, 1, 5)}])
        insert_rows(con, "fct_plan_task", [{**common, "lead_codes": [lead], "first_revision": 1, "changed_in_revision": 1}])
        row = {"plan_year": 2026, "task_no": no, "as_of": AS_OF, "status": status, "status_label": LABELS[status]}
        insert_rows(con, "mart_task_status", [{**row, "effective_due_date": due, "completed_on": done}])
    refresh_plan_revisions(con)  # plan_revision, as load_plan_registers leaves it
    completion = [
        (VP, "Văn phòng Sở", 1, 1, 1, 0, 100.0),
        (CDS, "Phòng Chuyển đổi số", 1, 1, 0, 1, 0.0),
        (QLCN, "Phòng Quản lý Chuyên ngành", 1, 1, 1, 0, 100.0),
        (DEPT, "Sở Khoa học và Công nghệ", 3, 3, 2, 1, 66.7),
    ]
    keys = ("unit_code", "unit_name", "tasks", "due", "completed_on_time", "overdue", "on_time_rate")
    common = {"plan_year": 2026, "period_label": "2026-Q3", "as_of": AS_OF, "completed_late": 0}
    insert_rows(con, "mart_task_completion", [{**common, **dict(zip(keys, c, strict=True))} for c in completion])
    data = read_task_report_data(con, PERIOD, AS_OF, DEPT)
    wb = load_workbook(write_task_report(tmp_path / task_report_name(PERIOD), data))
    rate = next(r for r in _values(wb[SHEET_SUMMARY]) if str(r[1]).startswith("Tỷ lệ hoàn thành đúng hạn"))
    assert rate[1:4] == (
        "Tỷ lệ hoàn thành đúng hạn của Sở Khoa học và Công nghệ (trên 3 nhiệm vụ đã đến hạn hoặc đã hoàn thành)",
        2,
        66.7,
    )
    units = _values(wb[SHEET_UNITS])
    header = next(r for r in units if r[0] == "Đơn vị chủ trì")
    assert header[2] == "Đã đến hạn hoặc đã hoàn thành" and units[-1][2] == 3
    note = next(str(r[0]) for r in units if str(r[0]).startswith("Tỷ lệ hoàn thành đúng hạn ="))
    assert note.startswith("Tỷ lệ hoàn thành đúng hạn = hoàn thành đúng hạn / nhiệm vụ đã đến hạn hoặc đã hoàn thành (")


def _date_lines(wb) -> list[str]:
    return [v for row in _values(wb[SHEET_SUMMARY]) for v in row if isinstance(v, str) and v.startswith("Thái Nguyên, ngày")]


def test_the_date_line_writes_july_without_a_leading_zero(tmp_path):
    """NĐ 30/2020, Phụ lục I: 'ngày 06 tháng 7 năm 2026', not 'tháng 07' (only months 1 and 2 take a 0)."""
    con = duckdb.connect()
    ensure_schema(con)
    data = read_task_report_data(con, parse_period("2026-H1"), date(2026, 6, 30), DEPT)
    wb = load_workbook(write_task_report(tmp_path / "r.xlsx", data, made_on=date(2026, 7, 6)))
    assert _date_lines(wb) == ["Thái Nguyên, ngày 06 tháng 7 năm 2026"]


def test_the_annex_is_dated_as_the_report_not_when_it_was_written(tmp_path, monkeypatch):
    """The .docx of 05/10/2026 (the business date) had an annex dated 'ngày 05 tháng 12 năm 2026', the wall clock
    of the run: the annex carries the report's date, by default the business date (CCHC_TODAY) as the .docx does; the
    time of writing stays in 'Lập lúc …'."""
    con = duckdb.connect()
    ensure_schema(con)
    data = read_task_report_data(con, PERIOD, AS_OF, DEPT)
    written = datetime(2026, 12, 5, 9, 30)
    wb = load_workbook(write_task_report(tmp_path / "a.xlsx", data, made_on=date(2026, 10, 5), generated_at=written))
    assert _date_lines(wb) == ["Thái Nguyên, ngày 05 tháng 10 năm 2026"]
    assert "Lập lúc 09:30 ngày 05/12/2026 (giờ Việt Nam)" in [v for row in _values(wb[SHEET_SUMMARY]) for v in row]
    monkeypatch.setenv("CCHC_TODAY", "2026-10-06")
    wb = load_workbook(write_task_report(tmp_path / "b.xlsx", data, generated_at=written))
    assert _date_lines(wb) == ["Thái Nguyên, ngày 06 tháng 10 năm 2026"]
