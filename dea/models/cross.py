"""Cross-efficiency: every unit rated with every other unit's optimal DEA weights.

Each unit (the *rater*) solves its own CCR (or BCC, NIRS, NDRS) multiplier LP; the weights
it finds are then applied to every unit (the *rated*), giving the n x n cross-efficiency
matrix of Sexton, Silkman & Hogan (1986) and Doyle & Green (1994).  Since a unit's optimal
weights are seldom unique, an optional secondary goal picks, among the rater's optimal
weights, those that make the other units look worst ("aggressive") or best
("benevolent").  The LPs are built once and solved through
:func:`dea.solvers.base.solve_family` (one call for the raters' own LPs, one for the
secondary goals), so every backend and ``n_jobs`` work.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dea.data import DEAData, prepare
from dea.exceptions import InfeasibleUnitWarning, InputDataError, format_labels
from dea.models._base import (
    ORIENTATIONS,
    RTS_CHOICES,
    check_choice,
    check_n_jobs,
    column_scales,
    snap_scores,
)
from dea.models.radial import Radial
from dea.results import _quantile_table, _SummaryDisplay
from dea.solvers.base import LPFamily, LPProblem, LPUpdate, solve_family

__all__ = ["MAX_UNITS", "CrossEfficiency", "CrossEfficiencyResult"]

#: Largest number of units fitted without ``allow_large=True`` (the n x n matrix of
#: float64 takes ``8 n**2`` bytes: 200 MB at n = 5,000).
MAX_UNITS = 5000

GOALS = ("simple", "aggressive", "benevolent")
METHODS = ("ratio", "difference")
_BLOCK = 1024  # raters per block when the matrix is assembled
_SCREEN_MIN_UNITS = 200  # screen the frame (``screen=None``) from this many units
_FRAME_TOL = 1e-6  # units scoring above 1 - _FRAME_TOL are kept in the frame
_CORRECTED_ZERO = 1e-9  # correction: adjusted input below this x its terms counts as 0
_VIOLATION_TOL = 1e-7  # relative violation of an omitted constraint that forces a re-solve


def _violates(W: np.ndarray, N: np.ndarray, D: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Per row of ``W``: does some unit of ``rest`` have ``N_j(w) - D_j(w)`` above
    ``_VIOLATION_TOL`` times ``(|N_j| + |D_j|) |w|``?  Assessed in blocks of rows."""
    out = np.zeros(W.shape[0], dtype=bool)
    if rest.size == 0:
        return out
    G = (N - D)[rest].T
    scale = (np.abs(N) + np.abs(D))[rest].T
    for start in range(0, W.shape[0], _BLOCK):
        Wb = np.nan_to_num(W[start : start + _BLOCK])
        gap = Wb @ G - _VIOLATION_TOL * (np.abs(Wb) @ scale) - 1e-13
        out[start : start + _BLOCK] = (gap > 0).any(axis=1)
    return out


