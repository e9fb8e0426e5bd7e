"""Pre-treatment: missing data and outliers, fitted on a reference set.

Missing data (:class:`MissingPolicy`): drop the unit, impute the reference mean, median
or group (peer) median, or keep the gaps and re-weight the unit over the indicators it
has. Under every policy a unit whose coverage (share of indicators present, or with
``coverage="weight"`` share of the indicator weight present) is below ``min_coverage`` gets
no score, with a reason.

Outliers (:class:`OutlierTreatment`): winsorisation at fixed percentiles of the reference
set, or the iterative rule used by the JRC and COINr: winsorise one value at a time (the
most extreme, on the side of the skew) until the indicator has acceptable skewness and
kurtosis, and fall back to a log transform if more than ``winmax`` points would have to be
changed. Everything changed is reported.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing, Paris. Step 3 (imputation) and Step 4 (outliers).

Becker, W., Caperna, G., Del Sorbo, M., Norlen, H., Papadimitriou, E. and Saisana, M.
(2022). COINr: an R package for developing composite indicators. *Journal of Open Source
Software* 7(78), 4567. Functions ``skew()``, ``kurt()``, ``check_SkewKurt()``,
``winsorise()`` and ``log_CT()`` (R/treat.R), which define the rule reproduced here.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from weighting.estimator import Estimator
from weighting.exceptions import InputDataError, format_labels
from weighting.indicators import INTERVAL_UP, IndicatorSet

__all__ = [
    "MissingPolicy",
    "MissingResult",
    "OutlierTreatment",
    "kurtosis",
    "skewness",
]

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# moments, as defined by COINr
# ---------------------------------------------------------------------------------------------
def skewness(x: object) -> float:
    """Sample skewness, bias-adjusted (Fisher-Pearson :math:`G_1`), NaN ignored.

    Parameters
    ----------
    x : array-like
        Values.

    Returns
    -------
    float
        NaN if fewer than 3 values or the values are constant.

    Notes
    -----
    .. math:: G_1 = \\frac{\\sqrt{n(n-1)}}{n-2}\\,
              \\frac{m_3}{m_2^{3/2}}, \\qquad m_k = \\frac1n \\sum (x_i - \\bar x)^k

    This is COINr's ``skew()`` (type 2 of e1071 ``skewness``, as in Excel's ``SKEW``),
    equal to ``scipy.stats.skew(x, bias=False)``.
    """
    return _moment(x, 3, lambda v: stats.skew(v, bias=False))


def kurtosis(x: object) -> float:
    """Sample excess kurtosis, bias-adjusted (:math:`G_2`), NaN ignored.

    Parameters
    ----------
    x : array-like
        Values.

    Returns
    -------
    float
        NaN if fewer than 4 values or the values are constant.

    Notes
    -----
    .. math:: G_2 = \\frac{n-1}{(n-2)(n-3)}\\big((n+1)\\,g_2 + 6\\big),
              \\qquad g_2 = \\frac{m_4}{m_2^2} - 3

    This is COINr's ``kurt()`` (type 2 of e1071 ``kurtosis``, as in Excel's ``KURT``): an
    *excess* kurtosis, 0 for normal data, so the threshold 3.5 refers to excess kurtosis.
    Equal to ``scipy.stats.kurtosis(x, fisher=True, bias=False)``.
    """
    return _moment(x, 4, lambda v: stats.kurtosis(v, fisher=True, bias=False))


def _moment(x: object, min_size: int, stat: Callable[[np.ndarray], float]) -> float:
    """``stat`` of the non-NaN values; NaN if fewer than ``min_size`` or constant."""
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    if v.size < min_size or np.ptp(v) == 0:
        return float("nan")
    with warnings.catch_warnings():  # scipy warns on near-constant data; the value stands
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stat(v))


# ---------------------------------------------------------------------------------------------
# missing data
# ---------------------------------------------------------------------------------------------
@dataclass
class MissingResult:
    """What a :class:`MissingPolicy` did to a table.

    Attributes
    ----------
    data : pd.DataFrame
        The table after the policy (imputed values filled in; excluded units kept, so labels
        stay aligned; they are scored NaN downstream).
    excluded : pd.Series
        Unit -> reason, for units that get no score.
    imputed : pd.DataFrame
        One row per filled cell: ``unit``, ``indicator``, ``value``, ``method``.
    coverage : pd.Series
        Share of indicators present per unit (before imputation).
    """

    data: pd.DataFrame
    excluded: pd.Series
    imputed: pd.DataFrame
    coverage: pd.Series


class MissingPolicy(Estimator):
    """How missing indicator values are handled.

    Parameters
    ----------
    method : {"reweight", "drop", "mean", "median", "group_median"}, default "reweight"
        ``"reweight"`` keeps the gaps: the aggregation rescales a unit's weights over the
        indicators it has. ``"drop"`` gives no score to any unit with a gap (case
        deletion). ``"mean"``/``"median"`` fill a gap with the reference mean/median of the
        indicator; ``"group_median"`` with the median of the reference units of the same
        group (e.g. peer group), falling back to the overall median when the group has no
        value.
    min_coverage : float, default 0.5
        Minimum share of indicators present (0 to 1). Units below it get no score under
        every method, with a reason (imputing most of a unit's profile would make up its
        score).
    groups : str, optional
        For ``"group_median"``: the name of the column of the data holding each unit's
        group (a Series can be passed to :meth:`apply` instead).
    coverage : {"count", "weight"}, default "count"
        What ``min_coverage`` is a share of: the number of indicators (``"count"``), or
        the indicator weights (``"weight"``: :math:`\\sum_{j \\in J_i} w_j / \\sum_j w_j`
        over the indicators :math:`J_i` that unit :math:`i` has), so that missing a heavy
        indicator costs more than missing a light one. ``"weight"`` needs the weights:
        :meth:`apply` takes them, and :class:`~weighting.Scheme` passes its fitted weights
        (the reference rows it fits them on are then screened with no minimum).

    Notes
    -----
    Imputation statistics come from the reference set, so a new unit is filled with the
    values of the universe it is compared against (OECD/JRC 2008, Step 3, "single
    imputation"). Re-weighting is equivalent to imputing, unit by unit, the weighted mean
    of the unit's other normalised indicators.

    Its parameters, copies, equality and ``repr`` follow
    :class:`~weighting.estimator.Estimator`.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*. Step 3.
    """

    METHODS = ("reweight", "drop", "mean", "median", "group_median")

    def __init__(
        self,
        method: str = "reweight",
        min_coverage: float = 0.5,
        groups: str | None = None,
        coverage: str = "count",
    ) -> None:
        if method not in self.METHODS:
            raise InputDataError(
                f"missing-data method {method!r} is unknown; use one of "
                f"{format_labels(self.METHODS)}"
            )
        try:
            cov = float(min_coverage)
        except (TypeError, ValueError):
            cov = float("nan")
        if not 0.0 <= cov <= 1.0:
            raise InputDataError(
                f"min_coverage must be a share between 0 and 1, got {min_coverage!r}"
            )
        if groups is not None and not isinstance(groups, str):
            raise InputDataError(
                "MissingPolicy(groups=...) takes a column name; pass a Series of groups to "
                "apply(..., groups=...) or Scheme.score(..., groups=...) instead"
            )
        if coverage not in ("count", "weight"):
            raise InputDataError(
                f"coverage must be 'count' (share of indicators) or 'weight' (share of the "
                f"indicator weight), got {coverage!r}"
            )
        self.method = method
        self.min_coverage = cov
        self.groups = groups
        self.coverage = coverage

    def to_spec(self) -> dict[str, Any]:
        """Plain dict form: method and minimum coverage always, groups when set."""
        out: dict[str, Any] = {"method": self.method, "min_coverage": self.min_coverage}
        if self.groups:
            out["groups"] = self.groups
        if self.coverage != "count":
            out["coverage"] = self.coverage
        return out

    @classmethod
    def from_spec(cls, spec: str | Mapping[str, Any] | MissingPolicy | None) -> MissingPolicy:
        """Build from a method name, a dict or an instance (``None``: the default)."""
        if spec is None:
            return cls()
        if isinstance(spec, MissingPolicy):
            return spec
        if isinstance(spec, str):
            return cls(spec)
        if isinstance(spec, Mapping):
            try:
                return cls(**spec)
            except TypeError:
                raise InputDataError(
                    f"missing-data spec has unknown keys {format_labels(list(spec))}; use "
                    "method, min_coverage, groups, coverage"
                ) from None
        raise InputDataError(
            f"missing must be a method name, a dict or a MissingPolicy, got {type(spec).__name__}"
        )

    def _resolve_groups(self, table: pd.DataFrame, groups: object, what: str) -> pd.Series:
        if groups is None:
            if self.groups is None:
                raise InputDataError(
                    "group_median imputation needs groups: give MissingPolicy(groups=<column>) "
                    "or groups=<Series of unit -> group>"
                )
            if self.groups not in table.columns:
                raise InputDataError(
                    f"the group column {self.groups!r} is not in {what}; its columns are "
                    f"{format_labels(list(table.columns))}"
                )
            return table[self.groups]
        if isinstance(groups, str):
            if groups not in table.columns:
                raise InputDataError(f"the group column {groups!r} is not in {what}")
            return table[groups]
        if not isinstance(groups, pd.Series):
            raise InputDataError(
                f"groups must be a column name or a Series unit -> group, got "
                f"{type(groups).__name__}"
            )
        missing = table.index.difference(groups.index)
        if len(missing):
            raise InputDataError(
                f"groups has no group for units {format_labels(missing)} of {what}"
            )
        return groups.reindex(table.index)

    def apply(
        self,
        data: pd.DataFrame,
        indicators: list[str],
        *,
        reference: pd.DataFrame | None = None,
        groups: pd.Series | str | None = None,
        weights: pd.Series | None = None,
    ) -> MissingResult:
        """Apply the policy to ``data``, with statistics from ``reference``.

        Parameters
        ----------
        data : pd.DataFrame
            Units x columns (numeric indicator columns, maybe others).
        indicators : list of str
            The indicator columns to treat.
        reference : pd.DataFrame, optional
            Reference units for imputation statistics; default ``data``.
        groups : Series or str, optional
            Unit -> group for both tables (or a column name); default ``self.groups``.
        weights : pd.Series, optional
            Indicator -> weight, needed with ``coverage="weight"`` (ignored otherwise).

        Returns
        -------
        MissingResult

        Raises
        ------
        InputDataError
            If groups are needed and missing, an indicator has no reference value to
            impute from, or ``coverage="weight"`` is set and no valid weights are given.
        """
        table = data[indicators].copy()
        ref_full = data if reference is None else reference
        ref = ref_full[indicators]
        present = table.notna()
        m = len(indicators)
        coverage = present.sum(axis=1) / m
        if self.coverage == "weight":
            coverage = _weight_share(present, weights, indicators)
        reasons: dict[Any, str] = {}
        low = coverage < self.min_coverage - 1e-12
        for unit in table.index[low]:
            gaps = [c for c in indicators if not present.at[unit, c]]
            if self.coverage == "weight":
                reasons[unit] = (
                    f"only {coverage[unit]:.0%} of the indicator weight is present "
                    f"({len(gaps)} of {m} indicators missing); min_coverage is "
                    f"{self.min_coverage:.0%}"
                )
                continue
            reasons[unit] = (
                f"coverage {int(present.loc[unit].sum())}/{m} indicators "
                f"({coverage[unit]:.0%}) below the minimum {self.min_coverage:.0%}; missing "
                f"{format_labels(gaps)}"
            )
        if self.method == "drop":
            for unit in table.index[(~present).any(axis=1) & ~low]:
                gaps = [c for c in indicators if not present.at[unit, c]]
                reasons[unit] = f"missing {format_labels(gaps)} (missing-data policy 'drop')"
        rows: list[dict[str, Any]] = []
        if self.method in ("mean", "median", "group_median"):
            overall = ref.mean() if self.method == "mean" else ref.median()
            no_ref = [c for c in indicators if pd.isna(overall[c])]
            if no_ref:
                raise InputDataError(
                    f"indicators {format_labels(no_ref)} have no reference values, so their "
                    "gaps cannot be imputed"
                )
            if self.method == "group_median":
                g_data = self._resolve_groups(data, groups, "the data")
                g_ref = self._resolve_groups(ref_full, groups, "the reference")
                group_medians = ref.groupby(g_ref.to_numpy()).median()
            for col in indicators:
                gaps = table.index[~present[col] & ~low]
                for unit in gaps:
                    method = self.method
                    value = overall[col]
                    if self.method == "group_median":
                        g = g_data[unit]
                        gm = (
                            group_medians.at[g, col]
                            if g in group_medians.index
                            else np.nan
                        )
                        if pd.isna(gm):
                            method = f"median (group {g!r} has no reference value)"
                        else:
                            value = gm
                            method = f"group_median ({g!r})"
                    table.at[unit, col] = value
                    rows.append(
                        {"unit": unit, "indicator": col, "value": float(value), "method": method}
                    )
        imputed = pd.DataFrame(rows, columns=["unit", "indicator", "value", "method"])
        excluded = pd.Series(reasons, dtype=object, name="reason")
        excluded = excluded.reindex([u for u in table.index if u in reasons])
        if len(excluded):
            logger.info("%d unit(s) get no score: %s", len(excluded),
                        format_labels(excluded.index))
        return MissingResult(data=table, excluded=excluded, imputed=imputed, coverage=coverage)


# ---------------------------------------------------------------------------------------------
# outliers
# ---------------------------------------------------------------------------------------------
@dataclass
class _ColumnTreatment:
    treatment: str = "none"
    low_cap: float = -np.inf
    high_cap: float = np.inf
    n_winsorised: int = 0
    log_sign: int = 0  # +1: log(x - min + a), -1: -log(max + a - x)
    log_min: float = np.nan
    log_max: float = np.nan
    log_a: float = np.nan
    extra: dict[str, Any] = field(default_factory=dict)


class OutlierTreatment(Estimator):
    """Outlier treatment fitted on a reference set and applied to any units.

    Parameters
    ----------
    method : {"iterative", "percentile"}, default "iterative"
        ``"iterative"``: the JRC/COINr rule (see Notes). ``"percentile"``: winsorise at
        the reference ``lower`` and ``upper`` quantiles.
    lower, upper : float, default 0.05 and 0.95
        Quantiles for ``"percentile"``.
    skew_thresh : float, default 2.0
        Threshold on the absolute skewness (:func:`skewness`).
    kurt_thresh : float, default 3.5
        Threshold on the excess kurtosis (:func:`kurtosis`).
    winmax : int, default 5
        Most points to winsorise per indicator before falling back.
    rule : {"either", "both"}, default "either"
        When an indicator is acceptable. ``"either"`` (COINr's ``check_SkewKurt`` and the
        JRC audits): it is treated only if ``abs(skewness)`` > ``skew_thresh`` *and* kurtosis >
        ``kurt_thresh``, i.e. it passes when either is within its limit. ``"both"``: it
        passes only when ``abs(skewness)`` < ``skew_thresh`` and kurtosis < ``kurt_thresh``.
    fallback : {"log", None}, default "log"
        What to do when ``winmax`` winsorised points do not suffice: ``"log"`` applies
        COINr's skew-aware log transform to the *original* values (``log_CT_plus``);
        ``None`` keeps the winsorised values.
    columns : list of str, optional
        Indicators to treat; default all interval/ratio indicators.

    Attributes
    ----------
    summary_ : pd.DataFrame
        Per indicator: skewness and kurtosis before and after, treatment, number of
        winsorised points, caps, whether it passes after treatment.
    changes_ : pd.DataFrame
        After :meth:`transform`: one row per changed value: ``indicator``, ``unit``,
        ``old``, ``new``, ``treatment``. Log-transformed indicators are listed in
        ``summary_`` (every value changes).
    log_transformed_ : list of str
        Indicators that were log-transformed (their scale becomes interval).

    Notes
    -----
    Iterative rule: while the indicator fails the skewness/kurtosis test and fewer than
    ``winmax`` points were changed, take the side given by the sign of the current skewness
    and set the most extreme value(s) (all ties at once) to the next value inside. The
    caps found on the reference are then applied to every unit. If the test still fails
    after ``winmax`` points, the original values are log-transformed instead:
    :math:`\\ln(x - \\min x + a)` for positive skew, :math:`-\\ln(\\max x + a - x)` for
    negative skew, with :math:`a = 0.01(\\max x - \\min x)` from the reference (new units
    beyond the reference range are first clipped to it).

    Its parameters, copies, equality and ``repr`` follow
    :class:`~weighting.estimator.Estimator`.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*. Step 4.
    Becker et al. (2022), COINr, functions ``winsorise()``, ``check_SkewKurt()`` and
    ``log_CT_plus()``; thresholds 2 and 3.5 are COINr's defaults.
    """

    def __init__(
        self,
        method: str = "iterative",
        lower: float = 0.05,
        upper: float = 0.95,
        skew_thresh: float = 2.0,
        kurt_thresh: float = 3.5,
        winmax: int = 5,
        rule: str = "either",
        fallback: str | None = "log",
        columns: list[str] | None = None,
    ) -> None:
        if method not in ("iterative", "percentile"):
            raise InputDataError(
                f"outlier method {method!r} is unknown; use 'iterative' or 'percentile'"
            )
        if rule not in ("either", "both"):
            raise InputDataError(f"rule must be 'either' or 'both', got {rule!r}")
        if fallback not in ("log", None):
            raise InputDataError(f"fallback must be 'log' or None, got {fallback!r}")
        if not (0.0 <= float(lower) < float(upper) <= 1.0):
            raise InputDataError(
                f"lower and upper must be quantiles with 0 <= lower < upper <= 1, got "
                f"{lower!r}, {upper!r}"
            )
        if int(winmax) < 0:
            raise InputDataError(f"winmax must be >= 0, got {winmax!r}")
        self.method = method
        self.lower = lower
        self.upper = upper
        self.skew_thresh = skew_thresh
        self.kurt_thresh = kurt_thresh
        self.winmax = winmax
        self.rule = rule
        self.fallback = fallback
        self.columns = columns

    def to_spec(self) -> dict[str, Any]:
        """Plain dict form (parameters that differ from the defaults, plus the method)."""
        return {"method": self.method, **self._changed_params()}

    @classmethod
    def from_spec(cls, spec: str | Mapping[str, Any] | OutlierTreatment | None):
        """Build from a method name, a dict or an instance; ``None``/``"none"`` -> None."""
        if spec is None or (isinstance(spec, str) and spec.lower() == "none"):
            return None
        if isinstance(spec, OutlierTreatment):
            return spec
        if isinstance(spec, str):
            return cls(spec)
        if isinstance(spec, Mapping):
            try:
                return cls(**spec)
            except TypeError:
                raise InputDataError(
                    f"outlier spec has unknown keys {format_labels(list(spec))}; allowed are "
                    f"{format_labels(cls._param_names(), limit=10)}"
                ) from None
        raise InputDataError(
            f"outliers must be a method name, a dict or an OutlierTreatment, got "
            f"{type(spec).__name__}"
        )

    # -- the test ---------------------------------------------------------------------------
    def passes(self, x: np.ndarray) -> bool:
        """Whether values are acceptable under the skewness/kurtosis rule.

        Parameters
        ----------
        x : array-like
            Values (NaN ignored).

        Returns
        -------
        bool
            Always True when skewness or kurtosis is undefined (too few values).
        """
        sk, kt = skewness(x), kurtosis(x)
        if np.isnan(sk) or np.isnan(kt):
            return True
        ok_s = abs(sk) < self.skew_thresh
        ok_k = kt < self.kurt_thresh
        return bool(ok_s or ok_k) if self.rule == "either" else bool(ok_s and ok_k)

    # -- fit / transform --------------------------------------------------------------------
    def fit(self, reference: pd.DataFrame, indicators: IndicatorSet | None = None
            ) -> OutlierTreatment:
        """Decide each indicator's treatment on the reference set.

        Parameters
        ----------
        reference : pd.DataFrame
            Reference units x indicators (numeric; NaN ignored).
        indicators : IndicatorSet, optional
            Metadata; only interval and ratio indicators are treated.

        Returns
        -------
        OutlierTreatment
            ``self``.

        Raises
        ------
        InputDataError
            If ``columns`` names columns not in ``reference``, or they are not numeric.
        """
        if self.columns is not None:
            cols = list(self.columns)
        elif indicators is not None:
            cols = [i.name for i in indicators if i.scale in INTERVAL_UP and i.points is None]
        else:
            cols = [c for c in reference.columns if pd.api.types.is_numeric_dtype(reference[c])]
        missing = [c for c in cols if c not in reference.columns]
        if missing:
            raise InputDataError(
                f"outlier treatment: columns {format_labels(missing)} are not in the reference"
            )
        self.treatments_: dict[str, _ColumnTreatment] = {}
        records = []
        for col in cols:
            if not pd.api.types.is_numeric_dtype(reference[col]):
                raise InputDataError(
                    f"outlier treatment needs numbers; column {col!r} is {reference[col].dtype}"
                )
            x = reference[col].to_numpy(dtype=float, na_value=np.nan)
            x = x[~np.isnan(x)]
            t = self._fit_column(x)
            self.treatments_[col] = t
            after = self._apply(x, t)
            records.append(
                {
                    "indicator": col,
                    "skew": skewness(x),
                    "kurtosis": kurtosis(x),
                    "treatment": t.treatment,
                    "n_winsorised": t.n_winsorised,
                    "low_cap": t.low_cap if np.isfinite(t.low_cap) else np.nan,
                    "high_cap": t.high_cap if np.isfinite(t.high_cap) else np.nan,
                    "skew_after": skewness(after),
                    "kurtosis_after": kurtosis(after),
                    "passes_after": self.passes(after),
                }
            )
        self.summary_ = pd.DataFrame(records).set_index("indicator") if records else (
            pd.DataFrame(columns=["treatment"])
        )
        self.log_transformed_ = [c for c, t in self.treatments_.items() if t.treatment == "log"]
        return self

    def _fit_column(self, x: np.ndarray) -> _ColumnTreatment:
        t = _ColumnTreatment()
        if x.size == 0:
            return t
        if self.method == "percentile":
            lo, hi = np.quantile(x, [float(self.lower), float(self.upper)])
            t.low_cap, t.high_cap = float(lo), float(hi)
            n = int(((x < lo) | (x > hi)).sum())
            t.n_winsorised = n
            t.treatment = "winsorised" if n else "none"
            return t
        if self.passes(x):
            return t
        w = x.copy()
        n_win = 0
        while not self.passes(w) and n_win < int(self.winmax):
            if skewness(w) >= 0:
                top = w.max()
                hit = w == top
                if hit.all():
                    break
                inner = w[~hit].max()
                w[hit] = inner
                t.high_cap = float(inner)
            else:
                bottom = w.min()
                hit = w == bottom
                if hit.all():
                    break
                inner = w[~hit].min()
                w[hit] = inner
                t.low_cap = float(inner)
            n_win += int(hit.sum())
        t.n_winsorised = n_win
        if self.passes(w):
            t.treatment = "winsorised"
            return t
        if self.fallback == "log":
            t2 = _ColumnTreatment(treatment="log")
            lo, hi = float(x.min()), float(x.max())
            t2.log_min, t2.log_max = lo, hi
            t2.log_a = 0.01 * (hi - lo)
            t2.log_sign = 1 if skewness(x) > 0 else -1
            t2.extra["winsorising_failed_after"] = n_win
            return t2
        t.treatment = "winsorised (still failing)"
        return t

    @staticmethod
    def _apply(x: np.ndarray, t: _ColumnTreatment) -> np.ndarray:
        if t.treatment == "log":
            clipped = np.clip(x, t.log_min, t.log_max)
            if t.log_sign > 0:
                return np.log(clipped - t.log_min + t.log_a)
            return -np.log(t.log_max + t.log_a - clipped)
        return np.clip(x, t.low_cap, t.high_cap)

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Apply the fitted treatments to any units.

        Parameters
        ----------
        data : pd.DataFrame
            Units x indicators (same columns as the reference).

        Returns
        -------
        pd.DataFrame
            A treated copy; ``changes_`` lists the winsorised values.

        Raises
        ------
        InputDataError
            If called before ``fit`` or a treated column is missing.
        """
        if not hasattr(self, "treatments_"):
            raise InputDataError("this OutlierTreatment is not fitted; call fit(reference)")
        out = data.copy()
        rows = []
        for col, t in self.treatments_.items():
            if col not in out.columns:
                raise InputDataError(f"column {col!r} treated on the reference is not in data")
            if t.treatment == "none":
                continue
            old = out[col].to_numpy(dtype=float, na_value=np.nan)
            new = self._apply(old, t)
            out[col] = new
            if t.treatment == "log":
                continue
            changed = ~np.isnan(old) & (old != new)
            for unit, o, n in zip(out.index[changed], old[changed], new[changed], strict=True):
                rows.append(
                    {
                        "indicator": col,
                        "unit": unit,
                        "old": float(o),
                        "new": float(n),
                        "treatment": "winsorised high" if n < o else "winsorised low",
                    }
                )
        self.changes_ = pd.DataFrame(rows, columns=["indicator", "unit", "old", "new", "treatment"])
        return out

    def fit_transform(self, data: pd.DataFrame, indicators: IndicatorSet | None = None
                      ) -> pd.DataFrame:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data, indicators).transform(data)


def _weight_share(
    present: pd.DataFrame, weights: pd.Series | None, indicators: list[str]
) -> pd.Series:
    """Share of the (non-negative) indicator weight each unit has values for."""
    if weights is None:
        raise InputDataError(
            "coverage='weight' measures the share of the indicator weight present, so it "
            "needs the weights: pass weights= (a Scheme passes its fitted weights)"
        )
    w = pd.Series(weights, dtype=float).reindex(indicators)
    if w.isna().any() or (w < 0).any() or w.sum() <= 0:
        raise InputDataError(
            "coverage='weight' needs a non-negative weight for each of "
            f"{format_labels(indicators)} with a positive total, got "
            f"{dict(pd.Series(weights, dtype=float))}"
        )
    wv = w.to_numpy() / w.sum()
    return pd.Series(present.to_numpy(dtype=float) @ wv, index=present.index)
