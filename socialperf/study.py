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

from __future__ import annotations

import dataclasses
import functools
import logging
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import FewUnitsWarning, InputDataError, format_labels
from dea.models.additive import WEIGHT_RULES
from dea.models.directional import DIRECTIONS
from dea.models.sbm import SBM_ORIENTATIONS
from socialperf.exceptions import MissingColumnWarning, _with_context
from socialperf.mfi import DEFAULT_RTS
from socialperf.safety import check_input_file
from socialperf.screen import Screening, ScreeningRules, read_mix_panel
from weighting import tomlfile
from weighting.normalise import RatioToBest

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

logger = logging.getLogger(__name__)

MFI_SCHEMES = ("rating", "equal", "expert", "ahp", "pca", "bod", "dea")
_RTS = ("crs", "vrs", "nirs", "ndrs")
_MIV_METHODS = ("exposure", "equal", "top_quartile")  # as socialperf.miv.METHODS
_UNCOVERED = ("renormalise", "zero", "exclude")  # as socialperf.miv.UNCOVERED_RULES
_ORIENTATIONS = ("input", "output")
_DEA_MODELS = ("radial", "sbm", "additive", "ddf")
_SBM_ORIENTATIONS = SBM_ORIENTATIONS
_DDF_DIRECTIONS = DIRECTIONS
_SLACK_WEIGHTS = WEIGHT_RULES
# the model-specific [dea] keys and the model each applies to
_DEA_MODEL_KEYS = {"sbm_orientation": "sbm", "super": "sbm", "direction": "ddf",
                   "slack_weights": "additive"}
_DATA_KEYS = (
    "mfis",
    "holdings",
    "miv_indicators",
    "catalogue",
    "expert_weights",
    "ahp_matrix",
    "budget_allocations",
    "fx_rates",
)


class StudyConfigError(InputDataError):
    """A study configuration is invalid; the message names the key (``section.key``)."""


def _get_scheduler(run: Mapping[str, Any], source: str | None) -> str | None:
    """``[run] scheduler``, checked by :func:`dea._parallel.parse_scheduler`."""
    from dea._parallel import parse_scheduler

    try:
        return parse_scheduler(run.get("scheduler"), "run.scheduler")
    except InputDataError as exc:
        where = f" (in {source})" if source else ""
        raise StudyConfigError(f"study key {exc}{where}") from None


