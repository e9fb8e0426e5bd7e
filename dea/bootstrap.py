"""Simar-Wilson (1998) smoothed homogeneous bootstrap of radial DEA scores.

Every replication scores the original units against a pseudo-sample frontier: the LPs
of :class:`dea.Radial`'s reference-set evaluation (``reference=<DataFrame>``), solved by
default all at once by the batched simplex of :mod:`dea.models._certify`, whose every
answer is proven optimal on the data (the units it cannot prove, and ``method="lp"``,
go through that Radial fit: one solve loop); this module only draws pseudo-samples and
summarises replications.  Replications run in chunks through
:func:`dea._parallel.map_chunks` (joblib, any backend), each replication with its own
``numpy.random.SeedSequence`` child, so results are identical for any ``n_jobs``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from dea._parallel import map_chunks
from dea.exceptions import FewUnitsWarning, InputDataError, format_labels
from dea.models._base import ORIENTATIONS, check_n_jobs
from dea.models._certify import RadialArrays, radial_factors
from dea.models.radial import Radial

__all__ = ["BootstrapResult", "bootstrap", "bootstrap_bandwidth"]

_ONE_TOL = 1e-6  # distance within this of 1: an efficient unit (left out of the bandwidth)
_REPS_PER_TASK = 20  # replications per parallel task (fixed: results never depend on n_jobs)
BANDWIDTH_RULES = ("silverman", "lscv")


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Per-unit bootstrap summary of radial DEA scores (see :func:`bootstrap`).

    All Series are indexed by the user's unit labels and on the scale of
    ``Radial.fit().scores`` (input: Farrell theta in (0, 1]; output: ``1 / phi``).

    Attributes
    ----------
    scores : Series
        Original DEA scores.
    bias : Series
        Estimated bias, ``scores - scores_bc`` (>= 0: DEA scores are biased upward).
    scores_bc : Series
        Bias-corrected scores (``1 / (2 D - mean(D*))``, see Notes of :func:`bootstrap`).
    std_error : Series
        Standard deviation of the replicated scores.
    lower, upper : Series
        Bounds of the ``1 - alpha`` confidence interval for the true score.
    use_bias_correction : Series of bool
        False where the bias correction should not be used: ``|bias| <= ratio * sd``
        on the distance scale (``bias_ratio`` of :func:`bootstrap`).
    replications : DataFrame or None
        Replicated scores (units x replications) with ``return_replications=True``.
    bandwidth : float
        Bandwidth ``h`` of the smoothed draws (distance scale).
    n_boot : int
        Number of replications.
    alpha : float
        CI level parameter.
    info : dict
        Model settings and bootstrap options.
    """

    scores: pd.Series
    bias: pd.Series
    scores_bc: pd.Series
    std_error: pd.Series
    lower: pd.Series
    upper: pd.Series
    use_bias_correction: pd.Series
    bandwidth: float
    n_boot: int
    alpha: float
    replications: pd.DataFrame | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """All per-unit columns in one DataFrame (indexed by unit)."""
        return pd.DataFrame(
            {
                "score": self.scores,
                "bias": self.bias,
                "score_bc": self.scores_bc,
                "std_error": self.std_error,
                "lower": self.lower,
                "upper": self.upper,
                "use_bias_correction": self.use_bias_correction,
            }
        )

    def __repr__(self) -> str:
        return (
            f"BootstrapResult(n={self.scores.size}, n_boot={self.n_boot}, "
            f"alpha={self.alpha}, bandwidth={self.bandwidth:.6g})"
        )


