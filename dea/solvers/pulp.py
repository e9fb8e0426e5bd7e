"""PuLP backend: readable LP formulations, any PuLP solver, LP/MPS export.

Each solve builds a :class:`pulp.LpProblem` from *base problem + update* (PuLP has no
hot start to keep), with readable names taken from :attr:`LPProblem.col_names` and
:attr:`LPProblem.row_names` (``theta``, ``lambda_<unit>``, ``input_<name>``,
``output_<name>`` for the radial models), and hands it to a PuLP solver: CBC by default
(``pulp.PULP_CBC_CMD(msg=False)``), or any solver object the user passes as
``solver=`` (``pulp.HiGHS()``, ``pulp.GLPK_CMD()``, ``pulp.GUROBI()``...).

Precision and polishing
-----------------------
CBC's solution file carries 8 significant digits, so raw CBC values differ from HiGHS
in the 9th digit.  With ``polish=True`` (default) the session refines the returned
vertex in float64: variables at a bound are fixed there, rows that are tight are made
exactly tight by the minimum-norm correction of the free variables (``lstsq``), and
the row duals are refined the same way from the stationarity conditions of the free
variables.  The polished point is accepted only if it is feasible to 1e-9 (scaled),
its objective is within the solver's own accuracy of the reported one, and the duals
remain dual-feasible; otherwise the solver's raw values are returned unchanged.

Exports
-------
:func:`to_pulp` builds the PuLP model of any LP of the protocol, :func:`write_lp`
writes it as ``.lp`` or ``.mps``, and :func:`export_lp` writes the LP a fitted DEA
model solves for one unit (first or second stage).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dea.exceptions import InputDataError, SolverError
from dea.solvers.base import (
    BaseSession,
    LPFamily,
    LPProblem,
    LPSolution,
    LPUpdate,
    SessionBackend,
)
from dea.solvers.registry import get_backend

__all__ = ["PulpBackend", "PulpSession", "export_lp", "to_pulp", "write_lp"]

logger = logging.getLogger(__name__)

_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")


def _import_pulp() -> Any:
    try:
        import pulp
    except ImportError as exc:  # pragma: no cover - pulp is a dependency
        raise SolverError("solver='pulp' needs the pulp package; pip install pulp") from exc
    return pulp


def _clean_names(names: Sequence[str] | None, n: int, prefix: str) -> list[str]:
    """Names valid in LP and MPS files: ``[A-Za-z0-9_]``, not starting with a digit,
    unique (a ``_2``, ``_3``... suffix is added to repeats)."""
    if names is None:
        names = [f"{prefix}{i}" for i in range(n)]
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        s = _NAME_BAD.sub("_", str(raw)) or prefix
        if s[0].isdigit() or (s[0] in "eE" and s[1:2].isdigit()):
            s = f"{prefix}{s}"
        base, k = s, 2
        while s in seen:
            s = f"{base}_{k}"
            k += 1
        seen.add(s)
        out.append(s)
    return out


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def to_pulp(problem: LPProblem, update: LPUpdate | None = None) -> Any:
    """Build the :class:`pulp.LpProblem` of ``problem`` with ``update`` applied.

    Parameters
    ----------
    problem : LPProblem
        A base LP of the solver protocol.
    update : LPUpdate, optional
        Absolute changes for one solve (see :mod:`dea.solvers.base`).

    Returns
    -------
    pulp.LpProblem
        Variables are named from ``problem.col_names`` and constraints from
        ``problem.row_names`` (made LP/MPS-safe).  A row with two different finite
        bounds becomes two constraints, ``<name>_lo`` (``>=``) and ``<name>_hi``
        (``<=``); a row with no finite bound is left out.  The model's
        ``_dea_rows`` attribute lists, per protocol row, the constraint names it became.

    Notes
    -----
    The protocol's LP is::

        min (or max)  cost @ x
        subject to    row_lower <= A @ x <= row_upper
                      col_lower <=     x <= col_upper
    """
    pulp = _import_pulp()
    p = problem.with_update(update)
    cols = _clean_names(p.col_names, p.n_cols, "x")
    rows = _clean_names(p.row_names, p.n_rows, "r")
    sense = pulp.LpMaximize if p.sense == "max" else pulp.LpMinimize
    model = pulp.LpProblem(_clean_names([p.name], 1, "lp")[0], sense)
    xs = [
        pulp.LpVariable(name, lowBound=_finite(lo), upBound=_finite(up))
        for name, lo, up in zip(cols, p.col_lower, p.col_upper, strict=True)
    ]
    nz = np.flatnonzero(p.cost)
    model += pulp.LpAffineExpression([(xs[j], float(p.cost[j])) for j in nz]), "objective"
    A = p.A.tocsr()
    row_map: list[list[str]] = []
    for i in range(p.n_rows):
        start, end = A.indptr[i], A.indptr[i + 1]
        expr = pulp.LpAffineExpression(
            [
                (xs[j], float(v))
                for j, v in zip(A.indices[start:end], A.data[start:end], strict=True)
            ]
        )
        lo, up = p.row_lower[i], p.row_upper[i]
        names: list[str] = []
        if np.isfinite(lo) and np.isfinite(up) and lo == up:
            model += pulp.LpConstraint(expr, pulp.LpConstraintEQ, rows[i], float(lo))
            names.append(rows[i])
        else:
            both = np.isfinite(lo) and np.isfinite(up)
            if np.isfinite(lo):
                name = f"{rows[i]}_lo" if both else rows[i]
                model += pulp.LpConstraint(expr, pulp.LpConstraintGE, name, float(lo))
                names.append(name)
            if np.isfinite(up):
                name = f"{rows[i]}_hi" if both else rows[i]
                model += pulp.LpConstraint(expr, pulp.LpConstraintLE, name, float(up))
                names.append(name)
        row_map.append(names)
    model._dea_rows = row_map
    model._dea_vars = xs
    return model


def write_lp(problem: LPProblem, path: str | Path, update: LPUpdate | None = None) -> Path:
    """Write ``problem`` (with ``update`` applied) to an ``.lp`` or ``.mps`` file.

    Parameters
    ----------
    problem : LPProblem
        A base LP of the solver protocol.
    path : str or Path
        Target file; the suffix ``.lp`` or ``.mps`` picks the format.
    update : LPUpdate, optional
        Changes for one unit's solve.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputDataError
        If the suffix is neither ``.lp`` nor ``.mps``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".lp", ".mps"):
        raise InputDataError(f"path={str(path)!r} has suffix {path.suffix!r}; use '.lp' or '.mps'")
    model = to_pulp(problem, update)
    if suffix == ".lp":
        model.writeLP(str(path))
    else:
        # An OBJSENSE section (free-MPS extension read by HiGHS, CBC, CPLEX, Gurobi) keeps a
        # max problem a max problem; pulp.LpProblem.fromMPS needs sense=pulp.LpMaximize.
        model.writeMPS(str(path), mpsSense=model.sense, with_objsense=model.sense == -1)
    return path


