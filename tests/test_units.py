"""Master data of units, name matching and Vietnamese text."""

import unicodedata

import pytest

from common.units import AGENCY, COMMUNE, WARD, load_units, matcher_for
from common.vntext import match_key, nfc, sort_key
from common.workdays import add_working_days, is_working_day, working_days_between


def test_thai_nguyen_has_92_communes_and_wards_and_its_agencies():
    units = load_units("Thái Nguyên")
    groups = [u.group for u in units]
    assert groups.count(COMMUNE) + groups.count(WARD) == 92
    assert groups.count(WARD) == 15 and groups.count(AGENCY) == 15
    assert len({u.code for u in units}) == len(units)
    assert all(unicodedata.is_normalized("NFC", u.name) for u in units)
    assert {"Sở Khoa học và Công nghệ", "Phường Phan Đình Phùng", "Xã Đồng Hỷ"} <= {u.name for u in units}


def test_province_is_a_setting_and_an_unknown_province_is_a_clear_error():
    assert load_units("tinh thai nguyen") == load_units("Thái Nguyên")
    assert load_units("Hà Nội")[0].master_source == "default_list"  # no reviewed list: the default one (test_provinces)
    with pytest.raises(ValueError, match="Không tìm thấy tỉnh"):
        load_units("Tỉnh Không Có")
    # "TP Hà Nội" as unit names write it; a province merged in 2025 names the one it is part of
    assert load_units("TP. Hà Nội") == load_units("Hà Nội")
    with pytest.raises(ValueError, match=r"'Bắc Giang' đã hợp nhất vào Bắc Ninh.*CCHC_PROVINCE='Bắc Ninh'"):
        load_units("Bắc Giang")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Phường Phan Đình Phùng", "05443"),
        ("UBND Phường Phan Đình Phùng", "05443"),
        ("Ủy ban nhân dân phường  Phan Đình Phùng", "05443"),
        ("phuong phan dinh phung", "05443"),
        ("P. Phan Đình Phùng", "05443"),
        ("Sở Y tế - Tỉnh Thái Nguyên", "19.SYT"),
        ("Sở Khoa học và công nghệ tỉnh Thái Nguyên", "19.SKHCN"),
        ("Sở KH&CN", "19.SKHCN"),
        ("Sở Thông tin và Truyền thông", "19.SKHCN"),  # merged into Sở KH&CN in 2025
        ("Xã Đồng Hỷ", "05692"),
        ("Xa Dong Hy", "05692"),
        (unicodedata.normalize("NFD", "Xã Đồng Hỷ"), "05692"),
    ],
)
def test_names_match_codes_whatever_the_diacritics_spacing_or_prefix(name, code):
    assert matcher_for("Thái Nguyên").match(name) == code


def test_unknown_names_never_match_but_get_a_suggestion():
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match("Xã Không Tồn Tại") is None
    assert matcher.match("") is None and matcher.match(None) is None
    assert matcher.suggest("Phường Phan Đình Phùngg") == "Phường Phan Đình Phùng"
    assert matcher.suggest("Hoàn toàn khác") is None


def test_portal_codes_match_first_then_names():
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match_portal("H55.08", "tên sai") == "19.SKHCN"
    assert matcher.match_portal("H99.99", "Sở Y tế") == "19.SYT"  # a prefix of no province: the name decides
    assert matcher.match_portal("H55.140", "Xã Đồng Hỷ") == "05692"  # a commune code master data does not know
    assert matcher.match_portal("H44.08", "Sở Y tế") is None  # Phú Thọ's prefix: never one of ours


def test_commune_portal_codes_are_never_derived_from_the_ward_code():
    units = load_units("Thái Nguyên")
    assert all(u.portal_code is None for u in units if u.group != AGENCY)  # no masterdata/portal_codes/thai_nguyen.csv
    assert all(u.portal_code.startswith("H55.") for u in units if u.group == AGENCY)  # the reviewed CSV's column


def test_text_helpers():
    assert nfc("  Thu\u0309y  ") == "Thủy"
    assert match_key("Thuỷ") == match_key("Thủy") == "thuy"
    names = ["Yên Bình", "Đồng Hỷ", "Dân Tiến", "An Khánh", "Ân Thi", "Ba Bể", "Bá Xuyên"]
    assert sorted(names, key=sort_key) == ["An Khánh", "Ân Thi", "Ba Bể", "Bá Xuyên", "Dân Tiến", "Đồng Hỷ", "Yên Bình"]


