"""Common machinery of the weight estimators: the ``Weighter`` base class and input checks.

Every estimator follows the scikit-learn contract: hyperparameters are stored, as given, in
``__init__``; ``fit(X)`` learns from a DataFrame of normalised indicators (units in rows,
indicators in columns, higher = better) and returns ``self``; what is learned lives in
attributes ending in ``_``, above all ``weights_``, a non-negative ``pd.Series`` indexed by
indicator name that sums to one.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError, format_labels
from weighting.estimator import Estimator
from weighting.exceptions import _check_labels, _check_numbers

__all__ = [
    "ConsistencyError",
    "NotFittedError",
    "WeightNormalisationWarning",
    "Weighter",
]


class ConsistencyError(InputDataError):
    """Pairwise judgements are too inconsistent (AHP consistency ratio above the limit)."""


class NotFittedError(InputDataError, AttributeError):
    """A fitted attribute was asked for before ``fit`` was called."""


class WeightNormalisationWarning(UserWarning):
    """User-given weights did not sum to one and were rescaled."""


class Weighter(Estimator):
    """Base class of all weight estimators.

    Subclasses list their hyperparameters as keyword arguments of ``__init__`` and store
    each, unchanged, under the same attribute name; ``get_params``, ``set_params``,
    ``clone``, ``to_spec``, equality and ``__repr__`` come from
    :class:`~weighting.estimator.Estimator` and rely on that.

    Attributes
    ----------
    unit_specific : bool
        ``True`` when the estimator also learns one weight vector per unit
        (benefit of the doubt); the scheme code then reads ``unit_weights_``.
    weights_ : pd.Series
        After ``fit``: one non-negative weight per indicator, summing to one.
    """

    unit_specific: ClassVar[bool] = False

    spec_key: ClassVar[str] = "weighter"  # PCAWeights has a parameter called "method"

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame | None = None, y: object = None) -> Weighter:
        """Learn ``weights_`` from ``X``; implemented by subclasses."""
        raise NotImplementedError

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has been called (``weights_`` exists)."""
        return "weights_" in self.__dict__

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X) before using it"
            )


# ---------------------------------------------------------------------------------------------
# private helpers shared by the estimators
# ---------------------------------------------------------------------------------------------
def _check_frame(
    X: object, *, name: str = "X", min_rows: int = 1, allow_nan: bool = False
) -> pd.DataFrame:
    """Validate a units x indicators table of numbers; return a float copy."""
    if not isinstance(X, pd.DataFrame):
        raise InputDataError(
            f"{name} must be a pandas DataFrame (units in rows, indicators in columns), "
            f"got {type(X).__name__}"
        )
    if X.shape[1] == 0:
        raise InputDataError(f"{name} has no indicator columns; at least one is needed")
    if X.shape[0] < min_rows:
        raise InputDataError(f"{name} has {X.shape[0]} rows; at least {min_rows} are needed")
    if X.columns.has_duplicates:
        dup = X.columns[X.columns.duplicated()].unique()
        raise InputDataError(f"{name} has duplicated indicator columns {format_labels(dup)}")
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise InputDataError(f"{name} columns {format_labels(bad)} are not numeric")
    out = X.astype(float).copy()
    if not allow_nan:
        values = out.to_numpy()
        nan_cols = out.columns[~np.isfinite(values).all(axis=0)]
        if len(nan_cols):
            rows = out.index[~np.isfinite(out[nan_cols[0]].to_numpy())]
            raise InputDataError(
                f"{name} column {nan_cols[0]!r} has missing or infinite values at units "
                f"{format_labels(rows)} (other columns affected: {len(nan_cols) - 1}); "
                "impute or drop them before weighting"
            )
    return out


def _as_weight_series(
    values: object, *, name: str = "weights", normalise_warn: bool = True, atol: float = 1e-8
) -> pd.Series:
    """Turn a mapping / Series of weights into a float Series, check and normalise it."""
    def where(k: object) -> str:
        return f"the weight of indicator {k!r} (in {name})"

    if isinstance(values, pd.Series):
        if not _numeric_dtype(values.dtype):
            _check_numbers(values.items(), where=where, expected="a number is expected")
        s = values.astype(float).copy()
    elif isinstance(values, Mapping):
        _check_numbers(dict(values).items(), where=where, expected="a number is expected")
        s = pd.Series(dict(values), dtype=float)
    else:
        raise InputDataError(
            f"{name} must be a mapping or pandas Series indicator -> weight, "
            f"got {type(values).__name__}"
        )
    if s.empty:
        raise InputDataError(f"{name} is empty; give one weight per indicator")
    if s.index.has_duplicates:
        raise InputDataError(
            f"{name} names indicators {format_labels(s.index[s.index.duplicated()])} twice"
        )
    bad = s.index[~np.isfinite(s.to_numpy())]
    if len(bad):
        raise InputDataError(f"{name} for {format_labels(bad)} are not finite numbers")
    neg = s.index[s.to_numpy() < 0]
    if len(neg):
        raise InputDataError(
            f"{name} for {format_labels(neg)} are negative; weights must be >= 0"
        )
    total = float(s.sum())
    if total <= 0:
        raise InputDataError(f"{name} are all zero; at least one must be positive")
    if abs(total - 1.0) > atol:
        if normalise_warn:
            warnings.warn(
                f"{name} sum to {total:.6g}, not 1; they were rescaled to sum to 1",
                WeightNormalisationWarning,
                stacklevel=3,
            )
        s = s / total
    return s


def _numeric_dtype(dtype: object) -> bool:
    """A numeric dtype whose values are numbers (booleans are not)."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _check_number_table(
    table: pd.DataFrame, *, where: Callable[[Any, Any], str], expected: str
) -> None:
    """Raise naming ``where(row, column)`` of the first cell of ``table`` not a number."""
    for col in table.columns:
        if not _numeric_dtype(table[col].dtype):
            _check_numbers((((r, col), v) for r, v in table[col].items()),
                           where=lambda rc: where(*rc), expected=expected)


def _check_same_indicators(
    expected: pd.Index, X: pd.DataFrame, *, what: str, name: str = "X"
) -> None:
    """Raise if the columns of ``X`` and the ``expected`` indicator names differ."""
    _check_labels(X.columns, expected, unknown=f"{name} has columns {{}} without a {what} entry",
                  missing=f"{what} names {{}} that are not columns of {name}",
                  tail="; the indicator names must match exactly")


def _finalise(weights: np.ndarray | pd.Series, index: pd.Index) -> pd.Series:
    """Clip rounding negatives, renormalise, label."""
    w = np.asarray(weights, dtype=float).copy()
    w[np.abs(w) < 1e-15] = 0.0
    if (w < -1e-10).any():  # pragma: no cover - guarded by callers
        raise InputDataError("internal error: negative weight produced")
    w = np.clip(w, 0.0, None)
    total = w.sum()
    if not np.isfinite(total) or total <= 0:
        raise InputDataError("the weights could not be normalised: they sum to zero")
    return pd.Series(w / total, index=pd.Index(index), name="weight")
