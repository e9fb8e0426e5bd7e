"""Tests of weighting.sensitivity with callable models (the generic machinery).

Scheme models (vectorised path) are tested in test_sensitivity_scheme.py.
"""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dea.exceptions import InputDataError
from weighting.exceptions import SmallSampleWarning
from weighting.sensitivity import Factor, SobolResult, UncertaintyAnalysis, UncertaintyResult

matplotlib.use("Agg")

IND = ["a", "b", "c", "d"]
BASE = pd.Series([0.4, 0.3, 0.2, 0.1], index=IND)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    return pd.DataFrame(
        rng.uniform(0.05, 1.0, (30, 4)), columns=IND, index=[f"mfi{i:02d}" for i in range(30)]
    )


def linear_score(data: pd.DataFrame, weights: pd.Series = BASE, agg: str = "arith",
                 exclude: str | None = None, shift: float = 0.0) -> pd.Series:
    w = weights.drop(exclude) if exclude else weights
    x = data[w.index]
    if agg == "arith":
        s = x @ (w / w.sum())
    else:
        s = np.exp(np.log(x) @ (w / w.sum()))
    return s + shift


def test_run_shapes_and_summary(data):
    ua = UncertaintyAnalysis(
        linear_score, data,
        [Factor.weights_dirichlet(30, base=BASE), Factor.choice("agg", ["arith", "geo"])],
    )
    res = ua.run(200, random_state=1, top_k=5)
    assert isinstance(res, UncertaintyResult)
    assert res.scores.shape == (200, 30) and res.ranks.shape == (200, 30)
    assert list(res.scores.columns) == list(data.index)
    # every run's ranks are a permutation of 1..30
    assert (np.sort(res.ranks.to_numpy(), axis=1) == np.arange(1, 31)).all()
    assert list(res.design.columns) == ["weights[a]", "weights[b]", "weights[c]",
                                        "weights[d]", "agg"]
    assert np.allclose(res.design.iloc[:, :4].sum(axis=1), 1)
    summ = res.summary
    assert {"median_rank", "rank_q05", "rank_q95", "p_top_5", "score_median"} <= set(summ)
    # rank intervals contain the median; score quantiles ordered
    assert (summ["rank_q05"] <= summ["median_rank"]).all()
    assert (summ["median_rank"] <= summ["rank_q95"]).all()
    assert (summ["score_q05"] <= summ["score_q95"]).all()
    # probabilities of a top-5 place add up to 5 (ranks without ties)
    assert summ["p_top_5"].sum() == pytest.approx(5)
    # the reference is the model with no factor applied
    pd.testing.assert_series_equal(
        res.reference_scores, linear_score(data).astype(float), check_names=False
    )
    # one run recomputed by hand from its design
    row = res.design.iloc[17]
    w = pd.Series(row.iloc[:4].to_numpy(float), index=IND)
    expected = linear_score(data, weights=w, agg=row["agg"])
    np.testing.assert_allclose(res.scores.iloc[17].to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert "Uncertainty analysis: 200 runs, 30 units" in repr(res)
    assert "<table" in res._repr_html_()


def test_p_top_k_matches_design(data):
    # unit mfi00 is first under "up" and last under "down": p_top_1 is the share of "up" runs
    def score(d, direction="up"):
        s = pd.Series(np.arange(len(d), 0, -1.0), index=d.index)
        return s if direction == "up" else -s

    ua = UncertaintyAnalysis(score, data, [Factor.choice("direction", ["up", "down"])])
    res = ua.run(101, random_state=5, top_k=1)
    share_up = (res.design["direction"] == "up").mean()
    assert 0 < share_up < 1
    assert res.summary.loc["mfi00", "p_top_1"] == pytest.approx(share_up)
    assert res.summary.loc["mfi29", "p_top_1"] == pytest.approx(1 - share_up)
    # rank shift is 0 for "up" runs and the full reversal for "down" runs
    n = 30
    full = np.abs(np.arange(1, n + 1) - np.arange(n, 0, -1)).mean()
    expect = np.where(res.design["direction"] == "up", 0.0, full)
    np.testing.assert_allclose(res.mean_rank_shift.to_numpy(), expect)


def test_infinite_concentration_reproduces_base_ranks(data):
    ua = UncertaintyAnalysis(linear_score, data, [Factor.weights_dirichlet(1e9, base=BASE)])
    res = ua.run(50, random_state=0)
    assert np.allclose(res.design.to_numpy(), BASE.to_numpy(), atol=1e-3)
    assert (res.ranks.to_numpy() == res.reference_ranks.to_numpy()).all()
    assert (res.mean_rank_shift == 0).all()


def test_uniform_weights(data):
    ua = UncertaintyAnalysis(
        linear_score, data,
        [Factor.weights_uniform(spread=0.5, bounds={"d": (0.0, 0.0)}, base=BASE,
                                normalise=False)],
    )
    w = ua.run(300, random_state=0).design
    assert (w["weights[d]"] == 0).all()
    assert w["weights[a]"].between(0.2, 0.6).all()
    assert w["weights[a]"].min() < 0.25 and w["weights[a]"].max() > 0.55
    # spread 0 reproduces the base weights
    ua0 = UncertaintyAnalysis(linear_score, data, [Factor.weights_uniform(0.0, base=BASE)])
    assert (ua0.run(20, random_state=0).mean_rank_shift == 0).all()


def test_exclusion_and_continuous_factor(data):
    ua = UncertaintyAnalysis(
        linear_score, data,
        [Factor.exclude_indicator(["a", "b"]), Factor.uniform("shift", 1.0, 2.0)],
    )
    res = ua.run(60, random_state=2)
    assert set(res.design["exclude"]) <= {"none", "a", "b"}
    assert res.design["shift"].between(1, 2).all()
    for i in (0, 7, 33):
        row = res.design.iloc[i]
        exc = None if row["exclude"] == "none" else row["exclude"]
        exp = linear_score(data, exclude=exc, shift=row["shift"])
        np.testing.assert_allclose(res.scores.iloc[i].to_numpy(), exp.to_numpy())


def test_custom_apply(data):
    # the MIV-style block weight: a continuous factor applied by a function
    def score(d, mix=0.5):
        return mix * d["a"] + (1 - mix) * d["b"]

    f = Factor.uniform("w", 0.0, 1.0, apply=lambda kw, v: {**kw, "mix": v})
    res = UncertaintyAnalysis(score, data, [f]).run(20, random_state=0)
    row = res.design.iloc[3]
    np.testing.assert_allclose(res.scores.iloc[3], score(data, row["w"]))


@pytest.mark.filterwarnings("ignore::weighting.exceptions.SmallSampleWarning")  # n=8: speed
def test_n_jobs_does_not_change_results(data):
    # threads here (a process pool would import this test module in every worker); the
    # default process backend is exercised with a Scheme in test_sensitivity_scheme.py
    import joblib

    factors = [Factor.weights_dirichlet(20, base=BASE), Factor.choice("agg", ["arith", "geo"]),
               Factor.uniform("shift", 0, 1)]
    ua = UncertaintyAnalysis(linear_score, data, factors, chunk_size=9)
    r1 = ua.run(40, random_state=11, n_jobs=1)
    with joblib.parallel_config(backend="threading"):
        r2 = ua.run(40, random_state=11, n_jobs=2)
    np.testing.assert_array_equal(r1.scores.to_numpy(), r2.scores.to_numpy())
    pd.testing.assert_frame_equal(r1.design, r2.design)
    r3 = ua.run(40, random_state=12, n_jobs=1)
    assert not np.array_equal(r1.scores.to_numpy(), r3.scores.to_numpy())
    s1 = ua.sobol(8, random_state=0, n_jobs=1)
    with joblib.parallel_config(backend="threading"):
        s2 = ua.sobol(8, random_state=0, n_jobs=2)
    pd.testing.assert_frame_equal(s1.indices, s2.indices)


def test_progress_bar_on_stderr(data, capsys):
    ua = UncertaintyAnalysis(linear_score, data, [Factor.choice("agg", ["arith", "geo"])],
                             chunk_size=10)
    ua.run(30, random_state=0, progress=True)
    err = capsys.readouterr().err
    assert "30/30 runs" in err
    ua.run(30, random_state=0)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- Sobol'
def _additive(d, a=0.0, b=0.0, same="x"):
    # every unit's score is a + 2 b (plus a unit offset): S1 = ST = (1/5, 4/5), same -> 0
    return pd.Series(np.arange(len(d), dtype=float), index=d.index) + a + 2 * b


def test_sobol_analytic_additive(data):
    ua = UncertaintyAnalysis(
        _additive, data,
        [Factor.uniform("a", 0, 1), Factor.uniform("b", 0, 1), Factor.choice("same", ["x", "x"])],
    )
    sens = ua.sobol(512, random_state=0, target=("score", "mfi03"))
    assert isinstance(sens, SobolResult)
    assert sens.n_runs == 512 * 5
    ix = sens.indices
    assert list(ix.index) == ["a", "b", "same"]
    assert ix.loc["a", "S1"] == pytest.approx(0.2, abs=0.04)
    assert ix.loc["b", "S1"] == pytest.approx(0.8, abs=0.04)
    assert ix.loc["a", "ST"] == pytest.approx(0.2, abs=0.04)
    assert ix.loc["b", "ST"] == pytest.approx(0.8, abs=0.04)
    # identical alternatives: indices near zero
    assert abs(ix.loc["same", "S1"]) < 0.02 and abs(ix.loc["same", "ST"]) < 1e-12
    assert (ix["S1_conf"] >= 0).all()
    assert "Sobol' indices" in repr(sens)
    # a two-way choice is reported as such; continuous factors have no level count
    assert ix.loc["same", "levels"] == 2 and ix[["levels"]].loc[["a", "b"]].isna().all().all()
    # ST's interval reaches 0 only for the factor without effect
    assert ix["ST_zero"].to_dict() == {"a": False, "b": False, "same": True}


def test_sobol_only_varying_factor_has_total_index_one(data):
    ua = UncertaintyAnalysis(
        linear_score, data,
        [Factor.choice("agg", ["arith", "arith"]), Factor.weights_dirichlet(5, base=BASE)],
    )
    sens = ua.sobol(128, random_state=1)  # target: mean rank shift
    ix = sens.indices
    assert ix.loc["weights", "ST"] == pytest.approx(1, abs=0.1)
    assert ix.loc["weights", "S1"] == pytest.approx(1, abs=0.2)
    assert abs(ix.loc["agg", "ST"]) < 1e-12
    # the same runs, another target
    ix2 = sens.analyse(("rank", "mfi05"))
    assert ix2.loc["weights", "ST"] == pytest.approx(1, abs=0.1)


@pytest.mark.filterwarnings("ignore::weighting.exceptions.SmallSampleWarning")  # n=8: speed
def test_sobol_constant_target_warns(data):
    ua = UncertaintyAnalysis(_additive, data, [Factor.choice("same", ["x", "x"])])
    with pytest.warns(RuntimeWarning, match="does not vary"):
        sens = ua.sobol(8, random_state=0)
    assert sens.indices[["S1", "S1_conf", "ST", "ST_conf"]].isna().all().all()
    assert sens.indices["ST_zero"].all()


def test_sobol_small_base_sample_warns_without_changing_results(data):
    # true indices S1 = ST = (0.2, 0.8); with N = 4 (16 runs) the estimates are noise
    ua = UncertaintyAnalysis(
        _additive, data, [Factor.uniform("a", 0, 1), Factor.uniform("b", 0, 1)]
    )
    with pytest.warns(SmallSampleWarning, match=r"n=4 .*minimum 16") as rec:
        sens = ua.sobol(4, random_state=3, target=("score", "mfi03"))
    assert sum(issubclass(r.category, SmallSampleWarning) for r in rec) == 1
    assert sens.n_runs == 4 * 4
    # results unchanged: an estimate above one, as the warning says, and the same numbers
    # again when the warning is silenced
    assert sens.indices.loc["b", "S1"] > 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        again = ua.sobol(4, random_state=3, target=("score", "mfi03"))
    pd.testing.assert_frame_equal(sens.indices, again.indices)
    # at the minimum, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        ix = ua.sobol(16, random_state=3, target=("score", "mfi03")).indices
    assert ix.loc["b", "ST"] == pytest.approx(0.8, abs=0.3)


# ---------------------------------------------------------------- DEA returns to scale
def test_returns_to_scale_factor_with_dea():
    import dea

    rng = np.random.default_rng(7)
    d = pd.DataFrame(
        {"x": rng.uniform(1, 10, 12), "y1": rng.uniform(1, 10, 12), "y2": rng.uniform(1, 10, 12)},
        index=[f"u{i}" for i in range(12)],
    )

    def dea_score(data, rts="crs"):
        return dea.Radial(data, ["x"], ["y1", "y2"], rts=rts).fit().scores

    ua = UncertaintyAnalysis(dea_score, d, [Factor.returns_to_scale(["crs", "vrs"])])
    res = ua.run(16, random_state=0)
    crs, vrs = dea_score(d, "crs"), dea_score(d, "vrs")
    for i, rts in res.design["rts"].items():
        exp = crs if rts == "crs" else vrs
        np.testing.assert_allclose(res.scores.loc[i].to_numpy(), exp.to_numpy(), atol=1e-9)
    assert set(res.design["rts"]) == {"crs", "vrs"}
    # CRS <= VRS, so a unit's score interval spans [crs, vrs]
    summ = res.summarise(levels=(0.0, 1.0))
    np.testing.assert_allclose(summ["score_q00"], crs.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(summ["score_q100"], vrs.to_numpy(), atol=1e-9)
    sens = ua.sobol(16, random_state=0, target=("score", "u0"))
    if vrs["u0"] > crs["u0"] + 1e-9:
        assert sens.indices.loc["rts", "ST"] == pytest.approx(1, abs=1e-9)


# ---------------------------------------------------------------- dask
def test_dask_backend_gives_serial_numbers(data):
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    factors = [Factor.weights_dirichlet(20, base=BASE), Factor.choice("agg", ["arith", "geo"])]
    ua = UncertaintyAnalysis(linear_score, data, factors, chunk_size=25)
    serial = ua.run(100, random_state=3, n_jobs=1)
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_config(backend="dask"),
    ):
        dist = ua.run(100, random_state=3, n_jobs=2)
    np.testing.assert_array_equal(serial.scores.to_numpy(), dist.scores.to_numpy())
    np.testing.assert_array_equal(serial.ranks.to_numpy(), dist.ranks.to_numpy())


# ---------------------------------------------------------------- errors and plots
@pytest.mark.filterwarnings("ignore::weighting.exceptions.SmallSampleWarning")  # n=8: speed
def test_errors(data):
    with pytest.raises(InputDataError, match="used twice"):
        UncertaintyAnalysis(linear_score, data, [Factor.uniform("shift", 0, 1)] * 2)
    with pytest.raises(InputDataError, match="base weights are unknown"):
        UncertaintyAnalysis(linear_score, data, [Factor.weights_dirichlet(5)])
    with pytest.raises(InputDataError, match="at most one"):
        UncertaintyAnalysis(linear_score, data, [
            Factor.weights_dirichlet(5, base=BASE),
            Factor.weights_uniform(0.1, base=BASE, name="w2")])
    with pytest.raises(InputDataError, match="candidates must be given"):
        UncertaintyAnalysis(linear_score, data, [Factor.exclude_indicator()])
    with pytest.raises(InputDataError, match="concentration"):
        Factor.weights_dirichlet(0)
    with pytest.raises(InputDataError, match="bounds"):
        Factor.uniform("x", 2, 1)
    with pytest.raises(InputDataError, match="ppf"):
        Factor.continuous("x", object())
    with pytest.raises(InputDataError, match="are a int; expected a pandas Series"):
        UncertaintyAnalysis(lambda d, **k: 3, data, [Factor.uniform("x", 0, 1)])
    ua = UncertaintyAnalysis(linear_score, data, [Factor.uniform("shift", 0, 1)])
    with pytest.raises(InputDataError, match="power of two"):
        ua.sobol(100)
    with pytest.raises(InputDataError, match="not among the scored units"):
        ua.sobol(8, target=("score", "nope"))
    with pytest.raises(InputDataError, match="target="):
        ua.sobol(8, target="median")
    with pytest.raises(InputDataError, match="positive integer"):
        ua.run(0)

    def grows(d, x=0.0):
        s = d["a"] + x
        return pd.concat([s, pd.Series({"new": 1.0})]) if x > 0.5 else s

    ua = UncertaintyAnalysis(grows, data, [Factor.uniform("x", 0, 1)])
    with pytest.raises(InputDataError, match="absent from the reference run"):
        ua.run(20, random_state=0)


def test_continuous_scipy_distribution(data):
    from scipy import stats

    f = Factor.continuous("shift", stats.norm(10, 0.1))
    res = UncertaintyAnalysis(linear_score, data, [f]).run(500, random_state=0)
    assert res.design["shift"].mean() == pytest.approx(10, abs=0.02)
    assert res.design["shift"].std() == pytest.approx(0.1, rel=0.15)


@pytest.mark.filterwarnings("ignore::weighting.exceptions.SmallSampleWarning")  # n=8: speed
def test_plot_rank_intervals(data):
    import matplotlib.pyplot as plt

    ua = UncertaintyAnalysis(linear_score, data, [Factor.weights_dirichlet(10, base=BASE)])
    res = ua.run(50, random_state=0)
    ax = res.plot_rank_intervals(n=12)
    assert len(ax.get_yticklabels()) == 12
    sens = ua.sobol(8, random_state=0)
    assert sens.plot() is not None
    plt.close("all")


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_same_seed_same_runs_any_chunking_of_n_jobs(seed, n):
    d = pd.DataFrame(np.random.default_rng(0).uniform(0.1, 1, (8, 4)), columns=IND)
    ua = UncertaintyAnalysis(linear_score, d, [Factor.weights_dirichlet(10, base=BASE)],
                             chunk_size=16)
    a = ua.run(n, random_state=seed)
    b = ua.run(n, random_state=seed)
    np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())
    s = a.summary
    assert (s["rank_q05"] <= s["median_rank"]).all() and (s["median_rank"] <= s["rank_q95"]).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, np.nan]), min_size=5,
                         max_size=5), min_size=1, max_size=6), st.booleans())
