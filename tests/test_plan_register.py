"""The plan register reader: the demo's 2026 register read back exactly as the plan's text, its revision, the bad
register, and hand-made sheets (tolerant headers, metadata, blocking problems)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from demo.plan import (
    BAD_REGISTER_FILE,
    REGISTER_FILE,
    REVISION_FILE,
    bad_register_spec,
    register_specs,
    write_register,
)
from forms.assessment_forms import save_fixed
from sources.plan_register import RegisterResult, read_plan_register
from sources.task_formats import PLAN_COLUMNS, find_table

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "ke-hoach-cchc-2026-so-khcn-thai-nguyen.txt"
ROW_KEYS = {
    "task_no",
    "content",
    "lead_text",
    "collaborators_text",
    "deadline_text",
    "expected_result",
    "responsible",
    "source_row",
}
REJECT_KEYS = {"file_name", "row_number", "record_key", "unit_code", "unit_name", "rule", "reason", "value"}
OFFICES = {
    "IV.1": "Các phòng, đơn vị thuộc Sở",
    "IV.2": "Phòng Chuyển đổi số",
    "IV.3": "Phòng Quản lý Khoa học",
    "IV.4": "Phòng Quản lý Chuyên ngành",
    "IV.5": "Phòng Bưu chính - Viễn thông",
    "IV.6": "Văn phòng Sở",
}
WHEN = datetime(2026, 1, 5, 9, 0)


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RegisterResult]:
    folder = tmp_path_factory.mktemp("ke_hoach")
    out = {}
    for spec in (*register_specs(), bad_register_spec()):
        write_register(folder / spec.file_name, spec)
        out[spec.file_name] = read_plan_register(folder / spec.file_name)
    return out


def _by_no(result: RegisterResult) -> dict[str, dict]:
    return {r["task_no"]: r for r in result.rows}


def _seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed text not found: {SEED}")
    return SEED.read_text(encoding="utf-8")


def _seed_tasks() -> list[list[str]]:
    """The 13 rows of the plan's list of focus tasks, split on its tabs."""
    rows = [line.split("\t") for line in _seed_text().splitlines()]
    return [r for r in rows if len(r) == 5 and re.fullmatch(r"\d+\.", r[0])]


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_13_seed_tasks_read_back_exactly_as_in_the_plan(registers: dict[str, RegisterResult]) -> None:
    seed = _seed_tasks()
    assert [r[0] for r in seed] == [f"{i}." for i in range(1, 14)]
    tasks = _by_no(registers[REGISTER_FILE])
    for number, content, lead, collaborators, deadline in seed:
        row = tasks[number.rstrip(".")]
        assert row["content"] == _nfc(content), number
        assert row["lead_text"] == _nfc(lead), number
        assert row["collaborators_text"] == _nfc(collaborators), number
        assert row["deadline_text"] == _nfc(deadline), number
    # the plan's own spellings are kept: matching them is the unit resolver's job
    assert tasks["6"]["lead_text"] == "Phòng Chuyên đổi số"
    assert tasks["13"]["lead_text"] == "Phòng quản lý Chuyên ngành"
    assert tasks["4"]["content"].endswith("Nghị quyết số 190/2025/QH15 QH15 ngày 10/02/2025 của Quốc hội)")


def test_section_iv_responsibilities_are_tasks_of_the_named_offices(registers: dict[str, RegisterResult]) -> None:
    tasks = _by_no(registers[REGISTER_FILE])
    assert list(tasks) == [str(i) for i in range(1, 14)] + list(OFFICES)
    for number, office in OFFICES.items():
        assert tasks[number]["lead_text"] == office
        assert tasks[number]["deadline_text"] in ("Năm 2026", "Hằng quý")
    assert tasks["IV.1"]["deadline_text"] == tasks["IV.6"]["deadline_text"] == "Hằng quý"
    text = _seed_text().replace("của Tỉnh\n\nủy", "của Tỉnh ủy")  # a page break inside IV.5 in the seed
    section = text[text.index("IV. TỔ CHỨC THỰC HIỆN") : text.index("Trên đây là")]
    for line in section.splitlines():
        if m := re.match(r"([1-6])\. (.*)", line):
            number, body = f"IV.{m.group(1)}", m.group(2)
            expected = body if number == "IV.1" else body.split(": ", 1)[1]
            assert tasks[number]["content"] == _nfc(expected), number
            if number != "IV.1":
                assert body.startswith(OFFICES[number] + ":")


def test_the_register_metadata_and_six_ro_fields(registers: dict[str, RegisterResult]) -> None:
    first = registers[REGISTER_FILE]
    assert (first.plan_number, first.plan_year, first.revision, first.issued_on) == ("123/KH-SKHCN", 2026, 1, date(2025, 12, 30))
    assert first.title == "Kế hoạch cải cách hành chính của Sở Khoa học và Công nghệ năm 2026"
    assert first.loadable and first.rejects == [] and first.file_issues == []
    assert first.sheet_name == "Danh mục nhiệm vụ" and first.file_name == REGISTER_FILE
    assert all(set(r) == ROW_KEYS for r in first.rows)
    assert [r["source_row"] for r in first.rows] == list(range(16, 16 + 19))
    tasks = _by_no(first)
    assert tasks["1"]["responsible"] == "Chánh Văn phòng"
    assert tasks["6"]["responsible"] == "Trưởng phòng Chuyển đổi số"
    # a few left blank on purpose, so the "6 rõ" check has findings
    assert tasks["4"]["responsible"] is None and tasks["4"]["expected_result"]
    assert tasks["10"]["expected_result"] is None and tasks["10"]["responsible"]
    assert tasks["12"]["expected_result"] is None and tasks["12"]["responsible"] is None
    assert tasks["IV.3"]["expected_result"] is None
    filled = [r for r in first.rows if r["expected_result"] and r["responsible"]]
    assert len(filled) == 15
    for r in first.rows:  # texts are NFC and job titles, never personal names
        assert all(unicodedata.is_normalized("NFC", v) for v in r.values() if isinstance(v, str))
        assert r["responsible"] is None or re.match(r"(Chánh|Phó|Trưởng)", r["responsible"])


