"""DTI self-assessment forms: the blank form offers the answers of each component (drop-down lists, number ranges),
the reader turns answers into points with the tree's rules and rejects what the rules refuse, row by row."""

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from common.units import load_units, matcher_for
from forms.assessment_forms import build_form, save_fixed
from scoring.criteria import tree_for
from sources import excel_intake
from sources.assessment_forms import form_columns, read_self_assessment
from tests.excel_files import xlsx_as_xls

YEAR = 2026
EVIDENCE = "Quyết định số 12/QĐ-STP ngày 15/3/2026 về ban hành kế hoạch chuyển đổi số"


@pytest.fixture(scope="module")
def agency():
    return next(u for u in load_units("Thái Nguyên") if u.code == "19.STP")


def _trees(index: str, year: int, group: str):
    return tree_for(index, year, group)


def _form(
    tmp_path: Path,
    agency,
    answers: dict[str, object],
    *,
    percent: tuple[str, ...] = (),
    formats: dict[str, str] | None = None,
    evidence: bool = True,
    drop_answer_column: bool = False,
) -> Path:
    tree = tree_for("dti", YEAR, "agency")
    wb, rows = build_form(tree, agency, YEAR)
    ws = wb.active
    col = {c.name: i for i, c in enumerate(form_columns(tree), start=1)}
    ws["B8"] = datetime(2026, 11, 20)
    for code, answer in answers.items():
        cell = ws.cell(rows[code], col["answer"], answer)
        if code in percent:
            cell.number_format = "0%"
        if code in (formats or {}):
            cell.number_format = (formats or {})[code]
        if evidence:
            ws.cell(rows[code], col["evidence"], EVIDENCE)
    if drop_answer_column:
        ws.delete_cols(col["answer"])
    return save_fixed(wb, tmp_path / "f.xlsx")


def _read(path: Path, index: str = "dti"):
    return read_self_assessment(path, _trees, matcher_for("Thái Nguyên"), year=YEAR, index=index)


