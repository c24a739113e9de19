"""Excel files as units really send them (sources/excel_intake.py), on files these tests write by hand: a real .xls
(xlwt) and a real .ods (odfpy) of a progress report and a register read to the same rows as the .xlsx, an HTML table
saved as .xls, a CSV, a PDF and a Word file named .xlsx, a workbook cut short, formulas saved without their value and
Excel error values, the folder listing."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from demo.plan import REPORTS, write_report
from sources.excel_intake import (
    ExcelError,
    UncalculatedFormula,
    folder_files,
    is_percent_format,
    percent_format_lost,
    read_workbook,
)
from sources.plan_register import read_plan_register
from sources.progress_report import read_progress_report
from tests.excel_files import (
    XlsError,
    XlsFormulaError,
    with_error_values,
    with_saved_values,
    write_html_xls,
    write_ods,
    write_xls,
    write_xlsx,
)
from tests.test_progress_report import KNOWN, office_code

TODAY = date(2026, 12, 1)
REGISTER = [
    ["SỔ KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH"],
    ["Số kế hoạch:", "123/KH-SKHCN"],
    ["Ngày ban hành:", "15/01/2026"],
    ["Năm kế hoạch:", 2026],
    ["Lần ban hành/sửa đổi:", 1],
    [],
    [
        "Số TT",
        "Nội dung công việc",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian hoàn thành",
        "Kết quả, sản phẩm dự kiến",
        "Người chịu trách nhiệm",
    ],
    ["1", "Ban hành kế hoạch CCHC năm 2026", "Văn phòng Sở", "Các phòng chuyên môn", "Quý I/2026", "Kế hoạch", "Chánh Văn phòng"],
    ["2", "Rà soát thủ tục hành chính", "Phòng Quản lý Khoa học", None, "Trước 01/6/2026", "Báo cáo", "Trưởng phòng"],
    ["3", "Số hóa hồ sơ", "Phòng Chuyển đổi số", None, "Năm 2026", None, None],
]


def _no_watch(_: Path) -> bool:
    return False


def _grid(path: Path) -> list[list]:
    ws = load_workbook(path).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _register_rows(path: Path) -> tuple[list[dict], list[tuple[str, bool]]]:
    result = read_plan_register(path)
    assert result.loadable, result.file_issues
    return (
        [{k: v for k, v in r.items()} for r in result.rows],
        [(i.rule, i.blocking) for i in result.file_issues if i.rule not in ("old_format", "html_table")],
    )


# --- the same register and report in every format ----------------------------------------------------------


@pytest.mark.parametrize(
    "write, suffix, kind", [(write_xls, ".xls", "xls"), (write_ods, ".ods", "ods"), (write_html_xls, ".xls", "html")]
)
def test_a_register_as_xls_ods_or_html_reads_to_the_same_rows_as_the_xlsx(tmp_path: Path, write, suffix, kind) -> None:
    expected = _register_rows(write_xlsx(tmp_path / "kh.xlsx", REGISTER, "Danh mục nhiệm vụ"))
    other = write(tmp_path / f"kh{suffix}", REGISTER, "Danh mục nhiệm vụ")
    assert _register_rows(other) == expected
    result = read_plan_register(other)
    assert result.encoding == kind and (result.plan_number, result.plan_year) == ("123/KH-SKHCN", 2026)
    notes = [i for i in result.file_issues if i.rule in ("old_format", "html_table")]
    assert [i.blocking for i in notes] == ([] if kind == "ods" else [False])  # said, never silent
    if kind == "html":
        assert "trang HTML" in notes[0].reason and "Excel Workbook (*.xlsx)" in notes[0].reason


@pytest.mark.parametrize("write, suffix", [(write_xls, ".xls"), (write_ods, ".ods")])
def test_a_progress_report_as_xls_or_ods_reads_to_the_same_rows_as_the_xlsx(tmp_path: Path, write, suffix) -> None:
    report = next(r for r in REPORTS if r.file_name == "bao_cao_tien_do_van_phong_so_quy_1_2026.xlsx")
    original = tmp_path / report.file_name
    write_report(original, report)
    # The cells as the office typed them (dates as dates, numbers as numbers), saved by another program.
    other = write(tmp_path / f"bao_cao{suffix}", _grid(original), "Báo cáo")
    read = [read_progress_report(p, KNOWN, unit_matcher=office_code, today=TODAY) for p in (original, other)]
    assert read[0].loadable and read[1].loadable
    assert read[1].rows == read[0].rows and read[1].rejects == read[0].rejects
    assert (read[1].unit_code, read[1].period_label, read[1].report_date) == ("19.SKHCN.VP", "2026-Q1", date(2026, 4, 3))


def test_an_xls_saved_with_a_password_to_open_is_said_so_not_broken(tmp_path: Path) -> None:
    """Excel 97-2003 writes a FILEPASS record where a workbook is encrypted; calamine only says it cannot detect the
    format, which read as "broken or still being copied": the unit resent the same file. It is refused as protected."""
    import struct

    raw = bytearray(write_xls(tmp_path / "plain.xls", [["Đơn vị", "Điểm"], ["Sở Tư pháp", 8]]).read_bytes())
    at = raw.find(struct.pack("<HH", 0x005C, 112))  # WRITEACCESS, the record Excel's FILEPASS takes the place of
    assert at > 0
    raw[at : at + 2] = struct.pack("<H", 0x002F)  # FILEPASS
    raw[at + 4 : at + 6] = struct.pack("<H", 1)  # RC4 encryption
    (tmp_path / "mat_khau.xls").write_bytes(bytes(raw))
    found = read_workbook(tmp_path / "mat_khau.xls", watch=_no_watch)
    assert found.workbook is None and [i.rule for i in found.issues] == ["password_protected"]
    assert read_workbook(tmp_path / "plain.xls", watch=_no_watch).workbook is not None


def test_the_percent_cells_of_an_xls_keep_their_format_as_in_the_xlsx(tmp_path: Path) -> None:
    """python-calamine gives an .xls's values without number formats; the '%' formats come from the file (xlrd), on
    every sheet, so 0.947 in a '0.0%' cell is 94,7 % for every reader, as in an .xlsx."""
    grid = [["Tỷ lệ", 0.947, 0.5, 7, "50%"]]
    path = write_xls(tmp_path / "t.xls", grid, "Trang 1", {"B1": "0.0%", "C1": "0%"})
    found = read_workbook(path, watch=_no_watch)
    assert found.workbook is not None and found.kind == "xls"
    ws = found.workbook["Trang 1"]
    assert [c.value for c in ws[1]] == ["Tỷ lệ", 0.947, 0.5, 7, "50%"]
    assert [c.number_format for c in ws[1]] == ["General", "0.0%", "0%", "General", "General"]
    assert not percent_format_lost(ws)


@pytest.mark.parametrize(
    ("number_format", "percent"),
    [
        ("0%", True),
        ("0.0%", True),
        ("#,##0.00%", True),
        ("0%;[Red]-0%", True),
        ("[$-42A]0.0%", True),
        ("[Color10]0%", True),
        ('0.0%" đạt"', True),
        ('0"%"', False),
        ("0\\%", False),
        ('0.0"%"', False),
        ('#,##0" %"', False),
        ('0.00" %";[Red]-0.00" %"', False),
        ("[Red]0\\%", False),
        ('"Tỷ lệ %: "0', False),
        ("0_%", False),
        ("[$%-42A]0", False),
        # Sections (positive;negative;zero;text): the values read are positive, shown by the first section only.
        ("0.0%;[Red]-0.0%", True),
        ('0;[Red]-0;"0%"', False),
        ("0.00;-0.00;0%", False),
        ('0;-0;0;@"%"', False),
        ("General", False),
        ("", False),
        (None, False),
    ],
)
def test_only_a_percent_sign_outside_quotes_escapes_and_brackets_makes_a_percent_format(number_format, percent) -> None:
    """Excel multiplies by 100 only for a real '%' in the format: a quoted "%", an escaped \\% (a typed 30 shown as
    "30%", stored as 30), a padding _% or a '%' inside [..] is text, and the number is stored as typed."""
    assert is_percent_format(number_format) is percent


def test_a_literal_percent_format_of_an_xls_is_no_percent_format(tmp_path: Path) -> None:
    """xlrd gives an .xls's formats as Excel wrote them: only a real '%' format is given to the cell, never 0"%"."""
    path = write_xls(tmp_path / "t.xls", [["Tỷ lệ", 30, 0.3]], "Trang 1", {"B1": '0"%"', "C1": "0%"})
    found = read_workbook(path, watch=_no_watch)
    assert found.workbook is not None
    assert [c.number_format for c in found.workbook["Trang 1"][1]] == ["General", "General", "0%"]


