"""Offices of the department and the units named by plan tasks (common/units.py load_offices, sources/task_units.py)."""

import unicodedata

import pytest

from common.units import AGENCY, COMMUNE, GROUP_LABELS, OFFICE, RANKING_GROUP, WARD, UnitMatcher, load_offices, load_units
from sources.task_units import COLLECTIVE_CSV, load_collective_phrases, resolve_units

UNITS = load_units("Thái Nguyên")
OFFICES = load_offices("Thái Nguyên")
ALL_OFFICES = ("19.SKHCN.VP", "19.SKHCN.CDS", "19.SKHCN.QLKH", "19.SKHCN.QLCN", "19.SKHCN.BCVT")
PHONG = ALL_OFFICES[1:]
AGENCIES = tuple(u.code for u in UNITS if u.group == AGENCY)
LOCALS = tuple(u.code for u in UNITS if u.group in (COMMUNE, WARD))
OFFICES_TEXT, EVERYONE_TEXT = "Các phòng, đơn vị thuộc Sở", "Các sở, ban, ngành; UBND cấp xã"

# The 13 focus tasks of the 2026 plan: (task, lead as written, collaborators as written)
SEED = [
    ("1", "Văn phòng Sở", OFFICES_TEXT),
    ("2", "Văn phòng Sở", OFFICES_TEXT),
    ("3", "Văn phòng Sở", OFFICES_TEXT),
    ("4", "Các phòng chuyên môn", "Văn phòng Sở"),
    ("5", "Văn phòng Sở", OFFICES_TEXT),
    *[(str(n), "Phòng Chuyên đổi số", EVERYONE_TEXT) for n in range(6, 13)],  # sic: "Chuyên" without the hook
    ("13", "Phòng quản lý Chuyên ngành", EVERYONE_TEXT),  # sic: lower-case "quản lý"
]
EXPECTED = {
    "Văn phòng Sở": (("19.SKHCN.VP",), ()),
    "Các phòng chuyên môn": (PHONG, ("Các phòng chuyên môn",)),
    "Phòng Chuyên đổi số": (("19.SKHCN.CDS",), ()),
    "Phòng quản lý Chuyên ngành": (("19.SKHCN.QLCN",), ()),
    OFFICES_TEXT: (ALL_OFFICES, ("Các phòng, đơn vị thuộc Sở",)),
    EVERYONE_TEXT: (AGENCIES + LOCALS, ("Các sở, ban, ngành", "UBND cấp xã")),
}


