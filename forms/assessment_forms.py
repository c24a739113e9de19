"""The blank self-assessment form (phiếu tự đánh giá) of one unit, index (Chỉ số CCHC, DTI) and year, generated from
the criteria tree, so every unit fills the right form.

One sheet "Tự đánh giá": the unit's identity in labelled header cells (read back by ``sources/assessment_forms.py``), the
table Mã | Tiêu chí | Điểm tối đa | Điểm tự đánh giá | Tài liệu kiểm chứng (số, ngày, trích yếu) | Giải trình cách
chấm with one row per node of the tree (domains and inner criteria bold on grey, criteria scored by survey or from
data and those not applicable to the unit greyed), then "Khó khăn, vướng mắc" and "Đề xuất, kiến nghị". The sheet
and the workbook structure are protected: only the score, evidence and explanation cells of the applicable
self-assessed criteria, the signing date and the two closing sections can be edited, and each score cell only
accepts a number from 0 to the criterion's maximum. A tree whose criteria are scored from the unit's answers (DTI)
adds the column "Kết quả tự đánh giá": a drop-down list of the answers for a yes/no or choice criterion, a number in
the rule's range otherwise; the points of those rows are computed by the pipeline. Same inputs, same bytes.
"""

from __future__ import annotations

import io
import zipfile
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from common.files import write_atomically
from common.units import DEPARTMENT_NAME, province_name
from common.vntext import match_key
from sources.assessment_forms import (
    DIFFICULTIES,
    FORM_SHEET,
    HEADER_LABELS,
    INDEX_LABELS,
    INDEX_TITLES,
    PROPOSALS,
    _ordered_nodes,
    form_columns,
    scored_by_answer,
)
from workbooks.excel import FONT_NAME, FONT_SIZE

