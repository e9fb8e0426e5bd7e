"""Record today's study outputs, to check that a refactor reproduces them (issue 9).

Usage (from the repository root)::

    python tests/results/make_study_reproduction.py            # demo and, if present, MIX
    python tests/results/make_study_reproduction.py demo       # one case only

Writes ``tests/results/study_reproduction/<case>/*.csv``. ``tests/socialperf/
test_study_reproduction.py`` runs :func:`collect` again and compares every number with
these files to 1e-12 (ranks and labels exactly).

Cases
-----
``demo``
    ``Study.demo()`` (the bundled example data, year 2011): every MFI scheme's scores and
    ranks, the comparison tables, the MIV index, and the demo's own sensitivity analysis
    (200 runs, Sobol' N = 64, seed 12345) at the MFI and MIV level; plus a short
    sensitivity analysis (20 runs, Sobol' N = 8, same seed) of each of the seven schemes.
``mix``
    The same on the real MIX extract ``../shared/data/mix/mix_africa_mfi_panel_1999_2019.csv``
    (screened by ``socialperf.screen.read_mix_panel`` with its default rules, not rounded),
    used both as the MFIs scored and as the reference universe, with the bundled example
    holdings and weights.

What is recorded, per case (file -> content)
--------------------------------------------
``scores.csv``        MFI x scheme scores; ``ranks.csv`` the ranks (1 = best, ties min);
``excluded.csv``      (scheme, MFI) of the units a scheme could not score;
``cmp_<table>.csv``   the tables of ``StudyResult.comparison_tables()``;
``miv.csv``           MIV index, portfolio and block scores and coverage;
``sens_summary.csv``, ``sens_shift.csv``, ``sens_sobol.csv``: the demo sensitivity's
                      rank intervals table, mean rank shift per run and Sobol' indices;
``miv_ranks.csv``, ``miv_summary.csv``, ``miv_sobol.csv``: the same for the MIV index
                      (its ranks per run in full);
``short_<scheme>_ranks.csv`` / ``short_<scheme>_shift.csv``: ranks per run and mean rank
                      shift per run of the short analysis of each scheme.

The numbers are this package's own outputs at the commit that added this script (before
the issue-9 refactor), written with 17 significant digits so they read back exactly.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "study_reproduction"
ROOT = HERE.parents[1]
#: the shared MIX panel: ../shared beside the checkout (or beside its parent folder, for a
#: git worktree one level further down)
MIX = (
    next(
        (
            p
            for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
            if (p / "data" / "mix").is_dir()
        ),
        ROOT.parent / "shared",
    )
    / "data"
    / "mix"
    / "mix_africa_mfi_panel_1999_2019.csv"
)
SCHEMES = ("rating", "equal", "expert", "ahp", "pca", "bod", "dea")
SHORT_RUNS, SHORT_SOBOL = 20, 8


def study(case: str, workdir: Path):
    """The study of a case (``demo`` or ``mix``); the MIX panel is screened into workdir."""
    from socialperf.study import Study

    demo = Study.demo()
    if case == "demo":
        return demo
    if case != "mix":
        raise ValueError(f"unknown case {case!r}; use 'demo' or 'mix'")
    from socialperf.screen import read_mix_panel

    panel = read_mix_panel(MIX).panel
    path = Path(workdir) / "mix_panel.csv"
    panel.to_csv(path, index=False)
    config = demo.to_dict()
    config["data"]["mfis"] = str(path)
    config["study"]["reference"] = str(path)
    config["study"]["name"] = "reproduction on the MIX extract"
    return Study.from_dict(config, base_dir=Path(demo.source).parent if demo.source else None)


def _frame(s: pd.Series | pd.DataFrame) -> pd.DataFrame:
    return s.to_frame() if isinstance(s, pd.Series) else s


#: the parts of a case: "scores" (study without sensitivity), "sensitivity" (the study's
#: own analysis) and one short analysis per scheme
PARTS = ("scores", "sensitivity", *SCHEMES)


def collect(case: str, part: str, *, workdir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Run one part of a case and return ``{file stem: table}`` of what is recorded."""
    from socialperf.study import run_sensitivity, run_study

    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; use one of {PARTS}")
    with tempfile.TemporaryDirectory() as tmp:
        st = study(case, Path(workdir or tmp))
        out: dict[str, pd.DataFrame] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if part == "scores":
                res = run_study(
                    dataclasses.replace(
                        st, sensitivity=dataclasses.replace(st.sensitivity, enabled=False)
                    )
                )
                out["scores"] = res.mfi_scores
                out["ranks"] = res.mfi_scores.rank(ascending=False, method="min")
                excl = [(k, str(u)) for k, r in res.mfi_results.items() for u in r.excluded.index]
                out["excluded"] = pd.DataFrame(excl, columns=["scheme", "mfi"])
                for name, table in res.comparison_tables().items():
                    out[f"cmp_{name}"] = table
                m = res.miv
                out["miv"] = pd.DataFrame(
                    {
                        "index": m.index,
                        "portfolio": m.portfolio,
                        "block": m.block,
                        "coverage": m.coverage,
                    }
                )
            elif part == "sensitivity":
                sens = run_sensitivity(st)
                out["sens_summary"] = sens.uncertainty.summary
                out["sens_shift"] = _frame(sens.uncertainty.mean_rank_shift)
                out["sens_sobol"] = sens.sobol.indices
                out["miv_ranks"] = sens.miv.uncertainty.ranks
                out["miv_summary"] = sens.miv.uncertainty.summary
                out["miv_sobol"] = sens.miv.sobol.indices
            else:
                spec = dataclasses.replace(
                    st.sensitivity,
                    scheme=part,
                    runs=SHORT_RUNS,
                    sobol=SHORT_SOBOL,
                    miv=dataclasses.replace(st.sensitivity.miv, enabled=False),
                    aggregation=("arithmetic",) if part == "rating" else st.sensitivity.aggregation,
                )
                o = run_sensitivity(dataclasses.replace(st, sensitivity=spec))
                out[f"short_{part}_ranks"] = o.uncertainty.ranks
                out[f"short_{part}_shift"] = _frame(o.uncertainty.mean_rank_shift)
    return out


def write(case: str) -> list[Path]:
    """Collect a case and write its CSV files; return the paths."""
    folder = OUT / case
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for part in PARTS:
        for stem, table in collect(case, part).items():
            path = folder / f"{stem}.csv"
            table.to_csv(path, float_format="%.17g")
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    cases = argv if argv else ["demo", "mix"]
    for case in cases:
        if case == "mix" and not MIX.exists():
            print(f"skipping mix: {MIX} is absent", file=sys.stderr)
            continue
        paths = write(case)
        print(f"{case}: wrote {len(paths)} files to {OUT / case}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
