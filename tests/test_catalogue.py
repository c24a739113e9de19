"""The procedure catalogue's owner agency and online-payment columns: matched, checked, loaded into dim_procedure."""

from datetime import datetime

import duckdb

from common.units import load_units, matcher_for
from sources.tthc_catalogue import read_catalogue
from sources.tthc_format import CATALOGUE_COLUMNS, CATALOGUE_FILE_NAME
from tests.conftest import write_catalogue
from warehouse import tthc
from warehouse.schema import ensure_schema

NOW = datetime(2026, 1, 6, 6, 0)
MATCHER = matcher_for("Thái Nguyên")


def read(inbox):
    return read_catalogue(inbox / "tthc" / CATALOGUE_FILE_NAME, inbox / "work", matcher=MATCHER)


def row(code: str, level: str = "Cấp tỉnh", owner: str = "Sở Khoa học và Công nghệ", paid: str = "Có") -> list[str]:
    return [code, f"Thủ tục {code}", "Khoa học và công nghệ", level, "Toàn trình", "Có", owner, paid]


def test_owner_names_match_unit_codes_and_payment_is_typed(inbox):
    write_catalogue(
        inbox / "tthc",
        [
            row("1.000001"),
            row("1.000002", owner="Sở Khoa học và Công nghệ - Tỉnh Thái Nguyên", paid="Không"),
            row("1.000003", owner="so khoa hoc va cong nghe", paid=""),
            row("2.000001", level="Cấp xã", owner="UBND cấp xã"),
            row("2.000002", level="Cấp xã", owner=""),
            row("2.000003", level="Cấp xã", owner="Sở Tư pháp"),
        ],
    )
    result = read(inbox)
    assert result.rejects == []
    assert [(r["procedure_code"], r["owner_unit_code"], r["payment_integrated"]) for r in result.rows] == [
        ("1.000001", "19.SKHCN", True),
        ("1.000002", "19.SKHCN", False),
        ("1.000003", "19.SKHCN", None),
        ("2.000001", None, True),
        ("2.000002", None, True),
        ("2.000003", "19.STP", True),
    ]


def test_bad_owner_and_payment_values_are_reported_and_left_unknown(inbox):
    write_catalogue(
        inbox / "tthc",
        [
            row("1.000001"),
            row("1.000002", owner="Sở Khoa học và Công nghệ Mới"),
            row("1.000003", owner="Sở Không Tồn Tại Ở Đâu Cả"),
            row("1.000004", owner="UBND cấp xã"),
            row("1.000005", owner="Phường Phan Đình Phùng"),
            row("1.000006", paid="Chưa"),
        ],
    )
    result = read(inbox)
    # The procedures still load (their dossiers must not be rejected as unknown procedures); the values are NULL.
    assert result.rejects == []
    assert [(r["procedure_code"], r["owner_unit_code"], r["payment_integrated"]) for r in result.rows] == [
        ("1.000001", "19.SKHCN", True),
        ("1.000002", None, True),
        ("1.000003", None, True),
        ("1.000004", None, True),
        ("1.000005", None, True),
        ("1.000006", "19.SKHCN", None),
    ]
    issues = [(i.rule, i.blocking) for i in result.file_issues]
    assert issues == [
        ("unknown_unit", False),
        ("unknown_unit", False),
        ("bad_value:owner_unit", False),
        ("bad_value:owner_unit", False),
        ("bad_value:payment_integrated", False),
    ]
    reasons = [i.reason for i in result.file_issues]
    assert reasons[0] == (
        "Dòng 3 (mã 1.000002): Cơ quan chủ quản không có trong danh mục đơn vị: "
        "'Sở Khoa học và Công nghệ Mới'; có phải 'Sở Khoa học và Công nghệ'? Giá trị để trống (chưa rõ)."
    )
    assert "'Sở Không Tồn Tại Ở Đâu Cả'." in reasons[1]
    assert "Thủ tục cấp tỉnh" in reasons[2] and "xã/phường" in reasons[3]
    assert reasons[4].startswith("Dòng 7 (mã 1.000006): Cột 'Tích hợp thanh toán trực tuyến'")


