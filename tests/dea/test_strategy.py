"""Session strategies of the one solve loop (dea.solvers.base.solve_family).

The default strategy (one hot-started session per chunk, two stages), column generation
on a working set of candidate columns (checked against the full LP solved directly, on
problems where candidates have costs, updates touch absent candidates, the working set
starts infeasible, and units are infeasible), a model's own per-unit procedure, and the
fact that Radial has no loop of its own.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import dea
from dea.exceptions import InputDataError
from dea.solvers import (
    ColumnGeneration,
    LPFamily,
    LPProblem,
    LPSolution,
    LPUpdate,
    SolveStrategy,
    UnitOutcome,
    get_backend,
    solve_family,
)

INF = np.inf
N_COLS = 240  # candidate columns
N_ROWS = 4


def _covering_family(seed: int = 0, n_units: int = 60) -> LPFamily:
    """min c'x + 10 z  s.t.  A x + z >= b_k,  x >= 0,  0 <= z <= 5 (one z per row).

    Candidates are the N_COLS x columns (positive costs); z columns (expensive) are the
    head.  Unit k changes b, and some units also change a coefficient, a cost or a bound
    of a candidate, or fix one at 0.
    """
    rng = np.random.default_rng(seed)
    Ax = rng.uniform(0.0, 1.0, (N_ROWS, N_COLS)) * (rng.uniform(size=(N_ROWS, N_COLS)) < 0.6)
    A = sp.hstack([sp.csc_matrix(Ax), sp.identity(N_ROWS, format="csc")], format="csc")
    cost = np.concatenate([rng.uniform(0.5, 2.0, N_COLS), np.full(N_ROWS, 10.0)])
    prob = LPProblem(
        A=A,
        row_lower=np.ones(N_ROWS),
        row_upper=np.full(N_ROWS, INF),
        col_lower=np.zeros(N_COLS + N_ROWS),
        col_upper=np.concatenate([np.full(N_COLS, INF), np.full(N_ROWS, 5.0)]),
        cost=cost,
    )
    B = rng.uniform(1.0, 8.0, (n_units, N_ROWS))
    picks = rng.integers(0, N_COLS, size=(n_units, 3))

    def unit(k: int) -> LPUpdate:
        u = LPUpdate(row_index=np.arange(N_ROWS), row_lower=B[k], row_upper=np.full(N_ROWS, INF))
        j0, j1, j2 = (int(v) for v in picks[k])
        kind = k % 5
        if kind == 1:  # a candidate's coefficient changes (it becomes attractive)
            u = u.merge(LPUpdate(coeff_rows=[k % N_ROWS], coeff_cols=[j0], coeff_values=[3.0]))
        elif kind == 2:  # a candidate gets cheap
            u = u.merge(LPUpdate(cost_index=[j1], cost_values=[0.01]))
        elif kind == 3:  # a candidate is fixed at 0 (like super-efficiency's own column)
            u = u.merge(LPUpdate(col_index=[j2], col_lower=[0.0], col_upper=[0.0]))
        elif kind == 4:  # a candidate must be used
            u = u.merge(LPUpdate(col_index=[j2], col_lower=[0.5], col_upper=[INF]))
        return u

    def second(k: int, first: LPSolution) -> LPUpdate:
        # another objective on the same constraints: min sum z (x free of cost)
        cost = np.r_[np.zeros(N_COLS), np.ones(N_ROWS)]
        return unit(k).merge(LPUpdate(cost_index=np.arange(N_COLS + N_ROWS), cost_values=cost))

    fam = LPFamily(prob, n_units, unit_update=unit, second_stage=second)
    fam.B = B  # type: ignore[attr-defined]
    return fam


def _full_lp_objectives(fam: LPFamily) -> np.ndarray:
    out = np.empty(fam.n_units)
    with get_backend("highs").open(fam.problem) as session:
        for k in range(fam.n_units):
            sol = session.solve(fam.unit_update(k))
            out[k] = sol.objective if sol.ok else np.nan
    return out


def _check_feasible(fam: LPFamily, x: np.ndarray, k: int, objective: float) -> None:
    p = fam.problem.with_update(fam.unit_update(k))
    act = p.A @ x
    assert (act >= p.row_lower - 1e-7).all() and (act <= p.row_upper + 1e-7).all()
    assert (x >= p.col_lower - 1e-9).all() and (x <= p.col_upper + 1e-9).all()
    assert p.cost @ x == pytest.approx(objective, abs=1e-7)


@pytest.mark.parametrize("initial", [None, np.arange(0, N_COLS, 40)])
def test_column_generation_equals_the_full_lp(initial):
    fam = LPFamily(_covering_family().problem, 60, unit_update=_covering_family().unit_update)
    cg = ColumnGeneration(np.arange(N_COLS), initial, batch=3)
    got = solve_family(fam, strategy=cg, dense_x=True, chunk_size=25)
    want = _full_lp_objectives(fam)
    assert (got.status == "optimal").all()
    np.testing.assert_allclose(got.objective, want, rtol=1e-9, atol=1e-9)
    for k in range(fam.n_units):
        _check_feasible(fam, got.x[k], k, got.objective[k])
    # a column fixed at 0 by its unit's update stays at 0
    for k in range(3, 60, 5):
        j = int(fam.unit_update(k).col_index[0])
        assert got.x[k, j] == 0.0


def test_column_generation_sparse_x_and_two_stages():
    fam = _covering_family(seed=3)
    cg = solve_family(fam, strategy=ColumnGeneration(np.arange(N_COLS)))
    plain = solve_family(fam)
    np.testing.assert_allclose(cg.objective, plain.objective, rtol=1e-9, atol=1e-9)
    assert (cg.status2 == "optimal").all()
    assert sp.issparse(cg.x) and cg.x.shape == (60, N_COLS + N_ROWS)
    # the second stage's z sum is the same optimum, whichever x the stages picked
    np.testing.assert_allclose(
        cg.x.toarray()[:, N_COLS:].sum(axis=1),
        plain.x.toarray()[:, N_COLS:].sum(axis=1),
        atol=1e-8,
    )


def test_column_generation_infeasible_working_set_and_infeasible_unit():
    # min sum x  s.t.  x_j >= b_j on rows that only columns outside W can serve
    n = 50
    A = sp.csc_matrix(np.vstack([np.eye(n)[:3], np.ones((1, n))]))
    prob = LPProblem(
        A=A,
        row_lower=np.array([1.0, 1.0, 1.0, -INF]),
        row_upper=np.array([INF, INF, INF, 10.0]),
        col_lower=np.zeros(n),
        col_upper=np.full(n, INF),
        cost=np.ones(n),
    )

    def unit(k: int) -> LPUpdate:
        cap = 2.0 if k == 2 else 10.0  # unit 2: x0 + x1 + x2 >= 3 but sum <= 2
        return LPUpdate(row_index=[3], row_lower=[-INF], row_upper=[cap])

    fam = LPFamily(prob, 5, unit_update=unit)
    res = solve_family(fam, strategy=ColumnGeneration(np.arange(n), [10, 20]), dense_x=True)
    assert res.status[2] in ("infeasible", "infeasible_or_unbounded")
    assert np.isnan(res.objective[2]) and not res.x[2].any() and np.isnan(res.row_duals[2]).all()
    ok = np.arange(5) != 2
    np.testing.assert_allclose(res.objective[ok], 3.0, atol=1e-9)
    np.testing.assert_allclose(res.x[ok][:, :3], 1.0, atol=1e-9)


def test_column_generation_without_add_columns_solves_the_full_lp():
    fam = LPFamily(_covering_family().problem, 60, unit_update=_covering_family().unit_update)
    got = solve_family(fam, solver="scipy", strategy=ColumnGeneration(np.arange(N_COLS)))
    np.testing.assert_allclose(got.objective, _full_lp_objectives(fam), rtol=1e-8, atol=1e-8)


def test_column_generation_njobs_identical():
    fam = _covering_family(seed=5)
    cg = ColumnGeneration(np.arange(N_COLS), [0, 1])
    a = solve_family(fam, strategy=cg, n_jobs=1, dense_x=True, chunk_size=20)
    b = solve_family(fam, strategy=cg, n_jobs=2, dense_x=True, chunk_size=20)
    np.testing.assert_array_equal(a.objective, b.objective)
    np.testing.assert_array_equal(a.x, b.x)


def test_column_generation_rejects_bad_candidates():
    fam = _covering_family()
    with pytest.raises(InputDataError, match="initial columns must be candidates"):
        ColumnGeneration([0, 1], [2])
    bad = dataclasses.replace(fam.problem, col_lower=np.r_[1.0, np.zeros(N_COLS + N_ROWS - 1)])
    with pytest.raises(InputDataError, match="lower bound 0"):
        solve_family(LPFamily(bad, 2), strategy=ColumnGeneration(np.arange(N_COLS)))
    with pytest.raises(InputDataError, match="out of range"):
        solve_family(LPFamily(fam.problem, 2), strategy=ColumnGeneration([10_000]))


class _Bisection(SolveStrategy):
    """A model's own per-unit procedure: the largest t with t * a_k <= 1 by LPs."""

    def solve_unit(self, session, family, k):
        sol = session.solve(family.unit_update(k))
        return UnitOutcome(
            status=sol.status,
            objective=2.0 * sol.objective,
            row_duals=sol.row_duals,
            solution=sol,
            status2="mine",
            iterations=7,
        )


