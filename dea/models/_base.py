"""Private helpers shared by the DEA models (validation of options, scaling, warnings)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from dea.data import DEAData
from dea.exceptions import InfeasibleUnitWarning, InputDataError, format_labels
from dea.results import EFFICIENCY_TOL

#: Returns-to-scale choices of every envelopment model (public as :data:`dea.RTS_CHOICES`).
RTS_CHOICES: tuple[str, ...] = ("crs", "vrs", "nirs", "ndrs")
#: The two radial orientations every model accepts (public as :data:`dea.ORIENTATIONS`).
ORIENTATIONS: tuple[str, ...] = ("input", "output")
#: Orientations of the models that also offer the hyperbolic graph measure (Radial, FDH).
GRAPH_ORIENTATIONS: tuple[str, ...] = (*ORIENTATIONS, "graph")


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


def scaled_arrays(
    d: DEAData, r: DEAData, super_efficiency: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the envelopment models compute on: ``(sx, sy, Xe, Ye, Xr, Yr, exclude)``.

    ``sx``, ``sy`` are the :func:`column_scales` of evaluated and reference data together;
    ``Xe``, ``Ye`` (evaluated) and ``Xr``, ``Yr`` (reference) are divided by them;
    ``exclude`` holds, per evaluated unit, the reference position left out of its own
    reference set (super-efficiency: the same label) or -1.
    """
    sx, sy = column_scales(d.X, r.X), column_scales(d.Y, r.Y)
    if super_efficiency:
        exclude = exclusion_positions(d.labels, r.labels)
    else:
        exclude = np.full(d.n, -1, dtype=np.int64)
    return sx, sy, d.X / sx, d.Y / sy, r.X / sx, r.Y / sy, exclude


SLACK_SUMS = ("scaled", "unweighted")


def slack_weights(rule: str, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """Weights of the *scaled* slacks in a max-slack objective (``slack_sum`` option).

    ``"scaled"``: all ones (each user-unit slack divided by its column scale).
    ``"unweighted"``: the column scales divided by their largest value, so that the
    objective is the plain user-unit slack sum times a positive constant.
    """
    if rule == "scaled":
        return np.ones(sx.size + sy.size)
    c = np.concatenate([sx, sy])
    return c / c.max()


def initial_columns(Xr: np.ndarray, Yr: np.ndarray) -> np.ndarray:
    """First working set for column generation: a few surely useful reference units.

    The best unit of every output/input ratio (CRS-efficient in that single ratio) and
    the extreme units of every input (smallest) and output (largest).  Pricing adds
    whatever else the LPs need.
    """
    m, s = Xr.shape[1], Yr.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        picks = [
            int(np.argmax(np.where(Xr[:, i] > 0, Yr[:, r] / Xr[:, i], np.inf)))
            for i in range(m)
            for r in range(s)
        ]
    picks += [int(np.argmin(Xr[:, i])) for i in range(m)]
    picks += [int(np.argmax(Yr[:, r])) for r in range(s)]
    return np.unique(np.asarray(picks, dtype=np.int64))


def solve_order(Xe: np.ndarray, Ye: np.ndarray) -> np.ndarray:
    """Order in which units are solved: similar input/output mixes next to each other.

    Consecutive LPs then differ little, so hot starts need fewer simplex iterations.  The
    order depends on the data only (never on ``n_jobs``), so results are reproducible.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.hstack([Xe / Xe.sum(axis=1, keepdims=True), Ye / Ye.sum(axis=1, keepdims=True)])
    mix = np.nan_to_num(np.round(mix, 3))
    keys = [mix[:, j] for j in range(mix.shape[1] - 1, -1, -1)]
    return np.lexsort(keys) if keys else np.arange(Xe.shape[0])
