"""PAR scorecards from hand-written warehouse rows: computed criteria filled from the QĐ 766 and task marts
("thu thập một lần, sử dụng nhiều lần"), the over-claim flag, provisional versus appraised, forms that do not count."""

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from common.units import load_units
from scoring.criteria import tree_for
from warehouse import par
from warehouse.schema import ensure_schema
from warehouse.tthc import load_units as load_unit_rows

NOW = datetime(2026, 11, 27, 8, 0)
AGENCY, OTHER = "19.SKHCN", "19.STP"


@pytest.fixture()
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, tuple(u for u in load_units("Thái Nguyên") if u.code in (AGENCY, OTHER)))
    tree = tree_for("par", 2026, "agency")
    selfs = [(AGENCY, leaf.code, leaf.max_points) for leaf in tree.leaves if leaf.method in ("self", "computed")]
    con.executemany(
        "INSERT INTO stg_assessment_self VALUES ('f.xlsx', 'par', ?, 2026, ?, NULL, ?, 'QĐ 1/QĐ-SKHCN ngày 1/3/2026 về …', NULL, false, false)",
        selfs,
    )
    con.execute(
        """INSERT INTO stg_assessment_submission VALUES ('f.xlsx', 'x', ?, 2026, 'par', '2026-11-03', 'Thiếu nhân lực',
                   'Tăng biên chế', 0, false, ?)""",
        [AGENCY, NOW],
    )
    # The dossiers of the year: 96.5 % on time (2.1), 60 % online (3.3); the plan tasks: 75 % on time.
    con.executemany(
        """INSERT INTO mart_qd766_indicator (period_label, period_kind, period_start, period_end, as_of,
                       methodology, unit_code, group_code, indicator_code, indicator_name, ratio, numerator, denominator, max_score,
                       rule, source)
                       VALUES ('2026-Y', 'year', '2026-01-01', '2026-12-31', ?, 'm', ?, 'g', ?, 'n', ?, ?, ?, 20, 'linear', 'local')""",
        [(NOW, AGENCY, "2.1", 96.5, 193, 200), (NOW, AGENCY, "3.3", 60.0, 60, 100)],
    )
    con.execute(
        """INSERT INTO mart_task_completion VALUES (2026, '2026-Y', '2026-11-27', ?, 'Sở', 8, 8, 6, 1, 1, 75.0, NULL)""", [AGENCY]
    )
    yield con, tree
    con.close()


def _criterion(con, unit: str, code: str) -> dict:
    cursor = con.execute("SELECT * FROM mart_par_criterion WHERE unit_code = ? AND code = ?", [unit, code])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0], strict=True))


def test_computed_criteria_come_from_the_warehouse_and_over_claims_are_flagged(con):
    con, tree = con
    par.refresh_scorecards(con, 2026, NOW)
    on_time = _criterion(con, AGENCY, "LV3.2.1")  # thresholds: ≥ 98 % full, ≥ 95 % half → 96.5 % gives 3 × 0.5
    assert (on_time["computed_value"], on_time["points"], on_time["source"]) == (96.5, 1.5, "computed")
    assert on_time["overclaim"]  # the form claimed the full 3 points
    online = _criterion(con, AGENCY, "LV3.2.2")  # linear to 80 %: 2 × 60/80
    assert (online["points"], online["source"], online["overclaim"]) == (1.5, "computed", True)
    tasks = next(leaf for leaf in tree.leaves if leaf.formula == "plan_tasks_on_time_rate")
    row = _criterion(con, AGENCY, tasks.code)  # linear to 100 %: max × 75/100
    assert row["points"] == pytest.approx(round(tasks.max_points * 0.75, 2)) and row["source"] == "computed"


def test_the_plan_task_rate_is_read_from_its_counts_not_the_reports_rounded_rate(con):
    """6 of 9 tasks on time: 66.67 %, not the report's printed 66.7 (the computed criterion shows 2 decimals)."""
    con, tree = con
    con.execute("UPDATE mart_task_completion SET due = 9, completed_on_time = 6, completed_late = 2, on_time_rate = 66.7")
    par.refresh_scorecards(con, 2026, NOW)
    tasks = next(leaf for leaf in tree.leaves if leaf.formula == "plan_tasks_on_time_rate")
    assert _criterion(con, AGENCY, tasks.code)["computed_value"] == 66.67


