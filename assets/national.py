"""The national QĐ 766 job: every province's months, quarters and year from the national dossier versions.

Partitioned by province × year, so a rerun of one province touches only its Parquet partitions (each run writes its
own DuckDB work file: provinces run in parallel processes without sharing a writer). The work itself is
``warehouse.national`` (pure functions); ``national_marts`` puts the national views and the ministry roll-up over the
published partitions in ``national.duckdb``.
"""

from pathlib import Path

import dagster as dg

from assets import groups
from assets.partitions import yearly_partitions
from common.settings import get_settings
from common.units import province_codes

PROVINCE_PARTITIONS = dg.MultiPartitionsDefinition(
    {"province": dg.StaticPartitionsDefinition(province_codes()), "year": yearly_partitions}
)


class NationalStore(dg.ConfigurableResource):
    """Where the national versions are read and the national marts written (settings CCHC_NATIONAL_*)."""

    inbox: str
    out: str
    memory_limit: str = "2GB"
    threads: int = 0  # 0: DuckDB's default (all cores); a parallel backfill gives each run a share

    @classmethod
    def from_settings(cls) -> "NationalStore":
        s = get_settings()
        return cls(inbox=str(s.national_inbox), out=str(s.national_out), memory_limit=s.national_memory)


@dg.asset(
    group_name=groups.NATIONAL,
    partitions_def=PROVINCE_PARTITIONS,
    description="Chỉ số 766 (tháng, quý, năm) của mọi đơn vị một tỉnh từ hồ sơ toàn quốc; ghi phân vùng Parquet của tỉnh.",
    kinds={"duckdb", "parquet"},
)
def national_qd766(context: dg.AssetExecutionContext, national: NationalStore) -> dg.MaterializeResult:
    from warehouse.national import province_qd766

    keys = context.partition_key.keys_by_dimension
    province, year = keys["province"], int(keys["year"])
    inbox, out = Path(national.inbox), Path(national.out)
    if not (inbox / "versions" / f"province={province}").is_dir():
        raise dg.Failure(
            f"Không có dữ liệu hồ sơ của tỉnh mã {province} trong {inbox / 'versions'}: chép dữ liệu toàn quốc vào "
            "CCHC_NATIONAL_INBOX (bố cục của demo/national.py) hoặc chọn tỉnh có dữ liệu."
        )
    run = province_qd766(
        inbox, province, out, out / "work", year=year, memory_limit=national.memory_limit, threads=national.threads or None
    )
    for path, why in run.refused:  # said in the run's log and its metadata, never skipped silently
        context.log.warning(f"Bỏ qua tệp {path}: {why}; chép lại tệp rồi chạy lại tỉnh {province}.")
    for note in run.not_counted:
        context.log.warning(f"Tỉnh mã {province}: {note}; sửa dữ liệu giao rồi chạy lại tỉnh.")
    return dg.MaterializeResult(
        metadata={
            "versions": run.versions,
            "dossiers": run.dossiers,
            "units": run.units,
            "periods": run.periods,
            "seconds": run.seconds,
            "files_refused": len(run.refused),
            "refused": dg.MetadataValue.md("\n".join(f"- {f}: {why}" for f, why in run.refused) or "-"),
            "not_counted": dg.MetadataValue.md("\n".join(f"- {note}" for note in run.not_counted) or "-"),
        }
    )


@dg.asset(
    group_name=groups.NATIONAL_VIEWS,  # apart: parallel province runs must not open the one national.duckdb at once
    deps=[national_qd766],
    description="Khung nhìn toàn quốc và tổng hợp theo tỉnh (mart_qd766_province) trên các phân vùng Parquet đã công bố.",
    kinds={"duckdb"},
)
def national_marts(context: dg.AssetExecutionContext, national: NationalStore) -> dg.MaterializeResult:
    import duckdb

    from warehouse.national import publish_national_views, unknown_province_folders

    out = Path(national.out)
    path = publish_national_views(out)
    with duckdb.connect(str(path), read_only=True) as con:
        provinces = con.execute("SELECT count(DISTINCT province) FROM mart_qd766_province").fetchone()[0]  # type: ignore[index]
    # A folder whose code is not one of the 34 provinces (a typo, an old code) is never a partition: said here, where
    # every run of the national views looks, instead of staying out of the index unseen.
    unknown = unknown_province_folders(Path(national.inbox), province_codes())
    for folder in unknown:
        context.log.warning(
            f"Thư mục {folder} trong {national.inbox} có mã tỉnh không thuộc danh sách 34 tỉnh, thành phố nên không "
            "bao giờ được tính: đổi tên thư mục theo mã tỉnh đúng (hai chữ số, ví dụ province=04) rồi chạy tỉnh đó."
        )
    return dg.MaterializeResult(
        metadata={
            "provinces": int(provinces),
            "file": str(path),
            "unknown_province_folders": dg.MetadataValue.md("\n".join(f"- {f}" for f in unknown) or "-"),
        }
    )
