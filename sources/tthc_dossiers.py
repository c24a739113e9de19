"""Read daily dossier exports into typed, validated rows with DuckDB (no Dagster here).

``stage_dossier_exports`` reads all files of a date range in one DuckDB scan and leaves two temporary tables
in the connection:

* ``_dossier_good``: one typed row per dossier version; applicant name, phone and address are never selected,
  the ID number survives only as a per-year keyed HMAC (``applicant_key``, see ``common/pii.py``);
* ``_dossier_rejects``: one row per broken rule with file, line, rule and a Vietnamese reason.

Every rule is a SQL expression over the whole batch, so the cost stays close to a plain ``read_csv``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from common.pii import PiiKeys, hmac_sql
from common.units import UnitMatcher
from common.vntext import match_key
from sources.csvfiles import BAD_BYTES_REASON, UNREADABLE, PreparedFile, prepare_csv
from sources.profiles import SourceProfile, profile_hint, readable_format
from sources.tthc_format import (
    DOSSIER_FIELDS,
    RESULT_STATUSES,
    TTHC_CODES,
    TTHC_FIELDS,
    Column,
    dossier_file_name,
    tthc_profile,
)


@dataclass(frozen=True)
class DossierFormat:
    """What the reader needs of the system's profile: columns, date formats, the code list of every coded column."""

    columns: tuple[Column, ...]
    date_formats: tuple[str, ...]
    vocabularies: dict[str, dict[str, object]]  # coded column -> raw word -> code
    profile_name: str = ""

    @property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def datetime_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "datetime"]

    @property
    def bool_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "bool"]

    @property
    def scanned(self) -> list[str]:
        """Columns the scan keeps: every non-personal one and the ID number (to be pseudonymised at once)."""
        return [c.name for c in self.columns if not c.personal or c.name == "applicant_id"]

    @property
    def raw_kept(self) -> list[str]:
        """Raw text kept beside the typed value, to quote it in the reason (never a personal-data column)."""
        return [*self.datetime_columns, *self.vocabularies, "supplement_requests", "fee_due"]


def dossier_format(profile: SourceProfile | None = None) -> DossierFormat:
    """The dossier export's format under a profile (default: the one in use)."""
    profile = profile or tthc_profile()
    columns = profile.columns["dossiers"]
    coded = {c.name: f.values for c, f in zip(columns, DOSSIER_FIELDS, strict=True) if f.values}
    return DossierFormat(columns=columns, date_formats=profile.date_formats,
                         vocabularies={name: profile.vocabulary("dossiers", values) for name, values in coded.items()},
                         profile_name=profile.name)


# Receipt years whose key is prepared (a dossier received outside them keeps no applicant key).
PSEUDONYM_YEARS = range(2000, 2101)


@dataclass
class ExportFile:
    export_date: date
    path: Path
    prepared: PreparedFile | None = None  # None: the day's export is missing


@dataclass
class StagingResult:
    rows_read: dict[str, int] = field(default_factory=dict)  # per file name: data lines, malformed included
    rows_rejected: dict[str, int] = field(default_factory=dict)  # per file name: lines with at least one broken rule
    duplicates: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # per file: (copy line, kept line)


def export_files(folder: Path, start: date, end: date) -> list[ExportFile]:
    """The expected export of every day in [start, end], present or not."""
    days = (end - start).days + 1
    out = []
    for offset in range(days):
        day = date.fromordinal(start.toordinal() + offset)
        out.append(ExportFile(day, folder / dossier_file_name(day)))
    return out


def _register_lookup(con: duckdb.DuckDBPyConnection, name: str, pairs: list[tuple]) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (raw VARCHAR, value VARCHAR)")
    if pairs:
        con.executemany(f"INSERT INTO {name} (raw, value) VALUES (?, ?)", pairs)


def _sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def _vocabulary_case(con: duckdb.DuckDBPyConnection, column: str, fmt: DossierFormat) -> str:
    """CASE expression mapping every raw value seen in the batch to its code (NULL when unknown); the distinct
    values are few, so matching them in Python (case, diacritics, spacing) costs nothing per row."""
    keyed = {match_key(k): v for k, v in fmt.vocabularies[column].items()}
    raws = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM _scan WHERE {column} IS NOT NULL").fetchall()]
    branches = [f"WHEN {_sql_literal(raw)} THEN {_sql_literal(keyed[match_key(raw)])}" for raw in raws if match_key(raw) in keyed]
    if not branches:
        return "NULL"
    return f"CASE r.{column} {' '.join(branches)} END"


