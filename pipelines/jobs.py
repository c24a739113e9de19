"""Jobs. Each selects whole asset groups (assets/groups.py), so a new asset joins the job of its group and nothing
else; schedules are in pipelines/schedules.py, sensors in pipelines/sensors.py."""

import dagster as dg

from assets import groups
from assets.national import PROVINCE_PARTITIONS
from assets.partitions import PERIOD_PARTITIONS, daily_partitions

# Every job selects whole asset groups (assets/groups.py): a new asset joins the job of its group and nothing else.
# An unpartitioned asset that a period job must rerun after its own group (the plan registers before the quarter's
# task status, the snapshot after the yearly indices, the quality workbook after the reports and forms they load) is
# named here, the only assets a job takes outside its groups.


RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def partition_span(tags: dict[str, str]) -> tuple[str, str] | None:
    """(first, last partition key) a run's tags name: one partition, or the range of a single-run backfill."""
    key = tags.get("dagster/partition")
    first, last = tags.get(RANGE_START, key), tags.get(RANGE_END, key)
    return (first, last) if first is not None and last is not None else None


def range_tags(first: str, last: str) -> dict[str, str]:
    """The tags of a run over the partitions first..last (a single-run backfill)."""
    return {RANGE_START: first, RANGE_END: last}


def _job_selection(job_groups: tuple[str, ...], shared: tuple[str, ...] = ()) -> dg.AssetSelection:
    selection = dg.AssetSelection.groups(*job_groups)
    return selection | dg.AssetSelection.assets(*shared) if shared else selection


# Assets with month, quarter or year partitions run in their own jobs (a job has one partitions definition),
# requested by `after_daily` once the day's run has succeeded:
# job name -> (partition kind, asset groups, shared unpartitioned assets, description).
PERIOD_JOBS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str]] = {
    "qd766_monthly": ("month", (groups.QD766_MONTHLY,), (), "Tính lại Chỉ số 766 của các tháng."),
    "qd766_quarterly": ("quarter", (groups.QD766_QUARTERLY,), (), "Tính lại Chỉ số 766 của các quý."),
    "task_progress": (
        "quarter",
        (groups.TASK_PROGRESS,),
        ("plan_register", "data_quality_workbook"),
        "Tiến độ nhiệm vụ kế hoạch CCHC: sổ kế hoạch, báo cáo của đơn vị, tình trạng, báo cáo gửi Sở Nội vụ.",
    ),
    # Last: it publishes the snapshot, so the day's task progress reaches analysts too. The PAR index and the DTI
    # read the QĐ 766 year and the task completion, so they run here, after both.
    "yearly_indices": (
        "year",
        (groups.QD766, groups.PAR, groups.DTI),
        ("data_quality_workbook", "analyst_snapshot", "web_publication"),
        (
            "Chỉ số 766 lũy kế năm, Chỉ số CCHC và Chỉ số chuyển đổi số: bảng xếp hạng Excel, phiếu kết quả, "
            "bản chụp cho phân tích."
        ),
    ),
}
# The daily run: the master data, the day's exports, the QĐ 766 sources that are not per period, the plan registers,
# the quality workbook and the snapshot. Never the period groups, the blank forms or the portal capture.
DAILY_GROUPS = (groups.MASTERDATA, groups.TTHC, groups.QD766_SOURCES, groups.TASK_PLAN, groups.QUALITY, groups.PUBLISH)

# Steps run one after another inside the run's process: the pool duckdb_writer serialises them anyway, and a
# subprocess per step imports the libraries again for each (the small demo through `make run`: 157 s instead of 409 s).
EXECUTOR = dg.in_process_executor

