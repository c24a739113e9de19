"""Unit names and Vietnamese sort keys on the marts.

``ORDER BY unit_name`` sorts by code point: "Đ" (U+0110) lands after "Y". Every mart about units therefore carries
``sort_key``, the zero-padded rank of the unit's name in Vietnamese order (``common.vntext.sort_key``: a ă â b c d đ
…, then tones), computed once over agencies, communes/wards and the department's offices, so the same key sorts
across marts and in any client (DuckDB 1.x, Excel, Parquet readers) without a collation.
"""

from __future__ import annotations

import duckdb

from common.vntext import search_text
from common.vntext import sort_key as vietnamese_key
from warehouse.queries import sql

# Marts keyed by unit_code that carry unit_name and sort_key (filled here, not by their builders).
UNIT_MARTS = (
    "mart_qd766_indicator",
    "mart_qd766_unit",
    "mart_qd766_reconciliation",
    "mart_par_criterion",
    "mart_par_domain",
    "mart_par_unit",
    "mart_dti_component",
    "mart_dti_index",
    "mart_dti_pillar",
    "mart_dti_unit",
    "mart_task_completion",
)


def unit_sort_keys(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(code, name, sort_key) of every unit and office, in Vietnamese order of the name (code breaks ties)."""
    rows = con.execute("""SELECT unit_code, unit_name FROM dim_unit
                          UNION ALL SELECT office_code, office_name FROM dim_office""").fetchall()
    ordered = sorted(rows, key=lambda r: (vietnamese_key(r[1]), r[0]))
    return [(code, name, f"{i:05d}") for i, (code, name) in enumerate(ordered, 1)]


def label_units(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Set sort_key on dim_unit and dim_office, search_name on dim_unit, and unit_name and sort_key on ``tables``
    from their unit_code (a row whose unit_code matches no unit keeps its unit_name and a NULL sort_key, which sorts
    last)."""
    labels = [(code, name, key, search_text(name)) for code, name, key in unit_sort_keys(con)]
    con.execute("CREATE OR REPLACE TEMP TABLE unit_labels (code VARCHAR, name VARCHAR, sort_key VARCHAR, search_name VARCHAR)")
    if labels:  # temp table above
        con.executemany("INSERT INTO unit_labels (code, name, sort_key, search_name) VALUES (?, ?, ?, ?)", labels)
    con.execute(sql("labels/set_unit_sort_keys"))
    con.execute(sql("labels/set_office_sort_keys"))
    # One statement per table named by the caller: stays here, built from the table's name.
    for table in tables:
        con.execute(f"""UPDATE {table} SET unit_name = l.name, sort_key = l.sort_key FROM unit_labels l
                        WHERE {table}.unit_code = l.code
                          AND ({table}.sort_key IS DISTINCT FROM l.sort_key OR {table}.unit_name IS DISTINCT FROM l.name)""")
    con.execute("DROP TABLE unit_labels")
