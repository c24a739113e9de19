"""Small DuckDB helpers shared by readers and loaders."""

from __future__ import annotations

from typing import Any

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """First column of the first row; fetches everything so no result stays open on the connection (DuckDB 2)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None
