"""Quality audit of a study's indicators, indicator set and MFI schemes.

The first step of Meyer & Krauss (2015), before any weighting: formal quality criteria at
three levels (each indicator, the indicator set, the aggregation). The statistics are those
of :func:`weighting.audit`; this module applies them to the microfinance study:

* the **reference universe** (the MIX panel, all years): coverage of each catalogue
  indicator overall and per year, discrimination, skewness and kurtosis, the validity proxy
  (correlation with the rest of its SPTF dimension) and the stability of MFIs' values from
  one year to the next;
* the **catalogue checks**: the catalogue's quality criteria (coverage in the MIX universe,
  scale, direction, validity) measured where the data allow, next to its free-text notes;
* each **MFI scheme** of the study on the study year: the set (correlations, Cronbach's
  alpha, KMO per dimension) and the aggregation (main effects against weights,
  compensability, admissibility per scale level).

The built-in schemes are audited on the scores the study computed (``score_mfis``); to
re-score for compensability and to state their steps, each is described by the equivalent
``weighting.Scheme`` (the one its factory in :mod:`socialperf.schemes` built, indicators
grouped by dimension). A user's own scheme file is audited as it is. The DEA scheme is not a
composite of the catalogue indicators and is not audited.

References
----------
Meyer, J. and Krauss, A. (2015). Measuring and aggregating social performance of
microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich, section 3.

OECD/JRC (2008). *Handbook on Constructing Composite Indicators*. OECD, Paris.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

import weighting as wt
from socialperf.catalogue import Catalogue
from socialperf.exceptions import InputDataError, format_labels
from socialperf.mfi import ID, YEAR, _reference_table, _scheme_frame, _unit_index
from socialperf.schemes import build_scheme, mfi_indicator_set
from socialperf.study.data import _reference, study_year

__all__ = ["StudyAudit", "audit_study", "catalogue_checks"]

_NOT_AUDITED = {
    "dea": "DEA scores turn inputs into outputs; they are not a composite of the catalogue "
    "indicators",
}


@dataclass(frozen=True, eq=False)
class StudyAudit:
    """The quality audit of a study (see :func:`audit_study`).

    Attributes
    ----------
    year : int
        The study year the schemes were audited on.
    catalogue : pd.DataFrame
        One row per MFI indicator of the catalogue: what was measured in the reference
        universe and which criteria fail (``checks``), with the catalogue's quality note.
    universe : weighting.AuditResult or None
        The audit of the indicators on the reference universe panel, by year.
    schemes : dict of str to weighting.AuditResult
        The audit of each MFI scheme on the study year.
    skipped : dict of str to str
        Schemes not audited, with the reason.
    """

    year: int
    catalogue: pd.DataFrame
    universe: wt.AuditResult | None
    schemes: dict[str, wt.AuditResult]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def flag_table(self) -> pd.DataFrame:
        """Every failed criterion, once: ``scope`` and the columns of ``weighting``'s flags.

        Scopes: ``universe`` (the reference panel), ``year <y>`` (indicator-level flags on the
        study year, the same for every scheme) and each scheme's name (set and aggregation).
        """
        parts = []
        if self.universe is not None:
            parts.append(self.universe.flag_table.assign(scope="universe"))
        for k, (name, res) in enumerate(self.schemes.items()):
            ft = res.flag_table
            if k == 0:
                parts.append(ft[ft["level"] == "indicator"].assign(scope=f"year {self.year}"))
            parts.append(ft[ft["level"] != "indicator"].assign(scope=name))
        if not parts:
            return pd.DataFrame(columns=["scope", "level", "criterion", "subject", "message"])
        table = pd.concat(parts, ignore_index=True)
        return table[["scope", *[c for c in table.columns if c != "scope"]]]

    @property
    def flags(self) -> list[str]:
        """One message per failed criterion, prefixed by its scope."""
        return [
            f"[{s}] {m}"
            for s, m in zip(self.flag_table["scope"], self.flag_table["message"], strict=True)
        ]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file name (``catalogue_checks``, ``universe_*``, ``<scheme>_*``)."""
        out = {"catalogue_checks": self.catalogue, "flags": self.flag_table}
        if self.universe is not None:
            for k in ("indicators", "coverage", "stability", "pairs", "dimensions"):
                out[f"universe_{k}"] = getattr(self.universe, k)
        for name, res in self.schemes.items():
            for k in (
                "indicators",
                "dimensions",
                "pairs",
                "alpha_if_deleted",
                "influence",
                "compensability",
                "admissibility",
            ):
                out[f"{name}_{k}"] = getattr(res, k)
        return out

    def summary(self) -> str:
        """Plain text: the catalogue checks, each scheme's digest and every flag."""
        cols = [
            "dimension",
            "scale",
            "coverage",
            "min_year_coverage",
            "validity_r",
            "dimension_r",
            "rank_stability",
            "checks",
        ]
        with pd.option_context(
            "display.width", 140, "display.max_columns", 20, "display.max_colwidth", 60
        ):
            lines = [
                f"Quality audit (schemes on {self.year}; universe over all years)",
                "",
                "Catalogue checks",
                self.catalogue[[c for c in cols if c in self.catalogue]].round(3).to_string(),
            ]
            for name, res in self.schemes.items():
                lines += [
                    "",
                    f"Scheme {name}",
                    res.dimensions.round(3).to_string(),
                    res.influence.round(3).to_string(),
                    res.compensability.round(3).to_string(),
                ]
        for name, why in self.skipped.items():
            lines.append(f"Scheme {name}: not audited ({why})")
        lines += ["", f"Flags ({len(self.flag_table)})"] + [f"  - {f}" for f in self.flags]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


