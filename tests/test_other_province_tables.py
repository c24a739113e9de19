"""Another province's small tables in this province's inbox (hand-written, small): survey results and other systems'
DTI values that are Thái Nguyên's, dropped into Bắc Ninh's inbox, are refused whole, never read as Bắc Ninh's
namesake agencies ("Sở Tài chính" is in both); a few rows naming another province's units in a real table are
rejected one by one with that reason; a workbook titled "UBND TỈNH THÁI NGUYÊN" (last year's DTI ranking too) is
refused by its title. Thái Nguyên's own tables, Bắc Kạn's names included, load."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from common.units import matcher_for, province_of_local_name
from sources.assessment_forms import SURVEY_COLUMNS, read_survey
from sources.dti_inputs import EXTERNAL_COLUMNS, PREVIOUS_COLUMNS, ExternalComponent, read_external_values, read_previous_results
from tests.conftest import write_rows

BAC_NINH, THAI_NGUYEN = matcher_for("Bắc Ninh"), matcher_for("Thái Nguyên")
# Thái Nguyên's units as its offices write them: two shared agency names, four communes only Thái Nguyên has.
THAI_NGUYEN_UNITS = ["Sở Tài chính", "Sở Y tế", "Xã Đại Phúc", "Xã Đại Từ", "Xã Đồng Hỷ", "UBND xã Kha Sơn"]
COMPONENTS = {
    "ATTT.2": ExternalComponent("ATTT.2", "Tỷ lệ máy trạm cài phần mềm phòng chống mã độc", 0, 100, ("agency", "commune", "ward"))
}


def _survey(path: Path, units: list[str]) -> Path:
    rows = [{"unit_code": "", "unit": u, "survey": "SIPAS", "code": "LV8.1", "points": "1,5"} for u in units]
    return write_rows(path, SURVEY_COLUMNS, rows)


def _values(path: Path, units: list[tuple[str, str]]) -> Path:
    rows = [
        {"year": "2026", "unit_code": c, "unit": n, "component": "ATTT.2", "value": "90", "system": "SOC", "note": ""}
        for c, n in units
    ]
    return write_rows(path, EXTERNAL_COLUMNS, rows)


def test_a_commune_name_only_one_province_has_names_that_province() -> None:
    assert province_of_local_name("Xã Đại Phúc") == "Thái Nguyên"
    assert province_of_local_name("UBND xã Kha Sơn") == "Thái Nguyên"
    assert province_of_local_name("Phường Chũ") == "Bắc Ninh"
    assert province_of_local_name("Sở Tài chính") is None and province_of_local_name("Xã Không Có") is None
    assert BAC_NINH.other_province_of_row(None, "Xã Đại Phúc") == "Thái Nguyên"
    assert BAC_NINH.other_province_of_row("19.STC", None) == "Thái Nguyên"
    assert BAC_NINH.other_province_of_row(None, "Sở Tài chính") is None  # Bắc Ninh's own
    assert THAI_NGUYEN.other_province_of_row(None, "Phường Bắc Kạn") is None  # merged in 2025: Thái Nguyên's own
    # A ward written as a commune is a slip here, not another province's commune of that name (Thanh Hóa's).
    assert (
        THAI_NGUYEN.other_province_of_row(None, "Xã Linh Sơn") is None and THAI_NGUYEN.suggest("Xã Linh Sơn") == "Phường Linh Sơn"
    )


def test_thai_nguyens_survey_in_bac_ninhs_inbox_is_refused_whole(tmp_path: Path) -> None:
    result = read_survey(_survey(tmp_path / "khao_sat_2026.csv", THAI_NGUYEN_UNITS), BAC_NINH)
    assert result.rows == [] and not result.loadable
    refusal = [i for i in result.file_issues if i.rule == "other_province_source"]
    assert len(refusal) == 1 and refusal[0].blocking
    assert "tỉnh Thái Nguyên: 4/6 dòng" in refusal[0].reason and "không phải của tỉnh Bắc Ninh" in refusal[0].reason
    # The same file is Thái Nguyên's own: every row loads.
    own = read_survey(tmp_path / "khao_sat_2026.csv", THAI_NGUYEN)
    assert len(own.rows) == 6 and not own.rejects and own.loadable


def test_a_few_other_province_rows_are_rejected_one_by_one_and_the_rest_load(tmp_path: Path) -> None:
    units = ["Sở Tài chính", "Phường Chũ", "Phường Đa Mai", "Xã Đại Phúc"]
    result = read_survey(_survey(tmp_path / "khao_sat_2026.csv", units), BAC_NINH)
    assert [r["unit_code"] for r in result.rows] == [BAC_NINH.match(u) for u in units[:3]]
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [(5, "other_province_unit")]
    assert "'Xã Đại Phúc' là của tỉnh Thái Nguyên, không phải của tỉnh Bắc Ninh" in result.rejects[0]["reason"]


def test_other_systems_values_of_another_province_by_code_or_name(tmp_path: Path) -> None:
    coded = _values(tmp_path / "soc_2026.csv", [("19.STC", "Sở Tài chính"), ("19.SYT", "Sở Y tế"), ("H55.04", "")])
    result = read_external_values([coded], BAC_NINH, COMPONENTS, 2026, tmp_path / "work")[coded]
    assert result.rows == [] and [i.rule for i in result.file_issues if i.blocking] == ["other_province_source"]
    mixed = _values(tmp_path / "vbdh_2026.csv", [("24.STC", ""), ("", "Phường Chũ"), ("19.SYT", "Sở Y tế")])
    result = read_external_values([mixed], BAC_NINH, COMPONENTS, 2026, tmp_path / "work")[mixed]
    assert [r["unit_code"] for r in result.rows] == ["24.STC", BAC_NINH.match("Phường Chũ")]
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [(4, "other_province_unit")]
    assert "đơn vị 'Sở Y tế', thành phần ATTT.2: đơn vị '19.SYT' là của tỉnh Thái Nguyên" in result.rejects[0]["reason"]


def _workbook(path: Path, title: str, header: list[str], rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_a_workbook_titled_by_another_province_is_refused_by_its_title(tmp_path: Path) -> None:
    survey = _workbook(
        tmp_path / "khao_sat_2026.xlsx",
        "UBND TỈNH THÁI NGUYÊN",
        [c.header for c in SURVEY_COLUMNS],
        [["", "Sở Tài chính", "SIPAS", "LV8.1", 1.5]],
    )
    result = read_survey(survey, BAC_NINH)
    assert result.rows == [] and [i.rule for i in result.file_issues] == ["other_province_source"]
    assert "tiêu đề 'UBND TỈNH THÁI NGUYÊN'" in result.file_issues[0].reason
    previous = _workbook(
        tmp_path / "dti_2025.xlsx",
        "UBND TỈNH THÁI NGUYÊN",
        [c.header for c in PREVIOUS_COLUMNS],
        [[2025, "Sở Tài chính", 80.5, 1, "Tốt"]],
    )
    found = read_previous_results([previous], BAC_NINH, 2025, tmp_path / "work")[previous]
    assert found.rows == [] and [i.rule for i in found.file_issues] == ["other_province_source"]
    assert len(read_previous_results([previous], THAI_NGUYEN, 2025, tmp_path / "work")[previous].rows) == 1


def test_a_wards_name_from_before_2025_is_no_other_provinces(tmp_path: Path) -> None:
    """'Phường Quang Trung', 'Phường Đồng Quang', 'Phường Đồng Tiến' were wards of TP Thái Nguyên and TX Phổ Yên
    before 1 July 2025; today only Thanh Hóa has wards of those names. A clerk's old name is unknown here, not
    Thanh Hóa's: the file was refused whole as Thanh Hóa's and its two good rows lost."""
    old = ["Phường Quang Trung", "Phường Đồng Quang", "Phường Đồng Tiến"]
    assert all(THAI_NGUYEN.other_province_of_row(None, n) is None for n in old)
    assert THAI_NGUYEN.other_province_of_row(None, "Phường Chũ") == "Bắc Ninh"  # never one of Thái Nguyên's
    path = _values(tmp_path / "soc_2026.csv", [("", n) for n in [*old, "Phường Phan Đình Phùng", "Phường Gia Sàng"]])
    result = read_external_values([path], THAI_NGUYEN, COMPONENTS, 2026, tmp_path / "work")[path]
    assert result.loadable and [r["unit_code"] for r in result.rows] == [
        THAI_NGUYEN.match("Phường Phan Đình Phùng"),
        THAI_NGUYEN.match("Phường Gia Sàng"),
    ]
    assert [r["rule"] for r in result.rejects] == ["unknown_unit"] * 3
