"""Weight restrictions (assurance regions, absolute bounds) on ``dea.Radial``.

* R Benchmarking 0.33 ``dea.dual`` on the PFT 1981 data (70 schools), two sets of ratio
  bounds, CRS/VRS, input/output; script and numbers in ``tests/results/``
  (``make_benchmarking_restrictions.R``, ``benchmarking_restrictions.csv``).
* Hand-checked small cases (type I, type II, absolute bounds, infeasible units).
* Thompson, Langemeier, Lee, Lee & Thrall (1990)-style properties (hypothesis): the
  envelopment form with one column per restriction equals the restricted multiplier LP
  solved directly (scipy ``linprog``); restrictions met by a unit's own unrestricted
  weights leave its score unchanged; tighter bounds never raise a score; rescaling an
  input by ``c`` divides its weight, so ratio bounds ``v_a / v_b`` move to ``(L/c, U/c)``
  and scores are unchanged; backends agree.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import dea
from dea.exceptions import InfeasibleUnitWarning, InputDataError

RESULTS = Path(__file__).resolve().parents[1] / "results"
BACKENDS = ["highs", "scipy", "pulp"]
INS = ["x1", "x2", "x3", "x4", "x5"]
OUTS = ["y1", "y2", "y3"]
# the DUAL matrices of make_benchmarking_restrictions.R: ratios to the first input/output
R_DUALS = {
    "ar1": [(0.5, 2), (0.2, 5), (0.2, 5), (1, 20), (0.5, 2), (0.5, 2)],
    "ar2": [(1, 1.5), (0.1, 1), (0.5, 3), (5, 10), (0.8, 1.25), (0.2, 0.6)],
}


def _r_bounds(case: str) -> dict:
    pairs = [(x, "x1") for x in INS[1:]] + [(y, "y1") for y in OUTS[1:]]
    return dict(zip(pairs, R_DUALS[case], strict=True))


# ----------------------------------------------------------------------------------------
# (a) R Benchmarking 0.33 dea.dual
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", BACKENDS)
@pytest.mark.parametrize("case", ["ar1", "ar2"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_benchmarking_dea_dual(case, rts, orientation, solver):
    data = pd.read_csv(RESULTS / "pft1981.csv", index_col="school")[INS + OUTS]
    ref = pd.read_csv(RESULTS / "benchmarking_restrictions.csv")
    o = "in" if orientation == "input" else "out"
    ref = ref[(ref.case == case) & (ref.rts == rts) & (ref.orientation == o)]
    ref = ref.set_index("school").loc[data.index]
    res = dea.Radial(
        data,
        INS,
        OUTS,
        rts=rts,
        orientation=orientation,
        ratio_bounds=_r_bounds(case),
        solver=solver,
    ).fit()
    assert (res.status == "optimal").all()
    mine = res.scores if orientation == "input" else res.phi
    tol = 1e-9 if solver != "pulp" else 1e-7  # PuLP's CBC works to 1e-7 feasibility
    np.testing.assert_allclose(mine.to_numpy(), ref["eff"].to_numpy(), rtol=0, atol=tol)
    # restrictions hold at our weights (to solver tolerance), and they do bind: the
    # restricted scores are below the unrestricted ones for many schools
    w = res.weights
    for (a, b), (lo, hi) in _r_bounds(case).items():
        pos = w[b] > 1e-9
        ratio = w.loc[pos, a] / w.loc[pos, b]
        assert (ratio >= lo * (1 - 1e-6)).all() and (ratio <= hi * (1 + 1e-6)).all()
    free = dea.Radial(data, INS, OUTS, rts=rts, orientation=orientation).fit().scores
    assert (res.scores <= free + 1e-9).all()
    assert (res.scores < free - 1e-6).sum() >= 20
    # binding rows and duals are labelled by school and restriction; a positive dual binds
    duals, binding = res.restriction_duals, res.restriction_binding
    assert list(duals.index) == list(data.index)
    assert "x2/x1 >= 0.5" in duals.columns or "x2/x1 >= 1" in duals.columns
    assert (duals >= 0).all().all()
    assert binding.to_numpy(dtype=bool)[duals.to_numpy() > 1e-9].all()


def test_benchmarking_weights_where_unique():
    """Benchmarking's weights are one optimum; ours agree for units where the optimal
    weights are pinned down (every ratio restriction at a bound, i.e. the weights equal)."""
    data = pd.read_csv(RESULTS / "pft1981.csv", index_col="school")[INS + OUTS]
    ref = pd.read_csv(RESULTS / "benchmarking_restrictions.csv")
    ref = ref[(ref.case == "ar2") & (ref.rts == "crs") & (ref.orientation == "in")]
    ref = ref.set_index("school").loc[data.index]
    res = dea.Radial(data, INS, OUTS, rts="crs", ratio_bounds=_r_bounds("ar2")).fit()
    cols = INS + OUTS
    ours = res.weights[cols].to_numpy()
    theirs = ref[[f"v{i}" for i in range(1, 6)] + [f"u{r}" for r in range(1, 4)]].to_numpy()
    same = np.isclose(ours, theirs, rtol=1e-7, atol=1e-12).all(axis=1)
    # both are optimal multiplier solutions: same objective on the unit's own data
    X, Y = data[INS].to_numpy(), data[OUTS].to_numpy()
    np.testing.assert_allclose((theirs[:, 5:] * Y).sum(1), res.scores, atol=1e-9)
    np.testing.assert_allclose((theirs[:, :5] * X).sum(1), 1.0, atol=1e-9)
    assert same.sum() >= 35  # most schools have a unique restricted optimum


# ----------------------------------------------------------------------------------------
# (b) hand-checked cases
# ----------------------------------------------------------------------------------------
HAND = pd.DataFrame(
    {"x1": [1.0, 4.0, 4.0, 2.0], "x2": [4.0, 1.0, 4.0, 2.5], "y": [1.0, 1.0, 1.0, 1.0]},
    index=["A", "B", "C", "D"],
)


@pytest.mark.parametrize("solver", BACKENDS)
def test_type_one_by_hand(solver):
    """v1 / v2 >= 2, CRS input.  With r = v1 / v2 >= 2 the binding peer is A (r x1 + x2 is
    smallest at A for r >= 1.5), so score_o = max_{r >= 2} (r + 4) / (r x1_o + x2_o):
    B 6/9, C 6/12, D 6/6.5 (all at r = 2, the restriction binds), A 1.  Duals: relaxing
    ``2 v2 - v1 <= eps`` gives B (6 + 15 eps)/9, C (6 + 12 eps)/12, D (6 + 5.5 eps)/6.5,
    so d score / d eps = 5/3, 1, 11/13."""
    free = dea.Radial(HAND, ["x1", "x2"], ["y"], rts="crs", solver=solver).fit()
    np.testing.assert_allclose(free.scores, [1, 1, 16 / 28, 1], atol=1e-9)  # C: 2.2857/4
    res = dea.Radial(
        HAND,
        ["x1", "x2"],
        ["y"],
        rts="crs",
        ratio_bounds={("x1", "x2"): (2, None)},
        solver=solver,
    ).fit()
    np.testing.assert_allclose(res.scores, [1, 6 / 9, 0.5, 12 / 13], atol=1e-9)
    lab = "x1/x2 >= 2"
    assert list(res.restriction_duals.columns) == [lab]
    np.testing.assert_allclose(
        res.restriction_duals.loc[["B", "C", "D"], lab], [5 / 3, 1, 11 / 13], atol=1e-8
    )
    assert res.restriction_binding.loc[["B", "C", "D"], lab].all()
    np.testing.assert_allclose(res.weights.loc["B"], [2 / 9, 1 / 9, 2 / 3], atol=1e-9)
    # output orientation: phi = 1 / theta under CRS, same restriction
    out = dea.Radial(
        HAND,
        ["x1", "x2"],
        ["y"],
        rts="crs",
        orientation="output",
        ratio_bounds={("x1", "x2"): (2, None)},
        solver=solver,
    ).fit()
    np.testing.assert_allclose(out.scores, res.scores, atol=1e-9)


@pytest.mark.parametrize("solver", BACKENDS)
def test_type_two_by_hand(solver):
    """One input, one output, CRS: the unrestricted optimum has u / v = min_j x_j / y_j
    (= 1, unit A); u / v <= 0.5 binds and score_o = 0.5 y_o / x_o."""
    df = pd.DataFrame({"x": [1.0, 2.0, 4.0], "y": [1.0, 1.0, 2.0]}, index=["A", "B", "C"])
    res = dea.Radial(
        df, ["x"], ["y"], rts="crs", ratio_bounds={("y", "x"): (None, 0.5)}, solver=solver
    ).fit()
    np.testing.assert_allclose(res.scores, [0.5, 0.25, 0.25], atol=1e-9)
    assert res.restriction_binding["y/x <= 0.5"].all()
    w = res.weights
    np.testing.assert_allclose(w["y"] / w["x"], 0.5, atol=1e-9)


@pytest.mark.parametrize("solver", BACKENDS)
def test_absolute_bounds_by_hand_and_infeasible_units(solver):
    """CRS input, one input: v = 1 / x_o, so ``v <= 0.6`` leaves A (x = 1) no feasible
    weights (status, NaN, a warning naming the restriction); B and C keep their scores."""
    df = pd.DataFrame({"x": [1.0, 2.0, 4.0], "y": [1.0, 1.0, 2.0]}, index=["A", "B", "C"])
    with pytest.warns(InfeasibleUnitWarning, match=r"x <= 0\.6.*A"):
        res = dea.Radial(
            df, ["x"], ["y"], rts="crs", weight_bounds={"x": (None, 0.6)}, solver=solver
        ).fit()
    assert res.status.tolist() == ["restrictions_infeasible", "optimal", "optimal"]
    assert np.isnan(res.scores["A"])
    np.testing.assert_allclose(res.scores[["B", "C"]], [0.5, 0.5], atol=1e-9)
    assert res.restriction_binding.loc["A"].isna().all()
    # a lower bound on u that binds: u >= 0.4 with u y_j <= v x_j for all j; for C
    # (v = 1/4) u <= v * min(x/y) = 1/4 < 0.4: infeasible; A (v = 1): u = 1, score 1
    with pytest.warns(InfeasibleUnitWarning, match="restrictions"):
        low = dea.Radial(
            df, ["x"], ["y"], rts="crs", weight_bounds={"y": (0.4, None)}, solver=solver
        ).fit()
    assert low.status.tolist() == ["optimal", "optimal", "restrictions_infeasible"]
    np.testing.assert_allclose(low.scores[["A", "B"]], [1.0, 0.5], atol=1e-9)


def test_absolute_bounds_phase_two_keeps_the_optimum():
    """With absolute bounds the envelopment objective is theta + h'pi; phase 2 fixes that
    objective (not theta alone), so the slacks come from an optimal solution and the
    scores do not depend on ``two_phase``."""
    df = HAND.assign(y2=[1.0, 2.0, 1.0, 1.5])
    kw = dict(rts="vrs", weight_bounds={"x1": (0.05, 0.3), "y2": (0.1, None)})
    a = dea.Radial(df, ["x1", "x2"], ["y", "y2"], **kw).fit()
    b = dea.Radial(df, ["x1", "x2"], ["y", "y2"], two_phase=False, **kw).fit()
    np.testing.assert_allclose(a.scores, b.scores, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(
        a.scores,
        _multiplier(df, ["x1", "x2"], ["y", "y2"], "vrs", "input", kw["weight_bounds"], {}),
        atol=1e-8,
        equal_nan=True,
    )


# ----------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"ratio_bounds": {("x1", "x2"): (3, 2)}}, "lower 3 exceeds upper 2"),
        ({"ratio_bounds": {("x1", "x2"): (-1, 2)}}, "must be finite and >= 0"),
        ({"ratio_bounds": {("x1", "zz"): (1, 2)}}, "'zz'.*not among the inputs and outputs"),
        ({"ratio_bounds": {("x1", "x1"): (1, 2)}}, "compares 'x1' to itself"),
        ({"ratio_bounds": [("x1", "x2")]}, "must be a mapping"),
        ({"ratio_bounds": {("x1", "x2"): (2, None), ("x2", "x1"): (2, None)}}, "contradict"),
        ({"weight_bounds": {"x1": (2, 1)}}, "weight_bounds for 'x1': lower 2.0 exceeds"),
        ({"weight_bounds": {"q": (0, 1)}}, "weight_bounds names 'q'"),
        ({"weight_bounds": {"x1": (-1, 1)}}, "negative"),
        ({"weight_bounds": {"x1": 3}}, "must be a pair"),
        # a chain that forces every input weight to zero
        (
            {
                "ratio_bounds": {("x1", "x2"): (2, None), ("x2", "x1"): (None, 0.25)},
                "weight_bounds": {"x1": (None, 0)},
            },
            "force every input weight.*to zero",
        ),
        (
            {
                "weight_bounds": {"x1": (1, None)},
                "ratio_bounds": {("x2", "x1"): (None, 0.5)},
                "orientation": "graph",
            },
            "orientation='graph'",
        ),
        (
            {
                "weight_bounds": {"x1": (2, None), "x2": (None, 1)},
                "ratio_bounds": {("x1", "x2"): (None, 1)},
            },
            "contradict each other",
        ),
    ],
)
def test_bad_restrictions_are_clear_errors(kw, match):
    with pytest.raises(InputDataError, match=match):
        dea.Radial(HAND, ["x1", "x2"], ["y"], rts="crs", **kw)


def test_no_restrictions_means_no_restriction_frames():
    res = dea.Radial(HAND, ["x1", "x2"], ["y"]).fit()
    assert res.restriction_duals is None and res.restriction_binding is None
    assert "restrictions" not in repr(res)


def test_summary_counts_binding_units_and_export_names():
    model = dea.Radial(HAND, ["x1", "x2"], ["y"], rts="crs", ratio_bounds={("x1", "x2"): (2, None)})
    res = model.fit()
    assert "x1/x2 >= 2: 3" in repr(res) or "x1/x2 >= 2: 4" in repr(res)
    fam = model._lp_family()
    assert "restriction_x1/x2 >= 2" in fam.problem.col_names


def test_user_data_not_mutated():
    df = HAND.copy()
    rb = {("x1", "x2"): (2.0, None)}
    dea.Radial(df, ["x1", "x2"], ["y"], ratio_bounds=rb).fit()
    pd.testing.assert_frame_equal(df, HAND)
    assert rb == {("x1", "x2"): (2.0, None)}


# ----------------------------------------------------------------------------------------
# (d) properties
# ----------------------------------------------------------------------------------------
def _multiplier(df, ins, outs, rts, orientation, wb, rb):
    """The restricted multiplier LP solved directly with scipy (independent reference)."""
    X, Y = df[ins].to_numpy(float), df[outs].to_numpy(float)
    n, m = X.shape
    s = Y.shape[1]
    names = ins + outs
    k = m + s + 1  # v, u, free
    A_ub, b_ub = [], []
    for (a, b), (lo, hi) in rb.items():
        ia, ib = names.index(a), names.index(b)
        if hi is not None:
            row = np.zeros(k)
            row[ia] += 1
            row[ib] -= hi
            A_ub.append(row)
            b_ub.append(0.0)
        if lo is not None:
            row = np.zeros(k)
            row[ib] += lo
            row[ia] -= 1
            A_ub.append(row)
            b_ub.append(0.0)
    # the free term: 0 (CRS), free (VRS); NIRS <= 0 in input, >= 0 in output orientation
    # (the convexity row's dual), NDRS the other way round
    nonpos, nonneg = (None, 0), (0, None)
    free_bounds = {
        "crs": (0, 0),
        "vrs": (None, None),
        "nirs": nonpos if orientation == "input" else nonneg,
        "ndrs": nonneg if orientation == "input" else nonpos,
    }[rts]
    bounds = [(0, None)] * (m + s) + [free_bounds]
    for name, (lo, hi) in wb.items():
        j = names.index(name)
        bounds[j] = (lo if lo is not None else 0, hi)
    out = np.full(n, np.nan)
    for o in range(n):
        if orientation == "input":
            # max u y_o + free, v x_o = 1, u y_j - v x_j + free <= 0
            c = -np.concatenate([np.zeros(m), Y[o], [1.0]])
            rows = np.hstack([-X, Y, np.ones((n, 1))])
            eq = np.concatenate([X[o], np.zeros(s), [0.0]])
        else:
            # min v x_o + free, u y_o = 1, v x_j - u y_j + free >= 0
            c = np.concatenate([X[o], np.zeros(s), [1.0]])
            rows = -np.hstack([X, -Y, np.ones((n, 1))])
            eq = np.concatenate([np.zeros(m), Y[o], [0.0]])
        A = np.vstack([rows, *A_ub]) if A_ub else rows
        b = np.concatenate([np.zeros(n), b_ub])
        r = linprog(c, A_ub=A, b_ub=b, A_eq=eq[None], b_eq=[1.0], bounds=bounds, method="highs")
        if r.status == 0:
            val = -r.fun if orientation == "input" else r.fun
            out[o] = val if orientation == "input" else 1.0 / val
    return out


@st.composite
def _cases(draw):
    n = draw(st.integers(4, 9))
    m = draw(st.integers(1, 3))
    s = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, m)).round(2)
    Y = rng.uniform(1, 10, (n, s)).round(2)
    ins = [f"x{i}" for i in range(m)]
    outs = [f"y{r}" for r in range(s)]
    df = pd.DataFrame(np.hstack([X, Y]), columns=ins + outs, index=[f"u{j}" for j in range(n)])
    names = ins + outs
    pairs = []
    if m > 1:
        pairs.append((ins[0], ins[1]))  # type I
    if s > 1:
        pairs.append((outs[1], outs[0]))  # type I
    pairs.append((outs[0], ins[-1]))  # type II
    rb = {}
    for p in pairs:
        lo = draw(st.sampled_from([None, 0.1, 0.5, 1.0]))
        hi = draw(st.sampled_from([None, 1.0, 2.0, 5.0]))
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        rb[p] = (lo, hi)
    wb = {}
    if draw(st.booleans()):
        j = draw(st.sampled_from(names))
        wb[j] = (None, draw(st.sampled_from([0.05, 0.2, 1.0])))
    rts = draw(st.sampled_from(["crs", "vrs", "nirs", "ndrs"]))
    orientation = draw(st.sampled_from(["input", "output"]))
    return df, ins, outs, rb, wb, rts, orientation


def _fit(df, ins, outs, rts, orientation, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dea.Radial(df, ins, outs, rts=rts, orientation=orientation, **kw).fit()


def _fit_or_error(df, ins, outs, rts, orientation, **kw):
    try:
        return _fit(df, ins, outs, rts, orientation, **kw)
    except InputDataError:
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_envelopment_columns_equal_the_restricted_multiplier_lp(case):
    df, ins, outs, rb, wb, rts, orientation = case
    res = _fit_or_error(df, ins, outs, rts, orientation, ratio_bounds=rb, weight_bounds=wb)
    if res is None:
        return
    ref = _multiplier(df, ins, outs, rts, orientation, wb, rb)
    np.testing.assert_allclose(res.scores.to_numpy(), ref, rtol=1e-7, atol=1e-8, equal_nan=True)
    # where optimal, the weights meet every restriction
    ok = (res.status == "optimal").to_numpy()
    w = res.weights[ok]
    for (a, b), (lo, hi) in rb.items():
        if hi is not None:
            assert (w[a] - hi * w[b] <= 1e-7 * (1 + w[a].abs() + w[b].abs())).all()
        if lo is not None:
            assert (lo * w[b] - w[a] <= 1e-7 * (1 + w[a].abs() + w[b].abs())).all()
    for name, (_, hi) in wb.items():
        assert (w[name] <= hi * (1 + 1e-7) + 1e-12).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_tighter_bounds_never_raise_a_score(case):
    df, ins, outs, rb, _, rts, orientation = case
    loose = _fit_or_error(df, ins, outs, rts, orientation, ratio_bounds=rb)
    tight_rb = {}
    for p, (lo, hi) in rb.items():
        lo0, hi0 = (lo if lo is not None else 0.05), (hi if hi is not None else 20.0)
        lo1, hi1 = lo0 * 1.5, hi0 / 1.5
        if lo1 > hi1:  # stay inside the original interval
            lo1 = hi1 = float(np.sqrt(lo0 * hi0))
        tight_rb[p] = (lo1, hi1)
    tight = _fit_or_error(df, ins, outs, rts, orientation, ratio_bounds=tight_rb)
    free = _fit(df, ins, outs, rts, orientation)
    if loose is None or tight is None:
        return
    ok = (loose.status == "optimal") & (tight.status == "optimal")
    assert (tight.scores[ok] <= loose.scores[ok] + 1e-9).all()
    assert (loose.scores[ok] <= free.scores[ok] + 1e-9).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_bounds_met_by_own_unrestricted_weights_leave_the_score(case):
    """Bounds containing unit k's unrestricted optimal weight ratios keep w*_k feasible,
    so its restricted score (<= unrestricted) equals the unrestricted one."""
    df, ins, outs, _, _, rts, orientation = case
    free = _fit(df, ins, outs, rts, orientation)
    w = free.weights
    a, b = (ins[0], ins[1]) if len(ins) > 1 else (outs[0], ins[0])
    pos = (w[a] > 1e-9) & (w[b] > 1e-9)
    if pos.sum() == 0:
        return
    ratio = w.loc[pos, a] / w.loc[pos, b]
    lo, hi = float(ratio.min()) * (1 - 1e-9), float(ratio.max()) * (1 + 1e-9)
    res = _fit(df, ins, outs, rts, orientation, ratio_bounds={(a, b): (lo, hi)})
    np.testing.assert_allclose(res.scores[pos], free.scores[pos], atol=1e-8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases(), st.sampled_from([1e-3, 0.1, 7.0, 1e4]))
def test_rescaling_an_input_rescales_its_ratio_and_absolute_bounds(case, c):
    """x_a -> c x_a divides v_a by c: ``v_a / v_b`` bounds become (L/c, U/c), ``v_b / v_a``
    bounds (cL, cU), ``u_r / v_a`` (type II) (cL, cU), absolute ``v_a`` bounds (L/c, U/c);
    with those the scores are unchanged."""
    df, ins, outs, rb, wb, rts, orientation = case
    a = ins[0]
    df2 = df.copy()
    df2[a] = df2[a] * c

    def move(pair, f):
        lo, hi = pair
        return (None if lo is None else lo * f, None if hi is None else hi * f)

    rb2 = {}
    for (p, q), pair in rb.items():
        f = (1 / c if p == a else 1.0) * (c if q == a else 1.0)
        rb2[(p, q)] = move(pair, f)
    wb2 = {j: move(pair, 1 / c if j == a else 1.0) for j, pair in wb.items()}
    one = _fit_or_error(df, ins, outs, rts, orientation, ratio_bounds=rb, weight_bounds=wb)
    two = _fit_or_error(df2, ins, outs, rts, orientation, ratio_bounds=rb2, weight_bounds=wb2)
    assert (one is None) == (two is None)
    if one is None:
        return
    assert one.status.tolist() == two.status.tolist()
    np.testing.assert_allclose(two.scores, one.scores, rtol=1e-7, atol=1e-9, equal_nan=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_backends_agree(case):
    df, ins, outs, rb, wb, rts, orientation = case
    fits = [
        _fit_or_error(df, ins, outs, rts, orientation, ratio_bounds=rb, weight_bounds=wb, solver=sv)
        for sv in BACKENDS
    ]
    if fits[0] is None:
        return
    for other in fits[1:]:
        np.testing.assert_allclose(other.scores, fits[0].scores, atol=1e-7, equal_nan=True)
        assert other.status.tolist() == fits[0].status.tolist()


def _cg_case(n):
    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.uniform(1, 10, (n, 4)), columns=["x1", "x2", "y1", "y2"])
    kw = {
        "ratio_bounds": {("x1", "x2"): (0.5, 2), ("y2", "x1"): (None, 1.5)},
        "weight_bounds": {"y1": (0.01, None)},
    }
    return df, kw


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_column_generation_agrees_with_the_full_lp(orientation):
    """Above 200 units HiGHS prices lambda columns; the restriction columns stay in the
    working set, so pricing still certifies the full restricted LP's optimum."""
    df, kw = _cg_case(260)
    args = (df, ["x1", "x2"], ["y1", "y2"], "vrs", orientation)
    full = _fit(*args, screening="none", **kw)
    cg = _fit(*args, screening="pricing", **kw)
    assert cg.info["screening"] == "pricing"
    np.testing.assert_allclose(cg.scores, full.scores, atol=1e-9, equal_nan=True)
    assert cg.status.tolist() == full.status.tolist()
    # duals may be other optima at ties; the binding pattern of the unique ones agrees
    assert (cg.restriction_duals >= 0).all().all()


