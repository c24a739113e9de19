"""Short-lived DuckDB connections that always close, and publishing the analysts' snapshot.

Three places on disk (see README, "For analysts"):

- the build file (``<CCHC_BUILD_DIR>/warehouse_build.duckdb``): the pipeline's alone; a lock held on it by anyone
  else is waited for (``CCHC_LOCK_WAIT``), then named;
- the snapshot (``<CCHC_WAREHOUSE_DIR>/warehouse.duckdb``): a read-only copy, replaced atomically, never written
  in place; the previous ones are kept in ``snapshots/`` (``CCHC_SNAPSHOT_KEEP``);
- ``parquet/<table>.parquet`` (the two big tables: ``parquet/<table>/<YYYY-MM>.parquet``): every table and view
  of the snapshot, each file replaced atomically.

Both the build file and the snapshot are written in the storage format of DuckDB ``SNAPSHOT_STORAGE_VERSION``, so
that 1.x clients (the CLI from the package index, DBeaver) open the snapshot; publishing stays a plain file copy.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import duckdb
from reflink_copy import reflink

from common.settings import local_time_of, now_local

# The oldest DuckDB that reads the files we write. 2.0 writes format 69 by default, which 1.x refuses
# ("version number 69"); v1.2.0 is read by every DuckDB from 1.2 on (the 1.5 CLI reads 64..68).
SNAPSHOT_STORAGE_VERSION = "v1.2.0"
BUILD_NAME = "warehouse_build.duckdb"
SNAPSHOTS_DIR = "snapshots"
PARQUET_DIR = "parquet"
_LOCK = re.compile(r"Could not set lock on file .*?Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)", re.S)
_STAMP = "%Y%m%dT%H%M%S"
SNAPSHOT_HINT = "warehouse.duckdb (chỉ đọc)"


class BuildFileLocked(RuntimeError):
    """Another process holds the build file past the configured wait."""


class SnapshotBusy(RuntimeError):
    """Another publication or restore of the snapshot goes on past the configured wait."""


def _lock_wait() -> float:
    from common.settings import warehouse_settings  # late: settings reads the environment of the moment

    return float(warehouse_settings()["lock_wait"])


def describe_process(pid: int) -> str:
    """'PID 123: duckdb -readonly …' from /proc where there is one (Linux), else just the PID."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"PID {pid}"
    command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    return f"PID {pid}: {command}" if command else f"PID {pid}"


def _move_legacy_build(path: Path) -> None:
    """Earlier versions kept the build file beside the snapshot; move it (and its WAL) into its own folder once."""
    if path.exists() or path.name != BUILD_NAME:
        return
    legacy = path.parent.parent / BUILD_NAME
    if legacy.exists():
        for suffix in ("", ".wal"):
            old = legacy.with_name(legacy.name + suffix)
            if old.exists():
                os.replace(old, path.with_name(path.name + suffix))


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    if read_only or path.exists():
        return duckdb.connect(str(path), read_only=read_only)
    # A new file is created in the 1.x-readable format; an existing file keeps the format it was created with.
    return duckdb.connect(str(path), config={"storage_compatibility_version": SNAPSHOT_STORAGE_VERSION})


