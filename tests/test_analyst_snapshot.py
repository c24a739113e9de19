"""The analysts' side of the warehouse, with real files and real processes: the build file's lock, the read-only
snapshot and its retention, `make restore`, DuckDB 1.x readability and the Parquet export."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from warehouse.connection import (
    SNAPSHOT_STORAGE_VERSION,
    BuildFileLocked,
    clone_or_copy,
    connect,
    export_parquet,
    publish_snapshot,
    readable_by_1x,
    restore_snapshot,
    snapshot_paths,
    storage_version,
)

PROJECT = Path(__file__).resolve().parent.parent


def _holder(path: Path, seconds: float, *, read_only: bool = True) -> subprocess.Popen:
    """A separate process (as an analyst's session would be) holding ``path`` open for ``seconds``."""
    code = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r}, read_only={read_only})
        print("open", flush=True)
        time.sleep({seconds})
        con.close()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code, "analyst-session"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc


def _build(path: Path, rows: int = 1000, label: str = "a") -> None:
    with connect(path) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT range AS i, ? AS label FROM range(?)", [label, rows])
        con.execute("COMMENT ON TABLE t IS 'bảng thử'")


@pytest.mark.slow
def test_a_step_waits_for_an_analyst_on_the_build_file_then_succeeds(tmp_path: Path, monkeypatch) -> None:
    build = tmp_path / "build" / "warehouse_build.duckdb"
    _build(build)
    monkeypatch.setenv("CCHC_LOCK_WAIT", "30")
    holder = _holder(build, 2.0)
    started = time.monotonic()
    with connect(build) as con:  # what every writing step does (Warehouse.write)
        con.execute("INSERT INTO t VALUES (1000, 'b')")
    waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert waited >= 1.0  # it did wait for the holder instead of failing at once
    with connect(build, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(1001,)]


@pytest.mark.slow
def test_a_lock_never_released_fails_naming_the_holder(tmp_path: Path, monkeypatch) -> None:
    build = tmp_path / "build" / "warehouse_build.duckdb"
    _build(build)
    monkeypatch.setenv("CCHC_LOCK_WAIT", "1.5")
    holder = _holder(build, 60.0)
    try:
        started = time.monotonic()
        with pytest.raises(BuildFileLocked) as err, connect(build):
            pass
        assert 1.4 <= time.monotonic() - started < 10
        message = str(err.value)
        assert f"PID {holder.pid}" in message and "analyst-session" in message  # the command line, from /proc
        assert "warehouse.duckdb" in message and "CCHC_LOCK_WAIT" in message  # what to do instead
    finally:
        holder.kill()
        holder.wait()


def test_the_build_file_moves_out_of_the_analysts_folder(tmp_path: Path) -> None:
    legacy = tmp_path / "wh" / "warehouse_build.duckdb"
    legacy.parent.mkdir()
    with duckdb.connect(str(legacy)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS i")
    build = tmp_path / "wh" / "build" / "warehouse_build.duckdb"
    with connect(build, read_only=True) as con:
        assert con.execute("SELECT i FROM t").fetchall() == [(1,)]
    assert not legacy.exists()


def test_the_snapshot_is_read_only_kept_and_restorable(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    for n in range(4):
        _build(build, rows=10 + n)
        publish_snapshot(build, snapshot, keep=2)
        assert stat.S_IMODE(snapshot.stat().st_mode) == 0o444
        os.utime(snapshot, (time.time() - 10 * (4 - n), time.time() - 10 * (4 - n)))  # distinct names per second
    kept = snapshot_paths(snapshot)
    assert len(kept) == 2 and all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in kept)
    with duckdb.connect(str(kept[0]), read_only=True) as con:  # the newest kept one is the one published before
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(12,)]

    restored = restore_snapshot(snapshot, keep=2)
    assert restored == kept[0] and stat.S_IMODE(snapshot.stat().st_mode) == 0o444
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(12,)]
    with duckdb.connect(str(snapshot_paths(snapshot)[0]), read_only=True) as con:  # the replaced one is kept: undo
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(13,)]
    assert pd_count(tmp_path / "parquet" / "t.parquet") == 12  # the Parquet files follow the restore

    # `make restore SNAPSHOT=<name>` through the real command
    env = {
        **os.environ,
        "CCHC_WAREHOUSE_DIR": str(tmp_path),
        "CCHC_REPORTS": str(tmp_path / "reports"),
        "PYTHONPATH": str(PROJECT),
    }
    name = snapshot_paths(snapshot)[0].name
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.restore", name], env=env, capture_output=True, text=True, check=True, cwd=PROJECT
    )
    assert name in out.stdout
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(13,)]


