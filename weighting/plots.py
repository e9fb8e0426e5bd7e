"""Plots for scheme comparison and uncertainty analysis.

Every function takes ``ax=None`` (a new figure when omitted) and returns what it drew on;
matplotlib is imported only when a function is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_rank_intervals", "plot_rank_shifts", "plot_scatter_matrix"]


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_rank_shifts(
    ranks: pd.DataFrame,
    ax: Axes | None = None,
    highlight: Sequence[object] = (),
    label_highlighted: bool = True,
) -> Axes:
    """Bump chart: the rank of every unit (rows) under each scheme (columns).

    Parameters
    ----------
    ranks : pandas.DataFrame
        Ranks (1 = best) indexed by unit, one column per scheme, in plotting order.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    highlight : sequence of unit labels, default ()
        Units drawn in colour (the rest in light grey).
    label_highlighted : bool, default True
        Write the highlighted units' labels at the right end of their lines.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputDataError
        If a highlighted label is not a unit of ``ranks``.
    """
    unknown = [h for h in highlight if h not in ranks.index]
    if unknown:
        raise InputDataError(
            f"plot_rank_shifts: highlight names units not in the ranks: {unknown[:5]!r}"
        )
    ax = _new_axes(ax, (max(4.0, 1.6 * ranks.shape[1]), 5.0))
    x = np.arange(ranks.shape[1])
    hl = set(highlight)
    for unit, row in ranks.iterrows():
        if unit in hl:
            continue
        ax.plot(x, row.to_numpy(), color="0.8", lw=0.7, zorder=1)
    for unit in highlight:
        y = ranks.loc[unit].to_numpy()
        (line,) = ax.plot(x, y, marker="o", lw=1.8, zorder=3, label=str(unit))
        if label_highlighted:
            ax.annotate(
                str(unit), (x[-1], y[-1]), xytext=(6, 0), textcoords="offset points",
                va="center", fontsize=8, color=line.get_color(),
            )
    ax.set_xticks(x)
    ax.set_xticklabels([str(c) for c in ranks.columns])
    ax.set_xlim(-0.3, x[-1] + 0.6 if len(x) else 0.6)
    ax.set_ylim(len(ranks) + 0.5, 0.5)  # rank 1 at the top
    ax.set_ylabel("rank (1 = best)")
    ax.set_xlabel("scheme")
    ax.set_title("Rank of each unit under each scheme")
    return ax


def plot_scatter_matrix(data: pd.DataFrame, ax: Any = None, s: float = 8.0) -> np.ndarray:
    """Scatter matrix of the schemes' scores: pairs off the diagonal, histograms on it.

    Parameters
    ----------
    data : pandas.DataFrame
        Scores (or ranks) indexed by unit, one column per scheme.
    ax : 2-D array of matplotlib Axes, optional
        A ``k x k`` grid for ``k`` schemes; a new figure if omitted.
    s : float, default 8
        Marker size.

    Returns
    -------
    numpy.ndarray
        The ``k x k`` array of Axes.

    Raises
    ------
    InputDataError
        If ``ax`` is given and is not a ``k x k`` grid.
    """
    k = data.shape[1]
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(k, k, figsize=(2.2 * k, 2.2 * k), squeeze=False)
    axes = np.asarray(ax, dtype=object)
    if axes.shape != (k, k):
        raise InputDataError(
            f"plot_scatter_matrix: ax has shape {axes.shape}; a {k} x {k} grid of Axes is "
            f"needed for {k} schemes"
        )
    cols = list(data.columns)
    for i, ci in enumerate(cols):
        for j, cj in enumerate(cols):
            a = axes[i, j]
            if i == j:
                a.hist(data[ci].to_numpy(), bins=min(20, max(5, len(data) // 5)), color="0.6")
            else:
                a.scatter(data[cj].to_numpy(), data[ci].to_numpy(), s=s, alpha=0.6)
            if i == k - 1:
                a.set_xlabel(str(cj))
            if j == 0:
                a.set_ylabel(str(ci))
    return axes


def plot_rank_intervals(
    summary: pd.DataFrame,
    ax: Axes | None = None,
    n: int | None = 30,
    lower: str = "rank_q05",
    upper: str = "rank_q95",
    centre: str = "median_rank",
    reference: str | None = "reference_rank",
) -> Axes:
    """Rank intervals from an uncertainty analysis: one horizontal bar per unit.

    Parameters
    ----------
    summary : pandas.DataFrame
        Indexed by unit, with the interval bounds and centre as columns (the
        :attr:`UncertaintyResult.summary` table).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    n : int or None, default 30
        Show the ``n`` units with the best median rank (all if None).
    lower, upper, centre : str
        Column names of the interval bounds and of the centre marker.
    reference : str or None, default "reference_rank"
        Column of the reference (base scheme) rank, drawn as a cross; None to omit.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputDataError
        If a named column is missing.
    """
    need = [c for c in (lower, upper, centre) if c not in summary.columns]
    if need:
        raise InputDataError(
            f"plot_rank_intervals: columns {need!r} missing; available: "
            f"{list(summary.columns)!r}"
        )
    tab = summary.sort_values(centre, kind="stable")
    if n is not None:
        tab = tab.head(n)
    ax = _new_axes(ax, (6.0, max(3.0, 0.22 * len(tab) + 1.0)))
    y = np.arange(len(tab))
    mid = tab[centre].to_numpy(dtype=float)
    err = np.vstack([mid - tab[lower].to_numpy(float), tab[upper].to_numpy(float) - mid])
    ax.errorbar(mid, y, xerr=err, fmt="o", ms=4, capsize=2, lw=1.2, label="median, 5-95%")
    if reference is not None and reference in tab.columns:
        ax.plot(tab[reference].to_numpy(float), y, "x", color="C3", label="reference")
    ax.set_yticks(y)
    ax.set_yticklabels([str(u) for u in tab.index], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("rank (1 = best)")
    ax.set_title("Rank intervals under the scheme's assumptions")
    ax.legend(loc="lower right", fontsize=8)
    return ax
