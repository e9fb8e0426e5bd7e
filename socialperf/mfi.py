"""Scores of microfinance institutions (MFIs) under every aggregation scheme, per year.

Schemes (``score_mfis(..., scheme=...)``):

========== ================================================================================
rating     the calibrated rating scale of Meyer & Krauss (2015): each metric indicator is
           rated by its percentile class (default quintiles, points 0, .25, ..., 1) in the
           reference universe's distribution *for the same year* (or by moment classes,
           mean + sd * z_k); categorical indicators by their point maps. Ratings are
           averaged per SPTF dimension, and dimensions averaged (equal weights unless
           ``weights`` are given).
equal      percentile-rank normalisation against the reference year, equal weights
expert     same normalisation, expert weights (direct weights, or budget allocations of
           several experts as a DataFrame); default: the bundled example weights
ahp        same normalisation, weights from an AHP pairwise matrix (default: bundled)
pca        same normalisation, OECD/JRC PCA/FA weights fitted on the reference year
bod        same normalisation, benefit-of-the-doubt (unit-specific DEA weights)
dea        social efficiency after Gutierrez-Nieto, Serrano-Cinca & Mar Molinero (2009):
           radial DEA with inputs assets, operating expense, staff and outputs gross loan
           portfolio, women borrowers, poverty reach (see :func:`social_efficiency_data`),
           variable returns to scale unless ``rts`` is given (:data:`DEFAULT_RTS`)
========== ================================================================================

All scores are in [0, 1], higher is better, indexed by MFI id (one year) or by
(MFI id, year) (several years).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import FewUnitsWarning
from socialperf._display import _SummaryRepr
from socialperf.catalogue import Catalogue, load_catalogue
from socialperf.exceptions import InputDataError, format_labels
from socialperf.io import validate_mfis
from weighting.indicators import Indicator
from weighting.normalise import QuantileClasses

__all__ = [
    "DEA_INPUTS",
    "DEA_OUTPUTS",
    "DEFAULT_RTS",
    "SCHEMES",
    "MFIScores",
    "RatingScale",
    "load_reference",
    "mfi_indicators",
    "score_mfis",
    "score_mfis_all",
    "social_efficiency_data",
]

LOG = logging.getLogger(__name__)
SCHEMES = ("rating", "equal", "expert", "ahp", "pca", "bod", "dea")
DEA_INPUTS = ("assets", "operating_expense", "personnel")
DEA_OUTPUTS = ("gross_loan_portfolio", "women_borrowers", "poverty_reach")
#: Returns to scale of every DEA model in socialperf unless the user picks another: the
#: ``dea`` scheme of :func:`score_mfis`, the study's ``[dea]`` table (``DEASpec.rts``),
#: ``socialperf dea --rts`` and the frontier figures. Variable returns to scale (Banker,
#: Charnes & Cooper 1984), because MFIs differ greatly in size (in the bundled MIX panel
#: the middle 90% run from 5 to 750 staff and from 0.09 to 85 million USD of assets): under
#: constant returns a small MFI is measured against big ones scaled down, so its score
#: mixes scale with the efficiency of its social outreach. VRS compares each MFI with MFIs
#: of its size; CRS (``rts="crs"``) remains a choice, and the sensitivity analysis of the
#: ``dea`` scheme compares both by default. It is also the default of :class:`dea.Radial`.
DEFAULT_RTS = "vrs"
ID, YEAR = "mfiid", "year"


# -------------------------------------------------------------------------------------------
# data helpers
# -------------------------------------------------------------------------------------------
def load_reference() -> pd.DataFrame:
    """The bundled reference universe: the cleaned MIX Africa panel (annual rows).

    Returns
    -------
    pd.DataFrame
        One row per MFI and year; see ``socialperf/data/README.md``.
    """
    ref = resources.files("socialperf") / "data" / "mfi_panel.csv"
    with resources.as_file(ref) as p:
        df = pd.read_csv(p, dtype={ID: str})
    return validate_mfis(df)


def _prepare(
    mfis: pd.DataFrame, year: int | Iterable[int] | None, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    df = validate_mfis(mfis, catalogue=catalogue)
    if YEAR not in df.columns:
        raise InputDataError(
            f"the MFI table has no {YEAR!r} column; scores are calibrated per year"
        )
    if year is not None:
        years = [int(year)] if np.isscalar(year) else [int(y) for y in year]
        have = set(df[YEAR])
        missing = [y for y in years if y not in have]
        if missing:
            raise InputDataError(
                f"the MFI table has no rows for years {format_labels(missing)}; it covers "
                f"{min(have)}-{max(have)}"
            )
        df = df.loc[df[YEAR].isin(years).to_numpy()]
    if df.empty:
        raise InputDataError("the MFI table has no rows to score")
    return df


def _unit_index(df: pd.DataFrame) -> pd.Index:
    if df[YEAR].nunique() == 1:
        return pd.Index(df[ID].to_numpy(), name=ID)
    return pd.MultiIndex.from_arrays([df[ID].to_numpy(), df[YEAR].to_numpy()], names=[ID, YEAR])


def mfi_indicators(
    mfis: pd.DataFrame,
    *,
    catalogue: Catalogue | None = None,
    names: Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
) -> pd.DataFrame:
    """Compute the catalogue's MFI indicators from a MIX-style table.

    Parameters
    ----------
    mfis : pd.DataFrame
        MIX-style table (see :func:`socialperf.io.validate_mfis`).
    catalogue : Catalogue, optional
        Default: the bundled catalogue.
    names : iterable of str, optional
        Indicators to compute; default every MFI indicator whose source columns exist.
    year : int or iterable, optional
        Restrict to these years.

    Returns
    -------
    pd.DataFrame
        Indexed by MFI id (one year) or (MFI id, year); one column per indicator (metric
        values after division and log; points for categorical ones).

    Raises
    ------
    InputDataError
        Invalid table, unknown indicator names or missing source columns.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    df = _prepare(mfis, year, cat)
    names = cat.available(df, "MFI") if names is None else list(names)
    if not names:
        raise InputDataError(
            "the MFI table has the source columns of no MFI indicator of the catalogue; "
            f"expected some of {format_labels([s.source for s in cat if s.level == 'MFI'])}"
        )
    return cat.extract(df.set_axis(_unit_index(df)), names)


