"""QĐ 766 service index: the methodology file, local scores from measured counts, reconciliation of the portal's
own scores, and ranking. Pure functions; the SQL that measures the counts is in warehouse/qd766.py.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import yaml

from scoring.methodology_schema import (
    LEGACY_RULE_WORD,
    Qd766File,
    Qd766Indicator,
    SchemaProblems,
    line_of,
    read_model,
)
from scoring.methodology_schema import (
    LOCAL_MEASURES as LOCAL_MEASURES,  # re-exported: the counts a file may name, declared with the file shape
)
from scoring.rounding import round_half_up
from scoring.rules import Rule, points, ratio

METHODOLOGY_DIR = Path(__file__).resolve().parent.parent / "methodology" / "qd766"

SHAPES = ("tree", "evaluation")
ROW_LEVELS = ("province", "unit")  # tree: data.parent | data.children[]; evaluation: data.overview | data.evaluation[]

# Reconciliation outcomes: code -> Vietnamese label shown to analysts.
STATUS_LABELS = {
    "match": "Khớp",
    "mismatch": "Lệch",
    "not_evaluated": "Cổng không đánh giá (không có điểm)",
    "portal_score_invalid": "Điểm của Cổng ngoài khoảng cho phép hoặc không đọc được (không dùng)",
    "missing_data": "Thiếu số liệu để tính lại",
    "portal_authoritative": "Dùng điểm của Cổng (công thức chưa xác định)",
    "computed": "Đã tính lại (Cổng chỉ công bố điểm của nhóm)",
    "portal_score_without_counts": "Cổng công bố điểm nhưng không công bố tử số, mẫu số (dùng điểm của Cổng)",
}

# The portal's own warnings on a metric (dataQualityStatus): code -> what it means for the score, in Vietnamese.
DATA_QUALITY_LABELS = {
    "TEMP_NATIONAL_REPORT_DENOMINATOR": "Mẫu số tạm tính (số liệu báo cáo quốc gia chưa chính thức)",
    "NO_NATIONAL_REPORT_DATA": "Chưa có số liệu báo cáo quốc gia",
}


def data_quality_label(status: str | None, message: str | None = None) -> str | None:
    """Vietnamese label of a metric's dataQualityStatus; an unknown status keeps the portal's code and message."""
    if not status:
        return None
    known = DATA_QUALITY_LABELS.get(status)
    if known:
        return known
    return f"{status}: {message}" if message else status


class MethodologyError(ValueError):
    """A methodology file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    group: str
    rule: Rule
    numerator: str
    denominator: str
    metric: str | None = None  # code in the portal's evaluation shape
    portal_numerator: tuple[str, ...] = ()  # count fields in the portal's tree shape (several are summed)
    portal_denominator: tuple[str, ...] = ()
    portal_value: str | None = None
    scope: str = "unit"  # unit | province
    unit: str = "%"

    @property
    def scored(self) -> bool:
        return self.rule.kind in ("proportional", "target")


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max_points: float
    endpoint: str
    shape: str
    indicators: tuple[Indicator, ...]
    # Tree groups: the count fields the portal publishes on each row level (province | unit); a field it never
    # publishes at a level is not missing there.
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    info_metrics: tuple[str, ...] = ()  # evaluation groups: metrics published for information only (maxScore 0)

    @property
    def unresolved(self) -> bool:
        return any(i.rule.kind == "unresolved" for i in self.indicators)

    def published_fields(self, level: str) -> tuple[str, ...]:
        return tuple(self.fields.get(level, ()))

    @property
    def all_fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for level in ROW_LEVELS for f in self.published_fields(level)))

    @property
    def metric_codes(self) -> tuple[str, ...]:
        """Every metric code the group's rows may carry: those of its indicators and the information metrics."""
        return tuple(dict.fromkeys([*(i.metric for i in self.indicators if i.metric), *self.info_metrics]))


