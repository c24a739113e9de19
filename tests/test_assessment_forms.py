"""PAR-index self-assessment forms: the blank form (protection, validation, identity) and the readers of the filled
form, the council's appraisal and the survey results, against a small hand-made criteria tree."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from common.units import load_units, matcher_for
from forms.assessment_forms import write_blank_form
from scoring.criteria import PROVINCE_PLACEHOLDER, load_tree
from sources.assessment_forms import FORM_COLUMNS, evidence_parts, read_appraisal, read_self_assessment, read_survey
from sources.task_formats import find_table
from tests.conftest import cp1258_bytes
from tests.excel_files import with_saved_values, xlsx_as_xls

TREE_YAML = """\
index: par
year: 2026
group: local
decision: "Quyết định số 99/QĐ-UBND ngày 01/02/2026"
default: false
max: 10
bands:
  - {min: 90, label: "Xuất sắc"}
  - {min: 0, label: "Trung bình"}
nodes:
  - {code: LV1, parent: null, name: "Công tác chỉ đạo, điều hành CCHC", max: 6, method: group}
  - {code: LV1.1, parent: LV1, name: "Ban hành kế hoạch CCHC năm", max: 2, method: self}
  - {code: LV1.2, parent: LV1, name: "Báo cáo CCHC định kỳ", max: 1.5, method: self}
  - {code: LV1.3, parent: LV1, name: "Tuyên truyền CCHC", max: 1.5, method: self}
  - {code: LV1.4, parent: LV1, name: "Kiểm tra CCHC ở phường", max: 1, method: self, applies_to: [ward]}
  - {code: LV2, parent: null, name: "Tác động của CCHC", max: 4, method: group}
  - {code: LV2.1, parent: LV2, name: "Hài lòng của người dân (SIPAS)", max: 2, method: survey_sipas}
  - {code: LV2.2, parent: LV2, name: "Lãnh đạo, quản lý đánh giá", max: 1, method: survey_leaders}
  - {code: LV2.3, parent: LV2, name: "Hồ sơ đúng hạn", max: 1, method: computed, formula: tthc_on_time_rate,
     rule: {kind: target, target: 100}}
