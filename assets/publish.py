"""Outputs of the TTHC domain: the data-quality workbook for units and the analysts' read-only snapshot."""

from pathlib import Path

import dagster as dg

from assets import groups
from assets.resources import WRITER_POOL, Warehouse
from assets.tthc import tthc_catalogue, tthc_dossiers
from common.db import rows_as_dicts
from common.settings import now_local
from common.units import load_offices, load_units
from warehouse import export_health
from warehouse.connection import PARQUET_DIR, SNAPSHOT_STORAGE_VERSION, publish_snapshot, set_aside_wal, snapshot_paths
from warehouse.labels import UNIT_MARTS, label_units
from warehouse.quality_gate import gate_failures, refusal_text

QUALITY_WORKBOOK = "bao_cao_chat_luong_du_lieu.xlsx"


@dg.asset(
    group_name=groups.QUALITY,
    kinds={"excel"},
    pool=WRITER_POOL,
    # Every loader that quarantines rows or notes files: in the daily run the dossiers and plan registers; rerun at
    # the end of the task-progress and yearly runs (pipelines/jobs.py), after the reports, forms and surveys loaded.
    deps=[
        tthc_dossiers,
        tthc_catalogue,
        "petitions",
        "procedure_publication",
        "plan_register",
        "task_status",
        "par_scorecards",
        "dti_scorecards",
    ],
    description="Báo cáo chất lượng dữ liệu (Excel): theo từng đơn vị, dòng bị loại và lý do, lỗi tệp, cảnh báo.",
)
def data_quality_workbook(warehouse: Warehouse) -> dg.MaterializeResult:
    from workbooks.quality import write_quality_workbook

    with warehouse.read() as con:
        rejected = rows_as_dicts(con, "SELECT * FROM mart_rejected_row ORDER BY source, partition_date, file_name, row_number")
        file_issues = rows_as_dicts(con, "SELECT * FROM file_issues ORDER BY source, partition_date, file_name")
        findings = export_health.export_gaps(con) + export_health.silent_units(con)
        period = con.execute(
            "SELECT min(partition_date), max(partition_date) FROM landed_files WHERE source = 'tthc_dossier'"
        ).fetchall()[0]
    label = f"Từ {period[0]:%d/%m/%Y} đến {period[1]:%d/%m/%Y}" if period[0] else "Chưa có dữ liệu"
    path = Path(warehouse.reports) / QUALITY_WORKBOOK
    path.parent.mkdir(parents=True, exist_ok=True)
    write_quality_workbook(
        path,
        rejected_rows=rejected,
        file_issues=file_issues,
        findings=findings,
        # A progress report's rows name the department's offices (codes under the department's own) as their unit: offices too.
        units=[*load_units(warehouse.province), *load_offices(warehouse.province)],
        period_label=label,
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "rejected_rows": len(rejected),
            "file_issues": len(file_issues),
            "warnings": len(findings),
        }
    )


# The snapshot follows what each run loads and checks (the day's dossiers and the other sources, the indices of the
# yearly run), so each run publishes what it has just checked. It follows what the workbooks and Word reports read,
# never the files themselves: a file open in Excel or Word fails its own step (the run is marked failed and the alert
# names the file to close) but must not hold back the day's data from the analysts and the web site. The portal
# snapshots are not upstream: a bad snapshot file must not hold back the day's dossiers.
@dg.asset(
    group_name=groups.PUBLISH,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=[
        tthc_dossiers,
        tthc_catalogue,
        "petitions",
        "procedure_publication",
        "plan_register",
        "task_status",
        "qd766_year",
        "qd766_quarter",
        "qd766_month",
        "par_scorecards",
        "dti_scorecards",
    ],  # keys: what data_quality_workbook, qd766_workbook, par_workbook and dti_workbook read
    description="Bản chụp chỉ đọc warehouse.duckdb cho chuyên viên phân tích (đọc được bằng DuckDB 1.x) và tệp "
    "Parquet của từng bảng, công bố bằng đổi tên nguyên tử sau khi các kiểm tra chặn đã đạt; giữ "
    "các bản chụp trước trong snapshots/.",
)
def analyst_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.write() as con:  # unit names and sort keys, whatever step last touched the dimensions
        label_units(con, *UNIT_MARTS)
        # A blocking check of an earlier run (another job, another day) that failed still holds its data back.
        failures = gate_failures(con)
    if failures:
        raise dg.Failure(description=refusal_text(failures), metadata={"failed_scopes": len(failures)})
    snapshot = Path(warehouse.snapshot_db)
    if (wal := set_aside_wal(snapshot)) is not None:
        context.log.warning(
            f"Bản chụp {snapshot} có tệp nhật ký ghi (.wal) do một phiên mở bản chụp để ghi bỏ lại; đã chuyển sang {wal}, "
            "không áp vào bản chụp mới. Kiểm tra ai có quyền ghi thư mục kho (README, Data safety)."
        )
    size, cloned = publish_snapshot(Path(warehouse.build_db), snapshot)
    kept = snapshot_paths(snapshot)
    context.log.info(
        f"Published {snapshot} ({size / 1e6:.1f} MB, {'cloned' if cloned else 'copied'}) at {now_local():%d/%m/%Y %H:%M}; "
        f"{len(kept)} earlier snapshot(s) kept"
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(snapshot)),
            "size_mb": round(size / 1e6, 1),
            "storage_version": SNAPSHOT_STORAGE_VERSION,
            "parquet": dg.MetadataValue.path(str(snapshot.parent / PARQUET_DIR)),
            "snapshots_kept": len(kept),
            "cloned": cloned,
        }
    )


@dg.asset(
    group_name=groups.PUBLISH,
    kinds={"html"},
    deps=[analyst_snapshot],
    description="Trang web tĩnh công bố kết quả (HTML, CSS, biểu đồ SVG; mở được từ đĩa hoặc qua máy chủ web bất kỳ): "
    "xếp hạng Chỉ số 766, CCHC, chuyển đổi số, trang từng đơn vị với xu hướng; bản công khai (cong-khai/) và bản nội "
    "bộ (noi-bo/, thêm dữ liệu bị loại). Đọc từ bản chụp đã công bố.",
)
def web_publication(warehouse: Warehouse) -> dg.MaterializeResult:
    from web.site import INTERNAL, PUBLIC, SITE_FOLDER, publish_sites

    folder = Path(warehouse.reports) / SITE_FOLDER
    # The published snapshot, read-only: the site shows exactly what analysts see, and never waits for the build file.
    pages = publish_sites(Path(warehouse.snapshot_db), folder, province=warehouse.province, generated_at=now_local())
    return dg.MaterializeResult(
        metadata={
            "public": dg.MetadataValue.path(str(folder / PUBLIC / "index.html")),
            "internal": dg.MetadataValue.path(str(folder / INTERNAL / "index.html")),
            "pages": len(pages[PUBLIC]),
            "internal_pages": len(pages[INTERNAL]),
        }
    )
