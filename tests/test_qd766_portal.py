"""Portal snapshots: both JSON shapes read with their capture time, problems reported, and every row reconciled
against the formulas on a hand-made snapshot where one portal score disagrees with its own counts."""

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from common.units import UnitMatcher, apply_portal_codes, load_units, matcher_for
from scoring.qd766 import methodology_for, reconcile_node
from sources.portal_qd766 import read_snapshot

M = methodology_for(date(2026, 1, 1))
MATCHER = matcher_for("Thái Nguyên")

PAYMENT_COUNTS = {  # 3.5a 30/50 = 60 % -> 1.5; 3.5b 45/50 = 90 % -> 2 (capped); 3.6 100/400 -> 1.5; total 5.0
    "totalDossierOnlinePaymentSuccess": 100, "totalDossierFinancialObligation": 400,
    "totalDossierOnlineFormalityPaymentSuccess": 45, "totalFeeDossierFormalityDistinct": 40,
    "totalFeeDossierFormality": 30, "totalFeeFormality": 50,
}


def _write(folder: Path, name: str, payload: dict) -> Path:
    path = folder / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


def _tree_node(code: str, name: str, level: str, score: float, max_score: float = 10, **counts) -> dict:
    return {"departmentCode": code, "departmentName": name, "level": level, **(PAYMENT_COUNTS | counts),
            "ratio": 25.0, "score": score, "maxScore": max_score}


def _metric(code: str, num, den, score, max_score) -> dict:
    return {"code": code, "name": code, "numerator": num, "denominator": den,
            "ratio": None if num is None else round(100 * num / den, 2), "score": score, "maxScore": max_score}


def _digitised_row(name: str, so_hoa_score: float) -> dict:
    metrics = [
        _metric("ORIGINAL_RESULT_AVAILABLE", 400, 800, 3.0, 6),     # 6 × 50 % = 3.00
        _metric("SO_HOA_GIAY_TO_GIAI_QUYET", 700, 1000, so_hoa_score, 4),  # 4 × 70 % = 2.80
        _metric("ELECTRONIC_CERTIFIED_COPY", 1, 1, 2.0, 2),          # 2.00
        _metric("REUSED_DIGITIZED_DATA", 500, 1000, 1.25, 2),        # 2 × min(1, 50/80) = 1.25
        _metric("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", 200, 1000, 0.8, 4),
        _metric("CITIZEN_DATA_CONNECTED_DOSSIER", 300, 1000, 0.6, 2),
        _metric("CITIZEN_DATA_CONNECTED_FORMALITY", 12, 30, 0.8, 2),
    ]
    total = round(sum(m["score"] for m in metrics), 2)
    return {"departmentId": "abc", "departmentName": name, "departmentLevel": "COMMUNE", "totalScore": total,
            "totalMaxScore": 22, "ratio": round(100 * total / 22, 2), "metrics": metrics}


def test_tree_snapshot_with_capture_time_and_problems(tmp_path):
    path = _write(tmp_path, "formality-online-payment-tree_2026-M03_20260403T0815.json", {"code": "OK", "data": {
        "parent": _tree_node("H55", "Tỉnh Thái Nguyên", "PROVINCE", 5.0) | {"totalScore": 5.0, "totalMaxScore": 10},
        "children": [
            _tree_node("H55.137", "Phường Phan Đình Phùng", "COMMUNE", 5.0),
            _tree_node("H55.193", "Xã Không Tồn Tại", "COMMUNE", 5.0),
            {k: v for k, v in _tree_node("H55.181", "Xã Văn Lăng", "COMMUNE", 5.0).items()
             if k != "totalDossierFinancialObligation"},
            _tree_node("H55.02", "Sở Nội vụ", "PROVINCE", 6.0, 12, totalFeeFormality=None),
        ]}})
    snap = read_snapshot(path, M, MATCHER)
    assert (snap.endpoint, snap.period_label, snap.group.code) == ("formality-online-payment-tree", "2026-M03", "TTTT")
    assert snap.captured_at == datetime(2026, 4, 3, 8, 15)
    assert snap.usable and len(snap.nodes) == 5  # the province row and every child, the unknown one included
    units = {n.department_code: n.unit_code for n in snap.nodes}
    # No mapping file: communes are matched by name (the code is the portal's own sequence, unknown to master data).
    assert units["H55.137"] == "05443" and units["H55.193"] is None
    rules = {(i.department, i.field, i.rule) for i in snap.issues}
    assert ("H55.193", None, "unknown_department") in rules
    assert ("H55.181", "totalDossierFinancialObligation", "missing_field") in rules
    assert ("H55.02", "totalFeeFormality", "null_value") in rules
    assert ("H55.02", "maxScore", "changed_max_score") in rules

    by_code = {n.department_code: n for n in snap.nodes}
    good = reconcile_node(M, snap.group, by_code["H55.137"])
    assert {r["indicator_code"]: r["recomputed_score"] for r in good} == {"3.5a": 1.5, "3.5b": 2.0, "3.6": 1.5, None: 5.0}
    assert good[-1]["status"] == "match" and good[-1]["difference"] == 0
    # The unmatched row is reconciled too (kept under the portal's own code).
    assert reconcile_node(M, snap.group, by_code["H55.193"])[-1]["status"] == "match"
    # A missing count is never read as 0: the indicator and the group cannot be recomputed.
    missing = reconcile_node(M, snap.group, by_code["H55.181"])
    assert [r["status"] for r in missing] == ["computed", "computed", "missing_data", "missing_data"]
    assert by_code["H55.02"].counts["totalFeeFormality"] is None


