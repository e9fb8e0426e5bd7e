"""Benefit-of-the-doubt model (dea.BoD).

Published reference: OECD/JRC (2008), Handbook on Constructing Composite Indicators,
Table 19 (p. 94), "Benefit of the doubt (BOD) approach applied to TAI": composite scores
of the 23 TAI countries (data ``tests/results/tai_oecd2008.csv``, Table A.2), min-max
normalised (Handbook eq. 19: "normalised (with the max-min method)"), with the restriction
of note 29, "each individual indicator should take at least 10% and no more than 15% of
the total weight", i.e. weight-share bounds 0.10 <= w_j / sum_k w_k <= 0.15. Scores are
printed to two decimals from data whose logged indicators are themselves rounded, so the
tolerance is 0.0075 (largest deviation found: Spain, 0.333 vs 0.34).

Other checks: a hand-solved 2-indicator case, the CCR output-oriented radial model with a
unit dummy input (``dea.Radial``), an independent envelopment-form LP solved with
``scipy.optimize.linprog``, and invariants (hypothesis).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

import dea
from dea.exceptions import InfeasibleUnitWarning, InputDataError
from dea.models.bod import BoD, PieShareZeroWarning

TAI = pd.read_csv(Path(__file__).parents[1] / "results" / "tai_oecd2008.csv", index_col=0)
TAI_MM = (TAI - TAI.min()) / (TAI.max() - TAI.min())
TABLE19_CI = {
    "Finland": 1, "United States": 1, "Sweden": 1, "Japan": 0.87, "Korea, Rep. of": 0.80,
    "Netherlands": 0.75, "United Kingdom": 0.71, "Canada": 0.73, "Australia": 0.66,
    "Singapore": 0.62, "Germany": 0.62, "Norway": 0.86, "Ireland": 0.60, "Belgium": 0.54,
    "New Zealand": 0.58, "Austria": 0.52, "France": 0.51, "Israel": 0.49, "Spain": 0.34,
    "Italy": 0.38, "Czech Republic": 0.31, "Hungary": 0.27, "Slovenia": 0.28,
}
# Table 19, weight columns (patents, royalties, internet, exports, telephones, electricity,
# schooling, university) of the units below the frontier; the three frontier units have
# multiple optimal weight vectors (as the Handbook says), so they are not compared.
TABLE19_W = {
    "Japan": [0.22, 0.15, 0.15, 0.22, 0.22, 0.16, 0.21, 0.15],
    "Korea, Rep. of": [0.22, 0.14, 0.14, 0.22, 0.14, 0.14, 0.22, 0.22],
    "Netherlands": [0.22, 0.22, 0.14, 0.22, 0.22, 0.14, 0.14, 0.14],
    "United Kingdom": [0.14, 0.21, 0.14, 0.21, 0.21, 0.14, 0.20, 0.15],
    "Canada": [0.14, 0.14, 0.14, 0.21, 0.21, 0.21, 0.21, 0.14],
    "Australia": [0.13, 0.13, 0.20, 0.13, 0.13, 0.20, 0.20, 0.20],
    "Singapore": [0.14, 0.14, 0.14, 0.20, 0.20, 0.20, 0.14, 0.20],
    "Germany": [0.22, 0.15, 0.15, 0.22, 0.21, 0.15, 0.22, 0.15],
    "Norway": [0.14, 0.14, 0.20, 0.14, 0.20, 0.20, 0.20, 0.14],
    "Ireland": [0.14, 0.21, 0.14, 0.21, 0.21, 0.14, 0.20, 0.15],
    "Belgium": [0.14, 0.16, 0.14, 0.21, 0.19, 0.21, 0.21, 0.14],
    "New Zealand": [0.21, 0.14, 0.21, 0.14, 0.14, 0.21, 0.21, 0.14],
    "Austria": [0.22, 0.14, 0.14, 0.22, 0.22, 0.22, 0.14, 0.14],
    "France": [0.22, 0.14, 0.14, 0.22, 0.22, 0.22, 0.14, 0.14],
    "Israel": [0.21, 0.15, 0.15, 0.22, 0.22, 0.15, 0.22, 0.15],
    "Spain": [0.21, 0.14, 0.14, 0.21, 0.21, 0.14, 0.14, 0.21],
    "Italy": [0.22, 0.14, 0.14, 0.22, 0.22, 0.22, 0.14, 0.14],
    "Czech Republic": [0.22, 0.15, 0.15, 0.22, 0.15, 0.22, 0.22, 0.15],
    "Hungary": [0.22, 0.14, 0.21, 0.22, 0.14, 0.14, 0.22, 0.15],
    "Slovenia": [0.22, 0.14, 0.14, 0.22, 0.22, 0.22, 0.14, 0.14],
}
# For these three our optimum is unique (min = max of every weight at the optimal score,
# checked with scipy.optimize.linprog) and the scores agree with Table 19, but the printed
# weights differ by up to 0.07: a misprint or the Handbook's unrounded data; not compared.
TABLE19_W_DIFFER = ("Canada", "Belgium", "Israel")
SOLVERS = ["highs", "scipy", "pulp"]


def _fit(data, **kw):
    return BoD(data, indicators=list(data.columns), **kw).fit()


@pytest.mark.parametrize("solver", SOLVERS)
def test_handbook_table19(solver):
    res = _fit(TAI_MM, share_bounds=(0.10, 0.15), solver=solver)
    expected = pd.Series(TABLE19_CI, dtype=float)
    np.testing.assert_allclose(res.scores[expected.index], expected, atol=0.0075)
    shares = res.weights.div(res.weights.sum(axis=1), axis=0)
    assert (shares.to_numpy() >= 0.10 - 1e-9).all() and (shares.to_numpy() <= 0.15 + 1e-9).all()
    assert (res.status == "optimal").all()
    printed = pd.DataFrame(TABLE19_W, index=TAI_MM.columns).T.drop(list(TABLE19_W_DIFFER))
    np.testing.assert_allclose(res.weights.loc[printed.index], printed, atol=0.011)


def test_hand_checked_two_indicators():
    # A, B, C lie on y1 + y2 = 1 (the frontier); D and E on y1 + y2 = 0.8 -> 0.8.
    data = pd.DataFrame(
        {"y1": [1.0, 0.0, 0.5, 0.4, 0.6], "y2": [0.0, 1.0, 0.5, 0.4, 0.2]},
        index=list("ABCDE"),
    )
    res = _fit(data)
    np.testing.assert_allclose(res.scores.to_numpy(), [1, 1, 1, 0.8, 0.8], atol=1e-9)
    # E (0.6, 0.2): the only optimum is w = (1, 1); pie shares 0.75 / 0.25
    np.testing.assert_allclose(res.weights.loc["E"].to_numpy(), [1, 1], atol=1e-9)
    np.testing.assert_allclose(res.pie_shares.loc["E"].to_numpy(), [0.75, 0.25], atol=1e-9)
    # every unit's own optimal weights are feasible for all units
    assert (res.weights.to_numpy() @ data.to_numpy().T <= 1 + 1e-9).all()
    # one summary() drives the text and the HTML display (as for DEAResult)
    text = repr(res)
    assert text.startswith("BoD result\n==========")
    assert "at the frontier (score = 1)  3" in text
    rows = dict(res.summary()["rows"])
    assert rows["units"] == 5 and rows["not optimal"] == 0
    assert rows["mean score"] == pytest.approx(0.92)
    np.testing.assert_allclose(res.summary()["table"]["score"], [0.8, 0.8, 1, 1, 1])
    html = res._repr_html_()
    assert "<strong>BoD result</strong>" in html and "at the frontier (score = 1)" in html
    assert html.count("<table") == 2


def test_equals_radial_ccr_output_with_dummy_input():
    radial = dea.Radial(
        TAI_MM.assign(one=1.0), inputs=["one"], outputs=list(TAI_MM.columns),
        rts="crs", orientation="output",
    ).fit()
    res = _fit(TAI_MM)
    np.testing.assert_allclose(res.scores.to_numpy(), radial.scores.to_numpy(), atol=1e-8)


def _envelopment_scores(Y: np.ndarray) -> np.ndarray:
    """max phi s.t. sum_k lam_k y_k >= phi y_o, sum_k lam_k <= 1 (dummy input); 1/phi."""
    n, m = Y.shape
    out = []
    for o in range(n):
        c = np.zeros(n + 1)
        c[0] = -1.0
        A = np.zeros((m + 1, n + 1))
        A[:m, 0] = Y[o]
        A[:m, 1:] = -Y.T
        A[m, 1:] = 1.0
        b = np.zeros(m + 1)
        b[m] = 1.0
        r = linprog(c, A_ub=A, b_ub=b, bounds=[(0, None)] * (n + 1), method="highs")
        out.append(1.0 / r.x[0] if r.x[0] > 0 else 0.0)
    return np.array(out)


def test_equals_envelopment_form_tai():
    res = _fit(TAI_MM + 0.01)  # strictly positive so phi is finite for every unit
    np.testing.assert_allclose(
        res.scores.to_numpy(), _envelopment_scores(TAI_MM.to_numpy() + 0.01), atol=1e-8
    )
    assert res.scores.max() == pytest.approx(1.0)


def test_zero_unit_scores_zero_and_no_pie_shares():
    data = pd.DataFrame({"a": [1.0, 0.0, 0.5], "b": [0.2, 0.0, 1.0]}, index=["x", "y", "z"])
    res = _fit(data)
    assert res.scores["y"] == 0
    assert res.pie_shares.loc["y"].isna().all()


def test_unit_scaling_invariance_and_row_permutation():
    base = _fit(TAI_MM).scores
    scaled = _fit(TAI_MM * np.linspace(0.5, 7, 8)).scores
    np.testing.assert_allclose(scaled.to_numpy(), base.to_numpy(), atol=1e-8)
    perm = _fit(TAI_MM.iloc[::-1]).scores
    np.testing.assert_allclose(perm[base.index].to_numpy(), base.to_numpy(), atol=1e-9)


@pytest.mark.parametrize("c", [1e-30, 1e-6, 1e6, 1e30])
def test_any_data_magnitude(c):
    # hypothesis found all-equal values of 4.7e-37 scoring 0 before data were scaled
    base = _fit(TAI_MM, weight_bounds={"internet": (0.05, 0.2)})
    res = _fit(TAI_MM * c, weight_bounds={"internet": (0.05 / c, 0.2 / c)})
    np.testing.assert_allclose(res.scores, base.scores, atol=1e-8)
    np.testing.assert_allclose(res.weights * c, base.weights, rtol=1e-6, atol=1e-9)
    tiny = pd.DataFrame(np.full((3, 2), 4.7e-37), columns=["a", "b"])
    np.testing.assert_allclose(_fit(tiny).scores, 1.0)


def test_backends_agree_and_n_jobs():
    kw = {"pie_share_bounds": (0.05, 0.4)}
    data = TAI_MM + 0.02
    a = _fit(data, **kw).scores
    for solver in ("scipy", "pulp"):
        for form in ("envelopment", "multiplier"):
            np.testing.assert_allclose(
                _fit(data, solver=solver, form=form, **kw).scores, a, atol=1e-7
            )
    np.testing.assert_allclose(_fit(data, n_jobs=2, **kw).scores, a, atol=1e-12)


RESTRICTIONS = [
    {},
    {"share_bounds": (0.10, 0.15)},
    {"weight_bounds": {"internet": (0.05, 0.2), "patents": (None, 0.3)}},
    {"ratio_bounds": {("patents", "royalties"): (0.5, 2.0), ("schooling", "internet"): (1, None)}},
    {"pie_share_bounds": (0.05, 0.3)},
    {"pie_share_bounds": {"patents": (0.1, 0.5), "exports": (None, 0.2)},
     "pie_share_at": "average"},
]


@pytest.mark.parametrize("kw", RESTRICTIONS)
def test_envelopment_and_multiplier_forms_agree(kw):
    data = TAI_MM + 0.03
    env = _fit(data, form="envelopment", **kw)
    mul = _fit(data, form="multiplier", **kw)
    np.testing.assert_allclose(env.scores, mul.scores, atol=1e-8)
    Y = data.to_numpy()
    for res in (env, mul):
        W = res.weights.to_numpy()
        np.testing.assert_allclose((W * Y).sum(axis=1), res.scores, atol=1e-8)
        assert (W @ Y.T <= 1 + 1e-8).all() and (W >= -1e-12).all()
    with pytest.raises(InputDataError, match="form must be"):
        _fit(data, form="primal")


@pytest.mark.parametrize("at", ["own", "average"])
def test_pie_share_bounds_honoured(at):
    data = TAI_MM + 0.05
    res = _fit(data, pie_share_bounds={"patents": (0.2, None), "internet": (None, 0.05),
                                       "schooling": (0.1, 0.3)}, pie_share_at=at)
    W = res.weights.to_numpy()
    ref = data.to_numpy() if at == "own" else np.tile(data.mean().to_numpy(), (len(data), 1))
    pie = W * ref / (W * ref).sum(axis=1, keepdims=True)
    pie = pd.DataFrame(pie, index=data.index, columns=data.columns)
    tol = 1e-7
    assert (pie["patents"] >= 0.2 - tol).all()
    assert (pie["internet"] <= 0.05 + tol).all()
    assert ((pie["schooling"] >= 0.1 - tol) & (pie["schooling"] <= 0.3 + tol)).all()
    unrestricted = _fit(data).scores
    assert (res.scores <= unrestricted + 1e-9).all()
    assert (res.scores < unrestricted - 1e-6).any()  # the bounds bind somewhere


def test_pie_share_trap_warns_and_scores_zero():
    data = TAI_MM  # min-max: every indicator has a zero for its worst country
    worst_patents = data["patents"].idxmin()
    with pytest.warns(PieShareZeroWarning, match=repr(worst_patents)):
        res = _fit(data, pie_share_bounds=(0.05, None))
    assert res.scores[worst_patents] == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", PieShareZeroWarning)
        avg = _fit(data, pie_share_bounds=(0.05, None), pie_share_at="average")
    assert avg.scores[worst_patents] > 0


def test_ratio_and_weight_bounds_honoured():
    res = _fit(TAI_MM, ratio_bounds={("patents", "royalties"): (0.5, 2.0)})
    wp, wr = res.weights["patents"], res.weights["royalties"]
    # 0.5 <= wp / wr <= 2, written linearly (both may be zero)
    assert (wp - 0.5 * wr >= -1e-9).all() and (wp - 2.0 * wr <= 1e-9).all()
    assert ((wp > 0) & (wr > 0)).any()
    res = _fit(TAI_MM, weight_bounds={"internet": (0.05, 0.2)})
    w = res.weights["internet"]
    assert ((w >= 0.05 - 1e-9) & (w <= 0.2 + 1e-9)).all()


def test_infeasible_absolute_bounds_give_nan_and_warning():
    with pytest.warns(InfeasibleUnitWarning, match="not solved to optimality"):
        res = _fit(TAI_MM, weight_bounds=(5.0, None))  # 5 * 8 indicators > 1 for Finland
    assert res.scores.isna().all()
    assert (res.status == "infeasible").all()


def test_restriction_errors_before_solving():
    with pytest.raises(InputDataError, match=r"share_bounds: the lower bounds sum to 1.6 > 1"):
        _fit(TAI_MM, share_bounds=(0.2, 0.5))
    with pytest.raises(InputDataError, match=r"pie_share_bounds: the upper bounds sum to 0.8 < 1"):
        _fit(TAI_MM, pie_share_bounds=(None, 0.1))
    with pytest.raises(InputDataError, match=r"lower 0\.3 exceeds upper 0\.2"):
        _fit(TAI_MM, share_bounds={"patents": (0.3, 0.2)})
    with pytest.raises(InputDataError, match="'bogus', which are not among"):
        _fit(TAI_MM, pie_share_bounds={"bogus": (0.1, 0.2)})
    with pytest.raises(InputDataError, match="compares 'patents' to itself"):
        _fit(TAI_MM, ratio_bounds={("patents", "patents"): (1, 2)})
    with pytest.raises(InputDataError, match="'royalties' / 'patents' contradict each other"):
        _fit(TAI_MM, ratio_bounds={("patents", "royalties"): (2, None),
                                   ("royalties", "patents"): (1, None)})
    _fit(TAI_MM, ratio_bounds={("patents", "royalties"): (2, None),
                               ("royalties", "patents"): (0.25, 0.5)})  # consistent: no error
    with pytest.raises(InputDataError, match="pie_share_at must be"):
        _fit(TAI_MM, pie_share_bounds=(0.0, 0.5), pie_share_at="median")
    with pytest.raises(InputDataError, match="not a known backend"):
        _fit(TAI_MM, solver="gurobi-by-mail")


def test_data_errors():
    bad = TAI_MM.copy()
    bad.loc["Japan", "internet"] = -0.1
    with pytest.raises(InputDataError, match="'internet' is negative for units 'Japan'"):
        _fit(bad)
    bad.loc["Japan", "internet"] = np.nan
    with pytest.raises(InputDataError, match="'internet' has missing"):
        _fit(bad)
    with pytest.raises(InputDataError, match="'nope' not found"):
        BoD(TAI_MM, indicators=["patents", "nope"]).fit()
    with pytest.raises(InputDataError, match="duplicate unit labels"):
        _fit(pd.concat([TAI_MM.iloc[:2], TAI_MM.iloc[:1]]))
    with pytest.raises(InputDataError, match="zero for every unit"):
        _fit(TAI_MM.assign(patents=0.0))


def test_user_data_not_mutated():
    data = TAI_MM.copy()
    _fit(data, pie_share_bounds=(0.05, 0.5), pie_share_at="average")
    pd.testing.assert_frame_equal(data, TAI_MM)


# ---------------------------------------------------------------------------------------------
# invariants (hypothesis)
# ---------------------------------------------------------------------------------------------
_data = arrays(np.float64, st.tuples(st.integers(3, 9), st.integers(2, 4)),
               elements=st.floats(0.0, 10.0, allow_nan=False, width=32))


def _frame(Y):
    Y = Y.copy()
    Y[:, Y.max(axis=0) == 0] = 1.0  # no all-zero indicator
    return pd.DataFrame(Y, columns=[f"i{j}" for j in range(Y.shape[1])])


@settings(max_examples=30, deadline=None)
@given(_data, st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4))
def test_property_bounds_and_fixed_weights(Y, wraw):
    data = _frame(Y)
    res = _fit(data)
    s = res.scores.to_numpy()
    assert ((s >= -1e-12) & (s <= 1 + 1e-12)).all()
    assert s.max() == pytest.approx(1.0, abs=1e-7)
    # BoD score >= score under any fixed weights made feasible (max over units = 1)
    w = np.asarray(wraw[: data.shape[1]]) + 1e-3
    fixed = data.to_numpy() @ w
    fixed = fixed / fixed.max()
    assert (s >= fixed - 1e-7).all()


@settings(max_examples=25, deadline=None)
@given(_data, st.floats(0.0, 0.3))
def test_property_restricted_not_above_unrestricted(Y, low):
    data = _frame(Y)
    m = data.shape[1]
    low = min(low, 1.0 / m)
    free = _fit(data).scores
    for kw in ({"share_bounds": (low, None)},
               {"pie_share_bounds": (low, None), "pie_share_at": "average"}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PieShareZeroWarning)
            restricted = _fit(data, **kw).scores
        assert (restricted <= free + 1e-8).all()


def test_options_list_matches_the_signature():
    # BoD.OPTIONS lets wrappers (weighting.weights.BoDWeights) forward every option
    import inspect

    params = inspect.signature(dea.BoD.__init__).parameters
    kw_only = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert kw_only == ["indicators", *dea.BoD.OPTIONS]
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}, index=["p", "q"])
    model = dea.BoD(df, indicators=["a", "b"], share_bounds=(0.1, 0.9), n_jobs=2)
    assert model.share_bounds == (0.1, 0.9) and model.n_jobs == 2 and model.form == "auto"
    clone = dea.BoD(df, indicators=["a", "b"], **{k: getattr(model, k) for k in model.OPTIONS})
    np.testing.assert_allclose(clone.fit().scores, model.fit().scores)


# -- issue 13, defect 1: scores do not depend on the units of the indicators ----------------
_UNITS8 = pd.DataFrame(
    np.random.default_rng(0).uniform(0.1, 1.0, (8, 2)), columns=["a", "b"], index=list("ABCDEFGH")
)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"pie_share_bounds": (0.2, 0.8)},
        {"pie_share_bounds": (0.2, 0.8), "pie_share_at": "average"},
        {"pie_share_bounds": {"a": (0.3, None)}, "form": "multiplier"},
    ],
    ids=["none", "pie_own", "pie_average", "pie_multiplier"],
)
@pytest.mark.parametrize("solver", ["highs", "scipy"])
def test_bod_invariant_to_indicator_units(kw, solver):
    # was: 0.998 -> 0.272 with all units "optimal" once a was in 1e9 and b in 1e-9 units
    base = _fit(_UNITS8, solver=solver, **kw)
    rescaled = _UNITS8 * [1e9, 1e-9]
    res = _fit(rescaled, solver=solver, **kw)
    assert (res.status == "optimal").all()
    np.testing.assert_allclose(res.scores, base.scores, atol=1e-9)
    np.testing.assert_allclose(res.pie_shares, base.pie_shares, atol=1e-7)
    # the weights map back: w_j y_j is unit-free
    np.testing.assert_allclose(res.weights * rescaled, base.weights * _UNITS8, atol=1e-9)
    assert (rescaled == _UNITS8 * [1e9, 1e-9]).all().all()  # not mutated


@pytest.mark.parametrize(
    "kw",
    [
        {"share_bounds": (0.2, 0.7)},
        {"ratio_bounds": {("a", "b"): (0.5, 3.0)}},
        {"share_bounds": {"b": (0.3, None)}, "ratio_bounds": {("b", "a"): (None, 2.0)}},
    ],
    ids=["share", "ratio", "share_and_ratio"],
)
@pytest.mark.parametrize("c", [1e-9, 1e9])
def test_bod_share_and_ratio_bounds_invariant_to_a_common_unit(kw, c):
    # share and ratio bounds compare weights of different indicators: invariant to one
    # factor for all indicators (documented), not to per-indicator factors
    base = _fit(_UNITS8, **kw)
    res = _fit(_UNITS8 * c, **kw)
    np.testing.assert_allclose(res.scores, base.scores, atol=1e-9)
    np.testing.assert_allclose(res.weights * c, base.weights, rtol=1e-6)


@pytest.mark.parametrize("c", [[1e3, 1e-3], [1.0, 250.0]])
def test_bod_share_bounds_with_indicators_in_different_units(c):
    # per-indicator internal scaling must rewrite w_j - L sum_k w_k in the LP's weights:
    # compare with the multiplier LP on the user's data solved directly by linprog
    Y = (_UNITS8 * c).to_numpy()
    lo, hi = 0.2, 0.7
    res = _fit(_UNITS8 * c, share_bounds=(lo, hi), ratio_bounds={("a", "b"): (0.01, None)})
    A = [Y[k] for k in range(8)]
    b = [1.0] * 8
    for j in range(2):
        e = np.eye(2)[j]
        A += [lo * np.ones(2) - e, e - hi * np.ones(2)]
        b += [0.0, 0.0]
    A.append(np.array([-1.0, 0.01]))
    b.append(0.0)
    for k in range(8):
        ref = linprog(-Y[k], A_ub=np.array(A), b_ub=b, bounds=(0, None), method="highs")
        assert res.scores.iloc[k] == pytest.approx(-ref.fun, abs=1e-8)