def test_the_revision_supersedes_with_its_own_metadata(registers: dict[str, RegisterResult]) -> None:
    first, revised = registers[REGISTER_FILE], registers[REVISION_FILE]
    assert (revised.plan_number, revised.plan_year, revised.revision, revised.issued_on) == (
        "123/KH-SKHCN",
        2026,
        2,
        date(2026, 6, 15),
    )
    assert revised.title.endswith("(sửa đổi, bổ sung lần 1)")
    assert revised.loadable and revised.rejects == []
    assert [(i.rule, i.blocking) for i in revised.file_issues] == [("unknown_columns", False)]  # its "Ghi chú" column
    old, new = _by_no(first), _by_no(revised)
    assert new.keys() - old.keys() == {"14"} and old.keys() <= new.keys()
    assert (old["9"]["deadline_text"], new["9"]["deadline_text"]) == ("Quý II/2026", "Quý III/2026")
    strip = ("source_row",)
    changed = [
        n
        for n in old
        if {k: v for k, v in old[n].items() if k not in strip} != {k: v for k, v in new[n].items() if k not in strip}
    ]
    assert changed == ["9"]
    assert new["14"]["lead_text"] == "Văn phòng Sở" and new["14"]["deadline_text"] == "Quý IV/2026"


def test_the_bad_register(registers: dict[str, RegisterResult]) -> None:
    bad = registers[BAD_REGISTER_FILE]
    assert (bad.plan_number, bad.plan_year, bad.revision) == ("52/KH-SKHCN", 2025, 1)  # not the 2026 plan
    assert bad.loadable
    issues = [(i.rule, i.row_number, i.blocking) for i in bad.file_issues]
    assert issues == [("merged_cells", 17, False), ("blank_row", 20, False)]
    merged = bad.file_issues[0].reason
    assert "C17:C19" in merged and "'Cơ quan chủ trì'" in merged and "'Văn phòng Sở'" in merged
    assert bad.file_issues[1].reason == "Dòng 20 trống giữa bảng nhiệm vụ: đã bỏ qua."
    assert all(set(r) == REJECT_KEYS for r in bad.rejects)
    assert [(r["row_number"], r["rule"], r["record_key"], r["value"]) for r in bad.rejects] == [
        (22, "duplicate_task", "5", "5"),
        (23, "missing_content", "6", None),
        (24, "missing_task_no", None, None),
    ]
    assert {r["file_name"] for r in bad.rejects} == {BAD_REGISTER_FILE}
    assert bad.rejects[0]["reason"] == "Số thứ tự nhiệm vụ '5' trùng với nhiệm vụ ở dòng 21; giữ dòng đầu tiên, loại dòng này."
    assert bad.rejects[1]["reason"] == "Nhiệm vụ 6: thiếu nội dung công việc (cột 'Nội dung công việc')."
    assert bad.rejects[2]["reason"] == "Thiếu số thứ tự nhiệm vụ (cột 'Số TT')."
    tasks = _by_no(bad)
    assert list(tasks) == ["1", "2", "3", "4", "5"]
    assert [tasks[n]["lead_text"] for n in ("2", "3", "4")] == ["Văn phòng Sở"] * 3  # the merged value for each task
    assert tasks["5"]["source_row"] == 21 and tasks["5"]["lead_text"] == "Phòng Chuyển đổi số"  # the first row kept


# --- hand-made sheets ------------------------------------------------------------------------------------------


