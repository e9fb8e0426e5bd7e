"""I/O validation: every error names the offending rows, columns or units."""

from __future__ import annotations

import pandas as pd
import pytest

import socialperf as sp
from socialperf.exceptions import HoldingsCycleError, HoldingsError, InputDataError

MFIS = pd.DataFrame(
    {"mfiid": ["1", "2", "3"], "year": [2011, 2011, 2011], "assets": [10.0, 20.0, 30.0]}
)


def _holdings(**changes):
    df = pd.DataFrame(
        {
            "holder": ["F1", "F1", "F2", "F2"],
            "held": ["1", "2", "F1", "3"],
            "amount": [100.0, 50.0, 30.0, 70.0],
            "currency": ["USD", "USD", "USD", "USD"],
        }
    )
    for col, (row, value) in changes.items():
        df[col] = df[col].astype(object)
        df.loc[row, col] = value
    return df


def test_read_holdings_file_names_file_rows(tmp_path):
    df = _holdings(held=(1, "999"))
    path = tmp_path / "h.csv"
    df.to_csv(path, index=False)
    with pytest.raises(HoldingsError, match=r"unknown MFIs '999' at rows 3\b"):
        sp.read_holdings(path, mfis=MFIS)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        ({"amount": (2, -5.0)}, r"negative for position 'F2' -> 'F1' \(index label 2\) = -5;"),
        ({"amount": (0, 0.0)}, r"zero or negative for position 'F1' -> '1' \(index label 0\)"),
        ({"amount": (3, "abc")}, r"not a number for position 'F2' -> '3' \(index label 3\)"),
        ({"held": (1, "F1")}, r"holding themselves: vehicle 'F1' \(index label 1\)$"),
    ],
)
def test_holdings_errors_name_rows(change, pattern):
    with pytest.raises(HoldingsError, match=pattern):
        sp.Holdings(_holdings(**change), mfis=MFIS)


def test_duplicates_named():
    df = pd.concat([_holdings(), _holdings().iloc[[0]]], ignore_index=True)
    with pytest.raises(
        HoldingsError, match=r"duplicated positions .*: position 'F1' -> '1' \(index labels 0, 4\)"
    ):
        sp.Holdings(df)


def test_cycle_error():
    df = _holdings()
    df = pd.concat(
        [df, pd.DataFrame({"holder": ["F1"], "held": ["F2"], "amount": [1.0],
                           "currency": ["USD"]})],
        ignore_index=True,
    )
    with pytest.raises(HoldingsCycleError, match=r"F1 -> F2 -> F1|F2 -> F1 -> F2"):
        sp.Holdings(df)


def test_currencies_need_rates_and_are_converted():
    df = _holdings(currency=(3, "EUR"))
    with pytest.raises(HoldingsError, match=r"mixes currencies \('EUR' besides USD\) at index "
                                            r"labels 3"):
        sp.Holdings(df)
    with pytest.raises(HoldingsError, match=r"no exchange rate to USD for 'EUR'"):
        sp.Holdings(df, fx_rates={"CHF": 1.1})
    h = sp.Holdings(df, fx_rates={"EUR": 1.5})
    row = h.table.loc[h.table["held"] == "3"].iloc[0]
    assert row["amount"] == pytest.approx(105.0) and row["amount_original"] == 70.0
    # F2: F1 30, m3 105 (USD) -> share of m3 = 105/135
    E = h.look_through()
    assert E.loc["F2", "3"] == pytest.approx(105 / 135)
    assert df.loc[3, "amount"] == 70.0  # input untouched


def test_several_dates_need_a_choice():
    df = _holdings()
    df["date"] = ["2011-12-31", "2011-12-31", "2012-12-31", "2012-12-31"]
    with pytest.raises(HoldingsError, match="several dates"):
        sp.Holdings(df)
    h = sp.Holdings(df, date="2011-12-31")
    assert h.mivs == ["F1"] and h.year == 2011


def test_mfi_table_duplicates_and_bad_values():
    dup = pd.concat([MFIS, MFIS.iloc[[1]]], ignore_index=True)
    with pytest.raises(InputDataError, match=r"more than one row for MFI '2' in 2011 \(index "
                                             r"labels 1, 3\); keep one row per MFI and year"):
        sp.validate_mfis(dup)
    neg = MFIS.assign(assets=[10.0, -1.0, 3.0])
    with pytest.raises(InputDataError, match=r"'assets' is negative for MFI '2' in 2011 \(index "
                                             r"label 1\) = -1;"):
        sp.validate_mfis(neg)
    txt = MFIS.assign(assets=["10", "x", "3"])
    with pytest.raises(InputDataError, match=r"'assets' has non-numeric values for MFI '2' in "
                                             r"2011 \(index label 1\) = 'x';"):
        sp.validate_mfis(txt)
    before = MFIS.copy()
    sp.validate_mfis(MFIS)
    pd.testing.assert_frame_equal(MFIS, before)


def test_mix_encoding_and_raw_names(tmp_path):
    raw = (
        '"","mfiid","year","mfiname","period_type","write-off_ratio"\n'
        '"1",101,2010,"Pharma-cr\x82dit","ANN",0.1\n'
        '"2",101,2011,"Pharma-cr\x82dit","QTR",0.2\n'
        '"3",102,2011,"Caf\xe9 MFI","ANN",0.3\n'
    ).encode("latin-1")
    path = tmp_path / "mix.csv"
    path.write_bytes(raw)
    df = sp.read_mfis(path)
    assert df["mfiname"].tolist() == ["Pharma-crédit", "Café MFI"]
    assert "write_off_ratio" in df.columns and df["mfiid"].tolist() == ["101", "102"]
    xlsx = tmp_path / "mix.xlsx"
    df.to_excel(xlsx, index=False)
    again = sp.read_mfis(xlsx)
    assert again["mfiname"].tolist() == ["Pharma-crédit", "Café MFI"]


def test_miv_indicators_validation():
    ok = pd.DataFrame({"miv": ["F1", "F2"], "sp_policy": ["yes", "no"],
                       "microfinance_share": [0.5, 1.0]})
    out = sp.validate_miv_indicators(ok)
    assert list(out.index) == ["F1", "F2"]
    bad = ok.assign(sp_policy=["yes", "maybe"])
    with pytest.raises(InputDataError, match=r"unknown categories 'maybe' at units 'F2'"):
        sp.validate_miv_indicators(bad)
    out_of_range = ok.assign(microfinance_share=[0.5, 1.7])
    with pytest.raises(InputDataError, match=r"in \[0, 1\]; it is outside for MIV 'F2' = 1.7"):
        sp.validate_miv_indicators(out_of_range)
    with pytest.raises(InputDataError, match=r"MIV 'F1' = 50.*look like a percent"):
        sp.validate_miv_indicators(ok.assign(microfinance_share=[50, 1.0]))
