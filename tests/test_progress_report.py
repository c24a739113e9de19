"""The progress report reader: the demo's reports with their planted problems, then hand-made reports for every
rule (rejects with row and Vietnamese reason, non-blocking notes, blocking header problems)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from common.vntext import match_key
from demo.plan import REPORTS, Line, Report, register_tasks, report_row, write_report
from forms.assessment_forms import save_fixed
from sources import excel_intake
from sources.progress_report import ReportResult, read_progress_report
from sources.task_formats import cell_date, parse_report_period, read_report_period, task_number
from tests.excel_files import write_xls

ROW_KEYS = {
    "task_no",
    "status",
    "percent",
    "completed_on",
    "result_doc_number",
    "result_doc_date",
    "difficulties",
    "proposals",
    "source_row",
}
REJECT_KEYS = {"file_name", "row_number", "record_key", "unit_code", "unit_name", "rule", "reason", "value"}
KNOWN = [t.no for t in register_tasks(2)]  # "1.", …, "14.", "IV.1", …: the reader normalises them
OFFICES = {
    "19.SKHCN.VP": ("Văn phòng Sở", "Văn phòng Sở Khoa học và Công nghệ"),
    "19.SKHCN.CDS": ("Phòng Chuyển đổi số", "Phòng Chuyên đổi số"),
    "19.SKHCN.QLKH": ("Phòng Quản lý Khoa học",),
    "19.SKHCN.QLCN": ("Phòng Quản lý Chuyên ngành",),
    "19.SKHCN.BCVT": ("Phòng Bưu chính - Viễn thông", "Phòng Bưu chính, Viễn thông"),
}
_BY_KEY = {match_key(name): code for code, names in OFFICES.items() for name in names}


def office_code(text: str) -> str | None:
    return _BY_KEY.get(match_key(text))


def _report(name: str) -> Report:
    return next(r for r in REPORTS if r.file_name == name)


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tien_do")
    paths = {}
    for report in REPORTS:
        write_report(folder / report.file_name, report)
        paths[report.file_name] = folder / report.file_name
    return paths


def _read(paths: dict[str, Path], name: str, **kwargs) -> ReportResult:
    return read_progress_report(paths[name], KNOWN, unit_matcher=office_code, **kwargs)


def _rows(result: ReportResult) -> dict[str, dict]:
    return {r["task_no"]: r for r in result.rows}


def test_a_good_report_reads_every_field(demo_reports: dict[str, Path]) -> None:
    result = _read(demo_reports, "bao_cao_tien_do_van_phong_so_quy_1_2026.xlsx")
    assert result.loadable and result.rejects == [] and result.file_issues == []
    assert (
        result.unit_text,
        result.unit_code,
        result.period_text,
        result.period_label,
        result.plan_year,
        result.report_date,
    ) == ("Văn phòng Sở", "19.SKHCN.VP", "Quý I/2026", "2026-Q1", 2026, date(2026, 4, 3))
    assert all(set(r) == ROW_KEYS for r in result.rows)
    rows = _rows(result)
    assert list(rows) == ["1", "2", "3", "5", "IV.1", "IV.6"]  # task 4 is led by the professional offices
    assert rows["2"] == {
        "task_no": "2",
        "status": "completed",
        "percent": 100.0,
        "completed_on": date(2026, 1, 20),
        "result_doc_number": "Kế hoạch số 45/KH-SKHCN",
        "result_doc_date": date(2026, 1, 20),
        "difficulties": None,
        "proposals": None,
        "source_row": 11,
    }
    assert rows["3"]["status"] == "not_started" and rows["3"]["percent"] == 0.0
    assert rows["3"]["difficulties"] == "UBND tỉnh chưa ban hành Kế hoạch đánh giá Chỉ số CCHC năm 2026"
    assert rows["IV.1"]["status"] == "in_progress" and rows["IV.1"]["completed_on"] is None


def test_every_status_maps_to_its_code(demo_reports: dict[str, Path]) -> None:
    rows = _rows(_read(demo_reports, "bao_cao_tien_do_phong_cds_quy_3_2026.xlsx"))
    assert {r["status"] for r in rows.values()} == {"completed", "in_progress", "suspended"}
    assert rows["12"]["status"] == "suspended" and rows["12"]["proposals"] == "Đề nghị điều chỉnh thời hạn sang năm 2027"
    assert rows["9"]["completed_on"] == date(2026, 9, 25) and rows["9"]["result_doc_number"] == "Quyết định số 2015/QĐ-UBND"


def test_unknown_task_is_rejected_only_against_the_register(demo_reports: dict[str, Path]) -> None:
    name = "bao_cao_tien_do_phong_cds_quy_1_2026.xlsx"
    result = _read(demo_reports, name)
    row = report_row(_report(name), "15")
    assert row == 18
    assert result.rejects == [
        {
            "file_name": name,
            "row_number": 18,
            "record_key": "15",
            "unit_code": "19.SKHCN.CDS",
            "unit_name": "Phòng Chuyển đổi số",
            "rule": "unknown_task",
            "reason": "Nhiệm vụ số '15' không có trong sổ kế hoạch.",
            "value": "15",
        }
    ]
    assert len(result.rows) == 9 and result.loadable
    without = read_progress_report(demo_reports[name])
    assert without.rejects == [] and "15" in _rows(without) and without.unit_code is None


def test_percent_written_as_text_loads_with_a_note(demo_reports: dict[str, Path]) -> None:
    result = _read(demo_reports, "bao_cao_tien_do_van_phong_so_quy_2_2026.xlsx")
    row = report_row(_report("bao_cao_tien_do_van_phong_so_quy_2_2026.xlsx"), "IV.6")
    assert result.rejects == [] and _rows(result)["IV.6"]["percent"] == 50.0
    [note] = result.file_issues
    assert (note.rule, note.blocking, note.row_number, note.record_key) == ("percent_as_text", False, row, "IV.6")
    assert note.reason == f"Dòng {row} (nhiệm vụ IV.6): tỷ lệ hoàn thành ghi dạng chữ '50%', đã đọc là 50; đề nghị ghi số."


def test_percent_100_but_not_completed_is_a_note(demo_reports: dict[str, Path]) -> None:
    name = "bao_cao_tien_do_phong_cds_quy_2_2026_bo_sung.xlsx"
    result = _read(demo_reports, name)
    assert result.rejects == [] and _rows(result)["7"]["status"] == "in_progress" and _rows(result)["7"]["percent"] == 100
    [note] = result.file_issues
    assert (note.rule, note.blocking, note.row_number) == ("percent_status_mismatch", False, report_row(_report(name), "7"))
    assert "100%" in note.reason and "'Đang triển khai'" in note.reason


def test_percent_above_100_is_rejected(demo_reports: dict[str, Path]) -> None:
    name = "bao_cao_tien_do_phong_bcvt_quy_2_2026.xlsx"
    result = _read(demo_reports, name)
    assert list(_rows(result)) == ["4"] and result.loadable
    [reject] = result.rejects
    assert (reject["row_number"], reject["record_key"], reject["rule"], reject["value"]) == (10, "IV.5", "bad_percent", "120")
    assert reject["reason"] == "Tỷ lệ hoàn thành 120% ngoài khoảng 0-100."


def test_completion_after_the_report_date_is_rejected(demo_reports: dict[str, Path]) -> None:
    name = "bao_cao_tien_do_phong_qlcn_quy_3_2026.xlsx"
    result = _read(demo_reports, name)
    [reject] = result.rejects
    assert (reject["row_number"], reject["record_key"], reject["rule"], reject["value"]) == (
        report_row(_report(name), "13"),
        "13",
        "date_after_report:completed_on",
        "15/10/2026",
    )
    assert reject["reason"] == "Cột 'Ngày hoàn thành': ngày 15/10/2026 sau ngày báo cáo 06/10/2026."
    assert list(_rows(result)) == ["IV.4"]


def test_completed_without_a_date_is_a_note(demo_reports: dict[str, Path]) -> None:
    result = _read(demo_reports, "bao_cao_tien_do_phong_qlkh_quy_3_2026.xlsx")
    row = _rows(result)["IV.3"]
    assert row["status"] == "completed" and row["completed_on"] is None and row["result_doc_date"] == date(2026, 9, 18)
    assert [(i.rule, i.blocking, i.row_number) for i in result.file_issues] == [("completed_without_date", False, 10)]


def test_an_unknown_office_rejects_the_whole_file(demo_reports: dict[str, Path]) -> None:
    name = "bao_cao_tien_do_phong_ke_hoach_tai_chinh_quy_2_2026.xlsx"
    result = _read(demo_reports, name)
    assert not result.loadable and result.rows == [] and result.rejects == []
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("unknown_unit", True)]
    assert "'Phòng Kế hoạch - Tài chính'" in result.file_issues[0].reason
    assert result.unit_text == "Phòng Kế hoạch - Tài chính" and result.unit_code is None
    kept = read_progress_report(demo_reports[name], KNOWN)  # without a matcher the text is kept for the loader
    assert kept.loadable and kept.unit_text == "Phòng Kế hoạch - Tài chính" and kept.unit_code is None


def test_a_report_sent_twice_is_read_twice_with_its_own_date(demo_reports: dict[str, Path]) -> None:
    first = _read(demo_reports, "bao_cao_tien_do_phong_cds_quy_2_2026.xlsx")
    second = _read(demo_reports, "bao_cao_tien_do_phong_cds_quy_2_2026_bo_sung.xlsx")
    assert (first.unit_code, first.period_label) == (second.unit_code, second.period_label) == ("19.SKHCN.CDS", "2026-Q2")
    assert first.report_date < second.report_date == date(2026, 7, 8)
    assert (_rows(first)["9"]["percent"], _rows(second)["9"]["percent"]) == (70.0, 85.0)


def test_every_demo_report_reads(demo_reports: dict[str, Path]) -> None:
    expected_rejects = {
        "bao_cao_tien_do_phong_cds_quy_1_2026.xlsx": 1,
        "bao_cao_tien_do_phong_bcvt_quy_2_2026.xlsx": 1,
        "bao_cao_tien_do_phong_qlcn_quy_3_2026.xlsx": 1,
    }
    for report in REPORTS:
        result = _read(demo_reports, report.file_name)
        assert result.unit_text == report.unit and result.report_date == report.report_date
        assert (
            result.period_label == {"Quý I/2026": "2026-Q1", "Quý II/2026": "2026-Q2", "Quý III/2026": "2026-Q3"}[report.period]
        )
        if report.bad != "unknown_office":
            assert result.loadable and len(result.rejects) == expected_rejects.get(report.file_name, 0), report.file_name
            assert len(result.rows) + len(result.rejects) == len(report.lines)


# --- hand-made reports ------------------------------------------------------------------------------------------


def _workbook(path: Path, rows: list[list[object]], formats: dict[str, str] | None = None, merges: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    for cell, number_format in (formats or {}).items():
        ws[cell].number_format = number_format
    save_fixed(wb, path, datetime(2026, 4, 3, 16))
    return path


HEAD = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý I/2026"], ["Ngày báo cáo:", "03/04/2026"], []]
TABLE = [
    "Số TT nhiệm vụ",
    "Tình trạng",
    "Tỷ lệ hoàn thành (%)",
    "Ngày hoàn thành",
    "Số văn bản kết quả",
    "Ngày văn bản",
    "Khó khăn, vướng mắc",
    "Đề xuất, kiến nghị",
]


def test_the_unit_comes_from_the_header_not_the_file_name(tmp_path: Path) -> None:
    report = Report(
        "x.xlsx", "Văn phòng Sở", "6 tháng đầu năm 2026", date(2026, 7, 3), (Line("1", "completed", 100, date(2026, 2, 27)),)
    )
    path = tmp_path / "bao_cao_phong_chuyen_doi_so_quy_1.xlsx"
    write_report(path, report)
    result = read_progress_report(path, unit_matcher=office_code)
    assert (result.unit_text, result.unit_code, result.period_label) == ("Văn phòng Sở", "19.SKHCN.VP", "2026-H1")


def test_every_row_rule(tmp_path: Path) -> None:
    rows = [
        *HEAD,
        TABLE,
        ["1.", "Hoàn thành", 100, "20/01/2026", "Kế hoạch số 45/KH-SKHCN", "20/01/2026"],  # 6: good
        ["1", "Đang triển khai", 50],  # 7: duplicate of row 6
        [None, "Đang triển khai", 10],  # 8: no task number
        ["2", "Xong rồi", 10],  # 9: unknown status
        ["3", None, 10],  # 10: no status
        ["4", "Đang triển khai", "khoảng một nửa"],  # 11: percent not a number
        ["5", "Đang triển khai", -5],  # 12: percent below 0
        ["6", "Hoàn thành", 100, "03/15/2026"],  # 13: month and day swapped (no month 15)
        ["7", "Hoàn thành", 100, "01/03/2026", "Báo cáo số 9/BC-SKHCN", "10/04/2026"],  # 14: document after the report
        ["8", "đã hoàn thành", 80, datetime(2026, 3, 2)],  # 15: completed at 80 %
        ["9", "ĐANG THỰC HIỆN", "30,5 %", "15/03/2026"],  # 16: a date while in progress; percent text
        ["IV.1", "Tạm dừng", None],  # 17: suspended, no percent
        [],  # 18: blank rows in a report are harmless
        ["10", "chua trien khai", 0],  # 19
        # 20-23: dates as units also write them: ISO, dotted, in words, an Excel serial in a General cell
        ["11", "Hoàn thành", 100, "2026-03-01"],
        ["12", "Hoàn thành", 100, "01.03.2026", "Quyết định số 12/QĐ-SKHCN", "ngày 01 tháng 3 năm 2026"],
        ["13", "Hoàn thành", 100, "1-3-2026"],
        ["14", "Hoàn thành", 100, 46082],
    ]
    result = read_progress_report(
        _workbook(tmp_path / "r.xlsx", rows), ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "IV.1"]
    )
    assert result.loadable and all(set(r) == REJECT_KEYS for r in result.rejects)
    assert [(r["row_number"], r["rule"], r["record_key"], r["value"]) for r in result.rejects] == [
        (7, "duplicate_task", "1", "1"),
        (8, "missing_task_no", None, None),
        (9, "bad_value:status", "2", "Xong rồi"),
        (10, "bad_value:status", "3", None),
        (11, "bad_value:percent", "4", "khoảng một nửa"),
        (12, "bad_percent", "5", "-5"),
        (13, "bad_date:completed_on", "6", "03/15/2026"),
        (14, "date_after_report:result_doc_date", "7", "10/04/2026"),
    ]
    reasons = {r["row_number"]: r["reason"] for r in result.rejects}
    assert reasons[7] == "Nhiệm vụ 1 đã báo cáo ở dòng 6; giữ dòng đầu tiên."
    assert reasons[9] == (
        "Cột 'Tình trạng': giá trị không hợp lệ 'Xong rồi' (cho phép: Chưa triển khai, Đang triển khai, Hoàn thành, Tạm dừng)."
    )
    assert reasons[10] == "Thiếu tình trạng thực hiện (cột 'Tình trạng')."
    assert reasons[13] == "Cột 'Ngày hoàn thành': ngày không đúng định dạng dd/mm/yyyy: '03/15/2026'."
    rows_by_no = _rows(result)
    assert list(rows_by_no) == ["1", "8", "9", "IV.1", "10", "11", "12", "13", "14"]
    assert {rows_by_no[n]["completed_on"] for n in ("11", "12", "13", "14")} == {date(2026, 3, 1)}
    assert rows_by_no["12"]["result_doc_date"] == date(2026, 3, 1)
    assert rows_by_no["8"]["status"] == "completed" and rows_by_no["8"]["completed_on"] == date(2026, 3, 2)
    assert rows_by_no["9"]["status"] == "in_progress" and rows_by_no["9"]["percent"] == 30.5
    assert rows_by_no["IV.1"]["status"] == "suspended" and rows_by_no["IV.1"]["percent"] is None
    assert rows_by_no["10"]["status"] == "not_started"
    assert [(i.rule, i.row_number, i.blocking) for i in result.file_issues] == [
        ("percent_status_mismatch", 15, False),
        ("percent_as_text", 16, False),
        ("date_without_completion", 16, False),
    ]


def test_tolerant_headers_and_a_percent_formatted_cell(tmp_path: Path) -> None:
    rows = [
        ["BÁO CÁO TIẾN ĐỘ"],
        [None, "don vi bao cao", "Phòng Chuyên đổi số"],
        [None, "KỲ BÁO CÁO:", "quý 2 năm 2026"],
        [None, "Ngày báo cáo: 03/07/2026"],
        [],
        ["STT", "Nội dung", "nhiem vu so", "TINH TRANG THUC HIEN", "Tỷ lệ hoàn thành", "Ghi chú"],
        [1, "Việc", 6, "Đang triển khai", 0.5],
    ]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows, {"E7": "0%"}), unit_matcher=office_code)
    assert (result.unit_text, result.unit_code, result.period_label, result.report_date) == (
        "Phòng Chuyên đổi số",
        "19.SKHCN.CDS",
        "2026-Q2",
        date(2026, 7, 3),
    )
    assert result.rows == [
        {
            "task_no": "6",
            "status": "in_progress",
            "percent": 50.0,
            "completed_on": None,
            "result_doc_number": None,
            "result_doc_date": None,
            "difficulties": None,
            "proposals": None,
            "source_row": 7,
        }
    ]
    assert [i.rule for i in result.file_issues] == ["missing_optional_columns"]


def test_a_header_on_two_rows_with_merged_cells_reads(tmp_path: Path) -> None:
    """A report's header as offices write it: the first columns merged down over two rows, "Ngày" over "hoàn thành",
    the group heading "Văn bản kết quả" merged over "Số văn bản" and "Ngày văn bản". It was refused as 'thiếu cột'."""
    rows = [
        *HEAD,  # rows 1-4
        ["Số TT nhiệm vụ", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Ngày", "Văn bản kết quả", None, "Khó khăn, vướng mắc"],
        [None, None, None, "hoàn thành", "Số văn bản", "Ngày văn bản"],
        ["1", "Hoàn thành", 100, datetime(2026, 3, 20), "12/KH-SKHCN", datetime(2026, 3, 20), None],  # row 7
        ["2", "Đang triển khai", 40, None, None, None, "Chờ ý kiến các phòng"],
    ]
    merges = ("A5:A6", "B5:B6", "C5:C6", "E5:F5", "G5:G6")
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows, merges=merges))
    assert result.loadable and result.rejects == []
    assert (result.unit_text, result.period_label, result.report_date) == ("Văn phòng Sở", "2026-Q1", date(2026, 4, 3))
    first, second = result.rows
    assert (first["task_no"], first["status"], first["percent"], first["completed_on"], first["source_row"]) == (
        "1",
        "completed",
        100.0,
        date(2026, 3, 20),
        7,
    )
    assert (first["result_doc_number"], first["result_doc_date"]) == ("12/KH-SKHCN", date(2026, 3, 20))
    assert (second["task_no"], second["difficulties"], second["source_row"]) == ("2", "Chờ ý kiến các phòng", 8)
    # only the column the form lacks is noted: no merged cells (the header's), no unknown column (the group heading)
    assert [i.rule for i in result.file_issues] == ["missing_optional_columns"]
    assert "'Đề xuất, kiến nghị'" in result.file_issues[0].reason


def test_a_percent_cell_of_an_xls_reads_as_in_the_xlsx(tmp_path: Path) -> None:
    """Excel 97-2003 keeps 50 % typed in a '%' cell as 0.5 with the cell's format, as an .xlsx does: the .xls (its
    formats read with xlrd; python-calamine gives none) reads 50, not 0.5."""
    rows = [*HEAD, TABLE, ["1", "Đang triển khai", 0.5], ["2", "Đang triển khai", 0.255], ["3", "Đang triển khai", 40]]
    formats = {"C6": "0%", "C7": "0.0%"}
    xlsx = read_progress_report(_workbook(tmp_path / "r.xlsx", rows, formats))
    xls = read_progress_report(write_xls(tmp_path / "r.xls", rows, "Báo cáo", formats))
    assert [r["percent"] for r in xlsx.rows] == [50.0, 25.5, 40.0] and xlsx.rejects == []
    assert xls.loadable and xls.encoding == "xls"
    assert xls.rows == xlsx.rows and xls.rejects == xlsx.rejects
    assert [i.rule for i in xls.file_issues] == [i.rule for i in xlsx.file_issues] + ["old_format"]


def test_a_percent_from_0_to_1_in_a_file_without_number_formats_is_noted(tmp_path: Path, monkeypatch) -> None:
    """No pinned library reads the number formats of an .xlsb (nor of an .xls that xlrd cannot read, made here by
    failing that reading): 0.5 loads as it is, 0.5 % or 50 % typed in a '%' cell, never silently."""
    monkeypatch.setattr(excel_intake, "_xls_cells", lambda raw: None)
    rows = [*HEAD, TABLE, ["1", "Đang triển khai", 0.5], ["2", "Đang triển khai", 30]]
    result = read_progress_report(write_xls(tmp_path / "r.xls", rows, "Báo cáo", {"C6": "0%"}))
    assert result.loadable and [r["percent"] for r in result.rows] == [0.5, 30.0]
    notes = [i for i in result.file_issues if i.rule == "percent_format_lost"]
    assert [(i.blocking, i.row_number, i.record_key) for i in notes] == [(False, 6, "1")]
    assert "ô hiện 50%" in notes[0].reason and "Excel Workbook (*.xlsx)" in notes[0].reason


def test_a_literal_percent_sign_in_the_number_format_is_not_a_percent_cell(tmp_path: Path) -> None:
    """Offices give the percent column a custom format such as 0"%" or 0\\% so that a typed 30 shows as "30%": the "%"
    is quoted or escaped text, Excel keeps 30 and divides nothing, so the row reads 30 (it was read as 3000 and the
    row refused as bad_percent). Only a real '%' format (0%, 0.0% with a colour or locale in brackets) holds 0.5 for
    50 %; an .xls reads the same."""
    rows = [
        *HEAD,
        TABLE,
        ["1", "Đang triển khai", 30],
        ["2", "Đang triển khai", 20],
        ["3", "Đang triển khai", 45.5],
        ["4", "Đang triển khai", 60],
        ["5", "Đang triển khai", 75],
        ["6", "Đang triển khai", 0.5],
        ["7", "Đang triển khai", 0.255],
    ]
    formats = {
        "C6": '0"%"',
        "C7": "0\\%",
        "C8": '0.0"%"',
        "C9": '#,##0" %"',
        "C10": "[Red]0\\%;[Blue]-0\\%",
        "C11": "0%",
        "C12": "[$-42A]0.0%;[Red]-0.0%",
    }
    xlsx = read_progress_report(_workbook(tmp_path / "r.xlsx", rows, formats))
    assert xlsx.loadable and xlsx.rejects == []
    assert [r["percent"] for r in xlsx.rows] == [30.0, 20.0, 45.5, 60.0, 75.0, 50.0, 25.5]
    xls = read_progress_report(write_xls(tmp_path / "r.xls", rows, "Báo cáo", formats))
    assert xls.loadable and xls.encoding == "xls" and xls.rows == xlsx.rows and xls.rejects == []


@pytest.mark.parametrize(
    ("head", "rule", "text"),
    [
        ([["Kỳ báo cáo:", "Quý I/2026"], ["Ngày báo cáo:", "03/04/2026"]], "missing_metadata", "Thiếu 'Đơn vị báo cáo'"),
        (
            [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý V/2026"], ["Ngày báo cáo:", "03/04/2026"]],
            "bad_metadata",
            "không đọc được 'Quý V/2026'",
        ),
        (
            [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý I/2026"], ["Ngày báo cáo:", "April 3"]],
            "bad_metadata",
            "'Ngày báo cáo' không đúng định dạng dd/mm/yyyy: 'April 3'",
        ),
        ([["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý I/2026"]], "missing_metadata", "'Ngày báo cáo' thiếu"),
    ],
)
def test_header_problems_block_the_file(tmp_path: Path, head: list, rule: str, text: str) -> None:
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", [*head, [], TABLE, ["1", "Hoàn thành", 100]]))
    assert not result.loadable and result.rows == []
    assert [(i.rule, i.blocking) for i in result.file_issues] == [(rule, True)] and text in result.file_issues[0].reason


def test_a_sheet_without_the_table_or_not_a_workbook(tmp_path: Path) -> None:
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", [*HEAD, ["Số TT nhiệm vụ", "Tỷ lệ hoàn thành (%)"]]))
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("missing_columns", True)]
    assert "'Tình trạng'" in result.file_issues[0].reason
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04broken")
    assert [i.rule for i in read_progress_report(tmp_path / "x.xlsx").file_issues] == ["bad_workbook"]  # zip cut short


def _truncate_sheet_xml(path: Path) -> Path:
    """Rewrite a workbook with its first sheet's XML cut in the middle: still a valid zip, broken XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet1.xml" else data)
    path.write_bytes(out.getvalue())
    return path


