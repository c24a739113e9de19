"""Vietnamese text: NFC normalisation, matching keys and sort order; the date line of an official document."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DECIMAL = re.compile(r"([+-]?\d+(?:[.,]\d+)?)\s*(%?)")
# Vietnamese alphabet order; letters with diacritics sort after their base letter.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # huyền, hỏi, ngã, sắc, nặng (common dictionary order)


# The Icelandic eth (Ð U+00D0, ð U+00F0) looks like Vietnamese Đ/đ and is what some keyboards and fonts give for it;
# it never decomposes, so left alone a name with it matched nothing and sorted after 'Z'. Vietnamese has no eth.
_ETH = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ"})


def nfc(text: str) -> str:
    """NFC form with surrounding and repeated white space removed, an eth (Ð) written as the Đ it stands for."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_ETH).split())


# Characters of a value a message quotes: a 200 kB text pasted into a cell by mistake is named, not echoed whole into
# the reason, the quarantine and the quality report.
QUOTE_LIMIT = 200
# Characters of a free text kept (a cell's difficulties, proposals, explanation): Excel holds 32,767 in a cell and
# openpyxl silently cuts a longer one in the workbooks the pipeline writes; a text that long is a paste by mistake.
FREE_TEXT_LIMIT = 32_000
# Characters of a reject's reason kept: the reasons quote at most QUOTE_LIMIT of a value, so a longer one carries a
# whole pasted value (a safety net for every reader, see warehouse/landing.py quarantine_row).
REASON_LIMIT = 2_000


def count_text(count: int) -> str:
    """A count as Vietnamese writes it, thousands separated by '.': 1.234.567."""
    return f"{count:,}".replace(",", ".")


def shorten(text: str | None, size: int = QUOTE_LIMIT) -> str:
    """``text`` as a message quotes it: at most ``size`` characters, '…' ending one that was cut."""
    text = text or ""
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def official_date_parts(day: date) -> tuple[str, str, str]:
    """Day, month and year as the date line of an official document writes them (NĐ 30/2020/NĐ-CP, Phụ lục I): a
    day below 10 and the months 1 and 2 take a leading 0, the other months do not: (06, 7, 2026), (09, 02, 2026)."""
    return f"{day.day:02d}", f"{day.month:02d}" if day.month <= 2 else str(day.month), str(day.year)


def official_date(day: date) -> str:
    """'ngày 06 tháng 7 năm 2026', 'ngày 01 tháng 01 năm 2026', 'ngày 15 tháng 12 năm 2026' (NĐ 30/2020, Phụ lục I)."""
    d, m, y = official_date_parts(day)
    return f"ngày {d} tháng {m} năm {y}"


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return base.replace("đ", "d").replace("Đ", "D")


def search_text(text: str) -> str:
    """The text as an analyst types it without diacritics: lower case, no tone or letter marks, đ as d, single
    spaces, punctuation kept: 'Xã  Đại Phúc' -> 'xa dai phuc' (DuckDB's strip_accents leaves 'Đ' as it is)."""
    return strip_diacritics(nfc(text)).casefold()


@lru_cache(maxsize=65536)  # headers, labels and unit names are matched over and over (every form, every file)
def match_key(text: str) -> str:
    """Key that ignores case, diacritics, spacing and punctuation: 'Phường  Phan Đình-Phùng' -> 'phuongphandinhphung';
    a syllable's final 'y' after a consonant is 'i' (the two spellings of one sound: 'Tân Kỳ' = 'Tân Kì', 'Lam Vỹ' =
    'Lam Vĩ'; 'ay', 'uy' are other vowels and stay)."""
    return _NON_ALNUM.sub("", _FINAL_Y.sub("i", strip_diacritics(nfc(text)).casefold()))


_FINAL_Y = re.compile(r"(?<=[bcdghklmnprstvx])y\b")


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_NON_WORD = re.compile(r"[\W_]+")


def tone_free_key(text: str) -> str:
    """Key that ignores case, tone marks, spacing and punctuation but keeps letters: 'Văn Lăng' ≠ 'Văn Lang',
    while 'Thuỷ' = 'Thủy' (old and new tone placement)."""
    decomposed = unicodedata.normalize("NFD", nfc(text).casefold())
    kept = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    return _NON_WORD.sub("", unicodedata.normalize("NFC", kept))


