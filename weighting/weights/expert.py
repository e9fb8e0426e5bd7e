"""Participatory weights: direct expert weights, budget allocation and the AHP.

These weights do not depend on the data; ``fit(X)`` only checks that the indicator names
agree with the columns of ``X`` (and ``X`` may be omitted).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError, format_labels
from weighting.exceptions import _check_numbers
from weighting.weights.base import (
    ConsistencyError,
    Weighter,
    _as_weight_series,
    _check_frame,
    _check_number_table,
    _check_same_indicators,
    _finalise,
)

__all__ = [
    "SAATY_RANDOM_INDEX",
    "AHPConsistencyWarning",
    "AHPWeights",
    "BudgetAllocation",
    "ExpertWeights",
    "ahp_consistency",
    "ahp_priorities",
]

#: Saaty's random consistency index RI(n): the mean consistency index CI of random
#: reciprocal matrices with judgements drawn from the 1/9..9 scale, as tabulated in
#: Saaty, T. L. (1980), *The Analytic Hierarchy Process*, McGraw-Hill, p. 21
#: (n = 1..10). Only these well-established values are bundled; for n > 10 pass
#: ``random_index=`` explicitly (e.g. from Alonso & Lamata 2006, Table 1).
SAATY_RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}


class AHPConsistencyWarning(UserWarning):
    """The AHP consistency ratio exceeds the limit but ``allow_inconsistent=True``."""


# ---------------------------------------------------------------------------------------------
# direct weights
# ---------------------------------------------------------------------------------------------
class ExpertWeights(Weighter):
    """Weights given directly by an expert or a policy decision.

    Parameters
    ----------
    weights : mapping or pd.Series
        Indicator name -> non-negative weight. If they do not sum to one they are
        rescaled, with a :class:`~weighting.weights.base.WeightNormalisationWarning`.

    Attributes
    ----------
    weights_ : pd.Series
        The validated, normalised weights, in the column order of ``X`` (or the given
        order when ``fit`` is called without ``X``).

    Notes
    -----
    :math:`w_j = v_j / \\sum_k v_k` for the given values :math:`v_j \\ge 0`.
    """

    name = "expert"

    def __init__(self, weights: Mapping[object, float] | pd.Series) -> None:
        self.weights = weights

    def fit(self, X: pd.DataFrame | None = None, y: object = None) -> ExpertWeights:
        """Validate the weights against the columns of ``X``.

        Parameters
        ----------
        X : pd.DataFrame, optional
            Normalised indicators; only the column names are used.
        y : ignored

        Returns
        -------
        ExpertWeights
            ``self``.

        Raises
        ------
        InputDataError
            Negative or non-finite weights, all zero, weights for indicators that are not
            columns of ``X``, or columns of ``X`` without a weight.
        """
        w = _as_weight_series(self.weights, name="weights")
        if X is not None:
            X = _check_frame(X, allow_nan=True, min_rows=0)
            _check_same_indicators(w.index, X, what="weights")
            w = w.reindex(X.columns)
        self.weights_ = _finalise(w.to_numpy(), w.index)
        return self


# ---------------------------------------------------------------------------------------------
# budget allocation
# ---------------------------------------------------------------------------------------------
class BudgetAllocation(Weighter):
    """Budget allocation: several experts share a budget (e.g. 100 points) over indicators.

    Parameters
    ----------
    allocations : pd.DataFrame
        Experts in rows, indicators in columns, non-negative points. Each row is first
        turned into shares of that expert's own total, so budgets need not be equal.
    how : {"mean", "median"}, default "mean"
        How the experts' shares are combined per indicator; the result is renormalised
        to sum to one (medians in general do not).

    Attributes
    ----------
    weights_ : pd.Series
        Combined weights.
    shares_ : pd.DataFrame
        Each expert's shares (rows sum to one).
    dispersion_ : pd.DataFrame
        Per indicator: ``std`` (sample, ddof=1; NaN with one expert), ``min``, ``max`` and
        ``iqr`` (75th minus 25th percentile, linear interpolation) of the experts' shares.
    n_experts_ : int

    Raises
    ------
    InputDataError
        See :meth:`fit`.

    Notes
    -----
    With :math:`b_{ej}` the points of expert :math:`e` on indicator :math:`j`,
    :math:`s_{ej} = b_{ej} / \\sum_k b_{ek}` and
    :math:`w_j \\propto \\operatorname{mean}_e s_{ej}` (or the median).

    References
    ----------
    Moldan, B. & Billharz, S. (eds.) (1997). Sustainability Indicators. Wiley (Jesinghaus'
    chapter on budget allocation); OECD/JRC (2008), Handbook, Step 6.4.
    """

    name = "budget"

    def __init__(
        self, allocations: pd.DataFrame, how: Literal["mean", "median"] = "mean"
    ) -> None:
        self.allocations = allocations
        self.how = how

    def fit(self, X: pd.DataFrame | None = None, y: object = None) -> BudgetAllocation:
        """Combine the experts' allocations.

        Parameters
        ----------
        X : pd.DataFrame, optional
            Normalised indicators; only the column names are checked.
        y : ignored

        Returns
        -------
        BudgetAllocation
            ``self``.

        Raises
        ------
        InputDataError
            ``how`` not "mean"/"median"; allocations not a numeric DataFrame, with
            negative/missing points or an expert with an empty budget; indicator names
            not matching the columns of ``X``.
        """
        if self.how not in ("mean", "median"):
            raise InputDataError(f"how must be 'mean' or 'median', got {self.how!r}")
        if isinstance(self.allocations, pd.DataFrame):
            _check_number_table(
                self.allocations, expected="points must be numbers",
                where=lambda r, c: f"allocation of expert {r!r} to indicator {c!r}",
            )
        alloc = _check_frame(self.allocations, name="allocations")
        neg = alloc.index[(alloc.to_numpy() < 0).any(axis=1)]
        if len(neg):
            raise InputDataError(
                f"allocations of experts {format_labels(neg)} contain negative points; "
                "points must be >= 0"
            )
        totals = alloc.sum(axis=1)
        empty = alloc.index[totals.to_numpy() <= 0]
        if len(empty):
            raise InputDataError(
                f"experts {format_labels(empty)} allocated no points; every expert needs a "
                "positive budget"
            )
        shares = alloc.div(totals, axis=0)
        combined = shares.mean(axis=0) if self.how == "mean" else shares.median(axis=0)
        if combined.sum() <= 0:
            raise InputDataError(
                "the median allocation is zero for every indicator; use how='mean'"
            )
        if X is not None:
            X = _check_frame(X, allow_nan=True, min_rows=0)
            _check_same_indicators(alloc.columns, X, what="allocations")
            combined = combined.reindex(X.columns)
            shares = shares[X.columns]
        q = shares.quantile([0.25, 0.75])
        self.shares_ = shares
        self.n_experts_ = len(shares)
        self.dispersion_ = pd.DataFrame(
            {
                "std": shares.std(axis=0, ddof=1),
                "min": shares.min(axis=0),
                "max": shares.max(axis=0),
                "iqr": q.loc[0.75] - q.loc[0.25],
            }
        )
        self.weights_ = _finalise(combined.to_numpy(), combined.index)
        return self


# ---------------------------------------------------------------------------------------------
# analytic hierarchy process
# ---------------------------------------------------------------------------------------------
def _pairwise_to_array(
    matrix: object, names: Sequence[object] | None, *, what: str = "matrix"
) -> tuple[np.ndarray, pd.Index]:
    if isinstance(matrix, pd.DataFrame):
        _check_number_table(matrix, where=lambda r, c: f"{what}[{r!r}, {c!r}]",
                            expected="pairwise judgements must be numbers")
        if not matrix.index.equals(matrix.columns):
            raise InputDataError(
                f"{what} must have the same labels, in the same order, on rows and columns; "
                f"got rows {format_labels(matrix.index)} and columns "
                f"{format_labels(matrix.columns)}"
            )
        a = matrix.to_numpy(dtype=float, copy=True)
        labels = pd.Index(matrix.index)
        if names is not None and list(names) != list(labels):
            raise InputDataError(
                f"names {format_labels(names)} do not match the labels of {what} "
                f"{format_labels(labels)}"
            )
    else:
        try:
            raw = np.array(matrix, dtype=object)
        except (TypeError, ValueError):
            raw = np.empty(0, dtype=object)
        if raw.ndim == 2 and raw.shape[0] == raw.shape[1] and (
            names is None or len(names) == raw.shape[0]
        ):
            lab = list(names) if names is not None else list(range(raw.shape[0]))
            _check_numbers(
                (((lab[i], lab[j]), raw[i, j]) for i, j in np.ndindex(*raw.shape)),
                where=lambda ij: f"{what}[{ij[0]!r}, {ij[1]!r}]",
                expected="pairwise judgements must be numbers",
            )
        try:
            a = np.array(matrix, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputDataError(f"{what} must be a square table of numbers") from exc
        size = a.shape[0] if a.ndim else 0
        labels = pd.Index(names) if names is not None else pd.RangeIndex(size)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise InputDataError(f"{what} must be a non-empty square matrix, got shape {a.shape}")
    if len(labels) != a.shape[0]:
        raise InputDataError(
            f"names has {len(labels)} entries but {what} is {a.shape[0]}x{a.shape[0]}"
        )
    if labels.has_duplicates:
        raise InputDataError(f"{what} labels {format_labels(labels[labels.duplicated()])} repeat")
    return a, labels


def _validate_pairwise(a: np.ndarray, labels: pd.Index, rtol: float, what: str) -> np.ndarray:
    """Check a positive reciprocal matrix; return it made exactly reciprocal."""
    if not np.isfinite(a).all() or (a <= 0).any():
        i, j = np.argwhere(~np.isfinite(a) | (a <= 0))[0]
        raise InputDataError(
            f"{what}[{labels[i]!r}, {labels[j]!r}] = {a[i, j]:g}; pairwise judgements must be "
            "positive finite numbers"
        )
    diag = np.diag(a)
    bad = np.flatnonzero(np.abs(diag - 1.0) > rtol)
    if bad.size:
        k = bad[0]
        raise InputDataError(
            f"{what}[{labels[k]!r}, {labels[k]!r}] = {diag[k]:g}; the diagonal must be 1"
        )
    prod = a * a.T
    dev = np.abs(prod - 1.0)
    if (dev > rtol + 1e-12).any():
        i, j = np.argwhere(dev > rtol + 1e-12)[0]
        raise InputDataError(
            f"{what} is not reciprocal at ({labels[i]!r}, {labels[j]!r}): "
            f"{a[i, j]:.6g} x {a[j, i]:.6g} = {prod[i, j]:.6g}, should be 1 "
            f"(relative tolerance {rtol})"
        )
    # make exactly reciprocal (geometric reconciliation of rounded entries like 0.33)
    out = np.sqrt(a / a.T)
    np.fill_diagonal(out, 1.0)
    return out


def _principal_eigen(a: np.ndarray) -> tuple[float, np.ndarray]:
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    v = np.abs(vecs[:, k].real)  # Perron vector: one sign; abs removes the arbitrary sign
    return lam, v / v.sum()


def ahp_priorities(
    matrix: np.ndarray | pd.DataFrame,
    method: Literal["eigenvector", "geometric_mean"] = "eigenvector",
) -> np.ndarray:
    """Priority vector of a positive reciprocal matrix.

    Parameters
    ----------
    matrix : array-like or pd.DataFrame
        Square positive reciprocal matrix (not validated here; see :class:`AHPWeights`).
    method : {"eigenvector", "geometric_mean"}
        Saaty's principal right eigenvector, or the row geometric means (logarithmic least
        squares, Crawford & Williams 1985). Both coincide for consistent matrices and for
        n <= 3.

    Returns
    -------
    np.ndarray
        Weights summing to one.

    Raises
    ------
    InputDataError
        Unknown ``method``.
    """
    a = np.asarray(matrix, dtype=float)
    if method == "eigenvector":
        return _principal_eigen(a)[1]
    if method == "geometric_mean":
        g = np.exp(np.log(a).mean(axis=1))
        return g / g.sum()
    raise InputDataError(f"method must be 'eigenvector' or 'geometric_mean', got {method!r}")


def ahp_consistency(
    matrix: np.ndarray | pd.DataFrame, random_index: float | None = None
) -> dict[str, float]:
    """Saaty's consistency measures of a pairwise comparison matrix.

    Parameters
    ----------
    matrix : array-like or pd.DataFrame
        Square positive reciprocal matrix of order n.
    random_index : float, optional
        RI(n) to divide by; default :data:`SAATY_RANDOM_INDEX` (n <= 10).

    Returns
    -------
    dict
        ``lambda_max``, ``ci`` = (lambda_max - n)/(n - 1) and ``cr`` = CI / RI(n)
        (0 for n <= 2, where every reciprocal matrix is consistent), and ``ri``.

    Raises
    ------
    InputDataError
        n > 10 without ``random_index``.

    References
    ----------
    Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill.
    """
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    lam = _principal_eigen(a)[0] if n > 1 else 1.0
    if n <= 2:
        return {"lambda_max": float(n), "ci": 0.0, "cr": 0.0, "ri": 0.0}
    ci = max((lam - n) / (n - 1), 0.0)
    if random_index is None:
        if n not in SAATY_RANDOM_INDEX:
            raise InputDataError(
                f"no bundled random index for n = {n} (Saaty's table covers n <= 10); "
                "pass random_index= (e.g. from Alonso & Lamata 2006)"
            )
        random_index = SAATY_RANDOM_INDEX[n]
    if random_index <= 0:
        raise InputDataError(f"random_index must be > 0, got {random_index}")
    return {"lambda_max": lam, "ci": ci, "cr": ci / random_index, "ri": float(random_index)}


class AHPWeights(Weighter):
    """Analytic hierarchy process: weights from pairwise comparison matrices.

    Parameters
    ----------
    matrix : array-like, pd.DataFrame, or a list of them
        Saaty pairwise comparison matrix: ``a[i, j]`` says how much more important
        indicator i is than j (1..9 scale, reciprocals below the diagonal). A list holds one
        matrix per expert; they are combined element-wise by the geometric mean, which
        keeps the result reciprocal (Aczél & Saaty 1983).
    names : sequence, optional
        Indicator names for array input (a DataFrame carries its own labels; if both are
        given they must agree).
    max_cr : float, default 0.10
        Largest acceptable consistency ratio (Saaty's 10 % rule).
    allow_inconsistent : bool, default False
        If True, a CR above ``max_cr`` gives an :class:`AHPConsistencyWarning` instead of
        a :class:`~weighting.weights.base.ConsistencyError`.
    method : {"eigenvector", "geometric_mean"}, default "eigenvector"
        How the priority vector is derived (see :func:`ahp_priorities`).
    rtol : float, default 0.02
        Tolerance for the reciprocity (:math:`|a_{ij} a_{ji} - 1|`) and unit-diagonal
        checks, so that two-decimal reciprocals (0.33 for 1/3, 0.14 for 1/7) pass;
        accepted matrices are then made exactly reciprocal by
        :math:`a_{ij} \\leftarrow \\sqrt{a_{ij}/a_{ji}}`.
    random_index : float, optional
        RI for the matrix order; default Saaty (1980), see :data:`SAATY_RANDOM_INDEX`.

    Attributes
    ----------
    weights_ : pd.Series
    lambda_max_ : float
        Principal eigenvalue of the (combined) matrix.
    ci_ : float
        Consistency index (lambda_max - n)/(n - 1).
    cr_ : float
        Consistency ratio CI / RI(n).
    matrix_ : pd.DataFrame
        The (combined, exactly reciprocal) matrix used.
    expert_cr_ : pd.Series
        CR of each expert's own matrix (one entry when a single matrix is given).

    Notes
    -----
    For a consistent matrix, :math:`a_{ij} = w_i / w_j`, :math:`A w = n w` and
    :math:`\\lambda_{max} = n`; otherwise :math:`\\lambda_{max} > n` and
    :math:`CI = (\\lambda_{max} - n)/(n - 1)`, :math:`CR = CI / RI(n)`.

    References
    ----------
    Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill.
    Aczél, J. & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements.
    Journal of Mathematical Psychology 27, 93-102.
    Crawford, G. & Williams, C. (1985). A note on the analysis of subjective judgement
    matrices. Journal of Mathematical Psychology 29, 387-405.
    """

    name = "ahp"

    def __init__(
        self,
        matrix: object,
        names: Sequence[object] | None = None,
        max_cr: float = 0.10,
        allow_inconsistent: bool = False,
        method: Literal["eigenvector", "geometric_mean"] = "eigenvector",
        rtol: float = 0.02,
        random_index: float | None = None,
    ) -> None:
        self.matrix = matrix
        self.names = names
        self.max_cr = max_cr
        self.allow_inconsistent = allow_inconsistent
        self.method = method
        self.rtol = rtol
        self.random_index = random_index

    def _matrices(self) -> list[object]:
        m = self.matrix
        if isinstance(m, (list, tuple)) and len(m) > 0:
            first = m[0]
            if isinstance(first, pd.DataFrame) or np.ndim(first) == 2:
                return list(m)
        return [m]

    def fit(self, X: pd.DataFrame | None = None, y: object = None) -> AHPWeights:
        """Derive the weights and check consistency.

        Parameters
        ----------
        X : pd.DataFrame, optional
            Normalised indicators; if given, its columns must be the matrix labels
            (any order; ``weights_`` follows the column order of ``X``).
        y : ignored

        Returns
        -------
        AHPWeights
            ``self``.

        Raises
        ------
        InputDataError
            Matrix not square, not positive, not reciprocal (the message names the pair),
            diagonal not 1, experts' labels differ, names mismatch, bad ``method``.
        ConsistencyError
            CR > ``max_cr`` and ``allow_inconsistent`` is False.
        """
        if self.method not in ("eigenvector", "geometric_mean"):
            raise InputDataError(
                f"method must be 'eigenvector' or 'geometric_mean', got {self.method!r}"
            )
        mats = self._matrices()
        arrays = []
        labels: pd.Index | None = None
        expert_cr = []
        for k, m in enumerate(mats):
            what = "matrix" if len(mats) == 1 else f"matrix of expert {k}"
            a, lab = _pairwise_to_array(m, self.names, what=what)
            if labels is None:
                labels = lab
            elif not lab.equals(labels):
                raise InputDataError(
                    f"{what} has labels {format_labels(lab)}, but expert 0 has "
                    f"{format_labels(labels)}; all experts must compare the same indicators "
                    "in the same order"
                )
            a = _validate_pairwise(a, lab, self.rtol, what)
            arrays.append(a)
            expert_cr.append(ahp_consistency(a, self.random_index)["cr"])
        assert labels is not None
        combined = np.exp(np.mean([np.log(a) for a in arrays], axis=0))
        cons = ahp_consistency(combined, self.random_index)
        if cons["cr"] > self.max_cr:
            msg = (
                f"pairwise comparison matrix is too inconsistent: CR = {cons['cr']:.3f} > "
                f"max_cr = {self.max_cr} (lambda_max = {cons['lambda_max']:.4f}, "
                f"n = {len(labels)}); revise the judgements, or pass allow_inconsistent=True"
            )
            if not self.allow_inconsistent:
                raise ConsistencyError(msg)
            warnings.warn(msg, AHPConsistencyWarning, stacklevel=2)
        w = ahp_priorities(combined, self.method)
        weights = _finalise(w, labels)
        if X is not None:
            X = _check_frame(X, allow_nan=True, min_rows=0)
            _check_same_indicators(labels, X, what="matrix")
            weights = weights.reindex(X.columns)
        self.matrix_ = pd.DataFrame(combined, index=labels, columns=labels)
        self.lambda_max_ = float(cons["lambda_max"])
        self.ci_ = float(cons["ci"])
        self.cr_ = float(cons["cr"])
        self.expert_cr_ = pd.Series(expert_cr, name="cr", dtype=float)
        self.weights_ = weights
        return self
