"""PAR-index criteria trees (scoring/criteria.py): validation, tree per year, scoring of a unit, ranking.

Expected values are computed by hand from the small tree below (max 20) unless the default trees are named.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scoring.criteria import FORMULAS, METHODOLOGY_DIR, CriterionInput, TreeError, load_tree, score_unit, tree_for
from scoring.ranking import rank_within

TREE = """\
index: par
year: 2026
group: local
decision: "QĐ thử nghiệm"
default: false
max: 20
bands:
  - {min: 90, label: "Xuất sắc"}
  - {min: 80, label: "Tốt"}
  - {min: 70, label: "Khá"}
  - {min: 0, label: "Trung bình"}
nodes:
  - {code: D1, parent: null, name: "Chỉ đạo, điều hành", max: 8, method: group}
  - {code: D1.1, parent: D1, name: "Kế hoạch CCHC", max: 3, method: self}
  - {code: D1.2, parent: D1, name: "Nhiệm vụ đúng hạn", max: 2, method: computed, formula: plan_tasks_on_time_rate,
     rule: {kind: target, target: 100}}
  - {code: D1.3, parent: D1, name: "Khảo sát lãnh đạo", max: 3, method: survey_leaders}
  - {code: D2, parent: null, name: "Thủ tục hành chính", max: 12, method: group}
  - {code: D2.1, parent: D2, name: "Kết quả giải quyết", max: 6, method: group}
  - {code: D2.1.1, parent: D2.1, name: "Đúng hạn", max: 4, method: computed, formula: tthc_on_time_rate,
     rule: {kind: thresholds, steps: [[98, 1.0], [95, 0.5], [0, 0]]}}
  - {code: D2.1.2, parent: D2.1, name: "Trực tuyến", max: 2, method: computed, formula: tthc_online_rate,
     rule: {kind: target, target: 80}}
  - {code: D2.2, parent: D2, name: "Nông thôn mới", max: 4, method: self, applies_to: [commune]}
  - {code: D2.3, parent: D2, name: "SIPAS", max: 2, method: survey_sipas}
