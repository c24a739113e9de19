"""Checks of the PAR index (Chỉ số CCHC): usable forms and valid published values (blocking), an appraisal that
contradicts the unit's form (warning)."""

from typing import Any

import dagster as dg

from assets.par import par_inputs, par_scorecards
from assets.partitions import partition_years
from assets.resources import WRITER_POOL, Warehouse
from checks.gate import gate


@dg.asset_check(
    asset=par_inputs,
    blocking=True,
    pool=WRITER_POOL,
    description="Chặn công bố khi cả bảng xếp hạng sai: bộ tiêu chí của năm không đọc được hoặc không đơn vị "
    "nào có phiếu dùng được. Đơn vị có phiếu bị từ chối được liệt kê (không xếp hạng, không chặn).",
)
def par_forms_valid(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.par import forms_check, hard_errors

    with warehouse.read() as con:
        years = partition_years(context)
        problems = [p for year in years for p in forms_check(con, year)]
        errors = [e for year in years for e in hard_errors(con, year)]
    lines = [f"- {unit} (`{file}`): {reason}" for unit, file, reason in errors[:100]]
    result = dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "-"),
            "units_with_errors": len(errors),
            "list": dg.MetadataValue.md("\n".join(lines) or "-"),
        },
    )
    # Not in the publication gate: it fails too while a new year has no usable form yet (January), and what it
    # guards, the year's ranking, is not recomputed when it fails (the scorecards and workbook wait), so the published
    # marts stay the last good ones; holding every other publication for months would serve nobody.
    return result


@dg.asset_check(
    asset=par_scorecards,
    blocking=True,
    pool=WRITER_POOL,
    description="Giá trị công bố: mọi đơn vị trong danh mục có kết quả, điểm tiêu chí trong [0, tối đa], chỉ số "
    "0..100 %, đơn vị chưa có phiếu dùng được không được xếp hạng.",
)
def par_scores_valid(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.par import scorecard_problems

    years = partition_years(context)
    with gate(warehouse, "par_scores_valid", [str(y) for y in years]) as g:
        problems = [p for year in years for p in scorecard_problems(g.con, year)]
        g.record(
            not problems,
            f"giá trị Chỉ số CCHC không hợp lệ: {'; '.join(problems[:20])}. Chạy lại năm đó; nếu vẫn lỗi, báo quản trị.",
        )
    return _listed(problems, "problems")


@dg.asset_check(
    asset=par_scorecards,
    blocking=False,
    description="Cảnh báo (không chặn): đơn vị có phiếu tự đánh giá chấm điểm nhưng kết quả thẩm định cho 0 điểm ở mọi "
    "tiêu chí được thẩm định (nhập nhầm đơn vị, hoặc Hội đồng chưa nhận phiếu): kiểm tra với Sở Nội vụ trước khi công bố.",
)
def par_appraisal_consistent(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    from warehouse.par import appraisal_contradictions

    with warehouse.read() as con:
        found = [p for year in partition_years(context) for p in appraisal_contradictions(con, year)]
    return _listed(found, "units", severity=dg.AssetCheckSeverity.WARN)


def _listed(found: list[str], count_key: str, **kwargs: Any) -> dg.AssetCheckResult:
    """Passed when nothing was found; the count and the first 100 lines in the UI."""
    return dg.AssetCheckResult(
        passed=not found,
        metadata={count_key: len(found), "list": dg.MetadataValue.md("\n".join(f"- {p}" for p in found[:100]) or "-")},
        **kwargs,
    )
