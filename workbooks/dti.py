"""The DTI workbook (Chỉ số chuyển đổi số): summary, rankings, index profiles and one scorecard per unit, for officials.

Sheets: "Tổng hợp" (counts per ranking group and level), "Xếp hạng sở, ban, ngành" and "Xếp hạng xã, phường" (the
value 0..1 of every main index, total on 100, level, last year's total and the change, the 5–95 % rank interval of
the uncertainty analysis, a colour scale and a bar chart of the totals; the units without a usable form listed
apart, not ranked), "Hồ sơ chỉ số" (a radar chart of the main indices of the three first and three last units of
each group), "Trụ cột" (pillar values), "Dữ liệu lỗi" (rows rejected and files not loaded from the DTI sources, then apart the
components a form left unanswered and the other notes made while reading, none of which rejects anything),
"Phương pháp" (the computation in words), then one sheet per unit: its header, its main indices and every component,
where it lost the most points first within each main index.

With ``unit=`` the workbook holds only that unit's sheet: the scorecard sent back to the unit. The time written on
the sheets is the time the data was read (``DtiData.generated_at``), so the same data gives the same content.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from openpyxl.chart import RadarChart
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.settings import now_local
from common.units import RANKING_GROUP_LABELS
from common.vntext import nfc, sort_key
from scoring.criteria import SOURCES as POINT_SOURCES
from scoring.ranking import TIED, by_rank, group_label, rank_label, units_by_group
from scoring.rounding import round_half_up
from workbooks.excel import (
    FONT_NAME,
    FONT_SIZE,
    LINE_HEIGHT,
    RANK_COLUMNS,
    REFUSED_FILE_COLUMNS,
    REJECTED_ROW_COLUMNS,
    SECTION_FONT,
    ChartSource,
    Column,
    Table,
    add_band_colors,
    add_radar_chart,
    assessment_flags,
    band_thresholds,
    clean_value,
    code_key,
    decimal_text,
    frame_records,
    generated_label,
    is_default_tree,
    is_missing,
    merge_row,
    new_workbook,
    rank_cells,
    row_after,
    rows_by_unit,
    rows_under_chart,
    save_workbook,
    sheet_title,
    tree_names,
    unit_sheet_names,
    units_alphabetical,
    write_chart_sheet,
    write_table,
    write_text_sheet,
)

INDEX = "dti"
TITLE = "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM {year}"
SHEET_SUMMARY, SHEET_PROFILE, SHEET_PILLARS = "Tổng hợp", "Hồ sơ chỉ số", "Trụ cột"
SHEET_PROBLEMS, SHEET_METHOD = "Dữ liệu lỗi", "Phương pháp"
SHEET_CHARTS = "Biểu đồ xếp hạng"
RANKING_SHEETS = {"agency": "Xếp hạng sở, ban, ngành", "local": "Xếp hạng xã, phường"}
DEFAULT_TREE_NOTE = "Bộ chỉ số mặc định, sẽ thay bằng quyết định của UBND tỉnh"
PROVISIONAL = "tạm tính"
NO_FORM = "Chưa nộp phiếu / phiếu lỗi"
OVERCLAIM = "Tự đánh giá cao hơn dữ liệu"
REJECTED_EXTERNAL = 'Giá trị từ hệ thống khác bị loại (xem trang "Dữ liệu lỗi")'
GROUP_AVERAGE = "Trung bình nhóm"
PROFILE_SIZE = 3  # first and last units shown on the profile chart of each group

SOURCES = ("dti_form", "dti_appraisal", "dti_external", "dti_previous")  # quarantine and file_issues sources
SOURCE_LABELS = {  # where a row of the data problems sheet comes from
    "dti_form": "Phiếu tự đánh giá",
    "dti_appraisal": "Kết quả thẩm định",
    "dti_external": "Hệ thống khác",
    "dti_previous": "Kết quả năm trước",
}
METHOD_LABELS = {"self": "Tự đánh giá", "computed": "Tính từ dữ liệu", "external": "Hệ thống khác"}
# Order of the main indices when no tree tells it (QĐ 922 order, the plan's completion last).
INDEX_ORDER = ("NT", "TC", "HT", "NL", "AT", "HD", "KT", "XH", "KH")
PILLAR_ORDER = ("CQS", "KTS", "XHS")

_NOTE_FONT = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)


@dataclass(frozen=True)
class TreeBand:
    label: str
    min_pct: float  # total at or above which a unit is in this band


@dataclass(frozen=True)
class TreeDomain:
    code: str
    name: str
    scored_weight: float  # weight of the main index in the total


@dataclass(frozen=True)
class TreeSummary:
    """What the workbook says of a criteria tree, read from dim_criterion (the tree the scores were computed with)."""

    file: str
    decision: str
    default: bool
    domains: tuple[TreeDomain, ...]
    bands: tuple[TreeBand, ...]
    pillars: tuple[str, ...]  # pillar codes in the tree's order


@dataclass
class DtiData:
    year: int
    units: pd.DataFrame  # mart_dti_unit of the year + dim_unit.sort_order, group_label
    indices: pd.DataFrame  # mart_dti_index of the year
    pillars: pd.DataFrame  # mart_dti_pillar of the year
    components: pd.DataFrame  # mart_dti_component of the year
    problems: pd.DataFrame  # quarantine rows of the DTI sources (of the year, as far as the rows tell)
    file_issues: pd.DataFrame  # file_issues of the DTI sources
    trees: dict[str, TreeSummary | None] = field(default_factory=dict)  # ranking group -> tree (None: not scored)
    method_note: str | None = None  # the uncertainty analysis in one Vietnamese sentence
    generated_at: datetime | None = None  # when the data was read: the time written on the sheets
    no_form_files: dict[str, str] = field(default_factory=dict)  # unit without a usable form -> its rejected forms


# --- reading ----------------------------------------------------------------------------------------------

# The year's rows, by the year the loaders wrote on them: last year's published results are that year's; a form
# whose year could not be read (year NULL) concerns every year, as do the files that name no year of their own.
_OF_THE_YEAR = """
    source IN ('dti_form', 'dti_appraisal', 'dti_external', 'dti_previous')
    AND CASE WHEN source = 'dti_previous' THEN year = $year - 1
             WHEN source = 'dti_external' THEN year = $year
             ELSE year IS NULL OR year = $year END
"""


def _trees(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, TreeSummary | None]:
    """Ranking group -> the tree the year's DTI was scored with (dim_criterion); None for a group not scored."""
    rows = con.execute(
        """SELECT ranking_group, tree, decision, default_tree, kind, code, name, weight, bands
                          FROM dim_criterion WHERE year = ? AND index_code = 'dti' AND kind IN ('group', 'pillar')
                          ORDER BY ranking_group, position""",
        [year],
    ).fetchall()
    trees: dict[str, TreeSummary | None] = dict.fromkeys(RANKING_GROUP_LABELS)
    for group in RANKING_GROUP_LABELS:
        mine = [r for r in rows if r[0] == group]
        if not mine:
            continue
        first = mine[0]
        trees[group] = TreeSummary(
            file=first[1],
            decision=first[2] or "",
            default=bool(first[3]),
            domains=tuple(TreeDomain(r[5], r[6], r[7]) for r in mine if r[4] == "group"),
            bands=tuple(TreeBand(b["label"], b["min_value"]) for b in first[8] or ()),
            pillars=tuple(r[5] for r in mine if r[4] == "pillar"),
        )
    return trees


