"""The report on the administrative-reform (CCHC) plan to Sở Nội vụ: progress of every task of the department's plan
for one period (quarter, six months, year), in Vietnamese.

Sheets: "Tổng hợp" (the heading of an official report, counts by status, the department's on-time completion rate,
lead units that have not reported), "Nhiệm vụ" (every task with its lead and collaborating units, deadline, status,
percent done and result document, in the plan's order 1, 2, …, 13, IV.1 …), "Quá hạn" (overdue and due-soon tasks with
the difficulties and proposals of the latest report), "Theo đơn vị" (completion per lead unit with a bar chart, the
department last) and "Lỗi dữ liệu" (rows and files of the plan register and progress reports that could not be used).

Statuses are those of ``mart_task_status`` on the as-of date; report texts come from the latest current submission
(``superseded = false``) of each lead unit for the period or an earlier one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.db import rows_as_dicts
from common.periods import Period, parse_period, periods_closed_by
from common.settings import business_today, now_local
from common.units import province_name
from common.vntext import document_number_key, official_date, same_task_content, sort_key
from scoring.rounding import round_half_up
from scoring.task_status import STATUS_LABELS
from workbooks.excel import (
    FONT_NAME,
    FONT_SIZE,
    Column,
    Table,
    add_band_colors,
    add_bar_chart,
    band_thresholds,
    fill_row,
    frame_records,
    generated_label,
    is_missing,
    merge_row,
    new_workbook,
    save_workbook,
    set_print_layout,
    write_table,
)

SHEET_SUMMARY, SHEET_TASKS, SHEET_OVERDUE, SHEET_UNITS, SHEET_ISSUES = (
    "Tổng hợp",
    "Nhiệm vụ",
    "Quá hạn",
    "Theo đơn vị",
    "Lỗi dữ liệu",
)
SHEETS = (SHEET_SUMMARY, SHEET_TASKS, SHEET_OVERDUE, SHEET_UNITS, SHEET_ISSUES)
SOURCES = ("plan_register", "task_report")
SOURCE_LABELS = {"plan_register": "Sổ kế hoạch", "task_report": "Báo cáo tiến độ"}

# Status codes of mart_task_status in the order of the summary (labels: scoring.task_status.STATUS_LABELS).
STATUS_ORDER = ("completed_on_time", "completed_late", "on_track", "due_soon", "overdue", "no_deadline")
NO_STATUS = "Chưa tính tình trạng"
# Colour cue of each status (Excel's light red / yellow / green / orange / grey fills).
STATUS_FILLS = {
    "overdue": "FFC7CE",
    "due_soon": "FFEB9C",
    "completed_on_time": "C6EFCE",
    "completed_late": "FCE4D6",
    "on_track": "DDEBF7",
    "no_deadline": "EDEDED",
}
NO_REPORT = "(đơn vị chủ trì chưa báo cáo)"
UNKNOWN_LEAD = "(chưa xác định được đơn vị chủ trì)"
NOT_STATED = "(không nêu)"

_BOLD = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
_PLAIN = Font(name=FONT_NAME, size=FONT_SIZE)
_ITALIC = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)
_TITLE = Font(name=FONT_NAME, size=14, bold=True)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_CHUNK = re.compile(r"\d+|[^\W\d_]+")


@dataclass
class TaskReportData:
    period: Period
    as_of: date  # status date: min(period end, today)
    department_code: str
    department_name: str  # from dim_unit
    plan: dict  # plan_number, plan_year, revision, issued_on of the current plan of period.start.year
    tasks: pd.DataFrame  # one row per task in force on as_of, a later revision may remove (see _read_tasks)
    completion: pd.DataFrame  # mart_task_completion rows of period.label (lead units + the department row)
    missing_reports: pd.DataFrame  # mart_task_report_missing of the period: lead units that sent no report
    issues: pd.DataFrame  # quarantine + file_issues rows of the plan register and progress reports of the period
    province: str = "Thái Nguyên"  # from dim_unit of the department
    revisions: list[dict] = field(default_factory=list)  # plan_number, revision, issued_on: every issue up to period end


# --- small helpers ----------------------------------------------------------------------------------------


def task_order_key(task_no: Any) -> tuple:
    """Natural order of task numbers as the plan writes them: 1, 2, …, 10, 13, 14, IV.1, IV.2, IV.10, V.1."""
    key = []
    for chunk in _CHUNK.findall(str(task_no or "").casefold()):
        if chunk.isdigit():
            key.append((0, int(chunk), ()))
        elif all(c in _ROMAN for c in chunk):
            key.append((1, _roman(chunk), ()))
        else:
            key.append((2, 0, sort_key(chunk)))
    return tuple(key)


def _roman(text: str) -> int:
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _as_date(value: Any) -> date | None:
    if is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _codes(value: Any) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    return [str(v) for v in list(value)]


def unidentified_leads(tasks: pd.DataFrame | list[dict]) -> list[dict]:
    """The tasks with a lead unit master data could not identify (no lead code: no office list, or a name it does not
    know; or, of several leads, one it does not know: ``unknown_leads``), by the unknown lead as the plan writes it:
    ``lead_text`` ("" when the plan names none), ``tasks`` (how many), ``task_nos``. Whether these leads have reported
    cannot be told (mart_task_report_missing knows only the units it identified), so a report must say so rather than
    count them as having reported."""
    records = frame_records(tasks) if isinstance(tasks, pd.DataFrame) else tasks
    groups: dict[str, list[str]] = {}
    for t in records:
        unknown = _codes(t.get("unknown_leads"))
        if not _codes(t.get("lead_codes")):
            text = t.get("lead_text")
            groups.setdefault("" if is_missing(text) else str(text).strip(), []).append(str(t["task_no"]))
        elif unknown:
            groups.setdefault("; ".join(unknown), []).append(str(t["task_no"]))
    return [
        {"lead_text": text, "tasks": len(nos), "task_nos": sorted(nos, key=task_order_key)}
        for text, nos in sorted(groups.items(), key=lambda g: sort_key(g[0]))
    ]


def has_identified_lead(tasks: pd.DataFrame | list[dict]) -> bool:
    """Whether any task has a lead unit master data identified (whose reports can be told)."""
    records = frame_records(tasks) if isinstance(tasks, pd.DataFrame) else tasks
    return any(_codes(t.get("lead_codes")) for t in records)


def no_report_text(task: dict) -> str:
    """Why a task has no difficulties or proposals: its lead sent no report, or its lead is not identified."""
    return NO_REPORT if _codes(task.get("lead_codes")) else UNKNOWN_LEAD


def _period_text(label: str | None) -> str:
    try:
        return parse_period(label).vietnamese if label else ""
    except ValueError:
        return label or ""


def _period_end(label: str) -> date:
    """The last day of a period label (2026-Q2); an unreadable one sorts first."""
    try:
        return parse_period(label).end
    except ValueError:
        return date.min


def _day(value: Any) -> str:
    d = _as_date(value)
    return f"{d:%d/%m/%Y}" if d else ""


def closing_labels(period: Period) -> list[str]:
    return [p.label for p in periods_closed_by(period)]


def task_report_name(period: Period) -> str:
    """'bao_cao_tien_do_cchc_2026-Q3.xlsx'."""
    return f"bao_cao_tien_do_cchc_{period.label}.xlsx"


# --- reading ----------------------------------------------------------------------------------------------


def read_task_report_data(con: duckdb.DuckDBPyConnection, period: Period, as_of: date, department_code: str) -> TaskReportData:
    """Everything the report of one period shows, read from the warehouse (or its published snapshot)."""
    year = period.start.year
    dept = rows_as_dicts(con, "SELECT unit_name, province FROM dim_unit WHERE unit_code = ?", [department_code])
    names = {
        r["code"]: r["name"]
        for r in rows_as_dicts(
            con,
            """
        SELECT unit_code AS code, unit_name AS name FROM dim_unit
        UNION ALL SELECT office_code, office_name FROM dim_office""",
        )
    }
    order = {r["office_code"]: r["sort_order"] for r in rows_as_dicts(con, "SELECT office_code, sort_order FROM dim_office")}
    plan = _read_plan(con, year)
    tasks = _read_tasks(con, period, as_of, names)
    reports = _latest_reports(con, period, year)
    tasks = _attach_reports(tasks, reports, names)
    completion = _read_completion(con, period, as_of, order, department_code)
    missing = _missing_reports(con, period, tasks, order)
    issues = _read_issues(con, period)
    # The registers of the plan applying by the end of the period (plan_revision: trial registers and replaced
    # copies left out), each with the number it carries itself (an amending document has its own).
    revisions = rows_as_dicts(
        con,
        """SELECT register_number AS plan_number, revision, issued_on FROM plan_revision
           WHERE plan_year = ? AND in_force_from <= ? ORDER BY revision""",
        [year, period.end],
    )
    return TaskReportData(
        period=period,
        as_of=as_of,
        department_code=department_code,
        department_name=dept[0]["unit_name"] if dept else department_code,
        plan=plan,
        tasks=tasks,
        completion=completion,
        missing_reports=missing,
        issues=issues,
        province=dept[0]["province"] if dept else "Thái Nguyên",
        revisions=revisions,
    )


def _read_plan(con: duckdb.DuckDBPyConnection, year: int) -> dict:
    rows = rows_as_dicts(
        con,
        """
        WITH current AS (SELECT plan_number, plan_year, max(revision) AS revision FROM fct_plan_task
                         WHERE plan_year = ? GROUP BY ALL ORDER BY count(*) DESC, plan_number LIMIT 1)
        SELECT c.*, (SELECT max(r.issued_on) FROM plan_revision r WHERE r.plan_year = c.plan_year
                     AND r.revision = c.revision) AS issued_on
        FROM current c""",
        [year],
    )
    return rows[0] if rows else {"plan_number": None, "plan_year": year, "revision": None, "issued_on": None}


def _read_tasks(con: duckdb.DuckDBPyConnection, period: Period, as_of: date, names: dict[str, str]) -> list[dict]:
    """The tasks of the plan year in force on ``as_of`` with their status that day (or the latest day before it that
    was computed, kept in status_as_of): the current tasks, and those a later revision removed (``_removed_tasks``)."""
    # The task as it stood on the as-of date: a revision issued later (a moved deadline, a new task) is not yet
    # in a report for an earlier period.
    rows = rows_as_dicts(
        con,
        """
        WITH st AS (
            SELECT * FROM mart_task_status WHERE plan_year = ? AND as_of <= ?
            QUALIFY row_number() OVER (PARTITION BY task_no ORDER BY as_of DESC) = 1),
        version AS (
            SELECT h.task_no, h.deadline_text, h.effective_due_date FROM plan_task_history h
            JOIN plan_revision r ON r.source_file = h.source_file
            WHERE r.plan_year = ? AND r.in_force_from <= ?
            QUALIFY row_number() OVER (PARTITION BY h.task_no ORDER BY r.revision DESC) = 1)
        SELECT t.* REPLACE (coalesce(v.deadline_text, t.deadline_text) AS deadline_text,
                            coalesce(v.effective_due_date, t.effective_due_date) AS effective_due_date),
               st.as_of AS status_as_of, st.status, st.status_label, st.percent, st.completed_on, st.days_to_due
        FROM fct_plan_task t LEFT JOIN st USING (plan_year, task_no) LEFT JOIN version v USING (task_no)
        WHERE t.plan_year = ?
          AND (v.task_no IS NOT NULL OR NOT EXISTS (SELECT 1 FROM plan_revision WHERE plan_year = ?))""",
        [period.start.year, as_of, period.start.year, as_of, period.start.year, period.start.year],
    )
    rows += _removed_tasks(con, period.start.year, as_of)
    in_force = _versions_in_force(con, period.start.year, as_of)
    for r in rows:
        r |= in_force.get(r["task_no"], {})
        r["lead_codes"] = _codes(r.get("lead_codes"))
        r["collaborator_codes"] = _codes(r.get("collaborator_codes"))
        known = [names.get(c, c) for c in r["lead_codes"]]  # a lead the master data does not know, as the plan writes it
        r["lead_names"] = "; ".join([*known, *_codes(r.get("unknown_leads"))]) if known else r.get("lead_text")
    rows.sort(key=lambda r: task_order_key(r["task_no"]))
    return rows


def _removed_tasks(con: duckdb.DuckDBPyConnection, year: int, as_of: date) -> list[dict]:
    """The tasks of the current plan's register in force on ``as_of`` that a later revision removed, as that register
    writes them, with their status on ``as_of`` and the revision that removed them (``removed_in_revision``,
    ``removed_on``): from its issue date the task is gone, so a later period's report does not list it."""
    history = rows_as_dicts(
        con,
        """SELECT h.* EXCLUDE (loaded_at, sha256, trial) REPLACE (r.plan_number AS plan_number), r.in_force_from
           FROM plan_revision r JOIN plan_task_history h ON h.source_file = r.source_file WHERE r.plan_year = ?
           ORDER BY r.revision, h.source_row""",
        [year],
    )
    registers: dict[tuple[date, int], dict[str, dict]] = {}
    for h in history:  # in revision order, as warehouse.tasks._plan_tasks reads them
        registers.setdefault((h["in_force_from"], h["revision"]), {}).setdefault(h["task_no"], h)
    keys = list(registers)
    in_force = [i for i, (issued, _) in enumerate(keys) if issued <= as_of]
    if not in_force:
        return []
    current = {r["task_no"] for r in rows_as_dicts(con, "SELECT task_no FROM fct_plan_task WHERE plan_year = ?", [year])}
    statuses = {
        r["task_no"]: r
        for r in rows_as_dicts(
            con,
            """SELECT task_no, as_of AS status_as_of, status, status_label, percent, completed_on, days_to_due
               FROM mart_task_status WHERE plan_year = ? AND as_of <= ?
               QUALIFY row_number() OVER (PARTITION BY task_no ORDER BY as_of DESC) = 1""",
            [year, as_of],
        )
    }
    rows = []
    for task_no, version in registers[keys[in_force[-1]]].items():
        if task_no in current:
            continue
        removal = next((k for k in keys[in_force[-1] + 1 :] if task_no not in registers[k]), None)
        if removal is None:
            continue
        row = {k: v for k, v in version.items() if k not in ("issued_on", "in_force_from")}
        blank = dict.fromkeys(("status_as_of", "status", "status_label", "percent", "completed_on", "days_to_due"))
        rows.append(row | (statuses.get(task_no) or blank) | {"removed_in_revision": removal[1], "removed_on": removal[0]})
    return rows


