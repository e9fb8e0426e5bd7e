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
import os
import sys
import threading
from typing import Any

import numpy as np
import scipy.sparse as sp

from dea.exceptions import InputDataError, SolverError
from dea.solvers.base import (
    BaseSession,
    LPProblem,
    LPSolution,
    LPUpdate,
    SessionBackend,
    _limit_options,
)

__all__ = ["HighsBackend", "HighsSession"]

_EMPTY = LPUpdate()

logger = logging.getLogger(__name__)


def _import_highspy() -> Any:
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - highspy is a hard dependency
        raise SolverError("solver='highs' needs the highspy package; pip install highspy") from exc
    return highspy


_BANNER_LOCK = threading.Lock()
_banner_done = False


def _new_highs(hs: Any) -> Any:
    """Create a ``highspy.Highs`` without its once-per-process banner on stdout.

    HiGHS prints "Running HiGHS ..." from its C++ constructor the first time a ``Highs``
    object is made in a process, before any option can turn output off. That line would
    land in users' stdout (and in piped CLI output), so the first construction runs with
    file descriptor 1 pointed at the null device; later ones print nothing anyway.
    """
    global _banner_done
    if _banner_done:
        return hs.Highs()
    with _BANNER_LOCK:
        if _banner_done:
            return hs.Highs()
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):  # no usable fd 1 (e.g. embedded interpreter)
            _banner_done = True
            return hs.Highs()
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = hs.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(devnull)
        finally:
            os.close(saved)
        _banner_done = True
        return h


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
    highs_options : dict, optional
        Further HiGHS options by name, set with ``Highs.setOptionValue`` after the ones
        above, e.g. ``{"simplex_strategy": 4}``.  Passed through ``solver_options`` of the
        models: ``dea.Radial(..., solver_options={"highs_options": {...}})``.

    Raises
    ------
    InputDataError
        If HiGHS rejects a name or value in ``highs_options``.
    SolverError
        If HiGHS rejects the model.
    """

    def __init__(
        self,
        problem: LPProblem,
        *,
        time_limit: float | None = None,
        tolerance: float | None = None,
        presolve: bool = False,
        col_duals: bool = True,
        highs_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(problem)
        hs = self._hs = _import_highspy()
        h = self._h = _new_highs(hs)
        _check(h.setOptionValue("output_flag", False), "option output_flag", hs)
        _check(h.setOptionValue("presolve", "on" if presolve else "off"), "option presolve", hs)
        for opt, value in _limit_options(time_limit, tolerance).items():
            _check(h.setOptionValue(opt, value), f"option {opt}", hs)
        for opt, value in (highs_options or {}).items():
            if h.setOptionValue(str(opt), value) != hs.HighsStatus.kOk:
                raise InputDataError(
                    f"highs_options: HiGHS does not accept {opt}={value!r}; see the HiGHS "
                    "documentation of options (https://ergo-code.github.io/HiGHS/)"
                )
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
        # Base values (extended by add_columns) and the entries currently off base:
        # index -> value(s) the model holds now.  Only those are ever touched.
        self._base_cost = problem.cost.copy()
        self._base_cl = problem.col_lower.copy()
        self._base_cu = problem.col_upper.copy()
        self._held_cost: dict[int, float] = {}
        self._held_col: dict[int, tuple[float, float]] = {}
        self._held_row: dict[int, tuple[float, float]] = {}
        self._sense = problem.sense
        self._coeffs: dict[tuple[int, int], float] = {}  # overridden entries -> value held
        self._extra_A: list[tuple[int, sp.csc_matrix]] = []  # appended column blocks
        self._n_cols = problem.n_cols
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
    def _sync(held: dict[int, Any], want: dict[int, Any], base: Any) -> tuple[list[int], list[Any]]:
        """Entries to send so the model holds ``want`` on top of base values.

        ``held`` (entries currently off base) is updated in place.  Returns the indices
        and target values that differ from what the model holds now.
        """
        idx: list[int] = []
        vals: list[Any] = []
        for i in list(held):
            if i not in want:
                b = base(i)
                idx.append(i)
                vals.append(b)
                del held[i]
        for i, v in want.items():
            now = held.get(i)
            if now is None:
                now = base(i)
            if now != v:
                idx.append(i)
                vals.append(v)
            if v != base(i):
                held[i] = v
            else:
                held.pop(i, None)
        return idx, vals

    def _sync_bounds(
        self,
        held: dict[int, tuple[float, float]],
        wanted: tuple[np.ndarray, np.ndarray, np.ndarray],
        base: tuple[np.ndarray, np.ndarray],
        method: str,
    ) -> None:
        """Send the (lower, upper) bounds that differ from what the model holds.

        ``wanted`` is (index, lower, upper) of the update, ``base`` the base (lower,
        upper) arrays, ``method`` ``"changeColsBounds"`` or ``"changeRowsBounds"``.
        """
        index, lower, upper = wanted
        bl, bu = base
        pairs = zip(lower.tolist(), upper.tolist(), strict=True)
        want = dict(zip(index.tolist(), pairs, strict=True))
        idx, vals = self._sync(held, want, lambda i: (float(bl[i]), float(bu[i])))
        if idx:
            ia = np.asarray(idx, dtype=np.int32)
            lu = np.asarray(vals, dtype=float).reshape(-1, 2)
            change = getattr(self._h, method)
            _check(change(ia.size, ia, lu[:, 0].copy(), lu[:, 1].copy()), method, self._hs)

    def _apply(self, update: LPUpdate | None) -> None:
        hs, h, p = self._hs, self._h, self.problem
        u = update if update is not None else _EMPTY
        # costs
        bc = self._base_cost
        want = dict(zip(u.cost_index.tolist(), u.cost_values.tolist(), strict=True))
        idx, vals = self._sync(self._held_cost, want, lambda i: float(bc[i]))
        if idx:
            ia = np.asarray(idx, dtype=np.int32)
            _check(h.changeColsCost(ia.size, ia, np.asarray(vals, float)), "changeColsCost", hs)
        # column and row bounds
        self._sync_bounds(
            self._held_col,
            (u.col_index, u.col_lower, u.col_upper),
            (self._base_cl, self._base_cu),
            "changeColsBounds",
        )
        self._sync_bounds(
            self._held_row,
            (u.row_index, u.row_lower, u.row_upper),
            (p.row_lower, p.row_upper),
            "changeRowsBounds",
        )
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

    def add_columns(
        self,
        A_cols: Any,
        col_lower: np.ndarray,
        col_upper: np.ndarray,
        cost: np.ndarray,
    ) -> None:
        """Append columns to the model, keeping the current basis (optional protocol).

        Parameters
        ----------
        A_cols : scipy.sparse matrix
            ``n_rows x k`` coefficients of the new columns.
        col_lower, col_upper, cost : array_like
            Bounds and costs of the new columns.

        Raises
        ------
        SolverError
            If HiGHS rejects the columns.
        """
        hs, h = self._hs, self._h
        B = sp.csc_matrix(A_cols, dtype=float)
        B.sort_indices()
        k = B.shape[1]
        lo = np.asarray(col_lower, dtype=float)
        up = np.asarray(col_upper, dtype=float)
        c = np.asarray(cost, dtype=float)
        _check(
            h.addCols(
                k,
                c,
                lo,
                up,
                B.nnz,
                B.indptr[:-1].astype(np.int32),
                B.indices.astype(np.int32),
                B.data,
            ),
            "addCols",
            hs,
        )
        self._extra_A.append((self._n_cols, B))
        self._n_cols += k
        self._base_cost = np.concatenate([self._base_cost, c])
        self._base_cl = np.concatenate([self._base_cl, lo])
        self._base_cu = np.concatenate([self._base_cu, up])

    def _base_value(self, key: tuple[int, int]) -> float:
        v = self._base_coeffs.get(key)
        if v is None:
            r, c = key
            if c < self.problem.n_cols:
                v = float(self.problem.A[r, c])
            else:
                start, block = next((s0, b) for s0, b in reversed(self._extra_A) if c >= s0)
                v = float(block[r, c - start])
            self._base_coeffs[key] = v
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
                        return self._optimal(iters, h.getInfo())
            return LPSolution(status=status, iterations=iters, message=msg)
        return self._optimal(iters, info)

    def _optimal(self, iters: int, info: Any) -> LPSolution:
        h = self._h
        sol = h.getSolution()
        return LPSolution(
            status="optimal",
            objective=float(info.objective_function_value),
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


class HighsBackend(SessionBackend):
    """Factory for :class:`HighsSession` (registered as ``"highs"``).

    ``open(problem, **options)`` accepts ``time_limit``, ``tolerance``, ``presolve``,
    ``col_duals`` and ``highs_options``.
    """

    name = "highs"
    session_class = HighsSession
