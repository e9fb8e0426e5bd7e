"""socialperf: social performance of microfinance institutions (MFIs) and investment vehicles.

The microfinance domain layer on top of ``dea`` and ``weighting``: an indicator catalogue,
MIX-style data I/O, MFI scores under every aggregation scheme (calibrated rating scale,
equal, expert, AHP, PCA/FA, benefit of the doubt, social-efficiency DEA), and MIV scores
through look-through of their (fund-of-funds) holdings.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from dea._version import distribution_version as _dist_version
from socialperf.audit import StudyAudit, audit_study, catalogue_checks
from socialperf.catalogue import Catalogue, IndicatorSpec, load_catalogue
from socialperf.exceptions import (
    CatalogueError,
    HoldingsCycleError,
    HoldingsError,
    LowCoverageWarning,
    MissingBlockWarning,
    MissingColumnWarning,
    MissingIndicatorWarning,
    OutputFolderError,
    UnsafeInputError,
)
from socialperf.io import (
    read_fx_rates,
    read_holdings,
    read_mfis,
    read_miv_indicators,
    validate_holdings,
    validate_mfis,
    validate_miv_indicators,
)
from socialperf.mfi import (
    DEFAULT_RTS,
    SCHEMES,
    MFIScores,
    load_reference,
    mfi_indicators,
    score_mfis,
    score_mfis_all,
    social_efficiency_data,
)
from socialperf.miv import (
    Holdings,
    HoldingsGraph,
    MIVScores,
    look_through,
    miv_index,
    score_miv_block,
    score_mivs,
)
from socialperf.report import Report, write_sensitivity_report, write_study_report
from socialperf.safety import input_limits
from socialperf.screen import Screening, ScreeningRules, read_mix_panel, screen_mfis
from socialperf.study import (
    MIVSensitivityOutcome,
    MIVSensitivitySpec,
    SensitivityOutcome,
    Study,
    StudyConfigError,
    StudyResult,
    miv_sensitivity,
    run_sensitivity,
    run_study,
)

__all__ = [
    "DEFAULT_RTS",
    "SCHEMES",
    "Catalogue",
    "CatalogueError",
    "ExampleData",
    "Holdings",
    "HoldingsCycleError",
    "HoldingsError",
    "HoldingsGraph",
    "IndicatorSpec",
    "LowCoverageWarning",
    "MFIScores",
    "MIVScores",
    "MIVSensitivityOutcome",
    "MIVSensitivitySpec",
    "MissingBlockWarning",
    "MissingColumnWarning",
    "MissingIndicatorWarning",
    "OutputFolderError",
    "Report",
    "Screening",
    "ScreeningRules",
    "SensitivityOutcome",
    "Study",
    "StudyAudit",
    "StudyConfigError",
    "StudyResult",
    "UnsafeInputError",
    "audit_study",
    "catalogue_checks",
    "example_data",
    "input_limits",
    "load_catalogue",
    "load_reference",
    "look_through",
    "mfi_indicators",
    "miv_index",
    "miv_sensitivity",
    "read_fx_rates",
    "read_holdings",
    "read_mfis",
    "read_miv_indicators",
    "read_mix_panel",
    "run_sensitivity",
    "run_study",
    "score_mfis",
    "score_mfis_all",
    "score_miv_block",
    "score_mivs",
    "screen_mfis",
    "social_efficiency_data",
    "validate_holdings",
    "validate_mfis",
    "validate_miv_indicators",
    "write_sensitivity_report",
    "write_study_report",
]
__version__ = _dist_version()


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
