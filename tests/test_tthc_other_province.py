"""A daily export of another province dropped into this province's inbox is refused whole, by what its rows carry
(the dossier codes' portal province code, receiving centres and units naming the province); a few misrouted
dossiers in a real export are rejected one by one with the province named; a former province merged into this one
in 2025 is this province."""

from datetime import date, datetime
from pathlib import Path

import duckdb

from common.units import load_units, matcher_for
from sources.tthc_catalogue import read_catalogue
from sources.tthc_format import CATALOGUE_FILE_NAME
from tests.conftest import TEST_KEYS, dossier_row, write_export
from warehouse import tthc
from warehouse.schema import ensure_schema

DAY = date(2026, 1, 5)
NOW = datetime(2026, 1, 6, 6, 0)


def load(inbox: Path, province: str, con: duckdb.DuckDBPyConnection | None = None):
    con = con or duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units(province))
    matcher = matcher_for(province)
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, inbox / "work", matcher=matcher), NOW)
    stats = tthc.load_dossier_partitions(
        con, inbox / "tthc", DAY, DAY, matcher=matcher, keys=TEST_KEYS, work_dir=inbox / "work", now=NOW
    )
    tthc.refresh_current_state(con, DAY, DAY)
    return con, stats


def export_rows(prefix: str, centre: str, units: list[str], n: int) -> list[dict]:
    """``n`` dossiers coded ``prefix``-260105-0000…, received at ``centre``, resolved by ``units`` in turn."""
    return [
        dossier_row(dossier_code=f"{prefix}-260105-{i:04d}", receiving_centre=centre, resolving_unit=units[i % len(units)])
        for i in range(n)
    ]


def bac_ninh_rows(n: int = 6) -> list[dict]:
    units = ["Sở Tài chính", "Phường Hạp Lĩnh", "Phường Bắc Giang", "Sở Tư pháp"]
    return export_rows("H05.100", "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh", units, n)


def thai_nguyen_rows(n: int = 6) -> list[dict]:
    units = ["Sở Tài chính", "Phường Sông Công", "Sở Tư pháp - Tỉnh Thái Nguyên", "Phường Phan Đình Phùng"]
    return export_rows("H55.111", "Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên", units, n)


def issues(con) -> list[tuple]:
    return con.execute("SELECT rule, reason, blocking FROM file_issues WHERE source = 'tthc_dossier' ORDER BY rule").fetchall()


def landed(con) -> tuple:
    return con.execute(
        "SELECT status, rows_loaded, rows_rejected FROM landed_files WHERE source = 'tthc_dossier' AND partition_date = ?",
        [DAY],
    ).fetchone()


def test_a_bac_ninh_export_in_thai_nguyens_inbox_is_refused_whole(inbox):
    write_export(inbox / "tthc", DAY, bac_ninh_rows())
    con, stats = load(inbox, "Thái Nguyên")
    assert con.execute("SELECT count(*) FROM stg_dossier_versions").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM quarantine WHERE source = 'tthc_dossier'").fetchone() == (0,)
    assert landed(con)[0] == "rejected" and stats.rows_loaded == 0
    [(rule, reason, blocking)] = issues(con)
    assert rule == "other_province_file" and blocking
    assert "Bắc Ninh" in reason and "H05" in reason and "không phải của Thái Nguyên" in reason


def test_an_export_coded_in_the_national_format_is_told_by_the_province_after_the_agency_groups(inbox):
    """'000.00.22.H60-260105-0000' (the national format) starts with the agency's groups: Tuyên Quang's export, its
    units agencies every province has (Sở Tư pháp), loaded as Thái Nguyên's. Thái Nguyên's own codes of that format
    load."""
    units = ["Sở Tư pháp", "Sở Tài chính"]
    write_export(inbox / "tthc", DAY, export_rows("000.00.22.H60", "Bộ phận một cửa", units, 12))
    con, stats = load(inbox, "Thái Nguyên")
    assert con.execute("SELECT count(*) FROM stg_dossier_versions").fetchone() == (0,) and stats.rows_loaded == 0
    [(rule, reason, blocking)] = issues(con)
    assert rule == "other_province_file" and blocking and "Tuyên Quang" in reason and "H60" in reason
    write_export(inbox / "tthc", DAY, export_rows("000.00.19.H55", "Bộ phận một cửa", units, 12))
    _, stats = load(inbox, "Thái Nguyên")
    assert stats.rows_loaded == 12


def test_a_thai_nguyen_export_in_bac_ninhs_inbox_never_replaces_the_days_good_load(inbox):
    own = export_rows("H05.107", "Trung tâm Phục vụ hành chính công Phường Hạp Lĩnh", ["Phường Hạp Lĩnh"], 3)
    write_export(inbox / "tthc", DAY, own)
    con, _ = load(inbox, "Bắc Ninh")
    assert landed(con) == ("loaded", 3, 0)
    write_export(inbox / "tthc", DAY, thai_nguyen_rows())
    _, stats = load(inbox, "Bắc Ninh", con=con)
    assert stats.days_kept == 1
    codes = [r[0] for r in con.execute("SELECT dossier_code FROM stg_dossier_versions ORDER BY 1").fetchall()]
    assert codes == [r["dossier_code"] for r in own]
    assert con.execute("SELECT count(*) FROM fct_dossier").fetchone() == (3,)
    assert con.execute("SELECT count(*) FROM quarantine WHERE source = 'tthc_dossier'").fetchone() == (0,)
    [(rule, reason, blocking)] = issues(con)
    assert rule == "redelivery_refused" and blocking
    assert "Thái Nguyên" in reason and "H55" in reason and "không phải của Bắc Ninh" in reason


