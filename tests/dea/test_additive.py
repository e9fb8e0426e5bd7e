"""Additive DEA model (dea.Additive).

Reference values: ``tests/results/fls11_additive_julia.csv``, the additive scores of the
FLS 11-unit data from the test suite of DataEnvelopmentAnalysis.jl (``test/deaadd.jl``,
"Test against results with R"; see ``tests/results/README.md``) for unit weights, MIP,
normalized (1 / sample sd) and RAM weights under CRS and VRS.  Plus hand-checked cases,
the three backends, and invariants (hypothesis): slacks are zero exactly for units that
the two-phase radial model calls Pareto-efficient; targets score 0; RTS nesting; unit
invariance of the RAM, MIP and normalized scores.
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
from dea.exceptions import InputDataError

RESULTS = Path(__file__).parents[1] / "results"
FLS = pd.read_csv(RESULTS / "fls11.csv", index_col=0)
JULIA = pd.read_csv(RESULTS / "fls11_additive_julia.csv", index_col=0)
SOLVERS = ["highs", "scipy", "pulp"]


def _fit(df, inputs=("x1", "x2"), outputs=("y",), **kw):
    return dea.Additive(df, inputs=list(inputs), outputs=list(outputs), **kw).fit()


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("weights", ["ones", "mip", "normalized", "ram"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_fls11_against_dataenvelopmentanalysis_jl(rts, weights, solver):
    res = _fit(FLS, rts=rts, weights=weights, solver=solver)
    np.testing.assert_allclose(res.scores, JULIA[f"{weights}_{rts}"], rtol=1e-8, atol=1e-8)
    assert (res.status == "optimal").all()
    # the targets are Pareto-efficient: their additive score is 0
    t = res.targets
    again = _fit(t, rts=rts, weights=np.ones(3), reference=FLS)
    np.testing.assert_allclose(again.scores, 0.0, atol=1e-7)


def test_fls11_mip_slacks_vrs():
    # DataEnvelopmentAnalysis.jl deaadd.jl, MIP VRS (unique optimum for these units)
    res = _fit(FLS, rts="vrs", weights="mip")
    np.testing.assert_allclose(res.slacks.loc["U10"], [17.0, 15.0, 1.0], atol=1e-8)
    np.testing.assert_allclose(res.slacks.loc["U02"], [0.0, 0.0, 7.105263158], atol=1e-8)
    np.testing.assert_allclose(res.slacks.loc["U05"], [0.0, 0.0, 17.631578947], atol=1e-8)


def test_hand_case_and_result_conventions(one_one):
    # A (2, 1), B (4, 4), C (8, 5), D (5, 2).  VRS frontier A-B (slope 1.5) then B-C
    # (slope 0.25).  For D the slack sum along A-B is (5 - x) + (y - 2) = 1 + x / 2, so
    # the unique optimum is B: s- = 1, s+ = 2, score 3.
    df = pd.DataFrame({"x": [2.0, 4.0, 8.0, 5.0], "y": [1.0, 4.0, 5.0, 2.0]}, index=list("ABCD"))
    res = _fit(df, inputs=["x"], outputs=["y"], rts="vrs")
    np.testing.assert_allclose(res.scores, [0.0, 0.0, 0.0, 3.0], atol=1e-12)
    assert res.slacks.columns.tolist() == ["x", "y"]
    np.testing.assert_allclose(res.slacks.loc["D"], [1.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(res.targets.loc["D"], [4.0, 4.0], atol=1e-12)
    assert res.peers["D"] == ["B"]
    assert res.efficient.tolist() == [True, True, True, False]
    assert res.pareto_efficient.tolist() == [True, True, True, False]
    # one_one, CRS: the frontier is the ray through B (4, 3).  For A (2, 1), with
    # lambda_B = l: s- = 2 - 4 l >= 0, s+ = 3 l - 1 >= 0, sum 1 - l, largest at l = 1/3
    # (B is the cheapest way to make output: 4/3 input per unit of y, C needs 2).
    crs = _fit(one_one, inputs=["x"], outputs=["y"], rts="crs")
    assert crs.scores["A"] == pytest.approx(2.0 / 3.0, abs=1e-12)
    assert crs.scores["B"] == 0.0
    text = repr(res)
    assert "Additive result" in text and "efficient (score = 0)" in text
    assert "<table>" in res._repr_html_()


def test_charnes_et_al_1994_example():
    """The one-input one-output example of Charnes, Cooper, Lewin & Seiford (1994), *Data
    Envelopment Analysis: Theory, Methodology and Applications*, p. 27, which deaR 1.5.3's
    ``model_additive`` documentation replicates (same numbers from deaR, checked when
    writing this test).  Hand check, VRS frontier a(2,2)-b(3,5)-c(6,7)-d(9,8):
    e(5,3) -> b, slacks (2, 2); f(4,1) -> b, (1, 4); g(10,7) -> c, (4, 0): every other
    frontier point dominating them leaves a smaller slack sum (along a-b the sum rises
    towards b, along b-c and c-d it falls away from b and c)."""
    df = pd.DataFrame(
        {"x": [2, 3, 6, 9, 5, 4, 10.0], "y": [2, 5, 7, 8, 3, 1, 7.0]}, index=list("abcdefg")
    )
    res = _fit(df, ["x"], ["y"], rts="vrs")
    np.testing.assert_allclose(res.scores, [0, 0, 0, 0, 4, 5, 4], atol=1e-12)
    np.testing.assert_allclose(
        res.slacks.loc[["e", "f", "g"]], [[2, 2], [1, 4], [4, 0]], atol=1e-12
    )
    assert res.peers[["e", "f", "g"]].tolist() == [["b"], ["b"], ["c"]]


def test_user_weights_mapping_array_and_frame(two_one):
    cols = ["x1", "x2", "y"]
    base = _fit(two_one, outputs=["y"], rts="crs", weights={"x1": 1.0, "x2": 2.0, "y": 0.5})
    arr = _fit(two_one, outputs=["y"], rts="crs", weights=[1.0, 2.0, 0.5])
    frame = pd.DataFrame(np.tile([1.0, 2.0, 0.5], (7, 1)), index=two_one.index[::-1], columns=cols)
    per_unit = _fit(two_one, outputs=["y"], rts="crs", weights=frame)
    np.testing.assert_allclose(arr.scores, base.scores)
    np.testing.assert_allclose(per_unit.scores, base.scores, atol=1e-12)
    # the score is the weighted slack sum
    w = np.array([1.0, 2.0, 0.5])
    np.testing.assert_allclose(base.scores, (base.slacks * w).sum(axis=1), atol=1e-12)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ("bam", "weights='bam' is not allowed"),
        ({"x1": 1.0, "y": 1.0}, "missing 'x2'"),
        ({"x1": 1.0, "x2": 1.0, "y": 1.0, "z": 1.0}, "unknown 'z'"),
        ([1.0, -1.0, 1.0], "'x2'"),
        ([1.0, np.nan, 1.0], "not finite"),
        ([1.0, 1.0], "shape"),
    ],
)
def test_bad_weights(two_one, weights, match):
    with pytest.raises(InputDataError, match=match):
        dea.Additive(two_one, inputs=["x1", "x2"], outputs=["y"], weights=weights)


def test_bad_options_and_data(two_one):
    with pytest.raises(InputDataError, match="rts"):
        dea.Additive(two_one, inputs=["x1", "x2"], outputs=["y"], rts="grs")
    with pytest.raises(InputDataError, match="not a known backend"):
        dea.Additive(two_one, inputs=["x1", "x2"], outputs=["y"], solver="cplex")
    bad = two_one.copy()
    bad.loc["C", "x1"] = -1.0
    with pytest.raises(InputDataError, match=r"'x1'.*'C'"):
        dea.Additive(bad, inputs=["x1", "x2"], outputs=["y"])
    frame = pd.DataFrame(np.ones((2, 3)), index=["A", "B"], columns=["x1", "x2", "y"])
    with pytest.raises(InputDataError, match="no row for unit"):
        dea.Additive(two_one, inputs=["x1", "x2"], outputs=["y"], weights=frame)


def test_user_data_not_mutated_and_n_jobs(two_one):
    before = two_one.copy()
    a = _fit(two_one, rts="vrs")
    pd.testing.assert_frame_equal(two_one, before)
    df = random_frame(3, n=120)
    ins, outs = io_names(df)
    one = _fit(df, ins, outs, rts="vrs", weights="ram")
    two = _fit(df, ins, outs, rts="vrs", weights="ram", n_jobs=2)
    np.testing.assert_allclose(two.scores, one.scores, atol=1e-12)
    assert a.status.eq("optimal").all()


def test_backends_agree_all_rts():
    df = random_frame(11, n=25, m=2, s=2)
    ins, outs = io_names(df)
    for rts in ("crs", "vrs", "nirs", "ndrs"):
        ref = _fit(df, ins, outs, rts=rts, weights="ram").scores
        for solver in ("scipy", "pulp"):
            got = _fit(df, ins, outs, rts=rts, weights="ram", solver=solver).scores
            np.testing.assert_allclose(got, ref, atol=1e-7)


def test_reference_set_can_make_units_infeasible():
    df = pd.DataFrame({"x": [2.0, 4.0, 8.0, 1.0], "y": [1.0, 3.0, 4.0, 0.5]}, index=list("ABCD"))
    with pytest.warns(dea.InfeasibleUnitWarning, match="'D'"):
        res = _fit(df, ["x"], ["y"], rts="vrs", reference=["A", "B", "C"])
    assert res.status["D"] == "infeasible"
    assert np.isnan(res.scores["D"]) and res.slacks.loc["D"].isna().all()
    assert res.peers["D"] == []
    assert res.scores["A"] == 0.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]))
def test_zero_slacks_exactly_for_pareto_efficient_units(seed, rts):
    df = random_frame(seed, n=12, m=2, s=2)
    ins, outs = io_names(df)
    add = _fit(df, ins, outs, rts=rts)
    rad = dea.Radial(df, inputs=ins, outputs=outs, rts=rts).fit()
    pd.testing.assert_series_equal(add.pareto_efficient, rad.pareto_efficient, check_names=False)
    assert (add.efficient == add.pareto_efficient).all()
    assert (add.scores >= 0).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_rts_nesting(seed):
    df = random_frame(seed, n=12, m=2, s=1)
    ins, outs = io_names(df)
    sc = {
        rts: _fit(df, ins, outs, rts=rts, weights="ram").scores
        for rts in ("crs", "vrs", "nirs", "ndrs")
    }
    tol = 1e-9
    assert (sc["crs"] >= sc["nirs"] - tol).all() and (sc["nirs"] >= sc["vrs"] - tol).all()
    assert (sc["crs"] >= sc["ndrs"] - tol).all() and (sc["ndrs"] >= sc["vrs"] - tol).all()


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    factors=st.lists(st.sampled_from([1e-3, 0.5, 7.0, 1e4]), min_size=4, max_size=4),
    weights=st.sampled_from(["ram", "mip", "normalized"]),
)
def test_unit_invariance(seed, factors, weights):
    df = random_frame(seed, n=12, m=2, s=2)
    ins, outs = io_names(df)
    base = _fit(df, ins, outs, rts="vrs", weights=weights)
    scaled = _fit(df * np.asarray(factors), ins, outs, rts="vrs", weights=weights)
    np.testing.assert_allclose(scaled.scores, base.scores, rtol=1e-6, atol=1e-9)


SETS = {
    "tone2001": (["x1", "x2"], ["y1", "y2"]),
    "fls11": (["x1", "x2"], ["y"]),
    "pft1981": ([f"x{i}" for i in range(1, 6)], [f"y{i}" for i in range(1, 4)]),
}


@pytest.mark.parametrize("dataset", sorted(SETS))
def test_against_deaR_and_benchmarking(dataset):
    """deaR 1.5.3 model_additive and Benchmarking 0.33 dea.add (make_deaR_i10.R)."""
    dear = pd.read_csv(RESULTS / "deaR_i10_additive.csv", dtype={"unit": str})
    bm = pd.read_csv(RESULTS / "benchmarking_i10.csv", dtype={"unit": str})
    inputs, outputs = SETS[dataset]
    df = pd.read_csv(RESULTS / f"{dataset}.csv", index_col=0)
    df.index = df.index.astype(str)
    for rts in ("crs", "vrs", "nirs", "ndrs"):
        for weights in ("ones", "ram", "mip"):
            sel = (dear.dataset == dataset) & (dear.rts == rts) & (dear.weights == weights)
            exp = dear[sel].set_index("unit")["value"][df.index]
            got = _fit(df, inputs, outputs, rts=rts, weights=weights).scores
            np.testing.assert_allclose(got, exp, rtol=1e-9, atol=1e-9)
        sel = (bm.dataset == dataset) & (bm.rts == rts) & (bm.model == "dea.add")
        exp = bm[sel].set_index("unit")["value"][df.index]
        np.testing.assert_allclose(_fit(df, inputs, outputs, rts=rts).scores, exp, atol=1e-9)