def test_a_kept_snapshot_is_named_in_vietnam_time_whatever_the_servers_zone(tmp_path: Path) -> None:
    # Published at 23:56 UTC on 4 December: 06:56 on 5 December in Vietnam, the day the run belongs to.
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build, rows=1)
    publish_snapshot(build, snapshot, parquet=False)
    published = datetime(2026, 12, 4, 23, 56, 44, tzinfo=UTC).timestamp()
    os.utime(snapshot, (published, published))
    publish_snapshot(build, snapshot, parquet=False)
    assert [p.name for p in snapshot_paths(snapshot)] == ["warehouse_20261205T065644.duckdb"]


def test_a_log_left_by_a_session_that_wrote_the_snapshot_is_set_aside_not_replayed(tmp_path: Path) -> None:
    # Someone with the rights to write the snapshot (root) creates a table; the session dies before a checkpoint and
    # leaves warehouse.duckdb.wal, which DuckDB replayed onto every later snapshot of that name and its Parquet files.
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build, rows=3)
    publish_snapshot(build, snapshot, parquet=False)
    snapshot.chmod(0o644)
    session = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); c.execute(\"SET checkpoint_threshold = '10GB'\"); "
        "c.execute('CREATE TABLE my_notes AS SELECT 1 AS x'); c.execute('DELETE FROM t'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", session, str(snapshot)], check=True)
    assert snapshot.with_name("warehouse.duckdb.wal").exists()
    publish_snapshot(build, snapshot)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(3,)]
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'my_notes'").fetchall() == [(0,)]
    assert not snapshot.with_name("warehouse.duckdb.wal").exists()
    assert len(list((tmp_path / "snapshots").glob("warehouse_*.wal"))) == 1
    assert not (tmp_path / "parquet" / "my_notes.parquet").exists()


def test_an_analysts_copy_in_the_snapshots_folder_is_not_a_kept_snapshot(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build, rows=1)
    publish_snapshot(build, snapshot, parquet=False)
    publish_snapshot(build, snapshot, parquet=False)
    [kept] = snapshot_paths(snapshot)
    shutil.copyfile(kept, tmp_path / "snapshots" / "warehouse_ban_sao_cua_toi.duckdb")
    assert snapshot_paths(snapshot) == [kept]


def pd_count(path: Path) -> int:
    return duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0][0]


