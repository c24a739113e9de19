"""What the web publication shows, read from the warehouse's marts and views (nothing else): plain dicts for the
templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from common.units import RANKING_GROUP_LABELS

QD766_GROUPS = ("ckmb", "tdgq", "dvctt", "tttt", "mdhl", "shhs")


def records(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(query, params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass
class SiteData:
    province: str
    generated_at: datetime
    data_as_of: datetime | None
    units: list[dict[str, Any]]  # dim_unit in Vietnamese order
    qd766_groups: list[dict[str, Any]]  # code, name, max_points of the latest year's tree
    qd766_periods: list[dict[str, Any]]  # period_label, period_kind, period_start, period_end, as_of
    qd766: dict[str, list[dict[str, Any]]]  # period_label -> mart_qd766_unit rows
    qd766_trend: dict[str, list[dict[str, Any]]]  # unit_code -> mart_qd766_trend month rows, in order
    par: dict[int, list[dict[str, Any]]]  # year -> mart_par_unit rows
    dti: dict[int, list[dict[str, Any]]]  # year -> mart_dti_unit rows
    # year -> unit_code -> mart_par_trend / mart_dti_trend row: last year beside each year (year over year)
    par_trend: dict[int, dict[str, dict[str, Any]]]
    dti_trend: dict[int, dict[str, dict[str, Any]]]
    method: dict[str, list[dict[str, Any]]]  # index_code -> dim_criterion rows of the latest year
    rejected: list[dict[str, Any]] = field(default_factory=list)  # internal build only: rejected rows by rule and file
    # period_label -> the groups (and maxima) of the methodology file that scored it (a decision valid from 1 July:
    # the months from July by the new file's); a period not listed has qd766_groups
    qd766_period_groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def qd766_groups_of(self, period_label: str) -> list[dict[str, Any]]:
        return self.qd766_period_groups.get(period_label, self.qd766_groups)


def read_site_data(con: duckdb.DuckDBPyConnection, *, province: str, generated_at: datetime, internal: bool) -> SiteData:
    units = records(con, "SELECT unit_code, unit_name, ranking_group, group_label FROM dim_unit ORDER BY sort_key")
    periods = records(
        con,
        """SELECT DISTINCT period_label, period_kind, period_start, period_end, max(as_of) AS as_of
                              FROM mart_qd766_unit GROUP BY ALL ORDER BY period_start, period_end""",
    )
    qd766: dict[str, list[dict[str, Any]]] = {}
    for row in records(con, "SELECT * FROM mart_qd766_unit ORDER BY period_label, ranking_group, rank NULLS LAST, sort_key"):
        qd766.setdefault(row["period_label"], []).append(row)
    trend: dict[str, list[dict[str, Any]]] = {}
    for row in records(con, "SELECT * FROM mart_qd766_trend WHERE period_kind = 'month' ORDER BY unit_code, period_start"):
        trend.setdefault(row["unit_code"], []).append(row)
    par: dict[int, list[dict[str, Any]]] = {}
    for row in records(con, "SELECT * FROM mart_par_unit ORDER BY year, ranking_group, rank NULLS LAST, sort_key"):
        par.setdefault(row["year"], []).append(row)
    dti: dict[int, list[dict[str, Any]]] = {}
    for row in records(con, "SELECT * FROM mart_dti_unit ORDER BY year, ranking_group, rank NULLS LAST, sort_key"):
        dti.setdefault(row["year"], []).append(row)
    par_trend = _by_year_and_unit(records(con, "SELECT * FROM mart_par_trend"))
    dti_trend = _by_year_and_unit(records(con, "SELECT * FROM mart_dti_trend"))
    method: dict[str, list[dict[str, Any]]] = {}
    for row in records(
        con,
        """SELECT * FROM dim_criterion
                               QUALIFY year = max(year) OVER (PARTITION BY index_code)
                               ORDER BY index_code, ranking_group NULLS FIRST, tree, position""",
    ):
        method.setdefault(row["index_code"], []).append(row)
    by_tree: dict[str, list[dict[str, Any]]] = {}
    for r in method.get("qd766", []):
        if r["kind"] == "group":
            group = {"code": r["code"], "key": f"score_{r['code'].lower()}", "name": r["name"], "max_points": r["max_points"]}
            by_tree.setdefault(r["tree"], []).append(group)
    groups = next(iter(by_tree.values()), [])  # (one tree's: the first file's, as the method page lists them)
    scored_by = records(con, "SELECT period_label, any_value(methodology) AS tree FROM mart_qd766_indicator GROUP BY 1")
    period_groups = {r["period_label"]: by_tree[r["tree"]] for r in scored_by if r["tree"] in by_tree}
    as_of = max((p["as_of"] for p in periods if p["as_of"] is not None), default=None)
    rejected = []
    if internal:
        rejected = records(
            con,
            """SELECT source, rule_label, file_name, count(*) AS rows
                                   FROM mart_rejected_row GROUP BY ALL ORDER BY rows DESC, source, file_name LIMIT 500""",
        )
    return SiteData(
        province=province,
        generated_at=generated_at,
        data_as_of=as_of,
        units=units,
        qd766_groups=groups,
        qd766_period_groups=period_groups,
        qd766_periods=periods,
        qd766=qd766,
        qd766_trend=trend,
        par=par,
        dti=dti,
        par_trend=par_trend,
        dti_trend=dti_trend,
        method=method,
        rejected=rejected,
    )


def _by_year_and_unit(rows: list[dict[str, Any]]) -> dict[int, dict[str, dict[str, Any]]]:
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["year"], {})[row["unit_code"]] = row
    return out


def group_label(code: str | None) -> str:
    return RANKING_GROUP_LABELS.get(code or "", code or "")
