"""DTI scorecards from hand-written warehouse rows and small input files: components computed from the TTHC marts,
values of other systems (a bad row quarantined, the component then missing), last year's results across merged and
renamed agencies, and the rank intervals of the uncertainty analysis."""

from datetime import datetime

import duckdb
import pandas as pd
import pytest

from common.units import load_units, matcher_for
from sources.dti_inputs import EXTERNAL_COLUMNS, EXTERNAL_DIR, PREVIOUS_COLUMNS, PREVIOUS_DIR
from tests.conftest import write_rows
from warehouse import dti
from warehouse.landing import insert_frame
from warehouse.measures import dt_task_numbers
from warehouse.schema import ensure_schema
from warehouse.tthc import load_units as load_unit_rows

NOW = datetime(2026, 11, 27, 8, 0)
FINANCE, HOME, JUSTICE, SCIENCE, ETHNIC = "19.STC", "19.SNV", "19.STP", "19.SKHCN", "19.SDTTG"
AGENCIES = (FINANCE, HOME, JUSTICE, SCIENCE, ETHNIC)


@pytest.fixture()
def setup(tmp_path):
    units = load_units("Thái Nguyên")
    communes = tuple(u for u in units if u.group == "commune")[:2]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, tuple(u for u in units if u.code in AGENCIES) + communes)
    # Finance's dossiers of the year: 60 % online, 50 % digitised, 25 % e-results, 100 % of fees paid online.
    con.executemany(
        """INSERT INTO mart_qd766_indicator (period_label, period_kind, period_start, period_end, as_of,
                       methodology, unit_code, group_code, indicator_code, indicator_name, ratio, numerator, denominator, max_score,
                       rule, source)
                       VALUES ('2026-Y', 'year', '2026-01-01', '2026-12-31', ?, 'm', ?, 'g', ?, 'n', ?, ?, ?, 0, 'info', 'local')""",
        [
            (NOW, FINANCE, code, ratio, ratio, 100)
            for code, ratio in (("3.3", 60.0), ("4.2", 50.0), ("4.1", 25.0), ("3.6", 100.0))
        ],
    )
    # Finance owns two full-online procedures and one partly online; only P1 had an online dossier in 2026.
    con.executemany(
        """INSERT INTO dim_procedure (procedure_code, procedure_name, authority_level, online_level,
                       fee_bearing, owner_unit_code) VALUES (?, ?, 'province', ?, false, ?)""",
        [("P1", "Thủ tục 1", "full", FINANCE), ("P2", "Thủ tục 2", "full", FINANCE), ("P3", "Thủ tục 3", "partial", FINANCE)],
    )
    dossier = {
        "receiving_centre": "TT",
        "resolving_unit_code": FINANCE,
        "due_at": datetime(2026, 3, 9),
        "status": "Đang xử lý",
        "is_finished": False,
        "supplement_requests": 0,
        "updated_at": NOW,
        "first_export_date": datetime(2026, 3, 2),
        "last_export_date": datetime(2026, 3, 2),
        "version_count": 1,
    }
    insert_frame(
        con,
        "fct_dossier",
        pd.DataFrame(
            [
                {
                    **dossier,
                    "dossier_code": "D1",
                    "procedure_code": "P1",
                    "channel": "online",
                    "received_at": datetime(2026, 3, 2),
                },
                {
                    **dossier,
                    "dossier_code": "D2",
                    "procedure_code": "P2",
                    "channel": "offline",
                    "received_at": datetime(2026, 3, 2),
                },
                {
                    **dossier,
                    "dossier_code": "D3",
                    "procedure_code": "P2",
                    "channel": "online",
                    "received_at": datetime(2025, 12, 1),
                },
                {
                    **dossier,
                    "dossier_code": "D4",
                    "procedure_code": "P3",
                    "channel": "online",
                    "received_at": datetime(2026, 3, 2),
                },
            ]
        ),
    )
    inbox = tmp_path / "inbox"
    write_rows(
        inbox / EXTERNAL_DIR / "soc_2026.csv",
        EXTERNAL_COLUMNS,
        [
            {"year": "2026", "unit": "Sở Tài chính", "component": "AT.2", "value": "95", "system": "SOC"},
            {"year": "2026", "unit": "Sở Tài chính", "component": "AT.3", "value": "130", "system": "SOC"},  # out of range
            {"year": "2026", "unit": "Sở Nội vụ", "component": "AT.2", "value": "80", "system": "SOC"},
        ],
    )
    write_rows(
        inbox / PREVIOUS_DIR / "dti_2025.csv",
        PREVIOUS_COLUMNS,
        [
            {"year": "2025", "published_name": "Sở Kế hoạch và Đầu tư", "total": "70"},  # merged into Finance
            {"year": "2025", "published_name": "Sở Tài chính", "total": "80"},
            {"year": "2025", "published_name": "Sở Thông tin và Truyền thông", "total": "66,5"},  # renamed: Science
            {"year": "2025", "published_name": "Sở Nội  vụ", "total": "58"},  # Sở LĐTBXH, merged in, has no result
            {"year": "2025", "published_name": "Ban Dân tộc", "total": "61"},  # renamed Sở Dân tộc và Tôn giáo
        ],
    )
    yield con, inbox, tmp_path, communes
    con.close()


