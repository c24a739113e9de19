"""Task progress in the warehouse: the plan registers (every revision kept), the units' progress reports (every
submission kept, the latest per unit and period used), the status of every task on every day, and on-time
completion rates per lead unit and for the department."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from common.task_status import STATUS_LABELS, effective_due, task_status
from common.units import Unit
from sources.deadlines import DeadlineError, parse_deadline
from sources.plan_register import RegisterResult, read_plan_register
from sources.progress_report import ReportResult, read_progress_report
from sources.task_units import resolve_units
from warehouse.landing import insert_many, transaction

REGISTER_SOURCE = "plan_register"
REPORT_SOURCE = "task_report"
REGISTER_DIR = "ke_hoach"
REPORT_DIR = "tien_do"


def load_offices(con: duckdb.DuckDBPyConnection, offices: Sequence[Unit]) -> int:
    with transaction(con):
        con.execute("DELETE FROM dim_office")
        insert_many(con, "INSERT INTO dim_office VALUES (?, ?, ?, ?, ?, ?)",
                    [(o.code, o.name, o.kind, o.parent, list(o.aliases), i) for i, o in enumerate(offices)])
    return len(offices)


# --- plan registers ------------------------------------------------------------------------------------------

@dataclass
class _Issue:
    file_name: str
    rule: str
    reason: str
    blocking: bool = False


def _register_files(inbox: Path) -> list[Path]:
    folder = inbox / REGISTER_DIR
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$")) if folder.exists() else []


def _task_rows(result: RegisterResult, path: Path, units: Sequence[Unit], offices: Sequence[Unit],
               issues: list[_Issue]) -> list[dict]:
    rows = []
    for r in result.rows:
        where = f"nhiệm vụ {r['task_no']} (dòng {r['source_row']})"
        deadline = None
        if r.get("deadline_text"):
            try:
                deadline = parse_deadline(r["deadline_text"], default_year=result.plan_year)
            except DeadlineError as err:
                issues.append(_Issue(path.name, "unparsed_deadline", f"{where}: {err}"))
        else:
            issues.append(_Issue(path.name, "missing_deadline", f"{where}: không ghi thời gian hoàn thành."))
        resolved = {}
        for role in ("lead", "collaborators"):
            text = r.get(f"{role}_text") or ""
            res = resolve_units(text, units, offices)
            resolved[role] = list(res.codes)
            for part in res.unmatched:
                issues.append(_Issue(path.name, "unknown_unit",
                                     f"{where}: đơn vị '{part}' ({'chủ trì' if role == 'lead' else 'phối hợp'}) "
                                     "không có trong danh mục đơn vị, phòng thuộc Sở."))
        rows.append({
            **r, "lead_codes": resolved["lead"], "collaborator_codes": resolved["collaborators"],
            "deadline_kind": deadline.kind if deadline else None, "due_date": deadline.due if deadline else None,
            "effective_due_date": effective_due(deadline.due) if deadline else None,
            "provisional": deadline.provisional if deadline else None,
            "deadline_condition": deadline.condition if deadline else None,
        })
    return rows


def load_plan_registers(con: duckdb.DuckDBPyConnection, inbox: Path, *, units: Sequence[Unit],
                        offices: Sequence[Unit], now: datetime) -> dict:
    """Read every register in ``inbox/ke_hoach``; keep every version of every task; the current tasks of a plan
    year are those of its latest revision (a revision is a whole register that supersedes the earlier one)."""
    history, rejects, issues, lineage = [], [], [], []
    registers: list[tuple[RegisterResult, list[dict]]] = []
    for path in _register_files(inbox):
        result = read_plan_register(path)
        issues += [_Issue(path.name, i.rule, i.reason, i.blocking) for i in result.file_issues]
        rejects += result.rejects
        rejected_rows = len({r["row_number"] for r in result.rejects})
        status = "rejected" if not result.loadable else ("partly_loaded" if rejected_rows else "loaded")
        lineage.append((REGISTER_SOURCE, path.name, result.issued_on, result.sha256, result.size_bytes, "xlsx",
                        status, len(result.rows) + rejected_rows, len(result.rows), rejected_rows, now, now))
        if not result.loadable:
            continue
        rows = _task_rows(result, path, units, offices, issues)
        registers.append((result, rows))
        history += [(result.plan_number, result.plan_year, result.revision, result.issued_on, path.name, r["source_row"],
                     r["task_no"], r["content"], r.get("lead_text"), r.get("collaborators_text"), r.get("deadline_text"),
                     r["deadline_kind"], r["due_date"], r["effective_due_date"], r["provisional"],
                     r["deadline_condition"], r.get("expected_result"), r.get("responsible"), now) for r in rows]
    current = _current_tasks(registers)
    with transaction(con):
        con.execute("DELETE FROM plan_task_history")
        insert_many(con, f"INSERT INTO plan_task_history VALUES ({', '.join('?' * 19)})", history)
        con.execute("DELETE FROM fct_plan_task")
        insert_many(con, f"INSERT INTO fct_plan_task VALUES ({', '.join('?' * 22)})", current)
        for table in ("quarantine", "file_issues", "landed_files"):
            con.execute(f"DELETE FROM {table} WHERE source = ?", [REGISTER_SOURCE])
        insert_many(con, "INSERT INTO quarantine VALUES (?, ?, NULL, ?, NULL, NULL, ?, ?, ?, ?, ?)",
                    [(REGISTER_SOURCE, r["file_name"], r["row_number"], r.get("record_key"), r["rule"], r["reason"],
                      r.get("value"), now) for r in rejects])
        insert_many(con, "INSERT INTO file_issues VALUES (?, ?, NULL, ?, ?, ?, ?)",
                    [(REGISTER_SOURCE, i.file_name, i.rule, i.reason, i.blocking, now) for i in issues])
        insert_many(con, "INSERT INTO landed_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", lineage)
    return {"registers": len(lineage), "plans": len({r.plan_year for r, _ in registers}), "task_versions": len(history),
            "current_tasks": len(current), "rejected_rows": len({(r["file_name"], r["row_number"]) for r in rejects}),
            "issues": len(issues)}


def _current_tasks(registers: list[tuple[RegisterResult, list[dict]]]) -> list[tuple]:
    """Per plan year, the tasks of the latest revision, with the revision each first appeared and last changed."""
    by_year: dict[int, list[tuple[RegisterResult, list[dict]]]] = defaultdict(list)
    for result, rows in registers:
        by_year[result.plan_year].append((result, rows))
    out = []
    watched = ("content", "lead_text", "collaborators_text", "deadline_text", "expected_result", "responsible")
    for versions in by_year.values():
        versions.sort(key=lambda v: (v[0].revision, v[0].issued_on or date.min))
        first: dict[str, int] = {}
        changed: dict[str, int] = {}
        previous_deadline: dict[str, str | None] = {}
        seen: dict[str, dict] = {}
        for result, rows in versions:
            for r in rows:
                before = seen.get(r["task_no"])
                first.setdefault(r["task_no"], result.revision)
                if before is None or any(before.get(k) != r.get(k) for k in watched):
                    changed[r["task_no"]] = result.revision
                    if before is not None and before.get("deadline_text") != r.get("deadline_text"):
                        previous_deadline[r["task_no"]] = before.get("deadline_text")
                seen[r["task_no"]] = r
        latest, rows = versions[-1]
        for r in rows:
            out.append((latest.plan_number, latest.plan_year, latest.revision, r["task_no"], r["content"], r.get("lead_text"),
                        r.get("collaborators_text"), r["lead_codes"], r["collaborator_codes"], r.get("deadline_text"),
                        r["deadline_kind"], r["due_date"], r["effective_due_date"], r["provisional"],
                        r["deadline_condition"], r.get("expected_result"), r.get("responsible"), first[r["task_no"]],
                        changed[r["task_no"]], previous_deadline.get(r["task_no"]), r["source_file"] if "source_file" in r
                        else latest.file_name, r["source_row"]))
    return out


# --- progress reports -----------------------------------------------------------------------------------------

def _report_files(inbox: Path) -> list[Path]:
    folder = inbox / REPORT_DIR
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$")) if folder.exists() else []


def read_reports(inbox: Path, *, units: Sequence[Unit], offices: Sequence[Unit],
                 known_tasks: dict[int, set[str]]) -> list[tuple[Path, ReportResult, str | None]]:
    """Every report in ``inbox/tien_do`` with the unit code of its header (None when it matches no unit)."""
    out = []
    for path in _report_files(inbox):
        first = read_progress_report(path, None)
        year = int(first.period_label[:4]) if first.period_label else None
        result = read_progress_report(path, known_tasks.get(year, set())) if year in known_tasks else first
        resolution = resolve_units(result.unit_text or "", units, offices)
        code = resolution.codes[0] if len(resolution.codes) == 1 and not resolution.unmatched else None
        out.append((path, result, code))
    return out


def load_task_reports(con: duckdb.DuckDBPyConnection, reports: Iterable[tuple[Path, ReportResult, str | None]],
                      period_labels: Sequence[str], now: datetime) -> dict:
    """Replace the submissions of the given periods; the latest report date per unit and period wins (ties: the
    later file name), the others are kept as superseded."""
    selected = [(p, r, c) for p, r, c in reports if r.period_label in period_labels]
    rows, rejects, issues, lineage = [], [], [], []
    latest: dict[tuple[str, str], tuple[date, str]] = {}
    for path, result, code in selected:
        if code is not None and result.loadable and result.report_date:
            key = (code, result.period_label)
            latest[key] = max(latest.get(key, (date.min, "")), (result.report_date, path.name))
    for path, result, code in selected:
        file_issues = [_Issue(path.name, i.rule, i.reason, i.blocking) for i in result.file_issues]
        if code is None and result.loadable:
            file_issues.append(_Issue(path.name, "unknown_unit", f"Đơn vị báo cáo '{result.unit_text}' không có "
                                      "trong danh mục đơn vị, phòng thuộc Sở; cả tệp không được nạp.", True))
        usable = result.loadable and code is not None
        superseded = usable and latest.get((code, result.period_label)) != (result.report_date, path.name)
        if superseded:
            file_issues.append(_Issue(path.name, "superseded_report",
                                      f"Đã có báo cáo gửi sau của cùng đơn vị cho kỳ {result.period_label}; bản này "
                                      "được giữ làm lịch sử, không dùng để tính.", False))
        issues += [(REPORT_SOURCE, i.file_name, _period_end(result.period_label), i.rule, i.reason, i.blocking, now)
                   for i in file_issues]
        rejects += [(REPORT_SOURCE, r["file_name"], _period_end(result.period_label), r["row_number"], code,
                     result.unit_text, r.get("record_key"), r["rule"], r["reason"], r.get("value"), now)
                    for r in result.rejects]
        rejected = len({r["row_number"] for r in result.rejects})
        status = "rejected" if not usable else ("partly_loaded" if rejected else "loaded")
        lineage.append((REPORT_SOURCE, path.name, result.report_date, result.sha256, result.size_bytes, "xlsx", status,
                        len(result.rows) + rejected, len(result.rows) if usable else 0, rejected, now, now))
        if usable:
            year = int(result.period_label[:4])
            rows += [(path.name, code, result.period_label, result.report_date, year, r["task_no"], r["status"],
                      r.get("percent"), r.get("completed_on"), r.get("result_doc_number"), r.get("result_doc_date"),
                      r.get("difficulties"), r.get("proposals"), r["source_row"], superseded, now) for r in result.rows]
    files = [p.name for p, _, _ in selected]
    with transaction(con):
        con.execute("DELETE FROM stg_task_report WHERE list_contains(?, period_label)", [list(period_labels)])
        insert_many(con, f"INSERT INTO stg_task_report VALUES ({', '.join('?' * 16)})", rows)
        for table in ("quarantine", "file_issues", "landed_files"):
            con.execute(f"DELETE FROM {table} WHERE source = ? AND list_contains(?, file_name)", [REPORT_SOURCE, files])
        insert_many(con, "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rejects)
        insert_many(con, "INSERT INTO file_issues VALUES (?, ?, ?, ?, ?, ?, ?)", issues)
        insert_many(con, "INSERT INTO landed_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", lineage)
    return {"reports": len(selected), "reports_rejected": sum(1 for x in lineage if x[6] == "rejected"),
            "superseded": sum(1 for i in issues if i[3] == "superseded_report"), "rows_loaded": len(rows),
            "rows_rejected": len({(r[1], r[3]) for r in rejects})}


def _period_end(label: str | None) -> date | None:
    if not label:
        return None
    from common.periods import parse_period

    try:
        return parse_period(label).end
    except ValueError:
        return None


# --- status and completion ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Report:
    unit_code: str
    period_label: str
    report_date: date
    source_file: str
    status: str
    percent: float | None
    completed_on: date | None


def _reports_by_task(con: duckdb.DuckDBPyConnection, plan_year: int) -> dict[str, list[_Report]]:
    out: dict[str, list[_Report]] = defaultdict(list)
    for task, *fields in con.execute("""
            SELECT task_no, unit_code, period_label, report_date, source_file, status, percent, completed_on
            FROM stg_task_report WHERE plan_year = ? ORDER BY report_date, source_file""", [plan_year]).fetchall():
        out[task].append(_Report(*fields))
    return out


def _known_on(reports: list[_Report], leads: Sequence[str], day: date) -> tuple[date | None, float | None]:
    """Completion date and mean percent of a task as its lead units had reported by ``day``: the latest submission
    per unit wins; the task is complete when every lead unit has reported it complete."""
    latest: dict[str, _Report] = {}
    for r in reports:
        if r.report_date <= day and (not leads or r.unit_code in leads):
            latest[r.unit_code] = r  # ordered by report date: the last one wins
    if not latest:
        return None, None
    percents = [r.percent for r in latest.values() if r.percent is not None]
    percent = sum(percents) / len(percents) if percents else None
    done = [r.completed_on for r in latest.values() if r.status == "completed" and r.completed_on and r.completed_on <= day]
    required = set(leads) if leads else set(latest)
    if len(done) == len(required) and set(latest) >= required:
        return max(done), percent
    return None, percent


def refresh_task_status(con: duckdb.DuckDBPyConnection, plan_year: int, days: Sequence[date]) -> dict:
    """Status of every current task of the plan year on each of ``days`` (replacing those days' rows)."""
    tasks = con.execute("""SELECT task_no, lead_codes, effective_due_date FROM fct_plan_task WHERE plan_year = ?""",
                        [plan_year]).fetchall()
    reports = _reports_by_task(con, plan_year)
    rows = []
    for task_no, leads, due in tasks:
        for day in days:
            completed_on, percent = _known_on(reports.get(task_no, []), leads or [], day)
            status = task_status(due, completed_on, day)
            rows.append((plan_year, task_no, day, status, STATUS_LABELS[status], due, completed_on, percent,
                         None if due is None else (due - day).days))
    with transaction(con):
        con.execute("DELETE FROM mart_task_status WHERE plan_year = ? AND list_contains(?, as_of)", [plan_year, list(days)])
        insert_many(con, f"INSERT INTO mart_task_status VALUES ({', '.join('?' * 9)})", rows)
    return {"tasks": len(tasks), "days": len(days), "rows": len(rows)}


def refresh_completion(con: duckdb.DuckDBPyConnection, plan_year: int, periods: Sequence[tuple[str, date]],
                       department_code: str) -> dict:
    """On-time completion per lead unit and for the department, for each (period label, as-of date)."""
    names = dict(con.execute("SELECT office_code, office_name FROM dim_office UNION ALL "
                             "SELECT unit_code, unit_name FROM dim_unit").fetchall())
    rows = []
    for label, as_of in periods:
        status = con.execute("""SELECT s.task_no, s.status, t.lead_codes FROM mart_task_status s
                                JOIN fct_plan_task t USING (plan_year, task_no)
                                WHERE s.plan_year = ? AND s.as_of = ?""", [plan_year, as_of]).fetchall()
        groups: dict[str, list[str]] = defaultdict(list)
        for _, st, leads in status:
            groups[department_code].append(st)
            for code in leads or []:
                groups[code].append(st)
        for code, statuses in groups.items():
            on_time = statuses.count("completed_on_time")
            late = statuses.count("completed_late")
            overdue = statuses.count("overdue")
            due = on_time + late + overdue
            rows.append((plan_year, label, as_of, code, names.get(code, code), len(statuses), due, on_time, late, overdue,
                         None if due == 0 else round(100 * on_time / due, 1)))
    with transaction(con):
        con.execute("DELETE FROM mart_task_completion WHERE plan_year = ? AND list_contains(?, period_label)",
                    [plan_year, [label for label, _ in periods]])
        insert_many(con, f"INSERT INTO mart_task_completion VALUES ({', '.join('?' * 11)})", rows)
    return {"periods": len(periods), "rows": len(rows)}


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def known_tasks(con: duckdb.DuckDBPyConnection) -> dict[int, set[str]]:
    """Task numbers of the current plan of each year (a report naming another number is rejected)."""
    out: dict[int, set[str]] = defaultdict(set)
    for year, task in con.execute("SELECT plan_year, task_no FROM fct_plan_task").fetchall():
        out[year].add(task)
    return dict(out)
