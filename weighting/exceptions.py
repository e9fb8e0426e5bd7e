"""Exception and warning classes of the ``weighting`` package.

They subclass the toolkit roots in :mod:`dea.exceptions`, so ``except dea.InputDataError``
catches bad input from any layer. One message style: what is wrong, where (indicator,
unit labels, parameter), and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dea.exceptions import InputDataError, format_labels

__all__ = [
    "ConstantIndicatorError",
    "CoverageWarning",
    "InputDataError",
    "ScaleLevelError",
    "ScaleLevelWarning",
    "SmallSampleWarning",
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


class SmallSampleWarning(UserWarning):
    """A Sobol' base sample is too small: indices may be NaN, negative or above one."""


class CoverageWarning(UserWarning):
    """Some units lack too many indicators and were given no score (see ``excluded``)."""


def _check_labels(
    given: Iterable[Any], expected: Iterable[Any], *, unknown: str, missing: str, tail: str
) -> None:
    """Raise :class:`InputDataError` if ``given`` has labels outside ``expected`` or lacks some.

    ``unknown`` and ``missing`` are message parts with one ``{}`` for the labels (up to
    five, :func:`format_labels`); ``tail`` ends the message (what is allowed).
    """
    given, expected = list(given), list(expected)
    extra = [k for k in given if k not in expected]
    lacking = [k for k in expected if k not in given]
    parts = [t.format(format_labels(v)) for t, v in ((unknown, extra), (missing, lacking)) if v]
    if parts:
        raise InputDataError("; ".join(parts) + tail)
