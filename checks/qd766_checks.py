"""Checks on the QĐ 766 index. A GX suite on the unit mart of every month, quarter and year partition run blocks
what follows (the workbook and the snapshot after the year); disagreements between the portal's scores and its own
counts are a warning (the portal's score stays authoritative).
"""

from datetime import date

import dagster as dg

from assets.partitions import partition_dates
from assets.qd766 import qd766_month, qd766_portal_snapshots, qd766_quarter, qd766_year
from assets.resources import WRITER_POOL, Warehouse
from checks.gate import Gate, gate, metadata_text
from checks.tthc_expectations import failure_text, run_suite
from common.periods import Period, parse_period, periods_between


def unit_mart_expectations(m, unit_codes: list[str], periods: int) -> dict[str, tuple[str, dict]]:
    """Check name -> (GX expectation, arguments): scores within their maxima, one row per unit and period."""
    checks: dict[str, tuple[str, dict]] = {
        "one_row_per_unit_and_period": ("ExpectCompoundColumnsToBeUnique", {"column_list": ["period_label", "unit_code"]}),
        "unit_in_master_data": ("ExpectColumnValuesToBeInSet", {"column": "unit_code", "value_set": unit_codes}),
        "total_within_max": ("ExpectColumnValuesToBeBetween", {"column": "total", "min_value": 0, "max_value": m.max_points}),
        "rank_positive": ("ExpectColumnValuesToBeBetween", {"column": "rank", "min_value": 1}),
        "every_unit_scored": ("ExpectTableRowCountToEqual", {"value": len(unit_codes) * periods}),
    }
    for g in m.groups:
        checks[f"{g.code.lower()}_within_max"] = (
            "ExpectColumnValuesToBeBetween",
            {"column": f"score_{g.code.lower()}", "min_value": 0, "max_value": g.max_points},
        )
    # The columns ``with_consistency`` adds: the total is its groups' scores added up (each rounded to 2 decimals, the
    # total once more: 0.01 at most apart), out of the maxima of the groups scored, and a rank follows the totals.
    checks["total_is_sum_of_groups"] = (
        "ExpectColumnValuesToBeBetween",
        {"column": "total_minus_groups", "min_value": -SUM_TOLERANCE, "max_value": SUM_TOLERANCE},
    )
    checks["evaluated_max_is_sum_of_scored_groups"] = (
        "ExpectColumnValuesToBeBetween",
        {"column": "evaluated_max_minus_groups", "min_value": -1e-9, "max_value": 1e-9},
    )
    checks["rank_follows_total"] = (
        "ExpectColumnValuesToBeBetween",
        {"column": "rank_minus_expected", "min_value": 0, "max_value": 0},
    )
    return checks


SUM_TOLERANCE = 0.01


def with_consistency(df, m):
    """``df`` (unit mart rows of one methodology ``m``) with the columns its suite compares: the total less its
    groups' scores, ``evaluated_max`` less the maxima of the groups with a score, and a ranked unit's rank less the
    competition rank of its 2-decimal total among the ranked units of its period and ranking group."""
    import pandas as pd

    out = df.copy()
    scores = out[[f"score_{g.code.lower()}" for g in m.groups]].astype("float64")
    maxima = pd.Series({f"score_{g.code.lower()}": float(g.max_points) for g in m.groups})
    out["total_minus_groups"] = out["total"].astype("float64") - scores.fillna(0).sum(axis=1)
    out["evaluated_max_minus_groups"] = out["evaluated_max"].astype("float64") - scores.notna().mul(maxima).sum(axis=1)
    ranked = out["rank"].notna()
    totals = out["total"].astype("float64").round(2).where(ranked)
    expected = totals.groupby([out["period_label"], out["ranking_group"]]).rank(method="min", ascending=False)
    out["rank_minus_expected"] = (out["rank"].astype("float64") - expected).where(ranked)
    return out


def unit_mart_result(df, unit_codes: list[str], suite: str) -> dg.AssetCheckResult:
    """The GX suite of a QĐ 766 unit mart (one province's periods) as a blocking check's result: fails on any failed
    expectation and on a mart without any period. Each period is judged by the methodology it was scored with, the
    one valid when it starts (a new decision from 1 July: the third quarter by its maxima, the second by the old)."""
    import pandas as pd

    from scoring.qd766 import methodology_for

    scored = int(df["period_label"].nunique())
    methods = {start: methodology_for(pd.Timestamp(start).date()) for start in df["period_start"].unique()}
    file_of = df["period_start"].map(lambda start: methods[start].path)
    outcomes = []
    # (an empty mart is still judged, by the latest methodology: its expectations say what is missing)
    for method in {m.path: m for m in methods.values()}.values() or [methodology_for(date.max)]:
        rows = df[file_of == method.path] if len(df) else df
        periods = max(int(rows["period_label"].nunique()), 1)
        outcomes += run_suite(with_consistency(rows, method), unit_mart_expectations(method, unit_codes, periods), suite)
    failed = [o for o in outcomes if not o.success]
    return dg.AssetCheckResult(
        passed=not failed and scored > 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows": len(df),
            "periods": scored,
            "expectations": len(outcomes),
            "failed": dg.MetadataValue.md("\n".join(f"- {failure_text([o])}" for o in failed) or "-"),
        },
    )


