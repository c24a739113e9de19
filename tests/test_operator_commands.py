"""The operator's commands as typed: `make rerun DAY=…` refuses a day that is not a daily partition in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assets.resources import Warehouse
from common.settings import PROJECT_ROOT, daily_partition_problem

FIRST, TODAY = date(2026, 1, 1), date(2026, 12, 3)


def _make_rerun(day: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`make rerun DAY=…` with this interpreter (-o: the installed environment is taken as up to date)."""
    env = {
        **os.environ,
        "CCHC_TODAY": TODAY.isoformat(),
        "CCHC_START_DATE": FIRST.isoformat(),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "CCHC_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "CCHC_REPORTS": str(tmp_path / "reports"),
    }
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", ".venv/.synced", "rerun", f"DAY={day}", f"PY={sys.executable}"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("2027-03-01", "Ngày 2027-03-01 chưa kết thúc (hôm nay là 2026-12-03): chọn một ngày từ 2026-01-01 đến 2026-12-02."),
        ("20/11/2026", "DAY=20/11/2026 không phải ngày dạng YYYY-MM-DD; ví dụ: make rerun DAY=2026-12-02"),
    ],
)
def test_make_rerun_refuses_a_day_that_is_not_a_daily_partition_in_one_line(tmp_path, day, said):
    """A future day used to load a 'missing' export and a quality workbook dated 'đến 01/03/2027'; a day written
    20/11/2026 printed a 153-line traceback. Now nothing starts: one line and exit status 2."""
    out = _make_rerun(day, tmp_path)
    assert out.returncode == 2
    assert out.stderr.splitlines()[0] == said
    assert len(out.stderr.splitlines()) <= 2  # the line, and make's own "*** [rerun] Error 2"
    assert not (tmp_path / "dagster_home").exists() and not (tmp_path / "warehouse").exists()  # nothing ran


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        ("2026-11-20", None),
        ("2026-12-02", None),  # yesterday: the latest day that is over
        ("2026-01-01", None),
        ("2026-12-03", "chưa kết thúc"),  # today's export is loaded once the day is over, as the sensor does
        ("2025-12-31", "trước ngày bắt đầu CCHC_START_DATE=2026-01-01"),
        ("20261120", "không phải ngày dạng YYYY-MM-DD"),  # Python would read it, Dagster has no such partition
        ("2026-02-30", "không phải ngày có thật"),
    ],
)
def test_the_daily_partitions_are_the_days_from_the_start_to_yesterday(day, problem):
    found = daily_partition_problem(day, FIRST, TODAY)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_the_summary_of_a_run_that_failed_before_any_step_says_why(tmp_path, monkeypatch, capsys):
    """A PII secret shorter than 32 characters stops the run while its resource starts, before any step: `make run`
    compared the event's name with 'RUN_FAILURE' (it is 'PIPELINE_FAILURE' in this Dagster) and printed no reason.
    Now the Vietnamese error of the real resource reaches the terminal."""
    from types import SimpleNamespace

    import dagster as dg

    from pipelines.run_demo import _print_runs

    monkeypatch.setenv("CCHC_PII_SECRET", "ngan-qua")
    warehouse = Warehouse(
        build_db=str(tmp_path / "build" / "warehouse_build.duckdb"),
        snapshot_db=str(tmp_path / "warehouse.duckdb"),
        inbox=str(tmp_path / "inbox"),
        reports=str(tmp_path / "reports"),
        province="Thái Nguyên",
    )

    @dg.asset
    def units(warehouse: Warehouse) -> None:
        raise AssertionError("never reached: the resource refuses the secret first")

    result = dg.materialize([units], resources={"warehouse": warehouse}, raise_on_error=False)
    assert not result.success
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START]
    _print_runs([result], SimpleNamespace(dagster_home=str(tmp_path)), 0.1, False)
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "lần chạy lỗi" in x)
    assert "PiiSecretError: Khóa bí mật mã hóa số giấy tờ (CCHC_PII_SECRET) quá ngắn: cần ít nhất 32 ký tự" in line
    assert "resource_fn" not in line  # Dagster's wrapper left out


def test_a_failed_step_says_its_own_vietnamese_error_before_its_cause(capsys):
    """A project error raised from a lower one (the OS's PermissionError): the summary used to print only the innermost
    ('[Errno 13] Permission denied'), losing what to do."""
    from types import SimpleNamespace

    import dagster as dg

    from pipelines.run_demo import _print_runs

    @dg.asset
    def quality_workbook() -> None:
        try:
            raise PermissionError(13, "Permission denied")
        except PermissionError as exc:
            raise PermissionError("Không ghi được q.xlsx; tệp có đang mở trong Excel không?") from exc

    result = dg.materialize([quality_workbook], raise_on_error=False)
    _print_runs([result], SimpleNamespace(dagster_home="/tmp/dh"), 0.1, False)
    out = capsys.readouterr().out
    assert (
        "bước lỗi: quality_workbook: PermissionError: Không ghi được q.xlsx; tệp có đang mở trong Excel không? "
        "← PermissionError: [Errno 13] Permission denied" in out
    )


def test_a_full_disk_or_a_read_only_folder_is_said_in_vietnamese_with_what_to_do(capsys):
    """The system's own error reached the operator in English only ('[Errno 28] No space left on device')."""
    from types import SimpleNamespace

    import dagster as dg

    from pipelines.run_demo import _print_runs

    @dg.asset
    def analyst_snapshot() -> None:
        raise OSError(28, "No space left on device", "/srv/cchc/warehouse.duckdb.tmp")

    result = dg.materialize([analyst_snapshot], raise_on_error=False)
    _print_runs([result], SimpleNamespace(dagster_home="/tmp/dh"), 0.1, False)
    out = capsys.readouterr().out
    assert "[Errno 28] No space left on device" in out and "Ổ đĩa đầy: giải phóng chỗ" in out
