"""Benchmark: ``dea.bootstrap`` and ``dea.Malmquist`` against same-run baselines.

Run from the repository root::

    python benchmarks/bench_bootstrap.py                      # bootstrap n = 200, 1000; Malmquist
    python benchmarks/bench_bootstrap.py --reps 10 --sizes 200 --no-malmquist
    python benchmarks/bench_bootstrap.py --no-bootstrap       # Malmquist only

Bootstrap (issue 11 item 2): seeded data of ``bench_dea.make_data`` (3 inputs, 2 outputs),
``dea.bootstrap(dea.Radial(df, ..., rts="vrs"), n_boot=reps, seed=...)`` (input
orientation, default ``method="batch"``, ``n_jobs=--jobs``).  A few replications only
(the machine is shared); the table gives
wall and CPU (``time.process_time``) seconds per replication and their projection to
2,000 replications (the issue's goal: 2,000 replications at n = 1,000 in under 60 s).
Baselines measured in the same run on the same data:

* ``dea-lp``: ``dea.bootstrap(..., method="lp")``, one ``Radial(..., reference=pseudo).fit()``
  per replication (the method before the batched simplex), same seed; its replications
  are checked equal to the batch method's to 1e-9;

* ``loop``: a plain loop, one ``scipy.optimize.linprog(method="highs")`` LP per unit per
  replication, on the same pseudo-samples (the draws of ``dea.bootstrap`` itself, same
  seeds), at ``n <= --max-loop-n``; its replicated scores are checked equal to
  ``dea.bootstrap``'s (``return_replications=True``) to 1e-6;
* ``R``: R's Benchmarking ``dea.boot(X, Y, NREP=reps, RTS="vrs", ORIENTATION="in")`` run
  by ``Rscript`` on the same data, timed inside R by ``system.time`` (R start-up and
  reading the CSV excluded; CPU = user + system).  Skipped with a message when
  ``Rscript`` or Benchmarking is missing.

Ratios are baseline seconds per replication / ``dea`` seconds per replication.

Malmquist: the MIX panel (``/work/shared/data/mix``), screened with
``socialperf.screen.read_mix_panel``, years 2005-2015, inputs operating expense and
personnel, outputs gross loan portfolio and active borrowers (rows with a missing or
non-positive value in those dropped), ``dea.Malmquist(..., rts="crs")`` and ``"vrs"``
with ``scale=False`` (four distances per unit-pair, what ``malmq`` computes)
(input orientation, consecutive periods) against R's Benchmarking ``malmq`` on each pair of
consecutive years of the same data, timed inside R the same way; the index of the units
both compute is checked equal (to 1e-6).  Same-run baseline ``lp``: the same
``dea.Malmquist`` with ``method="lp"`` (one ``Radial`` fit per set of distances, the
method before the batched simplex; CPU seconds), its distances and statuses checked
equal to the default method's (1e-9).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

import dea
from dea.bootstrap import _draw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dea import INPUTS, OUTPUTS, make_data

MIX = Path("/work/shared/data/mix/mix_africa_mfi_panel_1999_2019.csv")
MIX_INPUTS = ["operating_expense", "personnel"]
MIX_OUTPUTS = ["gross_loan_portfolio", "number_of_active_borrowers"]
GOAL_REPS = 2000


def timed(fn, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w0, time.process_time() - c0


def vrs_input_scores(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray, Yr: np.ndarray) -> np.ndarray:
    """Input-oriented VRS scores of (X, Y) against (Xr, Yr), one linprog per unit.

    Variables ``[theta, lambda]``: min theta s.t. Xr' lambda - theta x_o <= 0,
    -Yr' lambda <= -y_o, sum lambda = 1, lambda >= 0.
    """
    n, m = X.shape
    k = Xr.shape[0]
    c = np.r_[1.0, np.zeros(k)]
    A = np.vstack(
        [np.hstack([np.zeros((m, 1)), Xr.T]), np.hstack([np.zeros((Y.shape[1], 1)), -Yr.T])]
    )
    a_eq = np.r_[0.0, np.ones(k)][None, :]
    bounds = [(None, None)] + [(0.0, None)] * k
    out = np.empty(n)
    for o in range(n):
        A[:m, 0] = -X[o]
        b = np.r_[np.zeros(m), -Y[o]]
        res = linprog(c, A_ub=A, b_ub=b, A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
        out[o] = res.x[0] if res.status == 0 else np.nan
    return out


def loop_bootstrap(df: pd.DataFrame, reps: int, seed: int, h: float) -> np.ndarray:
    """Plain-loop bootstrap replications (n x reps), the draws of ``dea.bootstrap``."""
    X, Y = df[INPUTS].to_numpy(float), df[OUTPUTS].to_numpy(float)
    D = 1.0 / vrs_input_scores(X, Y, X, Y)
    var_refl = float(np.var(np.concatenate([D, 2.0 - D]), ddof=1))
    out = np.empty((X.shape[0], reps))
    for b, ss in enumerate(np.random.SeedSequence(seed).spawn(reps)):
        Dstar = _draw(np.random.default_rng(ss), D, h, var_refl)
        out[:, b] = vrs_input_scores(X, Y, X * (Dstar / D)[:, None], Y)
    return out


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


def run_r(code: str) -> dict[str, float]:
    """Run R code that prints ``key=value`` lines; return them as floats."""
    r = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"Rscript failed:\n{r.stderr[-2000:]}")
    vals = {}
    for line in r.stdout.splitlines():
        if "=" in line:
            key, _, v = line.partition("=")
            vals[key.strip()] = float(v)
    return vals


def r_dea_boot(df: pd.DataFrame, reps: int, tmp: Path) -> dict[str, float]:
    path = tmp / f"boot_{len(df)}.csv"
    df.to_csv(path)
    code = f"""
