"""Benefit of the doubt (BoD): DEA composite indicators with a unit dummy input.

Each unit is scored with the indicator weights that are most favourable to it, subject to
no unit scoring above one with those weights (Melyn & Moesen 1991; Cherchye et al. 2007).
The LPs are built once and solved through the solver protocol of :mod:`dea.solvers`, so
every backend (``"highs"`` with hot starts, ``"scipy"``, ``"pulp"``) and ``n_jobs`` work.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dea.exceptions import InfeasibleUnitWarning, InputDataError, format_labels
from dea.models._restrictions import Bounds, parse_bounds, ratio_coefficients, ratio_rows
from dea.results import _quantile_table, _SummaryDisplay
from dea.solvers.base import LPFamily, LPProblem, LPUpdate, solve_family

__all__ = ["BoD", "BoDResult", "PieShareZeroWarning"]


class PieShareZeroWarning(UserWarning):
    """A positive lower pie-share bound at own values forces some units' scores to zero."""


@dataclass(frozen=True, eq=False, repr=False)
class BoDResult(_SummaryDisplay):
    """Result of :meth:`BoD.fit`.

    Attributes
    ----------
    scores : pd.Series
        Composite indicator :math:`CI_o \\in [0, 1]` per unit (NaN if the LP failed).
    weights : pd.DataFrame
        Optimal weights :math:`w_{oj}` (units x indicators). Weights are often not unique
        (several optima); the solver returns one.
    pie_shares : pd.DataFrame
        :math:`w_{oj} y_{oj} / CI_o` (rows sum to one; NaN when the score is 0 or NaN).
    status : pd.Series
        Solver status per unit ("optimal", "infeasible", ...).

    Examples
    --------
    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"a": [1.0, 0.5], "b": [0.5, 1.0]}, index=["P", "Q"])
    >>> res = dea.BoD(df, indicators=["a", "b"]).fit()
    >>> res.scores.tolist(), res.status.tolist()
    ([1.0, 1.0], ['optimal', 'optimal'])
    """

    scores: pd.Series
    weights: pd.DataFrame
    pie_shares: pd.DataFrame
    status: pd.Series

    def summary(self) -> dict[str, Any]:
        """Key facts as a dict; drives both ``__repr__`` and ``_repr_html_``.

        Returns
        -------
        dict
            ``title``, ``rows`` (list of (name, value) pairs: units, indicators, counts,
            mean score, mean pie share per indicator) and ``table`` (score quantiles).
        """
        sc = self.scores.to_numpy(dtype=float)
        ok = np.isfinite(sc)
        shares = self.pie_shares.mean(axis=0, skipna=True)
        rows: list[tuple[str, Any]] = [
            ("units", len(sc)),
            ("indicators", ", ".join(map(str, self.weights.columns))),
            ("at the frontier (score = 1)", int(np.isclose(sc, 1.0, atol=1e-9, rtol=0).sum())),
            ("mean score", float(np.mean(sc[ok])) if ok.any() else float("nan")),
            ("not optimal", int((self.status != "optimal").sum())),
            ("mean pie shares", ", ".join(f"{k} {v:.3g}" for k, v in shares.items())),
        ]
        return {"title": "BoD result", "rows": rows, "table": _quantile_table(sc)}


class _UnitCost:
    """Picklable per-unit update: objective = own indicator values (+ own pie-share rows)."""

    def __init__(self, Y: np.ndarray, pie_rows: list[tuple[int, int, float]]) -> None:
        self.Y = Y
        self.pie_rows = pie_rows  # (row index, indicator j, bound) of the own-value rows

    def __call__(self, k: int) -> LPUpdate:
        y = self.Y[k]
        m = y.size
        rows, cols, vals = [], [], []
        for row, j, bound in self.pie_rows:
            # row: w_j y_j - bound * sum_l w_l y_l   (>= 0 for lower, <= 0 for upper)
            coef = -bound * y
            coef[j] += y[j]
            rows.extend([row] * m)
            cols.extend(range(m))
            vals.extend(coef.tolist())
        return LPUpdate(
            cost_index=np.arange(m),
            cost_values=y,
            coeff_rows=rows,
            coeff_cols=cols,
            coeff_values=vals,
        )