def test_rank_rows_equals_rankdata(rows, higher):
    from scipy.stats import rankdata

    from weighting.sensitivity import _rank_rows

    x = np.array(rows, dtype=float)
    got = _rank_rows(x, higher)
    for i in range(len(x)):
        exp = rankdata(-x[i] if higher else x[i], method="average", nan_policy="omit")
        np.testing.assert_array_equal(got[i], exp)


class _BatchModel:
    """A callable model with a vectorised score_batch (weights as runs x indicators)."""

    calls = 0

    def __call__(self, data, weights=BASE, agg="arith"):
        return linear_score(data, weights=weights, agg=agg)

    def score_batch(self, data, weights, agg="arith"):
        type(self).calls += 1
        w = weights.to_numpy() / weights.to_numpy().sum(axis=1, keepdims=True)
        x = data[weights.columns].to_numpy()
        s = w @ x.T if agg == "arith" else np.exp(w @ np.log(x).T)
        return pd.DataFrame(s, columns=data.index)


def test_callable_score_batch(data):
    _BatchModel.calls = 0
    factors = [Factor.weights_dirichlet(20, base=BASE), Factor.choice("agg", ["arith", "geo"])]
    fast = UncertaintyAnalysis(_BatchModel(), data, factors, chunk_size=50).run(
        100, random_state=2)
    slow = UncertaintyAnalysis(_BatchModel().__call__, data, factors, chunk_size=50).run(
        100, random_state=2)
    np.testing.assert_allclose(fast.scores.to_numpy(), slow.scores.to_numpy(), rtol=1e-12)
    assert _BatchModel.calls == 4  # 2 chunks x 2 aggregation groups


