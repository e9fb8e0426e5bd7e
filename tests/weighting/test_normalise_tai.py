"""Normalisation of the TAI data (OECD/JRC 2008 Handbook, Section 5 and Tables 14-15 style).

Source of the data: ``tests/results/tai_oecd2008.csv``, the Technology Achievement Index
raw data of 23 countries printed in the OECD/JRC (2008) Handbook (see tests/results/README).

The Handbook's printed normalisation examples (min-max, z-score, rank, distance to a
reference country, categorical scale, percentiles) could not be retrieved for this test,
so NO printed value is asserted here.  Every expected number below is INDEPENDENTLY
computed in this file by the Handbook's hand formulas, in plain Python (``statistics`` and
loops over the 23 values, no numpy/scipy/pandas arithmetic), and compared with the
package to 1e-12.  The formulas (higher is better; OECD/JRC 2008, Table 3):

* min-max            ``(x - min) / (max - min)``
* z-score            ``(x - mean) / sd``, ``sd`` the sample standard deviation (n - 1)
* rank               average rank, 1 = lowest value, ties share the mean rank
* percentile rank    ``(#below + #equal / 2) / n``
* distance to a reference country   ``x / x_ref`` (the United States)
* categorical scale  quintile classes: 1 + number of the 20/40/60/80% quantiles
                     (linear interpolation) strictly below ``x``
* above/below mean   ``w = x / mean``: +1 if ``w > 1 + p``, -1 if ``w < 1 - p``, else 0
"""

import statistics
from pathlib import Path

import pandas as pd
import pytest

from dea.exceptions import InputDataError
from weighting import (
    AboveBelowMean,
    DistanceToTarget,
    MinMax,
    PercentileRank,
    QuantileClasses,
    Rank,
    ScaleLevelError,
    Scheme,
    ZScore,
    get_normaliser,
)

TAI = pd.read_csv(Path(__file__).parents[1] / "results" / "tai_oecd2008.csv", index_col=0)
COLS = ["internet", "patents", "schooling"]  # schooling has ties (9.4 three times)


def _values(col: str) -> list[float]:
    return [float(v) for v in TAI[col].tolist()]


def _close(got: pd.Series, expected: list[float]) -> None:
    assert got.index.equals(TAI.index)
    assert got.tolist() == pytest.approx(expected, abs=1e-12, rel=1e-12)


@pytest.mark.parametrize("col", COLS)
def test_minmax_by_hand(col):
    x = _values(col)
    lo, hi = min(x), max(x)
    _close(MinMax().fit_transform(TAI[col]), [(v - lo) / (hi - lo) for v in x])


def test_minmax_internet_end_points():
    y = MinMax().fit_transform(TAI["internet"])
    assert y["Finland"] == 1.0  # 200.2 hosts per 1000, the maximum
    assert y["Korea, Rep. of"] == 0.0  # 4.8, the minimum
    assert y["United States"] == pytest.approx((179.1 - 4.8) / (200.2 - 4.8), abs=1e-12)


@pytest.mark.parametrize("col", COLS)
def test_zscore_by_hand(col):
    x = _values(col)
    m, sd = statistics.fmean(x), statistics.stdev(x)
    y = ZScore().fit_transform(TAI[col])
    _close(y, [(v - m) / sd for v in x])
    assert statistics.fmean(y.tolist()) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("col", COLS)
def test_rank_and_percentile_by_hand(col):
    x = _values(col)
    n = len(x)
    below = [sum(w < v for w in x) for v in x]
    equal = [sum(w == v for w in x) for v in x]
    ranks = [b + (e + 1) / 2 for b, e in zip(below, equal, strict=True)]
    _close(Rank().fit_transform(TAI[col]), ranks)
    _close(PercentileRank().fit_transform(TAI[col]),
           [(b + e / 2) / n for b, e in zip(below, equal, strict=True)])


def test_rank_ties_share_the_mean_rank():
    r = Rank().fit_transform(TAI["schooling"])
    # 9.4 years: Netherlands, United Kingdom, Ireland; 8 values are lower (7.1 twice, 7.2,
    # 7.3, 7.9, 8.4, 9.1, 9.3), so they share rank (9 + 10 + 11) / 3 = 10
    tied = r[["Netherlands", "United Kingdom", "Ireland"]]
    assert tied.nunique() == 1
    assert sum(v < 9.4 for v in _values("schooling")) == 8
    assert tied.iloc[0] == 10.0


def test_distance_to_reference_country_by_hand():
    x = _values("internet")
    us = float(TAI.loc["United States", "internet"])
    y = DistanceToTarget(target=us).fit(TAI["internet"], scale="ratio").transform(TAI["internet"])
    _close(y, [v / us for v in x])
    assert y["United States"] == 1.0
    assert y["Finland"] == pytest.approx(200.2 / 179.1, abs=1e-12)


def test_categorical_quintiles_by_hand():
    x = _values("internet")
    cuts = statistics.quantiles(x, n=5, method="inclusive")  # linear interpolation
    expected = [1 + sum(v > c for c in cuts) for v in x]
    y = QuantileClasses(5).fit_transform(TAI["internet"])
    _close(y, [float(e) for e in expected])
    assert sorted(set(expected)) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("p", [0.2, 0.5])
@pytest.mark.parametrize("col", COLS)
def test_above_below_mean_by_hand(col, p):
    x = _values(col)
    m = statistics.fmean(x)
    expected = [1.0 if v / m > 1 + p else (-1.0 if v / m < 1 - p else 0.0) for v in x]
    y = AboveBelowMean(threshold=p).fit(TAI[col], scale="ratio").transform(TAI[col])
    _close(y, expected)
    low = AboveBelowMean(threshold=p).fit(TAI[col], scale="ratio", direction="lower")
    _close(low.transform(TAI[col]), [-e if e else 0.0 for e in expected])


def test_above_below_mean_internet_classes():
    # the 23 internet values sum to 1829.6, mean 79.548; the 20% band is 63.64 .. 95.46
    y = AboveBelowMean().fit(TAI["internet"], scale="ratio").transform(TAI["internet"])
    assert statistics.fmean(_values("internet")) == pytest.approx(1829.6 / 23, abs=1e-9)
    assert y["Finland"] == 1.0 and y["Japan"] == -1.0
    assert y["Singapore"] == 0.0  # 72.3 is within 20% of the mean
    assert y["Austria"] == 0.0  # 84.2
    assert get_normaliser("above_below_mean") == AboveBelowMean()


def test_above_below_mean_is_ordinal_and_checks_its_inputs():
    tai = TAI[["internet", "patents"]]
    inds = [{"name": c, "scale": "ratio"} for c in tai.columns]
    with pytest.raises(ScaleLevelError, match="ordinal"):
        Scheme(inds, normalisation="above_mean", aggregation="arithmetic").score(tai)
    with pytest.raises(ScaleLevelError):
        AboveBelowMean().fit(TAI["internet"], scale="interval")
    with pytest.raises(InputDataError, match="threshold"):
        AboveBelowMean(threshold=1.5).fit(TAI["internet"], scale="ratio")
    with pytest.raises(InputDataError, match="positive mean"):
        AboveBelowMean().fit(-TAI["internet"], scale="ratio")
