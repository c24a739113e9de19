"""The national QĐ 766 path (issue 15): one province at a time with the province pipeline's definitions, published
as Parquet partitions per province and year, national views and the ministry roll-up; Dagster province partitions,
run one after the other and as parallel processes."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.national import NationalStore, national_marts, national_qd766
from demo.national import generate_national
from warehouse.national import MARTS, national_views, province_qd766, provinces_in, publish_national_views

ROOT = Path(__file__).resolve().parents[1]
SMALL = "hue,lai_chau"  # 46 and 12: the two smallest provinces
TARGET = 1_000_000  # national density: about 300 versions a commune a year
YEAR = 2026
# Columns that say when a row was computed, not what it holds.
WHEN = {"computed_at", "loaded_at", "updated_at"}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("national") / "inbox"
    generate_national(out, SMALL, target=TARGET, seed=3, progress=False)
    return out


def _rows(out: Path, mart: str) -> list[tuple]:
    con = duckdb.connect()
    national_views(con, out)
    columns = [r[0] for r in con.execute(f"DESCRIBE {mart}_national").fetchall() if r[0] not in WHEN]
    rows = con.execute(f"SELECT {', '.join(columns)} FROM {mart}_national ORDER BY ALL").fetchall()
    return [tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in row) for row in rows]  # NaN != NaN


def test_a_province_is_scored_with_the_province_pipelines_definitions(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = province_qd766(inbox, "12", out, tmp_path / "work", year=YEAR)
    assert provinces_in(inbox) == ["12", "46"]
    con = duckdb.connect()
    versions = f"read_parquet('{inbox}/versions/province=12/**/*.parquet', hive_partitioning=false)"
    # The bare count: each dossier once (its latest version), received by the data cutoff.
    bare = dict(
        con.execute(
            f"""SELECT unit_code, count(*) FROM (
                    SELECT dossier_code, arg_max(unit_code, updated_at) AS unit_code,
                           arg_max(received_at, updated_at) AS received_at FROM {versions} GROUP BY dossier_code)
                WHERE received_at <= (SELECT max(updated_at)::DATE + INTERVAL 1 DAY FROM {versions})
                GROUP BY unit_code"""
        ).fetchall()
    )
    assert run.versions == con.execute(f"SELECT count(*) FROM {versions}").fetchone()[0]  # type: ignore[index]
    national_views(con, out)
    year_rows = con.execute(
        "SELECT unit_code, dossiers, total, rank, province FROM mart_qd766_unit_national WHERE period_kind = 'year'"
    ).fetchall()
    assert len(year_rows) == run.units == 53  # 38 communes/wards and 15 agencies, all scored
    assert {r[4] for r in year_rows} == {"12"}
    assert {r[0]: r[1] for r in year_rows if r[1]} == bare
    assert all(r[2] is not None and 0 <= r[2] <= 100 for r in year_rows)
    agency_ranks = sorted(r[3] for r in year_rows if not r[0].isdigit())  # agencies are ranked among themselves
    assert len(agency_ranks) == 15 and agency_ranks[0] == 1 and agency_ranks[-1] <= 15
    periods = {r[0] for r in con.execute("SELECT DISTINCT period_label FROM mart_qd766_unit_national").fetchall()}
    assert {"2026-M01", "2026-Q1", "2026-Y"} <= periods and len(periods) == run.periods
    # Months add up to the year: the same dossiers counted once.
    months, year = con.execute(
        """SELECT sum(dossiers) FILTER (WHERE period_kind = 'month'), sum(dossiers) FILTER (WHERE period_kind = 'year')
           FROM mart_qd766_unit_national"""
    ).fetchone()  # type: ignore[misc]
    assert months == year == sum(bare.values())
    assert not list((tmp_path / "work").glob("*.duckdb")), "the work file is removed once the partition is published"


def test_the_same_versions_as_gzip_csv_give_the_same_marts(inbox: Path, tmp_path: Path) -> None:
    """The generator's other format (and a ministry export's likelier one): CSV.gz files in the same layout."""
    csv_inbox = tmp_path / "csv"
    generate_national(csv_inbox, "lai_chau", target=TARGET, seed=3, fmt="csv.gz")
    assert not list(csv_inbox.rglob("*.parquet")) and list(csv_inbox.rglob("*.csv.gz"))
    from_csv, from_parquet = tmp_path / "from_csv", tmp_path / "from_parquet"
    province_qd766(csv_inbox, "12", from_csv, tmp_path / "work", year=YEAR)
    province_qd766(inbox, "12", from_parquet, tmp_path / "work", year=YEAR)
    for mart in MARTS:
        assert _rows(from_csv, mart) == _rows(from_parquet, mart), mart


def test_rerunning_a_province_rewrites_only_its_partition(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for code in ("12", "46"):
        province_qd766(inbox, code, out, tmp_path / "work", year=YEAR)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}
    first = {m: _rows(out, m) for m in MARTS}
    # A killed export leaves a staging copy beside the partition: never read by the views, removed by the next run.
    leftover = out / "mart_qd766_unit" / "province=46" / ".year=2026.0f0f"
    leftover.mkdir()
    shutil.copy(out / "mart_qd766_unit" / "province=46" / "year=2026" / "part-0.parquet", leftover / "part-0.parquet")
    assert {m: _rows(out, m) for m in MARTS} == first
    province_qd766(inbox, "46", out, tmp_path / "work", year=YEAR)
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}
    assert sorted(after) == sorted(before)
    changed = {p.relative_to(out).parts[1] for p in after if after[p] != before[p]}
    assert changed == {"province=46"}
    assert {m: _rows(out, m) for m in MARTS} == first  # same tables after the rerun
    assert not leftover.exists()
    con = duckdb.connect()
    national_views(con, out)
    roll_up = con.execute(
        "SELECT province, units, units_scored, dossiers FROM mart_qd766_province WHERE period_kind = 'year' ORDER BY 1"
    ).fetchall()
    assert [(r[0], r[1]) for r in roll_up] == [("12", 53), ("46", 55)]
    assert all(r[2] == r[1] and r[3] > 0 for r in roll_up)


def test_marts_that_break_the_rules_are_not_published(inbox: Path, tmp_path: Path, monkeypatch) -> None:
    """A scoring fault (here a unit scored twice in a period) fails the run and leaves the published partition."""
    import warehouse.national as national

    out = tmp_path / "out"
    province_qd766(inbox, "12", out, tmp_path / "work", year=YEAR)
    published = {p: p.read_bytes() for p in out.rglob("*.parquet")}
    real = national.refresh_index

    def scoring_fault(con, periods, methodology, as_of):
        real(con, periods, methodology, as_of)
        con.execute("INSERT INTO mart_qd766_unit SELECT * FROM mart_qd766_unit LIMIT 1")

    monkeypatch.setattr(national, "refresh_index", scoring_fault)
    with pytest.raises(ValueError, match=r"Không công bố Chỉ số 766 tỉnh mã 12 năm 2026: .*1 dòng trùng"):
        province_qd766(inbox, "12", out, tmp_path / "work", year=YEAR)
    assert {p: p.read_bytes() for p in out.rglob("*.parquet")} == published


def test_the_gx_check_passes_on_a_published_province(inbox: Path, tmp_path: Path) -> None:
    from checks.national_checks import national_scores_valid

    store = NationalStore(inbox=str(inbox), out=str(tmp_path / "out"))
    result = dg.materialize([national_qd766, national_scores_valid], resources={"national": store}, partition_key="46|2026")
    (check,) = result.get_asset_check_evaluations()
    assert check.passed and check.metadata["rows"].value == 55 * 17


def test_a_province_without_data_fails_with_advice(inbox: Path, tmp_path: Path) -> None:
    store = NationalStore(inbox=str(inbox), out=str(tmp_path / "out"))
    result = dg.materialize([national_qd766], resources={"national": store}, partition_key="01|2026", raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "CCHC_NATIONAL_INBOX" in str(failure.event_specific_data)


@pytest.mark.slow
def test_two_provinces_in_parallel_processes_give_the_same_marts_as_one_after_the_other(inbox: Path, tmp_path: Path) -> None:
    """Sequential: two Dagster runs in this process. Parallel: two `dagster asset materialize` processes at once,
    each a run of one province partition with its own DuckDB work file."""
    sequential = tmp_path / "sequential"
    store = NationalStore(inbox=str(inbox), out=str(sequential))
    for key in ("12|2026", "46|2026"):
        assert dg.materialize([national_qd766], resources={"national": store}, partition_key=key).success
    assert dg.materialize([national_marts], resources={"national": store}, selection=[national_marts]).success

    parallel = tmp_path / "parallel"
    env = {
        **os.environ,
        "CCHC_NATIONAL_INBOX": str(inbox),
        "CCHC_NATIONAL_DIR": str(parallel),
        "CCHC_NATIONAL_MEMORY": "1GB",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "PYTHONPATH": str(ROOT),
    }
    (tmp_path / "dagster_home").mkdir()
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:  # storage made once, not raced
        assert not instance.get_runs()
    command = [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "pipelines.definitions"]
    command += ["--select", "national_qd766", "--partition"]
    processes = [
        subprocess.Popen([*command, key], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for key in ("12|2026", "46|2026")
    ]
    logs = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], logs[0][-3000:] + logs[1][-3000:]
    for mart in MARTS:
        assert _rows(parallel, mart) == _rows(sequential, mart), mart
    # An analyst holding national.duckdb open does not stop the next publication of the views.
    analyst = duckdb.connect(str(sequential / "national.duckdb"), read_only=True)
    assert analyst.execute("SELECT count(DISTINCT province) FROM mart_qd766_province").fetchone()[0] == 2  # type: ignore[index]
    assert dg.materialize([national_marts], resources={"national": store}, selection=[national_marts]).success
    assert analyst.execute("SELECT count(*) FROM mart_qd766_province").fetchone()[0] > 0  # type: ignore[index]
    analyst.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def postgres(tmp_path: Path):
    """A PostgreSQL server started for the test on 127.0.0.1 (initdb and pg_ctl of the Debian package, as the user
    postgres when the test runs as root); skipped, saying why, where PostgreSQL is not installed."""
    initdb = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)
    if initdb is None:
        pytest.skip("PostgreSQL (initdb, pg_ctl) is not installed: apt-get install postgresql to run this test")
    bin_dir = Path(initdb).resolve().parent
    # Its own folder outside pytest's (mode 0700 under root): the user postgres must reach it.
    root = Path(tempfile.mkdtemp(prefix="cchc_pg_"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(data, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust"], check=True, capture_output=True
    )
    log = data / "server.log"
    options = f"-h 127.0.0.1 -p {port} -k {data}"
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"], check=True)
    try:
        subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "dagster", "dagster"], check=True)
        yield f"postgresql+psycopg2://dagster@127.0.0.1:{port}/dagster"  # SQLAlchemy 2.1 defaults to psycopg 3
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], check=False)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
def test_runs_of_the_national_job_are_stored_in_postgresql(inbox: Path, tmp_path: Path, postgres: str, monkeypatch) -> None:
    """The cluster deployment's instance (deploy/national/dagster.yaml, run storage in PostgreSQL): a province run is
    recorded there and its materialisation can be read back by another process's instance."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "national" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("CCHC_PG_URL", postgres)
    store = NationalStore(inbox=str(inbox), out=str(tmp_path / "out"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = dg.materialize([national_qd766], resources={"national": store}, partition_key="12|2026", instance=instance)
        assert result.success
    with dg.DagsterInstance.from_config(str(home)) as again:  # a fresh instance: the history is in the database
        runs = again.get_runs()
        assert [r.run_id for r in runs] == [result.run_id] and runs[0].tags["dagster/partition"] == "12|2026"
        event = again.get_latest_materialization_event(national_qd766.key)
        assert event is not None and event.asset_materialization.metadata["units"].value == 53  # type: ignore[union-attr]


def test_the_national_job_runs_on_celery_only_where_a_celery_config_is_given(tmp_path: Path, monkeypatch) -> None:
    """CCHC_CELERY_CONFIG unset: the run's own process. Set: the Celery executor, with the broker of that file as the
    job's config, so a run launched from the UI, a schedule or a backfill reaches the same workers."""
    from pipelines.jobs import EXECUTOR, _national_executor

    monkeypatch.delenv("CCHC_CELERY_CONFIG", raising=False)
    assert _national_executor() == (EXECUTOR, None)
    shutil.copy(ROOT / "deploy" / "national" / "celery.yaml", tmp_path / "celery.yaml")
    monkeypatch.setenv("CCHC_CELERY_CONFIG", str(tmp_path / "celery.yaml"))
    executor, config = _national_executor()
    assert executor.name == "celery"
    assert config == {
        "execution": {"config": {"broker": {"env": "CCHC_CELERY_BROKER"}, "backend": {"env": "CCHC_CELERY_BACKEND"}}}
    }
    monkeypatch.setenv("CCHC_CELERY_CONFIG", str(tmp_path / "missing.yaml"))  # says what to do, not a bare OSError
    with pytest.raises(RuntimeError, match=r"CCHC_CELERY_CONFIG=.*missing\.yaml.*deploy/national/celery\.yaml"):
        _national_executor()


@pytest.mark.slow
def test_a_province_run_on_a_celery_worker_gives_the_same_marts(inbox: Path, tmp_path: Path) -> None:
    """The cluster path with Celery (CCHC_CELERY_CONFIG): `dagster job execute` of a province partition of the
    national job submits its step to the broker, a worker started here (`dagster-celery worker start`, as on a
    cluster's machines) runs it, and the marts equal those of a run in one process. No RabbitMQ or Redis on this
    machine: the broker is Kombu's filesystem transport and the result backend Celery's file backend, both folders,
    so only the transport differs from a cluster's."""
    direct = tmp_path / "direct"
    store = NationalStore(inbox=str(inbox), out=str(direct))
    assert dg.materialize([national_qd766], resources={"national": store}, partition_key="12|2026").success

    broker, results, home = tmp_path / "broker", tmp_path / "results", tmp_path / "home"
    for folder in (broker, results, home):
        folder.mkdir()
    config = tmp_path / "celery.yaml"
    config.write_text(
        "execution:\n  config:\n    broker: 'filesystem://'\n"
        f"    backend: 'file://{results.as_posix()}'\n"
        "    config_source:\n      broker_transport_options:\n"
        f"        data_folder_in: '{broker.as_posix()}'\n        data_folder_out: '{broker.as_posix()}'\n"
        # kombu's filesystem transport keeps its control exchanges in ./control by default: the checkout's, not ours
        f"        control_folder: '{(broker / 'control').as_posix()}'\n",
        encoding="utf-8",
    )
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "CCHC_CELERY_CONFIG": str(config),
        "CCHC_NATIONAL_INBOX": str(inbox),
        "CCHC_NATIONAL_DIR": str(tmp_path / "celery"),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",  # the worker command starts `celery`
    }
    with dg.DagsterInstance.from_config(str(home)):  # storage made once, before two processes use it
        pass
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [str(bin_dir / "dagster-celery"), *"worker start -A dagster_celery.app -y".split(), str(config), "--", "--concurrency=1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the worker's own children stopped with it
    )
    try:
        tags = '{"dagster/partition": "12|2026", "dagster/partition/province": "12", "dagster/partition/year": "2026"}'
        run = subprocess.run(
            [
                sys.executable,
                *"-m dagster job execute -m pipelines.definitions -j national_index".split(),
                "--tags",
                tags,
                "-c",
                str(config),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
        log.close()
    worker_log = (tmp_path / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:] + worker_log[-3000:]
    assert 'Submitting celery task for step "national_qd766"' in run.stdout + run.stderr
    assert "Task execute_plan" in worker_log and "succeeded" in worker_log, worker_log[-3000:]
    for mart in MARTS:
        assert _rows(tmp_path / "celery", mart) == _rows(direct, mart), mart


# --- a national delivery written by hand (the layout demo/national.py documents), and a bad day ----------------

VERSION_HEADER = (
    "dossier_code,unit_code,procedure_code,receiving_centre,channel,received_at,due_at,finished_at,updated_at,status,"
    "supplements,digitised,e_result,fee,paid_online,data_reused,vneid,synced,rating"
)
VERSIONS_BY_DAY = {
    "2026-01-05": [
        "HS1,03388,1.002923,03388,direct,2026-01-05 08:00:00,2026-01-09 17:00:00,,2026-01-05 08:00:00,received,0,false,false,0,false,false,false,true,"
    ],
    # the same line twice in one file (a duplicated row): one dossier
    "2026-01-06": [
        "HS2,03388,1.002923,03388,online,2026-01-06 09:00:00,2026-01-12 17:00:00,,2026-01-06 09:00:00,processing,0,true,false,0,false,false,false,true,"
    ]
    * 2,
    "2026-01-07": [
        "HS1,03388,1.002923,03388,direct,2026-01-05 08:00:00,2026-01-09 17:00:00,2026-01-07 10:00:00,2026-01-07 10:00:00,completed,0,false,true,0,false,false,false,true,satisfied"
    ],
    "2026-02-10": [
        "HS3,12.SNV,1.000100,12.TTPVHCC,direct,2026-02-02 08:00:00,2026-02-05 17:00:00,2026-02-10 15:00:00,2026-02-10 15:00:00,returned,2,true,false,50000,false,false,false,true,dissatisfied"
    ],
}


def _gz(path: Path, lines: list[str]) -> None:
    import gzip

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))


@pytest.fixture
def hand_made(tmp_path: Path) -> Path:
    inbox = tmp_path / "hand"
    _gz(
        inbox / "units/province=12/part-0.csv.gz",
        # names as a Windows tool may write them: decomposed Unicode (NFD), a stray space
        ["unit_code,unit_name,unit_group", "12.SNV,Sở Nội vụ,agency", unicodedata.normalize("NFD", "03388,Xã Mường Tè ,commune")],
    )
    _gz(
        inbox / "procedures/province=12/part-0.csv.gz",
        [
            "procedure_code,procedure_name,field,level,owner_unit_code,online_level,processing_days,fee,payment_integrated",
            "1.002923,Chứng thực bản sao,Chứng thực,commune,,full,3,0,false",
            "1.000100,Cấp giấy phép,Xây dựng,province,12.SNV,partial,3,50000,true",
        ],
    )
    for day, lines in VERSIONS_BY_DAY.items():
        _gz(inbox / f"versions/province=12/year=2026/day={day}/part-0.csv.gz", [VERSION_HEADER, *lines])
    return inbox


def test_a_hand_made_delivery_is_counted_as_worked_out_by_hand(hand_made: Path, tmp_path: Path) -> None:
    run = province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    # 5 lines, 3 dossiers (HS1's later version wins, HS2's duplicated line is one dossier); data until 10/02:
    # months 01 and 02, quarter 1, the year
    assert (run.versions, run.dossiers, run.units, run.periods, run.refused) == (5, 3, 2, 4, ())
    con = duckdb.connect()
    national_views(con, tmp_path / "out")
    counts = con.execute(
        "SELECT period_label, unit_code, dossiers FROM mart_qd766_unit_national WHERE dossiers > 0 ORDER BY ALL"
    ).fetchall()
    assert counts == [
        ("2026-M01", "03388", 2),
        ("2026-M02", "12.SNV", 1),
        ("2026-Q1", "03388", 2),
        ("2026-Q1", "12.SNV", 1),
        ("2026-Y", "03388", 2),
        ("2026-Y", "12.SNV", 1),
    ]
    indicators = con.execute("SELECT DISTINCT unit_code FROM mart_qd766_indicator_national ORDER BY 1").fetchall()
    assert indicators == [("03388",), ("12.SNV",)]  # codes stay text: 03388 never the number 3388
    names = dict(con.execute("SELECT DISTINCT unit_code, unit_name FROM mart_qd766_unit_national").fetchall())
    assert names == {"03388": "Xã Mường Tè", "12.SNV": "Sở Nội vụ"}


def test_a_bad_day_sets_files_aside_and_says_why(hand_made: Path, tmp_path: Path) -> None:
    """An empty re-delivery, a copy still in progress (hidden name), a plain CSV named .csv.gz: set aside with the
    reason, the good files still load; a gzip stream cut short stops the province with advice, nothing published."""
    day = hand_made / "versions/province=12/year=2026/day=2026-01-07"
    (day / "part-1.csv.gz").write_bytes(b"")
    (day / ".part-2.csv.gz").write_bytes(b"\x1f\x8b partial")
    (day / "part-3.csv.gz").write_text(VERSION_HEADER + "\n", encoding="utf-8")
    run = province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert (run.versions, run.dossiers) == (5, 3)
    reasons = {Path(f).name: why for f, why in run.refused}
    assert reasons == {
        "part-1.csv.gz": "tệp rỗng (giao lại rỗng hoặc đang chép)",
        ".part-2.csv.gz": "tệp ẩn hoặc tạm (đang được chép?)",
        "part-3.csv.gz": "không phải tệp nén gzip",
    }
    whole = (day / "part-0.csv.gz").read_bytes()
    (day / "part-0.csv.gz").write_bytes(whole[: len(whole) // 2])  # copied half
    with pytest.raises(ValueError, match="hỏng hoặc đang chép dở"):
        province_qd766(hand_made, "12", tmp_path / "out2", tmp_path / "work", year=YEAR)
    assert not (tmp_path / "out2").exists()


def _as_parquet(day_folder: Path, parts: list[list[str]]) -> None:
    """The day's versions as Parquet parts (each a list of CSV lines), in place of its CSV.gz."""
    for old in day_folder.glob("*.csv.gz"):
        old.unlink()
    con = duckdb.connect()
    for i, lines in enumerate(parts):
        csv_path = day_folder / f"part-{i}.csv"
        csv_path.write_text("\n".join([VERSION_HEADER, *lines]) + "\n", encoding="utf-8")
        con.execute(
            f"COPY (SELECT * FROM read_csv('{csv_path.as_posix()}', header = true, all_varchar = true)) "
            f"TO '{(day_folder / f'part-{i}.parquet').as_posix()}' (FORMAT parquet)"
        )
        csv_path.unlink()


def test_a_day_in_parts_counts_each_version_once_and_copies_are_set_aside(hand_made: Path, tmp_path: Path) -> None:
    """A day in two Parquet parts (each numbered from line 0) counts each version once; the same part delivered twice,
    a copy kept in a sub-folder, and CSV.gz beside Parquet are set aside with the reason, never counted twice."""
    root = hand_made / "versions/province=12/year=2026"
    for day, lines in VERSIONS_BY_DAY.items():
        _as_parquet(root / f"day={day}", [lines])
    day = root / "day=2026-01-07"
    hs4 = "HS4,03388,1.002923,03388,direct,2026-01-07 08:00:00,2026-01-09 17:00:00,,2026-01-07 08:00:00,received,0,false,false,0,false,false,false,true,"
    _as_parquet(day, [VERSIONS_BY_DAY["2026-01-07"], [hs4]])
    shutil.copy(day / "part-1.parquet", day / "part-2.parquet")
    (day / "backup").mkdir()
    shutil.copy(day / "part-0.parquet", day / "backup" / "part-0.parquet")
    _gz(day / "part-9.csv.gz", [VERSION_HEADER, hs4])
    run = province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert (run.versions, run.dossiers) == (6, 4)
    reasons = {Path(f).relative_to(day).as_posix(): why for f, why in run.refused}
    assert reasons == {
        "part-2.parquet": "trùng y hệt tệp part-1.parquet cùng thư mục (giao hai lần): không đọc",
        "backup/part-0.parquet": "nằm trong thư mục con 'backup' ngoài cấu trúc phân vùng (bản sao lưu hay tạm?): không đọc",
        "part-9.csv.gz": "tỉnh đã giao dạng .parquet: mỗi tỉnh một định dạng, tệp này không đọc",
    }
    con = duckdb.connect()
    national_views(con, tmp_path / "out")
    assert con.execute(
        "SELECT dossiers FROM mart_qd766_unit_national WHERE period_label = '2026-Y' AND unit_code = '03388'"
    ).fetchall() == [(3,)]


def test_codes_are_compared_trimmed_and_rows_outside_the_index_are_said(hand_made: Path, tmp_path: Path) -> None:
    day = hand_made / "versions/province=12/year=2026/day=2026-02-10"
    _gz(
        day / "part-0.csv.gz",
        [
            VERSION_HEADER,
            VERSIONS_BY_DAY["2026-02-10"][0].replace("HS3,12.SNV,", "HS3, 12.SNV ,"),
            VERSIONS_BY_DAY["2026-02-10"][0].replace("HS3,12.SNV,", "HS5,99.XYZ,"),
            VERSIONS_BY_DAY["2026-02-10"][0].replace("HS3,12.SNV,", ",12.SNV,"),
        ],
    )
    run = province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert run.not_counted == (
        "1 phiên bản thiếu mã hồ sơ hoặc ngày cập nhật: không tính",
        "1 phiên bản của đơn vị không có trong danh mục đơn vị (mã 99.XYZ): không tính vào đơn vị nào",
    )
    con = duckdb.connect()
    national_views(con, tmp_path / "out")
    assert con.execute(
        "SELECT dossiers FROM mart_qd766_unit_national WHERE period_label = '2026-Y' AND unit_code = '12.SNV'"
    ).fetchall() == [(1,)]


def test_a_year_without_versions_a_run_already_going_and_no_province_yet_say_what_to_do(hand_made: Path, tmp_path: Path) -> None:
    import fcntl

    with pytest.raises(ValueError, match="Chưa có tỉnh nào được công bố"):
        publish_national_views(tmp_path / "out")
    with pytest.raises(ValueError, match="không có phiên bản hồ sơ nào của năm 2025"):
        province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=2025)
    assert not (tmp_path / "out" / MARTS[0]).exists()
    (tmp_path / "work").mkdir(exist_ok=True)
    with (tmp_path / "work" / f"province_12_{YEAR}.lock").open("w") as held:  # another run of the same partition
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="đang được tính trong một lượt chạy khác"):
            province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    run = province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)  # released: runs
    assert run.dossiers == 3