def _form(con, unit: str, answers: dict[str, tuple[str, float]], source: str = "f.xlsx") -> None:
    con.execute(
        """INSERT INTO stg_assessment_submission VALUES (?, 'x', ?, 2026, 'dti', '2026-11-03', NULL, NULL, 0,
                   false, ?)""",
        [source, unit, NOW],
    )
    con.executemany(
        """INSERT INTO stg_assessment_self VALUES (?, 'dti', ?, 2026, ?, ?, ?, 'QĐ 1/QĐ-X ngày 1/3/2026 về…',
                       NULL, false, false)""",
        [(source, unit, code, answer, points) for code, (answer, points) in answers.items()],
    )


def _component(con, unit: str, code: str) -> dict:
    cursor = con.execute("SELECT * FROM mart_dti_component WHERE unit_code = ? AND code = ?", [unit, code])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0], strict=True))


def _refresh(setup) -> None:
    con, inbox, tmp_path, _ = setup
    matcher = matcher_for("Thái Nguyên")
    dti.load_dti_inputs(con, inbox, 2026, matcher, NOW, tmp_path / "work")
    _form(con, FINANCE, {"NT.1": ("Người đứng đầu đơn vị", 3.0), "NT.2": ("Có", 2.0)})
    _form(con, HOME, {"NT.1": ("Cấp phó của người đứng đầu", 1.5)}, "g.xlsx")
    _form(con, SCIENCE, {"NT.1": ("Người đứng đầu đơn vị", 3.0)}, "h.xlsx")
    dti.refresh_dti(con, 2026, matcher, SCIENCE)


def test_components_computed_from_the_tthc_stream(setup):
    _refresh(setup)
    con = setup[0]
    expected = {
        "HD.3": (60.0, 3.75),
        "HD.5": (50.0, 2.0),
        "HD.6": (25.0, 1.0),
        "HD.7": (100.0, 3.0),
        "HD.4": (50.0, 2.5),
    }  # HD.4: 1 of 2 full-online procedures had an online dossier in 2026 → 4 × 50/80
    for code, (value, points) in expected.items():
        row = _component(con, FINANCE, code)
        assert (row["computed_value"], row["points"], row["source"]) == (value, points, "computed"), code
    other = _component(con, JUSTICE, "HD.3")  # no dossiers: not measured, out of the main index's maximum
    assert (other["points"], other["source"]) == (None, "not_measured")


def test_other_systems_values_and_the_quarantined_row(setup):
    _refresh(setup)
    con = setup[0]
    assert (_component(con, FINANCE, "AT.2")["points"], _component(con, FINANCE, "AT.2")["source"]) == (3.8, "external")
    rejected = _component(con, FINANCE, "AT.3")  # 130 % was quarantined: never used, the component is missing
    assert (rejected["external_value"], rejected["points"], rejected["source"]) == (None, 0.0, "missing")
    reasons = con.execute("SELECT rule, reason FROM quarantine WHERE source = 'dti_external'").fetchall()
    assert [r for r, _ in reasons] == ["out_of_range"] and "soc_2026.csv" in reasons[0][1]


