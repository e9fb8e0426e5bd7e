"""socialperf: social performance of microfinance institutions (MFIs) and investment vehicles.

The microfinance domain layer on top of ``dea`` and ``weighting``: an indicator catalogue,
MIX-style data I/O, MFI scores under every aggregation scheme (calibrated rating scale,
equal, expert, AHP, PCA/FA, benefit of the doubt, social-efficiency DEA), and MIV scores
through look-through of their (fund-of-funds) holdings.
"""

from __future__ import annotations

from dea._version import distribution_version as _dist_version
from socialperf._example import ExampleData, example_data
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
    read_holdings,
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