def _on_scheduler(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func(study, ...)`` inside the study's ``[run] scheduler`` (if any).

    An enclosing :func:`dea._parallel.scheduler` block (the command's ``--scheduler``) is
    kept.  ``n_jobs=None`` becomes 1 here, or -1 (every worker) on a scheduler.
    """

    @functools.wraps(func)
    def wrapper(study: Study, *args: Any, n_jobs: int | None = None, **kwargs: Any) -> Any:
        from dea._parallel import resolve_jobs, scheduler

        with scheduler(study.scheduler, option="run.scheduler"):
            return func(study, *args, n_jobs=resolve_jobs(n_jobs), **kwargs)

    return wrapper


# ----------------------------------------------------------------------------- specs


def _fail(key: str, problem: str, allowed: str, source: str | None) -> StudyConfigError:
    where = f" in {source}" if source else ""
    return StudyConfigError(f"study key '{key}'{where}: {problem}; {allowed}")


def _check_keys(section: str, got: Mapping[str, Any], allowed: Sequence[str],
                source: str | None) -> None:
    unknown = [k for k in got if k not in allowed]
    if unknown:
        key = f"{section}.{unknown[0]}" if section else unknown[0]
        raise _fail(key, "unknown key", f"allowed keys: {', '.join(allowed)}", source)


def _get_str(d: Mapping[str, Any], section: str, key: str, default: Any, source: str | None,
             choices: Sequence[str] | None = None) -> Any:
    value = d.get(key, default)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(f"{section}.{key}", f"expected a string, got {value!r}",
                    f"allowed: {', '.join(choices)}" if choices else "give a quoted string",
                    source)
    if choices is not None and value.lower() not in choices:
        raise _fail(f"{section}.{key}", f"{value!r} is not allowed",
                    f"allowed: {', '.join(choices)}", source)
    return value.lower() if choices is not None else value


def _get_number(d: Mapping[str, Any], section: str, key: str, default: Any, source: str | None,
                *, lo: float | None = None, hi: float | None = None, integer: bool = False,
                allow_none: bool = False) -> Any:
    value = d.get(key, default)
    if value is None and allow_none:
        return None
    ok_type = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_type):
        kind = "an integer" if integer else "a number"
        raise _fail(f"{section}.{key}", f"expected {kind}, got {value!r}",
                    f"give {kind}", source)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        rng = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
        raise _fail(f"{section}.{key}", f"{value!r} is out of range", f"allowed: {rng}", source)
    return int(value) if integer else float(value)


def _get_bool(d: Mapping[str, Any], section: str, key: str, default: bool,
              source: str | None) -> bool:
    value = d.get(key, default)
    if not isinstance(value, bool):
        raise _fail(f"{section}.{key}", f"expected true or false, got {value!r}",
                    "allowed: true, false", source)
    return value


def _get_list(d: Mapping[str, Any], section: str, key: str, default: Sequence[str],
              source: str | None) -> tuple[str, ...]:
    value = d.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{section}.{key}", f"expected a list of strings, got {value!r}",
                    'write e.g. ["a", "b"]', source)
    return tuple(value)


@dataclass(frozen=True)
class DEASpec:
    """A DEA model on the MFI data: model family, inputs, outputs, returns to scale and
    the family's own options.

    Attributes
    ----------
    inputs, outputs : tuple of str
        Columns of the MFI table (or the derived social-efficiency outputs).
    rts : {"crs", "vrs", "nirs", "ndrs"}, default "vrs"
    orientation : {"input", "output"}, default "input"
        Of the radial model (and of the "dea" MFI scheme and the cross-efficiency raters).
    model : {"radial", "sbm", "additive", "ddf"}, default "radial"
        :class:`dea.Radial` (score theta or 1/phi, 1 = efficient), :class:`dea.SBM`
        (Tone's rho, 1 = efficient; super-SBM delta >= 1 with ``super``),
        :class:`dea.Additive` (weighted slack sum, 0 = efficient, higher = worse) or
        :class:`dea.DDF` (inefficiency beta, 0 = efficient, higher = worse).
    sbm_orientation : {"non", "input", "output"}, default "non"
        SBM only.
    super : bool, default False
        SBM only: super-SBM (Tone 2002) for the SBM-efficient units.
    direction : {"observed", "inputs", "outputs", "unit"}, default "observed"
        DDF only (see :class:`dea.DDF`).
    slack_weights : {"ones", "ram", "mip", "normalized"}, default "ones"
        Additive only (see :class:`dea.Additive`).
    cross_efficiency : bool, default False
        Add the mean cross-efficiency and the maverick index (:class:`dea.CrossEfficiency`,
        simple secondary goal, the study's ``rts`` and ``orientation``) to the DEA table.

    Notes
    -----
    The input-oriented VRS radial model for unit :math:`o` solves
    :math:`\\min \\theta` s.t. :math:`\\sum_j \\lambda_j x_{ij} \\le \\theta x_{io}`,
    :math:`\\sum_j \\lambda_j y_{rj} \\ge y_{ro}`, :math:`\\sum_j \\lambda_j = 1`,
    :math:`\\lambda \\ge 0` (Banker, Charnes & Cooper 1984); CRS drops the convexity row
    (Charnes, Cooper & Rhodes 1978).  ``rts`` defaults to
    :data:`socialperf.mfi.DEFAULT_RTS` (VRS, as MFIs differ greatly in size), as do the
    ``dea`` scheme and ``socialperf dea``.  The other families' LPs are in the Notes of
    :class:`dea.SBM` (Tone 2001, 2002), :class:`dea.Additive` (Charnes et al. 1985) and
    :class:`dea.DDF` (Chambers, Chung & Färe 1996).  :meth:`build` is the one place a spec
    becomes a :mod:`dea` model (the study and ``socialperf dea`` both use it).

    With ``bootstrap = N > 0`` the scores also get the smoothed homogeneous bootstrap of
    Simar & Wilson (1998) with ``N`` replications (:func:`dea.bootstrap`): bias-corrected
    scores, bias, standard errors and ``1 - alpha`` confidence intervals, seeded from the
    study's ``[sensitivity] seed``.

    References
    ----------
    Simar, L., & Wilson, P. W. (1998). Sensitivity analysis of efficiency scores: how to
    bootstrap in nonparametric frontier models. *Management Science*, 44(1), 49-61.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    rts: str = DEFAULT_RTS
    orientation: str = "input"
    bootstrap: int = 0
    alpha: float = 0.05
    model: str = "radial"
    sbm_orientation: str = "non"
    super: bool = False
    direction: str = "observed"
    slack_weights: str = "ones"
    cross_efficiency: bool = False

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str | None = None) -> DEASpec:
        """Build from the ``[dea]`` table; raises :class:`StudyConfigError` naming the key."""
        _check_keys("dea", d, ("inputs", "outputs", "rts", "orientation", "model",
                               *_DEA_MODEL_KEYS, "cross_efficiency", "bootstrap", "alpha"),
                    source)
        inputs = _get_list(d, "dea", "inputs", (), source)
        outputs = _get_list(d, "dea", "outputs", (), source)
        if not inputs:
            raise _fail("dea.inputs", "no inputs given", "give at least one column", source)
        if not outputs:
            raise _fail("dea.outputs", "no outputs given", "give at least one column", source)
        both = set(inputs) & set(outputs)
        if both:
            raise _fail("dea.outputs", f"{format_labels(sorted(both))} also an input",
                        "a column is an input or an output, not both", source)
        model = _get_str(d, "dea", "model", "radial", source, _DEA_MODELS)
        for key, owner in _DEA_MODEL_KEYS.items():
            if key in d and owner != model:
                raise _fail(f"dea.{key}", f"applies to model = \"{owner}\" only, not "
                            f"model = \"{model}\"", f"remove it or set dea.model = "
                            f"\"{owner}\"", source)
        spec = cls(
            inputs=inputs,
            outputs=outputs,
            rts=_get_str(d, "dea", "rts", DEFAULT_RTS, source, _RTS),
            orientation=_get_str(d, "dea", "orientation", "input", source, _ORIENTATIONS),
            model=model,
            sbm_orientation=_get_str(d, "dea", "sbm_orientation", "non", source,
                                     _SBM_ORIENTATIONS),
            super=_get_bool(d, "dea", "super", False, source),
            direction=_get_str(d, "dea", "direction", "observed", source, _DDF_DIRECTIONS),
            slack_weights=_get_str(d, "dea", "slack_weights", "ones", source,
                                   _SLACK_WEIGHTS),
            cross_efficiency=_get_bool(d, "dea", "cross_efficiency", False, source),
            bootstrap=_get_number(d, "dea", "bootstrap", cls.bootstrap, source, lo=0,
                                  integer=True),
            alpha=_get_alpha(d, source),
        )
        if spec.bootstrap and spec.model != "radial":
            raise _fail("dea.bootstrap", f"the bootstrap is defined for the radial model, not "
                        f"model = {spec.model!r}", "set bootstrap = 0, or model = \"radial\"",
                        source)
        return spec

    def to_dict(self) -> dict[str, Any]:
        """The ``[dea]`` table (the model's own options only where they apply)."""
        out: dict[str, Any] = {"inputs": list(self.inputs), "outputs": list(self.outputs),
                               "rts": self.rts, "orientation": self.orientation}
        if self.model != "radial":
            out["model"] = self.model
        for key, owner in _DEA_MODEL_KEYS.items():
            if owner == self.model:
                out[key] = getattr(self, key)
        if self.cross_efficiency:
            out["cross_efficiency"] = True
        out["bootstrap"] = self.bootstrap
        out["alpha"] = self.alpha
        return out

    @property
    def inefficiency(self) -> bool:
        """True when the model's score is an inefficiency (0 = efficient, higher = worse)."""
        return self.model in ("additive", "ddf")

    def describe(self) -> str:
        """One sentence: the model and what its score means."""
        rts = self.rts.upper()
        if self.model == "sbm":
            what = (f"slack-based measure (Tone 2001), {rts}, "
                    f"{self.sbm_orientation}-oriented; score rho in (0, 1], 1 = efficient "
                    "(every slack counts, so rho <= the radial score)")
            if self.super:
                what += "; super-SBM (Tone 2002) for the efficient units: delta >= 1"
            return what
        if self.model == "additive":
            return (f"additive model (Charnes et al. 1985), {rts}, slack weights "
                    f"\"{self.slack_weights}\"; score = the weighted sum of slacks, "
                    "0 = efficient, higher = worse")
        if self.model == "ddf":
            return (f"directional distance function (Chambers, Chung & Färe 1996), {rts}, "
                    f"direction \"{self.direction}\"; score = the inefficiency beta, 0 = "
                    "efficient, higher = worse")
        return (f"radial DEA, {rts}, {self.orientation}-oriented; score in (0, 1], "
                "1 = efficient")

    def build(self, frame: pd.DataFrame, *, n_jobs: int = 1, solver: str = "highs") -> Any:
        """The :mod:`dea` model of this spec on ``frame`` (one row per unit).

        Returns
        -------
        dea.Radial, dea.SBM, dea.Additive or dea.DDF
            Not yet fitted.
        """
        import dea

        common = {"inputs": list(self.inputs), "outputs": list(self.outputs),
                  "rts": self.rts, "solver": solver, "n_jobs": n_jobs}
        if self.model == "sbm":
            return dea.SBM(frame, orientation=self.sbm_orientation,
                           super_efficiency=self.super, **common)
        if self.model == "additive":
            return dea.Additive(frame, weights=self.slack_weights, **common)
        if self.model == "ddf":
            return dea.DDF(frame, direction=self.direction, **common)
        return dea.Radial(frame, orientation=self.orientation, **common)

    def build_cross(self, frame: pd.DataFrame, *, n_jobs: int = 1,
                    solver: str = "highs") -> Any:
        """The :class:`dea.CrossEfficiency` model of ``cross_efficiency = true``."""
        import dea

        return dea.CrossEfficiency(frame, inputs=list(self.inputs), outputs=list(self.outputs),
                                   rts=self.rts, orientation=self.orientation, solver=solver,
                                   n_jobs=n_jobs)


def _get_alpha(d: Mapping[str, Any], source: str | None) -> float:
    alpha = _get_number(d, "dea", "alpha", DEASpec.alpha, source, lo=0.0, hi=1.0)
    if not 0.0 < alpha < 1.0:
        raise _fail("dea.alpha", f"{alpha!r} is out of range",
                    "allowed: strictly between 0 and 1 (0.05 gives 95% intervals)", source)
    return alpha


@dataclass(frozen=True)
class MIVOptions:
    """How MIV scores are built from the MFI scores (see :func:`socialperf.score_mivs`)."""

    enabled: bool = True
    scheme: str | None = None
    w: float = 0.5
    method: str = "exposure"
    coverage_threshold: float = 0.7
    uncovered: str = "renormalise"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str | None = None) -> MIVOptions:
        """Build from the ``[miv]`` table; raises :class:`StudyConfigError` naming the key."""
        _check_keys("miv", d, [f.name for f in dataclasses.fields(cls)], source)
        return cls(
            enabled=_get_bool(d, "miv", "enabled", True, source),
            scheme=_get_str(d, "miv", "scheme", None, source),
            w=_get_number(d, "miv", "w", 0.5, source, lo=0.0, hi=1.0),
            method=_get_str(d, "miv", "method", "exposure", source, _MIV_METHODS),
            coverage_threshold=_get_number(d, "miv", "coverage_threshold", 0.7, source,
                                           lo=0.0, hi=1.0),
            uncovered=_get_str(d, "miv", "uncovered", "renormalise", source, _UNCOVERED),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``[miv]`` table (``scheme`` omitted when not set)."""
        out = dataclasses.asdict(self)
        if out["scheme"] is None:
            del out["scheme"]
        return out


def _get_sobol(d: Mapping[str, Any], source: str | None, section: str = "sensitivity") -> int:
    n = _get_number(d, section, "sobol", 64, source, lo=0, integer=True)
    if n & (n - 1):
        raise _fail(f"{section}.sobol", f"{n} is not a power of two",
                    "Saltelli's scheme needs N = 0 (no Sobol' indices), 32, 64, 128, ...", source)
    return n


def _get_choices(d: Mapping[str, Any], section: str, key: str, default: Sequence[str],
                 allowed: Sequence[str], source: str | None) -> tuple[str, ...]:
    """A non-empty list of distinct choices, each one of ``allowed``."""
    values = tuple(dict.fromkeys(v.lower() for v in _get_list(d, section, key, default, source)))
    bad = [v for v in values if v not in allowed]
    if bad or not values:
        raise _fail(f"{section}.{key}", f"{format_labels(bad)} not allowed" if bad
                    else "empty list", f"choose from {', '.join(allowed)}", source)
    return values


def _get_range(d: Mapping[str, Any], section: str, key: str, default: tuple[float, float],
               source: str | None) -> tuple[float, float]:
    """A ``[low, high]`` pair in [0, 1] (a single number fixes the value)."""
    value = d.get(key, list(default))
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = [value, value]
    ok = (isinstance(value, list | tuple) and len(value) == 2
          and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value))
    if not ok or not 0.0 <= value[0] <= value[1] <= 1.0:
        raise _fail(f"{section}.{key}", f"{value!r} is not a range in [0, 1]",
                    "write [low, high] with 0 <= low <= high <= 1, or one number to fix it",
                    source)
    return float(value[0]), float(value[1])


_MISSING_POLICIES = ("renormalise", "zero")
_AGGREGATIONS = ("arithmetic", "geometric")


@dataclass(frozen=True)
class MIVSensitivitySpec:
    """Settings of the MIV-level uncertainty and Sobol' analysis (``[sensitivity.miv]``).

    Attributes
    ----------
    enabled : bool, default True
        Run it (when the study has holdings and sensitivity is enabled).
    w : (float, float), default (0.3, 0.7)
        Range of the block weight :math:`w` of :math:`I_h = w P_h + (1 - w) B_h` (uniform).
    methods : tuple of str
        Portfolio aggregation methods drawn from (``exposure``, ``equal``, ``top_quartile``).
    uncovered : tuple of str
        Uncovered-exposure rules drawn from (``renormalise``, ``zero``, ``exclude``).
    schemes : tuple of str or None
        MFI schemes that may feed the portfolio block (default: every scheme the study runs).
    mfi_weights : bool, default True
        Perturb the MFI indicator weights too (Dirichlet around the feeding scheme's
        weights, the same relative change applied to every weighted scheme).
    top_k : int, default 3
        ``k`` of the probability of a top-k place.
    runs, sobol : int or None
        Monte Carlo runs and Saltelli base sample; default those of ``[sensitivity]``.
    """

    enabled: bool = True
    w: tuple[float, float] = (0.3, 0.7)
    methods: tuple[str, ...] = _MIV_METHODS
    uncovered: tuple[str, ...] = _UNCOVERED
    schemes: tuple[str, ...] | None = None
    mfi_weights: bool = True
    top_k: int = 3
    runs: int | None = None
    sobol: int | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str | None = None) -> MIVSensitivitySpec:
        """Build from the ``[sensitivity.miv]`` table; raises :class:`StudyConfigError`."""
        sec = "sensitivity.miv"
        _check_keys(sec, d, [f.name for f in dataclasses.fields(cls)], source)
        schemes = _get_list(d, sec, "schemes", (), source) if "schemes" in d else None
        if schemes is not None and not schemes:
            raise _fail(f"{sec}.schemes", "empty list", "omit it to use every study scheme",
                        source)
        return cls(
            enabled=_get_bool(d, sec, "enabled", True, source),
            w=_get_range(d, sec, "w", (0.3, 0.7), source),
            methods=_get_choices(d, sec, "methods", _MIV_METHODS, _MIV_METHODS, source),
            uncovered=_get_choices(d, sec, "uncovered", _UNCOVERED, _UNCOVERED, source),
            schemes=schemes,
            mfi_weights=_get_bool(d, sec, "mfi_weights", True, source),
            top_k=_get_number(d, sec, "top_k", 3, source, lo=1, integer=True),
            runs=_get_number(d, sec, "runs", None, source, lo=2, integer=True, allow_none=True),
            sobol=_get_sobol(d, source, sec) if "sobol" in d else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``[sensitivity.miv]`` table (unset options omitted)."""
        out = {k: list(v) if isinstance(v, tuple) else v
               for k, v in dataclasses.asdict(self).items()}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class SensitivitySpec:
    """Uncertainty and Sobol' analysis settings (``[sensitivity]``).

    ``runs`` Monte Carlo draws of the uncertain assumptions of MFI ``scheme``; ``sobol`` is
    Saltelli's base sample size N (0 = no Sobol' indices; the model is evaluated N(k + 2)
    times for k factors); ``seed`` fixes the random draws.  A weighted scheme varies its
    weights, normalisation (rating: class method), indicator set, ``missing`` (the
    missing-data policies compared) and ``aggregation`` (the MFI-level aggregators
    compared: ``arithmetic`` and/or ``geometric``; the geometric mean is scored on a
    ratio-to-best normalisation, see the Notes of :func:`run_sensitivity`, and is refused
    for the rating scheme, whose class points are ordinal); ``bod`` varies its normalisation;
    ``dea`` its returns to scale among ``rts``.  ``miv`` holds the MIV-level analysis.
    """

    enabled: bool = False
    scheme: str | None = None
    runs: int = 200
    sobol: int = 64
    seed: int = 12345
    rts: tuple[str, ...] = ("crs", "vrs")
    missing: tuple[str, ...] = _MISSING_POLICIES
    aggregation: tuple[str, ...] = ("arithmetic",)
    miv: MIVSensitivitySpec = field(default_factory=MIVSensitivitySpec)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str | None = None) -> SensitivitySpec:
        """Build from the ``[sensitivity]`` table; raises :class:`StudyConfigError`."""
        sec = "sensitivity"
        _check_keys(sec, d, [f.name for f in dataclasses.fields(cls)], source)
        miv = d.get("miv", {})
        if not isinstance(miv, Mapping):
            raise _fail("sensitivity.miv", "expected a table",
                        "write [sensitivity.miv] with keys under it", source)
        return cls(
            enabled=_get_bool(d, sec, "enabled", False, source),
            scheme=_get_str(d, sec, "scheme", None, source, SENSITIVITY_SCHEMES),
            runs=_get_number(d, sec, "runs", 200, source, lo=2, integer=True),
            sobol=_get_sobol(d, source),
            seed=_get_number(d, sec, "seed", 12345, source, lo=0, integer=True),
            rts=_get_choices(d, sec, "rts", ("crs", "vrs"), _RTS, source),
            missing=_get_choices(d, sec, "missing", _MISSING_POLICIES, _MISSING_POLICIES,
                                 source),
            aggregation=_get_choices(d, sec, "aggregation", ("arithmetic",), _AGGREGATIONS,
                                     source),
            miv=MIVSensitivitySpec.from_dict(miv, source),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``[sensitivity]`` table (``miv`` as the nested ``[sensitivity.miv]``)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in
                               ("enabled", "scheme", "runs", "sobol", "seed")}
        if out["scheme"] is None:
            del out["scheme"]
        out["rts"] = list(self.rts)
        out["missing"] = list(self.missing)
        out["aggregation"] = list(self.aggregation)
        out["miv"] = self.miv.to_dict()
        return out


@dataclass(frozen=True)
class Study:
    """A whole study: data, year, reference universe, MFI schemes, MIV, DEA, sensitivity.

    Build it with :meth:`from_toml`, :meth:`from_dict` or :meth:`demo`; it is immutable
    (:meth:`replace` returns a changed copy).  Paths are absolute once built (relative
    paths in a TOML file are taken relative to that file).

    Attributes
    ----------
    name : str
    year : int or None
        Fiscal year scored; None lets :func:`socialperf.score_mfis` choose.
    reference : str or None
        Reference universe for normalisation and rating cut-offs: "bundled" (the MIX panel
        shipped with socialperf; also when None), "self" (the scored table) or the path of
        a MIX-style table.
    example : bool
        Use the bundled example data for every data item without a path.
    data : dict of str to pathlib.Path
        Data files by item (``mfis``, ``holdings``, ...).
    screening : socialperf.ScreeningRules or None
        Screening of the MFI file (``data.mfis``) and of a reference-universe file before
        validation (:func:`socialperf.read_mix_panel`); None turns it off (``[data]
        screening = false``).  The bundled data are already screened.
    schemes : tuple of str
        Built-in MFI schemes to run, in report order.
    scheme_files : tuple of pathlib.Path
        User-defined schemes (:meth:`weighting.Scheme.from_toml` files) run after the
        built-in ones, each under its ``name``.
    miv : MIVOptions
    dea : DEASpec or None
    sensitivity : SensitivitySpec
    units : dict of str to str
        Units of measurement by column, for figure labels.
    scheduler : str or None
        ``[run] scheduler``: where :func:`run_study` and :func:`run_sensitivity` run the
        DEA fits, Monte Carlo and Sobol' runs (:func:`dea._parallel.scheduler`):
        ``"local:N"`` or a Dask scheduler's address; None runs them in this process (or
        with ``n_jobs``).  Results do not depend on it.
    source : str or None
        Name of the study file, for messages.
    path : pathlib.Path or None
        The study file, resolved (set by :meth:`from_toml`; not part of equality).
    """

    name: str = "socialperf study"
    year: int | None = None
    reference: str | None = None
    example: bool = False
    data: Mapping[str, Path] = field(default_factory=dict)
    screening: ScreeningRules | None = field(default_factory=ScreeningRules)
    schemes: tuple[str, ...] = ("rating", "equal", "pca")
    scheme_files: tuple[Path, ...] = ()
    miv: MIVOptions = field(default_factory=MIVOptions)
    dea: DEASpec | None = None
    sensitivity: SensitivitySpec = field(default_factory=SensitivitySpec)
    units: Mapping[str, str] = field(default_factory=dict)
    scheduler: str | None = None
    source: str | None = None
    path: Path | None = None

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_dict(
        cls, config: Mapping[str, Any], *, base_dir: str | Path | None = None,
        source: str | None = None,
    ) -> Study:
        """Build a study from a nested dict (the parsed TOML).

        Parameters
        ----------
        config : mapping
            Tables ``study``, ``data``, ``mfi``, ``miv``, ``dea``, ``sensitivity``, ``units``,
            ``run`` (see the module docstring); all optional except some data source.
        base_dir : str or pathlib.Path, optional
            Relative data paths are resolved against it (default: the current directory).
        source : str, optional
            Name of the file the config came from, used in error messages.

        Returns
        -------
        Study

        Raises
        ------
        StudyConfigError
            Unknown key, wrong type or value out of range; the message names ``section.key``
            and what is allowed.  Also when no MFI data is given and ``example`` is false.
        """
        if not isinstance(config, Mapping):
            raise StudyConfigError(f"study configuration must be a table, got {config!r}")
        sections = ("study", "data", "mfi", "miv", "dea", "sensitivity", "units", "run")
        _check_keys("", config, sections, source)
        for sec in sections:
            if sec in config and not isinstance(config[sec], Mapping):
                raise _fail(sec, "expected a table", f"write [{sec}] with keys under it", source)
        st = config.get("study", {})
        _check_keys("study", st, ("name", "year", "reference"), source)
        name = _get_str(st, "study", "name", "socialperf study", source)
        year = _get_number(st, "study", "year", None, source, lo=1900, hi=2100, integer=True,
                           allow_none=True)
        reference = _get_str(st, "study", "reference", None, source)

        dd = config.get("data", {})
        _check_keys("data", dd, ("example", "screening", *_DATA_KEYS), source)
        example = _get_bool(dd, "data", "example", False, source)
        screening = _get_screening(dd.get("screening", True), source)
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        if reference is not None and reference not in ("bundled", "self"):
            ref_path = Path(reference).expanduser()
            reference = str((ref_path if ref_path.is_absolute() else base / ref_path).resolve())
        data: dict[str, Path] = {}
        for key in _DATA_KEYS:
            value = _get_str(dd, "data", key, None, source)
            if value is not None:
                data[key] = _resolve(value, base)
        if not example and "mfis" not in data:
            raise _fail("data.mfis", "no MFI data given",
                        "give a path, or set data.example = true for the bundled data", source)

        mfi = config.get("mfi", {})
        _check_keys("mfi", mfi, ("schemes", "scheme_files"), source)
        default = () if mfi.get("scheme_files") else ("rating", "equal", "pca")
        schemes = _get_list(mfi, "mfi", "schemes", default, source)
        bad = [s for s in schemes if s.lower() not in MFI_SCHEMES]
        if bad:
            raise _fail("mfi.schemes", f"unknown scheme(s) {format_labels(bad)}",
                        f"allowed: {', '.join(MFI_SCHEMES)}, or a file in mfi.scheme_files",
                        source)
        schemes = tuple(dict.fromkeys(s.lower() for s in schemes))
        scheme_files = tuple(
            _resolve(p, base) for p in _get_list(mfi, "mfi", "scheme_files", (), source)
        )
        custom = [_custom_scheme_name(p, schemes, source) for p in scheme_files]
        if len(set(custom)) < len(custom):
            raise _fail("mfi.scheme_files", f"two files define the same scheme name "
                        f"({format_labels(sorted(custom))})", "give each scheme its own name",
                        source)
        if not schemes and not scheme_files:
            raise _fail("mfi.schemes", "empty list", f"choose from {', '.join(MFI_SCHEMES)}",
                        source)

        dea_spec = DEASpec.from_dict(config["dea"], source) if "dea" in config else None
        if "dea" in schemes and dea_spec is None:
            raise _fail("dea", "scheme 'dea' is listed in mfi.schemes but there is no [dea] "
                        "table", "add [dea] with inputs and outputs", source)
        miv = MIVOptions.from_dict(config.get("miv", {}), source)
        if miv.scheme is not None and miv.scheme not in (*schemes, *custom):
            raise _fail("miv.scheme", f"{miv.scheme!r} is not among the study's schemes",
                        f"allowed: {', '.join((*schemes, *custom))}", source)
        sens = SensitivitySpec.from_dict(config.get("sensitivity", {}), source)
        bad = [k for k in sens.miv.schemes or () if k not in (*schemes, *custom)]
        if bad:
            raise _fail("sensitivity.miv.schemes", f"{format_labels(bad)} not among the "
                        "study's schemes", f"allowed: {', '.join((*schemes, *custom))}", source)
        units = config.get("units", {})
        bad_units = [k for k, v in units.items() if not isinstance(v, str)]
        if bad_units:
            raise _fail(f"units.{bad_units[0]}", "expected a string", 'write e.g. staff = "FTE"',
                        source)
        run = config.get("run", {})
        _check_keys("run", run, ("scheduler",), source)
        return cls(name=name, year=year, reference=reference, example=example, data=data,
                   screening=screening, schemes=schemes, scheme_files=scheme_files, miv=miv,
                   dea=dea_spec, sensitivity=sens,
                   units=dict(units), scheduler=_get_scheduler(run, source), source=source)

    @classmethod
    def from_toml(cls, path: str | Path) -> Study:
        """Read a study file; relative data paths are taken relative to the file.

        Raises
        ------
        FileNotFoundError
            If the file does not exist.
        StudyConfigError
            If it is not valid TOML, or a key is unknown or a value invalid (the message
            names the key).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(2, "No such file", str(path))
        check_input_file(path)
        tomllib = _tomllib()
        with path.open("rb") as fh:
            try:
                config = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise StudyConfigError(f"{path.name}: invalid TOML: {exc}") from exc
        study = cls.from_dict(config, base_dir=path.resolve().parent, source=path.name)
        return dataclasses.replace(study, path=path.resolve())

    @classmethod
    def demo(cls) -> Study:
        """The demo study on the bundled example data (``socialperf/data/study_example.toml``)."""
        return cls.from_toml(Path(__file__).resolve().parent / "data" / "study_example.toml")

    def replace(self, **changes: Any) -> Study:
        """A copy with some fields changed.

        ``miv``, ``dea`` and ``sensitivity`` accept a dict of the keys to change, e.g.
        ``study.replace(sensitivity={"runs": 50})``; they are re-validated.
        """
        for name, spec_cls in (("miv", MIVOptions), ("dea", DEASpec),
                               ("sensitivity", SensitivitySpec)):
            value = changes.get(name)
            if isinstance(value, Mapping):
                current = getattr(self, name)
                merged = {**(current.to_dict() if current is not None else {}), **value}
                if name == "dea" and "model" in value:
                    merged = {k: v for k, v in merged.items()
                              if _DEA_MODEL_KEYS.get(k, value["model"]) == value["model"]
                              or k in value}
                if name == "sensitivity" and isinstance(value.get("miv"), Mapping):
                    merged["miv"] = {**current.miv.to_dict(), **value["miv"]}
                changes[name] = spec_cls.from_dict(merged, None)
        if "schemes" in changes:
            changes["schemes"] = tuple(changes["schemes"])
        if "scheme_files" in changes:
            changes["scheme_files"] = tuple(Path(p).resolve() for p in changes["scheme_files"])
        if "scheduler" in changes:
            changes["scheduler"] = _get_scheduler({"scheduler": changes["scheduler"]}, None)
        return dataclasses.replace(self, **changes)

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self, *, relative_to: str | Path | None = None) -> dict[str, Any]:
        """The configuration as nested dicts (the inverse of :meth:`from_dict`).

        Parameters
        ----------
        relative_to : str or pathlib.Path, optional
            Write data paths relative to this folder when possible.
        """
        study: dict[str, Any] = {"name": self.name}
        if self.year is not None:
            study["year"] = self.year
        if self.reference in ("bundled", "self"):
            study["reference"] = self.reference
        elif self.reference is not None:
            study["reference"] = _relative(Path(self.reference), relative_to)
        data: dict[str, Any] = {"example": self.example}
        for key, path in self.data.items():
            data[key] = _relative(path, relative_to)
        data["screening"] = self.screening.to_dict() if self.screening is not None else False
        out: dict[str, Any] = {
            "study": study,
            "data": data,
            "mfi": {"schemes": list(self.schemes),
                    **({"scheme_files": [_relative(p, relative_to) for p in self.scheme_files]}
                       if self.scheme_files else {})},
            "miv": self.miv.to_dict(),
        }
        if self.dea is not None:
            out["dea"] = self.dea.to_dict()
        out["sensitivity"] = self.sensitivity.to_dict()
        if self.units:
            out["units"] = dict(self.units)
        if self.scheduler is not None:
            out["run"] = {"scheduler": self.scheduler}
        return out

    def to_toml(self, path: str | Path | None = None) -> str:
        """The configuration as TOML text; written to ``path`` when given.

        Data paths are written relative to ``path``'s folder when possible, so
        ``Study.from_toml(p)`` after ``study.to_toml(p)`` gives an equal study.
        """
        folder = Path(path).resolve().parent if path is not None else None
        return tomlfile.write(self.to_dict(relative_to=folder), path, what="study key")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Study):
            return NotImplemented
        mine = self.to_dict()
        theirs = other.to_dict()
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]

    def input_files(self) -> pd.DataFrame:
        """The files the study reads, as resolved, with their size and SHA-256 digest.

        Relative paths in a study file are resolved against the study file's folder when
        it is read (:meth:`from_toml`), so the table does not depend on the working
        directory. The report records it (table ``study_files``).

        Returns
        -------
        pandas.DataFrame
            Indexed by setting (``study``, ``study.reference``, ``data.<item>``,
            ``mfi.scheme_files[i]``), with columns ``path``, ``bytes`` and ``sha256``
            (missing for a file that does not exist).
        """
        from socialperf.safety import sha256_file

        rows: list[tuple[str, Path]] = []
        if self.path is not None:
            rows.append(("study", Path(self.path)))
        if self.reference not in (None, "bundled", "self"):
            rows.append(("study.reference", Path(str(self.reference))))
        rows += [(f"data.{key}", Path(p)) for key, p in self.data.items()]
        rows += [(f"mfi.scheme_files[{i}]", Path(p)) for i, p in enumerate(self.scheme_files)]
        table = pd.DataFrame(
            [{"path": str(p), "bytes": p.stat().st_size if p.is_file() else None,
              "sha256": sha256_file(p) if p.is_file() else None} for _, p in rows],
            index=pd.Index([k for k, _ in rows], name="setting"),
            columns=["path", "bytes", "sha256"],
        )
        table["bytes"] = table["bytes"].astype("Int64")
        return table

    def mfi_schemes_for_miv(self) -> str:
        """The MFI scheme whose scores feed the MIV look-through score."""
        if self.miv.scheme is not None:
            return self.miv.scheme
        if "equal" in self.schemes:
            return "equal"
        if self.schemes:
            return self.schemes[0]
        return _custom_scheme_name(self.scheme_files[0], (), self.source)

    def load_schemes(self) -> dict[str, Any]:
        """The user-defined schemes of ``scheme_files``, by name (``weighting.Scheme``)."""
        from weighting.scheme import Scheme

        out: dict[str, Any] = {}
        for path in self.scheme_files:
            scheme = Scheme.from_toml(path)
            out[str(scheme.name)] = scheme
        return out


def _get_screening(value: Any, source: str | None) -> ScreeningRules | None:
    """``[data] screening``: true (default rules), false (off) or a table of rule settings."""
    if isinstance(value, bool):
        return ScreeningRules() if value else None
    if not isinstance(value, Mapping):
        raise _fail("data.screening", f"expected true, false or a table, got {value!r}",
                    "write screening = false, or a [data.screening] table of rule settings",
                    source)
    try:
        return ScreeningRules.from_dict(value, origin="data.screening")
    except InputDataError as exc:
        where = f" in {source}" if source else ""
        raise StudyConfigError(f"study key {exc}{where}") from exc


def _resolve(value: str | Path, base: Path) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _custom_scheme_name(path: Path, builtin: Sequence[str], source: str | None) -> str:
    """Read a scheme file (``weighting.Scheme.from_toml``) and return its checked name."""
    from weighting.scheme import Scheme

    if not path.is_file():
        raise _fail("mfi.scheme_files", f"no such file {str(path)!r}",
                    "give the path of a scheme TOML file, relative to the study file", source)
    try:
        check_input_file(path)
        scheme = Scheme.from_toml(path)
    except InputDataError as exc:
        raise _fail("mfi.scheme_files", f"{path.name}: {exc}",
                    "see weighting.Scheme.from_toml for the format", source) from exc
    name = str(scheme.name)
    if name in MFI_SCHEMES or name in builtin:
        raise _fail("mfi.scheme_files", f"{path.name} names its scheme {name!r}, a built-in "
                    "scheme name", "set another name = ... in the scheme file", source)
    return name


def _tomllib() -> Any:
    """The TOML reader: ``tomllib`` (Python >= 3.11) or its backport ``tomli``."""
    return tomlfile.tomllib


def _relative(path: Path, folder: str | Path | None) -> str:
    if folder is None:
        return str(path)
    try:
        return Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------- progress


class _Progress:
    """A minimal progress bar on stderr (enabled only on request)."""

    def __init__(self, total: int, *, enabled: bool, label: str = "socialperf",
                 stream: Any = None) -> None:
        self.total = max(int(total), 1)
        self.enabled = enabled
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self._start = time.monotonic()

    def step(self, what: str = "", n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if not self.enabled:
            return
        width = 28
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "-" * (width - filled)
        elapsed = time.monotonic() - self._start
        self.stream.write(
            f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s {what[:30]:<30}"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


# ----------------------------------------------------------------------------- data


@dataclass
class StudyData:
    """The tables a study runs on (read once)."""

    mfis: pd.DataFrame
    holdings: pd.DataFrame | None = None
    miv_indicators: pd.DataFrame | None = None
    catalogue: Any = None
    expert_weights: Any = None
    ahp_matrix: Any = None
    budget_allocations: Any = None
    provenance: str = ""
    screening: Screening | None = None


def load_study_data(study: Study) -> StudyData:
    """Read every data item of ``study`` (bundled example data where configured).

    Raises
    ------
    FileNotFoundError
        A configured file is missing.
    InputDataError
        A file is malformed (raised by :mod:`socialperf.io`).
    """
    import socialperf.io as sio
    from socialperf.catalogue import load_catalogue
    from socialperf.report import EXAMPLE_MIV_NOTE, MIX_ATTRIBUTION

    for key, path in study.data.items():
        if not Path(path).is_file():
            raise FileNotFoundError(2, f"data.{key}: no such file", str(path))
    ex = None
    if study.example:
        from socialperf import example_data

        ex = example_data()
    paths = study.data

    def _given(key: str, reader: Callable[[Path], Any]) -> Any:
        if key in paths:
            try:
                return reader(paths[key])
            except InputDataError as exc:
                raise _with_context(exc, f"data.{key} ({paths[key].name}): ") from exc
        return getattr(ex, key, None) if ex is not None else None

    catalogue = _given("catalogue", load_catalogue)
    if catalogue is None:
        catalogue = load_catalogue()
    screening = None
    if "mfis" in paths and study.screening is not None:
        screening = _given("mfis", lambda p: read_mix_panel(p, study.screening))
        mfis = screening.panel
        logger.info("data.mfis (%s) %s", paths["mfis"].name, screening.summary())
    else:
        mfis = _given("mfis", sio.read_mfis)
    if "holdings" in paths:
        fx = paths.get("fx_rates")
        holdings = _given("holdings", lambda p: sio.read_holdings(p, mfis=mfis, fx_rates=fx))
    else:
        holdings = ex.holdings if ex is not None else None
    miv_ind = _given("miv_indicators",
                     lambda p: sio.read_miv_indicators(p, catalogue=catalogue))
    parts = []
    if "mfis" in paths:
        parts.append(f"MFI data: {paths['mfis'].name} (supplied by the user).")
        absent = _absent_columns_note(study, mfis, catalogue, paths["mfis"].name)
        if absent:
            warnings.warn(absent, MissingColumnWarning, stacklevel=2)
            parts.append(absent)
    if "mfis" not in paths or study.reference in (None, "bundled"):
        parts.append(("Reference universe: " if "mfis" in paths else "") + MIX_ATTRIBUTION)
    example_items = [k for k in ("holdings", "miv_indicators", "expert_weights", "ahp_matrix",
                                 "budget_allocations") if k not in paths]
    if ex is not None and example_items:
        parts.append(EXAMPLE_MIV_NOTE)
    provenance = " ".join(parts)
    return StudyData(
        mfis=mfis,
        holdings=holdings,
        miv_indicators=miv_ind,
        catalogue=catalogue,
        expert_weights=_given("expert_weights", _read_weights),
        ahp_matrix=_given("ahp_matrix", _read_matrix),
        budget_allocations=_given("budget_allocations", _read_matrix),
        provenance=provenance,
        screening=screening,
    )


def _absent_columns_note(study: Study, mfis: pd.DataFrame, catalogue: Any, file: str) -> str:
    """A sentence naming the catalogue columns absent from the whole MFI file, or "".

    Only MIX-standard columns count (catalogue rows with ``in_bundled_data``): those the
    toolkit expects in a MIX-style file; the sentence says which schemes lose each one.
    Schemes that name their indicators (expert and AHP weights, scheme files, the DEA
    model) fail instead, naming the column.
    """
    lost: dict[str, list[str]] = {}
    for spec in catalogue:
        if spec.level != "MFI" or not spec.in_bundled_data:
            continue
        cols = [c for c in spec.source_columns if c not in mfis.columns]
        if cols:
            lost[spec.name] = cols
    if not lost:
        return ""
    # these take whatever catalogue indicators the table has; the others name theirs
    # (weights, a scheme file, the DEA model) and stop with an error naming the column
    users = [s for s in study.schemes if s in ("rating", "equal", "pca", "bod")]
    lose = (f"schemes {format_labels(users)} score without it" if users
            else "no scheme of the study scores without it")
    pieces = [f"column {format_labels(cols)} (indicator {name!r}): {lose}"
              for name, cols in lost.items()]
    return (
        f"{file} has no {'; no '.join(pieces)}. A column absent from the whole file is left "
        "out, not treated as missing values; add it to the file to use the indicator."
    )


def _read_weights(path: Path) -> pd.Series:
    from socialperf.io import _read_csv

    frame = _read_csv(path)
    if frame.shape[1] != 2:
        raise InputDataError(
            f"{path.name}: expert weights need two columns (indicator, weight); found "
            f"{frame.shape[1]}"
        )
    frame = frame.set_index(frame.columns[0])
    return _numbers_in_csv(frame, lambda r, c: f"the weight of indicator {r!r}")[
        frame.columns[0]
    ]


def _read_matrix(path: Path) -> pd.DataFrame:
    from socialperf.io import _read_csv

    frame = _read_csv(path, index_col=0)
    return _numbers_in_csv(frame, lambda r, c: f"row {r!r}, column {c!r}")


def _numbers_in_csv(frame: pd.DataFrame, where: Callable[[Any, Any], str]) -> pd.DataFrame:
    """Parse the cells of a weights / matrix CSV as numbers, naming the first that is not one."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]) or not pd.api.types.is_numeric_dtype(out[col]):
            parsed = pd.to_numeric(out[col].astype("string").str.strip(), errors="coerce")
            bad = out.index[parsed.isna().to_numpy() & out[col].notna().to_numpy()]
            if len(bad):
                raise InputDataError(
                    f"{where(bad[0], col)} is {str(out.at[bad[0], col])!r}; a number is expected"
                )
            out[col] = parsed.astype(float)
    return out


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class StudyResult:
    """Everything a study run produced (see :func:`run_study`).

    Attributes
    ----------
    study : Study
    mfi_scores : pandas.DataFrame
        MFIs x schemes, higher = better, NaN where a scheme could not score an MFI.
    mfi_results : dict of str to MFIScores
        The full result of each scheme (details, exclusions).
    comparison : weighting.Comparison or None
        Rank agreement between the schemes (None with fewer than two schemes).
    dea : dea.DEAResult or None
        The study's DEA model on the MFI data of the study year.
    dea_data : pandas.DataFrame or None
        The inputs and outputs the DEA model was fitted on.
    dea_excluded : pandas.Series
        MFI -> reason, for MFIs left out of the DEA model (missing or non-positive data).
    miv : MIVScores or None
    sensitivity : SensitivityOutcome or None
    data : StudyData
    provenance : str
        Data attribution line.
    timings : dict of str to float
        Seconds per step.
    skipped : tuple of str
        Requested steps that could not run, each with the reason and the study key (also
        logged as warnings, printed by the command and shown in the report).
    dea_bootstrap : dea.BootstrapResult or None
        The Simar-Wilson bootstrap of the DEA model (``[dea] bootstrap > 0``).
    dea_cross : dea.CrossEfficiencyResult or None
        Cross-efficiency of the DEA units (``[dea] cross_efficiency = true``).
    """

    study: Study
    mfi_scores: pd.DataFrame
    mfi_results: dict[str, Any]
    comparison: Any
    dea: Any
    dea_data: pd.DataFrame | None
    dea_excluded: pd.Series
    miv: Any
    sensitivity: SensitivityOutcome | None
    data: StudyData
    provenance: str
    timings: dict[str, float]
    skipped: tuple[str, ...] = ()
    dea_bootstrap: Any = None
    dea_cross: Any = None

    def excluded_table(self) -> pd.DataFrame:
        """Long table (scheme, MFI, reason) of the MFIs a scheme could not score."""
        rows = []
        for scheme, res in self.mfi_results.items():
            excl = getattr(res, "excluded", None)
            if isinstance(excl, pd.Series):
                rows += [(scheme, str(k), str(v)) for k, v in excl.items()]
            elif isinstance(excl, pd.DataFrame):
                for k, row in excl.iterrows():
                    rows.append((scheme, str(k), "; ".join(map(str, row.to_numpy()))))
        for k, v in self.dea_excluded.items():
            rows.append(("dea model", str(k), str(v)))
        return pd.DataFrame(rows, columns=["scheme", "mfi", "reason"])

    def comparison_tables(self) -> dict[str, pd.DataFrame]:
        """Pairwise agreement tables (pairs, Spearman, Kendall, mean rank shift, movers)."""
        comp = self.comparison
        if comp is None:
            return {}
        out: dict[str, pd.DataFrame] = {"pairs": comp.pairs()}
        out["spearman"] = comp.spearman
        out["kendall"] = comp.kendall
        out["mean_rank_shift"] = comp.rank_shift
        out["movers"] = comp.movers(min(15, len(comp.common)))
        return out

    def dea_table(self) -> pd.DataFrame:
        """Scores, status, slacks and peers of the DEA model, by MFI.

        With ``[dea] bootstrap > 0``, the bootstrap columns follow ``score``:
        ``scores_bc``, ``lower``, ``upper``, ``bias``, ``std_error`` and
        ``use_bias_correction`` (see :class:`dea.BootstrapResult`).
        """
        from socialperf.report import dea_table

        if self.dea is None:
            return pd.DataFrame()
        table = dea_table(self.dea, cross=self.dea_cross)
        boot = self.dea_bootstrap
        if boot is not None:  # bootstrap columns after the score (see DEASpec)
            cols = {c: getattr(boot, c).reindex(table.index) for c in
                    ("scores_bc", "lower", "upper", "bias", "std_error", "use_bias_correction")}
            at = table.columns.get_loc("score") + 1
            for k, (name, col) in enumerate(cols.items()):
                table.insert(at + k, name, col)
        return table

    def miv_profile(self) -> pd.DataFrame:
        """MIV x dimension table for the profile figure.

        The look-through portfolio score, then the mean points of the MIV's own indicators
        in each catalogue dimension (equal weights within a dimension), all in [0, 1].
        """
        if self.miv is None:
            return pd.DataFrame()
        out = pd.DataFrame({"portfolio (look-through)": self.miv.portfolio})
        points = getattr(self.miv, "block_points", None)
        if isinstance(points, pd.DataFrame) and not points.empty:
            dims = self.data.catalogue.dimensions(list(points.columns))
            by_dim = points.T.groupby(dims.reindex(points.columns).to_numpy()).mean().T
            out = out.join(by_dim)
        return out

    def describe(self) -> str:
        """One paragraph on what was run, on what."""
        st = self.study
        n = len(self.mfi_scores)
        year = f"fiscal year {study_year(st, self.data)}"
        if st.year is None:
            year += " (the holdings' year, or the latest year in the data)"
        parts = [
            f"{n} MFIs with data for {year}, scored under {len(self.mfi_scores.columns)} "
            f"scheme(s): {', '.join(self.mfi_scores.columns)}; "
            f"{int(self.mfi_scores.notna().any(axis=1).sum())} get a score under at least one."
        ]
        ref = st.reference or "bundled"
        ref_text = {"bundled": "the bundled MIX Market panel of African MFIs",
                    "self": "the scored MFIs themselves"}.get(ref, f"the table {Path(ref).name}")
        y = study_year(st, self.data)
        ref_rows = None
        if ref == "self":
            ref_rows = self.data.mfis
        elif ref == "bundled":
            from socialperf.mfi import load_reference

            ref_rows = load_reference()
        if ref_rows is not None and "year" in ref_rows:
            n_ref = int((pd.to_numeric(ref_rows["year"]) == y).sum())
            ref_text += f" ({n_ref} MFIs of fiscal year {y})"
        else:
            ref_text += f" (its rows of fiscal year {y})"
        parts.append(f"Normalisation and rating cut-offs are calibrated on {ref_text}: each "
                     "year is scored against the universe's rows of the same year "
                     "(study key 'study.reference').")
        scr = self.data.screening
        if scr is not None:
            n_changed = int((scr.exclusions["action"] == "set missing").sum())
            parts.append(
                f"The MFI file was screened (study key 'data.screening'): {scr.rows_in:,} rows "
                f"in, {scr.rows_out:,} kept, {n_changed:,} values set missing; see the section "
                "'Data screening'."
            )
        if "dea" in self.mfi_scores.columns:
            dea_info = getattr(self.mfi_results.get("dea"), "info", {}) or {}
            parts.append(f"The 'dea' scheme is {str(dea_info.get('rts', '')).upper()}, "
                         f"{dea_info.get('orientation', '')}-oriented.")
        if self.miv is not None:
            parts.append(
                f"{len(self.miv.index)} MIVs scored from the '{st.mfi_schemes_for_miv()}' MFI "
                "scores and their own indicators."
            )
        if self.dea is not None:
            parts.append(f"DEA model fitted on {len(self.dea_data)} MFIs.")
        return " ".join(parts)

    def summary(self) -> str:
        """Plain-text summary (printed by the CLI)."""
        lines = [self.study.name, "=" * len(self.study.name), self.describe(), ""]
        if self.data.screening is not None:
            lines += [self.data.screening.summary(), ""]
        if self.skipped:
            lines += ["Not run:", *(f"  {note}" for note in self.skipped), ""]
        desc = self.mfi_scores.describe().T[["count", "mean", "min", "50%", "max"]]
        lines.append("MFI scores by scheme:")
        lines.append(desc.to_string(float_format=lambda v: f"{v:.3f}"))
        if self.comparison is not None:
            lines += ["", "Spearman rank correlation between schemes:",
                      self.comparison.spearman.to_string(float_format=lambda v: f"{v:.2f}")]
        if self.miv is not None:
            lines += ["", "MIV index:", self.miv.details[["index", "portfolio", "block",
                                                          "coverage"]]
                      .sort_values("index", ascending=False)
                      .to_string(float_format=lambda v: f"{v:.3f}")]
        if self.sensitivity is not None:
            lines += ["", self.sensitivity.describe()]
            if self.sensitivity.miv is not None:
                lines += ["", self.sensitivity.miv.describe()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"StudyResult({self.describe()})"


# ----------------------------------------------------------------------------- running


def _reference(study: Study, data: StudyData) -> Any:
    """The ``reference`` argument of ``score_mfis``: None (bundled), "self" or a table."""
    ref = study.reference
    if ref is None or ref == "bundled":
        return None
    if ref == "self":
        return "self"
    from socialperf.io import read_mfis

    path = Path(ref)
    if not path.is_file():
        raise FileNotFoundError(2, "study.reference: no such file", str(path))
    try:
        if study.screening is not None:
            return read_mix_panel(path, study.screening).panel
        return read_mfis(path)
    except InputDataError as exc:
        raise type(exc)(f"study.reference ({path.name}): {exc}") from exc


def _scheme_kwargs(study: Study, data: StudyData, scheme: str, reference: Any,
                   n_jobs: int = 1) -> dict:
    """Keyword arguments of ``score_mfis`` for one scheme, from the study's data and spec
    (``n_jobs``: the DEA workers of the ``dea`` scheme)."""
    kwargs: dict[str, Any] = {"year": study_year(study, data), "reference": reference,
                              "catalogue": data.catalogue}
    if scheme == "expert":
        if data.expert_weights is not None:
            kwargs["weights"] = data.expert_weights
        elif data.budget_allocations is not None:
            kwargs["weights"] = data.budget_allocations
    elif scheme == "ahp" and data.ahp_matrix is not None:
        kwargs["weights"] = data.ahp_matrix
    elif scheme == "dea":
        del kwargs["catalogue"], kwargs["reference"]
        kwargs.update(rts=DEFAULT_RTS, dea_options={"n_jobs": n_jobs})
        if study.dea is not None:
            kwargs.update(rts=study.dea.rts, orientation=study.dea.orientation)
    return kwargs


def study_year(study: Study, data: StudyData) -> int:
    """The fiscal year scored: the study's, else the holdings', else the latest in the data."""
    if study.year is not None:
        return study.year
    hy = getattr(data.holdings, "year", None)
    if isinstance(hy, int | np.integer):
        return int(hy)
    return int(pd.to_numeric(data.mfis["year"]).max())


def _fit_dea(study: Study, data: StudyData, n_jobs: int) -> tuple[Any, pd.DataFrame,
                                                                       pd.Series]:
    """Fit the study's DEA model on the MFIs of the study year with complete, positive data.

    Columns may be any numeric column of the MFI table or the derived outputs of the
    social-efficiency model (``women_borrowers``, ``poverty_reach``; see
    :func:`socialperf.social_efficiency_data`).
    """
    import dea
    from socialperf import social_efficiency_data

    spec = study.dea
    assert spec is not None
    year = study_year(study, data)
    mfis = data.mfis
    table = mfis.loc[pd.to_numeric(mfis["year"]) == year].set_index("mfiid")
    cols = list(spec.inputs) + list(spec.outputs)
    derived = [c for c in cols if c not in table.columns]
    if derived:
        try:
            extra = social_efficiency_data(mfis, year)
        except InputDataError:
            extra = pd.DataFrame(index=table.index)
        still = [c for c in derived if c not in extra.columns]
        if still:
            known = [*table.select_dtypes("number").columns, "women_borrowers", "poverty_reach"]
            raise StudyConfigError(
                f"study key 'dea': column(s) {format_labels(still)} not in the MFI data; "
                f"allowed: {format_labels(known, limit=20)}"
            )
        table = table.join(extra[derived])
    frame = table[cols].apply(pd.to_numeric, errors="coerce")
    reasons: dict[Any, str] = {}
    for label, row in frame.iterrows():
        bad_na = [c for c in cols if pd.isna(row[c])]
        bad_pos = [c for c in cols if not pd.isna(row[c]) and row[c] <= 0]
        if bad_na:
            reasons[label] = f"missing {', '.join(bad_na)}"
        elif bad_pos:
            reasons[label] = f"non-positive {', '.join(bad_pos)}"
    used = frame.drop(index=list(reasons))
    if len(used) < 2:
        raise InputDataError(
            f"DEA model: only {len(used)} MFI(s) have complete, positive "
            f"{', '.join(cols)} in {year}; at least two are needed"
        )
    if len(used) < len(cols):
        logger.warning(
            "DEA model: only %d MFIs in %s for %d inputs and %d outputs (n < m + s): most "
            "will be efficient", len(used), year, len(spec.inputs), len(spec.outputs),
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=getattr(dea, "FewUnitsWarning", UserWarning))
        result = spec.build(used, n_jobs=n_jobs).fit()
    return result, used, pd.Series(reasons, name="reason", dtype=object)


def _bootstrap_dea(study: Study, used: pd.DataFrame, n_jobs: int) -> Any:
    """:func:`dea.bootstrap` of the study's DEA model, ``[dea] bootstrap`` replications."""
    import dea

    spec = study.dea
    assert spec is not None and spec.bootstrap > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=getattr(dea, "FewUnitsWarning", UserWarning))
        try:
            return dea.bootstrap(spec.build(used, n_jobs=n_jobs), spec.bootstrap,
                                 alpha=spec.alpha, seed=study.sensitivity.seed, n_jobs=n_jobs)
        except InputDataError as exc:
            raise InputDataError(f"study key 'dea.bootstrap': {exc}") from None


@_on_scheduler
def run_study(study: Study, *, progress: bool = False, n_jobs: int | None = None
              ) -> StudyResult:
    """Run a study: MFI scores under each scheme, their comparison, DEA, MIVs, sensitivity.

    Parameters
    ----------
    study : Study
    progress : bool, default False
        Show a progress bar on stderr.
    n_jobs : int, optional
        Parallel workers for DEA and the sensitivity analysis (joblib); default 1, or
        every worker of the study's ``[run] scheduler`` when it has one (there the
        DEA fits and the Monte Carlo and Sobol' runs go to that Dask cluster).

    Returns
    -------
    StudyResult

    Raises
    ------
    FileNotFoundError
        A data file is missing.
    InputDataError
        Invalid data (the message names the file, column and units), or a scheme that
        cannot run on it.
    StudyConfigError
        A DEA column that is not in the data.

    Notes
    -----
    Steps: read the data once; :func:`socialperf.score_mfis` for each scheme on the study
    year against the reference universe; :func:`weighting.compare` of the schemes on the
    MFIs they all score; the study's DEA model (:class:`dea.Radial`) on the MFIs of that
    year with complete, positive inputs and outputs (the others are listed with a reason);
    :func:`socialperf.score_mivs` with the MIV options, fed by ``miv.scheme``'s scores,
    :math:`I_h = w P_h + (1 - w) B_h`; and, if enabled, :func:`run_sensitivity`.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*. OECD, Paris.
    Meyer, J. & Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich.
    """
    from socialperf import score_mivs
    from weighting.compare import compare

    steps = len(study.schemes) + len(study.scheme_files) + 2 + int(study.dea is not None)
    steps += int(study.miv.enabled)
    steps += int(study.sensitivity.enabled)
    bar = _Progress(steps, enabled=progress, label="study")
    timings: dict[str, float] = {}
    skipped: list[str] = []
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingColumnWarning)
        data = load_study_data(study)
    for w in caught:
        if issubclass(w.category, MissingColumnWarning):
            logger.warning("MFI data: %s", w.message)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    timings["load"] = time.perf_counter() - t0
    bar.step("data loaded")

    reference = _reference(study, data)
    names = [*study.schemes, *study.load_schemes()]
    results = _score_schemes(study, data, names, reference, bar=bar, timings=timings,
                             n_jobs=n_jobs)
    scores = pd.DataFrame({k: _score_series(v) for k, v in results.items()})

    comparison = None
    if scores.shape[1] >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            comparison = compare(scores)
    bar.step("comparison")

    dea_result, dea_data, dea_excl = None, None, pd.Series(dtype=object, name="reason")
    dea_boot = None
    dea_cross = None
    if study.dea is not None:
        t = time.perf_counter()
        dea_result, dea_data, dea_excl = _fit_dea(study, data, n_jobs)
        if study.dea.bootstrap:
            dea_boot = _bootstrap_dea(study, dea_data, n_jobs)
        if study.dea.cross_efficiency:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=FewUnitsWarning)
                dea_cross = study.dea.build_cross(dea_data, n_jobs=n_jobs).fit()
        timings["dea"] = time.perf_counter() - t
        bar.step("DEA")

    miv = None
    if study.miv.enabled and data.holdings is not None:
        t = time.perf_counter()
        feed = study.mfi_schemes_for_miv()
        opts = study.miv
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            miv = score_mivs(
                results[feed], data.holdings, data.miv_indicators, w=opts.w,
                method=opts.method, coverage_threshold=opts.coverage_threshold,
                uncovered=opts.uncovered, catalogue=data.catalogue, year=study.year,
            )
        for w in caught:
            logger.warning("MIV scores: %s", w.message)
        hy = getattr(data.holdings, "year", None)
        if hy is not None and study.year is not None and hy != study.year:
            logger.warning(
                "MIV scores: the holdings are dated %s but the MFIs are scored for fiscal "
                "year %d; the portfolio block mixes years (set [study] year = %d to match)",
                data.holdings.date, study.year, hy,
            )
        timings["miv"] = time.perf_counter() - t
        bar.step("MIV index")
    elif study.miv.enabled:
        skipped.append(
            "MIV index not computed: [miv] enabled = true but the study has no holdings "
            "(give data.holdings, or set data.example = true for the bundled ones, or set "
            "[miv] enabled = false)"
        )
        bar.step("no holdings")

    sens = None
    if study.sensitivity.enabled:
        t = time.perf_counter()
        sens = _sensitivity(study, data, progress=progress, n_jobs=n_jobs, results=results,
                            miv=miv)
        timings["sensitivity"] = time.perf_counter() - t
        bar.step("sensitivity")
    if (study.sensitivity.enabled and study.sensitivity.miv.enabled and miv is None
            and study.miv.enabled):
        skipped.append("MIV-level sensitivity analysis not run ([sensitivity.miv] enabled = "
                       "true): no MIV index was computed")
    bar.close()
    for note in skipped:
        logger.warning("%s", note)
    return StudyResult(
        study=study, mfi_scores=scores, mfi_results=results, comparison=comparison,
        dea=dea_result, dea_data=dea_data, dea_excluded=dea_excl, miv=miv,
        sensitivity=sens, data=data, provenance=data.provenance, timings=timings,
        skipped=tuple(skipped),
        dea_bootstrap=dea_boot,
        dea_cross=dea_cross,
    )


