"""`make run` as an operator meets it, on the small demo inbox in temporary folders and a real DAGSTER_HOME: a run
killed with SIGKILL mid-step (its whole process group) does not stall the next `make run`, which marks it failed,
frees its pool slot and completes; the output stays short; the runs it launches can be re-executed from the UI."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import EngineEventData

from common.settings import PROJECT_ROOT
from pipelines.instance import process_alive, recover_stale_runs

# End-to-end runs: the full tier (`make test-slow`, run by CI), not the fast default `make test`.
pytestmark = pytest.mark.slow

POOL = "duckdb_writer"


@pytest.fixture
def operator_env(tmp_path: Path, small_inbox, monkeypatch) -> dict[str, str]:
    """Every folder of `make run` under tmp_path; set in this process too (the test opens the same instance and a
    code server that must see the same folders)."""
    shutil.copytree(small_inbox[0], tmp_path / "inbox")
    env = {
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "CCHC_INBOX": str(tmp_path / "inbox"),
        "CCHC_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "CCHC_REPORTS": str(tmp_path / "reports"),
        "CCHC_LOG_DIR": str(tmp_path / "logs"),
        "CCHC_SETTLE_SECONDS": "0",
        "PYTHONPATH": str(PROJECT_ROOT),
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CCHC_AUTOMATION", raising=False)
    return {**os.environ, **env}


def _wait(predicate, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _claimed_in(instance: dg.DagsterInstance, step: str) -> set[str]:
    """Runs whose step ``step`` holds a slot of the pool."""
    info = instance.event_log_storage.get_concurrency_info(POOL)
    return {slot.run_id for slot in info.claimed_slots if slot.run_id and slot.step_key == step}


def _claimed_by(instance: dg.DagsterInstance) -> set[str]:
    """Runs holding a slot of the pool (not merely waiting for one)."""
    info = instance.event_log_storage.get_concurrency_info(POOL)
    return {slot.run_id for slot in info.claimed_slots if slot.run_id}


def test_killed_run_does_not_stall_the_next_make_run_and_runs_are_reexecutable(tmp_path, operator_env):
    from pipelines.instance import prepare_dagster_home

    make_run = [sys.executable, "-m", "pipelines.run_demo"]
    prepare_dagster_home()
    # The run history is created here first: two processes creating the same new SQLite storage at once can both
    # stamp its schema version (a fresh DAGSTER_HOME only).
    with dg.DagsterInstance.get() as instance:
        assert _claimed_by(instance) == set()  # (opens the event log's index too)
        first = subprocess.Popen(
            make_run,
            env=operator_env,
            cwd=PROJECT_ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Mid-step: the daily run's worker holds the pool's slot in its longest step, the dossier load (killed in
            # a short step, or between two, the run would hold no slot: the case under test would not arise).
            dead_run_id = next(
                iter(
                    _wait(lambda: _claimed_in(instance, "tthc_dossier_versions"), 300, "the dossier load holding the pool", 0.05)
                )
            )
            os.killpg(first.pid, signal.SIGKILL)  # make run, its code server and the run worker, as kill -9 would
            first.wait(30)
            dead = instance.get_run_by_id(dead_run_id)
            # What stalled every later run before: the dead run still "Started", holding its slot.
            assert dead.status == dg.DagsterRunStatus.STARTED and dead_run_id in _claimed_by(instance)

            second = subprocess.run(make_run, env=operator_env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1200)
            output = second.stdout + second.stderr
            assert second.returncode == 0, output
            lines = output.splitlines()
            assert len(lines) < 60, output
            assert any(dead_run_id[:8] in line and "THẤT BẠI" in line for line in lines), output
            assert "DEBUG" not in output
            logs = list((tmp_path / "logs").glob("dagster_*.log"))
            assert len(logs) == 1 and "DEBUG" in logs[0].read_text(encoding="utf-8", errors="replace")
            assert str(logs[0]) in output

            assert instance.get_run_by_id(dead_run_id).status == dg.DagsterRunStatus.FAILURE
            assert dead_run_id not in instance.event_log_storage.get_concurrency_run_ids()
            assert _claimed_by(instance) == set()
            runs = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))
            assert {r.job_name for r in runs} == {
                "daily_tthc",
                "qd766_monthly",
                "qd766_quarterly",
                "task_progress",
                "yearly_indices",
                "par_blank_forms_yearly",
            }
            assert (Path(operator_env["CCHC_WAREHOUSE_DIR"]) / "warehouse.duckdb").exists()
            _quality_workbook_names_every_rejected_file(operator_env)
            _reexecute_from_the_ui(instance, next(r for r in runs if r.job_name == "par_blank_forms_yearly"))
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)


def _quality_workbook_names_every_rejected_file(env: dict[str, str]) -> None:
    """The quality workbook is written again after the task reports, forms and surveys are loaded: it names every
    file of the published quarantine and file notes, not only the day's exports (it once stopped at the dossiers)."""
    import duckdb
    import openpyxl

    from workbooks.quality import SHEET_DETAIL, SHEET_FILES

    with duckdb.connect(str(Path(env["CCHC_WAREHOUSE_DIR"]) / "warehouse.duckdb"), read_only=True) as con:
        expected = {
            r[0] for r in con.execute("SELECT file_name FROM quarantine UNION SELECT file_name FROM file_issues").fetchall()
        }
        sources = {r[0] for r in con.execute("SELECT source FROM quarantine UNION SELECT source FROM file_issues").fetchall()}
    assert {"par_form", "dti_form", "plan_register"} <= sources, sources
    book = openpyxl.load_workbook(Path(env["CCHC_REPORTS"]) / "bao_cao_chat_luong_du_lieu.xlsx", read_only=True)
    shown = " ".join(
        str(v) for name in (SHEET_DETAIL, SHEET_FILES) for row in book[name].iter_rows(values_only=True) for v in row if v
    )
    assert {f for f in expected if f and Path(f).name not in shown and f not in shown} == set()


