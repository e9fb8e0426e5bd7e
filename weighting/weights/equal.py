"""Equal weights, flat or by group."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dea.exceptions import InputDataError, format_labels
from weighting.weights.base import Weighter, _check_frame, _finalise

__all__ = ["EqualWeights"]


class EqualWeights(Weighter):
    """Equal weights, either flat or equal per group and then equal within each group.

    Parameters
    ----------
    groups : mapping, optional
        Indicator name -> group label. When given, each of the ``G`` groups gets weight
        ``1/G``, shared equally by its ``n_g`` indicators, so an indicator weighs
        ``1 / (G n_g)``. Every column of ``X`` must be mapped; extra keys are an error too.

    Attributes
    ----------
    weights_ : pd.Series
        One weight per column of ``X``, summing to one.
    group_weights_ : pd.Series or None
        Weight of each group (``None`` without groups).

    Notes
    -----
    Flat: :math:`w_j = 1/m`. Grouped: :math:`w_j = 1/(G\\,n_{g(j)})`. Equal weighting of
    groups is what the OECD/JRC Handbook (2008, Step 6) calls equal weighting "at the level
    of the dimensions": adding indicators to one dimension then does not raise its weight.

    References
    ----------
    OECD/JRC (2008). Handbook on Constructing Composite Indicators: Methodology and User
    Guide. OECD Publishing, Paris. Step 6.
    """

    name = "equal"

    def __init__(self, groups: Mapping[object, object] | None = None) -> None:
        self.groups = groups

    def fit(self, X: pd.DataFrame, y: object = None) -> EqualWeights:
        """Compute the weights for the columns of ``X``.

        Parameters
        ----------
        X : pd.DataFrame
            Normalised indicators (only the column names are used).
        y : ignored

        Returns
        -------
        EqualWeights
            ``self``.

        Raises
        ------
        InputDataError
            If ``X`` is not a DataFrame, or ``groups`` misses or adds indicators.
        """
        X = _check_frame(X, allow_nan=True, min_rows=0)
        cols = X.columns
        if self.groups is None:
            self.group_weights_ = None
            self.weights_ = _finalise([1.0] * len(cols), cols)
            return self
        if not isinstance(self.groups, Mapping):
            raise InputDataError(
                f"groups must be a mapping indicator -> group, got {type(self.groups).__name__}"
            )
        groups = dict(self.groups)
        missing = [c for c in cols if c not in groups]
        extra = [k for k in groups if k not in cols]
        if missing:
            raise InputDataError(
                f"groups has no group for indicators {format_labels(missing)}; "
                "map every column of X to a group"
            )
        if extra:
            raise InputDataError(
                f"groups names {format_labels(extra)}, which are not columns of X"
            )
        g = pd.Series([groups[c] for c in cols], index=cols)
        sizes = g.map(g.value_counts())
        n_groups = g.nunique()
        self.group_weights_ = pd.Series(1.0 / n_groups, index=pd.unique(g.to_numpy()))
        self.weights_ = _finalise((1.0 / (n_groups * sizes)).to_numpy(), cols)
        return self
