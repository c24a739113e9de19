"""Checks on the plan register: the "6 rõ" of every task (a warning listing what is missing or vague)."""

import dagster as dg

from assets.resources import WRITER_POOL, Warehouse
from assets.tasks import plan_register
from checks.task_rules import six_clear_findings
from common.db import rows_as_dicts
from common.settings import business_today


@dg.asset_check(
    asset=plan_register,
    pool=WRITER_POOL,
    description="Nguyên tắc 6 rõ: rõ người, rõ việc, rõ thời gian, rõ trách nhiệm, rõ thẩm quyền, rõ kết quả; "
    "liệt kê theo nhiệm vụ yếu tố còn thiếu hoặc chưa rõ.",
)
def six_clear(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.read() as con:
        tasks = rows_as_dicts(con, "SELECT * FROM fct_plan_task ORDER BY plan_year, task_no")
    findings = six_clear_findings(tasks, business_today())
    lines = [f"- Nhiệm vụ {f['task_no']} — {f['element_label']}: {f['detail']}" for f in findings]
    by_element = {label: sum(f["element_label"] == label for f in findings) for label in {f["element_label"] for f in findings}}
    return dg.AssetCheckResult(
        passed=not findings,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "tasks": len(tasks),
            "findings": len(findings),
            **by_element,
            "list": dg.MetadataValue.md("\n".join(lines[:200]) or "-"),
        },
    )