def test_next_years_files_leave_the_years_partition_as_it_was(hand_made: Path, tmp_path: Path) -> None:
    province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    before = _rows(tmp_path / "out", MARTS[0])
    hs3_done = VERSIONS_BY_DAY["2026-02-10"][0].replace(
        "2026-02-10 15:00:00,2026-02-10 15:00:00", "2027-01-04 09:00:00,2027-01-04 09:00:00"
    )
    hs1_next = VERSIONS_BY_DAY["2026-01-05"][0].replace(
        ",,2026-01-05 08:00:00,received", ",2027-01-05 08:00:00,2027-01-05 08:00:00,completed"
    )
    _gz(hand_made / "versions/province=12/year=2027/day=2027-01-05/part-0.csv.gz", [VERSION_HEADER, hs3_done, hs1_next])
    province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert _rows(tmp_path / "out", MARTS[0]) == before


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("2026-02-02 08:00:00", "02/02/2026 08:00:00"), "ngày giờ phải là yyyy-mm-dd HH:MM:SS"),
    ],
    ids=["day-first timestamps"],  # (a version without a status is counted and said: test_national_review)
)
def test_a_delivery_the_index_cannot_read_says_what_to_fix(hand_made: Path, tmp_path: Path, change, said) -> None:
    day = hand_made / "versions/province=12/year=2026/day=2026-02-10"
    _gz(day / "part-0.csv.gz", [VERSION_HEADER, VERSIONS_BY_DAY["2026-02-10"][0].replace(*change)])
    with pytest.raises(ValueError, match=f"Tỉnh mã 12: .*{said}.*sửa dữ liệu giao rồi chạy lại"):
        province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert not (tmp_path / "out" / MARTS[0]).exists()


