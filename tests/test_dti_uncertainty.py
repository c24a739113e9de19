"""Rank uncertainty of the DTI index (scoring/uncertainty.py): hand-computed scores and ranks, reproducibility,
perturbation behaviour and validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.ranking import rank_within
from scoring.uncertainty import (
    OUTPUT_COLUMNS,
    UncertaintyInputs,
    competition_ranks,
    describe_method,
    rank_intervals,
    replicate_ranks,
)

FIXED = {"weight_spread": 0.0, "vary_missing": False}  # nothing perturbed


def make_inputs(
    values: list[list[float]],
    weights: list[float],
    *,
    mean: list[list[float]] | None = None,
    groups: list[str] | None = None,
    eligible: list[bool] | None = None,
) -> UncertaintyInputs:
    n = len(values)
    zero = np.array(values, dtype=float)
    return UncertaintyInputs(
        unit_codes=tuple(f"U{i + 1:02d}" for i in range(n)),
        groups=tuple(groups or ["local"] * n),
        eligible=np.array(eligible if eligible is not None else [True] * n, dtype=bool),
        weights=np.array(weights, dtype=float),
        value_zero=zero,
        value_mean=np.array(mean, dtype=float) if mean is not None else zero.copy(),
    )


def synthetic(n_agency: int = 20, n_local: int = 90, k: int = 9, seed: int = 1) -> UncertaintyInputs:
    """A province-sized case: two groups, not-applicable indices, missing components, exact ties, unranked units."""
    rng = np.random.default_rng(seed)
    n = n_agency + n_local
    zero = rng.uniform(0, 1, size=(n, k)).round(3)
    zero[rng.random((n, k)) < 0.05] = np.nan  # main index does not apply
    zero[:, 0] = rng.uniform(0, 1, n).round(3)  # every unit has at least one applicable index
    mean = np.where(rng.random((n, k)) < 0.2, np.minimum(zero + 0.2, 1.0), zero)  # filling raises the value
    zero[n_agency + 1], mean[n_agency + 1] = zero[n_agency], mean[n_agency]  # an exact tie among locals
    eligible = np.ones(n, dtype=bool)
    eligible[[3, n - 1]] = False
    return UncertaintyInputs(
        tuple(f"U{i:03d}" for i in range(n)),
        tuple(["agency"] * n_agency + ["local"] * n_local),
        eligible,
        np.array([15, 15, 10, 10, 10, 10, 10, 10, 10], dtype=float)[:k],
        zero,
        mean,
    )


def row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.set_index("unit_code").loc[code]


# Published score and rank, by hand.


def test_published_scores_and_ranks_hand_computed() -> None:
    # (2·1 + 1·0)/3 = 66.67, (2·0.5 + 1·0.5)/3 = 50, (2·0 + 1·1)/3 = 33.33
    out = rank_intervals(make_inputs([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]], [2, 1]), replications=50)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out["score"].tolist() == [66.67, 50.0, 33.33]
    assert out["rank"].tolist() == [1, 2, 3]
    assert str(out["rank"].dtype) == "Int64"


def test_ties_share_a_rank_and_the_next_rank_is_skipped() -> None:
    # 100, 10, 10, 0 -> 1, 2, 2, 4. (0 + 0.1 + 0.2)/3·100 is 10.000000000000002 in floating point: the float
    # noise must not split the tie with (0 + 0 + 0.3)/3·100 = 10.
    out = rank_intervals(make_inputs([[1, 1, 1], [0, 0.1, 0.2], [0, 0, 0.3], [0, 0, 0]], [1, 1, 1]), **FIXED)
    assert out["score"].tolist() == [100.0, 10.0, 10.0, 0.0]
    assert out["rank"].tolist() == [1, 2, 2, 4]


def test_not_applicable_main_index_leaves_the_weighted_average() -> None:
    # weights (2, 1): [NaN, 0.4] -> 0.4 over weight 1 only = 40; [0.7, NaN] -> 70; [0.5, 0.8] -> 1.8/3 = 60
    out = rank_intervals(make_inputs([[np.nan, 0.4], [0.7, np.nan], [0.5, 0.8]], [2, 1]), **FIXED)
    assert out["score"].tolist() == [40.0, 70.0, 60.0]
    assert out["rank"].tolist() == [3, 1, 2]


def test_zero_weight_index_does_not_affect_scores_or_replications() -> None:
    a = make_inputs([[0.9, 0.0, 0.1], [0.4, 1.0, 0.5], [0.2, 0.5, 0.6]], [1, 0, 1])
    b = make_inputs([[0.9, 1.0, 0.1], [0.4, 0.0, 0.5], [0.2, 0.3, 0.6]], [1, 0, 1])
    assert rank_intervals(a)["score"].tolist() == [50.0, 45.0, 40.0]
    pd.testing.assert_frame_equal(rank_intervals(a), rank_intervals(b))


def test_published_rank_matches_rank_within_on_two_decimal_scores() -> None:
    inputs = synthetic()
    out = rank_intervals(inputs, replications=10, tie_decimals=2)
    published = rank_within(out.assign(total=out["score"].where(inputs.eligible)), by=("ranking_group",), evaluated=None)
    assert out["rank"].tolist() == published["rank"].tolist()


def test_tie_decimals_decide_whether_a_third_decimal_splits_a_tie() -> None:
    # 50.004 and 50.001 both publish as 50.00: distinct at 6 decimals, tied at 2 (as rank_within ranks them)
    inputs = make_inputs([[0.50004], [0.50001]], [1])
    assert rank_intervals(inputs, **FIXED)["rank"].tolist() == [1, 2]
    assert rank_intervals(inputs, **FIXED, tie_decimals=2)["rank"].tolist() == [1, 1]


def test_competition_ranks_equal_one_plus_count_of_strictly_greater_scores() -> None:
    scores = np.random.default_rng(5).integers(0, 6, size=(40, 12)).astype(float)  # many ties
    expected = 1 + (scores[:, None, :] > scores[:, :, None]).sum(axis=2)
    np.testing.assert_array_equal(competition_ranks(scores), expected)


# Reproducibility and the unperturbed case.


def test_same_seed_same_result_and_other_seed_other_replications() -> None:
    inputs = synthetic()
    pd.testing.assert_frame_equal(rank_intervals(inputs, seed=7), rank_intervals(inputs, seed=7))
    first, second = replicate_ranks(inputs, seed=7, replications=200), replicate_ranks(inputs, seed=8, replications=200)
    assert first.shape == (200, 110)
    assert not np.array_equal(first, second, equal_nan=True)
    assert not rank_intervals(inputs, seed=7)["share_same_rank"].equals(rank_intervals(inputs, seed=8)["share_same_rank"])


@pytest.mark.parametrize("published_missing", ["zero", "mean"])
def test_nothing_perturbed_gives_zero_width_intervals(published_missing: str) -> None:
    out = rank_intervals(synthetic(), **FIXED, published_missing=published_missing, replications=100)
    ranked = out[out["rank"].notna()]
    for column in ("rank_median", "rank_p05", "rank_p95", "rank_best", "rank_worst"):
        assert (ranked[column] == ranked["rank"].astype(float)).all(), column
    assert (ranked["share_same_rank"] == 1.0).all()


# Perturbation.


def test_dominant_unit_keeps_rank_one_and_close_units_swap() -> None:
    # A is best in every index. B = 50 and C = 47.5 with equal weights; C overtakes B when w2/w1 > 10/9, which
    # for w × U(0.75, 1.25) has probability (triangle 0.5·(1.25 − 0.75·10/9)·(1.125 − 0.75)) / 0.25 = 0.3125.
    inputs = make_inputs([[1.0, 1.0], [0.8, 0.2], [0.3, 0.65], [0.0, 0.1]], [1, 1])
    out = rank_intervals(inputs, vary_missing=False)
    a, b, c, d = (row(out, code) for code in ("U01", "U02", "U03", "U04"))
    assert (a["rank_p05"], a["rank_median"], a["rank_p95"], a["share_same_rank"]) == (1, 1, 1, 1.0)
    assert (b["rank"], b["rank_p05"], b["rank_p95"], b["rank_best"], b["rank_worst"]) == (2, 2, 3, 2, 3)
    assert (c["rank"], c["rank_p05"], c["rank_p95"]) == (3, 2, 3)
    assert b["share_same_rank"] == pytest.approx(1 - 0.3125, abs=0.05)
    assert b["share_same_rank"] == c["share_same_rank"]  # they swap together
    assert d["rank_best"] == d["rank_worst"] == 4
    ranks = replicate_ranks(inputs, vary_missing=False)
    assert (np.sort(ranks, axis=1) == [1, 2, 3, 4]).all()  # every replication is a full ranking


def test_rank_that_depends_only_on_missing_treatment() -> None:
    # X scores 40 with missing counted as 0 and 80 with the group mean; Y scores 60 either way.
    inputs = make_inputs([[0.4], [0.6]], [1], mean=[[0.8], [0.6]])
    varied = rank_intervals(inputs, weight_spread=0.0, vary_missing=True)
    x = row(varied, "U01")
    assert (x["score"], x["rank"], x["rank_best"], x["rank_worst"], x["rank_p05"], x["rank_p95"]) == (40, 2, 1, 2, 1, 2)
    assert x["share_same_rank"] == pytest.approx(0.5, abs=0.06)  # a fair coin per replication
    fixed = rank_intervals(inputs, **FIXED)
    assert fixed["rank"].tolist() == [2, 1]
    as_mean = rank_intervals(inputs, **FIXED, published_missing="mean")
    assert as_mean["score"].tolist() == [80.0, 60.0]
    assert as_mean["rank"].tolist() == [1, 2]
    assert row(as_mean, "U01")["rank_p95"] == 1


def test_missing_treatment_is_one_choice_per_replication_for_all_units() -> None:
    # Both X and Z gain from the group mean; if the treatment were drawn per unit they would sometimes disagree.
    inputs = make_inputs([[0.4], [0.6], [0.3]], [1], mean=[[0.8], [0.6], [0.7]])
    ranks = replicate_ranks(inputs, weight_spread=0.0, replications=300)
    as_zero = (ranks[:, 0] == 2) & (ranks[:, 2] == 3)
    as_mean = (ranks[:, 0] == 1) & (ranks[:, 2] == 2)
    assert (as_zero | as_mean).all() and as_zero.any() and as_mean.any()


# Groups and eligibility.


def test_groups_are_ranked_separately_and_unranked_units_take_no_rank() -> None:
    inputs = make_inputs(
        [[0.9], [0.5], [0.2], [1.0], [0.6], [0.1]],
        [1],
        groups=["agency", "agency", "local", "local", "local", "local"],
        eligible=[True, True, True, False, True, True],
    )
    out = rank_intervals(inputs)
    assert out["rank"].tolist() == [1, 2, 2, pd.NA, 1, 3]
    unranked = row(out, "U04")
    assert unranked["score"] == 100.0  # still shown, but not ranked
    assert unranked[["rank_median", "rank_p05", "rank_p95", "rank_best", "rank_worst", "share_same_rank"]].isna().all()


def test_unranked_unit_without_any_applicable_index_is_allowed() -> None:
    inputs = make_inputs([[0.7, 0.2], [np.nan, np.nan]], [1, 1], eligible=[True, False])
    out = rank_intervals(inputs)
    assert out["rank"].tolist() == [1, pd.NA]
    assert np.isnan(out["score"].iloc[1])


# Validation.


def replace(inputs: UncertaintyInputs, **changes: object) -> UncertaintyInputs:
    return UncertaintyInputs(**{**inputs.__dict__, **changes})


BASE = make_inputs([[0.5, 0.2], [0.3, 0.9]], [1, 1])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (replace(BASE, groups=("local",)), "Kích thước dữ liệu không khớp: groups"),
        (replace(BASE, eligible=np.array([True])), "Kích thước dữ liệu không khớp: eligible"),
        (replace(BASE, weights=np.array([1.0, 1.0, 1.0])), "Kích thước dữ liệu không khớp: value_zero"),
        (replace(BASE, value_mean=np.zeros((2, 3))), "Kích thước dữ liệu không khớp: value_mean"),
        (replace(BASE, weights=np.ones((1, 2))), "weights phải là mảng một chiều"),
        (replace(BASE, eligible=np.array([1, 1])), "kiểu bool"),
        (replace(BASE, weights=np.array([1.0, -0.5])), "Trọng số không được âm: chỉ số chính thứ 2"),
        (replace(BASE, weights=np.array([0.0, 0.0])), "Tất cả trọng số đều bằng 0"),
        (replace(BASE, weights=np.array([1.0, np.nan])), "số hữu hạn"),
        (replace(BASE, value_zero=np.array([[0.5, 1.2], [0.3, 0.9]])), r"\[0, 1\]: value_zero của đơn vị U01"),
        (replace(BASE, value_mean=np.array([[0.5, 0.2], [-0.1, 0.9]])), r"\[0, 1\]: value_mean của đơn vị U02"),
        (replace(BASE, value_mean=np.array([[0.5, np.nan], [0.3, 0.9]])), "khác nhau ở đơn vị U01"),
        (replace(BASE, unit_codes=("U01", "U01")), "Mã đơn vị bị trùng: U01"),
        (
            replace(
                BASE,
                weights=np.array([1.0, 0.0]),
                value_zero=np.array([[np.nan, 0.2], [0.3, 0.9]]),
                value_mean=np.array([[np.nan, 0.2], [0.3, 0.9]]),
            ),
            "Đơn vị U01 được xếp hạng nhưng không có chỉ số chính",
        ),
    ],
)
def test_invalid_inputs_are_refused(inputs: UncertaintyInputs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rank_intervals(inputs)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"weight_spread": 1.0}, "Biên độ dao động trọng số"),
        ({"weight_spread": -0.1}, "Biên độ dao động trọng số"),
        ({"weight_spread": float("nan")}, "Biên độ dao động trọng số"),
        ({"replications": 0}, "Số lần tính lại"),
        ({"replications": 2.5}, "Số lần tính lại"),
        ({"published_missing": "median"}, "Cách tính thành phần thiếu dữ liệu không hợp lệ"),
    ],
)
def test_invalid_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rank_intervals(BASE, **settings)


# Method sheet and size.


def test_describe_method_in_vietnamese() -> None:
    assert describe_method(0.25, 1000, True, 2026) == (
        "Xếp hạng được tính lại 1.000 lần: trọng số mỗi chỉ số chính nhân ngẫu nhiên trong khoảng ±25 %; "
        "thành phần thiếu dữ liệu tính 0 điểm hoặc bằng trung bình nhóm (mỗi cách khoảng một nửa số lần); "
        "giá trị khởi tạo ngẫu nhiên (seed) 2026, chạy lại cho cùng kết quả. Khoảng xếp hạng là bách phân vị 5–95."
    )
    fixed = describe_method(0.125, 20000, False, 7, published_missing="mean")
    assert "20.000 lần" in fixed and "±12,5 %" in fixed and "giữ cách tính khi công bố (bằng trung bình nhóm)" in fixed
    assert "trọng số giữ nguyên" in describe_method(0.0, 10, True, 1)
    with pytest.raises(ValueError, match="Biên độ"):
        describe_method(1.5, 10, True, 1)


def test_province_sized_run() -> None:
    inputs = synthetic()
    out = rank_intervals(inputs, replications=1000)
    assert len(out) == 110 and out["unit_code"].tolist() == list(inputs.unit_codes)
    ranked = out[out["rank"].notna()]
    sizes = ranked.groupby("ranking_group")["rank"].transform("size")
    assert ranked.groupby("ranking_group")["rank"].min().tolist() == [1, 1]
    assert (ranked["rank_worst"] <= sizes).all()
    ordered = ranked[["rank_best", "rank_p05", "rank_median", "rank_p95", "rank_worst"]]
    assert (ordered.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    assert ranked["rank"].between(ranked["rank_best"], ranked["rank_worst"]).all()
    assert out["rank"].isna().sum() == 2


def test_a_half_rounds_up_as_the_published_ranking_does() -> None:
    """70.125 and 70.13 are both published as 70.13, tied at rank 1 (half up); the analysis rounded 70.125 to 70.12
    (numpy's half to even) and ranked it 2nd alone."""
    inputs = make_inputs([[0.70125], [0.7013]], [1])
    assert rank_intervals(inputs, **FIXED, tie_decimals=2)["rank"].tolist() == [1, 1]
