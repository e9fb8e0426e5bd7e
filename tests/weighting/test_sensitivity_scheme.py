"""Uncertainty / sensitivity analysis of weighting.Scheme models (vectorised fast path)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dea.exceptions import InputDataError
from weighting.scheme import Scheme
from weighting.sensitivity import Factor, UncertaintyAnalysis

NAMES = [f"i{j}" for j in range(6)]
W0 = {n: j + 1.0 for j, n in enumerate(NAMES)}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.lognormal(0, 0.5, (40, 6)), columns=NAMES,
                     index=[f"m{i:02d}" for i in range(40)])
    x.iloc[3, 2] = np.nan  # a gap: re-weighted by the scheme
    x.iloc[7, 4] = np.nan
    return x


def flat() -> Scheme:
    return Scheme([{"name": n} for n in NAMES], weights=W0, name="flat")


def hier(**kw) -> Scheme:
    inds = [{"name": n, "group": "soc" if j < 3 else "fin"} for j, n in enumerate(NAMES)]
    return Scheme(inds, weights=W0, name="hier", **kw)


FACTORS = [
    Factor.weights_dirichlet(15),
    Factor.normalisation(["target", "none"]),
    Factor.aggregation(["arithmetic", "geometric"]),
    Factor.exclude_indicator(["i0", "i4"]),
    Factor.missing_policy(["reweight", "median"]),
]


@pytest.mark.parametrize(
    "scheme",
    [flat(), hier(), hier(dimension_aggregation="geometric", normalisation="target"),
     hier(dimension_weights={"soc": 0.7, "fin": 0.3})],
    ids=["flat", "hier", "hier-geo-top", "hier-dimw"],
)
def test_vectorised_equals_per_run_scoring(data, scheme):
    fast = UncertaintyAnalysis(scheme, data, FACTORS)
    slow = UncertaintyAnalysis(scheme, data, FACTORS, vectorise=False)
    assert fast.vectorised and not slow.vectorised
    a = fast.run(12, random_state=4)
    b = slow.run(12, random_state=4)
    np.testing.assert_allclose(a.scores.to_numpy(), b.scores.to_numpy(), rtol=1e-10,
                               atol=1e-12)
    pd.testing.assert_frame_equal(a.design, b.design)
    # and one run by hand through the public Scheme API
    row = a.design.iloc[5]
    w = pd.Series(row[[f"weights[{n}]" for n in NAMES]].to_numpy(float), index=NAMES)
    s = scheme.replace(weights=w, **({"dimension_weights": None} if scheme.dimensions else {}))
    s = s.replace(normalisation=row["normalisation"], aggregation=row["aggregation"],
                  missing=row["missing"])
    if row["exclude"] != "none":
        s = s.replace(indicators=s.indicators.subset([n for n in NAMES if n != row["exclude"]]))
    np.testing.assert_allclose(a.scores.iloc[5].to_numpy(), s.score(data).scores.to_numpy(),
                               rtol=1e-10)


@pytest.mark.parametrize("scheme", [flat(), hier(dimension_weights={"soc": 0.7, "fin": 0.3})],
                         ids=["flat", "hier-dimw"])
def test_infinite_concentration_reproduces_base(data, scheme):
    ua = UncertaintyAnalysis(scheme, data, [Factor.weights_dirichlet(1e10)])
    res = ua.run(30, random_state=0)
    base = scheme.score(data).scores
    np.testing.assert_allclose(res.scores.to_numpy(), np.tile(base.to_numpy(), (30, 1)),
                               rtol=1e-4)  # weight sd ~ sqrt(w (1 - w) / c) ~ 5e-6
    assert (res.ranks.to_numpy() == res.reference_ranks.to_numpy()).all()
    assert (res.mean_rank_shift == 0).all()
    # base weights are the effective weights: within-dimension weight x dimension weight
    bw = ua._model.base_weights()
    assert bw.sum() == pytest.approx(1)
    if scheme.dimensions:
        assert bw[["i0", "i1", "i2"]].sum() == pytest.approx(0.7)
        assert bw["i1"] / bw["i0"] == pytest.approx(2)


def test_summary_and_parallel(data):
    ua = UncertaintyAnalysis(hier(), data, FACTORS[:1] + FACTORS[3:4], chunk_size=30)
    r1 = ua.run(60, random_state=9, n_jobs=1, top_k=5)
    r2 = ua.run(60, random_state=9, n_jobs=2, top_k=5)
    np.testing.assert_array_equal(r1.scores.to_numpy(), r2.scores.to_numpy())
    s = r1.summary
    assert (s["rank_q05"] <= s["median_rank"]).all() and (s["median_rank"] <= s["rank_q95"]).all()
    assert s["p_top_5"].sum() == pytest.approx(5)
    base = hier().score(data)
    pd.testing.assert_series_equal(r1.reference_scores, base.scores, check_names=False)


def test_sobol_on_scheme(data):
    ua = UncertaintyAnalysis(
        flat(), data,
        [Factor.weights_dirichlet(10), Factor.normalisation(["minmax", "minmax"])],
    )
    sens = ua.sobol(64, random_state=0)
    assert sens.n_runs == 64 * 4
    assert sens.indices.loc["weights", "ST"] == pytest.approx(1, abs=0.15)
    assert abs(sens.indices.loc["normalisation", "ST"]) < 1e-12
    ua2 = UncertaintyAnalysis(
        flat(), data, [Factor.normalisation(["minmax", "zscore", "rank"])],
    )
    s2 = ua2.sobol(128, random_state=0, target=("score", "m05"))
    assert s2.indices.loc["normalisation", "ST"] == pytest.approx(1, abs=0.15)
    assert s2.indices.loc["normalisation", "S1"] == pytest.approx(1, abs=0.15)


def test_fallback_for_fitted_dimension_weights(data):
    # dimension weights fitted by PCA on the dimension scores cannot be re-weighted in bulk
    scheme = hier(dimension_weights="equal", dimension_aggregation="arithmetic")
    ua = UncertaintyAnalysis(scheme, data, [Factor.weights_dirichlet(5)])
    res = ua.run(6, random_state=1)
    row = res.design.iloc[2]
    w = pd.Series(row.to_numpy(float), index=NAMES)
    exp = scheme.replace(weights=w, dimension_weights=None).score(data).scores
    np.testing.assert_allclose(res.scores.iloc[2].to_numpy(), exp.to_numpy(), rtol=1e-10)


def test_bod_scheme_with_custom_factor(data):
    pytest.importorskip("dea.models.bod")
    from weighting.weights.bod import BoDWeights

    d = data.iloc[:12].fillna(1.0)
    scheme = Scheme([{"name": n} for n in NAMES[:3]], weights="bod", normalisation="none")
    low = {n: (0.2, None) for n in NAMES[:3]}
    f = Factor.choice("share_bounds", [None, low],
                      apply=lambda s, v: s.replace(weights=BoDWeights(share_bounds=v)),
                      labels=["free", "at least 20%"])
    res = UncertaintyAnalysis(scheme, d, [f]).run(8, random_state=0)
    free = scheme.score(d).scores
    bounded = scheme.replace(weights=BoDWeights(share_bounds=low)).score(d).scores
    for i, lab in res.design["share_bounds"].items():
        exp = free if lab == "free" else bounded
        np.testing.assert_allclose(res.scores.loc[i].to_numpy(), exp.to_numpy(), atol=1e-9)
    # restrictions can only lower BoD scores
    assert (bounded <= free + 1e-9).all()
    with pytest.raises(InputDataError, match="unit-specific"):
        UncertaintyAnalysis(scheme, d, [Factor.weights_dirichlet(5)])
    with pytest.raises(InputDataError, match="no 'rts' parameter"):
        UncertaintyAnalysis(scheme, d, [Factor.returns_to_scale()]).run(4, random_state=0)


def test_scheme_errors(data):
    with pytest.raises(InputDataError, match="has no apply function"):
        UncertaintyAnalysis(flat(), data, [Factor.uniform("x", 0, 1)]).run(2, random_state=0)
    with pytest.raises(InputDataError, match="must return a Scheme"):
        UncertaintyAnalysis(
            flat(), data, [Factor.uniform("x", 0, 1, apply=lambda s, v: 3)]
        ).run(2, random_state=0)
    with pytest.raises(InputDataError, match="do not match"):
        UncertaintyAnalysis(flat(), data, [Factor.weights_dirichlet(5, base={"i0": 1})])


def test_coverage_exclusion_keeps_nan(data):
    d = data.copy()
    d.iloc[0, :4] = np.nan  # unit m00 lacks 4 of 6 indicators: below 50% coverage
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ua = UncertaintyAnalysis(flat(), d, [Factor.weights_dirichlet(10)])
        res = ua.run(10, random_state=0)
    assert res.scores["m00"].isna().all()
    assert res.summary.loc["m00", "p_scored"] == 0
    assert (res.ranks.drop(columns="m00").max(axis=1) == 39).all()


def test_dirichlet_moments(data):
    # Dir(c w0): mean w0, Var(w_i) = w0_i (1 - w0_i) / (c + 1)
    c = 9.0
    ua = UncertaintyAnalysis(flat(), data, [Factor.weights_dirichlet(c)], chunk_size=1000)
    w = ua.run(4000, random_state=3).design.to_numpy()
    w0 = np.array([W0[n] for n in NAMES]) / sum(W0.values())
    np.testing.assert_allclose(w.mean(axis=0), w0, atol=0.006)
    np.testing.assert_allclose(w.var(axis=0), w0 * (1 - w0) / (c + 1), rtol=0.1)
    assert np.allclose(w.sum(axis=1), 1)


def test_factor_objects_are_reusable(data):
    f = Factor.weights_dirichlet(1e10)
    a = UncertaintyAnalysis(flat(), data, [f]).run(3, random_state=0)
    small = Scheme([{"name": n} for n in NAMES[:3]], weights={"i0": 1, "i1": 1, "i2": 2})
    b = UncertaintyAnalysis(small, data, [f]).run(3, random_state=0)
    assert a.design.shape[1] == 6 and b.design.shape[1] == 3
    assert b.design.iloc[0].to_numpy() == pytest.approx([0.25, 0.25, 0.5], rel=1e-4)
    assert f.params["base"] is None


def test_sobol_single_weights_factor(data):
    # one multi-coordinate factor: SALib needs a second group (an unused dummy, dropped)
    ua = UncertaintyAnalysis(flat(), data, [Factor.weights_dirichlet(10)])
    sens = ua.sobol(256, random_state=0, target=("score", "m10"))
    assert list(sens.indices.index) == ["weights"]
    assert sens.n_runs == 256 * 4
    assert sens.indices.loc["weights", "ST"] == pytest.approx(1, abs=0.1)
    assert sens.indices.loc["weights", "S1"] == pytest.approx(1, abs=0.15)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_units=st.integers(4, 12),
    hierarchical=st.booleans(),
    geometric=st.booleans(),
    gaps=st.booleans(),
)
def test_property_vectorised_equals_scheme_score(seed, n_units, hierarchical, geometric, gaps):
    rng = np.random.default_rng(seed)
    names = ["a", "b", "c", "d"]
    x = pd.DataFrame(rng.uniform(0.5, 5.0, (n_units, 4)), columns=names)
    if gaps:
        x.iloc[0, 1] = np.nan
    inds = [{"name": n, **({"group": "g1" if j < 2 else "g2"} if hierarchical else {})}
            for j, n in enumerate(names)]
    scheme = Scheme(inds, weights=dict(zip(names, rng.uniform(0.5, 2, 4), strict=True)),
                    normalisation="target" if geometric else "minmax",
                    aggregation="geometric" if geometric else "arithmetic")
    factors = [Factor.weights_dirichlet(float(rng.uniform(2, 50))),
               Factor.exclude_indicator(["a", "d"])]
    fast = UncertaintyAnalysis(scheme, x, factors).run(4, random_state=seed)
    for i in range(4):
        row = fast.design.iloc[i]
        w = pd.Series(row[[f"weights[{n}]" for n in names]].to_numpy(float), index=names)
        s = scheme.replace(weights=w, **({"dimension_weights": None} if hierarchical else {}))
        if row["exclude"] != "none":
            s = s.replace(indicators=s.indicators.subset([n for n in names
                                                           if n != row["exclude"]]))
        np.testing.assert_allclose(fast.scores.iloc[i].to_numpy(),
                                   s.score(x).scores.to_numpy(), rtol=1e-10, atol=1e-12)


def test_explicit_reference_scores(data):
    other = flat().replace(weights={n: 1.0 for n in NAMES}).score(data).scores
    ua = UncertaintyAnalysis(flat(), data, [Factor.weights_dirichlet(1e10)], reference=other)
    res = ua.run(5, random_state=0)
    pd.testing.assert_series_equal(res.reference_scores, other, check_names=False)
    # the runs reproduce the flat scheme; their shift is the flat-vs-equal shift
    from weighting.compare import compare

    cmp = compare({"flat": flat().score(data).scores, "equal": other})
    assert res.mean_rank_shift.iloc[0] == pytest.approx(cmp.rank_shift.loc["flat", "equal"])
    with pytest.raises(InputDataError, match="reference lacks units"):
        UncertaintyAnalysis(flat(), data, [Factor.weights_dirichlet(5)], reference=other.iloc[:5])


def test_parallel_backends_give_serial_numbers_with_tied_ranks(data, monkeypatch):
    """Threads (the vectorised path's default hint) and forced processes (loky) give the
    serial numbers, ranks included: duplicated units tie and get half ranks, which the
    workers send back as float32 (exact) and the result holds as float64."""
    import joblib

    import weighting.sensitivity as sens

    seen = []
    real = sens.Parallel

    def spy(*args, **kwargs):
        seen.append(kwargs.get("prefer"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sens, "Parallel", spy)
    twins = data.iloc[:5].set_axis([f"t{i}" for i in range(5)])  # duplicate units tie
    data = pd.concat([data, twins])
    scheme = Scheme([{"name": n} for n in NAMES], weights=W0, normalisation="quantile")
    factors = [Factor.weights_dirichlet(20), Factor.exclude_indicator(["i1"])]
    ua = UncertaintyAnalysis(scheme, data, factors, chunk_size=7)
    serial = ua.run(50, random_state=5, n_jobs=1)
    ranks = serial.ranks.to_numpy()
    assert (ranks % 1 == 0.5).any()  # tied scores -> half ranks
    threads = ua.run(50, random_state=5, n_jobs=2)
    with joblib.parallel_config(backend="loky"):
        procs = ua.run(50, random_state=5, n_jobs=2)
    for res in (threads, procs):
        np.testing.assert_array_equal(res.scores.to_numpy(), serial.scores.to_numpy())
        np.testing.assert_array_equal(res.ranks.to_numpy(), ranks)
        assert res.ranks.dtypes.eq(np.float64).all()
    assert seen == ["threads"] * 3
    slow = UncertaintyAnalysis(scheme, data, factors, vectorise=False)
    slow.run(3, random_state=5, n_jobs=1)
    assert seen[-1] is None  # per-run scoring holds the GIL: joblib's default (processes)