def export_lp(
    model: Any,
    unit: Any,
    path: str | Path,
    *,
    stage: int = 1,
) -> Path:
    """Write the LP that a DEA model solves for one unit to an ``.lp`` or ``.mps`` file.

    Parameters
    ----------
    model : dea.Radial
        The model (fitted or not: the LP depends only on the model's specification).
        Any object with ``_lp_family()`` (an :class:`~dea.solvers.base.LPFamily`) and
        ``_unit_position(label)`` is accepted as well.
    unit : label
        The evaluated unit, by the user's own label.
    path : str or Path
        Target file, ``.lp`` or ``.mps``.
    stage : {1, 2}, default 1
        1 writes the radial (first-stage) LP; 2 writes the second-stage (max-slack) LP
        with the radial factor fixed at its first-stage optimum (first stage solved with
        HiGHS).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputDataError
        If the object cannot be exported (graph orientation solves a sequence of LPs), the
        unit is unknown, ``stage`` is not 1 or 2, or the first stage of the unit is not
        optimal when ``stage=2`` is asked for.

    Notes
    -----
    For :class:`dea.Radial` the file is written in the user's units and names: variables
    ``lambda_<reference unit>``, ``theta`` (input) or ``phi`` (output),
    ``s_minus_<input>``, ``s_plus_<output>``; constraints ``input_<input>``,
    ``output_<output>`` and ``convexity`` (VRS/NIRS/NDRS).  For input orientation, unit
    ``o`` and stage 1::

        min theta
        s.t. sum_j lambda_j x_ij - theta x_io + s_minus_i = 0     (input_<i>)
             sum_j lambda_j y_rj - s_plus_r = y_ro                (output_<r>)
             sum_j lambda_j = 1 (VRS; <= 1 NIRS; >= 1 NDRS)       (convexity)
             lambda, slacks >= 0

    The file holds the full LP, against every reference unit.  The engine solves the
    same LP on data divided by column means (and may price reference units in by column
    generation, which reaches the same optimum); the export undoes the scaling (rows
    multiplied back, slack columns in user units), so the optimal objective is the same.
    In stage 2 the objective is the model's phase-2 objective in user units: the sum of
    slacks each divided by its column's scale (``slack_sum="scaled"``) or a positive
    multiple of the plain slack sum (``slack_sum="unweighted"``).  The LPs come from the
    model's export hook: ``model._lp_family()`` (an :class:`~dea.solvers.base.LPFamily`
    in user units and names) and ``model._unit_position(label)``.
    """
    if stage not in (1, 2):
        raise InputDataError(f"stage={stage!r} is not allowed; use 1 or 2")
    problem, update, second = _unit_lp(model, unit)
    if stage == 2:
        with get_backend("highs").open(problem) as session:
            first = session.solve(update)
        if not first.ok:
            raise InputDataError(
                f"unit {unit!r} has first-stage status {first.status!r}; stage=2 needs an "
                "optimal first stage"
            )
        update = second(first)
        if update is None:
            raise InputDataError(f"stage=2 is not available for unit {unit!r}: no second stage")
    return write_lp(problem, path, update)


