"""The PAKN reader and loader on hand-written monthly files: typed rows with working-day deadlines, every reject rule
with its line and Vietnamese reason, personal data never kept, a later file replacing its month, reloads idempotent."""

from __future__ import annotations

import os
import unicodedata
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from common.units import matcher_for
from sources.petition_format import PETITION_COLUMNS, petition_file_name
from sources.petitions import petition_due, read_petitions
from tests.conftest import write_rows
from warehouse.petitions import load_petition_folder, load_petitions
from warehouse.schema import ensure_schema

MATCHER = matcher_for("Thái Nguyên")
JANUARY = date(2026, 1, 1)
NOW = datetime(2026, 2, 3, 6, 0)
DEFAULT = {
    "petition_code": "PAKN-1",
    "received_at": "05/01/2026 09:15:00",
    "unit": "UBND Phường Phan Đình Phùng",
    "category": "Về quy định hành chính, TTHC",
    "handling": "Trả lời, giải quyết",
    "completed_at": "12/01/2026 16:00:00",
    "satisfaction": "Hài lòng",
    "repeated": "Không",
    "petitioner_name": "Trần Văn Bình",
    "petitioner_phone": "0987654321",
    "petitioner_email": "tranvanbinh@example.vn",
    "content": "Tôi là Trần Văn Bình, CCCD 019088001111, hồ sơ nộp ngày 02/01, đến nay chưa có kết quả, đề nghị xem xét.",
}
PERSONAL = ["Trần Văn Bình", "0987654321", "tranvanbinh@example.vn", "019088001111", "đề nghị xem xét"]


def petition(**overrides: str) -> dict[str, str]:
    return {**DEFAULT, **overrides}


def write_pakn(
    folder: Path,
    month: date,
    rows: list[dict],
    *,
    headers: list[str] | None = None,
    encoding: str = "utf-8-sig",
    name: str | None = None,
) -> Path:
    return write_rows(folder / (name or petition_file_name(month)), PETITION_COLUMNS, rows, headers=headers, encoding=encoding)


def read(path: Path, tmp_path: Path):
    return read_petitions(path, MATCHER, tmp_path / "work")


def test_good_rows_are_typed_with_deadlines_and_no_personal_data(tmp_path):
    path = write_pakn(
        tmp_path / "pakn",
        JANUARY,
        [
            petition(),
            petition(
                petition_code="PAKN-2",
                unit="Sở Tư pháp",
                category="Về hành vi, thái độ của CBCCVC",
                handling="Từ chối tiếp nhận",
                completed_at="",
                satisfaction="",
                repeated="Có",
            ),
            petition(petition_code="PAKN-3", handling="yêu cầu bổ sung thông tin", satisfaction="Không hài lòng", repeated=""),
        ],
    )
    result = read(path, tmp_path)
    assert result.rejects == [] and result.file_issues == [] and result.month == JANUARY
    assert result.rows == [
        {
            "petition_code": "PAKN-1",
            "unit_code": "05443",
            "received_at": datetime(2026, 1, 5, 9, 15),
            "category": "procedure",
            "handling": "answer",
            "due_at": datetime(2026, 1, 26, 23, 59, 59),
            "completed_at": datetime(2026, 1, 12, 16),
            "satisfaction": "satisfied",
            "repeated": False,
            "source_row": 2,
        },
        {
            "petition_code": "PAKN-2",
            "unit_code": "19.STP",
            "received_at": datetime(2026, 1, 5, 9, 15),
            "category": "staff",
            "handling": "refusal",
            "due_at": datetime(2026, 1, 7, 23, 59, 59),
            "completed_at": None,
            "satisfaction": None,
            "repeated": True,
            "source_row": 3,
        },
        {
            "petition_code": "PAKN-3",
            "unit_code": "05443",
            "received_at": datetime(2026, 1, 5, 9, 15),
            "category": "procedure",
            "handling": "more_information",
            "due_at": datetime(2026, 1, 12, 23, 59, 59),
            "completed_at": datetime(2026, 1, 12, 16),
            "satisfaction": "dissatisfied",
            "repeated": None,
            "source_row": 4,
        },
    ]
    assert not any(value in str(result) for value in PERSONAL)


@pytest.mark.parametrize(
    ("received", "handling", "due"),
    [
        # Friday before Tết 2026 (16-20/02 are holidays): the working days resume on Monday 23/02.
        ("13/02/2026 10:00:00", "Từ chối tiếp nhận", date(2026, 2, 24)),
        ("13/02/2026 10:00:00", "Yêu cầu bổ sung thông tin", date(2026, 2, 27)),
        ("13/02/2026 10:00:00", "Trả lời, giải quyết", date(2026, 3, 13)),
        # 30/04 and 01/05 are holidays, then a weekend.
        ("29/04/2026 16:30:00", "Từ chối tiếp nhận", date(2026, 5, 5)),
        # Received on a Sunday: the first working day counted is Monday.
        ("15/02/2026 20:00:00", "Từ chối tiếp nhận", date(2026, 2, 24)),
    ],
)
def test_deadlines_count_vietnamese_working_days(tmp_path, received, handling, due):
    month = date(int(received[6:10]), int(received[3:5]), 1)
    path = write_pakn(tmp_path / "pakn", month, [petition(received_at=received, handling=handling, completed_at="")])
    [row] = read(path, tmp_path).rows
    assert row["due_at"] == datetime.combine(due, datetime.max.time()).replace(microsecond=0)
    assert row["due_at"] == petition_due(row["received_at"], row["handling"])


@pytest.mark.parametrize(
    ("bad", "rule", "reason_part"),
    [
        ({"unit": "Xã Không Tồn Tại"}, "unknown_unit", "Đơn vị xử lý không có trong danh mục đơn vị: 'Xã Không Tồn Tại'."),
        ({"unit": "Phường Phan Đình Phũng Mới"}, "unknown_unit", "có phải 'Phường Phan Đình Phùng'?"),
        ({"unit": ""}, "unknown_unit", "Thiếu đơn vị xử lý."),
        ({"received_at": "2026-01-07"}, "bad_date:received_at", "Cột 'Ngày tiếp nhận': ngày giờ không đúng định dạng"),
        ({"received_at": "01/25/2026 08:00:00"}, "bad_date:received_at", "'01/25/2026 08:00:00'"),
        ({"completed_at": "hôm qua"}, "bad_date:completed_at", "Ngày hoàn thành"),
        ({"completed_at": "04/01/2026 08:00:00"}, "completed_before_received", "trước ngày tiếp nhận"),
        ({"category": "Khiếu nại"}, "bad_value:category", "'Khiếu nại'"),
        ({"handling": "Chuyển xử lý"}, "bad_value:handling", "Hình thức xử lý"),
        ({"satisfaction": "Rất hài lòng"}, "bad_value:satisfaction", "Đánh giá của người dân"),
        ({"repeated": "Có thể"}, "bad_value:repeated", "Phản ánh lặp lại"),
        ({"petition_code": ""}, "missing_petition_code", "Thiếu mã PAKN."),
        ({"petition_code": "OK-1", "satisfaction": "Không hài lòng"}, "duplicate_petition", "Mã PAKN trùng với dòng 2"),
        ({"received_at": "05/02/2026 08:00:00", "completed_at": ""}, "received_outside_month", "không thuộc tháng 01/2026"),
    ],
)
def test_each_bad_row_is_rejected_with_line_rule_and_reason(tmp_path, bad, rule, reason_part):
    path = write_pakn(
        tmp_path / "pakn",
        JANUARY,
        [petition(petition_code="OK-1"), petition(**{"petition_code": "BAD-1", **bad}), petition(petition_code="OK-2")],
    )
    result = read(path, tmp_path)
    assert [r["petition_code"] for r in result.rows] == ["OK-1", "OK-2"]
    assert [(r["file_name"], r["row_number"], r["rule"]) for r in result.rejects] == [("pakn_202601.csv", 3, rule)]
    assert reason_part in result.rejects[0]["reason"]
    assert not any(value in str(result.rejects) for value in PERSONAL)


