"""The sensors on real Dagster instances in temporary DAGSTER_HOMEs: the inbox sensor batches days into ranges, waits
for today's export and names files before the start date; after_daily requests the period runs once per batch;
the failure sensor writes the alert file and delivers it to a local SMTP server and a local webhook."""

import json
import logging
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import pytest
import yaml

from common.settings import PROJECT_ROOT, business_today
from pipelines import sensors
from pipelines.sensors import after_daily, day_ranges, follow_up_requests, inbox_sensor, run_failure_alert, run_failure_message
from sources.tthc_format import dossier_file_name
from tests.conftest import dossier_row, warehouse_in, write_export


@pytest.fixture
def instance(tmp_path: Path):
    """An instance with the project's dagster.yaml (pools, run monitoring) in a temporary DAGSTER_HOME."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    overrides = yaml.safe_load((PROJECT_ROOT / "pipelines" / "dagster.yaml").read_text())
    with dg.instance_for_test(temp_dir=str(home), overrides=overrides) as instance:
        yield instance


def evaluate(instance: dg.DagsterInstance, root: Path, cursor: str | None = None):
    from pipelines.definitions import defs

    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": warehouse_in(root)}, definitions=defs
    )
    return inbox_sensor.evaluate_tick(context)


def test_day_ranges():
    d = date(2026, 1, 1)
    days = [d, d + timedelta(1), d + timedelta(2), d + timedelta(6), d + timedelta(2)]
    assert day_ranges(days) == [(d, d + timedelta(2)), (d + timedelta(6), d + timedelta(6))]


def test_inbox_sensor_on_the_demo_inbox_requests_a_handful_of_runs(tmp_path, small_inbox, instance):
    shutil.copytree(small_inbox[0], tmp_path / "inbox")
    first = evaluate(instance, tmp_path)
    requests = first.run_requests
    assert 1 <= len(requests) <= 6, [(r.job_name, r.tags) for r in requests]
    daily = [r for r in requests if r.job_name == "daily_tthc"]
    # Ten days of exports, one contiguous range: one run (single-run backfill policy), not ten.
    assert [(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"]) for r in daily] == [
        ("2026-01-01", "2026-01-10")
    ]
    assert len({r.job_name for r in requests}) == len(requests)  # no job twice
    assert "masterdata_refresh" not in {r.job_name for r in requests}  # the daily run reloads the catalogue

    again = evaluate(instance, tmp_path, first.cursor)
    assert again.run_requests == []


@pytest.mark.parametrize("name", ["HO_SO_20260105.CSV", "ho_so_2026-01-05.csv", "ho_so_20260105 (1).csv", "ho_so_20260105.xlsx"])
def test_an_export_under_another_name_is_noticed_as_its_day(tmp_path, instance, name):
    """Windows keeps HO_SO_20260105.CSV, a browser saves a second download as '… (1).csv', an office writes the date
    with dashes or sends the day as Excel: the loader reads (or refuses) each as that day's export, so the sensor
    must see it too."""
    folder = tmp_path / "inbox" / "tthc"
    path = write_export(folder, date(2026, 1, 5), [dossier_row()])
    path.rename(folder / name)
    ranges = [
        (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
        for r in evaluate(instance, tmp_path).run_requests
        if r.job_name == "daily_tthc"
    ]
    assert ranges == [("2026-01-05", "2026-01-05")]


def test_inbox_sensor_waits_for_today_and_names_files_before_the_start_date(tmp_path, instance):
    folder = tmp_path / "inbox" / "tthc"
    today = business_today()
    write_export(folder, date(2026, 1, 5), [dossier_row()])
    write_export(folder, date(2026, 1, 7), [dossier_row()])
    write_export(folder, date(2025, 12, 31), [dossier_row()])
    write_export(folder, today, [dossier_row()])
    write_export(folder, date(2062, 1, 5), [dossier_row()])  # a mistyped year: not waited for, never a run
    first = evaluate(instance, tmp_path)
    ranges = [
        (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
        for r in first.run_requests
        if r.job_name == "daily_tthc"
    ]
    assert ranges == [("2026-01-05", "2026-01-05"), ("2026-01-07", "2026-01-07")]
    cursor = json.loads(first.cursor)
    assert dossier_file_name(today) not in cursor  # today's export is taken once its day is over
    assert dossier_file_name(date(2025, 12, 31)) in cursor
    assert dossier_file_name(date(2062, 1, 5)) in cursor  # recorded: said once, then refused by name by the daily run

    # Nothing new: the skip reason names the file before the start date and the setting, and today's waiting file.
    quiet_inbox = tmp_path / "quiet"
    (quiet_inbox / "inbox" / "tthc").mkdir(parents=True)
    old = write_export(quiet_inbox / "inbox" / "tthc", date(2025, 12, 30), [dossier_row()])
    quiet = evaluate(instance, quiet_inbox)
    assert quiet.run_requests == []
    assert old.name in quiet.skip_message and "CCHC_START_DATE=2026-01-01" in quiet.skip_message

    # A file still being copied (modified just now) waits too, then loads once it has settled.
    os.environ["CCHC_SETTLE_SECONDS"] = "3600"
    try:
        write_export(folder, date(2026, 1, 9), [dossier_row()])
        copying = evaluate(instance, tmp_path, first.cursor)
        assert [r for r in copying.run_requests if r.job_name == "daily_tthc"] == []
        assert dossier_file_name(date(2026, 1, 9)) not in json.loads(copying.cursor)
    finally:
        os.environ["CCHC_SETTLE_SECONDS"] = "0"
    settled = evaluate(instance, tmp_path, copying.cursor)
    assert [r.tags["dagster/asset_partition_range_start"] for r in settled.run_requests if r.job_name == "daily_tthc"] == [
        "2026-01-09"
    ]


def _finished_run(instance: dg.DagsterInstance, job_name: str, first: str, last: str, *, success: bool = True) -> dg.DagsterRun:
    """A run of ``job_name`` recorded in the instance and taken to STARTED, then SUCCESS (status and end time set
    by the instance from the events, as for a real run)."""
    run = instance.add_run(
        dg.DagsterRun(
            job_name=job_name,
            run_id=str(uuid.uuid4()),
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
        )
    )
    instance.report_dagster_event(dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=job_name), run_id=run.run_id)
    if success:
        time.sleep(0.01)
        instance.report_dagster_event(
            dg.DagsterEvent(dg.DagsterEventType.RUN_SUCCESS.value, job_name=job_name), run_id=run.run_id
        )
    return instance.get_run_by_id(run.run_id)


def _spans(requests: list[dg.RunRequest]) -> dict[str, tuple[str, str]]:
    return {
        r.job_name: (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"]) for r in requests
    }


def test_after_daily_requests_the_period_runs_once_per_batch(instance):
    a = _finished_run(instance, "daily_tthc", "2026-01-01", "2026-01-03")
    b = _finished_run(instance, "daily_tthc", "2026-02-10", "2026-02-10", success=False)  # still running
    assert follow_up_requests(instance, a) == []  # b's success will request for both

    instance.report_dagster_event(dg.DagsterEvent(dg.DagsterEventType.RUN_SUCCESS.value, job_name="daily_tthc"), run_id=b.run_id)
    b = instance.get_run_by_id(b.run_id)
    assert follow_up_requests(instance, a) == []  # a later run of the batch has finished: it requests
    requests = follow_up_requests(instance, b)
    assert sorted(r.job_name for r in requests) == ["qd766_monthly", "qd766_quarterly", "task_progress", "yearly_indices"]
    assert _spans(requests)["qd766_monthly"] == ("2026-01", "2026-02")
    assert _spans(requests)["yearly_indices"] == ("2026", "2026")

    # The sensor itself, on the success event of the run: the same four requests.
    context = dg.build_run_status_sensor_context(
        sensor_name="after_daily",
        dagster_event=dg.DagsterEvent(dg.DagsterEventType.RUN_SUCCESS.value, job_name="daily_tthc"),
        dagster_instance=instance,
        dagster_run=b,
    )
    assert len(list(after_daily(context))) == 4

    # Once those runs exist, the next day's run covers its own day and the RESCORE_DAYS before it (the dossiers it
    # finished were received then): not the periods of the batch before.
    for request in requests:
        instance.add_run(
            dg.DagsterRun(
                job_name=request.job_name, run_id=str(uuid.uuid4()), tags=request.tags, status=dg.DagsterRunStatus.SUCCESS
            )
        )
    time.sleep(0.01)
    c = _finished_run(instance, "daily_tthc", "2026-03-05", "2026-03-05")
    assert _spans(follow_up_requests(instance, c))["qd766_monthly"] == ("2026-01", "2026-03")
    for request in follow_up_requests(instance, c):
        instance.add_run(
            dg.DagsterRun(
                job_name=request.job_name, run_id=str(uuid.uuid4()), tags=request.tags, status=dg.DagsterRunStatus.SUCCESS
            )
        )
    time.sleep(0.01)
    # The first days of a year rescore December, the fourth quarter and the year just closed: a dossier received on
    # 31/12 and finished late in January changes them (they stayed frozen at 31/12).
    january = _finished_run(instance, "daily_tthc", "2027-01-04", "2027-01-04")
    spans = _spans(follow_up_requests(instance, january))
    assert spans["qd766_monthly"] == ("2026-11", "2027-01") and spans["yearly_indices"] == ("2026", "2027")
    assert spans["qd766_quarterly"] == ("2026-10-01", "2027-01-01")


class _Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:  # http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Webhook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough of SMTP (RFC 5321) for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    messages: ClassVar[list[str]] = []

    def handle(self) -> None:
        self.wfile.write(b"220 localhost test SMTP\r\n")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 localhost\r\n")
            elif verb.startswith("DATA"):
                self.wfile.write(b"354 go ahead\r\n")
                data = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(part)
                _Smtp.messages.append(b"".join(data).decode("utf-8", "replace"))
                self.wfile.write(b"250 queued\r\n")
            elif verb.startswith("QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


@dg.op
def broken_step() -> None:
    raise ValueError("tệp hỏng")


@dg.job
def broken_job() -> None:
    broken_step()


def test_failure_sensor_writes_the_alert_file_and_delivers_by_email_and_webhook(tmp_path, monkeypatch, instance):
    webhook = HTTPServer(("127.0.0.1", 0), _Webhook)
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    for server in (webhook, smtp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("CCHC_LOG_DIR", str(tmp_path / "logs"))
        monkeypatch.setenv("CCHC_ALERT_WEBHOOK", f"http://127.0.0.1:{webhook.server_port}/hook")
        monkeypatch.setenv("CCHC_ALERT_SMTP", f"127.0.0.1:{smtp.server_address[1]}")
        monkeypatch.setenv("CCHC_ALERT_EMAIL", "cntt@example.vn")
        result = broken_job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        run_failure_alert(_failure_context(result, instance))
    finally:
        webhook.shutdown()
        smtp.shutdown()
    lines = (tmp_path / "logs" / "alerts.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "broken_job THẤT BẠI" in lines[0] and result.run_id in lines[0]
    assert "broken_step" in lines[0]
    assert [m["text"] for m in _Webhook.received] == [lines[0].split(" ", 1)[1]]
    assert len(_Smtp.messages) == 1 and "cntt@example.vn" in _Smtp.messages[0] and "[CCHC]" in _Smtp.messages[0]


def test_failure_sensor_reports_an_unreachable_webhook_in_the_alert_file(tmp_path, monkeypatch, instance):
    monkeypatch.setenv("CCHC_LOG_DIR", str(tmp_path / "logs"))
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    monkeypatch.setenv("CCHC_ALERT_WEBHOOK", f"http://127.0.0.1:{port}/hook")
    result = broken_job.execute_in_process(instance=instance, raise_on_error=False)
    run_failure_alert(_failure_context(result, instance))
    lines = (tmp_path / "logs" / "alerts.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "Không gửi được cảnh báo tới webhook" in lines[1]


@pytest.mark.slow
def test_automation_is_on_only_where_make_serve_says_so():
    code = (
        "from pipelines.definitions import defs; "
        "print(defs.resolve_sensor_def('inbox_sensor').default_status.value, "
        "defs.resolve_sensor_def('after_daily').default_status.value, "
        "defs.resolve_sensor_def('run_failure_alert').default_status.value, "
        "defs.resolve_sensor_def('stale_runs').default_status.value, "
        "defs.resolve_schedule_def('daily_tthc_0600').default_status.value, "
        "defs.resolve_schedule_def('portal_capture_0530').default_status.value)"
    )
    env = {k: v for k, v in os.environ.items() if k != "CCHC_AUTOMATION"}
    off = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=PROJECT_ROOT
    ).stdout.split()
    on = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "CCHC_AUTOMATION": "on"},
        cwd=PROJECT_ROOT,
    ).stdout.split()
    assert off == ["STOPPED", "STOPPED", "STOPPED", "RUNNING", "STOPPED", "STOPPED"]
    assert on == ["RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "STOPPED"]


def test_the_register_is_watched_whatever_its_letter_case_or_kind(tmp_path):
    from pipelines.sensors import _other_sources

    (tmp_path / "tthc").mkdir()
    (tmp_path / "tthc" / "CONG_BO_TTHC.CSV").write_text("x", encoding="utf-8")
    (tmp_path / "tthc" / "cong_bo_tthc.xlsx").write_bytes(b"PK")
    assert sorted(_other_sources(tmp_path)) == ["tthc/CONG_BO_TTHC.CSV", "tthc/cong_bo_tthc.xlsx"]


def test_files_in_sub_folders_are_watched_as_the_runs_refuse_them(tmp_path):
    """A register, report or PAKN export put in a sub-folder is not read but refused by the run: the sensor must
    notice it (the yearly folders are watched at any depth already)."""
    from pipelines.sensors import _other_sources, _par_files, _task_files

    for name in ("ke_hoach/ban_cu/ke_hoach_2026.xlsx", "tien_do/gui_lai/bao_cao.xlsx", "pakn/thang_1/pakn_202601.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "par" / "tu_danh_gia" / "gui_lai").mkdir(parents=True)
    (tmp_path / "par" / "tu_danh_gia" / "gui_lai" / "phieu.xlsx").write_bytes(b"x")
    assert sorted(_task_files(tmp_path)) == ["ke_hoach/ban_cu/ke_hoach_2026.xlsx", "tien_do/gui_lai/bao_cao.xlsx"]
    assert sorted(_other_sources(tmp_path)) == ["pakn/thang_1/pakn_202601.csv"]
    assert sorted(_par_files(tmp_path)) == ["par/tu_danh_gia/gui_lai/phieu.xlsx"]


def test_a_yearly_file_named_with_a_year_without_partition_runs_this_year(tmp_path):
    """par/khao_sat/khao_sat_2025_bo_sung.csv before the first yearly partition (2026): no run of 2025 exists, and
    every run reports the file, so this year's run is requested (it used to request none)."""
    from pipelines.sensors import _par_requests

    today = business_today()
    requests = list(_par_requests({}, {"par/khao_sat/khao_sat_2025_bo_sung.csv": "1:1"}))
    assert [(r.job_name, r.partition_key) for r in requests] == [("yearly_indices", str(today.year))]
    # A year that has a partition runs that year, as before.
    requests = list(_par_requests({}, {"par/khao_sat/khao_sat_2026.csv": "1:1"}))
    assert [r.partition_key for r in requests] == ["2026"]


