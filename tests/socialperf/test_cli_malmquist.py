"""``socialperf malmquist``: the Malmquist index over a MIX-style panel, by MFI and by year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mix_independent import MIX

import dea
from socialperf.cli import main
from socialperf.productivity import malmquist_panel

# One input x, one output y, CRS input orientation: the score of (x, y) against a frontier
# is (y/x) / (best y/x of the frontier year).
# 2001: A (2,1) B (4,4) C (5,4)         best ratio 1
# 2002: A (2,2) B (4,4) C missing x     best ratio 1 (C left out, listed)
# 2003: A (2,3) B (4,4)                 best ratio 1.5; C has no row
# A 2001->2002: s11 = 0.5, s22 = 1, s12 (2002 obs vs 2001) = 1, s21 = 0.5:
#   M = sqrt(1/0.5 * 1/0.5) = 2, effch = 2, techch = 1.
# A 2002->2003: s22 = 1, s33 = 1, s23 (2003 obs vs 2002) = 1.5, s32 (2002 obs vs 2003) = 2/3:
#   M = sqrt(1.5/1 * 1/(2/3)) = 1.5, effch = 1, techch = 1.5.
# B 2002->2003: s22 = 1, s33 = 1/1.5, s23 = 1, s32 = 1/1.5: M = 1, effch = 2/3, techch = 1.5.
PANEL = pd.DataFrame(
    {
        "mfiid": [1, 2, 3, 1, 2, 3, 1, 2],
        "mfiname": ["Alpha", "Beta", "Gamma", "Alpha", "Beta", "Gamma", "Alpha", "Beta"],
        "year": [2001, 2001, 2001, 2002, 2002, 2002, 2003, 2003],
        "x": [2.0, 4.0, 5.0, 2.0, 4.0, None, 2.0, 4.0],
        "y": [1.0, 4.0, 4.0, 2.0, 4.0, 3.0, 3.0, 4.0],
    }
)


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def panel_csv(tmp_path):
    path = tmp_path / "panel.csv"
    PANEL.to_csv(path, index=False)
    return path


def _table(folder, name="malmquist"):
    return pd.read_csv(folder / "tables" / f"{name}.csv", index_col=[0, 1])


def test_hand_checked_panel_and_same_as_engine(capsys, panel_csv, tmp_path):
    out = tmp_path / "rep"
    code, stdout, err = _run(
        capsys, "malmquist", str(panel_csv), "--inputs", "x", "--outputs", "y", "--out", str(out)
    )
    assert code == 0, err
    assert "report written to" in stdout
    t = _table(out)
    assert t.loc[(1, 2002), ["malmquist", "effch", "techch"]].tolist() == pytest.approx(
        [2.0, 2.0, 1.0], abs=1e-9
    )
    assert t.loc[(1, 2003), ["malmquist", "effch", "techch"]].tolist() == pytest.approx(
        [1.5, 1.0, 1.5], abs=1e-9
    )
    assert t.loc[(2, 2003), ["malmquist", "effch", "techch"]].tolist() == pytest.approx(
        [1.0, 2 / 3, 1.5], abs=1e-9
    )
    assert t.loc[(1, 2002), "name"] == "Alpha"
    # C: 2002 row has a missing input -> listed with the reason, never silently dropped
    assert t.loc[(3, 2002), "status"] == "missing in 2002"
    assert t.loc[(3, 2002), "reason"] == "missing x"
    assert np.isnan(t.loc[(3, 2002), "malmquist"])
    left = pd.read_csv(out / "tables" / "productivity_left_out.csv")
    assert left[["mfiid", "year", "name", "reason"]].values.tolist() == [
        [3, 2002, "Gamma", "missing x"]
    ]
    # the same numbers as dea.Malmquist on the complete rows
    direct = dea.Malmquist(PANEL.dropna(), ["x"], ["y"], unit="mfiid", period="year").fit()
    direct.index = direct.index.set_names(["mfiid", "year"])
    same = t.loc[direct.index]
    for col in ("malmquist", "effch", "techch", "pech", "sech"):
        np.testing.assert_allclose(same[col].to_numpy(), direct[col].to_numpy(), rtol=1e-9)
    assert same["status"].tolist() == direct["status"].tolist()
    # C has rows in 2002 (left out) and none in 2003: still listed for the 2002->2003 pair
    assert len(t) == len(direct) + 1
    assert t.loc[(3, 2003), "status"] == "missing in 2002 and 2003"
    assert t.loc[(3, 2003), "reason"] == "2002: missing x; 2003: no row in the panel"
    # by-year: geometric mean over MFIs with an index; status counts
    by = pd.read_csv(out / "tables" / "productivity_by_year.csv", index_col=0)
    assert by.loc[2002, "n"] == 2 and by.loc[2003, "n"] == 2
    assert by.loc[2003, "malmquist_gmean"] == pytest.approx(np.sqrt(1.5 * 1.0))
    assert by.loc[2003, "techch_gmean"] == pytest.approx(1.5)
    assert by.loc[2003, "malmquist_median"] == pytest.approx(1.25)
    st = pd.read_csv(out / "tables" / "productivity_status.csv", index_col=0)
    assert st.loc[2002].to_dict() == {
        "optimal": 2,
        "missing in from year": 0,
        "missing in to year": 1,
        "missing in both years": 0,
    }
    assert (out / "figures" / "productivity_by_year.png").stat().st_size > 1000
    assert "Malmquist" in (out / "index.html").read_text(encoding="utf-8")


def test_first_base_and_year_range(capsys, panel_csv, tmp_path):
    out = tmp_path / "rep"
    code, _, err = _run(
        capsys,
        "malmquist",
        str(panel_csv),
        "--inputs",
        "x",
        "--outputs",
        "y",
        "--base",
        "first",
        "--years",
        "2001-2003",
        "--out",
        str(out),
    )
    assert code == 0, err
    t = _table(out)
    assert set(t["from"]) == {2001}
    # A 2001 -> 2003: s11 = 0.5, s33 = 1, s13 (2003 obs vs 2001) = 1.5, s31 = 1/3
    assert t.loc[(1, 2003), "malmquist"] == pytest.approx(np.sqrt(1.5 / 0.5 * 1 / (1 / 3)))
    assert t.loc[(3, 2003), "status"] == "missing in 2003"
    assert t.loc[(3, 2003), "reason"] == "no row for 2003 in the panel"


def test_years_range_restricts(panel_csv):
    res = malmquist_panel(pd.read_csv(panel_csv), ["x"], ["y"], years=(2002, 2003))
    assert sorted(res.by_year.index) == [2003]
    assert res.settings["years"] == (2002, 2003)
    assert res.left_out["reason"].tolist() == ["missing x"]


def test_user_panel_not_mutated(panel_csv):
    frame = pd.read_csv(panel_csv)
    before = frame.copy()
    malmquist_panel(frame, ["x"], ["y"], rts="vrs")
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--years", "2005"], "--years '2005': expected a range"),
        (["--years", "2003-2001"], "--years '2003-2001': the first year must be before"),
        (["--years", "2010-2012"], "--years 2010-2012: the panel has no year in that range"),
        (["--years", "2003-2005"], "only year 2003"),
        (["--inputs", "x,zz"], "--inputs: column(s) 'zz' not in panel.csv"),
        (["--outputs", "q"], "--outputs: column(s) 'q' not in panel.csv"),
        (["--unit-col", "firm"], "--unit-col: column(s) 'firm' not in panel.csv"),
    ],
)
def test_one_line_errors_name_the_option(capsys, panel_csv, tmp_path, argv, needle):
    base = {"--inputs": "x", "--outputs": "y"}
    extra = dict(zip(argv[::2], argv[1::2], strict=True))
    args = [a for kv in {**base, **extra}.items() for a in kv]
    code, _, err = _run(capsys, "malmquist", str(panel_csv), *args, "--out", str(tmp_path / "o"))
    assert code == 1
    assert err.startswith("socialperf: error: ") and err.count("\n") == 1
    assert needle in err


@pytest.mark.slow
@pytest.mark.skipif(not MIX.exists(), reason="the shared MIX panel (../shared/data/mix) is absent")
def test_raw_mix_panel_short_range_with_screening(capsys, tmp_path):
    out = tmp_path / "mix"
    code, stdout, err = _run(
        capsys,
        "malmquist",
        str(MIX),
        "--inputs",
        "personnel,operating_expense",
        "--outputs",
        "number_of_active_borrowers",
        "--years",
        "2010-2011",
        "--screen",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert "--screen: screening:" in err
    t = _table(out)
    raw = pd.read_csv(MIX, encoding="latin-1")
    raw = raw.loc[raw["year"].between(2010, 2011)]
    # every MFI of either year is in the table: with an index or a status and a reason
    assert len(t) == raw["mfiid"].nunique()
    ok = t["status"].eq("optimal")
    assert ok.sum() > 100 and (t.loc[ok, "malmquist"] > 0).all()
    assert t.loc[ok, "name"].notna().all()
    np.testing.assert_allclose(
        t.loc[ok, "malmquist"], t.loc[ok, "effch"] * t.loc[ok, "techch"], rtol=1e-9
    )
    missing = t.loc[t["status"].str.startswith("missing in")]
    assert missing["reason"].str.contains("missing |screening rule |no row").all()
    assert (missing["reason"] == "screening rule period_type").any()
    assert stdout.startswith(
        "Malmquist index (CRS, input-oriented, consecutive base), years 2010-2011"
    )