def stage_dossier_exports(
    con: duckdb.DuckDBPyConnection,
    files: list[ExportFile],
    *,
    matcher: UnitMatcher,
    keys: PiiKeys,
    work_dir: Path,
    profile: SourceProfile | None = None,
) -> StagingResult:
    """Read, type and validate the given exports; results in temp tables ``_dossier_good`` and ``_dossier_rejects``.

    The connection must hold a table ``dim_procedure(procedure_code)``: unknown procedure codes are rejected.
    """
    fmt = dossier_format(profile)
    readable: list[ExportFile] = []
    for export in files:
        if export.path.exists():
            export.prepared = prepare_csv(export.path, fmt.columns, work_dir)
            export.prepared.hint_other_format(
                lambda headers: profile_hint("tthc", TTHC_FIELDS, TTHC_CODES, "dossiers", headers, fmt.profile_name))
            if export.prepared.loadable:
                readable.append(export)

    # A normalised copy carries the applicant key instead of the ID number (computed before it is written).
    copied = [f.prepared.read_path is None for f in readable]
    con.execute("CREATE OR REPLACE TEMP TABLE _files (file_id INTEGER, export_date DATE, file_name VARCHAR, pseudonymised BOOLEAN)")
    if readable:
        con.executemany("INSERT INTO _files (file_id, export_date, file_name, pseudonymised) VALUES (?, ?, ?, ?)",
                        [(i, f.export_date, f.path.name, c) for i, (f, c) in enumerate(zip(readable, copied, strict=True))])
    stray = [i for i, f in enumerate(readable) if f.prepared.stray_bytes and f.prepared.text is not None]
    try:
        _read_raw(con, readable, work_dir, fmt, keys, bool(stray))
    finally:  # a normalised copy lives only while DuckDB scans it
        for export in readable:
            export.prepared.discard()
    _type_and_validate(con, fmt, matcher=matcher, keys=keys, stray_files=stray)
    duplicates: dict[str, list[tuple[int, int]]] = {}
    for name, line, kept in con.execute("""SELECT f.file_name, v.line, v.first_line FROM _verbatim v JOIN _files f USING (file_id)
                                           ORDER BY 1, 2""").fetchall():
        duplicates.setdefault(name, []).append((line, kept))
    read = con.execute(
        """SELECT f.file_name, coalesce(s.rows, 0) + (SELECT count(*) FROM _malformed m WHERE m.file_id = f.file_id)
           FROM _files f LEFT JOIN _starts s USING (file_id)"""
    ).fetchall()
    rejected = con.execute("SELECT file_name, count(DISTINCT row_number) FROM _dossier_rejects GROUP BY 1").fetchall()
    return StagingResult(rows_read=dict(read), rows_rejected=dict(rejected), duplicates=duplicates)


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary views and tables, including the raw rows that still hold personal data."""
    for kind, catalog in (("VIEW", "duckdb_views()"), ("TABLE", "duckdb_tables()")):
        names = con.execute(f"SELECT {kind.lower()}_name FROM {catalog} WHERE temporary AND starts_with({kind.lower()}_name, '_')").fetchall()
        for (name,) in names:
            con.execute(f'DROP {kind} IF EXISTS temp."{name}"')


def year_of(text: str, formats: tuple[str, ...]) -> int | None:
    """The year of a date written in one of the profile's formats (as the SQL reads it), None otherwise."""
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).year
        except ValueError:
            continue
    return None


def _key_of_record(keys: PiiKeys, fmt: DossierFormat) -> Callable[[dict[str, str]], str]:
    """The applicant key of a record of a normalised copy (empty when the ID or the receipt date is missing or bad:
    such a row has no key, or is rejected for its date)."""
    def key(record: dict[str, str]) -> str:
        year = year_of(record.get("received_at", ""), fmt.date_formats)
        return (keys.applicant_key(year, record.get("applicant_id", "")) or "") if year else ""
    return key


