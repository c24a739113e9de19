"""How robust is each unit's published DTI rank? A seeded Monte-Carlo uncertainty analysis. Pure numpy/pandas.

Each replication perturbs (a) the weight of every main index by a uniform multiplicative factor
w × U(1 − spread, 1 + spread) and (b) the treatment of missing components (counted as 0 or filled with the group
mean, one coin toss per replication shared by all units), recomputes the weighted scores and re-ranks the eligible
units within their ranking group. Everything is vectorised over replications; only the few ranking groups loop.

Percentiles: ``rank_p05`` uses ``np.percentile(method="lower")`` and ``rank_p95`` ``method="higher"``, so both
bounds are ranks that actually occurred (integers officials can read) and the interval is never narrower than the
interpolated 5–95 interval. ``rank_median`` is ``np.median`` (may end in .5 when the two middle ranks differ).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.rounding import round_half_up

MISSING_TREATMENTS = ("zero", "mean")
OUTPUT_COLUMNS = (
    "unit_code",
    "ranking_group",
    "score",
    "rank",
    "rank_median",
    "rank_p05",
    "rank_p95",
    "rank_best",
    "rank_worst",
    "share_same_rank",
)


@dataclass(frozen=True)
class UncertaintyInputs:
    unit_codes: tuple[str, ...]  # n units
    groups: tuple[str, ...]  # ranking group of each unit ("agency" | "local"); units are ranked within their group
    eligible: np.ndarray  # bool (n,): ranked units; the others get NA rank and NaN interval
    weights: np.ndarray  # float (k,): weight of each main index; 0 allowed
    value_zero: np.ndarray  # float (n, k) in [0, 1], missing components counted as 0; NaN = index does not apply
    value_mean: np.ndarray  # float (n, k) in [0, 1], missing components filled with the group mean; same NaN cells


def _validate_settings(replications: int, weight_spread: float, published_missing: str = "zero") -> None:
    if not (isinstance(replications, int | np.integer) and replications >= 1):
        raise ValueError(f"Số lần tính lại phải là số nguyên từ 1 trở lên: nhận {replications!r}.")
    if not (np.isfinite(weight_spread) and 0.0 <= weight_spread < 1.0):
        raise ValueError(f"Biên độ dao động trọng số phải nằm trong khoảng [0, 1): nhận {weight_spread!r}.")
    if published_missing not in MISSING_TREATMENTS:
        raise ValueError(
            f"Cách tính thành phần thiếu dữ liệu không hợp lệ: {published_missing!r} "
            "(chỉ nhận 'zero' – tính 0 điểm, hoặc 'mean' – bằng trung bình nhóm)."
        )


def _validate_inputs(inputs: UncertaintyInputs) -> tuple[np.ndarray, ...]:
    """Checked float/bool arrays: (groups, eligible, weights, value_zero, value_mean)."""
    n = len(inputs.unit_codes)
    codes = list(inputs.unit_codes)
    if len(set(codes)) != n:
        duplicated = sorted({c for c in codes if codes.count(c) > 1})
        raise ValueError(f"Mã đơn vị bị trùng: {', '.join(duplicated)}.")
    groups = np.asarray(inputs.groups, dtype=object)
    eligible = np.asarray(inputs.eligible)
    weights = np.asarray(inputs.weights, dtype=float)
    zero = np.asarray(inputs.value_zero, dtype=float)
    mean = np.asarray(inputs.value_mean, dtype=float)
    if weights.ndim != 1:
        raise ValueError(f"Kích thước dữ liệu không khớp: weights phải là mảng một chiều (k,), nhận {weights.shape}.")
    k = weights.shape[0]
    for name, array, expected in (
        ("groups", groups, (n,)),
        ("eligible", eligible, (n,)),
        ("value_zero", zero, (n, k)),
        ("value_mean", mean, (n, k)),
    ):
        if array.shape != expected:
            raise ValueError(
                f"Kích thước dữ liệu không khớp: {name} có kích thước {array.shape}, cần {expected} "
                f"({n} đơn vị, {k} chỉ số chính)."
            )
    if eligible.dtype != bool:
        raise ValueError(f"eligible phải là mảng True/False (kiểu bool), nhận kiểu {eligible.dtype}.")
    _check_weights(weights)
    _check_values(codes, weights, eligible, zero, mean)
    return groups, eligible, weights, zero, mean


def _check_weights(weights: np.ndarray) -> None:
    """ValueError unless the weights are finite, none negative and at least one positive."""
    if not np.isfinite(weights).all():
        raise ValueError("Trọng số của các chỉ số chính phải là số hữu hạn (không để trống).")
    if (weights < 0).any():
        i = int(np.flatnonzero(weights < 0)[0])
        raise ValueError(f"Trọng số không được âm: chỉ số chính thứ {i + 1} có trọng số {weights[i]:g}.")
    if not (weights > 0).any():
        raise ValueError("Tất cả trọng số đều bằng 0: cần ít nhất một chỉ số chính có trọng số dương.")


def _check_values(codes: list[str], weights: np.ndarray, eligible: np.ndarray, zero: np.ndarray, mean: np.ndarray) -> None:
    """ValueError unless the values are in [0, 1], blank (NaN) at the same places in both readings, and every ranked
    unit has a main index with a positive weight."""
    for name, values in (("value_zero", zero), ("value_mean", mean)):
        bad = ~np.isnan(values) & ((values < 0) | (values > 1))
        if bad.any():
            u, i = (int(x) for x in np.argwhere(bad)[0])
            raise ValueError(
                f"Giá trị chỉ số chính phải nằm trong khoảng [0, 1]: {name} của đơn vị {codes[u]}, "
                f"chỉ số chính thứ {i + 1} bằng {values[u, i]:g}."
            )
    if (np.isnan(zero) != np.isnan(mean)).any():
        u = int(np.argwhere(np.isnan(zero) != np.isnan(mean))[0, 0])
        raise ValueError(
            f"value_zero và value_mean phải để trống (NaN) ở cùng các chỉ số chính không áp dụng: khác nhau ở đơn vị {codes[u]}."
        )
    # Weights only shrink/grow by < 100 %, so a positive weight stays positive: checking the published weights suffices.
    scorable = (~np.isnan(zero) & (weights > 0)).any(axis=1)
    if (eligible & ~scorable).any():
        u = int(np.flatnonzero(eligible & ~scorable)[0])
        raise ValueError(
            f"Đơn vị {codes[u]} được xếp hạng nhưng không có chỉ số chính nào áp dụng với trọng số dương, "
            "nên không tính được điểm."
        )


def _scores(weights: np.ndarray, use_mean: np.ndarray, zero: np.ndarray, mean: np.ndarray, scale: float) -> np.ndarray:
    """(R, n) weighted averages over the applicable main indices, for weights (R, k) and treatment flags (R,).

    Element-wise products summed over the last axis (not a matmul) so a row's result does not depend on how many
    replications are computed with it: an unperturbed replication reproduces the published score bit for bit.
    """
    applies = ~np.isnan(zero)
    values = np.where(use_mean[:, None, None], np.nan_to_num(mean), np.nan_to_num(zero))  # (R, n, k)
    numerator = (values * weights[:, None, :]).sum(axis=2)
    denominator = (applies[None, :, :] * weights[:, None, :]).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerator / denominator * scale


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4; higher score = better) along the last axis: 1 + number of strictly greater scores.

    Sort-based (O(m log m) per row, memory O(R·m)) rather than an (R, m, m) comparison: in descending order a
    score's rank is 1 + the position where its run of equal scores starts.
    """
    scores = np.asarray(scores, dtype=float)
    m = scores.shape[-1]
    order = np.argsort(-scores, axis=-1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=-1)
    run_starts = np.ones(ordered.shape, dtype=bool)
    run_starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    start = np.maximum.accumulate(np.where(run_starts, np.arange(m), 0), axis=-1)
    ranks = np.empty(scores.shape, dtype=float)
    np.put_along_axis(ranks, order, start + 1.0, axis=-1)
    return ranks


