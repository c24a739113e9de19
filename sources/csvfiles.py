"""Inspect a CSV file before it is read: kind, encoding, delimiter, line ends, header, completeness.

Well-formed files (UTF-8, NFC, comma-separated, the standard header) are read in place, many at once, by DuckDB.
Anything else a real office sends is normalised once into UTF-8 text with the standard header, so the rest of the
file still loads: Windows-1258, UTF-16/UTF-32 ("Unicode text" from Excel), decomposed diacritics, a semicolon, tab
or pipe delimiter, old-Mac CR-only line ends, renamed, reordered or missing optional columns. What cannot be read
is refused with its real cause: another kind of file under a ``.csv`` name, TCVN3/VNI text, an empty file. A file
still being copied is left for the next run; a file cut short (a partial last line) is flagged ``truncated`` for the
loader to decide (a re-delivery of a file that loaded well is then refused, the earlier good data kept).

The normalised text stays in memory (``PreparedFile.text``); only a reader that needs a path (DuckDB) writes it to
the work folder, without the personal columns (the ID number replaced by its keyed pseudonym), and removes it as soon
as the rows are staged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from common.text_encoding import LegacyEncoding, decode_text
from common.vntext import match_key, strip_diacritics
from sources.intake import KIND_LABELS, STILL_COPYING_REASON, sniff_kind, still_being_written
from sources.tthc_format import Column

# No field-size limit below a file's own size: a 200 kB cell (a pasted document) is a value, not an error.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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
    truncated: bool = False  # the last line was cut short (copy interrupted or still in progress)
    deferred: bool = False  # still being copied: left for the next run


@dataclass
class PreparedFile:
    path: Path  # the file as received
    sha256: str
    size_bytes: int
    encoding: str = "utf-8"
    read_path: Path | None = None  # what DuckDB reads (the received file, or a normalised copy in the work folder)
    text: str | None = None  # the normalised text, when the received file could not be read in place
    issues: list[FileIssue] = field(default_factory=list)
    present: frozenset[str] = frozenset()  # canonical names of the columns the received file has
    truncated: bool = False  # the last line is cut short
    deferred: bool = False  # still being copied: left for the next run
    data_lines: int | None = None  # records after the header, when known
    stray_bytes: int = 0  # invalid UTF-8 sequences in an otherwise UTF-8 file: their lines are rejected
    headers: tuple[str, ...] = ()  # the header cells as received (NFC), when the header could be read
    physical_lines: int = 0  # lines of what DuckDB reads (header, blank lines and lines inside quoted values too)
    refused: bool = False  # refused whole for what its rows say once read (another province's export)

    def hint_other_format(self, hint: Callable[[list[str]], str]) -> None:
        """Add to the refusal of a file whose header does not fit the profile what profile it does fit."""
        refusal = next((i for i in self.issues if i.blocking and i.rule in ("missing_columns", "unrecognised_header")), None)
        if refusal is not None and self.headers:
            refusal.reason += hint(list(self.headers))

    @property
    def loadable(self) -> bool:
        return not self.refused and (self.read_path is not None or self.text is not None)

    def materialise(
        self, work_dir: Path, columns: tuple[Column, ...], replace: dict[str, Callable[[dict[str, str]], str]] | None = None
    ) -> Path:
        """A path for readers that need one: the received file, or the normalised text written to the work folder
        (removed by ``discard``) WITHOUT personal data: every ``personal`` column is written empty, except those in
        ``replace``, written as what their function computes from the record (the ID number → its keyed pseudonym; a
        dossier code that is a phone number → its own).
        A line the reader will reject as malformed is written as as many empty fields (the same error, no content).
        A personal value holding an unreadable byte is written as that one character, so the reader still rejects its
        line for it."""
        if self.read_path is None:
            work_dir.mkdir(parents=True, exist_ok=True)
            target = work_dir / f"{self.path.stem}.{hashlib.sha1(str(self.path).encode()).hexdigest()[:8]}{NORMALISED_SUFFIX}"
            self.read_path = target  # set first: a failure while writing still leaves it to ``discard``
            written = _without_personal_data(self.text or "", columns, replace or {})
            target.write_text(written, encoding="utf-8")
            self.physical_lines = count_lines(written)
        return self.read_path

    def discard(self) -> None:
        """Remove the normalised copy, if one was written: it may hold personal data."""
        if self.read_path is not None and self.read_path != self.path:
            self.read_path.unlink(missing_ok=True)
            self.read_path = None


NORMALISED_SUFFIX = ".normalised.csv"
# Characters a value never needs but a paste brings along (a byte-order mark of a second export pasted on, zero-width
# space, non-joiner and joiner, word joiner): removed from every value read row by row.
INVISIBLE_CHARACTERS = "\ufeff\u200b\u200c\u200d\u2060"
INVISIBLE = dict.fromkeys(map(ord, INVISIBLE_CHARACTERS))  # for str.translate
UNREADABLE = "\ufffd"  # what an invalid UTF-8 byte decodes to
BAD_BYTES_REASON = "Dòng có ký tự không phải UTF-8 (lỗi bảng mã trên dòng này); đề nghị xuất lại tệp."


def purge_work_copies(work_dir: Path) -> int:
    """Remove normalised copies a killed run may have left behind (they can hold personal data)."""
    removed = 0
    if work_dir.exists():
        for p in work_dir.glob(f"*{NORMALISED_SUFFIX}"):
            p.unlink(missing_ok=True)
            removed += 1
    return removed


# A quoted value may hold line breaks (a note typed over two lines in Excel); its record then spans several lines.
# Lines are joined while a quote is left open, up to this many: a stray quote must not swallow the rest of the file.
MAX_LINES_PER_RECORD = 200


def count_lines(content: str | bytes) -> int:
    """Lines of a text as an editor numbers them (a last line without its line end counts)."""
    end = "\n" if isinstance(content, str) else b"\n"
    return content.count(end) + (1 if content and not content.endswith(end) else 0)  # type: ignore[arg-type]


def record_starts(lines: list[str]) -> list[tuple[int, bool]]:
    """(line number, blank) of every line a CSV reader starts a record on (header = line 1): a line inside a quoted
    value spanning lines starts none (grouped as ``logical_lines`` groups them); a blank line is skipped by DuckDB."""
    starts: list[tuple[int, bool]] = []
    number = 1
    for record in logical_lines(lines):
        starts.append((number, not record.strip("\r")))
        number += record.count("\n") + 1
    return starts


def logical_lines(lines: list[str]) -> Iterator[str]:
    """The lines of a CSV text joined into records where a quoted value spans lines; an open quote that never closes
    within ``MAX_LINES_PER_RECORD`` lines leaves its lines as they are (each then reported as malformed)."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.count('"') % 2 == 0:
            yield line
            i += 1
            continue
        j, quotes = i, line.count('"')
        while quotes % 2 and j + 1 < len(lines) and j + 1 - i < MAX_LINES_PER_RECORD:
            j += 1
            quotes += lines[j].count('"')
        if quotes % 2:
            yield line
            i += 1
            continue
        yield "\n".join(lines[i : j + 1])
        i = j + 1


