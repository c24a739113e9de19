"""The dossier reader and loader on hand-written files: bad input is reported by file, row and reason, the good
rows beside it load, personal data never reaches the warehouse, and reloading changes nothing."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from common.units import load_units, matcher_for
from sources.csvfiles import _looks_utf8
from sources.tthc_catalogue import read_catalogue
from sources.tthc_dossiers import export_files, stage_dossier_exports
from sources.tthc_format import CATALOGUE_FILE_NAME, DOSSIER_COLUMNS
from tests.conftest import DEFAULT_ROW, PERSONAL_VALUES, TEST_KEYS, cp1258_bytes, dossier_row, write_export
from warehouse import tthc
from warehouse.schema import ensure_schema

DAY = date(2026, 1, 5)
NOW = datetime(2026, 1, 6, 6, 0)


def load(inbox: Path, start: date = DAY, end: date = DAY, con: duckdb.DuckDBPyConnection | None = None):
    con = con or duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, inbox / "work", matcher=matcher_for("Thái Nguyên")), NOW)
    stats = tthc.load_dossier_partitions(
        con, inbox / "tthc", start, end, matcher=matcher_for("Thái Nguyên"), keys=TEST_KEYS, work_dir=inbox / "work", now=NOW
    )
    tthc.refresh_current_state(con, start, end)
    return con, stats


def rejects(con) -> list[tuple]:
    return con.execute(
        "SELECT file_name, row_number, rule, reason FROM quarantine WHERE source = 'tthc_dossier' ORDER BY row_number, rule"
    ).fetchall()


def loaded_codes(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT dossier_code FROM stg_dossier_versions ORDER BY source_row").fetchall()]


def test_good_file_loads_typed_and_without_personal_data(inbox):
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"HS-{i}") for i in range(3)])
    con, stats = load(inbox)
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (3, 3, 0)
    row = con.execute(
        "SELECT resolving_unit_code, channel, received_at, status, digitised, source_row, applicant_key "
        "FROM stg_dossier_versions ORDER BY source_row LIMIT 1"
    ).fetchall()[0]
    assert row[:6] == ("05443", "online", datetime(2026, 1, 5, 8), "processing", True, 2)
    assert row[6] == TEST_KEYS.applicant_key(2026, "019188001234")
    columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE NOT internal").fetchall()}
    assert not columns & {"applicant_name", "applicant_id", "applicant_phone", "applicant_address"}


@pytest.mark.slow
def test_personal_data_is_nowhere_in_the_warehouse_even_for_rejected_rows(inbox, tmp_path):
    write_export(
        inbox / "tthc",
        DAY,
        [dossier_row(), dossier_row(dossier_code="HS-2", resolving_unit="Xã Không Tồn Tại")],
        tail='HS-3,2.000001,"Nguyễn Thị Hoa cut',
    )
    path = tmp_path / "pii.duckdb"
    con, _ = load(inbox, con=duckdb.connect(str(path)))
    con.close()
    with duckdb.connect(str(path), read_only=True) as con:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            text = str(con.execute(f"SELECT * FROM {table}").fetchall())
            for value in PERSONAL_VALUES:
                assert value not in text, (table, value)


@pytest.mark.parametrize(
    ("bad", "rule", "reason_part"),
    [
        ({"resolving_unit": "Xã Không Tồn Tại"}, "unknown_unit", "Xã Không Tồn Tại"),
        ({"procedure_code": "9.999999"}, "unknown_procedure", "9.999999"),
        ({"received_at": "2026-01-05"}, "bad_date:received_at", "dd/mm/yyyy"),
        ({"due_at": "01/25/2026 08:00:00"}, "bad_date:due_at", "01/25/2026"),
        ({"due_at": "08.01.2026 17:00:00"}, "bad_date:due_at", "'08.01.2026 17:00:00'"),  # quoted whole, not masked
        ({"supplement_requests": "-1"}, "bad_count", "-1"),
        ({"fee_due": "-50000"}, "bad_amount", "-50000"),
        ({"completed_at": "04/01/2026 09:00:00", "status": "Đã hoàn thành"}, "completed_before_received", "trước ngày tiếp nhận"),
        ({"due_at": "04/01/2026 09:00:00"}, "due_before_received", "Ngày hẹn trả"),
        ({"channel": "Fax"}, "bad_value:channel", "Fax"),
        ({"status": "Đã hoàn thành"}, "finished_without_completion", "thiếu ngày hoàn thành"),
        ({"dossier_code": ""}, "missing_dossier_code", "Thiếu mã hồ sơ"),
        ({"dossier_code": "HS-" + "x" * 200_000}, "value_too_long:dossier_code", "200003 ký tự, tối đa 100"),
        # a month or year typed wrong: the export of 05/01 cannot know a later date (the next day is allowed)
        (
            {"updated_at": "05/11/2026 08:00:00"},
            "date_after_export:updated_at",
            "05/11/2026 08:00 sau ngày xuất tệp (05/01/2026)",
        ),
        (
            {"completed_at": "06/01/2062 09:00:00", "status": "Đã trả kết quả", "updated_at": "05/01/2026 09:00:00"},
            "date_after_export:completed_at",
            "Cột 'Ngày hoàn thành': 06/01/2062 09:00",
        ),
    ],
)
def test_each_bad_row_is_quarantined_with_file_row_and_reason(inbox, bad, rule, reason_part):
    write_export(
        inbox / "tthc",
        DAY,
        [dossier_row(dossier_code="OK-1"), dossier_row(**{"dossier_code": "BAD-1", **bad}), dossier_row(dossier_code="OK-2")],
    )
    con, stats = load(inbox)
    assert loaded_codes(con) == ["OK-1", "OK-2"]
    found = rejects(con)
    assert [(f, r, ru) for f, r, ru, _ in found] == [("ho_so_20260105.csv", 3, rule)]
    assert reason_part in found[0][3]
    assert stats.rows_rejected == 1


def test_an_id_or_phone_number_typed_into_a_coded_column_is_masked_in_the_quarantine(inbox):
    """A clerk typed the applicant into 'Cơ quan giải quyết' and a phone into 'Kênh nộp': the rows are rejected, and
    their reason and value quote the cell with the numbers masked (the quarantine, its Parquet and the quality
    workbook are at rest outside the inbox)."""
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(dossier_code="OK-1"),
            dossier_row(dossier_code="BAD-1", resolving_unit="Trần Văn Bảo 034.095.012.345"),
            dossier_row(dossier_code="BAD-2", channel="gọi 0987 654 321"),
            dossier_row(dossier_code="OK-2", receiving_centre="Trung tâm Phục vụ hành chính công - anh Bảo 0912.345.678"),
        ],
    )
    con, _ = load(inbox)
    assert loaded_codes(con) == ["OK-1", "OK-2"]
    centres = con.execute("SELECT receiving_centre FROM stg_dossier_versions ORDER BY source_row").fetchall()
    assert centres[1] == ("Trung tâm Phục vụ hành chính công - anh [đã ẩn] [đã ẩn]",)
    notes = con.execute("SELECT reason FROM file_issues WHERE rule = 'personal_data_masked'").fetchall()
    assert len(notes) == 1 and "Cột 'Nơi tiếp nhận' của 1 dòng" in notes[0][0]
    found = con.execute("SELECT rule, reason, value FROM quarantine WHERE source = 'tthc_dossier' ORDER BY row_number").fetchall()
    assert [r[0] for r in found] == ["unknown_unit", "bad_value:channel"]
    text = str(found)
    assert "034.095.012.345" not in text and "0987 654 321" not in text
    assert "Trần Văn Bảo" not in text and found[1][2] == "gọi [đã ẩn]"
    names = con.execute("SELECT unit_name FROM quarantine WHERE source = 'tthc_dossier' AND rule = 'unknown_unit'").fetchall()
    assert names == [("[đã ẩn] [đã ẩn]",)]  # the unit as written, masked too


def test_a_name_typed_into_a_code_or_a_coded_column_is_neither_loaded_nor_quoted(inbox):
    """A citizen's name (with an address) where a dossier code, a status, a unit or a receiving centre belongs: a
    code without any digit is no dossier code, so that row is rejected and neither its code nor the name quoted; a
    name in a coded column is masked in the quotes; one in the receiving centre is masked before it is stored. A ward
    named after a person ('phường Phan Đình Phùng') stays a place."""
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(dossier_code="OK-1", receiving_centre="Bộ phận Một cửa UBND phường Phan Đình Phùng"),
            dossier_row(dossier_code="Hoàng Thị Thu Trang"),
            dossier_row(dossier_code="BAD-2", status="Phạm Minh Tuấn, tổ 7 Túc Duyên"),
            dossier_row(dossier_code="BAD-3", resolving_unit="Nông Thị Hoa"),
            dossier_row(dossier_code="OK-2", receiving_centre="Nguyễn Văn Bảo"),
        ],
    )
    con, _ = load(inbox)
    assert loaded_codes(con) == ["OK-1", "OK-2"]
    centres = con.execute("SELECT receiving_centre FROM stg_dossier_versions ORDER BY source_row").fetchall()
    assert centres == [("Bộ phận Một cửa UBND phường Phan Đình Phùng",), ("[đã ẩn]",)]
    found = con.execute(
        "SELECT rule, record_key, unit_name, reason, value FROM quarantine WHERE source = 'tthc_dossier' ORDER BY row_number"
    ).fetchall()
    assert [r[0] for r in found] == ["code_without_digit:dossier_code", "bad_value:status", "unknown_unit"]
    assert found[0][1] is None and found[0][4] is None and "không có chữ số" in found[0][3]
    text = str(found) + str(con.execute("SELECT * FROM file_issues").fetchall())
    for name in ("Hoàng Thị Thu Trang", "Phạm Minh Tuấn", "Túc Duyên", "Nông Thị Hoa", "Nguyễn Văn Bảo"):
        assert name not in text, name
    assert found[1][4] == "[đã ẩn]" and found[2][2] == "[đã ẩn]"


def test_a_dossier_code_holding_words_is_refused_unquoted_and_never_loaded(inbox):
    """An address or a sentence typed as the dossier code ("Số nhà 17 ngõ 45 …", "Hồ sơ của Nguyễn Văn An 2") has
    digits, so it passed as a code and rested in fct_dossier. Codes as systems write them, with spaces around their
    dashes too, still load."""
    codes = [
        "H55.111-260105-0001",
        "000.00.19.H55 - 260105 - 0002",
        "Số nhà 17 ngõ 45 phố Hoàng Văn Thụ",
        "Hồ sơ của Nguyễn Văn An 2",
    ]
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=c) for c in codes])
    con, _ = load(inbox)
    assert sorted(loaded_codes(con)) == sorted(codes[:2])
    found = con.execute(
        "SELECT rule, record_key, value, reason FROM quarantine WHERE source = 'tthc_dossier' ORDER BY row_number"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in found] == [("code_with_words:dossier_code", None, None)] * 2
    assert not any(w in str(found) for w in ("ngõ 45", "Nguyễn", "Hoàng Văn Thụ"))


def test_a_200_kb_cell_is_quarantined_cut_to_a_readable_length_beside_the_good_rows(inbox):
    pasted = "Nội dung văn bản dán nhầm vào ô. " * 6_000  # ~200 kB
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(dossier_code="OK-1"),
            dossier_row(dossier_code=pasted),
            dossier_row(dossier_code="OK-2", received_at=pasted),
        ],
    )
    con, stats = load(inbox)
    assert loaded_codes(con) == ["OK-1"]
    rows = con.execute("SELECT row_number, rule, reason, value, record_key FROM quarantine ORDER BY row_number").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(3, "value_too_long:dossier_code"), (4, "bad_date:received_at")]
    for _, _, reason, value, key in rows:
        for text in (reason, value, key):
            assert text is None or len(text) < 500, text[:80]
    assert rows[0][3].endswith(f"… ({len(pasted.strip())} ký tự)") and rows[1][2].startswith("Cột 'Ngày tiếp nhận'")
    assert stats.rows_rejected == 2


def test_unknown_unit_reason_suggests_the_close_official_name(inbox):
    write_export(inbox / "tthc", DAY, [dossier_row(resolving_unit="Phường Phan Đình Phũng Mới")])
    con, _ = load(inbox)
    assert "có phải 'Phường Phan Đình Phùng'" in rejects(con)[0][3]


def test_unit_names_match_without_diacritics_spacing_or_prefix(inbox):
    variants = ["UBND Phường Phan Đình Phùng", "phuong  phan dinh phung", "Ủy ban nhân dân phường Phan Đình Phùng"]
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"V{i}", resolving_unit=v) for i, v in enumerate(variants)])
    con, _ = load(inbox)
    assert {r[0] for r in con.execute("SELECT resolving_unit_code FROM stg_dossier_versions").fetchall()} == {"05443"}


def test_duplicate_code_in_a_file_keeps_the_latest_update(inbox):
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(dossier_code="D-1", updated_at="05/01/2026 10:00:00", status="Chờ bổ sung"),
            dossier_row(dossier_code="D-1", updated_at="05/01/2026 08:00:00"),
        ],
    )
    con, _ = load(inbox)
    assert con.execute("SELECT status, source_row FROM stg_dossier_versions").fetchall() == [("awaiting_supplement", 2)]
    assert [(r, ru) for _, r, ru, _ in rejects(con)] == [(3, "duplicate_in_file")]


def test_duplicates_with_the_same_update_time_conflict_and_are_all_rejected(inbox):
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(dossier_code="D-1", channel="Trực tuyến"),
            dossier_row(dossier_code="D-1", channel="Trực tiếp"),
            dossier_row(dossier_code="D-2"),
        ],
    )
    con, _ = load(inbox)
    assert loaded_codes(con) == ["D-2"]
    assert [(r, ru) for _, r, ru, _ in rejects(con)] == [(2, "duplicate_conflict"), (3, "duplicate_conflict")]


def test_current_state_takes_the_latest_version_even_before_1970_and_breaks_ties_by_day_then_line(inbox):
    """The latest update wins, then the later export day, then the later line; a dossier whose dates were typed in
    the 1960s (they parse and are in order, so they load) does not stop the current state of the others."""
    day2 = date(2026, 1, 6)
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(
                dossier_code="OLD-1965",
                received_at="02/01/1965 08:00:00",
                due_at="05/01/1965 08:00:00",
                updated_at="03/01/1965 08:00:00",
                status="Chờ bổ sung",
            ),
            dossier_row(dossier_code="T-1", updated_at="05/01/2026 09:00:00", status="Chờ bổ sung"),
        ],
    )
    write_export(
        inbox / "tthc",
        day2,
        [
            dossier_row(
                dossier_code="OLD-1965",
                received_at="02/01/1965 08:00:00",
                due_at="05/01/1965 08:00:00",
                updated_at="04/01/1965 08:00:00",
            ),
            dossier_row(dossier_code="T-1", updated_at="05/01/2026 09:00:00"),  # same update, later day: wins
        ],
    )
    con, _ = load(inbox, DAY, day2)
    assert con.execute("SELECT dossier_code, status, version_count FROM fct_dossier ORDER BY 1").fetchall() == [
        ("OLD-1965", "processing", 2),
        ("T-1", "processing", 2),
    ]


def test_header_only_file_loads_nothing_and_says_so(inbox):
    write_export(inbox / "tthc", DAY, [])
    con, stats = load(inbox)
    assert stats.rows_loaded == 0 and stats.files_rejected == 0
    assert con.execute("SELECT rule, blocking FROM file_issues").fetchall() == [("no_rows", False)]


def test_truncated_file_loads_the_complete_rows_and_reports_the_cut_line(inbox):
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"T-{i}") for i in range(4)], tail='T-9,2.000001,"Trung tâm')
    con, stats = load(inbox)
    assert loaded_codes(con) == ["T-0", "T-1", "T-2", "T-3"]
    assert [(r, ru) for _, r, ru, _ in rejects(con)] == [(6, "malformed_line")]
    assert stats.rows_rejected == 1


def test_a_utf16_export_cut_at_an_odd_byte_loads_its_whole_lines_and_the_other_days(inbox):
    """Excel's "Unicode text" (UTF-16 with a byte-order mark) whose copy stopped in the middle of a character: the
    half character is no crash of the run (every other day of it was lost); the whole lines load, the cut one is
    reported, and the other day of the batch loads as well."""
    write_export(inbox / "tthc", DAY - timedelta(days=1), [dossier_row(dossier_code="D-0")])
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"U-{i}") for i in range(3)], encoding="utf-16")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) - 41])  # an odd length: the last character is half there
    con, stats = load(inbox, DAY - timedelta(days=1), DAY)
    assert loaded_codes(con) == ["D-0", "U-0", "U-1"] and stats.rows_loaded == 3
    issues = dict(con.execute("SELECT rule, blocking FROM file_issues WHERE file_name = ?", [path.name]).fetchall())
    assert issues["truncated"] is False and issues["encoding_converted"] is False


def test_a_file_that_fails_in_a_way_nobody_foresaw_is_refused_alone(inbox, monkeypatch):
    """The safety net under every reader of CSV: an unforeseen failure while inspecting one file (here forced on the
    day's file) refuses that file naming the error, and the batch's other day still loads."""
    import sources.csvfiles as csvfiles

    write_export(inbox / "tthc", DAY - timedelta(days=1), [dossier_row(dossier_code="D-0")])
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="X-0")])
    inspect = csvfiles._inspect

    def failing(prepared, path, *args):
        if path.name.endswith(f"{DAY:%Y%m%d}.csv"):
            raise LookupError("unforeseen")
        return inspect(prepared, path, *args)

    monkeypatch.setattr(csvfiles, "_inspect", failing)
    con, stats = load(inbox, DAY - timedelta(days=1), DAY)
    assert loaded_codes(con) == ["D-0"] and stats.files_rejected == 1
    ((rule, reason, blocking),) = con.execute("SELECT rule, reason, blocking FROM file_issues").fetchall()
    assert (rule, blocking) == ("unreadable_file", True) and "LookupError" in reason


def test_records_without_any_value_are_no_rows_and_are_named(inbox):
    """Excel saves formatted empty rows as ",,,,,,": such a record is no row (as a blank line is none), not 15
    quarantined reasons; its lines are named in one notice and the lines after it keep their numbers."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="B-1"), {}, dossier_row(dossier_code="B-2"), {}, {}])
    con, stats = load(inbox)
    assert loaded_codes(con) == ["B-1", "B-2"] and rejects(con) == []
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (2, 2, 0)
    assert con.execute("SELECT source_row FROM stg_dossier_versions ORDER BY 1").fetchall() == [(2,), (4,)]
    ((reason, blocking),) = con.execute("SELECT reason, blocking FROM file_issues WHERE rule = 'blank_rows'").fetchall()
    assert not blocking and reason.startswith("3 dòng không có giá trị nào") and "(dòng 3, 5, 6;" in reason
    assert con.execute("SELECT status, rows_loaded FROM landed_files WHERE source = 'tthc_dossier'").fetchall() == [("loaded", 2)]


@pytest.mark.parametrize("again", ["blank_rows", "every_row_rejected"])
def test_a_redelivery_without_a_row_that_loads_keeps_the_days_good_load(inbox, again):
    """A day sent again as its header and Excel's empty rows, or with every row refused (the system switched to ISO
    dates): no row would load, so the day's earlier good load stays, and the refusal says why, quoting a reason."""
    good = [dossier_row(dossier_code=f"K-{i}") for i in range(3)]
    write_export(inbox / "tthc", DAY, good)
    con, _ = load(inbox)
    if again == "blank_rows":
        write_export(inbox / "tthc", DAY, [{}, {}])
    else:
        write_export(inbox / "tthc", DAY, [{**row, "received_at": "2026-01-05T08:00:00"} for row in good])
    _, stats = load(inbox, con=con)
    assert loaded_codes(con) == ["K-0", "K-1", "K-2"] and stats.days_kept == 1
    assert con.execute("SELECT count(*) FROM fct_dossier").fetchall() == [(3,)]
    ((reason,),) = con.execute("SELECT reason FROM file_issues WHERE rule = 'redelivery_refused'").fetchall()
    if again == "blank_rows":
        assert "chỉ có dòng tiêu đề" in reason
    else:
        assert "có 3 dòng dữ liệu nhưng dòng nào cũng bị loại; ví dụ dòng 2: Cột 'Ngày tiếp nhận'" in reason


def test_malformed_line_in_the_middle_keeps_later_line_numbers_right(inbox):
    path = write_export(
        inbox / "tthc",
        DAY,
        [dossier_row(dossier_code="M-1"), dossier_row(dossier_code="M-2"), dossier_row(dossier_code="M-3", channel="Fax")],
    )
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines.insert(2, "only,three,fields")  # becomes line 3; M-2 moves to line 4, M-3 to line 5
    path.write_text("\n".join([*lines, ""]), encoding="utf-8-sig")
    con, _ = load(inbox)
    assert con.execute("SELECT dossier_code, source_row FROM stg_dossier_versions ORDER BY 2").fetchall() == [
        ("M-1", 2),
        ("M-2", 4),
    ]
    assert [(r, ru) for _, r, ru, _ in rejects(con)] == [(3, "malformed_line"), (5, "bad_value:channel")]


def test_code_words_spelt_otherwise_are_read_as_their_codes(inbox):
    """The scan maps the profile's own code words at once; any other spelling (case, tone marks, spacing) is matched
    after it, once per distinct value, and a word that matches none is rejected quoting it."""
    rows = [
        dossier_row(dossier_code="S-1", channel="trực  tuyến", digitised="CÓ", status=" Đang xử lý "),
        dossier_row(dossier_code="S-2", channel="Truc tiep", digitised="khong", satisfaction="hài lòng"),
        dossier_row(dossier_code="S-3", digitised="Có lẽ"),
    ]
    write_export(inbox / "tthc", DAY, rows)
    con, _ = load(inbox)
    assert con.execute(
        "SELECT dossier_code, channel, digitised, status, satisfaction FROM stg_dossier_versions ORDER BY 1"
    ).fetchall() == [("S-1", "online", True, "processing", None), ("S-2", "direct", False, "processing", "satisfied")]
    assert [(r, ru, "'Có lẽ'" in reason) for _, r, ru, reason in rejects(con)] == [(4, "bad_value:digitised", True)]


def test_line_numbers_across_files_with_two_broken_lines_and_a_copy(inbox):
    """Rows take their place in one scan over every file: each file's lines start again at 2, two broken lines shift
    the later ones twice, and a verbatim copy is reported by its own line and the line it copies."""
    day1, day2 = DAY, date(2026, 1, 6)
    first = write_export(inbox / "tthc", day1, [dossier_row(dossier_code=f"A-{i}") for i in range(4)])
    lines = first.read_text(encoding="utf-8-sig").splitlines()
    lines.insert(2, "only,three,fields")  # line 3; A-1 moves to line 4
    lines.insert(5, "two,fields")  # line 6; A-3 moves to line 7
    first.write_text("\n".join([*lines, ""]), encoding="utf-8-sig")
    rows = [dossier_row(dossier_code="B-0"), dossier_row(dossier_code="B-1", channel="Fax"), dossier_row(dossier_code="B-2")]
    second = write_export(inbox / "tthc", day2, rows)
    lines = second.read_text(encoding="utf-8-sig").splitlines()
    second.write_text("\n".join([*lines, lines[1], ""]), encoding="utf-8-sig")  # B-0 again as line 5
    con, stats = load(inbox, day1, day2)
    assert con.execute("SELECT source_file, dossier_code, source_row FROM stg_dossier_versions ORDER BY 1, 3").fetchall() == [
        ("ho_so_20260105.csv", "A-0", 2),
        ("ho_so_20260105.csv", "A-1", 4),
        ("ho_so_20260105.csv", "A-2", 5),
        ("ho_so_20260105.csv", "A-3", 7),
        ("ho_so_20260106.csv", "B-0", 2),
        ("ho_so_20260106.csv", "B-2", 4),
    ]
    assert [(f, r, ru) for f, r, ru, _ in rejects(con)] == [
        ("ho_so_20260106.csv", 3, "bad_value:channel"),
        ("ho_so_20260105.csv", 3, "malformed_line"),
        ("ho_so_20260105.csv", 6, "malformed_line"),
    ]
    assert con.execute("SELECT reason FROM file_issues WHERE rule = 'duplicate_rows'").fetchall() == [
        ("1 dòng lặp lại y nguyên một dòng khác, đã giữ một bản: dòng 5 (= dòng 2).",)
    ]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (10, 6, 3)


def test_windows_1258_file_is_converted_and_normalised(inbox):
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="W-1", status="Chờ bổ sung")], encoding="cp1258")
    con, _ = load(inbox)
    assert con.execute("SELECT status, resolving_unit_code FROM stg_dossier_versions").fetchall() == [
        ("awaiting_supplement", "05443")
    ]
    assert con.execute("SELECT encoding FROM landed_files WHERE file_name = 'ho_so_20260105.csv'").fetchall() == [
        ("windows-1258",)
    ]
    issues = con.execute("SELECT rule, blocking FROM file_issues").fetchall()
    assert ("encoding_converted", False) in issues


