"""Directional distance function (DDF): inefficiency beta along a direction g, with
optional undesirable outputs under weak (or strong) disposability."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError, format_labels
from dea.models._base import check_choice, warn_not_optimal
from dea.models._envelope import (
    EnvelopeLP,
    EnvelopeModel,
    InefficiencyResult,
    build_envelope,
    check_nonnegative,
    clean_slacks,
    per_column_values,
)
from dea.models._restrictions import (
    check_restrictions,
    restriction_columns,
    restriction_report,
    restriction_rows,
)
from dea.results import EFFICIENCY_TOL
from dea.solvers.base import LPFamily, LPSolution, LPUpdate

__all__ = ["DDF"]

DIRECTIONS = ("observed", "inputs", "outputs", "unit")
DISPOSABILITY = ("weak", "strong")
_SKIP_PHASE2_TOL = 1e-8  # reduced cost (scaled data) beyond which a slack is surely zero


class _DDFFamily(LPFamily):
    """Unit k: right-hand sides, beta's coefficients ``+-g_k``; phase 2 maximises slacks."""

    def __init__(
        self,
        env: EnvelopeLP,
        Xe: np.ndarray,
        Ye: np.ndarray,
        G: np.ndarray,
        sign: np.ndarray,
        slack_cost: np.ndarray,
        two_phase: bool,
    ) -> None:
        super().__init__(env.problem, Xe.shape[0])
        self.env, self.Xe, self.Ye, self.G = env, Xe, Ye, G
        self.sign, self.slack_cost, self.two_phase = sign, slack_cost, two_phase
        n_io = env.m + env.s
        block = env.problem.A[:n_io, env.slack0 : env.slack0 + n_io]
        self.slack_coef = np.asarray(block.diagonal(), dtype=float)

    def unit_update(self, k: int) -> LPUpdate:
        env = self.env
        n_io = env.m + env.s
        rhs = np.concatenate([self.Xe[k], self.Ye[k]])
        return LPUpdate(
            coeff_rows=np.arange(n_io),
            coeff_cols=np.full(n_io, env.extra0),
            coeff_values=self.sign * self.G[k],
            row_index=np.arange(n_io),
            row_lower=rhs,
            row_upper=rhs,
        )

    def second_stage(self, k: int, first: LPSolution) -> LPUpdate | None:
        if not self.two_phase:
            return None
        env = self.env
        n_io = env.m + env.s
        free = self.slack_cost > 0
        if first.row_duals is not None:
            # reduced cost of slack j (cost 0, coefficient c_j in row j): -c_j * y_j.  If
            # every free slack's is < 0 (max problem), complementary slackness forces all
            # of them to 0 in every optimal solution: phase 2 cannot change anything.
            red = -self.slack_coef * first.row_duals[:n_io]
            if (red[free] < -_SKIP_PHASE2_TOL).all():
                return None
        beta = first.column_value(env.extra0)
        return self.unit_update(k).merge(
            LPUpdate(
                col_index=[env.extra0],
                col_lower=[beta],
                col_upper=[beta],
                cost_index=np.arange(env.slack0, env.slack0 + n_io + 1),
                cost_values=np.concatenate([self.slack_cost, [0.0]]),
            )
        )


