"""Quarantine, file issues and lineage of one landed file: shared by the loaders of small files (catalogue, petitions,
procedure publication), and the transaction every loader writes in. Callers run these inside their own transaction."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from common.pii import file_name_shown, mask_quote
from common.settings import local_time_of
from common.vntext import QUOTE_LIMIT, REASON_LIMIT, count_text, shorten
from sources.csvfiles import FileIssue, ReadResult
from sources.excel_intake import WORKBOOK_KINDS, folder_files, personal_named_files, subfolder_files
from sources.intake import STILL_COPYING_REASON
from warehouse.queries import sql

if TYPE_CHECKING:  # pandas costs ~1 s to import: the code location must load without it
    import pandas as pd


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN, then COMMIT; ROLLBACK and re-raise on any exception, so a failed load leaves no open transaction."""
    con.execute("BEGIN")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# What a loader knows of a whole file and writes on each of its quarantine rows and file issues (issue 13): the
# year and period its data belongs to, the index (par, dti, qd766, tasks) and the unit that sent it; a row or issue
# that names its own unit or criterion keeps it. Reports read these columns instead of parsing names or sentences.
LABEL_COLUMNS = ("year", "period_label", "index_code", "unit_code", "endpoint", "captured_at")
# Inserts by name (warehouse/sql/landing/): each row is a dict of the columns it fills, the rest are NULL.
QUARANTINE_COLUMNS = (
    "source",
    "file_name",
    "partition_date",
    "row_number",
    "unit_code",
    "unit_name",
    "record_key",
    "rule",
    "reason",
    "value",
    "loaded_at",
    "year",
    "period_label",
    "index_code",
    "criterion_code",
    "endpoint",
    "captured_at",
)
FILE_ISSUE_COLUMNS = (
    "source",
    "file_name",
    "partition_date",
    "rule",
    "reason",
    "blocking",
    "loaded_at",
    "unit_code",
    "year",
    "period_label",
    "index_code",
    "criterion_code",
    "endpoint",
    "captured_at",
)
LANDED_FILE_COLUMNS = (
    "source",
    "file_name",
    "partition_date",
    "sha256",
    "size_bytes",
    "encoding",
    "status",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "first_loaded_at",
    "loaded_at",
    "pii_secret",
)
QUARANTINE_INSERT = sql("landing/insert_quarantine")
FILE_ISSUE_INSERT = sql("landing/insert_file_issue")
LANDED_FILE_INSERT = sql("landing/insert_landed_file")


def named_row(columns: tuple[str, ...], **values: Any) -> dict[str, Any]:
    """The parameters of an insert by name: every column of ``columns``, None where ``values`` has none."""
    unknown = set(values) - set(columns)
    if unknown:
        raise KeyError(f"not a column: {sorted(unknown)}")
    return {c: values.get(c) for c in columns}


# Texts of a rejected row that quote what a file holds: a citizen's name, phone or ID number typed into a coded column
# (a unit's name, a status, a category) would otherwise rest in the quarantine, its Parquet and the quality reports.
_QUOTING = ("unit_name", "record_key", "criterion_code", "reason", "value")


def quarantine_row(**values: Any) -> dict[str, Any]:
    """The parameters of QUARANTINE_INSERT (``named_row``), personal data in its quoting texts masked, names too
    (``common.pii.mask_quote``)."""
    row = named_row(QUARANTINE_COLUMNS, **values)
    row |= {c: mask_quote(row[c]) if isinstance(row[c], str) else row[c] for c in _QUOTING}
    # A whole pasted text quoted by a reader (a 200 kB cell) is cut here, for every source: masked first, so a cut
    # never leaves half a number unmasked.
    for column in _QUOTING:
        if isinstance(row[column], str):
            row[column] = shorten(row[column], REASON_LIMIT if column == "reason" else QUOTE_LIMIT)
    return row


def _ASSESSMENT(labels: dict[str, Any]) -> bool:
    """A note on an assessment form, appraisal or survey (sources/par_forms.py) names its criterion in ``record_key``."""
    return labels.get("index_code") in ("par", "dti")


