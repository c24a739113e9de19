"""The PAR index workbook (Chỉ số cải cách hành chính): rankings and one scorecard sheet per unit, for officials.

Sheets: "Xếp hạng" (provincial agencies, then communes and wards: total, maximum of the applicable criteria, index %,
band, last year's index and rank with the changes (``mart_par_trend``) and status, a note "Phiếu bị từ chối: …" for a unit whose form was refused (unranked), a colour scale on the index
and a bar chart per group), then one sheet per unit: its header
(rank, index, band, group average), its domains, every criterion with the self-assessed, appraised, survey and
computed points, the criteria where it lost the most points, and the difficulties and proposals it reported; last
"Dữ liệu bị loại": the units whose form was refused and why, the rejected rows and the files not loaded.
With ``unit=`` the workbook holds only that unit's sheet: the scorecard sent back to the unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from common.vntext import nfc
from scoring.criteria import SOURCES
from scoring.ranking import group_label, rank_label, units_by_group
from scoring.rounding import round_half_up
from workbooks.excel import (
    RANK_COLUMNS,
    REFUSED_FILE_COLUMNS,
    REJECTED_ROW_COLUMNS,
    SECTION_FONT,
    ChartSource,
    Column,
    Table,
    add_band_colors,
    assessment_flags,
    band_thresholds,
    code_key,
    decimal_text,
    frame_records,
    generated_label,
    is_default_tree,
    is_missing,
    new_workbook,
    rank_cells,
    row_after,
    rows_by_unit,
    save_workbook,
    section_title,
    tree_names,
    unit_sheet_names,
    units_alphabetical,
    write_chart_sheet,
    write_table,
)

SHEET_CHARTS = "Biểu đồ xếp hạng"
SHEET_RANKING, SHEET_PROBLEMS = "Xếp hạng", "Dữ liệu bị loại"
PROVISIONAL = "(tạm tính)"
OVERCLAIM = "Tự chấm cao hơn dữ liệu"
STATUS_APPRAISED, STATUS_PROVISIONAL, STATUS_NO_FORM = "Đã thẩm định", "Tạm tính", "Chưa nộp phiếu"
STATUS_REFUSED, REFUSED = "Phiếu bị từ chối", "phiếu bị từ chối"
FILE_SOURCES = ("par_form", "par_appraisal", "par_survey")  # quarantine and file_issues sources
SOURCE_LABELS = {"par_form": "Phiếu tự đánh giá", "par_appraisal": "Kết quả thẩm định", "par_survey": "Điều tra xã hội học"}
METHOD_LABELS = {
    "self": "Tự chấm, thẩm định",
    "survey_sipas": "Khảo sát SIPAS",
    "survey_leaders": "Khảo sát lãnh đạo, quản lý",
    "computed": "Tính từ dữ liệu",
}


@dataclass
class ParData:
    year: int
    units: pd.DataFrame  # mart_par_unit rows of the year (+ dim_unit.sort_order)
    domains: pd.DataFrame  # mart_par_domain rows of the year
    criteria: pd.DataFrame  # mart_par_criterion rows of the year
    problems: pd.DataFrame = field(default_factory=pd.DataFrame)  # quarantine rows of the PAR sources of the year
    file_issues: pd.DataFrame = field(default_factory=pd.DataFrame)  # blocking file_issues of the PAR sources
    bands: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # ranking group -> (label, min %), best first
    decisions: dict[str, str] = field(default_factory=dict)  # criteria-tree file -> the decision it follows
    default_trees: set[str] = field(default_factory=set)  # the tree files of the year that are default trees
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # mart_par_trend rows of the year (last year beside)


# The PAR files of the year, by the year the loaders wrote on their rows: those of the year, and those whose year
# could not be read (a form that names none, an appraisal whose file name has no year) in every year's workbook.
_OF_THE_YEAR = """
    source IN ('par_form', 'par_appraisal', 'par_survey') AND (year IS NULL OR year = $year)
