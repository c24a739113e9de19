"""The QĐ 766 workbook, from hand-made mart and dim_criterion rows in a small DuckDB to the reopened Excel file: the
renderer reads the warehouse only (the criteria tree as scored, from dim_criterion)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from common.periods import parse_period
from scoring.criteria_table import qd766_rows
from scoring.qd766 import STATUS_LABELS, methodology_for
from tests.workbook_values import expected_values, workbook_values
from warehouse.criteria_dim import write_dim_criterion
from warehouse.schema import ensure_schema
from workbooks.excel import PAGE_CHARS
from workbooks.qd766 import (
    SHEET_RANKING,
    SHEET_RECONCILIATION,
    SHEET_TREND,
    UNMATCHED,
    group_sheet_name,
    read_workbook_data,
    sheet_names,
    trend_columns,
    write_qd766_workbook,
)

PERIOD = parse_period("2026-Q3")
AS_OF = datetime(2026, 9, 30, 23, 59, 59)
METHODOLOGY = methodology_for(PERIOD.start)
GROUPS = [g.code for g in METHODOLOGY.groups]  # CKMB TDGQ DVCTT TTTT MDHL SHHS

# code, name, unit_group, group_label, ranking_group, sort_order, six group scores, rank, tied, dossiers
UNITS = [
    ("SNV", "Sở Nội vụ", "agency", "Cơ quan cấp tỉnh", "agency", 1, (15, 18, 10, 8, 16, 20), 1, False, 120),
    ("STC", "Sở Tài chính", "agency", "Cơ quan cấp tỉnh", "agency", 2, (14, 17, 9, 8, 15, 18), 2, False, 80),
    # DVCTT missing: total 63 out of 88, ranked last
    ("SYT", "Sở Y tế", "agency", "Cơ quan cấp tỉnh", "agency", 3, (12, 15, None, 6, 14, 16), 3, False, 50),
    ("00001", "Xã Đồng Hỷ", "commune", "Xã", "local", 4, (15, 18, 10, 8, 15, 19), 2, True, 300),
    ("00002", "Xã Yên Trạch", "commune", "Xã", "local", 5, (15, 18, 10, 8, 16, 18), 2, True, 310),
    ("00003", "Phường Phan Đình Phùng", "ward", "Phường", "local", 6, (16, 19, 11, 9, 16, 20), 1, False, 900),
    ("00004", "Xã Dân Tiến", "commune", "Xã", "local", 7, (10, 10, 6, 5, 9, 11), 4, False, 40),
]


def unit_row(code, name, ranking_group, scores, rank, tied, dossiers, period=PERIOD) -> dict:
    total = sum(s for s in scores if s is not None)
    evaluated = sum(g.max_points for g, s in zip(METHODOLOGY.groups, scores, strict=True) if s is not None)
    return {
        "period_label": period.label,
        "period_kind": period.kind,
        "period_start": period.start,
        "period_end": period.end,
        "as_of": AS_OF,
        "unit_code": code,
        "unit_name": name,
        "ranking_group": ranking_group,
        **{f"score_{g.lower()}": s for g, s in zip(GROUPS, scores, strict=True)},
        "dvctt_source": "missing" if scores[2] is None else "portal",
        "total": float(total),
        "evaluated_max": evaluated,
        "complete": evaluated == 100,
        "rank": rank,
        "is_tied": tied,
        "units_in_group": 3 if ranking_group == "agency" else 4,
        "dossiers": dossiers,
    }


# Months of the quarter (mart_qd766_unit rows that mart_qd766_trend reads): code -> (scores, rank, tied) per month;
# Sở Tài chính overtakes Sở Nội vụ in August and falls back in September; Xã Dân Tiến has only September.
MONTHS = {
    "2026-M07": {
        "SNV": ((15, 18, 10, 8, 16, 20), 1, False),
        "STC": ((14, 17, 9, 8, 15, 18), 2, False),
        "SYT": ((12, 15, None, 6, 14, 16), 3, False),
        "00003": ((16, 19, 11, 9, 16, 20), 1, False),
        "00001": ((15, 18, 10, 8, 15, 19), 2, False),
    },
    "2026-M08": {
        "SNV": ((14, 17, 9, 8, 15, 18), 2, False),
        "STC": ((15, 18, 10, 8, 16, 20), 1, False),
        "SYT": ((12, 15, None, 6, 14, 16), 3, False),
        "00003": ((15, 18, 10, 8, 15, 19), 2, False),
        "00001": ((16, 19, 11, 9, 16, 20), 1, False),
        "00002": ((15, 18, 10, 8, 16, 18), 3, False),
    },
    "2026-M09": {
        "SNV": ((15, 18, 10, 8, 16, 20.5), 1, False),
        "STC": ((14, 17, 9, 8, 15, 18), 2, False),
        "SYT": ((12, 15, None, 6, 14, 16), 3, False),
        "00003": ((16, 19, 11, 9, 16, 20), 1, False),
        "00001": ((15, 18, 10, 8, 15, 19), 2, True),
        "00002": ((15, 18, 10, 8, 16, 18), 2, True),
        "00004": ((10, 10, 6, 5, 9, 11), 4, False),
    },
}


def month_rows() -> list[dict]:
    names = {u[0]: (u[1], u[4]) for u in UNITS}
    return [
        unit_row(code, *names[code], scores, rank, tied, 10, parse_period(label))
        for label, units in MONTHS.items()
        for code, (scores, rank, tied) in units.items()
    ]


def indicator_rows(code: str, base: int) -> list[dict]:
    """Every indicator of the methodology for one unit, with numerator base + i out of 200."""
    rows = []
    for i, ind in enumerate(METHODOLOGY.indicators):
        num, den = float(base + i), 200.0
        ratio = round(100 * num / den, 2) if ind.unit == "%" else round(num / den, 2)
        score = round(ind.rule.max_points * ratio / 100, 2) if ind.scored else None
        rows.append(
            {
                "period_label": PERIOD.label,
                "period_kind": PERIOD.kind,
                "period_start": PERIOD.start,
                "period_end": PERIOD.end,
                "as_of": AS_OF,
                "methodology": METHODOLOGY.path.name,
                "unit_code": code,
                "group_code": ind.group,
                "indicator_code": ind.code,
                "indicator_name": ind.name,
                "numerator": num,
                "denominator": den,
                "ratio": ratio,
                "score": score,
                "max_score": ind.rule.max_points,
                "rule": ind.rule.kind,
                "source": "local" if ind.scored else "info",
            }
        )
    return rows


def recon(
    file_name: str,
    captured: datetime,
    department: str,
    unit_code: str | None,
    status: str,
    *,
    indicator: str | None = "1.4",
    portal: float | None = 6.0,
    recomputed: float | None = 6.0,
) -> dict:
    return {
        "file_name": file_name,
        "endpoint": "transparency",
        "group_code": "CKMB",
        "period_label": PERIOD.label,
        "captured_at": captured,
        "role": "unit",
        "department_code": None,
        "department_name": department,
        "unit_code": unit_code,
        "matched": unit_code is not None,
        "indicator_code": indicator,
        "metric_code": "DOSSIER_SYNC",
        "numerator": 90.0,
        "denominator": 100.0,
        "portal_score": portal,
        "recomputed_score": recomputed,
        "difference": None if portal is None or recomputed is None else round(recomputed - portal, 2),
        "status": status,
        "status_label": STATUS_LABELS[status],
    }


NEW = "transparency_2026-Q3_20261002T0800.json"
OLD = "transparency_2026-Q3_20261001T0800.json"


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    con.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[r[c] for c in columns] for r in rows],
    )


def write_tree(con: duckdb.DuckDBPyConnection, year: int = 2026, methodology=METHODOLOGY) -> None:
    """dim_criterion rows of the QĐ 766 tree, as the scoring step writes them."""
    write_dim_criterion(
        con, qd766_rows(methodology, year), datetime(2026, 10, 1), year=year, index_code="qd766", tree=methodology.path.name
    )


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("qd766")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    con.executemany(
        "INSERT INTO dim_unit (unit_code, unit_name, unit_group, group_label, ranking_group, province, portal_code, "
        "aliases, sort_order) VALUES (?, ?, ?, ?, ?, 'Thái Nguyên', NULL, [], ?)",
        [u[:6] for u in UNITS],
    )
    write_tree(con)
    units = [unit_row(c, n, rg, s, r, t, d) for c, n, _, _, rg, _, s, r, t, d in UNITS]
    # another period must not leak in
    units.append(unit_row("SNV", "Sở Nội vụ", "agency", (1, 1, 1, 1, 1, 1), 1, False, 1, parse_period("2026-Q2")))
    units += month_rows()
    units.append(unit_row("SNV", "Sở Nội vụ", "agency", (1, 1, 1, 1, 1, 1), 1, False, 1, parse_period("2026-M10")))
    insert(con, "mart_qd766_unit", units)
    insert(con, "mart_qd766_indicator", [r for n, u in enumerate(UNITS) for r in indicator_rows(u[0], 100 + 10 * n)])
    insert(
        con,
        "mart_qd766_reconciliation",
        [
            recon(NEW, datetime(2026, 10, 2, 8), "Sở Nội vụ", "SNV", "match"),
            recon(NEW, datetime(2026, 10, 2, 8), "UBND xã Tân Khánh", None, "mismatch", recomputed=5.4),
            recon(NEW, datetime(2026, 10, 2, 8), "Sở Tài chính", "STC", "not_evaluated", indicator=None, portal=None),
            recon(OLD, datetime(2026, 10, 1, 8), "Sở Y tế", "SYT", "mismatch", recomputed=1.0),  # older capture
        ],
    )
    con.executemany(
        """INSERT INTO portal_qd766_issue BY NAME
                       SELECT ? AS file_name, ? AS department, 'unknown_department' AS rule, ? AS reason, false AS blocking,
                              'transparency' AS endpoint, 'CKMB' AS group_code, '2026-Q3' AS period_label, 1 AS rows,
                              [?] AS departments, ?::TIMESTAMP AS captured_at""",
        [
            (NEW, "UBND xã Tân Khánh", "Đơn vị không khớp danh mục", "UBND xã Tân Khánh", datetime(2026, 10, 2, 8)),
            (OLD, "Sở Y tế", "Vấn đề của ảnh chụp cũ", "Sở Y tế", datetime(2026, 10, 1, 8)),
        ],
    )
    data = read_workbook_data(con, PERIOD)
    con.close()
    path = write_qd766_workbook(tmp_path / "chi_so_766.xlsx", data, generated_at=datetime(2026, 10, 3, 9, 0))
    return data, load_workbook(path)


def rows_under(ws, header_row: int) -> list[tuple]:
    out = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in row):
            break
        out.append(row)
    return out


def find_row(ws, text: str, column: int = 1) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == text)


def test_read_workbook_data_filters_period_and_latest_capture(workbook):
    data, _ = workbook
    assert len(data.units) == len(UNITS) and set(data.units["period_label"]) == {PERIOD.label}
    assert data.as_of == AS_OF
    assert set(data.reconciliation["file_name"]) == {NEW}
    assert list(data.portal_issues["file_name"]) == [NEW]


def test_workbook_sheets_ranking_groups_and_reconciliation(workbook):
    data, wb = workbook
    assert wb.sheetnames == sheet_names(data.method)
    assert wb.sheetnames[:3] == [SHEET_RANKING, "Biểu đồ xếp hạng", "1. Công khai, minh bạch"]
    assert all(len(n) <= 31 for n in wb.sheetnames)

    ws = wb[SHEET_RANKING]
    assert ws["A1"].value == "CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QĐ 766/QĐ-TTg)"
    header = find_row(ws, "Hạng")
    headers = [c.value for c in ws[header]]
    assert headers[:4] == ["Hạng", "Đồng hạng", "Đơn vị", "Công khai, minh bạch (18)"]
    assert "Tổng điểm (100)" in headers and "Số hồ sơ" in headers
    agencies = rows_under(ws, header)
    assert [(r[0], r[2]) for r in agencies] == [(1, "Sở Nội vụ"), (2, "Sở Tài chính"), (3, "Sở Y tế")]
    assert "DVCTT" in agencies[2][-1] and "88" in agencies[2][-1]  # total out of 88, flagged
    texts = [c.value for row in ws.iter_rows(max_col=1) for c in row if isinstance(c.value, str)]
    assert any("Nhóm DVCTT: điểm của Cổng DVCQG, công thức chưa được công bố" in t for t in texts)
    assert any(t.startswith("II. XÃ, PHƯỜNG") for t in texts)

    local_header = header + 1 + next(i for i, t in enumerate(c.value for c in ws["A"][header:]) if t == "Hạng")
    locals_ = rows_under(ws, local_header)
    # tie shown explicitly; Đồng Hỷ before Yên Trạch in Vietnamese order (not in code-point order)
    assert [(r[0], r[1], r[2]) for r in locals_] == [
        (1, None, "Phường Phan Đình Phùng"),
        (2, "Đồng hạng", "Xã Đồng Hỷ"),
        (2, "Đồng hạng", "Xã Yên Trạch"),
        (4, None, "Xã Dân Tiến"),
    ]
    assert locals_[0][headers.index("Tổng điểm (100)")] == pytest.approx(91)
    assert not ws._charts and len(wb["Biểu đồ xếp hạng"]._charts) == 2  # printed on their own sheet
    assert ws.conditional_formatting and any(r.type == "expression" for cf in ws.conditional_formatting for r in cf.rules)

    ws = wb[SHEET_RECONCILIATION]
    header = find_row(ws, "Nhóm")
    problems = rows_under(ws, header)
    assert problems[0][:4] == ("Công khai, minh bạch", "UBND xã Tân Khánh", UNMATCHED, "1.4 Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG")
    assert problems[0][6:10] == (6.0, 5.4, -0.6, STATUS_LABELS["mismatch"])
    assert [p[1] for p in problems] == ["UBND xã Tân Khánh", "Sở Tài chính"]  # match and older capture left out
    summary = rows_under(ws, find_row(ws, "II. TỔNG HỢP THEO NHÓM VÀ TÌNH TRẠNG") + 3)
    assert summary[0][:2] == ("Công khai, minh bạch", NEW) and summary[-1][0] == "Tổng cộng"
    assert summary[-1][-1] == 3
    issues = rows_under(ws, find_row(ws, "IV. VẤN ĐỀ TRONG ẢNH CHỤP CỦA CỔNG") + 3)
    assert [(i[1], i[2]) for i in issues] == [(NEW, "UBND xã Tân Khánh")]


def test_a_period_not_ended_is_marked_provisional_on_every_sheet(workbook, tmp_path: Path):
    """The year to date on 26/11 said only "Số liệu đến hết ngày 26/11/2026", its ranks read as final; the web pages
    and the PAR and DTI workbooks say "tạm tính"."""
    data, wb = workbook
    texts = [str(wb[SHEET_RANKING].cell(r, 1).value) for r in range(1, 6)]
    provisional = [t for t in texts if t.startswith("Kỳ chưa kết thúc")]
    assert (data.as_of.date() < data.period.end) == bool(provisional)
    ended = dataclasses.replace(data, as_of=datetime.combine(data.period.end, time(23, 59, 59)))
    wb2 = load_workbook(write_qd766_workbook(tmp_path / "a.xlsx", ended))
    assert not any(str(wb2[SHEET_RANKING].cell(r, 1).value).startswith("Kỳ chưa kết thúc") for r in range(1, 6))
    early = dataclasses.replace(data, as_of=datetime.combine(data.period.end - timedelta(days=3), time(23, 59, 59)))
    wb3 = load_workbook(write_qd766_workbook(tmp_path / "b.xlsx", early))
    shown = [str(wb3[name].cell(r, 1).value) for name in (SHEET_RANKING, "1. Công khai, minh bạch") for r in range(1, 6)]
    day = f"{data.period.end - timedelta(days=3):%d/%m/%Y}"
    assert sum(t.startswith(f"Kỳ chưa kết thúc: số liệu tạm tính đến {day}") for t in shown) == 2


def test_months_scored_by_another_methodology_file_are_said_so(workbook, tmp_path: Path):
    """The year's trend sheet shows months scored by an earlier file (a decision valid from 1 July): the subtitle
    said nothing, as it looked at the period's own rows only, which are always of one file."""
    data, wb = workbook
    assert not any(str(wb[SHEET_RANKING].cell(r, 1).value).startswith("Lưu ý: điểm trong sổ") for r in range(1, 7))
    assert not data.trend.empty and "methodology" in data.trend
    trend = data.trend.copy()
    trend.loc[trend.index[0], "methodology"] = "qd766_2026_sua_doi.yaml"
    mixed = load_workbook(write_qd766_workbook(tmp_path / "m.xlsx", dataclasses.replace(data, trend=trend)))
    [note] = [v for r in range(1, 7) if str(v := mixed[SHEET_RANKING].cell(r, 1).value).startswith("Lưu ý: điểm trong sổ")]
    assert "2 phiên bản phương pháp" in note and "qd766_2026_sua_doi.yaml" in note and data.method.tree in note