def test_an_xlsx_that_is_really_an_xls_is_read_by_its_content(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "kh.xls", REGISTER, "Danh mục nhiệm vụ")
    renamed = path.rename(tmp_path / "kh.xlsx")
    result = read_plan_register(renamed)
    assert result.loadable and len(result.rows) == 3 and result.encoding == "xls"
    assert ("extension_mismatch", False) in [(i.rule, i.blocking) for i in result.file_issues]


def test_merged_cells_of_an_ods_and_an_html_table_are_merged_ranges(tmp_path: Path) -> None:
    path = tmp_path / "r.xls"
    path.write_text(
        '<html><body><table><tr><td colspan="2" rowspan="2">gộp</td><td>x</td></tr><tr><td>y</td></tr>'
        '<tr><td x:num="7.5">7,5</td><td>#N/A</td><td>=A1</td></tr></table></body></html>',
        encoding="utf-8",
    )
    found = read_workbook(path, watch=_no_watch)
    ws = found.workbook.active
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:B2"]
    assert [c.value for c in ws[1]] == ["gộp", None, "x"] and ws["C2"].value == "y"
    assert ws["A3"].value == 7.5 and isinstance(ws["B3"].value, ExcelError) and ws["C3"].value == "=A1"


# --- files that are not workbooks, or broken ---------------------------------------------------------------