"""
# Rows of the blank form: header row 12, then the nodes in tree order.
ROW = {"LV1": 13, "LV1.1": 14, "LV1.2": 15, "LV1.3": 16, "LV1.4": 17, "LV2": 18, "LV2.1": 19, "LV2.2": 20, "LV2.3": 21}
SPARE = 22  # the blank line before "Khó khăn, vướng mắc:" (23); its text in B24; "Đề xuất, kiến nghị:" 26, text B27
EVIDENCE = "Quyết định số 12/QĐ-UBND ngày 15/3/2026 về ban hành kế hoạch cải cách hành chính năm 2026"
SHEET = "Tự đánh giá"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("tree") / "par_2026_local_test.yaml"
    path.write_text(TREE_YAML, encoding="utf-8")
    return load_tree(path)


@pytest.fixture(scope="module")
def commune():
    return next(u for u in load_units("Thái Nguyên") if u.group == "commune")


@pytest.fixture(scope="module")
def matcher():
    return matcher_for("Thái Nguyên")


@pytest.fixture
def trees(tree):
    return {("par", 2026, "local"): tree}


@pytest.fixture
def blank(tmp_path: Path, tree, commune) -> Path:
    return write_blank_form(tmp_path / "blank.xlsx", tree, commune, 2026)


def _fill(blank: Path, path: Path, cells: dict[str, object], hide_row: int | None = None, merge: str | None = None) -> Path:
    wb = load_workbook(blank)
    ws = wb[SHEET]
    for ref, value in cells.items():
        ws[ref] = value
    if hide_row:
        ws.row_dimensions[hide_row].hidden = True
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


GOOD = {
    "B8": datetime(2026, 11, 5),
    "D14": 1.75,
    "E14": EVIDENCE,
    "D15": 1.5,
    "F15": "Gửi đủ 4 báo cáo quý đúng hạn qua Hệ thống báo cáo của tỉnh.",
    "D16": 0,
    "B24": "Thiếu công chức chuyên trách.",
    "B27": "Đề nghị tập huấn chấm điểm.",
}


def _rejects(result) -> list[tuple[str, str, str]]:
    return sorted((r["rule"], r["sheet"], r["cell"]) for r in result.rejects)


def _notes(result) -> list[tuple[str, str | None]]:
    return sorted((i.rule, i.cell or "") for i in result.file_issues if not i.blocking)


def _blocking(result) -> list[tuple[str, str | None]]:
    return [(i.rule, i.cell) for i in result.file_issues if i.blocking]


# --- the blank form ------------------------------------------------------------------------------------------


def test_blank_form_identity_protection_and_validation(blank: Path, tree, commune) -> None:
    wb = load_workbook(blank)
    assert wb.sheetnames == [SHEET]
    ws = wb[SHEET]
    header = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, 9)}
    assert header == {
        "Đơn vị:": commune.name,
        "Mã đơn vị:": commune.code,
        "Năm đánh giá:": 2026,
        "Bộ chỉ số:": "Chỉ số cải cách hành chính (PAR INDEX) - Quyết định số 99/QĐ-UBND ngày 01/02/2026",
        "Ngày lập phiếu:": None,
    }
    assert [ws.cell(12, c).value for c in range(1, 7)] == [
        "Mã",
        "Tiêu chí",
        "Điểm tối đa",
        "Điểm tự đánh giá",
        "Tài liệu kiểm chứng (số, ngày, trích yếu)",
        "Giải trình cách chấm",
    ]
    assert {code: ws.cell(row, 1).value for code, row in ROW.items()} == {c: c for c in ROW}
    assert [ws.cell(ROW[c], 3).value for c in ROW] == [6, 2, 1.5, 1.5, 1, 4, 2, 1, 1]
    assert ws.protection.sheet and wb.security.lockStructure
    unlocked = sorted(c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked)
    # the self-assessed rows 14-16 and the computed row 21 (self-scored for comparison with the data)
    assert unlocked == sorted(["B8", *(f"{col}{r}" for r in (14, 15, 16, 21) for col in "DEF"), "B24", "B27"])
    # inner rows and rows the unit does not score are grey
    assert ws["A13"].fill.start_color.rgb.endswith("D9D9D9") and ws["D17"].fill.start_color.rgb.endswith("EDEDED")
    assert ws["F17"].value == "Không áp dụng đối với đơn vị."
    assert "khảo sát SIPAS" in ws["F19"].value
    assert ws["B4"].font.name == "Times New Roman"
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(rules) == {"D14", "D15 D16", "D21"}  # D21: the computed criterion, self-scored for comparison
    assert "tính từ dữ liệu" in ws["B21"].value and ws["F21"].value is None  # its explanation cell is the unit's
    for ref, limit in (("D14", "2"), ("D15 D16", "1.5"), ("D21", "1")):
        dv = rules[ref]
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", limit)
        assert dv.showErrorMessage and dv.error.startswith("Điểm tự đánh giá phải là số từ 0 đến")
    assert "1,5" in rules["D15 D16"].error
    assert ws.cell(23, 1).value == "Khó khăn, vướng mắc:" and ws.cell(26, 1).value == "Đề xuất, kiến nghị:"


def test_blank_form_same_bytes(tmp_path: Path, tree, commune, blank: Path) -> None:
    again = write_blank_form(tmp_path / "again.xlsx", tree, commune, 2026)
    assert again.read_bytes() == blank.read_bytes()


# --- reading a filled form -----------------------------------------------------------------------------------


def test_round_trip(tmp_path: Path, blank: Path, trees, matcher, commune) -> None:
    path = _fill(blank, tmp_path / "any_name.xlsx", GOOD)
    result = read_self_assessment(path, trees, matcher, year=2026)
    assert result.loadable and not result.rejects and not _blocking(result)
    assert (result.unit_code, result.unit_group, result.ranking_group) == (commune.code, "commune", "local")
    assert (result.index, result.year, result.decision) == ("par", 2026, "Quyết định số 99/QĐ-UBND ngày 01/02/2026")
    assert result.submitted_on.isoformat() == "2026-11-05"
    assert [(r["code"], r["self_points"], r["cell"], r["sheet"]) for r in result.rows] == [
        ("LV1.1", 1.75, "D14", SHEET),
        ("LV1.2", 1.5, "D15", SHEET),
        ("LV1.3", 0, "D16", SHEET),
    ]
    assert result.rows[0]["evidence"] == EVIDENCE and result.rows[1]["explanation"].startswith("Gửi đủ")
    assert (result.difficulties, result.proposals) == ("Thiếu công chức chuyên trách.", "Đề nghị tập huấn chấm điểm.")
    assert _notes(result) == []


def test_unit_from_header_not_file_name(tmp_path: Path, blank: Path, trees, matcher) -> None:
    other = next(u for u in load_units("Thái Nguyên") if u.group == "ward")
    path = _fill(blank, tmp_path / "tu_danh_gia_xa_khac.xlsx", {**GOOD, "B4": "UBND " + other.name.upper()})
    result = read_self_assessment(path, trees, matcher)
    assert result.unit_code == other.code and result.unit_group == "ward"
    assert ("unit_code_mismatch", "B5") in _notes(result)
    # LV1.4 applies to wards: its row is there but not scored
    assert ("blank_score", "D17") in _notes(result)


def test_row_problems_reported_with_sheet_cell_and_reason(tmp_path: Path, blank: Path, trees, matcher) -> None:
    cells = {
        **GOOD,
        "D14": 2.5,  # above the maximum 2
        "D15": -1,
        "D16": "khá",
        "D17": 1,  # LV1.4 does not apply to a commune: ignored with a note
        "D19": 2,  # SIPAS: survey, not self-assessed
        "A22": "LV9.9",
        "D22": 1,
        "E22": EVIDENCE,
    }
    result = read_self_assessment(_fill(blank, tmp_path / "f.xlsx", cells), trees, matcher, year=2026)
    assert result.loadable
    assert _rejects(result) == [
        ("negative_score", SHEET, "D15"),
        ("not_a_number", SHEET, "D16"),
        ("score_above_max", SHEET, "D14"),
        ("unknown_criterion", SHEET, "A22"),
    ]
    reasons = {r["rule"]: r["reason"] for r in result.rejects}
    assert reasons["score_above_max"] == ("Trang 'Tự đánh giá', ô D14: tiêu chí LV1.1: điểm tự đánh giá 2,5 vượt điểm tối đa 2.")
    assert reasons["not_a_number"].endswith("không phải số: 'khá'.")
    assert "LV9.9" in reasons["unknown_criterion"]
    assert {r["unit_code"] for r in result.rejects} == {result.unit_code}
    assert ("not_self_assessed", "D17") in _notes(result) and ("not_self_assessed", "D19") in _notes(result)
    assert result.rows == []


def test_formula_comma_and_evidence(tmp_path: Path, blank: Path, trees, matcher) -> None:
    cells = {
        **GOOD,
        "D14": "=1+0.5",  # a formula saved without its value (openpyxl, not Excel): never read as empty
        "D15": "1,25",
        "E15": EVIDENCE,
        "F15": None,  # decimal comma: read, with a note
        "D16": 1,
        "E16": "Kế hoạch tuyên truyền",  # evidence without number and date, no explanation
    }
    result = read_self_assessment(_fill(blank, tmp_path / "f.xlsx", cells), trees, matcher)
    assert _rejects(result) == [("missing_evidence", SHEET, "E16"), ("uncalculated_formula", SHEET, "D14")]
    reasons = {r["rule"]: r["reason"] for r in result.rejects}
    assert "ô chứa công thức chưa được tính ('=1+0.5') — mở bằng Excel và lưu lại" in reasons["uncalculated_formula"]
    assert "thiếu số văn bản, ngày ban hành" in reasons["missing_evidence"]
    assert [(r["code"], r["self_points"]) for r in result.rows] == [("LV1.2", 1.25)]
    assert ("decimal_comma", "D15") in _notes(result)
    bare = read_self_assessment(_fill(blank, tmp_path / "g.xlsx", {**GOOD, "E14": None}), trees, matcher)
    assert _rejects(bare) == [("missing_evidence", SHEET, "E14")]
    assert "không có tài liệu kiểm chứng và không có giải trình" in bare.rejects[0]["reason"]


def test_a_formula_counts_with_the_value_excel_saved_and_an_error_value_is_rejected(
    tmp_path: Path, blank: Path, trees, matcher
) -> None:
    # One rule for every Excel reader (sources/excel_intake): the value Excel computed and saved is what the unit
    # sees and what is read; an error value (#DIV/0!…) rejects the criterion's row with its own reason.
    path = _fill(blank, tmp_path / "f.xlsx", {**GOOD, "D14": "=1+0.5", "D15": "=1/0", "E15": EVIDENCE})
    with_saved_values(path, {"D14": 1.5, "D15": "#DIV/0!"})
    result = read_self_assessment(path, trees, matcher)
    assert ("LV1.1", 1.5) in [(r["code"], r["self_points"]) for r in result.rows]
    assert _rejects(result) == [("excel_error", SHEET, "D15")]
    assert "giá trị lỗi #DIV/0! của Excel" in result.rejects[0]["reason"]


def test_a_score_computed_by_a_broken_formula_in_an_xls_form_is_rejected_not_missing(
    tmp_path: Path, blank: Path, trees, matcher
) -> None:
    # The same form saved as Excel 97-2003: python-calamine reads the #DIV/0! Excel saved for D15 as an empty cell,
    # which would have read as "no score"; it is rejected with its cell and reason, as in the .xlsx.
    path = _fill(blank, tmp_path / "f.xlsx", {**GOOD, "D14": "=1+0.5", "D15": "=1/0", "E15": EVIDENCE})
    with_saved_values(path, {"D14": 1.5, "D15": "#DIV/0!"})
    xlsx = read_self_assessment(path, trees, matcher)
    result = read_self_assessment(xlsx_as_xls(path, tmp_path / "f.xls"), trees, matcher)
    assert result.encoding == "xls" and _rejects(result) == _rejects(xlsx) == [("excel_error", SHEET, "D15")]
    assert "giá trị lỗi #DIV/0! của Excel" in result.rejects[0]["reason"]
    assert ("LV1.1", 1.5) in [(r["code"], r["self_points"]) for r in result.rows]


def test_evidence_parts() -> None:
    assert evidence_parts(EVIDENCE) == []
    assert evidence_parts("Báo cáo số 5/BC-UBND ngày 2/3/2026") == ["trích yếu"]
    assert evidence_parts("") == ["số văn bản", "ngày ban hành", "trích yếu"]


def test_rows_reordered_deleted_merged_hidden(tmp_path: Path, blank: Path, trees, matcher) -> None:
    wb = load_workbook(blank)
    ws = wb[SHEET]
    for ref, value in GOOD.items():
        ws[ref] = value
    for col in range(1, 7):  # swap LV1.1 and LV1.3, then delete LV1.2
        a, b = ws.cell(14, col), ws.cell(16, col)
        a.value, b.value = b.value, a.value
    ws.delete_rows(15)
    ws["D13"] = None
    ws.row_dimensions[14].hidden = True
    ws["D14"] = "0,5"
    ws["E14"] = EVIDENCE
    ws.merge_cells("E15:F15")
    path = tmp_path / "moved.xlsx"
    wb.save(path)
    result = read_self_assessment(path, trees, matcher)
    assert result.loadable and not result.rejects
    assert sorted((r["code"], r["self_points"], r["cell"]) for r in result.rows) == [
        ("LV1.1", 1.75, "D15"),
        ("LV1.3", 0.5, "D14"),
    ]
    notes = _notes(result)
    assert ("hidden_cells", "A14") in notes and ("merged_cells", "E15") in notes
    assert ("decimal_comma", "D14") in notes and ("missing_criterion", "") in notes
    missing = next(i for i in result.file_issues if i.rule == "missing_criterion")
    assert missing.record_key == "LV1.2" and "Báo cáo CCHC định kỳ" in missing.reason


@pytest.mark.parametrize(
    ("cells", "rule", "cell"),
    [
        ({"B6": 2025}, "wrong_year", "B6"),
        ({"B7": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)"}, "wrong_index", "B7"),
        ({"B4": "Xã Không Tồn Tại"}, "unknown_unit", "B4"),
        ({"B4": None, "B5": None}, "missing_metadata", "B4"),
    ],
)
def test_blocking_header_problems(tmp_path: Path, blank: Path, trees, matcher, cells, rule, cell) -> None:
    result = read_self_assessment(_fill(blank, tmp_path / "h.xlsx", {**GOOD, **cells}), trees, matcher, year=2026)
    assert not result.loadable and result.rows == [] and _blocking(result) == [(rule, cell)]
    assert result.file_issues[0].sheet == SHEET
    assert result.file_issues[0].reason.startswith(f"Trang 'Tự đánh giá', ô {cell}: ")
    assert result.file_issues[0].reason.endswith("không nạp được tệp.")


def test_no_tree_for_the_year_and_callable_trees(tmp_path: Path, blank: Path, tree, matcher) -> None:
    path = _fill(blank, tmp_path / "y.xlsx", {**GOOD, "B6": "Năm 2027"})
    result = read_self_assessment(path, {("par", 2026, "local"): tree}, matcher)
    assert _blocking(result) == [("wrong_year", "B6")] and "năm 2027" in result.file_issues[0].reason

    def lookup(index: str, year: int, group: str):
        if year != 2026:
            raise FileNotFoundError(year)
        return tree

    assert read_self_assessment(path, lookup, matcher).file_issues[0].rule == "wrong_year"
    good = read_self_assessment(_fill(blank, tmp_path / "g.xlsx", GOOD), lookup, matcher)
    assert good.loadable and len(good.rows) == 3


def test_empty_and_broken_files(tmp_path: Path, blank: Path, trees, matcher) -> None:
    assert _blocking(read_self_assessment(blank, trees, matcher)) == [("empty_form", None)]
    text = tmp_path / "not.xlsx"
    text.write_text("không phải bảng tính", encoding="utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    for path, rule in ((text, "wrong_file_kind"), (empty, "empty_file"), (other, "missing_columns")):
        result = read_self_assessment(path, trees, matcher)
        assert [i.rule for i in result.file_issues] == [rule] and not result.loadable
        assert result.file_issues[0].blocking


def _official_form(path: Path, commune, header: list[list[object]], merges: tuple[str, ...]) -> Path:
    """A form laid out by hand as official forms are: title, labelled header cells, then ``header`` (its rows start
    on row 15 whatever their number) with its merges, the criteria and the sections below."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    top = [
        ["ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN"],
        ["PHIẾU TỰ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2026"],
        [],
        ["Đơn vị:", commune.name],
        ["Mã đơn vị:", commune.code],
        ["Năm đánh giá:", 2026],
        ["Bộ chỉ số:", "Chỉ số cải cách hành chính (PAR INDEX) - Quyết định số 99/QĐ-UBND ngày 01/02/2026"],
        ["Ngày lập phiếu:", datetime(2026, 11, 5)],
        [],
        ["Ghi chú: đơn vị chấm điểm vào cột Điểm tự đánh giá, ghi tài liệu kiểm chứng hoặc giải trình."],
        [],
        [],
        [],
        [],
    ]
    body = [
        ["LV1", "Công tác chỉ đạo, điều hành CCHC", 6],
        ["LV1.1", "Ban hành kế hoạch CCHC năm", 2, 1.75, EVIDENCE, None],
        ["LV1.2", "Báo cáo CCHC định kỳ", 1.5, 1.5, None, "Gửi đủ 4 báo cáo quý đúng hạn."],
        ["LV1.3", "Tuyên truyền CCHC", 1.5, 0, None, None],
        [],
        ["Khó khăn, vướng mắc:", "Thiếu công chức chuyên trách."],
    ]
    for row in [*top, *header, *body]:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