@pytest.mark.slow
def test_n_jobs_gives_identical_results():
    df, kw = _cg_case(400)
    args = (df, ["x1", "x2"], ["y1", "y2"], "vrs", "input")
    one = _fit(*args, **kw)
    two = _fit(*args, n_jobs=2, **kw)
    np.testing.assert_array_equal(one.scores, two.scores)
    np.testing.assert_array_equal(one.restriction_duals, two.restriction_duals)
    np.testing.assert_array_equal(one.restriction_binding, two.restriction_binding)


# ----------------------------------------------------------------------------------------
# DDF (assurance regions; absolute bounds are not offered)
# ----------------------------------------------------------------------------------------
def _ddf_multiplier(df, ins, outs, rts, G, rb):
    """min v x_k - u y_k + w  s.t.  v x_j - u y_j + w >= 0,  v g_x + u g_y = 1, AR rows."""
    X, Y = df[ins].to_numpy(float), df[outs].to_numpy(float)
    n, m = X.shape
    s = Y.shape[1]
    names = ins + outs
    k = m + s + 1
    A_ub, b_ub = [], []
    for (a, b), (lo, hi) in rb.items():
        ia, ib = names.index(a), names.index(b)
        for bound, lower in ((lo, True), (hi, False)):
            if bound is None:
                continue
            row = np.zeros(k)
            row[ia] += -1 if lower else 1
            row[ib] += bound if lower else -bound
            A_ub.append(row)
            b_ub.append(0.0)
    free_bounds = {"crs": (0, 0), "vrs": (None, None), "nirs": (0, None), "ndrs": (None, 0)}
    bounds = [(0, None)] * (m + s) + [free_bounds[rts]]
    out = np.full(n, np.nan)
    for o in range(n):
        c = np.concatenate([X[o], -Y[o], [1.0]])
        rows = -np.hstack([X, -Y, np.ones((n, 1))])
        A = np.vstack([rows, *A_ub]) if A_ub else rows
        eq = np.concatenate([G[o], [0.0]])[None]
        r = linprog(
            c,
            A_ub=A,
            b_ub=np.concatenate([np.zeros(n), b_ub]),
            A_eq=eq,
            b_eq=[1.0],
            bounds=bounds,
            method="highs",
        )
        if r.status == 0:
            out[o] = r.fun
    return out


