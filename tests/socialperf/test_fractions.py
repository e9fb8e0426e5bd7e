"""Fraction-valued catalogue indicators must lie in [0, 1] (issue 13, defect 4).

A female-borrower share of 85 (a percent where the catalogue expects 0.85) used to pass
``validate_mfis`` and give wrong women-borrower counts and scores.
"""

import pandas as pd
import pytest

import socialperf as sp
from dea.exceptions import InputDataError
from socialperf.catalogue import load_catalogue

# the catalogue's fraction-valued MFI indicators read straight from a column
FRACTION_COLUMNS = {
    "percent_of_female_borrowers": "female_share",
    "portfolio_at_risk30_days": "par30",
    "write_off_ratio": "write_off_ratio",
    "sp_staff_turnover": "staff_turnover",
}


def _table(col, values):
    return pd.DataFrame(
        {
            "mfiid": ["A", "B", "C"],
            "year": [2011, 2011, 2012],
            "assets": [1.0, 2.0, 3.0],
            col: values,
        }
    )


def test_the_bundled_catalogue_has_these_fractions():
    cat = load_catalogue()
    got = {
        s.source: s.name
        for s in cat
        if s.level == "MFI" and s.is_fraction and s.denominator is None
    }
    assert got == FRACTION_COLUMNS


@pytest.mark.parametrize(("col", "name"), FRACTION_COLUMNS.items())
def test_percent_where_a_fraction_is_expected(col, name):
    with pytest.raises(InputDataError) as err:
        sp.validate_mfis(_table(col, [0.5, 85, 0.2]))
    msg = str(err.value)
    assert f"column {col!r} (indicator {name!r}" in msg
    assert "MFI 'B' in 2011 (index label 1) = 85" in msg
    assert "look like a percent" in msg


def test_out_of_range_not_a_percent():
    with pytest.raises(InputDataError) as err:
        sp.validate_mfis(_table("sp_staff_turnover", [0.5, 185, -0.1]))
    msg = str(err.value)
    assert "MFI 'B' in 2011 (index label 1) = 185, MFI 'C' in 2012 (index label 2) = -0.1" in msg
    assert "percent" not in msg


def test_bounds_and_missing_values_are_fine():
    t = _table("percent_of_female_borrowers", [0.0, None, 1.0])
    out = sp.validate_mfis(t)
    assert out["percent_of_female_borrowers"].tolist()[::2] == [0.0, 1.0]


def test_file_rows_are_named(tmp_path):
    path = tmp_path / "m.csv"
    _table("percent_of_female_borrowers", [0.5, 0.6, 70]).to_csv(path, index=False)
    with pytest.raises(InputDataError, match=r"MFI 'C' in 2012 \(row 4\) = 70"):
        sp.read_mfis(path)


def test_a_custom_catalogue_decides_what_is_a_fraction():
    cat = load_catalogue()
    table = cat.table.reset_index(drop=True)
    table.loc[table["name"] == "female_share", "unit"] = "percent of active borrowers"
    custom = load_catalogue(table)
    t = _table("percent_of_female_borrowers", [50.0, 85.0, 20.0])
    assert sp.validate_mfis(t, catalogue=custom)["percent_of_female_borrowers"].max() == 85
    with pytest.raises(InputDataError, match="female_share"):
        sp.validate_mfis(t)


def test_bundled_data_pass():
    ex = sp.example_data()
    assert len(sp.validate_mfis(ex.mfis)) == len(ex.mfis)
    from socialperf.mfi import load_reference

    assert len(load_reference()) > 1000