def _scores_check(asset: dg.AssetsDefinition, kind: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name="qd766_scores_valid",
        blocking=True,
        pool=WRITER_POOL,
        description="GX: điểm mỗi nhóm trong [0, tối đa], tổng = cộng điểm các nhóm, thứ hạng theo tổng, "
        "mỗi đơn vị đúng một dòng mỗi kỳ.",
    )
    def check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        start, end = partition_dates(context)
        periods = periods_between(kind, start, end)
        labels = [p.label for p in periods]
        with gate(warehouse, f"qd766_{kind}_scores_valid", labels, unfinished=True) as g:
            unit_codes = [r[0] for r in g.con.execute("SELECT unit_code FROM dim_unit").fetchall()]
            passed, failed, waiting, metadata = _judge_periods(g, periods, unit_codes, kind)
            # Periods a killed run of this check left unchecked (their gate row says so): judged too, one at a time
            # (each by its own methodology), so the next run of any period clears them instead of every publication
            # waiting for someone to rerun exactly those periods.
            earlier = [parse_period(s) for s in g.scopes if s not in labels]
            for period in earlier:
                ok, text, _, _ = _judge_periods(g, [period], unit_codes, kind)
                if not ok:
                    passed = False
                    failed = "; ".join(filter(None, [failed, f"kỳ {period.label} (lần chạy trước bị dừng): {text}"]))
            if earlier:
                context.log.info(f"Đã kiểm tra thêm kỳ {', '.join(p.label for p in earlier)} lần chạy trước chưa kiểm tra xong")
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                **metadata,
                "failed": dg.MetadataValue.md(failed or "-"),
                "periods_without_exports": waiting,
                "earlier_periods_checked": [p.label for p in earlier],
            },
        )

    return check


def _judge_periods(g: Gate, periods: list[Period], unit_codes: list[str], kind: str) -> tuple[bool, str, list[str], dict]:
    """Judge the unit mart of ``periods`` (each by its own methodology) and record each in the gate:
    (passed, what failed, the periods without any export, the suite's metadata). A period without any export loaded
    yet (the month just begun, run by hand) has nothing to score or publish: alone or in a backfill, it neither
    fails the check nor holds every publication back; one with exports but no scores fails."""

    labels = [p.label for p in periods]
    df = g.con.execute("SELECT * FROM mart_qd766_unit WHERE list_contains(?, period_label)", [labels]).df()
    scored = set(df["period_label"])
    waiting = [p.label for p in periods if p.label not in scored and not _exports_within(g.con, p)]
    unscored = [p.label for p in periods if p.label not in scored and p.label not in waiting]
    result = unit_mart_result(df, unit_codes, f"qd766_unit_{kind}")
    passed = (bool(result.passed) or not scored) and not unscored
    failed = metadata_text(result.metadata, "failed") if scored else ""
    if unscored:
        failed = "; ".join(filter(None, [failed, f"kỳ {', '.join(unscored)} có hồ sơ nhưng chưa được tính điểm"]))
    g.record(
        passed,
        f"điểm QĐ 766 không hợp lệ: {failed}. Chạy lại kỳ đó (sau khi nạp đủ hồ sơ); nếu vẫn lỗi, báo quản trị.",
        [label for label in labels if label not in waiting],
    )
    g.record(True, None, waiting)
    return passed, failed, waiting, dict(result.metadata or {})


def _exports_within(con, period: Period) -> bool:
    """Whether any daily export of the period's days is loaded."""
    found = con.execute(
        "SELECT 1 FROM stg_dossier_versions WHERE export_date BETWEEN ? AND ? LIMIT 1", [period.start, period.end]
    ).fetchall()
    return bool(found)


qd766_month_scores_valid = _scores_check(qd766_month, "month")
qd766_quarter_scores_valid = _scores_check(qd766_quarter, "quarter")
qd766_year_scores_valid = _scores_check(qd766_year, "year")

# Reported in portal_qd766_issue but normal on the portal: a metric it does not evaluate is null.
ROUTINE_PORTAL_ISSUES = ("null_value", "capture_time_from_file")


@dg.asset_check(
    asset=qd766_portal_snapshots,
    pool=WRITER_POOL,
    description="Điểm của Cổng khớp với điểm tính lại từ số liệu của "
    "chính ảnh chụp; ảnh chụp không thiếu trường, không đổi điểm tối đa, đơn vị đều khớp danh mục.",
)
def qd766_portal_consistency(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.read() as con:
        mismatches = con.execute("""
            SELECT file_name, coalesce(department_name, department_code), coalesce(indicator_code, 'nhóm ' || group_code),
                   portal_score, recomputed_score
            FROM mart_qd766_reconciliation WHERE status = 'mismatch' ORDER BY file_name, 2, 3""").fetchall()
        issues = con.execute(
            """SELECT file_name, reason FROM portal_qd766_issue
                                WHERE NOT list_contains(?, rule) ORDER BY file_name""",
            [list(ROUTINE_PORTAL_ISSUES)],
        ).fetchall()
        routine = con.execute(
            "SELECT count(*) FROM portal_qd766_issue WHERE list_contains(?, rule)", [list(ROUTINE_PORTAL_ISSUES)]
        ).fetchall()[0][0]
    lines = [f"- `{f}` {d} {i}: Cổng {p:g}, tính lại {r:g}" for f, d, i, p, r in mismatches[:50]]
    lines += [f"- `{f}`: {reason}" for f, reason in issues[:50]]
    return dg.AssetCheckResult(
        passed=not mismatches and not issues,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "mismatches": len(mismatches),
            "issues": len(issues),
            "null_values": routine,
            "list": dg.MetadataValue.md("\n".join(lines) or "-"),
        },
    )
