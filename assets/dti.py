"""DTI (Chỉ số chuyển đổi số) of the province's agencies and communes: blank forms, the inputs (forms, other systems'
values, last year's results), the scorecards with rank intervals, the blocking checks and the publication, per year
(yearly partitions)."""

from pathlib import Path

import dagster as dg

from assets.tthc import units
from checks.tthc_expectations import run_suite
from common.settings import now_local
from common.units import department_code, load_units, matcher_for
from pipelines.partitions import PERIOD_PARTITIONS, partition_years
from pipelines.resources import WRITER_POOL, Warehouse

DTI_GROUP = "dti"
YEARLY = PERIOD_PARTITIONS["year"]


@dg.asset(group_name=DTI_GROUP, kinds={"excel"}, partitions_def=YEARLY, backfill_policy=dg.BackfillPolicy.single_run(),
          description="Phiếu tự đánh giá Chỉ số chuyển đổi số để trống cho từng đơn vị và năm, sinh từ bộ chỉ số "
                      "(methodology/dti): câu trả lời chọn trong danh sách hoặc số trong khoảng cho phép, cấu trúc được khóa.")
def dti_blank_forms(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from workbooks.par_forms import write_blank_forms

    folder = Path(warehouse.reports) / "phieu_tu_danh_gia_dti"
    written = sum(write_blank_forms(folder / str(year), "dti", year, load_units(warehouse.province), "phieu_dti")
                  for year in partition_years(context))
    return dg.MaterializeResult(metadata={"forms": written, "folder": str(Path(warehouse.reports) / "phieu_tu_danh_gia_dti")})


@dg.asset(group_name=DTI_GROUP, kinds={"excel", "csv", "duckdb"}, pool=WRITER_POOL, deps=[units],
          partitions_def=YEARLY, backfill_policy=dg.BackfillPolicy.single_run(),
          description="Phiếu tự đánh giá DTI (inbox/dti/tu_danh_gia), thẩm định (dti/tham_dinh), giá trị do hệ thống "
                      "khác cung cấp (dti/he_thong_khac) và kết quả công bố năm trước (dti/ket_qua_nam_truoc); dòng lỗi, "
                      "trùng, ngoài khoảng hoặc đơn vị lạ vào quarantine.")
def dti_inputs(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.dti import load_dti_inputs

    assessed = frozenset(int(k) for k in YEARLY.get_partition_keys())
    stats: dict = {}
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = load_dti_inputs(con, Path(warehouse.inbox), year, matcher_for(warehouse.province), now_local(),
                                    Path(warehouse.work_dir), assessed)
    return dg.MaterializeResult(metadata=stats)


@dg.asset(group_name=DTI_GROUP, kinds={"duckdb"}, pool=WRITER_POOL, deps=[dti_inputs, "qd766_year", "task_status"],
          partitions_def=YEARLY, backfill_policy=dg.BackfillPolicy.single_run(),
          description="DTI theo thành phần, chỉ số chính, trụ cột và đơn vị (mart_dti_*): giá trị chuẩn hóa 0..1 có trọng "
                      "số, xếp loại, xếp hạng trong nhóm, thay đổi so với năm trước (đơn vị hợp nhất: trung bình đơn vị "
                      "cũ) và khoảng xếp hạng 5–95 % của 1.000 lần tính lại.")
def dti_scorecards(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.dti import refresh_dti

    stats: dict = {}
    top: list = []
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = refresh_dti(con, year, matcher_for(warehouse.province), department_code(warehouse.province))
            top = con.execute("""SELECT ranking_group, rank, unit_name, total, rank_p05, rank_p95 FROM mart_dti_unit
                                 WHERE year = ? AND rank <= 3 ORDER BY ranking_group, rank""", [year]).fetchall()
    lines = [f"- {g} #{r}: {n} ({t:.2f}; khoảng hạng {lo}–{hi})" for g, r, n, t, lo, hi in top]
    return dg.MaterializeResult(metadata={**stats, "top_units": dg.MetadataValue.md("\n".join(lines) or "-")})


@dg.asset_check(asset=dti_scorecards, blocking=True, pool=WRITER_POOL,
                description="Đầy đủ: mọi đơn vị trong danh mục có kết quả, mọi thành phần áp dụng có dòng, đơn vị chưa có "
                            "phiếu dùng được được liệt kê (không xếp hạng).")
def dti_complete(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.dti import completeness_problems, missing_forms

    with warehouse.read() as con:
        years = partition_years(context)
        problems = [p for y in years for p in completeness_problems(con, y)]
        missing = [m for y in years for m in missing_forms(con, y)]
    return dg.AssetCheckResult(passed=not problems, metadata={
        "problems": len(problems), "units_without_form": len(missing),
        "list": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:100]) or "-"),
        "without_form": dg.MetadataValue.md("\n".join(f"- {c} {n}: {why}" for c, n, why in missing) or "-")})


def unit_expectations(unit_codes: list[str], levels: list[str]) -> dict[str, tuple[str, dict]]:
    """Value ranges of the unit mart: totals 0..100, values 0..1, ranks and their intervals ordered."""
    return {
        "one_row_per_unit": ("ExpectCompoundColumnsToBeUnique", {"column_list": ["year", "unit_code"]}),
        "unit_in_master_data": ("ExpectColumnValuesToBeInSet", {"column": "unit_code", "value_set": unit_codes}),
        "total_0_100": ("ExpectColumnValuesToBeBetween", {"column": "total", "min_value": 0, "max_value": 100}),
        "index_value_0_1": ("ExpectColumnValuesToBeBetween", {"column": "index_value", "min_value": 0, "max_value": 1}),
        "level_from_tree": ("ExpectColumnValuesToBeInSet", {"column": "band", "value_set": levels}),
        "rank_positive": ("ExpectColumnValuesToBeBetween", {"column": "rank", "min_value": 1}),
        "interval_ordered": ("ExpectColumnPairValuesAToBeGreaterThanB", {
            "column_A": "rank_p95", "column_B": "rank_p05", "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
        "share_same_rank_0_1": ("ExpectColumnValuesToBeBetween", {"column": "share_same_rank", "min_value": 0,
                                                                  "max_value": 1}),
    }


PART_EXPECTATIONS: dict[str, tuple[str, dict]] = {
    "points_not_negative": ("ExpectColumnValuesToBeBetween", {"column": "points", "min_value": 0}),
    "points_within_max": ("ExpectColumnPairValuesAToBeGreaterThanB", {
        "column_A": "max_points", "column_B": "points", "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
}
COMPONENT_EXPECTATIONS = {**PART_EXPECTATIONS, "computed_value_percent": (
    "ExpectColumnValuesToBeBetween", {"column": "computed_value", "min_value": 0, "max_value": 100})}
INDEX_EXPECTATIONS = {**PART_EXPECTATIONS, "value_0_1": (
    "ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0, "max_value": 1})}


@dg.asset_check(asset=dti_scorecards, blocking=True, pool=WRITER_POOL,
                description="GX: tổng điểm 0..100, giá trị chỉ số chính 0..1, điểm thành phần trong [0, tối đa], tỷ lệ từ "
                            "kho trong 0..100 %, xếp loại theo bộ chỉ số, khoảng xếp hạng có thứ tự.")
def dti_values_valid(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.dti import trees_for_year

    years = partition_years(context)
    with warehouse.read() as con:
        unit_codes = [r[0] for r in con.execute("SELECT unit_code FROM dim_unit").fetchall()]
        frames = {name: con.execute(f"SELECT * FROM {table} WHERE list_contains(?, year)", [years]).df()
                  for name, table in (("unit", "mart_dti_unit"), ("index", "mart_dti_index"),
                                      ("component", "mart_dti_component"))}
    levels = sorted({b.label for y in years for t in trees_for_year(y).values() for b in t.bands})
    outcomes = [*run_suite(frames["unit"], unit_expectations(unit_codes, levels), "dti_unit"),
                *run_suite(frames["index"], INDEX_EXPECTATIONS, "dti_index"),
                *run_suite(frames["component"], COMPONENT_EXPECTATIONS, "dti_component")]
    failed = [o for o in outcomes if not o.success]
    return dg.AssetCheckResult(passed=not failed and len(frames["unit"]) > 0, metadata={
        "rows": sum(len(f) for f in frames.values()), "expectations": len(outcomes),
        "failed": dg.MetadataValue.md("\n".join(f"- {o.check}: {o.details}" for o in failed) or "-")})


class DtiWorkbookConfig(dg.Config):
    """unit: a unit code to write only that unit's sheet (to send back to it); empty = the whole publication."""

    unit: str = ""


@dg.asset(group_name=DTI_GROUP, kinds={"excel"}, pool=WRITER_POOL, deps=[dti_scorecards], partitions_def=YEARLY,
          backfill_policy=dg.BackfillPolicy.single_run(),
          description="Công bố DTI (Excel): xếp hạng theo nhóm với giá trị chỉ số chính, xếp loại, thay đổi so với năm "
                      "trước và khoảng xếp hạng; biểu đồ tổng điểm và hồ sơ chỉ số; một trang cho mỗi đơn vị; dữ liệu lỗi "
                      "và phương pháp.")
def dti_workbook(context: dg.AssetExecutionContext, config: DtiWorkbookConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.dti import method_note
    from workbooks.dti import read_dti_data, write_dti_workbook

    written = []
    with warehouse.read() as con:
        books = [(year, read_dti_data(con, year, method_note())) for year in partition_years(context)]
    unit = config.unit.strip() or None
    for year, data in books:
        name = f"chi_so_chuyen_doi_so_{year}_{unit}.xlsx" if unit else f"chi_so_chuyen_doi_so_{year}.xlsx"
        path = Path(warehouse.reports) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_dti_workbook(path, data, unit=unit)
        written.append(path)
    return dg.MaterializeResult(metadata={"paths": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written))})
