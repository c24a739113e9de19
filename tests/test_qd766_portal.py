"""National-portal responses as the portal sends them (fixtures written by hand from ../shared/reference/portal-api.md,
tests/fixtures/portal/README.md): every score kept whatever its field name, the portal's own warnings kept, only
abnormal things reported, the period and capture time from a sidecar or the name, and the bad days of hand-saved
files."""

import json
import os
import shutil
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from common.units import UnitMatcher, apply_portal_codes, load_units, matcher_for
from scoring.qd766 import STATUS_LABELS, methodology_for, reconcile_node
from sources.portal_format import snapshot_files
from sources.portal_qd766 import read_snapshot, read_snapshot_files, summarise_issues
from warehouse import qd766 as store
from warehouse.schema import ensure_schema
from warehouse.tthc import load_units as load_unit_rows

FIXTURES = Path(__file__).parent / "fixtures" / "portal"
M = methodology_for(date(2026, 1, 1))
MATCHER = matcher_for("Thái Nguyên")
SNV = "19.SNV"  # Sở Nội vụ, H55.02 in the master data


def _copy(tmp_path: Path, *names: str) -> list[Path]:
    return [Path(shutil.copy(FIXTURES / n, tmp_path / n)) for n in names]


def _portal_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "portal"
    folder.mkdir()
    return folder


def _fixture(prefix: str) -> str:
    return next(p.name for p in FIXTURES.glob(f"{prefix}_*.json"))


def _read_all(tmp_path: Path) -> dict[str, object]:
    paths = _copy(tmp_path, *(p.name for p in FIXTURES.glob("*.json")))
    return {s.endpoint: s for s in read_snapshot_files(paths, methodology_for, MATCHER)}


def _by_unit(snap) -> dict:
    return {n.unit_code or n.role: n for n in snap.nodes}


def test_every_score_is_kept_whatever_its_field_and_nothing_normal_is_an_issue(tmp_path):
    snaps = _read_all(tmp_path)
    assert all(s.usable for s in snaps.values()) and len(snaps) == 6
    # Fields the endpoints never publish at a level (totalCompleted of units, totalOverdue of the root, any count of
    # online-services units) and information metrics are not issues; the old name of Văn Lăng is resolved by its id.
    assert {e: [i.rule for i in s.issues] for e, s in snaps.items()} == {e: [] for e in snaps}
    payment = _by_unit(snaps["formality-online-payment-tree"])
    phan_dinh_phung, van_lang = MATCHER.match("Phường Phan Đình Phùng"), MATCHER.match("Xã Văn Lăng")
    assert (payment["province"].score, payment[SNV].score, payment[phan_dinh_phung].score, payment[van_lang].score) == (
        5.23,
        5.0,
        5.75,
        7.05,
    )
    assert payment[van_lang].max_score == 10  # totalMaxScore
    online = _by_unit(snaps["provide-online-tree"])
    assert (online["province"].score, online[SNV].score, online[van_lang].score) == (8.46, 6.5, 6.25)
    assert online[SNV].counts == {} and online["province"].counts["authorityCount"] == 90
    assert _by_unit(snaps["dvc-progress-tree"])[SNV].score == 18.0  # score/maxScore on the units of this tree


def test_tree_rows_reconcile_from_their_published_counts(tmp_path):
    snaps = _read_all(tmp_path)
    for endpoint in ("formality-online-payment-tree", "dvc-progress-tree"):
        snap = snaps[endpoint]
        for node in snap.nodes:
            rows = reconcile_node(M, snap.group, node)
            assert rows[-1]["status"] == "match", (endpoint, node.department, rows)
    van_lang = _by_unit(snaps["formality-online-payment-tree"])[MATCHER.match("Xã Văn Lăng")]
    rows = {
        r["indicator_code"]: r["recomputed_score"]
        for r in reconcile_node(M, snaps["formality-online-payment-tree"].group, van_lang)
    }
    assert rows == {"3.5a": 0.5, "3.5b": 1.75, "3.6": 4.8, None: 7.05}  # 2 × 20/80, 2 × 70/80, 6 × 80 %
    online = snaps["provide-online-tree"]
    rows = reconcile_node(M, online.group, _by_unit(online)[SNV])
    assert {r["status"] for r in rows} == {"portal_authoritative"} and rows[-1]["portal_score"] == 6.5


def test_a_metric_scored_without_counts_takes_the_portal_score_and_the_group_still_reconciles(tmp_path):
    snap = _read_all(tmp_path)["dossier-digitized"]
    for node in snap.nodes:
        rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, node)}
        assert rows["4.x"]["status"] == "portal_score_without_counts"
        assert rows[None]["status"] == "match", node.department
    van_lang = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, _by_unit(snap)[MATCHER.match("Xã Văn Lăng")])}
    assert van_lang["4.1"]["recomputed_score"] == 5.14 and van_lang[None]["recomputed_score"] == 8.24


def test_a_group_whose_metrics_each_round_a_half_otherwise_is_no_mismatch(tmp_path):
    """5.2 and 5.3 at 15/16 are 6 × 93.75 % = 5.625 points: the portal may publish 5.62 (half to even), the
    methodology's half up gives 5.63. Each metric is within its tolerance; the group, their sum, was flagged 'Lệch'
    alone (17.24 against 17.26) with no metric flagged."""
    from dataclasses import replace

    snap = _read_all(tmp_path)["handling-satisfaction"]
    node = _by_unit(snap)[SNV]
    metrics = dict(node.metrics)
    for code in ("PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"):
        metrics[code] = replace(metrics[code], numerator=15.0, denominator=16.0, ratio=93.75, score=5.62)
    halves = replace(node, metrics=metrics, score=round(5.62 + 5.62 + metrics["DOSSIER_RECEIVING_SATISFACTION"].score, 2))
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, halves)}
    assert rows["5.2"]["recomputed_score"] == rows["5.3"]["recomputed_score"] == 5.63
    assert {r["status"] for r in rows.values()} == {"match"}
    # A real difference in the group's own sum is still one.
    wrong = replace(halves, score=halves.score - 0.5)
    assert reconcile_node(M, snap.group, wrong)[-1]["status"] == "mismatch"


def test_the_portal_warnings_are_kept_per_metric(tmp_path):
    snap = _read_all(tmp_path)["transparency"]
    nodes = _by_unit(snap)
    assert nodes[SNV].metrics["DOSSIER_SYNC"].data_quality_status == "TEMP_NATIONAL_REPORT_DENOMINATOR"
    van_lang = nodes[MATCHER.match("Xã Văn Lăng")]
    assert van_lang.metrics["DOSSIER_SYNC"].data_quality_status == "NO_NATIONAL_REPORT_DATA"
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, van_lang)}
    assert rows["1.4"]["data_quality_status"] == "NO_NATIONAL_REPORT_DATA" and rows["1.4"]["status"] == "match"


def test_evaluation_rows_without_code_are_matched_by_the_id_the_trees_publish(tmp_path):
    satisfaction = _fixture("handling-satisfaction")
    alone = read_snapshot(_copy(tmp_path, satisfaction)[0], M, MATCHER)
    old_name = next(n for n in alone.nodes if n.department_id == "0a1b-vlg")
    assert old_name.unit_code is None and [i.rule for i in alone.issues] == ["unknown_department"]
    together = read_snapshot_files(_copy(tmp_path, satisfaction, _fixture("dvc-progress-tree")), M, MATCHER)
    node = next(n for n in together[0].nodes if n.department_id == "0a1b-vlg")
    assert (node.unit_code, node.matched_by) == (MATCHER.match("Xã Văn Lăng"), "department_id")
    assert together[0].issues == []


def test_a_disagreeing_score_is_a_mismatch_and_only_it(tmp_path):
    payload = json.loads((FIXTURES / _fixture("dossier-digitized")).read_text(encoding="utf-8"))
    row = payload["data"]["evaluation"][1]  # Phan Đình Phùng: 4.2 is 4 × 300/600 = 2.00; the portal says 3.00
    row["metrics"][1]["score"], row["totalScore"] = 3.0, 13.8
    path = tmp_path / _fixture("dossier-digitized")
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    rows = {
        r["indicator_code"]: r for r in reconcile_node(M, snap.group, _by_unit(snap)[MATCHER.match("Phường Phan Đình Phùng")])
    }
    assert (rows["4.2"]["status"], rows["4.2"]["portal_score"], rows["4.2"]["recomputed_score"]) == ("mismatch", 3.0, 2.0)
    assert rows[None]["status"] == "mismatch" and rows[None]["difference"] == pytest.approx(-1.0)
    assert sum(r["status"] == "mismatch" for r in rows.values()) == 2


def test_a_null_score_is_not_evaluated_and_left_out_of_the_total(tmp_path):
    payload = json.loads((FIXTURES / _fixture("dossier-digitized")).read_text(encoding="utf-8"))
    row = payload["data"]["evaluation"][0]  # Sở Nội vụ: ORIGINAL_RESULT_AVAILABLE (3.75) not evaluated
    row["metrics"][0].update(numerator=None, denominator=None, ratio=None, score=None)
    row["totalScore"] = 5.5
    path = tmp_path / _fixture("dossier-digitized")
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert [(i.rule, i.field) for i in snap.issues] == [("null_value", "ORIGINAL_RESULT_AVAILABLE")]
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, _by_unit(snap)[SNV])}
    assert rows["4.1"]["status"] == "not_evaluated" and rows["4.1"]["recomputed_score"] is None
    assert rows[None]["status"] == "match"