# ----------------------------------------------------------------------------------------
# Bandwidth
# ----------------------------------------------------------------------------------------
def _lscv_bandwidth(z: np.ndarray) -> float:
    """Least-squares cross-validation bandwidth of a Gaussian kernel density of ``z``."""
    n = z.size
    d = (z[:, None] - z[None, :])[np.triu_indices(n, 1)]
    d2 = d * d
    sd = float(np.std(z, ddof=1))

    def cv(log_h: float) -> float:
        h = float(np.exp(log_h))
        # integral of fhat^2 minus 2/n sum of leave-one-out densities (Silverman 1986, 3.4.3)
        term1 = (n + 2.0 * np.exp(-d2 / (4 * h * h)).sum()) / (n * n * h * 2 * np.sqrt(np.pi))
        term2 = 2.0 * 2.0 * np.exp(-d2 / (2 * h * h)).sum() / (n * (n - 1) * h * np.sqrt(2 * np.pi))
        return float(term1 - term2)

    lo, hi = np.log(sd * 1e-3), np.log(sd * 2.0)
    res = minimize_scalar(cv, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(res.x))


def bootstrap_bandwidth(distances: np.ndarray, rule: str = "silverman") -> float:
    """Bandwidth of the smoothed bootstrap from distances ``D >= 1`` (see :func:`bootstrap`).

    Parameters
    ----------
    distances : array_like
        Shephard input distances ``1 / theta`` (input) or Farrell output ``phi`` (output).
    rule : {"silverman", "lscv"}
        Normal-reference rule or least-squares cross-validation on the reflected sample.

    Returns
    -------
    float
        ``h`` on the distance scale.

    Raises
    ------
    InputDataError
        Unknown rule, or fewer than two distances away from 1 (no spread to smooth).
    """
    D = np.asarray(distances, dtype=float)
    if rule not in BANDWIDTH_RULES:
        raise InputDataError(f"bandwidth={rule!r} is not allowed; use one of {BANDWIDTH_RULES}")
    z = D[D > 1.0 + _ONE_TOL]
    if z.size < 2:
        raise InputDataError(
            "fewer than two units are inefficient (distance > 1 + 1e-6), so the bandwidth of "
            "the smoothed bootstrap is undefined; give bandwidth=<float>"
        )
    refl = np.concatenate([z, 2.0 - z])
    sd_r = float(np.std(refl, ddof=1))
    if rule == "silverman":
        q75, q25 = np.percentile(refl, [75, 25])
        spread = sd_r
        iqr = (q75 - q25) / 1.349
        if 1e-6 < iqr < sd_r:
            spread = iqr
        h_r = 0.9 * spread * refl.size ** (-0.2)
    else:
        h_r = _lscv_bandwidth(refl)
    # Daraio & Simar (2007, eq. 3.26): back to the scale and size of the n distances
    return float(h_r * float(np.std(D, ddof=1)) / sd_r * (refl.size / D.size) ** 0.2)


# ----------------------------------------------------------------------------------------
# Replications
# ----------------------------------------------------------------------------------------
def _draw(rng: np.random.Generator, D: np.ndarray, h: float, var_refl: float) -> np.ndarray:
    """One smoothed, reflected, variance-corrected draw of n distances (all >= 1)."""
    n = D.size
    pick = rng.integers(0, 2 * n, size=n)
    beta = np.where(pick < n, D[pick % n], 2.0 - D[pick % n])
    eps = rng.standard_normal(n)
    bbar = beta.mean()
    star = bbar + (beta + h * eps - bbar) / np.sqrt(1.0 + h * h / var_refl)
    return np.where(star < 1.0, 2.0 - star, star)


def _pseudo(base: np.ndarray, m: int, orientation: str, D: np.ndarray, Dstar: np.ndarray):
    """Pseudo-sample on the rays of the data (step 4 of the Notes of :func:`bootstrap`)."""
    pseudo = base.copy()
    if orientation == "input":  # x* = (theta / theta*) x = (D* / D) x
        pseudo[:, :m] *= (Dstar / D)[:, None]
    else:  # y* = (phi / phi*) y
        pseudo[:, m:] *= (D / Dstar)[:, None]
    return pseudo