@dataclass(frozen=True)
class Methodology:
    path: Path
    name: str
    decision: str
    valid_from: date
    max_points: float
    parameters: Mapping[str, Any]  # Qd766Parameters.model_dump(): keys and types checked by the schema
    groups: tuple[Group, ...]

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)

    def group_for_endpoint(self, endpoint: str) -> Group | None:
        return next((g for g in self.groups if g.endpoint == endpoint), None)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.indicators)

    @property
    def tolerance(self) -> float:
        return float(self.parameters.get("tolerance", 0.011))


# The shape of a file (keys, types, allowed words) is Qd766File in scoring/methodology_schema.py; load_methodology
# keeps the rules that span several fields: maxima that add up, unique codes, portal fields a formula needs.


def _names(value: object) -> tuple[str, ...]:
    """A field name or a list of them, as a tuple."""
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)  # type: ignore[attr-defined]


def _indicator(raw: Qd766Indicator, group: str, where: str) -> Indicator:
    kind = "proportional" if raw.rule == LEGACY_RULE_WORD else raw.rule  # `linear`: the old word, warned when read
    try:
        rule = Rule(kind=kind, max_points=float(raw.max), target=raw.target, when_empty=raw.when_empty, scale=float(raw.scale))
    except ValueError as bad:
        raise MethodologyError(f"{where}: {bad}") from None
    return Indicator(
        code=raw.code,
        name=raw.name,
        group=group,
        rule=rule,
        numerator=raw.numerator,
        denominator=raw.denominator,
        metric=raw.metric,
        portal_numerator=_names(raw.portal_numerator),
        portal_denominator=_names(raw.portal_denominator),
        portal_value=raw.portal_value,
        scope=raw.scope,
        unit=raw.unit,
    )


def load_methodology(path: Path) -> Methodology:
    """Read and validate one methodology file; any problem is a MethodologyError naming the file and the line."""
    try:
        raw, root = read_model(path, Qd766File)
    except SchemaProblems as bad:
        raise MethodologyError(str(bad)) from None
    groups = []
    for gi, g in enumerate(raw.groups):
        where = f"{path.name}, dòng {line_of(root, ('groups', gi))}, nhóm {g.code}"
        indicators = tuple(_indicator(i, g.code, f"{where}, chỉ tiêu {i.code}") for i in g.indicators)
        fields = g.portal.fields or {}
        groups.append(
            Group(
                code=g.code,
                name=g.name,
                max_points=float(g.max),
                endpoint=g.portal.endpoint,
                shape=g.portal.shape,
                indicators=indicators,
                fields={level: _names(fields.get(level)) for level in ROW_LEVELS},  # type: ignore[call-overload]
                info_metrics=_names(g.portal.info_metrics),
            )
        )
    m = Methodology(
        path=path,
        name=raw.name,
        decision=raw.decision,
        valid_from=raw.valid_from,
        max_points=float(raw.max),
        parameters=raw.parameters.model_dump(),
        groups=tuple(groups),
    )
    _validate(m, root)
    return m


REQUIRED_PARAMETERS = ("publish_lead_working_days", "public_update_working_days", "certified_copy_procedure", "tolerance")
SCOPES = ("unit", "province")


def _validate(m: Methodology, root: yaml.Node | None = None) -> None:
    def at(*loc: int | str) -> str:
        line = line_of(root, loc)
        return f"dòng {line}, " if line else ""

    problems = []
    codes = [i.code for i in m.indicators]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(f"mã chỉ tiêu {code} bị trùng")
    group_codes = [g.code for g in m.groups]
    if len(set(group_codes)) != len(group_codes):
        problems.append("mã nhóm bị trùng")
    if not math.isclose(sum(g.max_points for g in m.groups), m.max_points):
        problems.append(f"{at('max')}tổng điểm các nhóm {sum(g.max_points for g in m.groups):g} ≠ {m.max_points:g}")
    for gi, g in enumerate(m.groups):
        counted = sum(i.rule.max_points for i in g.indicators if i.rule.kind != "info")
        if not math.isclose(counted, g.max_points):
            problems.append(f"{at('groups', gi, 'max')}nhóm {g.code}: tổng điểm chỉ tiêu {counted:g} ≠ {g.max_points:g}")
        for ii, i in enumerate(g.indicators):
            problems += [f"{at('groups', gi, 'indicators', ii)}chỉ tiêu {i.code}: {p}" for p in _indicator_problems(g, i)]
    if problems:
        raise MethodologyError(f"{m.path.name}: " + "; ".join(sorted(problems)))


