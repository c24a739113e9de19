"""Sensors: the inbox sensor, the follow-up of a day's run, the alert on a failed run and the recovery of runs
whose process died."""

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import WILL_RETRY_TAG

from assets.partitions import FIRST_DAY, PERIOD_PARTITIONS, period_partition_key
from assets.resources import Warehouse
from common.periods import period_containing, periods_between, report_quarter
from common.pii import file_name_shown
from common.settings import business_today, get_settings
from pipelines.jobs import (
    PERIOD_JOBS,
    RANGE_END,
    RANGE_START,
    daily_job,
    masterdata_job,
    partition_span,
    period_jobs,
    range_tags,
    sources_job,
)
from pipelines.schedules import automation_on
from sources.excel_intake import ignored_name, personal_named_files, subfolder_files
from sources.intake import is_copy_of, name_copies, settle_seconds
from sources.petition_format import PETITION_DIR
from sources.portal_format import PORTAL_DIR, snapshot_files
from sources.publication_format import PUBLICATION_FILE_NAME
from sources.table_files import EXCEL_SUFFIXES
from sources.task_formats import PLAN_DIR, REPORT_DIR
from sources.tthc_format import CATALOGUE_FILE_NAME, export_day, far_future_day
from warehouse.landing import inbox_workbooks
from warehouse.petitions import petition_files


def _catalogue_name(name: str) -> bool:
    """A name sources/tthc_catalogue.catalogue_file takes: danh_muc_tthc.csv, a copy of it, or a workbook."""
    return Path(name).suffix.lower() in (".csv", *EXCEL_SUFFIXES) and is_copy_of(name, Path(CATALOGUE_FILE_NAME).stem)


# Days back whose periods a load rescores: dossiers count in the month they were received, and one received in
# December that is finished (late) in January changes December, the fourth quarter and the year just closed.
RESCORE_DAYS = 45


def _sensor_status() -> dg.DefaultSensorStatus:
    return dg.DefaultSensorStatus.RUNNING if automation_on() else dg.DefaultSensorStatus.STOPPED


