"""Read the procedure publication register (``tthc/cong_bo_tthc.csv``) into typed rows, rejects and file issues
(no Dagster here). The file is small (a few hundred rows a year), so rows are read in Python after ``prepare_csv``.

A decision dated after the legal basis takes effect is a late publication, not an error: it loads and counts as
not on time. Errors are what cannot be counted: unknown procedure, unreadable date, a procedure made public before
its decision, a part that is neither "Có" nor "Không", the same procedure twice in one decision.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from common.pii import mask_names, mask_personal_data
from common.vntext import match_key, nfc
from sources.csvfiles import ReadResult, csv_rows, open_csv, parse_day_first, row_reject, vocabulary_lookup
from sources.intake import latest_delivery, name_copies
from sources.profiles import SourceProfile, readable_format
from sources.publication_format import PART_NAMES, PUBLICATION_FILE_NAME, publication_profile


class PublicationResult(ReadResult):
    """Rows of the register; rejects keyed by decision number or procedure code."""


@dataclass(frozen=True)
class RegisterFiles:
    """The register files of an inbox folder: the one read, same names in other letter case (not read), and files of
    the register's name in another kind (``cong_bo_tthc.xlsx``: refused with a reason)."""

    path: Path | None
    others: tuple[Path, ...] = ()
    wrong_kind: tuple[Path, ...] = ()


WRONG_KIND_REASON = (
    "Sổ công bố TTHC phải là tệp CSV ({expected}), không phải tệp {suffix}: mở bằng Excel rồi lưu dạng "
    "'CSV UTF-8 (Comma delimited)' với tên {expected} và gửi lại; tệp này không được nạp."
)


def register_files(folder: Path) -> RegisterFiles:
    """The register whatever the letter case of its name (CONG_BO_TTHC.CSV, as Windows keeps it) or as a copy (a
    browser's second download, "cong_bo_tthc (1).csv"): the standard spelling is read unless a different file of the
    name arrived later (``latest_delivery``); the other CSVs and the other kinds of the name are named."""
    stem, suffix = PUBLICATION_FILE_NAME.rsplit(".", 1)
    named = name_copies(folder, stem)
    csvs = [p for p in named if p.suffix.lower() == f".{suffix}"]
    chosen = latest_delivery(csvs, PUBLICATION_FILE_NAME)
    wrong = tuple(p for p in named if p.suffix.lower() != f".{suffix}")
    return RegisterFiles(chosen, tuple(p for p in csvs if p != chosen), wrong)


Problem = tuple[str, str, str | None]  # (rule, reason, value as written)

_NUMBER_WORD = re.compile(r"^\s*s[ốôo]\s*[.:]?\s*(?=\d)", re.IGNORECASE)


def decision_key(number: str) -> str:
    """One key for the spellings of a decision number: case, diacritics, spacing and punctuation ignored, a leading
    'Số' dropped ('Số 60 /qd-ubnd' and '60/QĐ-UBND' -> '60qdubnd')."""
    return match_key(_NUMBER_WORD.sub("", nfc(number)))


_NOT_A_NUMBER_REASON = (
    "Cột số quyết định: giá trị không phải số quyết định (có thể đã nhập nhầm họ tên, số điện thoại hoặc số giấy tờ "
    "của một người; giá trị không được trích dẫn); đề nghị ghi số quyết định, ví dụ 126/QĐ-UBND."
)


def _not_a_decision_number(number: str) -> str | None:
    """The rule a decision number cell breaks when it holds something else (a citizen's name, phone or ID number, a
    text without a digit), never quoted nor kept as the row's key; None when it may be a number ("126/QĐ-UBND",
    "Quyết định số 126/QĐ-UBND")."""
    if mask_personal_data(number)[1]:
        return "personal_number_as_code"
    if mask_names(number)[1]:
        return "name_as_code"
    if not any(ch.isdigit() for ch in number):
        return "code_without_digit"
    return None


def _key_problems(
    number: str, not_a_number: str | None, code: str, known: set[str], seen: Mapping[tuple[str, str], int]
) -> list[Problem]:
    """A missing decision number or one that is something else (``not_a_number``: ``_not_a_decision_number``); a
    procedure code missing, not in the catalogue, or already published by the decision (`seen` is keyed by
    ``decision_key``, so another spelling of the same number is the same decision)."""
    problems: list[Problem] = []
    if not number:
        problems.append(("missing_decision_number", "Thiếu số quyết định công bố.", None))
    elif not_a_number:
        problems.append((f"{not_a_number}:decision_number", _NOT_A_NUMBER_REASON, None))
    if not code:
        problems.append(("unknown_procedure", "Thiếu mã TTHC.", None))
    elif code not in known:
        problems.append(("unknown_procedure", f"Mã TTHC không có trong danh mục thủ tục: '{code}'.", code))
    elif number and (decision_key(number), code) in seen:
        line = seen[(decision_key(number), code)]
        problems.append(("duplicate_publication", f"Thủ tục {code} đã có trong quyết định {number} ở dòng {line}.", code))
    return problems


