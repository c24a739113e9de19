"""DTI inputs that do not come from the units' own forms: values measured by other provincial systems and the
previous year's published results (no Dagster, no DuckDB here).

``inbox/dti/he_thong_khac/*.csv`` (or an Excel workbook, .xlsx/.xls/.ods, the table possibly under a title:
``sources.table_files``): one file per system and year (document management, cyber-security monitoring,
reporting system…), one row per unit and component: Năm | Mã đơn vị and/or Đơn vị | Mã thành phần | Giá trị |
Hệ thống nguồn | Ghi chú. ``read_external_values`` reads all files of a year together, because a (unit, component)
that two rows supply, in one file or in two, is a conflict: every copy is rejected and the component is missing
for that unit; one value is never picked silently, even when the copies agree.

``inbox/dti/ket_qua_nam_truoc/*.csv`` (or a workbook, as above): the previous year's published ranking (Năm | Đơn
vị | Tổng điểm | Xếp hạng | Xếp loại), under the names of the time. ``read_previous_results`` reads all files of the year together and matches
each published name to a current unit through the master data (current names, aliases and the spellings of the
predecessors, the agencies of before the 2025 restructuring each agency continues); a name that matches none is
reported, never guessed. Each row is then a last-year unit (``identity``: the official name of the predecessor it
spells); a last-year unit given twice, in one file or in two, however spelt, is a conflict and every copy is rejected.
``map_previous`` folds the rows into one previous total per current unit (the mean over its present last-year units).

Choices:

- Year: the ``Năm`` column is required; a row of another year is rejected (``wrong_year``). A blank year is accepted
  only when the file name carries exactly one year (a 4-digit number such as ``vbdh_2026.csv``) and it is the year
  being read; otherwise the blank is rejected too, since nothing then says which year the value is of.
- Numbers: "85,5" (decimal comma) and "85.5" are 85.5; a trailing percent sign is dropped ("85%" is 85, in the
  component's own unit, not 0.85); thousands separators are not accepted (reported, never guessed). In a workbook a
  number typed as a number is read as it is, and a percentage cell (85 %, kept by Excel as 0.85) as its CSV "85%"
  (a cell formatted 0"%" or 0\\% only shows the sign: its 85 is 85). A share given as a fraction (0,853, the value of
  =E2/F2) for a component in percent ("(%)" in its name in the criteria tree) whose full points need 50 % or more is
  refused as in the DTI forms (``fraction_as_percent``): write 85,3, or 0,853% if it truly is under 1 %.
- Unit: ``Mã đơn vị`` may be the unit code of the master data (19.STC, 05443) or its portal code (H55.04). When
  both the code and the name are given, the code decides: a name that matches another unit rejects the row
  (``unit_mismatch``); a name that matches no unit does not contradict the code and the row loads. A code that is not
  in the master data rejects the row (``unknown_unit``) even if the name matches: the name is only offered as a hint.
- Duplicates count every row of the right year whose unit and component are known, whatever else is wrong with it:
  two rows for the same pair mean the sources disagree on what was measured.
- Last year's results: a name that matches a current agency but none of its predecessors (the master data lists
  predecessors that leave the current name out, e.g. "Sở Nông nghiệp và Môi trường" in a 2025 ranking) is kept, as
  the last-year unit of the current official name, rather than rejected: the predecessor list may have forgotten it.
  It then counts as one more last-year unit of the agency (in the mean, and in ``merged``), never as a rename.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from common.pii import clean_free_text
from common.units import GROUP_LABELS, Unit, UnitMatcher, former_province_in_name
from common.vntext import AMBIGUOUS_NUMBER, ambiguous_thousands, match_key, nfc, parse_decimal, sort_key
from scoring.rounding import round_half_up
from sources.assessment_forms import fraction_for_percent
from sources.csvfiles import FileIssue, ReadResult, row_reject
from sources.table_files import (
    TableSource,
    open_table,
    other_province_unit,
    refuse_other_province_table,
    row_place,
    table_rows,
)
from sources.tthc_format import Column

if TYPE_CHECKING:
    from scoring.criteria import CriterionRule

EXTERNAL_DIR = "dti/he_thong_khac"  # under the inbox
PREVIOUS_DIR = "dti/ket_qua_nam_truoc"

EXTERNAL_COLUMNS: tuple[Column, ...] = (
    Column("year", "Năm", "int", aliases=("Năm đánh giá", "Năm số liệu")),
    # At least one of the two unit columns (checked by the reader, not by prepare_csv).
    Column("unit_code", "Mã đơn vị", "text", required=False, aliases=("Mã cơ quan", "Mã ĐV")),
    Column("unit", "Đơn vị", "text", required=False, aliases=("Tên đơn vị", "Cơ quan", "Cơ quan, đơn vị", "Tên cơ quan")),
    Column("component", "Mã thành phần", "text", aliases=("Mã chỉ số thành phần", "Mã chỉ số", "Thành phần")),
    Column("value", "Giá trị", "number", aliases=("Giá trị đo", "Kết quả", "Số liệu")),
    Column("system", "Hệ thống nguồn", "text", required=False, aliases=("Hệ thống", "Nguồn dữ liệu", "Nguồn")),
    Column("note", "Ghi chú", "text", required=False, aliases=("Chú thích",)),
)

PREVIOUS_COLUMNS: tuple[Column, ...] = (
    Column("year", "Năm", "int", aliases=("Năm đánh giá",)),
    Column("published_name", "Đơn vị", "text", aliases=("Tên đơn vị", "Cơ quan", "Cơ quan, đơn vị", "Tên cơ quan")),
    Column("total", "Tổng điểm", "number", aliases=("Tổng số điểm", "Điểm", "Điểm DTI", "Chỉ số DTI")),
    Column("rank", "Xếp hạng", "int", required=False, aliases=("Thứ hạng", "Hạng")),
    Column("level", "Xếp loại", "text", required=False, aliases=("Mức xếp loại", "Phân loại")),
)

_YEAR = re.compile(r"\d{4}")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_EPS = 1e-9

Problem = tuple[str, str, str | None]  # rule, Vietnamese reason (without the "Tệp …, dòng …" prefix), offending value


@dataclass(frozen=True)
class ExternalComponent:
    """What the criteria tree says about a component supplied by another system."""

    code: str
    name: str
    low: float  # allowed range of the value, inclusive
    high: float
    unit_groups: tuple[str, ...]  # unit groups it applies to: "agency", "commune", "ward"
    # Its rule in the tree: with a name ending "(%)", what tells a share given as a fraction (fraction_as_percent).
    rule: CriterionRule | None = None


@dataclass(frozen=True)
class PreviousResult:
    unit_code: str
    total: float  # the mean of the totals of its last-year units that have a result (one: its published total)
    published_names: tuple[str, ...]  # the names written in the file(s), in Vietnamese order
    merged: bool  # the unit continues more than one last-year unit (present or not)
    renamed: bool  # it continues exactly one last-year unit, whose official name is not the current name
    missing: tuple[str, ...] = ()  # official names of its last-year units without a result, in Vietnamese order


# --- shared helpers ------------------------------------------------------------------------------------------


def _fmt(number: float) -> str:
    """A number as Vietnamese write it: 85,5."""
    return f"{number:g}".replace(".", ",")


def _file_year(path: Path) -> int | None:
    """The year a file name carries (vbdh_2026.csv), None when it carries none or several."""
    years = {int(y) for y in _YEAR_IN_NAME.findall(path.stem) if 1900 < int(y) < 2200}
    return years.pop() if len(years) == 1 else None


def _year_problem(raw: str, year: int, path: Path) -> tuple[int | None, Problem | None]:
    """(year of the row, problem): a blank year takes the file name's year when it is the year being read."""
    if not raw:
        if _file_year(path) == year:
            return year, None
        return None, ("wrong_year", f"thiếu năm và tên tệp không ghi năm {year}; không biết số liệu của năm nào.", None)
    if not _YEAR.fullmatch(raw):
        return None, ("wrong_year", f"năm không hợp lệ: '{raw}'.", raw)
    if int(raw) != year:
        return int(raw), ("wrong_year", f"năm {raw} khác năm đang tổng hợp {year}.", raw)
    return year, None


