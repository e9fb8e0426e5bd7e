"""Additive DEA: the weighted sum of input and output slacks (CRS/VRS/NIRS/NDRS)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError
from dea.models._base import warn_not_optimal
from dea.models._envelope import (
    EnvelopeLP,
    EnvelopeModel,
    InefficiencyResult,
    build_envelope,
    check_nonnegative,
    clean_slacks,
    exclusion_update,
    per_column_values,
)
from dea.solvers.base import LPFamily, LPUpdate

__all__ = ["Additive"]

WEIGHT_RULES = ("ones", "ram", "mip", "normalized")


class _AdditiveFamily(LPFamily):
    """Unit k: right-hand sides ``x_k``, ``y_k`` and (per-unit weights) its slack costs."""

    def __init__(
        self,
        env: EnvelopeLP,
        Xe: np.ndarray,
        Ye: np.ndarray,
        cost: np.ndarray,
        exclude: np.ndarray,
    ) -> None:
        super().__init__(env.problem, Xe.shape[0])
        self.env, self.Xe, self.Ye, self.cost, self.exclude = env, Xe, Ye, cost, exclude

    def unit_update(self, k: int) -> LPUpdate:
        env = self.env
        m, s = env.m, env.s
        rhs = np.concatenate([self.Xe[k], self.Ye[k]])
        upd = LPUpdate(row_index=np.arange(m + s), row_lower=rhs, row_upper=rhs)
        if self.cost.ndim == 2:
            upd = upd.merge(
                LPUpdate(cost_index=env.slack0 + np.arange(m + s), cost_values=self.cost[k])
            )
        return upd.merge(exclusion_update(int(self.exclude[k])))


class Additive(EnvelopeModel):
    r"""Additive DEA model: maximise the weighted sum of slacks (Charnes et al. 1985).

    Parameters
    ----------
    data : DataFrame or None
        One row per unit, index = unit labels.  If None, ``inputs`` and ``outputs`` are
        the data (arrays or DataFrames).
    inputs, outputs : list of column names (or arrays when ``data`` is None)
        Input and output columns (non-negative numbers).
    rts : {"vrs", "crs", "nirs", "ndrs"}, default "vrs"
        Returns to scale (the additive model of Charnes et al. 1985 is VRS).
    weights : str, mapping, array_like or DataFrame, optional
        Weights ``w`` of the slacks in the objective, in the user's units.  ``None`` or
        ``"ones"``: all 1 (the plain slack sum, which depends on units of measurement).
        ``"ram"``: the range-adjusted measure of Cooper, Park & Pastor (1999),
        ``w_i = 1 / ((m + s) R_i)`` with ``R_i`` the range (max - min) of variable ``i``
        over the evaluated and reference units pooled (a zero range gives weight 0); the RAM
        efficiency is ``1 - score``.  ``"mip"``: measure of inefficiency proportions,
        ``w = 1 / x_k`` and ``1 / y_k`` of the evaluated unit (a zero value gives weight
        0).  ``"normalized"``: ``1 / sd`` with the sample standard deviation of each
        variable over the same pooled units (Lovell & Pastor 1995).  A mapping
        ``{column: weight}`` for every input and output, an array of length ``m + s``
        (inputs then outputs), or an ``n x (m + s)`` array/DataFrame (index = unit
        labels) of per-unit weights.  Weights must be
        finite and >= 0.
    reference : None, labels, boolean mask or DataFrame, optional
        Units spanning the frontier (as for :class:`dea.Radial`).
    solver : {"highs", "scipy", "pulp"}, default "highs"
        LP backend.
    n_jobs : int, default 1
        joblib workers (results identical for any ``n_jobs``).
    progress : bool, default False
        Progress bar on stderr.
    labels : array_like, optional
        Unit labels when ``data`` is None.
    solver_options : dict, optional
        Passed to the backend (``time_limit``, ``tolerance``).

    Raises
    ------
    InputDataError
        Invalid data (see :func:`dea.data.prepare`), weights or options; the message
        names the column, unit or setting.

    Notes
    -----
    For unit :math:`k`, reference data :math:`X` (m x n), :math:`Y` (s x n) and
    :math:`\Lambda` the RTS set (CRS: :math:`\lambda \ge 0`; VRS: also
    :math:`e^\top\lambda = 1`; NIRS: :math:`\le 1`; NDRS: :math:`\ge 1`)::

        max  sum_i w-_i s-_i + sum_r w+_r s+_r
        s.t. X lambda + s- = x_k,  Y lambda - s+ = y_k,  lambda in Lambda,  s-, s+ >= 0

    ``scores`` is the optimal weighted slack sum (0 exactly for Pareto-efficient units;
    within 1e-8 of the column means, slacks are reported as 0); ``slacks`` are ``s-``,
    ``s+`` in user units, ``targets`` ``x_k - s-`` and ``y_k + s+``, ``peers`` the units
    with ``lambda > 1e-9``.  The LP is solved on data divided by column means, with the
    slack costs rescaled to match, so the optimum is that of the LP above in user units.
    ``result.efficient`` is ``score == 0``.  The score depends on units of measurement
    with ``weights="ones"``; with ``"ram"``, ``"mip"`` and ``"normalized"`` it does not.

    Large problems.  With HiGHS and more than 800 reference units the lambda columns are
    generated (``result.info["screening"] == "pricing"``; the shared
    :class:`dea.solvers.ColumnGeneration` strategy, see
    ``dea.models._envelope.envelope_strategy``): each LP is solved on a working set
    of reference units (a few extreme ones, those priced in for earlier units, and the
    unit's own column, which keeps the LP feasible), then every other unit j is priced
    with the row duals ``v`` (input rows), ``u`` (output rows), ``u0`` (convexity row):
    its reduced cost is ``d_j = -(v' x_j + u' y_j + u0)`` (lambdas cost nothing and
    appear in no other row), and j enters when it improves the objective by more than
    1e-9 (``d_j > 1e-9`` when maximising, ``d_j < -1e-9`` when minimising).  When no unit
    does, the working-set optimum is optimal for the LP over all units, so scores equal
    those of the full LPs (tested to 1e-9 on data with ties, duplicates and zeros).

    References
    ----------
    Charnes, A., Cooper, W. W., Golany, B., Seiford, L., & Stutz, J. (1985). Foundations
    of data envelopment analysis for Pareto-Koopmans efficient empirical production
    functions. *Journal of Econometrics*, 30(1-2), 91-107.

    Cooper, W. W., Park, K. S., & Pastor, J. T. (1999). RAM: A range adjusted measure of
    inefficiency for use with additive models, and relations to other models and
    measures in DEA. *Journal of Productivity Analysis*, 11(1), 5-42.

    Lovell, C. A. K., & Pastor, J. T. (1995). Units invariant and translation invariant
    DEA models. *Operations Research Letters*, 18(3), 147-151.

    Examples
    --------
    One input, one output; D (5, 2) is dominated by B (4, 4), which leaves the largest
    slack sum (1 + 2):

    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 8.0, 5.0], "y": [1.0, 4.0, 5.0, 2.0]},
    ...                   index=list("ABCD"))
    >>> res = dea.Additive(df, inputs=["x"], outputs=["y"], rts="vrs").fit()
    >>> res.scores.round(6).tolist()
    [0.0, 0.0, 0.0, 3.0]
    >>> res.slacks.loc["D"].round(6).tolist(), res.peers["D"]
    ([1.0, 2.0], ['B'])
    """

    _name = "Additive"

    def __init__(
        self,
        data: pd.DataFrame | None,
        inputs: Any,
        outputs: Any,
        *,
        rts: str = "vrs",
        weights: Any = None,
        reference: Any = None,
        solver: str = "highs",
        n_jobs: int = 1,
        progress: bool = False,
        labels: Any = None,
        solver_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            data,
            inputs,
            outputs,
            rts=rts,
            reference=reference,
            solver=solver,
            n_jobs=n_jobs,
            progress=progress,
            labels=labels,
            solver_options=solver_options,
        )
        self.weights = weights
        self._weights = self._resolve_weights(weights)

    def __repr__(self) -> str:
        w = self.weights if isinstance(self.weights, str | None) else "user"
        return (
            f"Additive(n={self.data.n}, inputs={list(self.data.inputs)}, "
            f"outputs={list(self.data.outputs)}, rts={self.rts!r}, weights={w!r})"
        )

    def _resolve_weights(self, weights: Any) -> np.ndarray:
        """User-unit slack weights: (m + s,) or (n, m + s)."""
        d, r = self.data, self.reference_data
        cols = [*d.inputs, *d.outputs]
        k = len(cols)
        # the pooled units: evaluated ones plus reference units not among them
        extra = ~r.labels.isin(d.labels)
        both = np.hstack([np.vstack([d.X, r.X[extra]]), np.vstack([d.Y, r.Y[extra]])])
        if weights is None or isinstance(weights, str):
            rule = "ones" if weights is None else weights.lower()
            if rule not in WEIGHT_RULES:
                raise InputDataError(
                    f"weights={weights!r} is not allowed; use one of {WEIGHT_RULES}, a "
                    "mapping {column: weight}, or an array of weights"
                )
            if rule == "ones":
                return np.ones(k)
            if rule == "ram":
                rng = both.max(axis=0) - both.min(axis=0)
                with np.errstate(divide="ignore"):
                    return np.where(rng > 0, 1.0 / (k * rng), 0.0)
            if rule == "normalized":
                sd = both.std(axis=0, ddof=1) if both.shape[0] > 1 else np.zeros(k)
                with np.errstate(divide="ignore"):
                    return np.where(sd > 0, 1.0 / sd, 0.0)
            own = np.hstack([d.X, d.Y])
            with np.errstate(divide="ignore"):
                return np.where(own > 0, 1.0 / own, 0.0)
        w = per_column_values(weights, d, "weights", item="weight", column="weight column")
        check_nonnegative(w, d, "weights for {} are", "weights must be finite and >= 0")
        return w

    def _family(self, scaled: bool = True) -> tuple[_AdditiveFamily, dict[str, np.ndarray]]:
        a = self._scaled()
        if not scaled:
            a = {**a, "sx": np.ones_like(a["sx"]), "sy": np.ones_like(a["sy"])}
            d, r = self.data, self.reference_data
            a.update(Xe=d.X, Ye=d.Y, Xr=r.X, Yr=r.Y)
        scale = np.concatenate([a["sx"], a["sy"]])
        cost = self._weights * scale  # objective on scaled slacks = sum w * user slack
        env = build_envelope(
            a["Xr"],
            a["Yr"],
            self.rts,
            cost=cost if cost.ndim == 1 else cost[0],
            sense="max",
            names=self._names(),
            name=f"additive_{self.rts}",
        )
        return _AdditiveFamily(env, a["Xe"], a["Ye"], cost, a["exclude"]), a

    def _lp_family(self) -> LPFamily:
        """The LPs of :meth:`fit` in user units and names (for :func:`dea.export_lp`)."""
        return self._family(scaled=False)[0]

    def fit(self) -> InefficiencyResult:
        """Solve one additive LP per unit.

        Returns
        -------
        InefficiencyResult
            ``scores`` (weighted slack sum), ``slacks``, ``targets``, ``lambdas``,
            ``peers``, ``status`` indexed by the unit labels; ``efficient`` is
            ``score == 0``.

        Warns
        -----
        InfeasibleUnitWarning
            Some LPs not optimal (possible with ``reference=`` or NIRS/NDRS); those
            units keep their row with NaN numbers and their status.
        """
        family, a = self._family()
        env = family.env
        batch = self._solve(family, a["Xe"], a["Ye"])
        status = np.asarray(batch.status, dtype=object)
        lam, slk, _ = self._split(env, batch)
        d = self.data
        scale = np.concatenate([a["sx"], a["sy"]])
        slacks = clean_slacks(slk, scale)
        w = self._weights if self._weights.ndim == 2 else self._weights[None, :]
        scores = (w * slacks).sum(axis=1)
        m = d.m
        targets = np.hstack([d.X - slacks[:, :m], d.Y + slacks[:, m:]])
        warn_not_optimal(d.labels, status, stacklevel=3)
        rule = self.weights if isinstance(self.weights, str | None) else "user"
        return self._result(
            scores=scores,
            objective=batch.objective,
            status=status,
            lam=lam,
            slacks=slacks,
            targets=targets,
            info={"weights": rule or "ones"},
            cls=InefficiencyResult,
        )
