"""Invariance properties of every public DEA model (issue 13, "must show").

For any data, each model below must give the same scores and statuses, unit by unit,

* after multiplying each input and output column by its own positive factor (units of
  measurement), and
* after permuting the rows (the order units are listed in),

both applied at once, and must leave the caller's frames untouched. With phase 2, the
maximal slack sum (each slack over its column scale) is unit-free and unique, so it is
compared too; slacks and targets themselves need not be unique. What is *not* invariant,
as documented in :class:`dea.BoD`: share and ratio weight bounds compare weights of different
indicators, so they survive one common factor only; absolute weight bounds survive a
rescaling only when the bounds are rescaled inversely (checked here as such).

The default run draws a few examples per property (the file takes a few seconds); the
``slow`` run draws 1,000 per property (``pytest -m slow tests/dea/...``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import io_names, random_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dea
from dea.models.bod import PieShareZeroWarning

FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))

seeds = st.integers(0, 2**31 - 1)
shapes = st.tuples(st.integers(4, 10), st.integers(1, 3), st.integers(1, 2))
# a positive factor per column, 1e-6 .. 1e9 (mantissa x power of ten)
factors = st.lists(
    st.tuples(st.floats(1.0, 9.99), st.integers(-6, 9)).map(lambda t: t[0] * 10.0 ** t[1]),
    min_size=5,
    max_size=5,
)
# ties and repeated values make the LPs degenerate (several optimal bases and duals)
ties = st.booleans()

RTOL, ATOL = 1e-6, 1e-9


def _data(seed: int, shape: tuple[int, int, int], tied: bool) -> pd.DataFrame:
    n, m, s = shape
    df = random_frame(seed, n, m, s)
    return df.round(0).clip(lower=1.0) if tied else df


def _transformed(df: pd.DataFrame, fac: list[float], seed: int) -> tuple[pd.DataFrame, dict]:
    c = dict(zip(df.columns, fac, strict=False))
    perm = np.random.default_rng(seed).permutation(len(df))
    return (df * pd.Series(c)).iloc[perm], c


def _same_result(
    a: dea.DEAResult,
    b: dea.DEAResult,
    index: pd.Index,
    scales: tuple[pd.Series, pd.Series] | None = None,
) -> None:
    """``b`` (rescaled, permuted) agrees with ``a`` unit by unit.

    With ``scales`` (the column scales of the original and of the transformed data), the
    max-slack objective ``sum(s / scale)`` is compared too: its optimal value is unique and
    unit-free, while the slacks and targets themselves need not be unique (several
    max-slack solutions, or tied FDH peers listed in another order).
    """
    assert list(b.scores.index) != [] and set(b.scores.index) == set(index)
    pd.testing.assert_series_equal(b.status.loc[index], a.status, check_names=False)
    np.testing.assert_allclose(
        b.scores.loc[index].to_numpy(),
        a.scores.to_numpy(),
        rtol=RTOL,
        atol=ATOL,
        equal_nan=True,
    )
    if scales is not None:
        ok = (a.status == "optimal").to_numpy()
        sa = (a.slacks / scales[0]).sum(axis=1).to_numpy()
        sb = (b.slacks / scales[1]).sum(axis=1).loc[index].to_numpy()
        np.testing.assert_allclose(sb[ok], sa[ok], rtol=1e-5, atol=1e-6)


def _scales(*frames: pd.DataFrame) -> pd.Series:
    """The models' column scales: mean absolute value over evaluated and reference units."""
    return pd.concat(frames).abs().mean()


