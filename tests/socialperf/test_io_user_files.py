"""User files that differ from the bundled ones: header case/spaces, date formats."""

from __future__ import annotations

import pandas as pd
import pytest

from dea.exceptions import InputDataError
from socialperf import io, miv


def _mfis() -> pd.DataFrame:
    return pd.DataFrame(
        {"mfiid": [1, 2], "year": [2011, 2011], "personnel": [10.0, 20.0]}
    )


def test_mfi_headers_with_case_and_spaces_are_recognised(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("MFIID , Year,Personnel\n1,2011,10\n2,2011,20\n")
    df = io.read_mfis(path)
    assert list(df.columns) == ["mfiid", "year", "personnel"]
    assert df["mfiid"].tolist() == ["1", "2"]
    assert df["personnel"].tolist() == [10.0, 20.0]


def test_holdings_headers_with_case_and_spaces(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Holder, Held ,AMOUNT\nM1,1,100\nM1,2,300\n")
    h = miv.read_holdings(path, mfis=_mfis())
    assert h.look_through().loc["M1"].to_dict() == {"1": 0.25, "2": 0.75}


def test_day_first_holdings_date_matches_iso_fx_rate():
    hold = pd.DataFrame(
        {
            "holder": ["M1", "M1"],
            "held": [1, 2],
            "amount": [100.0, 100.0],
            "currency": ["EUR", "USD"],
            "date": ["31/12/2011", "31/12/2011"],
        }
    )
    rates = pd.DataFrame({"currency": ["EUR"], "date": ["2011-12-31"], "usd_per_unit": [1.5]})
    table = io.validate_holdings(hold, fx_rates=rates, date="2011-12-31")
    # 100 EUR * 1.5 = 150 USD; the date is stored as ISO
    assert table["amount"].tolist() == [150.0, 100.0]
    assert table["date"].unique().tolist() == ["2011-12-31"]
    assert hold["date"].tolist() == ["31/12/2011", "31/12/2011"]  # input not mutated


def test_ambiguous_day_month_dates_are_an_error():
    hold = pd.DataFrame({"holder": ["M1"], "held": [1], "amount": [1.0], "date": ["01/02/2011"]})
    with pytest.raises(InputDataError, match="YYYY-MM-DD"):
        io.validate_holdings(hold)


def test_missing_category_stays_missing_in_points():
    from socialperf.catalogue import load_catalogue

    spec = load_catalogue()["sp_policy"]
    values = pd.Series(["yes", None, "no", float("nan")], index=["A", "B", "C", "D"])
    pts = spec.points(values)
    assert pts["A"] == 1.0 and pts["C"] == 0.0
    assert pts[["B", "D"]].isna().all()


def test_miv_indicators_with_missing_category_read():
    path = io.__file__.replace("io.py", "data/miv_indicators.csv")
    table = pd.read_csv(path)
    table["sp_policy"] = table["sp_policy"].astype(object)
    table.loc[1, "sp_policy"] = None
    out = io.validate_miv_indicators(table)
    assert pd.isna(out.iloc[1]["sp_policy"]) or out.iloc[1]["sp_policy"] is None
    assert table["sp_policy"].isna().sum() == 1  # input not mutated


@pytest.mark.parametrize("ids", [[1.0, 2.0], [1, 2], ["1", "2"], [" 1", "2 "]])
def test_miv_portfolio_matches_float_int_and_padded_mfi_ids(ids):
    from socialperf.miv import Holdings, score_mivs

    h = Holdings(pd.DataFrame({"holder": ["M1", "M1"], "held": [1, 2], "amount": [100.0, 300.0]}))
    scores = pd.Series([0.2, 0.6], index=pd.Index(ids))
    out = score_mivs(scores, h).summary()
    # exposure-weighted: 0.25 * 0.2 + 0.75 * 0.6 = 0.5, all exposure covered
    assert out.loc["M1", "portfolio"] == pytest.approx(0.5)
    assert out.loc["M1", "coverage"] == pytest.approx(1.0)


def _miv_table() -> pd.DataFrame:
    return pd.read_csv(io.__file__.replace("io.py", "data/miv_indicators.csv"))


def test_miv_indicator_headers_in_upper_case():
    table = _miv_table()
    table.columns = [c.upper() for c in table.columns]
    out = io.validate_miv_indicators(table)
    assert out.index[0] == "MIV01"
    assert out.loc["MIV01", "microfinance_share"] == pytest.approx(0.738)


def test_miv_indicators_without_id_column_are_an_error():
    table = _miv_table().rename(columns={"miv": "fund"})
    with pytest.raises(InputDataError, match="no id column 'miv'"):
        io.validate_miv_indicators(table)


def test_dea_scheme_warns_for_a_year_with_few_mfis():
    from dea.exceptions import FewUnitsWarning
    from socialperf.mfi import score_mfis

    panel = pd.read_csv(io.__file__.replace("io.py", "data/mfi_panel.csv"))
    few = panel[panel["mfiid"].isin([100030, 100035])]  # both complete in 2011
    with pytest.warns(FewUnitsWarning, match="only 2 MFIs with complete data in 2011"):
        res = score_mfis(few, scheme="dea", year=2011)
    # two units, six variables: both on the frontier
    assert res.scores.tolist() == [1.0, 1.0]
