"""Criteria trees of the indices the department scores units on (PAR index, DTI) and the scoring of one unit
against its tree. Pure functions.

A tree is a methodology file `methodology/<index>/<index>_<year>_<group>_<decision>.yaml` (keys in
`methodology/README.md`): the domains or main indices (parent null) and their criteria and components, each scored by
self-assessment appraised by the council (`self`: points, or an answer a rule turns into points), a survey
(`survey_sipas`, `survey_leaders`), a rule applied to a value the warehouse measures (`computed`, formula in FORMULAS)
or to a value another system supplies (`external`). Inner nodes (`group`) are the sum of their children. A tree
aggregates by `sum` (PAR: points over the applicable maximum) or `weighted` (DTI: each main index normalised to 0..1
and weighted, QĐ 922/QĐ-BTTTT).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from scoring.methodology_schema import (
    FORMULAS,
    ChoiceRule,
    CriterionRuleModel,
    SchemaProblems,
    TargetRule,
    TreeBand,
    TreeFile,
    TreeNode,
    TreePillar,
    YesNoRule,
    line_of,
    read_model,
)
from scoring.rounding import round_half_up

METHODOLOGY_DIR = Path(__file__).resolve().parent.parent / "methodology"

METHODS = ("group", "self", "survey_sipas", "survey_leaders", "computed", "external")
SURVEY_METHODS = ("survey_sipas", "survey_leaders")
RULE_KINDS = ("target", "thresholds", "yes_no", "choice")  # methodology/README.md; `linear` is the old word for target
AGGREGATIONS = ("sum", "weighted")
# Ranking group of a tree -> the unit groups it scores (common/units.py: agency | commune | ward; a province for
# the national province-level DTI).
TREE_GROUPS = {"agency": ("agency",), "local": ("commune", "ward"), "province": ("province",)}
# Where a criterion's points came from (score_unit's ``source``), with the label the workbooks show.
SOURCES = {
    "appraised": "Thẩm định",
    "self_provisional": "Tự đánh giá (tạm tính)",
    "survey": "Điều tra xã hội học",
    "computed": "Tính từ dữ liệu",
    "external": "Hệ thống khác",
    "missing": "Thiếu dữ liệu",
    "not_measured": "Không đo được",
    "not_applicable": "Không áp dụng",
    # a criterion of the unit's group that does not apply to this unit (a sở without public service units): the
    # council's "Không áp dụng", or the unit's own until the appraisal (tạm tính)
    "unit_not_applicable": "Không áp dụng cho đơn vị",
    "not_surveyed": "Không điều tra xã hội học (điểm quy về thang 100 không có tiêu chí này)",
}

YES_WORDS = frozenset({"co", "x", "yes", "dat", "1", "true"})
NO_WORDS = frozenset({"khong", "no", "khongdat", "0", "false"})
EPSILON = 1e-9


class TreeError(ValueError):
    """A criteria tree that cannot be used; the message names the file and every problem (also in ``problems``)."""

    def __init__(self, where: str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class CriterionRule:
    """How a value becomes points: ``target`` max × min(1, value/target) (the old word ``linear`` is still read);
    ``thresholds`` the share of max of the first step (value ≥ step, steps in descending order), 0 below every step; ``yes_no`` max for yes (value 1), 0 for no;
    ``choice`` the share of max of the chosen answer (the value is that share). ``value_range`` is what a value may
    be (percent 0..100 unless the file says otherwise); anything outside it is rejected, never clipped."""

    kind: str
    target: float | None = None
    steps: tuple[tuple[float, float], ...] = ()
    options: tuple[tuple[str, float], ...] = ()  # choice: (answer as written on the form, share of max)
    value_range: tuple[float, float] = (0.0, 100.0)

    def points(self, max_points: float, value: float) -> float:
        if self.kind == "target":
            assert self.target is not None
            return max_points * min(1.0, max(0.0, value) / self.target)
        if self.kind == "thresholds":
            share = next((s for at_least, s in self.steps if value >= at_least - EPSILON), 0.0)
            return max_points * share
        return max_points * min(1.0, max(0.0, value))  # yes_no (1/0) and choice (the answer's share)

    @property
    def stored_word(self) -> str:
        """The word the marts carry for this rule (`mart_dti_component.rule_kind`): still `linear` for `target`, so
        published outputs do not move with the renaming; switching it is a named change of the marts."""
        return "linear" if self.kind == "target" else self.kind

    def answers(self) -> tuple[str, ...]:
        """The answers a form offers for this rule (a drop-down list); empty for a number."""
        if self.kind == "yes_no":
            return ("Có", "Không")
        return tuple(label for label, _ in self.options)

    def _chosen(self, key: str, answer: object) -> tuple[float | None, str | None]:
        """``value_of`` of a yes/no or choice answer (``key``: its match_key)."""
        from common.vntext import match_key

        if self.kind == "yes_no":
            if key in YES_WORDS:
                return 1.0, None
            if key in NO_WORDS:
                return 0.0, None
            return None, f"'{answer}' không phải 'Có' hoặc 'Không'"
        for label, share in self.options:
            if match_key(label) == key:
                return share, None
        return None, f"'{answer}' không thuộc các lựa chọn: {'; '.join(self.answers())}"

    def value_of(self, answer: object, *, percent: bool = True) -> tuple[float | None, str | None]:
        """(value, None) for a readable answer: a number for linear/thresholds, 1/0 for yes/no, the chosen answer's
        share for a choice; (None, Vietnamese reason) otherwise. Tone marks, case and spacing do not matter. Without
        ``percent`` (a count, a score on another scale) a number written with '%' is no answer: "85%" is no 85
        articles."""
        from common.vntext import AMBIGUOUS_NUMBER, ambiguous_thousands, match_key, parse_decimal

        if answer is None or (isinstance(answer, str) and not answer.strip()):
            return None, "chưa có câu trả lời"
        if self.kind in ("yes_no", "choice"):
            return self._chosen(match_key(str(answer).strip().rstrip(".")), answer)
        if isinstance(answer, bool):
            return None, f"'{answer}' không phải số"
        if isinstance(answer, str) and ambiguous_thousands(answer.replace("\u00a0", " "), self.value_range[1]):
            return None, f"'{answer}': {AMBIGUOUS_NUMBER}"
        text = str(answer).replace("\u00a0", " ")
        parsed = float(answer) if isinstance(answer, int | float) else parse_decimal(text, percent_sign=percent)
        if parsed is None:
            if not percent and parse_decimal(text) is not None:
                return None, f"'{answer}' là tỷ lệ phần trăm, tiêu chí này hỏi một con số (số lượng), không phải tỷ lệ"
            return None, f"'{answer}' không phải số"
        value = parsed
        low, high = self.value_range
        if math.isnan(value) or not low - EPSILON <= value <= high + EPSILON:
            return None, f"giá trị {value:g} ngoài khoảng {low:g}..{high:g}"
        return value, None


@dataclass(frozen=True)
class Band:
    min_pct: float  # index % at or above which a unit is in this band (above it only, with ``above``)
    label: str
    above: bool = False  # "tốt > 80": exactly min_pct is the band below


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
    weight: float | None = None  # main indices of a weighted tree: weight of the normalised value (default: max)
    source: str | None = None  # where the value comes from, for the publication (e.g. the other system's name)

    @property
    def scored_weight(self) -> float:
        return self.max_points if self.weight is None else self.weight


@dataclass(frozen=True)
class Pillar:
    """A pillar of a weighted tree (QĐ 922: Chính quyền số, Kinh tế số, Xã hội số): the weighted mean of its main
    indices' values."""

    code: str
    name: str
    domains: tuple[str, ...]


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
    aggregation: str = "sum"  # sum | weighted
    pillars: tuple[Pillar, ...] = ()
    # A computed criterion the warehouse cannot measure for a unit and not appraised yet: "self" scores the unit's
    # own points provisionally (PAR: methodology §1.2 drops only what does not apply), "leave_out" drops it from the
    # denominator (DTI: a unit without dossiers or tasks led has nothing to measure).
    unmeasured: str = "leave_out"

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
        return next(
            (b.label for b in self.bands if (index_pct > b.min_pct + EPSILON if b.above else index_pct >= b.min_pct - EPSILON)),
            None,
        )


