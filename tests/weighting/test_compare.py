"""Tests of weighting.compare: hand-checked values, scipy cross-checks and invariants."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dea.exceptions import InputDataError
from weighting.compare import Comparison, MissingUnitsWarning, compare, rank_scores

matplotlib.use("Agg")

UNITS = list("ABCDE")


@pytest.fixture
def three() -> dict[str, pd.Series]:
    # x ranks A1 B2 C3 D4 E5; y ranks A2 B1 C3 D5 E4; z is x reversed.
    return {
        "x": pd.Series([5.0, 4, 3, 2, 1], index=UNITS),
        "y": pd.Series([4.0, 5, 3, 1, 2], index=UNITS),
        "z": pd.Series([1.0, 2, 3, 4, 5], index=UNITS),
    }


def test_hand_checked_values(three):
    cmp = compare(three)
    assert isinstance(cmp, Comparison)
    assert list(cmp.ranks["y"]) == [2, 1, 3, 5, 4]
    # x vs y: d = (1,1,0,1,1), sum d^2 = 4 -> rho = 1 - 6*4/(5*24) = 0.8;
    # 2 discordant pairs (A,B), (D,E) of 10 -> tau = (8-2)/10 = 0.6.
    assert cmp.spearman.loc["x", "y"] == pytest.approx(0.8)
    assert cmp.kendall.loc["x", "y"] == pytest.approx(0.6)
    assert cmp.rank_shift.loc["x", "y"] == pytest.approx(0.8)
    assert cmp.max_rank_shift.loc["x", "y"] == 1
    # x vs z: reversed -> rho = tau = -1; shifts (4,2,0,2,4): mean 2.4, max 4.
    assert cmp.spearman.loc["x", "z"] == pytest.approx(-1)
    assert cmp.kendall.loc["z", "x"] == pytest.approx(-1)
    assert cmp.rank_shift.loc["z", "x"] == pytest.approx(2.4)
    assert cmp.max_rank_shift.loc["x", "z"] == 4
    # y vs z: d = (3,3,0,3,3), sum d^2 = 36 -> rho = 1 - 216/120 = -0.8; tau = -0.6.
    assert cmp.spearman.loc["y", "z"] == pytest.approx(-0.8)
    assert cmp.kendall.loc["y", "z"] == pytest.approx(-0.6)
    assert cmp.max_rank_shift.loc["y", "z"] == 3
    # top-k overlap
    assert cmp.top_k_overlap(1).loc["x", "y"] == 0
    assert cmp.top_k_overlap(2).loc["x", "y"] == 1
    assert cmp.top_k_overlap(2).loc["x", "z"] == 0
    assert cmp.top_k_overlap(3).loc["y", "z"] == pytest.approx(1 / 3)
    # movers: rank ranges A 4, B 3, C 0, D 3, E 4
    mv = cmp.movers(2)
    assert list(mv.index) == ["A", "E"]
    assert list(mv["rank_range"]) == [4, 4]
    assert mv.loc["A", "best_scheme"] == "x" and mv.loc["A", "worst_scheme"] == "z"
    assert cmp.rank_range["C"] == 0
    pairs = cmp.pairs(k=2)
    assert pairs.shape == (3, 5)
    assert pairs.loc[("x", "y"), "top_2_overlap"] == 1


def test_matches_scipy_with_ties():
    rng = np.random.default_rng(3)
    a = pd.Series(rng.integers(0, 5, 30).astype(float), index=[f"u{i}" for i in range(30)])
    b = pd.Series(rng.integers(0, 5, 30).astype(float), index=a.index)
    cmp = compare({"a": a, "b": b})
    assert cmp.spearman.loc["a", "b"] == pytest.approx(stats.spearmanr(a, b).statistic)
    assert cmp.kendall.loc["a", "b"] == pytest.approx(stats.kendalltau(a, b).statistic)


def test_lower_is_better_and_dataframe_input(three):
    df = pd.DataFrame(three)
    cmp = compare(df, higher_is_better={"z": False})
    # z with lower-is-better ranks exactly like x
    assert cmp.spearman.loc["x", "z"] == pytest.approx(1)
    assert cmp.rank_shift.loc["x", "z"] == 0
    assert list(rank_scores(df["z"], higher_is_better=False)) == [1, 2, 3, 4, 5]
    assert list(rank_scores(df["z"])) == [5, 4, 3, 2, 1]


def test_missing_units_reported_and_common_set(three):
    three["x"] = pd.concat([three["x"], pd.Series({"F": 9.0})])
    three["y"] = three["y"].drop("E")
    three["z"] = three["z"].copy()
    three["z"]["B"] = np.nan
    with pytest.warns(MissingUnitsWarning, match="'y' lacks 'E', 'F'"):
        cmp = compare(three)
    assert list(cmp.common) == ["A", "C", "D"]
    assert set(cmp.dropped) == {"B", "E", "F"}
    assert cmp.missing.loc["B", "z"] and not cmp.missing.loc["B", "x"]
    # ranks are recomputed on the common set
    assert list(cmp.ranks["x"]) == [1, 2, 3]
    assert "dropped 3 units" in repr(cmp)


def test_too_few_common_units_names_schemes():
    a = pd.Series([1.0, 2, 3], index=["p", "q", "r"])
    b = pd.Series([1.0, 2, 3], index=["p", "q", "s"])
    with pytest.raises(InputDataError, match=r"only 2 unit\(s\).*'a', 'b'"):
        compare({"a": a, "b": b})


@pytest.mark.parametrize(
    ("scores", "msg"),
    [
        ({"a": pd.Series([1.0, 2, 3])}, "at least two"),
        ({"a": pd.Series([1.0, 2, 3]), "b": [1, 2, 3]}, "expected a pandas Series"),
        ({"a": pd.Series([1.0, 2, 3]), "b": pd.Series(["x", "y", "z"])}, "not numeric"),
        ({"a": pd.Series([1.0, 2, 3]), "b": pd.Series([1.0, np.inf, 3])}, "infinite"),
        ({"a": pd.Series([1.0, 2, 3], index=[0, 0, 1]), "b": pd.Series([1.0, 2])}, "duplicated"),
    ],
)
def test_bad_input(scores, msg):
    with pytest.raises(InputDataError, match=msg):
        compare(scores)


def test_bad_k(three):
    cmp = compare(three)
    with pytest.raises(InputDataError, match="between 1 and"):
        cmp.top_k_overlap(6)


def test_result_object_accepted(three):
    class Res:
        scores = three["y"]

    cmp = compare({"x": three["x"], "res": Res()})
    assert cmp.spearman.loc["x", "res"] == pytest.approx(0.8)


def test_repr_and_html(three):
    cmp = compare(three)
    text = repr(cmp)
    assert "3 schemes on 5 common units" in text
    assert "spearman" in text
    assert "<table" in cmp._repr_html_()


def test_plots(three):
    import matplotlib.pyplot as plt

    cmp = compare(three)
    ax = cmp.plot_rank_shifts(highlight=2)
    assert len(ax.lines) == 5
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # rank 1 at the top
    axes = cmp.plot_scatter_matrix()
    assert axes.shape == (3, 3)
    _, grid = plt.subplots(2, 2)
    with pytest.raises(InputDataError, match="3 x 3 grid"):
        cmp.plot_scatter_matrix(ax=grid)
    plt.close("all")


scores_strategy = st.lists(
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=3, max_size=25
)


@settings(max_examples=40, deadline=None)
@given(scores_strategy)
def test_self_comparison_is_perfect(values):
    s = pd.Series(values, index=[f"u{i}" for i in range(len(values))])
    cmp = compare({"a": s, "b": s.copy()})
    assert (cmp.rank_shift.to_numpy() == 0).all()
    assert (cmp.max_rank_shift.to_numpy() == 0).all()
    if s.nunique() > 1:
        assert np.allclose(cmp.spearman.to_numpy(), 1)
        assert np.allclose(cmp.kendall.to_numpy(), 1)
    assert (cmp.top_k_overlap(1).to_numpy() == 1).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=4, max_size=20), st.randoms(use_true_random=False))
def test_permutation_invariance_and_scipy(values, rnd):
    idx = [f"u{i}" for i in range(len(values))]
    a = pd.Series(np.asarray(values, dtype=float), index=idx)
    b = pd.Series(np.arange(len(values), dtype=float) % 3, index=idx)
    c1 = compare({"a": a, "b": b})
    perm = list(idx)
    rnd.shuffle(perm)
    c2 = compare({"a": a.loc[perm], "b": b})
    pd.testing.assert_frame_equal(c1.spearman, c2.spearman)
    pd.testing.assert_frame_equal(c1.rank_shift, c2.rank_shift)
    if a.nunique() > 1:
        assert c1.spearman.loc["a", "b"] == pytest.approx(stats.spearmanr(a, b).statistic)
        assert c1.kendall.loc["a", "b"] == pytest.approx(stats.kendalltau(a, b).statistic)


def test_compare_scheme_results():
    # SchemeResult objects are accepted as they are (their `scores` Series is used)
    from weighting.scheme import Scheme

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.uniform(1, 10, (12, 3)), columns=["p", "q", "r"],
                        index=[f"u{i}" for i in range(12)])
    inds = [{"name": c} for c in data.columns]
    equal = Scheme(inds, name="equal").score(data)
    skew = Scheme(inds, weights={"p": 8, "q": 1, "r": 1}, name="skew").score(data)
    cmp = compare({"equal": equal, "skew": skew})
    assert cmp.spearman.loc["equal", "skew"] == pytest.approx(
        stats.spearmanr(equal.scores, skew.scores).statistic
    )
    same = compare({"a": equal, "b": Scheme(inds, weights={"p": 2, "q": 2, "r": 2}).score(data)})
    assert same.rank_shift.loc["a", "b"] == pytest.approx(0)
