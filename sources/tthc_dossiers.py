"""Read daily dossier exports into typed, validated rows with DuckDB (no Dagster here).

``stage_dossier_exports`` reads all files of a date range in one DuckDB scan, typed as it is read (one temporary
table, ``_dossier_typed``, whose rowid is a row's place in the scan), and leaves in the connection:

* ``_dossier_good`` (a view): one typed row per dossier version with its line; applicant name, phone and address are
  never read, the ID number leaves only as a per-year keyed HMAC (``applicant_key``, see ``common/pii.py``);
* ``_dossier_rejects``: one row per broken rule with file, line, rule and a Vietnamese reason.

Every rule is a SQL expression over the whole batch, so the cost stays a small multiple of a bare ``read_csv``. The
statements are in ``sources/sql/tthc_dossiers/*.sql`` (loaded by ``common/sql_files.py``); Python fills in only what
the source profile decides (the columns, their date formats and code words) as ``{{ fragment }}`` markers, and keeps a
few one-line queries over a column or table name given in a loop.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from common.pii import (
    PiiKeys,
    file_name_shown,
    hmac_pads,
    hmac_sql,
    id_number_sql,
    is_id_number,
    is_personal_number,
    mask_names,
    mask_personal_columns,
    mask_personal_data,
    personal_number_sql,
)
from common.sql_files import SqlFiles
from common.units import UnitMatcher, province_of_portal_code
from common.vntext import match_key
from sources.csvfiles import (
    BAD_BYTES_REASON,
    INVISIBLE_CHARACTERS,
    UNREADABLE,
    FileIssue,
    PreparedFile,
    record_starts,
)
from sources.intake import latest_delivery, standard_first
from sources.profiles import SourceProfile, profile_hint, readable_format
from sources.table_files import prepare_export
from sources.tthc_format import (
    DOSSIER_FIELDS,
    EXPORT_PREFIX,
    RESULT_STATUSES,
    TTHC_CODES,
    TTHC_FIELDS,
    Column,
    dossier_file_name,
    export_day,
    far_future_day,
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
        """Columns the scan reads: every non-personal one and the ID number (keyed as it is read)."""
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
    return DossierFormat(
        columns=columns,
        date_formats=profile.date_formats,
        vocabularies={name: profile.vocabulary("dossiers", values) for name, values in coded.items()},
        profile_name=profile.name,
    )


sql = SqlFiles(Path(__file__).with_name("sql"))

# Receipt years whose key is prepared (a dossier received outside them keeps no applicant key).
PSEUDONYM_YEARS = range(2000, 2101)
# Before the key a normalised copy writes for a value of the ID column that is no ID number (never a hex digit).
NOT_AN_ID_MARK = "~"
# A dossier code that is a citizen's phone or ID number (common/pii.py, is_personal_number) is loaded as this mark and
# the first CODE_KEY_CHARS hex digits of its keyed hash, written in the letters a-p (CODE_LETTERS: a pseudonym holds
# no digit, so no masking of numbers ever cuts one): the dossier still counts and its versions still meet, while the
# number never reaches a table. 96 bits: no two codes of a province's years share one. A row whose receipt year has
# no key is keyed with the key of year 0 (CODE_FALLBACK_YEAR), the same in every run: it is rejected for its date,
# and its quarantine row keeps one key.
CODE_PSEUDONYM_MARK = "~"
CODE_KEY_CHARS = 24
_HEX_DIGITS, _CODE_DIGITS = "0123456789", "ghijklmnop"  # (a-f stay: the pseudonym's letters are a-p)
CODE_LETTERS = str.maketrans(_HEX_DIGITS, _CODE_DIGITS)
CODE_FALLBACK_YEAR = 0
CODE_PSEUDONYM_PATTERN = f"{CODE_PSEUDONYM_MARK}[a-p]{{{CODE_KEY_CHARS}}}"  # (no digit, yet a code: not refused as a name)


@dataclass
class ExportFile:
    export_date: date
    path: Path
    prepared: PreparedFile | None = None  # None: the day's export is missing
    others: list[Path] = field(default_factory=list)  # the same day's name in other letter case: not read


@dataclass
class StagingResult:
    rows_read: dict[str, int] = field(default_factory=dict)  # per file name: data lines, malformed included
    rows_rejected: dict[str, int] = field(default_factory=dict)  # per file name: lines with at least one broken rule
    duplicates: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # per file: (copy line, kept line)
    unkeyed: dict[str, list[int]] = field(default_factory=dict)  # per file: loaded lines whose ID is no ID number
    code_keyed: dict[str, list[int]] = field(default_factory=dict)  # per file: loaded lines whose code was a number
    cut: dict[str, list[int]] = field(default_factory=dict)  # per file: loaded lines whose receiving centre was cut
    blank: dict[str, list[int]] = field(default_factory=dict)  # per file: records without any value (not rows)
    personal_centres: bool = False  # a receiving centre holds a citizen's number: masked once loaded


def export_files(folder: Path, start: date, end: date) -> list[ExportFile]:
    """The expected export of every day in [start, end], present or not, under any name a day's export goes by
    (``tthc_format.EXPORT_NAME``: HO_SO_20260105.CSV, ho_so_2026-01-05.csv, 'ho_so_20260105 (1).csv', …). Of
    several files of one day, the CSV that arrived last is read (a later download replaces an earlier one; an
    identical copy never displaces the standard name); a day with no CSV has its other file (ho_so_20260105.xlsx:
    read through its table when it is a workbook, else refused for its kind rather than the day reported missing).
    The others are named in its issues."""
    by_day: dict[date, list[Path]] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            day = export_day(path.name)
            if day is not None and start <= day <= end and path.is_file() and file_name_shown(path.name) == path.name:
                by_day.setdefault(day, []).append(path)
    out = []
    for offset in range((end - start).days + 1):
        day = date.fromordinal(start.toordinal() + offset)
        found = by_day.get(day, [])
        chosen = _day_export(found, dossier_file_name(day))
        out.append(ExportFile(day, chosen or folder / dossier_file_name(day), others=[p for p in found if p != chosen]))
    return out


def _day_export(found: list[Path], name: str) -> Path | None:
    """The file read as one day's export among ``found`` (see export_files)."""
    csvs = [p for p in found if p.suffix.lower() == ".csv"]
    if not csvs:
        return standard_first(found, name)[0] if found else None
    return latest_delivery(csvs, name)


