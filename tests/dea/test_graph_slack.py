"""Graph (hyperbolic) orientation: phase-2 slacks at the feasibility edge (issue 13, i13graph).

Unit A = (x=5, y=5) beside B = (x=1, y=5). Under vrs and nirs no unit produces more than
y = 5, so G*_A = 1 sits exactly where the phase-1 LP becomes feasible, and A's max-slack
solution is B itself: input slack 5 - 1 = 4, output slack 0 (by hand). Under crs (and
ndrs) G*_A = 1/sqrt(5) and the projection (5 G, 5 / G) = (sqrt 5, 5 sqrt 5) is B scaled
by sqrt 5: no slack. HiGHS returns G* up to its feasibility tolerance (about 1e-7 low);
the phase-2 skip rule must not then read the slacks as zero.

``tests/results/graph_slack250.csv``: A, B and 248 units dominated by B (so above 200
units column generation is the default). Scores: R Benchmarking 0.33 (script
``make_graph_slack250_benchmarking.R``); its graph slacks are not usable (0 for A, negative
under crs), so the slacks are checked against the hand values.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dea

RESULTS = Path(__file__).parents[1] / "results"
DATA = pd.read_csv(RESULTS / "graph_slack250.csv", index_col=0)
REF = pd.read_csv(RESULTS / "graph_slack250_benchmarking.csv", index_col=0)
SMALL = DATA.loc[["A", "B"]]


def _graph(data, rts, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dea.Radial(data, ["x"], ["y"], rts=rts, orientation="graph", **kw).fit()


@pytest.mark.parametrize("screening", ["auto", "pricing", "none"])
@pytest.mark.parametrize("rts", ["vrs", "nirs"])
@pytest.mark.parametrize("data", [DATA, SMALL], ids=["n250", "n2"])
def test_graph_edge_slack_kept(data, rts, screening):
    res = _graph(data, rts, screening=screening)
    assert (res.status == "optimal").all()
    np.testing.assert_allclose(res.scores[["A", "B"]], [1.0, 1.0], atol=2e-7)
    np.testing.assert_allclose(res.slacks.loc["A"], [4.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(res.slacks.loc["B"], [0.0, 0.0], atol=1e-6)
    assert not res.pareto_efficient["A"]
    if len(data) > 2:
        np.testing.assert_allclose(res.scores[REF.index], REF[f"{rts}_score"], atol=2e-6)


@pytest.mark.parametrize("screening", ["pricing", "none"])
def test_graph_crs_no_slack(screening):
    res = _graph(DATA, "crs", screening=screening)
    np.testing.assert_allclose(res.scores["A"], 1 / np.sqrt(5), atol=2e-7)
    np.testing.assert_allclose(res.slacks.loc["A"], [0.0, 0.0], atol=1e-6)
    # closed form under crs: G* = sqrt((y / x) / (5 / 1)); Benchmarking 0.33 agrees except
    # where it stops its bisection at 0.1 (units with G* < 0.1 + 1e-3 are left out there)
    np.testing.assert_allclose(res.scores, np.sqrt(DATA["y"] / DATA["x"] / 5), atol=2e-7)
    ok = REF["crs_score"] > 0.101
    np.testing.assert_allclose(res.scores[REF.index[ok]], REF["crs_score"][ok], atol=2e-6)


@pytest.mark.parametrize(
    ("seed", "n", "m", "s", "rts"),
    [(0, 8, 1, 1, "vrs"), (1, 9, 2, 2, "vrs"), (1, 9, 2, 2, "nirs"), (3, 11, 1, 2, "nirs")],
)
def test_graph_phase2_optimal_on_degenerate_data(seed, n, m, s, rts):
    # before the fix, phase 2 at G* came back "infeasible" for one or two units of each
    # of these degenerate sets (duplicated units, a shared maximum output: tests/dea/
    # test_frame.py's generator) and their slacks were phase 1's
    import test_frame

    df = test_frame._data(seed, n, m, s, "degenerate")
    cols = list(df.columns)
    res = dea.Radial(df, cols[:m], cols[m:], rts=rts, orientation="graph").fit()
    one = dea.Radial(df, cols[:m], cols[m:], rts=rts, orientation="graph", two_phase=False)
    assert (res.status == "optimal").all()
    assert (res.info["phase2_status"] == "optimal").all()
    # phase 2 leaves the phase-1 score alone (to HiGHS's feasibility tolerance: phase 2
    # changes the hot-start basis of the next unit, and G* moves by about 1e-8 with it)
    np.testing.assert_allclose(res.score_values, one.fit().score_values, rtol=0, atol=1e-6)
    assert (res.slack_values >= -1e-9).all()
