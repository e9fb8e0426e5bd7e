"""Error messages name the user's units, not only row numbers (issue 13, defect 8).

Duplicated MFI-year rows used to be reported as "at index labels 0, 12" / "at rows 2, 42",
a vehicle holding itself as "at rows 2", a bad exchange rate as "at index labels 0". Now
the MFI id and year, the vehicle, the position or the currency come first; the row (file
row, header = 1) follows.
"""

from __future__ import annotations

import pandas as pd
import pytest

import socialperf as sp
from socialperf.exceptions import HoldingsError, InputDataError
from socialperf.io import read_fx_rates, validate_fx_rates


def _write(tmp_path, name, frame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_duplicated_mfi_years_in_a_file(tmp_path):
    m = pd.DataFrame(
        {
            "mfiid": ["A", "B", "A", "B", "C"],
            "year": [2011, 2011, 2011, 2012, 2011],
            "assets": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    path = _write(tmp_path, "m.csv", pd.concat([m, m.iloc[[4]]], ignore_index=True))
    with pytest.raises(InputDataError) as err:
        sp.read_mfis(path)
    assert str(err.value) == (
        "the MFI table has more than one row for MFI 'A' in 2011 (rows 2, 4), MFI 'C' in 2011 "
        "(rows 6, 7); keep one row per MFI and year"
    )


def test_bad_values_name_the_mfi_and_year(tmp_path):
    m = pd.DataFrame({"mfiid": [101, 102], "year": [2011, 2012], "assets": [1.0, -3.0]})
    with pytest.raises(InputDataError, match=r"negative for MFI '102' in 2012 \(row 3\) = -3;"):
        sp.read_mfis(_write(tmp_path, "m.csv", m))
    m = pd.DataFrame({"mfiid": ["A", "B"], "year": [2011, "2011b"]})
    with pytest.raises(InputDataError, match=r"years for MFI 'B' \(index label 1\) = '2011b';"):
        sp.validate_mfis(m)


def test_vehicle_holding_itself_in_a_file(tmp_path):
    h = pd.DataFrame({"holder": ["F1", "F2"], "held": ["m1", "F2"], "amount": [1.0, 2.0]})
    with pytest.raises(HoldingsError) as err:
        sp.read_holdings(_write(tmp_path, "h.csv", h))
    assert str(err.value) == "holdings has vehicles holding themselves: vehicle 'F2' (row 3)"


def test_positions_are_named_by_holder_and_held(tmp_path):
    h = pd.DataFrame(
        {"holder": ["F1", "F1", "F1"], "held": ["m1", "m2", "m1"], "amount": [1.0, 2.0, 3.0]}
    )
    with pytest.raises(HoldingsError, match=r"position 'F1' -> 'm1' \(rows 2, 4\); add them"):
        sp.read_holdings(_write(tmp_path, "h.csv", h))
    h = h.assign(held=["m1", "m2", "m3"], amount=[1.0, 0.0, 3.0])
    with pytest.raises(HoldingsError, match=r"position 'F1' -> 'm2' \(row 3\) = 0;"):
        sp.read_holdings(_write(tmp_path, "h.csv", h))


def test_bad_exchange_rates_name_the_currency(tmp_path):
    with pytest.raises(InputDataError) as err:
        validate_fx_rates(pd.DataFrame({"currency": ["kes", "EUR"], "usd_per_unit": [0.01, -1]}))
    assert "rates for currency 'EUR' (index label 1) = -1; rates must be > 0" in str(err.value)
    fx = pd.DataFrame(
        {
            "currency": ["EUR", "KES", "eur"],
            "usd_per_unit": [1.1, 0.01, 1.2],
            "date": ["2011-12-31"] * 3,
        }
    )
    with pytest.raises(InputDataError) as err:
        read_fx_rates(_write(tmp_path, "fx.csv", fx))
    assert str(err.value) == (
        "fx_rates has more than one rate for currency 'EUR' on 2011-12-31 (rows 2, 4); keep "
        "one per currency and date"
    )