def test_a_valid_zip_with_broken_sheet_xml_is_a_blocking_issue_not_an_exception(tmp_path: Path) -> None:
    path = _truncate_sheet_xml(_workbook(tmp_path / "r.xlsx", [*HEAD, TABLE, ["1", "Hoàn thành", 100, "20/01/2026"]]))
    result = read_progress_report(path, KNOWN, unit_matcher=office_code, today=date(2026, 4, 10))
    assert not result.loadable and result.rows == [] and result.rejects == []
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("bad_workbook", True)]
    assert "hỏng hoặc chép chưa xong (lỗi " in result.file_issues[0].reason
    assert "không nạp được tệp" in result.file_issues[0].reason


def test_a_report_dated_after_today_is_not_loaded(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "r.xlsx", [*HEAD, TABLE, ["1", "Hoàn thành", 100, "20/01/2026"]])  # dated 03/04/2026
    result = read_progress_report(path, KNOWN, today=date(2026, 4, 2))
    assert not result.loadable and result.rows == []
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("future_report_date", True)]
    assert result.file_issues[0].reason == (
        "'Ngày báo cáo' 03/04/2026 sau ngày hôm nay 02/04/2026; không nạp được tệp (đề nghị kiểm tra lại ngày báo cáo)."
    )
    for today in (date(2026, 4, 3), None):  # the report's own day, or no check
        assert read_progress_report(path, KNOWN, today=today).loadable


