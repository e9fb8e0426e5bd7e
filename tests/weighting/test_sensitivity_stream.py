"""Streamed Monte Carlo summaries (``keep="summary"``) against the full runs x units matrices.

Exact summaries (rank quantiles, p_top_k, p_scored, rank moments, the per-run mean rank
shift, the design, Sobol' indices) must equal the full computation bit for bit; score
quantiles must lie within the reported ``score_error``; the same seed gives the same numbers
for any ``n_jobs`` and chunk size.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dea.exceptions import InputDataError
from weighting._stream import GridCounts, RunSummary
from weighting.scheme import Scheme
from weighting.sensitivity import Factor, UncertaintyAnalysis, _rank_rows

IND = ["a", "b", "c", "d"]
BASE = pd.Series([0.4, 0.3, 0.2, 0.1], index=IND)
EXACT = [
    "reference_rank",
    "median_rank",
    "rank_q05",
    "rank_q95",
    "p_top_5",
    "reference_score",
    "p_scored",
    "rarely_scored",
]
SCORE_Q = ["score_q05", "score_median", "score_q95"]


def coarse_score(
    data: pd.DataFrame, weights: pd.Series = BASE, drop: str = "none", digits: int = 2
) -> pd.Series:
    """A linear score rounded to ``digits`` (many ties); ``drop`` leaves units unscored."""
    s = (data[weights.index] @ (weights / weights.sum())).round(digits)
    if drop != "none":
        s[data.index[data[drop] > 0.8]] = np.nan
    return s


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        rng.uniform(0, 1, (25, 4)), columns=IND, index=[f"u{i:02d}" for i in range(25)]
    )


def factors():
    return [
        Factor.weights_dirichlet(15, base=BASE),
        Factor.choice("drop", ["none", "a", "b"]),
        Factor.choice("digits", [1, 2, 6]),
    ]


def assert_stream_equals_full(full, stream):
    a, b = full.summarise(top_k=5), stream.summarise(top_k=5)
    for c in EXACT:
        np.testing.assert_array_equal(a[c].to_numpy(), b[c].to_numpy(), err_msg=c)
    assert stream.score_error > 0
    for c in SCORE_Q:
        gap = np.abs(a[c] - b[c]).to_numpy()
        assert np.nanmax(gap) <= stream.score_error * (1 + 1e-9), c
        np.testing.assert_array_equal(np.isnan(a[c]), np.isnan(b[c]))
    np.testing.assert_array_equal(full.mean_rank_shift, stream.mean_rank_shift)
    pd.testing.assert_frame_equal(full.design, stream.design)
    ma, mb = full.moments, stream.moments
    np.testing.assert_array_equal(ma["n_scored"], mb["n_scored"])
    for c in ["rank_mean", "rank_sd", "score_mean", "score_sd"]:
        np.testing.assert_allclose(mb[c], ma[c], rtol=1e-12, atol=1e-13, err_msg=c)


def test_streamed_summary_equals_full_matrix(data):
    ua = UncertaintyAnalysis(coarse_score, data, factors(), chunk_size=17)
    full = ua.run(300, random_state=4, keep="full")
    stream = ua.run(300, random_state=4, keep="summary")
    assert full.kept == "full" and stream.kept == "summary"
    assert stream.n_runs == 300 and stream.rank_error == 0 and full.score_error == 0
    assert full.ranks.isna().any().any()  # units left unscored in some runs
    assert_stream_equals_full(full, stream)
    # other levels and k are computed from the same counts, still exactly
    lv = (0.1, 0.8)
    np.testing.assert_array_equal(
        full.summarise(3, lv)["rank_q10"], stream.summarise(3, lv)["rank_q10"]
    )
    np.testing.assert_array_equal(
        full.summarise(3, lv)["p_top_3"], stream.summarise(3, lv)["p_top_3"]
    )


def test_streamed_scheme_equals_full_matrix():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        rng.lognormal(0, 0.5, (40, 4)), columns=IND, index=[f"m{i}" for i in range(40)]
    ).mask(rng.random((40, 4)) < 0.05)
    scheme = Scheme(
        [{"name": c} for c in IND],
        weights=dict(BASE),
        normalisation="minmax",
        aggregation="arithmetic",
    )
    fs = [
        Factor.weights_dirichlet(20),
        Factor.normalisation(["minmax", "rank"]),
        Factor.exclude_indicator(["a"]),
    ]
    ua = UncertaintyAnalysis(scheme, df, fs, chunk_size=64)
    assert ua.vectorised
    assert_stream_equals_full(
        ua.run(500, random_state=1, keep="full"), ua.run(500, random_state=1, keep="summary")
    )


def test_same_numbers_for_any_n_jobs_and_chunk_size(data):
    runs = {}
    for cs in (7, 250, 1000):
        ua = UncertaintyAnalysis(coarse_score, data, factors(), chunk_size=cs)
        for jobs in (1, 2):
            runs[cs, jobs] = ua.run(260, random_state=9, n_jobs=jobs, keep="summary")
    first = runs[7, 1]
    for key, res in runs.items():
        pd.testing.assert_frame_equal(first.summary, res.summary, check_exact=True, obj=key)
        pd.testing.assert_frame_equal(first.design, res.design, check_exact=True)
        np.testing.assert_array_equal(first.mean_rank_shift, res.mean_rank_shift)
        # score moments are merged chunk by chunk: bitwise for any n_jobs, to rounding
        # across chunk sizes
        np.testing.assert_allclose(
            first.moments.to_numpy(float), res.moments.to_numpy(float), rtol=1e-13, atol=0
        )
    for cs in (7, 250, 1000):
        pd.testing.assert_frame_equal(runs[cs, 1].moments, runs[cs, 2].moments, check_exact=True)
    # the full matrices too: the random blocks do not depend on chunk_size
    a = UncertaintyAnalysis(coarse_score, data, factors(), chunk_size=7).run(
        260, random_state=9, keep="full"
    )
    b = UncertaintyAnalysis(coarse_score, data, factors(), chunk_size=300).run(
        260, random_state=9, keep="full"
    )
    pd.testing.assert_frame_equal(a.scores, b.scores, check_exact=True)


def test_auto_switches_to_summary_above_the_cell_limit(data, monkeypatch):
    import weighting.sensitivity as sens

    ua = UncertaintyAnalysis(coarse_score, data, factors())
    assert ua.run(40, random_state=0).kept == "full"
    monkeypatch.setattr(sens, "FULL_MATRIX_CELLS", 39 * len(data))
    res = ua.run(40, random_state=0)
    assert res.kept == "summary"
    with pytest.raises(InputDataError, match="keep='full'"):
        res.scores  # noqa: B018
    with pytest.raises(InputDataError, match="keep='full'"):
        res.ranks  # noqa: B018
    assert "40 runs, 25 units" in res.report()
    with pytest.raises(InputDataError, match="keep="):
        ua.run(10, keep="some")
    with pytest.raises(InputDataError, match="score_bins"):
        ua.run(10, keep="summary", score_bins=0)


def test_sobol_streamed_equals_full(data):
    unit = data.index[(data["a"] <= 0.8) & (data["b"] <= 0.8)][3]  # scored in every run
    ua = UncertaintyAnalysis(coarse_score, data, factors(), chunk_size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        full = ua.sobol(32, random_state=3, keep="full")
        stream = ua.sobol(32, random_state=3, keep="summary", target=("rank", unit))
        full_u3 = full.analyse(("rank", unit))
    assert stream.kept == "summary" and stream.n_runs == full.n_runs
    pd.testing.assert_frame_equal(stream.indices, full_u3, check_exact=True)
    pd.testing.assert_frame_equal(stream.analyse("mean_rank_shift"), full.indices, check_exact=True)
    with pytest.raises(InputDataError, match="not computed"):
        stream.analyse(("score", "u01"))
    with pytest.raises(InputDataError, match="keep='full'"):
        stream.scores  # noqa: B018
    with pytest.raises(InputDataError, match="not among"):
        ua.sobol(16, keep="summary", target=("rank", "nobody"))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 80),
    st.integers(0, 2**31),
    st.integers(0, 3),
    st.sampled_from([1 << 24, 30, 7]),
    st.integers(1, 4),
)
def test_grid_counts_equal_numpy_on_ties_and_gaps(units, runs, seed, digits, cap, parts):
    rng = np.random.default_rng(seed)
    y = np.round(rng.normal(0, 3, (runs, units)), digits)
    y[rng.random(y.shape) < 0.15] = np.nan
    r = _rank_rows(y, True)
    whole = RunSummary(units, 0.01, max_cells=cap)
    merged = RunSummary(units, 0.01, max_cells=cap)
    cuts = [0, *sorted(rng.integers(0, runs + 1, parts - 1)), runs]
    for lo, hi in itertools.pairwise(cuts):
        whole.add(y[lo:hi], r[lo:hi])
        p = RunSummary(units, 0.01, max_cells=cap)
        p.add(y[lo:hi], r[lo:hi])
        merged.merge(p)
    assert whole.ranks.width == merged.ranks.width
    assert whole.scores.width == merged.scores.width
    for q in (0.0, 0.05, 0.5, 0.95, 1.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            exp_r, exp_s = np.nanquantile(r, q, axis=0), np.nanquantile(y, q, axis=0)
        for summ in (whole, merged):
            got = summ.ranks.quantile(q)
            if summ.ranks.error == 0:
                np.testing.assert_array_equal(got, exp_r)
            else:
                assert np.all((np.abs(got - exp_r) <= summ.ranks.error + 1e-12) | np.isnan(exp_r))
            gap = np.abs(summ.score_quantile(q) - exp_s)
            assert np.all((gap <= summ.scores.error * (1 + 1e-9) + 1e-12) | np.isnan(exp_s))
        np.testing.assert_array_equal(whole.ranks.quantile(q), merged.ranks.quantile(q))


def test_grid_counts_coarsen_keeps_totals():
    g = GridCounts(2, 1.0, max_cells=8)
    g.add(np.array([[0.0, 5.0], [3.0, 1.0]]))
    assert g.width == 2.0 and g.n().tolist() == [2, 2]  # spans 4 + 5 > 8 cells at width 1
    g.add(np.array([[40.0, -9.0]]))  # wider ranges: the width doubles until 2 x 4 bins fit
    assert g.width == 16.0 and g.n().tolist() == [3, 3]
    assert g.error == 8.0
    np.testing.assert_allclose(g.quantile(1.0), [40.0, 5.0], atol=g.error)


def _dask_runs(ua, cluster_ctx):
    with cluster_ctx:
        res = ua.run(300, random_state=5, n_jobs=-1, keep="summary")
        sob = ua.sobol(16, random_state=5, n_jobs=-1, keep="summary")
    return res, sob


def test_streamed_on_dask_in_process_equals_serial(data):
    distributed = pytest.importorskip("dask.distributed")
    import contextlib

    import joblib

    ua = UncertaintyAnalysis(coarse_score, data, factors(), chunk_size=40)
    serial = ua.run(300, random_state=5, keep="summary")
    serial_sob = ua.sobol(16, random_state=5, keep="summary")
    stack = contextlib.ExitStack()
    cluster = stack.enter_context(
        distributed.LocalCluster(
            processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
        )
    )
    stack.enter_context(distributed.Client(cluster))
    stack.enter_context(joblib.parallel_config(backend="dask"))
    dist, dist_sob = _dask_runs(ua, stack)
    pd.testing.assert_frame_equal(serial.summary, dist.summary, check_exact=True)
    pd.testing.assert_frame_equal(serial.moments, dist.moments, check_exact=True)
    pd.testing.assert_frame_equal(serial_sob.indices, dist_sob.indices, check_exact=True)


@pytest.mark.slow
def test_streamed_on_local_cluster_processes_equals_serial(data):
    pytest.importorskip("dask.distributed")
    from dea._parallel import scheduler

    ua = UncertaintyAnalysis(coarse_score, data, factors(), chunk_size=40)
    serial = ua.run(300, random_state=5, keep="summary")
    dist, _ = _dask_runs(ua, scheduler("local:2"))
    pd.testing.assert_frame_equal(serial.summary, dist.summary, check_exact=True)
    pd.testing.assert_frame_equal(serial.moments, dist.moments, check_exact=True)
    np.testing.assert_array_equal(serial.mean_rank_shift, dist.mean_rank_shift)


def test_grid_counts_pickle_round_trip():
    import pickle

    rng = np.random.default_rng(1)
    g = RunSummary(3, 0.01)
    y = rng.normal(size=(50, 3))
    g.add(y, _rank_rows(y, True))
    h = pickle.loads(pickle.dumps(g))
    for q in (0.1, 0.5, 0.9):
        np.testing.assert_array_equal(g.ranks.quantile(q), h.ranks.quantile(q))
        np.testing.assert_array_equal(g.score_quantile(q), h.score_quantile(q))
    h.merge(g)
    np.testing.assert_array_equal(h.ranks.n(), [100, 100, 100])