_FONT = Font(name=FONT_NAME, size=FONT_SIZE)
_BOLD = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
_ITALIC = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)
_GREY_TEXT = Font(name=FONT_NAME, size=FONT_SIZE, italic=True, color="7F7F7F")
_TITLE = Font(name=FONT_NAME, size=14, bold=True)
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", start_color="D9E1F2")
_GROUP_FILL = PatternFill("solid", start_color="D9D9D9")
_OFF_FILL = PatternFill("solid", start_color="EDEDED")
_INPUT_FILL = PatternFill("solid", start_color="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_OPEN = Protection(locked=False)
_WIDTHS = {"code": 9, "name": 60, "max": 10, "answer": 24, "score": 12, "evidence": 45, "explanation": 40}
_PASSWORD = "cchc"  # protection keeps the structure, it is not a secret
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIRST_ROW = 12  # the table's header row
METHOD_NOTES = {
    "survey_sipas": "Không tự chấm: điểm lấy từ khảo sát SIPAS.",
    "survey_leaders": "Không tự chấm: điểm lấy từ khảo sát lãnh đạo, quản lý.",
    "computed": "Không tự chấm: điểm tính từ dữ liệu (thu thập một lần, sử dụng nhiều lần).",
    "external": "Không tự chấm: giá trị lấy từ hệ thống của tỉnh.",
}


class _FixedZip(zipfile.ZipFile):
    """A zip whose entries all carry the same time (openpyxl stamps the current one)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=ZIP_TIME)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        else:
            zinfo_or_arcname.date_time = ZIP_TIME
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:  # worksheets come from temporary files with their own times
            self.writestr(arcname or Path(filename).name, fh.read(), compress_type, compresslevel)


class _Styles:
    """Set a combination of styles once, then copy it: openpyxl hashes every style object on each assignment."""

    def __init__(self) -> None:
        self.cache: dict[tuple, Any] = {}

    def apply(self, cell: Any, key: tuple, **styles: Any) -> None:
        known = self.cache.get(key)
        if known is not None:
            cell._style = copy(known)
            return
        for name, value in styles.items():
            setattr(cell, name, value)
        self.cache[key] = copy(cell._style)


def _points(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _label(name: str) -> str:
    return HEADER_LABELS[name][0]


def build_form(tree: Any, unit: Any, year: int) -> tuple[Workbook, dict[str, int]]:
    """The blank form as a workbook and the row of each criterion code (for callers that fill it in)."""
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    columns = form_columns(tree)
    title = INDEX_TITLES.get(tree.index, tree.index)
    wb.properties.title = f"Phiếu tự đánh giá {title.capitalize()} năm {year} - {unit.name}"
    _write_heading(ws, tree, unit, year, columns, title)
    rows, row = _write_criteria(ws, tree, unit, columns)
    _write_closing(ws, row + 2)
    ws.freeze_panes = f"A{FIRST_ROW + 1}"
    ws.print_title_rows = f"{FIRST_ROW}:{FIRST_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    ws.protection.password = _PASSWORD
    ws.protection.formatColumns = ws.protection.formatRows = False  # widths and heights may change
    wb.security = WorkbookProtection(lockStructure=True)
    wb.security.workbookPassword = _PASSWORD
    return wb, rows


def _write_heading(ws: Any, tree: Any, unit: Any, year: int, columns: tuple[Any, ...], title: str) -> None:
    """Column widths, the title, the unit's identity in labelled cells, the instructions and the table's header."""
    for col, column in enumerate(columns, start=1):
        ws.column_dimensions[chr(64 + col)].width = _WIDTHS[column.name]
    ws.cell(1, 1, province_name(unit.province).committee).font = _BOLD
    ws.cell(2, 1, f"PHIẾU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM {title} NĂM {year}").font = _TITLE
    for col in range(1, len(columns) + 1):  # centred without merging (merged cells confuse units' copy and paste)
        ws.cell(2, col).alignment = Alignment(horizontal="centerContinuous", vertical="center")
    decision = getattr(tree, "decision", None) or ""
    index_text = INDEX_LABELS.get(tree.index, tree.index) + (f" - {decision}" if decision else "")
    header = [("unit", unit.name), ("unit_code", unit.code), ("year", year), ("index", index_text), ("submitted_on", None)]
    for offset, (name, value) in enumerate(header):
        row = 4 + offset
        ws.cell(row, 1, _label(name)).font = _BOLD
        cell = ws.cell(row, 2, value)
        cell.font, cell.alignment = _FONT, Alignment(horizontal="left")
        if name == "submitted_on":
            cell.protection, cell.fill, cell.number_format = _OPEN, _INPUT_FILL, "dd/mm/yyyy"
    default = " (bộ tiêu chí mặc định, sẽ thay bằng quyết định của tỉnh)" if getattr(tree, "default", False) else ""
    notes = [
        (
            f"Hướng dẫn: chỉ nhập vào các ô nền vàng{default}. Điểm tự đánh giá là số từ 0 đến điểm tối đa, dùng dấu phẩy "
            "hoặc dấu chấm thập phân theo máy tính; không dùng công thức."
        ),
        "Mỗi tiêu chí có điểm phải ghi tài liệu kiểm chứng (số, ngày, trích yếu văn bản) hoặc giải trình cách chấm.",
    ]
    if any(column.name == "answer" for column in columns):
        notes[0] = (
            f"Hướng dẫn: chỉ nhập vào các ô nền vàng{default}. Cột 'Kết quả tự đánh giá': chọn câu trả lời trong "
            "danh sách hoặc nhập số (tỷ lệ % không kèm dấu %); điểm được tính theo bộ chỉ số, không tự ghi điểm."
        )
    for offset, text in enumerate(notes):
        ws.cell(9 + offset, 1, text).font = _ITALIC
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(FIRST_ROW, col, column.header)
        cell.font, cell.alignment, cell.border, cell.fill = _BOLD, _CENTRE, _BOX, _HEADER_FILL


def _write_criteria(ws: Any, tree: Any, unit: Any, columns: tuple[Any, ...]) -> tuple[dict[str, int], int]:
    """One row per node of the tree, styled by its role, with the input checks of the unit's own cells; (the row of
    each criterion code, the last row)."""
    col_of = {c.name: i for i, c in enumerate(columns, start=1)}
    applicable = tree.applicable(unit.group)
    validations: dict[Any, DataValidation] = {}
    rows: dict[str, int] = {}
    cache = _Styles()
    row = FIRST_ROW
    for node in _ordered_nodes(tree):
        row += 1
        rows[node.code] = row
        inner = node.method == "group"
        own = not inner and node.code in applicable and node.method in ("self", "computed")
        by_answer = own and scored_by_answer(node)
        values = _node_values(node, applicable, inner, own, by_answer)
        kind = "inner" if inner else ("answer" if by_answer else ("own" if own else "off"))
        for column in columns:
            cell = ws.cell(row, col_of[column.name], values.get(column.name))
            cache.apply(cell, (kind, column.name), **_cell_styles(column.name, inner, own, by_answer))
        if by_answer:
            key, validation = _answer_validation(node)
            validations.setdefault(key, validation).add(ws.cell(row, col_of["answer"]))
        elif own:
            _score_validation(validations, float(node.max_points)).add(ws.cell(row, col_of["score"]))
    for key in sorted(validations, key=str):
        ws.add_data_validation(validations[key])
    return rows, row


def _node_values(node: Any, applicable: Any, inner: bool, own: bool, by_answer: bool) -> dict[str, Any]:
    """The texts of a node's row: code, name, maximum, and why the unit does not score it when it does not."""
    values = {"code": node.code, "name": node.name, "max": _points(node.max_points)}
    if not inner and node.code not in applicable:
        values["explanation"] = "Không áp dụng đối với đơn vị."
    elif own and node.method == "computed":  # the explanation cell stays the unit's: the note goes by the name
        values["name"] = f"{node.name} (điểm chính thức tính từ dữ liệu của hệ thống; đơn vị tự chấm để đối chiếu)"
    elif not inner and not own:
        note = METHOD_NOTES.get(node.method, "Không tự chấm.")
        values["explanation"] = (
            f"Không tự chấm: giá trị lấy từ {node.source}." if node.method == "external" and node.source else note
        )
    if by_answer:
        values["score"] = "(tính theo kết quả)"
    return values


