"""Write the procedure publication register into ``fct_procedure_publication``, its rejects into ``quarantine``
(source 'tthc_publication'), file problems into ``file_issues`` and lineage into ``landed_files``.

The register is one file holding every decision, so each load replaces the whole table; loading the same file twice
changes nothing (``first_loaded_at`` keeps the first load of identical content). A register that cannot be loaded
(empty, a required column missing, unreadable), has no rows or is cut short replaces nothing: the rows, quarantine
and lineage of the earlier good register stay, and the refusal is recorded in file_issues.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from sources.procedure_publication import PublicationResult, read_publication
from sources.publication_format import PUBLICATION_FILE_NAME
from warehouse.landing import first_loaded_at, insert_many, keep_earlier_load, replace_file_records, transaction
from warehouse.queries import sql

PUBLICATION_SOURCE = "tthc_publication"
_COLUMNS = (
    "decision_number",
    "decision_date",
    "procedure_code",
    "legal_effective_date",
    "made_public_date",
    "parts_complete",
    "missing_parts",
)


def load_publication(con: duckdb.DuckDBPyConnection, path: Path, result: PublicationResult, now: datetime) -> dict:
    """Replace the register with what `read_publication` made of `path` (when it is loadable: otherwise only its
    lineage and file issues are recorded and the earlier register's rows stay).

    Returns {"file", "status" (loaded | partly_loaded | rejected), "rows_loaded", "rows_rejected" (lines with at least
    one broken rule)}.
    """
    first = first_loaded_at(con, PUBLICATION_SOURCE, path.name, result.sha256, now)
    with transaction(con):
        kept = keep_earlier_load(con, PUBLICATION_SOURCE, path, result, now)
        if kept:  # an empty, broken or cut-short re-delivery: the earlier good register stays
            return {"file": path.name, **kept}
        if result.loadable:
            con.execute("DELETE FROM fct_procedure_publication")
            insert_many(
                con,
                sql("publication/insert_publication"),
                [{**{c: r[c] for c in _COLUMNS}, "source_file": path.name, "source_row": r["source_row"]} for r in result.rows],
            )
        stats = replace_file_records(
            con,
            source=PUBLICATION_SOURCE,
            file_name=path.name,
            partition_date=None,
            sha256=result.sha256,
            size_bytes=result.size_bytes,
            encoding=result.encoding,
            loadable=result.loadable,
            rows_loaded=len(result.rows),
            rejects=result.rejects,
            issues=result.file_issues,
            first=first,
            now=now,
            replaces_partition=True,
        )
    return {"file": path.name, **stats}


def load_publication_register(con: duckdb.DuckDBPyConnection, inbox: Path, *, work_dir: Path, now: datetime) -> dict | None:
    """Read ``inbox/tthc/cong_bo_tthc.csv`` against the procedure codes of ``dim_procedure`` (load the catalogue
    first) and load it; None when the inbox has no register (the tables are left as they are)."""
    path = inbox / "tthc" / PUBLICATION_FILE_NAME
    if not path.exists():
        return None
    known = [r[0] for r in con.execute("SELECT procedure_code FROM dim_procedure").fetchall()]
    return load_publication(con, path, read_publication(path, work_dir, known), now)
