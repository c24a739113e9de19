"""The DTI workbook, from hand-made mart rows in a small DuckDB to the reopened Excel file."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import datetime

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, RadarChart

from scoring.criteria import tree_for
from scoring.criteria_table import tree_rows
from warehouse.criteria_dim import write_dim_criterion
from warehouse.schema import ensure_schema
from workbooks.dti import (
    NO_FORM,
    OVERCLAIM,
    REJECTED_EXTERNAL,
    SHEET_CHARTS,
    SHEET_METHOD,
    SHEET_PILLARS,
    SHEET_PROBLEMS,
    SHEET_PROFILE,
    SHEET_SUMMARY,
    interval_text,
    previous_note,
    problems_summary,
    profile_units,
    read_dti_data,
    unit_note,
    write_dti_workbook,
)

YEAR = 2026
AGENCY_TREE, LOCAL_TREE = "dti_2026_agency_default.yaml", "dti_2026_local_default.yaml"
METHOD_NOTE = (
    "Xếp hạng được tính lại 1.000 lần: trọng số mỗi chỉ số chính nhân ngẫu nhiên trong khoảng ±25 %; "
    "giá trị khởi tạo ngẫu nhiên (seed) 2026, chạy lại cho cùng kết quả. Khoảng xếp hạng là bách phân vị "
    "5–95."
)
RANK_AGENCIES, RANK_LOCAL = "Xếp hạng sở, ban, ngành", "Xếp hạng xã, phường"

# code, name, unit_group, group_label, ranking_group, sort_order
DIM = [
    ("SNV", "Sở Nội vụ", "agency", "Cơ quan cấp tỉnh", "agency", 1),
    ("STC", "Sở Tài chính", "agency", "Cơ quan cấp tỉnh", "agency", 2),
    ("SXD", "Sở Xây dựng", "agency", "Cơ quan cấp tỉnh", "agency", 3),
    ("00003", "Xã An Khánh", "commune", "Xã", "local", 4),
    ("00001", "Xã Đồng Hỷ", "commune", "Xã", "local", 5),
    ("00002", "Phường Phan Đình Phùng", "ward", "Phường", "local", 6),
]
NAMES = {
    "NT": "Nhận thức số",
    "AT": "An toàn thông tin mạng",
    "HD": "Hoạt động chính quyền số",
    "KT": "Kinh tế số",
    "XH": "Xã hội số",
}
WEIGHTS = {"NT": 10, "AT": 15, "HD": 35, "KT": 10, "XH": 10}


def unit(
    code,
    name,
    group,
    total,
    level,
    rank,
    tied,
    n,
    *,
    provisional=False,
    has_form=True,
    missing=0,
    previous=None,
    previous_names=None,
    merged=None,
    previous_missing=None,
    interval=(None, None),
    median=None,
    share=None,
    year=YEAR,
):
    return {
        "year": year,
        "unit_code": code,
        "unit_name": name,
        "ranking_group": group,
        "tree": AGENCY_TREE if group == "agency" else LOCAL_TREE,
        "total": total,
        "index_value": total / 100,
        "band": level,
        "provisional": provisional,
        "has_form": has_form,
        "missing_components": missing,
        "rank": rank,
        "is_tied": tied,
        "units_in_group": n,
        "group_average": 75.0 if group == "agency" else 57.5,
        "previous_total": previous,
        "previous_names": previous_names,
        "previous_merged": merged,
        "previous_missing": previous_missing,
        "change": None if previous is None else round(total - previous, 2),
        "rank_median": median,
        "rank_p05": interval[0],
        "rank_p95": interval[1],
        "rank_best": interval[0],
        "rank_worst": interval[1],
        "share_same_rank": share,
    }


UNITS = [
    unit(
        "SNV",
        "Sở Nội vụ",
        "agency",
        85.0,
        "Tốt",
        1,
        False,
        3,
        previous=80.0,
        previous_names="Sở Nội vụ",
        merged=False,
        interval=(1, 1),
        median=1.0,
        share=0.92,
    ),
    unit(
        "STC",
        "Sở Tài chính",
        "agency",
        70.0,
        "Khá",
        2,
        True,
        3,
        previous=72.5,
        previous_names="Sở Kế hoạch và Đầu tư; Sở Tài chính; Ban Quản lý dự án",
        merged=True,
        previous_missing="Ban Quản lý dự án",
        interval=(2, 3),
        median=2.5,
        share=0.48,
    ),
    unit(
        "SXD",
        "Sở Xây dựng",
        "agency",
        70.0,
        "Khá",
        2,
        True,
        3,
        provisional=True,
        missing=1,
        interval=(2, 3),
        median=2.5,
        share=0.5,
    ),
    unit("00001", "Xã Đồng Hỷ", "local", 60.0, "Trung bình", 1, False, 2, interval=(1, 2), median=1.0, share=0.7),
    unit("00002", "Phường Phan Đình Phùng", "local", 55.0, "Trung bình", 2, False, 2, interval=(1, 2), median=2.0, share=0.7),
    unit("00003", "Xã An Khánh", "local", 12.0, "Yếu", None, False, 2, has_form=False, missing=5),
    unit("SNV", "Sở Nội vụ", "agency", 1.0, "Yếu", 1, False, 1, year=YEAR - 1),  # another year
]


def comp(
    code,
    main,
    name,
    method,
    mx,
    points,
    source,
    *,
    applicable=True,
    answer=None,
    self_points=None,
    appraised=None,
    external=None,
    computed=None,
    overclaim=False,
    data_source=None,
):
    return {
        "code": code,
        "main_index": main,
        "name": name,
        "method": method,
        "rule_kind": "linear",
        "data_source": data_source or {"self": "Tự đánh giá", "computed": "Tính từ dữ liệu của kho: x"}.get(method),
        "max_points": mx,
        "applicable": applicable,
        "self_answer": answer,
        "self_points": self_points,
        "appraised_points": appraised,
        "external_value": external,
        "computed_value": computed,
        "points": points,
        "points_lost": None if points is None else round(mx - points, 2),
        "source": source,
        "overclaim": overclaim,
    }


SOC = "Hệ thống giám sát an toàn thông tin mạng (SOC) của tỉnh"


def components_of(code: str, group: str) -> list[dict]:
    if group == "agency":
        soc_missing = code == "SXD"  # the SOC's row for the unit was rejected: the component is missing
        rows = [
            comp(
                "NT.1",
                "NT",
                "Trưởng Ban chỉ đạo",
                "self",
                3,
                1.5,
                "appraised",
                answer="Cấp phó của người đứng đầu",
                self_points=3,
                appraised=1.5,
            ),
            comp("NT.2", "NT", "Kế hoạch chuyển đổi số", "self", 2, 2, "self_provisional", answer="Có", self_points=2),
            comp(
                "AT.2",
                "AT",
                "Máy tính có phần mềm phòng, chống mã độc",
                "external",
                4,
                0.0 if soc_missing else 3.6,
                "missing" if soc_missing else "external",
                external=None if soc_missing else 90.0,
                data_source=SOC,
            ),
            comp("AT.4", "AT", "Diễn tập an toàn thông tin", "self", 3, 3, "appraised", answer="Có", appraised=3),
            comp(
                "HD.1",
                "HD",
                "Văn bản ký số",
                "external",
                5,
                4,
                "external",
                external=80.0,
                data_source="Hệ thống quản lý văn bản và điều hành của tỉnh",
            ),
            comp(
                "HD.2",
                "HD",
                "Hồ sơ công việc trên môi trường mạng",
                "external",
                5,
                5,
                "external",
                external=100.0,
                data_source="Hệ thống quản lý văn bản và điều hành của tỉnh",
            ),
            comp(
                "HD.3",
                "HD",
                "Hồ sơ TTHC nộp trực tuyến",
                "computed",
                5,
                2,
                "computed",
                computed=40.0,
                self_points=5,
                overclaim=True,
            ),
            comp(
                "HD.9",
                "HD",
                "Nhiệm vụ chủ trì",
                "computed",
                3,
                None,
                "not_measured",
                data_source="Tính từ dữ liệu của kho: dt_plan_tasks_on_time_rate",
            ),
        ]
    else:
        rows = [
            comp("NT.1", "NT", "Trưởng Ban chỉ đạo", "self", 3, 3, "appraised", answer="Chủ tịch UBND", appraised=3),
            comp(
                "KT.1", "KT", "Hộ kinh doanh dùng hóa đơn điện tử", "self", 4, 2, "self_provisional", answer="50", self_points=2
            ),
            comp(
                "XH.1", "XH", "Định danh điện tử mức 2", "external", 4, 3, "external", external=67.5, data_source="Công an tỉnh"
            ),
            comp("XH.9", "XH", "Thành phần của agency", "self", 2, None, "not_applicable", applicable=False),
        ]
        if code == "00003":  # no usable form: self-assessed components missing
            rows = [
                {
                    **r,
                    "points": 0.0,
                    "points_lost": r["max_points"],
                    "source": "missing",
                    "appraised_points": None,
                    "self_points": None,
                    "self_answer": None,
                }
                if r["method"] == "self" and r["applicable"]
                else r
                for r in rows
            ]
    return [{"year": YEAR, "unit_code": code, "tree": AGENCY_TREE if group == "agency" else LOCAL_TREE, **r} for r in rows]


def indices_of(components: list[dict]) -> list[dict]:
    out: dict[str, dict] = {}
    for c in components:
        d = out.setdefault(
            c["main_index"],
            {
                "year": YEAR,
                "unit_code": c["unit_code"],
                "main_index": c["main_index"],
                "name": NAMES[c["main_index"]],
                "weight": WEIGHTS[c["main_index"]],
                "max_points": 0.0,
                "points": 0.0,
                "points_lost": 0.0,
                "missing_components": 0,
            },
        )
        if c["applicable"] and c["points"] is not None:
            d["max_points"] += c["max_points"]
            d["points"] += c["points"]
            d["points_lost"] += c["points_lost"]
            d["missing_components"] += c["source"] == "missing"
    for d in out.values():
        d["value"] = round(d["points"] / d["max_points"], 4) if d["max_points"] else None
    return list(out.values())


def insert(con, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    con.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[r[c] for c in columns] for r in rows],
    )


QUARANTINE = [
    # source, file_name, row_number, unit_code, unit_name, record_key, rule, reason, value, year, index, criterion
    # (the last three as the loaders write them)
    (
        "dti_external",
        "soc_2026.csv",
        3,
        "SXD",
        "Sở Xây dựng",
        "SXD|AT.2",
        "out_of_range",
        "Tệp soc_2026.csv, dòng 3, đơn vị Sở Xây dựng, thành phần AT.2: giá trị 120 ngoài khoảng 0..100.",
        "120",
        YEAR,
        "dti",
        "AT.2",
    ),
    (
        "dti_external",
        "soc_2025.csv",
        4,
        "SNV",
        "Sở Nội vụ",
        "SNV|AT.2",
        "out_of_range",  # another year's file
        "Tệp soc_2025.csv, dòng 4: giá trị của năm khác.",
        "130",
        YEAR - 1,
        "dti",
        "AT.2",
    ),
    (
        "dti_form",
        "dti_an_khanh.xlsx",
        12,
        "00003",
        "Xã An Khánh",
        None,
        "missing_answer",
        "Phiếu dti_an_khanh.xlsx, ô D12: thiếu câu trả lời.",
        None,
        YEAR,
        "dti",
        None,
    ),
    (
        "par_form",
        "par_snv.xlsx",
        5,
        "SNV",
        "Sở Nội vụ",
        None,
        "missing_answer",
        "Phiếu CCHC.",
        None,  # not DTI
        YEAR,
        "par",
        None,
    ),
]


FILE_ISSUES = [
    # source, file_name, rule, reason, blocking, year, index, unit, criterion
    (
        "dti_external",
        "vbdh_2026.csv",
        "missing_columns",
        "Thiếu cột 'Giá trị'; không nạp được tệp.",
        True,
        YEAR,
        "dti",
        None,
        None,
    ),
    (
        "dti_form",
        "dti_sxd.xlsx",
        "blank_score",
        "Trang 'Tự đánh giá', ô E12: tiêu chí NT.2 chưa có kết quả tự đánh giá.",
        False,
        YEAR,
        "dti",
        "SXD",
        "NT.2",
    ),
    (
        "dti_form",
        "dti_sxd.xlsx",
        "blank_score",
        "Trang 'Tự đánh giá', ô E9: tiêu chí NT.1 chưa có kết quả tự đánh giá.",
        False,
        YEAR,
        "dti",
        "SXD",
        "NT.1",
    ),
]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dti")
    con = duckdb.connect(str(tmp / "w.duckdb"))
    ensure_schema(con)
    con.executemany(
        "INSERT INTO dim_unit (unit_code, unit_name, unit_group, group_label, ranking_group, province, portal_code, "
        "aliases, sort_order) VALUES (?, ?, ?, ?, ?, 'Thái Nguyên', NULL, [], ?)",
        DIM,
    )
    insert(con, "mart_dti_unit", UNITS)
    components = [c for u in UNITS if u["year"] == YEAR for c in components_of(u["unit_code"], u["ranking_group"])]
    insert(con, "mart_dti_component", components)
    indices = [i for u in UNITS if u["year"] == YEAR for i in indices_of(components_of(u["unit_code"], u["ranking_group"]))]
    insert(con, "mart_dti_index", indices)
    pillars = [
        {"year": YEAR, "unit_code": u["unit_code"], "pillar": p, "name": n, "value": round(u["total"] / 100, 4)}
        for u in UNITS
        if u["year"] == YEAR
        for p, n in (
            [("CQS", "Chính quyền số")] + ([("KTS", "Kinh tế số"), ("XHS", "Xã hội số")] if u["ranking_group"] == "local" else [])
        )
    ]
    insert(con, "mart_dti_pillar", pillars)
    con.executemany(
        """INSERT INTO quarantine (source, file_name, row_number, unit_code, unit_name, record_key, rule,
                                               reason, value, year, index_code, criterion_code)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        QUARANTINE,
    )
    con.execute(
        """INSERT INTO file_issues (source, file_name, rule, reason, blocking, year, index_code)
                   VALUES ('dti_previous', 'dti_2025.csv', 'file_name_year', 'Tên tệp ghi năm 2024, khác năm đang tổng hợp.',
                           false, ?, 'dti')""",
        [YEAR - 1],
    )
    con.executemany(
        """INSERT INTO file_issues (source, file_name, rule, reason, blocking, year, index_code, unit_code,
                                                criterion_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        FILE_ISSUES,
    )
    # The trees as scoring records them.
    write_dim_criterion(
        con,
        [r for g in ("agency", "local") for r in tree_rows(tree_for("dti", YEAR, g))],
        datetime(2026, 12, 1),
        year=YEAR,
        index_code="dti",
    )
    con.execute(
        """INSERT INTO stg_assessment_submission VALUES ('dti_an_khanh.xlsx', NULL, '00003', ?, 'dti', NULL,
                   NULL, NULL, 3, false, NULL)""",
        [YEAR],
    )
    con.execute(
        """INSERT INTO stg_assessment_submission VALUES ('dti_sxd.xlsx', NULL, 'SXD', ?, 'dti', NULL,
                   NULL, NULL, 0, false, NULL)""",
        [YEAR],
    )
    data = read_dti_data(con, YEAR, method_note=METHOD_NOTE)
    con.close()
    whole = write_dti_workbook(tmp / "dti.xlsx", data)
    again = write_dti_workbook(tmp / "dti_again.xlsx", data)
    one = write_dti_workbook(tmp / "dti_sxd.xlsx", data, unit="SXD")
    return data, load_workbook(whole), load_workbook(one), load_workbook(again)


def values(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def text_of(ws) -> str:
    return "\n".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None)


def header_of(ws, first: str) -> tuple[int, tuple]:
    """Row number and values of the first header row starting with ``first``."""
    for i, r in enumerate(ws.iter_rows(values_only=True), start=1):
        if r and r[0] == first:
            return i, r
    raise AssertionError(f"no header {first!r}")


def table_rows(ws, first_header: str, occurrence: int = 0) -> tuple[tuple, list[tuple]]:
    """Header and data rows (until a blank row) of the ``occurrence``-th table whose header starts with
    ``first_header``."""
    rows = list(ws.iter_rows(values_only=True))
    starts = [i for i, r in enumerate(rows) if r and r[0] == first_header]
    start = starts[occurrence]
    out = []
    for r in rows[start + 1 :]:
        if all(v is None for v in r):
            break
        out.append(r)
    return rows[start], out


def test_read_keeps_only_the_year_and_dti_sources(books):
    data, *_ = books
    assert len(data.units) == 6 and set(data.units["year"]) == {YEAR}
    assert set(data.problems["file_name"]) == {"soc_2026.csv", "dti_an_khanh.xlsx"}
    assert list(data.file_issues["file_name"]) == ["vbdh_2026.csv", "dti_sxd.xlsx", "dti_sxd.xlsx", "dti_2025.csv"]
    assert data.trees["agency"] is not None and data.trees["agency"].file == AGENCY_TREE
    assert data.no_form_files == {"00003": "dti_an_khanh.xlsx"}


def test_sheet_names(books):
    _, whole, _, _ = books
    fixed = [
        SHEET_SUMMARY,
        RANK_AGENCIES,
        RANK_LOCAL,
        SHEET_CHARTS,
        SHEET_PROFILE,
        SHEET_PILLARS,
        SHEET_PROBLEMS,
        SHEET_METHOD,
    ]
    # Unit sheets as in the PAR workbook: agencies, then communes and wards, each in Vietnamese order (not by rank).
    assert whole.sheetnames[: len(fixed) + 3] == [*fixed, "Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng"]
    local = whole.sheetnames[len(fixed) + 3 :]
    assert sorted(local) == sorted(["Xã Đồng Hỷ", "Phường Phan Đình Phùng", "Xã An Khánh"])
    assert local.index("Xã An Khánh") < local.index("Xã Đồng Hỷ")  # Đ after D, not after Y
    assert fixed == [
        "Tổng hợp",
        "Xếp hạng sở, ban, ngành",
        "Xếp hạng xã, phường",
        "Biểu đồ xếp hạng",
        "Hồ sơ chỉ số",
        "Trụ cột",
        "Dữ liệu lỗi",
        "Phương pháp",
    ]
    for name in whole.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
        assert unicodedata.normalize("NFC", name) == name


def test_summary(books):
    _, whole, _, _ = books
    ws = whole[SHEET_SUMMARY]
    assert ws["A1"].value == f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM {YEAR}"
    text = text_of(ws)
    assert "Bộ chỉ số mặc định" in text and "thay bằng quyết định của UBND tỉnh" in text
    assert ".yaml" not in text and AGENCY_TREE not in text  # the trees by their decisions, not their files
    header, rows = table_rows(ws, "Nhóm xếp hạng")
    assert header[:6] == ("Nhóm xếp hạng", "Số đơn vị", "Có phiếu dùng được", "Được xếp hạng", "Tạm tính", "Điểm trung bình")
    assert header[6:10] == ("Tốt", "Khá", "Trung bình", "Yếu")  # the trees' bands, best first
    by_group = {r[0]: r for r in rows}
    assert by_group["Sở, ban, ngành"][1:10] == (3, 3, 3, 1, 75, 1, 2, 0, 0)
    assert by_group["Xã, phường"][1:10] == (3, 2, 2, 0, 57.5, 0, 0, 2, 0)  # the unranked unit's level not counted
    assert by_group["Cộng"][1:4] == (6, 5, 5)
    assert (
        "Dữ liệu lỗi: 2 dòng bị loại; 1 tệp không nạp được; 2 thành phần chưa trả lời; 1 ghi chú khi đọc tệp "
        '(xem trang "Dữ liệu lỗi").'
    ) in text


def test_agency_ranking(books):
    _, whole, _, _ = books
    ws = whole[RANK_AGENCIES]
    assert "SỞ, BAN, NGÀNH" in ws["A1"].value
    header, rows = table_rows(ws, "Hạng")
    col = {h: i for i, h in enumerate(header)}
    assert [h for h in header[3:6]] == [
        "Nhận thức số (NT)",
        "An toàn thông tin mạng (AT)",
        "Hoạt động chính quyền số (HD)",
    ]  # the tree's order
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (1, None, "Sở Nội vụ"),
        (2, "Đồng hạng", "Sở Tài chính"),
        (2, "Đồng hạng", "Sở Xây dựng"),
    ]
    snv, stc, sxd = rows
    assert snv[col["Nhận thức số (NT)"]] == 0.7 and snv[col["An toàn thông tin mạng (AT)"]] == pytest.approx(0.9429)
    assert snv[col["Hoạt động chính quyền số (HD)"]] == 0.7333  # HD.9 not measured: out of the maximum
    assert sxd[col["An toàn thông tin mạng (AT)"]] == pytest.approx(0.4286)  # AT.2 missing counts 0
    assert (snv[col["Tổng điểm"]], stc[col["Tổng điểm"]]) == (85, 70)
    assert snv[col["Xếp loại"]] == "Tốt"
    assert stc[col["Khoảng xếp hạng (5–95%)"]] == "2–3" and snv[col["Khoảng xếp hạng (5–95%)"]] == "1"
    assert stc[col["Hạng trung vị"]] == 2.5 and stc[col["Tỷ lệ giữ hạng (%)"]] == 0.48
    assert (snv[col["Năm trước"]], snv[col["Thay đổi"]]) == (80, 5)
    assert (stc[col["Năm trước"]], stc[col["Thay đổi"]]) == (72.5, -2.5)
    assert sxd[col["Năm trước"]] is None and sxd[col["Thay đổi"]] is None
    assert stc[col["Ghi chú"]] == (
        "Hợp nhất từ: Sở Kế hoạch và Đầu tư, Sở Tài chính, Ban Quản lý dự án; thiếu kết quả năm trước của: Ban Quản lý dự án"
    )
    assert sxd[col["Ghi chú"]] == "Tạm tính; thiếu 1 thành phần"
    assert snv[col["Ghi chú"]] is None
    header_row, _ = header_of(ws, "Hạng")
    change = ws.cell(row=header_row + 2, column=col["Thay đổi"] + 1)
    assert change.value == -2.5 and change.number_format.startswith("+")
    assert ws.cell(row=header_row + 1, column=4).number_format == "0.0000"
    assert ws.cell(row=header_row + 1, column=col["Tổng điểm"] + 1).number_format == "0.00"
    assert METHOD_NOTE in text_of(ws)
    assert NO_FORM.upper() not in text_of(ws)  # every agency has a form
    assert not ws._charts  # the chart prints on its own sheet (test_ranking_charts_print_on_their_own_sheet)
    assert len(ws.conditional_formatting) == 4  # totals and each main index


def test_local_ranking_lists_units_without_form_apart(books):
    _, whole, _, _ = books
    ws = whole[RANK_LOCAL]
    header, rows = table_rows(ws, "Hạng")
    assert [r[2] for r in rows] == ["Xã Đồng Hỷ", "Phường Phan Đình Phùng"]
    assert "Kinh tế số (KT)" in header and "Xã hội số (XH)" in header and "An toàn thông tin mạng (AT)" not in header
    text = text_of(ws)
    assert f"{NO_FORM.upper()} (không xếp hạng): 1 đơn vị" in text
    _, unranked = table_rows(ws, "STT")
    assert unranked == [(1, "Xã An Khánh", "Phiếu bị từ chối: dti_an_khanh.xlsx") + (None,) * (len(unranked[0]) - 3)]
    assert METHOD_NOTE in text
    assert not ws._charts


def test_ranking_charts_print_on_their_own_sheet(books):
    _, whole, _, _ = books
    ws = whole[SHEET_CHARTS]
    charts = ws._charts
    assert len(charts) == 2 and all(isinstance(c, BarChart) for c in charts)  # one per group (each under 25 units)
    assert [r[0] for r in ws.iter_rows(values_only=True) if r and r[0]] == [
        "Tổng điểm DTI năm 2026: Sở, ban, ngành",
        "Tổng điểm DTI năm 2026: Xã, phường",
    ]
    assert len(ws.row_breaks.brk) == 2  # each chart on its own page


def test_profile_charts(books):
    _, whole, _, _ = books
    ws = whole[SHEET_PROFILE]
    radars = [c for c in ws._charts if isinstance(c, RadarChart)]
    assert len(radars) == 2
    assert len(radars[0].series) == 4  # the 3 ranked agencies and the group average
    header, rows = table_rows(ws, "Mã")
    assert header[2:6] == ("1. Sở Nội vụ", "2. Sở Tài chính", "2. Sở Xây dựng", "Trung bình nhóm")
    assert [r[0] for r in rows] == ["NT", "AT", "HD"]
    nt = rows[0]
    assert nt[2] == 0.7 and nt[5] == pytest.approx(0.7)
    header, _ = table_rows(ws, "Mã", occurrence=1)
    assert header[2:5] == ("1. Xã Đồng Hỷ", "2. Phường Phan Đình Phùng", "Trung bình nhóm")


def test_profile_units_first_and_last_three():
    units = [{"unit_code": f"U{i}", "unit_name": f"Đơn vị {i}", "rank": i} for i in range(1, 9)]
    units.append({"unit_code": "X", "unit_name": "Không phiếu", "rank": None})
    assert [u["unit_code"] for u in profile_units(units)] == ["U1", "U2", "U3", "U6", "U7", "U8"]
    assert [u["unit_code"] for u in profile_units(units[:4])] == ["U1", "U2", "U3", "U4"]


def test_pillars(books):
    _, whole, _, _ = books
    ws = whole[SHEET_PILLARS]
    header, rows = table_rows(ws, "Hạng")
    assert header[3:6] == ("Chính quyền số (CQS)", "Kinh tế số (KTS)", "Xã hội số (XHS)")
    assert rows[0][2] == "Sở Nội vụ" and rows[0][3] == 0.85 and rows[0][4] is None
    _, local = table_rows(ws, "Hạng", occurrence=1)
    assert [r[:2] for r in local] == [(1, None), (2, None), (None, "Chưa xếp hạng")]


def test_unit_sheet(books):
    _, whole, _, _ = books
    ws = whole["Sở Xây dựng"]
    text = text_of(ws)
    assert "Xếp hạng: 2/3 (đồng hạng)" in text
    assert "Khoảng xếp hạng (5–95%): 2–3" in text
    assert "Xếp loại: Khá (tạm tính)" in text and "Còn 1 thành phần thiếu dữ liệu" in text
    assert "Năm trước: chưa có kết quả" in text
    header, indices = table_rows(ws, "Mã")
    assert [r[0] for r in indices] == ["NT", "AT", "HD", None]  # the total row last
    assert indices[1][1:8] == ("An toàn thông tin mạng", 15, 7, 3, 0.4286, 4, 1)
    # the total's points lost are on the index's scale: weights 60 × (1 − 0.7) = 18 by hand (the main indices' raw
    # points lost added across scales gave 9.5)
    assert (indices[-1][2], indices[-1][5], indices[-1][6]) == (60, 0.7, 18)
    header, comps = table_rows(ws, "Chỉ số chính")
    col = {h: i for i, h in enumerate(header)}
    assert [r[1] for r in comps] == ["NT.1", "NT.2", "AT.2", "AT.4", "HD.3", "HD.1", "HD.2", "HD.9"]
    by_code = {r[1]: r for r in comps}
    assert by_code["HD.3"][col["Ghi chú"]] == OVERCLAIM and by_code["HD.3"][col["Điểm mất"]] == 3
    assert by_code["AT.2"][col["Ghi chú"]] == REJECTED_EXTERNAL
    assert by_code["AT.2"][col["Tình trạng"]] == "Thiếu dữ liệu"
    assert by_code["AT.2"][col["Nguồn dữ liệu"]] == SOC
    assert by_code["HD.9"][col["Tình trạng"]] == "Không đo được" and by_code["HD.9"][col["Điểm mất"]] is None
    assert by_code["NT.1"][col["Trả lời / giá trị"]] == "Cấp phó của người đứng đầu"
    assert by_code["NT.1"][col["Tình trạng"]] == "Thẩm định" and by_code["NT.1"][col["Nguồn dữ liệu"]] == "Tự đánh giá"
    assert by_code["NT.2"][col["Tình trạng"]] == "Tự đánh giá (tạm tính)"
    assert by_code["HD.3"][col["Nguồn dữ liệu"]] == "Tính từ dữ liệu" and by_code["HD.3"][col["Trả lời / giá trị"]] == 40
    assert by_code["HD.1"][col["Tình trạng"]] == "Hệ thống khác"

    merged = text_of(whole["Sở Tài chính"])
    assert (
        "Năm trước: 72,50 điểm (hợp nhất từ: Sở Kế hoạch và Đầu tư, Sở Tài chính, Ban Quản lý dự án; thiếu kết "
        "quả năm trước của: Ban Quản lý dự án); thay đổi: −2,50 điểm"
    ) in merged
    snv = text_of(whole["Sở Nội vụ"])
    assert "thay đổi: +5,00 điểm" in snv and "Khoảng xếp hạng (5–95%): 1;" in snv
    no_form = text_of(whole["Xã An Khánh"])
    assert "Xếp hạng: Chưa xếp hạng (phiếu bị từ chối: dti_an_khanh.xlsx)" in no_form
    _, local = table_rows(whole["Xã An Khánh"], "Chỉ số chính")
    assert [r[10] for r in local if r[1] == "XH.9"] == ["Không áp dụng"]


def test_problems_sheet(books):
    _, whole, _, _ = books
    ws = whole[SHEET_PROBLEMS]
    header, rows = table_rows(ws, "Nguồn")
    assert header[:6] == ("Nguồn", "Tệp", "Dòng", "Đơn vị", "Lý do", "Giá trị")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("Phiếu tự đánh giá", "dti_an_khanh.xlsx", 12, "Xã An Khánh"),
        ("Hệ thống khác", "soc_2026.csv", 3, "Sở Xây dựng"),
    ]
    assert "giá trị 120 ngoài khoảng 0..100" in rows[1][4] and rows[1][5] == "120"
    text = text_of(ws)
    assert "soc_2025.csv" not in text and "par_snv.xlsx" not in text
    assert "II. TỆP KHÔNG NẠP ĐƯỢC" in text and "VẤN ĐỀ Ở MỨC TỆP" not in text
    header, files = table_rows(ws, "Nguồn", occurrence=1)
    assert header[:3] == ("Nguồn", "Tệp", "Lý do")
    assert [r[:3] for r in files] == [("Hệ thống khác", "vbdh_2026.csv", "Thiếu cột 'Giá trị'; không nạp được tệp.")]
    assert "III. THÀNH PHẦN CHƯA TRẢ LỜI" in text
    header, unanswered = table_rows(ws, "Đơn vị")
    assert header[:4] == ("Đơn vị", "Tệp", "Mã", "Thành phần")
    assert [r[:4] for r in unanswered] == [
        ("Sở Xây dựng", "dti_sxd.xlsx", "NT.1", "Trưởng Ban chỉ đạo"),
        ("Sở Xây dựng", "dti_sxd.xlsx", "NT.2", "Kế hoạch chuyển đổi số"),
    ]
    assert "ô E9: tiêu chí NT.1 chưa có kết quả tự đánh giá" in unanswered[0][4]
    assert "IV. GHI CHÚ KHI ĐỌC TỆP" in text
    _, notes = table_rows(ws, "Nguồn", occurrence=2)
    assert [r[:3] for r in notes] == [("Kết quả năm trước", "dti_2025.csv", "Tên tệp ghi năm 2024, khác năm đang tổng hợp.")]


def test_problems_summary_line():
    assert problems_summary({"rows": 11, "files": 1, "unanswered": 41, "notes": 0}) == (
        "Dữ liệu lỗi: 11 dòng bị loại; 1 tệp không nạp được; 41 thành phần chưa trả lời; 0 ghi chú khi đọc tệp (xem "
        'trang "Dữ liệu lỗi").'
    )
    assert "Không có dòng dữ liệu nào bị loại" in problems_summary({"rows": 0, "files": 0, "unanswered": 0, "notes": 0})


def test_method_sheet(books):
    _, whole, _, _ = books
    text = text_of(whole[SHEET_METHOD])
    assert METHOD_NOTE in text
    assert "Σ (trọng số × giá trị chỉ số chính) / Σ trọng số × 100" in text
    assert "Tốt: từ 80 điểm trở lên; Khá: từ 65 đến dưới 80 điểm" in text and "Yếu: dưới 50 điểm" in text
    assert "Bộ chỉ số mặc định" in text and "thay bằng quyết định của UBND tỉnh" in text
    assert "trung bình cộng tổng điểm năm trước của các đơn vị cũ" in text
    assert "so với trung bình các đơn vị cũ còn lại, có ghi chú" in text
    assert "tính 0 điểm" in text
    # HD.9 comes from the plan-task stream and is measured for no agency: said so, and that it costs no points
    assert (
        "Thành phần HD.9 (Nhiệm vụ chủ trì) tính từ theo dõi tiến độ nhiệm vụ kế hoạch, chỉ đo được cho đơn vị "
        "được giao chủ trì nhiệm vụ chuyển đổi số"
    ) in text
    assert "đo được cho 0/3 đơn vị" in text and '"không đo được"' in text and "không bị mất điểm" in text
    assert "XH.1 (" not in text  # measured for every unit


def test_same_data_same_content(books):
    _, whole, _, again = books
    assert whole.sheetnames == again.sheetnames
    for name in whole.sheetnames:
        assert values(whole[name]) == values(again[name]), name


def test_per_unit_workbook(books):
    _, _, one, _ = books
    assert one.sheetnames == ["Sở Xây dựng"]
    assert "Xếp hạng: 2/3 (đồng hạng)" in text_of(one["Sở Xây dựng"])


def test_unknown_unit(books, tmp_path):
    data, *_ = books
    with pytest.raises(ValueError, match="XYZ"):
        write_dti_workbook(tmp_path / "x.xlsx", data, unit="XYZ")


def test_helpers():
    assert interval_text({"rank_p05": 3, "rank_p95": 7}) == "3–7"
    assert interval_text({"rank_p05": 4, "rank_p95": 4}) == "4"
    assert interval_text({"rank_p05": None, "rank_p95": None}) is None
    assert unit_note({"unit_name": "Sở Y tế", "previous_names": "Sở Y tế", "previous_total": 60.0}) == ""
    assert (
        unit_note({"unit_name": "Xã Mới", "previous_names": "Xã Cũ", "previous_total": 60.0, "provisional": True})
        == "Tạm tính; năm trước là Xã Cũ"
    )
    # previous_renamed decides; without it (an older mart) the names are compared
    assert unit_note({"unit_name": "Xã Mới", "previous_names": "Xã Cũ", "previous_total": 60.0, "previous_renamed": False}) == ""
    assert (
        previous_note({"unit_name": "Sở Y tế", "previous_names": "Sở Y Tế", "previous_total": 60.0, "previous_renamed": True})
        == "năm trước là Sở Y Tế"
    )


def test_a_numeric_self_answer_is_written_as_a_number():
    """The form's 1.17 (%) was written as the text '1.17', which an official reads as one thousand one hundred and
    seventy; a number is written as a number (a Vietnamese Excel shows 1,17), a text answer stays text."""
    from workbooks.dti import _answer

    assert _answer({"method": "self", "self_answer": "1.17"}) == 1.17
    assert _answer({"method": "self", "self_answer": "37"}) == 37.0
    assert _answer({"method": "self", "self_answer": "Cấp phó của người đứng đầu"}) == "Cấp phó của người đứng đầu"
    assert _answer({"method": "self", "self_answer": "2026"}) == 2026.0 and _answer({"method": "self"}) is None


def test_previous_missing_note():
    merged = {
        "unit_name": "Sở Tài chính",
        "previous_names": "Sở Kế hoạch và Đầu tư; Sở Tài chính",
        "previous_merged": True,
        "previous_total": 70.0,
        "previous_missing": "Sở Kế hoạch và Đầu tư",
    }
    assert previous_note(merged) == (
        "hợp nhất từ: Sở Kế hoạch và Đầu tư, Sở Tài chính; thiếu kết quả năm trước của: Sở Kế hoạch và Đầu tư"
    )
    assert previous_note({**merged, "previous_missing": "A; B"}).endswith("thiếu kết quả năm trước của: A, B")
    older = {k: v for k, v in merged.items() if k != "previous_missing"}  # a mart written before the column
    assert previous_note(older) == "hợp nhất từ: Sở Kế hoạch và Đầu tư, Sở Tài chính"
    assert previous_note({**merged, "previous_missing": float("nan")}) == previous_note(older)
    assert previous_note({**merged, "previous_total": None}) is None  # no total: nothing to explain


def test_workbook_from_a_mart_without_previous_missing(books, tmp_path):
    data, *_ = books
    older = dataclasses.replace(data, units=data.units.drop(columns=["previous_missing", "previous_renamed"]))
    book = load_workbook(write_dti_workbook(tmp_path / "older.xlsx", older))
    _, rows = table_rows(book[RANK_AGENCIES], "Hạng")
    assert rows[1][2] == "Sở Tài chính" and rows[1][-1] == "Hợp nhất từ: Sở Kế hoạch và Đầu tư, Sở Tài chính, Ban Quản lý dự án"
    assert "thiếu kết quả" not in text_of(book["Sở Tài chính"])
