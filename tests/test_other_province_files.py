"""Another province's file in this province's inbox is refused (``other_province_source``), never read as this
province's: a self-assessment form (its heading "UBND TỈNH …", its unit code '19.SCT', its unit's "- Tỉnh …"), a
council's appraisal, a plan register and a progress report, whose heading names another province. Both ways: Thái
Nguyên's files sent to Bắc Ninh and Bắc Ninh's files sent to Thái Nguyên; a former province's heading (Bắc Kạn for
Thái Nguyên, Bắc Giang for Bắc Ninh, merged in 2025) is the province's own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from common.units import heading_province, load_offices, load_units, matcher_for, other_province_heading
from forms.assessment_forms import save_fixed, write_blank_form
from scoring.criteria import load_tree
from sources.assessment_forms import read_appraisal, read_self_assessment
from sources.plan_register import read_plan_register
from sources.progress_report import read_progress_report
from sources.rule_labels import rule_label
from tests.conftest import rows_of
from tests.test_plan_register import HEADER as PLAN_HEADER
from tests.test_plan_register import META
from tests.test_progress_report import TABLE as REPORT_HEADER
from warehouse.tasks import load_plan_registers, read_reports

TREE_YAML = """\
index: par
year: 2026
group: agency
decision: "Quyết định số 99/QĐ-UBND ngày 01/02/2026"
default: false
max: 5
bands:
  - {min: 0, label: "Trung bình"}
nodes:
  - {code: LV1, parent: null, name: "Công tác chỉ đạo, điều hành CCHC", max: 5, method: group}
  - {code: LV1.1, parent: LV1, name: "Ban hành kế hoạch CCHC năm", max: 2, method: self}
  - {code: LV1.2, parent: LV1, name: "Báo cáo CCHC định kỳ", max: 3, method: self}
"""
EVIDENCE = "Quyết định số 12/QĐ-UBND ngày 15/3/2026 về ban hành kế hoạch cải cách hành chính năm 2026"
SHEET = "Tự đánh giá"
NOW = datetime(2026, 10, 17, 9, 0)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("tree") / "par_2026_agency_test.yaml"
    path.write_text(TREE_YAML, encoding="utf-8")
    return load_tree(path)


def _sct(province: str):
    return next(u for u in load_units(province) if u.name == "Sở Công Thương")


def _form(path: Path, tree, province: str, cells: dict[str, object] | None = None) -> Path:
    """The blank form of ``province``'s Sở Công Thương (A1 "UBND TỈNH …", B4 its name, B5 its code), scored."""
    write_blank_form(path, tree, _sct(province), 2026)
    wb = load_workbook(path)
    ws = wb[SHEET]
    score_rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in ("LV1.1", "LV1.2")]
    for r in score_rows:
        ws.cell(r, 4, 1)
        ws.cell(r, 5, EVIDENCE)
    for ref, value in (cells or {}).items():
        ws[ref] = value
    wb.save(path)
    return path


def _read(path: Path, tree, province: str):
    return read_self_assessment(path, lambda index, year, group: tree, matcher_for(province), year=2026)


def _blocking(result) -> list[str]:
    return [i.rule for i in result.file_issues if i.blocking]


def test_heading_lines_name_their_province_and_former_provinces_are_the_provinces_own() -> None:
    assert heading_province("UBND TỈNH THÁI NGUYÊN") == ("Thái Nguyên", "Thái Nguyên")
    assert heading_province("SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH BẮC KẠN") == ("Bắc Kạn", "Thái Nguyên")
    assert heading_province("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") is None
    assert heading_province("Đơn vị: Sở Công Thương") is None
    assert other_province_heading(["UBND TINH THAI NGUYEN"], "Bắc Ninh") == ("Thái Nguyên", "UBND TINH THAI NGUYEN")
    assert other_province_heading(["UBND TỈNH BẮC GIANG\nSỞ CÔNG THƯƠNG"], "Bắc Ninh") is None
    assert other_province_heading(["UBND TỈNH BẮC KẠN"], "Thái Nguyên") is None
    assert other_province_heading(["ubnd tỉnh thái nguyên"], "Thái Nguyên") is None
    assert other_province_heading(["UBND TỈNH HÀ GIANG"], "Thái Nguyên") == (
        "Hà Giang (nay thuộc Tuyên Quang)",
        "UBND TỈNH HÀ GIANG",
    )
    assert rule_label("other_province_source")