# ---------------------------------------------------------------------------------------------
def _builtin_scheme(
    name: str, res: Any, cat: Catalogue, names: list[str], year: int
) -> tuple[wt.Scheme, Any]:
    """The weighting.Scheme of a built-in scheme (its factory's), and its result as computed.

    The scheme is the one :func:`socialperf.score_mfis` scored with (``res.info["scheme"]``,
    else the factory's defaults), with the indicators grouped by SPTF dimension so that the
    set and the aggregation are audited per dimension.
    """
    built = res.info.get("scheme") if isinstance(res.info, dict) else None
    if not isinstance(built, wt.Scheme):
        built = build_scheme(name, cat, names)
    scheme = built.replace(indicators=mfi_indicator_set(cat, names, groups=True))
    w = res.weights
    if isinstance(w, pd.DataFrame) and year in w.index and name != "bod":
        w = w.loc[year]
    w = w.reindex(names).astype(float) if isinstance(w, pd.Series) else None
    dims = res.details.filter(like="dim:") if isinstance(res.details, pd.DataFrame) else None
    given = SimpleNamespace(
        scores=res.scores,
        normalised=res.normalised,
        weights=w if w is not None else pd.Series(np.nan, index=names),
        dimension_scores=None if dims is None else dims.rename(columns=lambda c: c[4:]),
    )
    return scheme, given