# --- loading and validation --------------------------------------------------------------------------------
# The shape of a file (keys, types, allowed words) is TreeFile in scoring/methodology_schema.py; what follows are
# the rules that span several fields: sums of maxima, parents that exist, bands and steps in order, …


class _Lines:
    """Line numbers of a file's nodes, so that a cross-field problem names its line too."""

    def __init__(self, root: yaml.Node | None):
        self.root = root

    def at(self, *loc: int | str) -> str:
        line = line_of(self.root, loc)
        return f"dòng {line}, " if line else ""


def _value_range(raw: list[float] | None, where: str, problems: list[str]) -> tuple[float, float]:
    low, high = raw if raw is not None else (0.0, 100.0)
    if low >= high:
        problems.append(f"{where}: range phải là [nhỏ nhất, lớn nhất] của giá trị")
        return (0.0, 100.0)
    return (float(low), float(high))


def _rule(raw: CriterionRuleModel, where: str, problems: list[str]) -> CriterionRule:
    from common.vntext import match_key

    if isinstance(raw, YesNoRule):
        return CriterionRule("yes_no", value_range=(0.0, 1.0))
    if isinstance(raw, ChoiceRule):
        keys = [match_key(o.label) for o in raw.options]
        if len(set(keys)) != len(keys):
            problems.append(f"{where}: các lựa chọn bị trùng (không phân biệt dấu, hoa thường)")
        return CriterionRule(
            "choice", options=tuple((o.label.strip(), float(o.share)) for o in raw.options), value_range=(0.0, 1.0)
        )
    value_range = _value_range(raw.range, where, problems)
    if isinstance(raw, TargetRule):  # `linear` (the old word) is read as `target`
        return CriterionRule("target", target=float(raw.target), value_range=value_range)
    steps = tuple((float(at), float(share)) for at, share in raw.steps)
    if any(not 0 <= share <= 1 for _, share in steps):
        problems.append(f"{where}: tỷ lệ điểm của mỗi bậc [ngưỡng, tỷ lệ điểm] phải từ 0 đến 1")
    if any(a[0] <= b[0] for a, b in pairwise(steps)):
        problems.append(f"{where}: các ngưỡng của steps phải giảm dần")
    if any(a[1] < b[1] for a, b in pairwise(steps)):
        problems.append(f"{where}: tỷ lệ điểm của steps không được tăng khi ngưỡng giảm")
    return CriterionRule("thresholds", steps=steps, value_range=value_range)