def _where(
    path: Path, line: int, unit: str | None = None, component: str | None = None, source: TableSource | None = None
) -> str:
    text = f"Tệp {path.name}, {row_place(source, line)}"  # a workbook's row with its sheet
    if unit:
        text += f", đơn vị {unit}"
    if component:
        text += f", thành phần {component}"
    return text + ": "


def _open_all(
    paths: list[Path], columns: tuple[Column, ...], work_dir: Path, no_rows: str, what: str, province: str
) -> tuple[dict[Path, ReadResult], list[tuple[Path, ReadResult, TableSource]]]:
    """Open every file once (a path given twice is read once): a ReadResult per file, and the loadable ones. Files
    with the same bytes (a browser's second download "soc_2026 (1).csv") are one delivery: it is read once, from the
    copy with the shortest name (the one without "(1)"), and every other copy loads nothing, with a note naming the
    file read (``what``: 'giá trị', 'kết quả'). Copies that differ are all read: their conflicting rows are duplicates.
    A file is a CSV or an Excel workbook (``open_table``): the same copy rule holds for a workbook saved twice; a
    workbook titled with another province than ``province`` is refused."""
    results: dict[Path, ReadResult] = {}
    opened: list[tuple[Path, ReadResult, TableSource]] = []
    by_content: dict[str, list[tuple[Path, ReadResult, TableSource]]] = {}
    for path in dict.fromkeys(Path(p) for p in paths):
        result, prepared = open_table(path, columns, work_dir, no_rows, what=f"bảng {what}", province=province)
        results[path] = result
        if prepared is not None:
            by_content.setdefault(result.sha256, []).append((path, result, prepared))
    for copies in by_content.values():
        first, *others = sorted(copies, key=lambda c: (len(c[0].name), c[0].name))
        opened.append(first)
        for path, result, _ in others:
            result.file_issues.append(
                FileIssue(
                    "same_content",
                    (
                        f"Tệp {path.name} giống hệt tệp {first[0].name} (bản sao, ví dụ tải về hai lần): các {what} "
                        f"được nạp một lần từ tệp {first[0].name}, tệp này bỏ qua; nên xóa tệp thừa."
                    ),
                    blocking=False,
                )
            )
    order = {path: i for i, path in enumerate(results)}
    opened.sort(key=lambda c: order[c[0]])  # the order the files were given
    return results, opened