def social_efficiency_data(
    mfis: pd.DataFrame, year: int | Iterable[int] | None = None
) -> pd.DataFrame:
    """Inputs and outputs of the social-efficiency DEA model, from a MIX-style table.

    Parameters
    ----------
    mfis : pd.DataFrame
        Needs assets, operating_expense, personnel, gross_loan_portfolio,
        number_of_active_borrowers, percent_of_female_borrowers,
        average_loan_balance_per_borrower and gdp_per_capita.
    year : int or iterable, optional

    Returns
    -------
    pd.DataFrame
        Columns :data:`DEA_INPUTS` + :data:`DEA_OUTPUTS` + ``year``, indexed like
        :func:`mfi_indicators`.

    Raises
    ------
    InputDataError
        If a needed column is missing.

    Notes
    -----
    * women borrowers :math:`= B \\cdot f` (active borrowers times female share);
    * poverty reach :math:`= B / (1 + \\bar{L} / g)` with :math:`\\bar{L}` the average loan
      balance per borrower and :math:`g` GDP per capita: every borrower counts with a depth
      weight in (0, 1], 1 for tiny loans, 1/2 when the average loan equals GDP per capita.
      Gutierrez-Nieto et al. (2009) weight borrowers by :math:`1 - \\bar{L}/\\text{GNI}_{pc}`,
      which turns negative (and the output unusable) whenever the average loan exceeds
      income per head, as for a third of the African panel; the bounded weight keeps the
      same ordering (smaller relative loans count more) without that gap. GDP replaces GNI
      per capita because the panel has only GDP.
    """
    df = _prepare(mfis, year)
    need = [
        "assets", "operating_expense", "personnel", "gross_loan_portfolio",
        "number_of_active_borrowers", "percent_of_female_borrowers",
        "average_loan_balance_per_borrower", "gdp_per_capita",
    ]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputDataError(
            f"the social-efficiency DEA needs columns {format_labels(missing)}, which the MFI "
            "table does not have"
        )
    b = df["number_of_active_borrowers"].astype(float)
    depth = df["average_loan_balance_per_borrower"].astype(float) / df["gdp_per_capita"].where(
        df["gdp_per_capita"] > 0
    )
    out = pd.DataFrame(
        {
            "assets": df["assets"].astype(float),
            "operating_expense": df["operating_expense"].astype(float),
            "personnel": df["personnel"].astype(float),
            "gross_loan_portfolio": df["gross_loan_portfolio"].astype(float),
            "women_borrowers": b * df["percent_of_female_borrowers"].astype(float),
            "poverty_reach": b / (1.0 + depth),
            YEAR: df[YEAR].to_numpy(),
        }
    )
    out.index = _unit_index(df)
    return out


