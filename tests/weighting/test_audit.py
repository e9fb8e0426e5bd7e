"""Tests of weighting.audit against hand formulas, scipy and R psych 2.2.9.

Reference files (tests/results/, made by make_psych_audit.R there):
psych_alpha_<data>.csv and psych_kmo_<data>.csv from ``psych::alpha`` and ``psych::KMO`` on
tai_oecd2008.csv (OECD/JRC 2008 TAI) and audit_items.csv (50 x 5, numpy seed 15).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import weighting as wt
from weighting.audit import THRESHOLDS
from weighting.exceptions import InputDataError
from weighting.weights.pca import kmo

RESULTS = Path(__file__).parents[1] / "results"
TAI = pd.read_csv(RESULTS / "tai_oecd2008.csv", index_col=0)
ITEMS = pd.read_csv(RESULTS / "audit_items.csv", index_col=0)
TAI_GROUPS = {
    "patents": "creation",
    "royalties": "creation",
    "internet": "diffusion_new",
    "exports": "diffusion_new",
    "telephones": "diffusion_old",
    "electricity": "diffusion_old",
    "schooling": "skills",
    "university": "skills",
}


def _scheme(cols, **kw):
    scale = kw.pop("scale", "interval")
    groups = kw.pop("groups", {})
    inds = [{"name": c, "scale": scale, **({"group": groups[c]} if groups else {})} for c in cols]
    return wt.Scheme(inds, **kw)


# ---------------------------------------------------------------------------------------------
# Cronbach's alpha
# ---------------------------------------------------------------------------------------------
def test_alpha_hand_example():
    # 4 units x 3 items, worked out by hand
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 2, 4]}, dtype=float)
    # var(a) = 5/3, var(b) = 2, var(c) = 5/3; totals 4, 7, 8, 13 -> mean 8, var = 42/3 = 14
    alpha = 3 / 2 * (1 - (5 / 3 + 2 + 5 / 3) / 14)
    out = wt.cronbach_alpha(x)
    assert out["alpha"] == pytest.approx(alpha, abs=1e-12)
    assert out["n"] == 4 and out["k"] == 3
    # alpha without c: items a, b: 2 * (1 - (5/3 + 2) / var(a + b)); a + b = 3, 4, 6, 9
    ab = np.array([3, 4, 6, 9], dtype=float)
    assert out["items"].at["c", "alpha_if_deleted"] == pytest.approx(
        2 * (1 - (5 / 3 + 2) / ab.var(ddof=1)), abs=1e-12
    )
    assert out["items"].at["c", "r_drop"] == pytest.approx(np.corrcoef(x["c"], ab)[0, 1], abs=1e-12)


@pytest.mark.parametrize("name, frame", [("tai_oecd2008", TAI), ("audit_items", ITEMS)])
def test_alpha_against_psych(name, frame):
    ref = pd.read_csv(RESULTS / f"psych_alpha_{name}.csv", index_col=0)
    out = wt.cronbach_alpha(frame)
    assert out["alpha"] == pytest.approx(ref.at["total", "raw_alpha"], abs=1e-10)
    assert out["std_alpha"] == pytest.approx(ref.at["total", "std_alpha"], abs=1e-10)
    items = out["items"]
    for col in frame.columns:
        assert items.at[col, "alpha_if_deleted"] == pytest.approx(
            ref.at[col, "raw_alpha"], abs=1e-10
        )
        assert items.at[col, "std_alpha_if_deleted"] == pytest.approx(
            ref.at[col, "std_alpha"], abs=1e-10
        )
        assert items.at[col, "r_drop"] == pytest.approx(ref.at[col, "r_drop"], abs=1e-10)


def test_alpha_uses_complete_rows_and_needs_two_items():
    x = ITEMS.copy()
    x.iloc[0, 0] = np.nan
    assert wt.cronbach_alpha(x)["n"] == len(x) - 1
    assert wt.cronbach_alpha(x)["alpha"] == pytest.approx(
        wt.cronbach_alpha(ITEMS.iloc[1:])["alpha"], abs=1e-14
    )
    with pytest.raises(InputDataError, match="at least 2 items"):
        wt.cronbach_alpha(ITEMS[["q1"]])


# ---------------------------------------------------------------------------------------------
# KMO
# ---------------------------------------------------------------------------------------------
def _kmo_three(r):
    """KMO of 3 variables from first-order partial correlations written out by hand."""
    r12, r13, r23 = r[0, 1], r[0, 2], r[1, 2]

    def partial(rij, rik, rjk):
        return (rij - rik * rjk) / np.sqrt((1 - rik**2) * (1 - rjk**2))

    q12, q13, q23 = partial(r12, r13, r23), partial(r13, r12, r23), partial(r23, r12, r13)
    r2 = r12**2 + r13**2 + r23**2
    q2 = q12**2 + q13**2 + q23**2
    per = [
        (r12**2 + r13**2) / (r12**2 + r13**2 + q12**2 + q13**2),
        (r12**2 + r23**2) / (r12**2 + r23**2 + q12**2 + q23**2),
        (r13**2 + r23**2) / (r13**2 + r23**2 + q13**2 + q23**2),
    ]
    return r2 / (r2 + q2), np.array(per)


def test_kmo_hand_formula_three_variables():
    r = np.corrcoef(ITEMS[["q1", "q2", "q3"]].to_numpy(), rowvar=False)
    overall, per = kmo(r)
    h_overall, h_per = _kmo_three(r)
    assert overall == pytest.approx(h_overall, abs=1e-12)
    np.testing.assert_allclose(per, h_per, atol=1e-12)


@pytest.mark.parametrize("name, frame", [("tai_oecd2008", TAI), ("audit_items", ITEMS)])
def test_kmo_against_psych_and_in_audit(name, frame):
    ref = pd.read_csv(RESULTS / f"psych_kmo_{name}.csv", index_col=0)["msa"]
    overall, per = kmo(np.corrcoef(frame.to_numpy(dtype=float), rowvar=False))
    assert overall == pytest.approx(ref["overall"], abs=1e-10)
    np.testing.assert_allclose(per, ref[frame.columns].to_numpy(), atol=1e-10)
    # the audit reports the same number for the whole set (min-max keeps correlations)
    res = wt.audit(_scheme(frame.columns, scale="ratio"), frame)
    assert res.dimensions.at["all", "kmo"] == pytest.approx(ref["overall"], abs=1e-10)
    assert res.dimensions.at["all", "n_indicators"] == frame.shape[1]


# ---------------------------------------------------------------------------------------------
# main effects (correlation ratio)
# ---------------------------------------------------------------------------------------------
def test_main_effects_of_a_linear_composite_of_independent_indicators():
    rng = np.random.default_rng(2013)
    n = 4000
    data = pd.DataFrame(
        {
            "a": rng.normal(0, 1.0, n),
            "b": rng.normal(5, 2.0, n),
            "c": rng.uniform(0, 3, n),
            "d": rng.exponential(1.0, n),
        }
    )
    w = {"a": 0.4, "b": 0.1, "c": 0.3, "d": 0.2}
    analytic_var = {"a": 1.0, "b": 4.0, "c": 9 / 12, "d": 1.0}
    num = {k: w[k] ** 2 * analytic_var[k] for k in w}
    expected = pd.Series({k: v / sum(num.values()) for k, v in num.items()})
    scheme = _scheme(list(w), normalisation="none", weights=w)
    res = wt.audit(scheme, data)
    s = res.influence["S"]
    np.testing.assert_allclose(s[expected.index], expected, atol=0.02)
    # the effective nominal weights are the given ones
    np.testing.assert_allclose(res.influence["weight"][list(w)], list(w.values()), atol=1e-12)
    # S_i sum to one for an additive model (no interactions)
    assert s.sum() == pytest.approx(1.0, abs=0.03)
    # the direct function agrees
    y = sum(w[k] * data[k] for k in w)
    assert wt.correlation_ratio(data["b"], y) == pytest.approx(s["b"], abs=1e-12)


def test_correlation_ratio_categorical_matches_group_means():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 4, 300).astype(float)
    y = x**2 + rng.normal(size=300)
    means = pd.Series(y).groupby(x).transform("mean").to_numpy()
    eta2 = ((means - y.mean()) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    adjusted = 1 - (1 - eta2) * (300 - 1) / (300 - 4)
    assert wt.correlation_ratio(x, y) == pytest.approx(adjusted, abs=1e-12)


def test_correlation_ratio_sees_nonlinear_influence():
    rng = np.random.default_rng(3)
    x = rng.normal(size=2000)
    y = x**2
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.1
    assert wt.correlation_ratio(x, y) > 0.95
    assert wt.correlation_ratio(x, rng.normal(size=2000)) < 0.02
    assert np.isnan(wt.correlation_ratio(x[:5], y[:5]))  # too few pairs


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), power=st.floats(0.2, 3.0))
def test_correlation_ratio_in_unit_interval_and_rank_invariant(seed, power):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.1, 5, 120)
    y = np.sin(x) + rng.normal(scale=0.5, size=120)
    s = wt.correlation_ratio(x, y)
    assert 0.0 <= s <= 1.0
    assert wt.correlation_ratio(x**power, y) == pytest.approx(s, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# per indicator: skewness, kurtosis, JRC rule, discrimination, coverage
# ---------------------------------------------------------------------------------------------
def test_skew_kurtosis_and_jrc_rule_against_scipy():
    rng = np.random.default_rng(7)
    n = 200
    data = pd.DataFrame(
        {
            "normal": rng.normal(size=n),
            "lognormal": rng.lognormal(0, 1.2, n),
            "exponential": rng.exponential(size=n) ** 2,
            "left": -rng.lognormal(0, 1.0, n),
            "spike": np.r_[rng.normal(size=n - 1), 40.0],
        }
    )
    res = wt.audit(_scheme(data.columns), data)
    t = res.indicators
    for c in data.columns:
        sk = stats.skew(data[c], bias=False)
        ku = stats.kurtosis(data[c], fisher=True, bias=False)
        assert t.at[c, "skewness"] == pytest.approx(sk, abs=1e-12)
        assert t.at[c, "kurtosis"] == pytest.approx(ku, abs=1e-12)
        assert bool(t.at[c, "treat"]) == bool(abs(sk) > 2 and ku > 3.5)
    assert t["treat"].tolist() == [False, True, True, True, True]
    skew_flags = res.flag_table.query("criterion == 'skew'")["subject"].tolist()
    assert skew_flags == ["lognormal", "exponential", "left", "spike"]
    # a stricter kurtosis threshold clears the milder ones only
    res2 = wt.audit(_scheme(data.columns), data, thresholds={"kurtosis": 20})
    assert set(res2.flag_table.query("criterion == 'skew'")["subject"]) < set(skew_flags)


def test_discrimination_outliers_and_coverage_by_hand():
    data = pd.DataFrame(
        {
            "a": [0, 0, 0, 0, 1, 2, 3, 100.0, np.nan, np.nan],
            "b": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10.0],
            "year": [1, 1, 1, 1, 1, 2, 2, 2, 2, 2],
        }
    )
    res = wt.audit(_scheme(["a", "b"]), data, by="year")
    t = res.indicators
    assert t.at["a", "coverage"] == pytest.approx(0.8)
    assert t.at["a", "at_min"] == pytest.approx(4 / 8)
    assert t.at["a", "at_max"] == pytest.approx(1 / 8)
    assert t.at["a", "n_distinct"] == 5
    # Tukey fences on a: Q1 = 0, Q3 = 2.25, IQR 2.25 -> upper fence 5.625: only 100
    assert t.at["a", "n_outliers"] == 1
    assert t.at["b", "n_outliers"] == 0
    assert res.coverage.loc["a"].tolist() == [1.0, 0.6]
    assert t.at["a", "min_group_coverage"] == pytest.approx(0.6)
    msgs = " ".join(res.flags)
    assert "a: coverage 60% in group 2" in msgs
    assert "b: coverage" not in msgs  # b is complete in every group


def test_single_value_indicator_is_flagged():
    data = pd.DataFrame({"a": [1.0] * 12, "b": np.arange(12.0)})
    scheme = _scheme(["a", "b"], normalisation={"a": "none", "default": "minmax"})
    res = wt.audit(scheme, data)
    assert "a: a single value; it does not discriminate" in res.flags


# ---------------------------------------------------------------------------------------------
# the set
# ---------------------------------------------------------------------------------------------
def _set_data(n=300, seed=11):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x1": f + 0.1 * rng.normal(size=n),
            "x2": f + 0.1 * rng.normal(size=n),  # redundant with x1
            "x3": f + rng.normal(size=n),
            "y1": rng.normal(size=n),
            "y2": rng.normal(size=n),
        }
    )


def test_redundancy_and_conflict_flags():
    data = _set_data()
    data["y2"] = -data["y1"] + 0.8 * np.random.default_rng(0).normal(size=len(data))
    groups = {"x1": "X", "x2": "X", "x3": "X", "y1": "Y", "y2": "Y"}
    res = wt.audit(_scheme(data.columns, groups=groups), data)
    pairs = res.pairs.set_index(["a", "b"])
    assert pairs.at[("x1", "x2"), "redundant"]
    assert pairs.at[("x1", "x2"), "r"] == pytest.approx(
        np.corrcoef(data["x1"], data["x2"])[0, 1], abs=1e-12
    )
    assert not pairs.at[("x1", "x3"), "redundant"]
    assert pairs.at[("y1", "y2"), "conflict"] and pairs.at[("y1", "y2"), "dimension"] == "Y"
    assert not pairs["conflict"].drop(("y1", "y2")).any()
    crit = res.flag_table.set_index("subject")["criterion"]
    assert crit["x1 ~ x2"] == "redundancy" and crit["y1 ~ y2"] == "negative"
    # direction: declaring y2 lower-is-better removes the conflict
    scheme = wt.Scheme(
        [
            {
                "name": c,
                "scale": "interval",
                "group": groups[c],
                "direction": "lower" if c == "y2" else "higher",
            }
            for c in data.columns
        ]
    )
    res2 = wt.audit(scheme, data)
    assert not res2.pairs["conflict"].any()


def test_spearman_for_ordinal_pairs():
    data = _set_data()
    data["o"] = pd.cut(data["x3"], 5, labels=False).astype(float)
    inds = [{"name": c, "scale": "interval"} for c in ["x1", "x3"]] + [
        {"name": "o", "scale": "ordinal"}
    ]
    scheme = wt.Scheme(inds, normalisation="percentile")
    res = wt.audit(scheme, data)
    pairs = res.pairs.set_index(["a", "b"])
    assert pairs.at[("x1", "o"), "method"] == "spearman"
    assert pairs.at[("x1", "x3"), "method"] == "pearson"
    n = res.correlations
    assert n.at["x1", "o"] == pytest.approx(stats.spearmanr(data["x1"], data["o"])[0], abs=1e-12)


def test_dimension_alpha_kmo_and_components():
    data = _set_data()
    groups = {"x1": "X", "x2": "X", "x3": "X", "y1": "Y", "y2": "Y"}
    res = wt.audit(_scheme(data.columns, groups=groups, normalisation="zscore"), data)
    d = res.dimensions
    z = (data - data.mean()) / data.std()
    assert d.at["X", "alpha"] == pytest.approx(
        wt.cronbach_alpha(z[["x1", "x2", "x3"]])["alpha"], abs=1e-12
    )
    assert d.at["X", "alpha"] > 0.7 and d.at["Y", "alpha"] < 0.7
    overall, _ = kmo(np.corrcoef(data[["x1", "x2", "x3"]].to_numpy(), rowvar=False))
    assert d.at["X", "kmo"] == pytest.approx(overall, abs=1e-12)
    eig = np.linalg.eigvalsh(np.corrcoef(data[["x1", "x2", "x3"]].to_numpy(), rowvar=False))
    assert d.at["X", "first_component_share"] == pytest.approx(eig.max() / 3, abs=1e-12)
    assert d.at["X", "n_eigen_above"] == 1
    assert np.isnan(d.at["Y", "kmo"])  # two indicators: KMO is 0.5 by construction
    assert d.at["X", "weight"] == pytest.approx(0.5) and d.at["Y", "weight"] == pytest.approx(0.5)
    assert ("Y", "y1") in res.alpha_if_deleted.index
    assert "dimension Y: Cronbach's alpha" in " ".join(res.flags)


# ---------------------------------------------------------------------------------------------
# the aggregation
# ---------------------------------------------------------------------------------------------
def test_influence_flags_an_indicator_that_cannot_move_the_score():
    rng = np.random.default_rng(5)
    n = 2000
    data = pd.DataFrame(rng.normal(size=(n, 5)), columns=list("abcde"))
    data["e"] *= 0.01
    # with no normalisation e has 1e-4 of the others' variance: its weight is nominal only
    res = wt.audit(_scheme(data.columns, normalisation="none"), data)
    assert res.influence.at["e", "disagrees"] and res.influence.at["e", "S"] < 0.01
    # the four others share the influence: S_share about 1/4 against weights 1/5
    assert not res.influence.loc[list("abcd"), "disagrees"].any()
    np.testing.assert_allclose(res.influence.loc[list("abcd"), "S_share"], 0.25, atol=0.05)
    # after z-scores the five count about equally
    res2 = wt.audit(_scheme(data.columns, normalisation="zscore"), data)
    assert not res2.influence["disagrees"].any()


def test_compensability_arithmetic_is_one_geometric_rewards_balance():
    rng = np.random.default_rng(9)
    data = pd.DataFrame(rng.uniform(1, 10, size=(60, 3)), columns=["a", "b", "c"])
    ar = wt.audit(_scheme(data.columns, scale="ratio"), data).compensability.loc["composite"]
    assert ar["median_ratio"] == pytest.approx(1.0, abs=1e-9)
    assert ar["q25"] == pytest.approx(1.0, abs=1e-9) and ar["q75"] == pytest.approx(1.0, abs=1e-9)
    assert ar["declared"] == "arithmetic: full" and ar["n_units"] == 60
    geo = _scheme(data.columns, scale="ratio", normalisation="none", aggregation="geometric")
    comp = wt.audit(geo, data).compensability.loc["composite"]
    assert comp["q25"] > 1.0
    # geometric mean: gain per unit of weight is S / y, so the ratio tends to y_best / y_worst
    ratio = (data.max(axis=1) / data.min(axis=1)).median()
    assert comp["median_ratio"] == pytest.approx(ratio, rel=0.15)


def test_scale_violation_is_reported_not_raised():
    data = _set_data()[["x1", "x2", "x3"]] + 5
    inds = [{"name": c, "scale": "ordinal" if c == "x3" else "ratio"} for c in data.columns]
    scheme = wt.Scheme(inds, normalisation="percentile", aggregation="geometric")
    with pytest.raises(wt.ScaleLevelError):
        scheme.score(data)
    res = wt.audit(scheme, data)
    adm = res.admissibility
    assert not adm["admissible"].any()
    assert "geometric mean does not admit" in adm.at["x3", "violation"]
    assert any("allow_scale_violations=True" in n for n in res.notes)
    # with a result given, the re-scoring for compensability does not raise either
    given = wt.Scheme(inds, normalisation="percentile").score(data)
    again = wt.audit(scheme, data, result=given)
    assert not again.admissibility["admissible"].any()
    assert again.compensability.at["composite", "median_ratio"] > 0
    ok = wt.audit(wt.Scheme(inds, normalisation="percentile"), data).admissibility
    assert ok["admissible"].all()
    assert "minmax" not in res.indicators.at["x3", "admits_normalisation"].split(", ")
    assert "percentile" in res.indicators.at["x3", "admits_normalisation"].split(", ")


# ---------------------------------------------------------------------------------------------
# panels, given results, errors
# ---------------------------------------------------------------------------------------------
def test_rank_stability_across_years():
    rng = np.random.default_rng(4)
    ids = [f"m{i}" for i in range(30)]
    base = rng.normal(size=30)
    rows = []
    for year, sign in ((2010, 1), (2011, 1), (2012, -1)):
        for i, u in enumerate(ids):
            rows.append({"id": u, "year": year, "a": sign * base[i], "b": rng.normal()})
    data = pd.DataFrame(rows).set_index(["id", "year"])
    res = wt.audit(_scheme(["a", "b"]), data, by="year")
    st_ = res.stability
    assert list(st_.columns) == ["2010->2011", "2011->2012"]
    assert st_.at["a", "2010->2011"] == pytest.approx(1.0)
    assert st_.at["a", "2011->2012"] == pytest.approx(-1.0)
    assert res.indicators.at["a", "rank_stability"] == pytest.approx(0.0, abs=1e-12)
    assert "a: mean Spearman" in " ".join(res.flags)
    # unit identities given explicitly give the same table
    flat = data.reset_index()
    res2 = wt.audit(_scheme(["a", "b"]), flat, by="year", unit="id")
    pd.testing.assert_frame_equal(res2.stability, st_)


def test_given_result_is_used_and_inputs_not_mutated():
    data = _set_data()
    before = data.copy()
    scheme = _scheme(data.columns)
    r = scheme.score(data)
    a = wt.audit(scheme, data, result=r)
    b = wt.audit(scheme, data)
    pd.testing.assert_frame_equal(a.influence, b.influence)
    pd.testing.assert_frame_equal(a.indicators, b.indicators)
    pd.testing.assert_frame_equal(data, before)
    assert "Quality audit of scheme" in repr(a) and "<p><b>Quality audit" in a._repr_html_()
    assert set(a.tables()) >= {"indicators", "dimensions", "influence", "flags"}


def test_errors_name_the_setting():
    data = _set_data()
    scheme = _scheme(data.columns)
    with pytest.raises(InputDataError, match="'nope' is not an audit threshold"):
        wt.audit(scheme, data, thresholds={"nope": 1})
    with pytest.raises(ValueError, match="step must be a positive"):
        wt.audit(scheme, data, step=0)
    with pytest.raises(ValueError, match="by='year' is neither a column nor an index level"):
        wt.audit(scheme, data, by="year")
    with pytest.raises(ValueError, match="by has no value for units"):
        wt.audit(scheme, data, by=pd.Series(1, index=data.index[:5]))
    with pytest.raises(ValueError, match=r"needs a weighting\.Scheme"):
        wt.audit("equal", data)
    with pytest.raises(ValueError, match="not columns of data"):
        wt.audit(scheme, data.drop(columns="x1"))


def test_every_threshold_has_a_source():
    for name, t in THRESHOLDS.items():
        assert t.source and t.rule, name
        assert np.isfinite(t.value)


# ---------------------------------------------------------------------------------------------
# invariants and small or degenerate data
# ---------------------------------------------------------------------------------------------
@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 1000), scale=st.floats(0.01, 100.0))
def test_audit_invariant_to_row_order_and_rescaling(seed, scale):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=60)
    data = pd.DataFrame(
        {"a": f + rng.normal(size=60), "b": f + rng.normal(size=60), "c": rng.lognormal(size=60)}
    )
    scheme = _scheme(data.columns, scale="ratio", groups={"a": "X", "b": "X", "c": "Y"})
    base = wt.audit(scheme, data)
    perm = data.iloc[rng.permutation(len(data))]
    other = wt.audit(scheme, perm)
    cols = ["coverage", "skewness", "kurtosis", "validity_r", "n_outliers"]
    pd.testing.assert_frame_equal(other.indicators[cols], base.indicators[cols], atol=1e-9)
    pd.testing.assert_frame_equal(other.influence, base.influence, atol=1e-9)
    pd.testing.assert_frame_equal(other.dimensions, base.dimensions, atol=1e-9)
    # a positive rescaling of a ratio indicator changes nothing after min-max
    scaled = wt.audit(scheme, data.assign(c=data["c"] * scale))
    pd.testing.assert_frame_equal(scaled.influence, base.influence, atol=1e-9)
    pd.testing.assert_frame_equal(scaled.dimensions, base.dimensions, atol=1e-9)
    assert scaled.indicators.at["c", "skewness"] == pytest.approx(
        base.indicators.at["c", "skewness"], abs=1e-9
    )


def test_small_and_degenerate_data_give_nan_and_notes_not_errors():
    tiny = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 1, 4, 3, 5], "c": [1.0, 1, 1, 1, 2]})
    res = wt.audit(_scheme(tiny.columns), tiny)
    assert res.influence["S"].isna().all()  # fewer than 10 units: not estimated
    assert res.indicators.at["a", "skewness"] == pytest.approx(0.0, abs=1e-12)
    assert res.dimensions.at["all", "n_complete"] == 5
    # a linearly dependent set: KMO and components are not computed, and the notes say why
    dep = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) ** 2})
    dep["c"] = dep["a"] + dep["b"]
    res2 = wt.audit(_scheme(dep.columns), dep)
    assert np.isnan(res2.dimensions.at["all", "kmo"])
    assert any("not computed" in n and "linearly dependent" in n for n in res2.notes)
    # a unit with no values at all is left out, not an error
    gap = _set_data().astype(float)
    gap.iloc[0] = np.nan
    res3 = wt.audit(_scheme(gap.columns), gap)
    assert res3.indicators["n"].eq(len(gap) - 1).all()


def test_calibration_groups_are_passed_to_a_scheme_that_takes_them():
    seen = []

    class ByScheme(wt.Scheme):
        def score(self, data, reference=None, *, by=None):
            seen.append(by)
            return super().score(data, reference)

    data = _set_data().assign(year=[2010, 2011] * 150)
    scheme = ByScheme([{"name": c, "scale": "interval"} for c in ["x1", "x3", "y1"]])
    wt.audit(scheme, data, by="year")
    assert seen and all(b == "year" for b in seen)  # the column name, read from both tables
    seen.clear()
    wt.audit(scheme, data)
    assert seen and all(b is None for b in seen)


def test_validity_correlations_with_dimension_and_score():
    data = _set_data()
    groups = {"x1": "X", "x2": "X", "x3": "X", "y1": "Y", "y2": "Y"}
    scheme = _scheme(data.columns, groups=groups)
    r = scheme.score(data)
    t = wt.audit(scheme, data).indicators
    n = r.normalised
    rest = n[["x1", "x2"]].mean(axis=1)
    assert t.at["x3", "validity_r"] == pytest.approx(stats.spearmanr(n["x3"], rest)[0], abs=1e-12)
    assert t.at["x3", "dimension_r"] == pytest.approx(
        stats.spearmanr(n["x3"], r.dimension_scores["X"])[0], abs=1e-12
    )
    assert t.at["y1", "score_r"] == pytest.approx(stats.spearmanr(n["y1"], r.scores)[0], abs=1e-12)
