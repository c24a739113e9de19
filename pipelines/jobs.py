"""Jobs, the daily schedule and the inbox sensor."""


import json
from pathlib import Path

import dagster as dg

from pipelines.partitions import daily_partitions
from pipelines.resources import Warehouse
from sources.tthc_format import CATALOGUE_FILE_NAME, DOSSIER_FILE_PATTERN

# Yesterday's export, everything downstream of it, the checks and the snapshot.
daily_job = dg.define_asset_job(
    "daily_tthc", selection=dg.AssetSelection.all(), partitions_def=daily_partitions,
    description="Nạp tệp xuất của một ngày, kiểm tra chất lượng, cập nhật trạng thái hồ sơ, báo cáo và bản chụp.",
)
masterdata_job = dg.define_asset_job(
    "masterdata_refresh", selection=dg.AssetSelection.assets("units", "tthc_catalogue"),
    description="Nạp lại danh mục đơn vị và danh mục TTHC.",
)

daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_job, hour_of_day=6, minute_of_hour=0, name="daily_tthc_0600",
    description="06:00 giờ Việt Nam: xử lý ngày hôm qua và công bố bản chụp.",
)


def _signature(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


@dg.sensor(jobs=[daily_job, masterdata_job], minimum_interval_seconds=60,
           description="Phát hiện tệp mới hoặc thay đổi trong hộp thư đến và chạy lại đúng phân vùng.")
def inbox_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    folder = Path(warehouse.inbox) / "tthc"
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = {p.name: _signature(p) for p in folder.glob("*.csv")} if folder.exists() else {}
    partitions = set(daily_partitions.get_partition_keys(dynamic_partitions_store=context.instance))
    for name, signature in sorted(current.items()):
        if seen.get(name) == signature:
            continue
        if name == CATALOGUE_FILE_NAME:
            yield dg.RunRequest(run_key=f"{name}:{signature}", job_name=masterdata_job.name)
            continue
        match = DOSSIER_FILE_PATTERN.match(name)
        if not match:
            continue
        day = match.group(1)
        key = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        if key in partitions:
            yield dg.RunRequest(run_key=f"{name}:{signature}", job_name=daily_job.name, partition_key=key)
    context.update_cursor(json.dumps(current))
