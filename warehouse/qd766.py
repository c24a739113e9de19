"""QĐ 766 in the warehouse: portal snapshots and their reconciliation, and the index measured from local data.

The counts behind every indicator are measured here in SQL, one pass over the dossiers for all requested periods;
the points come from scoring/qd766.py and the methodology file, never from this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pandas as pd

from common.files import write_atomically
from common.periods import Period, periods_between
from common.settings import now_local
from common.units import UnitMatcher
from common.vntext import match_key
from common.workdays import add_working_days, subtract_working_days
from scoring.criteria_table import qd766_rows
from scoring.qd766 import (
    STATUS_LABELS,
    Methodology,
    data_quality_label,
    methodology_for,
    reconcile_node,
    score_measures,
)
from scoring.ranking import rank_within
from sources.csvfiles import FileIssue
from sources.portal_format import snapshot_files
from sources.portal_qd766 import PortalSnapshot, portal_codes_seen, read_snapshot_files, summarise_issues
from warehouse.criteria_dim import write_dim_criterion
from warehouse.labels import label_units
from warehouse.landing import (
    FILE_ISSUE_INSERT,
    GONE_RULE,
    LANDED_FILE_COLUMNS,
    LANDED_FILE_INSERT,
    REDELIVERY_RULE,
    file_issue_rows,
    insert_frame,
    insert_many,
    keep_gone_files,
    named_row,
    transaction,
)
from warehouse.petitions import USABLE_MONTH_SHARE
from warehouse.queries import sql

PORTAL_SOURCE = "portal_qd766"
# The province's own total row of the reconciliation has no unit in dim_unit: it sorts before every unit ("00001"…).
PROVINCE_SORT_KEY = "00000"


# --- portal snapshots -----------------------------------------------------------------------------------


def read_snapshots(folder: Path, matcher: UnitMatcher) -> list[PortalSnapshot]:
    """Every response in the folder (not the collector's sidecars), each read with the methodology valid when its
    period starts, departments matched across all of them."""
    return read_snapshot_files(snapshot_files(folder), methodology_for, matcher)


def load_portal_snapshots(
    con: duckdb.DuckDBPyConnection,
    snapshots: Sequence[PortalSnapshot],
    matcher: UnitMatcher,
    now: datetime,
    *,
    withdraw: bool = False,
) -> dict:
    """Replace the portal tables with the snapshots now in the inbox, and reconcile every row of them with its
    snapshot's methodology. A file that loaded well and comes again unusable (empty, cut short, an error page) keeps
    its earlier rows; the refusal is an issue of its own. A file that loaded and is gone from the inbox (deleted,
    moved, a share not mounted) keeps its rows with a ``file_gone`` note, unless ``withdraw`` (the asset's config)."""
    nodes, metrics, recon, issues = [], [], [], []
    earlier = {
        name: (sha, when)
        for name, sha, when in con.execute(
            "SELECT file_name, sha256, loaded_at FROM landed_files WHERE source = ? AND status = 'loaded'", [PORTAL_SOURCE]
        ).fetchall()
    }
    kept = {s.file_name for s in snapshots if not s.usable and s.file_name in earlier and earlier[s.file_name][0] != s.sha256}
    for snap in snapshots:
        group_code = snap.group.code if snap.group else None
        if snap.file_name in kept:
            when = earlier[snap.file_name][1]
            issues.append(
                {
                    "file_name": snap.file_name,
                    "endpoint": None,
                    "group_code": None,
                    "period_label": None,
                    "captured_at": None,
                    "department": None,
                    "departments": [],
                    "field": None,
                    "rule": REDELIVERY_RULE,
                    "rows": 1,
                    "blocking": True,
                    "loaded_at": now,
                    "reason": (
                        f"Tệp {snap.file_name} giao lại không dùng được: giữ ảnh chụp đã nạp lúc "
                        f"{when:%d/%m/%Y %H:%M}; gửi lại tệp đúng để thay."
                    ),
                }
            )
        for i in summarise_issues(snap):
            issues.append(
                {
                    "file_name": snap.file_name,
                    "endpoint": snap.endpoint,
                    "group_code": group_code,
                    "period_label": snap.period_label,
                    "captured_at": snap.captured_at,
                    "department": (i["departments"] or [None])[0],
                    "departments": i["departments"],
                    "field": i["field"],
                    "rule": i["rule"],
                    "rows": i["rows"],
                    "reason": i["reason"],
                    "blocking": i["blocking"],
                    "loaded_at": now,
                }
            )
        if not snap.usable:
            continue
        file_info = {
            "file_name": snap.file_name,
            "endpoint": snap.endpoint,
            "group_code": group_code,
            "period_label": snap.period_label,
            "captured_at": snap.captured_at,
        }
        for n in snap.nodes:
            who = {
                "role": n.role,
                "department_code": n.department_code,
                "department_name": n.department_name,
                "unit_code": n.unit_code,
                "matched": n.unit_code is not None or n.role == "province",
            }
            nodes.append(
                {
                    **file_info,
                    **who,
                    "department_id": n.department_id,
                    "level": n.level,
                    "score": n.score,
                    "max_score": n.max_score,
                    "ratio": n.ratio,
                    "counts": n.counts or None,
                    "loaded_at": now,
                    "matched_by": n.matched_by,
                    "capture_source": snap.capture_source,
                }
            )
            metrics += [
                {
                    "file_name": snap.file_name,
                    "endpoint": snap.endpoint,
                    "period_label": snap.period_label,
                    "role": n.role,
                    "department_id": n.department_id,
                    "department_code": n.department_code,
                    "department_name": n.department_name,
                    "unit_code": n.unit_code,
                    "metric_code": m.code,
                    "metric_name": m.name,
                    "numerator": m.numerator,
                    "denominator": m.denominator,
                    "ratio": m.ratio,
                    "score": m.score,
                    "max_score": m.max_score,
                    "data_quality_status": m.data_quality_status,
                    "data_quality_message": m.data_quality_message,
                }
                for m in n.metrics.values()
            ]
            province_label = (
                {"unit_name": n.department_name or "Toàn tỉnh", "sort_key": PROVINCE_SORT_KEY} if n.role == "province" else {}
            )
            for r in reconcile_node(snap.methodology, snap.group, n):
                message = n.metrics[r["metric_code"]].data_quality_message if r["metric_code"] in n.metrics else None
                recon.append(
                    {
                        **file_info,
                        **who,
                        **r,
                        "department_id": n.department_id,
                        "status_label": STATUS_LABELS[r["status"]],
                        "data_quality_label": data_quality_label(r["data_quality_status"], message),
                        **province_label,
                    }
                )
    codes = [{**c, "loaded_at": now} for c in portal_codes_seen([s for s in snapshots if s.usable], matcher)]
    first_loaded = dict(
        con.execute("SELECT file_name || sha256, first_loaded_at FROM landed_files WHERE source = ?", [PORTAL_SOURCE]).fetchall()
    )
    lineage = [
        named_row(
            LANDED_FILE_COLUMNS,
            source=PORTAL_SOURCE,
            file_name=s.file_name,
            partition_date=s.captured_at.date() if s.captured_at else None,
            sha256=s.sha256,
            size_bytes=s.size_bytes,
            encoding="utf-8",
            status="loaded" if s.usable else "rejected",
            rows_read=len(s.nodes),
            rows_loaded=len(s.nodes) if s.usable else 0,
            rows_rejected=0 if s.usable else len(s.nodes),
            first_loaded_at=first_loaded.get(s.file_name + s.sha256, now),
            loaded_at=now,
        )
        for s in snapshots
        if s.file_name not in kept
    ]
    with transaction(con):
        # (a gone file's note keeps the time it was first written: keep_gone_files replaces it; others' go after)
        con.execute("DELETE FROM file_issues WHERE source = ? AND rule <> ?", [PORTAL_SOURCE, GONE_RULE])
        gone = _keep_gone_snapshots(con, snapshots, withdraw, now)
        con.execute(
            "DELETE FROM file_issues WHERE source = ? AND rule = ? AND NOT list_contains(?, file_name)",
            [PORTAL_SOURCE, GONE_RULE, gone],
        )
        _replace_portal_tables(con, nodes, metrics, recon, issues, codes, lineage, now, sorted(kept | set(gone)))
    recon_df = pd.DataFrame(recon)
    status = recon_df["status"].value_counts().to_dict() if not recon_df.empty else {}
    return {
        "files": len(snapshots),
        "files_rejected": sum(not s.usable for s in snapshots),
        "rows": len(nodes),
        "unmatched_rows": sum(not n["matched"] for n in nodes),
        "issues": sum(len(s.issues) for s in snapshots),
        "issue_lines": len(issues),
        "codes_learned": sum(c["source"] == "learned" for c in codes),
        "files_kept_earlier": len(kept),
        "files_gone_kept": len(gone),
        **{f"reconciliation_{k}": int(v) for k, v in status.items()},
    }


def _keep_gone_snapshots(
    con: duckdb.DuckDBPyConnection, snapshots: Sequence[PortalSnapshot], withdraw: bool, now: datetime
) -> list[str]:
    """The loaded snapshot files no longer in the inbox whose rows stay, each with a ``file_gone`` note
    (warehouse/landing.py ``keep_gone_files``): before, a file deleted, or the whole inbox missing, took the portal's
    scores out in silence."""
    loaded = con.execute(
        "SELECT file_name, sha256, partition_date FROM landed_files WHERE source = ? AND status = 'loaded' ORDER BY 1",
        [PORTAL_SOURCE],
    ).fetchall()
    note = (
        "Tệp không còn trong hộp thư đến (portal/): số liệu đã nạp của tệp vẫn được dùng. Muốn bỏ ảnh chụp này, chạy lại "
        "qd766_portal_snapshots với cấu hình withdraw: true."
    )
    files = [(name, sha, day, {"index_code": "qd766"}, False) for name, sha, day in loaded]
    present, shas = {s.file_name for s in snapshots}, {s.sha256 for s in snapshots}
    return keep_gone_files(con, PORTAL_SOURCE, files, present, shas, withdraw=withdraw, note=note, now=now)


def _replace_portal_tables(con, nodes, metrics, recon, issues, codes, lineage, now, kept: list[str]) -> None:
    """Everything of the portal source, but the rows of the files whose broken re-delivery was refused or that are
    gone from the inbox (``kept``); the source's file issues are already cleared (the notes of gone files written)."""
    for table in ("portal_qd766_node", "portal_qd766_metric", "mart_qd766_reconciliation", "portal_unit_code"):
        con.execute(f"DELETE FROM {table} WHERE NOT list_contains(?, file_name)", [kept])
    con.execute("DELETE FROM portal_qd766_issue")
    insert_frame(con, "portal_qd766_node", pd.DataFrame(nodes))
    insert_frame(con, "portal_qd766_metric", pd.DataFrame(metrics))
    insert_frame(con, "mart_qd766_reconciliation", pd.DataFrame(recon))
    label_units(con, "mart_qd766_reconciliation")
    insert_frame(con, "portal_qd766_issue", pd.DataFrame(issues))
    insert_frame(con, "portal_unit_code", pd.DataFrame(codes))
    con.execute("DELETE FROM landed_files WHERE source = ? AND NOT list_contains(?, file_name)", [PORTAL_SOURCE, kept])
    insert_many(con, LANDED_FILE_INSERT, lineage)
    # The portal issue's endpoint, period and capture time go with it (what the file name or sidecar told).
    blocking = [
        row
        for i in issues
        if i["blocking"]
        for row in file_issue_rows(
            PORTAL_SOURCE,
            i["file_name"],
            None,
            [FileIssue(i["rule"], i["reason"])],
            now,
            {
                "index_code": "qd766",
                "endpoint": i.get("endpoint"),
                "period_label": i.get("period_label"),
                "captured_at": i.get("captured_at"),
                "year": _year_of(i.get("period_label")),
            },
        )
    ]
    insert_many(con, FILE_ISSUE_INSERT, blocking)


def _year_of(period_label: str | None) -> int | None:
    """2026 of '2026-Q1'; None for a file whose period could not be read."""
    return int(period_label[:4]) if period_label and period_label[:4].isdigit() else None


# --- local measures -------------------------------------------------------------------------------------


def data_cutoff(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The end of the last export day: the moment the warehouse's picture of the dossiers stands at."""
    last = con.execute("SELECT max(last_export_date) FROM fct_dossier").fetchall()[0][0]
    return None if last is None else datetime.combine(last, time(23, 59, 59))


def _period_months(periods: Sequence[Period]) -> pd.DataFrame:
    """One row per (period, month it covers): dossiers join on their month, an equality join."""
    return pd.DataFrame(
        [
            {"period_label": p.label, "month": m.start, "period_end": p.end}
            for p in periods
            for m in periods_between("month", p.start, p.end)
        ]
    )


def publication_measures(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], methodology: Methodology, as_of: datetime
) -> pd.DataFrame:
    """Province-wide counts for 1.1-1.3 (the portal gives every unit the province's figures).

    Working days come from the holidays library (common/workdays.py); a decision not yet made public counts as
    late once its deadline has passed.
    """
    lead = int(methodology.parameters["publish_lead_working_days"])
    update = int(methodology.parameters["public_update_working_days"])
    rows = con.execute(
        """SELECT decision_date, legal_effective_date, made_public_date, parts_complete
                          FROM fct_procedure_publication WHERE decision_date <= ?""",
        [as_of.date()],
    ).fetchall()
    if not con.execute("SELECT count(*) FROM fct_procedure_publication").fetchall()[0][0]:
        return pd.DataFrame({"period_label": [p.label for p in periods]})  # no publication data: not evaluated
    out = []
    for p in periods:
        published = on_time = updated = full = 0
        for decided, effective, public, parts in rows:
            if not p.start <= decided <= p.end:
                continue
            published += 1
            # on time (methodology §3.3, 1.1): decision date <= effective date of the legal basis - `lead` working days
            on_time += decided <= subtract_working_days(effective, lead)
            deadline = add_working_days(decided, update)
            updated += (public <= deadline) if public is not None else (as_of.date() <= deadline)
            full += parts == 7
        out.append(
            {
                "period_label": p.label,
                "published": published,
                "publish_on_time": on_time,
                "public_update_on_time": updated,
                "content_full": full,
            }
        )
    return pd.DataFrame(out)


def _procedure_codes(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """Codes of the catalogue's procedures with this name, whatever the case, spacing or Unicode form."""
    key = match_key(name)
    return [
        code
        for code, n in con.execute("SELECT procedure_code, procedure_name FROM dim_procedure").fetchall()
        if match_key(n) == key
    ]


def _months_with_petitions(con: duckdb.DuckDBPyConnection) -> set[date]:
    """Months whose petition export was loaded (a month with no petitions has a file with no rows)."""
    rows = con.execute(sql("qd766/months_with_petitions"), {"share": USABLE_MONTH_SHARE}).fetchall()
    return {r[0] for r in rows if r[0] is not None}


def _fill_absent(frame: pd.DataFrame, part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Left-join ``part``; a unit absent from it had nothing in the period, so its counts are 0 (not unknown)."""
    merged = frame.merge(part, how="left", on=keys, indicator="_found")
    absent = merged["_found"] == "left_only"
    for column in part.columns.difference(keys):
        if column != "processing_days":
            merged[column] = merged[column].astype("float64").mask(absent, 0.0)
    return merged.drop(columns="_found")


def measure_periods(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], methodology: Methodology, as_of: datetime
) -> pd.DataFrame:
    """Every count the methodology names, one row per (period, unit) for every unit of the master data.

    NULL means unknown and is kept (the indicator is then not evaluated): an export without the sync column, a
    catalogue without owners or payment flags, a month without its petition export, no e-copy procedure.
    """
    months = _period_months(periods)
    e_copy_codes = _procedure_codes(con, str(methodology.parameters["certified_copy_procedure"]))
    con.register("_period_months", months)
    try:
        params = {"as_of": as_of}
        dossiers = con.execute(sql("qd766/dossier_measures"), params).df()
        petitions = con.execute(sql("qd766/petition_measures"), params).df()
        authority = con.execute(sql("qd766/authority_measures")).df()
        e_copy = con.execute(sql("qd766/e_copy_measures"), params | {"procedures": e_copy_codes}).df()
    finally:
        con.unregister("_period_months")
    units = con.execute("SELECT unit_code FROM dim_unit").df()
    base = units.merge(pd.DataFrame({"period_label": [p.label for p in periods]}), how="cross")
    keys = ["period_label", "unit_code"]
    frame = _fill_absent(_fill_absent(base, dossiers, keys), petitions, keys)
    frame = frame.merge(authority, how="left", on="unit_code").merge(e_copy, how="left", on=keys)
    if not e_copy_codes:  # the procedure is not in the catalogue: 4.x cannot be measured
        frame["e_copy_offering"] = None
    loaded = _months_with_petitions(con)
    unknown = [p.label for p in periods if any(m not in loaded for m in _months_until(p, as_of.date()))]
    petition_columns = ["petitions", "petitions_on_time", "petitions_satisfied", "procedure_petitions"]
    frame.loc[frame["period_label"].isin(unknown), petition_columns] = None
    # 5.4: 100 % − (% late + % dossiers with a petition or a dislike); a petition about staff behaviour is no dossier's
    frame["receiving_satisfied"] = (frame["on_time"] - frame["dissatisfied"] - frame["procedure_petitions"]).clip(lower=0)
    return frame.merge(publication_measures(con, periods, methodology, as_of), how="left", on="period_label")


def _months_until(period: Period, last: date) -> list[date]:
    """First days of the period's months up to the data's last day."""
    return [m.start for m in periods_between("month", period.start, min(period.end, last))]


def latest_portal_scores(con: duckdb.DuckDBPyConnection, group_codes: Sequence[str]) -> dict[tuple[str, str, str], float]:
    """The latest capture's group score per (period, unit, group), for the groups whose formula is unresolved."""
    if not group_codes:
        return {}
    rows = con.execute(sql("qd766/latest_portal_scores"), {"group_codes": list(group_codes)}).fetchall()
    return {(p, u, g): s for p, u, g, s in rows if s is not None}


def refresh_index(con: duckdb.DuckDBPyConnection, periods: Sequence[Period], methodology: Methodology, as_of: datetime) -> dict:
    """Measure, score and rank the periods, then replace their rows in the two marts (idempotent)."""
    measures = measure_periods(con, periods, methodology, as_of)
    portal = latest_portal_scores(con, [g.code for g in methodology.groups if g.unresolved])
    indicators, units = score_measures(methodology, measures, portal)
    info = con.execute("SELECT unit_code, unit_name, ranking_group FROM dim_unit").df()
    units = units.merge(info, on="unit_code")
    counted = units[["period_label", "unit_code"]].merge(
        measures[["period_label", "unit_code", "dossiers", "received"]], how="left"
    )
    units["dossiers"] = counted["dossiers"].fillna(0).astype("int64").values
    # A unit that received no dossier in the period (or only withdrawn ones: none counts) keeps the points the
    # methodology gives it (5.2 and 5.3 in full, the rest 0: about 25) but is not ranked: ranked, its month read as a
    # collapse from 68 to 25.
    units["_has_dossiers"] = counted["received"].fillna(0).values > 0
    units = rank_within(units, eligible="_has_dossiers").drop(columns="_has_dossiers")
    by_label = {p.label: p for p in periods}
    names = {i.code: i.name for i in methodology.indicators}

    def period_columns(df: pd.DataFrame) -> pd.DataFrame:
        df["period_kind"] = df["period_label"].map(lambda x: by_label[x].kind)
        df["period_start"] = df["period_label"].map(lambda x: by_label[x].start)
        df["period_end"] = df["period_label"].map(lambda x: by_label[x].end)
        df["as_of"] = as_of
        return df

    indicators = period_columns(indicators)
    indicators["methodology"] = methodology.path.name
    indicators["indicator_name"] = indicators["indicator_code"].map(names)
    units = period_columns(units).rename(columns={g.code: f"score_{g.code.lower()}" for g in methodology.groups})
    units["dvctt_source"] = units["DVCTT_source"]
    units = units.drop(columns=[c for c in units.columns if c.endswith("_source") and c != "dvctt_source"])
    labels = [p.label for p in periods]
    with transaction(con):
        con.execute("DELETE FROM mart_qd766_indicator WHERE list_contains(?, period_label)", [labels])
        con.execute("DELETE FROM mart_qd766_unit WHERE list_contains(?, period_label)", [labels])
        insert_frame(con, "mart_qd766_indicator", indicators)
        insert_frame(con, "mart_qd766_unit", units)
        label_units(con, "mart_qd766_indicator", "mart_qd766_unit")
        for year in sorted({p.start.year for p in periods}):
            write_dim_criterion(
                con, qd766_rows(methodology, year), now_local(), year=year, index_code="qd766", tree=methodology.path.name
            )
    return {
        "periods": len(periods),
        "units": int(units["unit_code"].nunique()),
        "indicator_rows": len(indicators),
        "as_of": f"{as_of:%d/%m/%Y %H:%M}",
        "dvctt_from_portal": int((units["dvctt_source"] == "portal").sum()),
    }


def write_portal_code_review(con: duckdb.DuckDBPyConnection, folder: Path, province: str) -> Path | None:
    """The portal codes learned by name (not in the master data) as a CSV for review, in the master data's mapping
    format (unit_code, portal_code, department_id first): once checked, its rows go into
    masterdata/portal_codes/<province>.csv and the units are then matched by code. None when nothing was learned."""
    # A unit known by its master-data code keeps it; what was learned is then only its department id.
    rows = con.execute(sql("qd766/portal_codes_to_review")).df()
    if rows.empty:
        return None
    path = folder / f"ma_don_vi_cong_dvcqg_can_ra_soat_{match_key(province)}.csv"
    return write_atomically(path, lambda tmp: rows.to_csv(tmp, index=False, encoding="utf-8-sig"), application="Excel")
