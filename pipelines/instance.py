"""DAGSTER_HOME (run history of `make run`, `make ui`, `make serve`) and the recovery of runs whose process died.

Why the recovery is ours: the default run launcher starts each run in a subprocess and cannot tell Dagster's run
monitoring whether that process is still alive, so a run killed with `kill -9` (or by a power cut) stays "Started"
for ever and keeps its slot in the pool `duckdb_writer`: every later run then waits for a slot that nobody frees.
We read the run worker's pid from the run's own event log ("Started process for run (pid: …)") and look at the
process table: a run whose worker is gone is marked failed and its slots are freed. `make run`, `make recover` and
the daemon's sensor `stale_runs` (pipelines/sensors.py) all call `recover_stale_runs`; only the sensor's dead runs are
re-executed once by the daemon (Dagster's run retries, dagster.yaml): `make run` runs the days again itself, and after
`make recover` the operator does (`make serve` recovers with retries: its daemon starts next)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import MAX_RETRIES_TAG, WILL_RETRY_TAG

from common.settings import PROJECT_ROOT, get_settings

# A run that has no worker pid yet is given this long to start (Dagster's own start timeout, dagster.yaml).
START_TIMEOUT_SECONDS = 180
_ACTIVE = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def log_dir() -> Path:
    """Dagster's event log of `make run` and the alerts of failed runs (CCHC_LOG_DIR, default data/logs)."""
    value = os.environ.get("CCHC_LOG_DIR", "").strip()
    return Path(value).expanduser().resolve() if value else PROJECT_ROOT / "data" / "logs"


def prepare_dagster_home() -> Path:
    home = get_settings().dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).with_name("dagster.yaml"), home / "dagster.yaml")
    return home


@dataclass(frozen=True)
class RunProcess:
    run_id: str
    job_name: str
    status: str
    pid: int | None
    alive: bool | None  # None: no worker yet and still within the start timeout, cannot tell

    def describe(self) -> str:
        where = f"pid {self.pid}" if self.pid else "chưa có tiến trình"
        return f"{self.job_name} (run {self.run_id[:8]}, {self.status.lower()}, {where})"


@dataclass
class Recovery:
    failed: list[RunProcess] = field(default_factory=list)  # dead runs now marked FAILURE
    retried: list[str] = field(default_factory=list)  # those of them the daemon re-executes once
    freed: list[str] = field(default_factory=list)  # runs whose pool slots were freed
    running: list[RunProcess] = field(default_factory=list)  # live runs (or starting ones we cannot judge)
    queued: int = 0  # runs waiting for the daemon (they hold no slot)

    def lines(self) -> list[str]:
        out = [
            f"Đã đánh dấu THẤT BẠI lần chạy đã chết: {r.describe()}"
            + ("; Dagster sẽ tự chạy lại nó một lần từ bước dở" if r.run_id in self.retried else "")
            for r in self.failed
        ]
        out += [f"Đã giải phóng chỗ trong pool duckdb_writer của run {run_id[:8]}" for run_id in self.freed]
        return out


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime"):
            return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def process_alive(pid: int, since: float) -> bool:
    """Whether process ``pid`` runs and was started no later than ``since`` (so a pid reused by another program after
    the run worker died does not count as the run worker). Zombies (killed, not yet reaped) are dead."""
    if Path("/proc").is_dir():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        fields = stat.rsplit(")", 1)[1].split()  # fields after the command name: state is field 3, starttime 22
        if fields[0] in ("Z", "X"):
            return False
        started = _boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return started <= since + 2
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker(instance: dg.DagsterInstance, run_id: str) -> tuple[int | None, float, bool]:
    """(pid, time of the event naming it, whether the process said it exited) from the run's events: the run worker's
    "Started process for run (pid: …)", else the process that started the run (a run executed in the process of
    `dagster job execute` or of a test has no worker of its own)."""
    pid, when, exited, worker = None, 0.0, False, False
    types = {dg.DagsterEventType.ENGINE_EVENT, dg.DagsterEventType.RUN_START}
    for entry in instance.all_logs(run_id, of_type=types):
        event = entry.dagster_event
        if event is None:
            continue
        if entry.message.startswith("Process for run exited"):
            exited = True
        data = event.engine_event_data if event.event_type == dg.DagsterEventType.ENGINE_EVENT else None
        if data and "pid" in data.metadata and entry.message.startswith("Started process for run"):
            pid, when, exited, worker = int(str(data.metadata["pid"].value)), entry.timestamp, False, True
        elif event.event_type == dg.DagsterEventType.RUN_START and event.pid and not worker:
            pid, when = event.pid, entry.timestamp
    return pid, when, exited


