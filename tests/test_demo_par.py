"""The demo PAR inputs: a form for every unit, re-submissions, the bad forms, the appraisal and the surveys."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from common.units import RANKING_GROUP, load_units, matcher_for
from demo.par import UNAPPRAISED, write_par_inbox
from scoring.criteria import tree_for
from sources.assessment_forms import FORM_DIR, read_appraisal, read_self_assessment, read_survey, self_assessed

# The demo generator's own tests write whole demo inboxes: the full tier (`make test-slow`, run by CI).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def par(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("par")
    return root, write_par_inbox(root, load_units("Thái Nguyên"))


@pytest.fixture(scope="module")
def forms(par) -> dict[str, object]:
    root, _ = par
    return {
        p.name: read_self_assessment(p, tree_for, matcher_for("Thái Nguyên"), year=2026)
        for p in sorted((root / FORM_DIR).glob("*.xlsx"))
    }


def test_same_seed_same_bytes(par, tmp_path: Path) -> None:
    root, summary = par
    again = write_par_inbox(tmp_path, load_units("Thái Nguyên"))
    assert [p.relative_to(tmp_path) for p in again["written"]] == [p.relative_to(root) for p in summary["written"]]
    assert all((tmp_path / p.relative_to(root)).read_bytes() == p.read_bytes() for p in summary["written"])
    assert sum(p.stat().st_size for p in summary["written"]) < 5_000_000


def test_every_unit_has_a_form_and_the_bad_ones_are_reported(par, forms) -> None:
    _, summary = par
    ranked = [u for u in load_units("Thái Nguyên") if u.group in RANKING_GROUP]
    loaded = Counter(r.unit_code for r in forms.values() if r.loadable)
    assert set(loaded) == {u.code for u in ranked} and len(ranked) == 107
    assert sum(1 for n in loaded.values() if n == 2) == 3  # the re-submissions, one correcting a flawed first form
    blocking = {name: [i.rule for i in r.file_issues if i.blocking] for name, r in forms.items() if not r.loadable}
    assert sorted(v[0] for v in blocking.values()) == [
        "empty_form",
        "unknown_unit",
        "wrong_file_kind",
        "wrong_index",
        "wrong_year",
    ]
    rejects = Counter(x["rule"] for r in forms.values() for x in r.rejects)
    assert set(rejects) == {
        "score_above_max",
        "negative_score",
        "not_a_number",
        "uncalculated_formula",
        "missing_evidence",
        "unknown_criterion",
    }
    notes = {i.rule for r in forms.values() for i in r.file_issues if not i.blocking}
    assert {"merged_cells", "hidden_cells", "decimal_comma", "missing_criterion"} <= notes
    kinds = {b["kind"] for b in summary["bad"]}
    assert {
        "par_form_rows",
        "par_form_layout",
        "par_form_wrong_year",
        "par_form_empty",
        "par_appraisal_rows",
        "par_survey_rows",
    } <= kinds
    # realistic scores: mostly 70-95 % of the maximum, evidence or an explanation on every non-zero score
    good = [r for r in forms.values() if r.loadable and not r.rejects]
    share = sum(row["self_points"] for r in good for row in r.rows) / sum(
        r.tree.node(row["code"]).max_points for r in good for row in r.rows
    )
    assert 0.7 <= share <= 0.92
    assert all(row["evidence"] or row["explanation"] for r in good for row in r.rows)
    assert sum(1 for r in good if r.difficulties) > 50


def test_appraisal_and_survey(par) -> None:
    root, summary = par
    matcher = matcher_for("Thái Nguyên")
    appraisal = read_appraisal(root / "par/tham_dinh/tham_dinh_2026.xlsx", matcher, trees=tree_for, year=2026)
    assert sorted(r["rule"] for r in appraisal.rejects) == ["not_a_number", "score_above_max", "unknown_unit"]
    appraised = {r["unit_code"] for r in appraisal.rows}
    ranked = [u for u in load_units("Thái Nguyên") if u.group in RANKING_GROUP]
    assert len(appraised) == len(ranked) - UNAPPRAISED and not appraised & set(summary["par_unappraised"])
    survey = read_survey(root / "par/khao_sat/khao_sat_2026.csv", matcher, trees=tree_for, year=2026)
    assert sorted(r["rule"] for r in survey.rejects) == ["unknown_survey", "unknown_unit"]
    for unit in ranked:
        tree = tree_for("par", 2026, RANKING_GROUP[unit.group])
        wanted = {n.code for n in tree.nodes if n.method.startswith("survey") and n.code in tree.applicable(unit.group)}
        assert {r["code"] for r in survey.rows if r["unit_code"] == unit.code} == wanted
        assert {r["code"] for r in appraisal.rows if r["unit_code"] == unit.code} in (
            set(),
            {n.code for n in self_assessed(tree, unit.group)},
        )
    assert len(survey.rows) == summary["par_survey_rows"]