def test_a_missing_count_is_reported_once_per_rule_and_never_read_as_zero(tmp_path):
    payload = json.loads((FIXTURES / _fixture("formality-online-payment-tree")).read_text(encoding="utf-8"))
    for child in payload["data"]["children"]:
        del child["totalDossierFinancialObligation"]
    path = tmp_path / _fixture("formality-online-payment-tree")
    path.write_text(json.dumps(payload), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert [i.rule for i in snap.issues] == ["missing_field"] * 3
    lines = summarise_issues(snap)
    assert len(lines) == 1 and lines[0]["rows"] == 3 and lines[0]["field"] == "totalDossierFinancialObligation"
    assert lines[0]["departments"] == ["H55.02", "H55.100", "H55.101"] and lines[0]["reason"].startswith("3 dòng")
    rows = reconcile_node(M, snap.group, snap.nodes[1])
    assert [r["status"] for r in rows] == ["computed", "computed", "missing_data", "missing_data"]


def test_a_row_without_any_score_field_is_an_issue_naming_the_fields(tmp_path):
    payload = json.loads((FIXTURES / _fixture("provide-online-tree")).read_text(encoding="utf-8"))
    del payload["data"]["children"][0]["totalScore"]
    path = tmp_path / _fixture("provide-online-tree")
    path.write_text(json.dumps(payload), encoding="utf-8")
    issue = read_snapshot(path, M, MATCHER).issues[0]
    assert (issue.rule, issue.field, issue.department) == ("missing_score", "score/totalScore", "H55.02")


def test_a_commune_of_another_province_is_never_ours_and_mapped_codes_match(tmp_path):
    # Xã Văn Lang exists in Thái Nguyên and in Phú Thọ (H44): a Phú Thọ row is reported, never taken for ours, by its
    # code's prefix or by its name's province; a code of the master data's mapping file matches whatever the name.
    mapping = tmp_path / "thai_nguyen.csv"
    mapping.write_text("unit_code,portal_code,department_id\n05443,H55.150,\n", encoding="utf-8")
    matcher = UnitMatcher(apply_portal_codes(load_units("Thái Nguyên"), mapping))
    payload = json.loads((FIXTURES / _fixture("dvc-progress-tree")).read_text(encoding="utf-8"))
    template = payload["data"]["children"][1]
    payload["data"]["children"] = [
        template | {"departmentId": "a", "departmentCode": "H44.132", "departmentName": "UBND xã Văn Lang"},
        template | {"departmentId": "b", "departmentCode": "H55.160", "departmentName": "UBND xã Văn Lang - Tỉnh Phú Thọ"},
        template | {"departmentId": "c", "departmentCode": "H55.161", "departmentName": "UBND xã Văn Lang - Tỉnh Thái Nguyên"},
        template | {"departmentId": "d", "departmentCode": "H55.150", "departmentName": "Phường PĐP"},
    ]
    path = tmp_path / _fixture("dvc-progress-tree")
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, matcher)
    units = {n.department_code: (n.unit_code, n.matched_by) for n in snap.nodes if n.role == "unit"}
    assert units == {
        "H44.132": (None, None),
        "H55.160": (None, None),
        "H55.161": (matcher.match("Xã Văn Lang"), "name"),
        "H55.150": ("05443", "code"),
    }
    assert sorted((i.department, i.rule) for i in snap.issues) == [("H44.132", "other_province"), ("H55.160", "other_province")]
    assert all("Phú Thọ" in i.reason for i in snap.issues)


# --- where period and capture time come from ------------------------------------------------------------------


def test_an_answer_saved_with_a_capital_extension_is_read(tmp_path):
    name = _fixture("formality-online-payment-tree")
    path = tmp_path / name.replace(".json", ".JSON")
    shutil.copy(FIXTURES / name, path)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert snapshot_files(tmp_path) == [path, tmp_path / "notes.txt"]  # every file: read, or refused naming it
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert snap.usable and snap.period_label == read_snapshot(FIXTURES / name, methodology_for, MATCHER).period_label


@pytest.mark.parametrize("suffix", [".json.txt", ".jsonl", ".htm", ""])
def test_a_file_of_the_portal_folder_that_is_no_json_answer_is_refused_naming_it(tmp_path, suffix):
    """Notepad's 'answer.json.txt', two answers in a .jsonl, a page saved as .htm, a copy without extension: they were
    passed over in silence (the quarter's 3.x without a word); each is refused naming it and what to do."""
    name = _fixture("formality-online-payment-tree").removesuffix(".json") + suffix
    shutil.copy(FIXTURES / _fixture("formality-online-payment-tree"), tmp_path / name)
    (files,) = [snapshot_files(tmp_path)]
    assert files == [tmp_path / name]
    snap = read_snapshot(tmp_path / name, methodology_for, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["wrong_file_kind"]
    assert name in snap.issues[0].reason and ".json" in snap.issues[0].reason


def test_two_answers_in_one_file_are_named_as_such(tmp_path):
    text = (FIXTURES / _fixture("formality-online-payment-tree")).read_text(encoding="utf-8")
    path = tmp_path / _fixture("formality-online-payment-tree")
    path.write_text(" ".join(text.split("\n")) + "\n" + " ".join(text.split("\n")) + "\n", encoding="utf-8")
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert [i.rule for i in snap.issues] == ["bad_json"] and "nhiều hơn một câu trả lời" in snap.issues[0].reason


def test_a_sidecar_gives_period_and_capture_time_to_a_file_named_anyhow(tmp_path):
    path = tmp_path / "ket_qua_thanh_toan.json"
    shutil.copy(FIXTURES / _fixture("formality-online-payment-tree"), path)
    (tmp_path / "ket_qua_thanh_toan.request.json").write_text(
        json.dumps(
            {
                "endpoint": "formality-online-payment-tree",
                "captured_at": "2026-10-03T08:15:00",
                "requests": [{"timeType": "quarter", "year": 2026, "quarter": 3, "rootDepartmentId": "x"}],
            }
        ),
        encoding="utf-8",
    )
    assert snapshot_files(tmp_path) == [path]  # the sidecar is not a response
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert snap.usable and (snap.period_label, snap.captured_at, snap.capture_source) == (
        "2026-Q3",
        datetime(2026, 10, 3, 8, 15),
        "sidecar",
    )
    assert snap.endpoint == "formality-online-payment-tree"


def test_the_endpoint_is_recognised_from_the_content(tmp_path):
    for prefix in (
        "dvc-progress-tree",
        "provide-online-tree",
        "formality-online-payment-tree",
        "transparency",
        "handling-satisfaction",
        "dossier-digitized",
    ):
        path = tmp_path / f"bao_cao_2026-Q3_20261003T0815_{prefix.split('-')[0]}.json"
        shutil.copy(FIXTURES / _fixture(prefix), path)
        snap = read_snapshot(path, methodology_for, MATCHER)
        assert snap.usable and snap.endpoint == prefix and snap.captured_at == datetime(2026, 10, 3, 8, 15)


def test_a_sidecar_whose_capture_time_is_days_from_the_names_stamp_is_refused(tmp_path):
    """The latest capture decides the scores used: a sidecar saying 30/09 beside a name stamped 06/10 (copied from
    another capture) was taken silently."""
    path = tmp_path / "transparency_2026-Q3_20261006T0815.json"
    shutil.copy(FIXTURES / _fixture("transparency"), path)
    sidecar = tmp_path / "transparency_2026-Q3_20261006T0815.request.json"
    sidecar.write_text('{"captured_at": "2026-09-30T23:30:00Z"}', encoding="utf-8")
    [snap] = read_snapshot_files([path], methodology_for, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["capture_time_mismatch"]
    assert "06/10/2026 08:15" in snap.issues[0].reason and "01/10/2026 06:30" in snap.issues[0].reason
    sidecar.write_text('{"captured_at": "2026-10-06T09:40"}', encoding="utf-8")  # the same capture: its time is taken
    [snap] = read_snapshot_files([path], methodology_for, MATCHER)
    assert snap.usable and snap.captured_at == datetime(2026, 10, 6, 9, 40)


def test_a_quarter_that_is_none_in_the_documented_name_is_a_bad_period(tmp_path):
    """'2026-Q5' in the documented name was refused as having no period at all ('missing_period')."""
    path = tmp_path / "dvc-progress-tree_2026-Q5_20261003T0815.json"
    shutil.copy(FIXTURES / _fixture("dvc-progress-tree"), path)
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and snap.issues[0].rule == "bad_period" and "2026-Q5" in snap.issues[0].reason


def test_a_file_without_its_period_is_refused_saying_what_to_add(tmp_path):
    path = tmp_path / "dvc-progress-tree.json"
    shutil.copy(FIXTURES / _fixture("dvc-progress-tree"), path)
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and snap.issues[0].rule == "missing_period"
    assert "dvc-progress-tree.request.json" in snap.issues[0].reason and "2026-Q3" in snap.issues[0].reason


def test_a_missing_capture_time_is_taken_from_the_file_and_said(tmp_path):
    path = tmp_path / "transparency_2026-Q3.json"
    shutil.copy(FIXTURES / _fixture("transparency"), path)
    # Saved at 01:15 UTC on 3 October: 08:15 in Vietnam, whatever time zone the server keeps.
    saved = datetime(2026, 10, 3, 1, 15, tzinfo=UTC).timestamp()
    os.utime(path, (saved, saved))
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert snap.usable and snap.capture_source == "file_time" and snap.captured_at == datetime(2026, 10, 3, 8, 15)
    assert [i.rule for i in snap.issues] == ["capture_time_from_file"]


def test_content_that_contradicts_the_name_is_refused(tmp_path):
    path = tmp_path / "transparency_2026-Q3_20261003T0815.json"
    shutil.copy(FIXTURES / _fixture("dossier-digitized"), path)
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and snap.issues[0].rule == "endpoint_mismatch" and "dossier-digitized" in snap.issues[0].reason


# --- bad days -------------------------------------------------------------------------------------------------


def test_a_utf16_save_is_read(tmp_path):
    path = tmp_path / _fixture("transparency")
    path.write_bytes((FIXTURES / path.name).read_text(encoding="utf-8").encode("utf-16"))
    snap = read_snapshot(path, M, MATCHER)
    assert snap.usable and len(snap.nodes) == 4


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty_file"),
        (b"<!DOCTYPE html><html><head><title>B\xe1\xba\xa3o tr\xc3\xac</title></head><body>...</body></html>", "html_not_json"),
        (b'{"code":"OK","data":{"parent":{"departmentCode":"H55","totalRece', "bad_json"),
        (
            b'{"code":"ERR_UNAUTHORIZED","message":"Phi\xc3\xaan \xc4\x91\xc4\x83ng nh\xe1\xba\xadp h\xe1\xba\xbft h\xe1\xba\xa1n","data":null}',
            "portal_refused_access",
        ),
        (b'{"code":"OK","data":{"parent":{}}}', "bad_shape"),
        (b"[1, 2]", "bad_shape"),
    ],
)
def test_unusable_files_are_refused_with_the_real_cause(tmp_path, content, rule):
    path = tmp_path / "dvc-progress-tree_2026-Q3_20261003T0815.json"
    path.write_bytes(content)
    snap = read_snapshot(path, M, MATCHER)
    assert not snap.usable and snap.issues[0].rule == rule and snap.issues[0].reason


