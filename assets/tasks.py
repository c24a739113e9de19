"""Task progress of the department's administrative-reform plan: offices, plan registers, units' progress reports
(quarterly partitions), the status of every task on every day, completion rates, and the report to Sở Nội vụ."""

import os
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import dagster as dg

from assets import groups
from assets.partitions import PERIOD_PARTITIONS, partition_dates
from assets.resources import WRITER_POOL, AcceptSmallerConfig, Warehouse
from assets.tthc import units
from common.periods import Period, parse_period, periods_between, periods_closed_by
from common.settings import business_today, now_local
from common.units import load_offices, load_units, offices_missing_message


def _offices_note(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dict:
    """Warn, and say in the metadata, when the province has no office list (another province than Thái Nguyên)."""
    message = offices_missing_message(warehouse.province)
    if message is None:
        return {}
    context.log.warning(message)
    return {"offices_missing": message}


@dg.asset(
    group_name=groups.TASK_PLAN,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=[units],
    description="Phòng, đơn vị thuộc Sở (masterdata/offices): chủ trì, phối hợp nhiệm vụ của kế hoạch.",
)
def offices(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.tasks import load_offices as store_offices

    with warehouse.write() as con:
        count = store_offices(con, load_offices(warehouse.province))
    return dg.MaterializeResult(metadata={"offices": count, **_offices_note(context, warehouse)})


@dg.asset(
    group_name=groups.TASK_PLAN,
    kinds={"excel", "duckdb"},
    pool=WRITER_POOL,
    deps=[units, offices],
    description="Sổ kế hoạch (inbox/ke_hoach/*.xlsx): nhiệm vụ, đơn vị chủ trì/phối hợp, hạn đọc từ văn bản; "
    "bản sửa đổi thay thế bản trước, mọi phiên bản được giữ (plan_task_history, fct_plan_task).",
)
def plan_register(context: dg.AssetExecutionContext, config: AcceptSmallerConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.tasks import load_plan_registers

    with warehouse.write() as con:
        stats = load_plan_registers(
            con,
            Path(warehouse.inbox),
            units=load_units(warehouse.province),
            offices=load_offices(warehouse.province),
            now=now_local(),
            accept_smaller=config.accept_smaller,
        )
        issues = con.execute(
            "SELECT file_name, reason FROM file_issues WHERE source = 'plan_register' ORDER BY file_name"
        ).fetchall()
    for file_name, reason in issues[:50]:
        context.log.warning(f"{file_name}: {reason}")
    return dg.MaterializeResult(
        metadata={
            **stats,
            **_offices_note(context, warehouse),
            "issues_list": dg.MetadataValue.md("\n".join(f"- `{f}`: {r}" for f, r in issues[:100]) or "không có"),
        }
    )


def _quarters(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[Period]:
    start, end = partition_dates(context)
    return periods_between("quarter", start, end)


def _report_periods(quarters: list[Period]) -> list[str]:
    """Report periods filed under these quarters: each quarter, and the six months or year it closes."""
    return [p.label for q in quarters for p in periods_closed_by(q)]


class TaskReportsConfig(dg.Config):
    """withdraw: the reports whose file is gone from tien_do/ are taken out with their rows (the explicit way to
    withdraw a report; by default a report deleted from the inbox keeps its rows, with a note)."""

    withdraw: bool = False


@dg.asset(
    group_name=groups.TASK_PROGRESS,
    kinds={"excel", "duckdb"},
    pool=WRITER_POOL,
    deps=[plan_register],
    partitions_def=PERIOD_PARTITIONS["quarter"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Báo cáo tiến độ của các đơn vị chủ trì (inbox/tien_do/*.xlsx) theo quý (và 6 tháng, năm): "
    "đơn vị lấy từ đầu báo cáo; mỗi nhiệm vụ lấy theo bản gửi sau của cùng đơn vị, kỳ (giữ lịch sử); báo cáo đã "
    "xóa khỏi hộp thư vẫn giữ, trừ khi chạy với withdraw: true.",
)
def task_reports(context: dg.AssetExecutionContext, warehouse: Warehouse, config: TaskReportsConfig) -> dg.MaterializeResult:
    from warehouse.tasks import known_tasks, load_task_reports, read_reports, reports_of_run

    labels = _report_periods(_quarters(context))
    with warehouse.write() as con:
        reports = read_reports(
            Path(warehouse.inbox),
            units=load_units(warehouse.province),
            offices=load_offices(warehouse.province),
            known=known_tasks(con),
            today=business_today(),
        )
        stats = load_task_reports(con, reports, labels, now_local(), inbox=Path(warehouse.inbox), withdraw=config.withdraw)
        issues = con.execute(
            """SELECT file_name, reason FROM file_issues WHERE source = 'task_report'
                                AND list_contains(?, file_name) ORDER BY file_name""",
            [[r.path.name for r in reports_of_run(reports, labels)]],
        ).fetchall()
    return dg.MaterializeResult(
        metadata={
            **stats,
            **_offices_note(context, warehouse),
            "periods": ", ".join(labels),
            "issues_list": dg.MetadataValue.md("\n".join(f"- `{f}`: {r}" for f, r in issues[:100]) or "không có"),
        }
    )


@dg.asset(
    group_name=groups.TASK_PROGRESS,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=[task_reports],
    partitions_def=PERIOD_PARTITIONS["quarter"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Tình trạng mỗi nhiệm vụ vào từng ngày của quý (trong hạn, sắp đến hạn, quá hạn, hoàn thành "
    "đúng hạn/quá hạn; ngày nghỉ theo thư viện holidays) và tỷ lệ hoàn thành đúng hạn theo đơn vị "
    "và cả Sở (mart_task_status, mart_task_completion).",
)
def task_status(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from common.periods import days_between
    from warehouse.tasks import drop_within, refresh_completion, refresh_task_status

    today = business_today()
    # Days of the run's quarters after today (left by a run as of a later day) go first: a run as of a day leaves
    # what a fresh run as of that day would, the other quarters' history stays, and the days up to today are
    # rewritten below in one transaction each, so a kill in between never leaves a day without its rows.
    after_today = [(max(q.start, today + timedelta(days=1)), q.end) for q in _quarters(context) if q.end > today]
    with warehouse.write() as con:
        removed = drop_within(con, after_today)
    quarters = [q for q in _quarters(context) if q.start <= today]
    dropped = {f"removed_{t}": n for t, n in removed.items() if n}
    if not quarters:
        return dg.MaterializeResult(metadata={"note": "quý chưa bắt đầu", **dropped})
    department = warehouse.department()
    with warehouse.write() as con:
        stats = {"rows": 0}
        for year in sorted({q.start.year for q in quarters}):
            days = [d for q in quarters if q.start.year == year for d in days_between(q.start, min(q.end, today))]
            stats["rows"] += refresh_task_status(con, year, days)["rows"]
            closing = [parse_period(label) for label in _report_periods([q for q in quarters if q.start.year == year])]
            if quarters[-1].end >= today:  # the year so far, as of today
                closing.append(parse_period(f"{year}-Y"))
            periods = sorted({(p.label, min(p.end, today)) for p in closing})
            refresh_completion(con, year, periods, department)
        as_of = min(quarters[-1].end, today)
        attention = con.execute(
            """
            SELECT s.status, s.task_no, s.status_label, s.effective_due_date, t.lead_text, t.content
            FROM mart_task_status s JOIN fct_plan_task t USING (plan_year, task_no)
            WHERE s.plan_year = ? AND s.as_of = ? AND s.status IN ('overdue', 'due_soon')
            ORDER BY s.status DESC, s.effective_due_date""",
            [as_of.year, as_of],
        ).fetchall()
        rate = con.execute(
            """SELECT on_time_rate FROM mart_task_completion WHERE unit_code = ? AND as_of = ?
                              ORDER BY period_label DESC LIMIT 1""",
            [department, as_of],
        ).fetchall()
    lines = [f"- {n}. {label} (hạn {due:%d/%m/%Y}; {lead}): {content[:90]}" for _, n, label, due, lead, content in attention]
    return dg.MaterializeResult(
        metadata={
            **stats,
            **dropped,
            "as_of": f"{as_of:%d/%m/%Y}",
            "overdue": sum(a[0] == "overdue" for a in attention),
            "due_soon": sum(a[0] == "due_soon" for a in attention),
            "department_on_time_rate": rate[0][0] if rate else None,
            "overdue_and_due_soon": dg.MetadataValue.md("\n".join(lines) or "không có"),
        }
    )


class TaskReportConfig(dg.Config):
    """A six months or year closed by the partition's quarter to write instead of the quarter: 2026-H1 (partition
    2026-04-01), 2026-Y (2026-10-01); empty = the report of each quarterly partition of the run. The signer of the
    .docx report (empty name: signed by hand)."""

    period: str = ""
    signer_authority: str = "KT. GIÁM ĐỐC"
    signer_title: str = "PHÓ GIÁM ĐỐC"
    signer_name: str = ""


# Days after a period's end by which the lead units' reports are due (the view mart_task_report_missing): a unit is
# listed as late in the report only after that.
DUE_DAYS_ENV = "CCHC_TASK_REPORT_DUE_DAYS"


def report_due_days() -> int:
    from documents.task_report import DUE_DAYS_DEFAULT

    text = os.environ.get(DUE_DAYS_ENV, "").strip()
    if not text:
        return DUE_DAYS_DEFAULT
    try:
        days = int(text)
    except ValueError:
        raise dg.Failure(f"{DUE_DAYS_ENV}={text!r}: cần một số ngày (ví dụ 15).") from None
    if not 0 <= days <= 366:
        raise dg.Failure(f"{DUE_DAYS_ENV}={days}: số ngày phải từ 0 đến 366.")
    return days


def pdf_copies(documents: list[Path], log=None) -> dict[Path, Path | None]:
    """A PDF beside each document when LibreOffice (soffice) is on PATH, None otherwise or when it fails. One
    LibreOffice run per folder converts all of its documents: its start-up is most of the cost (about 1.5 s)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return dict.fromkeys(documents)
    by_folder: dict[Path, list[Path]] = {}
    for document in documents:
        document.with_suffix(".pdf").unlink(missing_ok=True)  # never leave the copy of an earlier run beside it
        by_folder.setdefault(document.parent, []).append(document)
    for folder, group in by_folder.items():
        profile = Path(tempfile.mkdtemp(prefix=f"lo_{os.getpid()}_"))
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(folder),
                    *map(str, group),
                ],
                check=True,
                capture_output=True,
                timeout=120 + 60 * len(group),
            )
        except (OSError, subprocess.SubprocessError) as err:
            if log is not None:
                log.warning(f"Không chuyển được {', '.join(d.name for d in group)} sang PDF: {err}")
        finally:
            shutil.rmtree(profile, ignore_errors=True)
    return {d: pdf if (pdf := d.with_suffix(".pdf")).exists() else None for d in documents}


@dg.asset(
    group_name=groups.TASK_PROGRESS,
    kinds={"excel", "docx", "pdf"},
    pool=WRITER_POOL,
    deps=[task_status],
    partitions_def=PERIOD_PARTITIONS["quarter"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Báo cáo kết quả thực hiện nhiệm vụ CCHC gửi Sở Nội vụ của quý (phân vùng): văn bản .docx theo thể "
    "thức Nghị định 30/2020/NĐ-CP (kết quả theo nhóm nhiệm vụ và đơn vị, nhiệm vụ quá hạn và nguyên nhân, khó khăn, "
    "đề xuất, nhiệm vụ kỳ tới, nơi nhận, chữ ký; bản PDF khi có LibreOffice) và Phụ lục Excel (tổng hợp, bảng nhiệm "
    "vụ, quá hạn, biểu đồ theo đơn vị). 6 tháng hoặc năm kết thúc cùng quý: config period (2026-H1, 2026-Y); hạn "
    "báo cáo của đơn vị: CCHC_TASK_REPORT_DUE_DAYS ngày sau kỳ (mặc định 15).",
)
def task_progress_workbook(
    context: dg.AssetExecutionContext, config: TaskReportConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    from documents.task_report import Signature, read_task_document_data, task_document_name, write_task_document
    from workbooks.tasks import task_report_name, write_task_report

    today = business_today()
    due_days = report_due_days()
    periods = report_periods(_quarters(context), config.period)
    signature = Signature(config.signer_authority, config.signer_title, config.signer_name)
    written = []
    with warehouse.read() as con:  # (plan and task tables only: no blocking check covers them)
        # the lateness of a unit's report is judged on the day the report is made (today), after its due date
        reports = [
            read_task_document_data(con, p, min(p.end, today), warehouse.department(), made_on=today, due_days=due_days)
            for p in periods
            if p.start <= today
        ]
    late, documents = 0, []
    for data in reports:
        period = data.report.period
        annex = Path(warehouse.reports) / task_report_name(period)
        annex.parent.mkdir(parents=True, exist_ok=True)
        write_task_report(annex, data.report, made_on=data.made_on)  # dated as the .docx it is the annex of
        document = write_task_document(
            annex.with_name(task_document_name(period)), data, signature=signature, annex_name=annex.name
        )
        written += [document, annex]
        documents.append(document)
        late += int(data.report.missing_reports["is_late"].fillna(False).astype(bool).sum())
    written += [pdf for pdf in pdf_copies(documents, context.log).values() if pdf is not None]
    return dg.MaterializeResult(
        metadata={
            "paths": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written) or "-"),
            "report_due_days": due_days,
            "late_unit_reports": late,
        }
    )


def report_periods(quarters: list[Period], period: str = "") -> list[Period]:
    """The reports a run writes: one per quarter of its partitions, or the configured quarter, six months or year,
    which must end with one of them."""
    if not period.strip():
        return quarters
    try:
        chosen = parse_period(period.strip())
    except ValueError as err:
        raise dg.Failure(str(err)) from None
    if chosen.kind == "month":
        raise dg.Failure("Báo cáo tiến độ lập theo quý, 6 tháng hoặc năm (2026-Q3, 2026-H1, 2026-Y), không theo tháng.")
    closing = next((q for q in quarters if q.end == chosen.end), None)
    if closing is None:
        raise dg.Failure(
            f"Kỳ {chosen.vietnamese} không kết thúc trong quý của phân vùng: chọn phân vùng "
            f"{chosen.end.year}-{chosen.end.month - 2:02d}-01."
        )
    return [chosen]