# No decision, legal basis or publication of a procedure in force is dated before this (the regime of administrative
# procedures dates from 2008-2010; an older date is a typing slip, '0206' for 2026, or Excel's zero date 1900).
EARLIEST_DATE = date(1990, 1, 1)


def _read_dates(
    values: Mapping[str, str],
    formats: tuple[str, ...],
    headers: Mapping[str, str],
    problems: list[Problem],
    today: date | None,
) -> dict[str, date | None]:
    """The decision, legal effect and publication dates of a row; a problem for each unreadable one (the publication
    date may be blank), for a date before EARLIEST_DATE (``bad_date:<column>``: '15/01/0206', Excel's 1900 for an
    empty date cell), and for a decision or publication after ``today`` (``future_date:<column>``: a typing slip,
    2062 for 2026, made a procedure published late). The legal basis may take effect later: it is not checked."""
    dates: dict[str, date | None] = {}
    for name in ("decision_date", "legal_effective_date", "made_public_date"):
        raw = values[name]
        parsed = parse_day_first(raw, formats) if raw else None
        dates[name] = parsed.date() if parsed else None
        if parsed is None and (raw or name != "made_public_date"):
            reason = f"Cột '{headers[name]}': ngày không đúng định dạng {readable_format(formats[0])}: '{raw}'."
            problems.append((f"bad_date:{name}", reason, raw))
        elif parsed is not None and parsed.date() < EARLIEST_DATE:
            reason = (
                f"Cột '{headers[name]}': ngày {parsed.day:02d}/{parsed.month:02d}/{parsed.year:04d} trước năm "
                f"{EARLIEST_DATE.year}, không thể là ngày của một quyết định công bố TTHC: có thể gõ nhầm năm."
            )
            problems.append((f"bad_date:{name}", reason, raw))
            dates[name] = None
        elif parsed is not None and today is not None and name != "legal_effective_date" and parsed.date() > today:
            reason = (
                f"Cột '{headers[name]}': ngày {parsed:%d/%m/%Y} sau ngày đọc tệp {today:%d/%m/%Y}: có thể gõ nhầm ngày, "
                "tháng hoặc năm."
            )
            problems.append((f"future_date:{name}", reason, raw))
    return dates


def read_publication(
    path: Path,
    work_dir: Path,
    known_procedures: Collection[str],
    profile: SourceProfile | None = None,
    *,
    today: date | None = None,
) -> PublicationResult:
    """`known_procedures`: the procedure codes of the catalogue (dim_procedure); other codes are rejected. Read under
    the register's profile (default: the one in use). ``today``: the day the file is read (by the clock; None: no
    check), after which no decision or publication can be dated."""
    profile = profile or publication_profile()
    columns = profile.columns["register"]
    headers = {c.name: c.header for c in columns}
    parts_of = [c for c in columns if c.name in PART_NAMES]
    yes_no = vocabulary_lookup(profile.vocabulary("register", "bool"))
    yes_no_words = ", ".join(profile.vocabulary("register", "bool"))
    result, prepared = open_csv(
        path, columns, work_dir, "Tệp chỉ có dòng tiêu đề, không có thủ tục nào được công bố.", PublicationResult
    )
    if prepared is None:
        return result
    known = set(known_procedures)
    seen: dict[tuple[str, str], int] = {}
    spelling: dict[str, str] = {}  # decision key -> the first spelling loaded, used for every row of the decision
    for line, values in csv_rows(prepared, columns, result):
        number, code = values["decision_number"], values["procedure_code"]
        # A cell that is no decision number (a name, a phone number) is never part of the reject's key.
        not_a_number = _not_a_decision_number(number) if number else None
        key = f"{'?' if not_a_number else number} | {code}" if number or code else None
        problems = _key_problems(number, not_a_number, code, known, seen)
        dates = _read_dates(values, profile.date_formats, headers, problems, today)
        decided, public = dates["decision_date"], dates["made_public_date"]
        if decided and public and public < decided:
            reason = f"Ngày công khai trên CSDLQG ({public:%d/%m/%Y}) trước ngày quyết định công bố ({decided:%d/%m/%Y})."
            problems.append(("public_before_decision", reason, f"{public:%d/%m/%Y}"))
        parts: dict[str, bool | None] = {}
        for part in parts_of:
            parts[part.name] = yes_no(values[part.name])
            if parts[part.name] is None:
                reason = f"Cột '{part.header}': giá trị không hợp lệ (cho phép: {yes_no_words}): '{values[part.name]}'."
                problems.append((f"bad_value:{part.name}", reason, values[part.name]))
        if problems:
            result.rejects += [row_reject(path, line, rule, reason, value, key=key) for rule, reason, value in problems]
            continue
        seen[(decision_key(number), code)] = line
        number = spelling.setdefault(decision_key(number), number)
        missing = [part.header for part in parts_of if not parts[part.name]]
        result.rows.append(
            {
                "decision_number": number,
                "decision_date": decided,
                "procedure_code": code,
                "legal_effective_date": dates["legal_effective_date"],
                "made_public_date": public,
                "parts_complete": len(parts_of) - len(missing),
                "missing_parts": "; ".join(missing) or None,
                "source_row": line,
            }
        )
    return result
