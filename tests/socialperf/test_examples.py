"""The runnable examples run (as a user would run them) and write what they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(script: str, *args: str, cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_full_study(tmp_path):
    out = _run("full_study.py", "report", "--quick", cwd=tmp_path)
    folder = tmp_path / "report"
    assert (folder / "index.html").is_file() and (folder / "report.xlsx").is_file()
    scores = pd.read_csv(folder / "tables" / "mfi_scores.csv", index_col=0)
    assert list(scores.columns) == ["rating", "equal", "pca"]
    assert (folder / "tables" / "sensitivity_rank_intervals.csv").is_file()
    assert (folder / "figures" / "dea_frontier.png").is_file()
    assert "[study]" in out  # prints its configuration as TOML
    top = re.search(r"Top five MFIs under equal weights:\n(.*?)\n\n", out, flags=re.S)
    assert top is not None
    best = scores["equal"].nlargest(5)
    assert str(best.index[0]) in top.group(1)


def test_compare_schemes(tmp_path):
    out = _run("compare_schemes.py", "cmp", cwd=tmp_path)
    folder = tmp_path / "cmp"
    scores = pd.read_csv(folder / "scores.csv", index_col=0)
    assert list(scores.columns) == ["rating", "equal", "expert", "ahp", "pca"]
    pairs = pd.read_csv(folder / "pairs.csv", index_col=[0, 1])
    assert len(pairs) == 10  # 5 schemes, 10 pairs
    common = scores.dropna()
    rho = common["equal"].rank().corr(common["pca"].rank())
    assert pairs.loc[("equal", "pca"), "spearman"] == pytest.approx(rho, abs=1e-9)
    assert (folder / "equal_vs_pca.png").is_file() and (folder / "rank_shifts.png").is_file()
    assert "rank moves most" in out


def test_custom_catalogue(tmp_path):
    out = _run("custom_catalogue.py", "cat", cwd=tmp_path)
    folder = tmp_path / "cat"
    cat = pd.read_csv(folder / "my_catalogue.csv")
    assert "self_sufficiency" in set(cat["name"]) and "write_off_ratio" not in set(cat["name"])
    assert "indicators, my catalogue:      female_share, depth_of_outreach, " \
        "breadth_of_outreach, par30, self_sufficiency" in out
    scores = pd.read_csv(folder / "scores.csv", index_col=0)
    assert not scores["default"].equals(scores["custom"])
    assert scores.dropna().shape[0] > 200
