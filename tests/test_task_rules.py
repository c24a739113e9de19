"""The "6 rõ" findings of a task: what is missing or vague, element by element."""

from datetime import date

from checks.task_rules import six_clear_findings

CLEAR = {
    "task_no": "1",
    "content": "Xây dựng Kế hoạch tuyên truyền cải cách hành chính năm 2026",
    "responsible": "Chánh Văn phòng",
    "due_date": date(2026, 3, 31),
    "effective_due_date": date(2026, 3, 31),
    "provisional": False,
    "deadline_text": "Quý I/2026",
    "deadline_condition": None,
    "lead_text": "Văn phòng Sở",
    "lead_codes": ["19.SKHCN.VP"],
    "collaborators_text": "Các phòng, đơn vị thuộc Sở",
    "collaborator_codes": ["19.SKHCN.CDS"],
    "expected_result": "Kế hoạch được Giám đốc Sở ban hành",
}
TODAY = date(2026, 5, 1)


def elements(task: dict) -> dict[str, str]:
    return {f["element"]: f["detail"] for f in six_clear_findings([task], TODAY)}


def test_a_clear_task_has_no_finding():
    assert elements(CLEAR) == {}


def test_each_missing_or_vague_element_is_named():
    assert set(elements(CLEAR | {"responsible": " "})) == {"nguoi"}
    assert set(elements(CLEAR | {"content": "Triển khai"})) == {"viec"}
    assert (
        "Quý 5/2026"
        in elements(CLEAR | {"due_date": None, "effective_due_date": None, "deadline_text": "Quý 5/2026"})["thoi_gian"]
    )
    assert set(elements(CLEAR | {"lead_codes": ["a", "b", "c"], "lead_text": "Các phòng chuyên môn"})) == {"trach_nhiem"}
    assert set(elements(CLEAR | {"lead_codes": [], "lead_text": "Phòng Không Có"})) == {"trach_nhiem", "tham_quyen"}
    assert set(elements(CLEAR | {"collaborator_codes": []})) == {"tham_quyen"}
    assert set(elements(CLEAR | {"expected_result": ""})) == {"ket_qua"}
    assert set(elements(CLEAR | {"expected_result": "Hoàn thành nhiệm vụ được giao"})) == {"ket_qua"}
    assert elements(CLEAR | {"expected_result": "100% thủ tục đủ điều kiện được cung cấp trực tuyến"}) == {}


def test_a_provisional_deadline_is_vague_and_past_its_expected_date_says_so():
    provisional = CLEAR | {"provisional": True, "deadline_condition": "Sau khi có Kế hoạch của UBND tỉnh"}
    assert "đã qua" in elements(provisional)["thoi_gian"]  # expected by 31/03, still conditional on 01/05
    later = provisional | {"due_date": date(2026, 9, 30), "effective_due_date": date(2026, 9, 30)}
    assert "đã qua" not in elements(later)["thoi_gian"] and "Sau khi có Kế hoạch" in elements(later)["thoi_gian"]
