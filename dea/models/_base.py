"""Private helpers shared by the DEA models (validation of options, scaling, warnings)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import InfeasibleUnitWarning, InputDataError, format_labels
from dea.results import EFFICIENCY_TOL

RTS_CHOICES = ("crs", "vrs", "nirs", "ndrs")
ORIENTATIONS = ("input", "output", "graph")


def check_choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """Validate a string option (case-insensitive) and return it lower-cased."""
    allowed = tuple(allowed)
    if not isinstance(value, str) or value.lower() not in allowed:
        raise InputDataError(f"{name}={value!r} is not allowed; use one of {allowed}")
    return value.lower()


def check_n_jobs(n_jobs: Any) -> int:
    """Validate ``n_jobs`` (non-zero int, joblib convention for negatives)."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs == 0:
        raise InputDataError(f"n_jobs={n_jobs!r} is not allowed; use a non-zero integer")
    return int(n_jobs)


def column_scales(*arrays: np.ndarray) -> np.ndarray:
    """Per-column scale: mean of the absolute values over all given arrays (rows stacked).

    A column that is zero everywhere gets scale 1.  Radial scores are invariant to column
    units, so the LPs are solved on ``data / scale`` (all columns of order 1) and slacks,
    targets and weights are converted back to user units.
    """
    stacked = np.vstack(arrays)
    sc = np.abs(stacked).mean(axis=0)
    sc[~(sc > 0) | ~np.isfinite(sc)] = 1.0
    return sc


def snap_scores(values: np.ndarray) -> np.ndarray:
    """Report scores within :data:`~dea.results.EFFICIENCY_TOL` of 1 as exactly 1."""
    out = np.array(values, dtype=float, copy=True)
    out[np.abs(out - 1.0) <= EFFICIENCY_TOL] = 1.0
    return out


def warn_not_optimal(labels: pd.Index, status: np.ndarray, stacklevel: int = 3) -> None:
    """Warn (InfeasibleUnitWarning) if some units' LPs were not optimal."""
    bad = status != "optimal"
    if bad.any():
        kinds = ", ".join(sorted(set(status[bad].tolist())))
        warnings.warn(
            f"{int(bad.sum())} unit(s) have no optimal LP solution ({kinds}): "
            f"{format_labels(labels[bad])}; their scores are NaN (see result.status)",
            InfeasibleUnitWarning,
            stacklevel=stacklevel,
        )


def exclusion_positions(eval_labels: pd.Index, ref_labels: pd.Index) -> np.ndarray:
    """For each evaluated unit, the position of the same label in the reference set, or -1."""
    pos = ref_labels.get_indexer(eval_labels)
    return np.asarray(pos, dtype=np.int64)