def _mention(others: list[tuple[Path, int]], path: Path) -> str:
    """'dòng 7; tệp b.csv dòng 5': the other copies, as seen from ``path``."""
    return "; ".join(f"dòng {line}" if other == path else f"tệp {other.name} dòng {line}" for other, line in others)


# --- values supplied by other systems ------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A record of an external-values file, checked on its own; duplicates are decided over all files."""

    path: Path
    line: int
    unit_code: str | None
    unit_name: str | None
    component: str | None  # canonical component code when known, else the raw text
    value_text: str | None
    problems: list[Problem] = field(default_factory=list)
    row: dict | None = None
    duplicate_key: tuple[str, str] | None = None  # (unit, component) when both are known and the year is right


def _component_key(text: str) -> str:
    return re.sub(r"\s+", "", nfc(text)).upper().rstrip(".")


def _code_unit(matcher: UnitMatcher, text: str) -> str | None:
    return matcher.code(text) or (matcher.match_portal(text) if text else None)


def _unit_label(matcher: UnitMatcher, code: str | None, raw: str | None) -> str | None:
    if code is not None:
        return f"{matcher.units[code].name} ({code})"
    return f"'{raw}'" if raw else None


def _resolve_unit(matcher: UnitMatcher, code_text: str, name: str) -> tuple[str | None, Problem | None]:
    """(unit code, problem) from the Mã đơn vị and Đơn vị cells; the code decides when both are given."""
    by_name = matcher.match(name) if name else None
    if code_text:
        by_code = _code_unit(matcher, code_text)
        if by_code is None and (other := other_province_unit(matcher, code_text, None)) is not None:
            return None, other
        if by_code is None:
            hint = f" Tên '{name}' là {matcher.units[by_name].name} ({by_name}): đề nghị sửa mã." if by_name else ""
            return None, ("unknown_unit", f"mã đơn vị '{code_text}' không có trong danh mục đơn vị.{hint}", code_text)
        if by_name is not None and by_name != by_code:
            return None, (
                "unit_mismatch",
                (
                    f"mã đơn vị '{code_text}' là {matcher.units[by_code].name} nhưng tên "
                    f"'{name}' là {matcher.units[by_name].name} ({by_name}); không rõ số liệu "
                    "của đơn vị nào."
                ),
                f"{code_text} | {name}",
            )
        return by_code, None
    if not name:
        return None, ("unknown_unit", "thiếu đơn vị (cần 'Mã đơn vị' hoặc 'Đơn vị').", None)
    if by_name is None and (other := other_province_unit(matcher, None, name)) is not None:
        return None, other
    if by_name is None:
        suggestion = matcher.suggest(name)
        return None, (
            "unknown_unit",
            "tên đơn vị không có trong danh mục đơn vị" + (f"; có phải '{suggestion}'?" if suggestion else "."),
            name,
        )
    return by_name, None


