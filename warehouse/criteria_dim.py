"""``dim_criterion``: the criteria tree each year and index was scored with, written by the scoring steps (PAR, DTI,
QĐ 766) in the same transaction as their marts, so a report describes the tree that was used, not the file on disk
today."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from warehouse.landing import insert_frame


def write_dim_criterion(
    con: duckdb.DuckDBPyConnection,
    rows: list[dict[str, Any]],
    now: datetime,
    *,
    year: int,
    index_code: str,
    tree: str | None = None,
) -> int:
    """Replace the rows of one year and index (of one methodology file only, with ``tree``: QĐ 766 may score the
    periods of a year with two files). Run inside the caller's transaction."""
    where, params = "year = ? AND index_code = ?", [year, index_code]
    if tree is not None:
        where += " AND tree = ?"
        params.append(tree)
    con.execute(f"DELETE FROM dim_criterion WHERE {where}", params)
    insert_frame(con, "dim_criterion", pd.DataFrame([{**r, "loaded_at": now} for r in rows]))
    return len(rows)
