"""The report to Sở Nội vụ as a Word document (NĐ 30/2020 layout): a hand-made warehouse in a small DuckDB to the
.docx read back with python-docx; its numbers against the marts; a unit's report is late only after its due date."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest
from docx import Document
from docx.table import Table

from common.periods import parse_period
from documents.make_template import TASK_REPORT_TEMPLATE, build_template
from documents.task_report import (
    Signature,
    context,
    read_task_document_data,
    task_document_name,
    task_group,
    write_task_document,
)
from tests.task_department import CDS, DEPT, QLCN, VP, add_department, insert_rows
from warehouse.schema import ensure_schema
from warehouse.tasks import refresh_plan_revisions

PERIOD = parse_period("2026-Q3")
AS_OF = date(2026, 9, 30)
MADE_ON = date(2026, 10, 20)  # after the units' due date 15/10/2026
PLAN = "123/KH-SKHCN"
REASON = "Chưa bố trí được kinh phí <nâng cấp> & phần mềm"  # markup characters: autoescape keeps them as text
PROPOSAL = "Đề nghị Sở Tài chính bổ sung kinh phí trong quý IV"

# task_no, content, lead, due, status, percent, completed_on
TASKS = [
    ("1", "Kế hoạch tuyên truyền CCHC năm 2026", VP, date(2026, 3, 31), "completed_on_time", 100.0, date(2026, 3, 20)),
    ("2", "Kế hoạch kiểm soát TTHC", VP, date(2026, 1, 31), "completed_late", 100.0, date(2026, 2, 20)),
    ("10", "Nâng cấp Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)", CDS, date(2026, 6, 30), "overdue", 60.0, None),
    ("13", "Hướng dẫn quy trình công nhận sáng kiến CCHC", QLCN, date(2026, 12, 31), "on_track", 40.0, None),
    ("IV.1", "Tham mưu triển khai mạng truyền số liệu chuyên dùng", CDS, date(2026, 10, 9), "due_soon", 70.0, None),
    ("IV.2", "Tự kiểm tra công tác CCHC", VP, date(2026, 6, 30), "completed_on_time", 100.0, date(2026, 6, 1)),
]
LABELS = {
    "on_track": "Đang thực hiện, trong hạn",
    "due_soon": "Sắp đến hạn (≤ 14 ngày)",
    "overdue": "Quá hạn",
    "completed_on_time": "Hoàn thành đúng hạn",
    "completed_late": "Hoàn thành quá hạn",
}


def _report(unit, task, status, **extra) -> dict:
    return {
        "source_file": f"tien_do_{unit}_q3.xlsx",
        "unit_code": unit,
        "period_label": "2026-Q3",
        "report_date": date(2026, 10, 3),
        "plan_year": 2026,
        "task_no": task,
        "status": status,
        "source_row": 5,
        "superseded": False,
        **extra,
    }


def _completion(con) -> None:
    """mart_task_completion as the pipeline computes it from the statuses: per lead unit and the department."""
    leads = {no: lead for no, _, lead, *_ in TASKS}
    rows = []
    for code, name in ((VP, "Văn phòng Sở"), (CDS, "Phòng Chuyển đổi số"), (QLCN, "Phòng Quản lý Chuyên ngành"), (DEPT, None)):
        mine = [t for t in TASKS if code == DEPT or leads[t[0]] == code]
        on_time = sum(t[4] == "completed_on_time" for t in mine)
        late = sum(t[4] == "completed_late" for t in mine)
        overdue = sum(t[4] == "overdue" for t in mine)
        due = on_time + late + overdue
        rows.append(
            {
                "plan_year": 2026,
                "period_label": "2026-Q3",
                "as_of": AS_OF,
                "unit_code": code,
                "unit_name": name or "Sở Khoa học và Công nghệ",
                "tasks": len(mine),
                "due": due,
                "completed_on_time": on_time,
                "completed_late": late,
                "overdue": overdue,
                "on_time_rate": round(100 * on_time / due, 1) if due else None,
            }
        )
    insert_rows(con, "mart_task_completion", rows)


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("taskdoc") / "w.duckdb"
    con = duckdb.connect(str(path))
    ensure_schema(con)
    add_department(con)
    for no, content, lead, due, status, percent, done in TASKS:
        common = {
            "plan_number": PLAN,
            "plan_year": 2026,
            "task_no": no,
            "content": content,
            "deadline_text": f"Hạn {due:%d/%m/%Y}",
            "due_date": due,
            "effective_due_date": due,
            "provisional": False,
            "source_row": 3,
        }
        for revision, issued in ((1, date(2025, 12, 30)), (2, date(2026, 6, 15))):
            insert_rows(
                con,
                "plan_task_history",
                [{**common, "revision": revision, "issued_on": issued, "source_file": f"ke_hoach_2026_lan_{revision}.xlsx"}],
            )
        insert_rows(
            con,
            "fct_plan_task",
            [
                {
                    **common,
                    "revision": 2,
                    "source_file": "ke_hoach_2026_lan_2.xlsx",
                    "lead_codes": [lead],
                    "first_revision": 1,
                    "changed_in_revision": 1,
                }
            ],
        )
        insert_rows(
            con,
            "mart_task_status",
            [
                {
                    "plan_year": 2026,
                    "task_no": no,
                    "as_of": AS_OF,
                    "status": status,
                    "status_label": LABELS[status],
                    "effective_due_date": due,
                    "completed_on": done,
                    "percent": percent,
                    "days_to_due": (due - AS_OF).days,
                }
            ],
        )
    refresh_plan_revisions(con)  # plan_revision, as load_plan_registers leaves it
    # VP and CDS reported quý III; QLCN (task 13) did not
    insert_rows(
        con,
        "stg_task_report",
        [
            _report(VP, "1", "completed", percent=100.0, completed_on=date(2026, 3, 20)),
            _report(VP, "2", "completed", percent=100.0, completed_on=date(2026, 2, 20)),
            _report(VP, "IV.2", "completed", percent=100.0, completed_on=date(2026, 6, 1)),
            _report(CDS, "10", "in_progress", percent=60.0, difficulties=REASON, proposals=PROPOSAL),
            _report(CDS, "IV.1", "in_progress", percent=70.0),
        ],
    )
    _completion(con)
    con.close()
    return path


def _data(path: Path, made_on: date = MADE_ON, due_days: int = 15):
    with duckdb.connect(str(path), read_only=True) as con:
        return read_task_document_data(con, PERIOD, AS_OF, DEPT, made_on=made_on, due_days=due_days)


@pytest.fixture(scope="module")
def document(warehouse_db, tmp_path_factory):
    data = _data(warehouse_db)
    path = tmp_path_factory.mktemp("doc") / task_document_name(PERIOD)
    write_task_document(path, data, signature=Signature(name="Nguyễn Văn A"))
    return path, data


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_page_header_and_title(document):
    path, _ = document
    assert path.name == "bao_cao_tien_do_cchc_2026-Q3.docx"
    doc = Document(str(path))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert 20 <= round(s.top_margin.mm, 1) <= 25 and 20 <= round(s.bottom_margin.mm, 1) <= 25
    assert 30 <= round(s.left_margin.mm, 1) <= 35 and 15 <= round(s.right_margin.mm, 1) <= 20
    assert s.different_first_page_header_footer  # page number from page 2
    head = doc.tables[0]
    left = [p.text for p in head.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in head.cell(0, 1).paragraphs if p.text]
    assert left == ["UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    parent, agency = (p.runs[0] for p in head.cell(0, 0).paragraphs[:2])
    assert not parent.bold and agency.bold
    number = head.cell(1, 0).text
    assert number.startswith("Số:") and number.endswith("/BC-SKHCN")
    date_line = head.cell(1, 1).paragraphs[0]
    assert date_line.text == "Thái Nguyên, ngày 20 tháng 10 năm 2026"
    assert all(r.italic for r in date_line.runs if r.text)
    texts = _texts(doc)
    i = texts.index("BÁO CÁO")
    assert texts[i + 1] == "Kết quả thực hiện nhiệm vụ cải cách hành chính quý III năm 2026"
    assert doc.paragraphs[i].runs[0].bold and doc.paragraphs[i + 1].runs[0].bold
    assert "Kính gửi: Sở Nội vụ tỉnh Thái Nguyên" in texts
    intro = next(t for t in texts if t.startswith("Thực hiện Kế hoạch"))
    assert f"Kế hoạch số {PLAN} ngày 30/12/2025" in intro
    assert "sửa đổi, bổ sung lần 1 ngày 15/06/2026" in intro


def test_the_date_line_writes_july_without_a_leading_zero(warehouse_db, tmp_path):
    """NĐ 30/2020, Phụ lục I: 'ngày 06 tháng 7 năm 2026', not 'tháng 07' (only months 1 and 2 take a 0)."""
    path = write_task_document(tmp_path / "r.docx", _data(warehouse_db, made_on=date(2026, 7, 6)))
    assert Document(str(path)).tables[0].cell(1, 1).paragraphs[0].text == "Thái Nguyên, ngày 06 tháng 7 năm 2026"


def test_headings_and_sections(document):
    path, _ = document
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert [h.split(".")[0] for h in headings] == ["I", "II", "III", "IV"]
    assert headings[3] == "IV. NHIỆM VỤ TRỌNG TÂM QUÝ IV/2026"
    texts = _texts(doc)
    body = "\n".join(texts)
    # II: the overdue task with the reason its lead unit gave (escaped markup stays text)
    assert (
        f"- Nhiệm vụ 10: Nâng cấp Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP) (chủ trì: Phòng Chuyển đổi số; hạn 30/06/2026); đã thực hiện 60%. Nguyên nhân: {REASON}."
        in texts
    )
    assert "Có 1 nhiệm vụ hoàn thành nhưng quá hạn:" in texts
    # III: difficulties and proposals of the units' reports
    assert f"- Nhiệm vụ 10: {PROPOSAL}" in texts
    # IV: tasks due in quý IV
    assert any(t.startswith("- Nhiệm vụ 13: ") for t in texts[texts.index(headings[3]) :])
    assert any(t.startswith("- Nhiệm vụ IV.1: ") for t in texts[texts.index(headings[3]) :])
    assert "Khẩn trương hoàn thành 1 nhiệm vụ đã quá hạn: nhiệm vụ 10." in texts
    # Bảng 2 counts a task of several lead units once per unit: said under it, as the annex says it
    assert any(t.startswith("Nhiệm vụ có nhiều đơn vị chủ trì được tính cho từng đơn vị") for t in texts)
    # the annex
    assert "bao_cao_tien_do_cchc_2026-Q3.xlsx" in body
    # only Times New Roman where a run names a font
    assert {r.font.name for p in doc.paragraphs for r in p.runs if r.font.name} == {"Times New Roman"}
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "{{" not in xml and "{%" not in xml and "&lt;nâng cấp&gt; &amp;" in xml


def _table_rows(table: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_results_tables_equal_the_marts(document, warehouse_db):
    path, _ = document
    doc = Document(str(path))
    _, groups, units, _sign = doc.tables
    rows = _table_rows(groups)
    assert rows[0][:3] == ["STT", "Nhóm nhiệm vụ", "Tổng số"]
    with duckdb.connect(str(warehouse_db), read_only=True) as con:
        statuses = con.execute("SELECT task_no, status FROM mart_task_status WHERE as_of = ?", [AS_OF]).fetchall()
        completion = con.execute(
            """SELECT unit_code, unit_name, tasks, due, completed_on_time, completed_late, overdue, on_time_rate
               FROM mart_task_completion WHERE period_label = '2026-Q3' AND as_of = ?""",
            [AS_OF],
        ).fetchall()
    for row in rows[1:-1]:
        group = "Nhiệm vụ trọng tâm" if row[1].startswith("Nhiệm vụ trọng tâm") else row[1].split(" (")[0]
        mine = [s for no, s in statuses if task_group(no) == group]
        on_time, late, overdue = (sum(s == k for s in mine) for k in ("completed_on_time", "completed_late", "overdue"))
        assert [int(x) for x in row[2:7]] == [len(mine), on_time + late + overdue, on_time, late, overdue]
    # the total row is the department's row of mart_task_completion
    dept = next(r for r in completion if r[0] == DEPT)
    total = rows[-1]
    assert total[1] == "Tổng cộng"
    assert [int(x) for x in total[2:7]] == list(dept[2:7])
    assert total[7] == f"{dept[7]:.1f}".replace(".", ",")
    # one row per lead unit, as the mart has them
    shown = {r[1]: r for r in _table_rows(units)[1:]}
    for code, name, tasks, due, on_time, late, overdue, rate in completion:
        if code == DEPT:
            continue
        assert [int(x) for x in shown[name][2:7]] == [tasks, due, on_time, late, overdue]
        assert shown[name][7] == ("-" if rate is None else f"{rate:.1f}".replace(".", ","))
    assert total[7] == "50,0"  # 2 on time of 4 due


def test_noi_nhan_and_signature(document):
    path, _ = document
    doc = Document(str(path))
    sign = doc.tables[-1]
    left, right = sign.cell(0, 0), sign.cell(0, 1)
    first = left.paragraphs[0]
    assert first.text == "Nơi nhận:"
    run = first.runs[0]
    assert run.bold and run.italic and run.font.size.pt == 12
    lines = [p.text for p in left.paragraphs[1:] if p.text]
    assert lines[0] == "- Như trên;" and all(x.startswith("- ") for x in lines)
    assert lines[-1].startswith("- Lưu: VT") and lines[-1].endswith(".")
    assert all(r.font.size.pt == 11 for p in left.paragraphs[1:] for r in p.runs if r.text)
    signature = [p for p in right.paragraphs if p.text]
    assert [p.text for p in signature] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A"]
    assert all(r.bold for p in signature for r in p.runs if r.text)


def test_a_report_is_missing_only_after_its_due_date(warehouse_db):
    late = context(_data(warehouse_db, MADE_ON))["reporting"]
    assert late[0].startswith("Đơn vị chủ trì chưa gửi báo cáo quý III năm 2026 (quá hạn ngày 15/10/2026")
    assert late[1:] == ["- Phòng Quản lý Chuyên ngành (1 nhiệm vụ chủ trì; chưa gửi báo cáo nào)."]  # (the last item ends it)
    # before the due date: nobody listed as late
    early = context(_data(warehouse_db, date(2026, 10, 5)))["reporting"]
    assert early == [
        (
            "Hạn gửi báo cáo quý III năm 2026 của các đơn vị là ngày 15/10/2026 (15 ngày sau khi kết thúc kỳ báo cáo); "
            "1 đơn vị chưa gửi, chưa đến hạn."
        )
    ]
    # a configurable deadline: 30 days, so on 20/10 the report is not yet due
    longer = context(_data(warehouse_db, MADE_ON, due_days=30))["reporting"]
    assert "Phòng Quản lý Chuyên ngành" not in " ".join(longer) and "30/10/2026" in longer[0]


def test_the_committed_template_needs_only_what_the_report_gives(document, tmp_path):
    """The department may edit the committed template in Word; every tag it holds is still a variable the renderer
    gives, and make_template writes a template with the same tags."""
    from docxtpl import DocxTemplate

    _, data = document
    given = set(context(data))
    for template in (TASK_REPORT_TEMPLATE, build_template(tmp_path / "t.docx")):
        assert DocxTemplate(str(template)).get_undeclared_template_variables() <= given


def test_the_count_column_says_due_or_completed_as_the_rate_counts(tmp_path):
    """The rate's denominator counts a task finished before its due date: the tables' header says so (it said 'Đã
    đến hạn', while the text beside it says 'đã đến hạn hoặc đã hoàn thành')."""
    for template in (TASK_REPORT_TEMPLATE, build_template(tmp_path / "t.docx")):
        headers = [[c.text for c in t.rows[0].cells] for t in Document(str(template)).tables if len(t.rows[0].cells) > 6]
        assert len(headers) == 2 and all(h[3] == "Đã đến hạn hoặc đã hoàn thành" for h in headers)


@pytest.mark.slow
def test_the_task_asset_writes_the_documents_of_the_quarters(tmp_path_factory, monkeypatch):
    """Dagster runs on the small demo inbox: the task asset writes each quarter's .docx beside its Excel annex (and a
    PDF where LibreOffice is installed); the document's total row is the department's row of the mart."""
    import shutil

    import dagster as dg
    from openpyxl import load_workbook

    from assets import tasks, tthc
    from assets.resources import Warehouse
    from demo.generate import generate_inbox

    monkeypatch.setenv("CCHC_TODAY", "2026-11-26")
    monkeypatch.setenv("CCHC_TASK_REPORT_DUE_DAYS", "20")
    root = tmp_path_factory.mktemp("taskdoc_e2e")
    warehouse = Warehouse(
        build_db=str(root / "w" / "build.duckdb"),
        snapshot_db=str(root / "w" / "snap.duckdb"),
        inbox=str(root / "inbox"),
        reports=str(root / "reports"),
        province="Thái Nguyên",
    )
    generate_inbox(root / "inbox", end=date(2026, 11, 26), scale=0.001)
    for assets, tags in (
        ([tthc.units, tasks.offices, tasks.plan_register], None),
        (
            [tasks.task_reports, tasks.task_status, tasks.task_progress_workbook],
            {"dagster/asset_partition_range_start": "2026-01-01", "dagster/asset_partition_range_end": "2026-07-01"},
        ),
    ):
        result = dg.materialize(assets, resources={"warehouse": warehouse}, tags=tags, raise_on_error=False)
        assert result.success, [e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    reports = Path(warehouse.reports)
    for q in (1, 2, 3):
        label = f"2026-Q{q}"
        docx_path = reports / f"bao_cao_tien_do_cchc_{label}.docx"
        assert docx_path.exists() and (reports / f"bao_cao_tien_do_cchc_{label}.xlsx").exists()
        if shutil.which("soffice"):
            assert docx_path.with_suffix(".pdf").stat().st_size > 10_000
        doc = Document(str(docx_path))
        assert [p.text.split(".")[0] for p in doc.paragraphs if p.style.name.startswith("Heading")] == ["I", "II", "III", "IV"]
        total = [c.text for c in doc.tables[1].rows[-1].cells]
        with duckdb.connect(warehouse.build_db, read_only=True) as con:
            dept = con.execute(
                """SELECT tasks, due, completed_on_time, completed_late, overdue FROM mart_task_completion
                   WHERE period_label = ? AND unit_code = '19.SKHCN' ORDER BY as_of DESC LIMIT 1""",
                [label],
            ).fetchone()
        assert dept is not None and [int(x) for x in total[2:7]] == list(dept)
        body = "\n".join(p.text for p in doc.paragraphs)
        # the annex carries the report's date (the business date), not the wall clock of the run
        annex = load_workbook(reports / f"bao_cao_tien_do_cchc_{label}.xlsx")["Tổng hợp"]
        assert doc.tables[0].cell(1, 1).paragraphs[0].text == "Thái Nguyên, ngày 26 tháng 11 năm 2026"
        assert annex.cell(row=3, column=3).value == "Thái Nguyên, ngày 26 tháng 11 năm 2026"
        assert "Kế hoạch số 123/KH-SKHCN ngày 30/12/2025" in body
        assert ("sửa đổi, bổ sung lần 1 ngày 15/06/2026" in body) == (q > 1)


def test_the_on_time_rate_is_rounded_half_up():
    """13 of 16 tasks on time is 81.25 %: printed 81,3 % as the published tables round, not Python's 81,2 %."""
    from documents.task_report import _rate

    assert (_rate(13, 16), _rate(1, 16), _rate(0, 0)) == (81.3, 6.3, None)


def test_several_lead_units_texts_are_separated_not_run_together():
    """The annex gives each lead unit's difficulties on its own line; the report joined them with a space, so one
    unit's sentence ran into the next unit's name."""
    from documents.task_report import _from_reports, _overdue

    text = "Phòng Quản lý Khoa học: chờ hướng dẫn của Bộ.\nPhòng Quản lý Chuyên ngành:  cần ý kiến của Sở Tư pháp"
    assert _from_reports([{"task_no": "4", "difficulties": text}], "difficulties", "") == [
        "- Nhiệm vụ 4: Phòng Quản lý Khoa học: chờ hướng dẫn của Bộ; Phòng Quản lý Chuyên ngành: cần ý kiến của Sở Tư pháp"
    ]
    overdue = {"task_no": "4", "status": "overdue", "difficulties": text, "reported": True, "percent": None}
    assert _overdue([overdue])[1].endswith(
        "Nguyên nhân: Phòng Quản lý Khoa học: chờ hướng dẫn của Bộ; Phòng Quản lý Chuyên ngành: cần ý kiến của Sở Tư pháp."
    )


def test_a_task_finished_before_its_due_date_is_not_said_to_be_due(warehouse_db, tmp_path):
    """Quý III: task 13 (hạn 31/12/2026) finished on 15/09. By 30/09 only 4 tasks are due (1, 2, 10, IV.2) but the rate
    counts 5 (due or completed, the rate's denominator): the words must say so, not "5 nhiệm vụ đã đến hạn"."""
    import shutil

    path = tmp_path / "early.duckdb"
    shutil.copy(warehouse_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """UPDATE mart_task_status SET status = 'completed_on_time', status_label = 'Hoàn thành đúng hạn',
               percent = 100, completed_on = DATE '2026-09-15' WHERE task_no = '13'"""
        )
        con.execute(
            """UPDATE mart_task_completion SET due = due + 1, completed_on_time = completed_on_time + 1,
               on_time_rate = round(100.0 * (completed_on_time + 1) / (due + 1), 1) WHERE unit_code IN (?, ?)""",
            [QLCN, DEPT],
        )
    results = context(_data(path))["results"]
    assert results[0].startswith(
        "Kế hoạch có 6 nhiệm vụ; đến ngày 30/09/2026 có 5 nhiệm vụ đã đến hạn hoặc đã hoàn thành: 3 nhiệm vụ hoàn thành "
        "đúng hạn, 1 nhiệm vụ hoàn thành quá hạn, 1 nhiệm vụ quá hạn chưa hoàn thành;"
    )
    assert (
        results[1]
        == "Tỷ lệ hoàn thành đúng hạn của Sở Khoa học và Công nghệ: 60,0% (3/5 nhiệm vụ đã đến hạn hoặc đã hoàn thành)."
    )
    groups = [line for line in results if line.startswith("- ")]
    assert len(groups) == 2 and all(" đã đến hạn hoặc đã hoàn thành, " in line for line in groups)
    assert not any("đã đến hạn:" in line or "đã đến hạn)" in line or "đã đến hạn," in line for line in results)


def test_a_task_whose_lead_is_not_identified_is_never_said_reported_and_a_city_is_named_as_one(warehouse_db, tmp_path):
    """No office list (other provinces): a lead the master data cannot identify is neither counted as reported nor
    missing; the report and its annex say so. Hà Nội, a centrally-run city: "UBND THÀNH PHỐ HÀ NỘI", "Hà Nội, ngày"."""
    import shutil

    from openpyxl import load_workbook

    from workbooks.tasks import write_task_report

    path = tmp_path / "w.duckdb"
    shutil.copy(warehouse_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE dim_unit SET province = 'Thành phố Hà Nội'")
        con.execute("UPDATE fct_plan_task SET lead_codes = [], lead_text = 'Phòng Kế hoạch - Tài chính'")
        con.execute("DELETE FROM stg_task_report")
    data = _data(path)
    ctx = context(data)
    assert ctx["parent_agency"] == "UBND THÀNH PHỐ HÀ NỘI"
    assert ctx["recipient_to"] == "Sở Nội vụ thành phố Hà Nội"
    assert ctx["place"] == "Hà Nội"
    text = "\n".join(ctx["reporting"])
    assert "đã gửi báo cáo quý III năm 2026." not in text
    assert "Chưa xác định được đơn vị chủ trì của 6 nhiệm vụ" in text
    assert "Phòng Kế hoạch - Tài chính" in text
    assert "đơn vị chủ trì chưa báo cáo" not in "\n".join(ctx["overdue"])
    doc = write_task_document(tmp_path / "r.docx", data)
    assert "UBND THÀNH PHỐ HÀ NỘI" in [p.text for p in Document(str(doc)).tables[0].cell(0, 0).paragraphs]
    annex = write_task_report(tmp_path / "a.xlsx", data.report, made_on=MADE_ON)
    values = [str(c.value) for ws in load_workbook(annex).worksheets for row in ws.iter_rows() for c in row if c.value]
    assert "Tất cả đơn vị chủ trì đã gửi báo cáo." not in values
    assert any("6 nhiệm vụ chưa xác định được đơn vị chủ trì" in v for v in values)
    assert "UBND THÀNH PHỐ HÀ NỘI" in values and "Kính gửi: Sở Nội vụ thành phố Hà Nội" in values
    assert any(v.startswith("Hà Nội, ngày") for v in values)


# python-docx leaves its zip open when a write fails; the close at garbage collection fails too, harmlessly.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_failed_save_keeps_the_previous_report_whole(warehouse_db, tmp_path):
    """A full disk while saving leaves the previous report whole (and no temporary file); a report open in Word
    says so in Vietnamese."""
    from tests.disk_limits import disk_full_after, locked

    path = tmp_path / "bao_cao.docx"
    write_task_document(path, _data(warehouse_db, made_on=date(2026, 10, 20)))
    before = path.read_bytes()
    with disk_full_after(4096), pytest.raises(OSError):
        write_task_document(path, _data(warehouse_db, made_on=date(2026, 10, 21)))
    assert path.read_bytes() == before
    assert any("ngày 20 tháng 10 năm 2026" in p.text for t in Document(str(path)).tables for c in t._cells for p in c.paragraphs)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    with locked(path), pytest.raises(PermissionError, match=r"đang mở trong Word.*Đóng tệp"):
        write_task_document(path, _data(warehouse_db, made_on=date(2026, 10, 21)))
    assert path.read_bytes() == before


def test_a_deadline_that_depends_on_a_condition_is_said_to_be_expected_as_the_annex_says():
    """The annex marks "Hạn: 31/03/2026 (dự kiến)" with its condition; the report to Sở Nội vụ gave the same task
    as plainly overdue by "hạn 31/03/2026"."""
    from datetime import date

    from documents.task_report import _task_line

    task = {"task_no": "1", "content": "Ban hành kế hoạch", "lead_names": "Văn phòng Sở", "effective_due_date": date(2026, 3, 31)}
    conditional = task | {"provisional": True, "deadline_condition": "Sau khi có Kế hoạch của UBND tỉnh"}
    assert _task_line(task) == "- Nhiệm vụ 1: Ban hành kế hoạch (chủ trì: Văn phòng Sở; hạn 31/03/2026)"
    assert _task_line(conditional) == (
        "- Nhiệm vụ 1: Ban hành kế hoạch (chủ trì: Văn phòng Sở; hạn dự kiến 31/03/2026, sau khi có Kế hoạch của UBND tỉnh)"
    )


def test_a_condition_starting_with_an_abbreviation_keeps_its_capitals():
    from documents.task_report import _sentence_part

    assert _sentence_part("Sau khi có Kế hoạch của UBND tỉnh") == "sau khi có Kế hoạch của UBND tỉnh"
    assert _sentence_part("UBND tỉnh ban hành Kế hoạch") == "UBND tỉnh ban hành Kế hoạch"
    assert _sentence_part("Bộ Nội vụ ban hành hướng dẫn") == "Bộ Nội vụ ban hành hướng dẫn"


def test_a_task_whose_deadline_could_not_be_read_is_named_so_the_counts_add_up(warehouse_db, tmp_path):
    """A task whose completion time was unreadable ("no_deadline") was in the plan's count and in no term of the
    sentence: "Kế hoạch có 6 nhiệm vụ; … 5 … ; 0 … đang thực hiện" added up to 5, the sixth named nowhere."""
    import shutil

    path = tmp_path / "undated.duckdb"
    shutil.copy(warehouse_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """UPDATE mart_task_status SET status = 'no_deadline', status_label = 'Không xác định được thời hạn'
               WHERE task_no = '13'"""
        )
    first = context(_data(path))["results"][0]
    assert first.endswith(
        "; 1 nhiệm vụ chưa xác định được thời hạn (nhiệm vụ 13: thời gian hoàn thành trong kế hoạch không đọc được)."
    )


def test_an_overdue_task_a_later_report_says_finished_is_not_said_done_without_a_word():
    """Overdue at the end of the quarter, finished on 06/07 by a report sent in July: "quá hạn chưa hoàn thành …
    đã thực hiện 100%" read as a contradiction."""
    from documents.task_report import _overdue

    task = {"task_no": "8", "content": "Việc tám", "status": "overdue", "percent": 100.0, "reported": True}
    task |= {"lead_names": "Văn phòng Sở", "effective_due_date": date(2026, 6, 30), "difficulties": None}
    [_, line] = _overdue([task])
    assert "đã thực hiện 100% nhưng hoàn thành sau ngày chốt số liệu của kỳ" in line


def test_the_days_late_of_a_task_whose_due_day_has_just_ended_read_in_words():
    """ "Quá hạn | 0" read as overdue by no day: a zero shows "vừa hết hạn", the cell staying a number."""
    from workbooks.tasks import OVERDUE_COLUMNS

    [days_late] = [c for c in OVERDUE_COLUMNS if c.key == "days_late"]
    assert days_late.number_format == '#,##0;-#,##0;"vừa hết hạn"'