def test_a_verbatim_copy_of_a_row_is_kept_once_and_reported_once(tmp_path):
    path = write_pakn(
        tmp_path / "pakn",
        JANUARY,
        [
            petition(petition_code="D-1"),
            petition(petition_code="D-2"),
            petition(petition_code="D-1"),
            petition(petition_code="D-1"),
        ],
    )
    result = read(path, tmp_path)
    assert [r["petition_code"] for r in result.rows] == ["D-1", "D-2"] and result.rejects == []
    assert [i.rule for i in result.file_issues] == ["duplicate_rows"]
    assert result.file_issues[0].reason.startswith("2 dòng lặp lại") and not any(
        v in result.file_issues[0].reason for v in PERSONAL
    )


def test_malformed_lines_and_multi_line_content_keep_line_numbers(tmp_path):
    path = write_pakn(
        tmp_path / "pakn",
        JANUARY,
        [
            petition(petition_code="M-1", content="Dòng một\nDòng hai, có dấu phẩy\nDòng ba"),
            petition(petition_code="M-2"),
        ],
    )
    text = (
        path.read_text(encoding="utf-8-sig")
        + "M-3,05/01/2026 09:00:00,Sở Tư pháp\n"
        + 'M-4,05/01/2026 09:00:00,Sở Tư pháp,"Về quy định hành chính, TTHC",Trả lời,,,,,,,,, thừa\n'
    )
    path.write_text(text, encoding="utf-8-sig")
    result = read(path, tmp_path)
    assert [(r["petition_code"], r["source_row"]) for r in result.rows] == [("M-1", 2), ("M-2", 5)]
    assert [(r["row_number"], r["rule"], r["value"]) for r in result.rejects] == [
        (6, "malformed_line", None),
        (7, "malformed_line", None),
    ]


def test_windows_1258_and_decomposed_files_read_like_utf8(tmp_path):
    rows = [petition(petition_code="W-1", category="Về hành vi, thái độ của CBCCVC", satisfaction="Không hài lòng")]
    cp = write_pakn(tmp_path / "a", JANUARY, rows, encoding="cp1258")
    nfd = write_pakn(tmp_path / "b", JANUARY, rows)
    nfd.write_bytes(unicodedata.normalize("NFD", nfd.read_text(encoding="utf-8-sig")).encode("utf-8-sig"))
    utf8 = write_pakn(tmp_path / "c", JANUARY, rows)
    expected = read(utf8, tmp_path).rows
    assert expected and expected[0]["category"] == "staff" and expected[0]["unit_code"] == "05443"
    converted = read(cp, tmp_path)
    assert converted.rows == expected and converted.encoding == "windows-1258"
    assert [i.rule for i in converted.file_issues] == ["encoding_converted"]
    assert read(nfd, tmp_path).rows == expected


def test_renamed_reordered_and_missing_optional_columns(tmp_path):
    headers = [c.header for c in PETITION_COLUMNS if c.name not in ("repeated", "content")][::-1]
    headers = ["Mã phản ánh" if h == "Mã PAKN" else h for h in headers]
    path = write_pakn(tmp_path / "pakn", JANUARY, [petition()], headers=headers)
    result = read(path, tmp_path)
    assert [(r["petition_code"], r["repeated"]) for r in result.rows] == [("PAKN-1", None)]
    assert {i.rule for i in result.file_issues} == {"renamed_columns", "missing_optional_columns"}
    missing = write_pakn(tmp_path / "x", JANUARY, [petition()], headers=[c.header for c in PETITION_COLUMNS if c.name != "unit"])
    rejected = read(missing, tmp_path)
    assert not rejected.loadable and [i.rule for i in rejected.file_issues] == ["missing_columns"]


def _tables(con) -> dict[str, list]:
    return {
        t: con.execute(
            f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL" if t == "landed_files" else f"SELECT * FROM {t} ORDER BY ALL"
        ).fetchall()
        for t in ("fct_petition", "quarantine", "file_issues", "landed_files")
    }


