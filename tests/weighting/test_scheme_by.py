"""Scheme.score(..., by=...): calibration groups, each fitted on its own reference rows."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dea.exceptions import InputDataError
from weighting import CoverageWarning, Scheme

# two fiscal years, three units each; by hand with min-max per year:
#   year 1: a 0, 5, 10 -> 0, .5, 1;  c (lower) 4, 2, 0 -> 0, .5, 1
#   year 2: a 1, 2, 5  -> 0, .25, 1; c (lower) 1, 3, 2 -> 1, 0, .5
DATA = pd.DataFrame(
    {
        "a": [0.0, 5, 10, 1, 2, 5],
        "c": [4.0, 2, 0, 1, 3, 2],
        "year": [1, 1, 1, 2, 2, 2],
    },
    index=["p1", "q1", "r1", "p2", "q2", "r2"],
)
INDS = [{"name": "a"}, {"name": "c", "direction": "lower"}]


def test_per_group_minmax_by_hand():
    r = Scheme(INDS, weights={"a": 3, "c": 1}).score(DATA, by="year")
    # (3 a + c) / 4 on the per-year min-max values
    expected = {"p1": 0.0, "q1": 0.5, "r1": 1.0, "p2": 0.25, "q2": 0.1875, "r2": 0.875}
    assert r.scores.to_dict() == pytest.approx(expected)
    assert r.normalised.loc["q2"].tolist() == pytest.approx([0.25, 0.0])
    assert r.ranks.to_dict() == {"p1": 6, "q1": 3, "r1": 1, "p2": 4, "q2": 5, "r2": 2}
    assert r.groups.to_dict() == DATA["year"].to_dict()
    assert list(r.by_group) == [1, 2]
    assert r.by_group[2].ranks.to_dict() == {"p2": 2, "q2": 3, "r2": 1}
    assert r.weights.loc[2].tolist() == [0.75, 0.25]
    # pooled calibration is different: a in [0, 10] for every unit
    pooled = Scheme(INDS, weights={"a": 3, "c": 1}).score(DATA)
    assert pooled.scores["r2"] == pytest.approx((3 * 0.5 + 0.5) / 4)


def test_series_and_column_agree_and_data_not_mutated():
    before = DATA.copy()
    s = Scheme(INDS)
    a = s.score(DATA, by="year")
    b = s.score(DATA.drop(columns="year"), by=DATA["year"])
    pd.testing.assert_series_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(DATA, before)


def test_reference_rows_of_the_group_only():
    ref = pd.DataFrame(
        {"a": [0.0, 10, 0, 100], "c": [0.0, 10, 0, 10], "year": [1, 1, 2, 2]},
        index=["u1", "v1", "u2", "v2"],
    )
    new = pd.DataFrame({"a": [5.0, 5], "c": [5.0, 5], "year": [1, 2]}, index=["n1", "n2"])
    r = Scheme(INDS).score(new, ref, by="year")
    # year 1: a 5 in [0, 10] -> .5, c 5 in [0, 10] lower -> .5;  year 2: a -> .05, c -> .5
    assert r.scores.to_dict() == pytest.approx({"n1": 0.5, "n2": 0.275})


def _random_panel(seed: int, n_groups: int, per: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_groups * per
    X = pd.DataFrame(rng.gamma(2.0, 1.0, size=(n, 4)) + np.arange(4), columns=["a", "b", "c", "d"])
    X["g"] = np.repeat([f"G{k}" for k in range(n_groups)], per)
    X.index = [f"u{i}" for i in range(n)]
    return X


@pytest.mark.parametrize(
    "spec",
    [
        {"normalisation": "minmax"},
        {"normalisation": "zscore", "weights": "pca"},
        {"normalisation": "target", "weights": "entropy", "aggregation": "geometric"},
        {
            "normalisation": "percentile",
            "missing": {"method": "median", "min_coverage": 0.5},
            "outliers": {"method": "percentile", "lower": 0.1, "upper": 0.9},
        },
        {
            "normalisation": "rank",
            "weights": {"a": 1, "b": 2, "c": 3, "d": 4},
            "aggregation": "borda",
        },
    ],
)
def test_equals_running_each_group_separately(spec):
    X = _random_panel(3, 3, 12)
    X.iloc[[1, 14, 30], [0, 2, 1]] = np.nan
    inds = [{"name": "a"}, {"name": "b", "direction": "lower"}, {"name": "c"}, {"name": "d"}]
    scheme = Scheme(inds, **spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = scheme.score(X, by="g")
        for g, rows in X.groupby("g"):
            alone = scheme.score(rows)
            pd.testing.assert_series_equal(r.scores.loc[rows.index], alone.scores)
            pd.testing.assert_frame_equal(r.normalised.loc[rows.index], alone.normalised)
            pd.testing.assert_series_equal(
                r.weights.loc[g].rename("weight"), alone.weights, check_names=False
            )


def test_data_driven_weights_differ_per_group():
    X = _random_panel(5, 2, 30)
    g1 = X["g"] == "G1"
    X.loc[g1, "d"] = X.loc[g1, "a"] * 2 + np.linspace(0, 0.3, 30)  # in G1, d follows a
    r = Scheme([{"name": c} for c in "abcd"], weights="pca").score(X, by="g")
    assert r.weights.shape == (2, 4)
    assert not np.allclose(r.weights.loc["G0"], r.weights.loc["G1"])
    assert set(r.weighter) == {"G0", "G1"}
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0)


def test_hierarchy_and_bod_per_group():
    X = _random_panel(7, 2, 10)
    inds = [
        {"name": "a", "group": "x"},
        {"name": "b", "group": "x"},
        {"name": "c", "group": "y"},
        {"name": "d", "group": "y"},
    ]
    r = Scheme(inds).score(X, by="g")
    assert r.dimension_scores.shape == (20, 2) and r.dimension_weights.shape == (2, 2)
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.scores)
    bod = Scheme([{"name": c} for c in "abcd"], weights="bod").score(X, by="g")
    for _g, rows in X.groupby("g"):
        alone = Scheme([{"name": c} for c in "abcd"], weights="bod").score(rows)
        np.testing.assert_allclose(bod.scores.loc[rows.index], alone.scores, atol=1e-9)
    assert bod.scores.loc[X["g"] == "G0"].max() == pytest.approx(1.0)


def test_exclusions_gathered():
    X = DATA.copy()
    X.loc["q2", ["a", "c"]] = np.nan
    with pytest.warns(CoverageWarning):
        r = Scheme(INDS).score(X, by="year")
    assert list(r.excluded.index) == ["q2"] and np.isnan(r.scores["q2"])
    assert r.ranks.notna().sum() == 5


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_group_relabelling_and_row_order_do_not_matter(seed, k):
    X = _random_panel(seed, k, 6)
    s = Scheme([{"name": c} for c in "abcd"], normalisation="minmax")
    a = s.score(X, by="g").scores
    shuffled = X.sample(frac=1.0, random_state=seed)
    relabel = shuffled["g"].map(lambda v: "other-" + v[::-1])
    b = s.score(shuffled.drop(columns="g"), by=relabel).scores
    pd.testing.assert_series_equal(a, b.reindex(a.index))


def test_errors_name_the_setting_and_units():
    s = Scheme(INDS)
    with pytest.raises(InputDataError, match="'fy' is not in the data"):
        s.score(DATA, by="fy")
    with pytest.raises(InputDataError, match="not in the reference"):
        s.score(DATA, DATA.drop(columns="year"), by="year")
    with pytest.raises(InputDataError, match="no calibration group for units 'r2'"):
        s.score(DATA, by=DATA["year"].drop("r2"))
    bad = DATA.assign(year=[1, 1, None, 2, 2, 2])
    with pytest.raises(InputDataError, match="'r1' of the data have no calibration group"):
        s.score(bad, by="year")
    with pytest.raises(InputDataError, match="groups 2 of the data have no rows in the"):
        s.score(DATA, DATA.loc[DATA["year"] == 1], by="year")
    with pytest.raises(InputDataError, match="column name or a Series"):
        s.score(DATA, by=[1, 2])


@pytest.mark.parametrize("aggregation", ["arithmetic", "borda"])
def test_uncertainty_analysis_over_a_scheme_scored_by_group(aggregation):
    """The vectorised re-weighting path gives the exact path's scores under ``by``."""
    from weighting import Factor, UncertaintyAnalysis

    X = _random_panel(11, 3, 15)
    X.iloc[[2, 20], [1, 3]] = np.nan
    s = Scheme([{"name": c} for c in "abcd"], weights="pca", aggregation=aggregation)
    factors = [
        Factor.weights_dirichlet(concentration=30),
        Factor.choice("normalisation", ["minmax", "zscore"], role="normalisation"),
    ]
    runs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for vec in (True, False):
            ua = UncertaintyAnalysis(s, X, factors, model_kwargs={"by": "g"}, vectorise=vec)
            runs[vec] = ua.run(12, random_state=4)
        base = s.score(X, by="g")
    np.testing.assert_allclose(runs[True].scores, runs[False].scores, rtol=1e-12, atol=1e-12)
    pd.testing.assert_series_equal(runs[True].reference_scores, base.scores, check_names=False)
    # the Dirichlet centre: the groups' PCA weights averaged by the units each scores
    n = base.scores.groupby(base.groups).count()
    centre = (base.weights.mul(n, axis=0).sum() / n.sum()).to_numpy()
    np.testing.assert_allclose(ua._model.base_weights().to_numpy(), centre / centre.sum())


