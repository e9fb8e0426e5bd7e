"""Column generation for Additive, SBM and DDF gives the plain full LPs' results.

The non-radial models price their lambda columns through the shared
:class:`dea.solvers.ColumnGeneration` strategy
(``dea.models._envelope.envelope_strategy``) above ``_CG_MIN_UNITS`` (800) reference
units.  Property test: on random data with ties, duplicated units, zero inputs and
outputs and shared maxima, for every RTS and every model variant, column generation
(threshold patched to 0) and one full LP per unit (threshold patched out of reach) give
the same statuses and scores to 1e-9, the same phase-2 optimum (DDF: the max slack sum,
unique even when the slacks are not), and a solution that is feasible for the full LP
(``lambda' X``, ``lambda' Y`` equal the targets, the convexity row holds), so that, with
the equal objective, it is an optimal solution of the full LP.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dea
import dea.models._envelope as envelope
from dea.solvers import ColumnGeneration

SETTINGS = settings(max_examples=40, deadline=None)

VARIANTS = [
    ("Additive", {}),
    ("Additive", {"weights": "ram"}),
    ("Additive", {"weights": "mip"}),
    ("SBM", {}),
    ("SBM", {"orientation": "input"}),
    ("SBM", {"orientation": "output"}),
    ("SBM", {"super_efficiency": True}),
    ("SBM", {"orientation": "input", "super_efficiency": True}),
    ("SBM", {"orientation": "output", "super_efficiency": True}),
    ("DDF", {}),
    ("DDF", {"direction": "inputs"}),
    ("DDF", {"direction": "outputs"}),
    ("DDF", {"direction": "unit"}),
    ("DDF", {"bad": True}),
    ("DDF", {"bad": True, "disposability": "strong"}),
]


def _data(seed: int, n: int, m: int, s: int, kind: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 6.0, (n, m))
    Y = rng.uniform(1.0, 6.0, (n, s))
    if kind in ("ties", "degenerate"):
        X, Y = np.round(X), np.round(Y)
    if kind == "degenerate":
        k = max(2, n // 6)
        X[1:k], Y[1:k] = X[0], Y[0]  # duplicated units
        if m > 1:
            X[k : 2 * k, 0] = 0.0  # zero inputs
        if s > 1:
            Y[3 * k : 4 * k, 0] = 0.0  # zero outputs
        Y[2 * k : 3 * k, -1] = Y[:, -1].max()  # a shared maximum
    cols = [f"x{i}" for i in range(m)] + [f"y{r}" for r in range(s)]
    df = pd.DataFrame(np.hstack([X, Y]), columns=cols)
    df.index = pd.Index([f"u{i}" for i in range(n)])
    return df


def _model(name: str, df: pd.DataFrame, m: int, rts: str, opts: dict, **kw):
    cols = list(df.columns)
    ins, outs = cols[:m], cols[m:]
    opts = dict(opts)
    if opts.pop("bad", False):
        opts["undesirable"] = [outs[-1]]
    return getattr(dea, name)(df, ins, outs, rts=rts, **opts, **kw)


def _fit(model, threshold: int):
    with mock.patch.object(envelope, "_CG_MIN_UNITS", threshold):
        return model.fit()


def _phase2_sum(res, model) -> np.ndarray:
    a = model._scaled()
    return (res.slack_values / np.concatenate([a["sx"], a["sy"]])).sum(axis=1)


@SETTINGS
@given(
    seed=st.integers(0, 2**31 - 1),
    shape=st.tuples(st.integers(6, 50), st.integers(1, 3), st.integers(1, 3)),
    kind=st.sampled_from(["uniform", "ties", "degenerate"]),
    rts=st.sampled_from(["vrs", "crs", "nirs", "ndrs"]),
    variant=st.sampled_from(VARIANTS),
)
def test_column_generation_equals_the_full_lp(seed, shape, kind, rts, variant):
    n, m, s = shape
    name, opts = variant
    if opts.get("bad") and s < 2:
        s = 2
    df = _data(seed, n, m, s, kind)
    model = _model(name, df, m, rts, opts)
    made: list = []
    real = envelope.envelope_strategy

    def spy(*args, **kw):
        made.append(real(*args, **kw))
        return made[-1]

    with mock.patch.object(envelope, "envelope_strategy", spy):
        got = _fit(model, 0)
    assert made and all(isinstance(s, ColumnGeneration) for s in made)
    assert got.info["screening"] == "pricing"
    want = _fit(model, 10**9)
    assert want.info["screening"] == "none"
    np.testing.assert_array_equal(got.status_values, want.status_values)
    ok = want.status_values == "optimal"
    np.testing.assert_allclose(got.score_values[ok], want.score_values[ok], rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        got.objective_values[ok], want.objective_values[ok], rtol=1e-9, atol=1e-9
    )
    if name == "DDF":  # phase 2: the max slack sum at the optimal beta
        np.testing.assert_allclose(
            _phase2_sum(got, model)[ok], _phase2_sum(want, model)[ok], rtol=1e-8, atol=1e-7
        )
    if opts.get("super_efficiency"):
        return
    # the CG solution is feasible for the full LP: X' lambda, Y' lambda are the targets
    lam = got.lambda_matrix.toarray()[ok]
    data = df.to_numpy()
    np.testing.assert_allclose(lam @ data, got.target_values[ok], rtol=1e-7, atol=1e-6)
    total = lam.sum(axis=1)
    tol = 1e-7
    if rts == "vrs":
        np.testing.assert_allclose(total, 1.0, atol=tol)
    elif rts == "nirs":
        assert (total <= 1.0 + tol).all()
    elif rts == "ndrs":
        assert (total >= 1.0 - tol).all()


def _big() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    X = rng.lognormal(2.0, 0.4, (810, 2))
    Y = X.prod(axis=1, keepdims=True) ** 0.4 * np.exp(-np.abs(rng.normal(0, 0.3, (810, 2))))
    return pd.DataFrame(np.hstack([X, np.round(Y, 1)]), columns=["x1", "x2", "y1", "y2"])


IO = (["x1", "x2"], ["y1", "y2"])


@pytest.mark.parametrize("cls", [dea.Additive, dea.SBM, dea.DDF])
def test_column_generation_is_the_default_above_the_threshold(cls):
    big = _big()
    # 810 reference units: above _CG_MIN_UNITS, so the HiGHS default prices
    assert cls(big, *IO).screening == "pricing"
    assert cls(big.iloc[:800], *IO).screening == "none"
    assert cls(big, *IO, solver="scipy").screening == "none"
    df = big.iloc[:150]
    with mock.patch.object(envelope, "_CG_MIN_UNITS", 100):
        got = cls(df, *IO).fit()
    plain = cls(df, *IO, solver="scipy").fit()
    assert (got.info["screening"], plain.info["screening"]) == ("pricing", "none")
    np.testing.assert_allclose(got.score_values, plain.score_values, atol=1e-8)


@pytest.mark.slow
@pytest.mark.parametrize("cls", [dea.Additive, dea.SBM, dea.DDF])
def test_column_generation_n_jobs_identical(cls):
    # the strategy is built in the parent and sent to the workers: same results
    df = _big().iloc[:150]
    with mock.patch.object(envelope, "_CG_MIN_UNITS", 100):
        one = cls(df, *IO).fit()
        two = cls(df, *IO, n_jobs=2).fit()
    assert one.info["screening"] == two.info["screening"] == "pricing"
    np.testing.assert_array_equal(one.score_values, two.score_values)
    np.testing.assert_array_equal(one.slack_values, two.slack_values)


def test_unit_columns_seed_the_working_set_and_keep_it_feasible():
    # Additive VRS on units far apart: a unit's LP is feasible on the working set only
    # with a column that dominates it, e.g. its own; seeded, no full-LP fallback
    rng = np.random.default_rng(2)
    n = 40
    X = rng.uniform(1.0, 5.0, (n, 2))
    Y = rng.uniform(1.0, 5.0, (n, 2))
    df = pd.DataFrame(np.hstack([X, Y]), columns=["x1", "x2", "y1", "y2"])
    model = dea.Additive(df, ["x1", "x2"], ["y1", "y2"])
    family, _ = model._family()
    opened: list = []
    real_open = ColumnGeneration.open_session

    def spy_open(self, fam, solver, options):
        sess = real_open(self, fam, solver, options)
        opened.append(sess)
        return sess

    with mock.patch.object(envelope, "_CG_MIN_UNITS", 0):
        own = np.arange(n)
        strategy = envelope.envelope_strategy(family.env, "highs", own)
        assert isinstance(strategy, ColumnGeneration)
        np.testing.assert_array_equal(strategy.unit_columns, own)
        with mock.patch.object(ColumnGeneration, "open_session", spy_open):
            got = dea.solvers.solve_family(family, strategy=strategy, chunk_size=n)
        assert opened and opened[0]._full is None  # never fell back to the full LP
        unseeded = ColumnGeneration(np.arange(n), strategy.initial)
        plain = dea.solvers.solve_family(family)
        again = dea.solvers.solve_family(family, strategy=unseeded)
    np.testing.assert_allclose(got.objective, plain.objective, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(again.objective, plain.objective, rtol=1e-9, atol=1e-9)
    # a unit whose own column is excluded (super-efficiency) is not seeded
    ex = np.full(n, -1)
    ex[3] = 3
    with mock.patch.object(envelope, "_CG_MIN_UNITS", 0):
        st_ex = envelope.envelope_strategy(family.env, "highs", own, ex)
    assert st_ex.unit_columns[3] == -1 and st_ex.unit_columns[4] == 4
    # other backends, or few reference units: plain LPs
    assert envelope.envelope_strategy(family.env, "scipy", own) is None
    assert envelope.envelope_strategy(family.env, "highs", own) is None


@pytest.mark.parametrize("cls", [dea.Additive, dea.SBM, dea.DDF])
def test_reference_subset_and_outside_units_under_column_generation(cls):
    # evaluated units outside the reference set have no own column (-1): still exact
    df = _data(9, 40, 2, 2, "ties")
    ref = df.index[::2]
    kw = {"reference": list(ref), "rts": "vrs"}
    model = cls(df, ["x0", "x1"], ["y0", "y1"], **kw)
    got, want = _fit(model, 0), _fit(model, 10**9)
    np.testing.assert_array_equal(got.status_values, want.status_values)
    ok = want.status_values == "optimal"
    assert (got.info["screening"], want.info["screening"]) == ("pricing", "none")
    np.testing.assert_allclose(got.score_values[ok], want.score_values[ok], atol=1e-9)