def test_files_that_are_not_workbooks_are_refused_naming_what_they_are(tmp_path: Path) -> None:
    csv = tmp_path / "ke_hoach.xlsx"
    csv.write_text("Số TT,Nội dung công việc\n1,Việc\n", encoding="utf-8")
    pdf = tmp_path / "scan.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    word = tmp_path / "cong_van.xls"
    with zipfile.ZipFile(word, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    archive = tmp_path / "nhieu_tep.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("bao_cao.txt", "x")
    expected = {csv: "văn bản (CSV)", pdf: "tệp PDF", word: "văn bản Word", archive: "tệp nén ZIP"}
    for path, what in expected.items():
        result = read_progress_report(path)
        assert [(i.rule, i.blocking) for i in result.file_issues] == [("wrong_file_kind", True)], path
        reason = result.file_issues[0].reason
        assert what in reason and "Excel Workbook (*.xlsx)" in reason and not result.loadable and result.sha256


def test_a_workbook_cut_short_is_refused_with_its_cause(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "kh.xlsx", REGISTER, "Danh mục nhiệm vụ").read_bytes()
    cut = tmp_path / "kh_cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])  # a copy interrupted half way
    result = read_plan_register(cut)
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("bad_workbook", True)] and not result.loadable
    assert "Tệp Excel hỏng hoặc chép chưa xong" in result.file_issues[0].reason
    assert "Traceback" not in result.file_issues[0].reason
    empty = tmp_path / "empty.xls"
    empty.write_bytes(b"")
    assert [i.rule for i in read_plan_register(empty).file_issues] == ["empty_file"]


