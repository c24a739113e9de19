"""`make run`: build the demo inbox if none is configured, then run everything for the demo year as the daemon
would, through the code location (so each run shows in `make ui` and can be re-executed from there), publish the
snapshot and say where the outputs are. The terminal gets one line per run and the summary; Dagster's own event
log (DEBUG) goes to data/logs/dagster_<date>.log."""

import os
import sys
import time
import warnings
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from assets.resources import Warehouse
from common.settings import PROJECT_ROOT, get_settings
from common.units import RANKING_GROUP_LABELS
from common.vntext import count_text
from pipelines.failures import event_error_text
from pipelines.instance import (
    START_TIMEOUT_SECONDS,
    Recovery,
    log_dir,
    prepare_dagster_home,
    print_recovery,
    recover_stale_runs,
)
from sources.tthc_format import DOSSIER_FILE_PATTERN

# The code location's name: the one `make ui` / `make serve` load (`-m pipelines.definitions`), which the UI looks
# up to re-execute a run.
CODE_MODULE = "pipelines.definitions"
_STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
}
Say = Callable[..., None]


def export_range(folder) -> tuple[str, str] | None:
    days = sorted(m.group(1) for p in folder.glob("*.csv") if (m := DOSSIER_FILE_PATTERN.match(p.name)))
    if not days:
        return None
    first, last = (date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in (days[0], days[-1]))
    return first.isoformat(), last.isoformat()


def main() -> int:
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    settings = get_settings()
    if not (settings.inbox / "tthc").exists():
        if "CCHC_INBOX" in os.environ:
            print(f"Hộp thư đến {settings.inbox} không có thư mục tthc/.", file=sys.stderr)
            return 2
        from demo.generate import generate_inbox

        print(f"Tạo hộp thư đến mẫu (demo) tại {settings.inbox} …", flush=True)
        started = time.perf_counter()
        summary = generate_inbox(settings.inbox, province=settings.province)
        print(
            f"  xong trong {time.perf_counter() - started:.1f} s: {count_text(summary['dossiers'])} hồ sơ, "
            f"{summary['dossier_files']} tệp xuất, {summary['portal_files']} tệp Cổng DVCQG, "
            f"{len(summary['bad_files'])} tệp lỗi cố ý (xem {settings.inbox / 'BAD_FILES.md'})",
            flush=True,
        )

    span = export_range(settings.inbox / "tthc")
    if span is None:
        print(f"Không có tệp xuất hồ sơ nào trong {settings.inbox / 'tthc'}.", file=sys.stderr)
        return 2
    prepare_dagster_home()
    log_path = log_dir() / f"dagster_{date.today():%Y%m%d}.log"
    with dg.DagsterInstance.get() as instance:
        # A run killed earlier (kill -9, power cut) must not leave this one waiting for its pool slot.
        recovery = recover_runs_before_starting(instance)
        if recovery.running:
            for proc in recovery.running:
                print(
                    f"Đang có lần chạy khác: {proc.describe()}. Chờ nó xong rồi chạy lại make run; nếu tiến trình "
                    f"đã treo: kill {proc.pid or '<pid>'}, rồi: make recover",
                    file=sys.stderr,
                )
            return 3
        print(
            f"Chạy toàn bộ tài sản cho các ngày {span[0]} → {span[1]}: nạp hồ sơ, rồi Chỉ số 766 theo tháng, quý, "
            f"năm … (nhật ký chi tiết của Dagster: {log_path})",
            flush=True,
        )
        started = time.perf_counter()
        try:
            with output_to(log_path) as say:
                results = launch_all(span[0], span[1], instance=instance, say=say)
        except KeyboardInterrupt:
            print("\nĐã dừng (Ctrl-C): lần chạy đang dở đã được hủy; chạy lại make run khi cần.", file=sys.stderr)
            return 130
    return report(results, settings, time.perf_counter() - started)


