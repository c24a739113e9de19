"""Read a monthly PAKN export (phản ánh, kiến nghị) into typed rows, rejects and file issues (no Dagster here).

Files are small (hundreds of rows a month for a province), so rows are read in Python after ``prepare_csv`` has
dealt with the encoding, the Unicode form and the header. The petitioner's name, phone, e-mail and the free-text
content are never kept: not in the rows, not in a reason, not as an offending value. Each row's deadline
(``due_at``) is computed here from its reception date and handling, in Vietnamese working days.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from common.pii import mask_names, mask_personal_data, mask_quote
from common.units import UnitMatcher, looks_like_a_unit_name
from common.vntext import QUOTE_LIMIT, shorten
from common.workdays import add_working_days
from sources.csvfiles import FileIssue, ReadResult, csv_rows, open_csv, parse_day_first, row_reject, vocabulary_lookup
from sources.petition_format import DEADLINE_WORKING_DAYS, pakn_profile, petition_file_month
from sources.profiles import SourceProfile, readable_format
from sources.table_files import EXCEL_SUFFIXES, other_province_unit, refuse_other_province_table

END_OF_DAY = time(23, 59, 59)
# Coded column -> its code list in the profile.
_CODED = {"category": "category", "handling": "handling", "satisfaction": "rating", "repeated": "bool"}
# A coded column holds one of a few short words: a value much longer is text typed in the wrong column (the
# petitioner's name and address, the content), which masking does not clear (an address has no number's shape). A
# bad value is quoted, masked, only while it could be a mistyped word of its list: at most this many characters more
# than the list's longest word, and never more than CODED_QUOTE_LIMIT.
CODED_QUOTE_SLACK = 10
CODED_QUOTE_LIMIT = 60


@dataclass(frozen=True)
class _Format:
    """The export's columns, date formats and code lists under a profile."""

    columns: tuple
    headers: dict[str, str]
    date_formats: tuple[str, ...]
    allowed: dict[str, dict]
    lookups: dict

    @classmethod
    def of(cls, profile: SourceProfile) -> _Format:
        columns = profile.columns["petitions"]
        allowed = {name: profile.vocabulary("petitions", values) for name, values in _CODED.items()}
        return cls(
            columns,
            {c.name: c.header for c in columns},
            profile.date_formats,
            allowed,
            {name: vocabulary_lookup(words) for name, words in allowed.items()},
        )


@dataclass
class PetitionResult(ReadResult):
    month: date | None = None  # first day of the month the file name stands for; None when the file is refused


def petition_due(received: datetime, handling: str) -> datetime:
    """End of the last working day allowed: 15 working days to answer, 2 to refuse, 5 to ask for more information."""
    return datetime.combine(add_working_days(received.date(), DEADLINE_WORKING_DAYS[handling]), END_OF_DAY)


PAKN_NAME_HINT = (
    "Tệp PAKN phải là tệp .csv (UTF-8) hoặc bảng tính Excel có tháng và năm trong tên, ví dụ pakn_202601.csv hoặc "
    "pakn_01_2026.xlsx"
)


def _name_refusal(path: Path, month: date | None) -> FileIssue | None:
    """Why a file of the PAKN folder is not read, from its name alone (None: it is read). A workbook (.xlsx, .xls,
    .ods, an HTML table saved as .xls) is read through its table (``workbook_export``)."""
    if path.suffix.lower() not in (".csv", *EXCEL_SUFFIXES):
        return FileIssue(
            "wrong_file_kind",
            f"Tệp '{path.name}' không phải tệp .csv: không đọc được. {PAKN_NAME_HINT} (mở bằng Excel, chọn Lưu thành "
            "kiểu 'CSV UTF-8 (Comma delimited)'); đã bỏ qua tệp này.",
        )
    if month is None:
        return FileIssue(
            "file_name",
            f"Tên tệp '{path.name}' không cho biết tháng tiếp nhận: không biết các PAKN thuộc tháng nào. {PAKN_NAME_HINT}; "
            "đã bỏ qua tệp này, đề nghị đặt lại tên tệp.",
        )
    return None


