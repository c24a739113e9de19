"""Snapshots of the national portal's QĐ 766 evaluation API (Cổng DVCQG), one JSON file per group and period.

File name: ``{endpoint}_{period}_{capturedYYYYmmddTHHMM}.json`` with period ``2026-M10`` (month), ``2026-Q3``
(quarter) or ``2026-Y`` (year to date). Two shapes (methodology §3.4):

- tree (timeliness, online services, online payment): ``{"code": "OK", "data": {"parent": {...}, "children": [...]}}``,
  every node with ``departmentCode``, ``departmentName``, ``level``, the group's raw counts, ``ratio``, ``score``,
  ``maxScore``;
- evaluation (transparency, satisfaction, digitisation): ``{"data": {"overview": {...}, "evaluation": [...]}}``,
  every row with ``departmentId``, ``departmentName`` (no code: matched by name), ``totalScore``,
  ``totalMaxScore`` and ``metrics`` of ``{code, name, numerator, denominator, ratio, score, maxScore}``.

``null`` means "not evaluated" and stays None, never 0. Problems (bad JSON, a missing field, a changed maximum, a
department that matches no unit) are returned as issues; every usable row is kept, unmatched ones under the
portal's own code or name.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from common.periods import parse_period
from common.units import UnitMatcher
from common.vntext import nfc
from scoring.qd766 import Group, Methodology, MethodologyError

FILE_PATTERN = re.compile(r"^(?P<endpoint>[a-z-]+)_(?P<period>\d{4}-(?:M\d{2}|Q[1-4]|Y))_(?P<captured>\d{8}T\d{4})\.json$")


@dataclass(frozen=True)
class PortalMetric:
    code: str
    name: str | None
    numerator: float | None
    denominator: float | None
    ratio: float | None
    score: float | None
    max_score: float | None


@dataclass
class PortalNode:
    role: str  # province (tree parent / evaluation overview) | unit
    department_code: str | None
    department_id: str | None
    department_name: str | None
    level: str | None
    unit_code: str | None  # master-data code; None when the department matches no unit
    score: float | None
    max_score: float | None
    ratio: float | None
    counts: dict[str, float | None] = field(default_factory=dict)  # tree: fields present (value may be None)
    metrics: dict[str, PortalMetric] = field(default_factory=dict)  # evaluation: by metric code

    @property
    def department(self) -> str:
        return self.department_code or self.department_name or self.department_id or "?"


@dataclass(frozen=True)
class PortalIssue:
    department: str | None  # the portal's code or name, None for the whole file
    field: str | None
    rule: str
    reason: str  # Vietnamese
    blocking: bool = False  # the whole file is unusable


@dataclass
class PortalSnapshot:
    file_name: str
    sha256: str
    endpoint: str | None = None
    methodology: Methodology | None = None
    group: Group | None = None
    period_label: str | None = None
    captured_at: datetime | None = None
    nodes: list[PortalNode] = field(default_factory=list)
    issues: list[PortalIssue] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not any(i.blocking for i in self.issues)


class BadNumber(ValueError):
    """A value that should be a number (or null) and is neither."""


def _number(value: object) -> float | None:
    """A count or score; None only for the portal's null. Anything else that is not a number is BadNumber."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadNumber(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            raise BadNumber(value)
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        raise BadNumber(value) from None


MethodologyChoice = Methodology | Callable[[date], Methodology]