def test_dates_after_today_reject_the_row(tmp_path: Path) -> None:
    head = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý I/2026"], ["Ngày báo cáo:", "03/04/2026"], []]
    rows = [
        *head,
        TABLE,
        ["1", "Hoàn thành", 100, "20/01/2026", "Kế hoạch số 45/KH-SKHCN", "20/01/2026"],  # 6: good
        ["2", "Hoàn thành", 100, "15/04/2026"],  # 7: completed after today (and after the report date)
        ["3", "Đang triển khai", 50, None, "Báo cáo số 9/BC-SKHCN", "02/04/2026"],  # 8: document after today
        ["5", "Hoàn thành", 100, "01/04/2026"],
    ]  # 9: today itself is fine
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, today=date(2026, 4, 1))
    assert result.loadable is False  # the report date 03/04/2026 is itself after 01/04/2026
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, today=date(2026, 4, 3))
    assert result.loadable and list(_rows(result)) == ["1", "3", "5"]
    # a date after today is rejected as such, not (also) as after the report date
    assert [(r["row_number"], r["rule"], r["value"]) for r in result.rejects] == [(7, "future_date:completed_on", "15/04/2026")]
    assert result.rejects[0]["reason"] == "Cột 'Ngày hoàn thành': ngày 15/04/2026 sau ngày hôm nay 03/04/2026."
    rows[-2] = ["3", "Đang triển khai", 50, None, "Báo cáo số 9/BC-SKHCN", "04/04/2026"]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, today=date(2026, 4, 3))
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [
        (7, "future_date:completed_on"),
        (8, "future_date:result_doc_date"),
    ]
    # without today, the same rows fall under the report date rule
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN)
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [
        (7, "date_after_report:completed_on"),
        (8, "date_after_report:result_doc_date"),
    ]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Quý I/2026", "2026-Q1"),
        ("quý 3/2026", "2026-Q3"),
        ("QUÝ IV NĂM 2026", "2026-Q4"),
        ("Quý II - 2026", "2026-Q2"),
        ("Quí II/2026", "2026-Q2"),
        ("Quý I - 2026", "2026-Q1"),
        ("Quý 1-2026", "2026-Q1"),
        ("quý 2 năm 2026", "2026-Q2"),
        ("6 tháng đầu năm 2026", "2026-H1"),
        ("Sáu tháng cuối năm 2026", "2026-H2"),
        ("Năm 2026", "2026-Y"),
        ("Báo cáo quý I/2026", "2026-Q1"),
        ("Kỳ báo cáo: quý III/2026", "2026-Q3"),
        ("2026-Q2", "2026-Q2"),
        ("Quý V/2026", None),
        ("Tháng 5/2026", None),
        ("9 tháng năm 2026", "2026-Q3"),  # the first three quarters: the third quarter's report
        ("", None),
        ("Quý II", None),
        ("Dự kiến quý II/2026", None),
        ("Thường xuyên năm 2026", None),
        ("15/07/2026", None),
        ("Trước 01/7/2026", None),
        # a correction or addendum tagged after the period (the corrected report was refused, the stale one stayed)
        ("Quý I/2026 (lần 2)", "2026-Q1"),
        ("Quý I/2026 - bổ sung", "2026-Q1"),
        ("Quý I/2026 (bản sửa)", "2026-Q1"),
        ("6 tháng đầu năm 2026 (bổ sung)", "2026-H1"),
        ("Quý II năm 2026 (Lần thứ 2)", "2026-Q2"),
        ("Quý I/ năm 2026", "2026-Q1"),
        ("Năm 2026 (cả năm)", "2026-Y"),
        ("Quý l/2026", "2026-Q1"),  # a lower-case L for I
        ("Quý lV/2026", "2026-Q4"),
        ("Tháng 3/2026 (bổ sung)", None),
        ("Quý III/2026 (từ 15/6 đến 14/9/2026) (lần 2)", "2026-Q3"),  # a cut-off range and a tag, in any order
        ("Báo cáo quý IV/2026 (cả năm)", None),  # a quarter said to be the whole year: contradictory, refused
        ("6 tháng đầu năm 2026 (cả năm)", None),
    ],
)
def test_period_labels(text: str, label: str | None) -> None:
    assert parse_report_period(text) == label


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Quý V/2026", "quý V không tồn tại"),
        ("Quý II", "thiếu năm"),
        ("Tháng 5/2026", "không phải kỳ báo cáo (quý, 6 tháng, 9 tháng hoặc năm)"),
        ("Dự kiến quý II/2026", "dự kiến"),
        ("Đợt 1 năm 2026", "không phải kỳ báo cáo (quý, 6 tháng, 9 tháng hoặc năm)"),
    ],
)
def test_a_period_that_is_not_one_says_why_and_blocks_the_report(tmp_path: Path, text: str, why: str) -> None:
    label, reason = read_report_period(text)
    assert label is None and why in reason
    head = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", text], ["Ngày báo cáo:", "03/04/2026"], []]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", [*head, TABLE, ["1", "Hoàn thành", 100]]))
    assert not result.loadable and [(i.rule, i.blocking) for i in result.file_issues] == [("bad_metadata", True)]
    assert f"không đọc được '{text}' ({reason})" in result.file_issues[0].reason


