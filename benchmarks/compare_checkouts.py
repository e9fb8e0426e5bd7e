"""Compare this checkout's ``dea`` with another checkout's, in one process.

Used when the solve engine is refactored: results must stay identical and speed must
stay.  Run from the repository root::

    git archive <commit> dea | tar -x -C /tmp/ref          # or any checkout, e.g. ../main
    python benchmarks/compare_checkouts.py --reference /tmp/ref            # results
    python benchmarks/compare_checkouts.py --reference /tmp/ref --speed 1000 5000 10000

Both versions of the package are imported into this process: the reference one from
``--reference`` (its ``dea`` directory), this one from the installed package.  While a
version runs, ``sys.modules`` holds that version's ``dea`` modules only (they are swapped
in and out), so the two never mix.

Results mode fits :class:`dea.Radial` on seeded random problems (sizes below and above
the column-generation threshold, with duplicated units, ties and zero inputs) for every
returns-to-scale assumption, orientation (input, output, graph), with and without
super-efficiency, phase 2 and ``slack_sum`` rules, a reference subset, ``n_jobs=2`` (the
current version only: worker processes import the installed package; the reference runs
serially) and the scipy backend, and compares scores, objective, status, phase-2 status, lambdas,
slacks, targets, weights, the free term and virtual weights; it prints the largest
absolute difference per case and exits non-zero above ``--atol`` (default 1e-12).

Speed mode times ``Radial(..., orientation="input").fit()`` of ``bench_dea.make_data``
(3 inputs, 2 outputs) for VRS and CRS, with and without phase 2, alternating reference
and current fits (``--repeat`` rounds), and prints the best times and their ratio
(current / reference: below 1 is faster).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dea import INPUTS, OUTPUTS, make_data

_PKG = "dea"


def _own(name: str) -> bool:
    return name == _PKG or name.startswith(_PKG + ".")


def _load(path: str | None) -> dict[str, ModuleType]:
    """Import every ``dea`` module from ``path`` (None: the installed one); return them."""
    saved = {k: v for k, v in sys.modules.items() if _own(k)}
    for k in saved:
        del sys.modules[k]
    if path is not None:
        sys.path.insert(0, path)
    try:
        importlib.import_module(_PKG)
        for sub in ("models.radial", "solvers.base", "solvers.highs", "bootstrap"):
            importlib.import_module(f"{_PKG}.{sub}")
        loaded = {k: v for k, v in sys.modules.items() if _own(k)}
    finally:
        if path is not None:
            sys.path.remove(path)
        for k in [k for k in sys.modules if _own(k)]:
            del sys.modules[k]
        sys.modules.update(saved)
    return loaded


@contextlib.contextmanager
def _active(mods: dict[str, ModuleType]) -> Iterator[ModuleType]:
    saved = {k: v for k, v in sys.modules.items() if _own(k)}
    for k in saved:
        del sys.modules[k]
    sys.modules.update(mods)
    try:
        yield mods[_PKG]
    finally:
        for k in [k for k in sys.modules if _own(k)]:
            del sys.modules[k]
        sys.modules.update(saved)


def _problem(n: int, m: int, s: int, seed: int, kind: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, (n, m))
    Y = rng.uniform(1.0, 10.0, (n, s))
    if kind == "rounded":  # many ties
        X, Y = np.round(X), np.round(Y)
    elif kind == "degenerate":  # duplicates, zero inputs, shared maxima
        X, Y = np.round(X, 1), np.round(Y, 1)
        k = max(3, n // 10)
        X[1:k] = X[0]
        Y[1:k] = Y[0]
        if m > 1:
            X[k : 2 * k, 0] = 0.0
        Y[2 * k : 3 * k, -1] = Y[:, -1].max()
    cols = [f"x{i}" for i in range(m)] + [f"y{r}" for r in range(s)]
    df = pd.DataFrame(np.hstack([X, Y]), columns=cols)
    df.index = pd.Index([f"u{i}" for i in range(n)], name="unit")
    return df


def _cases(quick: bool) -> Iterator[tuple[str, pd.DataFrame, dict[str, Any]]]:
    sizes = [(30, 2, 2, "uniform"), (260, 3, 2, "degenerate"), (400, 2, 1, "rounded")]
    if not quick:
        sizes += [(900, 3, 2, "uniform"), (300, 1, 1, "degenerate")]
    for seed, (n, m, s, kind) in enumerate(sizes):
        df = _problem(n, m, s, 100 + seed, kind)
        cols = list(df.columns)
        base = {"inputs": cols[:m], "outputs": cols[m:]}
        for rts in ("vrs", "crs", "nirs", "ndrs"):
            for orientation in ("input", "output", "graph"):
                for sup in (False, True):
                    kw = dict(base, rts=rts, orientation=orientation, super_efficiency=sup)
                    yield f"n={n} {kind} {rts} {orientation} super={sup}", df, kw
        yield f"n={n} {kind} vrs input two_phase=False", df, dict(base, two_phase=False)
        yield (
            f"n={n} {kind} crs output unweighted",
            df,
            dict(base, rts="crs", orientation="output", slack_sum="unweighted"),
        )
        ref = df.index[::3]
        yield f"n={n} {kind} vrs input reference", df, dict(base, reference=list(ref))
        yield f"n={n} {kind} vrs output n_jobs=2", df, dict(base, orientation="output", n_jobs=2)
        if n <= 260:
            yield f"n={n} {kind} vrs input scipy", df, dict(base, solver="scipy")


_FIELDS = (
    "score_values",
    "objective_values",
    "status_values",
    "slack_values",
    "target_values",
    "weight_values",
    "free_values",
    "virtual_values",
)


def _arrays(res: Any) -> dict[str, np.ndarray]:
    out = {f: getattr(res, f) for f in _FIELDS}
    out["phase2_status"] = np.asarray(res.info["phase2_status"])
    out["lambdas"] = res.lambda_matrix.toarray()
    return out


def _diff(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> tuple[float, list[str]]:
    worst, bad = 0.0, []
    for key in a:
        x, y = a[key], b[key]
        if x is None or y is None:
            if (x is None) != (y is None):
                bad.append(key)
            continue
        if x.dtype.kind in "OUS":
            if not np.array_equal(x.astype(str), y.astype(str)):
                bad.append(key)
            continue
        if x.shape != y.shape or not np.array_equal(np.isnan(x), np.isnan(y)):
            bad.append(key)
            continue
        ok = ~np.isnan(x)
        if ok.any():
            worst = max(worst, float(np.max(np.abs(x[ok] - y[ok]))))
    return worst, bad


def results(ref: dict[str, ModuleType], cur: dict[str, ModuleType], args: Any) -> int:
    import warnings

    failures = 0
    worst_all = 0.0
    n_cases = 0
    for name, df, kw in _cases(args.quick):
        out = []
        for mods in (ref, cur):
            # worker processes import the installed package only: the reference runs
            # serially (results never depend on n_jobs)
            kw_run = {k: v for k, v in kw.items() if k != "n_jobs"} if mods is ref else kw
            with _active(mods) as dea, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(_arrays(dea.Radial(df, **kw_run).fit()))
        worst, bad = _diff(*out)
        n_cases += 1
        worst_all = max(worst_all, worst)
        flag = "" if (not bad and worst <= args.atol) else "  <-- DIFFERS " + ",".join(bad)
        failures += bool(flag)
        if flag or args.verbose:
            print(f"{name:55s} max|diff| {worst:.1e}{flag}")
    print(f"{n_cases} cases, {failures} differ; largest |diff| {worst_all:.1e}")
    return 1 if failures else 0


def speed(ref: dict[str, ModuleType], cur: dict[str, ModuleType], args: Any) -> int:
    print(
        f"# best of {args.repeat} alternating rounds; wall and CPU (process) seconds; "
        "ratio = current / reference"
    )
    print(
        f"{'rts':>4} {'phase2':>6} {'n':>6} {'ref wall':>9} {'cur wall':>9} {'ratio':>6} "
        f"{'ref cpu':>8} {'cur cpu':>8} {'ratio':>6}"
    )
    rts_list = [r.strip() for r in args.rts.split(",") if r.strip()]
    phases = {"both": (False, True), "yes": (True,), "no": (False,)}[args.two_phase]
    for n in args.speed:
        df = make_data(n, args.seed)
        for rts in rts_list:
            for two_phase in phases:
                wall = {"ref": np.inf, "cur": np.inf}
                cpu = {"ref": np.inf, "cur": np.inf}
                scores = {}
                for _ in range(args.repeat):
                    for tag, mods in (("ref", ref), ("cur", cur)):
                        with _active(mods) as dea:
                            model = dea.Radial(df, INPUTS, OUTPUTS, rts=rts, two_phase=two_phase)
                            t0, c0 = time.perf_counter(), time.process_time()
                            res = model.fit()
                            wall[tag] = min(wall[tag], time.perf_counter() - t0)
                            cpu[tag] = min(cpu[tag], time.process_time() - c0)
                            scores[tag] = res.score_values
                assert np.array_equal(scores["ref"], scores["cur"], equal_nan=True)
                print(
                    f"{rts:>4} {two_phase!s:>6} {n:>6} {wall['ref']:>9.3f} {wall['cur']:>9.3f} "
                    f"{wall['cur'] / wall['ref']:>6.3f} {cpu['ref']:>8.3f} {cpu['cur']:>8.3f} "
                    f"{cpu['cur'] / cpu['ref']:>6.3f}",
                    flush=True,
                )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", required=True, help="checkout holding the old dea/")
    ap.add_argument("--atol", type=float, default=1e-12)
    ap.add_argument("--quick", action="store_true", help="fewer, smaller problems")
    ap.add_argument("--verbose", action="store_true", help="print every case")
    ap.add_argument("--speed", type=int, nargs="*", help="timing mode at these sizes")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--rts", default="vrs,crs", help="speed mode: comma list")
    ap.add_argument("--two-phase", choices=["both", "yes", "no"], default="both")
    ap.add_argument("--seed", type=int, default=12345)
    args = ap.parse_args(argv)
    ref = _load(str(Path(args.reference).resolve()))
    cur = _load(None)
    if ref[_PKG].__file__ == cur[_PKG].__file__:
        raise SystemExit("the reference and the current package are the same files")
    print(f"# reference: {Path(ref[_PKG].__file__).parent}")
    print(f"# current:   {Path(cur[_PKG].__file__).parent}")
    if args.speed:
        return speed(ref, cur, args)
    return results(ref, cur, args)


if __name__ == "__main__":
    raise SystemExit(main())