def test_weights_dirichlet_non_number_concentration_is_input_error():
    with pytest.raises(InputDataError, match=r"concentration=.* is invalid"):
        Factor.weights_dirichlet(concentration="high")
    with pytest.raises(InputDataError, match="concentration=None is invalid"):
        Factor.weights_dirichlet(concentration=None)


def test_rarely_scored_units_marked_and_left_out_of_the_plot(data):
    """A unit scored in 1 run of 4 is marked and not drawn among the top units by default."""
    import matplotlib.pyplot as plt

    def score(d: pd.DataFrame, shift: float = 0.0) -> pd.Series:
        s = d["a"] + shift
        if shift > 0.75:  # mfi00 not scored in the runs with a large shift
            s = s.drop("mfi00")
        return s

    ua = UncertaintyAnalysis(score, data, [Factor.uniform("shift", 0, 1)])
    res = ua.run(400, random_state=3)
    summ = res.summary
    assert summ.loc["mfi00", "p_scored"] == pytest.approx(0.75, abs=0.06)
    assert not summ.loc["mfi00", "rarely_scored"]
    strict = res.summarise(min_scored=0.9)
    assert strict.loc["mfi00", "rarely_scored"] and not strict.drop("mfi00")["rarely_scored"].any()
    from weighting.plots import plot_rank_intervals

    ax = plot_rank_intervals(strict, n=None, min_scored=0.9)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "mfi00" not in labels and len(labels) == 29
    ax = plot_rank_intervals(strict, n=None, min_scored=0)
    assert len([t.get_text() for t in ax.get_yticklabels()]) == 30
    plt.close("all")