def insert_many(con: duckdb.DuckDBPyConnection, sql: str, rows: list) -> None:
    if rows:  # DuckDB refuses executemany with no parameter sets
        con.executemany(sql, rows)


def file_issue_rows(
    source: str, file_name: str, day: date | None, issues: list[FileIssue], at: datetime, labels: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rows for FILE_ISSUE_INSERT; an issue's own ``criterion_code`` (or, for a form's cell, its ``record_key``: the
    criterion code) is kept."""
    labels = labels or {}
    return [
        named_row(
            FILE_ISSUE_COLUMNS,
            source=source,
            file_name=file_name,
            partition_date=day,
            rule=i.rule,
            reason=mask_quote(i.reason),
            blocking=i.blocking,
            loaded_at=at,
            unit_code=labels.get("unit_code"),
            year=labels.get("year"),
            period_label=labels.get("period_label"),
            index_code=labels.get("index_code"),
            criterion_code=mask_quote(
                getattr(i, "criterion_code", None) or (getattr(i, "record_key", None) if _ASSESSMENT(labels) else None)
            ),
            endpoint=labels.get("endpoint"),
            captured_at=labels.get("captured_at"),
        )
        for i in issues
    ]


def first_loaded_at(con: duckdb.DuckDBPyConnection, source: str, file_name: str, sha256: str, now: datetime) -> datetime:
    """When this exact content (name and sha256) was first loaded; `now` for new content."""
    rows = con.execute(
        "SELECT min(first_loaded_at) FROM landed_files WHERE source = ? AND file_name = ? AND sha256 = ?",
        [source, file_name, sha256],
    ).fetchall()
    return rows[0][0] or now


def modified_at(path: Path) -> datetime:
    """A file's modification time in Vietnam time (as ``now``), to order files whose content first arrived in the same
    run and to date a form's arrival; datetime.min for a file gone since it was read."""
    try:
        return local_time_of(path.stat().st_mtime)
    except OSError:
        return datetime.min


def file_status(loadable: bool, rejected_rows: int) -> str:
    if not loadable:
        return "rejected"
    return "partly_loaded" if rejected_rows else "loaded"


def replace_file_records(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    file_name: str,
    partition_date: date | None,
    sha256: str,
    size_bytes: int,
    encoding: str,
    loadable: bool,
    rows_loaded: int,
    rejects: list[dict],
    issues: list[FileIssue],
    now: datetime,
    first: datetime | None = None,
    replaces_partition: bool = False,
    labels: dict[str, Any] | None = None,
) -> dict:
    """Replace the quarantine rows, file issues and lineage row of one file (the file's data is the caller's); returns
    status and counts. ``first``: when this content was first loaded (looked up when not given). Rejects may name a
    sheet and cell (Excel sources): they go into the reason, since the quarantine has a row only.

    ``replaces_partition``: a loadable file also replaces the records of every other file of its source and partition
    (a later export for the same month replaces the earlier one); one that cannot be loaded replaces only the issues
    and lineage of its own name, and the quarantine of the earlier good file stays, as the caller keeps its data.

    ``labels``: what the loader knows of the whole file (LABEL_COLUMNS), written on each of its rows."""
    labels = labels or {}
    first = first or first_loaded_at(con, source, file_name, sha256, now)
    if loadable and replaces_partition:
        where, params = "source = ? AND (file_name = ? OR partition_date = ?)", [source, file_name, partition_date]
    else:
        where, params = "source = ? AND file_name = ?", [source, file_name]
    keeps_quarantine = replaces_partition and not loadable
    for table in ("file_issues", "landed_files") if keeps_quarantine else ("quarantine", "file_issues", "landed_files"):
        con.execute(f"DELETE FROM {table} WHERE {where}", params)
    ordered = sorted(rejects, key=lambda r: (r.get("row_number") or 0, r["rule"]))
    insert_many(
        con,
        QUARANTINE_INSERT,
        [
            quarantine_row(
                source=source,
                file_name=file_name,
                partition_date=partition_date,
                row_number=r.get("row_number"),
                unit_code=r.get("unit_code") or labels.get("unit_code"),
                unit_name=r.get("unit_name"),
                record_key=r.get("record_key"),
                rule=r["rule"],
                reason=_with_cell(r),
                value=r.get("value"),
                loaded_at=first,
                year=r.get("year") or labels.get("year"),
                period_label=r.get("period_label") or labels.get("period_label"),
                index_code=labels.get("index_code"),
                criterion_code=r.get("criterion_code"),
                endpoint=labels.get("endpoint"),
                captured_at=labels.get("captured_at"),
            )
            for r in ordered
        ],
    )
    insert_many(con, FILE_ISSUE_INSERT, file_issue_rows(source, file_name, partition_date, issues, first, labels))
    rejected_rows = len({r.get("row_number") for r in rejects})
    loaded = rows_loaded if loadable else 0
    status = file_status(loadable, rejected_rows)
    con.execute(
        LANDED_FILE_INSERT,
        named_row(
            LANDED_FILE_COLUMNS,
            source=source,
            file_name=file_name,
            partition_date=partition_date,
            sha256=sha256,
            size_bytes=size_bytes,
            encoding=encoding,
            status=status,
            rows_read=loaded + rejected_rows,
            rows_loaded=loaded,
            rows_rejected=rejected_rows,
            first_loaded_at=first,
            loaded_at=now,
        ),
    )
    return {"status": status, "rows_loaded": loaded, "rows_rejected": rejected_rows}


