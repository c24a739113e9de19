"""Jobs, the daily schedule and the inbox sensor."""


import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from common.periods import period_containing, periods_between, report_quarter
from common.settings import TIMEZONE, now_local
from pipelines.partitions import PERIOD_PARTITIONS, daily_partitions, period_partition_key
from pipelines.resources import Warehouse
from sources.excel_intake import ignored_name
from sources.petition_format import PETITION_DIR
from sources.portal_format import PORTAL_DIR, snapshot_files
from sources.publication_format import PUBLICATION_FILE_NAME
from sources.task_formats import PLAN_DIR, REPORT_DIR
from sources.tthc_format import CATALOGUE_FILE_NAME, DOSSIER_FILE_PATTERN
from warehouse.landing import inbox_workbooks

# Assets with month, quarter or year partitions run in their own jobs (a job has one partitions definition),
# requested by `after_daily` once the day's run has succeeded: job name -> (partition kind, assets, description).
PERIOD_JOBS: dict[str, tuple[str, list[str], str]] = {
    "qd766_monthly": ("month", ["qd766_month"], "Tính lại Chỉ số 766 của các tháng."),
    "qd766_quarterly": ("quarter", ["qd766_quarter"], "Tính lại Chỉ số 766 của các quý."),
    "task_progress": ("quarter", ["plan_register", "task_reports", "task_status", "task_progress_workbook"],
                      "Tiến độ nhiệm vụ kế hoạch CCHC: sổ kế hoạch, báo cáo của đơn vị, tình trạng, báo cáo gửi Sở Nội vụ."),
    # Last: it publishes the snapshot, so the day's task progress reaches analysts too. The PAR index and the DTI
    # read the QĐ 766 year and the task completion, so they run here, after both.
    "yearly_indices": ("year", ["qd766_year", "qd766_workbook", "par_inputs", "par_scorecards", "par_workbook",
                                "dti_inputs", "dti_scorecards", "dti_workbook", "analyst_snapshot"],
                       ("Chỉ số 766 lũy kế năm, Chỉ số CCHC và Chỉ số chuyển đổi số: bảng xếp hạng Excel, phiếu kết quả, "
                        "bản chụp cho phân tích.")),
}
_SHARED = {"analyst_snapshot", "plan_register"}  # unpartitioned: also in the daily job
_period_selection = dg.AssetSelection.assets(
    *sorted({a for _, assets, _ in PERIOD_JOBS.values() for a in assets} - _SHARED), "par_blank_forms", "dti_blank_forms")
# Calls the national portal over the Internet: its own job and schedule, never the daily run.
_portal_capture = dg.AssetSelection.assets("qd766_portal_capture")

# Yesterday's export, everything downstream of it that is not per period, the checks and the snapshot.
daily_job = dg.define_asset_job(
    "daily_tthc", selection=dg.AssetSelection.all() - _period_selection - _portal_capture, partitions_def=daily_partitions,
    description="Nạp tệp xuất của một ngày, kiểm tra chất lượng, cập nhật trạng thái hồ sơ, báo cáo và bản chụp.",
)
period_jobs = {
    name: dg.define_asset_job(name, selection=dg.AssetSelection.assets(*assets), partitions_def=PERIOD_PARTITIONS[kind],
                              description=description)
    for name, (kind, assets, description) in PERIOD_JOBS.items()
}
# Once a year, or when the criteria tree changes: not part of the daily flow.
blank_forms_job = dg.define_asset_job(
    "par_blank_forms_yearly", selection=dg.AssetSelection.assets("par_blank_forms", "dti_blank_forms"),
    partitions_def=PERIOD_PARTITIONS["year"],
    description="Sinh phiếu tự đánh giá Chỉ số CCHC và Chỉ số chuyển đổi số để trống cho từng đơn vị của năm.",
)
masterdata_job = dg.define_asset_job(
    "masterdata_refresh", selection=dg.AssetSelection.assets("units", "tthc_catalogue"),
    description="Nạp lại danh mục đơn vị và danh mục TTHC.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_job, hour_of_day=6, minute_of_hour=0, name="daily_tthc_0600",
    description="06:00 giờ Việt Nam: xử lý ngày hôm qua và công bố bản chụp.",
)