def test_an_eth_typed_for_d_with_stroke_is_that_letter():
    # Some keyboards and fonts give the Icelandic Ð (U+00D0) for Đ: it never decomposes, so 11 units with Đ in
    # their name matched nothing and sorted after 'Z'.
    matcher = matcher_for("Thái Nguyên")
    assert nfc("Xã Ðại Phúc") == "Xã Đại Phúc" and nfc("xã ðại phúc") == "xã đại phúc"
    assert matcher.match("Xã Ðại Phúc") == matcher.match("Xã Đại Phúc") is not None
    assert matcher.match("Phường Phan Ðình Phùng") == matcher.match("Phường Phan Đình Phùng") is not None
    assert sorted(["Xã Zin", "Xã Ðại", "Xã Dân"], key=sort_key) == ["Xã Dân", "Xã Ðại", "Xã Zin"]


def test_working_days_follow_vietnamese_holidays():
    from datetime import date

    assert not is_working_day(date(2026, 9, 2))  # National Day
    assert not is_working_day(date(2026, 2, 17))  # Tết
    assert not is_working_day(date(2026, 1, 3))  # Saturday
    assert is_working_day(date(2026, 1, 5))
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1  # Tết week: only Mon 23/2
    assert add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)  # 30/4 and 1/5, then the weekend


def test_letters_with_breve_decide_before_diacritic_free_matching():
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match("Xã Văn Lang") == "02143"
    assert matcher.match("UBND xã Văn Lăng") == "05665"
    assert matcher.match("xa van lang") is None  # two communes fit: reported, never guessed
    assert matcher.match("Uỷ ban nhân dân Xã Văn Lang") == "02143"  # old tone placement


def test_letters_a_name_marks_must_be_the_units_when_matched_without_diacritics():
    """'Xã Xuân Đường' (a commune only Đồng Nai has) was loaded as Xã Xuân Dương, 'Xã Lâm Vỹ' as Xã Lam Vỹ: a name
    matched without its diacritics keeps the letters it marks (ă â đ ê ô ơ ư); unmarked letters match any."""
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match("Xã Xuân Đường") is None and matcher.other_province_of_row(None, "Xã Xuân Đường") == "Đồng Nai"
    assert matcher.match("Xã Lâm Vỹ") is None and matcher.match("Xã Bằng Văn") is None
    assert matcher.match("Xã Xuân Dương") == matcher.match("xa xuan duong") == matcher.match("Xa Xuan Duong") == "02191"
    assert matcher.suggest("Xã Lâm Vỹ") == "Xã Lam Vỹ"  # told, never loaded


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Xã Lam Vĩ", "05542"),  # i for y, one sound
        ("Xã Đồng Hỉ", "05692"),
        ("Xã Tân Kì", "02104"),
        ("Sở Khoa học & Công nghệ", "19.SKHCN"),  # "&" between words is "và"
        ("Sở Khoa học - Công nghệ", "19.SKHCN"),  # and so is " - " (a connector counts for nothing)
        ("Sở KH và CN", "19.SKHCN"),  # "Sở KH&CN" with "và"
        ("Sở Giáo dục - Đào tạo", "19.SGDDT"),
        ("Sở NN và MT", "19.SNNMT"),
        ("SKHCN", "19.SKHCN"),  # aliases of masterdata/agencies: the code-style abbreviation
        ("Ban QL các KCN", "19.BQLKCN"),
        ("CA tỉnh", "19.CAT"),
        ("so ld-tb&xh", "19.SNV"),  # inside an abbreviation it stays
        ("Xã Ba Bể - Tỉnh Bắc Kạn", "01906"),  # a commune of the former province merged in 2025
        ("UBND xã Chợ Rã tỉnh Bắc Kạn", "01912"),
        ("Phường Đức Xuân, tỉnh Bắc Kạn", "01840"),
        ("Phường Phan Đình Phùng (TP Thái Nguyên cũ)", "05443"),  # where it was before 2025: not its name
        ("Phường Vạn Xuân (Thị xã Phổ Yên cũ)", "05890"),
    ],
)
def test_spelling_variants_offices_and_communes_write(name: str, code: str) -> None:
    assert matcher_for("Thái Nguyên").match(name) == code


def test_a_suggestion_is_the_unit_of_that_name_whatever_its_kind_and_none_when_two_fit() -> None:
    matcher = matcher_for("Thái Nguyên")
    assert matcher.suggest("Xã Vạn Xuân") == "Phường Vạn Xuân"  # was 'Xã Văn Hán'
    assert matcher.suggest("Xã Trung Thành") == "Phường Trung Thành"  # was 'Xã Tân Thành'
    assert matcher.suggest("xa van lang") is None  # Văn Lang or Văn Lăng: not one of them