def test_one_page_of_several_is_reported(tmp_path):
    payload = json.loads((FIXTURES / _fixture("transparency")).read_text(encoding="utf-8"))
    payload["data"]["evaluation"] = payload["data"]["evaluation"][:2]
    payload["data"]["pagination"] = {"total": 3, "currentPage": 1, "pageSize": 2, "totalPages": 2}
    path = tmp_path / _fixture("transparency")
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert snap.usable and [i.rule for i in snap.issues] == ["incomplete_pages"] and "2/3" in snap.issues[0].reason


def test_duplicated_rows_keep_one_copy_and_conflicting_ones_none(tmp_path):
    payload = json.loads((FIXTURES / _fixture("dvc-progress-tree")).read_text(encoding="utf-8"))
    children = payload["data"]["children"]
    changed = dict(children[2], score=12.0)
    payload["data"]["children"] = [children[0], children[0], children[1], children[2], changed]
    path = tmp_path / _fixture("dvc-progress-tree")
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert [n.department_code for n in snap.nodes] == ["H55", "H55.02", "H55.100"]
    assert sorted(i.rule for i in snap.issues) == ["conflicting_rows", "duplicate_row"]


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("unknown-endpoint_2026-M01_20260203T0815.json", '{"code":"OK","data":{"parent":{},"children":[]}}', "unknown_endpoint"),
        ("transparency_2019-M01_20190203T0815.json", '{"data": {"overview": {}, "evaluation": []}}', "no_methodology"),
    ],
)
def test_files_the_methodology_cannot_take_are_refused(tmp_path, name, content, rule):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and snap.issues[0].rule == rule


def test_malformed_values_and_rows_are_reported_not_raised(tmp_path):
    payload = json.loads((FIXTURES / _fixture("dossier-digitized")).read_text(encoding="utf-8"))
    row = payload["data"]["evaluation"][0]
    row["metrics"][1]["numerator"] = "năm mươi"  # not a number: reported, not mistaken for the portal's null
    row["metrics"].append("not an object")
    payload["data"]["evaluation"].append(["not", "an", "object"])
    path = tmp_path / _fixture("dossier-digitized")
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert snap.usable and len(snap.nodes) == 4
    assert sorted(i.rule for i in snap.issues) == ["bad_number", "bad_row", "bad_row", "null_value"]
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, _by_unit(snap)[SNV])}
    assert rows["4.2"]["status"] == "missing_data" and rows[None]["status"] == "missing_data"


# --- into the warehouse ---------------------------------------------------------------------------------------


def test_loaded_snapshots_keep_warnings_summarise_issues_and_list_learned_codes(tmp_path):
    folder = _portal_folder(tmp_path)
    _copy(folder, *(p.name for p in FIXTURES.glob("*.json")))
    payload = json.loads((FIXTURES / _fixture("formality-online-payment-tree")).read_text(encoding="utf-8"))
    for child in payload["data"]["children"]:
        del child["totalFeeFormality"]
    (folder / "formality-online-payment-tree_2026-M07_20260803T0815.json").write_text(json.dumps(payload), encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, load_units("Thái Nguyên"))
    stats = store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 4))
    assert stats["files"] == 7 and stats["files_rejected"] == 0 and stats["unmatched_rows"] == 0
    issues = con.execute("SELECT rule, field, rows, departments FROM portal_qd766_issue").fetchall()
    assert issues == [("missing_field", "totalFeeFormality", 3, ["H55.02", "H55.100", "H55.101"])]
    labels = con.execute("""SELECT DISTINCT data_quality_label FROM mart_qd766_reconciliation
                            WHERE data_quality_status IS NOT NULL ORDER BY 1""").fetchall()
    assert labels == [("Chưa có số liệu báo cáo quốc gia",), ("Mẫu số tạm tính (số liệu báo cáo quốc gia chưa chính thức)",)]
    statuses = dict(
        con.execute("""SELECT status, count(*) FROM mart_qd766_reconciliation
                                   WHERE file_name NOT LIKE '%2026-M07%' GROUP BY 1""").fetchall()
    )
    assert set(statuses) == {"match", "computed", "portal_authoritative", "portal_score_without_counts"}
    # Matched rows all name their unit and sort; the province's own total is named and sorts first.
    unnamed = con.execute("""SELECT role, count(*) FROM mart_qd766_reconciliation
                             WHERE matched AND (unit_name IS NULL OR sort_key IS NULL) GROUP BY 1""").fetchall()
    assert unnamed == []
    province = con.execute("""SELECT DISTINCT unit_name, sort_key FROM mart_qd766_reconciliation
                              WHERE role = 'province'""").fetchall()
    assert province and all(key == "00000" and name for name, key in province)
    assert con.execute("SELECT min(sort_key) FROM mart_qd766_reconciliation WHERE role = 'unit'").fetchone()[0] > "00000"
    learned = con.execute(
        "SELECT DISTINCT portal_code FROM portal_unit_code WHERE source = 'learned' AND portal_code IS NOT NULL ORDER BY 1"
    ).fetchall()
    assert learned == [("H55.100",), ("H55.101",)]  # communes: the portal's own sequence, learned by name
    review = store.write_portal_code_review(con, tmp_path / "reports", "Thái Nguyên")
    assert review is not None and "H55.101" in review.read_text(encoding="utf-8-sig")
    # Reviewed, the file is the master data's mapping: the communes are then matched by the portal's code.
    reviewed = UnitMatcher(apply_portal_codes(load_units("Thái Nguyên"), review))
    assert reviewed.match_portal("H55.101") == MATCHER.match("Xã Văn Lăng")
    assert reviewed.match_portal(None, None, "0a1b-pdp") == MATCHER.match("Phường Phan Đình Phùng")
    scores = dict(
        con.execute("""SELECT unit_code, score FROM portal_qd766_node
                                 WHERE group_code = 'DVCTT' AND role = 'unit'""").fetchall()
    )
    assert scores[SNV] == 6.5  # the online-services score reaches the index (store.latest_portal_scores)
    assert store.latest_portal_scores(con, ["DVCTT"])[("2026-Q3", SNV, "DVCTT")] == 6.5


def test_a_broken_re_delivery_of_a_capture_keeps_its_earlier_rows(tmp_path):
    folder = _portal_folder(tmp_path)
    _copy(folder, *(p.name for p in FIXTURES.glob("*.json")))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, load_units("Thái Nguyên"))
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 4))
    name = _fixture("dvc-progress-tree")

    def rows() -> list:
        return con.execute("SELECT unit_code, score FROM portal_qd766_node WHERE file_name = ? ORDER BY ALL", [name]).fetchall()

    before = rows()
    whole = (folder / name).read_bytes()
    (folder / name).write_bytes(whole[: len(whole) // 2])  # a copy cut in the middle
    stats = store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 5))
    assert stats["files_kept_earlier"] == 1 and rows() == before and len(before) == 4
    assert con.execute("SELECT rule FROM portal_qd766_issue WHERE file_name = ? ORDER BY rule", [name]).fetchall() == [
        ("bad_json",),
        ("redelivery_refused",),
    ]
    assert con.execute("SELECT status FROM landed_files WHERE file_name = ?", [name]).fetchall() == [("loaded",)]


def test_scores_out_of_range_and_numbers_as_loose_text_never_reach_the_index(tmp_path):
    """A DVCTT score of 15 out of 12, or -2, entered the index as the unit's score; '1.200', 'nan' and '1e3' were
    read as numbers ('1.200' is read as 1.2 only where 1,200 is above the maximum). Each is left out with an issue naming the row and field; a decimal comma still reads."""
    name = _fixture("provide-online-tree")
    payload = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    children = payload["data"]["children"]
    children[0]["totalScore"] = 15
    children[1]["totalScore"] = "1.200"
    children[2]["totalScore"] = "8,5"
    for score in (-2, "nan", "1e3"):
        # Departments of their own: copies of Sở Nội vụ's row would be one unit with several rows (one_unit_*).
        row = {"departmentId": f"x{score}", "departmentCode": None, "departmentName": f"Đơn vị thử {score}", "totalScore": score}
        children.append({**children[0], **row})
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    # '1.200' out of 12 can only be 1.2 (1,200 is no score out of 12); a count so written stays ambiguous
    assert [n.score for n in snap.nodes if n.role == "unit"] == [None, 1.2, 8.5, None, None, None]
    rules = sorted((i.rule, i.field) for i in snap.issues if i.rule in ("bad_number", "value_out_of_range"))
    assert rules == [("bad_number", "totalScore")] * 2 + [("value_out_of_range", "totalScore")] * 2
    # The reconciliation says the portal's score was out of range, not that the portal gave none
    over = next(n for n in snap.nodes if n.role == "unit")
    [group_row] = [r for r in reconcile_node(M, snap.group, over) if r["indicator_code"] is None]
    assert group_row["status"] == "portal_score_invalid" and "ngoài khoảng" in STATUS_LABELS[group_row["status"]]


