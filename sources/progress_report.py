"""Read a unit's progress report (báo cáo tiến độ: ``inbox/tien_do/``, any file name, .xlsx, .xls, .ods …) into rows, rejects and
issues. No Dagster, no DuckDB.

Layout (``sources/task_formats.py``): title rows, labelled header cells "Đơn vị báo cáo:" (the office's name as
written), "Kỳ báo cáo:" ("Quý I/2026", "6 tháng đầu năm 2026", "Năm 2026") and "Ngày báo cáo:" (a date: ``task_formats.cell_date``), then
the table Số TT nhiệm vụ | Tình trạng | Tỷ lệ hoàn thành (%) | Ngày hoàn thành | Số văn bản kết quả | Ngày văn bản |
Khó khăn, vướng mắc | Đề xuất, kiến nghị (extra columns, such as the task's content, are ignored).

The unit comes from the header, never from the file name; its name is kept as written (``unit_text``) and matched
to a code only when the caller passes ``unit_matcher`` (the loader passes the offices' matcher): an unknown unit
then rejects the whole file. Two reports of one unit for one period are both read: the loader keeps the later
``report_date`` and the earlier as history.

- Rejected rows: no task number, a task number twice (the second), a task not in ``known_tasks`` (when given), a
  missing or unknown status, a percent outside 0-100 or not a number, an unreadable date, a completion or
  result-document date after the report date, or (when ``today`` is given) after today (``future_date:<column>``),
  or before the plan year (the year of the header's period: ``date_before_plan_year:<column>``, "15/01/2025" in a
  report of quý I/2026, its year mistyped), the reason naming the file, row, cell and date.
- A formula saved without its value or an Excel error value (#DIV/0!…) is never read as empty: in the task
  number or the status it rejects the row (``uncalculated_formula``, ``excel_error``), elsewhere the row loads
  without that value and the cell is reported (non-blocking).
- Blocking (the file is not loaded): a heading ("UBND TỈNH …", "SỞ … TỈNH …" above the table) naming another
  province than ``province`` (its former provinces are its own) (``other_province_source``), not a readable workbook (.xlsx, .xls, .ods or an HTML table: a CSV, PDF or
  broken file is refused by ``sources.excel_intake`` saying what it is; no exception escapes), no table, no
  unit or an unknown one, a period that is not a quarter, a half or a year with its year (read by
  ``sources.task_formats.read_report_period``: "Quý I/2026", "Quí 1-2026", "Quý III (2026)", "6 tháng đầu năm 2026",
  "6 tháng năm 2026", "9 tháng đầu năm 2026" as quý III, "Năm 2026"), no or an
  unreadable report date, a report date after ``today`` (``future_report_date``), a period whose year is not the
  report date's beyond the usual lag (``period_date_mismatch``: "Quý III/2025" dated 06/10/2026, last year's template)
  or not a year of the plans in ``known_tasks`` (``period_not_in_plan``), no task row at all (``no_rows``: a blank
  template sent after the real report must not replace it; every row rejected counts as none).
- Non-blocking notes (``RowIssue``, the row loads): a percent written as text ("50%", read as 50), 100 % but not
  completed (or completed below 100 %), completed without a completion date, a completion date while not completed,
  a percent from 0 to 1 in a file that keeps no number formats (.xlsb: ``percent_format_lost``, maybe 50 % typed in
  a '%' cell), Excel's zero date in a date cell (``zero_date``: 0 shown 00/01/1900, read as blank), a hidden row
  (``hidden_cells``), a phone number, ID number or e-mail address masked in a free-text
  column (``personal_data_masked``: the cell named, never the value). A number in a '%' cell (.xlsx, .xls, .ods) is
  read as Excel shows it: 0.5 is 50.
- Sheets and rows the unit does not see: a hidden sheet is never read (named in a note when it holds the table; the
  file is refused when only a hidden sheet does), several visible sheets holding the table refuse the file
  (``multiple_table_sheets``: one report per file); a hidden row of a task that a visible row also reports is
  rejected (``duplicate_task``), the visible one kept whatever their order. The recipients and signature block
  ("Nơi nhận:", "Người lập biểu" …) end the table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from common.periods import end_of_label, parse_period
from common.vntext import AMBIGUOUS_NUMBER, grouped_like, parse_decimal, shorten
from sources.csvfiles import FileIssue, ReadResult, is_total_row, vocabulary_lookup
from sources.excel_intake import SAVE_AS_XLSX, cell_fault, is_percent_format, percent_format_lost
from sources.task_formats import (
    PERIOD_EXAMPLES,
    PERIOD_KINDS,
    REPORT_COLUMNS,
    REPORT_METADATA,
    REPORT_READER_COLUMNS,
    STATUS_LABELS,
    TASK_STATUSES,
    RowIssue,
    Table,
    cell_date,
    cell_text,
    clean_faults,
    column_notes,
    ends_table,
    fault_issue,
    fill_body_merges,
    find_labels,
    is_column_number_row,
    is_section_number,
    is_task_number,
    is_zero_date,
    mask_free_text,
    open_sheets,
    optional_text,
    other_province_issue,
    read_report_period,
    section_numeral,
    table_sheet,
    task_number,
)

_HEADERS = {c.name: c.header for c in REPORT_COLUMNS}
_ROW_REQUIRED = ("task_no", "status")  # a row without either is rejected
# Free text, where a unit may name a citizen: phone, ID numbers and e-mail addresses are masked before storing.
_FREE_TEXT = ("result_doc_number", "difficulties", "proposals")
_LABELS = {name: labels[0] for name, labels in REPORT_METADATA.items()}
_STATUS = vocabulary_lookup(TASK_STATUSES)
_ALLOWED_STATUS = ", ".join(STATUS_LABELS.values())


@dataclass
class ReportResult(ReadResult):
    unit_text: str | None = None  # "Văn phòng Sở", as written in "Đơn vị báo cáo:"
    unit_code: str | None = None  # set only when a unit_matcher was given
    period_text: str | None = None  # "Quý I/2026", as written
    period_label: str | None = None  # "2026-Q1" | "2026-H1" | "2026-Y"
    plan_year: int | None = None  # the year of the period
    report_date: date | None = None
    file_name: str | None = None


def read_progress_report(
    path: Path,
    known_tasks: Collection[str] | Mapping[int, Collection[str]] | None = None,
    *,
    unit_matcher: Callable[[str], str | None] | None = None,
    today: date | None = None,
    watch: Callable[[Path], bool] | None = None,
    unit_hint: Callable[[str], str | None] | None = None,
    province: str | None = None,
) -> ReportResult:
    """Rows: task_no, status (not_started | in_progress | completed | suspended), percent (float | None),
    completed_on, result_doc_number, result_doc_date, difficulties, proposals, source_row. Rejects: file_name,
    row_number, record_key (task number), unit_code, unit_name (the unit as written), rule, reason, value.

    ``known_tasks``: the plan's task numbers, or a mapping plan year -> task numbers (the year of the header's period).
    ``today`` (the day the file is read; None: no check): a report date after it blocks the file
    (``future_report_date``), a completion or result-document date after it rejects the row
    (``future_date:completed_on`` / ``future_date:result_doc_date``, instead of ``date_after_report``).
    ``watch``: tells whether the file is still being copied (then left for the next run, ``deferred``).
    ``province``: the province served; a report headed by another one is refused (``other_province_source``)."""
    path = Path(path)
    result = ReportResult(file_name=path.name)
    sheets = open_sheets(path, result, watch=watch)
    if sheets is None:
        return result
    ws, grid, table, _, sheet_issues = table_sheet(sheets, REPORT_COLUMNS, "bảng tiến độ", "mỗi báo cáo (mỗi kỳ)")
    result.file_issues += sheet_issues
    if table is None:
        return result
    other = other_province_issue(grid, table, province, "báo cáo tiến độ", path.name)
    if other is not None:
        result.file_issues.append(other)
        return result
    found, faults = clean_faults(find_labels(grid, REPORT_METADATA, table.header_top - 1))
    result.file_issues += [fault_issue(f, f"'{_LABELS[name]}'") for name, f in faults.items()]
    _read_metadata(result, found, unit_matcher, today, unit_hint)
    if not any(i.blocking for i in result.file_issues):
        # A plan year the warehouse has: the years of a mapping of task numbers (none when no plan is loaded at all,
        # when nothing can be judged).
        plan_years = set(known_tasks) if isinstance(known_tasks, Mapping) and known_tasks else None
        wrong = period_date_issue(result.period_text, result.period_label, result.report_date, plan_years)
        result.file_issues += [wrong] if wrong else []
    if any(i.blocking for i in result.file_issues):
        return result
    result.file_issues += column_notes(table, REPORT_COLUMNS, REPORT_READER_COLUMNS)
    result.file_issues += fill_body_merges(ws, grid, table, _HEADERS)
    if isinstance(known_tasks, Mapping):  # per plan year: the header's period says which plan applies
        plan_year = result.plan_year
        known_tasks = known_tasks.get(plan_year) if plan_year is not None and plan_year in known_tasks else None
    known = None if known_tasks is None else {task_number(t) for t in known_tasks}
    _read_rows(result, path.name, ws, grid, table, known, today)
    if not result.rows:
        # A report without a task row (the blank template sent again, every row rejected) says nothing of the tasks:
        # loaded, it would supersede the unit's real report of the period and drop its completions. Refused, as the
        # PAR reader refuses an empty form; its rejected rows are still recorded.
        rejected = (
            f" ({len({x['row_number'] for x in result.rejects})} dòng bị loại, xem lý do từng dòng)" if result.rejects else ""
        )
        result.file_issues.append(
            FileIssue(
                "no_rows",
                f"Báo cáo không có dòng nhiệm vụ hợp lệ nào{rejected}; không nạp được tệp. Báo cáo đã gửi trước đó của "
                "đơn vị cho kỳ này (nếu có) vẫn được dùng; đề nghị điền tiến độ các nhiệm vụ rồi gửi lại.",
            )
        )
    result.loadable = not any(i.blocking for i in result.file_issues)
    return result


# How long after its period's end a report may be dated in another year than its period's: the year's closing
# reports (quý IV, 6 tháng cuối năm, năm) and a late report of quý III come in the months after. A report dated
# further away is a template of another year whose "Kỳ báo cáo" was left unchanged (Quý III/2025 dated 06/10/2026).
REPORT_LAG_DAYS = 183


def period_date_issue(
    period_text: str | None, period_label: str | None, report_date: date | None, plan_years: Collection[int] | None
) -> FileIssue | None:
    """The blocking issue of a report whose period cannot be the one meant, or None: it is dated before the period
    began, or its year is not the report date's and the report is not dated within ``REPORT_LAG_DAYS`` after the
    period's end (``period_date_mismatch``; a report sent before its period ends is usual), or its
    year is none of ``plan_years`` (``period_not_in_plan``; None: not checked). Pure: the reason names the period
    read and the date, and says what to fix."""
    end = end_of_label(period_label)
    if end is None or report_date is None or period_label is None:
        return None
    year = int(period_label[:4])
    read = f"'{_LABELS['period']}' ghi '{period_text or period_label}' (kỳ {period_label})"
    fix = (
        f"không nạp được tệp. Đề nghị sửa '{_LABELS['period']}' (hoặc '{_LABELS['report_date']}') cho đúng kỳ "
        "của báo cáo rồi gửi lại (có thể mẫu của kỳ trước chưa được sửa)."
    )
    start = parse_period(period_label).start
    if report_date < start or (report_date.year != year and not end < report_date <= end + timedelta(days=REPORT_LAG_DAYS)):
        return FileIssue(
            "period_date_mismatch",
            f"{read} nhưng '{_LABELS['report_date']}' là {report_date:%d/%m/%Y}: "
            + (
                f"trước ngày bắt đầu kỳ ({start:%d/%m/%Y}); "
                if report_date < start
                else f"năm {report_date.year}, kỳ báo cáo và ngày báo cáo không cùng năm; "
            )
            + fix,
        )
    if plan_years is not None and year not in plan_years:
        years = ", ".join(str(y) for y in sorted(plan_years))
        return FileIssue(
            "period_not_in_plan",
            f"{read}, ngày báo cáo {report_date:%d/%m/%Y}, nhưng không có kế hoạch năm {year} (chỉ có kế hoạch năm "
            f"{years}); {fix}",
        )
    return None


def _read_metadata(
    result: ReportResult,
    found: dict[str, Any],
    unit_matcher: Callable[[str], str | None] | None,
    today: date | None,
    unit_hint: Callable[[str], str | None] | None = None,
) -> None:
    issues = result.file_issues
    result.unit_text = optional_text(found.get("unit"))
    if result.unit_text is None:
        issues.append(
            FileIssue(
                "missing_metadata",
                f"Thiếu '{_LABELS['unit']}' ở đầu báo cáo; không nạp được tệp (đơn vị lấy từ đầu báo cáo, không lấy từ tên tệp).",
            )
        )
    elif unit_matcher is not None:
        result.unit_code = unit_matcher(result.unit_text)
        if result.unit_code is None:
            # Why, when the caller can tell: the closest name, or several units named where one is expected.
            hint = unit_hint(result.unit_text) if unit_hint is not None else None
            issues.append(
                FileIssue(
                    "unknown_unit",
                    f"Đơn vị báo cáo '{shorten(result.unit_text)}' không có trong danh mục phòng, đơn vị của Sở"
                    + (f" ({hint})" if hint else "")
                    + "; không nạp được tệp.",
                )
            )
    result.period_text = optional_text(found.get("period"))
    result.period_label, why = read_report_period(result.period_text or "")
    if result.period_label is None:
        shown = f"không đọc được '{shorten(result.period_text)}' ({why})" if result.period_text else "thiếu"
        issues.append(
            FileIssue(
                "bad_metadata" if result.period_text else "missing_metadata",
                f"'{_LABELS['period']}' {shown}; cần kỳ {PERIOD_KINDS}, ví dụ {PERIOD_EXAMPLES}; không nạp được tệp.",
            )
        )
    else:
        result.plan_year = int(result.period_label[:4])
    report_date, ok = cell_date(found.get("report_date"))
    result.report_date = report_date
    if report_date is None:
        shown = f"không đúng định dạng dd/mm/yyyy: '{shorten(cell_text(found.get('report_date')))}'" if not ok else "thiếu"
        issues.append(
            FileIssue(
                "bad_metadata" if not ok else "missing_metadata",
                f"'{_LABELS['report_date']}' {shown}; không nạp được tệp (cần để biết bản gửi sau).",
            )
        )
    elif today is not None and report_date > today:
        issues.append(
            FileIssue(
                "future_report_date",
                (
                    f"'{_LABELS['report_date']}' {report_date:%d/%m/%Y} sau ngày hôm "
                    f"nay {today:%d/%m/%Y}; không nạp được tệp (đề nghị kiểm tra lại ngày báo cáo)."
                ),
            )
        )


def _percent(value: Any, number_format: str) -> tuple[float | None, bool, str | None]:
    """(percent, written as text with '%', problem reason)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, False, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # a cell formatted 0% holds 0.5 for 50 %; one formatted 0"%" or 0\% holds 30 shown as "30%"
        stored = float(value) * (100 if is_percent_format(number_format) else 1)
        return round(stored, 6), False, None
    text = cell_text(value)
    # "1.000" for a percent is 1 or a typo of 100 (1,000 is none): not guessed, though its grouped reading is out of range
    if grouped_like(text):
        return None, False, f"Cột '{_HEADERS['percent']}': '{text}' {AMBIGUOUS_NUMBER}."
    as_text = text.endswith("%")
    number = parse_decimal(text)
    if number is None:
        return None, as_text, f"Cột '{_HEADERS['percent']}': không phải số: '{shorten(text)}'."
    return number, as_text, None