def _read_raw(con: duckdb.DuckDBPyConnection, readable: list[ExportFile], work_dir: Path, fmt: DossierFormat,
              keys: PiiKeys, any_stray: bool) -> None:
    """One scan over every readable file; line numbers are those of the received file (header = line 1). Name,
    phone and address are not even kept by the scan; a normalised copy is written without them."""
    names = [c.name for c in fmt.columns]
    scanned = fmt.scanned
    replace = {"applicant_id": _key_of_record(keys, fmt)}
    paths = [str(f.prepared.materialise(work_dir, fmt.columns, replace)) for f in readable]
    # No line-size limit below the largest file: a 200 kB cell is a value, not a broken line.
    max_line = max([2 << 20, *(f.prepared.size_bytes + 1 for f in readable)])
    con.execute("CREATE OR REPLACE TEMP TABLE _paths (file_id INTEGER, path VARCHAR)")
    if paths:
        con.executemany("INSERT INTO _paths (file_id, path) VALUES (?, ?)", list(enumerate(paths)))
        columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
        # Insertion order is preserved, so rowid follows file order and line order within each file.
        # Only a copy may carry an unreadable byte as a value (see ``PreparedFile.materialise``): flagged here, as
        # personal columns are not kept.
        unreadable = (", contains(" + " || ".join(f"coalesce({n}, '')" for n in names) + f", '{UNREADABLE}') AS _unreadable"
                      if any_stray else ", false AS _unreadable")
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _scan AS
            SELECT {", ".join(scanned)}, filename{unreadable} FROM read_csv(?, columns = {columns}, header = true, delim = ',', quote = '"', escape = '"',
                                   auto_detect = false, filename = true, store_rejects = true, max_line_size = {max_line},
                                   rejects_table = '_csv_rejects', rejects_scan = '_csv_scans')""",
            [paths],
        )
        # One row per broken line (DuckDB reports one per missing column). Only the line number and error kind
        # are kept: the line itself may hold personal data.
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _malformed AS
            SELECT p.file_id, r.line::INTEGER AS line, min(r.error_type)::VARCHAR AS error
            FROM _csv_rejects r JOIN _csv_scans s USING (scan_id, file_id) JOIN _paths p ON p.path = s.file_path
            GROUP BY ALL"""
        )
    else:
        empty = ", ".join(f"NULL::VARCHAR AS {n}" for n in scanned)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _scan AS SELECT {empty}, NULL::VARCHAR AS filename, false AS _unreadable LIMIT 0")
        con.execute("CREATE OR REPLACE TEMP TABLE _malformed (file_id INTEGER, line INTEGER, error VARCHAR)")
    con.execute("""CREATE OR REPLACE TEMP TABLE _starts AS
        SELECT p.file_id, p.path, min(s.rowid) AS first_rowid, count(*) AS rows,
               p.file_id IN (SELECT file_id FROM _malformed) AS has_malformed
        FROM _scan s JOIN _paths p ON p.path = s.filename GROUP BY ALL""")
    # Line = position in the file + 2, plus the malformed lines before it. Only the (rare) files with malformed
    # lines take the ASOF join, which sorts: the clean ones stay a plain hash join.
    con.execute("""CREATE OR REPLACE TEMP TABLE _shifts AS
        SELECT file_id, at_idx, max(shift) AS shift FROM (
            SELECT file_id, row_number() OVER (PARTITION BY file_id ORDER BY line) AS shift,
                   line - 2 - (row_number() OVER (PARTITION BY file_id ORDER BY line) - 1) AS at_idx
            FROM _malformed) GROUP BY ALL""")
    selected = ", ".join(f"i.{n}" for n in [*scanned, "_unreadable"])
    positioned = "SELECT s.*, f.file_id, s.rowid - f.first_rowid AS idx FROM _scan s JOIN _starts f ON f.path = s.filename"
    con.execute(f"""CREATE OR REPLACE TEMP VIEW _dossier_raw AS
        SELECT i.file_id, (i.idx + 2)::INTEGER AS line, {selected}
        FROM ({positioned} WHERE NOT f.has_malformed) i
        UNION ALL
        SELECT i.file_id, (i.idx + 2 + coalesce(c.shift, 0))::INTEGER AS line, {selected}
        FROM ({positioned} WHERE f.has_malformed) i
        ASOF LEFT JOIN _shifts c ON c.file_id = i.file_id AND c.at_idx <= i.idx""")