def test_open_sessions_on_the_snapshot_never_block_publication(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build, rows=5)
    publish_snapshot(build, snapshot)
    reader = _holder(snapshot, 60.0)  # an analyst's session left open over the night
    try:
        _build(build, rows=7)
        publish_snapshot(build, snapshot)
        with duckdb.connect(str(snapshot), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM t").fetchall() == [(7,)]
    finally:
        reader.kill()
        reader.wait()


def test_a_read_write_session_on_the_snapshot_does_not_block_publication(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build, rows=5)
    publish_snapshot(build, snapshot)
    snapshot.chmod(0o644)  # as root could (a plain user cannot: see the next test)
    holder = _holder(snapshot, 60.0, read_only=False)
    try:
        _build(build, rows=8)
        publish_snapshot(build, snapshot)
        with duckdb.connect(str(snapshot), read_only=True) as con:  # another analyst opens the new one at once
            assert con.execute("SELECT count(*) FROM t").fetchall() == [(8,)]
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to act as a plain user")
def test_a_plain_user_cannot_open_the_snapshot_read_write(tmp_path: Path) -> None:
    """DuckDB opens a file read-write with open(O_RDWR): the file system refuses it to anyone but root. (This
    project's Python lives under /root, which a plain user cannot run, so the shell's `<>` does the same open.)"""
    folder = Path(tempfile.mkdtemp(prefix="cchc-snapshot-"))  # tmp_path's parents are closed to other users
    try:
        folder.chmod(0o755)
        build, snapshot = folder / "build" / "warehouse_build.duckdb", folder / "warehouse.duckdb"
        _build(build, rows=3)
        publish_snapshot(build, snapshot, parquet=False)
        write = subprocess.run(["sh", "-c", f'exec 3<>"{snapshot}"'], user="nobody", capture_output=True, text=True)
        assert write.returncode != 0 and "Permission denied" in write.stderr
        read = subprocess.run(["sh", "-c", f'exec 3<"{snapshot}"'], user="nobody", capture_output=True, text=True)
        assert read.returncode == 0, read.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _duckdb_1x() -> Path | None:
    """A Python with DuckDB 1.x in a throw-away virtual environment (uv from .tools, its cache, the package index);
    None when it cannot be had quickly (no network and nothing cached)."""
    uv = PROJECT / ".tools" / "bin" / "uv"
    if not uv.exists():
        return None
    venv = Path(tempfile.gettempdir()) / "cchc-duckdb-1x"
    python = venv / "bin" / "python"
    try:
        if not python.exists():
            subprocess.run(
                [str(uv), "venv", "-q", str(venv), "--python", sys.executable], check=True, timeout=60, capture_output=True
            )
        check = subprocess.run([str(python), "-c", "import duckdb; print(duckdb.__version__)"], capture_output=True, text=True)
        if not check.stdout.startswith("1."):
            subprocess.run(
                [str(uv), "pip", "install", "-q", "--python", str(python), "duckdb>=1.2,<2"],
                check=True,
                timeout=120,
                capture_output=True,
            )
    except (subprocess.SubprocessError, OSError):
        return None
    return python


def test_the_snapshot_opens_with_duckdb_1x(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build)
    with connect(build) as con:
        con.execute("CREATE TABLE m (k VARCHAR[], v MAP(VARCHAR, DOUBLE))")
        con.execute("INSERT INTO m VALUES (['a'], MAP {'x': 1.5})")
        con.execute("CREATE VIEW v AS SELECT label, count(*) AS n FROM t GROUP BY ALL")
        con.execute("COMMENT ON COLUMN t.label IS 'nhãn'")
    publish_snapshot(build, snapshot)
    version = storage_version(snapshot)
    assert version == SNAPSHOT_STORAGE_VERSION + "+" and readable_by_1x(version)
    python = _duckdb_1x()
    if python is None:
        pytest.skip(f"DuckDB 1.x could not be installed here; the storage version {version} is one 1.x reads")
    code = textwrap.dedent(f"""
        import duckdb
        con = duckdb.connect({str(snapshot)!r}, read_only=True)
        print(duckdb.__version__)
        print(con.execute("SELECT count(*) FROM t").fetchall(), con.execute("SELECT * FROM m").fetchall(),
              con.execute("SELECT n FROM v").fetchall(),
              con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 't' AND column_name = 'label'").fetchall())
    """)
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    release, values = out.stdout.splitlines()[:2]
    assert release.startswith("1.")
    assert values == "[(1000,)] [(['a'], {'x': 1.5})] [(1000,)] [('nhãn',)]"


def test_a_build_file_of_duckdb_2s_format_is_converted_once(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    with duckdb.connect(str(build)) as con:  # made by an earlier version of the pipeline
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(100)")
    assert not readable_by_1x(storage_version(build))
    publish_snapshot(build, snapshot)
    assert readable_by_1x(storage_version(build)) and readable_by_1x(storage_version(snapshot))
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT sum(i) FROM t").fetchall() == [(4950,)]


def test_parquet_has_every_table_and_view_and_skips_unchanged_ones(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build)
    with connect(build) as con:
        con.execute("CREATE TABLE u AS SELECT 'Đắk' AS name")
        con.execute("CREATE VIEW v AS SELECT count(*) AS n FROM t")
        con.execute("CREATE SCHEMA compat")
        con.execute("CREATE VIEW compat.t AS SELECT i AS old_i FROM main.t")
    publish_snapshot(build, snapshot)
    folder = tmp_path / "parquet"
    assert sorted(p.name for p in folder.glob("*.parquet")) == ["t.parquet", "u.parquet", "v.parquet"]
    assert duckdb.sql(f"SELECT name FROM '{folder / 'u.parquet'}'").fetchall() == [("Đắk",)]
    with connect(build) as con:
        con.execute("UPDATE u SET name = 'Đăk'")
        con.execute("DROP VIEW v")
    publish_snapshot(build, snapshot)
    assert sorted(p.name for p in folder.glob("*.parquet")) == ["t.parquet", "u.parquet"]  # v's file is gone
    assert export_parquet(snapshot, folder) == []  # nothing changed: nothing rewritten
    assert duckdb.sql(f"SELECT name FROM '{folder / 'u.parquet'}'").fetchall() == [("Đăk",)]
    # A killed export leaves its file written aside; the next export removes it (and the manifest's own).
    (folder / ".u.parquet.tmp").write_bytes(b"PAR1 half")
    (folder / "._manifest.json.tmp").write_text("{")
    export_parquet(snapshot, folder)
    assert not list(folder.glob(".*.tmp"))


def test_the_parquet_folder_says_what_each_column_means(tmp_path: Path) -> None:
    """Parquet carries no comments: an analyst reading the files in pandas or Power BI had the column names only.
    ``_columns.csv`` beside them gives each exported column's type and Vietnamese comment, and its table's."""
    import csv

    from warehouse.schema import ensure_schema

    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    build.parent.mkdir()
    with connect(build) as con:
        ensure_schema(con)
    publish_snapshot(build, snapshot)
    with (tmp_path / "parquet" / "_columns.csv").open(encoding="utf-8-sig") as f:
        rows = {(r["table_name"], r["column_name"]): r for r in csv.DictReader(f)}
    late = rows[("fct_dossier", "finished_on_time")]
    assert late["data_type"] == "BOOLEAN" and "completed_at ≤ due_at" in late["column_comment"]
    assert late["table_comment"].startswith("Trạng thái hiện tại của mỗi hồ sơ")
    assert rows[("mart_dti_trend", "position_change")]["table_comment"]  # a view's comment too
    assert not any(table.startswith("compat") for table, _ in rows)


def test_an_export_killed_half_way_never_leaves_a_file_the_manifest_calls_current(tmp_path: Path, monkeypatch) -> None:
    """A publication killed after renaming one new file into place, before its manifest: restoring the earlier
    snapshot (the content the old manifest described) must rewrite that file, not keep the killed export's data."""
    import warehouse.connection as connection

    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build)
    with connect(build) as con:
        con.execute("CREATE TABLE u AS SELECT 'cũ' AS name")
    publish_snapshot(build, snapshot)
    folder = tmp_path / "parquet"
    with connect(build) as con:
        con.execute("UPDATE u SET name = 'mới'")
    write = connection._write_parquet

    def killed_after_one(con, folder, key):
        write(con, folder, key)
        raise KeyboardInterrupt("killed")  # the process dies after the first file is in place

    monkeypatch.setattr(connection, "_write_parquet", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        publish_snapshot(build, snapshot)
    assert duckdb.sql(f"SELECT name FROM '{folder / 'u.parquet'}'").fetchall() == [("mới",)]
    monkeypatch.setattr(connection, "_write_parquet", write)
    connection.restore_snapshot(snapshot)  # back to the snapshot of 'cũ', whose fingerprint the old manifest holds
    assert duckdb.sql(f"SELECT name FROM '{folder / 'u.parquet'}'").fetchall() == [("cũ",)]


def test_every_table_and_view_of_the_warehouse_schema_reads_in_duckdb_1x(tmp_path: Path) -> None:
    """Views are stored as SQL text that the 1.x client parses again: a 2.0-only construct would break them there."""
    from warehouse.schema import ensure_schema

    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    with connect(build) as con:
        ensure_schema(con)
    publish_snapshot(build, snapshot, parquet=False)
    python = _duckdb_1x()
    if python is None:
        pytest.skip("DuckDB 1.x could not be installed here")
    code = textwrap.dedent(f"""
        import duckdb
        con = duckdb.connect({str(snapshot)!r}, read_only=True)
        names = con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables() UNION ALL "
                            "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        for (name,) in names:
            con.execute(f"SELECT count(*) FROM {{name}}").fetchall()
        missing = con.execute("SELECT count(*) FROM duckdb_columns() WHERE NOT internal AND comment IS NULL").fetchall()
        print(len(names), missing[0][0])
    """)
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    count, missing = map(int, out.stdout.split())
    assert count >= 38 and missing == 0


def _warehouse(root: Path):
    from assets.resources import Warehouse

    return Warehouse(
        build_db=str(root / "wh" / "build" / "warehouse_build.duckdb"),
        snapshot_db=str(root / "wh" / "warehouse.duckdb"),
        inbox=str(root / "inbox"),
        reports=str(root / "reports"),
        province="Thái Nguyên",
        pii_salt="t",
    )


@pytest.mark.slow
def test_a_dagster_step_waits_for_the_lock_then_materialises(tmp_path: Path, monkeypatch) -> None:
    import dagster as dg

    from assets.tthc import units

    warehouse = _warehouse(tmp_path)
    assert dg.materialize([units], resources={"warehouse": warehouse}).success  # creates the build file
    monkeypatch.setenv("CCHC_LOCK_WAIT", "30")
    holder = _holder(Path(warehouse.build_db), 2.0)  # an analyst opened the build file, read-only
    result = dg.materialize([units], resources={"warehouse": warehouse}, raise_on_error=False)
    assert holder.wait(timeout=10) == 0
    assert result.success


@pytest.mark.slow
def test_a_dagster_step_fails_naming_the_holder_after_the_wait(tmp_path: Path, monkeypatch) -> None:
    import dagster as dg

    from assets.tthc import units

    warehouse = _warehouse(tmp_path)
    assert dg.materialize([units], resources={"warehouse": warehouse}).success
    monkeypatch.setenv("CCHC_LOCK_WAIT", "1")
    holder = _holder(Path(warehouse.build_db), 60.0)
    try:
        result = dg.materialize([units], resources={"warehouse": warehouse}, raise_on_error=False)
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert f"PID {holder.pid}" in message and "analyst-session" in message and "CCHC_LOCK_WAIT" in message


def test_the_big_tables_are_exported_per_month_and_only_changed_months_rewritten(tmp_path: Path) -> None:
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    with connect(build) as con:
        con.execute("""CREATE TABLE stg_dossier_versions AS SELECT 'HS-' || range AS dossier_code,
                       DATE '2026-01-01' + (range % 90)::INT AS export_date FROM range(900)""")
    publish_snapshot(build, snapshot)
    folder = tmp_path / "parquet" / "stg_dossier_versions"
    assert sorted(p.name for p in folder.glob("*.parquet")) == ["2026-01.parquet", "2026-02.parquet", "2026-03.parquet"]
    assert not (tmp_path / "parquet" / "stg_dossier_versions.parquet").exists()
    with connect(build) as con:  # a daily run: a new day in March
        con.execute("INSERT INTO stg_dossier_versions VALUES ('HS-X', DATE '2026-03-31')")
    with connect(build) as con:
        con.execute("CHECKPOINT")
    shutil.copyfile(build, tmp_path / "copy.duckdb")
    written = export_parquet(tmp_path / "copy.duckdb", tmp_path / "parquet")
    assert [p.relative_to(tmp_path / "parquet").as_posix() for p in written] == ["stg_dossier_versions/2026-03.parquet"]
    total = duckdb.sql(f"SELECT count(*) FROM '{folder}/*.parquet'").fetchall()[0][0]
    assert total == 901


def test_a_month_file_holds_its_month_to_the_last_second(tmp_path: Path) -> None:
    """fct_dossier is split by its timestamp received_at: the last second of January is January's, midnight of the
    first of February is February's, and every row is in exactly one file."""
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    with connect(build) as con:
        con.execute("""CREATE TABLE fct_dossier AS SELECT * FROM (VALUES ('A', TIMESTAMP '2026-01-31 23:59:59'),
                       ('B', TIMESTAMP '2026-02-01 00:00:00'), ('C', TIMESTAMP '2026-01-01 00:00:00'),
                       ('D', TIMESTAMP '2026-02-28 23:59:59.999')) t(dossier_code, received_at)""")
    publish_snapshot(build, snapshot)
    folder = tmp_path / "parquet" / "fct_dossier"
    codes = {
        p.stem: sorted(r[0] for r in duckdb.sql(f"SELECT dossier_code FROM '{p}'").fetchall()) for p in folder.glob("*.parquet")
    }
    assert codes == {"2026-01": ["A", "C"], "2026-02": ["B", "D"]}


def test_a_publication_that_fills_the_disk_removes_its_temporary_copy(tmp_path: Path) -> None:
    """A full disk while copying the build file: the half copy (as big as the warehouse) is removed at once, so the
    disk is not left full for the next run, and the published snapshot stays the previous one."""
    from tests.disk_limits import disk_full_after

    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build, rows=1000, label="a")
    publish_snapshot(build, snapshot, parquet=False)
    _build(build, rows=200_000, label="b")
    with connect(build) as con:
        con.execute("CHECKPOINT")  # nothing left for the publication's own CHECKPOINT to write under the limit
    with disk_full_after(build.stat().st_size // 2), pytest.raises(OSError) as failed:
        publish_snapshot(build, snapshot, parquet=False)
    assert failed.value.errno == errno.EFBIG and str(failed.value.filename2).endswith(".tmp")  # the copy failed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "warehouse.duckdb"]
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*), min(label) FROM t").fetchall() == [(1000, "a")]
    publish_snapshot(build, snapshot, parquet=False)  # space freed: the next publication goes through
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(200_000,)]