"""


def read_par_data(con: duckdb.DuckDBPyConnection, year: int) -> ParData:
    """Everything the workbook shows for one year, read from the warehouse (or its published snapshot)."""
    units = con.execute(
        """SELECT m.*, d.sort_order FROM mart_par_unit m LEFT JOIN dim_unit d USING (unit_code)
                           WHERE m.year = ?""",
        [year],
    ).df()
    domains = con.execute("SELECT * FROM mart_par_domain WHERE year = ?", [year]).df()
    criteria = con.execute("SELECT * FROM mart_par_criterion WHERE year = ?", [year]).df()
    problems = con.execute(
        f"""SELECT * FROM quarantine WHERE {_OF_THE_YEAR}
                               ORDER BY source, file_name, row_number NULLS FIRST, rule, reason""",
        {"year": year},
    ).df()
    issues = con.execute(
        f"""SELECT * FROM file_issues WHERE blocking AND {_OF_THE_YEAR}
                             ORDER BY source, file_name, rule, reason""",
        {"year": year},
    ).df()
    trees = con.execute(
        """SELECT DISTINCT ranking_group, tree, decision, bands, default_tree FROM dim_criterion
           WHERE year = ? AND index_code = 'par' AND bands IS NOT NULL""",
        [year],
    ).fetchall()
    bands = {g: [(b["label"], b["min_value"]) for b in bs] for g, _, _, bs, _ in trees if g and bs}
    decisions = {t: d for _, t, d, _, _ in trees if t and d}
    default_trees = {t for _, t, _, _, default in trees if t and default}
    trend = con.execute("SELECT * FROM mart_par_trend WHERE year = ?", [year]).df()
    return ParData(
        year=year,
        units=units,
        domains=domains,
        criteria=criteria,
        problems=problems,
        file_issues=issues,
        bands=bands,
        decisions=decisions,
        default_trees=default_trees,
        trend=trend,
    )


# --- small helpers ----------------------------------------------------------------------------------------


def status_label(unit: dict) -> str:
    if not unit.get("has_form"):
        return STATUS_REFUSED if unit.get("form_refused") else STATUS_NO_FORM
    return STATUS_PROVISIONAL if unit.get("provisional") else STATUS_APPRAISED


def band_label(unit: dict) -> str:
    band = unit.get("band") or ""
    if unit.get("provisional"):
        return f"{band} {PROVISIONAL}".strip()
    return band


def _domain_averages(data: ParData) -> dict[tuple[str, str], float]:
    """(ranking group, domain) -> average points in that domain of the group's units with a usable form (those the
    index's group average is over, mart_par_unit.group_average_pct: a unit without one, scored from its appraisal
    alone, pulled the average down)."""
    if data.domains.empty or data.units.empty:
        return {}
    units = data.units[data.units["has_form"].fillna(False).astype(bool)] if "has_form" in data.units else data.units
    merged = data.domains.merge(units[["unit_code", "ranking_group"]], on="unit_code", how="inner")
    means = merged.groupby(["ranking_group", "domain"])["points"].mean()
    return {k: round_half_up(float(v), 2) for k, v in means.items() if not is_missing(v)}


# --- sheet 1: ranking -------------------------------------------------------------------------------------

RANKING_COLUMNS = (
    *RANK_COLUMNS,
    Column("Đơn vị", "unit", 38),
    Column("Tổng điểm", "total", 11, "0.00"),
    Column("Điểm tối đa áp dụng", "max_applicable", 12, "0.00"),
    Column("Chỉ số (%)", "index_pct", 11, "0.00"),
    Column("Xếp loại", "band", 20),
    # last year beside this year's row, from mart_par_trend: empty when the unit has no row last year
    Column("Chỉ số năm trước (%)", "previous_index_pct", 10, "0.00"),
    Column("Thay đổi chỉ số (điểm %)", "index_change", 10, "+0.00;-0.00;0.00"),
    Column("Hạng năm trước", "previous_rank", 8, "0", align="center"),
    Column("Thay đổi hạng", "rank_change", 8, "+0;-0;0", align="center"),
    Column("Tình trạng", "status", 16, align="center"),
    Column("Ghi chú", "note", 34),
)
TREND_KEYS = ("previous_index_pct", "index_change", "previous_rank", "rank_change")


def refused_note(unit: dict) -> str | None:
    """The flag of a unit whose current form was refused: "phiếu bị từ chối: <file>: <reasons>"."""
    return f"{STATUS_REFUSED}: {unit['form_refused']}" if unit.get("form_refused") else None


def ranking_notes(units: list[dict], decisions: dict[str, str] | None = None, default_trees: Iterable[str] = ()) -> list[str]:
    tree_note = f"Bộ tiêu chí: {tree_names(units, decisions)}."
    if is_default_tree(units, default_trees) and "thay bằng" not in tree_note:  # the decision text may say so already
        tree_note += " Bộ mặc định sẽ được thay bằng bộ tiêu chí theo quyết định của UBND tỉnh khi ban hành."
    return [
        tree_note,
        (
            f"Kết quả còn điểm tự chấm chưa được thẩm định, hoặc chưa có điểm điều tra xã hội học, được ghi {PROVISIONAL} "
            "cho đến khi có kết quả thẩm định và điều tra."
        ),
        "Chỉ số (%) = tổng điểm / tổng điểm tối đa của các tiêu chí áp dụng cho đơn vị × 100.",
        (
            "Năm trước: chỉ số và hạng của đơn vị năm trước; để trống khi đơn vị không có kết quả năm trước (đơn vị "
            "mới hoặc hình thành sau sắp xếp). Thay đổi chỉ số chỉ tính khi đơn vị có phiếu cả hai năm; thay đổi hạng "
            'chỉ tính trong cùng nhóm xếp hạng ("+2": lên 2 bậc, "-1": xuống 1 bậc).'
        ),
        (
            f'Đơn vị chưa nộp phiếu hoặc có {REFUSED} (lý do ở cột Ghi chú và trang "{SHEET_PROBLEMS}") được tính điểm '
            "không có phiếu, không xếp hạng, không xếp loại; các đơn vị khác vẫn được xếp hạng."
        ),
        generated_label(),
    ]


def _previous(row: dict | None) -> dict:
    """The mart_par_trend cells of ``TREND_KEYS``: missing values (no row last year) stay empty."""
    row = row or {}
    out = {k: None if is_missing(row.get(k)) else row[k] for k in TREND_KEYS}
    for k in ("previous_rank", "rank_change"):  # a frame with empty cells holds ranks as floats
        out[k] = None if out[k] is None else int(out[k])
    return out


def _ranking_rows(rows: list[dict], trend: dict[str, dict]) -> list[dict]:
    return [
        {
            **rank_cells(r.get("rank"), r.get("is_tied")),
            "unit": r.get("unit_name"),
            "total": r.get("total"),
            "max_applicable": r.get("max_applicable"),
            "index_pct": r.get("index_pct"),
            "band": band_label(r),
            **_previous(trend.get(r["unit_code"])),
            "status": status_label(r),
            "note": "; ".join(t for t in (refused_note(r), r.get("assessment_flag")) if t) or None,
        }
        for r in rows
    ]


def _write_ranking(wb, data: ParData, units: list[dict]) -> list[Table]:
    ws = wb.create_sheet(SHEET_RANKING)
    tables: list[Table] = []
    charts: list[ChartSource] = []
    trend = {r["unit_code"]: r for r in frame_records(data.trend)}
    next_row = 1
    for number, (group, rows) in enumerate(units_by_group(units), start=1):
        section = section_title(group, len(rows), number)
        if number == 1:
            table = write_table(
                ws,
                RANKING_COLUMNS,
                _ranking_rows(rows, trend),
                title=f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {data.year}",
                subtitles=[*ranking_notes(units, data.decisions, data.default_trees), section],
                freeze_columns=3,
            )
            ws.cell(row=table.header_row - 2, column=1).font = SECTION_FONT
        else:
            table = write_table(ws, RANKING_COLUMNS, _ranking_rows(rows, trend), title=section, start_row=next_row)
        add_band_colors(ws, table.data_range("index_pct"), band_thresholds(data.bands.get(group)))
        next_row = max(table.last_row, table.header_row + 1) + 3
        tables.append(table)
        charts.append(ChartSource(table, "unit", "index_pct", f"Chỉ số CCHC (%): {group_label(group)}"))
    write_chart_sheet(wb, SHEET_CHARTS, charts, value_axis_title="%", maximum=100)
    return tables


# --- one sheet per unit -----------------------------------------------------------------------------------

DOMAIN_COLUMNS = (
    Column("Mã", "domain", 9, align="center"),
    Column("Lĩnh vực", "name", 50),
    Column("Điểm tối đa", "max_points", 10, "0.00"),
    Column("Điểm đạt", "points", 10, "0.00"),
    Column("Điểm mất", "points_lost", 10, "0.00"),
    Column("Trung bình nhóm", "group_average", 11, "0.00"),
)
CRITERIA_COLUMNS = (
    Column("Mã", "code", 9, align="center"),
    Column("Tiêu chí", "name", 50),
    Column("Cách chấm", "method", 14),
    Column("Điểm tối đa", "max_points", 10, "0.00"),
    Column("Tự chấm", "self_points", 10, "0.00"),
    Column("Thẩm định", "appraised_points", 11, "0.00"),
    Column("Khảo sát", "survey_points", 10, "0.00"),
    Column("Giá trị dữ liệu (%)", "computed_value", 11, "0.00"),
    Column("Điểm", "points", 10, "0.00"),
    Column("Điểm mất", "points_lost", 10, "0.00"),
    Column("Nguồn điểm", "source", 16),
    Column("Ghi chú", "flag", 16),
)
IMPROVE_COLUMNS = (
    Column("Mã", "code", 9, align="center"),
    Column("Tiêu chí", "name", 50),
    Column("Điểm mất", "points_lost", 10, "0.00"),
    Column("Điểm tối đa", "max_points", 10, "0.00"),
    Column("Điểm", "points", 10, "0.00"),
    Column("Nguồn điểm", "source", 16),
)
TEXT_COLUMNS = (Column("Mục", "what", 9), Column("Nội dung", "text", 50))


def unit_subtitles(unit: dict) -> list[str]:
    lines = [
        f"Nhóm xếp hạng: {group_label(unit.get('ranking_group'))}",
        f"Xếp hạng: {rank_label(unit.get('rank'), unit.get('is_tied'), unit.get('units_in_group'))}",
        f"Tổng điểm: {decimal_text(unit.get('total'))}/{decimal_text(unit.get('max_applicable'))} điểm (tối đa của các tiêu chí áp dụng)",
        f"Chỉ số: {decimal_text(unit.get('index_pct'))} %; Xếp loại: {band_label(unit) or '—'}",
        f"Trung bình nhóm: {decimal_text(unit.get('group_average_pct'))} %",
    ]
    if unit.get("assessment_flag"):
        lines.append(f"{unit['assessment_flag']}.")
    if unit.get("form_refused"):
        lines.append(
            f"Phiếu tự đánh giá bị từ chối: {unit['form_refused']}. Đơn vị không được xếp hạng, không xếp loại "
            "cho đến khi gửi lại phiếu đúng."
        )
    elif not unit.get("has_form"):
        lines.append("Đơn vị chưa nộp phiếu tự đánh giá dùng được.")
    elif unit.get("provisional"):
        lines.append(f"Kết quả {PROVISIONAL}: còn tiêu chí tự chấm chưa được thẩm định hoặc chưa có điểm điều tra xã hội học.")
    lines.append(generated_label())
    return lines


def improvement_rows(criteria: list[dict]) -> list[dict]:
    """Applicable criteria that lost points, largest loss first (then by code)."""
    lost = [c for c in criteria if c.get("applicable") and (c.get("points_lost") or 0) > 0]
    lost.sort(key=lambda c: (-c["points_lost"], code_key(c["code"])))
    return [
        {
            "code": c["code"],
            "name": c.get("name"),
            "max_points": c.get("max_points"),
            "points": c.get("points"),
            "points_lost": c["points_lost"],
            "source": SOURCES.get(c.get("source"), c.get("source")),
        }
        for c in lost
    ]


def _criteria_rows(criteria: list[dict]) -> list[dict]:
    rows = []
    for c in sorted(criteria, key=lambda c: code_key(c["code"])):
        rows.append(
            {
                **c,
                "method": METHOD_LABELS.get(c.get("method"), c.get("method")),
                "source": SOURCES.get(c.get("source"), c.get("source")),
                "flag": OVERCLAIM if c.get("overclaim") else None,
            }
        )
    return rows


def _write_unit(
    wb, name: str, data: ParData, unit: dict, domains: list[dict], criteria: list[dict], averages: dict[tuple[str, str], float]
) -> None:
    ws = wb.create_sheet(name)
    group = unit.get("ranking_group")
    domain_rows = [
        {**d, "group_average": averages.get((group, d["domain"]))} for d in sorted(domains, key=lambda d: code_key(d["domain"]))
    ]
    total = {
        "name": "Cộng",
        "max_points": unit.get("max_applicable"),
        "points": unit.get("total"),
        # A sum of floats carries noise (0.68 + 0.02 = 0.7000000000000001): the cell holds what it shows.
        "points_lost": round_half_up(sum(d.get("points_lost") or 0 for d in domains), 2),
    }
    table = write_table(
        ws,
        DOMAIN_COLUMNS,
        domain_rows,
        total=total,
        title=f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {data.year}: {nfc(unit.get('unit_name') or '')}",
        subtitles=unit_subtitles(unit),
    )
    ws.freeze_panes = None  # the header and domains would take half the screen
    table = write_table(ws, CRITERIA_COLUMNS, _criteria_rows(criteria), title="KẾT QUẢ THEO TIÊU CHÍ", start_row=row_after(table))
    table = write_table(
        ws,
        IMPROVE_COLUMNS,
        improvement_rows(criteria),
        title="ĐIỂM CÓ THỂ CẢI THIỆN",
        subtitles=["Các tiêu chí áp dụng bị mất điểm, mất nhiều điểm nhất trước"],
        empty_text="Không có tiêu chí nào bị mất điểm",
        start_row=row_after(table),
    )
    write_table(
        ws,
        TEXT_COLUMNS,
        [
            ("Khó khăn, vướng mắc", unit.get("difficulties") or "Không nêu"),
            ("Đề xuất, kiến nghị", unit.get("proposals") or "Không nêu"),
        ],
        title="KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT CỦA ĐƠN VỊ",
        start_row=row_after(table),
    )


# --- rejected data ----------------------------------------------------------------------------------------


def _order(source: str) -> int:
    return FILE_SOURCES.index(source) if source in FILE_SOURCES else len(FILE_SOURCES)


def problem_rows(data: ParData) -> list[dict]:
    """The rejected rows of the year's forms, appraisal and surveys, by source, file and row."""
    names = {r["unit_code"]: r["unit_name"] for r in frame_records(data.units)} if not data.units.empty else {}
    rows = [
        {
            "source": SOURCE_LABELS.get(r["source"], r["source"]),
            "file_name": r["file_name"],
            "row_number": r.get("row_number"),
            "unit": r.get("unit_name") or names.get(r.get("unit_code") or ""),
            "reason": r["reason"],
            "value": r.get("value"),
            "_key": (_order(r["source"]), r["file_name"], r.get("row_number") or 0, r["reason"]),
        }
        for r in frame_records(data.problems)
    ]
    return sorted(rows, key=lambda r: r["_key"])


