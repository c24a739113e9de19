"""QĐ 766 formulas against values computed by hand from methodology §3.3, ranking with ties, and the methodology
file's validation."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from scoring.qd766 import METHODOLOGY_DIR, MethodologyError, load_methodology, methodology_for, score_measures
from scoring.ranking import rank_within
from scoring.rules import Rule, points, ratio

M = methodology_for(date(2026, 1, 1))


def test_proportional_rule():
    rule = Rule("proportional", 6)
    assert points(rule, 45, 50) == pytest.approx(5.4)  # 6 × 90/100
    assert points(rule, 50, 50) == pytest.approx(6.0)
    assert ratio(rule, 45, 50) == pytest.approx(90.0)


def test_capped_rule_two_times_min_one_r_over_80():
    rule = Rule("target", 2, target=80)
    assert points(rule, 60, 100) == pytest.approx(1.5)  # 2 × min(1, 60/80)
    assert points(rule, 80, 100) == pytest.approx(2.0)
    assert points(rule, 95, 100) == pytest.approx(2.0)  # capped
    assert points(rule, 0, 100) == 0.0


def test_empty_and_null_denominators():
    petitions = Rule("proportional", 6, when_empty="full")
    assert points(petitions, 0, 0) == 6.0  # 5.2 / 5.3: full points when a unit has no petitions
    assert ratio(petitions, 0, 0) is None
    receiving = Rule("target", 6, target=90)
    assert points(receiving, 0, 0) == 0.0  # 5.4: no dossiers, no points
    assert points(receiving, None, 10) is None  # null is "not evaluated", never 0
    assert points(Rule("unresolved", 12), 5, 10) is None


def test_rule_configuration_errors():
    with pytest.raises(ValueError, match="target"):
        Rule("target", 2)
    with pytest.raises(ValueError, match="unknown rule"):
        Rule("log", 2)
    with pytest.raises(ValueError, match="unknown rule"):  # the old word is read from files only (with a warning)
        Rule("linear", 2)


def _measures(**overrides) -> dict:
    row = dict(
        period_label="2026-Q1",
        unit_code="X1",
        published=20,
        publish_on_time=18,
        public_update_on_time=19,
        content_full=20,
        dossiers=1000,
        synced=950,
        received=990,
        on_time=900,
        completed=800,
        processing_days=4000.0,
        online_dossiers=600,
        formalities=100,
        online_formalities=80,
        online_formalities_with_dossiers=40,
        fee_formalities=50,
        integrated_formalities=30,
        paid_formalities=45,
        fee_dossiers=400,
        paid_dossiers=100,
        petitions=10,
        petitions_on_time=8,
        petitions_satisfied=7,
        receiving_satisfied=850,
        e_results=400,
        digitised=700,
        e_copy_offering=1,
        e_copy_units=1,
        reused=500,
        personal_store=200,
        citizen_data=300,
        citizen_data_formalities=12,
        formalities_with_dossiers=30,
    )
    return row | overrides


# Every indicator with a known formula, by hand from the counts above (methodology §3.3).
HAND = {
    "1.1": 6 * 18 / 20,  # 5.40
    "1.2": 4 * 19 / 20,  # 3.80
    "1.3": 2 * 20 / 20,  # 2.00
    "1.4": 6 * 950 / 1000,  # 5.70
    "2.1": 20 * 900 / 990,  # 18.18
    "3.5a": 2 * min(1, 60 / 80),  # 30/50 = 60 % -> 1.50
    "3.5b": 2 * min(1, 90 / 80),  # 45/50 = 90 % -> capped at 2.00
    "3.6": 6 * 100 / 400,  # 1.50
    "5.2": 6 * 8 / 10,  # 4.80
    "5.3": 6 * 7 / 10,  # 4.20
    "5.4": 6 * min(1, (850 / 990 * 100) / 90),  # 85.86 % / 90 -> 5.72
    "4.1": 6 * 400 / 800,  # 3.00
    "4.2": 4 * 700 / 1000,  # 2.80
    "4.x": 2 * 1 / 1,  # 2.00
    "4.3": 2 * min(1, 50 / 80),  # 500/1000 = 50 % -> 1.25
    "4.4": 4 * 200 / 1000,  # 0.80
    "4.5b": 2 * 300 / 1000,  # 0.60
    "4.5a": 2 * 12 / 30,  # 0.80
}


def test_every_known_indicator_against_hand_values():
    indicators, units = score_measures(M, pd.DataFrame([_measures()]), {("2026-Q1", "X1", "DVCTT"): 8.56})
    got = dict(zip(indicators["indicator_code"], indicators["score"], strict=True))
    for code, expected in HAND.items():
        assert got[code] == pytest.approx(round(expected, 2)), code
    assert got["3"] == 8.56  # DVCTT: the portal's score, marked as such
    source = dict(zip(indicators["indicator_code"], indicators["source"], strict=True))
    assert source["3"] == "portal" and source["2.1"] == "local" and source["2.2"] == "info"
    days = indicators.set_index("indicator_code").loc["2.2"]
    assert days["ratio"] == pytest.approx(5.0) and pd.isna(days["score"])  # 4000 days / 800 completed

    unit = units.iloc[0]
    evaluation_groups = {  # the sum of the rounded metric scores
        "CKMB": [HAND[c] for c in ("1.1", "1.2", "1.3", "1.4")],
        "MDHL": [HAND[c] for c in ("5.2", "5.3", "5.4")],
        "SHHS": [HAND[c] for c in ("4.1", "4.2", "4.x", "4.3", "4.4", "4.5b", "4.5a")],
    }
    tree_groups = {"TDGQ": [HAND["2.1"]], "TTTT": [HAND[c] for c in ("3.5a", "3.5b", "3.6")]}  # the rounded sum
    expected = {g: round(sum(round(v, 2) for v in vs), 2) for g, vs in evaluation_groups.items()}
    expected |= {g: round(sum(vs), 2) for g, vs in tree_groups.items()}
    for group, value in expected.items():
        assert unit[group] == pytest.approx(value), group
    assert unit["DVCTT"] == 8.56 and unit["DVCTT_source"] == "portal"
    assert unit["total"] == pytest.approx(round(sum(expected.values()) + 8.56, 2))
    assert unit["complete"] and unit["evaluated_max"] == 100


def test_special_cases_no_petitions_and_no_dossiers():
    quiet = _measures(
        dossiers=0,
        synced=0,
        received=0,
        on_time=0,
        completed=0,
        processing_days=None,
        petitions=0,
        petitions_on_time=0,
        petitions_satisfied=0,
        receiving_satisfied=0,
    )
    indicators, units = score_measures(M, pd.DataFrame([quiet]))
    got = dict(zip(indicators["indicator_code"], indicators["score"], strict=True))
    assert got["5.2"] == 6.0 and got["5.3"] == 6.0  # no petitions: full points
    assert got["5.4"] == 0.0  # no dossiers: no satisfaction points
    assert got["2.1"] == 0.0 and got["1.4"] == 0.0
    assert units.iloc[0]["MDHL"] == 12.0
    # Without a portal snapshot the DVCTT group is missing and the total is out of 88, not 100.
    assert units.iloc[0]["DVCTT_source"] == "missing" and units.iloc[0]["evaluated_max"] == 88
    assert not units.iloc[0]["complete"]


def test_null_publication_counts_leave_the_group_unevaluated():
    indicators, units = score_measures(
        M, pd.DataFrame([_measures(published=None, publish_on_time=None, public_update_on_time=None, content_full=None)])
    )
    assert indicators.set_index("indicator_code").loc["1.1", "source"] == "missing"
    assert pd.isna(units.iloc[0]["CKMB"])


def test_ranking_with_ties_within_each_group():
    units = pd.DataFrame(
        {
            "period_label": ["2026-Y"] * 7,
            "ranking_group": ["agency", "agency", "agency", "agency", "local", "local", "local"],
            "unit_code": list("ABCDEFG"),
            "total": [90.0, 85.504, 85.496, 80.0, 70.0, 70.0, 70.0],
            "evaluated_max": [100] * 7,
        }
    )
    ranked = rank_within(units).set_index("unit_code")
    assert list(ranked.loc[list("ABCD"), "rank"]) == [1, 2, 2, 4]  # 85.50 and 85.50 after rounding: tied
    assert list(ranked.loc[list("ABCD"), "is_tied"]) == [False, True, True, False]
    assert list(ranked.loc[list("EFG"), "rank"]) == [1, 1, 1]  # communes ranked apart from agencies
    assert ranked.loc["E", "units_in_group"] == 3 and ranked.loc["A", "units_in_group"] == 4


def test_a_unit_missing_a_group_is_not_ranked_against_complete_ones():
    units = pd.DataFrame(
        {
            "period_label": ["2026-Y"] * 4,
            "ranking_group": ["local"] * 4,
            "unit_code": list("ABCD"),
            "total": [80.0, 85.0, 75.0, 60.0],
            "evaluated_max": [100, 88, 100, 100],
        }
    )
    ranked = rank_within(units).set_index("unit_code")
    assert pd.isna(ranked.loc["B", "rank"]) and not ranked.loc["B", "is_tied"]  # out of 88: not ranked
    assert [ranked.loc[u, "rank"] for u in "ACD"] == [1, 2, 3] and ranked.loc["A", "units_in_group"] == 3
    # When no unit of the group has the portal's DVCTT score, all are out of 88 and ranked together.
    alike = rank_within(units.assign(evaluated_max=88)).set_index("unit_code")
    assert [alike.loc[u, "rank"] for u in "BACD"] == [1, 2, 3, 4]


def test_a_unit_never_ranked_does_not_set_the_complete_set_the_others_are_ranked_on():
    """A unit with no dossier (never ranked) was out of 100 points while the units with dossiers were out of 82
    (their 1.4 unknown: the export had no sync column): every unit was left unranked. The most complete set is the
    one of the units that may be ranked."""
    units = pd.DataFrame(
        {
            "period_label": ["2026-M03"] * 3,
            "ranking_group": ["local"] * 3,
            "unit_code": list("ABC"),
            "total": [70.0, 60.0, 25.0],
            "evaluated_max": [82, 82, 100],
            "has_dossiers": [True, True, False],
        }
    )
    ranked = rank_within(units, eligible="has_dossiers").set_index("unit_code")
    assert [ranked.loc[u, "rank"] for u in "AB"] == [1, 2] and pd.isna(ranked.loc["C", "rank"])
    assert ranked.loc["A", "units_in_group"] == 2


def _write_variant(tmp_path: Path, replace: tuple[str, str]) -> Path:
    text = M.path.read_text(encoding="utf-8").replace(*replace, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (
            ("metric: PUBLISH_ON_TIME\n        max: 6", "metric: PUBLISH_ON_TIME\n        max: 7"),
            r"dòng \d+, nhóm CKMB: tổng điểm chỉ tiêu 19",
        ),
        (('code: "1.2"', 'code: "1.1"'), "mã chỉ tiêu 1.1 bị trùng"),
        (("numerator: synced", "numerator: synced_dossiers"), "numerator: 'synced_dossiers' không hợp lệ"),
        (("rule: target\n        target: 80", "rule: target"), "target"),
        (("        scope: province\n", "        scope: province\n        province: x\n"), "ngoặc kép"),
        (("  tolerance: 0.011", "  tolerence: 0.011"), "parameters: thiếu trường tolerance"),
        (("scope: province\n", "scope: tỉnh\n"), "scope: 'tỉnh' không hợp lệ, chỉ dùng: 'unit' hoặc 'province'"),
    ],
)
def test_methodology_validation(tmp_path, replace, message):
    with pytest.raises(MethodologyError, match=message):
        load_methodology(_write_variant(tmp_path, replace))


def test_indicator_names_are_read_whole():
    names = {i.code: i.name for i in M.indicators}
    assert names["2.1"] == "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"
    assert names["4.4"] == "Tỷ lệ hồ sơ số hóa có kết nối, chia sẻ với kho dữ liệu cá nhân trên Cổng"


def test_methodology_is_chosen_by_date(tmp_path):
    """A period is scored with the file valid on its first day: the latest valid_from not after it."""
    text = (METHODOLOGY_DIR / "qd766_2022_dvcqg.yaml").read_text(encoding="utf-8")
    (tmp_path / "qd766_2022_dvcqg.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "qd766_2026_sua_doi.yaml").write_text(
        text.replace("valid_from: 2022-06-23", "valid_from: 2026-07-01"), encoding="utf-8"
    )
    assert methodology_for(date(2026, 6, 30), tmp_path).valid_from == date(2022, 6, 23)
    assert methodology_for(date(2026, 7, 1), tmp_path).valid_from == date(2026, 7, 1)
    assert methodology_for(date(2027, 1, 1), tmp_path).valid_from == date(2026, 7, 1)
    with pytest.raises(MethodologyError):
        methodology_for(date(2020, 1, 1))


def test_groups_are_totalled_as_the_portal_does():
    # Online payment is a tree group: the portal rounds its sum once (0.8333 + 0.8333 + 2 = 3.67, not 3.66);
    # digitisation is an evaluation group: the sum of its metrics' rounded scores.
    thirds = _measures(fee_formalities=3, integrated_formalities=1, paid_formalities=1, fee_dossiers=3, paid_dossiers=1)
    indicators, units = score_measures(M, pd.DataFrame([thirds]))
    got = dict(zip(indicators["indicator_code"], indicators["score"], strict=True))
    assert (got["3.5a"], got["3.5b"], got["3.6"]) == (0.83, 0.83, 2.0)
    assert units.iloc[0]["TTTT"] == 3.67
    assert units.iloc[0]["SHHS"] == round(sum(round(HAND[c], 2) for c in ("4.1", "4.2", "4.x", "4.3", "4.4", "4.5b", "4.5a")), 2)
