"""The procedure catalogue (danh mục TTHC): small, so read row by row in Python.

The owning agency ("Cơ quan chủ quản") is matched to a unit code like any unit name: a provincial procedure
needs a provincial agency; a commune-level one has the generic "UBND cấp xã" (or nothing) and no single owner.
A name that matches no unit rejects the row with the closest official name as a suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.units import AGENCY, UnitMatcher
from common.vntext import match_key, nfc
from sources.csvfiles import INVISIBLE, FileIssue, iter_records, unique_records, vocabulary_lookup
from sources.intake import latest_delivery, name_copies
from sources.profiles import SourceProfile, profile_hint
from sources.table_files import EXCEL_SUFFIXES, prepare_export
from sources.tthc_format import CATALOGUE_FILE_NAME, COMMUNE_OWNER, TTHC_CODES, TTHC_FIELDS, tthc_profile


@dataclass
class CatalogueResult:
    rows: list[dict] = field(default_factory=list)
    # file_name, row_number, record_key, unit_name (always None: owner problems are non-blocking file issues), rule, reason, value
    rejects: list[dict] = field(default_factory=list)
    file_issues: list[FileIssue] = field(default_factory=list)
    sha256: str = ""
    loadable: bool = False
    truncated: bool = False
    deferred: bool = False
    gone: bool = False  # no catalogue in the inbox

    @property
    def unusable(self) -> str | None:
        """Why this catalogue cannot be master data (Vietnamese), or None: it would make every dossier an unknown
        procedure, so it never replaces a good one."""
        if self.gone:
            return "không có tệp danh mục trong hộp thư (đã bị xóa, đổi tên hoặc chuyển đi)"
        if self.deferred:
            return "tệp đang được chép, để lại cho lần chạy sau"
        if not self.loadable:
            return next((i.reason for i in self.file_issues if i.blocking), "không đọc được tệp").rstrip(".")
        damaged = next((i.reason for i in self.file_issues if i.rule in (LOSSY_RULE, CODES_AS_NUMBERS_RULE)), None)
        if damaged:
            return damaged.rstrip(".")
        if not self.rows:
            return "không có thủ tục nào dùng được (rỗng, chỉ có dòng tiêu đề, hoặc mọi dòng đều lỗi)"
        if self.truncated:
            return "tệp bị cắt cụt (dòng cuối không trọn vẹn)"
        return None


LOSSY_RULE = "lossy_encoding"
# A question mark or U+FFFD inside a word: the letter with diacritics was lost when the file was saved in a code page
# without Vietnamese ("Ch?ng th?c b?n sao"). A few such names make the whole file suspect.
_LOST_LETTER = re.compile(r"[^\W\d_][?\ufffd]|[?\ufffd][^\W\d_]")
LOSSY_SHARE = 0.05
CODES_AS_NUMBERS_RULE = "codes_as_numbers"
# National procedure codes are a digit, a dot and six digits ("1.000100"). Opened and saved in Excel they become
# numbers: the zeros at the end are dropped ("1.0001", "2.0001", "1"), and every dossier of such a procedure would be
# refused as unknown. A catalogue whose codes mostly have the national shape while some read as shortened numbers was
# damaged so, and is not used (another system's codes, of another shape, are left alone).
_NATIONAL_CODE = re.compile(r"\d\.\d{6}")
# Shortened ("1.0001", "1"), with a decimal comma as a Vietnamese Excel writes it ("1,0001"), or with its dot read as
# a thousands separator and dropped ("1000046" for 1.000046: the six digits of a national code begin with 0).
_SHORTENED_CODE = re.compile(r"\d([.,]\d{0,5})?")
_DOT_LOST = re.compile(r"[1-3]0\d{5}")


def _codes_as_numbers(codes: list[tuple[int, str]]) -> FileIssue | None:
    """The refusal of a catalogue whose codes Excel turned into numbers (see _NATIONAL_CODE), or None."""
    national = sum(1 for _, code in codes if _NATIONAL_CODE.fullmatch(code))
    dot_lost = sum(1 for _, code in codes if _DOT_LOST.fullmatch(code))
    shortened = [(line, code) for line, code in codes if _SHORTENED_CODE.fullmatch(code) or _DOT_LOST.fullmatch(code)]
    if not shortened or (national < len(codes) / 2 and dot_lost < len(codes) / 2):
        return None
    examples = ", ".join(f"dòng {line}: '{code}'" for line, code in shortened[:5])
    return FileIssue(
        CODES_AS_NUMBERS_RULE,
        f"{len(shortened)} mã thủ tục bị đổi thành số, mất các số 0 ở cuối ({examples}; mã đúng có dạng '1.000100'): tệp đã "
        "được mở và lưu bằng Excel. Xuất lại danh mục từ hệ thống, không mở bằng Excel (hoặc định dạng cột mã là Text).",
    )


def _owner(raw: str, authority: str | None, matcher: UnitMatcher) -> tuple[str | None, tuple[str, str, str] | None]:
    """(owner unit code, problem) of the "Cơ quan chủ quản" cell."""
    if not raw.strip():
        return None, None
    if match_key(raw) == match_key(COMMUNE_OWNER):
        if authority == "province":
            return None, (
                "bad_value:owner_unit",
                f"Thủ tục cấp tỉnh nhưng cơ quan chủ quản là '{raw}'; cần ghi tên cơ quan cấp tỉnh.",
                raw,
            )
        return None, None
    code = matcher.match(raw)
    if code is None:
        hint = matcher.suggest(raw)
        return None, (
            "unknown_unit",
            f"Cơ quan chủ quản không có trong danh mục đơn vị: '{raw}'" + (f"; có phải '{hint}'?" if hint else "."),
            raw,
        )
    if authority == "province" and matcher.units[code].group != AGENCY:
        return None, (
            "bad_value:owner_unit",
            f"Thủ tục cấp tỉnh nhưng cơ quan chủ quản '{raw}' là xã/phường, không phải cơ quan cấp tỉnh.",
            raw,
        )
    return code, None


Problem = tuple[str, str, str]  # (rule, reason, value as written)


def _key_problems(short: bool, long: bool, code: str, seen: Mapping[str, int]) -> list[Problem]:
    """Why a record has no usable procedure code: too few or too many fields (a comma in a value not put in quotes:
    the values after it are not where their columns are), no code, or a code already read."""
    if short:
        return [("malformed_line", "Dòng thiếu cột.", "")]
    if long:
        return [("malformed_line", "Dòng thừa cột (dấu phẩy trong giá trị không được đặt trong ngoặc kép).", "")]
    if not code:
        return [("missing_procedure_code", "Thiếu mã TTHC.", "")]
    if code in seen:
        return [("duplicate_procedure", f"Mã TTHC trùng với dòng {seen[code]}.", code)]
    return []


def _coded_problems(values: Mapping[str, str], authority: object, online: object, fee: object) -> list[Problem]:
    """The coded columns a procedure needs (authority level, online level, fee) that are not in their vocabulary."""
    problems: list[Problem] = []
    if authority is None:
        problems.append(
            (
                "bad_value:authority_level",
                f"Cấp thực hiện không hợp lệ: '{values['authority_level']}'.",
                values["authority_level"],
            )
        )
    if online is None:
        problems.append(
            ("bad_value:online_level", f"Mức độ DVCTT không hợp lệ: '{values['online_level']}'.", values["online_level"])
        )
    if fee is None:
        problems.append(
            ("bad_value:fee_bearing", f"Cột 'Có phí, lệ phí' không hợp lệ: '{values['fee_bearing']}'.", values["fee_bearing"])
        )
    return problems


def catalogue_file(folder: Path) -> Path:
    """The catalogue in ``folder`` whatever the letter case of its name (DANH_MUC_TTHC.CSV, as Windows keeps it) or as a
    copy ("danh_muc_tthc (1).csv", a browser's second download): the standard spelling, unless a different file of
    the name arrived later (``latest_delivery``); without a CSV, the catalogue saved as a workbook (danh_muc_tthc.xlsx,
    .xls, .ods: read through its table); the standard path when there is none (then reported missing). The others
    are named by ``other_catalogue_files``."""
    csvs, books = _catalogue_files(folder)
    return latest_delivery(csvs or books, CATALOGUE_FILE_NAME) or folder / CATALOGUE_FILE_NAME


def other_catalogue_files(folder: Path, read: Path) -> FileIssue | None:
    """A note naming the files of the catalogue's name in ``folder`` that were not read (``catalogue_file``), if any."""
    csvs, books = _catalogue_files(folder)
    others = [p for p in [*csvs, *books] if p != read]
    if not others:
        return None
    names = ", ".join(f"'{p.name}'" for p in others)
    return FileIssue(
        "same_name_other_case",
        f"Còn có tệp {names} cùng tên danh mục TTHC (tên khác chữ hoa/thường, bản tải về lần nữa hoặc bảng tính): chỉ "
        f"nạp tệp '{read.name}' (tệp CSV gửi sau cùng; bản giống hệt không thay tệp tên chuẩn); đề nghị xóa tệp thừa.",
        blocking=False,
    )


def _catalogue_files(folder: Path) -> tuple[list[Path], list[Path]]:
    stem = Path(CATALOGUE_FILE_NAME).stem
    named = name_copies(folder, stem)
    csvs = [p for p in named if p.suffix.lower() == ".csv"]
    return csvs, [p for p in named if p.suffix.lower() in EXCEL_SUFFIXES]


def read_catalogue(path: Path, work_dir: Path, *, matcher: UnitMatcher, profile: SourceProfile | None = None) -> CatalogueResult:
    """Read the catalogue under the TTHC system's profile (default: the one in use)."""
    profile = profile or tthc_profile()
    columns = profile.columns["catalogue"]
    authority_of, online_of, yes_no = (
        vocabulary_lookup(profile.vocabulary("catalogue", v)) for v in ("authority_level", "online_level", "bool")
    )
    prepared = prepare_export(path, columns, profile.date_formats, work_dir, "danh mục TTHC")
    prepared.hint_other_format(lambda headers: profile_hint("tthc", TTHC_FIELDS, TTHC_CODES, "catalogue", headers, profile.name))
    result = CatalogueResult(
        file_issues=list(prepared.issues),
        sha256=prepared.sha256,
        loadable=prepared.loadable,
        truncated=prepared.truncated,
        deferred=prepared.deferred,
    )
    if not prepared.loadable:
        return result
    seen: dict[str, int] = {}
    lost: list[tuple[int, str]] = []  # lines whose text lost its diacritics, whatever else is wrong with them
    records = 0
    codes: list[tuple[int, str]] = []
    for line, fields in unique_records(iter_records(prepared), result.file_issues):
        values = dict(zip([c.name for c in columns], (nfc(f.translate(INVISIBLE)) for f in fields), strict=False))
        records += 1
        if _LOST_LETTER.search(" ".join(values.values())):
            lost.append((line, values.get("procedure_name") or " ".join(values.values())))
        code = values.get("procedure_code", "")
        codes.append((line, code.strip()))
        authority = authority_of(values.get("authority_level", ""))
        online = online_of(values.get("online_level", ""))
        fee = yes_no(values.get("fee_bearing", ""))
        problems = _key_problems(len(fields) < len(columns), len(fields) > len(columns), code, seen) or _coded_problems(
            values, authority, online, fee
        )
        if problems:
            result.rejects += [
                {
                    "file_name": path.name,
                    "row_number": line,
                    "record_key": code or None,
                    "unit_name": None,
                    "rule": r,
                    "reason": m,
                    "value": v,
                }
                for r, m, v in problems
            ]
            continue
        # The owner and the payment flag only feed indicators: a bad value leaves them unknown (NULL) and is
        # reported, but the procedure itself loads, so its dossiers are not rejected as unknown procedures.
        paid_raw = values.get("payment_integrated", "")
        payment = yes_no(paid_raw) if paid_raw.strip() else None
        soft = []
        if paid_raw.strip() and payment is None:
            soft.append(
                ("bad_value:payment_integrated", f"Cột 'Tích hợp thanh toán trực tuyến' không hợp lệ: '{paid_raw}'.", paid_raw)
            )
        owner, problem = _owner(values.get("owner_unit", ""), authority, matcher)
        if problem:
            soft.append(problem)
        result.file_issues += [
            FileIssue(rule, f"Dòng {line} (mã {code}): {reason} Giá trị để trống (chưa rõ).", blocking=False)
            for rule, reason, _ in soft
        ]
        seen[code] = line
        result.rows.append(
            {
                "procedure_code": code,
                "procedure_name": values["procedure_name"],
                "field": values["field"],
                "authority_level": authority,
                "online_level": online,
                "fee_bearing": fee,
                "owner_unit_code": owner,
                "payment_integrated": payment,
                "source_row": line,
            }
        )
    damaged = _codes_as_numbers(codes)
    if damaged is not None:
        result.file_issues.append(damaged)
    if lost and len(lost) >= LOSSY_SHARE * records:
        line, text = lost[0]
        result.file_issues.append(
            FileIssue(
                LOSSY_RULE,
                (
                    f"Chữ tiếng Việt bị mất dấu ở {len(lost)}/{records} dòng (ví dụ dòng {line}: '{text[:60]}'): tệp đã được lưu "
                    "bằng bảng mã không có tiếng Việt; xuất lại dạng CSV UTF-8."
                ),
            )
        )
    return result