def _type_and_validate(con: duckdb.DuckDBPyConnection, fmt: DossierFormat, *, matcher: UnitMatcher, keys: PiiKeys,
                       stray_files: list[int]) -> None:
    cases = {column: _vocabulary_case(con, column, fmt) for column in fmt.vocabularies}
    unit_names = [r[0] for r in con.execute("SELECT DISTINCT resolving_unit FROM _dossier_raw WHERE resolving_unit IS NOT NULL").fetchall()]
    _register_lookup(con, "_lookup_unit", [(n, matcher.match(n)) for n in unit_names])
    suggestions = {n: matcher.suggest(n) for n in unit_names if matcher.match(n) is None}
    _register_lookup(con, "_unit_suggestion", [(n, s) for n, s in suggestions.items() if s])

    raw_copies = ", ".join(f"r.{c} AS raw_{c}" for c in fmt.raw_kept)
    formats = "[" + ", ".join(f"'{f}'" for f in fmt.date_formats) + "]"
    # Exports write the full form; trimming and trying the other forms cost twice as much, so only for the rest.
    dates = ",\n".join(
        f"coalesce(try_strptime(r.{c}, '{fmt.date_formats[0]}'), try_strptime(trim(r.{c}), {formats})) AS {c}"
        for c in fmt.datetime_columns
    )
    vocab = ",\n".join(f"({cases[c]}){'::BOOLEAN' if c in fmt.bool_columns else '::VARCHAR'} AS {c}"
                       for c in fmt.vocabularies)
    # The key of each year the receipt dates may fall in, as HMAC pads (parameters: no key in SQL text).
    con.execute("CREATE OR REPLACE TEMP TABLE _pii_pads (year INTEGER, inner_pad BLOB, outer_pad BLOB)")
    con.executemany("INSERT INTO _pii_pads (year, inner_pad, outer_pad) VALUES (?, ?, ?)", keys.year_pads(PSEUDONYM_YEARS))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _dossier_typed AS
        SELECT r.file_id, r.line, f.export_date, f.file_name,
               nullif(trim(r.dossier_code), '') AS dossier_code,
               nullif(trim(r.procedure_code), '') AS procedure_code,
               nullif(trim(r.receiving_centre), '') AS receiving_centre,
               r.resolving_unit AS resolving_unit_raw,
               u.value AS resolving_unit_code,
               {dates},
               {vocab},
               try_cast(trim(r.supplement_requests) AS INTEGER) AS supplement_requests,
               try_cast(replace(replace(trim(r.fee_due), '.', ''), ',', '') AS BIGINT) AS fee_due,
               nullif(trim(r.applicant_id), '') AS _applicant_id, f.pseudonymised AS _pseudonymised,
               r._unreadable,
               {raw_copies}
        FROM _dossier_raw r JOIN _files f USING (file_id) LEFT JOIN _lookup_unit u ON u.raw = r.resolving_unit""")
    # The key of each (year, ID number) once, not per version: a dossier's versions share it (half the hashing).
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _applicant_keys AS
        SELECT d.year, d.id, {hmac_sql("k", "d.id")} AS applicant_key
        FROM (SELECT DISTINCT year(received_at) AS year, _applicant_id AS id FROM _dossier_typed
              WHERE NOT _pseudonymised AND _applicant_id IS NOT NULL) d JOIN _pii_pads k USING (year)""")
    # Verbatim copies of a line (every value the same, within one file) are one version: the first is kept, the
    # copies are counted (StagingResult.duplicates) and neither loaded twice nor rejected as conflicting. Compared
    # on the typed row, which keeps the raw text of dates and codes and the ID number (the other personal
    # columns are not kept), only for the few codes that appear more than once in a file.
    con.execute("""CREATE OR REPLACE TEMP TABLE _repeated AS
        SELECT file_id, dossier_code FROM _dossier_typed WHERE dossier_code IS NOT NULL GROUP BY ALL HAVING count(*) > 1""")
    typed = [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE _dossier_typed)").fetchall()]
    every = ", ".join(f"t.{c}" for c in typed if c not in ("file_id", "line"))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _verbatim AS
        SELECT file_id, line, first_line FROM (
            SELECT t.file_id, t.line, min(t.line) OVER (PARTITION BY t.file_id, {every}) AS first_line
            FROM _dossier_typed t SEMI JOIN _repeated x ON x.file_id = t.file_id AND x.dossier_code = t.dossier_code)
        WHERE line <> first_line""")
    con.execute("DELETE FROM _dossier_typed t WHERE (t.file_id, t.line) IN (SELECT (file_id, line) FROM _verbatim)")
    rules = _rules(", ".join(f"'{s}'" for s in sorted(RESULT_STATUSES)), fmt)
    if stray_files:  # a normalised copy carries the replacement character where the received file had invalid bytes
        rules.append(("malformed_line", f"_unreadable AND list_contains({sorted(stray_files)}, file_id)",
                      f"'{BAD_BYTES_REASON}'", "NULL"))
    union = "\nUNION ALL\n".join(
        f"SELECT file_id, line, '{rule}' AS rule, {reason} AS reason, {value} AS value FROM _dossier_typed t WHERE {cond}"
        for rule, cond, reason, value in rules
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _row_rejects AS {union}")
    # Duplicate codes within one file: the latest update stays and the older copies are rejected; copies that
    # share the latest update time conflict, so all of them are rejected rather than one picked silently.
    con.execute(
        """INSERT INTO _row_rejects BY NAME
        SELECT file_id, line,
               CASE WHEN tied > 1 AND updated_at = latest THEN 'duplicate_conflict' ELSE 'duplicate_in_file' END AS rule,
               CASE WHEN tied > 1 AND updated_at = latest
                    THEN 'Mã hồ sơ xuất hiện nhiều lần trong tệp với cùng ngày cập nhật; không tự chọn, loại mọi bản.'
                    ELSE 'Mã hồ sơ xuất hiện nhiều lần trong tệp; giữ bản cập nhật mới nhất (dòng ' || keep_line || ').'
               END AS reason,
               dossier_code AS value
        FROM (
            SELECT file_id, line, dossier_code, updated_at,
                   first_value(line) OVER w AS keep_line, row_number() OVER w AS rank, count(*) OVER d AS copies,
                   max(updated_at) OVER d AS latest,
                   sum(CASE WHEN updated_at = latest_u THEN 1 ELSE 0 END) OVER d AS tied
            FROM (SELECT t.*, max(updated_at) OVER (PARTITION BY t.file_id, t.dossier_code) AS latest_u
                  FROM _dossier_typed t SEMI JOIN _repeated x ON x.file_id = t.file_id AND x.dossier_code = t.dossier_code) t
            WHERE dossier_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM _row_rejects x WHERE x.file_id = t.file_id AND x.line = t.line)
            WINDOW w AS (PARTITION BY file_id, dossier_code ORDER BY updated_at DESC NULLS LAST, line DESC),
                   d AS (PARTITION BY file_id, dossier_code)
        ) WHERE copies > 1 AND (rank > 1 OR tied > 1)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _dossier_rejects AS
        SELECT 'tthc_dossier' AS source, f.file_name, f.export_date AS partition_date, x.line AS row_number,
               t.resolving_unit_code AS unit_code, t.resolving_unit_raw AS unit_name, t.dossier_code AS record_key,
               x.rule, x.reason, x.value
        FROM _row_rejects x JOIN _files f USING (file_id)
        LEFT JOIN _dossier_typed t ON t.file_id = x.file_id AND t.line = x.line
        UNION ALL
        SELECT 'tthc_dossier', f.file_name, f.export_date, m.line, NULL, NULL, NULL, 'malformed_line',
               CASE m.error WHEN 'INVALID ENCODING' THEN 'Dòng có ký tự không phải UTF-8; đề nghị xuất lại tệp.'
                            WHEN 'MISSING COLUMNS' THEN 'Dòng thiếu cột (tệp có thể bị cắt cụt).'
                            WHEN 'TOO MANY COLUMNS' THEN 'Dòng thừa cột (dấu phẩy trong giá trị không được đặt trong ngoặc kép).'
                            ELSE 'Dòng không đúng cấu trúc CSV (' || m.error || ').' END, NULL
        FROM _malformed m JOIN _files f USING (file_id)"""
    )
    # A copy's ID column holds the key already, or the unreadable mark of a broken ID (no key, as for a bad date).
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW _dossier_good AS
        SELECT export_date, file_name AS source_file, line AS source_row, dossier_code, procedure_code,
               receiving_centre, resolving_unit_code, channel, received_at, due_at, completed_at, status,
               supplement_requests, digitised, electronic_result, fee_due, paid_online, reused_data,
               citizen_data_used, synced_to_portal, satisfaction, updated_at,
               CASE WHEN NOT t._pseudonymised THEN k.applicant_key
                    WHEN NOT contains(t._applicant_id, '{UNREADABLE}') THEN t._applicant_id END AS applicant_key
        FROM _dossier_typed t LEFT JOIN _applicant_keys k ON k.year = year(t.received_at) AND k.id = t._applicant_id
        WHERE NOT EXISTS (SELECT 1 FROM _row_rejects x WHERE x.file_id = t.file_id AND x.line = t.line)"""
    )


