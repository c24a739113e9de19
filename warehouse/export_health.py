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
    """Days between the first and the last landed export with no usable export (missing, empty, rejected), and days
    whose export is an earlier day's file again."""
    rows = con.execute(
        """SELECT partition_date, status, file_name FROM landed_files
           WHERE source = 'tthc_dossier' AND status IN ('missing', 'rejected')
             AND partition_date <= (SELECT max(partition_date) FROM landed_files
                                    WHERE source = 'tthc_dossier' AND status <> 'missing')
           ORDER BY partition_date"""
    ).fetchall()
    labels = {"missing": "không có tệp xuất", "rejected": "tệp xuất không nạp được"}
    gaps = [(day, f"Ngày {day:%d/%m/%Y}: {labels[status]} ({name}).") for day, status, name in rows]
    # A day whose export is byte for byte an earlier day's (yesterday's file re-sent under today's name): it looks
    # delivered, its own changes are missing.
    copies = con.execute(
        """SELECT b.partition_date, b.file_name, min(a.partition_date), arg_min(a.file_name, a.partition_date)
           FROM landed_files AS b
           JOIN landed_files AS a
               ON a.source = b.source AND a.sha256 = b.sha256 AND a.partition_date < b.partition_date
           WHERE b.source = 'tthc_dossier' AND b.status IN ('loaded', 'partly_loaded') AND b.rows_read > 0
             AND a.status IN ('loaded', 'partly_loaded')
           GROUP BY b.partition_date, b.file_name"""
    ).fetchall()
    gaps += [
        (
            day,
            (
                f"Ngày {day:%d/%m/%Y}: tệp xuất ({name}) giống hệt từng byte tệp của ngày {earlier:%d/%m/%Y} "
                f"({earlier_name}): có thể đã gửi lại tệp cũ dưới tên ngày mới, thay đổi của ngày này bị thiếu. Nhận "
                f"đúng tệp của ngày rồi chạy lại ngày đó (make rerun DAY={day:%Y-%m-%d})."
            ),
        )
        for day, name, earlier, earlier_name in copies
    ]
    return [
        {"check": "export_completeness", "unit_code": None, "unit_name": None, "detail": detail}
        for _, detail in sorted(gaps, key=lambda gap: gap[0])
    ]


def reused_codes(con: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict]:
    """Dossier codes exported in [start, end] whose versions name two resolving units or two receipt days: one code
    given to two dossiers (or a dossier moved between units). The current state keeps the latest version only, so
    the other unit loses a dossier without a word; said here for someone to look at in the TTHC system."""
    # min <> max finds the codes (a fourth of the cost of counting distinct values: 0.2 s a day, 0.9 s a year of
    # backfill at 9 M versions); their few versions are then listed.
    rows = con.execute(
        """WITH days AS (
               SELECT DISTINCT dossier_code FROM stg_dossier_versions WHERE export_date BETWEEN ? AND ?
           ), reused AS (
               SELECT dossier_code FROM stg_dossier_versions SEMI JOIN days USING (dossier_code)
               GROUP BY dossier_code
               HAVING min(resolving_unit_code) <> max(resolving_unit_code)
                   OR min(received_at::DATE) <> max(received_at::DATE)
           )
           SELECT s.dossier_code, list(DISTINCT s.resolving_unit_code ORDER BY s.resolving_unit_code),
                  list(DISTINCT strftime(s.received_at, '%d/%m/%Y') ORDER BY strftime(s.received_at, '%d/%m/%Y')),
                  arg_max(s.resolving_unit_code, s.updated_at)
           FROM stg_dossier_versions AS s SEMI JOIN reused USING (dossier_code)
           GROUP BY s.dossier_code
           ORDER BY s.dossier_code""",
        [start, end],
    ).fetchall()
    return [
        {
            "check": "dossier_code_reused",
            "unit_code": latest,
            "unit_name": None,
            "detail": (
                f"Mã hồ sơ {code}: các phiên bản ghi {'đơn vị ' + ', '.join(units) if len(units) > 1 else ''}"
                f"{'; ' if len(units) > 1 and len(days) > 1 else ''}"
                f"{'ngày tiếp nhận ' + ', '.join(days) if len(days) > 1 else ''} khác nhau: trạng thái hiện tại theo "
                f"phiên bản mới nhất (đơn vị {latest}). Kiểm tra trên Hệ thống TTHC: một mã dùng cho hai hồ sơ?"
            ),
        }
        for code, units, days, latest in rows
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