def inspect_runs(instance: dg.DagsterInstance, *, start_timeout: float = START_TIMEOUT_SECONDS) -> list[RunProcess]:
    """Every run not finished and not queued, with its worker's pid and whether that process is alive."""
    now = time.time()
    found = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=_ACTIVE)):
        run = record.dagster_run
        pid, since, exited = _worker(instance, run.run_id)
        if pid is not None:
            alive: bool | None = not exited and process_alive(pid, since)
        else:
            started = record.start_time or record.create_timestamp.timestamp()
            alive = None if now - started < start_timeout else False
        found.append(RunProcess(run.run_id, run.job_name, run.status.value, pid, alive))
    return found


def recover_stale_runs(
    instance: dg.DagsterInstance, *, start_timeout: float = START_TIMEOUT_SECONDS, retry: bool = False
) -> Recovery:
    """Mark runs whose process is gone as failed, then free every pool slot held or awaited by a run that is not
    running any more (a dead run's, or a finished run's that the daemon has not freed yet).

    ``retry`` (the daemon's sensor): a dead run that the daemon can launch again (it came from a code location, not
    from a process's own execute_in_process) is tagged to be re-executed once from where it died; a retry that dies
    too is not retried again (Dagster counts the run's group)."""
    recovery = Recovery(queued=len(instance.get_run_ids(dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED]))))
    for proc in inspect_runs(instance, start_timeout=start_timeout):
        if proc.alive is False:
            run = instance.get_run_by_id(proc.run_id)
            if run is not None and not run.is_finished:
                reason = (
                    f"tiến trình pid {proc.pid} không còn chạy"
                    if proc.pid
                    else f"không khởi động được sau {start_timeout:.0f} giây"
                )
                if retry and run.remote_job_origin is not None:
                    # Read by Dagster when the failure below is reported (it tags dagster/will_retry), then by its daemon.
                    instance.add_run_tags(run.run_id, {MAX_RETRIES_TAG: "1"})
                instance.report_run_failed(run, f"Lần chạy đã chết ({reason}): đánh dấu thất bại, giải phóng pool.")
                recovery.failed.append(proc)
                failed = instance.get_run_by_id(run.run_id)
                if failed is not None and failed.tags.get(WILL_RETRY_TAG) == "true":
                    recovery.retried.append(run.run_id)
        else:
            recovery.running.append(proc)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        live = {p.run_id for p in recovery.running}
        for run_id in sorted(storage.get_concurrency_run_ids() - live):
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
                recovery.freed.append(run_id)
    return recovery


def print_recovery(recovery: Recovery, say: Callable[[str], None] = print) -> None:
    for line in recovery.lines():
        say(line)


def main(argv: Iterable[str]) -> int:
    args = list(argv)
    home = prepare_dagster_home()
    if args[:1] != ["recover"]:
        print(f"DAGSTER_HOME={home}")
        return 0
    # `make recover`: what the operator runs when make run stopped and named it. `make serve` (--retry) before its
    # daemon starts, e.g. after a power cut: the daemon then re-executes each dead run once.
    with dg.DagsterInstance.get() as instance:
        recovery = recover_stale_runs(instance, retry="--retry" in args)
    print_recovery(recovery)
    for proc in recovery.running:
        print(
            f"Vẫn đang chạy (không đụng tới): {proc.describe()}. Nếu nó treo: kill {proc.pid or '<pid>'}, "
            "rồi chạy lại: make recover"
        )
    if recovery.queued:
        print(f"{recovery.queued} lần chạy đang xếp hàng chờ daemon (make serve); chúng không giữ pool.")
    if not (recovery.failed or recovery.freed or recovery.running):
        print("Không có lần chạy nào bị treo; pool duckdb_writer trống.")
    if "--exclusive" in args and recovery.running:
        # `make rerun`: the pool serialises steps, not runs; two runs of the daily job interleave their steps, and one
        # fails at the snapshot on the other's half-done day (telling to rerun what is already being rerun).
        print(
            "Không chạy: đang có lần chạy khác (xem trên). Chờ nó xong rồi chạy lại lệnh này; nếu tiến trình đã treo: "
            "kill <pid>, rồi make recover.",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