def catalogue_checks(
    cat: Catalogue,
    universe: wt.AuditResult | None,
    year_coverage: pd.Series | None = None,
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The catalogue's quality criteria, measured where the data allow.

    Parameters
    ----------
    cat : Catalogue
    universe : weighting.AuditResult or None
        The audit of the indicators on the reference universe (by year).
    year_coverage : pd.Series, optional
        Coverage of each indicator among the MFIs of the study year.
    data : pd.DataFrame, optional
        The universe's indicator values (for the ratio-scale check).

    Returns
    -------
    pd.DataFrame
        One row per MFI indicator: dimension, scale, direction, whether the universe has
        it, coverage (overall, worst year, study year), validity correlations (with the
        rest of its dimension, ``validity_r``, and with the dimension score,
        ``dimension_r``), rank stability, ``checks`` (failed criteria, or "ok"), and the
        catalogue's ``quality`` note.

    Notes
    -----
    Criteria (Meyer & Krauss 2015, section 3): coverage (share of MFI-years with a value,
    threshold ``weighting.THRESHOLDS["coverage"]``); scale (a ratio-scale indicator has a
    true zero, so negative values contradict the declared scale); direction and validity
    (the indicator's Spearman correlation with the rest of its dimension, direction
    applied, should be positive); plus every indicator-level flag of the universe audit.
    Reliability and objectivity cannot be measured from the data: the catalogue's note is
    shown beside the numbers.
    """
    rows = {}
    ind = universe.indicators if universe is not None else pd.DataFrame()
    flags = (
        universe.flag_table
        if universe is not None
        else pd.DataFrame(columns=["level", "criterion", "subject"])
    )
    for name in cat.names("MFI"):
        spec = cat[name]
        row: dict[str, Any] = {
            "dimension": spec.dimension,
            "scale": spec.scale,
            "direction": spec.direction,
            "in_universe": name in ind.index,
        }
        checks = []
        if name in ind.index:
            r = ind.loc[name]
            row.update(
                coverage=r["coverage"],
                min_year_coverage=r["min_group_coverage"],
                validity_r=r["validity_r"],
                dimension_r=r["dimension_r"],
                rank_stability=r.get("rank_stability", np.nan),
                skewness=r["skewness"],
                kurtosis=r["kurtosis"],
            )
            mine = flags[(flags["subject"] == name) & (flags["level"] == "indicator")]
            checks += list(dict.fromkeys(mine["criterion"]))
            if spec.scale == "ratio" and data is not None and name in data:
                neg = data[name] < 0
                if neg.any():
                    checks.append(f"scale: {int(neg.sum())} negative values on a ratio scale")
        else:
            checks.append("not measurable: the universe has no values")
        if year_coverage is not None and name in year_coverage.index:
            row["coverage_study_year"] = float(year_coverage[name])
        row["checks"] = "; ".join(checks) if checks else "ok"
        row["quality"] = spec.quality
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "indicator"
    return table


def audit_study(
    result: Any, *, universe: bool = True, thresholds: dict[str, float] | None = None
) -> StudyAudit:
    """Audit a study run: the catalogue indicators on the universe, and each MFI scheme.

    Parameters
    ----------
    result : socialperf.StudyResult
        From :func:`socialperf.study.run_study`.
    universe : bool, default True
        Also audit the indicators on the reference universe panel (all years).
    thresholds : dict, optional
        Overrides of ``weighting.THRESHOLDS``.

    Returns
    -------
    StudyAudit

    Raises
    ------
    InputDataError
        If the reference universe has no rows for the study year.
    """
    study, data = result.study, result.data
    cat: Catalogue = data.catalogue
    year = study_year(study, data)
    ref_spec = _reference(study, data)
    mfis = data.mfis
    table = mfis.loc[pd.to_numeric(mfis[YEAR]).to_numpy() == year]
    ref_table = _reference_table(ref_spec, mfis)
    ref_year = ref_table.loc[pd.to_numeric(ref_table[YEAR]).to_numpy() == year]
    if ref_year.empty:
        raise InputDataError(f"the reference universe has no rows for the study year {year}")
    custom = study.load_schemes(cat)
    audits: dict[str, wt.AuditResult] = {}
    skipped: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, res in result.mfi_results.items():
            if name in _NOT_AUDITED:
                skipped[name] = _NOT_AUDITED[name]
                continue
            names = list(res.indicators.columns)
            if name in custom:
                scheme = custom[name]
                X = _scheme_frame(cat, table, names).set_axis(_unit_index(table))
                R = _scheme_frame(cat, ref_year, names)
                R = R.set_axis([f"ref{i}" for i in range(len(R))])
                audits[name] = wt.audit(scheme, X, R, thresholds=thresholds)
                continue
            scheme, given = _builtin_scheme(name, res, cat, names, year)
            X = res.indicators
            R = cat.extract(ref_year, names).set_axis([f"ref{i}" for i in range(len(ref_year))])
            audits[name] = wt.audit(scheme, X, R, result=given, thresholds=thresholds)
        uni = None
        values = None
        if universe:
            names = [n for n in cat.available(ref_table, "MFI") if cat[n].is_metric]
            panel = cat.extract(ref_table, names)
            panel.index = pd.MultiIndex.from_arrays(
                [ref_table[ID].to_numpy(), pd.to_numeric(ref_table[YEAR]).to_numpy()],
                names=[ID, YEAR],
            )
            keep = [n for n in names if panel[n].notna().any()]
            if len(keep) >= 1:
                values = panel[keep]
                scheme = wt.Scheme(
                    mfi_indicator_set(cat, keep, groups=True),
                    normalisation="percentile",
                    name="universe",
                )
                uni = wt.audit(scheme, values, by=YEAR, thresholds=thresholds, aggregation=False)
    year_cov = None
    if len(table):
        names = [n for n in cat.available(table, "MFI")]
        year_cov = cat.extract(table, names).notna().mean()
    checks = catalogue_checks(cat, uni, year_cov, values)
    if uni is not None and uni.indicators.empty:  # pragma: no cover - defensive
        raise InputDataError(
            f"no catalogue indicator has values in the universe; columns "
            f"{format_labels(list(ref_table.columns))}"
        )
    return StudyAudit(year=year, catalogue=checks, universe=uni, schemes=audits, skipped=skipped)
