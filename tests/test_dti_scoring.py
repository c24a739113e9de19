"""DTI criteria trees: the QĐ 922 weighting and the two default trees on values computed by hand, the answer rules,
and the validation of the keys DTI added to the engine."""

import textwrap

import pytest

from scoring.criteria import SOURCES, CriterionInput, TreeError, answer_points, load_tree, score_unit, tree_for


def _inputs(
    tree, answers: dict[str, object], external: dict[str, float] | None = None, computed: dict[str, float] | None = None
) -> dict[str, CriterionInput]:
    """Inputs as the warehouse builds them: a unit's answer becomes self points through the component's rule."""
    given: dict[str, CriterionInput] = {}
    for code, answer in answers.items():
        _, points, problem = answer_points(tree.node(code), answer)
        assert problem is None, problem
        given[code] = CriterionInput(self_points=points, self_answer=str(answer))
    for code, value in (external or {}).items():
        given[code] = CriterionInput(external_value=value)
    for code, value in (computed or {}).items():
        given[code] = CriterionInput(computed_value=value)
    return given


# --- QĐ 922/QĐ-BTTTT, province level ---------------------------------------------------------------------------

QD922_VALUES = {"1": 0.8, "2": 0.7, "3": 0.9, "4": 0.6, "5": 0.75, "6": 0.5, "7": 0.65, "8": 0.55, "9": 0.6}


def _qd922(values: dict[str, float]):
    tree = tree_for("dti", 2022, "province")
    return tree, score_unit(
        tree, "province", {f"{k}.0": CriterionInput(external_value=v * tree.node(k).max_points) for k, v in values.items()}
    )


def test_qd922_weights_main_indices_as_published():
    tree, score = _qd922(QD922_VALUES)
    assert tree.max_points == 1000 and tree.aggregation == "weighted"
    assert [d.scored_weight for d in tree.domains] == [100, 100, 100, 100, 100, 0, 200, 150, 150]
    # by hand: (100 × (0.8 + 0.7 + 0.9 + 0.6 + 0.75) + 200 × 0.65 + 150 × 0.55 + 150 × 0.6) / 1000
    #        = (375 + 130 + 82.5 + 90) / 1000 = 0.6775
    assert score.index_value == 0.6775 and score.total == 677.5
    assert {d["code"]: d["value"] for d in score.domains} == QD922_VALUES
    # pillars: Chính quyền số = (375 + 0 × 0.5 + 130) / 700 = 0.72142…; Kinh tế số = (375 + 82.5) / 650 = 0.70385…
    assert {p["code"]: p["value"] for p in score.pillars} == {"CQS": 0.7214, "KTS": 0.7038, "XHS": 0.7154}


def test_qd922_smart_city_is_evaluated_but_not_scored():
    _, low = _qd922({**QD922_VALUES, "6": 0.0})
    _, high = _qd922({**QD922_VALUES, "6": 1.0})
    assert low.index_value == high.index_value == 0.6775
    assert next(d for d in high.domains if d["code"] == "6")["value"] == 1.0


def test_qd922_four_decimal_index_from_uneven_activity_values():
    """A second hand case, with activity values that are not round: 5 × 100 × 0.8 = 400; 200 × 0.851 = 170.2;
    150 × 0.8 = 120; 150 × 110/150 = 110; smart city weighs nothing → 800.2 / 1000 = 0.8002 (the published main-index
    values of a province are not in the methodology notes, so no published province is reproduced here)."""
    values = {"1": 0.8, "2": 0.8, "3": 0.8, "4": 0.8, "5": 0.8, "6": 0.3, "7": 0.851, "8": 0.8, "9": 110 / 150}
    _, score = _qd922(values)
    assert score.index_value == 0.8002 and score.total == 800.2


def test_qd922_points_outside_an_index_maximum_are_refused():
    tree = tree_for("dti", 2022, "province")
    assert tree.node("7.0").rule.value_of(201)[0] is None
    assert "ngoài khoảng 0..200" in tree.node("7.0").rule.value_of(201)[1]