def _sheet(path: Path, rows: list[list[object]], *, title: str = "Danh mục nhiệm vụ", merges: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    save_fixed(wb, path, WHEN)
    return path


META = [["Số kế hoạch:", "45/KH-SKHCN"], ["Ngày ban hành:", "20/01/2026"], ["Năm kế hoạch:", 2026], ["Lần ban hành/sửa đổi:", 1]]
HEADER = [
    "Số TT",
    "Nội dung công việc",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
    "Kết quả, sản phẩm dự kiến",
    "Người chịu trách nhiệm",
]


def test_tolerant_headers_numbers_metadata_and_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Rà soát quy trình nội bộ")
    rows = [
        ["UBND TỈNH THÁI NGUYÊN"],
        ["Số kế hoạch: 45 / KH-SKHCN"],  # label and value in one cell
        [None, "ngay ban hanh", datetime(2026, 1, 20)],
        [None, "NĂM KẾ HOẠCH", "Năm 2026"],
        [None, "Lần  sửa đổi", "Lần 2"],
        [],
        ["Ghi chú", "so tt", "NOI DUNG CONG VIEC", "thời  gian hoàn thành", "Cơ quan, đơn vị chủ trì", "Đơn vị phối hợp"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        ["x", 1, f"  {nfd}  ", "Quý I/2026", "Văn phòng Sở", None],
        [None, 2.0, "Báo cáo\nquý", datetime(2026, 6, 1), "Phòng Chuyển đổi số", "Văn phòng Sở"],
        [None, "3 .", "Nhiệm vụ ba", "Năm 2026", "Văn phòng Sở", ""],
        [None, "iv. 2", "Nhiệm vụ mục IV", "Năm 2026", "Phòng Chuyển đổi số", None],
        [],
        [],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows, title="Sheet1"))
    assert result.loadable and result.rejects == []
    assert (result.plan_number, result.plan_year, result.revision, result.issued_on) == (
        "45/KH-SKHCN",
        2026,
        2,
        date(2026, 1, 20),
    )
    assert [r["task_no"] for r in result.rows] == ["1", "2", "3", "IV.2"]
    first, second = result.rows[0], result.rows[1]
    assert first["content"] == "Rà soát quy trình nội bộ" and unicodedata.is_normalized("NFC", first["content"])
    assert first["collaborators_text"] is None and first["expected_result"] is None and first["source_row"] == 9
    assert second["content"] == "Báo cáo quý" and second["deadline_text"] == "01/06/2026"
    rules = {i.rule: i for i in result.file_issues}
    # no title is no issue; the trailing blank rows are not reported
    assert set(rules) == {"sheet_name", "missing_optional_columns", "unknown_columns"}
    assert not any(i.blocking for i in result.file_issues)
    assert "Ghi chú" in rules["unknown_columns"].reason and "'Sheet1'" in rules["sheet_name"].reason
    assert "'Kết quả, sản phẩm dự kiến'" in rules["missing_optional_columns"].reason
    assert result.title is None


@pytest.mark.parametrize(
    ("meta", "rule", "text"),
    [
        ([m for m in META if m[0] != "Số kế hoạch:"], "missing_metadata", "Thiếu 'Số kế hoạch'"),
        ([m for m in META if m[0] != "Năm kế hoạch:"], "missing_metadata", "Thiếu 'Năm kế hoạch'"),
        ([*META[:2], ["Năm kế hoạch:", "hai không hai sáu"], META[3]], "bad_metadata", "'Năm kế hoạch' không hợp lệ"),
        ([*META[:3], ["Lần ban hành/sửa đổi:", "bổ sung"]], "bad_metadata", "'Lần ban hành/sửa đổi' không hợp lệ"),
    ],
)
def test_metadata_a_plan_cannot_do_without_blocks_the_file(tmp_path: Path, meta: list, rule: str, text: str) -> None:
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", [*meta, [], HEADER, ["1.", "Việc", "Văn phòng Sở"]]))
    assert not result.loadable and result.rows == []
    blocking = [i for i in result.file_issues if i.blocking]
    assert [i.rule for i in blocking] == [rule] and text in blocking[0].reason


def test_missing_revision_means_first_issue_and_a_bad_date_is_a_note(tmp_path: Path) -> None:
    rows = [
        ["Số kế hoạch:", "45/KH-SKHCN"],
        ["Ngày ban hành:", "20/13/2026"],
        ["Năm kế hoạch:", 2026],
        [],
        HEADER,
        ["1.", "Việc", "Văn phòng Sở", None, "Quý I/2026"],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    assert result.loadable and result.revision == 1 and result.issued_on is None
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("missing_metadata", False), ("bad_metadata", False)]
    assert "20/13/2026" in result.file_issues[1].reason


@pytest.mark.parametrize("written", ["20/01/2026", "20.01.2026", "20-1-2026", "2026-01-20", "ngày 20 tháng 01 năm 2026", 46042])
def test_an_issue_date_written_as_units_write_it_is_read(tmp_path: Path, written: object) -> None:
    rows = [["Số kế hoạch:", "45/KH-SKHCN"], ["Ngày ban hành:", written], ["Năm kế hoạch:", 2026], [], HEADER]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", [*rows, ["1.", "Việc", "Văn phòng Sở", None, "Quý I/2026"]]))
    assert result.issued_on == date(2026, 1, 20) and "bad_metadata" not in [i.rule for i in result.file_issues]


def test_merged_cells_in_any_table_column_are_filled_and_reported(tmp_path: Path) -> None:
    rows = [
        *META,
        [],
        HEADER,
        ["1.", "Việc một", "Văn phòng Sở", "Các phòng, đơn vị thuộc Sở", "Năm 2026"],
        ["2.", "Việc hai", "Phòng Chuyển đổi số", None, None],
        ["3.", "Việc ba", "Phòng Chuyển đổi số", None, None],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows, merges=("A5:C5", "D7:E9")))
    assert result.loadable
    # the top-left value (D7) for every cell of the range, across both columns
    assert [(r["collaborators_text"], r["deadline_text"]) for r in result.rows] == [("Các phòng, đơn vị thuộc Sở",) * 2] * 3
    merged = [i for i in result.file_issues if i.rule == "merged_cells"]
    assert len(merged) == 1 and merged[0].row_number == 7 and "D7:E9" in merged[0].reason  # A5:C5, above the table, is normal
    assert "'Cơ quan phối hợp', 'Thời gian hoàn thành'" in merged[0].reason


