"""Schemes: pre-treatment + normalisation + weights + aggregation (+ hierarchy), as data.

A :class:`Scheme` says how a composite score is built from indicators:

1. outlier treatment (optional), fitted on the reference set;
2. normalisation, per indicator or one default, fitted on the reference set (direction
   applied here, so afterwards higher is better);
3. missing data: re-weight, impute or drop, and no score below a minimum coverage;
4. weights: a weight estimator (fitted on the normalised reference set), a dict of
   weights, or a registry name;
5. aggregation, in a hierarchy indicator -> dimension -> index when the indicators have
   groups, with an aggregator per level.

A scheme is plain data: it is built from a dict or a TOML file, printed, compared and
copied with changes (:meth:`Scheme.replace`, :meth:`Scheme.with_weights`), which is what a
sensitivity analysis perturbs. :meth:`Scheme.score` applies it and returns a
:class:`SchemeResult`.

Scale levels are enforced throughout (see :mod:`weighting.indicators`).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing, Paris. Steps 3-8.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from weighting import tomlfile
from weighting.aggregate import Aggregator, PowerMean, get_aggregator
from weighting.exceptions import (
    CoverageWarning,
    InputDataError,
    _check_labels,
    _check_numbers,
    format_labels,
)
from weighting.indicators import Indicator, IndicatorSet, Scale
from weighting.normalise import Normaliser, PointMap, get_normaliser
from weighting.pretreat import MissingPolicy, OutlierTreatment
from weighting.weights import (
    WEIGHTERS,
    EqualWeights,
    ExpertWeights,
    Weighter,
    WeightNormalisationWarning,
    get_weighter,
)

__all__ = ["Scheme", "SchemeResult"]

logger = logging.getLogger(__name__)

_TOP = "index"


# ---------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SchemeResult:
    """What :meth:`Scheme.score` returns.

    Attributes
    ----------
    scores : pd.Series
        Composite score per unit (NaN for excluded units), indexed by the user's labels.
    ranks : pd.Series
        Rank per unit, 1 = best (ties share the best rank), NaN for excluded units.
    dimension_scores : pd.DataFrame
        Units x dimensions (no columns for a scheme without groups).
    normalised : pd.DataFrame
        Normalised (and imputed) indicator values, units x indicators, higher = better.
    effective_weights : pd.DataFrame
        Units x indicators: the weight each indicator finally carries in each unit's score,
        after re-weighting over missing values and through the hierarchy. Rows sum to one
        (for unit-specific weights: the unit's own multipliers).
    contributions : pd.DataFrame
        ``effective_weights x normalised``; for linear (arithmetic) aggregation at every
        level each row sums to the unit's score.
    excluded : pd.Series
        Unit -> reason, for units without a score.
    weights : pd.Series or pd.DataFrame
        The indicator weights used (fitted weighter's ``weights_``, renormalised within
        each dimension when there is a hierarchy); scored with ``by``: a DataFrame
        calibration group x indicator.
    dimension_weights : pd.Series, pd.DataFrame or None
        Weights of the dimensions at the top level (with ``by``: group x dimension).
    imputed : pd.DataFrame
        Cells filled by the missing-data policy (unit, indicator, value, method).
    outliers : pd.DataFrame or None
        Per-indicator outlier treatment summary.
    outlier_changes : pd.DataFrame or None
        Values changed by the outlier treatment (indicator, unit, old, new, treatment).
    weighter : Weighter or dict
        The fitted weight estimator (with ``by``: calibration group -> estimator).
    scheme : Scheme
        The scheme that produced the result.
    linear : bool
        Whether contributions add up to the scores.
    reference_normalised : pd.DataFrame
        The normalised reference units the weights were fitted on.
    groups : pd.Series or None
        Scored with ``by``: the calibration group of each unit of the data.
    by_group : dict or None
        Scored with ``by``: calibration group -> the :class:`SchemeResult` of that group
        alone (its ranks are within the group; ``ranks`` above are across all units).
    """

    scores: pd.Series
    ranks: pd.Series
    dimension_scores: pd.DataFrame
    normalised: pd.DataFrame
    effective_weights: pd.DataFrame
    contributions: pd.DataFrame
    excluded: pd.Series
    weights: pd.Series
    dimension_weights: pd.Series | None
    imputed: pd.DataFrame
    outliers: pd.DataFrame | None
    outlier_changes: pd.DataFrame | None
    weighter: Weighter
    scheme: Scheme
    linear: bool
    reference_normalised: pd.DataFrame = field(repr=False, default=None)  # type: ignore[assignment]
    groups: pd.Series | None = field(repr=False, default=None)
    by_group: dict[Any, SchemeResult] | None = field(repr=False, default=None)

    def summary(self) -> pd.DataFrame:
        """Table of score, rank and dimension scores per unit, best first.

        Returns
        -------
        pd.DataFrame
        """
        table = pd.concat(
            [self.scores.rename("score"), self.ranks.rename("rank"), self.dimension_scores],
            axis=1,
        )
        return table.sort_values("rank", na_position="last")

    def __repr__(self) -> str:
        n = len(self.scores)
        scored = int(self.scores.notna().sum())
        lines = [
            f"SchemeResult of scheme {self.scheme.name!r}: {scored} of {n} units scored",
        ]
        if len(self.excluded):
            lines.append(f"  excluded: {format_labels(self.excluded.index)}")
        top = self.summary().head(5)
        lines.append("  top units:")
        for unit, row in top.iterrows():
            lines.append(f"    {row['rank']:>4.0f}  {unit!s:<20} {row['score']:.4g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return (
            f"<p><b>SchemeResult</b> of scheme <code>{self.scheme.name}</code></p>"
            + self.summary().head(20).to_html()
        )


# ---------------------------------------------------------------------------------------------
# the scheme
# ---------------------------------------------------------------------------------------------
class Scheme:
    """A composite-indicator recipe: pre-treatment, normalisation, weights, aggregation.

    Parameters
    ----------
    indicators : IndicatorSet or list of Indicator / dict
        The indicators, with scale level, direction and optional group (dimension). When
        indicators have groups the scheme is hierarchical: indicator -> dimension -> index.
    normalisation : str, dict, Normaliser or mapping, default "minmax"
        One method for all indicators (``"minmax"``, ``{"method": "minmax", "low": 1,
        "high": 100}``, ``MinMax(...)``), or a mapping indicator -> method with an optional
        ``"default"`` entry. Indicators with a point map in their metadata and no method of
        their own get :class:`~weighting.normalise.PointMap`. Default ``"mpi"`` when the
        aggregation is the Mazziotta-Pareto index.
    weights : Weighter, str, dict, Series or None
        A weight estimator (fitted on the normalised reference set), a registry name
        (``"pca"``, ``"entropy"``, ``"bod"``, ...) or ``{"weighter": "pca", ...}`` (also
        ``{"method": "pca", ...}`` when no estimator parameter is called ``method``), or plain
        weights indicator -> number (wrapped in ``ExpertWeights``). ``None``: the
        indicators' own weights if all have one, else equal weights per dimension, shared
        equally within each dimension.
    aggregation : str, dict or Aggregator, default "arithmetic"
        Aggregation of indicators (into dimensions when there are groups).
    dimension_aggregation : str, dict or Aggregator, optional
        Aggregation of dimensions into the index; default ``aggregation``.
    dimension_weights : mapping, Weighter or str, optional
        Weights of the dimensions. ``None``: each dimension weighs the sum of its
        indicators' weights (so with linear aggregation the index equals the flat weighted
        mean). A Weighter or name is fitted on the reference dimension scores.
    missing : str, dict or MissingPolicy, default "reweight"
        Missing-data policy (see :class:`~weighting.pretreat.MissingPolicy`).
    outliers : str, dict, OutlierTreatment or None, default None
        Outlier treatment of the raw values (see
        :class:`~weighting.pretreat.OutlierTreatment`).
    allow_scale_violations : bool, default False
        Turn scale-level errors into :class:`~weighting.exceptions.ScaleLevelWarning`.
    name : str, default "scheme"
        Label used in reports and comparisons.

    Raises
    ------
    InputDataError
        For invalid specs: unknown methods, weights naming unknown indicators or negative,
        per-indicator normalisation for unknown indicators.

    Notes
    -----
    Order of the steps in :meth:`score`: (1) outlier treatment of the raw values, fitted on
    the reference set; (2) normalisation, fitted on the treated reference set; (3) the
    missing-data policy on the normalised values, with statistics from the normalised
    reference set (for the monotone normalisations this imputes the same medians as
    imputing raw values, and for the linear ones the same means); (4) weights, fitted on
    the normalised reference units that have every indicator; (5) aggregation within each
    dimension, then across dimensions.

    With unit-specific weights (benefit of the doubt, ``unit_specific = True``) each unit's
    score is its own weighted *sum* :math:`\\sum_j w_{ij} y_{ij}` (the weights are
    multipliers, not shares; aggregation must be arithmetic; a weighter that reports its LP
    optima ``scores_`` gives those, equal to the sum up to the solver's tolerance), and a
    dimension score is the dimension's part of that sum. When a reference set is given, the
    estimator is fitted on the reference units plus the scored units not in it, or on the
    scored units alone when the weighter says ``comparison = "scored"``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = Scheme.from_dict({
    ...     "name": "demo",
    ...     "indicators": [{"name": "a"}, {"name": "b", "direction": "lower"}],
    ...     "weights": {"a": 2, "b": 1},
    ... })
    >>> data = pd.DataFrame({"a": [0, 5, 10], "b": [3, 2, 1]}, index=["x", "y", "z"])
    >>> s.score(data).scores.round(3).tolist()
    [0.0, 0.5, 1.0]
    """

    def __init__(
        self,
        indicators: IndicatorSet | list[Indicator | Mapping[str, Any]],
        *,
        normalisation: Any = None,
        weights: Any = None,
        aggregation: Any = "arithmetic",
        dimension_aggregation: Any = None,
        dimension_weights: Any = None,
        missing: Any = "reweight",
        outliers: Any = None,
        allow_scale_violations: bool = False,
        name: str = "scheme",
    ) -> None:
        self.indicators = (
            indicators if isinstance(indicators, IndicatorSet) else IndicatorSet(indicators)
        )
        self.name = str(name)
        self.allow_scale_violations = bool(allow_scale_violations)
        self.aggregation = get_aggregator(aggregation)
        self.dimension_aggregation = (
            None if dimension_aggregation is None else get_aggregator(dimension_aggregation)
        )
        self.missing = MissingPolicy.from_spec(missing)
        self.outliers = OutlierTreatment.from_spec(outliers)
        self._groups = self.indicators.groups  # validates all-or-none groups
        self.normalisation = self._parse_normalisation(normalisation)
        self.weights = self._parse_weights(weights)
        self.dimension_weights = self._parse_dimension_weights(dimension_weights)

    # -- spec parsing -----------------------------------------------------------------------
    def _parse_normalisation(self, spec: Any) -> dict[str, Normaliser]:
        names = self.indicators.names
        default: Any = None
        per: dict[str, Any] = {}
        if isinstance(spec, Mapping) and "method" not in spec:
            per = dict(spec)
            default = per.pop("default", None)
            unknown = [k for k in per if k not in names]
            if unknown:
                raise InputDataError(
                    f"normalisation names unknown indicators {format_labels(unknown)}; "
                    f"indicators are {format_labels(names)} (use 'default' for the rest)"
                )
        else:
            default = spec
        if default is None:
            default = "mpi" if self.aggregation.name == "mpi" else "minmax"
        default_norm = get_normaliser(default)
        out: dict[str, Normaliser] = {}
        self._explicit_normalisation = set(per)
        for ind in self.indicators:
            if ind.name in per:
                out[ind.name] = get_normaliser(per[ind.name])
            elif ind.points is not None and not isinstance(default_norm, PointMap):
                out[ind.name] = PointMap()
            else:
                out[ind.name] = default_norm.clone()
        self._default_normaliser = default_norm
        return out

    def _parse_weights(self, spec: Any) -> Weighter:
        names = self.indicators.names
        if spec is None:
            meta = self.indicators.weights
            if meta is not None:
                return ExpertWeights(meta.to_dict())
            if self._groups:
                return EqualWeights(
                    groups={i.name: i.group for i in self.indicators}
                )
            return EqualWeights()
        out = _weighter_or_map(spec, names, "weights", "indicators")
        if isinstance(out, dict):
            return ExpertWeights(out)
        if out is not None:
            return out
        raise InputDataError(
            "weights must be a Weighter, a method name, a dict {method: ...} or a mapping "
            f"indicator -> weight, got {type(spec).__name__}"
        )

    def _parse_dimension_weights(self, spec: Any) -> Weighter | dict[str, float] | None:
        if spec is None:
            return None
        dims = list(self._groups)
        if not dims:
            raise InputDataError(
                "dimension_weights were given but no indicator has a group (dimension)"
            )
        out = _weighter_or_map(spec, dims, "dimension_weights", "dimensions")
        if out is not None:
            return out
        raise InputDataError(
            f"dimension_weights must be a mapping, a Weighter or a name, got {type(spec).__name__}"
        )

    # -- data form --------------------------------------------------------------------------
    @property
    def dimensions(self) -> dict[str, list[str]]:
        """Dimension -> indicator names (empty for a flat scheme)."""
        return {k: list(v) for k, v in self._groups.items()}

    @property
    def top_aggregation(self) -> Aggregator:
        """The aggregator used at the top level (dimensions -> index)."""
        return self.dimension_aggregation or self.aggregation

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, the inverse of :meth:`from_dict`.

        Returns
        -------
        dict
            Keys: name, indicators, normalisation, weights, aggregation,
            dimension_aggregation, dimension_weights, missing, outliers,
            allow_scale_violations (``None`` entries omitted).
        """
        norm: Any
        default_spec = self._default_normaliser.to_spec()
        overrides = {
            n: nz.to_spec()
            for n, nz in self.normalisation.items()
            if n in self._explicit_normalisation
        }
        norm = {"default": default_spec, **overrides} if overrides else default_spec
        out: dict[str, Any] = {
            "name": self.name,
            "indicators": self.indicators.to_records(),
            "normalisation": norm,
            "weights": _weighter_spec(self.weights),
            "aggregation": self.aggregation.to_spec(),
            "missing": self.missing.to_spec(),
            "allow_scale_violations": self.allow_scale_violations,
        }
        if self.dimension_aggregation is not None:
            out["dimension_aggregation"] = self.dimension_aggregation.to_spec()
        if self.dimension_weights is not None:
            dw = self.dimension_weights
            out["dimension_weights"] = dict(dw) if isinstance(dw, dict) else _weighter_spec(dw)
        if self.outliers is not None:
            out["outliers"] = self.outliers.to_spec()
        return out

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Scheme:
        """Build a scheme from a plain dict (as read from TOML or JSON).

        Parameters
        ----------
        spec : mapping
            Must contain ``indicators`` (list of dicts, or a dict name -> fields); other
            keys as the constructor's keyword arguments.

        Returns
        -------
        Scheme

        Raises
        ------
        InputDataError
            For unknown keys or invalid values.
        """
        if not isinstance(spec, Mapping):
            raise InputDataError(f"a scheme spec must be a mapping, got {type(spec).__name__}")
        allowed = {
            "name", "indicators", "normalisation", "weights", "aggregation",
            "dimension_aggregation", "dimension_weights", "missing", "outliers",
            "allow_scale_violations",
        }
        unknown = [k for k in spec if k not in allowed]
        if unknown:
            raise InputDataError(
                f"scheme spec has unknown keys {format_labels(unknown)}; allowed are "
                f"{format_labels(sorted(allowed), limit=20)}"
            )
        if "indicators" not in spec:
            raise InputDataError("scheme spec has no 'indicators'")
        inds = spec["indicators"]
        if isinstance(inds, Mapping):
            inds = [{"name": k, **dict(v)} for k, v in inds.items()]
        kwargs = {k: v for k, v in spec.items() if k != "indicators"}
        return cls(inds, **kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> Scheme:
        """Read a scheme from a TOML file (same keys as :meth:`from_dict`).

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Scheme

        Raises
        ------
        InputDataError
            If the file cannot be parsed or the spec is invalid.

        Examples
        --------
        A file like::

            name = "outreach-first"
            aggregation = "arithmetic"
            normalisation = {method = "minmax", low = 0, high = 100}
            [weights]
            women = 2
            rural = 1
            [[indicators]]
            name = "women"
            [[indicators]]
            name = "rural"
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputDataError(f"cannot read scheme file {str(p)!r}: {exc}") from exc
        try:
            spec = tomlfile.loads(text)
        except tomlfile.TOMLDecodeError as exc:
            raise InputDataError(f"scheme file {str(p)!r} is not valid TOML: {exc}") from exc
        return cls.from_dict(spec)

    def to_toml(self, path: str | Path | None = None) -> str:
        """Write the scheme as TOML (readable by :meth:`from_toml`).

        Parameters
        ----------
        path : str or Path, optional
            File to write; if omitted only the text is returned.

        Returns
        -------
        str
            The TOML text.

        Raises
        ------
        InputDataError
            If a setting has no TOML form (e.g. a weight estimator whose parameters are
            DataFrames, or None values inside a parameter).
        """
        spec = self.to_dict()
        indicators = spec.pop("indicators")
        spec["indicators"] = indicators  # last: [[indicators]] tables after the settings
        return tomlfile.write(spec, path, what="scheme setting")

    def replace(self, **changes: Any) -> Scheme:
        """A copy with some settings changed (the scheme itself is not modified).

        Parameters
        ----------
        **changes
            Constructor keyword arguments (``weights=...``, ``aggregation=...``,
            ``indicators=...``, ``name=...``, ...).

        Returns
        -------
        Scheme

        Raises
        ------
        InputDataError
            For unknown keywords.
        """
        allowed = {
            "indicators", "normalisation", "weights", "aggregation", "dimension_aggregation",
            "dimension_weights", "missing", "outliers", "allow_scale_violations", "name",
        }
        unknown = [k for k in changes if k not in allowed]
        if unknown:
            raise InputDataError(
                f"replace() got unknown settings {format_labels(unknown)}; allowed are "
                f"{format_labels(sorted(allowed), limit=20)}"
            )
        current: dict[str, Any] = {
            "indicators": self.indicators,
            "normalisation": self._normalisation_spec_objects(),
            "weights": self.weights,
            "aggregation": self.aggregation,
            "dimension_aggregation": self.dimension_aggregation,
            "dimension_weights": self.dimension_weights,
            "missing": self.missing,
            "outliers": self.outliers,
            "allow_scale_violations": self.allow_scale_violations,
            "name": self.name,
        }
        if "indicators" in changes and "normalisation" not in changes:
            new_inds = changes["indicators"]
            new_names = (
                new_inds.names if isinstance(new_inds, IndicatorSet)
                else [Indicator.from_dict(i).name for i in new_inds]
            )
            spec = current["normalisation"]
            if isinstance(spec, dict):
                current["normalisation"] = {
                    k: v for k, v in spec.items() if k == "default" or k in new_names
                }
        if "indicators" in changes and "weights" not in changes:
            current["weights"] = _restrict_weighter(self.weights, changes["indicators"])
        current.update(changes)
        return Scheme(current.pop("indicators"), **current)

    def with_weights(self, weights: Any, *, name: str | None = None) -> Scheme:
        """A copy with other indicator weights (see ``weights`` in the constructor)."""
        return self.replace(weights=weights, **({"name": name} if name else {}))

    def _normalisation_spec_objects(self) -> Any:
        if not self._explicit_normalisation:
            return self._default_normaliser
        return {
            "default": self._default_normaliser,
            **{n: self.normalisation[n] for n in self._explicit_normalisation},
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scheme):
            return NotImplemented
        try:
            return _plain(self.to_dict()) == _plain(other.to_dict())
        except Exception:  # pragma: no cover - exotic parameters
            return self is other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inds = self.indicators
        lines = [f"Scheme {self.name!r}"]
        if self._groups:
            dims = "; ".join(f"{d}: {', '.join(v)}" for d, v in self._groups.items())
            lines.append(f"  indicators    : {len(inds)} in {len(self._groups)} dimensions "
                         f"({dims})")
        else:
            lines.append(f"  indicators    : {len(inds)} ({', '.join(inds.names)})")
        lines.append(f"  outliers      : {self.outliers!r}" if self.outliers else
                     "  outliers      : none")
        default = self._default_normaliser.to_spec()
        special = {n: nz.to_spec() for n, nz in self.normalisation.items()
                   if nz.to_spec() != default}
        norm = _fmt_spec(default) + (
            "; " + ", ".join(f"{n}: {_fmt_spec(s)}" for n, s in special.items())
            if special else ""
        )
        lines.append(f"  normalisation : {norm}")
        lines.append(f"  missing       : {self.missing.method} "
                     f"(min coverage {self.missing.min_coverage:.0%})")
        lines.append(f"  weights       : {self.weights!r}")
        agg = _fmt_spec(self.aggregation.to_spec())
        if self._groups:
            top = _fmt_spec(self.top_aggregation.to_spec())
            lines.append(f"  aggregation   : {agg} (indicators -> dimensions), {top} "
                         "(dimensions -> index)")
            dw = self.dimension_weights
            lines.append("  dim. weights  : " + (
                "sum of indicator weights" if dw is None else
                (", ".join(f"{k}={v:g}" for k, v in dw.items()) if isinstance(dw, dict)
                 else repr(dw))
            ))
        else:
            lines.append(f"  aggregation   : {agg}")
        if self.allow_scale_violations:
            lines.append("  scale violations allowed (warnings)")
        return "\n".join(lines)

    # -- scoring ----------------------------------------------------------------------------
    def score(
        self,
        data: pd.DataFrame,
        reference: pd.DataFrame | None = None,
        *,
        by: pd.Series | str | None = None,
        groups: pd.Series | str | None = None,
    ) -> SchemeResult:
        """Score units.

        Parameters
        ----------
        data : pd.DataFrame
            Units to score: rows = units (unique labels), columns include every indicator.
        reference : pd.DataFrame, optional
            Reference universe on which normalisation, outlier caps, imputation statistics
            and data-driven weights are fitted. Default: ``data`` itself.
        by : str or Series, optional
            Calibration groups (e.g. the fiscal year): a column present in ``data`` (and in
            ``reference``), or a Series unit -> group covering the units of both. Each
            group's units are scored against that group's reference rows only: outlier
            caps, normalisers, imputation statistics and data-driven weights (PCA, entropy,
            ...) are fitted per group, exactly as if the scheme were run on each group
            separately. Scores, normalised values, weights and contributions are then
            gathered into one result (``ranks`` across all units; ``weights`` per group).
        groups : Series or str, optional
            Unit -> group (e.g. peer group) for group-median imputation, covering the units
            of ``data`` and ``reference``; or a column name present in both.

        Returns
        -------
        SchemeResult

        Raises
        ------
        InputDataError
            Indicators missing from the data, non-numeric values, unknown categories,
            duplicated unit labels, invalid weights.
        ConstantIndicatorError
            An indicator is constant on the reference set under z-score or min-max.
        ScaleLevelError
            An operation is not meaningful for an indicator's scale level.

        Notes
        -----
        With weights :math:`w_j` (renormalised within each dimension :math:`d`) and
        dimension weights :math:`v_d`, a unit :math:`i` with normalised values
        :math:`y_{ij}` scores :math:`s_i = A_{top}(\\{A_d(y_{i,d}; w_d)\\}; v)`; for
        arithmetic aggregation at both levels
        :math:`s_i = \\sum_j \\tilde v_{d(j)} \\tilde w_{ij} y_{ij}`, where the tilde marks
        weights rescaled over what unit :math:`i` has. These products are
        ``effective_weights``; times the values they are ``contributions``.

        With calibration groups :math:`g` (``by``) each unit is scored by the scheme fitted
        on its group's reference rows :math:`R_g`:
        :math:`s_i = S(x_i; R_{g(i)})`, for instance min-max
        :math:`y_{ij} = (x_{ij} - \\min_{R_g} x_j) / (\\max_{R_g} x_j - \\min_{R_g} x_j)`.

        Raises
        ------
        InputDataError
            Also: a ``by`` column missing from the data or the reference, a unit without a
            group, or a group of the data with no reference rows.
        """
        if by is not None:
            return self._score_by(data, reference, by, groups)
        return self._score_one(data, reference, groups)

    def _score_one(
        self, data: pd.DataFrame, reference: pd.DataFrame | None, groups: Any
    ) -> SchemeResult:
        inds = self.indicators
        names = inds.names
        inds.check_data(data)
        ref_raw = data if reference is None else reference
        if reference is not None:
            inds.check_data(reference, name="reference")
        raw = data[names].copy()
        ref = ref_raw[names].copy()

        # 1. outliers (numeric indicators, fitted on the reference)
        scales = {i.name: i.scale for i in inds}
        outlier_summary = outlier_changes = None
        if self.outliers is not None:
            ot = self.outliers.clone().fit(ref, inds)
            ref = ot.transform(ref)
            raw = ot.transform(raw)
            outlier_summary, outlier_changes = ot.summary_, ot.changes_
            for col in ot.log_transformed_:
                if scales[col] is Scale.RATIO:
                    scales[col] = Scale.INTERVAL

        # 2. normalisation (fitted on the reference)
        norm_data: dict[str, pd.Series] = {}
        norm_ref: dict[str, pd.Series] = {}
        out_scales: dict[str, Scale] = {}
        for ind in inds:
            nz = self.normalisation[ind.name].clone()
            meta = Indicator.from_dict({**ind.to_dict(), "scale": scales[ind.name]})
            nz.fit(ref[ind.name], indicator=meta,
                   allow_scale_violations=self.allow_scale_violations)
            norm_data[ind.name] = nz.transform(raw[ind.name])
            norm_ref[ind.name] = nz.transform(ref[ind.name])
            out_scales[ind.name] = nz.output_scale(scales[ind.name])
        Y = pd.DataFrame(norm_data, index=data.index)[names]
        R = pd.DataFrame(norm_ref, index=ref_raw.index)[names]

        # 3. missing data (on normalised values, statistics from the reference)
        need_groups = self.missing.method == "group_median"
        g = groups
        if need_groups and isinstance(g, str):
            g = _group_series(g, data, ref_raw)
        elif need_groups and g is None and self.missing.groups is not None:
            g = _group_series(self.missing.groups, data, ref_raw)
        Yg = Y
        Rg = R
        if need_groups and g is not None and not isinstance(g, pd.Series):
            raise InputDataError(
                f"groups must be a column name or a Series unit -> group, got "
                f"{type(g).__name__}"
            )
        if need_groups and isinstance(g, pd.Series):
            for table, what in ((Y, "the data"), (R, "the reference")):
                lacking = table.index.difference(g.index)
                if len(lacking):
                    raise InputDataError(
                        f"groups has no group for units {format_labels(lacking)} of {what}; "
                        "give a group for every unit"
                    )
        if need_groups:
            Yg = Y.assign(**{"__group__": g.reindex(Y.index)}) if g is not None else Y
            Rg = R.assign(**{"__group__": g.reindex(R.index)}) if g is not None else R
        policy = self.missing
        if need_groups and g is not None:
            policy = MissingPolicy(self.missing.method, self.missing.min_coverage, "__group__",
                                   self.missing.coverage)
        weighter = self.weights.clone()
        # coverage by weight: the reference rows the weights are fitted on are screened with
        # no minimum, the data after the weights are known (step 4)
        by_weight = policy.coverage == "weight"
        if by_weight and getattr(weighter, "unit_specific", False):
            raise InputDataError(
                f"missing coverage='weight' needs shared weights; {type(weighter).__name__} "
                "gives each unit its own, so use coverage='count'"
            )
        ref_policy = (policy.clone().set_params(min_coverage=0.0, coverage="count") if by_weight
                      else policy)
        ref_miss = ref_policy.apply(Rg, names, reference=Rg)
        R_fit = ref_miss.data.drop(index=ref_miss.excluded.index)
        if not by_weight:
            miss = policy.apply(Yg, names, reference=Rg)
            Y, excluded, Ys, scored = self._screened(miss)

        # 4. weights
        if getattr(weighter, "unit_specific", False):
            return self._score_unit_specific(
                weighter, Y, R_fit, Ys, excluded, miss, outlier_summary, outlier_changes,
                out_scales,
            )
        fit_rows = R_fit.dropna()
        if len(fit_rows) < len(R_fit):
            logger.info("weights fitted on %d of %d reference units (complete rows)",
                        len(fit_rows), len(R_fit))
        if len(fit_rows) == 0 and not isinstance(weighter, (EqualWeights, ExpertWeights)):
            raise InputDataError(
                "no reference unit has every indicator, so data-driven weights cannot be "
                "fitted; impute missing values (missing='median') or use fixed weights"
            )
        with warnings.catch_warnings():
            if isinstance(weighter, ExpertWeights):  # relative weights are fine in a scheme
                warnings.simplefilter("ignore", WeightNormalisationWarning)
            weighter.fit(fit_rows if len(fit_rows) else R_fit)
        w = _check_fitted_weights(weighter, names)
        if by_weight:
            miss = policy.apply(Yg, names, reference=Rg, weights=w)
            Y, excluded, Ys, scored = self._screened(miss)

        # 5. aggregation
        agg = self.aggregation
        agg.check(Ys, {n: out_scales[n] for n in names},
                  allow_scale_violations=self.allow_scale_violations)
        Xs = Ys.to_numpy(dtype=float, na_value=np.nan)
        Rn = R_fit.to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(Xs)
        dims = self._groups
        scores = pd.Series(np.nan, index=data.index, name="score")
        eff = pd.DataFrame(np.nan, index=data.index, columns=names)
        if not dims:
            wv = w.reindex(names).to_numpy()
            s = agg.aggregate(Xs, wv, reference=Rn) if len(Xs) else np.array([])
            scores.loc[scored] = s
            eff.loc[scored] = _rescale_rows(present * wv[None, :])
            dim_scores = pd.DataFrame(index=data.index)
            within = w
            dim_w = None
            linear = agg.linear
        else:
            top = self.top_aggregation
            dim_names = list(dims)
            D = np.full((len(scored), len(dim_names)), np.nan)
            Dref = np.full((len(R_fit), len(dim_names)), np.nan)
            within_parts = []
            eff_within = np.zeros((len(scored), len(names)))
            col_pos = {n: k for k, n in enumerate(names)}
            for k, cols in enumerate(dims.values()):
                idx = [col_pos[c] for c in cols]
                wd = w.reindex(cols).to_numpy()
                if wd.sum() <= 0:
                    wd = np.ones(len(cols))
                wd = wd / wd.sum()
                within_parts.append(pd.Series(wd, index=cols))
                if len(Xs):
                    D[:, k] = agg.aggregate(Xs[:, idx], wd, reference=Rn[:, idx])
                Dref[:, k] = agg.aggregate(Rn[:, idx], wd, reference=Rn[:, idx])
                eff_within[:, idx] = _rescale_rows(present[:, idx] * wd[None, :])
            within = pd.concat(within_parts).reindex(names)
            dim_scale = _dimension_scale(agg, [[out_scales[c] for c in cols]
                                               for cols in dims.values()])
            Ddf = pd.DataFrame(D, index=scored, columns=dim_names)
            top.check(Ddf, dict.fromkeys(dim_names, dim_scale),
                      allow_scale_violations=self.allow_scale_violations)
            dim_w = self._fit_dimension_weights(w, dims, Dref, dim_names)
            v = dim_w.reindex(dim_names).to_numpy()
            if len(D):
                scores.loc[scored] = top.aggregate(D, v, reference=Dref)
            dpresent = ~np.isnan(D)
            top_eff = _rescale_rows(dpresent * v[None, :])
            unit_eff = np.zeros_like(eff_within)
            for k, cols in enumerate(dims.values()):
                idx = [col_pos[c] for c in cols]
                unit_eff[:, idx] = eff_within[:, idx] * top_eff[:, [k]]
            eff.loc[scored] = unit_eff
            dim_scores = pd.DataFrame(np.nan, index=data.index, columns=dim_names)
            dim_scores.loc[scored] = D
            linear = agg.linear and top.linear
        # a unit whose present indicators all weigh zero carries no information: no score
        dim_of = {c: d for d, cols in (dims or {}).items() for c in cols}
        w_eff = np.array([float(within[c]) * (float(dim_w[dim_of[c]]) if dims else 1.0)
                          for c in names])
        mass = (present * w_eff[None, :]).sum(axis=1) if len(Xs) else np.array([])
        blind = scored[mass <= 0]
        if len(blind):
            reasons = {
                u: "values only for indicators with zero weight; missing "
                   f"{format_labels([c for c in names if pd.isna(Y.at[u, c])])}"
                for u in blind
            }
            excluded = pd.concat([excluded, pd.Series(reasons, dtype=object, name="reason")])
            scores.loc[blind] = np.nan
            eff.loc[blind] = np.nan
            if len(dim_scores.columns):
                dim_scores.loc[blind] = np.nan
            warnings.warn(
                f"{len(blind)} unit(s) get no score ({format_labels(blind)}): they have values "
                "only for indicators with zero weight; see result.excluded",
                CoverageWarning,
                stacklevel=2,
            )
        contributions = eff * Y.fillna(0.0)
        contributions.loc[excluded.index] = np.nan
        ranks = scores.rank(ascending=False, method="min").rename("rank")
        return SchemeResult(
            scores=scores,
            ranks=ranks,
            dimension_scores=dim_scores,
            normalised=Y,
            effective_weights=eff,
            contributions=contributions,
            excluded=excluded,
            weights=within.rename("weight"),
            dimension_weights=dim_w,
            imputed=miss.imputed,
            outliers=outlier_summary,
            outlier_changes=outlier_changes,
            weighter=weighter,
            scheme=self,
            linear=bool(linear),
            reference_normalised=R_fit,
        )

    @staticmethod
    def _screened(miss: Any) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Index]:
        """Data after the missing-data policy, the excluded units (warned), the scored ones."""
        Y = miss.data
        excluded = miss.excluded
        if len(excluded):
            warnings.warn(
                f"{len(excluded)} unit(s) get no score ({format_labels(excluded.index)}); see "
                "result.excluded for the reasons",
                CoverageWarning,
                stacklevel=3,
            )
        scored = Y.index.difference(excluded.index, sort=False)
        return Y, excluded, Y.loc[scored], scored

    def _score_by(
        self, data: pd.DataFrame, reference: pd.DataFrame | None, by: Any, groups: Any
    ) -> SchemeResult:
        """Score each calibration group against its own reference rows; gather."""
        self.indicators.check_data(data)
        if reference is not None:
            self.indicators.check_data(reference, name="reference")
        g_data, g_ref = _calibration_groups(by, data, reference)
        ref_groups = set(g_ref.tolist()) if reference is not None else set()
        order = list(pd.unique(g_data.to_numpy()).tolist())
        if not order:
            raise InputDataError("the data has no units to score")
        lacking = [g for g in order if reference is not None and g not in ref_groups]
        if lacking:
            raise InputDataError(
                f"by: calibration groups {format_labels(lacking)} of the data have no rows in "
                "the reference; every group scored needs reference rows to calibrate on"
            )
        parts: dict[Any, SchemeResult] = {}
        for g in order:
            rows = data.loc[(g_data == g).to_numpy()]
            ref = None if reference is None else reference.loc[(g_ref == g).to_numpy()]
            parts[g] = self._score_one(rows, ref, groups)
        return _gather(self, data.index, g_data, parts)

    def _fit_dimension_weights(
        self, w: pd.Series, dims: dict[str, list[str]], Dref: np.ndarray, dim_names: list[str]
    ) -> pd.Series:
        spec = self.dimension_weights
        if spec is None:
            v = pd.Series({d: float(w.reindex(cols).sum()) for d, cols in dims.items()})
        elif isinstance(spec, dict):
            v = pd.Series(spec, dtype=float)
        else:
            wt = spec.clone()
            frame = pd.DataFrame(Dref, columns=dim_names).dropna()
            if len(frame) == 0:
                raise InputDataError(
                    "no reference unit has every dimension score, so dimension weights "
                    "cannot be fitted"
                )
            wt.fit(frame)
            v = _check_fitted_weights(wt, dim_names)
        v = v.reindex(dim_names).astype(float)
        if v.sum() <= 0:
            raise InputDataError("the dimension weights are all zero")
        return (v / v.sum()).rename("dimension weight")

    def _score_unit_specific(
        self, weighter, Y, R_fit, Ys, excluded, miss, outlier_summary, outlier_changes,
        out_scales,
    ) -> SchemeResult:
        names = self.indicators.names
        if not self.aggregation.linear or (self._groups and not self.top_aggregation.linear):
            raise InputDataError(
                f"unit-specific weights ({type(weighter).__name__}) give each unit its own "
                "weighted sum; use aggregation='arithmetic' with them"
            )
        self.aggregation.check(Ys, {n: out_scales[n] for n in names},
                               allow_scale_violations=self.allow_scale_violations)
        if Ys.isna().any().any():
            bad = Ys.index[Ys.isna().any(axis=1)]
            raise InputDataError(
                f"unit-specific weights need complete data; units {format_labels(bad)} have "
                "gaps: impute them (missing='median') first"
            )
        eff = pd.DataFrame(np.nan, index=Y.index, columns=names)
        if getattr(weighter, "comparison", "reference") == "scored":
            fit_frame = Ys
        else:
            extra = Ys.loc[Ys.index.difference(R_fit.index, sort=False)]
            fit_frame = pd.concat([R_fit.dropna(), extra]) if len(extra) else R_fit.dropna()
        if len(fit_frame) < 2 and fit_frame is Ys:
            lonely = pd.Series(
                "fewer than 2 units to compare with (unit-specific weights, comparison "
                "'scored')", index=Ys.index, dtype=object, name="reason",
            )
            excluded = pd.concat([excluded, lonely]).rename("reason")
            Ys = Ys.iloc[:0]
            weighter.unit_weights_ = pd.DataFrame(columns=names, dtype=float)
            w_summary = pd.Series(np.nan, index=names, name="weight")
        else:
            weighter.fit(fit_frame)
            w_summary = _check_fitted_weights(weighter, names).rename("weight")
        uw = weighter.unit_weights_.reindex(index=Ys.index, columns=names).astype(float)
        eff.loc[Ys.index] = uw.to_numpy()
        contributions = eff * Y.fillna(0.0)
        scores = contributions.sum(axis=1, min_count=1).rename("score")
        own = getattr(weighter, "scores_", None)  # the LP optima, when the weighter has them
        if isinstance(own, pd.Series) and len(Ys):
            scores.loc[Ys.index] = own.reindex(Ys.index).astype(float).to_numpy()
        scores.loc[excluded.index] = np.nan
        dims = self._groups
        dim_scores = pd.DataFrame(
            {d: contributions[cols].sum(axis=1, min_count=1) for d, cols in dims.items()},
            index=Y.index,
        )
        ranks = scores.rank(ascending=False, method="min").rename("rank")
        return SchemeResult(
            scores=scores, ranks=ranks, dimension_scores=dim_scores, normalised=Y,
            effective_weights=eff, contributions=contributions, excluded=excluded,
            weights=w_summary,
            dimension_weights=None, imputed=miss.imputed, outliers=outlier_summary,
            outlier_changes=outlier_changes, weighter=weighter, scheme=self, linear=True,
            reference_normalised=R_fit,
        )


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _calibration_groups(
    by: Any, data: pd.DataFrame, reference: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series | None]:
    """The calibration group of each row of the data and of the reference (``by``)."""
    tables = [(data, "the data")] + ([(reference, "the reference")] if reference is not None
                                      else [])
    out = []
    for table, what in tables:
        if isinstance(by, str):
            if by not in table.columns:
                raise InputDataError(
                    f"by: the calibration-group column {by!r} is not in {what}; its columns "
                    f"are {format_labels(list(table.columns))}"
                )
            g = table[by]
        elif isinstance(by, pd.Series):
            if by.index.has_duplicates:
                raise InputDataError(
                    f"by: the calibration groups name units "
                    f"{format_labels(by.index[by.index.duplicated()].unique())} twice"
                )
            lacking = table.index.difference(by.index, sort=False)
            if len(lacking):
                raise InputDataError(
                    f"by: no calibration group for units {format_labels(lacking)} of {what}; "
                    "give a group for every unit"
                )
            g = by.reindex(table.index)
        else:
            raise InputDataError(
                "by must be a column name or a Series unit -> calibration group, got "
                f"{type(by).__name__}"
            )
        missing = g.index[g.isna().to_numpy()]
        if len(missing):
            raise InputDataError(
                f"by: units {format_labels(missing)} of {what} have no calibration group "
                f"(missing {by if isinstance(by, str) else 'group'}); give every unit one"
            )
        out.append(g)
    return out[0], (out[1] if reference is not None else None)


def _gather(
    scheme: Scheme, index: pd.Index, g: pd.Series, parts: dict[Any, SchemeResult]
) -> SchemeResult:
    """One :class:`SchemeResult` of units scored per calibration group."""
    res = list(parts.values())
    keys = list(parts)

    def stack(attr: str) -> pd.DataFrame:
        frames = [getattr(r, attr) for r in res]
        cols = list(dict.fromkeys(c for f in frames for c in f.columns))
        return pd.concat([f.reindex(columns=cols) for f in frames]).reindex(index)

    def keyed(attr: str) -> pd.DataFrame | None:
        frames = {k: getattr(r, attr) for k, r in parts.items()}
        if all(f is None for f in frames.values()):
            return None
        return pd.concat(
            {k: f for k, f in frames.items() if f is not None}, names=["group"]
        )

    scores = pd.concat([r.scores for r in res]).reindex(index).rename("score")
    dim_w = None
    if any(r.dimension_weights is not None for r in res):
        dim_w = pd.DataFrame({k: r.dimension_weights for k, r in parts.items()}).T
        dim_w.index.name = "group"
    weights = pd.DataFrame({k: r.weights for k, r in parts.items()}).T
    weights.index.name = "group"
    imputed = pd.concat([r.imputed for r in res], ignore_index=True)
    return SchemeResult(
        scores=scores,
        ranks=scores.rank(ascending=False, method="min").rename("rank"),
        dimension_scores=stack("dimension_scores"),
        normalised=stack("normalised"),
        effective_weights=stack("effective_weights"),
        contributions=stack("contributions"),
        excluded=pd.concat([r.excluded for r in res]).rename("reason").astype(object),
        weights=weights,
        dimension_weights=dim_w,
        imputed=imputed,
        outliers=keyed("outliers"),
        outlier_changes=keyed("outlier_changes"),
        weighter={k: r.weighter for k, r in parts.items()},  # type: ignore[arg-type]
        scheme=scheme,
        linear=all(r.linear for r in res),
        reference_normalised=pd.concat(
            {k: r.reference_normalised for k, r in parts.items()},
            names=["group", *res[0].reference_normalised.index.names],
        ) if keys else None,  # type: ignore[arg-type]
        groups=g.rename("group"),
        by_group=parts,
    )


def _rescale_rows(M: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        s = M.sum(axis=1, keepdims=True)
        return np.where(s > 0, M / s, 0.0)


def _dimension_scale(agg: Aggregator, scales: list[list[Scale]]) -> Scale:
    if isinstance(agg, PowerMean) and all(s is Scale.RATIO for grp in scales for s in grp):
        return Scale.RATIO
    return Scale.INTERVAL


def _group_series(col: str, data: pd.DataFrame, ref: pd.DataFrame) -> pd.Series:
    parts = []
    for table, what in ((data, "the data"), (ref, "the reference")):
        if col not in table.columns:
            raise InputDataError(
                f"the group column {col!r} is not in {what}; its columns are "
                f"{format_labels(list(table.columns))}"
            )
        parts.append(table[col])
    s = pd.concat(parts)
    return s[~s.index.duplicated()]


def _check_fitted_weights(weighter: Weighter, names: list[str]) -> pd.Series:
    w = getattr(weighter, "weights_", None)
    if not isinstance(w, pd.Series):
        raise InputDataError(f"{type(weighter).__name__} did not produce weights_ (a Series)")
    unknown = [k for k in w.index if k not in names]
    missing = [n for n in names if n not in w.index]
    if unknown or missing:
        raise InputDataError(
            f"{type(weighter).__name__} weights do not match the indicators: unknown "
            f"{format_labels(unknown) or 'none'}, missing {format_labels(missing) or 'none'}"
        )
    w = w.reindex(names).astype(float)
    if not np.isfinite(w.to_numpy()).all() or (w < 0).any():
        bad = w.index[~np.isfinite(w.to_numpy()) | (w.to_numpy() < 0)]
        raise InputDataError(
            f"{type(weighter).__name__} produced negative or invalid weights for "
            f"{format_labels(bad)}"
        )
    if w.sum() <= 0:
        raise InputDataError(f"{type(weighter).__name__} produced all-zero weights")
    return w / w.sum()


def _weighter_spec(w: Weighter) -> Any:
    """Plain form of a scheme's weights: plain weights for expert weights, else the
    estimator's own :meth:`~weighting.estimator.Estimator.to_spec` (its repr for a class
    that is not registered)."""
    if WEIGHTERS.get(type(w).name) is not type(w):
        return repr(w)
    if isinstance(w, ExpertWeights):
        return {str(k): float(v) for k, v in dict(w.weights).items()}
    return w.to_spec()


def _weighter_or_map(
    spec: Any, names: list[str], param: str, what: str
) -> Weighter | dict[str, float] | None:
    """Parse a weights spec: a Weighter (cloned), a method name, a ``{method: ...}`` dict, or
    a validated mapping name -> weight (returned as a dict); None for any other type."""
    if isinstance(spec, Weighter):
        return spec.clone()
    if isinstance(spec, str):
        return get_weighter(spec)
    if isinstance(spec, (Mapping, pd.Series)):
        d = dict(spec)
        est = _weighter_from_dict(d, names)
        return est if est is not None else _check_weight_map(d, names, param, what)
    return None


def _check_weight_map(
    d: Mapping[str, Any], names: list[str], param: str, what: str
) -> dict[str, float]:
    """Validate a mapping name -> weight covering exactly ``names``; return it as floats.

    Raises InputDataError naming unknown or missing keys, weights that are negative or not
    finite numbers, or weights that are all zero.
    """
    _check_labels(d, names, unknown=f"{param} name unknown {what} {{}}",
                  missing=f"{param} give no weight to {{}}",
                  tail=f"; the {what} are {format_labels(names)}")
    _check_numbers(((k, d[k]) for k in names), where=lambda k: f"{param} of {k!r}",
                   expected="a number is expected")
    vals = {k: float(d[k]) for k in names}
    bad = [k for k, v in vals.items() if not math.isfinite(v) or v < 0]
    if bad:
        raise InputDataError(
            f"{param} of {format_labels(bad)} are negative or not finite numbers; weights "
            "must be finite and >= 0"
        )
    if sum(vals.values()) <= 0:
        raise InputDataError(f"{param} are all zero; at least one must be positive")
    return vals


def _weighter_from_dict(d: dict[str, Any], names: list[str]) -> Weighter | None:
    """``{"weighter": "pca", ...params}`` (or ``{"method": "pca", ...}``) -> estimator."""
    if "weighter" in d and "weighter" not in names:
        return get_weighter(str(d["weighter"]), **{k: v for k, v in d.items() if k != "weighter"})
    if "method" in d and "method" not in names and str(d["method"]).lower() in WEIGHTERS:
        return get_weighter(str(d["method"]), **{k: v for k, v in d.items() if k != "method"})
    return None


def _restrict_weighter(w: Weighter, indicators: Any) -> Weighter:
    """Weights for a smaller indicator set: keep expert weights of the kept indicators."""
    names = (
        indicators.names if isinstance(indicators, IndicatorSet)
        else [Indicator.from_dict(i).name for i in indicators]
    )
    if isinstance(w, ExpertWeights):
        d = dict(w.weights)
        kept = {k: v for k, v in d.items() if k in names}
        lacking = [n for n in names if n not in d]
        if lacking:
            raise InputDataError(
                f"replace(indicators=...) adds indicators {format_labels(lacking)} that have "
                "no weight in the scheme's weights; pass weights=... as well"
            )
        if sum(float(x) for x in kept.values()) <= 0:
            raise InputDataError(
                "replace(indicators=...) keeps only indicators with zero weight; pass "
                "weights=... as well"
            )
        return ExpertWeights(kept)
    if isinstance(w, EqualWeights) and w.groups is not None:
        return None  # type: ignore[return-value]  # rebuilt from the new groups
    return w


def _plain(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, float) and math.isnan(obj):
        return "nan"
    return obj


def _fmt_spec(spec: Any) -> str:
    if isinstance(spec, str):
        return spec
    params = ", ".join(f"{k}={v!r}" for k, v in spec.items() if k != "method")
    return f"{spec['method']}({params})"