def record_file(
    con: duckdb.DuckDBPyConnection,
    source: str,
    path: Path,
    result: Any,
    now: datetime,
    day: date | None = None,
    *,
    loadable: bool | None = None,
    rejects: list[dict] | None = None,
    issues: list[FileIssue] | None = None,
    labels: dict[str, Any] | None = None,
    file_name: str | None = None,
) -> dict:
    """``replace_file_records`` for what a reader returned (a ``ReadResult``): its quarantine, issues and lineage;
    ``loadable``, ``rejects`` and ``issues`` override the reader's when the loader judged more. ``file_name``: the
    name recorded, when not the file's own (a file of a sub-folder: 'gui_lai/form.xlsx')."""
    return replace_file_records(
        con,
        source=source,
        file_name=file_name or path.name,
        partition_date=day,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
        # A workbook's kind as read from its content (an .xls named .xlsx says "xls"); CSV readers give an encoding.
        encoding=result.encoding if result.encoding in WORKBOOK_KINDS or path.suffix.lower() != ".xlsx" else "xlsx",
        loadable=result.loadable if loadable is None else loadable,
        rows_loaded=len(result.rows),
        rejects=result.rejects if rejects is None else rejects,
        issues=list(result.file_issues if issues is None else issues),
        now=now,
        labels=labels,
    )


# file_issues rule of a delivery refused so that an earlier good load of the same file (or partition) stays.
REDELIVERY_RULE = "redelivery_refused"
# file_issues rule of a loaded file no longer in the inbox whose rows are kept (withdrawn only explicitly).
GONE_RULE = "file_gone"


def forget_files(con: duckdb.DuckDBPyConnection, source: str, names: list[str]) -> None:
    """Take these files' quarantine, notes and lineage out (a file withdrawn, or renamed: its content is read under
    the new name)."""
    for table in ("quarantine", "file_issues", "landed_files"):
        con.execute(f"DELETE FROM {table} WHERE source = ? AND list_contains(?, file_name)", [source, names])


