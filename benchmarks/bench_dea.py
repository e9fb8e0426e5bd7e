"""Benchmark: ``dea.Radial`` (default backend) against plain one-LP-per-unit loops.

Run from the repository root::

    python benchmarks/bench_dea.py --quick          # n = 100, 500 (under a minute)
    python benchmarks/bench_dea.py                  # n = 100 ... 20000
    python benchmarks/bench_dea.py --sizes 2000 --rts vrs
    python benchmarks/bench_dea.py --memory         # peak traced memory, n = 1000 ... 20000

For every size ``n`` and returns-to-scale assumption it times, in the same run and on the
same seeded data (3 inputs, 2 outputs, Cobb-Douglas frontier with half-normal
inefficiency):

* ``dea``        -- ``dea.Radial(df, ..., orientation="input", two_phase=False).fit()``:
  scores only, like the baselines (the default backend, HiGHS with hot starts);
* ``dea+slacks`` -- the same with the default ``two_phase=True`` (scores, slacks, targets);
* ``linprog``    -- a plain loop, one ``scipy.optimize.linprog(method="highs")`` per unit;
* ``pulp``       -- a plain loop, one PuLP model per unit solved with CBC.

Ratios are baseline seconds / ``dea`` seconds.  Baselines are skipped above
``--max-baseline-n`` (default 2000) and PuLP above ``--max-pulp-n`` (default 500,
about 0.1 s per LP at n = 500 and growing with n); the
table says so.  Scores of every method are checked equal (max abs diff < 1e-6) before a
row is printed.  Wall-clock seconds of one run each (``--repeat`` takes the best of k).

``--memory`` runs a different table (VRS, input orientation, two-phase default fit): the
peak memory traced by :mod:`tracemalloc` during ``dea.Radial(...).fit()``, the memory the
result keeps, and the peak while reading ``res.scores``, ``res.slacks``, ``res.targets``
and ``res.peers`` (and, separately, the pandas sparse ``res.lambdas``), each in bytes per
unit and as a ratio against two baselines computed
in the same run: the input arrays (``n (m + s)`` float64) and a dense ``n x n`` float64
lambda matrix.  tracemalloc sees Python and numpy allocations, not memory HiGHS allocates
in C++ (its working LP holds only the columns generated so far).
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

import dea

INPUTS = ["x1", "x2", "x3"]
OUTPUTS = ["y1", "y2"]
DEFAULT_SIZES = [100, 500, 2000, 5000, 20000]
QUICK_SIZES = [100, 500]
TOL = 1e-6


def make_data(n: int, seed: int = 12345) -> pd.DataFrame:
    """Seeded production data: 3 inputs, 2 outputs, Cobb-Douglas frontier, inefficiency.

    Inputs are log-normal around 50; the frontier output is
    ``Y* = 2 * x1^0.35 * x2^0.25 * x3^0.3`` (decreasing returns to scale, sum 0.9);
    observed total output is ``Y* * exp(-u) * exp(v)`` with half-normal inefficiency
    ``u ~ |N(0, 0.3)|`` and small noise ``v ~ N(0, 0.02)``; it is split into two outputs
    by a share ``w ~ U(0.2, 0.8)``.
    """
    rng = np.random.default_rng(seed + n)
    x = rng.lognormal(mean=np.log(50.0), sigma=0.5, size=(n, 3))
    frontier = 2.0 * x[:, 0] ** 0.35 * x[:, 1] ** 0.25 * x[:, 2] ** 0.3
    u = np.abs(rng.normal(0.0, 0.3, n))
    v = rng.normal(0.0, 0.02, n)
    total = frontier * np.exp(-u + v)
    w = rng.uniform(0.2, 0.8, n)
    y = np.column_stack([total * w, total * (1.0 - w)])
    df = pd.DataFrame(np.column_stack([x, y]), columns=INPUTS + OUTPUTS)
    df.index = pd.Index([f"u{i:05d}" for i in range(n)], name="unit")
    return df


def linprog_loop(X: np.ndarray, Y: np.ndarray, rts: str) -> np.ndarray:
    """Input-oriented radial scores, one ``linprog(method="highs")`` LP per unit.

    Variables ``[theta, lambda_1..lambda_n]``; for unit o:
    min theta s.t. X' lambda - theta x_o <= 0, -Y' lambda <= -y_o, lambda >= 0
    (and sum lambda = 1 under VRS).
    """
    n, m = X.shape
    s = Y.shape[1]
    c = np.zeros(n + 1)
    c[0] = 1.0
    base = sp.vstack(
        [
            sp.hstack([sp.csr_matrix((m, 1)), sp.csr_matrix(X.T)]),
            sp.hstack([sp.csr_matrix((s, 1)), sp.csr_matrix(-Y.T)]),
        ]
    ).tolil()
    a_eq = np.r_[0.0, np.ones(n)][None, :] if rts == "vrs" else None
    b_eq = [1.0] if rts == "vrs" else None
    bounds = [(None, None)] + [(0.0, None)] * n
    out = np.empty(n)
    for o in range(n):
        A = base.copy()
        for i in range(m):
            A[i, 0] = -X[o, i]
        b = np.r_[np.zeros(m), -Y[o]]
        res = linprog(
            c, A_ub=A.tocsr(), b_ub=b, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
        )
        out[o] = res.x[0] if res.status == 0 else np.nan
    return out


def pulp_loop(X: np.ndarray, Y: np.ndarray, rts: str) -> np.ndarray:
    """Input-oriented radial scores, one PuLP model per unit solved with CBC."""
    import pulp

    n, m = X.shape
    s = Y.shape[1]
    solver = pulp.PULP_CBC_CMD(msg=False)
    out = np.empty(n)
    for o in range(n):
        prob = pulp.LpProblem(f"unit_{o}", pulp.LpMinimize)
        theta = pulp.LpVariable("theta")
        lam = [pulp.LpVariable(f"lambda_{j}", lowBound=0) for j in range(n)]
        prob += theta
        for i in range(m):
            prob += pulp.lpDot(X[:, i].tolist(), lam) <= float(X[o, i]) * theta
        for r in range(s):
            prob += pulp.lpDot(Y[:, r].tolist(), lam) >= float(Y[o, r])
        if rts == "vrs":
            prob += pulp.lpSum(lam) == 1
        prob.solve(solver)
        out[o] = theta.value() if prob.status == pulp.LpStatusOptimal else np.nan
    return out


def dea_scores(
    df: pd.DataFrame, rts: str, two_phase: bool, highs_options: dict | None = None
) -> np.ndarray:
    """Scores from the package's default backend (extra HiGHS options if given)."""
    res = dea.Radial(
        df,
        inputs=INPUTS,
        outputs=OUTPUTS,
        rts=rts,
        orientation="input",
        two_phase=two_phase,
        solver_options={"highs_options": highs_options} if highs_options else None,
    ).fit()
    return res.scores.reindex(df.index).to_numpy(dtype=float)