def _signature(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _keyed(found: list[Path], inbox: Path) -> dict[str, str]:
    """The files' signatures keyed by their path in the inbox (the cursor and run tags Dagster keeps); a file whose
    name carries a citizen's personal data (not read: refused by the run) by its masked name and signature."""
    out = {}
    for p in found:
        if not p.exists():
            continue
        path, signature = p.relative_to(inbox), _signature(p)
        # each part masked alone: the inbox's own folders ("ke_hoach/") tell which run to ask for
        parts = [file_name_shown(part) for part in path.parts]
        tag = f" #{hashlib.sha256(signature.encode()).hexdigest()[:8]}"
        out[path.as_posix() if parts == list(path.parts) else "/".join(parts) + tag] = signature
    return out


def _other_sources(inbox: Path) -> dict[str, str]:
    """Portal snapshots, petition exports and the publication register, keyed by their path in the inbox."""
    # A capture's .request.json sidecar is written just before its answer: the answer is what triggers the reload.
    portal = snapshot_files(inbox / PORTAL_DIR)
    petitions = inbox / PETITION_DIR
    # The register whatever the letter case of its name, its copies ('cong_bo_tthc (1).csv') and another kind of it
    # (cong_bo_tthc.xlsx): listed, not compared (the run picks the one to read and reports the others).
    found = [
        *portal,
        *(petition_files(petitions) if petitions.is_dir() else []),
        *subfolder_files(petitions),  # not read, but refused by the run: it must run
        *personal_named_files(petitions),  # (the same)
        *name_copies(inbox / "tthc", Path(PUBLICATION_FILE_NAME).stem),
    ]
    return _keyed(found, inbox)


def _par_files(inbox: Path) -> dict[str, str]:
    """Inputs of the yearly indices: forms, appraisal and surveys of the PAR index (par/) and of the DTI (dti/), with
    the other systems' values and last year's DTI results."""
    found = [
        p
        for folder in ("par", "dti")
        if (inbox / folder).exists()
        for p in (inbox / folder).rglob("*")
        if p.is_file() and not ignored_name(p.name)
    ]
    return _keyed(found, inbox)


def _changes(seen: dict[str, str], files: dict[str, str]) -> tuple[list[str], str, dict[str, str]]:
    """(new or changed files by name, a digest of them for run keys, the run tags naming them)."""
    changed = sorted(name for name, signature in files.items() if seen.get(name) != signature)
    digest = hashlib.sha256(json.dumps([[n, files[n]] for n in changed]).encode()).hexdigest()[:16]
    return changed, digest, {"cchc/changed_files": ", ".join(changed)[:1000]}


def _par_requests(seen: dict[str, str], files: dict[str, str]) -> Iterator[dg.RunRequest]:
    """A new form, appraisal or survey file rescores the year (the scorecards refresh when an appraisal arrives)."""
    changed, digest, tags = _changes(seen, files)
    if not changed:
        return
    # The year a file names (tham_dinh_2026.xlsx), else this year; an appraisal of last year arrives in January. A
    # year no partition has (khao_sat_2025_bo_sung.csv before the first yearly run) is refused by every run: this
    # year's runs it.
    today = business_today()
    keys = set(PERIOD_PARTITIONS["year"].get_partition_keys())
    named = {m.group(0) for n in changed if (m := re.search(r"20\d\d", Path(n).name))}
    years = {y if y in keys else str(today.year) for y in named} or {str(today.year)}
    for year in sorted(y for y in years if y in keys):
        yield dg.RunRequest(run_key=f"yearly_indices:{year}:{digest}", job_name="yearly_indices", partition_key=year, tags=tags)


def _task_files(inbox: Path) -> dict[str, str]:
    # .xls, .ods … too; a file in a sub-folder is not read but refused by the run, so it runs too
    found = [
        *inbox_workbooks(inbox, PLAN_DIR),
        *inbox_workbooks(inbox, REPORT_DIR),
        *subfolder_files(inbox / PLAN_DIR),
        *subfolder_files(inbox / REPORT_DIR),
        *personal_named_files(inbox / PLAN_DIR),
        *personal_named_files(inbox / REPORT_DIR),
    ]
    return _keyed(found, inbox)


def _task_requests(inbox: Path, seen: dict[str, str], files: dict[str, str]) -> Iterator[dg.RunRequest]:
    """A new or changed plan register reruns task progress for the year so far (until mid-February, last year's too); a
    progress report, for the quarter its header names (the unit and period come from inside the file, not its
    name)."""
    from sources.progress_report import read_progress_report

    changed, digest, tags = _changes(seen, files)
    if not changed:
        return
    today = business_today()
    keys: set[str] = set()
    if any(name.startswith("ke_hoach/") for name in changed):
        # the year so far; until mid-February also last year's, whose plan is still reported on (its fourth quarter,
        # the year)
        since = date((today - timedelta(days=RESCORE_DAYS)).year, 1, 1)
        keys |= {period_partition_key("quarter", q.start) for q in periods_between("quarter", since, today)}
    for name in (n for n in changed if n.startswith("tien_do/")):
        # The quarter the report is filed under, and the quarter of its date (whose days' status it changes).
        try:
            result = read_progress_report(inbox / name, None)
        except Exception:  # a broken file is reported by the run; the sensor must keep going
            result = None
        quarter = report_quarter(result.period_label) if result else None
        days = [d for d in (quarter, result.report_date if result else None, today) if d is not None]
        keys |= {period_partition_key("quarter", period_containing("quarter", d).start) for d in days}
    # A report of a quarter no partition has (Quý IV/2025 before the first partition, a quarter not begun yet) is
    # refused by the run that reads it; asked for, the whole range failed on Dagster's own error.
    partitions = set(PERIOD_PARTITIONS["quarter"].get_partition_keys())
    keys &= partitions
    if not keys and changed and partitions:  # the run still reads, and reports, the changed files
        keys = {period_partition_key("quarter", period_containing("quarter", today).start)} & partitions
    if keys:  # one run over the quarters (single-run backfill policy), not one per quarter
        first, last = min(keys), max(keys)
        yield dg.RunRequest(
            run_key=f"task_progress:{first}:{last}:{digest}", job_name="task_progress", tags={**tags, **range_tags(first, last)}
        )


def day_ranges(days: list[date]) -> list[tuple[date, date]]:
    """Contiguous runs of days: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _start_date() -> date:
    return date.fromisoformat(str(get_settings().start_date))


def _names(files: list[str], limit: int = 8) -> str:
    return ", ".join(files[:limit]) + (f" … (+{len(files) - limit})" if len(files) > limit else "")


@dg.sensor(
    jobs=[daily_job, masterdata_job, sources_job, period_jobs["task_progress"], period_jobs["yearly_indices"]],
    minimum_interval_seconds=60,
    default_status=_sensor_status(),
    description="Phát hiện tệp mới hoặc thay đổi trong hộp thư đến và chạy lại đúng phân vùng "
    "(một lần chạy cho mỗi dải ngày liền nhau).",
)
def inbox_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    inbox = Path(warehouse.inbox)
    folder = inbox / "tthc"
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = (
        {
            p.name: _signature(p)
            # Every name a day's export goes by (HO_SO_20260105.CSV, ho_so_2026-01-05.csv, 'ho_so_20260105 (1).csv',
            # ho_so_20260105.xlsx, read through its table), and the catalogue (danh_muc_tthc.csv, or .xlsx …).
            for p in folder.iterdir()
            if p.is_file() and (export_day(p.name) is not None or _catalogue_name(p.name))
        }
        if folder.exists()
        else {}
    )
    today, start, settle = business_today(), _start_date(), settle_seconds()
    scan = _scan_exports(folder, seen, current, start, today, settle)
    if scan.before_start:
        context.log.warning(
            f"{len(scan.before_start)} tệp xuất trước ngày bắt đầu CCHC_START_DATE={start.isoformat()} không được nạp: "
            f"{_names(scan.before_start)}. Muốn nạp chúng: đặt CCHC_START_DATE sớm hơn rồi khởi động lại."
        )
    if scan.far_future:
        context.log.warning(
            f"{len(scan.far_future)} tệp xuất có ngày trong tên ở xa trong tương lai (gõ nhầm năm?), không được nạp: "
            f"{_names(scan.far_future)}. Đổi tên đúng ngày xuất rồi gửi lại."
        )
    if scan.waiting:
        context.log.info(f"Chờ ngày kết thúc hoặc tệp chép xong: {_names(scan.waiting)}")
    requests = _export_requests(scan, current)
    task_files = _task_files(inbox)
    par_files = _par_files(inbox)
    others = _other_sources(inbox)
    requests += [*_task_requests(inbox, seen, task_files), *_par_requests(seen, par_files)]
    changed, digest, tags = _changes(seen, others)
    if changed:  # one reload for every new or changed file of the evaluation
        requests.append(dg.RunRequest(run_key=f"{sources_job.name}:{digest}", job_name=sources_job.name, tags=tags))
    yield from requests
    context.update_cursor(json.dumps(scan.recorded | others | task_files | par_files))
    if not requests and (scan.before_start or scan.far_future or scan.waiting):  # the tick's line says why nothing ran
        yield _skip_reason(scan, start)


@dataclass
class _ExportScan:
    """The TTHC exports of one evaluation: ``recorded`` (name -> signature, the cursor's part), ``ready`` (new or
    changed export -> its day), ``waiting`` (today's, or still being copied), ``before_start`` (no partition for
    them), ``far_future`` (a day far ahead: a mistyped year), ``catalogue`` (the catalogue changed)."""

    recorded: dict[str, str]
    ready: dict[str, date] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)
    before_start: list[str] = field(default_factory=list)
    far_future: list[str] = field(default_factory=list)
    catalogue: bool = False


def _scan_exports(
    folder: Path, seen: dict[str, str], current: dict[str, str], start: date, today: date, settle: float
) -> _ExportScan:
    scan = _ExportScan({name: sig for name, sig in seen.items() if name in current})  # a removed file may come back
    for name, signature in sorted(current.items()):
        if seen.get(name) == signature:
            continue
        day = export_day(name)
        if day is None:  # the catalogue (the only other name listed)
            scan.catalogue = True
            scan.recorded[name] = signature
            continue
        if day < start:  # no partition to load it into: said (once per version of the file), not loaded
            scan.before_start.append(name)
            scan.recorded[name] = signature
        elif far_future_day(day, today):  # a mistyped year: never waited for; the daily run refuses it by name
            scan.far_future.append(name)
            scan.recorded[name] = signature
        elif day >= today or time.time() - (folder / name).stat().st_mtime < settle:
            # Today's export is loaded once the day is over (its partition exists from midnight) and the file has
            # stopped changing (a copy in progress): not recorded, so a later evaluation takes it.
            scan.waiting.append(name)
        else:
            scan.ready[name] = day
            scan.recorded[name] = signature
    return scan


def _export_requests(scan: _ExportScan, current: dict[str, str]) -> list[dg.RunRequest]:
    """On first enable or after downtime: one daily run per contiguous range of days, not one per file; a changed
    catalogue alone reloads the master data."""
    requests: list[dg.RunRequest] = []
    for first, last in day_ranges(list(scan.ready.values())):
        names = [n for n, day in scan.ready.items() if first <= day <= last]
        digest = hashlib.sha256(json.dumps([[n, current[n]] for n in names]).encode()).hexdigest()[:16]
        requests.append(
            dg.RunRequest(
                run_key=f"{daily_job.name}:{first}:{last}:{digest}",
                job_name=daily_job.name,
                tags={**range_tags(first.isoformat(), last.isoformat()), "cchc/changed_files": _names(names, 40)[:1000]},
            )
        )
    if scan.catalogue and not scan.ready:  # the daily run reloads the catalogue itself
        # (its name in any letter case, DANH_MUC_TTHC.CSV as Windows keeps it, as the loader reads it)
        name = next(n for n in current if n.lower() == CATALOGUE_FILE_NAME)
        requests.append(dg.RunRequest(run_key=f"{CATALOGUE_FILE_NAME}:{current[name]}", job_name=masterdata_job.name))
    return requests


def _skip_reason(scan: _ExportScan, start: date) -> dg.SkipReason:
    notes = []
    if scan.before_start:
        notes.append(
            f"bỏ qua {len(scan.before_start)} tệp trước CCHC_START_DATE={start.isoformat()}: {_names(scan.before_start)}"
        )
    if scan.far_future:
        notes.append(f"bỏ qua {len(scan.far_future)} tệp có ngày trong tên ở xa trong tương lai: {_names(scan.far_future)}")
    if scan.waiting:
        notes.append(f"chờ ngày kết thúc hoặc tệp chép xong: {_names(scan.waiting)}")
    return dg.SkipReason("Không có tệp mới để nạp; " + "; ".join(notes) + ".")


def period_run_requests(first: date, last: date) -> list[tuple[str, dict[str, str]]]:
    """(job name, tags) of the period runs that a load of the days first..last makes stale: each job once, over
    the range of its partitions (single-run backfill), months, quarters, the year, then task progress. Days before
    the first partition (a reload in January rescoring last year, before the pipeline's first year) are left out:
    a range starting before it is refused by Dagster and the run never starts."""
    first = max(first, FIRST_DAY)
    if last < first:
        return []
    requests = []
    for name, (kind, _, _, _) in PERIOD_JOBS.items():
        keys = [period_partition_key(kind, p.start) for p in periods_between(kind, first, last)]
        requests.append((name, range_tags(keys[0], keys[-1])))
    return requests


def _run_days(run: dg.DagsterRun) -> tuple[date, date] | None:
    """The days whose periods a run makes stale: of a daily load, its days and the RESCORE_DAYS before them (the
    dossiers those days finished were received then); of a reload of the catalogue or of the index's other sources,
    the year so far (every period may change)."""
    tags = run.tags
    if run.job_name in (sources_job.name, masterdata_job.name):
        # Snapshots and petition exports of December arrive in January: rescore the previous year until mid-February.
        yesterday = business_today() - timedelta(days=1)
        return date((yesterday - timedelta(days=RESCORE_DAYS)).year, 1, 1), yesterday
    span = partition_span(tags)
    if not span:
        return None
    return date.fromisoformat(span[0]) - timedelta(days=RESCORE_DAYS), date.fromisoformat(span[1])


# Runs whose success makes the period indices stale, and the tag that marks the period runs requested for them.
_MONITORED = [daily_job.name, sources_job.name, masterdata_job.name]
_AFTER_TAG = "cchc/trigger"
_PENDING = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def follow_up_requests(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[dg.RunRequest]:
    """The period runs after ``run`` succeeded, once for a whole batch: nothing while another daily, sources or
    catalogue run is still queued or running, or when a later one has already finished (its turn comes); otherwise
    each period job once over the days of every such run that succeeded since the last batch."""
    if any(instance.get_run_ids(dg.RunsFilter(job_name=job, statuses=_PENDING), limit=1) for job in _MONITORED):
        return []
    last_batch = instance.get_run_records(dg.RunsFilter(tags={_AFTER_TAG: "after_daily"}), limit=1)
    since = last_batch[0].create_timestamp if last_batch else None
    finished = [
        r
        for job in _MONITORED
        for r in instance.get_run_records(
            dg.RunsFilter(job_name=job, statuses=[dg.DagsterRunStatus.SUCCESS], updated_after=since), limit=500
        )
    ]
    this = next((r for r in finished if r.dagster_run.run_id == run.run_id), None)
    end = this.end_time if this and this.end_time else time.time()
    if any(r.end_time and r.end_time > end and r.dagster_run.run_id != run.run_id for r in finished):
        return []
    spans = [d for d in (_run_days(r.dagster_run) for r in finished) if d] or [d for d in [_run_days(run)] if d]
    if not spans:
        return []
    first, last = min(s[0] for s in spans), max(s[1] for s in spans)
    requests = []
    for job_name, tags in period_run_requests(first, last):
        # Periods whose last run failed (a workbook open in Excel, a killed retry) are taken along once: the next
        # batch covered only its own days, and November, failed on 30 November, was never scored again in December.
        start, end = tags[RANGE_START], tags[RANGE_END]
        failed = unsettled_ranges(instance, job_name)
        for failed_start, failed_end in failed:
            start, end = min(start, failed_start), max(end, failed_end)
        taken = {_TAKEN_ALONG_TAG: ", ".join(f"{a}..{b}" for a, b in failed)} if failed else {}
        requests.append(
            dg.RunRequest(
                run_key=f"{run.run_id}:{job_name}",
                job_name=job_name,
                tags={
                    **tags,
                    RANGE_START: start,
                    RANGE_END: end,
                    _AFTER_TAG: "after_daily",
                    "cchc/after_run": run.run_id,
                    **taken,
                },
            )
        )
    return requests


# On a period run that took along the failed ranges it names.
_TAKEN_ALONG_TAG = "cchc/took_along"


def unsettled_ranges(instance: dg.DagsterInstance, job_name: str, limit: int = 100) -> list[tuple[str, str]]:
    """The partition ranges (first, last key) of the job's latest failed runs that no later run of the job (succeeded
    or failed) covered whole, each taken along once: a run that took failed ranges along is not taken along itself
    when it fails, so a period failed by its data (a blocking check) is not asked for by every batch, dragging the new
    periods down with it; the alert of that run says what to fix. A cancelled run was stopped on purpose: not taken
    along. A period job's keys have one width (2026-11, 2026-10-01, 2026), so they compare as text."""
    ended = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]
    covered: list[tuple[str, str]] = []
    unsettled: list[tuple[str, str]] = []
    for run in instance.get_runs(dg.RunsFilter(job_name=job_name, statuses=ended), limit=limit):  # newest first
        tags = run.tags
        span = partition_span(tags)
        if span is None:
            continue
        first, last = span
        taken_along = _TAKEN_ALONG_TAG in tags
        retried = tags.get(WILL_RETRY_TAG) == "true"  # its worker died: Dagster runs it again itself (stale_runs)
        if run.status == dg.DagsterRunStatus.FAILURE and not taken_along and not retried:
            if not any(a <= first and last <= b for a, b in covered):
                unsettled.append((first, last))
        covered.append((first, last))
    return unsettled


