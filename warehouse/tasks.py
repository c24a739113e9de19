"""Task progress in the warehouse: the plan registers (every version of every task kept), the units' progress
reports (every submission kept, per unit, period and task the latest used), the status of every task on every day, and
on-time completion per lead unit and for the department.

What a status says: on day d, the task version in force on d (a revision applies from its issue date: the registers
of a plan chain by revision number, ``warehouse.plan_chain``, and ``plan_revision`` says from which day), completed
when every lead unit has reported it completed on or before d, in the latest submission for its period, whenever
that submission arrived: a quarter's report comes after the quarter, and the quarter's status must use it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from common.db import rows_as_dicts
from common.periods import end_of_label, period_containing
from common.pii import mask_name_alone
from common.units import Unit
from common.vntext import nfc, same_task_content, shorten
from scoring.rounding import round_half_up
from scoring.task_status import STATUS_LABELS, effective_due, task_status
from sources.csvfiles import FileIssue
from sources.deadlines import DeadlineError, parse_deadline
from sources.intake import still_being_written
from sources.plan_register import RegisterResult, read_plan_register
from sources.progress_report import ReportResult, read_progress_report
from sources.task_formats import PLAN_DIR, REPORT_DIR
from sources.task_units import resolve_units
from warehouse.labels import label_units
from warehouse.landing import (
    ACCEPT_SMALLER_HINT,
    first_loaded_at,
    inbox_workbooks,
    insert_frame,
    insert_many,
    keep_earlier_load,
    keep_gone_files,
    modified_at,
    read_safely,
    record_deferred,
    record_file,
    record_subfolder_files,
    transaction,
)
from warehouse.plan_chain import Link, Register, chain_registers
from warehouse.queries import sql

REGISTER_SOURCE = "plan_register"
REPORT_SOURCE = "task_report"
HISTORY_COLUMNS = (
    "plan_number",
    "plan_year",
    "revision",
    "issued_on",
    "source_file",
    "source_row",
    "task_no",
    "content",
    "lead_text",
    "collaborators_text",
    "deadline_text",
    "deadline_kind",
    "due_date",
    "effective_due_date",
    "provisional",
    "deadline_condition",
    "expected_result",
    "responsible",
    "loaded_at",
    "sha256",
    "lead_codes",
    "collaborator_codes",
    "trial",
    "unknown_leads",
)
# A register whose title says it is a trial entry ("bản nhập thử", "dữ liệu thử", "demo"…) is kept in the history and
# its file problems reported, but its tasks never become current tasks: they would be followed and scored as real.
_TRIAL_TITLE = re.compile(r"\b(nhập thử|bản thử|dữ liệu thử|dùng thử|chạy thử|test|demo)\b", re.IGNORECASE)


def is_trial_register(title: str | None) -> bool:
    return bool(title and _TRIAL_TITLE.search(nfc(title)))


def load_offices(con: duckdb.DuckDBPyConnection, offices: Sequence[Unit]) -> int:
    with transaction(con):
        con.execute("DELETE FROM dim_office")
        insert_many(
            con,
            sql("tasks/insert_office"),
            [
                {
                    "office_code": o.code,
                    "office_name": o.name,
                    "kind": o.kind,
                    "parent_unit_code": o.parent,
                    "aliases": list(o.aliases),
                    "sort_order": i,
                }
                for i, o in enumerate(offices)
            ],
        )
    return len(offices)


# --- plan registers ------------------------------------------------------------------------------------------


def _task_rows(result: RegisterResult, units: Sequence[Unit], offices: Sequence[Unit]) -> tuple[list[dict], list[FileIssue]]:
    rows, issues = [], []
    for r in result.rows:
        where = f"Nhiệm vụ {r['task_no']} (dòng {r['source_row']})"
        deadline = None
        if r.get("deadline_text"):
            try:
                deadline = parse_deadline(r["deadline_text"], default_year=result.plan_year)
            except DeadlineError as err:
                issues.append(FileIssue("unparsed_deadline", f"{where}: {err}", blocking=False))
            else:
                if result.plan_year and deadline.due.year < result.plan_year:  # a typo year: overdue from day one
                    issues.append(
                        FileIssue(
                            "deadline_before_plan_year",
                            f"{where}: thời gian hoàn thành '{r['deadline_text']}' trước năm kế hoạch {result.plan_year} "
                            "(nhiệm vụ bị tính là quá hạn ngay từ khi ban hành); đề nghị kiểm tra lại năm.",
                            blocking=False,
                        )
                    )
        else:
            issues.append(FileIssue("missing_deadline", f"{where}: không ghi thời gian hoàn thành.", blocking=False))
        resolved, unknown, texts = {}, {}, {}
        for role, label in (("lead", "chủ trì"), ("collaborators", "phối hợp")):
            res = resolve_units(r.get(f"{role}_text") or "", units, offices)
            resolved[role] = list(res.codes)
            # What matched no unit may be a citizen's name typed there: masked as a unit's free text is, in the text
            # and the list (a unit's name, matched, is never masked; nor an organisation named after a person).
            unknown[role] = [mask_name_alone(u)[0] for u in res.unmatched]
            texts[role] = r.get(f"{role}_text")
            for written, masked in zip(res.unmatched, unknown[role], strict=True):
                if masked != written and texts[role]:
                    # (a name wrapped over lines is matched with the lines joined: replaced in the joined text)
                    shown = texts[role] if written in texts[role] else nfc(texts[role])
                    texts[role] = shown.replace(written, masked)
                    issues.append(
                        FileIssue(
                            "personal_data_masked",
                            f"{where} (đơn vị {label}): đã ẩn họ tên ghi ở chỗ tên đơn vị; đề nghị ghi đúng tên đơn vị.",
                            blocking=False,
                        )
                    )
            issues += [
                FileIssue("unknown_unit", f"{where} (đơn vị {label}): {message}", blocking=False) for message in res.messages()
            ]
        if r.get("lead_text") and not resolved["lead"]:  # such a task can never be completed: said apart
            issues.append(
                FileIssue(
                    "no_lead_unit",
                    f"{where}: không xác định được đơn vị chủ trì nào trong '{shorten(texts['lead'] or '')}'; nhiệm vụ chỉ được ghi nhận "
                    "hoàn thành khi tên đơn vị chủ trì được sửa theo danh mục đơn vị.",
                    blocking=False,
                )
            )
        due = None if deadline is None else effective_due(deadline.due, deadline.before)
        # "Các phòng, đơn vị thuộc Sở" or "Các sở, ban, ngành" expand to the lead itself and to the department whose
        # offices lead: neither collaborates with itself
        leads = set(resolved["lead"])
        lead_parents = {o.parent for o in offices if o.code in leads and o.parent}
        collaborators = [c for c in resolved["collaborators"] if c not in leads and c not in lead_parents]
        rows.append(
            {
                "task_no": r["task_no"],
                "content": r["content"],
                "lead_text": texts["lead"],
                "collaborators_text": texts["collaborators"],
                "deadline_text": mask_name_alone(r["deadline_text"])[0] if r.get("deadline_text") else None,
                "deadline_kind": deadline.kind if deadline else None,
                "due_date": deadline.due if deadline else None,
                "effective_due_date": due,
                "provisional": deadline.provisional if deadline else None,
                "deadline_condition": deadline.condition if deadline else None,
                "expected_result": r.get("expected_result"),
                "responsible": r.get("responsible"),
                "source_row": r["source_row"],
                "lead_codes": resolved["lead"],
                "collaborator_codes": collaborators,
                "unknown_leads": unknown["lead"],
            }
        )
    return rows, issues


def load_plan_registers(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    *,
    units: Sequence[Unit],
    offices: Sequence[Unit],
    now: datetime,
    accept_smaller: bool = False,
) -> dict:
    """Load the registers of ``inbox/ke_hoach`` (every file: .xlsx, .xls, .ods, an HTML table; anything else is
    refused with a reason). A loadable file replaces its own earlier rows (a corrected re-delivery); a file that
    cannot be loaded, or one no longer in the inbox, leaves what was loaded from it: a broken, empty or cut-short
    re-delivery of a register that loaded well is refused (``redelivery_refused``) and its earlier lineage kept, a
    file still being copied is left for the next run; a re-delivery of far fewer tasks than its earlier load is
    refused the same way unless ``accept_smaller`` (``shrink_problem``). The current tasks of a plan year are then
    those of its latest revision."""
    processed, loaded_rows, kept = [], 0, 0
    modified: dict[str, datetime] = {}  # two copies of one revision arriving together: the later saved wins
    province = next((u.province for u in units), None)  # a register headed by another province is refused
    with transaction(con):
        for path in inbox_workbooks(inbox, PLAN_DIR):
            result = read_safely(
                lambda p=path: read_plan_register(p, watch=still_being_written, province=province), path, RegisterResult
            )
            processed.append(path.name)
            modified[path.name] = modified_at(path)
            hint = None if accept_smaller else ACCEPT_SMALLER_HINT.format(step="plan_register")
            if keep_earlier_load(con, REGISTER_SOURCE, path, result, now, shrink_hint=hint):
                kept += 1
                continue
            if result.deferred:
                record_deferred(con, REGISTER_SOURCE, path, result, now)
                continue
            issues = list(result.file_issues)
            if result.loadable:
                rows, task_issues = _task_rows(result, units, offices)
                issues += task_issues
                trial = is_trial_register(result.title)
                if trial:
                    issues.append(
                        FileIssue(
                            "trial_register",
                            (
                                f"Sổ kế hoạch '{result.title}' là bản nhập thử: các nhiệm vụ được lưu trong lịch sử "
                                "nhưng không đưa vào danh sách nhiệm vụ hiện hành và không được "
                                "theo dõi, chấm điểm. Nếu đây là kế hoạch thật, sửa tiêu đề rồi gửi lại."
                            ),
                            blocking=False,
                        )
                    )
                # The same file loaded again keeps the time of its first load: a rerun gives the same tables.
                first = first_loaded_at(con, REGISTER_SOURCE, path.name, result.sha256, now)
                con.execute("DELETE FROM plan_task_history WHERE source_file = ?", [path.name])
                insert_frame(
                    con,
                    "plan_task_history",
                    pd.DataFrame(
                        [
                            {
                                **r,
                                "plan_number": result.plan_number,
                                "plan_year": result.plan_year,
                                "revision": result.revision,
                                "issued_on": result.issued_on,
                                "source_file": path.name,
                                "loaded_at": first,
                                "sha256": result.sha256,
                                "trial": trial,
                            }
                            for r in rows
                        ],
                        columns=list(HISTORY_COLUMNS),
                    ),
                )
                loaded_rows += len(rows)
            record_file(
                con,
                REGISTER_SOURCE,
                path,
                result,
                now,
                result.issued_on,
                issues=issues,
                labels={"index_code": "tasks", "year": result.plan_year},
            )
        # A register put in a sub-folder of ke_hoach/ is not read: refused naming it, never passed over.
        record_subfolder_files(con, REGISTER_SOURCE, inbox / PLAN_DIR, None, now, {"index_code": "tasks"})
        notes = _refresh_current_tasks(con, modified)
        seen = {  # a note made again keeps the time it was first made
            (f, r, t): at
            for f, r, t, at in con.execute(
                "SELECT file_name, rule, reason, min(loaded_at) FROM file_issues WHERE source = ? AND list_contains(?, rule) "
                "GROUP BY ALL",
                [REGISTER_SOURCE, list(_REFRESH_RULES)],
            ).fetchall()
        }
        con.execute(
            "DELETE FROM file_issues WHERE source = ? AND list_contains(?, rule)", [REGISTER_SOURCE, list(_REFRESH_RULES)]
        )
        for file_name, rule, reason in notes:
            con.execute(
                sql("tasks/insert_plan_note"),
                {
                    "source": REGISTER_SOURCE,
                    "file_name": file_name,
                    "rule": rule,
                    "reason": reason,
                    "loaded_at": seen.get((file_name, rule, reason), now),
                },
            )
        conflicts = [n for n in notes if n[1] == "conflicting_plans"]
    counts = con.execute("""SELECT count(DISTINCT plan_year), count(*) FROM fct_plan_task""").fetchall()[0]
    return {
        "registers_read": len(processed),
        "registers_kept": kept,
        "task_rows_loaded": loaded_rows,
        "plans": counts[0],
        "current_tasks": counts[1],
        "conflicts": len(conflicts),
        "history_rows": con.execute("SELECT count(*) FROM plan_task_history").fetchall()[0][0],
    }


# The notes _refresh_current_tasks makes on the registers (written again on each load).
_REFRESH_RULES = (
    "conflicting_plans",
    "task_content_replaced",
    "duplicate_revision",
    "revision_without_date",
    "revision_date_order",
    "revision_gap",
)


def _replaced_note(task_no: str, before: dict, after: dict) -> str:
    """The note on a revision that gives a task number to another task (``same_task_content`` false)."""
    return (
        f"Nhiệm vụ {task_no}: nội dung ở lần ban hành/sửa đổi {after['revision']} khác hẳn lần {before['revision']} "
        f"(trước: '{shorten(before['content'], 90)}'; nay: '{shorten(after['content'], 90)}'), có thể sổ đã bỏ hoặc đánh số lại "
        f"nhiệm vụ. Báo cáo tiến độ ghi nhiệm vụ {task_no} theo cách đánh số cũ sẽ được gắn vào nhiệm vụ mới này; đề "
        "nghị kiểm tra sổ kế hoạch và đề nghị các đơn vị báo cáo theo số thứ tự mới."
    )


def refresh_plan_revisions(
    con: duckdb.DuckDBPyConnection, modified: dict[str, datetime] | None = None
) -> tuple[dict[int, list[Link]], list[tuple[str, str, str]]]:
    """``plan_revision`` from the history: per plan year the registers of its plan in revision order, one per revision,
    each with the day it applies from (``warehouse.plan_chain``), trial registers left out. ``modified``: the
    modification time of the files read in this run (two copies of one revision arriving together: the later saved
    wins). Returns the chains and the notes (file, rule, reason) to record."""
    modified = modified or {}
    registers = [
        Register(year, number, revision, issued, name, arrived or datetime.min, modified.get(name, datetime.min))
        for year, number, revision, issued, name, arrived in con.execute(
            sql("tasks/plan_versions"), {"source": REGISTER_SOURCE}
        ).fetchall()
    ]
    chains, notes = chain_registers(registers)
    rows = [
        {
            "plan_year": year,
            "plan_number": link.plan_number,
            "revision": link.register.revision,
            "register_number": link.register.number,
            "issued_on": link.register.issued_on,
            "in_force_from": link.in_force_from,
            "source_file": link.register.source_file,
        }
        for year, chain in chains.items()
        for link in chain
    ]
    con.execute("DELETE FROM plan_revision")
    insert_frame(con, "plan_revision", pd.DataFrame(rows, columns=list(PLAN_REVISION_COLUMNS)))
    return chains, notes


PLAN_REVISION_COLUMNS = ("plan_year", "plan_number", "revision", "register_number", "issued_on", "in_force_from", "source_file")


def _refresh_current_tasks(
    con: duckdb.DuckDBPyConnection, modified: dict[str, datetime] | None = None
) -> list[tuple[str, str, str]]:
    """fct_plan_task from the history: per plan year, the last register of its plan's chain (``plan_revision``:
    by revision number, one register per revision); returns the notes (file, rule, reason) to record: the chain's
    (``warehouse.plan_chain``) and a revision that gives a task number to another task (``task_content_replaced``:
    its 'previous deadline' is not the task's)."""
    chains, notes = refresh_plan_revisions(con, modified)
    rows = []
    watched = ("content", "lead_text", "collaborators_text", "deadline_text", "expected_result", "responsible")
    for chain in chains.values():
        first: dict[str, int] = {}
        changed: dict[str, int] = {}
        previous_deadline: dict[str, str | None] = {}
        seen: dict[str, dict] = {}
        tasks: list[dict] = []
        for link in chain:
            revision, file_name = link.register.revision, link.register.source_file
            # a revision with its own document number is still the plan's: the plan's number is its first issue's
            tasks = [t | {"plan_number": link.plan_number} for t in _history_rows(con, file_name)]
            for t in tasks:
                before = seen.get(t["task_no"])
                first.setdefault(t["task_no"], revision)
                if before is None or any(before.get(k) != t.get(k) for k in watched):
                    changed[t["task_no"]] = revision
                    if before is not None and not same_task_content(before.get("content"), t.get("content")):
                        # another task under this number: the old one's deadline is not this one's previous deadline
                        previous_deadline.pop(t["task_no"], None)
                        notes.append((file_name, "task_content_replaced", _replaced_note(t["task_no"], before, t)))
                    elif before is not None and before.get("deadline_text") != t.get("deadline_text"):
                        previous_deadline[t["task_no"]] = before.get("deadline_text")
                seen[t["task_no"]] = t
        for t in tasks:  # the last revision's tasks are the current ones
            rows.append(
                {
                    **{
                        k: t[k]
                        for k in (
                            "plan_number",
                            "plan_year",
                            "revision",
                            "task_no",
                            "content",
                            "lead_text",
                            "collaborators_text",
                            "lead_codes",
                            "collaborator_codes",
                            "deadline_text",
                            "deadline_kind",
                            "due_date",
                            "effective_due_date",
                            "provisional",
                            "deadline_condition",
                            "expected_result",
                            "responsible",
                            "source_file",
                            "source_row",
                            "unknown_leads",
                        )
                    },
                    "first_revision": first[t["task_no"]],
                    "changed_in_revision": changed[t["task_no"]],
                    "previous_deadline_text": previous_deadline.get(t["task_no"]),
                }
            )
    con.execute("DELETE FROM fct_plan_task")
    insert_frame(con, "fct_plan_task", pd.DataFrame(rows))
    return notes


def _history_rows(con: duckdb.DuckDBPyConnection, file_name: str) -> list[dict]:
    return rows_as_dicts(con, "SELECT * FROM plan_task_history WHERE source_file = ? ORDER BY source_row", [file_name])


def known_tasks(con: duckdb.DuckDBPyConnection) -> dict[int, set[str]]:
    """Task numbers of the current plan of each year, a task a revision removed included: it was in force before
    the revision, and a report of that time gives it (a report naming another number is rejected)."""
    out: dict[int, set[str]] = defaultdict(set)
    for year, task, _ in con.execute(sql("tasks/plan_task_numbers")).fetchall():
        out[year].add(task)
    return dict(out)


# --- progress reports -----------------------------------------------------------------------------------------


@dataclass
class ReadReport:
    path: Path
    result: ReportResult
    unit_code: str | None
    issues: list[FileIssue] = field(default_factory=list)


def read_reports(
    inbox: Path, *, units: Sequence[Unit], offices: Sequence[Unit], known: dict[int, set[str]], today: date
) -> list[ReadReport]:
    """Every report in ``inbox/tien_do`` with the unit code of its header (None when it matches no unit)."""

    def reporting_unit(text: str) -> str | None:  # one unit or office, as the plan's lead units are resolved
        resolution = resolve_units(text, units, offices)
        return resolution.codes[0] if len(resolution.codes) == 1 and not resolution.unmatched else None

    names = {u.code: u.name for u in (*units, *offices)}
    province = next((u.province for u in units), None)  # a report headed by another province is refused

    def unit_hint(text: str) -> str | None:  # why a header names no single unit, for the refusal
        resolution = resolve_units(text, units, offices)
        if len(resolution.codes) > 1:
            listed = ", ".join(f"'{names.get(c, c)}'" for c in resolution.codes)
            return f"ghi nhiều đơn vị: {listed}; mỗi báo cáo ghi một đơn vị"
        suggestion = next((s for s in resolution.suggestions if s), None)
        return f"có phải '{suggestion}'?" if suggestion else None

    out = []
    for path in inbox_workbooks(inbox, REPORT_DIR):
        result = read_safely(
            lambda p=path: read_progress_report(
                p,
                known,
                today=today,
                unit_matcher=reporting_unit,
                watch=still_being_written,
                unit_hint=unit_hint,
                province=province,
            ),
            path,
            ReportResult,
        )
        out.append(ReadReport(path, result, result.unit_code, list(result.file_issues)))
    return out


# Refusals saying the period read is not the report's own: such a file belongs to no partition's run.
PERIOD_REFUSALS = frozenset({"period_date_mismatch", "period_not_in_plan"})


def filed_period(report: ReadReport) -> str | None:
    """The period a report is filed under: its own, or None when it could not be read or is refused as not the
    report's own (``PERIOD_REFUSALS``: "Quý III/2025" on a report dated 06/10/2026). A report filed under no period is
    recorded by every run with its reason and without a partition date (so every period's annex lists it): left to
    the run of the period it names, it would never be recorded when no partition has that period."""
    if any(i.rule in PERIOD_REFUSALS for i in report.issues):
        return None
    return report.result.period_label or None


def reports_of_run(reports: Iterable[ReadReport], period_labels: Sequence[str]) -> list[ReadReport]:
    """The reports a run over ``period_labels`` records: those filed under one of them, and those filed under none.
    A report of another period is its own partition's run's, recorded there only."""
    return [r for r in reports if filed_period(r) is None or filed_period(r) in period_labels]


def load_task_reports(
    con: duckdb.DuckDBPyConnection,
    reports: Iterable[ReadReport],
    period_labels: Sequence[str],
    now: datetime,
    inbox: Path | None = None,
    *,
    withdraw: bool = False,
) -> dict:
    """Replace the submissions of the given periods. Of a unit's reports for a period, each task is taken from the
    latest report that gives it (the later report date; ties: the later arrival, ``_rank``): a later report giving
    only some tasks (an addendum, a correction of one row) replaces those rows, and the earlier report still gives
    the others, never erased by their absence. Replaced rows are kept as superseded, the file naming the one that
    replaced them. Files filed under no period (``filed_period``: unreadable, or refused as not the report's own)
    are recorded too. A report without a task row never loads (``no_rows`` blocks it). A broken, empty or cut-short
    re-delivery of a report that loaded well keeps that load (``redelivery_refused``); a report whose file is gone
    from the inbox keeps its rows (``file_gone``) unless ``withdraw``; a report still being copied is left for the
    next run. A report put in a sub-folder of ``inbox``/tien_do/ is not read: every run records its refusal, as a
    file filed under no period."""
    reports = list(reports)
    selected = reports_of_run(reports, period_labels)
    leads = _current_leads(con)
    rows = []
    with transaction(con):
        kept = [r.path.name for r in selected if keep_earlier_load(con, REPORT_SOURCE, r.path, r.result, now)]
        gone = _gone_reports(con, reports, period_labels, now, withdraw=withdraw)
        usable = [
            r
            for r in selected
            if r.path.name not in kept
            and r.result.loadable
            and r.unit_code is not None
            and filed_period(r)
            and not any(i.blocking for i in r.issues)
        ]
        # The kept and gone reports' earlier rows compete for "latest" as they did when they loaded.
        earlier = con.execute(
            """SELECT DISTINCT unit_code, period_label, report_date, source_file, task_no, superseded FROM stg_task_report
                                 WHERE list_contains(?, source_file) AND list_contains(?, period_label)""",
            [[*kept, *gone], list(period_labels)],
        ).fetchall()
        ranked = {r.path.name: _rank(con, r.path, r.result.report_date, r.result.sha256, now) for r in usable}
        arrivals = _first_loads(con, sorted({name for _, _, _, name, _, _ in earlier}))
        # Latest per (unit, period, task): the later report date; on the same date the later arrival (a correction
        # re-sent with the date unchanged, a copy Windows named "x (2).xlsx"), never the file name.
        latest: dict[tuple[str, str, str], _Rank] = {}
        given = [
            *((r.unit_code, r.result.period_label, row["task_no"], ranked[r.path.name]) for r in usable for row in r.result.rows),
            *(
                (unit, label, task, _kept_rank(arrivals.get(name), name, day, current=not old))
                for unit, label, day, name, task, old in earlier
            ),
        ]
        for unit, label, task, rank in given:
            if (unit, label, task) not in latest or rank > latest[(unit, label, task)]:
                latest[(unit, label, task)] = rank
        for r in selected:
            result, issues = r.result, list(r.issues)
            if r.path.name in kept:
                continue
            if result.deferred:
                record_deferred(con, REPORT_SOURCE, r.path, result, now)
                continue
            if r in usable:
                assert r.unit_code is not None  # (usable)
                year = int(result.period_label[:4])
                winners = {row["task_no"]: latest[(r.unit_code, result.period_label, row["task_no"])] for row in result.rows}
                issues += _replaced_notes(r, winners, ranked[r.path.name])
                issues += _lead_notes(r, leads.get)
                rows += [
                    _report_row(r, row, year, superseded=winners[row["task_no"]].name != r.path.name, now=now)
                    for row in result.rows
                ]
            record_file(
                con,
                REPORT_SOURCE,
                r.path,
                result,
                now,
                end_of_label(filed_period(r)),
                loadable=r in usable,
                issues=issues,
                rejects=[x | {"unit_code": r.unit_code, "unit_name": result.unit_text} for x in result.rejects],
                labels={
                    "index_code": "tasks",
                    "unit_code": r.unit_code,
                    "period_label": filed_period(r),
                    "year": result.plan_year if filed_period(r) else None,
                },
            )
        con.execute(
            "DELETE FROM stg_task_report WHERE list_contains(?, period_label) AND NOT list_contains(?, source_file)",
            [list(period_labels), [*kept, *gone]],
        )
        insert_frame(con, "stg_task_report", pd.DataFrame(rows))
        if inbox is not None:
            record_subfolder_files(con, REPORT_SOURCE, inbox / REPORT_DIR, None, now, {"index_code": "tasks"})
        insert_many(
            con,
            """UPDATE stg_task_report SET superseded = ? WHERE source_file = ? AND unit_code = ?
                   AND period_label = ? AND task_no = ?""",
            [[latest[(unit, label, task)].name != name, name, unit, label, task] for unit, label, _, name, task, _ in earlier],
        )
    return {
        "reports": len(selected),
        "reports_kept": len(kept),
        "reports_gone": len(gone),
        "reports_rejected": len(selected) - len(usable) - len(kept),
        "superseded": len({(x["source_file"]) for x in rows if x["superseded"]}),
        "rows_loaded": len(rows),
        "rows_rejected": sum(len({x["row_number"] for x in r.result.rejects}) for r in selected),
    }


def _report_row(r: ReadReport, row: dict, year: int, *, superseded: bool, now: datetime) -> dict:
    """The stg_task_report row of a task row of a usable report."""
    keys = ("task_no", "status", "percent", "completed_on", "result_doc_number", "result_doc_date", "difficulties")
    return {
        **{k: row.get(k) for k in (*keys, "proposals", "source_row")},
        "source_file": r.path.name,
        "unit_code": r.unit_code,
        "period_label": r.result.period_label,
        "report_date": r.result.report_date,
        "plan_year": year,
        "superseded": superseded,
        "loaded_at": now,
    }


def _replaced_notes(r: ReadReport, winners: dict[str, _Rank], mine: _Rank) -> list[FileIssue]:
    """One note per report that replaces some or all of this report's tasks (``superseded_report``)."""
    by_winner: dict[str, list[str]] = defaultdict(list)
    for task, winner in winners.items():
        if winner.name != r.path.name:
            by_winner[winner.name].append(task)
    notes = []
    label = r.result.period_label
    for name, tasks in sorted(by_winner.items()):
        winner = next(w for w in winners.values() if w.name == name)
        why = _why_later(mine, winner)
        if len(tasks) == len(winners):
            text = (
                f"Tệp '{name}' của cùng đơn vị cho kỳ {label} thay cho tệp này ({why}); bản này được giữ làm lịch sử, "
                "không dùng để tính."
            )
        else:
            text = (
                f"Nhiệm vụ {', '.join(tasks)} được báo cáo lại trong tệp '{name}' của cùng đơn vị cho kỳ {label} ({why}): "
                "dùng bản đó cho các nhiệm vụ này; các nhiệm vụ khác của tệp này vẫn được dùng."
            )
        notes.append(FileIssue("superseded_report", text, blocking=False))
    return notes


def _lead_notes(r: ReadReport, leads_of: Callable[[tuple[int, str]], set[str] | None]) -> list[FileIssue]:
    """A note per row of a task the reporting unit does not lead (``not_lead_unit``); when that is every row, a note
    on the file: the 'Đơn vị báo cáo' is likely another unit's, left in a copied template (``no_led_task``)."""
    year = int(r.result.period_label[:4])
    foreign = []
    for row in r.result.rows:
        task_leads = leads_of((year, row["task_no"]))
        if task_leads is not None and r.unit_code not in task_leads:
            foreign.append(
                FileIssue(
                    "not_lead_unit",
                    f"Dòng {row['source_row']}: đơn vị không chủ trì nhiệm vụ {row['task_no']}; báo cáo của dòng này "
                    "không dùng để tính tiến độ.",
                    blocking=False,
                )
            )
    if foreign and len(foreign) == len(r.result.rows):
        foreign.append(
            FileIssue(
                "no_led_task",
                f"Không dòng nào của báo cáo là nhiệm vụ do '{r.result.unit_text}' chủ trì: đề nghị kiểm tra 'Đơn vị báo "
                "cáo' (báo cáo có thể lập trên mẫu của đơn vị khác) và gửi lại.",
                blocking=False,
            )
        )
    return foreign


def _gone_reports(
    con: duckdb.DuckDBPyConnection, reports: list[ReadReport], period_labels: Sequence[str], now: datetime, *, withdraw: bool
) -> list[str]:
    """The reports of these periods that loaded and whose file is no longer in tien_do/: their rows are kept, with a
    note (``file_gone``), unless ``withdraw`` (then their rows and records go). A file renamed (its content present
    under another name), or one whose every row a later report had already replaced (v1 deleted once v2 came), is
    simply forgotten: it gives nothing any more."""
    present = {r.path.name for r in reports}
    shas = {r.result.sha256 for r in reports}
    loaded = con.execute(
        """SELECT r.source_file, any_value(l.sha256), any_value(l.partition_date), any_value(r.unit_code),
                  any_value(r.period_label), any_value(r.plan_year), bool_and(r.superseded)
           FROM stg_task_report r LEFT JOIN landed_files l ON l.source = ? AND l.file_name = r.source_file
           WHERE list_contains(?, r.period_label) GROUP BY r.source_file ORDER BY 1""",
        [REPORT_SOURCE, list(period_labels)],
    ).fetchall()
    note = (
        "Tệp không còn trong hộp thư đến (tien_do/); các dòng đã nạp của tệp vẫn được dùng. Muốn rút báo cáo này, chạy "
        "lại task_reports cho kỳ của nó với cấu hình withdraw: true."
    )
    files = [
        (name, sha, day, {"index_code": "tasks", "unit_code": unit, "period_label": label, "year": year}, replaced)
        for name, sha, day, unit, label, year, replaced in loaded
    ]
    return keep_gone_files(con, REPORT_SOURCE, files, present, shas, withdraw=withdraw, note=note, now=now)


@dataclass(frozen=True, order=True)
class _Rank:
    """The order of two reports of one unit and period: report date, then arrival (the first load of the file's
    content: ``landed_files.first_loaded_at``, the run's time for content not loaded before), then for files first
    seen in the same run the file's modification time; the name only when all of these agree."""

    report_date: date
    arrived: datetime
    modified: datetime
    name: str


def _rank(con: duckdb.DuckDBPyConnection, path: Path, report_date: date | None, sha256: str, now: datetime) -> _Rank:
    arrived = first_loaded_at(con, REPORT_SOURCE, path.name, sha256, now)
    return _Rank(report_date or date.min, arrived, modified_at(path), path.name)


def _first_loads(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, datetime]:
    """When each of these report files first loaded (``landed_files``), in one query."""
    rows = con.execute(
        """SELECT file_name, min(first_loaded_at) FROM landed_files WHERE source = ? AND list_contains(?, file_name)
           GROUP BY file_name""",
        [REPORT_SOURCE, names],
    ).fetchall()
    return {name: when for name, when in rows if when is not None}


def _kept_rank(arrived: datetime | None, name: str, report_date: date, *, current: bool) -> _Rank:
    """The rank of a task row of a report whose earlier load was kept (a broken re-delivery under its name, or a file
    gone from the inbox): its arrival is that load's (``_first_loads``). Its file's modification time is not known
    any more (the file on disk is the broken one, or none), so against a report that arrived at the same time the
    row keeps what it was: ``current`` (not superseded) wins that tie, a superseded row loses it."""
    return _Rank(report_date, arrived or datetime.min, datetime.max if current else datetime.min, name)


def _why_later(mine: _Rank, winner: _Rank) -> str:
    """Why the winner replaces a report, in Vietnamese."""
    if winner.report_date != mine.report_date:
        return f"ngày báo cáo {winner.report_date:%d/%m/%Y}, sau ngày {mine.report_date:%d/%m/%Y} của tệp này"
    same = f"cùng ngày báo cáo {mine.report_date:%d/%m/%Y}, tệp kia đến sau"
    if winner.arrived != mine.arrived:
        return f"{same}: nhận lúc {winner.arrived:%d/%m/%Y %H:%M}, tệp này lúc {mine.arrived:%d/%m/%Y %H:%M}"
    if winner.modified in (datetime.min, datetime.max):  # a kept or gone report: its save time is not known
        return f"{same}: tệp kia đã được dùng cho kỳ này từ lần nạp trước"
    if winner.modified != mine.modified:
        return f"{same}: lưu lúc {winner.modified:%d/%m/%Y %H:%M:%S}, tệp này lúc {mine.modified:%d/%m/%Y %H:%M:%S}"
    return f"cùng ngày báo cáo {mine.report_date:%d/%m/%Y} và cùng thời điểm nhận, lưu: lấy theo tên tệp"


def _current_leads(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str], set[str]]:
    """(plan year, task) → the lead units of the task's latest version (a task a revision removed: its last one)."""
    return {(y, t): set(codes or []) for y, t, codes in con.execute(sql("tasks/plan_task_numbers")).fetchall()}