def test_a_publication_waits_for_a_restore_under_way_and_never_takes_its_half_copy(tmp_path: Path, monkeypatch) -> None:
    """A publication and `make restore` at once shared the temporary copy: one renamed the other's half-written file
    into place. The second waits for the first (the snapshot's folder is locked while it is replaced), and past
    CCHC_LOCK_WAIT says so, the published snapshot untouched."""
    import fcntl

    from warehouse.connection import SnapshotBusy

    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    _build(build, rows=1000, label="a")
    publish_snapshot(build, snapshot, parquet=False)
    _build(build, rows=2000, label="b")
    monkeypatch.setenv("CCHC_LOCK_WAIT", "0.5")
    held = os.open(tmp_path, os.O_RDONLY)  # what a restore under way holds
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        with pytest.raises(SnapshotBusy, match="khôi phục bản chụp khác"):
            publish_snapshot(build, snapshot, parquet=False)
        with duckdb.connect(str(snapshot), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM t").fetchall() == [(1000,)]
    finally:
        os.close(held)
    publish_snapshot(build, snapshot, parquet=False)  # released: it goes through
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(2000,)]


def test_keeping_no_snapshot_removes_the_kept_ones(tmp_path: Path) -> None:
    """CCHC_SNAPSHOT_KEEP=0, what the README says frees a full disk, removed nothing: the kept snapshots stayed."""
    build, snapshot = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "warehouse.duckdb"
    for label in "abc":
        _build(build, rows=100, label=label)
        publish_snapshot(build, snapshot, keep=3, parquet=False)
        time.sleep(1.1)  # (kept snapshots are named by the second)
    assert len(snapshot_paths(snapshot)) == 2
    _build(build, rows=100, label="d")
    publish_snapshot(build, snapshot, keep=0, parquet=False)
    assert snapshot_paths(snapshot) == []