def _failure_context(result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance) -> dg.RunFailureSensorContext:
    """The context run_failure_alert gets for a failed run."""
    return dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()


def _alert_of(result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance, log: Path) -> str:
    """The line run_failure_alert writes for a failed run (no delivery configured)."""
    run_failure_alert(_failure_context(result, instance))
    [line] = log.read_text(encoding="utf-8").splitlines()
    return line


def test_the_alert_says_what_the_failed_step_said(tmp_path, monkeypatch, instance):
    """The alert carried only Dagster's "Execution of run … failed. Steps failed: [...]": now each failed step's own
    error, the project's Vietnamese message first, then its cause."""
    monkeypatch.setenv("CCHC_LOG_DIR", str(tmp_path / "logs"))

    @dg.asset
    def data_quality_workbook() -> None:
        try:
            raise PermissionError(13, "Permission denied")
        except PermissionError as exc:
            raise PermissionError("Không ghi được q.xlsx; tệp có đang mở trong Excel không? Đóng tệp rồi chạy lại") from exc

    result = dg.materialize([data_quality_workbook], instance=instance, raise_on_error=False)
    line = _alert_of(result, instance, tmp_path / "logs" / "alerts.log")
    assert (
        "data_quality_workbook: PermissionError: Không ghi được q.xlsx; tệp có đang mở trong Excel không? Đóng tệp rồi "
        "chạy lại ← PermissionError: [Errno 13] Permission denied" in line
    )
    assert "Execution of run" not in line and result.run_id in line


