"""Radial DEA: CCR/BCC (and NIRS/NDRS) envelopment models, input, output and graph
(hyperbolic) orientation, two-phase slacks, multipliers, super-efficiency, reference sets,
and scale efficiency.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dea.data import DEAData, prepare, resolve_reference, unit_position
from dea.exceptions import InfeasibleUnitWarning, InputDataError, format_labels
from dea.models._base import (
    ORIENTATIONS,
    RTS_CHOICES,
    SLACK_SUMS,
    check_choice,
    check_n_jobs,
    initial_columns,
    scaled_arrays,
    slack_weights,
    snap_scores,
    solve_order,
    warn_not_optimal,
)
from dea.models._restrictions import (
    Bounds,
    RestrictionRow,
    check_restrictions,
    restriction_columns,
    restriction_report,
    restriction_rows,
)
from dea.results import EFFICIENCY_TOL, SLACK_TOL, DEAResult
from dea.solvers import get_backend
from dea.solvers.base import (
    ColumnGeneration,
    LPBatchResult,
    LPFamily,
    LPProblem,
    LPSession,
    LPSolution,
    LPUpdate,
    SolveStrategy,
    UnitOutcome,
    solve_family,
)

__all__ = ["Radial", "scale_efficiency"]

logger = logging.getLogger(__name__)

_GRAPH_TOL = 1e-11  # relative width of the final bracket on log G
_GRAPH_MAX_ITER = 200
_GRAPH_MAX_G = 1e12
# graph phase 2 infeasible at G* (edge of feasibility): retry at G* * (1 + margin)
_GRAPH_PHASE2_MARGINS = (1e-7, 1e-6)
_CG_MIN_UNITS = 200  # column generation (highs) above this many reference units
# screening="auto" picks the frame from this many reference units (and at most
# _FRAME_MAX_DIM inputs + outputs); None: never, until benchmarks show where it pays
# (at n = 10,000 it is 4x slower than pricing: see benchmarks/README.md)
_FRAME_MIN_UNITS: int | None = None
_FRAME_MAX_DIM = 8
_FRAME_BASE = 2000  # a frame of at most this many units is found by column generation
_FRAME_MARGIN = 1e-6  # a unit leaves the frame candidates only with score < 1 - margin
SCREENINGS = ("auto", "frame", "pricing", "none")
_SKIP_PHASE2_TOL = 1e-8  # reduced cost (scaled data) above which a slack is surely zero


# ----------------------------------------------------------------------------------------
# LP family
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _RadialSpec:
    """Picklable description of the radial LP family (scaled data)."""

    problem: LPProblem  # the full LP (all reference units as lambda columns)
    Xr: np.ndarray  # reference inputs, scaled (n_ref x m)
    Yr: np.ndarray  # reference outputs, scaled (n_ref x s)
    Xe: np.ndarray  # evaluated inputs, scaled (n_eval x m)
    Ye: np.ndarray  # evaluated outputs, scaled (n_eval x s)
    rts: str
    orientation: str
    exclude: np.ndarray  # per evaluated unit: reference column to fix at 0, or -1
    two_phase: bool
    slack_cost: np.ndarray  # phase-2 objective coefficients of the m + s slack columns
    column_generation: bool
    initial_columns: np.ndarray  # sorted reference positions of the first working set
    frame: np.ndarray | None = None  # reference positions spanning the technology, or None
    restrictions: tuple[RestrictionRow, ...] = ()  # weight restrictions (one column each)
    objective_row: int = -1  # row holding the phase-1 objective (absolute bounds), or -1

    @property
    def n_ref(self) -> int:
        return int(self.Xr.shape[0])

    @property
    def m(self) -> int:
        return int(self.Xe.shape[1])

    @property
    def s(self) -> int:
        return int(self.Ye.shape[1])

    @property
    def score_col(self) -> int:
        """Column of theta / phi / G (after the lambda columns)."""
        return self.n_ref

    @property
    def restriction_col(self) -> int:
        """Column of the first weight-restriction column (after the slacks)."""
        return self.n_ref + 1 + self.m + self.s

    def update(self, k: int, level: float = 1.0) -> LPUpdate:
        """Unit ``k``'s phase-1 LP; ``level`` divides the output right-hand side (graph)."""
        m, s = self.m, self.s
        if self.orientation == "output":
            rows = np.arange(m, m + s)
            coeff_vals = -self.Ye[k]
            row_idx = np.arange(m)
            rhs = self.Xe[k]
        else:  # input and graph: input-type LP
            rows = np.arange(m)
            coeff_vals = -self.Xe[k]
            row_idx = np.arange(m, m + s)
            rhs = self.Ye[k] / level
        ex = int(self.exclude[k])
        col_idx = [ex] if ex >= 0 else []
        return LPUpdate(
            coeff_rows=rows,
            coeff_cols=np.full(rows.size, self.score_col, dtype=np.int32),
            coeff_values=coeff_vals,
            row_index=row_idx,
            row_lower=rhs,
            row_upper=rhs,
            col_index=col_idx,
            col_lower=np.zeros(len(col_idx)),
            col_upper=np.zeros(len(col_idx)),
        )

    def phase2(self, k: int, value: float, level: float = 1.0) -> LPUpdate:
        """Max-slack LP for unit ``k`` with the radial factor fixed at ``value``.

        The objective is ``slack_cost @ slacks`` on the scaled data: ones (each slack
        divided by its column mean, ``slack_sum="scaled"``) or the column scales
        normalised to a largest value of 1 (the slack sum in user units,
        ``slack_sum="unweighted"``).
        """
        score = self.score_col
        n_slack = self.m + self.s
        if self.objective_row >= 0:
            # absolute weight bounds: the phase-1 objective is theta + h'pi (phi - h'pi),
            # so phase 2 fixes that objective (its row) instead of theta alone
            n_r = len(self.restrictions)
            r0 = self.restriction_col
            extra = LPUpdate(
                row_index=[self.objective_row],
                row_lower=[value],
                row_upper=[value],
                cost_index=np.concatenate(
                    [np.arange(score, score + 1 + n_slack), np.arange(r0, r0 + n_r)]
                ),
                cost_values=np.concatenate([[0.0], self.slack_cost, np.zeros(n_r)]),
                sense="max",
            )
            return self.update(k, level).merge(extra)
        extra = LPUpdate(
            col_index=[score],
            col_lower=[value],
            col_upper=[value],
            cost_index=np.arange(score, score + 1 + n_slack),
            cost_values=np.concatenate([[0.0], self.slack_cost]),
            sense="max",
        )
        return self.update(k, level).merge(extra)


class _RadialFamily(LPFamily):
    """The radial LP family on scaled data: what :meth:`Radial.fit` solves.

    ``unit_update(k)`` is unit ``k``'s phase-1 LP; ``second_stage`` its phase-2 LP, or
    None without phase 2 or when the phase-1 duals prove every slack zero
    (:func:`_slacks_forced_zero`).  Picklable.
    """

    def __init__(self, spec: _RadialSpec) -> None:
        super().__init__(spec.problem, spec.Xe.shape[0])
        self.spec = spec

    def unit_update(self, k: int) -> LPUpdate:
        """Unit ``k``'s phase-1 LP."""
        return self.spec.update(k)

    def second_stage(self, k: int, first: LPSolution) -> LPUpdate | None:
        """Unit ``k``'s phase-2 LP (None: no phase 2, or provably no slack)."""
        spec = self.spec
        if not spec.two_phase or _slacks_forced_zero(first.row_duals, spec):
            return None
        return spec.phase2(k, _phase2_value(spec, first))


