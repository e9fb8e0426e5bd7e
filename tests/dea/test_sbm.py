"""Slack-based measure (dea.SBM) and super-SBM.

References used here:

* Tone (2001)'s example (5 units, 2 inputs, 2 outputs; ``tests/results/tone2001.csv``, the
  data deaR ships as ``Tone2001`` "for replication of results in Tone (2001, p. 505)").
  D is dominated by C with one unit less of y2, so rho_D = 1 / (1 + 1/2) = 2/3 by hand;
  A and B are checked against their LP solutions written out below.
* DataEnvelopmentAnalysis.jl's test suite, ``test/deaerg.jl`` (commit
  ``02fca36ff305a6fcd6035fce57eeb71ffa092d57``): the enhanced Russell graph measure of
  Pastor, Ruiz & Sirvent (1999), which is the same programme as the non-oriented SBM, on an
  8-unit one-input one-output example, with scores and slacks for CRS and VRS.
* R deaR 1.5.3 ``model_sbmeff`` / ``model_sbmsupereff`` on tone2001, fls11 and pft1981 for
  every orientation and RTS (``tests/results/deaR_i10_sbm.csv`` from
  ``make_deaR_i10.R``).  deaR's super-SBM scores inefficient units 1 (their super-SBM LP
  optimum); ``dea.SBM`` keeps their SBM score (Tone 2002 applies the super model to
  efficient units only), so the comparison takes the deaR SBM score where it is < 1.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import io_names, random_frame
from hypothesis import given, settings
from hypothesis import strategies as st

import dea
from dea.exceptions import InfeasibleUnitWarning, InputDataError

RESULTS = Path(__file__).parents[1] / "results"
TONE = pd.read_csv(RESULTS / "tone2001.csv", index_col=0)
SETS = {
    "tone2001": (["x1", "x2"], ["y1", "y2"]),
    "fls11": (["x1", "x2"], ["y"]),
    "pft1981": ([f"x{i}" for i in range(1, 6)], [f"y{i}" for i in range(1, 4)]),
}
DEAR = pd.read_csv(RESULTS / "deaR_i10_sbm.csv", dtype={"unit": str})
ORIENT = {"no": "non", "io": "input", "oo": "output"}


def _fit(df, inputs, outputs, **kw):
    return dea.SBM(df, inputs=inputs, outputs=outputs, **kw).fit()


def test_tone2001_example():
    res = _fit(TONE, ["x1", "x2"], ["y1", "y2"], rts="crs")
    # A (4, 3; 2, 3): the optimum uses C and E (lambda 5/14, 4/7) with s-_x2 = 5/14 and
    # s+_y1 = 5/7:  rho = (1 - (5/14)/3/2) / (1 + (5/7)/2/2) = (79/84) / (33/28) = 79/99
    # B (6, 3; 2, 3): lambda_C = 9/14, lambda_E = 3/7, s- = (0, 9/14), s+ = (16/7, 0):
    # rho = (1 - (9/14)/3/2) / (1 + (16/7)/2/2) = (75/84) / (44/28) = 25/44
    np.testing.assert_allclose(res.scores, [79 / 99, 25 / 44, 1.0, 2 / 3, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.slacks.loc["D"], [0, 0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(res.slacks.loc["A"], [0, 5 / 14, 5 / 7, 0], atol=1e-12)
    assert res.peers["A"] == ["C", "E"]
    np.testing.assert_allclose(res.lambdas.loc["A", ["C", "E"]], [5 / 14, 4 / 7], atol=1e-12)
    np.testing.assert_allclose(res.targets.loc["D"], [8, 1, 6, 2], atol=1e-12)
    # Tone (2001) Theorem: SBM <= CCR (input) score
    ccr = dea.Radial(TONE, inputs=["x1", "x2"], outputs=["y1", "y2"], rts="crs").fit()
    assert (res.scores <= ccr.scores + 1e-12).all()
    # super-SBM (Tone 2002) of the efficient C and E (agrees with deaR, see below)
    sup = _fit(TONE, ["x1", "x2"], ["y1", "y2"], rts="crs", super_efficiency=True)
    np.testing.assert_allclose(sup.scores[["C", "E"]], [4 / 3, 16 / 11], atol=1e-12)
    np.testing.assert_allclose(sup.scores[["A", "B", "D"]], res.scores[["A", "B", "D"]])
    assert "C" not in sup.peers["C"] and "E" not in sup.peers["E"]


# DataEnvelopmentAnalysis.jl test/deaerg.jl
ERG = pd.DataFrame(
    {"x": [2, 4, 8, 12, 6, 14, 14, 9.412], "y": [1, 5, 8, 9, 3, 7, 9, 2.353]},
    index=[f"D{i}" for i in range(1, 9)],
)
ERG_EXPECTED = {
    "crs": (
        [0.4, 1.0, 0.8, 0.6, 0.4, 0.4, 0.514285714285650175, 0.2],
        [0, 0, 1.6, 0, 0, 0, 0, 0],
        [1.5, 0, 0, 6.0, 4.5, 10.5, 8.5, 9.412],
    ),
    "vrs": (
        [1.0, 1.0, 1.0, 1.0, 0.4, 0.4761904761904763, 0.8571428571428572, 0.2],
        [0, 0, 0, 0, 2.0, 22 / 3, 2, 5.412],
        [0, 0, 0, 0, 2.0, 0, 0.0, 2.647],
    ),
}


@pytest.mark.parametrize("solver", ["highs", "scipy", "pulp"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_enhanced_russell_graph_dataenvelopmentanalysis_jl(rts, solver):
    res = _fit(ERG, ["x"], ["y"], rts=rts, solver=solver)
    eff, sx, sy = ERG_EXPECTED[rts]
    np.testing.assert_allclose(res.scores, eff, atol=1e-10)
    if rts == "vrs":  # CRS has ties in the slacks of D3 (x or y slack)
        np.testing.assert_allclose(res.slacks["x"], sx, atol=1e-8)
        np.testing.assert_allclose(res.slacks["y"], sy, atol=1e-8)


@pytest.mark.parametrize("dataset", sorted(SETS))
@pytest.mark.parametrize("orientation", ["no", "io", "oo"])
def test_against_deaR(dataset, orientation):
    inputs, outputs = SETS[dataset]
    df = pd.read_csv(RESULTS / f"{dataset}.csv", index_col=0)
    df.index = df.index.astype(str)
    sub = DEAR[(DEAR.dataset == dataset) & (DEAR.orientation == orientation)]
    for rts in ("crs", "vrs", "nirs", "ndrs"):
        one = sub[sub.rts == rts]
        base = one[one.super == 0].set_index("unit")["value"]
        sup = one[one.super == 1].set_index("unit")["value"]
        sup = sup.where(~(base < 1 - 1e-9), base)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InfeasibleUnitWarning)
            r0 = _fit(df, inputs, outputs, rts=rts, orientation=ORIENT[orientation])
            r1 = _fit(
                df,
                inputs,
                outputs,
                rts=rts,
                orientation=ORIENT[orientation],
                super_efficiency=True,
            )
        np.testing.assert_allclose(r0.scores, base[df.index], atol=1e-9)
        np.testing.assert_allclose(r1.scores, sup[df.index], atol=1e-9)
        assert (r1.status == "optimal").tolist() == sup[df.index].notna().tolist()


def test_super_sbm_infeasible_units_are_reported():
    with pytest.warns(InfeasibleUnitWarning, match="'C', 'E'"):
        res = _fit(
            TONE,
            ["x1", "x2"],
            ["y1", "y2"],
            rts="vrs",
            orientation="input",
            super_efficiency=True,
        )
    assert res.status[["C", "E"]].tolist() == ["infeasible", "infeasible"]
    assert res.scores[["C", "E"]].isna().all()
    assert res.slacks.loc["C"].isna().all() and res.peers["C"] == []
    assert len(res.scores) == 5 and res.status["A"] == "optimal"
    # output orientation under VRS: only E (the largest y2) is infeasible
    with pytest.warns(InfeasibleUnitWarning, match="'E'"):
        out = _fit(
            TONE,
            ["x1", "x2"],
            ["y1", "y2"],
            rts="vrs",
            orientation="output",
            super_efficiency=True,
        )
    assert out.status.tolist() == ["optimal"] * 4 + ["infeasible"]
    assert out.scores["C"] == pytest.approx(4 / 3, abs=1e-12)


def test_super_sbm_targets_and_slacks_convention():
    sup = _fit(TONE, ["x1", "x2"], ["y1", "y2"], rts="crs", super_efficiency=True)
    d = TONE.loc["C"].to_numpy()
    t = sup.targets.loc["C"].to_numpy()
    # targets xbar >= x_C, ybar <= y_C; slacks = x - xbar (<= 0) and ybar - y (<= 0)
    assert (t[:2] >= d[:2] - 1e-12).all() and (t[2:] <= d[2:] + 1e-12).all()
    np.testing.assert_allclose(sup.slacks.loc["C"], np.r_[d[:2] - t[:2], t[2:] - d[2:]])
    xbar, ybar = t[:2], t[2:]
    delta = np.mean(xbar / d[:2]) / np.mean(ybar / d[2:])
    assert delta == pytest.approx(sup.scores["C"], abs=1e-12)


def test_result_display_and_options():
    res = _fit(TONE, ["x1", "x2"], ["y1", "y2"], rts="crs", orientation="output")
    assert res.phi is None
    text = repr(res)
    assert "SBM result" in text and "rho" in text and "orientation" in text
    assert res.info["orientation"] == "output"
    with pytest.raises(InputDataError, match="orientation"):
        dea.SBM(TONE, inputs=["x1", "x2"], outputs=["y1", "y2"], orientation="graph")
    with pytest.raises(InputDataError, match="rts"):
        dea.SBM(TONE, inputs=["x1", "x2"], outputs=["y1", "y2"], rts="grs")


def test_zero_input_term_is_left_out():
    # a zero input of the evaluated unit drops its term; the divisor stays m = 2
    df = pd.DataFrame(
        {"x1": [1.0, 2.0, 0.0], "x2": [1.0, 1.0, 3.0], "y": [1.0, 1.0, 1.0]},
        index=["A", "B", "C"],
    )
    res = _fit(df, ["x1", "x2"], ["y"], rts="vrs", orientation="input")
    # B (2, 1) is dominated by A (1, 1): rho = 1 - (1/2)(1/2) = 0.75.  C (0, 3) could
    # move to A only by raising x1, so its x2 slack is limited by x1: C stays efficient
    assert res.scores["B"] == pytest.approx(0.75, abs=1e-12)
    assert res.scores["C"] == 1.0


def test_backends_n_jobs_and_no_mutation():
    df = random_frame(5, n=30, m=2, s=2)
    ins, outs = io_names(df)
    before = df.copy()
    for orientation in ("non", "input", "output"):
        for sup in (False, True):
            kw = {"rts": "crs", "orientation": orientation, "super_efficiency": sup}
            a = _fit(df, ins, outs, **kw)
            for solver in ("scipy", "pulp"):
                np.testing.assert_allclose(
                    _fit(df, ins, outs, solver=solver, **kw).scores, a.scores, atol=1e-7
                )
    big = random_frame(6, n=130, m=2, s=2)
    a = _fit(big, ins, outs, rts="vrs", super_efficiency=True)
    b = _fit(big, ins, outs, rts="vrs", super_efficiency=True, n_jobs=2)
    np.testing.assert_allclose(b.scores, a.scores, atol=1e-12)
    pd.testing.assert_frame_equal(df, before)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    orientation=st.sampled_from(["non", "input", "output"]),
)
def test_sbm_at_most_radial(seed, rts, orientation):
    df = random_frame(seed, n=12, m=2, s=2)
    ins, outs = io_names(df)
    sbm = _fit(df, ins, outs, rts=rts, orientation=orientation).scores
    assert ((sbm > 0) & (sbm <= 1)).all()
    for o in ("input", "output") if orientation == "non" else (orientation,):
        rad = dea.Radial(df, inputs=ins, outputs=outs, rts=rts, orientation=o).fit().scores
        assert (sbm <= rad + 1e-9).all()


@pytest.mark.filterwarnings("ignore::dea.InfeasibleUnitWarning")
@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    factors=st.lists(st.sampled_from([1e-3, 0.5, 7.0, 1e4]), min_size=4, max_size=4),
    orientation=st.sampled_from(["non", "input", "output"]),
)
def test_unit_invariance_and_efficient_projections(seed, factors, orientation):
    df = random_frame(seed, n=12, m=2, s=2)
    ins, outs = io_names(df)
    base = _fit(df, ins, outs, rts="vrs", orientation=orientation, super_efficiency=True)
    scaled = _fit(
        df * np.asarray(factors),
        ins,
        outs,
        rts="vrs",
        orientation=orientation,
        super_efficiency=True,
    )
    np.testing.assert_allclose(scaled.scores, base.scores, rtol=1e-7, atol=1e-9)
    ok = base.status == "optimal"
    assert (base.scores[ok & (base.scores >= 1)] >= 1).all()
    # non-oriented: the projection of an inefficient unit is SBM-efficient
    if orientation == "non":
        plain = _fit(df, ins, outs, rts="vrs")
        targets = plain.targets
        again = _fit(targets, ins, outs, rts="vrs", reference=df)
        np.testing.assert_allclose(again.scores, 1.0, atol=1e-7)