def unnamed_exports(folder: Path, today: date) -> list[Path]:
    """Files of the exports folder that look like a daily export (their name starts with 'ho_so') but give no day, or
    a day far after ``today`` (``far_future_day``: a mistyped year, 'ho_so_20620105.csv', waited for for ever):
    never read, so recorded as refused (tthc.load_dossier_partitions)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and file_name_shown(p.name) == p.name  # (refused for its name's personal data instead)
        and p.name.lower().startswith(EXPORT_PREFIX)
        and ((day := export_day(p.name)) is None or far_future_day(day, today))
    )


def _register_lookup(con: duckdb.DuckDBPyConnection, name: str, pairs: list[tuple[str, str | None]]) -> None:
    """A temp table ``name(raw, value)`` of the given pairs (two lookups share it: the table name stays in Python)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (raw VARCHAR, value VARCHAR)")
    if pairs:
        con.executemany(
            f"INSERT INTO {name} (raw, value) VALUES ($raw, $value)", [{"raw": raw, "value": value} for raw, value in pairs]
        )


def _sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def _vocabulary_case(value_sql: str, pairs: dict[str, object], *, boolean: bool) -> str:
    """CASE expression mapping the given raw words of a coded column (``value_sql``) to their codes, NULL otherwise."""
    cast = "::BOOLEAN" if boolean else "::VARCHAR"
    if not pairs:
        return f"NULL{cast}"
    branches = " ".join(f"WHEN {_sql_literal(raw)} THEN {_sql_literal(code)}" for raw, code in pairs.items())
    return f"(CASE {value_sql} {branches} END){cast}"


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
    present = [export for export in files if export.path.exists()]
    # Reading and hashing a file release the GIL: the files are inspected in threads, results kept in file order.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        inspected = list(
            pool.map(lambda e: prepare_export(e.path, fmt.columns, fmt.date_formats, work_dir, "bản xuất hồ sơ"), present)
        )
    readable: list[tuple[ExportFile, PreparedFile]] = []  # each readable export with its prepared file
    for export, prepared in zip(present, inspected, strict=True):
        export.prepared = prepared
        if export.others:
            names = ", ".join(f"'{p.name}'" for p in export.others)
            prepared.issues.append(
                FileIssue(
                    "same_day_other_name",
                    f"Cùng ngày còn có tệp {names}: chỉ nạp tệp này (trong các tệp CSV của ngày, tệp gửi sau cùng; "
                    "bản giống hệt hay tệp không phải CSV không được nạp); đề nghị mỗi ngày chỉ gửi một tệp và xóa tệp thừa.",
                    blocking=False,
                )
            )
        prepared.hint_other_format(
            lambda headers: profile_hint("tthc", TTHC_FIELDS, TTHC_CODES, "dossiers", headers, fmt.profile_name)
        )
        if prepared.loadable:
            readable.append((export, prepared))

    con.execute(sql("tthc_dossiers/files"))
    if readable:
        con.executemany(
            sql("tthc_dossiers/file_insert"),
            [{"file_id": i, "export_date": f.export_date, "file_name": f.path.name} for i, (f, _) in enumerate(readable)],
        )
    stray = [i for i, (_, p) in enumerate(readable) if p.stray_bytes and p.text is not None]
    try:
        _scan(con, [p for _, p in readable], work_dir, fmt, keys, bool(stray))
    finally:  # a normalised copy lives only while DuckDB scans it
        for _, prepared in readable:
            prepared.discard()
    _map_other_spellings(con, fmt, matcher)
    personal_centres = _other_province(con, readable, matcher)
    _validate(con, fmt, stray_files=stray)
    # A citizen's name or number typed into a coded column: masked in the rejects' quotes (a centre's: by the loader).
    mask_personal_columns(con, "_dossier_rejects", ("reason", "value", "unit_name", "record_key"), names=True)
    duplicates: dict[str, list[tuple[int, int]]] = {}
    for name, line, kept in con.execute(sql("tthc_dossiers/duplicate_lines")).fetchall():
        duplicates.setdefault(name, []).append((line, kept))
    unkeyed: dict[str, list[int]] = {}
    code_keyed: dict[str, list[int]] = {}
    noted = con.execute(sql("tthc_dossiers/noted_lines"), {"code_pattern": CODE_PSEUDONYM_PATTERN}).fetchall()
    for name, line, is_unkeyed, is_code_keyed in noted:
        if is_unkeyed:
            unkeyed.setdefault(name, []).append(line)
        if is_code_keyed:
            code_keyed.setdefault(name, []).append(line)
    cut: dict[str, list[int]] = {}
    for name, line in con.execute(sql("tthc_dossiers/cut_lines"), {"centre_limit": CENTRE_LIMIT}).fetchall():
        cut.setdefault(name, []).append(line)
    blank: dict[str, list[int]] = {}
    for name, line in con.execute(sql("tthc_dossiers/blank_lines")).fetchall():
        blank.setdefault(name, []).append(line)
    read = con.execute(sql("tthc_dossiers/rows_read")).fetchall()
    rejected = con.execute(sql("tthc_dossiers/rows_rejected")).fetchall()
    return StagingResult(
        rows_read=dict(read),
        rows_rejected=dict(rejected),
        duplicates=duplicates,
        unkeyed=unkeyed,
        code_keyed=code_keyed,
        cut=cut,
        blank=blank,
        personal_centres=personal_centres,
    )


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary views and tables, including the raw rows that still hold personal data (queries over a
    catalogue and a table name given in a loop: they stay here)."""
    for kind, catalog in (("VIEW", "duckdb_views()"), ("TABLE", "duckdb_tables()")):
        names = con.execute(
            f"SELECT {kind.lower()}_name FROM {catalog} WHERE temporary AND starts_with({kind.lower()}_name, '_')"
        ).fetchall()
        for (name,) in names:
            con.execute(f'DROP {kind} IF EXISTS temp."{name}"')


# The usual written date (day/month/year, or month/day/year: the year is third either way) at the start of a value.
_SLASHED_DATE = re.compile(r"\s*\d{1,2}/\d{1,2}/(\d{4})\b")


def year_of(text: str, formats: tuple[str, ...]) -> int | None:
    """The year of a date written in one of the profile's formats (as the SQL reads it), None otherwise. A slashed
    date is read by a pattern (strptime costs ~15 µs a value): a value the SQL will not read as a date is rejected
    with its row, so the year found for it is never used."""
    slashed = _SLASHED_DATE.match(text)
    if slashed is not None:
        return int(slashed.group(1))
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).year
        except ValueError:
            continue
    return None


def _key_of_record(keys: PiiKeys, fmt: DossierFormat) -> Callable[[dict[str, str]], str]:
    """The applicant key of a record of a normalised copy (empty when the ID is missing or the receipt date is bad or
    outside PSEUDONYM_YEARS: such a row has no key, or is rejected for its date), as the scan keys a received file;
    after NOT_AN_ID_MARK when the value is no ID number (compared, not loaded)."""
    keyer = keys.keyer()

    def key(record: dict[str, str]) -> str:
        year = year_of(record.get("received_at", ""), fmt.date_formats)
        if year is None or year not in PSEUDONYM_YEARS:
            return ""
        id_number = record.get("applicant_id", "").strip()
        key = keyer(year, id_number) or ""
        return key if not key or is_id_number(id_number) else NOT_AN_ID_MARK + key

    return key


def _code_of_record(keys: PiiKeys, fmt: DossierFormat) -> Callable[[dict[str, str]], str]:
    """The dossier code a normalised copy writes for a record: its pseudonym when it is a citizen's phone or ID number
    (as the scan computes it, _dossier_code_sql), else as received."""
    keyer = keys.keyer()
    noise = str.maketrans("", "", CODE_NOISE)

    def code(record: dict[str, str]) -> str:
        raw = record.get("dossier_code", "")
        value = raw.translate(noise).strip(" ")
        if not is_personal_number(value):
            return raw
        year = year_of(record.get("received_at", ""), fmt.date_formats)
        key = keyer(year if year is not None and year in PSEUDONYM_YEARS else CODE_FALLBACK_YEAR, value) or ""
        return CODE_PSEUDONYM_MARK + key[:CODE_KEY_CHARS].translate(CODE_LETTERS)

    return code


# Removed from dossier and procedure codes as they are read: what a paste brings (byte-order mark, zero-width
# characters) and the tab or line break of a cell copied with its end (DuckDB's trim takes only spaces): a code
# never holds one, and 'H55-0001<TAB>' must not become a second dossier.
CODE_NOISE = INVISIBLE_CHARACTERS + "\t\r\n"


# The scan over every readable export (fragment source of scan.sql); a 200 kB cell is a value, not a broken line:
# no line-size limit below the largest file ($max_line). Name, phone and address are never selected, so not read.
READ_EXPORTS = """read_csv(
        $paths, columns = $columns, header = TRUE, delim = ',', quote = '"', escape = '"',
        auto_detect = FALSE, store_rejects = TRUE, max_line_size = $max_line,
        rejects_table = '_csv_rejects', rejects_scan = '_csv_scans'
    )"""


def _typed_fragments(fmt: DossierFormat) -> dict[str, str]:
    """The profile's parts of scan.sql: dates in its formats, its code words, and the raw text kept where a value
    does not type (or is negative, for counts and amounts), to quote it in a reason. The raw status is always kept:
    a finished dossier without a completion date is quoted by it."""
    formats = "[" + ", ".join(f"'{f}'" for f in fmt.date_formats) + "]"
    first = fmt.date_formats[0]
    # Exports write the full form; trimming and trying the other forms cost twice as much, so only for the rest.
    # DuckDB's %Y also takes a year of one to three digits ('05/01/26' is the year 26): such a date does not type.
    # Each date is parsed once, in the scan's innermost projection (_parsed_<column>): the CASE below and the raw
    # copy read that column (written out in each, the parse ran three times and cost 0.5 s of a year's scan).
    parsed = {c: f"coalesce(try_strptime(r.{c}, '{first}'), try_strptime(trim(r.{c}), {formats}))" for c in fmt.datetime_columns}
    typed = {c: f"s._parsed_{c}" for c in fmt.datetime_columns}
    # A due date written without a time ('05/01/2026'), or at midnight ('05/01/2026 00:00:00': a system storing the
    # date alone exports it so; no office's deadline falls at midnight), is due by the end of that day, not at its
    # first second: read as midnight, a dossier finished at 10:00 on its due day counted as late (as petitions'
    # deadlines, 23:59:59).
    if "due_at" in typed:
        due = typed["due_at"]
        typed["due_at"] = f"(CASE WHEN {due} = date_trunc('day', {due}) THEN {due} + INTERVAL {END_OF_DAY} SECOND ELSE {due} END)"
    dates = {c: f"CASE WHEN year({expr}) >= 1000 THEN {expr} END" for c, expr in typed.items()}
    vocab = {c: _vocabulary_case(f"s.{c}", fmt.vocabularies[c], boolean=c in fmt.bool_columns) for c in fmt.vocabularies}
    # Digits only (an amount may group thousands by '.' or ','): a cast alone takes '1.5' (as 2), '1e3', '0x10', '1_000'.
    # A count of three digits at most, an amount without a leading zero: a citizen's ID number typed there
    # ('001199012345') is refused (quoted masked), never loaded as 1,199,012,345 requests or đồng.
    counts = {
        "supplement_requests": "CASE WHEN regexp_full_match(trim(s.supplement_requests), '[0-9]{1,3}') "
        "THEN try_cast(trim(s.supplement_requests) AS INTEGER) END",
        "fee_due": "CASE WHEN regexp_full_match(trim(s.fee_due), '0|[1-9][0-9]*|[1-9][0-9]{0,2}([.,][0-9]{3})+') "
        "THEN try_cast(replace(replace(trim(s.fee_due), '.', ''), ',', '') AS BIGINT) END",
    }
    raw = {c: f"CASE WHEN coalesce(year(s._parsed_{c}), 0) < 1000 THEN s.{c} END" for c in fmt.datetime_columns}
    raw |= {c: ("s.status" if c == "status" else f"CASE WHEN {vocab[c]} IS NULL THEN s.{c} END") for c in fmt.vocabularies}
    raw |= {c: f"CASE WHEN {expr} IS NULL THEN s.{c} END" for c, expr in counts.items()}
    return {
        "parsed": ", ".join(f"{expr} AS _parsed_{c}" for c, expr in parsed.items()),
        "dates": ",\n    ".join(f"{expr} AS {c}" for c, expr in dates.items()),
        "counts": ",\n    ".join(f"{expr} AS {c}" for c, expr in counts.items()),
        "vocab": ",\n    ".join(f"{expr} AS {c}" for c, expr in vocab.items()),
        "raw_copies": ",\n    ".join(f"{raw[c]} AS raw_{c}" for c in fmt.raw_kept),
    }


def _scan(
    con: duckdb.DuckDBPyConnection,
    readable: list[PreparedFile],
    work_dir: Path,
    fmt: DossierFormat,
    keys: PiiKeys,
    any_stray: bool,
) -> None:
    """One scan over every readable file into typed rows (_dossier_typed); lines are those of the received file
    (header = line 1, see _line). Name, phone and address are not even read; a normalised copy is written without
    them."""
    names = [c.name for c in fmt.columns]
    copies = [i for i, p in enumerate(readable) if p.read_path is None]  # (before they are written)
    replace = {"applicant_id": _key_of_record(keys, fmt), "dossier_code": _code_of_record(keys, fmt)}
    paths = [str(p.materialise(work_dir, fmt.columns, replace)) for p in readable]
    con.execute(sql("tthc_dossiers/paths"))
    if paths:
        con.executemany(sql("tthc_dossiers/path_insert"), [{"file_id": i, "path": p} for i, p in enumerate(paths)])
    # Only a copy may carry an unreadable byte as a value (see ``PreparedFile.materialise``): flagged here, as
    # personal columns are not kept.
    unreadable = (
        "contains(" + " || ".join(f"coalesce(s.{n}, '')" for n in names) + f", {_sql_literal(UNREADABLE)})"
        if any_stray and paths
        else "false"
    )
    fragments = _typed_fragments(fmt)
    if paths:
        # Each year's pads, then those of a key of this batch alone (random, never kept) for an ID whose year has
        # none, then those of CODE_FALLBACK_YEAR for a dossier code whose year has none.
        pads = [(i, o) for _, i, o in keys.year_pads(PSEUDONYM_YEARS)] + [hmac_pads(os.urandom(32))]
        pads.append(hmac_pads(keys.year_key(CODE_FALLBACK_YEAR)))
        # The personal columns stay unread, unless a copy may flag one as unreadable (its only value then).
        read = ", ".join(f"r.{n}" for n in [*(names if any_stray else fmt.scanned), "file_index"])
        source, params = (
            f"(SELECT {read}, {fragments['parsed']} FROM {READ_EXPORTS} AS r)",
            {
                "paths": paths,
                "columns": dict.fromkeys(names, "VARCHAR"),
                "max_line": max([2 << 20, *(p.size_bytes + 1 for p in readable)]),
                "copies": copies,
                "inner_pads": [i for i, _ in pads],
                "outer_pads": [o for _, o in pads],
            },
        )
    else:
        empty = ", ".join(f"NULL::VARCHAR AS {n}" for n in fmt.scanned)
        shape = f"(SELECT {empty}, NULL::BIGINT AS file_index WHERE FALSE)"
        source, params = f"(SELECT r.*, {fragments['parsed']} FROM {shape} AS r)", {}
    con.execute(
        sql(
            "tthc_dossiers/scan",
            source=source,
            unreadable=unreadable,
            applicant_key=_applicant_key_sql() if paths else "NULL::VARCHAR",
            id_unshaped=_id_unshaped_sql() if paths else "FALSE",
            dossier_code=_dossier_code_sql() if paths else "dossier_code",
            invisible=_sql_literal(CODE_NOISE),  # removed from codes as they are read
            **{name: text for name, text in fragments.items() if name != "parsed"},
        ),
        params,
    )
    con.execute(sql("tthc_dossiers/malformed" if paths else "tthc_dossiers/malformed_empty"))
    # DuckDB keeps a malformed line whole in its rejects table (csv_line: a name, an ID, an address): only its number
    # and error are needed, so the table goes at once, not with the rest of the staging.
    con.execute("DROP TABLE IF EXISTS temp._csv_rejects")
    con.execute("DROP TABLE IF EXISTS temp._csv_scans")
    con.execute(sql("tthc_dossiers/starts"))
    _place_lines(con, readable, paths)
    con.execute(sql("tthc_dossiers/shifts"))
    con.execute(sql("tthc_dossiers/line_macro"))
    con.execute(sql("tthc_dossiers/shown_macro"))


def _place_lines(con: duckdb.DuckDBPyConnection, readable: list[PreparedFile], paths: list[str]) -> None:
    """The lines that hold no row of their own (_gaps): blank lines, which DuckDB skips, and the further lines of a
    quoted value spanning lines. DuckDB numbers a malformed line among the lines it starts a record on, so in a file
    with such lines its number is moved to the file's own (_malformed). Only a file whose line count differs from
    its rows and malformed lines is read again for this (the usual export has none)."""
    rows = dict(con.execute("SELECT file_id, rows FROM _starts").fetchall())
    malformed: dict[int, list[int]] = {}
    for file_id, line in con.execute("SELECT file_id, line FROM _malformed ORDER BY ALL").fetchall():
        malformed.setdefault(file_id, []).append(line)
    gaps: list[dict[str, int]] = []
    moved: list[dict[str, int]] = []
    for file_id, (prepared, path) in enumerate(zip(readable, paths, strict=True)):
        bad = malformed.get(file_id, [])
        if prepared.physical_lines - 1 == rows.get(file_id, 0) + len(bad):
            continue
        lines = Path(path).read_bytes().decode("utf-8", errors="replace").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        starts = record_starts(lines)
        physical = {i + 1: number for i, (number, _) in enumerate(starts)}  # DuckDB's line number → the file's
        bad_lines = {physical.get(line, line) for line in bad}
        row_starts = [n for n, blank in starts[1:] if not blank and n not in bad_lines]
        if len(row_starts) != rows.get(file_id, 0):  # read otherwise than DuckDB did: its numbers are kept
            continue
        moved += [{"file_id": file_id, "line": line, "physical": physical.get(line, line)} for line in bad]
        taken = {1, *row_starts, *bad_lines}
        gaps += [{"file_id": file_id, "line": n} for n in range(2, len(lines) + 1) if n not in taken]
    con.execute(sql("tthc_dossiers/gaps"))
    if gaps:
        con.executemany(sql("tthc_dossiers/gap_insert"), gaps)
    if moved:
        con.execute(sql("tthc_dossiers/moved"))
        con.executemany(sql("tthc_dossiers/moved_insert"), moved)
        con.execute(sql("tthc_dossiers/malformed_renumber"))


def _keyed_sql(value_sql: str, *, fixed_fallback: bool = False) -> str:
    """HMAC of a typed row's value with the pads of its receipt year ($inner_pads/$outer_pads, one per year of
    PSEUDONYM_YEARS in order) or, when that year is outside them or the date did not type (the row is rejected for
    its date), the batch's own random pads, or with ``fixed_fallback`` those of CODE_FALLBACK_YEAR."""
    first, last = PSEUDONYM_YEARS[0], PSEUDONYM_YEARS[-1]
    fallback = len(PSEUDONYM_YEARS) + (2 if fixed_fallback else 1)
    at = f"CASE WHEN year(received_at) BETWEEN {first} AND {last} THEN year(received_at) - {first - 1} ELSE {fallback} END"
    return hmac_sql(value_sql, f"list_extract($inner_pads, {at})", f"list_extract($outer_pads, {at})")


