"""Aggregation of normalised indicators into one score.

Every aggregator works on float arrays (units in rows, indicators in columns, higher =
better, NaN = missing) and has three entry points:

* ``aggregate(values, weights)``: one weight vector ``(m,)`` -> scores ``(n,)``;
* ``aggregate_runs(values, weights)``: a stack of weight vectors ``(r, m)`` -> scores
  ``(r, n)``, vectorised across runs (for Monte Carlo sensitivity analysis);
* ``aggregate_units(values, weights)``: one weight vector per unit ``(n, m)`` -> ``(n,)``
  (for unit-specific weights such as benefit of the doubt).

Calling the aggregator object on a DataFrame and a weight Series returns a labelled Series.

Missing values are handled by re-weighting: a unit's weights are rescaled over the
indicators it has, so the score is the weighted mean of what is present (OECD/JRC 2008,
Step 3 "case deletion vs. re-weighting").

Each aggregator declares the scale levels it is meaningful for (``accepts``), and how
compensatory it is (``compensability``: ``"full"``, ``"partial"`` or ``"none"``).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing, Paris. Section 1.6 (aggregation), Box 18 (Condorcet/Copeland).

Mazziotta, M. and Pareto, A. (2016). On a generalized non-compensatory composite index for
measuring socio-economic phenomena. *Social Indicators Research* 127(3), 983-1003.

Munda, G. and Nardo, M. (2009). Noncompensatory/nonlinear composite indicators for ranking
countries: a defensible setting. *Applied Economics* 41(12), 1513-1523.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from weighting.estimator import Estimator, Registry
from weighting.exceptions import (
    InputDataError,
    ScaleLevelError,
    ScaleLevelWarning,
    _check_labels,
    format_labels,
)
from weighting.indicators import (
    INTERVAL_UP,
    ORDINAL_UP,
    RATIO_ONLY,
    Scale,
    _scale_violation,
    check_scale,
)

__all__ = [
    "AGGREGATORS",
    "Aggregator",
    "ArithmeticMean",
    "Borda",
    "Copeland",
    "GeometricMean",
    "HarmonicMean",
    "MazziottaPareto",
    "PowerMean",
    "get_aggregator",
    "power_mean",
]

_CHUNK_ELEMENTS = 4_000_000  # cap on temporary array sizes (floats) in pairwise methods


# ---------------------------------------------------------------------------------------------
# weight checks
# ---------------------------------------------------------------------------------------------
def _check_values(values: object) -> np.ndarray:
    X = np.asarray(values, dtype=float)
    if X.ndim != 2:
        raise InputDataError(
            f"values must be a 2-D array (units x indicators), got shape {X.shape}"
        )
    if np.isinf(X).any():
        raise InputDataError("values contain infinite numbers; give finite numbers or NaN")
    return X


def _check_weights(weights: object, m: int, ndim: int, what: str = "weights") -> np.ndarray:
    W = np.asarray(weights, dtype=float)
    if W.ndim != ndim or W.shape[-1] != m:
        expected = "(m,)" if ndim == 1 else "(k, m)"
        raise InputDataError(
            f"{what} must have shape {expected} with m = {m} indicators, got {W.shape}"
        )
    if not np.isfinite(W).all():
        raise InputDataError(f"{what} contain missing or infinite numbers")
    if (W < 0).any():
        idx = np.unique(np.nonzero(W < 0)[-1])
        raise InputDataError(
            f"{what} are negative for indicator position(s) {format_labels(idx.tolist())}; "
            "weights must be >= 0"
        )
    sums = W.sum(axis=-1)
    if (sums <= 0).any():
        raise InputDataError(f"{what} are all zero (in at least one row); some must be > 0")
    return W


# ---------------------------------------------------------------------------------------------
# the generalised (power) mean: the work horse
# ---------------------------------------------------------------------------------------------
def _forward(X: np.ndarray, p: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            return X
        if p == 0:
            return np.log(X)
        return np.power(X, p)


def _inverse(Y: np.ndarray, p: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 1:
            return Y
        if p == 0:
            return np.exp(Y)
        return np.power(Y, 1.0 / p)


def _power_mean_runs(X: np.ndarray, W: np.ndarray, p: float) -> np.ndarray:
    """(n, m) x (r, m) -> (r, n), NaN re-weighted."""
    present = ~np.isnan(X)
    if math.isinf(p):
        out = np.empty((W.shape[0], X.shape[0]))
        for r in range(W.shape[0]):
            out[r] = _extreme(X, W[r], p)
        return out
    F = _forward(X, p)
    infinite = present & np.isinf(F)  # zeros under p <= 0: log 0 = -inf, 0**p = inf
    F0 = np.where(present & ~infinite, F, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = W @ F0.T
        if present.all():  # common case: the weight totals do not depend on the unit
            den = np.broadcast_to(W.sum(axis=1)[:, None], num.shape)
        else:
            den = W @ present.T.astype(float)
        mean = num / den
    if infinite.any():
        # a zero with positive weight pulls the mean to its limit: 0 for p <= 0
        hit = ((W > 0).astype(float) @ infinite.T.astype(float)) > 0
        mean = np.where(hit, -np.inf if p == 0 else np.inf, mean)
    mean[den <= 0] = np.nan
    return _inverse(mean, p)


def _power_mean_units(X: np.ndarray, W: np.ndarray, p: float) -> np.ndarray:
    """(n, m) x (n, m) -> (n,), NaN re-weighted."""
    present = ~np.isnan(X)
    if math.isinf(p):
        return np.array([_extreme(X[i : i + 1], W[i], p)[0] for i in range(X.shape[0])])
    F = _forward(X, p)
    infinite = present & np.isinf(F)
    Wp = np.where(present, W, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = Wp.sum(axis=1)
        mean = (Wp * np.where(present & ~infinite, F, 0.0)).sum(axis=1) / den
    hit = ((Wp > 0) & infinite).any(axis=1)
    mean = np.where(hit, -np.inf if p == 0 else np.inf, mean)
    mean[den <= 0] = np.nan
    return _inverse(mean, p)


def _extreme(X: np.ndarray, w: np.ndarray, p: float) -> np.ndarray:
    cols = w > 0
    sub = X[:, cols]
    all_nan = np.isnan(sub).all(axis=1)
    out = np.full(X.shape[0], np.nan)
    if (~all_nan).any():
        fn = np.nanmax if p > 0 else np.nanmin
        out[~all_nan] = fn(sub[~all_nan], axis=1)
    return out


def power_mean(values: object, weights: object, p: float = 1.0) -> np.ndarray:
    """Weighted generalised (power) mean of each row, NaN re-weighted.

    Parameters
    ----------
    values : array-like, shape (n, m)
        Units x indicators; NaN means missing.
    weights : array-like, shape (m,) or (r, m)
        Non-negative weights; a 2-D stack gives one row of scores per weight vector.
    p : float, default 1
        Exponent: 1 arithmetic, 0 geometric, -1 harmonic, ``inf`` max, ``-inf`` min.

    Returns
    -------
    numpy.ndarray
        Shape (n,) for 1-D weights, (r, n) for a stack.

    Raises
    ------
    InputDataError
        For shape mismatches, negative or all-zero weights, or negative values when
        ``p != 1``.

    Notes
    -----
    .. math:: M_p(x; w) = \\Big(\\sum_j w_j x_j^p \\big/ \\sum_j w_j\\Big)^{1/p},
              \\qquad M_0 = \\exp\\Big(\\sum_j w_j \\ln x_j \\big/ \\sum_j w_j\\Big)

    with sums over the indicators present for the unit. :math:`M_p` is non-decreasing in
    :math:`p` (power mean inequality) and lies between the smallest and largest value.
    """
    X = _check_values(values)
    if p != 1 and (X < 0).any():
        raise InputDataError(
            f"a power mean with exponent {p:g} needs non-negative values; found negatives "
            "(normalise to a non-negative range such as min-max first)"
        )
    W = np.asarray(weights, dtype=float)
    if W.ndim == 1:
        W = _check_weights(W, X.shape[1], 1)
        return _power_mean_runs(X, W[None, :], p)[0]
    W = _check_weights(W, X.shape[1], 2)
    return _power_mean_runs(X, W, p)


# ---------------------------------------------------------------------------------------------
# base class
# ---------------------------------------------------------------------------------------------
class Aggregator(Estimator):
    """Base class of aggregation methods.

    Hyperparameters are the keyword arguments of ``__init__``, stored unchanged (so
    :class:`~weighting.estimator.Estimator` gives ``get_params``, ``set_params``,
    ``clone``, ``to_spec``, equality and ``repr``).

    Attributes
    ----------
    name : str
        Registry name.
    accepts : frozenset of Scale
        Scale levels of the (normalised) values for which the method is meaningful.
    compensability : {"full", "partial", "none"}
        Whether a deficit in one indicator can be offset by a surplus in another: fully
        (linear), partially (geometric, harmonic, MPI), or not at all (rank-based
        outranking methods).
    linear : bool
        True if the score is the weighted sum of values, so that contributions
        (weight x value) add up to it.
    positive : bool
        True if values must be strictly positive (zeros are a scale violation).
    relative : bool
        True if a unit's score depends on the other units (Borda, Copeland): it is then
        computed against a reference set.
    """

    name: ClassVar[str] = ""
    accepts: ClassVar[frozenset[Scale]] = INTERVAL_UP
    compensability: ClassVar[str] = "full"
    linear: ClassVar[bool] = False
    positive: ClassVar[bool] = False
    relative: ClassVar[bool] = False

    # -- checks -----------------------------------------------------------------------------
    def check(
        self,
        values: pd.DataFrame,
        scales: Mapping[str, Scale] | None = None,
        *,
        allow_scale_violations: bool = False,
    ) -> None:
        """Check scale levels and value ranges before aggregating.

        Parameters
        ----------
        values : pd.DataFrame
            The (normalised) values to aggregate, indicators in columns.
        scales : mapping, optional
            Indicator -> scale level of ``values`` (after normalisation).
        allow_scale_violations : bool, default False
            Warn instead of raising.

        Raises
        ------
        ScaleLevelError
            If an indicator's scale is not accepted, or (for methods needing positive
            values) it holds zeros: the message names the indicator and units.
        InputDataError
            If values are negative where the method needs non-negative values.
        """
        bad = [
            (str(col), Scale.parse(scale))
            for col, scale in (scales or {}).items()
            if Scale.parse(scale) not in self.accepts
        ]
        if len(bad) == 1:
            check_scale(bad[0][0], bad[0][1], self.accepts, f"the {self.label}",
                        allow=allow_scale_violations, hint=self._scale_hint())
        elif bad:
            allowed = ", ".join(s.value for s in Scale if s in self.accepts)
            listed = ", ".join(f"{c!r} ({s.value})" for c, s in bad[:5])
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            msg = (
                f"the {self.label} is not meaningful for indicators {listed}{more}; it "
                f"accepts {allowed} indicators"
            )
            _scale_violation(msg, self._scale_hint(), allow_scale_violations, stacklevel=3)
        needs_nonneg = self._needs_nonnegative()
        if not (self.positive or needs_nonneg):
            return
        for col in values.columns:
            v = values[col].to_numpy(dtype=float, na_value=np.nan)
            neg = v < 0
            if neg.any():
                raise InputDataError(
                    f"the {self.label} needs non-negative values, but indicator {col!r} is "
                    f"negative at units {format_labels(values.index[neg])}; normalise it to a "
                    "positive range (e.g. min-max 1-100)"
                )
            if self.positive:
                zero = v == 0
                if zero.any():
                    msg = (
                        f"the {self.label} of indicator {col!r} is not meaningful with zeros "
                        f"(units {format_labels(values.index[zero])}): one zero sets the "
                        "score to 0 whatever the other indicators; normalise to a positive "
                        "range (e.g. min-max 1-100)"
                    )
                    if allow_scale_violations:
                        warnings.warn(msg + " (allowed by allow_scale_violations)",
                                      ScaleLevelWarning, stacklevel=2)
                    else:
                        raise ScaleLevelError(
                            msg + "; or pass allow_scale_violations=True"
                        )

    def _needs_nonnegative(self) -> bool:
        return False

    def _scale_hint(self) -> str:
        if self.accepts == RATIO_ONLY:
            return (
                "min-max, z-score, rank and point normalisations give interval values; keep "
                "a ratio scale with normalisation 'target' (x / target) or 'none' on ratio "
                "data, or use the arithmetic mean"
            )
        return (
            "ordinal codes need a point map ('points') or a rank-based normalisation "
            "('rank', 'percentile', 'quantile'), or a rank-based aggregation ('borda', "
            "'copeland')"
        )

    @property
    def label(self) -> str:
        """Readable name for messages."""
        return self.name

    # -- array API --------------------------------------------------------------------------
    def aggregate(
        self, values: object, weights: object, *, reference: object | None = None
    ) -> np.ndarray:
        """Scores of each unit for one weight vector.

        Parameters
        ----------
        values : array-like, shape (n, m)
            Normalised values (NaN = missing).
        weights : array-like, shape (m,)
            Non-negative weights (need not sum to 1).
        reference : array-like, shape (k, m), optional
            Reference units, for relative methods (Borda, Copeland); default ``values``.

        Returns
        -------
        numpy.ndarray, shape (n,)

        Raises
        ------
        InputDataError
            For shape mismatches and invalid weights.
        """
        values, weights, reference = _align_labelled(values, weights, reference, 1)
        X = _check_values(values)
        w = _check_weights(weights, X.shape[1], 1)
        return self.aggregate_runs(X, w[None, :], reference=reference)[0]

    def aggregate_runs(
        self, values: object, weights: object, *, reference: object | None = None
    ) -> np.ndarray:
        """Scores for a stack of weight vectors at once.

        Parameters
        ----------
        values : array-like, shape (n, m)
        weights : array-like, shape (r, m)
            One weight vector per run.
        reference : array-like, shape (k, m), optional
            Reference units for relative methods.

        Returns
        -------
        numpy.ndarray, shape (r, n)
            Row ``k`` equals ``aggregate(values, weights[k])``.
        """
        values, weights, reference = _align_labelled(values, weights, reference, 2)
        X = _check_values(values)
        W = _check_weights(weights, X.shape[1], 2)
        R = X if reference is None else _check_values(reference)
        if R.shape[1] != X.shape[1]:
            raise InputDataError(
                f"reference has {R.shape[1]} indicators but values have {X.shape[1]}"
            )
        out = self._runs(X, W, R)
        # a unit with values only where the weights are zero has no score (not, e.g., a tie)
        blind = ((~np.isnan(X)).astype(float) @ W.T).T <= 0
        if blind.any():
            out = np.where(blind, np.nan, out)
        return out

    def aggregate_units(
        self, values: object, weights: object, *, reference: object | None = None
    ) -> np.ndarray:
        """Scores with one weight vector per unit (unit-specific weights).

        Parameters
        ----------
        values : array-like, shape (n, m)
        weights : array-like, shape (n, m)
            Row ``i`` holds unit ``i``'s weights.
        reference : array-like, shape (k, m), optional

        Returns
        -------
        numpy.ndarray, shape (n,)
        """
        if isinstance(values, pd.DataFrame) and isinstance(weights, pd.DataFrame):
            _check_labels(weights.index, values.index,
                          unknown="unit weights name unknown units {}",
                          missing="unit weights miss units {}",
                          tail="; give one row of weights per unit of values")
            weights = weights.loc[values.index]
        values, weights, reference = _align_labelled(values, weights, reference, 2)
        X = _check_values(values)
        W = _check_weights(weights, X.shape[1], 2, what="unit weights")
        if W.shape[0] != X.shape[0]:
            raise InputDataError(
                f"unit weights have {W.shape[0]} rows but values have {X.shape[0]} units"
            )
        R = X if reference is None else _check_values(reference)
        out = self._units(X, W, R)
        blind = ((~np.isnan(X)) * W).sum(axis=1) <= 0
        return np.where(blind, np.nan, out) if blind.any() else out

    def _runs(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _units(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        out = np.empty(X.shape[0])
        for i in range(X.shape[0]):
            out[i] = self._runs(X[i : i + 1], W[i : i + 1], R)[0, 0]
        return out

    # -- pandas API -------------------------------------------------------------------------
    def __call__(
        self,
        values: pd.DataFrame,
        weights: pd.Series | Mapping[str, float] | None = None,
        *,
        reference: pd.DataFrame | None = None,
        scales: Mapping[str, Scale] | None = None,
        allow_scale_violations: bool = False,
    ) -> pd.Series:
        """Aggregate a labelled table.

        Parameters
        ----------
        values : pd.DataFrame
            Normalised values, units x indicators.
        weights : Series or mapping, optional
            Indicator -> weight; default equal. Must name exactly the columns of ``values``.
        reference : pd.DataFrame, optional
            Reference units for relative methods (same columns).
        scales : mapping, optional
            Indicator -> scale level, checked against ``accepts``.
        allow_scale_violations : bool, default False
            Warn instead of raising on scale violations.

        Returns
        -------
        pd.Series
            Score per unit, indexed like ``values``.

        Raises
        ------
        InputDataError
            If weights name unknown indicators or miss some, or are negative.
        ScaleLevelError
            See :meth:`check`.
        """
        if not isinstance(values, pd.DataFrame):
            raise InputDataError(f"values must be a DataFrame, got {type(values).__name__}")
        cols = list(values.columns)
        w = _weights_for(weights, cols)
        self.check(values, scales, allow_scale_violations=allow_scale_violations)
        ref = None
        if reference is not None:
            missing = [c for c in cols if c not in reference.columns]
            if missing:
                raise InputDataError(
                    f"reference lacks indicators {format_labels(missing)}"
                )
            ref = reference[cols].to_numpy(dtype=float, na_value=np.nan)
        X = values.to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(self.aggregate(X, w, reference=ref), index=values.index,
                         name="score")


def _align_labelled(
    values: object, weights: object, reference: object, ndim: int
) -> tuple[object, object, object]:
    """Align labelled weights (Series, mapping, DataFrame) and a reference DataFrame on the
    columns of a values DataFrame, so that the array API never pairs numbers by position
    when the user gave labels."""
    if not isinstance(values, pd.DataFrame):
        return values, weights, reference
    cols = list(values.columns)
    if ndim == 1 and isinstance(weights, pd.Series | Mapping):
        weights = _weights_for(weights, cols)
    elif ndim == 2 and isinstance(weights, pd.DataFrame):
        _check_labels(weights.columns, cols, unknown="weights name unknown indicators {}",
                      missing="weights miss indicators {}",
                      tail=f"; indicators are {format_labels(cols)}")
        weights = weights[cols].to_numpy(dtype=float)
    if isinstance(reference, pd.DataFrame):
        missing = [c for c in cols if c not in reference.columns]
        if missing:
            raise InputDataError(f"reference lacks indicators {format_labels(missing)}")
        reference = reference[cols].to_numpy(dtype=float, na_value=np.nan)
    return values.to_numpy(dtype=float, na_value=np.nan), weights, reference


def _weights_for(weights: object, cols: list) -> np.ndarray:
    if weights is None:
        return np.full(len(cols), 1.0 / len(cols))
    s = pd.Series(weights, dtype=float) if isinstance(weights, Mapping) else weights
    if not isinstance(s, pd.Series):
        arr = np.asarray(s, dtype=float)
        if arr.shape != (len(cols),):
            raise InputDataError(
                f"weights must give one number per indicator ({len(cols)}), got shape "
                f"{arr.shape}"
            )
        return arr
    _check_labels(s.index, cols, unknown="weights name unknown indicators {}",
                  missing="weights miss indicators {}",
                  tail=f"; indicators are {format_labels(cols)}")
    arr = s.reindex(cols).to_numpy(dtype=float)
    neg = [c for c, v in zip(cols, arr, strict=True) if v < 0]
    if neg:
        raise InputDataError(f"weights of {format_labels(neg)} are negative; weights must be >= 0")
    return arr


# ---------------------------------------------------------------------------------------------
# means
# ---------------------------------------------------------------------------------------------
class PowerMean(Aggregator):
    """Weighted generalised mean with exponent ``p``.

    Parameters
    ----------
    p : float, default 1
        1 arithmetic (fully compensatory), 0 geometric, -1 harmonic; smaller ``p`` means
        less compensation; ``-inf`` is the minimum (none).

    Notes
    -----
    .. math:: M_p = \\Big(\\sum_j w_j x_j^p / \\sum_j w_j\\Big)^{1/p}

    over the indicators present. Arithmetic (``p = 1``) is meaningful for interval data;
    every other exponent needs ratio-scale, non-negative values (positive for
    ``p <= 0``), since the result changes with the origin of the scale.

    References
    ----------
    OECD/JRC (2008), Section 6.1; Hardy, Littlewood and Polya (1934), *Inequalities*, ch. 2.
    """

    name = "power"

    def __init__(self, p: float = 1.0) -> None:
        self.p = p

    @property
    def accepts(self) -> frozenset[Scale]:  # type: ignore[override]
        return INTERVAL_UP if float(self.p) == 1 else RATIO_ONLY

    @property
    def positive(self) -> bool:  # type: ignore[override]
        return float(self.p) <= 0

    @property
    def linear(self) -> bool:  # type: ignore[override]
        return float(self.p) == 1

    @property
    def compensability(self) -> str:  # type: ignore[override]
        p = float(self.p)
        return "full" if p >= 1 else ("none" if p == -math.inf else "partial")

    @property
    def label(self) -> str:
        return {1.0: "arithmetic mean", 0.0: "geometric mean", -1.0: "harmonic mean"}.get(
            float(self.p), f"power mean (p={float(self.p):g})"
        )

    def _needs_nonnegative(self) -> bool:
        return float(self.p) != 1

    def _runs(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        p = float(self.p)
        if p != 1 and (X < 0).any():
            raise InputDataError(
                f"the {self.label} needs non-negative values; found negatives (normalise to "
                "a positive range first)"
            )
        return _power_mean_runs(X, W, p)

    def _units(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        return _power_mean_units(X, W, float(self.p))


class _FixedPowerMean(PowerMean):
    """A power mean whose exponent is fixed by the class (no parameters)."""

    _fixed_p: float

    def __init__(self) -> None:
        self.p = self._fixed_p

    def get_params(self) -> dict[str, Any]:
        return {}


class ArithmeticMean(_FixedPowerMean):
    """Weighted arithmetic mean (linear, fully compensatory).

    Notes
    -----
    :math:`y_i = \\sum_j w_j x_{ij} / \\sum_j w_j` over the indicators present for unit
    :math:`i`. Meaningful for interval and ratio data (OECD/JRC 2008, Section 6.1).
    """

    name = "arithmetic"
    _fixed_p = 1.0


class GeometricMean(_FixedPowerMean):
    """Weighted geometric mean (partially compensatory; ratio scale, positive values).

    Notes
    -----
    :math:`y_i = \\prod_j x_{ij}^{w_j / \\sum w}`. A zero value makes the score zero
    whatever the other indicators, so zeros are refused (a :class:`ScaleLevelError`)
    unless explicitly allowed.
    """

    name = "geometric"
    _fixed_p = 0.0


class HarmonicMean(_FixedPowerMean):
    """Weighted harmonic mean (less compensatory than geometric; positive ratio values).

    Notes
    -----
    :math:`y_i = \\sum_j w_j / \\sum_j (w_j / x_{ij})`.
    """

    name = "harmonic"
    _fixed_p = -1.0


class MazziottaPareto(Aggregator):
    """Mazziotta-Pareto Index (MPI): the mean penalised by horizontal variability.

    Parameters
    ----------
    penalty : {"negative", "positive"}, default "negative"
        ``"negative"`` (MPI-) for an index where higher is better: unbalanced profiles are
        penalised downwards. ``"positive"`` (MPI+) for a "bad" phenomenon.

    Notes
    -----
    Values are expected on the MPI standardised scale
    :math:`z_{ij} = 100 + 10 (x_{ij} - M_{x_j}) / S_{x_j}` (see
    :class:`~weighting.normalise.MPIStandardise`). For unit :math:`i`, with weights
    :math:`w_j` rescaled to sum one over the indicators present,

    .. math:: M_{z_i} = \\sum_j w_j z_{ij}, \\quad
              S_{z_i} = \\sqrt{\\textstyle\\sum_j w_j (z_{ij} - M_{z_i})^2}, \\quad
              cv_i = S_{z_i} / M_{z_i},

    .. math:: \\mathrm{MPI}^{\\pm}_i = M_{z_i} (1 \\pm cv_i^2) = M_{z_i} \\pm S_{z_i} cv_i .

    With equal weights this is the formula of Mazziotta and Pareto (2016, eq. 2), with
    population (divide-by-n) standard deviations; with weights, mean and variance are
    weighted. (The R package Compind's ``ci_mpi`` uses sample, n - 1, standard deviations
    in both steps, so its values differ slightly.) Hence MPI- <= the arithmetic mean of the
    standardised values, with equality only for units with a flat profile.

    References
    ----------
    Mazziotta, M. and Pareto, A. (2016). On a generalized non-compensatory composite index
    for measuring socio-economic phenomena. *Social Indicators Research* 127(3), 983-1003.
    """

    name = "mpi"
    compensability = "partial"
    accepts = INTERVAL_UP

    def __init__(self, penalty: str = "negative") -> None:
        self.penalty = penalty

    @property
    def label(self) -> str:
        return "Mazziotta-Pareto index"

    def _sign(self) -> float:
        if self.penalty not in ("negative", "positive"):
            raise InputDataError(
                f"penalty must be 'negative' or 'positive', got {self.penalty!r}"
            )
        return -1.0 if self.penalty == "negative" else 1.0

    def _finish(self, mean: np.ndarray, second: np.ndarray) -> np.ndarray:
        if (mean[np.isfinite(mean)] <= 0).any():
            raise InputDataError(
                "the Mazziotta-Pareto index needs positive mean values (use the MPI "
                "standardisation, mean 100 and sd 10)"
            )
        var = np.clip(second - mean**2, 0.0, None)
        return mean + self._sign() * var / mean

    def _runs(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        present = ~np.isnan(X)
        X0 = np.where(present, X, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            den = W @ present.T.astype(float)
            mean = (W @ X0.T) / den
            second = (W @ (X0**2).T) / den
        mean[den <= 0] = np.nan
        return self._finish(mean, second)

    def _units(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        present = ~np.isnan(X)
        Wp = np.where(present, W, 0.0)
        X0 = np.where(present, X, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            den = Wp.sum(axis=1)
            mean = (Wp * X0).sum(axis=1) / den
            second = (Wp * X0**2).sum(axis=1) / den
        mean[den <= 0] = np.nan
        return self._finish(mean, second)


# ---------------------------------------------------------------------------------------------
# non-compensatory, rank based
# ---------------------------------------------------------------------------------------------
class _OrderBased(Aggregator):
    """Parameter-free, non-compensatory aggregators that use only the order of the values
    within each indicator, compared with a reference set."""

    accepts = ORDINAL_UP
    compensability = "none"
    relative = True

    def __init__(self) -> None:
        pass


class Borda(_OrderBased):
    """Weighted Borda count against a reference set (non-compensatory).

    Notes
    -----
    For unit :math:`i` and indicator :math:`j`, let :math:`B_{ij}` and :math:`E_{ij}` be
    the numbers of reference units with a value below and equal to :math:`x_{ij}`, and
    :math:`n_j` the number of reference units with a value. The score is the weighted mean
    of the Borda shares

    .. math:: b_i = \\sum_j w_j \\frac{B_{ij} + E_{ij}/2}{n_j} \\Big/ \\sum_j w_j ,

    in [0, 1]. When the reference set is the units themselves, :math:`n_j b_{ij} - 1/2`
    is the classic Borda count (units beaten, ties counting half), so the ranking is
    Borda's. Only the order of values within an indicator matters, so the result is
    invariant to any strictly increasing transformation of an indicator.

    References
    ----------
    OECD/JRC (2008), Section 6.1, Table 20 (Borda); de Borda (1784).
    """

    name = "borda"
    @property
    def label(self) -> str:
        return "Borda count"

    def _shares(self, X: np.ndarray, R: np.ndarray) -> np.ndarray:
        out = np.full(X.shape, np.nan)
        for j in range(X.shape[1]):
            ref = np.sort(R[~np.isnan(R[:, j]), j])
            if ref.size == 0:
                continue
            x = X[:, j]
            ok = ~np.isnan(x)
            below = np.searchsorted(ref, x[ok], side="left")
            upto = np.searchsorted(ref, x[ok], side="right")
            out[ok, j] = (below + 0.5 * (upto - below)) / ref.size
        return out

    def _runs(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        return _power_mean_runs(self._shares(X, R), W, 1.0)

    def _units(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        return _power_mean_units(self._shares(X, R), W, 1.0)


class Copeland(_OrderBased):
    """Copeland outranking score from pairwise weighted majorities (non-compensatory).

    Notes
    -----
    For unit :math:`a` and reference unit :math:`b`, the weight of the indicators in
    favour of :math:`a` (ties count half) is

    .. math:: e_{ab} = \\sum_j w_j \\big(1[x_{aj} > x_{bj}] + \\tfrac12 1[x_{aj} = x_{bj}]
              \\big) \\Big/ \\sum_j w_j ,

    summing over indicators present for both. :math:`a` beats :math:`b` if
    :math:`e_{ab} > 1/2`, loses if :math:`e_{ab} < 1/2`. The Copeland score is the number
    of wins minus the number of losses against the reference units, so a unit compared
    with itself counts zero. Weights act as importance coefficients (votes), never as
    trade-offs; the score depends only on the order of values within each indicator, so it
    is invariant to strictly increasing transformations of an indicator.

    Without missing values this is COINr's ``a_copeland()`` (outranking matrix from
    ``outrankMatrix()``, entries > 1/2 -> 1, < 1/2 -> -1, ties and the diagonal 0, row
    sums). With missing values we compare over the indicators present for both units and
    rescale the weights over them; COINr drops the missing comparisons without rescaling.

    References
    ----------
    Munda, G. and Nardo, M. (2009). Noncompensatory/nonlinear composite indicators for
    ranking countries: a defensible setting. *Applied Economics* 41(12), 1513-1523.
    OECD/JRC (2008), Section 6.1.3 and Box 18.
    """

    name = "copeland"
    @property
    def label(self) -> str:
        return "Copeland outranking score"

    def _chunks(self, n: int, per_row: int):
        size = max(1, _CHUNK_ELEMENTS // max(per_row, 1))
        for start in range(0, n, size):
            yield slice(start, min(n, start + size))

    def _runs(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        n, m = X.shape
        k = R.shape[0]
        r = W.shape[0]
        out = np.empty((r, n))
        for sl in self._chunks(n, k * max(m, r)):
            xa = X[sl][:, None, :]
            rb = R[None, :, :]
            # e_ab - 1/2 = (weight for a - weight against a) / (2 * total weight); its sign
            # decides, with a relative tolerance so that rounding never breaks a tie
            margin = np.sign(xa - rb)  # NaN where either value is missing
            margin = np.where(np.isnan(margin), 0.0, margin)
            diff = margin @ W.T  # (c, k, r)
            both = (~(np.isnan(xa) | np.isnan(rb))).astype(float)
            total = both @ W.T
            tol = 1e-12 * np.abs(W).sum(axis=1)
            wins = np.where(total > 0, np.sign(np.where(np.abs(diff) <= tol, 0.0, diff)), 0.0)
            out[:, sl] = wins.sum(axis=1).T
        return out

    def _units(self, X: np.ndarray, W: np.ndarray, R: np.ndarray) -> np.ndarray:
        out = np.empty(X.shape[0])
        for i in range(X.shape[0]):
            out[i] = self._runs(X[i : i + 1], W[i : i + 1], R)[0, 0]
        return out


#: registry name -> aggregator class (a :class:`~weighting.estimator.Registry`)
AGGREGATORS: Registry = Registry(
    "aggregation",
    Aggregator,
    (
        ArithmeticMean, GeometricMean, HarmonicMean, PowerMean, MazziottaPareto, Borda,
        Copeland,
    ),
    aliases={
        "mean": "arithmetic", "linear": "arithmetic", "additive": "arithmetic",
        "geometric_mean": "geometric", "harmonic_mean": "harmonic", "generalised": "power",
        "generalized": "power", "mazziotta_pareto": "mpi", "outranking": "copeland",
        "condorcet": "copeland",
    },
)


def get_aggregator(spec: str | Mapping[str, Any] | Aggregator, **params: Any) -> Aggregator:
    """Build an aggregator from a name, a dict spec or an instance.

    Parameters
    ----------
    spec : str, dict or Aggregator
        ``"geometric"``, ``{"method": "power", "p": 0.5}`` or an instance (cloned).
    **params
        Hyperparameters when ``spec`` is a name.

    Returns
    -------
    Aggregator

    Raises
    ------
    InputDataError
        For an unknown name or parameter.
    """
    return AGGREGATORS.build(spec, **params)