def recover_runs_before_starting(instance: dg.DagsterInstance, poll: float = 5.0) -> Recovery:
    """Fail dead runs and free their slots. A run without a process yet (created, not started: e.g. `make run` was
    killed just after creating it) cannot be judged until Dagster's start timeout: wait for it to start or time out
    rather than stop, so a killed `make run` never blocks the next one."""
    said = False
    while True:
        recovery = recover_stale_runs(instance)
        print_recovery(recovery)
        starting = [p for p in recovery.running if p.alive is None]
        if not starting or len(starting) < len(recovery.running):
            return recovery
        if not said:
            print(
                f"Chờ lần chạy {', '.join(p.describe() for p in starting)} khởi động hoặc hết hạn "
                f"({START_TIMEOUT_SECONDS} giây) …",
                flush=True,
            )
            said = True
        time.sleep(poll)


def planned_runs(first: str, last: str, *, blank_forms: bool = True) -> list[tuple[str, dict[str, str]]]:
    """What the daily schedule and the after_daily sensor do, in one go: the daily job over the days (one run),
    then the month, quarter and year jobs over the periods those days touch."""
    from pipelines.sensors import period_run_requests

    runs = [("daily_tthc", {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})]
    runs += period_run_requests(date.fromisoformat(first), date.fromisoformat(last))
    if blank_forms:  # the yearly blank self-assessment forms, outside the daily flow
        runs.append(("par_blank_forms_yearly", {"dagster/partition": first[:4]}))
    return runs


def materialise_all(
    first: str,
    last: str,
    *,
    instance: dg.DagsterInstance | None = None,
    resources: dict | None = None,
    quiet: bool = False,
    blank_forms: bool = True,
) -> list[dg.ExecuteInProcessResult]:
    """The runs of `planned_runs` in this process (tests and bench: resources can be swapped). Stops at the first
    failed run. The UI cannot re-execute these runs: `make run` uses `launch_all`."""
    from pipelines.definitions import defs

    results = []
    for job_name, tags in planned_runs(first, last, blank_forms=blank_forms):
        started = time.perf_counter()
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, raise_on_error=False, tags=tags, resources=resources
        )
        if not quiet:
            print(f"  {job_name}: {'xong' if result.success else 'LỖI'} trong {time.perf_counter() - started:.1f} s", flush=True)
        results.append(result)
        if not result.success:
            break
    return results


@dataclass
class LaunchedRun:
    """A finished launched run, read back from the instance: what `report` needs of an ExecuteInProcessResult."""

    run_id: str
    job_name: str
    success: bool
    all_events: list[dg.DagsterEvent]


class Terminal:
    """Writes to the terminal while fds 1 and 2 go to the log file; ``live``: a terminal that can redraw a line."""

    def __init__(self, fd: int) -> None:
        self.live = os.isatty(fd)
        self._file = os.fdopen(os.dup(fd), "w", encoding="utf-8", buffering=1)

    def __call__(self, text: str, end: str = "\n") -> None:
        self._file.write(text + end)
        self._file.flush()

    def close(self) -> None:
        self._file.close()