def open_with_retry(path: Path, *, read_only: bool = False, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open ``path``, retrying a lock conflict with growing pauses for up to ``wait`` seconds (``CCHC_LOCK_WAIT``).

    The usual holder is an analyst who opened the build file instead of the snapshot (even read-only, that stops
    the pipeline from writing). Past the wait, ``BuildFileLocked`` names the process and says what to do.
    """
    wait = _lock_wait() if wait is None else wait
    start, pause, tries = time.monotonic(), 0.25, 0
    while True:
        tries += 1
        try:
            return _open(path, read_only)
        except duckdb.IOException as err:
            held = _LOCK.search(str(err))
            if held is None:
                raise
            elapsed = time.monotonic() - start
            if elapsed >= wait:
                holder = describe_process(int(held["pid"]))
                raise BuildFileLocked(
                    f"Không mở được {path}: tệp đang bị khóa bởi tiến trình {holder} (đã chờ {elapsed:.0f} giây, "
                    f"{tries} lần thử). Tệp dựng kho chỉ dành cho pipeline: đóng phiên đó (hoặc `kill {held['pid']}` "
                    f"nếu là phiên phân tích bị bỏ quên), mở bản chụp {SNAPSHOT_HINT} thay thế, rồi chạy lại. "
                    f"Tăng CCHC_LOCK_WAIT để chờ lâu hơn."
                ) from err
            time.sleep(min(pause, wait - elapsed))
            pause = min(pause * 2, 10.0)


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    _move_legacy_build(path)
    con = open_with_retry(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def storage_version(path: Path) -> str:
    """The storage format a DuckDB file is written in, as DuckDB reports it ('v1.2.0+', 'v2.0.0+')."""
    with duckdb.connect() as con:
        con.execute("ATTACH ? AS probe (READ_ONLY)", [str(path)])
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'probe'").fetchall()[0][0]
    return tags.get("storage_version", "")


def readable_by_1x(version: str) -> bool:
    return version.startswith("v1.") or version.startswith("v0.")


def _convert_build(build: Path) -> None:
    """Rewrite a build file of DuckDB 2's format (made before this version) in the 1.x-readable one, once.

    Costs one full copy (about 10 s for the demo year); every later publication is a plain file copy again.
    """
    tmp = build.with_name(build.name + ".convert")
    tmp.unlink(missing_ok=True)
    try:
        with open_with_retry(build) as con:  # holding the write lock: nobody else is in the file while we copy it
            con.execute("SET enable_progress_bar = false")
            con.execute(f"ATTACH ? AS target (STORAGE_VERSION '{SNAPSHOT_STORAGE_VERSION}')", [str(tmp)])
            con.execute(f"COPY FROM DATABASE {_catalog(con)} TO target")
            con.execute("DETACH target")
        os.replace(tmp, build)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full copy of the warehouse: never left to keep a disk full
        raise


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchall()[0][0]


def snapshot_paths(snapshot: Path) -> list[Path]:
    """Previous snapshots, newest first (names carry their publication time). Only names the pipeline gives
    (``warehouse_20261203T061820.duckdb``): an analyst's copy put there is neither restored as the newest nor counted
    among the kept ones."""
    folder = snapshot.parent / SNAPSHOTS_DIR
    kept = re.compile(rf"{re.escape(snapshot.stem)}_\d{{8}}T\d{{6}}{re.escape(snapshot.suffix)}")
    return sorted((p for p in folder.glob(f"{snapshot.stem}_*{snapshot.suffix}") if kept.fullmatch(p.name)), reverse=True)


def set_aside_wal(snapshot: Path) -> Path | None:
    """Move a write-ahead log left beside the published snapshot into snapshots/ (``<stem>_<time>.wal``) and return
    where it went. The snapshot is read-only, but a session with the rights to write it (root, or after a chmod)
    leaves ``warehouse.duckdb.wal`` when it is killed, and DuckDB would replay that log onto every snapshot
    published under the same name, into the Parquet files and the web site too."""
    wal = snapshot.with_name(snapshot.name + ".wal")
    if not wal.exists():
        return None
    folder = snapshot.parent / SNAPSHOTS_DIR
    folder.mkdir(exist_ok=True)
    target = folder / f"{snapshot.stem}_{now_local().strftime(_STAMP)}.wal"
    os.replace(wal, target)
    return target


def _archive_current(snapshot: Path, keep: int) -> Path | None:
    """Keep the snapshot being replaced under snapshots/, as a hard link (no copy), and drop the oldest past ``keep``
    (``keep`` 0: none kept, the ones there removed, as CCHC_SNAPSHOT_KEEP=0 is what frees a full disk)."""
    if keep <= 0:
        for old in snapshot_paths(snapshot):
            old.chmod(stat.S_IWUSR | stat.S_IRUSR)
            old.unlink()
        return None
    if not snapshot.exists():
        return None
    folder = snapshot.parent / SNAPSHOTS_DIR
    folder.mkdir(exist_ok=True)
    stamp = local_time_of(snapshot.stat().st_mtime).strftime(_STAMP)  # Vietnam time, as the restore examples
    target = folder / f"{snapshot.stem}_{stamp}{snapshot.suffix}"
    if not target.exists():
        try:
            os.link(snapshot, target)
        except OSError:  # a file system without hard links: a copy
            shutil.copy2(snapshot, target)
    for old in snapshot_paths(snapshot)[keep:]:
        old.chmod(stat.S_IWUSR | stat.S_IRUSR)
        old.unlink()
    return target


def _read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _replace_read_only(tmp: Path, snapshot: Path, keep: int) -> None:
    """Make ``tmp`` read-only, keep the current snapshot, then rename ``tmp`` over it.

    os.replace swaps the directory entry: an analyst's open session (read-only or not) keeps the old file's inode
    and never blocks this, and a new session sees the new file whole.
    """
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    _read_only(tmp)
    _archive_current(snapshot, keep)
    set_aside_wal(snapshot)  # (the publishing step does it first and says so; a restore relies on this one)
    os.replace(tmp, snapshot)


def _remove_tmp(tmp: Path) -> None:
    if tmp.exists():
        tmp.chmod(stat.S_IWUSR | stat.S_IRUSR)  # read-only once _replace_read_only has started
        tmp.unlink()


@contextmanager
def _publishing(snapshot: Path) -> Iterator[None]:
    """Held while a publication or a restore replaces the snapshot and its Parquet files: two at once shared the
    temporary copy, so one renamed the other's half-written file into place. An exclusive lock on the snapshot's
    folder itself (no file of its own among the analysts'; released by the system if the process dies), waited for
    up to CCHC_LOCK_WAIT seconds."""
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    folder = os.open(snapshot.parent, os.O_RDONLY)
    try:
        deadline = time.monotonic() + _lock_wait()
        while True:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SnapshotBusy(
                        f"Một lần công bố hoặc khôi phục bản chụp khác ({snapshot}) đang chạy quá {_lock_wait():.0f} giây: "
                        "chờ nó xong rồi chạy lại (lần chạy: Re-execute → From failure; khôi phục: make restore)."
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(folder)  # (releases the lock)


def _copy_into_place(source: Path, snapshot: Path, keep: int) -> bool:
    """Copy ``source`` to ``<snapshot>.tmp`` (a clone where the file system allows, ``clone_or_copy``) and rename it
    over ``snapshot`` (the current one kept in snapshots/); True when cloned.

    The temporary copy is as big as the warehouse: when the copy fails (a full disk above all) it is removed at once,
    else it would keep the disk full and the next run would fail at its first step. One left by a killed process
    is removed here too.
    """
    tmp = snapshot.with_name(snapshot.name + ".tmp")
    _remove_tmp(tmp)
    try:
        cloned = clone_or_copy(source, tmp)
        _replace_read_only(tmp, snapshot, keep)
    except BaseException:
        _remove_tmp(tmp)
        raise
    return cloned


def clone_or_copy(source: Path, target: Path) -> bool:
    """Copy ``source`` to the new file ``target``; True when it was cloned.

    On a file system with reflinks (XFS made with reflink=1, the default of mkfs.xfs since xfsprogs 5.1; btrfs; APFS)
    the copy is a clone sharing the source's blocks until either is written: constant time, so the daily publication
    does not grow with the warehouse (a 1 GB warehouse: 0.1 ms instead of 6-9 s). Anywhere else (ext4, another
    file system than the source's) the clone is refused and the bytes are copied.
    """
    if target.exists():  # (a clone needs a new file; a copy would overwrite one the caller may not mean to lose)
        raise FileExistsError(f"{target} already exists")
    try:
        reflink(source, target)
        return True
    except OSError as refused:
        target.unlink(missing_ok=True)  # (none is left by a refused clone; one left half-made is ours)
        # The library's errors carry no errno, only "(os error N)" in their text: a full disk (28) is said as such,
        # not taken for "no reflinks here" and answered with a whole copy that cannot fit either.
        if "(os error 28)" in str(refused):
            raise OSError(errno.ENOSPC, f"Hết chỗ trên đĩa khi công bố bản chụp {target}: {refused}") from refused
    shutil.copyfile(source, target)
    return False


class Publication(NamedTuple):
    size_bytes: int
    cloned: bool  # the snapshot shares the build file's blocks (clone_or_copy) instead of copying them


def publish_snapshot(build: Path, snapshot: Path, *, keep: int | None = None, parquet: bool = True) -> Publication:
    """Checkpoint the build file and atomically replace the published snapshot with a read-only copy of it.

    Analysts only ever open ``snapshot``, so they never hold the pipeline's lock; a connection already open keeps
    seeing the previous snapshot, a new one sees the new snapshot. The previous snapshot is kept (``keep`` of
    them, ``CCHC_SNAPSHOT_KEEP``), and every table and view is exported as Parquet beside it.
    """
    if keep is None:
        from common.settings import warehouse_settings

        keep = int(warehouse_settings()["snapshot_keep"])
    with connect(build) as con:
        con.execute("CHECKPOINT")
    wal = build.with_name(build.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after CHECKPOINT; not publishing a partial snapshot")
    if not readable_by_1x(storage_version(build)):
        _convert_build(build)
    with _publishing(snapshot):
        cloned = _copy_into_place(build, snapshot, keep)
        if parquet:
            export_parquet(snapshot, snapshot.parent / PARQUET_DIR)
        return Publication(snapshot.stat().st_size, cloned)


# The two big tables are exported one file per month (parquet/<table>/<YYYY-MM>.parquet) of a date column, so that a
# daily run rewrites the months it touched (about 1 s) instead of 3 M rows (10 s and more); old months rarely change.
MONTHLY = {"stg_dossier_versions": "export_date", "fct_dossier": "received_at"}


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(
        con.execute(
            "SELECT list(column_name || ' ' || data_type ORDER BY column_index) FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = ? AND database_name = current_database()",
            [name],
        ).fetchall()[0][0]
    )


def _fingerprints(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    """Columns, row count and the sum of row hashes, per file to write: equal only when the content is (order aside).
    About 1 s for the 3 M dossier versions, against 10 s and more to write them."""
    columns = _columns(con, name)
    column = MONTHLY.get(name)
    if column is None:
        rows, total = con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM main.{name} t").fetchall()[0]
        return {name: f"{columns}|{rows}|{total}"}
    parts = con.execute(f"""SELECT coalesce(strftime({column}, '%Y-%m'), 'none'), count(*), sum(hash(t)::HUGEINT)
                            FROM main.{name} t GROUP BY 1""").fetchall()
    return {f"{name}/{month}": f"{columns}|{rows}|{total}" for month, rows, total in parts}


def _write_parquet(con: duckdb.DuckDBPyConnection, folder: Path, key: str) -> Path:
    """Write one file aside and rename it into place."""
    name, _, month = key.partition("/")
    target = folder / f"{key}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    if month:
        column = MONTHLY[name]
        # A range, not strftime(column) = month: cheaper per row, and the storage's min/max per row group skip the rest.
        first = f"DATE '{month}-01'"
        where = f"{column} IS NULL" if month == "none" else f"{column} >= {first} AND {column} < {first} + INTERVAL 1 MONTH"
        query = f"SELECT * FROM main.{name} WHERE {where}"
    else:
        query = f"SELECT * FROM main.{name}"
    try:
        con.execute(f"COPY ({query}) TO '{tmp}' (FORMAT parquet)")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a half-written file on a full disk
        raise
    return target


def export_parquet(snapshot: Path, folder: Path) -> list[Path]:
    """Every table and view of the snapshot's main schema as Parquet: ``<table>.parquet``, or one file per month under
    ``<table>/`` for the big tables (``MONTHLY``); each file is written aside and renamed into place. A file whose
    content has not changed since the last export is kept (``_manifest.json``); files of tables or months that no
    longer exist are removed. Compatibility views (schema ``compat``) are not exported. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / "_manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    changed: list[str] = []
    current: dict[str, str] = {}
    with duckdb.connect(str(snapshot), read_only=True) as con:
        con.execute("SET enable_progress_bar = false")
        names = [
            r[0]
            for r in con.execute(
                """SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()
               UNION ALL
               SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal
                 AND database_name = current_database() ORDER BY 1"""
            ).fetchall()
        ]
        for name in names:
            for key, fingerprint in _fingerprints(con, name).items():
                current[key] = fingerprint
                if manifest.get(key) != fingerprint or not (folder / f"{key}.parquet").exists():
                    changed.append(key)

        # The files about to be rewritten leave the manifest first: killed half-way, an export leaves files newer
        # than the manifest says, and one of them, back to the manifest's content later (a restore, a withdrawn
        # day), would be taken as up to date and never written again.
        if changed:
            _write_manifest(folder, {k: v for k, v in manifest.items() if k not in changed})

        # Two files at a time, each on its own cursor: a COPY leaves the cores idle part of the time (about 20 %
        # faster for a year's months).
        def write(key: str) -> Path:
            with con.cursor() as cursor:
                return _write_parquet(cursor, folder, key)

        with ThreadPoolExecutor(max_workers=2) as pool:
            written = list(pool.map(write, changed))
        _write_dictionary(con, folder, names)
    # Files half-written by a killed export (written aside as .<name>.tmp) are never renamed into place: remove them.
    for partial in [*folder.glob(".*.tmp"), *folder.glob("*/.*.tmp")]:
        partial.unlink(missing_ok=True)
    for stale in [*folder.glob("*.parquet"), *folder.glob("*/*.parquet")]:
        if stale.relative_to(folder).with_suffix("").as_posix() not in current:
            stale.unlink()
    for sub in folder.iterdir():
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()
    _write_manifest(folder, current)
    return written


def _write_dictionary(con: duckdb.DuckDBPyConnection, folder: Path, names: list[str]) -> None:
    """``_columns.csv`` beside the Parquet files: each exported table's and column's type and Vietnamese comment, as the
    snapshot's catalogue has them (Parquet carries no comments; an analyst in pandas or Power BI reads this). Written
    aside and renamed into place."""
    target, tmp = folder / "_columns.csv", folder / "._columns.csv.tmp"
    query = """SELECT c.table_name, c.column_name, c.data_type, c.comment AS column_comment,
                      coalesce(t.comment, v.comment) AS table_comment
               FROM duckdb_columns() AS c
               LEFT JOIN duckdb_tables() AS t USING (database_name, schema_name, table_name)
               LEFT JOIN duckdb_views() AS v
                   ON v.database_name = c.database_name AND v.schema_name = c.schema_name AND v.view_name = c.table_name
               WHERE c.schema_name = 'main' AND c.database_name = current_database() AND list_contains(?, c.table_name)
               ORDER BY c.table_name, c.column_index"""
    rows = con.execute(query, [names]).fetchall()
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["table_name", "column_name", "data_type", "column_comment", "table_comment"])
    writer.writerows(rows)
    content = text.getvalue().encode("utf-8-sig")  # (with its BOM: Excel opens it as UTF-8)
    if target.exists() and target.read_bytes() == content:
        return  # unchanged: not rewritten at every publication
    tmp.write_bytes(content)
    os.replace(tmp, target)


def _write_manifest(folder: Path, content: dict[str, str]) -> None:
    """The export's ``_manifest.json`` (file key -> fingerprint), written aside and renamed into place."""
    tmp_manifest = folder / "._manifest.json.tmp"
    tmp_manifest.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp_manifest, folder / "_manifest.json")


def restore_snapshot(snapshot: Path, chosen: Path | None = None, *, keep: int | None = None) -> Path:
    """Put a previous snapshot back (default: the newest kept one), atomically; the one replaced is kept in turn,
    so a restore can itself be undone. Returns the file restored."""
    previous = snapshot_paths(snapshot)
    if chosen is None:
        if not previous:
            raise FileNotFoundError(f"Không có bản chụp cũ nào trong {snapshot.parent / SNAPSHOTS_DIR}.")
        chosen = previous[0]
    elif not chosen.exists():
        candidate = snapshot.parent / SNAPSHOTS_DIR / chosen.name
        if not candidate.exists():
            raise FileNotFoundError(f"Không có bản chụp {chosen}.")
        chosen = candidate
    if keep is None:
        from common.settings import warehouse_settings

        keep = int(warehouse_settings()["snapshot_keep"])
    with _publishing(snapshot):
        _copy_into_place(
            chosen, snapshot, keep
        )  # a copy, not a link: the restored file gets its own time stamp when archived again
        export_parquet(snapshot, snapshot.parent / PARQUET_DIR)
    return chosen