def test_offices_are_units_of_their_own_kind_and_not_ranked():
    assert tuple(o.code for o in OFFICES) == ALL_OFFICES
    assert [o.name for o in OFFICES] == [
        "Văn phòng Sở",
        "Phòng Chuyển đổi số",
        "Phòng Quản lý Khoa học",
        "Phòng Quản lý Chuyên ngành",
        "Phòng Bưu chính - Viễn thông",
    ]
    assert all(o.group == OFFICE and o.parent == "19.SKHCN" and o.ranking_group is None for o in OFFICES)
    assert [o.kind for o in OFFICES] == ["van_phong", "phong", "phong", "phong", "phong"]
    assert all(unicodedata.is_normalized("NFC", o.name) for o in OFFICES)
    assert GROUP_LABELS[OFFICE] == "Phòng, đơn vị thuộc Sở" and OFFICE not in RANKING_GROUP
    assert not {u.code for u in UNITS} & set(ALL_OFFICES)  # load_units is unchanged: 15 agencies + 92 communes/wards
    assert len(UNITS) == 107 and len(AGENCIES) == 15 and len(LOCALS) == 92
    assert load_offices("Hà Nội") == ()  # no office list: none, and the task steps say so (test_provinces)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Văn phòng Sở", "19.SKHCN.VP"),
        ("Văn phòng Sở Khoa học và Công nghệ", "19.SKHCN.VP"),
        ("Văn phòng", "19.SKHCN.VP"),  # the plan's own word (§IV.1: "phối hợp với Văn phòng")
        ("Phòng Chuyển đổi số", "19.SKHCN.CDS"),
        ("Phòng Chuyên đổi số", "19.SKHCN.CDS"),
        ("phong chuyen doi so", "19.SKHCN.CDS"),
        ("Phòng Quản lý Khoa học", "19.SKHCN.QLKH"),
        ("Phòng quản lý Chuyên ngành", "19.SKHCN.QLCN"),
        ("Phòng Bưu chính - Viễn thông", "19.SKHCN.BCVT"),
        ("Phòng Bưu chính, Viễn thông", "19.SKHCN.BCVT"),
    ],
)
def test_office_names_match(name, code):
    assert UnitMatcher(OFFICES).match(name) == code
    assert resolve_units(name, UNITS, OFFICES).codes == (code,)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Phòng CĐS", ("19.SKHCN.CDS",)),
        ("P. CĐS", ("19.SKHCN.CDS",)),
        ("phòng CDS", ("19.SKHCN.CDS",)),
        ("Phòng QLKH", ("19.SKHCN.QLKH",)),
        ("Phòng BCVT", ("19.SKHCN.BCVT",)),
        ("VP Sở", ("19.SKHCN.VP",)),
        ("VP Sở KH&CN", ("19.SKHCN.VP",)),
        ("Phòng CĐS; VP Sở", ("19.SKHCN.CDS", "19.SKHCN.VP")),
        # the department first, as a unit's header often writes it (refused as an unknown unit before)
        ("Sở Khoa học và Công nghệ - Văn phòng Sở", ("19.SKHCN.VP",)),
        ("Sở KH&CN - Phòng Chuyển đổi số", ("19.SKHCN.CDS",)),
        ("So Khoa hoc va Cong nghe - Van phong So", ("19.SKHCN.VP",)),
        ("Sở KHCN / Phòng QLKH", ("19.SKHCN.QLKH",)),
        ("Sở Y tế - Phòng Chuyển đổi số", ()),  # another department's office: not this one's
    ],
)
def test_offices_short_names_as_offices_write_them(text, codes):
    assert resolve_units(text, UNITS, OFFICES).codes == codes


def test_a_short_name_two_offices_share_matches_neither():
    from dataclasses import replace

    technology = replace(OFFICES[3], code="19.SKHCN.QLCNG", name="Phòng Quản lý Công nghệ", aliases=())
    offices = (*OFFICES, technology)
    shared = resolve_units("Phòng QLCN", UNITS, offices)
    assert shared.codes == () and shared.unmatched == ("Phòng QLCN",)
    assert resolve_units("Phòng Quản lý Công nghệ", UNITS, offices).codes == ("19.SKHCN.QLCNG",)
    assert resolve_units("Phòng Quản lý Chuyên ngành", UNITS, offices).codes == ("19.SKHCN.QLCN",)


@pytest.mark.parametrize(("task", "lead", "collaborators"), SEED, ids=[f"task{s[0]}" for s in SEED])
def test_the_13_seed_tasks(task, lead, collaborators):
    for text in (lead, collaborators):
        result = resolve_units(text, UNITS, OFFICES)
        codes, collective = EXPECTED[text]
        assert (result.codes, result.collective, result.unmatched) == (codes, collective, ())


def test_collective_phrases():
    everyone = resolve_units(EVERYONE_TEXT, UNITS, OFFICES)
    assert len(everyone.codes) == 107 and len(set(everyone.codes)) == 107
    assert resolve_units("Các sở, ban, ngành, UBND cấp xã", UNITS, OFFICES).codes == everyone.codes
    assert resolve_units("UBND các xã, phường", UNITS, OFFICES).codes == LOCALS
    assert resolve_units("các phòng, đơn vị trực thuộc Sở", UNITS, OFFICES).codes == ALL_OFFICES
    assert resolve_units("Các phòng chuyên môn thuộc Sở", UNITS, OFFICES).codes == PHONG
    assert {p.phrase for p in load_collective_phrases()} == {
        "Các phòng, đơn vị thuộc Sở",
        "Các phòng chuyên môn",
        "Các sở, ban, ngành",
        "UBND cấp xã",
    }


