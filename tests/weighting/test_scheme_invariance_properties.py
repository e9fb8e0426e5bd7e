"""Invariance properties of the weighting schemes (issue 13, "must show").

A composite built by :class:`weighting.Scheme` (normalise -> weight -> aggregate) must give
the same scores, unit by unit, after

* multiplying each raw indicator by its own positive factor (units of measurement), and
* permuting the rows,

for every normaliser that is unit-free (min-max, z-score, MPI standardisation, rank,
percentile rank, quantile classes, distance to the best value, above/below the mean, the
ratio to the best value of x or of 1 / x),
whatever the weights (equal, expert, entropy, PCA, benefit of the doubt) and the
aggregation (arithmetic, geometric, harmonic, power, Mazziotta-Pareto, Borda, Copeland),
as far as the combination is admitted (a combination refused on the original data, e.g.
a geometric mean of min-max zeros, must be refused the same way on the rescaled data).

Documented as *not* unit-free: goalposts and a fixed target are given in raw units
(invariant when they move with the data, checked here), and no normalisation
(``"none"``): there a geometric mean with fixed weights multiplies every score by the same
constant (ranks unchanged), other aggregations change. No entry point mutates its inputs.

The default run draws a few examples; the ``slow`` run 1,000 per property.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dea.exceptions import InputDataError
from weighting import Scheme
from weighting.compare import compare
from weighting.exceptions import ConstantIndicatorError, ScaleLevelError

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))

UNIT_FREE = [
    "minmax",
    "zscore",
    "mpi",
    "rank",
    "percentile",
    "quantile",
    "target",
    "above_mean",
    "ratio_to_best",
]
AGGREGATIONS = [
    "arithmetic",
    "geometric",
    "harmonic",
    {"method": "power", "p": 0.5},
    "mpi",
    "borda",
    "copeland",
]
WEIGHTS = ["equal", "expert", "entropy", "pca", "bod"]

seeds = st.integers(0, 2**31 - 1)
factors = st.lists(
    st.tuples(st.floats(1.0, 9.99), st.integers(-6, 9)).map(lambda t: t[0] * 10.0 ** t[1]),
    min_size=4,
    max_size=4,
)


def _data(seed: int, n: int, m: int, tied: bool, missing: bool) -> tuple[pd.DataFrame, list]:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(0.0, 1.0, size=(n, m))
    if tied:
        values = np.ceil(values * 2)  # repeated values: ties in ranks and quantiles
    df = pd.DataFrame(
        values, columns=[f"i{j}" for j in range(m)], index=[f"u{k}" for k in range(n)]
    )
    if missing:
        df.iloc[rng.integers(0, n), rng.integers(0, m)] = np.nan
    directions = rng.choice(["higher", "lower"], size=m).tolist()
    inds = [
        {"name": c, "scale": "ratio", "direction": d}
        for c, d in zip(df.columns, directions, strict=True)
    ]
    return df, inds


def _weights(kind: str, names: list[str], seed: int):
    if kind == "expert":
        w = np.random.default_rng(seed).uniform(0.1, 1.0, len(names))
        return dict(zip(names, (w / w.sum()).tolist(), strict=True))
    return kind


def _score(scheme: Scheme, df: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return scheme.score(df)
        except (ScaleLevelError, ConstantIndicatorError, InputDataError) as exc:
            return type(exc)


def check_scheme(seed, n, m, tied, missing, fac, perm_seed, norm, agg, weights):
    df, inds = _data(seed, n, m, tied, missing)
    names = list(df.columns)
    if weights == "bod" and agg != "arithmetic":
        agg = "arithmetic"  # unit-specific multipliers are summed (Scheme docs)
    if norm == "ratio_to_best":  # q = x (higher is better) or 1 / x (lower): unit-free
        norm = {
            i["name"]: {
                "method": "ratio_to_best",
                "kind": "value" if i["direction"] == "higher" else "inverse",
            }
            for i in inds
        }
    scheme = Scheme(
        inds, normalisation=norm, aggregation=agg, weights=_weights(weights, names, seed)
    )
    before = df.copy()
    a = _score(scheme, df)
    pd.testing.assert_frame_equal(df, before)
    c = pd.Series(fac[:m], index=names)
    perm = np.random.default_rng(perm_seed).permutation(n)
    moved = (df * c).iloc[perm]
    b = _score(scheme, moved)
    if isinstance(a, type):  # refused: the same way after rescaling
        assert b is a, (a, b)
        return
    assert not isinstance(b, type), b
    assert list(b.scores.index) == list(moved.index)
    rtol = 1e-6 if weights in ("bod", "pca") else 1e-9
    np.testing.assert_allclose(
        b.scores.loc[df.index].to_numpy(dtype=float),
        a.scores.to_numpy(dtype=float),
        rtol=rtol,
        atol=1e-9,
        equal_nan=True,
    )


SCHEME = dict(
    seed=seeds,
    n=st.integers(5, 12),
    m=st.integers(2, 4),
    tied=st.booleans(),
    missing=st.booleans(),
    fac=factors,
    perm_seed=seeds,
    norm=st.sampled_from(UNIT_FREE),
    agg=st.sampled_from(AGGREGATIONS),
    weights=st.sampled_from(WEIGHTS),
)


@FAST
@given(**SCHEME)
def test_scheme_invariant(seed, n, m, tied, missing, fac, perm_seed, norm, agg, weights):
    check_scheme(seed, n, m, tied, missing, fac, perm_seed, norm, agg, weights)


@pytest.mark.slow
@SLOW
@given(**SCHEME)
def test_scheme_invariant_slow(seed, n, m, tied, missing, fac, perm_seed, norm, agg, weights):
    check_scheme(seed, n, m, tied, missing, fac, perm_seed, norm, agg, weights)


def check_raw_unit_normalisers(seed, n, fac, perm_seed):
    """Goalposts and a fixed target are in raw units: invariant when they move along."""
    df, inds = _data(seed, n, 2, False, False)
    for ind in inds:
        ind["direction"] = "higher"
    names = list(df.columns)
    c = pd.Series(fac[:2], index=names)
    perm = np.random.default_rng(perm_seed).permutation(n)
    moved = (df * c).iloc[perm]
    lo, hi = df.min() * 0.9, df.max() * 1.1

    def spec(scale):
        return {
            k: {
                "method": "goalposts",
                "lower": float(lo[k] * scale[k]),
                "upper": float(hi[k] * scale[k]),
            }
            if k == names[0]
            else {"method": "target", "target": float(hi[k] * scale[k])}
            for k in names
        }

    one = pd.Series(1.0, index=names)
    a = Scheme(inds, normalisation=spec(one)).score(df)
    b = Scheme(inds, normalisation=spec(c)).score(moved)
    np.testing.assert_allclose(b.scores.loc[df.index], a.scores, rtol=1e-9, atol=1e-12)


@FEW
@given(seed=seeds, n=st.integers(4, 12), fac=factors, perm_seed=seeds)
def test_goalposts_and_targets_move_with_the_units(seed, n, fac, perm_seed):
    check_raw_unit_normalisers(seed, n, fac, perm_seed)


@pytest.mark.slow
@SLOW
@given(seed=seeds, n=st.integers(4, 12), fac=factors, perm_seed=seeds)
def test_goalposts_and_targets_move_with_the_units_slow(seed, n, fac, perm_seed):
    check_raw_unit_normalisers(seed, n, fac, perm_seed)


def check_no_normalisation(seed, n, fac):
    """Raw values, geometric mean, fixed weights: every score times prod c_j ** w_j."""
    df, inds = _data(seed, n, 3, False, False)
    for ind in inds:
        ind["direction"] = "higher"
    names = list(df.columns)
    w = _weights("expert", names, seed)
    c = pd.Series(fac[:3], index=names)
    scheme = Scheme(inds, normalisation="none", aggregation="geometric", weights=w)
    a = scheme.score(df).scores
    b = scheme.score(df * c).scores
    const = float(np.prod([c[k] ** w[k] for k in names]))
    np.testing.assert_allclose(b, a * const, rtol=1e-9)
    assert list(b.rank()) == list(a.rank())


@FEW
@given(seed=seeds, n=st.integers(4, 12), fac=factors)
def test_no_normalisation_geometric_scales_every_score_alike(seed, n, fac):
    check_no_normalisation(seed, n, fac)


@pytest.mark.slow
@SLOW
@given(seed=seeds, n=st.integers(4, 12), fac=factors)
def test_no_normalisation_geometric_scales_every_score_alike_slow(seed, n, fac):
    check_no_normalisation(seed, n, fac)


def test_no_normalisation_arithmetic_is_documented_as_unit_dependent():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]}, index=list("xyz"))
    inds = [{"name": "a", "scale": "ratio"}, {"name": "b", "scale": "ratio"}]
    scheme = Scheme(inds, normalisation="none")
    a = scheme.score(df).scores
    b = scheme.score(df * [1.0, 100.0]).scores
    assert a.idxmax() == "z" and b.idxmax() == "x"  # b dominates once in smaller units


def test_entry_points_do_not_mutate_inputs():
    df, inds = _data(5, 9, 3, True, True)
    df["i0"] = df["i0"].fillna(1.0).round().astype(int)
    ref = df.iloc[::-1].copy()
    saved, saved_ref = df.copy(), ref.copy()
    for norm in [*UNIT_FREE, "goalposts", "none"]:
        _score(Scheme(inds, normalisation=norm), df)
    for agg in AGGREGATIONS:
        _score(Scheme(inds, normalisation="percentile", aggregation=agg), df)
    Scheme(inds, weights="pca").score(df, reference=ref)
    Scheme(inds, weights="bod", missing="median").score(df, reference=ref)
    scores = pd.DataFrame({"s1": df["i1"], "s2": df["i2"]}).dropna()
    saved_scores = scores.copy()
    compare(scores)
    pd.testing.assert_frame_equal(df, saved)
    pd.testing.assert_frame_equal(ref, saved_ref)
    pd.testing.assert_frame_equal(scores, saved_scores)
