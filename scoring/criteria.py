"""Criteria trees of the PAR index (Chỉ số CCHC) and the scoring of one unit against its tree. Pure functions.

A tree is a methodology file `methodology/par/<index>_<year>_<group>_<decision>.yaml` (keys in
`methodology/README.md`): the domains (parent null) and their criteria and sub-criteria, each scored by
self-assessment appraised by the council (`self`), a survey (`survey_sipas`, `survey_leaders`) or a rule applied to a
value the warehouse measures (`computed`, formula in FORMULAS). Inner nodes (`group`) are the sum of their children.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import pandas as pd
import yaml

from scoring.ranking import rank_within

PAR_DIR = Path(__file__).resolve().parent.parent / "methodology" / "par"

# Values the warehouse measures per unit and year (percent); a computed criterion must name one of these.
FORMULAS = {
    "tthc_on_time_rate": "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn (%) trong năm, từ luồng dữ liệu TTHC",
    "tthc_online_rate": "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến (%) trong năm, từ luồng dữ liệu TTHC",
    "plan_tasks_on_time_rate": "Tỷ lệ nhiệm vụ trong kế hoạch CCHC hoàn thành đúng hạn (%), từ theo dõi tiến độ kế hoạch",
}
METHODS = ("group", "self", "survey_sipas", "survey_leaders", "computed")
SURVEY_METHODS = ("survey_sipas", "survey_leaders")
RULE_KINDS = ("linear", "thresholds")
# Ranking group of a tree -> the unit groups it scores (common/units.py: agency | commune | ward).
TREE_GROUPS = {"agency": ("agency",), "local": ("commune", "ward")}
SOURCES = ("appraised", "self_provisional", "survey", "computed", "missing", "not_applicable")

TREE_KEYS = frozenset({"index", "year", "group", "decision", "default", "max", "bands", "nodes"})
NODE_KEYS = frozenset({"code", "parent", "name", "max", "method", "formula", "applies_to", "rule"})
BAND_KEYS = frozenset({"min", "label"})
RULE_KEYS = {"linear": frozenset({"kind", "target"}), "thresholds": frozenset({"kind", "steps"})}
EPSILON = 1e-9


class TreeError(ValueError):
    """A criteria tree that cannot be used; the message names the file and every problem (also in ``problems``)."""

    def __init__(self, where: str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class CriterionRule:
    """How a measured value (percent) becomes points: ``linear`` max × min(1, value/target); ``thresholds`` the share
    of max of the first step (value ≥ step, steps in descending order), 0 below every step."""

    kind: str
    target: float | None = None
    steps: tuple[tuple[float, float], ...] = ()

    def points(self, max_points: float, value: float) -> float:
        if self.kind == "linear":
            return max_points * min(1.0, max(0.0, value) / self.target)
        share = next((s for at_least, s in self.steps if value >= at_least - EPSILON), 0.0)
        return max_points * share


@dataclass(frozen=True)
class Band:
    min_pct: float  # index % at or above which a unit is in this band
    label: str


@dataclass(frozen=True)
class Criterion:
    code: str
    parent: str | None
    name: str
    max_points: float
    method: str
    formula: str | None = None
    applies_to: tuple[str, ...] = ()  # unit groups; empty = every group of the tree
    rule: CriterionRule | None = None


@dataclass(frozen=True)
class CriteriaTree:
    path: Path
    index: str
    year: int
    group: str  # agency | local
    decision: str
    default: bool
    max_points: float
    bands: tuple[Band, ...]
    nodes: tuple[Criterion, ...]

    @property
    def unit_groups(self) -> tuple[str, ...]:
        return TREE_GROUPS[self.group]

    @property
    def domains(self) -> tuple[Criterion, ...]:
        return tuple(n for n in self.nodes if n.parent is None)

    @property
    def leaves(self) -> tuple[Criterion, ...]:
        parents = {n.parent for n in self.nodes}
        return tuple(n for n in self.nodes if n.code not in parents)

    def children(self, code: str) -> tuple[Criterion, ...]:
        return tuple(n for n in self.nodes if n.parent == code)

    def node(self, code: str) -> Criterion:
        found = next((n for n in self.nodes if n.code == code), None)
        if found is None:
            raise KeyError(f"{self.path.name}: không có tiêu chí {code}")
        return found

    def domain_of(self, code: str) -> str:
        node = self.node(code)
        while node.parent is not None:
            node = self.node(node.parent)
        return node.code

    def applies(self, code: str, unit_group: str) -> bool:
        """A criterion applies to a unit group when it and all its ancestors do."""
        node: Criterion | None = self.node(code)
        while node is not None:
            if node.applies_to and unit_group not in node.applies_to:
                return False
            node = self.node(node.parent) if node.parent is not None else None
        return True

    def applicable(self, unit_group: str) -> frozenset[str]:
        """Codes of the leaves that apply to a unit group (the others leave the denominator)."""
        if unit_group not in self.unit_groups:
            raise ValueError(f"{self.path.name}: nhóm đơn vị '{unit_group}' không thuộc bộ tiêu chí nhóm {self.group}")
        return frozenset(n.code for n in self.leaves if self.applies(n.code, unit_group))

    def band_for(self, index_pct: float | None) -> str | None:
        if index_pct is None:
            return None
        return next((b.label for b in self.bands if index_pct >= b.min_pct - EPSILON), None)


# --- loading and validation --------------------------------------------------------------------------------

def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _unknown(raw: dict, allowed: frozenset[str], where: str, problems: list[str]) -> None:
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        problems.append(f"{where}: trường không hợp lệ {', '.join(unknown)} (tên có dấu phẩy phải đặt trong ngoặc kép)")


def _rule(raw: object, where: str, problems: list[str]) -> CriterionRule | None:
    if not isinstance(raw, dict) or raw.get("kind") not in RULE_KINDS:
        problems.append(f"{where}: rule phải có kind là {' hoặc '.join(RULE_KINDS)}")
        return None
    _unknown(raw, RULE_KEYS[raw["kind"]], f"{where}, rule", problems)
    if raw["kind"] == "linear":
        target = _number(raw.get("target"))
        if target is None or target <= 0:
            problems.append(f"{where}: rule linear cần target là số dương (%)")
            return None
        return CriterionRule("linear", target=target)
    steps_raw = raw.get("steps")
    steps: list[tuple[float, float]] = []
    if not isinstance(steps_raw, list) or not steps_raw:
        problems.append(f"{where}: rule thresholds cần steps [[ngưỡng, tỷ lệ điểm], ...]")
        return None
    for step in steps_raw:
        pair = [_number(v) for v in step] if isinstance(step, list) and len(step) == 2 else [None, None]
        if pair[0] is None or pair[1] is None or not 0 <= pair[1] <= 1:
            problems.append(f"{where}: bậc {step!r} phải là [ngưỡng, tỷ lệ điểm từ 0 đến 1]")
            return None
        steps.append((pair[0], pair[1]))
    if any(a[0] <= b[0] for a, b in pairwise(steps)):
        problems.append(f"{where}: các ngưỡng của steps phải giảm dần")
    if any(a[1] < b[1] for a, b in pairwise(steps)):
        problems.append(f"{where}: tỷ lệ điểm của steps không được tăng khi ngưỡng giảm")
    return CriterionRule("thresholds", steps=tuple(steps))


def _node(raw: object, i: int, tree_groups: tuple[str, ...], problems: list[str]) -> Criterion | None:
    if not isinstance(raw, dict):
        problems.append(f"nút thứ {i + 1}: phải là một bảng khóa: giá trị")
        return None
    code = raw.get("code")
    where = f"tiêu chí {code}" if code else f"nút thứ {i + 1}"
    _unknown(raw, NODE_KEYS, where, problems)
    if not isinstance(code, str | int) or not str(code).strip():
        problems.append(f"{where}: thiếu mã (code)")
        return None
    for key in ("name", "method"):
        if not raw.get(key):
            problems.append(f"{where}: thiếu trường {key}")
    max_points = _number(raw.get("max"))
    if max_points is None or max_points <= 0:
        problems.append(f"{where}: max phải là số dương")
        max_points = 0.0
    method = raw.get("method")
    if method and method not in METHODS:
        problems.append(f"{where}: method '{method}' không hợp lệ (chỉ dùng {', '.join(METHODS)})")
    formula, rule = raw.get("formula"), None
    if method == "computed":
        if formula not in FORMULAS:
            problems.append(f"{where}: công thức '{formula}' không có trong FORMULAS ({', '.join(FORMULAS)})")
        rule = _rule(raw.get("rule"), where, problems)
    elif formula is not None or raw.get("rule") is not None:
        problems.append(f"{where}: formula và rule chỉ dùng cho tiêu chí computed")
    applies_raw = raw.get("applies_to") or []
    if not isinstance(applies_raw, list):
        applies_raw = [applies_raw]
    bad = [str(g) for g in applies_raw if g not in tree_groups]
    if bad:
        problems.append(f"{where}: applies_to {', '.join(bad)} không thuộc nhóm của bộ tiêu chí ({', '.join(tree_groups)})")
    parent = raw.get("parent")
    return Criterion(code=str(code), parent=None if parent is None else str(parent), name=str(raw.get("name") or ""),
                     max_points=max_points, method=str(method or ""), formula=formula,
                     applies_to=tuple(str(g) for g in applies_raw), rule=rule)


def _bands(raw: object, problems: list[str]) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append("bands: cần danh sách [{min, label}, ...] theo thứ tự min giảm dần")
        return ()
    bands = []
    for b in raw:
        if not isinstance(b, dict):
            problems.append(f"bands: {b!r} phải có min và label")
            continue
        _unknown(b, BAND_KEYS, f"bands, {b.get('label')}", problems)
        low = _number(b.get("min"))
        if low is None or not 0 <= low <= 100 or not b.get("label"):
            problems.append(f"bands: {b!r} cần min từ 0 đến 100 và label")
            continue
        bands.append(Band(low, str(b["label"])))
    if any(a.min_pct <= b.min_pct for a, b in pairwise(bands)):
        problems.append("bands: min phải giảm dần (xếp loại cao nhất trước)")
    labels = [b.label for b in bands]
    if len(set(labels)) != len(labels):
        problems.append("bands: nhãn xếp loại bị trùng")
    return tuple(bands)


def _structure(nodes: list[Criterion], tree_max: float, tree_groups: tuple[str, ...], problems: list[str]) -> None:
    codes = [n.code for n in nodes]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"mã tiêu chí {code} bị trùng")
    by_code = {n.code: n for n in nodes}
    for n in nodes:
        if n.parent is not None and n.parent not in by_code:
            problems.append(f"tiêu chí {n.code}: tiêu chí cha {n.parent} không tồn tại")
    for n in nodes:  # cycles: walking up from any node must reach a domain
        seen, cur = {n.code}, n
        while cur.parent is not None and cur.parent in by_code:
            if cur.parent in seen:
                problems.append(f"tiêu chí {n.code}: vòng lặp cha–con ({' → '.join([*seen, cur.parent])})")
                break
            seen.add(cur.parent)
            cur = by_code[cur.parent]
    children: dict[str, list[Criterion]] = {}
    for n in nodes:
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n)
    for n in nodes:
        kids = children.get(n.code, [])
        if n.method == "group" and not kids:
            problems.append(f"tiêu chí {n.code}: nút group không có tiêu chí con")
        if kids and n.method not in ("group", ""):
            problems.append(f"tiêu chí {n.code}: có tiêu chí con nên method phải là group (không phải {n.method})")
        if kids and not math.isclose(sum(k.max_points for k in kids), n.max_points, abs_tol=1e-6):
            problems.append(f"tiêu chí {n.code}: tổng điểm tiêu chí con {sum(k.max_points for k in kids):g} ≠ {n.max_points:g}")
        if n.applies_to and n.parent in by_code:  # a child may narrow its parent's groups, never widen them
            allowed = _effective_groups(n.parent, by_code, tree_groups)
            wider = [g for g in n.applies_to if g in tree_groups and g not in allowed]
            if wider:
                problems.append(f"tiêu chí {n.code}: applies_to {', '.join(wider)} rộng hơn tiêu chí cha {n.parent}")
    domains = [n for n in nodes if n.parent is None]
    if not domains:
        problems.append("không có lĩnh vực nào (nút có parent null)")
    elif not math.isclose(sum(d.max_points for d in domains), tree_max, abs_tol=1e-6):
        problems.append(f"tổng điểm các lĩnh vực {sum(d.max_points for d in domains):g} ≠ max {tree_max:g}")


def _effective_groups(code: str, by_code: dict[str, Criterion], tree_groups: tuple[str, ...]) -> set[str]:
    groups, seen, cur = set(tree_groups), set(), by_code.get(code)
    while cur is not None and cur.code not in seen:
        seen.add(cur.code)
        if cur.applies_to:
            groups &= set(cur.applies_to)
        cur = by_code.get(cur.parent) if cur.parent is not None else None
    return groups


def load_tree(path: Path | str) -> CriteriaTree:
    """Read and validate one criteria tree; every problem is listed in one TreeError naming the file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise TreeError(path.name, [f"không đọc được tệp: {err}"]) from None
    if not isinstance(raw, dict):
        raise TreeError(path.name, ["tệp phải là một bảng khóa: giá trị"])
    problems: list[str] = []
    _unknown(raw, TREE_KEYS, "bộ tiêu chí", problems)
    for key in ("index", "decision"):
        if not raw.get(key) or not isinstance(raw.get(key), str):
            problems.append(f"thiếu trường {key}")
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append("year phải là số năm (ví dụ 2026)")
        year = 0
    group = raw.get("group")
    if group not in TREE_GROUPS:
        problems.append(f"group phải là {' hoặc '.join(TREE_GROUPS)}")
    tree_groups = TREE_GROUPS.get(group, ())
    if not isinstance(raw.get("default", False), bool):
        problems.append("default phải là true hoặc false")
    tree_max = _number(raw.get("max"))
    if tree_max is None or tree_max <= 0:
        problems.append("max phải là số dương")
        tree_max = 0.0
    bands = _bands(raw.get("bands"), problems)
    nodes_raw = raw.get("nodes")
    if not isinstance(nodes_raw, list) or not nodes_raw:
        problems.append("nodes: cần danh sách tiêu chí")
        nodes_raw = []
    nodes = [n for i, r in enumerate(nodes_raw) if (n := _node(r, i, tree_groups, problems)) is not None]
    _structure(nodes, tree_max, tree_groups, problems)
    tree = None
    if not problems:
        tree = CriteriaTree(path=path, index=raw["index"], year=year, group=group, decision=raw["decision"],
                            default=bool(raw.get("default", False)), max_points=tree_max, bands=bands,
                            nodes=tuple(nodes))
        for unit_group in tree_groups:
            if not tree.applicable(unit_group):
                problems.append(f"không có tiêu chí nào áp dụng cho nhóm {unit_group}")
    if problems:
        raise TreeError(path.name, problems)
    assert tree is not None
    return tree