def test_a_workbook_still_being_copied_is_left_for_the_next_run(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "kh.xlsx", REGISTER, "Danh mục nhiệm vụ")
    result = read_plan_register(path, watch=lambda _: True)
    assert result.deferred and not result.loadable and result.rows == []
    assert [i.rule for i in result.file_issues] == ["still_copying"]
    assert "để lại cho lần chạy sau" in result.file_issues[0].reason


def test_the_folder_lists_every_delivery_but_lock_hidden_and_temporary_files(tmp_path: Path) -> None:
    for name in (
        "a.xlsx",
        "b.xls",
        "c.ods",
        "d.csv",
        "e.pdf",
        "~$a.xlsx",
        ".~lock.a.xlsx#",
        ".DS_Store",
        "f.xlsx.tmp",
        "g.crdownload",
        "h.part",
    ):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    assert [p.name for p in folder_files(tmp_path)] == ["a.xlsx", "b.xls", "c.ods", "d.csv", "e.pdf"]
    assert folder_files(tmp_path / "missing") == []


def test_files_of_sub_folders_are_listed_to_be_refused_never_passed_over(tmp_path: Path) -> None:
    """folder_files gives the folder's own files; the files put in its sub-folders (a re-send in 'gui_lai/', an
    unzipped archive two levels down) are listed apart, so that the loaders refuse them by name. Lock, hidden and
    temporary files and hidden folders stay out, as in the folder itself."""
    from sources.excel_intake import subfolder_files

    (tmp_path / "a.xlsx").write_bytes(b"x")
    for name in ("gui_lai/a.xlsx", "gui_lai/~$a.xlsx", "gui_lai/.DS_Store", "nen/ke_hoach/b.xls", "khac/a.xlsx", ".git/HEAD"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "rong").mkdir()
    assert [p.name for p in folder_files(tmp_path)] == ["a.xlsx"]
    assert [p.relative_to(tmp_path).as_posix() for p in subfolder_files(tmp_path)] == [
        "gui_lai/a.xlsx",
        "khac/a.xlsx",
        "nen/ke_hoach/b.xls",
    ]
    assert subfolder_files(tmp_path / "missing") == []


def _settled_warehouse(inbox: Path):
    """An empty warehouse, the inbox's files dated a minute ago (none taken for a file still being copied)."""
    import os
    import time

    import duckdb

    from warehouse.schema import ensure_schema

    old = time.time() - 60
    for p in inbox.rglob("*.*"):
        os.utime(p, (old, old))
    con = duckdb.connect()
    ensure_schema(con)
    return con


def _load_registers_reports_and_petitions(con, inbox: Path, work_dir: Path, now) -> None:
    """The plan registers, the third quarter's progress reports and the PAKN folder of ``inbox``, as their runs load them."""
    from common.units import load_offices, load_units, matcher_for
    from warehouse.petitions import load_petition_folder
    from warehouse.tasks import known_tasks, load_plan_registers, load_task_reports, read_reports

    units, offices = load_units("Thái Nguyên"), load_offices("Thái Nguyên")
    load_plan_registers(con, inbox, units=units, offices=offices, now=now)
    reports = read_reports(inbox, units=units, offices=offices, known=known_tasks(con), today=date(2026, 10, 5))
    load_task_reports(con, reports, ["2026-Q3"], now, inbox=inbox)
    load_petition_folder(con, inbox, matcher=matcher_for("Thái Nguyên"), work_dir=work_dir, now=now)


