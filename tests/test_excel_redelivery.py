"""Excel folders in the warehouse: every file of ke_hoach/, tien_do/ and par/ read or refused with a reason (never
passed over), a workbook still being copied left for the next run, and a broken re-delivery (0 bytes, cut short,
empty) of a register, report, form or appraisal that loaded well refused while the earlier good load stays."""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import date, datetime
from pathlib import Path

from common.units import load_offices, load_units, matcher_for
from tests.conftest import rows_of
from tests.excel_files import write_xls, write_xlsx
from tests.test_excel_intake import REGISTER
from warehouse.par import load_assessment_inputs
from warehouse.tasks import known_tasks, load_plan_registers, load_task_reports, read_reports

NOW = datetime(2026, 12, 1, 8, 0)
LATER = datetime(2026, 12, 2, 8, 0)
UNITS, OFFICES = load_units("Thái Nguyên"), load_offices("Thái Nguyên")
REPORT = [
    ["BÁO CÁO TIẾN ĐỘ THỰC HIỆN KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH"],
    ["Đơn vị báo cáo:", "Văn phòng Sở"],
    ["Kỳ báo cáo:", "Quý I/2026"],
    ["Ngày báo cáo:", "03/04/2026"],
    [],
    ["Số TT nhiệm vụ", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Ngày hoàn thành"],
    ["1", "Hoàn thành", 100, "20/01/2026"],
]


def _settled(path: Path) -> Path:
    """A delivery that finished arriving a minute ago (not watched for a copy in progress)."""
    old = time.time() - 60
    os.utime(path, (old, old))
    return path


def _load_registers(con, inbox: Path, now: datetime = NOW) -> dict:
    return load_plan_registers(con, inbox, units=UNITS, offices=OFFICES, now=now)


def test_a_zero_byte_or_cut_short_register_keeps_the_earlier_load(con, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    path = _settled(write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", REGISTER, "Danh mục nhiệm vụ"))
    whole = path.read_bytes()
    _load_registers(con, inbox)
    before = rows_of(con, "SELECT * FROM plan_task_history ORDER BY source_row")
    lineage = rows_of(con, "SELECT status, sha256, rows_loaded FROM landed_files WHERE source = 'plan_register'")
    assert len(before) == 3 and lineage[0][0] == "loaded"
    for broken in (b"", whole[: len(whole) // 2]):
        _settled(path).write_bytes(broken)
        _settled(path)
        stats = _load_registers(con, inbox, LATER)
        assert stats["registers_kept"] == 1
        assert rows_of(con, "SELECT * FROM plan_task_history ORDER BY source_row") == before
        assert rows_of(con, "SELECT count(*) FROM fct_plan_task") == [(3,)]
        assert rows_of(con, "SELECT status, sha256, rows_loaded FROM landed_files WHERE source = 'plan_register'") == lineage
        issues = rows_of(con, "SELECT rule, reason, blocking FROM file_issues WHERE source = 'plan_register'")
        assert issues[0][0] == "redelivery_refused" and issues[0][2]
        assert "không thay dữ liệu đã nạp lúc 01/12/2026 08:00 (3 dòng)" in issues[0][1]
        assert ("rỗng" in issues[0][1]) if not broken else ("hỏng hoặc chép chưa xong" in issues[0][1])
        again = rows_of(con, "SELECT * FROM file_issues ORDER BY ALL")
        _load_registers(con, inbox, LATER)
        assert rows_of(con, "SELECT * FROM file_issues ORDER BY ALL") == again  # re-running changes nothing


def test_every_file_of_the_register_folder_is_read_or_refused(con, tmp_path: Path) -> None:
    folder = tmp_path / "inbox" / "ke_hoach"
    folder.mkdir(parents=True)
    _settled(write_xls(folder / "ke_hoach_2026.xls", REGISTER, "Danh mục nhiệm vụ"))
    (folder / "ke_hoach.csv").write_text("Số TT,Nội dung công việc\n1,Việc\n", encoding="utf-8")
    (folder / "to_trinh.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    (folder / "~$ke_hoach_2026.xls").write_bytes(b"lock")  # Excel's lock file: not a delivery
    for p in folder.iterdir():
        _settled(p)
    stats = _load_registers(con, tmp_path / "inbox")
    assert stats["registers_read"] == 3 and stats["current_tasks"] == 3
    lineage = dict(rows_of(con, "SELECT file_name, status FROM landed_files WHERE source = 'plan_register'"))
    assert lineage == {"ke_hoach_2026.xls": "loaded", "ke_hoach.csv": "rejected", "to_trinh.pdf": "rejected"}
    assert rows_of(con, "SELECT encoding FROM landed_files WHERE file_name = 'ke_hoach_2026.xls'") == [("xls",)]
    refused = dict(rows_of(con, "SELECT file_name, reason FROM file_issues WHERE rule = 'wrong_file_kind'"))
    assert "văn bản (CSV)" in refused["ke_hoach.csv"] and "tệp PDF" in refused["to_trinh.pdf"]


def test_a_register_still_being_copied_is_left_for_the_next_run(con, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "5")  # the watch the other tests turn off (tests/conftest.py)
    folder = tmp_path / "inbox" / "ke_hoach"
    folder.mkdir(parents=True)
    whole = write_xlsx(tmp_path / "whole.xlsx", REGISTER, "Danh mục nhiệm vụ").read_bytes()
    target = folder / "ke_hoach_2026.xlsx"
    target.write_bytes(whole[:1000])
    stop = threading.Event()

    def copy() -> None:  # a slow copy: a few bytes more every 50 ms while the pipeline looks
        written = 1000
        while not stop.is_set() and written < len(whole):
            time.sleep(0.05)
            with target.open("ab") as out:
                out.write(whole[written : written + 200])
            written += 200

    copier = threading.Thread(target=copy)
    copier.start()
    try:
        _load_registers(con, tmp_path / "inbox")
    finally:
        stop.set()
        copier.join()
    assert rows_of(con, "SELECT status FROM landed_files WHERE source = 'plan_register'") == [("deferred",)]
    issue = rows_of(con, "SELECT rule, blocking, reason FROM file_issues WHERE source = 'plan_register'")
    assert issue[0][:2] == ("still_copying", False) and "để lại cho lần chạy sau" in issue[0][2]
    assert rows_of(con, "SELECT count(*) FROM plan_task_history") == [(0,)]
    target.write_bytes(whole)  # the copy finished: the next run loads it
    _settled(target)
    _load_registers(con, tmp_path / "inbox")
    assert rows_of(con, "SELECT status FROM landed_files WHERE source = 'plan_register'") == [("loaded",)]
    assert rows_of(con, "SELECT count(*) FROM file_issues WHERE rule = 'still_copying'") == [(0,)]


def _load_reports(con, inbox: Path, now: datetime, *, withdraw: bool = False) -> dict:
    reports = read_reports(inbox, units=UNITS, offices=OFFICES, known=known_tasks(con), today=date(2026, 12, 1))
    return load_task_reports(con, reports, ["2026-Q1"], now, withdraw=withdraw)


def _inbox_with_register(con, tmp_path: Path) -> Path:
    """An inbox whose plan register is loaded, its progress-report folder empty."""
    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    (inbox / "tien_do").mkdir(parents=True)
    _settled(write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", REGISTER, "Danh mục nhiệm vụ"))
    _load_registers(con, inbox)
    return inbox


def test_a_broken_report_redelivery_keeps_its_rows_until_a_newer_report_supersedes_them(con, tmp_path: Path) -> None:
    inbox = _inbox_with_register(con, tmp_path)
    report = _settled(write_xlsx(inbox / "tien_do" / "vp_quy_1.xlsx", REPORT, "Báo cáo"))
    _load_reports(con, inbox, NOW)
    before = rows_of(con, "SELECT task_no, status, superseded, source_file FROM stg_task_report")
    assert before == [("1", "completed", False, "vp_quy_1.xlsx")]
    report.write_bytes(b"")
    _settled(report)
    stats = _load_reports(con, inbox, LATER)
    assert stats["reports_kept"] == 1
    assert rows_of(con, "SELECT task_no, status, superseded, source_file FROM stg_task_report") == before
    assert rows_of(con, "SELECT rule FROM file_issues WHERE source = 'task_report'")[0] == ("redelivery_refused",)
    assert rows_of(con, "SELECT status FROM landed_files WHERE source = 'task_report'") == [("loaded",)]
    # The office's later report under another name supersedes the kept one, as any later report does.
    later = [list(r) for r in REPORT]
    later[3][1], later[6][1] = "10/04/2026", "Đang triển khai"
    _settled(write_xlsx(inbox / "tien_do" / "vp_quy_1_bo_sung.xlsx", later, "Báo cáo"))
    _load_reports(con, inbox, LATER)
    assert rows_of(con, "SELECT source_file, status, superseded FROM stg_task_report ORDER BY source_file") == [
        ("vp_quy_1.xlsx", "completed", True),
        ("vp_quy_1_bo_sung.xlsx", "in_progress", False),
    ]


def test_a_broken_form_or_appraisal_redelivery_keeps_the_earlier_load(con, tmp_path: Path, small_inbox) -> None:
    source, _ = small_inbox
    inbox = tmp_path / "inbox"
    for folder in ("tu_danh_gia", "tham_dinh"):
        (inbox / "par" / folder).mkdir(parents=True)
    form = inbox / "par" / "tu_danh_gia" / "tu_danh_gia_2026_01840.xlsx"
    shutil.copy2(source / "par" / "tu_danh_gia" / form.name, form)
    appraisal = inbox / "par" / "tham_dinh" / "tham_dinh_2026.xlsx"
    shutil.copy2(source / "par" / "tham_dinh" / appraisal.name, appraisal)
    undated = _settled(write_xlsx(inbox / "par" / "tham_dinh" / "tham_dinh.xlsx", [["Đơn vị"]]))
    matcher = matcher_for("Thái Nguyên")
    load_assessment_inputs(con, inbox, 2026, matcher, NOW)
    tables = ("stg_assessment_submission", "stg_assessment_self", "stg_assessment_appraisal")
    before = {t: rows_of(con, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    assert all(before.values())
    whole = form.read_bytes()
    form.write_bytes(whole[: len(whole) // 2])
    appraisal.write_bytes(b"")
    for p in (form, appraisal):
        _settled(p)
    stats = load_assessment_inputs(con, inbox, 2026, matcher, LATER)
    assert (stats["forms_kept"], stats["appraisals_kept"]) == (1, 1)
    assert {t: rows_of(con, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
    refused = dict(
        rows_of(con, "SELECT file_name, rule FROM file_issues WHERE rule IN ('redelivery_refused', 'no_year_in_name')")
    )
    assert refused == {form.name: "redelivery_refused", appraisal.name: "redelivery_refused", undated.name: "no_year_in_name"}


def test_a_form_or_appraisal_gone_from_the_inbox_keeps_its_rows_until_withdrawn(con, tmp_path: Path, small_inbox) -> None:
    """A form or the council's appraisal moved out of the inbox by mistake: its rows went with the next run, in
    silence, every unit back to provisional self-scores, while its lineage still said "loaded". Its rows now stay,
    with a note saying so (the same on a rerun); a file renamed is read under its new name; withdraw takes them out."""
    source, _ = small_inbox
    inbox = tmp_path / "inbox"
    for folder in ("tu_danh_gia", "tham_dinh"):
        (inbox / "par" / folder).mkdir(parents=True)
    form = inbox / "par" / "tu_danh_gia" / "tu_danh_gia_2026_01840.xlsx"
    appraisal = inbox / "par" / "tham_dinh" / "tham_dinh_2026.xlsx"
    for path, folder in ((form, "tu_danh_gia"), (appraisal, "tham_dinh")):
        _settled(shutil.copy2(source / "par" / folder / path.name, path))
    matcher = matcher_for("Thái Nguyên")
    load_assessment_inputs(con, inbox, 2026, matcher, NOW)
    tables = ("stg_assessment_submission", "stg_assessment_self", "stg_assessment_appraisal", "landed_files")
    before = {t: rows_of(con, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    assert all(before.values())

    moved = tmp_path / "moved"
    moved.mkdir()
    for path in (form, appraisal):
        shutil.move(path, moved / path.name)
    notes = "SELECT file_name, rule, blocking, loaded_at FROM file_issues WHERE rule = 'file_gone' ORDER BY 1"
    for now in (LATER, LATER.replace(day=3)):  # and a rerun: the same tables
        stats = load_assessment_inputs(con, inbox, 2026, matcher, now)
        assert (stats["forms_kept"], stats["appraisals_kept"], stats["units_with_form"]) == (1, 1, 1)
        assert {t: rows_of(con, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
        assert rows_of(con, notes) == [(appraisal.name, "file_gone", False, LATER), (form.name, "file_gone", False, LATER)]
    [reason] = rows_of(con, "SELECT reason FROM file_issues WHERE file_name = ?", [form.name])
    assert "par/tu_danh_gia/" in reason[0] and "withdraw: true" in reason[0]

    # The form back under another name: read as that file, the old name forgotten with its records.
    renamed = _settled(shutil.copy2(moved / form.name, form.with_name("tu_danh_gia_2026_01840_ban_cuoi.xlsx")))
    load_assessment_inputs(con, inbox, 2026, matcher, LATER)
    assert rows_of(con, "SELECT DISTINCT source_file FROM stg_assessment_submission") == [(renamed.name,)]
    assert rows_of(con, "SELECT count(*) FROM landed_files WHERE file_name = ?", [form.name]) == [(0,)]

    # Withdrawn on purpose: the appraisal's rows and records go.
    stats = load_assessment_inputs(con, inbox, 2026, matcher, LATER, withdraw=True)
    assert stats["appraisals_kept"] == 0
    assert rows_of(con, "SELECT count(*) FROM stg_assessment_appraisal") == [(0,)]
    assert rows_of(con, "SELECT count(*) FROM file_issues WHERE file_name = ?", [appraisal.name]) == [(0,)]
    assert rows_of(con, "SELECT count(*) FROM landed_files WHERE file_name = ?", [appraisal.name]) == [(0,)]


def test_two_reports_of_one_date_the_later_arrival_wins_not_the_file_name(con, tmp_path: Path) -> None:
    inbox = _inbox_with_register(con, tmp_path)
    corrected = [list(r) for r in REPORT]
    corrected[6][1:4] = ["Đang triển khai", 60, None]  # the correction, the report date left unchanged
    original = write_xlsx(inbox / "tien_do" / "vp_quy_1.xlsx", REPORT, "Báo cáo")
    copy = write_xlsx(inbox / "tien_do" / "vp_quy_1 (2).xlsx", corrected, "Báo cáo")  # "vp_quy_1 (2)" < "vp_quy_1."
    old = time.time() - 3600
    os.utime(original, (old, old))
    os.utime(copy, (old + 600, old + 600))  # saved ten minutes after the original: both arrive in one run
    _load_reports(con, inbox, NOW)
    used = "SELECT source_file, status, superseded FROM stg_task_report ORDER BY source_file"
    assert rows_of(con, used) == [("vp_quy_1 (2).xlsx", "in_progress", False), ("vp_quy_1.xlsx", "completed", True)]
    [(reason,)] = rows_of(con, "SELECT reason FROM file_issues WHERE rule = 'superseded_report'")
    assert reason.startswith("Tệp 'vp_quy_1 (2).xlsx' của cùng đơn vị cho kỳ 2026-Q1 thay cho tệp này (cùng ngày báo cáo")
    assert "tệp kia đến sau: lưu lúc" in reason
    again = rows_of(con, "SELECT * FROM file_issues ORDER BY ALL")
    _load_reports(con, inbox, LATER)  # a rerun changes nothing
    assert rows_of(con, used) == [("vp_quy_1 (2).xlsx", "in_progress", False), ("vp_quy_1.xlsx", "completed", True)]
    assert rows_of(con, "SELECT * FROM file_issues ORDER BY ALL") == again
    # A correction arriving in a later run wins over a report loaded before, whatever its saved time says (a copy
    # keeps the time of the file it was copied from).
    copy.unlink()  # withdrawn explicitly: a file gone from the inbox alone keeps its rows
    _load_reports(con, inbox, NOW, withdraw=True)
    assert rows_of(con, used) == [("vp_quy_1.xlsx", "completed", False)]
    corrected[6][2] = 70
    later = write_xlsx(inbox / "tien_do" / "vp_quy_1 (2).xlsx", corrected, "Báo cáo")
    os.utime(later, (old - 600, old - 600))
    _load_reports(con, inbox, LATER)
    assert rows_of(con, used) == [("vp_quy_1 (2).xlsx", "in_progress", False), ("vp_quy_1.xlsx", "completed", True)]
    [(reason,)] = rows_of(con, "SELECT reason FROM file_issues WHERE rule = 'superseded_report'")
    assert "tệp kia đến sau: nhận lúc 02/12/2026 08:00, tệp này lúc 01/12/2026 08:00" in reason


def test_a_register_of_far_fewer_tasks_keeps_the_earlier_load_until_accepted(con, tmp_path: Path) -> None:
    """A re-delivered register with 2 of its 12 tasks (a filter left on when it was saved) would have dropped the
    other 10 from tracking without a word: refused, the earlier tasks kept, until accept_smaller."""
    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    task = REGISTER[-1]
    tasks = [[str(n), f"Nhiệm vụ số {n}", *task[2:]] for n in range(1, 13)]
    path = _settled(write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", [*REGISTER[:-3], *tasks], "Danh mục nhiệm vụ"))
    _load_registers(con, inbox)
    assert rows_of(con, "SELECT count(*) FROM fct_plan_task") == [(12,)]
    _settled(write_xlsx(path, [*REGISTER[:-3], *tasks[:2]], "Danh mục nhiệm vụ"))
    assert _load_registers(con, inbox, LATER)["registers_kept"] == 1
    assert rows_of(con, "SELECT count(*) FROM fct_plan_task") == [(12,)]
    ((rule, reason),) = rows_of(con, "SELECT rule, reason FROM file_issues WHERE source = 'plan_register'")
    assert rule == "redelivery_refused" and "chỉ có 2 dòng dùng được" in reason and "plan_register" in reason
    load_plan_registers(con, inbox, units=UNITS, offices=OFFICES, now=LATER, accept_smaller=True)
    assert rows_of(con, "SELECT count(*) FROM fct_plan_task") == [(2,)]


def test_loading_the_same_register_again_changes_no_table(con, tmp_path: Path) -> None:
    """A rerun on the next day with the register unchanged: every table as it was, the history's load time too (a
    later refusal would otherwise date the tasks by the rerun)."""
    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    _settled(write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", REGISTER, "Danh mục nhiệm vụ"))
    _load_registers(con, inbox)
    # (landed_files.loaded_at is the latest load by design; its first_loaded_at stays)
    tables = ("plan_task_history", "fct_plan_task", "file_issues", "landed_files", "quarantine")

    def snapshot() -> dict:
        return {t: rows_of(con, f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL") for t in tables[3:]} | {
            t: rows_of(con, f"SELECT * FROM {t} ORDER BY ALL") for t in tables[:3]
        }

    before = snapshot()
    _load_registers(con, inbox, LATER)
    assert snapshot() == before


def test_a_hidden_row_of_the_register_is_read_and_named(con, tmp_path: Path) -> None:
    """A task row hidden in Excel to 'take it out' is still in the plan: read as shown, with a note naming the row."""
    from openpyxl import load_workbook

    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    path = write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", REGISTER, "Danh mục nhiệm vụ")
    wb = load_workbook(path)
    wb.active.row_dimensions[len(REGISTER)].hidden = True
    wb.save(path)
    _settled(path)
    _load_registers(con, inbox)
    assert rows_of(con, "SELECT count(*) FROM fct_plan_task") == [(3,)]
    ((reason,),) = rows_of(con, "SELECT reason FROM file_issues WHERE rule = 'hidden_cells'")
    assert f"Dòng {len(REGISTER)} bị ẩn" in reason


def test_another_units_form_saved_under_the_same_name_keeps_the_form_loaded(con, tmp_path: Path, small_inbox) -> None:
    """Units sending one name ("Phieu_tu_danh_gia_CCHC_2026.xlsx") save over each other's file in a shared inbox:
    the first unit's form, then in the warehouse alone, was replaced in silence (the unit left without a form). The
    second is refused naming both units, the first kept, the same on a rerun; under its own name it loads."""
    source, _ = small_inbox
    inbox = tmp_path / "inbox"
    (inbox / "par" / "tu_danh_gia").mkdir(parents=True)
    forms = sorted((source / "par" / "tu_danh_gia").glob("tu_danh_gia_2026_*.xlsx"))[:2]
    shared = inbox / "par" / "tu_danh_gia" / "Phieu_tu_danh_gia_CCHC_2026.xlsx"
    _settled(shutil.copy2(forms[0], shared))
    matcher = matcher_for("Thái Nguyên")
    load_assessment_inputs(con, inbox, 2026, matcher, NOW)
    submitted = "SELECT source_file, unit_code FROM stg_assessment_submission ORDER BY ALL"
    before = rows_of(con, submitted)
    first_unit = before[0][1]
    _settled(shutil.copy2(forms[1], shared))  # the second unit's form over it
    for now in (LATER, LATER.replace(day=3)):
        load_assessment_inputs(con, inbox, 2026, matcher, now)
        assert rows_of(con, submitted) == before
        [(rule, blocking, reason, when)] = rows_of(
            con, "SELECT rule, blocking, reason, loaded_at FROM file_issues WHERE file_name = ?", [shared.name]
        )
        assert (rule, blocking, when) == ("form_of_another_unit", True, LATER)
        assert matcher.units[first_unit].name in reason and "tên tệp khác" in reason
    # the form loaded was the mistake: withdraw takes this one instead
    assert "withdraw: true" in reason
    load_assessment_inputs(con, inbox, 2026, matcher, LATER, withdraw=True)
    [(_, unit)] = rows_of(con, submitted)
    assert unit != first_unit
    _settled(shutil.copy2(forms[0], shared))  # back as it was, then renamed as asked
    load_assessment_inputs(con, inbox, 2026, matcher, LATER, withdraw=True)
    _settled(shutil.copy2(forms[1], shared.with_name(forms[1].name)))
    load_assessment_inputs(con, inbox, 2026, matcher, LATER)
    units = {u for _, u in rows_of(con, submitted)}
    assert first_unit in units and len(units) == 2  # both forms, each under its own name


def test_a_citizens_details_in_the_register_are_masked_before_they_are_stored(con, tmp_path: Path) -> None:
    """A name typed as the lead unit went into the register's history, the marts and the report to Sở Nội vụ ("kế
    hoạch ghi đơn vị chủ trì: …"); a phone or an address in a task's text too. Masked, with a note per task."""
    inbox = tmp_path / "inbox"
    (inbox / "ke_hoach").mkdir(parents=True)
    rows = [*REGISTER[:-1], ["3", "Số hóa hồ sơ theo phản ánh của bà Trần Thị Lan (0987 111 222)", "Nguyễn Thị Quỳnh Hương"]]
    # a real organisation outside the unit list, and numbers before hamlet words, are no citizen's details
    rows.append(["4", "Hỗ trợ số 12 thôn, bản số hóa", "Trường Đại học Nông Lâm Thái Nguyên", None, "Năm 2026"])
    _settled(write_xlsx(inbox / "ke_hoach" / "ke_hoach_2026.xlsx", rows, "Danh mục nhiệm vụ"))
    _load_registers(con, inbox)
    [(content, lead, unknown)] = rows_of(
        con, "SELECT content, lead_text, unknown_leads FROM plan_task_history WHERE task_no = '3'"
    )
    assert content == "Số hóa hồ sơ theo phản ánh của bà [đã ẩn] ([đã ẩn])"
    assert lead == "[đã ẩn]" and unknown == ["[đã ẩn]"]
    stored = " ".join(str(v) for row in rows_of(con, "SELECT * FROM plan_task_history") for v in row)
    stored += " ".join(r for (r,) in rows_of(con, "SELECT reason FROM file_issues"))
    assert not any(v in stored for v in ("Quỳnh", "Trần Thị", "0987"))
    notes = rows_of(con, "SELECT reason FROM file_issues WHERE rule = 'personal_data_masked' ORDER BY 1")
    assert [n.split(": ")[0] for (n,) in notes] == [
        "Dòng 10 (nhiệm vụ 3), ô B10 (cột 'Nội dung công việc')",
        "Dòng 10 (nhiệm vụ 3), ô C10 (cột 'Cơ quan chủ trì')",  # a name alone in a cell is masked as the cell is read
    ]
    assert rows_of(con, "SELECT content, lead_text, unknown_leads FROM plan_task_history WHERE task_no = '4'") == [
        ("Hỗ trợ số 12 thôn, bản số hóa", "Trường Đại học Nông Lâm Thái Nguyên", ["Trường Đại học Nông Lâm Thái Nguyên"])
    ]
