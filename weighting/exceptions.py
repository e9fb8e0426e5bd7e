"""Exception and warning classes of the ``weighting`` package.

They subclass the toolkit roots in :mod:`dea.exceptions`, so ``except dea.InputDataError``
catches bad input from any layer. One message style: what is wrong, where (indicator,
unit labels, parameter), and what is allowed.
"""

from __future__ import annotations

from dea.exceptions import InputDataError, format_labels

__all__ = [
    "ConstantIndicatorError",
    "CoverageWarning",
    "InputDataError",
    "ScaleLevelError",
    "ScaleLevelWarning",
    "format_labels",
]


class ScaleLevelError(InputDataError):
    """An operation is not meaningful for an indicator's scale level.

    Raised, for instance, for an arithmetic mean of ordinal codes, a z-score of nominal
    categories, or a geometric mean of interval-scale data or of zeros. The message names
    the indicator, its scale and the scales the operation accepts. Pass
    ``allow_scale_violations=True`` to turn it into a :class:`ScaleLevelWarning`.
    """


class ScaleLevelWarning(UserWarning):
    """A scale-level violation was explicitly allowed by the user and carried out."""


class ConstantIndicatorError(InputDataError):
    """An indicator is constant on the reference set, so a scale (z-score, min-max) is undefined."""


class CoverageWarning(UserWarning):
    """Some units lack too many indicators and were given no score (see ``excluded``)."""
