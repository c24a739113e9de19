"""The one look of every workbook the project publishes: titled tables, colour scales, bar charts, atomic save.

Government documents use Times New Roman 12, which renders every Vietnamese diacritic. Every string is written
NFC and never as a formula (a value such as ``=HYPERLINK(...)`` from a source file stays text); use ``Formula``
to write a real formula on purpose.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.chart import BarChart, RadarChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from pandas.api.types import is_scalar

from common.files import write_atomically
from common.settings import TIMEZONE, now_local
from common.units import RANKING_GROUP_LABELS
from common.vntext import nfc, sort_key
from scoring.ranking import group_label

FONT_NAME = "Times New Roman"
FONT_SIZE = 12
EXCEL_MAX_TEXT = 32_767  # longer strings make Excel report the file as damaged

# Excel's own colour-scale colours, so the reports look like what officials already know.
RED, YELLOW, GREEN = "F8696B", "FFEB84", "63BE7B"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name=FONT_NAME, size=FONT_SIZE)
_BOLD = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
_ITALIC = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)
_TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
_HEADER_FILL = PatternFill("solid", start_color="D9E1F2")
_TOTAL_FILL = PatternFill("solid", start_color="F2F2F2")
LINE_HEIGHT = 16.0  # points per wrapped line of 12 pt text
_ROW_CM = 0.53  # height of a default 15 pt row, to keep a chart above the next table
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: "-" for c in "[]:*?/\\"})
_NAME_PREFIXES = ("Ủy ban nhân dân ", "UBND ", "Sở ", "Phường ", "Xã ")  # not "Ban ": "Quản lý …" is no unit's name
# Abbreviations of official usage, for a name too long for a sheet tab: "Ban Quản lý các KCN tỉnh".
_OFFICIAL_ABBREVIATIONS = (("khu công nghiệp", "KCN"), ("Khoa học và Công nghệ", "KH&CN"), ("Ủy ban nhân dân", "UBND"))


class Formula(str):
    """A string that is meant to be an Excel formula (plain strings starting with '=' are written as text)."""


@dataclass(frozen=True)
class Column:
    """One column of a table: Vietnamese header, key into dict rows, width in characters, Excel number format."""

    header: str
    key: str
    width: float = 15
    number_format: str | None = None  # e.g. "0.00", "0.0%", "#,##0", "dd/mm/yyyy"
    align: Literal["left", "center", "right"] | None = None  # None: numbers right, the rest left
    wrap: bool = True


# The rejected rows and refused files of an assessment workbook (PAR and DTI show them alike).
REJECTED_ROW_COLUMNS = (
    Column("Nguồn", "source", 18),
    Column("Tệp", "file_name", 30),
    Column("Dòng", "row_number", 8, "0", align="center"),
    Column("Đơn vị", "unit", 26),
    Column("Lý do", "reason", 60),
    Column("Giá trị", "value", 16),
)
# A rank is a number (filters sort 1, 2, ..., 10); a tie or a unit left unranked is said in the next column.
RANK_COLUMNS = (Column("Hạng", "rank", 7, "0", align="center"), Column("Đồng hạng", "rank_note", 13, align="center"))
TIED_MARK, UNRANKED = "Đồng hạng", "Chưa xếp hạng"


def rank_cells(rank: Any, tied: Any) -> dict[str, Any]:
    """The two cells of ``RANK_COLUMNS``: {'rank': 2, 'rank_note': 'Đồng hạng'}; no rank: None and 'Chưa xếp hạng'."""
    if is_missing(rank):
        return {"rank": None, "rank_note": UNRANKED}
    return {"rank": int(rank), "rank_note": TIED_MARK if bool(tied) and not is_missing(tied) else None}


REFUSED_FILE_COLUMNS = (Column("Nguồn", "source", 18), Column("Tệp", "file_name", 30), Column("Lý do", "reason", 80))


@dataclass(frozen=True)
class Table:
    """Where ``write_table`` put a table, for colour scales, charts and tests."""

    ws: Worksheet
    columns: tuple[Column, ...]
    header_row: int
    first_row: int  # first data row
    last_row: int  # last data row; first_row - 1 when the table has no rows
    total_row: int | None

    @property
    def n_rows(self) -> int:
        return self.last_row - self.first_row + 1

    def column_index(self, key: str) -> int:
        for i, col in enumerate(self.columns, start=1):
            if col.key == key:
                return i
        raise KeyError(key)

    def letter(self, key: str) -> str:
        return get_column_letter(self.column_index(key))

    def data_range(self, key: str) -> str | None:
        """'D5:D20' for a column's data cells (total row excluded), None when there are no rows."""
        if self.n_rows <= 0:
            return None
        letter = self.letter(key)
        return f"{letter}{self.first_row}:{letter}{self.last_row}"


