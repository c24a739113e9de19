"""TTHC assets: unit master data, the procedure catalogue, daily dossier exports and the current state of dossiers."""

from pathlib import Path

import dagster as dg

from assets import groups
from assets.partitions import daily_partitions, partition_dates
from assets.resources import WRITER_POOL, AcceptSmallerConfig, Warehouse
from common.db import scalar
from common.pii import mask_quote
from common.settings import now_local
from common.units import agency_list_source, load_units, master_data_notes, matcher_for
from sources.tthc_catalogue import CatalogueResult, catalogue_file, other_catalogue_files, read_catalogue
from warehouse import tthc as load


def tthc_folder(warehouse: Warehouse) -> Path:
    return warehouse.inbox_folder("tthc")


@dg.asset(
    group_name=groups.MASTERDATA,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    description="Đơn vị của tỉnh (CCHC_PROVINCE): cơ quan cấp tỉnh (CSV đã rà soát trong masterdata/agencies, "
    "hoặc danh sách mặc định) và xã/phường (gói vietnam-provinces).",
)
def units(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    all_units = load_units(warehouse.province)
    notes = master_data_notes(warehouse.province)
    for note in notes:  # a default agency list is used, but never silently
        context.log.warning(note)
    with warehouse.write() as con:
        count = load.load_units(con, all_units)
        by_group = dict(con.execute("SELECT unit_group, count(*) FROM dim_unit GROUP BY 1 ORDER BY 1").fetchall())
    return dg.MaterializeResult(
        metadata={
            "units": count,
            **{f"units_{k}": v for k, v in by_group.items()},
            "province": warehouse.province,
            "agency_list": agency_list_source(warehouse.province),
            "notes": dg.MetadataValue.md("\n".join(f"- {n}" for n in notes) or "không có"),
        }
    )


@dg.asset(
    group_name=groups.MASTERDATA,
    kinds={"csv", "duckdb"},
    pool=WRITER_POOL,
    deps=[units],
    description="Danh mục thủ tục hành chính (mã, tên, lĩnh vực, cấp thực hiện, mức độ DVCTT, có phí).",
)
def tthc_catalogue(context: dg.AssetExecutionContext, config: AcceptSmallerConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    path = catalogue_file(tthc_folder(warehouse))
    if path.exists():
        result = read_catalogue(path, warehouse.work_dir, matcher=matcher_for(warehouse.province))
        result.file_issues += filter(None, [other_catalogue_files(tthc_folder(warehouse), path)])
    else:  # gone: the catalogue in use stays (noted); with none at all the run stops
        result = CatalogueResult(gone=True)
    with warehouse.write() as con:
        try:
            stats = load.load_catalogue(con, path, result, now_local(), accept_smaller=config.accept_smaller)
        except load.CatalogueUnusable as err:
            raise dg.Failure(str(err)) from None
    for issue in result.file_issues:  # (masked as file_issues stores it: a log keeps no citizen's details either)
        context.log.warning(f"{path.name}: {mask_quote(issue.reason)}")
    if stats["status"] == "kept_earlier":
        context.log.warning(f"{path.name}: không dùng được ({stats['refused']}); giữ danh mục đang dùng.")
    return dg.MaterializeResult(metadata={**stats, "sha256": result.sha256})


class DossierLoadConfig(dg.Config):
    """withdraw: replace the partitions with exactly what the inbox holds now, even when a day's file is gone, empty,
    header-only or cut short (the explicit way to take a day's data out; by default such a day keeps its earlier
    good load)."""

    withdraw: bool = False


@dg.asset(
    group_name=groups.TTHC,
    kinds={"csv", "duckdb"},
    pool=WRITER_POOL,
    deps=[tthc_catalogue],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Các phiên bản hồ sơ trong tệp xuất hằng ngày của Hệ thống TTHC tỉnh; dòng lỗi vào bảng quarantine.",
)
def tthc_dossier_versions(
    context: dg.AssetExecutionContext, config: DossierLoadConfig, warehouse: Warehouse
) -> dg.MaterializeResult:
    start, end = partition_dates(context)
    with warehouse.write() as con:
        stats = load.load_dossier_partitions(
            con,
            tthc_folder(warehouse),
            start,
            end,
            matcher=matcher_for(warehouse.province),
            keys=warehouse.pii_keys(),
            work_dir=warehouse.work_dir,
            now=now_local(),
            withdraw=config.withdraw,
        )
        issues = con.execute(
            """SELECT file_name, reason FROM file_issues
               WHERE source = 'tthc_dossier' AND partition_date BETWEEN ? AND ? ORDER BY file_name""",
            [start, end],
        ).fetchall()
    for file_name, reason in issues:
        context.log.warning(f"{file_name}: {reason}")
    return dg.MaterializeResult(
        metadata={
            "days": stats.files_expected,
            "files_missing": stats.files_missing,
            "files_rejected": stats.files_rejected,
            "rows_read": stats.rows_read,
            "rows_loaded": stats.rows_loaded,
            "rows_quarantined": stats.rows_rejected,
            "days_kept": stats.days_kept,
            "file_issues": dg.MetadataValue.md("\n".join(f"- `{f}`: {r}" for f, r in issues) or "không có"),
        }
    )


@dg.asset(
    group_name=groups.TTHC,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=[tthc_dossier_versions],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Trạng thái hiện tại của mỗi hồ sơ (phiên bản cập nhật mới nhất), bảng fct_dossier.",
)
def tthc_dossiers(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    start, end = partition_dates(context)
    with warehouse.write() as con:
        # Also the days an earlier run loaded and did not refresh (killed between the two steps): repaired here.
        touched, repaired = load.refresh_current_state_and_stale_days(con, start, end, now_local())
        total = scalar(con, "SELECT count(*) FROM fct_dossier")
    if repaired:
        context.log.warning(
            f"Đã cập nhật trạng thái hiện tại của {len(repaired)} ngày nạp trước đó mà chưa cập nhật (lần chạy bị dừng): "
            + ", ".join(f"{d:%d/%m/%Y}" for d in repaired[:20])
        )
    return dg.MaterializeResult(
        metadata={
            "dossiers_refreshed": touched,
            "dossiers_total": total,
            "days_repaired": ", ".join(d.isoformat() for d in repaired) or "không có",
        }
    )
