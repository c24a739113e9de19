"""Read the PAR-index (Chỉ số CCHC) inputs: units' self-assessment forms, the council's appraisal workbook and the
survey results. No Dagster, no DuckDB; no exception escapes for a bad file.

Self-assessment form (``inbox/par/tu_danh_gia/*.xlsx``, any file name; written blank by ``forms/assessment_forms.py``):
sheet "Tự đánh giá", labelled header cells "Đơn vị:", "Mã đơn vị:", "Năm đánh giá:", "Bộ chỉ số:" (index and
decision), "Ngày lập phiếu:", then the table Mã | Tiêu chí | Điểm tối đa | Điểm tự đánh giá | Tài liệu kiểm chứng
(số, ngày, trích yếu) | Giải trình cách chấm, then "Khó khăn, vướng mắc" and "Đề xuất, kiến nghị".

The unit comes from the header (matched with ``UnitMatcher``), never from the file name; the index and the year from
the header; the criteria tree from ``trees[(index, year, ranking group)]``. Rows are matched by their code, so rows
deleted, added or reordered read correctly. The score cells are read with ``data_only=False``, so a formula is seen.

- Blocking (``FormIssue``, the file is not loaded): ``bad_workbook`` (not a readable .xlsx), ``missing_columns`` (no
  table), ``missing_metadata`` (no unit, year or index), ``unknown_unit`` (the header names no known unit),
  ``wrong_index`` (another index), ``wrong_year`` (another year than ``year``, or no criteria tree for that year),
  ``empty_form`` (no score at all), ``wrong_template`` (the other ranking group's form: many criteria rows name
  other criteria than the unit's tree under the same codes), ``other_province_source`` (another province's form: its heading "UBND TỈNH …"
  above the table, its unit code's prefix or its unit's "- Tỉnh …" names another province than the matcher's; a
  former province of this one is its own; an appraisal whose heading names another province is refused alike).
- Rejected rows (``rejects``, reported back to the unit; the criterion then counts as not self-assessed):
  ``score_above_max``, ``negative_score``, ``not_a_number``, ``formula_in_score``, ``unknown_criterion``,
  ``ambiguous_code`` (a code kept as a number, 1.1, that two codes read as: '1.1', '1.10'), ``missing_code``,
  ``duplicate_criterion`` (the first row of a code kept; a hidden row loses to a visible one), ``missing_evidence``
  (a non-zero score with neither complete evidence, i.e. the document's number, date and summary, nor an
  explanation).
- Notes (``FormIssue``, non-blocking, the row loads): ``decimal_comma`` ("7,5" read as 7.5), ``number_as_text``,
  ``merged_cells``, ``hidden_cells``, ``missing_criterion`` (an applicable self-assessed criterion absent from the
  form), ``blank_score`` (present but not scored), ``not_self_assessed`` (a score written on a domain, survey,
  computed or not-applicable row: ignored), ``unit_code_mismatch``, ``decision_mismatch``.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from common.pii import clean_free_text, mask_personal_data
from common.units import RANKING_GROUP, RANKING_GROUP_LABELS, Unit, UnitMatcher, province_name
from common.vntext import match_key, parse_decimal
from sources.csvfiles import FileIssue, ReadResult, row_reject, vocabulary_lookup
from sources.excel_intake import SAVE_AS_XLSX, CellFault, cell_fault, is_percent_format, percent_format_lost, read_workbook
from sources.table_files import (
    TableSource,
    open_table,
    other_province_unit,
    refuse_other_province_table,
    row_place,
    table_rows,
)
from sources.task_formats import (
    RowIssue,
    Table,
    cell_date,
    cell_text,
    clean_faults,
    fill_body_merges,
    find_table,
    is_column_number_row,
    merged_ranges,
    open_sheets,
    optional_text,
    table_sheets,
    workbook_issue,
)
from sources.tthc_format import Column

# Each index's inputs sit in inbox/<index>/<folder> (par/tu_danh_gia, dti/tham_dinh, ...).
FOLDERS = {"form": "tu_danh_gia", "appraisal": "tham_dinh", "survey": "khao_sat"}


def folder_of(index: str, kind: str) -> str:
    return f"{index}/{FOLDERS[kind]}"


FORM_DIR, APPRAISAL_DIR, SURVEY_DIR = (folder_of("par", kind) for kind in ("form", "appraisal", "survey"))
FORM_SHEET = "Tự đánh giá"

INDEX_LABELS = {"par": "Chỉ số cải cách hành chính (PAR INDEX)", "dti": "Chỉ số chuyển đổi số (DTI)"}
INDEX_TITLES = {"par": "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", "dti": "CHỈ SỐ CHUYỂN ĐỔI SỐ"}
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "unit": ("Đơn vị:", "Đơn vị tự đánh giá:", "Tên đơn vị:"),
    "unit_code": ("Mã đơn vị:",),
    "year": ("Năm đánh giá:", "Năm:"),
    "index": ("Bộ chỉ số:",),
    "submitted_on": ("Ngày lập phiếu:", "Ngày ký:"),
}
DIFFICULTIES, PROPOSALS = "Khó khăn, vướng mắc", "Đề xuất, kiến nghị"

FORM_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã", "text", aliases=("Mã tiêu chí", "STT")),
    Column("name", "Tiêu chí", "text", required=False, aliases=("Tên tiêu chí", "Lĩnh vực, tiêu chí")),
    Column("max", "Điểm tối đa", "number", required=False),
    Column("score", "Điểm tự đánh giá", "number", aliases=("Điểm tự chấm",)),
    Column("evidence", "Tài liệu kiểm chứng (số, ngày, trích yếu)", "text", aliases=("Tài liệu kiểm chứng",)),
    Column("explanation", "Giải trình cách chấm", "text", aliases=("Giải trình",)),
    # Trees whose criteria are scored from the unit's answer (DTI): the answer, turned into points by the rule.
    Column("answer", "Kết quả tự đánh giá", "text", required=False, aliases=("Kết quả", "Câu trả lời", "Giá trị")),
)
APPRAISAL_COLUMNS: tuple[Column, ...] = (
    Column("unit", "Đơn vị", "text", aliases=("Tên đơn vị", "Mã đơn vị")),
    Column("code", "Mã tiêu chí", "text", aliases=("Mã",)),
    Column("points", "Điểm thẩm định", "number"),
    Column("comment", "Nhận xét", "text", required=False, aliases=("Ý kiến thẩm định",)),
)
SURVEYS = {
    "SIPAS": "sipas",
    "Lãnh đạo, quản lý": "leaders",
    "Lãnh đạo quản lý": "leaders",
    "Khảo sát lãnh đạo, quản lý": "leaders",
}
SURVEY_METHOD = {"sipas": "survey_sipas", "leaders": "survey_leaders"}
SURVEY_COLUMNS: tuple[Column, ...] = (  # at least one of the two unit columns (checked by the reader)
    Column("unit_code", "Mã đơn vị", "text", required=False),
    Column("unit", "Đơn vị", "text", required=False, aliases=("Tên đơn vị",)),
    Column("survey", "Loại khảo sát", "text"),
    Column("code", "Mã tiêu chí", "text", aliases=("Mã",)),
    Column("points", "Điểm", "text", aliases=("Điểm khảo sát",)),
)

_SURVEY = vocabulary_lookup(SURVEYS)
_DOC_NUMBER = re.compile(r"\d+\s*/\s*(?:\d{4}\s*/\s*)?[A-ZĐ][\wĐđ.-]*")
# An issue date as documents write it: 15/3/2026, 15-03-2026, 15.03.2026, 2026-03-15, "ngày 15 tháng 3 năm 2026".
_DATE = re.compile(
    r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|\d{1,2}[-.]\d{1,2}[-.]\d{4}|\d{4}-\d{1,2}-\d{1,2}"
    r"|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}",
    re.IGNORECASE,
)
_EPS = 1e-9

TreeSource = Mapping[tuple[str, int, str], Any] | Callable[[str, int, str], Any]


@dataclass
class FormIssue(RowIssue):
    """A problem of a file or one of its cells: where (sheet, cell) as well as why."""

    sheet: str | None = None
    cell: str | None = None


@dataclass
class FormResult(ReadResult):
    file_name: str | None = None
    sheet: str | None = None
    unit_text: str | None = None  # as written in "Đơn vị:"
    unit_code: str | None = None
    unit_group: str | None = None  # agency | commune | ward
    ranking_group: str | None = None  # agency | local
    index: str | None = None  # "par"
    year: int | None = None
    decision: str | None = None  # as written after the index in "Bộ chỉ số:"
    submitted_on: date | None = None  # "Ngày lập phiếu:"; the later submission supersedes
    submitted_cell: str | None = None  # the cell of "Ngày lập phiếu:" (its value)
    tree: Any = None
    difficulties: str | None = None
    proposals: str | None = None


@dataclass
class AppraisalResult(ReadResult):
    file_name: str | None = None
    sheet: str | None = None  # the first sheet read
    sheets: list[str] = field(default_factory=list)  # every visible sheet holding the table, all read


@dataclass
class SurveyResult(ReadResult):
    file_name: str | None = None


# --- values --------------------------------------------------------------------------------------------------


# "Không áp dụng" (KAD, N/A) in a score cell: the criterion does not apply to the unit (a sở without public service
# units): it leaves the unit's denominator (methodology §1.2), the unit's word until the council appraises it.
_NOT_APPLICABLE = frozenset({"khongapdung", "kad", "na"})


def says_not_applicable(value: Any) -> bool:
    """Whether a score cell says the criterion does not apply ("Không áp dụng", "KAD", "N/A", in any spelling)."""
    return isinstance(value, str) and not isinstance(value, CellFault) and match_key(value) in _NOT_APPLICABLE


def read_points(value: Any) -> tuple[float | None, str | None, str | None]:
    """(points, note rule, problem reason) of a score cell: numbers as they are, "7,5" as 7.5 (note
    ``decimal_comma``), "7.5" as 7.5 (note ``number_as_text``), a formula saved without its value or an Excel error
    value (the problem is then the ``CellFault`` itself), text written as a formula ("formula") or any other text a
    problem."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, None
    if isinstance(value, CellFault):  # the problem is the fault itself (its rule and reason)
        return None, None, value
    if isinstance(value, bool):
        return None, None, f"không phải số: '{cell_text(value)}'"
    if isinstance(value, int | float):
        return float(value), None, None
    text = cell_text(value).strip()
    if text.startswith("="):
        return None, None, "formula"
    number = parse_decimal(text, percent_sign=False)
    if number is None:
        return None, None, f"không phải số: '{text}'"
    return number, ("decimal_comma" if "," in text else "number_as_text"), None


def evidence_parts(text: str | None) -> list[str]:
    """What a piece of evidence lacks among 'số văn bản', 'ngày', 'trích yếu' (empty: complete)."""
    text = text or ""
    missing = []
    if not _DOC_NUMBER.search(text):
        missing.append("số văn bản")
    if not _DATE.search(text):
        missing.append("ngày ban hành")
    rest = _DATE.sub(" ", _DOC_NUMBER.sub(" ", text))
    rest = re.sub(
        r"\b(?:số|ngày|về|việc|văn bản|quyết định|kế hoạch|báo cáo|công văn|thông báo)\b", " ", rest, flags=re.IGNORECASE
    )
    if len(re.sub(r"[\W\d_]", "", rest)) < 8:
        missing.append("trích yếu")
    return missing


def _fmt(points: float) -> str:
    return f"{points:g}".replace(".", ",")


def _tree(trees: TreeSource, index: str, year: int, group: str) -> Any:
    try:
        return trees(index, year, group) if callable(trees) else trees.get((index, year, group))
    except Exception:  # no file for that index, year and group
        return None


def _index_of(text: str) -> str | None:
    key = match_key(text)
    for code, label in INDEX_LABELS.items():
        if match_key(label.split("(")[0]) in key or re.search(rf"\b{code}\b", text, re.IGNORECASE):
            return code
    if "chisocchc" in key:
        return "par"
    return None


def scored_by_answer(node: Any) -> bool:
    """A self-assessed criterion the unit answers (yes/no, a choice, a number) and the rule turns into points."""
    return node.method == "self" and getattr(node, "rule", None) is not None