def _cell_styles(name: str, inner: bool, own: bool, by_answer: bool) -> dict[str, Any]:
    """The style of one cell of the table: grey for what the unit does not score, yellow and unlocked for its input."""
    editable = (
        own
        and name in ("answer", "score", "evidence", "explanation")
        and not ((name == "score" and by_answer) or (name == "answer" and not by_answer))
    )
    styles = {
        "border": _BOX,
        "alignment": _CENTRE if name in ("code", "max", "answer", "score") else _WRAP,
        "font": _BOLD if inner else (_FONT if own else _GREY_TEXT),
        "fill": _GROUP_FILL
        if inner
        else (_INPUT_FILL if editable else (_OFF_FILL if not own or name in ("answer", "score") else PatternFill())),
    }
    if name == "max":
        styles["number_format"] = "0.##"
    if editable:
        styles["protection"] = _OPEN
        if name == "score":
            styles["number_format"] = "0.00"
        elif name == "answer":
            styles["number_format"] = "General"  # a typed "90%" would otherwise become 0.9
    return styles


def _score_validation(validations: dict[Any, DataValidation], limit: float) -> DataValidation:
    """The check of a score cell (a number from 0 to ``limit``), one per maximum; a warning, not a stop: "Không áp
    dụng" is a valid answer for a criterion that does not apply to the unit (methodology §1.2)."""
    if limit not in validations:
        shown = f"{limit:g}".replace(".", ",")
        validations[limit] = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=f"{limit:g}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Điểm không hợp lệ",
            error=(
                f"Điểm tự đánh giá phải là số từ 0 đến {shown} (điểm tối đa của tiêu chí), hoặc 'Không áp dụng' nếu "
                "tiêu chí không áp dụng cho đơn vị (ghi rõ lý do ở cột giải trình)."
            ),
            showInputMessage=True,
            promptTitle="Điểm tự đánh giá",
            prompt=f"Nhập số từ 0 đến {shown}, hoặc 'Không áp dụng'.",
        )
    return validations[limit]


def _write_closing(ws: Any, row: int) -> None:
    """The two closing sections (an open cell each) and the signature block, from ``row``."""
    for title in (DIFFICULTIES, PROPOSALS):
        ws.cell(row, 1, title + ":").font = _BOLD
        row += 1
        cell = ws.cell(row, 2)  # the text goes in the wide column B
        cell.protection, cell.fill, cell.alignment, cell.border = _OPEN, _INPUT_FILL, _WRAP, _BOX
        ws.row_dimensions[row].height = 60
        row += 2
    ws.cell(row, 5, "THỦ TRƯỞNG ĐƠN VỊ").font = _BOLD
    ws.cell(row + 1, 5, "(Ký, ghi rõ họ tên, đóng dấu)").font = _ITALIC


