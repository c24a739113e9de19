"""Files as units and systems really send them: what kind of file arrived, in which encoding, whether it is still
being copied. Shared by every reader (CSV, Excel, JSON); pure, no Dagster.

The name of a file says what it should be; its first bytes say what it is. An Excel workbook saved with a ``.csv``
name, an HTML page saved as ``.xls`` or a UTF-16 "Unicode text" export are recognised from their content, so a
refusal names the real cause (kind, encoding, size) instead of a symptom such as missing columns.
"""

from __future__ import annotations

import codecs
import filecmp
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from common.text_encoding import looks_utf16, utf16_bom

# A file modified this recently is watched for a moment: a copy in progress still grows.
SETTLE_SECONDS = 5.0
WATCH_SECONDS = 0.5

KIND_LABELS = {
    "empty": "tệp rỗng",
    "text": "văn bản (CSV)",
    "json": "JSON",
    "xlsx": "bảng tính Excel (.xlsx)",
    "xls": "bảng tính Excel cũ (.xls, Excel 97-2003)",
    "ods": "bảng tính OpenDocument (.ods, LibreOffice)",
    "html": "trang HTML (bảng lưu từ trình duyệt hoặc phần mềm với đuôi .xls)",
    "zip": "tệp nén ZIP",
    "pdf": "tệp PDF",
    "binary": "tệp nhị phân không rõ loại",
}


def standard_first(found: list[Path], name: str) -> list[Path]:
    """Files whose names differ from the standard ``name`` only in letter case (HO_SO_20260105.CSV, as Windows keeps
    it): the standard spelling first, then the others by name. Every reader of a fixed file name reads the first and
    names the rest."""
    return sorted(found, key=lambda p: (p.name != name, p.name))


# A copy's mark after a file's stem: a browser's second download ("cong_bo_tthc (1).csv"), Windows's copy ("… - Copy",
# "… - Bản sao", with its own number); not a year kept on purpose ("danh_muc_tthc (2025).csv").
_COPY_MARK = re.compile(r"(?:\s*\(\d{1,2}\)|\s+-\s+(?:copy|bản sao)(?:\s*\(\d{1,2}\))?)$", re.IGNORECASE)


def is_copy_of(file_name: str, stem: str) -> bool:
    """Whether ``file_name`` is a file of the fixed name ``stem`` (any kind): in any letter case, or a copy of it."""
    own = Path(file_name).stem
    return own.lower() == stem.lower() or _COPY_MARK.sub("", own).lower() == stem.lower()


def name_copies(folder: Path, stem: str) -> list[Path]:
    """The files of ``folder`` of the fixed name ``stem`` (``is_copy_of``), any kind, by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and is_copy_of(p.name, stem))


def latest_delivery(found: list[Path], name: str) -> Path | None:
    """The file read among deliveries of one fixed ``name`` (its spellings and copies): the standard spelling, unless
    a file that arrived later differs from it (a later download replaces an earlier one; an identical copy never
    displaces the standard name; a copy modified within ``settle_seconds``, still being copied, waits for the next
    run)."""
    if not found:
        return None
    chosen = standard_first(found, name)[0]
    settled = time.time() - settle_seconds()
    for other in found:
        if other != chosen and arrival(chosen) < arrival(other) <= settled and not same_bytes(other, chosen):
            chosen = other
    return chosen


def arrival(path: Path) -> float:
    """When a file arrived (its modification time); never for a file gone since it was listed."""
    try:
        return path.stat().st_mtime
    except OSError:
        return float("-inf")


def same_bytes(a: Path, b: Path) -> bool:
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<table|<meta|<\?xml[^>]*>\s*<html)", re.IGNORECASE)


def sniff_kind(raw: bytes) -> str:
    """What a file is, from its first bytes: empty | text | json | xlsx | xls | ods | html | zip | pdf | binary."""
    head = raw[:4096]
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if not head.strip() and not raw.strip():  # the whole file is stripped only when its head is blank
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
            return "ods"
        return "xlsx" if (b"[Content_Types].xml" in raw[:65536] or b"xl/" in raw[:65536]) else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2 compound file: Excel 97-2003
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    text_head = _text_head(head)
    if _HTML_START.match(text_head):
        return "html"
    if stripped[:1] in (b"{", b"[") or text_head.lstrip()[:1] in (b"{", b"["):
        return "json"
    # A binary file has NUL bytes all through; a text file may carry a stray one (its line is rejected, not the file).
    if head.count(b"\x00") > max(4, len(head) // 100) and not utf16_bom(head) and not looks_utf16(head):
        return "binary"
    return "text"


def _text_head(head: bytes) -> bytes:
    """The first bytes as ASCII-compatible text, whatever the UTF-16/32 form (for sniffing only)."""
    encoding = utf16_bom(head) or looks_utf16(head)
    if encoding:
        try:
            return head.decode(encoding, errors="ignore").encode("utf-8", errors="ignore")
        except LookupError:
            return head
    return head.removeprefix(codecs.BOM_UTF8)


# --- a file still being copied ------------------------------------------------------------------------------


def settle_seconds() -> float:
    """How recent a modification must be for a file to be watched (``CCHC_SETTLE_SECONDS``; 0 turns watching off)."""
    try:
        return max(0.0, float(os.environ.get("CCHC_SETTLE_SECONDS", SETTLE_SECONDS)))
    except ValueError:
        return SETTLE_SECONDS


def still_being_written(
    path: Path,
    *,
    settle: float | None = None,
    watch: float = WATCH_SECONDS,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """True when a recently modified file is still changing (a copy in progress): it is left for the next run.
    Files older than ``settle`` seconds are never watched, so a day's batch costs nothing."""
    settle = settle_seconds() if settle is None else settle
    try:
        first = path.stat()
    except OSError:
        return False
    if settle <= 0 or now() - first.st_mtime > settle:
        return False
    sleep(watch)
    try:
        second = path.stat()
    except OSError:
        return True  # it vanished: a move in progress
    return (second.st_size, second.st_mtime_ns) != (first.st_size, first.st_mtime_ns)


STILL_COPYING_REASON = (
    "Tệp đang được chép hoặc ghi (kích thước còn thay đổi): để lại cho lần chạy sau, dữ liệu đã nạp trước đó được giữ nguyên."
)