def _rules(resulted: str, fmt: DossierFormat) -> list[tuple[str, str, str, str]]:
    """(rule, condition, Vietnamese reason, offending value) — hard rules; a row breaking one is quarantined."""
    rules: list[tuple[str, str, str, str]] = [
        ("missing_dossier_code", "dossier_code IS NULL", "'Thiếu mã hồ sơ.'", "NULL"),
        ("unknown_unit", "resolving_unit_code IS NULL",
         ("'Cơ quan giải quyết không có trong danh mục đơn vị: ''' || coalesce(resolving_unit_raw, '') || ''''"
         " || coalesce('; có phải ''' || (SELECT value FROM _unit_suggestion s WHERE s.raw = t.resolving_unit_raw) || '''?', '') || '.'"),
         "resolving_unit_raw"),
        ("unknown_procedure", "procedure_code IS NULL OR procedure_code NOT IN (SELECT procedure_code FROM dim_procedure)",
         "'Mã TTHC không có trong danh mục thủ tục: ''' || coalesce(procedure_code, '') || '''.'", "procedure_code"),
    ]
    columns = fmt.by_name
    for name in [*fmt.datetime_columns, *fmt.vocabularies]:
        column = columns[name]
        present = "" if column.required else f"nullif(trim(raw_{name}), '') IS NOT NULL AND "
        if column.kind == "datetime":
            rule, problem = f"bad_date:{name}", f"ngày giờ không đúng định dạng {readable_format(fmt.date_formats[-1])}"
        else:
            rule, problem = f"bad_value:{name}", f"giá trị không hợp lệ (cho phép: {', '.join(fmt.vocabularies[name])})"
        reason = f"'Cột ''{column.header}'': {problem}: ''' || coalesce(raw_{name}, '') || '''.'"
        rules.append((rule, f"{present}{name} IS NULL", reason, f"raw_{name}"))
    rules += [
        ("bad_count", "supplement_requests IS NULL OR supplement_requests < 0",
         "'Số lần yêu cầu bổ sung phải là số nguyên không âm: ''' || coalesce(raw_supplement_requests, '') || '''.'",
         "raw_supplement_requests"),
        ("bad_amount", "fee_due IS NULL OR fee_due < 0",
         "'Phí, lệ phí phải là số tiền không âm: ''' || coalesce(raw_fee_due, '') || '''.'", "raw_fee_due"),
        ("completed_before_received", "completed_at < received_at",
         "'Ngày hoàn thành (' || strftime(completed_at, '%d/%m/%Y %H:%M') || ') trước ngày tiếp nhận (' || strftime(received_at, '%d/%m/%Y %H:%M') || ').'",
         "strftime(completed_at, '%d/%m/%Y %H:%M:%S')"),
        ("due_before_received", "due_at < received_at",
         "'Ngày hẹn trả (' || strftime(due_at, '%d/%m/%Y %H:%M') || ') trước ngày tiếp nhận (' || strftime(received_at, '%d/%m/%Y %H:%M') || ').'",
         "strftime(due_at, '%d/%m/%Y %H:%M:%S')"),
        ("updated_before_received", "updated_at < received_at",
         "'Ngày cập nhật trước ngày tiếp nhận.'", "strftime(updated_at, '%d/%m/%Y %H:%M:%S')"),
        ("finished_without_completion", f"status IN ({resulted}) AND completed_at IS NULL",
         "'Hồ sơ ở trạng thái đã hoàn thành nhưng thiếu ngày hoàn thành.'", "raw_status"),
    ]
    return rules