def _reexecute_from_the_ui(instance: dg.DagsterInstance, parent: dg.DagsterRun) -> None:
    """What the UI's "Re-execute all" sends (GraphQL launchPipelineReexecution) against the workspace of
    `make ui` (-m pipelines.definitions): accepted, and the new run completes."""
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster_graphql.client.query import LAUNCH_PIPELINE_REEXECUTION_MUTATION
    from dagster_graphql.test.utils import execute_dagster_graphql

    from pipelines.run_demo import wait_for_run

    assert parent.remote_job_origin is not None  # an execute_in_process run has none: the UI cannot re-execute it
    target = ModuleTarget(
        module_name="pipelines.definitions", attribute=None, working_directory=str(PROJECT_ROOT), location_name=None
    )
    with WorkspaceProcessContext(instance, target) as process:
        context = process.create_request_context()
        result = execute_dagster_graphql(
            context,
            LAUNCH_PIPELINE_REEXECUTION_MUTATION,
            variables={"reexecutionParams": {"parentRunId": parent.run_id, "strategy": "ALL_STEPS"}},
        )
        assert not result.errors, result.errors
        answer = result.data["launchPipelineReexecution"]
        assert answer["__typename"] == "LaunchRunSuccess", answer
        child = instance.get_run_by_id(answer["run"]["runId"])
        assert child.parent_run_id == parent.run_id and child.job_name == parent.job_name
        if child.status == dg.DagsterRunStatus.QUEUED:
            # The UI's instance queues it for the daemon (make ui / make serve run one); here we dequeue it as the
            # daemon does.
            instance.launch_run(child.run_id, context)
        done = wait_for_run(instance, child.run_id, child.job_name, lambda *args, **kwargs: None)
        assert done.success


