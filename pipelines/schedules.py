"""Schedules: the daily run at 06:00 and the portal capture at 05:30, both in Vietnam's time zone."""

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from common.settings import TIMEZONE, get_settings
from pipelines.jobs import daily_job, partition_span, portal_capture_job
from sources.tthc_format import export_day


def automation_on() -> bool:
    """Schedules and sensors start switched on only where CCHC_AUTOMATION=on (`make serve`); `make ui` and the
    tests leave them off, so opening the UI never starts loading an inbox by itself."""
    return os.environ.get("CCHC_AUTOMATION", "").strip().lower() in ("on", "1", "true", "yes")


def loaded_after(instance: dg.DagsterInstance, day: date, since: float) -> dg.DagsterRun | None:
    """A successful daily_tthc run over ``day`` (alone or in its range) that started after ``since`` (epoch seconds):
    the export as it is now was loaded already, by the inbox sensor after midnight or by hand."""
    started_after = datetime.fromtimestamp(since, tz=UTC)
    key = day.isoformat()
    for record in instance.get_run_records(
        dg.RunsFilter(job_name=daily_job.name, statuses=[dg.DagsterRunStatus.SUCCESS], updated_after=started_after),
        limit=50,
    ):
        span = partition_span(record.dagster_run.tags)
        if span and span[0] <= key <= span[1] and (record.start_time or 0) > since:
            return record.dagster_run
    return None


@dg.schedule(
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone=TIMEZONE,
    name="daily_tthc_0600",
    description="06:00 giờ Việt Nam: xử lý ngày hôm qua và công bố bản chụp (bỏ qua khi cảm biến hộp thư đã nạp "
    "đúng tệp đó sau khi nó đến).",
    default_status=dg.DefaultScheduleStatus.RUNNING if automation_on() else dg.DefaultScheduleStatus.STOPPED,
    required_resource_keys={"warehouse"},
)
def daily_schedule(context: dg.ScheduleEvaluationContext):
    """Yesterday's partition, unless a successful run started after its export last changed (the inbox sensor loads
    an export once it has settled, usually after midnight): running it again changed nothing and doubled the
    period runs. Without an export (or without the sensor) it runs, and the run records the missing file."""
    yesterday = context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE)).date() - timedelta(days=1)
    first = date.fromisoformat(str(get_settings().start_date))
    if yesterday < first:  # a fresh install's first morning: the day before CCHC_START_DATE is no partition
        return dg.SkipReason(
            f"Ngày {yesterday:%d/%m/%Y} trước ngày bắt đầu CCHC_START_DATE ({first:%d/%m/%Y}): không có gì để chạy."
        )
    folder = Path(context.resources.warehouse.inbox) / "tthc"
    exports = [p for p in folder.iterdir() if p.is_file() and export_day(p.name) == yesterday] if folder.is_dir() else []
    if exports:
        changed = max(p.stat().st_mtime for p in exports)
        if (run := loaded_after(context.instance, yesterday, changed)) is not None:
            return dg.SkipReason(
                f"Ngày {yesterday:%d/%m/%Y} đã được nạp sau khi tệp xuất đến (run {run.run_id[:8]}): không chạy lại."
            )
    return dg.RunRequest(partition_key=yesterday.isoformat())


# Off by default: the department's server may have no Internet. Before the 06:00 run, so the day's run and
# inbox_sensor see the new captures.
portal_capture_schedule = dg.ScheduleDefinition(
    name="portal_capture_0530",
    job=portal_capture_job,
    cron_schedule="30 5 * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="05:30 giờ Việt Nam: lấy điểm Chỉ số 766 từ Cổng DVCQG (tắt sẵn; bật khi máy chủ có Internet).",
)