def form_columns(tree: Any) -> tuple[Column, ...]:
    """The form's table for a tree: the answer column (before the points) only when some criterion takes an answer."""
    base = [c for c in FORM_COLUMNS if c.name != "answer"]
    if any(scored_by_answer(n) for n in tree.leaves):
        base.insert(3, next(c for c in FORM_COLUMNS if c.name == "answer"))
    return tuple(base)


def _ordered_nodes(tree: Any) -> list[Any]:
    """The tree's nodes depth first, domains in file order."""
    nodes = list(tree.nodes)
    children: dict[Any, list[Any]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    out: list[Any] = []

    def walk(parent: Any) -> None:
        for node in children.get(parent, []):
            out.append(node)
            walk(node.code)

    walk(None)
    return out


def self_assessed(tree: Any, unit_group: str) -> list[Any]:
    """The leaves a unit of ``unit_group`` scores itself, in tree order: the self-assessed ones, and the computed ones,
    whose self-assessed points are kept beside the warehouse's value to flag a claim the data does not support."""
    applicable = tree.applicable(unit_group)
    return [n for n in _ordered_nodes(tree) if n.code in applicable and n.method in ("self", "computed")]


# --- self-assessment form ------------------------------------------------------------------------------------


def _labels(ws: Any, last_row: int) -> dict[str, tuple[Any, str]]:
    """Header values and their cells: the next non-empty cell to the right of a label (or after its colon)."""
    keys = {match_key(label): name for name, options in HEADER_LABELS.items() for label in options}
    found: dict[str, tuple[Any, str]] = {}
    for row in ws.iter_rows(min_row=1, max_row=max(1, last_row)):
        for i, cell in enumerate(row):
            text = cell_text(cell.value)
            if not text:
                continue
            name = keys.get(match_key(text))
            if name is not None and name not in found:
                nxt = next((c for c in row[i + 1 :] if cell_text(c.value)), None)
                found[name] = (
                    nxt.value if nxt is not None else None,
                    nxt.coordinate if nxt is not None else row[min(i + 1, len(row) - 1)].coordinate,
                )
                continue
            label, colon, rest = text.partition(":")
            name = keys.get(match_key(label + ":")) if colon else None
            if name is not None and name not in found and rest.strip():
                found[name] = (rest.strip(), cell.coordinate)
    return found


def read_self_assessment(
    path: Path,
    trees: TreeSource,
    matcher: UnitMatcher,
    *,
    year: int | None = None,
    index: str = "par",
    watch: Callable[[Path], bool] | None = None,
) -> FormResult:
    """Rows: code, self_points, evidence, explanation, sheet, cell (of the score), source_row. Rejects: file_name,
    sheet, cell, row_number, record_key (criterion code), unit_code, unit_name, rule, reason, value.

    ``trees``: (index, year, ranking group) -> CriteriaTree, a mapping or a callable (None or an exception: no tree).
    ``year``: the year being assessed; a form for another year is rejected (``wrong_year``).
    ``index``: the index the folder collects (``par``, ``dti``); a form of another index is rejected (``wrong_index``).
    ``watch``: tells whether the file is still being copied (then left for the next run, ``deferred``)."""
    path = Path(path)
    found = read_workbook(path, watch=watch or (lambda _: False))
    result = FormResult(
        sha256=found.sha256, size_bytes=found.size_bytes, encoding=found.kind, file_name=path.name, deferred=found.deferred
    )
    result.file_issues += [FormIssue(i.rule, i.reason, i.blocking) for i in found.issues]
    wb = found.workbook
    if wb is None:
        return result
    try:
        _read_form(result, wb, trees, matcher, year, index)
    except Exception as err:  # a sheet that fails while being read is a broken file
        issue = workbook_issue(err)
        result.file_issues.append(FormIssue(issue.rule, issue.reason, sheet=result.sheet))
        result.rows, result.loadable = [], False
    return result


def refuse_year(result: FormResult, year: int) -> FormResult:
    """A form read without an expected year that turns out to be of another year than ``year``: nothing of it is
    used (as if read with ``year``), without reading the file again."""
    result.rows, result.rejects, result.file_issues, result.loadable = [], [], [], False
    _block(result, "wrong_year", f"phiếu tự đánh giá năm {result.year}, không phải năm {year}")
    return result


def _block(result: FormResult, rule: str, reason: str, cell: str | None = None) -> None:
    where = f"Trang '{result.sheet}', ô {cell}: " if cell else (f"Trang '{result.sheet}': " if result.sheet else "")
    result.file_issues.append(FormIssue(rule, f"{where}{reason}; không nạp được tệp.", sheet=result.sheet, cell=cell))


def _note(
    result: FormResult | AppraisalResult,
    rule: str,
    reason: str,
    cell: str | None = None,
    row: int | None = None,
    code: str | None = None,
) -> None:
    where = f"Trang '{result.sheet}', ô {cell}: " if cell else f"Trang '{result.sheet}': "
    result.file_issues.append(
        FormIssue(rule, where + reason, blocking=False, row_number=row, record_key=code, sheet=result.sheet, cell=cell)
    )


def _without_personal_data(
    result: FormResult | AppraisalResult, text: str | None, where: str, row: int | None = None
) -> str | None:
    """A free text of the form with a citizen's phone, ID number, e-mail, address or name masked
    and cut to FREE_TEXT_LIMIT characters (common/pii.py ``clean_free_text``), each said in a note that names the
    place, never the value: a form's texts reach the warehouse and the reports to Sở Nội vụ."""
    if text is None:
        return None
    clean = clean_free_text(text)
    if clean.masked:
        _note(
            result,
            "personal_data_masked",
            f"{where}: đã ẩn {clean.masked} số điện thoại, số giấy tờ, email, họ tên hoặc địa chỉ nhà của người dân; đề "
            "nghị không ghi thông tin cá nhân của công dân vào phiếu.",
            row=row,
        )
    if clean.cut_from:
        _note(result, "long_text_cut", f"{where}: {clean.cut_note}", row=row)
    return clean.text


def _read_form(
    result: FormResult, wb: Any, trees: TreeSource, matcher: UnitMatcher, year: int | None, index: str = "par"
) -> None:
    sheets, missing = _form_tables(wb)
    if not sheets:
        result.sheet = wb.worksheets[0].title if wb.worksheets else None
        names = ", ".join(f"'{h}'" for h in (missing or [c.header for c in FORM_COLUMNS if c.required]))
        _block(result, "missing_columns", f"không tìm thấy bảng tự đánh giá (thiếu cột {names})")
        return
    # A hidden sheet is an old copy kept out of sight (its scores are not what the unit sees): the visible one counts.
    visible = [(ws, table) for ws, table in sheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws, _ in sheets if ws.sheet_state != "visible"]
    if len(visible) > 1:
        result.sheet = visible[0][0].title
        names = ", ".join(f"'{ws.title}'" for ws, _ in visible)
        _block(
            result,
            "multiple_table_sheets",
            f"tệp có {len(visible)} trang tính chứa bảng tự đánh giá ({names}); đề nghị chỉ giữ một trang",
        )
        return
    ws, table = visible[0] if visible else sheets[0]
    result.sheet = ws.title
    if visible and hidden:
        names = ", ".join(f"'{t}'" for t in hidden)
        _note(result, "hidden_cells", f"trang tính ẩn {names} cũng chứa bảng tự đánh giá: không đọc, chỉ đọc trang đang hiện.")
    elif not visible:
        _note(result, "hidden_cells", "bảng tự đánh giá nằm trên trang tính bị ẩn; vẫn được đọc. Đề nghị không ẩn trang.")
    found = _labels(ws, table.header_top - 1)  # above the header's first row (of two, on an official form)
    heading = [c for row in ws.iter_rows(min_row=1, max_row=max(1, table.header_top - 1), values_only=True) for c in row]
    if not _read_header(result, found, trees, matcher, year, index, heading) or result.unit_group is None:
        return
    _read_body(result, ws, table, result.unit_group)


def _form_tables(wb: Any) -> tuple[list[tuple[Any, Table]], list[str]]:
    """Every (sheet, table) of the form's table, the sheet named "Tự đánh giá" first, then the others in order, and
    the required labels missing from the first sheet that came closest (when no sheet has it)."""
    missing: list[str] = []
    found: list[tuple[Any, Table]] = []
    for sheet in sorted(wb.worksheets, key=lambda s: match_key(s.title) != match_key(FORM_SHEET)):
        grid = [[c for c in r] for r in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 60), values_only=True)]
        table, missing_here = find_table(grid, FORM_COLUMNS, merges=merged_ranges(sheet))
        if table is not None:
            found.append((sheet, table))
        missing = missing or missing_here
    return found, missing


def _read_header(
    result: FormResult,
    found: dict[str, tuple[Any, str]],
    trees: TreeSource,
    matcher: UnitMatcher,
    year: int | None,
    index: str = "par",
    heading: list[Any] | None = None,
) -> bool:
    """Fill the result's unit, index, year, tree and date from the header; False (the form blocked) when what the
    form is cannot be known, is another province's or is not what the folder collects."""
    if not _header_faults(result, found):
        return False
    if _other_province_form(result, found, matcher, heading or []):
        return False
    group = _header_unit(result, found, matcher)
    if group is None:
        return False
    index_ok = _header_index(result, found, index)
    form_year = _header_year(result, found, year)
    if form_year is None or not index_ok:
        return False
    return _header_tree(result, found, trees, index, form_year, group)


def _header_faults(result: FormResult, found: dict[str, tuple[Any, str]]) -> bool:
    """A formula or error in a header cell: blocking in the unit, year or index (False), else the cell is ignored."""
    for name, (value, cell) in list(found.items()):
        fault = cell_fault(value)
        if fault is None:
            continue
        label = HEADER_LABELS[name][0]
        if name in ("unit", "year", "index"):  # what the form is cannot be known
            _block(result, fault.rule, f"'{label}' {fault.reason}", cell)
            return False
        _note(result, fault.rule, f"'{label}' {fault.reason}; bỏ qua ô này.", cell)
        found[name] = (None, cell)
    return True


def _other_province_form(result: FormResult, found: dict[str, tuple[Any, str]], matcher: UnitMatcher, heading: list[Any]) -> bool:
    """True (the form blocked, ``other_province_source``) when the form is another province's: its heading ("UBND TỈNH
    THÁI NGUYÊN" while serving Bắc Ninh; a former province of this one, "UBND TỈNH BẮC GIANG" for Bắc Ninh, is its
    own), its unit's name ("… - Tỉnh Phú Thọ") or its unit code ('19.SCT' is Thái Nguyên's) says so. Matched by name,
    it would become this province's namesake unit (Sở Công Thương) and supersede that unit's own form."""
    unit_value, unit_cell = found.get("unit", (None, None))
    code_value, code_cell = found.get("unit_code", (None, None))
    unit_text, code_text = optional_text(unit_value), optional_text(code_value)
    named = matcher.other_province_heading(heading)
    if named is not None:
        other, why, cell = named[0], f"tiêu đề '{named[1]}'", None
    elif unit_text and (other_name := matcher.other_province(None, unit_text)):
        other, why, cell = other_name, f"đơn vị '{unit_text}'", unit_cell
    elif code_text and (other_code := matcher.other_province_of_code(code_text)):
        other, why, cell = other_code, f"mã đơn vị '{code_text}'", code_cell
    else:
        return False
    _block(
        result,
        "other_province_source",
        f"tệp '{result.file_name}' là phiếu của {province_name(other).full} ({why}), không phải của "
        f"{province_name(matcher.province).full}; "
        "đề nghị đơn vị gửi phiếu về Sở của tỉnh mình",
        cell,
    )
    return True


