"""Read the procedure publication register (``tthc/cong_bo_tthc.csv``) into typed rows, rejects and file issues
(no Dagster here). The file is small (a few hundred rows a year), so rows are read in Python after ``prepare_csv``.

A decision dated after the legal basis takes effect is a late publication, not an error: it loads and counts as
not on time. Errors are what cannot be counted: unknown procedure, unreadable date, a procedure made public before
its decision, a part that is neither "Có" nor "Không", the same procedure twice in one decision.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path

from sources.csvfiles import ReadResult, csv_rows, open_csv, parse_day_first, row_reject, vocabulary_lookup
from sources.publication_format import CONTENT_PARTS, PUBLICATION_COLUMNS
from sources.tthc_format import BOOLEANS

_HEADER = {c.name: c.header for c in PUBLICATION_COLUMNS}
_YES_NO = vocabulary_lookup(BOOLEANS)
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


class PublicationResult(ReadResult):
    """Rows of the register; rejects keyed by decision number or procedure code."""


def read_publication(path: Path, work_dir: Path, known_procedures: Collection[str]) -> PublicationResult:
    """`known_procedures`: the procedure codes of the catalogue (dim_procedure); other codes are rejected."""
    result, prepared = open_csv(path, PUBLICATION_COLUMNS, work_dir,
                                "Tệp chỉ có dòng tiêu đề, không có thủ tục nào được công bố.", PublicationResult)
    if prepared is None:
        return result
    known = set(known_procedures)
    seen: dict[tuple[str, str], int] = {}
    for line, values in csv_rows(prepared, PUBLICATION_COLUMNS, result):
        number, code = values["decision_number"], values["procedure_code"]
        key = f"{number} | {code}" if number or code else None
        problems: list[tuple[str, str, str | None]] = []
        if not number:
            problems.append(("missing_decision_number", "Thiếu số quyết định công bố.", None))
        if not code:
            problems.append(("unknown_procedure", "Thiếu mã TTHC.", None))
        elif code not in known:
            problems.append(("unknown_procedure", f"Mã TTHC không có trong danh mục thủ tục: '{code}'.", code))
        elif number and (number, code) in seen:
            problems.append(("duplicate_publication",
                             f"Thủ tục {code} đã có trong quyết định {number} ở dòng {seen[(number, code)]}.", code))
        dates: dict[str, date | None] = {}
        for name in ("decision_date", "legal_effective_date", "made_public_date"):
            raw = values[name]
            parsed = parse_day_first(raw, _DATE_FORMATS) if raw else None
            dates[name] = parsed.date() if parsed else None
            if parsed is None and (raw or name != "made_public_date"):
                reason = f"Cột '{_HEADER[name]}': ngày không đúng định dạng dd/mm/yyyy: '{raw}'."
                problems.append((f"bad_date:{name}", reason, raw))
        decided, public = dates["decision_date"], dates["made_public_date"]
        if decided and public and public < decided:
            reason = f"Ngày công khai trên CSDLQG ({public:%d/%m/%Y}) trước ngày quyết định công bố ({decided:%d/%m/%Y})."
            problems.append(("public_before_decision", reason, f"{public:%d/%m/%Y}"))
        parts: dict[str, bool | None] = {}
        for part in CONTENT_PARTS:
            parts[part.name] = _YES_NO(values[part.name])
            if parts[part.name] is None:
                reason = f"Cột '{part.header}': giá trị không hợp lệ (cho phép: Có, Không): '{values[part.name]}'."
                problems.append((f"bad_value:{part.name}", reason, values[part.name]))
        if problems:
            result.rejects += [row_reject(path, line, rule, reason, value, key=key) for rule, reason, value in problems]
            continue
        seen[(number, code)] = line
        missing = [part.header for part in CONTENT_PARTS if not parts[part.name]]
        result.rows.append({
            "decision_number": number,
            "decision_date": decided,
            "procedure_code": code,
            "legal_effective_date": dates["legal_effective_date"],
            "made_public_date": public,
            "parts_complete": len(CONTENT_PARTS) - len(missing),
            "missing_parts": "; ".join(missing) or None,
            "source_row": line,
        })
    return result
