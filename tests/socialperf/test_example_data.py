"""The bundled example data: loads, is consistent and is rebuilt byte-identically."""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socialperf as sp

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data" / "mix" / "mix_africa_mfi_panel_1999_2019.csv"


def test_example_data_loads():
    ex = sp.example_data()
    assert ex.mfis.shape[0] == 3807 and ex.mfis["mfiid"].nunique() == 832
    assert ex.mfis["year"].between(1999, 2018).all()
    frac = ex.mfis[["percent_of_female_borrowers", "portfolio_at_risk30_days",
                    "write_off_ratio"]]
    assert ((frac >= 0) & (frac <= 1) | frac.isna()).all().all()
    assert "Pharma-crédit" in set(ex.mfis["mfiname"])
    assert ex.holdings.mivs == [f"MIV0{i}" for i in range(1, 9)]
    E = sp.look_through(ex.holdings)
    np.testing.assert_allclose(E.sum(axis=1), 1.0)
    assert "MIV01" not in E.columns  # only MFIs at the end of the chains
    assert ex.holdings.graph.depth()["MIV08"] == 3  # MIV08 -> MIV07 -> MIV01 -> MFI
    assert set(ex.miv_indicators.index) == set(ex.holdings.mivs)
    assert ex.expert_weights.sum() == pytest.approx(1.0)
    assert (ex.budget_allocations.sum(axis=1) == 100).all()
    m = ex.ahp_matrix.to_numpy()
    np.testing.assert_allclose(m * m.T, 1.0, rtol=1e-5)


def test_example_data_is_deterministic_and_fresh():
    a, b = sp.example_data(), sp.example_data()
    pd.testing.assert_frame_equal(a.mfis, b.mfis)
    pd.testing.assert_frame_equal(a.holdings.table, b.holdings.table)
    a.mfis.loc[a.mfis.index[0], "assets"] = -1.0
    assert sp.example_data().mfis["assets"].iloc[0] != -1.0


def test_example_end_to_end():
    ex = sp.example_data()
    mfi = sp.score_mfis(ex.mfis, scheme="rating", year=ex.year)
    with pytest.warns(sp.LowCoverageWarning, match="MIV06"):
        res = sp.score_mivs(mfi, ex.holdings, ex.miv_indicators)
    assert res.index.notna().all()
    assert res.details.loc["MIV06", "below_threshold"]
    assert res.index.idxmax() in ("MIV01", "MIV03", "MIV08")


@pytest.mark.skipif(not SOURCE.exists(), reason="MIX source panel not available")
def test_build_script_reproduces_shipped_files(tmp_path):
    spec = importlib.util.spec_from_file_location("build", ROOT / "tools" / "build_example_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main([str(SOURCE), "--out", str(tmp_path)]) == 0
    shipped = resources.files("socialperf") / "data"
    for name in ("mfi_panel.csv", "holdings.csv", "miv_indicators.csv", "ahp_matrix.csv",
                 "budget_allocations.csv", "expert_weights.csv", "fx_rates.csv"):
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name
