"""Formats of the plan register (sổ kế hoạch, Excel) and of the units' progress reports (báo cáo tiến độ, Excel).

Both are sheets laid out as Vietnamese offices lay them out: title rows, labelled header cells for the metadata
("Số kế hoạch:", "Đơn vị báo cáo:" …, the value in the next non-empty cell to the right or after the colon), then a
table whose header is found by its labels (ignoring case, diacritics, spacing; aliases accepted; extra columns
ignored): one row, or two or three rows as official forms write it (a group heading merged over its sub-labels, the
other labels merged down over the rows). The readers (``sources/plan_register.py``, ``sources/progress_report.py``)
and the demo generator (``demo/plan.py``) both use this module. Texts are kept as written (NFC, spaces collapsed):
completion times are parsed by ``sources/deadlines.py`` and unit names matched by ``sources/task_units.py``, not here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from common.pii import clean_free_text
from common.vntext import match_key, nfc, shorten, strip_diacritics
from sources.csvfiles import FileIssue, header_mapping, header_notes
from sources.deadlines import DeadlineError, parse_deadline
from sources.excel_intake import BROKEN_REASON, CellFault, cell_fault, read_workbook
from sources.tthc_format import Column

PLAN_DIR = "ke_hoach"  # inbox/ke_hoach/ (.xlsx, .xls, .ods …): plan registers, one file per plan and revision
REPORT_DIR = "tien_do"  # inbox/tien_do/ (.xlsx, .xls, .ods …): progress reports, one file per unit and period (any file name)
PLAN_SHEET = "Danh mục nhiệm vụ"

PLAN_COLUMNS: tuple[Column, ...] = (
    Column("task_no", "Số TT", "text", aliases=("STT", "TT", "Số thứ tự", "Số TT nhiệm vụ")),
    Column("content", "Nội dung công việc", "text", aliases=("Nội dung nhiệm vụ", "Nội dung", "Nhiệm vụ")),
    Column("lead_text", "Cơ quan chủ trì", "text", aliases=("Đơn vị chủ trì", "Chủ trì", "Cơ quan, đơn vị chủ trì")),
    Column(
        "collaborators_text",
        "Cơ quan phối hợp",
        "text",
        required=False,
        aliases=("Đơn vị phối hợp", "Phối hợp", "Cơ quan, đơn vị phối hợp"),
    ),
    Column(
        "deadline_text",
        "Thời gian hoàn thành",
        "text",
        # From the fourth: a heading ("Thời gian thực hiện", "Thời gian", "Thời hạn") merged over "Bắt đầu" | "Hoàn
        # thành" / "Kết thúc" / "Từ ngày" | "Đến ngày" (a two-row header): the end is the deadline.
        aliases=(
            "Thời hạn hoàn thành",
            "Thời gian thực hiện",
            "Thời hạn",
            "Thời gian thực hiện hoàn thành",
            "Thời gian thực hiện kết thúc",
            "Thời gian thực hiện đến ngày",
            "Thời gian kết thúc",
            "Thời gian đến ngày",
            "Thời hạn kết thúc",
            "Thời hạn đến ngày",
        ),
    ),
    Column(
        "expected_result",
        "Kết quả, sản phẩm dự kiến",
        "text",
        required=False,
        aliases=("Sản phẩm dự kiến", "Kết quả dự kiến", "Sản phẩm", "Kết quả, sản phẩm"),
    ),
    Column(
        "responsible",
        "Người chịu trách nhiệm",
        "text",
        required=False,
        aliases=("Người phụ trách", "Cá nhân chịu trách nhiệm", "Người chịu trách nhiệm chính"),
    ),
)

REPORT_COLUMNS: tuple[Column, ...] = (
    Column("task_no", "Số TT nhiệm vụ", "text", aliases=("STT nhiệm vụ", "Nhiệm vụ số", "Mã nhiệm vụ")),
    Column("status", "Tình trạng", "status", aliases=("Tình trạng thực hiện", "Trạng thái", "Tiến độ thực hiện")),
    Column(
        "percent", "Tỷ lệ hoàn thành (%)", "percent", required=False, aliases=("Tỷ lệ hoàn thành", "Tỷ lệ (%)", "% hoàn thành")
    ),
    Column("completed_on", "Ngày hoàn thành", "date", required=False, aliases=("Ngày hoàn thành thực tế",)),
    Column(
        "result_doc_number",
        "Số văn bản kết quả",
        "text",
        required=False,
        aliases=("Văn bản kết quả", "Số hiệu văn bản", "Số văn bản"),
    ),
    Column("result_doc_date", "Ngày văn bản", "date", required=False, aliases=("Ngày ban hành văn bản",)),
    Column("difficulties", "Khó khăn, vướng mắc", "text", required=False, aliases=("Khó khăn", "Vướng mắc")),
    Column("proposals", "Đề xuất, kiến nghị", "text", required=False, aliases=("Kiến nghị", "Đề xuất")),
)

# Labelled header cells above the table: field -> (label written by the demo, other labels accepted).
PLAN_METADATA: dict[str, tuple[str, ...]] = {
    "plan_number": ("Số kế hoạch", "Số KH", "Kế hoạch số"),
    "issued_on": ("Ngày ban hành", "Ngày ký"),
    "plan_year": ("Năm kế hoạch",),
    "revision": ("Lần ban hành/sửa đổi", "Lần sửa đổi", "Lần ban hành", "Lần ban hành, sửa đổi"),
    "title": ("Tên kế hoạch", "Trích yếu"),
}
REPORT_METADATA: dict[str, tuple[str, ...]] = {
    "unit": ("Đơn vị báo cáo", "Đơn vị"),
    "period": ("Kỳ báo cáo",),
    "report_date": ("Ngày báo cáo",),
}

# Status as written -> code; the first label of each code is the form's own. Matched ignoring case, diacritics and
# spacing (``sources.csvfiles.vocabulary_lookup``). "Chưa hoàn thành" (not yet completed) says the work is under way:
# a task not begun is "Chưa triển khai"; whether a completion was on time comes from its date, not from its wording.
TASK_STATUSES: dict[str, str] = {
    "Chưa triển khai": "not_started",
    "Chưa thực hiện": "not_started",
    "Đang triển khai": "in_progress",
    "Đang thực hiện": "in_progress",
    "Đã triển khai": "in_progress",
    "Đang tiến hành": "in_progress",
    "Chưa hoàn thành": "in_progress",
    "Hoàn thành": "completed",
    "Đã hoàn thành": "completed",
    "Hoàn thành đúng hạn": "completed",
    "Hoàn thành trước hạn": "completed",
    "Hoàn thành chậm": "completed",
    "Hoàn thành quá hạn": "completed",
    "Tạm dừng": "suspended",
    "Dừng thực hiện": "suspended",
}
STATUS_LABELS: dict[str, str] = {
    "not_started": "Chưa triển khai",
    "in_progress": "Đang triển khai",
    "completed": "Hoàn thành",
    "suspended": "Tạm dừng",
}


@dataclass
class RowIssue(FileIssue):
    """A problem of one row that does not reject it (merged cells, a blank row, an inconsistency): a FileIssue
    (non-blocking) that also names the row; its reason starts with "Dòng N"."""

    row_number: int | None = None
    record_key: str | None = None


# --- values --------------------------------------------------------------------------------------------------

_SPACES_AROUND = re.compile(r"\s*([/.\-])\s*")


def cell_text(value: Any) -> str:
    """A cell's value as text: NFC with spaces (NBSP, line breaks) collapsed and invisible format characters (a
    zero-width space or joiner, a BOM, a soft hyphen pasted from a web page or Word: category Cf) removed, so that
    '05/10/2026' followed by a zero-width space reads as the date it shows; dates dd/mm/yyyy; 2.0 -> '2'."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return nfc(FORMAT_CHARACTERS.sub("", str(value)))


