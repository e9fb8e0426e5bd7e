"""The indicator catalogue: default content and validation messages."""

from __future__ import annotations

import pandas as pd
import pytest

import socialperf as sp
from socialperf.exceptions import CatalogueError


def test_default_catalogue():
    cat = sp.load_catalogue()
    assert cat.names("MFI", bundled_only=True) == [
        "female_share", "depth_of_outreach", "breadth_of_outreach", "par30", "write_off_ratio",
    ]
    assert len(cat.names("MIV")) == 9
    assert cat["par30"].direction == "lower" and cat["par30"].scale == "ratio"
    assert cat["breadth_of_outreach"].scale == "interval"
    assert cat["social_mission"].categories["explicit_with_targets"] == 1.0
    assert not cat["poverty_targeting"].in_bundled_data
    ind = cat.indicator_set("MIV")
    assert ind.names == cat.names("MIV")
    assert ind["sp_policy"].points == {"no": 0.0, "yes": 1.0}
    assert ind.groups["client_protection"] == ["smart_campaign", "rated_regulated_share"]


def test_extract_derived_indicators():
    cat = sp.load_catalogue()
    t = pd.DataFrame({"average_loan_balance_per_borrower": [500.0, 100.0],
                      "gdp_per_capita": [1000.0, 0.0],
                      "number_of_active_borrowers": [1000.0, 0.0]})
    depth = cat["depth_of_outreach"].extract(t)
    assert depth.iloc[0] == pytest.approx(0.5) and pd.isna(depth.iloc[1])
    breadth = cat["breadth_of_outreach"].extract(t)
    assert breadth.iloc[0] == pytest.approx(6.907755279) and pd.isna(breadth.iloc[1])


def _table():
    return pd.read_csv(sp.load_catalogue.__globals__["resources"].files("socialperf")
                       / "data" / "catalogue.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("row", "col", "value", "pattern"),
    [
        (2, "scale", "metric", r"row 4 \('breadth_of_outreach'\), column 'scale': 'metric'"),
        (0, "level", "FUND", r"row 2 \('female_share'\), column 'level'"),
        (5, "categories", "", r"row 7 \('poverty_mission'\), column 'categories': a nominal"),
        (5, "categories", "no=0;yes=2", r"points 2.0 of category 'yes' are outside"),
        (1, "direction", "up", r"row 3 .*column 'direction'"),
        (3, "dimension", "outreach", r"column 'dimension': 'outreach' is not an SPTF"),
        (0, "categories", "a=0;b=1", r"a ratio-scale indicator takes no point map"),
        (1, "name", "female_share", r"indicator 'female_share' appears twice"),
    ],
)
def test_errors_name_row_and_column(row, col, value, pattern):
    t = _table()
    t.loc[row, col] = value
    with pytest.raises(CatalogueError, match=pattern):
        sp.load_catalogue(t)


def test_missing_column_and_file(tmp_path):
    with pytest.raises(CatalogueError, match=r"no column 'scale'"):
        sp.load_catalogue(_table().drop(columns="scale"))
    with pytest.raises(CatalogueError, match="does not exist"):
        sp.load_catalogue(tmp_path / "nope.csv")
    p = tmp_path / "mine.csv"
    _table().iloc[:3].to_csv(p, index=False)
    assert sp.load_catalogue(p).names() == ["female_share", "depth_of_outreach",
                                            "breadth_of_outreach"]


def test_catalogue_headers_in_title_case(tmp_path):
    from socialperf.catalogue import load_catalogue as _load

    default = _load()
    table = default.table.reset_index(drop=True)
    table.columns = [c.title() + " " for c in table.columns]
    path = tmp_path / "cat.csv"
    table.to_csv(path, index=False)
    cat = _load(path)
    assert cat.names() == default.names()
    assert cat["par30"].direction == default["par30"].direction == "lower"