def _malformed_placeholder(too_many: bool, fields: int, record: str, number: int) -> str:
    """Lines standing for a malformed record in a normalised copy, without its content: one field too many (the last
    not empty, as DuckDB passes over empty surplus fields) or one too few, so the reader reports it as received; a
    mark of its own (``number``), so two such lines are never taken for copies of one another (or for a blank line);
    and as many lines as the record had, so the lines after it keep their numbers."""
    line = "," * fields + f"x{number}" if too_many else f"x{number}" + "," * (fields - 2)
    return line + "\n" * record.count("\n")


def _without_personal_data(text: str, columns: tuple[Column, ...], replace: dict[str, Callable[[dict[str, str]], str]]) -> str:
    """The normalised text (standard header and order, one record per line: see ``_rewrite``) with personal columns
    dropped or replaced; see ``PreparedFile.materialise``."""
    names = [c.name for c in columns]
    # Personal columns are dropped or replaced; another column only replaced (a dossier code that is a phone number).
    personal = [i for i, c in enumerate(columns) if c.personal or c.name in replace]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    out.write(lines[0] + "\n")
    for number, line in enumerate(logical_lines(lines[1:]), start=2):
        if not line:
            out.write("\n")
            continue
        fields = next(csv.reader([line]), [])
        if len(fields) != len(names):
            out.write(_malformed_placeholder(len(fields) > len(names), len(names), line, number) + "\n")
            continue
        record = dict(zip(names, fields, strict=True))
        for i in personal:
            name = names[i]
            if columns[i].personal and UNREADABLE in fields[i]:
                fields[i] = UNREADABLE
            elif name in replace:
                fields[i] = replace[name](record)
            else:
                fields[i] = ""
        writer.writerow(fields)
    return out.getvalue()