def test_loader_is_idempotent_replaces_a_month_and_keeps_personal_data_out(tmp_path):
    inbox = tmp_path / "inbox"
    write_pakn(inbox / "pakn", JANUARY, [petition(), petition(petition_code="PAKN-2", unit="Xã Không Tồn Tại")])
    write_pakn(
        inbox / "pakn", date(2026, 2, 1), [petition(petition_code="F-1", received_at="02/02/2026 08:00:00", completed_at="")]
    )
    write_pakn(inbox / "pakn", date(2026, 3, 1), [], name="ghi_chu.csv")  # no month in the name: refused, reported
    db = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(db))
    ensure_schema(con)
    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert {k: stats[k] for k in ("files", "files_rejected", "rows_loaded", "rows_rejected")} == {
        "files": 3,
        "files_rejected": 1,
        "rows_loaded": 2,
        "rows_rejected": 1,
    }
    assert con.execute("SELECT file_name, rule, blocking FROM file_issues").fetchall() == [("ghi_chu.csv", "file_name", True)]
    first = _tables(con)
    assert [r[0] for r in first["fct_petition"]] == ["F-1", "PAKN-1"]
    assert con.execute(
        "SELECT source, file_name, partition_date, row_number, unit_name, record_key, rule FROM quarantine"
    ).fetchall() == [("pakn", "pakn_202601.csv", JANUARY, 3, "Xã Không Tồn Tại", "PAKN-2", "unknown_unit")]
    assert con.execute(
        "SELECT file_name, partition_date, status, rows_read, rows_loaded, rows_rejected FROM landed_files ORDER BY 1"
    ).fetchall() == [
        ("ghi_chu.csv", None, "rejected", 0, 0, 0),
        ("pakn_202601.csv", JANUARY, "partly_loaded", 2, 1, 1),
        ("pakn_202602.csv", date(2026, 2, 1), "loaded", 1, 1, 0),
    ]

    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, 4))
    assert _tables(con) == first  # same files, same tables (first_loaded_at kept)

    # A later export of January: the petition is now finished and the bad row is fixed; February is untouched.
    path = write_pakn(
        inbox / "pakn",
        JANUARY,
        [petition(completed_at="20/01/2026 10:00:00"), petition(petition_code="PAKN-2", unit="Sở Tư pháp")],
    )
    out = load_petitions(con, path, read_petitions(path, MATCHER, tmp_path / "work"), datetime(2026, 2, 5))
    assert (out["status"], out["rows_loaded"], out["rows_rejected"], out["month"]) == ("loaded", 2, 0, JANUARY)
    assert con.execute("SELECT petition_code, completed_at FROM fct_petition ORDER BY 1").fetchall() == [
        ("F-1", None),
        ("PAKN-1", datetime(2026, 1, 20, 10)),
        ("PAKN-2", datetime(2026, 1, 12, 16)),
    ]
    assert con.execute("SELECT count(*) FROM quarantine").fetchall() == [(0,)]
    assert con.execute(
        "SELECT count(*), min(first_loaded_at) FROM landed_files WHERE file_name = 'pakn_202601.csv'"
    ).fetchall() == [(1, datetime(2026, 2, 5))]
    con.close()
    with duckdb.connect(str(db), read_only=True) as ro:
        for (table,) in ro.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            text = str(ro.execute(f"SELECT * FROM {table}").fetchall())
            assert not any(value in text for value in PERSONAL), table
        columns = {
            r[0] for r in ro.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'fct_petition'").fetchall()
        }
        assert not columns & {"petitioner_name", "petitioner_phone", "petitioner_email", "content"}


def _loaded_january(tmp_path: Path, rows: list[dict]) -> duckdb.DuckDBPyConnection:
    """A warehouse in memory with January's export of ``rows`` loaded."""
    inbox = tmp_path / "inbox"
    write_pakn(inbox / "pakn", JANUARY, rows)
    con = duckdb.connect()
    ensure_schema(con)
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    return con


def test_a_phone_or_id_number_in_a_coded_column_is_masked_in_the_quarantine(tmp_path):
    rows = [
        petition(),
        petition(petition_code="PAKN-2", category="Ông Trần Văn Bảo SĐT 0987654321 phản ánh"),
        petition(petition_code="PAKN-3", unit="Trần Văn Bảo - CCCD 034095012345"),
    ]
    con = _loaded_january(tmp_path, rows)
    found = con.execute("SELECT unit_name, record_key, reason, value FROM quarantine ORDER BY row_number").fetchall()
    assert len(found) == 2
    text = str(found)
    assert "0987654321" not in text and "034095012345" not in text and "[đã ẩn]" in text
    assert "Trần Văn Bảo" not in text  # the name too (a citizen's name in a quote of a coded column)


def test_a_name_typed_into_the_petition_code_or_a_coded_column_is_not_kept(tmp_path):
    """A petitioner's name where the code, the unit or a category belongs: a code without any digit is no petition
    code (rejected, neither quoted nor the row's key); a name in a coded column is masked in the quotes."""
    rows = [
        petition(),
        petition(petition_code="Trịnh Công Sơn"),
        petition(petition_code="PAKN-3", unit="Dương Vân Nga"),
        petition(petition_code="PAKN-4", satisfaction="Lê Hoàng Phúc, xóm 3 xã Phú Bình"),
    ]
    con = _loaded_january(tmp_path, rows)
    assert con.execute("SELECT petition_code FROM fct_petition").fetchall() == [("PAKN-1",)]
    found = con.execute("SELECT rule, unit_name, record_key, reason, value FROM quarantine ORDER BY row_number").fetchall()
    assert [r[0] for r in found] == ["code_without_digit:petition_code", "unknown_unit", "bad_value:satisfaction"]
    assert found[0][2] is None and found[0][4] is None
    text = str(found)
    for name in ("Trịnh Công Sơn", "Dương Vân Nga", "Lê Hoàng Phúc", "Phú Bình"):
        assert name not in text, name


def test_unreadable_file_is_recorded_as_rejected(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "pakn").mkdir(parents=True)
    (inbox / "pakn" / "pakn_202601.csv").write_bytes(b"")
    con = duckdb.connect()
    ensure_schema(con)
    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert stats["files_rejected"] == 1
    assert con.execute("SELECT status FROM landed_files").fetchall() == [("rejected",)]
    assert con.execute("SELECT rule, blocking FROM file_issues").fetchall() == [("empty_file", True)]


HEADER = ",".join(c.header for c in PETITION_COLUMNS) + "\n"


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty_file"),
        # A header-less re-delivery: the first data line is taken for the header, which names no column at all.
        (
            "PAKN-9,05/01/2026 09:15:00,Sở Tư pháp,Về quy định hành chính TTHC,Trả lời giải quyết\n".encode(),
            "unrecognised_header",
        ),
        (HEADER.encode("utf-8-sig"), "no_rows"),  # a header-only re-delivery
        ((HEADER + "PAKN-1,05/01/2026 09:15:00,UBND Phường Phan Đình Phùng,Về quy").encode("utf-8-sig"), "truncated"),
    ],
)
def test_a_broken_re_delivery_keeps_the_month_already_loaded(tmp_path, content, rule):
    inbox = tmp_path / "inbox"
    good = write_pakn(inbox / "pakn", JANUARY, [petition(), petition(petition_code="PAKN-2", unit="Xã Không Tồn Tại")])
    write_pakn(
        inbox / "pakn", date(2026, 2, 1), [petition(petition_code="F-1", received_at="02/02/2026 08:00:00", completed_at="")]
    )
    con = duckdb.connect()
    ensure_schema(con)
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    before = _tables(con)

    good.write_bytes(content)
    out = load_petitions(con, good, read(good, tmp_path), datetime(2026, 2, 4))
    assert (out["status"], out["rows_loaded"], out["rows_rejected"], out["month"]) == ("kept_earlier", 0, 0, JANUARY)
    after = _tables(con)
    assert after["fct_petition"] == before["fct_petition"]  # January's good rows and February stay
    assert after["quarantine"] == before["quarantine"]  # and the earlier file's rejected line
    assert after["landed_files"] == before["landed_files"]  # the lineage is still that of the good load
    issues = con.execute(
        "SELECT file_name, rule, blocking, reason FROM file_issues ORDER BY rule <> 'redelivery_refused'"
    ).fetchall()
    assert issues[0][:3] == ("pakn_202601.csv", "redelivery_refused", True)
    assert "03/02/2026 06:00" in issues[0][3] and "giữ nguyên" in issues[0][3]
    assert rule in {i[1] for i in issues[1:]} or rule == "no_rows"  # the real cause is named too

    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, 5))
    assert stats["files_kept_earlier"] == 1 and _tables(con) == after  # the same bad file again: nothing changes