def _header_unit(result: FormResult, found: dict[str, tuple[Any, str]], matcher: UnitMatcher) -> str | None:
    """The unit named in "Đơn vị:" (its code and groups into ``result``); its ranking group, None when blocked."""
    unit_value, unit_cell = found.get("unit", (None, None))
    result.unit_text = optional_text(unit_value)
    if result.unit_text is None:
        _block(
            result,
            "missing_metadata",
            "thiếu tên đơn vị ở ô 'Đơn vị:' đầu phiếu (đơn vị lấy từ đầu phiếu, không lấy từ tên tệp)",
            unit_cell,
        )
        return None
    result.unit_code = matcher.match(result.unit_text)
    unit = matcher.units.get(result.unit_code) if result.unit_code else None
    if unit is None and (unit := _unit_by_printed_code(found, matcher, result.unit_text)) is not None:
        result.unit_code = unit.code
        _note(
            result,
            "unit_name_variant",
            f"tên đơn vị ghi '{result.unit_text}' có thêm chữ ngoài tên trong danh mục; đã nhận theo mã đơn vị in trên "
            f"phiếu {unit.code} ({unit.name}), vì tên đó nằm trong tên đã ghi.",
            unit_cell,
        )
    elif unit is None and not optional_text(found.get("unit_code", (None, None))[0]):
        # no code printed: the name without its added words ("Sở Tài chính (mới)") when it is one unit's
        stripped = _names_without_added_words(result.unit_text, matcher, bodies=False)
        unit = next((matcher.units.get(c) for c in stripped if c), None)
        if unit is not None:
            result.unit_code = unit.code
            _note(
                result,
                "unit_name_variant",
                f"tên đơn vị ghi '{result.unit_text}' có thêm chữ ngoài tên trong danh mục; đã nhận là {unit.name} "
                f"({unit.code}), tên nằm trong tên đã ghi. Đề nghị ghi đúng tên và mã đơn vị như mẫu phiếu.",
                unit_cell,
            )
    if unit is None or unit.group not in RANKING_GROUP:
        hint = matcher.suggest(result.unit_text) if hasattr(matcher, "suggest") else None
        hint_text = f" (có phải '{hint}'?)" if hint else ""
        result.unit_code = None
        _block(
            result,
            "unknown_unit",
            f"đơn vị '{result.unit_text}' không có trong danh mục cơ quan, xã, phường{hint_text}",
            unit_cell,
        )
        return None
    result.unit_group, result.ranking_group = unit.group, RANKING_GROUP[unit.group]
    code_value, code_cell = found.get("unit_code", (None, None))
    if optional_text(code_value) and cell_text(code_value) != result.unit_code:
        _note(
            result,
            "unit_code_mismatch",
            f"mã đơn vị '{cell_text(code_value)}' không khớp với đơn vị "
            f"'{result.unit_text}' ({result.unit_code}); đã lấy theo tên đơn vị.",
            code_cell,
        )
    return result.ranking_group


# The words a unit adds to its name on a form, each taken off in turn: a part in brackets ("(mới)", "(sau sắp
# xếp)"), then what follows a dash ("- huyện Đại Từ"), then a comma (", tỉnh Thái Nguyên"; "Sở Văn hóa, Thể thao và
# Du lịch" keeps its own).
_ADDED_WORDS = (re.compile(r"\([^)]*\)"), re.compile(r"\s[-–]\s.*$"), re.compile(r",[^,]*$"))


def _unit_by_printed_code(found: dict[str, tuple[Any, str]], matcher: UnitMatcher, written: str) -> Unit | None:
    """The unit of the form's printed "Mã đơn vị:" when the name written beside it, its added words taken off ("Xã
    An Khánh (mới)", "Xã An Khánh - huyện Đại Từ"), is that unit's name as the matcher reads names (spelling and
    diacritics variants included); else None: a name of another unit ("Xã Văn Lăng (mới)" beside Xã Văn Lang's
    code) is never overruled."""
    code_value, _ = found.get("unit_code", (None, None))
    unit = matcher.units.get(cell_text(code_value)) if optional_text(code_value) else None
    if unit is None or unit.group not in RANKING_GROUP:
        return None
    return unit if unit.code in _names_without_added_words(written, matcher) else None


# Words that name a body of their own: taken off a unit's name they leave another unit ("Sở Y tế (Trung tâm Kiểm soát
# bệnh tật)" is the centre's form, "Thanh tra tỉnh - Sở Nội vụ" names two units), never the added words of a name.
_A_BODY = re.compile(
    r"(?i)\b(?:sở|ubnd|ủy ban|uỷ ban|trung tâm|chi cục|cục|trường|phòng|ban|bệnh viện|viện|thanh tra|văn phòng|"
    r"công ty|đội|trạm|hội|đoàn|quỹ|bảo hiểm)\b"
)


def _names_without_added_words(written: str, matcher: UnitMatcher, *, bodies: bool = True) -> list[str | None]:
    """The units the name matches as its added words (_ADDED_WORDS) are taken off in turn, in that order; without
    ``bodies`` (no code printed to decide) the words taken off must not name a body of their own (_A_BODY)."""
    found, bare = [], written
    for added in _ADDED_WORDS:
        removed = " ".join(added.findall(bare))
        if not bodies and _A_BODY.search(removed):
            break
        bare = " ".join(added.sub(" ", bare).split())
        found.append(matcher.match(bare) if bare else None)
    return found


def _header_index(result: FormResult, found: dict[str, tuple[Any, str]], index: str) -> bool:
    """The index named in "Bộ chỉ số:" and the decision written after it; False (blocked) when missing or another."""
    index_value, index_cell = found.get("index", (None, None))
    index_text = optional_text(index_value)
    if index_text is None:
        _block(result, "missing_metadata", "thiếu 'Bộ chỉ số:' ở đầu phiếu", index_cell)
        return False
    result.index = _index_of(index_text)
    if result.index != index:
        _block(
            result, "wrong_index", f"phiếu thuộc bộ chỉ số khác ('{index_text}'), không phải {INDEX_LABELS[index]}", index_cell
        )
        return False
    rest = re.split(r"\)\s*[-–—:]?\s*", index_text, maxsplit=1)
    result.decision = rest[1].strip() or None if len(rest) == 2 else None
    return True


def _header_year(result: FormResult, found: dict[str, tuple[Any, str]], year: int | None) -> int | None:
    """The year in "Năm đánh giá:"; None (blocked) when missing, unreadable or not ``year``."""
    year_value, year_cell = found.get("year", (None, None))
    year_text = cell_text(year_value)
    digits = re.fullmatch(r"(?:năm\s*)?(\d{4})", year_text.strip(), re.IGNORECASE) if year_text else None
    if digits is None:
        _block(
            result,
            "missing_metadata" if not year_text else "bad_metadata",
            "thiếu 'Năm đánh giá:'" if not year_text else f"'Năm đánh giá:' không đọc được: '{year_text}'",
            year_cell,
        )
        return None
    result.year = int(digits.group(1))
    if year is not None and result.year != year:
        _block(result, "wrong_year", f"phiếu tự đánh giá năm {result.year}, không phải năm {year}", year_cell)
        return None
    return result.year


def _header_tree(
    result: FormResult, found: dict[str, tuple[Any, str]], trees: TreeSource, index: str, year: int, group: str
) -> bool:
    """The criteria tree of the form's index, year and ranking group (False, blocked, when there is none), then the
    notes on the decision and the date."""
    _, year_cell = found.get("year", (None, None))
    _, index_cell = found.get("index", (None, None))
    result.tree = _tree(trees, index, year, group)
    if result.tree is None:
        _block(result, "wrong_year", f"không có bộ tiêu chí {INDEX_LABELS[index]} năm {year} cho nhóm '{group}'", year_cell)
        return False
    decision = getattr(result.tree, "decision", None)
    if result.decision and decision and match_key(decision) not in match_key(result.decision):
        _note(
            result,
            "decision_mismatch",
            f"phiếu ghi '{result.decision}', bộ tiêu chí đang áp dụng theo '{decision}'; điểm được đọc theo mã tiêu chí.",
            index_cell,
        )
    date_value, date_cell = found.get("submitted_on", (None, None))
    result.submitted_on, date_ok = cell_date(date_value)
    result.submitted_cell = date_cell
    if not date_ok:
        _note(result, "bad_date", f"'Ngày lập phiếu:' không đúng định dạng dd/mm/yyyy: '{cell_text(date_value)}'.", date_cell)
    return True


def _section_label(cells: list[str], keys: Mapping[str, str]) -> tuple[str, str | None] | None:
    """(section, its text on the row) when the row's first filled cell, whichever its column (a column inserted
    before "Mã" moves it), is "Khó khăn, vướng mắc" or "Đề xuất, kiến nghị": the text typed after the label's colon
    in that cell, else the row's next filled cell."""
    filled = [v for v in cells if v]
    label, _, rest = filled[0].partition(":") if filled else ("", "", "")
    name = keys.get(match_key(label)) if label else None
    if name is None:
        return None
    return name, rest.strip() or next(iter(filled[1:]), None)


def _section_rows(ws: Any, start: int) -> tuple[int, dict[str, str | None]]:
    """(last row of the table, texts of the difficulties and proposals sections): a label's text is on its row, or
    else the first filled cell of the row below when that row is no other label."""
    end = ws.max_row
    texts: dict[str, str | None] = {}
    keys = {match_key(DIFFICULTIES): "difficulties", match_key(PROPOSALS): "proposals"}
    # The values of the rows once (a cell at a time cost 0.6 s a year of forms); a row's texts only where its first
    # filled value is text, as a label is.
    rows = [list(values) for values in ws.iter_rows(min_row=start, values_only=True)]

    def cells(i: int) -> list[str]:
        return [cell_text(v) for v in rows[i]] if i < len(rows) else []

    for i, values in enumerate(rows):
        first = next((v for v in values if v is not None and str(v).strip()), None)
        if not isinstance(first, str):
            continue
        found = _section_label(cells(i), keys)
        if found is None:
            continue
        end = min(end, start + i - 1)
        name, text = found
        below = cells(i + 1)
        if text is None and _section_label(below, keys) is None:
            text = next((v for v in below if v), None)
        texts[name] = text
    return end, texts


@dataclass
class _Body:
    """A form's table as its rows are read: the sheet, the columns (0-based, and their letters) and the tree's
    criteria; ``seen``: the row of each code already read."""

    result: FormResult
    ws: Any
    cols: dict[str, int]
    letter: dict[str, str]
    nodes: dict[str, Any]
    applicable: Any
    wanted: set[str]
    seen: dict[str, int] = field(default_factory=dict)
    shown: dict[str, int] = field(default_factory=dict)  # the first visible row of each known code
    codes: dict[int, tuple[str | None, list[str]]] = field(default_factory=dict)  # tree_code of each row, read once
    merged_texts: dict[tuple[int, int], tuple[int, int]] | None = None  # (row, col) → its range's first cell
    mismatched: set[int] = field(default_factory=set)  # rows refused as another criterion's (code_name_mismatch)
    unprefixed: list[int] = field(default_factory=list)  # rows whose code lacked the tree's letters ('1.1' for LV1.1)

    def code_of(self, row: int) -> tuple[str | None, list[str]]:
        """``tree_code`` of the row's code cell (the same reading for the template check and the row itself). A code
        typed without the letters every code of the tree begins with ('1.1' for 'LV1.1', a form renumbered) is the
        tree's code when the row's name is that criterion's (noted once: ``unprefixed``)."""
        if row not in self.codes:
            code, candidates = tree_code(self.value("code", row), self.nodes)
            prefix = _tree_prefix(self.nodes)
            if code is not None and code not in self.nodes and not candidates and prefix:
                node = self.nodes.get(prefix + code)
                name = optional_text(self.value("name", row))
                if node is not None and name and _same_name(name, node.name):
                    code = node.code
                    self.unprefixed.append(row)
            self.codes[row] = (code, candidates)
        return self.codes[row]

    def value(self, name: str, row: int) -> Any:
        """A cell's value; in the evidence and explanation columns a text merged over several criteria's rows (one
        decision as evidence for two) holds for each of them, as a merged unit name does in an appraisal."""
        if name not in self.cols:
            return None
        col = self.cols[name] + 1
        if name in ("evidence", "explanation"):
            if self.merged_texts is None:
                self.merged_texts = {  # merged down one column only: across, evidence is no explanation
                    (r, rng.min_col): (rng.min_row, rng.min_col)
                    for rng in self.ws.merged_cells.ranges
                    if rng.min_col == rng.max_col
                    for r in range(rng.min_row, rng.max_row + 1)
                }
            row, col = self.merged_texts.get((row, col), (row, col))
        return self.ws.cell(row, col).value

    def reject(self, row: int, key: str | None, rule: str, reason: str, shown: Any, where: str) -> None:
        result = self.result
        result.rejects.append(
            {
                "file_name": result.file_name,
                "sheet": result.sheet,
                "cell": where,
                "row_number": row,
                "record_key": key,
                "unit_code": result.unit_code,
                "unit_name": result.unit_text,
                "rule": rule,
                "reason": f"Trang '{result.sheet}', ô {where}: {reason}",
                "value": shown,
            }
        )


