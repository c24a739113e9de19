"""Daily backup of what cannot be rebuilt from the inbox alone: published snapshot, kept snapshots and their Parquet
export, Dagster's run history (DAGSTER_HOME), the officials' workbooks and the logs.

    python3 deploy/backup.py            # `make backup`; the timer deploy/cchc-thainguyen-backup.timer runs it daily

One folder per backup, ``<CCHC_BACKUP_DIR>/cchc_<YYYYmmddTHHMMSS>/`` with ``warehouse/``, ``dagster_home/``,
``reports/``, ``logs/``, written as ``….partial`` and renamed when complete. A file unchanged since the previous backup
(same size and modification time: the kept snapshots, last month's workbooks) is a hard link to the previous copy,
so a day costs only what changed. Dagster's SQLite files are copied with SQLite's online backup, consistent while
the daemon writes. Backups older than ``CCHC_BACKUP_KEEP_DAYS`` days are removed (the newest is always kept).

The pipeline's build file is copied too (it remembers what the inbox may no longer hold: earlier loads kept against
a bad re-delivery, every plan revision), but only while no run writes it: with a write-ahead log beside it, or
changed during the copy, the previous backup's copy stands in and the summary says so.

Not copied: the intake's scratch folder ``work/``, the inbox itself (it holds citizens' personal
data: back it up apart, to a place protected like the inbox, only if the source systems cannot deliver again), and the
PII secret (keep it apart from the data it protects, see the README's "Data safety"). Only the standard library:
it runs with the system's python3, without the project's environment.
"""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import sys
import time
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "cchc_"
STAMP = "%Y%m%dT%H%M%S"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var, "").strip()
    return Path(value).expanduser().resolve() if value else default


def sources() -> dict[str, tuple[Path, tuple[str, ...]]]:
    """name in the backup → (folder, sub-paths to skip). Defaults as in common/settings.py and pipelines/instance.py."""
    warehouse = _path("CCHC_WAREHOUSE_DIR", ROOT / "data" / "warehouse")
    out = {
        # work/: the intake's scratch files, never kept. The build file (build/ or warehouse_build.duckdb) is copied
        # only while no run writes it (see copy_tree).
        "warehouse": (warehouse, ("work",)),
        "dagster_home": (_path("DAGSTER_HOME", ROOT / "data" / "dagster_home"), ()),
        "reports": (_path("CCHC_REPORTS", ROOT / "data" / "reports"), ()),
        "logs": (_path("CCHC_LOG_DIR", ROOT / "data" / "logs"), ()),
    }
    build = _path("CCHC_BUILD_DIR", warehouse / "build")
    if not build.is_relative_to(warehouse):  # a build folder of its own, elsewhere
        out["build"] = (build, ())
    return out


def _skipped(rel: Path, skip: tuple[str, ...]) -> bool:
    return (rel.parts[0] in skip) or rel.name.endswith((".tmp", ".partial", ".duckdb.wal"))


def _sqlite(path: Path) -> bool:
    if path.suffix != ".db":
        return False
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _duckdb_busy(path: Path) -> bool:
    """A DuckDB file with a write-ahead log beside it is being written (or was left by a killed run): its main file
    alone is not a consistent state. Without one, the file is the state of its last checkpoint."""
    return path.suffix == ".duckdb" and path.with_name(path.name + ".wal").exists()


def _by_stat(previous: Path | None) -> dict[tuple[int, int, str], Path]:
    """The previous backup's DuckDB files by (size, modification time, suffix): yesterday's published snapshot is
    today's kept one under another name (snapshots/warehouse_<time>.duckdb, a hard link of the same file), linked
    instead of copied again."""
    if previous is None or not previous.is_dir():
        return {}
    found = {}
    for path in previous.rglob("*.duckdb"):
        info = path.stat()
        found[info.st_size, info.st_mtime_ns, path.suffix] = path
    return found


