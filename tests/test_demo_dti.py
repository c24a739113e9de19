"""The demo DTI inputs: a form for every unit but three, a re-submission, the bad forms as documented, the values of
other systems with exactly the documented rejects, last year's results mapped to the current units."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from common.units import AGENCY, RANKING_GROUP, load_units, matcher_for
from demo.dti import (
    FORM_DIR,
    UNKNOWN_OLD_NAME,
    maturities,
    old_names,
    write_dti_inbox,
)
from scoring.criteria import tree_for
from sources.assessment_forms import read_self_assessment
from sources.dti_inputs import EXTERNAL_DIR, PREVIOUS_DIR, map_previous, read_external_values, read_previous_results
from warehouse.dti import external_components

# The demo generator's own tests write whole demo inboxes: the full tier (`make test-slow`, run by CI).
pytestmark = pytest.mark.slow

UNITS = load_units("Thái Nguyên")
RANKED = [u for u in UNITS if u.group in RANKING_GROUP]
MATCHER = matcher_for("Thái Nguyên")
LEVELS = maturities(UNITS)


def _code_of(file_name: str) -> str | None:
    """The unit code a regular form's file name carries (tu_danh_gia_dti_2026_19_SNV.xlsx -> 19.SNV)."""
    match = re.fullmatch(r"tu_danh_gia_dti_2026_(.+?)(?:_lan_2)?\.xlsx", file_name)
    return match.group(1).replace("_", ".") if match else None


