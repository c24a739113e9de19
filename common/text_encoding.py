"""The text of a file in whatever encoding Vietnamese offices save it (pure, no Dagster): UTF-8 with or without BOM,
UTF-16/32, Windows-1258; TCVN3 and VNI refused with advice. Shared by the inbox readers (sources/) and the master data
(common/units.py)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass


def utf16_bom(raw: bytes) -> str | None:
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def looks_utf16(raw: bytes) -> str | None:
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


# --- Vietnamese legacy encodings -----------------------------------------------------------------------------------------------


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
    stray_bytes: int = 0  # undecodable bytes in an otherwise readable file (reported on their lines)


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
    bom = utf16_bom(raw)
    if bom:  # a copy cut at an odd byte leaves half a character: replaced, its line reported (never a crash)
        text = raw.decode(bom, errors="replace")
        return Decoded(text, bom, text.count("\ufffd"))
    utf16 = looks_utf16(raw)
    if utf16:
        text = raw.decode(utf16, errors="replace")
        return Decoded(text, "utf-16", text.count("\ufffd"))
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