def test_a_commune_of_another_province_is_never_ours_and_mapped_codes_match(tmp_path):
    # Xã Văn Lang exists in Thái Nguyên and in Phú Thọ (H44): a Phú Thọ row is reported, never taken for ours.
    mapping = tmp_path / "thai_nguyen.csv"
    mapping.write_text("unit_code,portal_code,department_id\n05443,H55.150,\n", encoding="utf-8")
    matcher = UnitMatcher(apply_portal_codes(load_units("Thái Nguyên"), mapping))
    path = _write(tmp_path, "formality-online-payment-tree_2026-M03_20260403T0815.json", {"code": "OK", "data": {
        "parent": _tree_node("H55", "Tỉnh Thái Nguyên", "PROVINCE", 5.0) | {"totalScore": 5.0, "totalMaxScore": 10},
        "children": [
            _tree_node("H44.132", "Xã Văn Lang", "COMMUNE", 5.0),
            _tree_node("H55.160", "UBND xã Văn Lang - Tỉnh Phú Thọ", "COMMUNE", 5.0),
            _tree_node("H55.161", "UBND xã Văn Lang - Tỉnh Thái Nguyên", "COMMUNE", 5.0),
            _tree_node("H55.150", "Phường PĐP", "COMMUNE", 5.0),  # a name nobody could match: the mapped code does
        ]}})
    snap = read_snapshot(path, M, matcher)
    units = {n.department_code: n.unit_code for n in snap.nodes}
    assert units == {"H55": None, "H44.132": None, "H55.160": None, "H55.161": "02143", "H55.150": "05443"}
    unknown = {i.department for i in snap.issues if i.rule == "unknown_department"}
    assert unknown == {"H44.132", "H55.160"}
    assert matcher.other_province("H44.132", "Xã Văn Lang") == matcher.other_province("H55.160", "UBND xã Văn Lang - "
                                                                                       "Tỉnh Phú Thọ") == "Phú Thọ"


def test_evaluation_snapshot_one_disagreeing_score(tmp_path):
    path = _write(tmp_path, "dossier-digitized_2026-Q1_20260403T0815.json", {"data": {
        "overview": _digitised_row("Tỉnh Thái Nguyên", 2.8) | {"departmentLevel": "PROVINCE"},
        "evaluation": [_digitised_row("UBND Phường Phan Đình Phùng", 2.8), _digitised_row("UBND  xã  văn lăng", 3.8)],
    }})
    snap = read_snapshot(path, M, MATCHER)
    assert [n.unit_code for n in snap.nodes] == [None, "05443", "05665"]  # matched by name, whatever the case and spacing
    assert snap.issues == []
    agreeing = reconcile_node(M, snap.group, snap.nodes[1])
    assert {r["status"] for r in agreeing} == {"match"}
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, snap.nodes[2])}
    assert rows["4.2"]["status"] == "mismatch"
    assert (rows["4.2"]["portal_score"], rows["4.2"]["recomputed_score"], rows["4.2"]["difference"]) == (3.8, 2.8, -1.0)
    assert rows["4.3"]["recomputed_score"] == 1.25 and rows["4.3"]["status"] == "match"  # 2 × min(1, 50/80)
    assert rows[None]["status"] == "mismatch" and rows[None]["difference"] == pytest.approx(-1.0)
    assert sum(r["status"] == "mismatch" for r in rows.values()) == 2  # the metric and its group total, nothing else


