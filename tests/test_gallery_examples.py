"""The gallery examples added for the documentation run as scripts and write what they say.

(The older examples are run by ``tests/socialperf/test_examples.py``.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RUNS = {"dea_analysis": "dea-out", "sensitivity_study": "sens-out"}


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """Start both examples at once, each in its own temporary folder."""
    procs = {}
    for name, folder in RUNS.items():
        cwd = tmp_path_factory.mktemp(name)
        procs[name] = (
            cwd / folder,
            subprocess.Popen(
                [sys.executable, str(EXAMPLES / f"{name}.py"), folder],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=cwd,
            ),
        )
    yield procs
    for _, proc in procs.values():
        if proc.poll() is None:
            proc.kill()


def _finished(started, name):
    folder, proc = started[name]
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return folder, out


def test_dea_analysis(started):
    import dea
    from socialperf import example_data, social_efficiency_data
    from socialperf.mfi import DEA_INPUTS, DEA_OUTPUTS

    folder, out = _finished(started, "dea_analysis")
    se = pd.read_csv(folder / "scale_efficiency.csv", index_col=0)
    assert set(se["rts"]) <= {"constant", "increasing", "decreasing"}
    assert (se["scale_efficiency"] <= 1 + 1e-9).all()
    boot = pd.read_csv(folder / "bootstrap.csv", index_col=0)
    assert len(boot) == len(se)
    assert (folder / "bootstrap.png").is_file() and (folder / "frontier.png").is_file()
    # the printed count and lowest score are those of the model on the same data
    data = social_efficiency_data(example_data().mfis, year=2011).dropna()
    cols = list(DEA_INPUTS) + list(DEA_OUTPUTS)
    data = data[(data[cols] > 0).all(axis=1)]
    assert f"{len(data)} MFIs with all inputs and outputs positive in 2011" in out
    scores = dea.Radial(data, list(DEA_INPUTS), list(DEA_OUTPUTS)).fit().scores
    assert f"lowest score: {scores.idxmin()} ({scores.min():.3f})" in out


def test_sensitivity_study(started):
    folder, out = _finished(started, "sensitivity_study")
    intervals = pd.read_csv(folder / "rank_intervals.csv", index_col=0)
    never = intervals["p_scored"] == 0  # MFIs no run could score have no interval
    assert intervals.loc[never, "median_rank"].isna().all()
    intervals = intervals[~never]
    assert (intervals["rank_q05"] <= intervals["median_rank"]).all()
    assert (intervals["median_rank"] <= intervals["rank_q95"]).all()
    sobol = pd.read_csv(folder / "sobol_indices.csv", index_col=0)
    assert {"weights", "normalisation"} <= set(sobol.index)
    assert "200 Monte Carlo runs (seed 7)" in out
    assert (folder / "rank_intervals.png").is_file() and (folder / "sobol.png").is_file()
