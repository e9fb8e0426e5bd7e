"""A DEA analysis of African MFIs
================================

Social efficiency of the MFIs of the bundled MIX Market panel in 2011: how much lending,
how many women borrowers and how many poor borrowers each MFI reaches for its assets,
operating expense and staff. The example fits a VRS input-oriented model, reads scores,
peers, slacks and targets, compares returns to scale and bootstraps the scores.

    python examples/dea_analysis.py [OUT_DIR]    # default: ./dea-analysis-output
"""

# %%
# The data: inputs and outputs of the social-efficiency model
# -----------------------------------------------------------
# :func:`socialperf.social_efficiency_data` derives the outputs from MIX columns
# (women borrowers = borrowers x female share; poverty reach weights each borrower by the
# loan size relative to GDP per capita).  The DEA engine itself knows nothing of MFIs:
# any table with numeric columns will do.

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

import dea
from socialperf import example_data, plots, social_efficiency_data
from socialperf.mfi import DEA_INPUTS, DEA_OUTPUTS

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("dea-analysis-output")
out.mkdir(parents=True, exist_ok=True)

ex = example_data()
data = social_efficiency_data(ex.mfis, year=2011).drop(columns="year").dropna()
inputs, outputs = list(DEA_INPUTS), list(DEA_OUTPUTS)
data = data[(data[inputs + outputs] > 0).all(axis=1)]
print(f"{len(data)} MFIs with all inputs and outputs positive in 2011")

# %%
# VRS, input orientation
# ----------------------
# ``scores`` is theta in (0, 1]: the share to which an MFI could shrink all its inputs
# and still reach its outputs, against the best practice of its peers.

model = dea.Radial(data, inputs=inputs, outputs=outputs, rts="vrs", orientation="input")
res = model.fit()
print(res)
print(
    f"efficient: {int(res.efficient.sum())}, "
    f"Pareto-efficient (no slack left): {int(res.pareto_efficient.sum())}"
)

# %%
# An inefficient MFI, its peers, slacks and targets
# -------------------------------------------------
worst = res.scores.idxmin()
print(f"lowest score: {worst} ({res.scores[worst]:.3f}), peers {res.peers[worst]}")
print(
    pd.DataFrame(
        {
            "observed": data.loc[worst, inputs + outputs],
            "slack": res.slacks.loc[worst],
            "target": res.targets.loc[worst],
        }
    )
)

# %%
# Returns to scale
# ----------------
# Scale efficiency is CRS / VRS; the NIRS score tells whether an MFI is below or above
# its most productive scale size.

se = dea.scale_efficiency(data, inputs=inputs, outputs=outputs)
print(se["rts"].value_counts())
se.to_csv(out / "scale_efficiency.csv")

# %%
# How certain are the scores?  The Simar-Wilson bootstrap
# -------------------------------------------------------
# A short run (100 replications; use 2000 for published intervals).  Bias-corrected
# scores lie below the DEA scores, which are biased upwards in small samples.

with warnings.catch_warnings():
    warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
    boot = dea.bootstrap(model, n_boot=100, seed=2011)
order = res.scores.sort_values().index[:25]
fig, ax = plt.subplots(figsize=(7, 4))
pos = range(len(order))
ax.vlines(pos, boot.lower[order], boot.upper[order], color="0.6", label="95% interval")
ax.plot(pos, res.scores[order], "o", label="DEA score")
ax.plot(pos, boot.scores_bc[order], "x", label="bias-corrected")
ax.set_xticks(list(pos), [str(u) for u in order], rotation=90, fontsize=7)
ax.set_ylabel("efficiency (VRS, input)")
ax.set_title("The 25 least efficient MFIs, 2011")
ax.legend(frameon=False, fontsize=8)
fig.tight_layout()
boot.to_frame().to_csv(out / "bootstrap.csv")
fig.savefig(out / "bootstrap.png", dpi=90)
plt.close(fig)

# %%
# One input, one output: the frontier
# -----------------------------------
ax = plots.dea_frontier(data, inputs=["personnel"], outputs=["poverty_reach"], rts="vrs")
ax.figure.savefig(out / "frontier.png", dpi=90, bbox_inches="tight")
plt.close(ax.figure)
print(f"written to {out}")
