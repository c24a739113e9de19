"""Completion times of plan tasks, written in Vietnamese, read into a due date and a kind.

What is read (NFC first; case, spacing and the spellings "quý", "quí" and "qúy" do not matter; quarters in Roman or
Arabic numbers; days and months with one or two digits; "/", "-", "." or "năm" between the parts, with or without
spaces: "Quý I - 2026", "Quý 1-2026"):

| written | kind | due (last day allowed) |
|---|---|---|
| "15/7/2026", "Ngày 15/7/2026", "Đến hết ngày 15/7/2026", "Trong ngày …", "Chậm nhất (là) (ngày) …", "Đến (ngày) …" | date | that day |
| "Trước 01/6/2026", "Trước ngày 01/6/2026" | date, ``before`` | the day before (31/05/2026): "before 1 June" leaves 31 May as the last day |
| "Tháng 01/2026", "tháng 3 năm 2026", "Trong / Đến (hết) / Cuối / Chậm nhất (trong) tháng …" | month | last day of the month |
| "Quý II/2026", "quý 2 năm 2026", "Trong / Đến (hết) / Cuối / Chậm nhất (trong) quý …" | quarter | last day of the quarter |
| "6 tháng đầu năm 2026" / "6 tháng cuối năm 2026" | half | 30/06 / 31/12 |
| "Năm 2026", "Trong năm 2026", "Cả năm …", "Đến hết năm …", "Cuối năm …", "2026" | year | 31/12 |
| "Thường xuyên", "Hằng quý", "Định kỳ hằng tháng", "Hằng năm", … (optionally "… năm 2026") | recurring | 31/12 of that year |
| "Từ 01/3/2026 đến 30/6/2026", "Từ tháng 3 đến tháng 6/2026", "01/3/2026 - 30/6/2026" (a range) | its end's | its end's |

"Hoàn thành (xong)" before any of them changes nothing ("Hoàn thành trước 30/6/2026", "Hoàn thành trong quý II/2026").

``Deadline.before`` is True for "Trước <date>" (also inside a conditional phrase). Such a boundary is the date
written, not the end of a period, so the Civil Code's shift of a period ending on a rest day to the next working day
(``scoring.task_status.effective_due``) does not apply: "Trước 01/6/2026" ends on Sunday 31/05/2026, not on Monday
01/06/2026, the very day named as too late. Callers take the effective due date as ``due`` itself when ``before``.

A phrase without its year ("Quý II", "Thường xuyên") takes ``default_year`` (the plan's year) and is an error without
it. Conditional phrases are provisional and keep their condition verbatim: "Sau khi có Kế hoạch của UBND tỉnh (dự kiến
quý I/2026)", "Quý II/2026 (sau khi UBND tỉnh công bố)", "Dự kiến quý II/2026", "Quý II/2026 (dự kiến)".

Anything else raises ``DeadlineError`` naming the phrase, never a guess: a condition without an expected time, an
impossible date (31/02/2026), quarter V, month 13, "Trước quý III/2026" (before a period: read either as its eve or as
the period itself by different writers), several times in one phrase.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from common.periods import ROMAN
from common.vntext import nfc

KINDS = ("date", "month", "quarter", "half", "year", "recurring")
KIND_LABELS = {
    "date": "Ngày cụ thể",
    "month": "Tháng",
    "quarter": "Quý",
    "half": "6 tháng",
    "year": "Năm",
    "recurring": "Thường xuyên, định kỳ",
}


@dataclass(frozen=True)
class Deadline:
    text: str  # the phrase as written (NFC, spaces collapsed)
    kind: str  # "date" | "month" | "quarter" | "half" | "year" | "recurring"
    due: date  # the last day allowed as written (before any working-day shift)
    provisional: bool  # True for conditional phrases ("Sau khi ...", "(dự kiến ...)", "(sau khi ...)")
    condition: str | None  # the condition text kept verbatim, e.g. "Sau khi có Kế hoạch của UBND tỉnh"
    period_start: date | None = None  # first day of the month/quarter/half/year phrase (None for "date")
    before: bool = False  # "Trước <date>": due is the eve of the date written and is never moved to a working day


class DeadlineError(ValueError):
    """A completion time that cannot be read; the message (Vietnamese) names the phrase."""

    def __init__(self, text: str, reason: str):
        self.text, self.reason = text, reason
        super().__init__(f"Không đọc được thời gian hoàn thành '{text}': {reason}.")


class _Unreadable(Exception):
    pass


_F = re.IGNORECASE
_SEP = r"\s*(?:/|-|\.|,?\s*năm)\s*"  # between month/quarter and year: "/", "-", ".", "năm"
_YEAR = r"(?P<year>\d{4})"
_OPT_YEAR = rf"(?:{_SEP}{_YEAR})?"
_QUARTERS = {roman.casefold(): number for number, roman in ROMAN.items()}  # "i" -> 1 … "iv" -> 4
_QUY = r"(?:qu[ýí]|qúy)"  # "quý", "quí", "qúy"

_DATE_NUM = r"(?P<day>\d{1,2})\s*[/.-]\s*(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})"
_DATE_WORDS = r"(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>\d{4})"
_BEFORE = r"trước(?:\s+ngày)?"
_UNTIL = r"(?:đến\s+hết\s+ngày|hết\s+ngày|trong\s+ngày|chậm\s+nhất(?:\s+là)?(?:\s+ngày)?|đến(?:\s+ngày)?|ngày|hạn)"
_ONGOING = r"(?:định\s+kỳ|thường\s+xuyên|liên\s+tục)"  # "Thường xuyên", "Định kỳ", "Thường xuyên, liên tục"
_EVERY = rf"h[ằà]ng\s+(?:tháng|{_QUY}|năm|tuần)"  # "Hằng quý", "hàng năm"
_PERIOD_PREFIX = r"(?:(?:trong|đến\s+hết|đến|hết|cuối|chậm\s+nhất(?:\s+là)?(?:\s+(?:trong|đến\s+hết|cuối))?)\s+)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, _F))
    for name, p in (
        ("date_before", rf"{_BEFORE}\s*{_DATE_NUM}"),
        ("date_before", rf"{_BEFORE}\s*{_DATE_WORDS}"),
        ("date", rf"(?:{_UNTIL}\s*)?{_DATE_NUM}"),
        ("date", rf"(?:{_UNTIL}\s*)?{_DATE_WORDS}"),
        ("period_before", rf"trước\s+(?:tháng|{_QUY}|năm|6\s+tháng|sáu\s+tháng)\b.*"),
        ("half", rf"{_PERIOD_PREFIX}(?:6|sáu)\s+tháng\s+(?P<half>đầu|cuối)\s+năm(?:\s*{_YEAR})?"),
        ("month", rf"{_PERIOD_PREFIX}tháng\s*(?P<month>\d{{1,2}}){_OPT_YEAR}"),
        ("quarter", rf"{_PERIOD_PREFIX}{_QUY}\s*(?P<quarter>[ivxl]+|\d+){_OPT_YEAR}"),
        (
            "recurring",
            rf"(?:{_ONGOING}(?:\s*(?:,|và)?\s*{_ONGOING})*(?:\s*,?\s*{_EVERY})?|{_EVERY})(?:\s*,?\s*(?:trong\s+)?năm\s*{_YEAR})?",
        ),
        ("year", rf"(?:(?:trong|cả|đến\s+hết|đến|hết|cuối|chậm\s+nhất(?:\s+là)?)\s+)?(?:năm\s*)?{_YEAR}"),
    )
)


def _year(match: re.Match[str], default_year: int | None) -> int:
    text = match.groupdict().get("year")
    if text is None:
        if default_year is None:
            raise _Unreadable("thiếu năm (và không có năm của kế hoạch)")
        return default_year
    year = int(text)
    if not 1900 <= year <= 2100:
        raise _Unreadable(f"năm {year} không hợp lệ")
    return year


def _date(match: re.Match[str]) -> date:
    day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
    try:
        return date(year, month, day)
    except ValueError:
        raise _Unreadable(f"ngày {day}/{month}/{year} không tồn tại") from None


# "Hoàn thành trước 30/6/2026", "Hoàn thành xong trong quý II/2026": the verb adds nothing to the time.
_COMPLETE_VERB = re.compile(r"hoàn\s+thành(?:\s+xong)?\s+(?=\S)", _F)


# A time range: "Từ 01/3/2026 đến 30/6/2026", "Từ tháng 3 đến tháng 6/2026", "01/3/2026 - 30/6/2026". Its end is
# the deadline (the start takes the end's year when it has none: "từ tháng 3").
_RANGE = re.compile(r"từ\s+(?P<start>.+?)\s+(?:đến|tới)\s+(?P<end>.+)", _F)
_ONE_DATE = r"\d{1,2}\s*[/.]\s*\d{1,2}\s*[/.]\s*\d{4}"
_DATE_RANGE = re.compile(
    rf"(?:từ\s+(?:ngày\s+)?)?(?P<start>{_ONE_DATE}|\d{{1,2}}\s*[/.]\s*\d{{1,2}})\s*[-–]\s*(?P<end>{_ONE_DATE})", _F
)
_DAY_MONTH = re.compile(r"(?:ngày\s+)?\d{1,2}\s*[/.]\s*\d{1,2}", _F)
_NOW = re.compile(r"(?:nay|bây\s+giờ|hiện\s+nay|đầu\s+năm)", _F)


def _range_start(text: str, year: int) -> date:
    """The first day of a range's start ("tháng 3", "01/3", "ngày 01/3/2026"), in ``year`` when it names none."""
    if _DAY_MONTH.fullmatch(text):  # a day without its year ("01/3", "ngày 01/3")
        text = f"{text}/{year}"
    _, due, start, _ = _read(text, year)
    return start if start is not None else due


