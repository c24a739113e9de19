"""Any of the 34 provinces: master data (reviewed or default agency list, communes and wards from vietnam-provinces),
portal codes only from master data (a mapping file the province fills, validated), and matching that never takes a
unit of another province for one of ours, by its code prefix or by its "- Tỉnh X" suffix."""

import re
import unicodedata
from pathlib import Path

import pytest
from vietnam_provinces import Province

from common.units import (
    AGENCY,
    DEFAULT_LIST,
    PACKAGE,
    REVIEWED_CSV,
    MasterDataError,
    UnitMatcher,
    agency_list_source,
    apply_portal_codes,
    department_code,
    load_offices,
    load_units,
    master_data_notes,
    matcher_for,
    offices_missing_message,
    portal_province,
)
from sources.task_units import resolve_units
from tests.conftest import cp1258_bytes

PROVINCES = [p.name for p in Province.iter_all()]
# Xã Văn Lang exists in both provinces; Phú Thọ's portal numbers its communes H44.100 … (its own sequence).
VAN_LANG_TN, VAN_LANG_PT = "02143", "08134"


@pytest.mark.parametrize("province", PROVINCES)
def test_every_province_has_its_master_data(province):
    units = load_units(province)
    agencies = [u for u in units if u.group == AGENCY]
    locals_ = [u for u in units if u.group != AGENCY]
    assert len(agencies) >= 15 and len(locals_) >= 30  # Lai Châu has 38 communes and wards
    assert len({u.code for u in units}) == len(units)
    assert all(unicodedata.is_normalized("NFC", u.name) for u in units)
    assert {u.master_source for u in agencies} == {agency_list_source(province)}
    assert {u.master_source for u in locals_} == {PACKAGE}
    prefix = portal_province(province).portal_code
    assert all(u.portal_code is None or u.portal_code.startswith(prefix + ".") for u in units)
    matcher = matcher_for(province)
    # Every official name finds its unit, even where two differ only by a tone mark (Xã Tân Thành, Xã Tân Thạnh).
    assert [u.name for u in units if matcher.match(u.name) != u.code] == []
    assert department_code(province).endswith(".SKHCN")
    offices = load_offices(province)  # only Thái Nguyên's department lists its offices; the others have none
    assert (offices_missing_message(province) is None) == bool(offices)


def test_a_province_without_a_reviewed_list_gets_the_default_one_marked_as_such():
    units = load_units("Phú Thọ")
    agencies = {u.code: u for u in units if u.group == AGENCY}
    assert agency_list_source("Phú Thọ") == DEFAULT_LIST and agency_list_source("Thái Nguyên") == REVIEWED_CSV
    assert {"25.VPUBND", "25.SKHCN", "25.SNNMT", "25.SDTTG", "25.TTT", "25.BQLKCN"} <= agencies.keys()
    assert agencies["25.SKHCN"].name == "Sở Khoa học và Công nghệ"
    assert all(u.master_source == DEFAULT_LIST and u.portal_code is None for u in agencies.values())
    assert agencies["25.STC"].predecessors[1][0] == "Sở Kế hoạch và Đầu tư"  # last year's results still map
    notes = master_data_notes("Phú Thọ")
    assert any("MẶC ĐỊNH" in n and "masterdata/agencies/phu_tho.csv" in n for n in notes)
    assert not any("MẶC ĐỊNH" in n for n in master_data_notes("Thái Nguyên"))
    # A centrally-run city: "tỉnh" reads "thành phố".
    hanoi = {u.code: u.name for u in load_units("Hà Nội") if u.group == AGENCY}
    assert hanoi["01.VPUBND"] == "Văn phòng UBND thành phố" and hanoi["01.TTT"] == "Thanh tra thành phố"


def test_without_an_office_list_task_phrases_are_reported_not_dropped():
    assert load_offices("Phú Thọ") == ()
    message = offices_missing_message("Phú Thọ")
    assert message.startswith("Chưa có danh sách phòng, đơn vị thuộc Sở của Phú Thọ")
    assert "masterdata/offices/phu_tho.csv" in message
    assert offices_missing_message("Thái Nguyên") is None and len(load_offices("Thái Nguyên")) == 5
    res = resolve_units("Các phòng chuyên môn; Sở Y tế", load_units("Phú Thọ"), load_offices("Phú Thọ"))
    assert res.codes == ("25.SYT",) and res.empty == ("Các phòng chuyên môn",)
    assert any("'Các phòng chuyên môn' không ứng với đơn vị nào" in m for m in res.messages())