def test_null_metric_is_not_evaluated_and_excluded_from_the_total(tmp_path):
    row = _digitised_row("Phường Phan Đình Phùng", 2.8)
    row["metrics"][0].update(numerator=None, denominator=None, ratio=None, score=None)
    row["totalScore"] = round(row["totalScore"] - 3.0, 2)
    path = _write(tmp_path, "dossier-digitized_2026-M01_20260203T0815.json", {"data": {"overview": row, "evaluation": [row]}})
    snap = read_snapshot(path, M, MATCHER)
    assert any(i.rule == "null_value" and i.field == "ORIGINAL_RESULT_AVAILABLE" for i in snap.issues)
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, snap.nodes[1])}
    assert rows["4.1"]["status"] == "not_evaluated" and rows["4.1"]["recomputed_score"] is None
    assert rows[None]["status"] == "match"  # the portal's total leaves the metric out, and so do we


def test_unresolved_group_uses_the_portal_score(tmp_path):
    node = {"departmentCode": "H55.137", "departmentName": "Phường Phan Đình Phùng", "level": "COMMUNE",
            "totalFormality": 100, "totalOnlineFormality": 80, "totalFullOnlineFormality": 40,
            "totalOnlineFormalityHasDossier": 30, "totalOnlineDossier": 600, "totalDossier": 1000,
            "ratio": 60.0, "score": 8.56, "maxScore": 12}
    path = _write(tmp_path, "provide-online-tree_2026-Y_20261126T1730.json",
                  {"code": "OK", "data": {"parent": node, "children": [node]}})
    snap = read_snapshot(path, M, MATCHER)
    rows = reconcile_node(M, snap.group, snap.nodes[1])
    assert {r["status"] for r in rows} == {"portal_authoritative"}
    assert rows[-1]["portal_score"] == 8.56 and rows[-1]["recomputed_score"] is None


@pytest.mark.parametrize(("name", "content", "rule"), [
    ("ket_qua.json", "{}", "bad_file_name"),
    ("unknown-endpoint_2026-M01_20260203T0815.json", "{}", "unknown_endpoint"),
    ("transparency_2026-M01_20260203T0815.json", "{not json", "bad_json"),
    ("transparency_2026-M01_20260203T0815.json", '{"data": {"parent": {}}}', "bad_shape"),
])
def test_unusable_files_are_reported(tmp_path, name, content, rule):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert not snap.usable and snap.issues[0].rule == rule and snap.issues[0].reason


def test_malformed_rows_and_values_are_reported_not_raised(tmp_path):
    row = _digitised_row("Phường Phan Đình Phùng", 2.8)
    row["metrics"][1]["numerator"] = "bảy trăm"  # not a number: reported, not mistaken for the portal's null
    row["metrics"].append("not an object")
    path = _write(tmp_path, "dossier-digitized_2026-M01_20260203T0815.json",
                  {"data": {"overview": row, "evaluation": [row, ["not", "an", "object"]]}})
    snap = read_snapshot(path, methodology_for, MATCHER)  # the methodology valid when the period starts
    assert snap.usable and snap.methodology is M and len(snap.nodes) == 2
    rules = [i.rule for i in snap.issues]
    assert rules.count("bad_number") == 2 and rules.count("bad_row") == 3  # per row read; plus the non-object row
    assert snap.nodes[1].metrics["SO_HOA_GIAY_TO_GIAI_QUYET"].numerator is None
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, snap.nodes[1])}
    assert rows["4.2"]["status"] == "missing_data" and rows[None]["status"] == "missing_data"


def test_a_period_before_any_methodology_is_reported(tmp_path):
    path = _write(tmp_path, "transparency_2019-M01_20190203T0815.json", {"data": {"overview": {}, "evaluation": []}})
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and snap.issues[0].rule == "no_methodology"