def _fit_quiet(build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        warnings.simplefilter("ignore", dea.FewUnitsWarning)
        return build().fit()


# ---------------------------------------------------------------------------------------------
# Radial: every RTS x orientation, with and without super-efficiency and phase 2
# ---------------------------------------------------------------------------------------------
def check_radial(seed, shape, tied, fac, perm_seed, rts, orientation, sup, two_phase):
    df = _data(seed, shape, tied)
    before = df.copy()
    ins, outs = io_names(df)
    kw = dict(rts=rts, orientation=orientation, super_efficiency=sup, two_phase=two_phase)
    a = _fit_quiet(lambda: dea.Radial(df, inputs=ins, outputs=outs, **kw))
    pd.testing.assert_frame_equal(df, before)
    moved, _c = _transformed(df, fac, perm_seed)
    moved_before = moved.copy()
    b = _fit_quiet(lambda: dea.Radial(moved, inputs=ins, outputs=outs, **kw))
    pd.testing.assert_frame_equal(moved, moved_before)
    assert list(b.scores.index) == list(moved.index)  # results follow the user's order
    # phase-1 slacks are any feasible ones; phase 2 maximises their scaled sum
    scales = (_scales(df), _scales(moved)) if two_phase else None
    _same_result(a, b, df.index, scales)
    if not sup:
        assert (a.status == "optimal").all()  # the unit itself is always feasible


RADIAL = dict(
    seed=seeds,
    shape=shapes,
    tied=ties,
    fac=factors,
    perm_seed=seeds,
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    orientation=st.sampled_from(["input", "output", "graph"]),
    sup=st.booleans(),
    two_phase=st.booleans(),
)


@FAST
@given(**RADIAL)
def test_radial_invariant(seed, shape, tied, fac, perm_seed, rts, orientation, sup, two_phase):
    check_radial(seed, shape, tied, fac, perm_seed, rts, orientation, sup, two_phase)


@pytest.mark.slow
@SLOW
@given(**RADIAL)
def test_radial_invariant_slow(seed, shape, tied, fac, perm_seed, rts, orientation, sup, two_phase):
    check_radial(seed, shape, tied, fac, perm_seed, rts, orientation, sup, two_phase)


# ---------------------------------------------------------------------------------------------
# FDH: every orientation, with and without super-efficiency
# ---------------------------------------------------------------------------------------------
def check_fdh(seed, shape, tied, fac, perm_seed, orientation, sup):
    df = _data(seed, shape, tied)
    before = df.copy()
    ins, outs = io_names(df)
    kw = dict(orientation=orientation, super_efficiency=sup)
    a = _fit_quiet(lambda: dea.FDH(df, inputs=ins, outputs=outs, **kw))
    pd.testing.assert_frame_equal(df, before)
    moved, _c = _transformed(df, fac, perm_seed)
    b = _fit_quiet(lambda: dea.FDH(moved, inputs=ins, outputs=outs, **kw))
    _same_result(a, b, df.index, (_scales(df), _scales(moved)))
    # FDH scores are ratios of data values: exact up to rounding, not LP tolerance
    np.testing.assert_allclose(b.scores.loc[df.index], a.scores, rtol=1e-12, atol=0, equal_nan=True)


FDH = dict(
    seed=seeds,
    shape=shapes,
    tied=ties,
    fac=factors,
    perm_seed=seeds,
    orientation=st.sampled_from(["input", "output", "graph"]),
    sup=st.booleans(),
)


@FAST
@given(**FDH)
def test_fdh_invariant(seed, shape, tied, fac, perm_seed, orientation, sup):
    check_fdh(seed, shape, tied, fac, perm_seed, orientation, sup)


@pytest.mark.slow
@SLOW
@given(**FDH)
def test_fdh_invariant_slow(seed, shape, tied, fac, perm_seed, orientation, sup):
    check_fdh(seed, shape, tied, fac, perm_seed, orientation, sup)


# ---------------------------------------------------------------------------------------------
# BoD: unrestricted and pie shares survive per-indicator factors; share and ratio bounds a
# common factor; absolute weight bounds a factor with the bounds rescaled inversely
# ---------------------------------------------------------------------------------------------
PER_INDICATOR = ["none", "pie_own", "pie_average"]
COMMON = ["share", "ratio"]


def _bod_options(kind: str, names: list[str]) -> dict:
    m = len(names)
    lo = 0.5 / m
    return {
        "none": {},
        "pie_own": {"pie_share_bounds": (lo, None)},
        "pie_average": {
            "pie_share_bounds": (lo, 0.9 if m > 1 else None),
            "pie_share_at": "average",
        },
        "share": {"share_bounds": (lo, None)},
        "ratio": {"ratio_bounds": {(names[0], names[-1]): (0.2, 5.0)}} if m > 1 else {},
    }[kind]


def check_bod(seed, shape, tied, fac, perm_seed, kind, form):
    n, m, s = shape
    df = _data(seed, (n, m, s), tied)
    names = list(df.columns)
    if kind in COMMON:  # one factor for every indicator
        fac = [fac[0]] * len(fac)
    opts = dict(_bod_options(kind, names), form=form)
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PieShareZeroWarning)
        a = _fit_quiet(lambda: dea.BoD(df, indicators=names, **opts))
        pd.testing.assert_frame_equal(df, before)
        moved, _c = _transformed(df, fac, perm_seed)
        b = _fit_quiet(lambda: dea.BoD(moved, indicators=names, **opts))
    pd.testing.assert_series_equal(b.status.loc[df.index], a.status, check_names=False)
    np.testing.assert_allclose(b.scores.loc[df.index], a.scores, rtol=RTOL, atol=ATOL)
    assert list(b.scores.index) == list(moved.index)
    # pie shares w_j y_j / CI are unit-free; they are unique when the optimum is (not
    # always), so only their row sums are compared
    ok = (a.scores > 0).to_numpy()
    np.testing.assert_allclose(b.pie_shares.loc[df.index].sum(axis=1)[ok], 1.0, rtol=1e-7)