def test_a_register_report_or_pakn_export_in_a_sub_folder_is_recorded_with_its_reason(tmp_path: Path) -> None:
    """ke_hoach/ban_cu/, tien_do/gui_lai/ and pakn/thang_1/: each file is refused under its path in the folder (two
    files of one name in two sub-folders told apart), by every run with the same rows, never passed over."""
    from datetime import datetime

    inbox = tmp_path / "inbox"
    for sub in ("ke_hoach/ban_cu", "tien_do/gui_lai/lan_2", "pakn/thang_1"):
        (inbox / sub).mkdir(parents=True)
    write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", REGISTER, "Danh mục nhiệm vụ")
    write_xlsx(inbox / "ke_hoach" / "ban_cu" / "ke_hoach_2026.xlsx", REGISTER, "Danh mục nhiệm vụ")
    for sub in ("gui_lai", "gui_lai/lan_2"):
        write_xlsx(inbox / "tien_do" / sub / "bao_cao_quy_3.xlsx", REGISTER, "Báo cáo")
    (inbox / "pakn" / "thang_1" / "pakn_202601.csv").write_bytes(b"x")
    con = _settled_warehouse(inbox)

    def load(now: datetime) -> list:
        _load_registers_reports_and_petitions(con, inbox, tmp_path / "work", now)
        return con.execute(
            """SELECT i.source, i.file_name, i.rule, i.blocking, i.reason, i.loaded_at, l.status, l.partition_date
               FROM file_issues i JOIN landed_files l USING (source, file_name) WHERE i.rule = 'in_subfolder'
               ORDER BY 1, 2"""
        ).fetchall()

    first = load(datetime(2026, 10, 5, 8, 0))
    assert [r[:4] for r in first] == [
        ("pakn", "thang_1/pakn_202601.csv", "in_subfolder", True),
        ("plan_register", "ban_cu/ke_hoach_2026.xlsx", "in_subfolder", True),
        ("task_report", "gui_lai/bao_cao_quy_3.xlsx", "in_subfolder", True),
        ("task_report", "gui_lai/lan_2/bao_cao_quy_3.xlsx", "in_subfolder", True),
    ]
    assert all(r[6] == "rejected" and r[7] is None for r in first)
    assert "thư mục con 'gui_lai/lan_2' của thư mục 'tien_do'" in first[3][4]
    assert load(datetime(2026, 10, 6, 8, 0)) == first  # a rerun changes nothing
    # The register of the folder itself is read as before.
    assert con.execute("SELECT status FROM landed_files WHERE file_name = 'ke_hoach_2026.xlsx'").fetchall() == [("loaded",)]