def test_a_run_stopped_while_writing_leaves_the_published_pair_as_it_was(hand_made: Path, tmp_path: Path) -> None:
    """Both marts are written aside before either replaces its published file: a run that stops while writing the
    second (killed, disk full) leaves the unit and indicator marts of the last good run together."""
    from warehouse.national import _export

    out = tmp_path / "out"
    province_qd766(hand_made, "12", out, tmp_path / "work", year=YEAR)
    published = {m: (out / m / "province=12" / f"year={YEAR}" / "part-0.parquet").read_bytes() for m in MARTS}

    class StopsAtTheSecondCopy:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con, self.copies = con, 0

        def execute(self, query: str, *args):
            if query.startswith("COPY"):
                self.copies += 1
                if self.copies == 2:
                    raise OSError("No space left on device")
            return self.con.execute(query, *args)

    con = duckdb.connect()
    for mart in MARTS:
        con.execute(f"CREATE TABLE {mart} AS SELECT * FROM read_parquet('{(out / mart).as_posix()}/*/*/*.parquet')")
    con.execute(f"DELETE FROM {MARTS[0]}")  # what a new run would publish differs
    with pytest.raises(OSError):
        _export(StopsAtTheSecondCopy(con), out, "12", YEAR)  # type: ignore[arg-type]
    assert {m: (out / m / "province=12" / f"year={YEAR}" / "part-0.parquet").read_bytes() for m in MARTS} == published
    _rows(out, MARTS[0])  # the views still read the partition
    province_qd766(hand_made, "12", out, tmp_path / "work", year=YEAR)  # the next run cleans up and publishes
    assert not list(out.rglob("*.tmp"))