def test_a_bad_capture_time_is_refused_and_two_copies_of_one_capture_load_once_or_not_at_all(tmp_path):
    """A capture stamp typed day first in the name crashed every file of the run; an unreadable sidecar time was
    dropped for the file's time (an old answer became the latest). Two downloads of one capture: the same content
    loads once; different contents (which one counted depended on the load order) load neither."""
    name = _fixture("provide-online-tree")
    (tmp_path / "a").mkdir()
    odd = Path(shutil.copy(FIXTURES / name, tmp_path / "a" / name.replace("20261003T0815", "03102026T0815")))
    hand = Path(shutil.copy(FIXTURES / name, tmp_path / "a" / "cong_quy3.json"))
    (tmp_path / "a" / "cong_quy3.request.json").write_text('{"period": "2026-Q3", "captured_at": "hôm qua"}', encoding="utf-8")
    good = Path(shutil.copy(FIXTURES / name, tmp_path / "a" / name))
    snaps = {s.file_name: s for s in read_snapshot_files([odd, hand, good], methodology_for, MATCHER)}
    assert [i.rule for i in snaps[odd.name].issues] == ["bad_capture_time"]
    assert [i.rule for i in snaps[hand.name].issues] == ["bad_capture_time"]
    assert not any(i.blocking for i in snaps[good.name].issues)
    same = Path(shutil.copy(good, tmp_path / "a" / name.replace(".json", " (1).json")))
    copies = read_snapshot_files([same, good], methodology_for, MATCHER)
    assert [[i.rule for i in s.issues if i.blocking] for s in copies] == [["duplicate_capture"], []]
    payload = json.loads(good.read_text(encoding="utf-8"))
    payload["data"]["children"][0]["totalScore"] = 3.0
    same.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    differing = read_snapshot_files([same, good], methodology_for, MATCHER)
    assert [[i.rule for i in s.issues if i.blocking] for s in differing] == [["conflicting_captures"]] * 2


def test_an_answer_about_another_province_is_refused_whole(tmp_path):
    """The evaluation endpoints publish no unit codes: Phú Thọ's answer saved by mistake had its 'Sở Nội vụ' rows
    matched to this province's units by name. Its overview names the province: the file is refused."""
    name = _fixture("transparency")
    payload = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    payload["data"]["overview"]["departmentName"] = "UBND tỉnh Phú Thọ"
    for row in payload["data"]["evaluation"]:
        row["departmentName"] = row["departmentName"].split(" - ")[0]  # "Sở Nội vụ", as the endpoint writes it
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues if i.blocking] == ["other_province_file"]
    assert all(n.unit_code is None for n in snap.nodes)


# --- a metric written twice, a capture before its period, UTF-16 without BOM ------------------------------------
# Answers written by hand from portal-api.md (fields and metric codes as the reference lists them): a JSON object
# may carry a key twice, which json.loads resolves silently (the last one wins), so they are written as text.


def _metric(code: str, numerator: int, denominator: int, score: float, max_score: int, name: str | None = None) -> str:
    ratio = round(100 * numerator / denominator, 2)
    return (
        f'{{"code":"{code}","name":"{name or code}","numerator":{numerator},"denominator":{denominator},'
        f'"ratio":{ratio},"score":{score},"maxScore":{max_score}}}'
    )


PUBLISH = _metric("PUBLISH_ON_TIME", 40, 50, 4.8, 6, "Tỷ lệ TTHC công bố đúng hạn")
UPDATE = _metric("PUBLIC_UPDATE_ON_TIME", 45, 50, 3.6, 4)
CONTENT = _metric("PUBLIC_CONTENT_FULL", 49, 50, 1.96, 2)
# The four metrics of a unit whose dossiers all reached the portal (16.36 points).
SYNCED = [PUBLISH, UPDATE, CONTENT, _metric("DOSSIER_SYNC", 200, 200, 6, 6)]


def _evaluation_row(stt: int, department_id: str, name: str, level: str, score: float, metrics: list[str]) -> str:
    return (
        f'{{"stt":{stt},"departmentId":"{department_id}","departmentName":"{name}","departmentType":"X",'
        f'"departmentLevel":"{level}","agencyLevel":"x","totalScore":{score},"totalMaxScore":18,"ratio":90,'
        f'"scoreDelta":null,"metrics":[{",".join(metrics)}]}}'
    )


def _transparency(units: list[str]) -> str:
    overview = _evaluation_row(
        1, "019d2be3-6a88-732b-8b25-68dfdcdcff0e", "UBND tỉnh Thái Nguyên", "PROVINCE", 16.11, [PUBLISH, UPDATE, CONTENT]
    )
    overview = overview.replace(f"{CONTENT}]", f"{CONTENT},{_metric('DOSSIER_SYNC', 1150, 1200, 5.75, 6)}]")
    return (
        f'{{"code":"OK","message":"OK","data":{{"overview":{overview},"evaluation":[{",".join(units)}],'
        f'"pagination":{{"currentPage":1,"pageSize":200,"total":{len(units)},"totalPages":1}},"source":"x"}}}}'
    )


def test_a_metric_written_twice_in_a_units_record_with_two_values_is_rejected_for_that_unit_only(tmp_path):
    """The last DOSSIER_SYNC of Sở Nội vụ's record won silently (5.7 instead of 6, or the reverse). Two copies that
    agree are one metric; two that differ are reported with both values and not used; the unit's other metrics and
    the other units load."""
    sync_6, sync_57 = _metric("DOSSIER_SYNC", 200, 200, 6, 6), _metric("DOSSIER_SYNC", 190, 200, 5.7, 6)
    snv = _evaluation_row(
        1,
        "0a1b-snv",
        "Sở Nội vụ - Tỉnh Thái Nguyên",
        "PROVINCE",
        16.36,
        [PUBLISH, unicodedata.normalize("NFD", PUBLISH), UPDATE, CONTENT, sync_6, sync_57],  # the same, decomposed
    )
    content_twice = CONTENT.replace('"score":1.96', '"score":1.96,"score":2')  # one metric, its score written twice
    van_lang = _evaluation_row(
        2,
        "0a1b-vlg",
        "UBND xã Văn Lăng",
        "COMMUNE",
        16.06,
        [PUBLISH, UPDATE, content_twice, _metric("DOSSIER_SYNC", 380, 400, 5.7, 6)],
    )
    name = "transparency_2026-Q3_20261003T0815.json"
    folder = _portal_folder(tmp_path)
    (folder / name).write_text(_transparency([snv, van_lang]), encoding="utf-8")
    snap = read_snapshot(folder / name, M, MATCHER)
    assert snap.usable
    nodes = _by_unit(snap)
    van_lang_unit = MATCHER.match("Xã Văn Lăng")
    assert set(nodes[SNV].metrics) == {"PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL"}
    assert nodes[SNV].metrics["PUBLISH_ON_TIME"].score == 4.8  # the copies agree (NFD name is the same): no issue
    assert nodes[SNV].metrics["PUBLISH_ON_TIME"].name == "Tỷ lệ TTHC công bố đúng hạn"
    assert set(nodes[van_lang_unit].metrics) == {"PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "DOSSIER_SYNC"}
    assert [(i.rule, i.field, i.department) for i in snap.issues] == [
        ("conflicting_metric", "DOSSIER_SYNC", "Sở Nội vụ - Tỉnh Thái Nguyên"),
        ("conflicting_metric", "PUBLIC_CONTENT_FULL", "UBND xã Văn Lăng"),
    ]
    reason = snap.issues[0].reason
    assert all(word in reason for word in (name, "Sở Nội vụ", "DOSSIER_SYNC", "2 lần", "6 và 5.7", "200 và 190"))
    assert "1.96 và 2" in snap.issues[1].reason
    rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, nodes[SNV])}
    assert rows["1.4"]["status"] == "missing_data" and rows["1.1"]["status"] == "match"
    # Into the warehouse: the ambiguous metric is in the issue table, not in the metric table; the rest loads.
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, load_units("Thái Nguyên"))
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 4))
    metrics = con.execute("SELECT unit_code, metric_code FROM portal_qd766_metric WHERE role = 'unit' ORDER BY ALL").fetchall()
    assert len(metrics) == 6 and (SNV, "DOSSIER_SYNC") not in metrics and (SNV, "PUBLISH_ON_TIME") in metrics
    lines = con.execute("SELECT rule, field, rows, blocking, reason FROM portal_qd766_issue").fetchall()
    assert [line[:4] for line in lines] == [
        ("conflicting_metric", "DOSSIER_SYNC", 1, False),
        ("conflicting_metric", "PUBLIC_CONTENT_FULL", 1, False),
    ]


TREE_PARENT = (
    '{"departmentId":"019d2be3-6a88-732b-8b25-68dfdcdcff0e","departmentName":"UBND tỉnh Thái Nguyên",'
    '"departmentCode":"H55","totalReceived":1200,"totalOnTime":1100,"totalCompleted":1000,"avgProcessingDays":3.5,'
    '"ratio":91.67,"totalScore":18.33,"totalMaxScore":20}'
)


def _progress_child(department_id: str, code: str, name: str, received: int, on_time: int, score: float, extra: str = "") -> str:
    return (
        f'{{"departmentId":"{department_id}","departmentName":"{name}","departmentCode":"{code}","level":"COMMUNE",'
        f'"totalReceived":{received},"totalOnTime":{on_time},"totalOverdue":{received - on_time},'
        f'"avgProcessingDays":3,"ratio":{round(100 * on_time / received, 2)},"score":{score},"maxScore":20,'
        f'"scoreDelta":null{extra}}}'
    )


