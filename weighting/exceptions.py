"""Exception and warning classes of the ``weighting`` package.

They subclass the toolkit roots in :mod:`dea.exceptions`, so ``except dea.InputDataError``
catches bad input from any layer. One message style: what is wrong, where (indicator,
unit labels, parameter), and what is allowed.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

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


def _is_number(value: object) -> bool:
    """True for a real number (Python or numpy, NaN included), False for text, booleans, None."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_numbers(
    items: Iterable[tuple[Any, Any]], *, where: Callable[[Any], str], expected: str
) -> None:
    """Raise :class:`InputDataError` if a value of ``(label, value)`` pairs is not a number.

    Text such as ``"0.4"``, booleans and ``None`` are refused rather than converted, so a
    spreadsheet cell read as text or a typo never becomes a weight silently. The message
    reads ``"{where(label)} is {value!r} (type); {expected}"``.
    """
    bad = [(k, v) for k, v in items if not _is_number(v)]
    if not bad:
        return
    k, v = bad[0]
    more = f" ({len(bad) - 1} more values are not numbers)" if len(bad) > 1 else ""
    raise InputDataError(f"{where(k)} is {v!r} ({type(v).__name__}){more}; {expected}")