portal_capture_job = dg.define_asset_job(
    "portal_capture", selection=_portal_capture,
    description="Lấy điểm Chỉ số 766 từ API của Cổng DVCQG vào inbox/portal (cần Internet).",
)
# Off by default: the department's server may have no Internet. Before the 06:00 run, so the day's run and
# inbox_sensor see the new captures.
portal_capture_schedule = dg.ScheduleDefinition(
    name="portal_capture_0530", job=portal_capture_job, cron_schedule="30 5 * * *", execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="05:30 giờ Việt Nam: lấy điểm Chỉ số 766 từ Cổng DVCQG (tắt sẵn; bật khi máy chủ có Internet).",
)


def _signature(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


# Sources of the QĐ 766 index that are not daily: a change reloads them and rescores the year (about 1 s).
sources_job = dg.define_asset_job(
    "qd766_sources", selection=dg.AssetSelection.assets("qd766_portal_snapshots", "petitions", "procedure_publication"),
    description="Nạp lại ảnh chụp của Cổng DVCQG, PAKN và sổ công bố TTHC; sau đó after_daily tính lại Chỉ số 766.",
)


def _other_sources(inbox: Path) -> dict[str, str]:
    """Portal snapshots, petition exports and the publication register, keyed by their path in the inbox."""
    # A capture's .request.json sidecar is written just before its answer: the answer is what triggers the reload.
    portal = snapshot_files(inbox / PORTAL_DIR)
    found = [*portal, *(inbox / PETITION_DIR).glob("*.csv"),
             inbox / "tthc" / PUBLICATION_FILE_NAME]
    return {str(p.relative_to(inbox)): _signature(p) for p in found if p.exists()}


def _par_files(inbox: Path) -> dict[str, str]:
    """Inputs of the yearly indices: forms, appraisal and surveys of the PAR index (par/) and of the DTI (dti/), with
    the other systems' values and last year's DTI results."""
    found = [p for folder in ("par", "dti") if (inbox / folder).exists() for p in (inbox / folder).rglob("*")
             if p.is_file() and not ignored_name(p.name)]
    return {str(p.relative_to(inbox)): _signature(p) for p in found}


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
    # The year a file names (tham_dinh_2026.xlsx), else this year; an appraisal of last year arrives in January.
    today = now_local().date()
    keys = set(PERIOD_PARTITIONS["year"].get_partition_keys())
    years = {m.group(0) for n in changed if (m := re.search(r"20\d\d", Path(n).name))} or {str(today.year)}
    for year in sorted(y for y in years if y in keys):
        yield dg.RunRequest(run_key=f"yearly_indices:{year}:{digest}", job_name="yearly_indices", partition_key=year,
                            tags=tags)


def _task_files(inbox: Path) -> dict[str, str]:
    found = [*inbox_workbooks(inbox, PLAN_DIR), *inbox_workbooks(inbox, REPORT_DIR)]  # .xls, .ods … too
    return {str(p.relative_to(inbox)): _signature(p) for p in found}


def _task_requests(inbox: Path, seen: dict[str, str], files: dict[str, str]) -> Iterator[dg.RunRequest]:
    """A new or changed plan register reruns task progress for the year so far; a progress report, for the
    quarter its header names (the unit and period come from inside the file, not its name)."""
    from sources.progress_report import read_progress_report

    changed, digest, tags = _changes(seen, files)
    if not changed:
        return
    today = now_local().date()
    keys: set[str] = set()
    if any(name.startswith("ke_hoach/") for name in changed):
        keys |= {period_partition_key("quarter", q.start) for q in periods_between("quarter", date(today.year, 1, 1), today)}
    for name in (n for n in changed if n.startswith("tien_do/")):
        # The quarter the report is filed under, and the quarter of its date (whose days' status it changes).
        try:
            result = read_progress_report(inbox / name, None)
        except Exception:  # a broken file is reported by the run; the sensor must keep going
            result = None
        quarter = report_quarter(result.period_label) if result else None
        days = [d for d in (quarter, result.report_date if result else None, today) if d is not None]
        keys |= {period_partition_key("quarter", period_containing("quarter", d).start) for d in days}
    for key in sorted(keys):
        yield dg.RunRequest(run_key=f"task_progress:{key}:{digest}", job_name="task_progress", partition_key=key,
                            tags=tags)


@dg.sensor(jobs=[daily_job, masterdata_job, sources_job, period_jobs["task_progress"], period_jobs["yearly_indices"]],
           minimum_interval_seconds=60,
           description="Phát hiện tệp mới hoặc thay đổi trong hộp thư đến và chạy lại đúng phân vùng.")
def inbox_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    inbox = Path(warehouse.inbox)
    folder = inbox / "tthc"
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = {p.name: _signature(p) for p in folder.glob("*.csv") if p.name != PUBLICATION_FILE_NAME} \
        if folder.exists() else {}
    partitions = set(daily_partitions.get_partition_keys(dynamic_partitions_store=context.instance))
    for name, signature in sorted(current.items()):
        if seen.get(name) == signature:
            continue
        if name == CATALOGUE_FILE_NAME:
            yield dg.RunRequest(run_key=f"{name}:{signature}", job_name=masterdata_job.name)
            continue
        match = DOSSIER_FILE_PATTERN.match(name)
        if not match:
            continue
        day = match.group(1)
        key = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        if key in partitions:
            yield dg.RunRequest(run_key=f"{name}:{signature}", job_name=daily_job.name, partition_key=key)
    task_files = _task_files(inbox)
    yield from _task_requests(inbox, seen, task_files)
    par_files = _par_files(inbox)
    yield from _par_requests(seen, par_files)
    others = _other_sources(inbox)
    changed, digest, tags = _changes(seen, others)
    if changed:  # one reload for every new or changed file of the evaluation
        yield dg.RunRequest(run_key=f"{sources_job.name}:{digest}", job_name=sources_job.name, tags=tags)
    context.update_cursor(json.dumps(current | others | task_files | par_files))


def period_run_requests(first: date, last: date) -> list[tuple[str, dict[str, str]]]:
    """(job name, tags) of the period runs that a load of the days first..last makes stale: each job once, over
    the range of its partitions (single-run backfill), months, quarters, the year, then task progress."""
    requests = []
    for name, (kind, _, _) in PERIOD_JOBS.items():
        keys = [period_partition_key(kind, p.start) for p in periods_between(kind, first, last)]
        requests.append((name, {"dagster/asset_partition_range_start": keys[0],
                                "dagster/asset_partition_range_end": keys[-1]}))
    return requests


def _run_days(run: dg.DagsterRun) -> tuple[date, date] | None:
    """The days a run loaded; for a reload of the catalogue or of the index's other sources, the year so far (every
    period may change)."""
    tags = run.tags
    if run.job_name in (sources_job.name, masterdata_job.name):
        # Snapshots and petition exports of December arrive in January: rescore the previous year until mid-February.
        yesterday = now_local().date() - timedelta(days=1)
        return date((yesterday - timedelta(days=45)).year, 1, 1), yesterday
    if "dagster/partition" in tags:
        day = date.fromisoformat(tags["dagster/partition"])
        return day, day
    if "dagster/asset_partition_range_start" in tags:
        return (date.fromisoformat(tags["dagster/asset_partition_range_start"]),
                date.fromisoformat(tags["dagster/asset_partition_range_end"]))
    return None


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[daily_job, sources_job, masterdata_job],
                      request_jobs=list(period_jobs.values()), minimum_interval_seconds=30,
                      description="Sau mỗi lần chạy daily_tthc thành công: tính lại Chỉ số 766 của tháng, quý, năm "
                                  "chứa các ngày vừa nạp, rồi bảng xếp hạng và bản chụp.")
def after_daily(context: dg.RunStatusSensorContext):
    days = _run_days(context.dagster_run)
    if days is None:
        return
    for job_name, tags in period_run_requests(*days):
        yield dg.RunRequest(run_key=f"{context.dagster_run.run_id}:{job_name}", job_name=job_name, tags=tags)