def test_a_percentage_is_no_answer_to_a_count() -> None:
    """NT.4 asks for the number of articles (full points at 12): "85%" was read as 85 articles, full points. A share's
    criterion still takes its '%'."""
    from scoring.criteria import answer_points

    tree = tree_for("dti", 2026, "agency")
    value, points, problem = answer_points(tree.node("NT.4"), "85%")
    assert value is None and points is None and problem is not None and "tỷ lệ phần trăm" in problem
    assert answer_points(tree.node("NT.4"), "12")[:2] == (12.0, tree.node("NT.4").max_points)
    share = next(n for n in tree.nodes if n.rule is not None and "(%)" in n.name and n.rule.kind == "target")
    assert answer_points(share, "85,5 %")[0] == 85.5
    # a share named otherwise ("Tỉ lệ", "(% ngân sách)") on another range still takes its '%'
    from dataclasses import replace

    from scoring.criteria import answers_in_percent

    ranged = replace(share.rule, value_range=(0.0, 200.0))
    for name in ("Tỉ lệ hồ sơ số hóa", "Chi cho chuyển đổi số (% ngân sách)", "Phần trăm cán bộ được đào tạo"):
        assert answers_in_percent(replace(share, name=name, rule=ranged)), name
    assert not answers_in_percent(replace(share, name="Số cuộc họp chuyên đề", rule=ranged))


# --- default trees of the province's agencies and communes ----------------------------------------------------

AGENCY_ANSWERS = {
    "NT.1": "Cấp phó của người đứng đầu",
    "NT.2": "Có",
    "NT.3": 3,
    "NT.4": 20,
    "TC.1": "có",
    "TC.2": "Không",
    "TC.3": "1,0",
    "HT.1": 90,
    "HT.2": "100%",
    "HT.3": "Có",
    "HT.4": "Không",
    "NL.1": "Kiem nhiem",
    "NL.2": 50,  # NL.3 not answered: a missing component
    "AT.1": 80,
    "AT.4": "Có",
    "HD.9": "Có",
    "KH.1": 80,
}


def test_agency_default_tree_on_hand_values():
    tree = tree_for("dti", 2026, "agency")
    given = _inputs(
        tree,
        AGENCY_ANSWERS,
        external={"AT.2": 95, "HD.1": 90, "HD.2": 45, "HD.8": 100},
        computed={"HD.3": 60, "HD.5": 50, "HD.6": 25, "HD.7": 100},
    )
    score = score_unit(tree, "agency", given)
    values = {d["code"]: d["value"] for d in score.domains}
    # NT: Phó 0.5 × 3 + Có 2 + 3 meetings (≥ 2: half) 1.5 + 20 news (≥ 12: full) 2 = 7 / 10
    # TC: 3 + 0 + 1 % of a 2 % target 2 = 5 / 10;  HT: 2.7 + 3 + 2 + 0 = 7.7 / 10;  NL: 1.5 + 2 + 0 (missing) = 3.5 / 10
    # AT: 3.2 + 3.8 (SOC 95 %) + 0 (AT.3 not sent: missing) + 3 = 10 / 15
    # HD: 4.5 + 4 × 45/90 = 2 + 5 × 60/80 = 3.75 + 2 + 1 + 3 (capped) + 3 + 3 = 22.25 / 31 (HD.4 not measured: out)
    # KH: 6 × 0.8 = 4.8 / 6 (KH.2: the unit leads no digital-transformation task of the plan: out)
    assert values == {"NT": 0.7, "TC": 0.5, "HT": 0.77, "NL": 0.35, "AT": 0.6667, "HD": 0.7177, "KH": 0.8}
    # total = 10 × 0.7 + 10 × 0.5 + 10 × 0.77 + 10 × 0.35 + 15 × 10/15 + 35 × 22.25/31 + 10 × 0.8 = 66.320967…
    assert score.total == 66.32 and score.index_value == 0.6632 and score.index_pct == 66.32
    assert score.band == "Khá" and score.missing == 2
    sources = {r["code"]: r["source"] for r in score.criteria}
    assert sources["NL.3"] == sources["AT.3"] == "missing"
    assert sources["HD.4"] == sources["KH.2"] == "not_measured" and sources["AT.2"] == "external"
    assert set(sources.values()) <= set(SOURCES)  # every source the workbooks must label
    assert score.pillars == [{"code": "CQS", "name": "Chính quyền số", "value": 0.6632}]