def _groups_text(groups: Iterable[str]) -> str:
    return ", ".join(GROUP_LABELS.get(g, g) for g in groups)


def _check_external(
    path: Path, line: int, values: dict[str, str], matcher: UnitMatcher, components: Mapping[str, ExternalComponent], year: int
) -> _Candidate:
    unit_code, unit_problem = _resolve_unit(matcher, values["unit_code"], values["unit"])
    component_text = values["component"]
    component = components.get(_component_key(component_text)) if component_text else None
    candidate = _Candidate(
        path,
        line,
        unit_code,
        values["unit"] or values["unit_code"] or None,
        component.code if component else component_text or None,
        values["value"] or None,
    )
    problems = candidate.problems
    if unit_problem:
        problems.append(unit_problem)
    if component is None:
        problems.append(
            (
                "unknown_component",
                f"mã thành phần '{component_text}' không có trong các thành phần do hệ "
                f"thống khác cung cấp của bộ chỉ số năm {year}."
                if component_text
                else "thiếu mã thành phần.",
                component_text or None,
            )
        )
    elif unit_code is not None and matcher.units[unit_code].group not in component.unit_groups:
        group = matcher.units[unit_code].group
        problems.append(
            (
                "not_applicable",
                (
                    f"thành phần {component.code} ({component.name}) không áp dụng cho nhóm "
                    f"'{GROUP_LABELS.get(group, group)}'; chỉ áp dụng cho: {_groups_text(component.unit_groups)}."
                ),
                component.code,
            )
        )
    value, value_problem = _value_problem(values["value"], component)
    if value_problem:
        problems.append(value_problem)
    _, year_problem = _year_problem(values["year"], year, path)
    if year_problem:
        problems.append(year_problem)
    if unit_code is not None and component is not None and (year_problem is None or not values["year"].isdigit()):
        # A row of another year is not a second copy of this year's value; a blank or unreadable year might be.
        candidate.duplicate_key = (unit_code, component.code)
    if not problems and component is not None:  # a missing component is a problem
        candidate.row = {
            "unit_code": unit_code,
            "code": component.code,
            "value": value,
            "system": values["system"] or None,
            "note": values["note"] or None,
            "source_file": path.name,
            "source_row": line,
        }
    return candidate


def _value_problem(text: str, component: ExternalComponent | None) -> tuple[float | None, Problem | None]:
    """(value, problem) of a row's 'Giá trị': not a number, ambiguous thousands, outside the component's range, or a
    share given as a fraction (0,853 for 85,3 %) of a '(%)' component whose full points need 50 % or more, refused by
    the rule of the DTI forms (``fraction_as_percent``; "0,853%" or a '%' cell, read as "85.3%", is not refused)."""
    value = parse_decimal(text) if text else None
    if value is not None and component is not None and ambiguous_thousands(text, component.high):
        return value, ("ambiguous_number", f"giá trị '{text}': {AMBIGUOUS_NUMBER}.", text)
    if value is None:
        return None, ("not_a_number", f"giá trị không phải số: '{text}'." if text else "thiếu giá trị.", text or None)
    if component is None:
        return value, None
    if not component.low - _EPS <= value <= component.high + _EPS:
        reason = (
            f"giá trị {_fmt(value)} ngoài khoảng cho phép của thành phần {component.code} "
            f"(từ {_fmt(component.low)} đến {_fmt(component.high)})."
        )
        return value, ("out_of_range", reason, text)
    if component.rule is not None and fraction_for_percent(component, text, False):
        reason = (
            f"thành phần {component.code} tính theo %, giá trị '{text}' nhỏ hơn 1: nếu là tỷ lệ ({_fmt(value)} là "
            f"{_fmt(value * 100)} %) đề nghị ghi {_fmt(value * 100)}; nếu đúng là dưới 1 % đề nghị ghi kèm dấu % "
            f"({_fmt(value)}%)."
        )
        return value, ("fraction_as_percent", reason, text)
    return value, None