def test_group_sheet_explains_the_score(workbook):
    _, wb = workbook
    ws = wb[group_sheet_name(1, METHODOLOGY.groups[0])]
    header = find_row(ws, "Hạng chung")  # the unit's overall rank, not a rank within the group
    headers = [c.value for c in ws[header]]
    assert "1.4 Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG — Tỷ lệ (%)" in headers
    assert "1.4 — Điểm (6)" in headers and "Điểm nhóm (18)" in headers
    assert "1.4 — Số hồ sơ đã đồng bộ lên Cổng DVCQG (tử số)" in headers
    rows = rows_under(ws, header)
    assert [r[2] for r in rows][:3] == ["Sở Nội vụ", "Sở Tài chính", "Sở Y tế"]
    snv = rows[0]
    # Sở Nội vụ: base 100, 1.4 is the 4th indicator -> 103 / 200 = 51.5 % -> 6 × 0.515 = 3.09
    assert snv[headers.index("1.4 — Số hồ sơ đã đồng bộ lên Cổng DVCQG (tử số)")] == 103
    assert snv[headers.index("1.4 — Số hồ sơ tiếp nhận (mẫu số)")] == 200
    assert snv[headers.index("1.4 Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG — Tỷ lệ (%)")] == pytest.approx(51.5)
    assert snv[headers.index("1.4 — Điểm (6)")] == pytest.approx(3.09)
    assert snv[headers.index("Điểm nhóm (18)")] == 15
    assert any(r.type == "expression" for cf in ws.conditional_formatting for r in cf.rules)

    ws = wb[group_sheet_name(2, METHODOLOGY.groups[1])]  # 2.2 is info: a value, no points
    headers = [c.value for c in ws[find_row(ws, "Hạng chung")]]
    assert any(h.startswith("2.2 ") and "không tính điểm" in h for h in headers)
    assert not any(h.startswith("2.2 — Điểm") for h in headers)