def _score_schemes(study: Study, data: StudyData, names: Sequence[str], reference: Any, *,
                   bar: _Progress | None = None, timings: dict[str, float] | None = None,
                   n_jobs: int = 1) -> dict[str, Any]:
    """:func:`socialperf.score_mfis` of each named scheme (built-in or from scheme_files)."""
    from socialperf import score_mfis

    custom = study.load_schemes() if any(n not in MFI_SCHEMES for n in names) else {}
    results: dict[str, Any] = {}
    for name in names:
        t = time.perf_counter()
        builtin = name in MFI_SCHEMES
        kwargs = _scheme_kwargs(study, data, name if builtin else "custom", reference, n_jobs)
        try:
            results[name] = score_mfis(data.mfis, scheme=name if builtin else custom[name],
                                       **kwargs)
        except InputDataError as exc:
            raise _with_context(exc, f"scheme {name!r}: ") from exc
        if timings is not None:
            timings[f"scheme {name}"] = time.perf_counter() - t
        if bar is not None:
            bar.step(f"scheme {name}")
    return results


def _score_series(res: Any) -> pd.Series:
    s = getattr(res, "scores", res)
    if isinstance(s, pd.DataFrame):
        s = s.iloc[:, 0]
    return pd.to_numeric(s, errors="coerce").astype(float)


