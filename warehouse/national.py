"""The QĐ 766 index of every province from the national dossier versions, one province at a time (issue 15).

Input: the national layout of ``demo/national.py`` (and of a ministry export in the same shape): Parquet or CSV.gz
files under ``versions/province=PP/year=YYYY/day=…/``, with ``units/province=PP/`` and ``procedures/province=PP/``.

Each province is computed in its own DuckDB file (one writer per province, no shared lock), with the province
pipeline's own definitions: the versions are exposed as ``stg_dossier_versions`` and its current state is built by
``tthc/insert_current_state.sql``; the index by ``warehouse.qd766.refresh_index`` (the same counts, scoring and
ranking as the province's marts). Memory is bounded by DuckDB's ``memory_limit`` (spilling to ``temp_directory``).
The province's marts are then written as Parquet partitions ``<out>/<mart>/province=PP/year=YYYY/part-0.parquet``:
rerunning a province rewrites only its partition, and any tool (DuckDB, Spark, Trino, pandas, Power BI) reads the
national marts from the hive layout. ``national_views`` puts DuckDB views and the ministry roll-up over them.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dt_time
from itertools import groupby
from pathlib import Path

import duckdb

from common.periods import Period, periods_between
from scoring.qd766 import methodology_for
from sources.tthc_format import FINISHED_STATUSES
from warehouse.labels import label_units
from warehouse.qd766 import refresh_index
from warehouse.queries import sql
from warehouse.schema import column_comment, ensure_schema

MARTS = ("mart_qd766_unit", "mart_qd766_indicator")
DEFAULT_MEMORY_LIMIT = "2GB"
_VERSIONS, _UNITS, _PROCEDURES = "versions", "units", "procedures"


@dataclass(frozen=True)
class ProvinceRun:
    province: str
    versions: int
    dossiers: int
    units: int
    periods: int
    seconds: float
    refused: tuple[tuple[str, str], ...] = ()  # (file, reason) set aside: empty, still being copied, not the format
    not_counted: tuple[str, ...] = ()  # rows read but outside the index, said in Vietnamese (unknown unit, no code)


def provinces_in(inbox: Path) -> list[str]:
    """Province codes with a versions folder, in code order."""
    root = inbox / _VERSIONS
    return sorted(p.name.split("=", 1)[1] for p in root.glob("province=*") if p.is_dir()) if root.exists() else []


def unknown_province_folders(inbox: Path, known: list[str]) -> list[str]:
    """Province folders of the inbox (versions, units, procedures) whose code is none of ``known``, as
    'versions/province=99': no partition of the national job ever reads them, so they are said, not left unseen."""
    wanted = set(known)
    return sorted(
        f"{table}/{folder.name}"
        for table in (_VERSIONS, _UNITS, _PROCEDURES)
        for folder in (inbox / table).glob("province=*")
        if folder.is_dir() and folder.name.split("=", 1)[1] not in wanted
    )


_EXTENSIONS = ((".parquet", "read_parquet"), (".csv.gz", "read_csv"))


def _refusal(path: Path, extension: str, folder: Path) -> str | None:
    """Why a delivered file cannot be read (Vietnamese), or None. Checked by its place and its first and last bytes,
    not read: a zero-byte re-delivery, a file still being copied (a Parquet file without its footer), another kind
    of file, or a copy kept in a sub-folder of a partition would otherwise stop the province's run or count twice."""
    if path.name.startswith("."):
        return "tệp ẩn hoặc tạm (đang được chép?)"
    for part in path.relative_to(folder).parts[:-1]:
        if part.startswith(".") or "=" not in part:
            return f"nằm trong thư mục con '{part}' ngoài cấu trúc phân vùng (bản sao lưu hay tạm?): không đọc"
    size = path.stat().st_size
    if size == 0:
        return "tệp rỗng (giao lại rỗng hoặc đang chép)"
    with path.open("rb") as fh:
        head = fh.read(4)
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if extension == ".parquet" and (head != b"PAR1" or tail != b"PAR1"):
        return "không phải tệp Parquet hoàn chỉnh (hỏng hoặc đang chép dở)"
    if extension == ".csv.gz" and head[:2] != b"\x1f\x8b":
        return "không phải tệp nén gzip"
    if extension == ".csv.gz" and _gzip_is_empty(path):
        return "tệp nén không có dòng nào (kể cả dòng tiêu đề): giao lại rỗng"
    return None