# Unicode's invisible format characters (category Cf, Unicode 14 of Python 3.11; a test compares with unicodedata):
# one regex, as a filter of every character of every cell cost a second a year of forms.
FORMAT_CHARACTERS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


# The leading zeros of a numeric part of a task number ("03", "IV.01"): offices type them in a text cell while the
# register numbers the task 3 or IV.1, and both must give one key. A part that is all zeros keeps one ("0"); a part
# with letters ("A03") is not numeric and is kept as written.
_LEADING_ZEROS = re.compile(r"(?<![^./\-])0+(?=\d+(?![^./\-]))")
# A task number of Roman or Arabic parts ("IV.1", "1.2") written with another separator between them: "IV-1",
# "IV 2", "IV/4", "IV_5" are IV.1, IV.2, IV.4, IV.5.
_PART = r"(?:[IVXLC]+|\d+)"
_PARTS = re.compile(rf"{_PART}(?:\s*[./\-_\s]\s*{_PART})+\.?")
_PART_SEPARATOR = re.compile(r"\s*[./\-_\s]\s*")


def _visible_text(value: Any) -> str:
    """A cell's text as it looks (``cell_text``) and NFKC: full-width "８" is 8."""
    return " ".join(unicodedata.normalize("NFKC", cell_text(value)).split())


# The word typed before the number in the number column: "Nhiệm vụ 7", "Nhiệm vụ số 7", "NV 7", "NV7", "NV.7" (not
# the letters of a number: "NVI" is no "NV" before I).
_TASK_WORD = re.compile(r"(?:nhiệm\s*vụ|nhiem\s*vu|nv)(?![^\W\d_])(?:\s*(?:số|so)(?![^\W\d_]))?\s*[.:-]?\s*", re.IGNORECASE)


# The number of a section of the plan, not of a task: a bare Roman numeral or letter ("I", "IV.", "A", "b)"), as
# ``task_number`` writes it; and a heading's Roman numeral written before its title in one cell ("IV. TỔ CHỨC THỰC
# HIỆN"). Plan registers and progress reports (a table copied from the plan) both carry such rows.
_SECTION_NUMBER = re.compile(r"[IVXLC]+|[A-ZĐ]")
_ROMAN = re.compile(r"[IVXLC]+")
_LEADING_ROMAN = re.compile(r"([IVXLC]+)\s*[.)]?\s+\S")


def is_section_number(task_no: str | None) -> bool:
    """Whether a task number (``task_number``) is a section's: a bare Roman numeral or letter ("IV", "B", "C)")."""
    return bool(_SECTION_NUMBER.fullmatch((task_no or "").rstrip(")").strip()))


def section_numeral(task_no: str | None, number_text: str) -> str | None:
    """The Roman numeral of a section heading ("IV" of "IV.", "IV" or "IV. TỔ CHỨC THỰC HIỆN"); None for a letter."""
    number = (task_no or "").rstrip(")").strip()
    if _ROMAN.fullmatch(number):
        return number
    leading = _LEADING_ROMAN.match(number_text.upper())
    return leading.group(1) if leading else None


def task_number(value: Any) -> str | None:
    """Task number as a key: '1.' -> '1', 1.0 -> '1', 'iv. 1' -> 'IV.1', '03' -> '3', 'IV.01' -> 'IV.1', 'IV-1',
    'IV 1', 'IV/1' -> 'IV.1', '８' -> '8', '6' followed by a zero-width space -> '6', 'Nhiệm vụ 7', 'NV 7', 'NV7' ->
    '7'; None when blank. Registers and reports both go through it, so either may write a number either way."""
    text = _visible_text(value)
    if (word := _TASK_WORD.match(text)) and (bare := _task_key(text[word.end() :])) and is_task_number(bare):
        return bare
    return _task_key(text)


def _task_key(text: str) -> str | None:
    text = text.upper()
    if _PARTS.fullmatch(text):
        text = _PART_SEPARATOR.sub(".", text)
    text = _SPACES_AROUND.sub(r"\1", text).rstrip(".").strip()
    return _LEADING_ZEROS.sub("", text) or None