def _progress_tree(children: list[str], extra: str = "") -> str:
    return f'{{"code":"OK","message":"OK","data":{{"parent":{TREE_PARENT},"children":[{",".join(children)}]{extra}}}}}'


def test_a_tree_field_written_twice_with_two_values_is_not_used_and_the_rows_other_fields_are(tmp_path):
    """In the tree shape a unit's metrics are its fields: 'totalReceived' twice (200, then 210) kept 210 silently."""
    children = [
        _progress_child(
            "0a1b-snv", "H55.02", "Sở Nội vụ - Tỉnh Thái Nguyên", 200, 180, 18, ',"totalReceived":210,"totalOnTime":180'
        ),
        _progress_child("0a1b-vlg", "H55.101", "UBND xã Văn Lăng", 400, 360, 18, ',"score":17.5'),
        _progress_child("0a1b-pdp", "H55.100", "UBND Phường Phan Đình Phùng", 600, 560, 18.67, ',"departmentCode":"H55.05443"'),
    ]
    name = "dvc-progress-tree_2026-Q3_20261003T0815.json"
    path = tmp_path / name
    path.write_text(_progress_tree(children), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert snap.usable
    nodes = {n.department_code: n for n in snap.nodes}
    assert nodes["H55.02"].counts["totalReceived"] is None and nodes["H55.02"].counts["totalOnTime"] == 180
    assert nodes["H55.02"].score == 18 and nodes["H55.101"].score is None and nodes["H55.101"].counts["totalReceived"] == 400
    assert set(nodes) == {"H55", "H55.02", "H55.101"}  # Phan Đình Phùng's row names two codes: not used
    assert [(i.rule, i.field, i.department) for i in snap.issues] == [
        ("conflicting_metric", "totalReceived", "H55.02"),
        ("conflicting_metric", "score", "H55.101"),
        ("ambiguous_department", None, "UBND Phường Phan Đình Phùng"),
    ]
    reasons = [i.reason for i in snap.issues]
    assert all(name in r for r in reasons)
    assert "Sở Nội vụ" in reasons[0] and "200 và 210" in reasons[0] and "18 và 17.5" in reasons[1]
    assert '"H55.100" và "H55.05443"' in reasons[2] and "dòng thứ 4" in reasons[2]
    assert reconcile_node(M, snap.group, nodes["H55.02"])[-1]["status"] == "missing_data"


def test_a_part_of_the_answer_written_twice_with_two_contents_refuses_the_file(tmp_path):
    child = _progress_child("0a1b-snv", "H55.02", "Sở Nội vụ - Tỉnh Thái Nguyên", 200, 180, 18)
    path = tmp_path / "dvc-progress-tree_2026-Q3_20261003T0815.json"
    path.write_text(_progress_tree([child], ',"children":[]'), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["conflicting_keys"]
    assert "'children'" in snap.issues[0].reason and path.name in snap.issues[0].reason
    path.write_text(_progress_tree([child], f',"children":[{child}]'), encoding="utf-8")  # the same twice: no ambiguity
    assert read_snapshot(path, M, MATCHER).issues == []


def test_an_answer_without_units_is_refused_and_its_re_delivery_keeps_the_earlier_rows(tmp_path):
    folder = _portal_folder(tmp_path)
    name = "dvc-progress-tree_2026-Q3_20261003T0815.json"
    child = _progress_child("0a1b-snv", "H55.02", "Sở Nội vụ - Tỉnh Thái Nguyên", 200, 180, 18)
    (folder / name).write_text(_progress_tree([child]), encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, load_units("Thái Nguyên"))
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 4))
    (folder / name).write_text(_progress_tree([]), encoding="utf-8")  # the portal answering nothing, saved again
    snap = read_snapshot(folder / name, M, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["no_units"] and "data.children" in snap.issues[0].reason
    stats = store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 5))
    assert stats["files_kept_earlier"] == 1
    assert con.execute("SELECT unit_code, score FROM portal_qd766_node WHERE role = 'unit'").fetchall() == [(SNV, 18.0)]
    (folder / name).write_bytes(b"\x00" * 4096)  # space reserved, never written (a crash while saving)
    snap = read_snapshot(folder / name, M, MATCHER)
    assert [i.rule for i in snap.issues] == ["empty_file"] and "byte 0" in snap.issues[0].reason


@pytest.mark.parametrize(
    ("name", "sidecar", "captured"),
    [
        ("dvc-progress-tree_2026-Q4_20260930T2359.json", None, "30/09/2026 23:59"),
        ("tien_do_quy4.json", '{"period": "2026-Q4", "captured_at": "2026-09-28T08:00"}', "28/09/2026 08:00"),
    ],
)
def test_a_capture_made_before_its_period_began_is_refused(tmp_path, name, sidecar, captured):
    """An answer saved on 30 September cannot be the fourth quarter's figures (a wrong label or clock): it loaded as
    the quarter's snapshot. A capture during the period is a partial figure and still loads."""
    path = Path(shutil.copy(FIXTURES / _fixture("dvc-progress-tree"), tmp_path / name))
    if sidecar:
        (tmp_path / name.replace(".json", ".request.json")).write_text(sidecar, encoding="utf-8")
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["captured_before_period"]
    reason = snap.issues[0].reason
    assert all(word in reason for word in (name, captured, "2026-Q4", "01/10/2026"))
    during = Path(shutil.copy(path, tmp_path / "dvc-progress-tree_2026-Q4_20261001T0000.json"))
    assert read_snapshot(during, methodology_for, MATCHER).issues == []


def test_a_capture_time_taken_from_the_file_before_the_period_is_refused_saying_so(tmp_path):
    path = Path(shutil.copy(FIXTURES / _fixture("dvc-progress-tree"), tmp_path / "dvc-progress-tree_2026-Q4.json"))
    stamp = datetime(2026, 9, 15, 3, 0, tzinfo=UTC).timestamp()  # 10:00 in Vietnam
    os.utime(path, (stamp, stamp))
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert [i.rule for i in snap.issues] == ["capture_time_from_file", "captured_before_period"] and not snap.usable
    assert "thời gian sửa tệp" in snap.issues[1].reason and "15/09/2026 10:00" in snap.issues[1].reason


def test_a_capture_stamped_in_the_future_is_refused(tmp_path):
    """A typed year (2062 for 2026) made the file the quarter's latest capture for good, hiding every real one."""
    path = Path(shutil.copy(FIXTURES / _fixture("dvc-progress-tree"), tmp_path / "dvc-progress-tree_2026-Q4_20621003T0815.json"))
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["captured_in_future"]
    assert "03/10/2062 08:15" in snap.issues[0].reason and "tên tệp" in snap.issues[0].reason


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_utf16_or_utf32_save_without_bom_is_read(tmp_path, encoding):
    """Notepad's or PowerShell's "Unicode" without a byte-order mark: UTF-16 LE read as UTF-8 gave 'JSON hỏng, tệp có
    thể bị cắt cụt', or 'không phải UTF-8/UTF-16' once a Vietnamese letter came."""
    path = tmp_path / _fixture("transparency")
    path.write_bytes((FIXTURES / path.name).read_text(encoding="utf-8").encode(encoding))
    snap = read_snapshot(path, M, MATCHER)
    assert snap.usable and len(snap.nodes) == 4 and snap.issues == []
    assert any(n.department_name == "UBND xã Văn Lăng" for n in snap.nodes)


def test_a_cut_utf16_save_without_bom_says_so_and_a_utf16_sidecar_is_read(tmp_path):
    path = tmp_path / _fixture("transparency")
    raw = (FIXTURES / path.name).read_text(encoding="utf-8").encode("utf-16-le")
    path.write_bytes(raw[:-1])  # an odd number of bytes: cut while saving
    snap = read_snapshot(path, M, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["bad_encoding"]
    assert "UTF-16 LE (không có BOM)" in snap.issues[0].reason and "cắt cụt" in snap.issues[0].reason
    hand = Path(shutil.copy(FIXTURES / _fixture("provide-online-tree"), tmp_path / "cong.json"))
    (tmp_path / "cong.request.json").write_bytes('{"period": "2026-Q3", "captured_at": "2026-10-03T08:15"}'.encode("utf-16-le"))
    snap = read_snapshot(hand, M, MATCHER)
    assert snap.usable and (snap.period_label, snap.capture_source) == ("2026-Q3", "sidecar")


def test_a_capture_made_now_is_read_while_a_run_acts_as_of_an_earlier_day(tmp_path, monkeypatch):
    """The collector stamps its answers with the clock (in Vietnam); a run acting as of an earlier business day
    (CCHC_TODAY) refused them as 'captured in the future' (the capture test failed once Vietnam's date passed it)."""
    from common.settings import now_local

    monkeypatch.setenv("CCHC_TODAY", (now_local().date() - timedelta(days=5)).isoformat())
    stamp = now_local().strftime("%Y%m%dT%H%M")
    path = Path(shutil.copy(FIXTURES / _fixture("dvc-progress-tree"), tmp_path / f"dvc-progress-tree_2026-Q3_{stamp}.json"))
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert "captured_in_future" not in [i.rule for i in snap.issues]


# --- confirmed defects of the portal reader (fix-portal) --------------------------------------------------------


def test_a_capture_gone_from_the_inbox_keeps_its_rows_with_a_note_until_withdrawn(tmp_path):
    """A snapshot deleted or moved away (or the whole folder gone with an unmounted share) took the portal's scores
    and their reconciliation out in silence: its rows stay, a note says so, and withdraw takes them out."""
    folder = _portal_folder(tmp_path)
    _copy(folder, *(p.name for p in FIXTURES.glob("*.json")))
    con = _warehouse(tmp_path)
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 4))
    tables = ("portal_qd766_node", "portal_qd766_metric", "mart_qd766_reconciliation")

    def counts() -> list[int]:
        return [con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables]

    before = counts()
    name = _fixture("dvc-progress-tree")
    (folder / name).unlink()
    stats = store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 5))
    assert stats["files_gone_kept"] == 1 and counts() == before and min(before) > 0
    notes = con.execute("SELECT file_name, rule, blocking FROM file_issues WHERE source = 'portal_qd766'").fetchall()
    assert notes == [(name, "file_gone", False)]
    # every file gone (the folder empty): all kept; a rerun gives the same tables
    for path in folder.iterdir():
        path.unlink()
    for day in (6, 7):
        store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, day))
        assert counts() == before
        # the first file's note keeps the time it was first written: a rerun gives the same table
        first = con.execute("SELECT loaded_at FROM file_issues WHERE file_name = ?", [name]).fetchall()
        assert first == [(datetime(2026, 10, 5),)]
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 8), withdraw=True)
    assert counts() == [0, 0, 0]
    assert con.execute("SELECT count(*) FROM landed_files WHERE source = 'portal_qd766'").fetchall() == [(0,)]


