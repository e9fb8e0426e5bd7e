"""Benchmark: ``dea.CrossEfficiency`` against ``dea.Radial`` and a plain linprog loop.

Run from the repository root::

    python benchmarks/bench_cross.py                    # n = 500, 1000
    python benchmarks/bench_cross.py --sizes 2000 --rts vrs
    python benchmarks/bench_cross.py --max-baseline-n 0 # skip the linprog loop

For every size ``n`` and returns-to-scale assumption it times, in the same run and on the
same seeded data as ``bench_dea.py`` (3 inputs, 2 outputs, Cobb-Douglas frontier with
half-normal inefficiency), input orientation:

* ``radial``     -- ``dea.Radial(df, ..., two_phase=False).fit()`` (scores only): the
  same-run baseline for "one LP per unit", and the CCR/BCC scores cross-efficiency must
  reproduce (checked, max abs diff < 1e-8);
* ``simple``     -- ``dea.CrossEfficiency(df, ..., goal="simple").fit()``: n multiplier LPs
  plus the n x n matrix;
* ``aggressive`` -- the same with ``goal="aggressive"`` (``method="ratio"``): n LPs plus n
  hot-started secondary-goal re-solves;
* ``linprog``    -- a plain loop with one ``scipy.optimize.linprog(method="highs")`` per
  LP (first stage, then the aggressive secondary goal), the matrix by numpy: what one
  writes without a hot-started engine.  Its secondary-goal objectives are checked against
  ``dea``'s (relative difference < 1e-6).

Ratios are seconds / ``radial`` seconds (same run) and linprog / aggressive.  The machine is
shared (2 cores); compare ratios from one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linprog

import dea

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dea import INPUTS, OUTPUTS, make_data

DEFAULT_SIZES = [500, 1000]


def linprog_cross(X: np.ndarray, Y: np.ndarray, rts: str) -> tuple[np.ndarray, np.ndarray]:
    """Aggressive (ratio) cross-efficiency by a plain loop; returns (matrix, criterion).

    Like ``dea`` it divides each column by its mean and normalises the peers' virtual input
    to ``n - 1`` (with raw data and a sum of 1, the weights are ~1/n and HiGHS's absolute
    tolerances let them violate ``E <= 1`` by ~1e-5, moving the criterion by ~1e-4).
    """
    X, Y = X / X.mean(axis=0), Y / Y.mean(axis=0)  # columns of order one
    n, m = X.shape
    s = Y.shape[1]
    vrs = rts == "vrs"
    k = m + s + int(vrs)
    N = np.zeros((n, k))
    D = np.zeros((n, k))
    D[:, :m], N[:, m : m + s] = X, Y
    if vrs:
        N[:, -1] = 1.0
    A_ub, b_ub = N - D, np.zeros(n)
    bounds = [(0, None)] * (m + s) + ([(None, None)] if vrs else [])
    W = np.zeros((n, k))
    for d in range(n):
        r1 = linprog(
            -N[d], A_ub=A_ub, b_ub=b_ub, A_eq=D[d][None], b_eq=[1.0], bounds=bounds, method="highs"
        )
        theta = -r1.fun
        pN, pD = N.sum(axis=0) - N[d], D.sum(axis=0) - D[d]
        r2 = linprog(
            pN,
            A_ub=A_ub,
            b_ub=b_ub,
            A_eq=np.vstack([pD, N[d] - theta * D[d]]),
            b_eq=[n - 1.0, 0.0],
            bounds=bounds,
            method="highs",
        )
        W[d] = r2.x if r2.status == 0 else np.nan
    E = (W @ N.T) / (W @ D.T)
    Wn = W / np.einsum("ij,ij->i", W, D)[:, None]
    crit = ((Wn @ N.T).sum(1) - np.einsum("ij,ij->i", Wn, N)) / (
        (Wn @ D.T).sum(1) - np.einsum("ij,ij->i", Wn, D)
    )
    return E, crit


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def fit(model: type, df: Any, **kwargs: Any) -> Any:
    return model(df, INPUTS, OUTPUTS, **kwargs).fit()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES)
    ap.add_argument("--rts", default="crs,vrs", help="comma list of crs,vrs")
    ap.add_argument("--max-baseline-n", type=int, default=1000, help="skip linprog above")
    ap.add_argument("--seed", type=int, default=12345)
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    head = (
        f"{'n':>6} {'rts':>4} {'radial s':>9} {'simple s':>9} {'aggr s':>8} "
        f"{'linprog s':>10} {'simple/rad':>10} {'aggr/rad':>9} {'linprog/aggr':>12}"
    )
    print(head)
    print("-" * len(head))
    dea.CrossEfficiency(make_data(20, args.seed), INPUTS, OUTPUTS).fit()  # warm-up
    for n in args.sizes:
        df = make_data(n, args.seed)
        for rts in args.rts.split(","):
            t_rad, rad = timed(fit, dea.Radial, df, rts=rts, two_phase=False)
            t_sim, sim = timed(fit, dea.CrossEfficiency, df, rts=rts)
            t_agg, agg = timed(fit, dea.CrossEfficiency, df, rts=rts, goal="aggressive")
            diff = np.nanmax(np.abs(sim.scores.to_numpy() - rad.scores.to_numpy()))
            assert diff < 1e-8, f"first stage differs from Radial by {diff}"
            t_lp: float | None = None
            if n <= args.max_baseline_n:
                X, Y = df[INPUTS].to_numpy(), df[OUTPUTS].to_numpy()
                t_lp, (_, crit) = timed(linprog_cross, X, Y, rts)
                ours = agg.secondary_objective.to_numpy()
                both = np.isfinite(ours) & np.isfinite(crit)
                rel = np.max(np.abs(ours[both] - crit[both]) / np.abs(crit[both]))
                assert rel < 1e-6, f"aggressive criterion differs from linprog by {rel}"
            lp = f"{t_lp:10.2f}" if t_lp is not None else f"{'skipped':>10}"
            ratio = f"{t_lp / t_agg:12.2f}" if t_lp is not None else f"{'-':>12}"
            print(
                f"{n:>6} {rts:>4} {t_rad:9.2f} {t_sim:9.2f} {t_agg:8.2f} {lp} "
                f"{t_sim / t_rad:10.2f} {t_agg / t_rad:9.2f} {ratio}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