def test_a_catalogue_without_the_new_columns_loads_with_unknown_values(inbox):
    old = [c.header for c in CATALOGUE_COLUMNS if c.name not in ("owner_unit", "payment_integrated")]
    write_catalogue(inbox / "tthc", [row("1.000001")[:6], row("2.000001", level="Cấp xã")[:6]], headers=old)
    result = read(inbox)
    assert [(r["owner_unit_code"], r["payment_integrated"]) for r in result.rows] == [(None, None), (None, None)]
    assert [i.rule for i in result.file_issues] == ["missing_optional_columns"]


def test_windows_1258_catalogue_matches_owner_names(inbox):
    write_catalogue(inbox / "tthc", [row("1.000001", owner="Sở Tư pháp", paid="Không")], encoding="cp1258")
    result = read(inbox)
    assert [(r["owner_unit_code"], r["payment_integrated"]) for r in result.rows] == [("19.STP", False)]


def test_dim_procedure_holds_owner_and_payment_and_reloading_changes_nothing(inbox):
    write_catalogue(
        inbox / "tthc",
        [row("1.000001"), row("2.000001", level="Cấp xã", owner="UBND cấp xã", paid="Không"), row("1.000002", owner="Sở Ma")],
    )
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    path = inbox / "tthc" / CATALOGUE_FILE_NAME
    tables = ["dim_procedure", "quarantine", "file_issues"]
    for attempt in range(2):
        stats = tthc.load_catalogue(con, path, read(inbox), NOW)
        current = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
        if attempt == 0:
            first = current
        assert current == first
    assert stats == {"procedures": 3, "rejected_rows": 0, "status": "loaded"}
    assert con.execute("SELECT procedure_code, owner_unit_code, payment_integrated FROM dim_procedure ORDER BY 1").fetchall() == [
        ("1.000001", "19.SKHCN", True),
        ("1.000002", None, True),
        ("2.000001", None, False),
    ]
    assert con.execute("SELECT count(*) FROM quarantine").fetchall() == [(0,)]
    issues = con.execute("SELECT rule, blocking, reason FROM file_issues").fetchall()
    assert [(r, b) for r, b, _ in issues] == [("unknown_unit", False)] and "Dòng 4 (mã 1.000002)" in issues[0][2]
    comments = dict(
        con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'dim_procedure'").fetchall()
    )
    assert comments["owner_unit_code"] and comments["payment_integrated"]


def test_a_row_with_a_field_too_many_is_rejected_not_cut(inbox):
    """An owner written 'Sở …, Tỉnh Thái Nguyên' without quotes gives the row a field too many: the values after the
    comma are not in their columns, so the row is rejected as malformed rather than loaded with the owner cut."""
    path = write_catalogue(inbox / "tthc", [row("1.000001"), row("1.000002"), row("1.000003")])
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    lines[2] = lines[2].replace("Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ, Tỉnh Thái Nguyên")
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    result = read(inbox)
    assert [r["procedure_code"] for r in result.rows] == ["1.000001", "1.000003"]
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [(3, "malformed_line")]


def test_the_catalogue_is_found_whatever_the_letter_case_of_its_name(tmp_path):
    from sources.tthc_catalogue import catalogue_file, other_catalogue_files

    assert catalogue_file(tmp_path / "none") == tmp_path / "none" / "danh_muc_tthc.csv"  # missing: reported by name
    (tmp_path / "DANH_MUC_TTHC.CSV").write_text("x", encoding="utf-8")
    assert catalogue_file(tmp_path) == tmp_path / "DANH_MUC_TTHC.CSV"
    (tmp_path / "danh_muc_tthc.csv").write_text("x", encoding="utf-8")
    assert catalogue_file(tmp_path) == tmp_path / "danh_muc_tthc.csv"  # the standard spelling first
    # a browser's second download arriving later, with other content, is read; the others are named
    import os

    os.utime(tmp_path / "danh_muc_tthc.csv", (1_700_000_000, 1_700_000_000))
    (tmp_path / "danh_muc_tthc (1).csv").write_text("y", encoding="utf-8")
    assert catalogue_file(tmp_path) == tmp_path / "danh_muc_tthc (1).csv"
    (tmp_path / "danh_muc_tthc (2025).csv").write_text("z", encoding="utf-8")  # a year kept on purpose: no copy
    assert catalogue_file(tmp_path) == tmp_path / "danh_muc_tthc (1).csv"
    note = other_catalogue_files(tmp_path, catalogue_file(tmp_path))
    assert note is not None and "'danh_muc_tthc.csv'" in note.reason and "'DANH_MUC_TTHC.CSV'" in note.reason
    (tmp_path / "danh_muc_tthc - Copy.csv").write_text("y", encoding="utf-8")  # an identical copy displaces nothing
    assert catalogue_file(tmp_path) == tmp_path / "danh_muc_tthc (1).csv"