def test_an_official_two_row_header_with_merged_cells_reads(tmp_path: Path) -> None:
    """The register as offices lay it out: "TT", "Nội dung công việc" … merged down over two rows, the group heading
    "Cơ quan, đơn vị" merged over "Chủ trì" and "Phối hợp" on the second row, then the "(1) (2) (3)" row. It was
    refused as 'thiếu cột' though every column is there."""
    rows = [
        ["UBND TỈNH THÁI NGUYÊN"],
        ["SỞ KHOA HỌC VÀ CÔNG NGHỆ"],
        *META,  # rows 3-6
        [],
        ["TT", "Nội dung công việc", "Cơ quan, đơn vị", None, "Thời gian hoàn thành", "Kết quả, sản phẩm dự kiến"],  # 8
        [None, None, "Chủ trì", "Phối hợp"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        ["I", "NHIỆM VỤ TRỌNG TÂM"],  # 11: a section heading merged across the row
        ["1", "Rà soát quy trình nội bộ", "Văn phòng Sở", "Các phòng, đơn vị thuộc Sở", "Quý I/2026", "Quy trình"],
        ["2", "Báo cáo chuyển đổi số", "Phòng Chuyển đổi số", None, "Năm 2026", None],
    ]
    merges = ("A8:A9", "B8:B9", "C8:D8", "E8:E9", "F8:F9", "B11:F11")
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows, merges=merges))
    assert result.loadable and result.rejects == []
    assert (result.plan_number, result.plan_year, result.revision) == ("45/KH-SKHCN", 2026, 1)
    got = [(r["task_no"], r["lead_text"], r["collaborators_text"], r["deadline_text"], r["source_row"]) for r in result.rows]
    assert got == [
        ("1", "Văn phòng Sở", "Các phòng, đơn vị thuộc Sở", "Quý I/2026", 12),  # the true Excel rows
        ("2", "Phòng Chuyển đổi số", None, "Năm 2026", 13),
    ]
    # the group heading is no unknown column, the header's merges no merged cells of the table
    issues = [(i.rule, getattr(i, "row_number", None)) for i in result.file_issues]
    assert issues == [("missing_optional_columns", None), ("section_row", 11)]
    assert "'Người chịu trách nhiệm'" in result.file_issues[0].reason


@pytest.mark.parametrize(
    ("heading", "start", "end"),
    [
        ("Thời gian thực hiện", "Bắt đầu", "Hoàn thành"),
        ("Thời gian thực hiện", "Bắt đầu", "Kết thúc"),
        ("Thời gian thực hiện", "Từ ngày", "Đến ngày"),
        ("Thời gian", "Bắt đầu", "Kết thúc"),
        ("Thời hạn", "Bắt đầu", "Hoàn thành"),
    ],
)
def test_a_deadline_under_a_time_heading_with_start_and_end_is_the_end(tmp_path: Path, heading, start, end) -> None:
    """A time heading merged over its start and end ("Thời gian thực hiện" over "Bắt đầu" | "Hoàn thành"), every other
    label merged down: the first row alone names every column (the heading is an alias of the deadline), but its
    deadline column would be the start's."""
    rows = [
        *META,  # rows 1-4
        [],
        ["STT", "Nội dung công việc", "Cơ quan chủ trì", heading, None, "Sản phẩm"],  # 6
        [None, None, None, start, end, None],
        ["1", "Rà soát quy trình nội bộ", "Văn phòng Sở", "Quý I/2026", "Tháng 6/2026", "Quy trình"],
        ["2", "Báo cáo chuyển đổi số", "Phòng Chuyển đổi số", "Tháng 3/2026", "Năm 2026", None],
    ]
    merges = ("A6:A7", "B6:B7", "C6:C7", "D6:E6", "F6:F7")
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows, merges=merges))
    assert result.loadable and result.rejects == []
    got = [(r["task_no"], r["deadline_text"], r["source_row"]) for r in result.rows]
    assert got == [("1", "Tháng 6/2026", 8), ("2", "Năm 2026", 9)]  # the end, not the start; no sub-label row as a task
    # a data row under a one-row header is never taken for sub-labels, merged heading or not
    plain = [
        ["STT", "Nội dung công việc", "Cơ quan chủ trì", "Thời gian hoàn thành"],
        ["1", "Việc", "Văn phòng Sở", "Quý I/2026"],
    ]
    table, _ = find_table(plain, PLAN_COLUMNS, merges=[(1, 4, 1, 5)])
    assert table is not None and (table.header_row, table.header_rows) == (1, 1)


def test_find_table_reads_a_header_on_one_two_or_three_rows() -> None:
    one = [["Số kế hoạch:", "45/KH"], ["DANH MỤC NHIỆM VỤ"], HEADER, ["1", "Việc", "Văn phòng Sở", None, "Quý I/2026"]]
    table, missing = find_table(one, PLAN_COLUMNS, merges=[(2, 1, 2, 7)])  # a title merged over the header: no part of it
    assert missing == [] and table is not None
    assert (table.header_row, table.header_top, table.header_rows, table.columns["deadline_text"]) == (3, 3, 1, 4)
    # merged down, the label is in the first row only: found without the sheet's merged ranges too
    two = [["STT", "Nội dung", "Cơ quan, đơn vị", None, "Thời hạn"], [None, None, "Chủ trì", "Phối hợp", None], ["1", "x"]]
    for merges in ([], [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 4), (1, 5, 2, 5)]):
        table, missing = find_table(two, PLAN_COLUMNS, merges=merges)
        assert table is not None and (table.header_row, table.header_top) == (2, 1)
        assert table.columns == {"task_no": 0, "content": 1, "lead_text": 2, "collaborators_text": 3, "deadline_text": 4}
        assert table.unknown == []
    # a first row holding every required label keeps the sub-labels under it (a data row never adds a column)
    upper = ["Số TT", "Nội dung công việc", "Cơ quan chủ trì", "Thời gian hoàn thành", "Phân công", None]
    grid = [upper, [None, None, None, None, "Phối hợp", "Người phụ trách"], ["1", "Việc", "Văn phòng Sở", "Quý I/2026"]]
    table, _ = find_table(grid, PLAN_COLUMNS, merges=[(1, 5, 1, 6)])
    assert table is not None and (table.header_row, table.header_rows) == (2, 2)
    assert (table.columns["collaborators_text"], table.columns["responsible"]) == (4, 5)
    # a header with a column missing still names it
    assert find_table([["Số TT", "Nội dung"], [None, None, "Chủ trì"]], PLAN_COLUMNS) == (None, ["Thời gian hoàn thành"])