def test_group_median_imputation_inside_calibration_groups():
    # year 2: a min-max -> p2 0, q2 .25, r2 1, s2 .5; c missing at s2 is imputed with the
    # median of its peer group "x" *within year 2*: c (lower) of p2, q2 -> 1, 0: median .5
    X = pd.concat([DATA, pd.DataFrame({"a": [3.0], "c": [np.nan], "year": [2]}, index=["s2"])])
    peers = pd.Series({"p1": "x", "q1": "x", "r1": "y", "p2": "x", "q2": "x", "r2": "y", "s2": "x"})
    s = Scheme(INDS, missing={"method": "group_median", "min_coverage": 0.5})
    r = s.score(X, by="year", groups=peers)
    assert r.normalised.loc["s2"].tolist() == pytest.approx([0.5, 0.5])
    assert r.scores["s2"] == pytest.approx(0.5)
    assert list(r.imputed["unit"]) == ["s2"]


def test_multiindex_units_keep_their_levels():
    """Units labelled by (id, year) pairs: groups by a level's values, labels kept."""
    data = DATA.set_index([["p", "q", "r"] * 2, DATA["year"]]).rename_axis(["unit", "fy"])
    r = Scheme(INDS, weights={"a": 3, "c": 1}).score(data, by="year")
    assert r.scores[("q", 2)] == pytest.approx(0.1875)
    assert r.reference_normalised.index.names == ["group", "unit", "fy"]
    assert r.reference_normalised.loc[(2, "q", 2)].tolist() == pytest.approx([0.25, 0.0])
