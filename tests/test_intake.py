"""Files as offices really send them, one test per class of fault (issue 11, point 4), on small hand-made files:
the outcome named for each class, and the earlier good data intact."""

import csv
import io
import threading
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from common.text_encoding import decode_text, legacy_vietnamese
from common.units import load_units, matcher_for
from sources.csvfiles import prepare_csv
from sources.intake import sniff_kind, still_being_written
from sources.petition_format import PETITION_COLUMNS
from sources.petitions import read_petitions
from sources.procedure_publication import read_publication
from sources.publication_format import PUBLICATION_COLUMNS, PUBLICATION_FILE_NAME
from sources.tthc_catalogue import read_catalogue
from sources.tthc_format import CATALOGUE_COLUMNS, CATALOGUE_FILE_NAME, DOSSIER_COLUMNS, dossier_file_name
from tests.conftest import TEST_KEYS, cp1258_bytes, dossier_row, write_catalogue, write_export
from warehouse import tthc
from warehouse.schema import ensure_schema

DAY = date(2026, 1, 5)
NOW = datetime(2026, 1, 6, 6, 0)
MATCHER = matcher_for("Thái Nguyên")


def _csv_text(columns, rows: list[dict], delimiter: str = ",", line_end: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([row.get(c.name, "") for c in columns])
    return buffer.getvalue()


def _warehouse(inbox: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, inbox / "work", matcher=MATCHER), NOW)
    return con


def _load_day(con, inbox: Path, *, withdraw: bool = False, day: date = DAY):
    return tthc.load_dossier_partitions(
        con, inbox / "tthc", day, day, matcher=MATCHER, keys=TEST_KEYS, work_dir=inbox / "work", now=NOW, withdraw=withdraw
    )


def _codes(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT dossier_code FROM stg_dossier_versions ORDER BY source_row").fetchall()]


def _issues(con) -> list[tuple[str, bool]]:
    return con.execute("SELECT rule, blocking FROM file_issues WHERE source = 'tthc_dossier' ORDER BY rule").fetchall()


# --- encodings, delimiters, line ends, sizes ----------------------------------------------------------------------


def test_excel_unicode_text_utf16_tab_separated_loads(inbox):
    text = _csv_text(
        DOSSIER_COLUMNS, [dossier_row(dossier_code="U-1"), dossier_row(dossier_code="U-2")], delimiter="\t", line_end="\r\n"
    )
    (inbox / "tthc" / dossier_file_name(DAY)).write_bytes(text.encode("utf-16"))  # what Excel's "Unicode text" writes
    con = _warehouse(inbox)
    stats = _load_day(con, inbox)
    assert _codes(con) == ["U-1", "U-2"] and stats.rows_rejected == 0
    rules = {r for r, _ in _issues(con)}
    assert {"encoding_converted", "delimiter_converted"} <= rules
    assert con.execute("SELECT encoding FROM landed_files WHERE source = 'tthc_dossier'").fetchall() == [("utf-16",)]
    assert not list((inbox / "work").glob("*.csv"))  # the normalised copy (personal data) is gone once staged


def test_old_mac_line_ends_and_semicolons_load(inbox):
    text = _csv_text(
        DOSSIER_COLUMNS, [dossier_row(dossier_code="M-1"), dossier_row(dossier_code="M-2")], delimiter=";", line_end="\r"
    )
    (inbox / "tthc" / dossier_file_name(DAY)).write_bytes(text.encode("utf-8-sig"))
    con = _warehouse(inbox)
    _load_day(con, inbox)
    assert _codes(con) == ["M-1", "M-2"]
    assert {"line_ends_converted", "delimiter_converted"} <= {r for r, _ in _issues(con)}


def test_a_200_kb_cell_is_a_value_not_an_error(inbox, tmp_path):
    big = "Trung tâm " + "x" * 200_000
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="B-1", receiving_centre=big), dossier_row(dossier_code="B-2")])
    con = _warehouse(inbox)
    stats = _load_day(con, inbox)
    assert _codes(con) == ["B-1", "B-2"] and stats.rows_rejected == 0
    # The dossier counts; its receiving centre, a pasted document, is cut and the line named in a note.
    kept = con.execute("SELECT max(length(receiving_centre)) FROM stg_dossier_versions").fetchone()[0]
    assert kept == 301
    notes = con.execute("SELECT rule, reason, blocking FROM file_issues WHERE source = 'tthc_dossier'").fetchall()
    assert [(rule, blocking) for rule, _, blocking in notes] == [("value_cut:receiving_centre", False)]
    assert "1 dòng có 'Nơi tiếp nhận' dài bất thường (dòng 2" in notes[0][1]
    # The readers of small files too (Python's csv refuses fields over 131,072 characters by default).
    path = tmp_path / "pakn" / "pakn_202601.csv"
    path.parent.mkdir()
    row = {
        "petition_code": "P-1",
        "received_at": "05/01/2026 09:15:00",
        "unit": "UBND Phường Phan Đình Phùng",
        "category": "Về quy định hành chính, TTHC",
        "handling": "Trả lời, giải quyết",
        "completed_at": "12/01/2026 16:00:00",
        "satisfaction": "Hài lòng",
        "repeated": "Không",
        "content": "Nội dung " + "y" * 300_000,
    }
    path.write_text(_csv_text(PETITION_COLUMNS, [row]), encoding="utf-8-sig")
    assert [r["petition_code"] for r in read_petitions(path, MATCHER, tmp_path / "work").rows] == ["P-1"]


