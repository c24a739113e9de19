"""Blocking checks record their result in the warehouse's publication gate (warehouse/quality_gate.py), so that no
later run of another job publishes what they refused."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from assets.resources import Warehouse
from common.periods import days_between
from common.settings import now_local
from warehouse.quality_gate import UNFINISHED, failed_scopes, record_gate, unfinished_scopes


@dataclass(frozen=True)
class Gate:
    """A blocking check's connection to the build file and the scopes it judges."""

    con: duckdb.DuckDBPyConnection
    check_name: str
    scopes: tuple[str, ...]
    failed_before: tuple[str, ...] = ()  # of the scopes, those whose latest result failed before this check began

    def record(self, passed: bool, detail: str | None, scopes: Sequence[str] | None = None) -> None:
        """The check's result for its scopes, or for ``scopes`` of them (``detail``: what failed and what to do, kept
        only when it failed)."""
        record_gate(self.con, self.check_name, self.scopes if scopes is None else scopes, passed, detail, now_local())


@contextmanager
def gate(warehouse: Warehouse, check_name: str, scopes: Sequence[str], *, unfinished: bool = False) -> Iterator[Gate]:
    """One write connection for a blocking check, its scopes first marked as not checked to the end: a check that
    fails with an error, or whose process is killed, leaves them failed (never their last 'passed', while the asset
    has already written new data); its ``record`` replaces the mark. ``unfinished``: the scopes a killed run of the
    same check left unchecked are added (``Gate.scopes``), for the check to judge them too: the next daily run
    finishes what a killed one left, instead of every publication waiting for someone to rerun those days."""
    with warehouse.write() as con:
        if unfinished:
            scopes = [*scopes, *(s for s in unfinished_scopes(con, check_name) if s not in scopes)]
        failed = {s for _, s, _ in failed_scopes(con, check_name)}
        record_gate(con, check_name, scopes, False, UNFINISHED, now_local())
        yield Gate(con, check_name, tuple(scopes), tuple(s for s in scopes if s in failed))


def day_scopes(start: date, end: date) -> list[str]:
    """The days start..end as scopes ('2026-01-20')."""
    return [day.isoformat() for day in days_between(start, end)]


def metadata_text(metadata: Mapping[str, Any] | None, *keys: str) -> str:
    """The text of the first of ``keys`` a check's metadata fills (a MetadataValue's ``value``; '-' and blanks are
    empty), for the gate's detail and the failure alert."""
    for key in keys:
        value = (metadata or {}).get(key)
        text = str(getattr(value, "value", value) or "").strip()
        if text not in ("", "-"):
            return text[:2000]
    return ""
