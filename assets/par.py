"""PAR index (Chỉ số CCHC): blank self-assessment forms per unit, the filled forms, appraisal and surveys, and the
scorecards, per year (yearly partitions)."""

from pathlib import Path

import dagster as dg

from assets import groups
from assets.partitions import PERIOD_PARTITIONS, partition_years
from assets.resources import WRITER_POOL, Warehouse
from assets.tthc import units
from common.settings import business_today, now_local
from common.units import load_units, matcher_for
from warehouse.quality_gate import PAR_CHECKS

YEARLY = PERIOD_PARTITIONS["year"]


@dg.asset(
    group_name=groups.ASSESSMENT_FORMS,
    kinds={"excel"},
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Phiếu tự đánh giá Chỉ số CCHC để trống cho từng đơn vị và năm, sinh từ bộ tiêu chí "
    "(methodology/par): ô điểm giới hạn 0..tối đa, cột tài liệu kiểm chứng, cấu trúc được khóa.",
)
def par_blank_forms(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from forms.assessment_forms import write_blank_forms

    folder = Path(warehouse.reports) / "phieu_tu_danh_gia"
    written = sum(
        write_blank_forms(
            folder / str(year), "par", year, load_units(warehouse.province), "phieu_tu_danh_gia", warehouse.department()
        )
        for year in partition_years(context)
    )
    return dg.MaterializeResult(metadata={"forms": written, "folder": str(Path(warehouse.reports) / "phieu_tu_danh_gia")})


class ParInputsConfig(dg.Config):
    """withdraw: the forms, appraisals and surveys whose file is gone from the inbox are taken out with their rows
    (the explicit way to withdraw one; by default a file deleted or moved away keeps its rows, with a note)."""

    withdraw: bool = False


@dg.asset(
    group_name=groups.PAR,
    kinds={"excel", "csv", "duckdb"},
    pool=WRITER_POOL,
    deps=[units],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Phiếu tự đánh giá đã điền (inbox/par/tu_danh_gia), kết quả thẩm định (par/tham_dinh) và điều "
    "tra xã hội học (par/khao_sat): đơn vị lấy từ đầu phiếu; bản gửi sau thay bản trước (giữ lịch sử).",
)
def par_inputs(context: dg.AssetExecutionContext, warehouse: Warehouse, config: ParInputsConfig) -> dg.MaterializeResult:
    from warehouse.par import load_par_inputs

    assessed = frozenset(int(k) for k in YEARLY.get_partition_keys())
    stats: dict = {}
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = load_par_inputs(
                con,
                Path(warehouse.inbox),
                year,
                matcher_for(warehouse.province),
                now_local(),
                assessed,
                withdraw=config.withdraw,
            )
    return dg.MaterializeResult(metadata=stats)


@dg.asset(
    group_name=groups.PAR,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=[par_inputs, "qd766_year", "task_status"],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Chỉ số CCHC theo tiêu chí, lĩnh vực và đơn vị (mart_par_criterion, mart_par_domain, "
    "mart_par_unit): điểm thẩm định (tạm tính khi chưa thẩm định), khảo sát, tiêu chí tính từ dữ liệu; "
    "xếp loại và xếp hạng trong nhóm.",
)
def par_scorecards(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.par import refresh_scorecards

    stats: dict = {}
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = refresh_scorecards(con, year, now_local(), warehouse.department())
            top = con.execute(
                """SELECT ranking_group, rank, unit_name, index_pct FROM mart_par_unit
                                 WHERE year = ? AND rank <= 3 ORDER BY ranking_group, rank""",
                [year],
            ).fetchall()
    lines = [f"- {g} #{r}: {n} ({p:.2f} %)" for g, r, n, p in top]
    return dg.MaterializeResult(metadata={**stats, "top_units": dg.MetadataValue.md("\n".join(lines) or "-")})


class ParWorkbookConfig(dg.Config):
    """unit: a unit code to write only that unit's scorecard (to send back to it); empty = the whole workbook."""

    unit: str = ""


@dg.asset(
    group_name=groups.PAR,
    kinds={"excel"},
    pool=WRITER_POOL,
    deps=[par_scorecards],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Bảng xếp hạng và phiếu kết quả Chỉ số CCHC (Excel): xếp hạng theo nhóm, một trang cho mỗi đơn vị "
    "(lĩnh vực, tiêu chí, điểm tự chấm/thẩm định/khảo sát/dữ liệu, điểm mất, so với trung bình nhóm), "
    "biểu đồ; config unit để lập riêng phiếu của một đơn vị.",
)
def par_workbook(context: dg.AssetExecutionContext, config: ParWorkbookConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from workbooks.par import read_par_data, write_par_workbook

    written = []
    with warehouse.read_for_officials("bảng Chỉ số CCHC (Excel)", PAR_CHECKS) as con:
        books = [(year, read_par_data(con, year)) for year in partition_years(context)]
    for year, data in books:
        unit = config.unit.strip() or None
        name = f"chi_so_cchc_{year}_{unit}.xlsx" if unit else f"chi_so_cchc_{year}.xlsx"
        path = Path(warehouse.reports) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_par_workbook(path, data, unit=unit)
        written.append(path)
        if unit:  # one unit's result also as a Word scorecard, beside its sheet
            from documents.par_scorecard import par_scorecard_name, write_par_scorecard

            card = path.with_name(par_scorecard_name(year, unit))
            written.append(write_par_scorecard(card, data, unit, made_on=business_today(), **warehouse.issuer()))
    return dg.MaterializeResult(metadata={"paths": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written))})
