"""Benchmark: Monte Carlo uncertainty analysis of a linear scheme, vectorised vs naive loop.

Run from the repository root::

    python benchmarks/bench_sensitivity.py             # 10,000 runs, 800 units, n_jobs 1 and 2
    python benchmarks/bench_sensitivity.py --quick     # 1,000 runs
    python benchmarks/bench_sensitivity.py --runs 20000 --units 2000 --baseline-runs 40

Seeded synthetic data: ``--units`` units, 8 indicators in 2 dimensions (4 + 4; lognormal and
beta distributed, a few gaps).  The scheme is hierarchical and linear: min-max
normalisation, expert weights, arithmetic means within and across dimensions.  The factors
are the weights (Dirichlet, concentration 30), the normalisation (min-max, rank, percentile
rank) and the exclusion of one indicator (none, ``s1``, ``f3``): 9 groups of discrete
choices, each evaluated as one matrix product over all its weight vectors.

Timed in the same run, on the same data and the same design:

* ``vectorised n_jobs=k`` -- ``UncertaintyAnalysis(scheme, data, factors).run(n, n_jobs=k)``
  (including ranking and the result tables).  The vectorised path asks joblib for threads
  (a soft hint); for ``k > 1`` the same run is then repeated with processes forced by
  ``joblib.parallel_config(backend="loky")``, twice: first with a cold worker pool, whose
  start-up (a fresh Python importing pandas/scipy per worker) is included, then warm;
* ``naive loop``          -- for a subsample of the same runs, a plain loop building each
  run's Scheme (``replace``) and calling ``Scheme.score``; its time is extrapolated to ``n``
  runs.  The loop's scores are checked equal to the vectorised ones (max abs diff < 1e-9).

The ratio is (extrapolated) naive seconds / vectorised seconds.  Wall-clock seconds of one
run each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import time

import joblib
import numpy as np
import pandas as pd

from weighting.scheme import Scheme
from weighting.sensitivity import Factor, UncertaintyAnalysis

SOC = ["s1", "s2", "s3", "s4"]
FIN = ["f1", "f2", "f3", "f4"]


def make_data(n: int, seed: int = 2024) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {}
    for j, c in enumerate(SOC):
        cols[c] = rng.beta(2 + j, 3, n)
    for j, c in enumerate(FIN):
        cols[c] = rng.lognormal(0.2 * j, 0.6, n)
    df = pd.DataFrame(cols, index=[f"MFI{i:05d}" for i in range(n)])
    gaps = rng.random(df.shape) < 0.01
    return df.mask(gaps)


def make_scheme() -> Scheme:
    inds = [{"name": c, "group": "social"} for c in SOC] + [
        {"name": c, "group": "financial"} for c in FIN
    ]
    weights = dict(zip(SOC + FIN, [3, 2, 2, 1, 2, 1, 1, 1], strict=True))
    return Scheme(
        inds, weights=weights, normalisation="minmax", aggregation="arithmetic", name="bench"
    )


FACTORS = [
    Factor.weights_dirichlet(30),
    Factor.normalisation(["minmax", "rank", "percentile"]),
    Factor.exclude_indicator(["s1", "f3"]),
]


def naive(scheme: Scheme, data: pd.DataFrame, design: pd.DataFrame) -> np.ndarray:
    """The plain loop: one Scheme per run, scored with Scheme.score."""
    names = SOC + FIN
    out = np.empty((len(design), len(data)))
    for r, (_, row) in enumerate(design.iterrows()):
        w = pd.Series(row[[f"weights[{n}]" for n in names]].to_numpy(float), index=names)
        s = scheme.replace(weights=w, dimension_weights=None, normalisation=row["normalisation"])
        if row["exclude"] != "none":
            s = s.replace(indicators=s.indicators.subset([n for n in names if n != row["exclude"]]))
        out[r] = s.score(data).scores.to_numpy()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--units", type=int, default=800)
    ap.add_argument("--baseline-runs", type=int, default=60)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--quick", action="store_true", help="1,000 runs")
    args = ap.parse_args()
    n = 1000 if args.quick else args.runs

    data = make_data(args.units)
    scheme = make_scheme()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs; {args.units} units, "
        f"8 indicators in 2 dimensions, {n} Monte Carlo runs"
    )
    print(f"factors: {', '.join(repr(f) for f in FACTORS)}")

    rows = []
    results = {}
    for k in args.jobs:
        passes = [("", None)]
        if k > 1:
            passes += [(", loky cold pool", "loky"), (", loky warm pool", "loky")]
        for label, backend in passes:
            ua = UncertaintyAnalysis(scheme, data, FACTORS)  # fresh: no cached groups
            with contextlib.ExitStack() as stack:
                if backend:
                    stack.enter_context(joblib.parallel_config(backend=backend))
                t0 = time.perf_counter()
                res = ua.run(n, random_state=0, n_jobs=k)
                secs = time.perf_counter() - t0
            results[(k, label)] = res
            rows.append((f"vectorised n_jobs={k}{label}", n, secs))
    first = next(iter(results.values()))
    for key, res in results.items():
        same = np.array_equal(first.scores.to_numpy(), res.scores.to_numpy(), equal_nan=True)
        same = same and np.array_equal(first.ranks.to_numpy(), res.ranks.to_numpy(),
                                       equal_nan=True)
        if not same:
            raise SystemExit(f"n_jobs={key[0]}{key[1]} gave different results from the first run")

    m = min(args.baseline_runs, n)
    t0 = time.perf_counter()
    loop = naive(scheme, data, first.design.iloc[:m])
    secs = time.perf_counter() - t0
    diff = np.nanmax(np.abs(loop - first.scores.to_numpy()[:m]))
    if not diff < 1e-9:
        raise SystemExit(f"naive loop and vectorised scores differ (max abs diff {diff:.2e})")
    naive_total = secs * n / m
    rows.append((f"naive loop ({m} runs, extrapolated)", n, naive_total))

    print()
    print(f"{'method':<44}{'runs':>8}{'wall s':>10}{'ms/run':>10}{'ratio':>9}")
    for name, runs, s in rows:
        best = min(r[2] for r in rows if r[0].startswith("vectorised"))
        ratio = s / best
        print(f"{name:<44}{runs:>8}{s:>10.2f}{1000 * s / runs:>10.3f}{ratio:>9.1f}")
    print(f"\nmax |naive - vectorised| over {m} runs: {diff:.1e}; all n_jobs/backends identical")
    summ = first.summary.sort_values("median_rank").head(5)
    print("\nfive best units by median rank:")
    print(
        summ[["reference_rank", "median_rank", "rank_q05", "rank_q95", "p_top_10"]].to_string(
            float_format=lambda x: f"{x:.2f}"
        )
    )


if __name__ == "__main__":
    main()
