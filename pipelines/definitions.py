"""The code location. Loading it must stay fast: no I/O and no heavy import (GX, openpyxl) at module level."""

from __future__ import annotations

import dagster as dg

from assets import publish, tthc
from checks import tthc_checks
from pipelines.jobs import daily_job, daily_schedule, inbox_sensor, masterdata_job
from pipelines.resources import Warehouse

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([tthc, publish]),
    asset_checks=dg.load_asset_checks_from_modules([tthc_checks]),
    jobs=[daily_job, masterdata_job],
    schedules=[daily_schedule],
    sensors=[inbox_sensor],
    resources={"warehouse": Warehouse.from_settings()},
)
