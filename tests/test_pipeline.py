"""Real Dagster runs into temporary folders: the definitions load, a run materialises and publishes, a rerun
changes nothing, a failed blocking check stops publication, the schedule and the sensor pick the right partition."""

import os
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import openpyxl
import pytest

from assets import publish, tthc
from assets.resources import Warehouse
from checks import tthc_checks
from pipelines.sensors import failed_checks, run_failure_message
from tests.conftest import dossier_row, write_export

ALL_ASSETS = [*dg.load_assets_from_modules([tthc, publish]), *dg.load_asset_checks_from_modules([tthc_checks])]
TABLES = ["dim_unit", "dim_procedure", "stg_dossier_versions", "fct_dossier", "quarantine", "file_issues"]


def small_inbox(folder: Path) -> None:
    write_export(
        folder,
        date(2026, 1, 5),
        [
            dossier_row(dossier_code="A-1"),
            dossier_row(dossier_code="A-2", resolving_unit="UBND Xã Đồng Hỷ", channel="Trực tiếp"),
            dossier_row(dossier_code="A-3", resolving_unit="Xã Không Tồn Tại"),
        ],
    )
    write_export(
        folder,
        date(2026, 1, 6),
        [
            dossier_row(
                dossier_code="A-1", status="Đã hoàn thành", completed_at="06/01/2026 10:00:00", updated_at="06/01/2026 10:00:00"
            ),
            dossier_row(
                dossier_code="B-1",
                resolving_unit="Sở Khoa học và Công nghệ",
                procedure_code="1.000100",
                received_at="06/01/2026 09:00:00",
                due_at="20/01/2026 17:00:00",
                updated_at="06/01/2026 09:00:00",
            ),
        ],
    )


