"""DTI inputs on hand-written files: values supplied by other provincial systems (every reject rule with its file,
line and Vietnamese reason; duplicates within and across files reject every copy) and the previous year's published
results mapped to the current units (renamed and merged agencies, spelling variants, unknown old names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.units import matcher_for
from common.vntext import parse_decimal
from sources.dti_inputs import (
    EXTERNAL_COLUMNS,
    PREVIOUS_COLUMNS,
    ExternalComponent,
    PreviousResult,
    map_previous,
    read_external_values,
    read_previous_results,
)
from tests.conftest import write_rows

MATCHER = matcher_for("Thái Nguyên")
YEAR = 2026
ALL_GROUPS = ("agency", "commune", "ward")
COMPONENTS = {
    "ATTT.2": ExternalComponent("ATTT.2", "Tỷ lệ máy trạm được cài phần mềm phòng chống mã độc", 0, 100, ALL_GROUPS),
    "CQS.5": ExternalComponent("CQS.5", "Tỷ lệ văn bản đi được ký số", 0, 100, ("agency",)),
    "NL.1": ExternalComponent("NL.1", "Số cán bộ chuyên trách chuyển đổi số", 0, 10, ("commune", "ward")),
}
DEFAULT = {
    "year": "2026",
    "unit_code": "",
    "unit": "Sở Tài chính",
    "component": "ATTT.2",
    "value": "90",
    "system": "Hệ thống giám sát an toàn thông tin",
    "note": "",
}


def value_row(**overrides: str) -> dict[str, str]:
    return {**DEFAULT, **overrides}


def write_values(folder: Path, name: str, rows: list[dict], **kwargs) -> Path:
    return write_rows(folder / name, EXTERNAL_COLUMNS, rows, **kwargs)


def read(paths: list[Path], tmp_path: Path, year: int = YEAR):
    return read_external_values(paths, MATCHER, COMPONENTS, year, tmp_path / "work")


# --- values supplied by other systems ------------------------------------------------------------------------


def test_good_rows_load_with_decimal_comma_percent_and_unit_by_code_or_name(tmp_path):
    path = write_values(
        tmp_path,
        "giam_sat_attt_2026.csv",
        [
            value_row(),
            value_row(unit="", unit_code="19.SKHCN", value="85,5"),
            value_row(unit="Phường Phan Đình Phùng", value="97%", note="Theo báo cáo tháng 12"),
            value_row(unit="Xã Đại Phúc", component="nl.1", value=" 2 ", system=""),
            value_row(unit_code="H55.10", unit="Sở Y tế", component="CQS.5", value="99,25 %"),
        ],
    )
    result = read([path], tmp_path)[path]
    assert result.loadable and result.rejects == [] and result.sha256 and result.size_bytes == path.stat().st_size
    system = DEFAULT["system"]
    assert result.rows == [
        {
            "unit_code": "19.STC",
            "code": "ATTT.2",
            "value": 90.0,
            "system": system,
            "note": None,
            "source_file": "giam_sat_attt_2026.csv",
            "source_row": 2,
        },
        {
            "unit_code": "19.SKHCN",
            "code": "ATTT.2",
            "value": 85.5,
            "system": system,
            "note": None,
            "source_file": "giam_sat_attt_2026.csv",
            "source_row": 3,
        },
        {
            "unit_code": "05443",
            "code": "ATTT.2",
            "value": 97.0,
            "system": system,
            "note": "Theo báo cáo tháng 12",
            "source_file": "giam_sat_attt_2026.csv",
            "source_row": 4,
        },
        {
            "unit_code": "05488",
            "code": "NL.1",
            "value": 2.0,
            "system": None,
            "note": None,
            "source_file": "giam_sat_attt_2026.csv",
            "source_row": 5,
        },
        {
            "unit_code": "19.SYT",
            "code": "CQS.5",
            "value": 99.25,
            "system": system,
            "note": None,
            "source_file": "giam_sat_attt_2026.csv",
            "source_row": 6,
        },
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("85,5", 85.5),
        ("85.5", 85.5),
        ("85%", 85.0),
        ("85,5 %", 85.5),
        ("-1", -1.0),
        ("1.234,5", None),
        ("khoảng 80", None),
        ("", None),
    ],
)
def test_numbers_accept_a_decimal_comma_and_a_percent_sign_only(text, number):
    assert parse_decimal(text) == number


def test_windows_1258_file_with_renamed_headers_reads_like_utf8(tmp_path):
    headers = ["Năm", "Tên đơn vị", "Mã chỉ số thành phần", "Kết quả", "Hệ thống", "Ghi chú"]
    path = write_values(
        tmp_path,
        "quan_ly_van_ban_2026.csv",
        [
            value_row(unit="Sở Nông nghiệp và Môi trường", component="CQS.5", value="88,5", system="Hệ thống QLVB"),
            value_row(unit="Phường Phan Đình Phùng", component="NL.1", value="3", system="Hệ thống QLVB", note="Đủ"),
        ],
        headers=headers,
        encoding="cp1258",
    )
    result = read([path], tmp_path)[path]
    assert result.loadable and result.encoding == "windows-1258" and result.rejects == []
    assert {"encoding_converted", "renamed_columns", "missing_optional_columns"} <= {i.rule for i in result.file_issues}
    assert not any(i.blocking for i in result.file_issues)
    assert [(r["unit_code"], r["code"], r["value"], r["system"], r["note"]) for r in result.rows] == [
        ("19.SNNMT", "CQS.5", 88.5, "Hệ thống QLVB", None),
        ("05443", "NL.1", 3.0, "Hệ thống QLVB", "Đủ"),
    ]


@pytest.mark.parametrize(
    ("bad", "rule", "reason_parts"),
    [
        (
            {"unit": "Sở Nội Vũ Mới"},
            "unknown_unit",
            ["đơn vị 'Sở Nội Vũ Mới', thành phần ATTT.2: tên đơn vị không có trong danh mục đơn vị;", "có phải 'Sở Nội vụ'?"],
        ),
        (
            {"unit": "Xã Không Tồn Tại"},
            "unknown_unit",
            ["đơn vị 'Xã Không Tồn Tại', thành phần ATTT.2: tên đơn vị không có trong danh mục đơn vị."],
        ),
        ({"unit": ""}, "unknown_unit", ["thiếu đơn vị"]),
        (
            {"unit_code": "19.SABC", "unit": "Sở Y tế"},
            "unknown_unit",
            ["mã đơn vị '19.SABC' không có trong danh mục đơn vị", "Tên 'Sở Y tế' là Sở Y tế (19.SYT)"],
        ),
        (
            {"unit_code": "19.STP", "unit": "Sở Y tế"},
            "unit_mismatch",
            ["mã đơn vị '19.STP' là Sở Tư pháp nhưng tên 'Sở Y tế' là Sở Y tế (19.SYT)"],
        ),
        (
            {"component": "ATTT.9"},
            "unknown_component",
            ["đơn vị Sở Tài chính (19.STC), thành phần ATTT.9: mã thành phần 'ATTT.9' không có"],
        ),
        ({"component": ""}, "unknown_component", ["thiếu mã thành phần."]),
        (
            {"component": "NL.1", "value": "1"},
            "not_applicable",
            [
                "thành phần NL.1 (Số cán bộ chuyên trách chuyển đổi số) không áp dụng cho nhóm 'Cơ quan cấp tỉnh'",
                "chỉ áp dụng cho: Xã, Phường.",
            ],
        ),
        (
            {"unit": "Phường Phan Đình Phùng", "component": "CQS.5"},
            "not_applicable",
            ["đơn vị Phường Phan Đình Phùng (05443), thành phần CQS.5:", "không áp dụng cho nhóm 'Phường'"],
        ),
        ({"value": "khoảng 90"}, "not_a_number", ["giá trị không phải số: 'khoảng 90'."]),
        ({"value": ""}, "not_a_number", ["thiếu giá trị."]),
        ({"value": "120"}, "out_of_range", ["giá trị 120 ngoài khoảng cho phép của thành phần ATTT.2 (từ 0 đến 100)."]),
        ({"component": "NL.1", "unit": "Xã Đại Phúc", "value": "10,5"}, "out_of_range", ["giá trị 10,5", "(từ 0 đến 10)"]),
        ({"year": "2025"}, "wrong_year", ["năm 2025 khác năm đang tổng hợp 2026."]),
        ({"year": "năm nay"}, "wrong_year", ["năm không hợp lệ: 'năm nay'."]),
        ({"year": ""}, "wrong_year", ["thiếu năm và tên tệp không ghi năm 2026"]),
    ],
)
def test_each_bad_row_is_rejected_with_file_line_unit_component_and_reason(tmp_path, bad, rule, reason_parts):
    path = write_values(
        tmp_path, "he_thong_bao_cao.csv", [value_row(unit="Sở Tư pháp"), value_row(**bad), value_row(unit="Sở Xây dựng")]
    )
    result = read([path], tmp_path)[path]
    assert [r["unit_code"] for r in result.rows] == ["19.STP", "19.SXD"]
    assert [(r["file_name"], r["row_number"], r["rule"]) for r in result.rejects] == [("he_thong_bao_cao.csv", 3, rule)]
    reason = result.rejects[0]["reason"]
    assert reason.startswith("Tệp he_thong_bao_cao.csv, dòng 3")
    for part in reason_parts:
        assert part in reason


def test_a_reject_keeps_the_quarantine_shape_and_lists_every_problem(tmp_path):
    path = write_values(tmp_path, "he_thong_bao_cao.csv", [value_row(unit="Sở Y tế", value="abc", year="2024")])
    [row_problem, year_problem] = read([path], tmp_path)[path].rejects
    assert row_problem == {
        "file_name": "he_thong_bao_cao.csv",
        "row_number": 2,
        "record_key": "19.SYT|ATTT.2",
        "unit_code": "19.SYT",
        "unit_name": "Sở Y tế",
        "rule": "not_a_number",
        "value": "abc",
        "criterion_code": "ATTT.2",
        "reason": "Tệp he_thong_bao_cao.csv, dòng 2, đơn vị Sở Y tế (19.SYT), thành phần ATTT.2: giá trị không phải số: 'abc'.",
    }
    assert year_problem["rule"] == "wrong_year" and year_problem["value"] == "2024"


def test_a_blank_year_is_the_year_of_the_file_name_only_when_it_is_the_year_read(tmp_path):
    rows = [value_row(year="")]
    named = write_values(tmp_path, "attt_2026.csv", rows)
    assert [r["unit_code"] for r in read([named], tmp_path)[named].rows] == ["19.STC"]
    other = write_values(tmp_path, "attt_2025.csv", rows)
    result = read([other], tmp_path)[other]
    assert [r["rule"] for r in result.rejects] == ["wrong_year"] and result.rows == []
    assert "file_name_year" in {i.rule for i in result.file_issues}


def test_duplicates_within_one_file_reject_every_copy_even_identical(tmp_path):
    path = write_values(
        tmp_path,
        "attt_2026.csv",
        [
            value_row(unit="Sở Y tế"),
            value_row(unit="Sở Tài chính", value="90"),
            value_row(unit="So Tai chinh", value="90"),  # same unit written without diacritics, same value
            value_row(unit="Sở Tư pháp"),
            value_row(unit="", unit_code="19.STC", value="91"),
        ],
    )
    result = read([path], tmp_path)[path]
    assert [r["unit_code"] for r in result.rows] == ["19.SYT", "19.STP"]
    assert [(r["row_number"], r["rule"], r["record_key"]) for r in result.rejects] == [
        (3, "duplicate", "19.STC|ATTT.2"),
        (4, "duplicate", "19.STC|ATTT.2"),
        (6, "duplicate", "19.STC|ATTT.2"),
    ]
    assert result.rejects[0]["reason"] == (
        "Tệp attt_2026.csv, dòng 3, đơn vị Sở Tài chính (19.STC), thành phần ATTT.2: giá trị được cung cấp nhiều lần "
        "(cũng ở dòng 4; dòng 6); loại mọi bản, thành phần được coi là chưa có số liệu của đơn vị này."
    )


def test_duplicates_across_files_reject_every_copy_and_name_the_other_file(tmp_path):
    first = write_values(tmp_path, "giam_sat_2026.csv", [value_row(unit="Sở Y tế"), value_row(unit="Sở Công Thương")])
    second = write_values(
        tmp_path,
        "bao_cao_2026.csv",
        [
            value_row(unit="Sở Tư pháp", component="CQS.5"),
            value_row(unit="Sở Y tế", value="95", system="Hệ thống báo cáo"),
        ],
    )
    results = read([first, second], tmp_path)
    assert [r["unit_code"] for r in results[first].rows] == ["19.SCT"]
    assert [(r["unit_code"], r["code"]) for r in results[second].rows] == [("19.STP", "CQS.5")]
    [a], [b] = results[first].rejects, results[second].rejects
    assert (a["row_number"], a["rule"], b["row_number"], b["rule"]) == (2, "duplicate", 3, "duplicate")
    assert a["reason"].startswith("Tệp giam_sat_2026.csv, dòng 2, đơn vị Sở Y tế (19.SYT), thành phần ATTT.2:")
    assert "(cũng ở tệp bao_cao_2026.csv dòng 3)" in a["reason"]
    assert "(cũng ở tệp giam_sat_2026.csv dòng 2)" in b["reason"]


def test_a_bad_copy_still_makes_the_good_one_a_duplicate_but_another_year_does_not(tmp_path):
    first = write_values(tmp_path, "a_2026.csv", [value_row(unit="Sở Y tế", value="120"), value_row(unit="Sở Tư pháp")])
    second = write_values(
        tmp_path, "b_2026.csv", [value_row(unit="Sở Y tế", value="80"), value_row(unit="Sở Tư pháp", year="2025")]
    )
    results = read([first, second], tmp_path)
    assert [r["rule"] for r in results[first].rejects] == ["out_of_range", "duplicate"]
    assert [r["rule"] for r in results[second].rejects] == ["duplicate", "wrong_year"]
    assert [r["unit_code"] for r in results[first].rows] == ["19.STP"] and results[second].rows == []


def test_the_same_file_sent_twice_under_two_names_loads_once_and_names_the_copy(tmp_path):
    rows = [value_row(), value_row(unit="Sở Y tế")]
    first = write_values(tmp_path, "giam_sat_2026.csv", rows)
    copy = tmp_path / "giam_sat_2026 (1).csv"  # a browser's second download: byte for byte the same, sorts first
    copy.write_bytes(first.read_bytes())
    results = read([copy, first, first], tmp_path)
    assert list(results) == [copy, first]
    assert [r["unit_code"] for r in results[first].rows] == ["19.STC", "19.SYT"]
    assert results[copy].rows == [] and results[first].rejects == results[copy].rejects == []
    assert [i.rule for i in results[first].file_issues] == []
    [note] = [i for i in results[copy].file_issues if i.rule == "same_content"]
    assert not note.blocking and results[copy].loadable
    assert note.reason == (
        "Tệp giam_sat_2026 (1).csv giống hệt tệp giam_sat_2026.csv (bản sao, ví dụ tải về hai lần): các giá trị "
        "được nạp một lần từ tệp giam_sat_2026.csv, tệp này bỏ qua; nên xóa tệp thừa."
    )


def test_two_files_of_the_same_values_with_different_content_still_reject_every_copy(tmp_path):
    first = write_values(tmp_path, "a_2026.csv", [value_row(value="90")])
    second = write_values(tmp_path, "a_2026 (1).csv", [value_row(value="80")])
    results = read([first, second], tmp_path)
    assert results[first].rows == results[second].rows == []
    assert [r["rule"] for r in results[first].rejects + results[second].rejects] == ["duplicate", "duplicate"]
    assert not any(i.rule == "same_content" for r in results.values() for i in r.file_issues)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (["Năm", "Đơn vị", "Mã thành phần", "Hệ thống nguồn"], "Thiếu cột bắt buộc 'Giá trị'; không nạp được tệp."),
        (
            ["Năm", "Mã thành phần", "Giá trị"],
            ("Thiếu cột 'Mã đơn vị' hoặc 'Đơn vị' (cần ít nhất một trong hai); không nạp được tệp."),
        ),
    ],
)
def test_missing_columns_block_the_file_and_the_other_files_still_load(tmp_path, headers, reason):
    broken = write_values(tmp_path, "broken_2026.csv", [value_row()], headers=headers)
    good = write_values(tmp_path, "good_2026.csv", [value_row(unit="Sở Y tế")])
    results = read([broken, good], tmp_path)
    assert not results[broken].loadable and results[broken].rows == [] and results[broken].rejects == []
    blocking = [i for i in results[broken].file_issues if i.blocking]
    assert [(i.rule, i.reason) for i in blocking] == [("missing_columns", reason)]
    assert results[good].loadable and [r["unit_code"] for r in results[good].rows] == ["19.SYT"]


def test_empty_missing_and_header_only_files(tmp_path):
    empty = tmp_path / "empty_2026.csv"
    empty.write_bytes(b"\xef\xbb\xbf\n")
    header_only = write_values(tmp_path, "header_2026.csv", [])
    absent = tmp_path / "absent_2026.csv"
    results = read([empty, header_only, absent], tmp_path)
    assert [(i.rule, i.blocking) for i in results[empty].file_issues] == [("empty_file", True)]
    assert [(i.rule, i.reason) for i in results[absent].file_issues] == [
        ("unreadable_file", "Không tìm thấy tệp; không nạp được tệp.")
    ]
    assert not results[empty].loadable and not results[absent].loadable
    assert results[header_only].loadable and [(i.rule, i.reason, i.blocking) for i in results[header_only].file_issues] == [
        ("no_rows", "Tệp chỉ có dòng tiêu đề, không có giá trị nào.", False)
    ]


def test_a_malformed_line_is_rejected_on_its_own_line(tmp_path):
    path = write_values(tmp_path, "attt_2026.csv", [value_row()], tail="2026,,Sở Y tế,ATTT.2\n")
    result = read([path], tmp_path)[path]
    assert [r["unit_code"] for r in result.rows] == ["19.STC"]
    assert [(r["row_number"], r["rule"]) for r in result.rejects] == [(3, "malformed_line")]
    assert result.rejects[0]["reason"] == "Dòng thiếu cột (tệp có thể bị cắt cụt)."  # file and line are columns


# --- last year's published results ---------------------------------------------------------------------------

PREVIOUS_YEAR = 2025


def published(name: str, total: str, rank: str = "", level: str = "", year: str = "2025") -> dict[str, str]:
    return {"year": year, "published_name": name, "total": total, "rank": rank, "level": level}


def write_previous(tmp_path: Path, rows: list[dict], *, name: str = "dti_2025.csv", **kwargs) -> Path:
    return write_rows(tmp_path / name, PREVIOUS_COLUMNS, rows, **kwargs)


def read_previous_all(paths: list[Path], tmp_path: Path):
    return read_previous_results(paths, MATCHER, PREVIOUS_YEAR, tmp_path / "work")


def read_previous(path: Path, tmp_path: Path):
    results = read_previous_all([path], tmp_path)
    assert list(results) == [path]
    return results[path]


def previous_of(tmp_path: Path, rows: list[dict]) -> dict[str, PreviousResult]:
    result = read_previous(write_previous(tmp_path, rows), tmp_path)
    assert result.rejects == []
    return map_previous(result.rows, MATCHER)


def test_previous_results_map_renamed_merged_and_current_units(tmp_path):
    path = write_previous(
        tmp_path,
        [
            published("Sở Thông tin và Truyền thông", "82,4", "3", "Tốt"),
            published("Sở Kế hoạch và Đầu tư", "70", "9", "Khá"),
            published("Sở Tài chính", "80", "5", "Tốt"),
            published("So Noi  vu", "77.5", "6"),
            published("UBND Phường Phan Đình Phùng", "65,25"),
            published("Sở Nông nghiệp và Phát triển nông thôn", "60"),
            published("Sở TN&MT", "71"),
            published("Sở VHTTDL", "74"),
            published("Ban Dân tộc", "68"),
            published("Sở Y tế", "81"),
        ],
    )
    result = read_previous(path, tmp_path)
    assert result.loadable and result.rejects == []
    assert result.rows[0] == {
        "year": 2025,
        "published_name": "Sở Thông tin và Truyền thông",
        "unit_code": "19.SKHCN",
        "identity": "Sở Thông tin và Truyền thông",
        "total": 82.4,
        "rank": 3,
        "level": "Tốt",
        "source_row": 2,
    }
    assert result.rows[3]["published_name"] == "So Noi vu" and result.rows[3]["rank"] == 6
    assert result.rows[3]["level"] is None
    assert [(r["unit_code"], r["identity"]) for r in result.rows[3:]] == [
        ("19.SNV", "Sở Nội vụ"),
        ("05443", "Phường Phan Đình Phùng"),
        ("19.SNNMT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("19.SNNMT", "Sở Tài nguyên và Môi trường"),
        ("19.SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("19.SDTTG", "Ban Dân tộc"),
        ("19.SYT", "Sở Y tế"),
    ]
    previous = map_previous(result.rows, MATCHER)
    assert previous == {
        # Sở Khoa học và Công nghệ absorbed Sở Thông tin và Truyền thông: merged, the other predecessor missing.
        "19.SKHCN": PreviousResult(
            "19.SKHCN", 82.4, ("Sở Thông tin và Truyền thông",), merged=True, renamed=False, missing=("Sở Khoa học và Công nghệ",)
        ),
        "19.STC": PreviousResult("19.STC", 75.0, ("Sở Kế hoạch và Đầu tư", "Sở Tài chính"), merged=True, renamed=False),
        "19.SNV": PreviousResult(
            "19.SNV", 77.5, ("So Noi vu",), merged=True, renamed=False, missing=("Sở Lao động - Thương binh và Xã hội",)
        ),
        "05443": PreviousResult("05443", 65.25, ("UBND Phường Phan Đình Phùng",), merged=False, renamed=False),
        # Two old agencies: the unweighted mean, rounded to 2 decimals.
        "19.SNNMT": PreviousResult(
            "19.SNNMT", 65.5, ("Sở Nông nghiệp và Phát triển nông thôn", "Sở TN&MT"), merged=True, renamed=False
        ),
        "19.SVHTTDL": PreviousResult("19.SVHTTDL", 74.0, ("Sở VHTTDL",), merged=False, renamed=False),
        "19.SDTTG": PreviousResult("19.SDTTG", 68.0, ("Ban Dân tộc",), merged=False, renamed=True),
        "19.SYT": PreviousResult("19.SYT", 81.0, ("Sở Y tế",), merged=False, renamed=False),
    }


def test_an_abbreviated_and_a_full_predecessor_name_are_two_last_year_units_averaged(tmp_path):
    previous = previous_of(tmp_path, [published("Sở TN&MT", "60"), published("Sở Nông nghiệp và Phát triển nông thôn", "70")])
    assert previous == {
        "19.SNNMT": PreviousResult(
            "19.SNNMT", 65.0, ("Sở Nông nghiệp và Phát triển nông thôn", "Sở TN&MT"), merged=True, renamed=False, missing=()
        )
    }
    # The mean is rounded to 2 decimals: (60.333 + 70.5) / 2 = 65.4165.
    assert previous_of(tmp_path, [published("Sở TN&MT", "60,333"), published("Sở NN&PTNT", "70,5")])["19.SNNMT"].total == 65.42


def test_two_spellings_of_one_last_year_unit_are_a_duplicate_not_a_merge(tmp_path):
    path = write_previous(
        tmp_path,
        [
            published("Sở Tài nguyên và Môi trường", "60"),
            published("Sở Y tế", "80"),
            published("Sở TN&MT", "62"),
            published("Sở NN&PTNT", "70"),
        ],
    )
    result = read_previous(path, tmp_path)
    assert [(r["row_number"], r["rule"], r["unit_code"]) for r in result.rejects] == [
        (2, "duplicate", "19.SNNMT"),
        (4, "duplicate", "19.SNNMT"),
    ]
    assert result.rejects[0]["reason"] == (
        "Tệp dti_2025.csv, dòng 2, đơn vị 'Sở Tài nguyên và Môi trường': đơn vị năm trước 'Sở Tài nguyên và Môi trường' "
        "có kết quả ở nhiều dòng (cũng ở dòng 4); loại mọi bản, 'Sở Tài nguyên và Môi trường' được coi là không có kết "
        "quả năm trước."
    )
    previous = map_previous(result.rows, MATCHER)
    assert previous["19.SNNMT"] == PreviousResult(
        "19.SNNMT", 70.0, ("Sở NN&PTNT",), merged=True, renamed=False, missing=("Sở Tài nguyên và Môi trường",)
    )


@pytest.mark.parametrize(
    ("name", "code", "merged", "renamed", "missing"),
    [
        ("Sở Kế hoạch và Đầu tư", "19.STC", True, False, ("Sở Tài chính",)),
        ("Sở KHĐT", "19.STC", True, False, ("Sở Tài chính",)),
        ("Sở Thông tin và Truyền thông", "19.SKHCN", True, False, ("Sở Khoa học và Công nghệ",)),
        ("Sở KH&CN", "19.SKHCN", True, False, ("Sở Thông tin và Truyền thông",)),
        ("Văn phòng Ủy ban nhân dân tỉnh", "19.VPUBND", True, False, ("Sở Ngoại vụ",)),
        ("Sở Ngoại vụ", "19.VPUBND", True, False, ("Văn phòng UBND tỉnh",)),
        ("Ban Dân tộc tỉnh", "19.SDTTG", False, True, ()),
        ("Sở VHTTDL", "19.SVHTTDL", False, False, ()),
        ("Sở GD&ĐT", "19.SGDDT", False, False, ()),
        ("BQL các KCN", "19.BQLKCN", False, False, ()),
        ("Xã Đại Phúc", "05488", False, False, ()),
    ],
)
def test_one_last_year_unit_alone(tmp_path, name, code, merged, renamed, missing):
    previous = previous_of(tmp_path, [published(name, "70")])
    assert previous == {code: PreviousResult(code, 70.0, (name,), merged, renamed, missing)}


def test_spelling_variants_and_communes_take_the_official_name_as_identity(tmp_path):
    path = write_previous(
        tmp_path,
        [
            published("So Noi  vu", "77"),
            published("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "71"),
            published("Xã Đại Phúc", "55"),
            published("ubnd phuong phan dinh phung", "60"),
        ],
    )
    result = read_previous(path, tmp_path)
    assert result.rejects == []
    assert [(r["unit_code"], r["identity"]) for r in result.rows] == [
        ("19.SNV", "Sở Nội vụ"),
        ("19.SNV", "Sở Lao động - Thương binh và Xã hội"),
        ("05488", "Xã Đại Phúc"),
        ("05443", "Phường Phan Đình Phùng"),
    ]
    previous = map_previous(result.rows, MATCHER)
    assert previous["19.SNV"] == PreviousResult(
        "19.SNV", 74.0, ("So Noi vu", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"), merged=True, renamed=False
    )
    assert previous["05488"] == PreviousResult("05488", 55.0, ("Xã Đại Phúc",), merged=False, renamed=False)
    assert previous["05443"] == PreviousResult("05443", 60.0, ("ubnd phuong phan dinh phung",), merged=False, renamed=False)


def test_a_current_name_the_predecessors_leave_out_is_kept_as_one_more_last_year_unit(tmp_path):
    path = write_previous(
        tmp_path,
        [
            published("Sở Nông nghiệp và Môi trường", "50"),
            published("Sở NN&PTNT", "60"),
            published("Sở Dân tộc và Tôn giáo", "66"),
        ],
    )
    result = read_previous(path, tmp_path)
    assert result.rejects == []
    assert [r["identity"] for r in result.rows] == [
        "Sở Nông nghiệp và Môi trường",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Sở Dân tộc và Tôn giáo",
    ]
    previous = map_previous(result.rows, MATCHER)
    assert previous["19.SNNMT"] == PreviousResult(
        "19.SNNMT",
        55.0,
        ("Sở NN&PTNT", "Sở Nông nghiệp và Môi trường"),
        merged=True,
        renamed=False,
        missing=("Sở Tài nguyên và Môi trường",),
    )
    # Never a rename: the current name; flagged by the predecessor it lacks (Ban Dân tộc).
    assert previous["19.SDTTG"] == PreviousResult(
        "19.SDTTG", 66.0, ("Sở Dân tộc và Tôn giáo",), merged=True, renamed=False, missing=("Ban Dân tộc",)
    )
    # Its alias is the same last-year unit as its name: a duplicate.
    again = read_previous(
        write_previous(
            tmp_path, [published("Sở NN&MT", "50"), published("Sở Nông nghiệp và Môi trường", "50")], name="again_2025.csv"
        ),
        tmp_path,
    )
    assert [r["rule"] for r in again.rejects] == ["duplicate", "duplicate"] and again.rows == []


def test_the_same_last_year_unit_in_two_files_is_rejected_in_both_without_an_error(tmp_path):
    first = write_previous(
        tmp_path, [published("Sở Tài nguyên và Môi trường", "60"), published("Sở Y tế", "80")], name="a_2025.csv"
    )
    second = write_previous(tmp_path, [published("Sở Tư pháp", "75"), published("so tn&mt", "61")], name="b_2025.csv")
    results = read_previous_all([first, second], tmp_path)
    assert list(results) == [first, second]
    assert [(r["row_number"], r["rule"]) for r in results[first].rejects] == [(2, "duplicate")]
    assert [(r["row_number"], r["rule"]) for r in results[second].rejects] == [(3, "duplicate")]
    assert "(cũng ở tệp b_2025.csv dòng 3)" in results[first].rejects[0]["reason"]
    assert "(cũng ở tệp a_2025.csv dòng 2)" in results[second].rejects[0]["reason"]
    rows = [r for result in results.values() for r in result.rows]
    assert set(map_previous(rows, MATCHER)) == {"19.SYT", "19.STP"}


def test_a_merged_units_mean_rounds_half_up_as_every_published_figure(tmp_path):
    # Sở KH&CN 2025 = Sở KH&CN 70.12 and Sở TT&TT 70.13 in 2024: the mean 70.125 is published as 70.13 (Python's
    # round gave 70.12, and the change from last year was 0.01 off).
    path = write_previous(
        tmp_path, [published("Sở Khoa học và Công nghệ", "70,12"), published("Sở Thông tin và Truyền thông", "70,13")]
    )
    assert map_previous(read_previous(path, tmp_path).rows, MATCHER)["19.SKHCN"].total == 70.13


def test_two_files_with_the_same_content_load_once(tmp_path):
    first = write_previous(tmp_path, [published("Sở Y tế", "80")], name="a_2025.csv")
    second = tmp_path / "b_2025.csv"
    second.write_bytes(first.read_bytes())
    results = read_previous_all([first, second], tmp_path)
    assert [r["unit_code"] for r in results[first].rows] == ["19.SYT"] and results[second].rows == []
    assert results[first].rejects == results[second].rejects == []
    assert [(i.reason, i.blocking) for i in results[second].file_issues if i.rule == "same_content"] == [
        (
            (
                "Tệp b_2025.csv giống hệt tệp a_2025.csv (bản sao, ví dụ tải về hai lần): các kết quả được nạp một lần "
                "từ tệp a_2025.csv, tệp này bỏ qua; nên xóa tệp thừa."
            ),
            False,
        )
    ]


def test_previous_results_in_windows_1258_with_renamed_headers(tmp_path):
    path = write_previous(
        tmp_path,
        [published("Sở Thông tin và Truyền thông", "82,4", "1"), published("Xã Đại Phúc", "55")],
        headers=["Năm", "Tên đơn vị", "Điểm DTI", "Thứ hạng", "Xếp loại"],
        encoding="cp1258",
    )
    result = read_previous(path, tmp_path)
    assert result.encoding == "windows-1258" and result.rejects == []
    assert {c: (p.total, p.merged, p.renamed) for c, p in map_previous(result.rows, MATCHER).items()} == {
        "19.SKHCN": (82.4, True, False),
        "05488": (55.0, False, False),
    }


@pytest.mark.parametrize(
    ("bad", "rule", "reason_parts"),
    [
        (
            published("Sở Bưu chính Viễn thông Bắc Thái", "60"),
            "unknown_unit",
            ["đơn vị 'Sở Bưu chính Viễn thông Bắc Thái': tên không khớp đơn vị hiện nay nào"],
        ),
        (published("Sở Nội Vũ Mới", "60"), "unknown_unit", ["có phải 'Sở Nội vụ'?"]),
        (published("", "60"), "unknown_unit", ["thiếu tên đơn vị."]),
        (published("Sở Y tế", "tám mươi"), "not_a_number", ["tổng điểm không phải số: 'tám mươi'."]),
        (published("Sở Y tế", ""), "not_a_number", ["thiếu tổng điểm."]),
        (published("Sở Y tế", "80", rank="2a"), "not_a_number", ["xếp hạng không phải số nguyên dương: '2a'."]),
        (published("Sở Y tế", "100,5"), "out_of_range", ["tổng điểm 100,5 ngoài khoảng từ 0 đến 100."]),
        (published("Sở Y tế", "80", year="2024"), "wrong_year", ["năm 2024 khác năm đang tổng hợp 2025."]),
        (published("Sở Tư pháp", "80"), "duplicate", ["(cũng ở dòng 2)", "'Sở Tư pháp' được coi là không có kết quả"]),
    ],
)
def test_each_bad_previous_row_is_rejected_with_file_line_and_reason(tmp_path, bad, rule, reason_parts):
    path = write_previous(tmp_path, [published("Sở Tư pháp", "70"), bad, published("Sở Xây dựng", "72")])
    result = read_previous(path, tmp_path)
    rejects = [r for r in result.rejects if r["row_number"] == 3]
    assert [(r["file_name"], r["rule"]) for r in rejects] == [("dti_2025.csv", rule)]
    assert rejects[0]["reason"].startswith("Tệp dti_2025.csv, dòng 3")
    for part in reason_parts:
        assert part in rejects[0]["reason"]
    expected = ["19.SXD"] if rule == "duplicate" else ["19.STP", "19.SXD"]
    assert [r["unit_code"] for r in result.rows] == expected


def test_a_previous_name_written_twice_rejects_both_copies_however_it_is_spelt(tmp_path):
    path = write_previous(
        tmp_path,
        [
            published("Sở Thông tin và Truyền thông", "82"),
            published("Sở Y tế", "70"),
            published("SO THONG TIN VA  TRUYEN THONG", "82"),
            published("Sở Tài chính", "80"),
        ],
    )
    result = read_previous(path, tmp_path)
    assert [(r["row_number"], r["rule"], r["unit_code"]) for r in result.rejects] == [
        (2, "duplicate", "19.SKHCN"),
        (4, "duplicate", "19.SKHCN"),
    ]
    assert "(cũng ở dòng 4)" in result.rejects[0]["reason"]
    assert set(map_previous(result.rows, MATCHER)) == {"19.SYT", "19.STC"}  # no previous result for 19.SKHCN


def test_previous_blank_year_and_missing_columns(tmp_path):
    named = write_previous(tmp_path, [published("Sở Y tế", "80", year="")], name="dti_2025.csv")
    assert [r["year"] for r in read_previous(named, tmp_path).rows] == [2025]
    unnamed = write_previous(tmp_path, [published("Sở Y tế", "80", year="")], name="ket_qua.csv")
    assert [r["rule"] for r in read_previous(unnamed, tmp_path).rejects] == ["wrong_year"]
    broken = write_previous(tmp_path, [published("Sở Y tế", "80")], name="broken.csv", headers=["Năm", "Đơn vị", "Xếp hạng"])
    result = read_previous(broken, tmp_path)
    assert not result.loadable and result.rows == []
    assert [(i.rule, i.reason) for i in result.file_issues if i.blocking] == [
        ("missing_columns", "Thiếu cột bắt buộc 'Tổng điểm'; không nạp được tệp.")
    ]


def test_an_unreadable_previous_file_does_not_stop_the_others(tmp_path):
    good = write_previous(tmp_path, [published("Sở Y tế", "80")], name="a_2025.csv")
    absent = tmp_path / "absent_2025.csv"
    results = read_previous_all([absent, good], tmp_path)
    assert [(i.rule, i.reason) for i in results[absent].file_issues] == [
        ("unreadable_file", "Không tìm thấy tệp; không nạp được tệp.")
    ]
    assert [r["unit_code"] for r in results[good].rows] == ["19.SYT"]


def test_map_previous_works_from_rows_without_identity_and_refuses_two_rows_for_one_last_year_unit():
    def rows(*entries):
        return [
            {
                "year": 2025,
                "published_name": name,
                "unit_code": code,
                "total": total,
                "rank": None,
                "level": None,
                "source_row": line,
            }
            for line, (name, code, total) in enumerate(entries, start=2)
        ]

    # As read back from the warehouse (no identity column): the identity is found again.
    assert map_previous(rows(("Sở TN&MT", "19.SNNMT", 60.0), ("Sở NN&PTNT", "19.SNNMT", 70.0)), MATCHER) == {
        "19.SNNMT": PreviousResult("19.SNNMT", 65.0, ("Sở NN&PTNT", "Sở TN&MT"), merged=True, renamed=False)
    }
    for names in (("Sở Nội vụ", "So Noi vu"), ("Sở Tài nguyên và Môi trường", "Sở TN&MT")):
        code = MATCHER.match(names[0])
        with pytest.raises(ValueError, match="có nhiều dòng"):
            map_previous(rows(*((n, code, 70.0) for n in names)), MATCHER)


def test_a_grouped_thousands_value_is_refused_where_both_readings_fit_and_a_code_may_lose_its_zero(tmp_path):
    """'1.000' of a count up to 10,000 is 1 or 1000: refused, never guessed; of a percentage (up to 100) only 1.0
    fits. A commune's code re-saved by Excel without its leading zero (5443) is that commune."""
    components = {**COMPONENTS, "HD.9": ExternalComponent("HD.9", "Số văn bản điện tử", 0, 10000, ALL_GROUPS)}
    commune = next(code for code, u in MATCHER.units.items() if u.group == "commune" and code.startswith("0"))
    path = write_values(
        tmp_path,
        "he_thong_2026.csv",
        [
            value_row(component="HD.9", value="1.000"),
            value_row(component="ATTT.2", value="1.000"),
            value_row(unit="", unit_code=commune.lstrip("0"), component="ATTT.2", value="75"),
        ],
    )
    result = read_external_values([path], MATCHER, components, YEAR, tmp_path / "work")[path]
    assert [(r["rule"], r["row_number"]) for r in result.rejects] == [("ambiguous_number", 2)]
    assert [(r["unit_code"], r["code"], r["value"]) for r in result.rows] == [
        ("19.STC", "ATTT.2", 1.0),
        (commune, "ATTT.2", 75.0),
    ]