def test_provisional_until_appraised_and_units_without_a_form(con):
    con, tree = con
    par.refresh_scorecards(con, 2026, NOW)
    unit = con.execute("SELECT provisional, has_form, difficulties FROM mart_par_unit WHERE unit_code = ?", [AGENCY]).fetchall()
    assert unit == [(True, True, "Thiếu nhân lực")]
    other = con.execute("SELECT provisional, has_form, total FROM mart_par_unit WHERE unit_code = ?", [OTHER]).fetchall()
    assert other[0][1] is False  # no form: scored on what the warehouse and surveys give, listed as without a form
    first_self = next(leaf for leaf in tree.leaves if leaf.method == "self")
    con.executemany(
        "INSERT INTO stg_assessment_appraisal VALUES ('t.xlsx', 'par', ?, 2026, ?, ?, NULL, 1, false)",
        [(AGENCY, leaf.code, leaf.max_points / 2) for leaf in tree.leaves if leaf.method == "self"],
    )
    par.refresh_scorecards(con, 2026, NOW)
    row = _criterion(con, AGENCY, first_self.code)
    assert (row["source"], row["points"]) == ("appraised", round(first_self.max_points / 2, 2))
    # Appraised, but the surveys' points have not arrived: still tạm tính (final, they would count 0).
    assert con.execute("SELECT provisional FROM mart_par_unit WHERE unit_code = ?", [AGENCY]).fetchall() == [(True,)]
    con.executemany(
        "INSERT INTO stg_assessment_survey VALUES ('khao_sat_2026.csv', 'par', ?, 2026, ?, ?, ?, 1)",
        [(AGENCY, leaf.method, leaf.code, leaf.max_points / 2) for leaf in tree.leaves if leaf.method.startswith("survey")],
    )
    par.refresh_scorecards(con, 2026, NOW)
    assert con.execute("SELECT provisional FROM mart_par_unit WHERE unit_code = ?", [AGENCY]).fetchall() == [(False,)]


def test_hard_errors_name_units_whose_current_form_is_broken(con):
    con, _ = con
    con.execute(
        """INSERT INTO stg_assessment_submission VALUES ('g.xlsx', 'y', ?, 2026, 'par', '2026-11-05', NULL, NULL, 2, false, ?)""",
        [OTHER, NOW],
    )
    con.execute(
        """INSERT INTO quarantine (source, file_name, partition_date, row_number, unit_code, unit_name, record_key, rule, reason, value, loaded_at) VALUES ('par_form', 'g.xlsx', NULL, 15, ?, NULL, 'LV1.1', 'score_above_max',
                   'Điểm vượt tối đa', '9', ?)""",
        [OTHER, NOW],
    )
    assert [(u, f) for u, f, _ in par.hard_errors(con, 2026)] == [(OTHER, "g.xlsx")]
    # A later clean submission of the same unit supersedes the broken one.
    con.execute(
        """INSERT INTO stg_assessment_submission VALUES ('h.xlsx', 'z', ?, 2026, 'par', '2026-11-20', NULL, NULL, 0, false, ?)""",
        [OTHER, NOW],
    )
    assert par.hard_errors(con, 2026) == []


@pytest.mark.parametrize("case", ["unreadable date", "same date, copy named '(2)'"])
def test_a_units_corrected_form_sent_later_replaces_the_first(tmp_path, case):
    """Two forms of one unit: the one sent later is its form, also when its 'Ngày lập phiếu' is unreadable (it
    counted as the oldest) or unchanged in a copy Windows named '… (2).xlsx' (it sorted first by name); the first
    one says which form replaced it."""
    names = (
        "tu_danh_gia_skhcn.xlsx",
        "tu_danh_gia_skhcn_sua.xlsx" if case == "unreadable date" else "tu_danh_gia_skhcn (2).xlsx",
    )
    written = (datetime(2026, 11, 13), "20-11-2026" if case == "unreadable date" else datetime(2026, 11, 13))
    con = _two_forms_sent_an_hour_apart(tmp_path, names, written)
    (note,) = con.execute("SELECT file_name, reason FROM file_issues WHERE rule = 'superseded_form'").fetchall()
    assert note[0] == names[0] and names[1] in note[1]


def _two_forms_sent_an_hour_apart(tmp_path, names: tuple[str, str], written: tuple) -> duckdb.DuckDBPyConnection:
    """One agency's two self-assessment forms arriving on 20/11/2026 at 9:00 and 10:00 (full points, then 0 on one
    criterion), their 'Ngày lập phiếu' as ``written``, loaded; asserts that the second is the one counted."""
    con, leaf = _load_two_forms(tmp_path, names, written, ("max", 0))
    kept = con.execute(
        """SELECT s.source_file, a.self_points FROM stg_assessment_submission s JOIN stg_assessment_self a USING (source_file)
           WHERE NOT s.superseded AND a.code = ?""",
        [leaf.code],
    ).fetchall()
    assert kept == [(names[1], 0)]
    return con