def _answer_validation(node: Any) -> tuple[tuple, DataValidation]:
    """The drop-down list of a yes/no or choice criterion, or the allowed range of a number (one validation per kind
    of answer, shared by the rows that take it)."""
    rule = node.rule
    answers = rule.answers()
    if answers:
        shown = "; ".join(answers)
        # A list in the formula itself: Excel limits it to 255 characters, longer answer sets would need a sheet.
        return ("list", answers), DataValidation(
            type="list",
            formula1='"' + ",".join(a.replace(",", "") for a in answers) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="Câu trả lời không hợp lệ",
            error=f"Chọn một trong: {shown}.",
            showInputMessage=True,
            promptTitle="Kết quả tự đánh giá",
            prompt=f"Chọn: {shown}"[:255],
        )
    low, high = rule.value_range
    return ("number", low, high), DataValidation(
        type="decimal",
        operator="between",
        formula1=f"{low:g}",
        formula2=f"{high:g}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Giá trị không hợp lệ",
        error=f"Nhập số từ {low:g} đến {high:g}.",
        showInputMessage=True,
        promptTitle="Kết quả tự đánh giá",
        prompt=f"Nhập số từ {low:g} đến {high:g} (tỷ lệ % không kèm dấu %).",
    )


def save_fixed(
    wb: Workbook, path: Path, when: datetime = datetime(2026, 1, 1), author: str = "Sở Khoa học và Công nghệ tỉnh Thái Nguyên"
) -> Path:
    """Save with fixed document times and zip entry times: the same content gives the same bytes. ``author``: the
    document's creator and last modifier (the department that sends the form)."""
    wb.properties.creator = wb.properties.lastModifiedBy = author
    wb.properties.created = wb.properties.modified = when
    buffer = io.BytesIO()
    ExcelWriter(wb, _FixedZip(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    data = buffer.getvalue()
    # Written whole or not at all: a unit downloading its form while the run rewrites it never gets half a file.
    return write_atomically(Path(path), lambda tmp: tmp.write_bytes(data), application="Excel")


def form_author(units: Any, department: str | None = None) -> str | None:
    """'Sở Khoa học và Công nghệ tỉnh Thái Nguyên': the department (unit code ``department``, else the Sở KH&CN) of
    the units' province, which sends the forms; None without units."""
    units = list(units)
    if not units:
        return None
    name = next((u.name for u in units if department and u.code == department), DEPARTMENT_NAME)
    province = province_name(units[0].province)
    return name if match_key(province.short) in match_key(name) else f"{name} {province.full}"


def write_blank_forms(folder: Path, index: str, year: int, units: Any, prefix: str, department: str | None = None) -> int:
    """The blank form of every unit (``common.units.Unit``; offices are skipped) for an index and year, each from its
    group's tree, as ``<folder>/<prefix>_<year>_<unit code>.xlsx``, written by the department (unit code
    ``department``, else the province's Sở KH&CN). Returns how many were written."""
    from scoring.criteria import tree_for

    units = list(units)
    author = form_author(units, department)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for unit in units:
        if unit.ranking_group is None:
            continue
        path = folder / f"{prefix}_{year}_{unit.code}.xlsx"
        write_blank_form(path, tree_for(index, year, unit.ranking_group, province=unit.province), unit, year, author=author)
        written += 1
    return written


def write_blank_form(path: Path, tree: Any, unit: Any, year: int, author: str | None = None) -> Path:
    """Write the blank self-assessment form of ``unit`` (a ``common.units.Unit``) for ``year`` from ``tree`` (a
    ``scoring.criteria.CriteriaTree``) to ``path``; its author is ``author``, else the Sở KH&CN of the unit's province."""
    wb, _ = build_form(tree, unit, year)
    return save_fixed(wb, path, author=author or f"{DEPARTMENT_NAME} {province_name(unit.province).full}")
