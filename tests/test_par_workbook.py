"""The PAR index workbook, from hand-made mart rows in a small DuckDB to the reopened Excel file."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from scoring.criteria import SOURCES
from warehouse.schema import ensure_schema
from workbooks.excel import PAGE_CHARS, unit_sheet_names
from workbooks.par import (
    OVERCLAIM,
    SHEET_CHARTS,
    SHEET_PROBLEMS,
    SHEET_RANKING,
    read_par_data,
    write_par_workbook,
)

YEAR = 2026
TREE = "par_2026_default.yaml"

# code, name, unit_group, group_label, ranking_group, sort_order
DIM = [
    ("SNV", "Sở Nội vụ", "agency", "Cơ quan cấp tỉnh", "agency", 1),
    ("STC", "Sở Tài chính", "agency", "Cơ quan cấp tỉnh", "agency", 2),
    ("00001", "Xã Đồng Hỷ", "commune", "Xã", "local", 3),
    ("00002", "Phường Phan Đình Phùng", "ward", "Phường", "local", 4),
]


def unit(code, name, group, total, pct, band, rank, tied, n, *, provisional=False, has_form=True, year=YEAR):
    return {
        "year": year,
        "unit_code": code,
        "unit_name": name,
        "ranking_group": group,
        "tree": TREE,
        "total": total,
        "max_applicable": 100.0 if code != "00001" else 98.0,
        "index_pct": pct,
        "band": band,
        "provisional": provisional,
        "has_form": has_form,
        "rank": rank,
        "is_tied": tied,
        "units_in_group": n,
        "group_average_pct": 80.0,
        "difficulties": f"Khó khăn của {name}",
        "proposals": f"Đề xuất của {name}",
    }


def crit(
    code,
    domain,
    name,
    method,
    mx,
    points,
    source,
    *,
    applicable=True,
    self_points=None,
    appraised=None,
    survey=None,
    computed=None,
    overclaim=False,
):
    return {
        "code": code,
        "domain": domain,
        "name": name,
        "method": method,
        "max_points": mx,
        "applicable": applicable,
        "self_points": self_points,
        "appraised_points": appraised,
        "survey_points": survey,
        "computed_value": computed,
        "points": points,
        "points_lost": None if not applicable or points is None else mx - points,
        "source": source,
        "overclaim": overclaim,
    }


def criteria_of(code: str) -> list[dict]:
    if code == "00001":  # provisional, an overclaim and a criterion that does not apply
        rows = [
            crit("D1.1", "D1", "Ban hành kế hoạch CCHC", "self", 10, 8, "self_provisional", self_points=8),
            crit("D1.2", "D1", "Kiểm tra CCHC", "self", 2, None, "not_applicable", applicable=False),
            crit(
                "D2.1",
                "D2",
                "Tỷ lệ hồ sơ đúng hạn",
                "computed",
                50,
                30,
                "computed",
                self_points=50,
                computed=60.0,
                overclaim=True,
            ),
            crit("D2.10", "D2", "Khảo sát SIPAS", "survey_sipas", 38, 35, "survey", survey=35),
        ]
    else:
        rows = [
            crit("D1.1", "D1", "Ban hành kế hoạch CCHC", "self", 10, 9, "appraised", self_points=10, appraised=9),
            crit("D1.2", "D1", "Kiểm tra CCHC", "self", 2, 2, "appraised", self_points=2, appraised=2),
            crit("D2.1", "D2", "Tỷ lệ hồ sơ đúng hạn", "computed", 50, 45, "computed", computed=90.0),
            crit("D2.10", "D2", "Khảo sát SIPAS", "survey_sipas", 38, 30, "survey", survey=30),
        ]
    return [{"year": YEAR, "unit_code": code, "tree": TREE, **r} for r in rows]


def domains_of(criteria: list[dict]) -> list[dict]:
    out = {}
    for c in criteria:
        d = out.setdefault(
            c["domain"],
            {
                "year": YEAR,
                "unit_code": c["unit_code"],
                "domain": c["domain"],
                "name": f"Lĩnh vực {c['domain']}",
                "max_points": 0.0,
                "points": 0.0,
                "points_lost": 0.0,
            },
        )
        if c["applicable"]:
            d["max_points"] += c["max_points"]
            d["points"] += c["points"] or 0
            d["points_lost"] += c["points_lost"] or 0
    return list(out.values())


def insert(con, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    con.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[r[c] for c in columns] for r in rows],
    )


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("par")
    con = duckdb.connect(str(tmp / "w.duckdb"))
    ensure_schema(con)
    con.executemany(
        "INSERT INTO dim_unit (unit_code, unit_name, unit_group, group_label, ranking_group, province, portal_code, "
        "aliases, sort_order) VALUES (?, ?, ?, ?, ?, 'Thái Nguyên', NULL, [], ?)",
        DIM,
    )
    insert(
        con,
        "mart_par_unit",
        [
            unit("SNV", "Sở Nội vụ", "agency", 86.0, 86.0, "Tốt", 1, True, 2),
            unit("STC", "Sở Tài chính", "agency", 86.0, 86.0, "Tốt", 1, True, 2),
            unit("00001", "Xã Đồng Hỷ", "local", 73.0, 74.49, "Khá", 2, False, 2, provisional=True),
            unit("00002", "Phường Phan Đình Phùng", "local", 86.0, 86.0, "Tốt", 1, False, 2),
            unit("SNV", "Sở Nội vụ", "agency", 1.0, 1.0, "Yếu", 1, False, 2, year=YEAR - 1),  # another year
            unit("STC", "Sở Tài chính", "agency", 80.5, 80.5, "Khá", 2, False, 2, year=YEAR - 1),
            # no form last year: last year's index shown, no change computed
            unit("00001", "Xã Đồng Hỷ", "local", 40.0, 40.0, "Yếu", None, False, 1, has_form=False, year=YEAR - 1),
        ],
    )
    criteria = [r for code, *_ in DIM for r in criteria_of(code)]
    insert(con, "mart_par_criterion", criteria)
    insert(con, "mart_par_domain", [d for code, *_ in DIM for d in domains_of(criteria_of(code))])
    data = read_par_data(con, YEAR)
    con.close()
    whole = write_par_workbook(tmp / "chi_so_cchc.xlsx", data)
    one = write_par_workbook(tmp / "chi_so_cchc_00001.xlsx", data, unit="00001")
    return data, load_workbook(whole), load_workbook(one)


def values(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def rows_after(ws, title: str) -> list[tuple]:
    """Data rows of the table titled ``title`` (title, blank, header, then rows until a blank row)."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 3
    out = []
    for r in rows[start:]:
        if all(v is None for v in r):
            break
        out.append(r)
    return out