def _node(raw: TreeNode, where: str, tree_groups: tuple[str, ...], problems: list[str]) -> Criterion:
    rule = None
    if raw.method in ("computed", "external") and raw.rule is None:
        problems.append(f"{where}: tiêu chí {raw.method} cần rule")
    if raw.method == "computed" and raw.formula is None:
        problems.append(f"{where}: tiêu chí computed cần formula ({', '.join(FORMULAS)})")
    if raw.rule is not None:
        if raw.method in ("self", "computed", "external"):  # self with a rule: the unit answers, the rule gives points
            rule = _rule(raw.rule, where, problems)
        else:
            problems.append(f"{where}: rule chỉ dùng cho tiêu chí self, computed hoặc external")
    if raw.formula is not None and raw.method != "computed":
        problems.append(f"{where}: formula chỉ dùng cho tiêu chí computed")
    if raw.weight is not None and raw.parent is not None:
        problems.append(f"{where}: weight chỉ dùng cho chỉ số chính (parent null)")
    applies_to = tuple(raw.applies_to or ())
    bad = [g for g in applies_to if g not in tree_groups]
    if bad:
        problems.append(f"{where}: applies_to {', '.join(bad)} không thuộc nhóm của bộ tiêu chí ({', '.join(tree_groups)})")
    return Criterion(
        code=raw.code,
        parent=raw.parent,
        name=raw.name,
        max_points=float(raw.max),
        method=raw.method,
        formula=raw.formula,
        applies_to=applies_to,
        rule=rule,
        weight=None if raw.weight is None else float(raw.weight),
        source=raw.source,
    )


