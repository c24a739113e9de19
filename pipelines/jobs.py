"""Jobs, the daily schedule, the inbox sensor, the follow-up of a day's run, the alert on a failed run and the
recovery of runs whose process died."""


import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from assets import groups
from assets.partitions import PERIOD_PARTITIONS, daily_partitions, period_partition_key
from assets.resources import Warehouse
from common.periods import period_containing, periods_between, report_quarter
from common.settings import TIMEZONE, get_settings, now_local
from sources.excel_intake import ignored_name
from sources.intake import settle_seconds
from sources.petition_format import PETITION_DIR
from sources.portal_format import PORTAL_DIR, snapshot_files
from sources.publication_format import PUBLICATION_FILE_NAME
from sources.task_formats import PLAN_DIR, REPORT_DIR
from sources.tthc_format import CATALOGUE_FILE_NAME, DOSSIER_FILE_PATTERN
from warehouse.landing import inbox_workbooks


def automation_on() -> bool:
    """Schedules and sensors start switched on only where CCHC_AUTOMATION=on (`make serve`); `make ui` and the
    tests leave them off, so opening the UI never starts loading an inbox by itself."""
    return os.environ.get("CCHC_AUTOMATION", "").strip().lower() in ("on", "1", "true", "yes")


def _sensor_status() -> dg.DefaultSensorStatus:
    return dg.DefaultSensorStatus.RUNNING if automation_on() else dg.DefaultSensorStatus.STOPPED


# Every job selects whole asset groups (assets/groups.py): a new asset joins the job of its group and nothing else.
# An unpartitioned asset that a period job must rerun after its own group (the plan registers before the quarter's
# task status, the snapshot after the yearly indices) is named here, the only assets a job takes outside its groups.


def _job_selection(job_groups: tuple[str, ...], shared: tuple[str, ...] = ()) -> dg.AssetSelection:
    selection = dg.AssetSelection.groups(*job_groups)
    return selection | dg.AssetSelection.assets(*shared) if shared else selection


# Assets with month, quarter or year partitions run in their own jobs (a job has one partitions definition),
# requested by `after_daily` once the day's run has succeeded:
# job name -> (partition kind, asset groups, shared unpartitioned assets, description).
PERIOD_JOBS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str]] = {
    "qd766_monthly": ("month", (groups.QD766_MONTHLY,), (), "Tính lại Chỉ số 766 của các tháng."),
    "qd766_quarterly": ("quarter", (groups.QD766_QUARTERLY,), (), "Tính lại Chỉ số 766 của các quý."),
    "task_progress": ("quarter", (groups.TASK_PROGRESS,), ("plan_register",),
                      "Tiến độ nhiệm vụ kế hoạch CCHC: sổ kế hoạch, báo cáo của đơn vị, tình trạng, báo cáo gửi Sở Nội vụ."),
    # Last: it publishes the snapshot, so the day's task progress reaches analysts too. The PAR index and the DTI
    # read the QĐ 766 year and the task completion, so they run here, after both.
    "yearly_indices": ("year", (groups.QD766, groups.PAR, groups.DTI), ("analyst_snapshot",),
                       ("Chỉ số 766 lũy kế năm, Chỉ số CCHC và Chỉ số chuyển đổi số: bảng xếp hạng Excel, phiếu kết quả, "
                        "bản chụp cho phân tích.")),
}
# The daily run: the master data, the day's exports, the QĐ 766 sources that are not per period, the plan registers,
# the quality workbook and the snapshot. Never the period groups, the blank forms or the portal capture.
DAILY_GROUPS = (groups.MASTERDATA, groups.TTHC, groups.QD766_SOURCES, groups.TASK_PLAN, groups.QUALITY, groups.PUBLISH)

# Steps run one after another inside the run's process: the pool duckdb_writer serialises them anyway, and a
# subprocess per step imports the libraries again for each (the small demo through `make run`: 157 s instead of 409 s).
EXECUTOR = dg.in_process_executor

