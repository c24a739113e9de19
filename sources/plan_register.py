"""Read a plan register (sổ kế hoạch: ``inbox/ke_hoach/``, .xlsx, .xls, .ods or an HTML table) into its metadata, task rows, rejects and issues.

One file per plan and revision. Sheet "Danh mục nhiệm vụ" (or the one visible sheet holding the table): title rows, the
labelled metadata cells (Số kế hoạch, Ngày ban hành, Năm kế hoạch, Lần ban hành/sửa đổi, Tên kế hoạch), then the
table Số TT | Nội dung công việc | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Kết quả, sản phẩm dự
kiến | Người chịu trách nhiệm (format: ``sources/task_formats.py``). Texts are kept as written (NFC, spaces
collapsed): no deadline is parsed and no unit matched here. No Dagster, no DuckDB.

- A merged cell in the table gives its top-left value to every cell of its range, reported (non-blocking).
- A blank row between tasks is skipped and reported (non-blocking) with its row number.
- A section heading is skipped and reported (``section_row``), never a task: a row whose number is a bare Roman
  numeral or letter ('I', 'IV.', 'A') with neither lead unit nor completion time, or whose text is merged across the
  row ('I | NHIỆM VỤ TRỌNG TÂM' over the columns). The recipients and signature block under the table ("Nơi nhận:",
  "KT. GIÁM ĐỐC", or a bare "GIÁM ĐỐC" alone on its row) and a footnote ("Ghi chú:", "(*) …" in the number column)
  end it.
- The table's header repeated inside it (a Word table pasted over two pages repeats it on the second: "Số TT | Nội
  dung công việc | …", and its '(1) (2) (3)' row) is skipped with a note (``repeated_header``), never a task.
- A section whose numbering starts again ("IV. TỔ CHỨC THỰC HIỆN" then 1., 2., … after tasks 1–13) numbers its tasks
  with the section's numeral (IV.1, IV.2, …), with a note (``section_numbering``); without it they would be
  duplicates of tasks 1–6.
- Text in the number column that is not a task number ("Nhiệm vụ khác", "b)" with a lead unit; a number is digits,
  a section numeral or letter with a number as IV.1, or a bare letter or Roman numeral: ``is_task_number``) rejects
  the row (``bad_task_no``).
- A phone number, ID number or e-mail address in a task's texts is masked before storing, the cell named in a note
  (``personal_data_masked``), never the value.
- A hidden sheet is never read (named in a note when it holds the table; the file is refused when only a hidden
  sheet does); several visible sheets holding the table refuse the file (``multiple_table_sheets``).
- A row without task number or content, and the second row of a task number already seen, are rejected.
- A file that is not a readable workbook (a CSV, PDF or Word file, a workbook cut short or broken, …) is one
  blocking issue saying what it is (``sources.excel_intake``); no exception escapes.
- A cell holding a formula saved without its value or an Excel error value (#DIV/0!, #REF!…) is never read as
  empty: in the task number or the content it rejects the row (``uncalculated_formula``, ``excel_error``),
  elsewhere the row loads without that value and the cell is reported (non-blocking).
- A register whose heading ("UBND TỈNH …", "SỞ … TỈNH …" above the table) names another province than the one
  served (``province``; its former provinces are its own: "UBND TỈNH BẮC KẠN" for Thái Nguyên) is refused
  (``other_province_source``): its tasks would become this province's plan.
- A register without plan number or plan year, without the table, or without any task cannot be loaded (blocking):
  loading it would replace the plan's tasks with nothing or file them under no plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from common.vntext import match_key
from sources.csvfiles import FileIssue, ReadResult
from sources.task_formats import (
    PLAN_COLUMNS,
    PLAN_METADATA,
    PLAN_SHEET,
    RowIssue,
    Table,
    cell_date,
    cell_text,
    clean_faults,
    column_notes,
    document_number,
    ends_table,
    fault_issue,
    fill_body_merges,
    find_labels,
    header_keys,
    is_column_number_row,
    is_section_number,
    is_task_number,
    mask_free_text,
    open_sheets,
    optional_lines,
    optional_text,
    other_province_issue,
    section_numeral,
    table_sheet,
    task_number,
)

_HEADERS = {c.name: c.header for c in PLAN_COLUMNS}
_ROW_REQUIRED = ("task_no", "content")  # a row without either is rejected
# Every text of a task, in the rows' order: phone, ID numbers and e-mail addresses are masked before storing.
_FREE_TEXT = ("content", "lead_text", "collaborators_text", "deadline_text", "expected_result", "responsible")
# Units written one per line keep their line breaks: they separate units as ';' does (sources/task_units.py).
_UNIT_TEXT = ("lead_text", "collaborators_text")


def _letter(table: Table, name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(table.columns[name] + 1)


_LABELS = {name: labels[0] for name, labels in PLAN_METADATA.items()}


@dataclass
class RegisterResult(ReadResult):
    plan_number: str | None = None  # "123/KH-SKHCN"
    plan_year: int | None = None
    revision: int | None = None  # 1 = first issue; a later revision of the same plan supersedes it
    issued_on: date | None = None
    title: str | None = None
    sheet_name: str | None = None
    file_name: str | None = None


def read_plan_register(path: Path, *, watch: Callable[[Path], bool] | None = None, province: str | None = None) -> RegisterResult:
    """Rows: task_no, content, lead_text, collaborators_text, deadline_text, expected_result, responsible,
    source_row. Rejects: file_name, row_number, record_key (task number), unit_code, unit_name (None), rule,
    reason (Vietnamese), value. ``watch``: tells whether the file is still being copied (left for the next run).
    ``province``: the province served; a register headed by another one ("UBND TỈNH THÁI NGUYÊN" while serving Bắc
    Ninh) is refused (``other_province_source``)."""
    path = Path(path)
    result = RegisterResult(file_name=path.name)
    sheets = open_sheets(path, result, watch=watch)
    if sheets is None:
        return result
    ws, grid, table, _, sheet_issues = table_sheet(
        sheets, PLAN_COLUMNS, "bảng nhiệm vụ", "mỗi sổ kế hoạch (mỗi lần ban hành, sửa đổi)"
    )
    result.file_issues += sheet_issues
    if table is None:
        return result
    result.sheet_name = ws.title
    if match_key(ws.title) != match_key(PLAN_SHEET):
        result.file_issues.append(
            FileIssue(
                "sheet_name", f"Bảng nhiệm vụ nằm ở trang '{ws.title}', không phải '{PLAN_SHEET}'; vẫn đọc.", blocking=False
            )
        )
    other = other_province_issue(grid, table, province, "sổ kế hoạch", path.name)
    if other is not None:
        result.file_issues.append(other)
        return result
    found, faults = clean_faults(find_labels(grid, PLAN_METADATA, table.header_top - 1))
    result.file_issues += [fault_issue(f, f"'{_LABELS[name]}'") for name, f in faults.items()]
    _read_metadata(result, found)
    result.file_issues += column_notes(table, PLAN_COLUMNS)
    if any(i.blocking for i in result.file_issues):
        return result
    headings = _merged_headings(ws, table)
    result.file_issues += [i for i in fill_body_merges(ws, grid, table, _HEADERS) if i.row_number not in headings]
    hidden = {n for n, d in getattr(ws, "row_dimensions", {}).items() if d.hidden and n > table.header_row}
    _read_rows(result, path.name, grid, table, headings, hidden)
    if not result.rows:
        result.file_issues.append(FileIssue("no_rows", "Sổ kế hoạch không có nhiệm vụ hợp lệ nào; không nạp được tệp."))
    result.loadable = not any(i.blocking for i in result.file_issues)
    return result


def _read_metadata(result: RegisterResult, found: dict[str, Any]) -> None:
    issues = result.file_issues
    result.plan_number = document_number(found.get("plan_number"))
    if not result.plan_number:
        issues.append(FileIssue("missing_metadata", f"Thiếu '{_LABELS['plan_number']}' ở đầu trang; không nạp được tệp."))
    year_text = cell_text(found.get("plan_year"))
    year = re.fullmatch(r"(?:năm\s*)?((?:19|20)\d{2})", year_text, re.IGNORECASE)
    if year:
        result.plan_year = int(year.group(1))
    elif year_text:
        issues.append(
            FileIssue(
                "bad_metadata", f"'{_LABELS['plan_year']}' không hợp lệ: '{year_text}' (cần năm, ví dụ 2026); không nạp được tệp."
            )
        )
    else:
        issues.append(FileIssue("missing_metadata", f"Thiếu '{_LABELS['plan_year']}' ở đầu trang; không nạp được tệp."))
    revision_text = cell_text(found.get("revision"))
    revision = re.fullmatch(r"(?:lần\s*(?:thứ\s*)?)?(\d{1,2})", revision_text, re.IGNORECASE)
    if revision and int(revision.group(1)) >= 1:
        result.revision = int(revision.group(1))
    elif revision_text:
        issues.append(
            FileIssue(
                "bad_metadata",
                f"'{_LABELS['revision']}' không hợp lệ: '{revision_text}' (cần số 1, 2, …); "
                "không nạp được tệp vì không biết bản này thay thế bản nào.",
            )
        )
    else:
        result.revision = 1
        issues.append(
            FileIssue("missing_metadata", f"Thiếu '{_LABELS['revision']}': coi là ban hành lần đầu (1).", blocking=False)
        )
    issued, ok = cell_date(found.get("issued_on"))
    if ok and issued is not None and result.plan_year and not result.plan_year - 1 <= issued.year <= result.plan_year:
        # A plan of 2026 is issued in 2025 or 2026: another year is a slip (a digit string read as a day number, 2062).
        issues.append(
            FileIssue(
                "bad_metadata",
                f"'{_LABELS['issued_on']}' {issued:%d/%m/%Y} không thuộc năm {result.plan_year - 1} hay "
                f"{result.plan_year} của kế hoạch: '{cell_text(found.get('issued_on'))}'; để trống.",
                blocking=False,
            )
        )
        issued = None
    result.issued_on = issued
    if not ok:
        issues.append(
            FileIssue(
                "bad_metadata",
                f"'{_LABELS['issued_on']}' không đúng định dạng dd/mm/yyyy: '{cell_text(found.get('issued_on'))}'; để trống.",
                blocking=False,
            )
        )
    elif issued is None:
        issues.append(FileIssue("missing_metadata", f"Thiếu '{_LABELS['issued_on']}' ở đầu trang.", blocking=False))
    result.title = optional_text(found.get("title"))


def _merged_headings(ws: Any, table: Table) -> set[int]:
    """Rows below the header whose text is merged across the row (one range over the content column and the task
    number, lead unit or completion time column): section headings such as 'I | NHIỆM VỤ TRỌNG TÂM'."""
    cols = table.columns
    content = cols["content"] + 1
    others = {cols[name] + 1 for name in ("task_no", "lead_text", "deadline_text")}
    return {
        rng.min_row
        for rng in ws.merged_cells.ranges
        if rng.min_row == rng.max_row > table.header_row
        and rng.min_col <= content <= rng.max_col
        and any(rng.min_col <= c <= rng.max_col for c in others)
    }


_HEADER_KEYS = header_keys(PLAN_COLUMNS)


def _repeated_header(number: int, row: list[Any], values: dict[str, Any]) -> RowIssue | None:
    """The note of a row that repeats the table's header (its number and content cells hold those columns' labels) or
    its '(1) (2) (3)' row, as a Word table pasted over two pages does; None for any other row."""
    labels = all(match_key(cell_text(values.get(name))) in _HEADER_KEYS[name] for name in ("task_no", "content"))
    if not labels and not is_column_number_row(row):
        return None
    return RowIssue(
        "repeated_header",
        f"Dòng {number} lặp lại dòng tiêu đề của bảng (bảng dán từ Word sang nhiều trang lặp lại tiêu đề ở mỗi trang): "
        "đã bỏ qua, không phải nhiệm vụ.",
        blocking=False,
        row_number=number,
    )


@dataclass
class _Section:
    """The section heading the rows are under (its Roman numeral) and whether the section numbers its tasks again
    from 1 (known from its first task: None until then)."""

    numeral: str | None = None
    restarted: bool | None = None

    def task_no(self, task_no: str | None, number: int, seen: dict[str, int], issues: list[FileIssue]) -> str | None:
        """The task number of a row of the section: "IV.1" for "1" when the section's numbering starts again (its first
        task's number is one already used), with a note on that first row."""
        if not self.numeral or not task_no:
            return task_no
        if not task_no.isdigit():
            self.restarted = bool(self.restarted)
            return task_no
        if self.restarted is None:
            self.restarted = task_no in seen
            if self.restarted:
                issues.append(
                    RowIssue(
                        "section_numbering",
                        f"Dòng {number}: mục {self.numeral} đánh số lại từ {task_no} (trùng số nhiệm vụ đã có ở dòng "
                        f"{seen[task_no]}); các nhiệm vụ của mục được đánh số {self.numeral}.{task_no}, "
                        f"{self.numeral}.… Báo cáo tiến độ ghi nhiệm vụ theo số này.",
                        blocking=False,
                        row_number=number,
                    )
                )
        return f"{self.numeral}.{task_no}" if self.restarted else task_no


