"""The one resource every asset uses: where the warehouse, inbox and reports live, and how to open DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from common.settings import get_settings
from warehouse.connection import connect
from warehouse.schema import ensure_schema

# Every asset or check that writes the build file runs in this pool, whose limit is 1 (dagster.yaml):
# DuckDB allows one writing process per file.
WRITER_POOL = "duckdb_writer"


class Warehouse(dg.ConfigurableResource):
    build_db: str
    snapshot_db: str
    inbox: str
    reports: str
    province: str
    pii_salt: str

    @classmethod
    def from_settings(cls) -> Warehouse:
        s = get_settings()
        return cls(build_db=str(s.build_db), snapshot_db=str(s.snapshot_db), inbox=str(s.inbox),
                   reports=str(s.reports), province=s.province, pii_salt=s.pii_salt)

    @property
    def work_dir(self) -> Path:
        """Scratch space for normalised copies of odd input files."""
        return Path(self.build_db).parent / "work"

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(Path(self.build_db)) as con:
            ensure_schema(con)
            yield con

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(Path(self.build_db), read_only=True) as con:
            yield con