def _bands(raw: list[TreeBand], lines: _Lines, problems: list[str]) -> tuple[Band, ...]:
    bands = tuple(Band(float(b.min), b.label, b.above) for b in raw)
    if any(a.min_pct <= b.min_pct for a, b in pairwise(bands)):
        problems.append(f"{lines.at('bands')}bands: min phải giảm dần (xếp loại cao nhất trước)")
    labels = [b.label for b in bands]
    if len(set(labels)) != len(labels):
        problems.append(f"{lines.at('bands')}bands: nhãn xếp loại bị trùng")
    return bands


def _structure(
    nodes: list[Criterion], tree_max: float, tree_groups: tuple[str, ...], aggregation: str, lines: _Lines, problems: list[str]
) -> None:
    line = {n.code: lines.at("nodes", i) for i, n in reversed(list(enumerate(nodes)))}  # first occurrence wins
    _links(nodes, line, problems)
    _children(nodes, line, tree_groups, problems)
    _domains(nodes, tree_max, aggregation, lines, problems)


def _links(nodes: list[Criterion], line: dict[str, str], problems: list[str]) -> None:
    """Codes unique, parents that exist, no cycle."""
    codes = [n.code for n in nodes]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"{line[code]}mã tiêu chí {code} bị trùng")
    by_code = {n.code: n for n in nodes}
    for n in nodes:
        if n.parent is not None and n.parent not in by_code:
            problems.append(f"{line[n.code]}tiêu chí {n.code}: tiêu chí cha {n.parent} không tồn tại")
    for n in nodes:  # cycles: walking up from any node must reach a domain
        seen, cur = {n.code}, n
        while cur.parent is not None and cur.parent in by_code:
            if cur.parent in seen:
                problems.append(f"{line[n.code]}tiêu chí {n.code}: vòng lặp cha–con ({' → '.join([*seen, cur.parent])})")
                break
            seen.add(cur.parent)
            cur = by_code[cur.parent]


def _children(nodes: list[Criterion], line: dict[str, str], tree_groups: tuple[str, ...], problems: list[str]) -> None:
    """A group has children, and only a group; children add up to their parent and never widen its unit groups."""
    by_code = {n.code: n for n in nodes}
    children: dict[str, list[Criterion]] = {}
    for n in nodes:
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n)
    for n in nodes:
        kids, where = children.get(n.code, []), f"{line[n.code]}tiêu chí {n.code}"
        if n.method == "group" and not kids:
            problems.append(f"{where}: nút group không có tiêu chí con")
        if kids and n.method != "group":
            problems.append(f"{where}: có tiêu chí con nên method phải là group (không phải {n.method})")
        if kids and not math.isclose(sum(k.max_points for k in kids), n.max_points, abs_tol=1e-6):
            problems.append(f"{where}: tổng điểm tiêu chí con {sum(k.max_points for k in kids):g} ≠ {n.max_points:g}")
        if n.applies_to and n.parent in by_code:  # a child may narrow its parent's groups, never widen them
            allowed = _effective_groups(n.parent, by_code, tree_groups)
            wider = [g for g in n.applies_to if g in tree_groups and g not in allowed]
            if wider:
                problems.append(f"{where}: applies_to {', '.join(wider)} rộng hơn tiêu chí cha {n.parent}")


