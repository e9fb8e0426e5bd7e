"""End labels of the rank-shift (bump) chart: spread apart so that all of them show."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dea.exceptions import InputDataError
from weighting.plots import _spread_labels, plot_rank_shifts

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _five_tied() -> pd.DataFrame:
    """20 units; P, Q, R, S, T come from different ranks and all end at rank 10 (tied)."""
    first = pd.Series(np.arange(1.0, 21.0), index=[f"u{i}" for i in range(20)])
    names = ["P", "Q", "R", "S", "T"]
    first.index = names + list(first.index[5:])
    last = first.copy()
    last[names] = 10.0
    return pd.DataFrame({"a": first, "b": last})


def _label_positions(ax) -> dict[str, tuple[float, float]]:
    return {t.get_text(): t.get_position() for t in ax.texts}


@pytest.mark.parametrize("gap", [None, 1.5])
def test_labels_of_units_ending_at_the_same_rank_are_spread(gap):
    ranks = _five_tied()
    ax = plot_rank_shifts(ranks, highlight=list("PQRST"), min_gap=gap)
    pos = _label_positions(ax)
    assert sorted(pos) == list("PQRST")
    ys = np.sort([p[1] for p in pos.values()])
    need = 1.5 if gap is not None else None
    if need is None:  # default gap: one 8-point text line at the axes' height, in ranks
        height = ax.get_window_extent().height
        need = 8.0 * 1.5 * ax.figure.dpi / 72.0 * len(ranks) / height
    assert np.diff(ys).min() >= need - 1e-9
    # centred on the common end rank, inside the axis, joined to it by leader lines
    assert np.mean(ys) == pytest.approx(10.0)
    assert all(0.5 + need / 2 - 1e-9 <= y <= 20.5 - need / 2 + 1e-9 for y in ys)
    assert all(t.arrow_patch is not None for t in ax.texts if abs(t.get_position()[1] - 10) > 0)
    assert {t.xy for t in ax.texts} == {(1, 10.0)}  # every label points at the line end


def test_label_at_a_free_rank_stays_put():
    ranks = _five_tied()
    ax = plot_rank_shifts(ranks, highlight=["P", "u15"], min_gap=1.0)
    pos = _label_positions(ax)
    assert pos["P"][1] == 10.0 and pos["u15"][1] == 16.0  # u15 starts and ends at rank 16
    assert all(t.arrow_patch is None for t in ax.texts)


def test_spread_keeps_order_and_range():
    # two clusters that merge after spreading; the block is pushed inside [1, 10]
    pos = _spread_labels(np.array([1.0, 1.0, 1.0, 2.0, 9.0]), 1.0, 1.0, 10.0)
    np.testing.assert_allclose(pos, [1.0, 2.0, 3.0, 4.0, 9.0])
    assert _spread_labels(np.array([]), 1.0, 0.0, 1.0).size == 0
    with pytest.raises(InputDataError, match="min_gap"):
        plot_rank_shifts(_five_tied(), highlight=["P"], min_gap=-1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1, 50), min_size=1, max_size=12), st.floats(0.1, 3.0))
def test_spread_property(targets, gap):
    t = np.array(targets)
    pos = _spread_labels(t, gap, 1.0, 50.0)
    order = np.argsort(t, kind="stable")
    assert (np.diff(pos[order]) >= gap - 1e-9).all()  # minimum gap, order kept
    if gap * (len(t) - 1) <= 49.0:
        assert pos.min() >= 1.0 - 1e-9 and pos.max() <= 50.0 + 1e-9
