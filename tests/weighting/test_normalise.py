"""Normalisation against a reference set: hand-checked values, scipy cross-checks, invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from dea.exceptions import InputDataError
from weighting import (
    ConstantIndicatorError,
    DistanceToTarget,
    Goalposts,
    Identity,
    Indicator,
    IndicatorSet,
    MinMax,
    MPIStandardise,
    PercentileRank,
    PointMap,
    QuantileClasses,
    Rank,
    Scale,
    ScaleLevelError,
    ScaleLevelWarning,
    ZScore,
    get_normaliser,
    normalise,
)

REF = pd.Series([2.0, 4.0, 6.0, 10.0], index=list("abcd"), name="x")


def test_minmax_hand_values_direction_and_new_units():
    # (x - 2) / (10 - 2): 0, 2/8, 4/8, 8/8
    assert MinMax().fit_transform(REF).tolist() == [0.0, 0.25, 0.5, 1.0]
    # lower is better: (10 - x) / 8
    assert MinMax().fit(REF, direction="lower").transform(REF).tolist() == [1, 0.75, 0.5, 0]
    new = pd.Series([12.0, 0.0, np.nan], index=["n1", "n2", "n3"])
    out = MinMax().fit(REF).transform(new)
    assert out.iloc[0] == pytest.approx(1.25) and out.iloc[1] == pytest.approx(-0.25)
    assert np.isnan(out.iloc[2]) and list(out.index) == ["n1", "n2", "n3"]
    clipped = MinMax(clip=True).fit(REF).transform(new)
    assert clipped.iloc[:2].tolist() == [1.0, 0.0]
    # 1-100 range: 1 + 99 * 0.25
    assert MinMax(low=1, high=100).fit_transform(REF).iloc[1] == pytest.approx(25.75)


def test_zscore_hand_values():
    s = pd.Series([1.0, 2.0, 3.0])
    assert ZScore().fit_transform(s).tolist() == [-1.0, 0.0, 1.0]  # sd (n-1) = 1
    pop = np.sqrt(2 / 3)
    assert ZScore(ddof=0).fit_transform(s).tolist() == pytest.approx([-1 / pop, 0, 1 / pop])
    assert ZScore().fit(s, direction="lower").transform(s).tolist() == [1.0, 0.0, -1.0]
    # Mazziotta-Pareto scale: 100 + 10 z with population sd
    assert MPIStandardise().fit_transform(s).tolist() == pytest.approx(
        [100 - 10 / pop, 100, 100 + 10 / pop]
    )


@pytest.mark.parametrize("cls", [MinMax, ZScore])
def test_constant_indicator_is_named(cls):
    with pytest.raises(ConstantIndicatorError, match="'flat' is constant"):
        cls().fit(pd.Series([3.0, 3.0, 3.0], name="flat"))


def test_rank_and_percentile_match_scipy():
    ref = pd.Series([5.0, 1.0, 3.0, 3.0, 9.0, 7.0])
    ranks = Rank().fit_transform(ref)
    assert ranks.tolist() == stats.rankdata(ref).tolist()  # mid-ranks: ties 2.5
    new = pd.Series([0.0, 3.0, 4.0, 9.0, 11.0])
    pct = PercentileRank().fit(ref).transform(new)
    expected = [stats.percentileofscore(ref, v, kind="mean") / 100 for v in new]
    assert pct.tolist() == pytest.approx(expected)
    # lower is better reverses the order
    low = Rank().fit(ref, direction="lower").transform(ref)
    assert low.tolist() == stats.rankdata(-ref).tolist()


def test_quantile_classes_quintiles():
    ref = pd.Series(np.arange(1.0, 11.0))
    q = QuantileClasses(5).fit(ref)
    # numpy linear quantiles of 1..10 at .2,.4,.6,.8: 2.8, 4.6, 6.4, 8.2
    assert q.cuts_.tolist() == pytest.approx([2.8, 4.6, 6.4, 8.2])
    assert q.transform(ref).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert q.transform(pd.Series([0.0, 100.0, 2.8])).tolist() == [1, 5, 1]  # cut -> lower
    low = QuantileClasses(5).fit(ref, direction="lower").transform(ref)
    assert low.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    pts = QuantileClasses(2, points=[0, 10]).fit_transform(ref)
    assert pts.tolist() == [0] * 5 + [10] * 5
    with pytest.raises(InputDataError, match="n_classes"):
        QuantileClasses(1).fit(ref)


def test_goalposts_and_target():
    x = pd.Series([0.0, 25.0, 50.0, 120.0])
    g = Goalposts(lower=0, upper=100, scale=100).fit(x)
    assert g.transform(x).tolist() == [0, 25, 50, 100]
    g_low = Goalposts(lower=0, upper=100).fit(x, direction="lower")
    assert g_low.transform(x).tolist() == [1, 0.75, 0.5, 0]
    t = DistanceToTarget(target=50).fit(x)
    assert t.transform(x).tolist() == [0, 0.5, 1, 2.4]
    assert DistanceToTarget(target=50, cap=1).fit(x).transform(x).tolist() == [0, 0.5, 1, 1]
    # lower is better: target / x, default target the best (smallest) reference value
    y = pd.Series([2.0, 4.0, 8.0])
    assert DistanceToTarget().fit(y, direction="lower").transform(y).tolist() == [1, .5, .25]
    with pytest.raises(ScaleLevelError, match=r"'x'.*interval"):
        DistanceToTarget(target=1).fit(x, scale="interval")
    with pytest.raises(InputDataError, match="upper > lower"):
        Goalposts(lower=1, upper=1).fit(x)


def test_coinr_goalpost_cases():
    # cases from COINr's tests (bluefoxr/COINr, tests/testthat/test-normalise.R, commit
    # 1d4847e4c21d2dee167fb1992087e97ec1b3e813): n_goalposts(x, c(0, 10, 1), direction)
    g = Goalposts(lower=0, upper=10, scale=1).fit(pd.Series([0.0, 10.0]))
    assert g.transform(pd.Series([1.0, 11.0, -1.0])).tolist() == pytest.approx([0.1, 1, 0])
    g = Goalposts(lower=0, upper=10, scale=1).fit(pd.Series([0.0, 10.0]), direction="lower")
    assert g.transform(pd.Series([1.0, -1.0, 11.0])).tolist() == pytest.approx([0.9, 1, 0])
    # n_fracmax(x) = x / max(x): our distance to target with the default target
    x = pd.Series([0.2, 0.5, 0.8, 0.4])
    assert DistanceToTarget().fit_transform(x).tolist() == pytest.approx((x / 0.8).tolist())


def test_point_map():
    ind = Indicator("grievance", scale="ordinal", points={"Yes": 1, "Partially": 0.5, "No": 0})
    s = pd.Series(["Yes", "No", None, "Partially"], index=list("abcd"))
    pm = PointMap().fit(s, indicator=ind)
    out = pm.transform(s)
    assert out.iloc[[0, 1, 3]].tolist() == [1.0, 0.0, 0.5] and np.isnan(out["c"])
    # explicit points, lower is better reflects them: 1 + 0 - p
    low = PointMap({"Yes": 1, "No": 0}).fit(s.iloc[:2], direction="lower", scale="nominal")
    assert low.transform(s.iloc[:2]).tolist() == [0.0, 1.0]
    with pytest.raises(InputDataError, match=r"'Maybe'.*units 'e'"):
        pm.transform(pd.Series(["Maybe"], index=["e"]))
    with pytest.raises(InputDataError, match="no points for indicator"):
        PointMap().fit(s, scale="nominal")


def test_ordered_categories_ranked_by_position():
    ind = Indicator("rating", scale="ordinal", categories=["low", "medium", "high"])
    s = pd.Series(["high", "low", "medium", "medium", None], index=list("abcde"))
    # positions 2, 0, 1, 1 -> mid-ranks 4, 1, 2.5, 2.5
    r = Rank().fit(s, indicator=ind).transform(s)
    assert r.iloc[:4].tolist() == [4.0, 1.0, 2.5, 2.5] and np.isnan(r["e"])
    q = PercentileRank().fit(s, indicator=ind)
    assert q.transform(pd.Series(["high"])).tolist() == [(3 + 0.5) / 4]
    with pytest.raises(InputDataError, match="'huge' that are not among its categories"):
        q.transform(pd.Series(["huge"]))
    with pytest.raises(ScaleLevelError, match="'rating', which is on the ordinal scale"):
        MinMax().fit(s, indicator=ind)


def test_scale_levels_enforced():
    codes = pd.Series([1, 2, 3, 2], name="quality")
    with pytest.raises(ScaleLevelError, match="'quality', which is on the ordinal scale"):
        MinMax().fit(codes, scale="ordinal")
    with pytest.raises(ScaleLevelError, match="nominal"):
        ZScore().fit(codes, scale="nominal")
    with pytest.warns(ScaleLevelWarning):
        out = MinMax().fit(codes, scale="ordinal", allow_scale_violations=True).transform(codes)
    assert out.tolist() == [0, 0.5, 1, 0.5]
    # rank-based methods accept ordinal codes
    assert Rank().fit_transform(codes, scale="ordinal").tolist() == [1, 2.5, 4, 2.5]
    with pytest.raises(ScaleLevelError):
        Rank().fit(codes, scale="nominal")
    with pytest.raises(InputDataError, match="non-numeric"):
        MinMax().fit(pd.Series(["a", "b"], name="txt"), scale="ratio")


def test_output_scales():
    assert MinMax().output_scale(Scale.RATIO) is Scale.INTERVAL
    assert DistanceToTarget().output_scale(Scale.RATIO) is Scale.RATIO
    ident = Identity().fit(REF)
    assert ident.output_scale(Scale.RATIO) is Scale.RATIO
    assert Identity().fit(REF, direction="lower").output_scale(Scale.RATIO) is Scale.INTERVAL


def test_registry_and_specs():
    n = get_normaliser({"method": "minmax", "low": 1, "high": 100})
    assert isinstance(n, MinMax) and n.high == 100
    assert n.to_spec() == {"method": "minmax", "low": 1, "high": 100}
    assert get_normaliser("z-score").to_spec() == "zscore"
    assert get_normaliser(n) is not n and get_normaliser(n) == n
    with pytest.raises(InputDataError, match="unknown normalisation 'softmax'"):
        get_normaliser("softmax")
    with pytest.raises(InputDataError, match="unknown parameters 'clip'"):
        get_normaliser("zscore", clip=True)
    with pytest.raises(InputDataError, match="not fitted"):
        MinMax().transform(REF)


def test_normalise_table_with_reference():
    inds = IndicatorSet([{"name": "a"}, {"name": "b", "direction": "lower"}])
    ref = pd.DataFrame({"a": [0.0, 10.0], "b": [0.0, 10.0]}, index=["r1", "r2"])
    new = pd.DataFrame({"a": [5.0], "b": [2.0]}, index=["n"])
    out = normalise(new, "minmax", reference=ref, indicators=inds)
    assert out.loc["n"].tolist() == [0.5, 0.8]


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(2, 30), elements=finite))
def test_minmax_in_unit_interval_on_reference(x):
    s = pd.Series(x)
    if np.ptp(x) <= 1e-6 * max(1.0, np.abs(x).max()):
        return
    y = MinMax().fit_transform(s)
    assert y.min() == pytest.approx(0.0, abs=1e-9) and y.max() == pytest.approx(1.0, abs=1e-9)
    assert ((y >= -1e-12) & (y <= 1 + 1e-12)).all()


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(2, 30), elements=finite),
       st.sampled_from(["minmax", "zscore", "rank", "percentile"]))
def test_direction_flip_reverses_ranks(x, method):
    s = pd.Series(x)
    if np.ptp(x) <= 1e-6 * max(1.0, np.abs(x).max()):
        return
    up = get_normaliser(method).fit_transform(s, direction="higher")
    down = get_normaliser(method).fit_transform(s, direction="lower")
    r_up = stats.rankdata(up.round(9))
    r_down = stats.rankdata(-down.round(9))
    assert r_up.tolist() == r_down.tolist()


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(2, 30), elements=finite))
def test_quantile_classes_direction_flip_is_weakly_reversing(x):
    # with ties at a cut point classes are coarse, so the flip reverses order weakly:
    # x_i < x_k implies up_i <= up_k and down_i >= down_k
    s = pd.Series(x)
    up = QuantileClasses(5).fit_transform(s).to_numpy()
    down = QuantileClasses(5).fit_transform(s, direction="lower").to_numpy()
    less = x[:, None] < x[None, :]
    assert (up[:, None] <= up[None, :])[less].all()
    assert (down[:, None] >= down[None, :])[less].all()


def test_normalise_keeps_non_string_column_labels():
    # integer column labels (as from a numpy array or read_csv(header=None)): the result
    # keeps the user's labels, and a reference with its columns in another order is aligned
    d = pd.DataFrame({2: [1.0, 2, 3], 1: [3.0, 2, 1]}, index=["z", "y", "x"])
    out = normalise(d)
    assert list(out.columns) == [2, 1]
    assert out[2].tolist() == [0.0, 0.5, 1.0]
    assert out[1].tolist() == [1.0, 0.5, 0.0]
    ref = pd.DataFrame({1: [0.0, 4.0], 2: [0.0, 4.0]})
    out = normalise(d, reference=ref)
    assert out[2].tolist() == [0.25, 0.5, 0.75]
    assert out[1].tolist() == [0.75, 0.5, 0.25]


def test_missing_column_message_distinguishes_int_and_str_labels():
    s = IndicatorSet([Indicator("1")])
    with pytest.raises(InputDataError, match=r"its columns are 1\b"):
        s.check_data(pd.DataFrame({1: [1.0, 2.0]}))