def _percent_like(text: str) -> bool:
    return "%" in unicodedata.normalize("NFKC", text)


def header_mapping(headers: list[str], columns: tuple[Column, ...]) -> tuple[dict[int, Column], list[str]]:
    """Map header positions to columns by header or alias, ignoring case, diacritics and spacing.

    A column's own header wins over an alias, whatever their order in the sheet ("Tình trạng" written after "Tiến độ
    thực hiện" takes the status; an alias shared with another column never takes it from its own header). A header carrying "%" ("Tiến độ thực hiện (%)", whose words are an
    alias of the status) never goes to a column that is no percentage: it goes to the table's one percentage column
    (kind ``percent`` or a "%" in its header or aliases), or is unknown when there is none or it is taken; a "%" header
    of other words ("Tiến độ (%)") goes there too when no header named it. Of two headers for one column the first
    wins; the others are unknown."""
    own = {match_key(c.header): c for c in columns}
    alias: dict[str, Column] = {}
    for column in columns:
        for text in column.aliases:
            alias[match_key(text)] = column
    percent = [c for c in columns if c.kind == "percent" or any(_percent_like(t) for t in (c.header, *c.aliases))]

    def target(header: str, by_key: dict[str, Column]) -> Column | None:
        found = by_key.get(match_key(header))
        if found is not None and _percent_like(header) and found not in percent:
            return percent[0] if len(percent) == 1 else None
        return found

    mapping: dict[int, Column] = {}
    for by_key in (own, alias):  # the columns' own headers first, then the aliases
        for position, header in enumerate(headers):
            found = target(header, by_key) if position not in mapping else None
            if found is not None and found not in mapping.values():
                mapping[position] = found
    # Any other header carrying "%" ("Tiến độ (%)", "Mức độ hoàn thành (%)") is the table's one percentage column
    # when no header named it: the unit sees its percent column, which was read as missing.
    if len(percent) == 1 and percent[0] not in mapping.values():
        other = next((i for i, h in enumerate(headers) if i not in mapping and _percent_like(h)), None)
        if other is not None:
            mapping[other] = percent[0]
    unknown = [header for position, header in enumerate(headers) if position not in mapping]
    return dict(sorted(mapping.items())), unknown


# UTF-8 lead bytes of the combining marks U+0300..U+036F: text without them is already NFC for Vietnamese,
# which saves a full normalisation pass over every clean export.
_COMBINING_LEAD_BYTES = (b"\xcc", b"\xcd")
_NOT_BLANK = re.compile(rb"[^\s\xef\xbb\xbf]")
_VISIBLE = re.compile(r"\S")
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "dấu phẩy", ";": "dấu chấm phẩy", "\t": "dấu tab", "|": "dấu gạch đứng"}


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _best_delimiter(header_line: str, columns: tuple[Column, ...]) -> tuple[str, dict[int, Column], list[str], list[str]]:
    """The delimiter under which the header names the most known columns (a comma on a tie)."""
    best = None
    for delimiter in DELIMITERS:
        headers = _split_header(header_line, delimiter)
        mapping, unknown = header_mapping(headers, columns)
        if best is None or len(mapping) > len(best[1]):
            best = (delimiter, mapping, unknown, headers)
    assert best is not None
    return best


# A total row under the table ("Tổng số: 2 hồ sơ", "Tổng cộng: 1.234 hồ sơ", "Cộng"): no record (its text without
# diacritics): the words alone or before a number, never the start of other words ("Tổng cục Thuế", "Công nhân …").
_TOTAL = re.compile(r"(?:tong cong|tong so|tong|cong)\s*:?\s*(?:\d[\d.,]*(?:\s.*)?)?")


def is_total_row(cells: Sequence[str]) -> bool:
    """A row whose first filled cell starts with 'Tổng' / 'Cộng' and that holds at most three filled cells."""
    texts = [c.strip() for c in cells if c and c.strip()]
    return 0 < len(texts) <= 3 and _TOTAL.fullmatch(strip_diacritics(texts[0]).casefold()) is not None


