"""Build the example data bundled in ``socialperf/data/`` from the MIX Market panel.

Usage::

    python tools/build_example_data.py [SOURCE_CSV] [--out socialperf/data]

``SOURCE_CSV`` defaults to ``../shared/data/mix/mix_africa_mfi_panel_1999_2019.csv``
relative to the repository root.  The script is deterministic (fixed seed); running it
twice gives byte-identical files.  What it writes, and the screening rule applied to the
real panel, are documented in ``socialperf/data/README.md``.

Outputs
-------
``mfi_panel.csv``
    cleaned annual extract of the real panel (the reference universe).
``holdings.csv``, ``fx_rates.csv``
    illustrative (synthetic) portfolios of eight example MIVs, one of them a fund of funds
    holding another fund of funds.
``miv_indicators.csv``
    illustrative MIV-level indicator values.
``expert_weights.csv``, ``budget_allocations.csv``, ``ahp_matrix.csv``
    illustrative expert weights: direct weights, budget allocations of four experts, one
    AHP pairwise-comparison matrix over the MFI dimensions.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from socialperf.io import MIX_RENAMES, NUMERIC_MFI_COLUMNS, read_table
from socialperf.screen import ScreeningRules, screen_mfis

LOG = logging.getLogger("build_example_data")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "mix" / "mix_africa_mfi_panel_1999_2019.csv"
DEFAULT_OUT = ROOT / "socialperf" / "data"
SEED = 20150331  # date of the Meyer & Krauss working paper
AS_OF_YEAR = 2011
AS_OF_DATE = "2011-12-31"
EUR_USD_2011 = 1.2939  # ECB euro reference rate, 30 December 2011 (USD per EUR)

#: source columns kept, renamed as socialperf.io renames raw MIX names (MIX_RENAMES)
SOURCE_COLUMNS = [
    "mfiid", "mfiname", "country", "region", "year", "currentlegalstatus", "profit.status",
    "diamonds", *NUMERIC_MFI_COLUMNS[:7], "portfolio_at_risk30_days", "write-off_ratio",
    "operational_self_sufficiency", "gdp_per_capita_2010us$",
]
COLUMNS = {c: MIX_RENAMES.get(c, c) for c in SOURCE_COLUMNS}
#: money and counts (the screening's strictly positive columns), stored as integers
INTEGERS = ["diamonds", *ScreeningRules().positive]
SIGNIFICANT = 5


def _round_sig(x: pd.Series, digits: int = SIGNIFICANT) -> pd.Series:
    """Round to ``digits`` significant figures (keeps the file small, values unchanged in use)."""
    v = x.to_numpy(dtype=float)
    out = v.copy()
    ok = np.isfinite(v) & (v != 0)
    mag = np.floor(np.log10(np.abs(v[ok])))
    scale = 10.0 ** (digits - 1 - mag)
    out[ok] = np.round(v[ok] * scale) / scale
    return pd.Series(out, index=x.index, name=x.name)


def clean_panel(source: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """Read the raw panel and screen it with the library's rules; return (panel, counts).

    The screening is :func:`socialperf.screen.screen_mfis` with its defaults (annual rows,
    impossible values set missing, rows without lending dropped); this script only selects
    the bundled columns and rounds.
    """
    raw = read_table(source)
    screening = screen_mfis(raw)
    counts: dict[str, int] = {"raw_rows": screening.rows_in}
    for rule, row in screening.counts.iterrows():
        counts[f"{rule}_values_set_missing"] = int(row["values_set_missing"])
        counts[f"{rule}_rows_dropped"] = int(row["rows_dropped"])
    df = screening.panel[list(COLUMNS.values())].copy()
    for col in df.columns:
        if df[col].dtype.kind == "f":
            df[col] = _round_sig(df[col])
    for col in INTEGERS:
        df[col] = df[col].round().astype("Int64")
    df = df.sort_values(["mfiid", "year"]).reset_index(drop=True)
    counts["bundled_rows"] = len(df)
    counts["bundled_mfis"] = int(df["mfiid"].nunique())
    return df, counts


def _pick(pool: pd.DataFrame, n: int, rng: np.random.Generator) -> list[str]:
    ids = sorted(pool["mfiid"].unique())
    n = min(n, len(ids))
    return sorted(rng.choice(ids, size=n, replace=False).tolist())


def build_holdings(panel: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Illustrative portfolios of eight example MIVs over MFIs reported in ``AS_OF_YEAR``."""
    y = panel.loc[panel["year"] == AS_OF_YEAR].copy()
    complete = y.dropna(
        subset=["percent_of_female_borrowers", "gross_loan_portfolio", "number_of_active_borrowers"]
    )
    depth = complete["average_loan_balance_per_borrower"] / complete["gdp_per_capita"]
    women = complete.loc[complete["percent_of_female_borrowers"] >= 0.75]
    large = complete.nlargest(25, "gross_loan_portfolio")
    deep = complete.loc[
        (depth < depth.quantile(0.35))
        & complete["legal_status"].isin(["NGO", "Credit Union/ Cooperative", "Rural Bank"])
    ]
    east = complete.loc[complete["country"].isin(["Kenya", "Uganda", "Tanzania", "Rwanda"])]
    # MFIs that stopped reporting before AS_OF_YEAR: exposure the example cannot score
    last = panel.groupby("mfiid")["year"].max()
    lapsed = sorted(last[(last >= 2008) & (last < AS_OF_YEAR)].index)

    rows: list[dict[str, object]] = []

    def add(holder: str, held: list[str], total: float, currency: str = "USD") -> None:
        w = rng.dirichlet(np.full(len(held), 2.0))
        amounts = np.round(w * total, -3)
        amounts[amounts <= 0] = 1000.0
        for h, a in zip(held, amounts, strict=True):
            rows.append(
                {"holder": holder, "held": h, "amount": float(a), "currency": currency,
                 "date": AS_OF_DATE}
            )

    add("MIV01", _pick(women, 12, rng), 40e6)
    add("MIV02", _pick(large, 10, rng), 120e6)
    add("MIV03", _pick(deep, 14, rng), 25e6, currency="EUR")
    generalist = _pick(complete, 16, rng) + sorted(rng.choice(lapsed, 2, replace=False).tolist())
    add("MIV04", generalist, 60e6)
    add("MIV05", _pick(east, 9, rng), 30e6, currency="EUR")
    add("MIV06", _pick(y, 8, rng), 15e6)  # small generalist, some MFIs with gaps
    # MIV07: fund of funds (three MIVs plus two direct MFI loans)
    direct = _pick(complete, 2, rng)
    for held, amount in [("MIV01", 6e6), ("MIV03", 4e6), ("MIV04", 5e6)]:
        rows.append({"holder": "MIV07", "held": held, "amount": amount, "currency": "USD",
                     "date": AS_OF_DATE})
    add("MIV07", direct, 3e6)
    # MIV08: holds the fund of funds MIV07 and the large-MFI fund MIV02 (two-level chain)
    for held, amount in [("MIV07", 8e6), ("MIV02", 12e6)]:
        rows.append({"holder": "MIV08", "held": held, "amount": amount, "currency": "USD",
                     "date": AS_OF_DATE})
    add("MIV08", _pick(women, 2, rng), 2e6)
    out = pd.DataFrame(rows)
    # merge accidental duplicate draws (same holder, same held) into one position
    out = out.groupby(["holder", "held", "currency", "date"], as_index=False, sort=True)[
        "amount"
    ].sum()
    return out[["holder", "held", "amount", "currency", "date"]]


