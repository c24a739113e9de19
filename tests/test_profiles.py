"""Source profiles: every profile in profiles/ loads; another system's headers, ISO dates and numeric codes are read by
adding a profile, not code; a bad profile is refused with a message naming the file; a file that fits another
profile says so."""

import csv
import io
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from common.units import load_units, matcher_for
from sources.petition_format import PAKN_CODES, PAKN_FIELDS, pakn_profile
from sources.profiles import PROFILES_DIR, ProfileError, load_profile, profile_names, profile_setting
from sources.publication_format import CONG_BO_CODES, CONG_BO_FIELDS, publication_profile
from sources.tthc_catalogue import read_catalogue
from sources.tthc_format import CATALOGUE_FILE_NAME, TTHC_CODES, TTHC_FIELDS, dossier_file_name, tthc_profile
from tests.conftest import TEST_KEYS, dossier_row, write_export
from warehouse import tthc
from warehouse.schema import ensure_schema

DAY = date(2026, 1, 5)
NOW = datetime(2026, 1, 6, 6, 0)
MATCHER = matcher_for("Thái Nguyên")
SYSTEMS = {"tthc": (TTHC_FIELDS, TTHC_CODES), "pakn": (PAKN_FIELDS, PAKN_CODES), "cong_bo": (CONG_BO_FIELDS, CONG_BO_CODES)}


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_every_profile_in_the_repository_loads(system):
    fields, codes = SYSTEMS[system]
    names = profile_names(system)
    assert "demo" in names
    for name in names:
        profile = load_profile(PROFILES_DIR / system / f"{name}.yaml", system, fields, codes)
        assert set(profile.columns) == set(fields) and profile.date_formats


def test_the_profile_in_use_is_the_setting(monkeypatch):
    assert profile_setting("tthc") == "demo" and tthc_profile().name == "demo"
    assert pakn_profile().name == "demo" and publication_profile().name == "demo"
    monkeypatch.setenv("CCHC_PROFILE_TTHC", "vi_du_ma_so")
    assert tthc_profile().name == "vi_du_ma_so"


def _other_system_export(folder: Path) -> Path:
    """A day's export as the example profile's system writes it: ASCII headers, ISO dates, numeric codes."""
    profile = tthc_profile("vi_du_ma_so")
    header = [c.header for c in profile.columns["dossiers"]]
    rows = [
        [
            "OTHER-1",
            "2.000001",
            "TTPVHCC",
            "UBND phường Phan Đình Phùng",
            "2",
            "2026-01-05 08:00:00",
            "2026-01-08 17:00:00",
            "",
            "DANG_XU_LY",
            "0",
            "1",
            "0",
            "0",
            "0",
            "1",
            "1",
            "1",
            "",
            "2026-01-05 08:00:00",
            "Nguyễn Văn A",
            "019188009999",
            "0912000000",
            "Tổ 1",
        ],
        [
            "OTHER-2",
            "2.000001",
            "TTPVHCC",
            "Phường Phan Đình Phùng",
            "1",
            "2026-01-05 09:00",
            "2026-01-08",
            "2026-01-06 10:00:00",
            "DA_TRA_KET_QUA",
            "1",
            "0",
            "1",
            "50.000",
            "1",
            "0",
            "0",
            "0",
            "3",
            "2026-01-06 10:00:00",
            "",
            "",
            "",
            "",
        ],
        [
            "OTHER-3",
            "2.000001",
            "TTPVHCC",
            "Phường Phan Đình Phùng",
            "2",
            "05/01/2026 08:00:00",
            "2026-01-08",
            "",
            "DANG_XU_LY",
            "0",
            "1",
            "0",
            "0",
            "0",
            "1",
            "1",
            "1",
            "",
            "2026-01-05 08:00:00",
            "",
            "",
            "",
            "",
        ],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path = folder / dossier_file_name(DAY)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_another_system_is_read_by_its_profile_not_by_code(inbox):
    _other_system_export(inbox / "tthc")
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, inbox / "work", matcher=MATCHER), NOW)
    profile = tthc_profile("vi_du_ma_so")
    stats = tthc.load_dossier_partitions(
        con, inbox / "tthc", DAY, DAY, matcher=MATCHER, keys=TEST_KEYS, work_dir=inbox / "work", now=NOW, profile=profile
    )
    rows = con.execute("""SELECT dossier_code, channel, status, received_at, completed_at, digitised, fee_due, satisfaction
                          FROM stg_dossier_versions ORDER BY dossier_code""").fetchall()
    assert rows == [
        ("OTHER-1", "online", "processing", datetime(2026, 1, 5, 8), None, True, 0, None),
        ("OTHER-2", "direct", "returned", datetime(2026, 1, 5, 9), datetime(2026, 1, 6, 10), False, 50000, "very_satisfied"),
    ]
    # A day-first date is not this system's: reported with the profile's own format, never guessed.
    reason = con.execute("SELECT reason FROM quarantine WHERE record_key = 'OTHER-3'").fetchall()[0][0]
    assert "yyyy-mm-dd" in reason and "'05/01/2026 08:00:00'" in reason
    assert stats.rows_loaded == 2 and stats.rows_rejected == 1


