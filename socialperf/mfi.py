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
from socialperf.schemes import (
    DEA_INPUTS,
    DEA_OUTPUTS,
    DEFAULT_MIN_COVERAGE,
    DEFAULT_RTS,
    SCHEMES,
    build_scheme,
    dea_model,
)
from weighting.exceptions import CoverageWarning

__all__ = [
    "DEA_INPUTS",
    "DEA_OUTPUTS",
    "DEFAULT_RTS",
    "SCHEMES",
    "MFIScores",
    "load_reference",
    "mfi_indicators",
    "score_mfis",
    "score_mfis_all",
    "social_efficiency_data",
]

LOG = logging.getLogger(__name__)
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
        Options used; for a named composite scheme ``info["scheme"]`` is the
        ``weighting.Scheme`` that produced the scores (:mod:`socialperf.schemes`).
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
        year), ``min_coverage`` (share of indicator weight a unit needs, default 0.6), and
        the options of the scheme's factory in :mod:`socialperf.schemes`: rating:
        ``n_classes`` (5), ``rating_method`` ("percentile"/"moments"), ``points``;
        composite schemes: ``normalisation`` (default "percentile"), ``by_dimension``
        (equal), ``pca_options``, ``bod_options``, ``ahp_options``; dea: ``rts`` (default
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
    A named composite scheme is the ``weighting.Scheme`` of
    :func:`socialperf.schemes.build_scheme`, scored with
    ``Scheme.score(indicators, reference, by="year")``: with normalised indicators
    :math:`x_{ij} \\in [0, 1]` (higher is better; normalisers and data-driven weights fitted
    on the reference rows of the unit's calibration year) and weights :math:`w_j`, the
    score of unit i is :math:`S_i = \\sum_{j \\in J_i} w_j x_{ij} / \\sum_{j \\in J_i} w_j`
    over its present indicators :math:`J_i`; units with :math:`\\sum_{j\\in J_i} w_j`
    below ``min_coverage`` are excluded. The rating scheme with default weights gives each
    dimension the same weight, shared equally within it.

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
    if scheme == "bod" and weights is not None:
        raise InputDataError("scheme 'bod' finds its own weights; do not pass weights=")
    data, ref = composite_inputs(mfis, year, cat, reference, options.pop("indicators", None),
                                 options.pop("reference_year", None),
                                 options.pop("drop_empty", True))
    X, cal_years = data.drop(columns=YEAR), data[YEAR].to_numpy()
    names = list(X.columns)
    min_cov = float(options.pop("min_coverage", DEFAULT_MIN_COVERAGE))
    info: dict[str, Any] = {"reference": "bundled" if reference is None else "given",
                            "indicators": names, "min_coverage": min_cov}
    if scheme == "rating":
        info["rating"] = {"n_classes": int(options.get("n_classes", 5)),
                          "method": options.get("rating_method", "percentile")}
    if scheme != "bod":
        options["min_coverage"] = min_cov
    if weights is not None:
        options["weights"] = weights
    built = build_scheme(scheme, cat, names, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        res = built.score(data, ref, by=YEAR)
    info["scheme"] = built
    return _view(scheme, res, X, cal_years, cat.dimensions(names), info)


def composite_inputs(
    mfis: pd.DataFrame, year: Any, catalogue: Catalogue, reference: Any = None,
    indicators: Iterable[str] | None = None, reference_year: int | None = None,
    drop_empty: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data and reference frames a named composite scheme scores the MFIs on.

    Returns
    -------
    data, reference : pandas.DataFrame
        Catalogue indicator values (categorical ones as points) of the scored MFIs (by MFI
        id; indicators without any value dropped if ``drop_empty``) and of the reference
        universe, each with the calibration year in column ``year``:
        ``build_scheme(...).score(data, reference, by="year")`` is :func:`score_mfis`.

    Raises
    ------
    InputDataError
        No indicator with a value, or a calibration year the reference has no rows for.
    """
    table = _prepare(mfis, year, catalogue)
    names = catalogue.available(table, "MFI") if indicators is None else list(indicators)
    X = catalogue.extract(table.set_axis(_unit_index(table)), names)
    X = X.loc[:, X.notna().any(axis=0).to_numpy()] if drop_empty else X
    names = list(X.columns)
    if not names:
        raise InputDataError("no MFI indicator has any value in the table")
    ref_table = _reference_table(reference, table)
    # categorical indicators are rated by their point maps: no reference values needed
    metric = [n for n in names if catalogue[n].is_metric]
    R = catalogue.extract(ref_table, metric).reindex(columns=names)
    ref_years = ref_table[YEAR].to_numpy()
    cal_years = (np.full(len(table), int(reference_year)) if reference_year is not None
                 else table[YEAR].to_numpy())
    _check_reference_years(cal_years, ref_years.tolist())
    return X.assign(**{YEAR: cal_years}), R.assign(**{YEAR: ref_years})


def _view(
    scheme: str, res: Any, X: pd.DataFrame, cal_years: np.ndarray, dims: pd.Series,
    info: dict[str, Any],
) -> MFIScores:
    """The :class:`MFIScores` of a ``weighting.SchemeResult`` scored by calibration year."""
    N = res.normalised.reindex(columns=X.columns)
    details = pd.DataFrame(
        {"calibration_year": cal_years, "n_indicators": N.notna().sum(axis=1).to_numpy()},
        index=N.index,
    )
    if scheme == "bod":
        parts = [w.unit_weights_ for w in res.weighter.values() if len(w.unit_weights_)]
        weights: Any = pd.concat(parts) if parts else None
    else:
        eff, contrib = res.effective_weights, res.contributions
        for d in pd.unique(dims.to_numpy()):
            cols = [n for n in X.columns if dims[n] == d]
            den = eff[cols].sum(axis=1)
            details[f"dim:{d}"] = (contrib[cols].sum(axis=1) / den.where(den > 0)).to_numpy()
        for n in X.columns:
            details[f"contrib:{n}"] = contrib[n].to_numpy()
        weights = res.weights.reindex(columns=X.columns).sort_index()
        weights.index.name = YEAR
        if scheme != "pca":  # the same fixed weights in every year
            weights = weights.iloc[0].rename(None)
            weights.index.name = None
    return MFIScores(
        scheme=scheme,
        scores=res.scores.rename(scheme),
        details=details,
        excluded=res.excluded.astype(object).rename("reason"),
        indicators=X,
        normalised=N,
        weights=weights,
        info=info,
    )


def _no_leftovers(options: dict, scheme: str) -> None:
    if options:
        raise InputDataError(
            f"options {format_labels(list(options))} do not apply to scheme {scheme!r}; see "
            "score_mfis' docstring for the options of each scheme"
        )


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
            res = dea_model(flat, rts=rts, orientation=orientation, **dict(dea_options))
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


def scheme_inputs(
    mfis: pd.DataFrame, scheme: Any, year: Any, catalogue: Catalogue, reference: Any = None,
    indicators: Iterable[str] | None = None, reference_year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data and reference frames a user ``weighting.Scheme`` scores the MFIs on.

    Returns
    -------
    data, reference : pandas.DataFrame
        Indicator values (metric ones extracted, categorical ones as raw labels) of the
        scored MFIs (by MFI id) and of the reference universe, each with the calibration
        year in column ``year``: ``scheme.score(data, reference, by="year")`` is
        :func:`score_mfis` with that scheme.

    Raises
    ------
    InputDataError
        A calibration year the reference universe has no rows for.
    """
    table = _prepare(mfis, year, catalogue)
    if indicators is None:
        ind = getattr(scheme, "indicators", None)
        names = list(ind.names) if ind is not None else catalogue.available(table, "MFI")
    else:
        names = list(indicators)
    ref_table = _reference_table(reference, table)
    X = _scheme_frame(catalogue, table, names)
    X.index = _unit_index(table)
    R = _scheme_frame(catalogue, ref_table, names)
    R.index = pd.Index([f"ref{i}" for i in range(len(R))])
    ref_years = ref_table[YEAR].to_numpy()
    cal_years = (np.full(len(table), int(reference_year)) if reference_year is not None
                 else table[YEAR].to_numpy())
    _check_reference_years(cal_years, ref_years.tolist())
    return X.assign(**{YEAR: cal_years}), R.assign(**{YEAR: ref_years})


def _score_with_scheme(
    mfis: pd.DataFrame, scheme: Any, year: Any, cat: Catalogue, options: dict, reference: Any
) -> MFIScores:
    if not hasattr(scheme, "score"):
        raise InputDataError(
            f"scheme must be a name in {format_labels(SCHEMES)} or an object with a "
            f".score(data, reference) method (weighting.Scheme), got {type(scheme).__name__}"
        )
    names = options.pop("indicators", None)
    ref_year = options.pop("reference_year", None)
    _no_leftovers(options, "Scheme")
    data, ref = scheme_inputs(mfis, scheme, year, cat, reference, names, ref_year)
    res = scheme.score(data, ref, by=YEAR)
    X = data.drop(columns=YEAR)
    names = list(X.columns)
    name = str(getattr(scheme, "name", None) or type(scheme).__name__)
    details = pd.concat([res.dimension_scores.add_prefix("dim:"),
                         res.contributions.add_prefix("contrib:")], axis=1)
    w = res.weights if isinstance(res.weights, pd.DataFrame) else None
    if w is not None:
        w = w.reindex(columns=names).sort_index()
        w.index.name = None
    return MFIScores(
        scheme=name,
        scores=res.scores.reindex(X.index).astype(float).rename(name),
        details=details.reindex(X.index),
        excluded=res.excluded.astype(object).rename("reason"),
        indicators=X,
        normalised=res.normalised.reindex(index=X.index, columns=names),
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