def refused_rows(data: ParData) -> list[dict]:
    """The files not loaded (blocking file issues: not a workbook, broken, wrong year, a refused re-delivery …)."""
    rows = [
        {
            "source": SOURCE_LABELS.get(r["source"], r["source"]),
            "file_name": r["file_name"],
            "reason": r["reason"],
            "_key": (_order(r["source"]), r["file_name"], r["reason"]),
        }
        for r in frame_records(data.file_issues)
    ]
    return sorted(rows, key=lambda r: r["_key"])


def _write_problems(wb, data: ParData, units: list[dict]) -> None:
    ws = wb.create_sheet(SHEET_PROBLEMS)
    refused = [u for u in units if u.get("form_refused")]
    table = write_table(
        ws,
        (Column("Đơn vị", "unit", 38), Column("Phiếu bị từ chối (tệp: lý do)", "reason", 90)),
        [{"unit": u.get("unit_name"), "reason": u["form_refused"]} for u in units_alphabetical(refused)],
        title=f"DỮ LIỆU CHỈ SỐ CCHC NĂM {data.year} BỊ LOẠI",
        subtitles=[
            ("Đơn vị có phiếu bị từ chối được tính điểm không có phiếu, không xếp hạng; gửi lại phiếu đúng để được xếp hạng."),
            generated_label(),
            "I. ĐƠN VỊ CÓ PHIẾU BỊ TỪ CHỐI",
        ],
        empty_text="Không có đơn vị nào",
        freeze_columns=1,
    )
    ws.cell(row=table.header_row - 2, column=1).font = SECTION_FONT
    rows = write_table(
        ws,
        REJECTED_ROW_COLUMNS,
        problem_rows(data),
        title="II. CÁC DÒNG BỊ LOẠI",
        subtitles=["Dòng bị loại không được dùng để tính điểm."],
        empty_text="Không có dòng nào bị loại",
        start_row=max(table.last_row, table.first_row) + 3,
    )
    write_table(
        ws,
        REFUSED_FILE_COLUMNS,
        refused_rows(data),
        title="III. TỆP KHÔNG NẠP ĐƯỢC",
        subtitles=[
            (
                "Tệp không phải bảng tính, hỏng, sai năm, gửi lại bị từ chối…: không dòng nào của tệp được "
                "dùng (khi gửi lại bị từ chối, dữ liệu đã nạp trước đó được giữ)."
            )
        ],
        empty_text="Không có tệp nào",
        start_row=max(rows.last_row, rows.first_row) + 3,
    )