def _gzip_is_empty(path: Path) -> bool:
    """Whether a gzip file holds nothing but blank lines (a re-delivery of an empty export, compressed): read only
    as far as its first bytes. A damaged stream is not judged here: the read of the province says what to fix."""
    try:
        with gzip.open(path, "rb") as fh:
            head = fh.read(_EMPTY_PROBE)
    except (OSError, EOFError):
        return False
    return len(head) < _EMPTY_PROBE and not head.strip()


_EMPTY_PROBE = 4096  # bytes of the decompressed start read to tell an empty file


@dataclass(frozen=True)
class Delivery:
    """The readable files of a partition folder, the reader for them and the files set aside with the reason."""

    files: list[str]
    reader: str
    refused: list[tuple[str, str]]

    def relation(self, options: str) -> str:
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in self.files)
        # CSV: every column read as text and typed by the query, never sniffed: codes such as 03388 or 1.002923
        # would otherwise become the numbers 3388 and 1.002923
        header = "header = true, all_varchar = true, " if self.reader == "read_csv" else ""
        return f"{self.reader}([{listed}], {header}{options})"


def _same_as_earlier(paths: list[Path]) -> dict[Path, Path]:
    """Files byte for byte the same as an earlier one of the same folder (a part delivered twice): compared only
    where two files of a folder have the same size, so a normal delivery is not read for this."""
    by_size: dict[tuple[Path, int], list[Path]] = {}
    for path in paths:
        by_size.setdefault((path.parent, path.stat().st_size), []).append(path)
    copies: dict[Path, Path] = {}
    for group in by_size.values():
        seen: dict[str, Path] = {}
        for path in group if len(group) > 1 else []:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen:
                copies[path] = seen[digest]
            else:
                seen[digest] = path
    return copies


def delivery(folder: Path) -> Delivery:
    """Parquet files of a partition folder, else gzip CSV (the two formats of the national layout). A folder with
    both reads the Parquet files and sets the others aside, saying so."""
    found = {extension: sorted(folder.rglob(f"*{extension}")) for extension, _ in _EXTENSIONS}
    for extension, reader in _EXTENSIONS:
        if not found[extension]:
            continue
        refused = [(p.as_posix(), why) for p in found[extension] if (why := _refusal(p, extension, folder))]
        bad = {f for f, _ in refused}
        readable = [p for p in found[extension] if p.as_posix() not in bad]
        copies = _same_as_earlier(readable)
        refused += [
            (p.as_posix(), f"trùng y hệt tệp {kept.name} cùng thư mục (giao hai lần): không đọc") for p, kept in copies.items()
        ]
        files = [p.as_posix() for p in readable if p not in copies]
        for other, _ in _EXTENSIONS:
            if other != extension:
                refused += [
                    (p.as_posix(), f"tỉnh đã giao dạng {extension}: mỗi tỉnh một định dạng, tệp này không đọc")
                    for p in found[other]
                ]
        if not files:
            raise FileNotFoundError(f"Không có tệp đọc được trong {folder}: " + "; ".join(f"{f}: {w}" for f, w in refused))
        return Delivery(files, reader, refused)
    raise FileNotFoundError(f"Không có tệp Parquet hay CSV.gz nào trong {folder}: kiểm tra thư mục dữ liệu toàn quốc.")


TIME_ZONE = "Asia/Ho_Chi_Minh"

# Lines of one part of a day's delivery (a province's day is thousands of versions): part k's lines are numbered
# from k × this, within an INTEGER for up to 127 parts a day.
_ROWS_PER_PART = 1 << 24


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _configure(con: duckdb.DuckDBPyConnection, spill: Path, memory_limit: str, threads: int | None) -> None:
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    con.execute("SET preserve_insertion_order = false")  # lets large aggregates and COPY stream and spill
    # Vietnam's one time zone: a timestamp delivered with a zone (Parquet TIMESTAMPTZ, or '…+00' in a CSV) is read as
    # the clock time in Vietnam, whatever the server's zone; a timestamp without one is that clock time already.
    con.execute(f"SET TimeZone = '{TIME_ZONE}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")