def test_a_four_row_header_under_a_plan_heading_is_read_by_its_merges() -> None:
    """Four header rows ("Kế hoạch thực hiện" over "Phân công" | "Thời gian thực hiện", over "Cơ quan, đơn vị" and
    "Bắt đầu" | "Hoàn thành", over "Chủ trì" | "Phối hợp"; STT, content and product merged down all four): the
    labels come from the merged ranges, the deadline is the end, and the first task is the row under the header."""
    grid = [
        ["STT", "Nội dung công việc", "Kế hoạch thực hiện", None, None, None, "Sản phẩm"],
        [None, None, "Phân công", None, "Thời gian thực hiện", None, None],
        [None, None, "Cơ quan, đơn vị", None, "Bắt đầu", "Hoàn thành", None],
        [None, None, "Chủ trì", "Phối hợp", None, None, None],
        ["1", "Rà soát quy trình", "Văn phòng Sở", "Các phòng", "Quý I/2026", "Tháng 6/2026", "Quy trình"],
    ]
    merges = [(1, 1, 4, 1), (1, 2, 4, 2), (1, 3, 1, 6), (2, 3, 2, 4), (2, 5, 2, 6), (3, 3, 3, 4), (3, 5, 4, 5), (3, 6, 4, 6)]
    table, missing = find_table(grid, PLAN_COLUMNS, merges=[*merges, (1, 7, 4, 7)])
    assert missing == [] and table is not None and table.header_row == 4
    assert table.columns == {
        "task_no": 0,
        "content": 1,
        "lead_text": 2,
        "collaborators_text": 3,
        "deadline_text": 5,
        "expected_result": 6,
    }


def test_no_table_no_tasks_or_not_a_workbook_block_the_file(tmp_path: Path) -> None:
    no_lead = read_plan_register(
        _sheet(tmp_path / "a.xlsx", [*META, ["Số TT", "Nội dung công việc", "Thời gian hoàn thành"], ["1", "Việc", "Năm 2026"]])
    )
    assert [(i.rule, i.blocking) for i in no_lead.file_issues] == [("missing_columns", True)]
    assert "'Cơ quan chủ trì'" in no_lead.file_issues[0].reason and not no_lead.loadable
    empty = read_plan_register(_sheet(tmp_path / "b.xlsx", [*META, HEADER, [], []]))
    assert [(i.rule, i.blocking) for i in empty.file_issues] == [("no_rows", True)] and not empty.loadable
    (tmp_path / "c.xlsx").write_text("Số TT,Nội dung\n1,Việc\n", encoding="utf-8")
    (tmp_path / "d.xlsx").write_bytes(b"")
    # What the file really is decides the reason (sources/excel_intake): a CSV saved as .xlsx, an empty file.
    for name, rule, kind in (("c.xlsx", "wrong_file_kind", "text"), ("d.xlsx", "empty_file", "empty")):
        result = read_plan_register(tmp_path / name)
        assert [(i.rule, i.blocking) for i in result.file_issues] == [(rule, True)] and not result.loadable
        assert result.sha256 and result.encoding == kind
    assert "văn bản (CSV)" in read_plan_register(tmp_path / "c.xlsx").file_issues[0].reason


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_a_valid_zip_with_broken_xml_is_a_blocking_issue_not_an_exception(tmp_path: Path, part: str) -> None:
    path = _sheet(tmp_path / "kh.xlsx", [*META, [], HEADER, ["1.", "Việc", "Văn phòng Sở", None, "Quý I/2026"]])
    assert read_plan_register(path).loadable
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, data[: len(data) // 2] if info.filename == part else data)  # truncated XML
    path.write_bytes(out.getvalue())
    result = read_plan_register(path)
    assert not result.loadable and result.rows == [] and result.rejects == []
    assert [(i.rule, i.blocking) for i in result.file_issues] == [("bad_workbook", True)]
    assert "hỏng hoặc chép chưa xong (lỗi " in result.file_issues[0].reason  # the parser's error class named


def test_a_trial_register_is_recognised_by_its_title() -> None:
    from warehouse.tasks import is_trial_register

    assert is_trial_register("Kế hoạch tuyên truyền cải cách hành chính năm 2025 (bản nhập thử)")
    assert is_trial_register("KẾ HOẠCH CCHC 2026 - DỮ LIỆU THỬ") and is_trial_register("Ke hoach demo")
    # real plans, including pilots ("thí điểm", "thử nghiệm mô hình"), stay real
    assert not is_trial_register("Kế hoạch cải cách hành chính năm 2026 của Sở Khoa học và Công nghệ")
    assert not is_trial_register("Kế hoạch thử nghiệm mô hình một cửa số tại xã") and not is_trial_register(None)
    assert not is_trial_register("Kế hoạch triển khai Chỉ thị 05 (contest, testing)")


# --- headings, signatures, sheets and personal data ----------------------------------------------------------------


def test_section_headings_are_skipped_with_a_note_never_tasks(tmp_path: Path) -> None:
    rows = [
        *META,
        [],
        HEADER,
        ["I", "NHIỆM VỤ TRỌNG TÂM"],  # 7: merged across the row below
        ["1.", "Việc một", "Văn phòng Sở", None, "Quý I/2026"],
        ["2.", "Việc hai", "Phòng Chuyển đổi số", None, "Năm 2026"],
        ["IV.", "TỔ CHỨC THỰC HIỆN"],  # 10: a Roman numeral, no lead unit, no deadline
        ["IV.1", "Việc mục IV", "Văn phòng Sở", None, "Hằng quý"],
        ["b)", "Nhiệm vụ khác"],  # 12: a letter
        ["A", "Nhiệm vụ đánh số chữ", "Văn phòng Sở", None, "Năm 2026"],  # 13: a letter with a lead unit is a task
        [],
        ["Nơi nhận:", None, None, None, None, "KT. GIÁM ĐỐC"],  # the recipients and signature end the table
        ["- Như trên;", None, None, None, None, "PHÓ GIÁM ĐỐC"],
        ["- Lưu: VT, VP."],
        [],
        [None, None, None, None, None, "Nguyễn Văn A"],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows, merges=("B7:G7",)))
    assert result.loadable and result.rejects == []
    assert [r["task_no"] for r in result.rows] == ["1", "2", "IV.1", "A"]
    notes = [(i.rule, i.row_number, i.blocking) for i in result.file_issues]
    assert notes == [("section_row", 7, False), ("section_row", 10, False), ("section_row", 12, False)]
    assert result.file_issues[0].reason == (
        "Dòng 7: 'I NHIỆM VỤ TRỌNG TÂM' là tiêu đề mục của kế hoạch, không phải nhiệm vụ; đã bỏ qua."
    )
    # a task number with its text merged across the row is a heading too
    rows[6] = ["1", "NHÓM NHIỆM VỤ CẢI CÁCH THỂ CHẾ"]
    merged = read_plan_register(_sheet(tmp_path / "kh2.xlsx", rows, merges=("B7:G7",)))
    assert [r["task_no"] for r in merged.rows] == ["1", "2", "IV.1", "A"] and merged.rows[0]["content"] == "Việc một"