def keep_gone_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    loaded: list[tuple[str, str | None, date | None, dict[str, Any], bool]],
    present: set[str],
    shas: set[str],
    *,
    withdraw: bool,
    note: str,
    now: datetime,
) -> list[str]:
    """Of the ``loaded`` files (name, sha256 of its lineage, partition day, labels, every row superseded), those no
    longer in the inbox (``present``) keep their rows with a ``file_gone`` note, which keeps the time it was first
    written (a rerun gives the same table); returns their names. Forgotten with their records instead: all of them
    with ``withdraw``, a file whose content is present under another name (renamed: ``shas``), one whose every row a
    later file replaced (it gives nothing any more)."""
    missing = [x for x in loaded if x[0] not in present]
    forget = [name for name, sha, _, _, replaced in missing if withdraw or (sha is not None and sha in shas) or replaced]
    forget_files(con, source, forget)
    kept = [(name, day, labels) for name, _, day, labels, _ in missing if name not in forget]
    for name, day, labels in kept:
        first = con.execute(
            "SELECT min(loaded_at) FROM file_issues WHERE source = ? AND file_name = ? AND rule = ?", [source, name, GONE_RULE]
        ).fetchall()[0][0]
        con.execute("DELETE FROM file_issues WHERE source = ? AND file_name = ? AND rule = ?", [source, name, GONE_RULE])
        issue = FileIssue(GONE_RULE, note, blocking=False)
        insert_many(con, FILE_ISSUE_INSERT, file_issue_rows(source, name, day, [issue], first or now, labels))
    return [name for name, _, _ in kept]


def redelivery_problem(
    *,
    loadable: bool,
    rows: int,
    issues: list[FileIssue],
    truncated: bool = False,
    deferred: bool = False,
    rows_rejected: int = 0,
    first_reject: str | None = None,
) -> str | None:
    """Why a delivery could not replace good data (Vietnamese), or None: still being copied, unusable, no row that
    loads (``rows``: the rows that would load; ``rows_rejected`` lines refused, ``first_reject`` the first one's
    "dòng N: reason"), or cut short."""
    if deferred:
        return "đang được chép (kích thước còn thay đổi), để lại cho lần chạy sau"
    if not loadable:
        blocking = next((i.reason for i in issues if i.blocking), "không đọc được")
        return f"không dùng được ({blocking.rstrip('.')})"
    if not rows and rows_rejected:
        example = f"; ví dụ {first_reject.rstrip('.')}" if first_reject else ""
        return f"có {rows_rejected} dòng dữ liệu nhưng dòng nào cũng bị loại{example}"
    if not rows:
        return "chỉ có dòng tiêu đề, không có dòng dữ liệu nào"
    if truncated:
        return "bị cắt cụt (dòng cuối không trọn vẹn)"
    return None


# A re-delivery of a whole table (a day's dossier export, the catalogue, the publication register, a plan register, a
# PAKN month) with less than this
# share of the rows its earlier good load had (itself at least SHRINK_MIN_ROWS) is taken for a cut or partial export:
# it would silently drop the rest (every dossier of a dropped procedure then quarantined, blaming the units). It is
# refused, the earlier data kept, until an operator accepts it (the asset's ``accept_smaller`` config).
SHRINK_SHARE = 0.5
SHRINK_MIN_ROWS = 10
ACCEPT_SMALLER_HINT = "chạy lại bước {step} với cấu hình accept_smaller: true (Dagster UI → Materialize → Config)"


def shrink_problem(rows: int, earlier_rows: int, accept_hint: str) -> str | None:
    """Why a delivery of ``rows`` usable rows may not replace ``earlier_rows`` (Vietnamese), or None."""
    if earlier_rows < SHRINK_MIN_ROWS or rows >= earlier_rows * SHRINK_SHARE:
        return None
    return (
        f"chỉ có {rows} dòng dùng được, chưa bằng một nửa lần nạp trước ({earlier_rows} dòng): có thể tệp xuất thiếu "
        f"hoặc chép chưa hết; nếu đúng là danh sách đã thu gọn, {accept_hint}"
    )


def earlier_good_load(
    con: duckdb.DuckDBPyConnection,
    source: str,
    file_name: str,
    partition_date: date | None = None,
    *,
    before: datetime | None = None,
) -> tuple[str, int, datetime] | None:
    """(sha256, rows loaded, when) of the good load now in the warehouse for this file name, or for its partition
    (of another file: loaded ``before`` that time, when given)."""
    where, params = "source = ? AND (file_name = ?", [source, file_name]
    if partition_date is not None:
        where += " OR partition_date = ?" + (" AND loaded_at < ?" if before is not None else "")
        params += [partition_date, *([before] if before is not None else [])]
    rows = con.execute(
        f"""SELECT sha256, rows_loaded, loaded_at FROM landed_files
                           WHERE {where}) AND status IN ('loaded', 'partly_loaded') AND rows_loaded > 0
                           ORDER BY loaded_at DESC LIMIT 1""",
        params,
    ).fetchall()
    return rows[0] if rows else None


