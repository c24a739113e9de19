"""DTI (Chỉ số chuyển đổi số) of the province's agencies and communes in the warehouse: the self-assessment forms
(the PAR machinery, index ``dti``), the values other systems supply, last year's published results, the components
the warehouse measures itself, and the scorecards per component, main index, pillar and unit, with the rank
intervals of the uncertainty analysis. Points come from scoring/criteria.py and methodology/dti/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from common.settings import now_local
from common.units import UnitMatcher
from common.vntext import match_key
from scoring.criteria import CriteriaTree, CriterionInput, answer_points, score_unit, tree_for
from scoring.criteria_table import tree_rows
from scoring.ranking import group_average, rank_within
from sources.csvfiles import ReadResult, row_reject
from sources.table_files import TABLE_SUFFIXES
from warehouse.criteria_dim import write_dim_criterion
from warehouse.labels import label_units
from warehouse.landing import (
    YearFiles,
    forget_files,
    insert_frame,
    keep_earlier_load,
    name_years,
    record_file,
    record_unread,
    transaction,
    year_files,
)
from warehouse.measures import computed_values
from warehouse.par import assessment_inputs, load_assessment_inputs, refused_forms, submission_notes
from warehouse.queries import sql

INDEX = "dti"
GROUPS = ("agency", "local")
# Uncertainty analysis (issue 6): main-index weights × U(0.75, 1.25), missing components zero or the group mean.
REPLICATIONS, WEIGHT_SPREAD, SEED = 1000, 0.25, 2026
SOURCE_LABELS = {"self": "Tự đánh giá", "computed": "Tính từ dữ liệu của kho"}


def trees_for_year(year: int) -> dict[str, CriteriaTree]:
    return {group: tree_for(INDEX, year, group) for group in GROUPS}


def external_components(year: int):
    """Components another system supplies, with their allowed range and the unit groups they apply to."""
    from sources.dti_inputs import ExternalComponent

    found: dict[str, ExternalComponent] = {}
    for tree in trees_for_year(year).values():
        for leaf in tree.leaves:
            if leaf.method != "external" or leaf.rule is None:
                continue
            groups = tuple(g for g in tree.unit_groups if tree.applies(leaf.code, g))
            known = found.get(leaf.code)
            if known and (known.low, known.high) != leaf.rule.value_range:
                # One CSV column serves both trees: a component must mean the same value in each.
                raise ValueError(
                    f"thành phần {leaf.code} có khoảng giá trị khác nhau giữa các bộ chỉ số năm {year}: "
                    f"{known.low:g}..{known.high:g} và {leaf.rule.value_range[0]:g}..{leaf.rule.value_range[1]:g}"
                )
            groups = tuple(sorted(set(groups) | set(known.unit_groups))) if known else groups
            found[leaf.code] = ExternalComponent(leaf.code, leaf.name, *leaf.rule.value_range, groups, rule=leaf.rule)
    return found


# --- inputs ------------------------------------------------------------------------------------------------------


def _table_files(inbox: Path, folder: str, year: int, run_years: frozenset[int] = frozenset()) -> YearFiles:
    """The delivered files of an other-systems or last-year folder, split by the year their name carries
    (soc_2026.csv, in any letter case): the year's CSV files and Excel workbooks (offices save them from Excel) are
    read; a file without a year cannot be given to a partition, and one of the year in another kind (.pdf, .docx)
    cannot be read: both are reported, never silently skipped. Another year's files are left to that year's run; one
    whose year no run reads (``run_years``), or one in a sub-folder, is reported by every run."""
    return year_files(inbox / folder, year, TABLE_SUFFIXES, run_years)


def _record_unread(con: duckdb.DuckDBPyConnection, source: str, found: YearFiles, year: int, now: datetime) -> None:
    example = "giam_sat_attt_soc" if source == "dti_external" else "ket_qua_dti"
    hint = (
        f"Gửi tệp .csv (UTF-8) hoặc bảng tính Excel (.xlsx, .xls, .ods) có năm trong tên, ví dụ {example}_{year}.csv "
        f"hoặc {example}_{year}.xlsx"
    )
    record_unread(con, source, found, hint, now, labels={"index_code": INDEX, "year": year})


def _forget_removed(con: duckdb.DuckDBPyConnection, source: str, year: int, present: list[Path]) -> None:
    """Quarantine, issues and lineage of the year's files that are no longer in the inbox: a corrected file sent under
    a new name must not leave the old one's rejects in the publication."""
    names = [p.name for p in present]
    rows = con.execute(
        """SELECT file_name FROM quarantine WHERE source = $source UNION SELECT file_name FROM file_issues
           WHERE source = $source UNION SELECT file_name FROM landed_files WHERE source = $source""",
        {"source": source},
    ).fetchall()
    # (a file of a sub-folder, 'gui_lai/soc_2026.csv', is forgotten by record_unread once it is gone)
    forget_files(con, source, [n for (n,) in rows if n not in names and "/" not in n and year in name_years(Path(n))])


