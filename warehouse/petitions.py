"""Write monthly PAKN exports into the warehouse: ``fct_petition``, their rejects in ``quarantine`` (source 'pakn'),
file problems in ``file_issues`` and lineage in ``landed_files``, partitioned by month of reception.

A file replaces everything of its month (a later export of the same month wins, by arrival; the earlier one is named
in a note ``superseded_export``); loading the same file twice
changes nothing (``first_loaded_at`` keeps the first load of identical content). A file that cannot be loaded (empty,
a required column missing, unreadable), has no rows or is cut short replaces nothing: the month keeps the rows,
quarantine and lineage of its earlier good file, and the refusal is recorded in file_issues.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb

from common.units import UnitMatcher
from sources.csvfiles import FileIssue
from sources.excel_intake import folder_files
from sources.petition_format import PETITION_DIR, petition_file_month
from sources.petitions import PetitionResult, read_petitions
from warehouse.landing import (
    ACCEPT_SMALLER_HINT,
    FILE_ISSUE_INSERT,
    QUARANTINE_INSERT,
    file_issue_rows,
    first_loaded_at,
    insert_many,
    keep_earlier_load,
    keep_gone_files,
    modified_at,
    quarantine_row,
    record_subfolder_files,
    replace_file_records,
    transaction,
)
from warehouse.queries import sql

PETITION_SOURCE = "pakn"
_COLUMNS = (
    "petition_code",
    "unit_code",
    "received_at",
    "category",
    "handling",
    "due_at",
    "completed_at",
    "satisfaction",
    "repeated",
)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def load_petitions(
    con: duckdb.DuckDBPyConnection, path: Path, result: PetitionResult, now: datetime, *, accept_smaller: bool = False
) -> dict:
    """Replace the month of one PAKN export with what `read_petitions` made of it (when it is loadable: otherwise only
    its lineage and file issues are recorded and the month keeps its rows), then count each code once again
    (``_count_once_across_months``). A re-delivery of the month with less than half its petitions is refused the same
    way unless ``accept_smaller`` (``shrink_problem``).

    Returns {"file", "month" (first day or None), "status" (loaded | partly_loaded | rejected), "rows_loaded",
    "rows_rejected" (lines with at least one broken rule)}.
    """
    with transaction(con):  # the month's rows, its lineage and the count commit together
        stats = _load_month(con, path, result, now, accept_smaller=accept_smaller)
        _count_once_across_months(con, now)
    return stats


def _load_month(
    con: duckdb.DuckDBPyConnection, path: Path, result: PetitionResult, now: datetime, *, accept_smaller: bool
) -> dict:
    """``load_petitions`` of one file into stg_petition, fct_petition left as it was (in the caller's transaction)."""
    first = first_loaded_at(con, PETITION_SOURCE, path.name, result.sha256, now)
    # The month of the export (from its content or name, as the reader found it) on its rows and issues.
    labels = (
        {"year": result.month.year, "period_label": f"{result.month:%Y}-M{result.month:%m}"} if result.month is not None else None
    )
    hint = None if accept_smaller else ACCEPT_SMALLER_HINT.format(step="petitions")
    kept = keep_earlier_load(con, PETITION_SOURCE, path, result, now, result.month, labels=labels, shrink_hint=hint)
    if kept:  # an empty, broken or cut-short re-delivery: the month keeps its earlier good rows
        return {"file": path.name, "month": result.month, **kept}
    if result.loadable:
        _replace_rows(con, path, result)
    stats = replace_file_records(
        con,
        source=PETITION_SOURCE,
        file_name=path.name,
        partition_date=result.month,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
        encoding=result.encoding,
        loadable=result.loadable,
        rows_loaded=len(result.rows),
        rejects=result.rejects,
        issues=[*result.file_issues, *_month_unknown(result)],
        first=first,
        now=now,
        replaces_partition=True,
        labels=labels,
    )
    return {"file": path.name, "month": result.month, **stats}


# The share of a month's rows that must load for the QĐ 766 index to count its petitions (``months_with_petitions``
# in warehouse/qd766.py); below it the month is unknown, not the few that loaded (none: full points on 5.2 and 5.3).
USABLE_MONTH_SHARE = 0.5


def _month_unknown(result: PetitionResult) -> list[FileIssue]:
    """The note of a month loaded with fewer than ``USABLE_MONTH_SHARE`` of its rows: the index takes it as unknown."""
    rejected = len({r.get("row_number") for r in result.rejects})
    loaded = len(result.rows)
    if not result.loadable or result.month is None or loaded >= USABLE_MONTH_SHARE * (loaded + rejected):
        return []
    return [
        FileIssue(
            "month_unknown",
            f"Chỉ nạp được {loaded}/{loaded + rejected} dòng của tháng {result.month:%m/%Y} (các dòng bị loại: xem bảng "
            "dòng bị loại): tháng này coi như chưa có số liệu PAKN, các chỉ tiêu 5.2, 5.3 của QĐ 766 không tính điểm. "
            "Sửa tệp (thường là định dạng ngày) và gửi lại.",
        )
    ]


def _replace_rows(con: duckdb.DuckDBPyConnection, path: Path, result: PetitionResult) -> None:
    if result.month is not None:
        con.execute(
            "DELETE FROM stg_petition WHERE source_file = ? OR (received_at >= ? AND received_at < ?)",
            [path.name, result.month, _next_month(result.month)],
        )
    else:
        con.execute("DELETE FROM stg_petition WHERE source_file = ?", [path.name])
    # One insert of all the file's rows from a frame: executemany ran the insert once a row (1.2 s for a year's 2,100).
    import pandas as pd  # (here: the code location loads without pandas)

    rows = pd.DataFrame(
        [{**{c: r[c] for c in _COLUMNS}, "source_file": path.name, "source_row": r["source_row"]} for r in result.rows],
        columns=[*_COLUMNS, "source_file", "source_row"],
    )
    if rows.empty:
        return
    con.register("_petition_rows", rows)
    try:
        con.execute(sql("petitions/insert_petition"))
    finally:
        con.unregister("_petition_rows")


def petition_files(folder: Path) -> list[Path]:
    """Every file delivered to the PAKN folder, oldest month first (lock, hidden and temporary files left out). The
    month is read from the name in any of its spellings and letter cases (``petition_file_month``); a file whose name
    gives no month, or that is not a .csv, comes last and is refused by the reader with the reason, never passed over.
    Files of one month come in the order they arrived (their time on disk, then name), so the later delivery (a
    browser's ``pakn_202601 (1).csv``) is loaded last and wins, whatever the names sort like."""
    return sorted(folder_files(folder), key=lambda p: (petition_file_month(p.name) or date.max, modified_at(p), p.name))


def _note_superseded(con: duckdb.DuckDBPyConnection, loaded: list[dict], now: datetime) -> None:
    """A month delivered in several loadable files: the last one replaced the others' rows and records, so each
    earlier one is named in a note (nothing goes unseen)."""
    by_month: dict[date, list[str]] = defaultdict(list)
    for stats in loaded:
        if stats["month"] is not None and stats["status"] in ("loaded", "partly_loaded"):
            by_month[stats["month"]].append(stats["file"])
    rows = []
    for month, files in by_month.items():
        for earlier in files[:-1]:
            note = FileIssue(
                "superseded_export",
                f"Tệp '{earlier}' cùng tháng {month:%m/%Y} với tệp '{files[-1]}' gửi sau: dùng số liệu của tệp gửi sau, "
                "không dùng tệp này. Nếu tệp này mới là bản đúng, đề nghị xóa tệp kia khỏi thư mục pakn/.",
                blocking=False,
            )
            rows += file_issue_rows(PETITION_SOURCE, earlier, month, [note], now)
    if rows:
        insert_many(con, FILE_ISSUE_INSERT, rows)


def load_petition_folder(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    *,
    matcher: UnitMatcher,
    work_dir: Path,
    now: datetime,
    accept_smaller: bool = False,
    withdraw: bool = False,
) -> dict:
    """Read and load every monthly export in ``inbox/pakn/``. A month whose file is gone from the inbox keeps its rows
    with a ``file_gone`` note, unless ``withdraw`` (the asset's config).

    Returns {"files", "files_rejected", "rows_loaded", "rows_rejected", "months": [per-file dicts of load_petitions]}.
    """
    # A date after the day of reading rejects its row: by the clock, not CCHC_TODAY (a report as of a past day keeps
    # the completions after it).
    files = petition_files(inbox / PETITION_DIR)
    results = [(p, read_petitions(p, matcher, work_dir, today=now.date())) for p in files]
    # One commit for the months' rows and lineage and the count: a run killed between them left landed_files naming
    # files whose petitions fct_petition did not count yet.
    with transaction(con):
        loaded = [_load_month(con, p, result, now, accept_smaller=accept_smaller) for p, result in results]
        _note_superseded(con, loaded, now)
        gone = _keep_gone_months(con, {p.name for p in files}, {r.sha256 for _, r in results}, withdraw, now)
        counted_once = _count_once_across_months(con, now)
    with transaction(con):  # an export put in a sub-folder of pakn/ is not read: refused naming it, never passed over
        record_subfolder_files(con, PETITION_SOURCE, inbox / PETITION_DIR, None, now)
    return {
        "files": len(loaded),
        "files_rejected": sum(s["status"] == "rejected" for s in loaded),
        "files_kept_earlier": sum(s["status"] == "kept_earlier" for s in loaded),
        "rows_loaded": sum(s["rows_loaded"] for s in loaded),
        "rows_rejected": sum(s["rows_rejected"] for s in loaded),
        "petitions_in_two_months": counted_once,
        "files_gone_kept": len(gone),
        "months": loaded,
    }


TWO_MONTHS = "petition_in_two_months"


def _keep_gone_months(
    con: duckdb.DuckDBPyConnection, present: set[str], shas: set[str | None], withdraw: bool, now: datetime
) -> list[str]:
    """The loaded monthly files no longer in pakn/ keep their rows with a ``file_gone`` note (warehouse/landing.py
    ``keep_gone_files``; before, silently), or with ``withdraw`` go with their rows; returns the kept ones."""
    loaded = con.execute(
        """SELECT s.source_file, any_value(l.sha256), any_value(l.partition_date) FROM stg_petition AS s
           LEFT JOIN landed_files AS l ON l.source = ? AND l.file_name = s.source_file GROUP BY 1 ORDER BY 1""",
        [PETITION_SOURCE],
    ).fetchall()
    note = (
        f"Tệp không còn trong thư mục {PETITION_DIR}/: số liệu đã nạp của tháng vẫn được dùng. Muốn bỏ số liệu này, chạy "
        "lại bước petitions với cấu hình withdraw: true."
    )
    files = [
        (name, sha, month, {"year": month.year, "period_label": f"{month:%Y}-M{month:%m}"} if month else {}, False)
        for name, sha, month in loaded
    ]
    kept = keep_gone_files(
        con, PETITION_SOURCE, files, present, {sha for sha in shas if sha}, withdraw=withdraw, note=note, now=now
    )
    con.execute(
        "DELETE FROM stg_petition WHERE NOT list_contains(?, source_file) AND NOT list_contains(?, source_file)",
        [sorted(present), kept],
    )
    return kept


def _count_once_across_months(con: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """A petition code in the files of two months (two reception dates; a file holds its own month only) counts
    once: of the rows loaded (stg_petition), the row of the later month is the petition (fct_petition), the earlier
    is put in the quarantine saying where the code is counted. Decided by the data, not by the order the files were
    loaded in, and again at every run from every month loaded (a month whose file is gone or kept from an earlier
    load included): the earlier row comes back when the later month no longer has the code. Returns how many rows
    are counted in a later month."""
    con.execute("DELETE FROM quarantine WHERE source = ? AND rule = ?", [PETITION_SOURCE, TWO_MONTHS])
    earlier = con.execute(
        """WITH kept AS (
               SELECT petition_code, arg_max(source_file, received_at) AS kept_file, max(received_at) AS kept_at
               FROM stg_petition GROUP BY petition_code HAVING count(*) > 1
           )
           SELECT p.petition_code, p.unit_code, p.source_file, p.source_row, p.received_at, k.kept_file, k.kept_at
           FROM stg_petition AS p INNER JOIN kept AS k USING (petition_code)
           WHERE p.received_at < k.kept_at ORDER BY p.source_file, p.source_row"""
    ).fetchall()
    rows = [
        quarantine_row(
            source=PETITION_SOURCE,
            file_name=source_file,
            partition_date=received.date().replace(day=1),
            row_number=row,
            unit_code=unit,
            record_key=code,
            rule=TWO_MONTHS,
            reason=(
                f"Mã PAKN {code} (tiếp nhận {received:%d/%m/%Y}) cũng có trong tệp '{kept_file}' (tiếp nhận "
                f"{kept_at:%d/%m/%Y}): chỉ tính một lần, ở tháng sau. Đề nghị kiểm tra mã và ngày tiếp nhận trên hệ thống."
            ),
            value=code,
            loaded_at=now,
            year=received.year,
            period_label=f"{received:%Y}-M{received:%m}",
        )
        for code, unit, source_file, row, received, kept_file, kept_at in earlier
    ]
    insert_many(con, QUARANTINE_INSERT, rows)
    con.execute("DELETE FROM fct_petition")
    con.execute(
        """INSERT INTO fct_petition BY NAME SELECT * FROM stg_petition AS p WHERE NOT EXISTS (
               SELECT 1 FROM stg_petition AS q WHERE q.petition_code = p.petition_code AND q.received_at > p.received_at)
           ORDER BY p.received_at, p.source_file, p.source_row"""
    )
    return len(rows)