def _code(column: str) -> str:
    """A delivered code as the index compares it: trimmed, and blank (or spaces only) as missing, so a blank code is
    said like an absent one instead of becoming the code '' of one phantom dossier, unit or procedure."""
    return f"NULLIF(trim({column}), '')"


def unit_codes(inbox: Path, province: str) -> list[str]:
    """The province's unit codes as its run reads them: the same files (a copy delivered twice, a damaged or empty
    file set aside), the same reader (Parquet or CSV.gz), trimmed. The blocking check compares the published marts
    with these, never with a reading of its own."""
    units = delivery(inbox / _UNITS / f"province={province}").relation("hive_partitioning = false")
    with duckdb.connect() as con:
        query = f"SELECT DISTINCT {_code('unit_code')} AS code FROM {units} WHERE code IS NOT NULL ORDER BY 1"
        return [r[0] for r in con.execute(query).fetchall()]


def _load_master_data(con: duckdb.DuckDBPyConnection, inbox: Path, province: str) -> tuple[int, list[tuple[str, str]]]:
    """dim_unit and dim_procedure of the province from its units and procedures files; the files set aside."""
    unit_files = delivery(inbox / _UNITS / f"province={province}")
    procedure_files = delivery(inbox / _PROCEDURES / f"province={province}")
    units = unit_files.relation("hive_partitioning = false")
    con.execute(
        f"""INSERT INTO dim_unit BY NAME
            SELECT {_code("unit_code")} AS unit_code, nfc_normalize(trim(unit_name)) AS unit_name, unit_group,
                   CASE unit_group WHEN 'agency' THEN 'Sở, ban, ngành' WHEN 'ward' THEN 'Phường' ELSE 'Xã' END AS group_label,
                   CASE unit_group WHEN 'agency' THEN 'agency' ELSE 'local' END AS ranking_group,
                   $province AS province, []::VARCHAR[] AS aliases,
                   (row_number() OVER (ORDER BY unit_code))::INTEGER AS sort_order, 'national' AS master_source
            FROM {units}""",
        {"province": province},
    )
    procedures = procedure_files.relation("hive_partitioning = false")
    con.execute(
        f"""INSERT INTO dim_procedure BY NAME
            SELECT {_code("procedure_code")} AS procedure_code, nfc_normalize(trim(procedure_name)) AS procedure_name, field,
                   level AS authority_level, online_level, fee::BIGINT > 0 AS fee_bearing, owner_unit_code,
                   payment_integrated::BOOLEAN AS payment_integrated
            FROM {procedures}"""
    )
    label_units(con)  # Vietnamese sort keys and the diacritics-free search names, as in the province pipeline
    n_units = int(con.execute("SELECT count(*) FROM dim_unit").fetchone()[0])  # type: ignore[index]
    return n_units, unit_files.refused + procedure_files.refused


