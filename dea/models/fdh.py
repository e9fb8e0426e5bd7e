"""Free disposal hull (FDH) efficiency by enumeration (no LP)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dea._parallel import map_chunks
from dea.data import DEAData, prepare, resolve_reference
from dea.models._base import (
    GRAPH_ORIENTATIONS,
    SLACK_SUMS,
    check_choice,
    check_n_jobs,
    scaled_arrays,
    slack_weights,
    snap_scores,
    warn_not_optimal,
)
from dea.results import SLACK_TOL, DEAResult

__all__ = ["FDH"]

_TIE_RTOL = 1e-12
_CELLS = 2_000_000  # units x reference units per vectorised block


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0/0 = 0 and positive/0 = inf (non-negative data)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = num / den
    r = np.where(den == 0, np.where(num == 0, 0.0, np.inf), r)
    return r


def _fdh_chunk(
    units: np.ndarray,
    Xe: np.ndarray,
    Ye: np.ndarray,
    Xr: np.ndarray,
    Yr: np.ndarray,
    orientation: str,
    exclude: np.ndarray,
    tie_weights: np.ndarray,
) -> dict[str, np.ndarray]:
    """Scores, peer positions and scaled slacks for ``units`` (scaled data).

    Among reference units attaining the optimum, the peer maximises
    ``slack @ tie_weights`` (scaled slacks); remaining ties go to the first in reference
    order.
    """
    n_ref = Xr.shape[0]
    m, s = Xe.shape[1], Ye.shape[1]
    out_val = np.full(units.size, np.nan)
    out_peer = np.full(units.size, -1, dtype=np.int64)
    out_slack = np.full((units.size, m + s), np.nan)
    block = max(1, _CELLS // max(n_ref * (m + s), 1))
    for b0 in range(0, units.size, block):
        K = units[b0 : b0 + block]
        xk, yk = Xe[K][:, None, :], Ye[K][:, None, :]
        X, Y = Xr[None, :, :], Yr[None, :, :]
        if orientation == "input":
            cand = _ratio(X, xk).max(axis=2)
            cand[~(Y >= yk).all(axis=2)] = np.inf
            best_fn, worse = np.min, np.inf
        elif orientation == "output":
            with np.errstate(divide="ignore", invalid="ignore"):
                q = np.where(yk == 0, np.inf, Y / np.where(yk == 0, 1.0, yk))
            cand = q.min(axis=2)  # an output the unit does not produce: no constraint
            cand[~(X <= xk).all(axis=2)] = -np.inf
            best_fn, worse = np.max, -np.inf
        else:  # graph: x_j <= G x_k and y_j >= y_k / G
            cand = np.maximum(_ratio(X, xk).max(axis=2), _ratio(yk, Y).max(axis=2))
            best_fn, worse = np.min, np.inf
        rows = np.arange(K.size)
        ex = exclude[K]
        has = ex >= 0
        cand[rows[has], ex[has]] = worse
        best = best_fn(cand, axis=1)
        for i, k in enumerate(K):
            v = best[i]
            if not np.isfinite(v) or v <= 0:
                continue
            ties = np.flatnonzero(np.abs(cand[i] - v) <= _TIE_RTOL * max(1.0, abs(v)))
            if orientation == "input":
                s_in = v * Xe[k] - Xr[ties]
                s_out = Yr[ties] - Ye[k]
            elif orientation == "output":
                s_in = Xe[k] - Xr[ties]
                s_out = Yr[ties] - v * Ye[k]
            else:
                s_in = v * Xe[k] - Xr[ties]
                s_out = Yr[ties] - Ye[k] / v
            slack = np.maximum(np.hstack([s_in, s_out]), 0.0)
            j = int(np.argmax(slack @ tie_weights))  # max-slack peer among ties (first)
            out_val[b0 + i] = v
            out_peer[b0 + i] = ties[j]
            out_slack[b0 + i] = slack[j]
    return {"value": out_val, "peer": out_peer, "slacks": out_slack}


class FDH:
    r"""Free disposal hull efficiency (Deprins, Simar & Tulkens 1984), by enumeration.

    Parameters
    ----------
    data : DataFrame or None
        One row per unit (index = labels); None to pass arrays as ``inputs``/``outputs``.
    inputs, outputs : list of column names (or arrays when ``data`` is None)
        Non-negative input and output columns.
    orientation : {"input", "output", "graph"}, default "input"
        Radial input contraction, output expansion, or hyperbolic graph measure.
    reference : None, labels, boolean mask or DataFrame, optional
        Units spanning the hull (default all), as for :class:`dea.Radial`.
    super_efficiency : bool, default False
        Exclude each unit (by label) from its own reference set; a unit that no other
        unit dominates then has no score (status ``"infeasible"``, NaN).
    slack_sum : {"scaled", "unweighted"}, default "scaled"
        How the peer is chosen among reference units that attain the same score: largest
        slack sum with each slack divided by its column mean (``"scaled"``, independent of
        units of measurement) or largest plain slack sum in user units
        (``"unweighted"``), as for :class:`dea.Radial`.  Scores never depend on it.
    n_jobs : int, default 1
        joblib workers over chunks of units.
    labels : array_like, optional
        Unit labels when ``data`` is None.

    Raises
    ------
    InputDataError
        Invalid data or options.

    Notes
    -----
    FDH drops convexity: the reference technology is the free-disposal hull of the
    observed units, and the envelopment LP becomes a mixed-integer program
    (:math:`\lambda_j \in \{0, 1\}`, :math:`\sum_j \lambda_j = 1`)::

        input:   min theta  s.t.  X lambda <= theta x_k,  Y lambda >= y_k
        output:  max phi    s.t.  X lambda <= x_k,        Y lambda >= phi y_k
        graph:   min G      s.t.  X lambda <= G x_k,      Y lambda >= y_k / G

    which is solved exactly by enumeration, with no LP:
    ``theta_k = min_{j: y_j >= y_k} max_i x_ij / x_ik``,
    ``phi_k = max_{j: x_j <= x_k} min_r y_rj / y_rk`` and
    ``G_k = min_j max(max_i x_ij / x_ik, max_r y_rk / y_rj)``.  Zero data follow the
    conventions ``0 / 0 = 0`` and ``a / 0 = inf`` for ``a > 0`` (a reference unit using an
    input the evaluated unit does not use cannot dominate it; an output the evaluated unit
    does not produce imposes no constraint).  Scores follow :class:`dea.Radial`:
    ``theta``, ``1 / phi`` and ``G``, in (0, 1]; within 1e-9 of 1 reported as 1.

    The peer is the dominating unit attaining the optimum (score within 1e-12 relative).
    Tie rule: among several such units, the one with the largest slack sum (each slack
    divided by its column mean; plain sum with ``slack_sum="unweighted"``), then the
    first in reference order.  So a unit that another unit weakly dominates (equal
    score, less of some input or more of some output) gets that unit as its peer, not
    itself, and its slacks show the dominance, as in the max-slack phase 2 of
    :class:`dea.Radial`.  Targets are the peer's
    own inputs and outputs, slacks are ``theta x_k - x_peer`` and ``y_peer - y_k``
    (output: ``x_k - x_peer``, ``y_peer - phi y_k``; graph: ``G x_k - x_peer``,
    ``y_peer - y_k / G``).  There are no multiplier weights.

    References
    ----------
    Deprins, D., Simar, L., & Tulkens, H. (1984). Measuring labor-efficiency in post
    offices. In M. Marchand, P. Pestieau & H. Tulkens (Eds.), *The Performance of Public
    Enterprises: Concepts and Measurement* (pp. 243-267). North-Holland.

    Examples
    --------
    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 5.0], "y": [1.0, 3.0, 2.0]}, index=list("ABC"))
    >>> dea.FDH(df, inputs=["x"], outputs=["y"]).fit().scores.tolist()
    [1.0, 1.0, 0.8]
    """

    def __init__(
        self,
        data: pd.DataFrame | None,
        inputs: Sequence[Hashable] | Any,
        outputs: Sequence[Hashable] | Any,
        *,
        orientation: str = "input",
        reference: Any = None,
        super_efficiency: bool = False,
        slack_sum: str = "scaled",
        n_jobs: int = 1,
        labels: Any = None,
    ) -> None:
        self.orientation = check_choice("orientation", orientation, GRAPH_ORIENTATIONS)
        self.super_efficiency = bool(super_efficiency)
        self.slack_sum = check_choice("slack_sum", slack_sum, SLACK_SUMS)
        self.n_jobs = check_n_jobs(n_jobs)
        self.data: DEAData = prepare(data, inputs, outputs, labels=labels)
        self.reference_data, _ = resolve_reference(reference, self.data, data)

    def __repr__(self) -> str:
        return (
            f"FDH(n={self.data.n}, inputs={list(self.data.inputs)}, "
            f"outputs={list(self.data.outputs)}, orientation={self.orientation!r})"
        )

    def fit(self) -> DEAResult:
        """Enumerate dominating units and return the result.

        Returns
        -------
        DEAResult
            Scores, lambdas (0/1), peers, slacks, targets and status; ``weights`` is None.

        Warns
        -----
        InfeasibleUnitWarning
            With super-efficiency (or an external reference set), units with no
            dominating reference unit get NaN and status ``"infeasible"``.
        """
        d, r = self.data, self.reference_data
        sx, sy, Xe, Ye, Xr, Yr, exclude = scaled_arrays(d, r, self.super_efficiency)
        parts = map_chunks(
            _fdh_chunk,
            np.arange(d.n),
            Xe,
            Ye,
            Xr,
            Yr,
            self.orientation,
            exclude,
            slack_weights(self.slack_sum, sx, sy),
            n_jobs=self.n_jobs,
        )
        value = np.concatenate([p["value"] for p in parts])
        peer = np.concatenate([p["peer"] for p in parts])
        scale = np.concatenate([sx, sy])
        slack = np.vstack([p["slacks"] for p in parts]) * scale + 0.0
        ok = peer >= 0
        status = np.where(ok, "optimal", "infeasible").astype(object)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = snap_scores(1.0 / value if self.orientation == "output" else value)
        lam = sp.csr_matrix(
            (np.ones(int(ok.sum())), (np.flatnonzero(ok), peer[ok])), shape=(d.n, r.n)
        )
        targets = np.full((d.n, d.m + d.s), np.nan)
        targets[ok] = np.hstack([r.X, r.Y])[peer[ok]]
        warn_not_optimal(d.labels, status.astype(str), stacklevel=3)
        return DEAResult(
            labels=d.labels,
            reference_labels=r.labels,
            inputs=d.inputs,
            outputs=d.outputs,
            score_values=scores,
            objective_values=value,
            status_values=status,
            lambda_matrix=lam,
            slack_values=slack,
            target_values=targets,
            slack_tolerance=SLACK_TOL * scale,
            info={
                "model": "FDH",
                "orientation": self.orientation,
                "super_efficiency": self.super_efficiency,
                "slack_sum": self.slack_sum,
            },
        )
