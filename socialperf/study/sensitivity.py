"""The sensitivity analysis of a study: :func:`run_sensitivity`, :func:`miv_sensitivity`,
their models and outcomes.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError, format_labels
from socialperf.catalogue import load_catalogue
from socialperf.mfi import YEAR, composite_inputs, scheme_inputs, score_mfis
from socialperf.miv import (
    Holdings,
    _drop_uncovered,
    _mfi_series,
    _portfolio,
    miv_index,
    score_mivs,
)
from socialperf.schemes import COMPOSITE_SCHEMES, SCHEMES, build_scheme
from socialperf.study._runtime import _on_scheduler
from socialperf.study.config import (
    MIVSensitivitySpec,
    SensitivitySpec,
    Study,
    StudyConfigError,
)
from socialperf.study.data import StudyData, _reference, load_study_data, study_year
from socialperf.study.scoring import _scheme_kwargs, _score_schemes
from weighting.normalise import RatioToBest
from weighting.sensitivity import Factor, UncertaintyAnalysis

logger = logging.getLogger("socialperf.study")

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


class _MIVModel:
    """MIV index as a cheap function of its assumptions (see :func:`miv_sensitivity`).

    The look-through exposures, the MIV block and the MFI scores of every feeding scheme are
    fixed; a run recomputes the portfolio block (:func:`socialperf.miv._portfolio`) and
    :math:`I_h = w P_h + (1 - w) B_h` (:func:`socialperf.miv_index`).  ``mfi_weights`` (a
    weight vector over the base scheme's indicators) rescales each indicator weight of a
    weighted scheme by the ratio :math:`\\tilde w_j / w^0_j`
    of the drawn to the base weights, then re-scores it.
    """

    def __init__(self, exposures: pd.DataFrame, block: pd.Series,
                 feeds: Mapping[str, pd.Series], composites: Mapping[str, _FastComposite],
                 base: Mapping[str, Any], coverage_threshold: float,
                 weight_base: pd.Series | None) -> None:
        self.E = exposures.to_numpy(dtype=float)
        self.mivs = exposures.index
        self.block = block.reindex(self.mivs).astype(float)
        self.has_block = bool(np.isfinite(self.block.to_numpy()).any())
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
        w = self.base["w"] if w is None else float(w)
        method = method or self.base["method"]
        uncovered = uncovered or self.base["uncovered"]
        sv, universe = self._mfi_scores(mfi_scheme or self.base["mfi_scheme"], mfi_weights)
        port, covered_w = _portfolio(self.E, sv, universe, method, uncovered)
        cov = self.E[:, np.isfinite(sv)].sum(axis=1)
        port = _drop_uncovered(port, covered_w, cov < self.threshold - 1e-12, uncovered)
        return miv_index(pd.Series(port, index=self.mivs), self.block,
                         w if self.has_block else 1.0)


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
            f"Uncertainty analysis of {what}: {u.n_runs} Monte Carlo runs (seed {seed}) "
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
    model : weighting.Scheme or callable
        What :class:`weighting.UncertaintyAnalysis` perturbed: the Scheme analysed (``bod``
        and user schemes), the DEA helper ``model(rts=) -> Series`` (``dea``), or the
        composite stand-in of the other built-in schemes.
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
             n_jobs: int, progress: bool, top_k: int, data: Any = None,
             model_kwargs: Mapping[str, Any] | None = None) -> tuple[Any, Any]:
    """Monte Carlo (and Sobol' if ``sobol_n``) of a callable model or a Scheme on ``data``
    (scored with ``model_kwargs``)."""
    ua = UncertaintyAnalysis(model, data, factors, model_kwargs=model_kwargs)
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
               ) -> tuple[Any, ...]:
    """The MFI scheme as a cheap callable of its assumptions, its factors, its base scores."""
    spec = study.sensitivity
    if scheme not in SCHEMES:
        return _user_model(study, data, scheme, reference)
    kwargs = _scheme_kwargs(study, data, scheme, reference, n_jobs)
    if scheme == "dea":
        return _dea_model(data, kwargs, spec.rts)
    if scheme == "bod":
        X, R = composite_inputs(data.mfis, kwargs["year"], data.catalogue, kwargs["reference"])
        names = [c for c in X.columns if c != YEAR]

        def bod(normalisation: str = "percentile") -> Any:
            return build_scheme("bod", data.catalogue, names, normalisation=normalisation)

        factor = Factor.normalisation(list(_BOD_NORMALISATIONS), apply=lambda s, v: bod(v))
        # base scores: the Scheme's own (those of score_mfis), from the analysis
        return bod(), [factor], None, {"data": X, "model_kwargs": {"reference": R, "by": YEAR}}
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


def _dea_model(data: StudyData, kwargs: Mapping[str, Any], rts: Sequence[str]
               ) -> tuple[Any, list[Any], None]:
    """The ``dea`` scheme's scores as a function of returns to scale (the DEA helper of
    :func:`socialperf.score_mfis`, each setting solved once) and its factor."""
    base_rts = kwargs["rts"]
    solved: dict[str, pd.Series] = {}

    def dea_scores(_data: Any = None, *, rts: str = base_rts) -> pd.Series:
        if rts not in solved:
            solved[rts] = score_mfis(data.mfis, scheme="dea", **{**kwargs, "rts": rts}).scores
        return solved[rts]

    return dea_scores, [Factor.returns_to_scale(rts)], None


def _user_model(study: Study, data: StudyData, name: str, reference: Any
                ) -> tuple[Any, list[Any], pd.Series, dict[str, Any]]:
    """A user scheme as the model of :class:`weighting.UncertaintyAnalysis` (the Scheme
    itself, scored on the study year's MFIs against the reference by calibration year),
    its factors and its base scores."""
    spec = study.sensitivity
    scheme = study.load_schemes(data.catalogue)[name]
    X, R = scheme_inputs(data.mfis, scheme, study_year(study, data), data.catalogue,
                         reference)
    names = list(scheme.indicators.names)
    norm = scheme.normalisation
    own = {n: norm.get(n, norm.get("default")) for n in names} if isinstance(norm, dict) else {}

    def normalise(s: Any, method: str) -> Any:  # the points of categorical ones stay
        keep = {n for n, v in own.items() if str(v) == "none"}
        return s.replace(normalisation={n: "none" if n in keep else method
                                        for n in s.indicators.names})

    def aggregate(s: Any, how: str) -> Any:
        if how == "arithmetic":
            return s
        kinds = _ratio_normaliser_kinds(data.catalogue, list(s.indicators.names))
        return s.replace(normalisation=RatioToBest(kinds=kinds, floor=GEOMETRIC_ZERO_FLOOR),
                         aggregation="geometric")

    if "geometric" in spec.aggregation:
        _ratio_normaliser_kinds(data.catalogue, names)  # raises for non-ratio indicators
    factors = [
        Factor.weights_dirichlet(concentration=WEIGHT_CONCENTRATION),
        Factor.normalisation(list(_COMPOSITE_NORMALISATIONS), apply=normalise),
        Factor.choice("drop_indicator", ["none", *names],
                      apply=lambda s, v: s if v == "none" else s.replace(
                          indicators=s.indicators.subset([n for n in s.indicators.names
                                                          if n != v]))),
        Factor.choice("aggregation", list(spec.aggregation), apply=aggregate),
    ]
    if getattr(scheme.weights, "unit_specific", False):
        factors = factors[1:]
    if "zero" in spec.missing:
        logger.info("sensitivity of %r: the missing-data policy 'zero' is not varied for a "
                    "user scheme (its own missing-data policy applies)", name)
    return scheme, factors, None, {"data": X, "model_kwargs": {"reference": R, "by": YEAR}}


def _base_weights(res: Any) -> pd.Series:
    weights = res.weights
    if isinstance(weights, pd.DataFrame):  # per-year weights (PCA): one year is scored
        weights = weights.iloc[0]
    return pd.Series(weights, dtype=float)


def _composite(data: StudyData, scheme: str, base: Any, kwargs: Mapping[str, Any],
               geometric: bool = False) -> _FastComposite:
    """A :class:`_FastComposite` of a weighted scheme, one matrix per normalisation (and
    the ratio-to-best matrix of the geometric mean if ``geometric``)."""
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
    custom = () if scheme in SCHEMES else tuple(study.load_schemes(data.catalogue))
    if scheme not in SCHEMES and scheme not in custom:
        raise StudyConfigError(
            f"study key 'sensitivity.scheme': {scheme!r} cannot be analysed; allowed: "
            f"{', '.join((*SCHEMES, *custom))}"
        )
    reference = _reference(study, data)
    model, factors, base_scores, *extra = _mfi_model(study, data, scheme, reference, n_jobs)
    factors = _varying(factors)
    if not factors:
        raise StudyConfigError(
            f"study key 'sensitivity.rts': scheme {scheme!r} has nothing to vary; give two "
            "or more returns to scale, e.g. [\"crs\", \"vrs\"]"
        )
    uncertainty, sobol = _analyse(model, factors, spec.runs, spec.sobol, spec.seed, n_jobs,
                                  progress, 10, **(extra[0] if extra else {}))
    if base_scores is None:  # a Scheme model: its own scores (those of score_mfis)
        base_scores = uncertainty.reference_scores
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
    names = list(spec.miv.schemes or (*study.schemes, *study.load_schemes(data.catalogue)))
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
        if name in COMPOSITE_SCHEMES[:5] and spec.miv.mfi_weights:
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