@pytest.mark.parametrize("solver", BACKENDS)
def test_ddf_type_two_by_hand(solver):
    """x = (1, 2, 4), y = (1, 1, 2), CRS, g = (1, 1): beta = min over v + u = 1 of
    v x_k - u y_k with u / v <= min x / y = 1 free (beta = (x_k - y_k) / 2) and
    u / v <= 0.5 restricted (u = 1/3, v = 2/3: beta = (2 x_k - y_k) / 3)."""
    df = pd.DataFrame({"x": [1.0, 2.0, 4.0], "y": [1.0, 1.0, 2.0]}, index=["A", "B", "C"])
    free = dea.DDF(df, ["x"], ["y"], rts="crs", direction="unit", solver=solver).fit()
    np.testing.assert_allclose(free.scores, [0.0, 0.5, 1.0], atol=1e-9)
    res = dea.DDF(
        df,
        ["x"],
        ["y"],
        rts="crs",
        direction="unit",
        solver=solver,
        ratio_bounds={("y", "x"): (None, 0.5)},
    ).fit()
    np.testing.assert_allclose(res.scores, [1 / 3, 1.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(
        res.weights[["x", "y"]].to_numpy(), np.tile([2 / 3, 1 / 3], (3, 1)), atol=1e-9
    )
    assert res.restriction_binding["y/x <= 0.5"].all()
    assert (res.restriction_duals["y/x <= 0.5"] > 0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases(), st.sampled_from(["observed", "unit", "outputs"]))
def test_ddf_envelopment_columns_equal_the_restricted_multiplier_lp(case, direction):
    df, ins, outs, rb, _, rts, _ = case
    try:
        res = _fit_ddf(df, ins, outs, rts, direction, rb)
    except InputDataError:
        return
    d = res.direction.to_numpy()
    ref = _ddf_multiplier(df, ins, outs, rts, d, rb)
    np.testing.assert_allclose(res.scores.to_numpy(), ref, rtol=1e-7, atol=1e-8, equal_nan=True)
    free = _fit_ddf(df, ins, outs, rts, direction, None)
    ok = (res.status == "optimal") & (free.status == "optimal")
    assert (res.scores[ok] >= free.scores[ok] - 1e-9).all()  # restrictions add inefficiency


def _fit_ddf(df, ins, outs, rts, direction, rb, solver="highs"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dea.DDF(
            df, ins, outs, rts=rts, direction=direction, ratio_bounds=rb, solver=solver
        ).fit()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_ddf_backends_agree(case):
    df, ins, outs, rb, _, rts, _ = case
    try:
        fits = [_fit_ddf(df, ins, outs, rts, "observed", rb, sv) for sv in BACKENDS]
    except InputDataError:
        return
    for other in fits[1:]:
        np.testing.assert_allclose(other.scores, fits[0].scores, atol=1e-7, equal_nan=True)


def test_ddf_and_sbm_refuse_what_is_not_defined():
    df = HAND.assign(bad=[1.0, 2.0, 1.0, 3.0])
    with pytest.raises(InputDataError, match=r"weight_bounds.*not offered for DDF"):
        dea.DDF(HAND, ["x1", "x2"], ["y"], weight_bounds={"x1": (0.1, None)})
    with pytest.raises(InputDataError, match=r"ratio_bounds names undesirable output.*'bad'"):
        dea.DDF(
            df,
            ["x1", "x2"],
            ["y", "bad"],
            undesirable=["bad"],
            ratio_bounds={("bad", "y"): (None, 2)},
        )
    with pytest.raises(InputDataError, match="ratio_bounds names 'q'"):
        dea.DDF(HAND, ["x1", "x2"], ["y"], ratio_bounds={("q", "x1"): (None, 2)})
    for option in ("ratio_bounds", "weight_bounds"):
        with pytest.raises(InputDataError, match=f"{option}.*SBM"):
            dea.SBM(HAND, ["x1", "x2"], ["y"], **{option: {("x1", "x2"): (1, 2)}})


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_targets_are_lambda_combinations_shifted_by_the_restriction_columns(orientation):
    """Envelopment identity in user units: ``X lambda - R_v' pi + s- = theta x_k`` (input
    rows) and ``Y lambda + R_u' pi - s+ = y_k`` (output rows), with ``R`` the restriction
    rows as written in user weights (``2 w_x2 - w_x1 <= 0`` for ``x1/x2 >= 2``) and ``pi``
    = ``restriction_duals``; so targets lie in the technology widened by the columns."""
    df = HAND.assign(y2=[1.0, 2.0, 1.0, 1.5])
    ins, outs = ["x1", "x2"], ["y", "y2"]
    res = dea.Radial(
        df,
        ins,
        outs,
        rts="vrs",
        orientation=orientation,
        ratio_bounds={("x1", "x2"): (2, None), ("y2", "y"): (None, 0.5)},
    ).fit()
    R = np.array([[-1.0, 2.0, 0.0, 0.0], [0.0, 0.0, -0.5, 1.0]])  # rows on (v1, v2, u1, u2)
    lam = res.lambdas.sparse.to_dense().to_numpy()
    pi = res.restriction_duals.to_numpy()
    X, Y = df[ins].to_numpy(), df[outs].to_numpy()
    t = res.targets.to_numpy()
    np.testing.assert_allclose(lam @ X - pi @ R[:, :2], t[:, :2], atol=1e-8)
    np.testing.assert_allclose(lam @ Y + pi @ R[:, 2:], t[:, 2:], atol=1e-8)
    assert (res.restriction_duals.to_numpy() > 1e-6).any()


def test_ddf_column_generation_keeps_the_restriction_columns(monkeypatch):
    """DDF prices lambda columns above a size threshold (lowered here); the restriction
    columns stay in every working LP, so scores equal those of the full LPs (scipy)."""
    import dea.models._envelope as envelope

    monkeypatch.setattr(envelope, "_CG_MIN_UNITS", 40)
    df, kw = _cg_case(120)
    rb = kw["ratio_bounds"]
    cg = _fit_ddf(df, ["x1", "x2"], ["y1", "y2"], "vrs", "observed", rb)
    assert cg.info["screening"] == "pricing"
    full = _fit_ddf(df, ["x1", "x2"], ["y1", "y2"], "vrs", "observed", rb, solver="scipy")
    np.testing.assert_allclose(cg.scores, full.scores, atol=1e-9)
    free = _fit_ddf(df, ["x1", "x2"], ["y1", "y2"], "vrs", "observed", None)
    assert (cg.scores > free.scores + 1e-6).sum() >= 10