def test_a_re_delivery_whose_every_row_is_refused_keeps_the_month_and_says_why(tmp_path):
    """The month sent again with every date in ISO form: no row would load, so the month already loaded stays, and
    the refusal quotes the first line's reason (it said "only a header" before, and the unit could not tell why)."""
    inbox = tmp_path / "inbox"
    good = write_pakn(inbox / "pakn", JANUARY, [petition(), petition(petition_code="PAKN-2")])
    con = duckdb.connect()
    ensure_schema(con)
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    before = _tables(con)
    write_pakn(inbox / "pakn", JANUARY, [petition(received_at="2026-01-05 09:15:00")] * 2)
    out = load_petitions(con, good, read(good, tmp_path), datetime(2026, 2, 4))
    assert out["status"] == "kept_earlier" and _tables(con)["fct_petition"] == before["fct_petition"]
    ((reason,),) = con.execute("SELECT reason FROM file_issues WHERE rule = 'redelivery_refused'").fetchall()
    assert "dòng nào cũng bị loại; ví dụ dòng 2: " in reason and "2026-01-05 09:15:00" in reason


def test_a_refusal_quoting_a_masked_number_keeps_the_time_it_was_first_recorded(tmp_path):
    """A refused re-delivery whose first rejected line quotes a phone number: the stored reason is masked, and the
    next run finds it again (the time stays that of the first refusal: a rerun changes nothing)."""
    inbox = tmp_path / "inbox"
    good = write_pakn(inbox / "pakn", JANUARY, [petition(), petition(petition_code="PAKN-2")])
    con = duckdb.connect()
    ensure_schema(con)
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    write_pakn(inbox / "pakn", JANUARY, [petition(unit="Phường Mới 0912 345 678")] * 2)  # (quoted: a unit's shape)
    for day in (4, 5):
        load_petitions(con, good, read(good, tmp_path), datetime(2026, 2, day))
    ((reason, at),) = con.execute("SELECT reason, loaded_at FROM file_issues WHERE rule = 'redelivery_refused'").fetchall()
    assert "0912 345 678" not in reason and "[đã ẩn]" in reason and at == datetime(2026, 2, 4)


def test_a_failed_load_rolls_back_and_leaves_no_open_transaction(tmp_path, monkeypatch):
    import warehouse.petitions as loader

    path = write_pakn(tmp_path / "pakn", JANUARY, [petition()])
    con = duckdb.connect()
    ensure_schema(con)
    load_petitions(con, path, read(path, tmp_path), NOW)
    before = _tables(con)
    path = write_pakn(tmp_path / "pakn", JANUARY, [petition(petition_code="PAKN-7")])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "replace_file_records", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        load_petitions(con, path, read(path, tmp_path), NOW)
    assert _tables(con) == before  # the month's rows were deleted inside the transaction: rolled back
    con.execute("BEGIN")  # no transaction left open
    con.execute("ROLLBACK")


def test_a_reordered_file_rejects_each_line_with_a_comma_too_many_without_its_values(tmp_path):
    """Columns reordered (the file goes through a normalised copy); two lines have an unquoted comma in the name and
    an empty last column (the surplus field looks empty): each is rejected on its own line, as malformed, and no
    value of theirs (the name's halves above all) is kept."""
    headers = [c.header for c in PETITION_COLUMNS][::-1]
    rows = [petition(petition_code=f"R-{i}", content="") for i in range(4)]
    path = write_pakn(tmp_path / "pakn", JANUARY, rows, headers=headers)
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    for i in (2, 3):
        lines[i] = lines[i].replace("Trần Văn Bình", "Trần, Văn Bình")
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    result = read(path, tmp_path)
    assert [(r["petition_code"], r["source_row"]) for r in result.rows] == [("R-0", 2), ("R-3", 5)]
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [(3, "malformed_line"), (4, "malformed_line")]
    assert "Văn Bình" not in str(result.rejects) and not [i for i in result.file_issues if i.rule == "duplicate_rows"]


