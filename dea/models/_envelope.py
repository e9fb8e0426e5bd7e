"""The envelopment LP shared by the non-radial models (Additive, SBM, DDF), built once.

Every model here solves, per evaluated unit, an LP over the same blocks::

    columns:  lambda_1 .. lambda_n   (reference units)
              s_1 .. s_m             (one slack per input)
              s_1 .. s_s             (one slack per output)
              e_1 .. e_q             (model-specific extra columns: t, beta, ...)
    rows:     m input rows     sum_j lambda_j x_ij + c_i s_i  (+ extra terms)
              s output rows    sum_j lambda_j y_rj + c_r s_r  (+ extra terms)
              convexity        sum_j lambda_j  [- t]   (VRS =, NIRS <=, NDRS >=; none CRS)
              extra rows       on slack and extra columns only (e.g. Charnes-Cooper)

:func:`build_envelope` writes that base :class:`~dea.solvers.base.LPProblem` from the
(scaled) reference data; each model supplies the per-unit
:class:`~dea.solvers.base.LPUpdate` (right-hand sides, the unit's coefficients on the
extra columns, costs) through an :class:`~dea.solvers.base.LPFamily`, and everything is
solved by :func:`~dea.solvers.base.solve_family` (chunks, ``n_jobs``, status per unit).
:class:`EnvelopeModel` holds what the three models share at the boundary: options,
:func:`dea.prepare`, the reference set, the scaled arrays, the solve call and the
assembly of the :class:`~dea.results.DEAResult`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dea.data import DEAData, prepare, resolve_reference, unit_position
from dea.exceptions import InputDataError, format_labels
from dea.models._base import (
    RTS_CHOICES,
    check_choice,
    check_n_jobs,
    initial_columns,
    scaled_arrays,
    solve_order,
)
from dea.results import SLACK_TOL, DEAResult, _quantile_table
from dea.solvers import get_backend
from dea.solvers.base import (
    ColumnGeneration,
    LPBatchResult,
    LPFamily,
    LPProblem,
    LPUpdate,
    SolveStrategy,
    solve_family,
)

__all__ = [
    "EnvelopeLP",
    "EnvelopeModel",
    "InefficiencyResult",
    "build_envelope",
    "exclusion_update",
]

_CONVEXITY = {"vrs": (1.0, 1.0), "nirs": (-np.inf, 1.0), "ndrs": (1.0, np.inf)}
_CONVEXITY_CC = {"vrs": (0.0, 0.0), "nirs": (-np.inf, 0.0), "ndrs": (0.0, np.inf)}


@dataclass(frozen=True, eq=False)
class EnvelopeLP:
    """A base envelopment LP and where its blocks are (see the module docstring)."""

    problem: LPProblem
    n_ref: int
    m: int
    s: int
    n_extra: int
    rts: str

    @property
    def slack0(self) -> int:
        """Column of the first input slack."""
        return self.n_ref

    @property
    def extra0(self) -> int:
        """Column of the first extra column."""
        return self.n_ref + self.m + self.s

    @property
    def conv_row(self) -> int | None:
        """Row of the convexity constraint (None under CRS)."""
        return None if self.rts == "crs" else self.m + self.s

    @property
    def extra_row0(self) -> int:
        """Row of the first extra row."""
        return self.m + self.s + (self.rts != "crs")


def build_envelope(
    Xr: np.ndarray,
    Yr: np.ndarray,
    rts: str,
    *,
    slack_coef: np.ndarray | None = None,
    slack_upper: np.ndarray | None = None,
    row_lower: np.ndarray | None = None,
    row_upper: np.ndarray | None = None,
    extra_names: Sequence[str] = (),
    extra_lower: np.ndarray | None = None,
    extra_upper: np.ndarray | None = None,
    extra_block: np.ndarray | None = None,
    scale_col: int | None = None,
    extra_rows: np.ndarray | None = None,
    extra_row_lower: np.ndarray | None = None,
    extra_row_upper: np.ndarray | None = None,
    extra_row_names: Sequence[str] = (),
    cost: np.ndarray | None = None,
    sense: str = "min",
    names: tuple[Sequence[Hashable], Sequence[Hashable], Sequence[Hashable]] | None = None,
    name: str = "envelope",
) -> EnvelopeLP:
    """Write the base envelopment LP (the one builder of the non-radial models).

    Parameters
    ----------
    Xr, Yr : ndarray
        Reference inputs (n x m) and outputs (n x s), as the LP sees them (scaled).
    rts : {"crs", "vrs", "nirs", "ndrs"}
        Returns to scale (the convexity row).
    slack_coef : ndarray, optional
        Coefficient of each slack in its own row (m + s); default +1 for inputs, -1 for
        outputs (``X lambda + s- = x``, ``Y lambda - s+ = y``).
    slack_upper : ndarray, optional
        Upper bounds of the slack columns (default inf; 0 fixes a slack at zero).
    row_lower, row_upper : ndarray, optional
        Base bounds of the m + s input/output rows (default 0 = 0; set per unit).
    extra_names, extra_lower, extra_upper : optional
        Names and bounds of the extra columns (default bounds [0, inf)).
    extra_block : ndarray, optional
        ((m + s) x q) base entries of the extra columns in the input/output rows.
    scale_col : int, optional
        Index (among the extra columns) of a Charnes-Cooper scale ``t``: the convexity
        row becomes ``sum lambda - t`` (=, <=, >= 0) instead of ``sum lambda`` (=, <=, >= 1).
    extra_rows : ndarray, optional
        (k x (m + s + q)) rows on the slack and extra columns, with bounds
        ``extra_row_lower``/``extra_row_upper`` and names ``extra_row_names``.
    cost : ndarray, optional
        Objective on the slack and extra columns (m + s + q); lambdas cost 0.
    sense : {"min", "max"}
    names : (reference labels, inputs, outputs), optional
        For readable column and row names.
    name : str
        Problem name.

    Returns
    -------
    EnvelopeLP
    """
    n, m = Xr.shape
    s = Yr.shape[1]
    q = len(extra_names)
    n_rows = m + s + (rts != "crs")
    coef = np.concatenate([np.ones(m), -np.ones(s)]) if slack_coef is None else slack_coef
    lam = [Xr.T, Yr.T] + ([np.ones((1, n))] if rts != "crs" else [])
    head = np.zeros((n_rows, m + s + q))
    head[np.arange(m + s), np.arange(m + s)] = coef
    if extra_block is not None:
        head[: m + s, m + s :] = extra_block
    rl = np.zeros(n_rows)
    ru = np.zeros(n_rows)
    if row_lower is not None:
        rl[: m + s] = row_lower
    if row_upper is not None:
        ru[: m + s] = row_upper
    if rts != "crs":
        if scale_col is None:
            rl[-1], ru[-1] = _CONVEXITY[rts]
        else:
            rl[-1], ru[-1] = _CONVEXITY_CC[rts]
            head[-1, m + s + scale_col] = -1.0
    blocks = [sp.csc_matrix(np.vstack(lam)), sp.csc_matrix(head)]
    A = sp.hstack(blocks, format="csc")
    if extra_rows is not None and len(extra_rows):
        k = extra_rows.shape[0]
        A = sp.vstack([A, sp.hstack([sp.csc_matrix((k, n)), sp.csc_matrix(extra_rows)])])
        rl = np.concatenate([rl, extra_row_lower])
        ru = np.concatenate([ru, extra_row_upper])
    n_cols = n + m + s + q
    col_lower = np.zeros(n_cols)
    col_upper = np.full(n_cols, np.inf)
    if slack_upper is not None:
        col_upper[n : n + m + s] = slack_upper
    if extra_lower is not None:
        col_lower[n + m + s :] = extra_lower
    if extra_upper is not None:
        col_upper[n + m + s :] = extra_upper
    full_cost = np.zeros(n_cols)
    if cost is not None:
        full_cost[n:] = cost
    refs, ins, outs = names if names is not None else (range(n), range(m), range(s))
    col_names = (
        *(f"lambda_{j}" for j in refs),
        *(f"s_minus_{c}" for c in ins),
        *(f"s_plus_{c}" for c in outs),
        *extra_names,
    )
    row_names = (
        *(f"input_{c}" for c in ins),
        *(f"output_{c}" for c in outs),
        *(["convexity"] if rts != "crs" else []),
        *extra_row_names,
    )
    problem = LPProblem(
        A=A,
        row_lower=rl,
        row_upper=ru,
        col_lower=col_lower,
        col_upper=col_upper,
        cost=full_cost,
        sense=sense,
        col_names=col_names,
        row_names=row_names,
        name=name,
    )
    return EnvelopeLP(problem=problem, n_ref=n, m=m, s=s, n_extra=q, rts=rts)


def exclusion_update(ex: int) -> LPUpdate:
    """Fix reference unit ``ex``'s lambda at 0 (super-efficiency); nothing if ``ex < 0``."""
    if ex < 0:
        return LPUpdate()
    return LPUpdate(col_index=[ex], col_lower=[0.0], col_upper=[0.0])