def generated_label(at: datetime | None = None) -> str:
    """'Lập lúc 14:05 ngày 03/02/2026 (giờ Việt Nam)'; a naive datetime is taken as Việt Nam time already."""
    at = at or now_local()  # naive local time
    if at.tzinfo is not None:
        at = at.astimezone(ZoneInfo(TIMEZONE))
    return f"Lập lúc {at:%H:%M} ngày {at:%d/%m/%Y} (giờ Việt Nam)"


def new_workbook(title: str | None = None) -> Workbook:
    """A workbook without openpyxl's default 'Sheet', so callers only add the sheets they name."""
    wb = Workbook()
    wb.remove(wb.active)
    if title:
        wb.properties.title = title
    wb.properties.creator = "CCHC pipeline"
    return wb


def clean_value(value: Any) -> Any:
    """A value Excel accepts: NFC text without control characters, no NaN/NaT, no time zone."""
    if value is None or isinstance(value, Formula):
        return value
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", unicodedata.normalize("NFC", value))
        return text[:EXCEL_MAX_TEXT]
    if isinstance(value, float) and not math.isfinite(value):  # Excel cannot store NaN or infinity
        return None
    if type(value).__name__ == "NaTType":  # pandas' missing timestamp, without importing pandas
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:  # Excel has no time zones: show local time
        return value.astimezone(ZoneInfo(TIMEZONE)).replace(tzinfo=None)
    if isinstance(value, (int, float, date)):
        return value
    return clean_value(str(value))


