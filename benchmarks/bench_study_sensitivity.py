"""Time the study's sensitivity analysis (``run_sensitivity``) of this checkout against
another checkout (e.g. a ``git worktree`` of main), in the same run.

Usage, from the repository root::

    git worktree add --detach /tmp/main-ref main
    python benchmarks/bench_study_sensitivity.py --reference /tmp/main-ref [--repeat 3]

Each checkout runs in its own subprocess (``PYTHONPATH`` = that checkout), the two
alternating, ``--repeat`` rounds; the bundled demo study is analysed for each scheme of
``--schemes`` (MFI level only, the demo's runs and Sobol' sample), and the best wall time
of each is printed with the ratio current / reference (below 1 is faster).  The MFI-level
rank summaries of the two checkouts are also compared (largest absolute difference of
the median ranks).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
from socialperf.study import Study, run_sensitivity
scheme, runs, sobol = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
study = Study.demo()
sens = {**study.sensitivity.to_dict(), "scheme": scheme, "runs": runs, "sobol": sobol}
sens["miv"] = {**sens["miv"], "enabled": False}
study = study.replace(sensitivity=sens)
t = time.perf_counter()
out = run_sensitivity(study)
elapsed = time.perf_counter() - t
ranks = out.uncertainty.summary["median_rank"]
print(json.dumps({"seconds": elapsed, "ranks": {str(k): float(v) for k, v in ranks.items()}}))
"""


def _run(checkout: Path, scheme: str, runs: int, sobol: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, scheme, str(runs), str(sobol)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", required=True, type=Path)
    ap.add_argument("--schemes", nargs="+", default=["equal", "bod", "dea"])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--sobol", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    here = Path(__file__).resolve().parents[1]
    print(
        f"{'scheme':8} {'reference s':>12} {'current s':>10} {'ratio':>6} {'max |rank diff|':>16}"
    )
    for scheme in args.schemes:
        best = {"reference": float("inf"), "current": float("inf")}
        ranks = {}
        for _ in range(args.repeat):
            for who, path in (("reference", args.reference.resolve()), ("current", here)):
                res = _run(path, scheme, args.runs, args.sobol)
                best[who] = min(best[who], res["seconds"])
                ranks[who] = res["ranks"]
        diff = max(
            (
                abs(ranks["current"][k] - v)
                for k, v in ranks["reference"].items()
                if v == v and ranks["current"].get(k, v) == ranks["current"].get(k, v)
            ),
            default=0.0,
        )
        print(
            f"{scheme:8} {best['reference']:12.2f} {best['current']:10.2f} "
            f"{best['current'] / best['reference']:6.2f} {diff:16.3g}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