Problem = tuple[str, str, str | None]  # (rule, reason, value as written)


def _heading_or_total(row: list[Any], values: dict[str, Any], task_no: str | None, known: set[str | None] | None) -> str | None:
    """What a row without a status (none, or the heading's or total's words where it belongs) is when its number cell
    holds a section's number or a total's words, as tables copied from the plan carry them ("I | NHIỆM VỤ TRỌNG TÂM",
    "Tổng cộng | 2 nhiệm vụ"): skipped with a note, not rejected twice (unknown task, no status) for the unit to read
    through; None for any other row."""
    status = cell_text(values["status"])
    if (status and _STATUS(status) is not None) or known is None or task_no in known:
        return None  # (without the plan's numbers a lone letter may be a task's: "a)", "C")
    number = cell_text(values["task_no"])
    if is_total_row([number] if number else [cell_text(v) for v in row]):
        return "dòng tổng"
    # a section's number ("I", "IV.", "c)") or numeral before its title ("IV. TRÁCH NHIỆM …"; not "IV.1"), as the plan has
    if is_section_number(task_no) or (section_numeral(task_no, number) is not None and not any(c.isdigit() for c in number)):
        return "dòng tiêu đề mục"
    return None


def _read_rows(
    result: ReportResult,
    file_name: str,
    ws: Any,
    grid: list[list[Any]],
    table: Table,
    known: set[str | None] | None,
    today: date | None,
) -> None:
    from openpyxl.utils import get_column_letter

    body = list(enumerate(grid[table.header_row :], start=table.header_row + 1))
    if body and is_column_number_row(body[0][1]):
        body = body[1:]
    cols = table.columns
    end = next((i for i, (_, row) in enumerate(body) if ends_table(row, cols["task_no"])), len(body))
    body = body[:end]  # "Nơi nhận:", "Người lập biểu" …: the signature block under the table
    hidden, shown = _hidden_rows(ws, body, cols["task_no"])
    seen: dict[str, int] = {}
    for number, row in body:
        if not any(cell_text(v) for v in row):
            continue  # blank rows are harmless in a report
        values, faults = clean_faults({name: row[col] for name, col in cols.items()})
        task_no = task_number(values["task_no"])
        if heading := _heading_or_total(row, values, task_no, known):
            result.file_issues.append(
                RowIssue(
                    "totals_row" if heading == "dòng tổng" else "section_row",
                    f"Dòng {number} là {heading} ('{shorten(' '.join(cell_text(v) for v in row if cell_text(v)), 80)}'), "
                    "không phải nhiệm vụ: đã bỏ qua.",
                    blocking=False,
                    row_number=number,
                )
            )
            continue
        problems: list[Problem] = []
        notes: list[tuple[str, str]] = []
        for name, fault in faults.items():  # task number and status are required; the rest loads without it
            where = f"Dòng {number}, ô {get_column_letter(cols[name] + 1)}{number} (cột '{_HEADERS[name]}')"
            if name in _ROW_REQUIRED:
                problems.append((fault.rule, f"{where}: {fault.reason}.", str(fault)))
            else:
                result.file_issues.append(fault_issue(fault, where, number, task_no))
        stale = _hidden_row(result, number, task_no, hidden, shown)
        written = cell_text(values["task_no"])
        problems += [stale] if stale else _task_problems(task_no, written, "task_no" in faults, seen, known)
        status_text = cell_text(values["status"])
        status = _STATUS(status_text) if status_text else None
        if status is None and "status" not in faults:
            reason = (
                f"Cột '{_HEADERS['status']}': giá trị không hợp lệ '{shorten(status_text)}' (cho phép: {_ALLOWED_STATUS})."
                if status_text
                else f"Thiếu tình trạng thực hiện (cột '{_HEADERS['status']}')."
            )
            problems.append(("bad_value:status", reason, status_text or None))
        percent: float | None = None
        if "percent" in cols:
            number_format = ws.cell(row=number, column=cols["percent"] + 1).number_format
            percent = _read_percent(values["percent"], number_format, problems, notes, lost=percent_format_lost(ws))
        cells = {name: f"ô {get_column_letter(col + 1)}{number} (cột '{_HEADERS[name]}')" for name, col in cols.items()}
        dates = _read_dates(values, today, result, f"Tệp '{file_name}', dòng {number}", cells, problems, notes)
        if problems or task_no is None:  # no problem and no task number happens only with a faulty task number cell
            result.rejects += [
                {
                    "file_name": file_name,
                    "row_number": number,
                    "record_key": task_no if task_no and is_task_number(task_no) else None,
                    "unit_code": result.unit_code,
                    "unit_name": result.unit_text,
                    "rule": rule,
                    "reason": reason,
                    "value": shorten(value) if value else value,  # what a reason quotes: never a whole pasted text
                }
                for rule, reason, value in problems
            ]
            continue
        seen[task_no] = number
        completed_on = dates["completed_on"]
        notes += _status_notes(status, status_text, percent, completed_on)
        result.file_issues += [
            RowIssue(rule, f"Dòng {number} (nhiệm vụ {task_no}): {text}", blocking=False, row_number=number, record_key=task_no)
            for rule, text in notes
        ]
        texts, masked = mask_free_text(
            {name: optional_text(values.get(name)) for name in _FREE_TEXT},
            {
                name: f"Dòng {number} (nhiệm vụ {task_no}), ô {get_column_letter(cols[name] + 1)}{number} (cột '{_HEADERS[name]}')"
                for name in _FREE_TEXT
                if name in cols
            },
            number,
            task_no,
        )
        result.file_issues += masked
        result.rows.append(
            {
                "task_no": task_no,
                "status": status,
                "percent": percent,
                "completed_on": completed_on,
                "result_doc_number": texts["result_doc_number"],
                "result_doc_date": dates["result_doc_date"],
                "difficulties": texts["difficulties"],
                "proposals": texts["proposals"],
                "source_row": number,
            }
        )