def test_read_keeps_only_the_year(books):
    data, *_ = books
    assert len(data.units) == 4 and set(data.units["year"]) == {YEAR}
    assert "sort_order" in data.units


def test_sheet_names(books):
    _, whole, _ = books
    assert whole.sheetnames == [
        SHEET_RANKING,
        SHEET_CHARTS,
        "Sở Nội vụ",
        "Sở Tài chính",
        "Xã Đồng Hỷ",
        "Phường Phan Đình Phùng",
        SHEET_PROBLEMS,
    ]


def test_sheet_names_short_unique_and_legal():
    units = [{"unit_code": f"U{i}", "unit_name": "Ban Quản lý các khu công nghiệp tỉnh Thái Nguyên: A/B"} for i in range(3)] + [
        {"unit_code": "X", "unit_name": "xếp hạng"}
    ]
    names = unit_sheet_names(units, reserved=(SHEET_RANKING,))
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names.values())
    assert len({n.casefold() for n in names.values()} | {SHEET_RANKING.casefold()}) == 5
    assert names["U0"].startswith("Ban Quản lý các KCN")  # abbreviated as officials do, never "Quản lý …"
    assert unit_sheet_names([{"unit_code": "B", "unit_name": "Ban Quản lý các khu công nghiệp tỉnh"}]) == {
        "B": "Ban Quản lý các KCN tỉnh"
    }


def test_ranking_sheet(books):
    _, whole, _ = books
    ws = whole[SHEET_RANKING]
    rows = values(ws)
    assert rows[0][0] == f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {YEAR}"
    text = "\n".join(str(v) for r in rows for v in r if v is not None)
    assert ".yaml" not in text and "Bộ tiêu chí: bộ mặc định" in text  # the tree by its decision, not its file
    assert "(tạm tính)" in text and "tiêu chí áp dụng" in text
    agencies = [r for r in rows if r[2] in ("Sở Nội vụ", "Sở Tài chính")]
    assert [r[:2] for r in agencies] == [(1, "Đồng hạng"), (1, "Đồng hạng")]  # the rank a number, the tie apart
    locals_ = {r[2]: r for r in rows if r[2] in ("Xã Đồng Hỷ", "Phường Phan Đình Phùng")}
    assert locals_["Xã Đồng Hỷ"][:2] == (2, None) and locals_["Xã Đồng Hỷ"][6] == "Khá (tạm tính)"
    assert locals_["Xã Đồng Hỷ"][11] == "Tạm tính" and locals_["Phường Phan Đình Phùng"][11] == "Đã thẩm định"
    assert not ws._charts
    assert len(ws.conditional_formatting) == 2
    charts = whole[SHEET_CHARTS]
    assert len(charts._charts) == 2 and len(charts.row_breaks.brk) == 2  # a chart a group, each on its own page


