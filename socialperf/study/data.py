"""The tables of a study: :class:`StudyData`, :func:`load_study_data`, the study year and
the reference universe.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import socialperf.io as sio
from dea.exceptions import InputDataError, format_labels
from socialperf._example import example_data
from socialperf.catalogue import load_catalogue
from socialperf.exceptions import MissingColumnWarning, _with_context
from socialperf.io import EXAMPLE_MIV_NOTE, MIX_ATTRIBUTION, _read_csv, read_mfis
from socialperf.miv import read_holdings
from socialperf.screen import Screening, read_mix_panel
from socialperf.study.config import Study

logger = logging.getLogger("socialperf.study")

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
    for key, path in study.data.items():
        if not Path(path).is_file():
            raise FileNotFoundError(2, f"data.{key}: no such file", str(path))
    ex = None
    if study.example:
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
        holdings = _given("holdings", lambda p: read_holdings(p, mfis=mfis, fx_rates=fx))
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



def _reference(study: Study, data: StudyData) -> Any:
    """The ``reference`` argument of ``score_mfis``: None (bundled), "self" or a table."""
    ref = study.reference
    if ref is None or ref == "bundled":
        return None
    if ref == "self":
        return "self"

    path = Path(ref)
    if not path.is_file():
        raise FileNotFoundError(2, "study.reference: no such file", str(path))
    try:
        if study.screening is not None:
            return read_mix_panel(path, study.screening).panel
        return read_mfis(path)
    except InputDataError as exc:
        raise type(exc)(f"study.reference ({path.name}): {exc}") from exc



def study_year(study: Study, data: StudyData) -> int:
    """The fiscal year scored: the study's, else the holdings', else the latest in the data."""
    if study.year is not None:
        return study.year
    hy = getattr(data.holdings, "year", None)
    if isinstance(hy, int | np.integer):
        return int(hy)
    return int(pd.to_numeric(data.mfis["year"]).max())
