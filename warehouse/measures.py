"""Values the warehouse measures per unit and year for the computed criteria of the criteria trees (PAR index, DTI):
one place for every formula of scoring/criteria.FORMULAS, read from the marts the TTHC and task streams publish."""

from __future__ import annotations

import re
from datetime import date, datetime

import duckdb

from common.vntext import nfc
from warehouse.queries import sql

# Plan tasks that are digital-transformation tasks: their content names one of these phrases, as whole words with
# their tone marks ("sở hóa chất" is not "số hóa", "dữ liệu số liệu" is not "dữ liệu số"); "hoá" and "hóa" both count.
DT_TASK_PHRASES = re.compile(
    r"\b(?:chuyển đổi số|số ho[áa]|chính quyền số|chính quyền điện tử|dịch vụ công trực tuyến|công nghệ thông tin"
    r"|nền tảng số|dữ liệu số(?! liệu))\b"
)
# QĐ 766 year-to-date indicators that criteria use: indicator code → formula (scoring/criteria.FORMULAS).
QD766_FORMULAS = {
    "3.3": "tthc_online_rate",
    "4.2": "digitisation_rate",
    "4.1": "e_result_rate",
    "3.6": "online_payment_rate",
    "2.1": "tthc_on_time_rate",
}


def dt_task_numbers(con: duckdb.DuckDBPyConnection, plan_year: int) -> frozenset[str]:
    """Numbers of the plan's digital-transformation tasks (content names one of DT_TASK_PHRASES)."""
    rows = con.execute("SELECT DISTINCT task_no, content FROM fct_plan_task WHERE plan_year = ?", [plan_year]).fetchall()
    return frozenset(no for no, content in rows if DT_TASK_PHRASES.search(nfc(content).lower()))


def computed_values(
    con: duckdb.DuckDBPyConnection, year: int, formulas: set[str], department_code: str | None = None
) -> dict[tuple[str, str], float]:
    """(unit code, formula) → percent for the ``formulas`` (scoring/criteria.FORMULAS) a year's trees use, from what
    other streams already publish ("thu thập một lần, sử dụng nhiều lần"): QĐ 766 year to date (on time, online,
    digitised, e-results, paid online), the share of full-online procedures with online dossiers, and plan tasks
    completed on time (all; digital-transformation tasks only, which needs the plan's ``department_code``). A unit
    without the data (no dossiers, no task it leads) is absent: not measured. Formulas nobody uses are not queried.
    Rates are exact percentages: a criterion's steps apply to them, and the marts show them rounded half up to 2
    decimals (``score_unit``), as the QĐ 766 ratios."""
    from warehouse.tasks import on_time_rates

    values: dict[tuple[str, str], float] = {}
    indicators = [code for code, formula in QD766_FORMULAS.items() if formula in formulas]
    # The exact rate, not the published ratio rounded to 2 decimals: 4,899 of 4,999 on time is 97.9996 %, below a
    # criterion's 98 % step, though its ratio shows 98.00.
    for unit, code, ratio in con.execute(
        """
            SELECT unit_code, indicator_code, 100 * numerator / denominator FROM mart_qd766_indicator
            WHERE period_label = ? AND list_contains(?, indicator_code) AND denominator > 0 AND numerator IS NOT NULL""",
        [f"{year}-Y", indicators],
    ).fetchall():
        values[(unit, QD766_FORMULAS[code])] = float(ratio)
    if "full_online_procedures_with_dossiers_rate" in formulas:
        for unit, full_online, with_dossiers in con.execute(
            sql("measures/full_online_with_dossiers"), {"year_start": datetime(year, 1, 1), "year_end": datetime(year + 1, 1, 1)}
        ).fetchall():
            if full_online:
                values[(unit, "full_online_procedures_with_dossiers_rate")] = 100 * with_dossiers / full_online
    if "plan_tasks_on_time_rate" in formulas:
        # Every row is year to date at its as-of day: the year's own row, else the latest (a run over an earlier
        # quarter writes no year row, and the criterion fell to the appraisal alone).
        for unit, on_time, due in con.execute(
            """
                SELECT unit_code, completed_on_time, due FROM (
                    SELECT * FROM mart_task_completion WHERE plan_year = ?
                    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY period_label = ? DESC, as_of DESC, period_label) = 1
                ) WHERE due > 0""",
            [year, f"{year}-Y"],
        ).fetchall():
            values[(unit, "plan_tasks_on_time_rate")] = 100 * on_time / due
    if "dt_plan_tasks_on_time_rate" in formulas:
        if department_code is None:
            raise ValueError("dt_plan_tasks_on_time_rate cần mã cơ quan chủ quản của kế hoạch (department_code)")
        last = con.execute("SELECT max(as_of) FROM mart_task_status WHERE plan_year = ?", [year]).fetchall()[0][0]
        dt_tasks = dt_task_numbers(con, year)
        if last is not None and dt_tasks:
            day = min(last, date(year, 12, 31))
            for unit, rate in on_time_rates(con, year, day, department_code, dt_tasks).items():
                values[(unit, "dt_plan_tasks_on_time_rate")] = rate
    return values