def test_last_year_across_merged_and_renamed_agencies(setup):
    _refresh(setup)
    con = setup[0]
    rows = {
        u: (prev, names, merged, missing, change, total)
        for u, prev, names, merged, missing, change, total in con.execute(
            """SELECT unit_code, previous_total, previous_names, previous_merged, previous_missing, change, total
           FROM mart_dti_unit"""
        ).fetchall()
    }
    prev, names, merged, missing, change, total = rows[FINANCE]  # Sở KH&ĐT merged into Sở Tài chính: mean of both
    assert (prev, merged, missing) == (75.0, True, None) and names == "Sở Kế hoạch và Đầu tư; Sở Tài chính"
    assert change == pytest.approx(round(total - 75.0, 2))
    # Sở TT&TT merged into Sở KH&CN, whose own 2025 result is not in the file: compared with Sở TT&TT's, flagged.
    assert rows[SCIENCE][:4] == (66.5, "Sở Thông tin và Truyền thông", True, "Sở Khoa học và Công nghệ")
    assert rows[HOME][:4] == (58.0, "Sở Nội vụ", True, "Sở Lao động - Thương binh và Xã hội")  # spacing normalised
    assert rows[ETHNIC][:4] == (61.0, "Ban Dân tộc", False, None)
    assert rows[JUSTICE][0] is None and rows[JUSTICE][4] is None  # no result last year, no form this year


def test_units_without_a_form_are_listed_not_ranked(setup):
    _refresh(setup)
    con = setup[0]
    ranked = dict(con.execute("SELECT unit_code, rank FROM mart_dti_unit WHERE ranking_group = 'agency'").fetchall())
    assert ranked[JUSTICE] is None and sorted(r for r in ranked.values() if r) == [1, 2, 3]
    assert dti.completeness_problems(con, 2026) == []
    missing = {code for code, _, _ in dti.missing_forms(con, 2026)}
    assert JUSTICE in missing and FINANCE not in missing


def test_rank_intervals_bracket_the_published_rank_and_collapse_without_perturbation(setup):
    _refresh(setup)
    con = setup[0]
    for rank, low, median, high in con.execute("""SELECT rank, rank_p05, rank_median, rank_p95 FROM mart_dti_unit
                                                   WHERE rank IS NOT NULL""").fetchall():
        assert low <= rank <= high and low <= median <= high
    components = con.execute("SELECT * FROM mart_dti_component").df()
    units = con.execute("SELECT * FROM mart_dti_unit").df()
    still = dti.uncertainty_frame(components, units, dti.trees_for_year(2026), weight_spread=0.0, vary_missing=False)
    published = units.set_index("unit_code")["rank"]
    ranked = still[still["rank"].notna()]
    assert (ranked["rank_p05"] == ranked["rank_p95"]).all() and (ranked["rank_median"] == ranked["rank_p05"]).all()
    assert all(published[u] == r for u, r in zip(ranked["unit_code"], ranked["rank"], strict=True))
    again = dti.uncertainty_frame(components, units, dti.trees_for_year(2026))
    first = con.execute("SELECT unit_code, rank_p05, rank_p95 FROM mart_dti_unit ORDER BY unit_code").df()
    merged = first.merge(again[["unit_code", "rank_p05", "rank_p95"]], on="unit_code", suffixes=("", "_again"))
    assert merged["rank_p05"].equals(merged["rank_p05_again"].astype(merged["rank_p05"].dtype))  # same seed


def test_dt_plan_tasks_are_found_by_their_content(setup):
    con = setup[0]
    con.executemany(
        """INSERT INTO fct_plan_task (plan_number, plan_year, revision, task_no, content, first_revision,
                       changed_in_revision, source_file, source_row) VALUES ('KH 1', 2026, 1, ?, ?, 1, 1, 'k.xlsx', 1)""",
        [
            ("6", "Nâng cấp phần mềm đánh giá mức độ chuyển đổi số các cơ quan nhà nước"),
            ("7", "Rà soát, đơn giản hóa thủ tục hành chính"),
            ("8", "Số hoá hồ sơ, kết quả giải quyết TTHC"),
            ("9", "Kiểm tra an toàn tại các cơ sở hóa chất"),  # "sở hóa" is not "số hóa"
            ("10", "Ứng dụng công nghệ, thông tin thị trường cho nông dân"),
            ("11", "Chuẩn hóa dữ liệu số liệu thống kê"),
            ("12", "Xây dựng nền tảng số dùng chung của tỉnh"),
        ],
    )
    assert dt_task_numbers(con, 2026) == frozenset({"6", "8", "12"})