def _hidden_rows(ws: Any, body: list[tuple[int, list[Any]]], task_col: int) -> tuple[set[int], dict[str, int]]:
    """(the hidden rows holding something, the first visible row of each task number)."""
    hidden = {number for number, row in body if ws.row_dimensions[number].hidden and any(cell_text(v) for v in row)}
    shown: dict[str, int] = {}
    for number, row in body:
        key = task_number(row[task_col]) if number not in hidden and cell_fault(row[task_col]) is None else None
        if key is not None:
            shown.setdefault(key, number)
    return hidden, shown


def _hidden_row(
    result: ReportResult, number: int, task_no: str | None, hidden: set[int], shown: Mapping[str, int]
) -> Problem | None:
    """Note a hidden row; a hidden row of a task a visible row also reports is a stale copy: the problem rejecting it
    (the visible row is kept whatever the order)."""
    if number not in hidden:
        return None
    result.file_issues.append(
        RowIssue(
            "hidden_cells",
            f"Dòng {number} bị ẩn; vẫn được đọc như dòng đang hiện. Đề nghị không ẩn dòng (xóa dòng không dùng).",
            blocking=False,
            row_number=number,
            record_key=task_no,
        )
    )
    visible = shown.get(task_no) if task_no else None
    if visible is None:
        return None
    reason = f"Dòng {number} bị ẩn và trùng nhiệm vụ {task_no} với dòng {visible} đang hiện; giữ dòng đang hiện {visible}, loại dòng ẩn."
    return ("duplicate_task", reason, task_no)