"""


def _tree_file(tmp_path: Path, text: str = TREE, name: str = "par_2026_local_test.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = TREE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return _tree_file(tmp_path, text)


def _problems(tmp_path: Path, *replacements: tuple[str, str]) -> str:
    with pytest.raises(TreeError) as err:
        load_tree(_variant(tmp_path, *replacements))
    message = str(err.value)
    assert message.startswith("par_2026_local_test.yaml: ")  # the file is named
    return message


@pytest.fixture
def tree(tmp_path: Path):
    return load_tree(_tree_file(tmp_path))


# Inputs for one commune; the same for the ward (its D2.2 does not apply).
INPUTS = {
    "D1.1": CriterionInput(self_points=3, appraised_points=2.5),
    "D1.2": CriterionInput(computed_value=90),
    "D1.3": CriterionInput(survey_points=2.4),
    "D2.1.1": CriterionInput(computed_value=96, self_points=4),
    "D2.1.2": CriterionInput(computed_value=60),
    "D2.2": CriterionInput(self_points=3),
    "D2.3": CriterionInput(survey_points=1.6),
}


# --- loading and validation --------------------------------------------------------------------------------


def test_the_test_tree_loads(tree):
    assert [d.code for d in tree.domains] == ["D1", "D2"]
    assert [n.code for n in tree.leaves] == ["D1.1", "D1.2", "D1.3", "D2.1.1", "D2.1.2", "D2.2", "D2.3"]
    assert [n.code for n in tree.children("D2.1")] == ["D2.1.1", "D2.1.2"]
    assert tree.node("D2.1.2").rule.target == 80 and tree.domain_of("D2.1.2") == "D2"
    assert tree.applicable("ward") == {"D1.1", "D1.2", "D1.3", "D2.1.1", "D2.1.2", "D2.3"}
    assert tree.applicable("commune") == tree.applicable("ward") | {"D2.2"}
    with pytest.raises(ValueError, match="agency"):
        tree.applicable("agency")  # not a group of a local tree


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        # children's maxima: D1.1 3 → 4 makes D1's children 4 + 2 + 3 = 9 ≠ 8
        ((("max: 3, method: self}", "max: 4, method: self}"),), "tiêu chí D1: tổng điểm tiêu chí con 9 ≠ 8"),
        # domains: D2 12 → 13 (and D2.3 2 → 3 so D2 itself adds up) gives 8 + 13 = 21 ≠ 20
        (
            (
                ("max: 12, method: group", "max: 13, method: group"),
                ("max: 2, method: survey_sipas", "max: 3, method: survey_sipas"),
            ),
            "tổng điểm các lĩnh vực 21 ≠ max 20",
        ),
        ((("code: D1.3,", "code: D1.1,"),), "mã tiêu chí D1.1 bị trùng"),
        ((("code: D2.3, parent: D2,", "code: D2.3, parent: D9,"),), "tiêu chí D2.3: tiêu chí cha D9 không tồn tại"),
        ((("method: survey_leaders", "method: khao_sat"),), "tiêu chí D1.3, method: 'khao_sat' không hợp lệ"),
        ((("formula: tthc_online_rate", "formula: dvc_rate"),), "tiêu chí D2.1.2, formula: 'dvc_rate' không hợp lệ"),
        (
            (("rule: {kind: target, target: 80}", "rule: {kind: target, target: 0}"),),
            "tiêu chí D2.1.2, rule.target: '0' phải lớn hơn 0",
        ),
        ((("rule: {kind: target, target: 80}", "rule: {kind: curve}"),), "tiêu chí D2.1.2, rule: kind 'curve' không hợp lệ"),
        ((("[[98, 1.0], [95, 0.5], [0, 0]]", "[[95, 0.5], [98, 1.0], [0, 0]]"),), "các ngưỡng của steps phải giảm dần"),
        (
            (("[[98, 1.0], [95, 0.5], [0, 0]]", "[[98, 1.5], [0, 0]]"),),
            "tỷ lệ điểm của mỗi bậc [ngưỡng, tỷ lệ điểm] phải từ 0 đến 1",
        ),
        (
            (("max: 3, method: survey_leaders}", "max: 3, method: survey_leaders, formula: tthc_on_time_rate}"),),
            "tiêu chí D1.3: formula chỉ dùng cho tiêu chí computed",
        ),
        ((("applies_to: [commune]", "applies_to: [agency]"),), "tiêu chí D2.2: applies_to agency không thuộc nhóm"),
        # an unquoted comma cuts the name into a stray key
        ((('name: "SIPAS"', "name: SIPAS, hài lòng"),), "tiêu chí D2.3: trường không hợp lệ 'hài lòng'"),
        ((("max: 20\n", "max: 20\nnote: x\n"),), "tệp: trường không hợp lệ 'note'"),
        ((('{min: 80, label: "Tốt"}', '{min: 95, label: "Tốt"}'),), "bands: min phải giảm dần"),
        ((("group: local", "group: xa"),), "group: 'xa' không hợp lệ, chỉ dùng: 'agency', 'local' hoặc 'province'"),
        (
            (("method: self, applies_to: [commune]", "method: group, applies_to: [commune]"),),
            "tiêu chí D2.2: nút group không có tiêu chí con",
        ),
        (
            (('name: "Kết quả giải quyết", max: 6, method: group', 'name: "Kết quả giải quyết", max: 6, method: self'),),
            "tiêu chí D2.1: có tiêu chí con nên method phải là group",
        ),
    ],
)
def test_each_validation_rule(tmp_path, replacements, expected):
    assert expected in _problems(tmp_path, *replacements)


def test_cycles_are_reported(tmp_path):
    # D2 → D2.1 → D2 : neither reaches a domain; D2's maximum no longer counts among the domains (8 ≠ 20)
    message = _problems(tmp_path, ("code: D2, parent: null", "code: D2, parent: D2.1"))
    assert "vòng lặp cha–con" in message and "tổng điểm các lĩnh vực 8 ≠ max 20" in message


def test_every_problem_is_listed_at_once(tmp_path):
    with pytest.raises(TreeError) as err:
        load_tree(
            _variant(
                tmp_path,
                ("code: D1.3,", "code: D1.1,"),
                ("code: D2.3, parent: D2,", "code: D2.3, parent: D9,"),
                ("applies_to: [commune]", "applies_to: [agency]"),
            )
        )
    assert len(err.value.problems) == 4  # the orphan D2.3 also leaves D2's children short of its maximum
    # The shape is checked first (every fault of it at once), then the rules across fields.
    with pytest.raises(TreeError) as err:
        load_tree(_variant(tmp_path, ("formula: tthc_online_rate", "formula: x"), ("method: survey_leaders", "method: y")))
    assert len(err.value.problems) == 2


def test_child_may_not_apply_more_widely_than_its_parent(tmp_path):
    message = _problems(
        tmp_path,
        ("max: 6, method: group}", "max: 6, method: group, applies_to: [ward]}"),
        ("formula: tthc_online_rate,", "formula: tthc_online_rate, applies_to: [commune],"),
    )
    assert "tiêu chí D2.1.2: applies_to commune rộng hơn tiêu chí cha D2.1" in message


def test_unreadable_and_empty_files(tmp_path):
    with pytest.raises(TreeError, match=r"bad.yaml: dòng 1, không đọc được tệp YAML"):
        load_tree(_tree_file(tmp_path, "nodes: [", "bad.yaml"))
    with pytest.raises(TreeError, match=r"empty.yaml: tệp phải là một bảng"):
        load_tree(_tree_file(tmp_path, "", "empty.yaml"))


# --- tree per year --------------------------------------------------------------------------------------------


def test_tree_for_picks_the_years_file_and_the_decision_over_the_default(tmp_path):
    _tree_file(tmp_path, TREE.replace("year: 2026", "year: 2025"), "par_2025_local_qd1.yaml")
    _tree_file(tmp_path, TREE.replace("default: false", "default: true"), "par_2026_local_default.yaml")
    assert tree_for("par", 2026, "local", tmp_path).default  # only the default exists for 2026
    _tree_file(tmp_path, TREE.replace("QĐ thử nghiệm", "QĐ 99/QĐ-UBND"), "par_2026_local_qd99.yaml")
    assert tree_for("par", 2026, "ward", tmp_path).decision == "QĐ 99/QĐ-UBND"  # the decision wins; ward → local
    assert tree_for("par", 2025, "local", tmp_path).path.name == "par_2025_local_qd1.yaml"  # past year keeps its own
    with pytest.raises(TreeError, match="không có bộ tiêu chí par năm 2027 cho nhóm local"):
        tree_for("par", 2027, "local", tmp_path)  # a new year needs a new file: no fallback
    with pytest.raises(TreeError, match="cho nhóm agency"):
        tree_for("par", 2026, "agency", tmp_path)


def test_two_decisions_of_one_year_and_group_are_refused_not_ordered_by_name(tmp_path):
    """QĐ 98 (January) and QĐ 512 (March) for the communes of 2026: 'qd98' sorted after 'qd512', so the replaced
    decision silently won. Which replaced which cannot be told from the files: both are named, one must go."""
    _tree_file(tmp_path, TREE.replace("QĐ thử nghiệm", "QĐ 98/QĐ-UBND"), "par_2026_local_qd98.yaml")
    _tree_file(tmp_path, TREE.replace("QĐ thử nghiệm", "QĐ 512/QĐ-UBND"), "par_2026_local_qd512.yaml")
    with pytest.raises(TreeError, match=r"2 quyết định .*par_2026_local_qd512.yaml, par_2026_local_qd98.yaml"):
        tree_for("par", 2026, "local", tmp_path)
    (tmp_path / "par_2026_local_qd98.yaml").unlink()
    assert tree_for("par", 2026, "local", tmp_path).decision == "QĐ 512/QĐ-UBND"


def test_a_file_whose_year_or_group_is_not_its_names_is_refused(tmp_path):
    """A copy of par_2026_local_… left with 'year: 2025' became the 2025 tree and rescored a published year."""
    with pytest.raises(TreeError, match="tên tệp nói par năm 2026 nhóm local nhưng tệp ghi par năm 2025"):
        load_tree(_tree_file(tmp_path, TREE.replace("year: 2026", "year: 2025"), "par_2026_local_qd600.yaml"))


def test_names_and_band_labels_typed_decomposed_are_stored_composed(tmp_path):
    """A label saved in NFD ("To\u0302\u0301t") went into mart_par_unit.band as written: the same band read as a change
    of band in the trend view."""
    import unicodedata

    decomposed = TREE.replace('"Tốt"', '"' + unicodedata.normalize("NFD", "Tốt") + '"')
    decomposed = decomposed.replace('"Kế hoạch CCHC"', '"' + unicodedata.normalize("NFD", "Kế hoạch CCHC") + '"')
    tree = load_tree(_tree_file(tmp_path, decomposed, "par_2026_local_nfd.yaml"))
    assert "Tốt" in [b.label for b in tree.bands] and tree.node("D1.1").name == "Kế hoạch CCHC"


# --- scoring ---------------------------------------------------------------------------------------------------


def test_commune_score_by_hand(tree):
    s = score_unit(tree, "commune", INPUTS)
    pts = {r["code"]: r["points"] for r in s.criteria}
    # D1.1 appraised 2.5 (self 3 ignored); D1.2 2 × 90/100 = 1.8; D1.3 survey 2.4
    # D2.1.1 96 % ≥ 95 → half of 4 = 2; D2.1.2 2 × 60/80 = 1.5; D2.2 self 3 (provisional); D2.3 survey 1.6
    assert pts == {"D1.1": 2.5, "D1.2": 1.8, "D1.3": 2.4, "D2.1.1": 2.0, "D2.1.2": 1.5, "D2.2": 3.0, "D2.3": 1.6}
    sources = {r["code"]: r["source"] for r in s.criteria}
    assert sources == {
        "D1.1": "appraised",
        "D1.2": "computed",
        "D1.3": "survey",
        "D2.1.1": "computed",
        "D2.1.2": "computed",
        "D2.2": "self_provisional",
        "D2.3": "survey",
    }
    # domains: D1 2.5 + 1.8 + 2.4 = 6.7 of 8; D2 2 + 1.5 + 3 + 1.6 = 8.1 of 12
    assert [(d["code"], d["points"], d["max_points"], d["points_lost"]) for d in s.domains] == [
        ("D1", 6.7, 8.0, 1.3),
        ("D2", 8.1, 12.0, 3.9),
    ]
    # total 6.7 + 8.1 = 14.8 of 20 → 74 % → Khá (70 ≤ 74 < 80)
    assert (s.total, s.max_applicable, s.index_pct, s.band) == (14.8, 20.0, 74.0, "Khá")
    assert s.provisional  # D2.2 has no appraisal yet


def test_not_applicable_criterion_leaves_the_denominator(tree):
    s = score_unit(tree, "ward", INPUTS)  # the ward's D2.2 self points are kept but not counted
    row = next(r for r in s.criteria if r["code"] == "D2.2")
    assert (row["applicable"], row["points"], row["points_lost"], row["source"]) == (False, None, 0.0, "not_applicable")
    # D2 = 2 + 1.5 + 1.6 = 5.1 of 12 − 4 = 8; total 6.7 + 5.1 = 11.8 of 16 → 73.75 %
    assert s.domains[1]["points"] == 5.1 and s.domains[1]["max_points"] == 8.0
    assert (s.total, s.max_applicable, s.index_pct, s.band) == (11.8, 16.0, 73.75, "Khá")
    assert not s.provisional  # its only self criterion (D1.1) is appraised


def test_a_unit_not_surveyed_is_scored_on_the_rest_brought_to_100(tree):
    """Methodology §1.2: without the sociological survey, the appraised points are the index, on the scale of 100.
    The ward not surveyed: D1.3 (3) and D2.3 (2) leave its maximum. By hand: D1 2.5 + 1.8 = 4.3 of 5; D2 2 + 1.5 =
    3.5 of 6 (12 − 4 − 2); total 7.8 of 11 → 70.909 → 70.91 %, final (no survey to wait for)."""
    not_surveyed = CriterionInput(survey_not_conducted=True)
    s = score_unit(tree, "ward", dict(INPUTS, **{"D1.3": not_surveyed, "D2.3": not_surveyed}))
    rows = {r["code"]: r for r in s.criteria}
    assert (rows["D1.3"]["source"], rows["D1.3"]["applicable"], rows["D1.3"]["points"]) == ("not_surveyed", False, None)
    assert (s.total, s.max_applicable, s.index_pct) == (7.8, 11.0, 70.91) and not s.provisional


def test_provisional_until_appraised(tree):
    inputs = dict(INPUTS, **{"D1.1": CriterionInput(self_points=3)})
    before = score_unit(tree, "ward", inputs)
    # D1.1 self 3 counted provisionally: 11.8 − 2.5 + 3 = 12.3 of 16 → 76.875 → 76.88 %
    assert before.provisional and (before.total, before.index_pct) == (12.3, 76.88)
    after = score_unit(tree, "ward", dict(inputs, **{"D1.1": CriterionInput(self_points=3, appraised_points=1)}))
    # appraisal 1 replaces the self points: 12.3 − 3 + 1 = 10.3 of 16 → 64.375 → 64.38 % → Trung bình
    assert not after.provisional and (after.total, after.index_pct, after.band) == (10.3, 64.38, "Trung bình")
    missing = score_unit(tree, "ward", {})
    # nothing submitted: every leaf 0 (missing); still provisional because D1.1 is not appraised
    assert missing.total == 0 and missing.index_pct == 0 and missing.provisional
    # ... except the computed one, which without a value is not evaluated (out of the denominator) rather than 0
    assert {r["source"] for r in missing.criteria if r["applicable"]} == {"missing", "not_measured"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # thresholds on 4 points: ≥ 98 → 4, ≥ 95 → 2, else 0
        (100, 4.0),
        (98, 4.0),
        (97.99, 2.0),
        (95, 2.0),
        (94.99, 0.0),
        (0, 0.0),
    ],
)
def test_threshold_rule_at_its_boundaries(tree, value, expected):
    s = score_unit(tree, "ward", {"D2.1.1": CriterionInput(computed_value=value)})
    assert next(r["points"] for r in s.criteria if r["code"] == "D2.1.1") == expected


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        # online rate, target 80 % on 2 points: 2 × min(1, v/80)
        ("D2.1.2", 0, 0.0),
        ("D2.1.2", 40, 1.0),
        ("D2.1.2", 79, 1.98),
        ("D2.1.2", 80, 2.0),
        ("D2.1.2", 100, 2.0),
        # plan tasks, target 100 % on 2 points: 2 × v/100; 33.333 → 0.66666 → 0.67
        ("D1.2", 100, 2.0),
        ("D1.2", 50, 1.0),
        ("D1.2", 33.333, 0.67),
    ],
)
def test_target_rule(tree, code, value, expected):
    s = score_unit(tree, "ward", {code: CriterionInput(computed_value=value)})
    assert next(r["points"] for r in s.criteria if r["code"] == code) == expected


def test_overclaim_flag(tree, tmp_path):
    s = score_unit(tree, "ward", INPUTS)  # D2.1.1: self 4 points, data 96 % gives 2
    assert s.overclaims == ("D2.1.1",)
    cases = [
        (CriterionInput(computed_value=96, self_claimed_value=97), True),  # claims 97 %, data 96 %
        (CriterionInput(computed_value=96, self_claimed_value=96), False),
        (CriterionInput(computed_value=96, self_points=2), False),  # claims exactly the points the data gives
        (CriterionInput(computed_value=94, self_points=0.5), True),  # 94 % < 95 → 0 points, claims 0.5
        (CriterionInput(computed_value=99, self_points=4, self_claimed_value=99), False),
        (CriterionInput(self_points=4), False),  # no data: nothing to compare, criterion missing
        (CriterionInput(computed_value=100 * 4899 / 4999, self_claimed_value=98.0), False),  # the 98.00 % it is shown
        (CriterionInput(computed_value=100 * 4899 / 4999, self_claimed_value=98.01), True),
    ]
    for given, flagged in cases:
        row = score_unit(tree, "ward", {"D2.1.1": given}).criteria[3]
        assert row["code"] == "D2.1.1" and row["overclaim"] is flagged, given
    # No data for this unit and not appraised yet: by default (`unmeasured: leave_out`, the DTI's) not evaluated, out
    # of the denominator, the self-assessed points kept for reference; with `unmeasured: self` (the PAR trees:
    # methodology §1.2 drops only what does not apply) its self-assessed points count provisionally, none scores 0.
    full = score_unit(tree, "ward", {"D2.1.1": CriterionInput(computed_value=99)})
    left_out = score_unit(tree, "ward", {"D2.1.1": CriterionInput(self_points=4)})
    row = left_out.criteria[3]
    assert (row["source"], row["points"], row["self_points"]) == ("not_measured", None, 4)
    assert left_out.max_applicable == full.max_applicable - 4  # D2.1.1 (max 4) leaves the denominator
    own = load_tree(_tree_file(tmp_path, TREE.replace("max: 20\n", "max: 20\nunmeasured: self\n"), "par_2026_local_own.yaml"))
    counted = score_unit(own, "ward", {"D2.1.1": CriterionInput(self_points=4)})
    row = counted.criteria[3]
    assert (row["source"], row["points"], row["self_points"]) == ("self_provisional", 4.0, 4)
    own_full = score_unit(own, "ward", {"D2.1.1": CriterionInput(computed_value=99)})
    assert counted.max_applicable == own_full.max_applicable and counted.provisional
    # Nothing at all (no data, no appraisal, no self points) scores 0 and stays in the denominator, as a blank
    # self-assessed criterion: methodology §1.2 drops only what does not apply (hand computation: 4 of max 4 lost).
    nothing = score_unit(own, "ward", {"D2.1.1": CriterionInput()})
    assert (nothing.criteria[3]["source"], nothing.criteria[3]["points"]) == ("missing", 0.0)
    assert nothing.max_applicable == own_full.max_applicable and nothing.total == own_full.total - 4
    appraised = score_unit(tree, "ward", {"D2.1.1": CriterionInput(self_points=4, appraised_points=3)}).criteria[3]
    assert (appraised["source"], appraised["points"]) == ("appraised", 3.0)


def test_bands(tree):
    # band of index % = total / 16 × 100 for a ward: 14.4 → 90 (Xuất sắc, boundary); 14.3 → 89.375 → 89.38 (Tốt);
    # 12.8 → 80 (Tốt, boundary); 11.4 → 71.25 (Khá)
    for survey, band in [(3, "Xuất sắc"), (2.9, "Tốt"), (1.4, "Tốt"), (0, "Khá")]:
        full = {
            "D1.1": CriterionInput(appraised_points=3),
            "D1.2": CriterionInput(computed_value=100),
            "D2.1.1": CriterionInput(computed_value=100),
            "D2.1.2": CriterionInput(computed_value=80),
            "D2.3": CriterionInput(survey_points=0.4),
            "D1.3": CriterionInput(survey_points=survey),
        }
        # 3 + 2 + 4 + 2 + 0.4 = 11.4, plus the leaders' survey
        s = score_unit(tree, "ward", full)
        assert s.band == band, (survey, s.index_pct)
    assert tree.band_for(90) == "Xuất sắc" and tree.band_for(89.99) == "Tốt" and tree.band_for(69.99) == "Trung bình"
    assert tree.band_for(None) is None


def test_bad_inputs_are_refused(tree):
    with pytest.raises(ValueError, match=r"D2\.1"):
        score_unit(tree, "commune", {"D2.1": CriterionInput(self_points=1)})  # an inner node is not scored
    with pytest.raises(ValueError, match=r"tiêu chí D1\.1: appraised_points 3\.5 ngoài khoảng 0\.\.3"):
        score_unit(tree, "commune", {"D1.1": CriterionInput(appraised_points=3.5)})


# --- ranking -----------------------------------------------------------------------------------------------------


def test_ranking_with_ties_on_the_index():
    units = pd.DataFrame(
        {
            "ranking_group": ["local"] * 5 + ["agency"] * 2,
            "unit_code": list("ABCDEFG"),
            # B and C: 85.504 and 85.496 both round to 85.50 → tied; agencies ranked apart
            "index_pct": [90.0, 85.504, 85.496, 80.0, 70.0, 75.0, 75.0],
        }
    )
    ranked = rank_within(units, by=("ranking_group",), score="index_pct", evaluated=None).set_index("unit_code")
    assert list(ranked.loc[list("ABCDE"), "rank"]) == [1, 2, 2, 4, 5]
    assert list(ranked.loc[list("ABCDE"), "is_tied"]) == [False, True, True, False, False]
    assert list(ranked.loc[list("FG"), "rank"]) == [1, 1] and ranked.loc["F", "units_in_group"] == 2


# --- the default trees --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["agency", "local"])
def test_default_trees_load_and_add_up(group):
    t = tree_for("par", 2026, group)
    assert t.default and "QĐ 876/QĐ-BNV" in t.decision and t.path.parent == METHODOLOGY_DIR / "par"
    assert t.max_points == 100 and sum(d.max_points for d in t.domains) == 100
    domains = {d.code: d.max_points for d in t.domains}
    assert list(domains) == [f"LV{i}" for i in range(1, 9)]
    # verified maxima of QĐ 876; the other four add up to 45
    assert (domains["LV3"], domains["LV4"], domains["LV5"], domains["LV8"]) == (13, 10.5, 15, 16.5)
    assert domains["LV1"] + domains["LV2"] + domains["LV6"] + domains["LV7"] == 45
    by_method: dict[str, float] = {}
    for leaf in t.leaves:
        by_method[leaf.method] = by_method.get(leaf.method, 0) + leaf.max_points
    assert by_method["survey_sipas"] == 10 and by_method["survey_leaders"] == 22
    assert {n.formula for n in t.leaves if n.method == "computed"} == {
        "tthc_on_time_rate",
        "tthc_online_rate",
        "plan_tasks_on_time_rate",
    }
    assert {n.formula for n in t.leaves if n.method == "computed"} <= set(FORMULAS)
    for d in t.domains:
        assert 2 <= len(t.children(d.code)) <= 4
    # a perfect unit scores 100 % of what applies to it
    for unit_group in t.unit_groups:
        leaves = [t.node(c) for c in t.applicable(unit_group)]
        perfect = {
            n.code: CriterionInput(appraised_points=n.max_points, survey_points=n.max_points, computed_value=100) for n in leaves
        }
        s = score_unit(t, unit_group, perfect)
        assert s.index_pct == 100 and s.band == "Xuất sắc" and not s.provisional


def test_local_default_tree_has_criteria_for_communes_or_wards_only():
    t = tree_for("par", 2026, "local")
    # LV8.2.2 (nông thôn mới, 2 points) communes only, LV8.2.3 (trật tự đô thị, 1.5) wards only
    assert sum(t.node(c).max_points for c in t.applicable("commune")) == 98.5
    assert sum(t.node(c).max_points for c in t.applicable("ward")) == 98


@pytest.mark.parametrize("group", ["agency", "local"])
def test_default_par_trees_have_a_lowest_band(group):
    """Issue 14: an all-zero appraisal (about 21 %) was labelled "Trung bình"; the bands end with "Yếu" below 50."""
    tree = tree_for("par", 2026, group)
    assert [(b.label, b.min_pct) for b in tree.bands][-2:] == [("Trung bình", 50), ("Yếu", 0)]
    assert tree.band_for(21.84) == "Yếu" and tree.band_for(50) == "Trung bình" and tree.band_for(49.99) == "Yếu"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3.925, 3.93), (5 * 0.785, 3.93), (4.845, 4.85), (2.975, 2.98), (4.855, 4.86), (81.875, 81.88), (71.096, 71.1)],
)
def test_points_round_half_up_as_published_tables_do(value, expected):
    """Python's round() rounds the binary float: 3.925 → 3.92 but 2.975 → 2.98 (14 DTI components of the demo)."""
    from scoring.rounding import round_half_up

    assert round_half_up(value) == expected


