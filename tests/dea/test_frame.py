"""Frame screening (``Radial(screening="frame")``) gives the plain LPs' results.

Property test: on random data with ties, duplicated units and zero inputs, for every
returns-to-scale assumption, orientation and super-efficiency, the scores (and status)
agree with one full LP per unit (``screening="none"``) to 1e-9 and so does the phase-2
optimum (the max slack sum, which is unique even when the slacks are not).  The frame
finder's recursion (sample, score against the sample's frame, reduce) is exercised by
lowering its base size, so that small problems take every branch.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dea
import dea.models.radial as radial
from dea.exceptions import InputDataError

SETTINGS = settings(max_examples=60, deadline=None)
cert: list[int] = []  # certified units per example (checked by the next test)


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
        Y[2 * k : 3 * k, -1] = Y[:, -1].max()  # a shared maximum
    cols = [f"x{i}" for i in range(m)] + [f"y{r}" for r in range(s)]
    df = pd.DataFrame(np.hstack([X, Y]), columns=cols)
    df.index = pd.Index([f"u{i}" for i in range(n)])
    return df


def _fit(df: pd.DataFrame, m: int, **kw):
    cols = list(df.columns)
    return dea.Radial(df, cols[:m], cols[m:], **kw).fit()


def _slack_sum(res, df: pd.DataFrame) -> np.ndarray:
    # phase 2 maximises the slack sum with each slack divided by its column mean
    return (res.slack_values / df.to_numpy().mean(axis=0)).sum(axis=1)


@SETTINGS
@given(
    seed=st.integers(0, 2**31 - 1),
    shape=st.tuples(st.integers(8, 60), st.integers(1, 3), st.integers(1, 2)),
    kind=st.sampled_from(["uniform", "ties", "degenerate"]),
    rts=st.sampled_from(["vrs", "crs", "nirs", "ndrs"]),
    orientation=st.sampled_from(["input", "output", "graph"]),
    sup=st.booleans(),
    base=st.integers(4, 12),
    seed_units=st.integers(0, 3),
)
def test_frame_equals_plain_lps(seed, shape, kind, rts, orientation, sup, base, seed_units):
    n, m, s = shape
    df = _data(seed, n, m, s, kind)
    kw = {"rts": rts, "orientation": orientation, "super_efficiency": sup}
    # few seed LPs, so that most units are solved by numpy from stored bases
    # (dea.models._screen) rather than by LP
    with (
        mock.patch.object(radial, "_FRAME_BASE", base),
        mock.patch.object(radial, "_SEED_UNITS", seed_units),
        mock.patch.object(radial, "_FIRST_CHUNK", 3),
        mock.patch.object(radial, "_SCREEN_CHUNK", 7),
    ):
        got = _fit(df, m, screening="frame", **kw)
    cert.append(got.info.get("certified_units", 0))
    want = _fit(df, m, screening="none", **kw)
    assert got.info["screening"] in ("frame", "pricing")
    np.testing.assert_array_equal(got.status_values, want.status_values)
    # graph: G* is where an LP becomes feasible, which HiGHS places only to its
    # feasibility tolerance (1e-7), so even two plain runs can differ there (e.g. true
    # G = 0.8 came back as 0.79999992 and 0.79999994 on degenerate VRS data)
    atol = 1e-6 if orientation == "graph" else 1e-9
    np.testing.assert_allclose(got.score_values, want.score_values, rtol=0, atol=atol)
    # phase 2: graph excluded, because just below the true G* the phase-1 duals can
    # (wrongly) prove the slacks zero, so phase 2 is skipped on some engine paths and
    # not others (a defect of graph orientation on every path, reported separately)
    ok = want.status_values == "optimal"
    if orientation != "graph":
        np.testing.assert_allclose(
            _slack_sum(got, df)[ok], _slack_sum(want, df)[ok], rtol=1e-8, atol=1e-6
        )
    # peers are reference units, and without super-efficiency frame units only
    if got.info["screening"] == "frame" and not sup:
        assert got.info["frame_size"] <= n
        assert got.lambda_matrix.shape == (n, n)


def test_the_property_test_certified_units():
    # the property test above must exercise the certification, not only the LP path
    assert sum(cert) > 0


def test_frame_on_a_larger_problem_and_its_report():
    rng = np.random.default_rng(7)
    n = 600
    X = rng.lognormal(3.0, 0.4, (n, 2))
    Y = (X[:, :1] ** 0.4 * X[:, 1:] ** 0.4) * np.exp(-np.abs(rng.normal(0, 0.3, (n, 1))))
    df = pd.DataFrame(np.hstack([X, Y, 0.5 * Y]), columns=["x1", "x2", "y1", "y2"])
    with mock.patch.object(radial, "_FRAME_BASE", 150):
        got = dea.Radial(df, ["x1", "x2"], ["y1", "y2"], screening="frame").fit()
    want = dea.Radial(df, ["x1", "x2"], ["y1", "y2"], screening="pricing").fit()
    np.testing.assert_allclose(got.score_values, want.score_values, atol=1e-9)
    assert got.info["screening"] == "frame" and want.info["screening"] == "pricing"
    # the frame holds every unit with score 1 and is a small part of the data
    assert (want.score_values == 1.0).sum() <= got.info["frame_size"] < n // 4
    assert got.info["screening_seconds"] >= 0 and got.info["scoring_seconds"] >= 0
    peers = np.unique(got.lambda_matrix.indices)
    assert set(peers) <= set(np.flatnonzero(want.score_values == 1.0))


def test_screening_choices():
    df = _data(1, 20, 2, 1, "uniform")
    with pytest.raises(InputDataError, match="screening"):
        _fit(df, 2, screening="fast")
    assert _fit(df, 2).info["screening"] == "none"  # 20 units: one full LP each
    assert _fit(df, 2, solver="scipy", screening="frame").info["screening"] == "frame"


@pytest.mark.parametrize("rts", ["vrs", "crs", "nirs", "ndrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_numpy_simplex_on_degenerate_data(rts, orientation):
    # 400 units with rounded data (ties), duplicated units, zero inputs and a shared
    # maximum: most units are solved by the numpy simplex, every result is the plain
    # LPs' (scores, status, phase-2 slack sum) and the certified multipliers price every
    # unit right (the dual constraints of the multiplier form hold)
    df = _data(3, 400, 3, 2, "degenerate")
    got = _fit(df, 3, rts=rts, orientation=orientation, screening="frame")
    want = _fit(df, 3, rts=rts, orientation=orientation, screening="none")
    assert got.info["screening"] == "frame"
    assert got.info["certified_units"] > 200
    np.testing.assert_array_equal(got.status_values, want.status_values)
    np.testing.assert_allclose(got.score_values, want.score_values, rtol=0, atol=1e-9)
    ok = want.status_values == "optimal"
    np.testing.assert_allclose(
        _slack_sum(got, df)[ok], _slack_sum(want, df)[ok], rtol=1e-8, atol=1e-6
    )
    # multipliers: v x_j - u y_j - free >= 0 (input; output mirrored), u, v >= 0
    X, Y = df.to_numpy()[:, :3], df.to_numpy()[:, 3:]
    W = got.weight_values[ok]
    v, u = W[:, :3], W[:, 3:]
    assert (W >= -1e-9).all()
    free = got.free_values[ok]
    gap = X @ v.T - Y @ u.T  # units x evaluated
    gap = gap - free[None, :] if orientation == "input" else gap + free[None, :]
    assert gap.min() >= -1e-7
