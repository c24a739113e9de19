"""Tests of the demo inbox generator on a small scale and a 22-day range."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from common.units import AGENCY, load_units
from demo.generate import generate_inbox, main
from demo.portal import EVALUATION_ENDPOINTS, METRICS, TREE_ENDPOINTS
from demo.portal_codes import demo_portal_codes
from demo.simulate import BASE_PER_WORKING_DAY, Calendar, daily_counts, unit_traits
from sources.tthc_format import (
    AUTHORITY_LEVELS,
    BOOLEANS,
    CATALOGUE_COLUMNS,
    CHANNELS,
    DATETIME_FORMAT,
    DOSSIER_COLUMNS,
    DOSSIER_FILE_PATTERN,
    ONLINE_LEVELS,
    RATINGS,
    STATUSES,
)

# The demo generator's own tests write whole demo inboxes: the full tier (`make test-slow`, run by CI).
pytestmark = pytest.mark.slow

START, END, SCALE = date(2026, 1, 1), date(2026, 1, 22), 0.002
BOM = b"\xef\xbb\xbf"
HEADERS = [c.header for c in DOSSIER_COLUMNS]
COL = {c.name: i for i, c in enumerate(DOSSIER_COLUMNS)}
PORTAL_NAME = re.compile(r"^([a-z-]+)_(\d{4}-(?:M\d{2}|Q[1-4]|Y))_(\d{8}T\d{4})\.json$")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("inbox")
    return root, generate_inbox(root, start=START, end=END, scale=SCALE)


@pytest.fixture(scope="module")
def good_rows(inbox: tuple[Path, dict]) -> list[tuple[str, list[str]]]:
    """(file day yyyymmdd, row) for every row of every good daily file."""
    root, summary = inbox
    bad = {b["file"] for b in summary["bad_files"]}
    rows = []
    for path in sorted((root / "tthc").glob("ho_so_*.csv")):
        if f"tthc/{path.name}" in bad:
            continue
        reader = csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")))
        next(reader)
        rows += [(path.name[6:14], row) for row in reader]
    return rows


def test_same_arguments_give_identical_files(inbox: tuple[Path, dict], tmp_path: Path) -> None:
    root, summary = inbox
    again = generate_inbox(tmp_path / "again", start=START, end=END, scale=SCALE)
    first, second = _files(root), _files(tmp_path / "again")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    assert again["dossiers"] == summary["dossiers"] and again["versions"] == summary["versions"]
    other = _files(tmp_path / "other") if generate_inbox(tmp_path / "other", start=START, end=END, scale=SCALE, seed=7) else {}
    assert other["tthc/ho_so_20260105.csv"] != first["tthc/ho_so_20260105.csv"]  # the seed matters


def test_summary_and_layout(inbox: tuple[Path, dict]) -> None:
    root, summary = inbox
    days = sorted(p.name for p in (root / "tthc").glob("ho_so_*.csv"))
    assert days == [f"ho_so_202601{d:02d}.csv" for d in range(1, 23)]
    assert all(DOSSIER_FILE_PATTERN.match(d) for d in days)
    assert summary["dossier_files"] == 22 and summary["dossiers"] > 50
    assert 1.5 <= summary["versions"] / summary["dossiers"] <= 3.0
    assert summary["files_written"] == len(_files(root))


def test_good_files_have_bom_and_exact_headers(inbox: tuple[Path, dict]) -> None:
    root, summary = inbox
    bad = {b["file"] for b in summary["bad_files"]}
    good = [p for p in (root / "tthc").glob("ho_so_*.csv") if f"tthc/{p.name}" not in bad]
    assert len(good) == 22 - 14
    for path in good:
        raw = path.read_bytes()
        assert raw.startswith(BOM), path.name
        assert next(csv.reader(io.StringIO(raw[3:].decode("utf-8")))) == HEADERS


def test_values_follow_the_format(good_rows: list[tuple[str, list[str]]]) -> None:
    units = load_units("Thái Nguyên")
    names = {u.name for u in units} | {f"UBND {u.name}" for u in units if u.group != AGENCY}
    names |= {f"{u.name} - Tỉnh {u.province}" for u in units if u.group == AGENCY}
    assert good_rows
    for day, row in good_rows:
        assert len(row) == len(HEADERS)
        received = datetime.strptime(row[COL["received_at"]], DATETIME_FORMAT)
        due = datetime.strptime(row[COL["due_at"]], DATETIME_FORMAT)
        updated = datetime.strptime(row[COL["updated_at"]], DATETIME_FORMAT)
        assert f"{updated:%Y%m%d}" == day  # a row sits in the file of the day it changed
        assert received <= updated and received < due
        if row[COL["completed_at"]]:
            assert received <= datetime.strptime(row[COL["completed_at"]], DATETIME_FORMAT) <= updated
        assert row[COL["status"]] in STATUSES and row[COL["channel"]] in CHANNELS
        assert row[COL["satisfaction"]] in {"", *RATINGS}
        for name in ("digitised", "electronic_result", "paid_online", "reused_data", "citizen_data_used", "synced_to_portal"):
            assert row[COL[name]] in BOOLEANS
        fee = int(row[COL["fee_due"]])
        assert fee >= 0 and (fee > 0 or row[COL["paid_online"]] == "Không")
        assert int(row[COL["supplement_requests"]]) in range(4)
        assert row[COL["resolving_unit"]] in names
        assert re.fullmatch(r"H55\.\d+-\d{6}-\d{4,}", row[COL["dossier_code"]])
        assert re.fullmatch(r"0(19|06)\d{9}|", row[COL["applicant_id"]])
        assert re.fullmatch(r"09\d{8}|", row[COL["applicant_phone"]])
        assert row[COL["applicant_address"]].startswith("Tổ ")


def test_later_appearances_are_later_updates(good_rows: list[tuple[str, list[str]]]) -> None:
    seen: dict[str, tuple[str, datetime, list[str]]] = {}
    repeated = 0
    for day, row in sorted(good_rows, key=lambda r: r[0]):
        code = row[COL["dossier_code"]]
        updated = datetime.strptime(row[COL["updated_at"]], DATETIME_FORMAT)
        if code in seen:
            prev_day, prev_updated, prev = seen[code]
            assert prev_day < day, f"{code} twice in {day}"
            assert prev_updated < updated
            assert prev[COL["received_at"]] == row[COL["received_at"]]
            repeated += 1
        seen[code] = (day, updated, row)
    assert repeated > 0


def test_catalogue(inbox: tuple[Path, dict]) -> None:
    raw = (inbox[0] / "tthc" / "danh_muc_tthc.csv").read_bytes()
    assert raw.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert list(rows[0])[: len(CATALOGUE_COLUMNS)] == [c.header for c in CATALOGUE_COLUMNS]
    codes = [r["Mã TTHC"] for r in rows]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"[12]\.\d{6}", c) for c in codes)
    level = [AUTHORITY_LEVELS[r["Cấp thực hiện"]] for r in rows]
    assert 400 <= level.count("province") <= 500 and 110 <= level.count("commune") <= 150
    assert {r["Mức độ DVCTT"] for r in rows} <= set(ONLINE_LEVELS) and {r["Có phí, lệ phí"] for r in rows} <= set(BOOLEANS)
    assert {r["Tích hợp thanh toán trực tuyến"] for r in rows} == set(BOOLEANS)
    assert all(r["Có phí, lệ phí"] == "Có" for r in rows if r["Tích hợp thanh toán trực tuyến"] == "Có")
    # The reader takes every row: provincial procedures get their agency's code, commune-level ones none.
    from common.units import matcher_for
    from sources.tthc_catalogue import read_catalogue

    result = read_catalogue(inbox[0] / "tthc" / "danh_muc_tthc.csv", inbox[0] / "work", matcher=matcher_for("Thái Nguyên"))
    assert result.rejects == [] and len(result.rows) == len(rows)
    agencies = {u.code for u in load_units("Thái Nguyên") if u.group == AGENCY}
    for r in result.rows:
        assert (r["owner_unit_code"] in agencies) if r["authority_level"] == "province" else r["owner_unit_code"] is None


def test_every_bad_file_exists_and_is_broken_as_documented(inbox: tuple[Path, dict]) -> None:
    root, summary = inbox
    doc = (root / "BAD_FILES.md").read_text(encoding="utf-8")
    bad = {b["kind"]: b for b in summary["bad_files"]}
    expected = {
        "truncated",
        "renamed_column",
        "missing_status",
        "cp1258",
        "bad_dates",
        "unknown_codes",
        "negative_values",
        "completed_before_received",
        "duplicate_code",
        "empty",
        "header_only",
        "unicode_text",
        "semicolon_cr",
        "verbatim_duplicates",
    }
    assert expected | {"pakn_bad_rows"} <= bad.keys()
    assert {k for k in bad if k.startswith("portal_")} == {
        "portal_missing_field",
        "portal_null_counts",
        "portal_changed_max",
        "portal_unknown_department",
        "portal_score_mismatch",
    }
    for b in summary["bad_files"]:
        assert (root / b["file"]).exists() and f"`{b['file']}`" in doc
        for code in b.get("dossier_codes", []):
            assert code in doc
    content = {k: (root / b["file"]).read_bytes() for k, b in bad.items() if b["file"].startswith("tthc/")}
    assert content["empty"] == b""
    assert content["header_only"] == BOM + (",".join(f'"{h}"' if "," in h else h for h in HEADERS) + "\n").encode()
    with pytest.raises(UnicodeDecodeError):
        content["cp1258"].decode("utf-8")
    text = unicodedata.normalize("NFC", content["cp1258"].decode("cp1258"))
    assert not content["cp1258"].startswith(BOM) and next(csv.reader(io.StringIO(text))) == HEADERS
    assert "\u0323" in content["cp1258"].decode("cp1258")  # tone marks as combining characters
    header = next(csv.reader(io.StringIO(content["renamed_column"][3:].decode())))
    assert "Hình thức nộp" in header and "Kênh nộp" not in header
    assert "Trạng thái" not in next(csv.reader(io.StringIO(content["missing_status"][3:].decode())))
    last = content["truncated"].decode("utf-8").splitlines()[-1]
    assert not content["truncated"].endswith(b"\n") and len(next(csv.reader([last]))) < len(HEADERS)

    def extra(kind: str) -> list[list[str]]:
        rows = list(csv.reader(io.StringIO(content[kind][3:].decode())))[1:]
        return [r for r in rows if r[0] in bad[kind]["dossier_codes"]]

    dates = [r[COL["received_at"]] for r in extra("bad_dates")]
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    assert any(re.fullmatch(r"\d{2}/(1[3-9]|2\d|3[01])/\d{4} \d{2}:\d{2}:\d{2}", d) for d in dates)
    unknown = extra("unknown_codes")
    assert {"Xã Không Tồn Tại", "9.999999"} <= {r[COL["resolving_unit"]] for r in unknown} | {
        r[COL["procedure_code"]] for r in unknown
    }
    negative = extra("negative_values")
    assert any(int(r[COL["supplement_requests"]]) < 0 for r in negative)
    assert any(int(r[COL["fee_due"]]) < 0 for r in negative)
    for r in extra("completed_before_received"):
        assert datetime.strptime(r[COL["completed_at"]], DATETIME_FORMAT) < datetime.strptime(
            r[COL["received_at"]], DATETIME_FORMAT
        )
    dup = extra("duplicate_code")
    assert len(dup) == 2 and dup[0][0] == dup[1][0] and dup[0] != dup[1]
    assert content["unicode_text"].startswith(b"\xff\xfe")  # UTF-16 LE with its BOM, tab-separated
    assert next(csv.reader(io.StringIO(content["unicode_text"].decode("utf-16")), delimiter="\t")) == HEADERS
    assert b"\n" not in content["semicolon_cr"] and b";" in content["semicolon_cr"].split(b"\r")[0]
    lines = content["verbatim_duplicates"].decode("utf-8-sig").splitlines()
    assert lines[-3:] == lines[-6:-3]


def test_short_range_and_no_bad_files(tmp_path: Path) -> None:
    summary = generate_inbox(tmp_path / "short", start=START, end=date(2026, 1, 5), scale=SCALE)
    assert [b["kind"] for b in summary["bad_files"] if not b["kind"].startswith("portal")] != []
    assert len([b for b in summary["bad_files"] if b["file"].startswith("tthc/")]) == 4  # days 1..4 only
    assert [b["file"] for b in summary["bad_files"] if b["kind"] == "pakn_bad_rows"] == ["pakn/pakn_202601.csv"]
    clean = generate_inbox(tmp_path / "clean", start=START, end=END, scale=SCALE, bad_files=False)
    assert clean["bad_files"] == [] and not (tmp_path / "clean" / "BAD_FILES.md").exists()
    for path in (tmp_path / "clean" / "tthc").glob("ho_so_*.csv"):
        assert path.read_bytes().startswith(BOM + ",".join(HEADERS[:3]).encode())


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--inbox",
                str(tmp_path),
                "--scale",
                "0.001",
                "--start",
                "2026-03-01",
                "--end",
                "2026-03-03",
                "--seed",
                "5",
                "--no-bad-files",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["dossier_files"] == 3 and out["bad_files"] == []
    assert sorted(p.name for p in (tmp_path / "tthc").glob("ho_so_*.csv"))[0] == "ho_so_20260301.csv"


def _portal(root: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "portal").glob("*.json"))}


# Fields of the real endpoints per row level (../shared/reference/portal-api.md), written out independently of demo.portal.
TREE_FIELDS = {
    "dvc-progress-tree": (
        {"totalReceived", "totalOnTime", "totalCompleted", "avgProcessingDays", "totalScore", "totalMaxScore"},
        {"totalReceived", "totalOnTime", "totalOverdue", "avgProcessingDays", "score", "maxScore", "scoreDelta"},
    ),
    "provide-online-tree": (
        {
            "authorityCount",
            "partialCount",
            "fullCount",
            "onlineServiceTotal",
            "onlineDossierCount",
            "channelOnlineSum",
            "channelDirectSum",
            "channelPostalSum",
            "channelTotalSum",
            "onlineOnTimeSum",
            "onlineOverdueSum",
            "totalScore",
            "totalMaxScore",
        },
        {"totalScore", "totalMaxScore", "scoreDelta"},
    ),
    "formality-online-payment-tree": (
        {
            "totalDossierOnlinePaymentSuccess",
            "totalDossierFinancialObligation",
            "totalDossierOnlineFormalityPaymentSuccess",
            "totalFeeDossierFormalityDistinct",
            "totalFeeDossierFormality",
            "totalFeeFormality",
            "totalScore",
            "totalMaxScore",
        },
        {
            "totalDossierOnlinePaymentSuccess",
            "totalDossierFinancialObligation",
            "totalDossierOnlineFormalityPaymentSuccess",
            "totalFeeDossierFormalityDistinct",
            "totalFeeDossierFormality",
            "totalFeeFormality",
            "totalScore",
            "totalMaxScore",
            "scoreDelta",
        },
    ),
}
IDENTITY = {"departmentId", "departmentName", "departmentCode", "ratio"}


def test_portal_files_parse_and_have_the_real_shapes(inbox: tuple[Path, dict]) -> None:
    root, summary = inbox
    bad = {Path(b["file"]).name for b in summary["bad_files"] if b["file"].startswith("portal/")}
    snaps = _portal(root)
    labels = {(PORTAL_NAME.match(n).group(1), PORTAL_NAME.match(n).group(2)) for n in snaps}
    assert labels == {(e, p) for e in TREE_ENDPOINTS + EVALUATION_ENDPOINTS for p in ("2026-M01", "2026-Q1", "2026-Y")}
    units = load_units("Thái Nguyên")
    n_units = len(units)
    codes = demo_portal_codes(units)
    # Agencies keep their master-data code; communes and wards get the portal's running sequence H55.100, H55.101, …
    assert all(codes[u.code] == u.portal_code for u in units if u.group == AGENCY)
    assert [codes[u.code] for u in units if u.group != AGENCY] == [f"H55.{n}" for n in range(100, 192)]
    for name, snap in snaps.items():
        endpoint = PORTAL_NAME.match(name).group(1)
        assert snap["code"] == "OK"
        if endpoint in TREE_ENDPOINTS:
            parent, children = snap["data"]["parent"], snap["data"]["children"]
            root_fields, unit_fields = TREE_FIELDS[endpoint]
            assert parent["departmentCode"] == "H55" and set(parent) == IDENTITY | root_fields
            assert len(children) >= n_units
            if name in bad:
                continue
            for c in children:
                assert set(c) == IDENTITY | {"level"} | unit_fields and c["level"] in ("PROVINCE", "COMMUNE")
        else:
            rows = [snap["data"]["overview"], *snap["data"]["evaluation"]]
            assert len(rows) == 1 + n_units and snap["data"]["pagination"]["total"] == n_units
            for r in rows:
                assert {
                    "departmentId",
                    "departmentName",
                    "departmentLevel",
                    "totalScore",
                    "totalMaxScore",
                    "ratio",
                    "metrics",
                } <= r.keys()
                assert ("departmentCode" in r) == (endpoint == "dossier-digitized")  # only there, as on the portal
                assert [m["code"] for m in r["metrics"]] == [m.code for m in METRICS[endpoint]]
                for m in r["metrics"]:
                    assert {"code", "name", "numerator", "denominator", "ratio", "score", "maxScore"} <= m.keys()
                    if m["code"] == "ELECTRONIC_CERTIFIED_COPY":
                        assert m["numerator"] is None and m["denominator"] is None and m["score"] is not None
                    if m["code"] == "DOSSIER_SYNC":
                        assert m["dataQualityStatus"] == "TEMP_NATIONAL_REPORT_DENOMINATOR"
                    if m["code"].startswith("PETITION_CLASSIFICATION"):
                        assert m["maxScore"] == 0 and m["score"] is None
    names = {r["departmentName"] for s in snaps.values() if "overview" in s["data"] for r in s["data"]["evaluation"]}
    assert any(n.startswith("UBND ") for n in names) and any(n.endswith(" - Tỉnh Thái Nguyên") for n in names)


# Methodology §3.3, written out independently of demo.portal: (max, target %, points when no denominator).
RULES = {
    "PUBLISH_ON_TIME": (6, 100, 0),
    "PUBLIC_UPDATE_ON_TIME": (4, 100, 0),
    "PUBLIC_CONTENT_FULL": (2, 100, 0),
    "DOSSIER_SYNC": (6, 100, 0),
    "PETITION_PROCESSING_ON_TIME": (6, 100, 6),
    "PETITION_HANDLING_SATISFACTION": (6, 100, 6),
    "DOSSIER_RECEIVING_SATISFACTION": (6, 90, 0),
    "ORIGINAL_RESULT_AVAILABLE": (6, 100, 0),
    "SO_HOA_GIAY_TO_GIAI_QUYET": (4, 100, 0),
    "ELECTRONIC_CERTIFIED_COPY": (2, 100, 0),
    "REUSED_DIGITIZED_DATA": (2, 80, 0),
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": (4, 100, 0),
    "CITIZEN_DATA_CONNECTED_DOSSIER": (2, 100, 0),
    "CITIZEN_DATA_CONNECTED_FORMALITY": (2, 100, 0),
}


def _expected_metric(code: str, num: int, den: int) -> float:
    top, target, empty = RULES[code]
    return round(empty if den == 0 else top * min(1.0, 100 * num / den / target), 2)


def _expected_payment(n: dict) -> float:
    fee_formality, obligation = n["totalFeeFormality"], n["totalDossierFinancialObligation"]
    a = 100 * n["totalFeeDossierFormality"] / fee_formality if fee_formality else 0
    b = 100 * n["totalDossierOnlineFormalityPaymentSuccess"] / fee_formality if fee_formality else 0
    c = 100 * n["totalDossierOnlinePaymentSuccess"] / obligation if obligation else 0
    return round(2 * min(1, a / 80) + 2 * min(1, b / 80) + 6 * c / 100, 2)


def test_portal_scores_follow_from_counts_except_the_planted_ones(inbox: tuple[Path, dict]) -> None:
    root, summary = inbox
    bad = {Path(b["file"]).name for b in summary["bad_files"] if b["file"].startswith("portal/")}
    snaps = _portal(root)
    mismatches: dict[str, int] = {}
    for name, snap in snaps.items():
        endpoint = PORTAL_NAME.match(name).group(1)
        wrong = 0
        if endpoint in ("dvc-progress-tree", "formality-online-payment-tree"):
            for node in [snap["data"]["parent"], *snap["data"]["children"]]:
                if endpoint == "dvc-progress-tree":
                    if "totalOverdue" in node:
                        assert node["totalOverdue"] == node["totalReceived"] - node["totalOnTime"]
                    received = node["totalReceived"]
                    score = round(20 * node["totalOnTime"] / received, 2) if received else 0
                    top = 20
                elif "totalDossierFinancialObligation" in node:
                    score, top = _expected_payment(node), 10
                else:
                    wrong += 1
                    continue
                published = node.get("score", node.get("totalScore"))
                wrong += score != published or node.get("maxScore", node.get("totalMaxScore")) != top
        elif endpoint in EVALUATION_ENDPOINTS:
            for row in [snap["data"]["overview"], *snap["data"]["evaluation"]]:
                for m in row["metrics"]:
                    if m["code"].startswith("PETITION_CLASSIFICATION") or m["code"] == "ELECTRONIC_CERTIFIED_COPY":
                        continue  # information only; scored from counts the portal does not publish
                    if m["numerator"] is None:
                        wrong += 1
                        continue
                    assert m["maxScore"] == RULES[m["code"]][0]
                    wrong += _expected_metric(m["code"], m["numerator"], m["denominator"]) != m["score"]
                assert row["totalScore"] == round(sum(m["score"] or 0 for m in row["metrics"]), 2)
        mismatches[name] = wrong
    assert {n for n, w in mismatches.items() if w} == bad - {n for n in bad if n.startswith("provide-online")}
    digitised = next(n for n in bad if n.startswith("dossier-digitized"))
    assert mismatches[digitised] == 1  # one unit, one metric
    grown = snaps[next(n for n in bad if n.startswith("provide-online"))]["data"]["children"]
    assert grown[-1]["departmentName"] == "Xã Không Tồn Tại"


def test_full_year_volume_at_scale_one() -> None:
    units = load_units("Thái Nguyên")
    from demo.catalogue import build_catalogue

    rng = np.random.default_rng(1)
    cat = build_catalogue(units, rng)
    cal = Calendar.build(date(2026, 1, 1), date(2026, 12, 31))
    counts = daily_counts(cal, unit_traits(units, cat, rng), 1.0, rng)
    assert counts.sum() >= 1_500_000
    working = cal.is_working(cal.days)
    assert 4_000 <= counts.sum(axis=1)[working].mean() <= 1.1 * BASE_PER_WORKING_DAY
    assert counts.sum(axis=1)[~working].mean() < 0.4 * counts.sum(axis=1)[working].mean()
    local_share = counts[:, [u.group != AGENCY for u in units]].sum() / counts.sum()
    assert local_share > 0.6  # communes and wards carry most of the volume