def test_a_month_named_in_capitals_and_a_pasted_byte_order_mark_in_a_code(tmp_path):
    path = write_pakn(tmp_path / "pakn", JANUARY, [petition(petition_code="\ufeffPAKN-1")], name="PAKN_202601.CSV")
    assert read(path, tmp_path).rows[0]["petition_code"] == "PAKN-1"
    con = duckdb.connect()
    ensure_schema(con)
    stats = load_petition_folder(con, tmp_path, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert (stats["files"], stats["rows_loaded"]) == (1, 1)


@pytest.mark.parametrize(
    "name", ["pakn_01_2026.csv", "pakn_2026_01.csv", "PAKN_T01_2026.CSV", "pakn_thang_1_2026.csv", "PAKN_202601.csv"]
)
def test_a_month_written_another_common_way_is_read(tmp_path, name):
    """A clerk's name for January's export (pakn_01_2026.csv …) used to be passed over: January's petitions vanished
    from QĐ 766 with nothing reported. The month is read from any of the common spellings."""
    inbox = tmp_path / "inbox"
    write_pakn(inbox / "pakn", JANUARY, [petition()], name=name)
    con = duckdb.connect()
    ensure_schema(con)
    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert (stats["files"], stats["rows_loaded"], stats["files_rejected"]) == (1, 1, 0)
    assert con.execute("SELECT file_name, partition_date, status FROM landed_files").fetchall() == [(name, JANUARY, "loaded")]
    assert con.execute("SELECT count(*) FROM file_issues").fetchall() == [(0,)]


@pytest.mark.parametrize("later", ["pakn_202601 (1).csv", "pakn_202601.csv"])
def test_of_two_exports_of_one_month_the_later_arrival_wins_and_the_other_is_named(tmp_path, later):
    """A browser's second download 'pakn_202601 (1).csv' sorts before 'pakn_202601.csv' by name: the month must not
    go to the older file, nor the newer one vanish without a trace."""
    import os

    inbox = tmp_path / "inbox"
    older = "pakn_202601.csv" if later != "pakn_202601.csv" else "pakn_202601 (1).csv"
    write_pakn(inbox / "pakn", JANUARY, [petition(petition_code="OLD-1")], name=older)
    write_pakn(inbox / "pakn", JANUARY, [petition(petition_code="OLD-1"), petition(petition_code="NEW-2")], name=later)
    os.utime(inbox / "pakn" / older, (1_700_000_000, 1_700_000_000))
    os.utime(inbox / "pakn" / later, (1_700_000_600, 1_700_000_600))
    con = duckdb.connect()
    ensure_schema(con)
    for _ in range(2):  # a rerun gives the same tables
        load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
        rows = con.execute("SELECT petition_code, source_file FROM fct_petition ORDER BY 1").fetchall()
        assert rows == [("NEW-2", later), ("OLD-1", later)]
        notes = con.execute("SELECT file_name, rule, blocking FROM file_issues").fetchall()
        assert notes == [(older, "superseded_export", False)]
        assert con.execute("SELECT file_name FROM landed_files").fetchall() == [(later,)]


def test_files_without_a_month_or_not_csv_are_refused_and_reported_not_ignored(tmp_path):
    """pakn/: a name without a readable month (pakn_2026.csv, pakn_q1_2026.csv) and an export saved as a PDF are
    refused, each with a reason naming the file and how to name it; lock and hidden files are left alone."""
    inbox = tmp_path / "inbox"
    write_pakn(inbox / "pakn", JANUARY, [petition()])
    for name in ("pakn_2026.csv", "pakn_q1_2026.csv"):
        write_pakn(inbox / "pakn", JANUARY, [petition()], name=name)
    (inbox / "pakn" / "pakn_202602.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    (inbox / "pakn" / "~$pakn_202602.xlsx").write_bytes(b"lock")
    (inbox / "pakn" / ".~lock.pakn_202601.csv#").write_bytes(b"lock")
    con = duckdb.connect()
    ensure_schema(con)
    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert (stats["files"], stats["files_rejected"], stats["rows_loaded"]) == (4, 3, 1)
    issues = con.execute("SELECT file_name, rule, blocking, reason FROM file_issues ORDER BY 1").fetchall()
    assert [i[:3] for i in issues] == [
        ("pakn_2026.csv", "file_name", True),
        ("pakn_202602.pdf", "wrong_file_kind", True),
        ("pakn_q1_2026.csv", "file_name", True),
    ]
    assert all(name in reason and "pakn_202601.csv" in reason and "đã bỏ qua tệp này" in reason for name, *_, reason in issues)
    assert con.execute("SELECT source_file FROM fct_petition").fetchall() == [("pakn_202601.csv",)]
    # refused files touch no month: January keeps its rows on a rerun
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert con.execute("SELECT count(*) FROM fct_petition").fetchall() == [(1,)]


def test_a_completion_date_without_a_time_is_the_end_of_that_day(tmp_path):
    """'Ngày hoàn thành' 05/01/2026 for a petition received 05/01/2026 09:15: read as 00:00 it came before the
    reception and the petition was rejected (5.x lost it); it is the end of that day, as a deadline is."""
    path = write_pakn(tmp_path, JANUARY, [petition(received_at="05/01/2026 09:15:00", completed_at="05/01/2026")])
    result = read(path, tmp_path)
    assert not result.rejects and result.rows[0]["completed_at"] == datetime(2026, 1, 5, 23, 59, 59)
    earlier = write_pakn(tmp_path, JANUARY, [petition(received_at="05/01/2026 09:15:00", completed_at="04/01/2026")])
    assert [r["rule"] for r in read(earlier, tmp_path).rejects] == ["completed_before_received"]


def test_an_export_without_its_header_line_is_refused_without_quoting_its_first_row(tmp_path):
    """A file exported without its header: its first line is a petition, with the petitioner's name; the refusal
    quoted it (in file_issues, at rest). It says the file may lack its header instead."""
    path = tmp_path / petition_file_name(JANUARY)
    path.write_text(
        'P1,05/01/2026 09:15:00,UBND Phường Phan Đình Phùng,"Về quy định hành chính, TTHC","Trả lời, giải quyết",,,Không,'
        "Trần Văn Bình,0987654321,tvb@example.vn\r\n",
        encoding="utf-8-sig",
    )
    result = read(path, tmp_path)
    reasons = " ".join(i.reason for i in result.file_issues)
    assert not result.loadable and "Trần Văn Bình" not in reasons and "thiếu dòng tiêu đề" in reasons


def test_a_date_after_the_day_of_reading_rejects_its_row_and_the_others_load(tmp_path):
    # A completion typed 2062 for 2026 came after its deadline: the petition counted as late in 5.2. The file is read
    # on 3 February (the loader's clock); a completion that day still loads.
    inbox = tmp_path / "inbox"
    rows = [
        petition(petition_code="OK-1"),
        petition(petition_code="TYPO-1", completed_at="12/01/2062 16:00:00"),
        petition(petition_code="OK-2", received_at="31/01/2026 08:00:00", completed_at="03/02/2026 16:00:00"),
    ]
    write_pakn(inbox / "pakn", JANUARY, rows)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ensure_schema(con)
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert con.execute("SELECT petition_code FROM fct_petition ORDER BY 1").fetchall() == [("OK-1",), ("OK-2",)]
    [(row, rule, reason, value)] = con.execute("SELECT row_number, rule, reason, value FROM quarantine").fetchall()
    assert (row, rule, value) == (3, "future_date:completed_at", "12/01/2062 16:00:00")
    assert "12/01/2062 sau ngày đọc tệp 03/02/2026" in reason
    # Read without a day (a reader's own use), the row is kept: the check needs to know when the file is read.
    assert len(read(inbox / "pakn" / "pakn_202601.csv", tmp_path).rows) == 3


def test_a_petition_code_in_two_months_files_counts_once_whatever_the_order(tmp_path):
    # The same code exported in January (received 28/01) and in February (received 02/02): counted twice in 5.x.
    tables = []
    for order in ("january_first", "february_first"):
        inbox = tmp_path / order
        jan = write_pakn(
            inbox / "pakn", JANUARY, [petition(petition_code="P-10", received_at="28/01/2026 09:00:00", completed_at="")]
        )
        feb = write_pakn(
            inbox / "pakn",
            date(2026, 2, 1),
            [
                petition(petition_code="P-10", received_at="02/02/2026 09:00:00", completed_at=""),
                petition(petition_code="F-1", received_at="03/02/2026 09:00:00", completed_at=""),
            ],
        )
        if order == "february_first":
            os.utime(feb, (1_700_000_000, 1_700_000_000))
        con = duckdb.connect(str(tmp_path / f"{order}.duckdb"))
        ensure_schema(con)
        stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
        assert stats["petitions_in_two_months"] == 1
        load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)  # a rerun: the same
        rows = con.execute("SELECT petition_code, received_at FROM fct_petition ORDER BY ALL").fetchall()
        notes = con.execute("SELECT file_name, row_number, rule, reason FROM quarantine").fetchall()
        tables.append((rows, notes))
        assert jan.name == "pakn_202601.csv"
    assert tables[0] == tables[1]
    rows, [(file_name, row, rule, reason)] = tables[0]
    assert rows == [("F-1", datetime(2026, 2, 3, 9, 0)), ("P-10", datetime(2026, 2, 2, 9, 0))]
    assert (file_name, row, rule) == ("pakn_202601.csv", 2, "petition_in_two_months")
    assert "cũng có trong tệp 'pakn_202602.csv'" in reason


def test_a_phone_or_id_number_as_petition_code_and_an_address_in_a_category_are_not_kept_nor_quoted(tmp_path):
    """The petitioner's phone or CCCD typed as the code has digits, but is no code: rejected unquoted, no row key; an
    address typed into a coded column is quoted with the name and the home address masked."""
    address = "Bà Lê Thị Hoa ở số 12 ngõ 34 đường Hoàng Văn Thụ phản ánh chậm trả kết quả"
    rows = [
        petition(),
        petition(petition_code="0987654321"),
        petition(petition_code="019088001111"),
        petition(petition_code="PAKN-4", category=address),
        petition(petition_code="PAKN-5", handling="Trả lời giải quyết xong"),
    ]
    con = _loaded_january(tmp_path, rows)
    assert con.execute("SELECT petition_code FROM fct_petition").fetchall() == [("PAKN-1",)]
    found = con.execute("SELECT rule, record_key, reason, value FROM quarantine ORDER BY row_number").fetchall()
    assert [r[0] for r in found] == [
        "personal_number_as_code:petition_code",
        "personal_number_as_code:petition_code",
        "bad_value:category",
        "bad_value:handling",
    ]
    assert all(r[1] is None and r[3] is None for r in found[:2]) and "số điện thoại" in found[0][2]
    text = str(found[:3])
    for secret in ("0987654321", "019088001111", "ngõ 34", "Hoàng Văn Thụ"):
        assert secret not in text, secret
    assert found[2][3] == "Bà [đã ẩn] ở [đã ẩn]"  # the name and the home address masked, the rest quoted
    assert found[3][3] == "Trả lời giải quyết xong"  # a mistyped code word is still quoted


def test_another_provinces_export_is_refused_and_its_units_in_ours_are_rejected_naming_it(tmp_path):
    """Bắc Ninh's export saved as pakn_202601.csv: most rows name its wards and communes, the others agencies every
    province has (Sở Tư pháp): refused whole, none loaded as ours. In our export, a Bắc Ninh ward is rejected naming
    the province; a former Bắc Kạn commune (merged into Thái Nguyên in 2025) is ours."""
    other = ["UBND Phường Chũ", "UBND Phường Đa Mai", "UBND Xã Lục Ngạn", "Sở Tư pháp", "Sở Y tế", "UBND Phường Kinh Bắc"]
    refused = read(
        write_pakn(tmp_path / "bn", JANUARY, [petition(petition_code=f"BN-{i}", unit=u) for i, u in enumerate(other)]), tmp_path
    )
    assert not refused.loadable and refused.rows == []
    assert [(i.rule, "tỉnh Bắc Ninh" in i.reason, "4/6" in i.reason) for i in refused.file_issues] == [
        ("other_province_source", True, True)
    ]
    rows = [
        petition(),
        petition(petition_code="PAKN-2", unit="UBND Phường Chũ"),
        petition(petition_code="PAKN-3", unit="UBND Xã Chợ Đồn"),
    ]
    ours = read(write_pakn(tmp_path / "tn", JANUARY, rows), tmp_path)
    assert ours.loadable and [r["petition_code"] for r in ours.rows] == ["PAKN-1", "PAKN-3"]
    assert [(r["rule"], "tỉnh Bắc Ninh" in r["reason"]) for r in ours.rejects] == [("other_province_unit", True)]


def test_another_provinces_export_written_without_diacritics_is_refused_too(tmp_path):
    """A system without Vietnamese letters writes "Phuong Dong Kinh": our units are matched without diacritics, the
    other province's were not, so Lạng Sơn's export loaded its Sở Y tế and Sở Tư pháp rows as ours."""
    other = ["So Y te", "So Tu phap", "Phuong Dong Kinh", "Phuong Luong Van Tri", "Xa Huu Lung", "Phuong Tam Thanh"]
    refused = read(
        write_pakn(tmp_path / "ls", JANUARY, [petition(petition_code=f"LS-{i}", unit=u) for i, u in enumerate(other)]), tmp_path
    )
    assert not refused.loadable and refused.rows == []
    assert [(i.rule, "tỉnh Lạng Sơn" in i.reason) for i in refused.file_issues] == [("other_province_source", True)]
    # A former ward of Thái Nguyên written so is still no other province's
    assert MATCHER.other_province_of_row(None, "Phuong Quang Trung") is None


def test_a_huge_cell_is_quoted_shortened_and_masked_before_it_is_cut(tmp_path):
    """A 200 kB cell pasted into the unit, a date or a coded column is not quoted whole into the reason and value;
    a phone number where the quote is cut is masked, not left half."""
    huge = "Nội dung dán nhầm cột " * 10_000
    rows = [
        petition(),
        petition(petition_code="PAKN-2", unit="x" * 190 + " SĐT 0912 345 678" + huge),
        petition(petition_code="PAKN-3", received_at=huge),
        petition(petition_code="PAKN-4", category=huge),
    ]
    con = _loaded_january(tmp_path, rows)
    found = con.execute("SELECT rule, unit_name, reason, value FROM quarantine ORDER BY row_number").fetchall()
    assert [r[0] for r in found] == ["unknown_unit", "bad_date:received_at", "bad_value:category"]
    assert all(len(t) < 500 for r in found for t in r[1:] if t), [len(t) for r in found for t in r[1:] if t]
    assert "0912" not in str(found)


def test_a_month_sent_again_with_far_fewer_petitions_keeps_the_month_until_accepted(tmp_path):
    """January re-exported with 1 of its 40 petitions (a filter left on in the PAKN system) replaced the month without
    a word, and 5.2/5.3 were measured on one petition: refused, the month kept, until accept_smaller."""
    inbox = tmp_path / "inbox"
    write_pakn(inbox / "pakn", JANUARY, [petition(petition_code=f"PAKN-{i}") for i in range(1, 41)])
    con = duckdb.connect()
    ensure_schema(con)
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    write_pakn(inbox / "pakn", JANUARY, [petition(petition_code="PAKN-1")])
    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, 4))
    assert stats["files_kept_earlier"] == 1
    assert con.execute("SELECT count(*) FROM fct_petition").fetchone() == (40,)
    ((reason,),) = con.execute("SELECT reason FROM file_issues WHERE rule = 'redelivery_refused'").fetchall()
    assert "chỉ có 1 dòng dùng được" in reason and "(40 dòng)" in reason and "bước petitions" in reason
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, 5), accept_smaller=True)
    assert con.execute("SELECT count(*) FROM fct_petition").fetchone() == (1,)