def test_make_rerun_frees_the_slot_a_killed_run_held_before_it_starts(tmp_path, operator_env):
    """`make rerun` after a run killed with SIGKILL: the dead run still held the duckdb_writer slot and the rerun
    waited for it for ever (`make run` recovered first, `make rerun` did not)."""
    from pipelines.instance import prepare_dagster_home

    prepare_dagster_home()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with dg.DagsterInstance.get() as instance:
        dead = instance.create_run_for_job(dg.GraphDefinition(name="job_dead").to_job(), run_id=None)
        instance.report_dagster_event(
            dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name="job_dead"), run_id=dead.run_id
        )
        instance.report_engine_event(f"Started process for run (pid: {gone.pid}).", dead, EngineEventData.in_process(gone.pid))
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
        assert instance.event_log_storage.claim_concurrency_slot(POOL, dead.run_id, "step").is_claimed
        out = subprocess.run(
            ["make", "--no-print-directory", "-s", "-o", ".venv/.synced", "rerun", "DAY=2026-01-05", f"PY={sys.executable}"],
            cwd=PROJECT_ROOT,
            env=operator_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
        assert f"run {dead.run_id[:8]}" in out.stdout


def test_recover_marks_a_run_without_a_live_worker_failed_and_frees_its_slot(tmp_path, operator_env):
    """`make recover` on a run that claimed the pool from a process that is gone (and a finished run's leftover
    claim); a live process's run is left alone."""
    from pipelines.instance import prepare_dagster_home

    prepare_dagster_home()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with dg.DagsterInstance.get() as instance:
        runs = {}
        for name, pid in (("dead", gone.pid), ("alive", os.getpid())):
            run = instance.create_run_for_job(dg.GraphDefinition(name=f"job_{name}").to_job(), run_id=None)
            instance.report_dagster_event(
                dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name), run_id=run.run_id
            )
            instance.report_engine_event(f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid))
            runs[name] = run
        storage = instance.event_log_storage
        storage.set_concurrency_slots(POOL, 1)
        assert storage.claim_concurrency_slot(POOL, runs["dead"].run_id, "step").is_claimed
        assert not process_alive(gone.pid, time.time())
        assert process_alive(os.getpid(), time.time())

        output = subprocess.run(
            [sys.executable, "-m", "pipelines.instance", "recover"],
            env=operator_env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert instance.get_run_by_id(runs["dead"].run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(runs["alive"].run_id).status == dg.DagsterRunStatus.STARTED
        assert _claimed_by(instance) == set()
        assert f"run {runs['dead'].run_id[:8]}" in output and "THẤT BẠI" in output
        assert f"pid {os.getpid()}" in output and "make recover" in output
        # `make rerun` recovers with --exclusive: a live run refuses it (its steps would interleave with this one's)
        exclusive = subprocess.run(
            [sys.executable, "-m", "pipelines.instance", "recover", "--exclusive"],
            env=operator_env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        assert exclusive.returncode == 3 and "đang có lần chạy khác" in exclusive.stderr

        # Idempotent: nothing more to do.
        again = recover_stale_runs(instance)
        assert again.failed == [] and again.freed == [] and len(again.running) == 1

        # A run executed inside a live process (`dagster job execute`, a test) has no worker of its own: the process
        # that started it counts, however long it runs.
        inproc = instance.create_run_for_job(dg.GraphDefinition(name="job_inproc").to_job(), run_id=None)
        instance.report_dagster_event(
            dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name="job_inproc", pid=os.getpid()), run_id=inproc.run_id
        )
        later = recover_stale_runs(instance, start_timeout=0)
        assert later.failed == [] and {p.run_id for p in later.running} == {runs["alive"].run_id, inproc.run_id}

        # A run created but never started (make run killed right after creating it): undecided during the start
        # timeout (make run waits), failed after it.
        orphan = instance.create_run_for_job(dg.GraphDefinition(name="job_orphan").to_job(), run_id=None)
        waiting = recover_stale_runs(instance)
        assert [p.alive for p in waiting.running if p.run_id == orphan.run_id] == [None]
        assert [p.run_id for p in recover_stale_runs(instance, start_timeout=0).failed] == [orphan.run_id]


def test_the_summary_of_a_failed_run_says_what_the_step_said(capsys):
    """`make run` printed only Dagster's "Execution of step 'units' failed." while the step's own error said which
    process held the warehouse file and how to free it: the summary now prints the step's innermost message."""
    from types import SimpleNamespace

    import dagster as dg

    from pipelines.run_demo import _print_runs

    @dg.asset
    def units() -> None:
        raise RuntimeError("Tệp kho đang bị tiến trình 4242 (python analyst.py) giữ: đóng phiên đó rồi chạy lại.")

    result = dg.materialize([units], raise_on_error=False)
    _print_runs([result], SimpleNamespace(dagster_home="/tmp/dh"), 0.1, False)
    out = capsys.readouterr().out
    assert "bước lỗi: units: RuntimeError: Tệp kho đang bị tiến trình 4242 (python analyst.py) giữ" in out