def _applicant_key_sql() -> str:
    """The applicant key of a typed row (fragment applicant_key of scan.sql): a copy's column holds it already; else
    the HMAC of its receipt year (_keyed_sql). A value that is no ID number is keyed too, to compare rows; it is not
    loaded (_dossier_good)."""
    keyed = _keyed_sql("_applicant_id")
    return (
        f"CASE WHEN list_contains($copies, file_id) THEN ltrim(_applicant_id, '{NOT_AN_ID_MARK}') "
        f"WHEN _applicant_id IS NOT NULL THEN {keyed} END"
    )


def _dossier_code_sql() -> str:
    """A typed row's dossier code (fragment dossier_code of scan.sql): when it is a citizen's phone or ID number, its
    pseudonym (CODE_PSEUDONYM_MARK and the start of its HMAC, as _code_of_record writes it in a copy, whose column
    holds it already); else as read."""
    return (
        f"CASE WHEN list_contains($copies, file_id) OR NOT coalesce({personal_number_sql('dossier_code')}, FALSE) "
        f"THEN dossier_code ELSE '{CODE_PSEUDONYM_MARK}' || translate(left({_keyed_sql('dossier_code', fixed_fallback=True)}, "
        f"{CODE_KEY_CHARS}), '{_HEX_DIGITS}', '{_CODE_DIGITS}') END"
    )