# Yesterday's export, everything downstream of it that is not per period, the checks and the snapshot.
daily_job = dg.define_asset_job(
    "daily_tthc", executor_def=EXECUTOR, selection=_job_selection(DAILY_GROUPS), partitions_def=daily_partitions,
    description="Nạp tệp xuất của một ngày, kiểm tra chất lượng, cập nhật trạng thái hồ sơ, báo cáo và bản chụp.",
)
period_jobs = {
    name: dg.define_asset_job(name, executor_def=EXECUTOR, selection=_job_selection(job_groups, shared),
                              partitions_def=PERIOD_PARTITIONS[kind], description=description)
    for name, (kind, job_groups, shared, description) in PERIOD_JOBS.items()
}
# Once a year, or when the criteria tree changes: not part of the daily flow.
blank_forms_job = dg.define_asset_job(
    "par_blank_forms_yearly", executor_def=EXECUTOR, selection=_job_selection((groups.ASSESSMENT_FORMS,)),
    partitions_def=PERIOD_PARTITIONS["year"],
    description="Sinh phiếu tự đánh giá Chỉ số CCHC và Chỉ số chuyển đổi số để trống cho từng đơn vị của năm.",
)
masterdata_job = dg.define_asset_job(
    "masterdata_refresh", executor_def=EXECUTOR, selection=_job_selection((groups.MASTERDATA,)),
    description="Nạp lại danh mục đơn vị và danh mục TTHC.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_job, hour_of_day=6, minute_of_hour=0, name="daily_tthc_0600",
    description="06:00 giờ Việt Nam: xử lý ngày hôm qua và công bố bản chụp.",
    default_status=dg.DefaultScheduleStatus.RUNNING if automation_on() else dg.DefaultScheduleStatus.STOPPED,
)