def copy_tree(src: Path, dst: Path, previous: Path | None, skip: tuple[str, ...], stats: dict) -> None:
    same_file = _by_stat(previous)
    for dirpath, dirnames, filenames in os.walk(src):
        here = Path(dirpath)
        rel_dir = here.relative_to(src)
        dirnames[:] = sorted(d for d in dirnames if not _skipped(rel_dir / d, skip))
        (dst / rel_dir).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            rel = rel_dir / name
            source = here / name
            if _skipped(rel, skip) or name.endswith(SQLITE_SIDE_FILES) or not source.is_file():
                continue
            target = dst / rel
            try:
                info = source.stat()
                if _sqlite(source):  # a consistent copy while Dagster writes (its WAL included)
                    with (
                        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)) as db,
                        closing(sqlite3.connect(target)) as out,
                    ):
                        db.backup(out)
                    shutil.copystat(source, target)
                    stats["copied"] += 1
                    stats["bytes"] += target.stat().st_size
                    continue
                old = previous / rel if previous else None
                if old is not None and old.is_file():
                    kept = old.stat()
                    if kept.st_size == info.st_size and kept.st_mtime_ns == info.st_mtime_ns:
                        os.link(old, target)
                        stats["linked"] += 1
                        continue
                moved = same_file.get((info.st_size, info.st_mtime_ns, source.suffix))
                if moved is not None and not _duckdb_busy(source):  # (the file renamed since: see _by_stat)
                    os.link(moved, target)
                    stats["linked"] += 1
                    continue
                if not _duckdb_busy(source):
                    # the published snapshot is replaced by rename: this reads one whole file
                    shutil.copy2(source, target)
                    after = source.stat()
                    if not _duckdb_busy(source) and (after.st_size, after.st_mtime_ns) == (info.st_size, info.st_mtime_ns):
                        stats["copied"] += 1
                        stats["bytes"] += info.st_size
                        continue
                    target.unlink()
                # written during the backup: the previous backup's copy (consistent, older) stands in for it
                if old is not None and old.is_file():
                    os.link(old, target)
                    stats["busy"].append(f"{rel} (busy: previous copy kept)")
                else:
                    stats["busy"].append(f"{rel} (busy: not copied)")
            except FileNotFoundError:  # removed meanwhile (a snapshot past retention, a temporary file)
                continue


def prune(dest: Path, keep_days: float, now: datetime) -> list[str]:
    backups = sorted(p for p in dest.glob(f"{PREFIX}*") if p.is_dir() and not p.name.endswith(".partial"))
    removed = []
    for old in backups[:-1]:  # the newest is always kept
        try:
            when = datetime.strptime(old.name[len(PREFIX) :], STAMP)
        except ValueError:
            continue
        if now - when > timedelta(days=keep_days):
            shutil.rmtree(old)
            removed.append(old.name)
    for stale in dest.glob(f"{PREFIX}*.partial"):  # left by a backup that was killed
        shutil.rmtree(stale, ignore_errors=True)
    return removed


def _lock(path: Path):
    """An exclusive lock held while the process lives (flock on Linux, msvcrt on Windows); None if taken."""
    handle = path.open("a+")
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def main() -> int:
    dest = _path("CCHC_BACKUP_DIR", ROOT / "data" / "backups")
    keep_days = float(os.environ.get("CCHC_BACKUP_KEEP_DAYS", "").strip() or 14)
    dest.mkdir(parents=True, exist_ok=True, mode=0o750)
    lock = _lock(dest / ".lock")
    if lock is None:
        print(f"Another backup is running into {dest}: nothing done.", file=sys.stderr)
        return 1
    start = time.monotonic()
    now = datetime.now()
    previous = max((p for p in dest.glob(f"{PREFIX}*") if p.is_dir() and not p.name.endswith(".partial")), default=None)
    final = dest / f"{PREFIX}{now:{STAMP}}"
    while final.exists():  # two backups within one second: names are to the second
        time.sleep(1)
        now = datetime.now()
        final = dest / f"{PREFIX}{now:{STAMP}}"
    work = final.with_name(final.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    stats = {"copied": 0, "linked": 0, "bytes": 0, "busy": []}
    absent, missing = [], []
    for name, (folder, skip) in sources().items():
        if not folder.is_dir():  # e.g. no logs yet: said, not a failure
            absent.append(f"{name} ({folder})")
            continue
        copy_tree(folder, work / name, previous / name if previous else None, skip, stats)
    if not (work / "warehouse" / "warehouse.duckdb").is_file():
        missing.append("published snapshot warehouse.duckdb")
    (work / "BACKUP.txt").write_text(
        f"cchc-thainguyen backup of {now:%Y-%m-%d %H:%M:%S} on {platform.node()}\n"
        + "".join(f"{name}: {folder}\n" for name, (folder, _) in sources().items())
        + "".join(f"absent: {a}\n" for a in absent)
        + "".join(f"busy: {b}\n" for b in stats["busy"])
        + "".join(f"MISSING: {m}\n" for m in missing),
        encoding="utf-8",
    )
    work.rename(final)
    removed = prune(dest, keep_days, now)
    print(
        f"{final}: {stats['copied']} files copied ({stats['bytes'] / 2**20:.0f} MiB), {stats['linked']} unchanged "
        f"linked to {previous.name if previous else '-'}; {len(removed)} older than {keep_days:g} days removed; "
        f"{time.monotonic() - start:.1f} s"
        + (f"; absent: {', '.join(absent)}" if absent else "")
        + (f"; written during the backup: {', '.join(stats['busy'])}" if stats["busy"] else "")
        + (f"; MISSING: {', '.join(missing)}" if missing else "")
    )
    return 2 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