def _load_two_forms(tmp_path, names: tuple[str, str], written: tuple, points: tuple) -> tuple[duckdb.DuckDBPyConnection, object]:
    """One agency's two forms arriving on 20/11/2026 at 9:00 and 10:00, 'Ngày lập phiếu' as ``written``, one
    self-assessed criterion given ``points`` (None: left blank; "max": its maximum), loaded; (connection, criterion)."""
    import os

    from openpyxl import load_workbook

    from common.units import matcher_for
    from forms.assessment_forms import write_blank_form

    unit = next(u for u in load_units("Thái Nguyên") if u.code == AGENCY)
    tree = tree_for("par", 2026, "agency")
    leaf = next(n for n in tree.leaves if n.method == "self")
    folder = tmp_path / "inbox" / "par" / "tu_danh_gia"
    folder.mkdir(parents=True)
    blank = write_blank_form(tmp_path / "blank.xlsx", tree, unit, 2026)
    for n, (name, given, date_written) in enumerate(zip(names, points, written, strict=True)):
        wb = load_workbook(blank)
        ws = wb.active
        ws["B8"] = date_written
        if given is not None:
            row = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == leaf.code)
            ws.cell(row, 4, leaf.max_points if given == "max" else given)
            ws.cell(row, 5, "Quyết định số 12/QĐ-SKHCN ngày 15/3/2026 về ban hành kế hoạch cải cách hành chính năm 2026")
        wb.save(folder / name)
        arrived = datetime(2026, 11, 20, 9 + n).timestamp()
        os.utime(folder / name, (arrived, arrived))
    con = duckdb.connect()
    ensure_schema(con)
    par.load_assessment_inputs(con, tmp_path / "inbox", 2026, matcher_for("Thái Nguyên"), NOW, frozenset({2026}))
    return con, leaf


def test_of_two_unusable_forms_the_later_sent_is_the_one_named_not_the_one_with_a_typo_date(tmp_path):
    """Both forms of a unit unusable (no points given): the quality check names the one sent later, which the unit
    must mend, not the one whose 'Ngày lập phiếu' was typed 09/11/2062 (it was taken as the newest)."""
    names = ("tu_danh_gia_2026_skhcn_lan_1.xlsx", "tu_danh_gia_2026_skhcn_lan_2.xlsx")
    con, _ = _load_two_forms(tmp_path, names, (datetime(2062, 11, 9), datetime(2026, 11, 20)), (None, None))
    assert [(u, f) for u, f, _ in par.hard_errors(con, 2026)] == [(AGENCY, names[1])]
    (note,) = con.execute("SELECT file_name FROM file_issues WHERE rule = 'future_form_date'").fetchall()
    assert note == (names[0],)


def test_survey_files_are_read_whatever_the_case_and_others_are_reported_not_ignored(tmp_path):
    """par/khao_sat/: the survey as Windows keeps it (KHAO_SAT_2026.CSV) is read; one saved as .pdf and one whose
    name has no year are refused with a reason naming the file (they used to be passed over, the unit losing its
    survey points); last year's survey (2025 is assessed: its own run reads it) and Excel's lock file are left alone
    without a complaint."""
    from common.units import matcher_for

    sipas = next(leaf for leaf in tree_for("par", 2026, "agency").leaves if leaf.method == "survey_sipas")
    folder = tmp_path / "inbox" / "par" / "khao_sat"
    folder.mkdir(parents=True)
    text = f"Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm\r\n{AGENCY},,SIPAS,{sipas.code},1\r\n"
    for name in ("KHAO_SAT_2026.CSV", "ket_qua_khao_sat_SIPAS.csv", "khao_sat_2025.csv"):
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (folder / "khao_sat_2026.pdf").write_bytes(b"%PDF-1.4")
    (folder / "~$khao_sat_2026.xlsx").write_bytes(b"lock")
    con = duckdb.connect()
    ensure_schema(con)
    assessed = frozenset({2025, 2026})
    stats = par.load_assessment_inputs(con, tmp_path / "inbox", 2026, matcher_for("Thái Nguyên"), NOW, assessed)
    assert stats["survey_rows"] == 1
    assert con.execute("SELECT source_file, unit_code, code, points FROM stg_assessment_survey").fetchall() == [
        ("KHAO_SAT_2026.CSV", AGENCY, sipas.code, 1.0)
    ]
    issues = con.execute(
        "SELECT file_name, rule, blocking, reason FROM file_issues WHERE source = 'par_survey' ORDER BY 1"
    ).fetchall()
    assert [i[:3] for i in issues] == [
        ("ket_qua_khao_sat_SIPAS.csv", "no_year_in_name", True),
        ("khao_sat_2026.pdf", "wrong_file_kind", True),
    ]
    assert all(
        name in reason and "khao_sat_2026.csv" in reason and "khao_sat_2026.xlsx" in reason and "đã bỏ qua tệp này" in reason
        for name, *_, reason in issues
    )
    assert con.execute("SELECT file_name, status FROM landed_files WHERE source = 'par_survey' ORDER BY 1").fetchall() == [
        ("KHAO_SAT_2026.CSV", "loaded"),
        ("ket_qua_khao_sat_SIPAS.csv", "rejected"),
        ("khao_sat_2026.pdf", "rejected"),
    ]