def test_a_strategy_reports_its_own_outcome():
    prob = LPProblem(
        A=sp.csc_matrix([[1.0]]),
        row_lower=[-INF],
        row_upper=[1.0],
        col_lower=[0.0],
        col_upper=[INF],
        cost=[1.0],
        sense="max",
    )
    a = np.array([1.0, 2.0, 4.0])
    fam = LPFamily(
        prob,
        3,
        unit_update=lambda k: LPUpdate(coeff_rows=[0], coeff_cols=[0], coeff_values=[a[k]]),
    )
    res = solve_family(fam, strategy=_Bisection(), dense_x=True)
    np.testing.assert_allclose(res.objective, 2.0 / a)
    np.testing.assert_allclose(res.x[:, 0], 1.0 / a)
    assert list(res.status2) == ["mine"] * 3 and list(res.iterations) == [7] * 3


def test_solution_helpers_read_both_forms():
    dense = LPSolution(status="optimal", x=np.array([0.0, 2.0, 0.0, -1.0]))
    assert dense.column_value(1) == 2.0
    idx, val = dense.x_nonzero()
    assert idx.tolist() == [1, 3] and val.tolist() == [2.0, -1.0]
    ws = LPSolution(status="optimal", x=np.array([5.0, 0.0, 3.0]), columns=np.array([9, 4, 2]))
    assert ws.column_value(9) == 5.0 and ws.column_value(4) == 0.0 and ws.column_value(7) == 0.0
    idx, val = ws.x_nonzero()
    assert idx.tolist() == [2, 9] and val.tolist() == [3.0, 5.0]
    none = LPSolution(status="infeasible")
    assert np.isnan(none.column_value(0)) and none.x_nonzero()[0].size == 0