def test_a_unit_without_a_form_gets_no_level(setup):
    _refresh(setup)
    con = setup[0]
    level, total = con.execute("SELECT band, total FROM mart_dti_unit WHERE unit_code = ?", [JUSTICE]).fetchall()[0]
    assert level is None and total >= 0  # scored on what the data gives, but neither ranked nor classified


def test_renamed_only_when_the_name_really_changed(setup):
    _refresh(setup)
    con = setup[0]
    flags = dict(con.execute("SELECT unit_code, previous_renamed FROM mart_dti_unit WHERE previous_total IS NOT NULL").fetchall())
    assert flags[ETHNIC] is True  # Ban Dân tộc → Sở Dân tộc và Tôn giáo
    assert flags[HOME] is False and flags[SCIENCE] is False  # a spelling variant, a merger: not renames


def test_rerunning_the_year_gives_the_same_tables(setup):
    _refresh(setup)
    con = setup[0]
    tables = ("mart_dti_unit", "mart_dti_index", "mart_dti_component", "stg_dti_external", "stg_dti_previous", "quarantine")

    def snapshot() -> dict[str, list]:
        return {
            t: con.execute(f"SELECT * {'EXCLUDE (loaded_at)' if t == 'quarantine' else ''} FROM {t} ORDER BY ALL").fetchall()
            for t in tables
        }

    before = snapshot()
    _refresh(setup)  # the same inputs loaded and scored again
    assert snapshot() == before


def test_files_without_a_year_are_reported_and_removed_files_forgotten(setup):
    con, inbox, tmp_path, _ = setup
    matcher = matcher_for("Thái Nguyên")
    folder = inbox / EXTERNAL_DIR
    write_rows(
        folder / "soc_thang11.CSV", EXTERNAL_COLUMNS, [{"year": "2026", "unit": "Sở Tư pháp", "component": "AT.2", "value": "90"}]
    )
    dti.load_dti_inputs(con, inbox, 2026, matcher, NOW, tmp_path / "work")
    issues = con.execute("SELECT file_name, rule, blocking FROM file_issues WHERE source = 'dti_external'").fetchall()
    assert ("soc_thang11.CSV", "no_year_in_name", True) in issues
    assert con.execute("SELECT count(*) FROM quarantine WHERE file_name = 'soc_2026.csv'").fetchall()[0][0] == 1
    (folder / "soc_2026.csv").rename(folder / "soc_2026_v2.csv.bak")  # the corrected file replaces it, then is removed
    dti.load_dti_inputs(con, inbox, 2026, matcher, NOW, tmp_path / "work")
    assert con.execute("SELECT count(*) FROM quarantine WHERE file_name = 'soc_2026.csv'").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM landed_files WHERE file_name = 'soc_2026.csv'").fetchall()[0][0] == 0


def test_points_follow_the_tree_in_force_not_the_stored_points(setup):
    con = setup[0]
    _refresh(setup)
    con.execute("UPDATE stg_assessment_self SET self_points = 99 WHERE unit_code = ? AND code = 'NT.1'", [FINANCE])
    dti.refresh_dti(con, 2026, matcher_for("Thái Nguyên"), SCIENCE)
    assert _component(con, FINANCE, "NT.1")["points"] == 3.0  # recomputed from "Người đứng đầu đơn vị"


def test_a_browser_s_identical_second_download_loads_the_values_once_with_a_note(setup):
    """he_thong_khac/: 'soc_2026 (1).csv', byte for byte soc_2026.csv, used to make both files reject every row as
    duplicate (the components then scored 0); the values load once, the copy is noted without blocking."""
    con, inbox, tmp_path, _ = setup
    folder = inbox / EXTERNAL_DIR
    (folder / "soc_2026 (1).csv").write_bytes((folder / "soc_2026.csv").read_bytes())
    dti.load_dti_inputs(con, inbox, 2026, matcher_for("Thái Nguyên"), NOW, tmp_path / "work")
    assert con.execute("SELECT source_file, unit_code, code, value FROM stg_dti_external ORDER BY 2, 3").fetchall() == [
        ("soc_2026.csv", HOME, "AT.2", 80.0),
        ("soc_2026.csv", FINANCE, "AT.2", 95.0),
    ]
    assert con.execute("SELECT file_name, rule FROM quarantine WHERE source = 'dti_external'").fetchall() == [
        ("soc_2026.csv", "out_of_range")
    ]
    [(reason, blocking)] = con.execute(
        "SELECT reason, blocking FROM file_issues WHERE file_name = 'soc_2026 (1).csv' AND rule = 'same_content'"
    ).fetchall()
    assert blocking is False and "soc_2026.csv" in reason and "nạp một lần" in reason