def _read_body(result: FormResult, ws: Any, table: Table, unit_group: str) -> None:
    from openpyxl.utils import get_column_letter

    tree = result.tree
    cols = table.columns
    letter = {name: get_column_letter(i + 1) for name, i in cols.items()}
    end, texts = _section_rows(ws, table.header_row + 1)
    result.difficulties = _without_personal_data(result, texts.get("difficulties"), "mục khó khăn, vướng mắc")
    result.proposals = _without_personal_data(result, texts.get("proposals"), "mục đề xuất, kiến nghị")
    first = table.header_row + 1
    if is_column_number_row([ws.cell(first, c).value for c in range(1, ws.max_column + 1)]):
        first += 1  # the "(1) (2) (3)" row offices put under the header: no criterion
    _note_layout(result, ws, table, end)
    body = _Body(
        result,
        ws,
        cols,
        letter,
        {n.code: n for n in tree.nodes},
        tree.applicable(unit_group),
        {n.code for n in self_assessed(tree, unit_group)},
    )
    if "answer" not in cols and any(scored_by_answer(body.nodes[c]) for c in body.wanted):
        _block(
            result,
            "missing_columns",
            "thiếu cột 'Kết quả tự đánh giá': bộ chỉ số chấm điểm theo câu trả lời của đơn vị, đề nghị dùng phiếu mẫu",
        )
        return
    for r in range(first, end + 1):
        code = None if ws.row_dimensions[r].hidden else body.code_of(r)[0]
        if code in body.nodes and cell_fault(body.value("code", r)) is None:
            body.shown.setdefault(code, r)
    if _other_groups_form(body, first, end):
        return
    # a refused row counts as a score only when it holds one: a blank working copy with two codes swapped is still
    # empty, and never supersedes the unit's scored form
    any_score = any(optional_text(body.value(c, r)) is not None for r in body.mismatched for c in ("score", "answer"))
    for r in range(first, end + 1):
        if r not in body.mismatched:
            any_score |= _read_row(body, r)
    if body.unprefixed:
        r = body.unprefixed[0]
        _note(
            result,
            "code_without_prefix",
            f"{len(body.unprefixed)} dòng ghi mã tiêu chí thiếu chữ '{_tree_prefix(body.nodes)}' ở đầu (dòng {r} ghi "
            f"'{cell_text(body.value('code', r))}' cho {body.codes[r][0]}): đã đọc theo mã đủ vì tên tiêu chí trùng với "
            "bộ tiêu chí. Đề nghị giữ nguyên cột mã như mẫu phiếu.",
            f"{body.letter['code']}{r}",
            r,
        )
    _finish_body(body, any_score)


def _tree_prefix(nodes: Mapping[str, Any]) -> str:
    """The letters every code of a tree begins with ('LV' of the PAR trees), '' when they differ (the DTI's)."""
    letters = {re.sub(r"[^A-Z].*", "", code) for code in nodes}
    return letters.pop() if len(letters) == 1 else ""


def _same_name(on_form: str, in_tree: str) -> bool:
    """A criterion's name on the form is the tree's, maybe with the form's own addition after it (a computed
    criterion's "(điểm chính thức tính từ dữ liệu …)") or retyped with a few slips."""
    a, b = match_key(on_form), match_key(in_tree)
    from rapidfuzz import fuzz  # (the project's fuzzy matcher, as unit names'; imported when a form is read)

    return a.startswith(b) or fuzz.ratio(a, b) >= 80


def _other_groups_form(body: _Body, first: int, end: int) -> bool:
    """True (the form blocked, ``wrong_template``) when many of its criteria rows (3 and a tenth or more) give, under
    a code of the unit's tree, another criterion's name or maximum: the other ranking group's template (a Sở filling
    in the communes' form with its own name), whose codes mean other criteria in the unit's tree; read by code, its
    scores would go to criteria the unit never assessed."""
    result, ws = body.result, body.ws
    compared, differing = 0, []
    for r in range(first, end + 1):
        node = body.nodes.get(body.code_of(r)[0] or "")
        if node is None or node.method == "group" or ws.row_dimensions[r].hidden:
            continue
        name = optional_text(body.value("name", r))
        top, _, bad = read_points(body.value("max", r))
        compared += 1
        if name and not _same_name(name, node.name):
            differing.append(
                (r, f"dòng {r} ({node.code}): phiếu ghi '{name[:60]}', bộ tiêu chí của đơn vị là '{node.name[:60]}'")
            )
        elif top is not None and not bad and abs(top - node.max_points) > _EPS:
            differing.append(
                (r, f"dòng {r} ({node.code}): điểm tối đa trên phiếu {_fmt(top)}, bộ tiêu chí {_fmt(node.max_points)}")
            )
    if len(differing) < 3 or 10 * len(differing) < compared:  # a unit's own retyping of a name or two is no other form
        _code_name_mismatches(body, [r for r, _ in differing])
        return False
    group = RANKING_GROUP_LABELS.get(result.ranking_group or "", "").lower()
    shown = "; ".join(text for _, text in differing[:3])
    cell = f"{body.letter.get('name', body.letter['code'])}{differing[0][0]}"
    reason = (
        f"{len(differing)}/{compared} tiêu chí trên phiếu khác tên hoặc điểm tối đa với bộ tiêu chí của đơn vị ({shown}): "
        f"phiếu là mẫu của nhóm đơn vị khác; đề nghị dùng mẫu phiếu dành cho {group}"
    )
    _block(result, "wrong_template", reason, cell)
    return True


def _code_name_mismatches(body: _Body, rows: list[int]) -> None:
    """A few rows whose name is not their code's criterion (``_other_groups_form`` found them): a row whose name is
    another criterion's (two codes swapped by a copy and paste) is refused, its score would go to the wrong criterion
    (its code is then missing, said so); any other difference of name or maximum is noted and the row read by its
    code."""
    from rapidfuzz import fuzz

    for r in rows:
        node = body.nodes[body.code_of(r)[0] or ""]
        name = optional_text(body.value("name", r))
        cell = f"{body.letter.get('name', body.letter['code'])}{r}"
        if name:
            key = match_key(name)
            own = fuzz.ratio(key, match_key(node.name))
            other = max(
                (n for n in body.nodes.values() if n.code != node.code and n.method != "group" and _same_name(name, n.name)),
                key=lambda n: fuzz.ratio(key, match_key(n.name)),
                default=None,
            )
            if other is not None and fuzz.ratio(key, match_key(other.name)) > own:
                reason = (
                    f"dòng {r} ghi mã {node.code} nhưng tên là của tiêu chí {other.code} ('{name[:80]}'); mã và tên không "
                    f"khớp nên điểm của dòng không được nạp (tiêu chí {node.code} là '{node.name[:80]}'). Đề nghị sửa mã "
                    "hoặc tên cho đúng mẫu rồi gửi lại."
                )
                body.reject(r, node.code, "code_name_mismatch", reason, name[:200], cell)
                body.mismatched.add(r)
                continue
        top = read_points(body.value("max", r))[0]
        shown = f"tên trên phiếu '{name[:80]}'" if name and not _same_name(name, node.name) else f"điểm tối đa {_fmt(top or 0)}"
        _note(
            body.result,
            "criterion_differs",
            f"dòng {r} ({node.code}): {shown} khác bộ tiêu chí ('{node.name[:80]}', tối đa {_fmt(node.max_points)}); "
            "dòng được đọc theo mã, điểm chấm theo bộ tiêu chí.",
            cell,
            r,
            node.code,
        )


def _note_layout(result: FormResult, ws: Any, table: Table, end: int) -> None:
    """Notes on merged cells in the table's rows and hidden columns of the table (they are read all the same)."""
    from openpyxl.utils import get_column_letter

    cols = table.columns
    first = table.header_row + 1
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if rng.max_row >= first and rng.min_row <= end:
            _note(
                result,
                "merged_cells",
                f"ô gộp {rng.coord} trong bảng tự đánh giá; tài liệu kiểm chứng, giải trình gộp được đọc cho mọi dòng của "
                "vùng gộp, điểm và mã chỉ ở ô đầu vùng gộp. Đề nghị không gộp ô.",
                rng.coord.split(":")[0],
                rng.min_row,
            )
    hidden_cols = sorted(
        {get_column_letter(i + 1) for i in cols.values() if ws.column_dimensions[get_column_letter(i + 1)].hidden}
        | {
            get_column_letter(c)
            for key, dim in ws.column_dimensions.items()
            if dim.hidden
            for c in range(dim.min or 1, (dim.max or 1) + 1)
            if c - 1 in cols.values()
        }
    )
    if hidden_cols:
        _note(
            result,
            "hidden_cells",
            f"cột {', '.join(hidden_cols)} của bảng bị ẩn; vẫn được đọc. Đề nghị không ẩn cột.",
            f"{hidden_cols[0]}{table.header_row}",
            table.header_row,
        )


# Spaces (inner ones too), a pasted BOM or zero-width character: never part of a criterion code.
_CODE_NOISE = re.compile(r"[\s\ufeff\u200b\u200c\u200d\u2060]+")
# The whole label of a totals row, which sums the criteria and is no criterion ("Công khai" is not "Cộng").
_TOTALS_LABELS = {"tổng", "tổng cộng", "cộng", "tổng số", "tổng điểm", "tổng số điểm", "tong cong", "tong diem"}


def criterion_code(value: Any) -> str | None:
    """A criterion code as the criteria trees write it (upper case, no spaces, no final dot): 'lv 1.1.1.', 'LV1.1.1'
    with a pasted zero-width space, or with full-width dots all read as 'LV1.1.1'."""
    text = _CODE_NOISE.sub("", unicodedata.normalize("NFKC", cell_text(value))).rstrip(".")
    return text.upper() or None


_DECIMAL_CODE = re.compile(r"\d+(?:\.\d+)?")


