"""Blocking checks of the DTI (Chỉ số chuyển đổi số): every unit and component present, published values in range
(Great Expectations over the marts)."""

from pathlib import Path

import dagster as dg
import duckdb

from assets.dti import dti_scorecards
from assets.partitions import partition_years
from assets.resources import WRITER_POOL, Warehouse
from checks.gate import gate
from checks.tthc_expectations import failure_text, run_suite


class DtiCompleteConfig(dg.Config):
    """withdraw: the inputs lost against the published year are withdrawn on purpose (a source's values found wrong,
    forms taken back): recorded as such and published without them, instead of held in the gate."""

    withdraw: bool = False


@dg.asset_check(
    asset=dti_scorecards,
    blocking=True,
    pool=WRITER_POOL,
    description="Đầy đủ: mọi đơn vị trong danh mục có kết quả, mọi thành phần áp dụng có dòng, đơn vị chưa có "
    "phiếu dùng được được liệt kê (không xếp hạng).",
)
def dti_complete(context: dg.AssetCheckExecutionContext, warehouse: Warehouse, config: DtiCompleteConfig) -> dg.AssetCheckResult:
    from warehouse.dti import completeness_problems, missing_forms

    years = partition_years(context)
    # Incomplete inputs of a year just begun (no form yet) must not hold the daily publication for months: they hold
    # back this run only. Inputs lost against what was published (a folder moved: the marts are already recomputed
    # without them) are held in the publication gate, or the next daily run would publish them.
    with gate(warehouse, "dti_inputs_kept", [str(y) for y in years]) as g:
        problems = [p for y in years for p in completeness_problems(g.con, y)]
        missing = [m for y in years for m in missing_forms(g.con, y)]
        losses = _losses(g.con, Path(warehouse.snapshot_db), years)
        held = losses and not config.withdraw
        if losses and config.withdraw:
            context.log.warning(f"Rút dữ liệu đầu vào DTI theo cấu hình withdraw: true: {'; '.join(losses)}")
        g.record(
            not held,
            f"dữ liệu đầu vào DTI bị mất so với kết quả đã công bố: {'; '.join(losses)}. Kiểm tra thư mục inbox/dti "
            "(phiếu, hệ thống khác) có bị chuyển hoặc xóa nhầm không, đưa lại rồi chạy lại năm đó (yearly_indices). Nếu "
            "đúng là rút dữ liệu: chạy lại năm đó với cấu hình withdraw: true của kiểm tra dti_complete.",
        )
    return dg.AssetCheckResult(
        passed=not problems and not held,
        metadata={
            "problems": len(problems),
            "units_without_form": len(missing),
            "list": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:100]) or "-"),
            "without_form": dg.MetadataValue.md("\n".join(f"- {c} {n}: {why}" for c, n, why in missing) or "-"),
            "lost_against_published": dg.MetadataValue.md("\n".join(f"- {loss}" for loss in losses) or "-"),
            "withdrawn_on_purpose": bool(losses and config.withdraw),
        },
    )


def _losses(con: duckdb.DuckDBPyConnection, snapshot: Path, years: list[int]) -> list[str]:
    """``warehouse.dti.input_losses`` of the years against the analysts' snapshot (none before a first publication)."""
    from warehouse.dti import input_losses

    if not snapshot.exists():
        return []
    with duckdb.connect(str(snapshot), read_only=True) as published:
        return [f"năm {y}: {loss}" for y in years for loss in input_losses(con, published, y)]


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


# What each expectation of dti_values_valid checks, in the gate's Vietnamese message.
def _units_without_rows(frames: dict) -> list[str]:
    """Every row check holds on an empty table: a unit scored from a form has rows of main indices and components,
    and one without them (an index table emptied) is said here, not published in silence."""

    def keys(frame) -> set[tuple[int, str]]:
        return set(zip(frame["year"].astype(int), frame["unit_code"], strict=True)) if len(frame) else set()

    units = frames["unit"]
    scored = keys(units[units["has_form"].astype(bool)]) if len(units) else set()
    lacking = []
    for name, table in (("index", "mart_dti_index"), ("component", "mart_dti_component")):
        if missing := sorted(scored - keys(frames[name])):
            shown = ", ".join(f"{unit} ({year})" for year, unit in missing[:5])
            lacking.append(f"{table}: {len(missing)} đơn vị có phiếu nhưng không có dòng nào ({shown})")
    return lacking


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
        suites = [
            ("mart_dti_unit", run_suite(frames["unit"], unit_expectations(unit_codes, levels), "dti_unit")),
            ("mart_dti_index", run_suite(frames["index"], INDEX_EXPECTATIONS, "dti_index")),
            ("mart_dti_component", run_suite(frames["component"], COMPONENT_EXPECTATIONS, "dti_component")),
        ]
        outcomes = [o for _, results in suites for o in results]
        failed = [o for o in outcomes if not o.success]
        lacking = _units_without_rows(frames)
        passed = not failed and not lacking and len(frames["unit"]) > 0
        found = "; ".join(
            [
                *(text for table, results in suites if (text := failure_text(results, table))),
                *lacking,
            ]
        )
        g.record(
            passed,
            f"giá trị DTI năm {', '.join(map(str, years))} không hợp lệ: {found or 'chưa có đơn vị nào được tính'}. Chạy "
            "lại năm đó (yearly_indices); nếu vẫn lỗi, báo quản trị hệ thống kèm thông báo này.",
        )
    return dg.AssetCheckResult(
        passed=passed,
        metadata={
            "rows": sum(len(f) for f in frames.values()),
            "expectations": len(outcomes),
            "failed": dg.MetadataValue.md("\n".join(f"- {failure_text([o])}" for o in failed) or "-"),
        },
    )
