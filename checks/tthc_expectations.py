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