def test_a_bare_name_two_communes_fit_without_diacritics_matches_neither():
    matcher = matcher_for("Thái Nguyên")
    assert (matcher.match("Văn Lang"), matcher.match("Văn Lăng")) == ("02143", "05665")  # bare names, spelt exactly
    assert matcher.match("Van Lang") is None and matcher.match("VAN LANG") is None  # Văn Lang or Văn Lăng: not guessed
    assert matcher.match("Phan Dinh Phung") == "05443"  # a bare name only one unit fits still matches


def test_predecessors_are_the_agencies_of_last_year_and_aliases_only_spell_the_current_one():
    units = {u.code: u for u in load_units("Thái Nguyên")}
    assert units["19.SNNMT"].aliases == ("Sở NN&MT",)
    assert units["19.SNNMT"].predecessors == (
        ("Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT", "Sở Nông nghiệp và PTNT"),
        ("Sở Tài nguyên và Môi trường", "Sở TN&MT"),
    )
    assert units["19.SDTTG"].aliases == () and units["19.SDTTG"].last_year_units == (("Ban Dân tộc", "Ban Dân tộc tỉnh"),)
    assert [p[0] for p in units["19.VPUBND"].last_year_units] == ["Văn phòng UBND tỉnh", "Sở Ngoại vụ"]
    assert "Sở Ngoại vụ" not in units["19.VPUBND"].aliases
    # No predecessors: the agency is its own last-year unit, under its name and aliases.
    assert units["19.SVHTTDL"].predecessors == ()
    assert units["19.SVHTTDL"].last_year_units == (("Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL", "Sở VH-TT&DL"),)
    assert units["05443"].predecessors == () and units["05443"].last_year_units == (("Phường Phan Đình Phùng",),)
    merged = {code for code, u in units.items() if len(u.last_year_units) > 1}
    assert merged == {"19.VPUBND", "19.SNV", "19.STC", "19.SNNMT", "19.SXD", "19.SKHCN"}
    spellings = [s for u in units.values() for p in u.predecessors for s in p]
    assert spellings and all(unicodedata.is_normalized("NFC", s) for s in spellings)


def test_every_predecessor_spelling_still_matches_the_current_agency():
    matcher = matcher_for("Thái Nguyên")
    for unit in load_units("Thái Nguyên"):
        for name in (unit.name, *unit.aliases, *(s for p in unit.predecessors for s in p)):
            assert matcher.match(name) == unit.code, name
    assert matcher.match("Sở KHĐT") == "19.STC"
    assert matcher.match("Sở Ngoại vụ tỉnh Thái Nguyên") == "19.VPUBND"
    assert matcher.match("Ban Dân tộc tỉnh Thái Nguyên") == "19.SDTTG"
    assert matcher.match("so ld-tb&xh") == matcher.match("Sở LĐTBXH") == "19.SNV"


def test_loading_the_units_alone_gives_them_their_vietnamese_sort_keys():
    """Rerunning only the master data (masterdata_refresh) rewrote dim_unit with NULL sort keys until a later step
    labelled them: the table must not depend on which job ran last."""
    import duckdb

    from common.units import load_units
    from warehouse import tthc
    from warehouse.schema import ensure_schema

    con = duckdb.connect()
    ensure_schema(con)
    tthc.load_units(con, load_units("Thái Nguyên"))
    keys = dict(con.execute("SELECT unit_name, sort_key FROM dim_unit").fetchall())
    assert None not in keys.values() and len(keys) > 100
    ordered = [n for n, _ in sorted(keys.items(), key=lambda kv: kv[1])]
    assert ordered.index("Xã Đại Phúc") > ordered.index("Xã Dân Tiến")  # Đ after D


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("UBND P. Phan Đình Phùng", "05443"),  # "P." after the council's prefix, not only at the very start
        ("Ủy ban nhân dân P.Phan Đình Phùng", "05443"),
        ("UBND X. Đại Phúc", "05488"),
        ("P Phan Đình Phùng", "05443"),  # "P" without its dot before a ward's name
        ("UBND P Phan Đình Phùng", "05443"),
        ("p phan dinh phung", "05443"),
    ],
)
def test_abbreviated_ward_and_commune_after_the_council_prefix_or_without_the_dot(name, code):
    assert matcher_for("Thái Nguyên").match(name) == code