def _unit_lp(model: Any, unit: Any) -> tuple[LPProblem, LPUpdate, Any]:
    """(problem, stage-1 update, stage-2 builder) of one unit, via the model's export hook."""
    if not (hasattr(model, "_lp_family") and hasattr(model, "_unit_position")):
        raise InputDataError(
            f"{type(model).__name__} objects cannot be exported; pass a DEA model such as "
            "dea.Radial"
        )
    k = int(model._unit_position(unit))
    family: LPFamily = model._lp_family()
    return family.problem, family.unit_update(k), lambda first: family.second_stage(k, first)


def _status(pulp: Any, model: Any, time_limited: bool) -> str:
    st = model.status
    if st == pulp.LpStatusOptimal:
        return "optimal"
    if st == pulp.LpStatusInfeasible:
        return "infeasible"
    if st == pulp.LpStatusUnbounded:
        return "unbounded"
    if st == pulp.LpStatusNotSolved and time_limited:
        return "time_limit"
    if st == pulp.LpStatusUndefined:
        return "infeasible_or_unbounded"
    return "error"


class PulpSession(BaseSession):
    """Solve *base + update* by building a PuLP model and calling a PuLP solver.

    Parameters
    ----------
    problem : LPProblem
        The base LP.
    solver : pulp solver object, optional
        Any ``pulp.LpSolver``; default ``pulp.PULP_CBC_CMD(msg=False)`` (with the time
        limit, if one is given).
    time_limit : float, optional
        Seconds per solve (used for the default CBC solver only).
    polish : bool, default True
        Refine the solver's vertex in float64 (see the module docstring).
    """

    def __init__(
        self,
        problem: LPProblem,
        *,
        solver: Any = None,
        time_limit: float | None = None,
        polish: bool = True,
        **_: Any,
    ) -> None:
        super().__init__(problem)
        self._pulp = _import_pulp()
        if solver is None:
            kwargs: dict[str, Any] = {"msg": False}
            if time_limit is not None:
                kwargs["timeLimit"] = float(time_limit)
            solver = self._pulp.PULP_CBC_CMD(**kwargs)
        elif not isinstance(solver, self._pulp.LpSolver):
            raise InputDataError(
                f"solver={solver!r} is not a PuLP solver object; pass e.g. "
                "pulp.PULP_CBC_CMD(msg=False) or pulp.HiGHS()"
            )
        self._solver = solver
        self._time_limited = time_limit is not None or getattr(solver, "timeLimit", None)
        self._polish = bool(polish)

    def solve(self, update: LPUpdate | None = None) -> LPSolution:
        """Build the PuLP model of *base + update*, solve it and map the outcome."""
        pulp = self._pulp
        p = self.problem.with_update(update)
        model = to_pulp(p)
        try:
            model.solve(self._solver)
        except pulp.PulpSolverError as exc:
            return LPSolution(status="error", message=str(exc))
        status = _status(pulp, model, bool(self._time_limited))
        if status != "optimal":
            return LPSolution(status=status, message=pulp.LpStatus.get(model.status, ""))
        x = np.array([v.varValue if v.varValue is not None else 0.0 for v in model._dea_vars])
        duals = np.zeros(p.n_rows)
        for i, names in enumerate(model._dea_rows):
            for name in names:
                pi = model.constraints[name].pi
                if pi is not None:
                    duals[i] += float(pi)
        # PuLP's ``pi`` is already d objective / d rhs in the problem's own sense (checked
        # against HiGHS for min and max problems in tests/dea/test_pulp.py).
        objective = float(p.cost @ x)
        if self._polish:
            x, duals, objective = _polish(p, x, duals, objective)
        return LPSolution(
            status="optimal",
            objective=objective,
            x=x,
            row_duals=duals,
            col_duals=p.cost - p.A.T @ duals,
        )