def test_timestamps_with_a_zone_are_read_as_vietnams_clock_time(hand_made: Path, tmp_path: Path) -> None:
    """The same delivery with its times written in UTC ('…+00', 7 hours earlier) gives the same marts, whatever the
    server's zone: a dossier received at 03:00 on 1 February in Vietnam (20:00 on 31 January in UTC) is February's."""
    early = "HS9,03388,1.002923,03388,direct,2026-02-01 03:00:00,2026-02-05 17:00:00,,2026-02-01 03:00:00,received,0,false,false,0,false,false,false,true,"
    VERSIONS = {**VERSIONS_BY_DAY, "2026-02-01": [early]}
    _gz(hand_made / "versions/province=12/year=2026/day=2026-02-01/part-0.csv.gz", [VERSION_HEADER, early])
    province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    local = _rows(tmp_path / "out", MARTS[0])
    from datetime import datetime as dt
    from datetime import timedelta

    def in_utc(line: str) -> str:
        fields = line.split(",")
        for i in (5, 6, 7, 8):  # received, due, finished, updated
            if fields[i]:
                fields[i] = (dt.fromisoformat(fields[i]) - timedelta(hours=7)).isoformat(sep=" ") + "+00"
        return ",".join(fields)

    for day, lines in VERSIONS.items():
        _gz(hand_made / f"versions/province=12/year=2026/day={day}/part-0.csv.gz", [VERSION_HEADER, *map(in_utc, lines)])
    province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert _rows(tmp_path / "out", MARTS[0]) == local