@pytest.mark.parametrize(
    "name",
    [
        "UBND xã Văn Lang - Tỉnh Phú Thọ",
        "Xã Văn Lang tỉnh Phú Thọ",
        "Tỉnh Phú Thọ - UBND xã Văn Lang",
        "Ủy ban nhân dân xã Văn Lang, tỉnh Phú Thọ",
        "xa van lang - tinh phu tho",
        "Văn Lang - Tỉnh Phú Thọ",
    ],
)
def test_a_same_name_commune_of_another_province_is_never_ours_by_its_name(name):
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match(name) is None and matcher.match_portal(None, name) is None
    assert matcher.match_portal("H55.140", name) is None  # our prefix does not make it ours
    assert matcher.other_province(None, name) == "Phú Thọ"
    assert matcher.suggest(name) is None  # no "Có phải 'Xã Văn Lang'?" either
    assert matcher_for("Phú Thọ").other_province(None, name) is None


def test_phu_tho_takes_its_own_suffix_as_thai_nguyen_does():
    assert matcher_for("Phú Thọ").match("UBND xã Văn Lang - Tỉnh Phú Thọ") == VAN_LANG_PT
    assert matcher_for("Phú Thọ").match("UBND xã Văn Lang - Tỉnh Thái Nguyên") is None


def test_a_same_name_commune_of_another_province_is_never_ours_by_its_code():
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match_portal("H44.132", "Xã Văn Lang") is None
    assert matcher.other_province("H44.132", "Xã Văn Lang") == "Phú Thọ"
    assert matcher.other_province("H44", None) == "Phú Thọ"  # the province's own row
    assert matcher_for("Phú Thọ").match_portal("H55.140", "Xã Văn Lang") is None
    assert matcher_for("Phú Thọ").other_province("H55.140", None) == "Thái Nguyên"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (None, "Xã Văn Lang"),
        (None, "UBND xã Văn Lang - Tỉnh Thái Nguyên"),
        ("H55.140", "Xã Văn Lang"),
        ("H55", "Văn Lang"),
        (None, "Xã Văn Lang, tỉnh Thái Nguyên"),
    ],
)
def test_the_own_province_forms_still_match(code, name):
    matcher = matcher_for("Thái Nguyên")
    assert matcher.other_province(code, name) is None
    assert matcher.match_portal(code, name) == VAN_LANG_TN


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("UBND xã Lâm Thao - Tỉnh Phú Thọ", "08494"),
        ("Sở Công Thương - Tỉnh Phú Thọ", "25.SCT"),
        ("UBND Phường Việt Trì", "07900"),
        ("Văn phòng UBND Tỉnh - Tỉnh Phú Thọ", "25.VPUBND"),
        ("Thanh tra tỉnh Phú Thọ", "25.TTT"),
    ],
)
def test_real_portal_names_of_phu_tho_match_its_units(name, code):
    assert matcher_for("Phú Thọ").match_portal(None, name) == code


def test_a_commune_named_after_a_province_is_not_taken_for_that_province():
    # Phường Phú Thọ is in Thành phố Hồ Chí Minh and in Phú Thọ: only a "tỉnh"/"thành phố" word names a province.
    hcm, phu_tho = matcher_for("Hồ Chí Minh"), matcher_for("Phú Thọ")
    assert hcm.match("UBND Phường Phú Thọ") == "27226" and phu_tho.match("UBND Phường Phú Thọ") == "07942"
    assert hcm.match("Phường Phú Thọ - TP Hồ Chí Minh") == "27226"
    assert phu_tho.match("Phường Phú Thọ - Thành phố Hồ Chí Minh") is None
    assert phu_tho.other_province(None, "Phường Phú Thọ - Thành phố Hồ Chí Minh") == "Thành phố Hồ Chí Minh"