def _id_unshaped_sql() -> str:
    """Whether a typed row's ID column holds something other than an ID number (fragment id_unshaped of scan.sql): a
    copy's key then carries NOT_AN_ID_MARK."""
    return (
        f"CASE WHEN list_contains($copies, file_id) THEN coalesce(starts_with(_applicant_id, '{NOT_AN_ID_MARK}'), FALSE) "
        f"ELSE _applicant_id IS NOT NULL AND NOT {id_number_sql('_applicant_id')} END"
    )


def _map_other_spellings(con: duckdb.DuckDBPyConnection, fmt: DossierFormat, matcher: UnitMatcher) -> None:
    """Code words spelt otherwise than the scan maps at once (case, diacritics, spacing): matched once per distinct
    value in Python, then set on their rows; unit names, matched once each (_lookup_unit), and for a name that
    matches none the suggestion quoted in its reason. (One-line queries over a column given in a loop: they stay here.)"""
    for column in fmt.vocabularies:
        keyed = {match_key(k): v for k, v in fmt.vocabularies[column].items()}
        raws = con.execute(
            f"SELECT DISTINCT raw_{column} FROM _dossier_typed WHERE {column} IS NULL AND raw_{column} IS NOT NULL"
        ).fetchall()
        pairs = {raw: keyed[match_key(raw)] for (raw,) in raws if match_key(raw) in keyed}
        if pairs:
            case = _vocabulary_case(f"raw_{column}", pairs, boolean=column in fmt.bool_columns)
            con.execute(f"UPDATE _dossier_typed SET {column} = {case} WHERE {column} IS NULL AND raw_{column} IS NOT NULL")
    names = [r[0] for r in con.execute(sql("tthc_dossiers/unit_names")).fetchall()]
    _register_lookup(con, "_lookup_unit", [(n, matcher.match(n)) for n in names])
    suggestions = {n: matcher.suggest(n) for n in names if matcher.match(n) is None}
    _register_lookup(con, "_unit_suggestion", [(n, s) for n, s in suggestions.items() if s])