# --- what the unit does not see, and what it should not have typed ------------------------------------------------


def _sheets(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = (), rows: tuple[int, ...] = ()) -> Path:
    """A workbook of several sheets; ``hidden`` sheets and (on the first sheet) ``rows`` hidden as Excel hides them."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, grid in sheets.items():
        ws = wb.create_sheet(title)
        for row in grid:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    for r in rows:
        wb.worksheets[0].row_dimensions[r].hidden = True
    save_fixed(wb, path, datetime(2026, 10, 5, 16))
    return path


Q2 = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý II/2026"], ["Ngày báo cáo:", "03/07/2026"], [], TABLE]
Q3 = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý III/2026"], ["Ngày báo cáo:", "02/10/2026"], [], TABLE]


def test_last_quarters_sheet_beside_this_one_refuses_the_file_and_a_hidden_one_is_skipped(tmp_path: Path) -> None:
    sheets = {"Quý II": [*Q2, ["4", "Đang triển khai", 50]], "Quý III": [*Q3, ["4", "Hoàn thành", 100, "14/08/2026"]]}
    both = read_progress_report(_sheets(tmp_path / "a.xlsx", sheets), KNOWN, today=date(2026, 10, 20))
    assert not both.loadable and both.rows == [] and both.period_label is None
    assert [(i.rule, i.blocking) for i in both.file_issues] == [("multiple_table_sheets", True)]
    assert "2 trang tính cùng chứa bảng tiến độ: 'Quý II', 'Quý III'" in both.file_issues[0].reason
    assert "mỗi báo cáo (mỗi kỳ) một tệp riêng" in both.file_issues[0].reason
    # the first sheet hidden: the visible one is the report, the hidden one is named and not read
    one = read_progress_report(_sheets(tmp_path / "b.xlsx", sheets, hidden=("Quý II",)), KNOWN, today=date(2026, 10, 20))
    assert (
        one.loadable and one.period_label == "2026-Q3" and [(r["task_no"], r["status"]) for r in one.rows] == [("4", "completed")]
    )
    assert [(i.rule, i.blocking) for i in one.file_issues] == [("hidden_cells", False)]
    assert "Trang tính ẩn 'Quý II' cũng chứa bảng tiến độ: không đọc, chỉ đọc trang tính đang hiện 'Quý III'" in (
        one.file_issues[0].reason
    )
    # only a hidden sheet holds the table: not read as if it were visible
    only = read_progress_report(_sheets(tmp_path / "c.xlsx", {"Ghi chú": [["x"]], **sheets}, hidden=("Quý II", "Quý III")))
    assert not only.loadable and [(i.rule, i.blocking) for i in only.file_issues] == [("hidden_cells", True)]
    assert "chỉ có ở trang tính ẩn 'Quý II', 'Quý III'" in only.file_issues[0].reason


def test_a_hidden_stale_row_never_beats_the_visible_update(tmp_path: Path) -> None:
    rows = [
        *Q3,
        ["IV.3", "Hoàn thành", 100, "18/09/2026"],  # 6
        ["4", "Đang triển khai", 40],  # 7: last quarter's row, hidden
        ["4", "Hoàn thành", 100, "14/08/2026"],  # 8: the update the unit sees
        ["IV.3", "Đang triển khai", 90],  # 9: hidden after the visible row 6
        ["Người lập biểu", None, None, None, None, "Thủ trưởng đơn vị"],  # the signature block ends the table
        ["Nguyễn Văn A", None, None, None, None, "Trần Văn B"],
    ]
    result = read_progress_report(_sheets(tmp_path / "r.xlsx", {"Báo cáo": rows}, rows=(7, 9)), KNOWN, today=date(2026, 10, 20))
    assert result.loadable
    assert [(r["task_no"], r["status"], r["source_row"]) for r in result.rows] == [
        ("IV.3", "completed", 6),
        ("4", "completed", 8),
    ]
    assert [(r["row_number"], r["rule"], r["record_key"]) for r in result.rejects] == [
        (7, "duplicate_task", "4"),
        (9, "duplicate_task", "IV.3"),
    ]
    assert result.rejects[0]["reason"] == (
        "Dòng 7 bị ẩn và trùng nhiệm vụ 4 với dòng 8 đang hiện; giữ dòng đang hiện 8, loại dòng ẩn."
    )
    hidden = [i for i in result.file_issues if i.rule == "hidden_cells"]
    assert [(i.row_number, i.blocking) for i in hidden] == [(7, False), (9, False)] and "Dòng 7 bị ẩn" in hidden[0].reason
    assert {i.rule for i in result.file_issues} == {"hidden_cells"}  # no reject or note for the signature block


def test_phone_and_id_numbers_in_free_text_are_masked_and_the_cell_named(tmp_path: Path) -> None:
    rows = [
        *HEAD,
        TABLE,
        ["1", "Đang triển khai", 50, None, None, None, "Chờ ông Lê Văn C (0912 000 111, CCCD 001099012345) bổ sung hồ sơ"],
        ["2", "Đang triển khai", 50, None, None, None, None, "Liên hệ lvc@example.com để xác minh"],
        ["3", "Đang triển khai", 50, None, None, None, "Chờ UBND tỉnh cho ý kiến"],
    ]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN)
    rows_by_no = _rows(result)
    # the name after "ông" too (a name elsewhere in a sentence cannot be told from other words)
    assert rows_by_no["1"]["difficulties"] == "Chờ ông [đã ẩn] ([đã ẩn], CCCD [đã ẩn]) bổ sung hồ sơ"
    assert rows_by_no["2"]["proposals"] == "Liên hệ [đã ẩn] để xác minh"
    assert rows_by_no["3"]["difficulties"] == "Chờ UBND tỉnh cho ý kiến"
    notes = [i for i in result.file_issues if i.rule == "personal_data_masked"]
    assert [(i.row_number, i.record_key, i.blocking) for i in notes] == [(6, "1", False), (7, "2", False)]
    assert notes[0].reason.startswith("Dòng 6 (nhiệm vụ 1), ô G6 (cột 'Khó khăn, vướng mắc'): đã ẩn 3 số điện thoại")
    assert "ô H7 (cột 'Đề xuất, kiến nghị')" in notes[1].reason
    for note in notes:  # the value itself is never repeated in the note
        assert not any(v in note.reason for v in ("0912", "001099012345", "lvc@example.com"))


# --- task numbers, empty reports and periods of another year --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("03", "3"),
        ("3.", "3"),
        (3.0, "3"),
        ("IV.01", "IV.1"),
        ("iv. 01", "IV.1"),
        ("0", "0"),
        ("00", "0"),
        ("10", "10"),
        ("01.02", "1.2"),
        ("A03", "A03"),  # not numeric: kept as written
        (" ", None),
    ],
)
def test_a_task_number_loses_the_leading_zeros_of_each_numeric_part(value: object, key: str | None) -> None:
    assert task_number(value) == key


def test_task_numbers_with_a_leading_zero_match_the_register(tmp_path: Path) -> None:
    rows = [*HEAD, TABLE, ["03", "Hoàn thành", 100, "20/01/2026"], ["05", "Đang triển khai", 40], ["IV.01", "Đang triển khai"]]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), ["3.", 5, "IV.1"], unit_matcher=office_code)
    assert result.loadable and result.rejects == []
    assert [r["task_no"] for r in result.rows] == ["3", "5", "IV.1"]


def test_a_report_without_a_task_row_is_refused_so_it_never_replaces_the_real_one(tmp_path: Path) -> None:
    blank = read_progress_report(_workbook(tmp_path / "blank.xlsx", [*HEAD, TABLE]), KNOWN, unit_matcher=office_code)
    assert not blank.loadable and blank.rows == [] and blank.rejects == []
    [issue] = blank.file_issues
    assert (issue.rule, issue.blocking) == ("no_rows", True)
    assert "không có dòng nhiệm vụ hợp lệ nào" in issue.reason and "vẫn được dùng" in issue.reason
    # Every row rejected is no task row either: refused, its rejects still say why row by row.
    rows = [*HEAD, TABLE, ["99", "Hoàn thành", 100, "20/01/2026"], ["98", "Đang triển khai"]]
    rejected = read_progress_report(_workbook(tmp_path / "unknown.xlsx", rows), KNOWN, unit_matcher=office_code)
    assert not rejected.loadable and [x["rule"] for x in rejected.rejects] == ["unknown_task", "unknown_task"]
    assert [(i.rule, i.blocking) for i in rejected.file_issues] == [("no_rows", True)]
    assert "(2 dòng bị loại" in rejected.file_issues[0].reason


def _dated(period: str, day: str) -> list[list[object]]:
    return [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", period], ["Ngày báo cáo:", day], []]


@pytest.mark.parametrize(
    ("period", "day", "plans", "rule"),
    [
        ("Quý III/2025", "06/10/2026", {2026: KNOWN}, "period_date_mismatch"),  # last year's template
        ("Quý III/2025", "06/10/2026", None, "period_date_mismatch"),  # whatever the plans
        ("Quý I/2027", "20/12/2026", None, "period_date_mismatch"),  # dated before its year
        ("Quý IV/2025", "15/01/2026", {2026: KNOWN}, "period_not_in_plan"),  # the usual lag, but no plan of 2025
        ("Quý IV/2025", "15/01/2026", {2025: KNOWN}, None),  # the year's last report comes in January
        ("Năm 2025", "10/03/2026", {2025: KNOWN, 2026: KNOWN}, None),
        ("Quý III/2026", "06/10/2026", {2026: KNOWN}, None),
        ("Quý III/2026", "06/10/2026", {}, None),  # no plan loaded at all: nothing to judge the year by
        ("Quý III/2026", "15/04/2026", {2026: KNOWN}, "period_date_mismatch"),  # dated before its quarter began
        ("Năm 2026", "15/12/2026", {2026: KNOWN}, None),  # a year's report is sent before the year ends
        ("6 tháng đầu năm 2026", "12/06/2026", {2026: KNOWN}, None),  # and the half-year's before June ends
    ],
)
def test_a_period_of_another_year_than_the_report_date_or_the_plans_is_refused(
    tmp_path: Path, period: str, day: str, plans: dict | None, rule: str | None
) -> None:
    rows = [*_dated(period, day), TABLE, ["1", "Đang triển khai", 50]]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), plans, unit_matcher=office_code)
    if rule is None:
        assert result.loadable and [r["task_no"] for r in result.rows] == ["1"] and result.file_issues == []
        return
    assert not result.loadable and result.rows == []
    [issue] = result.file_issues
    assert (issue.rule, issue.blocking) == (rule, True)
    assert f"'{period}'" in issue.reason and day in issue.reason and "Đề nghị sửa 'Kỳ báo cáo'" in issue.reason


# --- a percent header worded as the status, task numbers and statuses as offices type them -----------------------


@pytest.mark.parametrize("percent_first", [True, False])
def test_a_percent_header_worded_like_the_status_is_the_percent(tmp_path: Path, percent_first: bool) -> None:
    """ "Tiến độ thực hiện (%)" is a usual percent header; "Tiến độ thực hiện" alone is a way to write the status.
    Before "Tình trạng" it took the status column (every row rejected: '100' is no status, the file refused); after
    it, the percent was silently lost."""
    table = ["Số TT nhiệm vụ", "Tiến độ thực hiện (%)", "Tình trạng", "Ngày hoàn thành"]
    rows = [["1", 100, "Hoàn thành", "20/01/2026"], ["2", 50, "Đang triển khai", None]]
    if not percent_first:
        table[1], table[2] = table[2], table[1]
        rows = [[r[0], r[2], r[1], r[3]] for r in rows]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", [*HEAD, table, *rows]), KNOWN, unit_matcher=office_code)
    assert result.loadable and result.rejects == []
    assert [(r["task_no"], r["status"], r["percent"]) for r in result.rows] == [
        ("1", "completed", 100.0),
        ("2", "in_progress", 50.0),
    ]


def test_a_column_s_own_header_wins_over_another_column_s_alias() -> None:
    from sources.csvfiles import header_mapping
    from sources.task_formats import REPORT_COLUMNS

    # "Tiến độ thực hiện" (an alias of the status) before the status's own header: the own header takes the status
    mapping, unknown = header_mapping(["Số TT nhiệm vụ", "Tiến độ thực hiện", "Tình trạng"], REPORT_COLUMNS)
    assert {i: c.name for i, c in mapping.items()} == {0: "task_no", 2: "status"} and unknown == ["Tiến độ thực hiện"]
    # a "%" header never goes to a column that is no percentage; the percentage column taken, it is unknown
    mapping, unknown = header_mapping(["Số TT nhiệm vụ", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Trạng thái (%)"], REPORT_COLUMNS)
    assert {i: c.name for i, c in mapping.items()} == {0: "task_no", 1: "status", 2: "percent"}
    assert unknown == ["Trạng thái (%)"]


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("IV-1", "IV.1"),
        ("IV 2", "IV.2"),
        ("IV/4", "IV.4"),
        ("iv_5", "IV.5"),
        ("IV - 06", "IV.6"),
        ("6\u200b", "6"),  # a zero-width space pasted after the number
        ("\ufeff7", "7"),  # a byte-order mark at the start of the cell
        ("8\u00a0", "8"),  # a no-break space
        ("１２", "12"),  # full-width digits
        ("A-3", "A-3"),  # not Roman or Arabic parts: kept as written
        ("Nhiệm vụ 7", "7"),  # the word typed before the number
        ("nhiệm vụ số IV.1", "IV.1"),
        ("NV 7", "7"),
        ("NV7", "7"),
        ("NV-07", "7"),
        ("Nhiệm vụ khác", "NHIỆM VỤ KHÁC"),  # no number after it: not a task number
    ],
)
def test_a_task_number_written_another_way_is_the_same_task(value: str, key: str) -> None:
    assert task_number(value) == key


def test_task_numbers_written_another_way_match_the_register_and_the_reason_quotes_what_is_seen(tmp_path: Path) -> None:
    rows = [
        *HEAD,
        TABLE,
        ["IV-1", "Đang triển khai", 10],
        ["IV 2", "Đang triển khai", 10],
        ["IV/4", "Đang triển khai", 10],
        ["6\u200b", "Đang triển khai", 10],
        ["８", "Đang triển khai", 10],
        ["99\u200b", "Đang triển khai", 10],  # row 11: not in the register
    ]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, unit_matcher=office_code)
    assert result.loadable and [r["task_no"] for r in result.rows] == ["IV.1", "IV.2", "IV.4", "6", "8"]
    assert [(x["row_number"], x["rule"], x["record_key"], x["value"]) for x in result.rejects] == [
        (11, "unknown_task", "99", "99")
    ]
    assert result.rejects[0]["reason"] == "Nhiệm vụ số '99' không có trong sổ kế hoạch."


def test_usual_status_wordings_read_whatever_their_case_and_accents(tmp_path: Path) -> None:
    rows = [
        *HEAD,
        TABLE,
        ["1", "Hoàn thành đúng hạn", 100, "20/01/2026"],
        ["2", "HOÀN THÀNH  ĐÚNG HẠN", 100, "21/01/2026"],
        ["3", "Đã triển khai", 30],
        ["5", "da trien khai", 30],
        ["IV.1", "Chưa hoàn thành", 60],
        ["IV.2", "chưa hoàn thành", 0],
        ["IV.3", "Xong", 100],  # row 12: still no status
    ]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, unit_matcher=office_code)
    assert result.loadable
    assert {r["task_no"]: r["status"] for r in result.rows} == {
        "1": "completed",
        "2": "completed",
        "3": "in_progress",
        "5": "in_progress",
        "IV.1": "in_progress",
        "IV.2": "in_progress",
    }
    assert [(x["row_number"], x["rule"]) for x in result.rejects] == [(12, "bad_value:status")]
    assert [i.rule for i in result.file_issues] == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Quý III 2026", "2026-Q3"),
        ("Quý III (2026)", "2026-Q3"),
        ("quý 4 (năm 2026)", "2026-Q4"),
        ("Quý III, 2026", "2026-Q3"),
        ("Q3/2026", "2026-Q3"),
        ("6 tháng năm 2026", "2026-H1"),  # the mid-year report's usual name
        ("Báo cáo sáu tháng 2026", "2026-H1"),
        ("9 tháng đầu năm 2026", "2026-Q3"),  # no nine-month period: the third quarter's report
        ("Chín tháng năm 2026", "2026-Q3"),
        ("Năm (2026)", "2026-Y"),
        ("Quý III/2026 (từ 15/6 đến 14/9/2026)", "2026-Q3"),  # the data cut-off range after the period
        ("Năm 2026 (từ 15/12/2025 đến 14/12/2026)", "2026-Y"),
        ("Quy III/2026", "2026-Q3"),  # typed without diacritics
        ("Quy 3 nam 2026", "2026-Q3"),
        ("QUY IV NAM 2026", "2026-Q4"),
        ("6 thang dau nam 2026", "2026-H1"),
        ("Nam 2026", "2026-Y"),
    ],
)
def test_periods_as_reports_spell_them(tmp_path: Path, text: str, label: str) -> None:
    assert read_report_period(text) == (label, None)
    head = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", text], ["Ngày báo cáo:", "05/10/2026"], []]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", [*head, TABLE, ["1", "Đang triển khai", 50]]), KNOWN)
    assert result.loadable and result.period_label == label and result.period_text == text


@pytest.mark.parametrize("text", ["Đợt 2 năm 2026", "Trước quý III/2026", "9 tháng cuối năm 2026", "Thường xuyên năm 2026"])
def test_a_period_refused_is_told_in_a_period_s_words_not_a_deadline_s(tmp_path: Path, text: str) -> None:
    label, reason = read_report_period(text)
    assert label is None and reason == f"'{text}' không phải kỳ báo cáo (quý, 6 tháng, 9 tháng hoặc năm)"
    head = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", text], ["Ngày báo cáo:", "05/10/2026"], []]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", [*head, TABLE, ["1", "Đang triển khai", 50]]), KNOWN)
    [issue] = result.file_issues
    assert (issue.rule, issue.blocking) == ("bad_metadata", True)
    assert "thường xuyên" not in issue.reason.replace(text, "") and "thời gian hoàn thành" not in issue.reason
    assert issue.reason == (
        f"'Kỳ báo cáo' không đọc được '{text}' ({reason}); cần kỳ quý, 6 tháng, 9 tháng hoặc năm, ví dụ 'Quý I/2026', "
        "'6 tháng đầu năm 2026', '9 tháng đầu năm 2026', 'Năm 2026'; không nạp được tệp."
    )


# --- dates that cannot be true --------------------------------------------------------------------------------------


def test_a_date_before_the_plan_year_rejects_the_row_naming_file_row_cell_and_value(tmp_path: Path) -> None:
    """A quý I/2026 report giving task 5 "Hoàn thành 15/01/2025" (the year mistyped) counted it as completed on time."""
    rows = [
        *HEAD,  # Quý I/2026, dated 03/04/2026
        TABLE,
        ["5", "Hoàn thành", 100, "15/01/2025"],  # 6: the year mistyped
        ["3", "Đang triển khai", 50, None, "Báo cáo số 1/BC-SKHCN", datetime(2025, 12, 20)],  # 7: document of last year
        ["2", "Hoàn thành", 100, "02/01/2026", "Kế hoạch số 45/KH-SKHCN", "31/12/2025"],  # 8: document of last year
        ["1", "Hoàn thành", 100, "01/01/2026", "Kế hoạch số 46/KH-SKHCN", "01/01/2026"],  # 9: the plan year's first day
    ]
    path = _workbook(tmp_path / "vp_q1.xlsx", rows)
    result = read_progress_report(path, {2026: KNOWN}, unit_matcher=office_code, today=date(2026, 4, 10))
    assert result.loadable and [r["task_no"] for r in result.rows] == ["1"]
    assert [(x["row_number"], x["rule"], x["record_key"], x["value"]) for x in result.rejects] == [
        (6, "date_before_plan_year:completed_on", "5", "15/01/2025"),
        (7, "date_before_plan_year:result_doc_date", "3", "20/12/2025"),
        (8, "date_before_plan_year:result_doc_date", "2", "31/12/2025"),
    ]
    assert result.rejects[0]["reason"] == (
        "Tệp 'vp_q1.xlsx', dòng 6, ô D6 (cột 'Ngày hoàn thành'): ngày 15/01/2025 trước năm kế hoạch 2026 (kỳ báo cáo "
        "'Quý I/2026'), không thể đúng (có thể ghi nhầm năm); dòng không được nạp. Đề nghị sửa ngày rồi gửi lại."
    )
    assert "dòng 7, ô F7 (cột 'Ngày văn bản'): ngày 20/12/2025" in result.rejects[1]["reason"]
    from sources.rule_labels import rule_label

    assert rule_label("date_before_plan_year:completed_on") == "Ngày trước năm kế hoạch của kỳ báo cáo: Ngày hoàn thành"
    # A quý IV/2025 report sent in January 2026 may give dates of 2025: its plan year is 2025.
    late = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý IV/2025"], ["Ngày báo cáo:", "10/01/2026"], []]
    rows = [*late, TABLE, ["5", "Hoàn thành", 100, "15/12/2025"], ["3", "Hoàn thành", 100, "05/01/2026"]]
    result = read_progress_report(_workbook(tmp_path / "q4.xlsx", rows), {2025: KNOWN}, today=date(2026, 1, 12))
    assert result.loadable and result.rejects == [] and [r["task_no"] for r in result.rows] == ["5", "3"]


def test_excel_s_zero_date_is_a_blank_date_with_a_note(tmp_path: Path) -> None:
    """0 in a date cell (Excel shows 00/01/1900) rejected a completed task's row as "'00:00:00'" badly formatted."""
    rows = [
        *HEAD,
        TABLE,
        ["3", "Hoàn thành", 100, 0, "Kế hoạch số 45/KH-SKHCN", "20/01/2026"],  # 6: falls back as a missing date does
        ["2", "Đang triển khai", 50, None, "Báo cáo số 9/BC-SKHCN", 0],  # 7
    ]
    path = _workbook(tmp_path / "r.xlsx", rows, {"D6": "DD/MM/YYYY", "F7": "dd/mm/yyyy"})
    result = read_progress_report(path, KNOWN, unit_matcher=office_code)
    assert result.loadable and result.rejects == []
    rows_by_no = _rows(result)
    assert rows_by_no["3"]["status"] == "completed" and rows_by_no["3"]["completed_on"] is None
    assert rows_by_no["3"]["result_doc_date"] == date(2026, 1, 20) and rows_by_no["2"]["result_doc_date"] is None
    assert [(i.rule, i.row_number, i.blocking) for i in result.file_issues] == [
        ("zero_date", 6, False),
        ("completed_without_date", 6, False),
        ("zero_date", 7, False),
    ]
    assert result.file_issues[0].reason == (
        "Dòng 6 (nhiệm vụ 3): ô D6 (cột 'Ngày hoàn thành') ghi số 0 (Excel hiện 00/01/1900), không phải một ngày: đọc "
        "như để trống. Đề nghị ghi ngày dạng dd/mm/yyyy hoặc để trống ô."
    )


