"""Registers of one plan year chained by their revision number (hand-made registers from the seed plan): a revision
without a readable issue date, one carrying its own document number, two copies of one revision and a trial register.
Every reader (status, fct_plan_task, the annex and the Word report) takes the same registers in the same order."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from common.periods import parse_period
from common.units import load_offices, load_units
from tests.conftest import rows_of
from tests.excel_files import write_xlsx
from tests.task_department import DEPT, add_department
from warehouse.tasks import load_plan_registers, refresh_task_status
from workbooks.excel import frame_records
from workbooks.tasks import plan_citation, read_task_report_data

UNITS, OFFICES = load_units("Thái Nguyên"), load_offices("Thái Nguyên")
HEADER = ["Số TT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
TASK_1 = "Xây dựng Kế hoạch thực hiện nhiệm vụ cải cách hành chính năm 2026 của Sở"
TASK_2 = "Rà soát, đánh giá việc triển khai nền tảng số dùng chung của Sở trên địa bàn tỉnh"
TASK_3 = "Tổ chức triển khai xử lý các văn bản QPPL chịu sự tác động của việc sắp xếp tổ chức bộ máy"
Q1, Q3 = date(2026, 3, 31), date(2026, 9, 30)
ORIGINAL = [
    ["1.", TASK_1, "Văn phòng Sở", None, "Quý I/2026"],
    ["2.", TASK_2, "Phòng Chuyển đổi số", None, "Quý II/2026"],
]
# The revision moves task 2 to quý III and adds task 3.
REVISED = [
    ORIGINAL[0],
    ["2.", TASK_2, "Phòng Chuyển đổi số", None, "Quý III/2026"],
    ["3.", TASK_3, "Văn phòng Sở", None, "Năm 2026"],
]


def _register(
    number: str, revision: int, issued: object, tasks: list[list[object]], title: str | None = None, year: int = 2026
) -> list:
    meta = [["Số kế hoạch:", number], ["Ngày ban hành:", issued], ["Năm kế hoạch:", year], ["Lần ban hành/sửa đổi:", revision]]
    if title:
        meta.append(["Tên kế hoạch:", title])
    return [*meta, [], HEADER, *tasks]


def _put(inbox: Path, name: str, grid: list[list[object]], age: int = 60) -> None:
    (inbox / "ke_hoach").mkdir(parents=True, exist_ok=True)
    path = write_xlsx(inbox / "ke_hoach" / name, grid, "Danh mục nhiệm vụ")
    old = time.time() - age
    os.utime(path, (old, old))


def _load(con: duckdb.DuckDBPyConnection, inbox: Path, now: datetime, days: list[date]) -> None:
    load_plan_registers(con, inbox, units=UNITS, offices=OFFICES, now=now)
    refresh_task_status(con, 2026, days)


def _status(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, date | None]:
    rows = rows_of(con, "SELECT task_no, effective_due_date FROM mart_task_status WHERE as_of = ? ORDER BY task_order", [day])
    return dict(rows)


def _annex(con: duckdb.DuckDBPyConnection, period: str, as_of: date) -> tuple[dict[str, str], str]:
    """Each task's deadline in the annex of ``period`` and the plan as the Word report cites it."""
    data = read_task_report_data(con, parse_period(period), as_of, DEPT)
    return {t["task_no"]: t["deadline_text"] for t in frame_records(data.tasks)}, plan_citation(data)


def _notes(con: duckdb.DuckDBPyConnection, rule: str) -> list[tuple]:
    return rows_of(con, "SELECT file_name, reason, blocking FROM file_issues WHERE rule = ? ORDER BY file_name", [rule])


# --- 1. a revision without a readable issue date ------------------------------------------------------------


@pytest.mark.parametrize("issued", [None, "15/6/2026 (dự kiến)"])
def test_a_revision_without_a_readable_issue_date_applies_from_its_arrival_after_the_original(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, issued: object
) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _put(inbox, "ke_hoach_2026_sua_doi.xlsx", _register("123/KH-SKHCN", 2, issued, REVISED))
    arrived = date(2026, 6, 20)
    _load(con, inbox, datetime(2026, 6, 20, 8, 0), [Q1, date(2026, 6, 19), arrived, Q3])
    assert rows_of(con, "SELECT DISTINCT revision FROM fct_plan_task") == [(2,)]
    assert _status(con, Q1) == {"1": date(2026, 3, 31), "2": date(2026, 6, 30)}  # the original in the first quarter
    assert _status(con, date(2026, 6, 19)) == {"1": date(2026, 3, 31), "2": date(2026, 6, 30)}
    assert _status(con, arrived) == {"1": date(2026, 3, 31), "2": date(2026, 9, 30), "3": date(2026, 12, 31)}
    assert _status(con, Q3) == _status(con, arrived)
    [(file_name, reason, blocking)] = _notes(con, "revision_without_date")
    assert file_name == "ke_hoach_2026_sua_doi.xlsx" and not blocking
    assert "20/06/2026" in reason and "Ngày ban hành" in reason
    q1, q1_citation = _annex(con, "2026-Q1", Q1)
    assert q1 == {"1": "Quý I/2026", "2": "Quý II/2026"} and "sửa đổi" not in q1_citation
    q3, q3_citation = _annex(con, "2026-Q3", Q3)
    assert q3 == {"1": "Quý I/2026", "2": "Quý III/2026", "3": "Năm 2026"}
    assert "(sửa đổi, bổ sung lần 1)" in q3_citation


