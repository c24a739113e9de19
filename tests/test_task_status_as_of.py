"""A task_progress run as of a day leaves the tables a fresh run as of that day leaves, also after a run as of a
later day (CCHC_TODAY set ahead): real Dagster runs of the asset task_status on a hand-made warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets import tasks
from tests.conftest import warehouse_in
from tests.test_task_due_day import _warehouse
from warehouse.schema import ensure_schema

TABLES = ("mart_task_status", "mart_task_completion")


def _run_as_of(root: Path, today: str, monkeypatch: pytest.MonkeyPatch, quarter: str = "2026-10-01") -> None:
    monkeypatch.setenv("CCHC_TODAY", today)
    result = dg.materialize([tasks.task_status], resources={"warehouse": warehouse_in(root)}, partition_key=quarter)
    assert result.success


def _tables(root: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(root / "w" / "build.duckdb"), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def _latest(root: Path) -> list[str]:
    """The latest as_of of the status and of the completion rates."""
    with duckdb.connect(str(root / "w" / "build.duckdb"), read_only=True) as con:
        return [con.execute(f"SELECT max(as_of) FROM {t}").fetchall()[0][0].isoformat() for t in TABLES]


def _new_warehouse(root: Path) -> Path:
    (root / "w").mkdir(parents=True)
    with duckdb.connect(str(root / "w" / "build.duckdb")) as con:
        ensure_schema(con)
        _warehouse(con)
    return root


def test_a_run_as_of_a_day_removes_the_rows_a_later_as_of_day_left(tmp_path, monkeypatch):
    """Run as of 02/01/2027, then as of 03/12/2026: the status rows of 04/12–31/12/2026 used to stay (analyst query 5
    showed a future date); now both tables equal those of a fresh run as of 03/12/2026."""
    rerun = _new_warehouse(tmp_path / "rerun")
    _run_as_of(rerun, "2027-01-02", monkeypatch)
    assert _latest(rerun) == ["2026-12-31", "2026-12-31"]
    _run_as_of(rerun, "2026-12-03", monkeypatch)

    fresh = _new_warehouse(tmp_path / "fresh")
    _run_as_of(fresh, "2026-12-03", monkeypatch)
    assert _tables(rerun) == _tables(fresh)
    assert _latest(rerun) == ["2026-12-03", "2026-12-03"]


def test_a_run_as_of_a_day_before_the_quarter_leaves_none_of_its_rows(tmp_path, monkeypatch):
    """As of 30/09/2026 the fourth quarter has not begun: a fresh run writes none of its rows, so a rerun removes them."""
    root = _new_warehouse(tmp_path / "w4")
    _run_as_of(root, "2026-12-03", monkeypatch)
    _run_as_of(root, "2026-09-30", monkeypatch)
    assert _tables(root) == {t: [] for t in TABLES}


def test_a_past_quarter_regenerated_as_of_its_day_keeps_the_later_quarters(tmp_path, monkeypatch):
    """Q3 and Q4 as of 03/12/2026, then Q1 regenerated as of 10/04/2026 (an old report, README): the statuses of
    July to September and Q3's rate stay; only Q1's own days are rewritten."""
    root = _new_warehouse(tmp_path / "w")
    _run_as_of(root, "2026-12-03", monkeypatch, "2026-07-01")
    _run_as_of(root, "2026-12-03", monkeypatch, "2026-10-01")
    before = _tables(root)
    _run_as_of(root, "2026-04-10", monkeypatch, "2026-01-01")
    after = _tables(root)
    for table in TABLES:
        later = [r for r in before[table] if any(str(v).startswith(("2026-07", "2026-08", "2026-09", "2026-1")) for v in r)]
        assert later and all(r in after[table] for r in later), table