class _RadialStrategy(SolveStrategy):
    """How :func:`solve_family` solves radial units.

    Sessions: column generation over the lambda columns (:class:`ColumnGeneration`,
    HiGHS, more than ``_CG_MIN_UNITS`` reference units) or one hot-started full LP.
    Units: the shared two-stage solve for input and output orientation; for graph
    orientation the secant search of :func:`_graph_solve`, then phase 2 at ``G*``.  A
    phase 2 left out because the phase-1 duals prove the slacks zero reads
    ``"skipped"``.
    """

    def __init__(self, spec: _RadialSpec) -> None:
        self.spec = spec
        self._all_units: np.ndarray | None = None
        self.sessions: SolveStrategy
        every = ColumnGeneration(np.arange(spec.n_ref), spec.initial_columns)
        if spec.frame is not None:
            # the frame spans the technology: price its units only, ignore the others;
            # a unit whose own column (super-efficiency) is a frame column is priced
            # against every reference unit instead (its technology lacks that column)
            frame = spec.frame
            rest = np.setdiff1d(np.arange(spec.n_ref), frame)
            init = np.intersect1d(spec.initial_columns, frame)
            self.sessions = ColumnGeneration(frame, init, ignore=rest)
            self._every = every
            self._all_units = np.isin(spec.exclude, frame)
        elif spec.column_generation:
            self.sessions = every
        else:
            self.sessions = SolveStrategy()

    def open_session(self, family: LPFamily, solver: str, options: dict[str, Any]) -> LPSession:
        """The session of :attr:`sessions` (working set or full LP)."""
        session = self.sessions.open_session(family, solver, options)
        if self._all_units is None:
            return session
        return _FrameSession(session, lambda: self._every.open_session(family, solver, options))

    def solve_unit(self, session: LPSession, family: LPFamily, k: int) -> UnitOutcome:
        """Phase 1 (graph: the search for ``G*``), then phase 2 unless skipped."""
        spec = self.spec
        if isinstance(session, _FrameSession) and self._all_units is not None:
            session.use_every = bool(self._all_units[k])
        if spec.orientation == "graph":
            out = _graph_unit(session, spec, k)
        else:
            out = super().solve_unit(session, family, k)
        if spec.two_phase and out.ok and out.status2 == "":
            out.status2 = "skipped"
        return out


class _UserUnitsFamily(LPFamily):
    """The radial LP family in user units and names (what :func:`dea.export_lp` writes).

    The engine solves ``spec.problem`` on data divided by the column scales ``sx``, ``sy``.
    Here every input row is multiplied back by ``sx_i``, every output row by ``sy_r``, and
    the slack columns are expressed in user units (``s_user = s_scaled * scale``), so the
    matrix holds the user's data and the optimal objective is unchanged.  Picklable.
    """

    def __init__(
        self,
        spec: _RadialSpec,
        sx: np.ndarray,
        sy: np.ndarray,
        names: dict[str, tuple[str, ...]],
    ) -> None:
        m, s = sx.size, sy.size
        p = spec.problem
        R = np.ones(p.n_rows)
        R[:m], R[m : m + s] = sx, sy
        C = np.ones(p.n_cols)
        C[spec.n_ref + 1 : spec.n_ref + 1 + m] = sx
        C[spec.n_ref + 1 + m : spec.n_ref + 1 + m + s] = sy
        # restriction columns in user units: the dual of the restriction as the user wrote
        # it (the LP's row scaled by 1 / norm, see RestrictionRow)
        r0 = spec.restriction_col
        for q, row in enumerate(spec.restrictions):
            C[r0 + q] = 1.0 / row.norm
        self._spec, self._R, self._C = spec, R, C
        problem = LPProblem(
            A=(sp.diags(R) @ p.A @ sp.diags(1.0 / C)).tocsc(),
            row_lower=p.row_lower * R,
            row_upper=p.row_upper * R,
            col_lower=p.col_lower * C,
            col_upper=p.col_upper * C,
            cost=p.cost / C,
            sense=p.sense,
            col_names=names["cols"],
            row_names=names["rows"],
            name=p.name,
        )
        super().__init__(problem, spec.Xe.shape[0])

    def _to_user(self, u: LPUpdate) -> LPUpdate:
        R, C = self._R, self._C
        return LPUpdate(
            coeff_rows=u.coeff_rows,
            coeff_cols=u.coeff_cols,
            coeff_values=u.coeff_values * R[u.coeff_rows] / C[u.coeff_cols],
            row_index=u.row_index,
            row_lower=u.row_lower * R[u.row_index],
            row_upper=u.row_upper * R[u.row_index],
            col_index=u.col_index,
            col_lower=u.col_lower * C[u.col_index],
            col_upper=u.col_upper * C[u.col_index],
            cost_index=u.cost_index,
            cost_values=u.cost_values / C[u.cost_index],
            sense=u.sense,
        )

    def unit_update(self, k: int) -> LPUpdate:
        """Unit ``k``'s phase-1 LP (user units)."""
        return self._to_user(self._spec.update(k))

    def second_stage(self, k: int, first: LPSolution) -> LPUpdate | None:
        """Unit ``k``'s phase-2 (max-slack) LP, score column fixed at ``first``'s value."""
        if not self._spec.two_phase:
            return None
        return self._to_user(self._spec.phase2(k, _phase2_value(self._spec, first)))


def _lambda_block(Xr: np.ndarray, Yr: np.ndarray, rts: str) -> sp.csc_matrix:
    """Constraint columns of reference units (rows: inputs, outputs, convexity)."""
    parts = [Xr.T, Yr.T]
    if rts != "crs":
        parts.append(np.ones((1, Xr.shape[0])))
    return sp.csc_matrix(np.vstack(parts))


def _build_problem(
    Xr: np.ndarray,
    Yr: np.ndarray,
    rts: str,
    orientation: str,
    restrictions: Sequence[RestrictionRow] = (),
) -> LPProblem:
    """Envelopment LP on scaled reference data ``Xr`` (n x m), ``Yr`` (n x s).

    Columns: lambda_1..n, the score column (theta or phi), m input slacks, s output
    slacks, then one column ``pi_p`` per weight restriction ``g_p @ (v, u) <= h_p`` of the
    multiplier LP: ``-g_p`` on the input rows, ``+g_p`` on the output rows, cost ``h_p``
    (input orientation) or ``-h_p`` (output).  Rows: m input rows, s output rows, the
    convexity row unless CRS, and, when some ``h_p != 0`` (absolute bounds), a free row
    holding the objective (fixed in phase 2).  With restrictions the score column is
    free in sign: it is the dual of the multiplier LP's normalisation ``v x_k = 1``
    (``u y_k = 1``), so an infeasible multiplier LP shows as an unbounded envelopment LP.
    """
    n, m = Xr.shape
    s = Yr.shape[1]
    n_res = len(restrictions)
    obj_row = n_res > 0 and any(r.h != 0.0 for r in restrictions)
    n_rows = m + s + (rts != "crs") + int(obj_row)
    head = np.zeros((n_rows, 1 + m + s + n_res))
    if orientation == "output":
        head[m : m + s, 0] = -1.0  # -y_k phi, set per unit
    else:
        head[:m, 0] = -1.0  # -x_k theta, set per unit
    head[np.arange(m), 1 + np.arange(m)] = 1.0  # s-
    head[m + np.arange(s), 1 + m + np.arange(s)] = -1.0  # s+
    h_sign = 1.0 if orientation != "output" else -1.0
    if n_res:
        head[: m + s, 1 + m + s :] = restriction_columns(restrictions, m)
    if obj_row:
        head[-1, 0] = 1.0
        head[-1, 1 + m + s :] = [h_sign * r.h for r in restrictions]
    lam = _lambda_block(Xr, Yr, rts)
    if obj_row:
        lam = sp.vstack([lam, sp.csc_matrix((1, n))], format="csc")
    A = sp.hstack([lam, sp.csc_matrix(head)], format="csc")
    rl = np.zeros(n_rows)
    ru = np.zeros(n_rows)
    if orientation == "output":
        rl[:m] = ru[:m] = 1.0  # x_k, per unit
    else:
        rl[m : m + s] = ru[m : m + s] = 1.0  # y_k, per unit
    if rts != "crs":
        conv = {"vrs": (1.0, 1.0), "nirs": (-np.inf, 1.0), "ndrs": (1.0, np.inf)}[rts]
        rl[m + s], ru[m + s] = conv
    if obj_row:
        rl[-1], ru[-1] = -np.inf, np.inf
    n_cols = 1 + m + s + n_res + n
    cost = np.zeros(n_cols)
    cost[n] = 1.0
    cost[n + 1 + m + s :] = [h_sign * r.h for r in restrictions]
    col_lower = np.zeros(n_cols)
    if n_res:
        col_lower[n] = -np.inf
    head_names = (
        "phi" if orientation == "output" else "theta",
        *(f"s_minus_{i}" for i in range(m)),
        *(f"s_plus_{r}" for r in range(s)),
        *(f"restriction_{p}" for p in range(n_res)),
    )
    lam_names = tuple(f"lambda_{j}" for j in range(n))
    names = lam_names + head_names
    row_names = (
        *(f"input_{i}" for i in range(m)),
        *(f"output_{r}" for r in range(s)),
        *(["convexity"] if rts != "crs" else []),
        *(["objective"] if obj_row else []),
    )
    return LPProblem(
        A=A,
        row_lower=rl,
        row_upper=ru,
        col_lower=col_lower,
        col_upper=np.full(n_cols, np.inf),
        cost=cost,
        sense="max" if orientation == "output" else "min",
        col_names=names,
        row_names=row_names,
        name=f"radial_{rts}_{orientation}",
    )


