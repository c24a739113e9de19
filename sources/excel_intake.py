"""Excel workbooks as units really send them: one way in for every Excel reader (plan registers, progress reports,
PAR and DTI self-assessment forms, appraisal workbooks). Pure, no Dagster, no DuckDB; no exception escapes.

What a file is comes from its content (``sources.intake.sniff_kind``), never from its extension:

- ``.xlsx`` / ``.xlsm`` (Office Open XML): openpyxl, as before.
- ``.xls`` (Excel 97-2003, BIFF in an OLE2 file), ``.ods`` (LibreOffice) and ``.xlsb``: read with python-calamine
  into an in-memory openpyxl ``Workbook`` (values; the merged ranges calamine gives for .xls/.xlsb, those of an .ods
  from its own XML), so the readers work unchanged. calamine gives no number formats: a percentage cell (Excel
  keeps 94,7 % as 0.947) gets its '%' format from the file itself, read with xlrd for an .xls and from the XML of
  an .ods, so the readers turn it into 94.7 as for an .xlsx (a percentage format is a real '%', ``is_percent_format``:
  a custom 0"%" or 0\\% only shows the sign, its 30 is 30). No pinned library reads the formats of an .xlsb: its
  workbook is marked (``percent_format_lost``) and the readers note a number from 0 to 1 in a percentage field.
- an HTML table saved with an ``.xls`` name (what many portals and programs export as "Excel"): its tables are read
  with lxml into one in-memory sheet, one table under the other (``colspan``/``rowspan`` as merged ranges, the
  numbers Excel marks with ``x:num`` as numbers), and a note asks the unit to save it as .xlsx.
- anything else (CSV or text, PDF, Word, a zip archive, JSON, an unknown binary, an empty file) is refused with a
  Vietnamese reason naming what it is; a workbook cut short or broken (``BadZipFile``…) with "tệp Excel hỏng hoặc
  chép chưa xong"; a password-protected one as such; a file still being copied is left for the next run.

One rule for formulas and error values, in every reader: a formula counts with the value Excel computed and saved
in the file (what the unit sees on screen). A formula saved without that value (written by a program other than
Excel and never opened in Excel) becomes an ``UncalculatedFormula`` marker, an Excel error value (#DIV/0!, #REF!,
#N/A, #VALUE!, #NAME?, #NUM!, #NULL!) an ``ExcelError`` marker: both are ``str`` values the readers recognise with
``cell_fault`` and report with the cell, never read as empty or 0. python-calamine reads an error cell as empty in
every format but the .xlsx: in an .ods both markers are found in its XML; in an .xls the error cells (typed, or the
value Excel saved for a formula) are read with xlrd, as the '%' formats are. Only an .xlsb (and an .xls that xlrd
cannot read) keeps its error cells unknown, which the note on such files says.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from common.pii import file_name_shown
from common.text_encoding import LegacyEncoding, decode_text
from sources.csvfiles import FileIssue
from sources.intake import KIND_LABELS, STILL_COPYING_REASON, sniff_kind, still_being_written

if TYPE_CHECKING:
    from openpyxl import Workbook

# Excel's lock file "~$name.xlsx", hidden files (".~lock.name#" of LibreOffice, ".DS_Store"), and the temporary
# names of copies and downloads in progress: never a delivery.
TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp")
WORKBOOK_KINDS = ("xlsx", "xls", "ods", "xlsb", "html")
ERROR_VALUES = frozenset(
    {"#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#N/A!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)

BROKEN_REASON = (
    "Tệp Excel hỏng hoặc chép chưa xong ({cause}): không nạp được tệp; mở lại tệp gốc bằng Excel, lưu lại rồi gửi lại."
)
PASSWORD_REASON = "Tệp Excel đặt mật khẩu: không nạp được tệp; bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại."
# The .xlsb (and an .xls xlrd cannot read): error cells read as empty by python-calamine, said in the old_format note.
ERRORS_UNKNOWN = " ô lỗi của Excel (#DIV/0!, #N/A…) trong định dạng này không phân biệt được với ô trống;"
SAVE_AS_XLSX = "mở bằng Excel rồi chọn Lưu thành (Save As) kiểu 'Excel Workbook (*.xlsx)' và gửi lại"


# What Windows writes by itself into a folder it shows (thumbnails, folder settings): never a delivery.
SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini"})


def ignored_name(name: str) -> bool:
    """Excel's lock files, hidden files, temporary files and Windows' own folder files: not deliveries, never listed."""
    lower = name.lower()
    return (
        name.startswith(("~$", "."))
        or lower.endswith(TEMPORARY_SUFFIXES)
        or (name.startswith("~") and lower.endswith(".tmp"))
        or lower in SYSTEM_FILES
    )


def folder_files(folder: Path) -> list[Path]:
    """Every delivered file of a folder, by name: whatever its extension, so that a file in the wrong format is
    read or refused with a reason, never passed over. A file whose name carries a citizen's personal data is not
    among them (``personal_named_files``: refused, never read)."""
    return [p for p in _own_files(folder) if file_name_shown(p.name) == p.name]


def personal_named_files(folder: Path) -> list[Path]:
    """The files of a folder whose name carries a citizen's name, phone or ID number (``common.pii.file_name_shown``):
    never read, so that the name never reaches a table, report or run log; each loader refuses them under the masked
    name (``warehouse.landing.record_subfolder_files``)."""
    return [p for p in _own_files(folder) if file_name_shown(p.name) != p.name]


def _own_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not ignored_name(p.name))


def subfolder_files(folder: Path) -> list[Path]:
    """The delivered files put in a sub-folder of a folder, at any depth (a unit's re-send in 'gui_lai/', an archive
    unzipped into a folder of its own): not read, as ``folder_files`` gives a loader only the folder's own files, but
    refused with a reason by the loader, never passed over. Hidden and system folders and ignored names are left out;
    a linked folder is not followed."""
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not ignored_name(d)]
        if Path(root) != folder:
            found += [Path(root) / f for f in files if not ignored_name(f) and (Path(root) / f).is_file()]
    return sorted(found)


# --- cells that hold no usable value ------------------------------------------------------------------------


class CellFault(str):
    """A cell's value that must not be read as a value: the text is the formula or the error as written."""

    rule: ClassVar[str] = "cell_fault"

    @property
    def reason(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class UncalculatedFormula(CellFault):
    rule = "uncalculated_formula"

    @property
    def reason(self) -> str:
        return f"ô chứa công thức chưa được tính ('{self}') — mở bằng Excel và lưu lại"


class ExcelError(CellFault):
    rule = "excel_error"

    @property
    def reason(self) -> str:
        return f"ô chứa giá trị lỗi {self} của Excel — sửa công thức hoặc nhập giá trị rồi lưu lại"


def cell_fault(value: Any) -> CellFault | None:
    """The fault a cell's value stands for (uncalculated formula, Excel error), or None for a usable value."""
    if isinstance(value, CellFault):
        return value
    if isinstance(value, str) and value.strip().upper() in ERROR_VALUES:
        return ExcelError(value.strip().upper())
    return None


def _set_fault(cell: Any, fault: CellFault) -> None:
    # Direct assignment: openpyxl's setter would turn "=…" back into a formula and lose the marker's class.
    _store(cell, fault, "s")


def _store(cell: Any, value: Any, data_type: str) -> None:
    """Put ``value`` in a cell as it is, with the given type: openpyxl's ``value`` setter would infer the type again
    (a "=…" text becomes a formula, a date gets a number format). ``_value`` is the slot behind the setter, which the
    openpyxl stubs leave undeclared, hence ``cell: Any``."""
    cell._value = value
    cell.data_type = data_type


# --- the workbook ---------------------------------------------------------------------------------------------


@dataclass
class WorkbookFile:
    """What ``read_workbook`` found: the workbook (None when refused or deferred), the issues (one blocking issue
    when refused; notes otherwise), what the content is, and the lineage of the bytes."""

    path: Path
    workbook: Workbook | None = None
    issues: list[FileIssue] = field(default_factory=list)
    kind: str = "empty"  # xlsx | xls | ods | xlsb | html | the kind refused
    sha256: str = ""
    size_bytes: int = 0
    deferred: bool = False  # still being copied: left for the next run

    @property
    def problem(self) -> FileIssue | None:
        return next((i for i in self.issues if i.blocking), None)


def open_workbook(path: Path) -> tuple[Workbook | None, FileIssue | None]:
    """(workbook, None) or (None, the blocking issue saying why the file cannot be read as a workbook)."""
    found = read_workbook(path)
    return found.workbook, found.problem


def read_workbook(path: Path, *, watch: Callable[[Path], bool] = still_being_written) -> WorkbookFile:
    """Read any file of an Excel folder: see the module docstring."""
    path = Path(path)
    raw = path.read_bytes()
    found = WorkbookFile(path=path, sha256=hashlib.sha256(raw).hexdigest(), size_bytes=len(raw), kind=_kind(raw))
    if watch(path):
        found.deferred = True
        found.issues.append(FileIssue("still_copying", STILL_COPYING_REASON))
        return found
    return workbook_from_bytes(raw, path.name, found)


def workbook_from_bytes(raw: bytes, name: str, found: WorkbookFile | None = None) -> WorkbookFile:
    found = found or WorkbookFile(path=Path(name), sha256=hashlib.sha256(raw).hexdigest(), size_bytes=len(raw))
    kind = found.kind = _kind(raw)
    ext = Path(name).suffix.lower()

    def refuse(rule: str, reason: str) -> WorkbookFile:
        found.issues.append(FileIssue(rule, reason))
        return found

    try:
        _refuse_kind(kind, name)
    except _Refused as refused:
        return refuse(refused.rule, refused.reason)
    expected = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods", ".xlsb": "xlsb"}.get(ext)
    if expected and expected != kind and kind != "html":
        found.issues.append(
            FileIssue(
                "extension_mismatch",
                f"Tệp có đuôi {ext} nhưng thực chất là {_kind_label(kind)}; vẫn đọc theo nội dung thật.",
                blocking=False,
            )
        )
    try:
        _parse(found, raw, kind, ext)
    except _Refused as refused:
        return refuse(refused.rule, refused.reason)
    except zipfile.BadZipFile as err:
        return refuse("bad_workbook", BROKEN_REASON.format(cause=f"lỗi nén ZIP: {err}"))
    except (EOFError, zipfile.LargeZipFile) as err:
        return refuse("bad_workbook", BROKEN_REASON.format(cause=type(err).__name__))
    except Exception as err:  # any failure of a parser (XML, styles, BIFF …) means a broken file
        cause = type(err).__name__
        if "password" in cause.lower() or (kind == "xls" and _xls_encrypted(raw)):
            return refuse("password_protected", PASSWORD_REASON)
        return refuse("bad_workbook", BROKEN_REASON.format(cause=f"lỗi {cause}"))
    return found


def _xls_encrypted(raw: bytes) -> bool:
    """Whether an .xls (BIFF) was saved with a password to open (its FILEPASS record): xlrd says so, calamine only
    that it cannot read the file (which read as "broken or still being copied")."""
    import xlrd
    from xlrd.biffh import XLRDError

    try:
        xlrd.open_workbook(file_contents=raw, on_demand=True)
    except XLRDError as err:
        return "encrypted" in str(err).lower()
    except Exception:  # any other failure: not known to be a password
        return False
    return False


def _refuse_kind(kind: str, name: str) -> None:
    """_Refused when the bytes are no workbook at all: empty, a broken or encrypted archive, another kind of file."""
    if kind == "empty":
        raise _Refused(
            "empty_file",
            "Tệp rỗng (0 byte hoặc chỉ có khoảng trắng): không có bảng tính nào; không nạp được tệp; gửi lại tệp đầy đủ.",
        )
    if kind == "broken_zip":
        raise _Refused("bad_workbook", BROKEN_REASON.format(cause="cấu trúc nén ZIP không trọn vẹn"))
    if kind == "encrypted":
        raise _Refused("password_protected", PASSWORD_REASON)
    if kind not in WORKBOOK_KINDS:
        raise _Refused(
            "wrong_file_kind",
            f"Tệp '{name}' không phải bảng tính Excel mà là {_kind_label(kind)}: không nạp được tệp; {SAVE_AS_XLSX}.",
        )


def _parse(found: WorkbookFile, raw: bytes, kind: str, ext: str) -> None:
    """The workbook of a file of a workbook kind, with a note for the kinds read with a loss (HTML, old formats)."""
    if kind == "xlsx":
        found.workbook = _openpyxl(raw)
    elif kind == "html":
        found.workbook = _html(raw)
        found.issues.append(
            FileIssue(
                "html_table",
                f"Tệp là trang HTML (bảng lưu với đuôi {ext or 'khác'}), không "
                "phải bảng tính Excel thật: đã đọc các bảng trong trang; đề nghị lần sau "
                f"{SAVE_AS_XLSX}.",
                blocking=False,
            )
        )
    else:
        found.workbook, errors_read = _calamine(raw, kind)
        if kind in ("xls", "xlsb"):
            lost = "" if errors_read else ERRORS_UNKNOWN
            found.issues.append(
                FileIssue(
                    "old_format",
                    f"Tệp {_kind_label(kind)}: đã đọc;{lost} đề nghị lần sau {SAVE_AS_XLSX}.",
                    blocking=False,
                )
            )


class _Refused(Exception):
    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(reason)
        self.rule, self.reason = rule, reason


_EXTRA_LABELS = {
    "word": "văn bản Word (.docx/.doc)",
    "powerpoint": "trình chiếu PowerPoint",
    "ole2": "tệp Office cũ không phải bảng tính (.doc, .ppt…)",
}


def _kind_label(kind: str) -> str:
    return _EXTRA_LABELS.get(kind) or KIND_LABELS.get(kind, kind)


def _kind(raw: bytes) -> str:
    """sniff_kind, refined for what can arrive in an Excel folder: an Office Open XML file is told apart by its
    parts (xlsx, xlsb, Word, PowerPoint), a zip that cannot be opened is ``broken_zip``, an OLE2 file holding
    another Office document or an encrypted workbook is named as such."""
    kind = sniff_kind(raw)
    if kind in ("xlsx", "zip"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
        except (zipfile.BadZipFile, EOFError, ValueError):
            return "broken_zip"
        if "xl/workbook.bin" in names:
            return "xlsb"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "mimetype" in names and b"opendocument.spreadsheet" in raw[:200]:
            return "ods"
        if any(n.startswith("word/") for n in names):
            return "word"
        if any(n.startswith("ppt/") for n in names):
            return "powerpoint"
        return "zip"
    if kind == "xls":
        if "EncryptionInfo".encode("utf-16-le") in raw:
            return "encrypted"  # an .xlsx with a password is an OLE2 file holding the encrypted package
        if "Workbook".encode("utf-16-le") in raw or "Book".encode("utf-16-le") in raw:
            return "xls"
        if "WordDocument".encode("utf-16-le") in raw:
            return "word"
        return "ole2"
    return kind


# --- openpyxl: values Excel saved, formulas without one marked ----------------------------------------------


def _openpyxl(raw: bytes) -> Workbook:
    from openpyxl import load_workbook

    # Not read-only: merged ranges, hidden rows and number formats are only known to a fully loaded sheet.
    wb = load_workbook(io.BytesIO(raw), data_only=False)
    formulas = [(ws.title, cell) for ws in wb.worksheets for cell in ws._cells.values() if cell.data_type == "f"]
    if formulas:
        cached = load_workbook(io.BytesIO(raw), data_only=True)
        for title, cell in formulas:
            saved = cached[title][cell.coordinate]
            if saved.value is None and saved.data_type != "str":  # "str" with no value: a formula giving ""
                _set_fault(cell, UncalculatedFormula(_formula_text(cell.value)))
            elif saved.data_type == "e" or cell_fault(saved.value):
                _set_fault(cell, ExcelError(str(saved.value).strip().upper()))
            else:
                _store(cell, saved.value, saved.data_type)
    for ws in wb.worksheets:
        for cell in ws._cells.values():
            if cell.data_type == "e" and not isinstance(cell.value, CellFault):
                _set_fault(cell, ExcelError(str(cell.value).strip().upper()))
    return wb


def _formula_text(value: Any) -> str:
    text = getattr(value, "text", None) or value  # ArrayFormula / DataTableFormula keep the text apart
    return str(text) if str(text).startswith("=") else f"={text}"


# --- python-calamine: .xls, .xlsb, .ods -------------------------------------------------------------------


def _calamine(raw: bytes, kind: str) -> tuple[Workbook, bool]:
    """The workbook, and whether its Excel error cells are known (an .ods: from its XML; an .xls: with xlrd)."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    extras = _ods_extras(raw) if kind == "ods" else {}
    xls = _xls_cells(raw) if kind == "xls" else None
    wb = Workbook()
    if kind != "ods" and xls is None:
        _FORMATS_LOST.add(wb)
    for blank in wb.worksheets:  # the new workbook's one empty sheet; the file's sheets follow
        wb.remove(blank)
    hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}  # Hidden, VeryHidden
    for index, title in enumerate(book.sheet_names):
        sheet = book.get_sheet_by_index(index)
        ws = wb.create_sheet(_sheet_title(title, wb.sheetnames))
        if title in hidden:  # as in the .xlsx: a sheet the unit does not see is never read as the delivery
            ws.sheet_state = "hidden"
        for r, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(row, start=1):
                if value == "" or value is None:
                    continue
                ws.cell(r, c)._value = _plain(value)
                ws.cell(r, c).data_type = _data_type(value)
        _xls_apply(ws, (xls or {}).get(title))
        merges, faults = extras.get(index, ([], {}))
        if kind != "ods":
            merges = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        for (r, c), fault in faults.items():
            if fault is _PERCENT:
                ws.cell(r, c).number_format = "0%"  # a progress report's "50%" holds 0.5, as in Excel
            else:
                _set_fault(ws.cell(r, c), fault)
        _merge(ws, merges)
    book.close()
    return wb, kind == "ods" or xls is not None


# What Excel shows as written in a number format: a quoted text ("%"), an escaped character (\%), the character after
# "_" (a space as wide as it) or "*" (repeated to fill the cell), and a bracketed part ([Red], [$-42A], [>=100]).
_FORMAT_LITERALS = re.compile(r'"[^"]*"?|\\.|[_*].|\[[^\]]*\]?')


def is_percent_format(number_format: str | None) -> bool:
    """True when Excel applies the number format as a percentage: a '%' outside quoted text, not escaped by a
    backslash, nor inside brackets. Such a cell holds 0.5 for 50 %, which the readers turn into 50. A custom format
    such as 0"%", 0\\% or #,##0" %" only shows the sign: the cell holds the number as typed (30 shown "30%"). Only
    the first section counts (positive;negative;zero;text): the rates and scores read are positive numbers, and a '%'
    in the zero or text section ('0;-0;"-"%') changes nothing of how 30 is stored."""
    return "%" in _FORMAT_LITERALS.sub("", number_format or "").split(";")[0]


# Workbooks read from a file whose number formats are not known (.xlsb: no pinned library reads its styles; an .xls
# whose formats xlrd could not read): a '%' cell's 50 % is there 0.5 with nothing to tell it (percent_format_lost).
_FORMATS_LOST: weakref.WeakSet[Any] = weakref.WeakSet()


def percent_format_lost(ws: Any) -> bool:
    """True for a sheet of a workbook read without its cells' number formats (an .xlsb; an .xls whose formats could
    not be read): a number from 0 to 1 in a percentage field may be a percent typed in a '%' cell (0.5 for 50 %),
    which the readers then say in a note instead of reading it silently."""
    return getattr(ws, "parent", None) in _FORMATS_LOST


@dataclass
class _XlsSheet:
    """What python-calamine does not give of an .xls sheet (1-based cells): the number cells whose format is a
    percentage (``is_percent_format``, with that format), and the cells holding an Excel error, typed or computed by
    a formula (calamine reads them as empty)."""

    percents: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], ExcelError] = field(default_factory=dict)


def _xls_apply(ws: Any, found: _XlsSheet | None) -> None:
    for (r, c), number_format in (found.percents if found else {}).items():
        ws.cell(r, c).number_format = number_format  # as the .xlsx keeps it: a '%' cell's 94,7 % holds 0.947
    for (r, c), error in (found.errors if found else {}).items():
        _set_fault(ws.cell(r, c), error)  # calamine reads it as empty: the error the unit sees, as in an .xlsx


def _xls_cells(raw: bytes) -> dict[str, _XlsSheet] | None:
    """Per sheet (by name), the formats and error cells of an .xls, read with xlrd; None when xlrd cannot read the
    file (its errors and formats are then unknown: the old_format note and ``percent_format_lost`` say so)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw, formatting_info=True, logfile=io.StringIO(), on_demand=True)
    except Exception:  # a file calamine reads but xlrd does not: read without formats, said by percent_format_lost
        return None
    try:
        formats = {key: fmt.format_str or "" for key, fmt in book.format_map.items()}
        percent = {i: formats.get(xf.format_key, "") for i, xf in enumerate(book.xf_list)}
        percent = {i: fmt for i, fmt in percent.items() if is_percent_format(fmt)}
        out: dict[str, _XlsSheet] = {}
        for index, name in enumerate(book.sheet_names()):
            sheet = book.sheet_by_index(index)
            found = out[name] = _XlsSheet()
            for r in range(sheet.nrows):
                for c, cell in enumerate(sheet.row(r)):
                    if cell.ctype == xlrd.XL_CELL_NUMBER and cell.xf_index in percent:
                        found.percents[(r + 1, c + 1)] = percent[cell.xf_index]
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        text = xlrd.error_text_from_code.get(int(cell.value), "#VALUE!")
                        found.errors[(r + 1, c + 1)] = ExcelError(text)
            book.unload_sheet(index)
        return out
    except Exception:
        return None
    finally:
        book.release_resources()


