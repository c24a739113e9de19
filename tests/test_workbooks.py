"""The shared Excel layer and the data-quality workbook, checked by reopening the written files with openpyxl."""

from __future__ import annotations

import unicodedata
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from common.units import AGENCY, COMMUNE, WARD, Unit
from workbooks import excel
from workbooks.excel import Column, add_bar_chart, add_color_scale, new_workbook, save_workbook, write_table
from workbooks.quality import (
    RECORD_HEADER,
    SHEET_DETAIL,
    SHEET_FILES,
    SHEET_FINDINGS,
    SHEET_GUIDE,
    SHEET_SUMMARY,
    UNKNOWN_UNIT,
    write_quality_workbook,
)

PROVINCE = "Thái Nguyên"
UNITS = [
    Unit("00001", "Xã Đồng Hỷ", COMMUNE, PROVINCE, None),
    Unit("00002", "Xã Yên Trạch", COMMUNE, PROVINCE, None),
    Unit("00003", "Xã Dân Tiến", COMMUNE, PROVINCE, None),
    Unit("00004", "Phường Phan Đình Phùng", WARD, PROVINCE, None),
    Unit("19.SNV", "Sở Nội vụ", AGENCY, PROVINCE, "H55.02"),
    Unit("00005", "Xã Không Lỗi", COMMUNE, PROVINCE, None),
]
NAMES = {u.code: u.name for u in UNITS}
FIXED_TIME = datetime(2026, 1, 31, 20, 30, tzinfo=UTC)  # 03:30 on 01/02/2026 in Việt Nam


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def rejected(
    code: str | None,
    file_name: str,
    row: int,
    reason: str = "Thiếu Mã hồ sơ",
    *,
    name: str | None = None,
    value: str | None = None,
) -> dict:
    return {
        "source": "tthc",
        "file_name": file_name,
        "row_number": row,
        "partition_date": "2026-01-02",
        "unit_code": code,
        "unit_name": name if name is not None else NAMES.get(code or ""),
        "record_key": f"HS-{row}",
        "rule": "required",
        "reason": reason,
        "value": value,
    }


REJECTED = [
    rejected("00001", "ho_so_20260102.csv", 10),  # Đồng Hỷ
    rejected("00001", "ho_so_20260102.csv", 2, "Ngày tiếp nhận không hợp lệ", value="32/01/2026"),
    rejected("00001", "ho_so_20260101.csv", 7),
    rejected("00002", "ho_so_20260101.csv", 3),  # Yên Trạch: after Đồng Hỷ in Vietnamese, before it by code point
    rejected("00003", "ho_so_20260101.csv", 4),  # Dân Tiến
    rejected("00004", "ho_so_20260101.csv", 5),  # Phường Phan Đình Phùng
    rejected("19.SNV", "ho_so_20260101.csv", 6),  # agencies come first
    rejected(None, "ho_so_20260101.csv", 8, name=nfd("UBND xã Tân  Khánh")),  # unknown unit, NFD from the source
    rejected(None, "ho_so_20260101.csv", 9, nfd("Không khớp đơn vị"), name=nfd("UBND xã Tân  Khánh")),
]
FILE_ISSUES = [
    {
        "source": "tthc",
        "file_name": "ho_so_20260103.csv",
        "partition_date": date(2026, 1, 3),
        "rule": "missing_column",
        "reason": 'Thiếu cột "Mã hồ sơ"',
    }
]
FINDINGS = [
    {"check": "silent_unit", "unit_code": "00002", "unit_name": "Xã Yên Trạch", "detail": "14 ngày không có hồ sơ"},
    {"check": "missing_day", "unit_code": None, "unit_name": None, "detail": "Không có tệp ngày 04/01/2026"},
]


def table_rows(ws, header_row: int) -> list[tuple]:
    """Data rows under the header, up to the first empty row."""
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(row)
    return rows


def header_row_of(ws) -> int:
    for row in ws.iter_rows(max_col=1):
        if row[0].value == "STT":
            return row[0].row
    raise AssertionError(f"no header in {ws.title}")


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    return write_quality_workbook(
        tmp_path / "bao_cao" / "chat_luong.xlsx",
        rejected_rows=REJECTED,
        file_issues=FILE_ISSUES,
        findings=FINDINGS,
        units=UNITS,
        period_label="Tháng 01/2026",
        generated_at=FIXED_TIME,
    )