# What a task number looks like once read by ``task_number``: a number ("1", "13"), a section's Roman numeral or a
# letter with a number ("IV.1", "A.2"), a number with sub-numbers ("1.2"), either with a sub-item's letter ("1A",
# "2.1.B", "II.3.A": typed 1a, 2.1.b), or a bare letter or Roman numeral ("A", "II") for a plan that numbers its
# tasks so. Any other text in the number column ("SỐ TT", "GHI CHÚ:", "Nhiệm vụ
# khác") is not a task, nor more than TASK_NUMBER_DIGITS digits in all: a phone or ID number typed there ('0987 111
# 222' reads as 987.111.222; kept as a key, it rested unmasked in the marts and the report to Sở Nội vụ).
_TASK_NUMBER_SHAPE = re.compile(r"(?:(?:[IVXLC]+|[A-ZĐ])\.)?\d+(?:\.\d+)*(?:\.?[A-ZĐ])?|[IVXLC]+|[A-ZĐ]")
TASK_NUMBER_DIGITS = 6


def is_task_number(key: str) -> bool:
    """Whether ``key`` (a ``task_number``) has the shape of a task number."""
    return bool(_TASK_NUMBER_SHAPE.fullmatch(key)) and sum(c.isdigit() for c in key) <= TASK_NUMBER_DIGITS


def document_number(value: Any) -> str | None:
    """'123 / KH-SKHCN' -> '123/KH-SKHCN'."""
    text = _SPACES_AROUND.sub(r"\1", cell_text(value))
    return text or None