def test_a_stray_invalid_byte_rejects_only_its_line(inbox):
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"E-{i}") for i in range(3)])
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"E-1", b"E-\xff1")
    path.write_bytes(b"\n".join(lines))
    con, _ = load(inbox)
    assert loaded_codes(con) == ["E-0", "E-2"]
    assert [(r, ru, "UTF-8" in reason) for _, r, ru, reason in rejects(con)] == [(3, "malformed_line", True)]


def test_renamed_and_reordered_columns_load_missing_required_column_rejects_the_file(inbox):
    headers = [c.header for c in DOSSIER_COLUMNS]
    renamed = ["Số hồ sơ" if h == "Mã hồ sơ" else h for h in headers][::-1]
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="R-1")], headers=renamed)
    missing = [h for h in headers if h != "Trạng thái"]
    write_export(inbox / "tthc", date(2026, 1, 6), [dossier_row(dossier_code="R-2")], headers=missing)
    con, stats = load(inbox, DAY, date(2026, 1, 6))
    assert loaded_codes(con) == ["R-1"]
    assert stats.files_rejected == 1
    issues = con.execute("SELECT file_name, rule, reason, blocking FROM file_issues ORDER BY file_name, rule").fetchall()
    assert ("ho_so_20260105.csv", "renamed_columns", "Tên cột khác mẫu, đã nhận diện: 'Số hồ sơ' → 'Mã hồ sơ'.", False) in issues
    rejected = [i for i in issues if i[3]]
    assert rejected == [("ho_so_20260106.csv", "missing_columns", "Thiếu cột bắt buộc 'Trạng thái'; không nạp được tệp.", True)]


