"""The report to Sở Nội vụ on the department's administrative-reform (CCHC) plan for a quarter, six months or year, as
a Word document in the NĐ 30/2020/NĐ-CP layout (Phụ lục I); the Excel workbook of ``workbooks.tasks`` is its annex.

It reads what the workbook reads (``workbooks.tasks.read_task_report_data``: mart_task_status, mart_task_completion,
mart_task_report_latest, mart_task_report_missing and the plan register), so the two agree, and fills the Word
template ``documents/templates/bao_cao_tien_do.docx`` (docxtpl, always rendered with autoescape):

- header (parent and issuing agency, Quốc hiệu, Tiêu ngữ), "Số:      /BC-<agency>", place and date, title citing the
  plan by its number and issue date and each revision by its own date;
- I. results: counts per task group (the plan's focus tasks, then each section such as IV), per lead unit (the
  mart's rows) and the department's on-time rate; the lead units whose report is late (past its due date);
- II. overdue tasks with the difficulties their lead units reported; III. difficulties and proposals of the units'
  reports; IV. tasks due in the next period and overdue tasks to finish;
- the annex (the Excel file's name), "Nơi nhận" and the signature block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
from docxtpl import DocxTemplate  # type: ignore[import-untyped]

from common.files import write_atomically
from common.periods import Period, period_containing
from common.units import province_name
from common.vntext import official_date_parts
from documents.make_template import TASK_REPORT_TEMPLATE
from scoring.rounding import round_half_up
from workbooks.excel import frame_records, is_missing
from workbooks.tasks import (
    TaskReportData,
    has_identified_lead,
    no_report_text,
    plan_citation,
    read_task_report_data,
    task_order_key,
    task_report_name,
    unidentified_leads,
)

FOCUS_GROUP = "Nhiệm vụ trọng tâm"
_SECTION = re.compile(r"^([IVXLC]+)\.", re.IGNORECASE)
DUE_DAYS_DEFAULT = 15


@dataclass(frozen=True)
class Signature:
    """Who signs: "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" and the name (typed when signing if empty)."""

    authority: str = "KT. GIÁM ĐỐC"
    title: str = "PHÓ GIÁM ĐỐC"
    name: str = ""


@dataclass
class TaskDocumentData:
    report: TaskReportData  # what the Excel annex shows
    made_on: date  # the document's date; lateness of the units' reports is judged on this day
    due_days: int  # a unit's report is due this many days after the period's end


def task_document_name(period: Period) -> str:
    """'bao_cao_tien_do_cchc_2026-Q3.docx', beside its annex 'bao_cao_tien_do_cchc_2026-Q3.xlsx'."""
    return f"bao_cao_tien_do_cchc_{period.label}.docx"


def set_report_deadline(con: duckdb.DuckDBPyConnection, due_days: int, as_of: date) -> None:
    """The session variables of the view mart_task_report_missing: a report is late only ``due_days`` after the end
    of its period, judged on ``as_of``."""
    con.execute(f"SET VARIABLE task_report_due_days = {int(due_days)}")
    con.execute(f"SET VARIABLE task_report_as_of = DATE '{as_of.isoformat()}'")


def read_task_document_data(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    as_of: date,
    department_code: str,
    *,
    made_on: date,
    due_days: int = DUE_DAYS_DEFAULT,
) -> TaskDocumentData:
    set_report_deadline(con, due_days, made_on)
    report = read_task_report_data(con, period, as_of, department_code)
    return TaskDocumentData(report=report, made_on=made_on, due_days=due_days)


# --- the figures ------------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    """85.7 -> '85,7' (Vietnamese decimal comma); None -> '-'."""
    if value is None or is_missing(value):
        return "-"
    return f"{float(value):.1f}".replace(".", ",")


def _rate(on_time: int, due: int) -> float | None:
    return round_half_up(100 * on_time / due, 1) if due else None


def _day(value: Any) -> str:
    if value is None or is_missing(value):
        return ""
    return f"{value:%d/%m/%Y}"


def task_group(task_no: Any) -> str:
    """'IV.2' -> 'Mục IV', '9' -> the focus tasks."""
    m = _SECTION.match(str(task_no or ""))
    return f"Mục {m.group(1).upper()}" if m else FOCUS_GROUP


def group_rows(tasks: list[dict]) -> tuple[list[dict], dict]:
    """Counts per task group from the tasks' statuses (mart_task_status), the focus tasks first, and the total."""
    groups: dict[str, dict] = {}
    for t in sorted(tasks, key=lambda t: task_order_key(t["task_no"])):
        g = groups.setdefault(
            task_group(t["task_no"]), {"tasks": 0, "on_time": 0, "late": 0, "overdue": 0, "first": t["task_no"], "last": ""}
        )
        g["tasks"] += 1
        g["last"] = t["task_no"]
        status = t.get("status")
        g["on_time"] += status == "completed_on_time"
        g["late"] += status == "completed_late"
        g["overdue"] += status == "overdue"
    rows = []
    for i, (name, g) in enumerate(groups.items(), start=1):
        span = g["first"] if g["first"] == g["last"] else f"{g['first']}–{g['last']}"
        due = g["on_time"] + g["late"] + g["overdue"]
        rows.append(
            {
                "no": str(i),
                "name": f"{name} (nhiệm vụ {span})",
                "tasks": g["tasks"],
                "due": due,
                "on_time": g["on_time"],
                "late": g["late"],
                "overdue": g["overdue"],
                "rate_value": _rate(g["on_time"], due),
            }
        )
    total = {key: sum(r[key] for r in rows) for key in ("tasks", "due", "on_time", "late", "overdue")}
    total["name"] = "Tổng cộng"
    total["rate_value"] = _rate(total["on_time"], total["due"])
    return rows, total