# ----------------------------------------------------------------------------- sensitivity

SENSITIVITY_SCHEMES = ("rating", "equal", "expert", "ahp", "pca", "bod", "dea")
_COMPOSITE_NORMALISATIONS = ("percentile", "minmax", "zscore")
_RATING_METHODS = ("percentile", "moments")
_BOD_NORMALISATIONS = ("percentile", "minmax")  # BoD needs non-negative values: no z-scores
#: Dirichlet concentration of the weights factor: sd of a weight w is sqrt(w(1-w)/51)
WEIGHT_CONCENTRATION = 50.0


class _FastComposite:
    """The composite score of :func:`socialperf.score_mfis` as a cheap function of its
    assumptions, for Monte Carlo and Sobol' runs.

    Holds the normalised indicator matrix of each normalisation alternative (computed once
    by ``score_mfis``); a run is then a weighted mean over the present indicators,
    :math:`S_i = \\sum_{j \\in J_i} w_j x_{ij} / \\sum_{j \\in J_i} w_j`, with units whose
    present weight :math:`\\sum_{j \\in J_i} w_j` (weights summing to 1) is below
    ``min_coverage`` left unscored, exactly as ``score_mfis`` does.  The missing-data policy
    ``"zero"`` instead counts a missing indicator as 0 (the worst normalised value),
    :math:`S_i = \\sum_{j \\in J_i} w_j x_{ij}`, on the same units.

    ``aggregation="geometric"`` scores the ratio-to-best matrix ``ratio`` (see
    :class:`weighting.RatioToBest`; the normalisation factor then has no effect) by the weighted
    geometric mean over the present indicators,
    :math:`S_i = \\exp(\\sum_{j \\in J_i} w_j \\ln r_{ij} / \\sum_{j \\in J_i} w_j)`,
    on the same units; under ``"zero"`` a missing indicator counts as the lowest value any
    unit has on it (a literal 0 would set the whole score to 0).
    """

    def __init__(self, matrices: Mapping[str, pd.DataFrame], base_weights: pd.Series,
                 base_alternative: str, min_coverage: float = 0.6,
                 ratio: pd.DataFrame | None = None) -> None:
        self.matrices = {k: v.astype(float) for k, v in matrices.items()}
        self.ratio = None if ratio is None else ratio.astype(float)
        self.base_weights = base_weights.astype(float) / float(base_weights.sum())
        self.base_alternative = base_alternative
        self.min_coverage = float(min_coverage)
        first = next(iter(self.matrices.values()))
        self.units = first.index
        self.names = list(self.base_weights.index)

    def __call__(self, _data: Any = None, *, weights: pd.Series | None = None,
                 normalisation: str | None = None, drop_indicator: str | None = None,
                 missing: str = "renormalise", aggregation: str = "arithmetic") -> pd.Series:
        w = self.base_weights if weights is None else pd.Series(weights, dtype=float)
        w = w.reindex(self.names).fillna(0.0)
        if drop_indicator not in (None, "none"):
            w = w.copy()
            w[drop_indicator] = 0.0
        total = float(w.sum())
        if total <= 0:
            return pd.Series(np.nan, index=self.units)
        w = w / total
        if aggregation == "geometric":
            return self._geometric(w.to_numpy(), missing)
        N = self.matrices[normalisation or self.base_alternative][self.names].to_numpy()
        present = np.isfinite(N)
        wv = w.to_numpy()
        cover = (present * wv).sum(axis=1)
        num = np.where(present, N, 0.0) @ wv
        with np.errstate(invalid="ignore", divide="ignore"):
            value = num if missing == "zero" else num / cover
            score = np.where(cover >= self.min_coverage - 1e-12, value, np.nan)
        return pd.Series(score, index=self.units)

    def _geometric(self, wv: np.ndarray, missing: str) -> pd.Series:
        if self.ratio is None:
            raise RuntimeError("sensitivity: no ratio-scale matrix for the geometric mean")
        R = self.ratio[self.names].to_numpy()
        present = np.isfinite(R)
        cover = (present * wv).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            logs = np.log(np.where(present, R, 1.0))
            if missing == "zero":
                worst = np.log(np.nanmin(np.where(present, R, np.inf), axis=0))
                logs = np.where(present, logs, np.where(np.isfinite(worst), worst, 0.0))
                value = np.exp(logs @ wv)
            else:
                value = np.exp((logs @ wv) / cover)
            score = np.where(cover >= self.min_coverage - 1e-12, value, np.nan)
        return pd.Series(score, index=self.units)