def test_empty_and_missing_files_are_recorded_not_crashing(inbox):
    (inbox / "tthc" / "ho_so_20260105.csv").write_bytes(b"")
    con, stats = load(inbox, DAY, date(2026, 1, 6))
    assert (stats.files_rejected, stats.files_missing, stats.rows_loaded) == (1, 1, 0)
    assert con.execute("SELECT partition_date, status FROM landed_files WHERE source = 'tthc_dossier' ORDER BY 1").fetchall() == [
        (DAY, "rejected"),
        (date(2026, 1, 6), "missing"),
    ]
    assert con.execute("SELECT rule FROM file_issues").fetchall() == [("empty_file",)]


def test_latest_version_wins_across_days_whatever_order_partitions_load(inbox):
    folder = inbox / "tthc"
    write_export(folder, DAY, [dossier_row(dossier_code="L-1")])
    write_export(
        folder,
        date(2026, 1, 6),
        [
            dossier_row(
                dossier_code="L-1", status="Đã hoàn thành", completed_at="06/01/2026 09:00:00", updated_at="06/01/2026 09:00:00"
            )
        ],
    )
    con, _ = load(inbox, date(2026, 1, 6), date(2026, 1, 6))
    con, _ = load(inbox, DAY, DAY, con=con)  # the older day after the newer one
    assert con.execute("SELECT status, finished_on_time, version_count, first_export_date FROM fct_dossier").fetchall() == [
        ("completed", True, 2, DAY)
    ]


def test_reloading_the_same_files_changes_nothing(inbox):
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="I-1"), dossier_row(dossier_code="I-2", fee_due="-1")])
    con, _ = load(inbox)
    tables = ["stg_dossier_versions", "fct_dossier", "quarantine", "landed_files", "file_issues"]
    before = {
        t: con.execute(
            f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL" if t == "landed_files" else f"SELECT * FROM {t} ORDER BY ALL"
        ).fetchall()
        for t in tables
    }
    con, _ = load(inbox, con=con)
    after = {
        t: con.execute(
            f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL" if t == "landed_files" else f"SELECT * FROM {t} ORDER BY ALL"
        ).fetchall()
        for t in tables
    }
    assert before == after
    assert len(before["stg_dossier_versions"]) == 1 and len(before["quarantine"]) == 1


def test_catalogue_rejects_bad_rows_and_keeps_good_ones(inbox):
    from tests.conftest import write_catalogue

    write_catalogue(
        inbox / "tthc",
        [
            ["2.000001", "A", "B", "Cấp xã", "Toàn trình", "Có"],
            ["2.000002", "A", "B", "Cấp huyện", "Toàn trình", "Có"],
            ["2.000001", "A", "B", "Cấp xã", "Toàn trình", "Có"],
            ["2.000001", "A khác", "B", "Cấp xã", "Toàn trình", "Có"],
        ],
    )
    result = read_catalogue(inbox / "tthc" / CATALOGUE_FILE_NAME, inbox / "work", matcher=matcher_for("Thái Nguyên"))
    assert [r["procedure_code"] for r in result.rows] == ["2.000001"]
    # The verbatim copy (line 4) is one procedure, reported once; a different row with the same code is a conflict.
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [
        (3, "bad_value:authority_level"),
        (5, "duplicate_procedure"),
    ]
    assert [i.rule for i in result.file_issues] == ["duplicate_rows"] and "dòng 4 (= dòng 2)" in result.file_issues[0].reason


def test_portal_sync_flag_reaches_versions_and_current_state(inbox):
    folder = inbox / "tthc"
    write_export(
        folder,
        DAY,
        [
            dossier_row(dossier_code="S-1", synced_to_portal="Không"),
            dossier_row(dossier_code="S-2", synced_to_portal="Có"),
            dossier_row(dossier_code="S-3", synced_to_portal=""),
            dossier_row(dossier_code="S-4", synced_to_portal="Chưa rõ"),
        ],
    )
    write_export(
        folder, date(2026, 1, 6), [dossier_row(dossier_code="S-1", synced_to_portal="có", updated_at="06/01/2026 09:00:00")]
    )
    con, _ = load(inbox, DAY, date(2026, 1, 6))
    assert con.execute(
        "SELECT dossier_code, export_date, synced_to_portal FROM stg_dossier_versions ORDER BY ALL"
    ).fetchall() == [("S-1", DAY, False), ("S-1", date(2026, 1, 6), True), ("S-2", DAY, True), ("S-3", DAY, None)]
    assert con.execute("SELECT dossier_code, synced_to_portal FROM fct_dossier ORDER BY 1").fetchall() == [
        ("S-1", True),
        ("S-2", True),
        ("S-3", None),
    ]
    found = rejects(con)
    assert [(r, ru) for _, r, ru, _ in found] == [(5, "bad_value:synced_to_portal")]
    assert "Đã đồng bộ Cổng DVCQG" in found[0][3] and "Chưa rõ" in found[0][3]