def test_local_default_tree_on_hand_values():
    tree = tree_for("dti", 2026, "local")
    answers = {
        "NT.1": "Chủ tịch UBND",
        "NT.2": "Có",
        "NT.3": 4,
        "NT.4": 12,
        "TC.1": "Có",
        "TC.2": "Có",
        "TC.3": 2,
        "HT.1": 100,
        "HT.2": 100,
        "HT.3": "Có",
        "HT.4": 100,
        "NL.1": "Chuyên trách",
        "NL.2": 100,
        "NL.3": 100,
        "AT.4": "Có",
        "KT.1": 0,
        "KT.2": 0,
        "KT.3": "Không",
        "XH.2": "Hoạt động thường xuyên ở mọi thôn, tổ dân phố",
        "XH.3": 85,
        "KH.1": 100,
    }
    external = {"AT.2": 100, "AT.3": 100, "HD.1": 100, "HD.2": 90, "HD.8": 100}  # XH.1 (VNeID) not sent
    computed = {"HD.3": 80, "HD.4": 80, "HD.5": 100, "HD.6": 100, "HD.7": 80}
    score = score_unit(tree, "commune", _inputs(tree, answers, external, computed))
    values = {d["code"]: d["value"] for d in score.domains}
    assert values == {"NT": 1.0, "TC": 1.0, "HT": 1.0, "NL": 1.0, "AT": 1.0, "HD": 1.0, "KT": 0.0, "XH": 0.6, "KH": 1.0}
    # 10 + 8 + 10 + 10 + 10 + 27 + 0 + 10 × 0.6 + 5 = 86
    assert score.total == 86.0 and score.band == "Tốt"
    # Kinh tế số pillar: foundation (10 + 8 + 10 + 10 + 10 = 48) + 0 over 58; Xã hội số: (48 + 6) / 58
    assert {p["code"]: p["value"] for p in score.pillars} == {"CQS": 1.0, "KTS": round(48 / 58, 4), "XHS": round(54 / 58, 4)}


def test_both_default_trees_are_marked_defaults_and_add_up():
    for group, indices in (("agency", 7), ("local", 9)):
        tree = tree_for("dti", 2026, group)
        assert tree.default and "mặc định" in tree.decision and tree.max_points == 100
        assert len(tree.domains) == indices and sum(d.scored_weight for d in tree.domains) == 100
        methods = {leaf.method for leaf in tree.leaves}
        assert {"self", "computed", "external"} <= methods
        assert all(leaf.rule is not None for leaf in tree.leaves)  # every DTI component says how it is scored


# --- answer rules -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answer", "points"),
    [
        ("NT.1", "Người đứng đầu đơn vị", 3.0),
        ("NT.1", "cap pho cua nguoi dung dau", 1.5),
        ("NT.1", "Chưa thành lập Ban chỉ đạo", 0.0),
        ("NT.2", "Có", 2.0),
        ("NT.2", "KHÔNG", 0.0),
        ("NT.2", "x", 2.0),
        ("NT.3", 4, 3.0),
        ("NT.3", 2, 1.5),
        ("NT.3", 1, 0.0),
        ("HT.1", "45,5%", 1.365),
        ("HT.1", 120 - 20, 3.0),
    ],
)
def test_answers_become_points(code, answer, points):
    node = tree_for("dti", 2026, "agency").node(code)
    assert answer_points(node, answer)[1] == points