def _trailing_total(content: str | bytes, delimiter: str) -> str | None:
    """The file's last line when it is a total row ("Tổng cộng: 1.234 hồ sơ,,,"), else None."""
    newline, quote = ("\n", '"') if isinstance(content, str) else (b"\n", b'"')
    tail = content[-4096:]  # (the end only: a day's export is read in place, never copied whole here)
    body = tail.rstrip()
    last = body[body.rfind(newline) + 1 :]  # type: ignore[arg-type]
    start = len(content) - len(tail) + len(body) - len(last)
    # the last line of a record whose quoted cell spans lines ("…\nCông nhân …") is no line of its own
    if len(last) > 500 or content.count(quote, 0, start) % 2:  # type: ignore[arg-type]
        return None
    if isinstance(last, bytes):
        last = last.decode("utf-8", errors="replace")
    cells = next(csv.reader([last.lstrip("\ufeff")], delimiter=delimiter), [])
    return last.strip() if is_total_row(cells) else None


def _partial_last_line(content: str | bytes, delimiter: str, fields: int) -> bool:
    """The file ends inside a record: an open quote, or a last line without its end and with too few fields. Works on
    the text, or on the raw bytes of a UTF-8 file (no decoding of the whole file)."""
    quote, newline, cr = ('"', "\n", "\r") if isinstance(content, str) else (b'"', b"\n", b"\r")
    if content.endswith((newline, cr)):  # type: ignore[arg-type]  # a whole last line: no need to scan the file
        return False
    if content.count(quote) % 2:  # type: ignore[arg-type]
        return True
    last = content[content.rfind(newline) + 1 :]  # type: ignore[arg-type]
    if isinstance(last, bytes):
        last = last.decode("utf-8", errors="replace")
    parsed = next(csv.reader([last], delimiter=delimiter), [])
    return 0 < len(parsed) < fields


# Files above this size that look like UTF-8 (the header and samples through the file decode) are not decoded whole
# to be checked: a daily export is read in place by DuckDB, which reports a stray invalid byte on its own line.
FULL_DECODE_BYTES = 1 << 20
_SAMPLES = 16
_SAMPLE_BYTES = 1 << 15


def _looks_utf8(raw: bytes) -> bool:
    """A big file whose header and evenly spread samples (cut at line ends) are valid UTF-8, and not UTF-16/32."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        return False
    step = max(1, len(raw) // _SAMPLES)
    for start in range(0, len(raw), step):
        a = raw.find(b"\n", start) + 1 if start else 0
        b = raw.rfind(b"\n", a, a + _SAMPLE_BYTES)
        chunk = raw[a : b if b > a else a + 4096]
        try:
            chunk.decode("utf-8-sig" if a == 0 else "utf-8")
        except UnicodeDecodeError as err:
            if err.start < len(chunk) - 4:  # not merely a character cut by the sample's end
                return False
    return True


# The kinds a reader of exports may take as a workbook (``prepare_csv``'s ``workbook``): what excel_intake reads.
WORKBOOK_CONTENT = ("xlsx", "xls", "ods", "html")


def prepare_csv(
    path: Path,
    columns: tuple[Column, ...],
    work_dir: Path | None = None,
    *,
    watch: Callable[[Path], bool] = still_being_written,
    workbook: Callable[[Path], PreparedFile] | None = None,
) -> PreparedFile:
    """Inspect one CSV file and make it readable: see the module docstring. ``work_dir`` is unused (kept for callers);
    normalised text is held in memory until ``materialise``. A failure reading one file other than the file system's
    own (OSError, for the caller) refuses that file with its cause named, never the run and the other files.
    ``workbook``: what reads a file whose content is a workbook or an HTML table, whatever its name (else refused for
    its kind); told from the bytes read here, so a CSV is read once."""
    raw = path.read_bytes()
    if workbook is not None and sniff_kind(raw) in WORKBOOK_CONTENT:
        return workbook(path)
    prepared = PreparedFile(path=path, sha256=hashlib.sha256(raw).hexdigest(), size_bytes=len(raw))
    try:
        return _inspect(prepared, path, raw, columns, watch)
    except Exception as err:  # an input nobody foresaw: this file is refused, with what failed
        refused = PreparedFile(path=path, sha256=prepared.sha256, size_bytes=len(raw))
        refused.issues.append(
            FileIssue(
                "unreadable_file",
                f"Không đọc được nội dung tệp (lỗi {type(err).__name__}): không nạp được tệp; mở tệp kiểm tra, lưu lại "
                "dạng 'CSV UTF-8 (Comma delimited)' rồi gửi lại, hoặc báo quản trị hệ thống kèm tệp này.",
            )
        )
        return refused


def prepare_converted(prepared: PreparedFile, text: str, columns: tuple[Column, ...]) -> PreparedFile:
    """``prepare_csv`` for the CSV text of a file of another kind (a dossier export saved as a workbook, see
    ``table_files.prepare_workbook_export``): the same checks of header and rows, always read through the normalised
    copy (the received file is no CSV). ``prepared`` carries the received file's lineage and issues."""
    return _inspect(prepared, prepared.path, text.encode("utf-8"), columns, lambda _: False, in_place=False)


