"""HiGHS backend (default): one ``highspy.Highs`` model per session, hot-started re-solves.

The session passes the base LP to HiGHS once.  For each solve it compares the requested
update with what the model currently holds and changes only the entries that differ
(``changeCoeff``, ``changeColsBounds``, ``changeRowsBounds``, ``changeColsCost``,
``changeObjectiveSense``); HiGHS keeps its basis across such changes, so the next solve
starts from the previous optimal basis (hot start) rather than from scratch.

Every HiGHS call's ``HighsStatus`` is checked.  A rejected *modification* raises
:class:`~dea.exceptions.SolverError` (the model would be wrong); an LP that is infeasible,
unbounded or hits a limit is reported as that solve's status.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from dea.exceptions import SolverError
from dea.solvers.base import BaseSession, LPProblem, LPSolution, LPUpdate

__all__ = ["HighsBackend", "HighsSession"]

_EMPTY = LPUpdate()

logger = logging.getLogger(__name__)


def _import_highspy() -> Any:
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - highspy is a hard dependency
        raise SolverError("solver='highs' needs the highspy package; pip install highspy") from exc
    return highspy


def _check(status: Any, what: str, highspy: Any) -> None:
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS rejected {what}; the LP could not be set up")


class HighsSession(BaseSession):
    """A HiGHS model for one base :class:`LPProblem`, re-solved per update.

    Parameters
    ----------
    problem : LPProblem
        The base LP.
    time_limit : float, optional
        Seconds per solve.
    tolerance : float, optional
        Primal and dual feasibility tolerance (HiGHS default 1e-7).
    presolve : bool, default False
        HiGHS presolve; off by default because the LPs are small and presolve would
        prevent hot starts.
    col_duals : bool, default True
        Return reduced costs (``LPSolution.col_duals``); False skips converting them
        (saves time when a model does not need them).
    """

    def __init__(
        self,
        problem: LPProblem,
        *,
        time_limit: float | None = None,
        tolerance: float | None = None,
        presolve: bool = False,
        col_duals: bool = True,
    ) -> None:
        super().__init__(problem)
        hs = self._hs = _import_highspy()
        h = self._h = hs.Highs()
        _check(h.setOptionValue("output_flag", False), "option output_flag", hs)
        _check(h.setOptionValue("presolve", "on" if presolve else "off"), "option presolve", hs)
        if time_limit is not None:
            _check(h.setOptionValue("time_limit", float(time_limit)), "option time_limit", hs)
        if tolerance is not None:
            for opt in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
                _check(h.setOptionValue(opt, float(tolerance)), f"option {opt}", hs)
        A = problem.A
        lp = hs.HighsLp()
        lp.num_col_ = problem.n_cols
        lp.num_row_ = problem.n_rows
        lp.col_cost_ = problem.cost
        lp.col_lower_ = problem.col_lower
        lp.col_upper_ = problem.col_upper
        lp.row_lower_ = problem.row_lower
        lp.row_upper_ = problem.row_upper
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        lp.sense_ = hs.ObjSense.kMaximize if problem.sense == "max" else hs.ObjSense.kMinimize
        _check(h.passModel(lp), "the base model (passModel)", hs)
        # What the model currently holds (to change only what differs).
        self._cost = problem.cost.copy()
        self._cl = problem.col_lower.copy()
        self._cu = problem.col_upper.copy()
        self._rl = problem.row_lower.copy()
        self._ru = problem.row_upper.copy()
        self._sense = problem.sense
        self._coeffs: dict[tuple[int, int], float] = {}  # overridden entries -> value held
        empty = np.empty(0, np.int32)
        self._t_cost, self._t_col, self._t_row = empty, empty, empty  # indices off base
        self._want_col_duals = bool(col_duals)
        self._base_coeffs: dict[tuple[int, int], float] = {}  # cache of base values
        self._model_status = hs.HighsModelStatus
        self._status_map = {
            hs.HighsModelStatus.kOptimal: "optimal",
            hs.HighsModelStatus.kInfeasible: "infeasible",
            hs.HighsModelStatus.kUnbounded: "unbounded",
            hs.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
            hs.HighsModelStatus.kIterationLimit: "iteration_limit",
            hs.HighsModelStatus.kTimeLimit: "time_limit",
        }

    # -- applying updates -------------------------------------------------------------
    @staticmethod
    def _targets(
        touched: np.ndarray, idx: np.ndarray, base: tuple[np.ndarray, ...], new: tuple
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Indices to (re)set: previously touched ones back to base, then the new values.

        Returns unique indices and their target values (later entries win).
        """
        all_idx = np.concatenate([touched, idx])
        vals = tuple(
            np.concatenate([b[touched], np.asarray(v, dtype=float)])
            for b, v in zip(base, new, strict=True)
        )
        if all_idx.size == 0:
            return all_idx, vals
        rev_idx = all_idx[::-1]
        uniq, first = np.unique(rev_idx, return_index=True)
        pick = all_idx.size - 1 - first
        return uniq.astype(np.int32), tuple(v[pick] for v in vals)

    def _apply(self, update: LPUpdate | None) -> None:
        hs, h, p = self._hs, self._h, self.problem
        u = update if update is not None else _EMPTY
        # costs
        idx, (cost,) = self._targets(self._t_cost, u.cost_index, (p.cost,), (u.cost_values,))
        diff = cost != self._cost[idx]
        if diff.any():
            i = idx[diff]
            _check(h.changeColsCost(i.size, i, cost[diff]), "changeColsCost", hs)
            self._cost[i] = cost[diff]
        self._t_cost = idx[cost != p.cost[idx]]
        # column bounds
        idx, (cl, cu) = self._targets(
            self._t_col, u.col_index, (p.col_lower, p.col_upper), (u.col_lower, u.col_upper)
        )
        diff = (cl != self._cl[idx]) | (cu != self._cu[idx])
        if diff.any():
            i = idx[diff]
            _check(
                h.changeColsBounds(i.size, i, cl[diff], cu[diff]), "changeColsBounds", hs
            )
            self._cl[i], self._cu[i] = cl[diff], cu[diff]
        self._t_col = idx[(cl != p.col_lower[idx]) | (cu != p.col_upper[idx])]
        # row bounds
        idx, (rl, ru) = self._targets(
            self._t_row, u.row_index, (p.row_lower, p.row_upper), (u.row_lower, u.row_upper)
        )
        diff = (rl != self._rl[idx]) | (ru != self._ru[idx])
        if diff.any():
            i = idx[diff]
            _check(
                h.changeRowsBounds(i.size, i, rl[diff], ru[diff]), "changeRowsBounds", hs
            )
            self._rl[i], self._ru[i] = rl[diff], ru[diff]
        self._t_row = idx[(rl != p.row_lower[idx]) | (ru != p.row_upper[idx])]
        # matrix coefficients
        wanted: dict[tuple[int, int], float] = dict(
            zip(
                zip(u.coeff_rows.tolist(), u.coeff_cols.tolist(), strict=True),
                u.coeff_values.tolist(),
                strict=True,
            )
        )
        for key in [k for k in self._coeffs if k not in wanted]:
            base = self._base_value(key)
            if self._coeffs[key] != base:
                _check(h.changeCoeff(key[0], key[1], base), "changeCoeff", hs)
            del self._coeffs[key]
        for key, v in wanted.items():
            held = self._coeffs.get(key)
            if held is None:
                held = self._base_value(key)
            if held != v:
                _check(h.changeCoeff(key[0], key[1], v), "changeCoeff", hs)
            self._coeffs[key] = v
        # sense
        sense = u.sense or p.sense
        if sense != self._sense:
            obj = hs.ObjSense.kMaximize if sense == "max" else hs.ObjSense.kMinimize
            _check(h.changeObjectiveSense(obj), "changeObjectiveSense", hs)
            self._sense = sense

    def _base_value(self, key: tuple[int, int]) -> float:
        v = self._base_coeffs.get(key)
        if v is None:
            v = self._base_coeffs[key] = float(self.problem.A[key[0], key[1]])
        return v

    # -- solving ----------------------------------------------------------------------
    def solve(self, update: LPUpdate | None = None) -> LPSolution:
        """Solve *base problem + update*, hot-started from the previous basis."""
        hs, h = self._hs, self._h
        self._apply(update)
        run_status = h.run()
        if run_status == hs.HighsStatus.kError:
            # A failed solve can leave a bad basis: retry once from scratch.
            logger.debug("HiGHS run returned kError; retrying from a fresh basis")
            h.clearSolver()
            run_status = h.run()
            if run_status == hs.HighsStatus.kError:
                return LPSolution(status="error", message="HiGHS run() returned kError")
        model_status = h.getModelStatus()
        status = self._status_map.get(model_status, "error")
        info = h.getInfo()
        iters = int(info.simplex_iteration_count)
        if status != "optimal":
            if status == "error":
                msg = h.modelStatusToString(model_status)
            else:
                msg = ""
            if status in ("infeasible_or_unbounded", "error"):
                # Ambiguous after a hot start: settle it from scratch.
                h.clearSolver()
                if h.run() != hs.HighsStatus.kError:
                    model_status = h.getModelStatus()
                    status = self._status_map.get(model_status, "error")
                    if status == "optimal":
                        return self._optimal(iters)
            return LPSolution(status=status, iterations=iters, message=msg)
        return self._optimal(iters)

    def _optimal(self, iters: int) -> LPSolution:
        h = self._h
        sol = h.getSolution()
        return LPSolution(
            status="optimal",
            objective=float(h.getInfo().objective_function_value),
            x=np.array(sol.col_value, dtype=float),
            row_duals=np.array(sol.row_dual, dtype=float),
            col_duals=np.array(sol.col_dual, dtype=float) if self._want_col_duals else None,
            iterations=iters,
        )

    def close(self) -> None:
        """Free the HiGHS model."""
        h = getattr(self, "_h", None)
        if h is not None:
            h.clear()
            self._h = None


class HighsBackend:
    """Factory for :class:`HighsSession` (registered as ``"highs"``)."""

    name = "highs"

    def open(self, problem: LPProblem, **options: Any) -> HighsSession:
        """Open a HiGHS session (options: time_limit, tolerance, presolve, col_duals)."""
        return HighsSession(problem, **options)