# ----------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class CrossEfficiencyResult(_SummaryDisplay):
    """Result of :meth:`CrossEfficiency.fit`.

    Attributes
    ----------
    matrix : pandas.DataFrame
        The cross-efficiency matrix ``E``, ``n x n``: **rows are the rating units** (whose
        weights are used), **columns the rated units**; ``E.loc[d, j]`` is unit ``j``'s
        efficiency with unit ``d``'s weights.  The diagonal holds each unit's own score.
        A rater whose LP failed has a row of NaN.
    scores : pandas.Series
        Own (self-appraisal) score per unit: the CCR (or BCC, ...) multiplier score,
        equal to :class:`dea.Radial`'s score with the same ``rts`` and ``orientation``.
    mean : pandas.Series
        Mean cross-efficiency per rated unit *with* self-appraisal (column means of
        ``matrix`` over all raters).
    mean_peer : pandas.Series
        Mean cross-efficiency per rated unit *without* self-appraisal (column means over
        the other ``n - 1`` raters): Doyle & Green's peer appraisal ``e_k``.
    maverick : pandas.Series
        Doyle & Green's maverick index ``(score - mean_peer) / mean_peer``: how much a
        unit's self-appraisal exceeds its appraisal by its peers.
    rater_mean : pandas.Series
        Mean of each row without the diagonal: how generous a rater's weights are to the
        other units.
    secondary_objective : pandas.Series
        Per rater, the criterion that the secondary goal optimises, evaluated at the
        rater's final weights (for every goal, so that goals can be compared): with
        ``method="ratio"`` the aggregate peer efficiency ``sum_{j != d} N_j / sum_{j != d}
        D_j``; with ``method="difference"`` the sum ``sum_{j != d} (N_j - D_j)`` with the
        rater's weights normalised as in its own LP.  Aggressive weights minimise it,
        benevolent ones maximise it, over the rater's optimal weights.
    weights : pandas.DataFrame
        The rater's final weights in user units, one column per input and output (named
        as the user's columns) and, for ``rts != "crs"``, the free variable (``"u0"`` in
        input orientation, ``"v0"`` in output orientation); normalised so that the
        rater's own virtual input is 1 (input orientation) or its own virtual output is 1
        (output orientation).
    status : pandas.Series
        Status of each rater's first-stage (own-score) LP.
    status_secondary : pandas.Series
        Status of each rater's secondary-goal LP (``""`` for ``goal="simple"`` or when the
        first stage failed).
    goal, method, rts, orientation : str
        The settings used.
    correction : bool
        Whether Lim & Zhu's (2015) VRS correction was applied (see
        :class:`CrossEfficiency`).

    Examples
    --------
    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [1.0, 1.0, 1.0], "y1": [2.0, 1.0, 0.5], "y2": [0.5, 1.0, 2.0]},
    ...                   index=["A", "B", "C"])
    >>> res = dea.CrossEfficiency(df, ["x"], ["y1", "y2"], goal="aggressive").fit()
    >>> res.matrix.loc["B"].round(4).tolist()
    [1.0, 0.8, 1.0]
    >>> res.mean_peer.round(4).tolist()
    [0.625, 0.5, 0.625]
    """

    matrix: pd.DataFrame
    scores: pd.Series
    mean: pd.Series
    mean_peer: pd.Series
    maverick: pd.Series
    rater_mean: pd.Series
    secondary_objective: pd.Series
    weights: pd.DataFrame
    status: pd.Series
    status_secondary: pd.Series
    goal: str
    method: str
    rts: str
    orientation: str
    correction: bool = False

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: score, mean (with/without self-appraisal), maverick, rater
        mean, secondary objective and statuses.

        Returns
        -------
        pandas.DataFrame
        """
        return pd.DataFrame(
            {
                "score": self.scores,
                "mean": self.mean,
                "mean_peer": self.mean_peer,
                "maverick": self.maverick,
                "rater_mean": self.rater_mean,
                "secondary_objective": self.secondary_objective,
                "status": self.status,
                "status_secondary": self.status_secondary,
            }
        )

    def summary(self) -> dict[str, Any]:
        """Key facts as a dict; drives both ``__repr__`` and ``_repr_html_``.

        Returns
        -------
        dict
            ``title``, ``rows`` (settings, counts, mean scores) and ``table`` (quantiles
            of the mean peer cross-efficiency).
        """
        own = self.scores.to_numpy(dtype=float)
        peer = self.mean_peer.to_numpy(dtype=float)
        bad = int((self.status != "optimal").sum()) + int(
            ((self.status_secondary != "optimal") & (self.status_secondary != "")).sum()
        )
        rows: list[tuple[str, Any]] = [
            ("units", len(own)),
            ("rts / orientation", f"{self.rts} / {self.orientation}"),
            *([("correction", "Lim & Zhu (2015)")] if self.correction else []),
            (
                "secondary goal",
                self.goal if self.goal == "simple" else f"{self.goal} ({self.method})",
            ),
            ("own score = 1", int(np.isclose(own, 1.0, atol=1e-9, rtol=0).sum())),
            ("mean own score", float(np.nanmean(own)) if np.isfinite(own).any() else np.nan),
            (
                "mean peer cross-efficiency",
                float(np.nanmean(peer)) if np.isfinite(peer).any() else np.nan,
            ),
            ("LPs not optimal", bad),
        ]
        table = _quantile_table(peer).rename(columns={"score": "mean_peer"})
        return {"title": "Cross-efficiency result", "rows": rows, "table": table}


# ----------------------------------------------------------------------------------------
# LP families
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Pieces:
    """One rater's LP in the multiplier form ``opt cost @ w`` s.t. ``G w <= 0``,
    ``norm @ w = norm_rhs``, ``link @ w = link_rhs`` (no link row when ``link`` is None)."""

    cost: np.ndarray
    sense: str
    norm: np.ndarray
    norm_rhs: float
    link: np.ndarray | None
    link_rhs: float


class _CrossSpec:
    """Picklable description of the raters' LPs on scaled data (both stages).

    Weights ``w = (v, u[, w0])``: ``v`` on the m inputs, ``u`` on the s outputs and, for
    ``rts != "crs"``, one variable ``w0`` added to the numerator (input orientation) or the
    denominator (output orientation).  ``N`` and ``D`` hold, per unit, the coefficient
    rows of its virtual output ``N_j(w)`` and virtual input ``D_j(w)``.
    """

    def __init__(
        self,
        N: np.ndarray,
        D: np.ndarray,
        orientation: str,
        goal: str,
        method: str,
        w0_bounds: tuple[float, float] | None,
        measure: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.N, self.D = N, D
        self.n, self.k = N.shape
        self.orientation, self.goal, self.method = orientation, goal, method
        # the rows the peers' efficiency is measured with (Lim & Zhu: corrected ones)
        self.Nm, self.Dm = (N, D) if measure is None else measure
        self.sum_N, self.sum_D = self.Nm.sum(axis=0), self.Dm.sum(axis=0)
        lo, hi = np.zeros(self.k), np.full(self.k, np.inf)
        if w0_bounds is not None:
            lo[-1], hi[-1] = w0_bounds
        self.col_lower, self.col_upper = lo, hi

    def first(self, d: int) -> _Pieces:
        """Own score: max N_d s.t. D_d = 1 (input), or min D_d s.t. N_d = 1 (output)."""
        if self.orientation == "input":
            return _Pieces(self.N[d], "max", self.D[d], 1.0, None, 0.0)
        return _Pieces(self.D[d], "min", self.N[d], 1.0, None, 0.0)

    def second(self, d: int, objective: float) -> _Pieces:
        """Secondary goal given the rater's own optimum (theta, or phi in output)."""
        theta = objective if self.orientation == "input" else 1.0 / objective
        Nd, Dd = self.N[d], self.D[d]
        peer_N, peer_D = self.sum_N - self.Nm[d], self.sum_D - self.Dm[d]
        low = self.goal == "aggressive"  # make the peers' efficiency as low as possible
        if self.method == "ratio":
            # The sum is normalised to n - 1 rather than 1 (the same LP up to scale): the
            # weights stay of order one, where the solvers' absolute tolerances apply.
            link, total = Nd - theta * Dd, float(self.n - 1)
            if self.orientation == "input":  # sum D = n - 1, optimise sum N
                return _Pieces(peer_N, "min" if low else "max", peer_D, total, link, 0.0)
            # output: sum N = n - 1, optimise sum D (a large denominator = a low efficiency)
            return _Pieces(peer_D, "max" if low else "min", peer_N, total, link, 0.0)
        sense = "min" if low else "max"
        if self.orientation == "input":  # D_d = 1, N_d = theta
            return _Pieces(peer_N - peer_D, sense, Dd, 1.0, Nd, objective)
        return _Pieces(peer_N - peer_D, sense, Nd, 1.0, Dd, objective)  # N_d = 1, D_d = phi