suppressMessages(library(Benchmarking))
d <- read.csv("{path}")
X <- as.matrix(d[, c({", ".join(repr(c) for c in INPUTS)})])
Y <- as.matrix(d[, c({", ".join(repr(c) for c in OUTPUTS)})])
set.seed(1)
t <- system.time(invisible(capture.output(
  b <- dea.boot(X, Y, NREP = {reps}, RTS = "vrs", ORIENTATION = "in"))))
cat("wall=", t[["elapsed"]], "\\n", sep = "")
cat("cpu=", t[["user.self"]] + t[["sys.self"]], "\\n", sep = "")
"""
    return run_r(code)


def bench_bootstrap(args: argparse.Namespace, r_reason: str | None, tmp: Path) -> None:
    print(
        f"# dea.bootstrap: VRS, input, 3 inputs, 2 outputs, seed {args.seed}, "
        f"n_jobs={args.jobs} (dea), 1 (dea-lp)"
    )
    print(f"# {args.reps} replications per timing; 'x2000' = seconds per rep x {GOAL_REPS}")
    if r_reason:
        print(f"# R baseline skipped: {r_reason}")
    head = (
        f"{'method':>8} {'n':>6} {'reps':>5} {'wall s':>8} {'cpu s':>8} {'wall/rep':>9} "
        f"{'cpu/rep':>8} {'x2000 wall':>10} {'x2000 cpu':>9} {'ratio wall':>10} {'ratio cpu':>9}"
    )
    print(head)
    print("-" * len(head))
    for n in args.sizes:
        df = make_data(n, args.seed)
        model = dea.Radial(df, INPUTS, OUTPUTS, rts="vrs")
        dea.bootstrap(dea.Radial(df.iloc[:30], INPUTS, OUTPUTS, rts="vrs"), 2, seed=0)  # warm-up
        res, w, c = timed(
            dea.bootstrap,
            model,
            args.reps,
            seed=args.seed,
            return_replications=True,
            n_jobs=args.jobs,
        )
        base = (w / args.reps, c / args.reps)

        def row(name: str, reps: int, w: float, c: float, n: int = n, base: tuple = base) -> None:
            wr, cr = w / reps, c / reps
            ratio = (
                ("-", "-") if name == "dea" else (f"{wr / base[0]:.1f}x", f"{cr / base[1]:.1f}x")
            )
            print(
                f"{name:>8} {n:>6} {reps:>5} {w:>8.2f} {c:>8.2f} {wr:>9.3f} {cr:>8.3f} "
                f"{wr * GOAL_REPS:>10.0f} {cr * GOAL_REPS:>9.0f} {ratio[0]:>10} {ratio[1]:>9}",
                flush=True,
            )

        row("dea", args.reps, w, c)
        if args.lp_reps > 0:
            k = min(args.reps, args.lp_reps)
            lp, lw, lc = timed(
                dea.bootstrap, model, k, seed=args.seed, return_replications=True, method="lp"
            )
            ours = res.replications.to_numpy()[:, :k]
            diff = np.nanmax(np.abs(lp.replications.to_numpy() - ours))
            assert diff < 1e-9, f"method='lp' and 'batch' replications differ by {diff}"
            row("dea-lp", k, lw, lc)
        if n <= args.max_loop_n:
            k = min(args.reps, args.loop_reps)
            reps_loop, lw, lc = timed(loop_bootstrap, df, k, args.seed, res.bandwidth)
            diff = np.nanmax(np.abs(reps_loop - res.replications.to_numpy()[:, :k]))
            assert diff < 1e-6, f"loop and dea.bootstrap replications differ by {diff}"
            row("loop", k, lw, lc)
        if r_reason is None:
            k = args.r_reps
            t = r_dea_boot(df, k, tmp)
            row("R", k, t["wall"], t["cpu"])


def mix_panel() -> pd.DataFrame:
    from socialperf.screen import read_mix_panel

    p = read_mix_panel(MIX).panel
    p = p[(p["year"] >= 2005) & (p["year"] <= 2015)]
    cols = MIX_INPUTS + MIX_OUTPUTS
    p = p[["mfiid", "year", *cols]].dropna()
    p = p[(p[cols] > 0).all(axis=1)].drop_duplicates(["mfiid", "year"])
    return p.reset_index(drop=True)


def r_malmq(p: pd.DataFrame, rts: str, tmp: Path) -> tuple[dict[str, float], pd.DataFrame]:
    path = tmp / "malmq.csv"
    out = tmp / f"malmq_{rts}_r.csv"
    p.to_csv(path, index=False)
    code = f"""
