"""The Dagster edge stays thin and imports point one way (LAYERS): pipelines -> checks -> assets -> pure code (demo,
documents, workbooks, warehouse, sources, scoring, common). Jobs select asset groups, and each job holds the same assets as before the
switch from hand-written lists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ("sources", "scoring", "warehouse", "documents", "workbooks", "web", "forms", "common", "demo")
EDGE = ("assets", "checks")
PACKAGES = ("pipelines", *EDGE, *PURE)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports too), as absolute dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from checks import x_checks`
    return found


def _modules(package: str) -> dict[str, set[str]]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts): _imports(p) for p in sorted((ROOT / package).rglob("*.py"))}


MODULES = {name: imports for package in PACKAGES for name, imports in _modules(package).items()}


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _uses_dagster(imports: set[str]) -> bool:
    return any(_top(i) == "dagster" or _top(i).startswith("dagster_") for i in imports)


def test_every_top_level_package_is_scanned():
    assert {_top(m) for m in MODULES} == set(PACKAGES)
    assert len(MODULES) > 60


def test_pipelines_holds_the_code_location_and_its_operation_only():
    """Definitions, jobs, schedules and sensors, plus the operator's side of Dagster (the instance and its recovery,
    failure alerts, `make run`); resources, partitions and groups live in assets/, which never reaches up here."""
    assert {m for m in MODULES if _top(m) == "pipelines"} == {
        "pipelines.__init__",
        "pipelines.definitions",
        "pipelines.jobs",
        "pipelines.schedules",
        "pipelines.sensors",
        "pipelines.instance",
        "pipelines.alerts",
        "pipelines.run_demo",
        "pipelines.rerun",
        "pipelines.failures",
        "pipelines.restore",
    }


@pytest.mark.parametrize("package", [*EDGE, *PURE])
def test_nothing_below_the_edge_imports_pipelines(package):
    wrong = {m: sorted(i for i in imports if _top(i) == "pipelines") for m, imports in MODULES.items() if _top(m) == package}
    assert not {m: i for m, i in wrong.items() if i}


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_know_nothing_of_dagster_or_its_modules(package):
    wrong = {
        m: sorted(i for i in imports if _top(i) in ("pipelines", *EDGE) or _uses_dagster({i}))
        for m, imports in MODULES.items()
        if _top(m) == package
    }
    assert not {m: i for m, i in wrong.items() if i}


# Every import goes down this list (a package may import those after it): no cycle between top-level packages.
# checks target assets; demo writes the demo inbox with the readers' formats and the blank forms; bench measures all.
LAYERS = (
    "pipelines",
    "checks",
    "assets",
    "demo",
    "forms",
    "web",
    "documents",
    "workbooks",
    "warehouse",
    "sources",
    "scoring",
    "common",
)


def test_imports_between_packages_point_down_the_layers():
    assert set(LAYERS) == set(PACKAGES)
    wrong = {
        m: sorted(i for i in imports if _top(i) in LAYERS and LAYERS.index(_top(i)) < LAYERS.index(_top(m)))
        for m, imports in MODULES.items()
    }
    assert not {m: i for m, i in wrong.items() if i}


def test_every_asset_check_is_defined_in_checks():
    for name in MODULES:
        if _top(name) == "checks":
            continue
        source = (ROOT / Path(*name.split("."))).with_suffix(".py").read_text(encoding="utf-8")
        assert "asset_check(" not in source, name


# Asset keys and checks of every job, computed from the definitions before jobs selected groups (main at e52e5a7).
JOBS_BEFORE: dict[str, tuple[set[str], int]] = {
    "daily_tthc": (
        {
            "analyst_snapshot",
            "data_quality_workbook",
            "offices",
            "petitions",
            "plan_register",
            "procedure_publication",
            "qd766_portal_snapshots",
            "tthc_catalogue",
            "tthc_dossier_versions",
            "tthc_dossiers",
            "units",
            "web_publication",  # added with the web publication (issue 14)
        },
        22,  # 19 then; + single_pii_secret, versions_present, dossier_code_reused (a warning)
    ),
    "masterdata_refresh": ({"tthc_catalogue", "units"}, 0),
    "national_index": ({"national_qd766"}, 1),  # the national job (issue 15)
    "national_views": ({"national_marts"}, 0),
    "par_blank_forms_yearly": ({"dti_blank_forms", "par_blank_forms"}, 0),
    "portal_capture": ({"qd766_portal_capture"}, 0),
    "qd766_monthly": ({"qd766_month"}, 1),
    "qd766_quarterly": ({"qd766_quarter"}, 1),
    "qd766_sources": ({"petitions", "procedure_publication", "qd766_portal_snapshots"}, 1),
    # The quality workbook again once the reports, forms and surveys are loaded (it was written before them).
    "task_progress": ({"data_quality_workbook", "plan_register", "task_progress_workbook", "task_reports", "task_status"}, 1),
    "yearly_indices": (
        {
            "analyst_snapshot",
            "data_quality_workbook",
            "dti_inputs",
            "dti_scorecards",
            "dti_workbook",
            "par_inputs",
            "par_scorecards",
            "par_workbook",
            "qd766_workbook",
            "qd766_year",
            "web_publication",  # added with the web publication (issue 14)
        },
        6,  # + par_appraisal_consistent (a warning)
    ),
}


def test_jobs_select_groups_and_keep_their_assets():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    jobs = {job.name: job for job in defs.resolve_all_job_defs() if not job.name.startswith("__")}
    assert set(jobs) == set(JOBS_BEFORE)
    for name, (assets, check_count) in JOBS_BEFORE.items():
        selected = jobs[name].asset_layer.selected_asset_keys
        assert {k.to_user_string() for k in selected} == assets, name
        assert sum(1 for c in graph.asset_check_keys if c.asset_key in selected) == check_count, name
    # Every asset's group belongs to at least one job, whole: a new asset of a group joins that group's jobs.
    by_group: dict[str, set[str]] = {}
    for node in graph.asset_nodes:
        by_group.setdefault(node.group_name, set()).add(node.key.to_user_string())
    for group, members in by_group.items():
        holders = [n for n, (assets, _) in JOBS_BEFORE.items() if members <= assets]
        assert holders, f"group {group} is in no job whole"


def test_department_code_is_one_setting(monkeypatch):
    """CCHC_DEPARTMENT_CODE, read once by the settings and carried by the resource every asset gets; empty means the
    province's Sở KH&CN from the master data."""
    from assets.resources import Warehouse
    from common.units import MasterDataError

    monkeypatch.setenv("CCHC_PROVINCE", "Thái Nguyên")
    monkeypatch.delenv("CCHC_DEPARTMENT_CODE", raising=False)
    assert Warehouse.from_settings().department_code == ""
    assert Warehouse.from_settings().department() == "19.SKHCN"
    monkeypatch.setenv("CCHC_DEPARTMENT_CODE", "19.SNV")
    assert Warehouse.from_settings().department() == "19.SNV"
    monkeypatch.setenv("CCHC_DEPARTMENT_CODE", "19.NOPE")
    with pytest.raises(MasterDataError, match=re.escape("CCHC_DEPARTMENT_CODE='19.NOPE'")):
        Warehouse.from_settings().department()


def test_no_department_code_literal_in_the_edge():
    for name in MODULES:
        if _top(name) in ("pipelines", *EDGE):
            source = (ROOT / Path(*name.split("."))).with_suffix(".py").read_text(encoding="utf-8")
            assert "SKHCN" not in source, name