#: A zero (or negative) ratio-scale value is raised to this fraction of the smallest
#: positive reference value of its indicator before the geometric mean (see weighting.RatioToBest)
GEOMETRIC_ZERO_FLOOR = 0.5


def _ratio_kind(spec: Any) -> str | None:
    """How an indicator becomes a higher-is-better ratio-scale quantity (None: it cannot).

    ``value`` (ratio, higher is better), ``complement`` (ratio, lower is better, a
    fraction: 1 - x), ``inverse`` (ratio, lower is better, not a fraction: 1 / x), ``exp``
    / ``exp_inverse`` (interval because of a log transform: the raw count exp(x), or its
    inverse when lower is better).
    """
    scale = str(getattr(spec.scale, "value", spec.scale)).lower()
    lower = str(getattr(spec.direction, "value", spec.direction)).lower() == "lower"
    if scale == "ratio":
        if not lower:
            return "value"
        return "complement" if str(spec.unit).strip().lower().startswith("fraction") else "inverse"
    if scale == "interval" and spec.transform == "log":
        return "exp_inverse" if lower else "exp"
    return None


def _ratio_normaliser_kinds(catalogue: Any, names: Sequence[str]) -> dict[str, str]:
    """The :func:`_ratio_kind` of each indicator; raises if one has none."""
    if catalogue is None:
        from socialperf.catalogue import load_catalogue

        catalogue = load_catalogue()
    kinds = {n: _ratio_kind(catalogue[n]) for n in names}
    bad = [n for n, k in kinds.items() if k is None]
    if bad:
        scales = ", ".join(f"{n} ({getattr(catalogue[n].scale, 'value', catalogue[n].scale)})"
                           for n in bad[:5])
        raise StudyConfigError(
            f"study key 'sensitivity.aggregation': the geometric mean needs ratio-scale "
            f"indicators, but {scales} are not (nor log-transformed counts); allowed: "
            "aggregation = [\"arithmetic\"], or a scheme without these indicators"
        )
    return {n: str(k) for n, k in kinds.items()}