def _domains(nodes: list[Criterion], tree_max: float, aggregation: str, lines: _Lines, problems: list[str]) -> None:
    """The domains' maxima (sum) or weights (weighted) add up to the tree's max."""
    domains = [n for n in nodes if n.parent is None]
    if not domains:
        problems.append("không có lĩnh vực nào (nút có parent null)")
    elif aggregation == "weighted":
        # Each main index is normalised to 0..1 and weighted; the weights (default: the index's max) add up to max.
        if not math.isclose(sum(d.scored_weight for d in domains), tree_max, abs_tol=1e-6):
            problems.append(
                f"{lines.at('max')}tổng trọng số các chỉ số chính {sum(d.scored_weight for d in domains):g} ≠ max {tree_max:g}"
            )
        if not any(d.scored_weight > 0 for d in domains):
            problems.append("mọi chỉ số chính đều có trọng số 0")
    else:
        if any(d.weight is not None for d in domains):
            problems.append("weight chỉ dùng khi aggregation: weighted")
        if not math.isclose(sum(d.max_points for d in domains), tree_max, abs_tol=1e-6):
            problems.append(f"{lines.at('max')}tổng điểm các lĩnh vực {sum(d.max_points for d in domains):g} ≠ max {tree_max:g}")


def _pillars(raw: list[TreePillar] | None, domains: set[str], lines: _Lines, problems: list[str]) -> tuple[Pillar, ...]:
    pillars = []
    for i, p in enumerate(raw or ()):
        unknown = [d for d in p.domains if d not in domains]
        if unknown:
            problems.append(
                f"{lines.at('pillars', i)}trụ cột {p.code}: chỉ số chính {', '.join(unknown)} không có trong bộ tiêu chí"
            )
        pillars.append(Pillar(p.code, p.name, tuple(p.domains)))
    return tuple(pillars)


def _effective_groups(code: str, by_code: dict[str, Criterion], tree_groups: tuple[str, ...]) -> set[str]:
    groups, seen, cur = set(tree_groups), set(), by_code.get(code)
    while cur is not None and cur.code not in seen:
        seen.add(cur.code)
        if cur.applies_to:
            groups &= set(cur.applies_to)
        cur = by_code.get(cur.parent) if cur.parent is not None else None
    return groups


def load_tree(path: Path | str) -> CriteriaTree:
    """Read and validate one criteria tree; every problem is listed in one TreeError naming the file and the line."""
    path = Path(path)
    try:
        raw, root = read_model(path, TreeFile)
    except SchemaProblems as bad:
        raise TreeError(path.name, bad.problems) from None
    lines = _Lines(root)
    problems: list[str] = []
    tree_groups = TREE_GROUPS[raw.group]
    bands = _bands(raw.bands, lines, problems)
    nodes = [_node(n, f"{lines.at('nodes', i)}tiêu chí {n.code}", tree_groups, problems) for i, n in enumerate(raw.nodes)]
    _structure(nodes, float(raw.max), tree_groups, raw.aggregation, lines, problems)
    pillars = _pillars(raw.pillars, {n.code for n in nodes if n.parent is None}, lines, problems)
    # par_2026_local_….yaml must say year 2026 and group local: a copied file whose year was left (or changed) would
    # silently become another year's tree and rescore a year already published.
    named = re.match(r"(par|dti)_(\d{4})_([a-z]+)_", path.name)
    if named and (named.group(1), int(named.group(2)), named.group(3)) != (raw.index, raw.year, raw.group):
        problems.append(
            f"tên tệp nói {named.group(1)} năm {named.group(2)} nhóm {named.group(3)} nhưng tệp ghi {raw.index} năm "
            f"{raw.year} nhóm {raw.group} ({lines.at('year')}): sửa cho khớp (tên tệp <chỉ số>_<năm>_<nhóm>_<quyết định>.yaml)"
        )
    tree = None
    if not problems:
        tree = CriteriaTree(
            path=path,
            index=raw.index,
            year=raw.year,
            group=raw.group,
            decision=raw.decision,
            default=raw.default,
            max_points=float(raw.max),
            bands=bands,
            nodes=tuple(nodes),
            aggregation=raw.aggregation,
            pillars=pillars,
            unmeasured=raw.unmeasured,
        )
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


PROVINCE_PLACEHOLDER = "$province"  # in a default tree's decision: the province served ("tỉnh Thái Nguyên")


def decision_text(decision: str, province: str | None = None) -> str:
    """A tree's decision with ``$province`` filled with the province served (``province``, else CCHC_PROVINCE) as
    documents name it: "… của UBND tỉnh Thái Nguyên …", "… của UBND thành phố Hà Nội …"."""
    if PROVINCE_PLACEHOLDER not in decision:
        return decision
    from common.settings import get_settings
    from common.units import province_name

    return decision.replace(PROVINCE_PLACEHOLDER, province_name(province or get_settings().province).full)