@contextmanager
def output_to(path: Path) -> Iterator[Terminal]:
    """Send this process's stdout and stderr, and those of the code server and run workers it starts (they inherit
    the file descriptors), to ``path``; yield a `Terminal` that still writes to the screen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = Terminal(saved[0])
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            terminal.close()


def launch_all(
    first: str,
    last: str,
    *,
    instance: dg.DagsterInstance,
    say: Say = print,
    blank_forms: bool = True,
    jobs: Collection[str] | None = None,
) -> list[LaunchedRun]:
    """The runs of `planned_runs`, created as `dagster job launch` creates them (from the code location, so they
    carry its origin and the UI can re-execute them) and launched with the instance's run launcher (a subprocess
    per run); each is awaited before the next. Stops at the first failed run. ``jobs``: only these of the plan."""
    # Dagster's own run creation of `dagster job launch`: the same snapshots and origins as a run from the UI.
    from dagster._cli.job import _create_run
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import ModuleTarget

    target = ModuleTarget(module_name=CODE_MODULE, attribute=None, working_directory=str(PROJECT_ROOT), location_name=None)
    results: list[LaunchedRun] = []
    with WorkspaceProcessContext(instance, target, version=dg.__version__) as process:
        workspace = process.create_request_context()
        location_name = workspace.code_location_names[0]
        if workspace.has_code_location_error(location_name):
            raise RuntimeError(f"Không nạp được {CODE_MODULE}: {workspace.get_code_location_error(location_name)}")
        location = workspace.get_code_location(location_name)
        repo = next(iter(location.get_repositories().values()))
        for job_name, tags in planned_runs(first, last, blank_forms=blank_forms):
            if jobs is not None and job_name not in jobs:
                continue
            run = _create_run(
                instance=instance,
                code_location=location,
                remote_repo=repo,
                remote_job=repo.get_full_job(job_name),
                run_config={},
                tags=tags,
                op_selection=None,
                run_id=None,
            )
            started = time.perf_counter()
            instance.launch_run(run.run_id, workspace)
            try:
                result = wait_for_run(instance, run.run_id, job_name, say)
            except KeyboardInterrupt:  # Ctrl-C: stop the run worker too, so nothing keeps the pool
                # The code server may already be gone (Ctrl-C reaches the whole process group): then the next
                # make run finds the dead run and frees its slot.
                with suppress(Exception):
                    instance.run_launcher.terminate(run.run_id)
                raise
            steps = sum(1 for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_SUCCESS)
            say(
                f"  {job_name}: {'xong' if result.success else 'LỖI'} trong {time.perf_counter() - started:.1f} s "
                f"({steps} bước, run {run.run_id[:8]})"
            )
            results.append(result)
            if not result.success:
                break
    return results


def wait_for_run(instance: dg.DagsterInstance, run_id: str, job_name: str, say: Say, poll: float = 0.5) -> LaunchedRun:
    """Wait until the run ends; on a terminal, one line that follows its steps. If its worker dies (killed, out of
    memory), the run is marked failed and its slot freed instead of waiting for ever."""
    live = getattr(say, "live", False)
    last_check = time.monotonic()
    shown = ""
    while True:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.is_finished:
            break
        if live:
            steps = [e.dagster_event for e in instance.all_logs(run_id, of_type=_STEP_EVENTS) if e.dagster_event]
            running = [e.step_key for e in steps if e.event_type == dg.DagsterEventType.STEP_START]
            finished = {e.step_key for e in steps if e.event_type != dg.DagsterEventType.STEP_START}
            current = next((k for k in reversed(running) if k not in finished), "")
            line = f"  {job_name}: {len(finished)} bước xong{', đang chạy ' + current if current else ''}"
            if line != shown:
                say(f"\r{line[:110]:<110}", end="")
                shown = line
        if time.monotonic() - last_check > 10:
            last_check = time.monotonic()
            recover_stale_runs(instance)  # marks this run failed if its worker is gone
        time.sleep(poll)
    if shown:
        say(f"\r{'':<110}\r", end="")
    events = [e.dagster_event for e in instance.all_logs(run_id) if e.dagster_event]
    return LaunchedRun(run_id, job_name, run.status == dg.DagsterRunStatus.SUCCESS, events)


def _print_outputs(reports: Path) -> None:
    """The reports folder once, then its files by kind on one line each (the output stays under a screen)."""
    kinds = (("Excel", "*.xlsx"), ("Word", "*.docx"), ("PDF", "*.pdf"))
    found = [(kind, sorted(p.name for p in reports.glob(pattern))) for kind, pattern in kinds]
    site = reports / "web" / "cong-khai" / "index.html"
    if not any(names for _, names in found) and not site.exists():
        return
    print(f"  Báo cáo trong {reports}:")
    for kind, names in found:
        if names:
            print(f"    {kind}: {', '.join(names)}")
    if site.exists():
        print(f"    Trang web công bố (mở bằng trình duyệt): {site.relative_to(reports)}")


def report(results: list[dg.ExecuteInProcessResult] | list[LaunchedRun], settings, elapsed: float) -> int:
    success = all(r.success for r in results)
    _print_runs(results, settings, elapsed, success)
    if settings.snapshot_db.exists():
        _print_snapshot(settings.snapshot_db)
    _print_outputs(settings.reports)
    print("\nXem lịch sử chạy và kiểm tra: make ui  (http://127.0.0.1:3000)")
    return 0 if success else 1


def _print_runs(results: list[dg.ExecuteInProcessResult] | list[LaunchedRun], settings, elapsed: float, success: bool) -> None:
    """The runs' outcome, the failed checks (one line per check, not per run) and the failed steps."""
    events = [e for r in results for e in r.all_events]
    checks = [e.event_specific_data for e in events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]
    failed = [c for c in checks if not c.passed]
    print(
        f"\nCác lần chạy {'thành công' if success else 'THẤT BẠI'} sau {elapsed:.1f} s "
        f"(run {', '.join(r.run_id[:8] for r in results)}, lịch sử trong {settings.dagster_home})."
    )
    # A check runs once per partition and per run (a month's check in every month's run): count checks, not runs.
    distinct = {(c.asset_key, c.check_name) for c in checks}
    failing = {(c.asset_key, c.check_name): c for c in failed}
    print(
        f"Kiểm tra chất lượng: {len(distinct) - len(failing)}/{len(distinct)} kiểm tra đạt ở mọi lượt "
        f"({len(checks)} lượt đánh giá, {len(failed)} lượt không đạt)"
    )
    for check in failing.values():  # one line per check, not per run
        level = "CHẶN" if check.severity == dg.AssetCheckSeverity.ERROR else "cảnh báo"
        print(f"  - [{level}] {check.asset_key.to_user_string()}.{check.check_name}")
    step_failed = any(e.event_type == dg.DagsterEventType.STEP_FAILURE for e in events)
    for event in events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            print(f"  - bước lỗi: {event.step_key}: {_failure_text(event)[:600]}")
        # The enum, not its name: in this Dagster a run's failure is the event 'PIPELINE_FAILURE', never 'RUN_FAILURE'.
        # A run that failed before any step (a resource that would not start: a refused PII secret) says why here.
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE and not step_failed:
            print(f"  - lần chạy lỗi: {_failure_text(event)[:600]}")


