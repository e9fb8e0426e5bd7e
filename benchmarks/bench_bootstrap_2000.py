"""Measured (not projected) 2,000-replication bootstrap at n = 200 and n = 1,000.

Run from the repository root::

    python benchmarks/bench_bootstrap_2000.py                 # n_jobs = 1 and 2
    python benchmarks/bench_bootstrap_2000.py --sizes 1000 --jobs 2

Same data and model as ``bench_bootstrap.py`` (``bench_dea.make_data``, VRS, input
orientation, seed 12345).  Prints wall seconds of the whole ``dea.bootstrap`` call
(original fit, bandwidth, 2,000 replications, summaries) and the CPU seconds of this
process (with ``n_jobs > 1`` the workers' CPU is not in it), plus the load average, and
checks that ``n_jobs=1`` and ``n_jobs=2`` give identical results when both run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import dea

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dea import INPUTS, OUTPUTS, make_data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=12345)
    args = ap.parse_args()
    print(f"# python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"{'n':>6} {'n_jobs':>6} {'reps':>5} {'wall s':>8} {'cpu s':>8} {'LP units':>8}  load")
    for n in args.sizes:
        df = make_data(n, args.seed)
        model = dea.Radial(df, INPUTS, OUTPUTS, rts="vrs")
        first = None
        for jobs in args.jobs:
            w0, c0 = time.perf_counter(), time.process_time()
            res = dea.bootstrap(model, args.reps, seed=args.seed, n_jobs=jobs)
            w, c = time.perf_counter() - w0, time.process_time() - c0
            load = " ".join(f"{v:.1f}" for v in os.getloadavg())
            print(
                f"{n:>6} {jobs:>6} {args.reps:>5} {w:>8.1f} {c:>8.1f} "
                f"{res.info['lp_units']:>8}  {load}",
                flush=True,
            )
            if first is None:
                first = res
            else:
                pd.testing.assert_frame_equal(first.to_frame(), res.to_frame())


if __name__ == "__main__":
    main()