# Hand-written rather than declarative automation (AutomationCondition.eager / on_cron): the conditions request runs
# per asset partition as soon as a parent updates, whereas this waits for the whole batch of daily, sources and
# catalogue runs, then asks each period job once over the range of its partitions (single-run backfill: one writing
# process, pool duckdb_writer), the year last so the snapshot is republished after the indices. Until a condition
# expresses "once the batch is done, one range per job", switching would change when and how often the indices run.
@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_job, sources_job, masterdata_job],
    request_jobs=list(period_jobs.values()),
    minimum_interval_seconds=30,
    default_status=_sensor_status(),
    description="Sau các lần chạy daily_tthc (và nạp nguồn, danh mục) thành công: tính lại Chỉ số 766 "
    "của tháng, quý, năm chứa các ngày vừa nạp, tiến độ nhiệm vụ, rồi bảng xếp hạng và "
    "bản chụp; một lần cho cả loạt, không phải một lần cho mỗi lần chạy.",
)
def after_daily(context: dg.RunStatusSensorContext):
    yield from follow_up_requests(context.instance, context.dagster_run)


@dg.run_failure_sensor(
    name="run_failure_alert",
    minimum_interval_seconds=30,
    default_status=_sensor_status(),
    description="Khi một lần chạy thất bại: ghi một dòng vào data/logs/alerts.log, gửi e-mail "
    "(CCHC_ALERT_SMTP, CCHC_ALERT_EMAIL) hoặc webhook (CCHC_ALERT_WEBHOOK) nếu có.",
)
def run_failure_alert(context: dg.RunFailureSensorContext):
    from pipelines.alerts import send_alert
    from pipelines.failures import failure_reasons

    # Read again: Dagster tags the run dagster/will_retry as its failure is stored, after the context was made.
    run = context.instance.get_run_by_id(context.dagster_run.run_id) or context.dagster_run
    failed_steps = [e.step_key for e in context.get_step_failure_events() if e.step_key]
    checks = failed_checks(context.instance, run.run_id)
    # Each step's own error (what to do, in Vietnamese), not the run's generic "Execution of run … failed".
    reasons = failure_reasons(context.instance, run.run_id)
    problems = send_alert(run_failure_message(run, context.failure_event.message, failed_steps, checks, reasons))
    for problem in problems:
        context.log.warning(problem)


