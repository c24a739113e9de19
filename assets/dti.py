"""DTI (Chỉ số chuyển đổi số) of the province's agencies and communes: blank forms, the inputs (forms, other systems'
values, last year's results), the scorecards with rank intervals and the publication, per year
(yearly partitions). Its blocking checks are in checks/dti_checks.py."""

from pathlib import Path

import dagster as dg

from assets import groups
from assets.partitions import PERIOD_PARTITIONS, partition_years
from assets.resources import WRITER_POOL, Warehouse
from assets.tthc import units
from common.settings import business_today, now_local
from common.units import load_units, matcher_for
from warehouse.quality_gate import DTI_CHECKS

YEARLY = PERIOD_PARTITIONS["year"]


@dg.asset(
    group_name=groups.ASSESSMENT_FORMS,
    kinds={"excel"},
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Phiếu tự đánh giá Chỉ số chuyển đổi số để trống cho từng đơn vị và năm, sinh từ bộ chỉ số "
    "(methodology/dti): câu trả lời chọn trong danh sách hoặc số trong khoảng cho phép, cấu trúc được khóa.",
)
def dti_blank_forms(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from forms.assessment_forms import write_blank_forms

    folder = Path(warehouse.reports) / "phieu_tu_danh_gia_dti"
    written = sum(
        write_blank_forms(folder / str(year), "dti", year, load_units(warehouse.province), "phieu_dti", warehouse.department())
        for year in partition_years(context)
    )
    return dg.MaterializeResult(metadata={"forms": written, "folder": str(Path(warehouse.reports) / "phieu_tu_danh_gia_dti")})


class DtiInputsConfig(dg.Config):
    """withdraw: the forms, appraisals and surveys whose file is gone from the inbox are taken out with their rows
    (the explicit way to withdraw one; by default a file deleted or moved away keeps its rows, with a note)."""

    withdraw: bool = False


@dg.asset(
    group_name=groups.DTI,
    kinds={"excel", "csv", "duckdb"},
    pool=WRITER_POOL,
    deps=[units],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Phiếu tự đánh giá DTI (inbox/dti/tu_danh_gia), thẩm định (dti/tham_dinh), giá trị do hệ thống "
    "khác cung cấp (dti/he_thong_khac) và kết quả công bố năm trước (dti/ket_qua_nam_truoc); dòng lỗi, "
    "trùng, ngoài khoảng hoặc đơn vị lạ vào quarantine.",
)
def dti_inputs(context: dg.AssetExecutionContext, warehouse: Warehouse, config: DtiInputsConfig) -> dg.MaterializeResult:
    from warehouse.dti import load_dti_inputs

    assessed = frozenset(int(k) for k in YEARLY.get_partition_keys())
    stats: dict = {}
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = load_dti_inputs(
                con,
                Path(warehouse.inbox),
                year,
                matcher_for(warehouse.province),
                now_local(),
                Path(warehouse.work_dir),
                assessed,
                withdraw=config.withdraw,
            )
    return dg.MaterializeResult(metadata=stats)


@dg.asset(
    group_name=groups.DTI,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=[dti_inputs, "qd766_year", "task_status"],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="DTI theo thành phần, chỉ số chính, trụ cột và đơn vị (mart_dti_*): giá trị chuẩn hóa 0..1 có trọng "
    "số, xếp loại, xếp hạng trong nhóm, thay đổi so với năm trước (đơn vị hợp nhất: trung bình đơn vị "
    "cũ) và khoảng xếp hạng 5–95 % của 1.000 lần tính lại.",
)
def dti_scorecards(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.dti import refresh_dti

    stats: dict = {}
    top: list = []
    with warehouse.write() as con:
        for year in partition_years(context):
            stats = refresh_dti(con, year, matcher_for(warehouse.province), warehouse.department())
            top = con.execute(
                """SELECT ranking_group, rank, unit_name, total, rank_p05, rank_p95 FROM mart_dti_unit
                                 WHERE year = ? AND rank <= 3 ORDER BY ranking_group, rank""",
                [year],
            ).fetchall()
    lines = [f"- {g} #{r}: {n} ({t:.2f}; khoảng hạng {lo}–{hi})" for g, r, n, t, lo, hi in top]
    return dg.MaterializeResult(metadata={**stats, "top_units": dg.MetadataValue.md("\n".join(lines) or "-")})


class DtiWorkbookConfig(dg.Config):
    """unit: a unit code to write only that unit's sheet (to send back to it); empty = the whole publication."""

    unit: str = ""


@dg.asset(
    group_name=groups.DTI,
    kinds={"excel"},
    pool=WRITER_POOL,
    deps=[dti_scorecards],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Công bố DTI (Excel): xếp hạng theo nhóm với giá trị chỉ số chính, xếp loại, thay đổi so với năm "
    "trước và khoảng xếp hạng; biểu đồ tổng điểm và hồ sơ chỉ số; một trang cho mỗi đơn vị; dữ liệu lỗi "
    "và phương pháp.",
)
def dti_workbook(context: dg.AssetExecutionContext, config: DtiWorkbookConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.dti import method_note
    from workbooks.dti import read_dti_data, write_dti_workbook

    written = []
    with warehouse.read_for_officials("bảng Chỉ số chuyển đổi số (Excel)", DTI_CHECKS) as con:
        books = [(year, read_dti_data(con, year, method_note())) for year in partition_years(context)]
    unit = config.unit.strip() or None
    for year, data in books:
        name = f"chi_so_chuyen_doi_so_{year}_{unit}.xlsx" if unit else f"chi_so_chuyen_doi_so_{year}.xlsx"
        path = Path(warehouse.reports) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_dti_workbook(path, data, unit=unit)
        written.append(path)
        if unit:  # one unit's result also as a Word scorecard, beside its sheet
            from documents.dti_scorecard import dti_scorecard_name, write_dti_scorecard

            card = path.with_name(dti_scorecard_name(year, unit))
            written.append(write_dti_scorecard(card, data, unit, made_on=business_today(), **warehouse.issuer()))
    return dg.MaterializeResult(metadata={"paths": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written))})