def test_empty_period_still_writes(tmp_path):
    con = duckdb.connect()
    ensure_schema(con)
    write_tree(con, 2026, methodology_for(date(2026, 1, 1)))
    data = read_workbook_data(con, parse_period("2026-M01"))
    assert data.units.empty and data.as_of is None
    wb = load_workbook(write_qd766_workbook(tmp_path / "empty.xlsx", data))
    assert wb.sheetnames == sheet_names(data.method)
    assert len(wb.sheetnames) == 5 + len(METHODOLOGY.groups)
    ws = wb[SHEET_TREND]  # a month workbook: that month's column only, empty here
    headers = [c.value for c in ws[find_row(ws, "Đơn vị")]]
    assert headers == ["Đơn vị", "T1/2026", "Hạng T1", "Đồng hạng", "Thay đổi hạng so với T12"]


def test_trend_sheet_month_by_month_from_the_view(workbook):
    """One column per month of the quarter, then September's rank and its change against August: each cell is the
    mart_qd766_trend row's (data.trend is what read_workbook_data read from the view)."""
    data, wb = workbook
    assert set(data.trend["period_label"]) == set(MONTHS)  # June and October left out
    view = {(r["unit_code"], r["period_label"]): r for r in data.trend.to_dict("records")}
    names = {u[1]: u[0] for u in UNITS}
    ws = wb[SHEET_TREND]
    header = find_row(ws, "Đơn vị")
    headers = [c.value for c in ws[header]]
    assert headers == ["Đơn vị", "T7/2026", "T8/2026", "T9/2026", "Hạng T9", "Đồng hạng", "Thay đổi hạng so với T8"]
    assert ws.cell(header + 1, 7).number_format == "+0;-0;0"
    agencies = rows_under(ws, header)
    local_header = (
        header
        + len(agencies)
        + 1
        + next(
            i
            for i, r in enumerate(ws.iter_rows(min_row=header + len(agencies) + 1, max_col=1, values_only=True))
            if r[0] == "Đơn vị"
        )
    )
    locals_ = rows_under(ws, local_header)
    # the ranking sheet's order: rank of the quarter, then Vietnamese name
    assert [r[0] for r in agencies] == ["Sở Nội vụ", "Sở Tài chính", "Sở Y tế"]
    assert [r[0] for r in locals_] == ["Phường Phan Đình Phùng", "Xã Đồng Hỷ", "Xã Yên Trạch", "Xã Dân Tiến"]
    for row in agencies + locals_:
        code = names[row[0]]
        for i, label in enumerate(MONTHS, start=1):
            found = view.get((code, label))
            assert row[i] == (None if found is None else pytest.approx(found["total"])), (code, label)
        september = view[(code, "2026-M09")]
        assert row[4] == september["rank"]
        assert row[5] == ("Đồng hạng" if september["is_tied"] else None)
        change = september["rank_change"]
        assert row[6] == (None if pd.isna(change) else change)
    by_name = {r[0]: r for r in agencies + locals_}
    assert by_name["Sở Nội vụ"][3] == pytest.approx(87.5) and by_name["Sở Nội vụ"][6] == 1  # back up from 2nd
    assert by_name["Sở Tài chính"][6] == -1
    assert by_name["Xã Yên Trạch"][1] is None and by_name["Xã Yên Trạch"][6] == 1
    assert by_name["Xã Dân Tiến"][1:4] == (None, None, pytest.approx(51)) and by_name["Xã Dân Tiến"][6] is None
    widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
    assert sum(widths) <= PAGE_CHARS and ws.page_setup.fitToWidth == 1  # one legible page across