def _inspect(
    prepared: PreparedFile,
    path: Path,
    raw: bytes,
    columns: tuple[Column, ...],
    watch: Callable[[Path], bool],
    *,
    in_place: bool = True,
) -> PreparedFile:
    """The body of ``prepare_csv`` on the file's bytes (``in_place``: a well-formed file may be read as received)."""
    if not _first_look(prepared, path, raw, watch):
        return prepared
    head = _decode_head(prepared, raw)
    if head is None:
        return prepared
    encoding, text = head.encoding, head.text
    prepared.encoding, prepared.stray_bytes = encoding, head.stray_bytes
    if encoding != "utf-8":
        prepared.issues.append(
            FileIssue(
                "encoding_converted", f"Tệp mã hóa {encoding}, đã chuyển sang UTF-8; đề nghị xuất dạng CSV UTF-8.", blocking=False
            )
        )
    delimiter, mapping, unknown, headers = _best_delimiter(unicodedata.normalize("NFC", head.header_line), columns)
    prepared.headers = tuple(headers)
    if not _check_header(prepared, columns, delimiter, mapping, unknown, head.header_line):
        return prepared
    if not _has_data_line(text, raw):
        prepared.data_lines = 0
        prepared.issues.append(FileIssue("no_rows", "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.", blocking=False))
    total = _check_last_line(prepared, text if text is not None else raw, delimiter, len(headers))

    decomposed = encoding != "utf-8" or any(lead in raw for lead in _COMBINING_LEAD_BYTES)
    standard = headers == [c.header for c in columns]
    # CRLF and bare LF in one file (files pasted together, an edit on another system): DuckDB's reader takes the
    # first line's ending for all and rejects the other lines, so such a file is read through a normalised copy.
    mixed_ends = b"\r" in raw and 0 < raw.count(b"\r\n") < raw.count(b"\n")
    if mixed_ends:
        prepared.issues.append(
            FileIssue("line_ends_converted", "Tệp lẫn hai kiểu xuống dòng (CRLF và LF), đã chuẩn hóa.", blocking=False)
        )
    nul = encoding == "utf-8" and b"\x00" in raw  # a stray NUL byte: its line is rejected like an invalid byte
    if (
        in_place
        and encoding == "utf-8"
        and not decomposed
        and not head.cr_only
        and not mixed_ends
        and not nul
        and delimiter == ","
        and standard
        and total is None
    ):
        prepared.physical_lines = count_lines(raw)
        prepared.read_path = path  # a stray invalid byte is reported on its own line by the reader
        return prepared
    if text is None:  # a big UTF-8 file checked on samples: a broken byte elsewhere shows only now
        decoded = decode_text(raw)
        text, prepared.stray_bytes = decoded.text, decoded.stray_bytes
    if "\x00" in text:
        prepared.stray_bytes += text.count("\x00")
        text = text.replace("\x00", UNREADABLE)
    if decomposed:
        text = unicodedata.normalize("NFC", text)
    if total is not None:  # the total line left out, its place kept blank (the lines keep their numbers)
        cut = text.rstrip().rfind("\n") + 1
        text = text[:cut] + "\n"
    prepared.text = _rewrite(text, delimiter, mapping, columns, len(headers))
    return prepared


def _check_last_line(prepared: PreparedFile, content: str | bytes, delimiter: str, fields: int) -> str | None:
    """The note of a last line that is a total row (returned: the line, left out of the data) or cut short."""
    total = _trailing_total(content, delimiter)
    if total is not None:
        shown = ",".join(c for c in total.split(delimiter) if c.strip())
        prepared.issues.append(
            FileIssue("totals_row", f"Dòng cuối '{shown[:80]}' là dòng tổng cộng, không phải dữ liệu: không đọc.", blocking=False)
        )
    elif _partial_last_line(content, delimiter, fields):
        prepared.truncated = True
        prepared.issues.append(
            FileIssue(
                "truncated",
                "Dòng cuối của tệp bị cắt cụt (tệp chép chưa xong hoặc bị lỗi khi lưu): dòng đó không được nạp.",
                blocking=False,
            )
        )
    return total


