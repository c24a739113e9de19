"""The demo's plan register and progress reports: which files for which range, byte-identical output, the bad files
as documented in BAD_FILES.md, and a clean inbox without them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest

from demo.generate import generate_inbox
from demo.plan import REPORTS, write_plan_inbox
from forms.assessment_forms import ZIP_TIME
from sources.plan_register import read_plan_register
from sources.progress_report import read_progress_report
from sources.task_formats import PLAN_DIR, REPORT_DIR
from tests.test_progress_report import office_code

FULL_END = date(2026, 11, 26)
OFFICE_NAMES = {
    "Văn phòng Sở",
    "Phòng Chuyển đổi số",
    "Phòng Quản lý Khoa học",
    "Phòng Quản lý Chuyên ngành",
    "Phòng Bưu chính - Viễn thông",
}


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("plan_inbox")
    return root, write_plan_inbox(root, FULL_END)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.xlsx"))}


def _known(root: Path) -> list[str]:
    return [r["task_no"] for r in read_plan_register(root / PLAN_DIR / "ke_hoach_cchc_2026_sua_doi_1.xlsx").rows]


def test_files_of_the_full_range(full: tuple[Path, dict]) -> None:
    root, out = full
    assert sorted(p.name for p in (root / PLAN_DIR).iterdir()) == [
        "ke_hoach_cchc_2026.xlsx",
        "ke_hoach_cchc_2026_sua_doi_1.xlsx",
        "ke_hoach_thu_nghiem_loi.xlsx",
    ]
    assert out["plan_registers"] == 2 and out["progress_reports"] == len(REPORTS) == 16
    assert len(out["written"]) == 3 + 16 and all(p.exists() for p in out["written"])
    # one report per lead office per quarter, except Phòng Quản lý Khoa học in Q2; Phòng Chuyển đổi số twice in Q2
    sent: dict[tuple[str, str], int] = {}
    for path in sorted((root / REPORT_DIR).glob("*.xlsx")):
        result = read_progress_report(path)
        sent[(result.unit_text, result.period_label)] = sent.get((result.unit_text, result.period_label), 0) + 1
    expected = {(o, p): 1 for o in OFFICE_NAMES for p in ("2026-Q1", "2026-Q2", "2026-Q3")}
    del expected[("Phòng Quản lý Khoa học", "2026-Q2")]
    expected[("Phòng Chuyển đổi số", "2026-Q2")] = 2
    expected[("Phòng Kế hoạch - Tài chính", "2026-Q2")] = 1
    assert sent == expected


def test_same_range_gives_byte_identical_files(full: tuple[Path, dict], tmp_path: Path) -> None:
    write_plan_inbox(tmp_path, FULL_END)
    assert _files(tmp_path) == _files(full[0])
    for raw in _files(tmp_path).values():  # no wall-clock time anywhere in the package
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            assert {i.date_time for i in z.infolist()} == {ZIP_TIME}
            core = z.read("docProps/core.xml").decode()
            assert re.search(r"<dcterms:modified[^>]*>202[56]-\d\d-\d\dT16:[03]0:00Z<", core)  # the file's own date


def test_the_range_decides_what_has_been_sent(tmp_path: Path) -> None:
    early = write_plan_inbox(tmp_path / "jan", date(2026, 1, 15))
    assert (early["plan_registers"], early["progress_reports"]) == (1, 0)
    assert sorted(p.name for p in (tmp_path / "jan" / PLAN_DIR).iterdir()) == [
        "ke_hoach_cchc_2026.xlsx",
        "ke_hoach_thu_nghiem_loi.xlsx",
    ]
    july = write_plan_inbox(tmp_path / "jul", date(2026, 7, 5))
    names = {p.name for p in (tmp_path / "jul" / REPORT_DIR).iterdir()}
    assert july["plan_registers"] == 2 and "bao_cao_tien_do_phong_cds_quy_2_2026.xlsx" in names
    assert "bao_cao_tien_do_phong_cds_quy_2_2026_bo_sung.xlsx" not in names  # dated 08/07/2026
    # a shorter range over the same inbox removes what a longer one wrote
    write_plan_inbox(tmp_path / "jul", date(2026, 1, 15))
    assert list((tmp_path / "jul" / REPORT_DIR).iterdir()) == []


def test_bad_files_are_documented_with_the_rows_the_reader_reports(full: tuple[Path, dict]) -> None:
    root, out = full
    bad = {b["kind"]: b for b in out["bad"]}
    assert set(bad) == {
        "plan_register_bad",
        "task_report_unknown_task",
        "task_report_percent_as_text",
        "task_report_first_submission",
        "task_report_second_submission",
        "task_report_percent_out_of_range",
        "task_report_unknown_office",
        "task_report_completed_without_date",
        "task_report_completed_after_report",
    }
    known = _known(root)
    for kind, entry in bad.items():
        path = root / entry["file"]
        assert path.exists()
        if kind == "plan_register_bad":
            result = read_plan_register(path)
            rows = {r["row_number"] for r in result.rejects} | {i.row_number for i in result.file_issues}
            rows.add(21)  # the first row of task 5, kept: the duplicate's reason names it
            assert "dòng 21" in next(r["reason"] for r in result.rejects if r["rule"] == "duplicate_task")
        else:
            result = read_progress_report(path, known, unit_matcher=office_code)
            rows = {r["row_number"] for r in result.rejects} | {getattr(i, "row_number", None) for i in result.file_issues}
        mentioned = {int(n) for n in re.findall(r"\brows? (\d+)", entry["problem"] + entry["expected"])}
        assert mentioned <= rows, kind
        rules = {r["rule"] for r in result.rejects} | {i.rule for i in result.file_issues}
        for rule in re.findall(r"\brule ([a-z_:]+)", entry["expected"]):
            assert rule in rules, (kind, rule)
    assert not read_progress_report(root / bad["task_report_unknown_office"]["file"], unit_matcher=office_code).loadable
    assert len(out["notes"]) == 2 and "Quý II/2026" in out["notes"][1]


def test_without_bad_files_every_file_reads_clean(tmp_path: Path) -> None:
    out = write_plan_inbox(tmp_path, FULL_END, bad_files=False)
    assert out["bad"] == [] and out["notes"] == [] and out["progress_reports"] == 14
    assert not (tmp_path / PLAN_DIR / "ke_hoach_thu_nghiem_loi.xlsx").exists()
    known = _known(tmp_path)
    for path in sorted((tmp_path / REPORT_DIR).glob("*.xlsx")):
        result = read_progress_report(path, known, unit_matcher=office_code)
        assert result.loadable and result.rejects == [] and result.file_issues == [], path.name
        assert result.unit_text in OFFICE_NAMES


def test_the_quarterly_story(full: tuple[Path, dict]) -> None:
    root = full[0]

    def rows(name: str) -> dict[str, dict]:
        return {r["task_no"]: r for r in read_progress_report(root / REPORT_DIR / name).rows}

    q1 = rows("bao_cao_tien_do_van_phong_so_quy_1_2026.xlsx")
    assert (q1["2"]["status"], q1["2"]["completed_on"], q1["2"]["result_doc_number"]) == (
        "completed",
        date(2026, 1, 20),
        "Kế hoạch số 45/KH-SKHCN",
    )
    q3 = rows("bao_cao_tien_do_van_phong_so_quy_3_2026.xlsx")
    assert q3["5"]["completed_on"] == date(2026, 7, 15)  # due Quý II/2026: completed late
    assert q3["3"]["status"] == "in_progress"  # due (dự kiến) quý III/2026: overdue at the Q3 report
    assert "14" in q3  # the task added by the revision
    cds = rows("bao_cao_tien_do_phong_cds_quy_3_2026.xlsx")
    assert cds["9"]["completed_on"] == date(2026, 9, 25)  # late against revision 1, on time against revision 2


def test_task_4_is_reported_by_each_professional_office_and_completed_late(full: tuple[Path, dict]) -> None:
    """Task 4's lead "Các phòng chuyên môn" is the four professional offices: each reports its own part; Văn phòng
    Sở, a collaborator, does not. Three finish before 01/06/2026, Phòng Quản lý Khoa học (no Q2 report) only in
    August, so the task is not complete on time."""
    from sources.deadlines import parse_deadline

    root = full[0]
    known = _known(root)
    due = parse_deadline("Trước 01/6/2026")
    latest: dict[str, tuple[date, dict]] = {}  # unit -> (report date, task 4's row) of its latest report with task 4
    for path in sorted((root / REPORT_DIR).glob("*.xlsx")):
        result = read_progress_report(path, known, unit_matcher=office_code)
        if not result.loadable:
            continue
        row = next((r for r in result.rows if r["task_no"] == "4"), None)
        if row is not None and (result.unit_text not in latest or latest[result.unit_text][0] < result.report_date):
            latest[result.unit_text] = (result.report_date, row)
    assert set(latest) == OFFICE_NAMES - {"Văn phòng Sở"}
    assert all(row["status"] == "completed" for _, row in latest.values())
    completed = {unit: row["completed_on"] for unit, (_, row) in latest.items()}
    assert sorted(d <= due.due for d in completed.values()) == [False, True, True, True]
    assert completed["Phòng Quản lý Khoa học"] == date(2026, 8, 14) and max(completed.values()) > due.due
    # by the Q2 reports (early July) Phòng Quản lý Khoa học still had task 4 in progress (its Q1 report)
    q1 = {r["task_no"]: r for r in read_progress_report(root / REPORT_DIR / "bao_cao_tien_do_phong_qlkh_quy_1_2026.xlsx").rows}
    assert q1["4"]["status"] == "in_progress"


def test_every_register_deadline_parses() -> None:
    deadlines = pytest.importorskip("sources.deadlines")
    from demo.plan import bad_register_spec, register_tasks

    for task in (*register_tasks(2), *bad_register_spec().tasks):
        year = 2025 if task.deadline.endswith("2025") else 2026
        assert deadlines.parse_deadline(task.deadline, default_year=year).due.year == year, task.no


@pytest.mark.slow
def test_generate_inbox_writes_and_counts_them(tmp_path: Path) -> None:
    summary = generate_inbox(tmp_path, start=date(2026, 7, 1), end=date(2026, 7, 8), scale=0.001)
    # every report dated up to the end of the range (Q1's too: the plan's history does not start with the range)
    assert (summary["plan_registers"], summary["progress_reports"]) == (2, 11)
    kinds = {b["kind"] for b in summary["bad_files"]}
    assert {
        "plan_register_bad",
        "task_report_unknown_task",
        "task_report_second_submission",
        "task_report_unknown_office",
    } <= kinds
    assert "task_report_completed_after_report" not in kinds  # a Q3 report, not sent yet
    doc = (tmp_path / "BAD_FILES.md").read_text(encoding="utf-8")
    for b in summary["bad_files"]:
        assert f"`{b['file']}`" in doc
    assert "Phòng Quản lý Khoa học sent no report for Quý II/2026" in doc