def _later_delivery_points(tmp_path, folder: str, later: str, other: str, write, query: str) -> list[tuple]:
    """Two files of one yearly folder, ``write(path, value)`` giving 1 then 2, ``later`` arriving ten minutes after
    ``other``; the points ``query`` gives after a load, asserted unchanged by a second load (a rerun)."""
    import os

    from common.units import matcher_for
    from warehouse.queries import sql

    path = tmp_path / "inbox" / "par" / folder
    path.mkdir(parents=True)
    for name, value, stamp in ((other, 1, 1_700_000_000), (later, 2, 1_700_000_600)):
        write(path / name, value)
        os.utime(path / name, (stamp, stamp))
    con = duckdb.connect()
    ensure_schema(con)
    runs = []
    for _ in range(2):
        par.load_assessment_inputs(con, tmp_path / "inbox", 2026, matcher_for("Thái Nguyên"), NOW, frozenset({2026}))
        runs.append(con.execute(sql(query), {"year": 2026, "index_code": "par"}).fetchall())
    assert runs[0] == runs[1]
    return runs[0]


@pytest.mark.parametrize("later", ["khao_sat_2026 (1).csv", "khao_sat_2026.csv"])
def test_of_two_survey_files_the_later_delivery_gives_the_points(tmp_path, later):
    """A corrected survey downloaded again ('khao_sat_2026 (1).csv') sorts before the original by name: the points
    are the later file's, whatever the names, and a rerun keeps them."""
    sipas = next(leaf for leaf in tree_for("par", 2026, "agency").leaves if leaf.method == "survey_sipas")

    def write(path, points):
        text = f"Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm\r\n{AGENCY},,SIPAS,{sipas.code},{points}\r\n"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    other = "khao_sat_2026.csv" if later != "khao_sat_2026.csv" else "khao_sat_2026 (1).csv"
    points = _later_delivery_points(tmp_path, "khao_sat", later, other, write, "assessment/survey_points")
    assert points == [(AGENCY, sipas.code, 2.0, False)]


@pytest.mark.parametrize("later", ["tham_dinh_2026 (1).xlsx", "tham_dinh_2026.xlsx"])
def test_of_two_appraisal_files_the_later_delivery_gives_the_points(tmp_path, later):
    """The council's corrected appraisal downloaded again ('tham_dinh_2026 (1).xlsx') sorts before the original by
    name: the points are the later file's, as for surveys (the last by name won before), and a rerun keeps them."""
    from openpyxl import Workbook

    leaf = next(n for n in tree_for("par", 2026, "agency").leaves if n.method == "self")

    def write(path, value):
        wb = Workbook()
        wb.active.append(["Đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Nhận xét"])
        wb.active.append([AGENCY, leaf.code, value / 4, None])  # 0.25 then 0.5
        wb.save(path)

    other = "tham_dinh_2026.xlsx" if later != "tham_dinh_2026.xlsx" else "tham_dinh_2026 (1).xlsx"
    points = _later_delivery_points(tmp_path, "tham_dinh", later, other, write, "assessment/appraised_points")
    assert points == [(AGENCY, leaf.code, 0.5, False)]