class _FrameSession:
    """The frame-screened session plus, opened when first needed, one pricing against
    every reference unit (for super-efficient units whose own column is in the frame)."""

    def __init__(self, frame: LPSession, open_every: Any) -> None:
        self.frame, self._open_every = frame, open_every
        self.every: LPSession | None = None
        self.use_every = False

    def solve(self, update: LPUpdate | None = None) -> LPSolution:
        if not self.use_every:
            return self.frame.solve(update)
        if self.every is None:
            self.every = self._open_every()
        return self.every.solve(update)

    def close(self) -> None:
        for sess in (self.frame, self.every):
            if sess is not None:
                sess.close()


def _graph_solve(session: LPSession, spec: _RadialSpec, k: int) -> tuple[LPSolution, float, str]:
    """Hyperbolic measure G* = min{G : f(G) <= G} by safeguarded secant on log G.

    ``f(G)`` is the input-oriented score with outputs ``y_k / G``; it is non-increasing in
    G, so ``h(t) = log f(e^t) - t`` is decreasing and G* is its root.  Steps are secant
    steps in ``t`` (the first one is the geometric mean of G and f(G), exact under CRS),
    replaced by bisection whenever they leave the bracket.
    """
    lo, hi = -np.inf, np.inf  # bracket on t = log G
    best: LPSolution | None = None
    t, pts = 0.0, []
    sol = LPSolution(status="error")
    for _ in range(_GRAPH_MAX_ITER):
        sol = session.solve(spec.update(k, level=float(np.exp(t))))
        if sol.ok and sol.objective > 0:
            h = float(np.log(sol.objective) - t)
        elif sol.status in ("infeasible", "infeasible_or_unbounded"):
            h = np.inf
        else:
            return sol, np.nan, sol.status
        if h <= 0:
            hi, best = t, sol
            if h == 0.0:
                break
        else:
            lo = t
        if np.isfinite(hi) and np.isfinite(lo) and hi - lo <= _GRAPH_TOL * max(1.0, abs(hi)):
            break
        if np.isfinite(h):
            pts.append((t, h))
        # next trial point
        if len(pts) >= 2 and pts[-1][1] != pts[-2][1]:
            (t0, h0), (t1, h1) = pts[-2], pts[-1]
            t_new = t1 - h1 * (t1 - t0) / (h1 - h0)
        elif np.isfinite(h):
            t_new = t + h / 2.0
        else:
            t_new = t + 1.0
        if not (lo < t_new < hi):
            if np.isfinite(lo) and np.isfinite(hi):
                t_new = 0.5 * (lo + hi)
            elif np.isfinite(lo):
                t_new = lo + 1.0
            else:
                t_new = hi - 1.0
        if t_new == t:
            break
        t = t_new
        if t > np.log(_GRAPH_MAX_G):
            return sol, np.nan, "infeasible"
    if best is None:
        return sol, np.nan, "infeasible"
    # ``best`` was solved at the feasible end ``hi`` itself, so its x and duals belong to
    # G*. It is not re-solved: G* often lies where the LP only just becomes feasible (a
    # unit with zero inputs, or outputs at the edge of the VRS hull), and a re-solve there
    # from another basis or working set could report the feasible unit as infeasible.
    return best, float(np.exp(hi)), "optimal"


def _phase2_value(spec: _RadialSpec, first: LPSolution) -> float:
    """What phase 2 fixes: the score column, or (absolute bounds) the objective row."""
    if spec.objective_row >= 0:
        return float(first.objective)
    return first.column_value(spec.score_col)


def _slacks_forced_zero(duals: np.ndarray, spec: _RadialSpec) -> bool:
    """True if every slack has a strictly positive reduced cost in phase 1.

    The reduced cost of slack ``s-_i`` (``s+_r``) is the multiplier ``v_i`` (``u_r``) of
    the phase-1 dual solution.  By complementary slackness a slack whose reduced cost is
    positive is zero in *every* optimal solution, i.e. in every solution phase 2 can
    choose from; if that holds for all slacks the max-slack sum is 0 and phase 2 is
    skipped (the phase-1 solution already is a max-slack solution).
    """
    m, s = spec.m, spec.s
    sign = 1.0 if spec.orientation == "output" else -1.0
    v = sign * duals[:m]
    u = -sign * duals[m : m + s]
    return bool((v > _SKIP_PHASE2_TOL).all() and (u > _SKIP_PHASE2_TOL).all())


def _graph_unit(session: LPSession, spec: _RadialSpec, k: int) -> UnitOutcome:
    """Graph orientation for unit ``k``: ``G*`` by :func:`_graph_solve`, then phase 2
    (max slacks with G fixed at ``G*`` and outputs ``y_k / G*``), always.

    Phase 2 is never skipped here: :func:`_slacks_forced_zero` is exact only for the
    duals of an optimal LP, and the graph LP at ``G*`` is often one that HiGHS accepts
    only within its primal feasibility tolerance (``G*`` where the output rows first
    become feasible, returned about 1e-7 low).  Its duals then need not be optimal duals
    of the true LP and can "prove" slacks zero that are not (A = (5, 5) beside
    B = (1, 5) under vrs lost its input slack 4).  The phase-2 LP's own optimum decides
    instead; hot-started from the phase-1 basis it costs no iteration when that basis
    already is optimal.
    """
    sol, g, status = _graph_solve(session, spec, k)
    if status != "optimal":
        return UnitOutcome(status=status)
    final, status2 = sol, ""
    if spec.two_phase:
        sol2 = session.solve(spec.phase2(k, g, level=g))
        # G* is where the LP first becomes feasible, placed by HiGHS only to its primal
        # feasibility tolerance (1e-7 on the scaled rows): phase 2 at that very G, from
        # another basis, can then be declared infeasible.  Retry at G* raised by a few
        # times that tolerance, where the rows are feasible with room to spare; the
        # slacks found there are those of G* to the same relative accuracy (the score
        # stays G*).
        for margin in _GRAPH_PHASE2_MARGINS:
            if sol2.ok or sol2.status not in ("infeasible", "infeasible_or_unbounded"):
                break
            gm = g * (1.0 + margin)
            sol2 = session.solve(spec.phase2(k, gm, level=gm))
        status2 = sol2.status
        if sol2.ok:
            final = sol2
    return UnitOutcome(
        status="optimal", objective=g, row_duals=sol.row_duals, solution=final, status2=status2
    )