def _folder_signature(folder: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml")))


@lru_cache(maxsize=16)
def _trees_in(folder: Path, signature: tuple) -> tuple[CriteriaTree, ...]:
    """Every tree of a folder, read once per content of the folder (an edited file is read again)."""
    return tuple(load_tree(folder / name) for name, _, _ in signature)


def tree_for(index: str, year: int, group: str, folder: Path = PAR_DIR) -> CriteriaTree:
    """The tree of an index for a year and ranking group (``agency`` | ``local``; a unit group commune/ward means
    local). Each year has its own file; the province's decision (``default: false``) wins over a default tree, and
    among files of the same kind the last by file name wins."""
    group = next((g for g, members in TREE_GROUPS.items() if group == g or group in members), group)
    trees = _trees_in(Path(folder), _folder_signature(Path(folder)))
    found = [t for t in trees if t.index == index and t.year == year and t.group == group]
    if not found:
        have = sorted({f"{t.index} {t.year} {t.group}" for t in trees}) or ["không có tệp nào"]
        raise TreeError(str(folder), [(f"không có bộ tiêu chí {index} năm {year} cho nhóm {group}: thêm tệp "
                                       f"{index}_{year}_{group}_<quyết định>.yaml (hiện có: {', '.join(have)})")])
    return sorted(found, key=lambda t: (not t.default, t.path.name))[-1]


# --- scoring -----------------------------------------------------------------------------------------------

@dataclass
class CriterionInput:
    self_points: float | None = None  # the unit's self-assessment (form)
    appraised_points: float | None = None  # the council's appraisal (thẩm định)
    survey_points: float | None = None  # SIPAS / leaders' survey
    computed_value: float | None = None  # the warehouse's value (percent) for a computed criterion
    self_claimed_value: float | None = None  # the value the unit reported for a computed criterion


@dataclass
class UnitScore:
    unit_group: str
    criteria: list[dict]  # one row per leaf, in tree order
    domains: list[dict]
    total: float
    max_applicable: float
    index_pct: float | None
    band: str | None
    provisional: bool  # some self-assessed criterion has no appraisal yet
    overclaims: tuple[str, ...] = field(default=())

    def criteria_by_points_lost(self) -> list[dict]:
        """Applicable criteria, the most points the unit could recover first (then by code)."""
        rows = [r for r in self.criteria if r["applicable"]]
        return sorted(rows, key=lambda r: (-r["points_lost"], r["code"]))

    def domains_by_points_lost(self) -> list[dict]:
        return sorted(self.domains, key=lambda r: (-r["points_lost"], r["code"]))


def _check_points(code: str, value: float | None, max_points: float, what: str) -> None:
    if value is not None and not -EPSILON <= value <= max_points + EPSILON:
        raise ValueError(f"tiêu chí {code}: {what} {value:g} ngoài khoảng 0..{max_points:g}")


def score_unit(tree: CriteriaTree, unit_group: str, inputs: dict[str, CriterionInput]) -> UnitScore:
    """Points of one unit: appraised points (else self points, provisional) for self-assessed criteria, survey points,
    computed rules on the warehouse's values; criteria not applicable to the unit's group leave the denominator.
    Index % = points / max of the applicable criteria × 100, band from the tree."""
    applicable = tree.applicable(unit_group)
    leaves = {n.code for n in tree.leaves}
    unknown = sorted(set(inputs) - leaves)
    if unknown:
        raise ValueError(f"{tree.path.name}: mã tiêu chí không có trong bộ tiêu chí (hoặc không phải tiêu chí lá): {', '.join(unknown)}")
    rows, provisional = [], False
    for n in tree.leaves:
        given = inputs.get(n.code) or CriterionInput()
        for what in ("self_points", "appraised_points", "survey_points"):
            _check_points(n.code, getattr(given, what), n.max_points, what)
        points, source, overclaim = None, "not_applicable", False
        if n.code in applicable:
            if n.method == "self":
                if given.appraised_points is not None:
                    points, source = float(given.appraised_points), "appraised"
                else:
                    provisional = True
                    points, source = (float(given.self_points), "self_provisional") if given.self_points is not None \
                        else (0.0, "missing")
            elif n.method in SURVEY_METHODS:
                points, source = (float(given.survey_points), "survey") if given.survey_points is not None else (0.0, "missing")
            elif given.computed_value is not None:
                assert n.rule is not None
                points, source = n.rule.points(n.max_points, float(given.computed_value)), "computed"
                overclaim = (given.self_points is not None and given.self_points > points + EPSILON) or (
                    given.self_claimed_value is not None and given.self_claimed_value > given.computed_value + EPSILON)
            elif given.appraised_points is not None:
                # The warehouse cannot measure it for this unit: the council's appraised points stand in.
                points, source = float(given.appraised_points), "appraised"
            else:
                # Not measurable for this unit (e.g. plan tasks it does not lead) and not appraised: not evaluated,
                # so it leaves the denominator rather than costing the unit points (methodology §1.2).
                points, source = None, "not_measured"
            points = None if points is None else round(points, 2)
        rows.append({
            "code": n.code, "parent": n.parent, "domain": tree.domain_of(n.code), "name": n.name, "method": n.method,
            "max_points": n.max_points, "applicable": n.code in applicable, "self_points": given.self_points,
            "appraised_points": given.appraised_points, "survey_points": given.survey_points,
            "computed_value": given.computed_value, "self_claimed_value": given.self_claimed_value, "points": points,
            "points_lost": 0.0 if points is None else round(n.max_points - points, 2), "source": source,
            "overclaim": overclaim,
        })
    domains = []
    for d in tree.domains:
        mine = [r for r in rows if r["domain"] == d.code and r["applicable"] and r["points"] is not None]
        max_points = round(sum(r["max_points"] for r in mine), 2)
        points = round(sum(r["points"] for r in mine), 2)
        domains.append({"code": d.code, "name": d.name, "max_points": max_points, "points": points,
                        "points_lost": round(max_points - points, 2)})
    total = round(sum(d["points"] for d in domains), 2)
    max_applicable = round(sum(d["max_points"] for d in domains), 2)
    index_pct = round(100 * total / max_applicable, 2) if max_applicable > 0 else None
    return UnitScore(unit_group=unit_group, criteria=rows, domains=domains, total=total, max_applicable=max_applicable,
                     index_pct=index_pct, band=tree.band_for(index_pct), provisional=provisional,
                     overclaims=tuple(r["code"] for r in rows if r["overclaim"]))


def rank(units: pd.DataFrame, by: tuple[str, ...] = ("ranking_group",), score: str = "index_pct") -> pd.DataFrame:
    """Competition ranking (1, 2, 2, 4) of the units' index % within each ranking group, ties flagged
    (``rank``, ``is_tied``, ``units_in_group``; see scoring/ranking.rank_within). Every unit is out of its own
    applicable maximum, so the index %, not the total, is compared."""
    return rank_within(units, by=by, score=score, evaluated=None)
