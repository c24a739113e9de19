"""Another province end to end (CCHC_PROVINCE=Phú Thọ): a small demo inbox of Phú Thọ's units, real Dagster runs of
the master data, the daily TTHC load, the QĐ 766 sources and month index, and the plan register. Nothing crashes;
the default agency list and the missing office list are said, not hidden; portal rows are matched by name."""

from datetime import date

import dagster as dg
import duckdb
import pytest

from assets import publish, qd766, tasks, tthc
from assets.resources import Warehouse
from checks import qd766_checks, tthc_checks

# End-to-end runs: the full tier (`make test-slow`, run by CI), not the fast default `make test`.
pytestmark = pytest.mark.slow

DAILY = [
    *dg.load_assets_from_modules([tthc, publish]),
    qd766.qd766_portal_snapshots,
    qd766.petitions,
    qd766.procedure_publication,
    tasks.offices,
    tasks.plan_register,
    *dg.load_asset_checks_from_modules([tthc_checks]),
    qd766_checks.qd766_portal_consistency,
]
MONTH = [qd766.qd766_month, qd766_checks.qd766_month_scores_valid]


def _run(assets: list, warehouse: Warehouse, start: str, end: str) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        assets,
        resources={"warehouse": warehouse},
        raise_on_error=False,
        tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
    )
    assert result.success, [e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return result


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    return {k: getattr(v, "value", v) for k, v in result.asset_materializations_for_node(asset)[-1].metadata.items()}


def test_phu_tho_loads_and_scores_with_the_default_agency_list(tmp_path):
    from demo.generate import generate_inbox

    root = tmp_path
    generate_inbox(root / "inbox", end=date(2026, 1, 10), scale=0.001, province="Phú Thọ")
    warehouse = Warehouse(
        build_db=str(root / "w" / "build.duckdb"),
        snapshot_db=str(root / "w" / "snap.duckdb"),
        inbox=str(root / "inbox"),
        reports=str(root / "reports"),
        province="Phú Thọ",
    )
    daily = _run(DAILY, warehouse, "2026-01-01", "2026-01-10")
    _run(MONTH, warehouse, "2026-01", "2026-01")

    units = _metadata(daily, "units")
    assert units["agency_list"] == "default_list" and "MẶC ĐỊNH" in units["notes"]
    assert _metadata(daily, "offices")["offices_missing"].startswith("Chưa có danh sách phòng, đơn vị thuộc Sở của Phú Thọ")
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert con.execute("""SELECT master_source, unit_group, count(*), count(portal_code) FROM dim_unit
                              GROUP BY ALL ORDER BY ALL""").fetchall() == [
            ("default_list", "agency", 15, 0),
            ("vietnam-provinces", "commune", 133, 0),
            ("vietnam-provinces", "ward", 15, 0),
        ]
        assert con.execute("SELECT count(*) FROM fct_dossier").fetchall()[0][0] > 0
        # Portal rows carry the portal's own sequence (H44.1xx): matched by name, only the deliberate stranger is not.
        assert con.execute("SELECT department FROM portal_qd766_issue WHERE rule = 'unknown_department'").fetchall() == [
            ("H44.248",)
        ]
        assert con.execute("SELECT count(*) FROM mart_qd766_unit WHERE period_label = '2026-M01'").fetchall() == [(163,)]
        # Thái Nguyên's plan names the department's offices: Phú Thọ has no office list, and every task says so.
        reasons = [r[0] for r in con.execute("SELECT reason FROM file_issues WHERE source = 'plan_register'").fetchall()]
        assert any("Cụm từ 'Các phòng, đơn vị thuộc Sở' không ứng với đơn vị nào" in r for r in reasons)