def _write(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    cell = ws.cell(row=row, column=col)
    value = clean_value(value)
    cell.value = value
    if cell.data_type == "f" and not isinstance(value, Formula):
        cell.data_type = "s"  # data from the field, not a formula: keep it inert
    return cell


def _lines(text: str, width: float) -> int:
    """Rough number of wrapped lines, so Excel (which does not autofit on open) shows the whole text."""
    per_line = max(1, int(width) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def merge_row(ws: Worksheet, row: int, first: int, last: int) -> None:
    """``ws.merge_cells`` of one row's columns ``first..last``, with the same cells and styles. openpyxl adds an
    empty border to each edge cell of a merge, a hash of each style object per cell (a quarter of a 110-sheet
    workbook's writing); the styles a merge gave are a function of the first cell's style and the width only, so the
    first merge of each kind in the workbook is done by openpyxl and the next ones copy its styles."""
    start, end = ws._cells.get((row, first)), ws._cells.get((row, last))
    if start is None or end is not None or last <= first:  # openpyxl creates the first cell, or borrows the last's
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        return
    cache = _STYLES.setdefault(ws.parent, {})
    key = ("merge", last - first, tuple(start._style or ()))
    styles = cache.get(key)
    if styles is None:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cache[key] = [copy(ws._cells[row, col]._style) for col in range(first, last + 1)]
        return
    ws.merged_cells.add(MergedCellRange(ws, f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}"))
    start._style = copy(styles[0])
    for col, style in enumerate(styles[1:], start=first + 1):
        cell = MergedCell(ws, row, col)
        cell._style = copy(style)
        ws._cells[row, col] = cell


def _title_rows(
    ws: Worksheet, title: str, subtitles: Sequence[str], n_cols: int, start_row: int = 1, width: float | None = None
) -> int:
    """Write the title and subtitle lines merged across the table (``width``: its characters), wrapped within it so
    that a long note is printed whole; return the next free row."""
    for row, text in enumerate([title, *subtitles], start=start_row):
        cell = _write(ws, row, 1, text)
        _fixed_style(cell, ("title", row == start_row), _title_style)
        if n_cols > 1:
            merge_row(ws, row, 1, n_cols)
        lines = _lines(str(cell.value or ""), width * (0.85 if row == start_row else 1.0)) if width else 1
        ws.row_dimensions[row].height = (22 if row == start_row else 18) + (lines - 1) * LINE_HEIGHT
    return start_row + len(subtitles) + 2  # one blank row before the header


def _cells(row: Mapping[str, Any] | Sequence[Any], columns: Sequence[Column]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(col.key) for col in columns]
    values = list(row)
    return [values[i] if i < len(values) else None for i in range(len(columns))]


# Finished cell styles per workbook (a style refers to the workbook's own font, border... tables, so it is only
# copied within the workbook that made it).
_STYLES: WeakKeyDictionary[Workbook, dict[tuple, StyleArray]] = WeakKeyDictionary()


def _title_style(cell: Cell, first: bool) -> None:
    cell.font = _TITLE_FONT if first else _ITALIC
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header_style(cell: Cell) -> None:
    cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _fixed_style(cell: Cell, kind: tuple, apply: Any) -> None:
    """Give a title or header cell its style (``apply(cell, *kind[1:])``), copied from the first cell of the same kind
    and the same prior style in the workbook: setting font, fill, border and alignment hashes each style object,
    which took a third of a 110-sheet workbook's writing."""
    cache = _STYLES.setdefault(cell.parent.parent, {})
    key = (*kind, tuple(cell._style or ()))
    cached = cache.get(key)
    if cached is not None:
        cell._style = copy(cached)
        return
    apply(cell, *kind[1:])
    cache[key] = copy(cell._style)


def _style(cell: Cell, col: Column, cache: dict[tuple, StyleArray], *, bold: bool) -> None:
    """Style a body or total cell. Setting font, border... per cell costs a hash of each style object, which
    made a 50,000-row sheet take a minute; the finished style of the first cell of each kind in the workbook is
    copied instead."""
    value = cell.value
    horizontal = col.align or ("right" if isinstance(value, (int, float)) and not isinstance(value, bool) else "left")
    key = (horizontal, bold, col.wrap, col.number_format)
    cached = cache.get(key)
    if cached is not None:
        cell._style = copy(cached)
        return
    cell.font, cell.border = (_BOLD if bold else _FONT), _BORDER
    if bold:
        cell.fill = _TOTAL_FILL
    cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=col.wrap)
    if col.number_format:
        cell.number_format = col.number_format
    cache[key] = copy(cell._style)


def write_table(
    ws: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    *,
    title: str,
    subtitles: Sequence[str] = (),
    total: Mapping[str, Any] | Sequence[Any] | None = None,
    empty_text: str = "Không có dữ liệu",
    freeze_columns: int = 0,
    start_row: int = 1,
) -> Table:
    """Write a titled table: bold bordered header, frozen panes under it, auto-filter, A4 landscape fit to width.

    Rows are dicts (read by ``Column.key``) or tuples (read by position). ``total`` is an optional bold row after the
    data, outside the auto-filter so sorting never moves it. With no rows, ``empty_text`` is shown under the header.
    ``start_row`` > 1 puts another titled table lower on a sheet that has one already: the sheet's frozen panes,
    auto-filter and print setup stay those of its first table, and a column keeps the larger of the two widths.
    """
    columns = tuple(columns)
    n_cols = len(columns)
    header_row = _title_rows(ws, title, subtitles, n_cols, start_row, sum(c.width for c in columns))
    last_letter = get_column_letter(n_cols)

    header_lines = 1
    for i, col in enumerate(columns, start=1):
        cell = _write(ws, header_row, i, col.header)
        _fixed_style(cell, ("header",), _header_style)
        letter = get_column_letter(i)
        earlier = ws.column_dimensions[letter].width if start_row > 1 and letter in ws.column_dimensions else 0
        ws.column_dimensions[letter].width = max(col.width, earlier or 0)  # as wide as the widest table needs
        header_lines = max(header_lines, _lines(col.header, col.width))
    ws.row_dimensions[header_row].height = LINE_HEIGHT * header_lines + 4

    styles = _STYLES.setdefault(ws.parent, {})
    first_row = row_no = header_row + 1
    for row in rows:
        row_lines = 1
        for i, (col, value) in enumerate(zip(columns, _cells(row, columns), strict=True), start=1):
            cell = _write(ws, row_no, i, value)
            _style(cell, col, styles, bold=False)
            if col.wrap and isinstance(cell.value, str):
                row_lines = max(row_lines, _lines(cell.value, col.width))
        if row_lines > 1:
            ws.row_dimensions[row_no].height = LINE_HEIGHT * row_lines
        row_no += 1
    last_row = row_no - 1

    if last_row < first_row:
        cell = _write(ws, first_row, 1, empty_text)
        cell.font = _ITALIC
        cell.alignment = Alignment(horizontal="center")
        if n_cols > 1:
            merge_row(ws, first_row, 1, n_cols)
        row_no = first_row + 1

    total_row = None
    if total is not None:
        total_row = row_no
        for i, (col, value) in enumerate(zip(columns, _cells(total, columns), strict=True), start=1):
            cell = _write(ws, total_row, i, value)
            _style(cell, col, styles, bold=True)

    if start_row == 1:
        ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{header_row + 1}"
        ws.auto_filter.ref = f"A{header_row}:{last_letter}{max(last_row, header_row)}"
        _print_setup(ws, header_row)
        _split_wide(ws, [c.width for c in columns], freeze_columns, header_row)
    elif int(ws.page_setup.fitToWidth or 1) <= 1:  # a lower table may widen the sheet's columns
        widths = [ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, ws.max_column + 1)]
        _split_wide(ws, widths, 0, header_row)
    return Table(ws, columns, header_row, first_row, last_row, total_row)


def _print_setup(ws: Worksheet, repeat_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if repeat_row:
        ws.print_title_rows = f"{repeat_row}:{repeat_row}"  # header on every printed page
    ws.oddHeader.center.text = "&A"  # the sheet's name on every page (the print check attributes pages by it)
    ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.size = 9


# Characters of column width one landscape A4 page prints legibly: fit to width scales 12 pt text to about 7 pt
# (measured in LibreOffice's PDF: 217 characters printed at 6.1 pt, 260 at 5.2 pt)
# at this width (a 32-column sheet squeezed onto one page printed at 4–5 pt).
PAGE_CHARS = 220
PRINTED_CHART_CM = 17.0  # the tallest chart a landscape A4 page holds (21 cm less the margins)
# Characters of the one column of a text sheet that a portrait A4 page prints whole, unscaled (measured in the PDF
# printed by LibreOffice: about 6.5 pt a character of width).
TEXT_SHEET_WIDTH = 78


def _split_wide(ws: Worksheet, widths: Sequence[float], title_columns: int, header_row: int) -> None:
    """A table wider than one legible page prints on several pages across, each repeating its first
    ``title_columns`` (rank and unit) like the header row, instead of being squeezed onto one page. Its title lines
    are merged across the first page only when the workbook is saved (``_merge_within_first_page``)."""
    total = sum(widths)
    if total <= PAGE_CHARS:
        return
    repeated = sum(widths[:title_columns]) if title_columns else 0.0
    per_page = max(PAGE_CHARS - repeated, PAGE_CHARS / 2)
    ws.page_setup.fitToWidth = max(1, math.ceil((total - repeated) / per_page))
    if title_columns:
        ws.print_title_cols = f"A:{get_column_letter(title_columns)}"


def set_print_layout(ws: Worksheet, repeat_row: int | None = None, *, portrait: bool = False) -> None:
    """A4 fit to width, centred, page numbers (as ``write_table`` sets up its sheet's first table), for a sheet whose
    first rows are not a table, such as the heading of an official report."""
    _print_setup(ws, repeat_row)
    if portrait:
        ws.page_setup.orientation = "portrait"


def fill_row(table: Table, row: int, color: str, keys: Sequence[str] | None = None) -> None:
    """Solid fill (hex colour such as 'FFC7CE') on a table row's cells, or only on the columns ``keys``."""
    fill = PatternFill("solid", start_color=color)
    for key in keys if keys is not None else [c.key for c in table.columns]:
        table.ws.cell(row=row, column=table.column_index(key)).fill = fill


def write_text_sheet(
    ws: Worksheet,
    *,
    title: str,
    sections: Sequence[tuple[str, Sequence[str]]],
    subtitles: Sequence[str] = (),
    width: float = TEXT_SHEET_WIDTH,
) -> None:
    """An explanation sheet: title, then bold headings each followed by wrapped paragraphs in one column as wide as
    a portrait A4 page prints at full size (LibreOffice does not shrink a one-column sheet to the page: a wider
    column was printed cut at both margins)."""
    row = _title_rows(ws, title, subtitles, 1, width=width)
    ws.column_dimensions["A"].width = width
    ws.sheet_view.showGridLines = False
    for heading, paragraphs in sections:
        cell = _write(ws, row, 1, heading)
        cell.font = _BOLD
        row += 1
        for text in paragraphs:
            cell = _write(ws, row, 1, text)
            cell.font = _FONT
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            ws.row_dimensions[row].height = LINE_HEIGHT * _lines(cell.value or "", width)
            row += 1
        row += 1
    _print_setup(ws, None)
    ws.page_setup.orientation = "portrait"


def add_color_scale(ws: Worksheet, cell_range: str | None, *, high_is_good: bool = True) -> None:
    """3-colour scale red-yellow-green on a range such as 'D5:D20' (None, for an empty table, is ignored)."""
    if not cell_range:
        return
    low, high = (RED, GREEN) if high_is_good else (GREEN, RED)
    rule = ColorScaleRule(
        start_type="min", start_color=low, mid_type="percentile", mid_value=50, mid_color=YELLOW, end_type="max", end_color=high
    )
    ws.conditional_formatting.add(cell_range, rule)


# Fills of a score by its band: Excel's own "good", "neutral" and "bad" cell styles.
GOOD_FILL, FAIR_FILL, POOR_FILL = "C6EFCE", "FFEB9C", "FFC7CE"
# Without bands of a methodology (QĐ 766 scores, on-time rates): share of the maximum from which a value is good,
# and below which it is poor.
GOOD_SHARE, POOR_SHARE = 0.8, 0.5


def band_thresholds(bands: Sequence[tuple[str, float]] | None, maximum: float = 100.0, scale: float = 1.0) -> tuple[float, float]:
    """(good from, poor below) of a methodology's bands (label, minimum), best first: the best band is green, the
    lowest red, the ones between amber. ``scale`` converts the band minimum to the column's unit (0.01 for a value
    0..1 against bands in points of 100). Without bands: 80 % and 50 % of ``maximum``."""
    mins = sorted((float(m) for _, m in bands or () if m is not None), reverse=True)
    if len(mins) < 2:
        return GOOD_SHARE * maximum, POOR_SHARE * maximum
    return mins[0] * scale, mins[-2] * scale


def add_band_colors(ws: Worksheet, cell_range: str | None, thresholds: tuple[float, float]) -> None:
    """Green at or above ``thresholds[0]``, red below ``thresholds[1]``, amber between; empty cells stay white.

    Fixed by the methodology's bands (see ``band_thresholds``), not a min-max scale: a 94 % score is never red
    because the others scored higher. None (an empty table) is ignored."""
    if not cell_range:
        return
    good, poor = thresholds
    first = cell_range.split(":")[0]
    for formula, color in (
        (f"AND(ISNUMBER({first}),{first}>={good!r})", GOOD_FILL),
        (f"AND(ISNUMBER({first}),{first}<{poor!r})", POOR_FILL),
        (f"AND(ISNUMBER({first}),{first}>={poor!r},{first}<{good!r})", FAIR_FILL),
    ):
        fill = PatternFill(start_color=color, end_color=color, fill_type="solid")
        ws.conditional_formatting.add(cell_range, FormulaRule(formula=[formula], fill=fill, stopIfTrue=True))


def add_bar_chart(
    table: Table,
    *,
    category_key: str,
    value_keys: Sequence[str],
    title: str,
    anchor: str | None = None,
    horizontal: bool = True,
    value_axis_title: str | None = None,
) -> BarChart | None:
    """Bar chart of a table's value columns against its category column, placed right of the table by default.

    Horizontal bars keep long Vietnamese unit names readable and list categories in table order, top down.
    Returns None (no chart) for a table without rows.
    """
    if table.n_rows <= 0:
        return None
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    _series(chart, table, category_key, value_keys, title)
    if value_axis_title:
        chart.y_axis.title = value_axis_title
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row of the table at the top
        chart.height = max(7.5, 0.55 * table.n_rows + 3)
        if anchor is not None:  # a chart in the print area: no taller than a landscape page (LibreOffice does not
            chart.height = min(chart.height, PRINTED_CHART_CM)  # split a chart, it printed 52 cm beyond the paper)
    chart.width = 18
    if len(value_keys) == 1:
        chart.legend = None
    _place_beside(table, chart, anchor)
    return chart


# Bars of one printed ranking chart: 25 on a landscape page leave ~6 mm a bar, room for a 9 pt unit name (92 communes
# on one chart printed their names at 4.6 pt, or over three pages).
CHART_BARS_PER_PAGE = 25
_CHART_WIDTH_CM = 24.0
# Columns under a chart, set to its width (about 0.2 cm a character): a print area of wider default columns was
# shrunk to the page with the chart (its 9 pt labels printed at 7.4 pt).
_CHART_PAGE_COLUMNS, _CHART_COLUMN_CHARS = 12, 10.0
_CHART_TEXT_PT = 9


@dataclass(frozen=True)
class ChartSource:
    """A ranking table to draw: its category (unit) column, its value column and the chart's title."""

    table: Table
    category_key: str
    value_key: str
    title: str


def _text_size(points: float) -> RichText:
    size = int(points * 100)
    props = CharacterProperties(sz=size)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def _page_chart(source: ChartSource, first: int, last: int, value_axis_title: str, maximum: float | None) -> BarChart:
    """One page's horizontal bar chart of rows ``first..last`` of the source table, labels at a fixed 9 pt."""
    table = source.table
    chart = BarChart()
    chart.type, chart.style = "bar", 10
    value_col, cat_col = table.column_index(source.value_key), table.column_index(source.category_key)
    chart.add_data(Reference(table.ws, min_col=value_col, min_row=first, max_row=last), titles_from_data=False)
    chart.series[0].tx = SeriesLabel(v=value_axis_title)
    chart.set_categories(Reference(table.ws, min_col=cat_col, min_row=first, max_row=last))
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
    chart.x_axis.scaling.orientation = "maxMin"  # the table's first row at the top
    chart.x_axis.txPr = chart.y_axis.txPr = _text_size(_CHART_TEXT_PT)
    chart.y_axis.title = value_axis_title
    if maximum is not None:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, maximum
    chart.legend = None
    chart.width = _CHART_WIDTH_CM
    chart.height = min(PRINTED_CHART_CM - 1.5, max(7.5, 0.55 * (last - first + 1) + 3))
    return chart


def write_chart_sheet(
    wb: Workbook,
    name: str,
    sources: Sequence[ChartSource],
    *,
    value_axis_title: str,
    maximum: float | None = None,
    index: int | None = None,
) -> Worksheet:
    """A sheet of ranking charts that prints one chart a landscape page: each table in parts of at most
    ``CHART_BARS_PER_PAGE`` units, in rank order, each part captioned above its chart. Charts left beside or below
    a wide table were scaled with it (labels at 4–6 pt) or cut at a page edge. Without ranked units the sheet says so."""
    sources = [s for s in sources if s.table.n_rows > 0]
    ws = wb.create_sheet(name, index)
    if not sources:
        _write(ws, 1, 1, "Chưa có đơn vị nào được xếp hạng").font = _ITALIC
    row = 1
    for source in sources:
        table, n = source.table, source.table.n_rows
        for offset in range(0, n, CHART_BARS_PER_PAGE):
            first, last = table.first_row + offset, min(table.first_row + offset + CHART_BARS_PER_PAGE, table.last_row + 1) - 1
            part = f" (thứ tự {offset + 1}–{last - table.first_row + 1}/{n})" if n > CHART_BARS_PER_PAGE else ""
            caption = _write(ws, row, 1, f"{source.title}{part}")
            caption.font = _BOLD
            chart = _page_chart(source, first, last, value_axis_title, maximum)
            ws.add_chart(chart, f"A{row + 1}")
            row += 1 + rows_under_chart(chart)
            ws.row_breaks.append(Break(id=row - 1))  # the next chart starts a page
    for column in range(1, _CHART_PAGE_COLUMNS + 1):
        ws.column_dimensions[get_column_letter(column)].width = _CHART_COLUMN_CHARS
    _print_setup(ws, None)
    ws.print_area = f"A1:{get_column_letter(_CHART_PAGE_COLUMNS)}{row}"
    return ws


def _place_beside(table: Table, chart: Any, anchor: str | None) -> None:
    """Put a chart right of its table (or at ``anchor``). A chart beside the table is left out of the print: fitting
    both to the page width printed the table at 4–5 pt; the print area is the table's columns."""
    table.ws.add_chart(chart, anchor or f"{get_column_letter(len(table.columns) + 2)}{table.header_row}")
    if anchor is None:
        table.ws.print_area = f"A1:{get_column_letter(len(table.columns))}1048576"


def add_radar_chart(
    table: Table, *, category_key: str, value_keys: Sequence[str], title: str, anchor: str | None = None, maximum: float = 1.0
) -> RadarChart | None:
    """Radar chart (one series per value column, one axis per row of the category column) on a 0..maximum scale,
    placed right of the table by default: the profile of a few units over an index's main indices. None for a
    table without rows or series."""
    if table.n_rows <= 0 or not value_keys:
        return None
    chart = RadarChart()
    chart.type = "marker"
    _series(chart, table, category_key, value_keys, title)
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, maximum
    chart.y_axis.majorUnit = maximum / 4
    chart.y_axis.number_format = "0.00"
    chart.width, chart.height = 18, 11
    chart.legend.position = "b"
    _place_beside(table, chart, anchor)
    return chart


def _series(chart: BarChart | RadarChart, table: Table, category_key: str, value_keys: Sequence[str], title: str) -> None:
    """A chart's title, style, one series per value column (named by its header) and the categories."""
    chart.title = title
    chart.style = 10
    for key in value_keys:
        col = table.column_index(key)
        chart.add_data(Reference(table.ws, min_col=col, min_row=table.header_row, max_row=table.last_row), titles_from_data=True)
    cat_col = table.column_index(category_key)
    chart.set_categories(Reference(table.ws, min_col=cat_col, min_row=table.first_row, max_row=table.last_row))
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise


def _merge_within_first_page(ws: Worksheet) -> None:
    """On a sheet printed several pages across, a line merged across the whole table (a title, a note, a section
    heading) is merged across about the first page's columns instead: centred across pages, LibreOffice printed it
    beyond the paper."""
    pages = int(ws.page_setup.fitToWidth or 1)
    if pages <= 1:
        return
    merged = [m for m in ws.merged_cells.ranges if m.min_col == 1 and m.min_row == m.max_row]
    if not merged:
        return
    last = max(m.max_col for m in merged)
    widths = [ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, last + 1)]
    repeated = 0.0
    if ws.print_title_cols:  # '$A:$C'
        repeated = sum(widths[: column_index_from_string(ws.print_title_cols.split(":")[-1].strip("$"))])
    target = 0.85 * (sum(widths) + repeated * (pages - 1)) / pages
    n, width = 0, 0.0
    while n < len(widths) and width + widths[n] <= target:
        width += widths[n]
        n += 1
    for m in merged:
        if m.max_col > max(n, 1):
            row = m.min_row
            ws.unmerge_cells(str(m))
            if n > 1:
                merge_row(ws, row, 1, n)


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save atomically: write a temporary file in the same folder, then rename it over ``path``.

    Readers (a file share, a mail job) never see a half-written workbook, and a failed save keeps the old one.
    """
    for ws in wb.worksheets:
        _merge_within_first_page(ws)
    return write_atomically(Path(path), wb.save, application="Excel")


# --- values read back from the marts ------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    """None, NaN, NA or NaT (a list or an array is a value)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def frame_records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts with every missing value (NaN, NA, NaT) as None.

    The missing scalars are found for the whole frame at once (``DataFrame.isna``, the test ``is_missing`` makes of
    a scalar); only a value that is not a scalar (a list, an array) is still tested alone, as ``is_missing`` does."""
    records = df.to_dict("records")
    if not df.columns.is_unique:
        return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in records]
    missing = df.isna().to_numpy(dtype=bool).tolist()
    return [
        {k: (None if m or (not is_scalar(v) and is_missing(v)) else v) for (k, v), m in zip(row.items(), flags, strict=True)}
        for row, flags in zip(records, missing, strict=True)
    ]


# --- names, order and layout shared by the index workbooks ------------------------------------------------


def code_key(code: str) -> tuple:
    """'D2.10' after 'D2.9': numbers compared as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|\D+", code or ""))


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: none of []:*?/\\, no surrounding quote, at most 31 characters."""
    return cut_words(text.translate(_FORBIDDEN_IN_SHEET_NAMES).strip().strip("'"), 31)


def cut_words(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters at a word boundary (a single over-long word is cut)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else text[:limit]).rstrip(" ,.;:-—–(").strip()


def short_name(name: str) -> str:
    """A name shortened as officials shorten it: 'Ban Quản lý các khu công nghiệp tỉnh' -> 'Ban Quản lý các KCN tỉnh';
    else without its prefix, 'Sở Văn hóa, Thể thao và Du lịch tỉnh' -> 'Văn hóa, Thể thao và Du lịch tỉnh'; keeps the
    name when nothing would be left."""
    name = nfc(name or "").strip()
    abbreviated = name
    for phrase, abbreviation in _OFFICIAL_ABBREVIATIONS:
        abbreviated = re.sub(re.escape(phrase), abbreviation, abbreviated, flags=re.IGNORECASE)
    if len(abbreviated) > 31:  # the province the unit belongs to, said by the workbook's title: "… tỉnh Thái Nguyên"
        abbreviated = re.sub(r"\s+(tỉnh|thành phố)\s+\S.*$", "", abbreviated, flags=re.IGNORECASE) or abbreviated
    if abbreviated != name:
        return abbreviated
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix) :]
    return name


def unit_sheet_names(units: list[dict], reserved: tuple[str, ...] = ()) -> dict[str, str]:
    """unit_code -> sheet name: the unit's name (prefix dropped when too long), ≤ 31 characters, none that Excel
    forbids, unique ignoring case (a number is appended to a repeated name)."""
    used = {r.casefold() for r in reserved}
    names: dict[str, str] = {}
    for unit in units:
        full = nfc(unit.get("unit_name") or unit["unit_code"]).strip()
        base = sheet_title(full if len(full) <= 31 else short_name(full)) or unit["unit_code"][:31]
        name, n = base, 1
        while name.casefold() in used or name.casefold() == "history":
            n += 1
            suffix = f" ({n})"
            name = cut_words(base, 31 - len(suffix)) + suffix
        used.add(name.casefold())
        names[unit["unit_code"]] = name
    return names


SECTION_FONT = Font(name=FONT_NAME, size=14, bold=True)


def decimal_text(value: Any, digits: int = 2) -> str:
    """85.2 -> '85,20' (Vietnamese decimal comma); missing -> '—'."""
    return "—" if is_missing(value) else f"{float(value):.{digits}f}".replace(".", ",")


def section_title(group: str, count: int, number: int) -> str:
    """'I. SỞ, BAN, NGÀNH (15 đơn vị)': the heading of a group's table on a ranking sheet."""
    roman = ("I", "II", "III", "IV", "V")[number - 1] if number <= 5 else str(number)
    return f"{roman}. {group_label(group).upper()} ({count} đơn vị)"


def rows_by_unit(df: pd.DataFrame) -> dict[str, list[dict]]:
    """unit_code -> its rows of a mart, in the frame's order."""
    out: dict[str, list[dict]] = {}
    for row in frame_records(df):
        out.setdefault(row["unit_code"], []).append(row)
    return out


def is_default_tree(units: Iterable[dict], default_trees: Iterable[str]) -> bool:
    """Whether one of the units was scored with a default criteria tree (not yet a decision of the province):
    ``default_trees``, the tree files dim_criterion marks ``default_tree`` (what the file says, not its name)."""
    defaults = set(default_trees)
    return any(u.get("tree") in defaults for u in units)


def assessment_flags(criteria: pd.DataFrame) -> dict[str, str]:
    """unit_code -> a warning for a unit whose self-assessed criteria (method 'self', applicable) were all appraised
    at 0 points, or whose form scored none or left every one blank: a score that is more likely a broken file than a
    result (issue 14: an appraisal of all zeros gave 21.84 % and "Trung bình" with no flag). Reads the criteria or
    components mart of PAR or DTI (``self_points``, ``appraised_points``)."""
    needed = {"unit_code", "method", "applicable", "self_points", "appraised_points"}
    if criteria.empty or not needed <= set(criteria.columns):
        return {}
    rows = criteria[(criteria["method"] == "self") & criteria["applicable"].fillna(False).astype(bool)]
    flags: dict[str, str] = {}
    for code, unit in rows.groupby("unit_code"):
        appraised, self_points = unit["appraised_points"].dropna(), unit["self_points"].dropna()
        n = len(unit)
        if len(appraised) and (appraised == 0).all():
            flags[str(code)] = (
                f"Cảnh báo: kết quả thẩm định 0 điểm ở cả {len(appraised)} tiêu chí, cần kiểm tra lại tệp thẩm định"
            )
        elif self_points.empty and appraised.empty:
            flags[str(code)] = f"Cảnh báo: phiếu tự đánh giá bỏ trống cả {n} tiêu chí"
        elif len(self_points) and (self_points == 0).all() and appraised.empty:
            flags[str(code)] = f"Cảnh báo: phiếu tự đánh giá 0 điểm ở cả {len(self_points)} tiêu chí"
    return flags


def tree_names(units: Iterable[dict], decisions: Mapping[str, str] | None = None) -> str:
    """The criteria trees the units were scored with, for the sheets' subtitles, by the decision each follows
    (``decisions``: tree file -> dim_criterion.decision): never the methodology's file name, which officials do not
    know (issue 14)."""
    names: list[str] = []
    for tree in sorted({u["tree"] for u in units if u.get("tree")}):
        name = nfc((decisions or {}).get(tree) or "").strip().rstrip(".")
        if not name:
            name = "bộ mặc định của dự án" if "default" in tree else "bộ theo quyết định của tỉnh"
        if name not in names:
            names.append(name)
    # Two trees of one decision text but for their scope ("… Chỉ số CCHC các sở, ban, ngành" and "… UBND các xã,
    # phường"): the shared words once, then each scope (the subtitle repeated 170 characters).
    if len(names) < 2:
        return names[0] if names else "chưa xác định"
    same = next((i for i, chars in enumerate(zip(*names, strict=False)) if len(set(chars)) > 1), min(map(len, names)))
    shared = names[0][: names[0].rfind(" ", 0, same) + 1]
    if len(shared) >= 40:
        return shared + " / ".join(n[len(shared) :] for n in names)
    return "; ".join(names)


def row_after(table: Table) -> int:
    """The first row for the next table below ``table`` (one blank row, two after a total row)."""
    return max(table.last_row, table.first_row) + (2 if table.total_row is None else 3)


def rows_under_chart(chart: Any) -> int:
    """Rows a chart anchored at a table's header covers (plus a gap): where the next table may start."""
    return int(chart.height / _ROW_CM) + 2 if chart is not None else 0


def units_alphabetical(units: list[dict]) -> list[dict]:
    """Unit sheets in every workbook: agencies, then communes and wards, each in Vietnamese order of the name
    (dim_unit.sort_order), so an official finds the unit's sheet in the same place whatever its rank."""
    order = list(RANKING_GROUP_LABELS)
    big = float("inf")
    return sorted(
        units,
        key=lambda r: (
            order.index(r["ranking_group"]) if r.get("ranking_group") in order else len(order),
            big if r.get("sort_order") is None else r["sort_order"],
            sort_key(r.get("unit_name") or ""),
        ),
    )