def _section_heading(task_no: str | None, values: dict[str, Any], merged: bool) -> bool:
    """A section heading: its text merged across the row, or a section number with neither lead unit nor deadline."""
    if merged:
        return True
    return is_section_number(task_no) and not cell_text(values["lead_text"]) and not cell_text(values["deadline_text"])


def _number_problems(task_no: str | None, cell: Any, faulty: bool, seen: dict[str, int]) -> list[tuple[str, str, str | None]]:
    """What is wrong with a row's task number: missing (unless its cell's fault says so), not the shape of one (text
    such as "Nhiệm vụ khác": ``is_task_number``), or already given to an earlier row."""
    if task_no is None:
        return [] if faulty else [("missing_task_no", f"Thiếu số thứ tự nhiệm vụ (cột '{_HEADERS['task_no']}').", None)]
    if not is_task_number(task_no):
        shown = cell_text(cell)
        reason = (
            f"'{shown}' ở cột '{_HEADERS['task_no']}' không phải số thứ tự nhiệm vụ (cần số như 1, 2 hoặc số mục và số "
            "như IV.1): dòng không được nạp. Nếu đây là ghi chú hay tiêu đề mục, đề nghị để ngoài bảng hoặc chỉ ghi số "
            "La Mã của mục."
        )
        return [("bad_task_no", reason, shown)]
    if task_no in seen:
        reason = f"Số thứ tự nhiệm vụ '{task_no}' trùng với nhiệm vụ ở dòng {seen[task_no]}; giữ dòng đầu tiên, loại dòng này."
        return [("duplicate_task", reason, task_no)]
    return []