def test_a_p_without_its_dot_is_phuong_only_before_a_ward_name():
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match("P Đại Phúc") is None  # Đại Phúc is a commune (xã): "P" is not "Phường" there
    assert matcher.match("P Sở Y tế") is None and matcher.match("P Văn Lang") is None
    assert matcher.match("P Phan Đình Phùng - Tỉnh Phú Thọ") is None  # another province's suffix still matches nothing
    assert matcher.match("Phường Phan Đình Phùng") == "05443" and matcher.match("Sở Y tế") == "19.SYT"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Sở Khoa học và Công nghệ tỉnh Bắc Kạn", "19.SKHCN"),
        ("Sở Thông tin và Truyền thông tỉnh Bắc Kạn", "19.SKHCN"),  # Bắc Kạn's Sở TT&TT, merged like Thái Nguyên's
        ("Sở KH&CN Bắc Kạn", "19.SKHCN"),
        ("Sở Tài nguyên và Môi trường - Tỉnh Bắc Kạn", "19.SNNMT"),
        ("Sở Kế hoạch và Đầu tư tỉnh Bắc Kạn", "19.STC"),
        ("Văn phòng UBND tỉnh Bắc Kạn", "19.VPUBND"),
        ("Thanh tra tỉnh Bắc Kạn", "19.TTT"),
        ("Sở Y tế tỉnh Bắc Kạn", "19.SYT"),
    ],
)
def test_agencies_of_bac_kan_merged_into_thai_nguyen_match_their_successor(name, code):
    assert matcher_for("Thái Nguyên").match(name) == code


def test_only_agencies_of_the_provinces_merged_into_this_one_map_to_a_successor():
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match("Phường Bắc Kạn") == "01843"  # a ward of today named after the former province
    assert matcher.match("UBND thành phố Bắc Kạn") is None  # a district-level town: no successor in master data
    assert matcher.match("Sở Khoa học và Công nghệ tỉnh Hà Giang") is None  # Hà Giang merged into Tuyên Quang
    assert matcher_for("Tuyên Quang").match("Sở Khoa học và Công nghệ tỉnh Hà Giang") == "08.SKHCN"
    assert matcher.match("Sở Khoa học và Công nghệ tỉnh Phú Thọ") is None


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        ("Xã Văn Lãng", None),  # Lạng Sơn's, or ours with a tone (Văn Lang and Văn Lăng equally close: no suggestion)
        ("UBND xã Văn Lãng", None),
        ("Xã Quảng Sơn", "Xã Quang Sơn"),  # Lâm Đồng's
        ("Xã Cẩm Giang", "Xã Cẩm Giàng"),  # Hải Phòng's
        ("Xã Định Hòa", "Xã Định Hóa"),  # Thanh Hóa's and An Giang's
        ("Xã Tân Thanh", "Xã Tân Thành"),  # Tuyên Quang's and Ninh Bình's
    ],
)
def test_another_provinces_commune_differing_from_ours_only_by_a_tone_is_not_guessed(name, ours):
    """Matching without tones gave correctly spelled communes of other provinces a Thái Nguyên code: "Xã Văn Lãng"
    (Lạng Sơn) was Xã Văn Lang. With its tones written, a name that is exactly other provinces' units and none of
    ours matches nothing: ours is offered as a suggestion, and the row is not said to be the other province's
    either (ours with a tone left out is as likely)."""
    matcher = matcher_for("Thái Nguyên")
    assert matcher.match(name) is None and matcher.suggest(name) == ours
    assert matcher.other_province_of_row(None, name) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Xã Văn Lang", "02143"),
        ("Xa Van Lang", None),  # without any mark: Văn Lang or Văn Lăng, never guessed
        ("Xã Định Hoá", "05569"),  # the old tone placement
        ("XÃ ĐỊNH HÓA", "05569"),
        ("Phường Phan Đình Phung", "05443"),  # a tone left out that names no unit anywhere still matches
        ("UB xã Đại Phúc", "05488"),  # "UB" for "UBND"
        ("Thị trấn Chợ Rã", "01912"),  # no town is left since 2025: the commune that continues it
        ("TT. Chợ Mới", "02086"),
        ("Thị trấn Phan Đình Phùng", None),  # a ward never was a town's successor here
        ("SNV", "19.SNV"),  # the short codes offices write
        ("STC", "19.STC"),
        ("Sở Nông nghiệp và PTNT", "19.SNNMT"),
        ("Sở Lao động TB&XH", "19.SNV"),
        ("BQL các KCN tỉnh", "19.BQLKCN"),
        ("Bắc Kạn", None),  # alone, the former province as often as the ward: never guessed
        ("Phường Bắc Kạn", "01843"),
    ],
)
def test_our_names_still_match_whatever_the_tone_placement_or_a_tone_left_out(name, code):
    assert matcher_for("Thái Nguyên").match(name) == code