def test_export_without_the_sync_column_loads_with_an_unknown_flag(inbox):
    headers = [c.header for c in DOSSIER_COLUMNS if c.name != "synced_to_portal"]
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="N-1")], headers=headers)
    alias = ["Đồng bộ DVCQG" if h == "Đã đồng bộ Cổng DVCQG" else h for h in (c.header for c in DOSSIER_COLUMNS)]
    write_export(inbox / "tthc", date(2026, 1, 6), [dossier_row(dossier_code="N-2", synced_to_portal="Không")], headers=alias)
    con, stats = load(inbox, DAY, date(2026, 1, 6))
    assert stats.rows_rejected == 0
    assert con.execute("SELECT dossier_code, synced_to_portal FROM fct_dossier ORDER BY 1").fetchall() == [
        ("N-1", None),
        ("N-2", False),
    ]
    issues = con.execute("SELECT file_name, rule, blocking FROM file_issues ORDER BY ALL").fetchall()
    assert ("ho_so_20260105.csv", "missing_optional_columns", False) in issues
    assert ("ho_so_20260106.csv", "renamed_columns", False) in issues


def test_the_year_of_a_receipt_date_is_the_year_strptime_reads():
    """The normalised copy keys an ID number with the receipt year found by a pattern; wherever one of the profile's
    formats reads the value, the year is the one strptime reads (a value none reads is rejected with its row)."""
    from sources.tthc_dossiers import year_of

    formats = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S")
    values = ["05/01/2026 07:30:02", " 5/1/2025 7:05", "31/12/2024", "2023-06-30", "12/31/2022 23:59:59", "01/02/2026x"]
    for value in values:
        read = None
        for fmt in formats:
            try:
                read = datetime.strptime(value.strip(), fmt).year
                break
            except ValueError:
                continue
        if read is not None:
            assert year_of(value, formats) == read, value
    assert year_of("2023-06-30", formats) == 2023 and year_of("không rõ", formats) is None


def test_the_id_number_is_keyed_as_it_is_read_and_no_staging_table_holds_it(inbox):
    """The scan keys the ID number itself (DuckDB may spill a big temporary table to disk): while the batch is
    staged, no temporary table holds an ID number, from a received file or from a normalised copy (Windows-1258).
    The key is the receipt year's; a dossier received in a year without a key (1965) loads without one; two lines
    differing only by their ID number (and an unreadable date) are both rejected, not taken for verbatim copies."""
    ids = [f"0011990000{i:02d}" for i in range(5)]
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(dossier_code="K-0", applicant_id=ids[0]),
            dossier_row(
                dossier_code="K-1",
                applicant_id=ids[1],
                received_at="05/01/1965 08:00:00",
                due_at="08/01/1965 17:00:00",
                updated_at="05/01/1965 08:00:00",
            ),
            dossier_row(dossier_code="K-2", applicant_id=ids[2], received_at="hôm qua"),
            dossier_row(dossier_code="K-2", applicant_id=ids[3], received_at="hôm qua"),
        ],
    )
    # A line with an unquoted comma in its address: DuckDB's rejects table holds such a line whole while it reads.
    received = inbox / "tthc" / "ho_so_20260105.csv"
    lines = received.read_text(encoding="utf-8-sig").splitlines()
    broken = lines[1].replace(ids[0], "001199000077").replace("K-0", "K-9") + ", xã Phú Bình"
    received.write_text("\n".join([*lines, broken, ""]), encoding="utf-8-sig")
    day2 = date(2026, 1, 6)
    write_export(inbox / "tthc", day2, [dossier_row(dossier_code="K-4", applicant_id=ids[4])], encoding="cp1258")
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, inbox / "work", matcher=matcher_for("Thái Nguyên")), NOW)
    files = export_files(inbox / "tthc", DAY, day2)
    stage_dossier_exports(con, files, matcher=matcher_for("Thái Nguyên"), keys=TEST_KEYS, work_dir=inbox / "work")
    staged = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
    ).fetchall()
    assert ("_dossier_typed",) in staged
    for (name,) in staged:
        text = str(con.execute(f'SELECT * FROM temp."{name}"').fetchall())
        assert not [i for i in [*ids, "001199000077"] if i in text], name
    assert con.execute("SELECT rule FROM _dossier_rejects WHERE rule = 'malformed_line'").fetchall() == [("malformed_line",)]
    keys = dict(con.execute("SELECT dossier_code, applicant_key FROM _dossier_good").fetchall())
    assert keys == {"K-0": TEST_KEYS.applicant_key(2026, ids[0]), "K-1": None, "K-4": TEST_KEYS.applicant_key(2026, ids[4])}
    rejected = con.execute("SELECT row_number, rule FROM _dossier_rejects WHERE rule = 'bad_date:received_at'").fetchall()
    assert sorted(rejected) == [(4, "bad_date:received_at"), (5, "bad_date:received_at")]


def test_a_reordered_file_with_an_unquoted_comma_rejects_that_line_without_its_content(inbox):
    """A file read through a normalised copy (columns reordered, personal ones first): a phone number written with an
    unquoted comma gives the line one field too many. Its values cannot be put in their columns (the address would
    land in the dossier code): the line is rejected as malformed, without content, and the lines around it load."""
    headers = [c.header for c in DOSSIER_COLUMNS]
    personal = ["Họ tên người nộp", "Số CCCD/CMND", "Số điện thoại", "Địa chỉ"]
    order = personal + [h for h in headers if h not in personal]
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"P-{i}") for i in range(3)], headers=order)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("0912345678", "0912345678, 0987654321")
    path.write_text("\n".join([*lines, ""]), encoding="utf-8-sig")
    # The next day in upper-case headers (so also through a copy), with a surplus field at the end of a line.
    write_export(inbox / "tthc", date(2026, 1, 6), [dossier_row(dossier_code=f"S-{i}") for i in range(2)])
    second = inbox / "tthc" / "ho_so_20260106.csv"
    rows = second.read_text(encoding="utf-8-sig").splitlines()
    rows[0] = rows[0].upper()
    rows[2] += ",surplus"
    second.write_text("\n".join([*rows, ""]), encoding="utf-8-sig")
    con, _ = load(inbox, DAY, date(2026, 1, 6))
    assert sorted(loaded_codes(con)) == ["P-0", "P-2", "S-0"]
    assert [(f, r, ru, reason) for f, r, ru, reason in rejects(con)] == [
        ("ho_so_20260105.csv", 3, "malformed_line", "Dòng thừa cột (dấu phẩy trong giá trị không được đặt trong ngoặc kép)."),
        ("ho_so_20260106.csv", 3, "malformed_line", "Dòng thừa cột (dấu phẩy trong giá trị không được đặt trong ngoặc kép)."),
    ]
    stored = str(con.execute("SELECT * FROM quarantine").fetchall())
    assert not [v for v in [*PERSONAL_VALUES, "0987654321", "Tổ 5"] if v in stored]


def test_an_id_column_without_an_id_number_loads_the_dossier_without_a_key(inbox):
    """A file read in place: an applicant's name with an unquoted comma and an empty address gives a line whose one
    surplus field is empty, which DuckDB accepts with the end of the name in the ID column. That value (and a
    placeholder such as '0' or 'không có', which would merge strangers under one key) is not keyed: the dossier loads
    without an applicant key and its line is named in a notice. Passports and tax codes are ID numbers."""
    rows = [
        dossier_row(dossier_code="I-0"),
        dossier_row(dossier_code="I-1", applicant_address=""),
        dossier_row(dossier_code="I-2", applicant_id="0"),
        dossier_row(dossier_code="I-3", applicant_id="không có"),
        dossier_row(dossier_code="I-4", applicant_id="C1234567"),
        dossier_row(dossier_code="I-5", applicant_id="0101234567-001"),
    ]
    path = write_export(inbox / "tthc", DAY, rows)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    name = DEFAULT_ROW["applicant_name"]
    assert name in lines[2] and "," not in name
    lines[2] = lines[2].replace(name, name.replace(" ", ", ", 1))  # "Nguyễn, Thị Hoa" unquoted
    path.write_text("\n".join([*lines, ""]), encoding="utf-8-sig")
    con, stats = load(inbox)
    assert (stats.rows_loaded, stats.rows_rejected) == (6, 0)
    keys = dict(con.execute("SELECT dossier_code, applicant_key FROM stg_dossier_versions").fetchall())
    assert keys == {
        "I-0": TEST_KEYS.applicant_key(2026, DEFAULT_ROW["applicant_id"]),
        "I-1": None,
        "I-2": None,
        "I-3": None,
        "I-4": TEST_KEYS.applicant_key(2026, "C1234567"),
        "I-5": TEST_KEYS.applicant_key(2026, "0101234567-001"),
    }
    (notice,) = con.execute("SELECT blocking, reason FROM file_issues WHERE rule = 'applicant_id_unshaped'").fetchall()
    assert notice[0] is False
    assert "3 dòng" in notice[1] and "(dòng 3, 4, 5)" in notice[1]
    stored = str(con.execute("SELECT * FROM file_issues").fetchall() + con.execute("SELECT * FROM quarantine").fetchall())
    assert not [v for v in ["Thị Hoa", *PERSONAL_VALUES] if v in stored]


