"""Screening a raw MIX-style panel: the rules, the exclusions table, the user's data untouched."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mix_independent import independent_counts

import socialperf.screen as screen_module
from socialperf.exceptions import InputDataError
from socialperf.screen import RULES, ScreeningRules, read_mix_panel, screen_mfis

ROOT = Path(__file__).resolve().parents[2]
MIX = ROOT.parent / "shared" / "data" / "mix" / "mix_africa_mfi_panel_1999_2019.csv"


def _raw() -> pd.DataFrame:
    """Five MFI-years in the MIX release's own column names, one fault per rule."""
    return pd.DataFrame(
        {
            "mfiid": [101, 101, 202, 303, 404, 505],
            "mfiname": ["Alpha", "Alpha", "Beta", "Gamma", "Delta", "Eps"],
            "year": [2010, 2011, 2011, 2011, 2011, 2011],
            "period_type": ["ANN", "QTR", "ANN", "ANN", "ANN", "ANN"],
            "gross_loan_portfolio": [1e6, 1e6, 4e6, 1e6, 2e6, np.nan],
            "assets": [2e6, 2e6, 2e6, 2e6, 3e6, 1e6],
            "number_of_active_borrowers": [1000, 1000, 2000, 0, 1000, np.nan],
            "average_loan_balance_per_borrower": [1000.0, 1000.0, 2000.0, 900.0, 500.0, 1.0],
            "percent_of_female_borrowers": [0.6, 0.6, 1.2, 0.5, 0.5, 0.5],
            "write-off_ratio": [0.01, 0.01, -0.02, 0.0, 0.0, 0.0],
        }
    )


def test_each_rule_hand_checked() -> None:
    raw = _raw()
    before = raw.copy()
    s = screen_mfis(raw)
    pd.testing.assert_frame_equal(raw, before)  # never mutated
    ex = s.exclusions.set_index(["mfiid", "year", "column"])
    # 101/2011 is a quarterly-report row: dropped, and the only row of that MFI-year
    assert ex.loc[("101", 2011, "period_type"), "action"] == "row dropped"
    assert s.quarterly_only_years()[["mfiid", "year"]].values.tolist() == [["101", 2011]]
    # 202: GLP 4e6 > 1.5 x assets 2e6 -> both missing; female share 1.2 and write-off -0.02
    assert ex.loc[("202", 2011, "gross_loan_portfolio"), "rule"] == "glp_gt_assets"
    assert ex.loc[("202", 2011, "assets"), "value"] == 2e6
    assert ex.loc[("202", 2011, "percent_of_female_borrowers"), "rule"] == "outside_unit"
    assert ex.loc[("202", 2011, "write_off_ratio"), "source_column"] == "write-off_ratio"
    # 303: zero borrowers -> missing (nonpositive); ALB then cannot be checked
    assert ex.loc[("303", 2011, "number_of_active_borrowers"), "rule"] == "nonpositive"
    # 404: GLP / borrowers = 2000, reported 500: a factor 4 -> ALB missing
    assert ex.loc[("404", 2011, "average_loan_balance_per_borrower"), "rule"] == (
        "alb_inconsistent"
    )
    # 505: neither GLP nor borrowers -> row dropped
    assert ex.loc[("505", 2011, "gross_loan_portfolio"), "action"] == "row dropped"
    assert s.rows_in == 6 and s.rows_out == 4
    assert sorted(s.panel["mfiid"]) == ["101", "202", "303", "404"]
    assert s.counts.loc["glp_gt_assets", "values_set_missing"] == 2
    assert s.counts.loc["period_type", "rows_dropped"] == 1
    assert int(s.counts["values_set_missing"].sum()) == 6
    assert list(s.exclusions.columns) == list(screen_module.EXCLUSION_COLUMNS)
    assert "2 rows dropped" not in s.summary() and "1 MFI-years exist only" in s.summary()


def test_rules_and_thresholds_are_settings() -> None:
    raw = _raw()
    s = screen_mfis(raw, {"rules": ["outside_unit"], "period_types": ["ann", "QTR"]})
    assert set(s.exclusions["rule"]) == {"outside_unit"} and s.rows_out == 6
    loose = screen_mfis(raw, {"glp_assets_max": 2.5, "alb_factor": 5})
    assert "glp_gt_assets" not in set(loose.exclusions["rule"])
    assert "alb_inconsistent" not in set(loose.exclusions["rule"])
    rules = ScreeningRules(glp_assets_max=2)
    assert ScreeningRules.from_dict(rules.to_dict()) == rules


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"rule": ["x"]}, "data.screening has unknown keys 'rule'"),
        ({"rules": ["nonpositve"]}, "data.screening.rules has unknown rules 'nonpositve'"),
        ({"rules": "nonpositive"}, "data.screening.rules must be a list"),
        ({"glp_assets_max": "1.5"}, "data.screening.glp_assets_max must be a number"),
        ({"alb_factor": 0.5}, "data.screening.alb_factor must be a number above 1"),
    ],
)
def test_bad_settings_name_the_key(spec, fragment) -> None:
    with pytest.raises(InputDataError, match=fragment.replace(".", r"\.")):
        ScreeningRules.from_dict(spec, origin="data.screening")


def test_non_numeric_text_names_column_and_mfi() -> None:
    raw = _raw().astype({"write-off_ratio": object})
    raw.loc[3, "write-off_ratio"] = "n/a"
    with pytest.raises(InputDataError, match=r"write_off_ratio.*'write-off_ratio'.*303"):
        screen_mfis(raw)


def test_doctests() -> None:
    result = doctest.testmod(screen_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.skipif(not MIX.exists(), reason="the shared MIX panel (../shared/data/mix) is absent")
def test_raw_mix_panel_counts_against_independent_pandas() -> None:
    """Every count of the exclusions table, recomputed here with plain pandas."""
    s = read_mix_panel(MIX)
    want = independent_counts(MIX)
    c = s.counts
    assert c.loc["period_type", "rows_dropped"] == want["period_type"] == 955
    assert c.loc["nonpositive", "values_set_missing"] == want["nonpositive"] == 48
    assert c.loc["outside_unit", "values_set_missing"] == want["outside_unit"] == 30
    assert c.loc["glp_gt_assets", "values_set_missing"] == want["glp_gt_assets"] == 118
    assert c.loc["alb_inconsistent", "values_set_missing"] == want["alb_inconsistent"] == 128
    assert c.loc["no_lending", "rows_dropped"] == want["no_lending"] == 20
    assert len(s.panel) == want["rows_kept"] == 3807
    assert s.panel["mfiid"].nunique() == want["mfis_kept"]
    assert s.panel["mfiid"].nunique() == 832
    assert (s.panel["write_off_ratio"].dropna() >= 0).all()
    names = set(s.exclusions["mfiname"].dropna())
    assert "Pharma-crédit" in names or not any("Pharma" in n for n in names)
    assert RULES == tuple(c.index)