def load_dti_inputs(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    year: int,
    matcher: UnitMatcher,
    now: datetime,
    work_dir: Path,
    assessed_years: frozenset[int] = frozenset(),
    *,
    withdraw: bool = False,
) -> dict:
    """Stage the year's DTI forms, appraisal, the other systems' values and last year's published results. Rejected
    rows go to the quarantine with their reason; a rerun replaces the year's rows. A form or appraisal gone from the
    inbox keeps its rows (``file_gone``) unless ``withdraw``."""
    from sources.dti_inputs import EXTERNAL_DIR, PREVIOUS_DIR, previous_identity, read_external_values, read_previous_results

    stats = load_assessment_inputs(con, inbox, year, matcher, now, assessed_years, INDEX, withdraw=withdraw)
    external_found = _table_files(inbox, EXTERNAL_DIR, year, assessed_years)
    external = read_external_values(external_found.of_year, matcher, external_components(year), year, work_dir)
    previous_found = _table_files(inbox, PREVIOUS_DIR, year - 1, frozenset(y - 1 for y in assessed_years))
    previous = read_previous_results(previous_found.of_year, matcher, year - 1, work_dir)
    with transaction(con):
        _forget_removed(con, "dti_external", year, external_found.present)
        _forget_removed(con, "dti_previous", year - 1, previous_found.present)
        _record_unread(con, "dti_external", external_found, year, now)
        _record_unread(con, "dti_previous", previous_found, year - 1, now)
        # An empty, broken or cut-short re-delivery keeps the rows of the earlier good file of the same name.
        kept_external = [
            p.name
            for p, r in external.items()
            if keep_earlier_load(con, "dti_external", p, r, now, labels={"index_code": INDEX, "year": year})
        ]
        kept_previous = [
            p.name
            for p, r in previous.items()
            if keep_earlier_load(con, "dti_previous", p, r, now, labels={"index_code": INDEX, "year": year - 1})
        ]
        external = {p: r for p, r in external.items() if p.name not in kept_external}
        previous = {p: r for p, r in previous.items() if p.name not in kept_previous}
        # The readers decide duplicates over the files read now; the rows a refused re-delivery keeps take part too.
        _refuse_copies_of_kept_rows(
            con, "stg_dti_external", year, kept_external, external, lambda row: (row["unit_code"], row["code"])
        )

        def identity(row: dict) -> tuple:
            found = row.get("identity") or previous_identity(matcher, row["unit_code"], row["published_name"])
            return (row["unit_code"], match_key(found))

        _refuse_copies_of_kept_rows(con, "stg_dti_previous", year - 1, kept_previous, previous, identity)
        con.execute("DELETE FROM stg_dti_external WHERE year = ? AND NOT list_contains(?, source_file)", [year, kept_external])
        con.execute(
            "DELETE FROM stg_dti_previous WHERE year = ? AND NOT list_contains(?, source_file)", [year - 1, kept_previous]
        )
        insert_frame(
            con,
            "stg_dti_external",
            pd.DataFrame(
                [
                    {
                        "source_file": p.name,
                        "source_row": x["source_row"],
                        "year": year,
                        "unit_code": x["unit_code"],
                        "code": x["code"],
                        "value": x["value"],
                        "system": x.get("system"),
                        "note": x.get("note"),
                    }
                    for p, r in external.items()
                    if r.loadable
                    for x in r.rows
                ]
            ),
        )
        insert_frame(
            con,
            "stg_dti_previous",
            pd.DataFrame(
                [
                    {
                        "source_file": p.name,
                        "source_row": x["source_row"],
                        "year": year - 1,
                        "published_name": x["published_name"],
                        "unit_code": x["unit_code"],
                        "total": x["total"],
                        "rank": x.get("rank"),
                        "level": x.get("level"),
                    }
                    for p, r in previous.items()
                    if r.loadable
                    for x in r.rows
                ]
            ),
        )
        for p, r in external.items():
            record_file(con, "dti_external", p, r, now, labels={"index_code": INDEX, "year": year})
        for p, r in previous.items():  # last year's published results: rows of that year
            record_file(con, "dti_previous", p, r, now, labels={"index_code": INDEX, "year": year - 1})
    return {
        **stats,
        "external_rows": sum(len(r.rows) for r in external.values() if r.loadable),
        "external_rejected": sum(len(r.rejects) for r in external.values()),
        "previous_rows": sum(len(r.rows) for r in previous.values() if r.loadable),
        "previous_rejected": sum(len(r.rejects) for r in previous.values()),
    }


