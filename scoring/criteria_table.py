"""The criteria tree as it was used, one row per node, for ``dim_criterion`` (issue 13): PAR and DTI trees, QĐ 766
groups and indicators, with each rule in Vietnamese words. Pure: no warehouse, no files but the tree's own hash.

The QĐ 766 labels and formula sentences live here (moved from the index workbook) so the warehouse and the workbook
say the same thing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from scoring.criteria import CriteriaTree, Criterion
from scoring.qd766 import Indicator, Methodology


def number_text(value: float | None) -> str:
    """18 -> '18', 12.5 -> '12,5' (Vietnamese decimal comma)."""
    return "" if value is None else f"{value:g}".replace(".", ",")


_num = number_text


# The counts named in the methodology file (English snake_case there), as officials call them.
MEASURE_LABELS = {
    "published": "Số TTHC được công bố",
    "publish_on_time": "Số TTHC công bố đúng hạn",
    "public_update_on_time": "Số TTHC cập nhật, công khai đúng hạn trên CSDLQG",
    "content_full": "Số TTHC công khai đầy đủ nội dung",
    "synced": "Số hồ sơ đã đồng bộ lên Cổng DVCQG",
    "dossiers": "Số hồ sơ tiếp nhận",
    "received": "Số hồ sơ tiếp nhận (trừ hồ sơ rút)",
    "on_time": "Số hồ sơ xử lý trước hạn, đúng hạn",
    "completed": "Số hồ sơ đã giải quyết xong",
    "processing_days": "Tổng số ngày giải quyết",
    "online_dossiers": "Số hồ sơ nộp trực tuyến",
    "formalities": "Số TTHC thuộc thẩm quyền",
    "online_formalities": "Số TTHC cung cấp DVCTT",
    "online_formalities_with_dossiers": "Số DVCTT có phát sinh hồ sơ",
    "fee_formalities": "Số TTHC có nghĩa vụ tài chính",
    "integrated_formalities": "Số TTHC đã tích hợp thanh toán trực tuyến",
    "paid_formalities": "Số TTHC có giao dịch thanh toán trực tuyến",
    "fee_dossiers": "Số hồ sơ có nghĩa vụ tài chính",
    "paid_dossiers": "Số hồ sơ thanh toán trực tuyến",
    "petitions": "Số phản ánh, kiến nghị (PAKN)",
    "petitions_on_time": "Số PAKN xử lý đúng hạn",
    "petitions_satisfied": "Số PAKN được xử lý hài lòng",
    "receiving_satisfied": "Số hồ sơ đúng hạn, không bị đánh giá không hài lòng, trừ số PAKN về TTHC",
    "e_results": "Số hồ sơ có kết quả điện tử",
    "digitised": "Số hồ sơ được số hóa",
    "e_copy_offering": "Số xã, phường cung cấp chứng thực bản sao điện tử",
    "e_copy_units": "Số xã, phường được đánh giá",
    "reused": "Số hồ sơ khai thác, sử dụng lại dữ liệu số hóa",
    "personal_store": "Số hồ sơ kết nối kho dữ liệu cá nhân trên Cổng",
    "citizen_data": "Số hồ sơ sử dụng dữ liệu dân cư",
    "citizen_data_formalities": "Số TTHC có kết nối dữ liệu dân cư",
    "formalities_with_dossiers": "Số TTHC có phát sinh hồ sơ",
}
# What "the denominator is 0" means, for the rule "full points when there is nothing to handle".
EMPTY_DENOMINATOR = {"petitions": "không có PAKN"}


def _when_empty(ind: Indicator) -> str:
    if ind.rule.when_empty == "full":
        return f"được đủ điểm khi {EMPTY_DENOMINATOR.get(ind.denominator, 'mẫu số bằng 0')}"
    return "0 điểm khi mẫu số bằng 0"


def rule_text(ind: Indicator) -> str:
    """One indicator's formula in Vietnamese."""
    head = f"{ind.code} {ind.name}"
    ratio = f"{measure_label(ind.numerator)} / {measure_label(ind.denominator)}"
    kind = ind.rule.kind
    if kind == "unresolved":
        return (
            f"{head} (tối đa {_num(ind.rule.max_points)} điểm): dùng điểm của Cổng DVCQG, công thức chưa được "
            f"công bố. Tham khảo: {ratio} × 100%."
        )
    if kind == "info":
        value = f"Tỷ lệ = {ratio} × 100%" if ind.unit == "%" else f"Giá trị ({ind.unit}) = {ratio}"
        return f"{head}: chỉ tiêu thông tin, không tính điểm. {value}."
    text = f"{head} (tối đa {_num(ind.rule.max_points)} điểm): Tỷ lệ = {ratio} × 100%. "
    if kind == "target":
        text += f"Điểm = tối đa × min(1, tỷ lệ / {_num(ind.rule.target)}%)"
    else:
        text += "Điểm = tối đa × tỷ lệ"
    text += f"; {_when_empty(ind)}."
    if ind.scope == "province":
        text += " Số liệu chung của toàn tỉnh: mọi đơn vị cùng điểm, như trên Cổng DVCQG."
    return text


def measure_label(name: str) -> str:
    return MEASURE_LABELS.get(name, name)