def test_excel_s_zero_date_of_an_xls_is_a_blank_date_too(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "r.xls", [*HEAD, TABLE, ["3", "Hoàn thành", 100, 0]], number_formats={"D6": "dd/mm/yyyy"})
    result = read_progress_report(path, KNOWN)
    assert result.loadable and result.rejects == [] and result.rows[0]["completed_on"] is None
    assert "zero_date" in [i.rule for i in result.file_issues]


def test_a_percent_out_of_range_is_quoted_as_excel_shows_it(tmp_path: Path) -> None:
    """In a '%' cell 80 shows 8000 % and 1.2 shows 120 %: the reason said '80% ngoài khoảng 0-100' and '1.2% ngoài
    khoảng 0-100', contradicting itself."""
    rows = [*HEAD, TABLE, ["1", "Đang triển khai", 80], ["2", "Đang triển khai", 1.2]]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows, {"C6": "0%", "C7": "0%"}), ["1", "2"])
    assert [r["reason"] for r in result.rejects] == [
        "Tỷ lệ hoàn thành 8000% ngoài khoảng 0-100.",
        "Tỷ lệ hoàn thành 120% ngoài khoảng 0-100.",
    ]


# --- dates and periods typed as people type them -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "\u200b05/09/2026",  # a zero-width space pasted from a web page
        "05/09/2026\ufeff",  # a BOM
        "05/09/2026\u00ad",  # a soft hyphen from Word
        "05/09/2026\u00a0",
        "Ngày 05/09/2026",
        "ngày 5/9/2026",
        "05/09/2026.",
        "ngày 05 tháng 9 năm 2026.",
        "05/09/2026 08:30",
        "2026-09-05 00:00:00",  # a date-time copied as text
        "2026-09-05T00:00:00",
        46270.5,  # a date-time serial in a General cell: noon of 05/09/2026
        46270,
    ],
)
def test_a_date_with_an_invisible_character_a_day_word_a_time_or_a_full_stop_reads(value: object) -> None:
    assert cell_date(value) == (date(2026, 9, 5), True)