def _first_look(prepared: PreparedFile, path: Path, raw: bytes, watch: Callable[[Path], bool]) -> bool:
    """False, with the blocking issue, when the file is still being copied, blank, or not a text file at all."""
    if watch(path):
        prepared.deferred = True
        prepared.issues.append(FileIssue("still_copying", STILL_COPYING_REASON))
        return False
    if not _NOT_BLANK.search(raw):
        prepared.issues.append(
            FileIssue("empty_file", "Tệp rỗng (0 byte hoặc chỉ có khoảng trắng): không có tiêu đề cột và không có dòng dữ liệu.")
        )
        return False
    kind = sniff_kind(raw)
    if kind not in ("text", "json"):
        what = "Tệp có đuôi .csv nhưng thực chất là" if path.suffix.lower() == ".csv" else "Tệp không phải CSV mà là"
        prepared.issues.append(
            FileIssue(
                "wrong_file_kind",
                f"{what} {KIND_LABELS[kind]}: mở bằng Excel rồi lưu dạng 'CSV UTF-8 (Comma delimited)' và gửi lại.",
            )
        )
        return False
    return True


@dataclass(frozen=True)
class _Head:
    encoding: str
    stray_bytes: int
    text: str | None  # the whole text, decoded; None for a big UTF-8 export checked on its bytes
    header_line: str
    cr_only: bool  # old-Mac line ends (already converted in ``text``)


def _decode_head(prepared: PreparedFile, raw: bytes) -> _Head | None:
    """The encoding and header line of the file (and its text when decoded whole); None, with the blocking issue,
    for a legacy encoding that cannot be told apart."""
    cr_only = b"\n" not in raw and b"\r" in raw
    # A big UTF-8 export (the daily case) is checked on its bytes; anything else is decoded whole.
    if len(raw) > FULL_DECODE_BYTES and not cr_only and _looks_utf8(raw):
        header_line = raw[: raw.find(b"\n")].decode("utf-8-sig", errors="replace").rstrip("\r")
        return _Head("utf-8", 0, None, header_line, cr_only)
    try:
        decoded = decode_text(raw)
    except LegacyEncoding as err:
        prepared.issues.append(FileIssue("legacy_encoding", str(err)))
        return None
    text = decoded.text
    cr_only = "\n" not in text and "\r" in text
    if cr_only:  # old-Mac line ends: one line for Python's csv and DuckDB
        text = text.replace("\r", "\n")
        prepared.issues.append(
            FileIssue("line_ends_converted", "Tệp dùng ký tự xuống dòng CR (máy Mac cũ), đã chuyển.", blocking=False)
        )
    header_line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return _Head(decoded.encoding, decoded.stray_bytes, text, header_line, cr_only)


def _check_header(
    prepared: PreparedFile,
    columns: tuple[Column, ...],
    delimiter: str,
    mapping: dict[int, Column],
    unknown: list[str],
    header_line: str,
) -> bool:
    """Issues about the delimiter and the columns found; False (blocking) when a required column is missing."""
    headers = prepared.headers
    if delimiter != ",":
        prepared.issues.append(
            FileIssue(
                "delimiter_converted", f"Tệp phân cách cột bằng {DELIMITER_NAMES[delimiter]}, đã nhận diện.", blocking=False
            )
        )
    found = set(mapping.values())
    prepared.present = frozenset(c.name for c in found)
    missing_required = [c for c in columns if c.required and c not in found]
    if missing_required:
        names = ", ".join(f"'{c.header}'" for c in missing_required)
        if not found:
            # A first line with digits is a row of data (a file exported without its header): never quoted, as it
            # may hold a citizen's name; a header of another table is.
            shown = (
                "dòng đầu có chữ số, giống một dòng dữ liệu: tệp có thể thiếu dòng tiêu đề"
                if re.search(r"\d", header_line)
                else f"'{header_line[:120]}'"
            )
            cause = (
                f"không nhận ra cột nào trong dòng tiêu đề ({shown}): tệp không phải bảng dữ liệu này, hoặc sai bảng mã "
                "hay dấu phân cách"
            )
            prepared.issues.append(FileIssue("unrecognised_header", f"Thiếu cột bắt buộc {names}: {cause}; không nạp được tệp."))
        else:
            prepared.issues.append(FileIssue("missing_columns", f"Thiếu cột bắt buộc {names}; không nạp được tệp."))
        return False
    prepared.issues += header_notes(unknown, [], columns)
    renamed = [f"'{headers[i]}' → '{c.header}'" for i, c in mapping.items() if headers[i] != c.header]
    if renamed:
        prepared.issues.append(
            FileIssue("renamed_columns", f"Tên cột khác mẫu, đã nhận diện: {'; '.join(renamed)}.", blocking=False)
        )
    prepared.issues += header_notes([], [c for c in columns if c not in found])
    return True