def _task_problems(
    task_no: str | None, written: str, faulty: bool, seen: Mapping[str, int], known: set[str | None] | None
) -> list[Problem]:
    """Why a row's task number cannot be loaded: missing, already reported above, or not in the plan register (quoted
    as the unit wrote it, 'NV 99', the number it was read as beside it)."""
    if task_no is None:  # a faulty cell is already reported as such
        return [] if faulty else [("missing_task_no", f"Thiếu số thứ tự nhiệm vụ (cột '{_HEADERS['task_no']}').", None)]
    if not is_task_number(task_no):  # words, or a phone or ID number: quoted as written only (masked there)
        reason = f"Cột '{_HEADERS['task_no']}' ghi '{shorten(written)}': không phải số nhiệm vụ trong sổ kế hoạch."
        return [("unknown_task", reason, written)]
    if task_no in seen:
        return [("duplicate_task", f"Nhiệm vụ {task_no} đã báo cáo ở dòng {seen[task_no]}; giữ dòng đầu tiên.", task_no)]
    if known is not None and task_no not in known:
        shown = f"'{shorten(task_no)}'" if written == task_no else f"{shorten(task_no)} (ghi '{shorten(written)}')"
        return [("unknown_task", f"Nhiệm vụ số {shown} không có trong sổ kế hoạch.", written)]
    return []