def tree_for(index: str, year: int, group: str, folder: Path | None = None, province: str | None = None) -> CriteriaTree:
    """The tree of an index for a year and ranking group (``agency`` | ``local``; a unit group commune/ward means
    local), from ``methodology/<index>/`` unless a folder is given. Each year has its own file; the province's
    decision (``default: false``) wins over a default tree (of two default trees the last by file name; two decisions
    are refused, naming both). A default tree's decision names the province served (``province``, else CCHC_PROVINCE): ``decision_text``."""
    group = next((g for g, members in TREE_GROUPS.items() if group == g or group in members), group)
    folder = Path(folder) if folder is not None else METHODOLOGY_DIR / index
    if not folder.is_dir():
        raise TreeError(str(folder), [f"không có thư mục bộ tiêu chí của chỉ số {index}"])
    trees = _trees_in(folder, _folder_signature(folder))
    found = [t for t in trees if t.index == index and t.year == year and t.group == group]
    if not found:
        have = sorted({f"{t.index} {t.year} {t.group}" for t in trees}) or ["không có tệp nào"]
        raise TreeError(
            str(folder),
            [
                (
                    f"không có bộ tiêu chí {index} năm {year} cho nhóm {group}: thêm tệp "
                    f"{index}_{year}_{group}_<quyết định>.yaml (hiện có: {', '.join(have)})"
                )
            ],
        )
    decisions = sorted(t.path.name for t in found if not t.default)
    if len(decisions) > 1:  # which decision replaced which cannot be told from the files: never by their names' order
        raise TreeError(
            str(folder),
            [
                (
                    f"{len(decisions)} quyết định cho bộ tiêu chí {index} năm {year} nhóm {group} ({', '.join(decisions)}): "
                    "giữ một tệp, chuyển tệp của quyết định đã bị thay thế ra khỏi thư mục"
                )
            ],
        )
    tree = sorted(found, key=lambda t: (not t.default, t.path.name))[-1]
    return replace(tree, decision=decision_text(tree.decision, province))


# --- scoring -----------------------------------------------------------------------------------------------


@dataclass
class CriterionInput:
    self_points: float | None = None  # the unit's self-assessment (form)
    appraised_points: float | None = None  # the council's appraisal (thẩm định)
    survey_points: float | None = None  # SIPAS / leaders' survey
    computed_value: float | None = None  # the warehouse's value (percent) for a computed criterion
    self_claimed_value: float | None = None  # the value the unit reported for a computed criterion
    self_answer: str | None = None  # a rule-scored self-assessed criterion: the answer as written (points from the rule)
    external_value: float | None = None  # the value another system supplied for an external criterion
    self_not_applicable: bool = False  # the unit wrote "Không áp dụng" for a self-assessed criterion
    appraised_not_applicable: bool = False  # the council did (its points, if any, win over the unit's word)
    survey_not_conducted: bool = False  # the survey office wrote that the unit was not surveyed ("Không khảo sát")


@dataclass
class UnitScore:
    unit_group: str
    criteria: list[dict]  # one row per leaf, in tree order
    domains: list[dict]
    total: float  # sum: points; weighted: Σ weight × main-index value (on the tree's scale, e.g. 100 or 1000)
    max_applicable: float
    index_pct: float | None
    band: str | None
    provisional: bool  # some self-assessed criterion has no appraisal yet, or some survey points have not arrived
    overclaims: tuple[str, ...] = field(default=())
    index_value: float | None = None  # 0..1 (DTI publishes this)
    pillars: list[dict] = field(default_factory=list)
    missing: int = 0  # applicable criteria without any input (scored 0)


# A share's name: "(%)", "(% người dân)", "tỷ lệ" / "tỉ lệ", "tỷ trọng", "phần trăm".
_A_SHARE = re.compile(r"%|\bt[ỷỉ] (?:lệ|trọng)\b|\bphần trăm\b", re.IGNORECASE)