def test_blank_form_offers_the_answers(tmp_path, agency):
    path = _form(tmp_path, agency, {})
    ws = openpyxl.load_workbook(path).active
    lists = [v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"]
    assert '"Có,Không"' in lists
    assert any("Người đứng đầu đơn vị" in f and "Cấp phó" in f for f in lists)  # the steering committee's head
    ranges = {(v.formula1, v.formula2) for v in ws.data_validations.dataValidation if v.type == "decimal"}
    assert ("0", "100") in ranges and ("0", "365") in ranges  # percentages; meetings in a year
    headers = [c.value for c in ws[12]]
    assert "Kết quả tự đánh giá" in headers
    external = next(r for r in ws.iter_rows(min_row=13, values_only=True) if r[0] == "AT.2")
    assert external[-1] == "Không tự chấm: giá trị lấy từ Hệ thống giám sát an toàn thông tin mạng (SOC) của tỉnh."


def test_answers_become_points_and_a_percent_cell_is_read_as_percent(tmp_path, agency):
    path = _form(
        tmp_path,
        agency,
        {"NT.1": "Cấp phó của người đứng đầu", "NT.2": "có", "HT.1": 0.9, "HT.2": "90%", "NT.3": 3},
        percent=("HT.1",),
    )
    result = _read(path)
    assert result.loadable and not result.rejects
    rows = {r["code"]: (r["self_answer"], r["self_points"]) for r in result.rows}
    assert rows["NT.1"] == ("Cấp phó của người đứng đầu", 1.5) and rows["NT.2"] == ("có", 2.0)
    assert rows["HT.1"] == ("90", 2.7) and rows["HT.2"] == ("90%", 2.7)  # "90%" typed in Excel is 0.9 in a % cell
    assert rows["NT.3"] == ("3", 1.5)  # 3 meetings: at least 2 → half of 3 points
    assert any(i.rule == "percent_cell" for i in result.file_issues)


def test_a_percent_cell_of_an_xls_form_is_read_as_in_the_xlsx(tmp_path, agency):
    """94,7 % typed in a '%' cell is 0.947 in an .xls as in an .xlsx: the .xls (its formats read with xlrd, python-
    calamine gives none) scores it as 94.7, not 0.947."""
    xlsx = _form(tmp_path, agency, {"HT.1": 0.947, "NT.3": 3}, percent=("HT.1",))
    read = [_read(xlsx), _read(xlsx_as_xls(xlsx, tmp_path / "f.xls"))]
    assert read[1].loadable and read[1].encoding == "xls"
    assert read[1].rows == read[0].rows and read[1].rejects == read[0].rejects == []
    rows = {r["code"]: (r["self_answer"], r["self_points"]) for r in read[1].rows}
    assert rows["HT.1"] == ("94,7", 2.841) and rows["NT.3"] == ("3", 1.5)
    assert [i.rule for i in read[1].file_issues if i.rule != "old_format"] == [i.rule for i in read[0].file_issues]
    assert "percent_cell" in [i.rule for i in read[1].file_issues]


def test_a_percent_answer_from_0_to_1_in_a_form_without_number_formats_is_noted(tmp_path, agency, monkeypatch):
    """No pinned library reads the number formats of an .xlsb (nor of an .xls that xlrd cannot read, made here by
    failing that reading): 0.5 in a percentage answer is read as it is, with a note, never silently; 0.947 where full
    points need 50 % or more is refused as a fraction (fraction_as_percent), as in any file."""
    monkeypatch.setattr(excel_intake, "_xls_cells", lambda raw: None)
    xlsx = _form(tmp_path, agency, {"HT.1": 0.947, "TC.3": 0.5, "HT.2": 80, "NT.3": 1}, percent=("HT.1", "TC.3"))
    result = _read(xlsx_as_xls(xlsx, tmp_path / "f.xls"))
    rows = {r["code"]: r["self_answer"] for r in result.rows}
    assert result.loadable and rows == {"TC.3": "0.5", "HT.2": "80", "NT.3": "1"}
    assert [(r["record_key"], r["rule"]) for r in result.rejects] == [("HT.1", "fraction_as_percent")]
    notes = [(i.record_key, i.blocking) for i in result.file_issues if i.rule == "percent_format_lost"]
    assert notes == [("TC.3", False)]  # 80 % and 1 meeting (not a percentage) are not in doubt


def test_a_literal_percent_sign_in_the_answers_number_format_is_not_a_percent_cell(tmp_path, agency):
    """A custom format 0.0"%" or 0\\% shows a typed 78,6 as "78.6%": the "%" is text, Excel keeps 78.6 and the answer
    is 78.6 (it was read as 7860 and refused), a budget share of 0.8 typed in such a cell is 0.8 % (it was read as
    80 % with full points), and 0.947 there is still a fraction in a '(%)' answer (Excel shows "1%"). A real '%' format,
    even with a colour in brackets, still reads 0.9 as 90."""
    answers = {"HT.1": 78.6, "TC.3": 0.8, "HT.2": 0.947, "NL.3": 0.9, "NT.3": 3}
    formats = {"HT.1": '0.0"%"', "TC.3": "0.0\\%", "HT.2": '0" %"', "NL.3": "[Blue]0%"}
    result = _read(_form(tmp_path, agency, answers, formats=formats))
    assert result.loadable
    rows = {r["code"]: (r["self_answer"], r["self_points"]) for r in result.rows}
    assert rows == {"HT.1": ("78.6", 2.358), "TC.3": ("0.8", 1.6), "NL.3": ("90", 2.7), "NT.3": ("3", 1.5)}
    assert [(r["record_key"], r["rule"]) for r in result.rejects] == [("HT.2", "fraction_as_percent")]
    assert [i.record_key for i in result.file_issues if i.rule == "percent_cell"] == ["NL.3"]


def test_refused_answers_are_rejected_row_by_row(tmp_path, agency):
    path = _form(tmp_path, agency, {"NT.1": "Trưởng phòng", "HT.1": 120, "NT.3": "nhiều", "NT.2": "Có", "HT.2": 80})
    result = _read(path)
    rejects = {r["record_key"]: (r["rule"], r["reason"]) for r in result.rejects}
    assert rejects["NT.1"][0] == "bad_answer" and "không thuộc các lựa chọn" in rejects["NT.1"][1]
    assert rejects["HT.1"][0] == "value_out_of_range" and "ngoài khoảng 0..100" in rejects["HT.1"][1]
    assert rejects["NT.3"][0] == "not_a_number"
    assert "ô D" in rejects["NT.1"][1] and "Trang 'Tự đánh giá'" in rejects["NT.1"][1]
    assert {r["code"] for r in result.rows} == {"NT.2", "HT.2"}  # the good rows beside them still load


def test_points_without_evidence_are_rejected(tmp_path, agency):
    result = _read(_form(tmp_path, agency, {"NT.2": "Có", "TC.2": "Không"}, evidence=False))
    assert [(r["record_key"], r["rule"]) for r in result.rejects] == [("NT.2", "missing_evidence")]
    assert [r["code"] for r in result.rows] == ["TC.2"]  # "Không" is worth 0 points: no evidence needed


def test_a_form_without_the_answer_column_and_a_par_form_are_refused(tmp_path, agency):
    result = _read(_form(tmp_path, agency, {"NT.2": "Có"}, drop_answer_column=True))
    assert not result.loadable and [i.rule for i in result.file_issues if i.blocking] == ["missing_columns"]
    par_tree = tree_for("par", YEAR, "agency")
    wb, _ = build_form(par_tree, agency, YEAR)
    par_form = save_fixed(wb, tmp_path / "par.xlsx")
    result = _read(par_form)
    assert not result.loadable and [i.rule for i in result.file_issues if i.blocking] == ["wrong_index"]


def test_a_number_with_a_thousands_group_and_a_share_as_a_fraction_are_rejected_not_guessed(tmp_path, agency):
    """'1.234' is 1234 the Vietnamese way and 1.234 the English way: where both fit the range it is rejected with
    advice (1,5 still reads). 0.947 in a '(%)' answer outside a percent cell, the value of =A/B pasted, would score
    as 0.947 %: rejected where full points need 50 % or more, unless written with its sign; 0 and 94,7 read, and
    0,5 of a budget's share (full points at 2 %) is plausible."""
    answers = {"NT.4": "1.234", "NT.3": "1,5", "HT.1": 0.947, "HT.2": "0,5%", "NL.2": 0, "NL.3": "94,7", "TC.3": "0,5"}
    result = _read(_form(tmp_path, agency, answers))
    rejects = {r["record_key"]: (r["rule"], r["reason"]) for r in result.rejects}
    assert set(rejects) == {"NT.4", "HT.1"}
    assert rejects["NT.4"][0] == "ambiguous_number" and "phân cách hàng nghìn" in rejects["NT.4"][1]
    assert rejects["HT.1"][0] == "fraction_as_percent" and "94,7" in rejects["HT.1"][1]
    rows = {r["code"]: r["self_answer"] for r in result.rows}
    assert rows == {"NT.3": "1,5", "HT.2": "0,5%", "NL.2": "0", "NL.3": "94,7", "TC.3": "0,5"}


def test_a_dti_form_dated_in_a_year_to_come_does_not_stay_the_newest(tmp_path, agency):
    """DTI forms are ordered as PAR forms, by 'Ngày lập phiếu': a typo year (2062) on the first form made it the
    newest for ever. A date after the file's arrival is not trusted: the correction sent later counts, with a note."""
    import os

    import duckdb

    from warehouse.par import load_assessment_inputs
    from warehouse.schema import ensure_schema

    folder = tmp_path / "inbox" / "dti" / "tu_danh_gia"
    folder.mkdir(parents=True)
    names = ("dti_2026_stp_lan_1.xlsx", "dti_2026_stp_lan_2.xlsx")
    for n, (name, written, answer) in enumerate(
        zip(names, (datetime(2062, 11, 9), datetime(2026, 11, 20)), ("có", "không"), strict=True)
    ):
        work = tmp_path / f"form_{n}"
        work.mkdir()
        wb = openpyxl.load_workbook(_form(work, agency, {"NT.2": answer}))
        wb.active["B8"] = written
        wb.save(folder / name)
        arrived = datetime(2026, 11, 20, 9 + n).timestamp()
        os.utime(folder / name, (arrived, arrived))
    con = duckdb.connect()
    ensure_schema(con)
    load_assessment_inputs(
        con, tmp_path / "inbox", YEAR, matcher_for("Thái Nguyên"), datetime(2026, 11, 27, 8), frozenset({YEAR}), "dti"
    )
    current = con.execute(
        """SELECT s.source_file, a.self_answer FROM stg_assessment_submission s JOIN stg_assessment_self a USING (source_file)
           WHERE NOT s.superseded AND a.code = 'NT.2'"""
    ).fetchall()
    assert current == [(names[1], "không")]
    (note,) = con.execute("SELECT file_name, reason FROM file_issues WHERE rule = 'future_form_date'").fetchall()
    assert note[0] == names[0] and "09/11/2062" in note[1] and names[0] in note[1]
