"""The PAR index workbook (Chỉ số cải cách hành chính): rankings and one scorecard sheet per unit, for officials.

Sheets: "Xếp hạng" (provincial agencies, then communes and wards: total, maximum of the applicable criteria, index %,
band and status, a colour scale on the index and a bar chart per group), then one sheet per unit: its header
(rank, index, band, group average), its domains, every criterion with the self-assessed, appraised, survey and
computed points, the criteria where it lost the most points, and the difficulties and proposals it reported.
With ``unit=`` the workbook holds only that unit's sheet: the scorecard sent back to the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from common.units import RANKING_GROUP_LABELS
from common.vntext import nfc, sort_key
from scoring.criteria import SOURCES
from workbooks.style import (
    SECTION_FONT,
    Column,
    Table,
    add_bar_chart,
    add_color_scale,
    code_key,
    decimal_text,
    frame_records,
    generated_label,
    group_label,
    is_missing,
    new_workbook,
    rank_label,
    row_after,
    rows_by_unit,
    rows_under_chart,
    save_workbook,
    section_title,
    tree_files,
    unit_sheet_names,
    units_by_group,
    write_table,
)

SHEET_RANKING = "Xếp hạng"
PROVISIONAL = "(tạm tính)"
OVERCLAIM = "Tự chấm cao hơn dữ liệu"
STATUS_APPRAISED, STATUS_PROVISIONAL, STATUS_NO_FORM = "Đã thẩm định", "Tạm tính", "Chưa nộp phiếu"
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


def read_par_data(con: duckdb.DuckDBPyConnection, year: int) -> ParData:
    """Everything the workbook shows for one year, read from the warehouse (or its published snapshot)."""
    units = con.execute("""SELECT m.*, d.sort_order FROM mart_par_unit m LEFT JOIN dim_unit d USING (unit_code)
                           WHERE m.year = ?""", [year]).df()
    domains = con.execute("SELECT * FROM mart_par_domain WHERE year = ?", [year]).df()
    criteria = con.execute("SELECT * FROM mart_par_criterion WHERE year = ?", [year]).df()
    return ParData(year=year, units=units, domains=domains, criteria=criteria)


# --- small helpers ----------------------------------------------------------------------------------------


def status_label(unit: dict) -> str:
    if not unit.get("has_form"):
        return STATUS_NO_FORM
    return STATUS_PROVISIONAL if unit.get("provisional") else STATUS_APPRAISED


def band_label(unit: dict) -> str:
    band = unit.get("band") or ""
    if unit.get("provisional"):
        return f"{band} {PROVISIONAL}".strip()
    return band


def _alphabetical(units: list[dict]) -> list[dict]:
    """Unit sheets: agencies, then communes and wards, each in Vietnamese order (dim_unit.sort_order)."""
    order = list(RANKING_GROUP_LABELS)
    big = float("inf")
    return sorted(units, key=lambda r: (order.index(r["ranking_group"]) if r.get("ranking_group") in order else len(order),
                                        big if r.get("sort_order") is None else r["sort_order"],
                                        sort_key(r.get("unit_name") or "")))


def _domain_averages(data: ParData) -> dict[tuple[str, str], float]:
    """(ranking group, domain) -> average points of the group's units in that domain."""
    if data.domains.empty or data.units.empty:
        return {}
    merged = data.domains.merge(data.units[["unit_code", "ranking_group"]], on="unit_code", how="inner")
    means = merged.groupby(["ranking_group", "domain"])["points"].mean()
    return {k: round(float(v), 2) for k, v in means.items() if not is_missing(v)}


# --- sheet 1: ranking -------------------------------------------------------------------------------------

RANKING_COLUMNS = (
    Column("Hạng", "rank", 14, align="center"),
    Column("Đơn vị", "unit", 38),
    Column("Tổng điểm", "total", 11, "0.00"),
    Column("Điểm tối đa áp dụng", "max_applicable", 12, "0.00"),
    Column("Chỉ số (%)", "index_pct", 11, "0.00"),
    Column("Xếp loại", "band", 20),
    Column("Tình trạng", "status", 16, align="center"),
)


def ranking_notes(units: list[dict]) -> list[str]:
    trees = tree_files(units)
    tree_note = f"Bộ tiêu chí: tệp {trees}."
    if "default" in trees:
        tree_note = (f"Bộ tiêu chí: tệp {trees} (bộ mặc định), sẽ được thay bằng bộ tiêu chí theo quyết định "
                     "của UBND tỉnh khi ban hành.")
    return [
        tree_note,
        f"Kết quả còn điểm tự chấm chưa được thẩm định được ghi {PROVISIONAL} cho đến khi có kết quả thẩm định.",
        "Chỉ số (%) = tổng điểm / tổng điểm tối đa của các tiêu chí áp dụng cho đơn vị × 100.",
        generated_label(),
    ]


def _ranking_rows(rows: list[dict]) -> list[dict]:
    return [{"rank": rank_label(r.get("rank"), r.get("is_tied")), "unit": r.get("unit_name"),
             "total": r.get("total"), "max_applicable": r.get("max_applicable"), "index_pct": r.get("index_pct"),
             "band": band_label(r), "status": status_label(r)} for r in rows]


