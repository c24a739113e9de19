"""The QĐ 766 workbook: the service index (chỉ số phục vụ người dân, doanh nghiệp) of one period, for officials.

Sheets: "Xếp hạng" (two ranking tables, provincial agencies then communes and wards, with the six group scores and
a bar chart each), one sheet per group of indicators (ratio, numerator, denominator and points of every indicator,
so each score can be checked by hand), "Diễn biến theo tháng" (each unit's total month by month within the period,
its rank in the last month and the change against the month before, from ``mart_qd766_trend``), "Đối chiếu Cổng" (where the portal's own scores and the scores recomputed
from its counts disagree, and the problems found in its snapshots) and "Phương pháp" (the formulas in words).

Units are ordered by rank, then Vietnamese name. The portal's (Cổng DVCQG) scores are the official ones; the scores
here are measured from the province's warehouse to follow and explain them.

Everything is read from the warehouse: the marts of the period and the criteria tree the period was scored with
(``dim_criterion``: the index's name, decision, file and start date, the reconciliation tolerance, the groups and
indicators with their maxima, rules in words, numerators, denominators, units and scopes), so the workbook describes
the tree that was used, not the methodology file on disk today.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from common.periods import Period, periods_between
from common.vntext import nfc, sort_key
from scoring.criteria_table import measure_label
from scoring.criteria_table import number_text as _num
from scoring.qd766 import STATUS_LABELS
from scoring.ranking import TIED, group_label, units_by_group
from workbooks.excel import (
    RANK_COLUMNS,
    SECTION_FONT,
    ChartSource,
    Column,
    Table,
    add_band_colors,
    band_thresholds,
    frame_records,
    generated_label,
    is_missing,
    new_workbook,
    rank_cells,
    save_workbook,
    section_title,
    sheet_title,
    write_chart_sheet,
    write_table,
    write_text_sheet,
)

TITLE = "CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QĐ 766/QĐ-TTg)"
SHEET_CHARTS = "Biểu đồ xếp hạng"
SHEET_RANKING, SHEET_RECONCILIATION, SHEET_METHOD = "Xếp hạng", "Đối chiếu Cổng", "Phương pháp"
SHEET_TREND = "Diễn biến theo tháng"
UNMATCHED = "(không khớp danh mục)"
PROVINCE_ROW = "(toàn tỉnh)"
GROUP_TOTAL = "Điểm nhóm"
# Reconciliation outcomes listed row by row, in this order; the others are only counted.
PROBLEM_STATUSES = ("mismatch", "missing_data", "not_evaluated", "portal_score_invalid")
SCORED_RULES = ("linear", "target")  # dim_criterion.rule_kind of the indicators that give points


@dataclass(frozen=True)
class Indicator:
    """One indicator of the tree as used (a ``dim_criterion`` row of kind criterion)."""

    code: str
    name: str
    group: str
    rule_kind: str  # linear | target | unresolved | info
    max_points: float
    rule_text: str
    numerator: str
    denominator: str
    unit: str = "%"
    scope: str = "unit"

    @property
    def scored(self) -> bool:
        return self.rule_kind in SCORED_RULES


@dataclass(frozen=True)
class Group:
    """One group of indicators of the tree as used (a ``dim_criterion`` row of kind group)."""

    code: str
    name: str
    max_points: float
    indicators: tuple[Indicator, ...]
    shape: str = "evaluation"  # tree: the unrounded points summed, rounded once (dim_criterion.rule_kind)

    @property
    def unresolved(self) -> bool:
        return any(i.rule_kind == "unresolved" for i in self.indicators)


@dataclass(frozen=True)
class Method:
    """The QĐ 766 criteria tree a period was scored with, as ``dim_criterion`` holds it."""

    tree: str  # the methodology file's name
    decision: str
    groups: tuple[Group, ...]
    name: str = ""  # the index's name in the file
    valid_from: date | None = None
    tolerance: float = 0.011  # the methodology schema's default

    @property
    def max_points(self) -> float:
        return float(sum(g.max_points for g in self.groups))

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.indicators)

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)


@dataclass
class WorkbookData:
    period: Period
    as_of: datetime | None  # data cutoff of the scores
    method: Method  # the criteria tree the period was scored with (dim_criterion)
    units: pd.DataFrame  # mart_qd766_unit of the period + dim_unit.sort_order, group_label
    indicators: pd.DataFrame  # mart_qd766_indicator of the period
    reconciliation: pd.DataFrame  # mart_qd766_reconciliation of the period, latest capture per endpoint
    portal_issues: pd.DataFrame  # portal_qd766_issue of those files (and of newer files that could not be read)
    # mart_qd766_trend month rows of the period's months (a month workbook: that month only)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)


# --- reading ----------------------------------------------------------------------------------------------


def read_method(con: duckdb.DuckDBPyConnection, period: Period, tree: str | None = None) -> Method:
    """The QĐ 766 tree of the period's year in ``dim_criterion``: the file ``tree`` (the one the period's marts were
    scored with), else the year's latest written one. A year not scored yet has no groups."""
    if tree is None:
        found = con.execute(
            """SELECT tree FROM dim_criterion WHERE index_code = 'qd766' AND year = ?
                               ORDER BY loaded_at DESC, tree DESC LIMIT 1""",
            [period.start.year],
        ).fetchone()
        tree = found[0] if found else ""
    rows = frame_records(
        con.execute(
            """SELECT * FROM dim_criterion WHERE index_code = 'qd766' AND year = ? AND tree = ?
                                        ORDER BY position""",
            [period.start.year, tree],
        ).df()
    )
    groups = []
    for g in (r for r in rows if r["kind"] == "group"):
        indicators = tuple(_indicator(r) for r in rows if r["kind"] == "criterion" and r["parent_code"] == g["code"])
        shape = "tree" if g.get("rule_kind") == "tree" else "evaluation"
        groups.append(Group(g["code"], g["name"], float(g["max_points"]), indicators, shape))
    if not rows:
        return Method(tree=tree, decision="", groups=())
    first = rows[0]
    valid_from = None if is_missing(first.get("valid_from")) else pd.Timestamp(first["valid_from"]).date()
    tolerance = 0.011 if is_missing(first.get("tolerance")) else float(first["tolerance"])
    return Method(
        tree=tree,
        decision=first["decision"] or "",
        groups=tuple(groups),
        name=first.get("index_name") or "",
        valid_from=valid_from,
        tolerance=tolerance,
    )


