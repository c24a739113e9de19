"""Hand-made workbooks as other programs write them, for the tests: a grid of values written as .xlsx (openpyxl),
.xls (xlwt, Excel 97-2003 BIFF8; error values typed or saved as a formula's value), .ods (odfpy) or an HTML table saved with an .xls name, and an .xlsx whose formula
cells carry the value Excel would have saved (openpyxl writes formulas without one)."""

from __future__ import annotations

import re
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

Grid = list[list[Any]]  # rows of cell values; None = empty

# Excel's codes of its error values in an .xls (BIFF8 BOOLERR and FORMULA records).
XLS_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}


class XlsError(str):
    """In a grid for ``write_xls``: a cell holding this Excel error value, typed (no formula)."""


class XlsFormulaError(str):
    """In a grid for ``write_xls``: a formula whose value Excel computed and saved is this error (=B2/C2 with C2 = 0
    saved as #DIV/0!). ``formula`` is the formula's text, without '='."""

    formula = "1/0"


def write_xlsx(path: Path, grid: Grid, sheet: str = "Sheet1", merges: tuple[str, ...] = ()) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def write_xls(path: Path, grid: Grid, sheet: str = "Sheet1", number_formats: dict[str, str] | None = None) -> Path:
    """A real Excel 97-2003 file (BIFF8), dates stored as Excel dates; ``number_formats``: cell ("E7") -> Excel
    number format, as Excel 97-2003 keeps it with the cell ("0%": 50 % is stored as 0.5)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    _xls_sheet(wb.add_sheet(sheet), grid, number_formats or {})
    wb.save(str(path))
    _save_formula_errors(path, _formula_errors(grid))
    return path


def _formula_errors(grid: Grid) -> list[tuple[int, int, str]]:
    return [(r, c, v) for r, row in enumerate(grid) for c, v in enumerate(row) if isinstance(v, XlsFormulaError)]


def _save_formula_errors(path: Path, errors: list[tuple[int, int, str]]) -> None:
    """The formula cells of an .xls written by xlwt (which saves no value: an empty string) given the error Excel
    would have saved as their value: the FORMULA record's 8-byte result is 02 00 <code> 00 00 00 FF FF. ``errors``
    (0-based row, column, error) in the order of the sheets, whose records follow one another in the file."""
    if not errors:
        return
    raw = path.read_bytes()
    for r, c, error in errors:
        unsaved = struct.pack("<Q", 0xFFFF000000000003)
        found = re.search(re.escape(struct.pack("<2H", r, c)) + b"(..)" + re.escape(unsaved), raw, re.DOTALL)
        assert found, f"no formula at row {r}, column {c}"
        saved = bytes([2, 0, XLS_ERROR_CODES[error], 0, 0, 0, 0xFF, 0xFF])
        raw = raw[: found.start()] + struct.pack("<2H", r, c) + found.group(1) + saved + raw[found.end() :]
    path.write_bytes(raw)


def xlsx_as_xls(src: Path, dst: Path) -> Path:
    """The .xlsx at ``src`` saved as Excel 97-2003 (.xls), every sheet, for what the readers see: values (dates as
    dates), the '%' number formats of the cells, the Excel error values and which sheets are hidden."""
    import xlwt
    from openpyxl import load_workbook

    wb = xlwt.Workbook(encoding="utf-8")
    saved = load_workbook(src, data_only=True)
    formula_errors: list[tuple[int, int, str]] = []
    for ws in load_workbook(src).worksheets:
        grid = [[_xls_value(c, saved[ws.title][c.coordinate]) for c in row] for row in ws.iter_rows()]
        formats = {c.coordinate: c.number_format for row in ws.iter_rows() for c in row if "%" in (c.number_format or "")}
        sheet = wb.add_sheet(ws.title[:31])
        _xls_sheet(sheet, grid, formats)
        sheet.visibility = 0 if ws.sheet_state == "visible" else 1  # a hidden sheet stays hidden
        formula_errors += _formula_errors(grid)
    wb.save(str(dst))
    _save_formula_errors(dst, formula_errors)
    return dst


def _xls_value(cell: Any, saved: Any) -> Any:
    """A cell of the .xlsx as xlsx_as_xls writes it: an error value as an error, typed or saved as a formula's value
    (``with_error_values``, ``with_saved_values``), a formula by the value saved with it (what a reader of the .xls
    sees); anything else as openpyxl reads it (a formula saved without a value as its text)."""
    if cell.data_type == "e":
        return XlsError(cell.value)
    if cell.data_type == "f" and saved.data_type == "e":
        return XlsFormulaError(saved.value)
    if cell.data_type == "f" and saved.value is not None:
        return saved.value
    return cell.value


def _xls_sheet(ws: Any, grid: Grid, number_formats: dict[str, str]) -> None:
    import xlwt
    from openpyxl.utils.cell import coordinate_to_tuple

    as_date = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    by_format = {fmt: xlwt.easyxf(num_format_str=fmt) for fmt in set(number_formats.values())}  # one XF per format
    styles = {coordinate_to_tuple(ref): by_format[fmt] for ref, fmt in number_formats.items()}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, XlsFormulaError):
                ws.write(r, c, xlwt.Formula(value.formula))
            elif isinstance(value, XlsError):
                ws.row(r).set_cell_error(c, XLS_ERROR_CODES[value])
            elif isinstance(value, date | datetime):
                ws.write(r, c, value, as_date)
            elif (r + 1, c + 1) in styles:
                ws.write(r, c, value, styles[(r + 1, c + 1)])
            else:
                ws.write(r, c, value)


def write_ods(path: Path, grid: Grid, sheet: str = "Sheet1") -> Path:
    """A real OpenDocument spreadsheet, cells typed as LibreOffice types them."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for row in grid:
        tr = TableRow()
        for value in row:
            if value is None:
                cell = TableCell()
            elif isinstance(value, bool):
                cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
            elif isinstance(value, date | datetime):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
            else:
                cell = TableCell(valuetype="string")
            if value is not None:
                cell.addElement(P(text=f"{value:%d/%m/%Y}" if isinstance(value, date | datetime) else str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_html_xls(path: Path, grid: Grid, title: str = "Báo cáo") -> Path:
    """An HTML page holding the grid as a table, saved with an .xls name, as portals export "Excel"."""

    def cell(value: Any) -> str:
        if value is None:
            return "<td></td>"
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f'<td x:num="{value}">{value}</td>'
        text = f"{value:%d/%m/%Y}" if isinstance(value, date | datetime) else str(value)
        return f"<td>{text.replace('&', '&amp;').replace('<', '&lt;')}</td>"

    rows = "\n".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in grid)
    path.write_text(
        f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><table border=1>\n{rows}\n</table></body></html>",
        encoding="utf-8",
    )
    return path


def with_saved_values(path: Path, values: dict[str, Any], sheet_xml: str = "xl/worksheets/sheet1.xml") -> Path:
    """The .xlsx at ``path`` with the formula cells named in ``values`` carrying a saved value, as Excel saves them:
    a number, a string (t="str") or an error (t="e", e.g. "#DIV/0!")."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[sheet_xml].decode("utf-8")
    for ref, value in values.items():
        found = re.search(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?', xml)
        assert found, f"no formula in {ref}"
        attrs = re.sub(r'\s*t="[^"]*"', "", found.group(1))
        if isinstance(value, str) and value.startswith("#"):
            kind = ' t="e"'
        elif isinstance(value, str):
            kind = ' t="str"'
        else:
            kind = ""
        xml = xml.replace(found.group(0), f'<c r="{ref}"{attrs}{kind}><f>{found.group(2)}</f><v>{value}</v>')
    parts[sheet_xml] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def with_error_values(path: Path, values: dict[str, str], sheet_xml: str = "xl/worksheets/sheet1.xml") -> Path:
    """The .xlsx at ``path`` with the cells named in ``values`` holding an Excel error value (t="e"), no formula."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[sheet_xml].decode("utf-8")
    for ref, error in values.items():
        found = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml)
        assert found, f"no cell {ref}: write a placeholder value there first"
        xml = xml.replace(found.group(0), f'<c r="{ref}" t="e"><v>{error}</v></c>')
    parts[sheet_xml] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path