def per_column_values(
    value: Any,
    data: DEAData,
    option: str,
    *,
    item: str,
    column: str,
) -> np.ndarray:
    """One value per input and output column, from a DataFrame, a mapping or an array.

    The owner of "an option given per input/output column" (Additive ``weights``, DDF
    ``direction``); string rules stay with each model.

    Parameters
    ----------
    value : DataFrame, Mapping or array-like
        A DataFrame indexed by unit with one column per input and output, a mapping
        ``{column: value}`` naming every input and output once, or an array of shape
        ``(m + s,)`` or ``(n, m + s)`` (inputs then outputs).
    data : DEAData
        The evaluated units.
    option : str
        The option's name, used in error messages.
    item, column : str
        Words for the messages: "give {k} {item}s" and "give one {column} per input".

    Returns
    -------
    numpy.ndarray
        Shape ``(n, m + s)`` for a DataFrame, ``(m + s,)`` for a mapping, and the array's
        own shape (``(m + s,)`` or ``(n, m + s)``) otherwise; always a new array.

    Raises
    ------
    InputDataError
        A missing or unknown column, a unit without a row, or a wrong shape.
    """
    cols = [*data.inputs, *data.outputs]
    k = len(cols)
    if isinstance(value, pd.DataFrame):
        missing = [c for c in cols if c not in value.columns]
        if missing:
            raise InputDataError(
                f"{option} DataFrame lacks column(s) {format_labels(missing)}; give one "
                f"{column} per input and output"
            )
        absent = data.labels.difference(value.index)
        if len(absent):
            raise InputDataError(
                f"{option} DataFrame has no row for unit(s) {format_labels(absent)}"
            )
        return value.loc[data.labels, cols].to_numpy(dtype=float)
    if isinstance(value, Mapping):
        missing = [c for c in cols if c not in value]
        unknown = [c for c in value if c not in cols]
        if missing or unknown:
            raise InputDataError(
                f"{option} mapping must name every input and output once: "
                + (f"missing {format_labels(missing)}" if missing else "")
                + ("; " if missing and unknown else "")
                + (f"unknown {format_labels(unknown)}" if unknown else "")
            )
        return np.array([float(value[c]) for c in cols])
    arr = np.array(value, dtype=float)
    if arr.shape not in ((k,), (data.n, k)):
        raise InputDataError(
            f"{option} has shape {arr.shape}; give {k} {item}s (inputs then outputs) "
            f"or an array of shape ({data.n}, {k})"
        )
    return arr