def _stage_versions(con: duckdb.DuckDBPyConnection, inbox: Path, province: str, year: int) -> list[tuple[str, str]]:
    """The province's versions until the end of ``year`` as ``stg_dossier_versions`` in the province pipeline's column
    names (a view over the Parquet files, nothing copied; CSV.gz lines copied once into the work file to number
    them, see below). Later days are left out, so
    the year's partition stays the same when the next year's files arrive."""
    found = delivery(inbox / _VERSIONS / f"province={province}")
    # The tie-break of two versions of a dossier with the same update time in one day: the later line wins, and of
    # two parts of the day the later part's line. Parquet: the line in the file, each part's lines in their own
    # range (the join back to the latest version would otherwise take a line of every part).
    if found.reader == "read_parquet":
        parts: dict[str, list[str]] = {}
        for file in found.files:
            parts.setdefault(file.rsplit("/", 1)[0], []).append(file)
        later = [(f, i) for files in parts.values() for i, f in enumerate(files) if i]
        ranges = " ".join(f"WHEN {_literal(f)} THEN {i * _ROWS_PER_PART}" for f, i in later)
        source_row = f"(file_row_number + {f'CASE filename {ranges} ELSE 0 END' if later else '0'})::INTEGER"
        options = f"hive_partitioning = true, hive_types = {{'day': DATE}}, filename = {'true' if later else 'false'}"
        options += ", file_row_number = true"
        relation = found.relation(options)
    else:
        # The CSV reader numbers no lines: the year's lines are copied once, in the order of the files (sorted by
        # path: day, then part) and of their lines, into a table whose row id is then the line's place. Numbering
        # them in a view instead would give two versions alike in their sort columns an arbitrary order, and not
        # even the same one in the two reads of the current state (the latest version, then the join back to it).
        con.execute("SET preserve_insertion_order = true")  # the row ids in the files' order
        try:
            con.execute(
                f"""CREATE OR REPLACE TABLE national_csv_lines AS
                    SELECT * FROM {found.relation("hive_partitioning = true, hive_types = {'day': DATE}, filename = false")}
                    WHERE day <= DATE '{int(year)}-12-31'"""
            )
        finally:
            con.execute("SET preserve_insertion_order = false")
        source_row = "rowid::INTEGER"
        relation = "national_csv_lines"
    # CSV text with a zone ('…+00') goes through TIMESTAMPTZ (a plain cast drops the zone); Parquet columns carry
    # their type, and a TIMESTAMPTZ one becomes Vietnam's clock time by the session's zone.
    when = "{}::TIMESTAMPTZ::TIMESTAMP" if found.reader == "read_csv" else "{}::TIMESTAMP"
    received, due, finished, updated = (when.format(c) for c in ("received_at", "due_at", "finished_at", "updated_at"))
    con.execute("DROP TABLE IF EXISTS stg_dossier_versions")
    con.execute(
        f"""CREATE OR REPLACE VIEW national_versions AS
            SELECT {_code("dossier_code")} AS dossier_code, {_code("procedure_code")} AS procedure_code, receiving_centre,
                   {_code("unit_code")} AS resolving_unit_code, channel,
                   {received} AS received_at, {due} AS due_at,
                   {finished} AS completed_at, status, supplements::INTEGER AS supplement_requests,
                   digitised::BOOLEAN AS digitised, e_result::BOOLEAN AS electronic_result, fee::BIGINT AS fee_due,
                   paid_online::BOOLEAN AS paid_online, data_reused::BOOLEAN AS reused_data,
                   vneid::BOOLEAN AS citizen_data_used, synced::BOOLEAN AS synced_to_portal, rating AS satisfaction,
                   {updated} AS updated_at, NULL::VARCHAR AS applicant_key,
                   day::DATE AS export_date, {source_row} AS source_row
            FROM {relation}
            WHERE day <= DATE '{int(year)}-12-31'"""
    )
    # The versions the index counts: those with every value a dossier's current state needs. The others are counted
    # and said (``_year_versions``); one such version used to stop the whole province on fct_dossier's NOT NULL.
    con.execute(f"CREATE OR REPLACE VIEW stg_dossier_versions AS SELECT * FROM national_versions WHERE {_COMPLETE}")
    return found.refused


# What a version needs to be a dossier's state (fct_dossier's NOT NULL columns the delivery gives).
_REQUIRED = (
    "dossier_code",
    "updated_at",
    "procedure_code",
    "resolving_unit_code",
    "received_at",
    "due_at",
    "status",
    "channel",
    "supplement_requests",
)
_COMPLETE = " AND ".join(f"{c} IS NOT NULL" for c in _REQUIRED)


