"""A revision that removes a task and renumbers the rest (hand-made registers): the number now names another task, so
the register says so and no 'previous deadline' is claimed for it; a rewording keeps its previous deadline."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from common.units import load_offices, load_units
from common.vntext import same_task_content
from tests.conftest import rows_of
from tests.excel_files import write_xlsx
from warehouse.tasks import load_plan_registers

NOW = datetime(2026, 6, 16, 8, 0)
HEADER = ["Số TT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
TASK_1 = "Xây dựng Kế hoạch thực hiện nhiệm vụ cải cách hành chính năm 2026 của Sở"
TASK_2 = "Xây dựng kế hoạch nâng cao chất lượng kiểm soát TTHC, cải cách TTHC gắn với chuyển đổi số"
TASK_3 = "Tổ chức triển khai xử lý các văn bản QPPL chịu sự tác động của việc sắp xếp tổ chức bộ máy"


def _register(revision: int, issued: str, tasks: list[list[object]]) -> list[list[object]]:
    meta = [["Số kế hoạch:", "245/KH-SKHCN"], ["Ngày ban hành:", issued], ["Năm kế hoạch:", 2026]]
    return [*meta, ["Lần ban hành/sửa đổi:", revision], [], HEADER, *tasks]


def _put(inbox: Path, name: str, grid: list[list[object]]) -> None:
    path = write_xlsx(inbox / "ke_hoach" / name, grid, "Danh mục nhiệm vụ")
    old = time.time() - 60
    os.utime(path, (old, old))


def test_a_revision_that_renumbers_tasks_says_so_and_claims_no_previous_deadline(
    con: duckdb.DuckDBPyConnection, tmp_path
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    first = [
        ["1.", TASK_1, "Văn phòng Sở", None, "Quý I/2026"],
        ["2.", TASK_2, "Văn phòng Sở", None, "Tháng 01/2026"],
        ["3.", TASK_3, "Phòng Chuyển đổi số", None, "Trước 01/6/2026"],
    ]
    # revision 2 of 15/06: task 1 reworded and moved to quý II, task 2 removed, task 3 renumbered 2
    second = [
        ["1.", TASK_1.replace("Xây dựng", "Ban hành"), "Văn phòng Sở", None, "Quý II/2026"],
        ["2.", TASK_3, "Phòng Chuyển đổi số", None, "Trước 01/6/2026"],
    ]
    _put(inbox, "ke_hoach_2026.xlsx", _register(1, "29/12/2025", first))
    _put(inbox, "ke_hoach_2026_sua_doi.xlsx", _register(2, "15/06/2026", second))
    load_plan_registers(con, inbox, units=load_units("Thái Nguyên"), offices=load_offices("Thái Nguyên"), now=NOW)
    assert rows_of(con, "SELECT task_no, previous_deadline_text FROM fct_plan_task ORDER BY task_no") == [
        ("1", "Quý I/2026"),  # a rewording: the same task, its deadline moved
        ("2", None),  # not 'Tháng 01/2026': that was the removed task's deadline
    ]
    notes = rows_of(con, "SELECT file_name, reason, blocking FROM file_issues WHERE rule = 'task_content_replaced'")
    assert len(notes) == 1
    file_name, reason, blocking = notes[0]
    assert file_name == "ke_hoach_2026_sua_doi.xlsx" and not blocking
    assert reason.startswith("Nhiệm vụ 2: nội dung ở lần ban hành/sửa đổi 2 khác hẳn lần 1")
    assert TASK_2[:60] in reason and TASK_3[:60] in reason
    assert "Báo cáo tiến độ ghi nhiệm vụ 2 theo cách đánh số cũ sẽ được gắn vào nhiệm vụ mới này" in reason
    # loading again records the note once
    load_plan_registers(con, inbox, units=load_units("Thái Nguyên"), offices=load_offices("Thái Nguyên"), now=NOW)
    assert rows_of(con, "SELECT count(*) FROM file_issues WHERE rule = 'task_content_replaced'") == [(1,)]
    # The annex and the Word report (the versions in force on a day) claim no previous deadline for number 2 either.
    from workbooks.tasks import _versions_in_force

    in_force = _versions_in_force(con, 2026, date(2026, 9, 30))
    assert (in_force["1"]["previous_deadline_text"], in_force["2"]["previous_deadline_text"]) == ("Quý I/2026", None)


def test_same_task_content_tells_a_rewording_from_another_task() -> None:
    assert same_task_content(TASK_1, TASK_1.replace("Xây dựng", "Ban hành") + " (sửa đổi)")
    assert same_task_content(TASK_2, TASK_2.upper().replace(",", ";"))
    assert not same_task_content(TASK_2, TASK_3) and not same_task_content(TASK_1, TASK_2)


def test_a_number_given_to_another_task_with_the_same_deadline_keeps_no_previous_deadline_in_the_annex(
    con: duckdb.DuckDBPyConnection, tmp_path
) -> None:
    """Revision 2 moves task 2 from 'Tháng 01/2026' to 'Quý II/2026'; revision 3 gives number 2 to task 3, due
    'Quý II/2026' too: the annex kept 'thời hạn trước: Tháng 01/2026', another task's deadline."""
    from workbooks.tasks import _versions_in_force

    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    task_1 = ["1.", TASK_1, "Văn phòng Sở", None, "Quý I/2026"]
    _put(inbox, "kh_1.xlsx", _register(1, "29/12/2025", [task_1, ["2.", TASK_2, "Văn phòng Sở", None, "Tháng 01/2026"]]))
    _put(inbox, "kh_2.xlsx", _register(2, "15/03/2026", [task_1, ["2.", TASK_2, "Văn phòng Sở", None, "Quý II/2026"]]))
    _put(inbox, "kh_3.xlsx", _register(3, "15/06/2026", [task_1, ["2.", TASK_3, "Phòng Chuyển đổi số", None, "Quý II/2026"]]))
    load_plan_registers(con, inbox, units=load_units("Thái Nguyên"), offices=load_offices("Thái Nguyên"), now=NOW)
    assert _versions_in_force(con, 2026, date(2026, 4, 30))["2"]["previous_deadline_text"] == "Tháng 01/2026"
    assert _versions_in_force(con, 2026, date(2026, 9, 30))["2"]["previous_deadline_text"] is None