# What a revision changes in a task (warehouse/tasks.py, _refresh_current_tasks: the same fields).
_WATCHED = ("content", "lead_text", "collaborators_text", "deadline_text", "expected_result", "responsible")


def _versions_in_force(con: duckdb.DuckDBPyConnection, year: int, as_of: date) -> dict[str, dict]:
    """Per task of the current plan (one a later revision removed included), its deadline as the version in force on
    ``as_of`` writes it, and the last revision in force that changed it (with the deadline before, when that revision
    moved it): a report of a period before a revision neither quotes the revision nor calls its new deadline a
    holiday shift of the old one."""
    history = rows_as_dicts(
        con,
        f"""SELECT h.task_no, h.revision, h.due_date, h.provisional, h.deadline_condition, {", ".join("h." + c for c in _WATCHED)}
            FROM plan_revision r JOIN plan_task_history h ON h.source_file = r.source_file
            WHERE r.plan_year = ? AND r.in_force_from <= ?
            ORDER BY h.task_no, r.revision""",
        [year, as_of],
    )
    out: dict[str, dict] = {}
    before: dict[str, dict] = {}
    for v in history:
        task, previous = v["task_no"], before.get(v["task_no"])
        entry = out.setdefault(task, {"first_revision": v["revision"], "changed_in_revision": v["revision"]})
        entry |= {k: v[k] for k in ("due_date", "provisional", "deadline_condition")}
        if previous is not None and any(previous[k] != v[k] for k in _WATCHED):
            entry["changed_in_revision"] = v["revision"]
            # A number given to another task by the revision (renumbered): its old deadline is another task's.
            if not same_task_content(previous["content"], v["content"]):  # the number now names another task
                entry["previous_deadline_text"] = None
            elif previous["deadline_text"] != v["deadline_text"]:
                entry["previous_deadline_text"] = previous["deadline_text"]
        before[task] = v
    for entry in out.values():
        entry.setdefault("previous_deadline_text", None)
    return out


