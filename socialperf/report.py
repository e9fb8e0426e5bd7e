"""Report writer: CSV and Excel tables, PNG figures and one self-contained HTML page.

A :class:`Report` collects sections of text, tables (pandas) and figures (matplotlib)
and writes them to a folder::

    out/
      index.html        one page, figures embedded as base64 PNG, no external assets
      report.xlsx       one sheet per table
      tables/*.csv      one file per table
      figures/*.png     one file per figure
      settings.toml     the socialperf version and the settings that produced the report

:func:`write_study_report` fills a Report from a :class:`socialperf.study.StudyResult`;
:func:`sensitivity_section` adds the uncertainty / Sobol' part.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError
from socialperf import plots
from socialperf.audit import StudyAudit, audit_study
from socialperf.io import EXAMPLE_MIV_NOTE as EXAMPLE_MIV_NOTE
from socialperf.io import MIX_ATTRIBUTION
from socialperf.plots import hide_overlapping_labels
from socialperf.study.result import dea_table
from socialperf.study.sensitivity import _unit_names

if TYPE_CHECKING:  # pragma: no cover
    from socialperf.study import StudyResult

from socialperf._report_writer import _JS as _JS
from socialperf._report_writer import FIGURE_DPI as FIGURE_DPI
from socialperf._report_writer import (
    Report,
    ReportFiles,
    _use_agg,
)

__all__ = [
    "MIX_ATTRIBUTION",
    "Report",
    "ReportFiles",
    "build_study_report",
    "dea_table",
    "quality_section",
    "write_sensitivity_report",
    "write_study_report",
]

logger = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- study report

SCHEME_METHODS: dict[str, str] = {
    "rating": (
        "Rating scale: each metric indicator is rated by its percentile class (quintiles, "
        "points 0 to 1) in the reference universe's distribution for the same year, "
        "categorical ones by their catalogue point maps; ratings are averaged within each SPTF "
        "dimension, then across dimensions (Meyer & Krauss 2015)."
    ),
    "equal": (
        "Equal weights: indicators normalised as percentile ranks in the reference universe of "
        "the same year, averaged with equal weights over the indicators present "
        "(OECD/JRC 2008, section 6)."
    ),
    "expert": (
        "Expert weights: the same normalised indicators, weighted by weights given directly "
        "or by budget allocation (100 points shared among the indicators) by experts "
        "(OECD/JRC 2008, section 6)."
    ),
    "ahp": (
        "AHP: the same normalised indicators, weighted by the principal eigenvector of a "
        "pairwise comparison matrix (Saaty 1980)."
    ),
    "pca": (
        "PCA / factor analysis: the same normalised indicators, weighted by the squared rotated "
        "loadings of the retained factors scaled by their explained variance, fitted on the "
        "reference year (OECD/JRC 2008, section 6.1)."
    ),
    "bod": (
        "Benefit of the doubt: each MFI gets the weights most favourable to it, a DEA model "
        "with a unit input and the normalised indicators as outputs (Cherchye et al. 2007)."
    ),
    "dea": (
        "DEA: social efficiency, the radial DEA score of turning assets, operating expense and "
        "staff into gross loan portfolio, women borrowers and depth-weighted borrowers "
        "(Gutierrez-Nieto, Serrano-Cinca & Mar Molinero 2009; Charnes, Cooper & Rhodes 1978; "
        "Banker, Charnes & Cooper 1984)."
    ),
}


def _scheme_method(name: str) -> str:
    return SCHEME_METHODS.get(str(name).lower(), f"{name}: user-defined scheme.")


def _first_attr(obj: Any, names: Sequence[str]) -> Any:
    for n in names:
        value = getattr(obj, n, None)
        if value is not None:
            return value
    return None


def write_study_report(
    result: StudyResult,
    folder: str | Path,
    *,
    title: str | None = None,
    raw_csv: bool = False,
) -> ReportFiles:
    """Write the full report of a study run (see :class:`Report` for the files).

    Parameters
    ----------
    result : socialperf.study.StudyResult
        From :func:`socialperf.study.run_study`.
    folder : str or pathlib.Path
        Output folder (created).
    title : str, optional
        Page title; default the study's name.
    raw_csv : bool, default False
        See :meth:`Report.write`.

    Returns
    -------
    ReportFiles
    """
    _use_agg()
    rep = build_study_report(result, title=title)
    return rep.write(folder, raw_csv=raw_csv)


def build_study_report(result: StudyResult, *, title: str | None = None) -> Report:
    """Assemble (but do not write) the :class:`Report` of a study run."""
    study = result.study
    rep = Report(title or study.name, provenance=result.provenance, settings=study.to_toml())

    # -- overview and methods
    rep.section("Study and methods")
    rep.text(result.describe())
    inputs = study.input_files()
    if not inputs.empty:
        rep.table("study_files", inputs, caption="Files the study read: paths as resolved "
                  "(relative paths in a study file are taken relative to its folder), sizes "
                  "and SHA-256 digests")
    custom = {str(getattr(r, "scheme", "")): r for r in result.mfi_results.values()}
    files = {p.stem: p for p in study.scheme_files}
    for scheme in result.mfi_scores.columns:
        if scheme in SCHEME_METHODS:
            rep.text(_scheme_method(scheme))
        else:
            info = getattr(custom.get(scheme), "info", {}) or {}
            recipe = info.get("scheme") or info.get("spec") or ""
            where = (f"[schemes.{scheme}] of the study file" if scheme in study.user_schemes
                     else ", ".join(p.name for p in files.values()) or "a scheme file")
            rep.text(f"{scheme}: user-defined scheme (weighting.Scheme, from {where}). "
                     f"{' '.join(str(recipe).split())}".strip())
    if result.miv is not None:
        rep.text(
            f"MIV index: w = {study.miv.w:g} of the index comes from the look-through "
            f"({study.miv.method}) score of the MFIs an MIV holds, 1 - w from the MIV's own "
            f"indicators. Coverage below {study.miv.coverage_threshold:g} of the portfolio is "
            f"flagged; the uncovered part is handled by the '{study.miv.uncovered}' rule."
        )

    for note in getattr(result, "skipped", ()):
        rep.text(f"Not run: {note}.")

    # -- screening
    scr = getattr(result.data, "screening", None)
    if scr is not None:
        screening_section(rep, scr)

    # -- MFI scores
    rep.section("MFI scores by scheme")
    feed = study.mfi_schemes_for_miv()
    ordered = result.mfi_scores.sort_values(feed, ascending=False, na_position="last")
    names = _mfi_names(result)
    rep.table("mfi_scores", _named(ordered, names),
              caption=f"MFI scores by scheme (higher = better), sorted by '{feed}'")
    ranks = ordered.rank(ascending=False, method="min")
    rep.table("mfi_ranks", _named(ranks, names),
              caption="MFI ranks by scheme (1 = best; ties share the best rank)")
    excluded = result.excluded_table()
    if not excluded.empty:
        if names:
            excluded.insert(2, "name", excluded["mfi"].astype(str).map(names))
        rep.table("mfi_excluded", excluded, caption="MFIs excluded from a scheme, and why")

    # -- comparison
    cols = list(result.mfi_scores.columns)
    if len(cols) >= 2:
        rep.section("Scheme comparison")
        captions = {
            "pairs": "Agreement of each pair of schemes on the MFIs they all score: Spearman "
                     "rho, Kendall tau-b, mean and maximum absolute rank shift, top-10 overlap",
            "spearman": "Spearman rank correlation between schemes",
            "kendall": "Kendall tau-b between schemes",
            "mean_rank_shift": "Mean absolute rank shift between schemes (places)",
            "movers": "MFIs whose rank differs most across schemes",
        }
        comp = result.comparison
        if comp is not None:
            rep.text(
                f"Compared on the {len(comp.common)} MFIs scored by every scheme "
                f"({len(comp.dropped)} MFIs lack a score under some scheme and are left out)."
            )
        for name, frame in result.comparison_tables().items():
            shown = _named(frame, names) if name == "movers" else frame
            rep.table(f"comparison_{name}", shown,
                      caption=captions.get(name, f"Scheme comparison: {name}"))
        base = cols[0]
        rep.try_figure(
            "scheme_ranks",
            lambda: _rank_grid(result.mfi_scores, base, cols[1:]),
            caption=f"Rank of each MFI under every other scheme against {base} (1 = best; "
            "the dashed line is equal rank; the MFIs that move most are labelled)",
        )
        if comp is not None:
            for meth in ("plot_rank_shift", "plot_rank_shifts", "rank_shift_plot"):
                if hasattr(comp, meth):
                    rep.try_figure("rank_shift", _decluttered(getattr(comp, meth)),
                                   caption="Rank of each MFI under each scheme (1 = best); "
                                   "the MFIs that move most are coloured and labelled "
                                   "(labels of nearby ends spread apart, with leader "
                                   "lines)")
                    break

    # -- DEA
    if result.dea is not None:
        spec = study.dea
        rep.section("Study DEA model ([dea])")
        rep.text(
            f"The study's own DEA model (study table [dea]; not the 'dea' MFI scheme, whose "
            f"social-efficiency inputs and outputs are fixed): {spec.describe()}; inputs: "
            f"{', '.join(spec.inputs)}; outputs: {', '.join(spec.outputs)}."
            + (" Cross-efficiency columns (Doyle & Green 1994, simple secondary goal): mean "
               "cross-efficiency with and without self-appraisal and the maverick index "
               "(own score / peer mean - 1; high = the unit rates itself far better than "
               "its peers do)." if getattr(result, "dea_cross", None) is not None else "")
        )
        boot = getattr(result, "dea_bootstrap", None)
        if boot is not None:
            rep.text(
                f"Bootstrap ([dea] bootstrap = {boot.n_boot}): smoothed homogeneous bootstrap "
                "of Simar & Wilson (1998), seed "
                f"{study.sensitivity.seed}, bandwidth {boot.bandwidth:.4g}; scores_bc is the "
                f"bias-corrected score, [lower, upper] its {100 * (1 - boot.alpha):g}% "
                "confidence interval; use_bias_correction is false where the bias is "
                "smaller than its noise (|bias| <= std/sqrt(3)): keep the original score there."
            )
        rep.table("dea_results", _named(result.dea_table(), names),
                  caption="Study DEA model: scores, slacks and peers")
        model = getattr(spec, "model", "radial")
        drawable = model == "radial" and len(spec.inputs) == 1 and (
            (len(spec.outputs) == 1 and spec.rts in ("crs", "vrs"))
            or (len(spec.outputs) == 2 and spec.rts == "crs")
        )
        if drawable:
            rep.try_figure(
                "dea_frontier",
                lambda: plots.dea_frontier(
                    result.dea_data, inputs=spec.inputs, outputs=spec.outputs, rts=spec.rts,
                    scores=result.dea.scores, units=study.units, label="efficient",
                    names=_mfi_names(result), log="auto",
                ),
                caption="Units (coloured by efficiency score) and the DEA frontier; the "
                "units on the frontier are labelled with their names (log axes when the "
                "data span more than two orders of magnitude)",
            )
        elif model != "radial":
            rep.text(
                f"No frontier figure: the figure shows radial scores on the frontier, and "
                f"the {model} score measures distance to it differently (see the table)."
            )
        else:
            rep.text(
                "No frontier figure: an exact 2-D frontier exists for one input with one output "
                "(CRS or VRS) or with two outputs (CRS) only."
            )

    # -- MIVs
    if result.miv is not None:
        miv = result.miv
        rep.section("MIV index")
        miv_names = _miv_names(result)
        rep.table("miv_index", _named(_as_frame(miv.index, "index"), miv_names),
                  caption="MIV social performance index")
        if getattr(miv, "coverage", None) is not None:
            rep.table("miv_coverage", _named(_as_frame(miv.coverage, "coverage"), miv_names),
                      caption="Share of each MIV's portfolio with a scored MFI")
        details = getattr(miv, "details", None)
        if isinstance(details, pd.DataFrame):
            rep.table("miv_details", _named(details, miv_names),
                      caption="MIV index, blocks, coverage and rules")
        profile = result.miv_profile()
        if not profile.empty:
            rep.table("miv_profile", _named(profile, miv_names),
                      caption="MIV profile: look-through score and own-indicator points by "
                      "dimension")
            rep.try_figure("miv_profile", lambda: plots.miv_profile(profile, limit=8),
                           caption="MIV profile by dimension (scores in [0, 1])")

    quality_section(rep, result)

    # -- sensitivity
    if result.sensitivity is not None:
        sensitivity_section(rep, result.sensitivity)
    return rep


def screening_section(rep: Report, screening: Any) -> Report:
    """Add the "Data screening" section: what each rule did, and every change by MFI."""
    rep.section("Data screening")
    rep.text(
        f"The MFI file was screened before scoring (study key 'data.screening'): "
        f"{screening.rows_in:,} rows in, {screening.rows_out:,} rows kept. Each rule below sets "
        "impossible values missing or drops rows; the user's file is not changed. Every change "
        "is listed by MFI id, name, year, column (the catalogue's name and the file's own), "
        "value and rule in the table 'screening_exclusions' (in full in the CSV and Excel "
        "files)."
    )
    rep.table("screening_counts", screening.counts,
              caption="Screening rules: values set missing, rows dropped, MFIs affected")
    quarterly = screening.quarterly_only_years()
    if len(quarterly):
        rep.text(
            f"{len(quarterly):,} MFI-years exist only as quarterly-report rows and were dropped "
            "(add \"QTR\" to data.screening.period_types to keep them)."
        )
    if len(screening.exclusions):
        rep.table("screening_exclusions", screening.exclusions.set_index("mfiid"),
                  caption="Every value set missing and every row dropped by screening "
                  "(first rows shown; the CSV and Excel files hold all)")
    return rep


def quality_section(rep: Report, audit: Any, *, full: bool = False) -> Report:
    """Add the section "Indicator and aggregation quality" (see :mod:`socialperf.audit`).

    Parameters
    ----------
    rep : Report
    audit : socialperf.audit.StudyAudit or StudyResult
        The audit, or a study result to audit (:func:`socialperf.audit.audit_study`).
    full : bool, default False
        Also add every other table of the audit (``StudyAudit.tables()``), as
        ``socialperf audit`` does.

    Returns
    -------
    Report
        ``rep``, with the catalogue checks, each scheme's set and aggregation tables and
        the list of failed criteria. If the audit cannot be computed the section says why.
    """
    rep.section("Indicator and aggregation quality")
    if not isinstance(audit, StudyAudit):
        try:
            audit = audit_study(audit)
        except InputDataError as exc:
            rep.text(f"The quality audit could not be computed: {exc}")
            return rep
    rep.text(
        "Formal quality criteria (Meyer & Krauss 2015, section 3; OECD/JRC 2008): each "
        "indicator's coverage, discrimination, skewness and kurtosis (JRC rule: treat when "
        "|skew| > 2 and kurtosis > 3.5), validity proxy (Spearman correlation with the rest "
        "of its dimension) and year-to-year stability in the reference universe; the set's "
        "correlations, Cronbach's alpha and KMO per dimension; and the aggregation: each "
        "indicator's main effect S_i on the score (Paruolo, Saisana & Saltelli 2013) against "
        "its nominal weight, and the compensability of the aggregation (1 = fully "
        "compensatory). Thresholds and their sources: weighting.THRESHOLDS."
    )
    rep.table("quality_catalogue", audit.catalogue,
              caption="Catalogue quality criteria measured in the reference universe (all "
              "years) and in the study year; 'checks' lists the failed criteria")
    if audit.universe is not None and len(audit.universe.coverage.columns) > 1:
        rep.table("quality_coverage_by_year", audit.universe.coverage.T,
                  caption="Share of MFIs with a value, by year, in the reference universe")
    for name, res in audit.schemes.items():
        rep.table(f"quality_{name}_dimensions", res.dimensions,
                  caption=f"Scheme {name}: indicators, weight, Cronbach's alpha, KMO and "
                  f"first-component share per dimension ({audit.year})")
        rep.table(f"quality_{name}_influence", res.influence,
                  caption=f"Scheme {name}: main effect S_i of each indicator on the score and "
                  "its share, against the effective nominal weight")
        if len(res.compensability.columns):
            rep.table(f"quality_{name}_compensability", res.compensability,
                      caption=f"Scheme {name}: gain from a rise in the worst vs the best "
                      "indicator, per unit of weight (median and quartiles over MFIs)")
    for name, why in audit.skipped.items():
        rep.text(f"Scheme {name}: not audited ({why}).")
    flags = audit.flag_table
    if len(flags):
        rep.table("quality_flags", flags[["scope", "level", "criterion", "subject",
                                          "message"]],
                  caption="Failed quality criteria", max_rows=100)
    else:
        rep.text("No quality criterion fails.")
    if full:
        for name, table in audit.tables().items():
            if name != "flags":
                rep.table(f"audit_{name}", table, caption=f"Audit table {name}")
    return rep


def _named(frame: pd.DataFrame, names: Mapping[str, str] | None) -> pd.DataFrame:
    """``frame`` with a ``name`` column first, when its index holds ids that have names."""
    if not names or "name" in frame.columns:
        return frame
    labels = frame.index.astype(str)
    if not labels.isin(list(names)).any():
        return frame
    out = frame.copy()
    out.insert(0, "name", [names.get(k) for k in labels])
    return out


def _mfi_names(result: StudyResult) -> dict[str, str] | None:
    """MFI label -> MFI name from the study's MFI table (None without a name column)."""
    data = getattr(result, "data", None)
    return _unit_names(getattr(data, "mfis", None), "mfiid", "mfiname")