def _warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, load_units("Thái Nguyên"))
    return con


def test_a_later_capture_not_evaluating_a_unit_makes_its_score_unknown_not_the_older_one(tmp_path):
    """DuckDB's arg_max skips a NULL score: a later capture where the portal says null ("not evaluated",
    portal-api.md) or a score dropped as out of range gave the index and the comparison view the older capture's
    score. The latest capture decides: its null is unknown."""
    folder = _portal_folder(tmp_path)
    name = _fixture("provide-online-tree")  # captured 03/10/2026: Sở Nội vụ 6.5, Văn Lăng 6.25, Phan Đình Phùng 7.1
    _copy(folder, name)
    payload = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    children = payload["data"]["children"]
    children[0]["totalScore"] = None  # Sở Nội vụ not evaluated any more
    children[1]["totalScore"] = 7.5
    children[2]["totalScore"] = 15  # out of 12: dropped
    later = folder / name.replace("20261003T0815", "20261010T0815")
    later.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    con = _warehouse(tmp_path)
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 11))
    scores = store.latest_portal_scores(con, ["DVCTT"])
    van_lang, phan_dinh_phung = MATCHER.match("Xã Văn Lăng"), MATCHER.match("Phường Phan Đình Phùng")
    assert scores == {("2026-Q3", phan_dinh_phung, "DVCTT"): 7.5}
    assert ("2026-Q3", SNV, "DVCTT") not in scores and ("2026-Q3", van_lang, "DVCTT") not in scores
    con.execute(
        """INSERT INTO mart_qd766_unit (period_label, period_kind, period_start, period_end, as_of, unit_code, unit_name,
                                        ranking_group, score_dvctt, dvctt_source, total, evaluated_max, complete,
                                        is_tied, units_in_group, dossiers)
           VALUES ('2026-Q3', 'quarter', DATE '2026-07-01', DATE '2026-09-30', TIMESTAMP '2026-10-11 06:00', ?, 'Sở Nội vụ',
                   'agency', 6.5, 'portal', 6.5, 12, false, false, 1, 0)""",
        [SNV],
    )
    view = con.execute(
        """SELECT portal_score, captured_at FROM mart_qd766_local_vs_portal
                          WHERE unit_code = ? AND group_code = 'DVCTT'""",
        [SNV],
    ).fetchall()
    assert view == [(None, datetime(2026, 10, 10, 8, 15))]


def test_a_sidecar_gives_what_it_has_and_the_request_or_the_name_the_rest(tmp_path):
    """A sidecar made the file name unread: one holding only the request (what portal-api.md says whoever saves an
    answer must keep) gave the capture the file's modification time, so an old answer became the latest; one holding
    only the capture time refused a correctly named file as having no period. Each key now comes from the sidecar,
    else the request recorded in it, else the name."""
    name = _fixture("transparency")  # transparency_2026-Q3_20261003T0815.json
    request = {"timeType": "quarter", "year": 2026, "quarter": 3, "rootDepartmentId": "019d2be3-6a88-732b-8b25-68dfdcdcff0e"}
    only_request = Path(shutil.copy(FIXTURES / name, tmp_path / name))
    (tmp_path / name.replace(".json", ".request.json")).write_text(json.dumps({"request": request}), encoding="utf-8")
    later = name.replace("20261003T0815", "20261010T0815")
    only_time = Path(shutil.copy(FIXTURES / name, tmp_path / later))
    (tmp_path / later.replace(".json", ".request.json")).write_text('{"captured_at": "2026-10-10T09:30"}', encoding="utf-8")
    hand = Path(shutil.copy(FIXTURES / name, tmp_path / "minh_bach_20261005T0700.json"))  # period only in the request
    (tmp_path / "minh_bach_20261005T0700.request.json").write_text(json.dumps({"requests": [request]}), encoding="utf-8")
    snaps = {s.file_name: s for s in read_snapshot_files([only_request, only_time, hand], methodology_for, MATCHER)}
    got = {n: (s.period_label, s.captured_at, s.capture_source, [i.rule for i in s.issues]) for n, s in snaps.items()}
    assert got == {
        name: ("2026-Q3", datetime(2026, 10, 3, 8, 15), "file_name", []),
        later: ("2026-Q3", datetime(2026, 10, 10, 9, 30), "sidecar", []),
        "minh_bach_20261005T0700.json": ("2026-Q3", datetime(2026, 10, 5, 7, 0), "file_name", []),
    }


def test_a_sidecar_period_contradicting_its_request_or_the_name_refuses_the_file(tmp_path):
    """A sidecar saying 2026-Q4 beside its own request for the third quarter and a name saying 2026-Q3 loaded the
    answer as the fourth quarter's, silently. The answer is the request's, but which of the three was edited is
    unknowable: refused, naming each period; when they agree, it loads."""
    name = _fixture("transparency")  # transparency_2026-Q3_20261003T0815.json
    path = Path(shutil.copy(FIXTURES / name, tmp_path / name))
    sidecar = tmp_path / name.replace(".json", ".request.json")
    request = {"timeType": "quarter", "year": 2026, "quarter": 3, "rootDepartmentId": "019d2be3-6a88-732b-8b25-68dfdcdcff0e"}
    sidecar.write_text(json.dumps({"period": "2026-Q4", "captured_at": "2026-10-03T08:15", "requests": [request]}), "utf-8")
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert not snap.usable and [i.rule for i in snap.issues] == ["period_mismatch"] and snap.nodes == []
    reason = snap.issues[0].reason
    assert all(w in reason for w in (sidecar.name, "ghi kỳ 2026-Q4", "yêu cầu ghi trong tệp kèm là kỳ 2026-Q3", "tên tệp"))
    # The sidecar without a period, its request for the fourth quarter: the name's third quarter is contradicted too.
    sidecar.write_text(json.dumps({"captured_at": "2026-10-03T08:15", "requests": [dict(request, quarter=4)]}), "utf-8")
    assert [i.rule for i in read_snapshot(path, methodology_for, MATCHER).issues] == ["period_mismatch"]
    sidecar.write_text(json.dumps({"period": "2026-Q3", "captured_at": "2026-10-03T08:15", "requests": [request]}), "utf-8")
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert snap.usable and snap.issues == [] and snap.period_label == "2026-Q3"


@pytest.mark.parametrize(
    ("written", "local"),
    [
        ("2026-09-30T23:30:00Z", datetime(2026, 10, 1, 6, 30)),  # UTC: 06:30 on 1 October in Vietnam
        ("2026-10-01T01:30:00+02:00", datetime(2026, 10, 1, 6, 30)),
        ("2026-10-01T06:30:00+07:00", datetime(2026, 10, 1, 6, 30)),
        ("2026-10-01T06:30", datetime(2026, 10, 1, 6, 30)),  # no offset: already Vietnam time
    ],
)
def test_a_sidecar_capture_time_with_an_offset_is_converted_to_vietnam_time(tmp_path, written, local):
    """'2026-09-30T23:30:00Z' lost its offset and read 23:30 on 30 September: a fourth-quarter capture made at 06:30
    on 1 October in Vietnam was refused as captured before its period (and any such time was 7 hours off)."""
    path = Path(shutil.copy(FIXTURES / _fixture("dvc-progress-tree"), tmp_path / "tien_do_quy4.json"))
    (tmp_path / "tien_do_quy4.request.json").write_text(json.dumps({"period": "2026-Q4", "captured_at": written}), "utf-8")
    snap = read_snapshot(path, methodology_for, MATCHER)
    assert snap.usable and snap.issues == [] and (snap.captured_at, snap.capture_source) == (local, "sidecar")