def _latest_reports(con: duckdb.DuckDBPyConnection, period: Period, year: int) -> dict[tuple[str, str], dict]:
    """(task, unit) -> the report row that counts for the period (the view mart_task_report_latest: the latest current
    report of the period or an earlier one, with the latest result document the unit gave for the task)."""
    rows = rows_as_dicts(
        con,
        """SELECT * FROM mart_task_report_latest WHERE for_period = ? AND plan_year = ?
                                 ORDER BY task_no, unit_code""",
        [period.label, year],
    )
    return {(r["task_no"], r["unit_code"]): r for r in rows}


def _doc_text(number: str | None, day: date | None) -> str:
    if number and day:
        return f"{number} ngày {day:%d/%m/%Y}"
    return number or (f"ngày {day:%d/%m/%Y}" if day else "")


def _joined(parts: list[tuple[str, str | None]], labelled: bool) -> str | None:
    parts = [(name, text) for name, text in parts if text]
    if not parts:
        return None
    if not labelled:
        return "\n".join(text for _, text in parts)
    return "\n".join(f"{name}: {text}" for name, text in parts)


def _attach_reports(tasks: list[dict], latest: dict[tuple[str, str], dict], names: dict[str, str]) -> pd.DataFrame:
    """Add the report fields of each task's lead units (labelled by unit when several lead units reported)."""
    by_task: dict[str, list[dict]] = defaultdict(list)
    for (task_no, _), row in latest.items():
        by_task[task_no].append(row)
    for t in tasks:
        leads = t["lead_codes"]
        rows = [r for r in by_task.get(t["task_no"], []) if not leads or r["unit_code"] in leads]
        rows.sort(key=lambda r: leads.index(r["unit_code"]) if r["unit_code"] in leads else len(leads))
        many = len(rows) > 1
        named = [(names.get(r["unit_code"], r["unit_code"]), r) for r in rows]
        docs = [r for r in rows if r["result_doc_number"] or r["result_doc_date"]]
        t.update(
            {
                "reported": bool(rows),
                "report_period": ", ".join(dict.fromkeys(r["period_label"] for r in rows)) or None,
                "report_date": max((r["report_date"] for r in rows), default=None),
                "report_status": _joined([(n, r["status_label"]) for n, r in named], many),
                "result_doc_number": "; ".join(r["result_doc_number"] for r in docs if r["result_doc_number"]) or None,
                "result_doc_date": max((r["result_doc_date"] for r in docs if r["result_doc_date"]), default=None),
                "result_doc": _joined(
                    [
                        (names.get(r["unit_code"], r["unit_code"]), _doc_text(r["result_doc_number"], r["result_doc_date"]))
                        for r in docs
                    ],
                    len(docs) > 1,
                ),
                "difficulties": _joined([(n, r["difficulties"]) for n, r in named], many),
                "proposals": _joined([(n, r["proposals"]) for n, r in named], many),
            }
        )
        if t.get("percent") is None:
            percents = [r["percent"] for r in rows if r["percent"] is not None]
            t["percent"] = sum(percents) / len(percents) if percents else None
    columns = ["task_no", "content", "lead_codes", "lead_names", "status", "status_label", "percent", "reported"]
    return pd.DataFrame(tasks) if tasks else pd.DataFrame(columns=columns)