def _read(text: str, default_year: int | None) -> tuple[str, date, date | None, bool]:
    """(kind, due, period_start, before) of a phrase without condition."""
    body = text.strip(" .;,")
    if (verb := _COMPLETE_VERB.match(body)) is not None:
        body = body[verb.end() :]
    if not body:
        raise _Unreadable("để trống")
    if (span := _RANGE.fullmatch(body) or _DATE_RANGE.fullmatch(body)) is not None:
        kind, due, _, before = _read(span["end"], default_year)
        text = span["start"].strip()
        if _NOW.fullmatch(text):  # "Từ nay đến 30/6/2026"
            return kind, due, None, before
        first = _range_start(text, due.year)
        if first > due and not re.search(r"\d{4}", text):  # "Từ tháng 10 đến tháng 3/2027": the year before
            first = _range_start(text, due.year - 1)
        if first > due:
            raise _Unreadable(f"khoảng thời gian bắt đầu ({first:%d/%m/%Y}) sau khi kết thúc ({due:%d/%m/%Y})")
        return kind, due, first, before
    for name, pattern in _PATTERNS:
        match = pattern.fullmatch(body)
        if match is None:
            continue
        if name == "date_before":
            return "date", _date(match) - timedelta(days=1), None, True
        if name == "date":
            return "date", _date(match), None, False
        if name == "period_before":
            raise _Unreadable("'trước' một tháng, quý hay năm không xác định được ngày cuối cùng; ghi ngày cụ thể")
        return _period_due(name, match, _year(match, default_year))
    raise _Unreadable("không phải ngày, tháng, quý, 6 tháng, năm hay nhiệm vụ thường xuyên")