class _CrossFamily(LPFamily):
    """What both LP forms share: the frame's rows ``N - D`` and each rater's pieces."""

    spec: _CrossSpec
    stage: int
    objective: np.ndarray | None
    n_frame: int

    def _start(
        self, spec: _CrossSpec, stage: int, objective: np.ndarray | None, frame: np.ndarray
    ) -> np.ndarray:
        """Store the stage's settings; return ``N - D`` on the frame units' rows."""
        self.spec, self.stage, self.objective = spec, stage, objective
        self.n_frame = frame.size
        return (spec.N - spec.D)[frame]

    def _pieces(self, k: int) -> _Pieces:
        """Rater ``k``'s objective, normalisation and link in this stage."""
        if self.stage == 1:
            return self.spec.first(k)
        return self.spec.second(k, float(self.objective[k]))


class _MultiplierFamily(_CrossFamily):
    """The multiplier LPs as written: rows ``0..n-1`` are ``N_j - D_j <= 0``, row ``n`` the
    normalisation and row ``n + 1`` the link of the secondary goal (free in stage 1)."""

    def __init__(
        self, spec: _CrossSpec, stage: int, objective: np.ndarray | None, frame: np.ndarray
    ) -> None:
        G = self._start(spec, stage, objective, frame)
        n, k = frame.size, spec.k
        A = sp.vstack([sp.csr_matrix(G), sp.csr_matrix((2, k))]).tocsc()
        problem = LPProblem(
            A=A,
            row_lower=np.concatenate([np.full(n, -np.inf), [1.0, -np.inf]]),
            row_upper=np.concatenate([np.zeros(n), [1.0, np.inf]]),
            col_lower=spec.col_lower,
            col_upper=spec.col_upper,
            cost=np.zeros(k),
            sense="max",
            col_names=tuple(f"w_{i}" for i in range(k)),
            row_names=(*(f"unit_{j}" for j in frame), "norm", "link"),
            name="cross_efficiency",
        )
        super().__init__(problem, spec.n)

    def unit_update(self, k: int) -> LPUpdate:
        spec, p = self.spec, self._pieces(k)
        n, cols = self.n_frame, np.arange(spec.k)
        link = np.zeros(spec.k) if p.link is None else p.link
        link_bounds = (-np.inf, np.inf) if p.link is None else (p.link_rhs, p.link_rhs)
        return LPUpdate(
            coeff_rows=np.concatenate([np.full(spec.k, n), np.full(spec.k, n + 1)]),
            coeff_cols=np.concatenate([cols, cols]),
            coeff_values=np.concatenate([p.norm, link]),
            row_index=[n, n + 1],
            row_lower=[p.norm_rhs, link_bounds[0]],
            row_upper=[p.norm_rhs, link_bounds[1]],
            cost_index=cols,
            cost_values=p.cost,
            sense=p.sense,
        )


