"""The "6 rõ" rule of the plan (rõ người, rõ việc, rõ thời gian, rõ trách nhiệm, rõ thẩm quyền, rõ kết quả): for each
task, which element is missing or vague. Pure: the asset check reads the tasks and reports the findings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from common.vntext import match_key
from scoring.task_status import past_due

ELEMENTS = {
    "nguoi": "Rõ người",
    "viec": "Rõ việc",
    "thoi_gian": "Rõ thời gian",
    "trach_nhiem": "Rõ trách nhiệm",
    "tham_quyen": "Rõ thẩm quyền",
    "ket_qua": "Rõ kết quả",
}
# A result is measurable when it names a product (a document, a system, a report…) or a number.
PRODUCT_WORDS = (
    "ke hoach",
    "bao cao",
    "quyet dinh",
    "van ban",
    "phan mem",
    "he thong",
    "nen tang",
    "trung tam",
    "kien truc",
    "bo chi so",
    "ket qua",
    "huong dan",
    "de an",
    "chuong trinh",
    "danh muc",
    "cong bo",
)
VAGUE_RESULTS = ("hoan thanh nhiem vu", "thuc hien tot", "dam bao tien do", "theo yeu cau", "theo quy dinh")
MIN_CONTENT_WORDS = 4
_PRODUCTS = tuple(w.replace(" ", "") for w in PRODUCT_WORDS)  # match_key drops spaces
_VAGUE = tuple(w.replace(" ", "") for w in VAGUE_RESULTS)


def six_clear_findings(tasks: Iterable[Mapping], today: date) -> list[dict]:
    """One finding per task and element that is missing or vague: {task_no, element, element_label, detail}."""
    findings: list[dict] = []

    def add(task: Mapping, element: str, detail: str) -> None:
        findings.append({"task_no": task["task_no"], "element": element, "element_label": ELEMENTS[element], "detail": detail})

    for t in tasks:
        if not (t.get("responsible") or "").strip():
            add(t, "nguoi", "Chưa ghi người chịu trách nhiệm.")
        if len((t.get("content") or "").split()) < MIN_CONTENT_WORDS:
            add(t, "viec", "Nội dung công việc quá ngắn để biết phải làm gì.")
        when = _deadline_finding(t, today)
        if when is not None:
            add(t, "thoi_gian", when)
        leads = list(t.get("lead_codes") or [])
        if not leads:
            add(t, "trach_nhiem", f"Đơn vị chủ trì '{t.get('lead_text') or ''}' không xác định được.")
        elif len(leads) > 1:
            add(t, "trach_nhiem", f"{len(leads)} đơn vị cùng chủ trì ('{t.get('lead_text')}'): chưa rõ đầu mối.")
        if leads and t.get("collaborators_text") and not t.get("collaborator_codes"):
            add(t, "tham_quyen", f"Đơn vị phối hợp '{t['collaborators_text']}' không xác định được.")
        if not leads:
            add(t, "tham_quyen", "Không có đơn vị chủ trì trong danh mục nên không rõ thẩm quyền.")
        outcome = _result_finding(t)
        if outcome is not None:
            add(t, "ket_qua", outcome)
    return findings


def _deadline_finding(t: Mapping, today: date) -> str | None:
    """What is wrong with a task's deadline: none could be read, or it still hangs on a condition."""
    if t.get("due_date") is None:
        return f"Không xác định được hạn từ '{t.get('deadline_text') or ''}'."
    if not t.get("provisional"):
        return None
    due = t.get("effective_due_date") or t["due_date"]
    condition = t.get("deadline_condition") or "điều kiện"
    if past_due(due, today):  # as a task's status: its last day over by the end of today
        return f"Hạn dự kiến {due:%d/%m/%Y} đã qua mà hạn vẫn phụ thuộc '{condition}'."
    return f"Hạn dự kiến {due:%d/%m/%Y}, phụ thuộc '{condition}'."


def _result_finding(t: Mapping) -> str | None:
    """What is wrong with a task's expected result: missing, or not measurable (no product, no number)."""
    result = match_key(t.get("expected_result") or "")
    if not result:
        return "Chưa ghi kết quả, sản phẩm dự kiến."
    if any(v in result for v in _VAGUE) or not (any(w in result for w in _PRODUCTS) or re.search(r"\d", result)):
        return f"Kết quả '{t['expected_result']}' chưa đo được (không nêu sản phẩm hay con số)."
    return None