# Rows 15-16 of an official form: "Mã tiêu chí", "Tiêu chí", "Điểm tối đa" merged down over both rows, the group
# heading "Kết quả tự đánh giá" merged across its three sub-labels, then the "(1) (2) (3)" row.
TWO_ROW_HEADER = [
    ["Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Kết quả tự đánh giá"],
    [None, None, None, "Điểm tự đánh giá", "Tài liệu kiểm chứng", "Giải trình"],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
]
TWO_ROW_MERGES = ("A15:A16", "B15:B16", "C15:C16", "D15:F15")
# Three rows: the group heading on row 15, "Điểm" on row 16 over "tự đánh giá" on row 17, the others merged down.
THREE_ROW_HEADER = [
    ["Mã", "Tiêu chí", "Điểm tối đa", "Kết quả tự đánh giá"],
    [None, None, None, "Điểm", "Tài liệu kiểm chứng (số, ngày, trích yếu)", "Giải trình cách chấm"],
    [None, None, None, "tự đánh giá"],
]
THREE_ROW_MERGES = ("A15:A17", "B15:B17", "C15:C17", "D15:F15", "E16:E17", "F16:F17")


@pytest.mark.parametrize(
    ("header", "merges", "first"),
    [(TWO_ROW_HEADER, TWO_ROW_MERGES, 18), (THREE_ROW_HEADER, THREE_ROW_MERGES, 18)],
    ids=["two_rows_and_column_numbers", "three_rows_and_a_split_label"],
)
def test_a_header_on_several_rows_with_merged_cells_reads(
    tmp_path: Path, trees, matcher, commune, header: list, merges: tuple[str, ...], first: int
) -> None:
    """The usual layout of an official form (the table's header on two or three rows, a group heading merged over
    its sub-labels) was refused as 'thiếu cột' though every column is there."""
    path = _official_form(tmp_path / "mau_chinh_thuc.xlsx", commune, header, merges)
    result = read_self_assessment(path, trees, matcher, year=2026)
    assert result.loadable and not _blocking(result) and not result.rejects
    assert (result.unit_code, result.year, result.submitted_on.isoformat()) == (commune.code, 2026, "2026-11-05")
    r = first + 1  # LV1 (a domain) on the first data row, then the criteria: their true Excel rows
    assert [(x["code"], x["self_points"], x["cell"], x["source_row"]) for x in result.rows] == [
        ("LV1.1", 1.75, f"D{r}", r),
        ("LV1.2", 1.5, f"D{r + 1}", r + 1),
        ("LV1.3", 0, f"D{r + 2}", r + 2),
    ]
    assert result.rows[0]["evidence"] == EVIDENCE and result.rows[1]["explanation"] == "Gửi đủ 4 báo cáo quý đúng hạn."
    assert result.difficulties == "Thiếu công chức chuyên trách."
    # the header's merges are no merged cells of the table, the column numbers no criterion: the one note is LV2.3,
    # a self-scored criterion this hand-made form left out
    assert _notes(result) == [("missing_criterion", "")] and "LV2.3" in result.file_issues[0].reason


def test_a_heading_merged_over_the_ends_of_two_labels_is_read_with_each() -> None:
    """ "Điểm" merged over "tối đa" and "tự đánh giá": each column's label is the heading and its own text joined."""
    grid = [
        ["Mã", "Tiêu chí", "Điểm", None, "Tài liệu kiểm chứng", "Giải trình", "Ghi chú"],
        [None, None, "tối đa", "tự đánh giá", None, None, None],
        ["LV1.1", "Ban hành kế hoạch", 2, 1.5, EVIDENCE, None, None],
    ]
    table, missing = find_table(grid, FORM_COLUMNS, merges=[(1, 3, 1, 4)])
    assert missing == [] and table is not None
    assert (table.header_row, table.header_top) == (2, 1)
    assert table.columns == {"code": 0, "name": 1, "max": 2, "score": 3, "evidence": 4, "explanation": 5}
    assert table.unknown == ["Ghi chú"]


# --- appraisal and surveys -----------------------------------------------------------------------------------


def test_read_appraisal(tmp_path: Path, trees, matcher, commune) -> None:
    ward = next(u for u in load_units("Thái Nguyên") if u.group == "ward")
    wb = Workbook()
    ws = wb.active
    ws.title = "Thẩm định"
    ws.append(["KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CCHC NĂM 2026"])
    ws.append(["Đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Nhận xét"])
    ws.append([commune.name, "LV1.1", 1.5, "Trừ 0,25 điểm: kế hoạch ban hành chậm."])  # row 3
    ws.append([ward.code, "LV1.4", "0,75", None])  # by code, decimal comma
    ws.append(["Xã Không Tồn Tại", "LV1.1", 1, None])
    ws.append([commune.name, "LV1.2", "khá", None])
    ws.append([commune.name, "LV1.3", 3, None])  # above 1.5
    ws.append([commune.name, "LV1.1", 1, None])  # twice, other points: which one the council meant is unknown
    ws.append([commune.name, None, 1, None])
    ws.append([commune.name, "LV1", 2, None])  # a group: appraised per criterion, not as a whole
    ws.append([ward.code, "LV1.4", 0.75, None])  # twice, the same points: a repeat
    path = tmp_path / "tham_dinh.xlsx"
    wb.save(path)
    result = read_appraisal(path, matcher, trees=trees, year=2026)
    assert result.loadable
    assert [(r["unit_code"], r["code"], r["appraised_points"], r["comment"], r["cell"]) for r in result.rows] == [
        (ward.code, "LV1.4", 0.75, None, "C4"),
    ]
    assert _rejects(result) == [
        ("conflicting_appraisal", "Thẩm định", "C3"),
        ("conflicting_appraisal", "Thẩm định", "C8"),
        ("duplicate_appraisal", "Thẩm định", "B11"),
        ("missing_code", "Thẩm định", "B9"),
        ("not_a_number", "Thẩm định", "C6"),
        ("not_leaf_criterion", "Thẩm định", "B10"),
        ("score_above_max", "Thẩm định", "C7"),
        ("unknown_unit", "Thẩm định", "A5"),
    ]
    conflict = next(r for r in result.rejects if r["rule"] == "conflicting_appraisal" and r["cell"] == "C8")
    assert "dòng 8 cho 1 điểm" in conflict["reason"] and "dòng 3 cho 1,5 điểm" in conflict["reason"]
    assert [(i.rule, i.cell) for i in result.file_issues] == [("decimal_comma", "C4")]
    without_trees = read_appraisal(path, matcher)
    assert "score_above_max" not in {r["rule"] for r in without_trees.rejects}
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert [i.rule for i in read_appraisal(broken, matcher).file_issues] == ["bad_workbook"]


def test_read_survey(tmp_path: Path, trees, matcher, commune) -> None:
    lines = [
        "Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm",
        f"{commune.code},{commune.name},SIPAS,LV2.1,1.75",
        f',{commune.name},"Lãnh đạo, quản lý",LV2.2,"0,8"',
        "99.X,Sở Không Tồn Tại,SIPAS,LV2.1,1",
        f"{commune.code},,Khảo sát doanh nghiệp,LV2.1,1",
        f"{commune.code},,SIPAS,LV2.1,abc",
        f"{commune.code},,SIPAS,LV2.2,0.5",  # LV2.2 is the leaders' survey
        f"{commune.code},,SIPAS,LV2.1,1.0",  # twice, other points: which one is meant is unknown, neither counts
        f"{commune.code},,SIPAS,LV2.1,-1",
        f'{commune.code},,"Lãnh đạo, quản lý",LV2.2,0.8',  # the same row again: one counts
    ]
    path = tmp_path / "khao_sat.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    result = read_survey(path, matcher, trees=trees, year=2026)
    assert result.loadable
    assert [(r["unit_code"], r["survey"], r["code"], r["points"], r["source_row"]) for r in result.rows] == [
        (commune.code, "leaders", "LV2.2", 0.8, 3),
    ]
    assert sorted((r["rule"], r["row_number"]) for r in result.rejects) == [
        ("conflicting_survey", 2),
        ("conflicting_survey", 8),
        ("duplicate_survey", 10),
        ("negative_score", 9),
        ("not_a_number", 6),
        ("not_survey_criterion", 7),
        ("unknown_survey", 5),
        ("unknown_unit", 4),
    ]
    assert all(r["reason"].startswith(f"Dòng {r['row_number']}: ") for r in result.rejects)
    # a reject names the unit as written beside its code (it gave the code twice: '19.SCT' for the unit's name)
    names = {r["row_number"]: (r["unit_code"], r["unit_name"]) for r in result.rejects}
    assert names[4] == (None, "Sở Không Tồn Tại") and names[5] == (commune.code, commune.code)
    bad = tmp_path / "bad.csv"
    bad.write_text("Đơn vị,Điểm\nx,1\n", encoding="utf-8")
    assert [i.rule for i in read_survey(bad, matcher).file_issues] == ["missing_columns"]
    latin = tmp_path / "latin.csv"  # the survey office's export in Windows-1258: converted, read like UTF-8
    latin.write_bytes(cp1258_bytes("\r\n".join(lines[:3]) + "\r\n"))
    converted = read_survey(latin, matcher, trees=trees, year=2026)
    assert [r["points"] for r in converted.rows] == [1.75, 0.8] and not converted.rejects
    assert "encoding_converted" in [i.rule for i in converted.file_issues]


def test_codes_spelt_otherwise_and_a_totals_row_keep_the_form_whole(tmp_path: Path, blank: Path, trees, matcher) -> None:
    """A code typed in lower case, with inner spaces, a pasted zero-width space or full-width characters is the
    criterion (a reject would leave the unit unranked); a unit's own 'Tổng cộng' row is a note, not a criterion."""
    cells = {**GOOD, "A14": "lv 1.1", "A15": "LV1.2\u200b", "A16": "ＬＶ１．３", f"B{SPARE}": "Tổng cộng", f"D{SPARE}": 3.25}
    result = read_self_assessment(_fill(blank, tmp_path / "codes.xlsx", cells), trees, matcher, year=2026)
    assert result.loadable and not result.rejects
    assert [(r["code"], r["self_points"]) for r in result.rows] == [("LV1.1", 1.75), ("LV1.2", 1.5), ("LV1.3", 0)]
    assert ("totals_row", f"A{SPARE}") in _notes(result)