def test_a_catalogue_whose_codes_excel_turned_into_numbers_never_replaces_the_good_one(inbox):
    """Opened and saved in Excel, '1.000100' becomes '1.0001' and '1.000000' becomes '1': every dossier of those
    procedures would be refused as unknown, blaming the units. Such a catalogue is refused, the one in use stays;
    a catalogue of another system, whose codes have another shape, is read as it is."""
    codes = ["1.000100", "2.000001", "1.004227", "3.000186"]
    write_catalogue(inbox / "tthc", [row(code) for code in codes])
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    assert tthc.load_catalogue(con, inbox / "tthc" / CATALOGUE_FILE_NAME, read(inbox), NOW)["status"] == "loaded"

    write_catalogue(inbox / "tthc", [row(code) for code in ["1.0001", "2.000001", "1.004227", "3.000186", "1"]])
    result = read(inbox)
    assert result.unusable and "2 mã thủ tục bị đổi thành số" in result.unusable and "dòng 2: '1.0001'" in result.unusable
    stats = tthc.load_catalogue(con, inbox / "tthc" / CATALOGUE_FILE_NAME, result, NOW)
    assert stats["status"] == "kept_earlier"
    assert sorted(r[0] for r in con.execute("SELECT procedure_code FROM dim_procedure").fetchall()) == sorted(codes)

    # A Vietnamese Excel: the dot read as a thousands separator and dropped ('1000046'), or a decimal comma ('1,0001').
    for damaged in (["1000100", "2000001", "1004227", "3000186"], ["1,0001", "2.000001", "1.004227", "3.000186"]):
        write_catalogue(inbox / "tthc", [row(code) for code in damaged])
        assert read(inbox).unusable and "bị đổi thành số" in read(inbox).unusable, damaged
    write_catalogue(inbox / "tthc", [row(code) for code in ["BTP-TNG-277245", "1.2", "SKHCN-01"]])
    assert read(inbox).unusable is None  # another system's code shape: nothing to tell


def test_a_catalogue_saved_as_a_workbook_is_read_through_its_table(inbox):
    """The catalogue downloaded or saved as a workbook (danh_muc_tthc.xlsx, a title above its header, codes typed as
    text): found without a CSV and read as the CSV would be; codes Excel kept as numbers are still told."""
    from openpyxl import Workbook

    from sources.tthc_catalogue import catalogue_file

    folder = inbox / "tthc"
    (folder / CATALOGUE_FILE_NAME).unlink(missing_ok=True)
    wb = Workbook()
    wb.active.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH"])
    wb.active.append([c.header for c in CATALOGUE_COLUMNS])
    for code in ("1.000001", "2.000001"):
        wb.active.append(row(code, level="Cấp xã" if code[0] == "2" else "Cấp tỉnh"))
    wb.save(folder / "Danh_muc_TTHC.xlsx")
    path = catalogue_file(folder)
    assert path.name == "Danh_muc_TTHC.xlsx"
    result = read_catalogue(path, inbox / "work", matcher=MATCHER)
    assert result.rejects == [] and [r["procedure_code"] for r in result.rows] == ["1.000001", "2.000001"]
    assert [i.rule for i in result.file_issues] == ["workbook_export"]

    wb.active.append([1.0001, "Thủ tục", "Khoa học và công nghệ", "Cấp tỉnh", "Toàn trình", "Có", "Sở Tư pháp", "Có"])
    wb.active.append([1, "Thủ tục", "Khoa học và công nghệ", "Cấp tỉnh", "Toàn trình", "Có", "Sở Tư pháp", "Có"])
    wb.save(path)
    assert "bị đổi thành số" in (read_catalogue(path, inbox / "work", matcher=MATCHER).unusable or "")


