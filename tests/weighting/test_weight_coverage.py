"""MissingPolicy(coverage="weight"): min_coverage as a share of the indicator weight."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weighting import Scheme
from weighting.exceptions import InputDataError
from weighting.pretreat import MissingPolicy

DATA = pd.DataFrame(
    {"a": [1.0, 2.0, 3.0, np.nan], "b": [np.nan, 1.0, 2.0, 3.0], "c": [3.0, 1.0, 2.0, 2.0]},
    index=["u", "v", "x", "y"],
)


def test_apply_weight_share_hand_checked():
    w = pd.Series({"a": 3.0, "b": 1.0, "c": 1.0})
    res = MissingPolicy("reweight", 0.7, coverage="weight").apply(DATA, ["a", "b", "c"], weights=w)
    # u misses b (1/5 of the weight): 0.8 >= 0.7; y misses a (3/5): 0.4 < 0.7
    assert res.coverage.round(12).to_dict() == {"u": 0.8, "v": 1.0, "x": 1.0, "y": 0.4}
    assert list(res.excluded.index) == ["y"]
    assert "40% of the indicator weight" in res.excluded["y"]
    # by count, both u and y have 2/3 < 0.7
    by_count = MissingPolicy("reweight", 0.7).apply(DATA, ["a", "b", "c"])
    assert list(by_count.excluded.index) == ["u", "y"]


def test_apply_weight_share_needs_weights():
    with pytest.raises(InputDataError, match="needs the weights"):
        MissingPolicy(coverage="weight").apply(DATA, ["a", "b", "c"])
    with pytest.raises(InputDataError, match="'count'"):
        MissingPolicy(coverage="share")


def test_scheme_weight_coverage_uses_fitted_weights():
    inds = [{"name": n} for n in "abc"]
    s = Scheme(
        inds,
        weights={"a": 3, "b": 1, "c": 1},
        missing={"method": "reweight", "min_coverage": 0.7, "coverage": "weight"},
    )
    with pytest.warns(UserWarning):
        res = s.score(DATA)
    assert list(res.excluded.index) == ["y"]
    assert np.isnan(res.scores["y"]) and np.isfinite(res.scores["u"])
    # the scores of the kept units are the count-coverage scheme's
    s0 = s.replace(missing={"method": "reweight", "min_coverage": 0.0})
    full = s0.score(DATA).scores
    pd.testing.assert_series_equal(res.scores.drop("y"), full.drop("y"))
    assert Scheme.from_dict(s.to_dict()) == s
    assert s.to_dict()["missing"]["coverage"] == "weight"


def test_identity_fits_on_a_reference_column_without_values():
    """'none' learns nothing from the reference, so an all-missing column is fine."""
    data = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 0.0]}, index=["x", "y"])
    ref = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan] * 3})
    s = Scheme([{"name": "a"}, {"name": "b"}], normalisation={"a": "minmax", "b": "none"})
    # x: a (1 - 1) / 2 = 0, b = 1 -> 0.5; y: a = 0.5, b = 0 -> 0.25
    np.testing.assert_allclose(s.score(data, ref).scores, [0.5, 0.25])
    with pytest.raises(InputDataError, match="no non-missing reference values"):
        s.replace(normalisation="percentile").score(data, ref)
