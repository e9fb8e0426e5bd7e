"""Directional distance function (dea.DDF).

References: DataEnvelopmentAnalysis.jl's test suite (``test/deaddf.jl``, FLS 11-unit data,
"Test against results with R"; ``tests/results/fls11_ddf_julia.csv``) for the observed,
unit, input-only and output-only directions under CRS and VRS; R deaR 1.5.3 ``model_dir``
and Benchmarking 0.33 ``dea.direct`` (``make_deaR_i10.R``) on three data sets for all four
RTS.  The undesirable-output model is checked on a hand-solved case.  Invariants: beta
for direction (x, 0) is 1 - theta (input radial) and for (0, y) it is phi - 1; beta is 0
exactly for points on the frontier in direction g (the projections) and positive for
points moved inside it; weak disposability of bad outputs never gives a larger beta than
strong; unit invariance with the observed direction; backends and n_jobs agree.
"""

from __future__ import annotations

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
FLS = pd.read_csv(RESULTS / "fls11.csv", index_col=0)
JULIA = pd.read_csv(RESULTS / "fls11_ddf_julia.csv", index_col=0)
SETS = {
    "tone2001": (["x1", "x2"], ["y1", "y2"]),
    "fls11": (["x1", "x2"], ["y"]),
    "pft1981": ([f"x{i}" for i in range(1, 6)], [f"y{i}" for i in range(1, 4)]),
}


def _fit(df, inputs=("x1", "x2"), outputs=("y",), **kw):
    return dea.DDF(df, inputs=list(inputs), outputs=list(outputs), **kw).fit()


