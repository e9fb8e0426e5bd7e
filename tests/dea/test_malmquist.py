"""dea.Malmquist against DEAP 2.1 example 4 (printed and hand-derived exact values) and
R's Benchmarking 0.33 ``malmq`` (tests/results/make_benchmarking_i11.R)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dea

RESULTS = Path(__file__).resolve().parents[1] / "results"
EG4 = pd.read_csv(RESULTS / "deap_eg4_panel.csv")
PANEL = pd.read_csv(RESULTS / "malmq_panel.csv")


def test_deap_eg4_published_and_exact():
    """DEAP 2.1 eg4 (Coelli 1996; the DEAP appendix of Coelli et al. 2005), output
    orientation, year 2 vs 1.  Printed to 3 decimals; the exact values follow by hand
    from y/x ratios (CRS: ratio / best ratio of the frontier year; year-1 best 1,
    year-2 best 4/3)."""
    res = dea.Malmquist(EG4, ["x"], ["y"], unit="unit", period="period", orientation="output").fit()
    y2 = res.xs(2, level="period")
    printed = pd.DataFrame(
        {
            "effch": [0.750, 1.125, 1.000, 0.562, 0.900],
            "techch": [1.333] * 5,
            "pech": [1.000, 1.222, 1.000, 0.650, 1.000],
            "sech": [0.750, 0.920, 1.000, 0.865, 0.900],
            "malmquist": [1.000, 1.500, 1.333, 0.750, 1.200],
        },
        index=[1, 2, 3, 4, 5],
    )
    for col in printed:
        np.testing.assert_allclose(y2[col].to_numpy(), printed[col].to_numpy(), atol=6e-4)
    exact = {
        "malmquist": [1.0, 1.5, 4 / 3, 0.75, 1.2],
        "effch": [0.75, 1.125, 1.0, 0.5625, 0.9],
        "techch": [4 / 3] * 5,
        # VRS output te year 1: 1, 6/11, 1, 12/13, 1; year 2: 1, 2/3, 1, 3/5, 1
        "pech": [1.0, (2 / 3) / (6 / 11), 1.0, (3 / 5) / (12 / 13), 1.0],
    }
    for col, vals in exact.items():
        np.testing.assert_allclose(y2[col].to_numpy(), vals, rtol=0, atol=1e-9)
    np.testing.assert_allclose(y2.sech * y2.pech, y2.effch, atol=1e-12)
    np.testing.assert_allclose(y2.pech * y2.techch_vrs * y2.sech_rd, y2.malmquist, atol=1e-9)
    y3 = res.xs(3, level="period")  # year 3 repeats year 2: every index is 1
    np.testing.assert_allclose(y3[["malmquist", "effch", "techch", "pech", "sech"]], 1.0, atol=1e-9)
    assert (res.status == "optimal").all()


@pytest.mark.parametrize("tag", ["eg4", "panel"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orient", ["in", "out"])
def test_against_benchmarking_malmq(tag, rts, orient):
    data = EG4 if tag == "eg4" else PANEL
    ref = pd.read_csv(RESULTS / f"benchmarking_malmq_{tag}_{rts}_{orient}.csv")
    ref = ref.set_index(["unit", "period"])
    orientation = "input" if orient == "in" else "output"
    inputs = [c for c in data.columns if c.startswith("x")]
    outputs = [c for c in data.columns if c.startswith("y")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        res = dea.Malmquist(
            data, inputs, outputs, unit="unit", period="period", rts=rts, orientation=orientation
        ).fit()
    got = res.loc[ref.index]
    # Benchmarking: Farrell measures (output: phi >= 1), e10 = period-1 obs vs period-0 tech
    conv = (lambda v: v) if orient == "in" else (lambda v: 1.0 / v)
    pairs = {
        "e00": "e_ff",
        "e01": "e_tf",
        "e10": "e_ft",
        "e11": "e_tt",
        "m": "malmquist",
        "tc": "techch",
        "ec": "effch",
    }
    for theirs, ours in pairs.items():
        expected = np.array(conv(ref[theirs].to_numpy(dtype=float)), copy=True)
        expected[~np.isfinite(expected) | (expected == 0)] = np.nan  # Benchmarking: Inf / NA
        np.testing.assert_allclose(
            got[ours].to_numpy(),
            expected,
            rtol=1e-6,
            atol=1e-9,
            equal_nan=True,
            err_msg=f"{theirs} vs {ours}",
        )
    if tag == "panel":
        # unbalanced: units missing in one period of a pair have a status, not a crash
        missing = res[res.status.str.startswith("missing")]
        assert len(missing) > 0 and missing.malmquist.isna().all()
        if rts == "vrs":  # Benchmarking's NA / Inf rows are infeasible cross-period LPs
            na = ref.index[~np.isfinite(ref.m)]
            assert len(na) > 0
            assert (~res.loc[na, "status"].isin(["optimal"])).all()
            assert res.loc[na, "status"].str.startswith("infeasible").all()


def test_identity_and_transitivity_of_pairs():
    """M = EC * TC; under CRS with scale, FGNZ and Ray-Desli both multiply to M."""
    res = dea.Malmquist(PANEL, ["x1", "x2"], ["y1", "y2"], unit="unit", period="period").fit()
    ok = res[res.status == "optimal"]
    np.testing.assert_allclose(ok.effch * ok.techch, ok.malmquist, rtol=1e-12)
    np.testing.assert_allclose(ok.pech * ok.sech, ok.effch, rtol=1e-12)
    rd = ok.dropna(subset=["sech_rd"])
    np.testing.assert_allclose(rd.pech * rd.techch_vrs * rd.sech_rd, rd.malmquist, rtol=1e-9)


def test_base_period_and_unit_invariance():
    base = dea.Malmquist(
        PANEL, ["x1", "x2"], ["y1", "y2"], unit="unit", period="period", base=2001, scale=False
    ).fit()
    assert sorted(set(base["from"])) == [2001]
    assert sorted(set(base.index.get_level_values("period"))) == [2002, 2003, 2004]
    # pair (2001, 2002) equals the consecutive index
    cons = dea.Malmquist(
        PANEL, ["x1", "x2"], ["y1", "y2"], unit="unit", period="period", scale=False
    ).fit()
    a = base.xs(2002, level="period").malmquist
    b = cons.xs(2002, level="period").malmquist
    pd.testing.assert_series_equal(a, b.loc[a.index])
    scaled = PANEL.assign(x1=PANEL.x1 * 1000.0, y2=PANEL.y2 / 7.0)
    res2 = dea.Malmquist(
        scaled, ["x1", "x2"], ["y1", "y2"], unit="unit", period="period", base=2001, scale=False
    ).fit()
    np.testing.assert_allclose(res2.malmquist, base.malmquist, rtol=1e-8, equal_nan=True)


def test_errors_name_the_culprit():
    dup = pd.concat([EG4, EG4.iloc[[3]]])
    with pytest.raises(dea.InputDataError, match=r"\(4, 1\)"):
        dea.Malmquist(dup, ["x"], ["y"], unit="unit", period="period")
    bad = EG4.astype({"x": float}).copy()
    bad.loc[6, "x"] = np.nan
    with pytest.raises(dea.InputDataError, match=r"'x'.*unit 2 in period 2"):
        dea.Malmquist(bad, ["x"], ["y"], unit="unit", period="period")
    with pytest.raises(dea.InputDataError, match="base=9"):
        dea.Malmquist(EG4, ["x"], ["y"], unit="unit", period="period", base=9)
    with pytest.raises(dea.InputDataError, match="'year'"):
        dea.Malmquist(EG4, ["x"], ["y"], unit="unit", period="year")
    with pytest.raises(dea.InputDataError, match="fewer than two periods"):
        dea.Malmquist(EG4[EG4.period == 1], ["x"], ["y"], unit="unit", period="period")


def test_user_data_not_mutated():
    before = PANEL.copy()
    dea.Malmquist(PANEL, ["x1", "x2"], ["y1"], unit="unit", period="period").fit()
    pd.testing.assert_frame_equal(PANEL, before)


@pytest.mark.parametrize(
    ("rts", "orientation", "base"),
    [
        ("crs", "input", None),
        ("crs", "output", 2002),
        ("vrs", "input", None),
        ("vrs", "output", 2003),
        ("nirs", "input", None),
        ("ndrs", "output", None),
    ],
)
def test_batch_method_equals_one_fit_per_distance_set(rts, orientation, base):
    """method="batch" (proven batched simplex, LPs for the rest) gives the distances and
    statuses of method="lp" (one Radial fit per set), infeasible VRS cross-period LPs
    and units missing in a period included."""
    kw = dict(unit="unit", period="period", rts=rts, orientation=orientation, base=base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        a = dea.Malmquist(PANEL, ["x1", "x2"], ["y1", "y2"], **kw).fit()
        b = dea.Malmquist(PANEL, ["x1", "x2"], ["y1", "y2"], method="lp", **kw).fit()
    num = [c for c in a.columns if c not in ("from", "status", "status_vrs")]
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), atol=1e-9)
    for col in ("status", "status_vrs"):
        if col in b:
            pd.testing.assert_series_equal(a[col], b[col])
    assert a[num].notna().to_numpy().sum() > 0.5 * a[num].size
    if rts == "vrs":
        assert (a.status.str.startswith("infeasible")).any()  # the fallback path ran


def test_method_must_be_known():
    with pytest.raises(dea.InputDataError, match="method"):
        dea.Malmquist(EG4, ["x"], ["y"], unit="unit", period="period", method="simplex")
