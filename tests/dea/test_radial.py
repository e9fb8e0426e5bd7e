"""Radial DEA: hand-checked cases, multipliers, super-efficiency, reference sets, graph
orientation, scale efficiency, parallel and numerics."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import io_names, random_frame
from joblib import parallel_config
from scipy.optimize import linprog

import dea
from dea.exceptions import InfeasibleUnitWarning

ALL_RTS = ["crs", "vrs", "nirs", "ndrs"]


def fit(df, inputs, outputs, **kw):
    return dea.Radial(df, inputs=inputs, outputs=outputs, **kw).fit()


# ------------------------------------------------------------------------------------------
# hand-checked: 1 input, 1 output (frontiers in conftest.one_one)
# ------------------------------------------------------------------------------------------
HAND_1X1 = {
    # (rts, orientation): scores of A, B, C, D, worked out from the frontier by hand
    ("crs", "input"): [2 / 3, 1, 2 / 3, 8 / 15],
    ("crs", "output"): [2 / 3, 1, 2 / 3, 8 / 15],
    ("vrs", "input"): [1, 1, 1, 3 / 5],  # D: y = 2 on A-B (y = x - 1) at x = 3
    ("vrs", "output"): [1, 1, 1, 8 / 13],  # D: x = 5 on B-C, y = 3 + 1/4
    ("nirs", "input"): [2 / 3, 1, 1, 8 / 15],
    ("nirs", "output"): [2 / 3, 1, 1, 8 / 13],
    ("ndrs", "input"): [1, 1, 2 / 3, 3 / 5],
    ("ndrs", "output"): [1, 1, 2 / 3, 8 / 15],
    ("crs", "graph"): list(np.sqrt([2 / 3, 1, 2 / 3, 8 / 15])),
    # D: 2/G = 5G - 1 on A-B  ->  5G^2 - G - 2 = 0
    ("vrs", "graph"): [1, 1, 1, (1 + np.sqrt(41)) / 10],
}


@pytest.mark.parametrize("solver", ["highs", "scipy"])
@pytest.mark.parametrize("case", sorted(HAND_1X1))
def test_one_input_one_output_by_hand(one_one, case, solver):
    rts, orientation = case
    res = fit(one_one, ["x"], ["y"], rts=rts, orientation=orientation, solver=solver)
    np.testing.assert_allclose(res.scores.to_numpy(), HAND_1X1[case], rtol=1e-10)
    assert list(res.scores.index) == list("ABCD")
    assert (res.status == "optimal").all()
    eff = np.isclose(HAND_1X1[case], 1.0)
    assert (res.scores[eff] == 1.0).all()  # snapped exactly to 1
    if orientation == "output":
        np.testing.assert_allclose(res.phi, 1.0 / res.scores, rtol=1e-14)
    else:
        assert res.phi is None


def test_vrs_input_peers_lambdas_weights_by_hand(one_one):
    res = fit(one_one, ["x"], ["y"], rts="vrs")
    assert res.peers["D"] == ["A", "B"]
    np.testing.assert_allclose(res.lambdas.loc["D", ["A", "B"]].to_numpy(float), [0.5, 0.5])
    # supporting line of A-B at D: v = 1/x_D = 0.2, u = 0.2, free = 0.2 (theta = 0.2*2 + 0.2)
    np.testing.assert_allclose(res.weights.loc["D"].to_numpy(), [0.2, 0.2], atol=1e-12)
    np.testing.assert_allclose(res.free["D"], 0.2, atol=1e-12)
    np.testing.assert_allclose(res.virtual_weights.loc["D"].to_numpy(), [1.0, 0.4], atol=1e-12)
    np.testing.assert_allclose(res.targets.loc["D"].to_numpy(), [3.0, 2.0], atol=1e-12)


def test_two_inputs_by_hand_with_slacks(two_one):
    res = fit(two_one, ["x1", "x2"], ["y"], rts="crs")
    expected = {"A": 1, "B": 1, "C": 1, "D": 0.5, "E": 2 / 3, "F": 0.6, "G": 1}
    np.testing.assert_allclose(res.scores[list(expected)], list(expected.values()), rtol=1e-12)
    # F(6, 2) -> (3.6, 1.2) = 0.2 B + 0.8 C; supporting line x1 + 2 x2 = 6
    np.testing.assert_allclose(res.lambdas.loc["F", ["B", "C"]].to_numpy(float), [0.2, 0.8])
    np.testing.assert_allclose(res.weights.loc["F"].to_numpy(), [0.1, 0.2, 0.6], atol=1e-12)
    # G(5, 1): radially efficient but x1 has a slack of 1 (peer C)
    assert res.peers["G"] == ["C"]
    np.testing.assert_allclose(res.slacks.loc["G"].to_numpy(), [1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(res.targets.loc["G"].to_numpy(), [4.0, 1.0, 1.0], atol=1e-12)
    assert res.efficient["G"] and not res.pareto_efficient["G"]
    assert res.pareto_efficient[["A", "B", "C"]].all()
    # without phase 2 the scores are the same
    res1 = fit(two_one, ["x1", "x2"], ["y"], rts="crs", two_phase=False)
    np.testing.assert_allclose(res1.scores, res.scores, rtol=1e-12)
    assert res1.pareto_efficient is None


# ------------------------------------------------------------------------------------------
# multipliers: envelopment and multiplier objectives agree, multipliers are feasible
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rts", ALL_RTS)
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_duality_envelopment_equals_multiplier(rts, orientation):
    df = random_frame(3, n=25, m=2, s=2)
    ins, outs = io_names(df)
    res = fit(df, ins, outs, rts=rts, orientation=orientation)
    X, Y = df[ins].to_numpy(), df[outs].to_numpy()
    W = res.weights
    v, u, w = W[ins].to_numpy(), W[outs].to_numpy(), res.free.to_numpy()
    assert (v >= -1e-12).all() and (u >= -1e-12).all()
    if rts == "crs":
        np.testing.assert_array_equal(w, 0.0)
    if rts == "nirs":  # input: free <= 0 ... sign follows the convexity row's dual
        assert ((w <= 1e-12) if orientation == "input" else (w >= -1e-12)).all()
    if orientation == "input":
        np.testing.assert_allclose((v * X).sum(1), 1.0, atol=1e-9)
        np.testing.assert_allclose((u * Y).sum(1) + w, res.objective, atol=1e-9)
        # u y_j - v x_j + free <= 0 for every unit j (rows: evaluated units)
        gap = u @ Y.T - v @ X.T + w[:, None]
        assert gap.max() <= 1e-9
    else:
        np.testing.assert_allclose((u * Y).sum(1), 1.0, atol=1e-9)
        np.testing.assert_allclose((v * X).sum(1) + w, res.objective, atol=1e-9)
        gap = v @ X.T - u @ Y.T + w[:, None]
        assert gap.min() >= -1e-9
    np.testing.assert_allclose(
        res.virtual_weights.to_numpy(), W.to_numpy() * df[ins + outs].to_numpy()
    )


def test_targets_are_lambda_combinations_and_efficient():
    df = random_frame(5, n=30, m=2, s=2)
    ins, outs = io_names(df)
    for orientation in ("input", "output", "graph"):
        res = fit(df, ins, outs, rts="vrs", orientation=orientation)
        L = res.lambda_matrix.toarray()
        np.testing.assert_allclose(L.sum(1), 1.0, atol=1e-9)
        comb = L @ df[ins + outs].to_numpy()
        np.testing.assert_allclose(res.targets.to_numpy(), comb, rtol=1e-8, atol=1e-8)
        assert (res.slacks.to_numpy() >= 0).all()
        # projected points are Pareto-efficient
        tgt = res.targets.set_axis([f"t{i}" for i in range(len(df))])
        again = fit(pd.concat([df, tgt]), ins, outs, rts="vrs", reference=df)
        np.testing.assert_allclose(again.scores.loc[tgt.index], 1.0, atol=1e-8)


# ------------------------------------------------------------------------------------------
# super-efficiency, reference sets, infeasibility
# ------------------------------------------------------------------------------------------
def test_super_efficiency_by_hand(one_one):
    res = fit(one_one, ["x"], ["y"], rts="crs", super_efficiency=True)
    # B's productivity 0.75 against the best other (0.5): 1.5; others unchanged
    np.testing.assert_allclose(res.scores.to_numpy(), [2 / 3, 1.5, 2 / 3, 8 / 15], rtol=1e-10)
    assert "B" not in res.peers["B"]
    with pytest.warns(InfeasibleUnitWarning, match="'A'"):  # nothing else uses x <= 2
        out = fit(one_one, ["x"], ["y"], rts="vrs", orientation="output", super_efficiency=True)
    # C (8, 4) without itself: best output with x <= 8 is B's 3 -> phi = 3/4, score 4/3
    np.testing.assert_allclose(out.scores["C"], 4 / 3, rtol=1e-10)
    np.testing.assert_allclose(out.phi["C"], 0.75, rtol=1e-10)


@pytest.mark.parametrize("solver", ["highs", "scipy"])
def test_infeasible_super_efficiency_is_nan_with_status_and_warning(one_one, solver):
    with pytest.warns(InfeasibleUnitWarning, match="'C'"):
        res = fit(one_one, ["x"], ["y"], rts="vrs", super_efficiency=True, solver=solver)
    # C has the largest output: no convex combination of the others reaches y = 4
    assert res.status["C"] == "infeasible"
    assert np.isnan(res.scores["C"]) and res.peers["C"] == []
    assert res.slacks.loc["C"].isna().all() and res.weights.loc["C"].isna().all()
    np.testing.assert_allclose(res.scores["A"], 2.0)  # A (2, 1): cheapest other is B, x = 4
    assert len(res.scores) == 4


@pytest.mark.parametrize("orientation", ["input", "output", "graph"])
@pytest.mark.parametrize("rts", ALL_RTS)
def test_super_efficiency_every_rts_orientation(rts, orientation):
    df = random_frame(11, n=15, m=2, s=1)
    ins, outs = io_names(df)
    plain = fit(df, ins, outs, rts=rts, orientation=orientation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InfeasibleUnitWarning)
        sup = fit(df, ins, outs, rts=rts, orientation=orientation, super_efficiency=True)
    ineff = plain.scores < 1
    np.testing.assert_allclose(sup.scores[ineff], plain.scores[ineff], rtol=1e-8)
    eff = ~ineff & (sup.status == "optimal")
    assert (sup.scores[eff] >= 1.0).all()
    for lab in df.index:
        assert lab not in sup.peers[lab]
    assert set(sup.status) <= {"optimal", "infeasible"}
    if rts == "crs":
        assert (sup.status == "optimal").all()


def test_reference_set_forms_agree(one_one):
    ref_labels = ["A", "C"]
    by_labels = fit(one_one, ["x"], ["y"], rts="crs", reference=ref_labels)
    by_mask = fit(one_one, ["x"], ["y"], rts="crs", reference=one_one.index.isin(ref_labels))
    mask = one_one.index.to_series().isin(ref_labels)
    by_series = fit(one_one, ["x"], ["y"], rts="crs", reference=mask)
    by_frame = fit(one_one, ["x"], ["y"], rts="crs", reference=one_one.loc[ref_labels])
    # frontier y/x = 0.5: B = 0.75/0.5, D = 0.4/0.5
    np.testing.assert_allclose(by_labels.scores.to_numpy(), [1, 1.5, 1, 0.8], rtol=1e-10)
    for other in (by_mask, by_series, by_frame):
        np.testing.assert_allclose(other.scores, by_labels.scores, rtol=1e-12)
    assert list(by_frame.lambdas.columns) == ref_labels
    full = fit(one_one, ["x"], ["y"], rts="crs", reference=list(one_one.index))
    np.testing.assert_allclose(full.scores, fit(one_one, ["x"], ["y"], rts="crs").scores)


def test_reference_frame_external_units_vrs_infeasible(one_one):
    ref = pd.DataFrame({"x": [1.0, 3.0], "y": [1.0, 2.0]}, index=["R1", "R2"])
    with pytest.warns(InfeasibleUnitWarning):
        res = fit(one_one, ["x"], ["y"], rts="vrs", reference=ref)
    # B (y=3) and C (y=4) are beyond the reference outputs: infeasible under VRS
    assert list(res.status[res.status != "optimal"].index) == ["B", "C"]
    np.testing.assert_allclose(res.scores["A"], 0.5)  # R1 uses x = 1 for y = 1
    np.testing.assert_allclose(res.scores["D"], 3 / 5)  # R2 (3, 2)


# ------------------------------------------------------------------------------------------
# graph orientation against a brute-force bisection with linprog
# ------------------------------------------------------------------------------------------
def _graph_bruteforce(X, Y, k, rts):
    n = X.shape[0]

    def feasible(G):
        A_ub = np.vstack([X.T, -Y.T])
        b_ub = np.concatenate([G * X[k], -Y[k] / G])
        kw = {}
        if rts == "vrs":
            kw = {"A_eq": np.ones((1, n)), "b_eq": [1.0]}
        r = linprog(np.zeros(n), A_ub=A_ub, b_ub=b_ub, method="highs", **kw)
        return r.status == 0

    lo, hi = 1e-3, 1.0
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if feasible(mid) else (mid, hi)
    return hi


@pytest.mark.parametrize("rts", ["vrs", "crs"])
def test_graph_matches_bruteforce_bisection(rts):
    df = random_frame(8, n=8, m=2, s=2)
    ins, outs = io_names(df)
    res = fit(df, ins, outs, rts=rts, orientation="graph")
    X, Y = df[ins].to_numpy(), df[outs].to_numpy()
    for k in range(0, 8, 2):
        # the bisection's feasibility LPs have tolerance 1e-7, hence the looser check
        np.testing.assert_allclose(res.scores.iloc[k], _graph_bruteforce(X, Y, k, rts), atol=1e-6)
    if rts == "crs":
        crs = fit(df, ins, outs, rts="crs")
        np.testing.assert_allclose(res.scores, np.sqrt(crs.scores), rtol=1e-10)


# ------------------------------------------------------------------------------------------
# scale efficiency
# ------------------------------------------------------------------------------------------
def test_scale_efficiency_by_hand(one_one):
    se = dea.scale_efficiency(one_one, inputs=["x"], outputs=["y"])
    np.testing.assert_allclose(se["crs"], [2 / 3, 1, 2 / 3, 8 / 15], rtol=1e-10)
    np.testing.assert_allclose(se["vrs"], [1, 1, 1, 0.6], rtol=1e-10)
    np.testing.assert_allclose(se["scale_efficiency"], [2 / 3, 1, 2 / 3, 8 / 9], rtol=1e-10)
    # A and D are below B's optimal scale, C above it
    assert se["rts"].tolist() == ["increasing", "constant", "decreasing", "increasing"]
    out = dea.scale_efficiency(one_one, inputs=["x"], outputs=["y"], orientation="output")
    # output orientation projects D to (5, 3.25) on B-C, above B's scale: decreasing
    assert out["rts"].tolist() == ["increasing", "constant", "decreasing", "decreasing"]
    np.testing.assert_allclose(out["scale_efficiency"]["D"], (8 / 15) / (8 / 13), rtol=1e-10)


# ------------------------------------------------------------------------------------------
# phase-2 slack rule: scaled (default) vs textbook unweighted sum
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["highs", "scipy", "pulp"])
def test_slack_sum_rules_by_hand(solver):
    # K (x 1; y 1, 1) under VRS, input orientation.  Every convex mix of A (1; 3, 1) and
    # B (1; 1, 2) has x = 1, so theta_K = 1 (C's x = 10 cannot enter).  With lambda_A = t
    # phase 2 chooses among slacks s+ = (2t, 1 - t):
    #   unweighted: max 2t + (1 - t)          -> t = 1: s+ = (2, 0), peer A;
    #   scaled:     max 2t / c1 + (1 - t) / c2 with column means c1 = 105/4, c2 = 5/4
    #               (8t/105 + 4(1 - t)/5: decreasing in t) -> t = 0: s+ = (0, 1), peer B.
    df = pd.DataFrame(
        {"x": [1.0, 1.0, 1.0, 10.0], "y1": [1.0, 3.0, 1.0, 100.0], "y2": [1.0, 1.0, 2.0, 1.0]},
        index=["K", "A", "B", "C"],
    )
    kw = {"inputs": ["x"], "outputs": ["y1", "y2"], "rts": "vrs", "solver": solver}
    unw = dea.Radial(df, **kw, slack_sum="unweighted").fit()
    sca = dea.Radial(df, **kw, slack_sum="scaled").fit()
    for res in (unw, sca):
        np.testing.assert_allclose(res.scores, 1.0)
    np.testing.assert_allclose(unw.slacks.loc["K"], [0.0, 2.0, 0.0], atol=1e-9)
    assert unw.peers["K"] == ["A"]
    np.testing.assert_allclose(sca.slacks.loc["K"], [0.0, 0.0, 1.0], atol=1e-9)
    assert sca.peers["K"] == ["B"]
    # the scaled rule ignores units of measurement; the unweighted one does not:
    # y2 in thousandths makes B's extra output (1000) the larger plain slack
    # (changed data, rule, K's slacks): y2 in thousandths makes B's extra output (1000)
    # the larger plain slack; y1 in thousands makes A's (2000); scaled ignores both
    cases = [
        (df.assign(y2=df["y2"] * 1000), "scaled", [0.0, 0.0, 1000.0]),
        (df.assign(y2=df["y2"] * 1000), "unweighted", [0.0, 0.0, 1000.0]),
        (df.assign(y1=df["y1"] * 1000), "scaled", [0.0, 0.0, 1.0]),
        (df.assign(y1=df["y1"] * 1000), "unweighted", [0.0, 2000.0, 0.0]),
    ]
    for data, rule, expected in cases:
        got = dea.Radial(data, **kw, slack_sum=rule).fit().slacks.loc["K"]
        np.testing.assert_allclose(got, expected, atol=1e-6)
    with pytest.raises(dea.InputDataError, match="slack_sum"):
        dea.Radial(df, **kw, slack_sum="textbook")


# ------------------------------------------------------------------------------------------
# numerics, parallel, results
# ------------------------------------------------------------------------------------------
def test_billions_beside_millionths():
    base = random_frame(21, n=40, m=2, s=2)
    ins, outs = io_names(base)
    factors = pd.Series({"x1": 3e9, "x2": 2e-6, "y1": 5e-7, "y2": 7e9})
    big = base * factors
    for orientation in ("input", "output"):
        a = fit(base, ins, outs, rts="vrs", orientation=orientation)
        b = fit(big, ins, outs, rts="vrs", orientation=orientation)
        np.testing.assert_allclose(b.scores, a.scores, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b.slacks / factors, a.slacks, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(b.targets / factors, a.targets, rtol=1e-8)
        np.testing.assert_allclose(b.weights * factors, a.weights, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "highs_options", [{"simplex_scale_strategy": 0}, {"simplex_strategy": 4}]
)
def test_highs_options_pass_through_and_agree(highs_options):
    # the HiGHS options tried for speed (benchmarks/README.md) give the same results to
    # 1e-8, also on data mixing billions and millionths
    base = random_frame(21, n=40, m=2, s=2)
    ins, outs = io_names(base)
    big = base * pd.Series({"x1": 3e9, "x2": 2e-6, "y1": 5e-7, "y2": 7e9})
    for df in (base, big):
        for orientation in ("input", "output"):
            a = fit(df, ins, outs, rts="vrs", orientation=orientation)
            b = fit(
                df, ins, outs, rts="vrs", orientation=orientation,
                solver_options={"highs_options": highs_options},
            )
            np.testing.assert_allclose(b.scores, a.scores, rtol=1e-8, atol=1e-12)
            np.testing.assert_allclose(b.targets, a.targets, rtol=1e-8)
    with pytest.raises(dea.InputDataError, match="no_such_option"):
        fit(base, ins, outs, solver_options={"highs_options": {"no_such_option": 1}})


def test_n_jobs_identical():
    df = random_frame(2, n=120, m=3, s=2)  # 3 chunks of units
    ins, outs = io_names(df)
    a = fit(df, ins, outs, rts="vrs", n_jobs=1)
    b = fit(df, ins, outs, rts="vrs", n_jobs=2)  # joblib's default (process) backend
    with parallel_config(backend="threading"):  # the user's choice of backend is honoured
        c = fit(df, ins, outs, rts="vrs", n_jobs=2, orientation="graph")
    d = fit(df, ins, outs, rts="vrs", n_jobs=1, orientation="graph")
    np.testing.assert_array_equal(c.scores, d.scores)
    np.testing.assert_array_equal(a.scores, b.scores)
    np.testing.assert_array_equal(a.slacks, b.slacks)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert (a.lambda_matrix != b.lambda_matrix).nnz == 0


def test_backends_agree_on_graph_and_super_efficiency():
    df = random_frame(13, n=20, m=2, s=2)
    ins, outs = io_names(df)
    for kw in ({"orientation": "graph", "rts": "vrs"}, {"super_efficiency": True, "rts": "crs"}):
        a = fit(df, ins, outs, solver="highs", **kw)
        b = fit(df, ins, outs, solver="scipy", **kw)
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-8)
        np.testing.assert_allclose(a.slacks.sum(axis=1), b.slacks.sum(axis=1), atol=1e-7)


def test_result_summary_repr_html(one_one):
    res = fit(one_one, ["x"], ["y"], rts="vrs", orientation="output")
    text = repr(res)
    assert "Radial result" in text and "orientation" in text and "output" in text
    assert "efficient (score = 1)  3" in text
    assert "score                  1 / phi (phi: result.phi)" in text
    assert text.splitlines()[:2] == ["Radial result", "============="]
    html = res._repr_html_()
    assert "<table" in html and "Radial result" in html and "1 / phi" in html
    for name, _ in res.summary()["rows"]:  # every summary row is in the HTML too
        assert f">{name}</th>" in html
    summ = res.summary()
    assert dict(summ["rows"])["units"] == 4
    assert isinstance(res.lambdas.dtypes.iloc[0], pd.SparseDtype)
    frame = res.to_frame()
    assert {"score", "status", "slack_x", "target_y"} <= set(frame.columns)


def test_model_is_not_mutated_and_fit_is_repeatable(one_one):
    model = dea.Radial(one_one, inputs=["x"], outputs=["y"], rts="vrs")
    before = repr(model)
    r1, r2 = model.fit(), model.fit()
    assert repr(model) == before
    np.testing.assert_array_equal(r1.scores, r2.scores)
    with pytest.raises(AttributeError):
        r1.score_values = None  # frozen result


@pytest.mark.parametrize(
    "kw",
    [
        {"rts": "vrs"},
        {"rts": "crs", "orientation": "output", "super_efficiency": True},
        {"rts": "nirs", "orientation": "graph"},
        {"rts": "vrs", "super_efficiency": True},  # some LPs infeasible
    ],
)
@pytest.mark.filterwarnings("ignore::dea.InfeasibleUnitWarning")
def test_column_generation_matches_full_lps(kw):
    """Above 200 reference units the highs path prices lambda columns into a working set;
    the scipy path solves the full LP per unit.  Both must give the same optimum."""
    df = random_frame(17, n=260, m=3, s=2)
    ins, outs = io_names(df)
    some = df.iloc[::9]  # 29 units evaluated against all 260
    a = fit(some, ins, outs, solver="highs", reference=df, **kw)
    b = fit(some, ins, outs, solver="scipy", reference=df, **kw)
    assert a.info["solver"] == "highs"
    pd.testing.assert_series_equal(a.status, b.status)
    np.testing.assert_allclose(a.scores, b.scores, rtol=1e-9)
    np.testing.assert_allclose(a.slacks.sum(axis=1), b.slacks.sum(axis=1), atol=1e-7)
    np.testing.assert_allclose(a.targets, b.targets, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(a.lambda_matrix.sum(axis=1), b.lambda_matrix.sum(axis=1), rtol=1e-7)


def test_progress_bar_on_stderr(one_one, capsys):
    fit(one_one, ["x"], ["y"], progress=True)
    captured = capsys.readouterr()
    assert "4/4" in captured.err and "4/4" not in captured.out


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_column_generation_multipliers_are_feasible_for_all_units(orientation):
    # duals of the working-set LP must be feasible multipliers for *every* reference unit
    df = random_frame(19, n=240, m=2, s=2)
    ins, outs = io_names(df)
    some = df.iloc[::12]
    res = fit(some, ins, outs, rts="vrs", orientation=orientation, reference=df)
    X, Y = df[ins].to_numpy(), df[outs].to_numpy()
    v, u = res.weights[ins].to_numpy(), res.weights[outs].to_numpy()
    w = res.free.to_numpy()[:, None]
    if orientation == "input":
        assert (u @ Y.T - v @ X.T + w).max() <= 1e-8
        np.testing.assert_allclose((u * some[outs]).sum(axis=1) + w[:, 0], res.objective)
    else:
        assert (v @ X.T - u @ Y.T + w).min() >= -1e-8
        np.testing.assert_allclose((v * some[ins]).sum(axis=1) + w[:, 0], res.objective)
