"""A study: which data, which MFI schemes, which MIV options, which DEA model, how much
sensitivity analysis; read from TOML, validated, run, and reported.

A study file looks like this (paths are relative to the file)::

    [study]
    name = "My study"
    year = 2011                  # fiscal year scored (omit: the holdings' year, else the latest)
    reference = "bundled"        # calibration universe of the rating scale and of every
                                 # normalisation: "bundled" (the MIX panel shipped with
                                 # socialperf, all years), "self" (the MFI file of the study,
                                 # after screening), or the path of a MIX-style table

    [data]
    example = false              # true: use the bundled example data for any path not given
    mfis = "mfi_panel.csv"
    holdings = "holdings.csv"
    miv_indicators = "miv_indicators.csv"
    catalogue = "catalogue.csv"
    expert_weights = "expert_weights.csv"
    ahp_matrix = "ahp_matrix.csv"
    budget_allocations = "budget_allocations.csv"
    fx_rates = "fx_rates.csv"    # to convert holdings in other currencies

    [data.screening]             # screening of the MFI file (on by default; false: off),
    rules = ["period_type", "nonpositive", "outside_unit", "glp_gt_assets",
             "alb_inconsistent", "no_lending"]   # see socialperf.screen
    period_types = ["ANN"]       # rows kept by the period_type rule ("QTR" adds quarterly)
    glp_assets_max = 1.5         # GLP above 1.5 x total assets: both set missing
    alb_factor = 2.0             # average loan balance off GLP / borrowers by more: missing

    [mfi]
    schemes = ["rating", "equal", "expert", "ahp", "pca", "bod", "dea"]
    scheme_files = ["my_scheme.toml"]   # user-defined weighting.Scheme files, by their name

    [schemes.my_scheme]          # a user scheme declared inline (Scheme.from_dict keys;
    indicators = ["female_share", "par30"]   # catalogue names); scored like the built-in
    normalisation = "percentile"             # ones, and may be [sensitivity] scheme
    weights = {female_share = 2, par30 = 1}

    [miv]
    enabled = true
    scheme = "equal"             # the MFI scheme (built-in or user-defined) that feeds the
                                 # look-through score
    w = 0.5
    method = "exposure"
    coverage_threshold = 0.7
    uncovered = "renormalise"

    [dea]                        # the study's own DEA model (table, frontier figure); rts and
    inputs = ["personnel"]       # orientation also apply to the "dea" MFI scheme, whose
    outputs = ["number_of_active_borrowers"]   # inputs and outputs are fixed
    rts = "vrs"                  # crs, vrs (default: MFIs differ greatly in size), nirs, ndrs
    orientation = "input"        # input, output (radial model, cross-efficiency raters)
    model = "radial"             # radial (score 1 = efficient), sbm (Tone's rho, 1 =
                                 # efficient), additive (slack sum) or ddf (inefficiency
                                 # beta); for additive and ddf 0 = efficient, higher = worse
    cross_efficiency = false     # true: mean cross-efficiency and maverick index columns
    # each model's own keys, allowed only with that model (an error otherwise):
    # sbm_orientation = "non"    # model = "sbm": non, input, output
    # super = false              # model = "sbm": super-SBM (Tone 2002), delta >= 1
    # direction = "observed"     # model = "ddf": observed, inputs, outputs, unit
    # slack_weights = "ones"     # model = "additive": ones, ram, mip, normalized
    # ratio_bounds = [{numerator = "number_of_active_borrowers", denominator = "personnel",
    #                  upper = 40.0}]   # radial, ddf: assurance regions on the weights
    bootstrap = 0                # Simar-Wilson bootstrap replications, radial model only
                                 # (0 = off; 2000 for intervals), seeded from [sensitivity] seed
    alpha = 0.05                 # bootstrap confidence intervals of level 1 - alpha

    [sensitivity]
    enabled = false
    scheme = "equal"             # rating, equal, expert, ahp, pca, bod or dea
    runs = 200
    sobol = 64
    seed = 12345
    rts = ["crs", "vrs"]         # DEA returns to scale compared (scheme "dea")
    missing = ["renormalise", "zero"]   # missing-data policies compared
    aggregation = ["arithmetic", "geometric"]   # MFI-level aggregators compared (weighted
                                 # schemes except rating; see run_sensitivity's Notes)

    [sensitivity.miv]            # MIV-level analysis (see miv_sensitivity)
    enabled = true
    w = [0.3, 0.7]               # range of the block weight w
    methods = ["exposure", "equal", "top_quartile"]
    uncovered = ["renormalise", "zero", "exclude"]
    schemes = ["equal", "pca"]   # feeding MFI schemes (default: all the study runs)
    mfi_weights = true
    top_k = 3

    [units]                      # units of measurement, for figure labels
    personnel = "staff"

    [run]                        # where the heavy work runs; results do not depend on it
    scheduler = "local:2"        # Dask: "local:N" starts N local worker processes for the
                                 # run; or a running scheduler, e.g. "tcp://host:8786"
                                 # (a cluster you trust: tasks travel pickled). Omit: here.
                                 # The command's --scheduler takes precedence.

Every table and key is optional except a data source (``data.mfis`` or
``data.example = true``); unknown keys and bad values raise :class:`StudyConfigError`
naming ``section.key`` and what is allowed.  DEA columns may be any numeric column of the
MFI table or the derived ``women_borrowers`` and ``poverty_reach`` of
:func:`socialperf.social_efficiency_data`.

:func:`run_study` runs a study and returns a :class:`StudyResult`;
:func:`socialperf.report.write_study_report` turns that into a report folder;
:func:`run_sensitivity` runs the uncertainty and Sobol' analysis alone (MFI and MIV level);
:func:`miv_sensitivity` runs the MIV-level analysis on given scores and holdings.
"""

from socialperf.schemes import SCHEMES as MFI_SCHEMES  # noqa: F401 (former names of the one list)
from socialperf.schemes import SCHEMES as SENSITIVITY_SCHEMES  # noqa: F401
from socialperf.study.config import (
    DEASpec,
    MIVOptions,
    MIVSensitivitySpec,
    SensitivitySpec,
    Study,
    StudyConfigError,
)
from socialperf.study.data import StudyData as StudyData
from socialperf.study.data import load_study_data as load_study_data
from socialperf.study.data import study_year as study_year
from socialperf.study.result import StudyResult
from socialperf.study.run import run_study
from socialperf.study.sensitivity import (
    GEOMETRIC_ZERO_FLOOR,
    MIVSensitivityOutcome,
    SensitivityOutcome,
    miv_sensitivity,
    run_sensitivity,
)
from socialperf.study.sensitivity import WEIGHT_CONCENTRATION as WEIGHT_CONCENTRATION

__all__ = [
    "GEOMETRIC_ZERO_FLOOR",
    "DEASpec",
    "MIVOptions",
    "MIVSensitivityOutcome",
    "MIVSensitivitySpec",
    "SensitivityOutcome",
    "SensitivitySpec",
    "Study",
    "StudyConfigError",
    "StudyResult",
    "miv_sensitivity",
    "run_sensitivity",
    "run_study",
]