# An export is another province's when more than this share of its rows points to that one province (its dossier codes
# carry that province's portal code, its receiving centres or units name it, or its units are communes only it has):
# refused whole. Half, not nearly all: an export without the province's code prefix tells its province only by its
# communes' rows (about 86 % of a province's units), its agencies' names being every province's ("Sở Tư pháp"), and
# those rows would load as this province's agencies. Fewer such rows are misrouted dossiers of a real export, each
# rejected with the province named.
OTHER_PROVINCE_SHARE = 0.5


@dataclass
class _Clues:
    """What the rows of one file pointing to one other province say: rows, and per kind of clue its rows and a value."""

    rows: int = 0
    kinds: dict[str, tuple[int, str]] = field(default_factory=dict)  # code | centre | unit -> (rows, an example)

    def add(self, kind: str, value: str, rows: int) -> None:
        count, example = self.kinds.get(kind, (0, value))
        self.kinds[kind] = (count + rows, min(example, value))


def _clue_text(province: str, kind: str, value: str) -> str:
    """What a clue of another province says, in words ('mã hồ sơ bắt đầu bằng H55, mã của Thái Nguyên …')."""
    if kind == "code":
        return f"mã hồ sơ bắt đầu bằng '{value}.' (mã của {province} trên Cổng DVCQG)"
    if kind == "centre":
        return f"nơi tiếp nhận '{value}'"
    return f"cơ quan giải quyết '{value}'"