def _replication_chunk(
    seeds: np.ndarray,
    model_kwargs: dict[str, Any],
    frame: pd.DataFrame,
    inputs: list[Any],
    outputs: list[Any],
    D: np.ndarray,
    h: float,
    var_refl: float,
    method: str = "batch",
    pool: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Scores of the original units against one pseudo-frontier per seed (columns), and
    the number of units that needed an LP.

    ``method="lp"``: one :class:`Radial` fit per replication.  ``"batch"``: all units of
    a replication at once by :func:`dea.models._certify.radial_factors` (a batched
    simplex whose bases are proven optimal on the data), the units it cannot prove by
    that same :class:`Radial` fit restricted to them.  Both give the LP optima.
    """
    orientation = model_kwargs["orientation"]
    base = frame.to_numpy(dtype=float)
    m = len(inputs)
    n = frame.shape[0]
    out = np.empty((n, len(seeds)))
    scale = np.abs(base).mean(axis=0)
    scale[scale == 0] = 1.0
    scaled = base / scale
    n_lp = 0
    for b, ss in enumerate(seeds):
        rng = np.random.default_rng(ss)
        Dstar = _draw(rng, D, h, var_refl)
        pseudo = _pseudo(base, m, orientation, D, Dstar)
        ref = pd.DataFrame(pseudo, index=frame.index, columns=frame.columns)

        def fit(units: np.ndarray, ref: pd.DataFrame = ref) -> np.ndarray:
            with warnings.catch_warnings():  # a few evaluated units against n pseudo units
                warnings.simplefilter("ignore", FewUnitsWarning)
                try:
                    sub = Radial(frame.iloc[units], inputs, outputs, reference=ref, **model_kwargs)
                    return sub.fit().scores.to_numpy(dtype=float)
                except InputDataError:  # e.g. a column zero for every unit of the subset
                    res = Radial(frame, inputs, outputs, reference=ref, **model_kwargs).fit()
                    return res.scores.to_numpy(dtype=float)[units]

        if method == "lp":
            out[:, b] = fit(np.arange(n))
            n_lp += n
            continue
        ps = _pseudo(scaled, m, orientation, D, Dstar)
        arrays = RadialArrays(
            scaled[:, :m], scaled[:, m:], ps[:, :m], ps[:, m:], model_kwargs["rts"], orientation
        )

        def lps(units: np.ndarray, fit: Any = fit) -> np.ndarray:
            sc = fit(units)
            return sc if orientation == "input" else 1.0 / sc

        value, by_lp = radial_factors(arrays, np.arange(n), lps, pool)
        out[:, b] = value if orientation == "input" else 1.0 / value
        n_lp += int(by_lp.sum())
    return out, n_lp


def bootstrap(
    model: Radial,
    n_boot: int = 2000,
    *,
    alpha: float = 0.05,
    seed: int | np.random.SeedSequence | None = None,
    n_jobs: int = 1,
    bandwidth: str | float = "silverman",
    bias_ratio: float = 1.0 / np.sqrt(3.0),
    return_replications: bool = False,
    method: str = "batch",
) -> BootstrapResult:
    r"""Smoothed homogeneous bootstrap of radial DEA scores (Simar & Wilson 1998).

    Parameters
    ----------
    model : Radial
        The model to bootstrap: ``orientation`` "input" or "output", any ``rts``, no
        ``reference=`` and no super-efficiency (the bootstrap resamples the frontier
        of the evaluated units themselves).  Its solver options are used for every
        replication; phase 2 (slacks) is not run, only scores are needed.
    n_boot : int, default 2000
        Number of replications (Simar & Wilson recommend 2000 for intervals).
    alpha : float, default 0.05
        The confidence intervals have level ``1 - alpha``.
    seed : int, SeedSequence or None
        Seed of ``numpy.random.SeedSequence``; replication ``b`` uses child ``b`` of
        ``SeedSequence(seed).spawn(n_boot)``, so results are reproducible and the same
        for any ``n_jobs``.
    n_jobs : int, default 1
        joblib workers over chunks of 20 replications (any joblib backend, e.g. dask
        through ``joblib.parallel_config``).
    bandwidth : {"silverman", "lscv"} or float, default "silverman"
        Bandwidth rule (see Notes) or ``h`` itself (distance scale).
    bias_ratio : float, default 1/sqrt(3)
        ``use_bias_correction`` is False where ``|bias| <= bias_ratio * sd``.
    return_replications : bool, default False
        Keep all replicated scores (``result.replications``, n x n_boot).
    method : {"batch", "lp"}, default "batch"
        How a replication's n LPs are solved.  ``"lp"``: one :class:`Radial` fit per
        replication (the engine's LP loop).  ``"batch"``: all n LPs of a replication
        together by a batched primal simplex in numpy (they share the pseudo units'
        whole constraint block), each final basis *proven* optimal on the data (a
        primal feasible point and a dual bound over every pseudo unit that agree to
        1e-9, see :mod:`dea.models._certify`), and the few units it cannot prove by
        the same :class:`Radial` fit restricted to them.  Same scores (the LP optima,
        to 1e-9; in practice ~1e-13) many times faster.

    Returns
    -------
    BootstrapResult
        Per unit: score, bias, bias-corrected score, standard error, CI bounds, the
        bias-correction flag; the bandwidth; replications on request.

    Raises
    ------
    InputDataError
        Graph orientation, a model with ``reference=`` or ``super_efficiency=True``,
        units whose original LP is not optimal (named), fewer than two inefficient units
        for a bandwidth rule, ``n_boot < 2``, ``alpha`` outside (0, 1), a bad ``bandwidth``.

    Notes
    -----
    Work on distances ``D >= 1``: the Shephard input distance ``D = 1 / theta``
    (input orientation) or the Farrell output measure ``D = phi`` (output). With
    :math:`\hat D_j` the DEA estimates of the n units, one replication is
    (Simar & Wilson 1998, sec. 3; Daraio & Simar 2007, sec. 3.4):

    1. draw :math:`\beta_1..\beta_n` with replacement from the reflected sample
       :math:`\{\hat D_j\} \cup \{2 - \hat D_j\}`;
    2. smooth and correct the variance:
       :math:`\tilde D_j = \bar\beta + (\beta_j + h\varepsilon_j - \bar\beta) /
       \sqrt{1 + h^2 / \hat\sigma^2}`, :math:`\varepsilon_j \sim N(0, 1)`,
       :math:`\hat\sigma^2` the variance of the reflected sample;
    3. reflect back: :math:`D^*_j = \tilde D_j` if :math:`\tilde D_j \ge 1`, else
       :math:`2 - \tilde D_j`;
    4. pseudo-sample on the rays of the data: inputs :math:`x^*_j = (D^*_j/\hat D_j) x_j`
       (input orientation), outputs :math:`y^*_j = (\hat D_j / D^*_j) y_j` (output);
    5. score every original unit against the pseudo-sample frontier: the LP of
       :class:`Radial` with ``reference=`` the pseudo-sample, e.g. input orientation
       ``min theta s.t. X* lambda <= theta x_k, Y lambda >= y_k, lambda in Lambda``,
       giving :math:`D^*_{k,b} = 1/\theta^*_{k,b}`.

    With :math:`\bar D^*_k` the mean over replications: bias :math:`\bar D^*_k - \hat
    D_k`, bias-corrected :math:`\tilde D_k = 2\hat D_k - \bar D^*_k`; reported as
    ``scores_bc = 1 / tilde D`` and ``bias = scores - scores_bc``.  Since the pseudo
    technology lies inside the DEA technology, :math:`D^* \le \hat D`, so
    ``scores_bc <= scores`` always.  The interval is the basic bootstrap interval of
    Simar & Wilson (1998, sec. 3.3): :math:`[\hat D_k + a, \hat D_k + b]` with
    :math:`a, b` the ``alpha/2`` and ``1 - alpha/2`` quantiles (Hyndman-Fan type 9,
    as Benchmarking) of :math:`\hat D_k - D^*_{k,b}`, mapped to scores as
    ``[1 / (D + b), 1 / (D + a)]``.  ``std_error`` is the standard deviation of the
    replicated scores.  The bias correction adds noise; Simar & Wilson (2000,
    sec. 3; Efron & Tibshirani 1993, sec. 10.6) advise against it unless
    :math:`|\text{bias}| > \hat\sigma/\sqrt 3` (distance scale): ``use_bias_correction``.

    Bandwidth.  ``"silverman"``: the normal-reference rule of Silverman (1986, eq. 3.31),
    ``h_r = 0.9 min(sd, IQR/1.349) (2n')^{-1/5}``, on the reflected sample of the n'
    distances above ``1 + 1e-6`` (efficient units left out so their mass at 1 does not
    shrink h; Simar & Wilson 2008), rescaled to the n distances as in Daraio & Simar
    (2007, eq. 3.26): ``h = h_r sd(D) / sd_r (2n'/n)^{1/5}``.  ``"lscv"``: the same with
    ``h_r`` chosen by least-squares cross-validation, the selector Simar & Wilson (1998)
    used.  R's Benchmarking (``dea.boot``) uses the silverman rule but computes the
    reflected sample from Farrell input scores in input orientation, so its ``h``
    differs slightly from ours there; pass ``bandwidth=h`` to reproduce it.

    References
    ----------
    Simar, L., & Wilson, P. W. (1998). Sensitivity analysis of efficiency scores: how to
    bootstrap in nonparametric frontier models. *Management Science*, 44(1), 49-61.

    Simar, L., & Wilson, P. W. (2000). Statistical inference in nonparametric frontier
    models: the state of the art. *Journal of Productivity Analysis*, 13, 49-78.

    Simar, L., & Wilson, P. W. (2008). Statistical inference in nonparametric frontier
    models: recent developments and perspectives. In Fried, Lovell & Schmidt (eds.),
    *The Measurement of Productive Efficiency and Productivity Growth*, OUP.

    Daraio, C., & Simar, L. (2007). *Advanced Robust and Nonparametric Methods in
    Efficiency Analysis*. Springer.

    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*.
    Chapman & Hall.

    Examples
    --------
    >>> import numpy as np, pandas as pd, dea
    >>> rng = np.random.default_rng(1)
    >>> x = rng.uniform(1, 10, 30)
    >>> df = pd.DataFrame({"x": x, "y": np.sqrt(x) * rng.uniform(0.5, 1, 30)})
    >>> res = dea.bootstrap(dea.Radial(df, ["x"], ["y"]), n_boot=50, seed=3)
    >>> bool((res.scores_bc <= res.scores).all())
    True
    >>> bool(((res.lower <= res.scores_bc) & (res.scores_bc <= res.upper)).mean() > 0.9)
    True
    """
    if not isinstance(model, Radial):
        raise InputDataError(f"model must be a dea.Radial, got {type(model).__name__}")
    if model.orientation not in ORIENTATIONS:
        raise InputDataError(
            f"orientation={model.orientation!r} is not allowed for the bootstrap; use "
            "'input' or 'output'"
        )
    if model.super_efficiency:
        raise InputDataError("super_efficiency=True is not allowed for the bootstrap")
    d = model.data
    r = model.reference_data
    if r is not d and not (r.labels.equals(d.labels) and np.array_equal(r.X, d.X)):
        raise InputDataError(
            "the bootstrap resamples the evaluated units' own frontier; fit the model "
            "without reference="
        )
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 2:
        raise InputDataError(f"n_boot={n_boot!r} is not allowed; use an integer >= 2")
    if not (isinstance(alpha, float | int) and 0.0 < float(alpha) < 1.0):
        raise InputDataError(f"alpha={alpha!r} is not allowed; use a number in (0, 1)")
    n_jobs = check_n_jobs(n_jobs)
    kwargs = {
        "rts": model.rts,
        "orientation": model.orientation,
        "two_phase": False,
        "solver": model.solver,
        "solver_options": dict(model.solver_options),
    }
    frame = pd.DataFrame(np.hstack([d.X, d.Y]), index=d.labels, columns=[*d.inputs, *d.outputs])
    inputs, outputs = list(d.inputs), list(d.outputs)
    original = Radial(frame, inputs, outputs, **kwargs).fit()
    scores = original.scores.to_numpy(dtype=float)
    bad = ~np.isfinite(scores) | ~(scores > 0)
    if bad.any():
        raise InputDataError(
            f"unit(s) {format_labels(d.labels[bad])} have no positive optimal DEA score "
            f"(status {sorted(set(original.status[bad].tolist()))}); remove them before "
            "bootstrapping"
        )
    D = 1.0 / scores
    if isinstance(bandwidth, str):
        h = bootstrap_bandwidth(D, bandwidth)
        rule = bandwidth
    else:
        h = float(bandwidth)
        rule = "given"
        if not (np.isfinite(h) and h > 0):
            raise InputDataError(f"bandwidth={bandwidth!r} is not allowed; use h > 0")
    var_refl = float(np.var(np.concatenate([D, 2.0 - D]), ddof=1))
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = np.empty(n_boot, dtype=object)
    children[:] = ss.spawn(int(n_boot))
    if method not in ("batch", "lp"):
        raise InputDataError(f"method={method!r} is not allowed; use 'batch' or 'lp'")
    pool = np.flatnonzero(~(scores < 1.0 - 1e-9))  # efficient units: priced first
    parts = map_chunks(
        _replication_chunk,
        children,
        kwargs,
        frame,
        inputs,
        outputs,
        D,
        h,
        var_refl,
        method,
        pool,
        n_jobs=n_jobs,
        chunk_size=_REPS_PER_TASK,
    )
    boot = np.hstack([p[0] for p in parts])  # scores, n x n_boot
    n_lp = int(sum(p[1] for p in parts))
    with np.errstate(divide="ignore", invalid="ignore"):
        Dstar = 1.0 / boot
    n_ok = np.isfinite(Dstar).sum(axis=1)
    mean_star = np.nanmean(Dstar, axis=1)
    D_bc = 2.0 * D - mean_star
    bias_D = mean_star - D
    sd_D = np.nanstd(Dstar, axis=1, ddof=1)
    diff = D[:, None] - Dstar
    probs = [alpha / 2.0, 1.0 - alpha / 2.0]
    qa, qb = np.nanquantile(diff, probs, axis=1, method="normal_unbiased")
    labels = d.labels
    scores_bc = 1.0 / D_bc

    def ser(v: np.ndarray, name: str) -> pd.Series:
        return pd.Series(v, index=labels, name=name)

    reps = None
    if return_replications:
        reps = pd.DataFrame(boot, index=labels, columns=pd.RangeIndex(n_boot, name="replication"))
    return BootstrapResult(
        scores=ser(scores, "score"),
        bias=ser(scores - scores_bc, "bias"),
        scores_bc=ser(scores_bc, "score_bc"),
        std_error=ser(np.nanstd(boot, axis=1, ddof=1), "std_error"),
        lower=ser(1.0 / (D + qb), "lower"),
        upper=ser(1.0 / (D + qa), "upper"),
        use_bias_correction=ser(np.abs(bias_D) > bias_ratio * sd_D, "use_bias_correction"),
        bandwidth=h,
        n_boot=int(n_boot),
        alpha=float(alpha),
        replications=reps,
        info={
            "model": "Radial",
            "rts": model.rts,
            "orientation": model.orientation,
            "solver": model.solver,
            "bandwidth_rule": rule,
            "seed": ss.entropy,
            "n_valid": pd.Series(n_ok, index=labels, name="n_valid"),
            "method": method,
            "lp_units": n_lp,
        },
    )