BOD = dict(
    seed=seeds,
    shape=shapes,
    tied=ties,
    fac=factors,
    perm_seed=seeds,
    kind=st.sampled_from(PER_INDICATOR + COMMON),
    form=st.sampled_from(["envelopment", "multiplier"]),
)


@FAST
@given(**BOD)
def test_bod_invariant(seed, shape, tied, fac, perm_seed, kind, form):
    check_bod(seed, shape, tied, fac, perm_seed, kind, form)


@pytest.mark.slow
@SLOW
@given(**BOD)
def test_bod_invariant_slow(seed, shape, tied, fac, perm_seed, kind, form):
    check_bod(seed, shape, tied, fac, perm_seed, kind, form)


def check_bod_weight_bounds(seed, shape, fac):
    df = _data(seed, shape, False)
    names = list(df.columns)
    c = dict(zip(names, fac, strict=False))
    # w_j y_j is unit-free, so bounds on w_j scale by 1 / c_j
    lo = {k: (0.01, None) for k in names}
    moved_lo = {k: (0.01 / c[k], None) for k in names}
    a = _fit_quiet(lambda: dea.BoD(df, indicators=names, weight_bounds=lo))
    b = _fit_quiet(lambda: dea.BoD(df * pd.Series(c), indicators=names, weight_bounds=moved_lo))
    pd.testing.assert_series_equal(b.status, a.status)
    np.testing.assert_allclose(b.scores, a.scores, rtol=RTOL, atol=ATOL, equal_nan=True)


@FAST
@given(seed=seeds, shape=shapes, fac=factors)
def test_bod_weight_bounds_move_with_the_units(seed, shape, fac):
    check_bod_weight_bounds(seed, shape, fac)


@pytest.mark.slow
@SLOW
@given(seed=seeds, shape=shapes, fac=factors)
def test_bod_weight_bounds_move_with_the_units_slow(seed, shape, fac):
    check_bod_weight_bounds(seed, shape, fac)


def test_bod_share_bounds_are_documented_as_not_invariant_per_indicator():
    """The counter-example the docs warn about: share bounds depend on the units."""
    df = random_frame(3, 8, 1, 1)
    names = list(df.columns)
    a = dea.BoD(df, indicators=names, share_bounds=(0.4, None)).fit()
    b = dea.BoD(df * [1.0, 1e3], indicators=names, share_bounds=(0.4, None)).fit()
    assert np.abs(b.scores - a.scores).max() > 1e-3
    assert "invariant only to\n    rescaling every indicator by the same factor" in dea.BoD.__doc__


