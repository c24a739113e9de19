"""Files as units and systems really send them: what kind of file arrived, in which encoding, whether it is still
being copied. Shared by every reader (CSV, Excel, JSON); pure, no Dagster.

The name of a file says what it should be; its first bytes say what it is. An Excel workbook saved with a ``.csv``
name, an HTML page saved as ``.xls`` or a UTF-16 "Unicode text" export are recognised from their content, so a
refusal names the real cause (kind, encoding, size) instead of a symptom such as missing columns.
"""

from __future__ import annotations

import codecs
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
    if head.count(b"\x00") > max(4, len(head) // 100) and not _utf16_bom(head) and not _looks_utf16(head):
        return "binary"
    return "text"


def _utf16_bom(raw: bytes) -> str | None:
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _looks_utf16(raw: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII text is NUL."""
    sample = raw[:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _text_head(head: bytes) -> bytes:
    """The first bytes as ASCII-compatible text, whatever the UTF-16/32 form (for sniffing only)."""
    encoding = _utf16_bom(head) or _looks_utf16(head)
    if encoding:
        try:
            return head.decode(encoding, errors="ignore").encode("utf-8", errors="ignore")
        except LookupError:
            return head
    return head.removeprefix(codecs.BOM_UTF8)


# --- encodings -----------------------------------------------------------------------------------------------


class LegacyEncoding(ValueError):
    """Text in a pre-Unicode Vietnamese encoding (TCVN3, VNI) that cannot be read as such without guessing."""


# Bytes that Windows-1258 decodes to symbols no Vietnamese text uses, but that carry letters in the old encodings:
# TCVN3 (ABC, fonts .VnTime) puts đ ư ơ â ă ê ô and the toned a-letters there; VNI puts its tone marks after ASCII
# vowels as ø ï û ñ ö ä å.
_TCVN3_BYTES = frozenset(range(0xA1, 0xAF)) | frozenset(range(0xB5, 0xBA))
_VNI_BYTES = frozenset(b"\xf8\xef\xfb\xf1\xd1\xf6\xe4\xe5")
_ASCII_VOWELS = frozenset(b"aeiouyAEIOUY")


def legacy_vietnamese(raw: bytes) -> str | None:
    """'TCVN3' or 'VNI' when 8-bit text looks like one of the old Vietnamese encodings, else None."""
    high = [b for b in raw[:200_000] if b >= 0x80]
    if len(high) < 5:
        return None
    tcvn = sum(b in _TCVN3_BYTES for b in high)
    if tcvn >= 0.25 * len(high):
        return "TCVN3"
    sample = raw[:200_000]
    vni = sum(1 for i in range(1, len(sample)) if sample[i] in _VNI_BYTES and sample[i - 1] in _ASCII_VOWELS)
    if vni >= 0.2 * len(high):
        return "VNI"
    return None


LEGACY_REASON = (
    "Tệp dùng bảng mã {name} (phông chữ cũ trước Unicode, ví dụ {font}): không đọc được mà không đoán. "
    "Chuyển sang Unicode bằng Unikey (Công cụ chuyển mã: nguồn {name}, đích Unicode) hoặc mở bằng Excel rồi "
    "lưu dạng CSV UTF-8, sau đó gửi lại."
)
LEGACY_FONTS = {"TCVN3": ".VnTime", "VNI": "VNI-Times"}


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8 | utf-16 | utf-32 | windows-1258
    stray_bytes: int = 0  # invalid UTF-8 sequences in an otherwise UTF-8 file (reported on their lines)


def _mostly_utf8_lines(text: str) -> bool:
    """More lines with Vietnamese letters read cleanly as UTF-8 than lines with a broken byte: a small UTF-8 file with
    one line pasted from a Windows-1258 tool (its many letters outweigh the file's few in the byte count)."""
    broken = clean = 0
    for line in text.splitlines():
        if "\ufffd" in line:
            broken += 1
        elif not line.isascii():
            clean += 1
    return clean > broken


def decode_text(raw: bytes) -> Decoded:
    """The text of a file, whatever encoding Vietnamese offices save in: UTF-8 (with or without BOM), UTF-16 or
    UTF-32 (Excel's "Unicode text"), Windows-1258. TCVN3 and VNI raise LegacyEncoding. A UTF-8 file with a few
    invalid bytes stays UTF-8 (the lines with them are reported by the readers), never re-read as another encoding."""
    bom = _utf16_bom(raw)
    if bom:
        return Decoded(raw.decode(bom), bom)
    utf16 = _looks_utf16(raw)
    if utf16:
        return Decoded(raw.decode(utf16, errors="replace"), "utf-16")
    try:
        return Decoded(raw.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8-sig", errors="replace")
    stray = text.count("\ufffd")
    multibyte = len(_UTF8_SEQUENCE.findall(raw))  # well-formed multi-byte characters, counted in C
    # Mostly UTF-8 with a few broken bytes, or declared UTF-8 by its byte-order mark (one pasted line cannot undo that).
    if multibyte > 4 * stray or _mostly_utf8_lines(text) or raw.startswith(codecs.BOM_UTF8):
        return Decoded(text, "utf-8", stray)
    legacy = legacy_vietnamese(raw)
    if legacy:
        raise LegacyEncoding(LEGACY_REASON.format(name=legacy, font=LEGACY_FONTS[legacy]))
    return Decoded(raw.decode("cp1258", errors="replace"), "windows-1258")


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