MIV_NAMES = {
    "MIV01": ("Women First Microfinance Fund", "women-focused debt fund"),
    "MIV02": ("Tier-One Microfinance Debt Fund", "large, mature MFIs"),
    "MIV03": ("Rural Outreach Fund", "deep outreach: NGOs, cooperatives, rural banks (EUR)"),
    "MIV04": ("Pan-African Inclusive Finance Fund", "generalist"),
    "MIV05": ("East Africa Growth Fund", "regional: Kenya, Uganda, Tanzania, Rwanda (EUR)"),
    "MIV06": ("Small Generalist Fund", "generalist, data gaps in its MFIs"),
    "MIV07": ("Inclusive Finance Fund of Funds", "fund of funds: MIV01, MIV03, MIV04 + direct"),
    "MIV08": ("Impact Umbrella Fund", "holds the fund of funds MIV07 and MIV02"),
}


def build_miv_indicators(holdings: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Illustrative MIV-level indicator values (categories as in the catalogue)."""
    profiles = {
        # mission, sp_policy, smart, pri, reporting, exclusion, esg, mf_share, rated_share
        "MIV01": ("explicit_with_targets", "yes", "yes", "yes", "public", "yes", "scorecard"),
        "MIV02": ("general", "yes", "yes", "yes", "public", "yes", "checklist"),
        "MIV03": ("explicit_with_targets", "yes", "yes", "no", "public_verified", "yes",
                  "integrated"),
        "MIV04": ("explicit", "yes", "yes", "yes", "internal", "yes", "scorecard"),
        "MIV05": ("explicit", "no", "no", "yes", "internal", "yes", "checklist"),
        "MIV06": ("none", "no", "no", "no", "none", "no", "none"),
        "MIV07": ("explicit", "yes", "yes", "yes", "public", "yes", "scorecard"),
        "MIV08": ("explicit_with_targets", "yes", "yes", "yes", "public_verified", "yes",
                  "integrated"),
    }
    rows = []
    for miv in sorted(MIV_NAMES):
        mission, policy, smart, pri, rep, excl, esg = profiles[miv]
        rows.append(
            {
                "miv": miv,
                "name": MIV_NAMES[miv][0],
                "strategy": MIV_NAMES[miv][1],
                "social_mission": mission,
                "sp_policy": policy,
                "smart_campaign": smart,
                "pri_signatory": pri,
                "sp_reporting": rep,
                "exclusion_list": excl,
                "esg_due_diligence": esg,
                "microfinance_share": round(float(rng.uniform(0.6, 1.0)), 3),
                "rated_regulated_share": round(float(rng.uniform(0.3, 0.95)), 3),
            }
        )
    return pd.DataFrame(rows)


DIMENSIONS = ["social_goals", "client_protection"]
MFI_INDICATORS = [
    "female_share", "depth_of_outreach", "breadth_of_outreach", "par30", "write_off_ratio",
]


def build_expert_weights(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Direct weights, budget allocations of four experts, one AHP matrix (illustrative)."""
    direct = pd.DataFrame(
        {
            "indicator": MFI_INDICATORS,
            "weight": [0.30, 0.25, 0.15, 0.20, 0.10],
        }
    )
    budgets = []
    base = np.array([30, 25, 15, 20, 10], dtype=float)
    for e in range(1, 5):
        alloc = rng.dirichlet(base / 2) * 100
        alloc = np.round(alloc).astype(int)
        alloc[np.argmax(alloc)] += 100 - alloc.sum()  # each expert spends exactly 100 points
        budgets.append({"expert": f"E{e}", **dict(zip(MFI_INDICATORS, alloc.tolist(),
                                                     strict=True))})
    budget = pd.DataFrame(budgets)
    # AHP on Saaty's 1-9 scale, reciprocal by construction, consistency ratio < 0.1
    upper = {
        ("female_share", "depth_of_outreach"): 1.0,
        ("female_share", "breadth_of_outreach"): 3.0,
        ("female_share", "par30"): 2.0,
        ("female_share", "write_off_ratio"): 3.0,
        ("depth_of_outreach", "breadth_of_outreach"): 2.0,
        ("depth_of_outreach", "par30"): 2.0,
        ("depth_of_outreach", "write_off_ratio"): 3.0,
        ("breadth_of_outreach", "par30"): 1.0,
        ("breadth_of_outreach", "write_off_ratio"): 1.0,
        ("par30", "write_off_ratio"): 2.0,
    }
    m = pd.DataFrame(1.0, index=MFI_INDICATORS, columns=MFI_INDICATORS)
    for (a, b), v in upper.items():
        m.loc[a, b] = v
        m.loc[b, a] = 1.0 / v
    m = m.round(6)
    m.index.name = "indicator"
    return {"expert_weights": direct, "budget_allocations": budget, "ahp_matrix": m}


def main(argv: list[str] | None = None) -> int:
    """Build all example files; return a process exit code."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("source", nargs="?", default=str(DEFAULT_SOURCE), help="MIX panel CSV")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="output folder")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    panel, counts = clean_panel(Path(args.source))
    panel.to_csv(out / "mfi_panel.csv", index=False, lineterminator="\n")
    holdings = build_holdings(panel, rng)
    holdings.to_csv(out / "holdings.csv", index=False, lineterminator="\n")
    pd.DataFrame(
        {"currency": ["EUR", "USD"], "date": [AS_OF_DATE] * 2, "usd_per_unit": [EUR_USD_2011, 1.0]}
    ).to_csv(out / "fx_rates.csv", index=False, lineterminator="\n")
    build_miv_indicators(holdings, rng).to_csv(
        out / "miv_indicators.csv", index=False, lineterminator="\n"
    )
    for name, frame in build_expert_weights(rng).items():
        frame.to_csv(out / f"{name}.csv", index=name == "ahp_matrix", lineterminator="\n")
    for k, v in counts.items():
        LOG.info("%-45s %d", k, v)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