def _miv_names(result: StudyResult) -> dict[str, str] | None:
    """MIV id -> MIV name from the study's MIV indicator table (None without names)."""
    table = getattr(getattr(result, "data", None), "miv_indicators", None)
    if not isinstance(table, pd.DataFrame) or "name" not in table.columns:
        return None
    names = table["name"].dropna()
    return {str(k): str(v) for k, v in names.items()} or None


def _rank_grid(scores: pd.DataFrame, base: str, others: Sequence[str]) -> Any:
    """One figure: ``scheme_ranks(base, other)`` for each other scheme, in a grid."""
    import matplotlib.pyplot as plt

    n = len(others)
    ncol = min(3, n)
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 4.0 * nrow), squeeze=False)
    for ax, other in zip(axes.flat, others, strict=False):
        plots.scheme_ranks(scores, base, other, annotate=3, ax=ax)
        ax.title.set_fontsize("small")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _decluttered(draw: Callable[[], Any]) -> Callable[[], Any]:
    """``draw`` followed by hiding the text labels that overlap earlier ones."""

    def run() -> Any:
        out = draw()
        for ax in getattr(getattr(out, "figure", out), "axes", [out]):
            hide_overlapping_labels(ax)
        return out

    return run


def _as_frame(obj: Any, name: str) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, pd.Series):
        return obj.to_frame(obj.name if obj.name is not None else name)
    return pd.DataFrame({name: [obj]})


