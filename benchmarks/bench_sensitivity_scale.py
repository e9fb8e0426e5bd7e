"""Benchmark: the sensitivity engine at scale (streamed summaries, Sobol', Dask).

Run from the repository root::

    python benchmarks/bench_sensitivity_scale.py                  # everything below (~5 min)
    python benchmarks/bench_sensitivity_scale.py --quick          # 10x fewer runs
    python benchmarks/bench_sensitivity_scale.py --only scale     # one part: scale, chunks,
                                                                  # memory, years, demo
    python benchmarks/bench_sensitivity_scale.py --only scale --units 900   # synthetic size

Data: the MIX Market panel of ``/work/shared/data/mix`` (``--mix PATH``) read and screened by
``socialperf.read_mix_panel`` and turned into catalogue indicators by
``socialperf.mfi.mfi_indicators``.  "The universe" is every MFI at its latest screened year
(745 MFIs with indicators, 5 indicators: female share, depth and breadth of outreach,
PAR30, write-offs); ``years`` scores each fiscal year's MFIs as their own universe.
``--units N`` replaces the universe by ``N`` synthetic MFIs resampled from it (seeded, with
multiplicative noise).  The scheme is ``weighting.Scheme`` (min-max, expert weights,
arithmetic mean in two dimensions, missing values re-weighted); the factors are the
weights (Dirichlet, concentration 50), the normalisation (min-max, percentile rank,
z-score) and leaving one indicator out (or none).

Parts (wall seconds of one run each; the machine is shared, compare ratios in one run):

* ``scale`` -- ``UncertaintyAnalysis.run(n, keep=...)`` at 10,000 and 100,000 runs, streamed
  (``keep="summary"``) and, at 10,000, with the full matrices (``keep="full"``, the baseline),
  then ``sobol(N)`` with ``N (d + 2)`` runs, on ``--jobs`` threads; runs/s and the ratio to
  the full path; the streamed summary is checked against the full one (exact columns equal,
  score quantiles within ``score_error``).
* ``chunks`` -- the same 20,000 streamed runs with chunk sizes 50 ... 4,000 (ratio to 250).
* ``memory`` -- tracemalloc peak of streamed runs at 5,000 / 20,000 / 80,000 runs (and of the
  full matrices at 5,000 / 20,000): the streamed peak must not grow with the runs (asserted
  within 1.5x), the full one grows linearly.
* ``years`` -- every year of the panel as its own universe, serial and on a 2-worker Dask
  ``LocalCluster`` (``dea._parallel.scheduler("local:2")``, the ``--scheduler`` machinery);
  asserts identical summaries.
* ``demo`` -- ``socialperf sensitivity`` of the demo study (the bundled data), this checkout
  against ``--reference`` (another checkout's root, e.g. ``/work/main``), alternating, in
  subprocesses; prints best times and the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from weighting.scheme import Scheme
from weighting.sensitivity import Factor, UncertaintyAnalysis

warnings.filterwarnings("ignore", message=".*get no score")
MIX = "/work/shared/data/mix/mix_africa_mfi_panel_1999_2019.csv"
GROUPS = {
    "female_share": ("social", "higher", 3),
    "depth_of_outreach": ("social", "lower", 2),
    "breadth_of_outreach": ("social", "higher", 2),
    "par30": ("financial", "lower", 2),
    "write_off_ratio": ("financial", "lower", 1),
}


def mix_indicators(path: str) -> pd.DataFrame:
    """Every screened MFI-year of the panel as catalogue indicators, indexed (mfiid, year)."""
    from socialperf.mfi import mfi_indicators
    from socialperf.screen import read_mix_panel

    panel = read_mix_panel(path).panel
    return mfi_indicators(panel, names=list(GROUPS))


def universe(ind: pd.DataFrame) -> pd.DataFrame:
    """Each MFI at its latest year with any indicator: one row per MFI."""
    ind = ind.dropna(how="all")
    last = ind.reset_index().sort_values("year").groupby("mfiid").tail(1)
    return last.set_index("mfiid")[list(GROUPS)]


def resample(data: pd.DataFrame, n: int, seed: int = 12) -> pd.DataFrame:
    """``n`` synthetic MFIs: universe rows drawn with replacement (seeded), each value
    times a log-normal factor (sd 0.1; shares clipped to [0, 1]), gaps kept."""
    rng = np.random.default_rng(seed)
    rows = data.iloc[rng.integers(0, len(data), n)].to_numpy(float)
    rows = rows * np.exp(rng.normal(0, 0.1, rows.shape))
    out = pd.DataFrame(rows, columns=data.columns, index=[f"S{i:05d}" for i in range(n)])
    for c in ("female_share", "par30", "write_off_ratio"):
        out[c] = out[c].clip(0, 1)
    return out


def scheme(names: list[str]) -> Scheme:
    inds = [
        {"name": n, "group": GROUPS[n][0], "direction": GROUPS[n][1], "scale": "ratio"}
        for n in names
    ]
    return Scheme(
        inds,
        weights={n: GROUPS[n][2] for n in names},
        normalisation="minmax",
        aggregation="arithmetic",
        name="bench",
    )


def factors() -> list[Factor]:
    return [
        Factor.weights_dirichlet(50),
        Factor.normalisation(["minmax", "percentile", "zscore"]),
        Factor.exclude_indicator(),
    ]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def check_equal(full, stream) -> float:
    a, b = full.summary, stream.summary
    for c in a.columns:
        if c.startswith("score_"):
            gap = float(np.nanmax(np.abs(a[c] - b[c])))
            assert gap <= stream.score_error * (1 + 1e-9), (c, gap, stream.score_error)
        else:
            assert np.array_equal(a[c].to_numpy(float), b[c].to_numpy(float), equal_nan=True), c
    return max(float(np.nanmax(np.abs(a[c] - b[c]))) for c in a.columns if c.startswith("score_"))


def part_scale(data: pd.DataFrame, jobs: int, scale: int) -> None:
    ua = UncertaintyAnalysis(scheme(list(data.columns)), data, factors())
    n_small, n_big = 10_000 // scale, 100_000 // scale
    print(f"\n## scale: {len(ua.units)} units, {len(data.columns)} indicators, n_jobs={jobs}")
    ua.run(500, random_state=0, n_jobs=jobs, keep="summary")  # warm the group cache
    full, t_full = timed(lambda: ua.run(n_small, random_state=1, n_jobs=jobs, keep="full"))
    _, t_fsum = timed(lambda: full.summary)
    small, t_small = timed(lambda: ua.run(n_small, random_state=1, n_jobs=jobs, keep="summary"))
    gap = check_equal(full, small)
    big, t_big = timed(lambda: ua.run(n_big, random_state=1, n_jobs=jobs, keep="summary"))
    _, t_bsum = timed(lambda: (big.summary, big.moments))
    base = (t_full + t_fsum) / n_small
    print(f"{'what':<44}{'runs':>8}{'s':>8}{'runs/s':>10}{'ratio':>7}")
    rows = [
        ("full matrices + summary (baseline)", n_small, t_full + t_fsum),
        ("streamed + summary", n_small, t_small),
        ("streamed + summary + moments", n_big, t_big + t_bsum),
    ]
    sob_n = 8192 // (8 if scale > 1 else 1)
    sob, t_sob = timed(lambda: ua.sobol(sob_n, random_state=1, n_jobs=jobs, keep="summary"))
    rows.append((f"Sobol' N={sob_n} streamed", sob.n_runs, t_sob))
    for name, n, s in rows:
        print(f"{name:<44}{n:>8}{s:>8.2f}{n / s:>10.0f}{s / n / base:>7.2f}")
    print(f"{n_big} Monte Carlo runs + Sobol' ({sob.n_runs} runs): {t_big + t_bsum + t_sob:.1f} s")
    print(
        f"streamed vs full at {n_small} runs: exact columns identical, score quantiles "
        f"max |diff| {gap:.2e} <= score_error {small.score_error:.2e}"
    )
    print("Sobol' indices of the mean rank shift:")
    print(sob.indices[["S1", "S1_conf", "ST", "ST_conf"]].round(3).to_string())


def part_chunks(data: pd.DataFrame, jobs: int, scale: int) -> None:
    n = 20_000 // scale
    print(f"\n## chunk size: {n} streamed runs, {len(data)} units, n_jobs={jobs}")
    ref = None
    print(f"{'chunk_size':>10}{'s':>8}{'runs/s':>10}{'ratio to 250':>14}")
    res = {}
    for cs in (50, 250, 1000, 4000):
        ua = UncertaintyAnalysis(scheme(list(data.columns)), data, factors(), chunk_size=cs)
        ua.run(200, random_state=0, keep="summary")
        r, s = timed(lambda ua=ua: ua.run(n, random_state=2, n_jobs=jobs, keep="summary"))
        res[cs] = (r, s)
    ref = res[250][1]
    for cs, (r, s) in res.items():
        print(f"{cs:>10}{s:>8.2f}{n / s:>10.0f}{s / ref:>14.2f}")
        pd.testing.assert_frame_equal(r.summary, res[250][0].summary)
    print("summaries identical for every chunk size")


def peak(fn) -> tuple[float, float]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    out = fn()
    s = time.perf_counter() - t0
    _, pk = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    return pk / 2**20, s


def part_memory(data: pd.DataFrame, scale: int) -> None:
    ua = UncertaintyAnalysis(scheme(list(data.columns)), data, factors())
    ua.run(200, random_state=0, keep="summary")
    print(f"\n## memory (tracemalloc peak), {len(data)} units, n_jobs=1")
    print(f"{'keep':<10}{'runs':>8}{'peak MiB':>10}{'s':>8}")
    stream = []
    for n in (5_000 // scale, 20_000 // scale, 80_000 // scale):
        mb, s = peak(lambda n=n: ua.run(n, random_state=3, keep="summary").summary)
        stream.append(mb)
        print(f"{'summary':<10}{n:>8}{mb:>10.1f}{s:>8.2f}")
    for n in (5_000 // scale, 20_000 // scale):
        mb, s = peak(lambda n=n: ua.run(n, random_state=3, keep="full").summary)
        print(f"{'full':<10}{n:>8}{mb:>10.1f}{s:>8.2f}")
    assert stream[-1] <= 1.5 * stream[1] + 8, stream
    print(
        f"streamed peak at 4x the runs: {stream[-1] / stream[1]:.2f}x (asserted <= 1.5x; the "
        "histograms widen with the first runs, up to their fixed cap)"
    )


def part_years(ind: pd.DataFrame, scale: int) -> None:
    from dea._parallel import scheduler

    n = 20_000 // scale
    years = sorted(ind.index.get_level_values("year").unique())
    frames = {}
    for y in years:
        d = ind.xs(y, level="year").dropna(how="all")
        if len(d) >= 20:
            frames[y] = d
    total_units = sum(len(d) for d in frames.values())

    def all_years(jobs: int) -> dict:
        out = {}
        for y, d in frames.items():
            ua = UncertaintyAnalysis(scheme(list(d.columns)), d, factors())
            out[y] = ua.run(n, random_state=y, n_jobs=jobs, keep="summary").summary
        return out

    print(f"\n## all years: {len(frames)} universes ({total_units} MFI-years), {n} runs each")
    serial, t_serial = timed(lambda: all_years(1))
    with scheduler("local:2"):
        dist, t_dist = timed(lambda: all_years(-1))
    for y in frames:
        pd.testing.assert_frame_equal(serial[y], dist[y])
    print(
        f"serial {t_serial:.1f} s; LocalCluster(2 workers) {t_dist:.1f} s "
        f"(ratio {t_dist / t_serial:.2f}); summaries identical"
    )


def part_demo(reference: str | None, repeat: int) -> None:
    print("\n## demo: `socialperf sensitivity` of the demo study")
    here = Path(__file__).resolve().parents[1]
    study = here / "socialperf" / "data" / "study_example.toml"
    roots = {"this checkout": here}
    if reference:
        roots["reference"] = Path(reference).resolve()
    best = {k: np.inf for k in roots}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            for name, root in roots.items():
                code = (
                    "import sys, time; sys.argv=['socialperf','sensitivity',"
                    f"{str(study)!r},'--out',{tmp + '/' + name.replace(' ', '_')!r}];"
                    "from socialperf.cli import main; t=time.perf_counter(); "
                    "rc = main(sys.argv[1:]); print(time.perf_counter()-t)"
                )
                env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
                out = subprocess.run(
                    [sys.executable, "-c", code],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=tmp,
                )
                best[name] = min(best[name], float(out.stdout.strip().splitlines()[-1]))
    for name, s in best.items():
        print(f"{name:<16}{s:>8.2f} s (best of {repeat})")
    if reference:
        print(f"ratio this / reference: {best['this checkout'] / best['reference']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mix", default=MIX)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="10x fewer runs")
    ap.add_argument("--only", nargs="+", default=["scale", "chunks", "memory", "years", "demo"])
    ap.add_argument(
        "--reference",
        default=None,
        help="another checkout's root for the demo part, e.g. from git archive main",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--units",
        type=int,
        default=None,
        help="synthetic universe of this many MFIs resampled from the real one (seeded)",
    )
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    ind = mix_indicators(args.mix)
    data = universe(ind)
    if args.units:
        data = resample(data, args.units)
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs; "
        + (
            f"synthetic universe of {len(data)} MFIs resampled from MIX"
            if args.units
            else f"MIX universe: {len(data)} MFIs (latest year each)"
        )
        + f"; {len(ind)} MFI-years"
    )
    if "scale" in args.only:
        part_scale(data, args.jobs, scale)
    if "chunks" in args.only:
        part_chunks(data, args.jobs, scale)
    if "memory" in args.only:
        part_memory(data, scale)
    if "years" in args.only:
        part_years(ind, scale)
    if "demo" in args.only:
        part_demo(args.reference, args.repeat)


if __name__ == "__main__":
    main()