def test_other_systems_values_saved_as_xlsx_load_and_unknown_kinds_are_reported_not_ignored(setup):
    """The SOC values saved from Excel as .xlsx (a title above the header, a share in a percentage cell, a row of an
    unknown unit) load beside the CSV, the bad row quarantined on its sheet row; its byte-identical copy loads once.
    A file of the year in a kind that is no table (a PDF among last year's results), and one whose name has no year,
    are refused naming the file; another year's file and the lock and hidden files are left alone."""
    from openpyxl import Workbook

    con, inbox, tmp_path, _ = setup
    wb = Workbook()
    ws = wb.active
    ws.title = "SOC"
    ws["A1"] = "SỐ LIỆU GIÁM SÁT AN TOÀN THÔNG TIN NĂM 2026"
    ws.merge_cells("A1:D1")
    for row in (
        ["Năm", "Đơn vị", "Mã thành phần", "Giá trị"],
        [2026, "Sở Tư pháp", "AT.2", 0.9],
        [2026, "Sở Không Có", "AT.2", 50],
    ):
        ws.append(row)
    ws.insert_rows(2)  # a blank row under the title: the header on row 3
    ws["D4"].number_format = "0%"
    wb.save(inbox / EXTERNAL_DIR / "giam_sat_attt_soc_2026.xlsx")
    copy = inbox / EXTERNAL_DIR / "giam_sat_attt_soc_2026 (1).xlsx"
    copy.write_bytes((inbox / EXTERNAL_DIR / "giam_sat_attt_soc_2026.xlsx").read_bytes())
    (inbox / EXTERNAL_DIR / "~$giam_sat_attt_soc_2026.xlsx").write_bytes(b"lock")
    (inbox / EXTERNAL_DIR / ".DS_Store").write_bytes(b"\x00")
    (inbox / EXTERNAL_DIR / "soc_2025.xlsx").write_bytes(b"PK")  # another year: its own run
    (inbox / PREVIOUS_DIR / "quyet_dinh_cong_bo_dti_2025.pdf").write_bytes(b"%PDF-1.4")
    (inbox / PREVIOUS_DIR / "Thumbs.db").write_bytes(b"\x00")
    (inbox / PREVIOUS_DIR / "ghi_chu.txt").write_bytes(b"xem lai")
    dti.load_dti_inputs(con, inbox, 2026, matcher_for("Thái Nguyên"), NOW, tmp_path / "work")
    issues = con.execute(
        """SELECT source, file_name, rule, blocking, reason FROM file_issues
           WHERE rule NOT IN ('out_of_range', 'unknown_unit', 'missing_optional_columns') ORDER BY 1, 2"""
    ).fetchall()
    assert [i[:4] for i in issues] == [
        ("dti_external", "giam_sat_attt_soc_2026 (1).xlsx", "same_content", False),
        ("dti_previous", "ghi_chu.txt", "no_year_in_name", True),
        ("dti_previous", "quyet_dinh_cong_bo_dti_2025.pdf", "wrong_file_kind", True),
    ]
    assert all(i[1] in i[4] and ".csv" in i[4] for i in issues[1:]) and ".xlsx" in issues[2][4]
    assert con.execute(
        "SELECT source_file, source_row, unit_code, value FROM stg_dti_external WHERE unit_code = ?", [JUSTICE]
    ).fetchall() == [("giam_sat_attt_soc_2026.xlsx", 4, JUSTICE, 90.0)]
    assert con.execute(
        "SELECT file_name, row_number, rule FROM quarantine WHERE source = 'dti_external' ORDER BY 1"
    ).fetchall() == [
        ("giam_sat_attt_soc_2026.xlsx", 5, "unknown_unit"),
        ("soc_2026.csv", 3, "out_of_range"),
    ]
    assert (
        dict(con.execute("SELECT file_name, encoding FROM landed_files WHERE source = 'dti_external'").fetchall())[
            "giam_sat_attt_soc_2026.xlsx"
        ]
        == "xlsx"
    )
    # the good files still load as before
    assert con.execute("SELECT count(*) FROM stg_dti_external").fetchall() == [(3,)]
    assert con.execute("SELECT count(*) FROM stg_dti_previous").fetchall()[0][0] == 5