def test_a_score_in_a_percent_cell_is_the_points_it_shows(tmp_path: Path, blank: Path, trees, matcher) -> None:
    """'1,5%' typed into a score: Excel keeps 0.015 in a percent cell (shown 1,50%); it was read as 0.015 points
    without a word. It is read as the 1.5 points the cell shows, with a note naming the cell."""
    path = _fill(blank, tmp_path / "percent.xlsx", {**GOOD, "D15": 0.015})
    wb = load_workbook(path)
    wb[SHEET]["D15"].number_format = "0.00%"
    wb.save(path)
    result = read_self_assessment(path, trees, matcher, year=2026)
    assert result.loadable and not result.rejects
    assert dict((r["code"], r["self_points"]) for r in result.rows)["LV1.2"] == 1.5
    assert ("percent_cell", "D15") in _notes(result)


def test_dates_notes_and_sub_totals_as_units_write_them_keep_the_form_whole(tmp_path: Path, blank: Path, trees, matcher) -> None:
    """Evidence dated 'ngày 15 tháng 3 năm 2026', '15.03.2026' or '2026-03-15' has its date; a note row typed in the
    code column and a sub-total row ('Cộng lĩnh vực 1') are notes. Each of them rejected a row, so the whole form
    was unusable for the PAR index (the unit unranked)."""
    evidence = "Quyết định số 12/QĐ-UBND ngày 15 tháng 3 năm 2026 về ban hành kế hoạch cải cách hành chính năm 2026"
    cells = {**GOOD, "E14": evidence, f"B{SPARE}": "Cộng lĩnh vực 1", f"D{SPARE}": 3.25}
    result = read_self_assessment(_fill(blank, tmp_path / "ways.xlsx", cells), trees, matcher, year=2026)
    assert result.loadable and not result.rejects, result.rejects
    assert ("totals_row", f"A{SPARE}") in _notes(result)
    cells = {**GOOD, f"A{SPARE}": "Ghi chú: số liệu tính đến 15/11/2026"}
    noted = read_self_assessment(_fill(blank, tmp_path / "noted.xlsx", cells), trees, matcher, year=2026)
    assert noted.loadable and not noted.rejects and ("note_row", f"A{SPARE}") in _notes(noted)
    for written in ("15.03.2026", "2026-03-15"):
        cells = {**GOOD, "E14": f"Quyết định số 12/QĐ-UBND ngày {written} về ban hành kế hoạch cải cách hành chính"}
        again = read_self_assessment(_fill(blank, tmp_path / "dated.xlsx", cells), trees, matcher, year=2026)
        assert not again.rejects, written


def test_evidence_merged_down_over_two_criteria_counts_for_both(tmp_path: Path, blank: Path, trees, matcher) -> None:
    """One decision as the evidence of LV1.1 and LV1.2, its cell merged down over both rows: the second row was
    rejected as having no evidence (the form then unusable); the merged text holds for each row, with a note."""
    cells = {**GOOD, "D15": 1.5, "E14": EVIDENCE, "E15": None}
    result = read_self_assessment(_fill(blank, tmp_path / "merged.xlsx", cells, merge="E14:E15"), trees, matcher, year=2026)
    assert result.loadable and not result.rejects, result.rejects
    evidence = {r["code"]: r["evidence"] for r in result.rows}
    assert evidence["LV1.1"] == evidence["LV1.2"] == EVIDENCE and ("merged_cells", "E14") in _notes(result)


@pytest.mark.parametrize(
    ("explanation", "difficulties", "masked_explanation", "masked_difficulties"),
    [
        (  # phone, ID and e-mail
            "Theo phản ánh của ông Bình, SĐT 0912 345 678, CCCD 019085001234: đã gửi đủ báo cáo.",
            "Bà Hoa (0987.654.321, hoa@gmail.com) phản ánh chậm trả hồ sơ.",
            "Theo phản ánh của ông [đã ẩn], SĐT [đã ẩn], CCCD [đã ẩn]: đã gửi đủ báo cáo.",
            "Bà Hoa ([đã ẩn], [đã ẩn]) phản ánh chậm trả hồ sơ.",
        ),
        (  # a full name after a form of address ("công dân", "bà", "Ông")
            "Đã trả lời công dân Nguyễn Văn An đúng hạn; bà Trần Thị Hoa khiếu nại.",
            "Ông Lê Văn Tám phản ánh chậm trả kết quả.",
            "Đã trả lời công dân [đã ẩn] đúng hạn; bà [đã ẩn] khiếu nại.",
            "Ông [đã ẩn] phản ánh chậm trả kết quả.",
        ),
    ],
)
def test_citizens_contacts_and_names_in_the_forms_texts_are_masked(
    tmp_path: Path, blank: Path, trees, matcher, explanation, difficulties, masked_explanation, masked_difficulties
) -> None:
    """A phone or ID number, or a citizen's name after a form of address, typed into an explanation or the
    difficulties never reaches the rows (the warehouse and the reports to Sở Nội vụ): masked, the rest kept, with a
    note naming the cell, never the value."""
    cells = {**GOOD, "F15": explanation, "B24": difficulties}
    result = read_self_assessment(_fill(blank, tmp_path / "pii.xlsx", cells), trees, matcher, year=2026)
    assert result.rows[1]["explanation"] == masked_explanation
    assert result.difficulties == masked_difficulties
    notes = [i for i in result.file_issues if i.rule == "personal_data_masked"]
    said = [w for w in explanation.split() + difficulties.split() if w not in masked_explanation + masked_difficulties]
    assert len(notes) == 2 and said and not any(w in i.reason for i in notes for w in said)


def test_appraisal_with_the_unit_merged_down_and_a_code_that_lost_its_zero(tmp_path: Path, trees, matcher, commune) -> None:
    """The council's usual layout: a unit's name merged over its criteria rows holds for each (the rows were lost as
    'thiếu tên đơn vị'); a commune code re-saved by Excel as a number (5443 for 05443) is that commune."""
    assert commune.code.startswith("0")
    wb = Workbook()
    ws = wb.active
    ws.title = "Thẩm định"
    ws.append(["Đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Nhận xét"])
    ws.append([commune.name, "LV1.1", 1.5, "Gọi 0912345678 để xác minh"])  # row 2
    ws.append([None, "LV1.2", 1.0, None])
    ws.append([None, "LV1.3", 0.5, None])
    ws.append([int(commune.code), "LV1.4", 0.5, None])  # the code as Excel keeps a number
    ws.merge_cells("A2:A4")
    path = tmp_path / "tham_dinh_gop.xlsx"
    wb.save(path)
    result = read_appraisal(path, matcher, trees=trees, year=2026)
    assert [(r["unit_code"], r["code"], r["appraised_points"]) for r in result.rows] == [
        (commune.code, "LV1.1", 1.5),
        (commune.code, "LV1.2", 1.0),
        (commune.code, "LV1.3", 0.5),
    ]
    assert result.rows[0]["comment"] == "Gọi [đã ẩn] để xác minh"
    # 5443 is the commune; LV1.4 applies to wards only: a mistyped code, refused (its points were lost unseen)
    assert [(r["rule"], r["unit_code"], r["cell"]) for r in result.rejects] == [("criterion_not_applicable", commune.code, "B5")]
    assert commune.name in result.rejects[0]["reason"]
    # the council's "Không áp dụng" for that criterion is right, not refused
    ws.cell(5, 3).value = "Không áp dụng"
    wb.save(path)
    again = read_appraisal(path, matcher, trees=trees, year=2026)
    assert not again.rejects and [r["not_applicable"] for r in again.rows] == [False, False, False, True]
    assert {i.rule for i in result.file_issues} == {"merged_cells", "personal_data_masked"}


def test_survey_codes_that_lost_their_zero_and_a_code_nobody_has_beside_a_name(tmp_path: Path, trees, matcher, commune) -> None:
    lines = [
        "Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm",
        f"{commune.code.lstrip('0')},{commune.name},SIPAS,LV2.1,1.75",
        f'99999,{commune.name},"Lãnh đạo, quản lý",LV2.2,0.8',
    ]
    path = tmp_path / "khao_sat_excel.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    result = read_survey(path, matcher, trees=trees, year=2026)
    assert [(r["unit_code"], r["code"]) for r in result.rows] == [(commune.code, "LV2.1"), (commune.code, "LV2.2")]
    assert not result.rejects


def test_a_hidden_old_copy_of_the_table_is_not_read_and_two_visible_ones_refuse_the_form(
    tmp_path: Path, blank: Path, trees, matcher
) -> None:
    """A unit that hid its old sheet and corrected a copy: the visible copy counts (the hidden one came first and
    won), with a note; two visible sheets holding the table cannot be told apart: refused, naming both."""
    wb = load_workbook(_fill(blank, tmp_path / "a.xlsx", {**GOOD, "D14": 2}))
    wb.security.lockStructure = False
    copy = wb.copy_worksheet(wb[SHEET])
    copy.title = "Tự đánh giá (sửa)"
    copy["D14"] = 0.5
    wb[SHEET].sheet_state = "hidden"
    wb.save(tmp_path / "hidden_old.xlsx")
    result = read_self_assessment(tmp_path / "hidden_old.xlsx", trees, matcher, year=2026)
    assert result.sheet == "Tự đánh giá (sửa)" and not _blocking(result)
    assert result.rows[0]["code"] == "LV1.1" and result.rows[0]["self_points"] == 0.5
    assert any(i.rule == "hidden_cells" and SHEET in i.reason for i in result.file_issues)
    wb[SHEET].sheet_state = "visible"
    wb.save(tmp_path / "two_visible.xlsx")
    refused = read_self_assessment(tmp_path / "two_visible.xlsx", trees, matcher, year=2026)
    (block,) = _blocking(refused)
    assert block[0] == "multiple_table_sheets" and not refused.rows


# --- appraisal workbooks as councils keep them: hidden drafts, one sheet per group ---------------------------

APPRAISAL_HEADER = ["Đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Nhận xét"]