@pytest.mark.parametrize("value", ["05/09/26", "46270", "ngày mai", "05/09/2026 sáng", -1.5])
def test_a_date_that_is_not_one_still_is_refused(value: object) -> None:
    assert cell_date(value) == (None, False)


def test_a_report_whose_dates_carry_invisible_characters_or_words_loads_every_row(tmp_path: Path) -> None:
    """A zero-width space after the report date refused the whole report quoting '05/10/2026', which looks valid; a
    row's "ngày 05/09/2026" or 46270.5 was rejected."""
    head = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý III/2026"], ["Ngày báo cáo:", "05/10/2026\u200b"], []]
    rows = [
        ["1", "Hoàn thành", 100, "\u200b05/09/2026", "Quyết định số 12/QĐ-SKHCN", "Ngày 05/09/2026"],
        ["2", "Hoàn thành", 100, 46270.5],
        ["3", "Hoàn thành", 100, "2026-09-05 00:00:00"],
        ["5", "Hoàn thành", 100, "05/09/2026."],
    ]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", [*head, TABLE, *rows]), KNOWN, today=date(2026, 10, 10))
    assert result.loadable and result.report_date == date(2026, 10, 5) and result.rejects == []
    assert [(r["task_no"], r["completed_on"]) for r in result.rows] == [(n, date(2026, 9, 5)) for n in ("1", "2", "3", "5")]
    assert result.rows[0]["result_doc_date"] == date(2026, 9, 5)