def _period_due(name: str, match: re.Match[str], year: int) -> tuple[str, date, date | None, bool]:
    """(kind, due, period_start, before) of a half year, month, quarter, recurring task or year of ``year``."""
    if name == "half":
        first = match["half"].casefold() == "đầu"
        return "half", date(year, 6, 30) if first else date(year, 12, 31), date(year, 1 if first else 7, 1), False
    if name == "month":
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise _Unreadable(f"tháng {month} không tồn tại")
        return "month", date(year, month, calendar.monthrange(year, month)[1]), date(year, month, 1), False
    if name == "quarter":
        raw = match["quarter"].casefold()
        quarter = int(raw) if raw.isdigit() else _QUARTERS.get(raw)
        if quarter not in (1, 2, 3, 4):
            raise _Unreadable(f"quý {match['quarter']} không tồn tại")
        last = 3 * quarter
        return "quarter", date(year, last, calendar.monthrange(year, last)[1]), date(year, last - 2, 1), False
    if name == "recurring":
        return "recurring", date(year, 12, 31), date(year, 1, 1), False
    return "year", date(year, 12, 31), date(year, 1, 1), False


_EXPECTED = r"(?:dự\s+kiến|dk)\s*:?\s*"
_CONDITION_WORDS = r"(?:sau\s+khi|khi|sau|tùy\s+thuộc|tuỳ\s+thuộc|căn\s+cứ|theo)\b"
# (condition, expected time): "Sau khi có Kế hoạch của UBND tỉnh (dự kiến quý I/2026)", "Sau khi …, dự kiến quý I/2026"
_COND_THEN_TIME = (
    re.compile(rf"(?P<cond>[^()]+?)\s*\(\s*{_EXPECTED}(?P<when>[^()]+?)\s*\)", _F),
    re.compile(rf"(?P<cond>{_CONDITION_WORDS}[^()]+?)\s*[,;:-]\s*{_EXPECTED}(?P<when>[^()]+?)", _F),
)
# (time, condition): "Quý II/2026 (sau khi UBND tỉnh công bố)"
_TIME_THEN_COND = re.compile(rf"(?P<when>[^()]+?)\s*\(\s*(?P<cond>{_CONDITION_WORDS}[^()]*?)\s*\)", _F)
_TIME_EXPECTED = (re.compile(r"(?P<when>[^()]+?)\s*\(\s*dự\s+kiến\s*\)", _F), re.compile(rf"{_EXPECTED}(?P<when>.+)", _F))
_CONDITION_ONLY = re.compile(rf"{_CONDITION_WORDS}.*", _F)


