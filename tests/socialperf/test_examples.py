"""The runnable examples run (as a user would run them) and write what they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


RUNS = {
    "full_study": ("full_study.py", "report", "--quick"),
    "compare_schemes": ("compare_schemes.py", "cmp"),
    "custom_catalogue": ("custom_catalogue.py", "cat"),
    "quality_audit": ("quality_audit.py", "qa"),
}


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """Start all examples at once (each in its own temporary folder) so they overlap."""
    procs = {}
    for key, (script, *args) in RUNS.items():
        cwd = tmp_path_factory.mktemp(key)
        procs[key] = (cwd, subprocess.Popen(
            [sys.executable, str(EXAMPLES / script), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
        ))
    yield procs
    for _, proc in procs.values():
        if proc.poll() is None:
            proc.kill()


def _result(started, key: str) -> tuple[Path, str]:
    cwd, proc = started[key]
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return cwd, out


def test_full_study(started):
    tmp_path, out = _result(started, "full_study")
    folder = tmp_path / "report"
    assert (folder / "index.html").is_file() and (folder / "report.xlsx").is_file()
    scores = pd.read_csv(folder / "tables" / "mfi_scores.csv", index_col=0)
    assert list(scores.columns) == ["name", "rating", "equal", "pca"]
    assert (folder / "tables" / "sensitivity_rank_intervals.csv").is_file()
    miv = pd.read_csv(folder / "tables" / "sensitivity_miv_rank_intervals.csv", index_col=0)
    assert len(miv) == 8 and miv["median_rank"].between(1, 8).all()
    assert (folder / "figures" / "dea_frontier.png").is_file()
    assert "[study]" in out  # prints its configuration as TOML
    top = re.search(r"Top five MFIs under equal weights:\n(.*?)\n\n", out, flags=re.S)
    assert top is not None
    best = scores["equal"].nlargest(5)
    assert str(best.index[0]) in top.group(1)


def test_compare_schemes(started):
    tmp_path, out = _result(started, "compare_schemes")
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


def test_custom_catalogue(started):
    tmp_path, out = _result(started, "custom_catalogue")
    folder = tmp_path / "cat"
    cat = pd.read_csv(folder / "my_catalogue.csv")
    assert "self_sufficiency" in set(cat["name"]) and "write_off_ratio" not in set(cat["name"])
    assert "indicators, my catalogue:      female_share, depth_of_outreach, " \
        "breadth_of_outreach, par30, self_sufficiency" in out
    scores = pd.read_csv(folder / "scores.csv", index_col=0)
    assert not scores["default"].equals(scores["custom"])
    assert scores.dropna().shape[0] > 200


def test_quality_audit(started):
    tmp_path, out = _result(started, "quality_audit")
    folder = tmp_path / "qa"
    assert "Quality audit of scheme 'TAI" in out and "Catalogue checks" in out
    assert (folder / "tai_influence.csv").is_file()
    assert (folder / "mix-audit" / "index.html").is_file()
    flags = pd.read_csv(folder / "mix-audit" / "tables" / "quality_flags.csv")
    assert (flags["criterion"] == "alpha").any()