# Calls the national portal over the Internet: its own job and schedule, never the daily run.
portal_capture_job = dg.define_asset_job(
    "portal_capture", executor_def=EXECUTOR, selection=_job_selection((groups.PORTAL_CAPTURE,)),
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
    "qd766_sources", executor_def=EXECUTOR, selection=_job_selection((groups.QD766_SOURCES,)),
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
    if keys:  # one run over the quarters (single-run backfill policy), not one per quarter
        first, last = min(keys), max(keys)
        yield dg.RunRequest(run_key=f"task_progress:{first}:{last}:{digest}", job_name="task_progress",
                            tags={**tags, **_range_tags(first, last)})


def _range_tags(first: str, last: str) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


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


@dg.sensor(jobs=[daily_job, masterdata_job, sources_job, period_jobs["task_progress"], period_jobs["yearly_indices"]],
           minimum_interval_seconds=60, default_status=_sensor_status(),
           description="Phát hiện tệp mới hoặc thay đổi trong hộp thư đến và chạy lại đúng phân vùng "
                       "(một lần chạy cho mỗi dải ngày liền nhau).")
def inbox_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    inbox = Path(warehouse.inbox)
    folder = inbox / "tthc"
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = {p.name: _signature(p) for p in folder.glob("*.csv") if p.name != PUBLICATION_FILE_NAME} \
        if folder.exists() else {}
    today, start, settle = now_local().date(), _start_date(), settle_seconds()
    recorded = {name: sig for name, sig in seen.items() if name in current}  # a removed file may come back
    ready: dict[str, date] = {}  # new or changed export -> its day
    waiting: list[str] = []
    before_start: list[str] = []
    catalogue = False
    for name, signature in sorted(current.items()):
        if seen.get(name) == signature:
            continue
        match = DOSSIER_FILE_PATTERN.match(name)
        if name == CATALOGUE_FILE_NAME or not match:
            catalogue |= name == CATALOGUE_FILE_NAME
            recorded[name] = signature
            continue
        day = date(int(match.group(1)[:4]), int(match.group(1)[4:6]), int(match.group(1)[6:]))
        if day < start:  # no partition to load it into: said (once per version of the file), not loaded
            before_start.append(name)
            recorded[name] = signature
        elif day >= today or time.time() - (folder / name).stat().st_mtime < settle:
            # Today's export is loaded once the day is over (its partition exists from midnight) and the file has
            # stopped changing (a copy in progress): not recorded, so a later evaluation takes it.
            waiting.append(name)
        else:
            ready[name] = day
            recorded[name] = signature
    if before_start:
        context.log.warning(
            f"{len(before_start)} tệp xuất trước ngày bắt đầu CCHC_START_DATE={start.isoformat()} không được nạp: "
            f"{_names(before_start)}. Muốn nạp chúng: đặt CCHC_START_DATE sớm hơn rồi khởi động lại.")
    if waiting:
        context.log.info(f"Chờ ngày kết thúc hoặc tệp chép xong: {_names(waiting)}")
    requested = False
    # On first enable or after downtime: one run per contiguous range of days, not one per file.
    for first, last in day_ranges(list(ready.values())):
        names = [n for n, day in ready.items() if first <= day <= last]
        digest = hashlib.sha256(json.dumps([[n, current[n]] for n in names]).encode()).hexdigest()[:16]
        requested = True
        yield dg.RunRequest(run_key=f"{daily_job.name}:{first}:{last}:{digest}", job_name=daily_job.name,
                            tags={**_range_tags(first.isoformat(), last.isoformat()),
                                  "cchc/changed_files": _names(names, 40)[:1000]})
    if catalogue and not ready:  # the daily run reloads the catalogue itself
        requested = True
        yield dg.RunRequest(run_key=f"{CATALOGUE_FILE_NAME}:{current[CATALOGUE_FILE_NAME]}",
                            job_name=masterdata_job.name)
    task_files = _task_files(inbox)
    par_files = _par_files(inbox)
    others = _other_sources(inbox)
    for request in (*_task_requests(inbox, seen, task_files), *_par_requests(seen, par_files)):
        requested = True
        yield request
    changed, digest, tags = _changes(seen, others)
    if changed:  # one reload for every new or changed file of the evaluation
        requested = True
        yield dg.RunRequest(run_key=f"{sources_job.name}:{digest}", job_name=sources_job.name, tags=tags)
    context.update_cursor(json.dumps(recorded | others | task_files | par_files))
    if not requested and (before_start or waiting):  # the tick's line in the UI says why nothing ran
        notes = []
        if before_start:
            notes.append(f"bỏ qua {len(before_start)} tệp trước CCHC_START_DATE={start.isoformat()}: "
                         f"{_names(before_start)}")
        if waiting:
            notes.append(f"chờ ngày kết thúc hoặc tệp chép xong: {_names(waiting)}")
        yield dg.SkipReason("Không có tệp mới để nạp; " + "; ".join(notes) + ".")


def period_run_requests(first: date, last: date) -> list[tuple[str, dict[str, str]]]:
    """(job name, tags) of the period runs that a load of the days first..last makes stale: each job once, over
    the range of its partitions (single-run backfill), months, quarters, the year, then task progress."""
    requests = []
    for name, (kind, _, _, _) in PERIOD_JOBS.items():
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


# Runs whose success makes the period indices stale, and the tag that marks the period runs requested for them.
_MONITORED = [daily_job.name, sources_job.name, masterdata_job.name]
_AFTER_TAG = "cchc/trigger"
_PENDING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.STARTED]