def answers_in_percent(node: Criterion) -> bool:
    """Whether a criterion's answer is a share, which may be written with '%': its name says so (_A_SHARE), or its
    values run 0..100 (a count's run further: meetings in a year, articles)."""
    assert node.rule is not None
    return _A_SHARE.search(node.name) is not None or node.rule.value_range == (0.0, 100.0)


def answer_points(node: Criterion, answer: object) -> tuple[float | None, float | None, str | None]:
    """(value, points, None) for a unit's answer to a rule-scored criterion, or (None, None, Vietnamese reason)."""
    if node.rule is None:
        raise ValueError(f"tiêu chí {node.code} không chấm theo câu trả lời (không có rule)")
    value, problem = node.rule.value_of(answer, percent=answers_in_percent(node))
    if value is None:
        return None, None, problem
    return value, round(node.rule.points(node.max_points, value), 4), None


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
        raise ValueError(
            f"{tree.path.name}: mã tiêu chí không có trong bộ tiêu chí (hoặc không phải tiêu chí lá): {', '.join(unknown)}"
        )
    rows: list[dict[str, Any]] = []
    provisional = False
    for n in tree.leaves:
        given = inputs.get(n.code) or CriterionInput()
        for what in ("self_points", "appraised_points", "survey_points"):
            _check_points(n.code, getattr(given, what), n.max_points, what)
        points: float | None = None
        source, overclaim = "not_applicable", False
        # Methodology §1.2: a criterion that does not apply to the unit leaves its denominator; said by the council, or
        # by the unit until the council has appraised the criterion (then provisional).
        said_not_applicable = n.method == "self" and (
            given.appraised_not_applicable or (given.self_not_applicable and given.appraised_points is None)
        )
        if n.code in applicable and said_not_applicable:
            source = "unit_not_applicable"
            provisional = provisional or not given.appraised_not_applicable
        elif n.code in applicable and n.method in SURVEY_METHODS and given.survey_not_conducted:
            # Methodology §1.2: without the survey, the appraised points are the index, brought to the scale of 100
            source = "not_surveyed"
        elif n.code in applicable:
            points, source, overclaim = _leaf_points(n, given, self_when_unmeasured=tree.unmeasured == "self")
            points = None if points is None else round_half_up(points)
            # tạm tính: a self-assessed criterion not appraised yet, or a survey whose points have not arrived (the
            # index would otherwise be final with the survey's 32 points at 0)
            provisional = (
                provisional
                or (n.method == "self" and given.appraised_points is None)
                or source == "self_provisional"
                or (n.method in SURVEY_METHODS and source == "missing")
            )
        rows.append(
            {
                "code": n.code,
                "parent": n.parent,
                "domain": tree.domain_of(n.code),
                "name": n.name,
                "method": n.method,
                "max_points": n.max_points,
                "applicable": n.code in applicable and source not in ("unit_not_applicable", "not_surveyed"),
                "self_points": given.self_points,
                "appraised_points": given.appraised_points,
                "survey_points": given.survey_points,
                "computed_value": None if given.computed_value is None else round_half_up(given.computed_value, 2),
                "self_claimed_value": given.self_claimed_value,
                "self_answer": given.self_answer,
                "external_value": given.external_value,
                "points": points,
                "points_lost": 0.0 if points is None else round_half_up(n.max_points - points),
                "source": source,
                "overclaim": overclaim,
            }
        )
    domains = _domain_rows(tree, rows)
    max_applicable = round_half_up(sum(d["max_points"] for d in domains))
    exact = {d["code"]: d["points"] / d["max_points"] for d in domains if d["max_points"] > 0}  # unrounded values
    weights = {d["code"]: d["weight"] for d in domains}

    def weighted_mean(codes: list[str]) -> float | None:
        # A main index that does not apply to the unit leaves the weighted mean (its weight with it).
        total_weight = sum(weights[c] for c in codes if c in exact)
        return sum(weights[c] * exact[c] for c in codes if c in exact) / total_weight if total_weight > 0 else None

    index_value: float | None
    if tree.aggregation == "weighted":
        index_value = weighted_mean(list(weights))
        total = round_half_up(tree.max_points * index_value) if index_value is not None else 0.0
    else:
        total = round_half_up(sum(d["points"] for d in domains))
        index_value = total / max_applicable if max_applicable > 0 else None
    index_pct = round_half_up(100 * index_value) if index_value is not None else None
    pillars = []
    for p in tree.pillars:
        value = weighted_mean(list(p.domains))
        pillars.append({"code": p.code, "name": p.name, "value": None if value is None else round_half_up(value, 4)})
    return UnitScore(
        unit_group=unit_group,
        criteria=rows,
        domains=domains,
        total=total,
        max_applicable=max_applicable,
        index_pct=index_pct,
        band=tree.band_for(index_pct),
        provisional=provisional,
        overclaims=tuple(r["code"] for r in rows if r["overclaim"]),
        index_value=None if index_value is None else round_half_up(index_value, 4),
        pillars=pillars,
        missing=sum(r["source"] == "missing" for r in rows),
    )


