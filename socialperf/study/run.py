"""Running a study: :func:`run_study` (schemes, comparison, DEA fit and bootstrap, MIVs).
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import pandas as pd

import dea
from dea.exceptions import FewUnitsWarning, InputDataError, format_labels
from socialperf.exceptions import MissingColumnWarning
from socialperf.mfi import social_efficiency_data
from socialperf.miv import score_mivs
from socialperf.study._runtime import _on_scheduler, _Progress
from socialperf.study.config import Study, StudyConfigError
from socialperf.study.data import StudyData, _reference, load_study_data, study_year
from socialperf.study.result import StudyResult
from socialperf.study.scoring import _score_schemes, _score_series
from socialperf.study.sensitivity import _sensitivity
from weighting.compare import compare

logger = logging.getLogger("socialperf.study")

def _fit_dea(study: Study, data: StudyData, n_jobs: int) -> tuple[Any, pd.DataFrame,
                                                                       pd.Series]:
    """Fit the study's DEA model on the MFIs of the study year with complete, positive data.

    Columns may be any numeric column of the MFI table or the derived outputs of the
    social-efficiency model (``women_borrowers``, ``poverty_reach``; see
    :func:`socialperf.social_efficiency_data`).
    """
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
            key = "dea.inputs" if still[0] in spec.inputs else "dea.outputs"
            raise StudyConfigError(
                f"study key '{key}': column(s) {format_labels(still)} not in the MFI data; "
                f"allowed: {format_labels(known, limit=len(known))}"
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
    steps = len(study.schemes) + len(study.scheme_files) + len(study.user_schemes) + 2
    steps += int(study.dea is not None)
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
    names = [*study.schemes, *study.load_schemes(data.catalogue)]
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