# -------------------------------------------------------------------------------------------
# calibrated rating scale
# -------------------------------------------------------------------------------------------
class RatingScale:
    """Rating scale of MFI indicators calibrated on a reference universe, per year.

    Parameters
    ----------
    n_classes : int, default 5
        Number of rating classes (5: quintiles).
    method : {"percentile", "moments"}, default "percentile"
        ``"percentile"``: cut points are the reference quantiles at k/K; ``"moments"``:
        cut points are mean + sd * z_{k/K} of the reference (normal quantiles z), a
        parametric alternative for interval/ratio indicators.
    points : sequence of float, optional
        Points of the classes from worst to best; default ``0, 1/(K-1), ..., 1``.
    min_reference : int, default 10
        Fewest reference values needed to calibrate an indicator in a year.

    Attributes
    ----------
    cuts_ : dict
        ``{year: DataFrame(indicator x cut)}`` after :meth:`fit`, cuts on the raw scale.
    points_ : np.ndarray
    indicators_ : list of str

    Notes
    -----
    For a higher-is-better metric indicator with cut points :math:`q_1 < \\dots < q_{K-1}`,
    a value :math:`x` falls in class :math:`k(x) = 1 + \\#\\{c : x > q_c\\}` (a value equal
    to a cut point falls in the lower class); for lower-is-better indicators the classes
    are computed on :math:`-x`. Its rating is the class's points. Only order is used for
    percentile classes, so they are meaningful for ordinal data too; moment classes need
    interval or ratio scale. Nominal and ordinal indicators are rated by their point maps.
    The classes of one indicator in one year are a :class:`weighting.QuantileClasses`
    fitted on that year's reference values (``cuts="quantile"`` or ``"moments"``).

    References
    ----------
    Meyer, J. & Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich.
    """

    def __init__(
        self,
        n_classes: int = 5,
        method: str = "percentile",
        points: Iterable[float] | None = None,
        min_reference: int = 10,
    ) -> None:
        if not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
            raise InputDataError(f"n_classes must be an integer >= 2, got {n_classes!r}")
        if method not in ("percentile", "moments"):
            raise InputDataError(
                f"rating method must be 'percentile' or 'moments', got {method!r}"
            )
        self.n_classes = int(n_classes)
        self.method = method
        self.points = None if points is None else [float(p) for p in points]
        self.min_reference = int(min_reference)

    def fit(
        self, reference: pd.DataFrame, years: pd.Series | np.ndarray, catalogue: Catalogue
    ) -> RatingScale:
        """Learn cut points per year from reference indicator values.

        Parameters
        ----------
        reference : pd.DataFrame
            Reference indicator values (columns = catalogue MFI indicators).
        years : array-like
            Fiscal year of each reference row.
        catalogue : Catalogue

        Returns
        -------
        RatingScale
            ``self``.

        Raises
        ------
        InputDataError
            If ``points`` has the wrong length.
        """
        k = self.n_classes
        pts = np.linspace(0.0, 1.0, k) if self.points is None else np.asarray(self.points)
        if pts.shape != (k,):
            raise InputDataError(f"points must have {k} values (one per class), got {len(pts)}")
        self.points_ = pts
        self.indicators_ = list(reference.columns)
        years = np.asarray(years)
        cuts_kind = "quantile" if self.method == "percentile" else "moments"
        self.cuts_: dict[int, pd.DataFrame] = {}
        self.n_reference_: dict[int, pd.Series] = {}
        self._classes: dict[int, dict[str, QuantileClasses]] = {}
        for y in sorted(set(years.tolist())):
            rows = reference.loc[years == y]
            cuts = {}
            counts = {}
            fitted: dict[str, QuantileClasses] = {}
            for name in self.indicators_:
                spec = catalogue[name]
                v = rows[name].to_numpy(dtype=float)
                v = v[np.isfinite(v)]
                counts[name] = v.size
                if not spec.is_metric or v.size < self.min_reference:
                    cuts[name] = np.full(k - 1, np.nan)
                    continue
                ind = Indicator(name=name, scale=spec.scale, direction=spec.direction)
                qc = QuantileClasses(n_classes=k, cuts=cuts_kind).fit(pd.Series(v), indicator=ind)
                fitted[name] = qc
                cuts[name] = qc.raw_cuts_
            self.cuts_[int(y)] = pd.DataFrame(cuts, index=[f"q{i}" for i in range(1, k)]).T
            self.n_reference_[int(y)] = pd.Series(counts)
            self._classes[int(y)] = fitted
        return self

    def classes(self, values: pd.Series, year: int, spec: Any) -> pd.Series:
        """Rating class (1..K) of each value of one metric indicator in ``year``."""
        qc = self._classes[int(year)].get(spec.name)
        if qc is None:
            return pd.Series(np.nan, index=values.index)
        return qc.transform(values.astype(float)).rename(None)

    def rate(
        self, values: pd.DataFrame, years: np.ndarray, catalogue: Catalogue
    ) -> pd.DataFrame:
        """Ratings (class points) of indicator values, each against its own year's scale.

        Parameters
        ----------
        values : pd.DataFrame
            Indicator values (columns as in :meth:`fit`; categorical ones as points).
        years : array-like
            Calibration year of each row.
        catalogue : Catalogue

        Returns
        -------
        pd.DataFrame
            Ratings in [min(points), max(points)].

        Raises
        ------
        InputDataError
            If a calibration year is not in the reference.
        """
        years = np.asarray(years)
        _check_reference_years(years, self.cuts_)
        out = pd.DataFrame(np.nan, index=values.index, columns=values.columns)
        for name in values.columns:
            spec = catalogue[name]
            if not spec.is_metric:
                out[name] = values[name].to_numpy(dtype=float)  # already points in [0, 1]
                continue
            col = np.full(len(values), np.nan)
            for y in set(years.tolist()):
                mask = years == y
                cls = self.classes(values[name].loc[mask], y, spec).to_numpy()
                ok = np.isfinite(cls)
                tmp = np.full(mask.sum(), np.nan)
                tmp[ok] = self.points_[cls[ok].astype(int) - 1]
                col[mask] = tmp
            out[name] = col
        return out


# -------------------------------------------------------------------------------------------
# results
# -------------------------------------------------------------------------------------------
def _check_reference_years(needed: Any, available: Iterable[Any]) -> None:
    """Raise if some calibration year has no rows in the reference universe."""
    have = set(available)
    unknown = sorted(set(np.asarray(needed).tolist()) - have)
    if unknown:
        raise InputDataError(
            f"the reference universe has no rows for years {format_labels(unknown)}; it "
            f"covers {format_labels(sorted(have), limit=30)}; pass reference_year= to "
            "calibrate on another year, or another reference"
        )


