"""Schemes: hand-checked scores, hierarchy, reference universe, data form, bad input."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dea.exceptions import InputDataError
from weighting import (
    ConstantIndicatorError,
    CoverageWarning,
    ExpertWeights,
    MinMax,
    PCAWeights,
    ScaleLevelError,
    ScaleLevelWarning,
    Scheme,
)

TAI = Path(__file__).resolve().parents[1] / "results" / "tai_oecd2008.csv"

# 4 units, 4 indicators in two dimensions (hand-checkable with min-max):
#        a    b    c (lower)  d
#   w    0   10    5          1
#   x    5   20    3          1
#   y   10   30    1          3
#   z   10    0    1          2
DATA = pd.DataFrame(
    {"a": [0.0, 5, 10, 10], "b": [10.0, 20, 30, 0], "c": [5.0, 3, 1, 1], "d": [1.0, 1, 3, 2]},
    index=["w", "x", "y", "z"],
)
INDS = [
    {"name": "a", "group": "reach"},
    {"name": "b", "group": "reach"},
    {"name": "c", "group": "quality", "direction": "lower"},
    {"name": "d", "group": "quality"},
]
# min-max: a -> 0, .5, 1, 1; b -> 1/3, 2/3, 1, 0; c (lower) -> 0, .5, 1, 1; d -> 0, 0, 1, .5
NORM = pd.DataFrame(
    {"a": [0, 0.5, 1, 1], "b": [1 / 3, 2 / 3, 1, 0], "c": [0, 0.5, 1, 1], "d": [0, 0, 1, 0.5]},
    index=DATA.index,
)


def test_flat_weighted_mean_by_hand():
    s = Scheme([{"name": "a"}, {"name": "c", "direction": "lower"}], weights={"a": 3, "c": 1})
    r = s.score(DATA)
    # (3 a + c) / 4 on min-max values: w 0, x .5, y 1, z 1
    assert r.scores.tolist() == pytest.approx([0.0, 0.5, 1.0, 1.0])
    assert r.ranks.tolist() == [4, 3, 1, 1]
    assert r.weights.tolist() == [0.75, 0.25]
    assert r.dimension_scores.shape == (4, 0)


def test_hierarchy_default_equal_per_dimension():
    r = Scheme(INDS).score(DATA)
    pd.testing.assert_frame_equal(r.normalised, NORM, check_dtype=False)
    # reach = (a + b)/2, quality = (c + d)/2, index = (reach + quality)/2
    reach = (NORM.a + NORM.b) / 2
    quality = (NORM.c + NORM.d) / 2
    assert r.dimension_scores["reach"].tolist() == pytest.approx(reach.tolist())
    assert r.dimension_scores["quality"].tolist() == pytest.approx(quality.tolist())
    assert r.scores.tolist() == pytest.approx(((reach + quality) / 2).tolist())
    assert r.effective_weights.loc["w"].tolist() == [0.25] * 4
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.scores)
    assert r.linear
    assert r.dimension_weights.tolist() == [0.5, 0.5]


def test_hierarchy_with_dimension_weights_and_geometric_top():
    s = Scheme(INDS, weights={"a": 1, "b": 3, "c": 1, "d": 1},
               dimension_weights={"reach": 1, "quality": 3})
    r = s.score(DATA)
    reach = (NORM.a + 3 * NORM.b) / 4
    quality = (NORM.c + NORM.d) / 2
    assert r.scores.tolist() == pytest.approx((0.25 * reach + 0.75 * quality).tolist())
    # effective weight of b: 0.25 * 3/4
    assert r.effective_weights.loc["x", "b"] == pytest.approx(0.1875)
    np.testing.assert_allclose(r.effective_weights.sum(axis=1), 1.0)
    # geometric at the top needs positive ratio-scale dimension scores: min-max is interval
    with pytest.raises(ScaleLevelError, match=r"'reach' \(interval\), 'quality' \(interval\)"):
        s.replace(dimension_aggregation="geometric").score(DATA)


def test_missing_values_reweighted_and_excluded():
    data = DATA.copy()
    data.loc["x", "a"] = np.nan
    data.loc["z", ["a", "b", "c"]] = np.nan
    s = Scheme(INDS, missing={"method": "reweight", "min_coverage": 0.5})
    with pytest.warns(CoverageWarning, match="'z'"):
        r = s.score(data)
    assert np.isnan(r.scores["z"]) and np.isnan(r.ranks["z"])
    assert "coverage 1/4 indicators (25%)" in r.excluded["z"]
    # x: reach has only b, so reach = b; quality as before
    nb = (20 - 10) / (30 - 10)  # b's reference range is now 10..30 (z is missing)
    exp_x = 0.5 * nb + 0.5 * (0.5 + 0.0) / 2
    assert r.scores["x"] == pytest.approx(exp_x)
    assert r.effective_weights.loc["x"].tolist() == [0.0, 0.5, 0.25, 0.25]
    np.testing.assert_allclose(r.contributions.loc["x"].sum(), r.scores["x"])
    with pytest.warns(CoverageWarning):
        imp = Scheme(INDS, missing={"method": "median", "min_coverage": 0.5}).score(data)
    assert len(imp.imputed) == 1 and imp.imputed.iloc[0]["unit"] == "x"


def test_reference_universe_calibrates_new_units():
    ref = DATA
    new = pd.DataFrame({"a": [20.0], "b": [15.0], "c": [2.0], "d": [2.0]}, index=["new"])
    s = Scheme(INDS)
    r = s.score(new, reference=ref)
    # a: (20-0)/10 = 2 (outside the reference range), b: 15/30, c: (5-2)/4, d: (2-1)/2
    assert r.normalised.loc["new"].tolist() == pytest.approx([2.0, 0.5, 0.75, 0.5])
    assert r.scores["new"] == pytest.approx(((2.0 + 0.5) / 2 + (0.75 + 0.5) / 2) / 2)
    # scoring the reference units against themselves = scoring them alone
    both = s.score(pd.concat([ref, new]), reference=ref)
    alone = s.score(ref)
    np.testing.assert_allclose(both.scores[ref.index], alone.scores)
    clipped = s.replace(normalisation={"method": "minmax", "clip": True}).score(new, ref)
    assert clipped.normalised.loc["new", "a"] == 1.0


def test_measurement_theory_in_schemes():
    data = DATA.assign(gov=["Yes", "No", "Partially", "Yes"], level=[1, 2, 3, 2])
    inds = [
        {"name": "a"},
        {"name": "gov", "scale": "ordinal",
         "points": {"Yes": 1, "Partially": 0.5, "No": 0}},
        {"name": "level", "scale": "ordinal"},
    ]
    # ordinal codes under the default min-max: refused, naming the indicator
    with pytest.raises(ScaleLevelError, match="'level', which is on the ordinal scale"):
        Scheme(inds).score(data)
    # rank-based normalisation of the ordinal codes is fine; the point map is automatic
    r = Scheme(inds, normalisation={"default": "minmax", "level": "percentile"}).score(data)
    assert r.normalised["gov"].tolist() == [1.0, 0.0, 0.5, 1.0]
    assert r.normalised["level"].tolist() == pytest.approx([0.125, 0.5, 0.875, 0.5])
    # Identity keeps the ordinal scale, and an arithmetic mean of codes is refused
    with pytest.raises(ScaleLevelError, match=r"arithmetic mean.*'level'"):
        Scheme(inds, normalisation={"default": "minmax", "level": "none"}).score(data)
    # ... unless explicitly allowed
    with pytest.warns(ScaleLevelWarning, match="'level'"):
        Scheme(inds, normalisation={"default": "minmax", "level": "none"},
               allow_scale_violations=True).score(data)
    # ordered string categories are ranked by their position (worst to best)
    cats = [{"name": "a"},
            {"name": "tier", "scale": "ordinal", "categories": ["C", "B", "A"]}]
    tiered = data.assign(tier=["A", "C", "B", "B"])
    r = Scheme(cats, normalisation={"default": "minmax", "tier": "percentile"}).score(tiered)
    assert r.normalised["tier"].tolist() == pytest.approx([0.875, 0.125, 0.5, 0.5])
    with pytest.raises(InputDataError, match="'D' that are not among its categories"):
        Scheme(cats, normalisation={"default": "minmax", "tier": "percentile"}).score(
            tiered.assign(tier=["A", "D", "B", "B"])
        )
    # Borda on ordinal codes is meaningful
    Scheme(inds, normalisation={"default": "minmax", "level": "none"},
           aggregation="borda").score(data)


def test_geometric_needs_ratio_scale_and_no_zeros():
    ratio = [{"name": "a"}, {"name": "b"}]
    with pytest.raises(ScaleLevelError, match="ratio"):
        Scheme(ratio, aggregation="geometric").score(DATA)
    # ratio-preserving normalisation: distance to target; zeros still refused
    s = Scheme(ratio, aggregation="geometric", normalisation="target")
    with pytest.raises(ScaleLevelError, match=r"zeros \(units 'w'\)"):
        s.score(DATA)
    r = s.score(DATA.loc[["x", "y"]])
    # a/10, b/30: x -> sqrt(.5 * 2/3)
    assert r.scores["x"] == pytest.approx(np.sqrt(0.5 * 2 / 3))


def test_mpi_scheme_uses_its_standardisation():
    s = Scheme([{"name": "a"}, {"name": "b"}], aggregation="mpi")
    r = s.score(DATA)
    z = 100 + 10 * (DATA[["a", "b"]] - DATA[["a", "b"]].mean()) / DATA[["a", "b"]].std(ddof=0)
    m = z.mean(axis=1)
    sd = z.std(axis=1, ddof=0)
    assert r.scores.tolist() == pytest.approx((m - sd * sd / m).tolist())
    assert (r.scores <= m + 1e-12).all()


def test_bad_input_messages():
    with pytest.raises(InputDataError, match="indicators 'd' are not columns of data"):
        Scheme(INDS).score(DATA.drop(columns="d"))
    with pytest.raises(InputDataError, match="unknown indicators 'e'"):
        Scheme(INDS, weights={"a": 1, "b": 1, "c": 1, "d": 1, "e": 1})
    with pytest.raises(InputDataError, match="give no weight to 'd'"):
        Scheme(INDS, weights={"a": 1, "b": 1, "c": 1})
    with pytest.raises(InputDataError, match="'b' are negative"):
        Scheme(INDS, weights={"a": 1, "b": -1, "c": 1, "d": 1})
    with pytest.raises(ConstantIndicatorError, match="'k' is constant"):
        Scheme([{"name": "a"}, {"name": "k"}], normalisation="zscore").score(
            DATA.assign(k=1.0)
        )
    with pytest.raises(InputDataError, match="unknown dimensions 'people'"):
        Scheme(INDS, dimension_weights={"reach": 1, "quality": 1, "people": 1})
    with pytest.raises(InputDataError, match="normalisation names unknown indicators 'q'"):
        Scheme(INDS, normalisation={"q": "rank"})
    with pytest.raises(InputDataError, match="unknown weighting method 'magic'"):
        Scheme(INDS, weights="magic")
    with pytest.raises(InputDataError, match="duplicated unit labels"):
        Scheme(INDS).score(pd.concat([DATA, DATA.iloc[:1]]))


def test_data_form_round_trip(tmp_path):
    s = Scheme(INDS, name="demo", weights={"a": 1, "b": 2, "c": 1, "d": 1},
               normalisation={"default": {"method": "minmax", "low": 1, "high": 100},
                              "d": "percentile"},
               aggregation="arithmetic", outliers={"method": "iterative", "winmax": 3},
               missing={"method": "median", "min_coverage": 0.75})
    d = s.to_dict()
    assert d["weights"] == {"a": 1.0, "b": 2.0, "c": 1.0, "d": 1.0}
    assert d["normalisation"] == {"default": {"method": "minmax", "low": 1, "high": 100},
                                  "d": "percentile"}
    assert Scheme.from_dict(d) == s
    text = """