# --- status and completion ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    issued_on: date
    due: date | None
    leads: tuple[str, ...]
    removed: bool = False  # the revision issued that day left the task out of the plan


def _plan_tasks(con: duckdb.DuckDBPyConnection, plan_year: int) -> tuple[dict[str, list[_Version]], dict[str, int]]:
    """Each task's versions along the current plan's revisions (``plan_revision``: in revision order, each from the
    day it applies, its issue date as a rule), a task a revision removed included: from that day its version is a removal (``_Version.removed``), so it
    counts on the days before and not from then on. And each task's place in the plan register: the current
    register's order, a removed task after the task it followed in the last register that had it."""
    registers: dict[tuple[date, int], list[tuple[str, date | None, tuple[str, ...]]]] = {}
    # The registers of the plan's chain (plan_revision) in revision order, each from the day it applies.
    for task, revision, in_force_from, due, leads, _row in con.execute(
        sql("tasks/task_versions"), {"plan_year": plan_year}
    ).fetchall():
        registers.setdefault((in_force_from, revision), []).append((task, due, tuple(leads or ())))
    versions: dict[str, list[_Version]] = defaultdict(list)
    for (issued, _), tasks in registers.items():  # in revision order
        for task, due, leads in tasks:
            versions[task].append(_Version(issued, due, leads))
        present = {task for task, _, _ in tasks}
        for task, task_versions in versions.items():
            if task not in present and not task_versions[-1].removed:
                task_versions.append(_Version(issued, None, (), removed=True))
    order = [
        task
        for (task,) in con.execute(
            "SELECT task_no FROM fct_plan_task WHERE plan_year = ? ORDER BY source_row", [plan_year]
        ).fetchall()
    ]
    for tasks in reversed(list(registers.values())):  # latest register first
        numbers = list(dict.fromkeys(task for task, _, _ in tasks))
        for i, task in enumerate(numbers):
            if task not in order:
                before = next((t for t in reversed(numbers[:i]) if t in order), None)
                order.insert(0 if before is None else order.index(before) + 1, task)
    return dict(versions), {task: i for i, task in enumerate(order, 1)}