def read_external_values(
    paths: list[Path], matcher: UnitMatcher, components: Mapping[str, ExternalComponent], year: int, work_dir: Path
) -> dict[Path, ReadResult]:
    """One ReadResult per file of ``paths`` (the files of ``year`` in he_thong_khac/). Rows: unit_code, code, value,
    system, note, source_file, source_row. Rejects (reason "Tệp …, dòng …, đơn vị …, thành phần …: …"):
    ``unknown_unit`` (with a suggestion), ``unit_mismatch``, ``unknown_component``, ``not_applicable``, ``not_a_number``,
    ``ambiguous_number``, ``out_of_range``, ``fraction_as_percent`` (a share as 0,853 in a '(%)' component whose full
    points need 50 % or more, as in the DTI forms), ``wrong_year``, ``malformed_line`` and ``duplicate``: every copy
    of a (unit, component) given more than once over all the files, so the component is missing for that unit. ``components``: the components other
    systems supply, by code (the criteria tree of ``year``). A file without the needed columns, empty or unreadable
    has a blocking issue and is not loaded."""
    by_code = {_component_key(code): component for code, component in components.items()}
    candidates: list[_Candidate] = []
    results, opened = _open_all(
        paths, EXTERNAL_COLUMNS, work_dir, "Tệp chỉ có dòng tiêu đề, không có giá trị nào.", "giá trị", matcher.province
    )
    units: dict[Path, list[tuple[str | None, str | None]]] = {}
    sources = {path: prepared for path, _, prepared in opened}
    for path, result, prepared in opened:
        if not {"unit_code", "unit"} & prepared.present:
            result.file_issues.insert(
                0,
                FileIssue(
                    "missing_columns", "Thiếu cột 'Mã đơn vị' hoặc 'Đơn vị' (cần ít nhất một trong hai); không nạp được tệp."
                ),
            )
            result.loadable = False
            continue
        named_year = _file_year(path)
        if named_year is not None and named_year != year:
            result.file_issues.append(
                FileIssue(
                    "file_name_year",
                    (f"Tên tệp ghi năm {named_year}, khác năm đang tổng hợp {year}; các dòng vẫn được kiểm tra theo cột 'Năm'."),
                    blocking=False,
                )
            )
        # A formula error in the system's name or the note leaves that text out; elsewhere it rejects the row.
        for line, values in table_rows(prepared, EXTERNAL_COLUMNS, result, notes=frozenset({"system", "note"})):
            candidates.append(_check_external(path, line, values, matcher, by_code, year))
            units.setdefault(path, []).append((values["unit_code"], values["unit"]))
    # Another province's file (most of its rows its units) is refused whole: none of its rows counts as a copy.
    refused = {p for p, rows in units.items() if refuse_other_province_table(results[p], matcher, rows, "bảng giá trị", p.name)}
    candidates = [c for c in candidates if c.path not in refused]
    copies: dict[tuple[str, str], list[tuple[Path, int]]] = {}
    for candidate in candidates:
        if candidate.duplicate_key is not None:
            copies.setdefault(candidate.duplicate_key, []).append((candidate.path, candidate.line))
    for candidate in candidates:
        dup = candidate.duplicate_key
        others = [c for c in copies.get(dup, []) if c != (candidate.path, candidate.line)] if dup is not None else []
        if others:
            candidate.problems.append(
                (
                    "duplicate",
                    (
                        f"giá trị được cung cấp nhiều lần (cũng ở {_mention(others, candidate.path)}"
                        "); loại mọi bản, thành phần được coi là chưa có số liệu của đơn vị này."
                    ),
                    candidate.value_text,
                )
            )
        result = results[candidate.path]
        if candidate.problems:
            where = _where(
                candidate.path,
                candidate.line,
                _unit_label(matcher, candidate.unit_code, candidate.unit_name),
                candidate.component,
                sources.get(candidate.path),
            )
            key = f"{candidate.unit_code or candidate.unit_name or ''}|{candidate.component or ''}"
            result.rejects += [
                row_reject(
                    candidate.path,
                    candidate.line,
                    rule,
                    where + reason,
                    value,
                    key=key,
                    unit_code=candidate.unit_code,
                    unit_name=candidate.unit_name,
                    criterion_code=candidate.component,
                )
                for rule, reason, value in candidate.problems
            ]
        elif candidate.row is not None:  # set when the row had no problem of its own
            result.rows.append(_without_personal_data(candidate, result, sources.get(candidate.path)))
    for result in results.values():
        result.rejects.sort(key=lambda r: r["row_number"])
    return results