def test_a_name_with_a_digit_typed_as_the_petition_code_is_no_code(tmp_path):
    """'Nguyễn Văn An 1985' or 'Hoàng Thị Mai 2' has a digit but is a person's name: rejected unquoted, never the
    petition's key; a code whose letters are no name ('PAKN-2026-15', 'HS.NGUYEN-01') loads."""
    rows = [
        petition(),
        petition(petition_code="Nguyễn Văn An 1985"),
        petition(petition_code="Hoàng Thị Mai 2"),
        petition(petition_code="PAKN-2026-15"),
        petition(petition_code="Số nhà 17 ngõ 45 phố Hoàng Văn Thụ"),  # an address: words, never a code
        petition(petition_code="PAKN 2026 16"),
    ]
    con = _loaded_january(tmp_path, rows)
    loaded = sorted(r[0] for r in con.execute("SELECT petition_code FROM fct_petition").fetchall())
    assert loaded == ["PAKN 2026 16", "PAKN-1", "PAKN-2026-15"]
    found = con.execute("SELECT rule, record_key, value FROM quarantine ORDER BY row_number").fetchall()
    assert found == [("name_as_code:petition_code", None, None)] * 2 + [("code_with_words:petition_code", None, None)]
    assert "Nguyễn Văn An" not in str(con.execute("SELECT * FROM quarantine").fetchall())