# --- self-assessment forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("sender", "receiver"), [("Thái Nguyên", "Bắc Ninh"), ("Bắc Ninh", "Thái Nguyên")])
def test_another_provinces_form_is_refused_not_read_as_the_namesake_unit(tmp_path: Path, tree, sender, receiver) -> None:
    path = _form(tmp_path / "tu_danh_gia_dti_2026_SCT.xlsx", tree, sender)
    assert _read(path, tree, sender).loadable  # in its own province it loads
    result = _read(path, tree, receiver)
    assert not result.loadable and result.rows == [] and _blocking(result) == ["other_province_source"]
    reason = result.file_issues[-1].reason
    assert f"tỉnh {sender}" in reason and f"tỉnh {receiver}" in reason and "tu_danh_gia_dti_2026_SCT.xlsx" in reason
    assert "không nạp" in reason


@pytest.mark.parametrize(("sender", "receiver"), [("Thái Nguyên", "Bắc Ninh"), ("Bắc Ninh", "Thái Nguyên")])
def test_a_form_without_its_heading_is_refused_by_its_unit_code_or_its_units_province(
    tmp_path: Path, tree, sender, receiver
) -> None:
    by_code = _read(_form(tmp_path / "a.xlsx", tree, sender, {"A1": None}), tree, receiver)
    assert _blocking(by_code) == ["other_province_source"] and "mã đơn vị" in by_code.file_issues[-1].reason
    by_name = _read(
        _form(tmp_path / "b.xlsx", tree, sender, {"A1": None, "B5": None, "B4": f"Sở Công Thương tỉnh {sender}"}),
        tree,
        receiver,
    )
    assert _blocking(by_name) == ["other_province_source"] and f"tỉnh {sender}" in by_name.file_issues[-1].reason


@pytest.mark.parametrize(("province", "former"), [("Thái Nguyên", "Bắc Kạn"), ("Bắc Ninh", "Bắc Giang")])
def test_a_form_headed_by_the_provinces_former_province_loads(tmp_path: Path, tree, province, former) -> None:
    path = _form(tmp_path / "f.xlsx", tree, province, {"A1": f"UBND TỈNH {former.upper()}"})
    result = _read(path, tree, province)
    assert result.loadable and result.unit_code == _sct(province).code and not _blocking(result)


def test_a_dti_form_of_another_province_is_refused(tmp_path: Path, tree) -> None:
    path = _form(tmp_path / "tu_danh_gia_dti_2026_19_SCT.xlsx", tree, "Thái Nguyên")
    result = read_self_assessment(path, lambda *_: tree, matcher_for("Bắc Ninh"), year=2026, index="dti")
    assert _blocking(result) == ["other_province_source"] and result.unit_code is None


# --- appraisals --------------------------------------------------------------------------------------------


