"""Pre-treatment: COINr's skewness/kurtosis, the iterative winsorisation rule, missing data."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from dea.exceptions import InputDataError
from weighting import MissingPolicy, OutlierTreatment, kurtosis, skewness


def test_moments_follow_coinr_type2_definitions():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    # by hand: mean 4, deviations -3 -2 -1 0 6, m2 = 50/5 = 10, m3 = 180/5 = 36,
    # m4 = (81 + 16 + 1 + 1296)/5 = 278.8
    n, m2, m3, m4 = 5, 10.0, 36.0, 278.8
    g1 = m3 / m2**1.5
    G1 = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    g2 = m4 / m2**2 - 3
    G2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)
    assert skewness(x) == pytest.approx(G1)
    assert kurtosis(x) == pytest.approx(G2)
    assert skewness(x) == pytest.approx(stats.skew(x, bias=False))
    assert kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False))
    assert np.isnan(skewness([1.0, 2.0])) and np.isnan(kurtosis([1.0, 2.0, 3.0]))
    assert skewness([1.0, np.nan, 2.0, 3.0]) == pytest.approx(0.0)


def test_coinr_winsorise_example():
    # COINr's documented example of winsorise(): x <- c(1:10, 30, 100)
    x = np.r_[np.arange(1.0, 11.0), 30.0, 100.0]
    data = pd.DataFrame({"x": x}, index=[f"u{i}" for i in range(12)])
    assert skewness(x) > 2 and kurtosis(x) > 3.5  # fails the test: treat
    ot = OutlierTreatment().fit(data)
    out = ot.transform(data)
    # one point is enough: 100 -> 30 (the next highest); then skew = 1.71 < 2
    assert out["x"].tolist() == [*range(1, 11), 30, 30]
    row = ot.summary_.loc["x"]
    assert row["treatment"] == "winsorised" and row["n_winsorised"] == 1
    assert row["high_cap"] == 30 and np.isnan(row["low_cap"])
    assert row["skew_after"] == pytest.approx(stats.skew(out["x"], bias=False))
    assert bool(row["passes_after"])
    changes = ot.changes_
    assert changes.to_dict("records") == [
        {"indicator": "x", "unit": "u11", "old": 100.0, "new": 30.0,
         "treatment": "winsorised high"}
    ]
    # new units are capped at the reference cap
    new = pd.DataFrame({"x": [500.0, 5.0]}, index=["n1", "n2"])
    assert ot.transform(new)["x"].tolist() == [30.0, 5.0]


def test_coinr_test_suite_cases():
    # cases from COINr's own tests (bluefoxr/COINr, tests/testthat/test-treat.R, commit
    # 338b21ce72791cf75e17a900008952783762eb5c)
    # 1. x <- c(1:10, 100) fails the check; winsorising (winmax 5) sets 100 to 10 and passes
    x = np.r_[np.arange(1.0, 11.0), 100.0]
    ot = OutlierTreatment(winmax=5)
    assert not ot.passes(x)
    out = ot.fit_transform(pd.DataFrame({"x": x}))["x"].to_numpy()
    assert out[-1] == 10.0 and (out[:10] == x[:10]).all() and ot.passes(out)
    # 2. x <- c(1:20, 100, 200) with winmax 1 and no second function: still failing
    x = np.r_[np.arange(1.0, 21.0), 100.0, 200.0]
    ot = OutlierTreatment(winmax=1, fallback=None).fit(pd.DataFrame({"x": x}))
    row = ot.summary_.loc["x"]
    assert row["n_winsorised"] == 1 and row["high_cap"] == 100.0
    assert not bool(row["passes_after"])
    assert row["treatment"] == "winsorised (still failing)"


def test_log_fallback_when_too_many_points():
    # heavy right tail: winsorising 1 point is not enough
    x = np.r_[np.ones(20), 2.0, 50.0, 100.0, 200.0]
    data = pd.DataFrame({"x": x})
    ot = OutlierTreatment(winmax=1).fit(data)
    assert ot.summary_.loc["x", "treatment"] == "log"
    assert ot.log_transformed_ == ["x"]
    out = ot.transform(data)["x"].to_numpy()
    a = 0.01 * (200 - 1)
    np.testing.assert_allclose(out, np.log(x - 1 + a))  # COINr log_CT_plus, positive skew
    assert ot.changes_.empty
    # negative skew: -log(max + a - x)
    y = -x
    ot2 = OutlierTreatment(winmax=1).fit(pd.DataFrame({"y": y}))
    out2 = ot2.transform(pd.DataFrame({"y": y}))["y"].to_numpy()
    np.testing.assert_allclose(out2, -np.log(-1 + a - y))
    # without fallback: keep the winsorised values and say so
    ot3 = OutlierTreatment(winmax=1, fallback=None).fit(data)
    assert ot3.summary_.loc["x", "treatment"] == "winsorised (still failing)"


def test_rule_either_versus_both():
    # symmetric heavy tails: skewness 0 but large kurtosis
    x = np.r_[-10.0, np.zeros(10), 10.0]
    assert skewness(x) == pytest.approx(0.0, abs=1e-12) and kurtosis(x) > 3.5
    either, both = OutlierTreatment(), OutlierTreatment(rule="both")
    assert either.passes(x)  # COINr/JRC: treated only if skew AND kurtosis exceed
    assert not both.passes(x)
    data = pd.DataFrame({"x": x})
    assert either.fit(data).summary_.loc["x", "treatment"] == "none"
    # "both": winsorise on the side of the skew (0 counts as positive: the top first),
    # 10 -> 0, then skew < 0, so -10 -> 0: all values equal, test undefined -> pass
    both.fit(data)
    assert both.summary_.loc["x", "n_winsorised"] == 2
    assert both.transform(data)["x"].tolist() == [0.0] * 12


def test_percentile_winsorisation():
    x = np.arange(0.0, 101.0)
    data = pd.DataFrame({"x": x})
    ot = OutlierTreatment("percentile", lower=0.05, upper=0.95).fit(data)
    out = ot.transform(data)["x"]
    assert out.min() == 5.0 and out.max() == 95.0
    assert ot.summary_.loc["x", "n_winsorised"] == 10
    assert len(ot.changes_) == 10


def test_outlier_spec_round_trip_and_errors():
    ot = OutlierTreatment(winmax=3, rule="both")
    assert OutlierTreatment.from_spec(ot.to_spec()) == ot
    assert OutlierTreatment.from_spec("none") is None
    with pytest.raises(InputDataError, match="'trim'"):
        OutlierTreatment("trim")
    with pytest.raises(InputDataError, match="unknown keys"):
        OutlierTreatment.from_spec({"method": "iterative", "cap": 3})
    with pytest.raises(InputDataError, match="not fitted"):
        OutlierTreatment().transform(pd.DataFrame({"x": [1.0]}))


@settings(max_examples=30, deadline=None)
@given(arrays(float, st.integers(6, 40), elements=st.floats(0, 1e4, allow_nan=False)))
def test_iterative_treatment_bounded_and_monotone(x):
    data = pd.DataFrame({"x": x})
    ot = OutlierTreatment(winmax=5).fit(data)
    out = ot.transform(data)["x"].to_numpy()
    t = ot.summary_.loc["x", "treatment"]
    # order is never reversed
    less = x[:, None] < x[None, :]
    assert (out[:, None] <= out[None, :] + 1e-12)[less].all()
    if t in ("none", "winsorised"):
        assert out.min() >= x.min() and out.max() <= x.max()
        assert (out != x).sum() <= max(5, int(ot.summary_.loc["x", "n_winsorised"]))


# ------------------------------------------------------------------------------------------
# missing data
# ------------------------------------------------------------------------------------------
DATA = pd.DataFrame(
    {
        "a": [1.0, np.nan, 3.0, 5.0, np.nan],
        "b": [2.0, 4.0, np.nan, 8.0, np.nan],
        "c": [1.0, 1.0, 1.0, np.nan, 2.0],
        "peer": ["p", "p", "q", "q", "q"],
    },
    index=["u1", "u2", "u3", "u4", "u5"],
)
IND = ["a", "b", "c"]


def test_coverage_exclusion_with_reason():
    res = MissingPolicy("reweight", min_coverage=0.5).apply(DATA, IND)
    assert res.coverage.round(3).tolist() == [1.0, 0.667, 0.667, 0.667, 0.333]
    assert list(res.excluded.index) == ["u5"]
    assert "coverage 1/3 indicators (33%) below the minimum 50%" in res.excluded["u5"]
    assert "missing 'a', 'b'" in res.excluded["u5"]
    assert res.data.isna().sum().sum() == 5  # reweight keeps the gaps
    assert res.imputed.empty


def test_drop_policy():
    res = MissingPolicy("drop", min_coverage=0).apply(DATA, IND)
    assert list(res.excluded.index) == ["u2", "u3", "u4", "u5"]
    assert res.excluded["u2"] == "missing 'a' (missing-data policy 'drop')"


def test_mean_and_median_imputation_from_reference():
    ref = pd.DataFrame({"a": [0.0, 10.0, 20.0, 90.0], "b": [1.0, 1.0, 1.0, 1.0],
                        "c": [0.0, 0.0, 3.0, 3.0]})
    res = MissingPolicy("mean", min_coverage=0.5).apply(DATA, IND, reference=ref)
    assert res.data.loc["u2", "a"] == 30.0  # reference mean of a
    assert res.data.loc["u4", "c"] == 1.5
    assert np.isnan(res.data.loc["u5", "a"])  # excluded units are not imputed
    res = MissingPolicy("median", min_coverage=0.5).apply(DATA, IND, reference=ref)
    assert res.data.loc["u2", "a"] == 15.0
    rec = res.imputed.set_index(["unit", "indicator"])
    assert rec.loc[("u2", "a"), "method"] == "median"
    assert len(res.imputed) == 3  # u2.a, u3.b, u4.c


def test_group_median_imputation():
    res = MissingPolicy("group_median", min_coverage=0.5, groups="peer").apply(DATA, IND)
    # u2 (group p): median of a over p = {1} -> 1; u3 (group q): b over q = {8} -> 8
    # u4 (group q): c over q = {1, 2}... u5 has c = 2 -> median(1, 2) = 1.5
    assert res.data.loc["u2", "a"] == 1.0
    assert res.data.loc["u3", "b"] == 8.0
    assert res.data.loc["u4", "c"] == 1.5
    # a group with no reference value falls back to the overall median, and says so
    groups = pd.Series(["p", "p", "r", "q", "q"], index=DATA.index)
    res = MissingPolicy("group_median", min_coverage=0.5).apply(DATA, IND, groups=groups)
    assert res.data.loc["u3", "b"] == 4.0  # overall median of b: 2, 4, 8
    rec = res.imputed.set_index(["unit", "indicator"])
    assert "group 'r' has no reference value" in rec.loc[("u3", "b"), "method"]


def test_missing_policy_errors():
    with pytest.raises(InputDataError, match="'hot_deck' is unknown"):
        MissingPolicy("hot_deck")
    with pytest.raises(InputDataError, match="min_coverage"):
        MissingPolicy(min_coverage=1.5)
    with pytest.raises(InputDataError, match="needs groups"):
        MissingPolicy("group_median").apply(DATA, IND)
    with pytest.raises(InputDataError, match="'region' is not in the data"):
        MissingPolicy("group_median", groups="region").apply(DATA, IND)
    empty = pd.DataFrame({"a": [np.nan], "b": [1.0], "c": [1.0]})
    with pytest.raises(InputDataError, match="'a' have no reference values"):
        MissingPolicy("mean", min_coverage=0).apply(DATA, IND, reference=empty)
    assert MissingPolicy.from_spec({"method": "median"}) == MissingPolicy("median")