def _mapping(folder: Path, *rows: str, header: str = "unit_code,portal_code,department_id") -> Path:
    path = folder / "phu_tho.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_portal_sequence_codes_from_a_mapping_file_match(tmp_path):
    path = _mapping(tmp_path, f"{VAN_LANG_PT},H44.132,dep-van-lang", "07900,H44.100,", "25.SCT,H44.07,")
    units = {u.code: u for u in apply_portal_codes(load_units("Phú Thọ"), path)}
    assert (units[VAN_LANG_PT].portal_code, units[VAN_LANG_PT].department_id) == ("H44.132", "dep-van-lang")
    assert units["25.SCT"].portal_code == "H44.07" and units["08494"].portal_code is None
    matcher = UnitMatcher(units.values())
    assert matcher.match_portal("H44.132", "UBND xã Văn Lang (tên cũ)") == VAN_LANG_PT
    assert matcher.match_portal("H44.100", None) == "07900"
    assert matcher.match_portal(None, "UBND xã Văn Lang (tên cũ)", department_id="dep-van-lang") == VAN_LANG_PT
    assert matcher.match_portal("H44.200", "UBND xã Lâm Thao - Tỉnh Phú Thọ") == "08494"  # not in the file: by name


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (("99999,H44.100,",), "dòng 2: mã đơn vị '99999' không có trong danh mục đơn vị của Phú Thọ"),
        (("02143,H44.100,",), "dòng 2: mã đơn vị '02143'"),  # Thái Nguyên's Văn Lang
        ((f"{VAN_LANG_PT},H44.132,", f"{VAN_LANG_PT},H44.133,"), "dòng 3: đơn vị '08134' đã có dòng trước đó (dòng 2)"),
        ((f"{VAN_LANG_PT},H44.132,", "07900,H44.132,"), "dòng 3: mã Cổng 'H44.132' đã dùng cho đơn vị '08134'"),
        ((f"{VAN_LANG_PT},H44.132,x", "07900,H44.100,x"), "dòng 3: departmentId 'x' đã dùng cho đơn vị '08134'"),
        ((f"{VAN_LANG_PT},H55.132,",), "dòng 2: mã Cổng 'H55.132' mang tiền tố H55 của Thái Nguyên, không phải H44"),
        ((f"{VAN_LANG_PT},132,",), "dòng 2: mã Cổng '132' không có dạng H44.<số>"),
        ((f"{VAN_LANG_PT},,",), "dòng 2: thiếu mã Cổng"),
    ],
)
def test_a_bad_mapping_file_is_a_clear_error_naming_the_file_and_line(tmp_path, rows, expected):
    path = _mapping(tmp_path, *rows)
    with pytest.raises(MasterDataError, match=re.escape("phu_tho.csv")) as err:
        apply_portal_codes(load_units("Phú Thọ"), path)
    assert expected in str(err.value)


def test_a_mapping_file_without_its_columns_is_refused(tmp_path):
    path = _mapping(tmp_path, "08134;H44.132", header="ma;ma_cong")
    with pytest.raises(MasterDataError, match="thiếu cột unit_code, portal_code"):
        apply_portal_codes(load_units("Phú Thọ"), path)


def test_a_mapping_cannot_contradict_the_agency_csv(tmp_path):
    path = tmp_path / "thai_nguyen.csv"
    path.write_text("unit_code,portal_code\n19.SKHCN,H55.99\n19.SYT,H55.10\n", encoding="utf-8")
    with pytest.raises(MasterDataError, match=re.escape("dòng 2: '19.SKHCN' đã có mã Cổng 'H55.08'")):
        apply_portal_codes(load_units("Thái Nguyên"), path)
    path.write_text("unit_code,portal_code\n19.SYT,H55.10\n05443,H55.08\n", encoding="utf-8")
    with pytest.raises(MasterDataError, match=re.escape("dòng 3: mã Cổng 'H55.08' đã dùng cho đơn vị '19.SKHCN'")):
        apply_portal_codes(load_units("Thái Nguyên"), path)


AGENCY_HEADER = "code,name,kind,portal_code,aliases,predecessors\n"


def _read_thai_nguyen_agencies(path: Path):
    from common.units import _province, _read_agencies

    return _read_agencies(path, _province("Thái Nguyên"), default=False)


