"""BoDWeights: the weighting-package wrapper of dea.BoD (unit-specific weights).

Reference: the OECD/JRC (2008) Handbook Table 19 scores (see tests/dea/test_bod.py for the
source notes); here we check that the wrapper passes restrictions through and that its
summary ``weights_`` is the documented mean of the unit pie shares.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dea.exceptions import InputDataError
from dea.models.bod import BoD
from weighting.weights import BoDWeights, Weighter, get_weighter

TAI = pd.read_csv(Path(__file__).parents[1] / "results" / "tai_oecd2008.csv", index_col=0)
TAI_MM = (TAI - TAI.min()) / (TAI.max() - TAI.min())


def test_bod_weights_table19_and_attributes():
    est = get_weighter("bod", share_bounds=(0.10, 0.15)).fit(TAI_MM)
    assert isinstance(est, Weighter) and est.unit_specific is True
    assert est.scores_["Japan"] == pytest.approx(0.87, abs=0.0075)
    assert est.scores_["Norway"] == pytest.approx(0.86, abs=0.0075)
    np.testing.assert_allclose(est.scores_[["Finland", "United States", "Sweden"]], 1.0)
    assert est.unit_weights_.shape == (23, 8)
    assert list(est.unit_weights_.columns) == list(TAI_MM.columns)
    # unit weights reproduce the scores
    np.testing.assert_allclose((est.unit_weights_ * TAI_MM).sum(axis=1), est.scores_, atol=1e-9)
    np.testing.assert_allclose(est.pie_shares_.sum(axis=1), 1.0, atol=1e-9)
    assert (est.status_ == "optimal").all()


def test_summary_weights_are_mean_pie_shares():
    data = TAI_MM + 0.01
    est = BoDWeights().fit(data)
    res = BoD(data, indicators=list(data.columns)).fit()
    expected = res.pie_shares.mean(axis=0)
    np.testing.assert_allclose(est.weights_.to_numpy(), (expected / expected.sum()).to_numpy(),
                               atol=1e-12)
    assert est.weights_.sum() == pytest.approx(1.0) and (est.weights_ >= 0).all()


def test_zero_units_left_out_of_summary():
    data = pd.DataFrame({"a": [1.0, 0.0, 0.5], "b": [0.0, 0.0, 1.0]}, index=list("xyz"))
    est = BoDWeights().fit(data)
    assert est.scores_["y"] == 0
    # x: all weight on a (pie 1, 0); z: score 1 with pie shares from its own optimum
    z = est.pie_shares_.loc["z"].to_numpy()
    np.testing.assert_allclose(est.weights_.to_numpy(), (np.array([1.0, 0.0]) + z) / 2,
                               atol=1e-9)


def test_params_and_errors():
    est = BoDWeights(pie_share_bounds=(0.05, None), pie_share_at="average", solver="scipy")
    assert est.get_params()["pie_share_at"] == "average"
    assert repr(est) == ("BoDWeights(pie_share_bounds=(0.05, None), pie_share_at='average', "
                         "solver='scipy')")
    est.fit(TAI_MM)
    assert (est.scores_ <= BoDWeights().fit(TAI_MM).scores_ + 1e-9).all()
    with pytest.raises(InputDataError, match=r"lower bounds sum to 1\.6"):
        BoDWeights(share_bounds=(0.2, None)).fit(TAI_MM)
    with pytest.raises(InputDataError, match="negative"):
        BoDWeights().fit(TAI_MM - 0.5)