# ---------------------------------------------------------------------------------------------
# SBM, the additive model with unit-free slack weights, DDF along the observed direction
# ---------------------------------------------------------------------------------------------
def _envelope_model(kind: str, rts: str, option: str, sup: bool):
    if kind == "sbm":
        return dea.SBM, dict(rts=rts, orientation=option, super_efficiency=sup)
    if kind == "additive":
        return dea.Additive, dict(rts=rts, weights=option)
    return dea.DDF, dict(rts=rts, direction="observed", two_phase=sup)


def check_envelope(seed, shape, tied, fac, perm_seed, kind, rts, option, sup):
    df = _data(seed, shape, tied)
    before = df.copy()
    ins, outs = io_names(df)
    cls, kw = _envelope_model(kind, rts, option, sup)
    a = _fit_quiet(lambda: cls(df, inputs=ins, outputs=outs, **kw))
    pd.testing.assert_frame_equal(df, before)
    moved, _c = _transformed(df, fac, perm_seed)
    b = _fit_quiet(lambda: cls(moved, inputs=ins, outputs=outs, **kw))
    assert list(b.scores.index) == list(moved.index)
    _same_result(a, b, df.index)


@st.composite
def _envelope_cases(draw):
    kind = draw(st.sampled_from(["sbm", "additive", "ddf"]))
    option = draw(
        st.sampled_from(
            ["non", "input", "output"] if kind == "sbm" else ["ram", "mip", "normalized"]
        )
    )
    return kind, option


ENVELOPE = dict(
    seed=seeds,
    shape=shapes,
    tied=ties,
    fac=factors,
    perm_seed=seeds,
    case=_envelope_cases(),
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    sup=st.booleans(),
)


@FAST
@given(**ENVELOPE)
def test_envelope_models_invariant(seed, shape, tied, fac, perm_seed, case, rts, sup):
    check_envelope(seed, shape, tied, fac, perm_seed, case[0], rts, case[1], sup)


@pytest.mark.slow
@SLOW
@given(**ENVELOPE)
def test_envelope_models_invariant_slow(seed, shape, tied, fac, perm_seed, case, rts, sup):
    check_envelope(seed, shape, tied, fac, perm_seed, case[0], rts, case[1], sup)


def test_additive_plain_slack_sum_is_documented_as_unit_dependent():
    df = random_frame(4, 8, 1, 1)
    a = dea.Additive(df, inputs=["x1"], outputs=["y1"], weights="ones").fit()
    b = dea.Additive(df * [1e3, 1.0], inputs=["x1"], outputs=["y1"], weights="ones").fit()
    assert np.abs(b.scores - a.scores).max() > 1e-3
    assert 'depends on units of measurement\n    with ``weights="ones"``' in dea.Additive.__doc__


# ---------------------------------------------------------------------------------------------
# cross-efficiency: the secondary criterion is unit-free for every goal, and so is the matrix
# when its optimal weights are unique (no ties); under a permutation the own scores and the
# secondary criterion are unique, the matrix itself need not be
# ---------------------------------------------------------------------------------------------
def check_cross(seed, shape, tied, fac, perm_seed, rts, goal, method):
    df = _data(seed, shape, tied)
    before = df.copy()
    ins, outs = io_names(df)
    kw = dict(inputs=ins, outputs=outs, rts=rts, goal=goal, method=method)
    a = _fit_quiet(lambda: dea.CrossEfficiency(df, **kw))
    pd.testing.assert_frame_equal(df, before)
    c = pd.Series(dict(zip(df.columns, fac, strict=False)))
    scaled = _fit_quiet(lambda: dea.CrossEfficiency(df * c, **kw))
    if goal != "simple":  # the simple goal's weights are whatever the backend returns
        # the secondary goal's optimum is unit-free; its optimal weights (hence the matrix)
        # are unique only without ties: with tied units the rescaled LP may stop at another
        # vertex of the same optimal face (found by the 1,000-example run: VRS, aggressive)
        np.testing.assert_allclose(
            scaled.secondary_objective, a.secondary_objective, rtol=1e-6, atol=1e-8,
            equal_nan=True,
        )
        if not tied:
            np.testing.assert_allclose(
                scaled.matrix.to_numpy(), a.matrix.to_numpy(), rtol=1e-6, atol=1e-8,
                equal_nan=True,
            )
    perm = np.random.default_rng(perm_seed).permutation(len(df))
    b = _fit_quiet(lambda: dea.CrossEfficiency((df * c).iloc[perm], **kw))
    pd.testing.assert_series_equal(b.status.loc[df.index], a.status, check_names=False)
    np.testing.assert_allclose(b.scores.loc[df.index], a.scores, rtol=RTOL, atol=ATOL)
    if goal != "simple":
        np.testing.assert_allclose(
            b.secondary_objective.loc[df.index],
            a.secondary_objective,
            rtol=1e-6,
            atol=1e-8,
            equal_nan=True,
        )