def test_ranking_sheet_beside_last_year_from_the_trend_view(books):
    """Last year's index and rank and the changes are mart_par_trend's cells (data.trend, read from the view); a unit
    without last year's row has them empty, and a note says so."""
    data, whole, _ = books
    ws = whole[SHEET_RANKING]
    rows = values(ws)
    header = next(r for r in rows if r[0] == "Hạng")
    keys = ["Chỉ số năm trước (%)", "Thay đổi chỉ số (điểm %)", "Hạng năm trước", "Thay đổi hạng"]
    at = [header.index(k) for k in keys]
    assert header.index("Xếp loại") < at[0] and at[-1] < header.index("Tình trạng")
    view = {r["unit_code"]: r for r in data.trend.to_dict("records")}
    codes = {name: code for code, name, *_ in DIM}
    shown = {r[2]: [r[i] for i in at] for r in rows if r[2] in codes}
    for name, cells in shown.items():
        v = view[codes[name]]
        expected = [v["previous_index_pct"], v["index_change"], v["previous_rank"], v["rank_change"]]
        assert cells == [None if pd.isna(x) else pytest.approx(x) for x in expected], name
    assert shown["Sở Tài chính"] == [80.5, pytest.approx(5.5), 2, 1]  # up one place
    assert shown["Sở Nội vụ"] == [1, 85, 1, 0]
    assert shown["Xã Đồng Hỷ"] == [40, None, None, None]  # no form last year: no change
    assert shown["Phường Phan Đình Phùng"] == [None] * 4  # no row last year
    text = "\n".join(str(v) for r in rows for v in r if v is not None)
    assert "để trống khi đơn vị không có kết quả năm trước" in text
    header_row = next(c.row for c in ws["A"] if c.value == "Hạng")
    assert ws.cell(header_row + 1, at[3] + 1).number_format == "+0;-0;0"  # "+1": up one place
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(header) + 1)]
    assert sum(widths) <= PAGE_CHARS  # still one legible landscape page across


def test_unit_sheet(books):
    _, whole, _ = books
    ws = whole["Xã Đồng Hỷ"]
    text = "\n".join(str(r[0]) for r in values(ws))
    assert "Xếp hạng: 2/2" in text and "(tạm tính)" in text and "Trung bình nhóm: 80,00 %" in text
    criteria = rows_after(ws, "KẾT QUẢ THEO TIÊU CHÍ")
    assert [r[0] for r in criteria] == ["D1.1", "D1.2", "D2.1", "D2.10"]  # natural order of codes
    by_code = {r[0]: r for r in criteria}
    assert by_code["D2.1"][11] == OVERCLAIM and by_code["D1.1"][11] is None
    assert by_code["D1.2"][10] == "Không áp dụng" and by_code["D2.1"][2] == "Tính từ dữ liệu"
    assert {r[10] for r in criteria} <= set(SOURCES.values())  # labels, never the mart's codes
    improve = rows_after(ws, "ĐIỂM CÓ THỂ CẢI THIỆN")[1:]  # a subtitle line precedes the header
    assert [(r[0], r[2]) for r in improve] == [("D2.1", 20), ("D2.10", 3), ("D1.1", 2)]  # D1.2 does not apply
    domain = next(r for r in ws.iter_rows(values_only=True) if r[0] == "D2")
    assert domain[1:6] == ("Lĩnh vực D2", 88, 65, 23, 70)  # group average of D2: (65 + 75) / 2
    assert "Khó khăn của Xã Đồng Hỷ" in [r[1] for r in ws.iter_rows(values_only=True)]


def test_per_unit_workbook(books):
    _, _, one = books
    assert one.sheetnames == ["Xã Đồng Hỷ"]


def test_unknown_unit(books, tmp_path):
    data, *_ = books
    with pytest.raises(ValueError, match="XYZ"):
        write_par_workbook(tmp_path / "x.xlsx", data, unit="XYZ")