def read_petitions(
    path: Path, matcher: UnitMatcher, work_dir: Path, profile: SourceProfile | None = None, *, today: date | None = None
) -> PetitionResult:
    """Read one monthly export under the PAKN system's profile (default: the one in use). The month comes from the
    name (``petition_file_month``: pakn_202601.csv, pakn_01_2026.csv, PAKN_T01_2026.CSV …); a file whose name gives no
    month (``file_name``) or that is not a .csv (``wrong_file_kind``) is refused unread, saying how to name it.
    ``today`` (the day the file is read, by the clock; None: no check): a reception or completion after it is a typing
    slip (2062 for 2026) and rejects the row (``future_date:<column>``); left in, it made the petition late."""
    fmt = _Format.of(profile or pakn_profile())
    month = petition_file_month(path.name)
    refusal = _name_refusal(path, month)
    if refusal is not None:
        raw = path.read_bytes()
        return PetitionResult(
            file_issues=[refusal],
            sha256=hashlib.sha256(raw).hexdigest(),
            size_bytes=len(raw),
            encoding=path.suffix.lstrip(".").lower(),
            month=month,  # (a month's file of another kind is that month's refusal)
        )
    result, prepared = open_csv(
        path,
        fmt.columns,
        work_dir,
        "Tệp chỉ có dòng tiêu đề, không có PAKN nào.",
        PetitionResult,
        date_formats=fmt.date_formats,
        month=month,
    )
    if prepared is None:
        return result
    seen: dict[str, int] = {}
    unit_codes: dict[str, str | None] = {}
    units: list[tuple[str | None, str | None]] = []  # every row's unit as written, to tell another province's export
    for line, values in csv_rows(prepared, fmt.columns, result):
        code = values["petition_code"] or None
        unit_raw = " ".join(values["unit"].split())
        units.append((None, unit_raw or None))
        if unit_raw not in unit_codes:
            unit_codes[unit_raw] = matcher.match(unit_raw)
        unit_code = unit_codes[unit_raw]
        problems = _problems(values, unit_code, unit_raw, matcher, month, fmt, today)
        if (
            unit_code is None
            and unit_raw
            and len(unit_raw) <= QUOTE_LIMIT  # longer, it is no unit's name but text typed there
            and (other := other_province_unit(matcher, None, unit_raw)) is not None
        ):
            # another province's unit, not a unit missing from the list: the reason names the province
            other = (other[0], "Đơn vị xử lý" + other[1].removeprefix("đơn vị"), other[2])
            problems = [other if problem[0] == "unknown_unit" else problem for problem in problems]
        if code is not None and (not_code := _not_a_code(code, fmt.headers["petition_code"])) is not None:
            problems.insert(0, not_code)
            code = None
        elif code is None:
            problems.insert(0, ("missing_petition_code", "Thiếu mã PAKN.", None))
        elif code in seen:
            problems.insert(0, ("duplicate_petition", f"Mã PAKN trùng với dòng {seen[code]}; giữ dòng đầu tiên.", code))
        if problems or code is None:
            result.rejects += [
                row_reject(path, line, rule, reason, value, key=code, unit_code=unit_code, unit_name=_unit_quote(unit_raw))
                for rule, reason, value in problems
            ]
            continue
        seen[code] = line
        received = parse_day_first(values["received_at"], fmt.date_formats)
        handling = fmt.lookups["handling"](values["handling"])
        assert received is not None and handling is not None, "_problems rejects a row without them"
        result.rows.append(
            {
                "petition_code": code,
                "unit_code": unit_code,
                "received_at": received,
                "category": fmt.lookups["category"](values["category"]),
                "handling": handling,
                "due_at": petition_due(received, handling),
                "completed_at": _completed_at(values["completed_at"], fmt),
                "satisfaction": fmt.lookups["satisfaction"](values["satisfaction"]) if values["satisfaction"] else None,
                "repeated": fmt.lookups["repeated"](values["repeated"]) if values["repeated"] else None,
                "source_row": line,
            }
        )
    # An export most of whose rows are another province's units is that province's (its agencies share names with
    # ours, "Sở Y tế", and would load as ours): refused whole; a few such rows are rejected one by one above.
    refuse_other_province_table(result, matcher, units, "bản xuất PAKN", path.name)
    return result


# Two words of letters in a row: what a code never holds (as sources/tthc_dossiers.py CODE_WORDS in DuckDB's RE2).
_CODE_WORDS = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def _not_a_code(code: str, header: str) -> tuple[str, str, None] | None:
    """The problem of a petition code that is something else typed there, never quoted nor kept as the row's key
    (None: it may be a code). Every code carries digits: one without any is often the petitioner's name; a phone or
    ID number (the petitioner's, from the next columns) has digits but is no code either."""
    if mask_personal_data(code)[1]:
        rule, what = "personal_number_as_code", "có dạng số điện thoại, số giấy tờ hoặc email"
    elif not any(ch.isdigit() for ch in code):
        rule, what = "code_without_digit", "không có chữ số nào"
    elif mask_names(code)[1]:  # "Nguyễn Văn An 1985", "Hoàng Thị Mai 2": a name, a digit beside it
        rule, what = "name_as_code", "có họ tên người"
    elif _CODE_WORDS.search(code):  # "Số nhà 17 ngõ 45 …": words, an address or a sentence
        rule, what = "code_with_words", "có chữ viết thành câu"
    else:
        return None
    reason = (
        f"Cột '{header}': giá trị {what}, không phải mã PAKN (có thể đã nhập nhầm cột, ví dụ họ tên, số điện thoại "
        "hoặc số giấy tờ của người gửi; giá trị không được trích dẫn); đề nghị sửa rồi xuất lại dòng này."
    )
    return f"{rule}:petition_code", reason, None


def _completed_at(raw: str, fmt: _Format) -> datetime | None:
    """The completion of a petition; a date written without a time ("05/01/2026") is the end of that day, as a
    deadline is: read as 00:00 it came before a reception the same morning and the petition was rejected."""
    if not raw:
        return None
    found = parse_day_first(raw, fmt.date_formats)
    if found is not None and ":" not in raw and found.time() == datetime.min.time():
        return found.replace(hour=23, minute=59, second=59)
    return found


