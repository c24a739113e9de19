"""Inspect a CSV export before DuckDB reads it: hash, encoding, Unicode form and header.

Well-formed files (UTF-8, NFC, the standard header) are read in place, many at once, by DuckDB.
Anything else (Windows-1258, decomposed diacritics, renamed, reordered or missing optional columns)
is rewritten once into a normalised UTF-8 copy with the standard header, so the fast batch read still
applies and the rest of the file still loads.

Only the header line is decoded to choose the encoding: a Windows-1258 export shows itself in its Vietnamese
header, and a stray invalid byte further down is reported by DuckDB on its own line ("INVALID ENCODING") while
the rest loads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from common.vntext import match_key
from sources.tthc_format import Column


@dataclass
class FileIssue:
    rule: str
    reason: str  # Vietnamese, for the unit that sent the file
    blocking: bool = True  # the file could not be loaded at all


@dataclass
class ReadResult:
    """What a reader of a small source file returns: good rows, rejected rows, file-level problems, lineage."""

    rows: list[dict] = field(default_factory=list)
    # file_name, row_number, record_key, rule, reason (Vietnamese), value (+ unit_code, unit_name where units are matched)
    rejects: list[dict] = field(default_factory=list)
    file_issues: list[FileIssue] = field(default_factory=list)
    sha256: str = ""
    size_bytes: int = 0
    encoding: str = "utf-8"
    loadable: bool = False


@dataclass
class PreparedFile:
    path: Path  # the file as received
    sha256: str
    size_bytes: int
    encoding: str = "utf-8"
    read_path: Path | None = None  # what DuckDB reads; None when nothing can be loaded
    issues: list[FileIssue] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # canonical names of the columns the received file has

    @property
    def loadable(self) -> bool:
        return self.read_path is not None


def header_mapping(headers: list[str], columns: tuple[Column, ...]) -> tuple[dict[int, Column], list[str]]:
    """Map header positions to columns by header or alias, ignoring case, diacritics and spacing."""
    by_key: dict[str, Column] = {}
    for column in columns:
        for text in (column.header, *column.aliases):
            by_key[match_key(text)] = column
    mapping: dict[int, Column] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        column = by_key.get(match_key(header))
        if column is None or column in mapping.values():
            unknown.append(header)
        else:
            mapping[position] = column
    return mapping, unknown


# UTF-8 lead bytes of the combining marks U+0300..U+036F: text without them is already NFC for Vietnamese,
# which saves a full normalisation pass over every clean export.
_COMBINING_LEAD_BYTES = (b"\xcc", b"\xcd")


_NOT_BLANK = re.compile(rb"[^\s\xef\xbb\xbf]")


def _is_utf8(header: bytes) -> bool:
    try:
        header.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode(raw: bytes, encoding: str) -> str:
    text = raw.decode("utf-8-sig", errors="replace") if encoding == "utf-8" else raw.decode("cp1258")
    return unicodedata.normalize("NFC", text)


def prepare_csv(path: Path, columns: tuple[Column, ...], work_dir: Path) -> PreparedFile:
    raw = path.read_bytes()
    prepared = PreparedFile(path=path, sha256=hashlib.sha256(raw).hexdigest(), size_bytes=len(raw))
    if not _NOT_BLANK.search(raw):
        prepared.issues.append(FileIssue("empty_file", "Tệp rỗng: không có tiêu đề cột và không có dòng dữ liệu."))
        return prepared
    header_end = raw.find(b"\n")
    header_bytes = raw if header_end < 0 else raw[:header_end]
    if not _is_utf8(header_bytes):
        # The other encoding Vietnamese offices still export: Windows-1258 (tone marks as combining characters).
        try:
            raw.decode("cp1258")
        except UnicodeDecodeError:
            prepared.issues.append(FileIssue("bad_encoding", "Không đọc được mã hóa của tệp (cần UTF-8 hoặc Windows-1258)."))
            return prepared
        prepared.encoding = "windows-1258"
        prepared.issues.append(
            FileIssue("encoding_converted", "Tệp mã hóa windows-1258, đã chuyển sang UTF-8; đề nghị xuất UTF-8.", blocking=False)
        )
    headers = next(csv.reader([_decode(header_bytes, prepared.encoding).rstrip("\r")]))
    mapping, unknown = header_mapping(headers, columns)
    found = set(mapping.values())
    prepared.present = frozenset(c.name for c in found)
    missing_required = [c for c in columns if c.required and c not in found]
    if missing_required:
        names = ", ".join(f"'{c.header}'" for c in missing_required)
        prepared.issues.append(FileIssue("missing_columns", f"Thiếu cột bắt buộc {names}; không nạp được tệp."))
        return prepared
    if unknown:
        prepared.issues.append(
            FileIssue("unknown_columns", f"Bỏ qua cột không có trong mẫu: {', '.join(unknown)}.", blocking=False)
        )
    renamed = [f"'{headers[i]}' → '{c.header}'" for i, c in mapping.items() if headers[i] != c.header]
    if renamed:
        prepared.issues.append(FileIssue("renamed_columns", f"Tên cột khác mẫu, đã nhận diện: {'; '.join(renamed)}.", blocking=False))
    missing_optional = [c for c in columns if c not in found]
    if missing_optional:
        names = ", ".join(f"'{c.header}'" for c in missing_optional)
        prepared.issues.append(FileIssue("missing_optional_columns", f"Thiếu cột không bắt buộc {names}.", blocking=False))
    if header_end < 0 or not _NOT_BLANK.search(raw, header_end + 1):
        prepared.issues.append(FileIssue("no_rows", "Tệp chỉ có dòng tiêu đề, không có hồ sơ nào.", blocking=False))

    decomposed = prepared.encoding != "utf-8" or any(lead in raw for lead in _COMBINING_LEAD_BYTES)
    text = _decode(raw, prepared.encoding) if decomposed else None
    clean = prepared.encoding == "utf-8" and headers == [c.header for c in columns]
    if clean and (text is None or text == raw.decode("utf-8-sig", errors="replace")):
        prepared.read_path = path
        return prepared
    prepared.read_path = _rewrite(path, text if text is not None else _decode(raw, prepared.encoding), mapping, columns, work_dir)
    return prepared


def _rewrite(path: Path, text: str, mapping: dict[int, Column], columns: tuple[Column, ...], work_dir: Path) -> Path:
    """Copy with the standard header and column order; line numbers stay those of the received file."""
    position_of = {column.name: position for position, column in mapping.items()}
    order = [position_of.get(c.name) for c in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    writer.writerow([c.header for c in columns])
    for line in lines[1:]:
        fields = next(csv.reader([line.rstrip("\r")]), [])
        if len(fields) < len(mapping):
            out.write(line.rstrip("\r") + "\n")  # malformed: keep as is so DuckDB reports it on the same line
            continue
        writer.writerow(["" if p is None or p >= len(fields) else fields[p] for p in order])
    work_dir.mkdir(parents=True, exist_ok=True)
    target = work_dir / f"{path.stem}.{hashlib.sha1(str(path).encode()).hexdigest()[:8]}.normalised.csv"
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


# --- small files read row by row in Python (catalogue, petitions, publication) ---------------------------------

# dd/mm/yyyy only, as for the dossier exports: a date written another way is reported, never guessed.
DAY_FIRST_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def parse_day_first(text: str, formats: tuple[str, ...] = DAY_FIRST_FORMATS) -> datetime | None:
    """The datetime of a dd/mm/yyyy[ HH:MM[:SS]] text, None when it is written any other way."""
    value = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def vocabulary_lookup(vocabulary: dict[str, Any]) -> Callable[[str], Any]:
    """Code of a raw value ignoring case, diacritics and spacing (None when unknown)."""
    keyed = {match_key(k): v for k, v in vocabulary.items()}
    return lambda raw: keyed.get(match_key(raw))


def iter_records(prepared: PreparedFile) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts in the received file, NFC fields) of every data record; a quoted value may span
    lines, so line numbers come from the reader, not from counting records."""
    with prepared.read_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        start = reader.line_num + 1
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                yield start, [unicodedata.normalize("NFC", f) for f in fields]
            start = reader.line_num + 1