def test_a_copy_keys_only_id_numbers_as_the_scan_does(inbox):
    """The same rule on a file read through a normalised copy (upper-case headers): a placeholder is not keyed and
    named; an ID number is keyed as in a file read in place."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="J-0"), dossier_row(dossier_code="J-1", applicant_id="000")])
    path = inbox / "tthc" / "ho_so_20260105.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[0] = lines[0].upper()
    path.write_text("\n".join([*lines, ""]), encoding="utf-8-sig")
    con, stats = load(inbox)
    assert (stats.rows_loaded, stats.rows_rejected) == (2, 0)
    keys = dict(con.execute("SELECT dossier_code, applicant_key FROM stg_dossier_versions").fetchall())
    assert keys == {"J-0": TEST_KEYS.applicant_key(2026, DEFAULT_ROW["applicant_id"]), "J-1": None}
    assert con.execute("SELECT count(*) FROM file_issues WHERE rule = 'applicant_id_unshaped'").fetchone() == (1,)


@pytest.mark.parametrize("ends", ["header LF, rows CRLF", "CRLF with one LF line", "LF with one CRLF line"])
def test_mixed_line_ends_load_every_good_line(inbox, ends):
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"C-{i}") for i in range(4)])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    if ends == "header LF, rows CRLF":
        text = lines[0] + "\n" + "".join(line + "\r\n" for line in lines[1:])
    elif ends == "CRLF with one LF line":
        text = "".join(line + ("\n" if i == 2 else "\r\n") for i, line in enumerate(lines))
    else:
        text = "".join(line + ("\r\n" if i == 2 else "\n") for i, line in enumerate(lines))
    path.write_bytes(("\ufeff" + text).encode())
    con, stats = load(inbox)
    assert con.execute("SELECT dossier_code, source_row FROM stg_dossier_versions ORDER BY 2").fetchall() == [
        ("C-0", 2),
        ("C-1", 3),
        ("C-2", 4),
        ("C-3", 5),
    ]
    assert (stats.rows_loaded, stats.rows_rejected) == (4, 0)
    assert ("line_ends_converted", False) in con.execute("SELECT rule, blocking FROM file_issues").fetchall()


def test_counts_amounts_and_years_are_read_strictly(inbox):
    """A cast alone takes '1.5' (as 2), '1e3', '0x10' and '1_000', and DuckDB's %Y a two-digit year (the year 26):
    each is rejected with its value; thousands grouped by '.' or ',' are an amount."""
    rows = [
        dossier_row(dossier_code="V-0", fee_due="1.000.000"),
        dossier_row(dossier_code="V-1", fee_due="250,000", supplement_requests="2"),
        dossier_row(dossier_code="V-2", received_at="05/01/26 08:00:00"),
        dossier_row(dossier_code="V-3", fee_due="12.5"),
        dossier_row(dossier_code="V-4", fee_due="1.500,50"),
        dossier_row(dossier_code="V-5", fee_due="0x10"),
        dossier_row(dossier_code="V-6", fee_due="1e3"),
        dossier_row(dossier_code="V-7", supplement_requests="1.5"),
        dossier_row(dossier_code="V-8", supplement_requests="1e2"),
        dossier_row(dossier_code="V-9", supplement_requests="1_000"),
        # a citizen's ID number typed into a count or an amount: never loaded as 1,199,012,345 (quoted masked)
        dossier_row(dossier_code="V-10", supplement_requests="001199012345"),
        dossier_row(dossier_code="V-11", fee_due="001199012345"),
    ]
    write_export(inbox / "tthc", DAY, rows)
    con, _ = load(inbox)
    assert con.execute("SELECT dossier_code, fee_due, supplement_requests FROM stg_dossier_versions ORDER BY 1").fetchall() == [
        ("V-0", 1_000_000, 0),
        ("V-1", 250_000, 2),
    ]
    assert [(r, ru, reason.rsplit(": ", 1)[1]) for _, r, ru, reason in rejects(con)] == [
        (4, "bad_date:received_at", "'05/01/26 08:00:00'."),
        (5, "bad_amount", "'12.5'."),
        (6, "bad_amount", "'1.500,50'."),
        (7, "bad_amount", "'0x10'."),
        (8, "bad_amount", "'1e3'."),
        (9, "bad_count", "'1.5'."),
        (10, "bad_count", "'1e2'."),
        (11, "bad_count", "'1_000'."),
        (12, "bad_count", "'[đã ẩn]'."),
        (13, "bad_amount", "'[đã ẩn]'."),
    ]


def test_codes_lose_a_pasted_byte_order_mark_and_zero_width_characters(inbox):
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="\ufeffB-1"), dossier_row(dossier_code="B-2\u200b")])
    con, _ = load(inbox)
    assert loaded_codes(con) == ["B-1", "B-2"]


def test_a_due_date_without_a_time_is_due_by_the_end_of_that_day(inbox):
    """'Ngày hẹn trả' written as a date only (a profile format the exports use) or at midnight (a system storing the
    date alone): a dossier finished at 10:00 on its due day is on time, so the due time is the day's last second, not
    its first. A refusal without a completion time (systems often leave it empty) ended when it was recorded."""
    done = {"status": "Đã trả kết quả", "completed_at": "08/01/2026 10:00:00", "updated_at": "08/01/2026 10:00:00"}
    refused = {"status": "Từ chối giải quyết", "completed_at": "", "updated_at": "07/01/2026 10:00:00"}
    rows = [
        dossier_row(dossier_code="D-1", due_at="08/01/2026", **done),
        dossier_row(dossier_code="D-2", due_at="08/01/2026 08:00:00", **done),
        dossier_row(dossier_code="D-3", due_at="08/01/2026 00:00:00", **done),
        dossier_row(dossier_code="D-4", due_at="08/01/2026 17:00:00", **refused),
    ]
    write_export(inbox / "tthc", DAY + timedelta(days=3), rows)
    con, _ = load(inbox, DAY + timedelta(days=3), DAY + timedelta(days=3))
    assert con.execute("SELECT dossier_code, due_at, finished_on_time FROM fct_dossier ORDER BY 1").fetchall() == [
        ("D-1", datetime(2026, 1, 8, 23, 59, 59), True),
        ("D-2", datetime(2026, 1, 8, 8, 0), False),
        ("D-3", datetime(2026, 1, 8, 23, 59, 59), True),
        ("D-4", datetime(2026, 1, 8, 17, 0), True),
    ]


def test_a_code_copied_with_a_tab_or_line_break_is_the_same_dossier(inbox):
    """'H55-0001' one day, 'H55-0001<TAB>' (a cell copied with its end) or a quoted 'H55-0001<LF>' the next: one dossier
    in its latest state, not a second one left "processing" for ever."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="H-1"), dossier_row(dossier_code="H-2")])
    later = {"status": "Đã trả kết quả", "completed_at": "06/01/2026 10:00:00", "updated_at": "06/01/2026 10:00:00"}
    rows = [dossier_row(dossier_code="H-1\t", **later), dossier_row(dossier_code="H-2\r\n", procedure_code="2.000001\t", **later)]
    write_export(inbox / "tthc", DAY + timedelta(days=1), rows)
    con, _ = load(inbox, DAY, DAY + timedelta(days=1))
    assert rejects(con) == []
    assert con.execute("SELECT dossier_code, status FROM fct_dossier ORDER BY 1").fetchall() == [
        ("H-1", "returned"),
        ("H-2", "returned"),
    ]


