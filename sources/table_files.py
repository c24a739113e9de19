"""Small yearly tables that offices send as CSV or as an Excel workbook (.xlsx, .xls, .ods …): one way in for both.

The survey results (``par/khao_sat/``), the other systems' DTI values (``dti/he_thong_khac/``) and last year's DTI
results (``dti/ket_qua_nam_truoc/``) are one table each, read row by row. Offices very often save them from Excel and
send the workbook: ``open_table`` opens a CSV with ``open_csv`` and a workbook with ``sources.excel_intake`` (through
``open_sheets``: .xls, .ods, HTML tables, lock files, broken zips, hidden sheets), finds the table by its header as
the plan register does (``find_table`` with the sheet's merged ranges, a title above the header allowed), and
``table_rows`` gives the same ``(line, {column: text})`` records ``csv_rows`` gives for a CSV, so every reader keeps
one validation for both kinds. Line numbers of a workbook are its real rows.

A cell's value becomes the text a CSV saved from Excel would hold: a number typed as a number is written plainly
("85.5", never "8.55e+01"), a percentage cell (Excel keeps 85 % as 0.85) as "85%" (a real '%' format only,
``excel_intake.is_percent_format``: a 0"%" cell's 85 is "85"), a date dd/mm/yyyy. A formula saved without its
value or an Excel error value (#N/A, #DIV/0!) is never read as empty: its row is rejected naming the sheet and cell,
except in the columns a reader names as notes, whose value is then left out with a note.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from common.units import UnitMatcher, province_name
from sources.csvfiles import (
    INVISIBLE,
    FileIssue,
    PreparedFile,
    ReadResult,
    csv_rows,
    header_notes,
    is_total_row,
    open_csv,
    prepare_converted,
    prepare_csv,
    row_reject,
    unique_records,
)
from sources.excel_intake import cell_fault, is_percent_format, percent_format_lost
from sources.intake import sniff_kind, still_being_written
from sources.task_formats import (
    Table,
    cell_text,
    ends_table,
    fault_issue,
    fill_body_merges,
    is_column_number_row,
    open_sheets,
    other_province_issue,
    table_sheet,
)
from sources.tthc_format import Column

# The workbook kinds these folders take besides .csv (what excel_intake reads); any other kind is refused as before.
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
TABLE_SUFFIXES = (".csv", *EXCEL_SUFFIXES)


@dataclass
class SheetTable:
    """The table found in a workbook: what ``table_rows`` reads instead of a prepared CSV (same ``path`` and
    ``present``, so a reader's checks on the columns found stay as they are)."""

    path: Path
    ws: Any  # the openpyxl worksheet (number formats tell a percentage cell)
    grid: list[list[Any]]
    table: Table
    present: frozenset[str]  # canonical names of the columns the header holds

    @property
    def title(self) -> str:
        return str(self.ws.title)


TableSource = PreparedFile | SheetTable


def is_workbook_name(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


# What Excel or LibreOffice writes when "Save as" keeps the old .csv name but not the CSV type: read as the workbook.
_WORKBOOK_KINDS = ("xlsx", "xls", "ods")


def _workbook_named_csv(path: Path) -> str | None:
    """The workbook kind of a file named .csv whose bytes are a workbook (None for a text file, or one unreadable)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return None
    kind = sniff_kind(head)
    return kind if kind in _WORKBOOK_KINDS else None


def open_table(
    path: Path,
    columns: tuple[Column, ...],
    work_dir: Path,
    no_rows: str,
    result_type: type[ReadResult] = ReadResult,
    *,
    what: str = "bảng số liệu",
    province: str | None = None,
    **fields: Any,
) -> tuple[Any, TableSource | None]:
    """``open_csv`` for a .csv, and the same for a workbook (by its name, or a workbook saved under a .csv name: what
    it really is, the intake tells from its content and refuses a CSV or PDF named .xlsx): a ``result_type`` with the file's lineage and issues, and what
    ``table_rows`` reads when the file is loadable. ``what`` names the table in the issues ("bảng khảo sát"); a
    workbook whose title names another province than ``province`` is refused (``other_province_source``)."""
    path = Path(path)
    named_csv = None if is_workbook_name(path) else _workbook_named_csv(path)
    if not is_workbook_name(path) and named_csv is None:
        return open_csv(path, columns, work_dir, no_rows, result_type, **fields)
    result = result_type(**fields)
    sheets = open_sheets(path, result, watch=still_being_written)  # a copy in progress: left, as for a CSV
    if sheets is None:
        return result, None
    if named_csv is not None:
        result.file_issues.append(
            FileIssue(
                "workbook_named_csv",
                f"Tệp có đuôi {path.suffix} nhưng thực chất là bảng tính Excel ({named_csv}), thường do 'Lưu thành' "
                "giữ tên cũ: đã đọc như bảng tính; đề nghị lần sau lưu dạng 'CSV UTF-8' hoặc đặt đuôi .xlsx.",
                blocking=False,
            )
        )
    ws, grid, table, _, issues = table_sheet(sheets, columns, what, "mỗi tệp")
    result.file_issues += issues
    if table is None:
        return result, None
    # A title above the table naming another province ("UBND TỈNH THÁI NGUYÊN" in Bắc Ninh's inbox): not this one's.
    if (other := other_province_issue(grid, table, province, what, path.name)) is not None:
        result.file_issues.append(other)
        return result, None
    result.file_issues += header_notes(table.unknown, [c for c in columns if c.name not in table.columns], columns)
    # A unit's name merged down over its rows (a usual layout) holds for each of them, with a note.
    result.file_issues += fill_body_merges(ws, grid, table, {c.name: c.header for c in columns})
    if not any(cell_text(v) for row in grid[table.header_row :] for v in row):
        result.file_issues.append(FileIssue("no_rows", no_rows, blocking=False))
    result.loadable = True
    return result, SheetTable(path, ws, grid, table, frozenset(table.columns))


def table_rows(
    source: TableSource, columns: tuple[Column, ...], result: ReadResult, *, notes: frozenset[str] = frozenset()
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, values by canonical name) of every record, as ``csv_rows`` gives them for a CSV: NFC, white space
    collapsed, a missing optional column as "", verbatim duplicates once. ``notes``: columns whose faulty cell (an
    uncalculated formula, an Excel error) is left out with a note instead of rejecting the row."""
    if isinstance(source, PreparedFile):
        yield from csv_rows(source, columns, result)
    else:
        yield from sheet_rows(source, columns, result, notes=notes)


def sheet_rows(
    source: SheetTable, columns: tuple[Column, ...], result: ReadResult, *, notes: frozenset[str] = frozenset()
) -> Iterator[tuple[int, dict[str, str]]]:
    """``table_rows`` of a workbook's table: one record per non-blank row under the header (the '(1) (2) (3)' row
    skipped, the signature block ending the table), numbered by its sheet row."""
    names = [c.name for c in columns]
    key_col = next(iter(sorted(source.table.columns.values())), 0)
    # An .xlsb keeps no number formats: a 0.85 may be 85 % typed in a '%' cell. Read as written, the cells named.
    unsure: list[str] | None = [] if percent_format_lost(source.ws) else None

    def records() -> Iterator[tuple[int, list[str]]]:
        for r, row in enumerate(source.grid[source.table.header_row :], start=source.table.header_row + 1):
            if not any(cell_text(v) for v in row) or is_column_number_row(row):
                continue  # a blank row, as a blank line of a CSV; the column numbers under a header
            if ends_table(row, key_col):
                break
            texts = _row_texts(source, r, row, names, result, notes, unsure)
            if texts is not None:
                yield r, texts

    for line, fields in unique_records(records(), result.file_issues):
        yield line, {name: " ".join(value.translate(INVISIBLE).split()) for name, value in zip(names, fields, strict=True)}
    if unsure:
        result.file_issues.append(_unsure_percent_note(source.title, unsure))


def _row_texts(
    source: SheetTable,
    r: int,
    row: list[Any],
    names: list[str],
    result: ReadResult,
    notes: frozenset[str],
    unsure: list[str] | None,
) -> list[str] | None:
    """The texts of one sheet row by column, or None when a faulty cell (an uncalculated formula, an Excel error)
    rejects it; in a ``notes`` column the faulty value is left out with a note instead. ``unsure``: where the cells
    that may be percentages are listed (None: the sheet keeps its number formats)."""
    from openpyxl.utils import get_column_letter

    texts: list[str] = []
    rejected = False
    for name in names:
        col = source.table.columns.get(name)
        value = row[col] if col is not None and col < len(row) else None
        cell = f"{get_column_letter(col + 1)}{r}" if col is not None else ""
        fault = cell_fault(value)
        if fault is not None:
            shown = f"Trang '{source.title}', ô {cell}"
            if name not in notes:
                reject = row_reject(source.path, r, fault.rule, f"{shown}: {fault.reason}.", str(fault))
                result.rejects.append(reject | {"sheet": source.title, "cell": cell})
                rejected = True
                continue
            result.file_issues.append(fault_issue(fault, shown, r))
            value = None
        if unsure is not None and _maybe_percent(value):
            unsure.append(cell)
        texts.append(_cell_as_text(source.ws, r, col, value, unsure is not None))
    return None if rejected else texts


def _maybe_percent(value: Any) -> bool:
    """A number from 0 to 1: in a sheet without its number formats, possibly a percent typed in a '%' cell."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1


def _unsure_percent_note(title: str, cells: list[str]) -> FileIssue:
    shown = ", ".join(cells[:10]) + (" …" if len(cells) > 10 else "")
    return FileIssue(
        "percent_format_lost",
        f"Trang '{title}': tệp không giữ định dạng số (.xlsb), nên không biết các ô {shown} (số từ 0 đến 1) có phải "
        "phần trăm (0,85 = 85 %) hay không; đã đọc đúng như số ghi. Đề nghị kiểm tra lại, hoặc gửi tệp .xlsx hay .csv.",
        blocking=False,
    )


def _cell_as_text(ws: Any, r: int, col: int | None, value: Any, formats_lost: bool = False) -> str:
    """A cell's value as a CSV saved from Excel holds it: numbers written plainly, a percentage cell with its '%', a
    whole number in a zero-padding format ("000000": Excel shows 5 as 000005) with its zeros."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return cell_text(value)
    assert col is not None  # a value comes from a mapped column
    number_format = "" if formats_lost else str(ws.cell(r, col + 1).number_format)
    if is_percent_format(number_format):
        return _number_text(value * 100) + "%"  # Excel keeps 85 % as 0.85; the CSV shows "85%"
    # a custom format 0"%" or 0\% shows the sign only: 85 typed there is 85, as the CSV saved from Excel holds it
    text = _number_text(value)
    if _ZERO_PADDED.fullmatch(number_format) and text.isdigit():
        return text.zfill(len(number_format))
    return text


def _number_text(value: float) -> str:
    """15 significant digits, as Excel shows a number (0.1 + 0.2 is "0.3"), without an exponent; a whole number that
    a double holds exactly (below 2**53) as it is, digit for digit: a 16-digit dossier code in a number cell written
    by another tool than Excel ("1234567890123456") is not rounded into another dossier's code."""
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        text = f"{Decimal(text):f}"
    return text


def row_place(source: TableSource | None, line: int) -> str:
    """'dòng 7' of a CSV, "trang 'Số liệu', dòng 7" of a workbook: where a reader's reason puts a rejected row."""
    if isinstance(source, SheetTable):
        return f"trang '{source.title}', dòng {line}"
    return f"dòng {line}"


# A table most rows of which name another province's units is that province's table, refused whole; a few such rows
# in a real table are rejected one by one. Most, not nearly all as for a TTHC export (whose dossier codes carry the
# province): agencies of every province share names ("Sở Tài chính"), so only the communes of a whole other
# province's table (about 86 % of Thái Nguyên's units) say where it is from.
OTHER_PROVINCE_SHARE = 0.5


def other_province_unit(matcher: UnitMatcher, code: str | None, name: str | None) -> tuple[str, str, str] | None:
    """(rule ``other_province_unit``, reason, value shown) of a row whose unit is another province's (its unit or
    portal code, a name saying its province or a commune only another province has), else None."""
    found = matcher.other_province_of_row(code, name)
    if found is None:
        return None
    shown = " | ".join(t for t in (code, name) if t)
    return (
        "other_province_unit",
        f"đơn vị '{shown}' là của {province_name(found).full}, không phải của {province_name(matcher.province).full}.",
        shown,
    )


def refuse_other_province_table(
    result: ReadResult, matcher: UnitMatcher, units: list[tuple[str | None, str | None]], what: str, file_name: str
) -> bool:
    """Refuse the file (blocking ``other_province_source``, no row loaded) when more than OTHER_PROVINCE_SHARE of its
    rows' ``units`` ((code, name) as written) are one other province's; True when refused."""
    # Each distinct (code, name) judged once: a month of petitions names the same few units thousands of times.
    found: Counter[str] = Counter()
    for (code, name), rows_of_unit in Counter(units).items():
        if (other := matcher.other_province_of_row(code, name)) is not None:
            found[other] += rows_of_unit
    if not found:
        return False
    province, rows = found.most_common(1)[0]
    if rows <= OTHER_PROVINCE_SHARE * len(units):
        return False
    result.file_issues.append(
        FileIssue(
            "other_province_source",
            f"Tệp '{file_name}' là {what} của {province_name(province).full}: {rows}/{len(units)} dòng ghi đơn vị của "
            f"tỉnh này, không phải của {province_name(matcher.province).full}. Không nạp được tệp; đề nghị gửi đúng "
            "tệp của tỉnh.",
        )
    )
    result.loadable, result.rows = False, []
    return True


# --- a dossier export saved as a workbook ------------------------------------------------------------------------


def prepare_export(
    path: Path, columns: tuple[Column, ...], date_formats: tuple[str, ...], work_dir: Path, what: str
) -> PreparedFile:
    """A system's export inspected: a CSV as it is (``prepare_csv``); a workbook, by its content whatever its name,
    through its table (``prepare_workbook_export``)."""
    return prepare_csv(
        path, columns, work_dir, workbook=lambda found: prepare_workbook_export(found, columns, date_formats, what)
    )


def prepare_workbook_export(path: Path, columns: tuple[Column, ...], date_formats: tuple[str, ...], what: str) -> PreparedFile:
    """An export that arrived as a workbook (a day's dossiers, the catalogue, a PAKN month: downloaded as .xlsx, opened
    in Excel and saved, an .xls or an HTML table from the system; ``what`` names it in the issues): its table, found by its header as any sheet's (a title above allowed), becomes the CSV
    text the export would have been, read and checked as a CSV read through its normalised copy (line numbers: the
    header is line 1). A date cell is written in the profile's first format with a time (the first without one for a
    cell at midnight), a number plainly, a cell's line breaks as spaces. What cannot be read is refused as any
    workbook (kind, broken, password, no sheet with the header), with the intake's reasons."""
    found = ReadResult()
    sheets = open_sheets(path, found, watch=still_being_written)
    prepared = PreparedFile(path=path, sha256=found.sha256, size_bytes=found.size_bytes, encoding=found.encoding)
    prepared.deferred = found.deferred
    prepared.issues += found.file_issues
    if sheets is None:
        return prepared
    ws, grid, table, _, issues = table_sheet(sheets, columns, what, what)  # "… gửi {what} một tệp riêng"
    prepared.issues += issues
    if table is None:
        return prepared
    timed = next((f for f in date_formats if "%H" in f), "%d/%m/%Y %H:%M:%S")
    dated = next((f for f in date_formats if "%H" not in f), timed)
    present = [c for c in columns if c.name in table.columns]
    # A value merged down over several rows holds for each of them (noted), as in every table reader.
    prepared.issues += fill_body_merges(ws, grid, table, {c.name: c.header for c in columns})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in present])
    body = grid[table.header_row :]
    while body and not any(cell_text(v) for v in body[-1]):
        body.pop()
    from openpyxl.utils import get_column_letter

    faults: list[str] = []  # cells whose formula was saved without its value, or an Excel error: written empty
    key_col = table.columns.get("dossier_code", min(table.columns.values()))
    for r, row in enumerate(body, start=table.header_row + 1):
        if ends_table(row, key_col):
            break  # the signature block or a footnote under the table
        if not any(cell_text(v) for v in row) or is_column_number_row(row) or is_total_row([cell_text(v) for v in row]):
            out.write("\n")  # a blank line, as in a CSV: the lines below keep their numbers
            continue
        cells = []
        for c in present:
            col = table.columns[c.name]
            if (fault := cell_fault(row[col])) is not None:
                faults.append(f"{get_column_letter(col + 1)}{r} ({fault.rule})")
                cells.append("")
            else:
                cells.append(_export_cell(ws, r, col, row[col], timed, dated))
        writer.writerow(cells)
    if faults:
        shown = ", ".join(faults[:10]) + (f" … ({len(faults)} ô)" if len(faults) > 10 else "")
        prepared.issues.append(
            FileIssue(
                "cell_fault",
                f"Trang '{ws.title}': ô có công thức chưa được tính (lưu từ phần mềm không tính công thức) hoặc giá trị "
                f"lỗi của Excel ({shown}) được đọc là ô trống: dòng thiếu giá trị bắt buộc vì thế bị loại. Đề nghị mở "
                "tệp bằng Excel, kiểm tra các ô đó, lưu lại rồi gửi lại, hoặc xuất dạng CSV UTF-8.",
                blocking=False,
            )
        )
    below = f"; dòng tiêu đề là dòng {table.header_row} của trang tính, các thông báo đếm dòng từ đó (dòng 1)"
    prepared.issues.append(
        FileIssue(
            "workbook_export",
            f"Tệp là bảng tính ({found.encoding}), không phải CSV: đã đọc trang tính '{ws.title}'"
            f"{below if table.header_row > 1 else ''}. Đề nghị lần sau xuất dạng CSV UTF-8.",
            blocking=False,
        )
    )
    converted = prepare_converted(prepared, out.getvalue(), columns)
    converted.encoding = found.encoding
    return converted


def _export_cell(ws: Any, r: int, col: int, value: Any, timed: str, dated: str) -> str:
    """A cell as the export's CSV would hold it (see prepare_workbook_export): a date in the profile's format (with
    its time), any other value as every table reader writes it (``_cell_as_text``)."""
    if isinstance(value, datetime):
        return value.strftime(dated if value.time() == time(0) else timed)
    if isinstance(value, date):
        return value.strftime(dated)
    return _cell_as_text(ws, r, col, value, percent_format_lost(ws))


_ZERO_PADDED = re.compile(r"0+")