# The metadata entries in which the blocking checks say what failed and what to do, most useful first.
_CHECK_EXPLANATIONS = ("what_to_do", "failed", "problems", "details", "list")


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(check, what it says) of the run's blocking checks that failed: Dagster's own error only says "1 blocking
    asset check failed", the explanation (which days, what to do) is in the check's metadata."""
    from checks.gate import metadata_text

    found = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.dagster_event.event_specific_data if entry.dagster_event else None
        if evaluation is None or evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        found.append((evaluation.check_name, metadata_text(evaluation.metadata, *_CHECK_EXPLANATIONS) or "không đạt"))
    return found


def run_failure_message(
    run: dg.DagsterRun,
    message: str | None,
    failed_steps: list[str],
    checks: list[tuple[str, str]] | None = None,
    reasons: list[tuple[str | None, str]] | None = None,
) -> str:
    """The alert's one line. ``reasons``: (step, its own error) of each failed step, or (None, the run's error) for a
    run that failed before any step (pipelines/failures.py); without them, Dagster's ``message``."""
    first, last = partition_span(run.tags) or (None, None)
    where = f", phân vùng {first}" + (f"–{last}" if last != first else "") if first else ""
    steps = f", bước lỗi: {', '.join(failed_steps)}" if failed_steps else ""
    said = [(f"{step}: " if step else "") + text.strip()[:600].rstrip(".") for step, text in (reasons or [])[:5] if text.strip()]
    reason = "; ".join(said) if said else (message or "").strip()[:500].rstrip(".")
    failed = "".join(f" Kiểm tra chặn '{name}' không đạt: {text.strip()[:600]}" for name, text in (checks or [])[:5])
    if run.tags.get(WILL_RETRY_TAG) == "true":  # its worker died (sensor stale_runs): Dagster re-executes it once
        again = (
            " Tiến trình của lần chạy đã chết giữa chừng (không phải lỗi dữ liệu): Dagster tự chạy lại nó một lần từ "
            "bước dở; không cần làm gì nếu lần chạy lại thành công, nếu không sẽ có cảnh báo riêng."
        )
    else:
        again = (
            f" Sửa nguyên nhân rồi chạy lại đúng phân vùng này: make ui → Runs → run {run.run_id[:8]} → Re-execute"
            + (f" (hoặc make rerun DAY={first} cho từng ngày)" if run.job_name == daily_job.name and first else "")
            + "; lần chạy thất bại ở một bước không được tự chạy lại (sẽ thất bại y như vậy)."
        )
        if run.tags.get(_TAKEN_ALONG_TAG):  # after_daily took failed periods along once; not again
            again += (
                f" Lần chạy này đã chạy lại một lần các kỳ thất bại trước ({run.tags[_TAKEN_ALONG_TAG]}); không chạy lại nữa."
            )
    return (
        f"Lần chạy {run.job_name} THẤT BẠI (run {run.run_id}{where}{steps}): {reason}.{failed}{again} "
        "Xem chi tiết: make ui → Runs."
    )


# Always on where a daemon runs: the default run launcher cannot tell run monitoring that a run worker died, so this
# finds runs whose process is gone (kill -9, power cut), marks them failed and frees their pool slots.
@dg.sensor(
    name="stale_runs",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tìm lần chạy mà tiến trình đã chết (vẫn hiện 'Started'): đánh dấu thất bại, giải phóng pool.",
)
def stale_runs(context: dg.SensorEvaluationContext):
    from pipelines.instance import recover_stale_runs

    recovery = recover_stale_runs(context.instance, retry=True)
    for line in recovery.lines():
        context.log.warning(line)
    yield dg.SkipReason("; ".join(recovery.lines()) or "Không có lần chạy nào bị treo.")
