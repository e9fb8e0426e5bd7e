"""MFI scores: the calibrated rating, the other schemes and the social-efficiency DEA."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import socialperf as sp
from dea.exceptions import InputDataError


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return sp.load_reference()


def test_rating_equals_reference_quintile_class(panel):
    res = sp.score_mfis(panel, scheme="rating", year=2011)
    y = panel.loc[panel["year"] == 2011].set_index("mfiid")
    fem = y["percent_of_female_borrowers"].dropna()
    # independent check: pandas' quantile classes of the same reference year (0..4)
    expected = pd.qcut(fem, 5, labels=False) / 4
    got = res.normalised["female_share"].loc[expected.index]
    pd.testing.assert_series_equal(got, expected.astype(float), check_names=False)
    # lower is better: classes on -x
    depth = (y["average_loan_balance_per_borrower"] / y["gdp_per_capita"]).dropna()
    expected = pd.qcut(-depth, 5, labels=False) / 4
    got = res.normalised["depth_of_outreach"].loc[expected.index]
    pd.testing.assert_series_equal(got, expected.astype(float), check_names=False)
    assert set(np.unique(res.normalised["female_share"].dropna())) == {0, 0.25, 0.5, 0.75, 1}


def test_rating_of_new_unit_uses_reference_year(panel):
    ref = panel.loc[panel["year"] == 2009, "percent_of_female_borrowers"].dropna()
    cut = np.quantile(ref, [0.2, 0.4, 0.6, 0.8])
    new = pd.DataFrame(
        {"mfiid": ["X", "Y"], "year": [2009, 2009],
         "percent_of_female_borrowers": [cut[3] + 1e-6, cut[0] - 1e-6]}
    )
    res = sp.score_mfis(new, scheme="rating", indicators=["female_share"])
    assert res.normalised["female_share"].tolist() == [1.0, 0.0]
    assert res.scores.tolist() == [1.0, 0.0]
    # a year outside the reference is an error that names it and the way out
    with pytest.raises(InputDataError, match=r"no rows for years 2030.*reference_year="):
        sp.score_mfis(new.assign(year=2030), scheme="rating", indicators=["female_share"])
    again = sp.score_mfis(new.assign(year=2030), scheme="rating", indicators=["female_share"],
                          reference_year=2009)
    assert again.scores.tolist() == [1.0, 0.0]


def test_rating_dimension_weights_and_details(panel):
    res = sp.score_mfis(panel, scheme="rating", year=2011)
    d = res.details.dropna(subset=["dim:social_goals", "dim:client_protection"])
    d = d.loc[res.scores.loc[d.index].notna() & (d["n_indicators"] == 5)]
    # equal dimension weights: overall = mean of the two dimension scores
    np.testing.assert_allclose(
        res.scores.loc[d.index], (d["dim:social_goals"] + d["dim:client_protection"]) / 2
    )
    contrib = d.filter(like="contrib:").sum(axis=1)
    np.testing.assert_allclose(contrib, res.scores.loc[d.index])
    assert res.excluded.str.contains("min_coverage").all()


def test_all_schemes_in_unit_interval(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = sp.score_mfis_all(panel, year=2011)
    assert list(table.columns) == list(sp.SCHEMES)
    vals = table.to_numpy()
    ok = np.isfinite(vals)
    assert (vals[ok] >= 0).all() and (vals[ok] <= 1 + 1e-9).all()
    assert table.notna().sum().min() > 150
    # composite schemes share normalisation, so their ranks agree closely
    rho = table[["equal", "pca"]].corr(method="spearman").iloc[0, 1]
    assert rho > 0.8


def test_expert_budget_and_ahp_weights(panel):
    ex = sp.example_data()
    res = sp.score_mfis(panel, scheme="expert", weights=ex.budget_allocations, year=2011)
    shares = ex.budget_allocations.div(ex.budget_allocations.sum(axis=1), axis=0).mean()
    pd.testing.assert_series_equal(res.weights, shares / shares.sum(), check_names=False)
    ahp = sp.score_mfis(panel, scheme="ahp", year=2011)
    assert ahp.weights.idxmax() in ("female_share", "depth_of_outreach")
    assert ahp.weights.sum() == pytest.approx(1.0)


def test_several_years_index_and_errors(panel):
    res = sp.score_mfis(panel, scheme="equal", year=[2010, 2011])
    assert res.scores.index.names == ["mfiid", "year"]
    assert set(res.scores.index.get_level_values("year")) == {2010, 2011}
    with pytest.raises(InputDataError, match="scheme must be one of"):
        sp.score_mfis(panel, scheme="magic")
    with pytest.raises(InputDataError, match=r"options 'n_classes' do not apply"):
        sp.score_mfis(panel, scheme="equal", year=2011, n_classes=4)


def test_dea_social_efficiency(panel):
    res = sp.score_mfis(panel, scheme="dea", year=[2006, 2011])
    s = res.scores.dropna()
    assert len(s) > 300
    assert (s > 0).all() and (s <= 1.0).all()
    per_year = s.groupby(level="year").max()
    assert (per_year == 1.0).all()  # at least one efficient MFI per year
    data = sp.social_efficiency_data(panel, year=2011)
    row = panel.loc[panel["year"] == 2011].iloc[0]
    b = row["number_of_active_borrowers"]
    assert data.iloc[0]["women_borrowers"] == pytest.approx(
        b * row["percent_of_female_borrowers"], nan_ok=True
    )
    assert res.excluded.str.contains("missing").any()


def test_weighting_scheme_instance_matches_builtin_equal(panel):
    from weighting.scheme import Scheme

    cat = sp.load_catalogue()
    ind = cat.indicator_set("MFI", names=cat.names("MFI", bundled_only=True))
    scheme = Scheme(ind, normalisation="percentile", weights="equal", name="pct_equal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sp.score_mfis(panel, scheme=scheme, year=2011)
    ours = sp.score_mfis(panel, scheme="equal", year=2011)
    assert theirs.scores.name == "pct_equal"
    complete = ours.normalised.dropna().index
    assert len(complete) > 100
    # same reference-year percentile ranks and flat equal weights: identical on complete units
    np.testing.assert_allclose(theirs.scores.loc[complete], ours.scores.loc[complete],
                               atol=1e-12)


def test_moment_classes(panel):
    ref = panel.loc[panel["year"] == 2010, "percent_of_female_borrowers"].dropna()
    mu, sd = ref.mean(), ref.std(ddof=1)
    z80 = 0.8416212335729143  # standard normal 80th percentile
    new = pd.DataFrame({"mfiid": ["hi", "lo", "mid"], "year": [2010] * 3,
                        "percent_of_female_borrowers": [mu + z80 * sd + 1e-6,
                                                        mu - z80 * sd - 1e-6, mu]})
    res = sp.score_mfis(new, scheme="rating", indicators=["female_share"],
                        rating_method="moments", n_classes=5)
    assert res.normalised["female_share"].tolist() == [1.0, 0.0, 0.5]


def test_score_mfis_all_scheme_options(panel):
    sub = panel.loc[panel["year"] == 2011].head(80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = sp.score_mfis_all(
            sub, schemes=["rating", "dea"], min_coverage=0.9,
            scheme_options={"dea": {"rts": "vrs"}, "rating": {"n_classes": 4}},
        )
    crs = sp.score_mfis(sub, scheme="dea", rts="crs").scores
    both = table["dea"].dropna().index
    assert (table.loc[both, "dea"] >= crs.loc[both] - 1e-9).all()  # VRS >= CRS
    four = sp.score_mfis(sub, scheme="rating", n_classes=4, min_coverage=0.9)
    vals = four.normalised.to_numpy().ravel()
    np.testing.assert_allclose(np.unique(vals[np.isfinite(vals)]), [0, 1 / 3, 2 / 3, 1])
    pd.testing.assert_series_equal(table["rating"], four.scores, check_names=False)
    with pytest.raises(InputDataError, match="not common to all schemes"):
        sp.score_mfis_all(sub, schemes=["rating"], n_classes=4)


def test_categorical_sp_fields_use_point_maps():
    t = pd.DataFrame(
        {
            "mfiid": ["a", "b", "c"],
            "year": [2011] * 3,
            "percent_of_female_borrowers": [0.9, 0.9, 0.9],
            "sp_client_protection": ["smart_certified", "none", "smart_endorsed"],
        }
    )
    res = sp.score_mfis(t, scheme="rating", indicators=["female_share",
                                                        "client_protection_practices"])
    assert res.normalised["client_protection_practices"].tolist() == [1.0, 0.0, 0.67]
    # two dimensions, equal weights: (rating of female share + points) / 2
    fem = res.normalised["female_share"].iloc[0]
    np.testing.assert_allclose(res.scores.to_numpy(), (fem + np.array([1.0, 0.0, 0.67])) / 2)
    bad = t.assign(sp_client_protection=["smart_certified", "gold", "none"])
    with pytest.raises(InputDataError, match=r"unknown categories 'gold' at units 'b'"):
        sp.score_mfis(bad, scheme="rating", indicators=["female_share",
                                                        "client_protection_practices"])
    with pytest.raises(InputDataError, match="do not pass weights"):
        sp.score_mfis(t, scheme="dea", weights={"a": 1})