def tree_code(value: Any, codes: Iterable[str]) -> tuple[str | None, list[str]]:
    """(code, the codes it may stand for when ambiguous) of a code cell, text read by ``criterion_code``. A number
    (Excel keeps '1.10' typed into a General cell as 1.1) is the one code of ``codes`` it reads as ('1.10' when the
    tree has no '1.1'); when several do ('1.1' and '1.10') which one was typed cannot be told: the codes are
    returned for the row to be refused, never matched to the first."""
    code = criterion_code(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return code, []
    same = [c for c in codes if _DECIMAL_CODE.fullmatch(c) and abs(float(c) - value) <= _EPS]
    if len(same) > 1:
        return code, same
    return (same[0] if same else code), []


def _ambiguous_code_reason(value: Any, candidates: list[str]) -> str:
    return (
        f"mã tiêu chí lưu dạng số {cell_text(value)}, có thể là {' hoặc '.join(candidates)} (Excel bỏ số 0 ở cuối: "
        "'1.10' thành 1.1); đề nghị định dạng ô mã là văn bản (Text) rồi gõ lại mã."
    )


# A sub-total a unit adds: "Cộng lĩnh vực 1", "Tổng điểm LV1", "Tổng điểm Lĩnh vực I:", "Cộng I".
_SUBTOTAL_LABEL = re.compile(r"^(?:tổng(?: số)?(?: điểm)?|cộng)\s+(?:lĩnh vực|lv|mục|phần|chỉ số)?\s*[\divxlc.]+\s*:?$")


def _is_totals_label(labels: Iterable[str]) -> bool:
    """Some of ``labels`` says its row is a total or a sub-total ("Tổng cộng", "Cộng lĩnh vực 1")."""
    words = [" ".join(label.lower().split()).rstrip(":").strip() for label in labels if label]
    return any(w in _TOTALS_LABELS or _SUBTOTAL_LABEL.match(w) for w in words)


def _is_totals_row(body: _Body, r: int) -> bool:
    """A row whose label says it is a total or a sub-total (a unit's own sum row, in the table or under it)."""
    return _is_totals_label(cell_text(body.ws.cell(r, c).value) for c in range(1, max(body.cols.values()) + 2))


def _read_row(body: _Body, r: int) -> bool:
    """Read row ``r`` of the table into rows, rejects or notes; True when the row holds a score (or a fault)."""
    result, ws, cols, letter = body.result, body.ws, body.cols, body.letter
    raw_code, raw_score, raw_answer = body.value("code", r), body.value("score", r), body.value("answer", r)
    if not any(cell_text(ws.cell(r, c + 1).value) for c in cols.values()):
        return False
    texts, faults = clean_faults({"evidence": body.value("evidence", r), "explanation": body.value("explanation", r)})
    evidence = _without_personal_data(result, optional_text(texts["evidence"]), f"ô {letter.get('evidence', '')}{r}", r)
    explanation = _without_personal_data(result, optional_text(texts["explanation"]), f"ô {letter.get('explanation', '')}{r}", r)
    for name, fault in faults.items():  # read as not given: a non-zero score then needs the other one
        _note(result, fault.rule, f"{fault.reason}; ô này được coi là để trống.", f"{letter[name]}{r}", r)
    code_fault = cell_fault(raw_code)
    if code_fault is not None:
        body.reject(r, None, code_fault.rule, f"mã tiêu chí: {code_fault.reason}.", str(code_fault), f"{letter['code']}{r}")
        return True
    code, candidates = body.code_of(r)
    if candidates:  # a scored row is refused; an unscored one only noted
        scored = optional_text(raw_score) is not None or optional_text(raw_answer) is not None
        reason = f"dòng {r}: {_ambiguous_code_reason(raw_code, candidates)}"
        if scored:
            body.reject(r, code, "ambiguous_code", reason, cell_text(raw_code), f"{letter['code']}{r}")
        else:
            _note(result, "ambiguous_code", reason, f"{letter['code']}{r}", r)
        return scored
    if ws.row_dimensions[r].hidden and code in body.shown:
        # the unit's old row kept out of sight: the visible row is its correction, whatever the order
        visible = body.shown[code]
        reason = f"dòng {r} bị ẩn và trùng tiêu chí {code} với dòng {visible} đang hiện; giữ dòng đang hiện, loại dòng ẩn."
        body.reject(r, code, "duplicate_criterion", reason, code, f"{letter['code']}{r}")
        return False
    if ws.row_dimensions[r].hidden:
        _note(result, "hidden_cells", f"dòng {r} bị ẩn; vẫn được đọc. Đề nghị không ẩn dòng.", f"A{r}", r)
    if (code is None or code not in body.nodes) and _is_totals_row(body, r):
        _note(result, "totals_row", f"dòng {r} là dòng tổng cộng, không phải tiêu chí: không đọc.", f"A{r}", r)
        return False
    node = body.nodes.get(code) if code else None
    if node is not None and scored_by_answer(node) and code in body.wanted and "answer" in cols and code not in body.seen:
        body.seen[code] = r  # a second row of the code is reported as a duplicate below
        # None: the file keeps no number formats (.xlsb), a '%' cell cannot be told (percent_format_lost)
        # (a '%' only quoted or escaped, 0.0"%", is not one: the cell holds 78.6 shown as "78.6%")
        percent_cell = None if percent_format_lost(ws) else is_percent_format(ws.cell(r, cols["answer"] + 1).number_format)
        return _read_answer(
            result, node, r, raw_answer, evidence, explanation, f"{letter['answer']}{r}", f"{letter['evidence']}{r}", percent_cell
        )
    if "score" in cols:
        raw_score = _points_in_percent_cell(result, ws, r, cols["score"] + 1, raw_score, f"{letter['score']}{r}")
    points, note, bad = read_points(raw_score)
    _read_score(body, r, code, raw_score, (points, note, bad), evidence, explanation)
    # A domain's =SUM (Excel saves 0) or a score on a row the unit does not assess is no self-assessment: a blank
    # working copy with sums must be refused as empty like one without, not supersede the unit's scored form.
    if code in body.nodes and code not in body.wanted:
        return False
    return points is not None or bool(bad)


def _points_in_percent_cell(result: FormResult | AppraisalResult, ws: Any, r: int, col: int, raw: Any, cell: str) -> Any:
    """A score typed "1,5%" (Excel keeps 0.015 in a percent cell, shown 1,50%): the points the cell shows, 1.5, with a
    note; it was read as 0.015 points without a word. Other cells as they are."""
    if ws is None or not isinstance(raw, int | float) or isinstance(raw, bool) or percent_format_lost(ws):
        return raw
    if not is_percent_format(ws.cell(r, col).number_format):
        return raw
    points = round(raw * 100, 6)
    _note(
        result,
        "percent_cell",
        f"điểm ghi trong ô định dạng phần trăm ({_fmt(points)}%): đã đọc là {_fmt(points)} điểm; đề nghị ghi điểm là "
        "số thường, không định dạng phần trăm.",
        cell,
        r,
    )
    return points


def _read_score(
    body: _Body,
    r: int,
    code: str | None,
    raw_score: Any,
    read: tuple[float | None, str | None, str | None],
    evidence: str | None,
    explanation: str | None,
) -> None:
    """A scored row: which criterion (known, first of its code, self-assessed), then its points."""
    cell = f"{body.letter['score']}{r}"
    points, _, bad = read
    if code is None:
        if points is not None or bad:
            body.reject(
                r,
                code,
                "missing_code",
                f"dòng {r} có điểm nhưng thiếu mã tiêu chí (cột '{FORM_COLUMNS[0].header}').",
                cell_text(raw_score),
                cell,
            )
        return
    node = body.nodes.get(code)
    if node is None and points is None and not bad:  # a note the unit wrote in the code column ("Ghi chú: …")
        if match_key(code) not in (match_key(DIFFICULTIES), match_key(PROPOSALS)):
            _note(body.result, "note_row", _unread_row_reason(r, code, body.result.year), f"{body.letter['code']}{r}", r)
        return
    if node is None:
        if match_key(code) not in (match_key(DIFFICULTIES), match_key(PROPOSALS)):
            # Only a value shaped like a code is quoted and kept as the row's key (_quotable_code): words or bare
            # digits there may be a citizen's name or ID number, read without its spaces as a code.
            quoted = _quotable_code(code)
            reason = _unknown_code_reason(code, body.result.year, "")
            body.reject(r, quoted, "unknown_criterion", reason, quoted, f"{body.letter['code']}{r}")
        return
    if code in body.seen:
        body.reject(
            r,
            code,
            "duplicate_criterion",
            f"tiêu chí {code} đã có ở dòng {body.seen[code]}; giữ dòng đầu tiên.",
            code,
            f"{body.letter['code']}{r}",
        )
        return
    body.seen[code] = r
    if code not in body.wanted:
        if points or bad:
            why = (
                "không áp dụng cho đơn vị"
                if node.method != "group" and code not in body.applicable
                else "không do đơn vị tự chấm"
            )
            _note(body.result, "not_self_assessed", f"tiêu chí {code} {why}; điểm ghi ở đây không được tính.", cell, r, code)
        return
    _read_points_of(body, r, node, cell, raw_score, read, evidence, explanation)


# What a criterion code looks like once read by criterion_code ('LV1.1', 'HT.1', '1.10'): a note's words do not.
_CODE_LIKE = re.compile(r"[A-ZĐ]{0,5}[.,\-/_]?\d+(?:[.,\-/_]\d+)*[A-Z]?")


def _quotable_code(code: str) -> str | None:
    """``code`` when it may be quoted: shaped like a criterion code with a letter or a separator, and nothing that
    masking would hide (more than a few bare digits may be a phone or ID number, words a name); else None."""
    digits = code.isdigit() and len(code) > 4
    return code if _CODE_LIKE.fullmatch(code) and not digits and mask_personal_data(code)[1] == 0 else None


def _key_of(code: str | None, known: Iterable[str] = ()) -> str | None:
    """A row's criterion code as its reject's key: a code of the tree (``known``) or one that may be quoted."""
    return code if code is None or code in known or _quotable_code(code) else None


def _unknown_code_reason(code: str, year: int | None, whose: str = " của đơn vị") -> str:
    """Why a row's code is refused: not in the year's tree; quoted only when shaped like a code (_quotable_code)."""
    if _quotable_code(code):
        return f"mã tiêu chí '{code}' không có trong bộ tiêu chí năm {year}{whose}."
    return (
        "cột mã tiêu chí không ghi mã tiêu chí (giá trị không được trích dẫn: có thể là thông tin cá nhân); đề nghị ghi "
        f"đúng mã tiêu chí của bộ tiêu chí năm {year}{whose}."
    )


def _unread_row_reason(r: int, code: str, year: int | None) -> str:
    """Why an unscored row whose code cell names no criterion is not read: a code the year's tree does not have, or
    words (a note), never quoted (a note may carry a person's details). Only what _quotable_code lets through is
    quoted: more than a few bare digits may be a phone or ID number typed under the table."""
    if _quotable_code(code):
        return f"dòng {r}: mã tiêu chí '{code}' không có trong bộ tiêu chí năm {year} và dòng không có điểm: không đọc."
    return f"dòng {r} ghi chữ ở cột '{FORM_COLUMNS[0].header}' (không phải mã tiêu chí) và không có điểm: không đọc."


def _read_points_of(
    body: _Body,
    r: int,
    node: Any,
    cell: str,
    raw_score: Any,
    read: tuple[float | None, str | None, str | None],
    evidence: str | None,
    explanation: str | None,
) -> None:
    """The points of a self-assessed criterion's row: rejected (not a number, out of range, no evidence) or kept."""
    result, code, shown = body.result, node.code, cell_text(raw_score)
    points, note, bad = read
    if node.method == "self" and says_not_applicable(raw_score):
        result.rows.append(
            {
                "code": code,
                "self_points": None,
                "self_answer": shown,
                "not_applicable": True,
                "evidence": evidence,
                "explanation": explanation,
                "sheet": result.sheet,
                "cell": cell,
                "source_row": r,
            }
        )
        return
    problem = _score_problem(node, points, bad, shown)
    if problem is not None:
        body.reject(r, code, problem[0], problem[1], str(bad) if isinstance(bad, CellFault) else shown, cell)
        return
    if points is None:
        if node.method != "computed":  # a computed criterion is scored from the data; its self-score is optional
            _note(result, "blank_score", f"tiêu chí {code} chưa được chấm điểm.", cell, r, code)
        return
    if note:
        advice = "; đề nghị nhập số." if note == "decimal_comma" else "."
        _note(result, note, f"tiêu chí {code}: điểm ghi dạng chữ '{shown}', đã đọc là {points:g}{advice}", cell, r, code)
    what = _missing_evidence(points, evidence, explanation)
    if what:
        body.reject(
            r,
            code,
            "missing_evidence",
            f"tiêu chí {code}: chấm {_fmt(points)} điểm nhưng {what} và không có giải trình cách chấm.",
            evidence or "",
            f"{body.letter['evidence']}{r}",
        )
        return
    result.rows.append(
        {
            "code": code,
            "self_points": points,
            "evidence": evidence,
            "explanation": explanation,
            "sheet": result.sheet,
            "cell": cell,
            "source_row": r,
        }
    )


def _score_problem(node: Any, points: float | None, bad: str | None, shown: str) -> tuple[str, str] | None:
    """(rule, reason) of a self-assessed score that cannot be kept: a cell fault, a formula, text, out of range."""
    code = node.code
    if isinstance(bad, CellFault):
        return bad.rule, f"tiêu chí {code}: {bad.reason}."
    if bad == "formula":
        return "formula_in_score", f"tiêu chí {code}: ô điểm chứa công thức '{shown}'; đề nghị nhập số điểm trực tiếp."
    if bad:
        return "not_a_number", f"tiêu chí {code}: điểm tự đánh giá {bad}."
    if points is not None and points < 0:
        return "negative_score", f"tiêu chí {code}: điểm âm ({_fmt(points)})."
    if points is not None and points > node.max_points + _EPS:
        return "score_above_max", (f"tiêu chí {code}: điểm tự đánh giá {_fmt(points)} vượt điểm tối đa {_fmt(node.max_points)}.")
    return None


def _missing_evidence(points: float, evidence: str | None, explanation: str | None) -> str | None:
    """What a non-zero score without explanation lacks in its evidence, in words (None: nothing lacks)."""
    if points <= 0 or explanation:
        return None
    lacking = evidence_parts(evidence)
    if not lacking:
        return None
    return "không có tài liệu kiểm chứng" if not evidence else f"tài liệu kiểm chứng thiếu {', '.join(lacking)}"


def _finish_body(body: _Body, any_score: bool) -> None:
    """A form without any score is blocked (``empty_form``); otherwise note the criteria it lacks."""
    result = body.result
    if not any_score:
        result.rows, result.rejects = [], []
        result.file_issues = [i for i in result.file_issues if i.rule not in ("blank_score", "hidden_cells")]
        _block(result, "empty_form", "phiếu tự đánh giá chưa có điểm nào")
        return
    absent = [c for c in sorted(body.wanted, key=list(body.nodes).index) if c not in body.seen]
    for code in absent:
        _note(
            result,
            "missing_criterion",
            f"thiếu dòng của tiêu chí {code} ({body.nodes[code].name}); tiêu chí được coi là chưa tự đánh giá.",
            None,
            None,
            code,
        )
    result.loadable = True


def fraction_for_percent(node: Any, raw: Any, percent_cell: bool | None) -> bool:
    """A share pasted as a fraction (0.947, the value of =A/B) into the answer of a criterion counted in percent whose
    full points need 50 % or more (a share of staff or dossiers, not of a budget: 0.5 % of spending is plausible), in a
    cell not formatted as percent and without a '%' sign: read as it is it would be under 1 % (``fraction_as_percent``).
    ``node``: what has the criterion's ``name`` (its "(%)") and ``rule``, a tree node or another system's component
    (``sources.dti_inputs``, whose values are read by the same rule)."""
    rule = node.rule
    full_at = rule.target if rule.kind == "target" else max((at for at, _ in rule.steps), default=None)
    if percent_cell or "(%)" not in node.name or full_at is None or full_at < 50:
        return False
    if isinstance(raw, str):
        if "%" in raw:
            return False
        number = parse_decimal(raw.replace("\u00a0", " "), percent_sign=False)
    else:
        number = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    return number is not None and 0 < number < 1


def _read_answer(
    result: FormResult,
    node: Any,
    r: int,
    raw: Any,
    evidence: str | None,
    explanation: str | None,
    cell: str,
    evidence_cell: str,
    percent_cell: bool | None = False,
) -> bool:
    """Read a criterion the unit answers; its points come from the rule. False when the row holds no answer.
    A number typed as "90%" is stored by Excel as 0.9 in a percent-formatted cell: it is read as 90. ``percent_cell``
    None: the file keeps no number formats (.xlsb), a number from 0 to 1 in a percentage answer is then noted."""
    from scoring.criteria import answer_points

    if optional_text(raw) is None:
        _note(result, "blank_score", f"tiêu chí {node.code} chưa có kết quả tự đánh giá.", cell, r, node.code)
        return False
    shown = cell_text(raw)

    def reject(rule: str, reason: str, where: str = cell, value: str = shown) -> None:
        result.rejects.append(
            {
                "file_name": result.file_name,
                "sheet": result.sheet,
                "cell": where,
                "row_number": r,
                "record_key": node.code,
                "unit_code": result.unit_code,
                "unit_name": result.unit_text,
                "rule": rule,
                "reason": f"Trang '{result.sheet}', ô {where}: {reason}",
                "value": value,
            }
        )

    fault = cell_fault(raw)
    if fault is not None:
        reject(fault.rule, f"tiêu chí {node.code}: {fault.reason}.")
        return True
    if isinstance(raw, str) and raw.startswith("="):
        reject("formula_in_score", f"tiêu chí {node.code}: ô kết quả chứa công thức '{shown}'; đề nghị nhập trực tiếp.")
        return True
    if fraction_for_percent(node, raw, percent_cell):
        reject(
            "fraction_as_percent",
            f"tiêu chí {node.code} tính theo %, kết quả '{shown}' nhỏ hơn 1: nếu là tỷ lệ (0,947 là 94,7 %) đề nghị ghi "
            "94,7; nếu đúng là dưới 1 % đề nghị ghi kèm dấu % (0,5%).",
        )
        return True
    raw, shown = _percent_answer(result, node, r, raw, shown, cell, percent_cell)
    value, points, problem = answer_points(node, raw)
    if value is None or points is None:
        choices = node.rule.answers()
        rule = "bad_answer" if choices else ("value_out_of_range" if "ngoài khoảng" in (problem or "") else "not_a_number")
        rule = "ambiguous_number" if "phân cách hàng nghìn" in (problem or "") else rule
        reject(rule, f"tiêu chí {node.code}: kết quả tự đánh giá {problem}.")
        return True
    what = _missing_evidence(points, evidence, explanation)
    if what:
        reject(
            "missing_evidence",
            f"tiêu chí {node.code}: kết quả '{shown}' ({_fmt(points)} điểm) nhưng {what} và không có giải trình cách chấm.",
            evidence_cell,
            evidence or "",
        )
        return True
    result.rows.append(
        {
            "code": node.code,
            "self_points": points,
            "self_answer": shown,
            "evidence": evidence,
            "explanation": explanation,
            "sheet": result.sheet,
            "cell": cell,
            "source_row": r,
        }
    )
    return True


def _percent_answer(
    result: FormResult, node: Any, r: int, raw: Any, shown: str, cell: str, percent_cell: bool | None
) -> tuple[Any, str]:
    """(answer, as shown) of a number answer in a '%' cell, read as percent (0.9 → 90) with a note; a number from 0
    to 1 in a percentage answer of a file that keeps no number formats is kept as it is, with a note."""
    if not isinstance(raw, int | float) or isinstance(raw, bool) or node.rule.kind not in ("target", "thresholds"):
        return raw, shown
    if percent_cell:
        percent = _fmt(round(raw * 100, 6))
        _note(
            result,
            "percent_cell",
            f"tiêu chí {node.code}: ô định dạng phần trăm, đã đọc {shown} là {percent} (%).",
            cell,
            r,
            node.code,
        )
        return raw * 100, percent
    if percent_cell is None and node.rule.value_range[1] == 100 and 0 < raw <= 1:
        _note(
            result,
            "percent_format_lost",
            f"tiêu chí {node.code}: kết quả {shown}, đã đọc là {shown}%; tệp định dạng này không cho biết ô có định "
            f"dạng phần trăm không — nếu trong Excel ô hiện {_fmt(round(raw * 100, 6))}% thì đề nghị ghi số "
            f"{_fmt(round(raw * 100, 6))} hoặc {SAVE_AS_XLSX}.",
            cell,
            r,
            node.code,
        )
    return raw, shown


# --- appraisal workbook --------------------------------------------------------------------------------------


def _unit_code(matcher: UnitMatcher, text: str) -> str | None:
    return matcher.code(text) or matcher.match(text)


def read_appraisal(
    path: Path,
    matcher: UnitMatcher,
    *,
    trees: TreeSource | None = None,
    year: int | None = None,
    index: str = "par",
    watch: Callable[[Path], bool] | None = None,
) -> AppraisalResult:
    """The council's appraisal (Đơn vị | Mã tiêu chí | Điểm thẩm định | Nhận xét). Rows: unit_code, code,
    appraised_points, comment, sheet, cell, source_row. Rejects (sheet, cell, rule, reason): ``unknown_unit``,
    ``missing_code``, ``not_a_number``, ``missing_points``, ``negative_score``, ``duplicate_appraisal``,
    ``conflicting_appraisal``, ``uncalculated_formula`` and ``excel_error`` (in the unit, code or points), and with
    ``trees`` and ``year``: ``unknown_criterion``, ``ambiguous_code``, ``score_above_max``. A decimal comma, a fault in the comment, a
    group heading (``section_row``) and a unit's total row (``totals_row``) are notes.

    Every visible sheet holding the table is read, in workbook order: a council keeps one sheet per group ("Sở, ban,
    ngành", "Xã, phường"), parts of one appraisal; each row keeps its sheet and real row. A hidden sheet is never read
    (an old draft kept out of sight): named in a note, or the file refused when only a hidden sheet holds the table
    (``hidden_cells``, as for registers and progress reports)."""
    from openpyxl.utils import get_column_letter

    path = Path(path)
    result = AppraisalResult(file_name=path.name)
    sheets = open_sheets(path, result, watch=watch)
    if sheets is None:
        return result
    found, _, sheet_issues = table_sheets(sheets, APPRAISAL_COLUMNS, "bảng thẩm định")
    result.file_issues += sheet_issues
    if not found:
        return result
    result.sheets = [ws.title for ws, _, _ in found]
    for ws, grid, table in found:  # the council of another province ("UBND TỈNH THÁI NGUYÊN" above the table)
        named = matcher.other_province_heading(v for row in grid[: table.header_top - 1] for v in row)
        if named is not None:
            result.sheet = ws.title
            result.file_issues.append(
                FormIssue(
                    "other_province_source",
                    f"Trang '{ws.title}': tệp '{path.name}' là bảng thẩm định của {province_name(named[0]).full} (tiêu đề "
                    f"'{named[1]}'), không phải của {province_name(matcher.province).full}: không nạp được tệp.",
                    sheet=ws.title,
                )
            )
            return result
    seen: dict[tuple[str, str], _Kept] = {}
    conflicts: dict[tuple[str, str], list[_Kept]] = {}
    said_not_applicable: dict[tuple[str, str], dict] = {}  # (unit, criterion) → the row the council wrote N/A on
    for ws, grid, table in found:
        result.sheet = ws.title  # the notes of a row (personal data masked) name the sheet being read
        # A unit's name merged down over its criteria rows (the usual layout of a council's table) holds for each row.
        result.file_issues += [
            FormIssue(
                i.rule,
                f"Trang '{ws.title}', {i.reason[0].lower()}{i.reason[1:]}",
                blocking=False,
                row_number=i.row_number,
                sheet=ws.title,
            )
            for i in fill_body_merges(ws, grid, table, {c.name: c.header for c in APPRAISAL_COLUMNS})
        ]
        sheet = _Appraisal(
            result,
            path.name,
            ws.title,
            table.columns,
            {name: get_column_letter(i + 1) for name, i in table.columns.items()},
            matcher,
            trees,
            year,
            index,
            seen,
            conflicts,
            ws,
            said_not_applicable,
        )
        for r, row in enumerate(grid[table.header_row :], start=table.header_row + 1):
            if any(cell_text(v) for v in row):
                _appraisal_row(sheet, r, row)
    result.sheet = result.sheets[0]
    _refuse_conflicts(result, seen, conflicts)
    if not result.rows and not result.rejects:
        result.file_issues.append(FileIssue("no_rows", "Bảng thẩm định không có dòng nào.", blocking=False))
    result.loadable = True
    return result


@dataclass
class _Kept:
    """Where a (unit, criterion) of the appraisal was read, and what it gave."""

    sheet: str
    row: int
    cell: str
    points: float
    unit_text: str


@dataclass
class _Appraisal:
    """An appraisal sheet as its rows are read; ``seen``: where each (unit, criterion) was first read, on any sheet
    of the file; ``conflicts``: the rows giving a (unit, criterion) other points on another sheet."""

    result: AppraisalResult
    file_name: str
    title: str
    cols: dict[str, int]
    letter: dict[str, str]
    matcher: UnitMatcher
    trees: TreeSource | None
    year: int | None
    index: str
    seen: dict[tuple[str, str], _Kept] = field(default_factory=dict)
    conflicts: dict[tuple[str, str], list[_Kept]] = field(default_factory=dict)
    ws: Any = None  # the sheet, for the number format of a score cell
    # (unit, criterion) → its row read "Không áp dụng": a row giving it points, on any sheet, wins over it
    said_not_applicable: dict[tuple[str, str], dict] = field(default_factory=dict)


def _appraisal_layout_row(a: _Appraisal, r: int, row: list[Any], values: dict[str, Any], faults: Mapping[str, Any]) -> bool:
    """True (a note, no reject) for a row of the council's layout that appraises nothing: a unit's total ("Tổng
    điểm", "Tổng cộng" in any cell, no criterion code) or a group heading ("CÁC XÃ, PHƯỜNG", alone on its row or
    merged across it: the code, points and comment then empty or copies of it, the text no unit)."""
    unit_text, code_text = cell_text(values["unit"]), cell_text(values["code"])
    if "unit" in faults or "code" in faults:
        return False
    cell = f"{a.letter['unit']}{r}"
    if _is_totals_label(cell_text(v) for v in row) and (not code_text or _is_totals_label([code_text])):
        reason = f"dòng {r} là dòng tổng điểm, không phải điểm thẩm định của một tiêu chí: không đọc."
        rule = "totals_row"
    elif (
        not faults
        and all(cell_text(values[n]) in ("", unit_text) for n in values if n != "unit")
        and (not unit_text or _unit_code(a.matcher, unit_text) is None)
    ):
        shown = " ".join(dict.fromkeys(t for t in (cell_text(v) for v in row) if t))  # a merge's copies once
        reason = f"dòng {r} ('{shown}') là tiêu đề nhóm đơn vị, không phải điểm thẩm định: không đọc."
        rule = "section_row"
    else:
        return False
    issue = FormIssue(rule, f"Trang '{a.title}', ô {cell}: {reason}", blocking=False, row_number=r, sheet=a.title, cell=cell)
    a.result.file_issues.append(issue)
    return True


def _appraisal_row(a: _Appraisal, r: int, row: list[Any]) -> None:
    cols, letter, title = a.cols, a.letter, a.title
    values, faults = clean_faults({name: row[i] for name, i in cols.items()})
    if _appraisal_layout_row(a, r, row, values, faults):
        return
    unit_text = cell_text(values["unit"])
    code = criterion_code(values["code"])
    comment = (
        _without_personal_data(a.result, optional_text(values["comment"]), f"ô {letter['comment']}{r}", r)
        if "comment" in cols
        else None
    )
    raw_points = _points_in_percent_cell(a.result, a.ws, r, cols["points"] + 1, row[cols["points"]], f"{letter['points']}{r}")
    not_applicable = says_not_applicable(raw_points)  # the council: the criterion does not apply to the unit
    points, note, bad = (None, None, None) if not_applicable else read_points(raw_points)
    problems: list[tuple[str, str, str, Any]] = [
        (f.rule, name, f"{f.reason}.", str(f)) for name, f in faults.items() if name in ("unit", "code")
    ]
    if "comment" in faults:
        a.result.file_issues.append(
            FormIssue(
                faults["comment"].rule,
                f"Trang '{title}', ô {letter['comment']}{r}: {faults['comment'].reason}; nhận xét không được dùng.",
                blocking=False,
                row_number=r,
                sheet=title,
                cell=f"{letter['comment']}{r}",
            )
        )
    unit_code = _unit_code(a.matcher, unit_text) if unit_text else None
    tree = _unit_tree(a, unit_code) if unit_code is not None and "code" not in faults else None
    if tree is not None:  # a code Excel keeps as a number (1.1 for '1.10') is read against the unit's tree
        code, candidates = tree_code(values["code"], [n.code for n in tree.nodes])
        if candidates:
            reason = _ambiguous_code_reason(values["code"], candidates)
            problems.append(("ambiguous_code", "code", reason, cell_text(values["code"])))
    if unit_code is None and "unit" not in faults:
        problems.append(
            (
                "unknown_unit",
                "unit",
                f"đơn vị '{unit_text}' không có trong danh mục." if unit_text else "thiếu tên đơn vị.",
                unit_text,
            )
        )
    if code is None and "code" not in faults:
        problems.append(("missing_code", "code", "thiếu mã tiêu chí.", None))
    if not_applicable and _read_not_applicable(a, r, unit_code, code, comment, problems):
        return
    problems += [] if not_applicable else _appraisal_points_problems(points, bad, raw_points)
    if not problems and unit_code is not None and code is not None and points is not None:
        problems += _appraisal_tree_problems(a, unit_code, code, points)
        if not problems and (unit_code, code) in a.seen:
            problems.append(_repeated(a, unit_code, code, points, r, unit_text))
    if problems or unit_code is None or code is None or points is None:
        a.result.rejects += [
            {
                "file_name": a.file_name,
                "sheet": title,
                "cell": f"{letter[col]}{r}",
                "row_number": r,
                "record_key": _key_of(code, [n.code for n in tree.nodes] if tree is not None else ()),
                "unit_code": unit_code,
                "unit_name": unit_text,
                "rule": rule,
                "reason": f"Trang '{title}', ô {letter[col]}{r}: {reason}",
                "value": shown,
            }
            for rule, col, reason, shown in problems
        ]
        return
    a.seen[(unit_code, code)] = _Kept(title, r, f"{letter['points']}{r}", points, unit_text)
    _points_win_over_not_applicable(a, unit_code, code, r, points, unit_text)
    if note == "decimal_comma":
        a.result.file_issues.append(
            FormIssue(
                note,
                f"Trang '{title}', ô {letter['points']}{r}: điểm ghi '{cell_text(raw_points)}', đã đọc là {points:g}.",
                blocking=False,
                row_number=r,
                record_key=code,
                sheet=title,
                cell=f"{letter['points']}{r}",
            )
        )
    _appraisal_out(a, r, unit_code, code, points, comment)


def _read_not_applicable(
    a: _Appraisal, r: int, unit_code: str | None, code: str | None, comment: str | None, problems: list
) -> bool:
    """True when the council's "Không áp dụng" of the row was read; else why not is in ``problems``."""
    if problems or unit_code is None or code is None:
        return False
    problems += _appraisal_not_applicable_problems(a, unit_code, code)
    if problems:
        return False
    a.said_not_applicable[(unit_code, code)] = _appraisal_out(a, r, unit_code, code, None, comment)
    return True


def _appraisal_not_applicable_problems(a: _Appraisal, unit_code: str, code: str) -> list[tuple[str, str, str, Any]]:
    """Why the council's "Không áp dụng" for a (unit, criterion) cannot be read: as for points (a criterion of the
    unit's tree, a leaf), or the criterion already given points or already said not to apply on an earlier row."""
    problems = _appraisal_tree_problems(a, unit_code, code, None)
    kept = a.seen.get((unit_code, code))
    if not problems and kept is not None:
        reason = (
            f"{unit_code} / {code} đã thẩm định {_fmt(kept.points)} điểm ở trang '{kept.sheet}', dòng {kept.row}: "
            "dòng ghi 'Không áp dụng' này không được dùng (điểm thẩm định được dùng); đề nghị sửa một trong hai dòng."
        )
        problems.append(("conflicting_appraisal", "points", reason, "Không áp dụng"))
    elif not problems and (unit_code, code) in a.said_not_applicable:
        problems.append(
            ("duplicate_criterion", "code", f"{unit_code} / {code} đã ghi 'Không áp dụng' ở dòng trên; giữ dòng đầu tiên.", code)
        )
    return problems


def _points_win_over_not_applicable(a: _Appraisal, unit_code: str, code: str, r: int, points: float, unit_text: str) -> None:
    """A (unit, criterion) the council wrote "Không áp dụng" for on an earlier row and gives points now: the points
    are used, the earlier row rejected naming both (whatever the order of the rows, the same outcome)."""
    said = a.said_not_applicable.pop((unit_code, code), None)
    if said is None:
        return
    a.result.rows.remove(said)
    a.result.rejects.append(
        {
            "file_name": a.file_name,
            "sheet": said["sheet"],
            "cell": said["cell"],
            "row_number": said["source_row"],
            "record_key": said["code"],
            "unit_code": said["unit_code"],
            "unit_name": unit_text,
            "rule": "conflicting_appraisal",
            "reason": (
                f"Trang '{said['sheet']}', ô {said['cell']}: {said['unit_code']} / {said['code']} ghi 'Không áp "
                f"dụng' nhưng trang '{a.title}', dòng {r} cho {_fmt(points)} điểm: dòng này không được dùng (điểm thẩm "
                "định được dùng); đề nghị sửa một trong hai dòng."
            ),
            "value": "Không áp dụng",
        }
    )


def _appraisal_out(a: _Appraisal, r: int, unit_code: str, code: str, points: float | None, comment: str | None) -> dict:
    """An appraisal row read (returned): its points, or None for the council's "Không áp dụng" (``not_applicable``)."""
    row = {
        "unit_code": unit_code,
        "code": code,
        "appraised_points": points,
        "not_applicable": points is None,
        "comment": comment,
        "sheet": a.title,
        "cell": f"{a.letter['points']}{r}",
        "source_row": r,
    }
    a.result.rows.append(row)
    return row


def _repeated(a: _Appraisal, unit_code: str, code: str, points: float, r: int, unit_text: str) -> tuple[str, str, str, Any]:
    """The reject of a (unit, criterion) read again. With the same points, on this sheet or another, a repeat: the
    first row is kept. With other points, a contradiction (``conflicting_appraisal``): which value the council meant
    cannot be told, whether the rows are on one sheet or on two parts of the delivery, so this row is rejected, and
    so is the first one once every sheet is read (``_refuse_conflicts``); a further row of a contradicted pair is part
    of the contradiction, whatever it gives."""
    kept = a.seen[(unit_code, code)]
    if abs(points - kept.points) <= _EPS and (unit_code, code) not in a.conflicts:
        where = f"dòng {kept.row}" if kept.sheet == a.title else f"trang '{kept.sheet}', dòng {kept.row}"
        return (
            "duplicate_appraisal",
            "code",
            f"{unit_code} / {code} đã thẩm định ở {where} cùng {_fmt(points)} điểm; giữ dòng đầu tiên.",
            code,
        )
    others = [kept, *a.conflicts.get((unit_code, code), [])]
    a.conflicts.setdefault((unit_code, code), []).append(_Kept(a.title, r, f"{a.letter['points']}{r}", points, unit_text))
    return ("conflicting_appraisal", "points", _conflict_reason(unit_code, code, (a.title, r, points), others), _fmt(points))


def _conflict_reason(unit_code: str, code: str, this: tuple[str, int, float], others: list[_Kept]) -> str:
    shown = "; ".join(f"trang '{o.sheet}', dòng {o.row} cho {_fmt(o.points)} điểm" for o in others)
    return (
        f"{unit_code} / {code}: trang '{this[0]}', dòng {this[1]} cho {_fmt(this[2])} điểm, {shown}. Cùng tệp thẩm "
        "định cho tiêu chí này hai mức điểm khác nhau: không dùng dòng nào (tiêu chí được tính như chưa thẩm định). Đề "
        "nghị Hội đồng thống nhất một mức điểm rồi gửi lại tệp."
    )


def _refuse_conflicts(
    result: AppraisalResult, seen: dict[tuple[str, str], _Kept], conflicts: dict[tuple[str, str], list[_Kept]]
) -> None:
    """The first row of a (unit, criterion) that another sheet gives other points: rejected too.

    Why both rows and not the first, nor the whole file: the sheets of a delivery are its parts (one per group), so
    their order says nothing about which points the council meant, and keeping either would publish a value it may
    not have decided; refusing the file would leave every unit of both groups unappraised for one contradiction.
    The criterion then counts as not appraised (the unit's total is marked provisional) and both rows, sheets and
    cells are in the quarantine for the council to settle."""
    if not conflicts:
        return
    refused = set(conflicts)
    result.rows = [x for x in result.rows if (x["unit_code"], x["code"]) not in refused]
    for (unit_code, code), others in conflicts.items():
        kept = seen[(unit_code, code)]
        result.rejects.append(
            {
                "file_name": result.file_name,
                "sheet": kept.sheet,
                "cell": kept.cell,
                "row_number": kept.row,
                "record_key": code,
                "unit_code": unit_code,
                "unit_name": kept.unit_text,
                "rule": "conflicting_appraisal",
                "reason": f"Trang '{kept.sheet}', ô {kept.cell}: "
                + _conflict_reason(unit_code, code, (kept.sheet, kept.row, kept.points), others),
                "value": _fmt(kept.points),
            }
        )


def _appraisal_points_problems(points: float | None, bad: str | None, raw: Any) -> list[tuple[str, str, str, Any]]:
    if isinstance(bad, CellFault):
        return [(bad.rule, "points", f"điểm thẩm định: {bad.reason}.", str(bad))]
    if bad:
        return [
            (
                "not_a_number",
                "points",
                "điểm thẩm định là công thức." if bad == "formula" else f"điểm thẩm định {bad}.",
                cell_text(raw),
            )
        ]
    if points is None:
        return [("missing_points", "points", "thiếu điểm thẩm định.", None)]
    if points < 0:
        return [("negative_score", "points", f"điểm thẩm định âm ({_fmt(points)}).", _fmt(points))]
    return []


def _unit_tree(a: _Appraisal, unit_code: str) -> Any:
    """The unit's criteria tree of the appraised index and year (None without trees or a year)."""
    if a.trees is None or a.year is None:
        return None
    return _tree(a.trees, a.index, a.year, RANKING_GROUP.get(a.matcher.units[unit_code].group, ""))


def _appraisal_tree_problems(a: _Appraisal, unit_code: str, code: str, points: float | None) -> list[tuple[str, str, str, Any]]:
    """With trees and a year: the criterion must be a leaf of the unit's tree, the points (None: "Không áp dụng")
    within its maximum."""
    if a.trees is None or a.year is None:
        return []
    tree = _unit_tree(a, unit_code)
    node = next((n for n in tree.nodes if n.code == code), None) if tree is not None else None
    if node is None:
        return [("unknown_criterion", "code", _unknown_code_reason(code, a.year), _quotable_code(code))]
    if node.method == "group":
        return [("not_leaf_criterion", "code", (f"{code} là nhóm tiêu chí; thẩm định theo từng tiêu chí thành phần."), code)]
    unit = a.matcher.units[unit_code]
    # Points for a criterion that does not apply to the unit: a mistyped code, else lost unseen. (The council's own
    # "Không áp dụng", points None, for it is right.)
    if points is not None and unit.group in tree.unit_groups and not tree.applies(code, unit.group):
        reason = f"tiêu chí {code} không áp dụng cho {unit.name}; đề nghị kiểm tra lại mã tiêu chí."
        return [("criterion_not_applicable", "code", reason, code)]
    if points is not None and points > node.max_points + _EPS:
        return [
            (
                "score_above_max",
                "points",
                (f"điểm thẩm định {_fmt(points)} vượt điểm tối đa {_fmt(node.max_points)} của tiêu chí {code}."),
                _fmt(points),
            )
        ]
    return []


# --- survey table (CSV or Excel) -------------------------------------------------------------------------------


def read_survey(
    path: Path, matcher: UnitMatcher, *, trees: TreeSource | None = None, year: int | None = None, index: str = "par"
) -> SurveyResult:
    """Survey points per unit and criterion (CSV, UTF-8 with BOM, or an Excel workbook whose table may sit under a
    title: Mã đơn vị or Đơn vị, Loại khảo sát, Mã tiêu chí, Điểm). Rows: unit_code, survey (sipas | leaders), code,
    points, source_row (the CSV line, the sheet row). Rejects (row_number, rule, reason): ``unknown_unit``,
    ``unknown_survey``, ``missing_code``, ``not_a_number``, ``negative_score``, ``duplicate_survey``, with ``trees``
    and ``year``: ``unknown_criterion``, ``not_survey_criterion``, ``score_above_max``; in a workbook also
    ``uncalculated_formula`` and ``excel_error`` (the sheet and cell named)."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as work_dir:  # a Windows-1258 or renamed-header file is rewritten there
        result, prepared = open_table(
            path,
            SURVEY_COLUMNS,
            Path(work_dir),
            "Tệp khảo sát không có dòng nào.",
            SurveyResult,
            what="bảng khảo sát",
            province=matcher.province,
            file_name=path.name,
        )
        if prepared is not None and not {"unit_code", "unit"} & prepared.present:
            result.file_issues.insert(0, FileIssue("missing_columns", "Thiếu cột 'Mã đơn vị' hoặc 'Đơn vị'; không nạp được tệp."))
            result.loadable, prepared = False, None
        if prepared is not None:
            _survey_rows(result, prepared, matcher, trees, year, index)
    return result


def _survey_rows(
    result: SurveyResult, prepared: TableSource, matcher: UnitMatcher, trees: TreeSource | None, year: int | None, index: str
) -> None:
    path = prepared.path
    seen: dict[tuple[str, str, str], dict] = {}  # the row of each unit, survey and criterion
    conflicting: set[tuple[str, str, str]] = set()
    units: list[tuple[str | None, str | None]] = []
    for line, record in table_rows(prepared, SURVEY_COLUMNS, result):
        units.append((record["unit_code"], record["unit"]))
        place = row_place(prepared, line)
        place = place[0].upper() + place[1:]  # "Dòng 7", "Trang 'Khảo sát', dòng 7"
        unit_text = record["unit_code"] or record["unit"]
        unit_code = _unit_code(matcher, unit_text) if unit_text else None
        named = matcher.match(record["unit"]) if record["unit_code"] and record["unit"] else None
        if unit_code is None and record["unit_code"] and record["unit"]:  # a code nobody has, a name beside it
            unit_code = named
        # the code as forms and appraisals read it ('lv2.2', 'LV 2.1.' are LV2.2, LV2.1)
        survey_text, code, points_text = record["survey"], criterion_code(record["code"]), record["points"]
        survey = _SURVEY(survey_text) if survey_text else None
        # "Không khảo sát": the unit was not surveyed (methodology §1.2: its index is the appraisal, on 100 points)
        not_surveyed = isinstance(points_text, str) and match_key(points_text) in _NOT_SURVEYED
        points, note, bad = (None, None, None) if not_surveyed else read_points(points_text)
        problems = _survey_problems(unit_text, unit_code, survey_text, survey, code, points, bad, points_text, not_surveyed)
        if unit_code is not None and named is not None and named != unit_code:  # which unit the points are of is unknown
            reason = (
                f"mã đơn vị '{record['unit_code']}' ({matcher.units[unit_code].name}) và tên đơn vị '{record['unit']}' "
                f"({matcher.units[named].name}) là của hai đơn vị khác nhau: không biết điểm là của đơn vị nào; đề nghị "
                "sửa lại mã hoặc tên rồi gửi lại."
            )
            problems.append(("unit_code_mismatch", reason, record["unit_code"]))
        if unit_code is None and (other := other_province_unit(matcher, record["unit_code"], record["unit"])) is not None:
            # another province's unit, not a unit missing from the list
            problems = [other if rule == "unknown_unit" else (rule, reason, shown) for rule, reason, shown in problems]
        if (
            not problems
            and unit_code is not None
            and survey is not None
            and code is not None
            and (points is not None or not_surveyed)  # ("Không khảo sát" takes the criterion out: it must be one)
            and trees is not None
            and year is not None
        ):
            tree = _tree(trees, index, year, RANKING_GROUP.get(matcher.units[unit_code].group, ""))
            problems = _survey_tree_problems(tree, survey_text, survey, code, points, points_text, year)
        if problems or unit_code is None or survey is None or code is None or (points is None and not not_surveyed):
            result.rejects += [
                row_reject(
                    path,
                    line,
                    rule,
                    f"{place}: {reason}",
                    shown,
                    key=_key_of(code),
                    unit_code=unit_code,
                    unit_name=record["unit"] or unit_text,  # the name as written beside its code, not the code again
                )
                for rule, reason, shown in problems
            ]
            continue
        key = (unit_code, survey, code)
        if key in seen:
            first = seen[key]
            if key not in conflicting and _same_points(first["points"], points):  # the same row again: one counts
                rule, reason = (
                    "duplicate_survey",
                    f"{place}: đã có ở dòng {first['source_row']} với cùng điểm; giữ dòng đầu tiên.",
                )
            else:  # two scores for one criterion: which one the survey office meant is unknown, neither counts
                rule, reason = "conflicting_survey", _survey_conflict(place, code, first, line, points)
                if key not in conflicting:
                    conflicting.add(key)
                    result.rows.remove(first)
                    earlier = row_place(prepared, first["source_row"])
                    this = {"source_row": line, "points": points}
                    why = _survey_conflict(earlier[0].upper() + earlier[1:], code, this, first["source_row"], first["points"])
                    result.rejects.append(
                        row_reject(
                            path,
                            first["source_row"],
                            rule,
                            why,
                            _survey_fmt(first["points"]),
                            key=code,
                            unit_code=unit_code,
                            unit_name=unit_text,
                        )
                    )
            result.rejects.append(
                row_reject(path, line, rule, reason, points_text, key=code, unit_code=unit_code, unit_name=unit_text)
            )
            continue
        if note == "decimal_comma":
            result.file_issues.append(
                RowIssue(
                    note,
                    f"{place}: điểm ghi '{points_text}', đã đọc là {points:g}.",
                    blocking=False,
                    row_number=line,
                    record_key=code,
                )
            )
        row = {"unit_code": unit_code, "survey": survey, "code": code, "points": points, "source_row": line}
        seen[key] = row
        result.rows.append(row)
    refuse_other_province_table(result, matcher, units, "bảng khảo sát", path.name)


def _survey_conflict(place: str, code: str, other: dict, line: int, points: float | None) -> str:
    """Why a survey row giving a criterion ``points`` is refused: the ``other`` row gives it other points."""
    return (
        f"{place}: tiêu chí {code} của đơn vị cũng có ở dòng {other['source_row']} với điểm khác ({_survey_fmt(points)} ở "
        f"dòng {line}, {_survey_fmt(other['points'])} ở dòng {other['source_row']}): không biết điểm nào đúng, không dùng "
        "cả hai; đề nghị sửa bảng khảo sát rồi gửi lại."
    )


def _survey_fmt(points: float | None) -> str:
    """Survey points as a reason shows them ("Không khảo sát" for a unit not surveyed)."""
    return "Không khảo sát" if points is None else _fmt(points)


# What the survey office writes for a unit it did not survey (as match_key): the criterion leaves the unit's maximum.
_NOT_SURVEYED = frozenset(
    match_key(t) for t in ("Không khảo sát", "Không điều tra", "Không tổ chức", "Không tổ chức điều tra", "Không áp dụng")
)


def _same_points(a: float | None, b: float | None) -> bool:
    """Two survey rows' points alike (both "not surveyed", or within _EPS)."""
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= _EPS)


