"""Study configuration: :class:`Study`, its spec dataclasses (:class:`DEASpec`,
:class:`MIVOptions`, :class:`SensitivitySpec`, :class:`MIVSensitivitySpec`), the TOML
parsers and :class:`StudyConfigError`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import dea
from dea._parallel import parse_scheduler
from dea.exceptions import InputDataError, format_labels
from dea.models.additive import WEIGHT_RULES
from dea.models.directional import DIRECTIONS
from dea.models.sbm import SBM_ORIENTATIONS
from socialperf.mfi import DEFAULT_RTS
from socialperf.safety import check_input_file, sha256_file
from socialperf.schemes import DEA_FAMILIES, SCHEMES, build_dea
from socialperf.screen import ScreeningRules
from socialperf.study import _user_schemes
from socialperf.study._files import _relative, _resolve, _tomllib
from weighting import tomlfile
from weighting.scheme import Scheme

logger = logging.getLogger("socialperf.study")

_RTS = dea.RTS_CHOICES
_MIV_METHODS = ("exposure", "equal", "top_quartile")  # as socialperf.miv.METHODS
_UNCOVERED = ("renormalise", "zero", "exclude")  # as socialperf.miv.UNCOVERED_RULES
_ORIENTATIONS = dea.ORIENTATIONS
_DEA_MODELS = DEA_FAMILIES
_SBM_ORIENTATIONS = SBM_ORIENTATIONS
_DDF_DIRECTIONS = DIRECTIONS
_SLACK_WEIGHTS = WEIGHT_RULES
# the model-specific [dea] keys and the model each applies to
_DEA_MODEL_KEYS = {"sbm_orientation": "sbm", "super": "sbm", "direction": "ddf",
                   "slack_weights": "additive"}
# the models that take [dea] ratio_bounds (assurance regions on the multiplier weights)
_RATIO_BOUND_MODELS = ("radial", "ddf")
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
    try:
        return parse_scheduler(run.get("scheduler"), "run.scheduler")
    except InputDataError as exc:
        where = f" (in {source})" if source else ""
        raise StudyConfigError(f"study key {exc}{where}") from None



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
    ratio_bounds : tuple of (numerator, denominator, lower, upper), default ()
        Radial and DDF only: assurance regions ``lower <= w_numerator / w_denominator <=
        upper`` on the multiplier weights (``ratio_bounds`` of :class:`dea.Radial`; None
        leaves a side open).  In TOML an array of tables,
        ``ratio_bounds = [{numerator = "gross_loan_portfolio", denominator = "staff",
        upper = 2.0}]``.

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
    ratio_bounds: tuple[tuple[str, str, float | None, float | None], ...] = ()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str | None = None) -> DEASpec:
        """Build from the ``[dea]`` table; raises :class:`StudyConfigError` naming the key."""
        _check_keys("dea", d, ("inputs", "outputs", "rts", "orientation", "model",
                               *_DEA_MODEL_KEYS, "cross_efficiency", "bootstrap", "alpha",
                               "ratio_bounds"),
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
            ratio_bounds=_get_ratio_bounds(d, inputs + outputs, model, source),
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
        if self.ratio_bounds:
            out["ratio_bounds"] = [
                {"numerator": a, "denominator": b,
                 **({"lower": lo} if lo is not None else {}),
                 **({"upper": hi} if hi is not None else {})}
                for a, b, lo, hi in self.ratio_bounds
            ]
        out["bootstrap"] = self.bootstrap
        out["alpha"] = self.alpha
        return out

    @property
    def inefficiency(self) -> bool:
        """True when the model's score is an inefficiency (0 = efficient, higher = worse)."""
        return self.model in ("additive", "ddf")

    def describe(self) -> str:
        """One sentence: the model and what its score means (and its weight restrictions)."""
        text = self._describe_model()
        if self.ratio_bounds:
            parts = []
            for a, b, lo, hi in self.ratio_bounds:
                ratio = f"w_{a} / w_{b}"
                parts.append(" ".join(x for x in (
                    f"{lo:g} <=" if lo is not None else "", ratio,
                    f"<= {hi:g}" if hi is not None else "") if x))
            text += "; assurance regions (Thompson et al. 1990): " + ", ".join(parts)
        return text

    def _describe_model(self) -> str:
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
        family: dict[str, Any] = {
            "sbm": {"sbm_orientation": self.sbm_orientation, "super_efficiency": self.super},
            "additive": {"weights": self.slack_weights},
            "ddf": {"direction": self.direction},
        }.get(self.model, {})
        if self.ratio_bounds:  # radial and ddf only (checked in from_dict)
            family["ratio_bounds"] = {(a, b): (lo, hi) for a, b, lo, hi in self.ratio_bounds}
        return build_dea(frame, inputs=self.inputs, outputs=self.outputs, model=self.model,
                         rts=self.rts, orientation=self.orientation, solver=solver,
                         n_jobs=n_jobs, **family)

    def build_cross(self, frame: pd.DataFrame, *, n_jobs: int = 1,
                    solver: str = "highs") -> Any:
        """The :class:`dea.CrossEfficiency` model of ``cross_efficiency = true``."""
        return dea.CrossEfficiency(frame, inputs=list(self.inputs), outputs=list(self.outputs),
                                   rts=self.rts, orientation=self.orientation, solver=solver,
                                   n_jobs=n_jobs)