def unit_rows(data: TaskReportData) -> list[dict]:
    """The lead units' rows of mart_task_completion (the department's row is the total of Bảng 1)."""
    rows = [r for r in frame_records(data.completion) if r["unit_code"] != data.department_code]
    return [
        {
            "no": str(i),
            "name": r["unit_name"] or r["unit_code"],
            "tasks": int(r["tasks"] or 0),
            "due": int(r["due"] or 0),
            "on_time": int(r["completed_on_time"] or 0),
            "late": int(r["completed_late"] or 0),
            "overdue": int(r["overdue"] or 0),
            "rate_value": r["on_time_rate"],
        }
        for i, r in enumerate(rows, start=1)
    ]


def _shown(rows: list[dict]) -> list[dict]:
    return [{**{k: str(v) for k, v in r.items() if k != "rate_value"}, "rate": _number(r["rate_value"])} for r in rows]


# --- the text ---------------------------------------------------------------------------------------------


# The words a deadline's condition starts with that continue a sentence in lower case; any other first word (a name:
# "Bộ Nội vụ …", "UBND tỉnh …", "Thái Nguyên …") keeps its capital.
_CONDITION_STARTS = frozenset("sau khi trước theo căn tùy tuỳ phụ chờ trong ngay kể tính hoàn đến".split())


def _sentence_part(text: str) -> str:
    """``text`` continuing a sentence ("Sau khi …" becomes "sau khi …"; "Bộ Nội vụ …" stays)."""
    first = text.split()[0] if text.split() else ""
    return text[:1].lower() + text[1:] if first.casefold() in _CONDITION_STARTS else text


def _task_line(t: dict) -> str:
    content = str(t.get("content") or "").rstrip(" .;")
    lead = t.get("lead_names") or t.get("lead_text") or ""
    due = t.get("effective_due_date")
    line = f"- Nhiệm vụ {t['task_no']}: {content}"
    deadline = ""
    if not is_missing(due) and due:
        # A deadline that depends on something else ("sau khi có Kế hoạch của UBND tỉnh") is said to be one, as the
        # annex says it: given as firm, the task read as plainly overdue.
        condition = t.get("deadline_condition")
        if t.get("provisional") is True:
            when = f", {_sentence_part(condition)}" if condition and not is_missing(condition) else ""
            deadline = f"hạn dự kiến {_day(due)}{when}"
        else:
            deadline = f"hạn {_day(due)}"
    details = [x for x in (f"chủ trì: {lead}" if lead else "", deadline) if x]
    return line + (f" ({'; '.join(details)})" if details else "")