def test_a_refused_file_gone_before_it_is_recorded_stops_nothing(tmp_path):
    """A file moved away between the folder's listing and its refusal (an operator tidying the inbox mid-run)."""
    from warehouse.landing import record_refused

    con = duckdb.connect()
    ensure_schema(con)
    assert record_refused(con, "dti_external", tmp_path / "gone.pdf", "wrong_file_kind", "x", NOW) == {}
    present = tmp_path / "bao_cao.pdf"
    present.write_bytes(b"%PDF-1.4" * 1000)
    record_refused(con, "dti_external", present, "wrong_file_kind", "x", NOW)
    assert con.execute("SELECT file_name, size_bytes, status FROM landed_files").fetchall() == [("bao_cao.pdf", 8000, "rejected")]


def test_other_systems_and_last_year_files_in_a_sub_folder_or_of_a_year_no_run_reads_are_reported(setup):
    """dti/he_thong_khac/bo_sung/soc_2026.csv (a sub-folder) and dti/ket_qua_nam_truoc/dti_2024.csv (the first run,
    2026, reads 2025's results; no run reads 2024's) used to be neither read nor recorded. Each is refused with its
    reason; a rerun writes the same rows; the file in the sub-folder never counts as the folder's own soc_2026.csv
    (whose rows stay loaded), and its refusal goes once it is moved out."""
    con, inbox, tmp_path, _ = setup
    matcher = matcher_for("Thái Nguyên")
    (inbox / EXTERNAL_DIR / "bo_sung").mkdir()
    (inbox / EXTERNAL_DIR / "bo_sung" / "soc_2026.csv").write_bytes((inbox / EXTERNAL_DIR / "soc_2026.csv").read_bytes())
    write_rows(
        inbox / PREVIOUS_DIR / "dti_2024.csv",
        PREVIOUS_COLUMNS,
        [{"year": "2024", "published_name": "Sở Tài chính", "total": "75"}],
    )

    def load(now: datetime) -> tuple[list, list]:
        dti.load_dti_inputs(con, inbox, 2026, matcher, now, tmp_path / "work", frozenset({2026}))
        issues = con.execute(
            """SELECT source, file_name, rule, blocking, reason, loaded_at FROM file_issues
               WHERE rule IN ('in_subfolder', 'year_without_run') ORDER BY 1, 2"""
        ).fetchall()
        lineage = con.execute("SELECT source, file_name, status, first_loaded_at FROM landed_files ORDER BY 1, 2").fetchall()
        return issues, lineage

    issues, lineage = load(NOW)
    assert [i[:4] for i in issues] == [
        ("dti_external", "bo_sung/soc_2026.csv", "in_subfolder", True),
        ("dti_previous", "dti_2024.csv", "year_without_run", True),
    ]
    assert "thư mục con 'bo_sung' của thư mục 'he_thong_khac'" in issues[0][4]
    assert "mang năm 2024" in issues[1][4] and "từ năm 2025" in issues[1][4] and "'dti_2025.csv'" in issues[1][4]
    assert [x[:3] for x in lineage] == [
        ("dti_external", "bo_sung/soc_2026.csv", "rejected"),
        ("dti_external", "soc_2026.csv", "partly_loaded"),
        ("dti_previous", "dti_2024.csv", "rejected"),
        ("dti_previous", "dti_2025.csv", "loaded"),
    ]
    assert con.execute("SELECT DISTINCT source_file FROM stg_dti_external").fetchall() == [("soc_2026.csv",)]
    assert con.execute("SELECT DISTINCT year FROM stg_dti_previous").fetchall() == [(2025,)]
    assert load(datetime(2026, 11, 28, 8, 0)) == (issues, lineage)  # a rerun changes nothing

    (inbox / EXTERNAL_DIR / "bo_sung" / "soc_2026.csv").rename(inbox / EXTERNAL_DIR / "soc_2026_bo_sung.csv")
    issues, lineage = load(datetime(2026, 11, 29, 8, 0))
    assert [i[1] for i in issues] == ["dti_2024.csv"]
    assert ("dti_external", "bo_sung/soc_2026.csv") not in {x[:2] for x in lineage}