@pytest.mark.parametrize(
    ("province", "named"),
    [("Thái Nguyên", "UBND tỉnh Thái Nguyên"), ("Hà Nội", "UBND thành phố Hà Nội"), ("Bắc Ninh", "UBND tỉnh Bắc Ninh")],
)
def test_a_default_trees_decision_names_the_province_served(monkeypatch, province, named):
    for index in ("par", "dti"):
        for group in ("agency", "local"):
            assert f"quyết định của {named} về" in tree_for(index, 2026, group, province=province).decision
    monkeypatch.setenv("CCHC_PROVINCE", province)
    from common.settings import get_settings

    if hasattr(get_settings, "cache_clear"):
        get_settings.cache_clear()
    try:
        assert f"quyết định của {named} về" in tree_for("par", 2026, "local").decision
    finally:
        if hasattr(get_settings, "cache_clear"):
            get_settings.cache_clear()


@pytest.mark.parametrize(("extra", "total", "value"), [(0.05, 700.05, 0.7001), (0.15, 700.15, 0.7002), (0.65, 700.65, 0.7007)])
def test_the_dti_index_value_is_the_total_over_its_maximum_rounded_half_up(extra: float, total: float, value: float) -> None:
    """Hand computation (DTI 2022, provinces: main indices weighted 100 × 5, 0, 200, 150, 150 of 1,000): 70 % of every
    main index but the fifth at (70 + e) % gives 700 + e points and the value (700 + e) / 1,000, written half up to
    4 decimals as every published value (Python's round gave 0.7 for 0.70005)."""
    tree = tree_for("dti", 2022, "province")
    points = {"1.0": 70, "2.0": 70, "3.0": 70, "4.0": 70, "5.0": 70 + extra, "6.0": 50, "7.0": 140, "8.0": 105, "9.0": 105}
    scored = score_unit(tree, "province", {code: CriterionInput(appraised_points=p) for code, p in points.items()})
    assert (scored.total, scored.index_value) == (total, value)