def header_notes(unknown: Sequence[str], missing_optional: Sequence[Column], columns: Sequence[Column] = ()) -> list[FileIssue]:
    """The non-blocking notes of a table's header, CSV or sheet alike: unknown columns left out (a second header of a
    column of ``columns``, by its name or another name of it, said as such: only the first is read), optional
    columns missing."""
    notes = []
    keys = {match_key(t) for c in columns for t in (c.header, *c.aliases)}
    repeated = [u for u in unknown if match_key(u) in keys]
    unknown = [u for u in unknown if match_key(u) not in keys]
    if repeated:
        names = ", ".join(f"'{u}'" for u in repeated)
        notes.append(
            FileIssue(
                "repeated_columns",
                f"Cột {names} lặp lại một cột đã có ở trước (cùng tên hoặc tên khác của cùng cột): chỉ đọc cột đầu tiên, "
                "bỏ qua cột này; đề nghị xóa cột thừa, hoặc kiểm tra cột nào đúng nếu giá trị hai cột khác nhau.",
                blocking=False,
            )
        )
    if unknown:
        notes.append(FileIssue("unknown_columns", f"Bỏ qua cột không có trong mẫu: {', '.join(unknown)}.", blocking=False))
    if missing_optional:
        names = ", ".join(f"'{c.header}'" for c in missing_optional)
        notes.append(FileIssue("missing_optional_columns", f"Thiếu cột không bắt buộc {names}.", blocking=False))
    return notes


def _has_data_line(text: str | None, raw: bytes) -> bool:
    """A visible character after the header line, searched in place (no copy of the file)."""
    if text is not None:
        header_end = text.find("\n")
        return header_end >= 0 and _VISIBLE.search(text, header_end + 1) is not None
    header_end = raw.find(b"\n")
    return header_end >= 0 and _NOT_BLANK.search(raw, header_end + 1) is not None