def run(warehouse: Warehouse, start: str, end: str, selection=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ALL_ASSETS,
        selection=selection,
        resources={"warehouse": warehouse},
        raise_on_error=False,
        tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def snapshot_tables(path: str) -> dict[str, list]:
    with duckdb.connect(path, read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def test_definitions_load_without_the_heavy_libraries():
    """The code location is loaded by every Dagster process: pandas, numpy, openpyxl and GX are imported only by the
    steps that use them (each costs up to seconds)."""
    code = (
        "import sys, pipelines.definitions; "
        "print(','.join(m for m in ('pandas', 'numpy', 'openpyxl', 'great_expectations') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


def test_definitions_load_with_schedule_sensor_and_groups():
    from pipelines.definitions import defs

    job = defs.resolve_job_def("daily_tthc")
    assert job.partitions_def is not None
    schedule = defs.resolve_schedule_def("daily_tthc_0600")
    assert schedule.cron_schedule == "0 6 * * *" and schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert defs.resolve_sensor_def("inbox_sensor")
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name != "default" and node.description and node.kinds, key


def test_end_to_end_run_publishes_snapshot_and_quality_workbook(warehouse):
    small_inbox(Path(warehouse.inbox) / "tthc")
    result = run(warehouse, "2026-01-04", "2026-01-06")
    assert result.success
    checks = check_results(result)
    assert all(checks[name] for name in ["unit_in_master_data", "received_not_after_completed", "current_state_unique"])
    assert checks["export_completeness"] is False  # 04/01 has no export: a warning, not a block
    with duckdb.connect(warehouse.snapshot_db, read_only=True) as con:
        assert con.execute("SELECT dossier_code, status FROM fct_dossier ORDER BY 1").fetchall() == [
            ("A-1", "completed"),
            ("A-2", "processing"),
            ("B-1", "processing"),
        ]
        assert con.execute("SELECT rule FROM quarantine").fetchall() == [("unknown_unit",)]
    assert not Path(warehouse.snapshot_db + ".wal").exists()
    _assert_analysts_snapshot(Path(warehouse.snapshot_db))
    book = openpyxl.load_workbook(Path(warehouse.reports) / publish.QUALITY_WORKBOOK, read_only=True)
    detail = [
        row for row in book["Chi tiết"].iter_rows(values_only=True) if row and any(str(v) in ("A-3", "Hồ sơ A-3") for v in row)
    ]
    assert detail and any("Xã Không Tồn Tại" in str(v) for v in detail[0])


def _assert_analysts_snapshot(snapshot: Path) -> None:
    """What issue 12 promises analysts of a published snapshot: read-only on disk, 1.x-readable, every column
    commented, sort keys set, one Parquet file per table and view."""
    from tests.test_schema import uncommented
    from warehouse.connection import readable_by_1x, storage_version

    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o444
    assert readable_by_1x(storage_version(snapshot))
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert uncommented(con) == []
        assert con.execute("SELECT count(*) FROM dim_unit WHERE sort_key IS NULL").fetchall() == [(0,)]
        names = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' UNION "
                "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
            ).fetchall()
        }
    folder = snapshot.parent / "parquet"
    exported = {p.stem for p in folder.glob("*.parquet")} | {p.parent.name for p in folder.glob("*/*.parquet")}
    assert exported == names


# Each documented bad file of the demo inbox and what the warehouse must say about it.
EXPECTED_FILE_OUTCOME = {
    "renamed_column": ("loaded", "renamed_columns"),
    "missing_status": ("rejected", "missing_columns"),
    "empty": ("rejected", "empty_file"),
    "header_only": ("loaded", "no_rows"),
    "cp1258": ("loaded", "encoding_converted"),
    "unicode_text": ("loaded", "delimiter_converted"),
    "semicolon_cr": ("loaded", "line_ends_converted"),
    "verbatim_duplicates": ("loaded", "duplicate_rows"),
}
EXPECTED_ROW_RULES = {
    "bad_dates": {"bad_date:received_at"},
    "unknown_codes": {"unknown_unit", "unknown_procedure"},
    "negative_values": {"bad_count", "bad_amount"},
    "completed_before_received": {"completed_before_received"},
    "duplicate_code": {"duplicate_conflict"},
}


@pytest.mark.slow
def test_generated_demo_inbox_with_every_bad_file(warehouse):
    from demo.generate import generate_inbox

    summary = generate_inbox(Path(warehouse.inbox), end=date(2026, 1, 16), scale=0.002)
    result = run(warehouse, "2026-01-01", "2026-01-16")
    assert result.success
    with duckdb.connect(warehouse.snapshot_db, read_only=True) as con:
        for bad in (b for b in summary["bad_files"] if b["file"].startswith("tthc/ho_so_")):
            name, kind = bad["file"].removeprefix("tthc/"), bad["kind"]
            if kind in EXPECTED_FILE_OUTCOME:
                status, rule = EXPECTED_FILE_OUTCOME[kind]
                assert con.execute("SELECT status FROM landed_files WHERE file_name = ?", [name]).fetchall() == [(status,)], kind
                assert (rule,) in con.execute("SELECT rule FROM file_issues WHERE file_name = ?", [name]).fetchall(), kind
            elif kind == "truncated":
                assert con.execute(
                    "SELECT count(*) FROM quarantine WHERE file_name = ? AND rule = 'malformed_line'", [name]
                ).fetchall() == [(1,)]
            else:
                rules = {
                    r[0]
                    for r in con.execute(
                        "SELECT rule FROM quarantine WHERE file_name = ? AND record_key IN (SELECT unnest(?))",
                        [name, bad["dossier_codes"]],
                    ).fetchall()
                }
                assert rules and rules <= EXPECTED_ROW_RULES[kind], (kind, rules)
            loaded = con.execute(
                "SELECT count(*) FROM stg_dossier_versions WHERE source_file = ? AND dossier_code IN (SELECT unnest(?))",
                [name, bad["dossier_codes"]],
            ).fetchall()[0][0]
            assert loaded == 0, kind
        statuses = dict(
            con.execute("SELECT status, count(*) FROM landed_files WHERE source = 'tthc_dossier' GROUP BY 1").fetchall()
        )
        assert statuses["rejected"] == 2 and sum(statuses.values()) == 16  # the empty file and the one without 'Trạng thái'


@pytest.mark.slow
def test_rerunning_a_partition_gives_the_same_tables(warehouse):
    small_inbox(Path(warehouse.inbox) / "tthc")
    assert run(warehouse, "2026-01-05", "2026-01-06").success
    first = snapshot_tables(warehouse.snapshot_db)
    assert run(warehouse, "2026-01-05", "2026-01-05").success
    assert run(warehouse, "2026-01-06", "2026-01-06").success
    assert snapshot_tables(warehouse.snapshot_db) == first


@pytest.mark.slow
def test_failed_blocking_check_stops_current_state_and_publication(warehouse):
    small_inbox(Path(warehouse.inbox) / "tthc")
    assert run(warehouse, "2026-01-05", "2026-01-06").success
    published = os.stat(warehouse.snapshot_db).st_mtime_ns
    # A unit disappears from the master data after the versions were loaded (e.g. a wrong agency CSV):
    # the suite must block the current state, the workbook and the snapshot of this run.
    with duckdb.connect(warehouse.build_db) as con:
        con.execute("DELETE FROM dim_unit WHERE unit_code = '05692'")
    selection = dg.AssetSelection.assets(
        "tthc_dossiers", "data_quality_workbook", "analyst_snapshot"
    ) | dg.AssetSelection.checks_for_assets(tthc.tthc_dossier_versions)
    result = run(warehouse, "2026-01-05", "2026-01-06", selection=selection)
    assert not result.success
    assert check_results(result)["unit_in_master_data"] is False
    materialized = {
        e.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
        for e in [e.event_specific_data.materialization]
    }
    assert materialized == set()
    assert os.stat(warehouse.snapshot_db).st_mtime_ns == published


def test_schedule_runs_yesterday_at_six_in_vietnam(warehouse):
    """Yesterday's partition at 06:00 in Vietnam; skipped when a successful run over that day started after its
    export last changed (the inbox sensor loaded it after midnight: the schedule ran it a second time, and the
    period runs after it), run again when the export changed since or is missing."""
    import time
    import uuid

    from pipelines.definitions import defs
    from pipelines.schedules import daily_schedule

    tick = datetime(2026, 11, 27, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    folder = Path(warehouse.inbox) / "tthc"
    repository = defs.get_repository_def()
    with dg.instance_for_test() as instance:

        def evaluate():
            with dg.build_schedule_context(
                instance=instance,
                scheduled_execution_time=tick,
                resources={"warehouse": warehouse},
                repository_def=repository,
            ) as context:  # (closed: it sets the instance's state storage for the process otherwise)
                return daily_schedule.evaluate_tick(context)

        def run_over(first: str, last: str) -> str:
            tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
            run = instance.add_run(dg.DagsterRun(job_name="daily_tthc", run_id=str(uuid.uuid4()), tags=tags))
            for event in (dg.DagsterEventType.RUN_START, dg.DagsterEventType.RUN_SUCCESS):
                instance.report_dagster_event(dg.DagsterEvent(event.value, job_name="daily_tthc"), run_id=run.run_id)
            return run.run_id

        assert [r.partition_key for r in evaluate().run_requests] == ["2026-11-26"]  # no export: the run says so
        export = write_export(folder, date(2026, 11, 26), [dossier_row()])
        os.utime(export, (time.time() - 60, time.time() - 60))
        assert [r.partition_key for r in evaluate().run_requests] == ["2026-11-26"]  # not loaded yet
        run_over("2026-11-20", "2026-11-25")  # another range
        assert [r.partition_key for r in evaluate().run_requests] == ["2026-11-26"]
        loaded = run_over("2026-11-25", "2026-11-26")
        skipped = evaluate()
        assert skipped.run_requests == [] and loaded[:8] in skipped.skip_message
        os.utime(export)  # the export sent again after that run
        assert [r.partition_key for r in evaluate().run_requests] == ["2026-11-26"]
        # The first morning of an install starting today: the day before CCHC_START_DATE is no partition (it failed
        # the tick with DagsterUnknownPartitionError)
        tick = datetime(2026, 1, 1, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
        first = evaluate()
        assert first.run_requests == [] and "CCHC_START_DATE" in first.skip_message


def test_sensor_requests_the_partition_of_a_new_or_changed_export(warehouse):
    from pipelines.sensors import inbox_sensor

    folder = Path(warehouse.inbox) / "tthc"
    write_export(folder, date(2026, 1, 5), [dossier_row()])
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse})
        first = list(inbox_sensor(context))
        # The new catalogue is reloaded by the daily run itself: no separate masterdata_refresh run.
        assert [
            (r.job_name, r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
            for r in first
        ] == [("daily_tthc", "2026-01-05", "2026-01-05")]
        again = dg.build_sensor_context(instance=instance, cursor=context.cursor, resources={"warehouse": warehouse})
        assert list(inbox_sensor(again)) == []
        write_export(folder, date(2026, 1, 5), [dossier_row(), dossier_row(dossier_code="HS-2")])
        changed = dg.build_sensor_context(instance=instance, cursor=context.cursor, resources={"warehouse": warehouse})
        assert [r.tags["dagster/asset_partition_range_start"] for r in inbox_sensor(changed)] == ["2026-01-05"]


@pytest.mark.slow
def test_open_analyst_session_does_not_block_publication(warehouse):
    small_inbox(Path(warehouse.inbox) / "tthc")
    assert run(warehouse, "2026-01-05", "2026-01-05").success
    analyst = duckdb.connect(warehouse.snapshot_db, read_only=True)
    try:
        before = analyst.execute("SELECT count(*) FROM stg_dossier_versions").fetchall()[0][0]
        assert run(warehouse, "2026-01-05", "2026-01-06").success  # publishes while the analyst is connected
        assert analyst.execute("SELECT count(*) FROM stg_dossier_versions").fetchall()[0][0] == before
    finally:
        analyst.close()
    with duckdb.connect(warehouse.snapshot_db, read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM stg_dossier_versions").fetchall()[0][0] > before


def test_an_unusable_first_catalogue_stops_the_run_and_nothing_is_published(warehouse):
    """Master data that cannot be used: no dossier loads and no snapshot is published (with a catalogue already in
    use, the run goes on with that one: tests/test_intake.py)."""
    small_inbox(Path(warehouse.inbox) / "tthc")
    (Path(warehouse.inbox) / "tthc" / "danh_muc_tthc.csv").write_bytes(b"")
    result = run(warehouse, "2026-01-05", "2026-01-06")
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert failure.step_key == "tthc_catalogue" and "không công bố" in str(failure.event_specific_data.error)
    assert not Path(warehouse.snapshot_db).exists()


def test_a_failed_blocking_check_holds_publication_in_later_runs_of_other_jobs_until_mended(warehouse, tmp_path):
    """A day loaded with another pseudonym secret (the secret file lost and regenerated): single_pii_secret fails and
    its run publishes nothing. A later run of another job (the yearly indices, a month: here the snapshot alone)
    published that build all the same; it is now refused, naming the check and what to do, until the day is
    reloaded with the right secret, and then publishes again."""
    small_inbox(Path(warehouse.inbox) / "tthc")
    assert run(warehouse, "2026-01-05", "2026-01-06").success
    published = snapshot_tables(warehouse.snapshot_db)
    other_secret = tmp_path / "secret_b"
    other_secret.write_text("b" * 40, encoding="utf-8")
    other_secret.chmod(0o600)
    other = Warehouse(**{**warehouse.model_dump(), "pii_secret_file": str(other_secret)})
    with dg.instance_for_test() as instance:
        day = dg.materialize(
            ALL_ASSETS,
            resources={"warehouse": other},
            raise_on_error=False,
            instance=instance,
            tags={"dagster/asset_partition_range_start": "2026-01-06", "dagster/asset_partition_range_end": "2026-01-06"},
        )
        assert not day.success and check_results(day)["single_pii_secret"] is False
        # The alert says which check failed and what to do (Dagster's error only says a blocking check failed).
        checks = failed_checks(instance, day.run_id)
        alert = run_failure_message(day.dagster_run, "1 blocking asset check failed", [], checks)
    assert [name for name, _ in checks] == ["single_pii_secret"]
    assert "Kiểm tra chặn 'single_pii_secret' không đạt" in alert and "05/01/2026" in alert and "CCHC_PII_SECRET_FILE" in alert
    assert "Re-execute" in alert  # and how to run it again (no sensor retries a failed run)
    assert snapshot_tables(warehouse.snapshot_db) == published

    later = dg.materialize([publish.analyst_snapshot], resources={"warehouse": warehouse}, raise_on_error=False)
    assert not later.success
    [failure] = [e for e in later.all_events if e.event_type_value == "STEP_FAILURE"]
    text = failure.event_specific_data.error.message
    assert "Chưa công bố" in text and "single_pii_secret" in text and "05/01/2026" in text
    assert snapshot_tables(warehouse.snapshot_db) == published
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert con.execute("SELECT check_name, scope, passed FROM quality_gate WHERE NOT passed").fetchall() == [
            ("single_pii_secret", "kho", False)
        ]

    assert run(warehouse, "2026-01-06", "2026-01-06").success  # the day reloaded with the right secret
    assert dg.materialize([publish.analyst_snapshot], resources={"warehouse": warehouse}, raise_on_error=False).success


def test_a_day_without_any_version_is_a_warning_not_thirteen_expectations_passed_on_nothing(warehouse):
    small_inbox(Path(warehouse.inbox) / "tthc")
    result = run(warehouse, "2026-01-04", "2026-01-04")  # no export for 04/01
    assert result.success
    [evaluation] = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == "versions_present"
    ]
    assert evaluation.passed is False and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "04/01/2026" in evaluation.metadata["what_to_do"].value


def test_a_blocking_check_that_stops_half_way_leaves_its_scopes_failed(warehouse):
    """A check that raises (or whose process is killed) after its asset wrote new data must not leave the scope's
    last 'passed' in the gate: the scope is marked unfinished before the check reads anything."""
    from checks.gate import gate
    from warehouse.quality_gate import UNFINISHED, gate_failures

    with gate(warehouse, "tthc_versions_suite", ["2026-01-05"]) as g:
        g.record(True, None)
    with pytest.raises(RuntimeError), gate(warehouse, "tthc_versions_suite", ["2026-01-05"]):
        raise RuntimeError("GX could not run")
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert gate_failures(con) == [("tthc_versions_suite", "2026-01-05", UNFINISHED)]


@pytest.mark.slow
def test_a_quality_workbook_open_in_excel_fails_its_step_but_the_day_is_published(warehouse):
    """The quality workbook locked (open in Excel on a share): its step fails in Vietnamese and the run is marked
    failed (the alert names it), but the snapshot and the web site of the day are published all the same; they used
    to be skipped, as analyst_snapshot depended on the workbook."""
    from tests.disk_limits import locked

    small_inbox(Path(warehouse.inbox) / "tthc")
    book = Path(warehouse.reports) / publish.QUALITY_WORKBOOK
    book.parent.mkdir(parents=True)
    book.write_bytes(b"the workbook an official has open")
    with locked(book):
        result = run(warehouse, "2026-01-05", "2026-01-06")
    assert not result.success
    failures = {e.step_key: e.event_specific_data.error for e in result.all_events if e.is_step_failure}
    assert set(failures) == {"data_quality_workbook"}
    assert "tệp có đang mở trong Excel không?" in failures["data_quality_workbook"].cause.message
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"tthc_dossiers", "analyst_snapshot", "web_publication"} <= materialized
    with duckdb.connect(warehouse.snapshot_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fct_dossier").fetchall() == [(3,)]
    assert (Path(warehouse.reports) / "web" / "cong-khai" / "index.html").exists()
    assert book.read_bytes() == b"the workbook an official has open"


@pytest.mark.slow
def test_a_run_killed_after_loading_the_versions_is_refused_then_repaired_by_the_next_day(warehouse, tmp_path):
    """Killed after tthc_dossier_versions committed 06/01 and before tthc_dossiers: fct_dossier lacked 06/01's
    dossiers and the next run of another day published it with every gate row passed. Now the load marks its days in
    the gate in its own transaction: the snapshot is refused naming the day, and the next daily run repairs it."""
    folder = Path(warehouse.inbox) / "tthc"
    small_inbox(folder)
    assert run(warehouse, "2026-01-05", "2026-01-05").success
    # The run of 06/01 dies once the versions are committed, before the current state is refreshed.
    assert run(warehouse, "2026-01-06", "2026-01-06", selection=dg.AssetSelection.assets("tthc_dossier_versions")).success
    refused = dg.materialize([publish.analyst_snapshot], resources={"warehouse": warehouse}, raise_on_error=False)
    assert not refused.success
    [failure] = [e for e in refused.all_events if e.is_step_failure]
    text = failure.event_specific_data.error.message
    assert "current_state_refreshed (2026-01-06)" in text and "make rerun DAY=2026-01-06" in text

    write_export(
        folder,
        date(2026, 1, 7),
        [dossier_row(dossier_code="C-1", received_at="07/01/2026 08:00:00", updated_at="07/01/2026 08:00:00")],
    )
    assert run(warehouse, "2026-01-07", "2026-01-07").success  # the next scheduled day repairs 06/01, then publishes
    fresh = Warehouse(
        build_db=str(tmp_path / "fresh" / "build.duckdb"),
        snapshot_db=str(tmp_path / "fresh" / "warehouse.duckdb"),
        inbox=warehouse.inbox,
        reports=str(tmp_path / "fresh" / "reports"),
        province=warehouse.province,
    )
    assert run(fresh, "2026-01-05", "2026-01-07").success
    current = "SELECT dossier_code, status, first_export_date, last_export_date FROM fct_dossier ORDER BY ALL"
    with duckdb.connect(warehouse.snapshot_db, read_only=True) as con, duckdb.connect(fresh.snapshot_db, read_only=True) as other:
        assert con.execute(current).fetchall() == other.execute(current).fetchall()
        assert ("B-1", "processing") in [r[:2] for r in con.execute(current).fetchall()]
        assert con.execute("SELECT count(*) FROM quality_gate WHERE NOT passed").fetchall() == [(0,)]


@pytest.mark.slow
def test_a_run_killed_during_the_dossier_check_is_finished_by_the_next_day(warehouse):
    """Killed while the GX suite of 06/01 ran: its gate row said 'not finished', and every later publication was
    refused until someone reran exactly that day. The next daily run now checks the days left unchecked too."""
    from checks.gate import gate
    from warehouse.quality_gate import gate_failures

    folder = Path(warehouse.inbox) / "tthc"
    small_inbox(folder)
    assert run(warehouse, "2026-01-05", "2026-01-05").success
    assert run(warehouse, "2026-01-06", "2026-01-06", selection=dg.AssetSelection.assets("tthc_dossier_versions")).success
    with pytest.raises(KeyboardInterrupt), gate(warehouse, "tthc_versions_suite", ["2026-01-06"]):
        raise KeyboardInterrupt  # the kill, half way through the suite
    write_export(
        folder,
        date(2026, 1, 7),
        [dossier_row(dossier_code="C-1", received_at="07/01/2026 08:00:00", updated_at="07/01/2026 08:00:00")],
    )
    result = run(warehouse, "2026-01-07", "2026-01-07")
    assert result.success
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert gate_failures(con) == []
        checked = "SELECT scope FROM quality_gate WHERE check_name = 'tthc_versions_suite' AND passed ORDER BY 1"
        assert [r[0] for r in con.execute(checked).fetchall()] == ["2026-01-05", "2026-01-06", "2026-01-07"]
    with duckdb.connect(warehouse.snapshot_db, read_only=True) as con:
        assert ("C-1",) in con.execute("SELECT dossier_code FROM fct_dossier").fetchall()


@pytest.mark.slow
def test_a_failed_day_is_never_cleared_by_the_sample_of_a_long_range(warehouse, monkeypatch):
    """A backfill over many days is checked on a hash sample; a day whose check had failed was cleared by that sample
    when it missed the bad row (a negative fee then reached the snapshot). Such a day is checked whole, alone, and
    stays failed until it is mended; mended, the same range run clears it."""
    from warehouse.quality_gate import UNFINISHED, gate_failures, record_gate

    folder = Path(warehouse.inbox) / "tthc"
    days = [date(2026, 1, 4), date(2026, 1, 5), date(2026, 1, 6)]
    for day in [*days, date(2026, 1, 7)]:
        at = f"{day:%d/%m/%Y} 08:00:00"
        rows = [dossier_row(dossier_code=f"E-{day.day}-{i}", received_at=at, updated_at=at) for i in range(30)]
        write_export(folder, day, rows)
    assert run(warehouse, "2026-01-04", "2026-01-07").success
    monkeypatch.setattr(tthc_checks, "GX_MAX_ROWS", 10)  # 90 versions: a sample of one in 9
    with duckdb.connect(warehouse.build_db) as con:
        [(code,)] = con.execute(
            """SELECT dossier_code FROM stg_dossier_versions WHERE export_date = '2026-01-05' AND hash(dossier_code) % 9 <> 0
               ORDER BY dossier_code LIMIT 1"""
        ).fetchall()
        con.execute("UPDATE stg_dossier_versions SET fee_due = -5 WHERE dossier_code = ?", [code])
        record_gate(con, "tthc_versions_suite", ["2026-01-05"], False, "phí âm", datetime(2026, 1, 6))
    # The suite alone on the range (a check-only run has no partition: its days are given).
    monkeypatch.setattr(tthc_checks, "partition_dates", lambda context: (days[0], days[-1]))
    suite = dg.AssetSelection.checks(tthc_checks.tthc_versions_suite)
    checked = run(warehouse, "2026-01-04", "2026-01-06", selection=suite)
    assert check_results(checked)["fee_non_negative"] is False
    with duckdb.connect(warehouse.build_db) as con:
        assert [(c, s) for c, s, _ in gate_failures(con)] == [("tthc_versions_suite", "2026-01-05")]
        con.execute("UPDATE stg_dossier_versions SET fee_due = 0 WHERE dossier_code = ?", [code])
    assert check_results(run(warehouse, "2026-01-04", "2026-01-06", selection=suite))["fee_non_negative"] is True
    with duckdb.connect(warehouse.build_db) as con:
        assert gate_failures(con) == []
        # Failed again, then a backfill over it killed (its days left unfinished, the failure's detail overwritten):
        # the next day's run checks those days too, each whole, so the bad one stays failed.
        con.execute("UPDATE stg_dossier_versions SET fee_due = -5 WHERE dossier_code = ?", [code])
        record_gate(con, "tthc_versions_suite", ["2026-01-05"], False, "phí âm", datetime(2026, 1, 6))
        record_gate(
            con, "tthc_versions_suite", ["2026-01-04", "2026-01-05", "2026-01-06"], False, UNFINISHED, datetime(2026, 1, 7)
        )
    monkeypatch.setattr(tthc_checks, "partition_dates", lambda context: (date(2026, 1, 7), date(2026, 1, 7)))
    run(warehouse, "2026-01-07", "2026-01-07", selection=suite)
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert [(c, s) for c, s, _ in gate_failures(con)] == [("tthc_versions_suite", "2026-01-05")]


@pytest.mark.slow
def test_the_schema_expectation_sees_a_column_added_to_the_versions(warehouse, monkeypatch):
    """schema_matches was judged on a frame of the expected columns only, so it could not fail: an ID number added in
    clear as a column of its own passed it and reached the snapshot."""
    small_inbox(Path(warehouse.inbox) / "tthc")
    assert run(warehouse, "2026-01-05", "2026-01-06").success
    with duckdb.connect(warehouse.build_db) as con:
        con.execute("ALTER TABLE stg_dossier_versions ADD COLUMN applicant_id VARCHAR DEFAULT '019188001234'")
    monkeypatch.setattr(tthc_checks, "partition_dates", lambda context: (date(2026, 1, 5), date(2026, 1, 6)))
    checked = run(warehouse, "2026-01-05", "2026-01-06", selection=dg.AssetSelection.checks(tthc_checks.tthc_versions_suite))
    results = check_results(checked)
    assert results["schema_matches"] is False and results["fee_non_negative"] is True


@pytest.mark.slow
def test_the_days_a_killed_run_left_unchecked_never_thin_the_sample_of_the_runs_own_day(warehouse, monkeypatch):
    """Checked with the run's own day in one sample, many unchecked days of a killed backfill made the suite sample
    today's versions too (a negative fee passed). They get a pass of their own; today's day is checked as alone."""
    from warehouse.quality_gate import UNFINISHED, gate_failures, record_gate

    folder = Path(warehouse.inbox) / "tthc"
    small_inbox(folder)  # 05/01 and 06/01
    at = "04/01/2026 08:00:00"
    write_export(folder, date(2026, 1, 4), [dossier_row(dossier_code=f"E-{i}", received_at=at, updated_at=at) for i in range(40)])
    assert run(warehouse, "2026-01-04", "2026-01-06").success
    with duckdb.connect(warehouse.build_db) as con:
        own = con.execute("SELECT count(*) FROM stg_dossier_versions WHERE export_date = '2026-01-06'").fetchall()[0][0]
        con.execute("UPDATE stg_dossier_versions SET fee_due = -5 WHERE export_date = '2026-01-06'")
        record_gate(con, "tthc_versions_suite", ["2026-01-04", "2026-01-05"], False, UNFINISHED, datetime(2026, 1, 7))
    monkeypatch.setattr(tthc_checks, "GX_MAX_ROWS", own)  # 06/01 alone: every row checked
    # The suite alone on 06/01 (a check-only run has no partition: its day is given), so the version changed above stays.
    monkeypatch.setattr(tthc_checks, "partition_dates", lambda context: (date(2026, 1, 6), date(2026, 1, 6)))
    checked = dg.materialize(
        ALL_ASSETS,
        selection=dg.AssetSelection.checks(tthc_checks.tthc_versions_suite),
        resources={"warehouse": warehouse},
        raise_on_error=False,
    )
    results = check_results(checked)
    assert results["fee_non_negative"] is False
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        failed = [(c, s) for c, s, _ in gate_failures(con)]
    assert failed == [("tthc_versions_suite", "2026-01-06")]  # 04/01 and 05/01, checked in their own pass, passed