def _half_up(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded as every published figure is (scoring.rounding.round_half_up), NaN kept."""
    return np.vectorize(lambda v: v if np.isnan(v) else round_half_up(float(v), digits), otypes=[float])(values)


def _rank_in_groups(scores: np.ndarray, groups: np.ndarray, eligible: np.ndarray, tie_decimals: int) -> np.ndarray:
    """(R, n) ranks within each ranking group among eligible units; NaN for the others."""
    # Rounding first so float noise (e.g. 0.1 + 0.2) does not split a real tie; half up as the published ranking
    # (np.round takes a half to even: 70.125 became 70.12, ranked below the 70.13 it is published tied with).
    rounded = _half_up(scores, tie_decimals)
    ranks = np.full(scores.shape, np.nan)
    for group in pd.unique(groups[eligible]):
        members = np.flatnonzero(eligible & (groups == group))
        ranks[:, members] = competition_ranks(rounded[:, members])
    return ranks


def _published(
    inputs: UncertaintyInputs, published_missing: str, scale: float, tie_decimals: int
) -> tuple[np.ndarray, np.ndarray]:
    groups, eligible, weights, zero, mean = _validate_inputs(inputs)
    scores = _scores(weights[None, :], np.array([published_missing == "mean"]), zero, mean, scale)
    return scores[0], _rank_in_groups(scores, groups, eligible, tie_decimals)[0]


def replicate_ranks(
    inputs: UncertaintyInputs,
    *,
    replications: int = 1000,
    weight_spread: float = 0.25,
    vary_missing: bool = True,
    published_missing: str = "zero",
    seed: int = 2026,
    scale: float = 100.0,
    tie_decimals: int = 6,
) -> np.ndarray:
    """(replications, n) matrix of ranks, one row per replication (NaN for non-eligible units)."""
    _validate_settings(replications, weight_spread, published_missing)
    groups, eligible, weights, zero, mean = _validate_inputs(inputs)
    rng = np.random.default_rng(seed)
    # Draw order is fixed (factors, then treatments) so a seed always gives the same replications.
    factors = 1.0 + weight_spread * rng.uniform(-1.0, 1.0, size=(replications, weights.shape[0]))
    coin = rng.random(replications) < 0.5
    use_mean = coin if vary_missing else np.full(replications, published_missing == "mean")
    scores = _scores(weights[None, :] * factors, use_mean, zero, mean, scale)
    return _rank_in_groups(scores, groups, eligible, tie_decimals)


def rank_intervals(
    inputs: UncertaintyInputs,
    *,
    replications: int = 1000,
    weight_spread: float = 0.25,
    vary_missing: bool = True,
    published_missing: str = "zero",
    seed: int = 2026,
    scale: float = 100.0,
    tie_decimals: int = 6,
) -> pd.DataFrame:
    """One row per unit (input order): published score and rank, median rank, 5–95 % rank interval, best/worst rank
    and the share of replications that reproduce the published rank.

    Scores are compared after rounding to ``tie_decimals`` (6: only float noise ties; 2: the ties of the published
    2-decimal scores, exactly as ``scoring.ranking.rank_within``).
    """
    _validate_settings(replications, weight_spread, published_missing)
    score, rank = _published(inputs, published_missing, scale, tie_decimals)
    ranks = replicate_ranks(
        inputs,
        replications=replications,
        weight_spread=weight_spread,
        vary_missing=vary_missing,
        published_missing=published_missing,
        seed=seed,
        scale=scale,
        tie_decimals=tie_decimals,
    )
    ranked = ~np.isnan(rank)
    n = len(inputs.unit_codes)

    def per_unit(values: np.ndarray) -> np.ndarray:
        out = np.full(n, np.nan)
        out[ranked] = values
        return out

    sample = ranks[:, ranked]
    return pd.DataFrame(
        {
            "unit_code": list(inputs.unit_codes),
            "ranking_group": list(inputs.groups),
            "score": _half_up(score, 2),
            "rank": pd.array(np.where(ranked, rank, np.nan), dtype="Int64"),
            "rank_median": per_unit(np.median(sample, axis=0)),
            "rank_p05": per_unit(np.percentile(sample, 5, axis=0, method="lower")),
            "rank_p95": per_unit(np.percentile(sample, 95, axis=0, method="higher")),
            "rank_best": per_unit(sample.min(axis=0)),
            "rank_worst": per_unit(sample.max(axis=0)),
            "share_same_rank": per_unit((sample == rank[ranked]).mean(axis=0)),
        },
        columns=list(OUTPUT_COLUMNS),
    )


def _vietnamese_number(value: float) -> str:
    """1000 -> "1.000", 12.5 -> "12,5" (Vietnamese separators)."""
    whole, _, fraction = f"{value:,.2f}".rstrip("0").rstrip(".").partition(".")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


def describe_method(
    weight_spread: float, replications: int, vary_missing: bool, seed: int, *, published_missing: str = "zero"
) -> str:
    """One Vietnamese sentence for the publication's method sheet."""
    _validate_settings(replications, weight_spread, published_missing)
    if weight_spread > 0:
        weights = f"trọng số mỗi chỉ số chính nhân ngẫu nhiên trong khoảng ±{_vietnamese_number(weight_spread * 100)} %"
    else:
        weights = "trọng số giữ nguyên"
    if vary_missing:
        missing = "thành phần thiếu dữ liệu tính 0 điểm hoặc bằng trung bình nhóm (mỗi cách khoảng một nửa số lần)"
    else:
        treatment = "tính 0 điểm" if published_missing == "zero" else "bằng trung bình nhóm"
        missing = f"thành phần thiếu dữ liệu giữ cách tính khi công bố ({treatment})"
    return (
        f"Xếp hạng được tính lại {_vietnamese_number(replications)} lần: {weights}; {missing}; "
        f"giá trị khởi tạo ngẫu nhiên (seed) {seed}, chạy lại cho cùng kết quả. "
        "Khoảng xếp hạng là bách phân vị 5–95."
    )