def _write_ranking(wb, data: ParData, units: list[dict]) -> list[Table]:
    ws = wb.create_sheet(SHEET_RANKING)
    tables: list[Table] = []
    next_row = 1
    for number, (group, rows) in enumerate(units_by_group(units), start=1):
        section = section_title(group, len(rows), number)
        if number == 1:
            table = write_table(ws, RANKING_COLUMNS, _ranking_rows(rows),
                                title=f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {data.year}",
                                subtitles=[*ranking_notes(units), section], freeze_columns=2)
            ws.cell(row=table.header_row - 2, column=1).font = SECTION_FONT
        else:
            table = write_table(ws, RANKING_COLUMNS, _ranking_rows(rows), title=section, start_row=next_row)
        add_color_scale(ws, table.data_range("index_pct"))
        chart = add_bar_chart(table, category_key="unit", value_keys=["index_pct"],
                              title=f"Chỉ số CCHC (%): {group_label(group)}", value_axis_title="%")
        chart_rows = rows_under_chart(chart)
        next_row = max(max(table.last_row, table.header_row + 1) + 3, table.header_row + chart_rows)
        tables.append(table)
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
    lines = [f"Nhóm xếp hạng: {group_label(unit.get('ranking_group'))}",
             f"Xếp hạng: {rank_label(unit.get('rank'), unit.get('is_tied'), unit.get('units_in_group'))}",
             f"Tổng điểm: {decimal_text(unit.get('total'))}/{decimal_text(unit.get('max_applicable'))} điểm (tối đa của các tiêu chí áp dụng)",
             f"Chỉ số: {decimal_text(unit.get('index_pct'))} %; Xếp loại: {band_label(unit) or '—'}",
             f"Trung bình nhóm: {decimal_text(unit.get('group_average_pct'))} %"]
    if not unit.get("has_form"):
        lines.append("Đơn vị chưa nộp phiếu tự đánh giá dùng được.")
    elif unit.get("provisional"):
        lines.append(f"Kết quả {PROVISIONAL}: còn tiêu chí tự chấm chưa được thẩm định.")
    lines.append(generated_label())
    return lines


def improvement_rows(criteria: list[dict]) -> list[dict]:
    """Applicable criteria that lost points, largest loss first (then by code)."""
    lost = [c for c in criteria if c.get("applicable") and (c.get("points_lost") or 0) > 0]
    lost.sort(key=lambda c: (-c["points_lost"], code_key(c["code"])))
    return [{"code": c["code"], "name": c.get("name"), "max_points": c.get("max_points"), "points": c.get("points"),
             "points_lost": c["points_lost"], "source": SOURCES.get(c.get("source"), c.get("source"))}
            for c in lost]


def _criteria_rows(criteria: list[dict]) -> list[dict]:
    rows = []
    for c in sorted(criteria, key=lambda c: code_key(c["code"])):
        rows.append({**c, "method": METHOD_LABELS.get(c.get("method"), c.get("method")),
                     "source": SOURCES.get(c.get("source"), c.get("source")),
                     "flag": OVERCLAIM if c.get("overclaim") else None})
    return rows


def _write_unit(wb, name: str, data: ParData, unit: dict, domains: list[dict], criteria: list[dict],
                averages: dict[tuple[str, str], float]) -> None:
    ws = wb.create_sheet(name)
    group = unit.get("ranking_group")
    domain_rows = [{**d, "group_average": averages.get((group, d["domain"]))}
                   for d in sorted(domains, key=lambda d: code_key(d["domain"]))]
    total = {"name": "Cộng", "max_points": unit.get("max_applicable"), "points": unit.get("total"),
             "points_lost": sum(d.get("points_lost") or 0 for d in domains)}
    table = write_table(ws, DOMAIN_COLUMNS, domain_rows, total=total,
                        title=f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {data.year}: {nfc(unit.get('unit_name') or '')}",
                        subtitles=unit_subtitles(unit))
    ws.freeze_panes = None  # the header and domains would take half the screen
    table = write_table(ws, CRITERIA_COLUMNS, _criteria_rows(criteria), title="KẾT QUẢ THEO TIÊU CHÍ",
                        start_row=row_after(table))
    table = write_table(ws, IMPROVE_COLUMNS, improvement_rows(criteria), title="ĐIỂM CÓ THỂ CẢI THIỆN",
                        subtitles=["Các tiêu chí áp dụng bị mất điểm, mất nhiều điểm nhất trước"],
                        empty_text="Không có tiêu chí nào bị mất điểm", start_row=row_after(table))
    write_table(ws, TEXT_COLUMNS, [("Khó khăn, vướng mắc", unit.get("difficulties") or "Không nêu"),
                                   ("Đề xuất, kiến nghị", unit.get("proposals") or "Không nêu")],
                title="KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT CỦA ĐƠN VỊ", start_row=row_after(table))


# --- the workbook -----------------------------------------------------------------------------------------

def write_par_workbook(path: Path, data: ParData, unit: str | None = None) -> Path:
    """The whole workbook (ranking + every unit), or with ``unit`` (a unit code) only that unit's sheet."""
    units = frame_records(data.units)
    if unit is not None:
        units = [u for u in units if u["unit_code"] == unit]
        if not units:
            raise ValueError(f"Không có kết quả Chỉ số CCHC năm {data.year} của đơn vị '{unit}'.")
    wb = new_workbook(f"Chỉ số cải cách hành chính năm {data.year}")
    if unit is None:
        _write_ranking(wb, data, units)
    ordered = _alphabetical(units)
    names = unit_sheet_names(ordered, reserved=() if unit else (SHEET_RANKING,))
    domains, criteria = rows_by_unit(data.domains), rows_by_unit(data.criteria)
    averages = _domain_averages(data)
    for u in ordered:
        code = u["unit_code"]
        _write_unit(wb, names[code], data, u, domains.get(code, []), criteria.get(code, []), averages)
    if not wb.sheetnames:  # a year without any unit: still a valid workbook
        _write_ranking(wb, data, [])
    return save_workbook(wb, path)