def read_dti_data(con: duckdb.DuckDBPyConnection, year: int, method_note: str | None = None) -> DtiData:
    """Everything the workbook shows for one year, read once from the warehouse (or its published snapshot)."""
    units = con.execute(
        """SELECT m.*, d.sort_order, d.group_label FROM mart_dti_unit m
                           LEFT JOIN dim_unit d USING (unit_code) WHERE m.year = ?
                           ORDER BY m.ranking_group, m.unit_code""",
        [year],
    ).df()
    indices = con.execute("SELECT * FROM mart_dti_index WHERE year = ? ORDER BY unit_code, main_index", [year]).df()
    pillars = con.execute("SELECT * FROM mart_dti_pillar WHERE year = ? ORDER BY unit_code, pillar", [year]).df()
    components = con.execute("SELECT * FROM mart_dti_component WHERE year = ? ORDER BY unit_code, code", [year]).df()
    params = {"year": year}
    problems = con.execute(
        f"""SELECT * FROM quarantine WHERE {_OF_THE_YEAR}
                               ORDER BY source, file_name, row_number NULLS FIRST, rule, reason""",
        params,
    ).df()
    issues = con.execute(
        f"""SELECT * FROM file_issues WHERE {_OF_THE_YEAR}
                             ORDER BY source, file_name, rule, reason""",
        params,
    ).df()
    no_form_files = dict(
        con.execute(
            """
        SELECT s.unit_code, string_agg(DISTINCT s.source_file, ', ' ORDER BY s.source_file)
        FROM stg_assessment_submission s JOIN mart_dti_unit m ON m.unit_code = s.unit_code AND m.year = s.year
        WHERE s.index_code = 'dti' AND s.year = ? AND NOT m.has_form GROUP BY s.unit_code""",
            [year],
        ).fetchall()
    )
    trees = _trees(con, year)
    return DtiData(
        year=year,
        units=units,
        indices=indices,
        pillars=pillars,
        components=components,
        problems=problems,
        file_issues=issues,
        trees=trees,
        method_note=method_note,
        generated_at=now_local(),
        no_form_files=no_form_files,
    )


# --- small helpers ----------------------------------------------------------------------------------------


def _signed(value: Any) -> str:
    """+3,50 / −2,00 / 0,00."""
    if is_missing(value):
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + decimal_text(abs(value))


def ranking_sheet_name(group: str) -> str:
    return sheet_title(RANKING_SHEETS.get(group) or f"Xếp hạng {group_label(group)}")


def interval_text(unit: dict) -> str | None:
    """'3–7' for the 5–95 % rank interval; '3' when both ends agree; None without an interval."""
    low, high = unit.get("rank_p05"), unit.get("rank_p95")
    if is_missing(low) or is_missing(high):
        return None
    low, high = int(low), int(high)
    return str(low) if low == high else f"{low}–{high}"


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(";") if n.strip()]


def _previous_names_note(unit: dict, names: list[str]) -> str | None:
    if unit.get("previous_merged"):
        return f"hợp nhất từ: {', '.join(names)}"
    renamed = unit.get("previous_renamed")  # the reader's judgement: spelling variants of the same name are not renames
    if is_missing(renamed):  # a mart written before the column: compare the names
        renamed = [nfc(n) for n in names] != [nfc(unit.get("unit_name") or "")]
    if renamed:
        return f"năm trước là {', '.join(names)}"
    return None


def previous_note(unit: dict) -> str | None:
    """'hợp nhất từ: A, B' (merged agencies: last year's total is their mean) or 'năm trước là tên cũ' (renamed), and
    'thiếu kết quả năm trước của: C' when some of last year's units have no result (the total is the others' mean).
    None without last year's total. A mart without ``previous_renamed`` or ``previous_missing`` is read as before."""
    if is_missing(unit.get("previous_total")):
        return None
    parts = []
    names = _names(unit.get("previous_names"))
    if names:
        parts.append(_previous_names_note(unit, names))
    missing = unit.get("previous_missing")
    missing = [] if is_missing(missing) else _names(str(missing))
    if missing:
        parts.append(f"thiếu kết quả năm trước của: {', '.join(missing)}")
    return "; ".join(p for p in parts if p) or None


def unit_note(unit: dict) -> str:
    """Ghi chú of a ranking row: tạm tính, missing components, last year's names."""
    parts = []
    if unit.get("provisional"):
        parts.append(PROVISIONAL)
    missing = unit.get("missing_components") or 0
    if missing:
        parts.append(f"thiếu {int(missing)} thành phần")
    previous = previous_note(unit)
    if previous:
        parts.append(previous)
    if unit.get("assessment_flag"):
        parts.append(unit["assessment_flag"])
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def level_label(unit: dict) -> str | None:
    level = unit.get("band")
    if not level:
        return None
    return f"{level} ({PROVISIONAL})" if unit.get("provisional") else level


def _ranked(unit: dict) -> bool:
    return not is_missing(unit.get("rank"))


def tree_note(units: list[dict], data: DtiData | None = None) -> str:
    decisions = {t.file: t.decision for t in (data.trees.values() if data else ()) if t is not None and t.decision}
    note = f"Bộ chỉ số: {tree_names(units, decisions)}."
    defaults = [t.file for t in (data.trees.values() if data else ()) if t is not None and t.default]
    if is_default_tree(units, defaults) and "thay bằng" not in note:  # the decision text may say so already
        note += f" {DEFAULT_TREE_NOTE}."
    return note


def _index_order(data: DtiData, group: str | None = None) -> dict[str, int]:
    """Main index code -> position: the tree's order, then the usual DTI order, then by code."""
    order: list[str] = []
    trees = [data.trees.get(group)] if group is not None else list(data.trees.values())
    for tree in trees:
        if tree is not None:
            order += [d.code for d in tree.domains if d.code not in order]
    order += [c for c in INDEX_ORDER if c not in order]
    return {c: i for i, c in enumerate(order)}