def _appraisal(path: Path, heading: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Thẩm định"
    for row in (
        [heading],
        ["HỘI ĐỒNG THẨM ĐỊNH CHỈ SỐ CCHC"],
        [],
        ["Đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Nhận xét"],
        ["Sở Công Thương", "LV1.1", 1.5, "Đạt"],
    ):
        ws.append(row)
    save_fixed(wb, path, NOW)
    return path


@pytest.mark.parametrize(("sender", "receiver"), [("Thái Nguyên", "Bắc Ninh"), ("Bắc Ninh", "Thái Nguyên")])
def test_another_provinces_appraisal_is_refused(tmp_path: Path, sender, receiver) -> None:
    path = _appraisal(tmp_path / "tham_dinh.xlsx", f"UBND TỈNH {sender.upper()}")
    own = read_appraisal(path, matcher_for(sender))
    assert own.loadable and [r["unit_code"] for r in own.rows] == [_sct(sender).code]
    result = read_appraisal(path, matcher_for(receiver))
    assert not result.loadable and result.rows == [] and _blocking(result) == ["other_province_source"]
    assert f"tỉnh {sender}" in result.file_issues[-1].reason and "tham_dinh.xlsx" in result.file_issues[-1].reason


# --- plan registers and progress reports ---------------------------------------------------------------------

# The register's and the report's real headers, as the readers' own tests write them.
REPORT_HEAD = [["Đơn vị báo cáo:", "Văn phòng Sở"], ["Kỳ báo cáo:", "Quý III/2026"], ["Ngày báo cáo:", "02/10/2026"], []]


def _sheet(path: Path, rows: list[list[object]], title: str = "Danh mục nhiệm vụ") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_fixed(wb, path, NOW)
    return path


def _register(path: Path, heading: list[str]) -> Path:
    task = ["1", "Rà soát, cập nhật kiến trúc số của tỉnh", "Văn phòng Sở", None, "Quý IV/2026", "Kiến trúc số", None]
    return _sheet(path, [*([h] for h in heading), *META, [], PLAN_HEADER, task])


def _progress(path: Path, heading: list[str]) -> Path:
    return _sheet(path, [*([h] for h in heading), *REPORT_HEAD, REPORT_HEADER, ["1", "Đang triển khai", 50]], "Báo cáo")


@pytest.mark.parametrize(
    ("heading", "province", "other"),
    [
        (["UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"], "Bắc Ninh", "Thái Nguyên"),
        (["UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"], "Tuyên Quang", "Thái Nguyên"),
        (["SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH BẮC NINH"], "Thái Nguyên", "Bắc Ninh"),
    ],
)
def test_another_provinces_register_and_report_are_refused(tmp_path: Path, heading, province, other) -> None:
    register = read_plan_register(_register(tmp_path / "kh.xlsx", heading), province=province)
    assert not register.loadable and register.rows == [] and register.plan_number is None
    assert [i.rule for i in register.file_issues if i.blocking] == ["other_province_source"]
    assert f"tỉnh {other}" in register.file_issues[-1].reason and "'kh.xlsx'" in register.file_issues[-1].reason
    report = read_progress_report(_progress(tmp_path / "bc.xlsx", heading), province=province, today=date(2026, 10, 17))
    assert not report.loadable and report.rows == [] and report.unit_text is None
    assert [i.rule for i in report.file_issues if i.blocking] == ["other_province_source"]
    assert f"tỉnh {other}" in report.file_issues[-1].reason and "'bc.xlsx'" in report.file_issues[-1].reason


@pytest.mark.parametrize(
    ("heading", "province"),
    [
        (["UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"], "Thái Nguyên"),
        (["UBND TỈNH BẮC KẠN"], "Thái Nguyên"),
        (["UBND TỈNH BẮC GIANG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"], "Bắc Ninh"),
        (["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], "Bắc Ninh"),
    ],
)
def test_the_provinces_own_register_and_report_load(tmp_path: Path, heading, province) -> None:
    register = read_plan_register(_register(tmp_path / "kh.xlsx", heading), province=province)
    assert register.loadable and [r["task_no"] for r in register.rows] == ["1"]
    report = read_progress_report(_progress(tmp_path / "bc.xlsx", heading), province=province, today=date(2026, 10, 17))
    assert report.loadable and [r["task_no"] for r in report.rows] == ["1"]


def _bac_ninh_offices():
    """Bắc Ninh's offices, listed by hand as the documented path has it (Thái Nguyên's list, its codes renamed)."""
    return tuple(replace(o, code=o.code.replace("19.", "24."), province="Bắc Ninh") for o in load_offices("Thái Nguyên"))


def test_the_loader_refuses_thai_nguyens_register_and_report_in_bac_ninhs_inbox(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    heading = ["UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    _register(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", heading)
    _progress(inbox / "tien_do" / "bao_cao_quy_3.xlsx", heading)
    units, offices = load_units("Bắc Ninh"), _bac_ninh_offices()
    load_plan_registers(con, inbox, units=units, offices=offices, now=NOW)
    assert rows_of(con, "SELECT count(*) FROM plan_task_history") == [(0,)]
    assert ("ke_hoach_2026.xlsx", "other_province_source", True) in rows_of(
        con, "SELECT file_name, rule, blocking FROM file_issues"
    )
    (report,) = read_reports(inbox, units=units, offices=offices, known={2026: {"1"}}, today=date(2026, 10, 17))
    assert not report.result.loadable and report.unit_code is None
    assert [i.rule for i in report.issues if i.blocking] == ["other_province_source"]
