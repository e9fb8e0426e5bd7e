"""The one pandas boundary of :mod:`dea`: validated inputs/outputs -> float arrays + labels.

Every model calls :func:`prepare` once.  It accepts a DataFrame plus input/output column
names, or (``data=None``) two arrays/DataFrames of inputs and outputs, and returns a
:class:`DEAData` holding *copies* as float arrays (user objects are never mutated), the unit
labels and the column names.  Errors are :class:`~dea.exceptions.InputDataError` naming the
column and up to five unit labels.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import FewUnitsWarning, InputDataError, format_labels

__all__ = ["DEAData", "prepare", "resolve_reference"]


@dataclass(frozen=True, eq=False)
class DEAData:
    """Validated DEA data.

    Attributes
    ----------
    X : ndarray, shape (n, m)
        Inputs (float copy).
    Y : ndarray, shape (n, s)
        Outputs (float copy).
    labels : pandas.Index
        Unit labels (unique).
    inputs, outputs : tuple of str
        Column names.
    """

    X: np.ndarray
    Y: np.ndarray
    labels: pd.Index
    inputs: tuple[Hashable, ...]
    outputs: tuple[Hashable, ...]

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.X.shape[0])

    @property
    def m(self) -> int:
        """Number of inputs."""
        return int(self.X.shape[1])

    @property
    def s(self) -> int:
        """Number of outputs."""
        return int(self.Y.shape[1])

    def subset(self, mask: np.ndarray) -> DEAData:
        """Units selected by a boolean mask or integer positions (copies)."""
        return DEAData(
            X=self.X[mask].copy(),
            Y=self.Y[mask].copy(),
            labels=self.labels[mask],
            inputs=self.inputs,
            outputs=self.outputs,
        )


def _as_names(cols: Any, what: str) -> list[Hashable]:
    if isinstance(cols, str) or not isinstance(cols, Sequence | pd.Index | np.ndarray):
        cols = [cols]
    cols = list(cols)
    if not cols:
        raise InputDataError(f"{what} is empty; give at least one column name")
    return cols


def _to_frame(arr: Any, prefix: str, labels: Any, names: Any) -> pd.DataFrame:
    if isinstance(arr, pd.DataFrame):
        frame = arr
    elif isinstance(arr, pd.Series):
        frame = arr.to_frame()
    else:
        a = np.asarray(arr)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise InputDataError(
                f"{prefix} must be a 2-d array (units x columns), got {a.ndim} dimensions"
            )
        frame = pd.DataFrame(a, columns=[f"{prefix}{i + 1}" for i in range(a.shape[1])])
    if names is not None:
        names = list(names)
        if len(names) != frame.shape[1]:
            raise InputDataError(
                f"{len(names)} names given for {frame.shape[1]} {prefix} columns; "
                "give one name per column"
            )
        frame = frame.set_axis(names, axis=1)
    if labels is not None:
        labels = pd.Index(labels)
        if len(labels) != frame.shape[0]:
            raise InputDataError(
                f"{len(labels)} labels given for {frame.shape[0]} units; give one per unit"
            )
        frame = frame.set_axis(labels, axis=0)
    return frame


def _numeric(frame: pd.DataFrame, col: Hashable) -> np.ndarray:
    series = frame[col]
    if isinstance(series, pd.DataFrame):
        raise InputDataError(f"column {col!r} appears more than once in the data; rename it")
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise InputDataError(
            f"column {col!r} has non-numeric dtype {series.dtype}; DEA needs numbers"
        )
    return series.to_numpy(dtype=float, na_value=np.nan)


def prepare(
    data: pd.DataFrame | None,
    inputs: Any,
    outputs: Any,
    *,
    labels: Any = None,
    input_names: Sequence[Hashable] | None = None,
    output_names: Sequence[Hashable] | None = None,
    nonnegative: bool = True,
    role: str = "data",
    warn_few: bool = True,
) -> DEAData:
    """Validate DEA data and return float copies.

    Parameters
    ----------
    data : DataFrame or None
        A table with one row per unit (index = unit labels).  If None, ``inputs`` and
        ``outputs`` are the data themselves.
    inputs, outputs : column names, or array_like / DataFrame when ``data`` is None
        Input and output columns.
    labels : array_like, optional
        Unit labels when ``data`` is None and the arrays carry none (default 0..n-1).
    input_names, output_names : sequence, optional
        Column names when ``data`` is None and arrays are plain (default x1.., y1..).
    nonnegative : bool, default True
        Require non-negative values (radial DEA does).
    role : str, default "data"
        Used in messages ("data", "reference").
    warn_few : bool, default True
        Warn with :class:`~dea.exceptions.FewUnitsWarning` if ``n < m + s``.

    Returns
    -------
    DEAData

    Raises
    ------
    InputDataError
        Unknown or repeated column names, non-numeric columns, NaN/inf values, negative
        values, a column that is constant zero, a unit whose inputs (or outputs) are all
        zero, duplicate unit labels.  Messages name the column and up to five labels.
    """
    if data is None:
        xf = _to_frame(inputs, "x", labels, input_names)
        yf = _to_frame(outputs, "y", labels, output_names)
        if xf.shape[0] != yf.shape[0]:
            raise InputDataError(
                f"inputs have {xf.shape[0]} units but outputs have {yf.shape[0]}; "
                "give the same units for both"
            )
        if labels is None and not xf.index.equals(yf.index):
            labelled = (pd.DataFrame, pd.Series)
            x_lab, y_lab = isinstance(inputs, labelled), isinstance(outputs, labelled)
            if x_lab and y_lab:
                raise InputDataError(
                    "the inputs and outputs DataFrames have different indexes; align them "
                    "(e.g. outputs.reindex(inputs.index)) so that each row is one unit"
                )
            if y_lab:  # a plain array takes the labelled side's units, in order
                xf = xf.set_axis(yf.index, axis=0)
            else:
                yf = yf.set_axis(xf.index, axis=0)
        in_cols, out_cols = list(xf.columns), list(yf.columns)
        frame = pd.concat([xf, yf.set_axis(yf.index, axis=0)], axis=1)
        if frame.shape[0] != xf.shape[0]:
            raise InputDataError("inputs and outputs could not be aligned by their indexes")
    else:
        if not isinstance(data, pd.DataFrame):
            raise InputDataError(
                f"data must be a pandas DataFrame (or None with array inputs/outputs), "
                f"got {type(data).__name__}"
            )
        frame = data
        in_cols, out_cols = _as_names(inputs, "inputs"), _as_names(outputs, "outputs")
        missing = [c for c in in_cols + out_cols if c not in frame.columns]
        if missing:
            raise InputDataError(
                f"column(s) {format_labels(missing)} not found in the {role}; "
                f"available columns: {format_labels(frame.columns, 10)}"
            )
    all_cols = in_cols + out_cols
    seen: set[Hashable] = set()
    repeated = [c for c in all_cols if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
    if repeated:
        raise InputDataError(
            f"column(s) {format_labels(repeated)} used more than once among inputs and "
            "outputs; each column may be an input or an output, once"
        )
    index = pd.Index(frame.index)
    if index.has_duplicates:
        dup = index[index.duplicated()].unique()
        raise InputDataError(
            f"duplicate unit labels in the {role}: {format_labels(dup)}; labels must be unique"
        )
    if frame.shape[0] == 0:
        raise InputDataError(f"the {role} has no units")
    X = np.column_stack([_numeric(frame, c) for c in in_cols])
    Y = np.column_stack([_numeric(frame, c) for c in out_cols])
    for arr, cols in ((X, in_cols), (Y, out_cols)):
        for j, c in enumerate(cols):
            col = arr[:, j]
            bad = ~np.isfinite(col)
            if bad.any():
                raise InputDataError(
                    f"column {c!r} has missing or infinite values for unit(s) "
                    f"{format_labels(index[bad])}; DEA needs finite numbers"
                )
            if nonnegative and (col < 0).any():
                raise InputDataError(
                    f"column {c!r} has negative values for unit(s) "
                    f"{format_labels(index[col < 0])}; this model needs non-negative data"
                )
            if nonnegative and (col == 0).all():
                raise InputDataError(
                    f"column {c!r} is zero for every unit; drop it (it carries no information "
                    "and makes the LP degenerate)"
                )
    if nonnegative:
        for arr, what in ((X, "inputs"), (Y, "outputs")):
            zero = (arr == 0).all(axis=1)
            if zero.any():
                raise InputDataError(
                    f"unit(s) {format_labels(index[zero])} have all {what} equal to zero "
                    f"({format_labels(in_cols if what == 'inputs' else out_cols)}); "
                    f"each unit needs at least one positive input and one positive output"
                )
    n, m, s = X.shape[0], X.shape[1], Y.shape[1]
    if warn_few and n < m + s:
        warnings.warn(
            f"only {n} units for {m} inputs and {s} outputs (n < m + s): most units will be "
            "efficient; use more units or fewer variables",
            FewUnitsWarning,
            stacklevel=3,
        )
    return DEAData(
        X=np.ascontiguousarray(X, dtype=float),
        Y=np.ascontiguousarray(Y, dtype=float),
        labels=index.copy(),
        inputs=tuple(in_cols),
        outputs=tuple(out_cols),
    )


def resolve_reference(
    reference: Any,
    data: DEAData,
    frame: pd.DataFrame | None,
    *,
    nonnegative: bool = True,
) -> tuple[DEAData, np.ndarray | None]:
    """Turn a ``reference=`` argument into the reference units' data.

    Parameters
    ----------
    reference : None, labels, boolean mask or DataFrame
        None: all units.  Labels (list-like of unit labels of ``data``) or a boolean
        mask (length n, array or Series aligned on the labels): that subset.  A DataFrame:
        other units, with the same input/output columns.
    data : DEAData
        The evaluated units.
    frame : DataFrame or None
        The user's table (for error messages only).
    nonnegative : bool, default True
        Passed to :func:`prepare` for a reference DataFrame.

    Returns
    -------
    ref : DEAData
        Reference units.
    positions : ndarray of int or None
        Positions of reference units within ``data`` (None for an external DataFrame).

    Raises
    ------
    InputDataError
        Unknown labels, a mask of the wrong length, an empty reference set, or a reference
        DataFrame that fails :func:`prepare`.
    """
    del frame
    if reference is None:
        return data, np.arange(data.n)
    if isinstance(reference, pd.DataFrame):
        ref = prepare(
            reference,
            list(data.inputs),
            list(data.outputs),
            nonnegative=nonnegative,
            role="reference",
            warn_few=False,
        )
        return ref, None
    if isinstance(reference, pd.Series) and pd.api.types.is_bool_dtype(reference.dtype):
        if not reference.index.equals(data.labels):
            missing = data.labels.difference(reference.index)
            if len(missing):
                raise InputDataError(
                    f"reference mask has no entry for unit(s) {format_labels(missing)}; "
                    "give one boolean per unit"
                )
            reference = reference.reindex(data.labels)
        if reference.isna().any():
            raise InputDataError(
                f"reference mask is missing for unit(s) "
                f"{format_labels(data.labels[reference.isna().to_numpy()])}; "
                "give True or False for every unit"
            )
        mask = reference.to_numpy(dtype=bool)
    else:
        arr = np.asarray(reference)
        if arr.dtype == bool:
            if arr.shape != (data.n,):
                raise InputDataError(
                    f"reference mask has length {arr.size} but there are {data.n} units; "
                    "give one boolean per unit"
                )
            mask = arr
        else:
            labels = list(reference) if not isinstance(reference, str) else [reference]
            labels = [lab.item() if isinstance(lab, np.generic) else lab for lab in labels]
            unknown = list(dict.fromkeys(lab for lab in labels if lab not in data.labels))
            if unknown:
                raise InputDataError(
                    f"reference unit(s) {format_labels(unknown)} are not unit labels of the "
                    "data; give labels from the data's index"
                )
            mask = data.labels.isin(labels)
    if not mask.any():
        raise InputDataError("the reference set is empty; select at least one unit")
    pos = np.flatnonzero(mask)
    return data.subset(pos), pos


def unit_position(labels: pd.Index, unit: Hashable) -> int:
    """Row position of the evaluated unit ``unit`` (the user's label) in ``labels``.

    Raises
    ------
    InputDataError
        If the label is not an evaluated unit or names several.
    """
    try:
        k = labels.get_loc(unit)
    except (KeyError, TypeError):
        raise InputDataError(
            f"unit {unit!r} is not among the evaluated units ({format_labels(labels)})"
        ) from None
    if not isinstance(k, int | np.integer):
        raise InputDataError(f"unit {unit!r} does not identify exactly one evaluated unit")
    return int(k)