# --- the same tables sent as Excel workbooks -------------------------------------------------------------------


def write_sheet(
    path: Path,
    headers: list[str],
    rows: list[list],
    *,
    title: str,
    percent: set[tuple[int, int]] = frozenset(),
    formats: dict[tuple[int, int], str] | None = None,
) -> Path:
    """A workbook as offices save these tables: a title merged over the table, a blank row, the header on row 3, the
    rows from row 4 (numbers typed as numbers); ``percent``: (sheet row, column) cells formatted as percent;
    ``formats``: other number formats by (sheet row, column)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for c, header in enumerate(headers, start=1):
        ws.cell(3, c, header)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    for r, c in percent:
        ws.cell(r, c).number_format = "0%"
    for (r, c), number_format in (formats or {}).items():
        ws.cell(r, c).number_format = number_format
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


EXTERNAL_HEADERS = ["Năm", "Mã đơn vị", "Đơn vị", "Mã thành phần", "Giá trị", "Hệ thống nguồn", "Ghi chú"]


def _loaded(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("source_file", "source_row")} for r in rows]


def test_other_systems_values_in_an_xlsx_under_a_title_load_as_the_same_csv_does(tmp_path):
    """The SOC's values saved from Excel: a title above the header, the year and values typed as numbers, one share
    in a percentage cell (97 % kept as 0.97), and a row of an unknown unit, which is quarantined on its sheet row
    while the others load exactly as from the CSV of the same table."""
    system = DEFAULT["system"]
    csv_path = write_values(
        tmp_path / "csv",
        "soc_2026.csv",
        [
            value_row(),
            value_row(unit="", unit_code="19.SKHCN", value="85,5"),
            value_row(unit="Phường Phan Đình Phùng", value="97%", note="Theo báo cáo tháng 12"),
            value_row(unit="Sở Không Có"),
        ],
    )
    xlsx_path = write_sheet(
        tmp_path / "xlsx" / "soc_2026.xlsx",
        EXTERNAL_HEADERS,
        [
            [2026, None, "Sở Tài chính", "ATTT.2", 90, system, None],
            [2026, "19.SKHCN", None, "ATTT.2", 85.5, system, None],
            [2026, None, "Phường Phan Đình Phùng", "ATTT.2", 0.97, system, "Theo báo cáo tháng 12"],
            [2026, None, "Sở Không Có", "ATTT.2", 90, system, None],
        ],
        title="SỐ LIỆU GIÁM SÁT AN TOÀN THÔNG TIN NĂM 2026",
        percent={(6, 5)},
    )
    from_csv = read([csv_path], tmp_path)[csv_path]
    from_xlsx = read([xlsx_path], tmp_path)[xlsx_path]
    assert from_xlsx.loadable and from_xlsx.encoding == "xlsx" and from_xlsx.sha256
    assert [r["value"] for r in from_xlsx.rows] == [90.0, 85.5, 97.0]  # the percentage cell's 0.97 is 97, as "97%"
    assert _loaded(from_xlsx.rows) == _loaded(from_csv.rows) and len(from_csv.rows) == 3
    assert [r["source_row"] for r in from_xlsx.rows] == [4, 5, 6]  # the sheet's own rows
    assert [(r["row_number"], r["rule"]) for r in from_xlsx.rejects] == [(7, "unknown_unit")]
    assert [(r["row_number"], r["rule"]) for r in from_csv.rejects] == [(5, "unknown_unit")]
    assert from_xlsx.rejects[0]["reason"].startswith(
        "Tệp soc_2026.xlsx, trang 'Số liệu', dòng 7, đơn vị 'Sở Không Có', thành phần ATTT.2: "
    )
    assert not any(i.blocking for i in from_xlsx.file_issues)


def test_a_literal_percent_sign_in_a_cells_number_format_keeps_the_number_as_typed(tmp_path):
    """The SOC's shares typed as 78,6 in cells formatted 0.0"%" or 0\\% (shown "78.6%"): the "%" is text, Excel keeps
    78.6, and so does the reader (it read 7860 and quarantined every row as out_of_range); a real '%' cell's 0.97 is
    still 97."""
    path = write_sheet(
        tmp_path / "soc_2026.xlsx",
        EXTERNAL_HEADERS,
        [
            [2026, None, "Sở Tài chính", "ATTT.2", 78.6, None, None],
            [2026, None, "Sở Y tế", "ATTT.2", 89, None, None],
            [2026, None, "Sở Tư pháp", "ATTT.2", 0.97, None, None],
        ],
        title="Giá trị đo",
        formats={(4, 5): '0.0"%"', (5, 5): "0\\%", (6, 5): "[Color10]0%"},
    )
    result = read([path], tmp_path)[path]
    assert result.rejects == []
    assert [(r["unit_code"], r["value"]) for r in result.rows] == [("19.STC", 78.6), ("19.SYT", 89.0), ("19.STP", 97.0)]


def test_a_share_sent_as_a_fraction_for_a_percent_component_is_refused_as_in_the_forms(tmp_path):
    """VNeID's share of residents with a level-2 account sent as 0,853 (or the value Excel saved for =E2/F2) for XH.1,
    a percentage whose full points need 90: read as it is, it would be 0.853 % and score 0.04 of 4 points. As in a DTI
    form's '(%)' answer it is refused (fraction_as_percent), the reason naming file, row, unit, component and value;
    a value with its '%' sign, 0, 1, a real '%' cell and a count load. The scale comes from the criteria tree of the
    year: the component's name ends with '(%)' and its rule's target (or top step) is 50 or more."""
    from warehouse.dti import external_components

    components = {**external_components(YEAR), "NL.1": COMPONENTS["NL.1"]}
    csv_path = write_values(
        tmp_path,
        "vneid_2026.csv",
        [
            value_row(unit="Phường Phan Đình Phùng", component="XH.1", value="0,853"),
            value_row(unit="", unit_code="05455", component="XH.1", value="0.912"),
            value_row(unit="", unit_code="05467", component="XH.1", value="85,3"),
            value_row(unit="", unit_code="05482", component="XH.1", value="0,5%"),
            value_row(unit="", unit_code="05488", component="XH.1", value="0"),
            value_row(unit="Sở Tài chính", component="AT.2", value="1"),
            value_row(unit="Xã Đại Phúc", component="NL.1", value="0,5"),
        ],
    )
    xlsx_path = write_sheet(
        tmp_path / "vneid_bo_sung_2026.xlsx",
        EXTERNAL_HEADERS,
        [[2026, "05500", None, "XH.1", 0.8734, None, None], [2026, None, "Sở Y tế", "AT.2", 0.8734, None, None]],
        title="Số liệu bổ sung",
        percent={(5, 5)},
    )
    results = read_external_values([csv_path, xlsx_path], MATCHER, components, YEAR, tmp_path / "work")
    from_csv, from_xlsx = results[csv_path], results[xlsx_path]
    assert [(r["row_number"], r["rule"], r["value"]) for r in from_csv.rejects] == [
        (2, "fraction_as_percent", "0,853"),
        (3, "fraction_as_percent", "0.912"),
    ]
    assert from_csv.rejects[0]["reason"] == (
        "Tệp vneid_2026.csv, dòng 2, đơn vị Phường Phan Đình Phùng (05443), thành phần XH.1: thành phần XH.1 tính theo "
        "%, giá trị '0,853' nhỏ hơn 1: nếu là tỷ lệ (0,853 là 85,3 %) đề nghị ghi 85,3; nếu đúng là dưới 1 % đề nghị "
        "ghi kèm dấu % (0,853%)."
    )
    assert [(r["unit_code"], r["code"], r["value"]) for r in from_csv.rows] == [
        ("05467", "XH.1", 85.3),
        ("05482", "XH.1", 0.5),
        ("05488", "XH.1", 0.0),
        ("19.STC", "AT.2", 1.0),
        ("05488", "NL.1", 0.5),
    ]
    assert [(r["row_number"], r["rule"], r["value"]) for r in from_xlsx.rejects] == [(4, "fraction_as_percent", "0.8734")]
    assert from_xlsx.rejects[0]["reason"].startswith(
        "Tệp vneid_bo_sung_2026.xlsx, trang 'Số liệu', dòng 4, đơn vị Phường Tích Lương (05500), thành phần XH.1: "
    )
    assert [(r["unit_code"], r["value"]) for r in from_xlsx.rows] == [("19.SYT", 87.34)]


def test_a_small_share_where_full_points_need_under_50_percent_or_a_component_without_a_rule_loads(tmp_path):
    """0,8 % of the budget spent on digital transformation (full points at 2 %) is plausible, as in the forms: it
    loads; so does 0,5 for a component the reader is given without its rule."""
    from scoring.criteria import CriterionRule

    rule = CriterionRule("target", target=2.0)
    budget = ExternalComponent("TC.9", "Tỷ lệ chi cho chuyển đổi số (%)", 0, 100, ALL_GROUPS, rule=rule)
    path = write_values(
        tmp_path,
        "kho_bac_2026.csv",
        [value_row(component="TC.9", value="0,8"), value_row(component="ATTT.2", value="0,5")],
    )
    result = read_external_values([path], MATCHER, {**COMPONENTS, "TC.9": budget}, YEAR, tmp_path / "work")[path]
    assert result.rejects == [] and [(r["code"], r["value"]) for r in result.rows] == [("TC.9", 0.8), ("ATTT.2", 0.5)]


def test_an_excel_error_or_uncalculated_formula_rejects_its_row_naming_the_cell_but_not_in_a_note(tmp_path):
    path = write_sheet(
        tmp_path / "soc_2026.xlsx",
        EXTERNAL_HEADERS,
        [
            [2026, None, "Sở Tài chính", "ATTT.2", "#DIV/0!", None, None],
            [2026, None, "Sở Y tế", "ATTT.2", "=B1*2", None, None],
            [2026, None, "Sở Tư pháp", "ATTT.2", 88, None, "#N/A"],
        ],
        title="Giá trị đo",
    )
    result = read([path], tmp_path)[path]
    assert [(r["row_number"], r["rule"], r["cell"]) for r in result.rejects] == [
        (4, "excel_error", "E4"),
        (5, "uncalculated_formula", "E5"),
    ]
    assert result.rejects[0]["reason"].startswith("Trang 'Số liệu', ô E4: ô chứa giá trị lỗi #DIV/0!")
    assert [(r["unit_code"], r["value"], r["note"]) for r in result.rows] == [("19.STP", 88.0, None)]
    [note] = [i for i in result.file_issues if i.rule == "excel_error"]
    assert not note.blocking and "ô G6" in note.reason


def test_the_same_workbook_sent_twice_loads_once_and_other_kinds_are_refused(tmp_path):
    first = write_sheet(tmp_path / "soc_2026.xlsx", EXTERNAL_HEADERS, [[2026, None, "Sở Y tế", "ATTT.2", 80]], title="")
    copy = tmp_path / "soc_2026 (1).xlsx"
    copy.write_bytes(first.read_bytes())
    pdf = tmp_path / "soc_ban_in_2026.xlsx"
    pdf.write_bytes(b"%PDF-1.4 not a workbook")
    no_table = write_sheet(tmp_path / "ghi_chu_2026.xlsx", ["Ghi chú"], [["xem lại"]], title="Ghi chú")
    results = read([first, copy, pdf, no_table], tmp_path)
    assert [r["unit_code"] for r in results[first].rows] == ["19.SYT"] and results[copy].rows == []
    assert [i.rule for i in results[copy].file_issues] == ["same_content"]
    assert [(i.rule, i.blocking) for i in results[pdf].file_issues] == [("wrong_file_kind", True)]
    assert [(i.rule, i.blocking) for i in results[no_table].file_issues] == [("missing_columns", True)]
    assert not results[pdf].loadable and not results[no_table].loadable


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_workbook_saved_under_its_old_csv_name_is_read_as_the_workbook(tmp_path, kind):
    """Excel's "Save as" keeping the name soc_2026.csv but writing a workbook (a usual slip in an office): the rows
    load as from the same workbook named .xlsx, with a note asking for the right type; a real CSV gets no note."""
    from tests.excel_files import write_xls

    grid = [EXTERNAL_HEADERS, [2026, None, "Sở Y tế", "ATTT.2", 80, DEFAULT["system"], None]]
    grid.append([2026, None, "Sở Không Có", "ATTT.2", 90, DEFAULT["system"], None])
    named = tmp_path / "xlsx" / "soc_2026.xlsx"
    if kind == "xlsx":
        write_sheet(named, EXTERNAL_HEADERS, grid[1:], title="")
    else:
        named.parent.mkdir()
        write_xls(named, grid)
    as_csv = tmp_path / "csv" / "soc_2026.csv"
    as_csv.parent.mkdir()
    as_csv.write_bytes(named.read_bytes())
    plain = write_values(tmp_path / "plain", "soc_2026.csv", [value_row(unit="Sở Y tế", value="80")])
    results = {path: read([path], tmp_path)[path] for path in (named, as_csv, plain)}  # (one copy is read once)
    assert results[as_csv].loadable and [r["unit_code"] for r in results[as_csv].rows] == ["19.SYT"]
    assert _loaded(results[as_csv].rows) == _loaded(results[named].rows)
    rejected = [(r["row_number"], r["rule"]) for r in results[as_csv].rejects]
    assert (
        rejected == [(r["row_number"], r["rule"]) for r in results[named].rejects] == [(3 + 2 * (kind == "xlsx"), "unknown_unit")]
    )
    notes = [i for i in results[as_csv].file_issues if i.rule == "workbook_named_csv"]
    assert len(notes) == 1 and not notes[0].blocking and "đuôi .csv" in notes[0].reason
    assert not any(i.rule == "workbook_named_csv" for r in (results[named], results[plain]) for i in r.file_issues)


def test_previous_results_in_an_xlsx_load_as_the_same_csv_does(tmp_path):
    csv_path = write_previous(
        tmp_path / "csv",
        [published("Sở Tài chính", "80,5", "5", "Tốt"), published("Sở Y tế", "81", "4"), published("Sở Tư pháp", "120")],
        name="ket_qua_dti_2025.csv",
    )
    xlsx_path = write_sheet(
        tmp_path / "xlsx" / "ket_qua_dti_2025.xlsx",
        ["Năm", "Đơn vị", "Tổng điểm", "Xếp hạng", "Xếp loại"],
        [[2025, "Sở Tài chính", 80.5, 5, "Tốt"], [2025, "Sở Y tế", 81, 4, None], [2025, "Sở Tư pháp", 120, None, None]],
        title="KẾT QUẢ CHỈ SỐ DTI NĂM 2025",
    )
    from_csv = read_previous_all([csv_path], tmp_path)[csv_path]
    from_xlsx = read_previous_all([xlsx_path], tmp_path)[xlsx_path]
    assert _loaded(from_xlsx.rows) == _loaded(from_csv.rows) and len(from_csv.rows) == 2
    assert [(r["row_number"], r["rule"]) for r in from_xlsx.rejects] == [(6, "out_of_range")]
    assert "trang 'Số liệu', dòng 6" in from_xlsx.rejects[0]["reason"]


def test_a_workbook_without_number_formats_names_the_cells_that_may_be_percentages(tmp_path, monkeypatch):
    """An .xlsb keeps no number formats (percent_format_lost): a 0.97 may be 97 % in a '%' cell. It is read as written
    and the cell is named in a note, never silently taken as 0.97 or as 97."""
    import sources.table_files as table_files

    system = DEFAULT["system"]
    path = write_sheet(
        tmp_path / "soc_2026.xlsx",
        EXTERNAL_HEADERS,
        [[2026, None, "Sở Tài chính", "ATTT.2", 90, system, None], [2026, "19.SKHCN", None, "ATTT.2", 0.97, system, None]],
        title="SỐ LIỆU NĂM 2026",
    )
    monkeypatch.setattr(table_files, "percent_format_lost", lambda ws: True)
    result = read([path], tmp_path)[path]
    assert [r["value"] for r in result.rows] == [90.0, 0.97]
    notes = [i for i in result.file_issues if i.rule == "percent_format_lost"]
    assert len(notes) == 1 and not notes[0].blocking and "E5" in notes[0].reason and "E4" not in notes[0].reason


def test_a_citizens_phone_or_id_number_in_a_note_is_masked_and_said(tmp_path):
    path = write_values(
        tmp_path,
        "vneid_2026.csv",
        [
            value_row(note="Sai lệch do tài khoản của công dân Trần Văn Bảo, CCCD 034095012345, SĐT 0987654321"),
            value_row(unit="Sở Y tế", note="Liên hệ 0340 9501 2345"),
        ],
    )
    result = read([path], tmp_path)[path]
    assert [r["note"] for r in result.rows] == [
        "Sai lệch do tài khoản của công dân [đã ẩn], CCCD [đã ẩn], SĐT [đã ẩn]",  # the name after "công dân" too
        "Liên hệ [đã ẩn]",
    ]
    notes = [i for i in result.file_issues if i.rule == "personal_data_masked"]
    assert [i.blocking for i in notes] == [False, False] and "dòng 2" in notes[0].reason and "đã ẩn 3 số" in notes[0].reason
    assert "0987654321" not in str(result.file_issues)


def test_a_kept_files_rows_count_when_another_file_gives_the_same_unit(tmp_path: Path) -> None:
    """dti_2025.csv loads Sở Tư pháp; it comes back header-only (refused, its rows kept) while dti_2025_bo_sung.csv
    now gives Sở Tư pháp too: both were in the table (the DTI refresh failed: two results of one last-year unit), and
    for the other systems' values one of two was picked at random. The new file's copy is rejected naming the kept
    one; the kept rows stand, and the scoring reads them."""
    from datetime import datetime

    import duckdb

    from sources.dti_inputs import EXTERNAL_DIR, PREVIOUS_DIR
    from warehouse import dti
    from warehouse.schema import ensure_schema

    inbox, work = tmp_path / "inbox", tmp_path / "work"
    previous, external = inbox / PREVIOUS_DIR, inbox / EXTERNAL_DIR

    def result(name: str, total: str) -> dict:
        return {"year": "2025", "published_name": name, "total": total, "rank": "", "level": ""}

    def value(unit: str, number: str) -> dict:
        return {"year": "2026", "unit": unit, "component": "AT.2", "value": number, "system": "", "note": ""}

    write_rows(previous / "dti_2025.csv", PREVIOUS_COLUMNS, [result("Sở Tư pháp", "80")])
    write_rows(previous / "dti_2025_bo_sung.csv", PREVIOUS_COLUMNS, [result("Sở Y tế", "70")])
    write_rows(external / "soc_2026.csv", EXTERNAL_COLUMNS, [value("Sở Tư pháp", "90")])
    write_rows(external / "vbdh_2026.csv", EXTERNAL_COLUMNS, [value("Sở Y tế", "70")])
    con = duckdb.connect()
    ensure_schema(con)
    dti.load_dti_inputs(con, inbox, 2026, MATCHER, datetime(2026, 11, 3, 6), work)
    write_rows(previous / "dti_2025.csv", PREVIOUS_COLUMNS, [])
    write_rows(previous / "dti_2025_bo_sung.csv", PREVIOUS_COLUMNS, [result("Sở Y tế", "70"), result("Sở Tư pháp", "60")])
    write_rows(external / "soc_2026.csv", EXTERNAL_COLUMNS, [])
    write_rows(external / "vbdh_2026.csv", EXTERNAL_COLUMNS, [value("Sở Y tế", "70"), value("Sở Tư pháp", "40")])
    for _ in range(2):  # and a rerun: the same tables
        dti.load_dti_inputs(con, inbox, 2026, MATCHER, datetime(2026, 11, 4, 6), work)
        assert con.execute("SELECT source_file, total FROM stg_dti_previous WHERE unit_code = '19.STP'").fetchall() == [
            ("dti_2025.csv", 80.0)
        ]
        assert con.execute("SELECT source_file, value FROM stg_dti_external WHERE unit_code = '19.STP'").fetchall() == [
            ("soc_2026.csv", 90.0)
        ]
        rejected = con.execute(
            "SELECT source, file_name, rule, reason FROM quarantine WHERE rule = 'duplicate' ORDER BY 1"
        ).fetchall()
        assert [(s, f, r) for s, f, r, _ in rejected] == [
            ("dti_external", "vbdh_2026.csv", "duplicate"),
            ("dti_previous", "dti_2025_bo_sung.csv", "duplicate"),
        ]
        assert "đã có trong soc_2026.csv, dòng 2" in rejected[0][3]
    assert dti._previous(con, 2026, MATCHER)["19.STP"][0] == 80.0


def test_another_provinces_ranking_of_last_year_is_refused_and_its_unit_named(tmp_path: Path) -> None:
    """Bắc Ninh's 2025 ranking saved without its title (3 of 5 rows its wards and communes) loaded its agencies
    "Sở Tài chính", "Sở Y tế" as this province's; a single Bắc Ninh commune among ours was only "unknown"."""

    def result(name: str, total: str) -> dict:
        return {"year": "2025", "published_name": name, "total": total, "rank": "", "level": ""}

    theirs = [result(n, t) for n, t in (("Sở Tài chính", "88,1"), ("Phường Chũ", "70"), ("Phường Kinh Bắc", "71"))]
    theirs += [result("Xã Lục Ngạn", "69"), result("Sở Y tế", "80")]
    path = write_rows(tmp_path / "dti_bac_ninh_2025.csv", PREVIOUS_COLUMNS, theirs)
    read = read_previous_results([path], MATCHER, 2025, tmp_path / "work")[path]
    assert not read.loadable and read.rows == []
    assert [i.rule for i in read.file_issues] == ["other_province_source"] and "Bắc Ninh" in read.file_issues[0].reason

    ours = write_rows(tmp_path / "dti_2025.csv", PREVIOUS_COLUMNS, [result("Sở Tài chính", "80"), result("Phường Chũ", "70")])
    read = read_previous_results([ours], MATCHER, 2025, tmp_path / "work")[ours]
    assert [r["unit_code"] for r in read.rows] == ["19.STC"]
    assert [(x["rule"], "Bắc Ninh" in x["reason"]) for x in read.rejects] == [("other_province_unit", True)]


def test_an_agency_of_the_province_merged_in_2025_is_a_last_year_unit_of_its_own() -> None:
    """Thái Nguyên's and Bắc Kạn's 2025 rankings both give a "Sở Tài chính": read as two copies of one unit, both
    were rejected and the agency had no previous result. Bắc Kạn's is a last-year unit of its own, averaged (half up)
    with Thái Nguyên's, as the national DTI of merged provinces is."""
    rows = [
        {"year": 2025, "published_name": "Sở Tài chính", "total": 80.0, "source_row": 2},
        {"year": 2025, "published_name": "Sở Tài chính tỉnh Bắc Kạn", "total": 60.25, "source_row": 3},
    ]
    [(code, result)] = map_previous([{**r, "unit_code": MATCHER.match(r["published_name"])} for r in rows], MATCHER).items()
    assert code == "19.STC" and (result.total, result.merged) == (70.13, True)
    assert result.published_names == ("Sở Tài chính", "Sở Tài chính tỉnh Bắc Kạn")