def _get_ratio_bounds(d: Mapping[str, Any], names: Sequence[str], model: str,
                      source: str | None) -> tuple[tuple[str, str, float | None, float | None],
                                                   ...]:
    """``[dea] ratio_bounds``: an array of tables ``{numerator, denominator, lower, upper}``."""
    value = d.get("ratio_bounds", [])
    if not value:
        return ()
    if model not in _RATIO_BOUND_MODELS:
        raise _fail("dea.ratio_bounds", f"applies to model = \"radial\" or \"ddf\", not "
                    f"model = \"{model}\"", "remove it or change dea.model", source)
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list | tuple):
        raise _fail("dea.ratio_bounds", f"expected an array of tables, got {value!r}",
                    'write e.g. [{numerator = "x1", denominator = "x2", upper = 2.0}]', source)
    out = []
    for i, entry in enumerate(value):
        key = f"dea.ratio_bounds[{i}]"
        if not isinstance(entry, Mapping):
            raise _fail(key, f"expected a table, got {entry!r}",
                        "give numerator, denominator and lower and/or upper", source)
        _check_keys(key, entry, ("numerator", "denominator", "lower", "upper"), source)
        pair = []
        for side in ("numerator", "denominator"):
            name = entry.get(side)
            if not isinstance(name, str) or name not in names:
                raise _fail(f"{key}.{side}", f"{name!r} is not a DEA input or output",
                            f"allowed: {', '.join(names)}", source)
            pair.append(name)
        bounds = []
        for side in ("lower", "upper"):
            bound = entry.get(side)
            if bound is not None and (isinstance(bound, bool)
                                      or not isinstance(bound, int | float) or bound < 0):
                raise _fail(f"{key}.{side}", f"expected a number >= 0, got {bound!r}",
                            "give a non-negative number, or leave the side out", source)
            bounds.append(None if bound is None else float(bound))
        if bounds == [None, None]:
            raise _fail(key, "neither lower nor upper is given", "give at least one", source)
        out.append((pair[0], pair[1], bounds[0], bounds[1]))
    return tuple(out)


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
            scheme=_user_schemes.scheme_name(_get_str(d, sec, "scheme", None, source)),
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
    user_schemes : dict of str to dict
        Inline user schemes (``[schemes.<name>]`` tables, Scheme.from_dict format), run
        after the scheme files under their table's name.
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
    user_schemes: Mapping[str, Any] = field(default_factory=dict)
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
        sections = ("study", "data", "mfi", "schemes", "miv", "dea", "sensitivity", "units",
                    "run")
        _check_keys("", config, sections, source)
        for sec in sections:
            if sec in config and not isinstance(config[sec], Mapping):
                raise _fail(sec, "expected a table", f"write [{sec}] with keys under it", source)
        st = config.get("study", {})
        _check_keys("study", st, ("name", "year", "reference"), source)
        name = _get_str(st, "study", "name", "socialperf study", source)
        year = _get_number(st, "study", "year", None, source, lo=1900, hi=2100, integer=True,
                           allow_none=True)
        if not isinstance(st.get("reference", ""), str):
            raise _fail("study.reference", f"expected a string, got {st['reference']!r}",
                        'allowed: "bundled", "self", or the path of a MIX-style panel', source)
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
        default = () if mfi.get("scheme_files") or config.get("schemes") else cls.schemes
        schemes = _get_list(mfi, "mfi", "schemes", default, source)
        bad = [s for s in schemes if s.lower() not in SCHEMES]
        if bad:
            raise _fail("mfi.schemes", f"unknown scheme(s) {format_labels(bad)}",
                        f"allowed: {', '.join(SCHEMES)}, or a file in mfi.scheme_files",
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
        user_schemes = _user(_user_schemes.read_user_schemes, config.get("schemes", {}),
                             data.get("catalogue"), (*SCHEMES, *schemes, *custom), source=source)
        custom += list(user_schemes)
        if not schemes and not custom:
            raise _fail("mfi.schemes", "empty list", f"choose from {', '.join(SCHEMES)}",
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
        _check_scheme("sensitivity.scheme", sens.scheme, custom, source)
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
        study = cls(name=name, year=year, reference=reference, example=example, data=data,
                    screening=screening, schemes=schemes, scheme_files=scheme_files, miv=miv,
                    user_schemes=user_schemes,
                    dea=dea_spec, sensitivity=sens,
                    units=dict(units), scheduler=_get_scheduler(run, source), source=source)
        if sens.enabled:
            # checked here, before any data is read, not only when the analysis runs
            analysed = sens.scheme or study.mfi_schemes_for_miv()
            if analysed == "rating" and "geometric" in sens.aggregation:
                raise _fail("sensitivity.aggregation", "the geometric mean is not meaningful "
                            "for the rating scheme (its class points are ordinal)",
                            'allowed: aggregation = ["arithmetic"], or sensitivity.scheme = '
                            "equal, expert, ahp or pca", source)
        return study

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
        return cls.from_toml(Path(__file__).resolve().parents[1] / "data" / "study_example.toml")

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
                    if value["model"] not in _RATIO_BOUND_MODELS and "ratio_bounds" not in value:
                        merged.pop("ratio_bounds", None)
                if name == "sensitivity" and isinstance(value.get("miv"), Mapping):
                    merged["miv"] = {**current.miv.to_dict(), **value["miv"]}
                changes[name] = spec_cls.from_dict(merged, None)
        if "schemes" in changes:
            changes["schemes"] = tuple(changes["schemes"])
        if "scheme_files" in changes:
            changes["scheme_files"] = tuple(Path(p).resolve() for p in changes["scheme_files"])
        if "scheduler" in changes:
            changes["scheduler"] = _get_scheduler({"scheduler": changes["scheduler"]}, None)
        out = dataclasses.replace(self, **changes)
        if out.sensitivity.scheme not in (None, *SCHEMES, *out.user_schemes):
            _check_scheme("sensitivity.scheme", out.sensitivity.scheme, [
                *out.user_schemes, *(_custom_scheme_name(p, (), None) for p in out.scheme_files)
            ], out.source)
        return out

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
            **({"schemes": {k: dict(v) for k, v in self.user_schemes.items()}}
               if self.user_schemes else {}),
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
        if self.scheme_files:
            return _custom_scheme_name(self.scheme_files[0], (), self.source)
        return next(iter(self.user_schemes))

    def load_schemes(self, catalogue: Any = None) -> dict[str, Any]:
        """The user-defined schemes (``weighting.Scheme``) of ``scheme_files``, then the
        inline ``user_schemes`` (:func:`socialperf.study._user_schemes.user_scheme`), by name."""
        out: dict[str, Any] = {}
        for path in self.scheme_files:
            scheme = Scheme.from_toml(path)
            out[str(scheme.name)] = scheme
        cat = self.data.get("catalogue")
        return {**out, **_user_schemes.user_schemes(self.user_schemes, catalogue, cat)}


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


def _check_scheme(key: str, name: str | None, custom: Sequence[str], source: str | None) -> None:
    _user(_user_schemes.check_scheme, key, name, custom, source=source)


def _custom_scheme_name(path: Path, builtin: Sequence[str], source: str | None) -> str:
    """Read a scheme file (``weighting.Scheme.from_toml``) and return its checked name."""
    return _user(_user_schemes.scheme_file_name, path, (*SCHEMES, *builtin), source=source)


def _user(fn: Any, *args: Any, source: str | None) -> Any:
    """``fn(*args)``, a :class:`UserSchemeError` turned into a :class:`StudyConfigError`."""
    try:
        return fn(*args)
    except _user_schemes.UserSchemeError as exc:
        raise _fail(exc.key, exc.problem, exc.allowed, source) from exc