def _serial_as_date(value: Any) -> Any:
    """A deadline pasted as a value (Excel's serial day number, 46295 in a General cell) as its date; else as is (a
    year typed as 2026 is no serial)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell_date(value)[0] or value
    return value


def _read_rows(
    result: RegisterResult,
    file_name: str,
    grid: list[list[Any]],
    table: Table,
    headings: Collection[int] = (),
    hidden: Collection[int] = (),
) -> None:
    """The register's tasks under its header; ``hidden``: the sheet's hidden rows (read as shown, each noted: a row
    hidden to "take a task out" is still a task of the plan until it is deleted)."""
    body = list(enumerate(grid[table.header_row :], start=table.header_row + 1))
    if body and is_column_number_row(body[0][1]):
        body = body[1:]
    cols = table.columns
    end = next((i for i, (_, row) in enumerate(body) if ends_table(row, cols["content"], cols["task_no"])), len(body))
    body = body[:end]  # "Nơi nhận:", "KT. GIÁM ĐỐC", "Ghi chú:" …: the signature block or a footnote under the table
    last_filled = max((n for n, row in body if any(cell_text(v) for v in row)), default=0)
    seen: dict[str, int] = {}
    section = _Section()
    for number, row in body:
        if number > last_filled:
            break
        if not any(cell_text(v) for v in row):
            result.file_issues.append(
                RowIssue("blank_row", f"Dòng {number} trống giữa bảng nhiệm vụ: đã bỏ qua.", blocking=False, row_number=number)
            )
            continue
        if number in hidden:
            result.file_issues.append(
                RowIssue(
                    "hidden_cells",
                    f"Dòng {number} bị ẩn; vẫn được đọc như dòng đang hiện (nhiệm vụ vẫn được theo dõi). Nếu nhiệm vụ đã "
                    "bị bỏ khỏi kế hoạch, đề nghị xóa dòng và ban hành bản sửa đổi thay vì ẩn dòng.",
                    blocking=False,
                    row_number=number,
                )
            )
        values, faults = clean_faults({name: row[col] for name, col in table.columns.items()})
        repeated = _repeated_header(number, row, values)
        if repeated is not None:
            result.file_issues.append(repeated)
            continue
        task_no = task_number(values["task_no"])
        content = optional_text(values["content"])
        if _section_heading(task_no, values, number in headings):
            section = _Section(section_numeral(task_no, cell_text(values["task_no"])))
            shown = " ".join(t for t in (cell_text(values["task_no"]), content or "") if t)
            result.file_issues.append(
                RowIssue(
                    "section_row",
                    f"Dòng {number}: '{shown}' là tiêu đề mục của kế hoạch, không phải nhiệm vụ; đã bỏ qua.",
                    blocking=False,
                    row_number=number,
                )
            )
            continue
        task_no = section.task_no(task_no, number, seen, result.file_issues)
        problems: list[tuple[str, str, str | None]] = []
        for name, fault in faults.items():  # the task number and content are required; the rest loads without it
            where = f"Dòng {number}, ô {_letter(table, name)}{number} (cột '{_HEADERS[name]}')"
            if name in _ROW_REQUIRED:
                problems.append((fault.rule, f"{where}: {fault.reason}.", str(fault)))
            else:
                result.file_issues.append(fault_issue(fault, where, number, task_no))
        problems += _number_problems(task_no, values["task_no"], "task_no" in faults, seen)
        if content is None and "content" not in faults:
            problems.append(
                (
                    "missing_content",
                    (f"Nhiệm vụ {task_no or '(không số)'}: thiếu nội dung công việc (cột '{_HEADERS['content']}')."),
                    None,
                )
            )
        if problems or task_no is None:  # a task number cell with a fault is among the problems
            result.rejects += [
                {
                    "file_name": file_name,
                    "row_number": number,
                    # (a phone or ID number read as a number is no task's key: quoted masked in the value only)
                    "record_key": task_no if task_no and is_task_number(task_no) else None,
                    "unit_code": None,
                    "unit_name": None,
                    "rule": rule,
                    "reason": reason,
                    "value": value,
                }
                for rule, reason, value in problems
            ]
            continue
        seen[task_no] = number
        values["deadline_text"] = _serial_as_date(values.get("deadline_text"))
        texts, masked = mask_free_text(
            {name: (optional_lines if name in _UNIT_TEXT else optional_text)(values.get(name)) for name in _FREE_TEXT},
            {
                name: f"Dòng {number} (nhiệm vụ {task_no}), ô {_letter(table, name)}{number} (cột '{_HEADERS[name]}')"
                for name in _FREE_TEXT
                if name in table.columns
            },
            number,
            task_no,
        )
        result.file_issues += masked
        result.rows.append({"task_no": task_no, **texts, "source_row": number})