def _results(data: TaskDocumentData, groups: list[dict], total: dict) -> list[str]:
    report = data.report
    tasks = frame_records(report.tasks)
    due_soon = sum(t.get("status") == "due_soon" for t in tasks)
    on_track = sum(t.get("status") == "on_track" for t in tasks)
    # a task whose completion time could not be read is neither due nor in time: named, or the counts would not add up
    undated = sorted((t for t in tasks if t.get("status") == "no_deadline"), key=lambda t: task_order_key(t["task_no"]))
    lines = [
        f"Kế hoạch có {total['tasks']} nhiệm vụ; đến ngày {report.as_of:%d/%m/%Y} có {total['due']} nhiệm vụ đã đến hạn hoặc đã hoàn thành: "
        f"{total['on_time']} nhiệm vụ hoàn thành đúng hạn, {total['late']} nhiệm vụ hoàn thành quá hạn, "
        f"{total['overdue']} nhiệm vụ quá hạn chưa hoàn thành; {on_track + due_soon} nhiệm vụ đang thực hiện trong hạn"
        + (f" (trong đó {due_soon} nhiệm vụ sắp đến hạn)" if due_soon else "")
        + (
            f"; {len(undated)} nhiệm vụ chưa xác định được thời hạn (nhiệm vụ "
            + ", ".join(str(t["task_no"]) for t in undated)
            + ": thời gian hoàn thành trong kế hoạch không đọc được)"
            if undated
            else ""
        )
        + ".",
        f"Tỷ lệ hoàn thành đúng hạn của {report.department_name}: "
        + (
            f"{_number(total['rate_value'])}% ({total['on_time']}/{total['due']} nhiệm vụ đã đến hạn hoặc đã hoàn thành)."
            if total["due"]
            else "chưa có nhiệm vụ đến hạn."
        ),
    ]
    for g in groups:
        lines.append(
            f"- {g['name']}: {g['tasks']} nhiệm vụ, {g['due']} đã đến hạn hoặc đã hoàn thành, {g['on_time']} hoàn thành đúng hạn, "
            f"{g['late']} hoàn thành quá hạn, {g['overdue']} quá hạn; "
            + (f"tỷ lệ đúng hạn {_number(g['rate_value'])}%." if g["due"] else "chưa có nhiệm vụ đến hạn.")
        )
    lines.append("Kết quả chi tiết từng nhiệm vụ và từng đơn vị như các bảng dưới đây và Phụ lục kèm theo.")
    return lines


def _reporting(data: TaskDocumentData) -> list[str]:
    """The lead units whose report is late (past period end + due_days on the document's date) — only those."""
    missing = frame_records(data.report.missing_reports)
    late = [r for r in missing if r.get("is_late")]
    waiting = [r for r in missing if not r.get("is_late")]
    period = data.report.period
    due = period.end + timedelta(days=data.due_days)
    unknown = unidentified_leads(data.report.tasks)
    unknown_tasks = sum(u["tasks"] for u in unknown)
    unknown_lines = []
    if unknown:
        unknown_lines.append(
            f"Chưa xác định được đơn vị chủ trì của {unknown_tasks} nhiệm vụ trong danh mục đơn vị "
            f"nên chưa biết các đơn vị này đã gửi báo cáo {_period_words(period)} hay chưa:"
        )
        for u in unknown:
            lead = f"kế hoạch ghi đơn vị chủ trì: {u['lead_text']}" if u["lead_text"] else "kế hoạch không ghi đơn vị chủ trì"
            unknown_lines.append(f"- Nhiệm vụ {', '.join(u['task_nos'])} ({lead});")
        unknown_lines[-1] = unknown_lines[-1].removesuffix(";") + "."
    if not late:
        identified = has_identified_lead(data.report.tasks)
        if waiting:
            text = (
                f"Hạn gửi báo cáo {_period_words(period)} của các đơn vị là ngày {due:%d/%m/%Y} "
                f"({data.due_days} ngày sau khi kết thúc kỳ báo cáo); {len(waiting)} đơn vị chưa gửi, chưa đến hạn."
            )
        elif not unknown:
            text = f"Các đơn vị chủ trì đã gửi báo cáo {_period_words(period)}."
        elif identified:
            text = f"Các đơn vị chủ trì đã xác định được đã gửi báo cáo {_period_words(period)}."
        else:
            return unknown_lines
        return [text, *unknown_lines]
    lines = [
        (
            f"Đơn vị chủ trì chưa gửi báo cáo {_period_words(period)} (quá hạn ngày {due:%d/%m/%Y}, {data.due_days} ngày "
            "sau khi kết thúc kỳ báo cáo), tình trạng nhiệm vụ của các đơn vị này tính theo báo cáo gần nhất:"
        )
    ]
    for r in late:
        last = f"báo cáo gần nhất ngày {_day(r['last_report_date'])}" if r.get("last_report_date") else "chưa gửi báo cáo nào"
        lines.append(f"- {r['unit_name']} ({int(r['tasks'])} nhiệm vụ chủ trì; {last});")
    lines[-1] = lines[-1].removesuffix(";") + "."  # the list's last item ends the sentence
    return lines + unknown_lines