def _task_versions(con: duckdb.DuckDBPyConnection, plan_year: int) -> dict[str, list[_Version]]:
    """Each task's versions along the current plan's revisions (``_plan_tasks``)."""
    return _plan_tasks(con, plan_year)[0]


def _version_on(versions: list[_Version], day: date) -> _Version | None:
    """The version in force on ``day``; None before the task was first issued (a task added by a revision) and from
    the issue date of a revision that removed it."""
    current = None
    for v in versions:
        if v.issued_on <= day:
            current = v
    return None if current is None or current.removed else current


def _completions(con: duckdb.DuckDBPyConnection, plan_year: int) -> tuple[dict, dict]:
    """From the current submissions: per (task, unit) the completion date, and per (task, unit) the percent of each
    report period (period end, percent). A "completed" row without a date falls back on its result document's date,
    then on the report date, unless an earlier report of the unit (still completed since) gave a date of a better or
    the same kind: a completion date beats a document's date, which beats a report date. The unit's report of the latest period decides (of one period, the latest report), as
    in ``mart_task_report_latest``: a report of a later period giving the task another status takes back an earlier
    "completed" (a unit correcting its quý I report in quý II), but a quý I report sent late does not take back the
    completion quý II reported."""
    completed: dict[tuple[str, str], date] = {}
    evidence: dict[tuple[str, str], int] = {}  # what the known date is: 3 completion date, 2 document, 1 report date
    percents: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
    rows = con.execute(sql("tasks/current_reports"), {"plan_year": plan_year}).fetchall()
    rows.sort(key=lambda r: end_of_label(r[2]) or date.min)  # stable: of one period end, the report date's order
    for task, unit, period, status, percent, done, doc_date, report_date in rows:
        key = (task, unit)
        if status == "completed":
            # A later report's date of the same or better kind wins. One that says "completed" again with less (a
            # cumulative report repeating every task without the date) keeps the date known: its report date made an
            # on-time task overdue. A document's date corrects a report date stood in for a missing one.
            found, kind = (done, 3) if done else (doc_date, 2) if doc_date else (report_date, 1)
            known = evidence.get(key, 0)
            if kind > known or (kind == known and kind > 1):
                completed[key], evidence[key] = found, kind
        else:
            completed.pop(key, None)
            evidence.pop(key, None)
        end = end_of_label(period)
        if percent is not None and end is not None:
            percents[(task, unit)].append((end, percent))
    return completed, percents