# A date as units type it in a text cell: 15/3/2026 (spaces allowed), 15-03-2026, 15.03.2026, 2026-03-15, or in words
# ("ngày 15 tháng 3 năm 2026", after a place: "Thái Nguyên, ngày 05 tháng 10 năm 2026"); "ngày 15/3/2026" as in a
# sentence, a time after it ("15/3/2026 08:30", "2026-03-15 00:00:00" as a date-time copied as text shows), a full
# stop ending it.
_DAY_WORD = re.compile(r"ngày\s*", re.IGNORECASE)
_TIME_OF_DAY = r"(?:\s*[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_FIRST = re.compile(rf"(\d{{1,2}})\s*([/.-])\s*(\d{{1,2}})\s*\2\s*(\d{{4}}){_TIME_OF_DAY}")
_ISO_DATE = re.compile(rf"(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME_OF_DAY}")
_DATE_IN_WORDS = re.compile(r"(?:[^\d,]*,\s*)?ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
# Excel's serial numbers of 2000-01-01 and 2099-12-31: a date pasted as a value into a General cell shows as 46280;
# a date-time as 46280.5 (noon), its day the integer part.
_SERIALS = range(36526, 73051)


def cell_date(value: Any) -> tuple[date | None, bool]:
    """(date, ok) of a date cell, an Excel serial day number (a date in a General cell) or a date typed as text in the
    ways units write one (``_DAY_FIRST``, ``_ISO_DATE``, ``_DATE_IN_WORDS``); (None, True) when blank; (None, False)
    when unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value) and int(value) in _SERIALS:
            return date(1899, 12, 30) + timedelta(days=int(value)), True
        return None, False
    text = cell_text(value).removesuffix(".").rstrip()
    if _DAY_WORD.match(text) and not _DATE_IN_WORDS.fullmatch(text):
        text = _DAY_WORD.sub("", text, count=1)
    parts: tuple[str, str, str] | None = None
    if found := _DAY_FIRST.fullmatch(text):
        parts = (found[4], found[3], found[1])
    elif found := _ISO_DATE.fullmatch(text):
        parts = (found[1], found[2], found[3])
    elif found := _DATE_IN_WORDS.fullmatch(text):
        parts = (found[3], found[2], found[1])
    if parts is None:
        return None, False
    try:
        return date(*(int(p) for p in parts)), True
    except ValueError:  # 31/02/2026
        return None, False


def is_zero_date(value: Any) -> bool:
    """Whether a date cell holds Excel's zero date: 0 in a cell formatted as a date, which Excel shows 00/01/1900
    and openpyxl and python-calamine read as the time 00:00 (another reader may give 30 or 31/12/1899)."""
    return value == time(0) if isinstance(value, time) else isinstance(value, date) and value.year < 1900


_PERIOD_LABEL = re.compile(r"\d{4}-(?:Q[1-4]|H[12]|Y)")
_PERIOD_PREFIX = re.compile(r"(?:báo\s+cáo|kỳ(?:\s+báo\s+cáo)?)\s*:?\s*", re.IGNORECASE)
PERIOD_EXAMPLES = "'Quý I/2026', '6 tháng đầu năm 2026', '9 tháng đầu năm 2026', 'Năm 2026'"
PERIOD_KINDS = "quý, 6 tháng, 9 tháng hoặc năm"
# Spellings of a period that no completion time uses, rewritten into one that ``parse_deadline`` reads, in order: the
# year in brackets ("Quý III (2026)"); a quarter with only a space before its year ("Quý III 2026") or written "Q3";
# "6 tháng năm 2026" (the usual name of the mid-year report: the first six months); "9 tháng (đầu) năm 2026", the
# first three quarters, which the project has no period for: its report is the third quarter's (sent when quý III
# ends, filed and superseded with the quarter's reports, its tasks' status as of its date as any report's).
_PERIOD_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), out)
    for pattern, out in (
        (r"\s*\(\s*(?:năm\s*)?(\d{4})\s*\)", r" \1"),
        (r"(?:qu[ýí]|qúy|q)\s*\.?\s*([ivx]+|\d)(?:\s*[/.,-]?\s*năm\s*|\s*[/.,-]\s*|\s+)(\d{4})", r"Quý \1/\2"),
        (r"(?:6|sáu)\s+tháng(?:\s+năm)?\s*(\d{4})", r"6 tháng đầu năm \1"),
        (r"(?:9|chín)\s+tháng(?:\s+đầu)?(?:\s+năm)?\s*(\d{4})", r"Quý III/\1"),
    )
)


# The data cut-off range a report may add after its period ("Quý III/2026 (từ 15/6 đến 14/9/2026)", NĐ 09/2019 closes
# the figures mid-month): the period is what comes before it, the range is not needed to know it.
_CUT_OFF_RANGE = re.compile(r"\s*\((?=[^()]*(?:\d{1,2}\s*/\s*\d{1,2}|\b(?:từ|tu|đến|den)\b))[^()]*\)\s*$", re.IGNORECASE)
# A correction or addendum tagged after the period ("Quý I/2026 (lần 2)", "Quý I/2026 - bổ sung", "(bản sửa)"), or
# "(cả năm)" after a year: the period is what comes before it (which of two reports of a period counts is the report
# date's and the arrival's business, not the period's).
_CORRECTION_TAG = re.compile(
    r"\s*[-–,(]?\s*(?:lần\s*(?:thứ\s*)?\d+|lan\s*\d+|bổ\s*sung|bo\s*sung|bản\s*sửa(?:\s*đổi)?|sửa\s*đổi|điều\s*chỉnh|"
    r"thay\s*thế|chính\s*thức|cập\s*nhật)\s*\)?\s*$",
    re.IGNORECASE,
)
_WHOLE_YEAR = re.compile(r"^(năm\s*\d{4})\s*[-–,(]?\s*cả\s*năm\s*\)?$", re.IGNORECASE)
# A quarter's roman numeral typed with a lower-case L for I ("Quý l/2026", "Quý lll/2026"): no quarter has an L.
_QUARTER_WITH_L = re.compile(r"((?:qu[ýí]|qúy)\s*)([ivl]*l[ivl]*)(?=\s*[/.,-]|\s+(?:năm\s*)?\d{4})", re.IGNORECASE)
# The words of a period typed without diacritics ("Quy 3 nam 2026", "6 thang dau nam 2026"), as they are spelt.
_UNDIACRITISED = {"quy": "quý", "nam": "năm", "thang": "tháng", "dau": "đầu", "sau": "sáu", "chin": "chín"}
_UNDIACRITISED_WORD = re.compile(rf"\b(?:{'|'.join(_UNDIACRITISED)})\b", re.IGNORECASE)


def _period_spelling(body: str) -> str:
    """``body`` without a trailing data cut-off range or correction tag, its words typed without diacritics spelt with
    them, a quarter's numeral typed with an "l" for "I", the year in brackets unwrapped and a period spelt only as
    reports spell it rewritten as a completion time is spelt ("Quý III 2026" -> "Quý III/2026", "9 tháng đầu năm 2026"
    -> "Quý III/2026")."""
    body = _UNDIACRITISED_WORD.sub(lambda m: _UNDIACRITISED[m[0].lower()], body)
    while (tagged := _CORRECTION_TAG.sub("", _CUT_OFF_RANGE.sub("", body))) != body:  # "(lần 2) - bổ sung", in any order
        body = tagged
    body = _WHOLE_YEAR.sub(r"\1", body)  # "Năm 2026 (cả năm)"; after a quarter or a half it stays, and is refused
    body = _QUARTER_WITH_L.sub(lambda m: m[1] + m[2].upper().replace("L", "I"), body)
    pattern, out = _PERIOD_SPELLINGS[0]
    text = pattern.sub(out, body).strip()
    for pattern, out in _PERIOD_SPELLINGS[1:]:
        if pattern.fullmatch(text):
            return pattern.sub(out, text)
    return text


def read_report_period(text: str) -> tuple[str | None, str | None]:
    """(label, None) for a reporting period as written on a report, else (None, why not, in Vietnamese).

    The text is read by ``sources.deadlines.parse_deadline`` (so a period is spelt as a completion time is: "Quý
    I/2026", "Quí 1-2026", "quý II năm 2026", "6 tháng đầu năm 2026", "Năm 2026", after an optional "Báo cáo"/"Kỳ"),
    and as reports also spell it ("Quý III 2026", "Quý III (2026)", "Q3/2026", "6 tháng năm 2026" the first half,
    "9 tháng đầu năm 2026" the third quarter: ``_PERIOD_SPELLINGS``): kind quarter -> "2026-Q1", half ->
    "2026-H1"/"2026-H2", year -> "2026-Y". A label already in that form is kept. Not a period: a date, a month, a
    recurring or provisional phrase, a phrase without its year, anything else (the reason then speaks of the periods
    a report may have, not of completion times)."""
    raw = cell_text(text)
    if _PERIOD_LABEL.fullmatch(raw):
        return raw, None
    body = _PERIOD_PREFIX.sub("", raw, count=1) if _PERIOD_PREFIX.match(raw) else raw
    if not body:
        return None, "để trống"
    not_a_period = f"'{shorten(body)}' không phải kỳ báo cáo ({PERIOD_KINDS})"
    try:
        deadline = parse_deadline(_period_spelling(body))
    except DeadlineError as err:  # a report names its own year: "Quý II" alone lacks it
        if err.reason.startswith("thiếu năm"):
            return None, "thiếu năm"
        if err.reason.startswith("thời gian phụ thuộc điều kiện"):
            return None, "kỳ báo cáo không thể là thời gian dự kiến hay có điều kiện"
        if "không tồn tại" in err.reason or "không hợp lệ" in err.reason:  # quý V, tháng 13, năm 3026
            return None, err.reason
        return None, not_a_period  # not "… hay nhiệm vụ thường xuyên": that is a completion time's wording
    year = deadline.due.year
    if deadline.provisional:
        return None, "kỳ báo cáo không thể là thời gian dự kiến hay có điều kiện"
    if deadline.kind == "quarter":
        return f"{year}-Q{deadline.due.month // 3}", None
    if deadline.kind == "half":
        return f"{year}-H{1 if deadline.due.month == 6 else 2}", None
    if deadline.kind == "year":
        return f"{year}-Y", None
    return None, not_a_period


def parse_report_period(text: str) -> str | None:
    """Label of a reporting period as written on a report ("Quý I/2026" -> "2026-Q1"); None when it is not one
    (``read_report_period`` says why)."""
    return read_report_period(text)[0]


# --- sheets --------------------------------------------------------------------------------------------------

_COLUMN_NUMBERS = re.compile(r"\(?\d{1,2}\)?")
# An official form's header may span this many rows: group headings merged over the sub-labels of their columns.
MAX_HEADER_ROWS = 3
# A merged range of a sheet: (min_row, min_col, max_row, max_col), 1-based as openpyxl gives them.
Merge = tuple[int, int, int, int]


@dataclass
class Table:
    """Where a sheet's table is: the last row of its header (1-based; the data start on the next row), the column of
    each field (0-based), unknown headers, and how many rows the header spans (2 or 3 on an official form whose
    group headings are merged over the sub-labels of their columns)."""

    header_row: int
    columns: dict[str, int]
    unknown: list[str]
    header_rows: int = 1

    @property
    def header_top(self) -> int:
        """The first row of the header (1-based): the labelled metadata cells are above it."""
        return self.header_row - self.header_rows + 1


def column_notes(table: Table, columns: tuple[Column, ...], expected: Collection[str] = ()) -> list[FileIssue]:
    """``header_notes`` of a register's or a report's table: the optional columns it lacks, the columns no column of
    the form is (a unit sees the column it wrote and is told why it was not read) but for the ``expected`` labels (a
    report repeating each task's content for its reader), and a column given twice."""
    skipped = {match_key(label) for label in expected}
    unknown = [header for header in table.unknown if match_key(header) not in skipped]
    missing = [c for c in columns if not c.required and c.name not in table.columns]
    return header_notes(unknown, missing, columns)


# Columns a progress report may carry for its reader, read from the plan instead: the number of the row, the task's
# content, a remark.
REPORT_READER_COLUMNS = (
    "STT",
    "Số TT",
    "Ghi chú",
    *(text for c in PLAN_COLUMNS if c.name == "content" for text in (c.header, *c.aliases)),
    "Tên nhiệm vụ",
)


def merged_ranges(ws: Any) -> list[Merge]:
    """The merged ranges of a sheet (none for an object without them)."""
    ranges = getattr(getattr(ws, "merged_cells", None), "ranges", ())
    return [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ranges]


def find_table(
    grid: list[list[Any]], columns: tuple[Column, ...], scan_rows: int = 40, merges: Sequence[Merge] = ()
) -> tuple[Table | None, list[str]]:
    """The table of a sheet: the first row (scanning down) that ends a header holding every required column's label;
    otherwise (None, the required labels missing from the header that came closest).

    A header is one row, or up to ``MAX_HEADER_ROWS`` rows as official forms write it: "STT", "Tiêu chí" merged down
    over both rows, a group heading ("Kết quả tự đánh giá") merged across the sub-labels written under it
    (``merges``: the sheet's merged ranges; without them a merged cell is read in its top-left cell only). Of the
    headers ending on a row the one mapping most columns wins, the shortest on a tie, so a one-row header is found
    exactly as before. The rows under a header extend it only when they map more columns (a data row never does):
    a first row that alone holds every label, over sub-labels, is still read whole."""
    keys = {match_key(text) for c in columns for text in (c.header, *c.aliases)}
    spread = _spread_merges(grid[: scan_rows + MAX_HEADER_ROWS - 1], merges)
    best: tuple[int, list[str]] = (-1, [c.header for c in columns if c.required])
    for last in range(min(scan_rows, len(grid))):
        chosen: Table | None = None
        for top in range(last, max(-1, last - MAX_HEADER_ROWS), -1):
            if top < last and not all(_header_like(row) for row in grid[top : last + 1]):
                break  # a blank row or a "(1) (2) (3)" row is no part of a header
            table, missing, found = _header_candidate(grid, spread, top, last, columns, keys)
            if found > best[0]:
                best = (found, missing)
            if table is not None and (chosen is None or len(table.columns) > len(chosen.columns)):
                chosen = table
        if chosen is not None:
            return _extend_down(grid, spread, chosen, columns, keys, merges), []
    return None, best[1]


def _header_like(row: list[Any]) -> bool:
    """Whether a row may be part of a header spanning several rows: it holds text and is no column-number row."""
    return any(cell_text(v) for v in row) and not is_column_number_row(row)


def _spread_merges(grid: list[list[Any]], merges: Sequence[Merge]) -> list[list[tuple[str, bool]]]:
    """Each cell's text, the top-left value given to every cell of its merged range, with whether the cell lies right
    of the range's first column (a group heading spread over its columns: a prefix there, never a label alone)."""
    cells = [[(cell_text(v), False) for v in row] for row in grid]
    for min_row, min_col, max_row, max_col in merges:
        if min_row > len(cells) or min_col > len(cells[min_row - 1]):
            continue
        text = cells[min_row - 1][min_col - 1][0]
        for r in range(min_row, min(max_row, len(cells)) + 1):
            for c in range(min_col, min(max_col, len(cells[r - 1])) + 1):
                if (r, c) != (min_row, min_col):
                    cells[r - 1][c - 1] = (text, c > min_col)
    return cells


def _stacked_label(stack: list[tuple[str, bool]], keys: set[str]) -> str:
    """The label of a column from its header cells, top to bottom: the lowest text joined to the ones above it when
    that is a known label ("Ngày" over "hoàn thành": "hoàn thành" alone is an alias of another column), else the
    lowest text of its own (from a vertical merge, or the upper row when the rows under it are empty). A group
    heading spread over the column (right of its first cell) is never a label alone, so never an unknown column."""
    texts: list[tuple[str, bool]] = []
    for text, spill in stack:
        if text and (not texts or texts[-1][0] != text):  # a vertical merge repeats its text
            texts.append((text, spill))
    for depth in range(2, len(texts) + 1):
        joined = " ".join(t for t, _ in texts[-depth:])
        if match_key(joined) in keys:
            return joined
    return "" if not texts or texts[-1][1] else texts[-1][0]


def _header_candidate(
    grid: list[list[Any]],
    spread: list[list[tuple[str, bool]]],
    top: int,
    last: int,
    columns: tuple[Column, ...],
    keys: set[str],
) -> tuple[Table | None, list[str], int]:
    """(the table when rows top..last, 0-based, are a header holding every required label, the required labels
    missing, how many columns were found). One row is read as written, merged cells as they are (as ever)."""
    if top == last:
        headers = [cell_text(v) for v in grid[last]]
    else:
        width = max(len(row) for row in spread[top : last + 1])
        headers = [
            _stacked_label([row[c] if c < len(row) else ("", False) for row in spread[top : last + 1]], keys)
            for c in range(width)
        ]
    mapping, unknown = header_mapping(headers, columns)
    found = {c.name for c in mapping.values()}
    missing = [c.header for c in columns if c.required and c.name not in found]
    if missing:
        return None, missing, len(found)
    table = Table(last + 1, {c.name: i for i, c in mapping.items()}, [u for u in unknown if u], last - top + 1)
    return table, [], len(found)


def _extend_down(
    grid: list[list[Any]],
    spread: list[list[tuple[str, bool]]],
    table: Table,
    columns: tuple[Column, ...],
    keys: set[str],
    merges: Sequence[Merge] = (),
) -> Table:
    """The header with the rows under it that map more columns (sub-labels under a first row that already held every
    required label), or as many when the row holds only sub-labels of headings merged across columns above it:
    "Thời gian thực hiện" over "Bắt đầu" | "Hoàn thành" puts the deadline in the "Hoàn thành" column, not in the
    heading's first one. A data row does neither (its values replace the labels and fill columns no heading spans),
    so a one-row header stays one row."""
    top = table.header_top - 1
    for last in range(table.header_row, min(top + MAX_HEADER_ROWS, len(spread))):
        if not _header_like(grid[last]):
            break
        deeper, _, _ = _header_candidate(grid, spread, top, last, columns, keys)
        if deeper is None:
            continue
        if len(deeper.columns) > len(table.columns) or (
            len(deeper.columns) == len(table.columns) and _only_sub_labels(grid[last], merges, top, last)
        ):
            table = deeper
    return table


def _only_sub_labels(row: list[Any], merges: Sequence[Merge], top: int, last: int) -> bool:
    """Whether every text of ``row`` (0-based ``last``) lies under a heading merged across several columns in the rows
    ``top``..``last - 1`` (0-based): the sub-labels of group headings, not a row of data."""
    spanned = {
        col
        for min_row, min_col, max_row, max_col in merges
        if max_col > min_col and top < min_row <= last and max_row <= last
        for col in range(min_col - 1, max_col)
    }
    filled = [i for i, v in enumerate(row) if cell_text(v)]
    return bool(filled) and all(i in spanned for i in filled)


def header_keys(columns: tuple[Column, ...]) -> dict[str, set[str]]:
    """Per column, the ``match_key`` of its header and aliases: what a row repeating the header holds."""
    return {c.name: {match_key(t) for t in (c.header, *c.aliases)} for c in columns}


def is_column_number_row(row: list[Any]) -> bool:
    """The '(1) (2) (3) …' row offices put under a table header."""
    texts = [cell_text(v) for v in row if cell_text(v)]
    return len(texts) >= 3 and all(_COLUMN_NUMBERS.fullmatch(t) for t in texts)


# What ends a table in an office's sheet (a cell's text without diacritics, lower case): the recipients ("Nơi
# nhận:") and the signature block under them ("KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN", "Người lập biểu"). A bare "Giám
# đốc" is one only alone on its row (``_SIGNER``): beside a task's texts it may be the task's responsible person.
_TABLE_END = re.compile(
    r"noi nhan\s*:.*|(?:kt|tm|tl|q)\s*\.\s*(?:pho\s+)?(?:giam doc|chanh van phong|truong phong|uy ban)\b.*|nguoi lap bieu\W*",
    re.DOTALL,
)
# A signer's title alone on its row ("GIÁM ĐỐC", then the signer's name under it): a signature block without "KT."
_SIGNER = re.compile(r"(?:pho\s+)?(?:giam doc|chu tich|chanh van phong|truong phong|thu truong)\W*")
# A footnote under the table: "Ghi chú:" / "Chú thích:" or a "(*)" mark where a task number (or, the number cell
# blank, the key text) would be. Nothing after it is a row of the table.
_FOOTNOTE = re.compile(r"(?:ghi chu|chu thich)\b\s*:?.*|\(\*+\).*", re.DOTALL)


def ends_table(row: list[Any], key_col: int, number_col: int | None = None) -> bool:
    """Whether a sheet row is the end of a table: the recipients or signature block under it (a cell holds such a
    title and the table's key column, the register's content or the report's task number, holds nothing else; or a
    signer's title is the row's only text), or a footnote ("Ghi chú:", "(*) …") in the task number column
    (``number_col``, the key column when not given), or in the key column when the number column is blank."""
    texts = [strip_diacritics(cell_text(v)).casefold() for v in row]
    marks = [i for i, t in enumerate(texts) if _TABLE_END.fullmatch(t)]
    if marks and (key_col in marks or not texts[key_col]):
        return True
    filled = [t for t in texts if t]
    if len(filled) == 1 and _SIGNER.fullmatch(filled[0]):
        return True
    number = key_col if number_col is None else number_col
    if _FOOTNOTE.fullmatch(texts[number]):
        return True
    return not texts[number] and bool(_FOOTNOTE.fullmatch(texts[key_col]))


def find_labels(grid: list[list[Any]], labels: dict[str, tuple[str, ...]], last_row: int) -> dict[str, Any]:
    """Values of labelled cells in rows 1..last_row: the next non-empty cell to the right of a label cell, or the
    text after the colon when label and value share one cell. The first occurrence of a label wins."""
    keys = {match_key(label): name for name, options in labels.items() for label in options}
    found: dict[str, Any] = {}
    for row in grid[:last_row]:
        for col, value in enumerate(row):
            text = cell_text(value)
            if not text:
                continue
            name = keys.get(match_key(text))
            if name is not None and name not in found:
                found[name] = next((v for v in row[col + 1 :] if cell_text(v)), None)
                continue
            label, colon, rest = text.partition(":")
            name = keys.get(match_key(label)) if colon else None
            if name is not None and name not in found and rest.strip():
                found[name] = rest.strip()
    return found


def other_province_issue(
    grid: list[list[Any]], table: Table, province: str | None, what: str, file_name: str | None
) -> FileIssue | None:
    """A blocking ``other_province_source`` when a heading line above the table ("UBND TỈNH THÁI NGUYÊN", "SỞ … TỈNH
    X") names a province other than ``province`` (and its former provinces: a Bắc Kạn heading is Thái Nguyên's own),
    else None; None as well without a province. ``what`` names the document ("sổ kế hoạch", "báo cáo tiến độ")."""
    from common.units import other_province_heading, province_name

    if not province:
        return None
    named = other_province_heading((v for row in grid[: table.header_top - 1] for v in row), province)
    if named is None:
        return None
    return FileIssue(
        "other_province_source",
        f"Tệp '{file_name}' là {what} của {province_name(named[0]).full} (tiêu đề '{named[1]}'), không phải của "
        f"{province_name(province).full}: không nạp được tệp.",
    )


def optional_text(value: Any) -> str | None:
    return cell_text(value) or None


def optional_lines(value: Any) -> str | None:
    """``optional_text`` of each line of a text cell, the line breaks kept (a plan's units one per line: Alt+Enter in
    Excel, a Word table's paragraphs), blank lines dropped."""
    if not isinstance(value, str):
        return optional_text(value)
    return "\n".join(line for line in (cell_text(part) for part in value.splitlines()) if line) or None


# --- workbooks -----------------------------------------------------------------------------------------------


def table_sheet(
    sheets: list[tuple[Any, list[list[Any]]]], columns: tuple[Column, ...], what: str, one_per_file: str
) -> tuple[Any, list[list[Any]], Table | None, list[str], list[FileIssue]]:
    """The one visible sheet holding the table: (sheet, grid, table, [], issues); when none does, (None, [], None, the
    required labels missing from the sheet that came closest, issues with a blocking reason: ``missing_columns``
    naming them, or why the sheets holding it cannot be read). ``what`` names the table ("bảng tiến độ"),
    ``one_per_file`` what a file should hold ("mỗi báo cáo").

    A hidden sheet is never read: one holding the table is named in a note (``hidden_cells``), or refuses the file
    when no visible sheet holds it. Several visible sheets holding it refuse the file (``multiple_table_sheets``):
    which one is the delivery cannot be told, and the first is not necessarily it."""
    found, missing, issues = table_sheets(sheets, columns, what)
    if len(found) > 1:
        names = ", ".join(f"'{ws.title}'" for ws, _, _ in found)
        issues = [i for i in issues if i.rule != "hidden_cells"]  # the refusal says enough
        issues.append(
            FileIssue(
                "multiple_table_sheets",
                f"Có {len(found)} trang tính cùng chứa {what}: {names}; không nạp được tệp vì không biết trang nào là "
                f"bản cần gửi. Đề nghị gửi {one_per_file} một tệp riêng, chỉ một trang tính có {what}.",
            )
        )
        return None, [], None, [], issues
    if found:
        ws, grid, table = found[0]
        return ws, grid, table, [], issues
    return None, [], None, missing, issues


def table_sheets(
    sheets: list[tuple[Any, list[list[Any]]]], columns: tuple[Column, ...], what: str
) -> tuple[list[tuple[Any, list[list[Any]], Table]], list[str], list[FileIssue]]:
    """Every visible sheet holding the table, in workbook order: ([(sheet, grid, table), …], [], issues); when none
    does, ([], the required labels missing from the sheet that came closest, issues with a blocking reason). A hidden
    sheet is never read: one holding the table is named in a note (``hidden_cells``) beside the visible ones, or
    refuses the file (``hidden_cells``) when no visible sheet holds it; no sheet holding it is ``missing_columns``.
    Whether several visible sheets may make one delivery is the caller's to say (``table_sheet``: never)."""
    issues: list[FileIssue] = []
    found: list[tuple[Any, list[list[Any]], Table]] = []
    hidden: list[str] = []
    missing: list[str] = []
    for ws, grid in sheets:
        table, missing_here = find_table(grid, columns, merges=merged_ranges(ws))
        if table is None:
            missing = missing or missing_here
        elif getattr(ws, "sheet_state", "visible") != "visible":
            hidden.append(ws.title)
        else:
            found.append((ws, grid, table))
    shown = ", ".join(f"'{t}'" for t in hidden)
    if hidden and not found:
        issues.append(
            FileIssue(
                "hidden_cells",
                f"{what[0].upper()}{what[1:]} chỉ có ở trang tính ẩn {shown}; không nạp được tệp (trang tính ẩn không "
                "được đọc). Đề nghị bỏ ẩn trang tính cần gửi (Unhide) hoặc xóa các trang không dùng.",
            )
        )
    elif hidden:
        read = ", ".join(f"'{ws.title}'" for ws, _, _ in found)
        issues.append(
            FileIssue(
                "hidden_cells",
                f"Trang tính ẩn {shown} cũng chứa {what}: không đọc, chỉ đọc trang tính đang hiện {read}. "
                "Đề nghị xóa trang tính không dùng.",
                blocking=False,
            )
        )
    missing = [] if found or hidden else (missing or [c.header for c in columns if c.required])
    if missing:
        names = ", ".join(f"'{h}'" for h in missing)
        issues.append(
            FileIssue(
                "missing_columns",
                f"Không tìm thấy dòng tiêu đề của {what} (thiếu cột {names}); không nạp được tệp."
                + _row_number_hint(sheets, columns, missing),
            )
        )
    return found, missing, issues


# Headers of a row-number column ("Số TT" as the plan's own table heads its task numbers, "STT" as any table its rows).
_ROW_NUMBER_HEADERS = frozenset({"stt", "sott", "tt", "sothutu"})


def _row_number_hint(sheets: list[tuple[Any, list[list[Any]]]], columns: tuple[Column, ...], missing: list[str]) -> str:
    """What to do when the task-number column is missing beside a row-number column ("Số TT", "STT"): its numbers may
    be the plan's (a copy of the plan's table) or the rows' own (1, 2, 3 over tasks 3, 7, 12); read as task numbers
    they would give one task's status to another without a word, so the unit says which by the header."""
    task_no = next((c for c in columns if c.name == "task_no"), None)
    if task_no is None or task_no.header not in missing:
        return ""
    written = next(
        (
            cell_text(cell)
            for _, grid in sheets
            for row in grid[:40]
            for cell in row
            if cell_text(cell) and match_key(cell_text(cell)) in _ROW_NUMBER_HEADERS
        ),
        None,
    )
    if written is None:
        return ""
    return (
        f" Cột '{written}' có phải là số thứ tự của nhiệm vụ trong Kế hoạch? Nếu đúng, đổi tiêu đề cột thành "
        f"'{task_no.header}' rồi gửi lại; nếu là số thứ tự dòng, thêm cột '{task_no.header}' ghi số của nhiệm vụ "
        "trong Kế hoạch (số thứ tự dòng không được đọc là số nhiệm vụ: nhiệm vụ sẽ bị nhận nhầm)."
    )


def mask_free_text(
    texts: Mapping[str, str | None], places: Mapping[str, str], row: int, key: str | None
) -> tuple[dict[str, str | None], list[RowIssue]]:
    """The free texts of a row with every phone number, ID number, e-mail address, house-numbered address and
    citizen's name masked and cut to ``FREE_TEXT_LIMIT`` characters (``common.pii.clean_free_text``),
    and a note per cell that had one or was cut, naming it by ``places[field]`` ("Dòng 11 (nhiệm vụ 4), ô H11 (cột
    'Khó khăn, vướng mắc')"), never the value."""
    out: dict[str, str | None] = {}
    notes: list[RowIssue] = []
    for name, text in texts.items():
        if not text:
            out[name] = text
            continue
        clean = clean_free_text(text)
        out[name], count = clean.text, clean.masked
        if clean.cut_from:
            notes.append(
                RowIssue("long_text_cut", f"{places[name]}: {clean.cut_note}", blocking=False, row_number=row, record_key=key)
            )
        if count:
            notes.append(
                RowIssue(
                    "personal_data_masked",
                    f"{places[name]}: đã ẩn {count} số điện thoại, số giấy tờ, địa chỉ email, họ tên hoặc địa chỉ nhà của người dân trước khi lưu. Đề nghị "
                    "không ghi thông tin cá nhân của người dân vào nội dung.",
                    blocking=False,
                    row_number=row,
                    record_key=key,
                )
            )
    return out, notes


def open_sheets(
    path: Path, result: Any, *, watch: Callable[[Path], bool] | None = None
) -> list[tuple[Any, list[list[Any]]]] | None:
    """Every sheet of the workbook at ``path`` with its grid, read by ``sources.excel_intake`` (an .xls, .ods or HTML
    table as well as an .xlsx); fills the reader's ``result`` (sha256, size, kind as its encoding, deferred, the
    intake's issues). None when the file is refused (one blocking issue says why) or left for the next run."""
    found = read_workbook(path, watch=watch or (lambda _: False))
    result.sha256, result.size_bytes, result.encoding, result.deferred = (
        found.sha256,
        found.size_bytes,
        found.kind,
        found.deferred,
    )
    result.file_issues += found.issues
    if found.workbook is None:
        return None
    try:
        return [(ws, sheet_grid(ws)) for ws in found.workbook.worksheets]
    except Exception as err:  # a sheet that fails while being read is a broken file too
        result.file_issues.append(workbook_issue(err))
        return None


def workbook_issue(err: Exception) -> FileIssue:
    """The blocking issue of a workbook that failed while being read (the error's class named)."""
    return FileIssue("bad_workbook", BROKEN_REASON.format(cause=f"lỗi {type(err).__name__}"))


def fault_issue(fault: CellFault, where: str, row: int | None = None, key: str | None = None) -> RowIssue:
    """The note of a cell whose formula or error value was not read (the row still loads without that value)."""
    return RowIssue(
        fault.rule, f"{where}: {fault.reason}; giá trị này không được dùng.", blocking=False, row_number=row, record_key=key
    )


def clean_faults(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, CellFault]]:
    """(the values with every uncalculated formula or Excel error replaced by None, the faults by field)."""
    faults = {name: f for name, value in values.items() if (f := cell_fault(value)) is not None}
    return {name: (None if name in faults else value) for name, value in values.items()}, faults


def sheet_grid(ws: Any) -> list[list[Any]]:
    """Every cell value of a sheet, rows padded to the same width (merged cells other than the first are None)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def fill_body_merges(ws: Any, grid: list[list[Any]], table: Table, headers: dict[str, str]) -> list[RowIssue]:
    """Give every cell of a merged range below the header row the value of the range's top-left cell, and report
    each such range (non-blocking): a merged cell spanning several tasks is read as written for each of them."""
    issues: list[RowIssue] = []
    names = {col: name for name, col in table.columns.items()}
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if rng.min_row <= table.header_row:
            continue  # title and header rows (all of them, when the header spans several): merging is normal there
        top = rng.min_row
        value = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(top, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
        columns = [headers.get(names.get(c - 1, ""), "") for c in range(rng.min_col, rng.max_col + 1)]
        column_text = ", ".join(f"'{h}'" for h in columns if h) or "ngoài bảng"
        shown = cell_text(value)
        issues.append(
            RowIssue(
                "merged_cells",
                f"Dòng {top}-{rng.max_row}: ô gộp {rng.coord} (cột {column_text}); đã lấy giá trị '{shown}' của ô đầu "
                "cho mọi dòng của vùng gộp. Đề nghị không gộp ô trong bảng.",
                blocking=False,
                row_number=top,
            )
        )
    return issues