def test_a_file_whose_name_carries_a_citizens_name_or_number_is_refused_under_a_masked_name(tmp_path: Path) -> None:
    """'bao_cao_quy_3 - Bùi Thị Nhung 0915444910.xlsx': the name reached landed_files, file_issues, the quarantine, the
    workbooks and the run's metadata as sent. Such a file is not read; it is refused under its masked name (with the
    first characters of its sha256: two such files told apart), by every run alike, and forgotten once renamed."""
    from datetime import datetime

    from sources.tthc_dossiers import export_files, unnamed_exports

    inbox = tmp_path / "inbox"
    for sub in ("ke_hoach", "tien_do", "pakn", "tthc"):
        (inbox / sub).mkdir(parents=True)
    write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", REGISTER, "Danh mục nhiệm vụ")
    report = inbox / "tien_do" / "bao_cao_quy_3 - Bùi Thị Nhung 0915444910.xlsx"
    write_xlsx(report, REGISTER, "Báo cáo")
    write_xlsx(inbox / "tien_do" / "bao_cao_quy_3 - Lại Văn Hùng.xlsx", REGISTER[:3], "Báo cáo")
    (inbox / "pakn" / "pakn_202601 ong Nguyen Van An.csv").write_bytes(b"x")
    (inbox / "tthc" / "ho_so_20260105 (Phạm Văn Đức 0916333444).csv").write_bytes(b"x")
    for name, content in (("Nguyễn Văn An.xlsx", b"a"), ("Lê Thị Hoa.xlsx", b"b")):  # in a sub-folder: both told
        (inbox / "tien_do" / "gui_lai").mkdir(exist_ok=True)
        (inbox / "tien_do" / "gui_lai" / name).write_bytes(content)
    (inbox / "tien_do" / "gui lai - Trần Văn Bình").mkdir()  # a folder named after a citizen: quoted in the reason
    (inbox / "tien_do" / "gui lai - Trần Văn Bình" / "bao_cao.xlsx").write_bytes(b"c")
    con = _settled_warehouse(inbox)

    def load(now: datetime) -> list:
        _load_registers_reports_and_petitions(con, inbox, tmp_path / "work", now)
        return con.execute(
            """SELECT i.source, i.file_name, i.blocking, i.reason, l.status FROM file_issues i
               JOIN landed_files l USING (source, file_name) WHERE i.rule = 'personal_file_name' ORDER BY 1, 2"""
        ).fetchall()

    first = load(datetime(2026, 10, 5, 8, 0))
    assert [(source, name.split(" #")[0], blocking, status) for source, name, blocking, _, status in first] == [
        ("pakn", "pakn 202601 ong [đã ẩn].csv", True, "rejected"),
        ("task_report", "bao cao quy 3 - [đã ẩn] [đã ẩn].xlsx", True, "rejected"),
        ("task_report", "bao cao quy 3 - [đã ẩn].xlsx", True, "rejected"),
    ]
    assert "Đổi tên tệp" in first[0][3]
    subfolder = con.execute("SELECT file_name FROM file_issues WHERE rule = 'in_subfolder' ORDER BY 1").fetchall()
    assert [n.split(" #")[0] for (n,) in subfolder] == [
        "gui lai - [đã ẩn]/bao_cao.xlsx",
        "gui_lai/[đã ẩn].xlsx",
        "gui_lai/[đã ẩn].xlsx",
    ]
    assert len({n for (n,) in subfolder}) == 3
    reasons = " ".join(r for (r,) in con.execute("SELECT reason FROM file_issues WHERE rule = 'in_subfolder'").fetchall())
    assert "thư mục con 'gui lai - [đã ẩn]'" in reasons
    assert load(datetime(2026, 10, 6, 8, 0)) == first  # a rerun changes nothing
    texts = " ".join(
        str(v)
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        for row in con.execute(f'SELECT * FROM "{table}"').fetchall()
        for v in row
    )
    for planted in (
        "Bùi Thị Nhung",
        "0915444910",
        "Lại Văn Hùng",
        "Nguyen Van An",
        "Nguyễn Văn An",
        "Lê Thị Hoa",
        "Trần Văn Bình",
    ):
        assert planted not in texts
    # the dossier exports' folder: neither read as a day's export nor refused by its name's form (refused as above)
    assert export_files(inbox / "tthc", date(2026, 1, 5), date(2026, 1, 5))[0].path.name == "ho_so_20260105.csv"
    assert unnamed_exports(inbox / "tthc", date(2026, 1, 6)) == []
    # renamed: read, and the refusal is gone
    report.rename(inbox / "tien_do" / "bao_cao_quy_3_van_phong.xlsx")
    assert [r[1].split(" #")[0] for r in load(datetime(2026, 10, 7, 8, 0))] == [
        "pakn 202601 ong [đã ẩn].csv",
        "bao cao quy 3 - [đã ẩn].xlsx",
    ]


# --- formulas and error values -----------------------------------------------------------------------------