# --- small CSV files read row by row in Python (petitions, publication register, DTI inputs) ----------------------

def open_csv(path: Path, columns: tuple[Column, ...], work_dir: Path, no_rows: str,
             result_type: type[ReadResult] = ReadResult, **fields: Any) -> tuple[Any, PreparedFile | None]:
    """``prepare_csv`` for a reader that checks rows itself: a ``result_type`` with the file's lineage and issues (an
    unreadable file is a blocking issue, a header-only file says ``no_rows``), and the prepared file when loadable."""
    try:
        prepared = prepare_csv(path, columns, work_dir)
    except OSError as error:
        what = "Không tìm thấy tệp" if isinstance(error, FileNotFoundError) else "Không đọc được tệp"
        return result_type(file_issues=[FileIssue("unreadable_file", f"{what}; không nạp được tệp.")], **fields), None
    issues = [FileIssue(i.rule, no_rows, i.blocking) if i.rule == "no_rows" else i for i in prepared.issues]
    result = result_type(file_issues=issues, sha256=prepared.sha256, size_bytes=prepared.size_bytes,
                         encoding=prepared.encoding, loadable=prepared.loadable, **fields)
    return result, prepared if prepared.loadable else None


def row_reject(path: Path, line: int, rule: str, reason: str, value: str | None = None, *, key: str | None = None,
               unit_code: str | None = None, unit_name: str | None = None) -> dict:
    """A rejected row as every loader's quarantine takes it."""
    return {"file_name": path.name, "row_number": line, "record_key": key, "unit_code": unit_code,
            "unit_name": unit_name, "rule": rule, "reason": reason, "value": value}


def csv_rows(prepared: PreparedFile, columns: tuple[Column, ...], result: ReadResult) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, values by canonical name, NFC with white space collapsed) of every well-formed record; a record with
    too few or too many fields is rejected into ``result`` (``malformed_line``) and skipped."""
    names = [c.name for c in columns]
    for line, fields in iter_records(prepared):
        if len(fields) != len(names):
            reason = ("Dòng thiếu cột (tệp có thể bị cắt cụt)." if len(fields) < len(names) else
                      "Dòng thừa cột (dấu phẩy trong giá trị không được đặt trong ngoặc kép).")
            result.rejects.append(row_reject(prepared.path, line, "malformed_line", reason))
            continue
        yield line, {name: " ".join(value.split()) for name, value in zip(names, fields, strict=True)}
