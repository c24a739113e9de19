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

from sources.csvfiles import FileIssue
from sources.procedure_publication import WRONG_KIND_REASON, PublicationResult, RegisterFiles, read_publication, register_files
from sources.publication_format import PUBLICATION_FILE_NAME
from warehouse.landing import (
    ACCEPT_SMALLER_HINT,
    FILE_ISSUE_INSERT,
    file_issue_rows,
    first_loaded_at,
    insert_many,
    keep_earlier_load,
    replace_file_records,
    transaction,
)
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


def load_publication(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    result: PublicationResult,
    now: datetime,
    *,
    file_name: str | None = None,
    accept_smaller: bool = False,
) -> dict:
    """Replace the register with what `read_publication` made of `path` (when it is loadable: otherwise only its
    lineage and file issues are recorded and the earlier register's rows stay). ``file_name``: the name it is recorded
    under (default: the file's own; the standard name for CONG_BO_TTHC.CSV, so it replaces the earlier register).
    A register of far fewer rows than the earlier one is refused unless ``accept_smaller`` (``shrink_problem``).

    Returns {"file", "status" (loaded | partly_loaded | rejected), "rows_loaded", "rows_rejected" (lines with at least
    one broken rule)}.
    """
    name = file_name or path.name
    first = first_loaded_at(con, PUBLICATION_SOURCE, name, result.sha256, now)
    with transaction(con):
        hint = None if accept_smaller else ACCEPT_SMALLER_HINT.format(step="procedure_publication")
        kept = keep_earlier_load(con, PUBLICATION_SOURCE, path.with_name(name), result, now, shrink_hint=hint)
        if kept:  # an empty, broken or cut-short re-delivery: the earlier good register stays
            return {"file": name, **kept}
        if result.loadable:
            con.execute("DELETE FROM fct_procedure_publication")
            insert_many(
                con,
                sql("publication/insert_publication"),
                [{**{c: r[c] for c in _COLUMNS}, "source_file": name, "source_row": r["source_row"]} for r in result.rows],
            )
        stats = replace_file_records(
            con,
            source=PUBLICATION_SOURCE,
            file_name=name,
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
    return {"file": name, **stats}


def _record_wrong_kind(con: duckdb.DuckDBPyConnection, files: RegisterFiles, now: datetime) -> None:
    """A ``wrong_file_kind`` issue for each file of the register's name in another kind (cong_bo_tthc.xlsx); those of
    files no longer in the inbox are removed. A file seen again keeps the time of its first report."""
    earlier = dict(
        con.execute(
            "SELECT file_name, min(loaded_at) FROM file_issues WHERE source = ? AND rule = 'wrong_file_kind' "
            "AND lower(file_name) <> ? GROUP BY file_name",
            [PUBLICATION_SOURCE, PUBLICATION_FILE_NAME],
        ).fetchall()
    )
    for name in earlier:
        con.execute("DELETE FROM file_issues WHERE source = ? AND file_name = ?", [PUBLICATION_SOURCE, name])
    for path in files.wrong_kind:
        reason = WRONG_KIND_REASON.format(expected=PUBLICATION_FILE_NAME, suffix=path.suffix.lower() or "không đuôi")
        rows = file_issue_rows(
            PUBLICATION_SOURCE, path.name, None, [FileIssue("wrong_file_kind", reason)], earlier.get(path.name, now)
        )
        insert_many(con, FILE_ISSUE_INSERT, rows)


def load_publication_register(
    con: duckdb.DuckDBPyConnection, inbox: Path, *, work_dir: Path, now: datetime, accept_smaller: bool = False
) -> dict | None:
    """Read ``inbox/tthc/cong_bo_tthc.csv`` (whatever the letter case of its name, recorded under the standard name)
    against the procedure codes of ``dim_procedure`` (load the catalogue first) and load it; None when the inbox has no
    register (the tables are left as they are). A file of the register's name in another kind (``.xlsx``) is not read:
    it gets a ``wrong_file_kind`` issue saying to send CSV UTF-8."""
    files = register_files(inbox / "tthc")
    with transaction(con):
        _record_wrong_kind(con, files, now)
    wrong = ", ".join(p.name for p in files.wrong_kind)
    if files.path is None:
        return {"file": wrong, "status": "rejected", "rows_loaded": 0, "rows_rejected": 0} if wrong else None
    known = [r[0] for r in con.execute("SELECT procedure_code FROM dim_procedure").fetchall()]
    result = read_publication(files.path, work_dir, known, today=now.date())  # by the clock, as the petitions
    if files.others:
        names = ", ".join(f"'{p.name}'" for p in files.others)
        reason = (
            f"Còn có tệp {names} cùng tên sổ công bố (tên khác chữ hoa/thường, hoặc bản tải về lần nữa): chỉ nạp tệp "
            f"'{files.path.name}' (tệp gửi sau cùng; bản giống hệt không thay tệp tên chuẩn); đề nghị xóa tệp thừa."
        )
        result.file_issues.append(FileIssue("same_name_other_case", reason, blocking=False))
    stats = load_publication(con, files.path, result, now, file_name=PUBLICATION_FILE_NAME, accept_smaller=accept_smaller)
    return {**stats, "wrong_kind_files": wrong} if wrong else stats