def keep_earlier_load(
    con: duckdb.DuckDBPyConnection,
    source: str,
    path: Path,
    result: Any,
    now: datetime,
    partition_date: date | None = None,
    labels: dict[str, Any] | None = None,
    *,
    shrink_hint: str | None = None,
) -> dict | None:
    """When this delivery is unusable, empty or cut short while an earlier good load of the same file (or partition)
    is in the warehouse, keep that load: record the refusal in file_issues (its earlier lineage and quarantine stay)
    and return the stats to report; the caller then leaves its rows alone. None: load the delivery as usual.
    ``shrink_hint`` (a whole register; None when the operator accepts a smaller one): how to accept a delivery of
    far fewer rows than the earlier load (``shrink_problem``), refused until then.

    Data is withdrawn only explicitly (a corrected file with rows, or the loader's own withdraw option), never by an
    empty or broken file. Run inside the caller's transaction."""
    rejects = sorted(getattr(result, "rejects", []), key=lambda r: r.get("row_number") or 0)
    problem = redelivery_problem(
        loadable=result.loadable,
        rows=len(result.rows),
        issues=result.file_issues,
        truncated=getattr(result, "truncated", False),
        deferred=getattr(result, "deferred", False),
        rows_rejected=len({r.get("row_number") for r in rejects}),
        first_reject=f"dòng {rejects[0].get('row_number')}: {rejects[0]['reason']}" if rejects else None,
    )
    if problem is None and shrink_hint is not None:
        # Far fewer rows than the same file's earlier load, or than the partition's load of an earlier run (a month
        # sent again under another name); another file of the month loaded a moment before in this run is no earlier
        # delivery of this one.
        earlier = earlier_good_load(con, source, path.name, partition_date, before=now)
        if earlier is not None and earlier[0] != result.sha256:
            problem = shrink_problem(len(result.rows), earlier[1], shrink_hint)
    else:
        earlier = earlier_good_load(con, source, path.name, partition_date) if problem else None
    if problem is None or earlier is None or earlier[0] == result.sha256:
        return None
    _, rows, when = earlier
    count = count_text(rows)
    reason = mask_quote(  # as file_issue_rows stores it: the lookup below finds the refusal already recorded
        f"Tệp giao lại {problem}: không thay dữ liệu đã nạp lúc {when:%d/%m/%Y %H:%M} ({count} dòng), dữ liệu đó "
        "được giữ nguyên; gửi lại tệp đúng để thay."
    )
    issues = [FileIssue(REDELIVERY_RULE, reason), *(i for i in result.file_issues if i.rule != "no_rows")]
    # The same refusal seen again keeps the time it was first recorded: a rerun changes nothing.
    seen = con.execute(
        "SELECT min(loaded_at) FROM file_issues WHERE source = ? AND file_name = ? AND rule = ? AND reason = ?",
        [source, path.name, REDELIVERY_RULE, reason],
    ).fetchall()[0][0]
    con.execute("DELETE FROM file_issues WHERE source = ? AND file_name = ?", [source, path.name])
    insert_many(con, FILE_ISSUE_INSERT, file_issue_rows(source, path.name, partition_date, issues, seen or now, labels))
    return {"status": "kept_earlier", "rows_loaded": 0, "rows_rejected": 0}


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    """Insert a DataFrame by column name (much faster than executemany for thousands of rows)."""
    if df.empty:
        return
    con.register("_frame", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    finally:
        con.unregister("_frame")


def _with_cell(reject: dict) -> str:
    where = ", ".join(
        x for x in (reject.get("sheet") and f"trang '{reject['sheet']}'", reject.get("cell") and f"ô {reject['cell']}") if x
    )
    return f"{reject['reason']} ({where})" if where and reject.get("cell", "") not in reject["reason"] else reject["reason"]


# A year written anywhere in a file name (khao_sat_2026.csv, KQ2026_SOC.csv, ket_qua_nam_2025_final.csv).
YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def name_years(path: Path) -> set[int]:
    """The years a file name carries (none, one, or several)."""
    return {int(y) for y in YEAR_IN_NAME.findall(path.stem)}


@dataclass
class YearFiles:
    """The delivered files of a folder whose files belong to the year their name carries: those of the year to read,
    and those to report (never passed over in silence). Files of another year that a run reads are in none: their
    own run reads them."""

    of_year: list[Path] = field(default_factory=list)
    undated: list[Path] = field(default_factory=list)  # no year in the name: which run they belong to is unknown
    wrong_kind: list[Path] = field(default_factory=list)  # of the year, but not of a kind the folder takes
    # The name carries only years no run reads (khao_sat_2025_bo_sung.csv when the yearly runs start in 2026):
    # reported by every run, as no run would ever read it.
    no_run: list[Path] = field(default_factory=list)
    # Files in a sub-folder (gui_lai/khao_sat_2026.csv): not read, reported by every run.
    in_subfolder: list[Path] = field(default_factory=list)
    folder: Path | None = None
    first_year: int | None = None  # the first year whose files a run reads (None: not known, no file is ``no_run``)

    @property
    def present(self) -> list[Path]:
        return [*self.of_year, *self.wrong_kind]


def year_files(
    folder: Path, year: int, suffixes: tuple[str, ...] | None = None, run_years: frozenset[int] = frozenset()
) -> YearFiles:
    """Every delivered file of ``folder`` (lock, hidden and temporary files left out, names in any letter case),
    split by the year its name carries. ``suffixes`` (lower case, ".csv"): the kinds a reader of the folder takes; a
    file of the year in another kind is ``wrong_kind`` (None: any kind, the reader judges the content).
    ``run_years``: the years whose files some run reads (the yearly partitions; for last year's results, the year
    before each): a file whose name carries none of them is ``no_run`` (empty: not known, such a file is left alone).
    Files in sub-folders are ``in_subfolder``."""
    found = YearFiles(in_subfolder=subfolder_files(folder), folder=folder, first_year=min(run_years, default=None))
    for p in folder_files(folder):
        years = name_years(p)
        if not years:
            found.undated.append(p)
        elif year not in years:
            if run_years and not years & run_years:
                found.no_run.append(p)  # no run would ever read it: every run reports it
            continue  # another year's file: its own run reads it, nothing to report here
        elif suffixes is not None and p.suffix.lower() not in suffixes:
            found.wrong_kind.append(p)
        else:
            found.of_year.append(p)
    return found


def record_refused(
    con: duckdb.DuckDBPyConnection,
    source: str,
    path: Path,
    rule: str,
    reason: str,
    now: datetime,
    labels: dict[str, Any] | None = None,
    file_name: str | None = None,
) -> dict:
    """A file of the inbox that is not read (its name carries no year or period, it is not of the kind the folder
    takes): its lineage with the blocking reason, so it is reported and never passed over in silence. Hashed in
    blocks (a video dropped in the folder is not read into memory); a file gone since the folder was listed has
    nothing to record. ``file_name``: the name recorded, when not the file's own (one of a sub-folder)."""
    try:
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        size = path.stat().st_size
    except OSError:
        return {}
    result = ReadResult(
        file_issues=[FileIssue(rule, reason)], sha256=digest, size_bytes=size, encoding=path.suffix.lstrip(".").lower()
    )
    return record_file(con, source, path, result, now, labels=labels, file_name=file_name)


def record_unread(
    con: duckdb.DuckDBPyConnection, source: str, found: YearFiles, hint: str, now: datetime, labels: dict[str, Any] | None = None
) -> None:
    """The files of a yearly folder that are not read, each with its reason and ``hint``, how the folder's files must
    be named and saved ("Gửi tệp .csv … ví dụ khao_sat_2026.csv"): no year in the name (which run they belong to is
    unknown), or of the year but of another kind (a .pdf). ``labels``: the year and index of the year's files."""
    for p in found.undated:
        reason = (
            f"Tên tệp '{p.name}' không có năm: không biết tệp thuộc năm đánh giá nào nên chưa nạp. {hint}; đã bỏ qua tệp này."
        )
        record_refused(con, source, p, "no_year_in_name", reason, now)
    for p in found.wrong_kind:
        reason = f"Tệp '{p.name}' không phải loại tệp của thư mục này: không đọc được. {hint}; đã bỏ qua tệp này."
        record_refused(con, source, p, "wrong_file_kind", reason, now, labels=labels)
    # Recorded by every run: without the run's year (in the labels or the reason), so that each run writes the same
    # rows.
    anyyear = {k: v for k, v in (labels or {}).items() if k != "year"}
    for p in found.no_run:
        years = ", ".join(str(y) for y in sorted(name_years(p)))
        example = YEAR_IN_NAME.sub(str(found.first_year), p.name)
        reason = (
            f"Tên tệp '{p.name}' mang năm {years}, không có kỳ đánh giá nào đọc tệp của năm đó (thư mục này được đọc "
            f"từ năm {found.first_year}): chưa nạp. Đổi tên tệp cho đúng năm của số liệu, ví dụ '{example}' nếu là số "
            f"liệu năm {found.first_year}; đã bỏ qua tệp này."
        )
        record_refused(con, source, p, rule="year_without_run", reason=reason, now=now, labels=anyyear)
    if found.first_year is not None:  # which years a run reads is known: a refused file renamed since is forgotten
        forget_gone(con, source, "year_without_run", {p.name for p in found.no_run})
    if found.folder is not None:
        record_subfolder_files(con, source, found.folder, found.in_subfolder, now, anyyear)


SUBFOLDER_RULE = "in_subfolder"


def subfolder_name(path: Path, folder: Path) -> str:
    """How a file of a sub-folder is named in landed_files and file_issues: its path in the folder
    ('gui_lai/form.xlsx'), so that two files of one name in two sub-folders are told apart, and neither is taken for
    a file of the folder itself."""
    return path.relative_to(folder).as_posix()


def record_subfolder_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    folder: Path,
    files: list[Path] | None,
    now: datetime,
    labels: dict[str, Any] | None = None,
) -> list[str]:
    """Refuse, with a reason, each file put in a sub-folder of an inbox folder (``files``: those of
    ``subfolder_files(folder)``, listed when None): only a folder's own files are read, so it is recorded under its
    path in the folder (``subfolder_name``), never passed over. Recorded by every run; the records of such a file
    no longer there are dropped. Returns the names recorded. Run inside the caller's transaction."""
    files = subfolder_files(folder) if files is None else files
    record_personal_names(con, source, folder, now, labels)
    names = []
    for p in files:
        name = subfolder_name(p, folder)
        parts = [file_name_shown(part) for part in p.relative_to(folder).parts]
        if parts != list(p.relative_to(folder).parts):  # a citizen's data in the file's or a folder's name
            shown = _masked_name(p)
            if shown is None:
                continue  # gone since listed
            name = "/".join([*parts[:-1], shown])
        where = "/".join(parts[:-1])  # (masked as the name: a folder named after a citizen is quoted in the reason)
        reason = (
            f"Tệp '{name}' nằm trong thư mục con '{where}' của thư mục '{folder.name}': chỉ tệp đặt ngay trong thư mục "
            f"'{folder.name}' mới được đọc, nên tệp này chưa được nạp. Chuyển tệp ra thư mục '{folder.name}' (không để "
            "trong thư mục con; nếu trùng tên với tệp đã có thì đổi tên, ví dụ thêm '_gui_lai'), rồi xóa thư mục con; "
            "đã bỏ qua tệp này."
        )
        record_refused(con, source, p, rule="in_subfolder", reason=reason, now=now, labels=labels, file_name=name)
        names.append(name)
    forget_gone(con, source, SUBFOLDER_RULE, set(names))
    return names