def test_several_portal_departments_landing_on_one_unit_keep_none_or_one(tmp_path):
    """Two department ids both named Sở Nội vụ, or a predecessor's name (Sở Lao động - Thương binh và Xã hội, merged
    into Sở Nội vụ) matched to 19.SNV, all became 19.SNV without a word and the index took one of them. As for two
    rows of one department: different values keep none (the rows stay unmatched for the reconciliation), the same
    values keep one, with a note naming the departments."""
    other_sync = [PUBLISH, UPDATE, CONTENT, _metric("DOSSIER_SYNC", 190, 200, 5.7, 6)]
    snv = _evaluation_row(1, "0a1b-snv", "Sở Nội vụ - Tỉnh Thái Nguyên", "PROVINCE", 16.36, SYNCED)
    snv_again = _evaluation_row(2, "0a1b-snv-2", "Sở Nội vụ", "PROVINCE", 16.06, other_sync)
    van_lang = _evaluation_row(3, "0a1b-vlg", "UBND xã Văn Lăng", "COMMUNE", 16.36, SYNCED)
    folder = _portal_folder(tmp_path)
    differing = folder / "transparency_2026-Q3_20261003T0815.json"
    differing.write_text(_transparency([snv, snv_again, van_lang]), encoding="utf-8")
    ldtbxh = _evaluation_row(2, "0a1b-ldtbxh", "Sở Lao động - Thương binh và Xã hội", "PROVINCE", 16.36, SYNCED)
    same = folder / "transparency_2026-M09_20261003T0815.json"
    same.write_text(_transparency([snv, ldtbxh, van_lang]), encoding="utf-8")
    snaps = {s.file_name: s for s in read_snapshot_files([differing, same], M, MATCHER)}
    first = snaps[differing.name]
    assert first.usable and [(n.department_id, n.unit_code) for n in first.nodes if n.role == "unit"] == [
        ("0a1b-snv", None),
        ("0a1b-snv-2", None),
        ("0a1b-vlg", MATCHER.match("Xã Văn Lăng")),
    ]
    assert [i.rule for i in first.issues] == ["one_unit_several_rows"]
    reason = first.issues[0].reason
    assert all(w in reason for w in (SNV, "0a1b-snv", "0a1b-snv-2", "'Sở Nội vụ'", "16.36 và 16.06", "không dùng dòng nào"))
    second = snaps[same.name]
    assert [(n.department_id, n.unit_code) for n in second.nodes if n.role == "unit"] == [
        ("0a1b-snv", SNV),
        ("0a1b-vlg", MATCHER.match("Xã Văn Lăng")),
    ]
    assert [i.rule for i in second.issues] == ["one_unit_duplicate_rows"]
    assert "Sở Lao động - Thương binh và Xã hội" in second.issues[0].reason and "giữ một dòng" in second.issues[0].reason
    con = _warehouse(tmp_path)
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 4))
    rows = con.execute("SELECT period_label, count(*) FROM portal_qd766_node WHERE unit_code = ? GROUP BY 1", [SNV]).fetchall()
    assert rows == [("2026-M09", 1)]


def test_a_predecessors_row_beside_its_successors_leaves_the_successors_row_counting(tmp_path):
    """A merged agency still on the portal (Sở Lao động - Thương binh và Xã hội, score 0 with counts 0) beside Sở Nội
    vụ: with different values neither counted, so Sở Nội vụ's score of that capture was lost (and an older capture's
    came back). The row named with the unit's current name is the unit's; the predecessor's is kept for the
    reconciliation only."""
    empty = [PUBLISH, UPDATE, CONTENT, _metric("DOSSIER_SYNC", 0, 10, 0, 6)]
    snv = _evaluation_row(1, "0a1b-snv", "Sở Nội vụ", "PROVINCE", 16.36, SYNCED)
    ldtbxh = _evaluation_row(2, "0a1b-ldtbxh", "Sở Lao động - Thương binh và Xã hội", "PROVINCE", 0, empty)
    folder = _portal_folder(tmp_path)
    path = folder / "transparency_2026-Q3_20261003T0815.json"
    path.write_text(_transparency([snv, ldtbxh]), encoding="utf-8")
    [snap] = read_snapshot_files([path], M, MATCHER)
    assert [(n.department_id, n.unit_code) for n in snap.nodes if n.role == "unit"] == [("0a1b-snv", SNV), ("0a1b-ldtbxh", None)]
    assert [i.rule for i in snap.issues] == ["one_unit_several_rows"] and "dùng dòng" in snap.issues[0].reason


def _transparency_page(units: list[str], current: int, pages: int, total: int) -> str:
    """One page of the transparency answer as the portal pages it (data.pagination, portal-api.md)."""
    one = _transparency(units)
    return one.replace(
        f'"pagination":{{"currentPage":1,"pageSize":200,"total":{len(units)},"totalPages":1}}',
        f'"pagination":{{"currentPage":{current},"pageSize":2,"total":{total},"totalPages":{pages}}}',
    )


def test_the_pages_of_one_capture_saved_one_file_per_page_load_together(tmp_path):
    """An evaluation answer saved one file per page (the same minute, currentPage 1 and 2 of totalPages 2) loaded
    nothing: each page was 'incomplete_pages' and the two, of one capture with different contents, were refused as
    'conflicting_captures'. Pages that complement each other are one capture: each file loads its rows; pages still
    missing are named."""
    snv = _evaluation_row(1, "0a1b-snv", "Sở Nội vụ - Tỉnh Thái Nguyên", "PROVINCE", 16.36, SYNCED)
    pdp = _evaluation_row(2, "0a1b-pdp", "UBND Phường Phan Đình Phùng", "COMMUNE", 16.36, SYNCED)
    van_lang = _evaluation_row(3, "0a1b-vlg", "UBND xã Văn Lăng", "COMMUNE", 16.36, SYNCED)
    folder = _portal_folder(tmp_path)
    first, second = folder / "minh_bach_2026-Q3_20261003T0815_trang1.json", folder / "minh_bach_2026-Q3_20261003T0815_trang2.json"
    first.write_text(_transparency_page([snv, pdp], 1, 2, 3), encoding="utf-8")
    second.write_text(_transparency_page([van_lang], 2, 2, 3), encoding="utf-8")
    snaps = read_snapshot_files([first, second], M, MATCHER)
    assert [(s.usable, [i.rule for i in s.issues]) for s in snaps] == [(True, []), (True, [])]
    assert [sorted(n.unit_code for n in s.nodes if n.role == "unit") for s in snaps] == [
        sorted([SNV, MATCHER.match("Phường Phan Đình Phùng")]),
        [MATCHER.match("Xã Văn Lăng")],
    ]
    con = _warehouse(tmp_path)
    store.load_portal_snapshots(con, store.read_snapshots(folder, MATCHER), MATCHER, datetime(2026, 10, 4))
    loaded = con.execute("SELECT count(DISTINCT unit_code) FROM portal_qd766_node WHERE role = 'unit' AND unit_code IS NOT NULL")
    assert loaded.fetchone() == (3,)
    # The workbook's reconciliation shows every page of the latest capture (it showed one file), the province once.
    from common.periods import parse_period
    from workbooks.qd766 import read_workbook_data

    shown = read_workbook_data(con, parse_period("2026-Q3")).reconciliation
    shown = shown[shown["endpoint"] == "transparency"]
    assert sorted(shown["file_name"].unique()) == sorted([first.name, second.name])
    province = shown[shown["role"] == "province"]
    assert province["file_name"].nunique() == 1 and not province.duplicated(["indicator_code", "metric_code"]).any()
    assert shown["unit_code"].nunique() == 3
    # Pages 1 and 3 of 3: joined, and page 2 is named as missing (once, not per file).
    second.write_text(_transparency_page([van_lang], 3, 3, 5), encoding="utf-8")
    first.write_text(_transparency_page([snv, pdp], 1, 3, 5), encoding="utf-8")
    snaps = read_snapshot_files([first, second], M, MATCHER)
    assert all(s.usable for s in snaps) and [[i.rule for i in s.issues] for s in snaps] == [["incomplete_pages"], []]
    assert "3/5 đơn vị, thiếu trang 2" in snaps[0].issues[0].reason
    # The portal re-sorted while it was paged: page 2 repeats a unit of page 1 and Văn Lăng is on neither. Rows are
    # 3 of 3, departments 2: the capture lacks a unit, said (it was not: rows were counted).
    first.write_text(_transparency_page([snv, pdp], 1, 2, 3), encoding="utf-8")
    second.write_text(_transparency_page([pdp], 2, 2, 3), encoding="utf-8")
    snaps = read_snapshot_files([first, second], M, MATCHER)
    assert "incomplete_pages" in [i.rule for i in snaps[0].issues] and "2/3 đơn vị" in str([i.reason for i in snaps[0].issues])
    # The same page twice with different contents is still two captures that disagree.
    first.write_text(_transparency_page([snv, pdp], 1, 3, 5), encoding="utf-8")
    second.write_text(_transparency_page([van_lang], 1, 3, 5), encoding="utf-8")
    snaps = read_snapshot_files([first, second], M, MATCHER)
    assert [[i.rule for i in s.issues if i.blocking] for s in snaps] == [["conflicting_captures"]] * 2


LANG_SON_ROOT = "019d2be3-6a81-771b-b671-9078297c4a7b"  # Lạng Sơn's rootDepartmentId in masterdata/portal_provinces.csv
OWN_ROOT = "019d2be3-6a88-732b-8b25-68dfdcdcff0e"
SNV_ROW = _evaluation_row(1, "ls-snv", "Sở Nội vụ", "PROVINCE", 16.36, SYNCED)  # as transparency writes it: no code


def _answer(overview: str | None) -> str:
    head = f'"overview":{overview},' if overview is not None else ""
    return (
        f'{{"code":"OK","message":"OK","data":{{{head}"evaluation":[{SNV_ROW}],'
        '"pagination":{"currentPage":1,"pageSize":200,"total":1,"totalPages":1},"source":"x"}}'
    )


def _overview(department_id: str | None, name: str | None) -> str:
    """The province row of a transparency answer with only the identity fields the test sets."""
    fields = [f'"departmentId":"{department_id}"'] if department_id else []
    fields += [f'"departmentName":"{name}"'] if name else []
    return "{" + ",".join([*fields, '"totalScore":16.11', '"totalMaxScore":18', f'"metrics":[{",".join(SYNCED)}]']) + "}"


