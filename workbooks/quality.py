"""The data-quality workbook: what was rejected, for which unit, why, and how the unit fixes it.

Sheets: "Tổng hợp" (one row per unit with rejected rows), "Chi tiết" (every rejected row), "Lỗi tệp" (files that
could not be loaded), "Cảnh báo" (findings of the quality checks) and "Hướng dẫn". Units follow the order of the
master data (provincial agencies, the department's offices, then communes and wards, each in Vietnamese alphabetical
order); rows whose unit is in neither the units nor the offices come last, under "(Không xác định đơn vị)", with the
name as written in the source.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from common.units import AGENCY, GROUP_LABELS, OFFICE, Unit
from common.vntext import count_text, nfc, sort_key
from workbooks.excel import (
    Column,
    add_bar_chart,
    add_color_scale,
    generated_label,
    new_workbook,
    save_workbook,
    write_table,
    write_text_sheet,
)

TITLE = "BÁO CÁO CHẤT LƯỢNG DỮ LIỆU"
SHEET_SUMMARY, SHEET_DETAIL, SHEET_FILES, SHEET_FINDINGS, SHEET_GUIDE = (
    "Tổng hợp",
    "Chi tiết",
    "Lỗi tệp",
    "Cảnh báo",
    "Hướng dẫn",
)
UNKNOWN_UNIT = "(Không xác định đơn vị)"
BLANK_NAME = "(để trống)"  # an unknown unit whose name cell was empty in the source
NO_UNIT = "(Toàn hệ thống)"  # a finding about the whole export, e.g. a day with no file
NO_ERRORS = "Không có lỗi"
TOP_REASONS = 3
MAX_DETAIL_ROWS = 100_000  # beyond this a sheet is unreadable anyway and openpyxl gets slow
# What a rejected row is, in words: record_key holds a dossier code, a petition code, a task number, a criterion code
# or an internal 'unit|component' key depending on the source, never to be shown as it is under 'Mã hồ sơ'.
RECORD_HEADER = "Hồ sơ, nhiệm vụ hoặc tiêu chí"
_RECORD_WORDS = {
    "tthc_dossier": "Hồ sơ",
    "tthc_catalogue": "Thủ tục",
    "tthc_publication": "Thủ tục",
    "pakn": "Phản ánh, kiến nghị",
    "plan_register": "Nhiệm vụ số",
    "task_report": "Nhiệm vụ số",
}

SUMMARY_COLUMNS = (
    Column("STT", "stt", 6, align="center"),
    Column("Đơn vị", "unit", 38),
    Column("Nhóm", "group", 22),
    Column("Số dòng bị loại", "rejected", 12, "#,##0"),
    Column("Số tệp có dòng bị loại", "files", 12, "#,##0"),
    Column("Tỷ lệ trong tổng số dòng bị loại", "share", 14, "0.0%"),
    Column("Lý do thường gặp (số dòng)", "reasons", 60),
)
DETAIL_COLUMNS = (
    Column("STT", "stt", 7, align="center"),
    Column("Đơn vị", "unit", 32),
    Column("Nhóm", "group", 18),
    Column("Tệp dữ liệu", "file_name", 24),
    Column("Dòng trong tệp", "row_number", 9, "#,##0"),
    Column("Ngày dữ liệu", "partition_date", 12, "dd/mm/yyyy", align="center"),
    Column(RECORD_HEADER, "record", 22),
    Column("Lý do bị loại", "reason", 45),
    Column("Giá trị trong tệp", "value", 24),
    Column("Loại lỗi", "rule", 24),
)
FILE_COLUMNS = (
    Column("STT", "stt", 6, align="center"),
    Column("Nguồn dữ liệu", "source", 16),
    Column("Tệp dữ liệu", "file_name", 28),
    Column("Ngày dữ liệu", "partition_date", 12, "dd/mm/yyyy", align="center"),
    Column("Tệp có được nạp?", "outcome", 22),
    Column("Lý do", "reason", 70),
)
# A file issue either refused the whole file (blocking) or is a note on a file that was loaded (a converted
# encoding, a renamed column, a superseded form): officials must tell the two apart at a glance.
FILE_REFUSED, FILE_LOADED_WITH_NOTE = "Không nạp: sửa và gửi lại", "Đã nạp (ghi chú)"
FINDING_COLUMNS = (
    Column("STT", "stt", 6, align="center"),
    Column("Đơn vị", "unit", 36),
    Column("Nhóm", "group", 22),
    Column("Nội dung cảnh báo", "detail", 70),
    Column("Loại cảnh báo", "check", 20),
)

GUIDE: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Báo cáo này dùng để làm gì",
        (
            (
                "Báo cáo liệt kê dữ liệu không nạp được vào kho dữ liệu vì không đạt kiểm tra. Dòng bị loại không được "
                "tính vào chỉ số của đơn vị cho đến khi được sửa và gửi lại."
            ),
        ),
    ),
    (
        "Các trang tính",
        (
            "Tổng hợp: số dòng bị loại của từng đơn vị và các lý do thường gặp.",
            (
                "Chi tiết: từng dòng bị loại, gồm tệp, số thứ tự dòng trong tệp, hồ sơ (hoặc nhiệm vụ, tiêu chí) bị "
                "loại, lý do và giá trị sai. "
                'Dùng bộ lọc ở cột "Đơn vị" để xem riêng dữ liệu của đơn vị mình.'
            ),
            (
                f'Lỗi tệp: mỗi dòng là một tệp. "{FILE_REFUSED}": tệp không đọc được hoặc sai mẫu, toàn bộ tệp chưa '
                f'được nạp. "{FILE_LOADED_WITH_NOTE}": tệp vẫn được nạp, chỉ ghi nhận để đơn vị biết (đã đổi bảng mã, '
                "tên cột khác mẫu, phiếu đã được thay bằng phiếu gửi sau...)."
            ),
            (
                "Cảnh báo: dấu hiệu cần kiểm tra (ngày không có tệp, đơn vị nhiều ngày không phát sinh hồ sơ...); "
                "dữ liệu vẫn được nạp."
            ),
        ),
    ),
    (
        "Cách sửa và gửi lại dữ liệu",
        (
            (f'1. Tìm hồ sơ, nhiệm vụ hoặc tiêu chí ở cột "{RECORD_HEADER}" và đọc "Lý do bị loại" cùng "Giá trị trong tệp".'),
            (
                "2. Sửa thông tin ngay trên hệ thống nguồn (Hệ thống thông tin giải quyết thủ tục hành chính), "
                "không sửa tay trong tệp xuất."
            ),
            (
                "3. Sau khi sửa, hồ sơ được xuất lại trong tệp của ngày cập nhật và được nạp tự động ở lần chạy kế tiếp; "
                "đơn vị không phải gửi riêng."
            ),
            (
                '4. Với lỗi ở trang "Lỗi tệp": xuất lại tệp của đúng ngày đó, giữ nguyên tên tệp và mẫu cột, rồi đặt vào '
                "thư mục tiếp nhận; hệ thống sẽ xử lý lại ngày đó."
            ),
            (
                f'5. Dòng thuộc nhóm "{UNKNOWN_UNIT}": tên cơ quan, đơn vị ghi trong tệp không khớp danh mục. Sửa tên '
                "trên hệ thống nguồn cho đúng tên chính thức, hoặc đề nghị Sở Khoa học và Công nghệ bổ sung tên gọi khác "
                "vào danh mục đơn vị."
            ),
        ),
    ),
    ("Liên hệ", ("Mọi thắc mắc về báo cáo, xin liên hệ bộ phận quản lý kho dữ liệu của Sở Khoa học và Công nghệ.",)),
)


@dataclass(frozen=True)
class _UnitLabel:
    name: str
    group: str
    order: tuple  # agencies, the department's offices, communes and wards, unknown units; Vietnamese order inside each


_GROUP_ORDER = {AGENCY: 0, OFFICE: 1}  # then communes and wards (2), then units the master data does not know (3)


def _unit_label(code: str | None, raw_name: str | None, units: dict[str, Unit]) -> _UnitLabel:
    """The unit of a row by its code among ``units``: the province's units and the department's offices (a progress
    report names an office, 19.SKHCN.CDS, as its unit)."""
    unit = units.get(code) if code else None
    if unit is not None:
        rank = _GROUP_ORDER.get(unit.group, 2)
        return _UnitLabel(unit.name, GROUP_LABELS.get(unit.group, unit.group), (rank, sort_key(unit.name)))
    # Not in the master data (no code, or a code the master data no longer has): show the name as written.
    name = nfc(raw_name) if raw_name and str(raw_name).strip() else (nfc(code) if code else BLANK_NAME)
    return _UnitLabel(name, UNKNOWN_UNIT, (3, sort_key(name)))


def _text(value: Any) -> str:
    return nfc(str(value)) if value is not None else ""


def _as_date(value: Any) -> Any:
    """Partition dates arrive as date, datetime or 'YYYY-MM-DD'; Excel gets a real date where possible."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _row_order(value: Any) -> tuple[int, int]:
    return (0, int(value)) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else (1, 0)