def test_a_month_saved_as_a_workbook_or_an_html_table_is_read_through_its_table(tmp_path):
    """The PAKN system's 'Xuất Excel' (an .xlsx with date cells, a title above the header) and an HTML table saved as
    .xls: read as the CSV would be, the month from the name, with a note; a workbook named .csv too."""
    from openpyxl import Workbook

    inbox = tmp_path / "inbox"
    (inbox / "pakn").mkdir(parents=True)
    wb = Workbook()
    wb.active.append(["DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ THÁNG 01/2026"])
    wb.active.append([c.header for c in PETITION_COLUMNS])
    for i in (1, 2):
        row = petition(petition_code=f"X-{i}")
        cells = [row[c.name] for c in PETITION_COLUMNS]
        for name in ("received_at", "completed_at"):
            at = [c.name for c in PETITION_COLUMNS].index(name)
            cells[at] = datetime.strptime(row[name], "%d/%m/%Y %H:%M:%S")
        wb.active.append(cells)
    wb.save(inbox / "pakn" / "pakn_202601.xlsx")
    cells = "".join(f"<th>{c.header}</th>" for c in PETITION_COLUMNS)
    body = "".join(
        f"<td>{petition(petition_code='H-1', received_at='02/02/2026 08:00:00', completed_at='')[c.name]}</td>"
        for c in PETITION_COLUMNS
    )
    (inbox / "pakn" / "pakn_202602.xls").write_text(f"<table><tr>{cells}</tr><tr>{body}</tr></table>", encoding="utf-8")
    con = duckdb.connect()
    ensure_schema(con)
    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert (stats["rows_loaded"], stats["rows_rejected"], stats["files_rejected"]) == (3, 0, 0)
    loaded = con.execute("SELECT petition_code, received_at, source_file FROM fct_petition ORDER BY 1").fetchall()
    assert loaded[0] == ("H-1", datetime(2026, 2, 2, 8, 0), "pakn_202602.xls")
    assert loaded[1] == ("X-1", datetime(2026, 1, 5, 9, 15), "pakn_202601.xlsx")
    rules = {r for (r,) in con.execute("SELECT rule FROM file_issues").fetchall()}
    assert "workbook_export" in rules
    assert not [v for v in PERSONAL if v in str(con.execute("SELECT * FROM fct_petition").fetchall())]


def test_two_files_of_a_month_the_later_arrival_still_wins_with_fewer_petitions(tmp_path):
    """The shrink guard compares a file with its own earlier load, never with the other file of its month loaded a
    moment before in the same run: the later arrival wins as before, the same on every run."""
    inbox = tmp_path / "inbox"
    older = write_pakn(inbox / "pakn", JANUARY, [petition(petition_code=f"PAKN-{i}") for i in range(1, 21)])
    newer = write_pakn(inbox / "pakn", JANUARY, [petition(petition_code=f"N-{i}") for i in range(1, 6)], name="pakn_01_2026.csv")
    os.utime(older, (1_700_000_000, 1_700_000_000))
    con = duckdb.connect()
    ensure_schema(con)
    for day in (3, 4):
        load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, day))
        assert con.execute("SELECT count(*), min(source_file) FROM fct_petition").fetchone() == (5, newer.name)


def test_a_code_in_two_months_comes_back_when_the_later_month_drops_it_even_with_the_earlier_file_gone(tmp_path):
    """P-10 in January's and February's files counts once, in February. January's file then left the inbox (its rows
    kept, as every gone file's), and February was corrected without P-10: January's P-10 had been deleted for good,
    in neither fct_petition nor the quarantine. The rows as loaded are kept (stg_petition) and counted again each run;
    a gone month is named in a note, and withdrawn only with ``withdraw``."""
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    february = date(2026, 2, 1)
    jan = write_pakn(
        inbox / "pakn",
        JANUARY,
        [petition(petition_code="P-10", received_at="28/01/2026 09:00:00", completed_at=""), petition(petition_code="J-1")],
    )
    feb_rows = [petition(petition_code="F-1", received_at="03/02/2026 09:00:00", completed_at="")]
    write_pakn(
        inbox / "pakn", february, [petition(petition_code="P-10", received_at="02/02/2026 09:00:00", completed_at=""), *feb_rows]
    )
    con = duckdb.connect()
    ensure_schema(con)

    def run(now: datetime, **config: bool) -> dict:
        return load_petition_folder(con, inbox, matcher=MATCHER, work_dir=work, now=now, **config)

    def counted() -> list[tuple]:
        return con.execute("SELECT petition_code, source_file FROM fct_petition ORDER BY 1").fetchall()

    run(NOW)
    assert counted() == [("F-1", "pakn_202602.csv"), ("J-1", "pakn_202601.csv"), ("P-10", "pakn_202602.csv")]
    assert con.execute("SELECT file_name, rule FROM quarantine").fetchall() == [("pakn_202601.csv", "petition_in_two_months")]

    jan.unlink()
    stats = run(datetime(2026, 2, 10))
    assert stats["files_gone_kept"] == 1 and len(counted()) == 3
    gone = con.execute("SELECT file_name, rule, blocking, reason FROM file_issues WHERE rule = 'file_gone'").fetchall()
    assert [g[:3] for g in gone] == [("pakn_202601.csv", "file_gone", False)] and "withdraw: true" in gone[0][3]

    write_pakn(inbox / "pakn", february, feb_rows)  # February corrected: P-10 was January's only
    run(datetime(2026, 2, 11))
    assert counted() == [("F-1", "pakn_202602.csv"), ("J-1", "pakn_202601.csv"), ("P-10", "pakn_202601.csv")]
    assert con.execute("SELECT count(*) FROM quarantine").fetchall() == [(0,)]
    before = _tables(con)
    run(datetime(2026, 2, 12))
    assert _tables(con) == before  # a rerun gives the same tables (the gone note keeps its first time)

    run(datetime(2026, 2, 13), withdraw=True)
    assert counted() == [("F-1", "pakn_202602.csv")]
    assert con.execute("SELECT count(*) FROM file_issues WHERE file_name = 'pakn_202601.csv'").fetchall() == [(0,)]


