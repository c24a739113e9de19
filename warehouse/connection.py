"""Short-lived DuckDB connections that always close, and publishing the analysts' snapshot."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def publish_snapshot(build: Path, snapshot: Path) -> int:
    """Checkpoint the build file and atomically replace the published snapshot with a copy of it.

    Analysts only ever open ``snapshot`` (read-only), so they never hold the pipeline's write lock; a connection
    already open keeps seeing the previous snapshot, a new one sees the new snapshot. Returns the size in bytes.
    """
    with connect(build) as con:
        con.execute("CHECKPOINT")
    wal = build.with_name(build.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after CHECKPOINT; not publishing a partial snapshot")
    tmp = snapshot.with_name(snapshot.name + ".tmp")
    shutil.copyfile(build, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, snapshot)
    return snapshot.stat().st_size