def test_collective_phrases_saved_by_excel_with_semicolons_read_as_with_commas(tmp_path):
    import csv

    with COLLECTIVE_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    path = tmp_path / "collective_units.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    assert load_collective_phrases(path) == load_collective_phrases()


def test_several_units_in_one_cell_in_order_of_appearance():
    result = resolve_units("Sở Văn hóa, Thể thao và Du lịch, Sở Y tế và Văn phòng Sở;\n- Xã Đồng Hỷ", UNITS, OFFICES)
    assert result.codes == ("19.SVHTTDL", "19.SYT", "19.SKHCN.VP", "05692")
    assert result.unmatched == () and result.collective == ()
    # a unit named again inside a collective phrase is listed once, where it first appears
    again = resolve_units("Phòng Chuyển đổi số; Các phòng, đơn vị thuộc Sở", UNITS, OFFICES)
    assert again.codes == ("19.SKHCN.CDS", "19.SKHCN.VP", "19.SKHCN.QLKH", "19.SKHCN.QLCN", "19.SKHCN.BCVT")


def test_unknown_names_are_kept_verbatim_with_a_suggestion_never_a_code():
    result = resolve_units("Văn phòng Sở, Phòng Chuyển đổi sốs; Phòng Tổ chức cán bộ", UNITS, OFFICES)
    assert result.codes == ("19.SKHCN.VP",)
    assert result.unmatched == ("Phòng Chuyển đổi sốs", "Phòng Tổ chức cán bộ")
    assert result.suggestions == ("Phòng Chuyển đổi số", None)
    assert result.messages() == (
        "Không xác định được đơn vị 'Phòng Chuyển đổi sốs' trong danh mục đơn vị (có phải 'Phòng Chuyển đổi số'?).",
        "Không xác định được đơn vị 'Phòng Tổ chức cán bộ' trong danh mục đơn vị.",
    )
    typo = resolve_units("Sở Văn hóa, Thể thao và Du lịchh", UNITS, OFFICES)
    assert typo.codes == () and typo.unmatched == ("Sở Văn hóa, Thể thao và Du lịchh",)
    assert typo.suggestions == ("Sở Văn hóa, Thể thao và Du lịch",)


@pytest.mark.parametrize("text", [None, "", "  ", ";"])
def test_empty_cells_name_no_unit(text):
    result = resolve_units(text, UNITS, OFFICES)
    assert (result.codes, result.unmatched, result.collective) == ((), (), ())


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # The office named with its own department, as progress reports' "Đơn vị báo cáo" write it.
        ("Phòng Chuyển đổi số - Sở Khoa học và Công nghệ", "19.SKHCN.CDS"),
        ("Phòng Chuyển đổi số, Sở Khoa học và Công nghệ", "19.SKHCN.CDS"),  # not the office and its department
        ("Phòng Chuyển đổi số (Sở KH&CN)", "19.SKHCN.CDS"),
        ("Phòng Chuyển đổi số Sở KHCN", "19.SKHCN.CDS"),
        ("Phòng Quản lý Khoa học thuộc Sở Khoa học và Công nghệ tỉnh Thái Nguyên", "19.SKHCN.QLKH"),
        ("Phòng Bưu chính, Viễn thông, Sở KH&CN", "19.SKHCN.BCVT"),
        ("Văn phòng Sở KH&CN", "19.SKHCN.VP"),  # the department's abbreviations as for the department itself
        ("Văn phòng Sở KHCN", "19.SKHCN.VP"),
        ("Văn phòng Sở - Sở Khoa học và Công nghệ", "19.SKHCN.VP"),
        ("P. Chuyển đổi số", "19.SKHCN.CDS"),  # "P." before an office's name (no ward of that name) is "Phòng"
        ("P. Chuyển đổi số - Sở KH&CN", "19.SKHCN.CDS"),
        ("P. Phan Đình Phùng", "05443"),  # before a ward's name (no office of that name) it is still "Phường"
    ],
)
def test_an_office_named_with_its_own_department_is_the_office(name, code):
    result = resolve_units(name, UNITS, OFFICES)
    assert (result.codes, result.unmatched) == ((code,), ())