def _rewrite(text: str, delimiter: str, mapping: dict[int, Column], columns: tuple[Column, ...], fields_per_line: int) -> str:
    """The text with the standard header, column order and delimiter; record positions stay those of the received
    file. A line whose field count is not the header's (``fields_per_line``) is malformed: its values cannot be put
    in their columns (an unquoted comma in a phone number would move the address into the dossier code), so it is
    written as empty fields, too many or too few as received, for the reader to report by its line, without content;
    only a short line of a file whose columns are all in their standard places is written as received."""
    position_of = {column.name: position for position, column in mapping.items()}
    order = [position_of.get(c.name) for c in columns]
    in_place = order == list(range(len(columns)))  # every column where the standard puts it (extra ones after)
    last_mapped = max(mapping, default=-1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = text.lstrip("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    writer.writerow([c.header for c in columns])
    for number, line in enumerate(logical_lines([line.rstrip("\r") for line in lines[1:]]), start=2):
        if not line.strip():
            out.write("\n")
            continue
        fields = next(csv.reader([line], delimiter=delimiter), [])
        if len(fields) < fields_per_line and in_place:
            writer.writerow(fields)  # short, values in place: each reader judges it
            continue
        if fields_per_line > len(fields) > last_mapped:
            fields += [""] * (fields_per_line - len(fields))  # only unknown columns left out at the end
        if len(fields) != fields_per_line:  # (surplus fields count even when empty: an unquoted comma may be in the row)
            out.write(_malformed_placeholder(len(fields) > fields_per_line, len(columns), line, number) + "\n")
            continue
        writer.writerow(["" if p is None or p >= len(fields) else fields[p] for p in order])
    return out.getvalue()


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
    if prepared.text is not None:
        yield from _records(io.StringIO(prepared.text, newline=""))
        return
    with prepared.path.open(encoding="utf-8-sig", newline="", errors="replace") as fh:
        yield from _records(fh)


def _records(fh: Any) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(fh)
    next(reader, None)
    start = reader.line_num + 1
    try:
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                yield start, [unicodedata.normalize("NFC", f) for f in fields]
            start = reader.line_num + 1
    except csv.Error:  # an open quote at the end of a truncated file: the partial record is reported by its reader
        return


# --- small CSV files read row by row in Python (petitions, publication register, DTI inputs) ----------------------


def open_csv(
    path: Path,
    columns: tuple[Column, ...],
    work_dir: Path,
    no_rows: str,
    result_type: type[ReadResult] = ReadResult,
    date_formats: tuple[str, ...] | None = None,
    **fields: Any,
) -> tuple[Any, PreparedFile | None]:
    """``prepare_csv`` for a reader that checks rows itself: a ``result_type`` with the file's lineage and issues (an
    unreadable file is a blocking issue, a header-only file says ``no_rows``), and the prepared file when loadable.
    With ``date_formats`` (the source's), a workbook (by its content) is read through its table as the CSV it would
    be (``table_files.prepare_export``)."""
    try:
        if date_formats is None:
            prepared = prepare_csv(path, columns, work_dir)
        else:
            from sources.table_files import prepare_export  # (table_files imports this module)

            prepared = prepare_export(path, columns, date_formats, work_dir, "bảng số liệu")
    except OSError as error:
        what = "Không tìm thấy tệp" if isinstance(error, FileNotFoundError) else "Không đọc được tệp"
        return result_type(file_issues=[FileIssue("unreadable_file", f"{what}; không nạp được tệp.")], **fields), None
    issues = [FileIssue(i.rule, no_rows, i.blocking) if i.rule == "no_rows" else i for i in prepared.issues]
    result = result_type(
        file_issues=issues,
        sha256=prepared.sha256,
        size_bytes=prepared.size_bytes,
        encoding=prepared.encoding,
        loadable=prepared.loadable,
        truncated=prepared.truncated,
        deferred=prepared.deferred,
        **fields,
    )
    return result, prepared if prepared.loadable else None


def row_reject(
    path: Path,
    line: int,
    rule: str,
    reason: str,
    value: str | None = None,
    *,
    key: str | None = None,
    unit_code: str | None = None,
    unit_name: str | None = None,
    criterion_code: str | None = None,
) -> dict:
    """A rejected row as every loader's quarantine takes it (``criterion_code``: the component or criterion of an
    assessment row, when known)."""
    return {
        "file_name": path.name,
        "row_number": line,
        "record_key": key,
        "unit_code": unit_code,
        "unit_name": unit_name,
        "rule": rule,
        "reason": reason,
        "value": value,
        "criterion_code": criterion_code,
    }


def unique_records(records: Iterable[tuple[int, list[str]]], issues: list[FileIssue]) -> Iterator[tuple[int, list[str]]]:
    """The records with one copy of each verbatim duplicate (the same values, line for line): the copies are counted
    and reported once, in ``issues``, never loaded twice nor rejected as conflicting."""
    first_line: dict[tuple[str, ...], int] = {}
    copies: list[tuple[int, int]] = []
    for line, fields in records:
        key = tuple(" ".join(f.split()) for f in fields)
        if key in first_line:
            copies.append((line, first_line[key]))
            continue
        first_line[key] = line
        yield line, fields
    if copies:
        shown = ", ".join(f"dòng {c} (= dòng {o})" for c, o in copies[:10]) + (" …" if len(copies) > 10 else "")
        issues.append(
            FileIssue(
                "duplicate_rows", f"{len(copies)} dòng lặp lại y nguyên một dòng khác, đã giữ một bản: {shown}.", blocking=False
            )
        )


def csv_rows(prepared: PreparedFile, columns: tuple[Column, ...], result: ReadResult) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, values by canonical name, NFC with white space collapsed) of every well-formed record, verbatim
    duplicates once; a record with too few or too many fields is rejected into ``result`` (``malformed_line``)."""
    names = [c.name for c in columns]
    for line, fields in unique_records(iter_records(prepared), result.file_issues):
        if any(UNREADABLE in f for f in fields):
            result.rejects.append(row_reject(prepared.path, line, "malformed_line", BAD_BYTES_REASON))
            continue
        if len(fields) != len(names):
            reason = (
                "Dòng thiếu cột (tệp có thể bị cắt cụt)."
                if len(fields) < len(names)
                else "Dòng thừa cột (dấu phẩy trong giá trị không được đặt trong ngoặc kép)."
            )
            result.rejects.append(row_reject(prepared.path, line, "malformed_line", reason))
            continue
        yield line, {name: " ".join(value.translate(INVISIBLE).split()) for name, value in zip(names, fields, strict=True)}