def check_nonnegative(values: np.ndarray, data: DEAData, subject: str, rule: str) -> None:
    """Raise if any per-column value is negative or not finite.

    ``subject`` starts the message ("weights for ... are"), ``rule`` ends it.
    """
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        cols = [*data.inputs, *data.outputs]
        where = np.flatnonzero(bad.any(axis=0) if values.ndim == 2 else bad)
        raise InputDataError(
            f"{subject.format(format_labels([cols[j] for j in where]))} negative or not "
            f"finite; {rule}"
        )


#: Reference units above which the HiGHS backend generates lambda columns for Additive,
#: SBM and DDF.  Higher than Radial's 200: measured (CPU seconds, 3 inputs, 2 outputs,
#: VRS) column generation / full LPs was 1.3-1.7 at n = 250, 1.2-1.3 at 500, 0.8-1.0 at
#: 1000, 0.3-0.5 at 3000 (benchmarks/README.md).
_CG_MIN_UNITS = 800


def _cg_min_units() -> int:
    return _CG_MIN_UNITS


def envelope_strategy(
    env: EnvelopeLP,
    solver: str,
    own: np.ndarray,
    exclude: np.ndarray | None = None,
) -> SolveStrategy | None:
    """The session strategy of an envelopment family: column generation or plain LPs.

    With HiGHS and more than ``_CG_MIN_UNITS`` (800) reference units, the lambda
    columns are priced (:class:`~dea.solvers.base.ColumnGeneration`): the working set
    starts from Radial's initial columns (extreme units of every ratio, input and
    output) and, before each unit, takes in the unit's own column ``own[k]`` (when it is
    a reference unit and not excluded), so the working LP is feasible (``lambda_k = 1``,
    no slack) and never falls back to the full LP.  Otherwise None (plain full LPs).

    Pricing rule.  Write the rows of unit k's LP as ``X lambda + ... = x``,
    ``Y lambda + ... = y`` (inequalities in super-SBM), the convexity row
    ``e' lambda (- t)`` (none under CRS: ``u0 = 0``) and extra rows on the slack and
    extra columns only, with duals (``d objective / d rhs``) ``v`` (inputs), ``u``
    (outputs), ``u0`` (convexity) and ``w`` (extra rows).  A lambda column has cost
    0 and entries ``x_j``, ``y_j``, 1 (and none in an extra row, nor in any per-unit
    update: updates touch right-hand sides, slack costs and the extra columns), so its
    reduced cost is::

        d_j = 0 - (v' x_j + u' y_j + u0)

    and, the LP being optimal on the working set W, the full LP is optimal exactly when
    no ``j`` outside W improves: ``d_j <= tol`` for a maximising LP (Additive, DDF,
    output SBM), ``d_j >= -tol`` for a minimising one (non- and input-oriented SBM,
    super-SBM).  In multiplier terms (Additive, with ``mu = -u``): j enters when
    ``mu' y_j - v' x_j - u0 > tol``, i.e. when it lies above the hyperplane of the
    working-set dual.  The formula is that of Radial's lambda columns; what differs is
    where the multipliers come from.  Radial's are normalised by its score column
    (``v' x_k = 1``) and its working LP can be infeasible (outputs not covered by W).
    Here the slack columns, always in W, sign the multipliers by their own reduced
    costs (Additive: ``v_i >= w-_i >= 0``, ``mu_r >= w+_r >= 0``; DDF phase 1:
    ``v, mu >= 0`` and ``v' g_x + mu' g_y = 1`` from beta's column; SBM likewise with
    ``t``'s terms), so a unit ``j`` dominated by a unit ``i`` of W never enters
    (``d_j <= d_i <= 0`` when maximising).  Both input and output rows must be met by
    W, which is why each unit's own column is seeded.  An excluded column
    (super-efficiency) is fixed at 0 by the update and so left out of pricing for that
    unit.
    """
    n_ref = env.n_ref
    if solver != "highs" or n_ref <= _cg_min_units():
        return None
    A = env.problem.A
    m, s = env.m, env.s
    lam = A[: m + s, :n_ref].toarray()
    Xr, Yr = lam[:m].T, lam[m:].T
    seed = np.asarray(own, dtype=np.int64).copy()
    if exclude is not None:
        seed[np.asarray(exclude) >= 0] = -1
    return ColumnGeneration(np.arange(n_ref), initial_columns(Xr, Yr), unit_columns=seed)


