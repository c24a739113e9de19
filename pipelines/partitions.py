"""Daily partitions: one per export day of the provincial TTHC system, in Vietnam's time zone."""


from datetime import date, timedelta

import dagster as dg

from common.settings import TIMEZONE, get_settings

daily_partitions = dg.DailyPartitionsDefinition(start_date=get_settings().start_date, timezone=TIMEZONE)


def partition_dates(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> tuple[date, date]:
    """First and last day (inclusive) of the partitions this run covers; a backfill is one range."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()
