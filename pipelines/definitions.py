"""The code location. Loading it must stay fast: no I/O and no heavy import (GX, openpyxl) at module level."""

from __future__ import annotations

import dagster as dg

from assets import dti, national, par, portal_capture, publish, qd766, tasks, tthc
from assets.resources import Warehouse
from checks import dti_checks, national_checks, par_checks, qd766_checks, task_checks, tthc_checks
from pipelines.jobs import (
    EXECUTOR,
    blank_forms_job,
    daily_job,
    masterdata_job,
    national_job,
    national_views_job,
    period_jobs,
    portal_capture_job,
    sources_job,
)
from pipelines.schedules import daily_schedule, portal_capture_schedule
from pipelines.sensors import after_daily, inbox_sensor, run_failure_alert, stale_runs

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([tthc, qd766, tasks, par, dti, publish, portal_capture, national]),
    asset_checks=dg.load_asset_checks_from_modules(
        [tthc_checks, qd766_checks, task_checks, par_checks, dti_checks, national_checks]
    ),
    jobs=[
        daily_job,
        masterdata_job,
        sources_job,
        blank_forms_job,
        portal_capture_job,
        *period_jobs.values(),
        national_job,
        national_views_job,
    ],
    schedules=[daily_schedule, portal_capture_schedule],
    sensors=[inbox_sensor, after_daily, run_failure_alert, stale_runs],
    executor=EXECUTOR,  # also for assets materialised from the UI's asset graph
    resources={
        "warehouse": Warehouse.from_settings(),
        "portal": portal_capture.PortalApi.from_settings(),
        "national": national.NationalStore.from_settings(),
    },
)