@pytest.mark.parametrize("solver", ["highs", "scipy", "pulp"])
@pytest.mark.parametrize("direction", ["observed", "unit", "inputs", "outputs"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_fls11_against_dataenvelopmentanalysis_jl(rts, direction, solver):
    res = _fit(FLS, rts=rts, direction=direction, solver=solver)
    np.testing.assert_allclose(res.scores, JULIA[f"{direction}_{rts}"], atol=1e-8)
    # the projections are on the frontier: beta 0 in the same direction
    again = _fit(res.targets, rts=rts, direction=res.direction.to_numpy(), reference=FLS)
    np.testing.assert_allclose(again.scores, 0.0, atol=1e-7)


@pytest.mark.parametrize("dataset", sorted(SETS))
def test_against_deaR_and_benchmarking(dataset):
    dear = pd.read_csv(RESULTS / "deaR_i10_dir.csv", dtype={"unit": str})
    bm = pd.read_csv(RESULTS / "benchmarking_i10.csv", dtype={"unit": str})
    inputs, outputs = SETS[dataset]
    df = pd.read_csv(RESULTS / f"{dataset}.csv", index_col=0)
    df.index = df.index.astype(str)
    for rts in ("crs", "vrs", "nirs", "ndrs"):
        for g in ("observed", "inputs", "outputs", "unit"):
            got = _fit(df, inputs, outputs, rts=rts, direction=g).scores
            sel = (dear.dataset == dataset) & (dear.rts == rts) & (dear.direction == g)
            exp = dear[sel].set_index("unit")["value"][df.index]
            np.testing.assert_allclose(got, exp, atol=1e-9)
            if g in ("observed", "unit"):
                sel = (bm.dataset == dataset) & (bm.rts == rts) & (bm.setting == g)
                sel &= bm.model == "dea.direct"
                exp = bm[sel].set_index("unit")["value"][df.index]
                np.testing.assert_allclose(got, exp, atol=1e-9)


def test_hand_case_and_conventions():
    # D (5, 2), g = (5, 2), VRS frontier A-B: y = 1.5 x - 2 -> beta = 3.5 / 9.5
    df = pd.DataFrame({"x": [2.0, 4.0, 8.0, 5.0], "y": [1.0, 4.0, 5.0, 2.0]}, index=list("ABCD"))
    res = _fit(df, ["x"], ["y"], rts="vrs")
    b = 3.5 / 9.5
    np.testing.assert_allclose(res.scores, [0, 0, 0, b], atol=1e-12)
    np.testing.assert_allclose(res.targets.loc["D"], [5 - 5 * b, 2 + 2 * b], atol=1e-12)
    np.testing.assert_allclose(res.inefficiency.loc["D"], [5 * b, 2 * b], atol=1e-12)
    np.testing.assert_allclose(res.direction.loc["D"], [5, 2])
    assert res.peers["D"] == ["A", "B"]
    assert res.efficient.tolist() == [True, True, True, False]
    assert res.slacks.columns.tolist() == ["x", "y"]
    # a user direction, outputs only, 1 unit: at x = 5 the frontier is on B-C,
    # y = 4 + (5 - 4) / 4 = 4.25, so beta = 2.25
    user = _fit(df, ["x"], ["y"], rts="vrs", direction={"x": 0.0, "y": 1.0})
    assert user.scores["D"] == pytest.approx(2.25, abs=1e-12)
    arr = _fit(df, ["x"], ["y"], rts="vrs", direction=[0.0, 1.0])
    frame = pd.DataFrame({"x": 0.0, "y": 1.0}, index=df.index[::-1])
    per_unit = _fit(df, ["x"], ["y"], rts="vrs", direction=frame)
    np.testing.assert_allclose(arr.scores, user.scores)
    np.testing.assert_allclose(per_unit.scores, user.scores)
    assert "direction" in repr(res) and "efficient (score = 0)" in repr(res)


def test_undesirable_output_weak_disposability_by_hand():
    # one input (1 for all), good y, bad b; A (y 2, b 1), B (1, 1), C (2, 2).
    # B in direction "outputs" g = (0, y_B, b_B) = (0, 1, 1), CRS, weak disposability:
    #   2a + 1b' + 2c >= 1 + beta  (good),  a + b' + 2c = 1 - beta  (bad, equality),
    #   a + b' + c <= 1            (input)
    # A alone: a = 1 - beta and 2 a >= 1 + beta  ->  beta = 1/3 (a = 2/3)
    df = pd.DataFrame(
        {"x": [1.0, 1.0, 1.0], "y": [2.0, 1.0, 2.0], "b": [1.0, 1.0, 2.0]}, index=list("ABC")
    )
    kw = {"rts": "crs", "direction": "outputs", "undesirable": ["b"]}
    weak = _fit(df, ["x"], ["y", "b"], **kw)
    assert weak.scores["B"] == pytest.approx(1 / 3, abs=1e-12)
    # phase 2 keeps beta and takes the input slack 1 - a = 1/3
    np.testing.assert_allclose(weak.targets.loc["B"], [2 / 3, 4 / 3, 2 / 3], atol=1e-12)
    # the bad output's target is exactly the reference combination (no disposal)
    lam = weak.lambdas.sparse.to_dense().loc["B"].to_numpy()
    assert lam @ df["b"].to_numpy() == pytest.approx(2 / 3, abs=1e-12)
    assert weak.slacks.loc["B", "b"] == 0.0
    # C (2, 2): sum(lambda) <= 1 (input) and every y <= 2, so y cannot rise: beta = 0
    assert weak.scores["C"] == pytest.approx(0.0, abs=1e-12)
    strong = _fit(df, ["x"], ["y", "b"], disposability="strong", **kw)
    assert (strong.scores >= weak.scores - 1e-12).all()
    # without the undesirable flag b is a good output: B (1, 1) reaches A's y only
    good = _fit(df, ["x"], ["y", "b"], rts="crs", direction="outputs")
    assert good.scores["B"] == pytest.approx(1.0, abs=1e-12)  # to (2, 2) = C


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"direction": "north"}, "direction='north' is not allowed"),
        ({"direction": [1.0, -1.0, 1.0]}, "'x2'"),
        ({"direction": [1.0, 1.0]}, "shape"),
        ({"direction": {"x1": 1.0, "y": 1.0}}, "missing 'x2'"),
        ({"direction": [0.0, 0.0, 0.0]}, "zero for every input and output"),
        ({"undesirable": ["x1"]}, "not among the outputs"),
        ({"disposability": "free"}, "disposability"),
        ({"rts": "grs"}, "rts"),
    ],
)
def test_bad_options(kw, match):
    with pytest.raises(InputDataError, match=match):
        dea.DDF(FLS, inputs=["x1", "x2"], outputs=["y"], **kw)


