"""Hypothesis property tests of the radial models (invariants that must hold for any data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import io_names, random_frame
from hypothesis import given, settings
from hypothesis import strategies as st

import dea

SETTINGS = settings(max_examples=20, deadline=None)

seeds = st.integers(0, 2**31 - 1)
shapes = st.tuples(st.integers(5, 14), st.integers(1, 3), st.integers(1, 2))


def fit(df, **kw):
    ins, outs = io_names(df)
    return dea.Radial(df, inputs=ins, outputs=outs, **kw).fit()


@SETTINGS
@given(seed=seeds, shape=shapes)
def test_scores_in_unit_interval_and_rts_ordering(seed, shape):
    n, m, s = shape
    df = random_frame(seed, n, m, s)
    sc = {rts: fit(df, rts=rts, two_phase=False).scores for rts in ("crs", "vrs", "nirs", "ndrs")}
    for v in sc.values():
        assert ((v > 0) & (v <= 1)).all()
        assert (v == 1).any()  # someone is on every frontier
    tol = 1e-9
    assert (sc["crs"] <= sc["nirs"] + tol).all() and (sc["nirs"] <= sc["vrs"] + tol).all()
    assert (sc["crs"] <= sc["ndrs"] + tol).all() and (sc["ndrs"] <= sc["vrs"] + tol).all()
    # CRS: input theta = 1 / output phi
    out = fit(df, rts="crs", orientation="output", two_phase=False)
    np.testing.assert_allclose(out.phi, 1.0 / sc["crs"], rtol=1e-9)


@SETTINGS
@given(
    seed=seeds,
    shape=shapes,
    col=st.integers(0, 4),
    power=st.integers(-6, 9),
    orientation=st.sampled_from(["input", "output", "graph"]),
)
def test_invariant_to_rescaling_a_column(seed, shape, col, power, orientation):
    n, m, s = shape
    df = random_frame(seed, n, m, s)
    name = df.columns[col % df.shape[1]]
    scaled = df.copy()
    scaled[name] = scaled[name] * 10.0**power
    a = fit(df, rts="vrs", orientation=orientation)
    b = fit(scaled, rts="vrs", orientation=orientation)
    np.testing.assert_allclose(b.scores, a.scores, rtol=1e-9)
    # (weights are not compared: dual solutions of degenerate LPs are not unique)
    np.testing.assert_allclose(b.targets[name], a.targets[name] * 10.0**power, rtol=1e-7)


@SETTINGS
@given(seed=seeds, shape=shapes, perm_seed=seeds, rts=st.sampled_from(["crs", "vrs"]))
def test_row_permutation(seed, shape, perm_seed, rts):
    n, m, s = shape
    df = random_frame(seed, n, m, s)
    perm = np.random.default_rng(perm_seed).permutation(n)
    a = fit(df, rts=rts)
    b = fit(df.iloc[perm], rts=rts)
    assert list(b.scores.index) == list(df.index[perm])
    np.testing.assert_allclose(b.scores.loc[df.index], a.scores, rtol=1e-9)
    np.testing.assert_allclose(
        b.slacks.loc[df.index].sum(axis=1), a.slacks.sum(axis=1), rtol=1e-6, atol=1e-8
    )


@SETTINGS
@given(seed=seeds, shape=shapes, which=st.integers(0, 100), rts=st.sampled_from(["crs", "vrs"]))
def test_duplicated_unit_changes_nothing(seed, shape, which, rts):
    n, m, s = shape
    df = random_frame(seed, n, m, s)
    k = which % n
    dup = pd.concat([df, df.iloc[[k]].set_axis(["copy"])])
    a = fit(df, rts=rts)
    b = fit(dup, rts=rts)
    np.testing.assert_allclose(b.scores.loc[df.index], a.scores, rtol=1e-9)
    np.testing.assert_allclose(b.scores["copy"], b.scores.iloc[k], rtol=1e-12)


@SETTINGS
@given(
    seed=seeds,
    shape=shapes,
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    orientation=st.sampled_from(["input", "output"]),
)
def test_backends_agree_and_duality(seed, shape, rts, orientation):
    n, m, s = shape
    df = random_frame(seed, n, m, s)
    a = fit(df, rts=rts, orientation=orientation, solver="highs")
    b = fit(df, rts=rts, orientation=orientation, solver="scipy")
    np.testing.assert_allclose(a.scores, b.scores, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.slacks.sum(axis=1), b.slacks.sum(axis=1), atol=1e-8)
    np.testing.assert_allclose(a.targets, b.targets, rtol=1e-8, atol=1e-8)
    # duality: envelopment objective = multiplier objective
    ins, outs = io_names(df)
    W = a.weights
    if orientation == "input":
        mult = (W[outs] * df[outs]).sum(axis=1) + a.free
    else:
        mult = (W[ins] * df[ins]).sum(axis=1) + a.free
    np.testing.assert_allclose(mult, a.objective, rtol=1e-8, atol=1e-9)


@SETTINGS
@given(
    seed=seeds,
    shape=shapes,
    rts=st.sampled_from(["crs", "vrs"]),
    orientation=st.sampled_from(["input", "output"]),
)
def test_each_slack_rule_maximises_its_own_sum(seed, shape, rts, orientation):
    # Both rules search the same set of phase-1 optima, so each one's objective is at
    # least as large at its own solution as at the other rule's solution.
    n, m, s = shape
    df = random_frame(seed, n, m, s)
    unw = fit(df, rts=rts, orientation=orientation, slack_sum="unweighted")
    sca = fit(df, rts=rts, orientation=orientation, slack_sum="scaled")
    # (phase 2 changes the hot-start basis of the next unit's phase 1: last-bit noise)
    np.testing.assert_allclose(unw.scores, sca.scores, rtol=1e-12, atol=1e-14)
    means = df.abs().mean()  # the column scales of the scaled rule
    tol = 1e-7 * (1.0 + unw.slacks.sum(axis=1))
    assert (unw.slacks.sum(axis=1) >= sca.slacks.sum(axis=1) - tol).all()
    sum_scaled = lambda r: (r.slacks / means).sum(axis=1)  # noqa: E731
    assert (sum_scaled(sca) >= sum_scaled(unw) - 1e-7 * (1.0 + sum_scaled(sca))).all()
    # both are phase-2 solutions: targets are the same radial projection minus slacks
    for res in (unw, sca):
        ins = io_names(df)[0]
        if orientation == "input":
            proj = df[ins].mul(res.scores, axis=0) - res.slacks[ins]
        else:
            proj = df[ins] - res.slacks[ins]
        np.testing.assert_allclose(res.targets[ins], proj, rtol=1e-9, atol=1e-9)