def test_a_year_of_months_prints_on_one_page_across():
    """Unit, 12 months, rank, tie and change: within the legible width of one landscape page."""
    months = [parse_period(f"2026-M{m:02d}") for m in range(1, 13)]
    columns = trend_columns(months)
    assert len(columns) == 16 and columns[-1].header == "Thay đổi hạng so với T11"
    assert sum(c.width for c in columns) <= PAGE_CHARS


def test_cell_values_unchanged_reading_the_tree_from_the_warehouse(workbook, tmp_path):
    """The values the workbook showed when it still took the methodology object from the asset (issue 13)."""
    data, _ = workbook
    got = workbook_values(write_qd766_workbook(tmp_path / "again.xlsx", data, generated_at=datetime(2026, 10, 3, 9, 0)))
    expected = expected_values("qd766_hand_made")
    assert sorted(got) == sorted(expected)
    for sheet in expected:
        assert got[sheet] == expected[sheet], f"sheet {sheet!r} changed"


def test_the_tree_is_the_one_scored_not_the_file_on_disk(tmp_path):
    """Names and maxima come from dim_criterion of the tree the period's marts name, not from the methodology file."""
    con = duckdb.connect()
    ensure_schema(con)
    write_tree(con)
    con.execute("UPDATE dim_criterion SET name = 'Công khai (tên lúc chấm)' WHERE index_code = 'qd766' AND code = 'CKMB'")
    insert(con, "mart_qd766_indicator", indicator_rows("SNV", 100))
    data = read_workbook_data(con, PERIOD)
    assert data.method.tree == METHODOLOGY.path.name
    assert data.method.groups[0].name == "Công khai (tên lúc chấm)"
    assert [g.code for g in data.method.groups] == GROUPS
    assert data.method.max_points == 100
    assert [i.code for i in data.method.indicators] == [i.code for i in METHODOLOGY.indicators]
    assert [(i.numerator, i.denominator, i.max_points, i.scored) for i in data.method.indicators] == [
        (i.numerator, i.denominator, i.rule.max_points, i.scored) for i in METHODOLOGY.indicators
    ]
    wb = load_workbook(write_qd766_workbook(tmp_path / "b.xlsx", data))
    assert wb.sheetnames[2] == "1. Công khai (tên lúc chấm)"


def test_the_reconciliation_sheet_speaks_plain_vietnamese_not_null(workbook):
    # The summary's header read 'Cổng không đánh giá (null)': an internal word in front of officials.
    _, wb = workbook
    ws = wb[SHEET_RECONCILIATION]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if "null" in t.lower()]
    assert "Cổng không đánh giá (không có điểm)" in texts  # a column of the summary by group and status