def test_a_survey_saved_as_xlsx_under_a_title_loads_the_same_points_as_its_csv(tmp_path):
    """par/khao_sat/khao_sat_2026.xlsx as offices save it from Excel: a title above the header, points typed as
    numbers (1 and 0,5), one typed in a percentage cell (50 %, which the CSV holds as "50%": no points either way)
    and an unknown unit: those two rows are quarantined on their sheet rows, the good ones load exactly as from the
    CSV of the same table."""
    from openpyxl import Workbook

    from common.units import matcher_for

    tree = tree_for("par", 2026, "agency")
    sipas = next(leaf for leaf in tree.leaves if leaf.method == "survey_sipas")
    header = ["Mã đơn vị", "Đơn vị", "Loại khảo sát", "Mã tiêu chí", "Điểm"]
    rows = [
        [AGENCY, None, "SIPAS", sipas.code, 1],
        [OTHER, None, "SIPAS", sipas.code, 0.5],
        ["19.SYT", None, "SIPAS", sipas.code, 0.5],  # in a percentage cell
        ["19.KHONGCO", None, "SIPAS", sipas.code, 1],
    ]
    csv_inbox, xlsx_inbox = tmp_path / "csv", tmp_path / "xlsx"
    (csv_inbox / "par" / "khao_sat").mkdir(parents=True)
    (xlsx_inbox / "par" / "khao_sat").mkdir(parents=True)
    csv_rows = [[AGENCY, "", "SIPAS", sipas.code, "1"], [OTHER, "", "SIPAS", sipas.code, '"0,5"']]  # quoted, as Excel writes it
    csv_rows += [["19.SYT", "", "SIPAS", sipas.code, "50%"], ["19.KHONGCO", "", "SIPAS", sipas.code, "1"]]
    text = "\r\n".join(",".join(r) for r in [header, *csv_rows]) + "\r\n"
    (csv_inbox / "par" / "khao_sat" / "khao_sat_2026.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    wb = Workbook()
    ws = wb.active
    ws.title = "Khảo sát"
    ws["A1"] = "KẾT QUẢ KHẢO SÁT SIPAS NĂM 2026"
    ws.merge_cells("A1:E1")
    for c, value in enumerate(header, start=1):
        ws.cell(3, c, value)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    ws["E6"].number_format = "0%"
    wb.save(xlsx_inbox / "par" / "khao_sat" / "khao_sat_2026.xlsx")
    matcher = matcher_for("Thái Nguyên")
    loaded = {}
    for name, inbox in (("csv", csv_inbox), ("xlsx", xlsx_inbox)):
        con = duckdb.connect()
        ensure_schema(con)
        stats = par.load_assessment_inputs(con, inbox, 2026, matcher, NOW, frozenset({2026}))
        assert stats["survey_rows"] == 2
        loaded[name] = (
            con.execute("SELECT unit_code, survey, code, points FROM stg_assessment_survey ORDER BY 1").fetchall(),
            con.execute("SELECT row_number, rule, reason FROM quarantine WHERE source = 'par_survey' ORDER BY 1").fetchall(),
            con.execute("SELECT status FROM landed_files WHERE source = 'par_survey'").fetchall(),
        )
    assert loaded["xlsx"][0] == loaded["csv"][0] == [(AGENCY, "sipas", sipas.code, 1.0), (OTHER, "sipas", sipas.code, 0.5)]
    assert [q[:2] for q in loaded["xlsx"][1]] == [(6, "not_a_number"), (7, "unknown_unit")]
    assert [q[:2] for q in loaded["csv"][1]] == [(4, "not_a_number"), (5, "unknown_unit")]
    assert loaded["xlsx"][1][0][2].startswith("Trang 'Khảo sát', dòng 6: điểm không phải số: '50%'")
    assert loaded["xlsx"][2] == loaded["csv"][2] == [("partly_loaded",)]


def test_an_appraisal_of_zeros_against_a_form_with_points_is_named(tmp_path):
    """Phường Phổ Yên in the demo: every appraised criterion 0 "không tự chấm", yet the unit's form loaded with points."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)

    def criteria(unit: str, name: str, appraised: list[float | None], own: float) -> None:
        for i, points in enumerate(appraised):
            con.execute(
                """INSERT INTO mart_par_criterion (year, unit_code, tree, code, domain, name, method, max_points,
                   applicable, self_points, appraised_points, points, source, overclaim, unit_name, sort_key)
                   VALUES (2026, ?, 't', ?, 'LV1', 'x', 'self', 2, true, ?, ?, ?, 'appraised', false, ?, ?)""",
                [unit, f"LV1.{i}", own, points, points, name, unit],
            )

    criteria("05860", "Phường Phổ Yên", [0.0] * 6, 1.5)  # all zero, the form gave 1.5 each: named
    criteria("05443", "Xã Dân Tiến", [0.0] * 5 + [1.0], 1.5)  # one real point: an appraisal, not a mix-up
    criteria("05755", "Xã Đại Phúc", [0.0] * 4, 1.5)  # too few to tell
    criteria("05444", "Xã Na Rì", [0.0] * 6, 0.0)  # the unit gave itself nothing either
    found = par.appraisal_contradictions(con, 2026)
    assert found == ["Phường Phổ Yên: thẩm định cho 0 điểm cả 6 tiêu chí, trong khi phiếu tự đánh giá của đơn vị chấm 9 điểm"]
    assert par.appraisal_contradictions(con, 2025) == []


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_a_survey_as_old_excel_or_ods_loads_and_an_empty_redelivery_keeps_it(tmp_path, kind):
    """par/khao_sat/ as some offices still save it: Excel 97-2003 (.xls) or LibreOffice (.ods), Vietnamese text and a
    title above the header. Its points load; the same name delivered again empty (a copy that failed) refuses only
    itself, and the year's points stay as they were."""
    from common.units import matcher_for
    from tests.excel_files import write_ods, write_xls

    sipas = next(leaf for leaf in tree_for("par", 2026, "agency").leaves if leaf.method == "survey_sipas")
    folder = tmp_path / "inbox" / "par" / "khao_sat"
    folder.mkdir(parents=True)
    grid = [
        ["KẾT QUẢ KHẢO SÁT SỰ HÀI LÒNG NĂM 2026"],
        [],
        ["Mã đơn vị", "Đơn vị", "Loại khảo sát", "Mã tiêu chí", "Điểm"],
        [AGENCY, "Sở Khoa học và Công nghệ", "SIPAS", sipas.code, 1],
        [OTHER, "Sở Tư pháp", "SIPAS", sipas.code, 0.5],
    ]
    path = folder / f"khao_sat_2026.{kind}"
    (write_xls if kind == "xls" else write_ods)(path, grid, "Khảo sát")
    matcher = matcher_for("Thái Nguyên")
    con = duckdb.connect()
    ensure_schema(con)
    par.load_assessment_inputs(con, tmp_path / "inbox", 2026, matcher, NOW, frozenset({2026}))
    survey = "SELECT unit_code, code, points FROM stg_assessment_survey ORDER BY 1"
    loaded = con.execute(survey).fetchall()
    assert loaded == sorted([(AGENCY, sipas.code, 1.0), (OTHER, sipas.code, 0.5)])
    path.write_bytes(b"")  # the re-delivery that came through empty
    par.load_assessment_inputs(con, tmp_path / "inbox", 2026, matcher, NOW, frozenset({2026}))
    assert con.execute(survey).fetchall() == loaded
    issues = con.execute("SELECT file_name, blocking FROM file_issues WHERE source = 'par_survey'").fetchall()
    assert issues and all(name == path.name and blocking for name, blocking in issues)


def _issues_and_lineage(con, source: str) -> tuple[list, list]:
    issues = con.execute(
        "SELECT file_name, rule, blocking, reason, loaded_at, index_code, year FROM file_issues WHERE source = ? ORDER BY 1, 2",
        [source],
    ).fetchall()
    lineage = con.execute(
        "SELECT file_name, status, sha256, first_loaded_at FROM landed_files WHERE source = ? ORDER BY 1", [source]
    ).fetchall()
    return issues, lineage


def test_files_put_in_a_sub_folder_are_refused_by_name_never_passed_over(tmp_path):
    """A unit's re-sent form in par/tu_danh_gia/gui_lai/ (and a file of the same name in another sub-folder), a survey
    in par/khao_sat/cu/ and an appraisal in par/tham_dinh/ban_sua/ used to be neither read nor recorded: each is now
    refused under its path in the folder, with a reason asking to put it in the folder itself; a rerun changes
    nothing, and once the file is moved out its refusal goes."""
    from common.units import matcher_for

    inbox = tmp_path / "inbox"
    form_dir, survey_dir, appraisal_dir = (inbox / "par" / x for x in ("tu_danh_gia", "khao_sat", "tham_dinh"))
    for sub in ("gui_lai", "khac"):
        (form_dir / sub).mkdir(parents=True)
        (form_dir / sub / "tu_danh_gia_2026_19_STP.xlsx").write_bytes(f"PK {sub}".encode())
    (form_dir / "gui_lai" / "~$tu_danh_gia_2026_19_STP.xlsx").write_bytes(b"lock")  # Excel's lock file: not a delivery
    (form_dir / ".git").mkdir()
    (form_dir / ".git" / "HEAD").write_bytes(b"ref")  # a hidden folder: not a delivery
    (survey_dir / "cu").mkdir(parents=True)
    (survey_dir / "cu" / "khao_sat_2026.csv").write_bytes(b"\xef\xbb\xbfx\r\n")
    (appraisal_dir / "ban_sua" / "lan_2").mkdir(parents=True)
    (appraisal_dir / "ban_sua" / "lan_2" / "tham_dinh_2026.xlsx").write_bytes(b"PK")
    con = duckdb.connect()
    ensure_schema(con)

    def load(now: datetime) -> dict:
        par.load_assessment_inputs(con, inbox, 2026, matcher_for("Thái Nguyên"), now, frozenset({2026}))
        return {s: _issues_and_lineage(con, s) for s in ("par_form", "par_survey", "par_appraisal")}

    first = load(NOW)
    expected = {
        "par_form": ["gui_lai/tu_danh_gia_2026_19_STP.xlsx", "khac/tu_danh_gia_2026_19_STP.xlsx"],
        "par_survey": ["cu/khao_sat_2026.csv"],
        "par_appraisal": ["ban_sua/lan_2/tham_dinh_2026.xlsx"],
    }
    for source, names in expected.items():
        issues, lineage = first[source]
        assert [i[:3] for i in issues] == [(n, "in_subfolder", True) for n in names]
        assert [(n, s) for n, s, *_ in lineage] == [(n, "rejected") for n in names]
        for name, *_, reason, _at, index, year in issues:
            assert f"'{name}'" in reason and f"thư mục con '{Path(name).parent.as_posix()}'" in reason
            assert "Chuyển tệp ra thư mục" in reason
            assert (index, year) == (("par", None) if source != "par_appraisal" else (None, None))
    # The two files of one name in two sub-folders are told apart (two sha256).
    assert len({sha for _, _, sha, _ in first["par_form"][1]}) == 2
    assert load(datetime(2026, 11, 28, 8, 0)) == first  # a rerun changes nothing

    (form_dir / "gui_lai" / "tu_danh_gia_2026_19_STP.xlsx").rename(form_dir / "tu_danh_gia_2026_19_STP_gui_lai.xlsx")
    issues, _ = load(datetime(2026, 11, 29, 8, 0))["par_form"]
    assert [(n, r) for n, r, *_ in issues if r == "in_subfolder"] == [("khac/tu_danh_gia_2026_19_STP.xlsx", "in_subfolder")]
    # The moved form is read from the folder itself (refused here as a broken workbook, under its own name).
    assert "tu_danh_gia_2026_19_STP_gui_lai.xlsx" in {n for n, *_ in issues}


def test_a_yearly_file_named_with_a_year_no_run_reads_is_reported_once(tmp_path):
    """par/khao_sat/khao_sat_2025_bo_sung.csv when the yearly runs start in 2026: no run would ever read it (it used
    to be left 'to its own run', which does not exist). Every run records it, with the same rows; a year that has a
    run keeps its file for that run; a renamed file loses its refusal."""
    from common.units import matcher_for

    sipas = next(leaf for leaf in tree_for("par", 2026, "agency").leaves if leaf.method == "survey_sipas")
    inbox = tmp_path / "inbox"
    survey_dir, appraisal_dir = inbox / "par" / "khao_sat", inbox / "par" / "tham_dinh"
    survey_dir.mkdir(parents=True)
    appraisal_dir.mkdir(parents=True)
    text = f"Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm\r\n{AGENCY},,SIPAS,{sipas.code},1\r\n"
    (survey_dir / "khao_sat_2025_bo_sung.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (appraisal_dir / "tham_dinh_2024.xlsx").write_bytes(b"PK")
    con = duckdb.connect()
    ensure_schema(con)

    def load(now: datetime, year: int = 2026, assessed: frozenset[int] = frozenset({2026, 2027})) -> dict:
        par.load_assessment_inputs(con, inbox, year, matcher_for("Thái Nguyên"), now, assessed)
        return {s: _issues_and_lineage(con, s) for s in ("par_survey", "par_appraisal")}

    first = load(NOW)
    for source, name, year in (("par_survey", "khao_sat_2025_bo_sung.csv", 2025), ("par_appraisal", "tham_dinh_2024.xlsx", 2024)):
        issues, lineage = first[source]
        assert [i[:3] for i in issues] == [(name, "year_without_run", True)]
        reason = issues[0][3]
        assert f"mang năm {year}, không có kỳ đánh giá nào đọc tệp của năm đó" in reason and "từ năm 2026" in reason
        assert "Đổi tên tệp cho đúng năm của số liệu, ví dụ '" + name.replace(str(year), "2026") + "'" in reason
        assert [x[:2] for x in lineage] == [(name, "rejected")]
    assert con.execute("SELECT count(*) FROM stg_assessment_survey").fetchall() == [(0,)]
    # Once: the 2027 run and a rerun write the same rows (the first time kept).
    assert load(datetime(2026, 11, 28), 2027) == first
    assert load(datetime(2026, 11, 29)) == first

    # A year that has a run: its file is left to that run, nothing reported by this one.
    other = duckdb.connect()
    ensure_schema(other)
    par.load_assessment_inputs(other, inbox, 2026, matcher_for("Thái Nguyên"), NOW, frozenset({2024, 2025, 2026}))
    assert other.execute("SELECT count(*) FROM file_issues").fetchall() == [(0,)]

    (survey_dir / "khao_sat_2025_bo_sung.csv").rename(survey_dir / "khao_sat_2026_bo_sung.csv")
    survey = load(datetime(2026, 11, 30))["par_survey"]
    assert [n for n, *_ in survey[0]] == [] and [x[:2] for x in survey[1]] == [("khao_sat_2026_bo_sung.csv", "loaded")]


@pytest.mark.parametrize(
    ("dates", "rule", "noted", "shown"),
    [
        # the first form's year typed 2062 for 2026: it stayed the newest for ever, the correction superseded
        ((datetime(2062, 11, 9), datetime(2026, 11, 20)), "future_form_date", 0, "09/11/2062"),
        # 26/11 for 16/11 on a form received on 20/11: later than the correction's 20/11 although sent before it
        ((datetime(2026, 11, 26), datetime(2026, 11, 20)), "future_form_date", 0, "26/11/2026"),
        # the correction dated 2016: older than every form, it could never replace the first one
        ((datetime(2026, 11, 13), datetime(2016, 11, 20)), "form_date_outside_year", 1, "20/11/2016"),
    ],
)
def test_a_form_date_that_cannot_be_true_does_not_decide_which_form_counts(tmp_path, dates, rule, noted, shown):
    """'Ngày lập phiếu' after the day its file was received, or outside the assessed year and the next one, is a typo:
    the form is ordered by its arrival instead (the correction sent an hour later counts), and a note names the file
    and the date."""
    names = ("tu_danh_gia_2026_skhcn_lan_1.xlsx", "tu_danh_gia_2026_skhcn_lan_2.xlsx")
    con = _two_forms_sent_an_hour_apart(tmp_path, names, dates)
    (superseded,) = con.execute("SELECT file_name, reason FROM file_issues WHERE rule = 'superseded_form'").fetchall()
    assert superseded[0] == names[0] and names[1] in superseded[1]
    (note,) = con.execute("SELECT file_name, blocking, reason FROM file_issues WHERE rule = ?", [rule]).fetchall()
    assert note[0] == names[noted] and not note[1]
    assert names[noted] in note[2] and shown in note[2] and "Ngày lập phiếu" in note[2]
    assert con.execute("SELECT count(*) FROM file_issues WHERE rule LIKE '%form_date%'").fetchone() == (1,)


def test_a_criterions_steps_apply_to_the_exact_rate_not_the_published_two_decimals() -> None:
    """Hand computation: 4,899 of 4,999 dossiers on time is 97.9996 %, published as 98.00; LV3.2.1 (3 points, steps
    98 % → all, 95 % → half) gives 1.5 points, not 3, and shows the value as 98.0."""
    from scoring.criteria import CriterionInput, score_unit
    from warehouse.measures import computed_values

    con = duckdb.connect()
    ensure_schema(con)
    con.execute(
        """INSERT INTO mart_qd766_indicator (period_label, period_kind, period_start, period_end, as_of, methodology,
                   unit_code, group_code, indicator_code, indicator_name, numerator, denominator, ratio, max_score, rule,
                   source)
           VALUES ('2026-Y', 'year', '2026-01-01', '2026-12-31', '2026-12-31', 'm', '19.STC', 'g', '2.1', 'n', 4899, 4999,
                   98.0, 20, 'proportional', 'local')"""
    )
    value = computed_values(con, 2026, {"tthc_on_time_rate"})[("19.STC", "tthc_on_time_rate")]
    assert value == pytest.approx(97.9996, abs=1e-4)
    tree = tree_for("par", 2026, "agency")
    row = next(
        r
        for r in score_unit(tree, "agency", {"LV3.2.1": CriterionInput(computed_value=value)}).criteria
        if r["code"] == "LV3.2.1"
    )
    assert (row["points"], row["computed_value"], row["source"]) == (1.5, 98.0, "computed")


def test_a_criterion_the_unit_says_does_not_apply_leaves_its_denominator_until_the_council_says_otherwise(con):
    con, tree = con
    leaf = next(leaf for leaf in tree.leaves if leaf.method == "self")
    par.refresh_scorecards(con, 2026, NOW)
    before = con.execute("SELECT max_applicable FROM mart_par_unit WHERE unit_code = ?", [AGENCY]).fetchone()[0]
    con.execute(
        "UPDATE stg_assessment_self SET self_points = NULL, not_applicable = true WHERE unit_code = ? AND code = ?",
        [AGENCY, leaf.code],
    )
    par.refresh_scorecards(con, 2026, NOW)
    row = _criterion(con, AGENCY, leaf.code)
    assert (row["source"], row["applicable"], row["points"]) == ("unit_not_applicable", False, None)
    after = con.execute("SELECT max_applicable, provisional FROM mart_par_unit WHERE unit_code = ?", [AGENCY]).fetchone()
    assert after == (round(before - leaf.max_points, 2), True)
    con.execute(
        "INSERT INTO stg_assessment_appraisal VALUES ('t.xlsx', 'par', ?, 2026, ?, 0, NULL, 1, false)", [AGENCY, leaf.code]
    )
    par.refresh_scorecards(con, 2026, NOW)
    assert _criterion(con, AGENCY, leaf.code)["source"] == "appraised"  # the council scored it: it applies


def test_the_plan_task_criterion_takes_the_latest_year_to_date_row_when_there_is_no_year_row() -> None:
    """A task run over an earlier quarter writes no '2026-Y' row (it would replace a later run's); each row is year
    to date at its day, so the latest stands in: the department's own 0 of 2 was ignored and the criterion fell to
    the appraisal alone."""

    from warehouse.measures import computed_values

    con = duckdb.connect()
    ensure_schema(con)
    rows = [
        ("2026-Q1", "2026-03-31", "19.SKHCN", 2, 0),
        ("2026-M03", "2026-03-31", "19.SKHCN", 2, 0),
        ("2026-Q1", "2026-03-31", "19.SNV", 4, 3),
        ("2026-Y", "2026-12-03", "19.SNV", 8, 8),  # the year's own row wins over an earlier one
    ]
    for label, as_of, unit, due, on_time in rows:
        con.execute(
            "INSERT INTO mart_task_completion VALUES (2026, ?, ?, ?, ?, 3, ?, ?, 0, ?, NULL, NULL)",
            [label, as_of, unit, unit, due, on_time, due - on_time],
        )
    values = computed_values(con, 2026, {"plan_tasks_on_time_rate"})
    assert values == {("19.SKHCN", "plan_tasks_on_time_rate"): 0.0, ("19.SNV", "plan_tasks_on_time_rate"): 100.0}


def test_a_unit_not_surveyed_leaves_the_survey_criterion_out_of_its_maximum(tmp_path):
    """'Không khảo sát' in the later survey file reaches the scoring: the row is kept without points, and the
    criterion is not surveyed (it leaves the unit's maximum, scoring/criteria.py)."""
    sipas = next(leaf for leaf in tree_for("par", 2026, "agency").leaves if leaf.method == "survey_sipas")

    def write(path, points):
        written = points if points == 1 else "Không khảo sát"
        text = f"Mã đơn vị,Đơn vị,Loại khảo sát,Mã tiêu chí,Điểm\r\n{AGENCY},,SIPAS,{sipas.code},{written}\r\n"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    later, other = "khao_sat_2026 (1).csv", "khao_sat_2026.csv"
    points = _later_delivery_points(tmp_path, "khao_sat", later, other, write, "assessment/survey_points")
    assert points == [(AGENCY, sipas.code, None, True)]