def _without_personal_data(candidate: _Candidate, result: ReadResult, source: TableSource | None) -> dict:
    """The row with a citizen's phone, ID number, e-mail, address or name in its free texts (the note,
    the system's name) masked and cut to FREE_TEXT_LIMIT characters, said in a note naming the row, never the value
    (common/pii.py ``clean_free_text``)."""
    row = dict(candidate.row or {})
    found = 0
    for column in ("note", "system"):
        if row.get(column):
            clean = clean_free_text(row[column])
            row[column] = clean.text
            found += clean.masked
            if clean.cut_from:
                where = _where(candidate.path, candidate.line, source=source)
                result.file_issues.append(FileIssue("long_text_cut", f"{where}{clean.cut_note}", blocking=False))
    if found:
        result.file_issues.append(
            FileIssue(
                "personal_data_masked",
                f"{_where(candidate.path, candidate.line, source=source)}đã ẩn {found} số điện thoại, số giấy tờ, email "
                "hoặc họ tên của người dân trong ghi chú; đề nghị không ghi thông tin cá nhân của công dân vào bảng số liệu.",
                blocking=False,
            )
        )
    return row


# --- last year's published results ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _one_name_matcher(unit: Unit, name: str) -> UnitMatcher:
    return UnitMatcher([Unit(unit.code, name, unit.group, unit.province, "")])


def _same_name(unit: Unit, spelling: str, name: str) -> bool:
    """``name`` is ``spelling`` of ``unit`` by the matcher's rules (case, diacritics, spacing, "UBND" do not matter)."""
    return _one_name_matcher(unit, spelling).match(name) == unit.code


def previous_identity(matcher: UnitMatcher, unit_code: str, published: str) -> str:
    """The official name of the last-year unit a published name stands for: the first spelling of the entry of
    ``Unit.last_year_units`` one of whose spellings the name is (matcher's tolerance). A name of the current unit that
    is none of them (a predecessor list that leaves the current name out) stands for the current official name."""
    unit = matcher.units[unit_code]
    identity = next(
        (
            spellings[0]
            for spellings in unit.last_year_units
            if any(_same_name(unit, spelling, published) for spelling in spellings)
        ),
        unit.name,
    )
    # The agency of a province merged into this one in 2025 ("Sở Tài chính tỉnh Bắc Kạn") is a last-year unit of its
    # own: its result is averaged with this province's agency's, as merged provinces' are, not a second copy of it.
    former = former_province_in_name(published)
    if former is not None and matcher.is_own_province(former[1]) and not matcher.is_own_province(former[0]):
        return f"{identity} ({former[0]})"
    return identity


@dataclass
class _Published:
    """A record of a previous-results file, checked on its own; duplicates are decided over all files."""

    path: Path
    line: int
    name: str
    unit_code: str | None
    problems: list[Problem] = field(default_factory=list)
    row: dict | None = None
    duplicate_key: tuple[str, str] | None = None  # (unit, last-year unit) when known and the year may be right
    identity: str | None = None