@pytest.mark.parametrize(
    ("code", "answer", "reason"),
    [
        ("NT.1", "Trưởng phòng", "không thuộc các lựa chọn"),
        ("NT.2", "đạt một phần", "không phải 'Có' hoặc 'Không'"),
        ("HT.1", 120, "ngoài khoảng 0..100"),
        ("HT.1", "nhiều", "không phải số"),
        ("HT.1", None, "chưa có câu trả lời"),
        ("HT.1", "1e2", "không phải số"),
        ("HT.1", "1.234,5", "không phải số"),  # read like every other number
    ],
)
def test_unreadable_answers_are_refused_with_a_reason(code, answer, reason):
    node = tree_for("dti", 2026, "agency").node(code)
    value, points, problem = answer_points(node, answer)
    assert value is None and points is None and reason in problem


# --- validation of the DTI keys ---------------------------------------------------------------------------------


def _tree(tmp_path, body: str):
    path = tmp_path / "dti_2026_agency_test.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_tree(path)


HEADER = """\
index: dti
year: 2026
group: agency
decision: "thử"
max: 10
aggregation: weighted
bands: [{min: 0, label: "Đạt"}]
"""


def test_weighted_tree_without_components_under_a_weight_zero_index(tmp_path):
    tree = _tree(
        tmp_path,
        HEADER
        + """\
nodes:
  - {code: A, parent: null, name: "A", max: 4, weight: 10, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: self, rule: {kind: yes_no}}
  - {code: B, parent: null, name: "B", max: 2, weight: 0, method: group}
  - {code: B.1, parent: B, name: "b", max: 2, method: external, rule: {kind: target, target: 50}}
""",
    )
    score = score_unit(tree, "agency", {"A.1": CriterionInput(self_points=4), "B.1": CriterionInput(external_value=10)})
    assert score.total == 10.0 and score.index_value == 1.0  # B's 0.2 weighs nothing


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        (
            """  - {code: A, parent: null, name: "A", max: 4, weight: 8, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: self, rule: {kind: yes_no}}""",
            "tổng trọng số các chỉ số chính 8 ≠ max 10",
        ),
        (
            """  - {code: A, parent: null, name: "A", max: 4, weight: 10, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, weight: 2, method: self}""",
            "weight chỉ dùng cho chỉ số chính",
        ),
        (
            """  - {code: A, parent: null, name: "A", max: 4, weight: 10, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: self, rule: {kind: choice, options: [{label: "X", share: 1}]}}""",
            "tiêu chí A.1, rule.options: cần ít nhất 2 phần tử",
        ),
        (
            """  - {code: A, parent: null, name: "A", max: 4, weight: 10, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: self,
     rule: {kind: choice, options: [{label: "Có", share: 1}, {label: "co", share: 0}]}}""",
            "các lựa chọn bị trùng",
        ),
        (
            """  - {code: A, parent: null, name: "A", max: 4, weight: 10, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: external}""",
            "tiêu chí A.1: tiêu chí external cần rule",
        ),
        (
            """  - {code: A, parent: null, name: "A", max: 4, weight: 10, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: self, rule: {kind: target, target: 5, range: [9, 1]}}""",
            "range phải là",
        ),
    ],
)
def test_weighted_tree_validation(tmp_path, nodes, expected):
    with pytest.raises(TreeError) as err:
        _tree(tmp_path, HEADER + "nodes:\n" + nodes + "\n")
    assert expected in str(err.value)


def test_pillar_naming_an_unknown_main_index_is_refused(tmp_path):
    with pytest.raises(TreeError, match="trụ cột P: chỉ số chính Z không có"):
        _tree(
            tmp_path,
            HEADER
            + """\
pillars: [{code: P, name: "P", domains: [A, Z]}]
nodes:
  - {code: A, parent: null, name: "A", max: 4, weight: 10, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: self, rule: {kind: yes_no}}
""",
        )


def test_sum_tree_refuses_weights(tmp_path):
    with pytest.raises(TreeError, match="weight chỉ dùng khi aggregation: weighted"):
        _tree(
            tmp_path,
            HEADER.replace("aggregation: weighted\n", "").replace("max: 10", "max: 4")
            + """\
nodes:
  - {code: A, parent: null, name: "A", max: 4, weight: 4, method: group}
  - {code: A.1, parent: A, name: "a", max: 4, method: self}
""",
        )
