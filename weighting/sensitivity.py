"""Uncertainty and sensitivity analysis of a composite score's assumptions.

An *assumption* is a named :class:`Factor`: a continuous distribution, or a discrete set of
alternatives, or a weight vector (Dirichlet around base weights, or uniform ranges).  Each
factor is driven by coordinates of the unit hypercube ``[0, 1)^d``, so the same factors serve
plain Monte Carlo (:meth:`UncertaintyAnalysis.run`: median rank, 5-95% rank interval,
probability of a top-k place) and variance-based sensitivity analysis
(:meth:`UncertaintyAnalysis.sobol`: first-order and total Sobol' indices with SALib).

The model is either a :class:`weighting.Scheme` (perturbed through its own API, with a
vectorised fast path for arithmetic / geometric / power-mean schemes) or any callable
``score(data, **assumptions) -> pandas.Series``; each factor's value is then passed as the
keyword of its name (or through the factor's ``apply`` function).

Runs are evaluated in chunks of fixed size through joblib.  Monte Carlo runs come in
blocks of 250: block ``b`` draws its random numbers from the ``b``-th child of
``np.random.SeedSequence(random_state)``, and a chunk cuts its rows out of the blocks it
overlaps, so results are identical whatever ``n_jobs``, joblib backend (e.g. dask) or
``chunk_size``.  With ``keep="summary"`` each chunk is folded into mergeable per-unit
summaries (:mod:`weighting._stream`) instead of a runs x units matrix.  The chunks are
dealt into a few joblib tasks per worker.  The vectorised path (matrix products and
sorts, which release the GIL) asks joblib for threads, as a soft hint:
``joblib.parallel_config(backend=...)`` (loky, dask) overrides it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from scipy import stats

from dea.exceptions import InputDataError, format_labels
from weighting._stream import DEFAULT_MAX_CELLS, RunSummary
from weighting.aggregate import PowerMean
from weighting.compare import _as_series
from weighting.estimator import Estimator
from weighting.exceptions import CoverageWarning, SmallSampleWarning
from weighting.plots import plot_rank_intervals
from weighting.scheme import Scheme

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["Factor", "SobolResult", "UncertaintyAnalysis", "UncertaintyResult"]

logger = logging.getLogger(__name__)
#: Smallest Sobol' base sample ``N`` run without a :class:`SmallSampleWarning`.  Below it the
#: Saltelli/Jansen estimators rest on fewer than 16 model differences per factor and, on a
#: simple additive model with true indices 0.2 and 0.8, gave NaN, negative or > 1 estimates
#: for about half the seeds at N = 8 and none at N = 16 (hundreds or more are needed for
#: two-digit precision).
SOBOL_MIN_N = 16

_EPS = 1e-12
DEFAULT_CHUNK_SIZE = 250
_DUMMY = "__unused__"
_BATCHES_PER_WORKER = 4  # joblib tasks per worker: load balance vs per-task overhead
_STREAM_BATCHES_PER_WORKER = 2  # streamed: each task also sends back its histograms
_FLOAT32_EXACT = 1 << 23  # half-integer ranks are exact in float32 below this
_BLOCK = DEFAULT_CHUNK_SIZE  # Monte Carlo runs per random block (one seed-sequence child)
#: ``keep="auto"`` keeps the runs x units matrices up to this many cells (runs x units; 80 MB
#: per float64 matrix) and streams summaries beyond.
FULL_MATRIX_CELLS = 10_000_000
DEFAULT_SCORE_BINS = 4096
_KEEP = ("auto", "full", "summary")

Target = str | tuple[str, Any] | Callable[[pd.DataFrame], np.ndarray]


# ====================================================================== factors
#: ``scale_reference`` not given: the factor's alternatives leave scores on one scale
_NO_SCALE: Any = type("_NoScale", (), {"__repr__": lambda self: "<same scale>"})()


def _role_choice(role: str, what: str, example: str) -> classmethod:
    """Build a :class:`Factor` constructor for a choice with a built-in scheme role."""

    def make(
        cls: type[Factor], alternatives: Sequence[Any], name: str = role,
        apply: Callable[[Any, Any], Any] | None = None, labels: Sequence[str] | None = None,
        scale_reference: Any = _NO_SCALE,
    ) -> Factor:
        return cls.choice(name, alternatives, apply=apply, role=role, labels=labels,
                          scale_reference=scale_reference)

    make.__name__ = {"missing": "missing_policy"}.get(role, role)
    make.__qualname__ = f"Factor.{make.__name__}"
    make.__doc__ = f"""Choice among {what}.

        Parameters
        ----------
        alternatives : sequence
            For example ``{example}``.
        name : str, default "{role}"
            Factor name.
        apply : callable, optional
            ``apply(scheme, value) -> scheme``; default the built-in effect of the role.
        labels : sequence of str, optional
            Display labels (default each alternative's name).
        scale_reference : optional
            The alternative of the reference scheme, when the alternatives put scores on
            different scales; see :meth:`Factor.choice`.

        Returns
        -------
        Factor

        Raises
        ------
        InputDataError
            No alternatives, not one label per alternative, or a ``scale_reference`` that is
            not one of the alternatives.
        """
    return classmethod(make)


@dataclass(frozen=True, eq=False)
class Factor:
    """One uncertain assumption of a composite score.

    Build factors with the class methods: :meth:`choice`, :meth:`uniform`,
    :meth:`continuous`, :meth:`weights_dirichlet`, :meth:`weights_uniform`,
    :meth:`normalisation`, :meth:`aggregation`, :meth:`exclude_indicator`,
    :meth:`missing_policy`, :meth:`returns_to_scale`, :meth:`replicates`.

    Parameters
    ----------
    name : str
        Unique name; for a callable model the keyword its value is passed under.
    kind : {"discrete", "continuous", "weights"}
        How the factor's hypercube coordinates map to values.
    alternatives : tuple, optional
        The alternatives of a discrete factor.
    ppf : callable, optional
        Continuous factor: quantile function mapping ``u in (0, 1)`` to a value.
    apply : callable, optional
        ``apply(target, value) -> target``: how a value changes the model.  ``target`` is the
        Scheme (scheme models) or the dict of keyword arguments (callable models).  Default:
        the built-in role's scheme operation, or ``kwargs[name] = value``.
    role : str, optional
        Built-in role (``"weights"``, ``"normalisation"``, ``"aggregation"``, ``"exclude"``,
        ``"missing"``, ``"rts"``) used by the scheme adapter.
    labels : tuple of str, optional
        Display labels of discrete alternatives.
    params : dict
        Role-specific settings (weights: ``concentration``, ``bounds``, ``base`` ...).

    Raises
    ------
    InputDataError
        Empty name, unknown kind, a discrete factor without alternatives or a continuous
        one without ``ppf``.
    """

    name: str
    kind: str
    alternatives: tuple[Any, ...] = ()
    ppf: Callable[[np.ndarray], np.ndarray] | None = None
    apply: Callable[[Any, Any], Any] | None = None
    role: str | None = None
    labels: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputDataError(f"Factor: name={self.name!r} is invalid; use a non-empty str")
        if self.kind not in ("discrete", "continuous", "weights"):
            raise InputDataError(
                f"Factor {self.name!r}: kind={self.kind!r} is invalid; allowed: 'discrete', "
                "'continuous', 'weights'"
            )
        if self.kind == "discrete" and len(self.alternatives) == 0:
            raise InputDataError(f"Factor {self.name!r}: a discrete factor needs alternatives")
        if self.kind == "continuous" and self.ppf is None:
            raise InputDataError(f"Factor {self.name!r}: a continuous factor needs a ppf")
        if self.kind == "discrete" and not self.labels:
            object.__setattr__(self, "labels", tuple(_label(a) for a in self.alternatives))

    # ------------------------------------------------------------ constructors
    @classmethod
    def choice(
        cls,
        name: str,
        alternatives: Sequence[Any],
        apply: Callable[[Any, Any], Any] | None = None,
        labels: Sequence[str] | None = None,
        role: str | None = None,
        scale_reference: Any = _NO_SCALE,
    ) -> Factor:
        """A discrete factor: one of ``alternatives``, equally likely.

        Parameters
        ----------
        name : str
            Factor name (the keyword of a callable model).
        alternatives : sequence
            The alternatives; ``u in [0, 1)`` selects ``alternatives[floor(u * m)]``.
        apply : callable, optional
            ``apply(target, value) -> target``; see :class:`Factor`.
        labels : sequence of str, optional
            Display labels (default ``str`` of each alternative or its ``name``).
        role : str, optional
            Built-in role for scheme models.
        scale_reference : optional
            Give it when the alternatives put the scores on different scales (a
            normalisation: percentile scores lie in [0, 1], z-scores are unbounded and
            centred on 0; an aggregator): it is the alternative of the reference scheme.
            The runs with another alternative still count for every rank statistic, but not
            for the score quantiles of :meth:`UncertaintyResult.summarise`, which are then
            on the reference scheme's scale (see there).

        Returns
        -------
        Factor

        Raises
        ------
        InputDataError
            No alternatives, not one label per alternative, or a ``scale_reference`` that is
            not one of the alternatives.
        """
        alts = tuple(alternatives)
        if not alts:
            raise InputDataError(f"Factor {name!r}: alternatives is empty; give at least one")
        labs = tuple(labels) if labels is not None else ()
        if labs and len(labs) != len(alts):
            raise InputDataError(
                f"Factor {name!r}: {len(labs)} labels for {len(alts)} alternatives; give one "
                "label per alternative"
            )
        params: dict[str, Any] = {}
        if scale_reference is not _NO_SCALE:
            hits = [i for i, a in enumerate(alts)
                    if a is scale_reference or _same(a, scale_reference)]
            if not hits:
                raise InputDataError(
                    f"Factor {name!r}: scale_reference={scale_reference!r} is not one of the "
                    f"alternatives {format_labels(alts)}; give the reference scheme's own"
                )
            params["scale_reference"] = hits[0]
        return cls(name, "discrete", alts, apply=apply, role=role, labels=labs, params=params)

    @classmethod
    def uniform(
        cls, name: str, low: float, high: float, apply: Callable[[Any, Any], Any] | None = None
    ) -> Factor:
        """A continuous factor uniform on ``[low, high]``.

        Parameters
        ----------
        name : str
            Factor name.
        low, high : float
            Bounds, ``low <= high``.
        apply : callable, optional
            ``apply(target, value) -> target``.

        Returns
        -------
        Factor

        Raises
        ------
        InputDataError
            Bounds not finite or ``low > high``.
        """
        lo, hi = float(low), float(high)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo <= hi):
            raise InputDataError(
                f"Factor {name!r}: bounds ({low}, {high}) are invalid; need finite low <= high"
            )
        return cls(
            name, "continuous", ppf=_UniformPPF(lo, hi), apply=apply,
            params={"low": lo, "high": hi},
        )

    @classmethod
    def continuous(
        cls, name: str, distribution: Any, apply: Callable[[Any, Any], Any] | None = None
    ) -> Factor:
        """A continuous factor with any distribution that has a ``ppf`` (e.g. scipy.stats).

        Parameters
        ----------
        name : str
            Factor name.
        distribution : object with ``ppf``
            For example ``scipy.stats.beta(2, 5)`` or ``scipy.stats.truncnorm(...)``.
        apply : callable, optional
            ``apply(target, value) -> target``.

        Returns
        -------
        Factor

        Raises
        ------
        InputDataError
            The distribution has no ``ppf`` method.
        """
        if not callable(getattr(distribution, "ppf", None)):
            raise InputDataError(
                f"Factor {name!r}: distribution has no ppf method; pass a frozen scipy.stats "
                "distribution (e.g. scipy.stats.beta(2, 5))"
            )
        return cls(name, "continuous", ppf=distribution.ppf, apply=apply)

    @classmethod
    def weights_dirichlet(
        cls,
        concentration: float = 50.0,
        base: Mapping[str, float] | pd.Series | None = None,
        name: str = "weights",
    ) -> Factor:
        """Weights drawn from a Dirichlet distribution centred on the base weights.

        Parameters
        ----------
        concentration : float, default 50
            :math:`c > 0`; the weights are :math:`w \\sim \\mathrm{Dir}(c\\,w^0)`, with mean
            :math:`w^0` (the base weights, summing to 1) and
            :math:`\\mathrm{Var}(w_i) = w^0_i(1-w^0_i)/(c+1)`.  Large ``c`` means little
            uncertainty; ``c -> inf`` reproduces the base weights.
        base : Series or mapping of indicator to weight, optional
            Base weights; default the scheme's own weights (required for callable models).
        name : str, default "weights"
            Factor name (the keyword a callable model receives a weight Series under).

        Returns
        -------
        Factor

        Raises
        ------
        InputDataError
            ``concentration`` not positive, or invalid base weights.

        Notes
        -----
        Each weight uses one hypercube coordinate :math:`u_i`:
        :math:`g_i = F^{-1}_{\\Gamma(c w^0_i)}(u_i)`, :math:`w_i = g_i / \\sum_j g_j`
        (a Dirichlet vector by the gamma construction).  Indicators with zero base weight keep
        weight zero.
        """
        try:
            c = float(concentration)
        except (TypeError, ValueError):
            c = np.nan
        if not np.isfinite(c) or c <= 0:
            raise InputDataError(
                f"Factor {name!r}: concentration={concentration!r} is invalid; need c > 0"
            )
        return cls(
            name, "weights", role="weights",
            params={"method": "dirichlet", "concentration": c, "base": _opt_series(base)},
        )

    @classmethod
    def weights_uniform(
        cls,
        spread: float | None = 0.5,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        base: Mapping[str, float] | pd.Series | None = None,
        normalise: bool = True,
        name: str = "weights",
    ) -> Factor:
        """Weights drawn independently from uniform ranges, then rescaled to sum to one.

        Parameters
        ----------
        spread : float, default 0.5
            Relative half-width: :math:`w_i \\sim U(w^0_i(1-s), w^0_i(1+s))`, ``0 <= s <= 1``.
            Ignored for indicators listed in ``bounds``.
        bounds : mapping of indicator to (low, high), optional
            Explicit ranges (non-negative) for some or all indicators.
        base : Series or mapping, optional
            Base weights; default the scheme's own weights.
        normalise : bool, default True
            Divide each drawn vector by its sum.
        name : str, default "weights"
            Factor name.

        Returns
        -------
        Factor

        Raises
        ------
        InputDataError
            ``spread`` outside ``[0, 1]``, invalid bounds or base weights.
        """
        if spread is not None and not 0 <= float(spread) <= 1:
            raise InputDataError(
                f"Factor {name!r}: spread={spread!r} is invalid; need 0 <= spread <= 1"
            )
        bnd = {}
        for k, (lo, hi) in (bounds or {}).items():
            if not (0 <= float(lo) <= float(hi) and np.isfinite(float(hi))):
                raise InputDataError(
                    f"Factor {name!r}: bounds for {k!r} ({lo}, {hi}) are invalid; "
                    "need 0 <= low <= high < inf"
                )
            bnd[k] = (float(lo), float(hi))
        return cls(
            name, "weights", role="weights",
            params={"method": "uniform", "spread": None if spread is None else float(spread),
                    "bounds": bnd, "base": _opt_series(base), "normalise": bool(normalise)},
        )

    normalisation = _role_choice(
        "normalisation", "normalisations (names or normaliser objects the scheme accepts)",
        '["minmax", "zscore", "rank"]',
    )
    aggregation = _role_choice(
        "aggregation", "aggregators (names or aggregator objects the scheme accepts)",
        '["arithmetic", "geometric"]',
    )

    @classmethod
    def exclude_indicator(
        cls, candidates: Sequence[str] | None = None, include_none: bool = True,
        name: str = "exclude", apply: Callable[[Any, Any], Any] | None = None,
    ) -> Factor:
        """Leave one indicator out (or none), the remaining weights rescaled.

        Parameters
        ----------
        candidates : sequence of str, optional
            Indicators that may be dropped; default all of the scheme's indicators.
        include_none : bool, default True
            Whether "drop nothing" (value None) is one of the alternatives.
        name : str, default "exclude"
        apply : callable, optional

        Returns
        -------
        Factor
        """
        params = {"candidates": None if candidates is None else tuple(candidates),
                  "include_none": bool(include_none)}
        alts: tuple[Any, ...] = ((None,) if include_none else ()) + tuple(candidates or ())
        if not alts:
            alts = (None,)  # resolved against the scheme's indicators when bound
        f = cls(name, "discrete", alts, apply=apply, role="exclude", params=params)
        return f

    missing_policy = _role_choice(
        "missing", "missing-data policies the scheme accepts", '["exclude", "mean", "zero"]',
    )

    @classmethod
    def replicates(
        cls, table: pd.DataFrame, name: str = "replicate", indicator: str | None = None,
        apply: Callable[[Any, Any], Any] | None = None,
    ) -> Factor:
        """Sampling error of an estimated indicator: each run uses one replicate of it.

        A discrete factor whose alternatives are the columns of ``table`` (units x
        replicates, e.g. bootstrap replications of DEA scores:
        ``dea.bootstrap(..., return_replications=True).replications``), equally likely,
        so a run picks replicate ``b`` and the rank intervals cover the estimate's
        sampling error together with the other factors.

        Parameters
        ----------
        table : DataFrame
            Replicated values, indexed by unit; one column per replicate.
        name : str, default "replicate"
            Factor name; for a callable model the keyword receiving the replicate (a
            Series indexed by unit) unless ``apply`` is given.
        indicator : str, optional
            For a Scheme model: the data column replaced by the replicate (aligned on the
            unit index) before scoring.  Required for Scheme models.
        apply : callable, optional
            ``apply(target, series) -> target`` instead of the defaults above.

        Returns
        -------
        Factor

        Raises
        ------
        InputDataError
            ``table`` not a DataFrame, empty, or with non-finite values.
        """
        if not isinstance(table, pd.DataFrame) or table.shape[1] == 0 or table.empty:
            raise InputDataError(
                f"Factor {name!r}: table must be a non-empty DataFrame (units x replicates)"
            )
        vals = table.to_numpy(dtype=float)
        if not np.isfinite(vals).all():
            cols = table.columns[~np.isfinite(vals).all(axis=0)]
            raise InputDataError(
                f"Factor {name!r}: replicates {format_labels(cols)} have missing or "
                "non-finite values; drop those columns"
            )
        alts = tuple(table.columns)
        f = cls.choice(name, alts, labels=[f"{name}[{_label(a)}]" for a in alts],
                       role="replicate")
        inner = apply

        def pick(target: Any, column: Any, _t: pd.DataFrame = table) -> Any:
            return inner(target, _t[column])

        if inner is not None:
            object.__setattr__(f, "apply", pick)
        f.params.update({"table": table, "indicator": indicator})
        return f

    @classmethod
    def returns_to_scale(
        cls, alternatives: Sequence[str] = ("crs", "vrs"), name: str = "rts",
        apply: Callable[[Any, Any], Any] | None = None,
    ) -> Factor:
        """Choice of DEA returns to scale, for DEA/BoD-based models.

        Parameters
        ----------
        alternatives : sequence of str, default ("crs", "vrs")
        name : str, default "rts"
            For a callable model, the keyword receiving the value.
        apply : callable, optional
            For a scheme: ``apply(scheme, rts) -> scheme``; default sets ``rts`` on the
            scheme's weighter.

        Returns
        -------
        Factor
        """
        return cls.choice(name, alternatives, apply=apply, role="rts")

    # ------------------------------------------------------------ helpers
    @property
    def is_discrete(self) -> bool:
        """Whether the factor takes one of a finite set of alternatives."""
        return self.kind == "discrete"

    def _value(self, u: np.ndarray) -> np.ndarray:
        """Map hypercube coordinates ``u`` (n,) to values: indices or floats."""
        if self.kind == "discrete":
            m = len(self.alternatives)
            return np.minimum((np.asarray(u) * m).astype(np.int64), m - 1)
        assert self.ppf is not None
        return np.asarray(self.ppf(np.clip(u, _EPS, 1 - _EPS)), dtype=float)

    def __repr__(self) -> str:
        if self.kind == "discrete":
            return f"Factor.choice({self.name!r}, [{', '.join(self.labels)}])"
        if self.kind == "weights":
            p = {k: v for k, v in self.params.items() if k != "base" and v is not None}
            return f"Factor.weights({self.name!r}, {p})"
        return f"Factor.continuous({self.name!r})"


@dataclass(frozen=True)
class _UniformPPF:
    low: float
    high: float

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return self.low + np.asarray(u) * (self.high - self.low)


def _label(x: object) -> str:
    if x is None:
        return "none"
    if isinstance(x, str):
        return x
    name = getattr(x, "name", None)
    return name if isinstance(name, str) else repr(x)


def _opt_series(base: Mapping[str, float] | pd.Series | None) -> pd.Series | None:
    if base is None:
        return None
    s = pd.Series(base, dtype=float)
    if s.isna().any() or (s < 0).any() or s.sum() <= 0:
        raise InputDataError(
            f"weights base: {format_labels(s.index[(s.isna() | (s < 0)).to_numpy()])} invalid; "
            "base weights must be non-negative numbers with a positive sum"
        )
    return s / s.sum()


class _WeightSampler:
    """A weights factor bound to its base weights: maps ``k`` coordinates to a vector."""

    def __init__(self, factor: Factor, base: pd.Series) -> None:
        self.factor = factor
        self.base = base
        self.size = len(base)
        p = factor.params
        w0 = base.to_numpy(float)
        if p["method"] == "dirichlet":
            self.alpha = p["concentration"] * w0
        else:
            lo, hi = np.empty_like(w0), np.empty_like(w0)
            s = p["spread"]
            for i, ind in enumerate(base.index):
                if ind in p["bounds"]:
                    lo[i], hi[i] = p["bounds"][ind]
                elif s is None:
                    raise InputDataError(
                        f"Factor {factor.name!r}: no bounds for indicator {ind!r} and "
                        "spread=None; give bounds for every indicator or a spread"
                    )
                else:
                    lo[i], hi[i] = w0[i] * (1 - s), w0[i] * (1 + s)
            unknown = set(p["bounds"]) - set(base.index)
            if unknown:
                raise InputDataError(
                    f"Factor {factor.name!r}: bounds name unknown indicators "
                    f"{format_labels(sorted(map(str, unknown)))}; allowed: "
                    f"{format_labels(base.index)}"
                )
            self.lo, self.hi = lo, hi

    def values(self, u: np.ndarray) -> np.ndarray:
        """Map ``u`` (n, size) to weight vectors (n, size)."""
        u = np.clip(u, _EPS, 1 - _EPS)
        if self.factor.params["method"] == "dirichlet":
            g = np.zeros_like(u)
            pos = self.alpha > 0
            g[:, pos] = stats.gamma.ppf(u[:, pos], self.alpha[pos])
            return g / g.sum(axis=1, keepdims=True)
        w = self.lo + u * (self.hi - self.lo)
        if self.factor.params["normalise"]:
            tot = w.sum(axis=1, keepdims=True)
            w = np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)
        return w


# ====================================================================== models
class _Model:
    """What the analysis needs from a model (scheme adapter or callable)."""

    units: pd.Index
    indicators: pd.Index | None
    factors: list[Factor]

    def base_weights(self) -> pd.Series | None:  # pragma: no cover - interface
        raise NotImplementedError

    def reference(self) -> pd.Series:  # pragma: no cover - interface
        raise NotImplementedError

    def evaluate_group(
        self, assignment: dict[str, Any], weights: np.ndarray | None
    ) -> np.ndarray:  # pragma: no cover - interface
        """Scores (n_rows, n_units) for one setting of the non-weight factors."""
        raise NotImplementedError


def _align(scores: object, units: pd.Index, where: str) -> np.ndarray:
    if isinstance(scores, pd.DataFrame) and scores.shape[1] == 1:
        scores = scores.iloc[:, 0]
    if not isinstance(scores, pd.Series):
        inner = getattr(scores, "scores", None)
        if isinstance(inner, pd.Series):
            scores = inner
        else:
            raise InputDataError(
                f"{where}: the model returned a {type(scores).__name__}; it must return a "
                "pandas Series of scores indexed by unit"
            )
    if scores.index.equals(units):
        return scores.to_numpy(dtype=float)
    extra = scores.index.difference(units)
    if len(extra):
        raise InputDataError(
            f"{where}: the model scored units absent from the reference run: "
            f"{format_labels(extra)}; every run must score a subset of the reference units"
        )
    return scores.reindex(units).to_numpy(dtype=float)


class _CallableModel(_Model):
    def __init__(
        self, func: Callable[..., Any], data: Any, factors: Sequence[Factor],
        base_kwargs: Mapping[str, Any],
    ) -> None:
        self.func = func
        self.data = data
        self.factors = list(factors)
        self.base_kwargs = dict(base_kwargs)
        ref = _as_series(func(data, **self.base_kwargs), "reference",
                         "UncertaintyAnalysis: the model's scores")
        self._ref = ref
        self.units = ref.index
        self.indicators = None

    def base_weights(self) -> pd.Series | None:
        return None

    def reference(self) -> pd.Series:
        return self._ref

    def evaluate_group(self, assignment: dict[str, Any], weights: np.ndarray | None) -> np.ndarray:
        batch = getattr(self.func, "score_batch", None)
        wf = [f for f in self.factors if f.kind == "weights"]
        if weights is not None and callable(batch) and wf[0].apply is None:
            return self._batch(batch, assignment, weights, wf[0])
        n = 1 if weights is None else weights.shape[0]
        out = np.empty((n, len(self.units)))
        for r in range(n):
            kw = dict(self.base_kwargs)
            for f in self.factors:
                if f.kind == "weights":
                    assert weights is not None
                    val: Any = pd.Series(weights[r], index=self._weight_index(f))
                else:
                    val = assignment[f.name]
                    if f.role == "replicate" and f.apply is None:
                        val = f.params["table"][val]
                kw = f.apply(kw, val) if f.apply is not None else {**kw, f.name: val}
                if not isinstance(kw, dict):
                    raise InputDataError(
                        f"Factor {f.name!r}: apply returned a {type(kw).__name__}; for a "
                        "callable model apply(kwargs, value) must return the kwargs dict"
                    )
            out[r] = _align(self.func(self.data, **kw), self.units, "UncertaintyAnalysis")
        return out

    def _weight_index(self, f: Factor) -> pd.Index:
        return f.params["base"].index

    def _batch(
        self, batch: Callable[..., Any], assignment: dict[str, Any], weights: np.ndarray,
        wf: Factor,
    ) -> np.ndarray:
        """All weight vectors of a group in one ``score_batch`` call."""
        kw = dict(self.base_kwargs)
        for f in self.factors:
            if f.kind == "weights":
                continue
            val = assignment[f.name]
            kw = f.apply(kw, val) if f.apply is not None else {**kw, f.name: val}
            if not isinstance(kw, dict):
                raise InputDataError(
                    f"Factor {f.name!r}: apply returned a {type(kw).__name__}; for a "
                    "callable model apply(kwargs, value) must return the kwargs dict"
                )
        kw[wf.name] = pd.DataFrame(weights, columns=self._weight_index(wf))
        out = batch(self.data, **kw)
        if isinstance(out, pd.DataFrame):
            extra = out.columns.difference(self.units)
            if len(extra):
                raise InputDataError(
                    f"UncertaintyAnalysis: score_batch scored units absent from the reference "
                    f"run: {format_labels(extra)}"
                )
            out = out.reindex(columns=self.units).to_numpy(dtype=float)
        out = np.asarray(out, dtype=float)
        if out.shape != (weights.shape[0], len(self.units)):
            raise InputDataError(
                f"UncertaintyAnalysis: score_batch returned shape {out.shape}; expected "
                f"(runs, units) = {(weights.shape[0], len(self.units))}"
            )
        return out


# ====================================================================== progress
class _Progress:
    def __init__(self, total: int, enabled: bool, label: str) -> None:
        self.total, self.enabled, self.label = total, enabled, label
        self.done = 0
        self.t0 = time.perf_counter()

    def update(self, k: int) -> None:
        self.done += k
        if not self.enabled:
            return
        frac = self.done / max(self.total, 1)
        bar = "#" * int(30 * frac)
        el = time.perf_counter() - self.t0
        sys.stderr.write(
            f"\r{self.label} [{bar:<30}] {self.done}/{self.total} runs, {el:.1f} s"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


# ====================================================================== plan
class _Plan:
    """Factors bound to a model: which hypercube columns drive which factor."""

    def __init__(self, factors: Sequence[Factor], model: _Model) -> None:
        names = [f.name for f in factors]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InputDataError(
                f"UncertaintyAnalysis: factor names {format_labels(dup)} are used twice; "
                "each factor needs a unique name"
            )
        if not factors:
            raise InputDataError("UncertaintyAnalysis: factors is empty; give at least one")
        wfs = [f for f in factors if f.kind == "weights"]
        if len(wfs) > 1:
            raise InputDataError(
                f"UncertaintyAnalysis: {len(wfs)} weights factors "
                f"({format_labels(f.name for f in wfs)}); at most one is allowed"
            )
        bound: list[Factor] = []
        for f in factors:
            if f.role == "exclude" and f.params.get("candidates") is None:
                if model.indicators is None:
                    raise InputDataError(
                        f"Factor {f.name!r}: candidates must be given for a callable model "
                        "(the model's indicators are unknown)"
                    )
                alts = ((None,) if f.params["include_none"] else ()) + tuple(model.indicators)
                f = Factor(f.name, "discrete", alts, apply=f.apply, role=f.role,
                           params={**f.params, "candidates": tuple(model.indicators)})
            bound.append(f)
        self.factors = bound
        self.sampler: _WeightSampler | None = None
        self.slices: dict[str, slice] = {}
        d = 0
        for i, f in enumerate(bound):
            size = 1
            if f.kind == "weights":
                base = f.params["base"]
                if base is None:
                    base = model.base_weights()
                if base is None:
                    raise InputDataError(
                        f"Factor {f.name!r}: base weights are unknown for a callable model; "
                        "pass base=... (a Series indexed by indicator)"
                    )
                if model.indicators is not None:
                    missing = model.indicators.difference(base.index)
                    extra = base.index.difference(model.indicators)
                    if len(missing) or len(extra):
                        raise InputDataError(
                            f"Factor {f.name!r}: base weights do not match the scheme's "
                            f"indicators (missing {format_labels(missing)}; unknown "
                            f"{format_labels(extra)})"
                        )
                    base = base.reindex(model.indicators)
                # bind a copy: the user's Factor stays reusable with other models
                f = Factor(f.name, f.kind, f.alternatives, f.ppf, f.apply, f.role, f.labels,
                           {**f.params, "base": base})
                bound[i] = f
                self.sampler = _WeightSampler(f, base)
                size = self.sampler.size
            self.slices[f.name] = slice(d, d + size)
            d += size
        self.dim = d
        self.discrete_names = [f.name for f in bound if f.kind != "weights"]

    def coordinate_groups(self) -> list[str]:
        """Factor name of each hypercube column (SALib ``groups``)."""
        out: list[str] = []
        for f in self.factors:
            s = self.slices[f.name]
            out += [f.name] * (s.stop - s.start)
        return out

    def decode(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Key matrix (n, n_other_factors) of indices/floats and weights (n, k) or None."""
        keys = np.empty((u.shape[0], len(self.discrete_names)))
        j = 0
        weights = None
        for f in self.factors:
            s = self.slices[f.name]
            if f.kind == "weights":
                assert self.sampler is not None
                weights = self.sampler.values(u[:, s])
            else:
                keys[:, j] = f._value(u[:, s.start])
                j += 1
        return keys, weights

    def assignment(self, key: np.ndarray) -> dict[str, Any]:
        out = {}
        for f, v in zip([f for f in self.factors if f.kind != "weights"], key, strict=True):
            out[f.name] = f.alternatives[int(v)] if f.kind == "discrete" else float(v)
        return out

    def on_reference_scale(self, u: np.ndarray) -> np.ndarray:
        """Per run: every factor with a ``scale_reference`` takes that alternative."""
        keys, _ = self.decode(u)
        ok = np.ones(u.shape[0], dtype=bool)
        j = 0
        for f in self.factors:
            if f.kind == "weights":
                continue
            if f.kind == "discrete" and "scale_reference" in f.params:
                ok &= keys[:, j].astype(int) == int(f.params["scale_reference"])
            j += 1
        return ok

    def design_frame(self, u: np.ndarray) -> pd.DataFrame:
        """Readable design: one column per factor (weights: one per indicator)."""
        keys, weights = self.decode(u)
        cols: dict[str, Any] = {}
        j = 0
        for f in self.factors:
            if f.kind == "weights":
                assert weights is not None and self.sampler is not None
                for i, ind in enumerate(self.sampler.base.index):
                    cols[f"{f.name}[{ind}]"] = weights[:, i]
            elif f.kind == "discrete":
                cols[f.name] = pd.Categorical.from_codes(
                    keys[:, j].astype(int), categories=pd.Index(f.labels)
                ) if len(set(f.labels)) == len(f.labels) else np.asarray(f.labels)[
                    keys[:, j].astype(int)]
                j += 1
            else:
                cols[f.name] = keys[:, j]
                j += 1
        return pd.DataFrame(cols)


def _same(a: Any, b: Any) -> bool:
    """``a == b`` as a plain bool (False where the comparison fails or is not a bool)."""
    try:
        eq = a == b
    except Exception:  # objects without a usable ==
        return False
    return eq if isinstance(eq, bool | np.bool_) else False


def _evaluate_rows(model: _Model, plan: _Plan, u: np.ndarray) -> np.ndarray:
    """Scores (n_rows, n_units) for hypercube rows ``u``; runs sharing settings go together."""
    keys, weights = plan.decode(u)
    out = np.empty((u.shape[0], len(model.units)))
    if keys.shape[1]:
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.ravel()
    else:
        uniq, inverse = np.zeros((1, 0)), np.zeros(u.shape[0], dtype=np.int64)
    for g in range(uniq.shape[0]):
        idx = np.flatnonzero(inverse == g)
        assignment = plan.assignment(uniq[g])
        if weights is None:
            out[idx] = model.evaluate_group(assignment, None)[0]
        else:
            out[idx] = model.evaluate_group(assignment, weights[idx])
    return out


def _block_rows(seeds: Sequence[np.random.SeedSequence], skip: int, n_rows: int, dim: int
                ) -> np.ndarray:
    """Rows ``skip .. skip + n_rows`` of the random blocks drawn from ``seeds``.

    Block ``b`` of a Monte Carlo run is ``_BLOCK`` rows drawn from the ``b``-th child of the
    run's seed sequence, whatever the chunk size: a chunk cuts the rows it needs out of the
    blocks it overlaps, so the runs do not depend on ``chunk_size`` (nor on ``n_jobs``).
    numpy fills ``random((k, d))`` row by row, so a block's first rows are the same
    whether ``k`` is the block or fewer rows.
    """
    need = skip + n_rows
    parts = []
    for i, seed in enumerate(seeds):
        rows = min(_BLOCK, need - i * _BLOCK)
        parts.append(np.random.default_rng(seed).random((rows, dim)))
    u = parts[0] if len(parts) == 1 else np.vstack(parts)
    return u[skip:need]


def _mc_chunk(
    model: _Model, plan: _Plan, higher_is_better: bool,
    seeds: Sequence[np.random.SeedSequence], skip: int, n_rows: int,
) -> Any:
    u = _block_rows(seeds, skip, n_rows, plan.dim)
    y = _evaluate_rows(model, plan, u)
    return u, y, _rank_rows(y, higher_is_better)


def _design_chunk(model: _Model, plan: _Plan, higher_is_better: bool, u: np.ndarray) -> Any:
    y = _evaluate_rows(model, plan, u)
    return u, y, _rank_rows(y, higher_is_better)


@dataclass(frozen=True)
class _StreamSpec:
    """What a streamed task keeps of its chunks: per-run targets and (optionally) the
    per-unit summaries (see :mod:`weighting._stream`)."""

    units: pd.Index
    ref_ranks: np.ndarray
    targets: tuple[Any, ...]  # evaluated per run ("mean_rank_shift", ("rank", u), ...)
    summary: bool
    score_width: float
    max_cells: int
    score_cells: int


def _run_batch(
    worker: Callable[..., Any], model: _Model, plan: _Plan, higher_is_better: bool,
    batch: Sequence[tuple[Any, ...]], stream: _StreamSpec | None = None,
) -> tuple[Any, ...]:
    """One joblib task: several chunks, stacked; ranks sent back as float32.

    Ranks are integers or halves (ties averaged), exact in float32 below 2**23 units, so
    the compact type loses nothing and halves what a process or dask worker sends back.
    With ``stream``, no runs x units matrix is returned: the design, the per-run targets
    and a :class:`weighting._stream.RunSummary` of the chunks (merged by the caller).
    """
    if stream is not None:
        summary = RunSummary(len(stream.units), stream.score_width, stream.max_cells,
                             stream.score_cells) if stream.summary else None
        us, vals = [], []
        for t in batch:
            u, y, r = worker(model, plan, higher_is_better, *t)
            us.append(u)
            vals.append([_target_values(tg, y, r, stream.ref_ranks, stream.units)
                         for tg in stream.targets])
            if summary is not None:
                summary.add(y, r, plan.on_reference_scale(u))
        cols = [np.concatenate(c) for c in zip(*vals, strict=True)]
        return np.vstack(us), cols, summary
    parts = [worker(model, plan, higher_is_better, *t) for t in batch]
    u, y, r = (np.vstack(p) if len(parts) > 1 else p[0] for p in zip(*parts, strict=True))
    if r.shape[1] < _FLOAT32_EXACT:
        r = r.astype(np.float32)
    return u, y, r


def _rank_rows(scores: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Ranks along each row, 1 = best, ties averaged, NaN scores -> NaN ranks.

    One ``argsort`` along the rows; rows with tied scores are re-ranked with
    ``scipy.stats.rankdata`` (average ranks), so the result equals ``rankdata`` everywhere.
    """
    x = -scores if higher_is_better else scores
    if x.ndim != 2 or x.shape[1] == 0:
        return np.full(x.shape, np.nan)
    order = np.argsort(x, axis=1, kind="stable")  # NaN last
    ranks = np.empty(x.shape)
    rows = np.arange(x.shape[0])[:, None]
    ranks[rows, order] = np.arange(1, x.shape[1] + 1, dtype=float)[None, :]
    xs = np.take_along_axis(x, order, axis=1)
    tied = (xs[:, 1:] == xs[:, :-1]).any(axis=1)
    nan = np.isnan(x)
    if tied.any():
        sub = x[tied]
        ranks[tied] = stats.rankdata(sub, axis=1, method="average", nan_policy="omit") \
            if np.isnan(sub).any() else stats.rankdata(sub, axis=1, method="average")
    ranks[nan] = np.nan
    return ranks


# ====================================================================== analysis
class UncertaintyAnalysis:
    """Monte Carlo uncertainty and Sobol' sensitivity analysis of a score's assumptions.

    Parameters
    ----------
    model : Scheme or callable
        A :class:`weighting.Scheme`, or a callable ``score(data, **assumptions)`` returning a
        pandas Series of scores indexed by unit (each factor's value is passed as the keyword
        of its name unless the factor has its own ``apply``).  A callable object may also
        offer ``score_batch(data, **assumptions)``: it then receives, under the weights
        factor's name, a DataFrame of weight vectors (runs x indicators) for all runs that
        share the other factors' values, and returns scores (runs x units, a DataFrame with
        unit columns or an array in the reference's unit order).
    data : object
        The data the model scores (a DataFrame of indicators for a scheme).
    factors : sequence of Factor
        The uncertain assumptions.
    reference : pandas.Series, optional
        Reference scores that rank shifts are measured against; default the model's own
        scores with no factor applied (the base scheme).
    higher_is_better : bool, default True
        Direction of the model's scores.
    model_kwargs : mapping, optional
        Fixed keyword arguments: passed on every call of a callable model (the reference run
        uses only these), or to ``Scheme.score`` (e.g. ``reference=``, ``groups=``).
    chunk_size : int, default 250
        Runs per chunk (the unit of work and of streamed summaries).  The Monte Carlo draws
        come in fixed blocks of 250 runs whatever the chunk size, so results depend neither
        on it nor on ``n_jobs`` (scores to rounding: batched matrix products may differ in
        the last bit).  Larger chunks amortise per-chunk overhead (1,000 was about 1.7x
        faster than 250 on 745 units); memory per task grows as ``chunk_size x units``.
    vectorise : bool, default True
        Use the vectorised fast path when the scheme allows it.

    Raises
    ------
    InputDataError
        Invalid factors (duplicate names, two weights factors, weights that do not match the
        scheme's indicators), or a model that does not return scores.

    Notes
    -----
    Each run draws a point :math:`u \\in [0,1)^d`.  A discrete factor with :math:`m`
    alternatives takes alternative :math:`\\lfloor u_j m \\rfloor`; a continuous factor takes
    :math:`F^{-1}(u_j)`; the weights factor uses one coordinate per indicator (see
    :meth:`Factor.weights_dirichlet`).  The rank shift of a run is
    :math:`\\frac1n\\sum_i |r_i - r_i^{\\mathrm{ref}}|` over the units scored in both.

    With a Scheme, the weights factor perturbs the *effective* indicator weights
    :math:`w_j = \\tilde w_j v_{d(j)}` (within-dimension weight times dimension weight; they
    sum to one) as fixed numbers: a data-driven weighter is not refitted, and the dimension
    weights of a hierarchical scheme become the dimension sums of the drawn weights (their
    mean is the base dimension weight).  The other factors are then applied in the order
    given (normalisation, aggregation, missing-data policy: ``Scheme.replace``; exclusion:
    the indicator is dropped and the remaining weights rescaled).  Without a weights factor
    the scheme's weighter is refitted under each setting.

    Fast path: runs that share the discrete settings form a group; the group's scheme is
    scored once (normalised values, missing data, exclusions) and all its weight vectors
    are applied at once with ``Aggregator.aggregate_runs`` (for the arithmetic mean a
    matrix product ``X W^T``), per dimension for a hierarchical scheme, then the power mean
    of the dimension scores.  Schemes that cannot be re-weighted in bulk (unit-specific BoD
    weights, fitted dimension weights, a non-power-mean top level) are scored run by run
    with ``Scheme.score``; both paths give the same numbers (tested to 1e-10).

    References
    ----------
    Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and sensitivity analysis
    techniques as tools for the quality assessment of composite indicators. *Journal of the
    Royal Statistical Society A* 168(2), 307-323.

    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 1.7 and
    chapter 7.
    """

    def __init__(
        self,
        model: Any,
        data: Any = None,
        factors: Sequence[Factor] = (),
        *,
        reference: pd.Series | None = None,
        higher_is_better: bool = True,
        model_kwargs: Mapping[str, Any] | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        vectorise: bool = True,
    ) -> None:
        if not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
            raise InputDataError(
                f"UncertaintyAnalysis: chunk_size={chunk_size!r} is invalid; need an int >= 1"
            )
        factors = list(factors)
        bad = [type(f).__name__ for f in factors if not isinstance(f, Factor)]
        if bad:
            raise InputDataError(
                f"UncertaintyAnalysis: factors must be Factor objects, got {format_labels(bad)}"
            )
        self.model = model
        self.data = data
        self.higher_is_better = bool(higher_is_better)
        self.chunk_size = int(chunk_size)
        self._model = _make_model(model, data, factors, model_kwargs or {}, vectorise)
        self._plan = _Plan(factors, self._model)
        self.factors = self._plan.factors
        self._model.factors = self._plan.factors  # the bound factors (resolved weights, ...)
        units = self._model.units
        if reference is None:
            ref = self._model.reference()
        else:
            ref = pd.Series(reference, dtype=float)
            missing = units.difference(ref.index)
            if len(missing):
                raise InputDataError(
                    f"UncertaintyAnalysis: reference lacks units {format_labels(missing)}; "
                    "it must score every unit the model scores"
                )
        self.reference_scores = ref.reindex(units).astype(float)
        self.reference_ranks = pd.Series(
            _rank_rows(self.reference_scores.to_numpy()[None, :], self.higher_is_better)[0],
            index=units, name="reference_rank",
        )

    @property
    def units(self) -> pd.Index:
        """The units scored by the reference run."""
        return self._model.units

    @property
    def vectorised(self) -> bool:
        """Whether the fast matrix path is used for the weights."""
        return bool(getattr(self._model, "vectorised", False))

    # -------------------------------------------------------------- execution
    def _execute(
        self, tasks: list[tuple[Any, ...]], worker: Callable[..., Any], n_jobs: int | None,
        progress: bool, total: int, label: str, stream: _StreamSpec | None = None,
    ) -> tuple[Any, ...]:
        """Run ``worker`` over ``tasks`` (chunks) through joblib; stack or merge the results.

        The chunks are dealt into a few batches per worker (one task each), so per-task
        overhead (pickling the model for a process or dask worker) is paid a few times, not
        once per chunk; results do not depend on the batching.  The vectorised path is numpy
        work that releases the GIL, so it asks joblib for threads (``prefer="threads"``, a
        soft hint: a backend set with ``joblib.parallel_config``, e.g. dask, still wins);
        other models keep joblib's default (processes), since scoring them holds the GIL.

        Without ``stream`` returns the design, scores and ranks (runs x units).  With it,
        the design, the per-run targets and the merged summary (None if not asked for);
        batches come back in order and are merged in chunk order, so the summaries are
        the same for any ``n_jobs`` or backend.
        """
        bar = _Progress(total, progress, label)
        workers = effective_n_jobs(n_jobs)
        if stream is not None:  # each task returns a summary: few, large tasks
            per = -(-len(tasks) // (_STREAM_BATCHES_PER_WORKER * max(workers, 1)))
        else:
            per = 1 if workers <= 1 else -(-len(tasks) // (_BATCHES_PER_WORKER * workers))
        batches = [tasks[i:i + per] for i in range(0, len(tasks), per)]
        par = Parallel(
            n_jobs=n_jobs, prefer="threads" if self.vectorised else None,
            return_as="generator" if progress or stream is not None else "list",
        )
        calls = (delayed(_run_batch)(worker, self._model, self._plan, self.higher_is_better, b,
                                     stream)
                 for b in batches)
        u_all = np.empty((total, self._plan.dim))
        at = 0
        if stream is not None:
            t_all = [np.empty(total) for _ in stream.targets]
            merged = RunSummary(len(self.units), stream.score_width, stream.max_cells,
                                stream.score_cells) if stream.summary else None
            for u, vals, part in par(calls):
                k = len(u)
                u_all[at:at + k] = u
                for dst, v in zip(t_all, vals, strict=True):
                    dst[at:at + k] = v
                if merged is not None:
                    merged.merge(part)
                at += k
                bar.update(k)
            return u_all, t_all, merged
        y_all = np.empty((total, len(self.units)))
        r_all = np.empty((total, len(self.units)))
        for u, y, r in par(calls):
            k = len(u)
            u_all[at:at + k], y_all[at:at + k], r_all[at:at + k] = u, y, r
            at += k
            bar.update(k)
        return u_all, y_all, r_all

    def _keep(self, keep: str, runs: int) -> bool:
        """Whether to keep the runs x units matrices (see :meth:`run`)."""
        if keep not in _KEEP:
            raise InputDataError(
                f"keep={keep!r} is invalid; allowed: 'auto' (full matrices up to "
                f"{FULL_MATRIX_CELLS:,} runs x units, summaries beyond), 'full', 'summary'"
            )
        if keep == "auto":
            return runs * len(self.units) <= FULL_MATRIX_CELLS
        return keep == "full"

    def _score_width(self, score_bins: int) -> float:
        """Score-histogram bin width: the reference scores' range / ``score_bins``."""
        ref = self.reference_scores.to_numpy(dtype=float)
        ref = ref[np.isfinite(ref)]
        spread = float(np.ptp(ref)) if len(ref) else 0.0
        if not spread > 0:
            spread = float(np.max(np.abs(ref), initial=0.0)) or 1.0
        return spread / score_bins

    def _chunks(self, n: int) -> list[tuple[int, int]]:
        return [(s, min(s + self.chunk_size, n)) for s in range(0, n, self.chunk_size)]

    def run(
        self,
        n: int = 1000,
        random_state: int | np.random.SeedSequence | None = None,
        n_jobs: int | None = 1,
        progress: bool = False,
        top_k: int = 10,
        *,
        keep: str = "auto",
        score_bins: int = DEFAULT_SCORE_BINS,
    ) -> UncertaintyResult:
        """Monte Carlo: score the units under ``n`` random settings of the factors.

        Parameters
        ----------
        n : int, default 1000
            Number of runs.
        random_state : int or SeedSequence, optional
            Seed; the same seed gives the same runs whatever ``n_jobs`` or ``chunk_size``.
            None draws fresh entropy (recorded in the result's ``random_state``).
        n_jobs : int, optional
            joblib workers (``-1`` all cores).  The vectorised path prefers threads (no
            process start-up, no copying of results); any backend set by the caller with
            ``joblib.parallel_config`` (loky, dask) takes precedence.
        progress : bool, default False
            Show a progress bar on stderr.
        top_k : int, default 10
            The ``k`` of the probability of a top-k place in :attr:`UncertaintyResult.summary`.
        keep : {"auto", "full", "summary"}, default "auto"
            ``"full"`` keeps every run's scores and ranks (``result.scores``, ``.ranks``:
            runs x units matrices).  ``"summary"`` folds each chunk into per-unit summaries
            and drops it, so memory does not grow with ``n`` (see Notes).  ``"auto"``:
            full up to :data:`FULL_MATRIX_CELLS` (10 million) runs x units, summary beyond.
        score_bins : int, default 4096
            Streamed summaries only: bins of the score histogram across the reference
            scores' range; score quantiles are within half a bin of the exact ones.

        Returns
        -------
        UncertaintyResult

        Raises
        ------
        InputDataError
            ``n``, ``top_k``, ``keep`` or ``score_bins`` invalid.

        Notes
        -----
        Streamed summaries (:mod:`weighting._stream`), compared with the full matrices:

        * exact (equal to ``numpy.nanquantile`` and friends on the matrices): rank
          quantiles at any level, ``p_top_k`` for any ``k``, ``p_scored``, the mean and
          standard deviation of the ranks, the per-run mean rank shift and the design;
        * to rounding (about 1e-15 relative, identical for any ``n_jobs``): score means and
          standard deviations;
        * approximate, with a bound: score quantiles, within ``result.score_error`` (half a
          histogram bin, the reference range / (2 ``score_bins``)) of the exact ones.

        Memory is at most ``units x (2 units + 2 score_bins)`` int32 counters per task
        (and as many for the merged result), not ``n x units``: the rank histogram spans
        each unit's rank range (at most 2**24 counters, so ranks stay exact up to about
        2,900 units even in the worst case), the score histogram twice the reference range
        per unit.  Beyond its cap a histogram merges bins in pairs and
        ``result.rank_error`` / ``result.score_error`` grow accordingly.
        """
        n = _check_pos_int(n, "n")
        top_k = _check_pos_int(top_k, "top_k")
        score_bins = _check_pos_int(score_bins, "score_bins")
        full = self._keep(keep, n)
        ss = random_state if isinstance(random_state, np.random.SeedSequence) else \
            np.random.SeedSequence(random_state)
        seeds = ss.spawn(-(-n // _BLOCK))
        tasks = []
        for a, b in self._chunks(n):
            first, last = a // _BLOCK, (b - 1) // _BLOCK
            tasks.append((seeds[first:last + 1], a - first * _BLOCK, b - a))
        t0 = time.perf_counter()
        if full:
            u, y, r = self._execute(tasks, _mc_chunk, n_jobs, progress, n, "Monte Carlo")
            logger.info("Monte Carlo: %d runs in %.2f s", n, time.perf_counter() - t0)
            return UncertaintyResult(self, u, y, r, top_k=top_k, random_state=ss.entropy)
        spec = _StreamSpec(self.units, self.reference_ranks.to_numpy(), ("mean_rank_shift",),
                           True, self._score_width(score_bins), DEFAULT_MAX_CELLS,
                           _score_cells(len(self.units), score_bins))
        u, (shift,), summary = self._execute(tasks, _mc_chunk, n_jobs, progress, n,
                                             "Monte Carlo", stream=spec)
        logger.info("Monte Carlo: %d runs in %.2f s (streamed)", n, time.perf_counter() - t0)
        return UncertaintyResult(self, u, None, None, top_k=top_k, random_state=ss.entropy,
                                 summary=summary, mean_rank_shift=shift)

    def sobol(
        self,
        n: int = 512,
        random_state: int | None = None,
        target: Target = "mean_rank_shift",
        n_jobs: int | None = 1,
        progress: bool = False,
        num_resamples: int = 100,
        conf_level: float = 0.95,
        *,
        keep: str = "auto",
    ) -> SobolResult:
        """First-order and total Sobol' indices of each factor (Saltelli sampling, SALib).

        Parameters
        ----------
        n : int, default 512
            Base sample size ``N`` (a power of 2); the model runs ``N (d + 2)`` times for
            ``d`` factors (the weights vector counts as one factor, a SALib group). Below
            16 a :class:`~weighting.exceptions.SmallSampleWarning` is issued.
        random_state : int, optional
            Seed of the scrambled Sobol' sequence and of the bootstrap intervals.
        target : str, tuple or callable, default "mean_rank_shift"
            The output analysed: ``"mean_rank_shift"`` (mean absolute rank shift from the
            reference ranks), ``("score", unit)``, ``("rank", unit)``, or a callable taking
            the scores DataFrame (runs x units) and returning one number per run.
        n_jobs : int, optional
            joblib workers.
        progress : bool, default False
            Progress bar on stderr.
        num_resamples : int, default 100
            Bootstrap resamples for the confidence intervals.
        conf_level : float, default 0.95
            Confidence level of the intervals.
        keep : {"auto", "full", "summary"}, default "auto"
            ``"full"`` keeps every run's scores (``result.scores``, runs x units) so that
            :meth:`SobolResult.analyse` can analyse any other target later.  ``"summary"``
            keeps only the design and, per run, ``target`` and the mean rank shift
            (memory grows with runs, not with runs x units); a callable target then sees
            one chunk of runs at a time, so it must compute each run's number from that
            run's scores alone.  ``"auto"``: full up to :data:`FULL_MATRIX_CELLS` cells.

        Returns
        -------
        SobolResult
            ``indices``: a DataFrame by factor with ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.

        Raises
        ------
        InputDataError
            ``n`` not a power of two, or an unknown target.

        Warns
        -----
        SmallSampleWarning
            ``n`` below ``SOBOL_MIN_N`` (16): the estimates may be NaN, negative or above
            one. The results are not changed.

        Notes
        -----
        SALib's ``sobol.sample`` (Saltelli 2002 scheme on a scrambled Sobol' sequence) builds
        the design, and ``sobol.analyze`` estimates
        :math:`S_i = V[E(Y|X_i)]/V(Y)` and :math:`S_{T,i} = E[V(Y|X_{\\sim i})]/V(Y)`
        (Saltelli et al. 2010 estimators), with bootstrap confidence intervals.  Discrete
        factors map their uniform coordinate to alternatives, so their indices measure the
        effect of the choice among them.

        References
        ----------
        Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
        Design and estimator for the total sensitivity index. *Computer Physics
        Communications* 181(2), 259-270.

        Herman, J. and Usher, W. (2017). SALib: An open-source Python library for
        sensitivity analysis. *Journal of Open Source Software* 2(9), 97.
        """
        from SALib.sample import sobol as sobol_sample

        n = _check_pos_int(n, "n")
        if n & (n - 1):
            raise InputDataError(
                f"sobol: n={n} is invalid; the Sobol' sequence needs a power of two "
                f"(e.g. {1 << max(n.bit_length() - 1, 1)} or {1 << n.bit_length()})"
            )
        if n < SOBOL_MIN_N:
            warnings.warn(
                f"sobol: n={n} base samples is below the recommended minimum {SOBOL_MIN_N}; "
                "with so few runs the indices can be NaN, negative or above 1 (results are "
                f"returned unchanged). Use n >= {SOBOL_MIN_N}, and 512 or more for stable "
                "indices",
                SmallSampleWarning,
                stacklevel=2,
            )
        problem = self._problem()
        u = sobol_sample.sample(
            problem, n, calc_second_order=False, scramble=True, seed=random_state
        )
        full = self._keep(keep, len(u))
        chunks = self._chunks(len(u))
        tasks = [(u[a:b, : self._plan.dim],) for a, b in chunks]
        t0 = time.perf_counter()
        if full:
            u, y, r = self._execute(tasks, _design_chunk, n_jobs, progress, len(u), "Sobol'")
            targets = None
        else:
            if not callable(target):  # check the target before the runs
                _target_values(target, np.zeros((1, len(self.units))),
                               np.zeros((1, len(self.units))),
                               self.reference_ranks.to_numpy(), self.units)
            names: tuple[Any, ...] = ("mean_rank_shift",) if _same_target(
                target, "mean_rank_shift") else ("mean_rank_shift", target)
            spec = _StreamSpec(self.units, self.reference_ranks.to_numpy(), names, False,
                               1.0, DEFAULT_MAX_CELLS, DEFAULT_MAX_CELLS)
            u, vals, _ = self._execute(tasks, _design_chunk, n_jobs, progress, len(u),
                                       "Sobol'", stream=spec)
            y = r = None
            targets = list(zip(names, vals, strict=True))
        logger.info("Sobol': %d runs in %.2f s", len(u), time.perf_counter() - t0)
        res = SobolResult(self, problem, u, y, r, random_state, num_resamples, conf_level,
                          targets=targets)
        res.indices = res.analyse(target)
        res.target = target
        return res

    def _problem(self) -> dict[str, Any]:
        groups = self._plan.coordinate_groups()
        if len(set(groups)) == 1 and len(groups) > 1:
            # SALib ignores a single group and would analyse each coordinate of the weights
            # vector apart: add an unused dummy coordinate as a second group (dropped later).
            groups = [*groups, _DUMMY]
        return {
            "num_vars": len(groups),
            "names": [f"x{i}" for i in range(len(groups))],
            "bounds": [[0.0, 1.0]] * len(groups),
            "groups": groups,
        }

    def __repr__(self) -> str:
        fs = ", ".join(repr(f) for f in self.factors)
        return (
            f"UncertaintyAnalysis({type(self.model).__name__}, {len(self.units)} units, "
            f"factors=[{fs}], vectorised={self.vectorised})"
        )


def _score_cells(n_units: int, score_bins: int) -> int:
    """Size cap of a streamed score histogram: each unit may span twice the reference range
    at the initial width (bins merge in pairs beyond), at least 2**20 and at most 2**24."""
    return int(min(DEFAULT_MAX_CELLS, max(1 << 20, 2 * n_units * score_bins)))


def _same_target(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or (type(a) is type(b) and a == b))
    except Exception:  # an exotic target's __eq__
        return False


def _check_pos_int(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
        raise InputDataError(f"{name}={v!r} is invalid; need a positive integer")
    return int(v)


# ====================================================================== results
def _target_values(
    target: Target, scores: np.ndarray, ranks: np.ndarray, ref_ranks: np.ndarray,
    units: pd.Index,
) -> np.ndarray:
    if isinstance(target, str):
        if target == "mean_rank_shift":
            shift = ranks - ref_ranks[None, :]
            np.abs(shift, out=shift)
            if not np.isnan(shift).any():  # the usual case: nanmean is ~6x slower
                return shift.mean(axis=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return np.nanmean(shift, axis=1)
    elif isinstance(target, tuple) and len(target) == 2 and target[0] in ("score", "rank"):
        if target[1] not in units:
            raise InputDataError(
                f"target {target!r}: unit {target[1]!r} is not among the scored units "
                f"({format_labels(units)})"
            )
        j = units.get_loc(target[1])
        return (scores if target[0] == "score" else ranks)[:, j]
    elif callable(target):
        out = np.asarray(target(pd.DataFrame(scores, columns=units)), dtype=float)
        if out.shape != (scores.shape[0],):
            raise InputDataError(
                f"target: the callable returned shape {out.shape}; one number per run "
                f"({scores.shape[0]}) is needed"
            )
        return out
    raise InputDataError(
        f"target={target!r} is invalid; allowed: 'mean_rank_shift', ('score', unit), "
        "('rank', unit) or a callable(scores DataFrame) -> array"
    )


class UncertaintyResult:
    """Outcome of :meth:`UncertaintyAnalysis.run` (built by it, not by users).

    Attributes
    ----------
    scores : pandas.DataFrame
        Runs (rows) by units (columns).  Only with the full matrices
        (``run(keep="full")``, or ``"auto"`` for small analyses; see :attr:`kept`).
    ranks : pandas.DataFrame
        Ranks in each run, 1 = best, ties averaged (full matrices only).
    design : pandas.DataFrame
        The factor values of each run (the weights factor: one column per indicator).
    reference_scores, reference_ranks : pandas.Series
        The reference (base scheme) scores and ranks.
    mean_rank_shift : pandas.Series
        Per run, the mean absolute rank shift from the reference ranks.
    on_reference_scale : pandas.Series of bool
        Per run, whether its scores are on the reference scheme's scale: every factor
        built with a ``scale_reference`` (e.g. a normalisation choice) takes that
        alternative.  All True when no factor changes the scale.
    top_k : int
        The ``k`` used for ``p_top_k`` in :attr:`summary`.
    random_state : int or sequence
        The entropy of the seed sequence (re-run with it to reproduce).
    n_runs : int
        Number of Monte Carlo runs.
    kept : {"full", "summary"}
        Whether the runs x units matrices were kept or only streamed summaries.
    score_error : float
        Largest possible difference between a score quantile of :meth:`summarise` and the
        exact one (0 with the full matrices; half a histogram bin when streamed).
    rank_error : float
        The same for rank quantiles (0 unless a streamed histogram had to merge bins).
    """

    def __init__(
        self, analysis: UncertaintyAnalysis, u: np.ndarray, y: np.ndarray | None,
        r: np.ndarray | None, top_k: int, random_state: Any,
        summary: RunSummary | None = None, mean_rank_shift: np.ndarray | None = None,
    ) -> None:
        units = analysis.units
        runs = pd.RangeIndex(len(u), name="run")
        self.factors = analysis.factors
        self.higher_is_better = analysis.higher_is_better
        self.units = units
        self.n_runs = len(u)
        self._summary = summary
        self.kept = "full" if summary is None else "summary"
        if summary is None:
            self._scores = pd.DataFrame(y, index=runs, columns=units, copy=False)
            self._ranks = pd.DataFrame(r, index=runs, columns=units, copy=False)
            shift = _target_values("mean_rank_shift", y, r,
                                   analysis.reference_ranks.to_numpy(), units)
            self.score_error = 0.0
            self.rank_error = 0.0
        else:
            self._scores = self._ranks = None
            shift = mean_rank_shift
            self.score_error = summary.scores.error
            self.rank_error = summary.ranks.error
        self.design = analysis._plan.design_frame(u).set_axis(runs)
        self.reference_scores = analysis.reference_scores
        self.reference_ranks = analysis.reference_ranks
        self.mean_rank_shift = pd.Series(shift, index=runs, name="mean_rank_shift")
        self.on_reference_scale = pd.Series(
            analysis._plan.on_reference_scale(u), index=runs, name="on_reference_scale"
        )
        self.top_k = top_k
        self.random_state = random_state

    def _matrix(self, what: str) -> pd.DataFrame:
        frame = self._scores if what == "scores" else self._ranks
        if frame is None:
            raise InputDataError(
                f"UncertaintyResult.{what}: this run kept streamed summaries only "
                f"({self.n_runs} runs x {len(self.units)} units); use summary/summarise(), "
                "moments or mean_rank_shift, or re-run with run(..., keep='full')"
            )
        return frame

    @property
    def scores(self) -> pd.DataFrame:
        """Scores of every run (runs x units); only with the full matrices."""
        return self._matrix("scores")

    @property
    def ranks(self) -> pd.DataFrame:
        """Ranks of every run (runs x units, 1 = best); only with the full matrices."""
        return self._matrix("ranks")

    def summarise(self, top_k: int | None = None, levels: tuple[float, float] = (0.05, 0.95),
                  min_scored: float = 0.5) -> pd.DataFrame:
        """Per-unit table of rank and score distributions.

        Parameters
        ----------
        top_k : int, optional
            ``k`` for ``p_top_k`` (default the run's ``top_k``).
        levels : (float, float), default (0.05, 0.95)
            Lower and upper quantile of the intervals.
        min_scored : float, default 0.5
            Share of runs below which a unit is marked ``rarely_scored``.

        Returns
        -------
        pandas.DataFrame
            Indexed by unit: ``reference_rank``, ``median_rank``, ``rank_q05``, ``rank_q95``
            (names follow ``levels``), ``p_top_<k>``, ``reference_score``, ``score_q05``,
            ``score_median``, ``score_q95``, ``p_scored`` (share of runs with a score) and
            ``rarely_scored`` (``p_scored`` below ``min_scored``: its intervals rest on few
            runs; such units are left out of :meth:`plot_rank_intervals`), then
            ``score_runs`` (share of runs on the reference scale, see Notes).  From
            streamed summaries the score quantiles are within :attr:`score_error` of the
            exact ones and every other column is exact (see :meth:`UncertaintyAnalysis.run`).

        Raises
        ------
        InputDataError
            Invalid ``top_k`` or ``levels``.

        Notes
        -----
        Ranks are comparable across all runs, scores are not when a factor changes their
        scale: percentile scores lie in [0, 1], min-max scores in [0, 1] of each run's own
        range, z-scores are unbounded and centred on 0, a geometric mean of ratios differs
        from an arithmetic mean of normalised values.  A quantile over such a mixture is on
        no scale and may fall outside the reference scheme's range.  So the score quantiles
        (``score_<lo>``, ``score_median``, ``score_<hi>``) are taken only over the runs on
        the reference scale (:attr:`on_reference_scale`: every factor built with a
        ``scale_reference`` takes that alternative) and are on the reference scheme's own
        scale, like ``reference_score``; ``score_runs`` is the share of runs they rest on
        (1 when no factor changes the scale; 0 and NaN quantiles when no run is on it).
        Rank columns, ``p_top_<k>`` and ``p_scored`` use every run.
        """
        k = self.top_k if top_k is None else _check_pos_int(top_k, "top_k")
        lo, hi = levels
        if not 0 <= lo < hi <= 1:
            raise InputDataError(f"levels={levels!r} are invalid; need 0 <= low < high <= 1")
        ql, qh = f"q{round(lo * 100):02d}", f"q{round(hi * 100):02d}"
        same = self.on_reference_scale.to_numpy()
        if self._summary is None:
            r = self._ranks.to_numpy()
            s = self._scores.to_numpy()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN units
                rq = np.nanquantile(r, [lo, 0.5, hi], axis=0)
                if same.any():
                    sq = np.nanquantile(s[same], [lo, 0.5, hi], axis=0)
                else:
                    sq = np.full((3, s.shape[1]), np.nan)
            scored = ~np.isnan(r)
            p_top = (np.where(scored, r, np.inf) <= k).mean(axis=0)
            p_scored = scored.mean(axis=0)
        else:  # the score histograms hold only the runs on the reference scale
            sm = self._summary
            rq = [sm.ranks.quantile(q) for q in (lo, 0.5, hi)]
            sq = [sm.score_quantile(q) for q in (lo, 0.5, hi)]
            p_top = sm.ranks.share_at_most(k, self.n_runs)
            p_scored = sm.ranks.n() / self.n_runs
        out = pd.DataFrame(
            {
                "reference_rank": self.reference_ranks.to_numpy(),
                "median_rank": rq[1],
                f"rank_{ql}": rq[0],
                f"rank_{qh}": rq[2],
                f"p_top_{k}": p_top,
                "reference_score": self.reference_scores.to_numpy(),
                f"score_{ql}": sq[0],
                "score_median": sq[1],
                f"score_{qh}": sq[2],
                "p_scored": p_scored,
                "rarely_scored": p_scored < min_scored,
                "score_runs": float(same.mean()) if len(same) else np.nan,
            },
            index=self.units,
        )
        out.index.name = self.units.name
        return out

    @property
    def moments(self) -> pd.DataFrame:
        """Per unit: runs scored, mean and standard deviation (ddof=1) of rank and score.

        Returns
        -------
        pandas.DataFrame
            Indexed by unit: ``n_scored``, ``rank_mean``, ``rank_sd``, ``score_mean``,
            ``score_sd`` (over the runs that scored the unit; NaN where undefined).
        """
        if self._summary is None:
            r = self._ranks.to_numpy()
            s = self._scores.to_numpy()[self.on_reference_scale.to_numpy()]
            n = (~np.isnan(r)).sum(axis=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                cols = {"rank_mean": np.nanmean(r, axis=0),
                        "rank_sd": np.nanstd(r, axis=0, ddof=1),
                        "score_mean": np.nanmean(s, axis=0),
                        "score_sd": np.nanstd(s, axis=0, ddof=1)}
        else:
            sm = self._summary
            n, rmean, rvar = sm.ranks.moments()
            with np.errstate(invalid="ignore", divide="ignore"):
                rsd = np.where(n > 1, np.sqrt(rvar * n / np.maximum(n - 1, 1)), np.nan)
            smean, ssd = sm.score_moments.mean_sd()
            cols = {"rank_mean": rmean, "rank_sd": rsd, "score_mean": smean, "score_sd": ssd}
        out = pd.DataFrame({"n_scored": n.astype(np.int64), **cols}, index=self.units)
        out["rank_sd"] = out["rank_sd"].where(out["n_scored"] > 1)
        out["score_sd"] = out["score_sd"].where(out["n_scored"] > 1)
        out.index.name = self.units.name
        return out

    @property
    def summary(self) -> pd.DataFrame:
        """:meth:`summarise` with the defaults (5-95% intervals, the run's ``top_k``).

        Returns
        -------
        pandas.DataFrame
        """
        return self.summarise()

    def plot_rank_intervals(self, ax: Axes | None = None, n: int | None = 30) -> Axes:
        """Median rank and 5-95% rank interval of the ``n`` best units.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        n : int or None, default 30

        Returns
        -------
        matplotlib.axes.Axes
        """
        return plot_rank_intervals(self.summary, ax=ax, n=n)

    def report(self, n: int = 10) -> str:
        """Plain-text summary: runs, factors, rank-shift distribution, the top units.

        Parameters
        ----------
        n : int, default 10
            Number of units (best median rank first) in the table.

        Returns
        -------
        str
        """
        ms = self.mean_rank_shift
        lines = [
            f"Uncertainty analysis: {self.n_runs} runs, {len(self.units)} units",
            "factors: " + ", ".join(repr(f) for f in self.factors),
            f"mean absolute rank shift vs reference: median {ms.median():.2f}, "
            f"5-95% [{ms.quantile(0.05):.2f}, {ms.quantile(0.95):.2f}]",
        ]
        tab = self.summary.sort_values("median_rank", kind="stable").head(n)
        with pd.option_context("display.width", 120, "display.precision", 3):
            lines.append(tab.to_string())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.report()

    def _repr_html_(self) -> str:
        head = self.report().split("\n")[:3]
        tab = self.summary.sort_values("median_rank", kind="stable").head(10)
        return "".join(f"<p>{h}</p>" for h in head) + tab.to_html(
            float_format=lambda x: f"{x:.3f}")


class SobolResult:
    """Outcome of :meth:`UncertaintyAnalysis.sobol` (built by it, not by users).

    Attributes
    ----------
    indices : pandas.DataFrame
        By factor: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (confidence half-widths).
    target : str, tuple or callable
        The analysed output.
    scores : pandas.DataFrame
        Scores of every model run (runs x units), for :meth:`analyse` with other targets
        (only with the full matrices, see :attr:`kept`).
    n_runs : int
        Model runs, ``N (d + 2)``.
    kept : {"full", "summary"}
        ``"summary"``: only the per-run values of the target and of the mean rank shift
        were kept (``sobol(keep="summary")``).
    """

    def __init__(
        self, analysis: UncertaintyAnalysis, problem: dict[str, Any], u: np.ndarray,
        y: np.ndarray | None, r: np.ndarray | None, random_state: int | None,
        num_resamples: int, conf_level: float,
        targets: list[tuple[Any, np.ndarray]] | None = None,
    ) -> None:
        self._problem = problem
        self._u = u
        self.units = analysis.units
        self._targets = targets
        self.kept = "full" if targets is None else "summary"
        self._scores = None if y is None else pd.DataFrame(y, columns=self.units)
        self.ranks = r
        self._ref_ranks = analysis.reference_ranks.to_numpy()
        self.factor_names = [f.name for f in analysis.factors]
        self._factors = {f.name: f for f in analysis.factors}
        self.n_runs = len(u)
        self._seed = random_state if random_state is not None else \
            np.random.SeedSequence().entropy
        self._num_resamples = num_resamples
        self._conf = conf_level
        self.indices: pd.DataFrame = pd.DataFrame()
        self.target: Target = "mean_rank_shift"

    def analyse(self, target: Target = "mean_rank_shift") -> pd.DataFrame:
        """Sobol' indices for another output of the same runs.

        Parameters
        ----------
        target : str, tuple or callable
            As in :meth:`UncertaintyAnalysis.sobol`.

        Returns
        -------
        pandas.DataFrame
            By factor: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (half-width of SALib's
            bootstrap confidence interval), ``levels`` (number of distinct values the factor
            takes: 2 for a two-way choice such as returns to scale, NaN for a continuous
            factor) and ``ST_zero`` (True where the interval of ST reaches 0: the factor's
            total effect cannot be told from none with these runs).

        Raises
        ------
        InputDataError
            Unknown target, or a target that is NaN in some runs.
        """
        from SALib.analyze import sobol as sobol_analyze

        if self._targets is None:
            yv = _target_values(target, self._scores.to_numpy(), self.ranks, self._ref_ranks,
                                self.units)
        else:
            found = [v for t, v in self._targets if _same_target(t, target)]
            if not found:
                raise InputDataError(
                    f"SobolResult.analyse: target {target!r} was not computed during the "
                    f"runs (kept: {', '.join(repr(t) for t, _ in self._targets)}); re-run "
                    "sobol(..., target=...) with it, or with keep='full'"
                )
            yv = found[0]
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
        idx = pd.Index(self.factor_names, name="factor")
        if np.isnan(yv).any():
            raise InputDataError(
                f"target {target!r}: {int(np.isnan(yv).sum())} runs give no value (NaN); "
                "choose a unit scored in every run"
            )
        if np.ptp(yv) <= 1e-12 * max(1.0, float(np.abs(yv).max())):
            warnings.warn(
                f"sobol: target {target!r} does not vary across runs; indices are undefined "
                "(NaN)", RuntimeWarning, stacklevel=2,
            )
            out = pd.DataFrame(np.nan, index=idx, columns=cols)
            return self._annotate(out)
        # SALib ignores a falsy seed (0) and then uses the global numpy state: derive a
        # positive seed from ours so the bootstrap intervals are reproducible too.
        boot_seed = int(np.random.SeedSequence(self._seed).generate_state(1)[0]) + 1
        si = sobol_analyze.analyze(
            self._problem, yv, calc_second_order=False, num_resamples=self._num_resamples,
            conf_level=self._conf, seed=boot_seed,
        )
        # SALib orders groups by first appearance, which is the factor order.
        k = len(self.factor_names)
        out = pd.DataFrame({c: np.asarray(si[c], dtype=float)[:k] for c in cols}, index=idx)
        return self._annotate(out)

    @property
    def scores(self) -> pd.DataFrame:
        """Scores of every model run (runs x units); only with the full matrices."""
        if self._scores is None:
            raise InputDataError(
                f"SobolResult.scores: this analysis kept per-run targets only ({self.n_runs} "
                f"runs x {len(self.units)} units); re-run sobol(..., keep='full')"
            )
        return self._scores

    def _annotate(self, table: pd.DataFrame) -> pd.DataFrame:
        """Add ``levels`` and ``ST_zero`` (see :meth:`analyse`)."""
        table = table.copy()
        levels = []
        for name in table.index:
            f = self._factors.get(name)
            n = len(f.alternatives) if f is not None and f.is_discrete else np.nan
            levels.append(n)
        table["levels"] = levels
        table["ST_zero"] = (table["ST"] - table["ST_conf"]).le(0) | table["ST"].isna()
        return table

    def __repr__(self) -> str:
        with pd.option_context("display.precision", 3):
            return (
                f"Sobol' indices of {self.target!r} ({self.n_runs} model runs)\n"
                f"{self.indices.to_string()}"
            )

    def _repr_html_(self) -> str:
        return f"<p>Sobol' indices of {self.target!r} ({self.n_runs} model runs)</p>" + \
            self.indices.to_html(float_format=lambda x: f"{x:.3f}")

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bar chart of first-order and total indices by factor.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(1.2 * len(self.indices) + 2, 3.5))
        x = np.arange(len(self.indices))
        ax.bar(x - 0.2, self.indices["S1"], 0.4, yerr=self.indices["S1_conf"], label="S1")
        ax.bar(x + 0.2, self.indices["ST"], 0.4, yerr=self.indices["ST_conf"], label="ST")
        ax.set_xticks(x)
        ax.set_xticklabels(self.indices.index)
        ax.set_ylabel("Sobol' index")
        ax.legend()
        return ax


# ====================================================================== model factory
def _make_model(
    model: Any, data: Any, factors: Sequence[Factor], model_kwargs: Mapping[str, Any],
    vectorise: bool,
) -> _Model:
    if _is_scheme(model):
        return _SchemeModel(model, data, factors, vectorise, model_kwargs)
    if callable(model):
        return _CallableModel(model, data, factors, model_kwargs)
    raise InputDataError(
        f"UncertaintyAnalysis: model is a {type(model).__name__}; pass a weighting.Scheme or a "
        "callable score(data, **assumptions) -> pandas.Series"
    )


def _is_scheme(model: Any) -> bool:
    return isinstance(model, Scheme)


# ====================================================================== scheme adapter
_GROUP_CACHE: dict[tuple[str, tuple[Any, ...]], Any] = {}
_GROUP_CACHE_MAX = 64
# Serialises Scheme.score calls and cache updates when runs go to threads: the scoring is
# pandas work that holds the GIL anyway, and warnings.catch_warnings is not thread-safe.
_SCORE_LOCK = threading.RLock()


@dataclass
class _Prepared:
    """A scheme variant scored once; what the matrix path needs to re-weight it."""

    cols: np.ndarray  # positions of the variant's indicators among the base indicators
    scored: np.ndarray  # positions (among the units) of the units the variant scores
    values: np.ndarray  # normalised values of the scored units (n_scored, m_variant)
    reference: np.ndarray  # normalised reference set (for relative aggregators)
    aggregation: Any
    top: Any
    dim_idx: list[np.ndarray]  # indicator positions per dimension (empty: flat)
    dim_weights: np.ndarray | None  # fixed dimension weights, None: sums of the weights


class _SchemeModel(_Model):
    """Adapter perturbing a :class:`weighting.Scheme` and scoring it."""

    def __init__(
        self, scheme: Any, data: Any, factors: Sequence[Factor], vectorise: bool,
        score_kwargs: Mapping[str, Any],
    ) -> None:
        import uuid

        self.scheme = scheme
        self.data = data
        self.factors = list(factors)
        self.kw = dict(score_kwargs)
        base = scheme.score(data, **self.kw)
        self._ref = base.scores.astype(float)
        self.units = base.scores.index
        self.indicators = pd.Index(scheme.indicators.names)
        self._base_weights = _centre_weights(base, self.indicators, scheme.dimensions)
        wf = [f.name for f in self.factors if f.kind == "weights"]
        if wf and getattr(scheme.weights, "unit_specific", False):
            raise InputDataError(
                f"Factor {wf[0]!r}: the scheme's weights ({type(scheme.weights).__name__}) are "
                "unit-specific, so there is no weight vector to perturb; vary their "
                "restrictions with a factor and apply=lambda scheme, v: scheme.replace(...)"
            )
        for f in self.factors:
            if f.role == "replicate" and f.apply is None:
                col, table = f.params["indicator"], f.params["table"]
                if col is None:
                    raise InputDataError(
                        f"Factor {f.name!r}: a Scheme model needs indicator=<the data column "
                        "the replicates replace> (or apply=...)"
                    )
                if col not in getattr(data, "columns", ()):
                    raise InputDataError(
                        f"Factor {f.name!r}: indicator={col!r} is not a column of the data"
                    )
                lacking = pd.Index(data.index).difference(table.index)
                if len(lacking):
                    raise InputDataError(
                        f"Factor {f.name!r}: the replicates lack units "
                        f"{format_labels(lacking)} of the data; give every unit a row"
                    )
        self.vectorise = bool(vectorise)
        self.token = uuid.uuid4().hex
        self.vectorised = self.vectorise and any(f.kind == "weights" for f in self.factors)

    def base_weights(self) -> pd.Series:
        return self._base_weights

    def reference(self) -> pd.Series:
        return self._ref

    # ---------------------------------------------------------------- variants
    def variant(self, assignment: Mapping[str, Any], weights: pd.Series | None) -> Any:
        s = self.scheme
        if weights is not None:
            s = s.replace(weights=weights, **({"dimension_weights": None} if s.dimensions
                                              else {}))
        for f in self.factors:
            if f.kind == "weights":
                continue
            val = assignment[f.name]
            s = f.apply(s, val) if f.apply is not None else _apply_to_scheme(f, s, val)
            if not _is_scheme(s):
                raise InputDataError(
                    f"Factor {f.name!r}: apply returned a {type(s).__name__}; for a Scheme "
                    "model apply(scheme, value) must return a Scheme"
                )
        return s

    def _data(self, assignment: Mapping[str, Any]) -> Any:
        """The data of a run: replicate factors replace their indicator's column."""
        data = self.data
        for f in self.factors:
            if f.role != "replicate" or f.apply is not None:
                continue
            col = f.params["indicator"]
            data = data.copy() if data is self.data else data
            data[col] = f.params["table"][assignment[f.name]].reindex(data.index)
        return data

    def _score(self, scheme: Any, data: Any = None) -> Any:
        with _SCORE_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            return scheme.score(self.data if data is None else data, **self.kw)

    def evaluate_group(self, assignment: dict[str, Any], weights: np.ndarray | None) -> np.ndarray:
        if weights is None:  # one score per setting, kept across chunks (cf. _prepared)
            key = ("exact", self.token,
                   tuple(_cache_key(assignment[n]) for n in sorted(assignment)))
            with _SCORE_LOCK:
                hit = _GROUP_CACHE.get(key)
                if hit is None:
                    res = self._score(self.variant(assignment, None), self._data(assignment))
                    hit = (_align(res.scores, self.units, "UncertaintyAnalysis")[None, :],)
                    if len(_GROUP_CACHE) >= _GROUP_CACHE_MAX:
                        _GROUP_CACHE.pop(next(iter(_GROUP_CACHE)), None)
                    _GROUP_CACHE[key] = hit
            return hit[0].copy()
        data = self._data(assignment)
        prep = self._prepared(assignment) if self.vectorise else None
        if prep is None:
            out = np.empty((weights.shape[0], len(self.units)))
            for r in range(weights.shape[0]):
                w = pd.Series(weights[r], index=self.indicators)
                res = self._score(self.variant(assignment, w), data)
                out[r] = _align(res.scores, self.units, "UncertaintyAnalysis")
            return out
        return _reweight(prep, weights, len(self.units))

    def _prepared(self, assignment: Mapping[str, Any]) -> _Prepared | None:
        key = (self.token, tuple(_cache_key(assignment[n]) for n in sorted(assignment)))
        with _SCORE_LOCK:
            hit = _GROUP_CACHE.get(key)
            if hit is not None:
                return hit[0]
            prep = self._prepare(assignment)
            if len(_GROUP_CACHE) >= _GROUP_CACHE_MAX:
                _GROUP_CACHE.pop(next(iter(_GROUP_CACHE)), None)
            _GROUP_CACHE[key] = (prep,)
            return prep

    def _prepare(self, assignment: Mapping[str, Any]) -> _Prepared | None:
        var = self.variant(assignment, self._base_weights)
        if getattr(var.weights, "unit_specific", False):
            return None
        data = self._data(assignment)
        dims = var.dimensions
        dim_fixed = None
        if dims:
            if not isinstance(var.top_aggregation, PowerMean):
                return None
            if var.dimension_weights is not None:
                if not isinstance(var.dimension_weights, dict):
                    return None  # fitted dimension weights depend on the indicator weights
                dim_fixed = np.array([var.dimension_weights[d] for d in dims], dtype=float)
        res = self._score(var, data)
        if res.groups is not None and (var.aggregation.relative or var.top_aggregation.relative):
            return None  # scored against each calibration group's own reference: exact path
        names = list(var.indicators.names)
        unknown = [n for n in names if n not in self.indicators]
        if unknown:  # a custom apply added indicators: no common weight vector
            return None
        scored_mask = ~self.units.isin(res.excluded.index)
        scored = np.flatnonzero(scored_mask)
        vals = res.normalised.loc[self.units[scored_mask], names]
        refn = res.reference_normalised[names]
        pos = {n: k for k, n in enumerate(names)}
        return _Prepared(
            cols=self.indicators.get_indexer(names),
            scored=scored,
            values=vals.to_numpy(dtype=float, na_value=np.nan),
            reference=refn.to_numpy(dtype=float, na_value=np.nan),
            aggregation=var.aggregation,
            top=var.top_aggregation,
            dim_idx=[np.array([pos[c] for c in cols]) for cols in dims.values()],
            dim_weights=dim_fixed,
        )


def _centre_weights(base: Any, indicators: pd.Index, dims: Mapping[str, list[str]]
                    ) -> pd.Series:
    """The flat weight vector a scheme's result stands for: indicator weights times their
    dimension's weight, summing to one.  Scored per calibration group (``by``), the groups'
    vectors averaged with the number of units each group scores as weights (with fixed
    weights every group has the same vector)."""

    def flat(weights: pd.Series, dim_w: pd.Series | None) -> pd.Series:
        w = weights.reindex(indicators).astype(float)
        if dims and dim_w is not None:
            for d, cols in dims.items():
                w[cols] = w[cols] * float(dim_w[d])
        return w / w.sum()

    if base.groups is None:
        return flat(base.weights, base.dimension_weights)
    parts, sizes = [], []
    for res in base.by_group.values():
        parts.append(flat(res.weights, res.dimension_weights))
        sizes.append(float(res.scores.notna().sum()) or 0.0)
    share = np.asarray(sizes) / sum(sizes) if sum(sizes) > 0 else np.full(len(sizes),
                                                                           1 / len(sizes))
    w = sum(p * a for p, a in zip(parts, share, strict=True))
    return (w / w.sum()).rename(None)


def _cache_key(v: Any) -> Any:
    if isinstance(v, Estimator):  # unhashable, and a repr abbreviates frame parameters
        return (type(v).__name__, id(v))
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


def _reweight(prep: _Prepared, weights: np.ndarray, n_units: int) -> np.ndarray:
    """Scores of a prepared variant under many weight vectors at once (the fast path).

    Flat scheme: ``aggregate_runs(X, W)`` (for the arithmetic mean this is ``W @ X.T`` with
    the missing values re-weighted).  Hierarchical: the same per dimension with the weights
    rescaled within it, then the power mean of the dimension scores with weights equal to the
    dimension sums of ``W`` (or the scheme's fixed dimension weights).
    """
    k = weights.shape[0]
    wv = weights[:, prep.cols]
    x, ref = prep.values, prep.reference
    if not prep.dim_idx:
        s = prep.aggregation.aggregate_runs(x, wv, reference=ref)
    else:
        parts = []
        sums = []
        for idx in prep.dim_idx:
            wd = wv[:, idx]
            tot = wd.sum(axis=1, keepdims=True)
            sums.append(tot[:, 0])
            wd = np.where(tot > 0, wd / np.where(tot > 0, tot, 1.0), 1.0 / len(idx))
            parts.append(prep.aggregation.aggregate_runs(x[:, idx], wd, reference=ref[:, idx]))
        d = np.stack(parts, axis=-1)  # (k, n_scored, n_dims)
        if prep.dim_weights is not None:
            v = np.broadcast_to(prep.dim_weights, (k, len(prep.dim_idx)))
        else:
            v = np.stack(sums, axis=-1)
        n = x.shape[0]
        if n and getattr(prep.top, "linear", False) and np.isfinite(d).all():
            # arithmetic top level, no gaps: one batched product
            s = np.einsum("knd,kd->kn", d, v / v.sum(axis=1, keepdims=True))
        elif n:
            s = prep.top.aggregate_units(
                d.reshape(k * n, -1), np.repeat(v, n, axis=0)
            ).reshape(k, n)
        else:
            s = np.empty((k, 0))
    out = np.full((k, n_units), np.nan)
    out[:, prep.scored] = s
    return out


def _apply_to_scheme(f: Factor, scheme: Any, value: Any) -> Any:
    """Default effect of a built-in factor on a Scheme."""
    if f.role == "replicate":  # changes the data, not the scheme (_SchemeModel._data)
        return scheme
    if f.role == "normalisation":
        return scheme.replace(normalisation=value)
    if f.role == "aggregation":
        return scheme.replace(aggregation=value)
    if f.role == "missing":
        return scheme.replace(missing=value)
    if f.role == "exclude":
        if value is None:
            return scheme
        names = [n for n in scheme.indicators.names if n != value]
        return scheme.replace(indicators=scheme.indicators.subset(names))
    if f.role == "rts":
        params = scheme.weights.get_params()
        if "rts" not in params:
            raise InputDataError(
                f"Factor {f.name!r}: the scheme's weights ({type(scheme.weights).__name__}) "
                "have no 'rts' parameter; returns to scale applies to DEA-based weights "
                "(e.g. weights='bod'), or give apply=..."
            )
        return scheme.replace(weights=scheme.weights.clone().set_params(rts=value))
    raise InputDataError(
        f"Factor {f.name!r} has no apply function, so it cannot change a Scheme; give "
        "apply=lambda scheme, value: scheme.replace(...)"
    )
