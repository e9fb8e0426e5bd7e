"""How robust is an MFI ranking?  Uncertainty and Sobol' analysis
================================================================

The equal-weights MFI scheme makes several contestable choices: the weights, the
normalisation, which indicators enter and how missing values count.  This example varies
them together with :class:`weighting.UncertaintyAnalysis` (Monte Carlo), shows each MFI's
rank interval, and attributes the rank shifts to the choices with Sobol' indices
(Saisana, Saltelli & Tarantola 2005; OECD/JRC 2008, chapter 7).

    python examples/sensitivity_study.py [OUT_DIR]   # default: ./sensitivity-output
"""

# %%
# The study and its sensitivity settings
# --------------------------------------
# :func:`socialperf.run_sensitivity` builds the factors from the study's
# ``[sensitivity]`` table; here 200 Monte Carlo runs and Sobol' indices with base
# sample N = 32 (the cost is N (k + 2) runs for k factors).

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from socialperf import Study, run_sensitivity

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("sensitivity-output")
out.mkdir(parents=True, exist_ok=True)

study = Study.demo().replace(
    sensitivity={
        "enabled": True,
        "scheme": "equal",
        "runs": 200,
        "sobol": 32,
        "seed": 7,
        "miv": {"enabled": False},
    }
)
print(study.sensitivity)  # the settings analysed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # e.g. MFIs without every indicator
    outcome = run_sensitivity(study)
print(outcome.describe())

# %%
# The uncertain choices
# ---------------------
for factor in outcome.factors:
    print(f"{factor.name}: {factor.kind}")

# %%
# Rank intervals
# --------------
# Each MFI's rank across the runs: median and 5-95 % interval.  A long bar means the
# MFI's place depends on the choices, not only on its data.

tables = outcome.tables()
for name, table in tables.items():
    table.to_csv(out / f"{name}.csv")
cols = ["reference_rank", "median_rank", "rank_q05", "rank_q95"]
print(tables["rank_intervals"].head(10)[cols])

# %%
# Sobol' indices
# --------------
# First order: the share of the variance of the mean rank shift due to a factor alone;
# total: including its interactions with the others.  With N = 32 the estimates are rough
# (a negative first-order value is sampling noise; see the ``_conf`` half-widths): use
# N >= 512 before drawing conclusions.

print(tables["sobol_indices"].round(3))

for name, draw, caption in outcome.figures():
    ax = draw()
    ax.figure.savefig(out / f"{name}.png", dpi=90, bbox_inches="tight")
    print(f"{name}: {caption}")
plt.close("all")