def test_radial_solves_through_solve_family(monkeypatch):
    import dea.models.radial as radial

    assert not hasattr(radial, "map_chunks")  # no chunk loop of its own
    calls = []
    real = radial.solve_family

    def spy(family, units=None, **kw):
        calls.append((type(family).__name__, type(kw["strategy"]).__name__))
        return real(family, units, **kw)

    monkeypatch.setattr(radial, "solve_family", spy)
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.uniform(1, 5, (250, 3)), columns=["x1", "x2", "y"])
    for orientation in ("input", "output", "graph"):
        for screening in ("pricing", "frame"):
            kw = {"orientation": orientation, "screening": screening}
            res = dea.Radial(df, ["x1", "x2"], ["y"], **kw).fit()
            assert (res.status == "optimal").all()
    # one call per pricing fit; the frame path's LPs (graph: all of them) go through
    # solve_family too, with the radial strategy
    assert len(calls) >= 4
    assert set(calls) == {("_RadialFamily", "_RadialStrategy")}


def test_column_generation_ignores_columns_proven_useless():
    # columns 40..79 are columns 0..39 with smaller coefficients and higher costs: they
    # never improve a min-cost covering LP, so pricing may leave them out
    rng = np.random.default_rng(11)
    good = rng.uniform(0.2, 1.0, (N_ROWS, 40))
    A = sp.csc_matrix(np.hstack([good, 0.5 * good, np.eye(N_ROWS)]))
    cost = np.r_[rng.uniform(0.5, 2.0, 40), np.zeros(40), np.full(N_ROWS, 50.0)]
    cost[40:80] = cost[:40] * 1.5
    prob = LPProblem(
        A=A,
        row_lower=np.ones(N_ROWS),
        row_upper=np.full(N_ROWS, INF),
        col_lower=np.zeros(80 + N_ROWS),
        col_upper=np.full(80 + N_ROWS, INF),
        cost=cost,
    )
    B = rng.uniform(1.0, 5.0, (30, N_ROWS))

    def unit(k):
        u = LPUpdate(row_index=np.arange(N_ROWS), row_lower=B[k], row_upper=np.full(N_ROWS, INF))
        return u.merge(LPUpdate(col_index=[40 + k], col_lower=[0.0], col_upper=[0.0]))

    fam = LPFamily(prob, 30, unit_update=unit)
    cg = ColumnGeneration(np.arange(40), [0, 1], ignore=np.arange(40, 80))
    got = solve_family(fam, strategy=cg, dense_x=True)
    np.testing.assert_allclose(got.objective, _full_lp_objectives(fam), rtol=1e-9, atol=1e-9)
    assert not got.x[:, 40:80].any()
    with pytest.raises(InputDataError, match="candidate and ignored"):
        ColumnGeneration([0, 1], ignore=[1])
    bad = LPFamily(prob, 1, unit_update=lambda k: LPUpdate(cost_index=[45], cost_values=[0.0]))
    with pytest.raises(InputDataError, match="only fix an ignored column at 0"):
        solve_family(bad, strategy=cg)