class _EnvelopmentUpdate:
    """Picklable per-unit update of the envelopment (dual) LP; see :func:`_envelopment`."""

    def __init__(
        self,
        Y: np.ndarray,
        lower: np.ndarray,
        pie_cols: list[tuple[int, int, float, float]],
    ) -> None:
        self.Y = Y
        self.lower = lower
        self.pie_cols = pie_cols  # (dual column, indicator j, bound, sign)

    def __call__(self, k: int) -> LPUpdate:
        y = self.Y[k]
        m = y.size
        rows, cols, vals, cidx, cval = [], [], [], [], []
        for col, j, bound, sign in self.pie_cols:
            r = -bound * y
            r[j] += y[j]
            g = sign * r  # the multiplier row as "g @ w <= 0"
            rows.extend(range(m))
            cols.extend([col] * m)
            vals.extend(g.tolist())
            cidx.append(col)
            cval.append(float(-(g @ self.lower)))
        return LPUpdate(
            row_index=np.arange(m),
            row_lower=y,
            row_upper=np.full(m, np.inf),
            coeff_rows=rows,
            coeff_cols=cols,
            coeff_values=vals,
            cost_index=cidx,
            cost_values=cval,
        )


def _envelopment(
    problem: LPProblem, Y: np.ndarray, pie_rows: list[tuple[int, int, float]]
) -> LPFamily:
    """LP dual of the multiplier problem, so that units differ only in row bounds.

    Writing every multiplier constraint as :math:`g_i w \\le h_i` (ranged rows split, upper
    weight bounds as rows) and substituting :math:`w = L + v` for the lower weight bounds
    :math:`L`, the multiplier LP :math:`\\max y_o^T w` becomes
    :math:`y_o^T L + \\max\\{y_o^T v : G v \\le h - G L,\\ v \\ge 0\\}`, whose dual is

    .. math:: \\min_{u \\ge 0} (h - G L)^T u \\quad\\text{s.t.}\\quad G^T u \\ge y_o.

    It has one row per indicator (few) and one column per multiplier constraint (one per
    unit plus restrictions); per unit only the row bounds ``y_o`` (and the columns of the
    own-value pie-share rows) change, so the previous basis stays dual feasible and the
    dual simplex hot-starts. The weights are :math:`w = L + v`, with :math:`v` the row
    duals.
    """
    A = problem.A.toarray()
    lower = problem.col_lower.copy()
    m = A.shape[1]
    own = {row: (j, bound) for row, j, bound in pie_rows}
    G: list[np.ndarray] = []
    h: list[float] = []
    pie_cols: list[tuple[int, int, float, float]] = []
    for i in range(A.shape[0]):
        for bound_value, sign in ((problem.row_upper[i], 1.0), (problem.row_lower[i], -1.0)):
            if not np.isfinite(bound_value):
                continue
            if i in own:
                j, b = own[i]
                pie_cols.append((len(G), j, b, sign))
            G.append(sign * A[i])
            h.append(sign * float(bound_value))
    for j in range(m):
        if np.isfinite(problem.col_upper[j]):
            e = np.zeros(m)
            e[j] = 1.0
            G.append(e)
            h.append(float(problem.col_upper[j]))
    Gm = np.vstack(G)
    cost = np.asarray(h) - Gm @ lower
    dual = LPProblem(
        A=sp.csc_matrix(Gm.T),
        row_lower=Y.mean(axis=0),
        row_upper=np.full(m, np.inf),
        col_lower=np.zeros(Gm.shape[0]),
        col_upper=np.full(Gm.shape[0], np.inf),
        cost=cost,
        sense="min",
        name="bod_envelopment",
    )
    return LPFamily(dual, Y.shape[0], unit_update=_EnvelopmentUpdate(Y, lower, pie_cols))