def test_a_revision_dated_before_its_predecessor_is_not_applied_before_it(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Revision 2 dated 15/06/2025 (a year mistyped), the plan issued 30/12/2025: it applies from 30/12/2025, with a
    note, never before the plan (which would then win again from its own date)."""
    inbox = tmp_path / "inbox"
    _put(inbox, "kh_1.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _put(inbox, "kh_2.xlsx", _register("123/KH-SKHCN", 2, "15/06/2025", REVISED))
    _load(con, inbox, datetime(2026, 6, 20, 8, 0), [Q1, Q3])
    assert _status(con, Q1)["2"] == _status(con, Q3)["2"] == date(2026, 9, 30)
    [(file_name, reason, _)] = _notes(con, "revision_date_order")
    assert file_name == "kh_2.xlsx" and "15/06/2025" in reason and "30/12/2025" in reason


# --- 2. a revision with its own document number -------------------------------------------------------------


def test_a_revision_with_its_own_number_continues_the_plan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _put(inbox, "ke_hoach_2026_sua_doi.xlsx", _register("245/KH-SKHCN", 2, "15/06/2026", REVISED))
    _load(con, inbox, datetime(2026, 10, 5, 8, 0), [Q1, date(2026, 6, 15), Q3])
    assert _notes(con, "conflicting_plans") == []
    assert rows_of(con, "SELECT DISTINCT plan_number, revision FROM fct_plan_task") == [("123/KH-SKHCN", 2)]
    assert _status(con, Q1) == {"1": date(2026, 3, 31), "2": date(2026, 6, 30)}
    assert _status(con, date(2026, 6, 15)) == {"1": date(2026, 3, 31), "2": date(2026, 9, 30), "3": date(2026, 12, 31)}
    q1, q1_citation = _annex(con, "2026-Q1", Q1)
    assert q1 == {"1": "Quý I/2026", "2": "Quý II/2026"}
    assert q1_citation.startswith("Kế hoạch số 123/KH-SKHCN ngày 30/12/2025") and "sửa đổi" not in q1_citation
    q3, q3_citation = _annex(con, "2026-Q3", Q3)
    assert q3 == {"1": "Quý I/2026", "2": "Quý III/2026", "3": "Năm 2026"}
    assert q3_citation.startswith("Kế hoạch số 123/KH-SKHCN ngày 30/12/2025")
    assert q3_citation.endswith("(sửa đổi, bổ sung lần 1 số 245/KH-SKHCN ngày 15/06/2026)")


def test_a_plan_number_written_otherwise_is_the_same_plan(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "kh_1.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _put(inbox, "kh_2.xlsx", _register("123/kh - skhcn", 2, "15/06/2026", REVISED))
    _put(inbox, "kh_2027.xlsx", _register("98/KH-SKHCN", 1, "28/12/2026", ORIGINAL, year=2027))  # another year's plan
    _load(con, inbox, datetime(2026, 10, 5, 8, 0), [Q1, Q3])
    assert _notes(con, "conflicting_plans") == []
    assert rows_of(con, "SELECT plan_year, plan_number, count(*) FROM fct_plan_task GROUP BY ALL ORDER BY 1") == [
        (2026, "123/KH-SKHCN", 3),
        (2027, "98/KH-SKHCN", 2),
    ]
    assert _status(con, Q1) == {"1": date(2026, 3, 31), "2": date(2026, 6, 30)}
    assert _annex(con, "2026-Q3", Q3)[1].endswith("(sửa đổi, bổ sung lần 1 ngày 15/06/2026)")  # no number of its own


def test_two_first_issues_with_different_numbers_still_compete(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _put(inbox, "kh_a.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _put(inbox, "kh_b.xlsx", _register("130/KH-SKHCN", 1, "05/01/2026", REVISED))
    _load(con, inbox, datetime(2026, 10, 5, 8, 0), [Q1])
    [(file_name, reason, blocking)] = _notes(con, "conflicting_plans")
    assert file_name == "kh_b.xlsx" and not blocking and "130/KH-SKHCN" in reason and "123/KH-SKHCN" in reason
    assert rows_of(con, "SELECT DISTINCT plan_number FROM fct_plan_task") == [("130/KH-SKHCN",)]


# --- 3. two copies of one revision --------------------------------------------------------------------------

# The corrected copy moves task 2 to May; its table starts a row higher (no title row), and its name sorts first.
CORRECTED = [ORIGINAL[0], ["2.", TASK_2, "Phòng Chuyển đổi số", None, "Tháng 05/2026"]]


def _check_corrected_copy_wins(con: duckdb.DuckDBPyConnection) -> None:
    assert rows_of(con, "SELECT DISTINCT source_file FROM fct_plan_task") == [("ban_sua_ke_hoach.xlsx",)]
    assert rows_of(con, "SELECT deadline_text FROM fct_plan_task WHERE task_no = '2'") == [("Tháng 05/2026",)]
    assert _status(con, Q1)["2"] == date(2026, 6, 1)  # 31/05/2026 is a Sunday
    assert _annex(con, "2026-Q1", Q1)[0]["2"] == "Tháng 05/2026"
    [(file_name, reason, blocking)] = _notes(con, "duplicate_revision")
    assert file_name == "ke_hoach_2026.xlsx" and not blocking
    assert "'ban_sua_ke_hoach.xlsx'" in reason and "lần ban hành/sửa đổi 1" in reason


def test_a_corrected_copy_of_a_revision_arriving_later_wins_as_a_whole(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL, "Kế hoạch CCHC năm 2026"))
    _load(con, inbox, datetime(2026, 1, 5, 8, 0), [Q1])
    _put(inbox, "ban_sua_ke_hoach.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", CORRECTED))
    _load(con, inbox, datetime(2026, 2, 1, 8, 0), [Q1])
    _check_corrected_copy_wins(con)


def test_of_two_copies_arriving_together_the_one_saved_later_wins(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL, "Kế hoạch CCHC năm 2026"), age=600)
    _put(inbox, "ban_sua_ke_hoach.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", CORRECTED), age=60)
    _load(con, inbox, datetime(2026, 2, 1, 8, 0), [Q1])
    _check_corrected_copy_wins(con)


# --- 4. a trial register ------------------------------------------------------------------------------------


def test_a_trial_revision_is_in_neither_the_annex_nor_the_citation(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    trial = _register("123/KH-SKHCN", 2, "01/03/2026", REVISED, "Kế hoạch CCHC năm 2026 (bản nhập thử)")
    _put(inbox, "ke_hoach_thu.xlsx", trial)
    _load(con, inbox, datetime(2026, 4, 5, 8, 0), [Q1])
    assert _status(con, Q1) == {"1": date(2026, 3, 31), "2": date(2026, 6, 30)}
    tasks, citation = _annex(con, "2026-Q1", Q1)
    assert tasks == {"1": "Quý I/2026", "2": "Quý II/2026"}
    assert citation.startswith("Kế hoạch số 123/KH-SKHCN ngày 30/12/2025") and "sửa đổi" not in citation


def test_a_warehouse_from_before_plan_revision_gets_its_chain_at_the_next_status_run(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # On the department's server the registers loaded before plan_revision existed: a status run on its own (the UI's
    # task_status) found no task at all.
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _load(con, inbox, datetime(2026, 10, 5, 8, 0), [Q1])
    con.execute("DELETE FROM plan_revision")
    refresh_task_status(con, 2026, [Q3])
    assert _status(con, Q3) == {"1": date(2026, 3, 31), "2": date(2026, 6, 30)}


# --- 5. a revision missing from the chain --------------------------------------------------------------------


def test_a_revision_after_a_missing_one_applies_on_top_of_the_last_received_and_names_the_missing_one(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _put(inbox, "ke_hoach_2026_sua_doi_3.xlsx", _register("123/KH-SKHCN", 3, "15/06/2026", REVISED))
    _load(con, inbox, datetime(2026, 6, 20, 8, 0), [Q1, Q3])
    assert _status(con, Q1) == {"1": date(2026, 3, 31), "2": date(2026, 6, 30)}
    assert _status(con, Q3) == {"1": date(2026, 3, 31), "2": date(2026, 9, 30), "3": date(2026, 12, 31)}
    [(file_name, reason, blocking)] = _notes(con, "revision_gap")
    assert file_name == "ke_hoach_2026_sua_doi_3.xlsx" and not blocking
    assert "Chưa nhận lần ban hành/sửa đổi 2 của kế hoạch 123/KH-SKHCN" in reason and "sau lần 1" in reason


def test_a_chain_without_its_first_issue_names_it(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026_sua_doi.xlsx", _register("123/KH-SKHCN", 2, "15/06/2026", REVISED))
    _load(con, inbox, datetime(2026, 6, 20, 8, 0), [Q3])
    assert _status(con, Q3) == {"1": date(2026, 3, 31), "2": date(2026, 9, 30), "3": date(2026, 12, 31)}
    [(file_name, reason, _)] = _notes(con, "revision_gap")
    assert file_name == "ke_hoach_2026_sua_doi.xlsx" and "Chưa nhận lần ban hành/sửa đổi 1" in reason


def test_consecutive_revisions_get_no_gap_note(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    add_department(con)
    _put(inbox, "ke_hoach_2026.xlsx", _register("123/KH-SKHCN", 1, "30/12/2025", ORIGINAL))
    _put(inbox, "ke_hoach_2026_sua_doi.xlsx", _register("123/KH-SKHCN", 2, "15/06/2026", REVISED))
    _load(con, inbox, datetime(2026, 6, 20, 8, 0), [Q3])
    assert _notes(con, "revision_gap") == []