def _other_province(
    con: duckdb.DuckDBPyConnection, readable: list[tuple[ExportFile, PreparedFile]], matcher: UnitMatcher
) -> bool:
    """Refuse whole an export of another province (rule ``other_province_file``: nearly all its rows point to that one
    province) and leave in ``_misrouted`` the clues of the few rows of another province in a real export (rejected
    one by one, rule ``other_province``). One GROUP BY over the batch (province_clues.sql); each distinct clue is
    matched once. A dossier code with this province's own portal code keeps its row here whatever its receiving
    centre says; a former province merged into this one (Bắc Kạn in Thái Nguyên) is no other province: neither its
    names nor its old codes are another's (``UnitMatcher.other_province``). The same GROUP BY tells whether a
    receiving centre holds personal data (``_personal_centres``): returned."""
    con.execute(sql("tthc_dossiers/misrouted"))
    con.execute(sql("tthc_dossiers/code_prefix_macro"))
    if not readable:
        return False
    found = con.execute(sql("tthc_dossiers/province_clues")).fetchall()
    personal = _personal_centres(found, readable)
    if not matcher.province:
        return personal
    totals, clues, groups = _province_clues(found, matcher)
    refused = _refuse_other_province_files(con, readable, matcher.province, totals, clues)
    rows = [dict(zip(("file_id", "prefix", "centre", "unit", "reason"), g, strict=True)) for g in groups if g[0] not in refused]
    if rows:  # one per distinct clue of the misrouted rows (usually none), not per row
        con.executemany(sql("tthc_dossiers/misrouted_insert"), rows)
    return personal


def _personal_centres(found: list[tuple], readable: list[tuple[ExportFile, PreparedFile]]) -> bool:
    """Whether a receiving centre of the batch (the distinct ones of province_clues.sql) holds a citizen's phone, ID
    number or e-mail (a clerk's slip): each file with one is told how many rows, the caller masks them."""
    # ~160 k groups of a year share a few hundred centres: each distinct centre is searched once.
    personal = {c for c in {g[2] for g in found} if c and (mask_personal_data(c)[1] or mask_names(c)[1])}
    rows: dict[int, int] = {}
    for file_id, _, centre, _, count in found:
        if centre in personal:
            rows[file_id] = rows.get(file_id, 0) + count
    for file_id, count in rows.items():
        readable[file_id][1].issues.append(
            FileIssue(
                "personal_data_masked",
                f"Cột 'Nơi tiếp nhận' của {count} dòng ghi họ tên, số điện thoại, số giấy tờ hoặc email của cá nhân: đã ẩn trước "
                "khi lưu; đề nghị không ghi thông tin cá nhân vào cột này.",
                blocking=False,
            )
        )
    return bool(rows)


_Group = tuple[int, str | None, str | None, str | None, str]  # file_id, code prefix, centre, unit, reason


def _province_clues(
    grouped: list[tuple], matcher: UnitMatcher
) -> tuple[dict[int, int], dict[tuple[int, str], _Clues], list[_Group]]:
    """Rows per file, what points each file's rows to another province, and the clue groups of those rows, from the
    rows of province_clues.sql."""
    other: dict[tuple[str, str], str | None] = {}

    def of(kind: str, value: str | None) -> str | None:
        if not value:
            return None
        if (kind, value) not in other:
            other[kind, value] = (
                matcher.other_province(value, None)
                if kind == "code"
                # a unit also by a commune's or ward's name only another province has ("Xã Đại Phúc" served to Hà Nội)
                else matcher.other_province_of_row(None, value)
                if kind == "unit"
                else matcher.other_province(None, value)  # (a centre: "Bộ phận một cửa" says nothing of a commune)
            )
        return other[kind, value]

    totals: dict[int, int] = {}
    clues: dict[tuple[int, str], _Clues] = {}
    groups: list[_Group] = []
    for file_id, prefix, centre, unit, rows in grouped:
        totals[file_id] = totals.get(file_id, 0) + rows
        code_province = of("code", prefix)
        own_code = prefix is not None and code_province is None and province_of_portal_code(prefix) is not None
        pointed = {"code": code_province, "centre": None if own_code else of("centre", centre), "unit": of("unit", unit)}
        province = pointed["code"] or pointed["unit"] or pointed["centre"]
        if province is None:
            continue
        found = clues.setdefault((file_id, province), _Clues())
        found.rows += rows
        said = []
        for kind, value in (("code", prefix), ("centre", centre), ("unit", unit)):
            if value is not None and pointed[kind] == province:
                found.add(kind, value, rows)
                said.append(_clue_text(province, kind, value))
        reason = (
            f"Hồ sơ của {province}, không phải của {matcher.province} ({'; '.join(said)}): không nạp; đề nghị kiểm tra "
            f"nơi tiếp nhận hoặc chuyển hồ sơ cho {province}."
        )
        groups.append((file_id, prefix, centre, unit, reason))
    return totals, clues, groups