def test_a_file_system_without_reflinks_gets_a_whole_copy(tmp_path: Path) -> None:
    # The clone is refused where the file system has no reflinks (ext4, tmpfs) or the target is on another one: the
    # snapshot is then a plain copy, the same bytes, and no half-made file is left behind by the refused clone.
    source = tmp_path / "a.bin"
    source.write_bytes(os.urandom(3 << 20))
    target = tmp_path / "b.bin"
    cloned = clone_or_copy(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert cloned == _clones(tmp_path)
    if Path("/dev/shm").is_dir():  # another file system (tmpfs): never a clone
        with tempfile.TemporaryDirectory(dir="/dev/shm") as other:
            assert not clone_or_copy(source, Path(other) / "c.bin")
            assert (Path(other) / "c.bin").read_bytes() == source.read_bytes()
            assert os.listdir(other) == ["c.bin"]


def _clones(folder: Path) -> bool:
    """Whether ``folder``'s file system clones a file (asked of the system directly, not of clone_or_copy)."""
    probe, clone = folder / ".probe", folder / ".probe-clone"
    probe.write_bytes(b"x" * 4096)
    try:
        with open(probe, "rb") as src, open(clone, "wb") as dst:
            fcntl.ioctl(dst.fileno(), 0x40049409, src.fileno())  # FICLONE (linux/fs.h)
        return True
    except OSError:
        return False
    finally:
        probe.unlink()
        clone.unlink(missing_ok=True)


REFLINK_DIR = os.environ.get("CCHC_TEST_REFLINK_DIR")


@pytest.mark.skipif(
    not REFLINK_DIR,
    reason="set CCHC_TEST_REFLINK_DIR to a folder on XFS (reflink=1) or btrfs to test the cloned publication, e.g. "
    "truncate -s 4G x.img && mkfs.xfs x.img && mount -o loop x.img /mnt/xfs (as root)",
)
def test_on_a_file_system_with_reflinks_the_snapshot_is_a_clone_that_later_writes_do_not_touch() -> None:
    with tempfile.TemporaryDirectory(dir=REFLINK_DIR) as folder:
        build, snapshot = Path(folder) / "build" / "warehouse_build.duckdb", Path(folder) / "warehouse.duckdb"
        _build(build, rows=200_000, label="first")
        assert publish_snapshot(build, snapshot, parquet=False).cloned
        # An analyst's session opened on that snapshot; the build file is rewritten and published again.
        analyst = duckdb.connect(str(snapshot), read_only=True)
        try:
            _build(build, rows=5, label="second")
            with connect(build) as con:
                con.execute("CHECKPOINT")
            assert publish_snapshot(build, snapshot, parquet=False).cloned
            # The open session still reads the first snapshot whole (its blocks were not written through the clone),
            # the kept copy too, and a new session reads the second.
            assert analyst.execute("SELECT count(*), min(label) FROM t").fetchall() == [(200_000, "first")]
        finally:
            analyst.close()
        with duckdb.connect(str(snapshot_paths(snapshot)[0]), read_only=True) as con:
            assert con.execute("SELECT count(*), min(label) FROM t").fetchall() == [(200_000, "first")]
        with duckdb.connect(str(snapshot), read_only=True) as con:
            assert con.execute("SELECT count(*), min(label) FROM t").fetchall() == [(5, "second")]


def test_a_full_disk_during_a_clone_is_said_as_such_not_answered_with_a_copy(tmp_path: Path, monkeypatch) -> None:
    """The clone library's errors carry no errno: a full disk was taken for "no reflinks" and a whole copy tried,
    which failed with the copy's message. (The refusal is simulated: a full reflink volume cannot be made here.)"""
    import warehouse.connection as connection

    source = tmp_path / "a.bin"
    source.write_bytes(b"x" * 4096)

    def full(src, dst):
        raise OSError("No space left on device (os error 28)")

    monkeypatch.setattr(connection, "reflink", full)
    with pytest.raises(OSError) as raised:
        clone_or_copy(source, tmp_path / "b.bin")
    assert raised.value.errno == errno.ENOSPC and "Hết chỗ trên đĩa" in str(raised.value)
    assert not (tmp_path / "b.bin").exists()

    def unsupported(src, dst):
        raise OSError("Operation not supported (os error 95)")

    monkeypatch.setattr(connection, "reflink", unsupported)
    assert clone_or_copy(source, tmp_path / "c.bin") is False and (tmp_path / "c.bin").read_bytes() == source.read_bytes()