def follow_up_requests(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[dg.RunRequest]:
    """The period runs after ``run`` succeeded, once for a whole batch: nothing while another daily, sources or
    catalogue run is still queued or running, or when a later one has already finished (its turn comes); otherwise
    each period job once over the days of every such run that succeeded since the last batch."""
    if any(instance.get_run_ids(dg.RunsFilter(job_name=job, statuses=_PENDING), limit=1) for job in _MONITORED):
        return []
    last_batch = instance.get_run_records(dg.RunsFilter(tags={_AFTER_TAG: "after_daily"}), limit=1)
    since = last_batch[0].create_timestamp if last_batch else None
    finished = [r for job in _MONITORED for r in instance.get_run_records(
        dg.RunsFilter(job_name=job, statuses=[dg.DagsterRunStatus.SUCCESS], updated_after=since), limit=500)]
    this = next((r for r in finished if r.dagster_run.run_id == run.run_id), None)
    end = this.end_time if this and this.end_time else time.time()
    if any(r.end_time and r.end_time > end and r.dagster_run.run_id != run.run_id for r in finished):
        return []
    spans = [d for d in (_run_days(r.dagster_run) for r in finished) if d] or \
        [d for d in [_run_days(run)] if d]
    if not spans:
        return []
    first, last = min(s[0] for s in spans), max(s[1] for s in spans)
    return [dg.RunRequest(run_key=f"{run.run_id}:{job_name}", job_name=job_name,
                          tags={**tags, _AFTER_TAG: "after_daily", "cchc/after_run": run.run_id})
            for job_name, tags in period_run_requests(first, last)]


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[daily_job, sources_job, masterdata_job],
                      request_jobs=list(period_jobs.values()), minimum_interval_seconds=30,
                      default_status=_sensor_status(),
                      description="Sau các lần chạy daily_tthc (và nạp nguồn, danh mục) thành công: tính lại Chỉ số 766 "
                                  "của tháng, quý, năm chứa các ngày vừa nạp, tiến độ nhiệm vụ, rồi bảng xếp hạng và "
                                  "bản chụp; một lần cho cả loạt, không phải một lần cho mỗi lần chạy.")
def after_daily(context: dg.RunStatusSensorContext):
    yield from follow_up_requests(context.instance, context.dagster_run)


@dg.run_failure_sensor(name="run_failure_alert", minimum_interval_seconds=30, default_status=_sensor_status(),
                       description="Khi một lần chạy thất bại: ghi một dòng vào data/logs/alerts.log, gửi e-mail "
                                   "(CCHC_ALERT_SMTP, CCHC_ALERT_EMAIL) hoặc webhook (CCHC_ALERT_WEBHOOK) nếu có.")
def run_failure_alert(context: dg.RunFailureSensorContext):
    from pipelines.alerts import send_alert

    run = context.dagster_run
    failed_steps = [e.step_key for e in context.get_step_failure_events() if e.step_key]
    problems = send_alert(run_failure_message(run, context.failure_event.message, failed_steps))
    for problem in problems:
        context.log.warning(problem)


def run_failure_message(run: dg.DagsterRun, message: str | None, failed_steps: list[str]) -> str:
    first = run.tags.get("dagster/asset_partition_range_start") or run.tags.get("dagster/partition")
    last = run.tags.get("dagster/asset_partition_range_end") or first
    where = f", phân vùng {first}" + (f"–{last}" if last != first else "") if first else ""
    steps = f", bước lỗi: {', '.join(failed_steps)}" if failed_steps else ""
    reason = (message or "").strip()[:500].rstrip(".")
    return f"Lần chạy {run.job_name} THẤT BẠI (run {run.run_id}{where}{steps}): {reason}. Xem chi tiết: make ui → Runs."


# Always on where a daemon runs: the default run launcher cannot tell run monitoring that a run worker died, so this
# finds runs whose process is gone (kill -9, power cut), marks them failed and frees their pool slots.
@dg.sensor(name="stale_runs", minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Tìm lần chạy mà tiến trình đã chết (vẫn hiện 'Started'): đánh dấu thất bại, giải phóng pool.")
def stale_runs(context: dg.SensorEvaluationContext):
    from pipelines.instance import recover_stale_runs

    recovery = recover_stale_runs(context.instance)
    for line in recovery.lines():
        context.log.warning(line)
    yield dg.SkipReason("; ".join(recovery.lines()) or "Không có lần chạy nào bị treo.")
