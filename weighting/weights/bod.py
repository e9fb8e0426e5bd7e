"""Benefit-of-the-doubt weights: one weight vector per unit, from :class:`dea.models.bod.BoD`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Literal

import pandas as pd

from dea.models.bod import BoD, Bounds
from weighting.exceptions import InputDataError
from weighting.weights.base import Weighter, _check_frame, _finalise

__all__ = ["BoDWeights"]


class BoDWeights(Weighter):
    """Benefit-of-the-doubt weights (unit-specific, DEA with a dummy input).

    Each unit gets the weights most favourable to it (see :class:`dea.models.bod.BoD` for
    the LP and the restriction options, which are passed through unchanged).

    Parameters
    ----------
    weight_bounds, share_bounds, ratio_bounds, pie_share_bounds, pie_share_at
        Weight restrictions, as in :class:`dea.models.bod.BoD`.
    solver : str, default "highs"
    n_jobs : int, default 1
    form : {"auto", "envelopment", "multiplier"}, default "auto"
        Which of the two equivalent LPs is solved (see :class:`dea.models.bod.BoD`).
    comparison : {"reference", "scored"}, default "reference"
        Which units :class:`~weighting.Scheme` fits the LPs on, i.e. whom each unit is
        compared with: the reference units plus the scored units not in it
        (``"reference"``), or the scored units alone (``"scored"``, e.g. the MFIs of one
        year, the normalisation still fitted on the reference). With ``"scored"`` fewer
        than two scored units get no score (nobody to compare with).

    Attributes
    ----------
    unit_specific : bool
        ``True``: the scheme should use ``unit_weights_`` (or ``scores_``) per unit.
    unit_weights_ : pd.DataFrame
        Optimal weights per unit (units x indicators), on the scale of ``X`` (they are
        multipliers, not shares: :math:`\\sum_j w_{oj} y_{oj}` is the unit's score).
    scores_ : pd.Series
        BoD composite per unit, in [0, 1].
    pie_shares_ : pd.DataFrame
        :math:`w_{oj} y_{oj} / CI_o` per unit (rows sum to one).
    status_ : pd.Series
        LP status per unit.
    weights_ : pd.Series
        A single summary weight vector: the mean over units of the pie shares (units
        with a zero or failed score are left out), renormalised to sum to one. It says
        how much each indicator contributes, on average, to the units' own best
        composite; it is a description, not a weighting that reproduces ``scores_``.
    result_ : dea.models.bod.BoDResult

    Notes
    -----
    :math:`\\bar w_j = \\frac{1}{|O|}\\sum_{o \\in O} \\frac{w_{oj} y_{oj}}{CI_o}` over units
    :math:`O` with :math:`CI_o > 0`, then normalised.

    References
    ----------
    Cherchye, L., Moesen, W., Rogge, N. & Van Puyenbroeck, T. (2007). An introduction to
    'benefit of the doubt' composite indicators. Social Indicators Research 82, 111-145.
    """

    name = "bod"

    unit_specific = True

    def __init__(
        self,
        weight_bounds: Bounds | None = None,
        share_bounds: Bounds | None = None,
        ratio_bounds: Mapping[tuple[Hashable, Hashable], tuple[float | None, float | None]]
        | None = None,
        pie_share_bounds: Bounds | None = None,
        pie_share_at: Literal["own", "average"] = "own",
        solver: str = "highs",
        n_jobs: int = 1,
        form: Literal["auto", "envelopment", "multiplier"] = "auto",
        comparison: Literal["reference", "scored"] = "reference",
    ) -> None:
        if comparison not in ("reference", "scored"):
            raise InputDataError(
                f"comparison must be 'reference' or 'scored', got {comparison!r}"
            )
        self.weight_bounds = weight_bounds
        self.share_bounds = share_bounds
        self.ratio_bounds = ratio_bounds
        self.pie_share_bounds = pie_share_bounds
        self.pie_share_at = pie_share_at
        self.solver = solver
        self.n_jobs = n_jobs
        self.form = form
        self.comparison = comparison

    def fit(self, X: pd.DataFrame, y: object = None) -> BoDWeights:
        """Solve the BoD LPs for the units of ``X``.

        Parameters
        ----------
        X : pd.DataFrame
            Normalised, non-negative, higher-is-better indicators (units x indicators).
        y : ignored

        Returns
        -------
        BoDWeights
            ``self``.

        Raises
        ------
        InputDataError
            Bad data or infeasible restriction sets (see :class:`dea.models.bod.BoD`).
        """
        X = _check_frame(X)
        model = BoD(
            X,
            indicators=list(X.columns),
            weight_bounds=self.weight_bounds,
            share_bounds=self.share_bounds,
            ratio_bounds=self.ratio_bounds,
            pie_share_bounds=self.pie_share_bounds,
            pie_share_at=self.pie_share_at,
            solver=self.solver,
            n_jobs=self.n_jobs,
            form=self.form,
        )
        res = model.fit()
        self.result_ = res
        self.unit_weights_ = res.weights
        self.scores_ = res.scores
        self.pie_shares_ = res.pie_shares
        self.status_ = res.status
        mean_pie = res.pie_shares.dropna(how="any").mean(axis=0)
        if mean_pie.isna().all():
            mean_pie = pd.Series(1.0, index=X.columns)
        self.weights_ = _finalise(mean_pie.fillna(0.0).to_numpy(), X.columns)
        return self