class DDF(EnvelopeModel):
    r"""Directional distance function (Chambers, Chung & Färe 1996, 1998).

    Parameters
    ----------
    data : DataFrame or None
        One row per unit, index = unit labels.  If None, ``inputs`` and ``outputs`` are
        the data (arrays or DataFrames).
    inputs, outputs : list of column names (or arrays when ``data`` is None)
        Input and output columns (non-negative numbers).  Undesirable outputs are listed
        among ``outputs`` and named again in ``undesirable``.
    direction : str, mapping, array_like or DataFrame, default "observed"
        The direction ``g = (g_x, g_y)`` in user units, one entry per input and output
        (inputs are contracted by ``beta g_x``, good outputs expanded by ``beta g_y``,
        undesirable outputs contracted by ``beta g_b``).  ``"observed"``: the unit's own
        data ``(x_k, y_k)``.  ``"inputs"``: ``(x_k, 0)``.  ``"outputs"``: ``(0, y_k)``
        (good outputs up, undesirable outputs down, by the same proportion).
        ``"unit"``: all ones.  Or a mapping ``{column: value}`` for every input and
        output, an array of length ``m + s`` (the same g for all units), or an
        ``n x (m + s)`` array/DataFrame (index = unit labels) of per-unit directions.
        Entries must be finite and >= 0, and not all zero for any unit.
    undesirable : list of column names, optional
        Outputs that are bad (e.g. portfolio at risk): they should go down.
    disposability : {"weak", "strong"}, default "weak"
        Of the undesirable outputs: weak (Färe et al. 1989; the reference combination
        must match them exactly, so reducing them has a cost in good outputs) or strong
        (freely disposable, like an input).
    rts : {"vrs", "crs", "nirs", "ndrs"}, default "vrs"
        Returns to scale.
    reference : None, labels, boolean mask or DataFrame, optional
        Units spanning the frontier (as for :class:`dea.Radial`); beta may be negative
        for units outside it.
    two_phase : bool, default True
        Second stage: with beta fixed, maximise the slack sum (each slack divided by its
        column mean), so that slacks and targets are a max-slack solution.  It is
        skipped for a unit when every slack's reduced cost in the first stage is
        below -1e-8 (scaled data): by complementary slackness all slacks are then zero
        in every optimal solution.
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
    ratio_bounds : mapping (a, b) -> (L, U), optional
        Assurance regions :math:`L \le w_a / w_b \le U` on the multiplier weights of
        inputs and good outputs (type I: two inputs or two outputs; type II: an input
        and an output), as for :class:`dea.Radial`.  See Notes.
    weight_bounds : None
        Not offered (raises): absolute bounds depend on the normalisation
        :math:`v g_x + u g_y = 1`, which changes with each unit's direction.

    Raises
    ------
    InputDataError
        Invalid data (see :func:`dea.data.prepare`), direction, undesirable outputs or
        options; the message names the column, unit or setting.

    Notes
    -----
    For unit :math:`k` with direction :math:`g_k = (g_x, g_y, g_b)`, reference inputs
    :math:`X`, good outputs :math:`Y`, undesirable outputs :math:`B` and
    :math:`\Lambda` the RTS set (CRS: :math:`\lambda \ge 0`; VRS: also
    :math:`e^\top\lambda = 1`; NIRS: :math:`\le 1`; NDRS: :math:`\ge 1`)::

        max beta
        s.t. X lambda + s-  = x_k - beta g_x
             Y lambda - s+  = y_k + beta g_y
             B lambda + s_b = b_k - beta g_b      (weak: s_b = 0; strong: s_b >= 0)
             lambda in Lambda,  s-, s+, s_b >= 0,  beta free

    ``scores`` is beta (0 for units on the frontier in direction g: no feasible move
    along g, and >= 0 whenever the unit belongs to its reference set).  Phase 2 keeps
    beta and maximises ``sum s / c`` (``c`` the column means).  ``targets`` are
    ``x_k - beta g_x - s-``, ``y_k + beta g_y + s+``, ``b_k - beta g_b - s_b``; ``slacks``
    are ``s-``, ``s+``, ``s_b`` (one column per input and output, user units);
    ``result.inefficiency`` is ``beta g + slack`` per variable and ``result.direction``
    the g used.  With ``direction="observed"`` (or ``"inputs"``, ``"outputs"``) beta
    does not depend on units of measurement; with ``"unit"`` it does.  The LP is solved
    on data divided by column means, with g divided likewise.  Weak disposability under
    VRS is imposed as above, the common simplification (Kuosmanen 2005 discusses an
    exact VRS formulation).

    Assurance regions.  The multiplier (dual) LP is ``min v x_k - u y_k + u0`` s.t.
    ``v x_j - u y_j + u0 >= 0`` (all j; u0 = 0 under CRS), ``v g_x + u g_y = 1``,
    ``v, u >= 0``.  Each ratio restriction is a row ``g_p (v, u) <= 0`` of it and one
    column ``pi_p >= 0`` (cost 0) of the envelopment LP above: ``-g_p`` in the input rows
    and ``+g_p`` in the good-output rows (``X lambda - G_v' pi + s- = x_k - beta g_x``,
    ``Y lambda + G_u' pi - s+ = y_k + beta g_y``), the same columns for every unit.
    Restrictions never lower beta.  The result then carries ``weights`` (the row duals,
    user units), ``restriction_duals`` (``pi_p``) and ``restriction_binding``.
    Undesirable outputs cannot be restricted (their weight is free in sign under weak
    disposability).

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
    Chambers, R. G., Chung, Y., & Färe, R. (1996). Benefit and distance functions.
    *Journal of Economic Theory*, 70(2), 407-419.

    Chambers, R. G., Chung, Y., & Färe, R. (1998). Profit, directional distance functions,
    and Nerlovian efficiency. *Journal of Optimization Theory and Applications*, 98(2),
    351-364.

    Chung, Y. H., Färe, R., & Grosskopf, S. (1997). Productivity and undesirable outputs:
    a directional distance function approach. *Journal of Environmental Management*,
    51(3), 229-240.

    Färe, R., Grosskopf, S., Lovell, C. A. K., & Pasurka, C. (1989). Multilateral
    productivity comparisons when some outputs are undesirable: a nonparametric
    approach. *The Review of Economics and Statistics*, 71(1), 90-98.

    Kuosmanen, T. (2005). Weak disposability in nonparametric production analysis with
    undesirable outputs. *American Journal of Agricultural Economics*, 87(4), 1077-1082.

    Examples
    --------
    One input, one output.  D (5, 2) moves along g = (5, 2) to the VRS frontier
    segment A-B (y = 1.5 x - 2): 2 + 2 beta = 1.5 (5 - 5 beta) - 2, beta = 3.5 / 9.5:

    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 8.0, 5.0], "y": [1.0, 4.0, 5.0, 2.0]},
    ...                   index=list("ABCD"))
    >>> res = dea.DDF(df, inputs=["x"], outputs=["y"], rts="vrs").fit()
    >>> res.scores.round(6).tolist()
    [0.0, 0.0, 0.0, 0.368421]
    >>> res.targets.loc["D"].round(4).tolist()
    [3.1579, 2.7368]
    """

    _name = "DDF"

    def __init__(
        self,
        data: pd.DataFrame | None,
        inputs: Any,
        outputs: Any,
        *,
        direction: Any = "observed",
        undesirable: Any = None,
        disposability: str = "weak",
        rts: str = "vrs",
        reference: Any = None,
        two_phase: bool = True,
        solver: str = "highs",
        n_jobs: int = 1,
        progress: bool = False,
        labels: Any = None,
        solver_options: dict[str, Any] | None = None,
        ratio_bounds: Mapping[tuple[Hashable, Hashable], tuple[float | None, float | None]]
        | None = None,
        weight_bounds: Any = None,
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
        self.disposability = check_choice("disposability", disposability, DISPOSABILITY)
        self.two_phase = bool(two_phase)
        self.undesirable = self._resolve_bad(undesirable)
        self.direction = direction
        self._G = self._resolve_direction(direction)
        if weight_bounds is not None:
            raise InputDataError(
                "weight_bounds (absolute bounds on the multiplier weights) are not offered "
                "for DDF: the DDF multiplier weights are normalised by v g_x + u g_y = 1, "
                "which changes with each unit's direction, so an absolute bound means "
                "something different for every unit; use ratio_bounds (assurance regions, "
                "unit-free) instead"
            )
        self.ratio_bounds = ratio_bounds
        if ratio_bounds is not None:
            bad = [
                c
                for key in ratio_bounds
                if isinstance(key, tuple)
                for c in key
                if c in self.undesirable
            ]
            if bad:
                raise InputDataError(
                    f"ratio_bounds names undesirable output(s) {format_labels(bad)}; their "
                    "multiplier weights are free in sign (weak disposability) or those of "
                    "inputs (strong), so ratio bounds on them are not defined here; restrict "
                    "inputs and good outputs only"
                )
            check_restrictions(self.data, None, ratio_bounds)

    def __repr__(self) -> str:
        g = self.direction if isinstance(self.direction, str) else "user"
        return (
            f"DDF(n={self.data.n}, inputs={list(self.data.inputs)}, "
            f"outputs={list(self.data.outputs)}, rts={self.rts!r}, direction={g!r}, "
            f"undesirable={list(self.undesirable)})"
        )

    def _resolve_bad(self, undesirable: Any) -> tuple[Hashable, ...]:
        if undesirable is None:
            return ()
        names = [undesirable] if isinstance(undesirable, str) else list(undesirable)
        unknown = [c for c in names if c not in self.data.outputs]
        if unknown:
            raise InputDataError(
                f"undesirable output(s) {format_labels(unknown)} are not among the outputs "
                f"{format_labels(self.data.outputs)}; list them in outputs too"
            )
        return tuple(dict.fromkeys(names))

    def _resolve_direction(self, direction: Any) -> np.ndarray:
        """The direction g per unit, user units, shape (n, m + s)."""
        d = self.data
        cols = [*d.inputs, *d.outputs]
        k = len(cols)
        if isinstance(direction, str):
            rule = direction.lower()
            if rule not in DIRECTIONS:
                raise InputDataError(
                    f"direction={direction!r} is not allowed; use one of {DIRECTIONS}, a "
                    "mapping {column: value}, or an array / DataFrame of directions"
                )
            G = np.hstack([d.X, d.Y])
            if rule == "inputs":
                G[:, d.m :] = 0.0
            elif rule == "outputs":
                G[:, : d.m] = 0.0
            elif rule == "unit":
                G = np.ones((d.n, k))
        else:
            G = per_column_values(direction, d, "direction", item="value", column="column")
            if G.ndim == 1:
                G = np.tile(G, (d.n, 1))
        check_nonnegative(
            G,
            d,
            "direction for {} is",
            "directions must be finite and >= 0 (the sign is set by the role: "
            "inputs and undesirable outputs go down, good outputs go up)",
        )
        zero = (G == 0).all(axis=1)
        if zero.any():
            raise InputDataError(
                f"the direction is zero for every input and output of unit(s) "
                f"{format_labels(d.labels[zero])}; beta would be unbounded"
            )
        return G

    def _family(self, scaled: bool = True) -> tuple[_DDFFamily, dict[str, np.ndarray]]:
        a = self._scaled()
        d, r = self.data, self.reference_data
        col_scale = np.concatenate([a["sx"], a["sy"]])
        if not scaled:
            a.update(sx=np.ones(d.m), sy=np.ones(d.s), Xe=d.X, Ye=d.Y, Xr=r.X, Yr=r.Y)
        m, s = d.m, d.s
        bad = np.array([c in self.undesirable for c in d.outputs], dtype=bool)
        coef = np.concatenate([np.ones(m), np.where(bad, 1.0, -1.0)])
        upper = np.full(m + s, np.inf)
        if self.disposability == "weak":
            upper[m:][bad] = 0.0
        # beta's coefficient: +g (inputs, bad outputs: go down), -g (good outputs: go up)
        sign = np.concatenate([np.ones(m), np.where(bad, 1.0, -1.0)])
        # assurance regions: one column per restriction row (Radial's pattern; cost 0)
        rows = (
            restriction_rows(
                [*d.inputs, *d.outputs],
                np.concatenate([a["sx"], a["sy"]]),
                ratio_bounds=self.ratio_bounds,
            )
            if self.ratio_bounds is not None
            else []
        )
        q = len(rows)
        cost = np.zeros(m + s + 1 + q)
        cost[m + s] = 1.0
        block = np.zeros((m + s, 1 + q))
        if q:
            block[:, 1:] = restriction_columns(rows, m)
        env = build_envelope(
            a["Xr"],
            a["Yr"],
            self.rts,
            slack_coef=coef,
            slack_upper=upper,
            extra_names=("beta", *(f"restriction_{r.label}" for r in rows)),
            extra_lower=np.concatenate([[-np.inf], np.zeros(q)]),
            extra_upper=np.full(1 + q, np.inf),
            extra_block=block,
            cost=cost,
            sense="max",
            names=self._names(),
            name=f"ddf_{self.rts}",
        )
        scale = np.concatenate([a["sx"], a["sy"]])
        # phase 2: sum of slacks each divided by its column mean (in whatever units the
        # LP is written: scaled for the engine, the user's for export_lp)
        slack_cost = np.where(upper > 0, 1.0, 0.0) * scale / col_scale
        family = _DDFFamily(
            env, a["Xe"], a["Ye"], self._G / scale, sign, slack_cost, self.two_phase
        )
        a["bad"] = bad
        a["restrictions"] = rows
        return family, a

    def _lp_family(self) -> LPFamily:
        """The LPs of :meth:`fit` in user units and names (for :func:`dea.export_lp`)."""
        return self._family(scaled=False)[0]

    def fit(self) -> InefficiencyResult:
        """Solve one DDF LP (two with phase 2) per unit.

        Returns
        -------
        InefficiencyResult
            ``scores`` (beta), ``slacks``, ``targets``, ``inefficiency``, ``direction``,
            ``lambdas``, ``peers``, ``status`` indexed by the unit labels;
            ``efficient`` is ``beta == 0``.

        Warns
        -----
        InfeasibleUnitWarning
            Some LPs are not optimal (e.g. infeasible against a ``reference`` set under
            VRS): those units keep their row with NaN numbers and their status.
        """
        family, a = self._family()
        env = family.env
        batch = self._solve(family, a["Xe"], a["Ye"])
        status = np.asarray(batch.status, dtype=object)
        lam, slk, extras = self._split(env, batch)
        d = self.data
        m = d.m
        scale = np.concatenate([a["sx"], a["sy"]])
        slacks = clean_slacks(slk, scale)
        beta = np.asarray(batch.objective, dtype=float).copy()
        beta[np.abs(beta) <= EFFICIENCY_TOL] = 0.0
        G = self._G
        obs = np.hstack([d.X, d.Y])
        ineff = beta[:, None] * G + slacks
        down = np.concatenate([np.ones(m, dtype=bool), a["bad"]])
        targets = np.where(down, obs - ineff, obs + ineff)
        ok = status == "optimal"
        ineff[~ok] = np.nan
        extra: dict[str, Any] = {}
        if a["restrictions"]:
            # multiplier weights = row duals (max LP): v = y_x, u = -y_y (scaled data)
            du = np.asarray(batch.row_duals, dtype=float)
            ws = np.hstack([du[:, :m], -du[:, m : m + d.s]])
            extra = restriction_report(a["restrictions"], ws, extras[:, 1:], ok)
            W = ws / scale
            W[~ok] = np.nan
            extra["weight_values"] = W + 0.0
        warn_not_optimal(d.labels, status, stacklevel=3)
        return self._result(
            scores=beta,
            objective=batch.objective,
            status=status,
            lam=lam,
            slacks=slacks,
            targets=targets,
            info={
                "direction": self.direction if isinstance(self.direction, str) else "user",
                "undesirable": list(self.undesirable),
                "disposability": self.disposability if self.undesirable else None,
                "two_phase": self.two_phase,
            },
            cls=InefficiencyResult,
            direction_values=G.copy(),
            inefficiency_values=ineff,
            **extra,
        )