def test_a_catalogue_of_far_fewer_procedures_or_none_at_all_keeps_the_one_in_use(inbox):
    """A catalogue cut at a line end (3 of 40 procedures) made every dossier of the other 37 an unknown procedure,
    blaming the units; a catalogue gone from the inbox stopped the day's whole run. Both keep the catalogue in use,
    saying so; a smaller catalogue is taken once an operator accepts it."""
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    path = inbox / "tthc" / CATALOGUE_FILE_NAME
    write_catalogue(inbox / "tthc", [row(f"1.{i:06d}") for i in range(1, 41)])
    assert tthc.load_catalogue(con, path, read(inbox), NOW)["status"] == "loaded"
    write_catalogue(inbox / "tthc", [row(f"1.{i:06d}") for i in range(1, 4)])
    stats = tthc.load_catalogue(con, path, read(inbox), NOW)
    assert stats["status"] == "kept_earlier" and "chỉ có 3 dòng dùng được" in stats["refused"]
    assert con.execute("SELECT count(*) FROM dim_procedure").fetchone() == (40,)
    assert con.execute("SELECT rule FROM file_issues").fetchall() == [("redelivery_refused",)]
    assert tthc.load_catalogue(con, path, read(inbox), NOW, accept_smaller=True)["status"] == "loaded"
    assert con.execute("SELECT count(*) FROM dim_procedure").fetchone() == (3,)

    from sources.tthc_catalogue import CatalogueResult

    stats = tthc.load_catalogue(con, path, CatalogueResult(gone=True), NOW)
    assert stats["status"] == "kept_earlier" and "không có tệp danh mục" in stats["refused"]
    assert con.execute("SELECT count(*) FROM dim_procedure").fetchone() == (3,)


def test_the_runs_log_quotes_no_citizens_number_or_name_from_the_catalogue(inbox, warehouse):
    """The catalogue's issues were logged as read, before the masking their stored copy gets: a phone number typed
    as the owner agency rested in Dagster's event log and the log files."""
    import dagster as dg

    from assets.tthc import tthc_catalogue

    rows = [row(f"1.00000{i}") for i in range(1, 6)]
    rows += [row("1.000006", owner="0987 111 222"), row("1.000007", owner="bà Nguyễn Thị Quỳnh Hương")]
    write_catalogue(inbox / "tthc", rows)
    with dg.instance_for_test() as instance:
        result = dg.materialize([tthc_catalogue], resources={"warehouse": warehouse}, instance=instance)
        logged = " ".join(e.user_message for e in instance.all_logs(result.run_id))
    assert "Cơ quan chủ quản" in logged  # (the issues are logged)
    assert "0987" not in logged and "111 222" not in logged and "Quỳnh" not in logged


def test_a_copy_still_being_copied_waits_and_the_complete_file_is_read(tmp_path, monkeypatch):
    """'danh_muc_tthc (1).csv' while it is still being written is the newest file with other bytes: the run read the
    half-written copy. A copy modified within CCHC_SETTLE_SECONDS waits for the next run."""
    import os

    from sources.tthc_catalogue import catalogue_file

    (tmp_path / "danh_muc_tthc.csv").write_text("x", encoding="utf-8")
    os.utime(tmp_path / "danh_muc_tthc.csv", (1_700_000_000, 1_700_000_000))
    (tmp_path / "danh_muc_tthc (1).csv").write_text("y", encoding="utf-8")  # modified just now
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "3600")
    assert catalogue_file(tmp_path) == tmp_path / "danh_muc_tthc.csv"
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "0")
    assert catalogue_file(tmp_path) == tmp_path / "danh_muc_tthc (1).csv"