# Yesterday's export, everything downstream of it that is not per period, the checks and the snapshot.
daily_job = dg.define_asset_job(
    "daily_tthc",
    executor_def=EXECUTOR,
    selection=_job_selection(DAILY_GROUPS),
    partitions_def=daily_partitions,
    description="Nạp tệp xuất của một ngày, kiểm tra chất lượng, cập nhật trạng thái hồ sơ, báo cáo và bản chụp.",
)
period_jobs = {
    name: dg.define_asset_job(
        name,
        executor_def=EXECUTOR,
        selection=_job_selection(job_groups, shared),
        partitions_def=PERIOD_PARTITIONS[kind],
        description=description,
    )
    for name, (kind, job_groups, shared, description) in PERIOD_JOBS.items()
}
# Once a year, or when the criteria tree changes: not part of the daily flow.
blank_forms_job = dg.define_asset_job(
    "par_blank_forms_yearly",
    executor_def=EXECUTOR,
    selection=_job_selection((groups.ASSESSMENT_FORMS,)),
    partitions_def=PERIOD_PARTITIONS["year"],
    description="Sinh phiếu tự đánh giá Chỉ số CCHC và Chỉ số chuyển đổi số để trống cho từng đơn vị của năm.",
)
masterdata_job = dg.define_asset_job(
    "masterdata_refresh",
    executor_def=EXECUTOR,
    selection=_job_selection((groups.MASTERDATA,)),
    description="Nạp lại danh mục đơn vị và danh mục TTHC.",
)

# Calls the national portal over the Internet: its own job and schedule, never the daily run.
portal_capture_job = dg.define_asset_job(
    "portal_capture",
    executor_def=EXECUTOR,
    selection=_job_selection((groups.PORTAL_CAPTURE,)),
    description="Lấy điểm Chỉ số 766 từ API của Cổng DVCQG vào inbox/portal (cần Internet).",
)
# Sources of the QĐ 766 index that are not daily: a change reloads them and rescores the year (about 1 s).
sources_job = dg.define_asset_job(
    "qd766_sources",
    executor_def=EXECUTOR,
    selection=_job_selection((groups.QD766_SOURCES,)),
    description="Nạp lại ảnh chụp của Cổng DVCQG, PAKN và sổ công bố TTHC; sau đó after_daily tính lại Chỉ số 766.",
)


def _national_executor() -> tuple[dg.ExecutorDefinition, dict | None]:
    """The run's own process, or, where CCHC_CELERY_CONFIG names the Celery executor's YAML (the one its workers are
    started with: broker, result backend, Celery settings), Celery: each province run's step becomes a task that a
    worker on any machine takes. Imported only then (Celery is a heavy import for the code location)."""
    from common.settings import get_settings

    path = get_settings().celery_config
    if path is None:
        return EXECUTOR, None
    import yaml
    from dagster_celery import celery_executor

    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        execution = config["execution"]["config"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:  # the code location would not load at all
        raise RuntimeError(
            f"CCHC_CELERY_CONFIG={path}: không đọc được cấu hình Celery ({type(err).__name__}: {err}). Cần tệp YAML có "
            "execution.config.broker (xem deploy/national/celery.yaml), hoặc bỏ biến này để chạy trong một tiến trình."
        ) from err
    return celery_executor, {"execution": {"config": execution}}


# Every province's QĐ 766 from the national dossier versions (warehouse/national.py): one run per province and
# year, each with its own DuckDB work file, so a backfill's runs can go in parallel where the instance allows more
# than one run at a time (deploy/national/dagster.yaml); never part of the province's daily flow.
_NATIONAL_EXECUTOR, _NATIONAL_CONFIG = _national_executor()
national_job = dg.define_asset_job(
    "national_index",
    executor_def=_NATIONAL_EXECUTOR,
    config=_NATIONAL_CONFIG,
    selection=_job_selection((groups.NATIONAL,)),
    partitions_def=PROVINCE_PARTITIONS,
    description="Chỉ số 766 của mọi xã, phường và cơ quan một tỉnh từ dữ liệu hồ sơ toàn quốc (một lần chạy cho một tỉnh, một năm).",
)
national_views_job = dg.define_asset_job(
    "national_views",
    executor_def=EXECUTOR,
    selection=_job_selection((groups.NATIONAL_VIEWS,)),
    description="Khung nhìn toàn quốc và tổng hợp theo tỉnh trên các phân vùng Parquet của Chỉ số 766.",
)
