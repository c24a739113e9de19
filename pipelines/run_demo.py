"""`make run`: build the demo inbox if none is configured, materialise everything for the demo year in one run
(recorded in DAGSTER_HOME, so it shows in `make ui`), publish the snapshot and say where the outputs are."""

import os
import sys
import time
import warnings
from datetime import date

import dagster as dg

from common.settings import get_settings
from pipelines.instance import prepare_dagster_home
from sources.tthc_format import DOSSIER_FILE_PATTERN


def export_range(folder) -> tuple[str, str] | None:
    days = sorted(m.group(1) for p in folder.glob("*.csv") if (m := DOSSIER_FILE_PATTERN.match(p.name)))
    if not days:
        return None
    first, last = (date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in (days[0], days[-1]))
    return first.isoformat(), last.isoformat()


def main() -> int:
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    settings = get_settings()
    if not (settings.inbox / "tthc").exists():
        if "CCHC_INBOX" in os.environ:
            print(f"Hộp thư đến {settings.inbox} không có thư mục tthc/.", file=sys.stderr)
            return 2
        from demo.generate import generate_inbox

        print(f"Tạo hộp thư đến mẫu (demo) tại {settings.inbox} …", flush=True)
        started = time.perf_counter()
        summary = generate_inbox(settings.inbox)
        print(f"  xong trong {time.perf_counter() - started:.1f} s: {summary['dossiers']:,} hồ sơ, "
              f"{summary['dossier_files']} tệp xuất, {summary['portal_files']} tệp Cổng DVCQG, "
              f"{len(summary['bad_files'])} tệp lỗi cố ý (xem {settings.inbox / 'BAD_FILES.md'})", flush=True)

    span = export_range(settings.inbox / "tthc")
    if span is None:
        print(f"Không có tệp xuất hồ sơ nào trong {settings.inbox / 'tthc'}.", file=sys.stderr)
        return 2
    prepare_dagster_home()
    from pipelines.definitions import defs

    job = defs.resolve_job_def("daily_tthc")
    print(f"Chạy toàn bộ tài sản cho các ngày {span[0]} → {span[1]} (một lần chạy) …", flush=True)
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            tags={"dagster/asset_partition_range_start": span[0], "dagster/asset_partition_range_end": span[1]},
        )
    elapsed = time.perf_counter() - started
    return report(result, settings, elapsed)


def report(result: dg.ExecuteInProcessResult, settings, elapsed: float) -> int:
    checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = [c for c in checks if not c.passed]
    print(f"\nLần chạy {'thành công' if result.success else 'THẤT BẠI'} sau {elapsed:.1f} s "
          f"(run {result.run_id}, lịch sử trong {settings.dagster_home}).")
    print(f"Kiểm tra chất lượng: {len(checks) - len(failed)}/{len(checks)} đạt")
    for check in failed:
        level = "CHẶN" if check.severity == dg.AssetCheckSeverity.ERROR else "cảnh báo"
        print(f"  - [{level}] {check.asset_key.to_user_string()}.{check.check_name}")
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            print(f"  - bước lỗi: {event.step_key}: {event.message[:300]}")
    if settings.snapshot_db.exists():
        import duckdb

        with duckdb.connect(str(settings.snapshot_db), read_only=True) as con:
            counts = con.execute(
                """SELECT (SELECT count(*) FROM fct_dossier), (SELECT count(*) FROM stg_dossier_versions),
                          (SELECT count(*) FROM quarantine), (SELECT count(*) FROM file_issues WHERE blocking)"""
            ).fetchall()[0]
        print(f"\nKết quả:\n  Bản chụp cho phân tích (chỉ đọc): {settings.snapshot_db}")
        print(f"    {counts[0]:,} hồ sơ, {counts[1]:,} phiên bản, {counts[2]:,} dòng bị loại (quarantine), "
              f"{counts[3]} tệp không nạp được")
    for workbook in sorted(settings.reports.glob("*.xlsx")):
        print(f"  Báo cáo Excel: {workbook}")
    print("\nXem lịch sử chạy và kiểm tra: make ui  (http://127.0.0.1:3000)")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