def _lead_completions(completed: dict, task_no: str, leads: Sequence[str], day: date) -> tuple[date | None, list]:
    """(the day the task was complete as known on ``day``: when its last lead completed it, if all did by then;
    each lead's own completion date)."""
    dates = [completed.get((task_no, unit)) for unit in leads]
    done = max(dates) if leads and all(d is not None and d <= day for d in dates) else None
    return done, dates


def _due_counts(statuses: list[str]) -> tuple[int, int, int]:
    """(completed on time, completed late, overdue): the tasks that were due."""
    return statuses.count("completed_on_time"), statuses.count("completed_late"), statuses.count("overdue")


def _status_rows(con: duckdb.DuckDBPyConnection, plan_year: int, days: Sequence[date]) -> list[dict]:
    # The task's place in the plan register ("1, 2, … 10, IV.1"): task_no is text and sorts 1, 10, 2.
    versions, order = _plan_tasks(con, plan_year)
    completed, percents = _completions(con, plan_year)
    quarter_ends = {day: period_containing("quarter", day).end for day in days}
    rows = []
    for task_no, task_versions in versions.items():
        for day in days:
            version = _version_on(task_versions, day)
            if version is None:
                continue
            done, _ = _lead_completions(completed, task_no, version.leads, day)
            # Percent done: each lead's latest report for this day's quarter or an earlier period, averaged.
            quarter_end = quarter_ends[day]
            latest = [
                next((p for end, p in reversed(percents.get((task_no, unit), [])) if end <= quarter_end), None)
                for unit in version.leads
            ]
            known = [p for p in latest if p is not None]
            status = task_status(version.due, done, day)
            rows.append(
                {
                    "plan_year": plan_year,
                    "task_no": task_no,
                    "task_order": order.get(task_no),
                    "as_of": day,
                    "status": status,
                    "status_label": STATUS_LABELS[status],
                    "effective_due_date": version.due,
                    "completed_on": done,
                    "percent": round_half_up(sum(known) / len(known), 1) if known else None,
                    "days_to_due": None if version.due is None else (version.due - day).days,
                }
            )
    return rows