@pytest.mark.slow
def test_a_big_export_is_checked_on_its_bytes_and_still_converted_when_not_utf8(inbox):
    rows = [dossier_row(dossier_code=f"W-{i}") for i in range(6000)]
    path = write_export(inbox / "tthc", DAY, rows, encoding="cp1258")
    assert path.stat().st_size > (1 << 20)  # above the size decoded whole
    con = _warehouse(inbox)
    stats = _load_day(con, inbox)
    assert stats.rows_loaded == 6000 and stats.rows_rejected == 0
    assert con.execute("SELECT DISTINCT receiving_centre FROM stg_dossier_versions").fetchall() == [
        ("Trung tâm Phục vụ hành chính công Phường Phan Đình Phùng",)
    ]
    path = write_export(inbox / "tthc", DAY, rows)  # the same in UTF-8: read in place
    assert prepare_csv(path, DOSSIER_COLUMNS).read_path == path


def test_windows_1258_register_keeps_all_its_rows(tmp_path):
    row = {
        "decision_number": "125/QĐ-UBND",
        "decision_date": "15/01/2026",
        "procedure_code": "2.000001",
        "legal_effective_date": "01/02/2026",
        "made_public_date": "19/01/2026",
        **{c.name: "Có" for c in PUBLICATION_COLUMNS if c.name.startswith("part_")},
    }
    path = tmp_path / PUBLICATION_FILE_NAME
    path.write_bytes(cp1258_bytes(_csv_text(PUBLICATION_COLUMNS, [row, row | {"procedure_code": "1.000100"}])))
    result = read_publication(path, tmp_path / "work", ["2.000001", "1.000100"])
    assert result.loadable and [r["procedure_code"] for r in result.rows] == ["2.000001", "1.000100"]
    assert result.encoding == "windows-1258" and result.rows[0]["decision_number"] == "125/QĐ-UBND"


def test_tcvn3_and_vni_are_recognised_and_refused_with_the_way_out(inbox):
    # "Mã hồ sơ,Cơ quan giải quyết" typed with the .VnTime font (TCVN3): Vietnamese letters in 0xA1-0xFE.
    tcvn3 = b"M\xb8 h\xe5 s\xac,C\xac quan gi\xb6i quy\xd5t,Tr\xb9ng th\xb8i\n1,Ph\xad\xeang,\xae\xb8\n"
    assert legacy_vietnamese(tcvn3) == "TCVN3"
    vni = "Maõ hoà sô,Cô quan giaûi quyeát,Traïng thaùi,Phöôøng Phan Ñình Phuøng\n".encode("cp1252")
    assert legacy_vietnamese(vni) == "VNI"
    (inbox / "tthc" / dossier_file_name(DAY)).write_bytes(tcvn3)
    con = _warehouse(inbox)
    _load_day(con, inbox)
    reason = con.execute("SELECT reason FROM file_issues WHERE rule = 'legacy_encoding'").fetchall()[0][0]
    assert "TCVN3" in reason and "Unikey" in reason
    assert con.execute("SELECT status FROM landed_files WHERE source = 'tthc_dossier'").fetchall() == [("rejected",)]


def test_the_real_kind_of_a_file_is_named(inbox, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append([c.header for c in DOSSIER_COLUMNS])
    path = inbox / "tthc" / dossier_file_name(DAY)
    workbook.save(path)  # an Excel workbook under the export's .csv name
    assert sniff_kind(path.read_bytes()) == "xlsx"
    assert sniff_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100) == "xls"
    assert sniff_kind(b"\xef\xbb\xbf<html><body><table><tr><td>1</td></tr></table></body></html>") == "html"
    con = _warehouse(inbox)
    _load_day(con, inbox)  # a workbook is read through its table (tests/test_tthc_ingest.py), with a note
    reason = con.execute("SELECT reason FROM file_issues WHERE rule = 'workbook_export'").fetchall()[0][0]
    assert reason.startswith("Tệp là bảng tính (xlsx), không phải CSV") and "CSV UTF-8" in reason
    path.write_bytes(b"%PDF-1.4\n" + b"x" * 200)  # a PDF under the export's name is refused for what it is
    _load_day(con, inbox)
    reason = con.execute("SELECT reason FROM file_issues WHERE rule = 'wrong_file_kind'").fetchall()[0][0]
    assert "thực chất là tệp PDF" in reason and "CSV UTF-8" in reason