def test_an_export_named_in_other_letter_case_is_that_days_export(inbox):
    """Windows keeps HO_SO_20260105.CSV as written: it is the day's export. Two spellings of one day: the standard
    one is read and the other named in its issues."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="U-1")]).rename(inbox / "tthc" / "HO_SO_20260105.CSV")
    day2 = date(2026, 1, 6)
    write_export(inbox / "tthc", day2, [dossier_row(dossier_code="U-2")])
    (inbox / "tthc" / "ho_so_20260106.CSV").write_bytes((inbox / "tthc" / "ho_so_20260106.csv").read_bytes())
    con, stats = load(inbox, DAY, day2)
    assert con.execute("SELECT source_file, dossier_code FROM stg_dossier_versions ORDER BY 2").fetchall() == [
        ("HO_SO_20260105.CSV", "U-1"),
        ("ho_so_20260106.csv", "U-2"),
    ]
    assert stats.files_missing == 0
    issue = con.execute("SELECT file_name, reason FROM file_issues WHERE rule = 'same_day_other_name'").fetchall()
    assert issue == [("ho_so_20260106.csv", issue[0][1])] and "'ho_so_20260106.CSV'" in issue[0][1]


def test_a_days_export_under_another_name_is_read_or_refused_never_passed_over(inbox):
    """What offices and browsers leave in tthc/: a date with dashes (read as the day's export), a browser's later
    second download 'ho_so_… (1).csv' beside the first (the later one is read, the first named), the day saved as
    Excel (refused for its kind, not reported missing), a name without a day (refused by name)."""
    import os

    folder = inbox / "tthc"
    day1, day2, day3 = DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)
    write_export(folder, day1, [dossier_row(dossier_code="A-1")]).rename(folder / "ho_so_2026-01-05.csv")
    first = write_export(folder, day2, [dossier_row(dossier_code="B-1")])
    later = write_export(folder, day2, [dossier_row(dossier_code="B-1"), dossier_row(dossier_code="B-2")])
    later.rename(folder / "ho_so_20260106 (1).csv")
    write_export(folder, day2, [dossier_row(dossier_code="B-1")])  # the first download again, now older than (1)
    os.utime(first, (1_700_000_000, 1_700_000_000))
    (folder / "ho_so_20260107.xlsx").write_bytes(b"PK\x03\x04" + b"[Content_Types].xml xl/" + b"\x00" * 64)
    (folder / "ho_so_thang_1.csv").write_text("Mã hồ sơ\n", encoding="utf-8")
    (folder / "ho_so_20620105.csv").write_text("Mã hồ sơ\n", encoding="utf-8")  # a mistyped year: waited for for ever
    con, stats = load(inbox, day1, day3)
    assert con.execute("SELECT source_file, dossier_code FROM stg_dossier_versions ORDER BY 2").fetchall() == [
        ("ho_so_2026-01-05.csv", "A-1"),
        ("ho_so_20260106 (1).csv", "B-1"),
        ("ho_so_20260106 (1).csv", "B-2"),
    ]
    assert stats.files_missing == 0 and stats.files_rejected == 1
    landed = con.execute(
        "SELECT partition_date, file_name, status FROM landed_files WHERE source = 'tthc_dossier' ORDER BY 1"
    ).fetchall()
    assert [(f, s) for _, f, s in landed] == [
        ("ho_so_2026-01-05.csv", "loaded"),
        ("ho_so_20260106 (1).csv", "loaded"),
        ("ho_so_20260107.xlsx", "rejected"),
        ("ho_so_20620105.csv", "rejected"),
        ("ho_so_thang_1.csv", "rejected"),  # lineage of a file read for no day, as of every unread inbox file
    ]
    issues = {
        (f, r): (b, reason)
        for f, r, b, reason in con.execute("SELECT file_name, rule, blocking, reason FROM file_issues").fetchall()
    }
    assert "'ho_so_20260106.csv'" in issues[("ho_so_20260106 (1).csv", "same_day_other_name")][1]
    blocking, reason = issues[("ho_so_20260107.xlsx", "bad_workbook")]  # read as the workbook it says it is
    assert blocking and reason.startswith("Tệp Excel hỏng")
    assert issues[("ho_so_thang_1.csv", "file_name")][0] is True
    assert "05/01/2062, còn ở xa trong tương lai" in issues[("ho_so_20620105.csv", "file_name")][1]
    tables = {
        t: con.execute(f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL").fetchall() for t in ("file_issues", "landed_files")
    }
    load(inbox, day1, day3, con=con)  # a rerun: the same tables
    assert {t: con.execute(f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL").fetchall() for t in tables} == tables
    (folder / "ho_so_thang_1.csv").unlink()  # gone: its refusal goes with it
    load(inbox, day1, day3, con=con)
    assert con.execute("SELECT count(*) FROM landed_files WHERE file_name = 'ho_so_thang_1.csv'").fetchall() == [(0,)]


def test_an_older_copy_of_conflicting_latest_versions_names_no_kept_line(inbox):
    rows = [
        dossier_row(dossier_code="T-1", updated_at="05/01/2026 10:00:00", channel="Trực tuyến"),
        dossier_row(dossier_code="T-1", updated_at="05/01/2026 10:00:00", channel="Trực tiếp"),
        dossier_row(dossier_code="T-1", updated_at="05/01/2026 09:00:00"),
    ]
    write_export(inbox / "tthc", DAY, rows)
    con, _ = load(inbox)
    assert loaded_codes(con) == []
    got = [(r, ru, "dòng 3" in reason) for _, r, ru, reason in rejects(con)]
    assert got == [(2, "duplicate_conflict", False), (3, "duplicate_conflict", False), (4, "duplicate_in_file", False)]


@pytest.mark.parametrize("rows", [3, 4000], ids=["small file", "file over 1 MB"])
def test_one_line_pasted_from_a_windows_1258_tool_rejects_only_that_line(inbox, rows):
    """A UTF-8 export with one whole line in Windows-1258 (its tone marks are combining bytes): in a small file the
    broken line's many letters must not make the whole file look Windows-1258; in a big one, checked on samples, the
    line (placed where no sample falls) must not load with replacement characters. Either way that line is rejected
    and the others load."""
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"M-{i}") for i in range(rows)])
    lines = path.read_bytes().split(b"\n")
    text = lines[1].decode()
    for broken in range(1, rows + 1):
        candidate = [*lines[:broken], cp1258_bytes(text.replace("M-0", "W-1")), *lines[broken + 1 :]]
        if rows < 10 or _looks_utf8(b"\n".join(candidate)):
            break
    path.write_bytes(b"\n".join(candidate))
    con, stats = load(inbox)
    assert (stats.rows_loaded, stats.rows_rejected) == (rows - 1, 1)
    found = rejects(con)
    assert {r for _, r, _, _ in found} == {broken + 1}  # (its mangled code words are reported as well)
    assert ("malformed_line", True) in [(ru, "UTF-8" in reason) for _, _, ru, reason in found]
    assert con.execute("SELECT count(*) FROM stg_dossier_versions WHERE contains(receiving_centre, '\ufffd')").fetchone() == (0,)


def test_blank_lines_and_values_spanning_lines_keep_every_line_number_right(inbox):
    """DuckDB skips a blank line and reads a quoted value with a line break as one row: the lines after them, good or
    bad, still carry their number in the file, in a file read in place and in a normalised copy (upper-case header)."""
    for day, upper in ((DAY, False), (date(2026, 1, 6), True)):
        path = write_export(
            inbox / "tthc",
            day,
            [
                dossier_row(dossier_code="L-1"),
                dossier_row(dossier_code="L-2", receiving_centre="Trung tâm\nPhục vụ hành chính công"),
                dossier_row(dossier_code="L-3"),
                dossier_row(dossier_code="L-4", channel="Fax"),
                dossier_row(dossier_code="L-5"),
            ],
        )
        lines = path.read_text(encoding="utf-8-sig").split("\n")  # header, L-1, L-2 (2 lines), L-3, L-4, L-5, ''
        if upper:
            lines[0] = lines[0].upper()
        lines.insert(5, "")  # a blank line after L-3
        lines.insert(7, "only,three,fields")  # a broken line after L-4
        path.write_text("\n".join(lines), encoding="utf-8-sig")
    con, _ = load(inbox, DAY, date(2026, 1, 6))
    rows = con.execute("SELECT source_file, dossier_code, source_row FROM stg_dossier_versions ORDER BY 1, 3").fetchall()
    expected = [("L-1", 2), ("L-2", 3), ("L-3", 5), ("L-5", 9)]
    assert rows == [(f, code, line) for f in ("ho_so_20260105.csv", "ho_so_20260106.csv") for code, line in expected]
    assert sorted((f, r, ru) for f, r, ru, _ in rejects(con)) == [
        (f, r, ru)
        for f in ("ho_so_20260105.csv", "ho_so_20260106.csv")
        for r, ru in ((7, "bad_value:channel"), (8, "malformed_line"))
    ]


@pytest.mark.parametrize("at_line", [3, 60])
def test_a_stray_nul_byte_rejects_its_line_not_the_file(inbox, at_line):
    """One NUL byte (a tool's padding) is not a binary file: in the file's first 4 kB or further on, only its line
    is rejected, and no value holding it is loaded."""
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"Z-{i}") for i in range(80)])
    lines = path.read_bytes().split(b"\n")
    lines[at_line - 1] = lines[at_line - 1].replace(b"Trung t", b"Trung\x00t")
    path.write_bytes(b"\n".join(lines))
    con, stats = load(inbox)
    assert (stats.rows_loaded, stats.rows_rejected) == (79, 1)
    assert [(r, ru) for _, r, ru, _ in rejects(con)] == [(at_line, "malformed_line")]
    assert con.execute("SELECT count(*) FROM stg_dossier_versions WHERE contains(receiving_centre, chr(0))").fetchone() == (0,)


def test_two_exports_pasted_together_give_one_reason_for_the_second_header(inbox):
    first = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="G-1")])
    second = write_export(inbox / "tthc", date(2026, 1, 6), [dossier_row(dossier_code="G-2")])
    first.write_bytes(first.read_bytes() + second.read_bytes())  # the second keeps its BOM and header
    second.unlink()
    con, _ = load(inbox)
    assert loaded_codes(con) == ["G-1", "G-2"]
    assert [(r, ru) for _, r, ru, _ in rejects(con)] == [(3, "repeated_header")]


def test_an_export_put_in_a_sub_folder_is_refused_by_name_not_passed_over(inbox):
    """tthc/2026-01/ho_so_20260106.csv (an office sorting its exports by month): only the folder's own files are
    read; the file was silent (no run, no issue). It is refused naming it and saying what to do; the day's own
    export loads."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="OK-1")])
    write_export(inbox / "tthc" / "2026-01", date(2026, 1, 6), [dossier_row(dossier_code="OK-2")])
    con, _ = load(inbox)
    assert loaded_codes(con) == ["OK-1"]
    [(name, reason)] = con.execute("SELECT file_name, reason FROM file_issues WHERE rule = 'in_subfolder'").fetchall()
    assert name == "2026-01/ho_so_20260106.csv" and "thư mục con '2026-01'" in reason and "Chuyển tệp ra" in reason


def test_a_dossier_code_that_is_a_citizens_number_loads_under_a_pseudonym(inbox):
    """An officer typed the applicant's phone or CCCD (or 'SĐT: …', an e-mail) where the system's dossier code
    belongs. The dossier still counts, its versions of two days still meet, and the number reaches no table: the code
    is loaded as '~' and 24 letters a-p of its keyed hash, and the lines are named in a notice. Real codes, numeric
    ones of the system's own shape included, are kept as they are."""
    personal = [
        "0912 345 678",
        "001234567890",
        "SĐT: 0987.654.321",
        "an.nguyen@gmail.com",
        "(+84) 912 000 111",
        "SDT 0977111222",
        "0922\u00a0333  444",
        "34095012345",
        "０９６６５５５４４４",
    ]
    kept = ["H55.111-261016-0001", "000.00.12.H55-260105-0001", "2026-000123", "0105.26.0001", "TEL-2026-000123"]
    rows = [dossier_row(dossier_code=c) for c in [*personal, *kept]]
    write_export(inbox / "tthc", DAY, rows)
    returned = dossier_row(dossier_code="0912 345 678", status="Đã trả kết quả", completed_at="06/01/2026 10:00")
    write_export(inbox / "tthc", DAY + timedelta(days=1), [returned])
    con, stats = load(inbox, DAY, DAY + timedelta(days=1))
    assert rejects(con) == [] and (stats.rows_loaded, stats.rows_rejected) == (15, 0)
    codes = loaded_codes(con)
    assert [c for c in codes if not c.startswith("~")] == kept
    pseudonyms = [c for c in codes if c.startswith("~")]
    assert len(pseudonyms) == 10 and len(set(pseudonyms)) == 9
    assert all(re.fullmatch("~[a-p]{24}", c) for c in pseudonyms)
    # the same number on two days is one dossier, now returned
    assert con.execute("SELECT count(*) FROM fct_dossier WHERE dossier_code LIKE '~%'").fetchone() == (9,)
    (notice,) = con.execute(
        "SELECT reason FROM file_issues WHERE rule = 'dossier_code_personal' AND file_name = 'ho_so_20260105.csv'"
    ).fetchall()
    assert "9 dòng" in notice[0] and "(dòng 2, 3, 4, 5, 6, 7, 8, 9, 10;" in notice[0]
    stored = str([con.execute(f"SELECT * FROM {t}").fetchall() for (t,) in con.execute("SHOW TABLES").fetchall()])
    assert not [v for v in ["345 678", "001234567890", "654.321", "an.nguyen", "912 000", "7111222", "5012345"] if v in stored]


def test_a_rejected_row_keeps_the_pseudonym_of_its_code_whatever_its_receipt_year(inbox):
    """A row of such a code rejected for its unit or its date is named in the quarantine by the same pseudonym on
    every run (never masked into pieces, never keyed at random), and the number is not there."""
    rows = [
        dossier_row(dossier_code="0912345678", resolving_unit="Xã Không Tồn Tại"),
        dossier_row(dossier_code="0977111222", received_at="hôm qua"),
        dossier_row(dossier_code="0977111333", received_at="05/01/1999 08:00:00"),
    ]
    write_export(inbox / "tthc", DAY, rows)
    con, _ = load(inbox)
    keys = con.execute("SELECT row_number, record_key FROM quarantine ORDER BY ALL").fetchall()
    assert {r for r, _ in keys} == {2, 3} and all(re.fullmatch("~[a-p]{24}", k) for _, k in keys)
    old_year = loaded_codes(con)  # a year without its own key (1999): the fixed fallback key, not a random one
    again, _ = load(inbox)
    assert again.execute("SELECT row_number, record_key FROM quarantine ORDER BY ALL").fetchall() == keys
    assert loaded_codes(again) == old_year and re.fullmatch("~[a-p]{24}", old_year[0])
    assert not [v for v in ("0912345678", "0977111222", "0977111333") if v in str(keys + old_year)]


def test_a_copy_keys_a_dossier_code_that_is_a_number_as_the_scan_does(inbox):
    """The same dossier (its code a phone number) in a file read in place and, the next day, in one read through a
    normalised copy (upper-case headers): one pseudonym, one dossier; the copy on disk never holds the number."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="0912345678")])
    write_export(
        inbox / "tthc",
        DAY + timedelta(days=1),
        [dossier_row(dossier_code=" 0912345678", status="Đã trả kết quả", completed_at="06/01/2026 10:00")],
    )
    path = inbox / "tthc" / "ho_so_20260106.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[0] = lines[0].upper()
    path.write_text("\n".join([*lines, ""]), encoding="utf-8-sig")
    con, stats = load(inbox, DAY, DAY + timedelta(days=1))
    assert (stats.rows_loaded, stats.rows_rejected) == (2, 0)
    codes = loaded_codes(con)
    assert len(set(codes)) == 1 and codes[0].startswith("~")
    assert con.execute("SELECT count(*) FROM fct_dossier").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM file_issues WHERE rule = 'dossier_code_personal'").fetchone() == (2,)


def _typed_versions(con) -> list[tuple]:
    return con.execute("SELECT * EXCLUDE (source_row, source_file) FROM stg_dossier_versions ORDER BY dossier_code").fetchall()


def _as_cell(name: str, text: str) -> object:
    """A value as a workbook saved from the system holds it: dates as dates, counts and amounts as numbers."""
    if name in ("received_at", "due_at", "completed_at", "updated_at") and text[:1].isdigit():
        return datetime.strptime(text, "%d/%m/%Y %H:%M:%S")
    if name in ("supplement_requests", "fee_due") and text:
        return float(text)
    return text


def test_a_days_export_saved_as_a_workbook_loads_as_its_csv_would(inbox, tmp_path):
    """The system's export downloaded as .xlsx (or opened in Excel and saved): a title above the header, dates as
    date cells (one at midnight), numbers as numbers, a line break in a cell, a blank row. Its rows load exactly as
    the same rows in a CSV; a bad row is rejected by its line counted from the header, which a notice explains."""
    from openpyxl import Workbook

    rows = [
        dossier_row(dossier_code="W-1"),
        dossier_row(dossier_code="W-2", status="Đã trả kết quả", completed_at="06/01/2026 00:00:00", fee_due="50000"),
        dossier_row(dossier_code="W-3", receiving_centre="Trung tâm Phục vụ hành chính công\nPhường Phan Đình Phùng"),
        dossier_row(dossier_code="W-4", received_at="hôm qua"),
    ]
    write_export(
        tmp_path / "csv" / "tthc", DAY, [r | {"receiving_centre": " ".join(r["receiving_centre"].split())} for r in rows]
    )
    (tmp_path / "csv" / "tthc" / CATALOGUE_FILE_NAME).write_bytes((inbox / "tthc" / CATALOGUE_FILE_NAME).read_bytes())
    expected_con, expected = load(tmp_path / "csv")
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỒ SƠ TIẾP NHẬN NGÀY 05/01/2026"])
    ws.append([])
    ws.append([c.header for c in DOSSIER_COLUMNS])
    for i, row in enumerate(rows):
        if i == 2:
            ws.append([])
        ws.append([_as_cell(c.name, row[c.name]) for c in DOSSIER_COLUMNS])
    (inbox / "tthc").mkdir(exist_ok=True)
    wb.save(inbox / "tthc" / "ho_so_20260105.xlsx")
    con, stats = load(inbox)
    assert (stats.rows_loaded, stats.rows_rejected) == (expected.rows_loaded, expected.rows_rejected) == (3, 1)
    assert _typed_versions(con) == _typed_versions(expected_con)
    assert [r[1:3] for r in rejects(con)] == [(6, "bad_date:received_at")]  # sheet row 8, header row 3
    notes = dict(con.execute("SELECT rule, reason FROM file_issues").fetchall())
    assert "dòng tiêu đề là dòng 3" in notes["workbook_export"]
    assert con.execute("SELECT encoding, status FROM landed_files WHERE source = 'tthc_dossier'").fetchone() == (
        "xlsx",
        "partly_loaded",
    )
    assert not list((inbox / "work").glob("*.xlsx*"))


def test_an_html_table_saved_as_xls_loads_and_a_csv_named_xls_is_still_a_csv(inbox):
    """What older systems give for 'Xuất Excel': an HTML table under a .xls name, read as its table; a real CSV that
    someone renamed .xls is still read as the CSV it is."""
    cells = "".join(f"<th>{c.header}</th>" for c in DOSSIER_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{dossier_row(dossier_code=code)[c.name]}</td>" for c in DOSSIER_COLUMNS) + "</tr>"
        for code in ("H-1", "H-2")
    )
    (inbox / "tthc").mkdir(exist_ok=True)
    (inbox / "tthc" / "ho_so_20260105.xls").write_text(
        f"<html><meta charset='utf-8'><body><table><tr>{cells}</tr>{body}</table></body></html>", encoding="utf-8"
    )
    renamed = write_export(inbox / "tthc", DAY + timedelta(days=1), [dossier_row(dossier_code="C-1")])
    renamed.rename(renamed.with_suffix(".xls"))
    con, stats = load(inbox, DAY, DAY + timedelta(days=1))
    assert sorted(loaded_codes(con)) == ["C-1", "H-1", "H-2"] and stats.rows_rejected == 0


def test_a_workbook_without_the_export_header_is_refused_naming_what_is_missing(inbox):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Mã hồ sơ", "Ghi chú"])
    wb.active.append(["HS-1", "x"])
    (inbox / "tthc").mkdir(exist_ok=True)
    wb.save(inbox / "tthc" / "ho_so_20260105.xlsx")
    con, stats = load(inbox)
    assert stats.rows_loaded == 0
    (issue,) = con.execute("SELECT rule, blocking FROM file_issues WHERE blocking").fetchall()
    assert issue == ("missing_columns", True)


def test_a_workbook_export_with_formulas_merges_zero_padded_codes_and_a_footer(inbox):
    """What Excel leaves in a saved export: a code formula saved without its value and an #N/A (read as empty, the
    cells named in a note: the row without its code is rejected for it), a unit merged down over two rows (held for
    both, noted), a code in a '000000' number cell (its zeros kept, as Excel shows it), and a total row and the
    signature block under the table (not dossiers)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in DOSSIER_COLUMNS])
    for code in ("M-1", "M-2", "M-3", "M-4", "M-5"):
        ws.append([_as_cell(c.name, dossier_row(dossier_code=code)[c.name]) for c in DOSSIER_COLUMNS])
    unit = 1 + [c.name for c in DOSSIER_COLUMNS].index("resolving_unit")
    status = 1 + [c.name for c in DOSSIER_COLUMNS].index("status")
    ws.cell(3, unit).value = None
    ws.merge_cells(start_row=2, start_column=unit, end_row=3, end_column=unit)
    ws["A4"] = '="M-"&ROW()'  # saved by openpyxl: a formula without its value
    ws.cell(5, status).value = "#N/A"
    ws["A6"] = 5
    ws["A6"].number_format = "000000"
    ws.append(["Tổng số: 5 hồ sơ"])
    ws.append([])
    ws.append([None, None, "Người lập biểu"])
    (inbox / "tthc").mkdir(exist_ok=True)
    wb.save(inbox / "tthc" / "ho_so_20260105.xlsx")
    con, stats = load(inbox)
    assert sorted(loaded_codes(con)) == ["000005", "M-1", "M-2"]
    assert [r[1:3] for r in rejects(con)] == [(4, "missing_dossier_code"), (5, "bad_value:status")]
    notes = dict(con.execute("SELECT rule, reason FROM file_issues").fetchall())
    assert "A4 (uncalculated_formula)" in notes["cell_fault"] and "(excel_error)" in notes["cell_fault"]
    assert "merged_cells" in notes and stats.rows_rejected == 2