PERSONAL_NAME_RULE = "personal_file_name"


def record_personal_names(
    con: duckdb.DuckDBPyConnection, source: str, folder: Path, now: datetime, labels: dict[str, Any] | None = None
) -> None:
    """Refuse each file of ``folder`` whose name carries a citizen's personal data (``personal_named_files``: no
    loader reads it) under its masked name, followed by the first characters of its content's sha256 so that two
    such files are told apart: the name never reaches a table or report. Records of such files no longer there are
    dropped. Called with the sub-folders' records, by every loader of an inbox folder."""
    names = set()
    for p in personal_named_files(folder):
        name = _masked_name(p)
        if name is None:
            continue  # gone since listed
        reason = (
            f"Tên tệp '{name}' (phần [đã ẩn] đã được che) có họ tên, số điện thoại hoặc số giấy tờ của công dân: tệp "
            "không được đọc, để thông tin cá nhân không vào kho dữ liệu và báo cáo. Đổi tên tệp theo tên đơn vị và kỳ "
            "số liệu (không ghi thông tin cá nhân), rồi gửi lại; đã bỏ qua tệp này."
        )
        record_refused(con, source, p, PERSONAL_NAME_RULE, reason, now, labels=labels, file_name=name)
        names.add(name)
    forget_gone(con, source, PERSONAL_NAME_RULE, names)


