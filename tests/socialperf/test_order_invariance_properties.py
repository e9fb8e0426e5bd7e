"""Order and no-mutation properties of the socialperf entry points (issue 13, "must show").

The microfinance layer calibrates on a reference universe in the MIX's own units (USD,
fractions), so rescaling a user's columns is *meant* to change scores against the bundled
universe; what must hold is that the order of the rows never matters (every MFI, year and
MIV keeps its score) and that no entry point modifies the caller's tables. The generic
layers' unit invariance is tested in ``tests/dea`` and ``tests/weighting``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import socialperf as sp

YEAR = 2011


@pytest.fixture(scope="module")
def ex():
    return sp.example_data()


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def _holdings(ex) -> pd.DataFrame:
    """The example positions as a plain table (amounts already in USD)."""
    return ex.holdings.table[["holder", "held", "amount"]].reset_index(drop=True)


def _frames(ex):
    return {"mfis": ex.mfis, "holdings": _holdings(ex), "miv": ex.miv_indicators}


@pytest.mark.parametrize(
    "scheme",
    ["rating", "equal", *(pytest.param(s, marks=pytest.mark.slow) for s in ("pca", "bod", "dea"))],
)
def test_row_order_does_not_change_mfi_scores(ex, scheme):
    mfis = ex.mfis.loc[ex.mfis["year"] == YEAR]
    perm = np.random.default_rng(7).permutation(len(mfis))
    shuffled = mfis.iloc[perm]
    saved = shuffled.copy()
    a = _quiet(sp.score_mfis, mfis, scheme=scheme, year=YEAR).scores
    b = _quiet(sp.score_mfis, shuffled, scheme=scheme, year=YEAR).scores
    pd.testing.assert_frame_equal(shuffled, saved)
    np.testing.assert_allclose(b.loc[a.index], a, rtol=1e-7, atol=1e-10, equal_nan=True)


@pytest.mark.parametrize("seed", [0, 1])
def test_row_order_does_not_change_miv_scores(ex, seed):
    mfi = _quiet(sp.score_mfis, ex.mfis, scheme="equal", year=YEAR)
    holdings = _holdings(ex)
    rng = np.random.default_rng(seed)
    base = _quiet(sp.score_mivs, mfi.scores, holdings, ex.miv_indicators)
    h2 = holdings.iloc[rng.permutation(len(holdings))]
    m2 = ex.miv_indicators.iloc[rng.permutation(len(ex.miv_indicators))]
    saved = h2.copy(), m2.copy()
    other = _quiet(sp.score_mivs, mfi.scores.sample(frac=1.0, random_state=seed), h2, m2)
    pd.testing.assert_frame_equal(h2, saved[0])
    pd.testing.assert_frame_equal(m2, saved[1])
    np.testing.assert_allclose(
        other.index.loc[base.index.index], base.index, rtol=1e-9, equal_nan=True
    )


def test_entry_points_do_not_mutate_inputs(ex, tmp_path):
    tables = _frames(ex)
    saved = {k: v.copy() for k, v in tables.items()}
    mfis = tables["mfis"]
    sp.validate_mfis(mfis)
    sp.screen_mfis(mfis)
    sp.read_mix_panel(mfis)
    sp.mfi_indicators(mfis, year=YEAR)
    sp.social_efficiency_data(mfis, year=YEAR)
    for scheme in ("rating", "expert", "ahp"):
        _quiet(sp.score_mfis, mfis, scheme=scheme, year=YEAR)
    sp.validate_holdings(tables["holdings"])
    sp.Holdings(tables["holdings"])
    sp.validate_miv_indicators(tables["miv"])
    mfi = _quiet(sp.score_mfis, mfis, scheme="equal", year=YEAR)
    _quiet(sp.score_mivs, mfi.scores, tables["holdings"], tables["miv"])
    for k, v in tables.items():
        pd.testing.assert_frame_equal(v, saved[k], obj=k)
