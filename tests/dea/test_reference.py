"""``dea`` against published and third-party reference results, for every LP backend.

The numbers and their sources are in ``tests/results/`` (see its README.md):

* PFT 1981 (Charnes, Cooper & Rhodes), 70 schools: Pyfrontier 1.1.1 scores, 6 decimals.
* The 11-unit "FLS" example: DataEnvelopmentAnalysis.jl test suite, 10 significant digits,
  scores and max-sum slacks; FDH scores checked by hand.
* DEAP 2.1 example 1 (Coelli 1996): printed CRS scores, slacks, targets, peers (3 decimals).
* CST (2007) Table 1.5 hospitals: Pyfrontier 1.1.1 scores.

Tolerances follow the printed precision.  ``scores`` are compared in the package's
convention (in (0, 1]); the sources print output orientation as phi >= 1, compared with
``result.phi``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dea

RESULTS = Path(__file__).resolve().parents[1] / "results"

BACKENDS = ["highs", "scipy", "pulp"]
RTS = ["crs", "vrs", "nirs", "ndrs"]
ORIENTATIONS = ["input", "output"]


def _read(name: str, index: str) -> pd.DataFrame:
    return pd.read_csv(RESULTS / f"{name}.csv", index_col=index)


def _fit(df, inputs, outputs, rts, orientation, solver, two_phase=True):
    return dea.Radial(
        df,
        inputs=inputs,
        outputs=outputs,
        rts=rts,
        orientation=orientation,
        two_phase=two_phase,
        solver=solver,
    ).fit()


def _farrell(res, orientation: str) -> pd.Series:
    """theta (input) or phi >= 1 (output), as the sources print them."""
    if orientation == "output":
        assert res.phi is not None
        np.testing.assert_allclose(res.phi.to_numpy(), 1.0 / res.scores.to_numpy(), rtol=1e-12)
        return res.phi
    return res.scores


# ------------------------------------------------------------------------------------------
# FLS 11-unit example (DataEnvelopmentAnalysis.jl test suite): scores 1e-8, slacks 1e-6
# ------------------------------------------------------------------------------------------
FLS = _read("fls11", "unit")
FLS_EXPECTED = pd.read_csv(RESULTS / "fls11_expected.csv")


@pytest.mark.parametrize("slack_sum", ["scaled", "unweighted"])
@pytest.mark.parametrize("solver", BACKENDS)
@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_fls11_scores_and_slacks(rts, orientation, solver, slack_sum):
    # The Julia reference slacks are max *unweighted* sums; on this data the max-slack
    # solution is unique, so the scaled rule gives them too.
    exp = FLS_EXPECTED[(FLS_EXPECTED.rts == rts) & (FLS_EXPECTED.orientation == orientation)]
    exp = exp.set_index("unit")
    res = dea.Radial(
        FLS, ["x1", "x2"], ["y"], rts=rts, orientation=orientation, solver=solver,
        slack_sum=slack_sum,
    ).fit()
    assert res.info["slack_sum"] == slack_sum
    assert (res.status == "optimal").all()
    got = _farrell(res, orientation)
    np.testing.assert_allclose(got.loc[exp.index], exp["efficiency"], atol=1e-8, rtol=0)
    sl = res.slacks.loc[exp.index]
    np.testing.assert_allclose(sl["x1"], exp["slack_x1"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(sl["x2"], exp["slack_x2"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(sl["y"], exp["slack_y"], atol=1e-6, rtol=0)


@pytest.mark.parametrize("solver", ["highs", "scipy"])
@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("rts", RTS)
def test_fls11_pyfrontier_all_rts(rts, orientation, solver):
    ref = _read("fls11_pyfrontier", "unit")[f"{rts}_{orientation}"]
    res = _fit(FLS, ["x1", "x2"], ["y"], rts, orientation, solver, two_phase=False)
    np.testing.assert_allclose(_farrell(res, orientation).loc[ref.index], ref, atol=1e-6)


@pytest.mark.parametrize("solver", ["highs", "scipy"])
def test_fls11_targets_follow_from_scores_and_slacks(solver):
    # Input orientation: target x = theta * x - s-, target y = y + s+ (CCR 1978 projection).
    res = _fit(FLS, ["x1", "x2"], ["y"], "crs", "input", solver)
    th = res.scores
    tg, sl = res.targets, res.slacks
    for c in ("x1", "x2"):
        np.testing.assert_allclose(tg[c], th * FLS[c] - sl[c], atol=1e-8)
    np.testing.assert_allclose(tg["y"], FLS["y"] + sl["y"], atol=1e-8)


def test_fls11_fdh_hand_checked():
    exp = _read("fls11_fdh_expected", "unit")
    res_in = dea.FDH(FLS, inputs=["x1", "x2"], outputs=["y"], orientation="input").fit()
    np.testing.assert_allclose(res_in.scores.loc[exp.index], exp["fdh_input"], atol=1e-12)
    res_out = dea.FDH(FLS, inputs=["x1", "x2"], outputs=["y"], orientation="output").fit()
    np.testing.assert_allclose(res_out.phi.loc[exp.index], exp["fdh_output_phi"], atol=1e-12)
    # the dominating unit (tie rule: largest slack sum) is the single peer of every unit
    assert res_in.peers.map(len).eq(1).all() and res_out.peers.map(len).eq(1).all()
    assert res_in.peers.str[0].loc[exp.index].tolist() == exp["dominating_unit_input"].tolist()
    assert res_out.peers.str[0].loc[exp.index].tolist() == exp["dominating_unit_output"].tolist()
    # U11 ties with itself and with U01 (same x1 and y, 4 less x2): U01, slack x2 = 4
    np.testing.assert_allclose(res_in.slacks.loc["U11"], [0.0, 4.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(res_out.slacks.loc["U11"], [0.0, 4.0, 0.0], atol=1e-12)


def test_fdh_not_below_vrs():
    # FDH technology is a subset of the VRS one: FDH input scores >= VRS input scores.
    fdh = dea.FDH(FLS, inputs=["x1", "x2"], outputs=["y"], orientation="input").fit()
    vrs = _fit(FLS, ["x1", "x2"], ["y"], "vrs", "input", "highs", two_phase=False)
    assert (fdh.scores >= vrs.scores - 1e-12).all()


# ------------------------------------------------------------------------------------------
# DEAP 2.1 example 1 (Coelli 1996): printed to 3 decimals
# ------------------------------------------------------------------------------------------
EG1 = _read("deap_eg1", "firm")
EG1_EXPECTED = _read("deap_eg1_expected", "firm")
EG1_PEERS = pd.read_csv(RESULTS / "deap_eg1_peers.csv")
PRINTED = 6e-4  # half a unit in the 3rd decimal, plus float slack


@pytest.mark.parametrize("solver", BACKENDS)
def test_deap_eg1_crs_input(solver):
    res = _fit(EG1, ["x1", "x2"], ["y"], "crs", "input", solver)
    e = EG1_EXPECTED
    np.testing.assert_allclose(res.scores.loc[e.index], e["te_crs_input"], atol=PRINTED)
    sl, tg = res.slacks.loc[e.index], res.targets.loc[e.index]
    for c in ("y", "x1", "x2"):
        np.testing.assert_allclose(sl[c], e[f"slack_{c}"], atol=PRINTED)
        np.testing.assert_allclose(tg[c], e[f"target_{c}"], atol=PRINTED)
    lam = res.lambdas.sparse.to_dense()
    for row in EG1_PEERS.itertuples():
        assert lam.loc[row.firm, row.peer] == pytest.approx(row.weight, abs=PRINTED)
    # peers are exactly the printed ones
    for firm, grp in EG1_PEERS.groupby("firm"):
        assert sorted(res.peers[firm]) == sorted(grp["peer"].tolist())


@pytest.mark.parametrize("solver", ["highs", "scipy"])
def test_deap_eg1_scale_efficiency(solver):
    ref = _read("deap_eg1_pyfrontier", "firm")
    se = dea.scale_efficiency(
        EG1, inputs=["x1", "x2"], outputs=["y"], orientation="input", solver=solver
    )
    np.testing.assert_allclose(se["crs"].loc[ref.index], ref["crs_input"], atol=1e-6)
    np.testing.assert_allclose(se["vrs"].loc[ref.index], ref["vrs_input"], atol=1e-6)
    expected = ref["crs_input"] / ref["vrs_input"]
    np.testing.assert_allclose(se["scale_efficiency"].loc[ref.index], expected, atol=2e-6)
    # DEAP's printed CRS scores (3 decimals) through the same call
    e = EG1_EXPECTED["te_crs_input"]
    np.testing.assert_allclose(se["crs"].loc[e.index], e, atol=PRINTED)


# ------------------------------------------------------------------------------------------
# Program Follow Through (70 schools) and CST hospitals: Pyfrontier 1.1.1, 6 decimals
# ------------------------------------------------------------------------------------------
PFT = _read("pft1981", "school")
PFT_REF = _read("pft1981_pyfrontier", "school")
PFT_IN = ["x1", "x2", "x3", "x4", "x5"]
PFT_OUT = ["y1", "y2", "y3"]
HOSP = _read("hospital12", "hospital")
HOSP_REF = _read("hospital12_pyfrontier", "hospital")
HOSP_IN = ["doctors", "nurses"]
HOSP_OUT = ["outpatients", "inpatients"]

# All rts with HiGHS; the slower backends on a subset (scipy rebuilds every LP, CBC
# (pulp) costs a subprocess per LP), keeping the folder fast.
PFT_CASES = (
    [
        pytest.param(rts, ori, "highs", id=f"{rts}-{ori}-highs")
        for rts in RTS
        for ori in ORIENTATIONS
    ]
    + [
        pytest.param(rts, ori, "scipy", id=f"{rts}-{ori}-scipy")
        for rts in ("crs", "vrs")
        for ori in ORIENTATIONS
    ]
    + [
        pytest.param("crs", "input", "pulp", id="crs-input-pulp"),
        pytest.param("vrs", "output", "pulp", id="vrs-output-pulp"),
    ]
)


@pytest.mark.parametrize(("rts", "orientation", "solver"), PFT_CASES)
def test_pft1981_scores(rts, orientation, solver):
    ref = PFT_REF[f"{rts}_{orientation}"]
    res = _fit(PFT, PFT_IN, PFT_OUT, rts, orientation, solver, two_phase=False)
    assert (res.status == "optimal").all()
    np.testing.assert_allclose(_farrell(res, orientation).loc[ref.index], ref, atol=1e-6)


def test_pft1981_scale_efficiency():
    se = dea.scale_efficiency(PFT, inputs=PFT_IN, outputs=PFT_OUT, orientation="input")
    expected = PFT_REF["crs_input"] / PFT_REF["vrs_input"]
    np.testing.assert_allclose(se["scale_efficiency"].loc[expected.index], expected, atol=2e-6)
    np.testing.assert_allclose(se["nirs"].loc[expected.index], PFT_REF["nirs_input"], atol=1e-6)
    # returns-to-scale class: constant where CRS == VRS, else increasing/decreasing by NIRS
    crs_eq_vrs = np.isclose(PFT_REF["crs_input"], PFT_REF["vrs_input"], atol=2e-6)
    assert (se.loc[crs_eq_vrs, "rts"] == "constant").all()
    assert se.loc[~crs_eq_vrs, "rts"].isin(["increasing", "decreasing"]).all()


@pytest.mark.parametrize("solver", BACKENDS)
@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_hospital12_scores(rts, orientation, solver):
    ref = HOSP_REF[f"{rts}_{orientation}"]
    res = _fit(HOSP, HOSP_IN, HOSP_OUT, rts, orientation, solver, two_phase=False)
    np.testing.assert_allclose(_farrell(res, orientation).loc[ref.index], ref, atol=1e-6)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("rts", ["nirs", "ndrs"])
def test_hospital12_nirs_ndrs(rts, orientation):
    ref = HOSP_REF[f"{rts}_{orientation}"]
    res = _fit(HOSP, HOSP_IN, HOSP_OUT, rts, orientation, "highs", two_phase=False)
    np.testing.assert_allclose(_farrell(res, orientation).loc[ref.index], ref, atol=1e-6)


SUPER_CASES = [
    ("hospital12", "hospital", HOSP_IN, HOSP_OUT),
    ("pft1981", "school", PFT_IN, PFT_OUT),
    ("fls11", "unit", ["x1", "x2"], ["y"]),
]


@pytest.mark.parametrize("solver", ["highs", "scipy"])
@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize(("name", "index", "inputs", "outputs"), SUPER_CASES)
def test_super_efficiency_crs(name, index, inputs, outputs, orientation, solver):
    data = _read(name, index)
    ref = _read(f"{name}_pyfrontier", index)[f"super_crs_{orientation}"]
    res = dea.Radial(
        data,
        inputs=inputs,
        outputs=outputs,
        rts="crs",
        orientation=orientation,
        super_efficiency=True,
        two_phase=False,
        solver=solver,
    ).fit()
    np.testing.assert_allclose(_farrell(res, orientation).loc[ref.index], ref, atol=1e-6)
    # super-efficient units score above 1 in both orientations (output: score = 1/phi)
    n_super = (ref > 1 + 1e-6).sum() if orientation == "input" else (ref < 1 - 1e-6).sum()
    assert n_super > 0
    assert (res.scores > 1 + 1e-6).sum() == n_super


def test_labels_and_order_are_the_users():
    # Reference rows shuffled: results follow the user's own index and order.
    shuffled = PFT.sample(frac=1.0, random_state=3)
    res = _fit(shuffled, PFT_IN, PFT_OUT, "crs", "input", "highs", two_phase=False)
    assert list(res.scores.index) == list(shuffled.index)
    np.testing.assert_allclose(res.scores, PFT_REF["crs_input"].loc[shuffled.index], atol=1e-6)
