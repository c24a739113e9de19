"""Blocking checks record their result in the warehouse's publication gate (warehouse/quality_gate.py), so that no
later run of another job publishes what they refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import dagster as dg

from assets.resources import Warehouse
from common.settings import now_local
from warehouse.quality_gate import record_gate


def gated(
    warehouse: Warehouse, check_name: str, scopes: Sequence[str], result: dg.AssetCheckResult, detail: str
) -> dg.AssetCheckResult:
    """Record ``result`` for ``scopes`` (``detail``: what failed and what to do, kept only when it failed); returns it."""
    with warehouse.write() as con:
        record_gate(con, check_name, scopes, bool(result.passed), detail, now_local())
    return result


def day_scopes(start: date, end: date) -> list[str]:
    """The days start..end as scopes ('2026-01-20')."""
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def metadata_text(result: dg.AssetCheckResult, *keys: str) -> str:
    """The Markdown or text of a result's metadata entries, for the gate's detail."""
    parts = []
    for key in keys:
        value = (result.metadata or {}).get(key)
        text = getattr(value, "value", value)
        if text not in (None, "", "-"):
            parts.append(str(text))
    return "; ".join(parts)[:2000]