def test_a_thai_nguyen_export_in_bac_ninhs_inbox_is_refused_on_a_first_load(inbox):
    write_export(inbox / "tthc", DAY, thai_nguyen_rows())
    con, _ = load(inbox, "Bắc Ninh")
    assert con.execute("SELECT count(*) FROM stg_dossier_versions").fetchone() == (0,)
    assert [i[0] for i in issues(con)] == ["other_province_file"]


def test_two_misrouted_dossiers_in_a_real_export_are_rejected_naming_the_province(inbox):
    own = export_rows(
        "H55.111", "Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên", ["Sở Tài chính", "Phường Phan Đình Phùng"], 8
    )
    misrouted = [
        dossier_row(dossier_code="H05.100-260105-0001", resolving_unit="Sở Tài chính"),
        dossier_row(dossier_code="HS-0009", resolving_unit="Sở Tư pháp - Tỉnh Bắc Ninh"),
    ]
    write_export(inbox / "tthc", DAY, [*own[:3], misrouted[0], *own[3:], misrouted[1]])
    con, stats = load(inbox, "Thái Nguyên")
    assert landed(con) == ("partly_loaded", 8, 2) and stats.rows_loaded == 8
    found = con.execute(
        "SELECT row_number, rule, reason, unit_code FROM quarantine WHERE source = 'tthc_dossier' ORDER BY row_number"
    ).fetchall()
    assert [(r[0], r[1], r[3]) for r in found] == [(5, "other_province", None), (11, "other_province", None)]
    assert all("Bắc Ninh" in r[2] for r in found)
    assert "H05" in found[0][2] and "Sở Tư pháp - Tỉnh Bắc Ninh" in found[1][2]
    assert "other_province_file" not in [i[0] for i in issues(con)]


def test_a_former_province_merged_into_this_one_is_this_province(inbox):
    rows = export_rows("H05.100", "Bộ phận Một cửa tỉnh Bắc Giang", ["Phường Bắc Giang"], 4)
    write_export(inbox / "tthc", DAY, rows)
    con, _ = load(inbox, "Bắc Ninh")
    assert landed(con) == ("loaded", 4, 0) and issues(con) == []


def test_an_export_without_code_prefixes_is_told_by_its_communes_and_never_loads_as_this_provinces_agencies(inbox):
    """A Thái Nguyên export whose codes carry no portal prefix and whose centre names no province, served to Hà Nội:
    its communes are Thái Nguyên's alone (Xã Đại Phúc, UBND xã Kha Sơn), its agencies every province's ("Sở Tư
    pháp"). The communes' rows were 'unknown units' (one hinted at Hà Nội's Xã Đa Phúc) and the agencies' loaded as
    Hà Nội's. More than half the rows naming another province's communes refuse the file; one such row in a real
    export is rejected naming the province."""
    communes = ["Xã Đại Phúc", "UBND xã Kha Sơn", "Phường Phan Đình Phùng", "Xã Phú Bình"]
    rows = export_rows("HS", "Bộ phận Một cửa", communes, 7) + [
        dossier_row(dossier_code=f"HS-A{i}", receiving_centre="Bộ phận Một cửa", resolving_unit=unit)
        for i, unit in enumerate(["Sở Tư pháp", "Sở Y tế", "Sở Xây dựng"])
    ]
    write_export(inbox / "tthc", DAY, rows)
    con, stats = load(inbox, "Hà Nội")
    assert con.execute("SELECT count(*) FROM stg_dossier_versions").fetchone() == (0,) and stats.rows_loaded == 0
    [(rule, reason, blocking)] = issues(con)
    assert rule == "other_province_file" and blocking and "Thái Nguyên" in reason and "7/10 dòng" in reason
    own = [
        dossier_row(dossier_code=f"HN-{i}", receiving_centre="Bộ phận Một cửa", resolving_unit=unit)
        for i, unit in enumerate(["Sở Tư pháp", "Phường Hoàn Kiếm", "Phường Ba Đình"] * 3)
    ]
    write_export(inbox / "tthc", DAY, [*own, dossier_row(dossier_code="HS-9", resolving_unit="Xã Đại Phúc")])
    con, stats = load(inbox, "Hà Nội")
    assert stats.rows_loaded == 9
    [(rule, reason)] = con.execute("SELECT rule, reason FROM quarantine WHERE source = 'tthc_dossier'").fetchall()
    assert rule == "other_province" and "Thái Nguyên" in reason