def test_an_office_with_another_department_or_in_a_list_is_not_guessed():
    other = resolve_units("Phòng Chuyển đổi số - Sở Tài chính", UNITS, OFFICES)
    assert other.codes == () and other.unmatched == ("Phòng Chuyển đổi số - Sở Tài chính",)
    # Inside a list of units a comma separates units: the office and the department are both named.
    listed = resolve_units("Sở Nội vụ, Văn phòng Sở, Sở Khoa học và Công nghệ", UNITS, OFFICES)
    assert listed.codes == ("19.SNV", "19.SKHCN.VP", "19.SKHCN")
    assert resolve_units("Văn phòng Sở; Sở KH&CN", UNITS, OFFICES).codes == ("19.SKHCN.VP", "19.SKHCN")


def test_p_dot_that_could_be_an_office_or_a_ward_is_neither():
    from dataclasses import replace

    offices = (*OFFICES, replace(OFFICES[1], code="19.SKHCN.PDP", name="Phòng Phan Đình Phùng"))
    result = resolve_units("P. Phan Đình Phùng", UNITS, offices)
    assert result.codes == () and result.unmatched == ("P. Phan Đình Phùng",)
    assert resolve_units("Phường Phan Đình Phùng", UNITS, offices).codes == ("05443",)
    assert resolve_units("Phòng Phan Đình Phùng", UNITS, offices).codes == ("19.SKHCN.PDP",)


def test_a_progress_report_from_an_office_named_with_its_department_is_read_for_the_office(tmp_path):
    from datetime import date

    from tests.excel_files import write_xlsx
    from warehouse.tasks import read_reports

    head = ["Số TT nhiệm vụ", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Ngày hoàn thành"]
    units = {
        "cds.xlsx": "Phòng Chuyển đổi số - Sở Khoa học và Công nghệ",
        "cds2.xlsx": "Phòng Chuyển đổi số, Sở Khoa học và Công nghệ",
        "cds3.xlsx": "Phòng Chuyển đổi số (Sở KH&CN)",
        "cds4.xlsx": "P. Chuyển đổi số",
        "vp.xlsx": "Văn phòng Sở KH&CN",
    }
    (tmp_path / "tien_do").mkdir()
    for name, unit in units.items():
        grid = [["BÁO CÁO TIẾN ĐỘ"], ["Đơn vị báo cáo:", unit], ["Kỳ báo cáo:", "Quý I/2026"], ["Ngày báo cáo:", "05/04/2026"]]
        write_xlsx(tmp_path / "tien_do" / name, [*grid, [], head, ["6", "Đang triển khai", 30]], "Báo cáo")
    reports = read_reports(tmp_path, units=UNITS, offices=OFFICES, known={2026: {"6"}}, today=date(2026, 4, 6))
    read = {r.path.name: (r.unit_code, [i.rule for i in r.issues if i.blocking]) for r in reports}
    assert read == {
        "cds.xlsx": ("19.SKHCN.CDS", []),
        "cds2.xlsx": ("19.SKHCN.CDS", []),
        "cds3.xlsx": ("19.SKHCN.CDS", []),
        "cds4.xlsx": ("19.SKHCN.CDS", []),
        "vp.xlsx": ("19.SKHCN.VP", []),
    }