def main_indices(data: DtiData, codes: set[str], group: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the main indices of the given units (of a ranking group), in the tree's order."""
    if data.indices.empty:
        return []
    rows = data.indices[data.indices["unit_code"].isin(codes)]
    names: dict[str, str] = {}
    for code, name in rows[["main_index", "name"]].itertuples(index=False):
        names.setdefault(code, name)
    order = _index_order(data, group)
    return sorted(names.items(), key=lambda kv: (order.get(kv[0], len(order)), code_key(kv[0])))


def _values(data: DtiData) -> dict[tuple[str, str], float | None]:
    """(unit, main index) -> value 0..1."""
    return {(r["unit_code"], r["main_index"]): r.get("value") for r in frame_records(data.indices)}


def _index_key(code: str) -> str:
    return f"idx:{code}"


def _write_notes(ws: Worksheet, row: int, lines: Sequence[str], n_cols: int) -> int:
    """Italic lines merged across the table's width, from ``row``; returns the next free row."""
    width = sum((ws.column_dimensions[get_column_letter(i)].width or 10) for i in range(1, max(n_cols, 1) + 1))
    for text in lines:
        cell = ws.cell(row=row, column=1, value=clean_value(text))
        cell.font = _NOTE_FONT
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        if n_cols > 1:
            merge_row(ws, row, 1, n_cols)
        lines_needed = max(1, -(-len(text) // max(1, int(width * 1.1))))
        ws.row_dimensions[row].height = LINE_HEIGHT * lines_needed + 2
        row += 1
    return row


def _levels(data: DtiData, units: list[dict]) -> list[str]:
    """Level labels in the trees' order (best first), then any other level of the data."""
    labels: list[str] = []
    for tree in data.trees.values():
        if tree is not None:
            labels += [b.label for b in tree.bands if b.label not in labels]
    labels += sorted({u["band"] for u in units if u.get("band") and u["band"] not in labels}, key=sort_key)
    return labels


# --- sheet 1: summary -------------------------------------------------------------------------------------


def summary_columns(levels: Sequence[str]) -> tuple[Column, ...]:
    return (
        Column("Nhóm xếp hạng", "group", 24),
        Column("Số đơn vị", "units", 10, "#,##0"),
        Column("Có phiếu dùng được", "with_form", 11, "#,##0"),
        Column("Được xếp hạng", "ranked", 11, "#,##0"),
        Column("Tạm tính", "provisional", 10, "#,##0"),
        Column("Điểm trung bình", "average", 11, "0.00"),
        *(Column(level, f"level:{level}", 11, "#,##0") for level in levels),
    )


def summary_rows(data: DtiData, units: list[dict]) -> tuple[list[dict], dict]:
    levels = _levels(data, units)
    rows = []
    for group, members in units_by_group(units):
        ranked = [u for u in members if _ranked(u)]
        averages = [u["group_average"] for u in members if not is_missing(u.get("group_average"))]
        average = (
            averages[0] if averages else (round_half_up(sum(u["total"] for u in ranked) / len(ranked), 2) if ranked else None)
        )
        row = {
            "group": group_label(group),
            "units": len(members),
            "with_form": sum(bool(u.get("has_form")) for u in members),
            "ranked": len(ranked),
            "provisional": sum(bool(u.get("provisional")) for u in ranked),
            "average": average,
        }
        row.update({f"level:{level}": sum(u.get("band") == level for u in ranked) for level in levels})
        rows.append(row)
    total = {
        "group": "Cộng",
        **{k: sum(r[k] for r in rows) for k in ("units", "with_form", "ranked", "provisional")},
        **{f"level:{level}": sum(r[f"level:{level}"] for r in rows) for level in levels},
    }
    return rows, total


def _write_summary(wb, data: DtiData, units: list[dict]) -> Table:
    ws = wb.create_sheet(SHEET_SUMMARY)
    levels = _levels(data, units)
    rows, total = summary_rows(data, units)
    subtitles = [
        tree_note(units, data),
        "Sở, ban, ngành và xã, phường được đánh giá theo bộ chỉ số riêng và xếp hạng riêng.",
        generated_label(data.generated_at),
    ]
    table = write_table(ws, summary_columns(levels), rows, total=total, title=TITLE.format(year=data.year), subtitles=subtitles)
    counts = problem_counts(data)
    notes = [
        (
            "Có phiếu dùng được: đơn vị đã nộp phiếu tự đánh giá đọc được. Đơn vị chưa nộp phiếu hoặc phiếu lỗi không "
            "được xếp hạng, được liệt kê riêng dưới bảng xếp hạng của nhóm."
        ),
        (
            "Tạm tính: còn thành phần tự đánh giá chưa được thẩm định. Số đơn vị theo xếp loại và điểm trung bình tính "
            "trên các đơn vị được xếp hạng."
        ),
        problems_summary(counts),
        f'Cách tính, xếp loại và phân tích độ bất định của thứ hạng: trang "{SHEET_METHOD}".',
    ]
    _write_notes(ws, (table.total_row or table.last_row) + 2, notes, len(table.columns))
    return table


# --- sheets 2-3: one ranking per group --------------------------------------------------------------------


def ranking_columns(indices: Sequence[tuple[str, str]]) -> tuple[Column, ...]:
    return (
        *RANK_COLUMNS,
        Column("Đơn vị", "unit", 34),
        *(Column(f"{name} ({code})", _index_key(code), 11, "0.0000") for code, name in indices),
        Column("Tổng điểm", "total", 10, "0.00"),
        Column("Xếp loại", "level", 13),
        Column("Năm trước", "previous_total", 10, "0.00"),
        Column("Thay đổi", "change", 10, "+0.00;-0.00;0.00"),
        Column("Khoảng xếp hạng (5–95%)", "interval", 12, align="center"),
        Column("Hạng trung vị", "rank_median", 10, "0.0"),
        Column("Tỷ lệ giữ hạng (%)", "share_same_rank", 10, "0%"),
        Column("Ghi chú", "note", 30),
    )


UNRANKED_COLUMNS = (
    Column("STT", "no", 13, align="center"),
    Column("Đơn vị", "unit", 34),
    Column("Tình trạng", "status", 40),
)


def ranking_rows(
    units: list[dict], indices: Sequence[tuple[str, str]], values: dict[tuple[str, str], float | None]
) -> list[dict]:
    rows = []
    for u in units:
        row = {
            **rank_cells(u.get("rank"), u.get("is_tied")),
            "unit": u.get("unit_name"),
            "total": u.get("total"),
            "level": u.get("band"),
            "previous_total": u.get("previous_total"),
            "change": u.get("change"),
            "interval": interval_text(u),
            "rank_median": u.get("rank_median"),
            "share_same_rank": u.get("share_same_rank"),
            "note": unit_note(u) or None,
        }
        row.update({_index_key(code): values.get((u["unit_code"], code)) for code, _ in indices})
        rows.append(row)
    return rows


def no_form_status(data: DtiData, unit: dict) -> str:
    if unit.get("has_form"):
        return "Chưa xếp hạng"
    if unit.get("form_refused"):  # why the current form was refused (mart_dti_unit.form_refused)
        return f"Phiếu bị từ chối: {unit['form_refused']}"
    files = data.no_form_files.get(unit["unit_code"])
    return f"Phiếu bị từ chối: {files}" if files else "Chưa nộp phiếu"


def _ranking_subtitles(data: DtiData, group: str, units: list[dict]) -> list[str]:
    return [
        tree_note(units, data),
        (
            "Giá trị mỗi chỉ số chính từ 0 đến 1 (điểm đạt / điểm tối đa của các thành phần áp dụng); tổng điểm thang "
            "100 = bình quân gia quyền giá trị các chỉ số chính × 100."
        ),
        (f'Đơn vị bằng điểm được cùng hạng (ghi "{TIED}"); kết quả còn điểm tự đánh giá chưa thẩm định ghi "{PROVISIONAL}".'),
        generated_label(data.generated_at),
    ]


def _uncertainty_notes(data: DtiData) -> list[str]:
    what = (
        "Khoảng xếp hạng (5–95%), hạng trung vị và tỷ lệ giữ hạng: kết quả phân tích độ bất định, cho biết thứ "
        "hạng công bố có vững khi trọng số và cách tính thành phần thiếu dữ liệu thay đổi; không thay thế thứ "
        "hạng công bố."
    )
    return [what, data.method_note or "Chưa có mô tả phân tích độ bất định."]


def _write_ranking(wb, data: DtiData, group: str, units: list[dict]) -> Table:
    ws = wb.create_sheet(ranking_sheet_name(group))
    codes = {u["unit_code"] for u in units}
    indices = main_indices(data, codes, group)
    ranked = [u for u in units if _ranked(u)]
    unranked = [u for u in units if not _ranked(u)]
    label = group_label(group)
    table = write_table(
        ws,
        ranking_columns(indices),
        ranking_rows(ranked, indices, _values(data)),
        title=f"XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ {label.upper()} NĂM {data.year}",
        subtitles=_ranking_subtitles(data, group, units),
        freeze_columns=3,
        empty_text="Chưa có đơn vị nào được xếp hạng",
    )
    tree = data.trees.get(group)
    bands = [(b.label, b.min_pct) for b in tree.bands] if tree is not None else None
    add_band_colors(ws, table.data_range("total"), band_thresholds(bands))
    for code, _ in indices:  # values 0..1 against bands in points of 100
        add_band_colors(ws, table.data_range(_index_key(code)), band_thresholds(bands, 1.0, scale=0.01))
    row = max(table.last_row, table.first_row) + 2
    n_cols = len(table.columns)
    row = _write_notes(ws, row, _uncertainty_notes(data), n_cols) + 1
    if unranked:
        listed = write_table(
            ws,
            UNRANKED_COLUMNS,
            [{"no": i, "unit": u.get("unit_name"), "status": no_form_status(data, u)} for i, u in enumerate(unranked, start=1)],
            title=f"{NO_FORM.upper()} (không xếp hạng): {len(unranked)} đơn vị",
            start_row=row,
        )
        ws.cell(row=listed.header_row - 2, column=1).alignment = Alignment(horizontal="left")
        row = listed.last_row + 3
    return table


# --- profile and pillars ----------------------------------------------------------------------------------


def profile_units(units: list[dict], size: int = PROFILE_SIZE) -> list[dict]:
    """The ``size`` first and ``size`` last ranked units (each once; all of them in a small group)."""
    ranked = [u for u in by_rank(units) if _ranked(u)]
    if len(ranked) <= 2 * size:
        return ranked
    return ranked[:size] + ranked[-size:]


def _write_profiles(wb, data: DtiData, units: list[dict]) -> list[RadarChart]:
    ws = wb.create_sheet(SHEET_PROFILE)
    values = _values(data)
    charts: list[RadarChart] = []
    row = 1
    for number, (group, members) in enumerate(units_by_group(units), start=1):
        chosen = profile_units(members)
        ranked = [u for u in members if _ranked(u)]
        indices = main_indices(data, {u["unit_code"] for u in members}, group)
        columns = (
            Column("Mã", "code", 7, align="center"),
            Column("Chỉ số chính", "name", 28),
            *(
                Column(f"{int(u['rank'])}. {nfc(u.get('unit_name') or u['unit_code'])}", u["unit_code"], 14, "0.0000")
                for u in chosen
            ),
            Column(GROUP_AVERAGE, "_average", 12, "0.0000"),
        )
        rows = []
        for code, name in indices:
            row_values = {u["unit_code"]: values.get((u["unit_code"], code)) for u in chosen}
            group_values = [v for u in ranked if (v := values.get((u["unit_code"], code))) is not None]
            average = round_half_up(sum(group_values) / len(group_values), 4) if group_values else None
            rows.append({"code": code, "name": name, **row_values, "_average": average})
        title = f"{number}. HỒ SƠ CHỈ SỐ CHÍNH: {group_label(group).upper()} NĂM {data.year}"
        who = (
            f"{PROFILE_SIZE} đơn vị dẫn đầu và {PROFILE_SIZE} đơn vị cuối bảng xếp hạng"
            if len(chosen) == 2 * PROFILE_SIZE and len(ranked) > 2 * PROFILE_SIZE
            else f"cả {len(chosen)} đơn vị được xếp hạng"
        )
        subtitles = [f"Giá trị 0..1 của {who}, cùng trung bình các đơn vị được xếp hạng của nhóm."]
        if number == 1:
            subtitles.append(generated_label(data.generated_at))
        table = write_table(
            ws,
            columns,
            rows if chosen else [],
            title=title,
            subtitles=subtitles,
            start_row=row,
            empty_text="Chưa có đơn vị nào được xếp hạng",
        )
        chart = (
            add_radar_chart(
                table,
                category_key="name",
                value_keys=[u["unit_code"] for u in chosen] + ["_average"],
                title=f"Hồ sơ chỉ số chính: {group_label(group)}",
            )
            if chosen
            else None
        )
        if chart is not None:
            charts.append(chart)
        row = max(max(table.last_row, table.first_row) + 3, table.header_row + rows_under_chart(chart))
    return charts


def _write_pillars(wb, data: DtiData, units: list[dict]) -> None:
    ws = wb.create_sheet(SHEET_PILLARS)
    names: dict[str, str] = {}
    for code, name in data.pillars[["pillar", "name"]].itertuples(index=False):
        names.setdefault(code, name)
    order: list[str] = []
    for tree in data.trees.values():
        if tree is not None:
            order += [p for p in tree.pillars if p not in order]
    order += [c for c in PILLAR_ORDER if c not in order]
    pillars = sorted(names, key=lambda c: (order.index(c) if c in order else len(order), c))
    values = {(r["unit_code"], r["pillar"]): r.get("value") for r in frame_records(data.pillars)}
    columns = (
        *RANK_COLUMNS,
        Column("Đơn vị", "unit", 34),
        *(Column(f"{names[p]} ({p})", f"p:{p}", 14, "0.0000") for p in pillars),
        Column("Tổng điểm", "total", 10, "0.00"),
    )
    row = 1
    for number, (group, members) in enumerate(units_by_group(units), start=1):
        rows = [
            {
                **rank_cells(u.get("rank"), u.get("is_tied")),
                "unit": u.get("unit_name"),
                "total": u.get("total"),
                **{f"p:{p}": values.get((u["unit_code"], p)) for p in pillars},
            }
            for u in members
        ]
        title = f"{number}. TRỤ CỘT CHUYỂN ĐỔI SỐ: {group_label(group).upper()} NĂM {data.year}"
        subtitles = (
            [
                (
                    "Giá trị trụ cột (0..1): bình quân gia quyền giá trị các chỉ số chính của trụ cột; ô trống: trụ "
                    "cột không áp dụng cho nhóm."
                )
            ]
            if number == 1
            else []
        )
        table = write_table(ws, columns, rows, title=title, subtitles=subtitles, start_row=row, freeze_columns=3)
        row = max(table.last_row, table.first_row) + 3


# --- the data problems sheet ------------------------------------------------------------------------------

UNANSWERED_COLUMNS = (
    Column("Đơn vị", "unit", 26),
    Column("Tệp", "file_name", 30),
    Column("Mã", "code", 8, align="center"),
    Column("Thành phần", "name", 34),
    Column("Lý do", "reason", 50),
)
UNANSWERED_RULE = "blank_score"  # file_issues.rule of a component left unanswered in a form that was loaded


def problem_rows(data: DtiData) -> list[dict]:
    names = (
        {r["unit_code"]: r["unit_name"] for r in frame_records(data.units[["unit_code", "unit_name"]])}
        if not data.units.empty
        else {}
    )
    rows = []
    for r in frame_records(data.problems):
        unit = r.get("unit_name") or names.get(r.get("unit_code") or "") or r.get("unit_code")
        rows.append(
            {
                "source": SOURCE_LABELS.get(r["source"], r["source"]),
                "file_name": r["file_name"],
                "row_number": r.get("row_number"),
                "unit": unit,
                "reason": r["reason"],
                "value": r.get("value"),
                "_order": SOURCES.index(r["source"]) if r["source"] in SOURCES else len(SOURCES),
            }
        )
    rows.sort(key=lambda r: (r["_order"], r["file_name"], r["row_number"] or 0, r["reason"]))
    return rows


def _split_issues(data: DtiData) -> tuple[list[dict], list[dict], list[dict]]:
    """file_issues as (blocking: the file was not loaded, components left unanswered, other notes)."""
    blocking, unanswered, notes = [], [], []
    for r in frame_records(data.file_issues):
        if r.get("blocking"):
            blocking.append(r)
        elif r.get("rule") == UNANSWERED_RULE:
            unanswered.append(r)
        else:
            notes.append(r)
    return blocking, unanswered, notes


def problem_counts(data: DtiData) -> dict[str, int]:
    """rows rejected, files not loaded, components left unanswered, other notes."""
    blocking, unanswered, notes = _split_issues(data)
    return {"rows": len(data.problems), "files": len(blocking), "unanswered": len(unanswered), "notes": len(notes)}


def problems_summary(counts: dict[str, int]) -> str:
    """The summary's line on the data problems sheet."""
    if not any(counts.values()):
        return "Không có dòng dữ liệu nào bị loại, không có tệp nào không nạp được."
    return (
        f"Dữ liệu lỗi: {counts['rows']} dòng bị loại; {counts['files']} tệp không nạp được; "
        f"{counts['unanswered']} thành phần chưa trả lời; {counts['notes']} ghi chú khi đọc tệp (xem trang "
        f'"{SHEET_PROBLEMS}").'
    )


def _source_rows(issues: list[dict]) -> list[dict]:
    rows = [
        {
            "source": SOURCE_LABELS.get(r["source"], r["source"]),
            "file_name": r["file_name"],
            "reason": r["reason"],
            "_order": SOURCES.index(r["source"]) if r["source"] in SOURCES else len(SOURCES),
        }
        for r in issues
    ]
    rows.sort(key=lambda r: (r["_order"], r["file_name"], r["reason"]))
    return rows


def issue_rows(data: DtiData) -> list[dict]:
    """The files that could not be loaded (blocking file issues)."""
    return _source_rows(_split_issues(data)[0])


def note_rows(data: DtiData) -> list[dict]:
    """Notes made while reading that reject nothing (other than the unanswered components)."""
    return _source_rows(_split_issues(data)[2])


def unanswered_rows(data: DtiData) -> list[dict]:
    """Components a loaded form left unanswered: unit (by the form's file), file, component code and name, reason."""
    names = (
        {r["unit_code"]: r["unit_name"] for r in frame_records(data.units[["unit_code", "unit_name"]])}
        if not data.units.empty
        else {}
    )
    components = (
        {(r["unit_code"], r["code"]): r.get("name") for r in frame_records(data.components)} if not data.components.empty else {}
    )
    rows = []
    for r in _split_issues(data)[1]:
        unit, code = _text_or_none(r.get("unit_code")), _text_or_none(r.get("criterion_code"))  # written by the loader
        rows.append(
            {
                "unit": names.get(unit or "", unit),
                "file_name": r["file_name"],
                "code": code,
                "name": components.get((unit, code)),
                "reason": r["reason"],
            }
        )
    rows.sort(key=lambda r: (sort_key(r["unit"] or ""), r["file_name"], code_key(r["code"] or ""), r["reason"]))
    return rows


def _write_problems(wb, data: DtiData) -> Table:
    ws = wb.create_sheet(SHEET_PROBLEMS)
    table = write_table(
        ws,
        REJECTED_ROW_COLUMNS,
        problem_rows(data),
        title=f"DỮ LIỆU DTI NĂM {data.year} BỊ LOẠI",
        subtitles=[
            (
                "Phiếu tự đánh giá, kết quả thẩm định, giá trị do hệ thống khác cung cấp và kết quả năm trước: "
                "dòng bị loại không được dùng để tính điểm; thành phần tương ứng được coi là thiếu dữ liệu."
            ),
            generated_label(data.generated_at),
            "I. CÁC DÒNG BỊ LOẠI",
        ],
        empty_text="Không có dòng nào bị loại",
        freeze_columns=2,
    )
    ws.cell(row=table.header_row - 2, column=1).font = SECTION_FONT
    files = write_table(
        ws,
        REFUSED_FILE_COLUMNS,
        issue_rows(data),
        title="II. TỆP KHÔNG NẠP ĐƯỢC",
        subtitles=["Tệp rỗng, thiếu cột, sai năm, trùng nội dung…: không dòng nào của tệp được dùng."],
        empty_text="Không có tệp nào",
        start_row=max(table.last_row, table.first_row) + 3,
    )
    unanswered = write_table(
        ws,
        UNANSWERED_COLUMNS,
        unanswered_rows(data),
        title="III. THÀNH PHẦN CHƯA TRẢ LỜI",
        subtitles=[
            (
                "Phiếu tự đánh giá đã nạp nhưng để trống câu trả lời của thành phần: không dòng nào bị loại; thành "
                "phần được coi là thiếu dữ liệu (0 điểm)."
            )
        ],
        empty_text="Không có thành phần nào",
        start_row=max(files.last_row, files.first_row) + 3,
    )
    write_table(
        ws,
        REFUSED_FILE_COLUMNS,
        note_rows(data),
        title="IV. GHI CHÚ KHI ĐỌC TỆP",
        subtitles=["Những điểm cần lưu ý khi đọc tệp, không làm loại dòng hay tệp nào."],
        empty_text="Không có ghi chú",
        start_row=max(unanswered.last_row, unanswered.first_row) + 3,
    )
    return table


# --- the method sheet -------------------------------------------------------------------------------------


def _text_or_none(value: Any) -> str | None:
    return None if is_missing(value) else str(value)


def _band_lines(tree: TreeSummary) -> list[str]:
    lines, upper = [], None
    for band in tree.bands:
        low = decimal_text(band.min_pct).replace(",00", "")
        if upper is None:
            lines.append(f"{band.label}: từ {low} điểm trở lên")
        elif band.min_pct <= 0:
            lines.append(f"{band.label}: dưới {upper} điểm")
        else:
            lines.append(f"{band.label}: từ {low} đến dưới {upper} điểm")
        upper = low
    return lines


PLAN_FORMULA = "plan_tasks_on_time_rate"  # in the data source of the components from the plan-task stream


def sparse_components(data: DtiData) -> list[dict]:
    """The components computed from the data that could not be measured for most of the units they apply to:
    code, name, data_source, measured, units; in code order."""
    if data.components.empty:
        return []
    seen: dict[str, dict] = {}
    for c in frame_records(data.components):
        if c.get("method") != "computed" or not c.get("applicable") or c.get("source") == "not_applicable":
            continue
        row = seen.setdefault(
            c["code"],
            {"code": c["code"], "name": c.get("name"), "data_source": c.get("data_source") or "", "measured": 0, "units": 0},
        )
        row["units"] += 1
        row["measured"] += c.get("source") != "not_measured"
    return sorted((r for r in seen.values() if r["measured"] * 2 < r["units"]), key=lambda r: code_key(r["code"]))


def not_measured_lines(data: DtiData) -> list[str]:
    """A sentence on the components that cannot be measured for most units (those of the plan-task stream first)."""
    lines = []
    for c in sparse_components(data):
        what = f"Thành phần {c['code']} ({c['name']})" if c.get("name") else f"Thành phần {c['code']}"
        counted = f"năm {data.year} đo được cho {c['measured']}/{c['units']} đơn vị"
        if PLAN_FORMULA in c["data_source"]:
            tasks = "nhiệm vụ chuyển đổi số" if f"dt_{PLAN_FORMULA}" in c["data_source"] else "nhiệm vụ"
            lines.append(
                f"{what} tính từ theo dõi tiến độ nhiệm vụ kế hoạch, chỉ đo được cho đơn vị được giao chủ trì "
                f"{tasks} trong các kế hoạch mà hệ thống đang theo dõi (hiện là kế hoạch của Sở Khoa học và "
                f'Công nghệ; {counted}). Với các đơn vị khác, thành phần này "không đo được" và được loại '
                "khỏi điểm tối đa của chỉ số chính: đơn vị không bị mất điểm."
            )
        else:
            lines.append(
                f"{what} tính từ dữ liệu của kho, chỉ đo được cho đơn vị có dữ liệu ({counted}). Với các đơn "
                'vị khác, thành phần này "không đo được" và được loại khỏi điểm tối đa của chỉ số chính: '
                "đơn vị không bị mất điểm."
            )
    return lines or [
        (
            'Thành phần tính từ dữ liệu "không đo được" cho một đơn vị (không có hồ sơ, không chủ trì '
            "nhiệm vụ nào) được loại khỏi điểm tối đa của chỉ số chính: đơn vị không bị mất điểm."
        )
    ]


def method_sections(data: DtiData) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    trees = [(g, t) for g, t in data.trees.items() if t is not None]
    tree_lines = []
    for group, tree in trees:
        weights = "; ".join(
            f"{d.code} {d.name}: trọng số {decimal_text(d.scored_weight).replace(',00', '')}" for d in tree.domains
        )
        line = f"{group_label(group)}: {tree.decision}. Chỉ số chính: {weights}."
        if tree.default:
            line += f" {DEFAULT_TREE_NOTE}."
        tree_lines.append(line)
    if not trees:
        tree_lines.append(f"Chưa có bộ chỉ số DTI năm {data.year} trong thư mục methodology/dti.")
    sections.append(("Bộ chỉ số", tree_lines))
    sections.append(
        (
            "Cách tính (như Quyết định 922/QĐ-BTTTT)",
            [
                (
                    "Mỗi thành phần được chấm điểm theo nguồn của nó: câu trả lời trong phiếu tự đánh giá (điểm thẩm định thay "
                    "điểm tự đánh giá khi đã có; chưa thẩm định thì kết quả là tạm tính), giá trị tính từ dữ liệu của kho (hồ sơ "
                    "thủ tục hành chính, nhiệm vụ kế hoạch) hoặc giá trị do hệ thống khác của tỉnh cung cấp."
                ),
                (
                    "Giá trị chỉ số chính (từ 0 đến 1) = tổng điểm đạt / tổng điểm tối đa của các thành phần áp dụng cho đơn vị. "
                    "Thành phần không áp dụng cho nhóm đơn vị, hoặc không đo được cho đơn vị (ví dụ đơn vị không có hồ sơ nào), "
                    "được loại khỏi mẫu số; chỉ số chính không có thành phần nào áp dụng được loại khỏi bình quân."
                ),
                "Tổng điểm (thang 100) = Σ (trọng số × giá trị chỉ số chính) / Σ trọng số × 100; Chỉ số DTI = tổng điểm / 100.",
                (
                    "Giá trị trụ cột (chính quyền số, kinh tế số, xã hội số) = bình quân gia quyền giá trị các chỉ số chính "
                    "thuộc trụ cột."
                ),
            ],
        )
    )
    band_lines: list[str] = []
    for group, tree in trees:
        band_lines.append(f"{group_label(group)}: " + "; ".join(_band_lines(tree)) + ".")
    sections.append(("Xếp loại", band_lines or ["Chưa có ngưỡng xếp loại."]))
    sections.append(
        (
            "Thành phần thiếu dữ liệu và xếp hạng",
            [
                (
                    "Thành phần áp dụng nhưng thiếu dữ liệu (chưa trả lời, giá trị của hệ thống khác bị loại hoặc không có) được "
                    "tính 0 điểm trong bảng xếp hạng công bố; số thành phần thiếu được ghi ở cột Ghi chú."
                ),
                (
                    "Sở, ban, ngành và xã, phường được xếp hạng riêng theo tổng điểm làm tròn 2 chữ số, từ cao xuống thấp; đơn vị "
                    f'bằng điểm được cùng hạng (ghi "{TIED}"), hạng kế tiếp bỏ qua số tương ứng (1, 2, 2, 4).'
                ),
                (f'Đơn vị chưa nộp phiếu tự đánh giá hoặc phiếu lỗi không được xếp hạng và được liệt kê riêng ("{NO_FORM}").'),
            ],
        )
    )
    sections.append(("Thành phần không đo được", not_measured_lines(data)))
    sections.append(
        (
            "Phân tích độ bất định của thứ hạng",
            [
                data.method_note or "Chưa có mô tả phân tích độ bất định.",
                (
                    "Khoảng xếp hạng (5–95%): 90% số lần tính lại cho thứ hạng trong khoảng này; hạng trung vị: thứ hạng ở giữa "
                    "các lần tính lại; tỷ lệ giữ hạng: tỷ lệ số lần tính lại cho đúng thứ hạng công bố. Khoảng hẹp nghĩa là thứ "
                    "hạng vững; khoảng rộng nghĩa là thứ hạng phụ thuộc nhiều vào trọng số và dữ liệu còn thiếu."
                ),
            ],
        )
    )
    sections.append(
        (
            "So sánh với năm trước",
            [
                (
                    "Năm trước: tổng điểm DTI đã công bố năm trước của đơn vị; Thay đổi = tổng điểm năm nay − năm trước (chỉ với "
                    "đơn vị có phiếu dùng được)."
                ),
                (
                    "Đơn vị hình thành do hợp nhất năm 2025 được so với trung bình cộng tổng điểm năm trước của các đơn vị cũ "
                    '(ghi "hợp nhất từ: …"); đơn vị đổi tên được so với kết quả theo tên cũ.'
                ),
                (
                    "Đơn vị hợp nhất thiếu kết quả năm trước của một đơn vị cũ: so với trung bình các đơn vị cũ còn lại, có ghi "
                    'chú ("thiếu kết quả năm trước của: …").'
                ),
            ],
        )
    )
    sections.append(
        (
            "Dữ liệu lỗi",
            [
                (
                    f'Trang "{SHEET_PROBLEMS}" liệt kê các dòng bị loại và các tệp không nạp được của phiếu tự đánh giá, kết '
                    "quả thẩm định, giá trị do hệ thống khác cung cấp và kết quả năm trước, kèm lý do; các dòng này không được "
                    "dùng để tính điểm. Trang cũng liệt kê riêng các thành phần phiếu để trống (được coi là thiếu dữ liệu) và "
                    "các ghi chú khi đọc tệp (không làm loại dòng nào)."
                ),
            ],
        )
    )
    return sections


# --- one sheet per unit -----------------------------------------------------------------------------------

INDEX_COLUMNS = (
    Column("Mã", "main_index", 8, align="center"),
    Column("Chỉ số chính", "name", 34),
    Column("Trọng số", "weight", 9, "0.##"),
    Column("Điểm tối đa", "max_points", 9, "0.00"),
    Column("Điểm đạt", "points", 9, "0.00"),
    Column("Giá trị (0–1)", "value", 10, "0.0000"),
    Column("Điểm mất", "points_lost", 9, "0.00"),
    Column("Thành phần thiếu dữ liệu", "missing_components", 11, "0"),
    Column("Trung bình nhóm (0–1)", "group_average", 11, "0.0000"),
)
COMPONENT_COLUMNS = (
    Column("Chỉ số chính", "main_index", 8, align="center"),
    Column("Mã", "code", 8, align="center"),
    Column("Thành phần", "name", 34),
    Column("Nguồn dữ liệu", "data_source", 18),
    Column("Trả lời / giá trị", "answer", 14),
    Column("Tự đánh giá (điểm)", "self_points", 9, "0.00"),
    Column("Thẩm định (điểm)", "appraised_points", 9, "0.00"),
    Column("Điểm", "points", 9, "0.00"),
    Column("Tối đa", "max_points", 9, "0.00"),
    Column("Điểm mất", "points_lost", 9, "0.00"),
    Column("Tình trạng", "status", 14),
    Column("Ghi chú", "flag", 20),
)


def unit_subtitles(data: DtiData, unit: dict) -> list[str]:
    rank = rank_label(unit.get("rank"), unit.get("is_tied"), unit.get("units_in_group"))
    if not _ranked(unit):
        rank += f" ({no_form_status(data, unit).lower()})"
    lines = [
        f"Nhóm xếp hạng: {group_label(unit.get('ranking_group'))}",
        f"Xếp hạng: {rank}",
        (
            f"Tổng điểm: {decimal_text(unit.get('total'))}/100; Chỉ số DTI: {decimal_text(unit.get('index_value'), 4)}; "
            f"Xếp loại: {level_label(unit) or '—'}"
        ),
    ]
    if unit.get("assessment_flag"):
        lines.append(f"{unit['assessment_flag']}.")
    interval = interval_text(unit)
    if interval:
        share = unit.get("share_same_rank")
        lines.append(
            f"Khoảng xếp hạng (5–95%): {interval}; hạng trung vị: {decimal_text(unit.get('rank_median'), 1)}"
            + (f"; giữ đúng hạng trong {decimal_text(100 * share, 0)}% số lần tính lại" if not is_missing(share) else "")
        )
    if not is_missing(unit.get("previous_total")):
        previous = previous_note(unit)
        lines.append(
            f"Năm trước: {decimal_text(unit.get('previous_total'))} điểm"
            + (f" ({previous})" if previous else "")
            + f"; thay đổi: {_signed(unit.get('change'))} điểm"
        )
    else:
        lines.append("Năm trước: chưa có kết quả")
    lines.append(f"Trung bình nhóm: {decimal_text(unit.get('group_average'))} điểm")
    missing = unit.get("missing_components") or 0
    if missing:
        lines.append(f"Còn {int(missing)} thành phần thiếu dữ liệu, được tính 0 điểm.")
    if unit.get("provisional"):
        lines.append(f"Kết quả {PROVISIONAL}: còn thành phần tự đánh giá chưa được thẩm định.")
    lines.append(generated_label(data.generated_at))
    return lines


def _index_averages(data: DtiData, units: list[dict]) -> dict[tuple[str, str], float]:
    """(ranking group, main index) -> mean value of the group's ranked units."""
    groups = {u["unit_code"]: u.get("ranking_group") for u in units if _ranked(u)}
    sums: dict[tuple[str, str], list[float]] = {}
    for r in frame_records(data.indices):
        group = groups.get(r["unit_code"])
        if group is not None and r.get("value") is not None:
            sums.setdefault((group, r["main_index"]), []).append(r["value"])
    return {k: round_half_up(sum(v) / len(v), 4) for k, v in sums.items()}


_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _answer(c: dict) -> Any:
    method = c.get("method")
    if method == "computed":
        return c.get("computed_value")
    if method == "external":
        return c.get("external_value")
    answer = c.get("self_answer")
    # A number the form held ("1.17", as the reader keeps it) is written as a number: a Vietnamese Excel shows 1,17
    # (as text "1.17" reads as one thousand one hundred and seventy).
    return float(answer) if isinstance(answer, str) and _PLAIN_NUMBER.fullmatch(answer) else answer


def _data_source(c: dict) -> str | None:
    if c.get("method") == "external":
        return c.get("data_source") or METHOD_LABELS["external"]
    return METHOD_LABELS.get(c.get("method"), c.get("data_source") or c.get("method"))


def component_rows(components: list[dict], order: dict[str, int], rejected: set[str] = frozenset()) -> list[dict]:
    """Components grouped by main index (the tree's order), the largest points lost first within each (components
    that do not apply or could not be measured last), then by code. ``rejected``: codes whose external value was
    rejected for this unit."""

    def key(c: dict) -> tuple:
        lost = c.get("points_lost")
        counted = c.get("applicable") and c.get("points") is not None and lost is not None
        return (
            order.get(c["main_index"], len(order)),
            code_key(c["main_index"]),
            0 if counted else 1,
            -(lost or 0) if counted else 0,
            code_key(c["code"]),
        )

    rows = []
    for c in sorted(components, key=key):
        flags = []
        if c.get("overclaim"):
            flags.append(OVERCLAIM)
        if c["code"] in rejected and c.get("source") == "missing":
            flags.append(REJECTED_EXTERNAL)
        applies = c.get("applicable") and c.get("source") not in ("not_applicable", "not_measured")
        rows.append(
            {
                "main_index": c["main_index"],
                "code": c["code"],
                "name": c.get("name"),
                "data_source": _data_source(c),
                "answer": _answer(c),
                "self_points": c.get("self_points"),
                "appraised_points": c.get("appraised_points"),
                "points": c.get("points"),
                "max_points": c.get("max_points"),
                "points_lost": c.get("points_lost") if applies else None,
                "status": POINT_SOURCES.get(c.get("source"), c.get("source")),
                "flag": "; ".join(flags) or None,
            }
        )
    return rows


def _rejected_external(data: DtiData) -> dict[str, set[str]]:
    """unit -> component codes with a rejected row from another system (record_key 'unit|code')."""
    out: dict[str, set[str]] = {}
    for r in frame_records(data.problems):
        if r["source"] != "dti_external" or not r.get("record_key"):
            continue
        unit, _, code = str(r["record_key"]).partition("|")
        unit = r.get("unit_code") or unit
        if unit and code:
            out.setdefault(unit, set()).add(code)
    return out


def _write_unit(
    wb,
    name: str,
    data: DtiData,
    unit: dict,
    indices: list[dict],
    components: list[dict],
    averages: dict[tuple[str, str], float],
    rejected: set[str],
) -> None:
    ws = wb.create_sheet(name)
    group = unit.get("ranking_group")
    order = _index_order(data, group)
    index_rows = [
        {**i, "group_average": averages.get((group, i["main_index"]))}
        for i in sorted(indices, key=lambda i: (order.get(i["main_index"], len(order)), code_key(i["main_index"])))
    ]
    applied = [i for i in indices if i.get("value") is not None]
    weight, value = sum(i["weight"] for i in applied), unit.get("index_value")
    total = {
        "name": "Chỉ số DTI (tổng điểm / 100)",
        "weight": weight,
        "value": value,
        # on the index's scale (its weights): the main indices' own points are on scales of their own, not to be added
        "points_lost": None if is_missing(value) else round_half_up(weight * (1 - float(value)), 2),
        "missing_components": sum(i.get("missing_components") or 0 for i in indices),
    }
    table = write_table(
        ws,
        INDEX_COLUMNS,
        index_rows,
        total=total,
        title=f"CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM {data.year}: {nfc(unit.get('unit_name') or '').upper()}",
        subtitles=unit_subtitles(data, unit),
    )
    ws.freeze_panes = None  # the header and main indices would take half the screen
    write_table(
        ws,
        COMPONENT_COLUMNS,
        component_rows(components, order, rejected),
        title="KẾT QUẢ THEO THÀNH PHẦN",
        subtitles=["Theo từng chỉ số chính, thành phần mất nhiều điểm nhất trước."],
        start_row=row_after(table),
    )


# --- the workbook -----------------------------------------------------------------------------------------


def sheet_names(groups: Sequence[str] = tuple(RANKING_GROUP_LABELS), pillars: bool = True) -> list[str]:
    """The fixed sheets of the whole workbook, in order (the unit sheets follow)."""
    return [
        SHEET_SUMMARY,
        *(ranking_sheet_name(g) for g in groups),
        SHEET_PROFILE,
        *([SHEET_PILLARS] if pillars else []),
        SHEET_PROBLEMS,
        SHEET_METHOD,
    ]


def write_dti_workbook(path: Path, data: DtiData, unit: str | None = None) -> Path:
    """The whole workbook (summary, rankings, profiles, pillars, data problems, method, every unit), or with ``unit``
    (a unit code) only that unit's sheet."""
    units = frame_records(data.units)
    flags = assessment_flags(data.components)
    for u in units:
        u["assessment_flag"] = flags.get(u["unit_code"]) if u.get("has_form") else None  # no form: said already
    if unit is not None:
        units = [u for u in units if u["unit_code"] == unit]
        if not units:
            raise ValueError(f"Không có kết quả Chỉ số chuyển đổi số năm {data.year} của đơn vị '{unit}'.")
    wb = new_workbook(f"Chỉ số chuyển đổi số năm {data.year}")
    if data.generated_at is not None:
        wb.properties.created = data.generated_at
    groups = units_by_group(units)
    fixed: list[str] = []
    if unit is None:
        _write_summary(wb, data, units)
        rankings = [(group, _write_ranking(wb, data, group, members)) for group, members in groups]
        write_chart_sheet(
            wb,
            SHEET_CHARTS,
            [ChartSource(t, "unit", "total", f"Tổng điểm DTI năm {data.year}: {group_label(g)}") for g, t in rankings],
            value_axis_title="Điểm",
            maximum=100,
        )
        _write_profiles(wb, data, units)
        if not data.pillars.empty:
            _write_pillars(wb, data, units)
        _write_problems(wb, data)
        write_text_sheet(
            wb.create_sheet(SHEET_METHOD),
            title=f"PHƯƠNG PHÁP TÍNH CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM {data.year}",
            sections=method_sections(data),
            subtitles=[generated_label(data.generated_at)],
        )
        fixed = list(wb.sheetnames)
    ordered = units_alphabetical([u for _, members in groups for u in members])  # as in the PAR workbook
    names = unit_sheet_names(ordered, reserved=tuple(fixed))
    indices, components = rows_by_unit(data.indices), rows_by_unit(data.components)
    averages = _index_averages(data, frame_records(data.units))
    rejected = _rejected_external(data)
    for u in ordered:
        code = u["unit_code"]
        _write_unit(
            wb, names[code], data, u, indices.get(code, []), components.get(code, []), averages, rejected.get(code, set())
        )
    return save_workbook(wb, path)
