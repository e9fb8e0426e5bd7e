"""Normalisation of indicators against a reference set.

Every normaliser is a small fit/transform object: ``fit`` learns the scale (minimum and
maximum, mean and standard deviation, quantiles, ...) on a *reference* set of units, and
``transform`` applies it to any units, so a scale calibrated on a universe rates a new unit
in the same terms. Direction is applied here: after normalisation higher is always better.

Each normaliser declares the scale levels it accepts (``accepts``) and the scale level of
what it returns (:meth:`Normaliser.output_scale`); fitting on an indicator of another scale
raises :class:`~weighting.exceptions.ScaleLevelError` unless explicitly allowed.

==========================  =========================  ==================================
class (registry name)        accepts                    formula (higher is better)
==========================  =========================  ==================================
MinMax ``minmax``            interval, ratio            (x - min) / (max - min)
ZScore ``zscore``            interval, ratio            (x - mean) / sd
MPIStandardise ``mpi``       interval, ratio            100 + 10 (x - mean) / sd_pop
Rank ``rank``                ordinal and up             mid-rank among reference values
PercentileRank ``percentile`` ordinal and up            (below + equal / 2) / n_ref
QuantileClasses ``quantile`` ordinal and up             1 + number of reference quantiles
                                                         below x (e.g. quintile 1..5);
                             (interval and up)          or of moment cuts mean + sd z_k
Goalposts ``goalposts``      interval, ratio            (x - L) / (U - L), clipped
DistanceToTarget ``target``  ratio                      x / target
RatioToBest ``ratio_to_best`` ratio (interval: log)     max(q, f) / max_ref q, q = x, 1 - x,
                                                         1 / x, e^x or e^-x
AboveBelowMean ``above_mean`` ratio                   +1 / 0 / -1: x / mean above 1 + p,
                                                         within, below 1 - p
PointMap ``points``          all                        user-given points per category
Identity ``none``            all                        x
==========================  =========================  ==================================

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing, Paris. Section 1.5 and Table 3 (normalisation methods).

Mazziotta, M. and Pareto, A. (2016). On a generalized non-compensatory composite index for
measuring socio-economic phenomena. *Social Indicators Research* 127(3), 983-1003.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from weighting.estimator import Estimator, Registry
from weighting.exceptions import (
    ConstantIndicatorError,
    InputDataError,
    format_labels,
)
from weighting.indicators import (
    ALL_SCALES,
    INTERVAL_UP,
    ORDINAL_UP,
    RATIO_ONLY,
    Direction,
    Indicator,
    IndicatorSet,
    Scale,
    _check_categories,
    _match_keys,
    check_scale,
)

__all__ = [
    "NORMALISERS",
    "AboveBelowMean",
    "DistanceToTarget",
    "Goalposts",
    "Identity",
    "MPIStandardise",
    "MinMax",
    "Normaliser",
    "PercentileRank",
    "PointMap",
    "QuantileClasses",
    "Rank",
    "RatioToBest",
    "ZScore",
    "get_normaliser",
    "normalise",
]


class Normaliser(Estimator):
    """Base class: a normalisation fitted on a reference set and applied to any units.

    Subclasses store their hyperparameters unchanged under the ``__init__`` argument names
    (so :class:`~weighting.estimator.Estimator` gives ``get_params``, ``set_params``,
    ``clone``, ``to_spec``, equality and ``repr``) and implement ``_fit(values)`` and
    ``_transform(values)`` on float arrays in which lower-is-better indicators have already
    been sign-flipped where that is meaningful.

    Attributes
    ----------
    name : str
        Registry name (``"minmax"``, ...).
    accepts : frozenset of Scale
        Scale levels the method is meaningful for.
    needs_reference : bool
        Whether :meth:`fit` needs a non-missing reference value (``Identity`` learns
        nothing, so an all-missing reference column is fine for it).
    indicator_ : str
        After fit: the indicator name.
    direction_ : Direction
        After fit: the direction applied.
    scale_ : Scale
        After fit: the input scale level.
    """

    name: ClassVar[str] = ""
    accepts: ClassVar[frozenset[Scale]] = ALL_SCALES
    #: whether the method needs numbers (False for point maps)
    numeric: ClassVar[bool] = True
    #: whether fitting needs at least one reference value (False when nothing is learnt)
    needs_reference: ClassVar[bool] = True

    def _accepts(self) -> frozenset[Scale]:
        """Scale levels accepted with these hyperparameters (default: ``accepts``)."""
        return self.accepts

    def output_scale(self, scale: Scale) -> Scale:
        """Scale level of the normalised values given the input scale.

        Rank-based methods return the share (or count) of reference units outranked, a
        quantity with equal units: its sums are Borda counts. They are treated as interval.
        """
        return Scale.INTERVAL

    # -- fit / transform --------------------------------------------------------------------
    def fit(
        self,
        x: pd.Series,
        *,
        direction: Direction | str = "higher",
        scale: Scale | str | None = None,
        indicator: Indicator | None = None,
        allow_scale_violations: bool = False,
    ) -> Normaliser:
        """Learn the scale from reference values ``x``.

        Parameters
        ----------
        x : pd.Series
            Reference values of one indicator (NaN ignored).
        direction : {"higher", "lower"}, default "higher"
            Whether higher raw values are better; the output is always higher = better.
        scale : Scale or str, optional
            Scale level of the indicator (default ratio for numbers, nominal otherwise).
        indicator : Indicator, optional
            Metadata; overrides ``direction`` and ``scale`` and names the indicator.
        allow_scale_violations : bool, default False
            Warn instead of raising if the scale level is not accepted.

        Returns
        -------
        Normaliser
            ``self``.

        Raises
        ------
        ScaleLevelError
            If the indicator's scale level is not in ``accepts``.
        ConstantIndicatorError
            If the method needs spread and the reference values are constant.
        InputDataError
            If values are not numeric where numbers are needed, or too few are present.
        """
        series = _as_series(x)
        name = str(series.name) if series.name is not None else "x"
        if indicator is not None:
            name = indicator.name
            direction = indicator.direction
            scale = indicator.scale
        self.indicator_ = name
        self.direction_ = Direction.parse(direction)
        if scale is None:
            scale = Scale.RATIO if pd.api.types.is_numeric_dtype(series) else Scale.NOMINAL
        self.scale_ = Scale.parse(scale)
        check_scale(
            name, self.scale_, self._accepts(), f"{self.name} normalisation",
            allow=allow_scale_violations,
            hint="categories need a point map ('points'); ordinal codes a rank-based method "
            "('rank', 'percentile', 'quantile')",
        )
        self._indicator = indicator
        self._codes: dict[Any, float] | None = None
        if (
            self.numeric
            and indicator is not None
            and indicator.categories is not None
            and self.scale_ is Scale.ORDINAL
            and not pd.api.types.is_numeric_dtype(series)
        ):
            # ordered categories (worst to best) stand for their positions 0, 1, 2, ...
            self._codes = {c: float(k) for k, c in enumerate(indicator.categories)}
        if self.numeric:
            values = self._to_numbers(series)
            present = values[~np.isnan(values)]
            if present.size == 0 and self.needs_reference:
                raise InputDataError(
                    f"indicator {name!r} has no non-missing reference values; {self.name} "
                    "normalisation needs at least one"
                )
            self._fit(present * self.direction_.sign)
        else:
            self._fit_raw(series)
        return self

    def transform(self, x: pd.Series) -> pd.Series:
        """Apply the fitted scale to values of any units.

        Parameters
        ----------
        x : pd.Series
            Values of the indicator (NaN stays NaN).

        Returns
        -------
        pd.Series
            Normalised values, higher = better, same index and name.

        Raises
        ------
        InputDataError
            If called before ``fit``, or values are not numeric where needed.
        """
        if not hasattr(self, "indicator_"):
            raise InputDataError(
                f"this {type(self).__name__} is not fitted yet; call fit(reference) first"
            )
        series = _as_series(x)
        if self.numeric:
            values = self._to_numbers(series) * self.direction_.sign
            out = self._transform(values)
        else:
            out = self._transform_raw(series)
        return pd.Series(out, index=series.index, name=series.name, dtype=float)

    def _to_numbers(self, series: pd.Series) -> np.ndarray:
        codes = getattr(self, "_codes", None)
        if codes is None:
            return _numeric(series, self.indicator_)
        present = series.dropna()
        unknown = present[~present.isin(list(codes))]
        if len(unknown):
            raise InputDataError(
                f"indicator {self.indicator_!r} has values "
                f"{format_labels(pd.unique(unknown.astype(str).to_numpy()))} that are not among "
                f"its categories {format_labels(list(codes))} (units "
                f"{format_labels(unknown.index)})"
            )
        return series.map(codes).to_numpy(dtype=float, na_value=np.nan)

    def fit_transform(self, x: pd.Series, **kwargs: Any) -> pd.Series:
        """``fit(x, **kwargs)`` then ``transform(x)``."""
        return self.fit(x, **kwargs).transform(x)

    # subclass hooks
    def _fit(self, values: np.ndarray) -> None:
        pass

    def _transform(self, values: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _fit_raw(self, series: pd.Series) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _transform_raw(self, series: pd.Series) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


def _as_series(x: object) -> pd.Series:
    if isinstance(x, pd.Series):
        return x
    if isinstance(x, pd.DataFrame):
        raise InputDataError(
            "a normaliser works on one indicator (a Series); use weighting.normalise() "
            "for a whole table"
        )
    return pd.Series(np.asarray(x))


def _numeric(series: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        try:
            values = pd.to_numeric(series, errors="raise").to_numpy(dtype=float)
        except (TypeError, ValueError):
            bad = series.dropna()
            raise InputDataError(
                f"indicator {name!r} holds non-numeric values such as "
                f"{format_labels(pd.unique(bad.astype(str).to_numpy())[:3])}; give numbers or "
                "use a point map ('points') for categories"
            ) from None
        return values
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        raise InputDataError(
            f"indicator {name!r} has infinite values at units "
            f"{format_labels(series.index[np.isinf(values)])}"
        )
    return values


class Identity(Normaliser):
    """No rescaling: the raw values (negated for lower-is-better indicators).

    Notes
    -----
    :math:`y = x` (higher is better) or :math:`y = -x` (lower is better). The output keeps
    the input scale level, except that a negated ratio scale becomes interval.
    """

    name = "none"
    accepts = ALL_SCALES
    needs_reference = False  # nothing is learnt: a reference without values is fine

    def __init__(self) -> None:
        pass

    def output_scale(self, scale: Scale) -> Scale:
        if getattr(self, "direction_", Direction.HIGHER) is Direction.LOWER and (
            scale is Scale.RATIO
        ):
            return Scale.INTERVAL
        return scale

    def _transform(self, values: np.ndarray) -> np.ndarray:
        return values


class MinMax(Normaliser):
    """Min-max rescaling to ``[low, high]`` using the reference minimum and maximum.

    Parameters
    ----------
    low, high : float, default 0 and 1
        Target range (for instance 0-100, or 1-100 before a geometric mean).
    clip : bool, default False
        Clip units outside the reference range to ``[low, high]``; otherwise they fall
        outside it (a new unit better than every reference unit scores above ``high``).

    Notes
    -----
    With reference minimum :math:`m` and maximum :math:`M`,

    .. math:: y = \\text{low} + (\\text{high} - \\text{low}) \\frac{x - m}{M - m}

    and for a lower-is-better indicator :math:`(M - x)/(M - m)` in place of the fraction.

    Raises
    ------
    ConstantIndicatorError
        At fit, if the reference values are constant (:math:`M = m`).
    """

    name = "minmax"
    accepts = INTERVAL_UP

    def __init__(self, low: float = 0.0, high: float = 1.0, clip: bool = False) -> None:
        self.low = low
        self.high = high
        self.clip = clip

    def _fit(self, values: np.ndarray) -> None:
        if not float(self.high) > float(self.low):
            raise InputDataError(
                f"MinMax needs high > low, got low={self.low!r}, high={self.high!r}"
            )
        self.min_ = float(values.min())
        self.max_ = float(values.max())
        if self.max_ - self.min_ <= 1e-12 * max(1.0, abs(self.max_)):
            raise ConstantIndicatorError(
                f"indicator {self.indicator_!r} is constant ({self.direction_.sign * self.min_:g})"
                " on the reference set, so min-max normalisation is undefined; drop it or "
                "use goalposts"
            )

    def _transform(self, values: np.ndarray) -> np.ndarray:
        y = (values - self.min_) / (self.max_ - self.min_)
        y = self.low + (self.high - self.low) * y
        if self.clip:
            y = np.clip(y, self.low, self.high)
        return y


class ZScore(Normaliser):
    """Standardisation with the reference mean and standard deviation.

    Parameters
    ----------
    mean, sd : float, default 0 and 1
        Location and spread of the output (``mean=100, sd=10`` is the Mazziotta-Pareto
        scale).
    ddof : int, default 1
        Delta degrees of freedom of the standard deviation (1: sample, 0: population).

    Notes
    -----
    .. math:: y = \\text{mean} + \\text{sd}\\,\\frac{s\\,x - \\mu}{\\sigma}

    with :math:`s = +1` (higher is better) or :math:`-1` (lower is better), and
    :math:`\\mu, \\sigma` the mean and standard deviation of :math:`s\\,x` on the reference.

    Raises
    ------
    ConstantIndicatorError
        At fit, if the reference standard deviation is zero.
    """

    name = "zscore"
    accepts = INTERVAL_UP

    def __init__(self, mean: float = 0.0, sd: float = 1.0, ddof: int = 1) -> None:
        self.mean = mean
        self.sd = sd
        self.ddof = ddof

    def _fit(self, values: np.ndarray) -> None:
        if values.size <= self.ddof:
            raise InputDataError(
                f"indicator {self.indicator_!r} has {values.size} reference value(s); a "
                f"standard deviation with ddof={self.ddof} needs more"
            )
        self.mu_ = float(values.mean())
        self.sigma_ = float(values.std(ddof=self.ddof))
        if self.sigma_ <= 1e-12 * max(1.0, abs(self.mu_)):
            raise ConstantIndicatorError(
                f"indicator {self.indicator_!r} is constant on the reference set (standard "
                "deviation 0), so its z-score is undefined; drop it or use another method"
            )

    def _transform(self, values: np.ndarray) -> np.ndarray:
        return self.mean + self.sd * (values - self.mu_) / self.sigma_


class MPIStandardise(ZScore):
    """The Mazziotta-Pareto standardisation: mean 100, standard deviation 10 (population).

    Notes
    -----
    :math:`z = 100 \\pm 10 (x - M_x)/S_x` with :math:`S_x` the population standard
    deviation (Mazziotta and Pareto 2016, eq. 1). Use with
    :class:`~weighting.aggregate.MazziottaPareto`.

    References
    ----------
    Mazziotta, M. and Pareto, A. (2016). On a generalized non-compensatory composite index
    for measuring socio-economic phenomena. *Social Indicators Research* 127(3), 983-1003.
    """

    name = "mpi"

    def __init__(self) -> None:
        super().__init__(mean=100.0, sd=10.0, ddof=0)

    def get_params(self) -> dict[str, Any]:
        return {}


class _RankBased(Normaliser):
    """Shared machinery: counts of reference values below / equal to each value."""

    accepts = ORDINAL_UP

    def _fit(self, values: np.ndarray) -> None:
        self.reference_ = np.sort(values)

    def _counts(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ref = self.reference_
        below = np.searchsorted(ref, values, side="left").astype(float)
        upto = np.searchsorted(ref, values, side="right").astype(float)
        nan = np.isnan(values)
        below[nan] = np.nan
        upto[nan] = np.nan
        return below, upto - below


class Rank(_RankBased):
    """Mid-rank of each value among the reference values (1 = worst).

    Notes
    -----
    With :math:`B(x)` reference values below :math:`x` and :math:`E(x)` equal to it,
    :math:`r(x) = B(x) + E(x)/2 + 1/2`. For the reference units themselves this is the
    usual average rank 1..n (ties share the mean rank); a new unit better than every
    reference unit gets :math:`n + 1/2`.
    """

    name = "rank"

    def __init__(self) -> None:
        pass

    def _transform(self, values: np.ndarray) -> np.ndarray:
        below, equal = self._counts(values)
        return below + 0.5 * equal + 0.5


class PercentileRank(_RankBased):
    """Percentile rank in the reference set, in [0, 1] (or [0, 100]).

    Parameters
    ----------
    scale : float, default 1
        Multiply by this (100 for percent).

    Notes
    -----
    :math:`p(x) = (B(x) + E(x)/2) / n` with :math:`B, E` the number of reference values
    below and equal to :math:`x`, and :math:`n` the number of reference values.
    """

    name = "percentile"

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def _transform(self, values: np.ndarray) -> np.ndarray:
        below, equal = self._counts(values)
        return self.scale * (below + 0.5 * equal) / self.reference_.size


class QuantileClasses(Normaliser):
    """Class points from reference cut points, e.g. quintile points 1..5.

    Parameters
    ----------
    n_classes : int, default 5
        Number of classes (5: quintiles, 4: quartiles, 10: deciles).
    points : sequence of float, optional
        Points of the classes from worst to best; default ``1, 2, ..., n_classes``.
    cuts : {"quantile", "moments"}, default "quantile"
        How the cut points are set: the reference quantiles at :math:`k/K`, or the
        parametric "moment classes" :math:`\\bar x + s\\,z_{k/K}` (reference mean, sample
        standard deviation and standard normal quantiles), which need interval or ratio
        values.

    Notes
    -----
    The cut points :math:`q_1 < \\dots < q_{K-1}` are computed on the raw values: the
    reference quantiles at :math:`1/K, \\dots, (K-1)/K` (linear interpolation, numpy's
    default) or :math:`q_k = \\bar x + s\\, \\Phi^{-1}(k/K)` with :math:`s` the sample
    standard deviation (``ddof = 1``). A value gets class :math:`1 + \\#\\{c : x > q_c\\}`;
    a value equal to a cut point falls in the lower class. For lower-is-better indicators
    the classes are counted on :math:`-x` against the cuts :math:`-q_c`, so the best class
    holds the smallest values. Quantile classes use only order (ordinal and up); moment
    classes use means and spreads (interval and up).

    Attributes
    ----------
    raw_cuts_ : np.ndarray
        After fit: :math:`q_1, \\dots, q_{K-1}` on the raw scale.
    cuts_ : np.ndarray
        After fit: the cuts on the higher-is-better scale (``-q`` reversed when lower is
        better).
    points_ : np.ndarray
        After fit: the points of the classes, worst to best.

    References
    ----------
    Meyer, J. and Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich
    (percentile and moment rating classes).
    """

    name = "quantile"
    accepts = ORDINAL_UP

    def __init__(
        self, n_classes: int = 5, points: list[float] | None = None, cuts: str = "quantile"
    ) -> None:
        self.n_classes = n_classes
        self.points = points
        self.cuts = cuts

    def _accepts(self) -> frozenset[Scale]:
        return INTERVAL_UP if self.cuts == "moments" else self.accepts

    def _fit(self, values: np.ndarray) -> None:
        if self.cuts not in ("quantile", "moments"):
            raise InputDataError(
                f"cuts of indicator {self.indicator_!r} must be 'quantile' or 'moments', got "
                f"{self.cuts!r}"
            )
        k = int(self.n_classes)
        if k < 2 or k != self.n_classes:
            raise InputDataError(f"n_classes must be an integer >= 2, got {self.n_classes!r}")
        pts = np.arange(1, k + 1, dtype=float) if self.points is None else np.asarray(
            self.points, dtype=float
        )
        if pts.shape != (k,) or not np.isfinite(pts).all():
            raise InputDataError(
                f"points must be {k} finite numbers (one per class), got {self.points!r}"
            )
        self.points_ = pts
        probs = np.arange(1, k) / k
        raw = values * self.direction_.sign  # the raw values (the base class flipped them)
        if self.cuts == "quantile":
            q = np.quantile(raw, probs)
        else:
            if raw.size < 2:
                raise InputDataError(
                    f"moment classes of indicator {self.indicator_!r} need at least two "
                    f"reference values, got {raw.size}"
                )
            q = raw.mean() + raw.std(ddof=1) * stats.norm.ppf(probs)
        self.raw_cuts_ = np.asarray(q, dtype=float)
        self.cuts_ = self.raw_cuts_ if self.direction_ is Direction.HIGHER else (
            -self.raw_cuts_
        )[::-1]

    def _transform(self, values: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.cuts_, values, side="left")
        out = self.points_[np.clip(idx, 0, len(self.points_) - 1)]
        out = out.astype(float)
        out[np.isnan(values)] = np.nan
        return out


class Goalposts(Normaliser):
    """Rescaling between fixed goalposts (minimum and target), as in the HDI.

    Parameters
    ----------
    lower, upper : float
        Goalposts in raw units: the worst and the best value that count. For a
        lower-is-better indicator ``lower`` is still the smaller number (it scores 1).
    scale : float, default 1
        Multiply by this (100 for 0-100 scores).
    clip : bool, default True
        Values beyond the goalposts score 0 or ``scale``.

    Notes
    -----
    .. math:: y = \\text{scale}\\,\\frac{x - L}{U - L}
              \\quad\\text{or, lower is better,}\\quad
              y = \\text{scale}\\,\\frac{U - x}{U - L}
    """

    name = "goalposts"
    accepts = INTERVAL_UP

    def __init__(
        self, lower: float = 0.0, upper: float = 1.0, scale: float = 1.0, clip: bool = True
    ) -> None:
        self.lower = lower
        self.upper = upper
        self.scale = scale
        self.clip = clip

    def _fit(self, values: np.ndarray) -> None:
        lo, hi = float(self.lower), float(self.upper)
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            raise InputDataError(
                f"goalposts of indicator {self.indicator_!r} must be finite with upper > "
                f"lower, got lower={self.lower!r}, upper={self.upper!r}"
            )

    def _transform(self, values: np.ndarray) -> np.ndarray:
        lo, hi = float(self.lower), float(self.upper)
        raw = values * self.direction_.sign
        frac = (raw - lo) / (hi - lo) if self.direction_ is Direction.HIGHER else (hi - raw) / (
            hi - lo
        )
        if self.clip:
            frac = np.clip(frac, 0.0, 1.0)
        return float(self.scale) * frac


class DistanceToTarget(Normaliser):
    """Ratio to a target: :math:`x / t` (higher is better) or :math:`t / x` (lower).

    Parameters
    ----------
    target : float, optional
        The target in raw units; default: the best reference value (maximum, or minimum
        for lower-is-better indicators).
    cap : float, optional
        Cap the result at this value (e.g. 1: exceeding the target earns nothing more).

    Notes
    -----
    A ratio of raw values is meaningful only on a ratio scale, so only ratio indicators are
    accepted; the result is itself on a ratio scale. For lower-is-better indicators values
    must be positive.

    Raises
    ------
    InputDataError
        If the target is not positive, or (lower is better) a value is not positive.
    """

    name = "target"
    accepts = RATIO_ONLY

    def __init__(self, target: float | None = None, cap: float | None = None) -> None:
        self.target = target
        self.cap = cap

    def output_scale(self, scale: Scale) -> Scale:
        return Scale.RATIO if scale is Scale.RATIO else Scale.INTERVAL

    def _fit(self, values: np.ndarray) -> None:
        raw = values * self.direction_.sign
        if self.target is None:
            t = raw.max() if self.direction_ is Direction.HIGHER else raw.min()
        else:
            t = float(self.target)
        if not (math.isfinite(t) and t > 0):
            raise InputDataError(
                f"the target of indicator {self.indicator_!r} is {t!r}; it must be a positive "
                "number"
            )
        self.target_ = float(t)

    def _transform(self, values: np.ndarray) -> np.ndarray:
        raw = values * self.direction_.sign
        if self.direction_ is Direction.HIGHER:
            y = raw / self.target_
        else:
            bad = raw <= 0
            if bad.any():
                raise InputDataError(
                    f"indicator {self.indicator_!r} (lower is better) has values <= 0 at "
                    f"{int(bad.sum())} unit(s); distance to target t/x needs positive values"
                )
            y = self.target_ / raw
        if self.cap is not None:
            y = np.minimum(y, float(self.cap))
        return y


#: how :class:`RatioToBest` turns a raw value x into a higher-is-better quantity with a true
#: zero, and the scale levels each transform needs
_RATIO_KINDS: dict[str, frozenset[Scale]] = {
    "value": RATIO_ONLY,
    "complement": RATIO_ONLY,
    "inverse": RATIO_ONLY,
    "exp": INTERVAL_UP,
    "exp_inverse": INTERVAL_UP,
}


class RatioToBest(Normaliser):
    """Ratio to the best reference value of a higher-is-better ratio-scale quantity.

    Parameters
    ----------
    kind : {"value", "complement", "inverse", "exp", "exp_inverse"}, default "value"
        How a raw value :math:`x` becomes a quantity :math:`q` with a true zero, higher is
        better: ``value`` :math:`q = x` (a ratio-scale, higher-is-better indicator);
        ``complement`` :math:`1 - x` (a lower-is-better fraction: the share not at risk);
        ``inverse`` :math:`1 / x` (another lower-is-better ratio; values must be > 0);
        ``exp`` :math:`e^x` and ``exp_inverse`` :math:`e^{-x}` (an interval indicator that
        is the log of a ratio-scale count, higher or lower is better).
    kinds : mapping, optional
        Indicator name -> kind, overriding ``kind`` for those indicators (so one normaliser
        can serve a whole table, e.g. in :func:`normalise`).
    floor : float, default 0.5
        Values of :math:`q` below ``floor`` times the smallest positive reference
        :math:`q` are raised to it.

    Notes
    -----
    .. math:: r = \\frac{\\max(q, f)}{\\max_{\\mathrm{ref}} q}, \\qquad
              f = \\mathrm{floor} \\cdot \\min_{\\mathrm{ref}} \\{q : q > 0\\}

    Products and ratios of the result mean something (ratio scale), so it is the input of
    a geometric mean, which min-max, z-score and rank normalisations are not (OECD/JRC
    2008, section 6.2). The best reference value scores 1; the target only rescales all
    scores of the indicator by one constant, so ranks under a weighted geometric mean do
    not depend on it. A zero :math:`q` (no women borrowers; the whole portfolio at risk)
    would set a geometric mean to 0 whatever the other indicators; the floor keeps it
    below every positive value seen in the reference but bounds its penalty. The
    ``complement`` of a fraction is used rather than :math:`t / x` because the best value
    of a lower-is-better fraction is often 0. The kind must fit the indicator's scale
    level (ratio for ``value``, ``complement`` and ``inverse``; interval for the
    exponentials), and its direction: ``value`` and ``exp`` are for higher-is-better
    indicators, the others for lower-is-better ones.

    Raises
    ------
    InputDataError
        An unknown kind, a kind against the indicator's direction, a non-positive value
        under ``inverse``, or no positive reference :math:`q`.
    ScaleLevelError
        A kind that does not fit the indicator's scale level.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, sections 5 and 6.2.
    """

    name = "ratio_to_best"
    accepts = INTERVAL_UP

    def __init__(
        self, kind: str = "value", kinds: Mapping[str, str] | None = None, floor: float = 0.5
    ) -> None:
        self.kind = kind
        self.kinds = kinds
        self.floor = floor

    def _kind(self) -> str:
        kind = (self.kinds or {}).get(getattr(self, "indicator_", None), self.kind)
        if kind not in _RATIO_KINDS:
            raise InputDataError(
                f"ratio_to_best: the kind of indicator {getattr(self, 'indicator_', '?')!r} "
                f"is {kind!r}; allowed are {format_labels(list(_RATIO_KINDS))}"
            )
        return kind

    def _accepts(self) -> frozenset[Scale]:
        return _RATIO_KINDS[self._kind()]

    def output_scale(self, scale: Scale) -> Scale:
        return Scale.RATIO

    def _q(self, values: np.ndarray) -> np.ndarray:
        raw = values * self.direction_.sign  # undo the base class's sign flip
        kind = self._kind()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if kind == "complement":
                return 1.0 - raw
            if kind == "inverse":
                if (raw <= 0).any():
                    raise InputDataError(
                        f"indicator {self.indicator_!r} (lower is better) has values <= 0 at "
                        f"{int((raw <= 0).sum())} unit(s); its ratio transform 1 / x needs "
                        "positive values"
                    )
                return 1.0 / raw
            if kind == "exp":
                return np.exp(raw)
            if kind == "exp_inverse":
                return np.exp(-raw)
        return raw

    def _fit(self, values: np.ndarray) -> None:
        kind = self._kind()
        lower = kind in ("complement", "inverse", "exp_inverse")
        if lower != (self.direction_ is Direction.LOWER):
            raise InputDataError(
                f"ratio_to_best: kind {kind!r} is for "
                f"{'lower' if lower else 'higher'}-is-better indicators, but indicator "
                f"{self.indicator_!r} is {self.direction_.value}-is-better"
            )
        q = self._q(values)
        positive = q[q > 0]
        if positive.size == 0:
            raise InputDataError(
                f"indicator {self.indicator_!r} has no positive reference value after its "
                f"ratio transform ({kind}); the ratio to the best cannot be formed"
            )
        self.best_ = float(positive.max())
        self.floor_ = float(self.floor) * float(positive.min())

    def _transform(self, values: np.ndarray) -> np.ndarray:
        q = self._q(values)
        return np.where(np.isnan(q), np.nan, np.maximum(q, self.floor_)) / self.best_


class AboveBelowMean(Normaliser):
    """Three classes around the reference mean: above (+1), near (0) or below (-1) it.

    Parameters
    ----------
    threshold : float, default 0.2
        The band :math:`p` around the mean, as a share of it (``0 <= p < 1``).

    Notes
    -----
    With :math:`w = x / \bar x_{\\mathrm{ref}}` (the mean of the reference values),

    .. math:: y = \begin{cases} 1 & w > 1 + p \\ 0 & 1 - p \\le w \\le 1 + p \\
              -1 & w < 1 - p \\end{cases}

    (OECD/JRC 2008, Table 3, "indicators above or below the mean"). For a lower-is-better
    indicator the sign is reversed (far below the mean scores +1). The ratio to the mean
    needs a ratio scale and a positive reference mean; the classes are ordinal, so only
    aggregations meaningful for ordinal data accept them unless explicitly allowed.

    Raises
    ------
    InputDataError
        ``threshold`` outside ``[0, 1)`` or a reference mean that is not positive.

    References
    ----------
    OECD/JRC (2008), Section 5 (normalisation) and Table 3.
    """

    name = "above_mean"
    accepts = RATIO_ONLY

    def __init__(self, threshold: float = 0.2) -> None:
        self.threshold = threshold

    def output_scale(self, scale: Scale) -> Scale:
        return Scale.ORDINAL

    def _fit(self, values: np.ndarray) -> None:
        p = float(self.threshold)
        if not 0 <= p < 1:
            raise InputDataError(
                f"threshold of indicator {self.indicator_!r} is {self.threshold!r}; it must be "
                "in [0, 1)"
            )
        mean = float(np.mean(values * self.direction_.sign))
        if not (math.isfinite(mean) and mean > 0):
            raise InputDataError(
                f"the reference mean of indicator {self.indicator_!r} is {mean!r}; the ratio to "
                "the mean needs a positive mean"
            )
        self.mean_ = mean

    def _transform(self, values: np.ndarray) -> np.ndarray:
        p = float(self.threshold)
        w = values * self.direction_.sign / self.mean_
        y = np.where(w > 1 + p, 1.0, np.where(w < 1 - p, -1.0, 0.0))
        y[np.isnan(w)] = np.nan
        return y * self.direction_.sign


class PointMap(Normaliser):
    """Points for categories, e.g. ``{"Yes": 1, "Partially": 0.5, "No": 0}``.

    Parameters
    ----------
    points : mapping, optional
        Category -> points. Default: the indicator's own ``points`` metadata.
    rescale : bool, default False
        Rescale points to [0, 1] by the smallest and largest points of the map.

    Notes
    -----
    The points are an explicit cardinalisation chosen by the user, so their output is
    treated as interval scale. For a lower-is-better indicator the points are reflected,
    :math:`y = p_{max} + p_{min} - p`, so the best category still scores most.

    Raises
    ------
    InputDataError
        If no points are known, or a value has no points (naming it and the units).
    """

    name = "points"
    accepts = ALL_SCALES
    numeric = False

    def __init__(self, points: Mapping[Any, float] | None = None, rescale: bool = False) -> None:
        self.points = points
        self.rescale = rescale

    def _fit_raw(self, series: pd.Series) -> None:
        pts = self.points
        if pts is None and self._indicator is not None:
            pts = self._indicator.points
        if not pts:
            raise InputDataError(
                f"no points for indicator {self.indicator_!r}; give PointMap(points={{...}}) "
                "or points in the indicator metadata"
            )
        values = {k: float(v) for k, v in pts.items()}
        lo, hi = min(values.values()), max(values.values())
        if self.direction_ is Direction.LOWER:
            values = {k: hi + lo - v for k, v in values.items()}
        if self.rescale:
            if hi <= lo:
                raise ConstantIndicatorError(
                    f"the points of indicator {self.indicator_!r} are all equal; cannot rescale"
                )
            values = {k: (v - lo) / (hi - lo) for k, v in values.items()}
        self.points_ = values
        self._check(series)

    def _check(self, series: pd.Series) -> None:
        _check_categories(series, self.points_, f"indicator {self.indicator_!r}")

    def _transform_raw(self, series: pd.Series) -> np.ndarray:
        self._check(series)
        series = _match_keys(series, self.points_)
        return series.map(self.points_).to_numpy(dtype=float, na_value=np.nan)


#: registry name -> normaliser class (a :class:`~weighting.estimator.Registry`)
NORMALISERS: Registry = Registry(
    "normalisation",
    Normaliser,
    (
        MinMax, ZScore, MPIStandardise, Rank, PercentileRank, QuantileClasses, Goalposts,
        DistanceToTarget, RatioToBest, AboveBelowMean, PointMap, Identity,
    ),
    aliases={
        "min-max": "minmax", "min_max": "minmax", "z-score": "zscore", "z": "zscore",
        "standardise": "zscore", "percentile_rank": "percentile", "pct": "percentile",
        "identity": "none", "raw": "none", "point_map": "points", "pointmap": "points",
        "quantiles": "quantile", "quintile": "quantile", "distance_to_target": "target",
        "above_below_mean": "above_mean", "ratio": "ratio_to_best",
    },
)


def get_normaliser(spec: str | Mapping[str, Any] | Normaliser, **params: Any) -> Normaliser:
    """Build an (unfitted) normaliser from a name, a dict spec or an instance.

    Parameters
    ----------
    spec : str, dict or Normaliser
        ``"minmax"``, ``{"method": "minmax", "low": 0, "high": 100}`` or ``MinMax(...)``
        (cloned).
    **params
        Extra hyperparameters when ``spec`` is a name.

    Returns
    -------
    Normaliser

    Raises
    ------
    InputDataError
        For an unknown name or parameter.
    """
    return NORMALISERS.build(spec, **params)


def normalise(
    data: pd.DataFrame,
    method: str | Mapping[str, Any] | Normaliser = "minmax",
    *,
    reference: pd.DataFrame | None = None,
    indicators: IndicatorSet | None = None,
    allow_scale_violations: bool = False,
) -> pd.DataFrame:
    """Normalise every indicator column of a table with one method.

    Parameters
    ----------
    data : pd.DataFrame
        Units in rows, indicators in columns.
    method : str, dict or Normaliser, default "minmax"
        The method (see :func:`get_normaliser`).
    reference : pd.DataFrame, optional
        Reference units to fit the scale on; default ``data``.
    indicators : IndicatorSet, optional
        Metadata (scale, direction); default: every column numeric ratio, higher is better.
    allow_scale_violations : bool, default False
        Warn instead of raising on scale-level violations.

    Returns
    -------
    pd.DataFrame
        Normalised values of ``data``, higher = better, same labels.

    Raises
    ------
    InputDataError, ScaleLevelError, ConstantIndicatorError
        See the normaliser classes.
    """
    if indicators is None and isinstance(data, pd.DataFrame) and any(
        not isinstance(c, str) for c in data.columns
    ):
        # indicator names are strings: work on string labels, give back the user's labels
        labels = list(data.columns)
        names = {c: str(c) for c in labels}
        if len(set(names.values())) < len(labels):
            raise InputDataError(
                f"column labels {format_labels(labels)} are not unique as strings; "
                "give distinct column names"
            )
        ref_s = None if reference is None else reference.rename(columns=names)
        out = normalise(data.rename(columns=names), method, reference=ref_s,
                        allow_scale_violations=allow_scale_violations)
        return out.set_axis(labels, axis=1)
    if indicators is None:
        indicators = IndicatorSet.infer(data)
    indicators.check_data(data)
    ref = data if reference is None else reference
    if reference is not None:
        indicators.check_data(reference, name="reference")
    out = {}
    for ind in indicators:
        norm = get_normaliser(method)
        norm.fit(ref[ind.name], indicator=ind, allow_scale_violations=allow_scale_violations)
        out[ind.name] = norm.transform(data[ind.name])
    return pd.DataFrame(out, index=data.index)