def _refuse_other_province_files(
    con: duckdb.DuckDBPyConnection,
    readable: list[tuple[ExportFile, PreparedFile]],
    own: str,
    totals: dict[int, int],
    clues: dict[tuple[int, str], _Clues],
) -> set[int]:
    """Refuse the files nearly all of whose rows point to one other province (their rows leave the batch)."""
    refused: set[int] = set()
    for (file_id, province), found in sorted(clues.items(), key=lambda item: -item[1].rows):
        total = totals[file_id]
        if file_id in refused or found.rows <= OTHER_PROVINCE_SHARE * total:
            continue
        refused.add(file_id)
        shown = "; ".join(
            f"{_clue_text(province, kind, value)}: {count}/{total} dòng" for kind, (count, value) in found.kinds.items()
        )
        export, prepared = readable[file_id]
        prepared.refused = True
        prepared.issues.append(
            FileIssue(
                "other_province_file",
                f"Tệp {export.path.name} là tệp xuất của {province}, không phải của {own} ({shown}): không nạp tệp; "
                f"đề nghị gửi đúng tệp xuất hồ sơ của {own} cho ngày {export.export_date:%d/%m/%Y}.",
            )
        )
    if refused:
        ids = {"file_ids": sorted(refused)}
        for statement in ("refused_files_drop", "refused_files_forget", "refused_files_malformed"):
            con.execute(sql(f"tthc_dossiers/{statement}"), ids)
    return refused


def _validate(con: duckdb.DuckDBPyConnection, fmt: DossierFormat, *, stray_files: list[int]) -> None:
    """Set verbatim copies aside and apply every rule (_row_rejects, _dossier_rejects, _dossier_good)."""
    con.execute(sql("tthc_dossiers/repeated"))
    typed = [r[0] for r in con.execute(sql("tthc_dossiers/typed_columns")).fetchall()]
    con.execute(sql("tthc_dossiers/verbatim", every=", ".join(f"t.{c}" for c in typed if c != "file_id")))
    values = [c for c in typed if c not in ("file_id", "_unreadable", "_id_unshaped")]
    con.execute(sql("tthc_dossiers/blank", all_null=" AND ".join(f"t.{c} IS NULL" for c in values)))
    con.execute(sql("tthc_dossiers/rows_view"))
    con.execute(sql("tthc_dossiers/misrouted_rows"))  # (an empty _misrouted, the usual batch: DuckDB skips the probe)
    con.execute(
        sql("tthc_dossiers/row_rejects", column_rules=_column_rules(fmt)),
        {"result_statuses": sorted(RESULT_STATUSES), "stray_files": sorted(stray_files), "bad_bytes_reason": BAD_BYTES_REASON},
    )
    spellings = {
        name: [t.lower() for t in (fmt.by_name[name].header, *fmt.by_name[name].aliases)] for name in ("dossier_code", "status")
    }
    con.execute(
        sql("tthc_dossiers/header_lines"), {"code_headers": spellings["dossier_code"], "status_headers": spellings["status"]}
    )
    con.execute(sql("tthc_dossiers/header_line_rejects"))
    con.execute(sql("tthc_dossiers/header_line_insert"))
    con.execute(sql("tthc_dossiers/duplicate_rejects"))
    con.execute(sql("tthc_dossiers/dossier_rejects"), {"code_pattern": CODE_PSEUDONYM_PATTERN})
    con.execute(
        sql(
            "tthc_dossiers/dossier_good",
            unreadable_mark=_sql_literal(UNREADABLE),
            first_year=str(PSEUDONYM_YEARS[0]),
            last_year=str(PSEUDONYM_YEARS[-1]),
            centre_limit=str(CENTRE_LIMIT),
        )
    )


END_OF_DAY = 86399  # seconds from a day's first second to its last (23:59:59)


# A real dossier code is ~30 characters: one far longer is a pasted document or a broken export, no key to load a
# dossier under, so its line is refused with its length. A receiving centre's name is under 150: one far longer is
# cut to CENTRE_LIMIT and the dossier loaded (it still counts), with a note naming its lines.
CODE_LIMIT = 100
CENTRE_LIMIT = 300


