"""``socialperf dea`` on a panel: --year, --missing, the MIX id column, --screen, summaries."""

from __future__ import annotations

import pandas as pd
import pytest
from mix_independent import MIX

from socialperf.cli import main

# Two fiscal years of a MIX-style panel; 2012 has a unit with a missing input.
# Year 2011, one input x, one output y (VRS input): A(2,2) B(4,6) C(4,3): frontier A-B,
# C needs x = 2.5 for y = 3, theta_C = 0.625 (as the hand-checked case in test_cli.py).
PANEL = pd.DataFrame(
    {
        "mfiid": [1, 2, 3, 1, 2, 3],
        "mfiname": ["Alpha", "Beta", "Gamma", "Alpha", "Beta", "Gamma"],
        "year": [2011, 2011, 2011, 2012, 2012, 2012],
        "x": [2.0, 4.0, 4.0, 2.0, None, 4.0],
        "y": [2.0, 6.0, 3.0, 2.0, 5.0, 2.0],
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


def test_panel_without_year_says_pass_year(capsys, panel_csv):
    code, _, err = _run(capsys, "dea", str(panel_csv), "--inputs", "x", "--outputs", "y")
    assert code == 1
    assert "'mfiid'" in err and "--year" in err and "panel" in err


def test_year_selects_rows_and_mfiid_labels_units_with_names(capsys, panel_csv, tmp_path):
    out = tmp_path / "s.csv"
    code, stdout, err = _run(capsys, "dea", str(panel_csv), "--inputs", "x", "--outputs", "y",
                             "--year", "2011", "--out", str(out))
    assert code == 0, err
    table = pd.read_csv(out, index_col=0)
    assert table.index.name == "mfiid" and list(table.index) == [1, 2, 3]
    assert table["name"].tolist() == ["Alpha", "Beta", "Gamma"]
    assert table.loc[3, "score"] == pytest.approx(0.625)
    assert stdout.startswith("3 units scored, fiscal year 2011 (VRS, input-oriented): "
                             "2 efficient (score 1)")


def test_unknown_year_lists_the_years(capsys, panel_csv):
    code, _, err = _run(capsys, "dea", str(panel_csv), "--inputs", "x", "--outputs", "y",
                        "--year", "2015")
    assert code == 1 and "--year 2015" in err and "2011, 2012" in err


def test_missing_error_names_units_and_option(capsys, panel_csv):
    code, _, err = _run(capsys, "dea", str(panel_csv), "--inputs", "x", "--outputs", "y",
                        "--year", "2012")
    assert code == 1
    assert "'x'" in err and "2" in err and "--missing drop" in err


def test_missing_drop_lists_dropped_units(capsys, panel_csv, tmp_path):
    out = tmp_path / "s.csv"
    code, stdout, err = _run(capsys, "dea", str(panel_csv), "--inputs", "x", "--outputs", "y",
                             "--year", "2012", "--missing", "drop", "--out", str(out))
    assert code == 0, err
    assert "1 unit(s) left out (--missing drop):" in stdout and "2: missing x" in stdout
    table = pd.read_csv(out, index_col=0)
    assert table.loc[2, "status"] == "dropped" and table.loc[2, "reason"] == "missing x"
    assert pd.isna(table.loc[2, "score"])
    # without --out the table is printed and the dropped units follow it
    code, stdout, _ = _run(capsys, "dea", str(panel_csv), "--inputs", "x", "--outputs", "y",
                           "--year", "2012", "--missing", "drop")
    assert code == 0 and "score" in stdout.splitlines()[0] and "2: missing x" in stdout


def test_scores_within_tolerance_of_one_print_as_one(capsys, tmp_path):
    # B's VRS score is 1 up to rounding in the LP; it must be written and printed as 1
    path = tmp_path / "u.csv"
    pd.DataFrame({"unit": ["A", "B", "C"], "x": [0.1, 0.3, 0.3],
                  "y": [0.1, 0.7, 0.2]}).to_csv(path, index=False)
    out = tmp_path / "s.csv"
    code, _, err = _run(capsys, "dea", str(path), "--inputs", "x", "--outputs", "y",
                        "--out", str(out))
    assert code == 0, err
    table = pd.read_csv(out, index_col=0)
    assert table.loc["A", "score"] == 1.0 and table.loc["B", "score"] == 1.0


@pytest.mark.skipif(not MIX.exists(), reason="the shared MIX panel (../shared/data/mix) is absent")
def test_raw_mix_panel_one_year_with_screening(capsys, tmp_path):
    out = tmp_path / "mix2011.csv"
    code, stdout, err = _run(capsys, "dea", str(MIX), "--inputs", "personnel,operating_expense",
                             "--outputs", "number_of_active_borrowers", "--year", "2011",
                             "--missing", "drop", "--screen", "--out", str(out))
    assert code == 0, err
    assert "--screen: screening:" in err
    table = pd.read_csv(out, index_col=0)
    raw = pd.read_csv(MIX, encoding="latin-1")
    # every MFI of the year is scored or listed as dropped, with the reason
    assert len(table) == raw.loc[raw["year"] == 2011, "mfiid"].nunique()
    reasons = table.loc[table["status"] == "dropped", "reason"]
    assert reasons.str.startswith(("missing ", "screening rule ")).all()
    assert (reasons == "screening rule no_lending").any()
    scored = table.loc[table["status"] == "optimal"]
    assert scored["name"].notna().all() and (scored["score"] <= 1.0).all()
    assert stdout.startswith(f"{len(scored)} units scored, fiscal year 2011")
