"""Aggregators: hand-checked values, scale rules, and invariants (hypothesis)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dea.exceptions import InputDataError
from weighting import (
    ArithmeticMean,
    Borda,
    Copeland,
    GeometricMean,
    HarmonicMean,
    MazziottaPareto,
    PowerMean,
    Scale,
    ScaleLevelError,
    ScaleLevelWarning,
    get_aggregator,
    power_mean,
)

X2 = np.array([[1.0, 4.0], [2.0, 8.0]])


def test_means_hand_values():
    w = [1, 1]
    # (1 + 4)/2, sqrt(1*4), 2/(1 + 1/4), sqrt((1 + 16)/2)
    assert ArithmeticMean().aggregate(X2, w).tolist() == [2.5, 5.0]
    assert GeometricMean().aggregate(X2, w).tolist() == pytest.approx([2.0, 4.0])
    assert HarmonicMean().aggregate(X2, w).tolist() == pytest.approx([1.6, 3.2])
    assert PowerMean(2).aggregate(X2, w)[0] == pytest.approx(np.sqrt(8.5))
    # weights 3:1: (3*1 + 4)/4 = 1.75; 1**0.75 * 4**0.25 = sqrt(2)
    assert ArithmeticMean().aggregate(X2, [3, 1])[0] == pytest.approx(1.75)
    assert GeometricMean().aggregate(X2, [3, 1])[0] == pytest.approx(np.sqrt(2))
    assert PowerMean(-np.inf).aggregate(X2, w).tolist() == [1.0, 2.0]
    assert PowerMean(np.inf).aggregate(X2, w).tolist() == [4.0, 8.0]


def test_missing_values_reweighted():
    X = np.array([[np.nan, 3.0, 5.0], [np.nan, np.nan, np.nan]])
    # unit 0: weights (2, 1, 1) over present (3, 5) -> (3 + 5)/2
    out = ArithmeticMean().aggregate(X, [2, 1, 1])
    assert out[0] == pytest.approx(4.0) and np.isnan(out[1])
    assert GeometricMean().aggregate(X, [2, 1, 1])[0] == pytest.approx(np.sqrt(15))


def test_mpi_hand_values():
    Z = np.array([[90.0, 110.0], [100.0, 100.0], [95.0, 105.0]])
    # M = 100, S = 10, cv = 0.1 -> MPI- = 100 - 10 * 0.1 = 99; flat profile -> 100
    # third: S = 5, cv = 0.05 -> 100 - 0.25
    assert MazziottaPareto().aggregate(Z, [1, 1]).tolist() == pytest.approx([99, 100, 99.75])
    assert MazziottaPareto("positive").aggregate(Z, [1, 1])[0] == pytest.approx(101)
    # weights 3:1 on (90, 110): M = 95, var = .75*25 + .25*225 = 75, MPI- = 95 - 75/95
    assert MazziottaPareto().aggregate(Z[:1], [3, 1])[0] == pytest.approx(95 - 75 / 95)
    with pytest.raises(InputDataError, match="penalty"):
        MazziottaPareto("both").aggregate(Z, [1, 1])


# three units A, B, C; three indicators
#        i1  i2  i3
#   A     3   1   2
#   B     2   3   1
#   C     1   2   3
CYCLE = np.array([[3.0, 1.0, 2.0], [2.0, 3.0, 1.0], [1.0, 2.0, 3.0]])


def test_borda_hand_values():
    # equal weights: every unit has ranks {1, 2, 3} -> all tie at mean share 0.5
    assert Borda().aggregate(CYCLE, [1, 1, 1]).tolist() == pytest.approx([0.5, 0.5, 0.5])
    # weights (2, 1, 1): shares (B + E/2)/3 per indicator, A: (2.5/3*2 + .5/3 + 1.5/3)/4
    a = (2 * 2.5 + 0.5 + 1.5) / 3 / 4
    b = (2 * 1.5 + 2.5 + 0.5) / 3 / 4
    c = (2 * 0.5 + 1.5 + 2.5) / 3 / 4
    assert Borda().aggregate(CYCLE, [2, 1, 1]).tolist() == pytest.approx([a, b, c])


def test_copeland_hand_values():
    # equal weights: A beats B on i1, i3 (2 of 3), B beats C on i1, i2, C beats A on i2, i3:
    # a Condorcet cycle, each unit 1 win 1 loss -> 0
    assert Copeland().aggregate(CYCLE, [1, 1, 1]).tolist() == [0, 0, 0]
    # weights (0.5, 0.25, 0.25): A vs B: i1 + i3 = .75 -> A wins; A vs C: i1 = .5 -> tie;
    # B vs C: i1 + i2 = .75 -> B wins. A: +1, B: -1 + 1 = 0, C: 0 - 1 = -1
    assert Copeland().aggregate(CYCLE, [2, 1, 1]).tolist() == [1, 0, -1]
    # against an external reference: one reference unit R = (2, 2, 2)
    R = np.array([[2.0, 2.0, 2.0]])
    # A: i1 win, i2 loss, i3 tie -> e = (1 + 0.5)/3 = 0.5 -> tie; all tie
    assert Copeland().aggregate(CYCLE, [1, 1, 1], reference=R).tolist() == [0, 0, 0]
    assert Copeland().aggregate(CYCLE, [2, 1, 1], reference=R).tolist() == [1, 0, -1]


def test_scale_and_value_rules():
    df = pd.DataFrame({"a": [0.0, 0.5], "b": [1.0, 2.0]}, index=["u1", "u2"])
    geo = GeometricMean()
    with pytest.raises(ScaleLevelError, match=r"'a'.*zeros \(units 'u1'\)"):
        geo(df)
    with pytest.warns(ScaleLevelWarning):
        out = geo(df, allow_scale_violations=True)
    assert out["u1"] == 0.0
    with pytest.raises(ScaleLevelError, match="'a', which is on the interval scale"):
        geo(df + 1, scales={"a": Scale.INTERVAL, "b": Scale.RATIO})
    with pytest.raises(ScaleLevelError, match="'b', which is on the ordinal scale"):
        ArithmeticMean()(df, scales={"a": "ratio", "b": "ordinal"})
    with pytest.raises(ScaleLevelError, match=r"indicators 'a' \(nominal\), 'b' \(ordinal\)"):
        ArithmeticMean()(df, scales={"a": "nominal", "b": "ordinal"})
    Borda()(df, scales={"a": "ordinal", "b": "ordinal"})  # accepted
    with pytest.raises(InputDataError, match="negative at units 'u2'"):
        PowerMean(2)(pd.DataFrame({"a": [1.0, -1.0]}, index=["u1", "u2"]))
    assert ArithmeticMean().compensability == "full"
    assert GeometricMean().compensability == "partial"
    assert Copeland().compensability == "none" and Borda().compensability == "none"
    assert ArithmeticMean().linear and not GeometricMean().linear
    assert GeometricMean().accepts == frozenset({Scale.RATIO})
    assert Borda().accepts == frozenset({Scale.ORDINAL, Scale.INTERVAL, Scale.RATIO})


def test_weight_errors_are_clear():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]})
    with pytest.raises(InputDataError, match="unknown indicators 'c'"):
        ArithmeticMean()(df, {"a": 1, "c": 1})
    with pytest.raises(InputDataError, match="miss indicators 'b'"):
        ArithmeticMean()(df, {"a": 1})
    with pytest.raises(InputDataError, match="'a' are negative"):
        ArithmeticMean()(df, {"a": -1, "b": 2})
    with pytest.raises(InputDataError, match="negative"):
        ArithmeticMean().aggregate(df.to_numpy(), [-1, 2])
    with pytest.raises(InputDataError, match="all zero"):
        ArithmeticMean().aggregate(df.to_numpy(), [0, 0])
    with pytest.raises(InputDataError, match="shape"):
        ArithmeticMean().aggregate(df.to_numpy(), [1, 1, 1])
    out = ArithmeticMean()(df, {"a": 1, "b": 3})
    assert out.tolist() == [1.0, 2.0] and out.index.tolist() == [0, 1]


def test_registry():
    assert isinstance(get_aggregator("outranking"), Copeland)
    p = get_aggregator({"method": "power", "p": 0.5})
    assert p.p == 0.5 and p.to_spec() == {"method": "power", "p": 0.5}
    assert get_aggregator("geometric").to_spec() == "geometric"
    with pytest.raises(InputDataError, match="unknown aggregation 'median'"):
        get_aggregator("median")


# ------------------------------------------------------------------------------------------
# invariants
# ------------------------------------------------------------------------------------------
pos = st.floats(0.01, 100, allow_nan=False)


def _matrix(n_max=8, m_max=5):
    return st.integers(2, n_max).flatmap(
        lambda n: st.integers(1, m_max).flatmap(
            lambda m: arrays(float, (n, m), elements=pos)
        )
    )


def _weights(m):
    return arrays(float, m, elements=st.floats(0.0, 10.0)).filter(lambda w: w.sum() > 0.1)


@settings(max_examples=40, deadline=None)
@given(_matrix(), st.data(), st.sampled_from([-np.inf, -2, -1, 0, 0.5, 1, 2, 3]))
def test_weighted_mean_between_min_and_max(X, data, p):
    w = data.draw(_weights(X.shape[1]))
    y = power_mean(X, w, p)
    used = X[:, w > 0]
    assert (y >= used.min(axis=1) - 1e-9).all() and (y <= used.max(axis=1) + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(_matrix(), st.data())
def test_power_mean_monotone_in_exponent(X, data):
    w = data.draw(_weights(X.shape[1]))
    ps = [-np.inf, -3, -1, -0.5, 0, 0.5, 1, 2, 5, np.inf]
    vals = np.array([power_mean(X, w, p) for p in ps])
    assert (np.diff(vals, axis=0) >= -1e-9 * np.abs(vals[1:])).all()


@settings(max_examples=40, deadline=None)
@given(_matrix(), st.data())
def test_mpi_not_above_arithmetic_mean(X, data):
    w = data.draw(_weights(X.shape[1]))
    Z = 100 + 10 * (X - X.mean(axis=0)) / (X.std(axis=0) + 1.0)
    assert (MazziottaPareto().aggregate(Z, w) <= ArithmeticMean().aggregate(Z, w) + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(_matrix(), st.data(), st.sampled_from([np.log, np.sqrt, lambda v: v**3 + 7]))
def test_rank_methods_invariant_to_monotone_transforms(X, data, f):
    w = data.draw(_weights(X.shape[1]))
    j = data.draw(st.integers(0, X.shape[1] - 1))
    Xt = X.copy()
    Xt[:, j] = f(Xt[:, j])
    # the transform must keep ties and order exactly (floats can merge close values)
    assume((np.argsort(X[:, j], kind="stable") == np.argsort(Xt[:, j], kind="stable")).all())
    assume(len(np.unique(X[:, j])) == len(np.unique(Xt[:, j])))
    for agg in (Borda(), Copeland()):
        assert agg.aggregate(X, w) == pytest.approx(agg.aggregate(Xt, w), abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(_matrix(), st.data())
def test_runs_path_equals_loop(X, data):
    m = X.shape[1]
    W = np.array([data.draw(_weights(m)) for _ in range(4)])
    X = X.copy()
    if X.size > 2:
        X[0, 0] = np.nan  # the fast path re-weights missing values too
    for agg in (ArithmeticMean(), GeometricMean(), HarmonicMean(), PowerMean(2.5),
                PowerMean(-np.inf), MazziottaPareto(), Borda(), Copeland()):
        Xa = X + 100 if isinstance(agg, MazziottaPareto) else X
        runs = agg.aggregate_runs(Xa, W)
        loop = np.array([agg.aggregate(Xa, w) for w in W])
        np.testing.assert_allclose(runs, loop, rtol=1e-12, atol=1e-12)
        units = agg.aggregate_units(Xa, np.repeat(W[:1], X.shape[0], axis=0))
        np.testing.assert_allclose(units, loop[0], rtol=1e-12, atol=1e-12)


def test_runs_shapes_large():
    rng = np.random.default_rng(1)
    X = rng.uniform(0.1, 1, (50, 6))
    W = rng.dirichlet(np.ones(6), size=200)
    out = GeometricMean().aggregate_runs(X, W)
    assert out.shape == (200, 50)
    np.testing.assert_allclose(out[17], GeometricMean().aggregate(X, W[17]), rtol=1e-12)


def test_array_api_aligns_labelled_weights_and_reference():
    # A DataFrame with a weight Series (or dict) in another order than its columns, and a
    # reference DataFrame with its columns reversed: the array API must align by label,
    # like __call__, not take the numbers by position.
    X = pd.DataFrame({"a": [0.1, 0.6, 1.1], "b": [0.1, 0.6, np.nan], "c": [0.1, 1.1, 0.4]},
                     index=[10, 2, 7])
    ws = pd.Series({"c": 1.0, "b": 1.0, "a": 2.0})
    # unit 2: (2*0.6 + 0.6 + 1.1) / 4; unit 7 (b missing): (2*1.1 + 0.4) / 3
    expected = [0.1, 0.725, 2.6 / 3]
    mean = ArithmeticMean()
    np.testing.assert_allclose(mean.aggregate(X, ws), expected)
    np.testing.assert_allclose(mean.aggregate(X, dict(ws)), expected)
    runs = pd.DataFrame([ws, ws * 2])  # columns c, b, a
    np.testing.assert_allclose(mean.aggregate_runs(X, runs), [expected, expected])
    borda = Borda()
    np.testing.assert_allclose(
        borda.aggregate(X, ws, reference=X.iloc[:, ::-1]), borda(X, ws, reference=X)
    )
    with pytest.raises(InputDataError, match="'d'"):
        mean.aggregate(X, {"a": 1, "b": 1, "c": 1, "d": 1})
    with pytest.raises(InputDataError, match="'c'"):
        borda.aggregate(X, ws, reference=X[["a", "b"]])


def test_aggregate_units_aligns_weight_rows_and_columns():
    X = pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 5.0]}, index=["p", "q"])
    W = pd.DataFrame({"b": [0.0, 1.0], "a": [1.0, 3.0]}, index=["q", "p"])
    # p: weights a=3, b=1 -> (3*1 + 2)/4; q: weights a=1, b=0 -> 3
    np.testing.assert_allclose(ArithmeticMean().aggregate_units(X, W), [1.25, 3.0])
    with pytest.raises(InputDataError, match="'r'"):
        ArithmeticMean().aggregate_units(X, W.rename(index={"q": "r"}))


@pytest.mark.parametrize("agg", [ArithmeticMean(), Borda(), Copeland()])
def test_unit_without_weighted_values_gets_nan(agg):
    # unit 2 has a value only for 'b', which weighs zero: no information, no score
    X = np.array([[0.2, 0.5], [0.8, 0.1], [np.nan, 0.9]])
    out = agg.aggregate(X, [1.0, 0.0])
    assert np.isnan(out[2]) and np.isfinite(out[:2]).all()
    runs = agg.aggregate_runs(X, [[1.0, 0.0], [1.0, 1.0]])
    assert np.isnan(runs[0, 2]) and np.isfinite(runs[1]).all()
