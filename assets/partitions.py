"""Daily partitions: one per export day of the provincial TTHC system, in Vietnam's time zone."""

from datetime import date, timedelta

import dagster as dg

from common.settings import TIMEZONE, get_settings

daily_partitions = dg.DailyPartitionsDefinition(start_date=get_settings().start_date, timezone=TIMEZONE)


def partition_dates(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> tuple[date, date]:
    """First and last day (inclusive) of the partitions this run covers; a backfill is one range."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def partition_years(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[int]:
    """The years a yearly run covers (one, or a backfill's range)."""
    start, end = partition_dates(context)
    return list(range(start.year, end.year + 1))


_start = date.fromisoformat(str(get_settings().start_date))
FIRST_DAY = _start  # the first daily partition (CCHC_START_DATE): no period partition starts before it
# The current month, quarter and year are partitions too (end_offset=1): their figures are year to date.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=f"{_start:%Y-%m}", fmt="%Y-%m", timezone=TIMEZONE, end_offset=1)
quarterly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *",
    fmt="%Y-%m-%d",
    timezone=TIMEZONE,
    end_offset=1,
    start=date(_start.year, 3 * ((_start.month - 1) // 3) + 1, 1).isoformat(),
)
yearly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", fmt="%Y", timezone=TIMEZONE, end_offset=1, start=str(_start.year)
)

PERIOD_PARTITIONS = {"month": monthly_partitions, "quarter": quarterly_partitions, "year": yearly_partitions}


def period_partition_key(kind: str, period_start: date) -> str:
    return {"month": f"{period_start:%Y-%m}", "quarter": period_start.isoformat(), "year": str(period_start.year)}[kind]