def test_the_alert_of_a_run_that_failed_before_any_step_says_why(tmp_path, monkeypatch, instance):
    """A PII secret too short stops the real resource before any step: the alert gives its Vietnamese error."""
    monkeypatch.setenv("CCHC_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("CCHC_PII_SECRET", "ngan-qua")

    @dg.asset(required_resource_keys={"warehouse"})
    def units() -> None:
        raise AssertionError("never reached")

    result = dg.materialize([units], resources={"warehouse": warehouse_in(tmp_path)}, instance=instance, raise_on_error=False)
    assert not result.success
    line = _alert_of(result, instance, tmp_path / "logs" / "alerts.log")
    assert "PiiSecretError: Khóa bí mật mã hóa số giấy tờ (CCHC_PII_SECRET) quá ngắn: cần ít nhất 32 ký tự" in line


def test_a_catalogue_named_in_capitals_reloads_the_master_data(tmp_path, instance):
    """DANH_MUC_TTHC.CSV (as Windows keeps it) is the catalogue for the loader; the sensor crashed on it at every
    tick (a KeyError on the lower-case name) and no file of the inbox was ever loaded again."""
    from tests.conftest import write_catalogue

    folder = tmp_path / "inbox" / "tthc"
    path = write_catalogue(folder)
    path.rename(folder / path.name.upper())
    result = evaluate(instance, tmp_path)
    assert [r.job_name for r in result.run_requests] == ["masterdata_refresh"]


def test_a_progress_report_of_a_quarter_without_partition_runs_the_current_quarter(tmp_path):
    """A unit's report of quý IV/2025 (before the first partition) made the sensor ask for a range starting before it:
    the run failed on Dagster's own error, the current quarter with it. The quarters without partition are left out;
    the run of the current quarter still reads the file and reports it."""
    from demo.plan import BCVT, Line, Report, write_report
    from pipelines.sensors import _task_requests

    inbox = tmp_path / "inbox"
    (inbox / "tien_do").mkdir(parents=True)
    report = Report("cu.xlsx", BCVT, "Quý IV/2025", date(2025, 12, 20), (Line("IV.5", "in_progress", 90),))
    write_report(inbox / "tien_do" / "cu.xlsx", report)
    from assets.partitions import period_partition_key
    from common.periods import period_containing

    [request] = list(_task_requests(inbox, {}, {"tien_do/cu.xlsx": "1:1"}))
    current = period_partition_key("quarter", period_containing("quarter", business_today()).start)
    tags = request.tags
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (current, current)


def _started_by_a_dead_worker(instance: dg.DagsterInstance, run: dg.DagsterRun) -> None:
    """The run taken to STARTED by a worker process that has exited since (as after kill -9)."""
    from dagster._core.events import EngineEventData

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    instance.report_dagster_event(dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name), run_id=run.run_id)
    instance.report_engine_event(f"Started process for run (pid: {gone.pid}).", run, EngineEventData.in_process(gone.pid))