def test_a_task_number_typed_after_nhiem_vu_or_nv_is_the_task_and_an_unknown_one_is_quoted_as_written(tmp_path: Path) -> None:
    """ "Nhiệm vụ 7" in the number column was rejected as "Nhiệm vụ số 'NHIỆM VỤ 7' không có trong sổ kế hoạch":
    upper-cased, and misleading (task 7 is in the register)."""
    rows = [*HEAD, TABLE, ["Nhiệm vụ 6", "Đang triển khai", 10], ["NV 7", "Đang triển khai", 10], ["NV7", "Đang triển khai", 10]]
    rows += [["nv 99", "Đang triển khai", 10], ["Nhiệm vụ khác", "Đang triển khai", 10], ["0987 111 222", "Đang triển khai", 10]]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, unit_matcher=office_code)
    assert [r["task_no"] for r in result.rows] == ["6", "7"]
    assert [(x["row_number"], x["rule"], x["value"], x["reason"], x["record_key"]) for x in result.rejects] == [
        (8, "duplicate_task", "7", "Nhiệm vụ 7 đã báo cáo ở dòng 7; giữ dòng đầu tiên.", "7"),
        (9, "unknown_task", "nv 99", "Nhiệm vụ số 99 (ghi 'nv 99') không có trong sổ kế hoạch.", "99"),
        # words, or a phone typed there: quoted only as written (masked in the quarantine), never as a key
        (
            10,
            "unknown_task",
            "Nhiệm vụ khác",
            "Cột 'Số TT nhiệm vụ' ghi 'Nhiệm vụ khác': không phải số nhiệm vụ trong sổ kế hoạch.",
            None,
        ),
        (
            11,
            "unknown_task",
            "0987 111 222",
            "Cột 'Số TT nhiệm vụ' ghi '0987 111 222': không phải số nhiệm vụ trong sổ kế hoạch.",
            None,
        ),
    ]


def _with_long_cells(path: Path, texts: dict[str, str]) -> Path:
    """``path`` with each placeholder text replaced in the workbook's XML by a text longer than openpyxl writes (it
    cuts a cell at 32,767 characters), as another program may save it."""
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i.filename) for i in z.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            for placeholder, text in texts.items():
                data = data.replace(placeholder.encode(), text.encode())
            z.writestr(info, data)
    return path