def test_reference_set_negative_beta_and_infeasible():
    df = pd.DataFrame({"x": [2.0, 4.0, 8.0, 3.0], "y": [1.0, 3.0, 4.0, 3.0]}, index=list("ABCD"))
    # D (3, 3) lies outside the frontier of A, B, C (CRS ray y = 0.75 x): beta < 0
    res = _fit(df, ["x"], ["y"], rts="crs", reference=["A", "B", "C"])
    # (3 + 3 b) * 0.75 = 3 - 3 b  ->  b = -0.75 / 5.25
    assert res.scores["D"] == pytest.approx(-0.75 / 5.25, abs=1e-12)
    # VRS, reference A only, direction outputs: any unit with x < 2 cannot be reached
    df2 = pd.DataFrame({"x": [2.0, 1.0], "y": [1.0, 1.0]}, index=["A", "B"])
    with pytest.warns(InfeasibleUnitWarning, match="'B'"):
        bad = _fit(df2, ["x"], ["y"], rts="vrs", direction="outputs", reference=["A"])
    assert bad.status["B"] == "infeasible" and np.isnan(bad.scores["B"])
    assert bad.inefficiency.loc["B"].isna().all()


def test_backends_n_jobs_and_no_mutation():
    df = random_frame(8, n=30, m=2, s=2)
    ins, outs = io_names(df)
    before = df.copy()
    for rts in ("crs", "vrs", "nirs", "ndrs"):
        kw = {"rts": rts, "undesirable": ["y2"]}
        a = _fit(df, ins, outs, **kw).scores
        for solver in ("scipy", "pulp"):
            np.testing.assert_allclose(
                _fit(df, ins, outs, solver=solver, **kw).scores, a, atol=1e-7
            )
    big = random_frame(9, n=130)
    ins, outs = io_names(big)
    one = _fit(big, ins, outs, direction="unit")
    two = _fit(big, ins, outs, direction="unit", n_jobs=2)
    np.testing.assert_allclose(two.scores, one.scores, atol=1e-12)
    pd.testing.assert_frame_equal(df, before)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]))
def test_radial_identities_and_frontier(seed, rts):
    df = random_frame(seed, n=12, m=2, s=2)
    ins, outs = io_names(df)
    theta = dea.Radial(df, inputs=ins, outputs=outs, rts=rts).fit().scores
    phi = dea.Radial(df, inputs=ins, outputs=outs, rts=rts, orientation="output").fit().phi
    b_in = _fit(df, ins, outs, rts=rts, direction="inputs").scores
    b_out = _fit(df, ins, outs, rts=rts, direction="outputs").scores
    np.testing.assert_allclose(b_in, 1 - theta, atol=1e-8)
    np.testing.assert_allclose(b_out, phi - 1, atol=1e-7)
    # beta == 0 iff on the frontier in direction g: the points x - beta g, y + beta g
    # score 0 and points moved inside along g score > 0
    res = _fit(df, ins, outs, rts=rts, two_phase=False)
    g = res.direction.to_numpy()
    obs = df[ins + outs].to_numpy()
    m = len(ins)
    sign = np.r_[-np.ones(m), np.ones(len(outs))]
    proj = pd.DataFrame(
        obs + sign * res.scores.to_numpy()[:, None] * g, index=df.index, columns=ins + outs
    )
    on = _fit(proj, ins, outs, rts=rts, direction=g, reference=df).scores
    np.testing.assert_allclose(on, 0.0, atol=1e-8)
    inside = pd.DataFrame(proj.to_numpy() - sign * 0.05 * g, index=df.index, columns=ins + outs)
    assert (_fit(inside, ins, outs, rts=rts, direction=g, reference=df).scores > 1e-6).all()
    assert ((res.scores == 0) == res.efficient).all()


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    factors=st.lists(st.sampled_from([1e-3, 0.5, 7.0, 1e4]), min_size=4, max_size=4),
)
def test_unit_invariance_observed_and_weak_below_strong(seed, factors):
    df = random_frame(seed, n=12, m=2, s=2)
    ins, outs = io_names(df)
    base = _fit(df, ins, outs, rts="vrs", undesirable=["y2"])
    scaled = _fit(df * np.asarray(factors), ins, outs, rts="vrs", undesirable=["y2"])
    np.testing.assert_allclose(scaled.scores, base.scores, rtol=1e-7, atol=1e-9)
    strong = _fit(df, ins, outs, rts="vrs", undesirable=["y2"], disposability="strong")
    assert (strong.scores >= base.scores - 1e-9).all()
