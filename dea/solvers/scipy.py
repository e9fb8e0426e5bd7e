"""SciPy reference backend: the full LP rebuilt and solved per call with ``linprog``.

Simple and independent of the hot-start machinery of :mod:`dea.solvers.highs`, so the
two can be checked against each other.  Slower: every solve starts from scratch.
Rows are split into ``A_eq`` (``lower == upper``), ``A_ub`` (finite upper) and negated
``A_ub`` rows (finite lower); duals are mapped back to the protocol's convention
(``d objective / d rhs`` in the problem's own sense).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from dea.solvers.base import (
    BaseSession,
    LPProblem,
    LPSolution,
    LPUpdate,
    SessionBackend,
    _limit_options,
)

__all__ = ["ScipyBackend", "ScipySession"]

_STATUS = {0: "optimal", 1: "iteration_limit", 2: "infeasible", 3: "unbounded", 4: "error"}


class ScipySession(BaseSession):
    """Solve *base + update* with ``scipy.optimize.linprog(method="highs")`` each time.

    Parameters
    ----------
    problem : LPProblem
        The base LP.
    time_limit : float, optional
        Seconds per solve.
    tolerance : float, optional
        Primal and dual feasibility tolerance.
    method : str, default "highs"
        ``linprog`` method.
    """

    def __init__(
        self,
        problem: LPProblem,
        *,
        time_limit: float | None = None,
        tolerance: float | None = None,
        method: str = "highs",
        **_: Any,
    ) -> None:
        super().__init__(problem)
        self._method = method
        self._opts: dict[str, Any] = _limit_options(time_limit, tolerance)

    def solve(self, update: LPUpdate | None = None) -> LPSolution:
        """Rebuild the LP with ``update`` applied and solve it from scratch."""
        p = self.problem.with_update(update)
        A = p.A.tocsr()
        rl, ru = p.row_lower, p.row_upper
        eq = np.isfinite(rl) & (rl == ru)
        up = np.isfinite(ru) & ~eq
        lo = np.isfinite(rl) & ~eq
        eq_idx, up_idx, lo_idx = np.flatnonzero(eq), np.flatnonzero(up), np.flatnonzero(lo)
        A_ub = sp.vstack([A[up_idx], -A[lo_idx]]).tocsr() if (up.any() or lo.any()) else None
        b_ub = np.concatenate([ru[up_idx], -rl[lo_idx]]) if A_ub is not None else None
        A_eq = A[eq_idx] if eq.any() else None
        b_eq = rl[eq_idx] if eq.any() else None
        sign = -1.0 if p.sense == "max" else 1.0
        bounds = np.column_stack([p.col_lower, p.col_upper])
        bounds = [
            (None if not np.isfinite(lb) else lb, None if not np.isfinite(ub) else ub)
            for lb, ub in bounds
        ]
        res = linprog(
            sign * p.cost,
            A_ub=A_ub,
            b_ub=b_ub,
            A_eq=A_eq,
            b_eq=b_eq,
            bounds=bounds,
            method=self._method,
            options=self._opts or None,
        )
        status = _STATUS.get(int(res.status), "error")
        iters = int(getattr(res, "nit", -1) or -1)
        if status != "optimal":
            return LPSolution(status=status, iterations=iters, message=str(res.message))
        duals = np.zeros(p.n_rows)
        if A_eq is not None:
            duals[eq_idx] += res.eqlin.marginals
        if A_ub is not None:
            m_ub = res.ineqlin.marginals
            duals[up_idx] += m_ub[: up_idx.size]
            duals[lo_idx] -= m_ub[up_idx.size :]
        duals *= sign
        x = np.asarray(res.x, dtype=float)
        return LPSolution(
            status="optimal",
            objective=float(sign * res.fun),
            x=x,
            row_duals=duals,
            col_duals=p.cost - p.A.T @ duals,
            iterations=iters,
        )


class ScipyBackend(SessionBackend):
    """Factory for :class:`ScipySession` (registered as ``"scipy"``).

    ``open(problem, **options)`` accepts ``time_limit``, ``tolerance`` and ``method``.
    """

    name = "scipy"
    session_class = ScipySession