def _indicator_problems(g: Group, i: Indicator) -> list[str]:
    """What an indicator lacks for its group's portal shape: metric code, count fields the formula needs."""
    problems = []
    if i.rule.kind == "info" and i.rule.max_points != 0:
        problems.append("chỉ tiêu thông tin (info) phải có max 0")
    if g.shape == "evaluation" and i.rule.kind != "info" and not i.metric:
        problems.append("thiếu mã metric của Cổng")
    if g.shape != "tree":
        return problems
    if i.scored and not (i.portal_numerator and i.portal_denominator):
        problems.append("thiếu portal_numerator/portal_denominator")
    for name in (*i.portal_numerator, *i.portal_denominator, *_names(i.portal_value)):
        if name not in g.all_fields:
            problems.append(f"trường '{name}' không nằm trong portal.fields của nhóm")
    for level in ROW_LEVELS if i.scored else ():  # every row level that is reconciled must publish what the formula needs
        absent = [n for n in (*i.portal_numerator, *i.portal_denominator) if n not in g.published_fields(level)]
        if absent and g.published_fields(level):
            problems.append(f"dòng {level} không có trường {', '.join(absent)}")
    return problems


def methodology_files(folder: Path = METHODOLOGY_DIR) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


@lru_cache(maxsize=8)
def _all_methodologies(folder: Path) -> tuple[Methodology, ...]:
    found = tuple(sorted((load_methodology(p) for p in methodology_files(folder)), key=lambda m: m.valid_from))
    if not found:
        raise MethodologyError(f"không có tệp phương pháp nào trong {folder}")
    for earlier, later in pairwise(found):  # (which one counts must not hang on file names)
        if earlier.valid_from == later.valid_from:
            raise MethodologyError(
                f"{earlier.path.name} và {later.path.name} cùng có hiệu lực từ {later.valid_from:%d/%m/%Y} (valid_from): "
                "giữ một tệp, chuyển tệp bản nháp hoặc bản đã bị thay thế ra khỏi thư mục"
            )
    return found


def methodology_for(day: date, folder: Path = METHODOLOGY_DIR) -> Methodology:
    """The methodology valid on a day: the file with the latest valid_from not after it."""
    valid = [m for m in _all_methodologies(folder) if m.valid_from <= day]
    if not valid:
        raise MethodologyError(f"không có phương pháp QĐ 766 nào có hiệu lực ngày {day:%d/%m/%Y}")
    return valid[-1]


# --- local scores ------------------------------------------------------------------------------------------


def _value(row: Mapping[Hashable, Any], name: str) -> float | None:  # a DataFrame record: column labels are Hashable
    v = row.get(name)
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return float(v)