def _input_scores(
    Xe: np.ndarray,
    Ye: np.ndarray,
    Xr: np.ndarray,
    Yr: np.ndarray,
    rts: str,
    run: dict[str, Any],
) -> np.ndarray:
    """Input-oriented phase-1 scores of (Xe, Ye) against (Xr, Yr), NaN when not optimal.

    Solved through :func:`solve_family` like :meth:`Radial.fit` (column generation above
    ``_CG_MIN_UNITS`` reference units with HiGHS).
    """
    n_ref = Xr.shape[0]
    cg = run["solver"] == "highs" and n_ref > _CG_MIN_UNITS
    spec = _RadialSpec(
        problem=_build_problem(Xr, Yr, rts, "input"),
        Xr=Xr,
        Yr=Yr,
        Xe=Xe,
        Ye=Ye,
        rts=rts,
        orientation="input",
        exclude=np.full(Xe.shape[0], -1, dtype=np.int64),
        two_phase=False,
        slack_cost=np.zeros(Xe.shape[1] + Ye.shape[1]),
        column_generation=cg,
        initial_columns=initial_columns(Xr, Yr) if cg else np.arange(n_ref),
    )
    order = solve_order(Xe, Ye)
    batch = solve_family(
        _RadialFamily(spec),
        order,
        solver=run["solver"],
        n_jobs=run["n_jobs"],
        options=run["options"],
        strategy=_RadialStrategy(spec),
    )
    theta = np.full(Xe.shape[0], np.nan)
    ok = batch.status == "optimal"
    theta[order[ok]] = batch.objective[ok]
    return theta


