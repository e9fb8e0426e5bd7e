"""Benchmark: frame screening against column generation, same data, same run.

Run from the repository root::

    python benchmarks/bench_frame.py --sizes 10000 20000
    python benchmarks/bench_frame.py --sizes 50000 --rts vrs --no-baseline

For each size and returns-to-scale assumption it fits ``bench_dea.make_data`` (3 inputs,
2 outputs, input orientation, default phase 2) with ``screening="frame"`` and with
``screening="pricing"`` (column generation, the default) and prints the frame size, the
seconds spent finding the frame and scoring against it, the total, the baseline, the
ratio (baseline / frame: above 1 means screening is faster), peak traced memory of the
frame fit (tracemalloc; HiGHS's own C++ memory is not traced) and the largest score
difference (asserted below 1e-9).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np
from bench_dea import INPUTS, OUTPUTS, make_data

import dea


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 20000])
    ap.add_argument("--rts", default="vrs,crs")
    ap.add_argument("--no-baseline", action="store_true", help="skip the pricing fit")
    ap.add_argument("--seed", type=int, default=12345)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    print("# frame screening vs column generation; input orientation, two-phase, 3 in, 2 out")
    head = (
        f"{'rts':>4} {'n':>7} {'frame':>6} {'screen s':>9} {'score s':>8} {'total s':>8} "
        f"{'pricing s':>9} {'ratio':>6} {'peak MB':>8} {'max|diff|':>9}"
    )
    print(head)
    print("-" * len(head))
    for rts in [r.strip() for r in args.rts.split(",") if r.strip()]:
        for n in args.sizes:
            df = make_data(n, args.seed)
            tracemalloc.start()
            t0 = time.perf_counter()
            res = dea.Radial(df, INPUTS, OUTPUTS, rts=rts, screening="frame").fit()
            total = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            info = res.info
            base = diff = None
            if not args.no_baseline:
                t0 = time.perf_counter()
                ref = dea.Radial(df, INPUTS, OUTPUTS, rts=rts, screening="pricing").fit()
                base = time.perf_counter() - t0
                diff = float(np.nanmax(np.abs(ref.score_values - res.score_values)))
                assert diff < 1e-9, diff
            print(
                f"{rts:>4} {n:>7} {info.get('frame_size', '-'):>6} "
                f"{info.get('screening_seconds', 0.0):>9.2f} {info['scoring_seconds']:>8.2f} "
                f"{total:>8.2f} {'-' if base is None else f'{base:9.2f}':>9} "
                f"{'-' if base is None else f'{base / total:6.2f}':>6} {peak:>8.1f} "
                f"{'-' if diff is None else f'{diff:9.1e}':>9}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