@dataclass(frozen=True, repr=False)
class MFIScores(_SummaryRepr):
    """MFI scores under one scheme.

    Attributes
    ----------
    scheme : str
        Scheme name.
    scores : pd.Series
        Score per MFI (index MFI id, or (MFI id, year) for several years), in [0, 1].
    details : pd.DataFrame
        Per unit: calibration year, number of indicators used, dimension scores
        (``dim:<dimension>``) and indicator contributions (``contrib:<indicator>``) for
        composite schemes; inputs, outputs and peers count for DEA.
    excluded : pd.Series
        Unit -> reason for units without a score.
    indicators : pd.DataFrame
        Raw indicator values (or DEA inputs/outputs).
    normalised : pd.DataFrame or None
        Normalised indicators (ratings for the rating scheme).
    weights : pd.Series, pd.DataFrame or None
        Indicator weights (a DataFrame year x indicator when fitted per year, units x
        indicators for BoD).
    info : dict
        Options used.
    """

    scheme: str
    scores: pd.Series
    details: pd.DataFrame = field(repr=False)
    excluded: pd.Series = field(repr=False)
    indicators: pd.DataFrame = field(repr=False)
    normalised: pd.DataFrame | None = field(default=None, repr=False)
    weights: Any = field(default=None, repr=False)
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self) -> pd.DataFrame:
        """Count, mean, quartiles of the scores; number excluded."""
        d = self.scores.describe()
        d["excluded"] = len(self.excluded)
        return d.to_frame(self.scheme)

    def _headline(self) -> str:
        return (f"MFIScores(scheme={self.scheme!r}, {self.scores.notna().sum()} scored, "
                f"{len(self.excluded)} excluded)")


# -------------------------------------------------------------------------------------------
# scoring
# -------------------------------------------------------------------------------------------
def _bundled_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    ref = resources.files("socialperf") / "data" / name
    with resources.as_file(ref) as p:
        return pd.read_csv(p, **kwargs)


def _reference_table(reference: Any, table: pd.DataFrame) -> pd.DataFrame:
    if reference is None:
        return load_reference()
    if isinstance(reference, str) and reference == "self":
        return table
    if isinstance(reference, pd.DataFrame):
        return validate_mfis(reference)
    raise InputDataError(
        "reference must be None (the bundled MIX universe), 'self' (the scored table) or a "
        f"DataFrame, got {type(reference).__name__}"
    )


def _weights_for(
    scheme: str, names: list[str], X: pd.DataFrame, cat: Catalogue, weights: Any, options: dict
) -> Any:
    from weighting.weights import (
        AHPWeights,
        BudgetAllocation,
        EqualWeights,
        ExpertWeights,
    )

    if scheme == "equal":
        by_dim = options.pop("by_dimension", False)
        groups = {n: cat[n].dimension for n in names} if by_dim else None
        return EqualWeights(groups=groups).fit(X).weights_
    if scheme == "expert":
        if weights is None:
            direct = _bundled_csv("expert_weights.csv")
            weights = direct.set_index("indicator")["weight"]
        if isinstance(weights, pd.DataFrame):
            w = BudgetAllocation(weights[[c for c in weights.columns if c in names]]).fit().weights_
        else:
            w = ExpertWeights(pd.Series(weights, dtype=float)).fit().weights_
        return _align(w, names, "expert weights")
    if scheme == "ahp":
        if weights is None:
            weights = _bundled_csv("ahp_matrix.csv", index_col=0)
        m = weights
        if isinstance(m, pd.DataFrame):
            keep = [n for n in m.index if n in names]
            m = m.loc[keep, keep]
        return _align(AHPWeights(m, **options.pop("ahp_options", {})).fit().weights_, names,
                      "AHP weights")
    raise InputDataError(f"unknown scheme {scheme!r}")  # pragma: no cover


def _align(w: pd.Series, names: list[str], what: str) -> pd.Series:
    extra = [k for k in w.index if k not in names]
    if extra:
        raise InputDataError(
            f"{what} name indicators {format_labels(extra)} that are not scored; scored "
            f"indicators are {format_labels(names)}"
        )
    w = w.reindex(names).fillna(0.0)
    if w.sum() <= 0:
        raise InputDataError(f"{what} give zero weight to every scored indicator")
    return w / w.sum()