class _Lookup:
    """A model whose few discrete settings were all scored beforehand (BoD, DEA schemes)."""

    def __init__(self, table: Mapping[Any, pd.Series], name: str, base: Any) -> None:
        self.table = dict(table)
        self.name = name
        self.base = base

    def __call__(self, _data: Any = None, **kw: Any) -> pd.Series:
        return self.table[kw.get(self.name, self.base)]


class _MIVModel:
    """MIV index as a cheap function of its assumptions (see :func:`miv_sensitivity`).

    The look-through exposures, the MIV block and the MFI scores of every feeding scheme are
    fixed; a run recomputes the portfolio block (:func:`socialperf.miv._portfolio`) and
    :math:`I_h = w P_h + (1 - w) B_h`.  ``mfi_weights`` (a weight vector over the base
    scheme's indicators) rescales each indicator weight of a weighted scheme by the ratio
    :math:`\\tilde w_j / w^0_j` of the drawn to the base weights, then re-scores it.
    """

    def __init__(self, exposures: pd.DataFrame, block: pd.Series,
                 feeds: Mapping[str, pd.Series], composites: Mapping[str, _FastComposite],
                 base: Mapping[str, Any], coverage_threshold: float,
                 weight_base: pd.Series | None) -> None:
        self.E = exposures.to_numpy(dtype=float)
        self.mivs = exposures.index
        self.block = block.reindex(self.mivs).to_numpy(dtype=float)
        self.has_block = bool(np.isfinite(self.block).any())
        cols = exposures.columns
        self.feeds = {k: v.reindex(cols).to_numpy(dtype=float) for k, v in feeds.items()}
        self.universe = {k: v.dropna().to_numpy(dtype=float) for k, v in feeds.items()}
        self.composites = dict(composites)
        self.positions = {k: cols.get_indexer(pd.Index([str(u) for u in c.units]))
                          for k, c in self.composites.items()}
        self.base = dict(base)
        self.threshold = float(coverage_threshold)
        self.weight_base = weight_base

    def _mfi_scores(self, scheme: str, mfi_weights: pd.Series | None
                    ) -> tuple[np.ndarray, np.ndarray]:
        if mfi_weights is None or scheme not in self.composites:
            return self.feeds[scheme], self.universe[scheme]
        comp = self.composites[scheme]
        assert self.weight_base is not None
        ratio = (pd.Series(mfi_weights, dtype=float) / self.weight_base).reindex(comp.names)
        all_scores = comp(weights=comp.base_weights * ratio.fillna(1.0)).to_numpy()
        pos = self.positions[scheme]
        sv = np.full(self.E.shape[1], np.nan)
        sv[pos[pos >= 0]] = all_scores[pos >= 0]
        return sv, all_scores[np.isfinite(all_scores)]

    def __call__(self, _data: Any = None, *, w: float | None = None, method: str | None = None,
                 uncovered: str | None = None, mfi_scheme: str | None = None,
                 mfi_weights: pd.Series | None = None) -> pd.Series:
        from socialperf.miv import _drop_uncovered, _portfolio

        w = self.base["w"] if w is None else float(w)
        method = method or self.base["method"]
        uncovered = uncovered or self.base["uncovered"]
        sv, universe = self._mfi_scores(mfi_scheme or self.base["mfi_scheme"], mfi_weights)
        port, covered_w = _portfolio(self.E, sv, universe, method, uncovered)
        cov = self.E[:, np.isfinite(sv)].sum(axis=1)
        port = _drop_uncovered(port, covered_w, cov < self.threshold - 1e-12, uncovered)
        if not self.has_block or w == 1.0:
            index = port
        elif w == 0.0:
            index = self.block
        else:
            index = w * port + (1.0 - w) * self.block
        return pd.Series(index, index=self.mivs, name="index")