class EnvelopeModel:
    """What Additive, SBM and DDF share: options, data boundary, solve call, result.

    Subclasses implement ``fit``; they call :meth:`_scaled` for the arrays the LPs are
    written on, :meth:`_solve` to run an :class:`~dea.solvers.base.LPFamily` through
    :func:`~dea.solvers.base.solve_family`, :meth:`_split` to read lambdas, slacks and
    extra columns from the batch, and :meth:`_result` to build the result.
    """

    _name = "Envelope"

    def __init__(
        self,
        data: pd.DataFrame | None,
        inputs: Any,
        outputs: Any,
        *,
        rts: str,
        reference: Any,
        solver: str,
        n_jobs: int,
        progress: bool,
        labels: Any,
        solver_options: dict[str, Any] | None,
    ) -> None:
        self.rts = check_choice("rts", rts, RTS_CHOICES)
        if not isinstance(solver, str):
            raise InputDataError(f"solver={solver!r} is not allowed; give a backend name")
        get_backend(solver)  # fail early on unknown names
        self.solver = solver
        self.n_jobs = check_n_jobs(n_jobs)
        self.progress = bool(progress)
        self.solver_options = dict(solver_options or {})
        self._frame = data
        self.data: DEAData = prepare(data, inputs, outputs, labels=labels)
        self.reference_data, _ = resolve_reference(reference, self.data, data)

    @property
    def screening(self) -> str:
        """How reference units enter the LPs: ``"pricing"`` (column generation, see
        :func:`envelope_strategy`) or ``"none"`` (every LP holds all of them)."""
        return (
            "pricing"
            if self.solver == "highs" and self.reference_data.n > _cg_min_units()
            else "none"
        )

    # -- helpers ------------------------------------------------------------------------
    def _scaled(self, exclude_self: bool = False) -> dict[str, np.ndarray]:
        """Column scales and data divided by them (see :func:`dea.models._base.scaled_arrays`)."""
        sx, sy, Xe, Ye, Xr, Yr, exclude = scaled_arrays(
            self.data, self.reference_data, exclude_self
        )
        return {"sx": sx, "sy": sy, "Xe": Xe, "Ye": Ye, "Xr": Xr, "Yr": Yr, "exclude": exclude}

    def _names(self) -> tuple[pd.Index, tuple[Hashable, ...], tuple[Hashable, ...]]:
        return self.reference_data.labels, self.data.inputs, self.data.outputs

    def _solve(
        self, family: LPFamily, Xe: np.ndarray, Ye: np.ndarray, units: np.ndarray | None = None
    ) -> LPBatchResult:
        """Solve ``family`` for ``units`` (default all) in a hot-start friendly order.

        Units are solved in the order of similar input/output mixes (as :class:`Radial`
        does); the returned batch is put back in the order of ``units``.
        """
        units = np.arange(family.n_units) if units is None else np.asarray(units, np.int64)
        order = units[solve_order(Xe[units], Ye[units])] if units.size else units
        options = dict(self.solver_options)
        if self.solver == "highs":
            options.setdefault("col_duals", False)
        own = self.reference_data.labels.get_indexer(self.data.labels)
        exclude = getattr(family, "exclude", None)
        batch = solve_family(
            family,
            order,
            solver=self.solver,
            n_jobs=self.n_jobs,
            progress=self.progress,
            options=options,
            strategy=envelope_strategy(family.env, self.solver, own, exclude),
        )
        inv = np.empty(units.size, dtype=np.int64)
        pos = {int(k): i for i, k in enumerate(order)}
        for i, k in enumerate(units):
            inv[i] = pos[int(k)]
        return LPBatchResult(
            units=batch.units[inv],
            objective=batch.objective[inv],
            status=batch.status[inv],
            status2=batch.status2[inv],
            x=batch.x[inv],
            row_duals=batch.row_duals[inv],
            iterations=batch.iterations[inv],
        )

    @staticmethod
    def _split(
        env: EnvelopeLP, batch: LPBatchResult, divide: np.ndarray | None = None
    ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """(lambdas CSR, slacks (scaled, n x (m + s)), extras (n x q)) of a batch.

        ``divide`` (per unit) divides lambdas and slacks, e.g. by the Charnes-Cooper ``t``.
        """
        X = sp.csr_matrix(batch.x)
        lam = X[:, : env.n_ref].tocsr()
        rest = X[:, env.n_ref :].toarray()
        slacks, extras = rest[:, : env.m + env.s], rest[:, env.m + env.s :]
        if divide is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                inv = np.where(divide > 0, 1.0 / divide, 0.0)
            lam = (sp.diags(inv) @ lam).tocsr()
            slacks = slacks * inv[:, None]
        lam.eliminate_zeros()
        return lam, slacks, extras

    def _unit_position(self, unit: Hashable) -> int:
        """Row position of an evaluated unit given by the user's label."""
        return unit_position(self.data.labels, unit)

    def _result(
        self,
        *,
        scores: np.ndarray,
        objective: np.ndarray,
        status: np.ndarray,
        lam: sp.csr_matrix,
        slacks: np.ndarray,
        targets: np.ndarray,
        info: dict[str, Any],
        cls: type[DEAResult] = DEAResult,
        **extra: Any,
    ) -> DEAResult:
        d, r = self.data, self.reference_data
        scale = np.concatenate(
            [np.abs(np.vstack([d.X, r.X])).mean(axis=0), np.abs(np.vstack([d.Y, r.Y])).mean(axis=0)]
        )
        scale[~(scale > 0)] = 1.0
        ok = status == "optimal"
        slacks = np.where(ok[:, None], slacks, np.nan)
        targets = np.where(ok[:, None], targets, np.nan)
        lam = sp.csr_matrix(lam)
        for i in np.flatnonzero(~ok):  # no lambdas for units without an optimal LP
            lam.data[lam.indptr[i] : lam.indptr[i + 1]] = 0.0
        lam.eliminate_zeros()
        return cls(
            labels=d.labels,
            reference_labels=r.labels,
            inputs=d.inputs,
            outputs=d.outputs,
            score_values=np.where(ok, scores, np.nan),
            objective_values=np.where(ok, objective, np.nan),
            status_values=np.asarray(status, dtype=object),
            lambda_matrix=lam,
            slack_values=slacks,
            target_values=targets,
            slack_tolerance=SLACK_TOL * scale,
            info={
                "model": self._name,
                "rts": self.rts,
                **info,
                "solver": self.solver,
                "screening": self.screening,
            },
            **extra,
        )


def clean_slacks(slacks: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Slacks in user units with solver noise (below ``SLACK_TOL`` x scale) set to 0."""
    out = slacks * scale
    out[np.abs(out) <= SLACK_TOL * scale] = 0.0
    return out + 0.0


@dataclass(frozen=True, eq=False, repr=False)
class InefficiencyResult(DEAResult):
    """A :class:`~dea.results.DEAResult` whose score is an inefficiency (0 = efficient).

    Used by :class:`dea.Additive` (the weighted slack sum) and :class:`dea.DDF` (the
    directional distance beta).  ``efficient`` is ``scores == 0`` (scores within 1e-9 of 0
    are reported as exactly 0); ``pareto_efficient`` also asks every slack to be zero.

    Attributes
    ----------
    direction_values : ndarray or None
        DDF only: the direction ``g`` per unit (user units, columns inputs + outputs).
    inefficiency_values : ndarray or None
        DDF only: ``beta g + slack`` per variable (see ``inefficiency``).

    Examples
    --------
    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 8.0, 5.0], "y": [1.0, 4.0, 5.0, 2.0]},
    ...                   index=list("ABCD"))
    >>> res = dea.Additive(df, inputs=["x"], outputs=["y"], rts="vrs").fit()
    >>> res.efficient.tolist()
    [True, True, True, False]
    """

    direction_values: np.ndarray | None = None
    inefficiency_values: np.ndarray | None = None

    _efficient_score: ClassVar[float] = 0.0  # efficient and pareto_efficient: score == 0

    @property
    def direction(self) -> pd.DataFrame | None:
        """DDF: the direction vector ``g`` per unit, user units and column names."""
        return self._frame(self.direction_values, [*self.inputs, *self.outputs])

    @property
    def inefficiency(self) -> pd.DataFrame | None:
        """DDF: per-variable inefficiency ``beta g + slack`` (inputs: ``x - target``,
        good outputs: ``target - y``, bad outputs: ``b - target``)."""
        return self._frame(self.inefficiency_values, [*self.inputs, *self.outputs])

    def summary(self) -> dict[str, Any]:
        """Key facts (as :meth:`DEAResult.summary`, efficiency meaning ``score == 0``)."""
        s = super().summary()
        sc = self.score_values
        rows = [
            ("efficient (score = 0)", int((sc == 0.0).sum()))
            if k == "efficient (score = 1)"
            else (k, v)
            for k, v in s["rows"]
        ]
        extra = [
            (key, ", ".join(map(str, val)) if isinstance(val, list) else val)
            for key in ("weights", "direction", "undesirable", "disposability")
            if (val := self.info.get(key)) not in (None, [])
        ]
        rows[1:1] = extra
        return {"title": s["title"], "rows": rows, "table": _quantile_table(sc)}