def _indicator(row: dict) -> Indicator:
    return Indicator(
        code=row["code"],
        name=row["name"],
        group=row["parent_code"],
        rule_kind=row["rule_kind"],
        max_points=float(row["max_points"] or 0),
        rule_text=row.get("rule_text") or "",
        numerator=row.get("numerator") or "",
        denominator=row.get("denominator") or "",
        unit=row.get("unit") or "%",
        scope=row.get("scope") or "unit",
    )


def read_workbook_data(con: duckdb.DuckDBPyConnection, period: Period) -> WorkbookData:
    """Everything the workbook shows for one period, read from the warehouse (or its published snapshot)."""
    units = con.execute(
        """
        SELECT m.*, d.sort_order, d.group_label
        FROM mart_qd766_unit m LEFT JOIN dim_unit d USING (unit_code)
        WHERE m.period_label = ?""",
        [period.label],
    ).df()
    indicators = con.execute("SELECT * FROM mart_qd766_indicator WHERE period_label = ?", [period.label]).df()
    reconciliation = con.execute(
        """
        WITH latest AS (  -- the latest capture of each group: every file of it (an answer saved one file per page)
            SELECT endpoint, max(captured_at) AS captured_at FROM mart_qd766_reconciliation
            WHERE period_label = ? GROUP BY endpoint
        )
        SELECT r.* FROM mart_qd766_reconciliation r JOIN latest USING (endpoint, captured_at)
        WHERE r.period_label = ?""",
        [period.label, period.label],
    ).df()
    issues = con.execute("SELECT * FROM portal_qd766_issue").df()
    trend = con.execute(
        """SELECT * FROM mart_qd766_trend WHERE period_kind = 'month' AND period_start BETWEEN ? AND ?
           ORDER BY period_start, unit_code""",
        [period.start, period.end],
    ).df()
    as_of = units["as_of"].max() if not units.empty else None
    trees = sorted(indicators["methodology"].dropna().unique()) if not indicators.empty else []
    method = read_method(con, period, trees[-1] if trees else None)
    return WorkbookData(
        period=period,
        as_of=None if is_missing(as_of) else pd.Timestamp(as_of).to_pydatetime(),
        method=method,
        units=units,
        indicators=indicators,
        reconciliation=reconciliation,
        portal_issues=_issues_of_period(issues, reconciliation, period),
        trend=trend,
    )


