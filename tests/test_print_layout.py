"""Workbooks that print (issue 14, part 4): page setup of every sheet, ranks as numbers, colours by the methodology's
bands, sheet names cut at a word, no raw rule code or methodology file name in any sheet, and (where LibreOffice
and poppler are installed) the PDF print of every workbook checked against the paper."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from bench import print_check
from workbooks.excel import (
    FAIR_FILL,
    GOOD_FILL,
    POOR_FILL,
    RANK_COLUMNS,
    add_band_colors,
    band_thresholds,
    cut_words,
    new_workbook,
    rank_cells,
    sheet_title,
    unit_sheet_names,
    write_table,
    write_text_sheet,
)

PAR_AGENCY_BANDS = [("Xuất sắc", 90), ("Tốt", 80), ("Khá", 70), ("Trung bình", 0)]


def test_rank_is_a_number_and_the_tie_is_said_apart():
    assert [c.header for c in RANK_COLUMNS] == ["Hạng", "Đồng hạng"]
    assert rank_cells(2, True) == {"rank": 2, "rank_note": "Đồng hạng"}
    assert rank_cells(1, False) == {"rank": 1, "rank_note": None}
    assert rank_cells(None, None) == {"rank": None, "rank_note": "Chưa xếp hạng"}
    assert rank_cells(float("nan"), False)["rank"] is None


def test_ranks_sort_as_numbers(tmp_path):
    wb = new_workbook()
    ws = wb.create_sheet("Xếp hạng")
    rows = [{**rank_cells(r, False), "unit": f"Đơn vị {r}"} for r in (1, 2, 10, 11)]
    from workbooks.excel import Column

    table = write_table(ws, (*RANK_COLUMNS, Column("Đơn vị", "unit", 20)), rows, title="X")
    wb.save(tmp_path / "r.xlsx")
    back = load_workbook(tmp_path / "r.xlsx")["Xếp hạng"]
    ranks = [back.cell(row=r, column=1).value for r in range(table.first_row, table.last_row + 1)]
    assert ranks == [1, 2, 10, 11] and all(isinstance(r, int) for r in ranks)
    assert back.cell(row=table.first_row, column=1).number_format == "0"


def test_band_thresholds_follow_the_methodology():
    assert band_thresholds(PAR_AGENCY_BANDS) == (90, 70)  # best band green, lowest band (< 70) red
    assert band_thresholds([("Tốt", 80), ("Khá", 65), ("Trung bình", 50), ("Yếu", 0)]) == (80, 50)
    assert band_thresholds(PAR_AGENCY_BANDS, scale=0.01) == pytest.approx((0.9, 0.7))  # a value 0..1 against bands on 100
    assert band_thresholds(None, 18) == pytest.approx((14.4, 9))  # no bands: 80 % and 50 % of the maximum


def _fill_of(rules, value: float) -> str:
    """The fill the first matching rule gives ``value`` (formulas 'AND(ISNUMBER(A1),A1>=90,...)')."""
    compare = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b}
    for rule in rules:
        parts = rule.formula[0].removeprefix("AND(").removesuffix(")").split(",")[1:]
        if all(compare[op](value, float(limit)) for op, limit in (re.fullmatch(r"A1(>=|<)(.+)", p).groups() for p in parts)):
            return rule.dxf.fill.fgColor.rgb[-6:]
    return ""


def test_a_94_percent_score_is_green_whatever_the_others_scored():
    wb = new_workbook()
    ws = wb.create_sheet("x")
    add_band_colors(ws, "A1:A10", band_thresholds(PAR_AGENCY_BANDS))
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert {r.type for r in rules} == {"expression"}  # fixed thresholds, never a min-max colour scale
    assert _fill_of(rules, 94) == GOOD_FILL
    assert _fill_of(rules, 75) == FAIR_FILL
    assert _fill_of(rules, 21.84) == POOR_FILL
    assert all("ISNUMBER" in r.formula[0] for r in rules)  # an empty cell stays white


def test_sheet_names_are_cut_at_a_word():
    name = "Ban Quản lý các khu công nghiệp tỉnh Thái Nguyên"
    assert sheet_title(name) == "Ban Quản lý các khu công nghiệp"
    assert len(sheet_title(name)) <= 31 and name.startswith(sheet_title(name))
    assert cut_words("Một hai ba", 6) == "Một"
    assert cut_words("Mộthaibabốnnămsáu", 5) == "Mộthaibabốnnămsáu"[:5]  # one over-long word: cut
    names = unit_sheet_names(
        [
            {"unit_code": "A", "unit_name": "Ban Quản lý các khu công nghiệp tỉnh Thái Nguyên"},
            {"unit_code": "B", "unit_name": "Ban Quản lý các khu công nghiệp tỉnh Thái Bình"},
        ]
    )
    assert names == {"A": "Ban Quản lý các KCN", "B": "Ban Quản lý các KCN (2)"}  # as officials shorten it


def test_every_sheet_prints_a4_fit_to_width_with_its_name_and_page_numbers(tmp_path):
    from workbooks.excel import Column

    wb = new_workbook()
    table = write_table(wb.create_sheet("Bảng"), [Column(f"Cột {i}", str(i), 14) for i in range(8)], [], title="T")
    wide = [Column("Đơn vị", "unit", 30), *(Column(f"Cột {i}", str(i), 14) for i in range(31))]  # QĐ 766 group 6
    write_table(wb.create_sheet("Rộng"), wide, [], title="W", freeze_columns=1)
    write_text_sheet(wb.create_sheet("Hướng dẫn"), title="H", sections=[("A", ["đoạn văn " * 60])])
    wb.save(tmp_path / "p.xlsx")
    back = load_workbook(tmp_path / "p.xlsx")
    for ws in back.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.oddHeader.center.text == "&A" and ws.oddFooter.center.text == "Trang &P/&N"
    assert back["Bảng"].print_title_rows == f"${table.header_row}:${table.header_row}"
    assert back["Bảng"].page_setup.orientation == "landscape"
    assert back["Hướng dẫn"].page_setup.orientation == "portrait"
    assert back["Bảng"].page_setup.fitToWidth == back["Hướng dẫn"].page_setup.fitToWidth == 1
    # 464 characters of columns: three pages across (not one page at 4 pt), the unit column repeated on each
    assert back["Rộng"].page_setup.fitToWidth == 3 and back["Rộng"].print_title_cols == "$A:$A"


def test_the_code_pattern_finds_codes_not_file_names():
    assert print_check.RULE_CODE.search("Lý do: completed_before_received")
    assert print_check.RULE_CODE.search("bad_date:received_at")
    assert not print_check.RULE_CODE.search("tu_danh_gia_stc.xlsx")
    assert not print_check.RULE_CODE.search("Hoàn thành trước tiếp nhận")
    assert print_check.YAML_NAME.search("tệp par_2026_default.yaml")


# --- end to end: the workbooks of the small demo year -----------------------------------------------------


@pytest.fixture(scope="module")
def demo_books(small_inbox, tmp_path_factory) -> dict[str, Path]:
    """The PAR, DTI and task workbooks of the small demo year (as tests/test_reporting_model.py writes them) and
    the data-quality workbook of the same warehouse (its rejected rows and refused files)."""
    from common.db import rows_as_dicts
    from tests.workbook_values import build_warehouse, write_workbooks
    from warehouse.export_health import export_gaps, silent_units
    from workbooks.quality import write_quality_workbook

    root = tmp_path_factory.mktemp("print_layout")
    warehouse = build_warehouse(small_inbox[0], root / "run")
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        paths = write_workbooks(con, root / "books")
        rejected = rows_as_dicts(con, "SELECT * FROM mart_rejected_row")  # as assets/publish.py reads them
        issues = rows_as_dicts(con, "SELECT * FROM file_issues")
        findings = export_gaps(con) + silent_units(con)
    from common.units import load_units

    paths["quality"] = write_quality_workbook(
        root / "books" / "quality.xlsx",
        rejected_rows=rejected,
        file_issues=issues,
        findings=findings,
        units=list(load_units(warehouse.province)),
        period_label="Thử",
    )
    assert rejected and issues  # the demo inbox has rejected rows and refused files to label
    return paths


@pytest.mark.slow
def test_no_raw_rule_code_or_methodology_file_in_any_sheet(demo_books):
    found = {name: print_check.raw_codes(path) for name, path in demo_books.items()}
    assert not any(found.values()), {k: v[:5] for k, v in found.items() if v}


@pytest.mark.slow
def test_ranks_are_numbers_in_the_demo_workbooks(demo_books):
    for name in ("par", "dti"):
        book = load_workbook(demo_books[name], read_only=True)
        ranks = []
        for ws in book.worksheets:
            header = None
            for row in ws.iter_rows(values_only=True):
                if row and row[0] == "Hạng":
                    header = row
                    continue
                if header and row and row[0] is not None:
                    ranks.append(row[0])
                elif header:
                    header = None
        book.close()
        assert ranks and all(isinstance(r, int) for r in ranks), (name, [r for r in ranks if not isinstance(r, int)][:5])


@pytest.mark.slow
def test_every_demo_workbook_prints_within_the_paper(demo_books, tmp_path):
    if not print_check.available():
        pytest.skip("print check needs LibreOffice (soffice) and poppler (pdftotext); neither is installed here")
    problems = {}
    for name, path in demo_books.items():
        sheets = print_check.check_workbook(path, tmp_path / name)
        assert sheets, f"{name}: LibreOffice printed no page"
        assert all(p.is_a4 for s in sheets for p in s.pages), name
        # words beyond the paper, or a sheet's text printed below 6 pt (a chart squeezed with its table)
        bad = {s.sheet: s.problems for s in sheets if s.problems}
        if bad:
            problems[name] = bad
    assert not problems, problems


def test_print_check_skips_cleanly_without_libreoffice(monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda _: None)
    assert print_check.main([]) == 0
    assert "skipped" in capsys.readouterr().out


def test_an_all_zero_appraisal_or_a_blank_form_is_flagged():
    import pandas as pd

    from workbooks.excel import assessment_flags

    def rows(unit, self_points, appraised):
        return [
            {"unit_code": unit, "method": "self", "applicable": True, "self_points": s, "appraised_points": a}
            for s, a in zip(self_points, appraised, strict=True)
        ]

    criteria = pd.DataFrame(
        rows("zero", [2, 3, 1], [0, 0, 0])  # appraisal all zeros: 21.84 % and "Trung bình" without a flag before
        + rows("blank", [None] * 3, [None] * 3)
        + rows("ok", [2, 3, 1], [2, 0, 1])
        + rows("pending", [2, 3, 1], [None] * 3)
        + [{"unit_code": "ok", "method": "survey_sipas", "applicable": True, "self_points": None, "appraised_points": 0}]
    )
    flags = assessment_flags(criteria)
    assert set(flags) == {"zero", "blank"}
    assert "thẩm định 0 điểm ở cả 3 tiêu chí" in flags["zero"] and "bỏ trống cả 3 tiêu chí" in flags["blank"]
    assert assessment_flags(pd.DataFrame()) == {}