def _delivery_problem(err: duckdb.Error) -> str:
    """What a DuckDB error while reading a province's delivery means for whoever delivers it (Vietnamese)."""
    if isinstance(err, duckdb.ConversionException):
        return "một giá trị không đọc được theo kiểu của cột (ngày giờ phải là yyyy-mm-dd HH:MM:SS, số phải là số)"
    if isinstance(err, duckdb.ConstraintException):
        return (
            "thiếu giá trị bắt buộc (mã đơn vị, mã thủ tục, ngày tiếp nhận, trạng thái của hồ sơ; mã chỉ có dấu cách "
            "là thiếu) hoặc một mã có hai lần trong "
            "danh mục đơn vị hay thủ tục"
        )
    if isinstance(err, duckdb.BinderException):
        return "thiếu cột so với bố cục dữ liệu toàn quốc, hoặc có tệp nằm ngoài thư mục day=yyyy-mm-dd"
    return (
        "một tệp không đọc được: hỏng hoặc đang chép dở (chép lại), thiếu cột so với bố cục, hoặc tên thư mục "
        "day=… không phải ngày yyyy-mm-dd"
    )


def _current_state(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("CREATE OR REPLACE TEMP VIEW _touched AS SELECT DISTINCT dossier_code FROM stg_dossier_versions")
    con.execute(sql("tthc/insert_current_state"), {"finished": sorted(FINISHED_STATUSES)})
    return int(con.execute("SELECT count(*) FROM fct_dossier").fetchone()[0])  # type: ignore[index]


def year_periods(year: int, as_of: date) -> list[Period]:
    """Months, quarters and the year that have started by ``as_of``."""
    first, last = date(year, 1, 1), min(date(year, 12, 31), as_of)
    return [p for kind in ("month", "quarter", "year") for p in periods_between(kind, first, last) if p.start <= as_of]


def unpublishable(con: duckdb.DuckDBPyConnection, periods: int) -> list[str]:
    """Why the province's marts must not replace its published partition (Vietnamese, for the run's failure):
    a unit without a row in a period, or two rows, or a total outside 0-100. Empty: publishable."""
    units = int(con.execute("SELECT count(*) FROM dim_unit").fetchone()[0])  # type: ignore[index]
    rows, keys, bad_total = con.execute(
        """SELECT count(*), count(DISTINCT (period_label, unit_code)),
                  count(*) FILTER (WHERE total < 0 OR total > 100) FROM mart_qd766_unit"""
    ).fetchone()  # type: ignore[misc]
    problems = []
    if rows != units * periods:
        problems.append(f"{rows} dòng điểm đơn vị, cần {units} đơn vị × {periods} kỳ = {units * periods}")
    if keys != rows:
        problems.append(f"{rows - keys} dòng trùng (đơn vị, kỳ)")
    if bad_total:
        problems.append(f"{bad_total} tổng điểm ngoài khoảng 0-100")
    return problems


def _journal(out: Path, province: str, year: int) -> Path:
    return out / f".publishing.province={province}.year={year}.json"


def _roll_forward(journal: Path) -> bool:
    """Finish the renames a run killed between them left undone: its journal lists the staged files, all written
    whole before the first rename, so completing them gives the new pair (never a new unit mart beside an old
    indicator mart). Tolerates another process finishing the same journal at the same time."""
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    out = journal.parent
    for staged, published in pairs:
        try:
            os.replace(out / staged, out / published)
        except FileNotFoundError:  # already renamed, by the run itself or by another roll-forward
            pass
    journal.unlink(missing_ok=True)
    return True


def finish_publications(out: Path) -> list[str]:
    """Roll forward every publication a killed run left half renamed (see `_roll_forward`); the partitions finished."""
    return [j.name.removeprefix(".publishing.").removesuffix(".json") for j in out.glob(".publishing.*.json") if _roll_forward(j)]


def _export(con: duckdb.DuckDBPyConnection, out: Path, province: str, year: int) -> None:
    """Each mart's rows as the province's Parquet partition. Both marts are written aside first (hidden names the
    views' pattern never matches), then each renamed over the published file: a reader opening the partition at any
    moment finds a whole file, old or new (renaming a folder away would leave it missing for a moment), and a run
    killed while writing leaves the published pair as it was. The renames are listed in a journal first, so a run
    killed between them is finished by the next run or the next national views (`finish_publications`)."""
    journal = _journal(out, province, year)
    _roll_forward(journal)  # before the clean-up below, which would take its staged files for a killed run's
    for half_written in out.glob(f"{journal.name}.*.tmp"):
        half_written.unlink(missing_ok=True)
    staged = []
    for mart in MARTS:
        target = out / mart / f"province={province}" / f"year={year}"
        target.mkdir(parents=True, exist_ok=True)
        for leftover in [*target.glob(".*.tmp"), *target.parent.glob(f".{target.name}.*")]:  # a killed run's
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        tmp = target / f".part-0.parquet.{uuid.uuid4().hex}.tmp"
        con.execute(f"COPY (SELECT * FROM {mart} ORDER BY ALL) TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION zstd)")
        staged.append((tmp, target / "part-0.parquet"))
    written = journal.with_name(f"{journal.name}.{uuid.uuid4().hex}.tmp")
    written.write_text(json.dumps([[str(t.relative_to(out)), str(p.relative_to(out))] for t, p in staged]), encoding="utf-8")
    os.replace(written, journal)
    for tmp, published in staged:
        os.replace(tmp, published)
    journal.unlink()
    for _, published in staged:
        for other in published.parent.glob("*.parquet"):  # files of an older layout of the partition
            if other != published:
                other.unlink()


def province_qd766(
    inbox: Path,
    province: str,
    out: Path,
    work_dir: Path,
    *,
    year: int,
    as_of: datetime | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
) -> ProvinceRun:
    """Compute one province's QĐ 766 months, quarters and year and publish its Parquet partitions.

    ``as_of`` None: the end of the province's last export day of the year (its data cutoff, as the province
    pipeline's ``data_cutoff``)."""
    started = time.perf_counter()
    work_dir.mkdir(parents=True, exist_ok=True)
    name = f"province_{province}_{year}"  # two years of a province (a backfill) run side by side
    # Held for the whole run and released by the system when the process ends, killed or not: a second run of the
    # same province and year is told so instead of deleting the first one's work file.
    lock = (work_dir / f"{name}.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise ValueError(
            f"Tỉnh mã {province} năm {year} đang được tính trong một lượt chạy khác: đợi lượt đó xong rồi chạy lại."
        ) from None
    try:
        return _province_qd766(inbox, province, out, work_dir, name, year, as_of, memory_limit, threads, started)
    finally:
        lock.close()


def _province_qd766(
    inbox: Path,
    province: str,
    out: Path,
    work_dir: Path,
    name: str,
    year: int,
    as_of: datetime | None,
    memory_limit: str,
    threads: int | None,
    started: float,
) -> ProvinceRun:
    db, spill = work_dir / f"{name}.duckdb", work_dir / f"spill_{name}"
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)  # a killed run leaves a half-built file: always start from empty
    shutil.rmtree(spill, ignore_errors=True)  # and its spilled pages
    con = duckdb.connect(str(db))
    try:
        _configure(con, spill, memory_limit, threads)
        ensure_schema(con)
        try:
            n_units, refused = _load_master_data(con, inbox, province)
            refused += _stage_versions(con, inbox, province, year)
            versions, last_day, not_counted = _year_versions(con, year)
            dossiers = _current_state(con)
        except duckdb.Error as err:  # the delivery's content, not the program: said with what to check
            raise ValueError(f"Tỉnh mã {province}: {_delivery_problem(err)}; sửa dữ liệu giao rồi chạy lại ({err})") from None
        if not versions:  # nothing of the year yet (its first day not delivered): no partition of zeros
            raise ValueError(
                f"Tỉnh mã {province}: không có phiên bản hồ sơ nào của năm {year} trong dữ liệu giao; kiểm tra thư mục "
                f"versions/province={province}/year={year} rồi chạy lại."
            )
        if as_of is None:
            as_of = datetime.combine(last_day or date(year, 1, 1), dt_time(23, 59, 59))
        periods = year_periods(year, as_of.date())
        for methodology, batch in groupby(periods, key=lambda p: methodology_for(p.start)):
            refresh_index(con, list(batch), methodology, as_of)
        problems = unpublishable(con, len(periods))
        if problems:  # the partition published before stays; nothing half-checked reaches the national marts
            raise ValueError(f"Không công bố Chỉ số 766 tỉnh mã {province} năm {year}: " + "; ".join(problems) + ".")
        _export(con, out, province, year)
    finally:
        con.close()
    for leftover in (db, db.with_suffix(".duckdb.wal")):
        leftover.unlink(missing_ok=True)  # the Parquet partitions are the result; the work file is not kept
    shutil.rmtree(spill, ignore_errors=True)
    seconds = round(time.perf_counter() - started, 2)
    return ProvinceRun(province, int(versions), dossiers, n_units, len(periods), seconds, tuple(refused), not_counted)