def parse_deadline(text: str, default_year: int | None = None) -> Deadline:
    """Read a completion-time phrase (see the module docstring); raises ``DeadlineError`` for anything else."""
    phrase = nfc(str(text)) if text is not None else ""
    body = phrase.rstrip(" .;")
    try:
        for pattern in _COND_THEN_TIME:
            match = pattern.fullmatch(body)
            if match is not None and not _is_time(match["cond"], default_year):
                kind, due, start, before = _read(match["when"], default_year)
                return Deadline(phrase, kind, due, True, match["cond"].strip(" ,;:-"), start, before)
        match = _TIME_THEN_COND.fullmatch(body)
        if match is not None:
            kind, due, start, before = _read(match["when"], default_year)
            return Deadline(phrase, kind, due, True, match["cond"].strip(), start, before)
        for pattern in _TIME_EXPECTED:
            match = pattern.fullmatch(body)
            if match is not None:
                kind, due, start, before = _read(match["when"], default_year)
                return Deadline(phrase, kind, due, True, None, start, before)
        if _CONDITION_ONLY.fullmatch(body) and not _is_time(body, default_year):
            raise _Unreadable("thời gian phụ thuộc điều kiện nhưng không ghi thời gian dự kiến")
        kind, due, start, before = _read(body, default_year)
        return Deadline(phrase, kind, due, False, None, start, before)
    except _Unreadable as exc:
        raise DeadlineError(phrase, str(exc)) from None


def _is_time(text: str, default_year: int | None) -> bool:
    try:
        _read(text, default_year)
    except _Unreadable:
        return False
    return True