def _read_percent(
    value: Any, number_format: str, problems: list[Problem], notes: list[tuple[str, str]], *, lost: bool = False
) -> float | None:
    """The completion percent of a row; a problem when unreadable or outside 0-100, a note when written as text, or
    when a number from 0 to 1 comes from a file that keeps no number formats (``lost``: .xlsb), where 0.5 may be 50 %
    typed in a '%' cell."""
    percent, as_text, bad = _percent(value, number_format)
    shown = cell_text(value)
    if bad:
        problems.append(("bad_value:percent", bad, shown))
    elif percent is not None and not 0 <= percent <= 100:
        # The value as read (a '%' cell holding 80 shows 8000 %, one holding 1.2 shows 120 %), not the cell's raw number.
        problems.append(("bad_percent", f"Tỷ lệ hoàn thành {percent:g}% ngoài khoảng 0-100.", shown))
    elif percent is not None and 0 < percent < 1 and not is_percent_format(number_format) and not lost:
        # 0,8 typed for 80 % (a fraction, as a text or in a General cell) read as 0.8 %: said, never guessed
        notes.append(
            (
                "percent_below_one",
                (
                    f"tỷ lệ hoàn thành '{shown}' đã đọc là {percent:g}%; nếu là {percent * 100:g}% thì đề nghị ghi số "
                    f"{percent * 100:g}."
                ),
            )
        )
    elif as_text:
        notes.append(("percent_as_text", (f"tỷ lệ hoàn thành ghi dạng chữ '{shown}', đã đọc là {percent:g}; đề nghị ghi số.")))
    elif lost and percent is not None and 0 < percent <= 1 and not is_percent_format(number_format):
        notes.append(
            (
                "percent_format_lost",
                (
                    f"tỷ lệ hoàn thành {shown}, đã đọc là {percent:g}%; tệp định dạng này không cho biết ô có định dạng "
                    f"phần trăm không — nếu trong Excel ô hiện {percent * 100:g}% thì đề nghị ghi số {percent * 100:g} "
                    f"hoặc {SAVE_AS_XLSX}."
                ),
            )
        )
    return percent


