"""Workbook assets are partitioned by the period they render (issue 13, part 2): the partition key decides the
period, never the run's tags; a configured period must lie in the partition."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets import dti, par, qd766, tasks
from assets.partitions import PERIOD_PARTITIONS
from common.periods import parse_period

ASSETS = Path(__file__).parent.parent / "assets"


@pytest.mark.parametrize(
    ("asset", "kind"),
    [
        (qd766.qd766_workbook, "year"),
        (tasks.task_progress_workbook, "quarter"),
        (par.par_workbook, "year"),
        (dti.dti_workbook, "year"),
    ],
)
def test_workbook_assets_are_partitioned_by_their_period(asset, kind):
    assert asset.partitions_def == PERIOD_PARTITIONS[kind]
    assert asset.backfill_policy == dg.BackfillPolicy.single_run()


def test_no_asset_reads_the_run_tags():
    readers = [p.name for p in ASSETS.glob("*.py") if "run.tags" in p.read_text(encoding="utf-8")]
    assert readers == []


def test_configured_periods_lie_in_the_partition():
    assert [p.label for p in qd766.workbook_periods([2025, 2026])] == ["2025-Y", "2026-Y"]
    assert [p.label for p in qd766.workbook_periods([2026], "2026-M03")] == ["2026-M03"]
    with pytest.raises(dg.Failure):
        qd766.workbook_periods([2026], "2025-Q4")
    quarters = [parse_period("2026-Q2"), parse_period("2026-Q3")]
    assert tasks.report_periods(quarters) == quarters
    assert [p.label for p in tasks.report_periods(quarters, "2026-H1")] == ["2026-H1"]
    for wrong in ("2026-Y", "2026-M06", "2026-Q1", "quý 5"):
        with pytest.raises(dg.Failure):
            tasks.report_periods(quarters, wrong)
