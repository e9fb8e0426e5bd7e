"""Shannon entropy weights."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError, format_labels
from weighting.weights.base import Weighter, _check_frame, _finalise

__all__ = ["EntropyWeights"]


class EntropyWeights(Weighter):
    """Entropy weights: indicators that discriminate more between units weigh more.

    Attributes
    ----------
    weights_ : pd.Series
    entropy_ : pd.Series
        Normalised Shannon entropy :math:`E_j \\in [0, 1]` of each indicator.
    divergence_ : pd.Series
        Degree of diversification :math:`d_j = 1 - E_j`.

    Raises
    ------
    InputDataError
        See :meth:`fit`.

    Notes
    -----
    With :math:`n \\ge 2` units and non-negative values :math:`x_{ij}`,
    :math:`p_{ij} = x_{ij} / \\sum_i x_{ij}`,
    :math:`E_j = -\\frac{1}{\\ln n} \\sum_i p_{ij} \\ln p_{ij}` (with :math:`0 \\ln 0 = 0`),
    :math:`d_j = 1 - E_j` and :math:`w_j = d_j / \\sum_k d_k`.

    The data must be on a ratio scale with a meaningful zero: the weights change under a
    shift of an indicator, so apply them to indicators normalised to be non-negative
    (e.g. min-max or distance to a reference), never to z-scores. If every indicator is
    spread perfectly evenly (all :math:`d_j = 0`) entropy weights are undefined and an
    error is raised.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. Bell System Technical
    Journal 27, 379-423. Zeleny, M. (1982). Multiple Criteria Decision Making.
    McGraw-Hill (entropy weighting).
    """

    name = "entropy"

    def __init__(self) -> None:
        pass

    def fit(self, X: pd.DataFrame, y: object = None) -> EntropyWeights:
        """Compute the entropy weights of the columns of ``X``.

        Parameters
        ----------
        X : pd.DataFrame
            Non-negative normalised indicators, units x indicators.
        y : ignored

        Returns
        -------
        EntropyWeights
            ``self``.

        Raises
        ------
        InputDataError
            Fewer than 2 units; missing values; negative values (the message names the
            column and units); a column that sums to zero; all indicators perfectly even.
        """
        X = _check_frame(X, min_rows=2)
        values = X.to_numpy()
        neg_cols = X.columns[(values < 0).any(axis=0)]
        if len(neg_cols):
            c = neg_cols[0]
            units = X.index[X[c].to_numpy() < 0]
            raise InputDataError(
                f"entropy weights need non-negative data, but column {c!r} is negative at "
                f"units {format_labels(units)} (other negative columns: "
                f"{format_labels(neg_cols[1:]) or 'none'}); use a normalisation onto [0, 1]"
            )
        totals = values.sum(axis=0)
        zero = X.columns[totals <= 0]
        if len(zero):
            raise InputDataError(
                f"columns {format_labels(zero)} are zero for every unit; entropy is undefined"
            )
        n = values.shape[0]
        p = values / totals
        with np.errstate(divide="ignore", invalid="ignore"):
            plogp = np.where(p > 0, p * np.log(p), 0.0)
        entropy = -plogp.sum(axis=0) / np.log(n)
        entropy = np.clip(entropy, 0.0, 1.0)
        d = 1.0 - entropy
        d[d < 1e-12] = 0.0  # rounding of perfectly even columns (E = 1 - 1e-16)
        if d.sum() <= 0:
            raise InputDataError(
                "every indicator takes the same value for all units (entropy 1); entropy "
                "weights are undefined; use EqualWeights"
            )
        self.entropy_ = pd.Series(entropy, index=X.columns, name="entropy")
        self.divergence_ = pd.Series(d, index=X.columns, name="divergence")
        self.weights_ = _finalise(d, X.columns)
        return self