def _plain(value: Any) -> Any:
    if isinstance(value, timedelta):  # a duration: keep it as Excel shows it, in days
        return value.total_seconds() / 86400
    return value


def _data_type(value: Any) -> str:
    if isinstance(value, bool):
        return "b"
    if isinstance(value, int | float | timedelta):
        return "n"
    if isinstance(value, datetime | date | time):
        return "d"
    return "s"


def _sheet_title(title: str, taken: list[str]) -> str:
    """A title openpyxl accepts (no []:*?/\\, at most 31 characters), unique in the workbook."""
    clean = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Trang"
    out, n = clean, 2
    while out in taken:
        out, n = f"{clean[:28]} {n}", n + 1
    return out


def _merge(ws: Any, merges: list[tuple[int, int, int, int]]) -> None:
    for r0, c0, r1, c1 in merges:
        if (r0, c0) != (r1, c1):
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


_PERCENT = CellFault("%")  # marks a percentage cell of an .ods in _ods_extras' result (never put in a cell)


def _ods_extras(raw: bytes) -> dict[int, tuple[list[tuple[int, int, int, int]], dict[tuple[int, int], CellFault]]]:
    """Per sheet (index): the merged ranges (calamine gives none for .ods) and the cells holding an error value or a
    formula saved without its value (calamine reads both as empty), or a percentage (``_PERCENT``), 1-based, from
    the file's content.xml."""
    from lxml import etree

    t, o, x = (f"{{{_ODS[k]}}}" for k in ("table", "office", "calcext"))
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        root = etree.fromstring(z.read("content.xml"), parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    out: dict = {}
    for index, table in enumerate(root.iter(f"{t}table")):
        merges: list[tuple[int, int, int, int]] = []
        faults: dict[tuple[int, int], CellFault] = {}
        r = 0
        for row in table.iter(f"{t}table-row"):
            if row.getparent() is not None and _owning_table(row, t) is not table:
                continue  # a table nested in a cell
            rows = int(row.get(f"{t}number-rows-repeated", "1"))
            c = 0
            for cell in row:
                if cell.tag not in (f"{t}table-cell", f"{t}covered-table-cell"):
                    continue
                cols = int(cell.get(f"{t}number-columns-repeated", "1"))
                if cell.tag == f"{t}table-cell" and rows * cols <= 1024:
                    fault = _ods_fault(cell, t, o, x)
                    if fault is None and cell.get(f"{o}value-type") == "percentage":
                        fault = _PERCENT  # not a fault: the cell's format, as in an .xlsx "0%" cell
                    span_r = int(cell.get(f"{t}number-rows-spanned", "1"))
                    span_c = int(cell.get(f"{t}number-columns-spanned", "1"))
                    for dr in range(rows):
                        for dc in range(cols):
                            if fault is not None:
                                faults[(r + dr + 1, c + dc + 1)] = fault
                            if span_r > 1 or span_c > 1:
                                merges.append((r + dr + 1, c + dc + 1, r + dr + span_r, c + dc + span_c))
                c += cols
            r += rows
        out[index] = (merges, faults)
    return out


def _owning_table(element: Any, t: str) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != f"{t}table":
        parent = parent.getparent()
    return parent


def _ods_fault(cell: Any, t: str, o: str, x: str) -> CellFault | None:
    formula = cell.get(f"{t}formula")
    if cell.get(f"{x}value-type") == "error":
        shown = "".join(cell.itertext()).strip().upper()
        return ExcelError(shown if shown in ERROR_VALUES else (shown or "#VALUE!"))
    if formula and cell.get(f"{o}value-type") is None:
        return UncalculatedFormula("=" + formula.split(":=", 1)[-1].lstrip("="))
    return None


# --- HTML tables saved as .xls ------------------------------------------------------------------------------


def _html(raw: bytes) -> Workbook:
    import lxml.html
    from openpyxl import Workbook

    try:
        text = decode_text(raw).text
    except LegacyEncoding as err:
        raise _Refused("legacy_encoding", str(err)) from err
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str that declares its encoding
    document = lxml.html.document_fromstring(text)
    tables = [tb for tb in document.iter("table") if not any(a.tag == "table" for a in tb.iterancestors())]
    if not tables:
        raise _Refused("wrong_file_kind", f"Tệp là trang HTML nhưng không có bảng nào: không đọc được; {SAVE_AS_XLSX}.")
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook has one sheet
    title = (document.findtext(".//title") or "").strip()
    ws.title = _sheet_title(title or "Trang 1", [])
    r = 1
    merges: list[tuple[int, int, int, int]] = []
    for table in tables:
        taken: set[tuple[int, int]] = set()
        rows = [tr for tr in table.iter("tr") if _nearest_table(tr) is table]
        for tr in rows:
            _html_row(ws, tr, r, taken, merges)
            r += 1
        r += 1  # one blank row between two tables
    _merge(ws, merges)
    return wb


def _html_row(ws: Any, tr: Any, r: int, taken: set[tuple[int, int]], merges: list[tuple[int, int, int, int]]) -> None:
    """The cells of one HTML table row written to sheet row ``r``, past the cells that spans from above take."""
    c = 1
    for td in tr:
        if td.tag not in ("td", "th"):
            continue
        while (r, c) in taken:
            c += 1
        span_c = max(1, _int(td.get("colspan")))
        span_r = max(1, _int(td.get("rowspan")))
        value = _html_value(td)
        if isinstance(value, CellFault):
            _set_fault(ws.cell(r, c), value)
        elif value is not None:  # set directly: "=…" typed in a page is text, not a formula
            ws.cell(r, c)._value = value
            ws.cell(r, c).data_type = _data_type(value)
        for dr in range(span_r):
            for dc in range(span_c):
                taken.add((r + dr, c + dc))
        if span_r > 1 or span_c > 1:
            merges.append((r, c, r + span_r - 1, c + span_c - 1))
        c += span_c


def _nearest_table(element: Any) -> Any:
    return next((a for a in element.iterancestors() if a.tag == "table"), None)


def _int(text: str | None) -> int:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return 1


def _html_value(td: Any) -> Any:
    """A cell's text (line breaks kept as spaces), or the number Excel's HTML export marks with x:num."""
    for br in td.iter("br"):
        br.tail = " " + (br.tail or "")
    text = " ".join("".join(td.itertext()).split())
    number = td.get("x:num")
    if number is not None:
        try:
            return float(number or text.replace(",", "."))
        except ValueError:
            pass
    if not text:
        return None
    fault = cell_fault(text)
    return fault if fault is not None else text