def write_sensitivity_report(
    outcome: Any, folder: str | Path, *, title: str = "Sensitivity analysis",
    provenance: str | None = MIX_ATTRIBUTION, raw_csv: bool = False, study: Any = None,
) -> ReportFiles:
    """Write a report holding only the sensitivity section (``socialperf sensitivity``).

    Parameters
    ----------
    outcome : socialperf.study.SensitivityOutcome
    folder : str or pathlib.Path
    title : str
    provenance : str, optional
    raw_csv : bool, default False
        See :meth:`Report.write`.
    study : socialperf.study.Study, optional
        The study analysed; its settings go into ``settings.toml`` and the page.

    Returns
    -------
    ReportFiles
    """
    _use_agg()
    settings = study.to_toml() if study is not None else None
    rep = Report(title, provenance=provenance, settings=settings)
    sensitivity_section(rep, outcome)
    return rep.write(folder, raw_csv=raw_csv)


def sensitivity_section(rep: Report, sens: Any) -> Report:
    """Add the uncertainty and Sobol' part of a study to ``rep``.

    Parameters
    ----------
    rep : Report
    sens : socialperf.study.SensitivityOutcome
        Holds ``uncertainty`` (rank statistics per unit), ``sobol`` (first and total order
        indices per input factor) and the raw objects from :mod:`weighting.sensitivity`;
        its ``miv`` analysis, if run, gets a section of its own (rank intervals of the MIVs,
        Sobol' indices of w, portfolio method, uncovered rule, feeding scheme, MFI weights).

    Returns
    -------
    Report
    """
    rep.section("Sensitivity and uncertainty: MFIs")
    _analysis_items(rep, sens, "sensitivity", "MFI")
    miv = getattr(sens, "miv", None)
    if miv is not None:
        rep.section("Sensitivity and uncertainty: MIVs")
        _analysis_items(rep, miv, "sensitivity_miv", "MIV")
    return rep