def _shown(text: str) -> str:
    """A cell as a reject quotes it: masked (before it is cut, so no half of a number is left unmasked) and shortened
    (a 200 kB cell pasted into a column was quoted whole in the reason and the value)."""
    return shorten(mask_quote(text))


def _unit_quote(raw: str) -> str | None:
    """What a reject quotes of the unit column: the value masked and shortened when it begins as a unit's name does,
    else nothing ("Lê Hoa", "nguyễn văn bình", "Tổ 3 phường …, nhà ông Bình": a citizen typed there, whom masking
    cannot always tell from other words)."""
    return (_shown(raw) or None) if raw and looks_like_a_unit_name(raw) else None


def _coded_quote(raw: str, allowed: dict) -> str | None:
    """What a reject quotes of a coded column's bad value: the value with personal data masked, or None (not quoted)
    when, masked, it is longer than a mistyped word of the ``allowed`` list could be."""
    shown = mask_quote(raw) or ""  # not shortened: a longer value than the limit below is not quoted at all
    longest = max((len(word) for word in allowed), default=0)
    return shown if len(shown) <= min(longest + CODED_QUOTE_SLACK, CODED_QUOTE_LIMIT) else None


def _problems(
    values: dict[str, str],
    unit_code: str | None,
    unit_raw: str,
    matcher: UnitMatcher,
    month: date | None,
    fmt: _Format,
    today: date | None,
) -> list[tuple[str, str, str | None]]:
    """(rule, Vietnamese reason, offending value) of every broken rule; only non-personal columns are quoted."""
    problems: list[tuple[str, str, str | None]] = []
    if unit_code is None:
        if not unit_raw:
            problems.append(("unknown_unit", "Thiếu đơn vị xử lý.", None))
        else:
            hint = matcher.suggest(unit_raw)
            shown = _unit_quote(unit_raw)
            reason = "Đơn vị xử lý không có trong danh mục đơn vị" + (
                f": '{shown}'"
                if shown is not None
                else f" (giá trị {len(unit_raw)} ký tự không giống tên một đơn vị, không trích dẫn: có thể là tên hoặc "
                "địa chỉ của người gửi nhập nhầm cột)"
            )
            problems.append(("unknown_unit", reason + (f"; có phải '{hint}'?" if hint else "."), shown))
    dates: dict[str, datetime | None] = {}
    for name in ("received_at", "completed_at"):
        raw = values[name]
        dates[name] = (
            (_completed_at(raw, fmt) if name == "completed_at" else parse_day_first(raw, fmt.date_formats)) if raw else None
        )
        if dates[name] is None and (raw or name == "received_at"):
            cell, shown_format = _shown(raw), readable_format(fmt.date_formats[-1])
            reason = f"Cột '{fmt.headers[name]}': ngày giờ không đúng định dạng {shown_format}: '{cell}'."
            problems.append((f"bad_date:{name}", reason, cell))
        elif (at := dates[name]) is not None and today is not None and at.date() > today:
            reason = (
                f"Cột '{fmt.headers[name]}': ngày {at:%d/%m/%Y} sau ngày đọc tệp {today:%d/%m/%Y}: có thể gõ nhầm ngày, "
                "tháng hoặc năm. Đề nghị sửa trên hệ thống rồi xuất lại."
            )
            problems.append((f"future_date:{name}", reason, raw))
    for name in ("category", "handling", "satisfaction", "repeated"):
        raw = values[name]
        if (raw or name in ("category", "handling")) and fmt.lookups[name](raw) is None:
            reason = f"Cột '{fmt.headers[name]}': giá trị không hợp lệ (cho phép: {', '.join(fmt.allowed[name])})"
            quoted = _coded_quote(raw, fmt.allowed[name])
            if quoted is None:
                reason += (
                    f": giá trị dài {len(raw)} ký tự, không phải một giá trị của danh mục (không trích dẫn: có thể là "
                    "nội dung hoặc thông tin của người gửi nhập nhầm cột)."
                )
            else:
                reason += f": '{quoted}'."
            problems.append((f"bad_value:{name}", reason, quoted))
    received, completed = dates["received_at"], dates["completed_at"]
    if received and completed and completed < received:
        reason = f"Ngày hoàn thành ({completed:%d/%m/%Y %H:%M}) trước ngày tiếp nhận ({received:%d/%m/%Y %H:%M})."
        problems.append(("completed_before_received", reason, f"{completed:%d/%m/%Y %H:%M:%S}"))
    if received and month and (received.year, received.month) != (month.year, month.month):
        reason = (
            f"Ngày tiếp nhận {received:%d/%m/%Y} không thuộc tháng {month:%m/%Y} của tệp; "
            "PAKN phải nằm trong tệp của tháng tiếp nhận."
        )
        problems.append(("received_outside_month", reason, values["received_at"]))
    return problems