def test_a_stray_byte_stays_utf8_and_a_whole_legacy_file_does_not():
    text = "Mã hồ sơ,Trạng thái\nHS-1,Đang xử lý\n".encode() + b"HS-2,\xff\n"
    assert (decode_text(text).encoding, decode_text(text).stray_bytes) == ("utf-8", 1)
    assert decode_text(cp1258_bytes("Mã hồ sơ,Trạng thái\nHS-1,Đang xử lý\n")).encoding == "windows-1258"


# --- a file still being copied, cut short, empty, or gone -----------------------------------------------------------


@pytest.mark.slow
def test_a_file_still_being_copied_is_left_for_the_next_run(inbox, monkeypatch):
    """A real copy in progress: a thread keeps appending while the run looks at the file."""
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "5")
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="C-1")])
    con = _warehouse(inbox)
    _load_day(con, inbox)
    path = inbox / "tthc" / dossier_file_name(DAY)
    full = _csv_text(DOSSIER_COLUMNS, [dossier_row(dossier_code=f"C-{i}") for i in range(1, 400)]).encode("utf-8-sig")
    path.write_bytes(full[:1000])
    stop = threading.Event()

    def copy() -> None:
        with path.open("ab") as fh:
            for start in range(1000, len(full), 2000):
                if stop.is_set():
                    return
                fh.write(full[start : start + 2000])
                fh.flush()
                time.sleep(0.05)

    copier = threading.Thread(target=copy)
    copier.start()
    try:
        assert still_being_written(path)
        stats = _load_day(con, inbox)
    finally:
        stop.set()
        copier.join()
    assert stats.days_kept == 1 and _codes(con) == ["C-1"]  # the earlier load stays
    assert ("still_copying", False) in _issues(con)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "không dùng được"),
        (_csv_text(DOSSIER_COLUMNS, []).encode("utf-8-sig"), "chỉ có dòng tiêu đề"),
        ("cut", "bị cắt cụt"),
    ],
)
def test_a_broken_re_delivery_keeps_the_day_and_withdraw_is_explicit(inbox, content, problem):
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="G-1"), dossier_row(dossier_code="G-2")])
    con = _warehouse(inbox)
    _load_day(con, inbox)
    before = con.execute("SELECT * FROM landed_files").fetchall()
    if content == "cut":
        whole = path.read_bytes()
        content = whole[: whole.rfind(b"G-2") + 40]  # the last record stops in the middle
    path.write_bytes(content)
    stats = _load_day(con, inbox)
    assert stats.days_kept == 1 and _codes(con) == ["G-1", "G-2"]
    assert con.execute("SELECT * FROM landed_files").fetchall() == before
    reason = con.execute("SELECT reason FROM file_issues WHERE rule = 'redelivery_refused'").fetchall()[0][0]
    assert problem in reason and "withdraw" in reason
    _load_day(con, inbox)  # rerun: the same tables
    assert _codes(con) == ["G-1", "G-2"] and len(_issues(con)) == 1
    _load_day(con, inbox, withdraw=True)  # the explicit way: the day then holds exactly what its file now holds
    assert _codes(con) == (["G-1"] if problem == "bị cắt cụt" else [])


def test_a_cut_short_first_delivery_loads_its_good_rows(inbox):
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="F-1"), dossier_row(dossier_code="F-2")])
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rfind(b"F-2") + 40])
    con = _warehouse(inbox)
    _load_day(con, inbox)
    assert _codes(con) == ["F-1"]
    assert ("truncated", False) in _issues(con)
    assert con.execute("SELECT rule FROM quarantine WHERE source = 'tthc_dossier'").fetchall() == [("malformed_line",)]


def test_a_day_whose_file_is_gone_keeps_its_data(inbox):
    path = write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="X-1")])
    con = _warehouse(inbox)
    _load_day(con, inbox)
    path.unlink()
    _load_day(con, inbox)
    assert _codes(con) == ["X-1"] and ("file_gone", False) in _issues(con)


def test_verbatim_duplicate_rows_load_once_and_are_reported_once(inbox):
    same = dossier_row(dossier_code="D-1")
    write_export(inbox / "tthc", DAY, [same, dossier_row(dossier_code="D-2"), same, same])
    con = _warehouse(inbox)
    stats = _load_day(con, inbox)
    assert _codes(con) == ["D-1", "D-2"] and stats.rows_rejected == 0 and stats.rows_loaded == 2
    reason = con.execute("SELECT reason FROM file_issues WHERE rule = 'duplicate_rows'").fetchall()
    assert len(reason) == 1 and reason[0][0].startswith("2 dòng lặp lại") and "dòng 4 (= dòng 2)" in reason[0][0]
    assert con.execute(
        "SELECT rows_read, rows_loaded, rows_rejected FROM landed_files WHERE source = 'tthc_dossier'"
    ).fetchall() == [(4, 2, 0)]