suppressMessages(library(Benchmarking))
p <- read.csv("{path}")
xc <- c({", ".join(repr(c) for c in MIX_INPUTS)})
yc <- c({", ".join(repr(c) for c in MIX_OUTPUTS)})
yrs <- sort(unique(p$year)); res <- NULL
t <- system.time(for (i in seq_len(length(yrs) - 1)) {{
  a <- p[p$year == yrs[i], ]; b <- p[p$year == yrs[i + 1], ]
  r <- malmq(as.matrix(a[, xc]), as.matrix(a[, yc]), a$mfiid,
             as.matrix(b[, xc]), as.matrix(b[, yc]), b$mfiid, RTS = "{rts}", ORIENTATION = "in")
  res <- rbind(res, data.frame(unit = r$id, period = yrs[i + 1], m = r$m))
}})
write.csv(res, "{out}", row.names = FALSE)
cat("wall=", t[["elapsed"]], "\\n", sep = "")
cat("cpu=", t[["user.self"]] + t[["sys.self"]], "\\n", sep = "")
"""
    return run_r(code), pd.read_csv(out, dtype={"unit": str})


def bench_malmquist(args: argparse.Namespace, r_reason: str | None, tmp: Path) -> None:
    p = mix_panel()
    print(
        f"\n# dea.Malmquist: MIX panel 2005-2015, {p['mfiid'].nunique()} MFIs, {len(p)} "
        f"MFI-years, inputs {MIX_INPUTS}, outputs {MIX_OUTPUTS}, input orientation"
    )
    if r_reason:
        print(f"# R baseline skipped: {r_reason}")
    head = (
        f"{'rts':>4} {'dea wall':>9} {'dea cpu':>8} {'lp cpu':>7} {'lp/dea':>7} {'R wall':>8} "
        f"{'R cpu':>8} {'R/dea wall':>10} {'R/dea cpu':>9} {'compared':>8} {'max|diff|':>9}"
    )
    print(head)
    print("-" * len(head))
    for rts in ("crs", "vrs"):
        # scale=False: the CRS index alone (4 distances per unit-pair), as R's malmq
        m = dea.Malmquist(
            p, MIX_INPUTS, MIX_OUTPUTS, unit="mfiid", period="year", rts=rts, scale=False
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
            res, w, c = timed(m.fit)
            m_lp = dea.Malmquist(
                p,
                MIX_INPUTS,
                MIX_OUTPUTS,
                unit="mfiid",
                period="year",
                rts=rts,
                scale=False,
                method="lp",
            )
            res_lp, _, c_lp = timed(m_lp.fit)
        num = ["malmquist", "effch", "techch", "e_ff", "e_tf", "e_ft", "e_tt"]
        d_lp = np.nanmax(np.abs(res[num].to_numpy(float) - res_lp[num].to_numpy(float)))
        assert d_lp < 1e-9 and (res.status == res_lp.status).all(), d_lp
        lp_col = f"{c_lp:>7.2f} {c_lp / c:>6.1f}x"
        if r_reason is None:
            t, rr = r_malmq(p, rts, tmp)
            ours = res.reset_index()
            col = "malmquist"
            both = ours.merge(rr, on=["unit", "period"])
            ok = both[col].notna() & np.isfinite(both["m"])
            diff = (
                float(np.max(np.abs(both.loc[ok, col] - both.loc[ok, "m"]))) if ok.any() else np.nan
            )
            print(
                f"{rts:>4} {w:>9.2f} {c:>8.2f} {lp_col} {t['wall']:>8.2f} {t['cpu']:>8.2f} "
                f"{t['wall'] / w:>9.1f}x {t['cpu'] / c:>8.1f}x {int(ok.sum()):>8} {diff:>9.1e}",
                flush=True,
            )
        else:
            print(f"{rts:>4} {w:>9.2f} {c:>8.2f} {lp_col}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--reps", type=int, default=40, help="dea.bootstrap replications")
    ap.add_argument("--lp-reps", type=int, default=3, help="replications of method='lp' (0: skip)")
    ap.add_argument("--jobs", type=int, default=1, help="n_jobs of dea.bootstrap (batch)")
    ap.add_argument("--loop-reps", type=int, default=3, help="plain-loop replications")
    ap.add_argument("--r-reps", type=int, default=5, help="R dea.boot replications")
    ap.add_argument("--max-loop-n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--no-bootstrap", action="store_true")
    ap.add_argument("--no-malmquist", action="store_true")
    args = ap.parse_args()
    print(f"# python {sys.version.split()[0]}, numpy {np.__version__}, load {os.getloadavg()}")
    r_reason = have_r_benchmarking()
    with tempfile.TemporaryDirectory() as d:
        if not args.no_bootstrap:
            bench_bootstrap(args, r_reason, Path(d))
        if not args.no_malmquist:
            bench_malmquist(args, r_reason, Path(d))


if __name__ == "__main__":
    main()
