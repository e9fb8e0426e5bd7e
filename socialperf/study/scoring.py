"""Scoring the MFI schemes of a study (:func:`socialperf.score_mfis` per scheme).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from dea.exceptions import InputDataError
from socialperf.exceptions import _with_context
from socialperf.mfi import DEFAULT_RTS, score_mfis
from socialperf.schemes import SCHEMES
from socialperf.study._runtime import _Progress
from socialperf.study.config import Study
from socialperf.study.data import StudyData, study_year

logger = logging.getLogger("socialperf.study")

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



def _weights_source(study: Study, scheme: str) -> str:
    """`` (weights from study key 'data.expert_weights', w.csv)`` for a scheme whose
    weights come from a study data file, else ``""``."""
    keys = {"expert": ("expert_weights", "budget_allocations"), "ahp": ("ahp_matrix",)}
    for key in keys.get(scheme, ()):
        if key in study.data:
            return f" (weights from study key 'data.{key}', {study.data[key].name})"
    return ""


def _score_schemes(study: Study, data: StudyData, names: Sequence[str], reference: Any, *,
                   bar: _Progress | None = None, timings: dict[str, float] | None = None,
                   n_jobs: int = 1) -> dict[str, Any]:
    """:func:`socialperf.score_mfis` of each named scheme (built-in or user-defined)."""
    custom = study.load_schemes(data.catalogue) if any(n not in SCHEMES for n in names) else {}
    results: dict[str, Any] = {}
    for name in names:
        t = time.perf_counter()
        builtin = name in SCHEMES
        kwargs = _scheme_kwargs(study, data, name if builtin else "custom", reference, n_jobs)
        try:
            results[name] = score_mfis(data.mfis, scheme=name if builtin else custom[name],
                                       **kwargs)
        except InputDataError as exc:
            raise _with_context(exc, f"scheme {name!r}{_weights_source(study, name)}: ") from exc
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