# --- the catalogue: master data that never gives way to an unusable file --------------------------------------------


@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (
            lambda folder: (folder / CATALOGUE_FILE_NAME).write_text(_csv_text(CATALOGUE_COLUMNS, []), encoding="utf-8"),
            "không có thủ tục nào",
        ),  # header only
        (
            lambda folder: write_catalogue(folder, headers=["Ma", "Ten", "Linh vuc", "Cap", "Muc do", "Phi", "Co quan", "TT"]),
            "Thiếu cột bắt buộc",
        ),  # renamed columns
        (
            lambda folder: (folder / CATALOGUE_FILE_NAME).write_bytes(
                _csv_text(
                    CATALOGUE_COLUMNS,
                    [
                        {
                            "procedure_code": f"9.00000{i}",
                            "procedure_name": "Ch?ng th?c b?n sao",
                            "field": "Ch?ng th?c",
                            "authority_level": "C?p x?",
                            "online_level": "Toàn trình",
                            "fee_bearing": "Có",
                        }
                        for i in range(3)
                    ],
                ).encode()
            ),
            "mất dấu",
        ),
    ],
)
def test_an_unusable_catalogue_never_replaces_the_good_one(inbox, make, cause):
    con = _warehouse(inbox)
    before = con.execute("SELECT procedure_code FROM dim_procedure ORDER BY 1").fetchall()
    make(inbox / "tthc")
    path = inbox / "tthc" / CATALOGUE_FILE_NAME
    result = read_catalogue(path, inbox / "work", matcher=MATCHER)
    stats = tthc.load_catalogue(con, path, result, NOW)
    assert stats["status"] == "kept_earlier" and cause in stats["refused"]
    assert con.execute("SELECT procedure_code FROM dim_procedure ORDER BY 1").fetchall() == before
    write_export(inbox / "tthc", DAY, [dossier_row(dossier_code="K-1")])
    _load_day(con, inbox)
    assert _codes(con) == ["K-1"]  # the day's dossiers still find their procedure


def test_a_semicolon_catalogue_is_read_not_refused(inbox):
    rows = [
        {
            "procedure_code": "2.000001",
            "procedure_name": "Chứng thực bản sao từ bản chính",
            "field": "Chứng thực",
            "authority_level": "Cấp xã",
            "online_level": "Toàn trình",
            "fee_bearing": "Có",
        }
    ]
    (inbox / "tthc" / CATALOGUE_FILE_NAME).write_text(_csv_text(CATALOGUE_COLUMNS, rows, delimiter=";"), encoding="utf-8")
    result = read_catalogue(inbox / "tthc" / CATALOGUE_FILE_NAME, inbox / "work", matcher=MATCHER)
    assert result.unusable is None and [r["procedure_code"] for r in result.rows] == ["2.000001"]


def test_without_any_usable_catalogue_nothing_loads(tmp_path):
    folder = tmp_path / "tthc"
    folder.mkdir()
    (folder / CATALOGUE_FILE_NAME).write_text(_csv_text(CATALOGUE_COLUMNS, []), encoding="utf-8")
    con = duckdb.connect()
    ensure_schema(con)
    result = read_catalogue(folder / CATALOGUE_FILE_NAME, tmp_path / "work", matcher=MATCHER)
    with pytest.raises(tthc.CatalogueUnusable, match="không công bố"):
        tthc.load_catalogue(con, folder / CATALOGUE_FILE_NAME, result, NOW)


def test_prepare_csv_reports_the_header_it_could_not_read(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    prepared = prepare_csv(path, DOSSIER_COLUMNS)
    assert not prepared.loadable and prepared.issues[0].rule == "unrecognised_header" and "'a;b;c'" in prepared.issues[0].reason


def test_one_oversized_cell_does_not_reject_a_survey_file(tmp_path):
    from sources.assessment_forms import read_survey

    path = tmp_path / "khao_sat_2026.csv"
    lines = [
        "Mã đơn vị,Loại khảo sát,Mã tiêu chí,Điểm,Ghi chú",
        f'05443,SIPAS,8.1,7.5,"{"Ý kiến người dân " * 15_000}"',
        "19.STP,SIPAS,8.1,8",
        "19.SNV,SIPAS,8.1,6.5",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    assert path.stat().st_size > 200_000
    result = read_survey(path, MATCHER)
    assert result.loadable and [r["unit_code"] for r in result.rows] == ["05443", "19.STP", "19.SNV"]