def test_a_file_of_another_profile_is_refused_naming_the_profile_it_fits(inbox):
    _other_system_export(inbox / "tthc")
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    tthc.load_dossier_partitions(
        con, inbox / "tthc", DAY, DAY, matcher=MATCHER, keys=TEST_KEYS, work_dir=inbox / "work", now=NOW
    )  # the demo profile, in use by default
    reason = con.execute("SELECT reason FROM file_issues WHERE blocking").fetchall()[0][0]
    assert "vi_du_ma_so" in reason and "CCHC_PROFILE_TTHC=vi_du_ma_so" in reason


def test_the_demo_export_still_reads_under_the_demo_profile(inbox):
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="D-1")])
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, inbox / "work", matcher=MATCHER), NOW)
    stats = tthc.load_dossier_partitions(
        con, inbox / "tthc", DAY, DAY, matcher=MATCHER, keys=TEST_KEYS, work_dir=inbox / "work", now=NOW
    )
    assert stats.rows_loaded == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("  dossiers:\n    columns:\n", "  dossiers:\n    columns:\n      extra_column: {header: X}\n"),
            "khóa không hợp lệ extra_column",
        ),
        (lambda t: t.replace("      dossier_code: {header: MaHoSo}\n", ""), "thiếu cột dossier_code"),
        (lambda t: t.replace('"1": direct', '"1": by_pigeon'), "mã by_pigeon không có trong kho"),
        (lambda t: t.replace('  - "%Y-%m-%d"\n', '  - "%Y-%Y"\n'), "không đọc lại được"),
        # a 12-hour clock without SA/CH reads 14:30 as 02:30: twelve hours off, silently
        (lambda t: t.replace('  - "%Y-%m-%d %H:%M:%S"\n', '  - "%Y-%m-%d %I:%M:%S"\n'), "không đọc lại được chính giờ"),
        (lambda t: t.replace("system: tthc", "system: pakn"), "system phải là 'tthc'"),
        (
            lambda t: t.replace(
                "      procedure_code: {header: MaTTHC}\n      receiving_centre",
                "      procedure_code: {header: MaHoSo}\n      receiving_centre",
            ),
            "một tên cột dùng cho hai cột",
        ),
        (lambda t: t + "\nunknown_top: 1\n", "khóa không hợp lệ unknown_top"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_file_and_the_problem(tmp_path, edit, message):
    text = (PROFILES_DIR / "tthc" / "vi_du_ma_so.yaml").read_text(encoding="utf-8")
    path = tmp_path / "tthc" / "tinh_x.yaml"
    path.parent.mkdir()
    path.write_text(edit(text), encoding="utf-8")
    with pytest.raises(ProfileError, match=message) as err:
        load_profile(path, "tthc", TTHC_FIELDS, TTHC_CODES)
    assert "tthc/tinh_x.yaml" in str(err.value)
