"""MFI scores under several aggregation schemes, and how far their rankings agree.
===============================================================================

    python examples/compare_schemes.py [OUT_DIR]   # default: ./compare-schemes-output

Scores the 2011 MFIs of the bundled MIX panel under the calibrated rating scale, equal
weights, expert (budget-allocation) weights, AHP weights and PCA weights, compares them
with ``weighting.compare`` (Spearman, Kendall, mean rank shift, top-10 overlap) and writes
``scores.csv``, ``pairs.csv`` and two figures.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from socialperf import example_data, plots, score_mfis
from weighting.compare import compare


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ex = example_data()
    options = {
        "rating": {},
        "equal": {},
        "expert": {"weights": ex.budget_allocations},  # four experts' 100-point budgets
        "ahp": {"weights": ex.ahp_matrix},
        "pca": {},
    }
    scores = pd.DataFrame(
        {name: score_mfis(ex.mfis, scheme=name, year=2011, **kw).scores
         for name, kw in options.items()}
    )
    scores.to_csv(out / "scores.csv")
    print(f"{len(scores)} MFIs; scored by every scheme: {len(scores.dropna())}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MFIs some scheme leaves unscored are dropped
        comp = compare(scores)
    pairs = comp.pairs(k=10)
    pairs.to_csv(out / "pairs.csv")
    with pd.option_context("display.width", 140, "display.precision", 3,
                           "display.max_columns", 20):
        print(pairs)
        print("\nMFIs whose rank moves most between schemes:")
        print(comp.movers(5))

    ax = plots.scheme_ranks(scores, "equal", "pca")
    ax.figure.savefig(out / "equal_vs_pca.png", dpi=90, bbox_inches="tight")
    plt.close(ax.figure)
    ax = comp.plot_rank_shifts(highlight=5)
    ax.figure.savefig(out / "rank_shifts.png", dpi=90, bbox_inches="tight")
    plt.close(ax.figure)
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("compare-schemes-output"))