def refresh_task_status(con: duckdb.DuckDBPyConnection, plan_year: int, days: Sequence[date]) -> dict:
    """Status of every task of the plan year on each of ``days`` (replacing those days' rows)."""
    if not con.execute("SELECT 1 FROM plan_revision LIMIT 1").fetchall():
        # A warehouse from before plan_revision (the registers not reloaded since): chain the history it holds.
        with transaction(con):
            refresh_plan_revisions(con)
    rows = _status_rows(con, plan_year, days)
    frame = pd.DataFrame(rows)
    with transaction(con):
        con.execute("DELETE FROM mart_task_status WHERE plan_year = ? AND list_contains(?, as_of)", [plan_year, list(days)])
        insert_frame(con, "mart_task_status", frame)
    return {"tasks": len({r["task_no"] for r in rows}), "days": len(days), "rows": len(rows)}


# The tables that hold a task's status or a unit's rate as of a day (the business date of the run that wrote them).
AS_OF_TABLES = ("mart_task_status", "mart_task_completion")


def drop_within(con: duckdb.DuckDBPyConnection, spans: Sequence[tuple[date, date]]) -> dict[str, int]:
    """Remove the rows dated within ``spans`` (first and last day): the days of a run's quarters after its business
    date, which a run as of a later day (CCHC_TODAY set ahead) wrote and a rerun as of an earlier day must not keep
    (README's analyst query 5 and the QĐ 766 measures read the latest as_of); the other quarters' days stay (a report
    of a past quarter regenerated as of its day leaves the later quarters' history). Returns the rows removed per
    table."""
    removed = dict.fromkeys(AS_OF_TABLES, 0)
    with transaction(con):
        for table in AS_OF_TABLES:
            for first, last in spans:
                where = f"FROM {table} WHERE as_of BETWEEN ? AND ?"
                removed[table] += int(con.execute(f"SELECT count(*) {where}", [first, last]).fetchall()[0][0])
                con.execute(f"DELETE {where}", [first, last])
    return removed