_n = count_text  # (Vietnamese thousands separator: 1.234)


def _reasons(counter: Counter[str]) -> str:
    top = sorted(counter.items(), key=lambda kv: (-kv[1], sort_key(kv[0])))[:TOP_REASONS]
    text = "; ".join(f"{reason} ({_n(count)})" for reason, count in top)
    return text + ("; …" if len(counter) > TOP_REASONS else "")


def summary_rows(rejected_rows: Iterable[dict], units: Iterable[Unit]) -> tuple[list[dict], dict]:
    """Rows of the "Tổng hợp" sheet (one per unit with rejected rows, in unit order) and its total row."""
    by_code = {u.code: u for u in units}
    counts: dict[_UnitLabel, Counter[str]] = defaultdict(Counter)
    files: dict[_UnitLabel, set[str]] = defaultdict(set)
    all_reasons: Counter[str] = Counter()
    all_files: set[str] = set()
    for r in rejected_rows:
        label = _unit_label(r.get("unit_code"), r.get("unit_name"), by_code)
        # Grouped by rule: the per-row reason quotes the offending value, so its text varies row by row.
        reason = _text(r.get("rule_label")) or _text(r.get("reason"))  # rule_label: the view mart_rejected_row
        counts[label][reason] += 1
        all_reasons[reason] += 1
        file_key = f"{r.get('source')}/{r.get('file_name')}"
        files[label].add(file_key)
        all_files.add(file_key)
    grand = sum(all_reasons.values())
    rows = []
    for i, label in enumerate(sorted(counts, key=lambda lb: lb.order), start=1):
        n = sum(counts[label].values())
        rows.append(
            {
                "stt": i,
                "unit": label.name,
                "group": label.group,
                "rejected": n,
                "files": len(files[label]),
                "share": n / grand,
                "reasons": _reasons(counts[label]),
            }
        )
    total = {
        "unit": "Tổng cộng",
        "rejected": grand,
        "files": len(all_files),
        "share": 1.0 if grand else None,
        "reasons": _reasons(all_reasons),
    }
    return rows, total