def read_snapshot(path: Path, methodology: MethodologyChoice, matcher: UnitMatcher) -> PortalSnapshot:
    """Read one snapshot file. ``methodology`` is a Methodology, or a function giving the one valid on a day: a
    snapshot is then read and reconciled with the methodology valid when its period starts."""
    raw = path.read_bytes()
    snap = PortalSnapshot(file_name=path.name, sha256=hashlib.sha256(raw).hexdigest())
    name = FILE_PATTERN.match(path.name)
    if not name:
        snap.issues.append(PortalIssue(None, None, "bad_file_name",
                                       "Tên tệp không theo mẫu {endpoint}_{kỳ}_{thời điểm chụp}.json "
                                       "(ví dụ dvc-progress-tree_2026-Q3_20261003T0815.json).", blocking=True))
        return snap
    snap.endpoint, snap.period_label = name["endpoint"], name["period"]
    snap.captured_at = datetime.strptime(name["captured"], "%Y%m%dT%H%M")
    if not isinstance(methodology, Methodology):
        try:
            methodology = methodology(parse_period(snap.period_label).start)
        except (ValueError, MethodologyError) as err:
            snap.issues.append(PortalIssue(None, None, "no_methodology", str(err), blocking=True))
            return snap
    snap.methodology = methodology
    snap.group = methodology.group_for_endpoint(snap.endpoint)
    if snap.group is None:
        snap.issues.append(PortalIssue(None, None, "unknown_endpoint",
                                       f"Nhóm chỉ số '{snap.endpoint}' không có trong phương pháp {methodology.path.name}.",
                                       blocking=True))
        return snap
    try:
        payload = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        snap.issues.append(PortalIssue(None, None, "bad_json", f"Tệp JSON không đọc được: {err}.", blocking=True))
        return snap
    data = payload.get("data") if isinstance(payload, dict) else None
    data = data if isinstance(data, dict) else {}
    if snap.group.shape == "tree":
        head, rows = data.get("parent"), data.get("children")
    else:
        head, rows = data.get("overview"), data.get("evaluation")
    if not isinstance(rows, list):
        expected = "data.parent/data.children" if snap.group.shape == "tree" else "data.overview/data.evaluation"
        snap.issues.append(PortalIssue(None, None, "bad_shape", f"Không có {expected} như dạng của nhóm "
                                       f"{snap.group.code}.", blocking=True))
        return snap
    for number, (role, item) in enumerate(([("province", head)] if isinstance(head, dict) else [])
                                          + [("unit", r) for r in rows]):
        node = _node(snap, role, item, matcher) if isinstance(item, dict) else None
        if node is None:
            snap.issues.append(PortalIssue(None, None, "bad_row", f"Dòng thứ {number + 1} của tệp không đọc được "
                                           "(không phải đối tượng JSON hoặc sai cấu trúc); bỏ qua dòng này."))
        else:
            snap.nodes.append(node)
    return snap


class _Row:
    """Reads the fields of one JSON row, turning every bad value into an issue instead of an exception."""

    def __init__(self, snap: PortalSnapshot, item: dict, label: str):
        self.snap, self.item, self.label = snap, item, label

    def number(self, key: str, value: object = None, *, use_value: bool = False) -> float | None:
        raw = value if use_value else self.item.get(key)
        try:
            return _number(raw)
        except BadNumber:
            self.snap.issues.append(PortalIssue(self.label, key, "bad_number",
                                                f"{self.label}: '{key}' = {raw!r} không phải số; bỏ qua giá trị này."))
            return None

    def text(self, key: str) -> str | None:
        value = self.item.get(key)
        return nfc(value) if isinstance(value, str) else (None if value is None else str(value))