def _year_versions(con: duckdb.DuckDBPyConnection, year: int) -> tuple[int, date | None, tuple[str, ...]]:
    """In one scan of the year's versions: how many, the last export day, and those the index cannot count, said in
    Vietnamese (without a dossier code or an update time, or of a unit missing from the units file, codes trimmed)."""
    versions, last_day, no_key, incomplete, unknown, codes = con.execute(
        f"""SELECT count(*), max(export_date),
                  count(*) FILTER (WHERE dossier_code IS NULL OR updated_at IS NULL),
                  count(*) FILTER (WHERE dossier_code IS NOT NULL AND updated_at IS NOT NULL AND NOT ({_COMPLETE})),
                  count(*) FILTER (WHERE u.unit_code IS NULL AND v.resolving_unit_code IS NOT NULL),
                  list(DISTINCT v.resolving_unit_code ORDER BY v.resolving_unit_code)
                      FILTER (WHERE u.unit_code IS NULL AND v.resolving_unit_code IS NOT NULL)
           FROM national_versions AS v LEFT JOIN dim_unit AS u ON u.unit_code = v.resolving_unit_code
           WHERE year(v.export_date) = $year""",
        {"year": year},
    ).fetchone()  # type: ignore[misc]
    notes = []
    if no_key:
        notes.append(f"{no_key} phiên bản thiếu mã hồ sơ hoặc ngày cập nhật: không tính")
    if incomplete:
        notes.append(
            f"{incomplete} phiên bản thiếu mã đơn vị, mã thủ tục, ngày tiếp nhận, hạn hoặc trạng thái: không tính "
            "(hồ sơ giữ phiên bản đủ thông tin gần nhất, nếu có)"
        )
    if unknown:
        shown = ", ".join(codes[:10]) + (", …" if len(codes) > 10 else "")
        notes.append(f"{unknown} phiên bản của đơn vị không có trong danh mục đơn vị (mã {shown}): không tính vào đơn vị nào")
    return int(versions), last_day, tuple(notes)


