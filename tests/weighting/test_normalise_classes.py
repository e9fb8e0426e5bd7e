"""QuantileClasses with moment cuts, and RatioToBest: hand-checked values, specs, errors."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dea.exceptions import InputDataError
from weighting import (
    Indicator,
    IndicatorSet,
    QuantileClasses,
    RatioToBest,
    ScaleLevelError,
    Scheme,
    get_normaliser,
    normalise,
)

X = pd.Series([1.0, 2, 3, 4, 5], index=list("abcde"))


def test_moment_cuts_by_hand():
    # mean 3, sample sd sqrt(2.5); quartile cuts 3 + sd * z(.25, .5, .75)
    q = QuantileClasses(n_classes=4, cuts="moments").fit(X)
    sd = math.sqrt(2.5)
    expected = [3 + sd * stats.norm.ppf(p) for p in (0.25, 0.5, 0.75)]
    np.testing.assert_allclose(q.raw_cuts_, expected)
    assert expected[0] == pytest.approx(3 - 1.5811388 * 0.6744898, abs=1e-6)
    # a value equal to a cut (3) falls in the lower class
    assert q.transform(X).tolist() == [1, 2, 2, 3, 4]
    low = QuantileClasses(n_classes=4, cuts="moments").fit(X, direction="lower")
    np.testing.assert_allclose(low.raw_cuts_, expected)
    np.testing.assert_allclose(low.cuts_, [-expected[2], -3.0, -expected[0]])
    assert low.transform(X).tolist() == [4, 3, 2, 2, 1]


def test_quantile_cuts_by_hand_both_directions():
    q = QuantileClasses(n_classes=2).fit(X)
    assert q.raw_cuts_.tolist() == [3.0]
    assert q.transform(X).tolist() == [1, 1, 1, 2, 2]
    low = QuantileClasses(n_classes=2, points=[0, 1]).fit(X, direction="lower")
    assert low.transform(X).tolist() == [1, 1, 0, 0, 0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=40),
    st.integers(2, 6),
    st.sampled_from(["quantile", "moments"]),
)
def test_lower_is_better_reverses_the_classes(values, k, cuts):
    x = pd.Series(values)
    if x.std() == 0:
        return
    hi = QuantileClasses(n_classes=k, cuts=cuts).fit(x).transform(x)
    lo = QuantileClasses(n_classes=k, cuts=cuts).fit(x, direction="lower").transform(x)
    # the same cut points; off the cuts, a value's lower-is-better class mirrors its class
    q = QuantileClasses(n_classes=k, cuts=cuts).fit(x).raw_cuts_
    off = ~x.isin(q)
    assert ((hi[off] + lo[off]) == k + 1).all()


def test_spec_round_trip_and_scale_levels():
    q = QuantileClasses(cuts="moments")
    assert q.to_spec() == {"method": "quantile", "cuts": "moments"}
    assert get_normaliser({"method": "quantile", "cuts": "moments"}) == q
    assert QuantileClasses().to_spec() == "quantile"
    ordinal = Indicator(name="grade", scale="ordinal")
    QuantileClasses().fit(X, indicator=ordinal)  # order is enough for quantile classes
    with pytest.raises(ScaleLevelError, match="grade"):
        QuantileClasses(cuts="moments").fit(X, indicator=ordinal)
    with pytest.raises(InputDataError, match="'quantile' or 'moments'"):
        QuantileClasses(cuts="sd").fit(X)
    with pytest.raises(InputDataError, match="at least two"):
        QuantileClasses(cuts="moments").fit(pd.Series([1.0]))


def test_ratio_to_best_kinds_by_hand():
    v = RatioToBest().fit(pd.Series([0.0, 0.2, 0.5]))
    # floor = 0.5 * 0.2; best 0.5
    assert v.transform(pd.Series([0.0, 0.2, 0.5, np.nan])).tolist()[:3] == pytest.approx(
        [0.2, 0.4, 1.0]
    )
    par = pd.Series([0.0, 0.1, 1.0])
    c = RatioToBest("complement").fit(par, direction="lower")
    assert c.transform(par).tolist() == pytest.approx([1.0, 0.9, 0.45])
    depth = pd.Series([0.5, 1.0, 2.0])
    i = RatioToBest("inverse").fit(depth, direction="lower")
    assert i.transform(depth).tolist() == pytest.approx([1.0, 0.5, 0.25])
    logs = pd.Series(np.log([1.0, 10, 100]))
    e = RatioToBest("exp").fit(logs, scale="interval")
    assert e.transform(logs).tolist() == pytest.approx([0.01, 0.1, 1.0])
    ei = RatioToBest("exp_inverse").fit(logs, scale="interval", direction="lower")
    assert ei.transform(logs).tolist() == pytest.approx([1.0, 0.1, 0.01])
    # new units are rated against the reference: above the best scores above 1
    assert v.transform(pd.Series([1.0])).iloc[0] == pytest.approx(2.0)


def test_ratio_to_best_per_indicator_kinds_in_a_table_and_a_scheme():
    data = pd.DataFrame({"women": [0.0, 0.2, 0.5], "par": [0.0, 0.1, 1.0]}, index=list("xyz"))
    inds = IndicatorSet([{"name": "women"}, {"name": "par", "direction": "lower"}])
    n = normalise(data, RatioToBest(kinds={"par": "complement"}), indicators=inds)
    assert n["women"].tolist() == pytest.approx([0.2, 0.4, 1.0])
    assert n["par"].tolist() == pytest.approx([1.0, 0.9, 0.45])
    s = Scheme(
        inds,
        normalisation={"method": "ratio_to_best", "kinds": {"par": "complement"}},
        aggregation="geometric",
    )
    r = s.score(data)  # ratio-scale output: the geometric mean accepts it
    assert r.scores.tolist() == pytest.approx([math.sqrt(0.2), math.sqrt(0.36), math.sqrt(0.45)])
    assert RatioToBest(floor=0.25).to_spec() == {"method": "ratio_to_best", "floor": 0.25}


def test_ratio_to_best_errors():
    with pytest.raises(InputDataError, match="higher-is-better indicators"):
        RatioToBest().fit(X, direction="lower")
    with pytest.raises(InputDataError, match="lower-is-better indicators"):
        RatioToBest("complement").fit(X)
    with pytest.raises(ScaleLevelError, match="'logb'"):
        RatioToBest().fit(X.rename("logb"), scale="interval")
    with pytest.raises(InputDataError, match="values <= 0"):
        RatioToBest("inverse").fit(pd.Series([0.0, 1.0]), direction="lower")
    with pytest.raises(InputDataError, match="no positive reference value"):
        RatioToBest().fit(pd.Series([0.0, 0.0]))
    with pytest.raises(InputDataError, match="allowed are"):
        RatioToBest("log").fit(X)