def test_a_formula_without_its_value_or_an_error_in_the_register_is_reported_never_read_as_empty(tmp_path: Path) -> None:
    grid = [list(r) for r in REGISTER]
    grid[7][4] = '="Quý I/"&"2026"'  # deadline: a formula written by a program, no value saved
    grid[8][1] = "=B8"  # content (required): the row is rejected
    grid[9][2] = "placeholder"  # lead unit: becomes #DIV/0!
    path = with_error_values(write_xlsx(tmp_path / "kh.xlsx", grid, "Danh mục nhiệm vụ"), {"C10": "#DIV/0!"})
    result = read_plan_register(path)
    assert result.loadable
    assert [(r["task_no"], r["deadline_text"], r["lead_text"]) for r in result.rows] == [
        ("1", None, "Văn phòng Sở"),
        ("3", "Năm 2026", None),
    ]
    assert [(x["row_number"], x["rule"], x["record_key"]) for x in result.rejects] == [(9, "uncalculated_formula", "2")]
    assert "ô B9" in result.rejects[0]["reason"]
    assert "ô chứa công thức chưa được tính ('=B8') — mở bằng Excel và lưu lại" in result.rejects[0]["reason"]
    notes = {(i.rule, i.row_number): i.reason for i in result.file_issues if not i.blocking}
    assert "ô E8" in notes[("uncalculated_formula", 8)] and "mở bằng Excel và lưu lại" in notes[("uncalculated_formula", 8)]
    assert "ô C10" in notes[("excel_error", 10)] and "#DIV/0!" in notes[("excel_error", 10)]


def test_a_formula_excel_saved_counts_with_its_value(tmp_path: Path) -> None:
    grid = [list(r) for r in REGISTER]
    grid[7][4] = '="Quý I/"&"2026"'
    grid[3][1] = "=2025+1"  # the plan year, computed
    path = with_saved_values(write_xlsx(tmp_path / "kh.xlsx", grid, "Danh mục nhiệm vụ"), {"E8": "Quý I/2026", "B4": 2026})
    result = read_plan_register(path)
    assert result.loadable and result.plan_year == 2026 and result.rows[0]["deadline_text"] == "Quý I/2026"
    assert not [i for i in result.file_issues if i.rule in ("uncalculated_formula", "excel_error")]


def test_an_error_in_a_reports_required_field_rejects_the_row_and_elsewhere_is_a_note(tmp_path: Path) -> None:
    report = next(r for r in REPORTS if r.file_name == "bao_cao_tien_do_van_phong_so_quy_1_2026.xlsx")
    original = tmp_path / report.file_name
    write_report(original, report)
    good = read_progress_report(original, KNOWN, unit_matcher=office_code, today=TODAY)
    first, second = good.rows[0]["source_row"], good.rows[1]["source_row"]
    wb = load_workbook(original)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Số TT nhiệm vụ")
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(first, columns["Tình trạng"]).value = "=X1"  # status (required), no value saved
    ws.cell(second, columns["Tỷ lệ hoàn thành (%)"]).value = 0  # becomes #DIV/0! below
    wb.save(original)
    from openpyxl.utils import get_column_letter

    with_error_values(original, {f"{get_column_letter(columns['Tỷ lệ hoàn thành (%)'])}{second}": "#DIV/0!"})
    result = read_progress_report(original, KNOWN, unit_matcher=office_code, today=TODAY)
    assert [(x["row_number"], x["rule"]) for x in result.rejects] == [(first, "uncalculated_formula")]
    assert [r["task_no"] for r in result.rows] == [r["task_no"] for r in good.rows[1:]]
    assert result.rows[0]["percent"] is None and result.rows[0]["status"] == good.rows[1]["status"]
    notes = [i for i in result.file_issues if i.rule == "excel_error"]
    assert len(notes) == 1 and notes[0].row_number == second and "#DIV/0!" in notes[0].reason