def test_the_current_state_keeps_when_the_supplement_was_asked_for(inbox):
    """The time a dossier went to 'Chờ bổ sung' (its first such version's update time) is kept with its current state:
    2.1 does not count the time of supplementing (warehouse/sql/qd766/dossier_measures.sql)."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="S-1"), dossier_row(dossier_code="S-2")])
    asked = dossier_row(dossier_code="S-1", status="Chờ bổ sung", supplement_requests="1", updated_at="06/01/2026 09:30:00")
    write_export(inbox / "tthc", DAY + timedelta(days=1), [asked])
    con, _ = load(inbox, DAY, DAY + timedelta(days=1))
    assert dict(con.execute("SELECT dossier_code, supplement_requested_at FROM fct_dossier").fetchall()) == {
        "S-1": datetime(2026, 1, 6, 9, 30),
        "S-2": None,
    }


def test_a_warehouse_built_before_the_supplement_time_gains_it_from_its_versions(inbox):
    """An older warehouse's fct_dossier has no supplement_requested_at: the upgrade fills it from the versions, so 2.1
    is the same as in a warehouse built anew (a refresh recomputes only the dossiers of the days it loads)."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="U-1"), dossier_row(dossier_code="U-2")])
    asked = dossier_row(dossier_code="U-1", status="Chờ bổ sung", supplement_requests="1", updated_at="06/01/2026 09:30:00")
    refused = dossier_row(dossier_code="U-2", status="Từ chối giải quyết", completed_at="", updated_at="06/01/2026 10:00:00")
    write_export(inbox / "tthc", DAY + timedelta(days=1), [asked, refused])
    con, _ = load(inbox, DAY, DAY + timedelta(days=1))
    con.execute("ALTER TABLE fct_dossier DROP COLUMN supplement_requested_at")
    con.execute("ALTER TABLE fct_dossier DROP COLUMN refused_at")
    con.execute("UPDATE fct_dossier SET finished_on_time = NULL WHERE dossier_code = 'U-2'")  # as the old code left it
    ensure_schema(con)
    got = "SELECT supplement_requested_at, refused_at, finished_on_time FROM fct_dossier ORDER BY dossier_code"
    assert con.execute(got).fetchall() == [
        (datetime(2026, 1, 6, 9, 30), None, None),
        (None, datetime(2026, 1, 6, 10), True),
    ]