def _overdue(tasks: list[dict]) -> list[str]:
    overdue = [t for t in tasks if t.get("status") == "overdue"]
    late = [t for t in tasks if t.get("status") == "completed_late"]
    if not overdue and not late:
        return ["Không có nhiệm vụ quá hạn."]
    lines = []
    if overdue:
        lines.append(f"Có {len(overdue)} nhiệm vụ quá hạn chưa hoàn thành:")
        for t in overdue:
            reason = t.get("difficulties") or (
                "đơn vị chủ trì không nêu nguyên nhân" if t.get("reported") else no_report_text(t).strip("()")
            )
            percent = t.get("percent")
            done = f"; đã thực hiện {percent:.0f}%" if percent is not None and not is_missing(percent) else ""
            if done and float(percent or 0) >= 100:  # overdue as of the period's end, 100 % by a later report: finished after it
                done += " nhưng hoàn thành sau ngày chốt số liệu của kỳ"
            lines.append(f"{_task_line(t)}{done}. Nguyên nhân: {_one_line(reason)}.")
    if late:
        lines.append(f"Có {len(late)} nhiệm vụ hoàn thành nhưng quá hạn:")
        for t in late:
            lines.append(f"{_task_line(t)}; hoàn thành ngày {_day(t.get('completed_on'))}.")
    return lines


def _one_line(text: object) -> str:
    """A report field as one sentence of the report: the annex gives each lead unit's text on a line of its own
    ("Phòng A: …\nPhòng B: …"); here they are separated by "; ", not run together."""
    parts = (" ".join(line.split()).rstrip(" .;") for line in str(text).splitlines())
    return "; ".join(p for p in parts if p)


def _from_reports(tasks: list[dict], key: str, empty: str) -> list[str]:
    lines = []
    for t in tasks:
        text = t.get(key)
        if text:
            lines.append(f"- Nhiệm vụ {t['task_no']}: {_one_line(text)}")
    return lines or [empty]


def next_period(period: Period) -> Period:
    return period_containing(period.kind, period.end + timedelta(days=1))


def _next_tasks(data: TaskDocumentData, tasks: list[dict]) -> tuple[Period, list[str]]:
    nxt = next_period(data.report.period)
    # A task a later revision removed from the plan is not to be finished any more.
    tasks = [t for t in tasks if is_missing(t.get("removed_in_revision"))]
    due = [
        t
        for t in tasks
        if t.get("status") not in ("completed_on_time", "completed_late")
        and t.get("effective_due_date") is not None
        and nxt.start <= t["effective_due_date"] <= nxt.end
    ]
    overdue = [t for t in tasks if t.get("status") == "overdue"]
    lines = []
    if due:
        lines.append(f"Tập trung hoàn thành {len(due)} nhiệm vụ đến hạn trong {_period_words(nxt)}:")
        lines.extend(_task_line(t) + ";" for t in due)
    else:
        lines.append(f"Không có nhiệm vụ của kế hoạch đến hạn trong {_period_words(nxt)}.")
    if overdue:
        lines.append(
            f"Khẩn trương hoàn thành {len(overdue)} nhiệm vụ đã quá hạn: nhiệm vụ "
            + ", ".join(str(t["task_no"]) for t in overdue)
            + "."
        )
    open_tasks = [t for t in tasks if t.get("status") in ("on_track", "due_soon") and t not in due]
    if open_tasks:
        lines.append(f"Tiếp tục thực hiện {len(open_tasks)} nhiệm vụ đang trong hạn theo tiến độ của kế hoạch.")
    return nxt, lines


def _abbreviation(code: str) -> str:
    """'19.SKHCN' -> 'SKHCN'."""
    return code.split(".")[-1] if code else ""