def test_error_cells_of_an_xls_are_errors_as_in_the_xlsx_never_empty(tmp_path: Path) -> None:
    """python-calamine reads an .xls's error cells as empty: a score or a unit computed by a broken formula would
    silently be "missing". They are read with xlrd and reported as in an .xlsx, typed or saved as a formula's value."""
    grid = [list(r) for r in REGISTER]
    grid[9][2] = XlsFormulaError("#DIV/0!")  # lead unit: a formula whose saved value is #DIV/0!
    grid[7][4] = XlsError("#N/A")  # deadline: #N/A typed (pasted from a broken lookup)
    path = write_xls(tmp_path / "kh.xls", grid, "Danh mục nhiệm vụ")
    ws = read_workbook(path, watch=_no_watch).workbook.active
    assert isinstance(ws["C10"].value, ExcelError) and ws["C10"].value == "#DIV/0!"
    assert isinstance(ws["E8"].value, ExcelError) and ws["E8"].value == "#N/A"
    result = read_plan_register(path)
    assert result.loadable and [r["task_no"] for r in result.rows] == ["1", "2", "3"]
    assert [(r["lead_text"], r["deadline_text"]) for r in result.rows][0::2] == [("Văn phòng Sở", None), (None, "Năm 2026")]
    notes = {(i.rule, getattr(i, "row_number", None)): i.reason for i in result.file_issues if not i.blocking}
    assert "ô C10" in notes[("excel_error", 10)] and "#DIV/0!" in notes[("excel_error", 10)]
    assert "ô E8" in notes[("excel_error", 8)] and "#N/A" in notes[("excel_error", 8)]
    assert "không phân biệt được với ô trống" not in notes[("old_format", None)]  # no longer said: they are read


def test_an_xls_that_xlrd_cannot_read_says_its_error_cells_are_unknown(tmp_path: Path, monkeypatch) -> None:
    from sources import excel_intake

    monkeypatch.setattr(excel_intake, "_xls_cells", lambda raw: None)
    result = read_plan_register(write_xls(tmp_path / "kh.xls", REGISTER, "Danh mục nhiệm vụ"))
    notes = [i.reason for i in result.file_issues if i.rule == "old_format"]
    assert result.loadable and len(notes) == 1 and "không phân biệt được với ô trống" in notes[0]


def test_an_ods_formula_without_its_value_and_an_error_cell_are_seen(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Trang 1")
    row = TableRow()
    done = TableCell(formula="of:=1+1", valuetype="float", value=2)
    done.addElement(P(text="2"))
    error = TableCell(formula="of:=1/0", valuetype="string", stringvalue="")
    error.setAttrNS("urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0", "value-type", "error")
    error.addElement(P(text="#DIV/0!"))
    for cell in (done, TableCell(formula="of:=[.A1]*3"), error, TableCell(valuetype="percentage", value=0.5)):
        row.addElement(cell)
    table.addElement(row)
    doc.spreadsheet.addElement(table)
    path = tmp_path / "t.ods"
    doc.save(str(path))
    ws = read_workbook(path, watch=_no_watch).workbook.active
    values = [c.value for c in ws[1]]
    assert values[0] == 2 and isinstance(values[1], UncalculatedFormula) and values[1] == "=[.A1]*3"
    assert isinstance(values[2], ExcelError) and values[2] == "#DIV/0!"
    assert values[3] == 0.5 and ws["D1"].number_format == "0%"


def test_a_hidden_sheet_of_an_xls_stays_hidden(tmp_path: Path) -> None:
    """python-calamine reads every sheet of an .xls alike; which are hidden comes from its sheets' metadata, so a
    reader skips a hidden old copy of the table in an .xls as in an .xlsx."""
    from openpyxl import Workbook

    from tests.excel_files import xlsx_as_xls

    wb = Workbook()
    wb.active.title = "Cũ"
    wb.active["A1"] = "bản cũ"
    wb.active.sheet_state = "hidden"
    wb.create_sheet("Mới")["A1"] = "bản mới"
    wb.save(tmp_path / "two.xlsx")
    found = read_workbook(xlsx_as_xls(tmp_path / "two.xlsx", tmp_path / "two.xls"), watch=_no_watch)
    assert [(ws.title, ws.sheet_state) for ws in found.workbook.worksheets] == [("Cũ", "hidden"), ("Mới", "visible")]
