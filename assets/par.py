"""PAR index (Chỉ số CCHC): blank self-assessment forms per unit, the filled forms, appraisal and surveys, and the
scorecards, per year (yearly partitions)."""

from pathlib import Path

import dagster as dg

from assets.tthc import units
from common.settings import now_local
from common.units import department_code, load_units, matcher_for
from pipelines.partitions import PERIOD_PARTITIONS, partition_years
from pipelines.resources import WRITER_POOL, Warehouse

PAR_GROUP = "par"
YEARLY = PERIOD_PARTITIONS["year"]



@dg.asset(group_name=PAR_GROUP, kinds={"excel"}, partitions_def=YEARLY, backfill_policy=dg.BackfillPolicy.single_run(),
          description="Phiếu tự đánh giá Chỉ số CCHC để trống cho từng đơn vị và năm, sinh từ bộ tiêu chí "
                      "(methodology/par): ô điểm giới hạn 0..tối đa, cột tài liệu kiểm chứng, cấu trúc được khóa.")
def par_blank_forms(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from workbooks.par_forms import write_blank_forms

    folder = Path(warehouse.reports) / "phieu_tu_danh_gia"
    written = sum(write_blank_forms(folder / str(year), "par", year, load_units(warehouse.province), "phieu_tu_danh_gia")
                  for year in partition_years(context))
    return dg.MaterializeResult(metadata={"forms": written, "folder": str(Path(warehouse.reports) / "phieu_tu_danh_gia")})


@dg.asset(group_name=PAR_GROUP, kinds={"excel", "csv", "duckdb"}, pool=WRITER_POOL, deps=[units],
          partitions_def=YEARLY, backfill_policy=dg.BackfillPolicy.single_run(),
          description="Phiếu tự đánh giá đã điền (inbox/par/tu_danh_gia), kết quả thẩm định (par/tham_dinh) và điều "
                      "tra xã hội học (par/khao_sat): đơn vị lấy từ đầu phiếu; bản gửi sau thay bản trước (giữ lịch sử).")
def par_inputs(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.par import load_par_inputs

    assessed = frozenset(int(k) for k in YEARLY.get_partition_keys())
    stats: dict = {}
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = load_par_inputs(con, Path(warehouse.inbox), year, matcher_for(warehouse.province), now_local(), assessed)
    return dg.MaterializeResult(metadata=stats)


@dg.asset(group_name=PAR_GROUP, kinds={"duckdb"}, pool=WRITER_POOL,
          deps=[par_inputs, "qd766_year", "task_status"], partitions_def=YEARLY,
          backfill_policy=dg.BackfillPolicy.single_run(),
          description="Chỉ số CCHC theo tiêu chí, lĩnh vực và đơn vị (mart_par_criterion, mart_par_domain, "
                      "mart_par_unit): điểm thẩm định (tạm tính khi chưa thẩm định), khảo sát, tiêu chí tính từ dữ liệu; "
                      "xếp loại và xếp hạng trong nhóm.")
def par_scorecards(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.par import refresh_scorecards

    stats: dict = {}
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = refresh_scorecards(con, year, now_local(), department_code(warehouse.province))
            top = con.execute("""SELECT ranking_group, rank, unit_name, index_pct FROM mart_par_unit
                                 WHERE year = ? AND rank <= 3 ORDER BY ranking_group, rank""", [year]).fetchall()
    lines = [f"- {g} #{r}: {n} ({p:.2f} %)" for g, r, n, p in top]
    return dg.MaterializeResult(metadata={**stats, "top_units": dg.MetadataValue.md("\n".join(lines) or "-")})


@dg.asset_check(asset=par_inputs, blocking=True, pool=WRITER_POOL,
                description="Chặn công bố khi cả bảng xếp hạng sai: bộ tiêu chí của năm không đọc được hoặc không đơn vị "
                            "nào có phiếu dùng được. Đơn vị có phiếu bị từ chối được liệt kê (không xếp hạng, không chặn).")
def par_forms_valid(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.par import forms_check, hard_errors

    with warehouse.read() as con:
        years = partition_years(context)
        problems = [p for year in years for p in forms_check(con, year)]
        errors = [e for year in years for e in hard_errors(con, year)]
    lines = [f"- {unit} (`{file}`): {reason}" for unit, file, reason in errors[:100]]
    return dg.AssetCheckResult(passed=not problems, metadata={
        "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "-"),
        "units_with_errors": len(errors), "list": dg.MetadataValue.md("\n".join(lines) or "-")})


@dg.asset_check(asset=par_scorecards, blocking=True, pool=WRITER_POOL,
                description="Giá trị công bố: mọi đơn vị trong danh mục có kết quả, điểm tiêu chí trong [0, tối đa], chỉ số "
                            "0..100 %, đơn vị chưa có phiếu dùng được không được xếp hạng.")
def par_scores_valid(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.par import scorecard_problems

    with warehouse.read() as con:
        problems = [p for year in partition_years(context) for p in scorecard_problems(con, year)]
    return dg.AssetCheckResult(passed=not problems, metadata={
        "problems": len(problems), "list": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:100]) or "-")})


class ParWorkbookConfig(dg.Config):
    """unit: a unit code to write only that unit's scorecard (to send back to it); empty = the whole workbook."""

    unit: str = ""


@dg.asset(group_name=PAR_GROUP, kinds={"excel"}, pool=WRITER_POOL, deps=[par_scorecards], partitions_def=YEARLY,
          backfill_policy=dg.BackfillPolicy.single_run(),
          description="Bảng xếp hạng và phiếu kết quả Chỉ số CCHC (Excel): xếp hạng theo nhóm, một trang cho mỗi đơn vị "
                      "(lĩnh vực, tiêu chí, điểm tự chấm/thẩm định/khảo sát/dữ liệu, điểm mất, so với trung bình nhóm), "
                      "biểu đồ; config unit để lập riêng phiếu của một đơn vị.")
def par_workbook(context: dg.AssetExecutionContext, config: ParWorkbookConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from workbooks.par import read_par_data, write_par_workbook

    written = []
    with warehouse.read() as con:
        books = [(year, read_par_data(con, year)) for year in partition_years(context)]
    for year, data in books:
        unit = config.unit.strip() or None
        name = f"chi_so_cchc_{year}_{unit}.xlsx" if unit else f"chi_so_cchc_{year}.xlsx"
        path = Path(warehouse.reports) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_par_workbook(path, data, unit=unit)
        written.append(path)
    return dg.MaterializeResult(metadata={"paths": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written))})
