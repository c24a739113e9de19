"""Checks on the QĐ 766 index. The GX suite on the year-to-date marts blocks the ranking workbook and the snapshot;
disagreements between the portal's scores and its own counts are a warning (the portal's score stays authoritative).
"""


import dagster as dg

from assets.qd766 import qd766_portal_snapshots, qd766_year
from checks.tthc_expectations import run_suite
from common.periods import periods_between
from pipelines.partitions import partition_dates
from pipelines.resources import WRITER_POOL, Warehouse


def unit_mart_expectations(m, unit_codes: list[str], periods: int) -> dict[str, tuple[str, dict]]:
    """Check name -> (GX expectation, arguments): scores within their maxima, one row per unit and period."""
    checks: dict[str, tuple[str, dict]] = {
        "one_row_per_unit_and_period": ("ExpectCompoundColumnsToBeUnique", {"column_list": ["period_label", "unit_code"]}),
        "unit_in_master_data": ("ExpectColumnValuesToBeInSet", {"column": "unit_code", "value_set": unit_codes}),
        "total_within_max": ("ExpectColumnValuesToBeBetween", {"column": "total_score", "min_value": 0,
                                                                "max_value": m.max_points}),
        "rank_positive": ("ExpectColumnValuesToBeBetween", {"column": "rank", "min_value": 1}),
        "every_unit_scored": ("ExpectTableRowCountToEqual", {"value": len(unit_codes) * periods}),
    }
    for g in m.groups:
        checks[f"{g.code.lower()}_within_max"] = ("ExpectColumnValuesToBeBetween", {
            "column": f"score_{g.code.lower()}", "min_value": 0, "max_value": g.max_points})
    return checks


@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec("qd766_scores_valid", asset=qd766_year, blocking=True,
                             description="GX: điểm mỗi nhóm trong [0, tối đa], tổng ≤ 100, mỗi đơn vị một dòng mỗi kỳ.")],
    pool=WRITER_POOL,
)
def qd766_scores_valid(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
    from scoring.qd766 import methodology_for

    start, end = partition_dates(context)
    labels = [p.label for p in periods_between("year", start, end)]
    m = methodology_for(start)
    with warehouse.read() as con:
        unit_codes = [r[0] for r in con.execute("SELECT unit_code FROM dim_unit").fetchall()]
        df = con.execute("SELECT * FROM mart_qd766_unit WHERE list_contains(?, period_label)", [labels]).df()
    periods_scored = max(df["period_label"].nunique(), 1)
    outcomes = run_suite(df, unit_mart_expectations(m, unit_codes, periods_scored), "qd766_unit")
    failed = [o for o in outcomes if not o.success]
    yield dg.AssetCheckResult(
        asset_key=qd766_year.key, check_name="qd766_scores_valid", passed=not failed and not df.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows": len(df), "expectations": len(outcomes),
                  "failed": dg.MetadataValue.md("\n".join(f"- {o.check}: {o.details}" for o in failed) or "-")},
    )


@dg.asset_check(asset=qd766_portal_snapshots, pool=WRITER_POOL, description="Điểm của Cổng khớp với điểm tính lại từ số liệu của "
                "chính ảnh chụp; ảnh chụp không thiếu trường, không đổi điểm tối đa, đơn vị đều khớp danh mục.")
def qd766_portal_consistency(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.read() as con:
        mismatches = con.execute("""
            SELECT file_name, coalesce(department_name, department_code), coalesce(indicator_code, 'nhóm ' || group_code),
                   portal_score, recomputed_score
            FROM mart_qd766_reconciliation WHERE status = 'mismatch' ORDER BY file_name, 2, 3""").fetchall()
        issues = con.execute("SELECT file_name, reason FROM portal_qd766_issue ORDER BY file_name").fetchall()
    lines = [f"- `{f}` {d} {i}: Cổng {p:g}, tính lại {r:g}" for f, d, i, p, r in mismatches[:50]]
    lines += [f"- `{f}`: {reason}" for f, reason in issues[:50]]
    return dg.AssetCheckResult(passed=not mismatches and not issues, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"mismatches": len(mismatches), "issues": len(issues),
                                         "list": dg.MetadataValue.md("\n".join(lines) or "-")})