def _refuse_copies_of_kept_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    year: int,
    kept: list[str],
    results: dict[Path, ReadResult],
    key_of: Callable[[dict], tuple],
) -> None:
    """A row of a file read now giving what a kept file's rows give (the same unit and component, the same last-year
    unit) is rejected as a duplicate naming the kept file: both were in the table (one picked at random for a
    component; the DTI refresh failed on two results of one unit). The kept rows stand: they are the file's last good
    load, until it is sent again with rows (then the reader judges both files together)."""
    if not kept:
        return
    held: dict[tuple, str] = {}
    for row in (
        con.execute(f"SELECT * FROM {table} WHERE year = ? AND list_contains(?, source_file)", [year, kept])
        .df()
        .to_dict("records")
    ):
        held.setdefault(key_of(row), f"{row['source_file']}, dòng {row['source_row']}")
    for path, result in results.items():
        keyed = [(key_of(x), x) for x in result.rows]
        result.rows[:] = [x for key, x in keyed if key not in held]
        for key, x in keyed:
            if key not in held:
                continue
            where = held[key]
            result.rejects.append(
                row_reject(
                    path,
                    x["source_row"],
                    "duplicate",
                    f"Tệp {path.name}, dòng {x['source_row']}: đã có trong {where} (tệp giao lại không dùng được, giữ lần "
                    "nạp trước); không dùng dòng này. Gửi lại tệp kia đúng, hoặc bỏ dòng trùng ở một trong hai tệp.",
                    str(x.get("value", x.get("total"))),
                    key=str(x.get("published_name") or x.get("code") or ""),
                    unit_code=x.get("unit_code"),
                )
            )


# --- scoring -------------------------------------------------------------------------------------------------------


def _external_inputs(con: duckdb.DuckDBPyConnection, year: int) -> dict[tuple[str, str], float]:
    return {
        (u, c): v
        for u, c, v in con.execute("SELECT unit_code, code, value FROM stg_dti_external WHERE year = ?", [year]).fetchall()
    }


def _previous(
    con: duckdb.DuckDBPyConnection, year: int, matcher: UnitMatcher
) -> dict[str, tuple[float, str, bool, bool, str | None]]:
    """unit → (last year's total, the names it was published under, merged, renamed, last year's units without a
    result): the published results (merged units: the mean of the old units present), else the warehouse's own
    scorecards of last year."""
    from common.vntext import sort_key
    from sources.dti_inputs import map_previous

    rows = (
        con.execute(
            """SELECT published_name, unit_code, total, rank, level, source_row FROM stg_dti_previous
                          WHERE year = ?""",
            [year - 1],
        )
        .df()
        .to_dict("records")
    )
    if rows:
        mapped = map_previous([{**r, "year": year - 1} for r in rows], matcher)
        return {
            code: (p.total, "; ".join(sorted(p.published_names, key=sort_key)), p.merged, p.renamed, "; ".join(p.missing) or None)
            for code, p in mapped.items()
        }
    return {
        u: (t, n, False, False, None)
        for u, t, n in con.execute(
            """
        SELECT unit_code, total, unit_name FROM mart_dti_unit WHERE year = ? AND has_form""",
            [year - 1],
        ).fetchall()
    }