# --- the workbook -----------------------------------------------------------------------------------------


def write_par_workbook(path: Path, data: ParData, unit: str | None = None) -> Path:
    """The whole workbook (ranking + every unit), or with ``unit`` (a unit code) only that unit's sheet."""
    units = frame_records(data.units)
    flags = assessment_flags(data.criteria)
    for u in units:
        u["assessment_flag"] = flags.get(u["unit_code"]) if u.get("has_form") else None  # no form: said already
    if unit is not None:
        units = [u for u in units if u["unit_code"] == unit]
        if not units:
            raise ValueError(f"Không có kết quả Chỉ số CCHC năm {data.year} của đơn vị '{unit}'.")
    wb = new_workbook(f"Chỉ số cải cách hành chính năm {data.year}")
    if unit is None:
        _write_ranking(wb, data, units)
    ordered = units_alphabetical(units)
    names = unit_sheet_names(ordered, reserved=() if unit else (SHEET_RANKING, SHEET_PROBLEMS))
    domains, criteria = rows_by_unit(data.domains), rows_by_unit(data.criteria)
    averages = _domain_averages(data)
    for u in ordered:
        code = u["unit_code"]
        _write_unit(wb, names[code], data, u, domains.get(code, []), criteria.get(code, []), averages)
    if unit is None:
        _write_problems(wb, data, units)
    if not wb.sheetnames:  # a year without any unit: still a valid workbook
        _write_ranking(wb, data, [])
    return save_workbook(wb, path)
