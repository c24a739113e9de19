"""Checks on the national QĐ 766 marts: the GX suite of the province's QĐ 766 marts on each published province
partition (``warehouse.national`` already refuses to publish a province whose marts break the same rules; this check
shows the suite's result per partition in the UI and blocks the national views after a failure)."""

from pathlib import Path

import dagster as dg

from assets.national import NationalStore, national_qd766
from checks.qd766_checks import unit_mart_result


@dg.asset_check(
    asset=national_qd766,
    name="national_scores_valid",
    blocking=True,
    description="GX: phân vùng Parquet của tỉnh có đúng một dòng mỗi đơn vị mỗi kỳ, điểm mỗi nhóm trong [0, tối đa].",
)
def national_scores_valid(context: dg.AssetCheckExecutionContext, national: NationalStore) -> dg.AssetCheckResult:
    import duckdb

    from warehouse.national import unit_codes

    keys = context.partition_key.keys_by_dimension
    province, year = keys["province"], int(keys["year"])
    partition = Path(national.out) / "mart_qd766_unit" / f"province={province}" / f"year={year}"
    with duckdb.connect() as con:
        df = con.execute(f"SELECT * FROM read_parquet('{(partition / 'part-0.parquet').as_posix()}')").df()
    # The units as the run read them (Parquet or CSV.gz, a copy delivered twice set aside, codes trimmed): a reading
    # of its own would fail a province the run scored correctly.
    codes = unit_codes(Path(national.inbox), province)
    return unit_mart_result(df, codes, "national_qd766_unit")