@dataclass(frozen=True, eq=False)
class _AnalysisOutcome:
    """What the MFI- and MIV-level analyses share: factors, runs, tables and figures."""

    factors: list[Any]
    uncertainty: Any
    sobol: Any
    base_scores: pd.Series
    model: Any
    names: Mapping[str, str] | None = field(default=None, repr=False)

    unit_label: str = dataclasses.field(default="MFI", init=False, repr=False)

    def _describe_runs(self, what: str, seed: int) -> str:
        u = self.uncertainty
        ms = u.mean_rank_shift
        names = ", ".join(f.name for f in self.factors)
        text = (
            f"Uncertainty analysis of {what}: {len(u.scores)} Monte Carlo runs (seed {seed}) "
            f"varying {names}. Mean absolute rank shift against the base ranks: median "
            f"{ms.median():.2f}, 5-95% [{ms.quantile(0.05):.2f}, {ms.quantile(0.95):.2f}] "
            f"places over {int(u.reference_scores.notna().sum())} scored {self.unit_label}s."
        )
        if self.sobol is not None:
            idx = self.sobol.indices
            parts = ", ".join(f"{k}: first-order {r.S1:.2f}, total {r.ST:.2f}"
                              for k, r in idx.iterrows())
            text += (f" Sobol' indices of the mean rank shift ({self.sobol.n_runs} runs): "
                     f"{parts}.")
        return text

    def tables(self) -> dict[str, pd.DataFrame]:
        """Rank intervals by unit, rank-shift distribution and (if run) Sobol' indices."""
        summary = self.uncertainty.summary.sort_values("median_rank", kind="stable")
        ms = self.uncertainty.mean_rank_shift
        dist = ms.describe(percentiles=[0.05, 0.25, 0.5, 0.75, 0.95]).to_frame()
        out = {"rank_intervals": summary, "rank_shift_distribution": dist}
        if self.sobol is not None:
            out["sobol_indices"] = self.sobol.indices
        return out

    def _figures(self, what: str, n: int | None) -> list[tuple[str, Callable[[], Any], str]]:
        shown = f"the {n} best {self.unit_label}s" if n else f"every {self.unit_label}"
        figs: list[tuple[str, Callable[[], Any], str]] = [
            ("rank_intervals", lambda: _rank_interval_plot(self.uncertainty, n, self.unit_label,
                                                            self.names),
             f"Median rank (dot) and 5-95% rank interval (bar) of {shown} under {what} "
             "across the Monte Carlo runs; rank 1 = best"),
        ]
        if self.sobol is not None:
            figs.append(("sobol", lambda: _sobol_plot(self.sobol),
                         "Sobol' indices of the mean absolute rank shift by factor: first "
                         "order (the factor alone) and total (with its interactions), with "
                         "95% bootstrap confidence intervals"))
        return figs


def _rank_interval_plot(uncertainty: Any, n: int | None, unit: str,
                        names: Mapping[str, str] | None = None) -> Any:
    ax = uncertainty.plot_rank_intervals(n=n)
    ax.set_ylabel(unit)
    ax.set_title(f"{unit} rank intervals across the Monte Carlo runs", fontsize="medium")
    if names:
        ax.set_yticks(ax.get_yticks(), [_short(f"{t.get_text()} {names.get(t.get_text(), '')}")
                                        for t in ax.get_yticklabels()])
    handles, labels = ax.get_legend_handles_labels()
    labels = [{"reference": "base rank (study settings)",
               "median, 5-95%": "median rank and 5-95% interval"}.get(lab, lab)
              for lab in labels]
    # the best units are at the top left, so the top right corner is free
    ax.legend(handles, labels, loc="upper right", fontsize="small")
    return ax


def _short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


_FACTOR_LABELS = {
    "w": "w (portfolio share\nof the MIV index)",
    "method": "portfolio\naggregation",
    "uncovered": "uncovered-\nexposure rule",
    "mfi_scheme": "MFI scheme\nfeeding the MIVs",
    "mfi_weights": "MFI indicator\nweights",
    "weights": "indicator\nweights",
    "drop_indicator": "one indicator\nleft out",
    "missing": "missing-data\npolicy",
    "aggregation": "aggregator\n(arithmetic/geometric)",
    "rts": "returns to scale",
}


def _sobol_plot(sobol: Any) -> Any:
    ax = sobol.plot()
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, [{"S1": "first order (S1)", "ST": "total (ST)"}.get(x, x)
                        for x in labels], fontsize="small", loc="upper left",
              bbox_to_anchor=(1.0, 1.0))  # outside: no bar or error bar is hidden
    ax.set_title("Sobol' indices of the mean absolute rank shift", fontsize="medium")
    ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    ax.set_xlabel("factor")
    ax.set_xticks(ax.get_xticks(), [_FACTOR_LABELS.get(t.get_text(), t.get_text())
                                    for t in ax.get_xticklabels()])
    ax.tick_params(axis="x", labelsize="small")
    ax.figure.tight_layout()
    return ax


@dataclass(frozen=True, eq=False)
class MIVSensitivityOutcome(_AnalysisOutcome):
    """Uncertainty and Sobol' analysis of the MIV index.

    Attributes
    ----------
    factors : list of weighting.sensitivity.Factor
        Block weight ``w``, portfolio ``method``, ``uncovered`` rule, feeding ``mfi_scheme``
        and (optionally) ``mfi_weights``.
    uncertainty : weighting.sensitivity.UncertaintyResult
        Per MIV: median rank, 5-95% rank interval, probability of a top-k place.
    sobol : weighting.sensitivity.SobolResult or None
        First-order and total Sobol' indices of the MIVs' mean absolute rank shift.
    base_scores : pandas.Series
        The study's MIV index (the reference of the rank shifts).
    names : dict of str to str, optional
        Display names by MIV label (figure labels).
    model : callable
        ``model(w=, method=, uncovered=, mfi_scheme=, mfi_weights=) -> Series``.
    spec : MIVSensitivitySpec
    seed : int
    """

    spec: MIVSensitivitySpec = field(default_factory=MIVSensitivitySpec)
    seed: int = 0
    unit_label: str = dataclasses.field(default="MIV", init=False, repr=False)

    def describe(self) -> str:
        """One paragraph: what was varied, how many runs, how stable the MIV ranks are."""
        lo, hi = self.spec.w
        return self._describe_runs(
            f"the MIV index (block weight w uniform on [{lo:g}, {hi:g}])", self.seed)

    def figures(self) -> list[tuple[str, Callable[[], Any], str]]:
        """(name, draw, caption) of the MIV sensitivity figures."""
        return self._figures("the MIV index's assumptions", None)


@dataclass(frozen=True, eq=False)
class SensitivityOutcome(_AnalysisOutcome):
    """Uncertainty and Sobol' analysis of one MFI scheme's assumptions (and of the MIVs).

    Attributes
    ----------
    scheme : str
        The MFI scheme analysed.
    factors : list of weighting.sensitivity.Factor
        The uncertain assumptions.  Weighted schemes: indicator weights (Dirichlet around
        the scheme's weights), normalisation (or rating method), dropping one indicator,
        the missing-data policy and (if two are given) the aggregator; ``bod``:
        normalisation (percentile or min-max); ``dea``: returns to scale.
    uncertainty : weighting.sensitivity.UncertaintyResult
        Monte Carlo result (rank intervals, probability of a top-10 place).
    sobol : weighting.sensitivity.SobolResult or None
        First-order and total Sobol' indices of the mean absolute rank shift.
    base_scores : pandas.Series
        The scheme's own scores (the reference of the rank shifts).
    model : callable
        The scheme as a function of its assumptions (reproduces ``base_scores`` with no
        argument).
    names : dict of str to str, optional
        Display names by MFI label (figure labels).
    spec : SensitivitySpec
    miv : MIVSensitivityOutcome or None
        The MIV-level analysis (None without holdings or with ``sensitivity.miv.enabled``
        false).
    """

    scheme: str = ""
    spec: SensitivitySpec = field(default_factory=SensitivitySpec)
    miv: MIVSensitivityOutcome | None = None

    def describe(self) -> str:
        """One paragraph: what was varied, how many runs, how stable the ranks are."""
        text = self._describe_runs(f"the '{self.scheme}' MFI scores", self.spec.seed)
        if any(f.kind == "weights" for f in self.factors):
            text += (f" Weights are drawn from a Dirichlet distribution centred on the "
                     f"scheme's weights (concentration {WEIGHT_CONCENTRATION:g}).")
        return text

    def figures(self) -> list[tuple[str, Callable[[], Any], str]]:
        """(name, draw, caption) of the MFI sensitivity figures."""
        return self._figures(f"'{self.scheme}'", 30)


def _set(key: str) -> Callable[[dict, Any], dict]:
    return lambda kw, value: {**kw, key: value}


def _varying(factors: list[Any]) -> list[Any]:
    """The factors without a single alternative (a fixed continuous factor is kept)."""
    return [f for f in factors if not (f.kind == "discrete" and len(f.alternatives) < 2)]


def _analyse(model: Any, factors: list[Any], runs: int, sobol_n: int, seed: int,
             n_jobs: int, progress: bool, top_k: int) -> tuple[Any, Any]:
    """Monte Carlo (and Sobol' if ``sobol_n``) of a callable model."""
    from weighting.sensitivity import UncertaintyAnalysis

    ua = UncertaintyAnalysis(model, None, factors)
    uncertainty = ua.run(runs, random_state=seed, n_jobs=n_jobs, progress=progress,
                         top_k=top_k)
    sobol = None
    if sobol_n:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sobol = ua.sobol(sobol_n, random_state=seed, n_jobs=n_jobs, progress=progress)
    return uncertainty, sobol


def _check_reproduces(model: Any, base: pd.Series, what: str) -> None:
    """Guard a fast model against drift from the full computation."""
    check = model().reindex(base.index)
    ref = pd.to_numeric(base, errors="coerce").to_numpy(dtype=float)
    gap = np.nanmax(np.abs(check.to_numpy() - ref), initial=0.0)
    if gap > 1e-9 or not np.array_equal(check.isna().to_numpy(), np.isnan(ref)):
        raise RuntimeError(
            f"sensitivity: the fast model does not reproduce the {what} (max gap "
            f"{gap:.3g}); please report this"
        )


def _mfi_model(study: Study, data: StudyData, scheme: str, reference: Any, n_jobs: int = 1
               ) -> tuple[Any, list[Any], pd.Series]:
    """The MFI scheme as a cheap callable of its assumptions, its factors, its base scores."""
    from socialperf import score_mfis
    from weighting.sensitivity import Factor

    spec = study.sensitivity
    kwargs = _scheme_kwargs(study, data, scheme, reference, n_jobs)
    if scheme == "dea":
        table = {r: score_mfis(data.mfis, scheme="dea", **{**kwargs, "rts": r}).scores
                 for r in spec.rts}
        base_rts = kwargs["rts"]
        base = table.get(base_rts)
        if base is None:
            base = score_mfis(data.mfis, scheme="dea", **kwargs).scores
            table[base_rts] = base
        return _Lookup(table, "rts", base_rts), [Factor.returns_to_scale(spec.rts)], base
    if scheme == "bod":
        table = {alt: score_mfis(data.mfis, scheme="bod", normalisation=alt, **kwargs).scores
                 for alt in _BOD_NORMALISATIONS}
        model = _Lookup(table, "normalisation", _BOD_NORMALISATIONS[0])
        return (model, [Factor.choice("normalisation", _BOD_NORMALISATIONS)],
                table[_BOD_NORMALISATIONS[0]])
    geometric = "geometric" in spec.aggregation
    if geometric and scheme == "rating":
        raise StudyConfigError(
            "study key 'sensitivity.aggregation': the geometric mean is not meaningful for "
            "the rating scheme (its class points are ordinal); allowed: [\"arithmetic\"], or "
            "sensitivity.scheme = equal, expert, ahp or pca"
        )
    base = score_mfis(data.mfis, scheme=scheme, **kwargs)
    model = _composite(data, scheme, base, kwargs, geometric=geometric)
    _check_reproduces(model, base.scores, f"'{scheme}' scores")
    factors = [
        Factor.weights_dirichlet(concentration=WEIGHT_CONCENTRATION, base=model.base_weights),
        Factor.choice("rating_method" if scheme == "rating" else "normalisation",
                      list(model.matrices), apply=_set("normalisation")),
        Factor.choice("drop_indicator", ["none", *model.names], apply=_set("drop_indicator")),
        Factor.missing_policy(list(spec.missing), name="missing"),
        Factor.choice("aggregation", list(spec.aggregation), apply=_set("aggregation")),
    ]
    return model, factors, base.scores


def _base_weights(res: Any) -> pd.Series:
    weights = res.weights
    if isinstance(weights, pd.DataFrame):  # per-year weights (PCA): one year is scored
        weights = weights.iloc[0]
    return pd.Series(weights, dtype=float)


def _composite(data: StudyData, scheme: str, base: Any, kwargs: Mapping[str, Any],
               geometric: bool = False) -> _FastComposite:
    """A :class:`_FastComposite` of a weighted scheme, one matrix per normalisation (and
    the ratio-to-best matrix of the geometric mean if ``geometric``)."""
    from socialperf import score_mfis

    weights = _base_weights(base)
    common = {k: v for k, v in kwargs.items() if k != "weights"}
    if scheme == "rating":
        matrices = {alt: score_mfis(data.mfis, scheme="rating", weights=weights,
                                    rating_method=alt, **common).normalised
                    for alt in _RATING_METHODS}
    else:
        matrices = {alt: score_mfis(data.mfis, scheme="expert", weights=weights,
                                    normalisation=alt, **common).normalised
                    for alt in _COMPOSITE_NORMALISATIONS}
    min_cov = float(base.info.get("min_coverage", 0.6)) if isinstance(base.info, dict) else 0.6
    ratio = None
    if geometric:
        kinds = _ratio_normaliser_kinds(data.catalogue, list(base.normalised.columns))
        ratio = score_mfis(data.mfis, scheme="expert", weights=weights,
                           normalisation=RatioToBest(kinds=kinds, floor=GEOMETRIC_ZERO_FLOOR),
                           **common).normalised
    return _FastComposite(matrices, weights, next(iter(matrices)), min_coverage=min_cov,
                          ratio=ratio)