def record_text(row: dict) -> str | None:
    """What the rejected row is, in words: 'Hồ sơ H55.109-260102-0462', 'Nhiệm vụ số 13', 'Tiêu chí LV1.1.1'. A row
    of an assessment names its criterion (criterion_code; a row from another system keys 'unit|component'); last
    year's DTI results key the unit's name, already in 'Đơn vị'; a key of an unknown source is shown as it is."""
    source, key = _text(row.get("source")), _text(row.get("record_key"))
    criterion = _text(row.get("criterion_code"))
    if source in _RECORD_WORDS:
        return f"{_RECORD_WORDS[source]} {key}" if key else None
    if source == "dti_previous":
        return None
    if source.startswith(("par_", "dti_")):
        code = criterion or key.rpartition("|")[2]
        return f"Tiêu chí {code}" if code else None
    return key or None


def detail_rows(rejected_rows: Iterable[dict], units: Iterable[Unit]) -> list[dict]:
    """Rows of the "Chi tiết" sheet: by unit (Vietnamese order), then file, then row number."""
    by_code = {u.code: u for u in units}
    keyed = []
    for r in rejected_rows:
        label = _unit_label(r.get("unit_code"), r.get("unit_name"), by_code)
        file_name = _text(r.get("file_name"))
        row = {
            "unit": label.name,
            "group": label.group,
            "file_name": file_name,
            "row_number": r.get("row_number"),
            "partition_date": _as_date(r.get("partition_date")),
            "record": record_text(r),
            "reason": r.get("reason"),
            "value": r.get("value"),
            "rule": _text(r.get("rule_label")) or None,  # the rule by its Vietnamese name, never its code
        }
        keyed.append(((label.order, file_name, _row_order(r.get("row_number"))), row))
    keyed.sort(key=lambda kv: kv[0])
    return [{"stt": i, **row} for i, (_, row) in enumerate(keyed, start=1)]