def test_a_unit_whose_form_was_refused_is_flagged_unranked_and_listed_with_the_rejected_data(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    con.executemany(
        "INSERT INTO dim_unit (unit_code, unit_name, unit_group, group_label, ranking_group, province, portal_code, "
        "aliases, sort_order) VALUES (?, ?, ?, ?, ?, 'Thái Nguyên', NULL, [], ?)",
        DIM[:2],
    )
    refused = "tu_danh_gia_stc.xlsx: Trang 'Tự đánh giá', ô D14: tiêu chí D1.1: điểm tự đánh giá 12 vượt điểm tối đa 10."
    insert(
        con,
        "mart_par_unit",
        [
            {**unit("SNV", "Sở Nội vụ", "agency", 86.0, 86.0, "Tốt", 1, False, 1), "form_refused": None},
            {**unit("STC", "Sở Tài chính", "agency", 40.0, 40.0, None, None, False, 1, has_form=False), "form_refused": refused},
        ],
    )
    insert(con, "mart_par_criterion", [r for code, *_ in DIM[:2] for r in criteria_of(code)])
    insert(con, "mart_par_domain", [d for code, *_ in DIM[:2] for d in domains_of(criteria_of(code))])
    con.execute("""INSERT INTO quarantine (source, file_name, partition_date, row_number, unit_code, unit_name, record_key, rule, reason, value, loaded_at) VALUES ('par_form', 'tu_danh_gia_stc.xlsx', NULL, 14, 'STC', 'Sở Tài chính',
                   'D1.1', 'score_above_max', 'Trang ''Tự đánh giá'', ô D14: vượt điểm tối đa', '12', now())""")
    con.execute("""INSERT INTO file_issues (source, file_name, partition_date, rule, reason, blocking, loaded_at) VALUES ('par_form', 'bao_cao.xlsx', NULL, 'wrong_file_kind',
                   'Tệp ''bao_cao.xlsx'' không phải bảng tính Excel mà là tệp PDF', true, now())""")
    data = read_par_data(con, YEAR)
    con.close()
    book = load_workbook(write_par_workbook(tmp_path / "b.xlsx", data))
    ranking = values(book[SHEET_RANKING])
    header = next(r for r in ranking if r[0] == "Hạng")
    stc = next(r for r in ranking if r[2] == "Sở Tài chính")
    col = {name: i for i, name in enumerate(header)}
    assert stc[col["Hạng"]] != 1 and stc[col["Tình trạng"]] == "Phiếu bị từ chối"
    assert stc[col["Ghi chú"]] == f"Phiếu bị từ chối: {refused}" and not stc[col["Xếp loại"]]
    assert "Phiếu tự đánh giá bị từ chối: tu_danh_gia_stc.xlsx" in str(values(book["Sở Tài chính"]))
    problems = values(book[SHEET_PROBLEMS])
    assert ("Sở Tài chính", refused) in [r[:2] for r in problems]
    assert any(r[1] == "tu_danh_gia_stc.xlsx" and r[2] == 14 for r in problems)
    assert any(r[1] == "bao_cao.xlsx" and "tệp PDF" in (r[2] or "") for r in problems)


def test_the_total_points_lost_of_a_unit_sheet_holds_the_rounded_sum(tmp_path):
    # The 'Cộng' row stored 20.01000000000001 in the reviewer's run: the float sum of the domains' points lost.
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    con.executemany(
        "INSERT INTO dim_unit (unit_code, unit_name, unit_group, group_label, ranking_group, province, portal_code, "
        "aliases, sort_order) VALUES (?, ?, ?, ?, ?, 'Thái Nguyên', NULL, [], ?)",
        DIM[:1],
    )
    insert(con, "mart_par_unit", [unit("SNV", "Sở Nội vụ", "agency", 96.7, 96.7, "Tốt", 1, False, 1)])
    insert(con, "mart_par_criterion", criteria_of("SNV"))
    domains = domains_of(criteria_of("SNV"))
    domains[0]["points_lost"], domains[1]["points_lost"] = 0.68, 0.02  # 0.68 + 0.02 = 0.7000000000000001
    insert(con, "mart_par_domain", domains)
    data = read_par_data(con, YEAR)
    con.close()
    ws = load_workbook(write_par_workbook(tmp_path / "b.xlsx", data))["Sở Nội vụ"]
    total = next(row for row in ws.iter_rows() if row[1].value == "Cộng")
    assert total[4].value == 0.7 and total[4].number_format == "0.00"


def test_a_domains_group_average_is_over_the_units_with_a_usable_form() -> None:
    """The unit sheet's 'Trung bình nhóm' of a domain averaged in a unit without a form (scored from its appraisal
    alone), unlike the index's group average: by hand (11 + 6.4) / 2 = 8.70, not (11 + 6.4 + 5.75) / 3 = 7.72."""
    import pandas as pd

    from workbooks.par import ParData, _domain_averages

    units = pd.DataFrame({"unit_code": ["A", "B", "C"], "ranking_group": ["agency"] * 3, "has_form": [True, True, False]})
    domains = pd.DataFrame({"unit_code": ["A", "B", "C"], "domain": ["LV1"] * 3, "points": [11.0, 6.4, 5.75]})
    data = ParData(year=2026, units=units, domains=domains, criteria=pd.DataFrame())
    assert _domain_averages(data) == {("agency", "LV1"): 8.7}
