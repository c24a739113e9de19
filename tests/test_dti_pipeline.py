"""Real Dagster runs of the DTI assets on a generated inbox: forms (with the bad ones), other systems' values (bad
rows quarantined), last year's results, the scorecards with rank intervals, the blocking checks and the
publication; with no usable form the checks block the publication."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from assets import dti, tthc
from checks import dti_checks
from tests.conftest import copy_of, materialize_year, materialized_once, warehouse_in

# End-to-end runs: the full tier (`make test-slow`, run by CI), not the fast default `make test`.
pytestmark = pytest.mark.slow

DTI = [tthc.units, dti.dti_inputs, dti.dti_scorecards, dti_checks.dti_complete, dti_checks.dti_values_valid, dti.dti_workbook]


@pytest.fixture(scope="module")
def dti_year(small_inbox, tmp_path_factory) -> tuple[Path, dg.ExecuteInProcessResult]:
    """The DTI year of the small demo inbox, materialised once for the tests that start from it."""
    return materialized_once(tmp_path_factory, small_inbox, DTI, "dti_year")


def test_publication_with_rank_intervals_and_the_bad_inputs_reported(small_inbox, dti_year):
    _, summary = small_inbox
    root, result = dti_year
    warehouse = warehouse_in(root)
    checks = {e.asset_check_key.name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"dti_complete": True, "dti_values_valid": True}
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        units = con.execute("SELECT count(*) FROM dim_unit").fetchall()[0][0]
        rows = con.execute("""SELECT count(*), count(rank), count(rank_p05), count(previous_total)
                              FROM mart_dti_unit WHERE year = 2026""").fetchall()[0]
        missing = {u for (u,) in con.execute("SELECT unit_code FROM mart_dti_unit WHERE NOT has_form").fetchall()}
        assert rows[0] == units and len(missing) == summary["dti_missing_units"]  # units that sent no form
        assert rows[1] == rows[2] == units - len(missing)  # every ranked unit has its interval
        assert rows[3] >= 90  # last year's results mapped, merged agencies included
        merged = con.execute("""SELECT previous_names FROM mart_dti_unit WHERE unit_code = '19.STC'""").fetchall()[0][0]
        assert "Sở Kế hoạch và Đầu tư" in merged
        bad = con.execute("""SELECT DISTINCT rule FROM quarantine WHERE source = 'dti_external'""").fetchall()
        assert {"out_of_range", "duplicate", "unknown_unit", "unknown_component"} <= {r for (r,) in bad}
        named = {
            r[0]
            for r in con.execute(
                "SELECT file_name FROM quarantine WHERE source LIKE 'dti%' UNION "
                "SELECT file_name FROM file_issues WHERE source LIKE 'dti%'"
            ).fetchall()
        }
        documented = {Path(b["file"]).name for b in summary["bad_files"] if b["file"].startswith("dti/")}
        assert documented and documented <= named
        # External values that were rejected are never used: those components are missing, not scored.
        used = con.execute("""SELECT count(*) FROM mart_dti_component c JOIN quarantine q
                                ON q.source = 'dti_external' AND q.record_key = c.unit_code || '|' || c.code
                              WHERE c.source = 'external'""").fetchall()[0][0]
        assert used == 0
        out_of_range = con.execute(
            "SELECT count(*) FROM mart_dti_component WHERE points > max_points + 1e-9 OR points < 0"
        ).fetchall()[0][0]
        assert out_of_range == 0
    book = openpyxl.load_workbook(Path(warehouse.reports) / "chi_so_chuyen_doi_so_2026.xlsx", read_only=True)
    assert {"Tổng hợp", "Xếp hạng sở, ban, ngành", "Xếp hạng xã, phường", "Phương pháp"} <= set(book.sheetnames)
    assert len(book.sheetnames) > units  # one sheet per unit


def test_a_units_refused_form_leaves_it_unranked_and_flagged_and_the_rest_is_published(small_inbox, tmp_path):
    source, _ = small_inbox
    shutil.copytree(source, tmp_path / "inbox")
    form = sorted((tmp_path / "inbox" / "dti" / "tu_danh_gia").glob("*.xlsx"))[0]
    book = openpyxl.load_workbook(form)
    ws = book.worksheets[0]
    label = next(c for row in ws.iter_rows(max_row=15) for c in row if c.value == "Năm đánh giá:")
    value = next(c for c in ws[label.row][label.column :] if c.value is not None)
    value.value = 2031  # a year nobody assesses: the unit is known, the form is refused
    book.save(form)
    warehouse = warehouse_in(tmp_path)
    result = materialize_year(DTI, warehouse)
    assert result.success
    checks = {e.asset_check_key.name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"dti_complete": True, "dti_values_valid": True}
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        refused = con.execute("""SELECT unit_name, rank, band, form_refused FROM mart_dti_unit
                                 WHERE year = 2026 AND form_refused IS NOT NULL""").fetchall()
        assert len(refused) == 1 and refused[0][1:3] == (None, None)
        assert refused[0][3].startswith(form.name) and "năm 2031" in refused[0][3]
        ranked = con.execute("SELECT count(rank) FROM mart_dti_unit WHERE year = 2026 AND has_form").fetchall()[0][0]
        assert ranked == con.execute("SELECT count(*) FROM mart_dti_unit WHERE year = 2026 AND has_form").fetchall()[0][0]
    published = openpyxl.load_workbook(Path(warehouse.reports) / "chi_so_chuyen_doi_so_2026.xlsx", read_only=True)
    texts = [
        v
        for name in published.sheetnames
        if name.startswith("Xếp hạng")
        for row in published[name].iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    assert f"Phiếu bị từ chối: {refused[0][3]}" in texts


def test_no_usable_form_blocks_the_publication(small_inbox, tmp_path):
    source, _ = small_inbox
    shutil.copytree(source, tmp_path / "inbox")
    shutil.rmtree(tmp_path / "inbox" / "dti" / "tu_danh_gia")
    warehouse = warehouse_in(tmp_path)
    result = materialize_year(DTI, warehouse)
    checks = {e.asset_check_key.name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["dti_complete"] is False
    assert not (Path(warehouse.reports) / "chi_so_chuyen_doi_so_2026.xlsx").exists()


def test_inputs_lost_against_the_published_year_hold_every_later_publication(dti_year, tmp_path):
    """The forms' folder moved away after a publication: the yearly run recomputed the marts without any form (0
    ranked) and only its own run was held back, so the next daily run published them. The forms now keep their rows
    (file_gone); another system's file gone (every value of that source), which no check saw, is held in the gate,
    naming what was lost, until the files are back."""
    from assets import publish
    from warehouse.quality_gate import gate_failures

    warehouse = copy_of(dti_year[0], tmp_path)
    assert dg.materialize([publish.analyst_snapshot], resources={"warehouse": warehouse}).success
    inbox = Path(warehouse.inbox) / "dti"
    shutil.move(inbox / "tu_danh_gia", tmp_path / "tu_danh_gia")
    shutil.move(inbox / "he_thong_khac", tmp_path / "he_thong_khac")
    result = materialize_year(DTI, warehouse)
    checks = {e.asset_check_key.name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["dti_complete"] is False
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        [(check, scope, detail)] = gate_failures(con)
    assert (check, scope) == ("dti_inputs_kept", "2026")
    assert "số đơn vị có phiếu tự đánh giá dùng được" not in detail and "nguồn '" in detail
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        kept = con.execute("SELECT count(*) FROM file_issues WHERE source = 'dti_form' AND rule = 'file_gone'").fetchall()
    assert kept[0][0] > 0
    held = dg.materialize([publish.analyst_snapshot], resources={"warehouse": warehouse}, raise_on_error=False)
    assert not held.success
    # The files back: the year is recomputed with them and the gate clears.
    shutil.move(tmp_path / "tu_danh_gia", inbox / "tu_danh_gia")
    shutil.move(tmp_path / "he_thong_khac", inbox / "he_thong_khac")
    assert materialize_year(DTI, warehouse).success
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert gate_failures(con) == []

    # A withdrawal meant (the other systems' values found wrong): it took an administrator's DELETE in the gate
    # table; the check's config withdraw: true publishes the year without them, saying so.
    shutil.move(inbox / "he_thong_khac", tmp_path / "he_thong_khac")
    assert not materialize_year(DTI, warehouse).success
    withdrawn = materialize_year(
        DTI, warehouse, run_config={"ops": {"dti_scorecards_dti_complete": {"config": {"withdraw": True}}}}
    )
    assert withdrawn.success
    [evaluation] = [e for e in withdrawn.get_asset_check_evaluations() if e.asset_check_key.name == "dti_complete"]
    assert evaluation.metadata["withdrawn_on_purpose"].value is True
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert gate_failures(con) == []
    assert dg.materialize([publish.analyst_snapshot], resources={"warehouse": warehouse}).success


def test_blank_forms_and_one_units_sheet(dti_year, tmp_path):
    warehouse = copy_of(dti_year[0], tmp_path)
    assert materialize_year([dti.dti_blank_forms], warehouse).success
    blank = sorted((Path(warehouse.reports) / "phieu_tu_danh_gia_dti" / "2026").glob("*.xlsx"))
    assert len(blank) == 107
    sheet = openpyxl.load_workbook(blank[0]).active
    assert sheet.protection.sheet and any(v.type == "list" for v in sheet.data_validations.dataValidation)
    assert materialize_year(
        [dti.dti_workbook], warehouse, run_config={"ops": {"dti_workbook": {"config": {"unit": "19.SKHCN"}}}}
    ).success
    single = openpyxl.load_workbook(Path(warehouse.reports) / "chi_so_chuyen_doi_so_2026_19.SKHCN.xlsx", read_only=True)
    assert len(single.sheetnames) == 1
    # and the same unit's Word scorecard beside it
    from docx import Document

    card = Document(str(Path(warehouse.reports) / "chi_so_chuyen_doi_so_2026_19.SKHCN.docx"))
    assert any("2026" in p.text for p in card.paragraphs) and card.tables
    # The issuer in its NĐ 30 header is the configured department, not always the Sở KH&CN.
    from assets.resources import Warehouse

    finance = Warehouse(**{**warehouse.model_dump(), "department_code": "19.STC"})
    config = {"ops": {"dti_workbook": {"config": {"unit": "19.SYT"}}}}
    assert materialize_year([dti.dti_workbook], finance, run_config=config).success
    issued = Document(str(Path(warehouse.reports) / "chi_so_chuyen_doi_so_2026_19.SYT.docx"))
    header = " ".join(c.text for t in issued.tables for row in t.rows for c in row.cells).upper()
    assert "SỞ TÀI CHÍNH" in header and "SỞ KHOA HỌC VÀ CÔNG NGHỆ" not in header


def test_sensor_rescores_the_year_when_another_systems_file_arrives(tmp_path):
    from pipelines.sensors import inbox_sensor

    warehouse = warehouse_in(tmp_path)
    folder = tmp_path / "inbox" / "dti" / "he_thong_khac"
    folder.mkdir(parents=True)
    (folder / "giam_sat_attt_soc_2026.csv").write_text("Năm,Đơn vị\n", encoding="utf-8")
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse})
        requested = [r for r in inbox_sensor(context) if r.job_name == "yearly_indices"]
        assert len(requested) == 1 and requested[0].partition_key == "2026"
