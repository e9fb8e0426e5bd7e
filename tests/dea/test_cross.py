"""``dea.CrossEfficiency``: hand-checked cases, R deaR 1.5.3 reference values, first-stage
scores against ``dea.Radial``, per-unit status, errors, backends and invariants.

Reference files are in ``tests/results/`` (``dear_cross_*.csv`` from
``make_dear_cross.R``; see README section "Cross-efficiency").
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import io_names, random_frame
from hypothesis import given, settings
from hypothesis import strategies as st

import dea
import dea.models.cross as cross_mod

RESULTS = Path(__file__).resolve().parents[1] / "results"
DG_IN = ["Salaries", "Other_expenses"]
DG_OUT = ["Undergraduates", "Postgraduates", "Research_income", "Publications"]
BACKENDS = ["highs", "scipy", "pulp"]
TAGS = {
    "M2_agg": ("aggressive", "difference"),
    "M2_ben": ("benevolent", "difference"),
    "M3_agg": ("aggressive", "ratio"),
    "M3_ben": ("benevolent", "ratio"),
}


def _fit(df, ins, outs, **kw):
    return dea.CrossEfficiency(df, ins, outs, **kw).fit()


@pytest.fixture
def abc() -> pd.DataFrame:
    """One unit input; A(2, 0.5) and C(0.5, 2) span the frontier, B(1, 1) scores 0.8."""
    return pd.DataFrame(
        {"x": [1.0, 1.0, 1.0], "y1": [2.0, 1.0, 0.5], "y2": [0.5, 1.0, 2.0]},
        index=["A", "B", "C"],
    )


@pytest.fixture(scope="module")
def dg() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "doyle_green1994.csv", index_col="DMU")


# ----------------------------------------------------------------------------------------
# hand-checked
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("method", ["ratio", "difference"])
def test_hand_checked_three_units(abc, orientation, method):
    # B's target on A-C is (1.25, 1.25): theta_B = 0.8 with the unique weights u = (.4, .4).
    # A's optimal weights: u1 * 2 + u2 * 0.5 = 1 with u(C) <= 1, i.e. u2 in [0, 0.4]:
    # aggressive u = (0.5, 0) rates B 0.5, C 0.25; benevolent u = (0.4, 0.4) rates both 0.8, 1.
    kw = {"orientation": orientation, "method": method}
    agg = _fit(abc, ["x"], ["y1", "y2"], goal="aggressive", **kw)
    ben = _fit(abc, ["x"], ["y1", "y2"], goal="benevolent", **kw)
    np.testing.assert_allclose(agg.scores, [1.0, 0.8, 1.0], atol=1e-12)
    np.testing.assert_allclose(
        agg.matrix, [[1.0, 0.5, 0.25], [1.0, 0.8, 1.0], [0.25, 0.5, 1.0]], atol=1e-9
    )
    np.testing.assert_allclose(ben.matrix, [[1.0, 0.8, 1.0]] * 3, atol=1e-9)
    np.testing.assert_allclose(agg.mean, [2.25 / 3, 1.8 / 3, 2.25 / 3], atol=1e-9)
    np.testing.assert_allclose(agg.mean_peer, [0.625, 0.5, 0.625], atol=1e-9)
    np.testing.assert_allclose(agg.maverick, [0.6, 0.6, 0.6], atol=1e-9)
    np.testing.assert_allclose(ben.maverick, [0.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(agg.rater_mean, [0.375, 1.0, 0.375], atol=1e-9)
    # weights normalised to the rater's own virtual input (= 1) / virtual output (= 1)
    if orientation == "input":
        np.testing.assert_allclose(agg.weights.loc["A"], [1.0, 0.5, 0.0], atol=1e-9)
        np.testing.assert_allclose(ben.weights.loc["A"], [1.0, 0.4, 0.4], atol=1e-9)
    else:
        np.testing.assert_allclose(agg.weights.loc["B"], [1.25, 0.5, 0.5], atol=1e-9)
    assert list(agg.matrix.index) == list(agg.matrix.columns) == ["A", "B", "C"]
    assert list(agg.weights.columns) == ["x", "y1", "y2"]
    assert (agg.status == "optimal").all() and (agg.status_secondary == "optimal").all()


def test_simple_goal_has_no_second_stage(abc):
    res = _fit(abc, ["x"], ["y1", "y2"])
    assert (res.status_secondary == "").all()
    np.testing.assert_allclose(np.diag(res.matrix), [1.0, 0.8, 1.0], atol=1e-12)
    # B's weights are unique, so B's row is known whatever vertex the backend returns
    np.testing.assert_allclose(res.matrix.loc["B"], [1.0, 0.8, 1.0], atol=1e-9)


def test_vrs_free_variable_column(abc):
    res = _fit(abc, ["x"], ["y1", "y2"], rts="vrs", goal="benevolent")
    assert list(res.weights.columns) == ["x", "y1", "y2", "u0"]
    out = _fit(abc, ["x"], ["y1", "y2"], rts="vrs", orientation="output")
    assert list(out.weights.columns)[-1] == "v0"


# ----------------------------------------------------------------------------------------
# reference values: R deaR 1.5.3
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag", sorted(TAGS))
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_against_dear(dg, rts, orientation, tag):
    goal, method = TAGS[tag]
    oo = "io" if orientation == "input" else "oo"
    ref = pd.read_csv(RESULTS / f"dear_cross_{rts}_{oo}_{tag}.csv")
    ref = ref.pivot(index="rater", columns="rated", values="value").loc[dg.index, dg.index]
    R = ref.to_numpy()
    if orientation == "output":
        R = 1.0 / R  # deaR prints the output-oriented matrix as reciprocals (>= 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = _fit(dg, DG_IN, DG_OUT, rts=rts, orientation=orientation, goal=goal, method=method)
    unbounded = res.status_secondary == "unbounded"
    # deaR warns "Agressive Method II/III is unbounded for DMU ..." for some raters and caps
    # the weights at 1e10 (numbers that are artefacts of the cap); dea reports the status
    # "unbounded" and a NaN row for exactly the same raters.
    ub = pd.read_csv(RESULTS / "dear_cross_unbounded.csv")
    ub = ub[(ub.rts == rts) & (ub.orientation == oo) & (ub.method == tag)]
    assert set(res.status_secondary.index[unbounded]) == set(ub.unit)
    assert res.status_secondary.isin(["optimal", "unbounded"]).all()
    if unbounded.any():
        assert any(issubclass(w.category, dea.InfeasibleUnitWarning) for w in caught)
        assert res.matrix[unbounded.to_numpy()].isna().all().all()
    ok = ~unbounded.to_numpy()
    np.testing.assert_allclose(res.matrix.to_numpy()[ok], R[ok], rtol=1e-8, atol=1e-9)
    sc = pd.read_csv(RESULTS / "dear_cross_scores.csv")
    sc = sc[(sc.rts == rts) & (sc.orientation == oo) & (sc.method == tag)].set_index("unit")
    eff = sc.loc[dg.index, "eff"].to_numpy()
    np.testing.assert_allclose(res.scores, eff if oo == "io" else 1.0 / eff, rtol=1e-9)
    if ok.all() and orientation == "input":  # deaR's e (selfapp = FALSE) and maverick
        np.testing.assert_allclose(res.mean_peer, sc.loc[dg.index, "e"], rtol=1e-8)
        np.testing.assert_allclose(res.maverick, sc.loc[dg.index, "maverick"], rtol=1e-7)
        np.testing.assert_allclose(res.rater_mean, sc.loc[dg.index, "A"], rtol=1e-8)


def test_dear_unbounded_raters_are_named(dg):
    with pytest.warns(dea.InfeasibleUnitWarning, match="Department"):
        res = _fit(dg, DG_IN, DG_OUT, rts="vrs", goal="aggressive")
    bad = res.status_secondary != "optimal"
    assert set(res.status_secondary[bad]) == {"unbounded"}
    assert res.scores[bad].notna().all()  # the own score is still known
    assert res.secondary_objective[bad].isna().all()
    assert len(res.matrix) == len(dg)  # no unit dropped
    # the means skip the missing raters (and the warning said so)
    E = res.matrix.to_numpy().copy()
    np.testing.assert_allclose(res.mean, np.nanmean(E, axis=0), rtol=1e-12)
    np.fill_diagonal(E, np.nan)
    np.testing.assert_allclose(res.mean_peer, np.nanmean(E, axis=0), rtol=1e-12)


def test_failed_first_stage_is_a_status(abc):
    # HiGHS with a zero time limit stops every LP: statuses and NaN, no crash, no unit lost
    with pytest.warns(dea.InfeasibleUnitWarning, match="own-score.*time_limit.*'A', 'B', 'C'"):
        res = _fit(abc, ["x"], ["y1", "y2"], goal="aggressive", solver_options={"time_limit": 0.0})
    assert res.status.tolist() == ["time_limit"] * 3
    assert res.status_secondary.tolist() == [""] * 3
    assert res.matrix.isna().all().all() and res.scores.isna().all()
    assert list(res.matrix.index) == ["A", "B", "C"]


def test_array_input_with_labels(abc):
    res = dea.CrossEfficiency(
        None,
        abc[["x"]].to_numpy(),
        abc[["y1", "y2"]].to_numpy(),
        labels=["p", "q", "r"],
        goal="aggressive",
    ).fit()
    assert list(res.matrix.index) == list(res.matrix.columns) == ["p", "q", "r"]
    assert list(res.weights.columns) == ["x1", "y1", "y2"]
    np.testing.assert_allclose(res.mean_peer, [0.625, 0.5, 0.625], atol=1e-9)


# ----------------------------------------------------------------------------------------
# first stage = Radial
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
def test_first_stage_equals_radial(dg, rts, orientation):
    rad = dea.Radial(dg, DG_IN, DG_OUT, rts=rts, orientation=orientation).fit()
    res = _fit(dg, DG_IN, DG_OUT, rts=rts, orientation=orientation)
    np.testing.assert_allclose(res.scores, rad.scores, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(np.diag(res.matrix), rad.scores, rtol=1e-9, atol=1e-10)


def test_first_stage_equals_radial_crs_random():
    df = random_frame(3, 40, 3, 2)
    ins, outs = io_names(df)
    rad = dea.Radial(df, ins, outs, rts="crs").fit()
    for goal in cross_mod.GOALS:
        res = _fit(df, ins, outs, goal=goal)
        np.testing.assert_allclose(res.scores, rad.scores, rtol=1e-9, atol=1e-10)


# ----------------------------------------------------------------------------------------
# errors and size guard
# ----------------------------------------------------------------------------------------
def test_bad_options(abc):
    for kw, word in (
        ({"goal": "neutral"}, "goal"),
        ({"method": "sum"}, "method"),
        ({"rts": "grs"}, "rts"),
        ({"orientation": "graph"}, "orientation"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"form": "primal"}, "form"),
        ({"screen": "yes"}, "screen"),
    ):
        with pytest.raises(dea.InputDataError, match=word):
            dea.CrossEfficiency(abc, ["x"], ["y1", "y2"], **kw)


def test_too_few_units_and_bad_data(abc):
    with (
        pytest.raises(dea.InputDataError, match="at least 3 units"),
        pytest.warns(dea.FewUnitsWarning),
    ):
        dea.CrossEfficiency(abc.iloc[:2], ["x"], ["y1", "y2"])
    bad = abc.copy()
    bad.loc["B", "y1"] = np.nan
    with pytest.raises(dea.InputDataError, match=r"'y1'.*'B'"):
        dea.CrossEfficiency(bad, ["x"], ["y1", "y2"])


def test_size_guard(monkeypatch):
    monkeypatch.setattr(cross_mod, "MAX_UNITS", 10)
    df = random_frame(1, 11, 1, 1)
    with pytest.raises(dea.InputDataError, match=r"11 units.*allow_large=True"):
        dea.CrossEfficiency(df, ["x1"], ["y1"])
    res = dea.CrossEfficiency(df, ["x1"], ["y1"], allow_large=True).fit()
    assert res.matrix.shape == (11, 11)


def test_memory_is_one_matrix_plus_blocks(monkeypatch):
    # the n x n matrix is the only array of that size: it is assembled (with its means)
    # in blocks of raters; with blocks of 100 rows at n = 600 the fit's traced peak is
    # the matrix plus two blocks (1.33 x 8 n^2) plus O(n) arrays, against 3 x 8 n^2
    # when the matrix is built at once
    import tracemalloc

    monkeypatch.setattr(cross_mod, "_BLOCK", 100)
    df = random_frame(11, 600, 2, 2)
    ins, outs = io_names(df)
    model = dea.CrossEfficiency(df, ins, outs, goal="benevolent")
    tracemalloc.start()
    try:
        res = model.fit()
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    dense = 8 * 600**2
    assert res.matrix.shape == (600, 600)
    assert peak < 1.8 * dense, peak / dense
    assert kept < 1.2 * dense, kept / dense


def test_user_data_not_mutated(abc):
    before = abc.copy()
    _fit(abc, ["x"], ["y1", "y2"], goal="aggressive")
    pd.testing.assert_frame_equal(abc, before)


def test_summary_and_frame(abc):
    res = _fit(abc, ["x"], ["y1", "y2"], goal="aggressive")
    text = repr(res)
    assert "Cross-efficiency result" in text and "aggressive (ratio)" in text
    assert "<table>" in res._repr_html_()
    frame = res.to_frame()
    assert list(frame.index) == ["A", "B", "C"]
    assert frame.loc["B", "mean_peer"] == pytest.approx(0.5)


# ----------------------------------------------------------------------------------------
# backends and n_jobs
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", BACKENDS[1:])
@pytest.mark.parametrize("goal", ["aggressive", "benevolent"])
def test_backends_agree(dg, solver, goal):
    pytest.importorskip("pulp") if solver == "pulp" else None
    ref = _fit(dg, DG_IN, DG_OUT, goal=goal)
    res = _fit(dg, DG_IN, DG_OUT, goal=goal, solver=solver)
    np.testing.assert_allclose(res.scores, ref.scores, rtol=1e-8)
    np.testing.assert_allclose(res.secondary_objective, ref.secondary_objective, rtol=1e-7)
    np.testing.assert_allclose(res.matrix, ref.matrix, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", BACKENDS[1:])
def test_backends_agree_simple_scores(dg, solver):
    pytest.importorskip("pulp") if solver == "pulp" else None
    ref = _fit(dg, DG_IN, DG_OUT)
    res = _fit(dg, DG_IN, DG_OUT, solver=solver)
    np.testing.assert_allclose(res.scores, ref.scores, rtol=1e-8)
    # whatever vertex each backend picks, a column never exceeds the unit's own score
    assert (res.matrix.to_numpy() <= res.scores.to_numpy()[None, :] + 1e-8).all()


@pytest.mark.parametrize("method", ["ratio", "difference"])
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
def test_dual_and_multiplier_forms_agree(dg, rts, orientation, method):
    kw = {"rts": rts, "orientation": orientation, "method": method}
    for goal in ("aggressive", "benevolent"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
            a = _fit(dg, DG_IN, DG_OUT, goal=goal, form="dual", **kw)
            b = _fit(dg, DG_IN, DG_OUT, goal=goal, form="multiplier", **kw)
        pd.testing.assert_series_equal(a.status_secondary, b.status_secondary)
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-10)
        np.testing.assert_allclose(a.secondary_objective, b.secondary_objective, rtol=1e-8)
        np.testing.assert_allclose(a.matrix, b.matrix, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
def test_screening_gives_the_full_lp_results(dg, rts, orientation):
    # the frame (own score 1) carries every binding constraint: identical results
    kw = {"rts": rts, "orientation": orientation}
    for goal in ("aggressive", "benevolent"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
            a = _fit(dg, DG_IN, DG_OUT, goal=goal, screen=True, **kw)
            b = _fit(dg, DG_IN, DG_OUT, goal=goal, screen=False, **kw)
        pd.testing.assert_series_equal(a.status_secondary, b.status_secondary)
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-10)
        np.testing.assert_allclose(a.secondary_objective, b.secondary_objective, rtol=1e-8)
        np.testing.assert_allclose(a.matrix, b.matrix, rtol=1e-7, atol=1e-9)


def test_screening_re_solves_raters_that_violate_an_omitted_constraint(monkeypatch, dg):
    # a frame that wrongly leaves out frontier units: the check against all units catches
    # the raters whose weights violate an omitted constraint and re-solves them
    full = _fit(dg, DG_IN, DG_OUT, goal="benevolent", screen=False)
    frontier = np.flatnonzero(full.scores.to_numpy() == 1.0)
    monkeypatch.setattr(cross_mod.CrossEfficiency, "_frame", lambda self: frontier[:2])
    calls = []
    real = cross_mod.solve_family

    def spy(family, units=None, **kw):
        calls.append(len(units))
        return real(family, units, **kw)

    monkeypatch.setattr(cross_mod, "solve_family", spy)
    res = _fit(dg, DG_IN, DG_OUT, goal="benevolent", screen=True)
    assert len(calls) > 2  # some raters were re-solved against all units
    np.testing.assert_allclose(res.scores, full.scores, rtol=1e-10)
    np.testing.assert_allclose(res.matrix, full.matrix, rtol=1e-7, atol=1e-9)
    assert (res.matrix.to_numpy() <= res.scores.to_numpy()[None, :] + 1e-8).all()


def test_large_random_against_plain_linprog():
    # the benchmark's baseline loop, on 150 units: same criterion, same matrix
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_cross import linprog_cross
    from bench_dea import INPUTS, OUTPUTS, make_data

    df = make_data(250)  # above the screening threshold of 200 units
    res = _fit(df, INPUTS, OUTPUTS, goal="aggressive")
    E, crit = linprog_cross(df[INPUTS].to_numpy(), df[OUTPUTS].to_numpy(), "crs")
    np.testing.assert_allclose(res.secondary_objective, crit, rtol=1e-7)
    np.testing.assert_allclose(res.matrix, E, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("screen", [False, True])
def test_n_jobs_identical(screen):
    df = random_frame(5, 120, 2, 2)
    ins, outs = io_names(df)
    a = _fit(df, ins, outs, goal="aggressive", screen=screen)
    b = _fit(df, ins, outs, goal="aggressive", screen=screen, n_jobs=2)
    pd.testing.assert_frame_equal(a.matrix, b.matrix)
    pd.testing.assert_frame_equal(a.weights, b.weights)


# ----------------------------------------------------------------------------------------
# invariants (hypothesis)
# ----------------------------------------------------------------------------------------
SETTINGS = settings(max_examples=15, deadline=None)
seeds = st.integers(0, 2**31 - 1)
shapes = st.tuples(st.integers(6, 12), st.integers(1, 3), st.integers(1, 3))  # n >= m + s


@SETTINGS
@given(
    seed=seeds,
    shape=shapes,
    rts=st.sampled_from(["crs", "vrs"]),
    orientation=st.sampled_from(["input", "output"]),
    method=st.sampled_from(["ratio", "difference"]),
)
def test_means_bounded_by_own_score_and_goal_ordering(seed, shape, rts, orientation, method):
    df = random_frame(seed, *shape)
    ins, outs = io_names(df)
    kw = {"rts": rts, "orientation": orientation, "method": method}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        res = {g: _fit(df, ins, outs, goal=g, **kw) for g in cross_mod.GOALS}
    for r in res.values():
        E, own = r.matrix.to_numpy(), r.scores.to_numpy()
        ok = np.isfinite(E)
        # E[d, j] <= theta_j: rater d's weights are feasible in unit j's own LP
        assert (E[ok] <= np.broadcast_to(own[None, :], E.shape)[ok] + 1e-8).all()
        assert not (r.mean > r.scores + 1e-8).any() and not (r.mean_peer > r.scores + 1e-8).any()
        assert not (r.maverick[r.mean_peer > 0] < -1e-8).any()
        if rts == "crs" or orientation == "output":
            assert (E[ok] >= -1e-10).all()
    agg, simple, ben = (res[g].secondary_objective for g in ("aggressive", "simple", "benevolent"))
    both = agg.notna() & ben.notna()
    assert (agg[both] <= ben[both] + 1e-7).all()
    assert (agg[both] <= simple[both] + 1e-7).all() and (simple[both] <= ben[both] + 1e-7).all()


@SETTINGS
@given(
    seed=seeds,
    shape=shapes,
    col=st.integers(0, 5),
    power=st.integers(-5, 7),
    goal=st.sampled_from(["aggressive", "benevolent"]),
)
def test_unit_invariance(seed, shape, col, power, goal):
    df = random_frame(seed, *shape)
    ins, outs = io_names(df)
    cols = ins + outs
    scaled = df.copy()
    scaled[cols[col % len(cols)]] *= 10.0**power
    a = _fit(df, ins, outs, goal=goal)
    b = _fit(scaled, ins, outs, goal=goal)
    np.testing.assert_allclose(b.scores, a.scores, rtol=1e-7)
    np.testing.assert_allclose(b.secondary_objective, a.secondary_objective, rtol=1e-6)
    np.testing.assert_allclose(b.matrix, a.matrix, rtol=1e-6, atol=1e-8)


@SETTINGS
@given(
    seed=seeds, shape=shapes, perm_seed=seeds, goal=st.sampled_from(["aggressive", "benevolent"])
)
def test_permutation(seed, shape, perm_seed, goal):
    df = random_frame(seed, *shape)
    ins, outs = io_names(df)
    perm = np.random.default_rng(perm_seed).permutation(len(df))
    a = _fit(df, ins, outs, goal=goal)
    b = _fit(df.iloc[perm], ins, outs, goal=goal)
    np.testing.assert_allclose(b.scores.loc[a.scores.index], a.scores, rtol=1e-8)
    np.testing.assert_allclose(
        b.secondary_objective.loc[a.scores.index], a.secondary_objective, rtol=1e-6
    )
    np.testing.assert_allclose(
        b.matrix.loc[a.matrix.index, a.matrix.columns], a.matrix, rtol=1e-6, atol=1e-8
    )


# ----------------------------------------------------------------------------------------
# Lim & Zhu (2015) VRS correction
# ----------------------------------------------------------------------------------------
@pytest.fixture
def lz_toy() -> pd.DataFrame:
    """One input, one output; VRS frontier A(1, 1) - B(2, 3) - C(4, 4)."""
    return pd.read_csv(RESULTS / "lim_zhu_toy.csv", index_col="DMU")


@pytest.mark.parametrize("goal", cross_mod.GOALS)
@pytest.mark.parametrize("method", ["ratio", "difference"])
def test_lim_zhu_hand_checked(lz_toy, goal, method):
    # D(4, 2) projects to (1.5, 2), inside facet A-B (y = 2x - 1): its optimal weights are
    # unique, v = 1/4, u = 1/8, u0 = 1/8 (u y + u0 = v x on A and B), theta_D = 3/8.
    # E(5, 3.5) projects to (3, 3.5), inside facet B-C (x = 2y - 4): v = 1/5, u = 2/5,
    # u0 = -4/5, theta_E = 3/5.  Uncorrected, E rates A at (2/5 - 4/5) / (1/5) = -2;
    # corrected, u y_j / (v x_j - u0): A 0.4, B 1, C 1, D (4/5) / (8/5) = 0.5.
    kw = {"rts": "vrs", "goal": goal, "method": method}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        plain = _fit(lz_toy, ["x"], ["y"], **kw)
        corr = _fit(lz_toy, ["x"], ["y"], correction=True, **kw)
    np.testing.assert_allclose(plain.scores, [1, 1, 1, 0.375, 0.6], atol=1e-12)
    np.testing.assert_allclose(corr.scores, plain.scores, atol=0)
    np.testing.assert_allclose(plain.matrix.loc["D"], [1, 1, 0.625, 0.375, 0.45], atol=1e-9)
    np.testing.assert_allclose(plain.matrix.loc["E"], [-2, 1, 1, 0, 0.6], atol=1e-9)
    # D rates C at (4/8) / (1 - 1/8) = 4/7 and E at (3.5/8) / (5/4 - 1/8) = 7/18
    np.testing.assert_allclose(corr.matrix.loc["D"], [1, 1, 4 / 7, 0.375, 7 / 18], atol=1e-9)
    np.testing.assert_allclose(corr.matrix.loc["E"], [0.4, 1, 1, 0.5, 0.6], atol=1e-9)
    # weights in user units, normalised to the rater's own virtual input v x_E = 1
    np.testing.assert_allclose(corr.weights.loc["E"], [0.2, 0.4, -0.8], atol=1e-9)
    E = corr.matrix.to_numpy()
    ok = np.isfinite(E)
    assert (E[ok] >= -1e-12).all() and (E[ok] <= 1 + 1e-9).all()
    assert corr.correction and not plain.correction
    assert "Lim & Zhu" in repr(corr)


def test_lim_zhu_options(lz_toy):
    with pytest.raises(dea.InputDataError, match=r"correction=True.*orientation='input'"):
        dea.CrossEfficiency(lz_toy, ["x"], ["y"], rts="vrs", orientation="output", correction=True)
    with pytest.raises(dea.InputDataError, match="correction='yes'"):
        dea.CrossEfficiency(lz_toy, ["x"], ["y"], correction="yes")
    # CRS has no u0: the correction changes nothing
    a = _fit(lz_toy, ["x"], ["y"], goal="benevolent")
    b = _fit(lz_toy, ["x"], ["y"], goal="benevolent", correction=True)
    pd.testing.assert_frame_equal(a.matrix, b.matrix)
    assert not b.correction


@pytest.mark.parametrize("tag", sorted(TAGS))
@pytest.mark.parametrize("rts", ["vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("name", ["dg", "toy"])
def test_lim_zhu_against_dear(dg, lz_toy, name, rts, tag):
    # R deaR 1.5.3 cross_efficiency(..., orientation = "io", correction = TRUE), written by
    # tests/results/make_dear_cross_lim_zhu.R
    df, ins, outs = (dg, DG_IN, DG_OUT) if name == "dg" else (lz_toy, ["x"], ["y"])
    goal, method = TAGS[tag]
    ref = pd.read_csv(RESULTS / f"dear_cross_{name}_{rts}_io_{tag}_lz.csv")
    R = ref.pivot(index="rater", columns="rated", values="value").loc[df.index, df.index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        res = _fit(df, ins, outs, rts=rts, goal=goal, method=method, correction=True)
    ub = pd.read_csv(RESULTS / "dear_cross_lz_unbounded.csv")
    ub = ub[(ub.data == name) & (ub.rts == rts) & (ub.method == tag)]
    unbounded = res.status_secondary == "unbounded"
    assert set(res.status_secondary.index[unbounded]) == set(ub.unit)
    ok = ~unbounded.to_numpy()
    np.testing.assert_allclose(res.matrix.to_numpy()[ok], R.to_numpy()[ok], rtol=1e-8, atol=1e-9)


@SETTINGS
@given(
    seed=seeds,
    shape=shapes,
    rts=st.sampled_from(["vrs", "nirs", "ndrs"]),
    goal=st.sampled_from(cross_mod.GOALS),
    method=st.sampled_from(["ratio", "difference"]),
)
def test_lim_zhu_matrix_in_unit_interval(seed, shape, rts, goal, method):
    df = random_frame(seed, *shape)
    ins, outs = io_names(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        res = _fit(df, ins, outs, rts=rts, goal=goal, method=method, correction=True)
    E = res.matrix.to_numpy()
    ok = np.isfinite(E)
    assert (E[ok] >= -1e-9).all() and (E[ok] <= 1 + 1e-8).all()
    diag = np.diag(E)
    rated = np.isfinite(diag)  # a rater whose LPs were not both optimal has a NaN row
    np.testing.assert_array_equal(diag[rated], res.scores.to_numpy()[rated])