def test_inputs_lost_against_the_published_year_and_a_reworded_source_that_is_no_loss():
    """input_losses on two hand-made marts: the published year (4 units with a form, SOC values for 4) against one
    that kept 1 form and lost the SOC values (both losses named); a source whose label the year's tree rewords is
    no loss (it held every publication back); nothing published for the year, nothing lost."""
    from warehouse.dti import input_losses

    def marts(forms: int, sources: dict[str, int]) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.execute("CREATE TABLE mart_dti_unit (year INTEGER, unit_code VARCHAR, has_form BOOLEAN)")
        con.execute("INSERT INTO mart_dti_unit SELECT 2026, 'u' || i, i < ? FROM range(4) t(i)", [forms])
        con.execute("CREATE TABLE mart_dti_component (year INTEGER, data_source VARCHAR, source VARCHAR)")
        for label, values in sources.items():
            con.execute(
                "INSERT INTO mart_dti_component SELECT 2026, ?, CASE WHEN i < ? THEN 'external' ELSE 'missing' END "
                "FROM range(4) t(i)",
                [label, values],
            )
        return con

    soc = "Hệ thống giám sát an toàn thông tin mạng (SOC) của tỉnh"
    published = marts(4, {soc: 4, "Tự đánh giá": 4})
    assert input_losses(marts(4, {soc: 4, "Tự đánh giá": 4}), published, 2026) == []
    assert input_losses(marts(1, {soc: 0, "Tự đánh giá": 1}), published, 2026) == [
        "số đơn vị có phiếu tự đánh giá dùng được giảm từ 4 (đã công bố) xuống 1",
        f"nguồn '{soc}': 0 giá trị thành phần, đã công bố 4",
        "nguồn 'Tự đánh giá': 1 giá trị thành phần, đã công bố 4",
    ]
    assert input_losses(marts(4, {"Hệ thống SOC của tỉnh": 4, "Tự đánh giá": 4}), published, 2026) == []
    assert input_losses(marts(1, {soc: 0}), published, 2027) == []


def test_a_component_the_council_says_does_not_apply_keeps_the_year_complete(setup):
    """The council's 'Không áp dụng' for one of an agency's components: out of its denominator, and the DTI year is
    still complete (the blocking dti_complete check counted it as a component without a result)."""
    _refresh(setup)
    con, _, _, _ = setup
    con.execute("INSERT INTO stg_assessment_appraisal VALUES ('t.xlsx', 'dti', ?, 2026, 'NT.2', NULL, NULL, 1, true)", [FINANCE])
    dti.refresh_dti(con, 2026, matcher_for("Thái Nguyên"), SCIENCE)
    assert _component(con, FINANCE, "NT.2")["source"] == "unit_not_applicable"
    assert dti.completeness_problems(con, 2026) == []


def test_a_scored_unit_without_index_or_component_rows_fails_the_values_check() -> None:
    """Every row expectation holds on an empty table: an emptied mart_dti_index passed dti_values_valid and was
    published. A unit scored from a form must have rows in both tables; one without a form needs none."""
    import pandas as pd

    from checks.dti_checks import _units_without_rows

    units = pd.DataFrame({"year": [2026, 2026], "unit_code": ["19.STP", "19.SYT"], "has_form": [True, False]})
    rows = pd.DataFrame({"year": [2026], "unit_code": ["19.STP"]})
    assert _units_without_rows({"unit": units, "index": rows, "component": rows}) == []
    empty = rows.iloc[0:0]
    lacking = _units_without_rows({"unit": units, "index": empty, "component": rows})
    assert lacking == ["mart_dti_index: 1 đơn vị có phiếu nhưng không có dòng nào (19.STP (2026))"]