def uncertainty_frame(
    components: pd.DataFrame,
    units: pd.DataFrame,
    trees: dict[str, CriteriaTree],
    *,
    replications: int = REPLICATIONS,
    weight_spread: float = WEIGHT_SPREAD,
    seed: int = SEED,
    vary_missing: bool = True,
) -> pd.DataFrame:
    """Rank intervals per ranking group: main-index values with missing components as 0 (published) or as the mean
    share of the group's units that have the component; weights of the group's tree."""
    from scoring.uncertainty import UncertaintyInputs, rank_intervals

    frames = []
    for group, tree in trees.items():
        mine = units[units["ranking_group"] == group]
        if mine.empty:
            continue
        codes = list(mine["unit_code"])
        rows = components[
            components["unit_code"].isin(codes) & components["applicable"] & (components["source"] != "not_measured")
        ].copy()
        scored = rows[rows["source"] != "missing"]
        share = (scored["points"] / scored["max_points"]).groupby(scored["code"]).mean()
        rows["points_mean"] = np.where(
            rows["source"] == "missing", rows["code"].map(share).fillna(0) * rows["max_points"], rows["points"]
        )
        domains = [d.code for d in tree.domains]
        sums = rows.groupby(["unit_code", "main_index"])[["points", "points_mean", "max_points"]].sum()
        zero = (sums["points"] / sums["max_points"]).unstack().reindex(index=codes, columns=domains)
        mean = (sums["points_mean"] / sums["max_points"]).unstack().reindex(index=codes, columns=domains)
        inputs = UncertaintyInputs(
            unit_codes=tuple(codes),
            groups=tuple(mine["ranking_group"]),
            eligible=mine["has_form"].to_numpy(dtype=bool),
            weights=np.array([d.scored_weight for d in tree.domains], dtype=float),
            value_zero=zero.to_numpy(dtype=float),
            value_mean=mean.to_numpy(dtype=float),
        )
        frames.append(
            rank_intervals(
                inputs,
                replications=replications,
                weight_spread=weight_spread,
                vary_missing=vary_missing,
                seed=seed,
                scale=100.0,
                tie_decimals=2,
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def refresh_dti(con: duckdb.DuckDBPyConnection, year: int, matcher: UnitMatcher, department_code: str) -> dict:
    """Score every unit of the master data for the year with its group's tree, rank within groups, compare with last
    year and run the uncertainty analysis; replace the year's marts."""
    trees = trees_for_year(year)
    units = con.execute("SELECT unit_code, unit_name, unit_group, ranking_group FROM dim_unit ORDER BY sort_order").fetchall()
    inputs = assessment_inputs(con, year, INDEX)
    external = _external_inputs(con, year)
    values = computed_values(con, year, {n.formula for t in trees.values() for n in t.leaves if n.formula}, department_code)
    # A form with rejected rows counts: the good rows load, the rejected components are missing (0 points, and
    # the group mean in the uncertainty analysis) and are listed back to the unit in the publication.
    _, with_form = submission_notes(con, year, INDEX, rejected_rows_ok=True)
    refused_form = refused_forms(con, year, INDEX, rejected_rows_ok=True)
    components, indices, pillars, unit_rows = [], [], [], []
    refused = 0
    for code, name, group, ranking_group in units:
        tree = trees[ranking_group]
        leaves = {n.code: n for n in tree.leaves}
        given = {k: v for k, v in inputs.get(code, {}).items() if k in leaves}
        for leaf_code, slot in given.items():
            # Points come from the answer under the tree in force now: an edited rule or maximum applies on the
            # next scoring without reloading the forms; an answer the edited rule refuses counts as missing.
            if slot.self_answer is not None and leaves[leaf_code].rule is not None and leaves[leaf_code].method == "self":
                _, slot.self_points, problem = answer_points(leaves[leaf_code], slot.self_answer)
                refused += problem is not None
        for leaf in leaves.values():
            if leaf.method == "computed" and (code, leaf.formula) in values:
                given.setdefault(leaf.code, CriterionInput()).computed_value = values[(code, leaf.formula)]
            elif leaf.method == "external" and (code, leaf.code) in external:
                given.setdefault(leaf.code, CriterionInput()).external_value = external[(code, leaf.code)]
        score = score_unit(tree, group, given)
        components += [
            {
                "year": year,
                "unit_code": code,
                "tree": tree.path.name,
                "code": r["code"],
                "main_index": r["domain"],
                "name": r["name"],
                "method": r["method"],
                "rule_kind": leaves[r["code"]].rule.stored_word if leaves[r["code"]].rule else None,
                "data_source": leaves[r["code"]].source
                or (
                    f"{SOURCE_LABELS['computed']}: {leaves[r['code']].formula}"
                    if r["method"] == "computed"
                    else SOURCE_LABELS.get(r["method"], r["method"])
                ),
                **{
                    k: r[k]
                    for k in (
                        "max_points",
                        "applicable",
                        "self_answer",
                        "self_points",
                        "appraised_points",
                        "external_value",
                        "computed_value",
                        "points",
                        "points_lost",
                        "source",
                        "overclaim",
                    )
                },
            }
            for r in score.criteria
        ]
        indices += [
            {
                "year": year,
                "unit_code": code,
                "main_index": d["code"],
                "name": d["name"],
                "weight": d["weight"],
                "max_points": d["max_points"],
                "points": d["points"],
                "value": d["value"],
                "points_lost": d["points_lost"],
                "missing_components": d["missing"],
            }
            for d in score.domains
        ]
        pillars += [
            {"year": year, "unit_code": code, "pillar": p["code"], "name": p["name"], "value": p["value"]} for p in score.pillars
        ]
        unit_rows.append(
            {
                "year": year,
                "unit_code": code,
                "unit_name": name,
                "ranking_group": ranking_group,
                "tree": tree.path.name,
                "total": score.total,
                "index_value": score.index_value,
                # Without a usable form most components are missing: no level, as no rank.
                "band": score.band if code in with_form else None,
                "provisional": score.provisional,
                "has_form": code in with_form,
                "form_refused": refused_form.get(code),
                "missing_components": score.missing,
            }
        )
    frame = pd.DataFrame(unit_rows)
    # Only units with a usable form are ranked and make the group average; the others are listed, not ranked.
    ranked = rank_within(frame, by=("year", "ranking_group"), score="total", evaluated=None, eligible="has_form")
    ranked["group_average"] = group_average(ranked["total"].where(ranked["has_form"]), [ranked["ranking_group"]])
    previous = _previous(con, year, matcher)
    ranked["previous_total"] = ranked["unit_code"].map(lambda u: previous[u][0] if u in previous else None)
    ranked["previous_names"] = ranked["unit_code"].map(lambda u: previous[u][1] if u in previous else None)
    ranked["previous_merged"] = ranked["unit_code"].map(lambda u: previous[u][2] if u in previous else None)
    ranked["previous_renamed"] = ranked["unit_code"].map(lambda u: previous[u][3] if u in previous else None)
    ranked["previous_missing"] = ranked["unit_code"].map(lambda u: previous[u][4] if u in previous else None)
    ranked["change"] = (ranked["total"] - ranked["previous_total"].astype(float)).where(ranked["has_form"]).round(2)
    intervals = uncertainty_frame(pd.DataFrame(components), ranked, trees)
    keep = ["rank_median", "rank_p05", "rank_p95", "rank_best", "rank_worst", "share_same_rank"]
    if not intervals.empty:
        ranked = ranked.merge(intervals[["unit_code", *keep]], on="unit_code", how="left")
        ranked["share_same_rank"] = ranked["share_same_rank"].round(3)
    else:
        for column in keep:
            ranked[column] = None
    with transaction(con):
        for table in ("mart_dti_component", "mart_dti_index", "mart_dti_pillar", "mart_dti_unit"):
            con.execute(f"DELETE FROM {table} WHERE year = ?", [year])
        insert_frame(con, "mart_dti_component", pd.DataFrame(components))
        insert_frame(con, "mart_dti_index", pd.DataFrame(indices))
        insert_frame(con, "mart_dti_pillar", pd.DataFrame(pillars))
        insert_frame(con, "mart_dti_unit", ranked)
        label_units(con, "mart_dti_component", "mart_dti_index", "mart_dti_pillar", "mart_dti_unit")
        write_dim_criterion(con, [r for t in trees.values() for r in tree_rows(t)], now_local(), year=year, index_code=INDEX)
    return {
        "units": len(unit_rows),
        "with_form": len(with_form & {u for u, *_ in units}),
        "provisional": int(frame["provisional"].sum()),
        "missing_components": int(frame["missing_components"].sum()),
        "with_previous": int(ranked["previous_total"].notna().sum()),
        "computed_values": len(values),
        "external_values": len(external),
        "answers_refused_by_tree": refused,
    }


def method_note() -> str:
    from scoring.uncertainty import describe_method

    return describe_method(WEIGHT_SPREAD, REPLICATIONS, True, SEED)


# --- checks --------------------------------------------------------------------------------------------------------


def completeness_problems(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """Why the year's scorecards are not complete (empty = complete): a unit of the master data without a row, an
    applicable component without a row, a unit without a usable form that is ranked, no form at all."""
    problems = [
        f"{code} ({name}): không có trong bảng xếp hạng"
        for code, name in con.execute(sql("dti/units_without_scorecard"), {"year": year}).fetchall()
    ]
    for tree in trees_for_year(year).values():
        for unit_group in tree.unit_groups:
            expected = len(tree.applicable(unit_group))
            problems += [
                f"{u}: {n}/{expected} thành phần áp dụng có kết quả"
                for u, n in con.execute(
                    sql("dti/missing_components"), {"unit_group": unit_group, "year": year, "expected": expected}
                ).fetchall()
            ]
    problems += [
        f"{u}: chưa có phiếu dùng được nhưng vẫn được xếp hạng"
        for (u,) in con.execute(
            "SELECT unit_code FROM mart_dti_unit WHERE year = ? AND NOT has_form AND rank IS NOT NULL", [year]
        ).fetchall()
    ]
    if not con.execute("SELECT count(*) FROM mart_dti_unit WHERE year = ? AND has_form", [year]).fetchall()[0][0]:
        problems.append(f"năm {year}: không đơn vị nào có phiếu tự đánh giá dùng được")
    return problems


# A year's scorecards that lost more than this share of what was published (units with a usable form, or every value
# of one data source) lost their inputs by accident (a folder moved, a source's file gone), not by a correction.
LOSS_SHARE = 0.5


def _input_counts(con: duckdb.DuckDBPyConnection, year: int) -> tuple[int, dict[str, int]]:
    """Units with a usable form, and per data source the components with a value, of the year's scorecards."""
    forms = con.execute("SELECT count(*) FROM mart_dti_unit WHERE year = ? AND has_form", [year]).fetchall()[0][0]
    sources = con.execute(
        """SELECT data_source, count(*) FILTER (WHERE source NOT IN ('missing', 'not_measured'))
           FROM mart_dti_component WHERE year = ? AND data_source IS NOT NULL GROUP BY ALL""",
        [year],
    ).fetchall()
    return forms, dict(sources)


def input_losses(con: duckdb.DuckDBPyConnection, published: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """What the year's scorecards in ``con`` lost against the published ones (``published``, the analysts' snapshot):
    more than LOSS_SHARE of the units with a usable form, or more than LOSS_SHARE of the values of a data source the
    year's tree still names (a source reworded or dropped by a new tree is no loss). Empty when nothing was published
    for the year (a year just begun) or nothing was lost."""
    try:
        before_forms, before_sources = _input_counts(published, year)
    except duckdb.Error:  # a snapshot from before these marts: nothing to compare with
        return []
    forms, sources = _input_counts(con, year)
    losses = []
    if before_forms and forms < (1 - LOSS_SHARE) * before_forms:
        losses.append(f"số đơn vị có phiếu tự đánh giá dùng được giảm từ {before_forms} (đã công bố) xuống {forms}")
    for source, before in sorted(before_sources.items()):
        if source not in sources:  # no component of the year's tree names it any more: the tree changed, no loss
            continue
        now = sources[source]
        if before and now < (1 - LOSS_SHARE) * before:
            losses.append(f"nguồn '{source}': {now} giá trị thành phần, đã công bố {before}")
    return losses


def missing_forms(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple[str, str, str]]:
    """(unit code, unit name, why) of the units listed as without a usable form."""
    return con.execute(sql("dti/missing_forms"), {"year": year}).fetchall()