def file_sha256(path: Path) -> str | None:
    """The hash of the methodology file as scored (None if it is gone)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# How a criterion without a scoring rule gets its points, by method (PAR and DTI trees).
METHOD_TEXT = {
    "self": "đơn vị tự chấm theo tài liệu kiểm chứng, Hội đồng thẩm định",
    "computed": "tính từ dữ liệu của kho",
    "external": "giá trị do hệ thống khác cung cấp",
    "survey_sipas": "điều tra xã hội học (SIPAS)",
    "survey_leaders": "điều tra lãnh đạo, quản lý",
}


def criterion_rule_text(node: Criterion, tree: CriteriaTree) -> str:
    """How one node of a PAR or DTI tree is scored, in Vietnamese."""
    top = f"tối đa {_num(node.max_points)} điểm"
    rule = node.rule
    if node.method == "group":
        if tree.aggregation == "weighted" and node.parent is None:
            return (
                f"giá trị 0..1 = tổng điểm / tổng điểm tối đa của các thành phần áp dụng; trọng số "
                f"{_num(node.scored_weight)} trong tổng điểm"
            )
        return f"tổng điểm các tiêu chí con ({top})"
    if rule is None:
        how = METHOD_TEXT.get(node.method, node.method)
        formula = f" (công thức {node.formula})" if node.formula else ""
        return f"{how}{formula}; {top}"
    if rule.kind == "yes_no":
        return f"Có: {_num(node.max_points)} điểm; Không: 0 điểm"
    if rule.kind == "choice":
        return "; ".join(f"{label}: {_num(round(node.max_points * share, 4))} điểm" for label, share in rule.options)
    if rule.kind == "target":
        return f"điểm = {_num(node.max_points)} × min(1, giá trị / {_num(rule.target)})"
    steps = "; ".join(f"từ {_num(at_least)}: {_num(round(node.max_points * share, 4))} điểm" for at_least, share in rule.steps)
    return f"{steps}; thấp hơn: 0 điểm"


def tree_rows(tree: CriteriaTree) -> list[dict[str, Any]]:
    """dim_criterion rows of one PAR or DTI tree: its pillars, then its nodes in the file's order."""
    bands = [{"label": b.label, "min_value": b.min_pct} for b in tree.bands] or None
    common = {
        "year": tree.year,
        "index_code": tree.index,
        "ranking_group": tree.group,
        "tree": tree.path.name,
        "tree_sha256": file_sha256(tree.path),
        "decision": tree.decision,
        "default_tree": tree.default,
        "bands": bands,
    }
    parents = {n.code: n.parent for n in tree.nodes}

    def top(code: str) -> str:
        while parents.get(code):
            code = parents[code]  # type: ignore[assignment]
        return code

    rows = [
        {
            **common,
            "kind": "pillar",
            "code": p.code,
            "parent_code": None,
            "group_code": p.code,
            "name": p.name,
            "max_points": None,
            "method": "pillar",
            "rule_kind": None,
            "weight": None,
            "applies_to": [],
            "data_source": None,
            "rule_text": "bình quân gia quyền giá trị các chỉ số chính: " + ", ".join(p.domains),
        }
        for p in tree.pillars
    ]
    for node in tree.nodes:
        rows.append(
            {
                **common,
                "kind": "group" if node.parent is None else "criterion",
                "code": node.code,
                "parent_code": node.parent,
                "group_code": top(node.code),
                "name": node.name,
                "max_points": node.max_points,
                "method": node.method,
                "rule_kind": node.rule.stored_word if node.rule else None,
                "rule_text": criterion_rule_text(node, tree),
                "weight": node.scored_weight if node.parent is None else None,
                "applies_to": list(node.applies_to),
                "data_source": node.source or node.formula,
            }
        )
    return [{**r, "position": i} for i, r in enumerate(rows, start=1)]


def qd766_rows(methodology: Methodology, year: int) -> list[dict[str, Any]]:
    """dim_criterion rows of the QĐ 766 method used for a year: its six groups and their indicators."""
    common = {
        "year": year,
        "index_code": "qd766",
        "ranking_group": None,
        "tree": methodology.path.name,
        "tree_sha256": file_sha256(methodology.path),
        "decision": methodology.decision,
        "default_tree": False,
        "bands": None,
        "applies_to": [],
        "index_name": methodology.name,
        "valid_from": methodology.valid_from,
        "tolerance": methodology.tolerance,
    }
    rows = []
    for group in methodology.groups:
        rows.append(
            {
                **common,
                "kind": "group",
                "code": group.code,
                "parent_code": None,
                "group_code": group.code,
                "name": group.name,
                "max_points": group.max_points,
                "method": "group",
                # how the group totals its indicators (scoring.qd766.group_total), for the workbook to say so
                "rule_kind": group.shape,
                "rule_text": (
                    f"tổng điểm chưa làm tròn của các chỉ tiêu, làm tròn một lần (tối đa {_num(group.max_points)} điểm)"
                    if group.shape == "tree"
                    else f"tổng điểm các chỉ tiêu (tối đa {_num(group.max_points)} điểm)"
                ),
                "weight": group.max_points,
                "data_source": group.endpoint,
            }
        )
        for ind in group.indicators:
            rows.append(
                {
                    **common,
                    "kind": "criterion",
                    "code": ind.code,
                    "parent_code": group.code,
                    "group_code": group.code,
                    "name": ind.name,
                    "max_points": ind.rule.max_points,
                    "method": ind.rule.stored_word,
                    "rule_kind": ind.rule.stored_word,
                    "rule_text": rule_text(ind),
                    "weight": None,
                    "data_source": f"{ind.numerator} / {ind.denominator}",
                    "numerator": ind.numerator,
                    "denominator": ind.denominator,
                    "unit": ind.unit,
                    "scope": ind.scope,
                }
            )
    return [{**r, "position": i} for i, r in enumerate(rows, start=1)]