@pytest.fixture(scope="module")
def dti(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("dti")
    return root, write_dti_inbox(root, UNITS)


@pytest.fixture(scope="module")
def forms(dti) -> dict[str, object]:
    root, _ = dti
    return {
        p.name: read_self_assessment(p, tree_for, MATCHER, year=2026, index="dti")
        for p in sorted((root / FORM_DIR).glob("*.xlsx"))
    }


@pytest.fixture(scope="module")
def bad(dti) -> dict[str, dict]:
    return {b["kind"]: b for b in dti[1]["bad"]}


def test_same_seed_same_bytes(dti, tmp_path: Path) -> None:
    root, summary = dti
    again = write_dti_inbox(tmp_path, UNITS)
    assert [p.relative_to(tmp_path) for p in again["written"]] == [p.relative_to(root) for p in summary["written"]]
    assert all((tmp_path / p.relative_to(root)).read_bytes() == p.read_bytes() for p in summary["written"])
    assert again["bad"] == summary["bad"] and again["notes"] == summary["notes"]
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == sorted(
        str(p.relative_to(root)) for p in summary["written"]
    )
    assert sum(p.stat().st_size for p in summary["written"]) < 5_000_000


def test_every_unit_but_the_missing_ones_has_a_usable_form(dti, forms) -> None:
    _, summary = dti
    missing = set(summary["dti_missing_units"])
    assert len(missing) == 3 and summary["dti_forms"] == len(forms)
    groups = {MATCHER.units[c].group for c in missing}
    assert AGENCY in groups and "commune" in groups
    loadable = {name: r for name, r in forms.items() if r.loadable}
    for name, r in loadable.items():
        assert r.unit_code == _code_of(name) and r.index == "dti" and r.year == 2026, name
    per_unit = Counter(r.unit_code for r in loadable.values())
    assert set(per_unit) == {u.code for u in RANKED} - missing
    assert not any(_code_of(name) in missing for name in forms)  # no file at all for the missing units
    for code in missing:
        assert any(code in note and "no DTI self-assessment form" in note for note in summary["notes"])
    # one re-submission: later signing date, at least as good on every row, better in total
    twice = [c for c, n in per_unit.items() if n == 2]
    assert len(twice) == 1 and all(n == 1 for c, n in per_unit.items() if c not in twice)
    first, second = sorted((r for r in loadable.values() if r.unit_code == twice[0]), key=lambda r: r.file_name)
    assert second.file_name.endswith("_lan_2.xlsx") and second.submitted_on > first.submitted_on
    points = [{row["code"]: row["self_points"] for row in r.rows} for r in (first, second)]
    assert all(points[1].get(code, 0) >= value for code, value in points[0].items())
    assert sum(points[1].values()) > sum(points[0].values())


def test_bad_forms_fail_exactly_as_documented(dti, forms, bad) -> None:
    root, _ = dti
    documented = {k: b for k, b in bad.items() if k.startswith("dti_form_")}
    assert set(documented) == {
        "dti_form_bad_answer",
        "dti_form_out_of_range",
        "dti_form_missing_evidence",
        "dti_form_wrong_index",
    }
    for b in documented.values():
        assert (root / b["file"]).exists()
    by_file = {Path(b["file"]).name: k for k, b in documented.items()}
    rejects = {name: sorted((x["rule"], x["record_key"]) for x in r.rejects) for name, r in forms.items() if r.rejects}
    assert rejects == {
        next(n for n, k in by_file.items() if k == "dti_form_bad_answer"): [("bad_answer", "NT.1")],
        next(n for n, k in by_file.items() if k == "dti_form_out_of_range"): [("value_out_of_range", "HT.1")],
        next(n for n, k in by_file.items() if k == "dti_form_missing_evidence"): [("missing_evidence", "TC.1")],
    }
    for name, [(rule, code)] in rejects.items():
        result = forms[name]
        cell = result.rejects[0]["cell"]
        assert result.loadable and cell in documented[by_file[name]]["problem"] + documented[by_file[name]]["expected"]
        assert rule in documented[by_file[name]]["expected"]
        assert code not in {row["code"] for row in result.rows}
        assert len(result.rows) > 15  # the other rows load
    blocked = {name: [i.rule for i in r.file_issues if i.blocking] for name, r in forms.items() if not r.loadable}
    wrong = Path(documented["dti_form_wrong_index"]["file"]).name
    assert blocked == {wrong: ["wrong_index"]}
    owner = forms[wrong].unit_code
    assert owner and any(r.loadable and r.unit_code == owner for r in forms.values())  # its DTI form is unaffected
    # no other problem than the documented ones and a few blank answers
    notes = Counter(i.rule for r in forms.values() for i in r.file_issues if not i.blocking)
    assert set(notes) <= {"blank_score"} and 0 < notes["blank_score"] < 0.05 * sum(len(r.rows) for r in forms.values())


def test_answers_vary_with_the_units_maturity(forms) -> None:
    good = [r for r in forms.values() if r.loadable and not r.rejects]
    assert all(row["evidence"] or row["explanation"] for r in good for row in r.rows if row["self_points"] > 0)
    shares = {}
    for r in good:
        rows = [row for row in r.rows if r.tree.node(row["code"]).method == "self"]
        shares[r.file_name] = (
            LEVELS[r.unit_code],
            sum(row["self_points"] for row in rows) / sum(r.tree.node(row["code"]).max_points for row in rows),
        )
    levels, share = np.array(list(shares.values())).T
    assert np.corrcoef(levels, share)[0, 1] > 0.7
    assert share.min() < 0.5 and share.max() > 0.9  # weak and strong units
    heads = {"Người đứng đầu đơn vị", "Chủ tịch UBND"}
    nt1 = [(LEVELS[r.unit_code], row["self_answer"] in heads) for r in good for row in r.rows if row["code"] == "NT.1"]
    strong = [h for level, h in nt1 if level >= 0.7]
    weak = [h for level, h in nt1 if level < 0.5]
    assert np.mean(strong) > 0.6 > 0.3 > np.mean(weak)
    answers = Counter(row["self_answer"] for r in good for row in r.rows if row["code"] == "NT.2")
    assert set(answers) == {"Có", "Không"} and answers["Có"] > answers["Không"]
    percentages = [
        (LEVELS[r.unit_code], float(row["self_answer"].replace(",", ".")))
        for r in good
        for row in r.rows
        if row["code"] in ("HT.1", "NL.2", "KH.1")
    ]
    assert all(0 <= p <= 100 for _, p in percentages)
    assert np.corrcoef(np.array(percentages).T)[0, 1] > 0.6


def test_external_values_load_but_the_documented_rejects(dti, bad, tmp_path: Path) -> None:
    root, summary = dti
    paths = sorted((root / EXTERNAL_DIR).glob("*.csv"))
    assert [p.name for p in paths] == [
        "dinh_danh_dien_tu_vneid_2026.csv",
        "giam_sat_attt_soc_2026.csv",
        "he_thong_bao_cao_2026.csv",
        "quan_ly_van_ban_2026.csv",
    ]
    components = external_components(2026)
    results = read_external_values(paths, MATCHER, components, 2026, tmp_path / "work")
    assert all(r.loadable and not any(i.blocking for i in r.file_issues) for r in results.values())
    rejects = {p.name: Counter(x["rule"] for x in r.rejects) for p, r in results.items() if r.rejects}
    assert rejects == {
        "giam_sat_attt_soc_2026.csv": Counter({"out_of_range": 1, "unknown_component": 1}),
        "quan_ly_van_ban_2026.csv": Counter({"duplicate": 3}),  # a pair twice in the file, one pair also elsewhere
        "he_thong_bao_cao_2026.csv": Counter({"duplicate": 1}),
        "dinh_danh_dien_tu_vneid_2026.csv": Counter({"unknown_unit": 1}),
    }
    for path, result in results.items():
        for reject in result.rejects:
            documented = bad[f"dti_external_{path.stem.removesuffix('_2026')}"]
            assert f"line {reject['row_number']} {reject['rule']}" in documented["expected"]
    loaded = [row for r in results.values() for row in r.rows]
    assert len(loaded) == summary["dti_external_rows"]
    pairs = Counter((row["unit_code"], row["code"]) for row in loaded)
    assert max(pairs.values()) == 1
    wanted = {(u.code, c.code) for u in RANKED for c in components.values() if u.group in c.unit_groups}
    absent = wanted - set(pairs)
    assert set(pairs) <= wanted and len(absent) == 4 + 1 + 2  # gaps, the value of 130, the two duplicated pairs
    gaps = [note for note in summary["notes"] if "has no value of" in note]
    assert len(gaps) == 4
    assert sum(1 for u, c in absent if any(f"({u})" in n and f"of {c} " in n for n in gaps)) == 4
    values = np.array([(LEVELS[row["unit_code"]], row["value"]) for row in loaded if row["code"] == "HD.1"]).T
    assert np.corrcoef(values)[0, 1] > 0.6 and values[1].min() >= 0 and values[1].max() <= 100
    assert {row["code"] for row in loaded if MATCHER.units[row["unit_code"]].group == AGENCY} == {
        "AT.2",
        "AT.3",
        "HD.1",
        "HD.2",
        "HD.8",
    }


def test_previous_results_map_to_current_units(dti, bad, forms, tmp_path: Path) -> None:
    root, summary = dti
    result = read_previous_results([root / PREVIOUS_DIR / "dti_2025.csv"], MATCHER, 2025, tmp_path / "work")
    result = next(iter(result.values()))
    assert result.loadable and [(x["rule"], x["value"]) for x in result.rejects] == [("unknown_unit", UNKNOWN_OLD_NAME)]
    assert f"line {result.rejects[0]['row_number']} (unknown_unit)" in bad["dti_previous_unknown_name"]["expected"]
    assert len(result.rows) == summary["dti_previous_rows"]
    previous = map_previous(result.rows, MATCHER)
    agencies = {u.code for u in RANKED if u.group == AGENCY}
    assert agencies <= set(previous)
    assert {c for c, p in previous.items() if p.merged} == {"19.STC", "19.SNNMT", "19.SNV", "19.SXD", "19.SKHCN", "19.VPUBND"}
    assert {c for c, p in previous.items() if p.renamed} == {"19.SDTTG"}  # Ban Dân tộc
    assert all(not p.missing for p in previous.values())  # every predecessor has its result
    for code, names in old_names(RANKED).items():
        assert set(previous[code].published_names) == set(names)
        totals = [r["total"] for r in result.rows if r["unit_code"] == code]
        assert previous[code].total == pytest.approx(round(sum(totals) / len(totals), 2))
    spelt = (
        {r["published_name"] for r in result.rows} - {u.name for u in RANKED} - {n for v in old_names(RANKED).values() for n in v}
    )
    assert len(spelt) >= 5  # no diacritics, double spaces, lower case, "UBND …"
    locals_ = [u for u in RANKED if u.group != AGENCY]
    assert 0.8 * len(locals_) <= sum(1 for u in locals_ if u.code in previous) < len(locals_)
    # totals 0..100, a little lower than this year's self-assessment; ranks and levels per group
    totals = np.array([r["total"] for r in result.rows])
    assert 0 <= totals.min() and totals.max() <= 100
    shares = [
        100 * sum(row["self_points"] for row in r.rows) / sum(r.tree.node(row["code"]).max_points for row in r.rows)
        for r in forms.values()
        if r.loadable and not r.rejects
    ]
    assert np.mean(shares) - 15 < totals.mean() < np.mean(shares)
    for group in ("agency", "local"):
        rows = [r for r in result.rows if RANKING_GROUP[MATCHER.units[r["unit_code"]].group] == group]
        ranks = sorted(r["rank"] for r in rows)
        assert len(set(ranks)) == len(ranks) and ranks[0] <= 2  # the unknown old name had a rank too
        by_rank = sorted(rows, key=lambda r: r["rank"])
        assert all(a["total"] >= b["total"] for a, b in pairwise(by_rank))
        tree = tree_for("dti", 2026, group)
        assert all(r["level"] == tree.band_for(r["total"]) for r in rows)


def test_summary_and_a_smaller_run(dti, tmp_path: Path) -> None:
    _, summary = dti
    assert summary["dti_forms"] == 104 + 1 + 1  # 107 units but 3, a re-submission, a PAR form in the wrong folder
    kinds = [b["kind"] for b in summary["bad"]]
    assert len(kinds) == len(set(kinds)) == 9
    assert all(b["problem"] and b["expected"] and b["dossier_codes"] == [] for b in summary["bad"])
    # a subset of units, no bad files: every form loads, no reject anywhere
    subset = tuple(RANKED[:4] + RANKED[20:30])
    clean = write_dti_inbox(tmp_path, subset, seed=7, bad_files=False)
    assert clean["bad"] == [] and len(clean["dti_missing_units"]) == 3
    results = [
        read_self_assessment(p, tree_for, MATCHER, year=2026, index="dti") for p in sorted((tmp_path / FORM_DIR).glob("*.xlsx"))
    ]
    assert len(results) == len(subset) - 3 + 1 and all(r.loadable and not r.rejects for r in results)
    paths = sorted((tmp_path / EXTERNAL_DIR).glob("*.csv"))
    external = read_external_values(paths, MATCHER, external_components(2026), 2026, tmp_path / "work")
    assert all(not r.rejects for r in external.values())
    assert sum(len(r.rows) for r in external.values()) == clean["dti_external_rows"]
    previous = next(
        iter(read_previous_results([tmp_path / PREVIOUS_DIR / "dti_2025.csv"], MATCHER, 2025, tmp_path / "work").values())
    )
    assert previous.rejects == [] and len(previous.rows) == clean["dti_previous_rows"]