def test_a_group_average_is_rounded_half_up_and_a_group_without_values_has_none() -> None:
    """Hand computation: the mean of 85.12 and 85.13 is 85.125, published as 85.13 (pandas' round gave 85.12)."""
    import pandas as pd

    from scoring.ranking import group_average

    values = pd.Series([85.12, 85.13, None, 70.0])
    groups = pd.Series(["agency", "agency", "ward", "commune"])
    averages = group_average(values, [groups])
    assert [averages[i] for i in (0, 1, 3)] == [85.13, 85.13, 70.0] and pd.isna(averages[2])


def test_thai_nguyens_good_band_starts_above_80():
    """Thái Nguyên 2022 (methodology §1.2): "tốt > 80": exactly 80 is Khá, 80.01 is Tốt (`above: true`)."""
    from scoring.criteria import tree_for

    for group in ("agency", "ward"):
        tree = tree_for("par", 2026, group)
        assert (tree.band_for(80), tree.band_for(80.01), tree.band_for(79.99)) == ("Khá", "Tốt", "Khá")


def _full_marks(tree) -> dict:
    from scoring.criteria import SURVEY_METHODS, CriterionInput

    out = {}
    for leaf in tree.leaves:
        if leaf.method == "self":
            out[leaf.code] = CriterionInput(self_points=leaf.max_points, appraised_points=leaf.max_points)
        elif leaf.method in SURVEY_METHODS:
            out[leaf.code] = CriterionInput(survey_points=leaf.max_points)
        elif leaf.method == "computed":
            out[leaf.code] = CriterionInput(computed_value=100)
    return out