CROSS = dict(
    seed=seeds,
    shape=st.tuples(st.integers(5, 9), st.integers(1, 2), st.integers(1, 2)),
    tied=ties,
    fac=factors,
    perm_seed=seeds,
    rts=st.sampled_from(["crs", "vrs"]),
    goal=st.sampled_from(["simple", "aggressive", "benevolent"]),
    method=st.sampled_from(["ratio", "difference"]),
)


@FAST
@given(**CROSS)
def test_cross_efficiency_invariant(seed, shape, tied, fac, perm_seed, rts, goal, method):
    check_cross(seed, shape, tied, fac, perm_seed, rts, goal, method)


@pytest.mark.slow
@SLOW
@given(**CROSS)
def test_cross_efficiency_invariant_slow(seed, shape, tied, fac, perm_seed, rts, goal, method):
    check_cross(seed, shape, tied, fac, perm_seed, rts, goal, method)


# ---------------------------------------------------------------------------------------------
# a reference set, and the helpers that take frames: nothing is mutated
# ---------------------------------------------------------------------------------------------
@FAST
@given(seed=seeds, shape=shapes, fac=factors, perm_seed=seeds)
def test_reference_set_invariant_and_untouched(seed, shape, fac, perm_seed):
    df = _data(seed, shape, False)
    ins, outs = io_names(df)
    ref = random_frame(seed + 1, 6, shape[1], shape[2])
    ref.index = [f"r{i}" for i in range(len(ref))]
    saved = df.copy(), ref.copy()
    a = _fit_quiet(lambda: dea.Radial(df, inputs=ins, outputs=outs, reference=ref))
    moved, c = _transformed(df, fac, perm_seed)
    ref_moved = (ref * pd.Series(c)).iloc[::-1]
    b = _fit_quiet(lambda: dea.Radial(moved, inputs=ins, outputs=outs, reference=ref_moved))
    _same_result(a, b, df.index, (_scales(df, ref), _scales(moved, ref_moved)))
    pd.testing.assert_frame_equal(df, saved[0])
    pd.testing.assert_frame_equal(ref, saved[1])


def test_entry_points_do_not_mutate_inputs(tmp_path):
    df = random_frame(11, 9, 2, 1)
    df["x1"] = df["x1"].round().astype(int)  # an integer column must stay integer
    ins, outs = io_names(df)
    saved = df.copy()
    dea.prepare(df, ins, outs)
    dea.Radial(df, inputs=ins, outputs=outs).fit()
    dea.FDH(df, inputs=ins, outputs=outs).fit()
    dea.BoD(df, indicators=outs + ins, pie_share_bounds=(0.1, None)).fit()
    dea.scale_efficiency(df, inputs=ins, outputs=outs)
    dea.export_lp(dea.Radial(df, inputs=ins, outputs=outs), df.index[0], tmp_path / "u.lp")
    pd.testing.assert_frame_equal(df, saved)
