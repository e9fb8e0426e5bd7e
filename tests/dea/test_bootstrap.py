"""dea.bootstrap: in distribution against R's Benchmarking 0.33 ``dea.boot`` (2000
replications each, tests/results/make_benchmarking_i11.R), and its invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import random_frame
from hypothesis import given, settings
from hypothesis import strategies as st

import dea

RESULTS = Path(__file__).resolve().parents[1] / "results"
DATA = pd.read_csv(RESULTS / "boot_data.csv", index_col="unit")
B = 2000


@pytest.mark.slow
@pytest.mark.parametrize(("rts", "orient"), [("vrs", "in"), ("crs", "out"), ("drs", "in")])
def test_in_distribution_against_benchmarking(rts, orient):
    """Same data, same bandwidth (Benchmarking's, read from its output), independent
    random streams: bias and CI bounds must agree within Monte Carlo error.

    Per unit, on the distance scale D (input 1/theta, output phi): the bias is a mean of
    B draws, so two independent estimates differ with sd sqrt(2) sd(D*) / sqrt(B); the
    bounds are alpha/2 quantiles, whose MC sd is about sd(D*) sqrt(p(1-p)/B) / phi(z_p)
    (normal approximation).  We allow 4.5 of these sds per unit (60 units x 3 numbers:
    a false alarm has probability < 0.2%) and 2 sds for the mean over units of the
    standardised differences.
    """
    ref = pd.read_csv(RESULTS / f"benchmarking_boot_{rts}_{orient}.csv", index_col="unit")
    orientation = "input" if orient == "in" else "output"
    model = dea.Radial(
        DATA, ["x1", "x2"], ["y"], rts={"drs": "nirs"}.get(rts, rts), orientation=orientation
    )
    res = dea.bootstrap(
        model,
        B,
        seed=7,
        bandwidth=float(ref.bandwidth.iloc[0]),
        n_jobs=1,
        return_replications=True,
    )
    to_D = (lambda v: 1.0 / v) if orient == "in" else (lambda v: v)  # their scale -> D
    D = 1.0 / res.scores.to_numpy()
    np.testing.assert_allclose(D, to_D(ref.eff.to_numpy()), rtol=1e-7)
    # their boot_sd is of theta* (input) or phi* (output); D* sd for input by the delta method
    sd = ref.boot_sd.to_numpy() * (D**2 if orient == "in" else 1.0)
    ours_bias = D - 1.0 / res.scores_bc.to_numpy()  # mean(D*) - D
    theirs_bias = to_D(ref.eff.to_numpy()) - to_D(ref.eff_bc.to_numpy())
    z_bias = (ours_bias - theirs_bias) / (np.sqrt(2.0 / B) * sd)
    assert np.abs(z_bias).max() < 4.5, np.abs(z_bias).max()
    assert abs(z_bias.mean()) < 2.0 * 1.0 / np.sqrt(len(D)) + 0.5
    from scipy.stats import norm

    p = 0.025
    q_sd = np.sqrt(2.0) * sd * np.sqrt(p * (1 - p) / B) / norm.pdf(norm.ppf(p))
    # our bounds on the D scale: D + a (a small quantile) ... D + b
    ours_lo_D, ours_hi_D = 1.0 / res.upper.to_numpy(), 1.0 / res.lower.to_numpy()
    if orient == "in":
        theirs_lo_D, theirs_hi_D = 1.0 / ref.upper.to_numpy(), 1.0 / ref.lower.to_numpy()
    else:
        theirs_lo_D, theirs_hi_D = ref.lower.to_numpy(), ref.upper.to_numpy()
    for ours, theirs in ((ours_lo_D, theirs_lo_D), (ours_hi_D, theirs_hi_D)):
        z = (ours - theirs) / q_sd
        assert np.abs(z).max() < 4.5, np.abs(z).max()
    # bootstrap sds agree to MC error of an sd (relative sd 1/sqrt(2B) each), on their
    # scale: theta* (input) or phi* = 1/score* (output), straight from the replications
    reps = res.replications.to_numpy()
    ours_sd = (reps if orient == "in" else 1.0 / reps).std(axis=1, ddof=1)
    np.testing.assert_allclose(
        ours_sd, ref.boot_sd.to_numpy(), rtol=4.5 * np.sqrt(2.0 / (2 * B)) + 0.02
    )


def _model(seed: int, rts: str, orientation: str, n: int = 25) -> dea.Radial:
    df = random_frame(seed, n=n, m=2, s=1)
    return dea.Radial(df, ["x1", "x2"], ["y1"], rts=rts, orientation=orientation)


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    orientation=st.sampled_from(["input", "output"]),
)
def test_properties(seed, rts, orientation):
    res = dea.bootstrap(_model(seed, rts, orientation), 40, seed=seed, alpha=0.1)
    f = res.to_frame()
    # the pseudo technology lies inside the DEA technology: bc <= original, always
    assert (f.score_bc <= f.score + 1e-9).all()
    assert (f.bias >= -1e-9).all()
    assert (f.lower <= f.upper).all()
    assert (f.upper <= f.score + 1e-9).all()
    # the CI contains the bias-corrected score, except where the correction is flagged off
    inside = (f.lower <= f.score_bc + 1e-12) & (f.score_bc <= f.upper + 1e-12)
    assert (inside | ~f.use_bias_correction).all()


def test_same_result_for_any_n_jobs_and_reproducible():
    model = _model(3, "vrs", "input", n=30)
    a = dea.bootstrap(model, 50, seed=11, return_replications=True)
    b = dea.bootstrap(model, 50, seed=11, n_jobs=2, return_replications=True)
    c = dea.bootstrap(model, 50, seed=12)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.replications, b.replications)
    assert not a.to_frame().equals(c.to_frame())
    assert a.replications.shape == (30, 50)
    assert list(a.replications.index) == list(model.data.labels)
    # replications are scores against pseudo-frontiers inside the DEA technology
    assert (a.replications.to_numpy() >= a.scores.to_numpy()[:, None] - 1e-9).all()


def test_units_invariance():
    df = random_frame(5, n=30, m=2, s=1)
    r1 = dea.bootstrap(dea.Radial(df, ["x1", "x2"], ["y1"]), 30, seed=1)
    df2 = df.assign(x1=df.x1 * 1e3, y1=df.y1 / 3)
    r2 = dea.bootstrap(dea.Radial(df2, ["x1", "x2"], ["y1"]), 30, seed=1)
    pd.testing.assert_frame_equal(r1.to_frame(), r2.to_frame(), rtol=1e-7)


def test_bandwidth_rules():
    D = 1.0 / _model(1, "vrs", "input", n=60).fit().scores.to_numpy()
    h_s = dea.bootstrap_bandwidth(D, "silverman")
    h_cv = dea.bootstrap_bandwidth(D, "lscv")
    assert 0 < h_s < 1 and 0 < h_cv < 1
    # silverman by hand: reflected non-one sample, 0.9 min(sd, IQR/1.349) (2n')^-1/5, rescaled
    z = D[D > 1 + 1e-6]
    r = np.concatenate([z, 2 - z])
    q75, q25 = np.percentile(r, [75, 25])
    spread = min(r.std(ddof=1), (q75 - q25) / 1.349)
    expect = 0.9 * spread * r.size**-0.2 * D.std(ddof=1) / r.std(ddof=1) * (r.size / D.size) ** 0.2
    assert h_s == pytest.approx(expect, rel=1e-12)


def test_errors():
    df = random_frame(2, n=12, m=1, s=1)
    with pytest.raises(dea.InputDataError, match="orientation='graph'"):
        dea.bootstrap(dea.Radial(df, ["x1"], ["y1"], orientation="graph"), 10)
    with pytest.raises(dea.InputDataError, match="super_efficiency"):
        dea.bootstrap(dea.Radial(df, ["x1"], ["y1"], super_efficiency=True), 10)
    with pytest.raises(dea.InputDataError, match="reference="):
        dea.bootstrap(dea.Radial(df, ["x1"], ["y1"], reference=["u0", "u1", "u2"]), 10)
    with pytest.raises(dea.InputDataError, match="n_boot"):
        dea.bootstrap(dea.Radial(df, ["x1"], ["y1"]), 1)
    with pytest.raises(dea.InputDataError, match="alpha"):
        dea.bootstrap(dea.Radial(df, ["x1"], ["y1"]), 10, alpha=1.5)
    with pytest.raises(dea.InputDataError, match="bandwidth"):
        dea.bootstrap(dea.Radial(df, ["x1"], ["y1"]), 10, bandwidth="plugin")
    flat = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]}, index=list("abc"))
    with pytest.raises(dea.InputDataError, match="inefficient"):
        dea.bootstrap(dea.Radial(flat, ["x"], ["y"], rts="crs"), 10)


# ----------------------------------------------------------------------------------------
# method="batch": the batched simplex with proven bases gives the LP optima
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_batch_equals_plain_fit_per_replication(rts, orientation):
    """Same seed: every replicated score of the default method equals the plain
    per-replication ``Radial(..., reference=pseudo).fit()`` (method="lp") to 1e-9."""
    df = random_frame(21, n=60, m=2, s=2)
    model = dea.Radial(df, ["x1", "x2"], ["y1", "y2"], rts=rts, orientation=orientation)
    a = dea.bootstrap(model, 12, seed=4, return_replications=True)
    b = dea.bootstrap(model, 12, seed=4, return_replications=True, method="lp")
    assert a.info["method"] == "batch" and b.info["method"] == "lp"
    assert b.info["lp_units"] == 60 * 12
    assert a.info["lp_units"] < 60 * 12 / 4  # most units need no LP at all
    np.testing.assert_allclose(a.replications, b.replications, rtol=0, atol=1e-9)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), rtol=1e-8)


def test_batch_same_for_any_n_jobs_and_bigger_case():
    df = random_frame(8, n=250, m=3, s=2)
    model = dea.Radial(df, ["x1", "x2", "x3"], ["y1", "y2"], rts="vrs")
    a = dea.bootstrap(model, 25, seed=9, return_replications=True)
    b = dea.bootstrap(model, 25, seed=9, return_replications=True, n_jobs=2)
    pd.testing.assert_frame_equal(a.replications, b.replications)  # bitwise
    c = dea.bootstrap(model, 3, seed=9, return_replications=True, method="lp")
    np.testing.assert_allclose(a.replications.iloc[:, :3], c.replications, rtol=0, atol=1e-9)


def _arrays(seed: int, rts: str, orientation: str, n: int = 30):
    from dea.bootstrap import _draw, _pseudo
    from dea.models._certify import RadialArrays

    df = random_frame(seed, n=n, m=2, s=2)
    base = df.to_numpy() / df.to_numpy().mean(axis=0)
    model = dea.Radial(df, ["x1", "x2"], ["y1", "y2"], rts=rts, orientation=orientation)
    D = 1.0 / model.fit().scores.to_numpy()
    Dstar = _draw(np.random.default_rng(seed), D, 0.05, float(np.var(np.r_[D, 2 - D], ddof=1)))
    ps = _pseudo(base, 2, orientation, D, Dstar)
    arr = RadialArrays(base[:, :2], base[:, 2:], ps[:, :2], ps[:, 2:], rts, orientation)
    ref = pd.DataFrame(ps, index=df.index, columns=df.columns)
    plain = (
        dea.Radial(
            pd.DataFrame(base, index=df.index, columns=df.columns),
            ["x1", "x2"],
            ["y1", "y2"],
            rts=rts,
            orientation=orientation,
            reference=ref,
        )
        .fit()
        .scores.to_numpy()
    )
    return arr, plain if orientation == "input" else 1.0 / plain


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    orientation=st.sampled_from(["input", "output"]),
    noise=st.floats(1e-6, 1.0),
)
def test_prove_never_accepts_a_wrong_value(seed, rts, orientation, noise):
    """The proof trusts nothing from the simplex: with perturbed multipliers, perturbed
    basic values or a wrong basis, a value it accepts is still the LP optimum (1e-9)."""
    from dea.models._certify import batch_simplex, prove

    arr, plain = _arrays(seed, rts, orientation)
    units = np.arange(arr.Xe.shape[0])
    basis, xB, pi, _, _ = batch_simplex(arr, units, units)
    v = prove(arr, units, basis, xB, pi)
    assert np.isfinite(v).mean() > 0.9
    np.testing.assert_allclose(v[np.isfinite(v)], plain[np.isfinite(v)], rtol=0, atol=1e-9)
    rng = np.random.default_rng(seed)
    bad = [
        (basis, xB, pi * (1 + noise * rng.standard_normal(pi.shape))),
        (basis, xB * (1 + noise * rng.standard_normal(xB.shape)), pi),
        (np.roll(basis, 1, axis=0), xB, pi),
    ]
    for b_, x_, p_ in bad:
        w = prove(arr, units, b_, x_, p_)
        ok = np.isfinite(w)
        np.testing.assert_allclose(w[ok], plain[ok], rtol=0, atol=1e-9)


def test_radial_factors_falls_back_to_the_lp_engine():
    """Start points off the units' rays are infeasible: those units go to ``solve_lps``."""
    from dea.models._certify import radial_factors

    arr, plain = _arrays(3, "vrs", "input")
    n = arr.Xe.shape[0]
    seen = []

    def lps(units):
        seen.append(units)
        return plain[units]

    v, by_lp = radial_factors(arr, np.roll(np.arange(n), 1), lps)
    assert by_lp.sum() > n // 2 and np.array_equal(np.concatenate(seen), np.flatnonzero(by_lp))
    np.testing.assert_allclose(v, plain, rtol=0, atol=1e-9)
    v2, by_lp2 = radial_factors(arr, np.arange(n), lps)
    assert by_lp2.sum() == 0
    np.testing.assert_allclose(v2, plain, rtol=0, atol=1e-9)


def test_method_error():
    with pytest.raises(dea.InputDataError, match="method='simplex'"):
        dea.bootstrap(_model(1, "vrs", "input"), 10, method="simplex")


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    orientation=st.sampled_from(["input", "output"]),
    zeros=st.booleans(),
    dup=st.booleans(),
)
def test_radial_factors_equal_radial_on_awkward_data(seed, rts, orientation, zeros, dup):
    """Any evaluated and reference units (zeros, duplicates, units outside the
    frontier's range, infeasible VRS LPs): the proven batch path plus its LP fallback
    gives Radial's scores, NaN where Radial's LP is not optimal."""
    import warnings

    from dea.models._certify import RadialArrays, radial_factors

    rng = np.random.default_rng(seed)
    ref = random_frame(seed, n=25, m=2, s=2)
    obs = random_frame(seed + 1, n=15, m=2, s=2).set_axis([f"o{i}" for i in range(15)])
    obs = obs * rng.uniform(0.5, 1.5, (15, 1))
    if zeros:
        ref.iloc[rng.integers(0, 25, 3), 0] = 0.0  # x1 (x2 stays positive)
        ref.iloc[rng.integers(0, 25, 3), 3] = 0.0  # y2
        obs.iloc[rng.integers(0, 15, 2), 1] = 0.0  # x2
        obs.iloc[rng.integers(0, 15, 2), 2] = 0.0  # y1
    if dup:
        ref.iloc[1] = ref.iloc[0]
        obs.iloc[2] = ref.iloc[3]
    kw = dict(rts=rts, orientation=orientation, two_phase=False)
    cols = ["x1", "x2", "y1", "y2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = dea.Radial(obs, cols[:2], cols[2:], reference=ref, **kw).fit()

        def lps(units):
            sc = plain.scores.to_numpy()[units]
            return sc if orientation == "input" else 1.0 / sc

        scale = np.vstack([obs.to_numpy(), ref.to_numpy()]).mean(axis=0)
        o, r = obs.to_numpy() / scale, ref.to_numpy() / scale
        arr = RadialArrays(o[:, :2], o[:, 2:], r[:, :2], r[:, 2:], rts, orientation)
        value, _ = radial_factors(arr, None, lps)
    expect = plain.scores.to_numpy()
    got = value if orientation == "input" else 1.0 / value
    assert np.array_equal(np.isnan(got), np.isnan(expect))
    ok = ~np.isnan(expect)
    np.testing.assert_allclose(got[ok], expect[ok], rtol=1e-9, atol=1e-9)


def test_blocks_of_units_give_the_same_factors(monkeypatch):
    """Memory stays O(block x n_ref): many small blocks give the same proven factors."""
    import dea.models._certify as C

    arr, plain = _arrays(11, "vrs", "input", n=60)
    n = arr.Xe.shape[0]

    def lps(units):
        return plain[units]

    whole, _ = C.radial_factors(arr, np.arange(n), lps)
    monkeypatch.setattr(C, "_BLOCK_ELEMENTS", 16 * n)  # blocks of 16 units
    parts, by_lp = C.radial_factors(arr, np.arange(n), lps)
    np.testing.assert_allclose(parts, whole, rtol=0, atol=1e-12)
    np.testing.assert_allclose(parts, plain, rtol=0, atol=1e-9)
    assert by_lp.sum() < n // 4