#: statuses of the envelopment LP, translated to statuses of the unit's BoD problem
_DUAL_STATUS = {"unbounded": "infeasible", "infeasible": "unbounded"}


class BoD:
    """Benefit-of-the-doubt composite indicator (DEA with a unit dummy input).

    Parameters
    ----------
    data : pd.DataFrame
        Units in rows (index = unit labels); must contain the ``indicators`` columns,
        normalised so that higher is better, non-negative, finite.
    indicators : sequence of column names
        The sub-indicators to aggregate.
    weight_bounds : (L, U) or mapping indicator -> (L, U), optional
        Absolute bounds :math:`L_j \\le w_j \\le U_j` (``None`` = no bound). Note that the
        scale of ``w`` depends on the scale of the data (see Notes).
    share_bounds : (L, U) or mapping, optional
        Weight-share bounds :math:`L_j \\le w_j / \\sum_k w_k \\le U_j`.
    ratio_bounds : mapping (j, k) -> (L, U), optional
        Assurance-region ratios :math:`L \\le w_j / w_k \\le U`.
    pie_share_bounds : (L, U) or mapping, optional
        Pie-share bounds :math:`L_j \\le w_j y_j / \\sum_k w_k y_k \\le U_j`, at the unit's
        own values (``pie_share_at="own"``, Wong & Beasley 1990) or at the average unit
        (``"average"``).
    pie_share_at : {"own", "average"}, default "own"
        Where pie shares are bounded: at each evaluated unit's own values :math:`y_{oj}`
        (the restriction rows change from unit to unit) or at the indicator means
        :math:`\\bar y_j` (the same rows for every unit).
    solver : str, default "highs"
        Backend of :mod:`dea.solvers` (``"highs"``, ``"scipy"``, ``"pulp"``).
    n_jobs : int, default 1
        Parallel workers (joblib), results identical for any value.
    form : {"auto", "envelopment", "multiplier"}, default "auto"
        Which LP is handed to the solver: the multiplier LP below, or its LP dual (one row
        per indicator; per unit only the right-hand side changes, so HiGHS hot starts are
        cheap: 1.5-2.7x faster than the multiplier form on 1000 units x 8 indicators).
        ``"auto"`` uses the envelopment form with ``solver="highs"`` and the multiplier
        form otherwise (backends that rebuild the LP per unit prefer fewer columns). Both
        give the same scores; the weights are the multiplier LP's solution (for the
        envelopment form, the duals of its rows), one of possibly several optima.

    Raises
    ------
    InputDataError
        Bad data (missing columns, non-numeric, NaN, negative, duplicate labels) or
        restrictions that cannot all hold (lower above upper; lower shares summing above
        one or upper shares below one; unknown indicators), detected before solving.

    Warns
    -----
    PieShareZeroWarning
        With a positive lower pie-share bound at own values, a unit with a zero on that
        indicator can only satisfy it with a zero composite: its score is 0.
    InfeasibleUnitWarning
        Some units' LPs were infeasible (possible with absolute weight bounds); their
        scores are NaN.

    Notes
    -----
    For unit :math:`o` with indicator values :math:`y_{oj}` (CCR, output orientation,
    multiplier form, every unit having the same dummy input 1):

    .. math::

        CI_o = \\max_{w} \\sum_j w_j y_{oj}
        \\quad\\text{s.t.}\\quad \\sum_j w_j y_{kj} \\le 1 \\;\\; (k = 1..n),\\quad w \\ge 0,

    plus, optionally, all linear after multiplying out:

    - :math:`L_j \\le w_j \\le U_j` (column bounds);
    - :math:`w_j - L_j \\sum_k w_k \\ge 0`, :math:`w_j - U_j \\sum_k w_k \\le 0`;
    - :math:`w_j - L w_k \\ge 0`, :math:`w_j - U w_k \\le 0`;
    - :math:`w_j y_{oj} - L_j \\sum_k w_k y_{ok} \\ge 0` and the same with :math:`U_j`,
      ``\\le 0`` (own values, coefficients change per unit), or with :math:`\\bar y`.

    Unrestricted or with pie-share bounds, the score is invariant to rescaling an
    indicator (the weight absorbs it). Weight-share and ratio bounds are invariant only to
    rescaling every indicator by the same factor (they compare weights of different
    indicators), absolute weight bounds to neither, so prefer pie-share restrictions
    (Cherchye et al. 2007, section 4). The score equals the CCR
    output-oriented efficiency :math:`1/\\phi^*` with a single unit input.

    Without restrictions the LP dual ("envelopment form": one row per indicator, one
    column per unit) is the CCR output-oriented envelopment LP with the dummy input,

    .. math::

        CI_o = \\min_{\\lambda \\ge 0} \\sum_k \\lambda_k
        \\quad\\text{s.t.}\\quad \\sum_k \\lambda_k y_{kj} \\ge y_{oj} \\;\\; (j = 1..m);

    with restrictions each restriction row of the multiplier LP adds a column (lower weight
    bounds :math:`L` are substituted out as :math:`w = L + v`; see
    :func:`dea.models.bod._envelopment`).  The weights reported are the multiplier
    solution: the row duals of the envelopment LP plus :math:`L`.

    Numerically, each indicator is divided by its largest value before solving and the
    restrictions are rewritten for the weights of the rescaled data (the weights reported
    are mapped back), so without restrictions or with pie-share bounds the LP solved, and
    hence the scores, do not depend on the units of the indicators; by
    default HiGHS solves the LP dual ("envelopment form", see ``form``), whose per-unit
    changes are right-hand sides only.

    References
    ----------
    Melyn, W. & Moesen, W. (1991). Towards a synthetic indicator of macroeconomic
    performance: unequal weighting when limited information is available. Public
    Economics Research Paper 17, KU Leuven.
    Cherchye, L., Moesen, W., Rogge, N. & Van Puyenbroeck, T. (2007). An introduction to
    'benefit of the doubt' composite indicators. Social Indicators Research 82, 111-145.
    Wong, Y.-H. B. & Beasley, J. E. (1990). Restricting weight flexibility in data
    envelopment analysis. Journal of the Operational Research Society 41, 829-835.

    Examples
    --------
    Three units, two indicators; each unit picks its most favourable weights:

    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"a": [1.0, 0.5, 0.4], "b": [0.2, 1.0, 0.4]},
    ...                   index=["P", "Q", "R"])
    >>> res = dea.BoD(df, indicators=["a", "b"]).fit()
    >>> res.scores.round(4).tolist()  # R: 0.4 * (8/9 + 5/9) = 52/90
    [1.0, 1.0, 0.5778]
    >>> res.pie_shares.sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0]

    Pie shares between 0.4 and 0.6 at each unit's own values pull P below one (its
    strength is ``a``; with ``a``'s share at most 0.6, Q's constraint binds and
    :math:`CI_P = 2.5 / 5.75 = 10/23`):

    >>> bounded = dea.BoD(df, indicators=["a", "b"], pie_share_bounds=(0.4, 0.6)).fit()
    >>> round(float(bounded.scores["P"]), 4)
    0.4348
    """

    #: Names of the keyword options after ``indicators`` (weight restrictions, solver,
    #: n_jobs, form), for wrappers that store and forward them, e.g.
    #: ``BoD(df, indicators=cols, **{k: getattr(obj, k) for k in BoD.OPTIONS})``.
    OPTIONS: tuple[str, ...] = (
        "weight_bounds",
        "share_bounds",
        "ratio_bounds",
        "pie_share_bounds",
        "pie_share_at",
        "solver",
        "n_jobs",
        "form",
    )

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        indicators: Sequence[Hashable],
        weight_bounds: Bounds | None = None,
        share_bounds: Bounds | None = None,
        ratio_bounds: Mapping[tuple[Hashable, Hashable], tuple[float | None, float | None]]
        | None = None,
        pie_share_bounds: Bounds | None = None,
        pie_share_at: Literal["own", "average"] = "own",
        solver: str = "highs",
        n_jobs: int = 1,
        form: Literal["auto", "envelopment", "multiplier"] = "auto",
    ) -> None:
        self.data = data
        self.indicators = indicators
        values = locals()
        for name in self.OPTIONS:
            setattr(self, name, values[name])

    def __repr__(self) -> str:
        shape = getattr(self.data, "shape", ("?", "?"))
        extras = [
            name
            for name in ("weight_bounds", "share_bounds", "ratio_bounds", "pie_share_bounds")
            if getattr(self, name) is not None
        ]
        return (
            f"BoD(<{shape[0]} units>, indicators={list(self.indicators)!r}, "
            f"restrictions={extras or 'none'}, solver={self.solver!r})"
        )

    # -- validation -------------------------------------------------------------------------
    def _arrays(self) -> tuple[np.ndarray, pd.Index, list[Hashable]]:
        data = self.data
        if not isinstance(data, pd.DataFrame):
            raise InputDataError(
                f"data must be a pandas DataFrame with one row per unit, got {type(data).__name__}"
            )
        inds = [self.indicators] if isinstance(self.indicators, str) else list(self.indicators)
        if not inds:
            raise InputDataError("indicators is empty; give at least one column name")
        if len(set(inds)) != len(inds):
            raise InputDataError("indicators names a column more than once")
        missing = [c for c in inds if c not in data.columns]
        if missing:
            raise InputDataError(
                f"indicator column(s) {format_labels(missing)} not found in data; available "
                f"columns: {format_labels(data.columns, 10)}"
            )
        if data.index.has_duplicates:
            raise InputDataError(
                f"duplicate unit labels {format_labels(data.index[data.index.duplicated()])}; "
                "labels must be unique"
            )
        if len(data) == 0:
            raise InputDataError("data has no units")
        cols = []
        for c in inds:
            s = data[c]
            if isinstance(s, pd.DataFrame):
                raise InputDataError(f"column {c!r} appears more than once in data")
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
                raise InputDataError(f"indicator {c!r} is not numeric (dtype {s.dtype})")
            v = s.to_numpy(dtype=float, na_value=np.nan)
            bad = ~np.isfinite(v)
            if bad.any():
                raise InputDataError(
                    f"indicator {c!r} has missing or infinite values for units "
                    f"{format_labels(data.index[bad])}; BoD needs finite numbers"
                )
            if (v < 0).any():
                raise InputDataError(
                    f"indicator {c!r} is negative for units {format_labels(data.index[v < 0])}; "
                    "BoD needs non-negative, higher-is-better indicators (normalise first)"
                )
            cols.append(v)
        Y = np.column_stack(cols).astype(float)
        zero_cols = [c for c, v in zip(inds, cols, strict=True) if not (v > 0).any()]
        if zero_cols:
            raise InputDataError(
                f"indicators {format_labels(zero_cols)} are zero for every unit; drop them"
            )
        return np.ascontiguousarray(Y), pd.Index(data.index).copy(), inds

    @staticmethod
    def _bounds(
        spec: Bounds | None, inds: list[Hashable], name: str
    ) -> tuple[np.ndarray, np.ndarray]:
        return parse_bounds(spec, inds, name)

    @staticmethod
    def _check_shares(lo: np.ndarray, hi: np.ndarray, inds: list[Hashable], name: str) -> None:
        if np.nansum(lo) > 1 + 1e-12:
            raise InputDataError(
                f"{name}: the lower bounds sum to {np.nansum(lo):.4g} > 1, so no weights can "
                "satisfy them (shares sum to one); lower them"
            )
        if not np.isnan(hi).any() and hi.sum() < 1 - 1e-12:
            raise InputDataError(
                f"{name}: the upper bounds sum to {hi.sum():.4g} < 1, so no weights can satisfy "
                "them (shares sum to one); raise them"
            )
        over = [inds[j] for j in range(len(inds)) if not np.isnan(hi[j]) and hi[j] > 1]
        if over:
            raise InputDataError(f"{name} for {format_labels(over)} exceed 1; shares are <= 1")

    # -- LP ---------------------------------------------------------------------------------
    def _build(
        self, Y: np.ndarray, inds: list[Hashable], scale: np.ndarray | None = None
    ) -> tuple[LPFamily, list[int], list[tuple[int, int, float]]]:
        """Base LP and per-unit updates; also returns the units caught by the pie trap.

        ``Y`` is the data with indicator ``j`` divided by ``scale[j]``; the LP's weights are
        then ``v_j = scale[j] * w_j`` and every restriction on ``w`` is written in ``v``.
        """
        n, m = Y.shape
        scale = np.ones(m) if scale is None else np.asarray(scale, dtype=float)
        inv = 1.0 / scale
        rows: list[np.ndarray] = [Y]  # sum_j w_j y_kj <= 1
        rl: list[float] = [-np.inf] * n
        ru: list[float] = [1.0] * n
        names = [f"unit_{k}" for k in range(n)]

        def add(coef: np.ndarray, lo: float, hi: float, nm: str) -> int:
            rows.append(coef[None, :])
            rl.append(lo)
            ru.append(hi)
            names.append(nm)
            return len(rl) - 1

        # absolute bounds -> column bounds
        wlo, whi = self._bounds(self.weight_bounds, inds, "weight_bounds")
        # the LP sees Y / scale, so its weights are scale * w
        col_lower = np.where(np.isnan(wlo), 0.0, wlo * scale)
        col_upper = np.where(np.isnan(whi), np.inf, whi * scale)

        # weight-share bounds
        slo, shi = self._bounds(self.share_bounds, inds, "share_bounds")
        if self.share_bounds is not None:
            self._check_shares(slo, shi, inds, "share_bounds")
        for j in range(m):
            for bound, is_lower in ((slo[j], True), (shi[j], False)):
                if np.isnan(bound):
                    continue
                # w_j - L sum_k w_k, with w = v / scale (rows rescaled to max |coef| = 1)
                coef = -bound * inv
                coef[j] += inv[j]
                coef = coef / np.abs(coef).max()
                if is_lower:
                    add(coef, 0.0, np.inf, f"share_lo_{j}")
                else:
                    add(coef, -np.inf, 0.0, f"share_hi_{j}")

        # assurance-region ratios (parsed and checked by the shared restriction parser)
        for rr in ratio_rows(self.ratio_bounds, inds):
            coef = ratio_coefficients(rr, inv)
            if rr.lower:
                add(coef, 0.0, np.inf, f"ratio_lo_{rr.a}_{rr.b}")
            else:
                add(coef, -np.inf, 0.0, f"ratio_hi_{rr.a}_{rr.b}")

        # pie-share bounds
        if self.pie_share_at not in ("own", "average"):
            raise InputDataError(
                f"pie_share_at must be 'own' or 'average', got {self.pie_share_at!r}"
            )
        plo, phi = self._bounds(self.pie_share_bounds, inds, "pie_share_bounds")
        pie_rows: list[tuple[int, int, float]] = []
        trapped: set[int] = set()
        if self.pie_share_bounds is not None:
            self._check_shares(plo, phi, inds, "pie_share_bounds")
            ref = Y.mean(axis=0)
            for j in range(m):
                for bound, is_lower in ((plo[j], True), (phi[j], False)):
                    if (
                        np.isnan(bound)
                        or (is_lower and bound == 0)
                        or (not is_lower and bound >= 1)
                    ):
                        continue
                    coef = -bound * ref
                    coef[j] += ref[j]
                    lo_b, hi_b = (0.0, np.inf) if is_lower else (-np.inf, 0.0)
                    row = add(coef, lo_b, hi_b, f"pie_{'lo' if is_lower else 'hi'}_{j}")
                    if self.pie_share_at == "own":
                        pie_rows.append((row, j, float(bound)))
            if self.pie_share_at == "own":
                for j in range(m):
                    if not np.isnan(plo[j]) and plo[j] > 0:
                        trapped.update(np.flatnonzero(Y[:, j] == 0).tolist())
        A = sp.csc_matrix(np.vstack(rows))
        problem = LPProblem(
            A=A,
            row_lower=np.asarray(rl),
            row_upper=np.asarray(ru),
            col_lower=col_lower,
            col_upper=col_upper,
            cost=Y.mean(axis=0),
            sense="max",
            col_names=tuple(f"w_{j}" for j in range(m)),
            row_names=tuple(names),
            name="bod",
        )
        family = LPFamily(problem, n, unit_update=_UnitCost(Y, pie_rows))
        return family, sorted(trapped), pie_rows

    def fit(self) -> BoDResult:
        """Solve one LP per unit.

        Returns
        -------
        BoDResult
            Scores, weights, pie shares and statuses, indexed by the unit labels.

        Raises
        ------
        InputDataError
            See the class docstring.
        SolverError
            The backend cannot be used at all.
        """
        Y, labels, inds = self._arrays()
        if self.form not in ("auto", "envelopment", "multiplier"):
            raise InputDataError(
                f"form must be 'auto', 'envelopment' or 'multiplier', got {self.form!r}"
            )
        form = self.form
        if form == "auto":
            form = "envelopment" if self.solver == "highs" else "multiplier"
        # Each indicator is divided by its largest value, so the LP is the same whatever the
        # units of the indicators (scores and pie shares are invariant to them; the LP's
        # weights are scale * w and every restriction is written in those weights).
        scale = Y.max(axis=0)
        Ys = Y / scale
        family, trapped, pie_rows = self._build(Ys, inds, scale)
        lower = family.problem.col_lower.copy()
        if form == "envelopment":
            family = _envelopment(family.problem, Ys, pie_rows)
        if trapped:
            warnings.warn(
                f"units {format_labels(labels[trapped])} have a zero on an indicator "
                "with a positive lower pie-share bound at own values; the only feasible "
                "composite for them is 0, so they score 0 (consider pie_share_at='average')",
                PieShareZeroWarning,
                stacklevel=2,
            )
        batch = solve_family(family, solver=self.solver, n_jobs=self.n_jobs, dense_x=True)
        m = Y.shape[1]
        if form == "multiplier":
            status = np.asarray(batch.status, dtype=object)
            objective = np.asarray(batch.objective, dtype=float)
            W = np.asarray(batch.x, dtype=float)
        else:
            status = np.array([_DUAL_STATUS.get(x, x) for x in batch.status], dtype=object)
            objective = np.asarray(batch.objective, dtype=float) + Ys @ lower
            W = lower + np.clip(np.asarray(batch.row_duals, dtype=float)[:, :m], 0.0, None)
        ok = status == "optimal"
        W[~ok] = np.nan
        W = np.where(np.abs(W) < 1e-13, 0.0, W)
        scores = np.where(ok, objective, np.nan)
        # tiny solver overshoots: clip to [0, 1]
        scores = np.where(ok, np.clip(scores, 0.0, 1.0), np.nan)
        W = W / scale
        contrib = W * Y
        with np.errstate(invalid="ignore", divide="ignore"):
            pies = contrib / contrib.sum(axis=1, keepdims=True)
        pies[~(scores > 1e-12)] = np.nan
        bad = ~ok
        if bad.any():
            warnings.warn(
                f"BoD LPs were not solved to optimality for units "
                f"{format_labels(labels[bad])} (status "
                f"{format_labels(sorted(set(status[bad].tolist())))}); their scores are NaN. "
                "Absolute weight bounds are the usual cause",
                InfeasibleUnitWarning,
                stacklevel=2,
            )
        cols = pd.Index(inds)
        return BoDResult(
            scores=pd.Series(scores, index=labels, name="bod"),
            weights=pd.DataFrame(W, index=labels, columns=cols),
            pie_shares=pd.DataFrame(pies, index=labels, columns=cols),
            status=pd.Series(status.astype(str), index=labels, name="status"),
        )