def _appraisal_workbook(path: Path, sheets: list[tuple[str, list[list[object]], bool]]) -> Path:
    """The council's layout (par/tham_dinh/): a title and the council's name above the table on each sheet, then
    Đơn vị | Mã tiêu chí | Điểm thẩm định | Nhận xét from row 4; ``sheets``: (title, rows, hidden)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, hidden in sheets:
        ws = wb.create_sheet(title)
        ws.append(["KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2026"])
        ws.append(["Hội đồng thẩm định Chỉ số CCHC tỉnh Thái Nguyên"])
        ws.append([])
        ws.append(APPRAISAL_HEADER)
        for row in rows:
            ws.append(row)
        if hidden:
            ws.sheet_state = "hidden"
    if all(hidden for _, _, hidden in sheets):  # Excel keeps one sheet visible: a cover note without the table
        wb.create_sheet("Ghi chú")["A1"] = "Kết quả thẩm định ở trang sau."
    wb.save(path)
    return path


def _par_trees(index: str, year: int, group: str):
    from scoring.criteria import tree_for

    return tree_for(index, year, group)


def test_a_hidden_old_appraisal_sheet_is_never_read(tmp_path: Path, matcher) -> None:
    """An old draft kept on a hidden first sheet (every point 0) was read instead of the visible appraisal, silently:
    the visible sheet counts, the hidden one is named in a note; a file whose table is only on a hidden sheet is
    refused, as a register or a progress report is."""
    units = load_units("Thái Nguyên")
    agency = next(u for u in units if u.code == "19.SCT")
    draft = [[agency.name, "LV1.2", 0, "bản cũ"], [agency.name, "LV1.3", 0, "bản cũ"]]
    current = [[agency.name, "LV1.2", 1.25, None], [agency.name, "LV1.3", 2.5, "Trừ 0,5 điểm."]]
    path = _appraisal_workbook(tmp_path / "tham_dinh_2026.xlsx", [("Bản cũ", draft, True), ("Kết quả thẩm định", current, False)])
    result = read_appraisal(path, matcher, trees=_par_trees, year=2026)
    assert result.loadable and not result.rejects
    assert [(r["code"], r["appraised_points"], r["sheet"], r["cell"]) for r in result.rows] == [
        ("LV1.2", 1.25, "Kết quả thẩm định", "C5"),
        ("LV1.3", 2.5, "Kết quả thẩm định", "C6"),
    ]
    (note,) = [i for i in result.file_issues if i.rule == "hidden_cells"]
    assert not note.blocking and "'Bản cũ'" in note.reason and "'Kết quả thẩm định'" in note.reason
    only_hidden = _appraisal_workbook(tmp_path / "tham_dinh_2026_an.xlsx", [("Kết quả thẩm định", current, True)])
    refused = read_appraisal(only_hidden, matcher, trees=_par_trees, year=2026)
    assert not refused.loadable and not refused.rows
    assert [(i.rule, i.blocking) for i in refused.file_issues] == [("hidden_cells", True)]
    assert "trang tính ẩn 'Kết quả thẩm định'" in refused.file_issues[0].reason


def test_an_appraisal_kept_as_one_sheet_per_group_is_read_whole(tmp_path: Path, matcher) -> None:
    """A council's usual layout: 'Sở, ban, ngành' and 'Xã, phường' on two visible sheets. Both are parts of the one
    appraisal (only the first was read, the communes' rows dropped in silence): every row of each sheet is read,
    keeping its sheet and real row, and a rejected row names its own sheet and cell."""
    units = load_units("Thái Nguyên")
    agency = next(u for u in units if u.code == "19.SCT")
    commune = next(u for u in units if u.group == "commune")
    ward = next(u for u in units if u.group == "ward")
    agencies = [[agency.name, "LV1.2", 1.25, None], [agency.name, "LV1.3", 2.5, None]]
    local = [
        [commune.name, "LV1.2", 1.5, None],  # row 5
        [ward.name, "LV1.3", "2,75", None],  # a decimal comma: a note naming this sheet
        ["Xã Không Tồn Tại", "LV1.2", 1, None],  # row 7: rejected on this sheet
        [ward.name, None, 1, None],  # row 8: no criterion code
    ]
    path = _appraisal_workbook(
        tmp_path / "tham_dinh_2026.xlsx", [("Sở, ban, ngành", agencies, False), ("Xã, phường", local, False)]
    )
    result = read_appraisal(path, matcher, trees=_par_trees, year=2026)
    assert result.loadable
    assert [(r["unit_code"], r["code"], r["appraised_points"], r["sheet"], r["source_row"]) for r in result.rows] == [
        (agency.code, "LV1.2", 1.25, "Sở, ban, ngành", 5),
        (agency.code, "LV1.3", 2.5, "Sở, ban, ngành", 6),
        (commune.code, "LV1.2", 1.5, "Xã, phường", 5),
        (ward.code, "LV1.3", 2.75, "Xã, phường", 6),
    ]
    assert sorted((r["rule"], r["sheet"], r["row_number"]) for r in result.rejects) == [
        ("missing_code", "Xã, phường", 8),
        ("unknown_unit", "Xã, phường", 7),
    ]
    assert all(r["reason"].startswith(f"Trang 'Xã, phường', ô {r['cell']}: ") for r in result.rejects)
    (comma,) = [i for i in result.file_issues if i.rule == "decimal_comma"]
    assert comma.sheet == "Xã, phường" and comma.reason.startswith("Trang 'Xã, phường', ô C6:")
    assert not any(i.blocking for i in result.file_issues)


def test_two_appraisal_sheets_giving_one_criterion_different_points_refuse_both_rows(tmp_path: Path, matcher) -> None:
    """The same unit and criterion on two visible sheets: with the same points a repeat (the second row rejected as a
    duplicate, as within a sheet); with different points neither can be chosen (the sheets' order says nothing about
    which is right), so both rows are rejected naming both sheets, and the unit's other rows still load."""
    units = load_units("Thái Nguyên")
    agency = next(u for u in units if u.code == "19.SCT")
    commune = next(u for u in units if u.group == "commune")
    first = [[agency.name, "LV1.2", 1.25, None], [commune.name, "LV1.2", 1.5, None], [commune.name, "LV1.3", 3, None]]
    second = [[commune.name, "LV1.2", 1.5, None], [commune.name, "LV1.3", 2, "bản sửa"], [commune.name, "LV2.1", 3, None]]
    path = _appraisal_workbook(
        tmp_path / "tham_dinh_2026.xlsx", [("Sở, ban, ngành", first, False), ("Xã, phường", second, False)]
    )
    result = read_appraisal(path, matcher, trees=_par_trees, year=2026)
    assert result.loadable
    assert [(r["unit_code"], r["code"], r["appraised_points"], r["sheet"]) for r in result.rows] == [
        (agency.code, "LV1.2", 1.25, "Sở, ban, ngành"),
        (commune.code, "LV1.2", 1.5, "Sở, ban, ngành"),
        (commune.code, "LV2.1", 3.0, "Xã, phường"),
    ]
    assert sorted((r["rule"], r["sheet"], r["cell"]) for r in result.rejects) == [
        ("conflicting_appraisal", "Sở, ban, ngành", "C7"),
        ("conflicting_appraisal", "Xã, phường", "C6"),
        ("duplicate_appraisal", "Xã, phường", "B5"),
    ]
    conflicts = [r for r in result.rejects if r["rule"] == "conflicting_appraisal"]
    assert all("'Sở, ban, ngành'" in r["reason"] and "'Xã, phường'" in r["reason"] for r in conflicts)
    assert all(r["unit_code"] == commune.code and r["record_key"] == "LV1.3" for r in conflicts)
    duplicate = next(r for r in result.rejects if r["rule"] == "duplicate_appraisal")
    assert "trang 'Sở, ban, ngành', dòng 6" in duplicate["reason"]


@pytest.mark.parametrize(
    ("province", "heading", "author"),
    [
        ("Thái Nguyên", "UBND TỈNH THÁI NGUYÊN", "Sở Khoa học và Công nghệ tỉnh Thái Nguyên"),
        ("Hà Nội", "UBND THÀNH PHỐ HÀ NỘI", "Sở Khoa học và Công nghệ thành phố Hà Nội"),
        ("Bắc Ninh", "UBND TỈNH BẮC NINH", "Sở Khoa học và Công nghệ tỉnh Bắc Ninh"),
    ],
)
def test_blank_forms_name_the_province_and_its_department(tmp_path, province, heading, author):
    from forms.assessment_forms import write_blank_forms

    units = [u for u in load_units(province) if u.group == "agency"][:1]
    units += [next(u for u in load_units(province) if u.group in ("commune", "ward"))]
    assert write_blank_forms(tmp_path, "par", 2026, units, "phieu") == 2
    for path in sorted(tmp_path.glob("*.xlsx")):
        wb = load_workbook(path)
        assert wb.active["A1"].value == heading
        assert wb.properties.creator == wb.properties.lastModifiedBy == author
        decision = wb.active["B7"].value if wb.active["A7"].value == "Bộ tiêu chí" else None
        texts = [str(c.value) for row in wb.active.iter_rows(max_row=10) for c in row if c.value]
        assert any(f"quyết định của UBND {author.removeprefix('Sở Khoa học và Công nghệ ')} về" in t for t in texts), texts
        assert decision is None or PROVINCE_PLACEHOLDER not in decision


def test_an_appraised_score_in_a_percent_cell_is_the_points_it_shows(tmp_path: Path, matcher) -> None:
    """The council typed '1,5%' (Excel keeps 0.015): read as 1.5 points with a note, not 0.015."""
    agency = next(u for u in load_units("Thái Nguyên") if u.code == "19.SCT")
    path = _appraisal_workbook(tmp_path / "tham_dinh_2026.xlsx", [("Thẩm định", [[agency.name, "LV1.2", 0.015, None]], False)])
    wb = load_workbook(path)
    wb["Thẩm định"]["C5"].number_format = "0.00%"
    wb.save(path)
    result = read_appraisal(path, matcher, trees=_par_trees, year=2026)
    assert [(r["code"], r["appraised_points"]) for r in result.rows] == [("LV1.2", 1.5)]
    assert [i.rule for i in result.file_issues if i.rule == "percent_cell"] == ["percent_cell"]


def test_a_blank_copy_with_sums_on_the_domain_rows_is_refused_as_empty(tmp_path: Path, blank: Path, trees, matcher) -> None:
    # The unit's working copy: =SUM on the domain rows LV1 and LV2 (Excel saved 0), no criterion scored. A domain's
    # 0 is no self-assessment: the file is refused like the same form without the sums, never loaded with 0 rows
    # (as the later form it would supersede the unit's scored one).
    cells = {"B8": datetime(2026, 11, 20), "D13": "=SUM(D14:D17)", "D18": "=SUM(D19:D21)"}
    path = _fill(blank, tmp_path / "ban_cuoi.xlsx", cells)
    with_saved_values(path, {"D13": 0, "D18": 0})
    result = read_self_assessment(path, trees, matcher, year=2026)
    assert _blocking(result) == [("empty_form", None)] and not result.loadable and not result.rows
    # a score on a domain row beside scored criteria is still only a note
    scored = _fill(blank, tmp_path / "scored.xlsx", {**GOOD, "D13": "=SUM(D14:D17)"})
    with_saved_values(scored, {"D13": 3.25})
    kept = read_self_assessment(scored, trees, matcher, year=2026)
    assert kept.loadable and len(kept.rows) == 3 and ("not_self_assessed", "D13") in _notes(kept)


def test_a_hidden_old_row_of_a_criterion_loses_to_the_visible_corrected_row(tmp_path: Path, blank: Path, trees, matcher) -> None:
    # The unit hides its old LV1.1 row (2 points) and types the corrected one in the spare row under the table.
    cells = {**GOOD, "D14": 2, "A22": "LV1.1", "B22": "Ban hành kế hoạch CCHC năm", "D22": 1, "E22": EVIDENCE}
    result = read_self_assessment(_fill(blank, tmp_path / "sua.xlsx", cells, hide_row=14), trees, matcher, year=2026)
    assert result.loadable
    assert sorted((r["code"], r["self_points"], r["cell"]) for r in result.rows) == [
        ("LV1.1", 1, "D22"),
        ("LV1.2", 1.5, "D15"),
        ("LV1.3", 0, "D16"),
    ]
    assert _rejects(result) == [("duplicate_criterion", SHEET, "A14")]
    assert "dòng 14 bị ẩn và trùng tiêu chí LV1.1 với dòng 22 đang hiện" in result.rejects[0]["reason"]
    # two visible rows of a code: still the first kept
    twice = read_self_assessment(_fill(blank, tmp_path / "hai.xlsx", cells), trees, matcher, year=2026)
    assert ("LV1.1", 2) in [(r["code"], r["self_points"]) for r in twice.rows]
    assert _rejects(twice) == [("duplicate_criterion", SHEET, "A22")]


def test_survey_codes_typed_as_offices_type_them_are_the_criteria(tmp_path: Path, trees, matcher) -> None:
    # Lower case, a final dot, an inner space: the criterion, as in forms and appraisals (criterion_code).
    c1, c2, c3 = [u for u in load_units("Thái Nguyên") if u.group == "commune"][:3]
    lines = [
        "Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm",
        f"{c1.code},{c1.name},Lãnh đạo quản lý,lv2.2,0.75",
        f"{c2.code},{c2.name},SIPAS,LV2.1.,1.25",
        f"{c3.code},{c3.name},SIPAS,LV 2.1,1",
        f"{c3.code},{c3.name},SIPAS,lv2.1,1",  # the same criterion again
    ]
    path = tmp_path / "khao_sat_2026.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    result = read_survey(path, matcher, trees=trees, year=2026)
    assert [(r["unit_code"], r["survey"], r["code"], r["points"]) for r in result.rows] == [
        (c1.code, "leaders", "LV2.2", 0.75),
        (c2.code, "sipas", "LV2.1", 1.25),
        (c3.code, "sipas", "LV2.1", 1),
    ]
    assert [(r["rule"], r["row_number"], r["record_key"]) for r in result.rejects] == [("duplicate_survey", 5, "LV2.1")]


def test_an_appraisals_group_headings_and_unit_totals_are_notes_not_rejects(tmp_path: Path, trees, matcher, commune) -> None:
    # The council's layout: a group heading (merged across, or alone in the unit column), each unit's criteria and
    # its total row ("Tổng điểm" in the unit column, or "Tổng cộng" in the code column under a merged unit).
    ward = next(u for u in load_units("Thái Nguyên") if u.group == "ward")
    rows: list[list[object]] = [
        ["CÁC XÃ, PHƯỜNG"],  # row 5, merged across below
        [commune.name, "LV1.1", 1.5, "Đạt"],
        [None, "LV1.2", 1.25],
        ["Tổng điểm", None, 2.75],  # row 8
        ["CÁC PHƯỜNG"],  # row 9, not merged
        [ward.name, "LV1.1", 1],
        [None, "Tổng cộng", 1],  # row 11, the unit merged down over it
    ]
    path = _appraisal_workbook(tmp_path / "tham_dinh_2026.xlsx", [("Thẩm định", rows, False)])
    wb = load_workbook(path)
    for rng in ("A5:D5", "A6:A7", "A10:A11"):
        wb.active.merge_cells(rng)
    wb.save(path)
    result = read_appraisal(path, matcher, trees=trees, year=2026)
    kept = {(r["unit_code"], r["code"]): r["appraised_points"] for r in result.rows}
    assert kept == {(commune.code, "LV1.1"): 1.5, (commune.code, "LV1.2"): 1.25, (ward.code, "LV1.1"): 1}
    assert not result.rejects
    layout = [(i.rule, i.cell) for i in result.file_issues if i.rule in ("section_row", "totals_row")]
    assert layout == [("section_row", "A5"), ("totals_row", "A8"), ("section_row", "A9"), ("totals_row", "A11")]
    heading = next(i for i in result.file_issues if i.rule == "section_row")
    assert "dòng 5 ('CÁC XÃ, PHƯỜNG') là tiêu đề nhóm đơn vị" in heading.reason and not heading.blocking


def test_difficulties_and_proposals_typed_in_the_labels_cell_or_moved_by_a_column_are_read(
    tmp_path: Path, blank: Path, trees, matcher
) -> None:
    # (a) the text typed in the label's own cell; an unknown code without a score is named as such, not "no code"
    cells = {k: v for k, v in GOOD.items() if k not in ("B24", "B27")}
    cells |= {"A23": "Khó khăn, vướng mắc: Thiếu công chức chuyên trách.", "A26": "Đề xuất, kiến nghị: Tập huấn."}
    cells |= {f"A{SPARE}": "LV9.9"}
    own = read_self_assessment(_fill(blank, tmp_path / "o.xlsx", cells), trees, matcher, year=2026)
    assert (own.difficulties, own.proposals) == ("Thiếu công chức chuyên trách.", "Tập huấn.")
    noted = [i.reason for i in own.file_issues if i.rule == "note_row"]
    assert noted == [
        f"Trang '{SHEET}', ô A{SPARE}: dòng {SPARE}: mã tiêu chí 'LV9.9' không có trong bộ tiêu chí năm 2026 và dòng không có điểm: không đọc."
    ]
    # (b) an STT column inserted before "Mã": the labels and their texts one column right
    wb = load_workbook(_fill(blank, tmp_path / "g.xlsx", GOOD))
    ws = wb[SHEET]
    ws.insert_cols(1)
    ws["A12"] = "STT"
    path = tmp_path / "stt.xlsx"
    wb.save(path)
    moved = read_self_assessment(path, trees, matcher, year=2026)
    assert (moved.difficulties, moved.proposals) == ("Thiếu công chức chuyên trách.", "Đề nghị tập huấn chấm điểm.")
    assert len(moved.rows) == 3 and not moved.rejects


def _numbered_tree(path: Path):
    """A tree numbered as decisions number it, 1.1 … 1.10: typed into a General cell, '1.10' is kept as 1.1."""
    leaves = "".join(
        f'  - {{code: "1.{i}", parent: "1", name: "Tiêu chí 1.{i}", max: 0.6, method: self}}\n' for i in range(1, 11)
    )
    head = TREE_YAML.split("nodes:")[0].replace("max: 10", "max: 6")
    path.write_text(f'{head}nodes:\n  - {{code: "1", parent: null, name: "Lĩnh vực 1", max: 6, method: group}}\n{leaves}')
    return load_tree(path)


def test_a_code_excel_kept_as_a_number_is_never_matched_to_another_criterion(tmp_path: Path, matcher, commune) -> None:
    tree = _numbered_tree(tmp_path / "par_2026_local_so.yaml")
    trees = {("par", 2026, "local"): tree}
    # the appraisal: 1.1 may be '1.1' or '1.10' (refused); 1.2 can only be '1.2'; the text '1.10' is 1.10
    rows: list[list[object]] = [[commune.name, 1.1, 0.25], [commune.name, 1.2, 0.5], [commune.name, "1.10", 0.3]]
    path = _appraisal_workbook(tmp_path / "tham_dinh_2026.xlsx", [("Thẩm định", rows, False)])
    result = read_appraisal(path, matcher, trees=trees, year=2026)
    assert [(r["code"], r["appraised_points"]) for r in result.rows] == [("1.2", 0.5), ("1.10", 0.3)]
    assert [(r["rule"], r["cell"]) for r in result.rejects] == [("ambiguous_code", "B5")]
    assert "có thể là 1.1 hoặc 1.10" in result.rejects[0]["reason"]
    # the unit's form: its row of 1.10 whose code cell was retyped and kept as 1.1
    form = load_workbook(write_blank_form(tmp_path / "blank.xlsx", tree, commune, 2026))
    ws = form[SHEET]
    codes = {ws.cell(r, 1).value: r for r in range(13, 25)}
    ws["B8"] = datetime(2026, 11, 5)
    for code, points in (("1.1", 0.5), ("1.2", 0.5), ("1.10", 0.25)):
        ws.cell(codes[code], 4, points).offset(0, 2).value = "Giải trình cách chấm của đơn vị."
    ws.cell(codes["1.10"], 1).value = 1.1
    ws.cell(codes["1.2"], 1).value = 1.2
    form.save(tmp_path / "phieu.xlsx")
    read = read_self_assessment(tmp_path / "phieu.xlsx", trees, matcher, year=2026)
    assert sorted((r["code"], r["self_points"]) for r in read.rows) == [("1.1", 0.5), ("1.2", 0.5)]
    assert [(r["rule"], r["cell"]) for r in read.rejects] == [("ambiguous_code", f"A{codes['1.10']}")]


def test_an_agency_filling_in_the_communes_form_is_refused(tmp_path: Path, blank: Path, tree, matcher) -> None:
    # The agencies' tree uses the same codes for other criteria: read by code, the commune form's scores would go to
    # criteria the agency never assessed. The form is refused, naming rows that differ.
    agency_yaml = TREE_YAML.replace("group: local", "group: agency").replace("applies_to: [ward]", "applies_to: [agency]")
    for old, new in (
        ("Ban hành kế hoạch CCHC năm", "Tham mưu UBND tỉnh ban hành văn bản quy phạm pháp luật"),
        ("Báo cáo CCHC định kỳ", "Sắp xếp tổ chức bộ máy theo quy định"),
        ("Tuyên truyền CCHC", "Thực hiện cơ chế tự chủ tài chính của đơn vị"),
    ):
        agency_yaml = agency_yaml.replace(old, new)
    (tmp_path / "agency").mkdir()
    (tmp_path / "agency" / "par_2026_agency_test.yaml").write_text(agency_yaml, encoding="utf-8")
    trees = {("par", 2026, "local"): tree, ("par", 2026, "agency"): load_tree(tmp_path / "agency" / "par_2026_agency_test.yaml")}
    agency = next(u for u in load_units("Thái Nguyên") if u.group == "agency")
    path = _fill(blank, tmp_path / "so_mau_xa.xlsx", {**GOOD, "B4": agency.name, "B5": agency.code})
    result = read_self_assessment(path, trees, matcher, year=2026)
    assert not result.loadable and not result.rows and _blocking(result) == [("wrong_template", "B14")]
    reason = result.file_issues[-1].reason
    assert "dòng 14 (LV1.1): phiếu ghi 'Ban hành kế hoạch CCHC năm'" in reason and "mẫu phiếu dành cho sở, ban, ngành" in reason
    # the commune's own form, one name retyped a little: read
    own = read_self_assessment(_fill(blank, tmp_path / "xa.xlsx", {**GOOD, "B14": "Ban hành Kế hoạch CCHC"}), trees, matcher)
    assert own.loadable and len(own.rows) == 3


def test_two_codes_swapped_under_their_names_are_refused_not_scored_crosswise(
    tmp_path: Path, blank: Path, trees, matcher
) -> None:
    # A copy and paste left LV1.1's code on "Báo cáo CCHC định kỳ" and LV1.2's on "Ban hành kế hoạch CCHC năm": read
    # by code, each score went to the other criterion without a word. Each row is refused naming both; the codes are
    # then missing (said so); a row whose name is only written otherwise is read by its code, with a note.
    cells = {**GOOD, "A14": "LV1.2", "A15": "LV1.1"}
    result = read_self_assessment(_fill(blank, tmp_path / "f.xlsx", cells), trees, matcher, year=2026)
    assert result.loadable
    assert [(r["code"], r["self_points"]) for r in result.rows] == [("LV1.3", 0)]
    assert _rejects(result) == [("code_name_mismatch", SHEET, "B14"), ("code_name_mismatch", SHEET, "B15")]
    first = next(r for r in result.rejects if r["cell"] == "B14")
    assert "ghi mã LV1.2 nhưng tên là của tiêu chí LV1.1" in first["reason"]
    assert [i.record_key for i in result.file_issues if i.rule == "missing_criterion"] == ["LV1.1", "LV1.2"]
    renamed = {**GOOD, "B16": "Công tác thông tin, truyền thông về cải cách hành chính"}
    result = read_self_assessment(_fill(blank, tmp_path / "g.xlsx", renamed), trees, matcher, year=2026)
    assert sorted((r["code"], r["self_points"]) for r in result.rows) == [("LV1.1", 1.75), ("LV1.2", 1.5), ("LV1.3", 0)]
    assert not result.rejects and ("criterion_differs", "B16") in _notes(result)
    # a blank working copy with the two codes swapped is still empty: never a form that supersedes the scored one
    blank_swap = read_self_assessment(_fill(blank, tmp_path / "h.xlsx", {"A14": "LV1.2", "A15": "LV1.1"}), trees, matcher)
    assert not blank_swap.loadable and [rule for rule, _ in _blocking(blank_swap)] == ["empty_form"]


def test_codes_typed_without_the_trees_letters_are_read_when_the_names_agree(tmp_path: Path, blank: Path, trees, matcher) -> None:
    # A form renumbered "1.1, 1.2 …" (the 'LV' dropped): every row was an unknown criterion and the form refused. A
    # code is read as the tree's when the row's name is that criterion's, noted once; a number beside another name
    # (an STT column) is not.
    cells = {**GOOD, "A14": "1.1", "A15": "1.2", "A16": "1.3"}
    result = read_self_assessment(_fill(blank, tmp_path / "f.xlsx", cells), trees, matcher, year=2026)
    assert sorted((r["code"], r["self_points"]) for r in result.rows) == [("LV1.1", 1.75), ("LV1.2", 1.5), ("LV1.3", 0)]
    assert not result.rejects
    [note] = [i for i in result.file_issues if i.rule == "code_without_prefix"]
    assert note.cell == "A14" and "3 dòng" in note.reason and "'1.1' cho LV1.1" in note.reason
    stt = {**GOOD, "A14": "1", "A15": "2", "A16": "3"}
    result = read_self_assessment(_fill(blank, tmp_path / "g.xlsx", stt), trees, matcher, year=2026)
    assert not result.rows and not any(i.rule == "code_without_prefix" for i in result.file_issues)


def test_a_phone_or_id_number_typed_in_the_code_column_is_never_quoted_in_a_note() -> None:
    """An unscored row's unknown code is quoted in its note; a phone or ID number typed under the table (bare digits,
    dotted) was quoted too, personal data in file_issues."""
    from sources.assessment_forms import _unread_row_reason

    for number in ("0912345678", "0912.345.678", "001089012345"):
        assert number not in _unread_row_reason(23, number, 2026)
    assert "'LV9.9'" in _unread_row_reason(23, "LV9.9", 2026)


def test_a_criterion_written_not_applicable_is_read_as_such(tmp_path: Path, blank: Path, trees, matcher, commune) -> None:
    """'Không áp dụng' (KAD, N/A) in a score cell, the unit's or the council's: the criterion does not apply to the
    unit (methodology §1.2, out of its denominator: scoring/criteria.score_unit), never 'not a number'."""
    path = _fill(blank, tmp_path / "f.xlsx", GOOD | {"D15": "Không áp dụng", "F15": "Sở không có đơn vị sự nghiệp."})
    result = read_self_assessment(path, trees, matcher, year=2026)
    assert not result.rejects
    assert [(r["code"], r["self_points"], r.get("not_applicable", False)) for r in result.rows] == [
        ("LV1.1", 1.75, False),
        ("LV1.2", None, True),
        ("LV1.3", 0, False),
    ]
    wb = Workbook()
    wb.active.append(["Đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Nhận xét"])
    wb.active.append([commune.name, "LV1.2", "KAD", "Đơn vị không có đơn vị sự nghiệp."])
    wb.active.append([commune.name, "LV1.1", "N/A", None])
    wb.save(tmp_path / "tham_dinh.xlsx")
    appraisal = read_appraisal(tmp_path / "tham_dinh.xlsx", matcher, trees=trees, year=2026)
    assert not appraisal.rejects
    assert [(r["code"], r["appraised_points"], r["not_applicable"]) for r in appraisal.rows] == [
        ("LV1.2", None, True),
        ("LV1.1", None, True),
    ]


@pytest.mark.parametrize("points_first", [True, False])
def test_the_councils_not_applicable_is_checked_as_points_are_and_points_win(
    tmp_path: Path, trees, matcher, commune, points_first
) -> None:
    """'KAD' for a code not in the tree or a group is rejected as points would be; 'KAD' and points for one criterion
    in one file: the points are used and the 'KAD' row is rejected naming both, whatever the rows' order."""
    wb = Workbook()
    wb.active.append(["Đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Nhận xét"])
    wb.active.append([commune.name, "LV9.9", "KAD", None])
    wb.active.append([commune.name, "LV1", "KAD", None])
    pair = [[commune.name, "LV1.2", 0.5, None], [commune.name, "LV1.2", "Không áp dụng", None]]
    for row in pair if points_first else pair[::-1]:
        wb.active.append(row)
    wb.save(tmp_path / "tham_dinh.xlsx")
    result = read_appraisal(tmp_path / "tham_dinh.xlsx", matcher, trees=trees, year=2026)
    assert [(r["code"], r["appraised_points"], r["not_applicable"]) for r in result.rows] == [("LV1.2", 0.5, False)]
    assert sorted(r["rule"] for r in result.rejects) == ["conflicting_appraisal", "not_leaf_criterion", "unknown_criterion"]
    conflict = next(r for r in result.rejects if r["rule"] == "conflicting_appraisal")
    assert conflict["row_number"] == (5 if points_first else 4) and "Không áp dụng" in conflict["reason"]


def test_a_citizens_name_in_the_councils_comment_is_masked(tmp_path: Path, trees, matcher, commune) -> None:
    """The appraisal's comment reaches the warehouse and the scorecards: a name after a form of address is masked."""
    comment = "Theo phản ánh của ông Nguyễn Văn An, kế hoạch ban hành chậm."
    path = _appraisal_workbook(tmp_path / "tham_dinh.xlsx", [("Thẩm định", [[commune.name, "LV1.1", 1.5, comment]], False)])
    appraisal = read_appraisal(path, matcher, trees=trees, year=2026)
    assert appraisal.rows[0]["comment"] == "Theo phản ánh của ông [đã ẩn], kế hoạch ban hành chậm."


def test_an_id_number_or_a_name_in_the_code_column_is_neither_quoted_nor_the_rows_key(
    tmp_path: Path, blank: Path, trees, matcher, commune
) -> None:
    """A scored row whose code cell holds a citizen's ID number or name (typed in the wrong column) is refused
    without quoting it: read as a code, the name lost its spaces ('NGUYỄNTHỊHỒNGNHUNG') and escaped the masking
    of the quarantine's key. A code-like typo is still quoted, to be corrected."""
    cells = {**GOOD, f"A{SPARE}": "001203004567", f"D{SPARE}": 1}
    form = read_self_assessment(_fill(blank, tmp_path / "so.xlsx", cells), trees, matcher, year=2026)
    cells = {**GOOD, f"A{SPARE}": "Nguyễn Thị Hồng Nhung", f"D{SPARE}": 1}
    named = read_self_assessment(_fill(blank, tmp_path / "ten.xlsx", cells), trees, matcher, year=2026)
    cells = {**GOOD, f"A{SPARE}": "LV1,5", f"D{SPARE}": 1}
    typo = read_self_assessment(_fill(blank, tmp_path / "ma.xlsx", cells), trees, matcher, year=2026)
    for result in (form, named):
        (reject,) = [r for r in result.rejects if r["rule"] == "unknown_criterion"]
        assert reject["record_key"] is None and reject["value"] is None
        assert not any(v in reject["reason"] for v in ("001203004567", "NHUNG", "Nhung"))
    (reject,) = typo.rejects
    assert (reject["rule"], reject["record_key"], reject["value"]) == ("unknown_criterion", "LV1,5", "LV1,5")
    lines = ["Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm", f"{commune.code},,SIPAS,Nguyễn Văn An,1"]
    (tmp_path / "khao_sat.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    survey = read_survey(tmp_path / "khao_sat.csv", matcher, trees=trees, year=2026)
    assert [(r["rule"], r["record_key"], r["value"]) for r in survey.rejects] == [("unknown_criterion", None, None)]
    assert "NGUYỄN" not in survey.rejects[0]["reason"]


def test_a_long_pasted_text_in_a_form_is_cut_with_a_note(tmp_path: Path, blank: Path, trees, matcher) -> None:
    """A 48,000-character paste into an explanation is kept to FREE_TEXT_LIMIT characters (an Excel cell of the
    workbooks holds 32,767), said in a note; the row still counts."""
    from common.vntext import FREE_TEXT_LIMIT

    cells = {**GOOD, "F15": "Giải trình. " * 4000}
    result = read_self_assessment(_fill(blank, tmp_path / "dai.xlsx", cells), trees, matcher, year=2026)
    assert len(result.rows[1]["explanation"]) == FREE_TEXT_LIMIT and result.rows[1]["self_points"] == 1.5
    (note,) = [i for i in result.file_issues if i.rule == "long_text_cut"]
    assert "32767 ký tự" in note.reason and not note.blocking  # (an .xlsx cell keeps 32,767 of them)


def _survey_csv(folder: Path, rows: list[str]) -> Path:
    """A survey export (UTF-8, the survey office's header) of the given CSV lines."""
    path = folder / "khao_sat.csv"
    path.write_text("\n".join(["Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm", *rows]) + "\n", encoding="utf-8")
    return path


def test_a_survey_row_whose_unit_code_and_name_are_two_units_is_refused(tmp_path: Path, trees, matcher, commune) -> None:
    """Points given under one unit's code beside another unit's name: whose they are is unknown, never given to
    the code's unit in silence."""
    ward = next(u for u in load_units("Thái Nguyên") if u.group == "ward")
    rows = [f"{commune.code},{ward.name},SIPAS,LV2.1,1.5", f"{commune.code},{commune.name},SIPAS,LV2.1,1.75"]
    result = read_survey(_survey_csv(tmp_path, rows), matcher, trees=trees, year=2026)
    assert [(r["unit_code"], r["points"], r["source_row"]) for r in result.rows] == [(commune.code, 1.75, 3)]
    assert [(r["rule"], r["row_number"]) for r in result.rejects] == [("unit_code_mismatch", 2)]
    assert commune.name in result.rejects[0]["reason"] and ward.name in result.rejects[0]["reason"]


@pytest.mark.parametrize("written", ["{name} (mới)", "{name} - huyện Đại Từ", "UBND {name} (sau sắp xếp)"])
def test_a_units_name_with_words_added_is_the_unit_of_the_printed_code(
    tmp_path: Path, blank: Path, trees, matcher, commune, written
) -> None:
    """'Xã An Khánh (mới)' beside the printed code of Xã An Khánh refused the whole form as an unknown unit; the code
    is taken when the name written holds the code's unit's name, with a note. Another unit's name is never
    overruled by the code (test_unit_from_header_not_file_name)."""
    path = _fill(blank, tmp_path / "tu_danh_gia.xlsx", {**GOOD, "B4": written.format(name=commune.name)})
    result = read_self_assessment(path, trees, matcher, year=2026)
    assert result.unit_code == commune.code and not _blocking(result) and len(result.rows) == 3
    assert ("unit_name_variant", "B4") in _notes(result)
    unknown = _fill(blank, tmp_path / "khac.xlsx", {**GOOD, "B4": "Xã Không Có Thật (mới)"})
    assert [rule for rule, _ in _blocking(read_self_assessment(unknown, trees, matcher, year=2026))] == ["unknown_unit"]


@pytest.mark.parametrize("written", ["{name} (mới)", "{name} - huyện Đại Từ"])
def test_a_units_name_with_words_added_and_no_code_printed_is_that_unit(
    tmp_path: Path, blank: Path, trees, matcher, commune, written
) -> None:
    """'Sở Tài chính (mới)' with the code cell left empty refused the whole form as an unknown unit (its message even
    asked "có phải 'Sở Tài chính'?"); the name without its added words is taken when it is one unit's, with a note."""
    cells = {**GOOD, "B4": written.format(name=commune.name), "B5": None}
    result = read_self_assessment(_fill(blank, tmp_path / "f.xlsx", cells), trees, matcher, year=2026)
    assert result.unit_code == commune.code and not _blocking(result) and len(result.rows) == 3
    assert ("unit_name_variant", "B4") in _notes(result)
    unknown = _fill(blank, tmp_path / "khac.xlsx", {**GOOD, "B4": "Xã Không Có Thật (mới)", "B5": None})
    assert [rule for rule, _ in _blocking(read_self_assessment(unknown, trees, matcher, year=2026))] == ["unknown_unit"]
    # words naming a body of their own are no added words: a centre's or school's form, or two units, is not the unit's
    for body in (f"{commune.name} (Trạm Y tế)", f"{commune.name} - Trường THCS Chu Văn An", "Thanh tra tỉnh - Sở Nội vụ"):
        other = _fill(blank, tmp_path / "body.xlsx", {**GOOD, "B4": body, "B5": None})
        assert [rule for rule, _ in _blocking(read_self_assessment(other, trees, matcher, year=2026))] == ["unknown_unit"]


def test_the_printed_code_never_takes_a_name_that_differs_by_its_diacritics(tmp_path: Path, blank: Path, trees, matcher) -> None:
    """'Xã Văn Lăng (mới)' beside the printed code of Xã Văn Lang is Xã Văn Lăng's form, not Xã Văn Lang's: without
    diacritics the two names are one key."""
    units = {u.name: u for u in load_units("Thái Nguyên")}
    if not {"Xã Văn Lang", "Xã Văn Lăng"} <= set(units):
        pytest.skip("the two communes are not in this master data")
    cells = {**GOOD, "B4": "Xã Văn Lăng (mới)", "B5": units["Xã Văn Lang"].code}
    result = read_self_assessment(_fill(blank, tmp_path / "f.xlsx", cells), trees, matcher, year=2026)
    assert result.unit_code != units["Xã Văn Lang"].code


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Xã Định Hoá (mới)", "Xã Định Hóa"),
        ("UBND xã Nam Hoà (sau sắp xếp)", "Xã Nam Hòa"),
        ("Xa An Khanh (moi)", "Xã An Khánh"),
        ("Sở Văn hoá, Thể thao và Du lịch (mới)", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Xã An Khánh, tỉnh Thái Nguyên", "Xã An Khánh"),
    ],
)
def test_a_name_with_words_added_is_read_as_the_matcher_reads_names(written: str, name: str, matcher) -> None:
    """Old and new tone placement (Hoá/Hóa), no diacritics, a comma inside the name: the printed code's unit, as
    the unit matcher reads a name (an exact comparison refused these forms whole)."""
    from sources.assessment_forms import _unit_by_printed_code

    unit = next(u for u in load_units("Thái Nguyên") if u.name == name)
    assert _unit_by_printed_code({"unit_code": (unit.code, "B5")}, matcher, written) == unit


def test_a_unit_the_survey_office_did_not_survey_is_said_so_not_refused(tmp_path: Path, trees, matcher, commune) -> None:
    """Methodology §1.2: without the survey, the appraisal is the index on 100 points. 'Không khảo sát' in the points
    cell was refused as no number, and the unit stayed 'tạm tính' with its 32 survey points at 0 for ever."""
    rows = [
        f"{commune.code},{commune.name},SIPAS,LV2.1,Không khảo sát",
        f'{commune.code},{commune.name},"Lãnh đạo, quản lý",LV2.2,không điều tra',
    ]
    result = read_survey(_survey_csv(tmp_path, rows), matcher, trees=trees, year=2026)
    assert result.rejects == []
    assert [(r["code"], r["points"]) for r in result.rows] == [("LV2.1", None), ("LV2.2", None)]
    # The marker is checked against the tree as points are: under another survey's criterion (LV2.2 is the leaders'),
    # an unknown or a self-assessed one it took that criterion out of the unit's maximum in silence.
    wrong = [
        f"{commune.code},{commune.name},SIPAS,LV2.2,Không khảo sát",
        f"{commune.code},{commune.name},SIPAS,LV9.9,Không khảo sát",
        f"{commune.code},{commune.name},SIPAS,LV1.1,Không khảo sát",
    ]
    result = read_survey(_survey_csv(tmp_path, wrong), matcher, trees=trees, year=2026)
    assert result.rows == []
    assert [r["rule"] for r in result.rejects] == ["not_survey_criterion", "unknown_criterion", "not_survey_criterion"]
