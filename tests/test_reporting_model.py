"""The warehouse holds the reporting model (issue 13, part 1): loaders write structured columns on every quarantine
row and file issue, scoring writes dim_criterion, renderers read marts and views only, and the workbooks show the
same values as before for the same data."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from tests.workbook_values import build_warehouse, expected_values, workbook_values, write_workbooks

# End-to-end runs: the full tier (`make test-slow`, run by CI), not the fast default `make test`.
pytestmark = pytest.mark.slow

WORKBOOKS = Path(__file__).parent.parent / "workbooks"
WEB = Path(__file__).parent.parent / "web"  # the web publication: a renderer too
# Every module of workbooks/ and web/ is a renderer (the blank forms live in forms/).
NOT_RENDERERS: set[str] = set()
# What a renderer must not reach for: the source readers, YAML, the methodology files themselves.
FORBIDDEN_MODULES = ("sources", "yaml", "ruamel")
FORBIDDEN_NAMES = {"load_tree", "tree_for", "methodology_for", "load_methodology", "METHODOLOGY_DIR", "safe_load", "Methodology"}
# Still to move (issue 13): shrink this, never grow it.
KNOWN_LEFT: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def demo(small_inbox, tmp_path_factory):
    """The small demo year materialised once, and the workbooks written from it."""
    root = tmp_path_factory.mktemp("reporting_model")
    warehouse = build_warehouse(small_inbox[0], root / "run")
    con = duckdb.connect(warehouse.build_db, read_only=True)
    paths = write_workbooks(con, root / "books")
    yield con, paths
    con.close()


def _renderers() -> list[Path]:
    return sorted(p for p in [*WORKBOOKS.glob("*.py"), *WEB.glob("*.py")] if p.name not in NOT_RENDERERS)


@pytest.mark.parametrize("path", _renderers(), ids=lambda p: p.name)
def test_a_renderer_imports_no_source_reader_and_loads_no_yaml(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                found.append(node.module)
            found += [a.name for a in node.names if a.name in FORBIDDEN_NAMES]
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in FORBIDDEN_NAMES:
                found.append(name)
    found = sorted({f for f in found if (path.name, f) not in KNOWN_LEFT})
    assert not found, f"{path.name} reaches past the warehouse: {found}"


@pytest.mark.parametrize("name", ["dti", "par", "tasks"])
def test_workbook_cell_values_unchanged_for_the_same_data(demo, name):
    _, paths = demo
    got, expected = workbook_values(paths[name]), expected_values(name)
    assert sorted(got) == sorted(expected)
    for sheet in expected:
        assert got[sheet] == expected[sheet], f"sheet {sheet!r} of the {name} workbook changed"


def test_dim_criterion_for_every_scored_year_and_index(demo):
    con, _ = demo
    scored = con.execute("""SELECT DISTINCT 'par' AS index_code, year, ranking_group, tree FROM mart_par_unit
                            UNION SELECT DISTINCT 'dti', year, ranking_group, tree FROM mart_dti_unit""").fetchall()
    assert {(i, y) for i, y, _, _ in scored} == {("par", 2026), ("dti", 2026)}
    for index, year, group, tree in scored:
        rows = con.execute(
            """SELECT count(*), count(tree_sha256), count(rule_text), count(DISTINCT tree),
                                     count(*) FILTER (kind = 'group'), count(bands)
                              FROM dim_criterion WHERE index_code = ? AND year = ? AND ranking_group = ?""",
            [index, year, group],
        ).fetchone()
        assert rows[0] > 0 and rows[0] == rows[1] == rows[2] == rows[5], (index, year, group)
        assert rows[3] == 1 and rows[4] >= 5
        assert (
            con.execute(
                "SELECT any_value(tree) FROM dim_criterion WHERE index_code = ? AND year = ? AND ranking_group = ?",
                [index, year, group],
            ).fetchone()[0]
            == tree
        )
    # Every criterion the marts scored is in the tree as used, under the same name and maximum.
    missing = con.execute("""SELECT count(*) FROM (SELECT DISTINCT m.year, u.ranking_group, m.code, m.name, m.max_points
                                                 FROM mart_dti_component m JOIN mart_dti_unit u USING (year, unit_code)) m
                             ANTI JOIN dim_criterion d ON d.index_code = 'dti' AND d.year = m.year
                               AND d.ranking_group = m.ranking_group AND d.code = m.code AND d.name = m.name""").fetchone()[0]
    assert missing == 0
    weighted = con.execute("""SELECT count(*) FROM dim_criterion WHERE index_code = 'dti' AND kind = 'group'
                              AND weight IS NULL""").fetchone()[0]
    assert weighted == 0


def test_issue_and_quarantine_rows_carry_year_index_unit_and_criterion(demo):
    con, _ = demo
    for table in ("quarantine", "file_issues"):
        # Every row of a yearly source has its index and year, but a form whose year could not be read.
        rows = con.execute(f"""SELECT source, rule, year, index_code FROM {table}
                               WHERE source LIKE 'par%' OR source LIKE 'dti%' OR source = 'plan_register'""").fetchall()
        assert rows, table
        assert all(index for _, _, _, index in rows), table
        undated = [(s, r) for s, r, y, _ in rows if y is None]
        assert all(s.endswith("_form") for s, _ in undated), undated
    assert con.execute("""SELECT count(*) FROM quarantine WHERE source = 'dti_previous' AND year <> 2025""").fetchone()[0] == 0
    # A form's rows and notes name the unit that sent it and, where there is one, the criterion.
    blank = con.execute("""SELECT count(*), count(unit_code), count(criterion_code) FROM file_issues
                           WHERE rule = 'blank_score'""").fetchone()
    assert blank[0] > 0 and blank[0] == blank[1] == blank[2]
    rejected = con.execute("""SELECT count(*), count(unit_code), count(criterion_code) FROM quarantine
                              WHERE source IN ('dti_form', 'par_form')""").fetchone()
    assert rejected[0] > 0 and rejected[0] == rejected[1] == rejected[2]
    external = con.execute("""SELECT count(*) FROM quarantine WHERE source = 'dti_external'
                              AND criterion_code IS NULL AND rule <> 'unknown_component'""").fetchone()[0]
    assert external == 0