def _masked_name(path: Path) -> str | None:
    """A file's name with a citizen's data masked (``file_name_shown``) and the first characters of its content's
    sha256, so that two such files are told apart; None for a file gone since it was listed."""
    try:
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None
    return f"{file_name_shown(path.name)} #{digest[:8]}"


def forget_gone(con: duckdb.DuckDBPyConnection, source: str, rule: str, present: set[str]) -> None:
    """Drop the records of the files refused with ``rule`` that are not in the folder any more (moved out of the
    sub-folder, renamed to the right year): a refusal must not outlive its file."""
    recorded = con.execute("SELECT DISTINCT file_name FROM file_issues WHERE source = ? AND rule = ?", [source, rule]).fetchall()
    forget_files(con, source, [n for (n,) in recorded if n not in present])


def inbox_workbooks(inbox: Path, folder: str) -> list[Path]:
    """Every file delivered to an Excel folder of the inbox, whatever its extension (lock, hidden and temporary files
    left out): each is read or refused with a reason by ``sources.excel_intake``, never passed over."""
    return folder_files(inbox / folder)


def record_deferred(
    con: duckdb.DuckDBPyConnection, source: str, path: Path, result: Any, now: datetime, day: date | None = None
) -> dict:
    """A file still being copied, with no earlier good load to keep: lineage ``deferred`` and the note saying it is
    left for the next run (which reads it again); its earlier issues are replaced, nothing else is touched."""
    con.execute("DELETE FROM file_issues WHERE source = ? AND file_name = ?", [source, path.name])
    con.execute("DELETE FROM landed_files WHERE source = ? AND file_name = ?", [source, path.name])
    insert_many(
        con,
        FILE_ISSUE_INSERT,
        file_issue_rows(source, path.name, day, [FileIssue("still_copying", STILL_COPYING_REASON, blocking=False)], now),
    )
    con.execute(
        LANDED_FILE_INSERT,
        named_row(
            LANDED_FILE_COLUMNS,
            source=source,
            file_name=path.name,
            partition_date=day,
            sha256=result.sha256 or None,
            size_bytes=result.size_bytes,
            encoding=result.encoding,
            status="deferred",
            rows_read=0,
            rows_loaded=0,
            rows_rejected=0,
            loaded_at=now,
        ),
    )
    return {"status": "deferred", "rows_loaded": 0, "rows_rejected": 0}


def read_safely(read, path: Path, result_type):
    """Run a reader; an unexpected error becomes a blocking issue of that file instead of failing the whole run."""
    try:
        return read()
    except Exception as err:  # any broken file is reported, never crashes the run
        result = result_type()
        result.file_name = path.name
        result.file_issues = [FileIssue("bad_workbook", f"Không đọc được tệp ({type(err).__name__}: {err}).")]
        return result
