"""The named MFI schemes, each built from the catalogue as one ``weighting.Scheme``.

This module owns the list of scheme names (:data:`SCHEMES`) and, per name, the factory
that turns the catalogue metadata and the scheme's options into the recipe that scores
the MFIs. Every composite scheme is a :class:`weighting.Scheme` scored with
``Scheme.score(data, reference, by="year")``: normalisers and data-driven weights are
fitted per fiscal year on that year's reference rows. The DEA scheme is not a composite;
:func:`dea_model` is the one place its model is built.

========== =================================================================================
rating     :class:`weighting.QuantileClasses` (percentile or moment classes, points
           ``0, 1/(K-1), ..., 1``) of each metric indicator, categorical indicators by
           their point maps; equal weight per SPTF dimension, shared equally within it
equal      percentile ranks, equal weights (or equal per dimension: ``by_dimension``)
expert     percentile ranks, expert weights (direct, or budget allocations of several
           experts); default: the bundled example weights
ahp        percentile ranks, AHP weights of a pairwise matrix (default: the bundled one)
pca        percentile ranks, OECD/JRC PCA/FA weights fitted on the reference year
bod        percentile ranks, benefit-of-the-doubt (unit-specific) weights
dea        radial DEA of the social-efficiency inputs and outputs (:func:`dea_model`)
========== =================================================================================

The composite schemes exclude a unit when the indicators it has carry less than
``min_coverage`` (default 0.6) of the indicator weight (``MissingPolicy(coverage="weight")``)
and score the others by the weighted mean over the indicators present.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

import dea
from socialperf.catalogue import Catalogue
from socialperf.exceptions import InputDataError, format_labels
from weighting.indicators import Indicator, IndicatorSet
from weighting.normalise import QuantileClasses
from weighting.scheme import Scheme
from weighting.weights import (
    AHPWeights,
    BoDWeights,
    BudgetAllocation,
    EqualWeights,
    ExpertWeights,
    PCAWeights,
)

__all__ = [
    "COMPOSITE_SCHEMES",
    "DEA_FAMILIES",
    "DEA_INPUTS",
    "DEA_OUTPUTS",
    "DEFAULT_MIN_COVERAGE",
    "DEFAULT_RTS",
    "FACTORIES",
    "SCHEMES",
    "ahp_scheme",
    "bod_scheme",
    "build_dea",
    "build_scheme",
    "dea_model",
    "equal_scheme",
    "expert_scheme",
    "mfi_indicator_set",
    "pca_scheme",
    "rating_scheme",
]

#: The named MFI schemes, in report order: the one list (``mfi.SCHEMES`` is this tuple).
SCHEMES = ("rating", "equal", "expert", "ahp", "pca", "bod", "dea")
#: The schemes that are a composite of the catalogue indicators (a ``weighting.Scheme``).
COMPOSITE_SCHEMES = SCHEMES[:-1]
#: Share of the indicator weight a unit needs to be scored by a composite scheme.
DEFAULT_MIN_COVERAGE = 0.6
DEA_INPUTS = ("assets", "operating_expense", "personnel")
DEA_OUTPUTS = ("gross_loan_portfolio", "women_borrowers", "poverty_reach")
#: Returns to scale of every DEA model in socialperf unless the user picks another: the
#: ``dea`` scheme of :func:`socialperf.score_mfis`, the study's ``[dea]`` table
#: (``DEASpec.rts``), ``socialperf dea --rts`` and the frontier figures. Variable returns to
#: scale (Banker, Charnes & Cooper 1984), because MFIs differ greatly in size (in the
#: bundled MIX panel the middle 90% run from 5 to 750 staff and from 0.09 to 85 million USD
#: of assets): under constant returns a small MFI is measured against big ones scaled down,
#: so its score mixes scale with the efficiency of its social outreach. VRS compares each
#: MFI with MFIs of its size; CRS (``rts="crs"``) remains a choice, and the sensitivity
#: analysis of the ``dea`` scheme compares both by default. It is also the default of
#: :class:`dea.Radial`.
DEFAULT_RTS = "vrs"


# -------------------------------------------------------------------------------------------
# building blocks
# -------------------------------------------------------------------------------------------
def mfi_indicator_set(
    catalogue: Catalogue, names: Iterable[str], *, groups: bool = False
) -> IndicatorSet:
    """The catalogue metadata of MFI indicators, as scored by the named schemes.

    Parameters
    ----------
    catalogue : Catalogue
    names : iterable of str
        Indicator names.
    groups : bool, default False
        Give each indicator its SPTF dimension as group (a hierarchical scheme). The named
        schemes are flat: their weighted mean runs over the indicators present.

    Returns
    -------
    weighting.IndicatorSet
        Metric indicators with their scale and direction; categorical ones as interval
        points (the table holds their points, :meth:`Catalogue.extract`).
    """
    items = []
    for n in names:
        s = catalogue[n]
        items.append(
            Indicator(
                name=n,
                scale=s.scale if s.is_metric else "interval",
                direction=s.direction if s.is_metric else "higher",
                group=s.dimension if groups else None,
                description=s.description if s.is_metric else f"points of {s.scale} categories",
            )
        )
    return IndicatorSet(items)


def _normalisation(catalogue: Catalogue, names: list[str], method: Any) -> dict[str, Any]:
    """Per indicator: ``method`` for metric ones, points as they are for categorical ones."""
    return {n: (method if catalogue[n].is_metric else "none") for n in names}


def _missing(min_coverage: float) -> dict[str, Any]:
    return {"method": "reweight", "min_coverage": float(min_coverage), "coverage": "weight"}


def _align(w: pd.Series, names: list[str], what: str) -> dict[str, float]:
    """Weights over exactly the scored indicators (0 for the others), summing to one."""
    extra = [k for k in w.index if k not in names]
    if extra:
        raise InputDataError(
            f"{what} name indicators {format_labels(extra)} that are not scored; scored "
            f"indicators are {format_labels(names)}"
        )
    w = w.reindex(names).fillna(0.0)
    if w.sum() <= 0:
        raise InputDataError(f"{what} give zero weight to every scored indicator")
    return {k: float(v) for k, v in (w / w.sum()).items()}


def _bundled_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    ref = resources.files("socialperf") / "data" / name
    with resources.as_file(ref) as p:
        return pd.read_csv(p, **kwargs)


def _composite(
    name: str,
    catalogue: Catalogue,
    names: list[str],
    normalisation: Any,
    weights: Any,
    min_coverage: float,
) -> Scheme:
    return Scheme(
        mfi_indicator_set(catalogue, names),
        normalisation=_normalisation(catalogue, names, normalisation),
        weights=weights,
        aggregation="arithmetic",
        missing=_missing(min_coverage),
        name=name,
    )


# -------------------------------------------------------------------------------------------
# one factory per scheme
# -------------------------------------------------------------------------------------------
def rating_scheme(
    catalogue: Catalogue,
    indicators: Iterable[str],
    *,
    weights: Any = None,
    n_classes: int = 5,
    rating_method: str = "percentile",
    points: Iterable[float] | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Scheme:
    """The calibrated rating scale of Meyer & Krauss (2015) as a ``weighting.Scheme``.

    Parameters
    ----------
    catalogue : Catalogue
    indicators : iterable of str
        The scored indicators.
    weights : mapping or Series, optional
        Indicator -> weight; default equal weight per SPTF dimension, shared equally
        within each dimension.
    n_classes : int, default 5
        Rating classes (5: quintiles).
    rating_method : {"percentile", "moments"}, default "percentile"
        Cut points at the reference quantiles k/K, or mean + sd * z_{k/K}.
    points : sequence of float, optional
        Points of the classes worst to best; default ``0, 1/(K-1), ..., 1``.
    min_coverage : float, default 0.6
        Share of the indicator weight a unit needs.

    Returns
    -------
    weighting.Scheme

    Raises
    ------
    InputDataError
        Invalid ``n_classes``, ``rating_method``, ``points`` or weights.

    Notes
    -----
    A metric value :math:`x` falls in class :math:`k(x) = 1 + \\#\\{c : x > q_c\\}` of its
    year's cut points :math:`q_1 < \\dots < q_{K-1}` (on :math:`-x` when lower is better)
    and is rated by that class's points; categorical indicators by their point maps. The
    score is :math:`\\sum_{j \\in J_i} w_j r_{ij} / \\sum_{j \\in J_i} w_j` over the
    indicators :math:`J_i` the unit has; with the default weights
    :math:`w_j = 1 / (D\\, n_{d(j)})` (:math:`D` dimensions, :math:`n_d` indicators in
    dimension :math:`d`).

    References
    ----------
    Meyer, J. & Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich.
    """
    names = list(indicators)
    if not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise InputDataError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    if rating_method not in ("percentile", "moments"):
        raise InputDataError(
            f"rating method must be 'percentile' or 'moments', got {rating_method!r}"
        )
    k = int(n_classes)
    pts = np.linspace(0.0, 1.0, k) if points is None else np.asarray(list(points), dtype=float)
    if pts.shape != (k,):
        raise InputDataError(f"points must have {k} values (one per class), got {len(pts)}")
    classes = QuantileClasses(
        n_classes=k,
        points=[float(p) for p in pts],
        cuts="quantile" if rating_method == "percentile" else "moments",
    )
    if weights is None:
        dims = catalogue.dimensions(names)
        w = {n: 1.0 / (dims.nunique() * int((dims == dims[n]).sum())) for n in names}
    else:
        w = _align(pd.Series(weights, dtype=float), names, "rating weights")
    return _composite("rating", catalogue, names, classes, w, min_coverage)


def equal_scheme(
    catalogue: Catalogue,
    indicators: Iterable[str],
    *,
    normalisation: Any = "percentile",
    by_dimension: bool = False,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Scheme:
    """Equal weights (per indicator, or per SPTF dimension with ``by_dimension``).

    Parameters
    ----------
    catalogue : Catalogue
    indicators : iterable of str
    normalisation : str, dict or Normaliser, default "percentile"
        Normaliser of the metric indicators (fitted on the reference year).
    by_dimension : bool, default False
        Equal weight per dimension, shared equally within it.
    min_coverage : float, default 0.6

    Returns
    -------
    weighting.Scheme
    """
    names = list(indicators)
    groups = {n: catalogue[n].dimension for n in names} if by_dimension else None
    w = EqualWeights(groups=groups).fit(pd.DataFrame(columns=names, dtype=float)).weights_
    return _composite(
        "equal", catalogue, names, normalisation, {k: float(v) for k, v in w.items()}, min_coverage
    )


def expert_scheme(
    catalogue: Catalogue,
    indicators: Iterable[str],
    *,
    weights: Any = None,
    normalisation: Any = "percentile",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Scheme:
    """Expert weights: direct (indicator -> weight) or budget allocations of several experts.

    Parameters
    ----------
    catalogue : Catalogue
    indicators : iterable of str
    weights : mapping, Series or DataFrame, optional
        Direct weights, or a DataFrame experts x indicators of budget allocations
        (:class:`weighting.BudgetAllocation`); default the bundled example weights.
    normalisation : default "percentile"
    min_coverage : float, default 0.6

    Returns
    -------
    weighting.Scheme

    Raises
    ------
    InputDataError
        Weights naming indicators that are not scored, or all zero.
    """
    names = list(indicators)
    if weights is None:
        weights = _bundled_csv("expert_weights.csv").set_index("indicator")["weight"]
    if isinstance(weights, pd.DataFrame):
        fitted = BudgetAllocation(weights[[c for c in weights.columns if c in names]]).fit()
    else:
        fitted = ExpertWeights(pd.Series(weights, dtype=float)).fit()
    w = _align(fitted.weights_, names, "expert weights")
    return _composite("expert", catalogue, names, normalisation, w, min_coverage)


def ahp_scheme(
    catalogue: Catalogue,
    indicators: Iterable[str],
    *,
    weights: Any = None,
    normalisation: Any = "percentile",
    ahp_options: Mapping[str, Any] | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Scheme:
    """Weights from an AHP pairwise-comparison matrix (Saaty).

    Parameters
    ----------
    catalogue : Catalogue
    indicators : iterable of str
    weights : DataFrame, optional
        The pairwise matrix (indicators x indicators); rows of unscored indicators are
        dropped. Default: the bundled example matrix.
    normalisation : default "percentile"
    ahp_options : mapping, optional
        Keywords of :class:`weighting.AHPWeights`.
    min_coverage : float, default 0.6

    Returns
    -------
    weighting.Scheme
    """
    names = list(indicators)
    m = _bundled_csv("ahp_matrix.csv", index_col=0) if weights is None else weights
    if isinstance(m, pd.DataFrame):
        keep = [n for n in m.index if n in names]
        m = m.loc[keep, keep]
    w = _align(AHPWeights(m, **dict(ahp_options or {})).fit().weights_, names, "AHP weights")
    return _composite("ahp", catalogue, names, normalisation, w, min_coverage)


def pca_scheme(
    catalogue: Catalogue,
    indicators: Iterable[str],
    *,
    normalisation: Any = "percentile",
    pca_options: Mapping[str, Any] | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Scheme:
    """OECD/JRC PCA/factor-analysis weights, fitted per year on the reference MFIs.

    Parameters
    ----------
    catalogue : Catalogue
    indicators : iterable of str
    normalisation : default "percentile"
    pca_options : mapping, optional
        Keywords of :class:`weighting.PCAWeights`.
    min_coverage : float, default 0.6

    Returns
    -------
    weighting.Scheme
        The weights are fitted by ``Scheme.score`` on the normalised reference rows of
        each calibration year that have every indicator.
    """
    names = list(indicators)
    return _composite(
        "pca", catalogue, names, normalisation, PCAWeights(**dict(pca_options or {})), min_coverage
    )


def bod_scheme(
    catalogue: Catalogue,
    indicators: Iterable[str],
    *,
    normalisation: Any = "percentile",
    bod_options: Mapping[str, Any] | None = None,
) -> Scheme:
    """Benefit of the doubt: each MFI's own most favourable weights (Cherchye et al. 2007).

    Parameters
    ----------
    catalogue : Catalogue
    indicators : iterable of str
    normalisation : default "percentile"
    bod_options : mapping, optional
        Keywords of :class:`weighting.BoDWeights`.

    Returns
    -------
    weighting.Scheme
        With unit-specific weights fitted on the MFIs scored in each year
        (``comparison="scored"``; the normalisation is fitted on the reference); MFIs
        without every indicator get no score (missing-data policy ``"drop"``), nor do the
        MFIs of a year with fewer than two complete ones.
    """
    names = list(indicators)
    return Scheme(
        mfi_indicator_set(catalogue, names),
        normalisation=_normalisation(catalogue, names, normalisation),
        weights=BoDWeights(**{"comparison": "scored", **dict(bod_options or {})}),
        aggregation="arithmetic",
        missing={"method": "drop", "min_coverage": 0.0},
        name="bod",
    )


#: The :mod:`dea` model families a study's ``[dea] model`` may name.
DEA_FAMILIES = ("radial", "sbm", "additive", "ddf")


def build_dea(
    data: pd.DataFrame,
    *,
    inputs: Iterable[str] = DEA_INPUTS,
    outputs: Iterable[str] = DEA_OUTPUTS,
    model: str = "radial",
    rts: str = DEFAULT_RTS,
    orientation: str = "input",
    **options: Any,
) -> Any:
    """The one place a DEA specification becomes a :mod:`dea` model (not yet fitted).

    Parameters
    ----------
    data : pd.DataFrame
        One row per unit, with the ``inputs`` and ``outputs`` columns.
    inputs, outputs : iterable of str, default :data:`DEA_INPUTS`, :data:`DEA_OUTPUTS`
    model : {"radial", "sbm", "additive", "ddf"}, default "radial"
    rts : str, default :data:`DEFAULT_RTS`
    orientation : str, default "input"
        Of the radial model (the other families take theirs in ``options``).
    **options
        Keywords of the family's class (``n_jobs``, ``solver``; ``orientation`` and
        ``super_efficiency`` of :class:`dea.SBM` as ``sbm_orientation`` and
        ``super_efficiency``, ``weights`` of :class:`dea.Additive`, ``direction`` of
        :class:`dea.DDF`).

    Returns
    -------
    dea.Radial, dea.SBM, dea.Additive or dea.DDF

    Raises
    ------
    InputDataError
        An unknown ``model``.
    """
    common = {"inputs": list(inputs), "outputs": list(outputs), "rts": rts}
    if model == "sbm":
        sbm_orientation = options.pop("sbm_orientation", "non")
        return dea.SBM(data, orientation=sbm_orientation, **common, **options)
    if model == "additive":
        return dea.Additive(data, **common, **options)
    if model == "ddf":
        return dea.DDF(data, **common, **options)
    if model != "radial":
        raise InputDataError(f"DEA model must be one of {format_labels(DEA_FAMILIES)}, "
                             f"got {model!r}")
    return dea.Radial(data, orientation=orientation, **common, **options)


def dea_model(
    data: pd.DataFrame,
    *,
    rts: str = DEFAULT_RTS,
    orientation: str = "input",
    **dea_options: Any,
) -> Any:
    """The social-efficiency DEA model of Gutierrez-Nieto et al. (2009), fitted.

    Parameters
    ----------
    data : pd.DataFrame
        Columns :data:`DEA_INPUTS` and :data:`DEA_OUTPUTS` (see
        :func:`socialperf.social_efficiency_data`), one row per MFI of one year.
    rts : str, default :data:`DEFAULT_RTS`
    orientation : str, default "input"
    **dea_options
        Keywords of :class:`dea.Radial` (e.g. ``n_jobs``).

    Returns
    -------
    dea.Radial
        Fitted (:func:`build_dea` of the radial family); ``scores`` in (0, 1].

    Notes
    -----
    Input orientation, for MFI :math:`o`:
    :math:`\\min \\theta` s.t. :math:`\\sum_j \\lambda_j x_j \\le \\theta x_o`,
    :math:`\\sum_j \\lambda_j y_j \\ge y_o`, :math:`\\lambda \\ge 0` (and
    :math:`\\sum_j \\lambda_j = 1` under VRS).

    References
    ----------
    Gutierrez-Nieto, B., Serrano-Cinca, C. & Mar Molinero, C. (2009). Social efficiency in
    microfinance institutions. Journal of the Operational Research Society 60(1), 104-119.
    """
    return build_dea(data, rts=rts, orientation=orientation, **dea_options).fit()


#: Scheme name -> factory ``(catalogue, indicators, **options) -> weighting.Scheme``.
FACTORIES: dict[str, Callable[..., Scheme]] = {
    "rating": rating_scheme,
    "equal": equal_scheme,
    "expert": expert_scheme,
    "ahp": ahp_scheme,
    "pca": pca_scheme,
    "bod": bod_scheme,
}


def build_scheme(
    name: str, catalogue: Catalogue, indicators: Iterable[str], **options: Any
) -> Scheme:
    """The ``weighting.Scheme`` of a named composite scheme.

    Parameters
    ----------
    name : str
        One of :data:`COMPOSITE_SCHEMES`.
    catalogue : Catalogue
    indicators : iterable of str
    **options
        Keywords of that scheme's factory (e.g. ``weights``, ``normalisation``,
        ``min_coverage``).

    Returns
    -------
    weighting.Scheme

    Raises
    ------
    InputDataError
        For ``"dea"`` (see :func:`dea_model`), an unknown name, or options the factory does
        not take (named in the message).
    """
    if name == "dea":
        raise InputDataError("scheme 'dea' is a DEA model, not a composite: use dea_model()")
    if name not in FACTORIES:
        raise InputDataError(f"scheme must be one of {format_labels(SCHEMES)}, got {name!r}")
    factory = FACTORIES[name]
    takes = [
        p for p in inspect.signature(factory).parameters if p not in ("catalogue", "indicators")
    ]
    bad = [k for k in options if k not in takes]
    if bad:
        raise InputDataError(
            f"options {format_labels(bad)} do not apply to scheme {name!r}; its options are "
            f"{format_labels(takes)} (socialperf.schemes.{factory.__name__})"
        )
    return factory(catalogue, indicators, **options)