@pytest.mark.slow
def test_a_run_whose_worker_died_is_retried_once_by_the_daemon_and_a_failed_step_is_not(tmp_path, monkeypatch):
    """A sensor-requested run killed mid-way (kill -9, out of memory) stayed failed until someone re-executed it: the
    sensor stale_runs now has Dagster's daemon re-execute it once, from where it died, same partitions. Its retry is
    not retried again; a run failed by a step, or found dead by `make run` (which runs the days again itself), is
    not retried; the alert says which."""
    from dagster._core.test_utils import create_run_for_test
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster._daemon.auto_run_reexecution.auto_run_reexecution import consume_new_runs_for_automatic_reexecution

    from pipelines.instance import recover_stale_runs
    from pipelines.sensors import stale_runs

    monkeypatch.setenv("CCHC_LOG_DIR", str(tmp_path / "logs"))
    home = tmp_path / "dagster_home"
    home.mkdir()
    overrides = yaml.safe_load((PROJECT_ROOT / "pipelines" / "dagster.yaml").read_text())
    # Runs are queued, as under make serve, not launched here: the test looks at what the daemon asks for.
    overrides["run_coordinator"] = {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"}
    target = ModuleTarget(
        module_name="pipelines.definitions", attribute=None, working_directory=str(PROJECT_ROOT), location_name=None
    )
    tags = {"dagster/asset_partition_range_start": "2026-01-01", "dagster/asset_partition_range_end": "2026-04-01"}
    with (
        dg.instance_for_test(temp_dir=str(home), overrides=overrides) as instance,
        WorkspaceProcessContext(instance, target) as process,
    ):
        request = process.create_request_context()
        [location] = request.code_locations
        remote_job = location.get_repository("__repository__").get_full_job("task_progress")
        launched = {
            "job_name": "task_progress",
            "remote_job_origin": remote_job.get_remote_origin(),
            "job_code_origin": remote_job.get_python_origin(),
            "job_snapshot": remote_job.job_snapshot,
            "execution_plan_snapshot": location.get_execution_plan(remote_job, {}, None, None, instance).execution_plan_snapshot,
            "asset_graph": request.asset_graph,
        }
        dead = create_run_for_test(instance, tags=tags, **launched)
        found_by_make_run = create_run_for_test(instance, tags=tags, **launched)
        _started_by_a_dead_worker(instance, dead)
        list(stale_runs(dg.build_sensor_context(instance=instance)))  # the daemon's sensor
        _started_by_a_dead_worker(instance, found_by_make_run)
        assert [p.run_id for p in recover_stale_runs(instance).failed] == [found_by_make_run.run_id]  # make run
        runs = {run.run_id: instance.get_run_by_id(run.run_id) for run in (dead, found_by_make_run)}
        assert {r.status for r in runs.values()} == {dg.DagsterRunStatus.FAILURE}
        assert runs[dead.run_id].tags["dagster/will_retry"] == "true"
        assert runs[found_by_make_run.run_id].tags["dagster/will_retry"] == "false"

        def daemon_tick() -> None:
            records = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
            for _ in consume_new_runs_for_automatic_reexecution(process, records, logging.getLogger("test")):
                pass

        daemon_tick()
        [retry] = instance.get_runs(dg.RunsFilter(tags={"dagster/parent_run_id": dead.run_id}))
        assert retry.job_name == "task_progress" and retry.status == dg.DagsterRunStatus.QUEUED
        assert {k: retry.tags[k] for k in tags} == tags
        assert instance.get_runs(dg.RunsFilter(tags={"dagster/parent_run_id": found_by_make_run.run_id})) == []

        # The retry dies too: failed, not retried a second time.
        _started_by_a_dead_worker(instance, retry)
        [skip] = list(stale_runs(dg.build_sensor_context(instance=instance)))
        assert retry.run_id[:8] in skip.skip_message and "tự chạy lại" not in skip.skip_message
        assert instance.get_run_by_id(retry.run_id).tags["dagster/will_retry"] == "false"
        daemon_tick()
        assert instance.get_runs(dg.RunsFilter(tags={"dagster/parent_run_id": retry.run_id})) == []

        # The alerts: the dead run's says Dagster runs it again; its dead retry's says what to do.
        for run in (dead, retry):
            event = next(e for e in instance.all_logs(run.run_id) if e.dagster_event and e.dagster_event.is_run_failure)
            run_failure_alert(
                dg.build_run_status_sensor_context(
                    sensor_name="run_failure_alert",
                    dagster_event=event.dagster_event,
                    dagster_instance=instance,
                    dagster_run=run,
                ).for_run_failure()
            )
        first, second = (tmp_path / "logs" / "alerts.log").read_text(encoding="utf-8").splitlines()
        assert dead.run_id in first and "Dagster tự chạy lại nó một lần" in first and "Re-execute" not in first
        assert retry.run_id in second and "Re-execute" in second and "tự chạy lại nó" not in second

    # A run failed by its step: not retried (it would fail the same way).
    (tmp_path / "home2").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home2"), overrides=overrides) as instance:
        result = broken_job.execute_in_process(instance=instance, raise_on_error=False)
        assert instance.get_run_by_id(result.run_id).tags["dagster/will_retry"] == "false"


def test_after_daily_takes_along_the_periods_whose_last_run_failed(instance, monkeypatch):
    """The batch of 30 November failed writing November's workbook (open in Excel); the batch of 1 December asked only
    for December, so November was never scored again. Now a job's failed range that no later run covered goes into
    the next batch's range, once: when that run fails too (a blocking check over bad data fails the same way), it is
    not asked for again by every batch, dragging the new periods down. A cancelled run is not taken along."""

    def period_run(job_name: str, first: str, last: str, status: dg.DagsterRunStatus, **tags: str) -> None:
        tags |= {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
        instance.add_run(dg.DagsterRun(job_name=job_name, run_id=str(uuid.uuid4()), tags=tags, status=status))
        time.sleep(0.01)

    monkeypatch.setattr(sensors, "RESCORE_DAYS", 0)  # (a daily run's own days only: the failed ones are taken along)
    period_run("qd766_monthly", "2026-10", "2026-11", dg.DagsterRunStatus.SUCCESS)
    period_run("qd766_monthly", "2026-11", "2026-11", dg.DagsterRunStatus.FAILURE)
    period_run("qd766_quarterly", "2026-07-01", "2026-07-01", dg.DagsterRunStatus.CANCELED)  # stopped on purpose
    # its worker died: Dagster's retry runs it already (stale_runs), a second run would compete for the pool
    period_run("qd766_quarterly", "2026-04-01", "2026-04-01", dg.DagsterRunStatus.FAILURE, **{"dagster/will_retry": "true"})
    period_run("yearly_indices", "2025", "2025", dg.DagsterRunStatus.FAILURE)
    period_run("yearly_indices", "2025", "2026", dg.DagsterRunStatus.SUCCESS)  # covers the failed 2025
    december = _finished_run(instance, "daily_tthc", "2026-12-01", "2026-12-01")
    requests = {r.job_name: r for r in follow_up_requests(instance, december)}
    spans = _spans(list(requests.values()))
    assert spans["qd766_monthly"] == ("2026-11", "2026-12")
    assert requests["qd766_monthly"].tags["cchc/took_along"] == "2026-11..2026-11"
    assert spans["qd766_quarterly"] == ("2026-10-01", "2026-10-01")
    assert spans["yearly_indices"] == ("2026", "2026")
    assert spans["task_progress"] == ("2026-10-01", "2026-10-01")

    # That run fails again (November's data): the next day asks for December alone, and says nothing taken along.
    period_run("qd766_monthly", "2026-11", "2026-12", dg.DagsterRunStatus.FAILURE, **{"cchc/took_along": "2026-11..2026-11"})
    second = _finished_run(instance, "daily_tthc", "2026-12-02", "2026-12-02")
    again = {r.job_name: r for r in follow_up_requests(instance, second)}
    assert _spans([again["qd766_monthly"]])["qd766_monthly"] == ("2026-12", "2026-12")
    assert "cchc/took_along" not in again["qd766_monthly"].tags
    # and the failed run's alert says so
    [failed] = instance.get_runs(dg.RunsFilter(tags={"cchc/took_along": "2026-11..2026-11"}))
    alert = run_failure_message(failed, "failed", ["qd766_month"])
    assert "đã chạy lại một lần các kỳ thất bại trước (2026-11..2026-11); không chạy lại nữa" in alert


def test_a_plan_register_changed_in_january_reruns_last_years_quarters_too(tmp_path, monkeypatch):
    """The 2026 plan is still reported on in January 2027 (its fourth quarter, the year): a register changed then
    reran 2027's first quarter only, and the 2026 statuses and report kept the old task list."""
    from pipelines.sensors import _task_requests

    monkeypatch.setenv("CCHC_TODAY", "2027-01-05")
    [request] = list(_task_requests(tmp_path, {}, {"ke_hoach/ke_hoach_2026.xlsx": "1:1"}))
    assert request.job_name == "task_progress"
    assert request.tags["dagster/asset_partition_range_start"] == "2026-01-01"
    monkeypatch.setenv("CCHC_TODAY", "2026-06-05")  # in June: this year's quarters
    [request] = list(_task_requests(tmp_path, {}, {"ke_hoach/ke_hoach_2026.xlsx": "1:2"}))
    assert request.tags["dagster/asset_partition_range_start"] == "2026-01-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-04-01"


def test_a_file_named_with_a_citizens_data_is_keyed_masked_under_its_own_folder(tmp_path: Path) -> None:
    """The sensors' cursor and run tags are kept by Dagster: a progress report named "… - Nguyễn Văn An.xlsx" is keyed
    by its masked name, under "tien_do/" as written (the run to ask for is told by the folder: "tien do/" was none)."""
    from pipelines.sensors import _keyed

    (tmp_path / "tien_do").mkdir()
    named = tmp_path / "tien_do" / "bao_cao_quy_3 - Nguyễn Văn An.xlsx"
    named.write_bytes(b"x")
    plain = tmp_path / "tien_do" / "bao_cao_quy_3.xlsx"
    plain.write_bytes(b"y")
    keys = _keyed([named, plain], tmp_path)
    assert "tien_do/bao_cao_quy_3.xlsx" in keys
    [masked] = [k for k in keys if k != "tien_do/bao_cao_quy_3.xlsx"]
    assert masked.startswith("tien_do/bao cao quy 3 - [đã ẩn].xlsx #") and "Nguyễn" not in masked
    assert _keyed([named], tmp_path) == {masked: keys[masked]}  # the same key every tick while the file is unchanged