def test_a_huge_free_text_is_cut_with_a_note_and_a_huge_bad_value_is_quoted_short(tmp_path: Path) -> None:
    """A 200 kB "Khó khăn" cell was stored whole (openpyxl then cuts it at 32,767 characters in the workbooks the
    pipeline writes, without a word); a 200 kB status was echoed whole into the reject's reason and value."""
    difficulties = "Thiếu kinh phí triển khai. " * 8000  # 216,000 characters
    rows = [*HEAD, TABLE, ["1", "Đang triển khai", 50, None, None, None, "KHO_KHAN"], ["2", "TINH_TRANG", 50]]
    path = _with_long_cells(_workbook(tmp_path / "r.xlsx", rows), {"KHO_KHAN": difficulties, "TINH_TRANG": "Đang " * 40000})
    result = read_progress_report(path, KNOWN, unit_matcher=office_code)
    [row] = result.rows
    assert len(row["difficulties"]) == 32_000 and row["difficulties"].startswith("Thiếu kinh phí")  # Excel's is 32,767
    [note] = [i for i in result.file_issues if i.rule == "long_text_cut"]
    assert not note.blocking and note.row_number == 6 and "ô G6" in note.reason and "Khó khăn, vướng mắc" in note.reason
    assert str(len(difficulties.strip())) in note.reason and "32000" in note.reason
    [reject] = result.rejects
    assert (reject["row_number"], reject["rule"]) == (7, "bad_value:status")
    assert len(reject["value"]) <= 200 and len(reject["reason"]) < 400 and reject["value"].endswith("…")


def test_the_format_characters_removed_from_cells_are_unicodes_category_cf() -> None:
    import sys
    import unicodedata

    from sources.task_formats import FORMAT_CHARACTERS

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    assert FORMAT_CHARACTERS.sub("", every) == ""
    assert FORMAT_CHARACTERS.sub("", "05/10/2026\u200b Nguyễn\u00a0x") == "05/10/2026 Nguyễn\u00a0x"


@pytest.mark.parametrize(
    ("written", "is_task"),
    [
        ("1", True),
        ("IV.12", True),
        ("1.2.3", True),
        ("2026", True),
        ("1a", True),  # a sub-item's letter (it refused the task as no task number)
        ("2.1.b", True),
        ("II.3.a", True),
        ("001199012345", False),
        ("0987 111 222", False),
        ("Nhiệm vụ khác", False),
    ],
)
def test_a_phone_or_id_number_in_the_number_column_is_no_task_number(written: str, is_task: bool) -> None:
    """Read as a task number, a CCCD became task '1199012345' (its zeros dropped) and a phone '987.111.222', kept
    as keys the masking no longer recognised, in the marts and the report to Sở Nội vụ."""
    from sources.task_formats import is_task_number, task_number

    assert is_task_number(task_number(written) or "") is is_task


def test_a_phone_in_the_number_column_is_refused_without_a_register_too(tmp_path: Path) -> None:
    """Without a register to check against (known None), a phone read as '987.111.222' loaded as a task key."""
    rows = [*HEAD, TABLE, ["1", "Đang triển khai", 10], ["0987 111 222", "Đang triển khai", 10]]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), None, unit_matcher=office_code)
    assert [r["task_no"] for r in result.rows] == ["1"]
    assert [(x["rule"], x["record_key"]) for x in result.rejects] == [("unknown_task", None)]


def test_a_percent_column_under_other_words_with_a_percent_sign_is_read(tmp_path: Path) -> None:
    """'Tiến độ (%)' or 'Mức độ hoàn thành (%)' heads the unit's percent column: it was ignored, and the unit told the
    column was missing. A column no form has is named in a note, as in the plan register."""
    for heading in ("Tiến độ (%)", "Mức độ hoàn thành (%)"):
        table = [heading if h == "Tỷ lệ hoàn thành (%)" else h for h in TABLE] + ["Ghi chú riêng"]
        rows = [*HEAD, table, ["1", "Đang triển khai", 60], ["2", "Hoàn thành", 100, "28/03/2026"]]
        result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows))
        assert [r["percent"] for r in result.rows] == [60.0, 100.0]
        rules = {i.rule: i.reason for i in result.file_issues}
        assert "missing_optional_columns" not in rules
        assert rules["unknown_columns"] == "Bỏ qua cột không có trong mẫu: Ghi chú riêng."


def test_a_fraction_or_a_thousands_group_in_the_percent_column_is_never_read_silently(tmp_path: Path) -> None:
    """'0,8' (80 % written as a fraction, text or a number in a General cell) loaded as 0.8 % without a word, and
    '1.000' as 1 %: a fraction is noted with what to write, a thousands group is refused as ambiguous."""
    rows = [
        *HEAD,
        TABLE,
        ["1", "Đang triển khai", "0,8"],
        ["2", "Đang triển khai", 0.8],
        ["3", "Đang triển khai", "1.000"],
        ["4", "Đang triển khai", 30],
        ["5", "Đang triển khai", 0.5],
        ["6", "Đang triển khai", "0,500"],  # a decimal: no thousands group starts with 0
    ]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows, {"C10": "0%"}))
    assert {r["task_no"]: r["percent"] for r in result.rows} == {"1": 0.8, "2": 0.8, "4": 30.0, "5": 50.0, "6": 0.5}
    notes = [(i.row_number, i.record_key) for i in result.file_issues if i.rule == "percent_below_one"]
    assert notes == [(6, "1"), (7, "2"), (11, "6")]
    assert "nếu là 80% thì đề nghị ghi số 80" in next(i.reason for i in result.file_issues if i.rule == "percent_below_one")
    assert [(r["row_number"], r["rule"], r["value"]) for r in result.rejects] == [(8, "bad_value:percent", "1.000")]


def test_section_and_total_rows_of_a_table_copied_from_the_plan_are_skipped_with_a_note(tmp_path: Path) -> None:
    """ "I | NHIỆM VỤ TRỌNG TÂM" and "Tổng cộng | 2 nhiệm vụ" between the tasks each gave two rejects (unknown task, no
    status) for the unit to read through; they are headings and totals: skipped, noted, the tasks load."""
    rows = [
        *HEAD,
        TABLE,
        ["I", "NHIỆM VỤ TRỌNG TÂM"],
        ["1", "Hoàn thành", 100, "15/03/2026"],
        ["IV.", "TRÁCH NHIỆM CÁC PHÒNG"],
        ["2", "Đang thực hiện", 50],
        ["Tổng cộng", "2 nhiệm vụ"],
        ["3", ""],  # a task without its status is still rejected
    ]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, unit_matcher=office_code)
    assert sorted(_rows(result)) == ["1", "2"]
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [(11, "bad_value:status")]
    notes = [(i.row_number, i.rule) for i in result.file_issues if i.rule in ("section_row", "totals_row")]
    assert notes == [(6, "section_row"), (8, "section_row"), (10, "totals_row")]
    assert all(not i.blocking for i in result.file_issues)


def test_a_table_numbered_only_by_so_tt_is_refused_saying_how_to_name_the_task_column(tmp_path: Path) -> None:
    """A table copied from the plan ("Số TT | Nội dung công việc | Tình trạng") has no task-number column by name: its
    numbers may be the plan's or the rows' own (1, 2, 3 over tasks 3, 7, 12), and read as task numbers they would give
    one task's status to another. Refused, saying which header to write."""
    rows = [*HEAD, ["Số TT", "Nội dung công việc", "Tình trạng", "Ngày hoàn thành"], ["1", "Ban hành kế hoạch", "Hoàn thành"]]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, unit_matcher=office_code)
    [issue] = [i for i in result.file_issues if i.rule == "missing_columns"]
    assert not result.loadable and "Cột 'Số TT' có phải là số thứ tự của nhiệm vụ" in issue.reason
    assert "đổi tiêu đề cột thành 'Số TT nhiệm vụ'" in issue.reason


def test_a_row_beginning_with_cong_or_a_letter_is_no_total_or_heading_without_the_plans_numbers(tmp_path: Path) -> None:
    """ "Cộng đồng số: …" (no number, no status) was skipped as a total; without the plan's task numbers "a)" and "C"
    may be tasks, and are not skipped as section numbers."""
    rows = [*HEAD, TABLE, ["", "Cộng đồng số: triển khai nền tảng"], ["1", "Hoàn thành", 100, "15/03/2026"]]
    result = read_progress_report(_workbook(tmp_path / "r.xlsx", rows), KNOWN, unit_matcher=office_code)
    assert [r["row_number"] for r in result.rejects] and not [i for i in result.file_issues if i.rule == "totals_row"]
    rows = [*HEAD, TABLE, ["C", ""], ["1", "Hoàn thành", 100, "15/03/2026"]]
    result = read_progress_report(_workbook(tmp_path / "s.xlsx", rows), unit_matcher=office_code)
    assert {r["row_number"] for r in result.rejects} == {6} and not [i for i in result.file_issues if i.rule == "section_row"]