def _read_dates(
    values: Mapping[str, Any],
    today: date | None,
    result: ReportResult,
    row: str,
    cells: Mapping[str, str],
    problems: list[Problem],
    notes: list[tuple[str, str]],
) -> dict[str, date | None]:
    """The completion and result-document dates of a row; a problem when unreadable or when it cannot be true: after
    today (the day the file is read), after the report date, or before the plan year (the year of the report's
    period: a typo year, "15/01/2025" in a report of quý I/2026, made a late task count as completed on time). Excel's
    zero date (0 in a date cell, shown 00/01/1900) is read as blank, with a note."""
    dates: dict[str, date | None] = {}
    for name in ("completed_on", "result_doc_date"):
        value = values.get(name)
        if is_zero_date(value):
            notes.append(
                (
                    "zero_date",
                    (
                        f"{cells[name]} ghi số 0 (Excel hiện 00/01/1900), không phải một ngày: đọc như để trống. Đề "
                        "nghị ghi ngày dạng dd/mm/yyyy hoặc để trống ô."
                    ),
                )
            )
            value = None
        day, ok = cell_date(value)
        dates[name] = day
        if not ok:
            shown = shorten(cell_text(values[name]))
            problems.append(
                (f"bad_date:{name}", (f"Cột '{_HEADERS[name]}': ngày không đúng định dạng dd/mm/yyyy: '{shown}'."), shown)
            )
        elif day and today and day > today:
            problems.append(
                (
                    f"future_date:{name}",
                    (f"Cột '{_HEADERS[name]}': ngày {day:%d/%m/%Y} sau ngày hôm nay {today:%d/%m/%Y}."),
                    f"{day:%d/%m/%Y}",
                )
            )
        elif day and result.report_date and day > result.report_date:
            problems.append(
                (
                    f"date_after_report:{name}",
                    (f"Cột '{_HEADERS[name]}': ngày {day:%d/%m/%Y} sau ngày báo cáo {result.report_date:%d/%m/%Y}."),
                    f"{day:%d/%m/%Y}",
                )
            )
        elif day and result.plan_year and day.year < result.plan_year:
            problems.append(
                (
                    f"date_before_plan_year:{name}",
                    (
                        f"{row}, {cells[name]}: ngày {day:%d/%m/%Y} trước năm kế hoạch {result.plan_year} (kỳ báo "
                        f"cáo '{shorten(result.period_text)}'), không thể đúng (có thể ghi nhầm năm); dòng không được nạp. Đề "
                        "nghị sửa ngày rồi gửi lại."
                    ),
                    f"{day:%d/%m/%Y}",
                )
            )
    return dates


def _status_notes(
    status: str | None, status_text: str, percent: float | None, completed_on: date | None
) -> list[tuple[str, str]]:
    """Warnings (the row still loads) where status, percent and completion date disagree."""
    notes: list[tuple[str, str]] = []
    if status != "completed" and percent == 100:
        notes.append(("percent_status_mismatch", f"tỷ lệ hoàn thành 100% nhưng tình trạng '{status_text}'."))
    if status == "completed" and percent is not None and percent < 100:
        notes.append(("percent_status_mismatch", f"tình trạng '{status_text}' nhưng tỷ lệ hoàn thành {percent:g}%."))
    if status == "completed" and completed_on is None:
        notes.append(("completed_without_date", "tình trạng hoàn thành nhưng thiếu ngày hoàn thành."))
    if status != "completed" and completed_on is not None:
        notes.append(
            ("date_without_completion", (f"có ngày hoàn thành {completed_on:%d/%m/%Y} nhưng tình trạng '{status_text}'."))
        )
    return notes