def _statuses_by_unit(
    versions: dict[str, list[_Version]], completed: dict, as_of: date, department_code: str, only: frozenset[str] | None = None
) -> dict[str, list[str]]:
    """Status of each task on ``as_of`` (the version in force that day): for the department by the task as a whole,
    for each lead unit by what that lead did; the department named among its own task's leads (directly or by "Các
    sở, ban, ngành") is counted once, by the task as a whole. ``only``: the task numbers to count (all when None)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for task_no, task_versions in versions.items():
        version = _version_on(task_versions, as_of)
        if version is None or (only is not None and task_no not in only):
            continue
        done, dates = _lead_completions(completed, task_no, version.leads, as_of)
        groups[department_code].append(task_status(version.due, done, as_of))
        for unit, unit_done in zip(version.leads, dates, strict=True):
            if unit != department_code:
                groups[unit].append(task_status(version.due, unit_done if unit_done and unit_done <= as_of else None, as_of))
    return groups


def on_time_rates(
    con: duckdb.DuckDBPyConnection, plan_year: int, as_of: date, department_code: str, only: frozenset[str] | None = None
) -> dict[str, float]:
    """unit code → percent of its due tasks (of ``only``, or all) completed on time by ``as_of``; units with no task
    due are absent."""
    groups = _statuses_by_unit(_task_versions(con, plan_year), _completions(con, plan_year)[0], as_of, department_code, only)
    rates = {}
    for code, statuses in groups.items():
        on_time, late, overdue = _due_counts(statuses)
        if on_time + late + overdue:
            rates[code] = 100 * on_time / (on_time + late + overdue)  # exact: a criterion's steps apply to it
    return rates


def refresh_completion(
    con: duckdb.DuckDBPyConnection, plan_year: int, periods: Sequence[tuple[str, date]], department_code: str
) -> dict:
    """On-time completion, year to date at each (period label, as-of date): for the department from the tasks'
    status, for each lead unit from its own reports (a shared task counts for each lead by what that lead did)."""
    names = dict(
        con.execute(
            "SELECT office_code, office_name FROM dim_office UNION ALL SELECT unit_code, unit_name FROM dim_unit"
        ).fetchall()
    )
    completed, _ = _completions(con, plan_year)
    versions = _task_versions(con, plan_year)
    out = []
    for label, as_of in periods:
        groups = _statuses_by_unit(versions, completed, as_of, department_code)
        for code, statuses in groups.items():
            on_time, late, overdue = _due_counts(statuses)
            due = on_time + late + overdue
            out.append(
                {
                    "plan_year": plan_year,
                    "period_label": label,
                    "as_of": as_of,
                    "unit_code": code,
                    "unit_name": names.get(code, code),
                    "tasks": len(statuses),
                    "due": due,
                    "completed_on_time": on_time,
                    "completed_late": late,
                    "overdue": overdue,
                    "on_time_rate": None if due == 0 else round_half_up(100 * on_time / due, 1),
                }
            )
    with transaction(con):
        con.execute(
            "DELETE FROM mart_task_completion WHERE plan_year = ? AND list_contains(?, period_label)",
            [plan_year, [label for label, _ in periods]],
        )
        insert_frame(con, "mart_task_completion", pd.DataFrame(out))
        label_units(con, "mart_task_completion")
    return {"periods": len(periods), "rows": len(out)}