def test_a_day_exported_again_with_far_fewer_versions_keeps_its_good_load_until_withdrawn(inbox):
    """The day re-exported with 3 of its 30 versions (the system's export stopped early, on a full line): the other
    27 dossiers would leave the day in silence. Refused, the day kept; withdraw: true takes the smaller file."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"F-{i}") for i in range(30)])
    con, _ = load(inbox)
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"F-{i}") for i in range(3)])
    _, stats = load(inbox, con=con)
    assert stats.days_kept == 1 and len(loaded_codes(con)) == 30
    ((reason,),) = con.execute("SELECT reason FROM file_issues WHERE rule = 'redelivery_refused'").fetchall()
    assert "chỉ có 3 dòng dùng được, chưa bằng một nửa lần nạp trước (30 dòng)" in reason
    assert "đã thu gọn, rút dữ liệu cũ như dưới đây" in reason and "withdraw: true" in reason
    tthc.load_dossier_partitions(
        con,
        inbox / "tthc",
        DAY,
        DAY,
        matcher=matcher_for("Thái Nguyên"),
        keys=TEST_KEYS,
        work_dir=inbox / "work",
        now=NOW,
        withdraw=True,
    )
    assert len(loaded_codes(con)) == 3


def test_a_code_that_merely_starts_with_the_mark_is_no_pseudonym(inbox):
    """Only '~' and 24 letters a-p is a pseudonym (CODE_PSEUDONYM_PATTERN): a code typed '~H55-0001' is no notice."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="~H55-0001")])
    con, stats = load(inbox)
    assert stats.rows_loaded == 1 and loaded_codes(con) == ["~H55-0001"]
    assert con.execute("SELECT count(*) FROM file_issues WHERE rule = 'dossier_code_personal'").fetchone() == (0,)


def test_a_column_given_twice_is_said_to_repeat_one_not_to_be_unknown(inbox):
    """A second 'Trạng thái', or 'Số hồ sơ' (another name of 'Mã hồ sơ') beside the first, was named as a column
    'not in the template' and its values left out without a word: it is said to repeat a column, the first read."""
    from sources.tthc_format import DOSSIER_COLUMNS

    headers = [c.header for c in DOSSIER_COLUMNS]
    status = next(c.header for c in DOSSIER_COLUMNS if c.name == "status")
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="R-1")], headers=[*headers, status, "Số hồ sơ", "Ghi chú"])
    con, _ = load(inbox)
    assert loaded_codes(con) == ["R-1"]
    notes = dict(con.execute("SELECT rule, reason FROM file_issues WHERE source = 'tthc_dossier'").fetchall())
    assert f"'{status}'" in notes["repeated_columns"] and "'Số hồ sơ'" in notes["repeated_columns"]
    assert notes["unknown_columns"] == "Bỏ qua cột không có trong mẫu: Ghi chú."


def test_a_refusal_ended_when_it_was_first_recorded_not_at_a_later_touch(inbox):
    """Refused on 07/01 (due 08/01 17:00) without a completion time, then touched on 09/01 (a sync, an edit): it was
    judged late by the latest version's update time. It ended when the refusal was first recorded (refused_at)."""
    refused = {"status": "Từ chối giải quyết", "completed_at": "", "due_at": "08/01/2026 17:00:00"}
    first, second = DAY + timedelta(days=2), DAY + timedelta(days=4)
    write_export(inbox / "tthc", first, [dossier_row(dossier_code="R-1", updated_at="07/01/2026 10:00:00", **refused)])
    write_export(inbox / "tthc", second, [dossier_row(dossier_code="R-1", updated_at="09/01/2026 09:00:00", **refused)])
    con, _ = load(inbox, first, second)
    assert con.execute("SELECT refused_at, finished_on_time FROM fct_dossier").fetchall() == [(datetime(2026, 1, 7, 10), True)]


# --- codes Excel turned into numbers, yesterday's file under today's name, a total line (a review of bad days) ---


def test_a_dossier_code_excel_wrote_in_scientific_notation_is_rejected_not_a_dossier_of_its_own(inbox):
    """ "1.23457E+15" (a 16-digit code saved through Excel) loaded as a dossier of its own: the real one stayed pending
    for ever beside a phantom completed one, and two such codes in one file collapsed into one."""
    write_export(
        inbox / "tthc",
        DAY,
        [
            dossier_row(dossier_code="1234567890123456"),
            dossier_row(dossier_code="1.23457E+15"),
            dossier_row(dossier_code="1,23457E+15"),
        ],
    )
    con, stats = load(inbox)
    assert loaded_codes(con) == ["1234567890123456"] and stats.rows_rejected == 2
    found = rejects(con)
    assert [r[2] for r in found] == ["code_as_number:dossier_code"] * 2
    assert "'1.23457E+15' là mã đã bị Excel đổi thành số dạng khoa học" in found[0][3]


def test_a_sixteen_digit_code_in_a_number_cell_of_a_workbook_keeps_every_digit(inbox):
    """A number cell 1234567890123456 (written by another tool than Excel) was read as 1234567890123460, and the
    next code collapsed into the same one."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in DOSSIER_COLUMNS])
    for code, updated in ((1234567890123456, "05/01/2026 08:00:00"), (1234567890123457, "05/01/2026 09:00:00")):
        row = dossier_row(dossier_code="x", updated_at=updated)
        ws.append([code if c.name == "dossier_code" else _as_cell(c.name, row[c.name]) for c in DOSSIER_COLUMNS])
    wb.save(inbox / "tthc" / "ho_so_20260105.xlsx")
    con, _ = load(inbox)
    assert loaded_codes(con) == ["1234567890123456", "1234567890123457"]


def test_yesterdays_export_sent_again_under_todays_name_is_reported_as_a_copy(inbox):
    """The same bytes as ho_so_20260105.csv and ho_so_20260106.csv both loaded without a word: day 6 looked delivered,
    its own changes missing. The export-completeness finding names both files and the rerun to make."""
    from warehouse.export_health import export_gaps

    first = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"HS-{i}") for i in range(3)])
    (inbox / "tthc" / "ho_so_20260106.csv").write_bytes(first.read_bytes())
    con, _ = load(inbox, DAY, DAY + timedelta(days=1))
    [finding] = export_gaps(con)
    assert finding["check"] == "export_completeness"
    assert "Ngày 06/01/2026: tệp xuất (ho_so_20260106.csv) giống hệt từng byte tệp của ngày 05/01/2026" in finding["detail"]
    assert "make rerun DAY=2026-01-06" in finding["detail"]


@pytest.mark.parametrize("tail", ["Tổng cộng: 1.234 hồ sơ,,,,,,\n", "Tổng cộng: 3 hồ sơ\n", "Tong so: 3 ho so"])
def test_a_total_line_under_the_export_is_left_out_with_a_note_not_rejected_as_a_dossier(inbox, tail):
    """ "Tổng cộng: 1.234 hồ sơ,,,…" made 13 rejects of one line (status, channel, unit …); without its commas it was
    "Dòng thiếu cột (tệp có thể bị cắt cụt)". The workbook path already knew such a line."""
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code=f"HS-{i}") for i in range(3)], tail=tail)
    con, stats = load(inbox)
    assert loaded_codes(con) == ["HS-0", "HS-1", "HS-2"] and stats.rows_rejected == 0 and rejects(con) == []
    notes = dict(con.execute("SELECT rule, reason FROM file_issues").fetchall())
    assert "là dòng tổng cộng" in notes["totals_row"] and "truncated" not in notes
    assert con.execute("SELECT status, rows_read FROM landed_files WHERE source = 'tthc_dossier'").fetchone() == ("loaded", 3)


def test_one_dossier_code_given_to_two_units_dossiers_is_reported(inbox):
    """H55-1 of the ward on 05/01, then H55-1 of Sở KH&CN (another procedure, received 06/01) on 06/01: the current
    state kept the latest and the ward lost a dossier without a word. The check dossier_code_reused names the code,
    both units and both receipt days; a dossier whose versions agree is not named."""
    from warehouse.export_health import reused_codes

    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="H55-1"), dossier_row(dossier_code="H55-2")])
    write_export(
        inbox / "tthc",
        DAY + timedelta(days=1),
        [
            dossier_row(dossier_code="H55-2", status="Đã trả kết quả", completed_at="06/01/2026 10:00:00"),
            dossier_row(
                dossier_code="H55-1",
                procedure_code="1.000100",
                resolving_unit="Sở Khoa học và Công nghệ",
                received_at="06/01/2026 08:00:00",
                due_at="27/01/2026 17:00:00",
                updated_at="06/01/2026 08:00:00",
            ),
        ],
    )
    con, _ = load(inbox, DAY, DAY + timedelta(days=1))
    [finding] = reused_codes(con, DAY + timedelta(days=1), DAY + timedelta(days=1))
    assert finding["check"] == "dossier_code_reused" and finding["unit_code"] == "19.SKHCN"
    assert finding["detail"].startswith(
        "Mã hồ sơ H55-1: các phiên bản ghi đơn vị 05443, 19.SKHCN; ngày tiếp nhận 05/01/2026, 06/01/2026"
    )


@pytest.mark.parametrize("address", ["Tổ 5\nTổng 2", "Số 3\nCông nhân Nguyễn Văn Bình 0912345678"])
def test_the_last_line_of_a_quoted_cell_spanning_lines_is_no_total_line(inbox, address):
    """A total is a line of its own: the last line of the last record's address ("…\\nTổng 2") was taken for one, cut
    off, and the record lost; "Công nhân …" read as "Cộng …"."""
    write_export(
        inbox / "tthc", DAY, [dossier_row(dossier_code="HS-1"), dossier_row(dossier_code="HS-2", applicant_address=address)]
    )
    con, stats = load(inbox)
    assert loaded_codes(con) == ["HS-1", "HS-2"] and stats.rows_rejected == 0
    assert con.execute("SELECT count(*) FROM file_issues WHERE rule = 'totals_row'").fetchone() == (0,)
