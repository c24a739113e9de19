"""Great Expectations suite for the staged dossier versions, as plain data, and a runner over a DataFrame.

GX is imported inside ``run_suite`` only: importing it costs seconds and the code location must load fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

VERSION_COLUMNS = [
    "export_date",
    "source_file",
    "source_row",
    "dossier_code",
    "procedure_code",
    "receiving_centre",
    "resolving_unit_code",
    "channel",
    "received_at",
    "due_at",
    "completed_at",
    "status",
    "supplement_requests",
    "digitised",
    "electronic_result",
    "fee_due",
    "paid_online",
    "reused_data",
    "citizen_data_used",
    "synced_to_portal",
    "satisfaction",
    "updated_at",
    "applicant_key",
]


def version_expectations(unit_codes: list[str], procedure_codes: list[str]) -> dict[str, tuple[str, dict]]:
    """Check name -> (GX expectation class, arguments). Value sets come from the master data and catalogue."""
    from sources.tthc_format import TTHC_CODES

    return {
        "schema_matches": ("ExpectTableColumnsToMatchSet", {"column_set": VERSION_COLUMNS, "exact_match": True}),
        "dossier_code_not_null": ("ExpectColumnValuesToNotBeNull", {"column": "dossier_code"}),
        "dossier_version_unique": ("ExpectCompoundColumnsToBeUnique", {"column_list": ["export_date", "dossier_code"]}),
        "unit_in_master_data": ("ExpectColumnValuesToBeInSet", {"column": "resolving_unit_code", "value_set": unit_codes}),
        "procedure_in_catalogue": ("ExpectColumnValuesToBeInSet", {"column": "procedure_code", "value_set": procedure_codes}),
        "channel_known": ("ExpectColumnValuesToBeInSet", {"column": "channel", "value_set": sorted(TTHC_CODES["channel"])}),
        "status_known": ("ExpectColumnValuesToBeInSet", {"column": "status", "value_set": sorted(TTHC_CODES["status"])}),
        "rating_known": ("ExpectColumnValuesToBeInSet", {"column": "satisfaction", "value_set": sorted(TTHC_CODES["rating"])}),
        "received_not_after_completed": (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "completed_at", "column_B": "received_at", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
        ),
        "due_not_before_received": (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "due_at", "column_B": "received_at", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
        ),
        "supplement_requests_non_negative": ("ExpectColumnValuesToBeBetween", {"column": "supplement_requests", "min_value": 0}),
        "fee_non_negative": ("ExpectColumnValuesToBeBetween", {"column": "fee_due", "min_value": 0}),
        # The ID number must arrive only as its keyed pseudonym (64 hex of HMAC-SHA256), never in clear.
        "applicant_id_hashed": ("ExpectColumnValuesToMatchRegex", {"column": "applicant_key", "regex": r"^[0-9a-f]{64}$"}),
    }


# What each expectation of the suites checks, in Vietnamese: the gate's detail and the failure alert say it to the
# official who reruns, with the number of rows and some of the values (``failure_text``), not the check's name.
CHECK_LABELS = {
    # dossier versions (version_expectations)
    "schema_matches": "cột của bảng khác danh sách cột quy định (thêm hoặc thiếu cột)",
    "dossier_code_not_null": "thiếu mã hồ sơ",
    "dossier_version_unique": "một mã hồ sơ có hai dòng trong một ngày xuất",
    "unit_in_master_data": "đơn vị không có trong danh mục",
    "procedure_in_catalogue": "mã thủ tục không có trong danh mục thủ tục",
    "channel_known": "kênh nộp không thuộc danh mục",
    "status_known": "trạng thái hồ sơ không thuộc danh mục",
    "rating_known": "mức đánh giá hài lòng không thuộc danh mục",
    "received_not_after_completed": "ngày hoàn thành trước ngày tiếp nhận",
    "due_not_before_received": "hạn giải quyết trước ngày tiếp nhận",
    "supplement_requests_non_negative": "số lần yêu cầu bổ sung âm",
    "fee_non_negative": "phí, lệ phí âm",
    "applicant_id_hashed": "số giấy tờ của người nộp không ở dạng mã hóa (có thể là số rõ)",
    # QĐ 766 unit marts (checks/qd766_checks.py)
    "one_row_per_unit_and_period": "một đơn vị có nhiều dòng trong một kỳ",
    "total_within_max": "tổng điểm ngoài 0 đến điểm tối đa",
    "rank_positive": "thứ hạng không dương",
    "every_unit_scored": "số dòng khác số đơn vị × số kỳ (có đơn vị chưa được tính điểm)",
    "total_is_sum_of_groups": "tổng điểm khác tổng điểm các nhóm",
    "evaluated_max_is_sum_of_scored_groups": "thang điểm (evaluated_max) khác tổng điểm tối đa của các nhóm có điểm",
    "rank_follows_total": "thứ hạng không theo tổng điểm",
    # DTI marts (checks/dti_checks.py)
    "one_row_per_unit": "một đơn vị có nhiều dòng",
    "total_0_100": "tổng điểm ngoài 0–100",
    "index_value_0_1": "giá trị chỉ số chính ngoài 0–1",
    "level_from_tree": "xếp loại không có trong bộ chỉ số",
    "interval_ordered": "khoảng xếp hạng ngược thứ tự",
    "share_same_rank_0_1": "tỷ lệ giữ hạng ngoài 0–1",
    "points_not_negative": "điểm âm",
    "points_within_max": "điểm vượt điểm tối đa",
    "computed_value_percent": "tỷ lệ tính từ kho ngoài 0–100 %",
    "value_0_1": "giá trị chỉ số ngoài 0–1",
}


def check_label(check: str) -> str:
    """The Vietnamese of a check's name; a group's maximum ("ckmb_within_max") names its group."""
    if check in CHECK_LABELS:
        return CHECK_LABELS[check]
    if check.endswith("_within_max"):
        return f"điểm nhóm {check.removesuffix('_within_max').upper()} ngoài 0 đến điểm tối đa của nhóm"
    return check


@dataclass
class Outcome:
    check: str
    success: bool
    unexpected_count: int | None
    rows: int
    details: str


def run_suite(df: pd.DataFrame, expectations: dict[str, tuple[str, dict]], suite_name: str) -> list[Outcome]:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # GX would otherwise send usage analytics: nothing leaves the network
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(suite_name)
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("slice")
        .get_batch(batch_parameters={"dataframe": df})
    )
    suite = gx.ExpectationSuite(
        name=suite_name,
        expectations=[getattr(gxe, cls)(**kwargs, meta={"check": name}) for name, (cls, kwargs) in expectations.items()],
    )
    outcomes = []
    for result in batch.validate(suite, result_format="SUMMARY").results:
        info = result.result or {}
        details = info.get("partial_unexpected_list") or info.get("details") or info.get("observed_value") or ""
        config = result.expectation_config
        assert config is not None and config.meta is not None  # a suite's results name their expectation and its meta
        outcomes.append(
            Outcome(
                check=config.meta["check"],
                success=bool(result.success),
                unexpected_count=info.get("unexpected_count"),
                rows=len(df),
                details=str(details)[:500],
            )
        )
    return outcomes


def failure_text(outcomes: list[Outcome], table: str | None = None) -> str:
    """The failed expectations of ``outcomes`` as an official reads them: "tổng điểm khác tổng điểm các nhóm (2 dòng;
    ví dụ: …) [total_is_sum_of_groups]", one per failed expectation, '; ' between them; '' when none failed."""
    where = f"{table}: " if table else ""
    return "; ".join(
        f"{where}{check_label(o.check)} ({o.unexpected_count if o.unexpected_count is not None else 'có'} dòng"
        + (f"; ví dụ: {o.details}" if o.details else "")
        + f") [{o.check}]"
        for o in outcomes
        if not o.success
    )