class _DualFamily(_CrossFamily):
    """The LP dual of each multiplier LP: one row per weight, one column per unit.

    A minimisation is first written as the maximisation of ``c' = -cost``; the dual of
    ``max c' w  s.t.  G w <= 0,  H w = r,  w`` in its bounds is::

        min  r @ gamma   s.t.  G^T lam + H^T gamma  (>= | = | <=)  c'   (per weight),
                               lam >= 0, gamma free,

    with ``>=`` for a weight ``>= 0``, ``=`` for a free one and ``<=`` for one ``<= 0``.
    ``G^T`` (the units) is shared by all raters; per rater only the two ``gamma`` columns,
    their costs and the row bounds change, so few rows (``m + s (+ 1)``) and hot starts
    make each solve cheap.  The weights are the row duals, ``w = d objective / d c'``.
    """

    def __init__(
        self, spec: _CrossSpec, stage: int, objective: np.ndarray | None, frame: np.ndarray
    ) -> None:
        G = self._start(spec, stage, objective, frame)
        n, k = frame.size, spec.k
        A = sp.hstack([sp.csc_matrix(G.T), sp.csc_matrix((k, 2))]).tocsc()
        problem = LPProblem(
            A=A,
            row_lower=np.zeros(k),
            row_upper=np.full(k, np.inf),
            col_lower=np.concatenate([np.zeros(n), [-np.inf, -np.inf]]),
            col_upper=np.full(n + 2, np.inf),
            cost=np.zeros(n + 2),
            sense="min",
            col_names=(*(f"lambda_{j}" for j in frame), "gamma_norm", "gamma_link"),
            row_names=tuple(f"w_{i}" for i in range(k)),
            name="cross_efficiency_dual",
        )
        self._free = (spec.col_lower == -np.inf) & (spec.col_upper == np.inf)
        self._nonpos = (spec.col_lower == -np.inf) & (spec.col_upper == 0.0)
        super().__init__(problem, spec.n)

    def unit_update(self, k: int) -> LPUpdate:
        spec, p = self.spec, self._pieces(k)
        c = p.cost if p.sense == "max" else -p.cost
        lo = np.where(self._nonpos, -np.inf, c)
        hi = np.where(self._free | self._nonpos, c, np.inf)
        n, rows = self.n_frame, np.arange(spec.k)
        has_link = p.link is not None
        link = p.link if has_link else np.zeros(spec.k)
        return LPUpdate(
            coeff_rows=np.concatenate([rows, rows]),
            coeff_cols=np.concatenate([np.full(spec.k, n), np.full(spec.k, n + 1)]),
            coeff_values=np.concatenate([p.norm, link]),
            row_index=rows,
            row_lower=lo,
            row_upper=hi,
            col_index=[n + 1],
            col_lower=[-np.inf if has_link else 0.0],
            col_upper=[np.inf if has_link else 0.0],
            cost_index=[n, n + 1],
            cost_values=[p.norm_rhs, p.link_rhs if has_link else 0.0],
        )


_DUAL_STATUS = {"unbounded": "infeasible", "infeasible": "unbounded"}


