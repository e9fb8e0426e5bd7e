"""The bundled example data: :func:`example_data` (see ``socialperf/data/README.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from socialperf.catalogue import Catalogue, load_catalogue
from socialperf.io import read_fx_rates, validate_miv_indicators
from socialperf.mfi import load_reference
from socialperf.miv import Holdings

__all__ = ["ExampleData", "example_data"]


@dataclass(frozen=True)
class ExampleData:
    """The bundled example data (see ``socialperf/data/README.md``).

    Attributes
    ----------
    mfis : pd.DataFrame
        Cleaned annual MIX Market panel of African MFIs, 1999-2018 (real data, the
        reference universe).
    holdings : Holdings
        Illustrative positions of eight example MIVs at 2011-12-31, converted to USD.
    holdings_table : pd.DataFrame
        The holdings as stored (amounts in their own currencies).
    fx_rates : pd.DataFrame
        EUR/USD rate for the holdings date.
    miv_indicators : pd.DataFrame
        Illustrative MIV-level indicators, indexed by MIV.
    expert_weights : pd.Series
        Illustrative direct expert weights of the five MFI indicators.
    budget_allocations : pd.DataFrame
        Illustrative budget allocations (100 points) of four experts.
    ahp_matrix : pd.DataFrame
        Illustrative AHP pairwise comparison matrix of the five MFI indicators.
    catalogue : Catalogue
        The default indicator catalogue.
    year : int
        Fiscal year of the holdings (2011).
    """

    mfis: pd.DataFrame
    holdings: Holdings
    holdings_table: pd.DataFrame
    fx_rates: pd.DataFrame
    miv_indicators: pd.DataFrame
    expert_weights: pd.Series
    budget_allocations: pd.DataFrame
    ahp_matrix: pd.DataFrame
    catalogue: Catalogue
    year: int = 2011


def _read(name: str, **kwargs: object) -> pd.DataFrame:
    ref = resources.files("socialperf") / "data" / name
    with resources.as_file(ref) as p:
        return pd.read_csv(p, **kwargs)


def example_data() -> ExampleData:
    """Load the bundled example data (fresh copies on every call).

    Returns
    -------
    ExampleData

    Examples
    --------
    >>> ex = example_data()
    >>> sorted(ex.holdings.mivs)[:2]
    ['MIV01', 'MIV02']
    """
    catalogue = load_catalogue()
    mfis = load_reference()
    table = _read("holdings.csv", dtype={"holder": str, "held": str, "date": str})
    fx = read_fx_rates(_read("fx_rates.csv", dtype={"date": str}))
    holdings = Holdings(table, mfis=mfis, fx_rates=fx)
    miv = validate_miv_indicators(_read("miv_indicators.csv"), catalogue=catalogue)
    direct = _read("expert_weights.csv").set_index("indicator")["weight"].rename("weight")
    budget = _read("budget_allocations.csv").set_index("expert")
    ahp = _read("ahp_matrix.csv", index_col=0)
    return ExampleData(
        mfis=mfis,
        holdings=holdings,
        holdings_table=table,
        fx_rates=fx,
        miv_indicators=miv,
        expert_weights=direct,
        budget_allocations=budget,
        ahp_matrix=ahp,
        catalogue=catalogue,
    )
