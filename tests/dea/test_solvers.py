"""The LP protocol (dea.solvers.base) on the highs and scipy backends."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from dea.exceptions import InputDataError
from dea.solvers import available_backends, get_backend, solve_family
from dea.solvers.base import LPFamily, LPProblem, LPSession, LPUpdate

BACKENDS = ["highs", "scipy"]
INF = np.inf


def _problem(sense: str = "min") -> LPProblem:
    # rows: equality (row 0), <= (row 1), >= (row 2), ranged (row 3)
    A = np.array(
        [
            [1.0, 1.0, 1.0, 0.0],
            [1.0, 2.0, 0.0, 1.0],
            [0.0, 1.0, 3.0, 1.0],
            [2.0, 0.0, 1.0, 1.0],
        ]
    )
    return LPProblem(
        A=sp.csc_matrix(A),
        row_lower=np.array([4.0, -INF, 2.0, 0.5]),
        row_upper=np.array([4.0, 6.0, INF, 5.0]),
        col_lower=np.zeros(4),
        col_upper=np.array([INF, INF, INF, 3.0]),
        cost=np.array([1.0, 2.0, 1.5, -1.0]),
        sense=sense,
    )


def test_registry():
    assert {"highs", "scipy", "pulp"} <= set(available_backends())
    with pytest.raises(InputDataError, match="'nope' is not a known backend"):
        get_backend("nope")
    assert isinstance(get_backend("highs").open(_problem()), LPSession)


@pytest.mark.parametrize("backend", BACKENDS)
def test_small_lp_hand_solved(backend):
    # max x + y s.t. x + 2y <= 4, 3x + y <= 6: optimum (8/5, 6/5), value 14/5, duals (2/5, 1/5)
    prob = LPProblem(
        A=sp.csc_matrix(np.array([[1.0, 2.0], [3.0, 1.0]])),
        row_lower=[-INF, -INF],
        row_upper=[4.0, 6.0],
        col_lower=[0.0, 0.0],
        col_upper=[INF, INF],
        cost=[1.0, 1.0],
        sense="max",
    )
    with get_backend(backend).open(prob) as session:
        sol = session.solve()
    assert sol.status == "optimal"
    np.testing.assert_allclose(sol.objective, 2.8, atol=1e-12)
    np.testing.assert_allclose(sol.x, [1.6, 1.2], atol=1e-12)
    np.testing.assert_allclose(sol.row_duals, [0.4, 0.2], atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sense", ["min", "max"])
def test_dual_sign_convention_is_d_objective_d_rhs(backend, sense):
    """row_duals[i] = d objective / d (active bound of row i), checked by finite differences."""
    prob = _problem(sense)
    eps = 1e-6
    with get_backend(backend).open(prob) as session:
        base = session.solve()
        assert base.ok
        for i in range(prob.n_rows):
            lo, up = prob.row_lower[i], prob.row_upper[i]
            act = prob.A.toarray()[i] @ base.x
            # move whichever bound is active (both for the equality row)
            new_lo = lo + eps if np.isfinite(lo) and abs(act - lo) < 1e-9 else lo
            new_up = up + eps if np.isfinite(up) and abs(act - up) < 1e-9 else up
            sol = session.solve(LPUpdate(row_index=[i], row_lower=[new_lo], row_upper=[new_up]))
            fd = (sol.objective - base.objective) / eps
            assert sol.ok
            np.testing.assert_allclose(base.row_duals[i], fd, atol=1e-5)
        # reduced costs: cost - A' y
        np.testing.assert_allclose(
            base.col_duals, prob.cost - prob.A.T @ base.row_duals, atol=1e-9
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_updates_are_not_cumulative(backend):
    prob = _problem()
    with get_backend(backend).open(prob) as session:
        base = session.solve()
        upd = LPUpdate(
            coeff_rows=[0, 2],
            coeff_cols=[3, 0],
            coeff_values=[1.0, 0.5],
            row_index=[0],
            row_lower=[5.0],
            row_upper=[5.0],
            col_index=[1],
            col_lower=[0.5],
            col_upper=[INF],
            cost_index=[2],
            cost_values=[0.1],
        )
        changed = session.solve(upd)
        again = session.solve()
        other = session.solve(LPUpdate(cost_index=[0], cost_values=[3.0]))
    ref = get_backend("scipy").open(prob.with_update(upd)).solve()
    assert changed.ok and again.ok and other.ok
    np.testing.assert_allclose(changed.objective, ref.objective, atol=1e-10)
    np.testing.assert_allclose(again.objective, base.objective, atol=1e-10)
    assert abs(changed.objective - base.objective) > 1e-3  # the update did something
    ref_other = get_backend("scipy").open(prob).solve(LPUpdate(cost_index=[0], cost_values=[3.0]))
    np.testing.assert_allclose(other.objective, ref_other.objective, atol=1e-10)


def test_merge_later_entries_win():
    a = LPUpdate(cost_index=[0, 1], cost_values=[1.0, 2.0], sense="max")
    b = LPUpdate(cost_index=[1], cost_values=[5.0])
    prob = _problem()
    merged = prob.with_update(a.merge(b))
    assert merged.sense == "max"
    np.testing.assert_array_equal(merged.cost[:2], [1.0, 5.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_infeasible_and_unbounded_are_statuses_not_errors(backend):
    prob = LPProblem(
        A=sp.csc_matrix(np.array([[1.0, 1.0]])),
        row_lower=[-INF],
        row_upper=[1.0],
        col_lower=[0.0, 0.0],
        col_upper=[INF, INF],
        cost=[-1.0, 0.0],
    )
    with get_backend(backend).open(prob) as session:
        assert session.solve().ok
        infeas = session.solve(LPUpdate(col_index=[0], col_lower=[2.0], col_upper=[INF]))
        unb = session.solve(LPUpdate(row_index=[0], row_lower=[-INF], row_upper=[INF]))
        back = session.solve()
    assert infeas.status in ("infeasible", "infeasible_or_unbounded")
    assert np.isnan(infeas.objective) and infeas.x is None
    assert unb.status in ("unbounded", "infeasible_or_unbounded")
    assert back.ok and back.objective == pytest.approx(-1.0)


def _family() -> LPFamily:
    # min sum(x) s.t. x_i >= b_k[i]; second stage maximises x_0 with the objective capped
    prob = LPProblem(
        A=sp.identity(3, format="csc"),
        row_lower=np.ones(3),
        row_upper=np.full(3, INF),
        col_lower=np.zeros(3),
        col_upper=np.full(3, 10.0),
        cost=np.ones(3),
    )
    rng = np.random.default_rng(0)
    B = rng.uniform(0.0, 2.0, size=(130, 3))

    def unit(k):
        return LPUpdate(row_index=np.arange(3), row_lower=B[k], row_upper=np.full(3, INF))

    def second(k, first):
        return unit(k).merge(LPUpdate(cost_index=[0, 1, 2], cost_values=[1.0, 0, 0], sense="max"))

    fam = LPFamily(prob, n_units=130, unit_update=unit, second_stage=second)
    fam.B = B  # type: ignore[attr-defined]
    return fam


@pytest.mark.parametrize("backend", BACKENDS)
def test_solve_family(backend):
    fam = _family()
    res = solve_family(fam, solver=backend)
    np.testing.assert_allclose(res.objective, fam.B.sum(axis=1), atol=1e-9)
    assert (res.status == "optimal").all() and (res.status2 == "optimal").all()
    X = res.x.toarray()
    np.testing.assert_allclose(X[:, 0], 10.0)  # second stage pushed x_0 to its bound
    np.testing.assert_allclose(X[:, 1:], fam.B[:, 1:], atol=1e-9)
    # duals of the first stage: 1 per binding row
    np.testing.assert_allclose(res.row_duals, 1.0, atol=1e-9)


def test_solve_family_njobs_and_subset_identical():
    fam = _family()
    a = solve_family(fam, n_jobs=1, dense_x=True)
    b = solve_family(fam, n_jobs=2, dense_x=True)
    np.testing.assert_array_equal(a.objective, b.objective)
    np.testing.assert_array_equal(a.x, b.x)
    sub = solve_family(fam, units=[5, 0, 129])
    np.testing.assert_array_equal(sub.units, [5, 0, 129])
    np.testing.assert_allclose(sub.objective, a.objective[[5, 0, 129]], atol=1e-12)


def test_highs_add_columns_keeps_model_consistent():
    full = _problem()
    A = full.A.tocsc()
    head = LPProblem(
        A=A[:, :2],
        row_lower=full.row_lower,
        row_upper=full.row_upper,
        col_lower=full.col_lower[:2],
        col_upper=full.col_upper[:2],
        cost=full.cost[:2],
    )
    ref = get_backend("scipy").open(full)
    with get_backend("highs").open(head) as session:
        session.solve()
        session.add_columns(A[:, 2:], full.col_lower[2:], full.col_upper[2:], full.cost[2:])
        for upd in (
            None,
            LPUpdate(coeff_rows=[1], coeff_cols=[3], coeff_values=[0.5]),  # an appended column
            LPUpdate(cost_index=[3], cost_values=[2.0], col_index=[2], col_lower=[0.1],
                     col_upper=[INF]),
            None,
        ):
            got, want = session.solve(upd), ref.solve(upd)
            assert got.ok and want.ok
            np.testing.assert_allclose(got.objective, want.objective, atol=1e-10)
