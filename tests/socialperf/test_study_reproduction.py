"""Today's study outputs are reproduced to 1e-12 (issue 9: kept through the refactor).

The reference files in ``tests/results/study_reproduction/`` were written by
``tests/results/make_study_reproduction.py`` (see its docstring) before the composite
engine was unified; this test runs the same collection again and compares every number
(to 1e-12, absolute and relative) and every label and rank exactly.  Regenerate the files
only for a deliberate change of results, and say why in the commit.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

RESULTS = Path(__file__).resolve().parents[1] / "results"

_spec = importlib.util.spec_from_file_location(
    "make_study_reproduction", RESULTS / "make_study_reproduction.py"
)
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

TOL = 1e-12
NO_MIX = pytest.mark.skipif(
    not make.MIX.exists(), reason=f"the shared MIX extract is absent ({make.MIX})"
)


def _read(text_or_path) -> pd.DataFrame:
    return pd.read_csv(text_or_path, dtype=str, keep_default_na=False)


def _as_written(table: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    table.to_csv(buf, float_format="%.17g")
    buf.seek(0)
    return _read(buf)


def _numeric(col: pd.Series) -> pd.Series | None:
    """The column as floats if every non-empty entry is a number, else None."""
    values = pd.to_numeric(col.replace("", np.nan), errors="coerce")
    if (values.isna() & (col != "")).any():
        return None
    return values.astype(float)


# Columns added to an output after it was recorded, on purpose (the recorded columns must
# still be reproduced exactly; a column not listed here is a change to look at).
ADDED_COLUMNS = {
    "sens_summary": ["rarely_scored", "score_runs"],  # min_scored=; reference scale
    "sens_sobol": ["levels", "ST_zero"],  # SobolResult.analyse: two-way factors, ST ~ 0
    "miv_summary": ["rarely_scored", "score_runs"],
    "miv_sobol": ["levels", "ST_zero"],
}


def assert_same(got: pd.DataFrame, path, stem: str) -> None:
    want = _read(path)
    have = _as_written(got)
    added = [c for c in ADDED_COLUMNS.get(stem, []) if c in have.columns and c not in want]
    have = have.drop(columns=added)
    if stem == "excluded":  # the order of the exclusions is not an output
        want = want.sort_values(list(want.columns), ignore_index=True)
        have = have.sort_values(list(have.columns), ignore_index=True)
    assert list(have.columns) == list(want.columns), f"{stem}: columns differ"
    assert len(have) == len(want), f"{stem}: {len(have)} rows, expected {len(want)}"
    for c in want.columns:
        w = _numeric(want[c])
        h = _numeric(have[c]) if w is not None else None
        if w is None or h is None:
            bad = have[c] != want[c]
            assert not bad.any(), (
                f"{stem}[{c}]: {have[c][bad].head().tolist()} != {want[c][bad].head().tolist()}"
            )
            continue
        wv, hv = w.to_numpy(), h.to_numpy()
        assert (np.isnan(wv) == np.isnan(hv)).all(), f"{stem}[{c}]: missing values differ"
        ok = np.isnan(wv) | np.isclose(hv, wv, rtol=TOL, atol=TOL)
        assert ok.all(), (
            f"{stem}[{c}]: {int((~ok).sum())} values differ, largest by "
            f"{np.nanmax(np.abs(hv - wv)):.3g}"
        )


def _check(case: str, part: str) -> None:
    tables = make.collect(case, part)
    assert tables
    folder = make.OUT / case
    for stem, table in tables.items():
        assert_same(table, folder / f"{stem}.csv", stem)


def test_reference_files_cover_every_part():
    for case in ("demo", "mix"):
        names = {p.stem for p in (make.OUT / case).glob("*.csv")}
        assert {
            "scores",
            "ranks",
            "excluded",
            "miv",
            "cmp_spearman",
            "sens_summary",
            "miv_ranks",
        } <= names
        assert {f"short_{s}_ranks" for s in make.SCHEMES} <= names


def test_demo_scores_comparison_and_miv():
    _check("demo", "scores")


@pytest.mark.parametrize("scheme", make.SCHEMES)
def test_demo_short_sensitivity(scheme):
    _check("demo", scheme)


@pytest.mark.slow
def test_demo_sensitivity():
    _check("demo", "sensitivity")


@NO_MIX
def test_mix_scores_comparison_and_miv():
    _check("mix", "scores")


@NO_MIX
@pytest.mark.slow
@pytest.mark.parametrize("part", ["sensitivity", *make.SCHEMES])
def test_mix_sensitivity(part):
    _check("mix", part)


def test_comparison_detects_a_change(tmp_path):
    """The check fails on a difference above 1e-12 and on a changed label."""
    table = pd.DataFrame({"a": [0.25, 1 / 3], "b": ["x", "y"]}, index=["u", "v"])
    path = tmp_path / "t.csv"
    table.to_csv(path, float_format="%.17g")
    assert_same(table.assign(a=table["a"] + 1e-14), path, "t")
    with pytest.raises(AssertionError, match="values differ"):
        assert_same(table.assign(a=table["a"] + 1e-9), path, "t")
    with pytest.raises(AssertionError, match=r"t\[b\]"):
        assert_same(table.assign(b=["x", "z"]), path, "t")
