"""Look-through, coverage rules and the MIV index, on hand-checked small cases."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import socialperf as sp
from dea.exceptions import InputDataError
from socialperf.exceptions import (
    HoldingsCycleError,
    LowCoverageWarning,
    MissingBlockWarning,
    MissingIndicatorWarning,
)


def _two_level() -> pd.DataFrame:
    # A: m1 60, m2 40.  B: A 50, m3 50.  C: B 30, A 10, m4 60.
    return pd.DataFrame(
        {
            "holder": ["A", "A", "B", "B", "C", "C", "C"],
            "held": ["m1", "m2", "A", "m3", "B", "A", "m4"],
            "amount": [60.0, 40.0, 50.0, 50.0, 30.0, 10.0, 60.0],
        }
    )


SCORES = pd.Series({"m1": 1.0, "m2": 0.5, "m3": np.nan, "m4": 0.2})


def test_look_through_two_level_fund_of_funds_by_hand():
    E = sp.look_through(_two_level())
    # by hand: B = .5*A + .5*m3 = (.3, .2, .5, 0); C = .3*B + .1*A + .6*m4
    expected = pd.DataFrame(
        [[0.6, 0.4, 0.0, 0.0], [0.3, 0.2, 0.5, 0.0], [0.15, 0.10, 0.15, 0.60]],
        index=["A", "B", "C"],
        columns=["m1", "m2", "m3", "m4"],
    )
    pd.testing.assert_frame_equal(E, expected, check_names=False, atol=1e-12)
    h = sp.Holdings(_two_level())
    assert h.graph.depth().to_dict() == {"A": 1, "B": 2, "C": 3}
    assert ["C", "B", "A", "m1"] in h.graph.chains("C")


def test_input_not_mutated():
    df = _two_level()
    before = df.copy()
    sp.Holdings(df)
    pd.testing.assert_frame_equal(df, before)


def test_cycle_is_named():
    df = pd.DataFrame(
        {"holder": ["A", "B", "C", "A"], "held": ["B", "C", "A", "m1"], "amount": [1, 1, 1, 1]}
    )
    with pytest.raises(HoldingsCycleError, match="cycle") as err:
        sp.Holdings(df)
    cyc = err.value.cycle
    assert cyc[0] == cyc[-1] and set(cyc) == {"A", "B", "C"}
    assert " -> ".join(cyc) in str(err.value)


@pytest.mark.parametrize(
    ("rule", "b", "c"),
    [
        ("renormalise", 0.4 / 0.5, 0.32 / 0.85),
        ("zero", 0.4, 0.32),
        ("exclude", math.nan, 0.32 / 0.85),
    ],
)
def test_coverage_rules_exposure(rule, b, c):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = sp.score_mivs(SCORES, _two_level(), uncovered=rule, coverage_threshold=0.7)
    assert any(issubclass(w.category, LowCoverageWarning) for w in rec)  # B has 0.5
    assert res.coverage.to_dict() == pytest.approx({"A": 1.0, "B": 0.5, "C": 0.85})
    assert res.portfolio["A"] == pytest.approx(0.8)  # .6*1 + .4*.5
    if math.isnan(b):
        assert math.isnan(res.portfolio["B"]) and "B" in res.excluded.index
    else:
        assert res.portfolio["B"] == pytest.approx(b)
    assert res.portfolio["C"] == pytest.approx(c)
    assert res.details.loc["B", "below_threshold"]
    assert not res.details.loc["C", "below_threshold"]
    # without MIV indicators the index is the portfolio block
    pd.testing.assert_series_equal(res.index, res.portfolio.rename("index"))


def test_equal_and_top_quartile_methods():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowCoverageWarning)
        eq = sp.score_mivs(SCORES, _two_level(), method="equal")
        eqz = sp.score_mivs(SCORES, _two_level(), method="equal", uncovered="zero")
        top = sp.score_mivs(SCORES, _two_level(), method="top_quartile")
    assert eq.portfolio["C"] == pytest.approx((1.0 + 0.5 + 0.2) / 3)
    assert eqz.portfolio["C"] == pytest.approx((1.0 + 0.5 + 0.2 + 0.0) / 4)
    # universe {0.2, 0.5, 1.0}: 75th percentile 0.75 -> only m1 is top quartile
    assert top.portfolio["C"] == pytest.approx(0.15 / 0.85)
    assert top.portfolio["A"] == pytest.approx(0.6)


def test_index_combines_blocks():
    miv = pd.DataFrame(
        {"miv": ["A", "B", "C"], "sp_policy": ["yes", "no", "yes"],
         "microfinance_share": [0.8, 0.6, 1.0]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowCoverageWarning)
        res = sp.score_mivs(SCORES, _two_level(), miv, w=0.25)
    # block: equal per dimension (commitment: sp_policy, social_goals: microfinance_share)
    assert res.block.to_dict() == pytest.approx({"A": 0.9, "B": 0.3, "C": 1.0})
    assert res.index["B"] == pytest.approx(0.25 * 0.8 + 0.75 * 0.3)
    assert res.index["A"] == pytest.approx(0.25 * 0.8 + 0.75 * 0.9)


def test_fund_of_funds_without_miv_indicators_is_excluded_with_a_warning():
    # C (the fund of funds) has no row; B's row has only missing values
    miv = pd.DataFrame(
        {"miv": ["A", "B"], "sp_policy": ["yes", None], "microfinance_share": [0.8, None]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowCoverageWarning)
        with pytest.warns(MissingBlockWarning, match="no MIV-level indicators") as rec:
            res = sp.score_mivs(SCORES, _two_level(), miv, w=0.25)
    msgs = [str(r.message) for r in rec if issubclass(r.category, MissingBlockWarning)]
    assert len(msgs) == 1 and "'B'" in msgs[0] and "'C'" in msgs[0] and "'A'" not in msgs[0]
    assert res.excluded.to_dict() == {"B": "no MIV-level indicators",
                                      "C": "no MIV-level indicators"}
    assert math.isnan(res.index["C"]) and math.isnan(res.index["B"])
    # A is scored as before: block (1 + 0.8) / 2, portfolio 0.8
    assert res.index["A"] == pytest.approx(0.25 * 0.8 + 0.75 * 0.9)
    # with w = 1 the block is not used: no warning, nobody excluded for it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowCoverageWarning)
        warnings.simplefilter("error", MissingBlockWarning)
        res1 = sp.score_mivs(SCORES, _two_level(), miv, w=1.0)
    assert res1.excluded.empty and res1.index["C"] == pytest.approx(0.32 / 0.85)


def test_missing_miv_indicator_is_reweighted_with_a_warning():
    miv = pd.DataFrame(
        {"miv": ["A", "B", "C"], "sp_policy": ["yes", None, "no"],
         "microfinance_share": [0.8, 0.6, None]}
    )
    with pytest.warns(MissingIndicatorWarning) as rec:
        block, _ = sp.score_miv_block(miv)
    msgs = [str(r.message) for r in rec if issubclass(r.category, MissingIndicatorWarning)]
    assert len(msgs) == 1
    assert "'B'" in msgs[0] and "'C'" in msgs[0] and "'A'" not in msgs[0]
    assert "'sp_policy'" in msgs[0] and "'microfinance_share'" in msgs[0]
    # re-weighting kept: B is its microfinance share alone, C its sp_policy points ('no' = 0)
    assert block.to_dict() == pytest.approx({"A": 0.9, "B": 0.6, "C": 0.0})
    # a zero-weight indicator that is missing changes nothing, so no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingIndicatorWarning)
        b2, _ = sp.score_miv_block(miv.iloc[[0, 1]], weights={"microfinance_share": 1.0})
    assert b2.to_dict() == pytest.approx({"A": 0.8, "B": 0.6})


def test_bad_options():
    with pytest.raises(InputDataError, match="w must be"):
        sp.score_mivs(SCORES, _two_level(), w=1.5)
    with pytest.raises(ValueError, match="uncovered"):
        sp.score_mivs(SCORES, _two_level(), uncovered="ignore")


@st.composite
def _holdings(draw):
    n_miv = draw(st.integers(1, 5))
    n_mfi = draw(st.integers(1, 6))
    rows = []
    for i in range(n_miv):
        targets = [f"m{j}" for j in range(n_mfi)] + [f"V{k}" for k in range(i)]
        held = draw(st.lists(st.sampled_from(targets), min_size=1, max_size=len(targets),
                             unique=True))
        if all(h.startswith("V") for h in held):  # keep every vehicle reaching an MFI
            held.append("m0")
        for h in held:
            amt = draw(st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False))
            rows.append({"holder": f"V{i}", "held": h, "amount": amt})
    return pd.DataFrame(rows)


@settings(max_examples=40, deadline=None)
@given(_holdings(), st.floats(1e-3, 1e3))
def test_property_rows_sum_to_one_and_scale_invariance(df, factor):
    E = sp.look_through(df)
    np.testing.assert_allclose(E.sum(axis=1).to_numpy(), 1.0, atol=1e-12)
    assert (E.to_numpy() >= 0).all()
    scaled = df.assign(amount=df["amount"] * factor)
    pd.testing.assert_frame_equal(sp.look_through(scaled), E, atol=1e-12, check_exact=False)


def test_block_with_weighting_scheme_and_weights():
    from weighting.scheme import Scheme

    ex = sp.example_data()
    cat = ex.catalogue
    plain, pts = sp.score_miv_block(ex.miv_indicators)
    # an equal-weight arithmetic scheme over the same point maps gives the same block when
    # groups (dimensions) are dropped and the plain block uses flat weights
    flat = {n: 1.0 for n in cat.names("MIV")}
    flat_block, _ = sp.score_miv_block(ex.miv_indicators, weights=flat)
    np.testing.assert_allclose(flat_block, pts.mean(axis=1))
    ind = list(cat.indicator_set("MIV"))
    ind = [type(i)(**{**i.to_dict(), "group": None}) for i in ind]
    metric = [s.name for s in cat.level("MIV") if s.is_metric]
    scheme = Scheme(
        ind,
        normalisation={**{n: "points" for n in cat.names("MIV") if n not in metric},
                       **{n: {"method": "goalposts", "lower": 0, "upper": 1} for n in metric}},
        weights="equal",
    )
    block, _ = sp.score_miv_block(ex.miv_indicators, weights=scheme)
    np.testing.assert_allclose(block.loc[flat_block.index], flat_block, atol=1e-9)
    assert plain.between(0, 1).all() and set(cat.indicator_sets()) == {"MFI", "MIV"}


def test_miv_index_two_dimension_composite_hand_checked():
    p = pd.Series({"A": 0.8, "B": 0.4, "C": np.nan, "D": 0.5})
    b = pd.Series({"A": 0.9, "B": 0.3, "C": 0.7, "D": np.nan})
    got = sp.miv_index(p, b, 0.25)
    assert got.name == "index" and list(got.index) == list("ABCD")
    np.testing.assert_allclose(got.to_numpy()[:2], [0.2 + 0.675, 0.1 + 0.225], atol=1e-15)
    assert got[["C", "D"]].isna().all()  # no re-weighting onto the other block
    # w = 1: the portfolio block alone (a missing MIV block does not matter); w = 0: B alone
    np.testing.assert_array_equal(sp.miv_index(p, b, 1.0).to_numpy(), p.to_numpy())
    np.testing.assert_array_equal(sp.miv_index(p, b, 0.0).to_numpy(), b.to_numpy())
    runs = sp.miv_index(p, b, [0.0, 0.25, 1.0])
    assert runs.shape == (3, 4) and list(runs.columns) == list("ABCD")
    pd.testing.assert_series_equal(runs.iloc[1].rename("index"), got, check_names=False)
    with pytest.raises(InputDataError, match=r"\[0, 1\]"):
        sp.miv_index(p, b, 1.5)
    with pytest.raises(InputDataError, match="same MIVs"):
        sp.miv_index(p, b.iloc[:3], 0.5)