def _survey_problems(
    unit_text: str,
    unit_code: str | None,
    survey_text: str,
    survey: str | None,
    code: str | None,
    points: float | None,
    bad: str | None,
    points_text: str,
    not_surveyed: bool = False,
) -> list[tuple[str, str, Any]]:
    """(rule, reason, value shown) of what a survey row lacks or gets wrong, the tree aside."""
    problems: list[tuple[str, str, Any]] = []
    if unit_code is None:
        problems.append(
            ("unknown_unit", f"đơn vị '{unit_text}' không có trong danh mục." if unit_text else "thiếu đơn vị.", unit_text)
        )
    if survey is None:
        problems.append(
            ("unknown_survey", (f"loại khảo sát '{survey_text}' không hợp lệ (cho phép: SIPAS, Lãnh đạo, quản lý)."), survey_text)
        )
    if code is None:
        problems.append(("missing_code", "thiếu mã tiêu chí.", None))
    if not_surveyed:
        pass
    elif bad or points is None:
        problems.append(("not_a_number", f"điểm {bad or 'trống'}.", points_text))
    elif points < 0:
        problems.append(("negative_score", f"điểm âm ({_fmt(points)}).", points_text))
    return problems


def _survey_tree_problems(
    tree: Any, survey_text: str, survey: str, code: str, points: float | None, points_text: str, year: int
) -> list[tuple[str, str, Any]]:
    """With a tree: the criterion must be in it, scored by that survey, the points within its maximum."""
    node = next((n for n in tree.nodes if n.code == code), None) if tree is not None else None
    if node is None:
        return [("unknown_criterion", _unknown_code_reason(code, year), _quotable_code(code))]
    if node.method != SURVEY_METHOD[survey]:
        return [("not_survey_criterion", f"tiêu chí {code} không chấm bằng khảo sát '{survey_text}'.", code)]
    if points is not None and points > node.max_points + _EPS:
        return [
            (
                "score_above_max",
                (f"điểm {_fmt(points)} vượt điểm tối đa {_fmt(node.max_points)} của tiêu chí {code}."),
                points_text,
            )
        ]
    return []