def test_two_agencies_with_one_portal_code_are_refused(tmp_path):
    path = tmp_path / "thai_nguyen.csv"
    path.write_text(AGENCY_HEADER + "19.SNV,Sở Nội vụ,so,H55.02,,\n19.STP,Sở Tư pháp,so,H55.02,,\n", encoding="utf-8")
    with pytest.raises(MasterDataError) as err:
        _read_thai_nguyen_agencies(path)
    message = str(err.value)
    assert "thai_nguyen.csv dòng 3" in message and "'H55.02'" in message and "'19.SNV' (dòng 2)" in message


def test_an_agency_csv_saved_in_windows_1258_is_read(tmp_path):
    path = tmp_path / "thai_nguyen.csv"
    text = AGENCY_HEADER + "19.STP,Sở Tư pháp,so,H55.03,Sở TP,\n"
    path.write_bytes(cp1258_bytes(text))
    (agency,) = _read_thai_nguyen_agencies(path)
    assert (agency.code, agency.name, agency.portal_code, agency.aliases) == ("19.STP", "Sở Tư pháp", "H55.03", ("Sở TP",))


def _as_excel_saves(rows: list[list[str]], delimiter: str) -> str:
    """A CSV as Excel writes it with the regional list separator: ';' in Vietnamese/European settings, a tab for
    "Text (Tab delimited)"; a field holding the separator quoted."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


AGENCY_ROWS = [
    ["code", "name", "kind", "portal_code", "aliases", "predecessors"],
    ["19.STC", "Sở Tài chính", "so", "H55.04", "STC", "Sở Tài chính|Sở Kế hoạch và Đầu tư;Sở KH&ĐT"],
    ["19.STP", "Sở Tư pháp", "so", "H55.03", "Sở TP", ""],
]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_an_agency_list_saved_by_excel_with_semicolons_or_tabs_reads_as_with_commas(tmp_path, delimiter):
    # Excel on a Vietnamese Windows saves "CSV" with ';': it read as one column, "thiếu mã hoặc tên cơ quan".
    (tmp_path / "comma").mkdir()
    commas = tmp_path / "comma" / "thai_nguyen.csv"
    commas.write_text(_as_excel_saves(AGENCY_ROWS, ","), encoding="utf-8")
    path = tmp_path / "thai_nguyen.csv"
    path.write_bytes(cp1258_bytes(_as_excel_saves(AGENCY_ROWS, delimiter)))
    agencies = _read_thai_nguyen_agencies(path)
    assert agencies == _read_thai_nguyen_agencies(commas)
    assert [(a.code, a.portal_code, a.aliases) for a in agencies] == [
        ("19.STC", "H55.04", ("STC",)),
        ("19.STP", "H55.03", ("Sở TP",)),
    ]
    assert agencies[0].predecessors == (("Sở Tài chính",), ("Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"))


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_mapping_file_with_semicolons_or_tabs_is_read(tmp_path, delimiter):
    rows = [["Unit_Code ", "portal_code", "department_id"], [VAN_LANG_PT, "H44.132", "dep-van-lang"], ["07900", "H44.100", ""]]
    path = tmp_path / "phu_tho.csv"
    path.write_text(_as_excel_saves(rows, delimiter), encoding="utf-8-sig")
    units = {u.code: u for u in apply_portal_codes(load_units("Phú Thọ"), path)}
    assert (units[VAN_LANG_PT].portal_code, units[VAN_LANG_PT].department_id) == ("H44.132", "dep-van-lang")
    assert units["07900"].portal_code == "H44.100"


def test_a_list_whose_header_still_does_not_read_names_the_separator(tmp_path):
    path = tmp_path / "thai_nguyen.csv"
    path.write_text("ma;ten;loai\n19.STP;Sở Tư pháp;so\n", encoding="utf-8")
    with pytest.raises(MasterDataError) as err:
        _read_thai_nguyen_agencies(path)
    message = str(err.value)
    assert "thai_nguyen.csv: thiếu cột code, name" in message and "dòng 2" not in message
    assert "'ma;ten;loai' có dấu chấm phẩy: kiểm tra dấu phân cách cột" in message
