"""Quality findings over the whole TTHC history, as SQL (cheap at any size). Used by the asset checks and the
data-quality workbook, so both always say the same thing."""

from __future__ import annotations

from datetime import date

import duckdb

from common.db import scalar
from common.workdays import is_working_day, working_days_between

SILENT_WORKING_DAYS = 7  # a unit that usually receives dossiers every day and has none for this long is reported
SILENT_MIN_DAILY = 0.5


def last_usable_export(con: duckdb.DuckDBPyConnection) -> date | None:
    """The newest day whose export loaded (fully or in part)."""
    return scalar(
        con,
        "SELECT max(partition_date) FROM landed_files WHERE source = 'tthc_dossier' AND status IN ('loaded', 'partly_loaded')",
    )


def export_gaps(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Days between the first and the last landed export with no usable export (missing, empty, rejected)."""
    rows = con.execute(
        """SELECT partition_date, status, file_name FROM landed_files
           WHERE source = 'tthc_dossier' AND status IN ('missing', 'rejected')
             AND partition_date <= (SELECT max(partition_date) FROM landed_files
                                    WHERE source = 'tthc_dossier' AND status <> 'missing')
           ORDER BY partition_date"""
    ).fetchall()
    labels = {"missing": "không có tệp xuất", "rejected": "tệp xuất không nạp được"}
    return [
        {
            "check": "export_completeness",
            "unit_code": None,
            "unit_name": None,
            "detail": f"Ngày {day:%d/%m/%Y}: {labels[status]} ({name}).",
        }
        for day, status, name in rows
    ]


def silent_units(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Units with a usual daily flow of dossiers and none received for SILENT_WORKING_DAYS working days or more."""
    last_day = last_usable_export(con)
    if last_day is None:
        return []
    rows = con.execute(
        """SELECT u.unit_code, u.unit_name, max(d.received_at)::DATE AS last_received, count(d.dossier_code) AS dossiers,
                  min(d.received_at)::DATE AS first_received
           FROM dim_unit u LEFT JOIN fct_dossier d ON d.resolving_unit_code = u.unit_code
           GROUP BY u.unit_code, u.unit_name, u.sort_order ORDER BY u.sort_order"""
    ).fetchall()
    findings = []
    for code, name, last_received, dossiers, first_received in rows:
        if last_received is None:
            continue
        active_days = max(1, working_days_between(first_received, last_received) + 1)
        silent = working_days_between(last_received, last_day)
        if dossiers / active_days >= SILENT_MIN_DAILY and silent >= SILENT_WORKING_DAYS:
            findings.append(
                {
                    "check": "silent_units",
                    "unit_code": code,
                    "unit_name": name,
                    "detail": f"Không có hồ sơ mới trong {silent} ngày làm việc (lần cuối {last_received:%d/%m/%Y}).",
                }
            )
    return findings


def freshness(con: duckdb.DuckDBPyConnection, today: date) -> dict:
    """How many working days the newest usable export lags behind yesterday."""
    last_day = last_usable_export(con)
    if last_day is None:
        return {"last_export": None, "lag_working_days": None, "fresh": False}
    lag = working_days_between(last_day, today) - (1 if is_working_day(today) else 0)
    return {"last_export": last_day.isoformat(), "lag_working_days": max(lag, 0), "fresh": lag <= 1}


def days_with_another_secret(con: duckdb.DuckDBPyConnection, fingerprint: str) -> list[date]:
    """Days whose loaded dossiers were pseudonymised with another PII secret than ``fingerprint`` (the current one):
    their applicant keys never match the others', so a year mixing them counts one person twice. After a deliberate
    rotation these are the days still to reload; otherwise the secret file was lost or replaced. Days loaded before
    the secret was recorded (NULL) are not judged."""
    rows = con.execute(
        """SELECT partition_date FROM landed_files
           WHERE source = 'tthc_dossier' AND status IN ('loaded', 'partly_loaded')
           QUALIFY row_number() OVER (PARTITION BY partition_date ORDER BY loaded_at DESC) = 1
                   AND pii_secret IS NOT NULL AND pii_secret <> $fingerprint
           ORDER BY partition_date""",
        {"fingerprint": fingerprint},
    ).fetchall()
    return [r[0] for r in rows]