def test_a_run_killed_between_the_two_renames_is_finished_by_the_next_national_views(
    hand_made: Path, tmp_path: Path, monkeypatch
) -> None:
    """The renames are journaled: after a kill between them (one mart new, the other old), the national views
    complete the pair before reading it, and the next export does too."""
    from warehouse import national

    out = tmp_path / "out"
    province_qd766(hand_made, "12", out, tmp_path / "work", year=YEAR)

    def part(mart: str) -> Path:
        return out / mart / "province=12" / f"year={YEAR}" / "part-0.parquet"

    old = {m: part(m).read_bytes() for m in MARTS}
    con = duckdb.connect()
    for mart in MARTS:
        con.execute(f"CREATE TABLE {mart} AS SELECT * FROM read_parquet('{part(mart).as_posix()}')")
    con.execute(f"DELETE FROM {MARTS[0]} WHERE period_kind = 'month'")  # what the new run publishes differs
    con.execute(f"DELETE FROM {MARTS[1]} WHERE period_kind = 'month'")
    real_replace, calls = os.replace, []

    def killed_after_the_first_mart(src, dst):  # the journal, then the first mart; killed before the second
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(national.os, "replace", killed_after_the_first_mart)
    with pytest.raises(KeyboardInterrupt):
        national._export(con, out, "12", YEAR)
    monkeypatch.setattr(national.os, "replace", real_replace)
    assert part(MARTS[0]).read_bytes() != old[MARTS[0]] and part(MARTS[1]).read_bytes() == old[MARTS[1]]

    publish_national_views(out)
    assert part(MARTS[1]).read_bytes() != old[MARTS[1]]  # the pair is the new one
    for mart in MARTS:
        kinds = duckdb.sql(f"SELECT DISTINCT period_kind FROM read_parquet('{part(mart).as_posix()}')").fetchall()
        assert ("month",) not in kinds
    assert not list(out.glob(".publishing.*")) and not list(out.rglob("*.tmp"))


def test_every_instance_config_keeps_one_duckdb_writing_step_at_a_time():
    """The national deployment allows several runs at once; without a pool limit a province job's steps beside
    daily_tthc's would both write the build file (pool duckdb_writer) and one would meet its lock."""
    import yaml

    root = Path(__file__).resolve().parents[1]
    for config in (root / "pipelines" / "dagster.yaml", root / "deploy" / "national" / "dagster.yaml"):
        assert yaml.safe_load(config.read_text(encoding="utf-8"))["concurrency"]["pools"]["default_limit"] == 1, config