def _column_rules(fmt: DossierFormat) -> str:
    """The rules of the profile's date and coded columns (a bad date, an unknown code word) as ``SELECT`` branches
    of the ``UNION ALL`` in ``row_rejects.sql``: their names, headers, formats and code words come from the source profile."""
    columns = fmt.by_name
    branches = []
    for name in [*fmt.datetime_columns, *fmt.vocabularies]:
        column = columns[name]
        present = "" if column.required else f"nullif(trim(raw_{name}), '') IS NOT NULL AND "
        if column.kind == "datetime":
            rule, problem = f"bad_date:{name}", f"ngày giờ không đúng định dạng {readable_format(fmt.date_formats[-1])}"
        else:
            rule, problem = f"bad_value:{name}", f"giá trị không hợp lệ (cho phép: {', '.join(fmt.vocabularies[name])})"
        reason = f"'Cột ''{column.header}'': {problem}: ''' || coalesce(raw_{name}, '') || '''.'"
        branches.append(
            f"SELECT file_id, pos, '{rule}' AS rule, {reason} AS reason, raw_{name} AS value "
            f"FROM _dossier_rows t WHERE {present}{name} IS NULL"
        )
    branches.append(_after_export_rule(fmt))
    reason = (
        f"'Cột ''{columns['dossier_code'].header}'': giá trị dài bất thường (' || length(dossier_code) || ' ký tự, tối "
        f"đa {CODE_LIMIT}); có thể đã dán nhầm nội dung vào ô, đề nghị xuất lại dòng này.'"
    )
    branches.append(
        f"SELECT file_id, pos, 'value_too_long:dossier_code' AS rule, {reason} AS reason, dossier_code AS value "
        f"FROM _dossier_rows t WHERE length(dossier_code) > {CODE_LIMIT}"
    )
    # Every dossier code the systems give carries digits (H55.111-260105-0001, 000.00.19.H55-260105-0001): one
    # without any is something else typed into the column, often the applicant's name, so it is not quoted (a longer
    # one is reported as too long, above).
    reason = (
        f"'Cột ''{columns['dossier_code'].header}'': giá trị không có chữ số nào, không phải mã hồ sơ (có thể đã nhập "
        "nhầm cột, ví dụ họ tên người nộp; giá trị không được trích dẫn); đề nghị sửa trên hệ thống rồi xuất lại dòng này.'"
    )
    branches.append(
        f"SELECT file_id, pos, 'code_without_digit:dossier_code' AS rule, {reason} AS reason, NULL AS value "
        f"FROM _dossier_rows t WHERE length(dossier_code) <= {CODE_LIMIT} AND NOT regexp_matches(dossier_code, '[0-9]') "
        f"AND NOT regexp_full_match(dossier_code, '{CODE_PSEUDONYM_PATTERN}')"
    )
    # Nor does a code hold words: one with digits and two words in a row ("Số nhà 17 ngõ 45 …", "Hồ sơ của Nguyễn Văn
    # An 2": one without digits is refused above) is an address or a sentence typed there; loaded, it rested in
    # fct_dossier. (The space test first: cheap.)
    reason = (
        f"'Cột ''{columns['dossier_code'].header}'': giá trị có chữ viết thành câu, không phải mã hồ sơ (có thể đã nhập "
        "nhầm cột, ví dụ địa chỉ hoặc họ tên người nộp; giá trị không được trích dẫn); đề nghị sửa trên hệ thống rồi xuất "
        "lại dòng này.'"
    )
    branches.append(
        f"SELECT file_id, pos, 'code_with_words:dossier_code' AS rule, {reason} AS reason, NULL AS value "
        f"FROM _dossier_rows t WHERE length(dossier_code) <= {CODE_LIMIT} AND contains(dossier_code, ' ') "
        f"AND regexp_matches(dossier_code, '{CODE_WORDS}') AND regexp_matches(dossier_code, '[0-9]')"
    )
    # A numeric code that Excel showed and saved in scientific notation ("1.23457E+15"): its last digits are gone, so
    # it is no dossier's code (loaded, it made a phantom dossier and left the real one pending for ever).
    reason = (
        f"'Cột ''{columns['dossier_code'].header}'': ''' || dossier_code || ''' là mã đã bị Excel đổi thành số dạng "
        "khoa học và mất các chữ số cuối (không biết mã thật): xuất lại tệp từ hệ thống, không mở và lưu bằng Excel "
        "(hoặc định dạng cột mã là Text).'"
    )
    branches.append(
        f"SELECT file_id, pos, 'code_as_number:dossier_code' AS rule, {reason} AS reason, dossier_code AS value "
        f"FROM _dossier_rows t WHERE regexp_full_match(dossier_code, '{SCIENTIFIC_CODE}')"
    )
    return "\nUNION ALL\n".join(branches)


# A number in scientific notation as Excel writes it, with a decimal point or comma ("1.23457E+15", "1,23457E+15").
SCIENTIFIC_CODE = r"[0-9]+([.,][0-9]+)?[eE][+]?[0-9]+"


# Two words of letters in a row: what a dossier code never holds (RE2's \\pL; Python's re has none, so
# sources/petitions.py writes the same rule as _CODE_WORDS).
CODE_WORDS = r"\pL{2,}\s+\pL{2,}"


# A version may be exported the morning after its day: a date later than the end of the day after the export is a
# typing slip (05/11 for 05/01, 2062 for 2026), and left in, a future update time wins over every real later version.
DAYS_AFTER_EXPORT = 2


def _after_export_rule(fmt: DossierFormat) -> str:
    """The ``row_rejects.sql`` branch of a receipt, completion or update date after its export (rule
    ``date_after_export:<column>``): one scan, the few rows with such a date unnested by column."""
    dated = [c for c in fmt.datetime_columns if c != "due_at"]  # (a due date is in the future by design)
    limit = f"export_date + INTERVAL {DAYS_AFTER_EXPORT} DAY"
    parts = ", ".join(f"{{'name': '{c}', 'header': {_sql_literal(fmt.by_name[c].header)}, 'at': {c}}}" for c in dated)
    reason = (
        "'Cột ''' || d.header || ''': ' || strftime(d.at, '%d/%m/%Y %H:%M') || ' sau ngày xuất tệp (' || "
        "strftime(export_date, '%d/%m/%Y') || '): có thể gõ nhầm ngày, tháng hoặc năm; một phiên bản ghi ngày về sau "
        "sẽ che mọi cập nhật thật của hồ sơ. Đề nghị sửa trên hệ thống rồi xuất lại.'"
    )
    return (
        f"SELECT file_id, pos, 'date_after_export:' || d.name AS rule, {reason} AS reason, "
        "strftime(d.at, '%d/%m/%Y %H:%M:%S') AS value "
        f"FROM (SELECT file_id, pos, export_date, unnest([{parts}]) AS d FROM _dossier_rows t "
        f"WHERE greatest({', '.join(dated)}) >= {limit}) AS x WHERE d.at >= {limit}"
    )