def _file_rows(file_issues: Iterable[dict]) -> list[dict]:
    def file_of(f: dict) -> tuple:
        return f.get("source"), f.get("file_name"), f.get("partition_date")

    def blocking(f: dict) -> bool:
        return f.get("blocking") is not False

    issues = list(file_issues)
    # A file is refused when any of its issues is blocking: its notes (a converted encoding) are about a refused file
    # too. Refused files first (what a unit must send again), each file's refusal before its notes.
    refused = {file_of(f) for f in issues if blocking(f)}
    ordered = sorted(
        issues,
        key=lambda f: (
            file_of(f) not in refused,
            str(f.get("partition_date") or ""),
            source_label(f.get("source")),
            _text(f.get("file_name")),
            not blocking(f),
        ),
    )
    return [
        {
            "stt": i,
            "source": source_label(f.get("source")),
            "file_name": _text(f.get("file_name")),
            "partition_date": _as_date(f.get("partition_date")),
            "outcome": FILE_REFUSED if file_of(f) in refused else FILE_LOADED_WITH_NOTE,
            "reason": f.get("reason"),
        }
        for i, f in enumerate(ordered, start=1)
    ]


# Officials see sources and checks by their Vietnamese names, never by the codes the warehouse keeps.
SOURCE_LABELS = {
    "tthc_dossier": "Hồ sơ TTHC",
    "tthc_catalogue": "Danh mục TTHC",
    "tthc_publication": "Công bố TTHC",
    "pakn": "Phản ánh, kiến nghị",
    "portal_qd766": "Điểm Cổng DVCQG",
    "plan_register": "Sổ kế hoạch",
    "task_report": "Báo cáo tiến độ",
    "par_form": "Phiếu tự đánh giá CCHC",
    "par_appraisal": "Thẩm định CCHC",
    "par_survey": "Điều tra xã hội học",
    "dti_form": "Phiếu tự đánh giá DTI",
    "dti_appraisal": "Thẩm định DTI",
    "dti_external": "DTI: hệ thống khác",
    "dti_previous": "DTI năm trước",
}
CHECK_LABELS = {"export_completeness": "Thiếu tệp xuất", "silent_units": "Đơn vị không có hồ sơ mới"}


def source_label(source: str | None) -> str:
    """'par_form' -> 'Phiếu tự đánh giá CCHC'; an unknown source: 'Nguồn khác'."""
    return SOURCE_LABELS.get(_text(source), "Nguồn khác") if source else ""


def _finding_rows(findings: Iterable[dict], units: dict[str, Unit]) -> list[dict]:
    keyed = []
    for f in findings:
        code, name = f.get("unit_code"), f.get("unit_name")
        if code is None and not (name and str(name).strip()):
            label = _UnitLabel(NO_UNIT, "", (-1, ()))  # province-wide findings first
        else:
            label = _unit_label(code, name, units)
        check = CHECK_LABELS.get(_text(f.get("check")), "Cảnh báo khác")
        keyed.append(
            ((label.order, check), {"unit": label.name, "group": label.group, "detail": f.get("detail"), "check": check})
        )
    keyed.sort(key=lambda kv: kv[0])
    return [{"stt": i, **row} for i, (_, row) in enumerate(keyed, start=1)]


