"""FDH by enumeration: hand-checked cases, zero inputs, against the radial models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import io_names, random_frame

import dea
from dea.exceptions import InfeasibleUnitWarning


def test_fdh_by_hand(one_one):
    # input: D (5, 2) is dominated by B (4, 3) -> 4/5; A, B, C undominated
    res = dea.FDH(one_one, inputs=["x"], outputs=["y"]).fit()
    np.testing.assert_allclose(res.scores, [1, 1, 1, 0.8], rtol=1e-15)
    assert res.peers.tolist() == [["A"], ["B"], ["C"], ["B"]]
    np.testing.assert_allclose(res.targets.loc["D"], [4.0, 3.0])
    np.testing.assert_allclose(res.slacks.loc["D"], [0.0, 1.0])  # 0.8*5 - 4, 3 - 2
    out = dea.FDH(one_one, inputs=["x"], outputs=["y"], orientation="output").fit()
    # output: D's best x <= 5 is B with y = 3 -> phi = 1.5
    np.testing.assert_allclose(out.phi, [1, 1, 1, 1.5], rtol=1e-15)
    graph = dea.FDH(one_one, inputs=["x"], outputs=["y"], orientation="graph").fit()
    # graph: D vs B: max(4/5, 2/3) = 0.8; vs A: max(2/5, 2/1) = 2 -> 0.8
    np.testing.assert_allclose(graph.scores["D"], 0.8)
    assert res.weights is None
    assert "FDH result" in repr(res)


def test_fdh_zero_input():
    # Z uses no x1: only units that use no x1 either may dominate it in the input direction
    d = pd.DataFrame(
        {"x1": [0.0, 1.0, 0.0, 2.0], "x2": [4.0, 1.0, 2.0, 8.0], "y": [1.0, 1.0, 1.0, 2.0]},
        index=["Z", "P", "Q", "R"],
    )
    res = dea.FDH(d, inputs=["x1", "x2"], outputs=["y"]).fit()
    # Z: P cannot dominate (x1 = 1 > 0 * theta); Q does with theta = 2/4
    np.testing.assert_allclose(res.scores["Z"], 0.5)
    assert res.peers["Z"] == ["Q"]
    np.testing.assert_allclose(res.scores[["P", "Q", "R"]], [1.0, 1.0, 1.0])
    out = dea.FDH(d, inputs=["x1", "x2"], outputs=["y"], orientation="output").fit()
    np.testing.assert_allclose(out.scores, [1.0, 1.0, 1.0, 1.0])
    # a zero output imposes no constraint in the output direction
    d2 = pd.DataFrame(
        {"x": [2.0, 1.0, 3.0], "y1": [0.0, 3.0, 1.0], "y2": [1.0, 2.0, 1.0]},
        index=["Z", "P", "Q"],
    )
    out2 = dea.FDH(d2, inputs=["x"], outputs=["y1", "y2"], orientation="output").fit()
    np.testing.assert_allclose(out2.phi["Z"], 2.0)  # P dominates: y2 2/1, y1 unconstrained


def test_fdh_super_efficiency_and_reference(one_one):
    with pytest.warns(InfeasibleUnitWarning):
        sup = dea.FDH(one_one, inputs=["x"], outputs=["y"], super_efficiency=True).fit()
    # C (largest output) has no dominating other unit; B only by C: 8/4 = 2
    assert sup.status["C"] == "infeasible" and np.isnan(sup.scores["C"])
    np.testing.assert_allclose(sup.scores[["A", "B", "D"]], [2.0, 2.0, 0.8])
    ref = dea.FDH(one_one, inputs=["x"], outputs=["y"], reference=["A", "C"]).fit()
    np.testing.assert_allclose(ref.scores, [1.0, 2.0, 1.0, 1.6])


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_fdh_between_vrs_and_one(orientation):
    df = random_frame(4, n=40, m=2, s=2)
    ins, outs = io_names(df)
    fdh = dea.FDH(df, inputs=ins, outputs=outs, orientation=orientation).fit()
    vrs = dea.Radial(df, inputs=ins, outputs=outs, rts="vrs", orientation=orientation).fit()
    assert (fdh.scores <= 1.0).all()
    assert (fdh.scores >= vrs.scores - 1e-10).all()  # FDH technology is inside VRS's
    # the peer really dominates in the FDH sense
    X, Y = df[ins].to_numpy(), df[outs].to_numpy()
    pos = {lab: i for i, lab in enumerate(df.index)}
    for i, lab in enumerate(df.index):
        j = pos[fdh.peers[lab][0]]
        if orientation == "input":
            assert (X[j] <= fdh.scores[lab] * X[i] + 1e-12).all() and (Y[j] >= Y[i]).all()
        else:
            assert (X[j] <= X[i]).all() and (Y[j] >= fdh.phi[lab] * Y[i] - 1e-12).all()


def test_fdh_n_jobs_identical():
    df = random_frame(6, n=120, m=2, s=1)
    ins, outs = io_names(df)
    a = dea.FDH(df, inputs=ins, outputs=outs).fit()
    b = dea.FDH(df, inputs=ins, outputs=outs, n_jobs=2).fit()
    np.testing.assert_array_equal(a.scores, b.scores)
    np.testing.assert_array_equal(a.slacks, b.slacks)


def test_fdh_tie_rule_largest_slack_then_reference_order():
    # K (2, 2; 1) is matched at theta = 1 by itself, by A (2, 1; 1) and by B (1, 2; 1):
    # all three attain max_i x_ij / x_iK = 1.  A and B each leave a slack of 1 (scaled:
    # 1 / c with c the column mean, equal for x1 and x2), K none.  Largest slack sum,
    # then the first in reference order: A.
    df = pd.DataFrame(
        {"x1": [2.0, 2.0, 1.0], "x2": [2.0, 1.0, 2.0], "y": [1.0, 1.0, 1.0]},
        index=["K", "A", "B"],
    )
    for rule in ("scaled", "unweighted"):
        res = dea.FDH(df, inputs=["x1", "x2"], outputs=["y"], slack_sum=rule).fit()
        assert res.peers.tolist() == [["A"], ["A"], ["B"]]
        np.testing.assert_allclose(res.slacks.loc["K"], [0.0, 1.0, 0.0])
    # the rule matters when the slacks differ in size: K (2, 2000), A (2, 1000) leaves
    # 1000 of x2, B (0.5, 2000) leaves 1.5 of x1.  Plain sums: 1000 > 1.5 -> A.  Scaled by
    # column means (c1 = 1.5, c2 = 5000/3): A 1000 / c2 = 0.6 < B 1.5 / c1 = 1 -> B.
    df2 = pd.DataFrame(
        {"x1": [2.0, 2.0, 0.5], "x2": [2000.0, 1000.0, 2000.0], "y": [1.0, 1.0, 1.0]},
        index=["K", "A", "B"],
    )
    sca = dea.FDH(df2, inputs=["x1", "x2"], outputs=["y"]).fit()
    unw = dea.FDH(df2, inputs=["x1", "x2"], outputs=["y"], slack_sum="unweighted").fit()
    assert sca.peers["K"] == ["B"] and unw.peers["K"] == ["A"]
    np.testing.assert_allclose(sca.slacks.loc["K"], [1.5, 0.0, 0.0])
    np.testing.assert_allclose(unw.slacks.loc["K"], [0.0, 1000.0, 0.0])
    assert sca.scores["K"] == unw.scores["K"] == 1.0