def test_a_second_visible_register_sheet_refuses_the_file_and_a_hidden_one_is_skipped(tmp_path: Path) -> None:
    wb = Workbook()
    current = wb.active
    current.title = "Danh mục nhiệm vụ"
    old = wb.create_sheet("Bản cũ")
    for ws, task in ((current, "Việc mới"), (old, "Việc cũ")):
        for row in [*META, [], HEADER, ["1.", task, "Văn phòng Sở", None, "Năm 2026"]]:
            ws.append(row)
    save_fixed(wb, tmp_path / "a.xlsx", WHEN)
    both = read_plan_register(tmp_path / "a.xlsx")
    assert not both.loadable and both.rows == []
    assert [(i.rule, i.blocking) for i in both.file_issues] == [("multiple_table_sheets", True)]
    assert "'Danh mục nhiệm vụ', 'Bản cũ'" in both.file_issues[0].reason
    current.sheet_state = "hidden"  # the old copy is what the office sees; the hidden sheet is never read
    save_fixed(wb, tmp_path / "b.xlsx", WHEN)
    one = read_plan_register(tmp_path / "b.xlsx")
    assert one.loadable and [r["content"] for r in one.rows] == ["Việc cũ"] and one.sheet_name == "Bản cũ"
    assert [(i.rule, i.blocking) for i in one.file_issues][:1] == [("hidden_cells", False)]
    assert "Trang tính ẩn 'Danh mục nhiệm vụ'" in one.file_issues[0].reason