def _sensitivity(study: Study, data: StudyData, *, progress: bool, n_jobs: int,
                 results: Mapping[str, Any] | None = None, miv: Any = None
                 ) -> SensitivityOutcome:
    spec = study.sensitivity
    scheme = spec.scheme or study.mfi_schemes_for_miv()
    if scheme not in SENSITIVITY_SCHEMES:
        raise StudyConfigError(
            f"study key 'sensitivity.scheme': {scheme!r} cannot be analysed; allowed: "
            f"{', '.join(SENSITIVITY_SCHEMES)}"
        )
    reference = _reference(study, data)
    model, factors, base_scores = _mfi_model(study, data, scheme, reference, n_jobs)
    factors = _varying(factors)
    if not factors:
        raise StudyConfigError(
            f"study key 'sensitivity.rts': scheme {scheme!r} has nothing to vary; give two "
            "or more returns to scale, e.g. [\"crs\", \"vrs\"]"
        )
    uncertainty, sobol = _analyse(model, factors, spec.runs, spec.sobol, spec.seed, n_jobs,
                                  progress, 10)
    miv_out = None
    if spec.miv.enabled and data.holdings is not None and study.miv.enabled:
        miv_out = _study_miv_sensitivity(study, data, results, miv, reference,
                                         n_jobs=n_jobs, progress=progress)
    return SensitivityOutcome(factors=factors, uncertainty=uncertainty, sobol=sobol,
                              base_scores=base_scores, model=model, scheme=scheme, spec=spec,
                              miv=miv_out, names=_unit_names(data.mfis, "mfiid", "mfiname"))


def _unit_names(frame: pd.DataFrame | None, key: str, name: str) -> dict[str, str] | None:
    """Unit label -> display name (for figure labels), or None without a name column."""
    if frame is None or name not in frame.columns:
        return None
    table = frame.reset_index() if key not in frame.columns else frame
    if key not in table.columns:
        return None
    last = table.drop_duplicates(key, keep="last")
    return {str(k): str(v) for k, v in zip(last[key], last[name], strict=True) if pd.notna(v)}


def _study_miv_sensitivity(study: Study, data: StudyData, results: Mapping[str, Any] | None,
                           base_miv: Any, reference: Any, *, n_jobs: int, progress: bool
                           ) -> MIVSensitivityOutcome:
    """The MIV analysis of a study, reusing its MFI results where they were computed."""
    spec = study.sensitivity
    feed = study.mfi_schemes_for_miv()
    names = list(spec.miv.schemes or (*study.schemes, *study.load_schemes()))
    if feed not in names:
        names.insert(0, feed)
    results = dict(results or {})
    missing = [n for n in names if n not in results]
    if missing:
        results.update(_score_schemes(study, data, missing, reference, n_jobs=n_jobs))
    year = study_year(study, data)
    composites = {}
    for name in names:
        res = results[name]
        if name in SENSITIVITY_SCHEMES[:5] and spec.miv.mfi_weights:
            comp = _FastComposite({"base": res.normalised}, _base_weights(res), "base",
                                  min_coverage=float(res.info.get("min_coverage", 0.6)))
            _check_reproduces(comp, res.scores, f"'{name}' scores")
            composites[name] = comp
    return miv_sensitivity(
        {n: results[n] for n in names}, data.holdings, data.miv_indicators, base_scheme=feed,
        w=study.miv.w, method=study.miv.method, uncovered=study.miv.uncovered,
        coverage_threshold=study.miv.coverage_threshold, catalogue=data.catalogue,
        year=year, spec=spec.miv, runs=spec.miv.runs or spec.runs,
        sobol=spec.miv.sobol if spec.miv.sobol is not None else spec.sobol, seed=spec.seed,
        composites=composites, n_jobs=n_jobs, progress=progress, base_miv=base_miv,
    )


def miv_sensitivity(
    mfi_scores: Mapping[str, Any],
    holdings: Any,
    miv_indicators: pd.DataFrame | None = None,
    *,
    base_scheme: str | None = None,
    w: float = 0.5,
    method: str = "exposure",
    uncovered: str = "renormalise",
    coverage_threshold: float = 0.7,
    catalogue: Any = None,
    year: int | None = None,
    spec: MIVSensitivitySpec | None = None,
    runs: int = 200,
    sobol: int = 64,
    seed: int = 12345,
    composites: Mapping[str, Any] | None = None,
    n_jobs: int = 1,
    progress: bool = False,
    base_miv: Any = None,
) -> MIVSensitivityOutcome:
    """Monte Carlo and Sobol' analysis of the MIV index's assumptions.

    Parameters
    ----------
    mfi_scores : mapping of str to MFIScores or pandas.Series
        The MFI scores of each scheme that may feed the portfolio block, by scheme name.
    holdings : socialperf.Holdings or pandas.DataFrame
        The positions (see :func:`socialperf.score_mivs`).
    miv_indicators : pandas.DataFrame, optional
        The MIVs' own indicators (the block :math:`B_h`); without them ``w`` has no effect.
    base_scheme : str, optional
        The scheme of the base MIV index (default the first of ``mfi_scores``).
    w, method, uncovered, coverage_threshold : optional
        The base settings, as in :func:`socialperf.score_mivs`.
    catalogue : Catalogue, optional
    year : int, optional
        Year of the MFI scores (default the holdings' year).
    spec : MIVSensitivitySpec, optional
        The factors' ranges and choices (default :class:`MIVSensitivitySpec`); a scheme
        list in it restricts ``mfi_scores``.
    runs : int, default 200
        Monte Carlo runs.
    sobol : int, default 64
        Saltelli base sample N (power of two; 0 = no Sobol' indices).
    seed : int, default 12345
        Results depend on it, never on ``n_jobs``.
    composites : mapping of str to callable, optional
        Cheap re-scorers of weighted schemes (internal: :class:`_FastComposite`); needed for
        the ``mfi_weights`` factor, which is left out without them.
    n_jobs : int, default 1
    progress : bool, default False
    base_miv : MIVScores, optional
        The base result of :func:`socialperf.score_mivs`, if already computed.

    Returns
    -------
    MIVSensitivityOutcome

    Raises
    ------
    InputDataError
        Invalid holdings, scores or settings (see :func:`socialperf.score_mivs`), or an
        unknown ``base_scheme``.

    Notes
    -----
    Factors (each independent, uniform over its range or alternatives): the block weight
    :math:`w \\sim U(w_{lo}, w_{hi})`; the portfolio method; the uncovered-exposure rule;
    the MFI scheme feeding :math:`P_h`; and, with ``composites``, the MFI indicator weights
    (Dirichlet, concentration 50, around the base scheme's weights; every weighted scheme's
    weight of an indicator is multiplied by the same drawn ratio; unweighted schemes such as
    ``bod`` and ``dea`` keep their scores).  Each run computes
    :math:`I_h = w P_h + (1 - w) B_h` for every MIV, ranks them (1 = best) and its mean
    absolute rank shift from the base ranks, whose Sobol' indices are then estimated.

    References
    ----------
    Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and sensitivity analysis
    techniques as tools for the quality assessment of composite indicators. *JRSS A* 168(2).
    Meyer, J. & Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich.
    """
    from socialperf.miv import Holdings, _mfi_series, score_mivs
    from weighting.sensitivity import Factor

    spec = spec or MIVSensitivitySpec()
    names = list(spec.schemes or mfi_scores)
    unknown = [n for n in names if n not in mfi_scores]
    base_scheme = base_scheme or names[0]
    if base_scheme not in mfi_scores:
        unknown.append(base_scheme)
    if unknown:
        raise InputDataError(
            f"miv_sensitivity: no MFI scores for scheme(s) {format_labels(unknown)}; "
            f"given: {format_labels(list(mfi_scores))}"
        )
    h = holdings if isinstance(holdings, Holdings) else Holdings(holdings)
    year = h.year if year is None else year
    if base_miv is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            base_miv = score_mivs(
                mfi_scores[base_scheme], h, miv_indicators, w=w, method=method,
                coverage_threshold=coverage_threshold, uncovered=uncovered,
                catalogue=catalogue, year=year)
    feeds = {n: _mfi_series(mfi_scores[n], year) for n in dict.fromkeys([base_scheme, *names])}
    composites = {k: v for k, v in (composites or {}).items() if k in feeds}
    weight_base = composites[base_scheme].base_weights if base_scheme in composites else None
    model = _MIVModel(base_miv.exposures, base_miv.block, feeds, composites,
                      {"w": w, "method": method, "uncovered": uncovered,
                       "mfi_scheme": base_scheme},
                      coverage_threshold, weight_base)
    _check_reproduces(model, base_miv.index, "MIV index")
    factors = [
        Factor.uniform("w", *spec.w),
        Factor.choice("method", list(spec.methods)),
        Factor.choice("uncovered", list(spec.uncovered)),
        Factor.choice("mfi_scheme", names),
    ]
    if spec.mfi_weights and weight_base is not None:
        factors.append(Factor.weights_dirichlet(WEIGHT_CONCENTRATION, base=weight_base,
                                                name="mfi_weights"))
    factors = _varying(factors)
    uncertainty, sob = _analyse(model, factors, runs, sobol, seed, n_jobs, progress,
                                min(spec.top_k, len(model.mivs)))
    return MIVSensitivityOutcome(factors=factors, uncertainty=uncertainty, sobol=sob,
                                 base_scores=base_miv.index, model=model, spec=spec,
                                 seed=seed, names=_unit_names(miv_indicators, "miv", "name"))


@_on_scheduler
def run_sensitivity(study: Study, *, progress: bool = False, n_jobs: int | None = None
                    ) -> SensitivityOutcome:
    """Run only the uncertainty and Sobol' analysis of a study (MFI and MIV level).

    Parameters
    ----------
    study : Study
        Its ``sensitivity`` table sets the scheme, runs, Sobol' base sample, seed, the
        alternatives compared and the MIV analysis (``[sensitivity.miv]``).
    progress : bool, default False
        Progress bars on stderr.
    n_jobs : int, optional
        joblib workers (default 1, or every worker of the study's ``[run] scheduler``);
        results do not depend on it.

    Returns
    -------
    SensitivityOutcome

    Raises
    ------
    StudyConfigError
        If the scheme has nothing to vary (``dea`` with a single ``rts``), or the geometric
        mean is asked for the rating scheme or for indicators that are not ratio-scale.

    Notes
    -----
    MFI level, for a weighted scheme (rating, equal, expert, ahp, pca): the indicator
    weights (Dirichlet with mean the scheme's weights and concentration 50), the
    normalisation (percentile rank, min-max or z-score against the reference year; for the
    rating scheme: percentile or moment classes), the indicator set (all, or all but one),
    the missing-data policy (re-weight over the present indicators, or count a missing
    one as 0) and, with ``aggregation = ["arithmetic", "geometric"]``, the aggregator
    (not for the rating scheme, whose class points are ordinal).  ``bod``: the
    normalisation (percentile rank or min-max; z-scores would be negative).  ``dea``:
    returns to scale.  Each run's ranks are compared with the scheme's own ranks (Saisana,
    Saltelli & Tarantola 2005; OECD/JRC 2008, chapter 7).  MIV level: see
    :func:`miv_sensitivity`.

    The geometric mean :math:`S_i = \\prod_j r_{ij}^{w_j}` (weights renormalised over the
    present indicators) is meaningful only for ratio-scale values, which the percentile,
    min-max and z-score normalisations do not give (OECD/JRC 2008, section 6.2).  It is
    therefore applied to a ratio-to-best normalisation
    :math:`r_{ij} = \\max(q_{ij}, f_j) / \\max_{ref} q_j`, where :math:`q` makes each
    indicator a higher-is-better quantity with a true zero: the value itself (female
    share); :math:`1 - x` for a lower-is-better fraction (PAR30, write-off ratio: the share
    of the portfolio not at risk / not written off; :math:`t / x` is unusable because a
    PAR30 of 0 is common); :math:`1 / x` for another lower-is-better ratio (depth of
    outreach); :math:`e^x` for a log-transformed count (breadth of outreach: the number
    of borrowers, whose log the geometric mean takes itself).  Ordinal, nominal and other
    interval indicators raise :class:`StudyConfigError`.  Zeros (no women borrowers, the
    whole portfolio at risk; a fraction above 1 likewise) would set a unit's score to 0
    whatever its other indicators: they are raised to the floor :math:`f_j`, half
    (``GEOMETRIC_ZERO_FLOOR``) the smallest positive reference value of :math:`q_j`, below
    every value seen in the reference.  The target :math:`\\max_{ref} q_j` only rescales
    all scores by one constant, so ranks do not depend on it.  Under the geometric mean
    the normalisation factor has no effect (its total index includes that interaction).

    References
    ----------
    Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and sensitivity analysis
    techniques as tools for the quality assessment of composite indicators. *JRSS A* 168(2).
    """
    data = load_study_data(study)
    return _sensitivity(study, data, progress=progress, n_jobs=n_jobs)