def _weighted_mean(values: pd.DataFrame, w: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    v = values[w.index].to_numpy(dtype=float)
    wv = np.broadcast_to(w.to_numpy(dtype=float), v.shape)
    present = np.isfinite(v)
    den = (wv * present).sum(axis=1)
    num = np.where(present, v * wv, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan), den


def score_mfis(
    mfis: pd.DataFrame,
    *,
    scheme: Any = "rating",
    year: int | Iterable[int] | None = None,
    reference: Any = None,
    catalogue: Catalogue | None = None,
    weights: Any = None,
    **options: Any,
) -> MFIScores:
    """Score MFIs under one aggregation scheme, per year.

    Parameters
    ----------
    mfis : pd.DataFrame
        MIX-style table with ``mfiid`` and ``year`` (see :func:`socialperf.io.read_mfis`).
    scheme : str or weighting.Scheme, default "rating"
        One of :data:`SCHEMES`, or a ``weighting.Scheme`` applied to the indicator table.
    year : int or iterable of int, optional
        Years to score (default: all in ``mfis``).
    reference : None, "self" or DataFrame
        Reference universe for calibration and normalisation: the bundled MIX panel
        (default), the scored table itself, or another MIX-style table. The DEA scheme
        does not use it: it measures each MFI against the MFIs scored in the same year.
    catalogue : Catalogue, optional
        Default: the bundled catalogue.
    weights : optional
        Rating/expert: indicator -> weight (Series or dict), or for expert a DataFrame of
        budget allocations (experts x indicators); AHP: the pairwise matrix (DataFrame).
    **options
        ``indicators`` (list of names), ``reference_year`` (calibrate every unit on this
        year), ``min_coverage`` (share of indicator weight a unit needs, default 0.6),
        rating: ``n_classes`` (5), ``rating_method`` ("percentile"/"moments"), ``points``;
        composite schemes: ``normalisation`` (default "percentile"), ``by_dimension`` (equal),
        ``pca_options``, ``bod_options``, ``ahp_options``; dea: ``rts`` (default
        :data:`DEFAULT_RTS`, "vrs": MFIs differ greatly in size), ``orientation``
        ("input"), ``dea_options`` (keywords of :class:`dea.Radial`, e.g. ``n_jobs``).

    Returns
    -------
    MFIScores

    Raises
    ------
    InputDataError
        For an unknown scheme or option, a year without reference data, invalid weights or
        tables.

    Notes
    -----
    Composite schemes: with normalised indicators :math:`x_{ij} \\in [0, 1]` (higher is
    better) and weights :math:`w_j`, the score of unit i is
    :math:`S_i = \\sum_{j \\in J_i} w_j x_{ij} / \\sum_{j \\in J_i} w_j` over its present
    indicators :math:`J_i`; units with :math:`\\sum_{j\\in J_i} w_j` below ``min_coverage``
    are excluded. The rating scheme with default weights averages ratings within each
    dimension and then the dimensions.

    References
    ----------
    Meyer, J. & Krauss, A. (2015). CMF Working Paper 03-2015, University of Zurich.
    Gutierrez-Nieto, B., Serrano-Cinca, C. & Mar Molinero, C. (2009). Social efficiency in
    microfinance institutions. Journal of the Operational Research Society 60(1), 104-119.
    OECD/JRC (2008). Handbook on Constructing Composite Indicators.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    options = dict(options)
    if not isinstance(scheme, str):
        return _score_with_scheme(mfis, scheme, year, cat, options, reference)
    if scheme not in SCHEMES:
        raise InputDataError(f"scheme must be one of {format_labels(SCHEMES)}, got {scheme!r}")
    if scheme == "dea":
        if weights is not None:
            raise InputDataError(
                "scheme 'dea' finds its own multipliers; do not pass weights= (model options "
                "go in dea_options=)"
            )
        out = _score_dea(mfis, year, options)
        _no_leftovers(options, scheme)
        return out
    table = _prepare(mfis, year, cat)
    names = options.pop("indicators", None)
    names = cat.available(table, "MFI") if names is None else list(names)
    X = cat.extract(table.set_axis(_unit_index(table)), names)
    X = X.loc[:, X.notna().any(axis=0).to_numpy()] if options.pop("drop_empty", True) else X
    names = list(X.columns)
    if not names:
        raise InputDataError("no MFI indicator has any value in the table")
    ref_table = _reference_table(reference, table)
    # categorical indicators are rated by their point maps: no reference values needed
    metric = [n for n in names if cat[n].is_metric]
    R = cat.extract(ref_table, metric).reindex(columns=names)
    ref_years = ref_table[YEAR].to_numpy()
    ref_year = options.pop("reference_year", None)
    cal_years = np.full(len(table), int(ref_year)) if ref_year is not None else table[
        YEAR
    ].to_numpy()
    min_cov = float(options.pop("min_coverage", 0.6))
    dims = cat.dimensions(names)
    info: dict[str, Any] = {"reference": "bundled" if reference is None else "given",
                            "indicators": names, "min_coverage": min_cov}
    if scheme == "rating":
        rs = RatingScale(
            n_classes=options.pop("n_classes", 5),
            method=options.pop("rating_method", "percentile"),
            points=options.pop("points", None),
        ).fit(R, ref_years, cat)
        N = rs.rate(X, cal_years, cat)
        info["rating"] = {"n_classes": rs.n_classes, "method": rs.method}
        if weights is None:
            # equal per dimension, equal within
            w = pd.Series({n: 1.0 / (dims.nunique() * (dims == dims[n]).sum()) for n in names})
        else:
            w = _align(pd.Series(weights, dtype=float), names, "rating weights")
        wdf = w
    else:
        N = _normalise(X, R, cal_years, ref_years, cat, options.pop("normalisation", "percentile"))
        if scheme in ("equal", "expert", "ahp"):
            w = _weights_for(scheme, names, N, cat, weights, options)
            wdf = w
        elif scheme == "pca":
            w, wdf = _pca_weights(N, R, cal_years, ref_years, cat, options.pop("pca_options", {}))
        else:  # bod
            if weights is not None:
                raise InputDataError("scheme 'bod' finds its own weights; do not pass weights=")
            _no_leftovers({k: v for k, v in options.items() if k != "bod_options"}, scheme)
            return _score_bod(X, N, table, names, dims, info, options.pop("bod_options", {}))
    _no_leftovers(options, scheme)
    if isinstance(w, pd.DataFrame):  # per-year weights (PCA)
        score = np.full(len(N), np.nan)
        cover = np.zeros(len(N))
        for y, wy in w.iterrows():
            mask = cal_years == y
            s, c = _weighted_mean(N.loc[mask], wy)
            score[mask] = s
            cover[mask] = c
        wmat = w.loc[cal_years].to_numpy()
    else:
        score, cover = _weighted_mean(N, w)
        wmat = np.broadcast_to(w.to_numpy(), N.shape)
    excluded = {}
    for i, lab in enumerate(N.index):
        if cover[i] < min_cov - 1e-12:
            n_missing = int(N.iloc[i].isna().sum())
            excluded[lab] = (
                f"only {cover[i]:.0%} of the indicator weight is present ({n_missing} of "
                f"{len(names)} indicators missing); min_coverage is {min_cov:.0%}"
            )
            score[i] = np.nan
    details = _details(N, wmat, dims, cal_years)
    return MFIScores(
        scheme=scheme,
        scores=pd.Series(score, index=N.index, name=scheme),
        details=details,
        excluded=pd.Series(excluded, name="reason", dtype=object),
        indicators=X,
        normalised=N,
        weights=wdf,
        info=info,
    )


def _no_leftovers(options: dict, scheme: str) -> None:
    if options:
        raise InputDataError(
            f"options {format_labels(list(options))} do not apply to scheme {scheme!r}; see "
            "score_mfis' docstring for the options of each scheme"
        )


def _normalise(
    X: pd.DataFrame,
    R: pd.DataFrame,
    cal_years: np.ndarray,
    ref_years: np.ndarray,
    cat: Catalogue,
    method: Any,
) -> pd.DataFrame:
    from weighting.indicators import Indicator
    from weighting.normalise import get_normaliser

    _check_reference_years(cal_years, ref_years.tolist())
    out = pd.DataFrame(np.nan, index=X.index, columns=X.columns)
    for name in X.columns:
        spec = cat[name]
        if not spec.is_metric:
            out[name] = X[name].to_numpy(dtype=float)
            continue
        ind = Indicator(name=name, scale=spec.scale, direction=spec.direction)
        col = np.full(len(X), np.nan)
        for y in set(cal_years.tolist()):
            mask = cal_years == y
            ref = R.loc[ref_years == y, name].dropna()
            if ref.empty:
                continue
            norm = get_normaliser(method).fit(ref, indicator=ind)
            col[mask] = norm.transform(X.loc[mask, name]).to_numpy(dtype=float)
        out[name] = col
    return out


def _pca_weights(
    N: pd.DataFrame,
    R: pd.DataFrame,
    cal_years: np.ndarray,
    ref_years: np.ndarray,
    cat: Catalogue,
    pca_options: Mapping[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from weighting.weights import PCAWeights

    rows = {}
    for y in sorted(set(cal_years.tolist())):
        ref = R.loc[ref_years == y]
        ref_years_y = np.full(len(ref), y)
        Nref = _normalise(ref, R, ref_years_y, ref_years, cat, "percentile").dropna()
        if len(Nref) < N.shape[1] + 2:
            raise InputDataError(
                f"PCA weights for year {y} need at least {N.shape[1] + 2} reference MFIs with "
                f"every indicator; the reference has {len(Nref)}"
            )
        rows[y] = PCAWeights(**dict(pca_options)).fit(Nref).weights_
    w = pd.DataFrame(rows).T.reindex(columns=N.columns)
    w.index.name = YEAR
    return w, w


def _score_bod(
    X: pd.DataFrame,
    N: pd.DataFrame,
    table: pd.DataFrame,
    names: list[str],
    dims: pd.Series,
    info: dict,
    bod_options: Mapping[str, Any],
) -> MFIScores:
    from weighting.weights import BoDWeights

    years = table[YEAR].to_numpy()
    score = pd.Series(np.nan, index=N.index, name="bod")
    excluded = {}
    unit_w = []
    complete = N.notna().all(axis=1).to_numpy()
    for lab in N.index[~complete]:
        excluded[lab] = "benefit of the doubt needs every indicator; some are missing"
    for y in sorted(set(years.tolist())):
        mask = (years == y) & complete
        if mask.sum() < 2:
            for lab in N.index[mask]:
                excluded[lab] = f"fewer than 2 complete MFIs in {y}; BoD needs a comparison set"
            continue
        fit = BoDWeights(**dict(bod_options)).fit(N.loc[mask])
        score.loc[N.index[mask]] = fit.scores_.to_numpy()
        unit_w.append(fit.unit_weights_)
    weights = pd.concat(unit_w) if unit_w else None
    details = pd.DataFrame({"calibration_year": years}, index=N.index)
    details["n_indicators"] = N.notna().sum(axis=1).to_numpy()
    return MFIScores(
        scheme="bod",
        scores=score,
        details=details,
        excluded=pd.Series(excluded, name="reason", dtype=object),
        indicators=X,
        normalised=N,
        weights=weights,
        info=info,
    )


def _details(
    N: pd.DataFrame, wmat: np.ndarray, dims: pd.Series, cal_years: np.ndarray
) -> pd.DataFrame:
    v = N.to_numpy(dtype=float)
    present = np.isfinite(v)
    wv = np.where(present, wmat, 0.0)
    tot = wv.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = np.where(present, v * wv, 0.0) / np.where(tot > 0, tot, np.nan)
    out = {"calibration_year": cal_years, "n_indicators": present.sum(axis=1)}
    for d in pd.unique(dims.to_numpy()):
        cols = [i for i, n in enumerate(N.columns) if dims[n] == d]
        dw = wv[:, cols]
        den = dw.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"dim:{d}"] = np.where(
                den > 0, np.where(present[:, cols], v[:, cols] * dw, 0.0).sum(axis=1) / den,
                np.nan,
            )
    for j, n in enumerate(N.columns):
        out[f"contrib:{n}"] = contrib[:, j]
    return pd.DataFrame(out, index=N.index)


def _radial(data: pd.DataFrame, rts: str, orientation: str, dea_options: Mapping[str, Any]) -> Any:
    import dea

    return dea.Radial(
        data,
        inputs=list(DEA_INPUTS),
        outputs=list(DEA_OUTPUTS),
        rts=rts,
        orientation=orientation,
        **dict(dea_options),
    ).fit()


def _score_dea(mfis: pd.DataFrame, year: Any, options: dict) -> MFIScores:
    rts = options.pop("rts", DEFAULT_RTS)
    orientation = options.pop("orientation", "input")
    dea_options = options.pop("dea_options", {})
    data = social_efficiency_data(mfis, year)
    cols = list(DEA_INPUTS) + list(DEA_OUTPUTS)
    vals = data[cols]
    bad_missing = vals.isna().any(axis=1).to_numpy()
    bad_inputs = (data[list(DEA_INPUTS)] <= 0).any(axis=1).to_numpy()
    bad_outputs = (data[list(DEA_OUTPUTS)] <= 0).all(axis=1).to_numpy()
    excluded: dict[Any, str] = {}
    for i, lab in enumerate(data.index):
        if bad_missing[i]:
            miss = [c for c in cols if pd.isna(vals.iloc[i][c])]
            excluded[lab] = f"missing {', '.join(miss)}"
        elif bad_inputs[i]:
            excluded[lab] = "an input (assets, operating expense, staff) is zero"
        elif bad_outputs[i]:
            excluded[lab] = "all outputs are zero"
    ok = ~(bad_missing | bad_inputs | bad_outputs)
    score = pd.Series(np.nan, index=data.index, name="dea")
    peers = pd.Series(np.nan, index=data.index, name="n_peers")
    years = data[YEAR].to_numpy()
    statuses = pd.Series("", index=data.index, name="status", dtype=object)
    for y in sorted(set(years.tolist())):
        mask = ok & (years == y)
        if mask.sum() < 2:
            for lab in data.index[mask]:
                excluded[lab] = f"fewer than 2 MFIs with complete data in {y}"
            continue
        if mask.sum() < len(cols):
            warnings.warn(
                f"scheme 'dea': only {int(mask.sum())} MFIs with complete data in {y} for "
                f"{len(DEA_INPUTS)} inputs and {len(DEA_OUTPUTS)} outputs (n < m + s): most "
                "will score 1; use more MFIs or another scheme",
                FewUnitsWarning,
                stacklevel=3,
            )
        sub = data.loc[mask, cols]
        labels = sub.index
        flat = sub.reset_index(drop=True)
        flat.index = pd.RangeIndex(len(flat))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            res = _radial(flat, rts, orientation, dea_options)
        sc = np.asarray(res.scores, dtype=float)  # in (0, 1] for every orientation
        score.loc[labels] = sc
        st = getattr(res, "status", None)
        if st is not None:
            statuses.loc[labels] = np.asarray(st, dtype=object)
        lam = getattr(res, "lambdas", None)
        if lam is not None:
            peers.loc[labels] = (np.asarray(lam, dtype=float) > 1e-9).sum(axis=1)
    _no_leftovers(options, "dea")
    details = data.copy()
    details["n_peers"] = peers
    details["status"] = statuses
    return MFIScores(
        scheme="dea",
        scores=score,
        details=details,
        excluded=pd.Series(excluded, name="reason", dtype=object),
        indicators=data[cols],
        normalised=None,
        weights=None,
        info={"rts": rts, "orientation": orientation, "inputs": list(DEA_INPUTS),
              "outputs": list(DEA_OUTPUTS)},
    )


def _scheme_frame(cat: Catalogue, table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Indicator table for a ``weighting.Scheme``: metric values, raw category labels."""
    cols = {}
    for n in names:
        spec = cat[n]
        cols[n] = spec.extract(table) if spec.is_metric else table[spec.source].astype(object)
    return pd.DataFrame(cols, index=table.index)


def _score_with_scheme(
    mfis: pd.DataFrame, scheme: Any, year: Any, cat: Catalogue, options: dict, reference: Any
) -> MFIScores:
    if not hasattr(scheme, "score"):
        raise InputDataError(
            f"scheme must be a name in {format_labels(SCHEMES)} or an object with a "
            f".score(data, reference) method (weighting.Scheme), got {type(scheme).__name__}"
        )
    table = _prepare(mfis, year, cat)
    names = options.pop("indicators", None)
    if names is None:
        ind = getattr(scheme, "indicators", None)
        names = list(ind.names) if ind is not None else cat.available(table, "MFI")
    ref_year = options.pop("reference_year", None)
    _no_leftovers(options, "Scheme")
    ref_table = _reference_table(reference, table)
    X = _scheme_frame(cat, table, names)
    X.index = _unit_index(table)
    R = _scheme_frame(cat, ref_table, names)
    ref_years = ref_table[YEAR].to_numpy()
    years = table[YEAR].to_numpy()
    parts, excl, details, norm = [], [], [], []
    weights: dict[int, Any] = {}
    for y in sorted(set(years.tolist())):
        cy = int(ref_year) if ref_year is not None else y
        ref = R.loc[ref_years == cy]
        if ref.empty:
            raise InputDataError(
                f"the reference universe has no rows for year {cy}; pass reference_year= "
                "or another reference"
            )
        ref = ref.set_axis([f"ref{i}" for i in range(len(ref))])
        res = scheme.score(X.loc[years == y], reference=ref)
        parts.append(res.scores)
        excl.append(getattr(res, "excluded", pd.Series(dtype=object)))
        dims = getattr(res, "dimension_scores", pd.DataFrame(index=res.scores.index))
        contrib = getattr(res, "contributions", pd.DataFrame(index=res.scores.index))
        details.append(pd.concat([dims.add_prefix("dim:"), contrib.add_prefix("contrib:")],
                                 axis=1))
        norm.append(getattr(res, "normalised", pd.DataFrame(index=res.scores.index)))
        weights[y] = getattr(res, "weights", None)
    name = str(getattr(scheme, "name", None) or type(scheme).__name__)
    scores = pd.concat(parts).reindex(X.index).astype(float).rename(name)
    w = pd.DataFrame(weights).T if all(isinstance(v, pd.Series) for v in weights.values()) else None
    return MFIScores(
        scheme=name,
        scores=scores,
        details=pd.concat(details).reindex(X.index),
        excluded=pd.concat(excl).astype(object).rename("reason") if excl else pd.Series(
            dtype=object, name="reason"),
        indicators=X,
        normalised=pd.concat(norm).reindex(X.index),
        weights=w,
        info={"scheme": repr(scheme), "reference_year": ref_year},
    )


_COMMON = ("reference", "catalogue", "indicators", "reference_year", "min_coverage")


def score_mfis_all(
    mfis: pd.DataFrame,
    *,
    schemes: Iterable[Any] | Mapping[str, Any] | None = None,
    year: int | Iterable[int] | None = None,
    scheme_options: Mapping[str, Mapping[str, Any]] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Score MFIs under several schemes: a units x schemes table.

    Parameters
    ----------
    mfis : pd.DataFrame
        MIX-style table.
    schemes : iterable or mapping, optional
        Scheme names (default all of :data:`SCHEMES`), or a mapping column name -> scheme
        (a name or a ``weighting.Scheme``).
    year : int or iterable, optional
    scheme_options : mapping, optional
        Per scheme name, extra keyword options for :func:`score_mfis` (e.g.
        ``{"ahp": {"weights": matrix}, "dea": {"rts": "vrs"}}``).
    **options
        Options common to all schemes: ``reference``, ``catalogue``, ``indicators``,
        ``reference_year``, ``min_coverage`` (the last three not passed to ``dea``).

    Returns
    -------
    pd.DataFrame
        One column per scheme, indexed by unit (union over schemes).

    Raises
    ------
    InputDataError
        For other common options, or as :func:`score_mfis`.
    """
    bad = [k for k in options if k not in _COMMON]
    if bad:
        raise InputDataError(
            f"options {format_labels(bad)} are not common to all schemes; pass them per "
            "scheme in scheme_options={name: {...}}"
        )
    if schemes is None:
        schemes = {s: s for s in SCHEMES}
    elif not isinstance(schemes, Mapping):
        schemes = {(s if isinstance(s, str) else getattr(s, "name", repr(s))): s for s in schemes}
    per = dict(scheme_options or {})
    cols = {}
    for name, sch in schemes.items():
        opts = dict(per.get(name, {}))
        for k, v in options.items():
            if sch == "dea" and k in ("indicators", "reference_year", "min_coverage",
                                      "reference", "catalogue"):
                continue
            if not isinstance(sch, str) and k in ("reference", "reference_year", "min_coverage"):
                continue
            opts.setdefault(k, v)
        cols[name] = score_mfis(mfis, scheme=sch, year=year, **opts).scores
    return pd.DataFrame(cols)
