"""`make run`: build the demo inbox if none is configured, materialise everything for the demo year in one run
(recorded in DAGSTER_HOME, so it shows in `make ui`), publish the snapshot and say where the outputs are."""

import os
import sys
import time
import warnings
from datetime import date

import dagster as dg

from common.settings import get_settings
from common.units import RANKING_GROUP_LABELS
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
    print(f"Chạy toàn bộ tài sản cho các ngày {span[0]} → {span[1]}: nạp hồ sơ, rồi Chỉ số 766 theo tháng, quý, năm …",
          flush=True)
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        results = materialise_all(span[0], span[1], instance=instance)
    return report(results, settings, time.perf_counter() - started)


def materialise_all(first: str, last: str, *, instance: dg.DagsterInstance | None = None,
                    resources: dict | None = None, quiet: bool = False,
                    blank_forms: bool = True) -> list[dg.ExecuteInProcessResult]:
    """What the daily schedule and the after_daily sensor do, in one go: the daily job over the days (one run),
    then the month, quarter and year jobs over the periods those days touch. Stops at the first failed run."""
    from pipelines.definitions import defs
    from pipelines.jobs import period_run_requests

    runs = [("daily_tthc", {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last})]
    runs += period_run_requests(date.fromisoformat(first), date.fromisoformat(last))
    if blank_forms:  # the yearly blank self-assessment forms, outside the daily flow
        runs.append(("par_blank_forms_yearly", {"dagster/partition": first[:4]}))
    results = []
    for job_name, tags in runs:
        started = time.perf_counter()
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, raise_on_error=False, tags=tags, resources=resources)
        if not quiet:
            print(f"  {job_name}: {'xong' if result.success else 'LỖI'} trong {time.perf_counter() - started:.1f} s",
                  flush=True)
        results.append(result)
        if not result.success:
            break
    return results


def report(results: list[dg.ExecuteInProcessResult], settings, elapsed: float) -> int:
    events = [e for r in results for e in r.all_events]
    success = all(r.success for r in results)
    checks = [e.event_specific_data for e in events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = [c for c in checks if not c.passed]
    print(f"\nCác lần chạy {'thành công' if success else 'THẤT BẠI'} sau {elapsed:.1f} s "
          f"(run {', '.join(r.run_id[:8] for r in results)}, lịch sử trong {settings.dagster_home}).")
    print(f"Kiểm tra chất lượng: {len(checks) - len(failed)}/{len(checks)} đạt")
    for check in failed:
        level = "CHẶN" if check.severity == dg.AssetCheckSeverity.ERROR else "cảnh báo"
        print(f"  - [{level}] {check.asset_key.to_user_string()}.{check.check_name}")
    for event in events:
        if event.event_type_value == "STEP_FAILURE":
            print(f"  - bước lỗi: {event.step_key}: {event.message[:300]}")
    if settings.snapshot_db.exists():
        import duckdb

        with duckdb.connect(str(settings.snapshot_db), read_only=True) as con:
            counts = con.execute(
                """SELECT (SELECT count(*) FROM fct_dossier), (SELECT count(*) FROM stg_dossier_versions),
                          (SELECT count(*) FROM quarantine), (SELECT count(*) FROM file_issues WHERE blocking)"""
            ).fetchall()[0]
            top = con.execute("""
                SELECT period_label, ranking_group, rank, unit_name, total_score FROM mart_qd766_unit
                WHERE period_label = (SELECT max(period_label) FROM mart_qd766_unit WHERE period_kind = 'year')
                  AND rank <= 3 ORDER BY ranking_group, rank, unit_name""").fetchall()
            tasks = con.execute("""
                SELECT s.status_label, count(*) FROM mart_task_status s
                WHERE s.as_of = (SELECT max(as_of) FROM mart_task_status) GROUP BY 1 ORDER BY 2 DESC""").fetchall()
            task_rate = con.execute("""SELECT as_of, on_time_rate FROM mart_task_completion
                                       WHERE unit_code = '19.SKHCN' AND period_label LIKE '%-Y' ORDER BY as_of DESC LIMIT 1""").fetchall()
            par_top = con.execute("""
                SELECT ranking_group, rank, unit_name, index_pct, band, provisional FROM mart_par_unit
                WHERE year = (SELECT max(year) FROM mart_par_unit) AND rank <= 3 ORDER BY ranking_group, rank, unit_name""").fetchall()
            dti_top = con.execute("""
                SELECT ranking_group, rank, unit_name, total, level, rank_p05, rank_p95, change FROM mart_dti_unit
                WHERE year = (SELECT max(year) FROM mart_dti_unit) AND rank <= 3 ORDER BY ranking_group, rank, unit_name""").fetchall()
            reconciliation = con.execute(
                "SELECT status_label, count(*) FROM mart_qd766_reconciliation GROUP BY 1 ORDER BY 2 DESC").fetchall()
        print(f"\nKết quả:\n  Bản chụp cho phân tích (chỉ đọc): {settings.snapshot_db}")
        print(f"    {counts[0]:,} hồ sơ, {counts[1]:,} phiên bản, {counts[2]:,} dòng bị loại (quarantine), "
              f"{counts[3]} tệp không nạp được")
        if top:
            print(f"\n  Chỉ số 766, kỳ {top[0][0]} (3 đơn vị đứng đầu mỗi nhóm; bảng mart_qd766_unit):")
            for _, group, rank, name, score in top:
                print(f"    {RANKING_GROUP_LABELS[group]:<16} {rank:>2}. {name:<38} {score:6.2f}")
        if reconciliation:
            print("  Đối chiếu với Cổng DVCQG (mart_qd766_reconciliation): "
                  + "; ".join(f"{label}: {n:,}" for label, n in reconciliation))
        if par_top:
            print("  Chỉ số CCHC (mart_par_unit; bộ tiêu chí mặc định, chờ quyết định của tỉnh):")
            for group, rank, name, pct, band, provisional in par_top:
                note = " (tạm tính)" if provisional else ""
                print(f"    {RANKING_GROUP_LABELS[group]:<16} {rank:>2}. {name:<38} {pct:6.2f} % {band or ''}{note}")
        if dti_top:
            print("  Chỉ số chuyển đổi số (mart_dti_unit; bộ chỉ số mặc định; khoảng hạng 5–95 % của 1.000 lần tính lại):")
            for group, rank, name, total, level, low, high, change in dti_top:
                delta = f", {change:+.2f} so với năm trước" if change is not None else ""
                interval = f"{low}" if low == high else f"{low}–{high}"
                print(f"    {RANKING_GROUP_LABELS[group]:<16} {rank:>2}. {name:<38} {total:6.2f} {level or ''} "
                      f"(khoảng hạng {interval}{delta})")
        if tasks:
            rate = f"; hoàn thành đúng hạn {task_rate[0][1]:.1f}% (đến {task_rate[0][0]:%d/%m/%Y})" if task_rate and task_rate[0][1] is not None else ""
            print("  Nhiệm vụ kế hoạch CCHC (mart_task_status): " + "; ".join(f"{label}: {n}" for label, n in tasks) + rate)
    for workbook in sorted(settings.reports.glob("*.xlsx")):
        print(f"  Báo cáo Excel: {workbook}")
    print("\nXem lịch sử chạy và kiểm tra: make ui  (http://127.0.0.1:3000)")
    return 0 if success else 1


if __name__ == "__main__":
    sys.exit(main())