def _check_previous(path: Path, line: int, values: dict[str, str], matcher: UnitMatcher, year: int) -> _Published:
    name = values["published_name"]
    unit_code = matcher.match(name) if name else None
    candidate = _Published(path, line, name, unit_code)
    problems = candidate.problems
    if not name:
        problems.append(("unknown_unit", "thiếu tên đơn vị.", None))
    elif unit_code is None and (other := other_province_unit(matcher, None, name)) is not None:
        problems.append(other)
    elif unit_code is None:
        hint = matcher.suggest(name)
        problems.append(
            (
                "unknown_unit",
                (
                    "tên không khớp đơn vị hiện nay nào, kể cả tên các cơ quan trước sắp xếp "
                    "năm 2025 mà đơn vị hiện nay kế thừa; nếu là tên cũ, cần bổ sung vào danh mục đơn vị"
                    + (f"; có phải '{hint}'?" if hint else ".")
                ),
                name,
            )
        )
    total_text = values["total"]
    total = parse_decimal(total_text) if total_text else None
    if total is None:
        problems.append(
            (
                "not_a_number",
                f"tổng điểm không phải số: '{total_text}'." if total_text else "thiếu tổng điểm.",
                total_text or None,
            )
        )
    elif not -_EPS <= total <= 100 + _EPS:
        problems.append(("out_of_range", f"tổng điểm {_fmt(total)} ngoài khoảng từ 0 đến 100.", total_text))
    rank_text = values["rank"]
    if rank_text and not (rank_text.isdigit() and int(rank_text) > 0):
        problems.append(("not_a_number", f"xếp hạng không phải số nguyên dương: '{rank_text}'.", rank_text))
    row_year, year_problem = _year_problem(values["year"], year, path)
    if year_problem:
        problems.append(year_problem)
    if unit_code is not None:
        candidate.identity = previous_identity(matcher, unit_code, name)
    if name and (year_problem is None or not values["year"].isdigit()):
        # A row of another year is not a second copy of this year's result; a blank or unreadable year might be.
        candidate.duplicate_key = (
            (unit_code, match_key(candidate.identity))
            if unit_code is not None and candidate.identity is not None  # identity needs the unit
            else ("", match_key(name))
        )
    if not problems:
        candidate.row = {
            "year": row_year,
            "published_name": name,
            "unit_code": unit_code,
            "identity": candidate.identity,
            "total": total,
            "rank": int(rank_text) if rank_text else None,
            "level": values["level"] or None,
            "source_row": line,
        }
    return candidate


def read_previous_results(paths: list[Path], matcher: UnitMatcher, year: int, work_dir: Path) -> dict[Path, ReadResult]:
    """One ReadResult per file of ``paths`` (the files of last year's published ranking in ket_qua_nam_truoc/), read
    together; ``year`` is the year the results are OF (2025 when scoring 2026). Rows: year, published_name (as
    written, white space collapsed), unit_code, identity (official name of the last-year unit the row is, see
    ``previous_identity``), total, rank, level, source_row. Rejects (reason "Tệp …, dòng …, đơn vị '…': …"):
    ``unknown_unit`` (the name matches no current unit nor any predecessor spelling of the master data; a close name
    is offered, never used), ``not_a_number`` (total or rank), ``out_of_range`` (total outside 0..100),
    ``wrong_year``, ``malformed_line`` and ``duplicate``: every copy of a last-year unit given more than once, in one
    file or over several, however it is spelt ("Sở TN&MT" and "Sở Tài nguyên và Môi trường" are one unit), so that
    unit has no previous result. A file without the needed columns, empty or unreadable has a blocking issue."""
    candidates: list[_Published] = []
    results, opened = _open_all(
        paths, PREVIOUS_COLUMNS, work_dir, "Tệp chỉ có dòng tiêu đề, không có kết quả nào.", "kết quả", matcher.province
    )
    sources = {path: prepared for path, _, prepared in opened}
    names: dict[Path, list[tuple[str | None, str | None]]] = {}
    for path, result, prepared in opened:
        for line, values in table_rows(prepared, PREVIOUS_COLUMNS, result, notes=frozenset({"level"})):
            candidates.append(_check_previous(path, line, values, matcher, year))
            names.setdefault(path, []).append((None, values["published_name"]))
    # Another province's ranking (most of its rows its units): refused whole, as the other systems' values are; its
    # agencies "Sở Tư pháp", "Sở Y tế" would be taken as this province's.
    refused = {p for p, rows in names.items() if refuse_other_province_table(results[p], matcher, rows, "kết quả DTI", p.name)}
    candidates = [c for c in candidates if c.path not in refused]
    copies: dict[tuple[str, str], list[tuple[Path, int]]] = {}
    for candidate in candidates:
        if candidate.duplicate_key is not None:
            copies.setdefault(candidate.duplicate_key, []).append((candidate.path, candidate.line))
    for candidate in candidates:
        dup = candidate.duplicate_key
        others = [c for c in copies.get(dup, []) if c != (candidate.path, candidate.line)] if dup is not None else []
        if others:
            what = candidate.identity or candidate.name
            candidate.problems.append(
                (
                    "duplicate",
                    (
                        f"đơn vị năm trước '{what}' có kết quả ở nhiều dòng (cũng ở "
                        f"{_mention(others, candidate.path)}); loại mọi bản, '{what}' được coi là không "
                        "có kết quả năm trước."
                    ),
                    candidate.name,
                )
            )
        result = results[candidate.path]
        if candidate.problems:
            name = candidate.name or None
            where = _where(candidate.path, candidate.line, f"'{name}'" if name else None, source=sources.get(candidate.path))
            result.rejects += [
                row_reject(
                    candidate.path,
                    candidate.line,
                    rule,
                    where + reason,
                    value,
                    key=name,
                    unit_code=candidate.unit_code,
                    unit_name=name,
                )
                for rule, reason, value in candidate.problems
            ]
        elif candidate.row is not None:  # set when the row had no problem of its own
            result.rows.append(candidate.row)
    for result in results.values():
        result.rejects.sort(key=lambda r: r["row_number"])
    return results


