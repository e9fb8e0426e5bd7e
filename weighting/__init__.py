"""weighting: normalisation, weighting, aggregation and comparison of composite indicators.

Generic composite-indicator tools (nothing domain specific): indicator metadata with
enforced scale levels (:mod:`weighting.indicators`), pre-treatment of missing values and
outliers (:mod:`weighting.pretreat`), normalisation against a reference set
(:mod:`weighting.normalise`), weight estimators (:mod:`weighting.weights`), aggregation
(:mod:`weighting.aggregate`), schemes tying them together (:mod:`weighting.scheme`), and
the comparison (:mod:`weighting.compare`) and sensitivity analysis
(:mod:`weighting.sensitivity`) of schemes, and their quality audit
(:mod:`weighting.audit`).
"""

from dea._version import distribution_version as _dist_version
from weighting.aggregate import (
    AGGREGATORS,
    Aggregator,
    ArithmeticMean,
    Borda,
    Copeland,
    GeometricMean,
    HarmonicMean,
    MazziottaPareto,
    PowerMean,
    get_aggregator,
    power_mean,
)
from weighting.audit import THRESHOLDS, AuditResult, audit, correlation_ratio, cronbach_alpha
from weighting.compare import Comparison, MissingUnitsWarning, compare, rank_scores
from weighting.estimator import Estimator, Registry
from weighting.exceptions import (
    ConstantIndicatorError,
    CoverageWarning,
    ScaleLevelError,
    ScaleLevelWarning,
    SmallSampleWarning,
)
from weighting.indicators import Direction, Indicator, IndicatorSet, Scale, check_scale
from weighting.normalise import (
    NORMALISERS,
    AboveBelowMean,
    DistanceToTarget,
    Goalposts,
    Identity,
    MinMax,
    MPIStandardise,
    Normaliser,
    PercentileRank,
    PointMap,
    QuantileClasses,
    Rank,
    RatioToBest,
    ZScore,
    get_normaliser,
    normalise,
)
from weighting.plots import plot_rank_intervals, plot_rank_shifts, plot_scatter_matrix
from weighting.pretreat import (
    MissingPolicy,
    MissingResult,
    OutlierTreatment,
    kurtosis,
    skewness,
)
from weighting.scheme import Scheme, SchemeResult
from weighting.sensitivity import Factor, SobolResult, UncertaintyAnalysis, UncertaintyResult
from weighting.weights import (
    WEIGHTERS,
    AHPWeights,
    BoDWeights,
    BudgetAllocation,
    EntropyWeights,
    EqualWeights,
    ExpertWeights,
    PCAWeights,
    Weighter,
    get_weighter,
)

__all__ = [
    "AGGREGATORS",
    "NORMALISERS",
    "THRESHOLDS",
    "WEIGHTERS",
    "AHPWeights",
    "AboveBelowMean",
    "Aggregator",
    "ArithmeticMean",
    "AuditResult",
    "BoDWeights",
    "Borda",
    "BudgetAllocation",
    "Comparison",
    "ConstantIndicatorError",
    "Copeland",
    "CoverageWarning",
    "Direction",
    "DistanceToTarget",
    "EntropyWeights",
    "EqualWeights",
    "Estimator",
    "ExpertWeights",
    "Factor",
    "GeometricMean",
    "Goalposts",
    "HarmonicMean",
    "Identity",
    "Indicator",
    "IndicatorSet",
    "MPIStandardise",
    "MazziottaPareto",
    "MinMax",
    "MissingPolicy",
    "MissingResult",
    "MissingUnitsWarning",
    "Normaliser",
    "OutlierTreatment",
    "PCAWeights",
    "PercentileRank",
    "PointMap",
    "PowerMean",
    "QuantileClasses",
    "Rank",
    "RatioToBest",
    "Registry",
    "Scale",
    "ScaleLevelError",
    "ScaleLevelWarning",
    "Scheme",
    "SchemeResult",
    "SmallSampleWarning",
    "SobolResult",
    "UncertaintyAnalysis",
    "UncertaintyResult",
    "Weighter",
    "ZScore",
    "audit",
    "check_scale",
    "compare",
    "correlation_ratio",
    "cronbach_alpha",
    "get_aggregator",
    "get_normaliser",
    "get_weighter",
    "kurtosis",
    "normalise",
    "plot_rank_intervals",
    "plot_rank_shifts",
    "plot_scatter_matrix",
    "power_mean",
    "rank_scores",
    "skewness",
]
__version__ = _dist_version()
