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


#: height of an end label in font sizes (text plus spacing), for the default ``min_gap``
LABEL_LINE = 1.5


def _spread_labels(targets: np.ndarray, gap: float, lo: float, hi: float) -> np.ndarray:
    """Positions near ``targets`` at least ``gap`` apart, inside ``[lo, hi]`` if they fit.

    A one-dimensional label-repel pass: labels are sorted by target; labels closer than
    ``gap`` form a cluster, laid out ``gap`` apart and centred on the mean of its targets;
    clusters that then touch are merged, until none overlap.  The whole block is then
    shifted into ``[lo, hi]`` (when it fits).  The order of the labels is kept.
    """
    t = np.asarray(targets, dtype=float)
    if t.size == 0:
        return t.copy()
    order = np.argsort(t, kind="stable")
    ts = t[order]
    clusters = [[k] for k in range(len(ts))]  # indices into ts

    def layout(c: list[int]) -> np.ndarray:
        centre = float(np.mean(ts[c]))
        return centre + gap * (np.arange(len(c)) - (len(c) - 1) / 2.0)

    merged = True
    while merged:
        merged = False
        out: list[list[int]] = [clusters[0]]
        for c in clusters[1:]:
            if layout(c)[0] - layout(out[-1])[-1] < gap - 1e-12:
                out[-1] = out[-1] + c
                merged = True
            else:
                out.append(c)
        clusters = out
    pos_sorted = np.concatenate([layout(c) for c in clusters])
    if gap * (len(pos_sorted) - 1) <= hi - lo:
        # clamp into the range, then restore the gaps the clamp closed
        pos_sorted = np.clip(pos_sorted, lo, hi)
        for k in range(1, len(pos_sorted)):
            pos_sorted[k] = max(pos_sorted[k], pos_sorted[k - 1] + gap)
        pos_sorted[-1] = min(pos_sorted[-1], hi)
        for k in range(len(pos_sorted) - 2, -1, -1):
            pos_sorted[k] = min(pos_sorted[k], pos_sorted[k + 1] - gap)
    pos = np.empty_like(pos_sorted)
    pos[order] = pos_sorted
    return pos


def plot_rank_shifts(
    ranks: pd.DataFrame,
    ax: Axes | None = None,
    highlight: Sequence[object] = (),
    label_highlighted: bool = True,
    min_gap: float | None = None,
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
        Write the highlighted units' labels at the right end of their lines.  Labels of
        units ending at nearby ranks are spread apart vertically (each joined to the end
        of its line by a thin leader line), so all of them show.
    min_gap : float, optional
        Minimum vertical distance between two end labels, in rank units; default: the
        height of one label line (8-point text, :data:`LABEL_LINE` font sizes)
        at the axes' size.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputDataError
        If a highlighted label is not a unit of ``ranks``, or ``min_gap`` is negative.
    """
    unknown = [h for h in highlight if h not in ranks.index]
    if unknown:
        raise InputDataError(
            f"plot_rank_shifts: highlight names units not in the ranks: {unknown[:5]!r}"
        )
    if min_gap is not None and not min_gap >= 0:
        raise InputDataError(f"plot_rank_shifts: min_gap={min_gap!r}; it must be >= 0")
    ax = _new_axes(ax, (max(4.0, 1.6 * ranks.shape[1]), 5.0))
    x = np.arange(ranks.shape[1])
    hl = set(highlight)
    for unit, row in ranks.iterrows():
        if unit in hl:
            continue
        ax.plot(x, row.to_numpy(), color="0.8", lw=0.7, zorder=1)
    ends: list[tuple[str, float, Any]] = []
    for unit in highlight:
        y = ranks.loc[unit].to_numpy()
        (line,) = ax.plot(x, y, marker="o", lw=1.8, zorder=3, label=str(unit))
        ends.append((str(unit), float(y[-1]), line.get_color()))
    ax.set_xticks(x)
    ax.set_xticklabels([str(c) for c in ranks.columns])
    ax.set_xlim(-0.3, x[-1] + 0.6 if len(x) else 0.6)
    ax.set_ylim(len(ranks) + 0.5, 0.5)  # rank 1 at the top
    ax.set_ylabel("rank (1 = best)")
    ax.set_xlabel("scheme")
    ax.set_title("Rank of each unit under each scheme")
    finite = [e for e in ends if np.isfinite(e[1])]
    if label_highlighted and finite and len(x):
        if min_gap is None:
            height_px = ax.get_window_extent().height or 1.0
            line_px = 8.0 * LABEL_LINE * ax.figure.dpi / 72.0  # an 8-point line and spacing
            min_gap = line_px * len(ranks) / height_px
        half = min(float(min_gap) / 2.0, len(ranks) / 2.0)  # keep whole labels in the axes
        spread = _spread_labels(np.array([e[1] for e in finite]), float(min_gap),
                                0.5 + half, len(ranks) + 0.5 - half)
        x_text = x[-1] + 0.12
        for (name, y_end, colour), y_text in zip(finite, spread, strict=True):
            moved = abs(y_text - y_end) > 1e-9
            ax.annotate(
                name, (x[-1], y_end), xytext=(x_text, y_text), textcoords="data",
                va="center", fontsize=8, color=colour,
                arrowprops={"arrowstyle": "-", "lw": 0.5, "color": colour,
                            "shrinkA": 0, "shrinkB": 2} if moved else None,
            )
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
    min_scored: float = 0.5,
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
    min_scored : float, default 0.5
        Units scored in a smaller share of the runs (column ``p_scored``) are left out:
        their median rank comes from few runs and would crowd out the units ranked in
        every run. 0 shows every unit.

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
    tab = summary
    if "p_scored" in summary.columns and min_scored > 0:
        tab = summary.loc[summary["p_scored"] >= min_scored]
    tab = tab.sort_values(centre, kind="stable")
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