def _read_completion(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: date, order: dict[str, int], department_code: str
) -> pd.DataFrame:
    """The period's completion rows as of ``as_of`` (or the nearest computed day): units by office order, the
    department last."""
    rows = rows_as_dicts(
        con, "SELECT * FROM mart_task_completion WHERE plan_year = ? AND period_label = ?", [period.start.year, period.label]
    )
    days = sorted({r["as_of"] for r in rows})
    if days:
        chosen = max((d for d in days if d <= as_of), default=days[-1])
        rows = [r for r in rows if r["as_of"] == chosen]
    rows.sort(key=lambda r: (r["unit_code"] == department_code, order.get(r["unit_code"], 10**6), sort_key(r["unit_name"] or "")))
    columns = [
        "plan_year",
        "period_label",
        "as_of",
        "unit_code",
        "unit_name",
        "tasks",
        "due",
        "completed_on_time",
        "completed_late",
        "overdue",
        "on_time_rate",
    ]
    return pd.DataFrame(rows, columns=columns)


def _missing_reports(con: duckdb.DuckDBPyConnection, period: Period, tasks: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """The lead units that sent no report of the period: the view mart_task_report_missing, in the offices' order."""
    columns = ["unit_code", "unit_name", "tasks", "last_period", "last_report_date", "report_due_on", "is_late"]
    if tasks.empty:
        return pd.DataFrame(columns=columns)
    rows = rows_as_dicts(
        con,
        f"""SELECT {", ".join(columns)} FROM mart_task_report_missing
                                  WHERE for_period = ? AND plan_year = ?""",
        [period.label, period.start.year],
    )
    rows.sort(key=lambda r: (order.get(r["unit_code"], 10**6), sort_key(r["unit_name"])))
    return pd.DataFrame(rows, columns=columns)


def _read_issues(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Rejected rows and file problems of the progress reports of the period (or whose period could not be read)
    and of the plan registers of the period's year (or of no plan at all: a register that could not be loaded)."""
    rows = rows_as_dicts(
        con,
        """
        WITH plan_files AS (SELECT DISTINCT source_file, plan_year FROM plan_task_history),
        issues AS (
            SELECT 'row' AS kind, source, file_name, partition_date, row_number, unit_code, unit_name, rule, reason,
                   value, NULL::BOOLEAN AS blocking FROM quarantine WHERE list_contains(?, source)
            UNION ALL
            SELECT 'file', source, file_name, partition_date, NULL, NULL, NULL, rule, reason, NULL, blocking
            FROM file_issues WHERE list_contains(?, source))
        SELECT * FROM issues i
        WHERE (source = 'task_report' AND (partition_date IS NULL OR partition_date BETWEEN ? AND ?))
           OR (source = 'plan_register' AND (
                file_name IN (SELECT source_file FROM plan_files WHERE plan_year = ?)
                OR file_name NOT IN (SELECT source_file FROM plan_files)))
        ORDER BY source, file_name, kind, row_number NULLS FIRST, rule""",
        [list(SOURCES), list(SOURCES), period.start, period.end, period.start.year],
    )
    columns = [
        "kind",
        "source",
        "file_name",
        "partition_date",
        "row_number",
        "unit_code",
        "unit_name",
        "rule",
        "reason",
        "value",
        "blocking",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- derived figures --------------------------------------------------------------------------------------


@dataclass
class _Counts:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def of(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def due(self) -> int:
        return self.of("completed_on_time") + self.of("completed_late") + self.of("overdue")


def _counts(tasks: list[dict]) -> _Counts:
    c = _Counts(total=len(tasks), labels=dict(STATUS_LABELS))
    for t in tasks:
        code = t.get("status") or ""
        c.by_status[code] = c.by_status.get(code, 0) + 1
        if code and t.get("status_label"):
            c.labels[code] = t["status_label"]
    return c


def _unit_rows(data: TaskReportData, tasks: list[dict]) -> tuple[list[dict], dict | None]:
    """Completion per lead unit and for the department (from the mart; computed from the tasks when it has no row
    for the period), with the mean percent done of each unit's tasks."""
    percents: dict[str, list[float]] = defaultdict(list)
    for t in tasks:
        for code in _codes(t.get("lead_codes")):
            if t.get("percent") is not None:
                percents[code].append(float(t["percent"]))
        if t.get("percent") is not None:
            percents[data.department_code].append(float(t["percent"]))
    rows = frame_records(data.completion)
    if not rows:
        groups: dict[str, list[dict]] = defaultdict(list)
        for t in tasks:
            for code in _codes(t.get("lead_codes")):
                groups[code].append(t)
        lead_names = {
            c: n
            for t in tasks
            for c, n in zip(_codes(t.get("lead_codes")), (t.get("lead_names") or "").split("; "), strict=False)
        }
        for code, group in [*groups.items(), (data.department_code, tasks)]:
            c = _counts(group)
            rows.append(
                {
                    "unit_code": code,
                    "unit_name": lead_names.get(code, data.department_name),
                    "tasks": c.total,
                    "due": c.due,
                    "completed_on_time": c.of("completed_on_time"),
                    "completed_late": c.of("completed_late"),
                    "overdue": c.of("overdue"),
                    "on_time_rate": round_half_up(100 * c.of("completed_on_time") / c.due, 1) if c.due else None,
                }
            )
    out, department = [], None
    for r in rows:
        values = percents.get(r["unit_code"], [])
        row = {
            **r,
            "not_due": (r["tasks"] or 0) - (r["due"] or 0),
            "mean_percent": round_half_up(sum(values) / len(values), 1) if values else None,
        }
        if r["unit_code"] == data.department_code:
            department = {**row, "unit_name": f"Toàn Sở ({data.department_name})"}
        else:
            out.append(row)
    return out, department


# --- sheet 1: summary -------------------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    Column("STT", "no", 6, align="center"),
    Column("Nội dung", "label", 46),
    Column("Số nhiệm vụ", "count", 14, "#,##0"),
    Column("Tỷ lệ (%)", "share", 14, "0.0"),
    Column("Ghi chú", "note", 30),
)
MISSING_COLUMNS = (
    Column("STT", "no", 6, align="center"),
    Column("Đơn vị chủ trì", "unit_name", 46),
    Column("Số nhiệm vụ chủ trì", "tasks", 14, "#,##0"),
    Column("Báo cáo gần nhất", "last_period", 14, align="center"),
    Column("Ngày gửi báo cáo gần nhất", "last_report_date", 30, "dd/mm/yyyy", align="left"),
    Column("Hạn gửi báo cáo kỳ này", "report_due_on", 14, "dd/mm/yyyy", align="center"),
    Column("Tình trạng", "lateness", 16),
)


def _abbreviation(code: str) -> str:
    """'19.SKHCN' -> 'SKHCN', for the document number 'Số: …/BC-SKHCN'."""
    return code.split(".")[-1] if code else ""


def plan_citation(data: TaskReportData) -> str:
    """'Kế hoạch số 123/KH-SKHCN ngày 30/12/2025 của Sở … (sửa đổi, bổ sung lần 1 ngày 15/06/2026)': the plan as issued,
    with the revisions issued by the end of the period (a Q1 report does not quote a June revision)."""
    plan = data.plan or {}
    number = plan.get("plan_number")
    if not number:
        return f"Kế hoạch cải cách hành chính năm {data.period.start.year} (chưa có trong kho dữ liệu)"
    first = next((r for r in data.revisions if r["revision"] == 1), None)
    issued = first["issued_on"] if first else (plan.get("issued_on") if int(plan.get("revision") or 1) == 1 else None)
    text = f"Kế hoạch số {number}" + (f" ngày {_day(issued)}" if issued else "") + f" của {data.department_name}"
    text += f" về cải cách hành chính năm {plan.get('plan_year') or data.period.start.year}"
    later = [r for r in data.revisions if r["revision"] > 1]
    if later:
        parts = []
        for r in later:
            own = f" số {r['plan_number']}" if document_number_key(r["plan_number"]) != document_number_key(number) else ""
            parts.append(
                f"sửa đổi, bổ sung lần {r['revision'] - 1}{own}" + (f" ngày {_day(r['issued_on'])}" if r["issued_on"] else "")
            )
        text += " (" + "; ".join(parts) + ")"
    return text


def plan_text(data: TaskReportData) -> str:
    if not (data.plan or {}).get("plan_number"):
        return f"Chưa có kế hoạch cải cách hành chính năm {data.period.start.year} trong kho dữ liệu."
    return (
        f"Thực hiện {plan_citation(data)}, {data.department_name} báo cáo kết quả thực hiện nhiệm vụ cải cách hành chính "
        f"{data.period.vietnamese} như sau:"
    )


def as_of_text(data: TaskReportData, tasks: list[dict]) -> str:
    text = f"Số liệu tính đến hết ngày {data.as_of:%d/%m/%Y}"
    older = sorted(
        {
            _as_date(t.get("status_as_of"))
            for t in tasks
            if t.get("status_as_of") is not None and _as_date(t["status_as_of"]) != data.as_of
        }
    )
    if older:
        stale = sum(1 for t in tasks if _as_date(t.get("status_as_of")) in older)
        text += f" (tình trạng của {stale} nhiệm vụ theo số liệu ngày {older[-1]:%d/%m/%Y}, ngày gần nhất đã tính)"
    if any(t.get("status") is None for t in tasks):
        text += "; một số nhiệm vụ chưa được tính tình trạng"
    return text + "."


def _merged(
    ws: Worksheet, row: int, first: int, last: int, text: str, font: Font, *, align: str = "center", height: float | None = None
) -> None:
    cell = ws.cell(row=row, column=first, value=text)
    cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if last > first:
        merge_row(ws, row, first, last)
    if height:
        ws.row_dimensions[row].height = height


def _text_height(text: str, width: float) -> float:
    lines = max(1, -(-len(text) // max(1, int(width * 0.95))))
    return 16.0 * lines + 2


def _write_heading(ws: Worksheet, data: TaskReportData, tasks: list[dict], made_on: date, generated_at: datetime) -> int:
    """The heading of an official report (ND 30/2020 layout): dated ``made_on``, the report's date; the time of
    writing only as "Lập lúc …". Returns the next free row."""
    n = len(SUMMARY_COLUMNS)
    for i, col in enumerate(SUMMARY_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    total_width = sum(c.width for c in SUMMARY_COLUMNS)
    province = province_name(data.province)
    _merged(ws, 1, 1, 2, province.committee, _PLAIN)
    _merged(ws, 1, 3, n, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _BOLD)
    _merged(ws, 2, 1, 2, data.department_name.upper(), _BOLD)
    _merged(ws, 2, 3, n, "Độc lập - Tự do - Hạnh phúc", _BOLD)
    _merged(ws, 3, 1, 2, f"Số:        /BC-{_abbreviation(data.department_code)}", _PLAIN)
    _merged(ws, 3, 3, n, f"{province.short}, {official_date(made_on)}", _ITALIC)
    _merged(ws, 5, 1, n, "BÁO CÁO", _TITLE, height=22)
    title = f"Kết quả thực hiện nhiệm vụ cải cách hành chính {data.period.vietnamese}"
    _merged(ws, 6, 1, n, title, _BOLD, height=20)
    _merged(ws, 8, 1, n, f"Kính gửi: Sở Nội vụ {province.full}", _PLAIN, height=20)
    row = 10
    for text in (plan_text(data), as_of_text(data, tasks), generated_label(generated_at)):
        _merged(ws, row, 1, n, text, _ITALIC if row > 10 else _PLAIN, align="left", height=_text_height(text, total_width))
        row += 1
    return row + 1


def summary_rows(data: TaskReportData, tasks: list[dict]) -> tuple[list[dict], dict]:
    """Counts by status and the department's on-time completion rate (the total row)."""
    c = _counts(tasks)

    def share(n: int) -> float | None:
        return round_half_up(100 * n / c.total, 1) if c.total else None

    notes = {
        "overdue": f'Chi tiết, nguyên nhân: trang "{SHEET_OVERDUE}"',
        "due_soon": f'Chi tiết: trang "{SHEET_OVERDUE}"',
        "no_deadline": 'Thời hạn trong kế hoạch chưa đọc được (xem trang "Lỗi dữ liệu")',
    }
    rows = [{"no": 1, "label": "Tổng số nhiệm vụ của kế hoạch", "count": c.total, "share": 100.0 if c.total else None}]
    for status in STATUS_ORDER:
        rows.append(
            {
                "no": len(rows) + 1,
                "status": status,
                "label": c.labels.get(status, status),
                "count": c.of(status),
                "share": share(c.of(status)),
                "note": notes.get(status, "") if c.of(status) else "",
            }
        )
    if c.of(""):
        rows.append({"no": len(rows) + 1, "label": NO_STATUS, "count": c.of(""), "share": share(c.of(""))})
    department = next((r for r in frame_records(data.completion) if r["unit_code"] == data.department_code), None)
    if department is not None:
        on_time, due, rate = department["completed_on_time"], department["due"], department["on_time_rate"]
    else:
        on_time, due = c.of("completed_on_time"), c.due
        rate = round_half_up(100 * on_time / due, 1) if due else None
    total = {
        "label": f"Tỷ lệ hoàn thành đúng hạn của {data.department_name} (trên {due} nhiệm vụ đã đến hạn hoặc đã hoàn thành)",
        "count": on_time,
        "share": rate,
        "note": "Hoàn thành đúng hạn / (đúng hạn + hoàn thành quá hạn + quá hạn)" if due else "Chưa có nhiệm vụ đến hạn",
    }
    return rows, total


def _write_summary(wb, data: TaskReportData, tasks: list[dict], made_on: date, generated_at: datetime) -> tuple[Table, Table]:
    ws = wb.create_sheet(SHEET_SUMMARY)
    ws.sheet_view.showGridLines = False
    start = _write_heading(ws, data, tasks, made_on, generated_at)
    rows, total = summary_rows(data, tasks)
    summary = write_table(
        ws,
        SUMMARY_COLUMNS,
        rows,
        title="I. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ",
        subtitles=[f"Kỳ báo cáo: {data.period.vietnamese}; tình trạng tại ngày {data.as_of:%d/%m/%Y}."],
        total=total,
        start_row=start,
    )
    for table_row, r in enumerate(rows, start=summary.first_row):
        if r.get("status") in STATUS_FILLS:
            fill_row(summary, table_row, STATUS_FILLS[r["status"]], ["label"])
    # As the report says: a unit is late only once its report is due (period end + CCHC_TASK_REPORT_DUE_DAYS).
    missing = [
        {
            **r,
            "no": i,
            "last_period": _period_text(r.get("last_period")) or "Chưa gửi",
            "report_due_on": _as_date(r.get("report_due_on")),
            "lateness": "Quá hạn gửi" if r.get("is_late") else "Chưa đến hạn gửi",
        }
        for i, r in enumerate(frame_records(data.missing_reports), start=1)
    ]
    late = sum(1 for r in missing if r.get("is_late") is True)
    unknown = unidentified_leads(data.tasks)
    missing += [
        {
            "no": len(missing) + i,
            "unit_name": f"{u['lead_text'] or 'Kế hoạch không ghi đơn vị chủ trì'} {UNKNOWN_LEAD} - nhiệm vụ "
            + ", ".join(u["task_nos"]),
            "tasks": u["tasks"],
            "last_period": "Không xác định",
            "lateness": "Chưa xác định",
        }
        for i, u in enumerate(unknown, start=1)
    ]
    identified = len(missing) - len(unknown)
    unknown_line = (
        f"{sum(u['tasks'] for u in unknown)} nhiệm vụ chưa xác định được đơn vị chủ trì trong danh mục đơn vị (masterdata): "
        "không biết đơn vị chủ trì các nhiệm vụ này đã gửi báo cáo hay chưa."
    )
    labels = ", ".join(_period_text(label) for label in closing_labels(data.period))
    after = (summary.total_row or summary.last_row) + 3
    missing_table = write_table(
        ws,
        MISSING_COLUMNS,
        missing,
        title="II. ĐƠN VỊ CHỦ TRÌ CHƯA GỬI BÁO CÁO KỲ NÀY",
        start_row=after,
        subtitles=[
            (
                f"Đơn vị chủ trì nhiệm vụ của kế hoạch chưa gửi báo cáo {labels}: {late} đơn vị quá hạn gửi, "
                f"{identified - late} đơn vị chưa đến hạn gửi."
            )
            if identified
            # (no unit missing: the sentence said the units had not reported)
            else f"Các đơn vị chủ trì đã xác định được đã gửi báo cáo {labels}."
            if unknown
            else f"Tất cả đơn vị chủ trì đã gửi báo cáo {labels}.",
            *([unknown_line] if unknown else []),
        ],
        empty_text="Tất cả đơn vị chủ trì đã gửi báo cáo.",
    )
    set_print_layout(ws, portrait=True)
    return summary, missing_table


# --- sheet 2: every task ----------------------------------------------------------------------------------

TASK_COLUMNS = (
    Column("STT", "task_no", 7, align="center"),
    Column("Nội dung nhiệm vụ", "content", 50),
    Column("Đơn vị chủ trì", "lead", 22),
    Column("Đơn vị phối hợp", "collaborators", 22),
    Column("Thời hạn", "deadline", 24),
    Column("Tình trạng", "status", 18),
    Column("Tỷ lệ hoàn thành (%)", "percent", 11, "0"),
    Column("Ngày hoàn thành", "completed_on", 13, "dd/mm/yyyy", align="center"),
    Column("Văn bản kết quả (số, ngày)", "result_doc", 24),
    Column("Ghi chú", "note", 26),
)


def deadline_text(task: dict) -> str:
    """'Quý III/2026\\nHạn: 30/09/2026', '… (dự kiến)' when provisional."""
    written = task.get("deadline_text") or ""
    due = _as_date(task.get("effective_due_date")) or _as_date(task.get("due_date"))
    if due is None:
        return f"{written}\nHạn: chưa xác định".strip()
    line = f"Hạn: {due:%d/%m/%Y}" + (" (dự kiến)" if task.get("provisional") else "")
    return f"{written}\n{line}" if written else line


def _task_note(task: dict) -> str:
    notes = []
    if task.get("provisional") and task.get("deadline_condition"):
        notes.append(f"Điều kiện: {task['deadline_condition']}")
    written, effective = _as_date(task.get("due_date")), _as_date(task.get("effective_due_date"))
    if written and effective and effective != written:
        notes.append(f"Hạn {written:%d/%m/%Y} là ngày nghỉ, lùi sang ngày làm việc tiếp theo")
    changed, first = task.get("changed_in_revision"), task.get("first_revision")
    if changed and first and changed != first:
        previous = task.get("previous_deadline_text")
        notes.append(f"Sửa đổi lần {int(changed) - 1}" + (f" (thời hạn trước: {previous})" if previous else ""))
    removed = task.get("removed_in_revision")
    if removed and not is_missing(removed):
        notes.append(
            f"Bỏ khỏi kế hoạch từ lần sửa đổi {int(removed) - 1}"
            + (f" ngày {_day(task['removed_on'])}" if _as_date(task.get("removed_on")) else "")
        )
    if task.get("report_period"):  # of several lead units' reports, the latest period's
        periods = [label for label in task["report_period"].split(", ") if label]
        notes.append(f"Theo báo cáo {_period_text(max(periods, key=_period_end))}")
    else:
        notes.append("Chưa có báo cáo của đơn vị chủ trì")
    return "; ".join(notes)


def task_rows(tasks: list[dict]) -> list[dict]:
    return [
        {
            "task_no": t["task_no"],
            "content": t.get("content"),
            "lead": t.get("lead_names") or t.get("lead_text"),
            "collaborators": t.get("collaborators_text"),
            "deadline": deadline_text(t),
            "status": t.get("status_label") or NO_STATUS,
            "percent": t.get("percent"),
            "completed_on": _as_date(t.get("completed_on")),
            "result_doc": t.get("result_doc"),
            "note": _task_note(t),
        }
        for t in tasks
    ]


def _legend() -> str:
    names = {"FFC7CE": "đỏ", "FFEB9C": "vàng", "C6EFCE": "xanh lá", "FCE4D6": "cam", "DDEBF7": "xanh dương", "EDEDED": "xám"}
    return (
        "Màu ô Tình trạng: "
        + "; ".join(f"{names[STATUS_FILLS[s]]} = {STATUS_LABELS[s].lower()}" for s in STATUS_ORDER)
        + ". Dòng nhiệm vụ quá hạn tô đỏ."
    )


def _write_tasks(wb, data: TaskReportData, tasks: list[dict], common: list[str]) -> Table:
    ws = wb.create_sheet(SHEET_TASKS)
    table = write_table(
        ws,
        TASK_COLUMNS,
        task_rows(tasks),
        title=f"KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH {data.period.vietnamese.upper()}",
        subtitles=[*common, _legend()],
        freeze_columns=2,
        empty_text="Chưa có nhiệm vụ của kế hoạch trong kho dữ liệu",
    )
    for row, t in enumerate(tasks, start=table.first_row):
        status = t.get("status")
        if status == "overdue":
            fill_row(table, row, STATUS_FILLS["overdue"])
        elif status in STATUS_FILLS:
            fill_row(table, row, STATUS_FILLS[status], ["status"])
    return table


# --- sheet 3: overdue and due soon, with the reasons ------------------------------------------------------

OVERDUE_COLUMNS = (
    Column("STT", "task_no", 7, align="center"),
    Column("Nội dung nhiệm vụ", "content", 42),
    Column("Đơn vị chủ trì", "lead", 20),
    Column("Hạn", "due", 12, "dd/mm/yyyy", align="center"),
    Column("Tình trạng", "status", 16),
    Column("Số ngày quá hạn", "days_late", 10, '#,##0;-#,##0;"vừa hết hạn"'),  # (0: the due day itself has just ended)
    Column("Số ngày còn lại", "days_left", 10, "#,##0"),
    Column("Tỷ lệ hoàn thành (%)", "percent", 11, "0"),
    Column("Khó khăn, vướng mắc", "difficulties", 38),
    Column("Đề xuất, kiến nghị", "proposals", 38),
    Column("Kỳ báo cáo", "report_period", 14, align="center"),
)


def overdue_rows(tasks: list[dict]) -> list[dict]:
    """Overdue tasks (most days late first), then tasks due soon (fewest days left first)."""
    picked = [t for t in tasks if t.get("status") in ("overdue", "due_soon")]
    picked.sort(key=lambda t: (t["status"] != "overdue", (t.get("days_to_due") or 0), task_order_key(t["task_no"])))
    rows = []
    for t in picked:
        days = t.get("days_to_due")
        reported = bool(t.get("reported"))
        rows.append(
            {
                "task_no": t["task_no"],
                "content": t.get("content"),
                "lead": t.get("lead_names") or t.get("lead_text"),
                "due": _as_date(t.get("effective_due_date")),
                "status": t.get("status_label"),
                "days_late": -int(days) if t["status"] == "overdue" and days is not None else None,
                "days_left": int(days) if t["status"] == "due_soon" and days is not None else None,
                "percent": t.get("percent"),
                "difficulties": t.get("difficulties") or (NOT_STATED if reported else no_report_text(t)),
                "proposals": t.get("proposals") or (NOT_STATED if reported else no_report_text(t)),
                "report_period": ", ".join(_period_text(p) for p in (t.get("report_period") or "").split(", ") if p),
            }
        )
    return rows


def _write_overdue(wb, data: TaskReportData, tasks: list[dict], common: list[str]) -> Table:
    ws = wb.create_sheet(SHEET_OVERDUE)
    rows = overdue_rows(tasks)
    table = write_table(
        ws,
        OVERDUE_COLUMNS,
        rows,
        title="NHIỆM VỤ QUÁ HẠN, SẮP ĐẾN HẠN VÀ NGUYÊN NHÂN",
        subtitles=[
            *common,
            (
                "Khó khăn, vướng mắc và đề xuất, kiến nghị theo báo cáo gần nhất của đơn "
                "vị chủ trì; số ngày tính theo ngày dương lịch đến hạn thực tế."
            ),
        ],
        freeze_columns=2,
        empty_text="Không có nhiệm vụ quá hạn hoặc sắp đến hạn.",
    )
    for row, r in enumerate(rows, start=table.first_row):
        fill_row(
            table,
            row,
            STATUS_FILLS["overdue" if r["days_late"] is not None else "due_soon"],
            ["task_no", "status", "days_late", "days_left"],
        )
    return table


# --- sheet 4: per lead unit -------------------------------------------------------------------------------

UNIT_COLUMNS = (
    Column("Đơn vị chủ trì", "unit_name", 36),
    Column("Số nhiệm vụ", "tasks", 10, "#,##0"),
    Column("Đã đến hạn hoặc đã hoàn thành", "due", 12, "#,##0"),
    Column("Hoàn thành đúng hạn", "completed_on_time", 12, "#,##0"),
    Column("Hoàn thành quá hạn", "completed_late", 12, "#,##0"),
    Column("Quá hạn", "overdue", 10, "#,##0"),
    Column("Chưa đến hạn", "not_due", 10, "#,##0"),
    Column("Tỷ lệ hoàn thành đúng hạn (%)", "on_time_rate", 13, "0.0"),
    Column("Tiến độ bình quân (%)", "mean_percent", 12, "0.0"),
)


def _write_units(wb, data: TaskReportData, tasks: list[dict], common: list[str]) -> Table:
    ws = wb.create_sheet(SHEET_UNITS)
    rows, department = _unit_rows(data, tasks)
    table = write_table(
        ws,
        UNIT_COLUMNS,
        rows,
        title="KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ CHỦ TRÌ",
        subtitles=[
            *common,
            (
                "Tỷ lệ hoàn thành đúng hạn = hoàn thành đúng hạn / nhiệm vụ đã đến hạn hoặc đã hoàn thành "
                "(kể cả hoàn thành trước hạn; trống khi chưa có nhiệm vụ nào đến hạn hoặc hoàn thành). Nhiệm vụ nhiều đơn vị chủ trì được "
                "tính cho từng đơn vị; dòng toàn Sở tính mỗi nhiệm vụ một lần."
            ),
        ],
        total=department,
        freeze_columns=1,
        empty_text="Chưa có số liệu theo đơn vị",
    )
    add_band_colors(ws, table.data_range("on_time_rate"), band_thresholds(None, 1.0))
    chart = add_bar_chart(
        table,
        category_key="unit_name",
        value_keys=["completed_on_time", "completed_late", "overdue", "not_due"],
        title="Tiến độ thực hiện nhiệm vụ theo đơn vị",
        value_axis_title="Số nhiệm vụ",
    )
    if chart is not None:
        chart.grouping, chart.overlap = "stacked", 100
    return table


# --- sheet 5: data problems -------------------------------------------------------------------------------

ISSUE_COLUMNS = (
    Column("Nguồn", "source", 16),
    Column("Tệp", "file_name", 36),
    Column("Dòng", "row_number", 8, "0", align="center"),
    Column("Đơn vị", "unit", 24),
    Column("Lý do", "reason", 56),
    Column("Giá trị", "value", 18),
    Column("Mức độ", "level", 20),
)


def issue_rows(issues: pd.DataFrame) -> list[dict]:
    rows = []
    for r in frame_records(issues):
        if r["kind"] == "row":
            level = "Dòng bị loại"
        else:
            level = "Cả tệp không được nạp" if r.get("blocking") else "Lưu ý"
        rows.append(
            {
                "source": SOURCE_LABELS.get(r["source"], r["source"]),
                "file_name": r["file_name"],
                "row_number": r.get("row_number"),
                "unit": r.get("unit_name") or r.get("unit_code") or "",
                "reason": r.get("reason"),
                "value": r.get("value") or "",
                "level": level,
            }
        )
    return rows


def _write_issues(wb, data: TaskReportData, common: list[str]) -> Table:
    ws = wb.create_sheet(SHEET_ISSUES)
    return write_table(
        ws,
        ISSUE_COLUMNS,
        issue_rows(data.issues),
        title="LỖI DỮ LIỆU SỔ KẾ HOẠCH VÀ BÁO CÁO TIẾN ĐỘ",
        subtitles=[*common, "Dòng, tệp không dùng được để tính tiến độ: cần đơn vị sửa và gửi lại."],
        empty_text="Không có",
    )


# --- the workbook -----------------------------------------------------------------------------------------


def write_task_report(
    path: Path, data: TaskReportData, *, made_on: date | None = None, generated_at: datetime | None = None
) -> Path:
    """Write the report of one period to ``path`` atomically and return ``path``. ``made_on`` is the report's date,
    the one its .docx carries (default: the business date, ``CCHC_TODAY``); ``generated_at`` the time of writing."""
    made_on = made_on or business_today()
    generated_at = generated_at or now_local()
    tasks = frame_records(data.tasks)
    tasks.sort(key=lambda t: task_order_key(t.get("task_no")))
    common = [
        f"{data.department_name} — kỳ báo cáo: {data.period.vietnamese}",
        as_of_text(data, tasks),
        generated_label(generated_at),
    ]
    wb = new_workbook(f"Báo cáo kết quả thực hiện nhiệm vụ CCHC {data.period.vietnamese}")
    _write_summary(wb, data, tasks, made_on, generated_at)
    _write_tasks(wb, data, tasks, common)
    _write_overdue(wb, data, tasks, common)
    _write_units(wb, data, tasks, common)
    _write_issues(wb, data, common)
    return save_workbook(wb, Path(path))