_SENSITIVITY_CAPTIONS = {
    "rank_intervals": "{unit} ranks across the Monte Carlo runs (1 = best): base rank, median "
                      "and 5-95% interval, probability of a top-k place, score quantiles and "
                      "share of runs in which the {unit} is scored (rarely_scored: in fewer "
                      "than half of the runs; such {unit}s are left out of the rank-interval "
                      "figure)",
    "rank_shift_distribution": "Distribution over the runs of the mean absolute rank shift "
                               "(places) of the {unit}s from their base ranks",
    "sobol_indices": "Sobol' indices of the mean absolute rank shift: S1 first order (the "
                     "factor alone), ST total (with interactions), with 95% bootstrap "
                     "half-widths (_conf); levels: the number of values a factor takes (2 "
                     "for a two-way choice such as returns to scale; empty for a continuous "
                     "range); ST_zero: the interval of ST reaches 0, so the factor's effect "
                     "cannot be told from none with these runs",
}


def _analysis_items(rep: Report, outcome: Any, prefix: str, unit: str) -> None:
    """Text, tables and figures of one uncertainty analysis (MFI or MIV level)."""
    rep.text(outcome.describe())
    for name, frame in outcome.tables().items():
        caption = _SENSITIVITY_CAPTIONS.get(name, name).format(unit=unit)
        rep.table(f"{prefix}_{name}", frame, caption=caption)
    for name, draw, caption in outcome.figures():
        rep.try_figure(f"{prefix}_{name}", draw, caption=caption)


def numeric_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Count, mean, min, median and max of each numeric column (for the methods section)."""
    num = frame.select_dtypes(include=[np.number])
    return pd.DataFrame(
        {
            "n": num.notna().sum(),
            "mean": num.mean(),
            "min": num.min(),
            "median": num.median(),
            "max": num.max(),
        }
    )
