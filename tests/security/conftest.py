"""A study built from hostile files: every id, name and the study name begin with '='.

The MFI panel, holdings and MIV indicators are the bundled example files with each MFI id,
MFI name, MIV id and MIV name rewritten to a spreadsheet formula (OWASP "CSV injection",
CWE-1236), and a study name that is both a formula and an HTML script tag. Data and
fixtures live here (not in an importable helper module) so that the suite runs under any
pytest import mode.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "socialperf" / "data"

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


@pytest.fixture(scope="session")
def hostile_study(tmp_path_factory) -> Path:
    """Path of the hostile study file."""
    return write_hostile_study(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def hostile_report(hostile_study, tmp_path_factory) -> Path:
    """Folder of the report of the hostile study, written by ``socialperf run``."""
    from socialperf.cli import main

    out = tmp_path_factory.mktemp("hostile_out") / "report"
    code = main(["run", str(hostile_study), "--out", str(out)])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def hostile_study_name() -> str:
    """The hostile study's name (a formula and a script tag)."""
    return STUDY_NAME
