"""The procedure publication register: typed rows with the missing parts named, every reject rule with its line and
Vietnamese reason, encodings, and a loader that replaces the register and is idempotent."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from common.periods import parse_period
from common.units import load_units, matcher_for
from sources.procedure_publication import read_publication
from sources.publication_format import CONTENT_PARTS, PUBLICATION_COLUMNS, PUBLICATION_FILE_NAME
from sources.rule_labels import rule_label
from sources.tthc_catalogue import read_catalogue
from sources.tthc_format import CATALOGUE_FILE_NAME
from tests.conftest import write_catalogue, write_rows
from warehouse import tthc
from warehouse.publication import load_publication, load_publication_register
from warehouse.schema import ensure_schema

KNOWN = {"2.000001", "1.000100"}
NOW = datetime(2026, 3, 1, 6, 0)
DEFAULT = {
    "decision_number": "125/QĐ-UBND",
    "decision_date": "15/01/2026",
    "procedure_code": "2.000001",
    "legal_effective_date": "01/02/2026",
    "made_public_date": "19/01/2026",
    **{p.name: "Có" for p in CONTENT_PARTS},
}


def entry(**overrides: str) -> dict[str, str]:
    return {**DEFAULT, **overrides}


def write_register(folder: Path, rows: list[dict], *, headers: list[str] | None = None, encoding: str = "utf-8-sig") -> Path:
    return write_rows(folder / PUBLICATION_FILE_NAME, PUBLICATION_COLUMNS, rows, headers=headers, encoding=encoding)


def test_rows_are_typed_and_missing_parts_named(tmp_path):
    path = write_register(
        tmp_path / "tthc",
        [
            entry(),
            entry(procedure_code="1.000100", made_public_date="", part_dossier="Không", part_time_limit="không"),
            # A decision after the legal basis took effect is a late publication, not an error.
            entry(
                decision_number="300/QĐ-UBND",
                decision_date="10/03/2026",
                legal_effective_date="01/03/2026",
                made_public_date="10/03/2026",
            ),
        ],
    )
    result = read_publication(path, tmp_path / "work", KNOWN)
    assert result.rejects == [] and result.file_issues == []
    assert result.rows == [
        {
            "decision_number": "125/QĐ-UBND",
            "decision_date": date(2026, 1, 15),
            "procedure_code": "2.000001",
            "legal_effective_date": date(2026, 2, 1),
            "made_public_date": date(2026, 1, 19),
            "parts_complete": 7,
            "missing_parts": None,
            "source_row": 2,
        },
        {
            "decision_number": "125/QĐ-UBND",
            "decision_date": date(2026, 1, 15),
            "procedure_code": "1.000100",
            "legal_effective_date": date(2026, 2, 1),
            "made_public_date": None,
            "parts_complete": 5,
            "missing_parts": "Thành phần hồ sơ; Thời hạn giải quyết",
            "source_row": 3,
        },
        {
            "decision_number": "300/QĐ-UBND",
            "decision_date": date(2026, 3, 10),
            "procedure_code": "2.000001",
            "legal_effective_date": date(2026, 3, 1),
            "made_public_date": date(2026, 3, 10),
            "parts_complete": 7,
            "missing_parts": None,
            "source_row": 4,
        },
    ]


@pytest.mark.parametrize(
    ("bad", "rule", "reason_part"),
    [
        ({"procedure_code": "9.999999"}, "unknown_procedure", "Mã TTHC không có trong danh mục thủ tục: '9.999999'."),
        ({"procedure_code": ""}, "unknown_procedure", "Thiếu mã TTHC."),
        ({"decision_number": ""}, "missing_decision_number", "Thiếu số quyết định công bố."),
        ({"decision_date": "2026-01-15"}, "bad_date:decision_date", "Cột 'Ngày quyết định': ngày không đúng định dạng"),
        ({"legal_effective_date": ""}, "bad_date:legal_effective_date", "Ngày hiệu lực của văn bản quy định"),
        ({"made_public_date": "31/02/2026"}, "bad_date:made_public_date", "'31/02/2026'"),
        ({"made_public_date": "10/01/2026"}, "public_before_decision", "(10/01/2026) trước ngày quyết định công bố (15/01/2026)"),
        ({"part_agency": "Đang cập nhật"}, "bad_value:part_agency", "Cột 'Cơ quan thực hiện'"),
        (
            {"decision_number": "125/QĐ-UBND", "procedure_code": "1.000100", "legal_effective_date": "05/02/2026"},
            "duplicate_publication",
            "Thủ tục 1.000100 đã có trong quyết định 125/QĐ-UBND ở dòng 2.",
        ),
    ],
)
def test_each_bad_row_is_rejected_with_line_rule_and_reason(tmp_path, bad, rule, reason_part):
    path = write_register(
        tmp_path / "tthc",
        [
            entry(procedure_code="1.000100"),
            entry(**{"decision_number": "999/QĐ-BAD", **bad}),
            entry(decision_number="200/QĐ-UBND"),
        ],
    )
    result = read_publication(path, tmp_path / "work", KNOWN)
    assert [r["source_row"] for r in result.rows] == [2, 4]
    assert [(r["file_name"], r["row_number"], r["rule"]) for r in result.rejects] == [(PUBLICATION_FILE_NAME, 3, rule)]
    assert reason_part in result.rejects[0]["reason"]
    assert rule_label(rule)  # a short label for the quality workbook


@pytest.mark.parametrize(
    ("written", "rule"),
    [
        ("Ông Nguyễn Văn An 0912345678", "personal_number_as_code:decision_number"),
        ("Nguyễn Thị Hoa 12", "name_as_code:decision_number"),
        ("chưa có", "code_without_digit:decision_number"),
    ],
)
def test_a_decision_number_that_is_a_citizens_detail_is_refused_unquoted(tmp_path, written, rule):
    """A name or phone number typed in the decision-number column loaded into fct_procedure_publication (the analysts'
    snapshot) as the decision's number. Refused, neither quoted nor the reject's key; a real number with its words
    still loads."""
    path = write_register(tmp_path / "tthc", [entry(decision_number=written), entry(decision_number="Quyết định số 126/QĐ-UBND")])
    result = read_publication(path, tmp_path / "work", KNOWN)
    assert [r["decision_number"] for r in result.rows] == ["Quyết định số 126/QĐ-UBND"]
    [reject] = result.rejects
    assert reject["rule"] == rule and reject["value"] is None and reject["record_key"] == "? | 2.000001"
    assert written not in reject["reason"] and rule_label(rule)


def test_spellings_of_one_decision_number_are_one_decision(tmp_path):
    spellings = ["60 /QĐ-UBND", "60/QĐ - UBND", "60/QD-UBND", "60/qđ-ubnd", "Số 60/QĐ-UBND"]
    rows = [entry(decision_number="60/QĐ-UBND")] + [entry(decision_number=s) for s in spellings]
    rows.append(entry(decision_number="Số 60/qd-ubnd", procedure_code="1.000100"))  # another procedure of decision 60
    rows.append(entry(decision_number="600/QĐ-UBND"))  # another decision
    result = read_publication(write_register(tmp_path / "tthc", rows), tmp_path / "work", KNOWN)
    assert [(r["source_row"], r["decision_number"]) for r in result.rows] == [
        (2, "60/QĐ-UBND"),
        (8, "60/QĐ-UBND"),
        (9, "600/QĐ-UBND"),
    ]
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [(n, "duplicate_publication") for n in range(3, 8)]
    assert "ở dòng 2." in result.rejects[-1]["reason"]


def test_windows_1258_register_with_renamed_headers(tmp_path):
    headers = ["Số QĐ" if c.header == "Số quyết định" else c.header for c in PUBLICATION_COLUMNS]
    path = write_register(tmp_path / "tthc", [entry(part_sequence="Không")], headers=headers, encoding="cp1258")
    result = read_publication(path, tmp_path / "work", KNOWN)
    assert [(r["decision_number"], r["missing_parts"]) for r in result.rows] == [("125/QĐ-UBND", "Trình tự thực hiện")]
    assert {i.rule for i in result.file_issues} == {"encoding_converted", "renamed_columns"}


def test_missing_required_column_rejects_the_file(tmp_path):
    headers = [c.header for c in PUBLICATION_COLUMNS if c.name != "part_method"]
    result = read_publication(write_register(tmp_path / "tthc", [entry()], headers=headers), tmp_path / "work", KNOWN)
    assert not result.loadable and result.rows == []
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("missing_columns", True)]


def test_loader_replaces_the_register_and_is_idempotent(tmp_path):
    inbox = tmp_path / "inbox"
    write_catalogue(inbox / "tthc")
    write_register(inbox / "tthc", [entry(), entry(procedure_code="9.999999")])
    con = duckdb.connect()
    ensure_schema(con)
    assert load_publication_register(con, tmp_path / "empty", work_dir=tmp_path / "work", now=NOW) is None
    tthc.load_units(con, load_units("Thái Nguyên"))
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, tmp_path / "work", matcher=matcher_for("Thái Nguyên")), NOW)

    def tables() -> dict[str, list]:
        return {
            t: con.execute(
                f"SELECT * EXCLUDE (loaded_at) FROM {t} WHERE source = 'tthc_publication' ORDER BY ALL"
                if t == "landed_files"
                else f"SELECT * FROM {t} {'' if t.startswith('fct') else 'WHERE source = ' + repr('tthc_publication')} "
                "ORDER BY ALL"
            ).fetchall()
            for t in ("fct_procedure_publication", "quarantine", "file_issues", "landed_files")
        }

    stats = load_publication_register(con, inbox, work_dir=tmp_path / "work", now=NOW)
    assert stats == {"file": PUBLICATION_FILE_NAME, "status": "partly_loaded", "rows_loaded": 1, "rows_rejected": 1}
    first = tables()
    assert [r[2] for r in first["fct_procedure_publication"]] == ["2.000001"]
    assert [(r[3], r[6], r[7]) for r in first["quarantine"]] == [(3, "125/QĐ-UBND | 9.999999", "unknown_procedure")]
    load_publication_register(con, inbox, work_dir=tmp_path / "work", now=datetime(2026, 3, 2))
    assert tables() == first

    path = write_register(inbox / "tthc", [entry(), entry(procedure_code="1.000100", made_public_date="")])
    out = load_publication(con, path, read_publication(path, tmp_path / "work", KNOWN), datetime(2026, 3, 3))
    assert (out["status"], out["rows_loaded"], out["rows_rejected"]) == ("loaded", 2, 0)
    assert con.execute("SELECT procedure_code, made_public_date FROM fct_procedure_publication ORDER BY 1").fetchall() == [
        ("1.000100", None),
        ("2.000001", date(2026, 1, 19)),
    ]
    assert con.execute("SELECT count(*) FROM quarantine WHERE source = 'tthc_publication'").fetchall() == [(0,)]
    assert con.execute("SELECT first_loaded_at FROM landed_files WHERE source = 'tthc_publication'").fetchall() == [
        (datetime(2026, 3, 3),)
    ]


def _warehouse_with_catalogue(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    inbox = tmp_path / "inbox"
    write_catalogue(inbox / "tthc")
    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    catalogue = inbox / "tthc" / CATALOGUE_FILE_NAME
    tthc.load_catalogue(con, catalogue, read_catalogue(catalogue, tmp_path / "work", matcher=matcher_for("Thái Nguyên")), NOW)
    return con, inbox


def test_a_register_named_in_capitals_replaces_the_register_and_another_kind_is_reported(tmp_path):
    con, inbox = _warehouse_with_catalogue(tmp_path)
    write_register(inbox / "tthc", [entry()])
    load_publication_register(con, inbox, work_dir=tmp_path / "work", now=NOW)
    (inbox / "tthc" / PUBLICATION_FILE_NAME).rename(inbox / "tthc" / "old.txt")
    capitals = write_register(inbox / "tthc", [entry(procedure_code="1.000100")]).rename(inbox / "tthc" / "CONG_BO_TTHC.CSV")
    (inbox / "tthc" / "cong_bo_tthc.xlsx").write_bytes(b"PK\x03\x04")
    stats = load_publication_register(con, inbox, work_dir=tmp_path / "work", now=datetime(2026, 3, 2))
    assert capitals.exists() and (stats["status"], stats["rows_loaded"]) == ("loaded", 1)
    assert con.execute("SELECT procedure_code, source_file FROM fct_procedure_publication").fetchall() == [
        ("1.000100", PUBLICATION_FILE_NAME)
    ]
    issues = con.execute("SELECT file_name, rule, blocking, reason FROM file_issues").fetchall()
    assert [i[:3] for i in issues] == [("cong_bo_tthc.xlsx", "wrong_file_kind", True)]
    assert "CSV UTF-8" in issues[0][3] and rule_label("same_name_other_case")
    # Once the workbook is taken away its issue goes too.
    (inbox / "tthc" / "cong_bo_tthc.xlsx").unlink()
    load_publication_register(con, inbox, work_dir=tmp_path / "work", now=datetime(2026, 3, 3))
    assert con.execute("SELECT count(*) FROM file_issues").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty_file"),
        # A header-less re-delivery: the first data line is taken for the header, which names no column at all.
        ("125/QĐ-UBND,15/01/2026,2.000001,01/02/2026,19/01/2026,Có,Có,Có,Có,Có,Có,Có\n".encode(), "unrecognised_header"),
        ((",".join(c.header for c in PUBLICATION_COLUMNS) + "\n").encode("utf-8-sig"), "no_rows"),
    ],
)
def test_a_broken_register_keeps_the_register_already_loaded(tmp_path, content, rule):
    path = write_register(tmp_path / "tthc", [entry(), entry(procedure_code="9.999999")])
    con = duckdb.connect()
    ensure_schema(con)
    load_publication(con, path, read_publication(path, tmp_path / "work", KNOWN), NOW)

    def rows(table: str) -> list:
        where = "" if table.startswith("fct") else "WHERE source = 'tthc_publication'"
        return con.execute(f"SELECT * FROM {table} {where} ORDER BY ALL").fetchall()

    good, quarantined = rows("fct_procedure_publication"), rows("quarantine")
    assert len(good) == 1 and len(quarantined) == 1

    path.write_bytes(content)
    result = read_publication(path, tmp_path / "work", KNOWN)
    lineage = rows("landed_files")
    out = load_publication(con, path, result, datetime(2026, 3, 2))
    assert out == {"file": PUBLICATION_FILE_NAME, "status": "kept_earlier", "rows_loaded": 0, "rows_rejected": 0}
    assert rows("fct_procedure_publication") == good and rows("quarantine") == quarantined
    assert rows("landed_files") == lineage  # still the good register's lineage
    issues = con.execute("SELECT rule, blocking FROM file_issues ORDER BY rule <> 'redelivery_refused'").fetchall()
    assert issues[0] == ("redelivery_refused", True) and (rule == "no_rows" or (rule, True) in issues)

    # The next good register replaces everything again.
    path = write_register(tmp_path / "tthc", [entry(procedure_code="1.000100")])
    out = load_publication(con, path, read_publication(path, tmp_path / "work", KNOWN), datetime(2026, 3, 3))
    assert out["status"] == "loaded"
    assert [r[2] for r in rows("fct_procedure_publication")] == ["1.000100"]
    assert rows("quarantine") == [] and rows("file_issues") == []
    assert con.execute("SELECT status FROM landed_files").fetchall() == [("loaded",)]


def test_published_on_time_is_decided_by_effective_date_minus_five_working_days(tmp_path):
    """Methodology §3.3, 1.1 as written: on time when decision date <= effective date - 5 working days. The warehouse
    and the demo portal count it the same way, also when the effective date is a Saturday."""
    from demo.publication import Publication
    from demo.simulate import Calendar
    from scoring.qd766 import methodology_for
    from warehouse.qd766 import publication_measures

    cases = [  # decided, effective, on time
        ("02/03/2026", "07/03/2026", True),  # Saturday: 5 working days before it is Monday 02/03
        ("03/03/2026", "07/03/2026", False),
        ("02/03/2026", "09/03/2026", True),  # Monday: Mon 02/03 is exactly 5 working days before
        ("03/03/2026", "09/03/2026", False),
        ("10/02/2026", "24/02/2026", True),  # Tết 16-20/02: Mon 23, Fri 13 … Tue 10
        ("11/02/2026", "24/02/2026", False),
    ]
    rows = [
        entry(decision_number=f"{i}/QĐ-UBND", decision_date=d, legal_effective_date=e, made_public_date="")
        for i, (d, e, _) in enumerate(cases, start=1)
    ]
    path = write_register(tmp_path / "tthc", rows)
    con = duckdb.connect()
    ensure_schema(con)
    load_publication(con, path, read_publication(path, tmp_path / "work", KNOWN), NOW)
    methodology = methodology_for(date(2026, 1, 1))
    frame = publication_measures(
        con, [parse_period("2026-M02"), parse_period("2026-M03")], methodology, datetime(2026, 3, 31, 23, 59, 59)
    ).set_index("period_label")
    assert frame.loc["2026-M02", ["published", "publish_on_time"]].tolist() == [2, 1]
    assert frame.loc["2026-M03", ["published", "publish_on_time"]].tolist() == [4, 2]

    cal = Calendar.build(date(2026, 1, 1), date(2026, 12, 31))
    parse = lambda s: datetime.strptime(s, "%d/%m/%Y").date()  # noqa: E731
    demo = [Publication("x", parse(d), 0, parse(e), parse(e), (True,) * 7).publish_on_time(cal) for d, e, _ in cases]
    assert demo == [on_time for _, _, on_time in cases]


def test_a_decision_or_publication_after_the_day_of_reading_rejects_its_row(tmp_path):
    # 2062 typed for 2026 made the procedure published late (1.2); a legal basis may take effect later and loads.
    con, inbox = _warehouse_with_catalogue(tmp_path)
    write_register(
        inbox / "tthc",
        [
            entry(made_public_date="19/01/2062"),
            entry(procedure_code="1.000100", decision_date="15/01/2062", made_public_date=""),
            entry(decision_number="9/QĐ-UBND", legal_effective_date="01/01/2027"),
        ],
    )
    stats = load_publication_register(con, inbox, work_dir=tmp_path / "work", now=NOW)
    assert (stats["rows_loaded"], stats["rows_rejected"]) == (1, 2)
    assert con.execute("SELECT decision_number FROM fct_procedure_publication").fetchall() == [("9/QĐ-UBND",)]
    rows = con.execute("SELECT row_number, rule, value FROM quarantine ORDER BY 1").fetchall()
    assert rows == [(2, "future_date:made_public_date", "19/01/2062"), (3, "future_date:decision_date", "15/01/2062")]


def test_a_register_of_far_fewer_rows_keeps_the_one_in_use_until_accepted(tmp_path):
    """A re-delivery ending on a full line but holding 2 of the 20 decisions (an export stopped early, a filter left
    on) would silently drop the other 18 and lower 1.1-1.3: kept out, the register in use stays, the reason says how
    to accept a register that really shrank (accept_smaller)."""
    codes = [f"1.{i:06d}" for i in range(1, 21)]
    path = write_register(tmp_path / "tthc", [entry(procedure_code=c) for c in codes])
    con = duckdb.connect()
    ensure_schema(con)
    assert load_publication(con, path, read_publication(path, tmp_path / "work", set(codes)), NOW)["status"] == "loaded"
    path = write_register(tmp_path / "tthc", [entry(procedure_code=c) for c in codes[:2]])
    smaller = read_publication(path, tmp_path / "work", set(codes))
    assert load_publication(con, path, smaller, datetime(2026, 3, 2))["status"] == "kept_earlier"
    assert con.execute("SELECT count(*) FROM fct_procedure_publication").fetchone() == (20,)
    ((rule, reason),) = con.execute("SELECT rule, reason FROM file_issues").fetchall()
    assert rule == "redelivery_refused" and "chỉ có 2 dòng dùng được" in reason and "(20 dòng)" in reason
    assert "accept_smaller: true" in reason
    out = load_publication(con, path, smaller, datetime(2026, 3, 3), accept_smaller=True)
    assert out["status"] == "loaded" and con.execute("SELECT count(*) FROM fct_procedure_publication").fetchone() == (2,)


def test_a_date_before_1990_is_a_typing_slip_and_rejects_its_row(tmp_path):
    """'15/01/0206' for 2026 (or Excel's 1900 of an empty date cell) made the decision count as issued in time."""
    path = write_register(
        tmp_path / "tthc",
        [entry(decision_date="15/01/0206"), entry(procedure_code="1.000100", made_public_date="01/01/1900"), entry()],
    )
    result = read_publication(path, tmp_path / "work", KNOWN)
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [
        (2, "bad_date:decision_date"),
        (3, "bad_date:made_public_date"),
    ]
    assert "trước năm 1990" in result.rejects[0]["reason"] and len(result.rows) == 1


def test_a_registers_second_download_arriving_later_is_read_and_the_other_named(tmp_path):
    """A browser saves a second download as 'cong_bo_tthc (1).csv': it was never read, nothing named it, and alone
    in the inbox it meant "no register" (1.1-1.3 not evaluated)."""
    import os

    from pipelines.sensors import _other_sources

    con, inbox = _warehouse_with_catalogue(tmp_path)
    folder = inbox / "tthc"
    old = write_register(folder, [entry()])
    os.utime(old, (1_700_000_000, 1_700_000_000))
    newer = write_register(folder, [entry(), entry(decision_number="126/QĐ-UBND", procedure_code="1.000100")])
    newer = newer.rename(folder / "cong_bo_tthc (1).csv")
    old_again = write_register(folder, [entry()])
    os.utime(old_again, (1_700_000_000, 1_700_000_000))
    stats = load_publication_register(con, inbox, work_dir=tmp_path / "work", now=NOW)
    assert stats["rows_loaded"] == 2
    notes = con.execute("SELECT rule, reason FROM file_issues WHERE source = 'tthc_publication'").fetchall()
    assert [rule for rule, _ in notes] == ["same_name_other_case"] and "'cong_bo_tthc.csv'" in notes[0][1]
    assert "tthc/cong_bo_tthc (1).csv" in _other_sources(inbox)  # the sensor sees it

    old_again.unlink()  # the copy alone is the register
    assert load_publication_register(con, inbox, work_dir=tmp_path / "work", now=NOW)["rows_loaded"] == 2