def _failure_text(event: Any) -> str:
    """What a failed step or run says to do: its own error and what caused it (e.g. which process holds the warehouse
    file and how to free it), not Dagster's generic 'Execution of step … failed'."""
    return event_error_text(event)


def _snapshot_figures(snapshot_db: Path) -> dict[str, Any]:
    """What the summary shows, read from the analysts' snapshot."""
    import duckdb

    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        return {
            "counts": con.execute(
                """SELECT (SELECT count(*) FROM fct_dossier), (SELECT count(*) FROM stg_dossier_versions),
                          (SELECT count(*) FROM quarantine), (SELECT count(*) FROM file_issues WHERE blocking)"""
            ).fetchall()[0],
            "top": con.execute("""
                SELECT period_label, ranking_group, rank, unit_name, total FROM mart_qd766_unit
                WHERE period_label = (SELECT max(period_label) FROM mart_qd766_unit WHERE period_kind = 'year')
                  AND rank <= 3 ORDER BY ranking_group, rank, sort_key""").fetchall(),
            "tasks": con.execute("""
                SELECT s.status_label, count(*) FROM mart_task_status s
                WHERE s.as_of = (SELECT max(as_of) FROM mart_task_status) GROUP BY 1 ORDER BY 2 DESC""").fetchall(),
            "task_rate": con.execute(
                """SELECT as_of, on_time_rate FROM mart_task_completion
                                       WHERE unit_code = ? AND period_label LIKE '%-Y' ORDER BY as_of DESC LIMIT 1""",
                [Warehouse.from_settings().department()],
            ).fetchall(),
            "par_top": con.execute("""
                SELECT ranking_group, rank, unit_name, index_pct, band, provisional FROM mart_par_unit
                WHERE year = (SELECT max(year) FROM mart_par_unit) AND rank <= 3 ORDER BY ranking_group, rank, sort_key""").fetchall(),
            "dti_top": con.execute("""
                SELECT ranking_group, rank, unit_name, total, band, rank_p05, rank_p95, change FROM mart_dti_unit
                WHERE year = (SELECT max(year) FROM mart_dti_unit) AND rank <= 3 ORDER BY ranking_group, rank, sort_key""").fetchall(),
            "reconciliation": con.execute(
                "SELECT status_label, count(*) FROM mart_qd766_reconciliation GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall(),
        }


def _print_snapshot(snapshot_db: Path) -> None:
    figures = _snapshot_figures(snapshot_db)
    counts = figures["counts"]
    print(f"\nKết quả:\n  Bản chụp cho phân tích (chỉ đọc): {snapshot_db}")
    print(
        f"    {count_text(counts[0])} hồ sơ, {count_text(counts[1])} phiên bản, {count_text(counts[2])} dòng bị loại (quarantine), "
        f"{counts[3]} tệp không nạp được"
    )
    _print_qd766(figures["top"], figures["reconciliation"])
    _print_par_dti(figures["par_top"], figures["dti_top"])
    tasks, task_rate = figures["tasks"], figures["task_rate"]
    if tasks:
        rate = (
            f"; hoàn thành đúng hạn {task_rate[0][1]:.1f}% (đến {task_rate[0][0]:%d/%m/%Y})"
            if task_rate and task_rate[0][1] is not None
            else ""
        )
        print("  Nhiệm vụ kế hoạch CCHC (mart_task_status): " + "; ".join(f"{label}: {n}" for label, n in tasks) + rate)


def _print_qd766(top: list[tuple], reconciliation: list[tuple]) -> None:
    if top:
        print(f"\n  Chỉ số 766, kỳ {top[0][0]} (3 đơn vị đứng đầu mỗi nhóm; bảng mart_qd766_unit):")
        for _, group, rank, name, score in top:
            print(f"    {RANKING_GROUP_LABELS[group]:<16} {rank:>2}. {name:<38} {score:6.2f}")
    if reconciliation:
        print(
            "  Đối chiếu với Cổng DVCQG (mart_qd766_reconciliation): "
            + "; ".join(f"{label}: {count_text(n)}" for label, n in reconciliation)
        )


def _print_par_dti(par_top: list[tuple], dti_top: list[tuple]) -> None:
    if par_top:
        print("  Chỉ số CCHC (mart_par_unit; bộ tiêu chí mặc định, chờ quyết định của tỉnh):")
        for group, rank, name, pct, band, provisional in par_top:
            note = " (tạm tính)" if provisional else ""
            print(f"    {RANKING_GROUP_LABELS[group]:<16} {rank:>2}. {name:<38} {pct:6.2f} % {band or ''}{note}")
    if dti_top:
        print("  Chỉ số chuyển đổi số (mart_dti_unit; bộ chỉ số mặc định; khoảng hạng 5–95 % của 1.000 lần tính lại):")
        for group, rank, name, total, level, low, high, change in dti_top:
            delta = f", {change:+.2f} so với năm trước" if change is not None else ""
            interval = f"{low}" if low == high else f"{low}–{high}"
            print(
                f"    {RANKING_GROUP_LABELS[group]:<16} {rank:>2}. {name:<38} {total:6.2f} {level or ''} "
                f"(khoảng hạng {interval}{delta})"
            )


if __name__ == "__main__":
    sys.exit(main())