def map_previous(rows: list[dict], matcher: UnitMatcher) -> dict[str, PreviousResult]:
    """One previous result per current unit, from the good rows of ``read_previous_results`` (rows without
    ``identity``, e.g. read back from the warehouse, get it from ``previous_identity``).

    A unit formed in 2025 by merging several agencies (Sở Tài chính with Sở Kế hoạch và Đầu tư, Sở Nông nghiệp và Môi
    trường with Sở Nông nghiệp và Phát triển nông thôn and Sở Tài nguyên và Môi trường…) takes the arithmetic mean,
    unweighted, of the totals of its last-year units that have a result, rounded to 2 decimals; the others are listed in
    ``missing``. Source: for the 34 provinces merged in 2025 the national DTI 2024 was published as the average of the
    pre-merger provinces' main indices (methodology reference §2.2, "Merged provinces (34)", ✅ dantri, vtcnews); the
    same rule is applied to merged agencies (⚠️ an analogy, no provincial text found). A single last-year unit keeps
    its published total.

    The last-year units of a unit are ``Unit.last_year_units`` (its predecessors, else itself), plus, when a row stands
    for the current name and the predecessors leave it out, the unit under its current name (kept, not rejected:
    the predecessor list may have forgotten it). ``merged``: more than one last-year unit, whether or not all have a
    result; ``renamed``: exactly one, whose official name is not the current name (case, diacritics, spacing, "UBND"
    do not matter; "Sở VHTTDL" for "Sở Văn hóa, Thể thao và Du lịch" is no rename). Two rows for the same last-year unit
    are an error of the caller (``ValueError``): ``read_previous_results`` rejects them."""
    groups: dict[str, dict[str, list[dict]]] = {}
    for row in rows:
        code = row.get("unit_code") or matcher.match(row["published_name"])
        if code is None:
            continue
        identity = row.get("identity") or previous_identity(matcher, code, row["published_name"])
        groups.setdefault(code, {}).setdefault(identity, []).append(row)
    previous: dict[str, PreviousResult] = {}
    for code, by_identity in groups.items():
        unit = matcher.units[code]
        for identity, members in by_identity.items():
            if len(members) > 1:
                shown = ", ".join(f"'{r['published_name']}'" for r in members)
                raise ValueError(
                    f"Kết quả năm trước của {unit.name}: đơn vị năm trước '{identity}' có nhiều dòng "
                    f"({shown}); đọc bằng read_previous_results để loại các dòng trùng."
                )
        listed = [spellings[0] for spellings in unit.last_year_units]
        last_year = list(dict.fromkeys([*listed, *by_identity]))
        totals = [float(members[0]["total"]) for members in by_identity.values()]
        # half up, as every published figure (scoring/rounding.py): (70.12 + 70.13) / 2 = 70.125 is 70.13
        total = round_half_up(sum(totals) / len(totals), 2) if len(totals) > 1 else totals[0]
        names = tuple(sorted((r["published_name"] for members in by_identity.values() for r in members), key=sort_key))
        renamed = len(last_year) == 1 and not _same_name(unit, unit.name, last_year[0])
        missing = tuple(sorted((n for n in listed if n not in by_identity), key=sort_key))
        previous[code] = PreviousResult(code, total, names, len(last_year) > 1, renamed, missing)
    return previous