def _leaf_points(n: Criterion, given: CriterionInput, *, self_when_unmeasured: bool) -> tuple[float | None, str, bool]:
    """(unrounded points, source, overclaim) of a leaf criterion that applies to the unit."""
    if n.method == "self":
        if given.appraised_points is not None:
            return float(given.appraised_points), "appraised", False
        if given.self_points is not None:
            return float(given.self_points), "self_provisional", False
        return 0.0, "missing", False
    if n.method in SURVEY_METHODS:
        return (float(given.survey_points), "survey", False) if given.survey_points is not None else (0.0, "missing", False)
    if n.method == "external":
        assert n.rule is not None
        if given.external_value is not None:
            return n.rule.points(n.max_points, float(given.external_value)), "external", False
        if given.appraised_points is not None:
            return float(given.appraised_points), "appraised", False
        return 0.0, "missing", False  # the other system sent nothing usable for the unit: a missing component
    if given.computed_value is not None:
        assert n.rule is not None
        points = n.rule.points(n.max_points, float(given.computed_value))
        overclaim = (given.self_points is not None and given.self_points > points + EPSILON) or (
            # against the rate as published (2 decimals): claiming the 98.00 % the unit is shown is no overclaim
            given.self_claimed_value is not None and given.self_claimed_value > round_half_up(given.computed_value, 2) + EPSILON
        )
        return points, "computed", overclaim
    if given.appraised_points is not None:
        # The warehouse cannot measure it for this unit: the council's appraised points stand in.
        return float(given.appraised_points), "appraised", False
    if self_when_unmeasured:
        # Not measurable here (a unit's own plan tasks) and not appraised yet: its self-assessed points count
        # provisionally, as for a self-assessed criterion (the tree's `unmeasured: self`); none given scores 0 as
        # a blank self-assessed criterion does (methodology §1.2: only what does not apply leaves the denominator).
        if given.self_points is not None:
            return float(given.self_points), "self_provisional", False
        return 0.0, "missing", False
    # The tree's `unmeasured: leave_out` (the DTI trees): not evaluated, out of the weighted mean rather than costing
    # the unit points for the warehouse's own gap.
    return None, "not_measured", False


def _domain_rows(tree: CriteriaTree, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per main index (domain): points and maximum over its applicable, evaluated criteria."""
    domains: list[dict[str, Any]] = []
    for d in tree.domains:
        mine = [r for r in rows if r["domain"] == d.code and r["applicable"] and r["points"] is not None]
        max_points = round_half_up(sum(r["max_points"] for r in mine))
        points = round_half_up(sum(r["points"] for r in mine))
        domains.append(
            {
                "code": d.code,
                "name": d.name,
                "max_points": max_points,
                "points": points,
                "points_lost": round_half_up(max_points - points),
                "weight": d.scored_weight,
                "value": round_half_up(points / max_points, 4) if max_points > 0 else None,
                "missing": sum(r["source"] == "missing" for r in mine),
            }
        )
    return domains
