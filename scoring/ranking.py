"""Ranking of units within their groups, shared by the indices (QĐ 766, PAR index). Pure pandas."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def rank_within(units: pd.DataFrame, by: Iterable[str] = ("period_label", "ranking_group"),
                score: str = "total", evaluated: str | None = "evaluated_max",
                eligible: str | None = None) -> pd.DataFrame:
    """Competition ranking (1, 2, 2, 4) on the 2-decimal ``score`` within each group of ``by``; ties are flagged.

    Adds ``rank`` (Int64), ``is_tied`` and ``units_in_group``. When ``evaluated`` names a column (the maximum a
    unit's total is out of), only the units scored on the group's most complete set are ranked: a unit whose total
    is out of 88 because a group could not be scored is not ranked below units out of 100; its rank is empty
    ("chưa xếp hạng"). With ``evaluated=None`` every unit is ranked on its score (e.g. an index in percent).
    ``eligible`` names a boolean column: units where it is false (no usable self-assessment) are never ranked.
    """
    out = units.copy()
    keys = list(by)
    rankable = pd.Series(True, index=out.index)
    if evaluated is not None:
        rankable &= out[evaluated] == out.groupby(keys)[evaluated].transform("max")
    if eligible is not None:
        rankable &= out[eligible].astype(bool)
    rounded = out[score].astype("float64").round(2).where(rankable)
    out["rank"] = rounded.groupby([out[k] for k in keys]).rank(method="min", ascending=False).astype("Int64")
    tie_size = out.groupby([*keys, rounded.rename("_score")])[score].transform("size")
    out["is_tied"] = rankable & (tie_size > 1)
    out["units_in_group"] = rankable.groupby([out[k] for k in keys]).transform("sum").astype("int64")
    return out
