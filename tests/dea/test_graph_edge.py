"""Graph (hyperbolic) orientation where G* lies at the edge of LP feasibility (issue 13, defect 2).

``tests/results/graph_edge250.csv``: 250 units, 3 inputs, 2 outputs (random, rounded), unit
U235 with two of its three inputs zero (every other unit is positive there). Reference scores:
R package Benchmarking 0.33, ``dea(X, Y, RTS=..., ORIENTATION="graph")``, written by
``tests/results/make_graph_edge250_benchmarking.R``. Benchmarking bisects to about 1e-6, so
the tolerance is 2e-6. Many of these units have G* exactly where the output constraint first
becomes feasible (above 200 units the HiGHS backend also uses column generation), which is
where the old code re-solved and reported feasible units "infeasible".
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dea

RESULTS = Path(__file__).parents[1] / "results"
DATA = pd.read_csv(RESULTS / "graph_edge250.csv", index_col=0)
REF = pd.read_csv(RESULTS / "graph_edge250_benchmarking.csv", index_col=0)
INS, OUTS = ["x1", "x2", "x3"], ["y0", "y1"]


def _graph(data, rts, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # phase-2 notes at the feasibility edge
        return dea.Radial(data, INS, OUTS, rts=rts, orientation="graph", **kw).fit()


@pytest.mark.parametrize("rts", ["vrs", "crs", "nirs", "ndrs"])
def test_graph_feasible_units_never_infeasible_matches_benchmarking(rts):
    res = _graph(DATA, rts)
    assert (res.status == "optimal").all(), res.status[res.status != "optimal"]
    np.testing.assert_allclose(res.scores[REF.index], REF[rts], atol=2e-6)
    # the unit itself is a feasible solution at factor 1: the score is finite and <= 1
    assert 0 < res.scores["U235"] <= 1


@pytest.mark.parametrize("rts", ["vrs", "crs", "nirs", "ndrs"])
def test_graph_unit_with_zero_inputs_small_case(rts):
    # hand-derived: A's two zero inputs leave only A itself in its reference set; with
    # lambda_A <= G (third input) and lambda_A >= 1/G (outputs), G* = 1 under every rts.
    # Benchmarking 0.33 gives 1 for A under vrs, crs, irs and drs as well.
    X = pd.DataFrame(
        [[0, 0, 1.5], [4, 2, 2.5], [3, 2.5, 3], [1, 4, 3], [2, 4, 2], [2.5, 1.5, 2.5]],
        columns=INS,
        index=list("ABCDEF"),
        dtype=float,
    )
    Y = pd.DataFrame(
        [[1.8, 2], [4, 2.1], [2.9, 4.9], [4.8, 3.9], [3.2, 2.1], [1.6, 4.9]],
        columns=OUTS,
        index=X.index,
    )
    res = _graph(X.join(Y), rts)
    assert res.status["A"] == "optimal"
    assert res.scores["A"] == pytest.approx(1.0, abs=1e-9)