# Comments of the national views (read in DBeaver, DuckDB's duckdb_columns(), the snapshot's documentation): the
# marts' columns keep the province warehouse's comments, with these for the columns of the national layout.
_NATIONAL_COLUMNS = {
    "province": "mã tỉnh, thành phố (2 chữ số, '01'…'96', từ thư mục province=PP của phân vùng; đọc là chuỗi)",
    "year": "năm của phân vùng (year=YYYY)",
    "sort_key": (
        "thứ tự tên đơn vị theo chữ cái tiếng Việt TRONG TỈNH (00001, 00002…: hạng của tên trong tỉnh, như kho của "
        "tỉnh); giữa các tỉnh: ORDER BY province, sort_key"
    ),
}
_VIEW_COMMENTS = {
    "mart_qd766_unit_national": "Chỉ số 766 theo đơn vị và kỳ của mọi tỉnh đã công bố (mart_qd766_unit của từng tỉnh).",
    "mart_qd766_indicator_national": "Chỉ tiêu Chỉ số 766 theo đơn vị và kỳ của mọi tỉnh (mart_qd766_indicator của từng tỉnh).",
    "mart_qd766_province": "Tổng hợp cấp bộ: mỗi tỉnh × kỳ, số đơn vị, điểm trung bình, thấp nhất, cao nhất, số hồ sơ.",
}
_ROLL_UP_COLUMNS = {
    "units": "số đơn vị của tỉnh có dòng trong kỳ",
    "units_scored": "số đơn vị có tổng điểm",
    "units_complete": "số đơn vị đủ 6 nhóm điểm (complete)",
    "complete": "mọi đơn vị của tỉnh đủ 6 nhóm điểm trong kỳ",
    "evaluated_max": (
        "tổng điểm tối đa cao nhất của các nhóm đã có điểm (100 khi đủ 6 nhóm): mean/min/max_total theo thang này; "
        "dữ liệu toàn quốc chỉ có hồ sơ, nên các nhóm cần Cổng, PAKN hay sổ công khai không có điểm (dưới 100)"
    ),
    "mean_total": "tổng điểm trung bình của các đơn vị (làm tròn 2 chữ số)",
    "min_total": "tổng điểm thấp nhất của đơn vị trong tỉnh",
    "max_total": "tổng điểm cao nhất của đơn vị trong tỉnh",
    "dossiers": "số hồ sơ tiếp nhận trong kỳ của mọi đơn vị của tỉnh",
    "as_of_min": "thời điểm dữ liệu sớm nhất của các đơn vị (cuối ngày xuất dữ liệu gần nhất của tỉnh)",
    "as_of_max": "thời điểm dữ liệu muộn nhất của các đơn vị (bằng as_of_min khi tỉnh tính một lần)",
}