@pytest.mark.parametrize(
    "overview, sidecar, says",
    [
        (_overview(LANG_SON_ROOT, None), None, LANG_SON_ROOT),  # its root id, no name
        (_overview(None, "Lạng Sơn"), None, "'Lạng Sơn'"),  # a bare province name
        (None, {"province": "Lạng Sơn"}, "ghi tỉnh 'Lạng Sơn'"),  # no overview: the collector's record says whose
        (_overview(None, "Tổng hợp"), {"root_department_id": LANG_SON_ROOT}, LANG_SON_ROOT),
        (
            None,
            {"requests": [{"timeType": "quarter", "year": 2026, "quarter": 3, "rootDepartmentId": LANG_SON_ROOT}]},
            LANG_SON_ROOT,
        ),
    ],
)
def test_an_answer_naming_another_province_only_by_root_id_bare_name_or_sidecar_is_refused(tmp_path, overview, sidecar, says):
    """Lạng Sơn's transparency answer without the 'UBND tỉnh …' name loaded as Thái Nguyên's: its 'Sở Nội vụ' matched
    this province's Sở Nội vụ by name. Its root department id, its bare name or its sidecar names Lạng Sơn."""
    name = "transparency_2026-Q3_20261003T0815.json"
    (tmp_path / name).write_text(_answer(overview), encoding="utf-8")
    if sidecar is not None:
        record = {"period": "2026-Q3", "captured_at": "2026-10-03T08:15", **sidecar}
        (tmp_path / name.replace(".json", ".request.json")).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    snap = read_snapshot_files([tmp_path / name], methodology_for, MATCHER)[0]
    assert not snap.usable and [i.rule for i in snap.issues if i.blocking] == ["other_province_file"]
    reason = snap.issues[-1].reason
    assert all(word in reason for word in (name, "Lạng Sơn", says, "Thái Nguyên", "thu thập lại"))
    assert all(n.unit_code is None for n in snap.nodes)


def test_a_tree_whose_parent_is_another_provinces_root_without_code_or_name_is_refused(tmp_path):
    parent = TREE_PARENT.replace(OWN_ROOT, LANG_SON_ROOT).replace('"UBND tỉnh Thái Nguyên"', "null")
    parent = parent.replace('"H55"', "null")
    child = _progress_child("ls-snv", "", "Sở Nội vụ", 200, 180, 18).replace('"departmentCode":""', '"departmentCode":null')
    path = tmp_path / "dvc-progress-tree_2026-Q3_20261003T0815.json"
    path.write_text(_progress_tree([child]).replace(TREE_PARENT, parent), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    assert [i.rule for i in snap.issues if i.blocking] == ["other_province_file"] and "Lạng Sơn" in snap.issues[-1].reason


@pytest.mark.parametrize("overview", [None, _overview(None, "Tổng hợp")])
def test_an_answer_naming_no_province_loads_and_says_it_cannot_be_told_apart(tmp_path, overview):
    name = "transparency_2026-Q3_20261003T0815.json"
    (tmp_path / name).write_text(_answer(overview), encoding="utf-8")
    snap = read_snapshot(tmp_path / name, M, MATCHER)
    assert snap.usable and _by_unit(snap)[SNV].score == 16.36
    assert [(i.rule, i.blocking) for i in snap.issues] == [("unknown_province_file", False)]
    assert name in snap.issues[0].reason and "tỉnh nào" in snap.issues[0].reason
    # Its own root id, or the collector's record naming this province, is enough.
    (tmp_path / name).write_text(_answer(_overview(OWN_ROOT, None)), encoding="utf-8")
    assert read_snapshot(tmp_path / name, M, MATCHER).issues == []
    (tmp_path / name).write_text(_answer(overview), encoding="utf-8")
    record = {"captured_at": "2026-10-03T08:15", "province": "Thái Nguyên", "root_department_id": OWN_ROOT}
    (tmp_path / name.replace(".json", ".request.json")).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert read_snapshot(tmp_path / name, M, MATCHER).issues == []


def test_a_missing_inbox_stops_the_portal_and_dossier_steps_saying_so(tmp_path):
    """An inbox that is not there (a share not mounted, CCHC_INBOX mistyped) is not an empty inbox: the steps that
    would read it stop with a message naming it, before touching the warehouse."""
    import dagster as dg

    from assets.qd766 import qd766_portal_snapshots
    from assets.tthc import tthc_catalogue
    from tests.conftest import warehouse_in

    warehouse = warehouse_in(tmp_path)  # (tmp_path/inbox is never made)
    for asset in (qd766_portal_snapshots, tthc_catalogue):
        result = dg.materialize([asset], resources={"warehouse": warehouse}, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
        assert f"Không thấy thư mục hộp thư đến {tmp_path / 'inbox'}" in failure.message
        assert "CCHC_INBOX" in failure.message


# --- scores that cannot be read, an answer saved under another period, a code and a name of two units ----------


def test_an_unreadable_metric_score_is_invalid_not_unevaluated_and_the_group_is_not_called_a_mismatch(tmp_path):
    """DOSSIER_SYNC "score": "5.4.0" (or no "score" field) was read as "Cổng không đánh giá", with a "null" issue, and
    the group recomputed without it was "Lệch" against the portal's 16.36, which counts it."""
    garbled = _metric("DOSSIER_SYNC", 180, 200, 5.4, 6).replace('"score":5.4', '"score":"5.4.0"')
    renamed = _metric("DOSSIER_SYNC", 180, 200, 5.4, 6).replace('"score":', '"diem":')
    for number, sync in enumerate((garbled, renamed)):
        path = tmp_path / f"transparency_2026-Q3_20261003T081{number}.json"
        snv = _evaluation_row(2, "0a1b-snv", "Sở Nội vụ", "PROVINCE", 15.76, [PUBLISH, UPDATE, CONTENT, sync])
        path.write_text(_transparency([snv]), encoding="utf-8")
        snap = read_snapshot(path, M, MATCHER)
        issues = {(i.rule, i.field) for i in snap.issues}
        assert ("null_value", "DOSSIER_SYNC") not in issues
        assert ("bad_number" if sync is garbled else "missing_score", "score" if sync is garbled else "DOSSIER_SYNC") in issues
        rows = {r["indicator_code"]: r for r in reconcile_node(M, snap.group, _by_unit(snap)[SNV])}
        sync_row = next(r for r in rows.values() if r["metric_code"] == "DOSSIER_SYNC")
        assert sync_row["status"] == "portal_score_invalid" and "không đọc được" in STATUS_LABELS["portal_score_invalid"]
        assert rows[None]["status"] == "missing_data" and rows[None]["portal_score"] == 15.76


@pytest.mark.parametrize("score", ['""', '"18.1.5"'])
def test_an_unreadable_group_score_of_a_tree_row_is_invalid_not_unevaluated(tmp_path, score):
    child = _progress_child("0a1b-snv", "H55.02", "Sở Nội vụ", 200, 180, 18).replace('"score":18', f'"score":{score}')
    path = tmp_path / "dvc-progress-tree_2026-Q3_20261003T0815.json"
    path.write_text(_progress_tree([child]), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    [group_row] = [r for r in reconcile_node(M, snap.group, _by_unit(snap)[SNV]) if r["indicator_code"] is None]
    assert group_row["status"] == "portal_score_invalid"


def test_a_score_as_text_with_three_decimals_is_read_where_no_thousands_reading_fits(tmp_path):
    """'18.125' out of 20 was refused as a possibly thousands-grouped number: 18,125 cannot be a score out of 20. A
    count written so ('1.200' visits) stays ambiguous."""
    child = _progress_child("0a1b-snv", "H55.02", "Sở Nội vụ", 200, 180, 18).replace('"score":18', '"score":"18.125"')
    child = child.replace('"totalReceived":200', '"totalReceived":"1.200"')
    path = tmp_path / "dvc-progress-tree_2026-Q3_20261003T0815.json"
    path.write_text(_progress_tree([child]), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    node = _by_unit(snap)[SNV]
    assert node.score == 18.125 and node.counts["totalReceived"] is None
    assert [(i.rule, i.field) for i in snap.issues if i.rule == "bad_number"] == [("bad_number", "totalReceived")]


def test_the_same_answer_saved_under_a_later_period_is_refused_naming_the_first(tmp_path):
    """Q3's answer saved again as Q4's loaded as both: Q4's DVCTT scores were Q3's. The copy captured first keeps its
    period; a year-to-date answer identical to its first quarter's (captured early in the year) still loads."""
    answer = _progress_tree([_progress_child("0a1b-snv", "H55.02", "Sở Nội vụ", 200, 180, 18)])
    names = [
        "dvc-progress-tree_2026-Q3_20260930T2200.json",
        "dvc-progress-tree_2026-Q4_20261204T0815.json",
        "dvc-progress-tree_2026-Y_20260930T2300.json",
    ]
    for name in names:
        (tmp_path / name).write_text(answer, encoding="utf-8")
    q3, q4, year = read_snapshot_files([tmp_path / n for n in names], M, MATCHER)
    assert q3.usable and year.usable and not q4.usable
    [issue] = q4.issues
    assert issue.rule == "same_answer_other_period" and names[0] in issue.reason and "2026-Q4" in issue.reason


def test_a_row_whose_code_is_one_units_and_whose_name_is_anothers_is_used_for_neither(tmp_path):
    """H55.02 is Sở Nội vụ in the portal codes; the row named "Sở Xây dựng" gave Sở Xây dựng's score to Sở Nội vụ."""
    children = [
        _progress_child("0a1b-snv", "H55.02", "Sở Xây dựng", 200, 180, 18),
        _progress_child("0a1b-vlg", "H55.101", "UBND xã Văn Lăng", 400, 360, 18),
    ]
    path = tmp_path / "dvc-progress-tree_2026-Q3_20261003T0815.json"
    path.write_text(_progress_tree(children), encoding="utf-8")
    snap = read_snapshot(path, M, MATCHER)
    units = {n.department_code: n.unit_code for n in snap.nodes if n.role == "unit"}
    assert units["H55.02"] is None and units["H55.101"] == MATCHER.match("Xã Văn Lăng")
    [issue] = [i for i in snap.issues if i.rule == "department_code_name_mismatch"]
    assert "Sở Nội vụ" in issue.reason and "Sở Xây dựng" in issue.reason and issue.department == "H55.02"