def timed(fn: Callable[[], np.ndarray], repeat: int) -> tuple[float, np.ndarray]:
    """Best wall-clock seconds over ``repeat`` runs, and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    assert out is not None
    return best, out


def _fmt(v: float | None) -> str:
    return "skipped" if v is None else f"{v:9.3f}"


def _ratio(base: float | None, ref: float) -> str:
    return "-" if base is None else f"{base / ref:7.1f}x"


def _option(text: str) -> tuple[str, bool | int | float | str]:
    """``NAME=VALUE`` -> (name, value as bool, int, float or str)."""
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise SystemExit(f"--highs-option {text!r}: use NAME=VALUE")
    if raw.lower() in ("true", "false"):
        return name, raw.lower() == "true"
    for cast in (int, float):
        try:
            return name, cast(raw)
        except ValueError:
            pass
    return name, raw


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", help="numbers of units")
    ap.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    ap.add_argument("--rts", default="vrs,crs", help="comma list of vrs,crs (default both)")
    ap.add_argument("--max-baseline-n", type=int, default=2000, help="skip baselines above")
    ap.add_argument("--max-pulp-n", type=int, default=500, help="skip the PuLP loop above")
    ap.add_argument("--no-slacks", action="store_true", help="skip the two-phase column")
    ap.add_argument("--repeat", type=int, default=1, help="best of k runs")
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument(
        "--highs-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra HiGHS option for the dea runs (repeatable), e.g. simplex_strategy=4",
    )
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the dea fit at the largest size, top 20"
    )
    ap.add_argument(
        "--memory",
        action="store_true",
        help=f"memory table instead of timings (sizes default {MEMORY_SIZES}, VRS)",
    )
    args = ap.parse_args(argv)
    if args.memory:
        memory_table(args.sizes or MEMORY_SIZES, args.seed)
        return 0
    highs_options = dict(_option(text) for text in args.highs_option)
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    rts_list = [r.strip() for r in args.rts.split(",") if r.strip()]

    print(f"# dea benchmark: input orientation, 3 inputs, 2 outputs, seed {args.seed}")
    print(
        f"# python {platform.python_version()}, numpy {np.__version__}, "
        f"machine {platform.machine()}, {platform.system()}"
    )
    if highs_options:
        print(f"# extra HiGHS options for dea: {highs_options}")
    print(
        f"# baselines skipped above n={args.max_baseline_n} (linprog) and "
        f"n={args.max_pulp_n} (pulp); ratio = baseline s / dea s"
    )
    header = (
        f"{'rts':>4} {'n':>6} {'dea s':>9} {'dea+slk s':>9} {'linprog s':>9} "
        f"{'pulp s':>9} {'linprog/dea':>11} {'pulp/dea':>9} {'max|diff|':>9}"
    )
    print(header)
    print("-" * len(header))
    for rts in rts_list:
        for n in sizes:
            df = make_data(n, args.seed)
            X, Y = df[INPUTS].to_numpy(), df[OUTPUTS].to_numpy()
            t_dea, s_dea = timed(
                lambda df=df, rts=rts: dea_scores(df, rts, False, highs_options), args.repeat
            )
            t_slk = None
            if not args.no_slacks:
                t_slk, s_slk = timed(
                    lambda df=df, rts=rts: dea_scores(df, rts, True, highs_options), args.repeat
                )
                assert np.nanmax(np.abs(s_slk - s_dea)) < TOL, "two-phase scores differ"
            diffs: list[float] = []
            t_lp = t_pl = None
            if n <= args.max_baseline_n:
                t_lp, s_lp = timed(lambda X=X, Y=Y, rts=rts: linprog_loop(X, Y, rts), args.repeat)
                d = float(np.nanmax(np.abs(s_lp - s_dea)))
                assert d < TOL, f"linprog and dea scores differ by {d:.3g} (n={n}, {rts})"
                diffs.append(d)
            if n <= min(args.max_baseline_n, args.max_pulp_n):
                t_pl, s_pl = timed(lambda X=X, Y=Y, rts=rts: pulp_loop(X, Y, rts), args.repeat)
                d = float(np.nanmax(np.abs(s_pl - s_dea)))
                assert d < TOL, f"pulp and dea scores differ by {d:.3g} (n={n}, {rts})"
                diffs.append(d)
            print(
                f"{rts:>4} {n:>6} {t_dea:9.3f} {_fmt(t_slk)} {_fmt(t_lp)} {_fmt(t_pl)} "
                f"{_ratio(t_lp, t_dea):>11} {_ratio(t_pl, t_dea):>9} "
                f"{(f'{max(diffs):9.1e}' if diffs else '-'):>9}",
                flush=True,
            )
    if args.profile:
        _profile(make_data(max(sizes), args.seed), rts_list[0])
    return 0


MEMORY_SIZES = [1000, 5000, 20000]


def _traced(fn: Callable[[], object]) -> tuple[object, int, int]:
    """Run ``fn`` under tracemalloc: (its value, peak above the start, kept above the start)."""
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    value = fn()
    current, peak = tracemalloc.get_traced_memory()
    return value, peak - start, current - start


def memory_table(sizes: list[int], seed: int) -> None:
    """Peak traced memory of a default VRS fit and of reading its pandas views.

    Asserts that reading scores, slacks, targets and peers does not build anything of
    order ``n^2`` (each read must stay below ``64 n (m + s + 2)`` bytes plus the stored
    lambda entries) and that the stored lambda matrix has ``O(n)`` entries.
    """
    m, s = len(INPUTS), len(OUTPUTS)
    print(f"# dea memory: Radial(rts='vrs', orientation='input').fit(), {m} inputs, {s} outputs")
    print("# tracemalloc peaks (Python + numpy; HiGHS C++ memory not traced)")
    print("# in = n(m+s) float64 input arrays; dense = n x n float64 lambda; B/unit = bytes / n")
    header = (
        f"{'n':>6} {'fit peak B/unit':>15} {'peak/in':>8} {'peak/dense':>10} "
        f"{'kept B/unit':>11} {'lambda nnz/n':>12} {'views peak B/unit':>17} {'views/in':>8} "
        f"{'.lambdas B/unit':>15}"
    )
    print(header)
    print("-" * len(header))
    # warm-up: imports and one-time caches are not part of a fit's memory
    _ = dea.Radial(make_data(50, seed), inputs=INPUTS, outputs=OUTPUTS).fit().lambdas.shape
    tracemalloc.start()
    try:
        for n in sizes:
            df = make_data(n, seed)
            in_bytes = n * (m + s) * 8
            dense_bytes = n * n * 8
            res, fit_peak, kept = _traced(
                lambda df=df: dea.Radial(
                    df, inputs=INPUTS, outputs=OUTPUTS, rts="vrs", orientation="input"
                ).fit()
            )
            lam = res.lambda_matrix  # type: ignore[attr-defined]
            nnz = lam.nnz
            assert nnz <= n * (m + s + 1), f"lambda has {nnz} entries for n={n}"

            def _views(res=res) -> int:
                parts = (res.scores, res.slacks, res.targets, res.peers)
                return sum(len(p) for p in parts)

            _, views_peak, _ = _traced(_views)
            limit = 64 * n * (m + s + 2) + 64 * nnz
            assert views_peak < limit, f"reading views took {views_peak} B at n={n} (O(n^2)?)"
            _, lambdas_peak, _ = _traced(lambda res=res: res.lambdas.shape)
            # pandas sparse frame: one SparseArray column per reference unit, O(n) overhead
            assert lambdas_peak < 4096 * n + 64 * nnz, f"res.lambdas took {lambdas_peak} B"
            print(
                f"{n:>6} {fit_peak / n:>15,.0f} {fit_peak / in_bytes:>7.1f}x "
                f"{fit_peak / dense_bytes:>9.4f}x {kept / n:>11,.0f} {nnz / n:>12.2f} "
                f"{views_peak / n:>17,.0f} {views_peak / in_bytes:>7.1f}x "
                f"{lambdas_peak / n:>15,.0f}",
                flush=True,
            )
            del res, lam
    finally:
        tracemalloc.stop()


def _profile(df: pd.DataFrame, rts: str) -> None:
    """Print where the default backend spends its time (cumulative, top 20)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    dea_scores(df, rts, False)
    prof.disable()
    print(f"\n# cProfile of dea.Radial(..., rts={rts!r}, two_phase=False).fit(), n={len(df)}")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(20)


if __name__ == "__main__":
    raise SystemExit(main())