def _comment_views(con: duckdb.DuckDBPyConnection) -> None:
    """COMMENT ON every national view and its columns, as the province warehouse comments its marts."""
    for view, comment in _VIEW_COMMENTS.items():
        con.execute(f"COMMENT ON VIEW {view} IS {_literal(comment)}")
        mart = view.removesuffix("_national")
        own = _ROLL_UP_COLUMNS if view == "mart_qd766_province" else {}
        for (column,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database()", [view]
        ).fetchall():
            text = (
                _NATIONAL_COLUMNS.get(column)
                or own.get(column)
                or column_comment(mart if mart in MARTS else "mart_qd766_unit", column)
            )
            if text:
                con.execute(f"COMMENT ON COLUMN {view}.{column} IS {_literal(text)}")


def national_views(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Views over every province's published partitions, and the ministry roll-up (one row per province and period:
    units scored and complete, the scale and the mean and spread of the unit totals, dossiers, the data's as_of)."""
    if not list(out.glob(f"{MARTS[0]}/province=*/year=*/*.parquet")):
        raise ValueError(f"Chưa có tỉnh nào được công bố trong {out}: chạy national_qd766 cho ít nhất một tỉnh trước.")
    for mart in MARTS:
        # The published layout only: a killed export's staging folders (".year=…") never match.
        pattern = (out / mart / "province=*" / "year=*" / "*.parquet").as_posix().replace("'", "''")
        con.execute(
            f"""CREATE OR REPLACE VIEW {mart}_national AS
                SELECT * FROM read_parquet('{pattern}', hive_partitioning = true,
                                           hive_types = {{'province': VARCHAR, 'year': INTEGER}})"""
        )
    con.execute(
        """CREATE OR REPLACE VIEW mart_qd766_province AS
           SELECT province, year, period_label, period_kind, period_start,
                  count(*) AS units, count(total) AS units_scored, count(*) FILTER (WHERE complete) AS units_complete,
                  bool_and(complete) AS complete, max(evaluated_max) AS evaluated_max,
                  round(avg(total), 2) AS mean_total, round(min(total), 2) AS min_total, round(max(total), 2) AS max_total,
                  sum(dossiers)::BIGINT AS dossiers, min(as_of) AS as_of_min, max(as_of) AS as_of_max
           FROM mart_qd766_unit_national
           GROUP BY ALL"""
    )
    _comment_views(con)


def publish_national_views(out: Path) -> Path:
    """``out/national.duckdb`` with the national views, written aside and renamed over the previous one: an analyst
    who has the file open (which would lock a writer out) keeps the old file and never stops the run."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "national.duckdb"
    tmp = out / f".national.{uuid.uuid4().hex}.duckdb"
    finish_publications(out)
    try:
        with duckdb.connect(str(tmp)) as con:
            national_views(con, out)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    return path