def test_phone_and_id_numbers_in_task_texts_are_masked_and_the_cell_named(tmp_path: Path) -> None:
    rows = [
        *META,
        [],
        HEADER,
        ["1.", "Giải quyết phản ánh của bà Hoa (0987.654.321)", "Văn phòng Sở", None, "Quý I/2026", None, "Ông B, 0912345678"],
        ["2.", "Việc hai (CCCD 019085001234)", "Phòng Chuyển đổi số", None, "Năm 2026"],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    assert result.loadable
    first, second = result.rows
    assert (first["content"], first["responsible"]) == ("Giải quyết phản ánh của bà [đã ẩn] ([đã ẩn])", "Ông B, [đã ẩn]")
    assert second["content"] == "Việc hai (CCCD [đã ẩn])" and first["deadline_text"] == "Quý I/2026"
    notes = [i for i in result.file_issues if i.rule == "personal_data_masked"]
    assert [(i.row_number, i.record_key, i.blocking) for i in notes] == [(7, "1", False), (7, "1", False), (8, "2", False)]
    assert notes[0].reason.startswith("Dòng 7 (nhiệm vụ 1), ô B7 (cột 'Nội dung công việc'): đã ẩn 2 số điện thoại")
    assert "ô G7 (cột 'Người chịu trách nhiệm')" in notes[1].reason
    assert not any(v in n.reason for n in notes for v in ("0987", "0912345678", "019085001234"))


# --- the table as the plan's Word table pastes it: repeated header, footnote, section numbering, bare signature ---


def test_a_header_repeated_on_the_second_page_is_skipped_with_a_note_never_a_task(tmp_path: Path) -> None:
    rows = [
        *META,
        [],
        HEADER,  # 6
        ["1.", "Việc một", "Văn phòng Sở", None, "Quý I/2026"],
        HEADER,  # 8: the Word table's header repeated at the top of page 2
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],  # 9: and its column numbers
        ["2.", "Việc hai", "Phòng Chuyển đổi số", None, "Năm 2026"],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    assert result.loadable and result.rejects == []
    assert [r["task_no"] for r in result.rows] == ["1", "2"]  # no task "SỐ TT" led by "Cơ quan chủ trì"
    notes = [(i.rule, i.row_number, i.blocking) for i in result.file_issues]
    assert notes == [("repeated_header", 8, False), ("repeated_header", 9, False)]
    assert result.file_issues[0].reason.startswith("Dòng 8 lặp lại dòng tiêu đề của bảng")


def test_a_footnote_under_the_table_ends_it_and_other_text_for_a_number_is_rejected(tmp_path: Path) -> None:
    rows = [
        *META,
        [],
        HEADER,
        ["1.", "Việc một", "Văn phòng Sở", None, "Quý I/2026"],
        ["Nhiệm vụ khác", "Việc không số", "Văn phòng Sở", None, "Năm 2026"],  # 8: not a task number
        ["2.", "Việc hai", "Phòng Chuyển đổi số", None, "Năm 2026"],
        [],
        ["Ghi chú:", "(*) Thời gian hoàn thành của nhiệm vụ 1 phụ thuộc thời gian UBND tỉnh ban hành kế hoạch."],
        [None, "(**) Các phòng báo cáo kết quả về Văn phòng Sở trước ngày 15 của tháng cuối quý."],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    assert result.loadable
    assert [r["task_no"] for r in result.rows] == ["1", "2"]  # no task "GHI CHÚ:", the next line not quarantined
    assert [(r["row_number"], r["rule"], r["value"]) for r in result.rejects] == [(8, "bad_task_no", "Nhiệm vụ khác")]
    assert "'Nhiệm vụ khác' ở cột 'Số TT' không phải số thứ tự nhiệm vụ" in result.rejects[0]["reason"]
    assert [i.rule for i in result.file_issues] == []  # the blank row before the footnote is under the table's end
    # the footnote written in the content column, its number cell blank, ends the table as well
    rows[-2] = [None, "Ghi chú: (*) nhiệm vụ phụ thuộc kế hoạch của UBND tỉnh."]
    assert [r["task_no"] for r in read_plan_register(_sheet(tmp_path / "kh2.xlsx", rows)).rows] == ["1", "2"]


def test_a_signature_block_without_kt_ends_the_table(tmp_path: Path) -> None:
    rows = [
        *META,
        [],
        HEADER,
        ["1.", "Việc một", "Văn phòng Sở", None, "Quý I/2026", None, "Giám đốc"],  # a responsible person, not an end
        ["2.", "Việc hai", "Phòng Chuyển đổi số", None, "Năm 2026"],
        [],
        [None, None, None, "GIÁM ĐỐC"],
        [],
        [],
        [None, None, None, "Nguyễn Thị Thuỷ"],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    assert result.loadable and result.rejects == [] and result.file_issues == []
    assert [(r["task_no"], r["responsible"]) for r in result.rows] == [("1", "Giám đốc"), ("2", None)]


def test_section_iv_numbered_again_from_1_under_its_heading_is_iv_1_to_iv_n(tmp_path: Path) -> None:
    rows = [
        *META,
        [],
        HEADER,
        ["I", "NHIỆM VỤ TRỌNG TÂM"],  # 7
        ["1.", "Việc một", "Văn phòng Sở", None, "Quý I/2026"],
        ["2.", "Việc hai", "Phòng Chuyển đổi số", None, "Năm 2026"],
        ["IV", "TỔ CHỨC THỰC HIỆN"],  # 10: as the plan's text numbers it
        ["1.", "Các phòng báo cáo hằng quý", "Các phòng, đơn vị thuộc Sở", None, "Hằng quý"],
        ["2.", "Văn phòng Sở tổng hợp", "Văn phòng Sở", None, "Tháng 12/2026"],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows, merges=("B7:G7", "B10:G10")))
    assert result.loadable and result.rejects == []  # not 2 rows rejected as duplicate_task
    assert [(r["task_no"], r["content"]) for r in result.rows] == [
        ("1", "Việc một"),
        ("2", "Việc hai"),
        ("IV.1", "Các phòng báo cáo hằng quý"),
        ("IV.2", "Văn phòng Sở tổng hợp"),
    ]
    note = next(i for i in result.file_issues if i.rule == "section_numbering")
    assert note.row_number == 11 and not note.blocking and "mục IV đánh số lại từ 1" in note.reason
    # a section whose numbers continue (3., 4.) or are written IV.1 keeps them as written
    rows[10][0], rows[11][0] = "3.", "IV.2"
    kept = read_plan_register(_sheet(tmp_path / "kh2.xlsx", rows, merges=("B7:G7", "B10:G10")))
    assert [r["task_no"] for r in kept.rows] == ["1", "2", "3", "IV.2"]
    assert not any(i.rule == "section_numbering" for i in kept.file_issues)


def test_an_issue_date_of_another_year_than_the_plans_is_not_used(tmp_path: Path) -> None:
    # 40326 typed in a General cell is a day of 2010: taken as the issue date, it ordered the revision wrongly.
    rows = [["Số kế hoạch:", "45/KH-SKHCN"], ["Ngày ban hành:", 40326], ["Năm kế hoạch:", 2026], [], HEADER]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", [*rows, ["1.", "Việc", "Văn phòng Sở", None, "Quý I/2026"]]))
    assert result.loadable and result.issued_on is None
    [note] = [i for i in result.file_issues if i.rule == "bad_metadata"]
    assert "28/05/2010 không thuộc năm 2025 hay 2026" in note.reason and not note.blocking


def _task_rows_of(result: RegisterResult) -> tuple[list[dict], list]:
    """The warehouse's rows of a register read (warehouse/tasks.py: units resolved, deadlines parsed, notes)."""
    from common.units import load_offices, load_units
    from warehouse.tasks import _task_rows

    return _task_rows(result, load_units("Thái Nguyên"), load_offices("Thái Nguyên"))


def test_units_written_one_per_line_in_a_cell_are_each_a_lead(tmp_path: Path) -> None:
    """A plan made in Word lists its units one per line in a cell (Alt+Enter, often with '- '): the line breaks were
    read as spaces, so 'Văn phòng Sở Phòng Chuyển đổi số' matched no unit, the task had no lead and stayed overdue for
    ever. A name wrapped over two lines still reads as one."""
    rows = [
        *META,
        [],
        HEADER,
        ["1.", "Nhiệm vụ A", "Văn phòng Sở\nPhòng Chuyển đổi số", "Các sở, ban, ngành\nUBND cấp xã", "Quý III/2026"],
        ["2.", "Nhiệm vụ B", "- Phòng Quản lý Khoa học\n- Phòng Quản lý Chuyên ngành\n", None, "Năm 2026"],
        ["3.", "Nhiệm vụ C", "Sở Khoa học và\nCông nghệ", None, "Năm 2026"],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    tasks, issues = _task_rows_of(result)
    leads = {t["task_no"]: t["lead_codes"] for t in tasks}
    assert leads == {
        "1": ["19.SKHCN.VP", "19.SKHCN.CDS"],
        "2": ["19.SKHCN.QLKH", "19.SKHCN.QLCN"],
        "3": ["19.SKHCN"],
    }
    assert len(tasks[0]["collaborator_codes"]) > 100  # every agency and every commune/ward
    # but not the department whose offices lead it: it does not collaborate with itself
    assert "19.SKHCN" not in tasks[0]["collaborator_codes"] and "19.STC" in tasks[0]["collaborator_codes"]
    assert [i for i in issues if i.rule == "unknown_unit"] == []
    assert all(t["unknown_leads"] == [] for t in tasks)


def test_a_deadline_pasted_as_a_serial_number_reads_and_one_before_the_plan_year_is_noted(tmp_path: Path) -> None:
    """A date pasted as a value shows as 46295 in a General cell: the register said it could not read it (a report's
    date reads so). A deadline before the plan year (a typo year) made the task overdue from the day the plan was
    issued, without a word."""
    rows = [
        *META,
        [],
        HEADER,
        ["1.", "Nhiệm vụ A", "Văn phòng Sở", None, 46295],
        ["2.", "Nhiệm vụ B", "Văn phòng Sở", None, "31/12/2025"],
        ["3.", "Nhiệm vụ C", "Văn phòng Sở", None, 2026],
    ]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    tasks, issues = _task_rows_of(result)
    due = {t["task_no"]: t["due_date"] for t in tasks}
    assert due == {"1": date(2026, 9, 30), "2": date(2025, 12, 31), "3": date(2026, 12, 31)}
    assert [i.rule for i in issues if "deadline" in i.rule] == ["deadline_before_plan_year"]
    [note] = [i for i in issues if i.rule == "deadline_before_plan_year"]
    assert note.reason.startswith("Nhiệm vụ 2 (dòng 8): thời gian hoàn thành '31/12/2025' trước năm kế hoạch 2026")
    assert not note.blocking


def test_a_task_whose_lead_matches_no_unit_is_said_apart_and_a_wrapped_name_is_masked(tmp_path: Path) -> None:
    """Such a task can never be completed (no lead can report it): a note says so beside the unknown unit's. A
    citizen's name wrapped over two lines of the lead cell is masked in the text kept."""
    rows = [*META, [], HEADER, ["1.", "Nhiệm vụ A", "Nguyễn Văn\nAn", None, "Năm 2026"]]
    result = read_plan_register(_sheet(tmp_path / "kh.xlsx", rows))
    [task], issues = _task_rows_of(result)
    assert task["lead_codes"] == [] and "Nguyễn" not in (task["lead_text"] or "") and "An" not in task["unknown_leads"]
    [note] = [i for i in issues if i.rule == "no_lead_unit"]
    assert note.reason.startswith("Nhiệm vụ 1 (dòng 7): không xác định được đơn vị chủ trì nào") and not note.blocking
    from warehouse.landing import file_issue_rows

    stored = file_issue_rows("plan_register", "kh.xlsx", None, issues, datetime(2026, 12, 5))
    assert all("Nguyễn" not in row["reason"] for row in stored)


def test_a_task_whose_collaborators_include_its_lead_lists_the_lead_once(tmp_path: Path) -> None:
    """ "Các phòng, đơn vị thuộc Sở" expands to all five offices: Văn phòng Sở, the lead, was its own collaborator."""
    rows = [*META, [], HEADER, ["1.", "Nhiệm vụ A", "Văn phòng Sở", "Các phòng, đơn vị thuộc Sở", "Quý III/2026"]]
    tasks, _ = _task_rows_of(read_plan_register(_sheet(tmp_path / "kh.xlsx", rows)))
    assert tasks[0]["lead_codes"] == ["19.SKHCN.VP"]
    assert tasks[0]["collaborator_codes"] == ["19.SKHCN.CDS", "19.SKHCN.QLKH", "19.SKHCN.QLCN", "19.SKHCN.BCVT"]