def _frame(Xr: np.ndarray, Yr: np.ndarray, rts: str, run: dict[str, Any]) -> np.ndarray | None:
    """Reference positions F whose technology equals that of all reference units.

    Lemma: every extreme point (and, under CRS/NDRS, every extreme ray) of the
    technology ``T`` is a unit with input score 1, since a unit with score
    ``theta < 1`` is ``(theta x, y)`` (in ``T``) plus the disposal direction
    ``((1 - theta) x, 0)``.  So the units with score 1, ``E``, give ``T_E = T`` (for all
    four RTS), and any superset of ``E`` does too.  A unit scoring below 1 against any
    subset of the units scores below 1 against all of them, so it is not in ``E``.

    Procedure (after Khezrimotlagh, Zhu, Cook & Toloo 2019, and Dulá's frame idea):
    draw a sample S (seeded, 10 % of the units, at least ``_FRAME_BASE``, plus the
    extreme units of :func:`dea.models._base.initial_columns`), find its frame ``E_S`` recursively,
    score every unit against ``E_S`` (small LPs), and keep ``E_S`` plus every unit
    scoring at least ``1 - _FRAME_MARGIN`` (or without an optimal LP): a superset of
    ``E``.  If that set grew, it is reduced to its own units with score 1 (same
    technology).  At most ``_FRAME_BASE`` units: ``E`` directly, by scoring them
    against each other.  Returns None when the candidates exceed half the units
    (screening would not pay; the caller prices instead).
    """
    n = Xr.shape[0]
    sample = np.arange(n)
    if n > _FRAME_BASE:
        rng = np.random.default_rng(20261204)
        size = max(_FRAME_BASE, n // 10)
        sample = np.union1d(rng.choice(n, size=size, replace=False), initial_columns(Xr, Yr))
    if sample.size >= n:
        theta = _input_scores(Xr, Yr, Xr, Yr, rts, run)
        return np.flatnonzero(~(theta < 1.0 - _FRAME_MARGIN))
    sub = _frame(Xr[sample], Yr[sample], rts, run)
    if sub is None:
        return None
    e0 = sample[sub]
    theta = _input_scores(Xr, Yr, Xr[e0], Yr[e0], rts, run)
    s1 = np.union1d(e0, np.flatnonzero(~(theta < 1.0 - _FRAME_MARGIN)))
    if s1.size > n // 2:
        return None
    if s1.size == e0.size:
        return e0
    theta1 = _input_scores(Xr[s1], Yr[s1], Xr[s1], Yr[s1], rts, run)
    return s1[~(theta1 < 1.0 - _FRAME_MARGIN)]


# ----------------------------------------------------------------------------------------
# Public model
# ----------------------------------------------------------------------------------------
class Radial:
    r"""Radial DEA model (CCR, BCC, NIRS, NDRS; input, output or graph orientation).

    Parameters
    ----------
    data : DataFrame or None
        One row per unit, index = unit labels.  If None, ``inputs`` and ``outputs`` are
        the data (arrays or DataFrames).
    inputs, outputs : list of column names (or arrays when ``data`` is None)
        Input and output columns (non-negative numbers).
    rts : {"vrs", "crs", "nirs", "ndrs"}, default "vrs"
        Returns to scale: variable (BCC), constant (CCR), non-increasing, non-decreasing.
    orientation : {"input", "output", "graph"}, default "input"
        Radial contraction of inputs, expansion of outputs, or hyperbolic graph measure.
    reference : None, labels, boolean mask or DataFrame, optional
        Units spanning the frontier (default: all units).  Labels or a mask select units
        of ``data``; a DataFrame gives other units with the same columns.  Every unit of
        ``data`` is evaluated against this frontier (scores may exceed 1 for units outside
        it, and VRS LPs may be infeasible).
    super_efficiency : bool, default False
        Andersen-Petersen super-efficiency: each unit is removed from its own reference
        set (matched by label), so efficient units score above 1 (input orientation) and
        VRS LPs may be infeasible.
    two_phase : bool, default True
        Run phase 2 (maximise the slack sum with the radial factor fixed) so that slacks,
        targets and peers are the max-slack solution.  Phase 2 is a hot-started re-solve
        of the same model.  With False, slacks are whatever phase 1 returned.
    slack_sum : {"scaled", "unweighted"}, default "scaled"
        Phase-2 objective.  ``"scaled"``: each slack divided by its column mean, so the
        max-slack solution does not depend on units of measurement.  ``"unweighted"``:
        the textbook plain sum of slacks in the user's units (DEAP, Benchmarking,
        DataEnvelopmentAnalysis.jl); it changes with units when several max-slack
        solutions exist.  Scores never depend on this choice.
    solver : {"highs", "scipy", "pulp"}, default "highs"
        LP backend (:mod:`dea.solvers`).
    n_jobs : int, default 1
        joblib workers (chunks of units per task; results identical for any n_jobs).
    progress : bool, default False
        Progress bar on stderr.
    labels : array_like, optional
        Unit labels when ``data`` is None.
    solver_options : dict, optional
        Passed to the backend (``time_limit``, ``tolerance``).
    screening : {"auto", "pricing", "frame", "none"}, default "auto"
        How the reference units enter each LP.  ``"pricing"``: column generation (a
        working set of lambda columns grown by pricing against all reference units;
        HiGHS).  ``"frame"``: find a frame first, a set of reference units spanning the
        same technology (every unit with score 1 is in it; see Notes), then run the
        same column generation pricing the frame units only, so that pricing costs
        O(frame) instead of O(n) per LP (a super-efficient unit that is itself in the
        frame is priced against every reference unit).  ``"none"``: one full LP per
        unit.  ``"auto"``: ``"pricing"`` with HiGHS above 200 reference units, else
        ``"none"`` (the frame is not chosen automatically yet: at the sizes measured so
        far it was not faster, see ``benchmarks/README.md``).  Scores agree to 1e-9
        whatever the choice (graph orientation: to HiGHS's feasibility tolerance); at
        alternative optima, lambdas, slacks and weights may be other optimal solutions.
        ``result.info`` reports the method used, ``frame_size`` and the seconds spent
        screening and scoring.
    ratio_bounds : mapping (a, b) -> (L, U), optional
        Assurance regions on the multiplier weights, :math:`L \le w_a / w_b \le U`
        (``None`` leaves a side open), ``a`` and ``b`` input or output names: two inputs
        or two outputs give type I, an input and an output type II (Thompson et al.
        1990).  Input and output orientation only.  See Notes.
    weight_bounds : (L, U) or mapping name -> (L, U), optional
        Absolute bounds :math:`L \le w_j \le U` on the weights in user units (under the
        normalisation :math:`v x_k = 1`, or :math:`u y_k = 1` in output orientation).
        A unit left without feasible weights gets status ``"restrictions_infeasible"``.

    Raises
    ------
    InputDataError
        Invalid data (see :func:`dea.data.prepare`) or options; weight restrictions
        naming unknown variables, with negative bounds, lower above upper, contradicting
        each other or forcing every input (or output) weight to zero.

    Warns
    -----
    FewUnitsWarning
        Fewer units than inputs + outputs.
    InfeasibleUnitWarning
        (from :meth:`fit`) some LPs are infeasible/unbounded; those units get NaN scores
        and their status, never dropped.

    Notes
    -----
    Data are divided column-wise by their mean before solving (radial scores are
    invariant to units of measurement); slacks, targets and weights are reported in user
    units.  For unit :math:`k` with inputs :math:`x_k` and outputs :math:`y_k`, reference
    data :math:`X` (m x n) and :math:`Y` (s x n), and :math:`\Lambda` the RTS set
    (CRS: :math:`\lambda \ge 0`; VRS: also :math:`e^\top\lambda = 1`; NIRS:
    :math:`e^\top\lambda \le 1`; NDRS: :math:`e^\top\lambda \ge 1`):

    Input orientation (phase 1)::

        min theta  s.t.  X lambda + s- = theta x_k,  Y lambda - s+ = y_k,
                         lambda in Lambda, s-, s+ >= 0

    ``scores = theta`` in (0, 1].

    Output orientation (phase 1)::

        max phi    s.t.  X lambda + s- = x_k,  Y lambda - s+ = phi y_k,
                         lambda in Lambda, s-, s+ >= 0

    Convention: ``scores = 1 / phi`` in (0, 1] (the Shephard output distance, comparable
    with input scores), and ``result.phi = phi >= 1`` (Farrell output efficiency).

    Graph (hyperbolic) orientation (Färe, Grosskopf & Lovell 1985)::

        min G      s.t.  X lambda + s- = G x_k,  Y lambda - s+ = y_k / G,  lambda in Lambda

    ``scores = G`` in (0, 1].  Under CRS, ``G = sqrt(theta_CRS)``.  In general G* is the
    root of ``f(G) = G`` where ``f(G)`` is the input-oriented score with outputs
    ``y_k / G`` (non-increasing in G); it is found by a safeguarded secant search on
    ``log G`` over these LPs (exact in two LPs under CRS, to 1e-11 relative otherwise).

    Phase 2 (``two_phase=True``) fixes theta/phi/G at its optimum and maximises
    ``sum(s-_i / c_i) + sum(s+_r / c_r)`` where ``c`` are the column scales (column
    means): the slack sum in units of each column's mean, which keeps phase 2 invariant
    to units of measurement.  With ``slack_sum="unweighted"`` it maximises the textbook
    ``sum(s-_i) + sum(s+_r)`` in user units instead (solved as
    ``sum(c_i s-_i) / max(c)`` on the scaled data, the same maximisers).  Targets are
    ``theta x_k - s-`` and ``y_k + s+`` (input),
    ``x_k - s-`` and ``phi y_k + s+`` (output), ``G x_k - s-`` and ``y_k / G + s+``
    (graph).  Peers are reference units with ``lambda > 1e-9``.

    Multipliers (``weights``, ``free``) are the phase-1 duals, in user units.  Input
    orientation: ``max u y_k + free  s.t.  v x_k = 1,  u y_j - v x_j + free <= 0`` (all
    reference j), so ``theta = u y_k + free``.  Output orientation:
    ``min v x_k + free  s.t.  u y_k = 1,  v x_j - u y_j + free >= 0``, so
    ``phi = v x_k + free``.  ``free`` is 0 under CRS, free in sign under VRS, ``<= 0``
    / ``>= 0`` under NIRS/NDRS as implied by the convexity row's dual (it equals
    ``-u0`` of Banker, Charnes & Cooper's input form).  Graph orientation: the weights of
    the input-oriented LP at outputs ``y_k / G*`` (a supporting hyperplane at the
    projection), so ``G* = u y_k / G* + free`` with ``v x_k = 1``.

    Reference set and super-efficiency.  ``X`` and ``Y`` above hold the reference units
    ``R`` (all units by default; ``reference=`` another set, which need not contain the
    evaluated unit, so scores may exceed 1).  With ``super_efficiency=True``
    (Andersen & Petersen 1993) unit ``k`` is left out of its own reference set,
    ``R_k = R minus {k}`` (matched by label), e.g. input orientation::

        min theta  s.t.  sum_{j in R_k} lambda_j x_j + s- = theta x_k,
                         sum_{j in R_k} lambda_j y_j - s+ = y_k,
                         lambda in Lambda (over R_k), s-, s+ >= 0

    and the same change in the output and graph LPs.  Efficient units then score above
    1 (input: ``theta > 1``; output: ``phi < 1``, so ``scores = 1 / phi > 1``); under
    VRS/NIRS/NDRS the LP can be infeasible (status ``"infeasible"``, NaN score,
    :class:`~dea.exceptions.InfeasibleUnitWarning`).

    Weight restrictions.  Each restriction is a row ``g_p (v, u) <= h_p`` of the
    multiplier LP above (``ratio_bounds``: ``w_a - U w_b <= 0`` and ``L w_b - w_a <= 0``,
    ``h = 0``; ``weight_bounds``: ``w_j <= U`` and ``-w_j <= -L``), and one column
    ``pi_p >= 0`` of the envelopment LP, its dual (input orientation)::

        min theta + h' pi  s.t.  X lambda - G_v' pi + s- = theta x_k,
                                 Y lambda + G_u' pi - s+ = y_k,  lambda in Lambda,
                                 theta free

    (output orientation: ``max phi - h' pi`` with ``X lambda - G_v' pi + s- = x_k``,
    ``Y lambda + G_u' pi - s+ = phi y_k``).  The columns are the same for every unit, so
    the hot-started loop and column generation are unchanged.  ``theta`` is free because
    it prices the normalisation ``v x_k = 1``: an unbounded envelopment LP means the
    restricted multiplier LP is infeasible (status ``"restrictions_infeasible"``).  The
    score is the optimal objective (``theta`` itself when ``h = 0``); with absolute
    bounds phase 2 fixes that objective (a row of its own) instead of ``theta``.
    Targets ``theta x_k - s-``, ``y_k + s+`` (output: ``x_k - s-``, ``phi y_k + s+``) lie
    on the frontier of the technology widened by the restrictions.  ``restriction_duals``
    are ``pi_p`` for the restriction written in user weights, and ``restriction_binding``
    marks restrictions met with equality by the unit's weights (1e-9 relative, or
    ``pi_p > 1e-9``).  Rescaling input ``a`` by ``c`` divides ``v_a`` by ``c``: with
    ratio bounds on ``v_a / v_b`` moved to ``(L/c, U/c)`` (on ``v_b / v_a`` or
    ``u_r / v_a`` to ``(cL, cU)``) and absolute bounds on ``v_a`` to ``(L/c, U/c)``,
    scores are unchanged.

    Scores within 1e-9 of 1 are reported as exactly 1 (:data:`dea.results.EFFICIENCY_TOL`).

    Computation.  The LPs go through the package's one solve loop
    (:func:`dea.solvers.solve_family`: chunks, ``n_jobs``, per-unit status) with a
    radial strategy.  With the HiGHS backend one model per chunk is re-solved for each
    unit from the previous basis (hot start); units are solved in an order that puts
    similar input/output mixes together (independent of ``n_jobs``, so results are
    identical for any ``n_jobs``).  Above 200 reference units the LP holds a working set
    of lambda columns, grown by pricing (:class:`dea.solvers.ColumnGeneration`): after
    each solve the reduced costs of *all* reference units are computed from the duals and
    improving columns are appended and the LP re-solved, so every reported solution is
    optimal for the full LP (column generation, exact; no unit is screened out).  Phase 2
    is skipped for a unit when every phase-1 multiplier ``v_i``, ``u_r`` exceeds 1e-8 on
    the scaled data: by complementary slackness all slacks are then zero in every optimal
    solution, so the phase-1 solution already maximises the slack sum (input and output
    orientation only: in graph orientation phase 2 always runs, since the LP at ``G*`` is
    feasible only to the solver's tolerance and its duals prove nothing; if phase 2 is
    infeasible at ``G*`` it is re-solved at ``G*(1 + 1e-7)``, then ``G*(1 + 1e-6)``).
    Other backends solve the full LP for each unit.

    Frame screening (``screening="frame"``) is exact: every extreme point (and extreme
    ray) of the technology is a unit with input score 1, because a unit with score
    ``theta < 1`` is the point ``(theta x, y)`` of the technology plus the disposal
    direction ``((1 - theta) x, 0)``; so the units with score 1 span the technology under
    every RTS, and so does any set containing them.  At an optimum of the LP against such
    a frame, each other unit's reduced cost is bounded by a combination of the frame
    units' (they dominate it), so once no frame column improves, no other column can
    (phase 1 or phase 2): pricing the frame alone certifies the optimum.  The
    frame is found by scoring a seeded sample's frame against all units (a unit below 1
    against a subset is below 1 against all) and reducing the candidates, after
    Khezrimotlagh et al. (2019).

    References
    ----------
    Charnes, A., Cooper, W. W., & Rhodes, E. (1978). Measuring the efficiency of decision
    making units. *European Journal of Operational Research*, 2(6), 429-444.

    Banker, R. D., Charnes, A., & Cooper, W. W. (1984). Some models for estimating
    technical and scale inefficiencies in data envelopment analysis. *Management
    Science*, 30(9), 1078-1092.

    Andersen, P., & Petersen, N. C. (1993). A procedure for ranking efficient units in data
    envelopment analysis. *Management Science*, 39(10), 1261-1264.

    Färe, R., Grosskopf, S., & Lovell, C. A. K. (1985). *The Measurement of Efficiency of
    Production*. Kluwer-Nijhoff.

    Khezrimotlagh, D., Zhu, J., Cook, W. D., & Toloo, M. (2019). Data envelopment
    analysis and big data. *European Journal of Operational Research*, 274(3),
    1047-1054.

    Dulá, J. H. (2011). An algorithm for data envelopment analysis. *INFORMS Journal on
    Computing*, 23(2), 284-296.

    Thompson, R. G., Langemeier, L. N., Lee, C.-T., Lee, E., & Thrall, R. M. (1990). The
    role of multiplier bounds in efficiency analysis with application to Kansas farming.
    *Journal of Econometrics*, 46(1-2), 93-108.

    Allen, R., Athanassopoulos, A., Dyson, R. G., & Thanassoulis, E. (1997). Weights
    restrictions and value judgements in data envelopment analysis: evolution,
    development and future directions. *Annals of Operations Research*, 73, 13-34.

    Examples
    --------
    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 8.0], "y": [1.0, 3.0, 4.0]},
    ...                   index=["A", "B", "C"])
    >>> dea.Radial(df, inputs=["x"], outputs=["y"], rts="crs").fit().scores.round(4).tolist()
    [0.6667, 1.0, 0.6667]

    VRS, output orientation: ``scores = 1 / phi`` and ``phi`` itself, with slacks, targets
    and peers from phase 2:

    >>> res = dea.Radial(df, inputs=["x"], outputs=["y"], rts="vrs", orientation="output").fit()
    >>> res.phi.round(4).tolist()
    [1.0, 1.0, 1.0]
    >>> res.targets.loc["C"].tolist()
    [8.0, 4.0]

    Super-efficiency (CRS, input): B leaves its own frontier and scores above 1:

    >>> sup = dea.Radial(df, inputs=["x"], outputs=["y"], rts="crs", super_efficiency=True)
    >>> sup.fit().scores.round(4).tolist()
    [0.6667, 1.5, 0.6667]

    An assurance region of type II, ``u_y / v_x <= 0.5`` (unrestricted, the optimal
    weights have ``u / v = 4 / 3``, B's ``x / y``): every score falls to ``0.5 y / x`` and
    the restriction binds:

    >>> ar = dea.Radial(df, inputs=["x"], outputs=["y"], rts="crs",
    ...                 ratio_bounds={("y", "x"): (None, 0.5)}).fit()
    >>> ar.scores.round(4).tolist()
    [0.25, 0.375, 0.25]
    >>> ar.restriction_binding["y/x <= 0.5"].tolist()
    [True, True, True]
    """

    def __init__(
        self,
        data: pd.DataFrame | None,
        inputs: Sequence[Hashable] | Any,
        outputs: Sequence[Hashable] | Any,
        *,
        rts: str = "vrs",
        orientation: str = "input",
        reference: Any = None,
        super_efficiency: bool = False,
        two_phase: bool = True,
        slack_sum: str = "scaled",
        solver: str = "highs",
        n_jobs: int = 1,
        progress: bool = False,
        labels: Any = None,
        solver_options: dict[str, Any] | None = None,
        screening: str = "auto",
        weight_bounds: Bounds | None = None,
        ratio_bounds: Mapping[tuple[Hashable, Hashable], tuple[float | None, float | None]]
        | None = None,
    ) -> None:
        self.screening = check_choice("screening", screening, SCREENINGS)
        self.rts = check_choice("rts", rts, RTS_CHOICES)
        self.orientation = check_choice("orientation", orientation, ORIENTATIONS)
        self.super_efficiency = bool(super_efficiency)
        self.two_phase = bool(two_phase)
        self.slack_sum = check_choice("slack_sum", slack_sum, SLACK_SUMS)
        if not isinstance(solver, str):
            raise InputDataError(f"solver={solver!r} is not allowed; give a backend name")
        get_backend(solver)  # fail early on unknown names
        self.solver = solver
        self.n_jobs = check_n_jobs(n_jobs)
        self.progress = bool(progress)
        self.solver_options = dict(solver_options or {})
        self.data: DEAData = prepare(data, inputs, outputs, labels=labels)
        self.reference_data, _ = resolve_reference(reference, self.data, data)
        self.weight_bounds = weight_bounds
        self.ratio_bounds = ratio_bounds
        if weight_bounds is not None or ratio_bounds is not None:
            if self.orientation == "graph":
                raise InputDataError(
                    "weight_bounds / ratio_bounds restrict the multiplier LP of the input or "
                    "output orientation; orientation='graph' has no single multiplier LP. "
                    "Use orientation='input' or 'output'"
                )
            check_restrictions(self.data, weight_bounds, ratio_bounds)

    def __repr__(self) -> str:
        extras = "".join(
            f", {k}={getattr(self, k)!r}"
            for k in ("weight_bounds", "ratio_bounds")
            if getattr(self, k) is not None
        )
        return (
            f"Radial(n={self.data.n}, inputs={list(self.data.inputs)}, "
            f"outputs={list(self.data.outputs)}, rts={self.rts!r}, "
            f"orientation={self.orientation!r}, super_efficiency={self.super_efficiency}"
            f"{extras})"
        )

    def _restrictions(self, sx: np.ndarray, sy: np.ndarray) -> tuple[RestrictionRow, ...]:
        """The weight restrictions as rows on the LP's (scaled) weights."""
        if self.weight_bounds is None and self.ratio_bounds is None:
            return ()
        d = self.data
        return tuple(
            restriction_rows(
                [*d.inputs, *d.outputs],
                np.concatenate([sx, sy]),
                weight_bounds=self.weight_bounds,
                ratio_bounds=self.ratio_bounds,
            )
        )

    def _method(self) -> str:
        """The reference-set method ``fit`` uses: "frame", "pricing" or "none"."""
        if self.screening != "auto":
            return self.screening
        r = self.reference_data
        if self.solver != "highs":
            return "none"
        if _FRAME_MIN_UNITS is not None and r.n >= _FRAME_MIN_UNITS and r.m + r.s <= _FRAME_MAX_DIM:
            return "frame"
        return "pricing" if r.n > _CG_MIN_UNITS else "none"

    def _spec(self, method: str | None = None) -> tuple[_RadialSpec, np.ndarray, np.ndarray]:
        d, r = self.data, self.reference_data
        sx, sy, Xe, Ye, Xr, Yr, exclude = scaled_arrays(d, r, self.super_efficiency)
        restrictions = self._restrictions(sx, sy)
        problem = _build_problem(Xr, Yr, self.rts, self.orientation, restrictions)
        method = self._method() if method is None else method
        cg = method != "none"
        spec = _RadialSpec(
            problem=problem,
            Xr=Xr,
            Yr=Yr,
            Xe=Xe,
            Ye=Ye,
            rts=self.rts,
            orientation=self.orientation,
            exclude=exclude,
            two_phase=self.two_phase,
            slack_cost=slack_weights(self.slack_sum, sx, sy),
            column_generation=cg,
            initial_columns=initial_columns(Xr, Yr) if cg else np.arange(r.n),
            restrictions=restrictions,
            objective_row=problem.n_rows - 1 if "objective" in (problem.row_names or ()) else -1,
        )
        return spec, sx, sy

    def _unit_position(self, unit: Hashable) -> int:
        """Row position of an evaluated unit given by the user's label.

        Part of the export hook (with :meth:`_lp_family`) used by :func:`dea.export_lp`.

        Raises
        ------
        InputDataError
            If the label is not an evaluated unit or names several.
        """
        return unit_position(self.data.labels, unit)

    def _lp_family(self) -> LPFamily:
        """The LPs this model solves, one per evaluated unit, in user units and names.

        The stable hook (with :meth:`_unit_position`) that :func:`dea.export_lp` uses:
        ``family.problem`` is the full envelopment LP against every reference unit with
        variables ``lambda_<reference unit>``, ``theta``/``phi``, ``s_minus_<input>``,
        ``s_plus_<output>`` and rows ``input_<input>``, ``output_<output>``,
        ``convexity``; ``family.unit_update(k)`` gives unit ``k``'s phase-1 LP and
        ``family.second_stage(k, first)`` its phase-2 LP (None with ``two_phase=False``).
        The engine solves the same LPs on scaled data (see Notes of :class:`Radial`).

        Raises
        ------
        InputDataError
            For ``orientation="graph"``, which solves a sequence of LPs per unit.
        """
        if self.orientation == "graph":
            raise InputDataError(
                "orientation='graph' solves a sequence of LPs per unit and cannot be "
                "exported as one; export orientation='input' or 'output'"
            )
        spec, sx, sy = self._spec()
        d, r = self.data, self.reference_data
        names = {
            "cols": (
                *(f"lambda_{lab}" for lab in r.labels),
                "phi" if self.orientation == "output" else "theta",
                *(f"s_minus_{c}" for c in d.inputs),
                *(f"s_plus_{c}" for c in d.outputs),
                *(f"restriction_{row.label}" for row in spec.restrictions),
            ),
            "rows": (
                *(f"input_{c}" for c in d.inputs),
                *(f"output_{c}" for c in d.outputs),
                *(["convexity"] if self.rts != "crs" else []),
                *(["objective"] if spec.objective_row >= 0 else []),
            ),
        }
        return _UserUnitsFamily(spec, sx, sy, names)

    def fit(self) -> DEAResult:
        """Solve one LP (two with phase 2) per unit and return the result.

        Returns
        -------
        DEAResult
            Scores, lambdas, peers, slacks, targets, weights, status (see
            :class:`dea.results.DEAResult`).

        Raises
        ------
        SolverError
            If the backend cannot be used at all.

        Warns
        -----
        InfeasibleUnitWarning
            If some units' LPs are not optimal (NaN scores, status kept).
        """
        method = self._method()
        spec, sx, sy = self._spec(method)
        order = solve_order(spec.Xe, spec.Ye)
        options = dict(self.solver_options)
        if self.solver == "highs":
            options.setdefault("col_duals", False)
        screen: dict[str, Any] = {"screening": method}
        if method == "frame":
            t0 = time.perf_counter()
            run = {"solver": self.solver, "n_jobs": self.n_jobs, "options": options}
            frame = _frame(spec.Xr, spec.Yr, self.rts, run)
            screen["screening_seconds"] = time.perf_counter() - t0
            if frame is None:  # the frame would hold most units: price instead
                screen["screening"] = "pricing"
            else:
                screen["frame_size"] = int(frame.size)
                spec = replace(spec, frame=frame)
        t0 = time.perf_counter()
        batch = solve_family(
            _RadialFamily(spec),
            order,
            solver=self.solver,
            n_jobs=self.n_jobs,
            progress=self.progress,
            options=options,
            strategy=_RadialStrategy(spec),
        )
        screen["scoring_seconds"] = time.perf_counter() - t0
        res = _in_unit_order(batch, spec, order)
        return _radial_result(self, res, spec, sx, sy, screen)


def _in_unit_order(batch: LPBatchResult, spec: _RadialSpec, order: np.ndarray) -> dict[str, Any]:
    """The batch (solved in ``order``) in unit order, split into the radial quantities."""
    n = order.size
    if batch.units.size != n:  # pragma: no cover - internal consistency
        raise RuntimeError("radial: batch results do not cover all units")
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.arange(n)
    X = batch.x[inv]
    n_ref = spec.n_ref
    lam = X[:, :n_ref].tocsr()
    lam.sort_indices()
    r0 = spec.restriction_col
    return {
        "value": batch.objective[inv],
        "status": batch.status[inv],
        "status2": batch.status2[inv],
        "slacks": X[:, n_ref + 1 : r0].toarray(),
        "factor": X[:, n_ref].toarray().ravel(),
        "restriction": X[:, r0:].toarray(),
        "duals": batch.row_duals[inv],
        "lam": lam,
    }


def _radial_result(
    model: Radial,
    res: dict[str, Any],
    spec: _RadialSpec,
    sx: np.ndarray,
    sy: np.ndarray,
    screen: dict[str, Any],
) -> DEAResult:
    d, r = model.data, model.reference_data
    m, s = d.m, d.s
    status = res["status"]
    restricted = bool(spec.restrictions)
    if restricted:
        # the envelopment LP is unbounded exactly when the restricted multiplier LP has
        # no feasible weights
        status = np.where(status == "unbounded", "restrictions_infeasible", status)
    ok = status == "optimal"
    value = np.where(ok, res["value"], np.nan)
    if model.orientation == "output":
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = snap_scores(1.0 / value)
    else:
        scores = snap_scores(value)
    lam = res["lam"]
    # slacks and targets in user units
    scale = np.concatenate([sx, sy])
    slack = np.maximum(res["slacks"], 0.0) * scale + 0.0  # clip solver noise, no -0.0
    slack[~ok] = np.nan
    factor = value[:, None]
    if spec.objective_row >= 0:  # absolute bounds: the envelopment's own radial factor
        factor = np.where(ok, res["factor"], np.nan)[:, None]
    if model.orientation == "input":
        tx = factor * d.X - slack[:, :m]
        ty = d.Y + slack[:, m:]
    elif model.orientation == "output":
        tx = d.X - slack[:, :m]
        ty = factor * d.Y + slack[:, m:]
    else:
        tx = factor * d.X - slack[:, :m]
        with np.errstate(divide="ignore", invalid="ignore"):
            ty = d.Y / factor + slack[:, m:]
    targets = np.hstack([tx, ty])
    # multipliers
    du = res["duals"]
    if model.orientation == "output":
        v = du[:, :m] / sx
        u = -du[:, m : m + s] / sy
    else:
        v = -du[:, :m] / sx
        u = du[:, m : m + s] / sy
    free = du[:, m + s] if model.rts != "crs" else np.where(ok, 0.0, np.nan)
    weights = np.hstack([v, u])
    virtual = weights * np.hstack([d.X, d.Y])
    status2 = res["status2"]
    n_p2_fail = int((~np.isin(status2, ["optimal", "", "skipped"]) & ok).sum())
    if n_p2_fail:
        logger.warning(
            "phase 2 (max slacks) was not optimal for %d unit(s); their slacks come from phase 1",
            n_p2_fail,
        )
    restriction_values = _restriction_values(spec, res, ok) if restricted else {}
    bad_res = status == "restrictions_infeasible"
    if bad_res.any():
        warnings.warn(
            f"the weight restrictions {format_labels([row.label for row in spec.restrictions])}"
            f" leave no feasible multiplier weights for units {format_labels(d.labels[bad_res])}"
            " (e.g. a lower weight bound above 1 / the unit's input); their scores are NaN "
            "(status 'restrictions_infeasible')",
            InfeasibleUnitWarning,
            stacklevel=4,
        )
    warn_not_optimal(d.labels, np.where(bad_res, "optimal", status), stacklevel=4)
    info = {
        "model": "Radial",
        "rts": model.rts,
        "orientation": model.orientation,
        "super_efficiency": model.super_efficiency,
        "two_phase": model.two_phase,
        "slack_sum": model.slack_sum,
        "solver": model.solver,
        **({"restrictions": len(spec.restrictions)} if restricted else {}),
        "phase2_status": status2,
        **screen,
    }
    return DEAResult(
        labels=d.labels,
        reference_labels=r.labels,
        inputs=d.inputs,
        outputs=d.outputs,
        score_values=scores,
        objective_values=value,
        status_values=status.astype(object),
        lambda_matrix=lam,
        slack_values=slack,
        target_values=targets,
        weight_values=weights,
        free_values=free,
        virtual_values=virtual,
        slack_tolerance=SLACK_TOL * scale if model.two_phase else None,
        info=info,
        **restriction_values,
    )


def _restriction_values(spec: _RadialSpec, res: dict[str, Any], ok: np.ndarray) -> dict[str, Any]:
    """Dual value and binding flag of every restriction per unit (:func:`restriction_report`)."""
    m, s = spec.m, spec.s
    du = res["duals"]
    sign = 1.0 if spec.orientation == "output" else -1.0
    ws = np.hstack([sign * du[:, :m], -sign * du[:, m : m + s]])  # scaled (v, u)
    return restriction_report(spec.restrictions, ws, res["restriction"], ok)


# ----------------------------------------------------------------------------------------
# Scale efficiency
# ----------------------------------------------------------------------------------------
def scale_efficiency(
    data: pd.DataFrame | None,
    inputs: Sequence[Hashable] | Any,
    outputs: Sequence[Hashable] | Any,
    *,
    orientation: str = "input",
    reference: Any = None,
    solver: str = "highs",
    n_jobs: int = 1,
    labels: Any = None,
    solver_options: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Scale efficiency and returns-to-scale class per unit.

    Parameters
    ----------
    data, inputs, outputs, reference, solver, n_jobs, labels, solver_options
        As for :class:`Radial`.
    orientation : {"input", "output"}, default "input"
        Orientation of the three radial models.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit label, columns ``crs``, ``vrs``, ``nirs`` (scores as in
        :class:`Radial`, in (0, 1]), ``scale_efficiency`` (``crs / vrs``) and ``rts``
        (``"constant"``, ``"increasing"``, ``"decreasing"``; ``"unknown"`` if an LP failed).

    Raises
    ------
    InputDataError
        Invalid data or options.

    Notes
    -----
    ``SE = score_CRS / score_VRS`` (Banker, Charnes & Cooper 1984).  A unit with
    ``|SE - 1| <= 1e-9`` operates at constant returns to scale.  Otherwise the
    non-increasing-returns model decides (Färe, Grosskopf & Lovell 1985): if
    ``score_NIRS == score_CRS`` (within 1e-9) the unit is below optimal scale
    (increasing returns), else (``score_NIRS == score_VRS``) above it (decreasing returns).
    The classification refers to the unit's radial projection in the chosen orientation.

    The three scores are the phase-1 optima of :class:`Radial` with ``rts="crs"``,
    ``"vrs"`` and ``"nirs"``; input orientation::

        theta_RTS = min theta  s.t.  X lambda <= theta x_k,  Y lambda >= y_k,  lambda >= 0,
                    plus  e'lambda = 1 (VRS)  or  e'lambda <= 1 (NIRS),  none (CRS)

    (output orientation: ``max phi`` with ``X lambda <= x_k``, ``Y lambda >= phi y_k``,
    scores ``1 / phi``), so ``score_CRS <= score_NIRS <= score_VRS`` and
    ``SE`` is in (0, 1].

    References
    ----------
    Banker, R. D., Charnes, A., & Cooper, W. W. (1984). Some models for estimating
    technical and scale inefficiencies in data envelopment analysis. *Management
    Science*, 30(9), 1078-1092.

    Färe, R., Grosskopf, S., & Lovell, C. A. K. (1985). *The Measurement of Efficiency
    of Production*. Kluwer-Nijhoff.

    Examples
    --------
    One input, one output; A is too small (increasing returns), C too large:

    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 8.0], "y": [1.0, 3.0, 4.0]},
    ...                   index=["A", "B", "C"])
    >>> se = dea.scale_efficiency(df, inputs=["x"], outputs=["y"])
    >>> se["scale_efficiency"].round(4).tolist()
    [0.6667, 1.0, 0.6667]
    >>> se["rts"].tolist()
    ['increasing', 'constant', 'decreasing']
    """
    orientation = check_choice("orientation", orientation, ("input", "output"))
    scores = {}
    common = {
        "orientation": orientation,
        "reference": reference,
        "two_phase": False,
        "solver": solver,
        "n_jobs": n_jobs,
        "labels": labels,
        "solver_options": solver_options,
    }
    for rts in ("crs", "vrs", "nirs"):
        scores[rts] = Radial(data, inputs, outputs, rts=rts, **common).fit().scores
    out = pd.DataFrame(scores)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = out["crs"] / out["vrs"]
    se = se.where((se - 1.0).abs() > EFFICIENCY_TOL, 1.0)
    out["scale_efficiency"] = se
    rts_class = np.where(
        se == 1.0,
        "constant",
        np.where((out["nirs"] - out["crs"]).abs() <= EFFICIENCY_TOL, "increasing", "decreasing"),
    )
    rts_class = np.where(out[["crs", "vrs", "nirs"]].isna().any(axis=1), "unknown", rts_class)
    out["rts"] = pd.Series(rts_class, index=out.index, dtype=object)
    return out
