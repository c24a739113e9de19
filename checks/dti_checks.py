"""Blocking checks of the DTI (Chỉ số chuyển đổi số): every unit and component present, published values in range
(Great Expectations over the marts)."""

import dagster as dg

from assets.dti import dti_scorecards
from assets.partitions import partition_years
from assets.resources import WRITER_POOL, Warehouse
from checks.gate import gate
from checks.tthc_expectations import run_suite


@dg.asset_check(
    asset=dti_scorecards,
    blocking=True,
    pool=WRITER_POOL,
    description="Đầy đủ: mọi đơn vị trong danh mục có kết quả, mọi thành phần áp dụng có dòng, đơn vị chưa có "
    "phiếu dùng được được liệt kê (không xếp hạng).",
)
def dti_complete(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.dti import completeness_problems, missing_forms

    with warehouse.read() as con:
        years = partition_years(context)
        problems = [p for y in years for p in completeness_problems(con, y)]
        missing = [m for y in years for m in missing_forms(con, y)]
    result = dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "problems": len(problems),
            "units_without_form": len(missing),
            "list": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:100]) or "-"),
            "without_form": dg.MetadataValue.md("\n".join(f"- {c} {n}: {why}" for c, n, why in missing) or "-"),
        },
    )
    # Not in the publication gate (as par_forms_valid): incomplete inputs of a year just begun (no form yet) must not
    # hold the daily publication for months; dti_values_valid, on the published values, is.
    return result


def unit_expectations(unit_codes: list[str], levels: list[str]) -> dict[str, tuple[str, dict]]:
    """Value ranges of the unit mart: totals 0..100, values 0..1, ranks and their intervals ordered."""
    return {
        "one_row_per_unit": ("ExpectCompoundColumnsToBeUnique", {"column_list": ["year", "unit_code"]}),
        "unit_in_master_data": ("ExpectColumnValuesToBeInSet", {"column": "unit_code", "value_set": unit_codes}),
        "total_0_100": ("ExpectColumnValuesToBeBetween", {"column": "total", "min_value": 0, "max_value": 100}),
        "index_value_0_1": ("ExpectColumnValuesToBeBetween", {"column": "index_value", "min_value": 0, "max_value": 1}),
        "level_from_tree": ("ExpectColumnValuesToBeInSet", {"column": "band", "value_set": levels}),
        "rank_positive": ("ExpectColumnValuesToBeBetween", {"column": "rank", "min_value": 1}),
        "interval_ordered": (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "rank_p95", "column_B": "rank_p05", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
        ),
        "share_same_rank_0_1": ("ExpectColumnValuesToBeBetween", {"column": "share_same_rank", "min_value": 0, "max_value": 1}),
    }


PART_EXPECTATIONS: dict[str, tuple[str, dict]] = {
    "points_not_negative": ("ExpectColumnValuesToBeBetween", {"column": "points", "min_value": 0}),
    "points_within_max": (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": "max_points", "column_B": "points", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
    ),
}
COMPONENT_EXPECTATIONS = {
    **PART_EXPECTATIONS,
    "computed_value_percent": ("ExpectColumnValuesToBeBetween", {"column": "computed_value", "min_value": 0, "max_value": 100}),
}
INDEX_EXPECTATIONS = {
    **PART_EXPECTATIONS,
    "value_0_1": ("ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0, "max_value": 1}),
}


@dg.asset_check(
    asset=dti_scorecards,
    blocking=True,
    pool=WRITER_POOL,
    description="GX: tổng điểm 0..100, giá trị chỉ số chính 0..1, điểm thành phần trong [0, tối đa], tỷ lệ từ "
    "kho trong 0..100 %, xếp loại theo bộ chỉ số, khoảng xếp hạng có thứ tự.",
)
def dti_values_valid(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.dti import trees_for_year

    years = partition_years(context)
    with gate(warehouse, "dti_values_valid", [str(y) for y in years]) as g:
        unit_codes = [r[0] for r in g.con.execute("SELECT unit_code FROM dim_unit").fetchall()]
        frames = {
            name: g.con.execute(f"SELECT * FROM {table} WHERE list_contains(?, year)", [years]).df()
            for name, table in (("unit", "mart_dti_unit"), ("index", "mart_dti_index"), ("component", "mart_dti_component"))
        }
        levels = sorted({b.label for y in years for t in trees_for_year(y).values() for b in t.bands})
        outcomes = [
            *run_suite(frames["unit"], unit_expectations(unit_codes, levels), "dti_unit"),
            *run_suite(frames["index"], INDEX_EXPECTATIONS, "dti_index"),
            *run_suite(frames["component"], COMPONENT_EXPECTATIONS, "dti_component"),
        ]
        failed = [o for o in outcomes if not o.success]
        passed = not failed and len(frames["unit"]) > 0
        g.record(
            passed,
            f"giá trị DTI không hợp lệ: {'; '.join(o.check for o in failed) or 'chưa có đơn vị nào được tính'}. Chạy lại "
            "năm đó; nếu vẫn lỗi, báo quản trị hệ thống.",
        )
    return dg.AssetCheckResult(
        passed=passed,
        metadata={
            "rows": sum(len(f) for f in frames.values()),
            "expectations": len(outcomes),
            "failed": dg.MetadataValue.md("\n".join(f"- {o.check}: {o.details}" for o in failed) or "-"),
        },
    )
