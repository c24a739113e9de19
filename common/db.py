"""Small DuckDB helpers shared by readers and loaders."""

from __future__ import annotations

from typing import Any

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> Any:
    """First column of the first row; fetches everything so no result stays open on the connection (DuckDB 2)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def rows_as_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
    """Every row as a dict of Python values (dates stay ``date``); fetches everything (DuckDB 2)."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