def _polish(
    p: LPProblem, x: np.ndarray, duals: np.ndarray, objective: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Refine an (8-digit) optimal vertex to float64 precision; see module docstring."""
    A = p.A.toarray()
    scale = max(1.0, float(np.abs(A).max(initial=0.0)), float(np.abs(x).max(initial=0.0)))
    tol = 1e-6 * scale
    act = A @ x
    at_lo = np.isfinite(p.col_lower) & (np.abs(x - p.col_lower) <= tol)
    at_up = np.isfinite(p.col_upper) & (np.abs(x - p.col_upper) <= tol) & ~at_lo
    xf = x.copy()
    xf[at_lo] = p.col_lower[at_lo]
    xf[at_up] = p.col_upper[at_up]
    free = ~(at_lo | at_up)
    tight_lo = np.isfinite(p.row_lower) & (np.abs(act - p.row_lower) <= tol)
    tight_up = np.isfinite(p.row_upper) & (np.abs(act - p.row_upper) <= tol) & ~tight_lo
    tight = tight_lo | tight_up
    rhs = np.where(tight_lo, p.row_lower, p.row_upper)
    if tight.any() and free.any():
        M = A[np.ix_(tight, free)]
        resid = rhs[tight] - A[tight] @ xf
        dx, *_ = np.linalg.lstsq(M, resid, rcond=None)
        xf[free] += dx
    # accept only a feasible point whose objective agrees with the solver's
    act2 = A @ xf
    feas_tol = 1e-9 * scale
    ok = (
        np.all(act2 >= p.row_lower - feas_tol)
        and np.all(act2 <= p.row_upper + feas_tol)
        and np.all(xf >= p.col_lower - feas_tol)
        and np.all(xf <= p.col_upper + feas_tol)
        and (not tight.any() or np.allclose(A[tight] @ xf, rhs[tight], atol=feas_tol, rtol=0))
    )
    obj2 = float(p.cost @ xf)
    if not ok or abs(obj2 - objective) > 1e-6 * max(1.0, abs(objective)):
        logger.debug("PuLP polish rejected; returning the solver's raw values")
        return x, duals, objective
    # duals: stationarity on free columns, c_j = A[:, j] @ y, y supported on tight rows
    y = np.where(tight, duals, 0.0)
    if tight.any() and free.any():
        Mt = A[np.ix_(tight, free)].T
        resid = p.cost[free] - Mt @ y[tight]
        dy, *_ = np.linalg.lstsq(Mt, resid, rcond=None)
        y_new = y.copy()
        y_new[tight] += dy
        if np.allclose(Mt @ y_new[tight], p.cost[free], atol=1e-9 * scale, rtol=0) and np.allclose(
            y_new, duals, atol=1e-6 * scale, rtol=0
        ):
            y = y_new
    return xf, y, obj2


class PulpBackend(SessionBackend):
    """Factory for :class:`PulpSession` (registered as ``"pulp"``).

    ``open(problem, **options)`` accepts ``solver``, ``time_limit`` and ``polish``.
    """

    name = "pulp"
    session_class = PulpSession