def context(data: TaskDocumentData, *, signature: Signature = Signature(), annex_name: str | None = None) -> dict:
    """The template's variables."""
    report = data.report
    period = report.period
    tasks = sorted(frame_records(report.tasks), key=lambda t: task_order_key(t["task_no"]))
    for t in tasks:
        if t.get("effective_due_date") is not None and not isinstance(t["effective_due_date"], date):
            t["effective_due_date"] = t["effective_due_date"].date()
    groups, total = group_rows(tasks)
    nxt, next_lines = _next_tasks(data, tasks)
    annex = annex_name or task_report_name(period)
    agency = report.department_name
    province = province_name(report.province)
    day, month, year = official_date_parts(data.made_on)  # NĐ 30/2020: "ngày 06 tháng 7 năm 2026"
    return {
        "parent_agency": province.committee,
        "agency": agency.upper(),
        "number": " " * 8,
        "abbreviation": _abbreviation(report.department_code),
        "place": province.short,
        "day": day,
        "month": month,
        "year": year,
        "subject": f"Kết quả thực hiện nhiệm vụ cải cách hành chính {_period_words(period)}",
        "recipient_to": f"Sở Nội vụ {province.full}",
        "intro": f"Thực hiện {plan_citation(data.report)}, {agency} báo cáo kết quả thực hiện nhiệm vụ cải cách hành chính "
        f"{_period_words(period)} như sau:",
        "as_of_text": f"Số liệu tính đến hết ngày {report.as_of:%d/%m/%Y}, theo báo cáo của các đơn vị chủ trì "
        f"nhận được đến ngày {data.made_on:%d/%m/%Y}.",
        "results": _results(data, groups, total),
        "groups": _shown(groups),
        "total": _shown([{**total, "no": ""}])[0],
        "units": _shown(unit_rows(report)),
        "reporting": _reporting(data),
        "overdue": _overdue(tasks),
        "difficulties": _from_reports(tasks, "difficulties", "Các đơn vị không nêu khó khăn, vướng mắc."),
        "proposals": _from_reports(tasks, "proposals", "Các đơn vị không có đề xuất, kiến nghị."),
        "next_period_upper": nxt.vietnamese.upper() if period.kind != "year" else f"NĂM {nxt.start.year}",
        "next_tasks": next_lines,
        "annex_text": f"Chi tiết từng nhiệm vụ, nhiệm vụ quá hạn, kết quả theo đơn vị và dữ liệu chưa sử dụng được tại "
        f"Phụ lục kèm theo Báo cáo này (tệp Excel {annex}).",
        "closing": f"Trên đây là báo cáo kết quả thực hiện nhiệm vụ cải cách hành chính {_period_words(period)} của "
        f"{agency}, kính gửi Sở Nội vụ tổng hợp./.",
        "recipients": ["Như trên", f"Giám đốc {_short(agency)} (b/c)", "Các phòng, đơn vị thuộc Sở"],
        "archive_unit": "VP",
        "signer_authority": signature.authority,
        "signer_title": signature.title,
        "signer_note": "" if signature.name else "(Ký, ghi rõ họ tên)",
        "signer_name": signature.name,
    }


def _short(agency: str) -> str:
    return "Sở" if agency.lower().startswith("sở") else agency


def _period_words(period: Period) -> str:
    """'quý III năm 2026', '6 tháng đầu năm 2026', 'năm 2026'."""
    text = period.vietnamese
    if period.kind == "quarter":
        roman, year = text.removeprefix("Quý ").split("/")
        return f"quý {roman} năm {year}"
    return text[0].lower() + text[1:]


def write_task_document(
    path: Path,
    data: TaskDocumentData,
    *,
    signature: Signature = Signature(),
    annex_name: str | None = None,
    template: Path = TASK_REPORT_TEMPLATE,
) -> Path:
    doc = DocxTemplate(str(template))
    doc.render(context(data, signature=signature, annex_name=annex_name), autoescape=True)
    doc.core_properties.title = f"Báo cáo kết quả thực hiện nhiệm vụ cải cách hành chính {_period_words(data.report.period)}"
    doc.core_properties.language = "vi-VN"
    # A temporary file renamed over the old report: a full disk or a kill never leaves a broken .docx.
    return write_atomically(path, lambda tmp: doc.save(str(tmp)), application="Word")