def test_a_warehouse_of_an_earlier_version_gets_its_counted_petitions_as_staging(tmp_path):
    """Before stg_petition, fct_petition held the rows: the upgrade (ensure_schema) copies them, so the first count
    from the staging keeps every month, even one whose file is no longer in the inbox."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute(
        """INSERT INTO fct_petition VALUES ('P-1', ?, TIMESTAMP '2026-01-05 09:00', 'procedure', 'answer',
           TIMESTAMP '2026-01-26 17:00', NULL, NULL, false, 'pakn_202601.csv', 2)""",
        [MATCHER.match("Phường Phan Đình Phùng")],
    )
    con.execute("DROP TABLE stg_petition")  # as an earlier version's warehouse has it
    ensure_schema(con)
    load_petition_folder(con, tmp_path / "inbox", matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    assert con.execute("SELECT petition_code FROM fct_petition").fetchall() == [("P-1",)]


def test_a_month_whose_rows_mostly_failed_is_unknown_to_the_index_not_a_month_without_petitions(tmp_path):
    """January's first export with its 12 dates written 2026-01-05 09:15:00 (after an upgrade of the PAKN system)
    loaded 0 rows as 'partly_loaded', and the index took the month as one without petitions: full points on 5.2 and
    5.3 for the ward that had 12. The month is unknown until a good file comes, with a note saying so."""
    from common.periods import parse_period
    from common.units import load_units
    from scoring.qd766 import methodology_for
    from warehouse import qd766
    from warehouse.tthc import load_units as load_unit_rows

    iso = [petition(petition_code=f"PAKN-{i}", received_at="2026-01-05 09:15:00") for i in range(1, 13)]
    con = _loaded_january(tmp_path, iso)
    load_unit_rows(con, load_units("Thái Nguyên"))
    january = [parse_period("2026-M01")]

    def petitions() -> set:
        frame = qd766.measure_periods(con, january, methodology_for(JANUARY), datetime(2026, 1, 31, 23, 59, 59))
        return set(frame.loc[frame["unit_code"] == "05443", "petitions"].astype("float64").fillna(-1))

    assert petitions() == {-1}  # unknown (NaN), not 0
    ((reason,),) = con.execute("SELECT reason FROM file_issues WHERE rule = 'month_unknown'").fetchall()
    assert "0/12 dòng" in reason and "01/2026" in reason and "5.2, 5.3" in reason
    # Half of the rows good is a month known (a duplicated line is rejected and still a month known)
    write_pakn(tmp_path / "inbox" / "pakn", JANUARY, iso[:6] + [petition(petition_code=f"G-{i}") for i in range(6)])
    load_petition_folder(con, tmp_path / "inbox", matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, 4))
    assert petitions() == {6.0}
    assert con.execute("SELECT count(*) FROM file_issues WHERE rule = 'month_unknown'").fetchone() == (0,)


def test_a_month_sent_again_under_another_name_with_far_fewer_petitions_is_refused_too(tmp_path):
    """pakn_202601.csv (12 petitions) loaded, then deleted and sent as PAKN_T01_2026.CSV with 5: the month went from
    12 to 5 without a word (the guard looked up the earlier load by file name only)."""
    inbox = tmp_path / "inbox"
    first = write_pakn(inbox / "pakn", JANUARY, [petition(petition_code=f"PAKN-{i}") for i in range(1, 13)])
    con = duckdb.connect()
    ensure_schema(con)
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=NOW)
    first.unlink()
    write_pakn(inbox / "pakn", JANUARY, [petition(petition_code=f"PAKN-{i}") for i in range(1, 6)], name="PAKN_T01_2026.CSV")
    stats = load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, 4))
    assert stats["files_kept_earlier"] == 1
    assert con.execute("SELECT count(*) FROM fct_petition").fetchone() == (12,)
    ((reason,),) = con.execute("SELECT reason FROM file_issues WHERE rule = 'redelivery_refused'").fetchall()
    assert "chỉ có 5 dòng dùng được" in reason and "(12 dòng)" in reason
    load_petition_folder(con, inbox, matcher=MATCHER, work_dir=tmp_path / "work", now=datetime(2026, 2, 5), accept_smaller=True)
    assert con.execute("SELECT count(*) FROM fct_petition").fetchone() == (5,)


def test_a_name_or_address_in_the_unit_column_is_not_quoted_and_a_given_name_after_a_form_of_address_is_masked(tmp_path):
    """ "Lê Hoa", "nguyễn văn bình", "ông Bình tổ 5", "Tổ 3 phường Phan Đình Phùng, nhà ông Bình" typed where the unit
    belongs, and "chị Lan không hài lòng" in the rating, were stored verbatim in the quarantine's unit_name, value and
    reason (masking misses a short or lower-case name and a house's address). A unit column's value is quoted only when
    it begins as a unit's name does; a mistyped unit still is, so the office can find it."""
    typed = ["Lê Hoa", "nguyễn văn bình", "ông Bình tổ 5", "Tổ 3 phường Phan Đình Phùng, nhà ông Bình"]
    rows = [petition(petition_code=f"PAKN-{i}", unit=unit) for i, unit in enumerate(typed, start=2)]
    rows += [petition(petition_code="PAKN-9", satisfaction="chị Lan không hài lòng")]
    rows += [petition(petition_code="PAKN-10", unit="UBND Phường Phan Đình Phùngg")]
    con = _loaded_january(tmp_path, [petition(), *rows])
    found = con.execute("SELECT rule, unit_name, reason, value FROM quarantine ORDER BY row_number").fetchall()
    assert [r[0] for r in found] == ["unknown_unit"] * 4 + ["bad_value:satisfaction", "unknown_unit"]
    text = str(found[:5])
    for personal in ("Hoa", "bình", "Bình", "Tổ 3", "tổ 5", "Lan"):
        assert personal not in text, personal
    assert [r[1] for r in found[:4]] == [None] * 4 and "không giống tên một đơn vị" in found[0][2]
    assert found[5][1] == "UBND Phường Phan Đình Phùngg" and "'UBND Phường Phan Đình Phùngg'" in found[5][2]
