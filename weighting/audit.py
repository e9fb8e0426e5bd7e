"""Quality audit of a composite indicator: the indicators, the indicator set, the aggregation.

:func:`audit` checks a :class:`~weighting.scheme.Scheme` on data against formal quality
criteria at three levels (Meyer & Krauss 2015, section 3; OECD/JRC 2008, Steps 2-7):

1. **each indicator**: coverage (overall and per group, e.g. year), discrimination (share of
   units at the minimum and at the maximum, number and share of distinct values), skewness
   and kurtosis with the JRC rule for treatment, outliers (Tukey fences), scale level and
   the operations it admits, direction, validity proxy (correlation with its dimension
   score), and the stability of units' ranks across groups (years) in a panel;
2. **the set**: indicators and nominal weight per dimension, pairwise correlations with
   redundancy and within-dimension conflict flags (Spearman when an ordinal indicator is
   involved), Cronbach's alpha per dimension and overall with "alpha if item deleted", the
   Kaiser-Meyer-Olkin measure and the first principal component's share per dimension;
3. **the aggregation**: each indicator's actual influence on the composite, the first-order
   main effect (correlation ratio) :math:`S_i = V(E[y \\mid x_i]) / V(y)` estimated
   non-parametrically (Paruolo, Saisana & Saltelli 2013), next to its effective nominal
   weight; the compensability of the aggregation (what a unit gains from a rise in its worst
   indicator compared with the same rise in its best); and whether each step is admissible
   for each indicator's scale level.

Every criterion has a threshold with its source in :data:`THRESHOLDS` (override any of
them with ``audit(..., thresholds={...})``); :attr:`AuditResult.flags` lists what fails.

The audit does not compute composite scores itself: they come from
:meth:`Scheme.score` (or from a result passed in), the one owner of that job.

References
----------
Meyer, J. and Krauss, A. (2015). Measuring and aggregating social performance of
microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich.

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing, Paris.

Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or science?
*Journal of the Royal Statistical Society A* 176(3), 609-634.

Becker, W., Caperna, G., Del Sorbo, M., Norlen, H., Papadimitriou, E. and Saisana, M.
(2022). COINr: an R package for developing composite indicators. *Journal of Open Source
Software* 7(78), 4567.

Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika* 16(3), 297-334.

Kaiser, H. F. (1974). An index of factorial simplicity. *Psychometrika* 39, 31-36.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import interpolate, stats

from weighting.aggregate import AGGREGATORS
from weighting.exceptions import (
    CoverageWarning,
    InputDataError,
    ScaleLevelError,
    ScaleLevelWarning,
    format_labels,
)
from weighting.indicators import INTERVAL_UP, Scale
from weighting.normalise import NORMALISERS
from weighting.pretreat import OutlierTreatment, kurtosis, skewness
from weighting.scheme import Scheme, _dimension_scale
from weighting.weights import PCAWeights
from weighting.weights.pca import NegativeLoadingWarning

__all__ = [
    "THRESHOLDS",
    "AuditResult",
    "audit",
    "correlation_ratio",
    "cronbach_alpha",
]


@dataclass(frozen=True)
class Threshold:
    """One audit threshold: its value, what it tests and where it comes from."""

    value: float
    rule: str
    source: str


#: The audit's thresholds. Keys are the names accepted by ``audit(..., thresholds=...)``.
THRESHOLDS: dict[str, Threshold] = {
    "coverage": Threshold(
        0.65,
        "share of units with a value >= threshold",
        "COINr get_stats() t_avail = 0.65 (Becker et al. 2022)",
    ),
    "extreme_share": Threshold(
        0.5,
        "share of units at the minimum, and at the maximum, <= threshold",
        "COINr get_stats() t_zero = 0.5, applied to each end of the range (Becker et al. 2022)",
    ),
    "unique_share": Threshold(
        0.5,
        "share of distinct values among present values >= threshold (interval/ratio)",
        "COINr get_stats() t_unq = 0.5 (Becker et al. 2022)",
    ),
    "skew": Threshold(
        2.0,
        "treat when |skewness| > threshold and kurtosis > the kurtosis threshold",
        "OECD/JRC audits; COINr check_SkewKurt() (Becker et al. 2022)",
    ),
    "kurtosis": Threshold(
        3.5,
        "excess kurtosis (see skew)",
        "OECD/JRC audits; COINr check_SkewKurt() (Becker et al. 2022)",
    ),
    "outlier_iqr": Threshold(
        1.5,
        "outliers lie beyond Q1 - k IQR or Q3 + k IQR (counted, not flagged)",
        "Tukey, J. W. (1977). Exploratory Data Analysis, Addison-Wesley",
    ),
    "redundancy": Threshold(
        0.9,
        "|r| between two indicators > threshold suggests double counting",
        "COINr get_corr_flags() cor_thresh = 0.9 (Becker et al. 2022)",
    ),
    "negative": Threshold(
        -0.3,
        "r between two indicators of one dimension < threshold: a trade-off inside the dimension",
        "Cohen, J. (1988). Statistical Power Analysis, 2nd ed.: |r| = 0.3 is "
        "a medium effect; OECD/JRC (2008) Step 4 on negative correlations within a pillar",
    ),
    "validity": Threshold(
        -0.1,
        "Spearman correlation of an indicator with the rest of its dimension (the score, for "
        "a one-indicator dimension) >= threshold: it should not point against its dimension",
        "OECD/JRC (2008) Step 4: each indicator should point the same way as its pillar; "
        "-0.1 allows for noise around zero (|r| = 0.1 is a small effect, Cohen 1988)",
    ),
    "alpha": Threshold(
        0.7,
        "Cronbach's alpha of a dimension (and of the set) >= threshold",
        "Nunnally, J. C. (1978). Psychometric Theory, 2nd ed., as cited by OECD/JRC (2008) Step 4",
    ),
    "kmo": Threshold(
        0.5,
        "Kaiser-Meyer-Olkin measure >= threshold ('miserable' below, unacceptable)",
        "Kaiser (1974); OECD/JRC (2008) Step 4",
    ),
    "eigenvalue": Threshold(
        1.0,
        "a dimension is one-dimensional when only its first eigenvalue of the "
        "correlation matrix exceeds the threshold",
        "Kaiser, H. F. (1960). Educational and Psychological Measurement 20, 141-151; "
        "OECD/JRC (2008) Step 4",
    ),
    "influence": Threshold(
        0.5,
        "an indicator's share of the main effects, S_i / sum S_j, within (1 +/- "
        "threshold) x its effective nominal weight",
        "project convention (documented here): Paruolo, Saisana & Saltelli (2013) compare "
        "the two without a fixed margin; 0.5 flags an indicator with under half or over 1.5 "
        "times its intended influence",
    ),
    "stability": Threshold(
        0.5,
        "Spearman correlation of units' values between consecutive groups (years) >= threshold",
        "project convention (documented here): rho < 0.5 means the ranking changes more "
        "than it persists from one group to the next",
    ),
}

_MIN_UNITS = 10  # fewer units: distribution statistics and main effects are not estimated


# ---------------------------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------------------------
def cronbach_alpha(items: pd.DataFrame | np.ndarray) -> dict[str, Any]:
    """Cronbach's alpha of a set of items, with "alpha if item deleted".

    Parameters
    ----------
    items : DataFrame or array, shape (n, k)
        Units x items, higher = better for every item. Only complete rows are used.

    Returns
    -------
    dict
        ``alpha`` (raw), ``std_alpha`` (standardised, from the correlations), ``n`` (complete
        units), ``k`` and ``items``: a DataFrame indexed by item with ``alpha_if_deleted``,
        ``std_alpha_if_deleted`` and ``r_drop`` (correlation of the item with the sum of the
        other items).

    Raises
    ------
    InputDataError
        With fewer than two items.

    Notes
    -----
    .. math:: \\alpha = \\frac{k}{k-1}\\Big(1 - \\frac{\\sum_j s_j^2}{s_T^2}\\Big),\\qquad
              \\alpha_{std} = \\frac{k \\bar r}{1 + (k-1)\\bar r}

    with :math:`s_j^2` the item variances, :math:`s_T^2` the variance of the item sum and
    :math:`\\bar r` the mean correlation between distinct items. These are ``raw_alpha``,
    ``std.alpha`` and ``alpha.drop`` of R's ``psych::alpha``. NaN where undefined (fewer than
    two complete units, a constant sum).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16(3), 297-334.
    """
    frame = pd.DataFrame(items)
    k = frame.shape[1]
    if k < 2:
        raise InputDataError(f"Cronbach's alpha needs at least 2 items, got {k}")
    X = frame.dropna().to_numpy(dtype=float)
    n = X.shape[0]

    def raw(M: np.ndarray) -> float:
        m = M.shape[1]
        if M.shape[0] < 2:
            return float("nan")
        tot = M.sum(axis=1).var(ddof=1)
        if tot <= 0:
            return float("nan")
        return float(m / (m - 1) * (1.0 - M.var(axis=0, ddof=1).sum() / tot))

    def std(M: np.ndarray) -> float:
        m = M.shape[1]
        if M.shape[0] < 3 or (M.std(axis=0, ddof=1) <= 0).any():
            return float("nan")
        r = np.corrcoef(M, rowvar=False)
        rbar = r[~np.eye(m, dtype=bool)].mean()
        return float(m * rbar / (1.0 + (m - 1) * rbar))

    rows = {}
    for j, name in enumerate(frame.columns):
        rest = np.delete(X, j, axis=1)
        r_drop = float("nan")
        if n >= 3:
            a, b = X[:, j], rest.sum(axis=1)
            if a.std() > 0 and b.std() > 0:
                r_drop = float(np.corrcoef(a, b)[0, 1])
        rows[name] = {
            "alpha_if_deleted": raw(rest) if k > 2 else float("nan"),
            "std_alpha_if_deleted": std(rest) if k > 2 else float("nan"),
            "r_drop": r_drop,
        }
    return {
        "alpha": raw(X),
        "std_alpha": std(X),
        "n": n,
        "k": k,
        "items": pd.DataFrame.from_dict(rows, orient="index"),
    }


def correlation_ratio(
    x: object, y: object, *, max_categories: int = 10, n_knots: int | None = None
) -> float:
    """First-order main effect (correlation ratio) of ``y`` on ``x``, estimated from data.

    Parameters
    ----------
    x, y : array-like, shape (n,)
        Paired values; pairs with a missing value are dropped.
    max_categories : int, default 10
        ``x`` with at most this many distinct values is treated as categorical: the
        conditional mean is the mean of ``y`` in each category.
    n_knots : int, optional
        Interior knots of the cubic B-spline smoother for continuous ``x``; default
        ``clip(n // 50, 3, 10)``.

    Returns
    -------
    float
        :math:`\\hat S \\in [0, 1]`; NaN with fewer than 10 pairs or a constant ``y``.

    Notes
    -----
    :math:`S = V(E[y \\mid x]) / V(y)` (Pearson's correlation ratio :math:`\\eta^2`, the
    first-order sensitivity index of ``x``). It does not change under any one-to-one
    transformation of ``x``, so it is estimated on the normal scores of ``x``'s ranks:
    :math:`E[y \\mid x]` is fitted by least squares on a cubic B-spline basis with knots at
    quantiles (or by category means for categorical ``x``), and the fitted share of variance
    is corrected for the basis' degrees of freedom :math:`d`, like an adjusted
    :math:`R^2`: :math:`\\hat S = 1 - (1 - R^2)(n - 1)/(n - d)`, clipped to [0, 1]. For a
    linear composite :math:`y = \\sum_j w_j x_j` of independent indicators the exact value is
    :math:`w_i^2 V(x_i) / \\sum_j w_j^2 V(x_j)`.

    References
    ----------
    Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or
    science? Journal of the Royal Statistical Society A 176(3), 609-634.
    """
    xv = np.asarray(x, dtype=float).ravel()
    yv = np.asarray(y, dtype=float).ravel()
    if xv.shape != yv.shape:
        raise InputDataError(f"x and y must have the same length, got {xv.size} and {yv.size}")
    ok = np.isfinite(xv) & np.isfinite(yv)
    xv, yv = xv[ok], yv[ok]
    n = xv.size
    if n < _MIN_UNITS:
        return float("nan")
    sst = float(((yv - yv.mean()) ** 2).sum())
    if sst <= 1e-300 * max(1.0, n):
        return float("nan")
    levels, codes = np.unique(xv, return_inverse=True)
    if levels.size <= 1:
        return 0.0
    if levels.size <= max_categories:
        counts = np.bincount(codes)
        means = np.bincount(codes, weights=yv) / counts
        fitted = means[codes]
        dof = levels.size
    else:
        z = stats.norm.ppf((stats.rankdata(xv) - 0.5) / n)
        knots = n_knots if n_knots is not None else int(np.clip(n // 50, 3, 10))
        inner = np.unique(np.quantile(z, np.linspace(0, 1, knots + 2)[1:-1]))
        lo, hi = float(z.min()), float(z.max())
        t = np.concatenate([[lo] * 4, inner[(inner > lo) & (inner < hi)], [hi] * 4])
        B = interpolate.BSpline.design_matrix(np.clip(z, lo, hi), t, 3).toarray()
        coef, *_ = np.linalg.lstsq(B, yv, rcond=None)
        fitted = B @ coef
        dof = int(np.linalg.matrix_rank(B))
    if n - dof < 1:
        return float("nan")
    r2 = 1.0 - float(((yv - fitted) ** 2).sum()) / sst
    adj = 1.0 - (1.0 - r2) * (n - 1) / (n - dof)
    return float(min(1.0, max(0.0, adj)))


# ---------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class AuditResult:
    """What :func:`audit` returns: labelled tables and the list of failed criteria.

    Attributes
    ----------
    indicators : pd.DataFrame
        One row per indicator: dimension, scale, direction, coverage, share at the minimum
        and maximum, distinct values, skewness, kurtosis, JRC treatment flag, outliers,
        admitted normalisations and aggregations, ``validity_r`` (Spearman correlation with
        the rest of its dimension, the flagged validity proxy: the item is left out so it
        does not correlate with itself), ``dimension_r`` (with its dimension score, item
        included), ``score_r`` (with the composite) and rank stability.
    coverage : pd.DataFrame
        Indicators x groups (share present), when ``by`` is given; else one column
        ``"all"``.
    stability : pd.DataFrame
        Indicators (and ``"score"``) x consecutive group pairs: Spearman correlation of the
        units' values; empty without groups or unit identities.
    dimensions : pd.DataFrame
        One row per dimension (and ``"all"`` for the whole set): number of indicators,
        nominal weight, Cronbach's alpha (raw and standardised), KMO, first-component share,
        eigenvalues above one, complete units used.
    correlations : pd.DataFrame
        Indicator x indicator correlation matrix of the normalised values (Spearman for
        pairs with an ordinal or nominal indicator, Pearson otherwise).
    pairs : pd.DataFrame
        One row per indicator pair: correlation, method, same dimension, flags.
    alpha_if_deleted : pd.DataFrame
        Rows (dimension, indicator): alpha if the item is deleted and its item-rest
        correlation.
    influence : pd.DataFrame
        One row per indicator: effective nominal weight, main effect ``S_i``, its share of
        the sum of main effects, the ratio share / weight and the disagreement flag.
    compensability : pd.DataFrame
        Summary over units of the relative gain from a rise in the worst vs the best
        indicator; the aggregators' declared compensability.
    admissibility : pd.DataFrame
        One row per indicator: each step of the scheme and whether the indicator's scale
        level admits it.
    flag_table : pd.DataFrame
        One row per failed criterion: level, criterion, subject, value, threshold, message.
    thresholds : dict
        The thresholds used (name -> value).
    scheme : Scheme
        The audited scheme.
    notes : list of str
        What could not be computed, and why.
    """

    indicators: pd.DataFrame
    coverage: pd.DataFrame
    stability: pd.DataFrame
    dimensions: pd.DataFrame
    correlations: pd.DataFrame
    pairs: pd.DataFrame
    alpha_if_deleted: pd.DataFrame
    influence: pd.DataFrame
    compensability: pd.DataFrame
    admissibility: pd.DataFrame
    flag_table: pd.DataFrame
    thresholds: dict[str, float]
    scheme: Scheme
    notes: list[str] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        """One readable message per failed criterion."""
        return list(self.flag_table["message"]) if len(self.flag_table) else []

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (for writing to files)."""
        return {
            "indicators": self.indicators,
            "coverage": self.coverage,
            "stability": self.stability,
            "dimensions": self.dimensions,
            "correlations": self.correlations,
            "pairs": self.pairs,
            "alpha_if_deleted": self.alpha_if_deleted,
            "influence": self.influence,
            "compensability": self.compensability,
            "admissibility": self.admissibility,
            "flags": self.flag_table,
        }

    def summary(self) -> str:
        """A plain-text digest: the key tables and every flag."""
        lines = [
            f"Quality audit of scheme {self.scheme.name!r}: "
            f"{len(self.indicators)} indicators, {len(self.flag_table)} flags"
        ]
        cols = [
            c
            for c in (
                "dimension",
                "scale",
                "coverage",
                "at_min",
                "at_max",
                "n_distinct",
                "skewness",
                "kurtosis",
                "treat",
                "validity_r",
            )
            if c in self.indicators.columns
        ]
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            lines += ["", "Indicators", self.indicators[cols].round(3).to_string()]
            lines += ["", "Dimensions", self.dimensions.round(3).to_string()]
            if len(self.influence):
                lines += [
                    "",
                    "Influence (main effect S_i vs effective nominal weight)",
                    self.influence.round(3).to_string(),
                ]
            if len(self.compensability):
                lines += ["", "Compensability", self.compensability.round(3).to_string()]
        lines += ["", "Flags" if len(self.flag_table) else "Flags: none"]
        lines += [f"  - {m}" for m in self.flags]
        if self.notes:
            lines += ["", "Notes"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        flags = "".join(f"<li>{_html(m)}</li>" for m in self.flags) or "<li>none</li>"
        return (
            f"<p><b>Quality audit</b> of scheme <code>{_html(self.scheme.name)}</code></p>"
            + self.indicators.round(3).to_html()
            + self.dimensions.round(3).to_html()
            + self.influence.round(3).to_html()
            + f"<p>Flags</p><ul>{flags}</ul>"
        )


def _html(text: object) -> str:
    import html

    return html.escape(str(text))


# ---------------------------------------------------------------------------------------------
# the audit
# ---------------------------------------------------------------------------------------------
def audit(
    scheme: Scheme,
    data: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    by: str | pd.Series | None = None,
    unit: str | pd.Series | None = None,
    result: Any = None,
    thresholds: Mapping[str, float] | None = None,
    step: float = 0.1,
    aggregation: bool = True,
) -> AuditResult:
    """Audit a scheme on data: the indicators, the indicator set and the aggregation.

    Parameters
    ----------
    scheme : Scheme
        The composite indicator to audit (metadata, normalisation, weights, aggregation).
    data : pd.DataFrame
        Units x columns, holding every indicator of the scheme (raw values).
    reference : pd.DataFrame, optional
        Reference universe on which the scheme is calibrated (as in :meth:`Scheme.score`).
    by : str or pd.Series, optional
        Groups of units (e.g. fiscal year): a column or index level of ``data``, or a Series
        indexed like ``data``. Gives coverage per group and rank stability between
        consecutive groups; passed on to :meth:`Scheme.score` when it accepts ``by``.
    unit : str or pd.Series, optional
        Identity of a unit across groups (e.g. the MFI id of an (id, year) row): a column or
        index level of ``data`` or a Series. Default: the other index level when ``by`` is
        an index level of a two-level index; without it rank stability is not computed.
    result : SchemeResult, optional
        The scheme's result on ``data`` if already computed (anything with ``scores`` and
        ``normalised``; ``effective_weights`` or ``weights`` and ``dimension_scores`` are
        used when present). Default: ``scheme.score(data, reference)``.
    thresholds : mapping, optional
        Overrides of :data:`THRESHOLDS` values by name.
    step : float, default 0.1
        Size of the rise used for compensability, as a share of the indicator's reference
        range.
    aggregation : bool, default True
        Audit the aggregation (main effects, compensability). False leaves ``influence`` and
        ``compensability`` empty, e.g. to audit only the indicators of a large panel.

    Returns
    -------
    AuditResult

    Raises
    ------
    InputDataError
        If ``scheme`` is not a Scheme, ``data`` lacks indicators (as :meth:`Scheme.score`),
        ``by``/``unit`` name no column or level or do not cover the units, a threshold name
        is unknown, or ``step`` is not positive.

    Notes
    -----
    Distribution statistics use the raw values (points for categorical indicators);
    correlations, alpha, KMO and main effects use the normalised values (direction
    applied, imputed cells masked), i.e. what enters the aggregation. Alpha, KMO and
    principal components use units complete on the indicators concerned; correlations use
    pairwise-complete units. The main effect :math:`S_i` of indicator :math:`i` is
    :func:`correlation_ratio` of the composite score on its normalised values over the
    scored units; its share :math:`S_i / \\sum_j S_j` is compared with the indicator's
    effective nominal weight :math:`\\bar w_i` (mean over scored units of
    ``effective_weights``): flagged when the ratio leaves
    :math:`[1 - m, 1 + m]` (``influence`` threshold :math:`m`).

    Compensability: for each unit complete on the numeric indicators, its worst and best
    indicator (lowest and highest normalised value) are raised in turn by ``step`` times
    their raw reference range and the unit is re-scored with :meth:`Scheme.score`; the
    ratio :math:`(\\Delta S_{worst} / (\\bar w_{worst} \\Delta y_{worst})) / (\\Delta S_{best}
    / (\\bar w_{best} \\Delta y_{best}))` (gain per unit of weight and of normalised change)
    is 1 for linear (fully compensatory) aggregation, above 1 when the aggregation rewards
    balance (geometric: about :math:`y_{best}/y_{worst}`), and undefined (no gain) for
    rank-based methods when the rise changes no pairwise comparison.

    References
    ----------
    Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or
    science? JRSS A 176(3), 609-634. OECD/JRC (2008), Steps 2-7. Meyer & Krauss (2015).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> data = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> s = Scheme([{"name": c, "scale": "interval"} for c in "abc"])
    >>> res = audit(s, data)
    >>> res.influence["weight"].round(3).tolist()
    [0.333, 0.333, 0.333]
    """
    if not isinstance(scheme, Scheme):
        raise InputDataError(f"audit needs a weighting.Scheme, got {type(scheme).__name__}")
    th = _thresholds(thresholds)
    try:
        step = float(step)
    except (TypeError, ValueError):
        step = float("nan")
    if not (step > 0 and math.isfinite(step)):
        raise InputDataError(f"step must be a positive share of the range, got {step!r}")
    inds = scheme.indicators
    inds.check_data(data)
    if reference is not None:
        inds.check_data(reference, name="reference")
    names = inds.names
    groups = _resolve(by, data, "by")
    units = _resolve(unit, data, "unit")
    if (
        units is None
        and groups is not None
        and isinstance(by, str)
        and isinstance(data.index, pd.MultiIndex)
        and by in data.index.names
        and data.index.nlevels == 2
    ):
        other = next(n for n in data.index.names if n != by)
        units = pd.Series(data.index.get_level_values(other), index=data.index)
    notes: list[str] = []
    # what Scheme.score gets as calibration groups, if it takes them: a column name is passed
    # on as such (so it is read from the reference too), anything else as the Series
    by_arg = by if isinstance(by, str) and by in data.columns else groups
    scorer = scheme
    if result is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            try:
                result = _score(scheme, data, reference, by_arg)
            except ScaleLevelError as exc:
                # audit what the scheme would do; the violation is reported in admissibility
                notes.append(f"scored with allow_scale_violations=True to audit it: {exc}")
                scorer = scheme.replace(allow_scale_violations=True)
                warnings.simplefilter("ignore", ScaleLevelWarning)
                result = _score(scorer, data, reference, by_arg)
    scores = pd.Series(result.scores, dtype=float).reindex(data.index)
    raw = data[names]
    present = raw.notna()
    normalised = pd.DataFrame(result.normalised).reindex(index=data.index, columns=names)
    normalised = normalised.astype(float).where(present)
    values = _numeric_view(scheme, raw, normalised)

    flags: list[dict[str, Any]] = []

    def flag(level: str, criterion: str, subject: str, value: float, message: str) -> None:
        flags.append(
            {
                "level": level,
                "criterion": criterion,
                "subject": subject,
                "value": value,
                "threshold": th.get(criterion, np.nan),
                "message": message,
            }
        )

    # -- 1. each indicator ---------------------------------------------------------------
    coverage = _coverage(present, groups)
    dims = scheme.dimensions
    dim_of = {c: d for d, cols in dims.items() for c in cols}
    dim_scores = getattr(result, "dimension_scores", None)
    if isinstance(dim_scores, pd.DataFrame):
        dim_scores = dim_scores.reindex(data.index)
    ind_rows = {}
    for ind in inds:
        name = ind.name
        v = values[name].dropna().to_numpy(dtype=float)
        row: dict[str, Any] = {
            "dimension": dim_of.get(name, ""),
            "scale": ind.scale.value,
            "direction": ind.direction.value,
            "n": int(present[name].sum()),
            "coverage": float(present[name].mean()) if len(present) else np.nan,
            "min_group_coverage": float(coverage.loc[name].min()) if groups is not None else np.nan,
        }
        row.update(_distribution(v, ind.scale, th))
        row["admits_normalisation"] = ", ".join(
            k for k, c in NORMALISERS.items() if ind.scale in c.accepts
        )
        row["admits_aggregation"] = ", ".join(
            k for k, c in AGGREGATORS.items() if ind.scale in c().accepts
        )
        row["validity_r"] = _validity(name, normalised, scores, dims, dim_of)
        d = dim_of.get(name)
        row["dimension_r"] = (
            _spearman(normalised[name], dim_scores[d])
            if isinstance(dim_scores, pd.DataFrame) and d in dim_scores.columns
            else np.nan
        )
        row["score_r"] = _spearman(normalised[name], scores)
        ind_rows[name] = row
        if row["coverage"] < th["coverage"]:
            flag(
                "indicator",
                "coverage",
                name,
                row["coverage"],
                f"{name}: coverage {row['coverage']:.0%} is below {th['coverage']:.0%}",
            )
        if groups is not None and row["min_group_coverage"] < th["coverage"]:
            worst = coverage.loc[name].idxmin()
            flag(
                "indicator",
                "coverage",
                name,
                row["min_group_coverage"],
                f"{name}: coverage {row['min_group_coverage']:.0%} in group {worst} is "
                f"below {th['coverage']:.0%}",
            )
        for end in ("at_min", "at_max"):
            if row[end] > th["extreme_share"]:
                flag(
                    "indicator",
                    "extreme_share",
                    name,
                    row[end],
                    f"{name}: {row[end]:.0%} of units sit at the "
                    f"{'minimum' if end == 'at_min' else 'maximum'} (above "
                    f"{th['extreme_share']:.0%}); it discriminates poorly",
                )
        if row["n_distinct"] <= 1 and row["n"] > 0:
            flag(
                "indicator",
                "unique_share",
                name,
                row["unique_share"],
                f"{name}: a single value; it does not discriminate",
            )
        elif (
            ind.scale in INTERVAL_UP
            and ind.points is None
            and (row["unique_share"] < th["unique_share"])
        ):
            flag(
                "indicator",
                "unique_share",
                name,
                row["unique_share"],
                f"{name}: only {row['n_distinct']} distinct values "
                f"({row['unique_share']:.0%} of units, below {th['unique_share']:.0%})",
            )
        if row["treat"]:
            flag(
                "indicator",
                "skew",
                name,
                row["skewness"],
                f"{name}: skewness {row['skewness']:.2f} and kurtosis {row['kurtosis']:.2f} "
                f"exceed {th['skew']:g} and {th['kurtosis']:g}: treat outliers (winsorise "
                "or log)",
            )
        if row["validity_r"] < th["validity"]:
            flag(
                "indicator",
                "validity",
                name,
                row["validity_r"],
                f"{name}: correlation {row['validity_r']:.2f} with its dimension's other "
                "indicators; it points against its dimension (check direction and validity)",
            )
    indicators = pd.DataFrame.from_dict(ind_rows, orient="index")
    indicators.index.name = "indicator"

    stability = _stability(values, scores, groups, units)
    if len(stability.columns):
        mean_rho = stability.mean(axis=1)
        indicators["rank_stability"] = mean_rho.reindex(indicators.index)
        for name, rho in mean_rho.items():
            if rho < th["stability"]:
                flag(
                    "indicator" if name != "score" else "aggregation",
                    "stability",
                    str(name),
                    float(rho),
                    f"{name}: mean Spearman {rho:.2f} of units' values between consecutive "
                    f"groups is below {th['stability']:g}; ranks are unstable",
                )
    elif groups is not None and units is None:
        notes.append("rank stability across groups needs unit identities: pass unit=")

    # -- 2. the set -----------------------------------------------------------------------
    corr, methods = _correlations(normalised, inds)
    pairs = _pairs(corr, methods, dim_of, th)
    for _, p in pairs.iterrows():
        if p["redundant"]:
            flag(
                "set",
                "redundancy",
                f"{p['a']} ~ {p['b']}",
                p["r"],
                f"{p['a']} and {p['b']}: {p['method']} r = {p['r']:.2f} above "
                f"{th['redundancy']:g} in absolute value; possible double counting",
            )
        if p["conflict"]:
            flag(
                "set",
                "negative",
                f"{p['a']} ~ {p['b']}",
                p["r"],
                f"{p['a']} and {p['b']} (dimension {p['dimension']}): {p['method']} r = "
                f"{p['r']:.2f} below {th['negative']:g}; a trade-off inside the dimension",
            )
    weights = _effective_weights(result, names, scores)
    dim_rows, alpha_parts = {}, []
    blocks = dict(dims) if dims else {}
    blocks["all"] = names
    for d, cols in blocks.items():
        row, items = _dimension_stats(normalised[cols], th, notes, str(d))
        row = {"n_indicators": len(cols), "weight": float(weights.reindex(cols).sum()), **row}
        dim_rows[d] = row
        if items is not None:
            items.index = pd.MultiIndex.from_product(
                [[d], items.index], names=["dimension", "indicator"]
            )
            alpha_parts.append(items)
        subject = "the whole set" if d == "all" else f"dimension {d}"
        if row["alpha"] < th["alpha"]:
            flag(
                "set",
                "alpha",
                str(d),
                row["alpha"],
                f"{subject}: Cronbach's alpha {row['alpha']:.2f} below {th['alpha']:g}",
            )
        if row["kmo"] < th["kmo"]:
            flag(
                "set",
                "kmo",
                str(d),
                row["kmo"],
                f"{subject}: KMO {row['kmo']:.2f} below {th['kmo']:g}",
            )
        if d != "all" and row["n_eigen_above"] > 1:
            flag(
                "set",
                "eigenvalue",
                str(d),
                row["n_eigen_above"],
                f"{subject}: {row['n_eigen_above']} eigenvalues above {th['eigenvalue']:g}; "
                "it may measure more than one thing",
            )
    dimensions = pd.DataFrame.from_dict(dim_rows, orient="index")
    dimensions.index.name = "dimension"
    alpha_if_deleted = (
        pd.concat(alpha_parts)
        if alpha_parts
        else pd.DataFrame(columns=["alpha_if_deleted", "std_alpha_if_deleted", "r_drop"])
    )

    # -- 3. the aggregation ---------------------------------------------------------------
    if not aggregation:
        influence = pd.DataFrame(columns=["weight", "S", "S_share", "ratio", "disagrees"])
        compensability = pd.DataFrame()
    else:
        influence = _influence(normalised, scores, weights, th, notes)
        compensability = _compensability(
            scorer, data, reference, by_arg, result, values, normalised, weights, step, notes
        )
    for name, row in influence.iterrows():
        if row["disagrees"]:
            flag(
                "aggregation",
                "influence",
                str(name),
                row["ratio"],
                f"{name}: share of main effects {row['S_share']:.3f} vs effective weight "
                f"{row['weight']:.3f} (ratio {row['ratio']:.2f}, outside 1 +/- "
                f"{th['influence']:g})",
            )
    admissibility = _admissibility(scheme)
    for name, row in admissibility.iterrows():
        if not row["admissible"]:
            flag(
                "aggregation",
                "scale",
                str(name),
                np.nan,
                f"{name} ({row['scale']}): {row['violation']}",
            )
    flag_table = pd.DataFrame(
        flags, columns=["level", "criterion", "subject", "value", "threshold", "message"]
    )
    return AuditResult(
        indicators=indicators,
        coverage=coverage,
        stability=stability,
        dimensions=dimensions,
        correlations=corr,
        pairs=pairs,
        alpha_if_deleted=alpha_if_deleted,
        influence=influence,
        compensability=compensability,
        admissibility=admissibility,
        flag_table=flag_table,
        thresholds=th,
        scheme=scheme,
        notes=notes,
    )


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _thresholds(overrides: Mapping[str, float] | None) -> dict[str, float]:
    th = {k: t.value for k, t in THRESHOLDS.items()}
    for k, v in (overrides or {}).items():
        if k not in th:
            raise InputDataError(
                f"thresholds: {k!r} is not an audit threshold; known are "
                f"{format_labels(list(th), limit=20)}"
            )
        try:
            th[k] = float(v)
        except (TypeError, ValueError):
            raise InputDataError(f"thresholds: {k!r} must be a number, got {v!r}") from None
    return th


def _resolve(spec: str | pd.Series | None, data: pd.DataFrame, what: str) -> pd.Series | None:
    """Column, index level or Series -> Series aligned with ``data.index``."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec in data.columns:
            s = data[spec]
        elif spec in (data.index.names or []):
            s = pd.Series(data.index.get_level_values(spec), index=data.index)
        else:
            raise InputDataError(
                f"{what}={spec!r} is neither a column nor an index level of the data; columns "
                f"are {format_labels(list(data.columns))}"
            )
        return pd.Series(s.to_numpy(), index=data.index, name=spec)
    if isinstance(spec, pd.Series):
        lacking = data.index.difference(spec.index)
        if len(lacking):
            raise InputDataError(
                f"{what} has no value for units {format_labels(lacking)}; give one per unit"
            )
        return spec.reindex(data.index)
    raise InputDataError(
        f"{what} must be a column name, an index level or a Series, got {type(spec).__name__}"
    )


def _score(scheme: Scheme, data: pd.DataFrame, reference: pd.DataFrame | None, by: Any) -> Any:
    """:meth:`Scheme.score`, per calibration group when ``by`` is given.

    A column name is passed on as such (``Scheme.score`` reads it from the data and the
    reference); a Series named after a column of the reference is extended by the groups of
    the reference rows.
    """
    if by is None:
        return scheme.score(data, reference)
    if (
        isinstance(by, pd.Series)
        and reference is not None
        and isinstance(by.name, str)
        and by.name in reference
    ):
        ref_g = reference[by.name]
        by = pd.concat([by, ref_g.loc[~ref_g.index.isin(by.index)]])
    return scheme.score(data, reference, by=by)


def _numeric_view(scheme: Scheme, raw: pd.DataFrame, normalised: pd.DataFrame) -> pd.DataFrame:
    """Raw values where numeric; points (the normalised values) for categorical columns."""
    out = {}
    for ind in scheme.indicators:
        col = raw[ind.name]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[ind.name] = col.astype(float)
        else:
            out[ind.name] = normalised[ind.name]
    return pd.DataFrame(out, index=raw.index)


def _coverage(present: pd.DataFrame, groups: pd.Series | None) -> pd.DataFrame:
    if groups is None:
        return present.mean().to_frame("all")
    table = present.groupby(groups.to_numpy()).mean().T
    table.columns.name = groups.name or "group"
    return table


def _distribution(v: np.ndarray, scale: Scale, th: dict[str, float]) -> dict[str, Any]:
    n = v.size
    out: dict[str, Any] = {
        "at_min": np.nan,
        "at_max": np.nan,
        "n_distinct": int(np.unique(v).size),
        "unique_share": np.nan,
        "skewness": np.nan,
        "kurtosis": np.nan,
        "treat": False,
        "n_outliers": 0,
    }
    if n == 0:
        return out
    out["at_min"] = float((v == v.min()).mean())
    out["at_max"] = float((v == v.max()).mean())
    out["unique_share"] = out["n_distinct"] / n
    if scale in INTERVAL_UP:
        out["skewness"] = skewness(v)
        out["kurtosis"] = kurtosis(v)
        rule = OutlierTreatment(skew_thresh=th["skew"], kurt_thresh=th["kurtosis"])
        out["treat"] = not rule.passes(v)
        q1, q3 = np.quantile(v, [0.25, 0.75])
        k = th["outlier_iqr"] * (q3 - q1)
        out["n_outliers"] = int(((v < q1 - k) | (v > q3 + k)).sum())
    return out


def _spearman(a: pd.Series, b: pd.Series) -> float:
    ok = a.notna() & b.notna()
    if ok.sum() < 3:
        return float("nan")
    x, y = a[ok].to_numpy(dtype=float), b[ok].to_numpy(dtype=float)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(stats.spearmanr(x, y)[0])


def _validity(
    name: str, normalised: pd.DataFrame, scores: pd.Series, dims: dict, dim_of: dict
) -> float:
    """Spearman of an indicator with the rest of its dimension (or the composite)."""
    d = dim_of.get(name)
    cols = dims.get(d, list(normalised.columns)) if d is not None else list(normalised.columns)
    rest = [c for c in cols if c != name]
    if not rest:  # a one-indicator dimension: its dimension score is itself; use the score
        return _spearman(normalised[name], scores)
    return _spearman(normalised[name], normalised[rest].mean(axis=1, skipna=True))


def _stability(
    values: pd.DataFrame, scores: pd.Series, groups: pd.Series | None, units: pd.Series | None
) -> pd.DataFrame:
    if groups is None or units is None:
        return pd.DataFrame()
    table = values.assign(score=scores)
    order = sorted(pd.unique(groups.dropna().to_numpy()))
    cols = {}
    for g0, g1 in itertools.pairwise(order):
        a = table[(groups == g0).to_numpy()].set_axis(units[(groups == g0).to_numpy()])
        b = table[(groups == g1).to_numpy()].set_axis(units[(groups == g1).to_numpy()])
        a = a[~a.index.duplicated()]
        b = b[~b.index.duplicated()]
        common = a.index.intersection(b.index)
        cols[f"{g0}->{g1}"] = {
            c: _spearman(a.loc[common, c], b.loc[common, c]) for c in table.columns
        }
    return pd.DataFrame(cols)


def _correlations(normalised: pd.DataFrame, inds: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    pearson = normalised.corr(method="pearson", min_periods=3)
    spearman = normalised.corr(method="spearman", min_periods=3)
    ordinal = pd.Series({i.name: i.scale not in INTERVAL_UP for i in inds})
    use_s = np.logical_or.outer(ordinal.to_numpy(), ordinal.to_numpy())
    corr = pearson.where(~use_s, spearman)
    methods = pd.DataFrame(
        np.where(use_s, "spearman", "pearson"), index=corr.index, columns=corr.columns
    )
    return corr, methods


def _pairs(
    corr: pd.DataFrame, methods: pd.DataFrame, dim_of: dict, th: dict[str, float]
) -> pd.DataFrame:
    rows = []
    names = list(corr.index)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            r = float(corr.at[a, b])
            same = a in dim_of and dim_of.get(a) == dim_of.get(b)
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "r": r,
                    "method": methods.at[a, b],
                    "dimension": dim_of.get(a) if same else "",
                    "redundant": bool(abs(r) > th["redundancy"]) if np.isfinite(r) else False,
                    "conflict": bool(same and r < th["negative"]) if np.isfinite(r) else False,
                }
            )
    return pd.DataFrame(
        rows, columns=["a", "b", "r", "method", "dimension", "redundant", "conflict"]
    )


def _dimension_stats(
    block: pd.DataFrame, th: dict[str, float], notes: list[str], label: str
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    row: dict[str, Any] = {
        "alpha": np.nan,
        "std_alpha": np.nan,
        "kmo": np.nan,
        "first_component_share": np.nan,
        "n_eigen_above": np.nan,
        "bartlett_p": np.nan,
        "n_complete": int(block.dropna().shape[0]),
    }
    if block.shape[1] < 2:
        return row, None
    ca = cronbach_alpha(block)
    row["alpha"], row["std_alpha"] = ca["alpha"], ca["std_alpha"]
    complete = block.dropna()
    if block.shape[1] < 3:  # with two items KMO is 0.5 whatever the data (Kaiser 1974)
        notes.append(f"{label}: KMO and principal components need at least 3 indicators")
        return row, ca["items"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NegativeLoadingWarning)
            pca = PCAWeights(method="first_component").fit(complete)
    except InputDataError as exc:
        notes.append(f"{label}: KMO and principal components not computed ({exc})")
    else:
        row["kmo"] = pca.kmo_["overall"]
        row["first_component_share"] = float(pca.explained_variance_ratio_.iloc[0])
        row["n_eigen_above"] = int((pca.eigenvalues_ > th["eigenvalue"]).sum())
        row["bartlett_p"] = pca.bartlett_["p_value"]
    return row, ca["items"]


def _effective_weights(result: Any, names: list[str], scores: pd.Series) -> pd.Series:
    eff = getattr(result, "effective_weights", None)
    if isinstance(eff, pd.DataFrame) and len(eff.columns):
        w = eff.reindex(columns=names).loc[scores.notna().reindex(eff.index, fill_value=False)]
        w = w.mean()
    else:
        w = getattr(result, "weights", None)
        w = (
            pd.Series(w, dtype=float).reindex(names)
            if w is not None
            else pd.Series(np.nan, index=names)
        )
    w = w.astype(float)
    if w.isna().all():  # no nominal weights (e.g. unit-specific ones): nothing to compare
        return w
    w = w.fillna(0.0)
    return w / w.sum() if w.sum() > 0 else w


def _influence(
    normalised: pd.DataFrame,
    scores: pd.Series,
    weights: pd.Series,
    th: dict[str, float],
    notes: list[str],
) -> pd.DataFrame:
    scored = scores.notna()
    s = pd.Series(
        {
            c: correlation_ratio(normalised.loc[scored, c], scores[scored])
            for c in normalised.columns
        },
        dtype=float,
    )
    total = s.sum()
    share = s / total if total > 0 else s * np.nan
    if s.isna().any():  # shares of a partial sum would overstate the others
        notes.append(
            f"main effects not estimated for {format_labels(list(s.index[s.isna()]))} (fewer "
            f"than {_MIN_UNITS} scored units with a value, or a constant score); no shares"
        )
        share = s * np.nan
    w = weights.reindex(s.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = share / w.where(w > 0)
    m = th["influence"]
    disagrees = ((ratio < 1 - m) | (ratio > 1 + m)).fillna(False)
    out = pd.DataFrame(
        {"weight": w, "S": s, "S_share": share, "ratio": ratio, "disagrees": disagrees.astype(bool)}
    )
    out.index.name = "indicator"
    return out


def _compensability(
    scheme: Scheme,
    data: pd.DataFrame,
    reference: pd.DataFrame | None,
    groups: Any,
    result: Any,
    values: pd.DataFrame,
    normalised: pd.DataFrame,
    weights: pd.Series,
    step: float,
    notes: list[str],
) -> pd.DataFrame:
    aggs = [scheme.aggregation] + ([scheme.top_aggregation] if scheme.dimensions else [])
    declared = "; ".join(dict.fromkeys(f"{a.name}: {a.compensability}" for a in aggs))
    base = {"aggregation": ", ".join(dict.fromkeys(a.name for a in aggs)), "declared": declared}
    empty = pd.DataFrame(
        [
            {
                **base,
                "n_units": 0,
                "median_ratio": np.nan,
                "q25": np.nan,
                "q75": np.nan,
                "share_no_gain": np.nan,
            }
        ],
        index=["composite"],
    )
    if getattr(scheme.weights, "unit_specific", False):
        notes.append(
            "compensability: unit-specific weights (each unit its own weighted sum) "
            "are linear; not re-scored"
        )
        return empty
    ref = data if reference is None else reference
    numeric = [
        i.name
        for i in scheme.indicators
        if i.scale in INTERVAL_UP and i.points is None and weights.get(i.name, 0) > 0
    ]
    if len(numeric) < 2:
        notes.append("compensability: needs at least two numeric indicators with weight")
        return empty
    Y = normalised[numeric]
    units = Y.index[
        Y.notna().all(axis=1).to_numpy()
        & pd.Series(result.scores).reindex(Y.index).notna().to_numpy()
    ]
    if len(units) == 0:
        return empty
    rng = ref[numeric].astype(float)
    delta = (rng.max() - rng.min()).to_numpy() * step
    signs = np.array([scheme.indicators[c].direction.sign for c in numeric], dtype=float)
    g = groups  # covers the reference rows too when the reference is the data

    def rescore(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = _score(scheme, frame, ref, g)
            except ScaleLevelError:  # reported in admissibility; measure it anyway
                res = _score(scheme.replace(allow_scale_violations=True), frame, ref, g)
        s = pd.Series(res.scores).reindex(units).to_numpy(dtype=float)
        y = pd.DataFrame(res.normalised).reindex(index=units, columns=numeric)
        return s, y.to_numpy(dtype=float)

    base_data = data.loc[units].astype(dict.fromkeys(numeric, float))
    s0, y0 = rescore(base_data)  # the baseline, by the same scoring as the raised values
    idx = np.arange(len(units))
    jw, jb = np.nanargmin(y0, axis=1), np.nanargmax(y0, axis=1)
    usable = (y0[idx, jw] < y0[idx, jb]) & np.isfinite(s0)
    gains = []
    for j in (jw, jb):
        mod = base_data.copy()
        cols = np.array(numeric)[j]
        for col in pd.unique(cols):
            rows = units[cols == col]
            k = numeric.index(col)
            mod.loc[rows, col] = mod.loc[rows, col] + signs[k] * delta[k]
        s1, y1 = rescore(mod)
        ds, dy = s1 - s0, y1[idx, j] - y0[idx, j]
        wj = weights.reindex(numeric).to_numpy()[j]
        with np.errstate(invalid="ignore", divide="ignore"):
            gains.append(np.where(usable & (dy > 0) & (wj > 0), ds / (wj * dy), np.nan))
    gw, gb = gains
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(gb > 1e-12, gw / gb, np.nan)
    no_gain = np.isfinite(gw) & np.isfinite(gb) & (np.abs(gw) <= 1e-12) & (np.abs(gb) <= 1e-12)
    r = ratio[np.isfinite(ratio)]
    row = {
        **base,
        "n_units": int(usable.sum()),
        "median_ratio": float(np.median(r)) if r.size else np.nan,
        "q25": float(np.quantile(r, 0.25)) if r.size else np.nan,
        "q75": float(np.quantile(r, 0.75)) if r.size else np.nan,
        "share_no_gain": float(no_gain[usable].mean()) if usable.any() else np.nan,
    }
    return pd.DataFrame([row], index=["composite"])


def _admissibility(scheme: Scheme) -> pd.DataFrame:
    rows = {}
    agg = scheme.aggregation
    dims = scheme.dimensions
    allowed = scheme.allow_scale_violations
    out_scales = {}
    for ind in scheme.indicators:
        nz = scheme.normalisation[ind.name].clone()
        nz.direction_ = ind.direction  # what fit() records; output scales may depend on it
        out_scales[ind.name] = nz.output_scale(ind.scale)
    dim_scale = {
        d: _dimension_scale(agg, [[out_scales[c] for c in cols]]) for d, cols in dims.items()
    }
    for ind in scheme.indicators:
        nz = scheme.normalisation[ind.name]
        problems = []
        treated = scheme.outliers is not None and ind.scale in INTERVAL_UP and ind.points is None
        norm_ok = ind.scale in nz.accepts
        if not norm_ok:
            problems.append(f"{nz.name} normalisation does not admit {ind.scale.value} data")
        agg_ok = out_scales[ind.name] in agg.accepts
        if not agg_ok:
            problems.append(
                f"the {agg.label} does not admit its {out_scales[ind.name].value} normalised values"
            )
        row = {
            "scale": ind.scale.value,
            "outliers": "treated"
            if treated
            else ("none" if scheme.outliers is None else "not treated (not numeric)"),
            "normalisation": nz.name,
            "normalisation_ok": norm_ok,
            "normalised_scale": out_scales[ind.name].value,
            "aggregation": agg.name,
            "aggregation_ok": agg_ok,
        }
        if dims:
            top = scheme.top_aggregation
            ds = dim_scale[ind.group]
            top_ok = ds in top.accepts
            row.update(
                {
                    "dimension_scale": ds.value,
                    "top_aggregation": top.name,
                    "top_aggregation_ok": top_ok,
                }
            )
            if not top_ok:
                problems.append(f"the {top.label} does not admit the {ds.value} dimension scores")
        row["admissible"] = not problems
        row["violation"] = "; ".join(problems) + (
            " (allowed by allow_scale_violations)" if problems and allowed else ""
        )
        rows[ind.name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "indicator"
    return table
