"""Slack-based measure (Tone 2001) and super-SBM (Tone 2002): input, output and
non-oriented, all four returns-to-scale assumptions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError
from dea.models._base import check_choice, snap_scores, warn_not_optimal
from dea.models._envelope import (
    EnvelopeLP,
    EnvelopeModel,
    build_envelope,
    clean_slacks,
    exclusion_update,
)
from dea.results import DEAResult
from dea.solvers.base import LPFamily, LPUpdate

__all__ = ["SBM", "SBMResult"]

SBM_ORIENTATIONS = ("non", "input", "output")


def _inverse(values: np.ndarray, count: int) -> np.ndarray:
    """``1 / (count * v)``, with 0 where ``v == 0`` (that term is left out, Tone 2001)."""
    with np.errstate(divide="ignore"):
        return np.where(values > 0, 1.0 / (count * values), 0.0)


def _sbm_envelope(
    Xr: np.ndarray, Yr: np.ndarray, rts: str, orientation: str, names: Any
) -> EnvelopeLP:
    """Base LP of the SBM (``super_lp=False``) for all units (see :class:`SBM` Notes)."""
    m, s = Xr.shape[1], Yr.shape[1]
    if orientation != "non":
        return build_envelope(
            Xr,
            Yr,
            rts,
            sense="max" if orientation == "output" else "min",
            names=names,
            name=f"sbm_{rts}_{orientation}",
        )
    # Charnes-Cooper: columns Lambda, S-, S+, t; rows X L + S- - t x = 0,
    # Y L - S+ - t y = 0, e'L - t (rts), t + (1/s) sum S+ / y = 1
    norm = np.zeros((1, m + s + 1))
    norm[0, -1] = 1.0
    cost = np.zeros(m + s + 1)
    cost[-1] = 1.0
    return build_envelope(
        Xr,
        Yr,
        rts,
        extra_names=("t",),
        scale_col=0,
        extra_rows=norm,
        extra_row_lower=np.ones(1),
        extra_row_upper=np.ones(1),
        extra_row_names=("normalisation",),
        cost=cost,
        sense="min",
        names=names,
        name=f"sbm_{rts}_non",
    )


def _super_envelope(
    Xr: np.ndarray, Yr: np.ndarray, rts: str, orientation: str, names: Any
) -> EnvelopeLP:
    """Base LP of the super-SBM (Tone 2002): ``T-`` input excess, ``T+`` output shortfall."""
    m, s = Xr.shape[1], Yr.shape[1]
    coef = np.concatenate([-np.ones(m), np.ones(s)])  # X L - T- <= ., Y L + T+ >= .
    rl = np.concatenate([np.full(m, -np.inf), np.zeros(s)])
    ru = np.concatenate([np.zeros(m), np.full(s, np.inf)])
    if orientation != "non":
        upper = np.full(m + s, np.inf)
        if orientation == "input":
            upper[m:] = 0.0  # outputs are not reduced
        else:
            upper[:m] = 0.0  # inputs are not increased
        return build_envelope(
            Xr,
            Yr,
            rts,
            slack_coef=coef,
            slack_upper=upper,
            row_lower=rl,
            row_upper=ru,
            sense="min",
            names=names,
            name=f"super_sbm_{rts}_{orientation}",
        )
    # rows: normalisation t - (1/s) sum T+ / y = 1; T+_r - t y_r <= 0 (y-bar >= 0)
    rows = np.zeros((1 + s, m + s + 1))
    rows[0, -1] = 1.0
    rows[1 + np.arange(s), m + np.arange(s)] = 1.0
    cost = np.zeros(m + s + 1)
    cost[-1] = 1.0
    return build_envelope(
        Xr,
        Yr,
        rts,
        slack_coef=coef,
        row_lower=rl,
        row_upper=ru,
        extra_names=("t",),
        scale_col=0,
        extra_rows=rows,
        extra_row_lower=np.concatenate([[1.0], np.full(s, -np.inf)]),
        extra_row_upper=np.concatenate([[1.0], np.zeros(s)]),
        extra_row_names=("normalisation", *(f"nonnegative_{r}" for r in range(s))),
        cost=cost,
        sense="min",
        names=names,
        name=f"super_sbm_{rts}_non",
    )


class _SBMFamily(LPFamily):
    """Per-unit updates of the SBM (``is_super=False``) or super-SBM LPs."""

    def __init__(
        self,
        env: EnvelopeLP,
        Xe: np.ndarray,
        Ye: np.ndarray,
        orientation: str,
        is_super: bool,
        exclude: np.ndarray,
    ) -> None:
        super().__init__(env.problem, Xe.shape[0])
        self.env, self.Xe, self.Ye = env, Xe, Ye
        self.orientation, self.is_super, self.exclude = orientation, is_super, exclude

    def unit_update(self, k: int) -> LPUpdate:
        env = self.env
        m, s = env.m, env.s
        x, y = self.Xe[k], self.Ye[k]
        wx, wy = _inverse(x, m), _inverse(y, s)
        sm = env.slack0 + np.arange(m)
        spl = env.slack0 + m + np.arange(s)
        ex = exclusion_update(int(self.exclude[k])) if self.is_super else LPUpdate()
        if self.orientation == "non":
            t = env.extra0
            r0 = env.extra_row0
            rows = np.arange(m + s)
            upd = LPUpdate(
                coeff_rows=np.concatenate([rows, np.full(s, r0)]),
                coeff_cols=np.concatenate([np.full(m + s, t), spl]),
                coeff_values=np.concatenate([-x, -y, (-wy if self.is_super else wy)]),
                cost_index=sm,
                cost_values=wx if self.is_super else -wx,
            )
            if self.is_super:  # T+_r - t y_r <= 0
                upd = upd.merge(
                    LPUpdate(
                        coeff_rows=r0 + 1 + np.arange(s),
                        coeff_cols=np.full(s, t),
                        coeff_values=-y,
                    )
                )
            return upd.merge(ex)
        if self.is_super:
            rl = np.concatenate([np.full(m, -np.inf), y])
            ru = np.concatenate([x, np.full(s, np.inf)])
        else:
            rl = ru = np.concatenate([x, y])
        upd = LPUpdate(row_index=np.arange(m + s), row_lower=rl, row_upper=ru)
        if self.orientation == "input":
            upd = upd.merge(LPUpdate(cost_index=sm, cost_values=wx if self.is_super else -wx))
        else:
            upd = upd.merge(LPUpdate(cost_index=spl, cost_values=wy))
            if self.is_super:  # the shortfall cannot exceed the output itself
                upd = upd.merge(LPUpdate(col_index=spl, col_lower=np.zeros(s), col_upper=y))
        return upd.merge(ex)


class SBMResult(DEAResult):
    """:class:`~dea.results.DEAResult` of :class:`SBM`: ``scores`` is Tone's rho (delta
    for super-efficient units) in every orientation, so there is no ``phi``.

    Examples
    --------
    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 8.0], "y": [1.0, 3.0, 4.0]}, index=list("ABC"))
    >>> res = dea.SBM(df, inputs=["x"], outputs=["y"], orientation="output").fit()
    >>> res.phi is None, res.scores.tolist()
    (True, [1.0, 1.0, 1.0])
    """

    @property
    def phi(self) -> None:
        """Not defined for SBM (None)."""
        return None

    def summary(self) -> dict[str, Any]:
        """Key facts (as :meth:`DEAResult.summary`; the score is rho / delta)."""
        s = super().summary()
        rows = [(k, v) for k, v in s["rows"] if k != "score"]
        rows.insert(len(rows) - 7, ("score", "rho (super-SBM: delta)"))
        return {**s, "rows": rows}


class SBM(EnvelopeModel):
    r"""Slack-based measure of efficiency (Tone 2001), with super-SBM (Tone 2002).

    Parameters
    ----------
    data : DataFrame or None
        One row per unit, index = unit labels.  If None, ``inputs`` and ``outputs`` are
        the data (arrays or DataFrames).
    inputs, outputs : list of column names (or arrays when ``data`` is None)
        Input and output columns (non-negative numbers).
    rts : {"vrs", "crs", "nirs", "ndrs"}, default "vrs"
        Returns to scale.
    orientation : {"non", "input", "output"}, default "non"
        Non-oriented (input and output slacks together), input- or output-oriented SBM.
    super_efficiency : bool, default False
        Tone's (2002) super-SBM for the SBM-efficient units: each is left out of its own
        reference set (matched by label) and scored by the smallest weighted distance to
        the remaining frontier, so that efficient units score >= 1; inefficient units keep
        their SBM score.  Oriented super-SBM LPs can be infeasible under VRS/NIRS/NDRS:
        such units get status ``"infeasible"`` and a NaN score, never dropped.
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
        Invalid data (see :func:`dea.data.prepare`) or options.

    Notes
    -----
    For unit :math:`k`, reference data :math:`X` (m x n), :math:`Y` (s x n) and
    :math:`\Lambda` the RTS set (CRS: :math:`\lambda \ge 0`; VRS: also
    :math:`e^\top\lambda = 1`; NIRS: :math:`\le 1`; NDRS: :math:`\ge 1`), Tone's SBM is
    the fractional programme::

        rho = min (1 - (1/m) sum_i s-_i / x_ik) / (1 + (1/s) sum_r s+_r / y_rk)
        s.t. X lambda + s- = x_k,  Y lambda - s+ = y_k,  lambda in Lambda,  s-, s+ >= 0

    solved through the Charnes-Cooper transformation (``t = 1 / denominator``,
    ``Lambda = t lambda``, ``S = t s``)::

        min  t - (1/m) sum_i S-_i / x_ik
        s.t. t + (1/s) sum_r S+_r / y_rk = 1
             X Lambda + S- - t x_k = 0,  Y Lambda - S+ - t y_k = 0,
             e'Lambda - t  (= 0 VRS, <= 0 NIRS, >= 0 NDRS; absent CRS),
             Lambda, S-, S+ >= 0,  t >= 0

    and ``lambda = Lambda / t``, ``s = S / t``.  Input orientation (``orientation="input"``)
    keeps the numerator: ``min 1 - (1/m) sum_i s-_i / x_ik`` over the same constraints;
    output orientation ``rho = 1 / max (1 + (1/s) sum_r s+_r / y_rk)``.  Both are linear
    without the transformation.  A term whose ``x_ik`` (``y_rk``) is zero is left out of
    the sum (Tone 2001, section 2; the divisor stays m, s).  ``scores`` is rho in (0, 1],
    ``slacks`` ``s-``, ``s+`` in user units, ``targets`` ``x_k - s-`` and ``y_k + s+``.
    Oriented models put no price on the other side's slacks; they are those of the LP
    solution.  SBM scores are invariant to units of measurement and never exceed the
    radial score of the same orientation, RTS and reference set (non-oriented: the
    input-oriented radial score).

    Super-SBM (Tone 2002).  For an SBM-efficient unit k, with ``R_k`` the reference set
    without k::

        delta = min ((1/m) sum_i xbar_i / x_ik) / ((1/s) sum_r ybar_r / y_rk)
        s.t. xbar >= sum_{j in R_k} lambda_j x_j,  ybar <= sum_{j in R_k} lambda_j y_j,
             xbar >= x_k,  0 <= ybar <= y_k,  lambda in Lambda (over R_k)

    written with ``xbar = x_k + T-``, ``ybar = y_k - T+`` and solved by the same
    Charnes-Cooper step (``min t + (1/m) sum T-_i / x_ik`` s.t.
    ``t - (1/s) sum T+_r / y_rk = 1``); input orientation fixes ``ybar = y_k``
    (``delta = 1 + (1/m) sum T-_i / x_ik``), output orientation ``xbar = x_k``
    (``delta = 1 / (1 - (1/s) sum T+_r / y_rk)``).  For these units ``scores`` is
    ``delta >= 1``, ``targets`` are ``(xbar, ybar)``, ``slacks`` are ``x_k - xbar`` and
    ``ybar - y_k`` (<= 0), and lambdas/peers those of the super-SBM LP.

    Scores within 1e-9 of 1 are reported as exactly 1.

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
    Tone, K. (2001). A slacks-based measure of efficiency in data envelopment analysis.
    *European Journal of Operational Research*, 130(3), 498-509.

    Tone, K. (2002). A slacks-based measure of super-efficiency in data envelopment
    analysis. *European Journal of Operational Research*, 143(1), 32-41.

    Charnes, A., & Cooper, W. W. (1962). Programming with linear fractional functionals.
    *Naval Research Logistics Quarterly*, 9(3-4), 181-186.

    Examples
    --------
    Tone's (2001) example: five units, two inputs, two outputs.  D is dominated by C (it
    makes one less of y2), so rho_D = 1 / (1 + 1/2):

    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x1": [4.0, 6, 8, 8, 2], "x2": [3.0, 3, 1, 1, 4],
    ...                    "y1": [2.0, 2, 6, 6, 1], "y2": [3.0, 3, 2, 1, 4]},
    ...                   index=list("ABCDE"))
    >>> res = dea.SBM(df, inputs=["x1", "x2"], outputs=["y1", "y2"], rts="crs").fit()
    >>> res.scores.round(4).tolist()
    [0.798, 0.5682, 1.0, 0.6667, 1.0]
    >>> res.slacks.loc["D"].round(6).tolist()
    [0.0, 0.0, 0.0, 1.0]
    """

    _name = "SBM"

    def __init__(
        self,
        data: pd.DataFrame | None,
        inputs: Any,
        outputs: Any,
        *,
        rts: str = "vrs",
        orientation: str = "non",
        super_efficiency: bool = False,
        reference: Any = None,
        solver: str = "highs",
        n_jobs: int = 1,
        progress: bool = False,
        labels: Any = None,
        solver_options: dict[str, Any] | None = None,
        ratio_bounds: Any = None,
        weight_bounds: Any = None,
    ) -> None:
        for option, value in (("ratio_bounds", ratio_bounds), ("weight_bounds", weight_bounds)):
            if value is not None:
                raise InputDataError(
                    f"{option}: weight restrictions are not implemented for SBM. Its "
                    "multiplier form already bounds the weights per unit "
                    "(v_i >= 1 / (m x_ik), u_r >= xi / (s y_rk), Tone 2001), and no standard "
                    "published assurance-region SBM could be checked against; use "
                    "dea.Radial or dea.DDF with ratio_bounds"
                )
        self.orientation = check_choice("orientation", orientation, SBM_ORIENTATIONS)
        self.super_efficiency = bool(super_efficiency)
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

    def __repr__(self) -> str:
        return (
            f"SBM(n={self.data.n}, inputs={list(self.data.inputs)}, "
            f"outputs={list(self.data.outputs)}, rts={self.rts!r}, "
            f"orientation={self.orientation!r}, super_efficiency={self.super_efficiency})"
        )

    def _family(
        self, is_super: bool = False, scaled: bool = True
    ) -> tuple[_SBMFamily, dict[str, np.ndarray]]:
        a = self._scaled(exclude_self=is_super)
        if not scaled:
            d, r = self.data, self.reference_data
            a.update(sx=np.ones(d.m), sy=np.ones(d.s), Xe=d.X, Ye=d.Y, Xr=r.X, Yr=r.Y)
        build = _super_envelope if is_super else _sbm_envelope
        env = build(a["Xr"], a["Yr"], self.rts, self.orientation, self._names())
        family = _SBMFamily(env, a["Xe"], a["Ye"], self.orientation, is_super, a["exclude"])
        return family, a

    def _lp_family(self) -> LPFamily:
        """The SBM LPs of :meth:`fit` in user units and names (for :func:`dea.export_lp`)."""
        return self._family(scaled=False)[0]

    def _stage(self, is_super: bool, units: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Solve the SBM or super-SBM LPs for ``units``; scores, slacks (user), lambdas."""
        family, a = self._family(is_super)
        env = family.env
        batch = self._solve(family, a["Xe"], a["Ye"], units)
        obj = batch.objective
        t = None
        if self.orientation == "non":
            X = batch.x
            t = np.asarray(X[:, env.extra0].toarray()).ravel()
        lam, slk, _ = self._split(env, batch, divide=t)
        scale = np.concatenate([a["sx"], a["sy"]])
        slacks = clean_slacks(slk, scale)
        if not is_super:
            score = {"non": obj, "input": 1.0 + obj, "output": None}[self.orientation]
            if score is None:
                with np.errstate(divide="ignore"):
                    score = 1.0 / (1.0 + obj)
        else:
            slacks = -slacks  # x_k - xbar = -T-, ybar - y_k = -T+
            with np.errstate(divide="ignore"):
                score = {"non": obj, "input": 1.0 + obj, "output": 1.0 / (1.0 - obj)}[
                    self.orientation
                ]
        return {
            "score": snap_scores(score),
            "objective": obj,
            "status": np.asarray(batch.status, dtype=object),
            "lam": lam,
            "slacks": slacks,
        }

    def fit(self) -> SBMResult:
        """Solve one SBM LP per unit (and a super-SBM LP per SBM-efficient unit).

        Returns
        -------
        SBMResult
            Scores, slacks, targets, lambdas, peers and status indexed by the unit
            labels (a :class:`dea.results.DEAResult`).

        Warns
        -----
        InfeasibleUnitWarning
            Some LPs are not optimal (super-SBM under VRS/NIRS/NDRS, or ``reference=``):
            those units keep their row with NaN numbers and their status.
        """
        d = self.data
        res = self._stage(False)
        score, obj, status = res["score"], res["objective"], res["status"]
        lam, slacks = res["lam"].tolil(), res["slacks"]
        if self.super_efficiency:
            eff = np.flatnonzero((status == "optimal") & (score == 1.0))
            if eff.size:
                sup = self._stage(True, eff)
                score[eff], obj[eff], status[eff] = sup["score"], sup["objective"], sup["status"]
                slacks[eff] = sup["slacks"]
                lam[eff] = sup["lam"]
        m = d.m
        targets = np.hstack([d.X - slacks[:, :m], d.Y + slacks[:, m:]])
        warn_not_optimal(d.labels, status, stacklevel=3)
        return self._result(
            scores=score,
            objective=obj,
            status=status,
            lam=lam.tocsr(),
            slacks=slacks,
            targets=targets,
            info={"orientation": self.orientation, "super_efficiency": self.super_efficiency},
            cls=SBMResult,
        )