def write_quality_workbook(
    path: Path,
    *,
    rejected_rows: list[dict],
    file_issues: list[dict],
    findings: list[dict],
    units: list[Unit],
    period_label: str,
    generated_at: datetime | None = None,
) -> Path:
    """Write the data-quality workbook to ``path`` atomically and return ``path``.

    ``generated_at`` (default: now, Asia/Ho_Chi_Minh) is shown in every subtitle; tests pass a fixed time.
    """
    by_code = {u.code: u for u in units}
    subtitles = [f"Kỳ dữ liệu: {nfc(period_label)}", generated_label(generated_at)]
    wb = new_workbook(TITLE.capitalize())

    summary, total = summary_rows(rejected_rows, units)
    if rejected_rows or file_issues or findings:
        # A file refused (a blocking issue: to send again) is counted apart from the notes on files that loaded.
        refused = {(f.get("source"), f.get("file_name")) for f in file_issues if f.get("blocking") is not False}
        notes = sum(1 for f in file_issues if f.get("blocking") is False)
        overview = (
            f"Tổng số: {_n(len(rejected_rows))} dòng bị loại; {_n(len(refused))} tệp bị từ chối; "
            f"{_n(notes)} ghi chú về tệp; {_n(len(findings))} cảnh báo."
        )
        no_rows = "Không có dòng dữ liệu bị loại"
    else:
        overview = f"{NO_ERRORS}: mọi tệp và mọi dòng dữ liệu trong kỳ đều đạt kiểm tra."
        no_rows = NO_ERRORS
    table = write_table(
        wb.create_sheet(SHEET_SUMMARY),
        SUMMARY_COLUMNS,
        summary,
        title=TITLE,
        subtitles=[*subtitles, overview],
        total=total if summary else None,
        empty_text=no_rows,
        freeze_columns=2,
    )
    add_color_scale(table.ws, table.data_range("rejected"), high_is_good=False)
    add_bar_chart(table, category_key="unit", value_keys=["rejected"], title="Số dòng bị loại theo đơn vị")

    details = detail_rows(rejected_rows, units)
    detail_subtitles = list(subtitles)
    if len(details) > MAX_DETAIL_ROWS:
        detail_subtitles.append(f"Chỉ hiển thị {_n(MAX_DETAIL_ROWS)} dòng đầu trong {_n(len(details))} dòng bị loại.")
        details = details[:MAX_DETAIL_ROWS]
    write_table(
        wb.create_sheet(SHEET_DETAIL),
        DETAIL_COLUMNS,
        details,
        title="CHI TIẾT CÁC DÒNG DỮ LIỆU BỊ LOẠI",
        subtitles=detail_subtitles,
        empty_text=no_rows,
        freeze_columns=2,
    )
    write_table(
        wb.create_sheet(SHEET_FILES),
        FILE_COLUMNS,
        _file_rows(file_issues),
        title="LỖI VÀ GHI CHÚ VỀ TỆP DỮ LIỆU (TỆP KHÔNG NẠP ĐƯỢC XẾP TRƯỚC)",
        subtitles=subtitles,
        empty_text="Không có lỗi tệp",
    )
    write_table(
        wb.create_sheet(SHEET_FINDINGS),
        FINDING_COLUMNS,
        _finding_rows(findings, by_code),
        title="CẢNH BÁO VỀ DỮ LIỆU",
        subtitles=subtitles,
        empty_text="Không có cảnh báo",
    )
    write_text_sheet(wb.create_sheet(SHEET_GUIDE), title="HƯỚNG DẪN SỬA VÀ GỬI LẠI DỮ LIỆU", sections=GUIDE, subtitles=subtitles)
    return save_workbook(wb, path)
