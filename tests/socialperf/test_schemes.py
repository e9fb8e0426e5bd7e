"""The named MFI schemes as ``weighting.Scheme`` objects (``socialperf.schemes``).

"Two paths agree": each factory's Scheme, scored with ``Scheme.score(..., by="year")`` on
the bundled example data against the bundled reference, gives the scores of
``score_mfis(scheme=name)``. Plus a hand-checked rating case.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import socialperf as sp
from socialperf import mfi, schemes
from socialperf.catalogue import load_catalogue
from socialperf.exceptions import InputDataError
from weighting import Scheme
from weighting.weights import BoDWeights

CAT = load_catalogue()


@pytest.fixture(scope="module")
def frames():
    ex = sp.example_data()
    table = ex.mfis.loc[ex.mfis["year"].isin([2010, 2011])]
    names = CAT.available(table, "MFI")
    X = CAT.extract(table.set_axis(mfi._unit_index(table)), names)
    names = [n for n in names if X[n].notna().any()]
    X = X[names].assign(year=table["year"].to_numpy())
    ref = mfi.load_reference()
    R = CAT.extract(ref, names).assign(year=ref["year"].to_numpy())
    return table, names, X, R


def test_one_list_of_names():
    assert schemes.SCHEMES == ("rating", "equal", "expert", "ahp", "pca", "bod", "dea")
    assert mfi.SCHEMES is schemes.SCHEMES and sp.SCHEMES is schemes.SCHEMES
    assert set(schemes.FACTORIES) == set(schemes.COMPOSITE_SCHEMES) == set(schemes.SCHEMES[:-1])
    assert mfi.DEFAULT_RTS == schemes.DEFAULT_RTS == "vrs"


@pytest.mark.parametrize("name", schemes.COMPOSITE_SCHEMES)
def test_factory_scheme_equals_score_mfis(frames, name):
    """score_mfis (by="year", the MFIScores view) = the factory's Scheme run year by year."""
    table, names, X, R = frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = sp.score_mfis(table, scheme=name)
        scheme = schemes.build_scheme(name, CAT, names)
        parts = [
            scheme.score(X.loc[X["year"] == y], R.loc[R["year"] == y]).scores for y in (2010, 2011)
        ]
    new = pd.concat(parts).reindex(old.scores.index)
    assert isinstance(scheme, Scheme) and scheme.name == name
    assert old.scores.notna().sum() > 100
    np.testing.assert_array_equal(new.isna(), old.scores.isna())
    np.testing.assert_allclose(new, old.scores, rtol=0, atol=1e-12)
    assert set(old.excluded.index) == set(old.scores.index[old.scores.isna()])


def test_rating_hand_checked():
    """Two metric indicators in two dimensions, quartile classes on 8 reference values."""
    cat = CAT
    dims = cat.dimensions(["female_share", "par30"])
    assert dims["female_share"] != dims["par30"]  # one indicator per dimension: w = 1/2
    ref = pd.DataFrame(
        {
            "female_share": np.arange(1, 9) / 10.0,  # quartile cuts 0.275, 0.45, 0.625
            "par30": np.arange(1, 9) / 100.0,  # lower is better; cuts 0.0275, 0.045, 0.0625
            "year": 2011,
        }
    )
    data = pd.DataFrame(
        {
            "female_share": [0.9, 0.3, 0.45, np.nan],
            "par30": [0.01, 0.05, np.nan, 0.07],
            "year": 2011,
        },
        index=["a", "b", "c", "d"],
    )
    s = schemes.rating_scheme(cat, ["female_share", "par30"], n_classes=4, min_coverage=0.5)
    res = s.score(data, ref, by="year")
    # a: class 4 (1.0) and class 4 (1.0); b: class 2 (1/3) and class 2 (1/3);
    # c: 0.45 equals a cut -> lower class 2 (1/3), par30 missing -> 1/3 alone;
    # d: par30 0.07 > 0.0625 -> worst class (0.0)
    np.testing.assert_allclose(res.scores.to_numpy(), [1.0, 1 / 3, 1 / 3, 0.0], atol=1e-15)
    with pytest.warns(UserWarning):
        strict = s.replace(
            missing={"method": "reweight", "min_coverage": 0.6, "coverage": "weight"}
        ).score(data, ref, by="year")
    assert list(strict.excluded.index) == ["c", "d"]  # half the weight < 60%


def test_rating_moments_and_points_options(frames):
    table, names, X, R = frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = sp.score_mfis(
            table, scheme="rating", rating_method="moments", n_classes=3, points=[0, 0.4, 1]
        )
        new = schemes.rating_scheme(
            CAT, names, rating_method="moments", n_classes=3, points=[0, 0.4, 1]
        ).score(X, R, by="year")
    np.testing.assert_allclose(new.scores, old.scores, rtol=0, atol=1e-12)
    assert set(np.unique(new.normalised.to_numpy()[np.isfinite(new.normalised.to_numpy())])) <= {
        0.0,
        0.4,
        1.0,
    }


def test_factory_errors():
    names = ["female_share", "par30"]
    with pytest.raises(InputDataError, match="n_classes"):
        schemes.rating_scheme(CAT, names, n_classes=1)
    with pytest.raises(InputDataError, match="rating method"):
        schemes.rating_scheme(CAT, names, rating_method="median")
    with pytest.raises(InputDataError, match="points must have 5"):
        schemes.rating_scheme(CAT, names, points=[0, 1])
    with pytest.raises(InputDataError, match="not scored"):
        schemes.expert_scheme(CAT, names, weights={"female_share": 1, "nope": 2})
    with pytest.raises(InputDataError, match="zero"):
        schemes.expert_scheme(CAT, names, weights={"female_share": 0})
    with pytest.raises(InputDataError, match="dea_model"):
        schemes.build_scheme("dea", CAT, names)
    with pytest.raises(InputDataError, match="one of"):
        schemes.build_scheme("median", CAT, names)
    with pytest.raises(InputDataError, match=r"options .weights. do not apply to scheme .equal."):
        schemes.build_scheme("equal", CAT, names, weights={"par30": 1})


def test_bod_comparison_scored_vs_reference():
    """BoD fitted on the scored units alone vs on reference + scored units (hand-checked)."""
    ref = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.0]}, index=["r1", "r2"])
    data = pd.DataFrame({"a": [0.5, 0.25], "b": [0.5, 0.25]}, index=["u", "v"])
    inds = [{"name": "a"}, {"name": "b"}]
    base = Scheme(inds, normalisation="none", weights=BoDWeights())
    # against r1, r2 (frontier a + b = 1): u scores 0.5 + 0.5 = 1, v = 0.5
    np.testing.assert_allclose(base.score(data, ref).scores[["u", "v"]], [1.0, 0.5], atol=1e-9)
    alone = Scheme(inds, normalisation="none", weights=BoDWeights(comparison="scored"))
    # against u and v only: u is best (1), v is half of u
    np.testing.assert_allclose(alone.score(data, ref).scores, [1.0, 0.5], atol=1e-9)
    with pytest.warns(UserWarning):
        one = alone.replace(missing="drop").score(data.assign(b=[0.5, np.nan]), ref)
    assert one.scores.isna().all()
    assert "fewer than 2 units" in one.excluded["u"]
    with pytest.raises(InputDataError, match="comparison"):
        BoDWeights(comparison="all")