# ----------------------------------------------------------------------------------------
# model
# ----------------------------------------------------------------------------------------
class CrossEfficiency:
    r"""Cross-efficiency DEA (Sexton et al. 1986; Doyle & Green 1994).

    Parameters
    ----------
    data : DataFrame or None
        One row per unit, index = unit labels.  If None, ``inputs`` and ``outputs`` are
        the data (arrays or DataFrames).
    inputs, outputs : list of column names (or arrays when ``data`` is None)
        Input and output columns (non-negative numbers, see :func:`dea.prepare`).
    rts : {"crs", "vrs", "nirs", "ndrs"}, default "crs"
        Returns to scale of the raters' multiplier LPs (CCR by default).
    orientation : {"input", "output"}, default "input"
        Which multiplier form the raters solve.  Under CRS both give the same optimal
        weight sets (up to scale), hence the same scores and secondary-goal matrices.
    goal : {"simple", "aggressive", "benevolent"}, default "simple"
        Secondary goal.  ``"simple"``: each rater's weights are the optimal solution the
        backend returns for its own LP (with ``form="dual"``, the row duals of the dual
        LP; HiGHS hot-starts from the previous rater's basis).  Such weights are often
        not unique at efficient units, so the matrix can depend on the backend, on
        ``form`` and on the order of the units (a secondary goal narrows the choice).
        ``"aggressive"`` / ``"benevolent"``: among the rater's optimal weights,
        those that minimise / maximise the other units' efficiency as measured by
        ``method``.  The secondary criterion's value is unique, but with tied data its
        optimal weights can still be several, so a row of the matrix can then depend on
        the order of the units too.
    method : {"ratio", "difference"}, default "ratio"
        How the secondary goal measures the other units' efficiency (see Notes):
        ``"ratio"``, the aggregate efficiency of all other units (Doyle & Green's
        aggressive/benevolent formulation; deaR's "Method III");
        ``"difference"``, the sum of the other units' virtual output minus virtual
        input (deaR's "Method II").
    form : {"auto", "dual", "multiplier"}, default "auto"
        Which LP is handed to the backend: the multiplier LPs of the Notes as written
        (``n`` rows), or their LP duals (one row per weight, one column per unit; the
        weights are the row duals), which hot-start far faster.  ``"auto"``: the dual
        with HiGHS, the multiplier form with the other backends.  Scores and, with a
        secondary goal, the matrix agree between forms; ``goal="simple"`` weights are
        the vertex each form happens to return.
    correction : bool, default False
        Lim & Zhu's (2015) VRS cross-efficiency for input orientation (rts "vrs", "nirs"
        or "ndrs"): rater d rates unit j by ``u_d y_j / (v_d x_j - u0_d)`` instead of
        ``(u_d y_j + u0_d) / (v_d x_j)``, which lies in [0, 1] for every rater (see
        Notes); with ``method="ratio"`` the secondary goal measures the peers the same
        way.  No effect under CRS (there is no ``u0``).  Not allowed with output
        orientation, whose cross-efficiencies are never negative.
    screen : bool or None, default None
        Keep in the LPs only the constraints of the units on the frontier (own score 1,
        found by :class:`dea.Radial` with the same ``rts`` and ``orientation``); the
        others cannot bind (see Notes), so the results are those of the full LPs, at a
        fraction of the cost.  Every rater's weights are checked against all units
        afterwards and any rater violating an omitted constraint (numerically) is re-solved
        with all of them.  None: screen from 200 units on.
    solver : {"highs", "scipy", "pulp"}, default "highs"
        LP backend (:mod:`dea.solvers`).
    n_jobs : int, default 1
        joblib workers (chunks of raters per task; results identical for any n_jobs).
    progress : bool, default False
        Progress bar on stderr.
    labels : array_like, optional
        Unit labels when ``data`` is None.
    solver_options : dict, optional
        Passed to the backend (``time_limit``, ``tolerance``).
    allow_large : bool, default False
        The result holds the ``n x n`` matrix of float64 (``8 n**2`` bytes: 8 MB at
        n = 1,000, 200 MB at n = 5,000, 800 MB at n = 10,000; assembling it takes about
        three blocks of 1,024 rows more), and fitting solves ``n`` (or ``2n``) LPs with up to
        ``n`` constraints each.  Above :data:`MAX_UNITS` (5,000) units the model refuses unless
        ``allow_large=True``.

    Raises
    ------
    InputDataError
        Invalid data (see :func:`dea.data.prepare`) or options; fewer than 3 units; more
        than :data:`MAX_UNITS` units without ``allow_large=True``.

    Warns
    -----
    InfeasibleUnitWarning
        Some rater's LP (own score or secondary goal) was not solved to optimality: its
        row of the matrix is NaN (and its own score too, if the first stage failed); the
        means skip the missing raters.

    Notes
    -----
    Write :math:`N_j(w)` for unit :math:`j`'s virtual output and :math:`D_j(w)` for its
    virtual input under weights :math:`w = (v, u, w_0)`, with :math:`v \ge 0` on the
    inputs, :math:`u \ge 0` on the outputs and :math:`w_0` the returns-to-scale
    variable (absent for CRS; free for VRS; :math:`\le 0` for NIRS and :math:`\ge 0` for
    NDRS in input orientation, the opposite signs in output orientation).  Input
    orientation: :math:`N_j = u y_j + w_0`, :math:`D_j = v x_j`; output orientation:
    :math:`N_j = u y_j`, :math:`D_j = v x_j + w_0`.

    First stage, for each rater :math:`d` (the CCR/BCC multiplier LP; its optimum equals
    the envelopment score of :class:`dea.Radial`)::

        input:   max N_d(w)  s.t.  D_d(w) = 1,  N_j(w) - D_j(w) <= 0  (j = 1..n)
                 theta_d = N_d*
        output:  min D_d(w)  s.t.  N_d(w) = 1,  N_j(w) - D_j(w) <= 0  (j = 1..n)
                 theta_d = 1 / D_d*   (the Farrell output measure is phi_d = D_d*)

    Second stage (``goal != "simple"``), over the rater's optimal weights; ``min`` for
    aggressive, ``max`` for benevolent, sums over the other units :math:`j \ne d`.
    ``method="ratio"`` (Doyle & Green 1994, the aggregate-ratio linearisation of
    Sexton et al.'s secondary goal)::

        input:   min/max sum_j N_j(w)  s.t.  sum_j D_j(w) = 1,
                                           N_d(w) - theta_d D_d(w) = 0,  N_j - D_j <= 0
        output:  max/min sum_j D_j(w)  s.t.  sum_j N_j(w) = 1,
                                           N_d(w) - theta_d D_d(w) = 0,  N_j - D_j <= 0

    (solved with the sum normalised to :math:`n - 1` instead of 1, the same LP up to
    scale, so that the weights stay of order one under the solvers' absolute
    tolerances).  ``method="difference"``::

        min/max sum_j (N_j(w) - D_j(w))  s.t.  D_d = 1, N_d = theta_d  (input)
                                               N_d = 1, D_d = phi_d    (output)
                                               N_j - D_j <= 0

    The cross-efficiency of unit :math:`j` rated by :math:`d` is
    :math:`E_{dj} = N_j(w_d) / D_j(w_d)` (always :math:`\le \theta_j`, and
    :math:`E_{dd} = \theta_d`, which is stored exactly on the diagonal).  With VRS (or
    NIRS/NDRS) in input orientation :math:`E_{dj}` can be negative (Lim & Zhu 2015); the
    output orientation avoids that, and so does ``correction=True`` (Lim & Zhu 2015),
    which moves :math:`u_0` to the denominator: :math:`E_{dj} = u_d y_j / (v_d x_j -
    u_{0d})` for :math:`j \ne d`.  Rater d's constraint
    :math:`u_d y_j + u_{0d} \le v_d x_j` gives :math:`v_d x_j - u_{0d} \ge u_d y_j \ge 0`,
    so :math:`0 \le E_{dj} \le 1` (NaN when both are 0, i.e. when the adjusted input is
    below 1e-9 times the magnitude of its terms); the diagonal keeps the own score
    :math:`\theta_d` (the corrected ratio equals it only for efficient raters), and with
    ``method="ratio"`` the secondary goal optimises :math:`\sum_{j \ne d} u y_j` with
    :math:`\sum_{j \ne d} (v x_j - u_0)` normalised, while ``"difference"`` is unchanged
    (numerator minus denominator is the same).  This is deaR's ``correction = TRUE``.
    Mean cross-efficiency (with self-appraisal) :math:`\bar E_j = \frac1n \sum_d E_{dj}`;
    peer appraisal :math:`e_j = \frac{1}{n-1} \sum_{d \ne j} E_{dj}`; maverick index
    :math:`M_j = (\theta_j - e_j) / e_j` (Doyle & Green 1994).

    Compared with R deaR 1.5.3's ``cross_efficiency``: ``Arbitrary``, ``M3_agg``/
    ``M3_ben`` and ``M2_agg``/``M2_ben`` are ``goal="simple"``, ``method="ratio"`` and
    ``method="difference"``; deaR's ``e`` is :attr:`~CrossEfficiencyResult.mean` with
    ``selfapp=TRUE`` and :attr:`~CrossEfficiencyResult.mean_peer` with ``selfapp=FALSE``;
    its output-oriented matrix holds the reciprocals :math:`1 / E_{dj}`.

    Screening (``screen``): a unit :math:`j` off the frontier has an envelopment
    solution :math:`\lambda \ge 0` on frontier units :math:`F` (with
    :math:`e^T \lambda = 1`, :math:`\le 1`, :math:`\ge 1` for VRS, NIRS, NDRS) and
    :math:`\theta_j \le 1`; any weights with :math:`N_k \le D_k` for all :math:`k \in F`
    then give :math:`N_j \le \sum_k \lambda_k N_k \le \sum_k \lambda_k D_k \le D_j`
    (the sign of :math:`w_0` makes the returns-to-scale terms agree), so the constraints
    of units outside :math:`F` are implied and the LPs over :math:`F` have the same optima.

    The data are divided by their column means before the LPs are solved; scores and the
    matrix do not depend on the units of measurement.

    References
    ----------
    Sexton, T. R., Silkman, R. H., & Hogan, A. J. (1986). Data envelopment analysis:
    critique and extensions. In R. H. Silkman (Ed.), *Measuring efficiency: an
    assessment of data envelopment analysis* (New Directions for Program Evaluation 32,
    pp. 73-105). Jossey-Bass.

    Doyle, J., & Green, R. (1994). Efficiency and cross-efficiency in DEA: derivations,
    meanings and uses. *Journal of the Operational Research Society*, 45(5), 567-578.

    Lim, S., & Zhu, J. (2015). DEA cross-efficiency evaluation under variable returns to
    scale. *Journal of the Operational Research Society*, 66(3), 476-487.

    Charnes, A., Cooper, W. W., & Rhodes, E. (1978). Measuring the efficiency of decision
    making units. *European Journal of Operational Research*, 2(6), 429-444.

    Examples
    --------
    Three units with one unit input: A and C are specialists (efficient), B is balanced
    (B's frontier target on the segment A-C is (1.25, 1.25), so its score is 0.8).  The
    aggressive A puts all weight on y1 (u = (0.5, 0)), rating C at 0.5 / 2 = 0.25; the
    benevolent A weights both outputs equally (u = (0.4, 0.4)), rating C at 1.

    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [1.0, 1.0, 1.0], "y1": [2.0, 1.0, 0.5], "y2": [0.5, 1.0, 2.0]},
    ...                   index=["A", "B", "C"])
    >>> res = dea.CrossEfficiency(df, ["x"], ["y1", "y2"], goal="aggressive").fit()
    >>> res.scores.round(4).tolist()
    [1.0, 0.8, 1.0]
    >>> res.matrix.round(4)
          A    B     C
    A  1.00  0.5  0.25
    B  1.00  0.8  1.00
    C  0.25  0.5  1.00
    >>> res.maverick.round(4).tolist()
    [0.6, 0.6, 0.6]
    >>> ben = dea.CrossEfficiency(df, ["x"], ["y1", "y2"], goal="benevolent").fit()
    >>> ben.matrix.loc["A"].round(4).tolist()
    [1.0, 0.8, 1.0]
    """

    def __init__(
        self,
        data: pd.DataFrame | None,
        inputs: Any,
        outputs: Any,
        *,
        rts: str = "crs",
        orientation: str = "input",
        goal: str = "simple",
        method: str = "ratio",
        form: str = "auto",
        correction: bool = False,
        screen: bool | None = None,
        solver: str = "highs",
        n_jobs: int = 1,
        progress: bool = False,
        labels: Any = None,
        solver_options: dict[str, Any] | None = None,
        allow_large: bool = False,
    ) -> None:
        self.rts = check_choice("rts", rts, RTS_CHOICES)
        self.orientation = check_choice("orientation", orientation, ORIENTATIONS)
        self.goal = check_choice("goal", goal, GOALS)
        self.method = check_choice("method", method, METHODS)
        self.form = check_choice("form", form, ("auto", "dual", "multiplier"))
        if correction not in (True, False):
            raise InputDataError(f"correction={correction!r} is not allowed; use True or False")
        if correction and self.orientation != "input":
            raise InputDataError(
                "correction=True (Lim & Zhu 2015) is for orientation='input'; output-oriented "
                "cross-efficiencies are never negative, so use correction=False there"
            )
        self.correction = bool(correction)
        if screen not in (None, True, False):
            raise InputDataError(f"screen={screen!r} is not allowed; use None, True or False")
        self.screen = screen
        self.solver = solver
        self.n_jobs = check_n_jobs(n_jobs)
        self.progress = bool(progress)
        self.solver_options = dict(solver_options or {})
        self.allow_large = bool(allow_large)
        self.data: DEAData = prepare(data, inputs, outputs, labels=labels)
        n = self.data.n
        if n < 3:
            raise InputDataError(
                f"cross-efficiency needs at least 3 units, got {n}; peer appraisal needs peers"
            )
        if n > MAX_UNITS and not self.allow_large:
            raise InputDataError(
                f"{n} units: the cross-efficiency matrix would take {8 * n * n / 1e9:.2g} GB "
                f"(8 n^2 bytes) and the fit solves {n} or more LPs of {n} constraints each; above "
                f"MAX_UNITS={MAX_UNITS} units pass allow_large=True to proceed"
            )

    # -- helpers ----------------------------------------------------------------------------
    def _coefficients(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(N, D, sx, sy): numerator/denominator coefficient rows on scaled data."""
        d = self.data
        sx, sy = column_scales(d.X), column_scales(d.Y)
        X, Y = d.X / sx, d.Y / sy
        n, m, s = d.n, d.m, d.s
        extra = 0 if self.rts == "crs" else 1
        N = np.zeros((n, m + s + extra))
        D = np.zeros_like(N)
        D[:, :m] = X
        N[:, m : m + s] = Y
        if extra:
            (N if self.orientation == "input" else D)[:, -1] = 1.0
        return N, D, sx, sy

    def _w0_bounds(self) -> tuple[float, float] | None:
        if self.rts == "crs":
            return None
        if self.rts == "vrs":
            return (-np.inf, np.inf)
        # NIRS: u0 <= 0 (input) / v0 >= 0 (output); NDRS the opposite
        nonpos = (self.rts == "nirs") == (self.orientation == "input")
        return (-np.inf, 0.0) if nonpos else (0.0, np.inf)

    def _screen(self) -> bool:
        return self.data.n >= _SCREEN_MIN_UNITS if self.screen is None else self.screen

    def _frame(self) -> np.ndarray:
        """Units on the frontier (own score 1, by :class:`dea.Radial`): the only
        constraints of the multiplier LPs that can bind (see Notes)."""
        d = self.data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rad = Radial(
                None,
                d.X,
                d.Y,
                rts=self.rts,
                orientation=self.orientation,
                two_phase=False,
                solver=self.solver,
                n_jobs=self.n_jobs,
                solver_options=self.solver_options,
            ).fit()
        sc = rad.scores.to_numpy(dtype=float)
        # generous: a unit wrongly kept costs a column, a unit wrongly left out a re-solve
        return np.flatnonzero(~(sc < 1.0 - _FRAME_TOL))

    def fit(self) -> CrossEfficiencyResult:
        """Solve the raters' LPs and assemble the cross-efficiency matrix.

        Returns
        -------
        CrossEfficiencyResult
            Matrix (rows = raters, columns = rated units), own scores, means, maverick
            index, weights and statuses, labelled by the user's unit labels.

        Raises
        ------
        SolverError
            The backend cannot be used at all.
        """
        d = self.data
        n, m, s = d.n, d.m, d.s
        N, D, sx, sy = self._coefficients()
        Nm, Dm = N, D
        corrected = self.correction and self.rts != "crs"
        if corrected:
            # Lim & Zhu: u y_j / (v x_j - u0), i.e. u0 moved from numerator to denominator
            Nm, Dm = N.copy(), D.copy()
            Nm[:, -1], Dm[:, -1] = 0.0, -1.0
        spec = _CrossSpec(
            N, D, self.orientation, self.goal, self.method, self._w0_bounds(), (Nm, Dm)
        )
        form = self.form
        if form == "auto":
            form = "dual" if self.solver == "highs" else "multiplier"
        family_class = _DualFamily if form == "dual" else _MultiplierFamily
        run = {
            "solver": self.solver,
            "n_jobs": self.n_jobs,
            "progress": self.progress,
            "options": self.solver_options,
        }

        everyone = np.arange(n)

        def stage(
            number: int, objective: np.ndarray | None, units: np.ndarray, frame: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            family = family_class(spec, number, objective, frame)
            batch = solve_family(family, units, **run)
            status = np.asarray(batch.status, dtype=object)
            obj = np.asarray(batch.objective, dtype=float)
            if form == "dual":
                status = np.array([_DUAL_STATUS.get(x, x) for x in status], dtype=object)
                W = np.asarray(batch.row_duals, dtype=float)
                sense = (spec.first(0) if number == 1 else spec.second(0, 1.0)).sense
                obj = obj if sense == "max" else -obj  # the dual solved max of -cost
            else:
                W = batch.x.toarray()
            return status, obj, W

        def screened(
            number: int, objective: np.ndarray | None, units: np.ndarray, frame: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            status, obj, W = stage(number, objective, units, frame)
            if frame.size == n:
                return status, obj, W
            # every constraint outside the frame must hold; re-solve against all units any
            # rater for which one does not (numerically), and any non-optimal one
            ok = status == "optimal"
            redo = np.flatnonzero(~ok | _violates(W, N, D, np.setdiff1d(everyone, frame)))
            if redo.size:
                st, ob, Wr = stage(number, objective, units[redo], everyone)
                status[redo], obj[redo], W[redo] = st, ob, Wr
            return status, obj, W

        frame = self._frame() if self._screen() else everyone
        status, obj1, W = screened(1, None, everyone, frame)
        ok1 = status == "optimal"
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = np.where(ok1, obj1 if self.orientation == "input" else 1.0 / obj1, np.nan)
        status2 = np.full(n, "", dtype=object)
        if self.goal != "simple" and ok1.any():
            solved = np.flatnonzero(ok1)
            st2, _, W2 = screened(2, obj1, solved, frame)
            status2[solved] = st2
            W[solved] = W2
        theta = snap_scores(theta)
        ok = ok1 & ((status2 == "optimal") | (status2 == ""))
        W = W.copy()
        W[~ok] = np.nan
        W[np.abs(W) < 1e-14] = 0.0

        # E[d, j] = N_j(w_d) / D_j(w_d), assembled (with its sums) in blocks of raters so
        # that the n x n matrix is the only array of that size
        E = np.empty((n, n))
        own_score = np.where(ok, theta, np.nan)
        col_sum, col_cnt = np.zeros(n), np.zeros(n)
        row_sum, row_cnt = np.zeros(n), np.zeros(n)
        for start in range(0, n, _BLOCK):
            stop = min(start + _BLOCK, n)
            Wb = W[start:stop]
            Eb = Wb @ Nm.T
            den = Wb @ Dm.T
            if corrected:
                # 0/0: weights with u y_j = 0 and v x_j = u0 (to rounding) leave the
                # corrected rating undefined; NaN, not a ratio of rounding errors
                den[den <= _CORRECTED_ZERO * (np.abs(Wb) @ np.abs(Dm).T)] = np.nan
            with np.errstate(divide="ignore", invalid="ignore"):
                np.divide(Eb, den, out=Eb)
            del den
            rows = np.arange(stop - start)
            Eb[rows, start + rows] = own_score[start:stop]
            E[start:stop] = Eb
            finite = np.isfinite(Eb)
            np.copyto(Eb, 0.0, where=~finite)
            col_sum += Eb.sum(axis=0)
            col_cnt += finite.sum(axis=0)
            row_sum[start:stop] = Eb.sum(axis=1)
            row_cnt[start:stop] = finite.sum(axis=1)
        del Eb, finite

        # normalise the weights as in the own LP and convert them to user units
        own = D if self.orientation == "input" else N
        scale = np.einsum("ij,ij->i", W, own)
        # with correction and method="ratio" the link is homogeneous, so a rater's optimal
        # weights may give its own virtual input 0 (v = 0): those stay as solved
        scale[~(scale > 0)] = 1.0
        Wn = W / scale[:, None]
        Wu = Wn.copy()
        Wu[:, :m] /= sx
        Wu[:, m : m + s] /= sy

        # secondary criterion at the final weights
        peer_N = Wn @ Nm.sum(axis=0) - np.einsum("ij,ij->i", Wn, Nm)
        peer_D = Wn @ Dm.sum(axis=0) - np.einsum("ij,ij->i", Wn, Dm)
        with np.errstate(divide="ignore", invalid="ignore"):
            crit = peer_N / peer_D if self.method == "ratio" else peer_N - peer_D

        bad = ~ok
        if bad.any():
            kinds = sorted(set(status[~ok1].tolist()) | set(status2[ok1 & bad].tolist()))
            warnings.warn(
                f"{int(bad.sum())} rater(s) have no optimal "
                f"{'own-score' if not ok1.all() else 'secondary-goal'} LP solution "
                f"({', '.join(kinds)}): {format_labels(d.labels[bad])}; their rows of the "
                "cross-efficiency matrix are NaN and the means skip them "
                "(see result.status and result.status_secondary)",
                InfeasibleUnitWarning,
                stacklevel=2,
            )
        diag_ok = np.isfinite(own_score)
        diag = np.where(diag_ok, own_score, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = col_sum / col_cnt
            mean_peer = (col_sum - diag) / (col_cnt - diag_ok)
            rater_mean = np.where(ok, (row_sum - diag) / (row_cnt - diag_ok), np.nan)
            maverick = (theta - mean_peer) / mean_peer
        labels = d.labels
        wcols: list[Hashable] = list(d.inputs) + list(d.outputs)
        if self.rts != "crs":
            wcols.append("u0" if self.orientation == "input" else "v0")
        return CrossEfficiencyResult(
            matrix=pd.DataFrame(E, index=labels.copy(), columns=labels.copy(), copy=False),
            scores=pd.Series(theta, index=labels, name="score"),
            mean=pd.Series(mean, index=labels, name="mean"),
            mean_peer=pd.Series(mean_peer, index=labels, name="mean_peer"),
            maverick=pd.Series(maverick, index=labels, name="maverick"),
            rater_mean=pd.Series(rater_mean, index=labels, name="rater_mean"),
            secondary_objective=pd.Series(
                np.where(ok, crit, np.nan), index=labels, name="secondary_objective"
            ),
            weights=pd.DataFrame(Wu, index=labels, columns=pd.Index(wcols)),
            status=pd.Series(status.astype(str), index=labels, name="status"),
            status_secondary=pd.Series(status2.astype(str), index=labels, name="status_secondary"),
            goal=self.goal,
            method=self.method,
            rts=self.rts,
            orientation=self.orientation,
            correction=self.correction and self.rts != "crs",
        )
