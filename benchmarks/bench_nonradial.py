"""Benchmark: dea.Additive, dea.SBM (and super-SBM) and dea.DDF against dea.Radial.

Run from the repository root::

    python benchmarks/bench_nonradial.py --quick        # n = 500
    python benchmarks/bench_nonradial.py                # n = 5000 (a few minutes)
    python benchmarks/bench_nonradial.py --sizes 1000 2000 --rts vrs crs

Same seeded data as ``bench_dea.py`` (3 inputs, 2 outputs, Cobb-Douglas frontier with
half-normal inefficiency).  For every size and RTS the script times, in the same run and
on the same data, with the default backend (HiGHS):

* ``Radial``   -- ``dea.Radial(df, ..., rts=rts).fit()`` (input orientation, the default
  two-phase fit with slacks): the baseline;
* ``Additive`` -- ``dea.Additive(df, ..., rts=rts).fit()`` (unit weights);
* ``SBM``      -- ``dea.SBM(df, ..., rts=rts).fit()`` (non-oriented, Charnes-Cooper LP);
* ``SuperSBM`` -- ``dea.SBM(..., super_efficiency=True)`` (SBM for all units, then the
  super-SBM LP for the SBM-efficient ones);
* ``DDF``      -- ``dea.DDF(df, ..., rts=rts).fit()`` (observed direction, two-phase);
* ``RadialAR``, ``DDFAR`` -- the same with the assurance regions ``AR`` below (weight
  restrictions as envelopment columns, on the same hot-started loop).

Ratios are model seconds / Radial seconds (best of ``--repeat`` runs each).  Every model's
statuses are checked to be all optimal before a row is printed (super-SBM under VRS
is always feasible in the non-oriented form).

Above 800 reference units the models price their lambda columns (column generation, the
shared ``ColumnGeneration`` strategy; ``result.info["screening"] == "pricing"``).  With
``--plain`` each model is also timed with that threshold patched out of reach, i.e. one
full LP per unit (the engine before column generation), in the same run: columns
``plain s`` and ``plain/Rad``, and ``max|d|`` the largest score difference between the
two paths (asserted below 1e-8).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_dea import INPUTS, OUTPUTS, make_data

import dea
import dea.models._envelope as envelope

# assurance regions for the *AR rows (type I on inputs and outputs, one type II link)
AR = {
    ("x2", "x1"): (0.5, 2.0),
    ("x3", "x1"): (0.25, 4.0),
    ("y2", "y1"): (0.5, 2.0),
    ("y1", "x1"): (None, 3.0),
}

MODELS = {
    "Radial": lambda df, rts: dea.Radial(df, inputs=INPUTS, outputs=OUTPUTS, rts=rts),
    "Additive": lambda df, rts: dea.Additive(df, inputs=INPUTS, outputs=OUTPUTS, rts=rts),
    "SBM": lambda df, rts: dea.SBM(df, inputs=INPUTS, outputs=OUTPUTS, rts=rts),
    "SuperSBM": lambda df, rts: dea.SBM(
        df, inputs=INPUTS, outputs=OUTPUTS, rts=rts, super_efficiency=True
    ),
    "DDF": lambda df, rts: dea.DDF(df, inputs=INPUTS, outputs=OUTPUTS, rts=rts),
    "RadialAR": lambda df, rts: dea.Radial(
        df, inputs=INPUTS, outputs=OUTPUTS, rts=rts, ratio_bounds=AR
    ),
    "DDFAR": lambda df, rts: dea.DDF(df, inputs=INPUTS, outputs=OUTPUTS, rts=rts, ratio_bounds=AR),
}


def timed(name: str, df, rts: str, repeat: int, plain: bool = False) -> tuple[float, np.ndarray]:
    best = np.inf
    for _ in range(repeat):
        model = MODELS[name](df, rts)
        threshold = 10**12 if plain else envelope._CG_MIN_UNITS
        with mock.patch.object(envelope, "_CG_MIN_UNITS", threshold):
            t0 = time.perf_counter()
            res = model.fit()
            best = min(best, time.perf_counter() - t0)
        bad = int((res.status != "optimal").sum())
        if bad:
            raise RuntimeError(f"{name}: {bad} units not optimal")
    return best, res.score_values


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000])
    ap.add_argument("--rts", nargs="+", default=["vrs"])
    ap.add_argument("--models", nargs="+", default=[m for m in MODELS if m != "Radial"])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--quick", action="store_true", help="n = 500 only")
    ap.add_argument("--plain", action="store_true", help="also time one full LP per unit")
    args = ap.parse_args()
    sizes = [500] if args.quick else args.sizes
    print(f"# python {platform.python_version()}, {platform.machine()}, dea {dea.__version__}")
    extra = " {:>8} {:>9} {:>8}".format("plain s", "plain/Rad", "max|d|") if args.plain else ""
    head = f"{'n':>6} {'rts':>4} {'Radial s':>9}" + "".join(
        f" {m + ' s':>11} {m + '/Rad':>12}" + extra for m in args.models
    )
    print(head)
    for n in sizes:
        df = make_data(n, args.seed)
        for rts in args.rts:
            base, _ = timed("Radial", df, rts, args.repeat)
            row = f"{n:>6} {rts:>4} {base:>9.2f}"
            for m in args.models:
                t, got = timed(m, df, rts, args.repeat)
                row += f" {t:>11.2f} {t / base:>12.2f}"
                if args.plain:
                    tp, want = timed(m, df, rts, args.repeat, plain=True)
                    diff = float(np.max(np.abs(got - want)))
                    if not diff < 1e-8:
                        raise RuntimeError(f"{m}: column generation differs by {diff:.1e}")
                    row += f" {tp:>8.2f} {tp / base:>9.2f} {diff:>8.1e}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