def _node(snap: PortalSnapshot, role: str, item: dict, matcher: UnitMatcher) -> PortalNode | None:
    group = snap.group
    assert group is not None
    name = nfc(item["departmentName"]) if isinstance(item.get("departmentName"), str) else None
    code = item.get("departmentCode") if group.shape == "tree" else None
    row = _Row(snap, item, str(code or name or item.get("departmentId") or "?"))
    if group.shape == "tree":
        score_key = "totalScore" if role == "province" and "totalScore" in item else "score"
        node = PortalNode(role=role, department_code=row.text("departmentCode"), department_id=None,
                          department_name=name, level=row.text("level"), unit_code=None,
                          score=row.number(score_key), max_score=row.number("maxScore", item.get("maxScore",
                          item.get("totalMaxScore")), use_value=True), ratio=row.number("ratio"))
        for count in group.counts:
            if count in item:
                node.counts[count] = row.number(count)
                if item[count] is None:
                    snap.issues.append(PortalIssue(node.department, count, "null_value",
                                                   f"{node.department} ({name}): '{count}' là null "
                                                   "(Cổng chưa đánh giá; không coi là 0)."))
            else:
                snap.issues.append(PortalIssue(node.department, count, "missing_field",
                                               f"{node.department} ({name}): thiếu trường '{count}'; "
                                               "chỉ tiêu dùng trường này không được tính lại (không coi là 0)."))
    else:
        node = PortalNode(role=role, department_code=None, department_id=row.text("departmentId"),
                          department_name=name, level=row.text("departmentLevel"), unit_code=None,
                          score=row.number("totalScore"), max_score=row.number("totalMaxScore"), ratio=row.number("ratio"))
        metrics = item.get("metrics")
        for metric in metrics if isinstance(metrics, list) else []:
            if not isinstance(metric, dict) or not isinstance(metric.get("code"), str):
                snap.issues.append(PortalIssue(node.department, "metrics", "bad_row",
                                               f"{node.department_name}: một chỉ tiêu không đọc được; bỏ qua."))
                continue
            m = _Row(snap, metric, f"{node.department_name} / {metric['code']}")
            node.metrics[metric["code"]] = PortalMetric(
                code=metric["code"], name=m.text("name"), numerator=m.number("numerator"),
                denominator=m.number("denominator"), ratio=m.number("ratio"), score=m.number("score"),
                max_score=m.number("maxScore"))
        _check_metrics(snap, node, group)
    if role == "unit":
        node.unit_code = matcher.match_portal(node.department_code, name)
        if node.unit_code is None:
            suggestion = matcher.suggest(name) if name else None
            hint = f" Có phải '{suggestion}'?" if suggestion else ""
            snap.issues.append(PortalIssue(node.department, None, "unknown_department",
                                           f"Đơn vị {node.department} ('{name}') không khớp đơn vị nào trong danh mục; "
                                           f"giữ nguyên mã/tên của Cổng, không tạo đơn vị mới.{hint}"))
    if group.shape == "tree" and node.max_score is not None and node.max_score != group.max_points:
        snap.issues.append(PortalIssue(node.department, "maxScore", "changed_max_score",
                                       f"{node.department}: điểm tối đa của nhóm {group.code} trên Cổng là "
                                       f"{node.max_score:g}, phương pháp đang dùng quy định {group.max_points:g}."))
    return node


def _check_metrics(snap: PortalSnapshot, node: PortalNode, group: Group) -> None:
    configured = {i.metric: i for i in group.indicators if i.metric}
    for code, ind in configured.items():
        metric = node.metrics.get(code)
        if metric is None:
            snap.issues.append(PortalIssue(node.department, code, "missing_metric",
                                           f"{node.department_name}: thiếu chỉ tiêu {code}."))
        elif metric.score is None or metric.numerator is None or metric.denominator is None:
            snap.issues.append(PortalIssue(node.department, code, "null_value",
                                           f"{node.department_name}: chỉ tiêu {code} có giá trị null "
                                           "(Cổng chưa đánh giá; không coi là 0)."))
        elif metric.max_score is not None and metric.max_score != ind.rule.max_points:
            snap.issues.append(PortalIssue(node.department, code, "changed_max_score",
                                           f"{node.department_name}: điểm tối đa của {code} trên Cổng là "
                                           f"{metric.max_score:g}, phương pháp quy định {ind.rule.max_points:g}."))
    for code in node.metrics.keys() - configured.keys():
        snap.issues.append(PortalIssue(node.department, code, "unknown_metric",
                                       f"{node.department_name}: chỉ tiêu {code} không có trong phương pháp; bỏ qua."))
