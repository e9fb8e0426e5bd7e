"""Screening counts of the raw shared MIX panel, recomputed with plain pandas.

Shared by the screening tests (library and ``socialperf run``): an independent
computation of what the default rules of :mod:`socialperf.screen` must do, written
from the rules' documentation, not from the library's code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
MIX = ROOT.parent / "shared" / "data" / "mix" / "mix_africa_mfi_panel_1999_2019.csv"

POSITIVE = ["gross_loan_portfolio", "assets", "operating_expense", "personnel",
            "number_of_active_borrowers", "average_loan_balance_per_borrower"]
FRACTIONS = ["percent_of_female_borrowers", "portfolio_at_risk30_days", "write-off_ratio"]


def independent_counts(path: Path = MIX) -> dict[str, int]:
    """Per rule, values set missing / rows dropped; and rows and MFIs kept."""
    raw = pd.read_csv(path, encoding="latin-1")
    ann = raw.loc[raw["period_type"] == "ANN"].copy()
    out = {"period_type": int((raw["period_type"] != "ANN").sum())}
    out["nonpositive"] = sum(int((ann[col] <= 0).sum()) for col in POSITIVE)
    for col in POSITIVE:
        ann.loc[ann[col] <= 0, col] = np.nan
    out["outside_unit"] = sum(int(((ann[c] < 0) | (ann[c] > 1)).sum()) for c in FRACTIONS)
    glp = ann["gross_loan_portfolio"] > 1.5 * ann["assets"]
    ann.loc[glp, ["gross_loan_portfolio", "assets"]] = np.nan
    out["glp_gt_assets"] = 2 * int(glp.sum())
    ratio = (ann["gross_loan_portfolio"] / ann["number_of_active_borrowers"]
             / ann["average_loan_balance_per_borrower"])
    out["alb_inconsistent"] = int(((ratio < 0.5) | (ratio > 2)).sum())
    none = ann["gross_loan_portfolio"].isna() & ann["number_of_active_borrowers"].isna()
    out["no_lending"] = int(none.sum())
    kept = ann.loc[~none]
    out["rows_kept"] = len(kept)
    out["mfis_kept"] = int(kept["mfiid"].nunique())
    return out
