"""The aggregator factor of the MFI-level sensitivity analysis (arithmetic | geometric)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from socialperf import example_data
from socialperf.catalogue import load_catalogue
from socialperf.study import (
    GEOMETRIC_ZERO_FLOOR,
    Study,
    StudyConfigError,
    run_sensitivity,
)
from socialperf.study.sensitivity import _analyse, _ratio_normaliser_kinds, _set
from weighting import Scheme
from weighting.sensitivity import Factor

NAMES = ["female_share", "depth_of_outreach", "breadth_of_outreach", "par30",
         "write_off_ratio"]


def _study(aggregation, **extra):
    return Study.demo().replace(sensitivity={"enabled": True, "runs": 40, "sobol": 16,
                                             "miv": {"enabled": False},
                                             "aggregation": aggregation, **extra})


@pytest.fixture(scope="module")
def both():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_sensitivity(_study(["arithmetic", "geometric"]))


def test_arithmetic_only_reproduces_the_results_before_the_factor():
    """Numbers recorded with commit 3b5501f (no aggregation factor yet), same settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = run_sensitivity(_study(["arithmetic"]))
    assert [f.name for f in out.factors] == ["weights", "normalisation", "drop_indicator",
                                             "missing"]
    summary = out.uncertainty.summary
    assert float(np.nansum(summary["median_rank"])) == 41915.5
    assert float(np.nansum(out.uncertainty.scores.to_numpy())) == pytest.approx(
        4803.403693708247, rel=1e-13)
    recorded = {
        "S1": [0.005821519268671261, 0.6610242539130115, -0.03006631443527466,
               0.21045579557114877],
        "ST": [0.03794980265020032, 0.35413373441437335, 0.2547807944963741,
               0.2177398282069908],
    }
    for col, values in recorded.items():
        np.testing.assert_allclose(out.sobol.indices[col].to_numpy(), values, rtol=1e-10)


def _ratio_table(table: pd.DataFrame) -> pd.DataFrame:
    """Each indicator as a higher-is-better ratio-scale quantity (written out by hand)."""
    X = load_catalogue().extract(table, NAMES)
    return pd.DataFrame({
        "female_share": X["female_share"],
        "depth_of_outreach": 1.0 / X["depth_of_outreach"],  # GDP pc per unit of loan
        "breadth_of_outreach": np.exp(X["breadth_of_outreach"]),  # borrowers
        "par30": 1.0 - X["par30"],  # share of the portfolio not at risk
        "write_off_ratio": 1.0 - X["write_off_ratio"],
    })


def test_geometric_base_run_equals_a_weighting_scheme(both):
    """Base run under 'geometric' = weighting.Scheme(target normalisation, geometric mean)
    on the hand-made ratio table, zeros raised to half the smallest positive value."""
    mfis = example_data().mfis
    year = mfis[mfis["year"] == 2011].set_index("mfiid")
    Q = _ratio_table(year)
    ref = Q.copy()  # the reference universe of 2011 is the bundled panel itself
    floor = GEOMETRIC_ZERO_FLOOR * ref.where(ref > 0).min()
    assert (Q["female_share"] == 0).sum() == 1 and (Q["par30"] == 0).sum() == 1  # zeros
    Qf = Q.clip(lower=floor, axis=1)
    scheme = Scheme([{"name": n, "scale": "ratio"} for n in NAMES], normalisation="target",
                    weights=dict.fromkeys(NAMES, 0.2), aggregation="geometric",
                    missing={"method": "reweight", "min_coverage": 0.6})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = scheme.score(Qf, reference=Qf.clip(lower=floor, axis=1)).scores
    fast = both.model(aggregation="geometric")
    direct.index = direct.index.astype(str)
    pd.testing.assert_series_equal(fast.reindex(direct.index), direct, check_names=False,
                                   rtol=1e-12)
    assert fast.notna().sum() == 283
    # ratio values: within (0, 1], the best reference unit at 1, the zero at the floor
    R = both.model.ratio
    assert (R.max() == 1.0).all() and (R.min() > 0).all()
    zero = Q.index[Q["female_share"] == 0][0]
    assert R.at[zero, "female_share"] == pytest.approx(floor["female_share"])


def test_geometric_missing_zero_uses_lowest_value(both):
    R = both.model.ratio
    unit = R.index[R.isna().sum(axis=1) == 1][0]
    gap = R.columns[R.loc[unit].isna()][0]
    row = R.loc[unit].fillna(R[gap].min())
    expected = float(np.exp(np.log(row).mean()))
    assert both.model(aggregation="geometric", missing="zero")[unit] == pytest.approx(
        expected, rel=1e-12)
    assert both.model(aggregation="geometric")[unit] == pytest.approx(
        float(np.exp(np.log(R.loc[unit].dropna()).mean())), rel=1e-12)


@pytest.mark.parametrize("alternative", ["arithmetic", "geometric"])
def test_sobol_total_of_identical_alternatives_is_zero(both, alternative):
    factors = [*both.factors[:-1],
               Factor.choice("aggregation", [alternative, alternative],
                             apply=_set("aggregation"))]
    _, sobol = _analyse(both.model, factors, 8, 16, 3, 1, False, 10)
    idx = sobol.indices
    assert idx.loc["aggregation", "ST"] == pytest.approx(0.0, abs=1e-12)
    if alternative == "geometric":  # the ratio normalisation replaces the varied one
        assert idx.loc["normalisation", "ST"] == pytest.approx(0.0, abs=1e-12)
    else:
        assert idx.loc["normalisation", "ST"] > 0.05


def test_demo_varies_the_aggregator(both):
    assert [f.name for f in both.factors][-1] == "aggregation"
    idx = both.sobol.indices
    assert idx.loc["aggregation", "ST"] > 0.1  # a different aggregator moves ranks


@pytest.mark.parametrize("value", [["harmonic"], [], "geometric mean"])
def test_bad_aggregation_names_key(value):
    with pytest.raises(StudyConfigError, match=re.escape("'sensitivity.aggregation'")):
        Study.demo().replace(sensitivity={"aggregation": value})


def test_aggregation_round_trips_and_defaults(tmp_path):
    assert Study.from_dict({"data": {"example": True}}).sensitivity.aggregation == (
        "arithmetic",)
    st = Study.demo()
    assert st.sensitivity.aggregation == ("arithmetic", "geometric")
    path = tmp_path / "s.toml"
    st.to_toml(path)
    assert Study.from_toml(path) == st


def test_geometric_refused_for_rating_and_non_ratio_indicators():
    with pytest.raises(StudyConfigError, match="rating scheme"):
        run_sensitivity(_study(["arithmetic", "geometric"], scheme="rating", runs=4,
                               sobol=0))
    cat = load_catalogue()
    assert _ratio_normaliser_kinds(cat, NAMES) == {
        "female_share": "value", "depth_of_outreach": "inverse",
        "breadth_of_outreach": "exp", "par30": "complement", "write_off_ratio": "complement"}
    with pytest.raises(StudyConfigError, match=r"poverty_targeting \(ordinal\)"):
        _ratio_normaliser_kinds(cat, ["female_share", "poverty_targeting"])
