"""Ranking of units within their groups, shared by the indices (QĐ 766, PAR and DTI indices), and how a rank and a
ranking group are shown and ordered in every report. Pure pandas."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from common.units import RANKING_GROUP_LABELS
from common.vntext import sort_key
from scoring.rounding import round_half_up

TIED = "đồng hạng"


def rank_within(
    units: pd.DataFrame,
    by: Iterable[str] = ("period_label", "ranking_group"),
    score: str = "total",
    evaluated: str | None = "evaluated_max",
    eligible: str | None = None,
) -> pd.DataFrame:
    """Competition ranking (1, 2, 2, 4) on the 2-decimal ``score`` within each group of ``by``; ties are flagged.

    Adds ``rank`` (Int64), ``is_tied`` and ``units_in_group``. When ``evaluated`` names a column (the maximum a
    unit's total is out of), only the units scored on the group's most complete set are ranked: a unit whose total
    is out of 88 because a group could not be scored is not ranked below units out of 100; its rank is empty
    ("chưa xếp hạng"). With ``evaluated=None`` every unit is ranked on its score (e.g. an index in percent).
    ``eligible`` names a boolean column: units where it is false (no usable self-assessment) are never ranked.
    """
    out = units.copy()
    keys = list(by)
    allowed = out[eligible].astype(bool) if eligible is not None else pd.Series(True, index=out.index)
    rankable = allowed.copy()
    if evaluated is not None:
        # the most complete set among the units that may be ranked: a unit never ranked (no dossier) that is out of
        # more points left every other unit unranked
        best = out[evaluated].where(allowed).groupby([out[k] for k in keys]).transform("max")
        rankable &= out[evaluated] == best
    rounded = out[score].astype("float64").round(2).where(rankable)
    out["rank"] = rounded.groupby([out[k] for k in keys]).rank(method="min", ascending=False).astype("Int64")
    tie_size = out.groupby([*keys, rounded.rename("_score")])[score].transform("size")
    out["is_tied"] = rankable & (tie_size > 1)
    out["units_in_group"] = rankable.groupby([out[k] for k in keys]).transform("sum").astype("int64")
    return out


def group_average(values: pd.Series, by: list[pd.Series]) -> pd.Series:
    """Each row's group mean of ``values`` (the units with a value), rounded half up to 2 decimals as every published
    figure (pandas' round gives 85.12 for the mean 85.125 of 85.12 and 85.13); missing (NaN) for a group without any value."""
    mean = values.groupby(by).transform("mean")
    return mean.map(lambda v: None if pd.isna(v) else round_half_up(v))


def _missing(value: Any) -> bool:
    """None, NaN, NA or NaT, as read back from a mart."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def rank_label(rank: Any, tied: Any, of: Any = None) -> str:
    """'2', '2 (đồng hạng)', with ``of`` '2/15 (đồng hạng)'; no rank: 'Chưa xếp hạng'."""
    if _missing(rank):
        return "Chưa xếp hạng"
    text = f"{int(rank)}/{int(of)}" if not _missing(of) else str(int(rank))
    return f"{text} ({TIED})" if bool(tied) else text


def group_label(code: str | None) -> str:
    """'agency' -> 'Sở, ban, ngành'; an unknown group is shown as it is."""
    return RANKING_GROUP_LABELS.get(code or "", code or "")


def units_by_group(units: Iterable[dict]) -> list[tuple[str, list[dict]]]:
    """(ranking group, its units: ranked ones by rank, then the others, each by Vietnamese name): agencies, communes
    and wards (both even when empty), then any other group."""
    groups: dict[str, list[dict]] = {g: [] for g in RANKING_GROUP_LABELS}
    for row in units:
        groups.setdefault(row.get("ranking_group") or "", []).append(row)
    order = list(RANKING_GROUP_LABELS)
    keys = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), sort_key(g)))
    return [(g, by_rank(groups[g])) for g in keys]


def by_rank(units: Iterable[dict]) -> list[dict]:
    """Ranked units by rank, then the unranked ones; each by Vietnamese name."""
    return sorted(
        units,
        key=lambda r: (
            math.inf if _missing(r.get("rank")) else r["rank"],
            sort_key(r.get("unit_name") or ""),
            r.get("unit_code") or "",
        ),
    )