def test_a_criterion_that_does_not_apply_to_the_unit_leaves_its_denominator():
    """Methodology §1.2: "Criteria 'không áp dụng' (not applicable to a unit) leave the denominator". A sở without
    public service units writes 'Không áp dụng' for such a criterion: every other criterion at full marks is 100 %,
    provisional until the council says so too; the council's points win over the unit's word."""
    from dataclasses import replace

    from scoring.criteria import CriterionInput, score_unit, tree_for

    tree = tree_for("par", 2026, "agency")
    full = _full_marks(tree)
    leaf = next(leaf for leaf in tree.leaves if leaf.method == "self" and leaf.max_points >= 1)
    assert score_unit(tree, "agency", full).index_pct == 100
    lost = dict(full) | {leaf.code: replace(full[leaf.code], appraised_points=0.0)}
    assert score_unit(tree, "agency", lost).index_pct == round(100 - leaf.max_points, 2)

    claimed = dict(full) | {leaf.code: CriterionInput(self_not_applicable=True)}
    s = score_unit(tree, "agency", claimed)
    assert (s.index_pct, s.max_applicable, s.provisional) == (100, round(100 - leaf.max_points, 2), True)
    row = next(r for r in s.criteria if r["code"] == leaf.code)
    assert (row["source"], row["applicable"], row["points"]) == ("unit_not_applicable", False, None)
    confirmed = dict(full) | {leaf.code: CriterionInput(self_not_applicable=True, appraised_not_applicable=True)}
    assert score_unit(tree, "agency", confirmed).provisional is False
    refused = dict(full) | {leaf.code: CriterionInput(self_not_applicable=True, appraised_points=0.0)}
    assert score_unit(tree, "agency", refused).index_pct == round(100 - leaf.max_points, 2)