name = "demo"
aggregation = "arithmetic"
normalisation = {default = {method = "minmax", low = 1, high = 100}, d = "percentile"}
outliers = {method = "iterative", winmax = 3}
missing = {method = "median", min_coverage = 0.75}

[weights]
a = 1
b = 2
c = 1
d = 1

[[indicators]]
name = "a"
group = "reach"
[[indicators]]
name = "b"
group = "reach"
[[indicators]]
name = "c"
group = "quality"
direction = "lower"
[[indicators]]
name = "d"
group = "quality"
"""
    path = tmp_path / "scheme.toml"
    path.write_text(text)
    t = Scheme.from_toml(path)
    assert t == s
    np.testing.assert_allclose(t.score(DATA).scores, s.score(DATA).scores)
    bad = tmp_path / "bad.toml"
    bad.write_text("name = ")
    with pytest.raises(InputDataError, match="not valid TOML"):
        Scheme.from_toml(bad)
    with pytest.raises(InputDataError, match="unknown keys 'weigths'"):
        Scheme.from_dict({"indicators": INDS, "weigths": "pca"})


def test_repr_replace_with_weights():
    s = Scheme(INDS, name="base")
    text = repr(s)
    assert "Scheme 'base'" in text and "2 dimensions" in text and "reach: a, b" in text
    s2 = s.with_weights({"a": 2, "b": 1, "c": 1, "d": 1}, name="alt")
    assert s2.name == "alt" and isinstance(s2.weights, ExpertWeights)
    assert s.name == "base" and s != s2  # the original is unchanged
    s3 = s.replace(aggregation="borda", dimension_aggregation="arithmetic")
    assert "borda (indicators -> dimensions), arithmetic" in repr(s3)
    small = s2.replace(indicators=[INDS[0], INDS[2]])
    assert small.weights.weights == {"a": 2, "c": 1}
    assert small.score(DATA).scores.notna().all()
    with pytest.raises(InputDataError, match="adds indicators 'e' that have no weight"):
        s2.replace(indicators=[*INDS, {"name": "e", "group": "reach"}])
    with pytest.raises(InputDataError, match="unknown settings 'colour'"):
        s.replace(colour="red")
    result = s.score(DATA)
    assert "4 of 4 units scored" in repr(result)
    assert result.summary().index[0] == "y"


def test_weighter_instance_fitted_on_reference():
    tai = pd.read_csv(TAI, index_col="country")
    inds = [{"name": c} for c in tai.columns]
    s = Scheme(inds, weights=PCAWeights())
    r = s.score(tai)
    fitted = PCAWeights().fit(r.normalised)
    pd.testing.assert_series_equal(r.weights, fitted.weights_.rename("weight"),
                                   check_names=False)
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.scores)
    # a weighter fitted on a reference universe: scoring a subset gives the same scores
    sub = s.score(tai.iloc[:5], reference=tai)
    np.testing.assert_allclose(sub.scores, r.scores.iloc[:5])


def test_unit_specific_weights_bod():
    tai = pd.read_csv(TAI, index_col="country").iloc[:8, :4]
    s = Scheme([{"name": c} for c in tai.columns], weights="bod")
    r = s.score(tai)
    assert (r.scores <= 1 + 1e-9).all() and r.scores.max() == pytest.approx(1.0)
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.scores)
    np.testing.assert_allclose(r.scores, r.weighter.scores_.reindex(tai.index), atol=1e-8)
    with pytest.raises(InputDataError, match="aggregation='arithmetic'"):
        s.replace(aggregation="borda").score(tai)


def test_borda_scheme_invariant_to_monotone_transform_of_raw_indicator():
    tai = pd.read_csv(TAI, index_col="country")
    inds = [{"name": c} for c in tai.columns]
    s = Scheme(inds, aggregation="copeland", normalisation="rank")
    base = s.score(tai).scores
    logged = s.score(tai.assign(patents=np.log(tai["patents"]))).scores
    pd.testing.assert_series_equal(base, logged)
    b = Scheme(inds, aggregation="borda", normalisation="none")
    pd.testing.assert_series_equal(
        b.score(tai).scores, b.score(tai.assign(royalties=tai["royalties"] ** 3)).scores
    )


@settings(max_examples=25, deadline=None)
@given(arrays(float, (6, 3), elements=st.floats(0, 100, allow_nan=False)),
       arrays(float, 3, elements=st.floats(0.1, 10)))
def test_linear_contributions_sum_to_scores(X, w):
    data = pd.DataFrame(X, columns=["p", "q", "r"], index=list("ABCDEF"))
    if (data.max() - data.min() < 1e-6).any():
        return
    s = Scheme([{"name": "p", "group": "G1"}, {"name": "q", "group": "G1"},
                {"name": "r", "group": "G2", "direction": "lower"}],
               weights=dict(zip("pqr", w, strict=True)))
    r = s.score(data)
    np.testing.assert_allclose(r.contributions.sum(axis=1), r.scores, atol=1e-12)
    assert ((r.scores >= -1e-12) & (r.scores <= 1 + 1e-12)).all()
    # default dimension weights = sum of indicator weights: equals the flat weighted mean
    flat = Scheme([{"name": "p"}, {"name": "q"}, {"name": "r", "direction": "lower"}],
                  weights=dict(zip("pqr", w, strict=True))).score(data)
    np.testing.assert_allclose(flat.scores, r.scores, atol=1e-12)


def test_normaliser_instance_and_per_indicator_spec():
    s = Scheme(INDS, normalisation={"default": MinMax(low=0, high=100), "d": "rank"})
    r = s.score(DATA)
    assert r.normalised["a"].tolist() == [0, 50, 100, 100]
    assert r.normalised["d"].tolist() == [1.5, 1.5, 4, 3]


def test_to_toml_escapes_control_characters(tmp_path):
    # TOML basic strings may not hold raw control characters (other than tab); a carriage
    # return or a \x01 in a name or description must be written as an escape, so that the
    # file reads back to the same scheme.
    inds = [{"name": "a", "description": "line1\r\nline2\x01\x7f"}, {"name": "b"}]
    s = Scheme(inds, name="x\ry\x1fz\tq", weights={"a": 1, "b": 2})
    text = s.to_toml(tmp_path / "c.toml")
    assert "\r" not in text and "\x01" not in text and "\x7f" not in text
    back = Scheme.from_toml(tmp_path / "c.toml")
    assert back == s
    assert back.name == "x\ry\x1fz\tq"
    assert back.indicators["a"].description == "line1\r\nline2\x01\x7f"


def test_to_toml_round_trip(tmp_path):
    inds = [*INDS[:2], {"name": "g", "scale": "ordinal", "group": "quality",
                        "points": {"Yes": 1, "No": 0}, "description": 'the "G" flag'}]
    s = Scheme(inds, name="t", weights={"a": 1, "b": 2, "g": 1},
               dimension_weights={"reach": 2, "quality": 1},
               normalisation={"default": {"method": "minmax", "low": 0, "high": 100},
                              "b": "percentile"},
               outliers={"method": "percentile", "lower": 0.1, "upper": 0.9})
    text = s.to_toml(tmp_path / "t.toml")
    assert "[dimension_weights]" in text and "[[indicators]]" in text
    assert Scheme.from_toml(tmp_path / "t.toml") == s
    # estimator specs use the key "weighter" (PCA has its own parameter "method")
    p = Scheme(INDS, weights={"weighter": "pca", "method": "first_component"})
    assert p.to_dict()["weights"] == {"weighter": "pca", "method": "first_component"}
    assert Scheme.from_dict(p.to_dict()) == p
    assert type(Scheme(INDS, weights={"method": "entropy"}).weights).__name__ == (
        "EntropyWeights"
    )


def test_user_data_never_mutated():
    data = DATA.copy()
    data.loc["x", "a"] = np.nan
    data.loc["y", "b"] = 300.0
    before = data.copy()
    ref = data.copy()
    s = Scheme(INDS, outliers={"method": "percentile", "lower": 0.25, "upper": 0.75},
               missing={"method": "median", "min_coverage": 0.5})
    r = s.score(data, reference=ref)
    pd.testing.assert_frame_equal(data, before)
    pd.testing.assert_frame_equal(ref, before)
    assert not r.outlier_changes.empty and len(r.imputed) == 1
    assert list(r.scores.index) == list(data.index)


def test_group_median_groups_series_in_any_order_and_complete():
    data = pd.DataFrame({"a": [0.0, 5, 10, 7, 3, 4], "b": [3.0, 2, 1, np.nan, 2.5, 1.5]},
                        index=[10, 2, 7, 1, 3, 4])
    s = Scheme([{"name": "a"}, {"name": "b", "direction": "lower"}], missing="group_median")
    g = pd.Series({4: "y", 3: "y", 1: "y", 7: "x", 2: "x", 10: "x"})  # shuffled order
    # min-max b (lower is better) = (3 - b) / 2: units 3, 4 of group y give 0.25, 0.75;
    # unit 1 gets their median 0.5, and a = 0.7, so (0.7 + 0.5) / 2
    r = s.score(data, groups=g)
    assert r.scores[1] == pytest.approx(0.6)
    # a unit without a group must be an error naming it, not silently left out of its group
    with pytest.raises(InputDataError, match="4"):
        s.score(data, groups=g.drop(4))
    with pytest.raises(InputDataError, match="groups must be a column name or a Series"):
        s.score(data, groups=g.to_dict())


def test_integer_coded_points_survive_toml_and_match_string_keys(tmp_path):
    # survey answers coded 1 = yes, 2 = no; TOML keys are always strings
    data = pd.DataFrame({"q": [1, 2, 1, np.nan], "a": [1.0, 2, 3, 4]}, index=["p", "q", "r", "s"])
    s = Scheme([{"name": "q", "scale": "ordinal", "points": {1: 1, 2: 0}}, {"name": "a"}])
    # q -> 1, 0, 1, (missing); a min-max -> 0, 1/3, 2/3, 1; unit s re-weighted over a
    expected = [0.5, 1 / 6, 5 / 6, 1.0]
    np.testing.assert_allclose(s.score(data).scores, expected)
    s.to_toml(tmp_path / "coded.toml")
    back = Scheme.from_toml(tmp_path / "coded.toml")
    np.testing.assert_allclose(back.score(data).scores, expected)
    # a hand-written TOML with only string keys scores integer (and float) coded data
    (tmp_path / "hand.toml").write_text(
        '[[indicators]]\nname = "q"\nscale = "ordinal"\npoints = {1 = 1, 2 = 0}\n'
        '[[indicators]]\nname = "a"\n', encoding="utf-8")
    hand = Scheme.from_toml(tmp_path / "hand.toml")
    np.testing.assert_allclose(hand.score(data).scores, expected)
    np.testing.assert_allclose(hand.score(data.astype({"q": "Int64"})).scores, expected)
    with pytest.raises(InputDataError, match="'3'"):
        hand.score(data.assign(q=[1, 2, 3, 1]))


@pytest.mark.parametrize("aggregation", ["arithmetic", "borda", "copeland"])
def test_unit_with_only_zero_weight_indicators_is_excluded_not_scored(aggregation):
    # unit r lacks 'a', the only indicator with weight: it has no information, so it gets
    # no score (NaN, listed in excluded with a warning), never a number such as Copeland's 0
    data = pd.DataFrame({"a": [0.0, 5, np.nan, 7], "b": [3.0, 2, 1, 4], "c": [1.0, 2, 3, 4]},
                        index=list("pqrs"))
    s = Scheme([{"name": "a"}, {"name": "b"}, {"name": "c"}],
               weights={"a": 1, "b": 0, "c": 0}, aggregation=aggregation)
    with pytest.warns(CoverageWarning, match="'r'"):
        r = s.score(data)
    assert np.isnan(r.scores["r"])
    assert "r" in r.excluded.index and "'a'" in r.excluded["r"]
    assert r.scores.drop("r").notna().all()
    if aggregation == "arithmetic":
        assert r.scores[["p", "q", "s"]].tolist() == pytest.approx([0.0, 5 / 7, 1.0])


def test_unit_in_zero_weight_dimension_only_is_excluded():
    data = pd.DataFrame({"a": [0.0, 5, np.nan, 7], "b": [3.0, 2, 1, 4]}, index=list("pqrs"))
    s = Scheme([{"name": "a", "group": "A"}, {"name": "b", "group": "B"}],
               dimension_weights={"A": 1, "B": 0})
    with pytest.warns(CoverageWarning, match="'r'"):
        r = s.score(data)
    assert np.isnan(r.scores["r"])
    assert r.scores[["p", "q", "s"]].tolist() == pytest.approx([0.0, 5 / 7, 1.0])
