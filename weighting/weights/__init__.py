"""Weight estimators for composite indicators (scikit-learn style: ``fit(X)`` -> ``weights_``).

``X`` is always a DataFrame of normalised indicators (units x indicators, higher = better).
Every estimator ends up with ``weights_``, a non-negative ``pd.Series`` indexed by indicator
name that sums to one; unit-specific estimators (``unit_specific = True``, benefit of the
doubt) also have ``unit_weights_``.

>>> import pandas as pd
>>> from weighting.weights import get_weighter
>>> X = pd.DataFrame({"a": [0.1, 0.5, 0.9], "b": [0.3, 0.2, 0.8]})
>>> get_weighter("equal").fit(X).weights_.tolist()
[0.5, 0.5]
"""

from __future__ import annotations

from typing import Any

from weighting.estimator import Registry
from weighting.weights.base import (
    ConsistencyError,
    NotFittedError,
    Weighter,
    WeightNormalisationWarning,
)
from weighting.weights.bod import BoDWeights
from weighting.weights.entropy import EntropyWeights
from weighting.weights.equal import EqualWeights
from weighting.weights.expert import (
    SAATY_RANDOM_INDEX,
    AHPConsistencyWarning,
    AHPWeights,
    BudgetAllocation,
    ExpertWeights,
    ahp_consistency,
    ahp_priorities,
)
from weighting.weights.pca import (
    NegativeLoadingWarning,
    PCAWeights,
    bartlett_sphericity,
    kmo,
    varimax,
)

__all__ = [
    "SAATY_RANDOM_INDEX",
    "WEIGHTERS",
    "AHPConsistencyWarning",
    "AHPWeights",
    "BoDWeights",
    "BudgetAllocation",
    "ConsistencyError",
    "EntropyWeights",
    "EqualWeights",
    "ExpertWeights",
    "NegativeLoadingWarning",
    "NotFittedError",
    "PCAWeights",
    "WeightNormalisationWarning",
    "Weighter",
    "ahp_consistency",
    "ahp_priorities",
    "bartlett_sphericity",
    "get_weighter",
    "kmo",
    "varimax",
]

#: Registry name -> estimator class, used by :func:`get_weighter` (and by schemes read
#: from dicts/TOML); a :class:`~weighting.estimator.Registry`.
WEIGHTERS: Registry = Registry(
    "weighting method",
    Weighter,
    (EqualWeights, ExpertWeights, BudgetAllocation, AHPWeights, PCAWeights, EntropyWeights,
     BoDWeights),
)


def get_weighter(name: str | dict[str, Any] | Weighter, **params: Any) -> Weighter:
    """Create a weight estimator by name.

    Parameters
    ----------
    name : str, dict or Weighter
        One of ``"equal"``, ``"expert"``, ``"budget"``, ``"ahp"``, ``"pca"``,
        ``"entropy"``, ``"bod"`` (case-insensitive); or ``{"weighter": "pca", ...}``; or an
        estimator (cloned).
    **params
        Hyperparameters passed to the estimator's constructor.

    Returns
    -------
    Weighter
        An unfitted estimator.

    Raises
    ------
    InputDataError
        Unknown name, or parameters the estimator does not accept.
    """
    return WEIGHTERS.build(name, **params)
