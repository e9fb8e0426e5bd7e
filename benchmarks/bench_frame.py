"""Benchmark: frame screening against column generation, a plain loop and R, same data.

Run from the repository root::

    python benchmarks/bench_frame.py                                  # n = 1k ... 100k
    python benchmarks/bench_frame.py --sizes 1000 10000 --rts vrs
    python benchmarks/bench_frame.py --sizes 100000 --no-baseline     # the frame fit only

For each size ``n`` and returns-to-scale assumption it fits ``bench_dea.make_data`` (3
inputs, 2 outputs, input orientation) twice with ``dea.Radial``: ``scores``
(``two_phase=False``) and ``slacks`` (the default two-phase fit: scores, slacks,
targets), each

* with ``screening="frame"`` (the default ``"auto"`` choice here): frame size, seconds
  finding the frame (``screen s``) and scoring against it (``score s``), units that
  needed an LP (``LPs``; the rest were solved by the numpy simplex of
  ``dea.models._screen``), total wall and CPU seconds and the peak resident memory of
  the process that ran the fit (``ru_maxrss``: HiGHS's C++ memory included);
* with ``screening="pricing"`` (column generation, the default before issue 12) up to
  ``--baseline-max`` units;
* with a plain loop of ``scipy.optimize.linprog(method="highs")``, one LP per unit
  (scores only), up to ``--loop-max`` units;
* with R's Benchmarking (``dea(X, Y, RTS=, ORIENTATION="in", SLACK=)``, timed inside R
  by ``system.time``, so R's start-up and data reading are excluded) up to ``--r-max``
  units; skipped with a message when ``Rscript`` or the package is missing.
  Benchmarking is an ordinary CRAN package (``install.packages("Benchmarking")``;
  version 0.33 here, from Debian's ``r-base-core`` R 4.2).

Every fit runs in a fresh Python process (so that the peak memory is the fit's own).
Ratios are the baseline's seconds over the frame fit's (above 1: the frame is faster);
``R`` and ``pricing`` ratios use wall seconds of the same run.  Scores of every method
are checked equal to the frame fit's (max abs difference, asserted < 1e-6 against R and
the loop, < 1e-9 against pricing); for ``slacks`` the phase-2 optimum (the slack sum in
units of the column means) is compared with pricing's and units differing by more than
1e-6 are listed below the table (seen: a near-degenerate phase 2 whose HiGHS optimum
holds a slack at -6e-8, inside HiGHS's feasibility tolerance, that buys 4e-4 of slack
sum through duals of 5e4; the numpy basis is feasible to 1e-10 and dual feasible).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from bench_dea import INPUTS, OUTPUTS, linprog_loop, make_data

HERE = Path(__file__).resolve().parent


def _one(args: argparse.Namespace) -> int:
    """Child process: one fit, results to ``args.out`` (npz) and a JSON line."""
    import dea

    warnings.simplefilter("ignore")
    df = make_data(args.n, args.seed)
    t0, c0 = time.perf_counter(), time.process_time()
    if args.method == "loop":
        scores = linprog_loop(df[INPUTS].to_numpy(), df[OUTPUTS].to_numpy(), args.rts)
        info: dict = {}
        slack = np.full(args.n, np.nan)
    else:
        res = dea.Radial(
            df, INPUTS, OUTPUTS, rts=args.rts, two_phase=args.slacks, screening=args.method
        ).fit()
        scores = res.score_values
        info = {k: v for k, v in res.info.items() if k != "phase2_status"}
        slack = (res.slack_values / df.to_numpy().mean(axis=0)).sum(axis=1)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.savez(args.out, scores=scores, slack=slack)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB (Linux: kB)
    print(json.dumps({"wall": wall, "cpu": cpu, "rss": rss, "info": info}, default=str))
    return 0


def _child(n: int, rts: str, method: str, slacks: bool, seed: int, tmp: Path) -> dict:
    out = tmp / f"{method}_{rts}_{n}_{int(slacks)}.npz"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", "--n", str(n)]
    cmd += ["--rts", rts, "--method", method, "--seed", str(seed), "--out", str(out)]
    if slacks:
        cmd.append("--slacks")
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent)
    if r.returncode:
        raise RuntimeError(r.stderr[-3000:])
    rec = json.loads(r.stdout.strip().splitlines()[-1])
    with np.load(out) as z:
        rec["scores"], rec["slack"] = z["scores"], z["slack"]
    return rec


def have_r_benchmarking() -> str | None:
    """None if Rscript and Benchmarking are usable, else the reason."""
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    r = subprocess.run(
        ["Rscript", "-e", "suppressMessages(library(Benchmarking))"],
        capture_output=True,
        text=True,
    )
    return None if r.returncode == 0 else "R package Benchmarking not installed"


R_CODE = """
suppressMessages(library(Benchmarking))
d <- read.csv("{csv}")
X <- as.matrix(d[, c("x1", "x2", "x3")]); Y <- as.matrix(d[, c("y1", "y2")])
t <- system.time(e <- dea(X, Y, RTS = "{rts}", ORIENTATION = "in", SLACK = {slack}))
s <- if ({slack}) rowSums(sweep(cbind(e$sx, e$sy), 2, colMeans(cbind(X, Y)), "/")) else NA
write.csv(data.frame(score = e$eff, slack = s), "{res}", row.names = FALSE)
cat(sprintf("%.6f %.6f\\n", t[["elapsed"]], t[["user.self"]] + t[["sys.self"]]))
"""


def _r(n: int, rts: str, slacks: bool, seed: int, tmp: Path) -> dict:
    csv, res = tmp / f"d{n}.csv", tmp / f"r_{rts}_{n}_{int(slacks)}.csv"
    make_data(n, seed).to_csv(csv, index=False)
    code = R_CODE.format(csv=csv, res=res, rts=rts, slack="TRUE" if slacks else "FALSE")
    r = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=1800)
    if r.returncode:
        raise RuntimeError(r.stderr[-2000:])
    wall, cpu = (float(v) for v in r.stdout.split()[-2:])
    out = np.genfromtxt(res, delimiter=",", skip_header=1)
    return {"wall": wall, "cpu": cpu, "scores": out[:, 0], "slack": out[:, 1]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 20000, 50000, 100000])
    ap.add_argument("--rts", default="vrs,crs")
    ap.add_argument("--phases", default="scores,slacks")
    ap.add_argument("--baseline-max", type=int, default=50000)
    ap.add_argument("--no-baseline", action="store_true", help="no pricing, loop or R runs")
    ap.add_argument("--loop-max", type=int, default=2000)
    ap.add_argument("--r-max", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=12345)
    # child-process mode
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--method", help=argparse.SUPPRESS)
    ap.add_argument("--slacks", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        args.rts = args.rts.strip()
        return _one(args)
    r_reason = None if not args.no_baseline else "--no-baseline"
    if r_reason is None:
        r_reason = have_r_benchmarking()
    if r_reason:
        print(f"# R side-by-side skipped: {r_reason}")
    print("# dea.Radial(screening='frame') vs column generation, a linprog loop and R;")
    print("# input orientation, 3 inputs, 2 outputs; ratios = baseline wall s / frame wall s")
    head = (
        f"{'rts':>4} {'phase':>6} {'n':>7} {'frame':>5} {'LPs':>5} {'screen s':>8} "
        f"{'score s':>7} {'wall s':>7} {'cpu s':>6} {'MB':>5} {'us/unit':>7} "
        f"{'pricing':>7} {'x':>5} {'loop':>6} {'x':>5} {'R':>7} {'x':>5}"
    )
    print(head)
    print("-" * len(head))
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for rts in [r.strip() for r in args.rts.split(",") if r.strip()]:
            for phase in [p.strip() for p in args.phases.split(",") if p.strip()]:
                slacks = phase == "slacks"
                for n in args.sizes:
                    f = _child(n, rts, "frame", slacks, args.seed, tmp)
                    cells = []
                    base = not args.no_baseline
                    for method, limit in (("pricing", args.baseline_max), ("loop", args.loop_max)):
                        if not base or n > limit or (method == "loop" and slacks):
                            cells.append(None)
                            continue
                        b = _child(n, rts, method, slacks, args.seed, tmp)
                        diff = float(np.nanmax(np.abs(b["scores"] - f["scores"])))
                        assert diff < (1e-9 if method == "pricing" else 1e-6), (method, diff)
                        if slacks and method == "pricing":
                            sd = np.abs(b["slack"] - f["slack"])
                            if np.nanmax(sd) > 1e-6:
                                notes.append(
                                    f"{rts} n={n}: phase-2 slack sums differ for "
                                    f"{int((sd > 1e-6).sum())} unit(s), max {np.nanmax(sd):.1e}"
                                )
                        cells.append(b["wall"])
                    if r_reason is None and n <= args.r_max:
                        b = _r(n, rts, slacks, args.seed, tmp)
                        diff = float(np.nanmax(np.abs(b["scores"] - f["scores"])))
                        assert diff < 1e-6, ("R", diff)
                        cells.append(b["wall"])
                    else:
                        cells.append(None)
                    info = f["info"]
                    txt = []
                    for c in cells:
                        txt += ["-", "-"] if c is None else [f"{c:.2f}", f"{c / f['wall']:.1f}"]
                    print(
                        f"{rts:>4} {phase:>6} {n:>7} {info.get('frame_size', '-'):>5} "
                        f"{info.get('lp_units', '-'):>5} "
                        f"{float(info.get('screening_seconds', 0.0)):>8.2f} "
                        f"{float(info['scoring_seconds']):>7.2f} {f['wall']:>7.2f} "
                        f"{f['cpu']:>6.2f} {f['rss']:>5.0f} {1e6 * f['wall'] / n:>7.0f} "
                        f"{txt[0]:>7} {txt[1]:>5} {txt[2]:>6} {txt[3]:>5} {txt[4]:>7} "
                        f"{txt[5]:>5}",
                        flush=True,
                    )
    for note in notes:
        print(f"# {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