def _issues_of_period(issues: pd.DataFrame, reconciliation: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Issues of the snapshots used, plus those of any newer snapshot of the period that could not be used."""
    if issues.empty:
        return issues
    used = {
        (r["endpoint"], r["file_name"], r["captured_at"])
        for r in reconciliation[["endpoint", "file_name", "captured_at"]].drop_duplicates().to_dict("records")
    }
    used_files = {f for _, f, _ in used}
    latest = {e: pd.Timestamp(c) for e, _, c in used}

    def keep(issue: dict) -> bool:
        if issue["file_name"] in used_files:
            return True
        if is_missing(issue.get("period_label")):  # a file refused before its period was known concerns any period
            return bool(issue.get("blocking"))
        if issue["period_label"] != period.label:
            return False
        endpoint, captured = issue.get("endpoint"), issue.get("captured_at")
        return (
            is_missing(endpoint)
            or endpoint not in latest
            or (not is_missing(captured) and pd.Timestamp(captured) > latest[endpoint])
        )

    return issues[[keep(r) for r in issues.to_dict("records")]].reset_index(drop=True)


# --- small helpers ----------------------------------------------------------------------------------------


def score_key(group: Group) -> str:
    """Column of mart_qd766_unit holding a group's score: score_ckmb …"""
    return f"score_{group.code.lower()}"


def group_header(group: Group) -> str:
    return f"{group.name} ({_num(group.max_points)})"


def group_sheet_name(index: int, group: Group) -> str:
    """'1. Công khai, minh bạch': at most 31 characters, none that Excel forbids."""
    return sheet_title(f"{index}. {nfc(group.name)}")


def _as_of_text(as_of: datetime | None) -> str:
    if as_of is None:
        return "Thời điểm số liệu: chưa xác định"
    if as_of.time() >= time(23, 59):
        return f"Số liệu đến hết ngày {as_of:%d/%m/%Y}"
    return f"Số liệu tính đến {as_of:%H:%M} ngày {as_of:%d/%m/%Y}"


def _common_subtitles(data: WorkbookData, method: Method, generated_at: datetime | None) -> list[str]:
    period = f"Kỳ đánh giá: {data.period.vietnamese}" + (" (lũy kế từ đầu năm)" if data.period.kind == "year" else "")
    lines = [period, _as_of_text(data.as_of), f"Phương pháp: {method.decision}"]
    if data.as_of is not None and data.as_of.date() < data.period.end:  # as the web pages say it
        lines.insert(2, f"Kỳ chưa kết thúc: số liệu tạm tính đến {data.as_of:%d/%m/%Y}, điểm và thứ hạng còn thay đổi")
    # the period's rows and the months of the trend sheet (a decision valid from 1 July: June by the old file)
    used = {str(m) for frame in (data.indicators, data.trend) if "methodology" in frame for m in frame["methodology"].dropna()}
    if used - {method.tree}:
        lines.append(
            f"Lưu ý: điểm trong sổ được tính theo {len(used | {method.tree})} phiên bản phương pháp "
            f"({', '.join(sorted(used | {method.tree}))}); thay đổi điểm, hạng giữa hai phiên bản không được so sánh."
        )
    lines.append(generated_label(generated_at))
    return lines


def _unit_note(row: dict, method: Method) -> str:
    missing = [g.code for g in method.groups if row.get(score_key(g)) is None]
    evaluated = row.get("evaluated_max")
    if not missing and (row.get("complete") in (None, True)):
        return ""
    what = f"Chưa có điểm nhóm {', '.join(missing)}" if missing else "Chưa đủ các nhóm"
    text = f"{what}: tổng điểm trên {_num(evaluated)} điểm" if evaluated is not None else what
    return text + ("; chưa xếp hạng cùng các đơn vị đủ nhóm" if is_missing(row.get("rank")) else "")


# --- sheet 1: ranking -------------------------------------------------------------------------------------


def ranking_columns(method: Method) -> tuple[Column, ...]:
    return (
        *RANK_COLUMNS,
        Column("Đơn vị", "unit", 38),
        *(Column(group_header(g), score_key(g), 13, "0.00") for g in method.groups),
        Column(f"Tổng điểm ({_num(method.max_points)})", "total", 12, "0.00"),
        Column("Số hồ sơ", "dossiers", 11, "#,##0"),
        Column("Ghi chú", "note", 30),
    )


def _ranking_notes(units: pd.DataFrame, method: Method) -> list[str]:
    notes = []
    for g in method.groups:
        source = f"{g.code.lower()}_source"
        if not g.unresolved or source not in units:
            continue
        values = units[source].fillna("missing")
        if (values == "portal").any():
            notes.append(f"Nhóm {g.code}: điểm của Cổng DVCQG, công thức chưa được công bố.")
        n_missing = int((values == "missing").sum())
        if n_missing:
            notes.append(
                f"Nhóm {g.code}: {n_missing} đơn vị chưa có điểm của Cổng; tổng điểm của các đơn vị này "
                "tính trên số điểm tối đa của các nhóm đã có điểm (xem cột Ghi chú)."
            )
    return notes


def _ranking_rows(rows: Iterable[dict], method: Method) -> list[dict]:
    out = []
    for r in rows:
        row = {
            **rank_cells(r.get("rank"), r.get("is_tied")),
            "unit": r.get("unit_name"),
            "total": r.get("total"),
            "dossiers": r.get("dossiers"),
            "note": _unit_note(r, method),
        }
        row.update({score_key(g): r.get(score_key(g)) for g in method.groups})
        out.append(row)
    return out


def _write_ranking(wb, data: WorkbookData, method: Method, subtitles: list[str]) -> list[Table]:
    ws = wb.create_sheet(SHEET_RANKING)
    columns = ranking_columns(method)
    groups = units_by_group(frame_records(data.units))
    notes = _ranking_notes(data.units, method)
    tables: list[Table] = []
    charts: list[ChartSource] = []
    next_row = 1
    for number, (group, rows) in enumerate(groups, start=1):
        section = section_title(group, len(rows), number)
        if number == 1:
            table = write_table(
                ws, columns, _ranking_rows(rows, method), title=TITLE, subtitles=[*subtitles, *notes, section], freeze_columns=3
            )
            ws.cell(row=table.header_row - 2, column=1).font = SECTION_FONT
        else:
            table = write_table(ws, columns, _ranking_rows(rows, method), title=section, start_row=next_row)
        for g in method.groups:
            add_band_colors(ws, table.data_range(score_key(g)), band_thresholds(None, g.max_points))
        add_band_colors(ws, table.data_range("total"), band_thresholds(None, method.max_points))
        next_row = max(table.last_row, table.header_row + 1) + 3
        tables.append(table)
        charts.append(ChartSource(table, "unit", "total", f"Tổng điểm: {group_label(group)}"))
    write_chart_sheet(wb, SHEET_CHARTS, charts, value_axis_title="Điểm", maximum=method.max_points)
    return tables


# --- sheet: month by month -------------------------------------------------------------------------------
# One column per month of the period up to the data date (a month workbook: that month alone, with its change
# against the month before, which may lie outside the period). Every number is a mart_qd766_trend cell.

RANK_CHANGE_FORMAT = "+0;-0;0"  # rank_change > 0: moved up, shown "+2"


def trend_months(data: WorkbookData) -> list[Period]:
    """The period's months up to the data date; without a data date, up to the last month with data. A month
    workbook always has its month."""
    if data.period.kind == "month":
        return [data.period]
    last = data.period.end
    if data.as_of is not None:
        last = min(last, data.as_of.date())
    elif not data.trend.empty:
        last = min(last, pd.Timestamp(data.trend["period_start"].max()).date())
    else:
        return []
    return periods_between("month", data.period.start, last) if last >= data.period.start else []


def _month_key(month: Period) -> str:
    return f"total:{month.label}"


def trend_columns(months: list[Period]) -> tuple[Column, ...]:
    last = f"T{months[-1].start.month}" if months else "tháng cuối"
    before = f"T{(months[-1].start.month - 2) % 12 + 1}" if months else "tháng trước"
    return (
        Column("Đơn vị", "unit", 30),
        *(Column(f"T{m.start.month}/{m.start.year}", _month_key(m), 8, "0.00") for m in months),
        Column(f"Hạng {last}", "rank", 7, "0", align="center"),
        Column("Đồng hạng", "rank_note", 11, align="center"),
        Column(f"Thay đổi hạng so với {before}", "rank_change", 10, RANK_CHANGE_FORMAT, align="center"),
    )


def trend_rows(data: WorkbookData, months: list[Period]) -> list[tuple[str, list[dict]]]:
    """(ranking group, its rows) in the ranking sheet's order: the total of each month, the last month's rank and
    rank change. A unit without a row in a month has an empty cell there, never a zero."""
    by_unit: dict[str, dict[str, dict]] = {}
    for r in frame_records(data.trend):
        by_unit.setdefault(r["unit_code"], {})[r["period_label"]] = r
    # The ranking sheet's order; a unit that has month rows but no row of the period comes after, by name.
    units = frame_records(data.units)
    known = {u["unit_code"] for u in units}
    for code, rows in by_unit.items():
        if code not in known:
            latest = rows[max(rows)]
            units.append({"unit_code": code, "unit_name": latest["unit_name"], "ranking_group": latest["ranking_group"]})
    last = months[-1].label if months else None
    out = []
    for group, members in units_by_group(units):
        rows = []
        for u in members:
            series = by_unit.get(u["unit_code"], {})
            final = series.get(last, {}) if last else {}
            row = {"unit": u.get("unit_name"), **{_month_key(m): series.get(m.label, {}).get("total") for m in months}}
            row.update(rank_cells(final.get("rank"), final.get("is_tied")) if final else {"rank": None, "rank_note": None})
            row["rank_change"] = None if is_missing(final.get("rank_change")) else int(final["rank_change"])
            rows.append(row)
        out.append((group, rows))
    return out


def _write_trend(wb, data: WorkbookData, method: Method, common: list[str]) -> list[Table]:
    ws = wb.create_sheet(SHEET_TREND)
    months = trend_months(data)
    columns = trend_columns(months)
    subtitles = [
        *common[:2],
        (
            f"Tổng điểm (tối đa {_num(method.max_points)}) của từng tháng, tính theo tháng tiếp nhận hồ sơ; ô trống: "
            "tháng chưa có số liệu của đơn vị. Hạng và thay đổi hạng của tháng cuối, so với tháng liền trước trong "
            'cùng nhóm xếp hạng ("+2": lên 2 bậc, "-1": xuống 1 bậc; trống: tháng trước chưa xếp hạng).'
        ),
        common[-1],
    ]
    if data.period.kind == "month":
        subtitles.insert(3, "Bảng tháng chỉ có một cột; diễn biến nhiều tháng xem bảng của quý hoặc của năm.")
    tables: list[Table] = []
    next_row = 1
    for number, (group, rows) in enumerate(trend_rows(data, months), start=1):
        section = section_title(group, len(rows), number)
        if number == 1:
            title = f"DIỄN BIẾN TỔNG ĐIỂM VÀ XẾP HẠNG THEO THÁNG — {data.period.vietnamese.upper()}"
            table = write_table(ws, columns, rows, title=title, subtitles=[*subtitles, section], freeze_columns=1)
            ws.cell(row=table.header_row - 2, column=1).font = SECTION_FONT
        else:
            table = write_table(ws, columns, rows, title=section, start_row=next_row)
        for m in months:
            add_band_colors(ws, table.data_range(_month_key(m)), band_thresholds(None, method.max_points))
        next_row = max(table.last_row, table.header_row + 1) + 3
        tables.append(table)
    return tables


# --- sheets 2-7: one per group of indicators ------------------------------------------------------------


def _indicator_columns(ind: Indicator) -> list[Column]:
    key = ind.code
    if ind.rule_kind == "unresolved":
        return [Column(f"{ind.code} {ind.name} — Điểm ({_num(ind.max_points)})", f"{key}:score", 16, "0.00")]
    value = "Tỷ lệ (%)" if ind.unit == "%" else f"Giá trị ({ind.unit})"
    if ind.rule_kind == "info":
        value += ", không tính điểm"
    count_format = "#,##0.0" if ind.unit != "%" else "#,##0"
    columns = [
        Column(f"{ind.code} — {measure_label(ind.numerator)} (tử số)", f"{key}:num", 13, count_format),
        Column(f"{ind.code} — {measure_label(ind.denominator)} (mẫu số)", f"{key}:den", 13, "#,##0"),
        Column(f"{ind.code} {ind.name} — {value}", f"{key}:ratio", 17, "0.00"),
    ]
    if ind.scored:
        columns.append(Column(f"{ind.code} — Điểm ({_num(ind.max_points)})", f"{key}:score", 11, "0.00"))
    return columns


# A group sheet lists units in the ranking's order with their overall rank, not a rank within the group: said so.
OVERALL_RANK_COLUMNS = (Column("Hạng chung", "rank", 8, "0", align="center"), *RANK_COLUMNS[1:])


def group_columns(group: Group) -> tuple[Column, ...]:
    return (
        *OVERALL_RANK_COLUMNS,
        Column("Đơn vị", "unit", 34),
        Column("Nhóm xếp hạng", "ranking_group", 14),
        *(c for ind in group.indicators for c in _indicator_columns(ind)),
        Column(f"{GROUP_TOTAL} ({_num(group.max_points)})", "group_score", 12, "0.00"),
    )


def _group_rows(group: Group, ordered: list[tuple[str, list[dict]]], by_unit: dict[tuple[str, str], dict]) -> list[dict]:
    rows = []
    for ranking_group, units in ordered:
        for u in units:
            row = {
                **rank_cells(u.get("rank"), u.get("is_tied")),
                "unit": u.get("unit_name"),
                "ranking_group": group_label(ranking_group),
                "group_score": u.get(score_key(group)),
            }
            for ind in group.indicators:
                found = by_unit.get((u["unit_code"], ind.code), {})
                row[f"{ind.code}:num"] = found.get("numerator")
                row[f"{ind.code}:den"] = found.get("denominator")
                row[f"{ind.code}:ratio"] = found.get("ratio")
                row[f"{ind.code}:score"] = found.get("score")
            rows.append(row)
    return rows


# How a group's score follows from its indicators' (scoring.qd766.group_total): a tree group rounds the sum of the
# unrounded points once, as the portal does, so the printed 2-decimal points may differ from it by 0.01-0.02.
_GROUP_SUM = {
    "tree": (
        "điểm nhóm = tổng điểm chưa làm tròn của các chỉ tiêu, làm tròn 2 chữ số thập phân một lần (như Cổng DVCQG), "
        "nên có thể chênh 0,01-0,02 so với tổng các điểm chỉ tiêu đã làm tròn in ở đây."
    ),
    "evaluation": "điểm nhóm = tổng điểm các chỉ tiêu, mỗi chỉ tiêu làm tròn 2 chữ số thập phân.",
}


def _group_subtitles(group: Group, common: list[str]) -> list[str]:
    # A group the portal scores (its formula unpublished) is not the sum of its indicators: one sentence, not two
    # that contradict each other.
    how = (
        "điểm nhóm là điểm của Cổng DVCQG (công thức chưa được công bố); các tỷ lệ chỉ để tham khảo."
        if group.unresolved
        else _GROUP_SUM[group.shape]
    )
    lines = [
        *common[:-1],
        f'Nhóm {group.code}: tối đa {_num(group.max_points)} điểm; {how} Cách tính từng chỉ tiêu: trang "{SHEET_METHOD}".',
    ]
    if any(i.scope == "province" for i in group.indicators):
        codes = ", ".join(i.code for i in group.indicators if i.scope == "province")
        lines.append(f"Chỉ tiêu {codes}: số liệu chung của toàn tỉnh, mọi đơn vị cùng điểm (như Cổng DVCQG).")
    return [*lines, common[-1]]


def _write_group_sheets(wb, data: WorkbookData, method: Method, common: list[str]) -> None:
    ordered = units_by_group(frame_records(data.units))
    by_unit = {(r["unit_code"], r["indicator_code"]): r for r in frame_records(data.indicators)}
    for index, group in enumerate(method.groups, start=1):
        ws = wb.create_sheet(group_sheet_name(index, group))
        title = f"NHÓM {index}: {group.name.upper()} (TỐI ĐA {_num(group.max_points)} ĐIỂM)"
        table = write_table(
            ws,
            group_columns(group),
            _group_rows(group, ordered, by_unit),
            title=title,
            subtitles=_group_subtitles(group, common),
            freeze_columns=3,
        )
        for ind in group.indicators:
            if ind.rule_kind != "info":
                add_band_colors(ws, table.data_range(f"{ind.code}:score"), band_thresholds(None, ind.max_points))
        add_band_colors(ws, table.data_range("group_score"), band_thresholds(None, group.max_points))


# --- sheet 8: reconciliation with the portal ------------------------------------------------------------

PROBLEM_COLUMNS = (
    Column("Nhóm", "group", 24),
    Column("Đơn vị trên Cổng", "department", 34),
    Column("Mã đơn vị", "unit_code", 16),
    Column("Chỉ tiêu", "indicator", 40),
    Column("Tử số", "numerator", 12, "#,##0.##"),
    Column("Mẫu số", "denominator", 12, "#,##0.##"),
    Column("Điểm của Cổng", "portal_score", 12, "0.00"),
    Column("Điểm tính lại", "recomputed_score", 12, "0.00"),
    Column("Chênh lệch", "difference", 12, "+0.00;-0.00;0.00"),
    Column("Tình trạng", "status", 26),
    Column("Cảnh báo của Cổng", "warning", 30),
)
WARNING_COLUMNS = (
    Column("Nhóm", "group", 24),
    Column("Chỉ tiêu", "indicator", 40),
    Column("Cảnh báo của Cổng (dataQualityStatus)", "warning", 44),
    Column("Số đơn vị", "units", 10, "#,##0"),
    Column("Đơn vị (ví dụ)", "examples", 50),
)
ISSUE_COLUMNS = (
    Column("Nhóm", "group", 24),
    Column("Tệp ảnh chụp", "file_name", 34),
    Column("Đơn vị trên Cổng", "department", 16),
    Column("Số dòng", "rows", 8, "#,##0"),
    Column("Lý do", "reason", 40),
    Column("Trường", "field", 12),
    Column("Cả tệp không dùng được", "blocking", 12, align="center"),
)


def summary_columns() -> tuple[Column, ...]:
    return (
        Column("Nhóm", "group", 24),
        Column("Tệp ảnh chụp", "file_name", 34),
        Column("Thời điểm chụp", "captured_at", 16, "dd/mm/yyyy hh:mm", align="center"),
        *(Column(label, status, 12, "#,##0") for status, label in STATUS_LABELS.items()),
        Column("Tổng số dòng", "total", 12, "#,##0"),
    )


def _group_name(code: str | None, method: Method) -> str:
    if is_missing(code):
        return ""
    try:
        return method.group(code).name if code else ""
    except StopIteration:
        return code or ""


def _indicator_label(code: str | None, names: dict[str, str]) -> str:
    return GROUP_TOTAL if code is None else f"{code} {names.get(code, '')}".strip()


def problem_rows(reconciliation: pd.DataFrame, method: Method) -> list[dict]:
    """Rows whose scores disagree or could not be compared: mismatch first, then missing data, then not evaluated."""
    group_order = {g.code: i for i, g in enumerate(method.groups)}
    ind_order = {i.code: n for n, i in enumerate(method.indicators)}
    names = {i.code: i.name for i in method.indicators}
    keyed = []
    for r in frame_records(reconciliation):
        if r["status"] not in PROBLEM_STATUSES:
            continue
        department = r.get("department_name") or r.get("department_code") or ""
        if r.get("role") == "province":
            code = PROVINCE_ROW
        else:
            code = r.get("unit_code") if r.get("matched") and r.get("unit_code") else UNMATCHED
        key = (
            PROBLEM_STATUSES.index(r["status"]),
            group_order.get(r["group_code"], 99),
            r.get("role") != "province",
            sort_key(department),
            len(ind_order) if r.get("indicator_code") is None else ind_order.get(r["indicator_code"], 0),
        )
        keyed.append(
            (
                key,
                {
                    "group": _group_name(r["group_code"], method),
                    "department": department,
                    "unit_code": code,
                    "indicator": _indicator_label(r.get("indicator_code"), names),
                    "numerator": r.get("numerator"),
                    "denominator": r.get("denominator"),
                    "portal_score": r.get("portal_score"),
                    "recomputed_score": r.get("recomputed_score"),
                    "difference": r.get("difference"),
                    "status": r.get("status_label") or STATUS_LABELS.get(r["status"], r["status"]),
                    "warning": None if is_missing(r.get("data_quality_label")) else r.get("data_quality_label"),
                },
            )
        )
    keyed.sort(key=lambda kv: kv[0])
    return [row for _, row in keyed]


def summary_rows(reconciliation: pd.DataFrame, method: Method) -> tuple[list[dict], dict]:
    """Rows counted per group and status, one line per group of the method, and the total line."""
    records = frame_records(reconciliation)
    counts: dict[str, Counter[str]] = {}
    files: dict[str, tuple[str, Any]] = {}
    for r in records:
        counts.setdefault(r["group_code"], Counter())[r["status"]] += 1
        files[r["group_code"]] = (r["file_name"], r["captured_at"])
    rows = []
    codes = [g.code for g in method.groups] + sorted(set(counts) - {g.code for g in method.groups})
    for code in codes:
        c = counts.get(code, Counter())
        file_name, captured = files.get(code, ("Chưa có ảnh chụp của kỳ này", None))
        rows.append(
            {
                "group": _group_name(code, method),
                "file_name": file_name,
                "captured_at": captured,
                **{s: c.get(s, 0) for s in STATUS_LABELS},
                "total": sum(c.values()),
            }
        )
    total = {"group": "Tổng cộng", **{s: sum(r[s] for r in rows) for s in STATUS_LABELS}, "total": sum(r["total"] for r in rows)}
    return rows, total


def warning_rows(reconciliation: pd.DataFrame, method: Method) -> list[dict]:
    """The portal's own warnings on its metrics (dataQualityStatus): one line per group, indicator and warning, with
    the number of units it qualifies."""
    names = {i.code: i.name for i in method.indicators}
    order = {i.code: n for n, i in enumerate(method.indicators)}
    found: dict[tuple, list[str]] = {}
    for r in frame_records(reconciliation):
        if is_missing(r.get("data_quality_status")):
            continue
        who = PROVINCE_ROW if r.get("role") == "province" else (r.get("department_name") or r.get("department_code") or "")
        found.setdefault((r["group_code"], r.get("indicator_code"), r.get("data_quality_label")), []).append(who)
    rows = [
        {
            "group": _group_name(g, method),
            "indicator": _indicator_label(i, names),
            "warning": w,
            "units": len(who),
            "examples": ", ".join(who[:5]) + (" …" if len(who) > 5 else ""),
            "_key": (order.get(i, 99), w or ""),
        }
        for (g, i, w), who in found.items()
    ]
    rows.sort(key=lambda r: r.pop("_key"))
    return rows


def issue_rows(issues: pd.DataFrame, method: Method) -> list[dict]:
    rows = [
        {
            "group": _group_name(r.get("group_code"), method),
            "file_name": r["file_name"],
            "department": r.get("department") or "",
            "reason": r.get("reason"),
            "field": r.get("field") or "",
            "rows": None if is_missing(r.get("rows")) else r.get("rows"),
            "blocking": "Có" if r.get("blocking") else "",
        }
        for r in frame_records(issues)
    ]
    rows.sort(key=lambda r: (r["blocking"] != "Có", r["file_name"], sort_key(r["department"])))
    return rows


def _write_reconciliation(wb, data: WorkbookData, method: Method, common: list[str]) -> Table:
    ws = wb.create_sheet(SHEET_RECONCILIATION)
    subtitles = [
        *common[:2],
        (
            "Điểm của Cổng DVCQG là điểm chính thức. Điểm tính lại dùng chính số liệu trong ảnh chụp của Cổng và "
            f"công thức của tệp phương pháp; lệch không quá {_num(method.tolerance)} điểm coi là khớp."
        ),
        "Chỉ dùng ảnh chụp mới nhất của mỗi nhóm trong kỳ.",
        common[-1],
        "I. CÁC DÒNG LỆCH HOẶC CHƯA ĐỐI CHIẾU ĐƯỢC",
    ]
    problems = write_table(
        ws,
        PROBLEM_COLUMNS,
        problem_rows(data.reconciliation, method),
        title=f"ĐỐI CHIẾU ĐIỂM VỚI CỔNG DỊCH VỤ CÔNG QUỐC GIA — {data.period.vietnamese.upper()}",
        subtitles=subtitles,
        freeze_columns=2,
        empty_text="Không có dòng lệch: mọi điểm đối chiếu được đều khớp với Cổng.",
    )
    ws.cell(row=problems.header_row - 2, column=1).font = SECTION_FONT
    start = max(problems.last_row, problems.first_row) + 3
    rows, total = summary_rows(data.reconciliation, method)
    summary = write_table(
        ws,
        summary_columns(),
        rows,
        title="II. TỔNG HỢP THEO NHÓM VÀ TÌNH TRẠNG",
        subtitles=[
            (
                "Số dòng đối chiếu (từng chỉ tiêu và điểm nhóm của từng đơn vị, kể cả dòng "
                "toàn tỉnh) trong ảnh chụp mới nhất của mỗi nhóm."
            )
        ],
        total=total,
        start_row=start,
    )
    start = (summary.total_row or summary.last_row) + 3
    warnings = write_table(
        ws,
        WARNING_COLUMNS,
        warning_rows(data.reconciliation, method),
        title="III. CẢNH BÁO CỦA CỔNG VỀ SỐ LIỆU",
        start_row=start,
        subtitles=[
            (
                "Cổng tự đánh dấu chỉ tiêu có số liệu chưa chính thức (ví dụ mẫu số tạm tính): "
                "điểm vẫn là điểm của Cổng nhưng có thể thay đổi khi Cổng cập nhật số liệu."
            )
        ],
        empty_text="Cổng không có cảnh báo nào về số liệu của kỳ này.",
    )
    start = max(warnings.last_row, warnings.first_row) + 3
    write_table(
        ws,
        ISSUE_COLUMNS,
        issue_rows(data.portal_issues, method),
        title="IV. VẤN ĐỀ TRONG ẢNH CHỤP CỦA CỔNG",
        start_row=start,
        subtitles=[
            (
                "Mỗi dòng là một loại vấn đề của một tệp (số dòng gặp phải): thiếu trường, giá trị để trống, "
                "điểm tối đa thay đổi, đơn vị không khớp danh mục, tệp không đọc được…"
            )
        ],
        empty_text="Không có vấn đề",
    )
    return problems


# --- sheet 9: methodology in words ----------------------------------------------------------------


def method_sections(method: Method, as_of: datetime | None) -> list[tuple[str, list[str]]]:
    groups = ", ".join(f"{g.name} ({_num(g.max_points)})" for g in method.groups)
    tree_groups = ", ".join(g.code for g in method.groups if g.shape == "tree")
    sections = [
        (
            "Bộ chỉ số",
            [
                (
                    f"{method.name}: {method.decision}"
                    + (f"; áp dụng từ {method.valid_from:%d/%m/%Y}." if method.valid_from else ".")
                ),
                f"Tổng điểm tối đa {_num(method.max_points)}, gồm {len(method.groups)} nhóm: {groups}.",
            ],
        )
    ]
    for index, g in enumerate(method.groups, start=1):
        sections.append((f"{index}. {g.name} ({g.code}) — tối đa {_num(g.max_points)} điểm", [i.rule_text for i in g.indicators]))
    sections.append(
        (
            "Cách tính điểm và xếp hạng",
            [
                (
                    "Tỷ lệ tính bằng phần trăm; điểm mỗi chỉ tiêu làm tròn 2 chữ số thập phân. "
                    + (
                        f"Điểm nhóm: nhóm tính theo cây chỉ tiêu ({tree_groups}) lấy tổng điểm chưa làm tròn của các chỉ "
                        "tiêu rồi làm tròn một lần, như Cổng DVCQG (có thể chênh 0,01-0,02 so với tổng các điểm đã làm "
                        "tròn); các nhóm khác là tổng điểm các chỉ tiêu đã làm tròn. "
                        if tree_groups
                        else "Điểm nhóm là tổng điểm các chỉ tiêu đã làm tròn. "
                    )
                    + "Tổng điểm là tổng điểm các nhóm."
                ),
                (
                    "Số liệu trống (chưa có) nghĩa là chưa đánh giá, không phải 0 điểm. Khi một nhóm chưa có điểm (ví dụ chưa có "
                    "ảnh chụp của Cổng cho nhóm dịch vụ công trực tuyến), tổng điểm tính trên số điểm tối đa của các nhóm đã có "
                    'điểm và được ghi chú ở trang "Xếp hạng".'
                ),
                (
                    "Sở, ban, ngành và xã, phường được xếp hạng riêng, theo tổng điểm làm tròn 2 chữ số, từ cao xuống thấp. Đơn vị "
                    f'bằng điểm nhau được cùng hạng (ghi "{TIED}"), hạng kế tiếp bỏ qua số tương ứng (1, 2, 2, 4).'
                ),
            ],
        )
    )
    when = _as_of_text(as_of)
    sections.append(
        (
            "Thời điểm số liệu",
            [
                (
                    f"{when}. Hồ sơ đang giải quyết mà chưa đến hạn tại thời điểm này được tính là đúng hạn; hồ sơ đã quá hạn mà "
                    "chưa có kết quả tính là trễ hạn; hồ sơ phải yêu cầu bổ sung quá một lần tính là trễ hạn."
                ),
                "Kỳ tháng và quý tính theo tháng tiếp nhận hồ sơ; kỳ năm là lũy kế từ đầu năm đến thời điểm số liệu.",
            ],
        )
    )
    sections.append(
        (
            "Điểm chính thức",
            [
                (
                    "Điểm do Cổng Dịch vụ công quốc gia công bố là điểm chính thức. Điểm trong bảng này tính từ kho dữ liệu của "
                    "tỉnh để theo dõi, giải thích và phát hiện sớm chỉ tiêu yếu; có thể khác điểm của Cổng do thời điểm chụp "
                    "và cách đồng bộ số liệu."
                ),
                (
                    f'Trang "{SHEET_RECONCILIATION}" tính lại điểm từ chính số liệu trong ảnh chụp của Cổng theo công thức trên '
                    f"và so với điểm Cổng công bố; chênh lệch không quá {_num(method.tolerance)} điểm được coi là khớp."
                ),
            ],
        )
    )
    return sections


# --- the workbook ---------------------------------------------------------------------------------------


def write_qd766_workbook(path: Path, data: WorkbookData, *, generated_at: datetime | None = None) -> Path:
    """Write the workbook of one period to ``path`` atomically and return ``path``."""
    method = data.method
    common = _common_subtitles(data, method, generated_at)
    wb = new_workbook(f"Chỉ số phục vụ người dân, doanh nghiệp — {data.period.vietnamese}")
    _write_ranking(wb, data, method, common)
    _write_group_sheets(wb, data, method, common)
    _write_trend(wb, data, method, common)
    _write_reconciliation(wb, data, method, common)
    write_text_sheet(
        wb.create_sheet(SHEET_METHOD),
        title="PHƯƠNG PHÁP TÍNH CHỈ SỐ 766",
        sections=method_sections(method, data.as_of),
        subtitles=[method.name],
    )
    return save_workbook(wb, path)


def sheet_names(method: Method) -> list[str]:
    """The sheets of the workbook, in order."""
    return [
        SHEET_RANKING,
        SHEET_CHARTS,
        *(group_sheet_name(i, g) for i, g in enumerate(method.groups, start=1)),
        SHEET_TREND,
        SHEET_RECONCILIATION,
        SHEET_METHOD,
    ]
