"""Reading a result's pandas views must not build anything of order n^2 (issue 2).

``benchmarks/bench_dea.py --memory`` measures the same at n = 1,000 ... 20,000; here a
small, fast case guards the property: with n = 400 units a dense n x n float64 lambda
would take 1.28 MB, while scores, slacks, targets and peers need a few tens of KB.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd

import dea

N = 400


def _data(n: int = N) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.lognormal(np.log(50.0), 0.5, size=(n, 3))
    y = (2.0 * x[:, 0] ** 0.35 * x[:, 1] ** 0.25 * x[:, 2] ** 0.3) * np.exp(
        -np.abs(rng.normal(0.0, 0.3, n))
    )
    w = rng.uniform(0.2, 0.8, n)
    cols = {"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "y1": y * w, "y2": y * (1 - w)}
    return pd.DataFrame(cols, index=[f"u{i}" for i in range(n)])


def test_views_do_not_densify_lambda() -> None:
    res = dea.Radial(_data(), inputs=["x1", "x2", "x3"], outputs=["y1", "y2"]).fit()
    assert res.lambda_matrix.nnz <= N * 6  # at most m + s + 1 basic lambdas per unit
    dense_bytes = N * N * 8
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        parts = (res.scores, res.slacks, res.targets, res.weights, res.peers)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert all(len(p) == N for p in parts)
    assert peak < dense_bytes / 4, f"reading views took {peak} bytes (dense: {dense_bytes})"