def test_is_valid_workbook_with_vietnamese_sheets(workbook_path: Path) -> None:
    assert workbook_path.exists() and zipfile.is_zipfile(workbook_path)
    assert [p.name for p in workbook_path.parent.iterdir()] == ["chat_luong.xlsx"]  # no temp file left behind
    wb = load_workbook(workbook_path)
    assert wb.sheetnames == ["Tổng hợp", "Chi tiết", "Lỗi tệp", "Cảnh báo", "Hướng dẫn"]
    assert [SHEET_SUMMARY, SHEET_DETAIL, SHEET_FILES, SHEET_FINDINGS, SHEET_GUIDE] == wb.sheetnames


def test_titles_and_headers(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    summary = wb[SHEET_SUMMARY]
    assert summary["A1"].value == "BÁO CÁO CHẤT LƯỢNG DỮ LIỆU"
    assert summary["A2"].value == "Kỳ dữ liệu: Tháng 01/2026"
    assert summary["A3"].value == "Lập lúc 03:30 ngày 01/02/2026 (giờ Việt Nam)"
    assert summary["A1"].font.name == "Times New Roman"
    h = header_row_of(summary)
    headers = [c.value for c in summary[h]]
    assert headers[:4] == ["STT", "Đơn vị", "Nhóm", "Số dòng bị loại"]
    assert all(c.font.bold for c in summary[h])
    detail = wb[SHEET_DETAIL]
    detail_headers = [c.value for c in detail[header_row_of(detail)]]
    for expected in ("Đơn vị", "Tệp dữ liệu", "Dòng trong tệp", RECORD_HEADER, "Lý do bị loại", "Giá trị trong tệp"):
        assert expected in detail_headers
    assert "Lý do" in [c.value for c in wb[SHEET_FILES][header_row_of(wb[SHEET_FILES])]]
    assert "Nội dung cảnh báo" in [c.value for c in wb[SHEET_FINDINGS][header_row_of(wb[SHEET_FINDINGS])]]
    guide_text = " ".join(str(c.value) for c in wb[SHEET_GUIDE]["A"] if c.value)
    assert "gửi lại" in guide_text and RECORD_HEADER in guide_text


def test_summary_counts_and_vietnamese_order(workbook_path: Path) -> None:
    ws = load_workbook(workbook_path)[SHEET_SUMMARY]
    rows = table_rows(ws, header_row_of(ws))
    *units, total = rows
    assert [(r[1], r[2], r[3]) for r in units] == [
        ("Sở Nội vụ", "Cơ quan cấp tỉnh", 1),
        ("Phường Phan Đình Phùng", "Phường", 1),
        ("Xã Dân Tiến", "Xã", 1),
        ("Xã Đồng Hỷ", "Xã", 3),
        ("Xã Yên Trạch", "Xã", 1),
        ("UBND xã Tân Khánh", UNKNOWN_UNIT, 2),  # raw name shown, NFC and single-spaced
    ]
    assert [r[0] for r in units] == [1, 2, 3, 4, 5, 6]
    assert "Xã Không Lỗi" not in [r[1] for r in units]  # only units with something rejected
    dong_hy = units[3]
    assert dong_hy[4] == 2  # two distinct files
    assert dong_hy[5] == pytest.approx(3 / 9)
    assert dong_hy[6].startswith("Thiếu Mã hồ sơ (2)")
    assert total[1] == "Tổng cộng" and total[3] == len(REJECTED) == 9
    assert total[5] == 1
    first, total_row = header_row_of(ws) + 1, header_row_of(ws) + 7
    assert ws.cell(first, 6).number_format == "0.0%"
    assert ws.cell(first, 2).font.name == "Times New Roman" and not ws.cell(first, 2).font.b
    assert ws.cell(total_row, 2).font.b and ws.cell(total_row, 4).number_format == "#,##0"
    assert ws.cell(first, 4).alignment.horizontal == "right" and ws.cell(first, 2).alignment.wrap_text


def test_detail_sorted_by_unit_file_row(workbook_path: Path) -> None:
    ws = load_workbook(workbook_path)[SHEET_DETAIL]
    rows = table_rows(ws, header_row_of(ws))
    assert len(rows) == len(REJECTED)
    assert [(r[1], r[3], r[4]) for r in rows] == [
        ("Sở Nội vụ", "ho_so_20260101.csv", 6),
        ("Phường Phan Đình Phùng", "ho_so_20260101.csv", 5),
        ("Xã Dân Tiến", "ho_so_20260101.csv", 4),
        ("Xã Đồng Hỷ", "ho_so_20260101.csv", 7),
        ("Xã Đồng Hỷ", "ho_so_20260102.csv", 2),  # row numbers sort as numbers: 2 before 10
        ("Xã Đồng Hỷ", "ho_so_20260102.csv", 10),
        ("Xã Yên Trạch", "ho_so_20260101.csv", 3),
        ("UBND xã Tân Khánh", "ho_so_20260101.csv", 8),
        ("UBND xã Tân Khánh", "ho_so_20260101.csv", 9),
    ]
    assert [r[2] for r in rows[-2:]] == [UNKNOWN_UNIT, UNKNOWN_UNIT]
    assert rows[4][6:9] == ("HS-2", "Ngày tiếp nhận không hợp lệ", "32/01/2026")
    first = header_row_of(ws) + 1
    assert ws.cell(first, 6).value == datetime(2026, 1, 2)  # ISO partition date became a real Excel date
    assert ws.cell(first, 6).number_format == "dd/mm/yyyy"


def test_all_text_is_nfc(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    strings = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Không khớp đơn vị" in strings
    assert all(unicodedata.is_normalized("NFC", s) for s in strings)


def test_frozen_panes_filter_and_print_setup(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    for name, frozen_col in ((SHEET_SUMMARY, "C"), (SHEET_DETAIL, "C"), (SHEET_FILES, "A"), (SHEET_FINDINGS, "A")):
        ws = wb[name]
        h = header_row_of(ws)
        assert ws.freeze_panes == f"{frozen_col}{h + 1}", name
        assert ws.auto_filter.ref.startswith(f"A{h}:"), name
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    summary = wb[SHEET_SUMMARY]
    h = header_row_of(summary)
    assert summary.auto_filter.ref == f"A{h}:G{h + 6}"  # six unit rows; the total row stays out of the filter


def test_file_issues_and_findings(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    files = table_rows(wb[SHEET_FILES], header_row_of(wb[SHEET_FILES]))
    # the source by its Vietnamese name (an unknown one: "Nguồn khác"), no column of rule codes (issue 14)
    assert files == [
        (1, "Nguồn khác", "ho_so_20260103.csv", datetime(2026, 1, 3), "Không nạp: sửa và gửi lại", 'Thiếu cột "Mã hồ sơ"')
    ]
    findings = table_rows(wb[SHEET_FINDINGS], header_row_of(wb[SHEET_FINDINGS]))
    assert [(r[1], r[3]) for r in findings] == [
        ("(Toàn hệ thống)", "Không có tệp ngày 04/01/2026"),
        ("Xã Yên Trạch", "14 ngày không có hồ sơ"),
    ]


def test_refused_files_come_before_notes_on_loaded_files(tmp_path: Path) -> None:
    notes = [
        {
            "source": "tthc_dossier",
            "file_name": "ho_so_20260102.csv",
            "partition_date": date(2026, 1, 2),
            "blocking": False,
            "rule": "encoding_converted",
            "reason": "Tệp mã Windows-1258, đã chuyển sang UTF-8.",
        },
        {
            "source": "par_form",
            "file_name": "tu_danh_gia_2026_05443.xlsx",
            "partition_date": None,
            "blocking": True,
            "rule": "missing_columns",
            "reason": "Thiếu cột 'Điểm tự đánh giá'.",
        },
    ]
    path = write_quality_workbook(
        tmp_path / "q.xlsx", rejected_rows=[], file_issues=notes, findings=[], units=UNITS, period_label="x"
    )
    ws = load_workbook(path)[SHEET_FILES]
    got = [(r[2], r[4]) for r in table_rows(ws, header_row_of(ws))]
    assert got == [("tu_danh_gia_2026_05443.xlsx", "Không nạp: sửa và gửi lại"), ("ho_so_20260102.csv", "Đã nạp (ghi chú)")]
    # A refused file's note (its encoding converted) is about a file that was not loaded either: said so, beside it.
    survey = {"source": "par_survey", "file_name": "khao_sat_2026.csv", "partition_date": None}
    both = [
        {**survey, "blocking": False, "rule": "encoding_converted", "reason": "Tệp mã windows-1258, đã chuyển."},
        {**survey, "blocking": True, "rule": "missing_columns", "reason": "Thiếu cột 'Điểm'."},
    ]
    path = write_quality_workbook(
        tmp_path / "r.xlsx", rejected_rows=[], file_issues=both, findings=[], units=UNITS, period_label="x"
    )
    ws = load_workbook(path)[SHEET_FILES]
    got = [(r[4], r[5]) for r in table_rows(ws, header_row_of(ws))]
    assert got == [
        ("Không nạp: sửa và gửi lại", "Thiếu cột 'Điểm'."),
        ("Không nạp: sửa và gửi lại", "Tệp mã windows-1258, đã chuyển."),
    ]
    # The overview counts refused files apart from the notes on files that loaded (it said "72 lỗi tệp" of 8)
    overview = " ".join(str(c.value) for row in load_workbook(path)[SHEET_SUMMARY].iter_rows(max_row=6) for c in row if c.value)
    assert "1 tệp bị từ chối; 1 ghi chú về tệp" in overview


def test_empty_input_says_no_errors(tmp_path: Path) -> None:
    path = write_quality_workbook(
        tmp_path / "empty.xlsx", rejected_rows=[], file_issues=[], findings=[], units=UNITS, period_label="Ngày 02/01/2026"
    )
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET_SUMMARY, SHEET_DETAIL, SHEET_FILES, SHEET_FINDINGS, SHEET_GUIDE]
    summary = wb[SHEET_SUMMARY]
    h = header_row_of(summary)
    assert summary.cell(h + 1, 1).value == "Không có lỗi"
    assert summary.cell(h + 2, 2).value is None  # no total row for nothing
    assert wb[SHEET_DETAIL].cell(header_row_of(wb[SHEET_DETAIL]) + 1, 1).value == "Không có lỗi"
    assert not summary._charts


def test_unknown_unit_code_and_blank_name(tmp_path: Path) -> None:
    rows = [rejected("99999", "a.csv", 1, name="Xã Đã Sáp Nhập"), rejected(None, "a.csv", 2, name="  ")]
    path = write_quality_workbook(
        tmp_path / "q.xlsx", rejected_rows=rows, file_issues=[], findings=[], units=UNITS, period_label="x"
    )
    ws = load_workbook(path)[SHEET_SUMMARY]
    got = [(r[1], r[2]) for r in table_rows(ws, header_row_of(ws))[:-1]]
    # a code the master data does not know shows the source's name; an empty name comes last
    assert got == [("Xã Đã Sáp Nhập", UNKNOWN_UNIT), ("(để trống)", UNKNOWN_UNIT)]


def test_source_values_are_never_formulas(tmp_path: Path) -> None:
    rows = [rejected("00001", "a.csv", 1, value='=HYPERLINK("http://x","bấm")')]
    path = write_quality_workbook(
        tmp_path / "q.xlsx", rejected_rows=rows, file_issues=[], findings=[], units=UNITS, period_label="x"
    )
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in zf.read(n) for n in sheets)
    ws = load_workbook(path)[SHEET_DETAIL]
    assert ws.cell(header_row_of(ws) + 1, 9).value == '=HYPERLINK("http://x","bấm")'


def test_atomic_save_replaces_and_keeps_old_file_on_failure(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "q.xlsx"
    write_quality_workbook(path, rejected_rows=REJECTED, file_issues=[], findings=[], units=UNITS, period_label="1")
    write_quality_workbook(path, rejected_rows=[], file_issues=[], findings=[], units=UNITS, period_label="2")
    assert load_workbook(path)[SHEET_SUMMARY]["A2"].value == "Kỳ dữ liệu: 2"

    def broken_save(self: Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_quality_workbook(path, rejected_rows=[], file_issues=[], findings=[], units=UNITS, period_label="3")
    assert load_workbook(path)[SHEET_SUMMARY]["A2"].value == "Kỳ dữ liệu: 2"
    assert [p.name for p in tmp_path.iterdir()] == ["q.xlsx"]


def test_write_table_tuples_formats_colour_scale_and_chart(tmp_path: Path) -> None:
    wb = new_workbook("Xếp hạng")
    ws = wb.create_sheet("Xếp hạng")
    columns = [
        Column("Đơn vị", "unit", 30),
        Column("Điểm", "score", 10, "0.00"),
        Column("Tỷ lệ đúng hạn", "on_time", 12, "0.0%"),
        Column("Số hồ sơ", "n", 12, "#,##0"),
        Column("Ngày", "day", 12, "dd/mm/yyyy"),
    ]
    table = write_table(
        ws,
        columns,
        [("Xã Dân Tiến", 8.5, 0.9, 1234, date(2026, 1, 2)), ("Xã Đồng Hỷ", float("nan"), 0.75, 5, None)],
        title="XẾP HẠNG",
        subtitles=["Kỳ: Quý I/2026"],
    )
    assert (table.header_row, table.first_row, table.last_row, table.n_rows) == (4, 5, 6, 2)
    assert table.data_range("score") == "B5:B6"
    add_color_scale(ws, table.data_range("score"))
    assert add_bar_chart(table, category_key="unit", value_keys=["score", "on_time"], title="Điểm") is not None
    path = save_workbook(wb, tmp_path / "xep_hang.xlsx")

    with zipfile.ZipFile(path) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    ws = load_workbook(path)["Xếp hạng"]
    assert [c.value for c in ws[4]] == ["Đơn vị", "Điểm", "Tỷ lệ đúng hạn", "Số hồ sơ", "Ngày"]
    assert [c.number_format for c in ws[5]][1:] == ["0.00", "0.0%", "#,##0", "dd/mm/yyyy"]
    assert ws["B6"].value is None  # NaN would make Excel call the file damaged
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref == "A4:E6"
    assert [str(r.sqref) for r in ws.conditional_formatting] == ["B5:B6"]
    assert ws.column_dimensions["A"].width == 30


def test_empty_table_has_no_range_and_no_chart() -> None:
    ws = new_workbook().create_sheet("T")
    table = write_table(ws, [Column("Đơn vị", "unit")], [], title="T", empty_text="Không có lỗi")
    assert table.n_rows == 0 and table.data_range("unit") is None
    assert add_bar_chart(table, category_key="unit", value_keys=["unit"], title="x") is None
    assert table.header_row == 3 and ws["A3"].value == "Đơn vị"  # title, blank row, header
    assert ws["A4"].value == "Không có lỗi"


def test_clean_value() -> None:
    assert excel.clean_value(nfd("Đồng Hỷ")) == "Đồng Hỷ"
    assert excel.clean_value("a\x00b") == "a\ufffdb"
    assert excel.clean_value(datetime(2026, 1, 1, 17, 0, tzinfo=UTC)) == datetime(2026, 1, 2, 0, 0)
    assert excel.clean_value(float("inf")) is None
    assert len(excel.clean_value("x" * 40_000)) == excel.EXCEL_MAX_TEXT


def test_the_record_column_says_in_words_what_each_source_keyed(tmp_path: Path) -> None:
    # 'Mã hồ sơ' showed internal keys: '05518|HD.1' (another system's DTI value), criterion codes, task numbers.
    def row(source: str, key: str | None, criterion: str | None = None, n: int = 1) -> dict:
        return {**rejected("00001", "f.csv", n), "source": source, "record_key": key, "criterion_code": criterion}

    rows = [
        row("tthc_dossier", "H55.109-260102-0462", n=1),
        row("pakn", "PAKN-2601-90001", n=2),
        row("task_report", "13", n=3),
        row("par_form", "LV1.1.1", "LV1.1.1", n=4),
        row("dti_external", "05518|HD.1", "HD.1", n=5),
        row("dti_external", "UBND huyện Đồng Hỷ|XH.1", None, n=6),
        row("dti_previous", "Thị xã Phổ Yên", n=7),
    ]
    path = write_quality_workbook(
        tmp_path / "q.xlsx", rejected_rows=rows, file_issues=[], findings=[], units=UNITS, period_label="x"
    )
    ws = load_workbook(path)[SHEET_DETAIL]
    h = header_row_of(ws)
    headers = [c.value for c in ws[h]]
    assert "Mã hồ sơ" not in headers
    col = headers.index("Hồ sơ, nhiệm vụ hoặc tiêu chí")
    assert [r[col] for r in table_rows(ws, h)] == [
        "Hồ sơ H55.109-260102-0462",
        "Phản ánh, kiến nghị PAKN-2601-90001",
        "Nhiệm vụ số 13",
        "Tiêu chí LV1.1.1",
        "Tiêu chí HD.1",
        "Tiêu chí XH.1",
        None,  # last year's DTI results key the unit's name, shown under 'Đơn vị'
    ]
    guide = " ".join(str(c.value) for c in load_workbook(path)[SHEET_GUIDE]["A"] if c.value)
    assert '"Mã hồ sơ"' not in guide


def test_the_department_s_offices_are_named_not_unknown(tmp_path: Path) -> None:
    # A progress report's rows name 'Phòng Chuyển đổi số' (19.SKHCN.CDS, in dim_office): the workbook filed them under
    # '(Không xác định đơn vị)' and its guide told the office its name did not match the master data.
    import dagster as dg

    from assets.publish import QUALITY_WORKBOOK, data_quality_workbook
    from tests.conftest import warehouse_in

    warehouse = warehouse_in(tmp_path)
    with warehouse.write() as con:
        con.execute(
            """INSERT INTO quarantine (source, file_name, row_number, unit_code, unit_name, record_key, rule, reason,
                                       value, loaded_at)
               VALUES ('task_report', 'bao_cao_cds.xlsx', 9, '19.SKHCN.CDS', 'Phòng Chuyển đổi số', '15',
                       'unknown_task', 'Nhiệm vụ số ''15'' không có trong sổ kế hoạch.', '15', now()),
                      ('task_report', 'bao_cao_snv.xlsx', 9, '19.SNV', 'Sở Nội vụ', '3',
                       'unknown_task', 'Nhiệm vụ số ''3'' không có trong sổ kế hoạch.', '3', now())"""
        )
    assert dg.materialize([data_quality_workbook], resources={"warehouse": warehouse}).success
    ws = load_workbook(Path(warehouse.reports) / QUALITY_WORKBOOK)[SHEET_SUMMARY]
    units = [(r[1], r[2]) for r in table_rows(ws, header_row_of(ws))[:-1]]
    assert units == [("Sở Nội vụ", "Cơ quan cấp tỉnh"), ("Phòng Chuyển đổi số", "Phòng, đơn vị thuộc Sở")]


def test_two_trees_of_one_decision_text_are_named_once_with_their_scopes() -> None:
    """The PAR ranking's subtitle gave the default trees' 170-character text twice, for its last words only."""
    from workbooks.excel import tree_names

    text = "Bộ tiêu chí mặc định xây dựng trên 8 lĩnh vực của QĐ 876/QĐ-BNV; sẽ được thay bằng quyết định về Chỉ số CCHC "
    decisions = {"a.yaml": text + "các sở, ban, ngành", "b.yaml": text + "UBND các xã, phường."}
    units = [{"tree": "b.yaml"}, {"tree": "a.yaml"}, {"tree": "a.yaml"}]
    assert tree_names(units, decisions) == text + "các sở, ban, ngành / UBND các xã, phường"
    assert tree_names(units, {"a.yaml": "QĐ 1/QĐ-UBND", "b.yaml": "QĐ 2/QĐ-UBND"}) == "QĐ 1/QĐ-UBND; QĐ 2/QĐ-UBND"


def test_the_default_tree_notice_follows_the_trees_own_flag_not_its_file_name() -> None:
    """A default tree saved as par_2026_local_tam_thoi.yaml had no notice; a decision whose file name held "default" had
    one. The notice follows dim_criterion.default_tree (the file's own `default:`)."""
    from workbooks.par import ranking_notes

    default_note = "Bộ mặc định sẽ được thay bằng"
    units = [{"tree": "par_2026_local_tam_thoi.yaml"}]
    decisions = {"par_2026_local_tam_thoi.yaml": "Bộ tạm thời"}
    assert default_note in ranking_notes(units, decisions, {"par_2026_local_tam_thoi.yaml"})[0]
    named = [{"tree": "par_2026_local_qd5_default_cu.yaml"}]
    assert default_note not in ranking_notes(named, {"par_2026_local_qd5_default_cu.yaml": "QĐ 5/QĐ-UBND"}, set())[0]