def tone_key(text: str) -> str:
    """Key that keeps every mark but ignores where a syllable's tone mark sits, case, spacing and punctuation: 'Thuỵ'
    = 'Thụy', 'Hoá' = 'Hóa', while 'Văn Lãng' ≠ 'Văn Lang' (tone_free_key makes those one)."""
    words = []
    for word in _NON_WORD.split(nfc(text).casefold()):  # (split before decomposing: a combining mark is no \w)
        if word:
            marks = unicodedata.normalize("NFD", word)
            tone = next((str(_TONES.index(ch)) for ch in marks if ch in _TONE_MARKS), "0")
            words.append(unicodedata.normalize("NFC", "".join(ch for ch in marks if ch not in _TONE_MARKS)) + tone)
    return " ".join(words)


def _letter_key(ch: str) -> tuple[int, int]:
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base, marks = decomposed[:1], decomposed[1:]
    tone = 0
    letter = base
    for mark in marks:
        if mark in _TONES:
            tone = _TONES.index(mark)
        else:  # breve, circumflex, horn belong to the letter itself
            letter = unicodedata.normalize("NFC", letter + mark)
    pos = _ALPHABET.find(letter)
    return (pos if pos >= 0 else 100 + ord(letter), tone)


def sort_key(text: str) -> tuple:
    """Vietnamese collation: letters by the alphabet (a ă â b c d đ …), then tones, word by word."""
    words = nfc(text).split(" ")
    primary = tuple(tuple(_letter_key(c)[0] for c in w) for w in words)
    secondary = tuple(tuple(_letter_key(c)[1] for c in w) for w in words)
    return (primary, secondary)


# One to three digits (not a lone 0), then '.' or ',' and three digits: "1.234" is 1234 written the Vietnamese way and
# 1.234 written the English way.
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}\s*%?")
AMBIGUOUS_NUMBER = (
    "không rõ dấu '.' hoặc ',' là phân cách hàng nghìn hay dấu thập phân; đề nghị ghi số không có dấu phân cách hàng "
    "nghìn (1234) hoặc ghi phần thập phân khác ba chữ số (1,23)"
)


def grouped_like(text: str) -> bool:
    """Whether a number as written ("1.234", "12,500") reads both as a decimal and as thousands grouped."""
    return _GROUPED.fullmatch(text.strip()) is not None


def ambiguous_thousands(text: str, high: float) -> bool:
    """``grouped_like``, and the grouped reading (≥ 1000) is within a range whose top is ``high``: then it cannot be
    read without guessing."""
    return high >= 1000 and grouped_like(text)


def parse_decimal(text: str, *, percent_sign: bool = True) -> float | None:
    """A number as units write it: 85.5 for "85,5" or "85.5", and (``percent_sign``) "85,5 %"; None for anything else
    (blank, "1.234,5", "1e2", "khoảng 80"): a value that cannot be read is reported, never guessed."""
    match = _DECIMAL.fullmatch(text.strip())
    if match is None or (match.group(2) and not percent_sign):
        return None
    return float(match.group(1).replace(",", "."))


# How alike two contents given one task number must be for a revision to be rewording the same task (rapidfuzz's
# ``fuzz.ratio`` of the texts lower-cased, punctuation as spaces: 0-100). A rewording ("Xây dựng" → "Ban hành", a year
# added) scores about 90; two different tasks of the 2026 plan at most 52 (tasks 1 and 2, the nearest pair). Below
# this the number was given to another task: a task removed or the tasks renumbered.
SAME_TASK_SIMILARITY = 70


def same_task_content(old: str | None, new: str | None) -> bool:
    """Whether ``new`` rewords ``old`` (the same task) rather than being another task (``SAME_TASK_SIMILARITY``)."""
    from rapidfuzz import fuzz, utils

    if not old or not new:
        return old == new
    return fuzz.ratio(old, new, processor=utils.default_process) >= SAME_TASK_SIMILARITY


def document_number_key(number: str | None) -> str:
    """One key for a document number (a plan's "123/KH-SKHCN") however it is typed: case, diacritics and spaces
    ignored ('123/kh - skhcn' is '123/KH-SKHCN'), punctuation kept ('12/3KH' is not '1/23KH')."""
    return "".join(search_text(number or "").split())