def score_measures(
    m: Methodology,
    measures: pd.DataFrame,
    portal_scores: Mapping[tuple[str, str, str], float | None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator and unit scores from one row of counts per (period_label, unit_code).

    Each scored indicator is rounded to 2 decimals as on the portal, and groups are totalled as the portal does
    (``group_total``). A group whose formula is unresolved takes the portal's score for the same unit and period
    (``portal_scores[(period_label, unit_code, group)]``) when a snapshot has one, else it is left empty.
    """
    portal_scores = portal_scores or {}
    indicator_rows: list[dict] = []
    unit_rows: list[dict] = []
    for row in measures.to_dict("records"):
        key = (row["period_label"], row["unit_code"])
        ids = {"period_label": key[0], "unit_code": key[1]}
        unit = dict(ids)
        total, evaluated_max = 0.0, 0.0
        for g in m.groups:
            raw: list[float] | None = []
            source = "local"
            for ind in g.indicators:
                num, den = _value(row, ind.numerator), _value(row, ind.denominator)
                pts = points(ind.rule, num, den)
                if ind.rule.kind == "unresolved":
                    pts = portal_scores.get((*key, g.code))
                    source = "portal" if pts is not None else "missing"
                r = ratio(ind.rule, num, den)
                indicator_rows.append(
                    {
                        **ids,
                        "group_code": g.code,
                        "indicator_code": ind.code,
                        "numerator": num,
                        "denominator": den,
                        "ratio": None if r is None else round_half_up(r, 2),
                        "score": None if pts is None or ind.rule.kind == "info" else round_half_up(pts, 2),
                        "max_score": ind.rule.max_points,
                        "rule": ind.rule.stored_word,
                        "source": "portal"
                        if ind.rule.kind == "unresolved" and pts is not None
                        else ("info" if ind.rule.kind == "info" else ("missing" if pts is None else "local")),
                    }
                )
                if ind.rule.kind == "info":
                    continue
                if pts is None:
                    raw = None
                elif raw is not None:
                    raw.append(pts)
            group_score = None if raw is None else group_total(g, raw)
            unit[g.code] = group_score
            unit[f"{g.code}_source"] = source
            if group_score is not None:
                total += group_score
                evaluated_max += g.max_points
        unit["total"] = round_half_up(total, 2)
        unit["evaluated_max"] = evaluated_max
        unit["complete"] = math.isclose(evaluated_max, m.max_points)
        unit_rows.append(unit)
    return pd.DataFrame(indicator_rows), pd.DataFrame(unit_rows)


def group_total(group: Group, raw_points: Iterable[float]) -> float:
    """A group's score as the portal totals it: a tree group rounds its sum once; an evaluation group adds its
    metrics' rounded scores."""
    if group.shape == "tree":
        return round_half_up(sum(raw_points), 2)
    return round_half_up(sum(round_half_up(p, 2) for p in raw_points), 2)


# --- reconciliation of portal snapshots --------------------------------------------------------------------


class PortalMetricValues(Protocol):
    numerator: float | None
    denominator: float | None
    score: float | None
    data_quality_status: str | None
    score_unusable: bool  # a score given but unusable (outside 0..max, not a number, field missing): not a null


class PortalRow(Protocol):
    """What reconciliation needs of a snapshot row (sources/portal_qd766.PortalNode has it)."""

    role: str  # province | unit: the row level, whose published fields apply
    counts: Mapping[str, float | None]
    metrics: Mapping[str, PortalMetricValues]
    score: float | None
    score_unusable: bool


def _status(portal: float | None, recomputed: float | None, tolerance: float) -> str:
    if portal is None:
        return "not_evaluated"
    if recomputed is None:
        return "missing_data"
    return "match" if abs(recomputed - portal) <= tolerance else "mismatch"


def portal_count(counts: Mapping[str, float | None], names: tuple[str, ...]) -> float | None:
    """A count of the tree shape: one field, or the sum of several; None when any of them is absent or null."""
    if not names:
        return None
    values = [counts.get(n) for n in names]
    return None if any(v is None for v in values) else float(sum(values))  # type: ignore[arg-type]


def reconcile_node(m: Methodology, group: Group, node: PortalRow) -> list[dict]:
    """Recompute one snapshot row (a tree node or an evaluation row) and compare with the portal's scores.

    Tree rows are recomputed from their counts (the shape publishes only the group's score). Evaluation rows are
    compared metric by metric; a metric the portal scores without publishing its counts (``null`` numerator and
    denominator, e.g. ELECTRONIC_CERTIFIED_COPY) takes the portal's score and the group is still reconciled from the
    other metrics; a metric the portal does not evaluate (``null`` score) adds nothing, as on the portal. Returns one
    row per scored indicator and one for the group (``indicator_code`` None).
    """
    tol = m.tolerance
    rows: list[dict] = []
    group_points: list[float] = []
    complete = True
    for ind in group.indicators:
        if ind.rule.kind == "info":
            continue
        quality = None
        if group.shape == "tree":
            num, den = portal_count(node.counts, ind.portal_numerator), portal_count(node.counts, ind.portal_denominator)
            portal_score, metric = None, None
        else:
            metric = node.metrics.get(ind.metric) if ind.metric is not None else None
            num, den = (metric.numerator, metric.denominator) if metric else (None, None)
            portal_score = metric.score if metric else None
            quality = metric.data_quality_status if metric else None
        if ind.rule.kind == "unresolved":
            rows.append(_row(ind, num, den, None, None, "portal_authoritative", quality))
            complete = False
            continue
        pts = points(ind.rule, num, den)
        recomputed = None if pts is None else round_half_up(pts, 2)
        if group.shape == "tree":
            status = "computed" if recomputed is not None else "missing_data"
            if pts is None:
                complete = False
            else:
                group_points.append(pts)
        elif metric is None:
            status, complete = "missing_data", False
        elif metric.score_unusable:  # in the portal's total, but not readable here: the group cannot be compared
            status, complete = "portal_score_invalid", False
        elif portal_score is None:  # the portal leaves it out of its total: so does the recomputation
            status = "not_evaluated"
        elif num is None and den is None:
            status = "portal_score_without_counts"
            group_points.append(portal_score)
        elif pts is None:
            status, complete = "missing_data", False
        else:
            status = _status(portal_score, recomputed, tol)
            group_points.append(pts)
        rows.append(_row(ind, num, den, portal_score, recomputed, status, quality))
    group_recomputed, group_status = _group_result(group, node, group_points, complete, tol)
    rows.append(
        {
            "indicator_code": None,
            "metric_code": None,
            "numerator": None,
            "denominator": None,
            "portal_score": node.score,
            "recomputed_score": group_recomputed,
            "difference": _difference(node.score, group_recomputed),
            "status": group_status,
            "data_quality_status": None,
        }
    )
    return rows


def _group_result(
    group: Group, node: PortalRow, group_points: list[float], complete: bool, tol: float
) -> tuple[float | None, str]:
    """The group's recomputed total and its status against the portal's group score."""
    if node.score_unusable:  # (even where the portal's score is the group's: it is not used)
        return (None if group.unresolved else group_total(group, group_points) if complete else None), "portal_score_invalid"
    if group.unresolved:
        return None, "portal_authoritative"
    recomputed = group_total(group, group_points) if complete else None
    # An evaluation group adds its metrics' rounded scores: where the portal rounds a half otherwise (5.625 → 5.62,
    # half to even), each term may differ by one hundredth, each within its own tolerance; the sum is allowed their
    # total, or it would flag the group alone ("Lệch") with no metric flagged.
    group_tol = tol * max(1, len(group_points)) if group.shape != "tree" else tol
    return recomputed, _status(node.score, recomputed, group_tol)


def _difference(portal: float | None, recomputed: float | None) -> float | None:
    return None if portal is None or recomputed is None else round_half_up(recomputed - portal, 2)


def _row(
    ind: Indicator,
    num: float | None,
    den: float | None,
    portal_score: float | None,
    recomputed: float | None,
    status: str,
    data_quality_status: str | None = None,
) -> dict:
    return {
        "indicator_code": ind.code,
        "metric_code": ind.metric,
        "numerator": num,
        "denominator": den,
        "portal_score": portal_score,
        "recomputed_score": recomputed,
        "difference": _difference(portal_score, recomputed),
        "status": status,
        "data_quality_status": data_quality_status,
    }
