"""Figures for socialperf reports: MIV profiles, scheme-against-scheme ranks, DEA frontiers.

Every function takes ``ax=None`` (a new figure is made when none is given) and returns
the :class:`matplotlib.axes.Axes` it drew on.  matplotlib is imported lazily, inside the
functions, so ``import socialperf`` stays light and works on machines without a display
(the report writer selects the non-interactive Agg backend before it draws).
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError, format_labels

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "dea_frontier",
    "frontier_points",
    "hide_overlapping_labels",
    "miv_profile",
    "scheme_ranks",
]


def _new_axes(ax: Axes | None, *, polar: bool = False, figsize=(6.0, 4.5)) -> Axes:
    """Return ``ax`` or a fresh Axes on a new figure (polar if asked)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    return fig.add_subplot(111, projection="polar" if polar else None)


def _axis_label(name: str, units: Mapping[str, str] | None) -> str:
    unit = (units or {}).get(name)
    return f"{_pretty(name)} ({unit})" if unit else _pretty(name)


def _pretty(name: object) -> str:
    """A column or dimension name for display: underscores as spaces."""
    return str(name).replace("_", " ")


def _thousands(ax: Axes) -> None:
    """Tick labels with thousands separators (1,000,000 rather than 1e6)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)


def hide_overlapping_labels(ax: Axes, pad: float = 1.0) -> int:
    """Hide text labels of ``ax`` that overlap a label drawn before them.

    Labels are kept in the order they were added (put the important ones first), so a
    crowded corner keeps one readable label instead of a blot of several.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    pad : float, default 1.0
        Extra margin in pixels around each label.

    Returns
    -------
    int
        The number of labels hidden.
    """
    texts = [t for t in ax.texts if t.get_visible() and t.get_text()]
    if len(texts) < 2:
        return 0
    renderer = ax.figure.canvas.get_renderer()
    kept: list[Any] = []
    hidden = 0
    for t in texts:
        b = t.get_window_extent(renderer=renderer)
        box = b.from_extents(b.x0 - pad, b.y0 - pad, b.x1 + pad, b.y1 + pad)
        if any(box.overlaps(k) for k in kept):
            t.set_visible(False)
            hidden += 1
        else:
            kept.append(box)
    return hidden


def _require_columns(data: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputDataError(
            f"{what}: column(s) {format_labels(missing)} not found; "
            f"available columns are {format_labels(list(data.columns), limit=10)}"
        )


# --------------------------------------------------------------------------- MIV profile


def miv_profile(
    block: pd.DataFrame,
    *,
    kind: str = "radar",
    units: Sequence[object] | None = None,
    limit: int = 8,
    ax: Axes | None = None,
) -> Axes:
    """Draw MIV scores by dimension, as a radar (spider) chart or grouped bars.

    Parameters
    ----------
    block : pandas.DataFrame
        One row per MIV (index = MIV labels), one column per dimension, scores on a common
        scale (typically 0-1 or 0-100).  Missing values are drawn as gaps (bars) or zero
        (radar) and are reported in the legend label as ``"(n/a: k)"``.
    kind : {"radar", "bar"}, default "radar"
        Radar needs at least three dimensions; with fewer, bars are drawn instead.
    units : sequence, optional
        Which MIVs to draw (default: the first ``limit`` rows).
    limit : int, default 8
        Maximum number of MIVs drawn when ``units`` is not given.
    ax : matplotlib.axes.Axes, optional
        For ``kind="radar"`` it must be a polar Axes.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputDataError
        If ``block`` is empty, not numeric, ``kind`` is unknown, or a requested unit is absent.
    """
    if kind not in ("radar", "bar"):
        raise InputDataError(f"kind={kind!r} is not allowed; use 'radar' or 'bar'")
    if not isinstance(block, pd.DataFrame) or block.empty:
        raise InputDataError("miv_profile: 'block' must be a non-empty DataFrame (MIV x dimension)")
    data = block.apply(pd.to_numeric, errors="coerce")
    if units is not None:
        missing = [u for u in units if u not in data.index]
        if missing:
            raise InputDataError(f"miv_profile: unit(s) {format_labels(missing)} not in 'block'")
        data = data.loc[list(units)]
    else:
        data = data.iloc[:limit]
    dims = [str(c) for c in data.columns]
    if kind == "radar" and len(dims) < 3:
        kind = "bar"

    if kind == "bar":
        ax = _new_axes(ax)
        n_units, n_dims = data.shape
        width = 0.8 / max(n_units, 1)
        x = np.arange(n_dims)
        for i, (label, row) in enumerate(data.iterrows()):
            ax.bar(x + i * width - 0.4 + width / 2, row.to_numpy(dtype=float), width,
                   label=str(label))
        ax.set_xticks(x)
        ax.set_xticklabels([_pretty(d) for d in dims], rotation=20, ha="right")
        ax.set_ylabel("score")
        ax.legend(fontsize="small", ncol=2)
        ax.set_title("MIV profile by dimension")
        return ax

    ax = _new_axes(ax, polar=True)
    angles = np.linspace(0.0, 2.0 * np.pi, len(dims), endpoint=False)
    closed = np.concatenate([angles, angles[:1]])
    for label, row in data.iterrows():
        values = row.to_numpy(dtype=float)
        n_missing = int(np.isnan(values).sum())
        values = np.nan_to_num(values, nan=0.0)
        name = str(label) + (f" (n/a: {n_missing})" if n_missing else "")
        line = np.concatenate([values, values[:1]])
        ax.plot(closed, line, linewidth=1.5, label=name, marker="o", markersize=3)
        if len(data) <= 3:  # fills of many MIVs blur into one colour
            ax.fill(closed, line, alpha=0.08)
    ax.set_xticks(angles)
    ax.set_xticklabels([textwrap.fill(_pretty(d), 14) for d in dims], fontsize="small")
    ax.tick_params(axis="x", pad=10)
    for angle, tick in zip(angles, ax.get_xticklabels(), strict=True):
        c = np.cos(angle)  # labels to the left of the centre end at their axis, and so on
        tick.set_horizontalalignment("left" if c > 0.1 else "right" if c < -0.1 else "center")
    finite = data.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size and finite.min() >= 0 and finite.max() <= 1:
        ax.set_ylim(0, 1)
        ax.set_yticks([0.25, 0.5, 0.75, 1.0])
    ax.set_rlabel_position(float(np.degrees(angles[1] / 2)) if len(angles) > 1 else 0.0)
    ax.tick_params(axis="y", labelsize="x-small", labelcolor="dimgrey")
    ax.set_title("MIV profile by dimension", pad=18)
    ax.legend(loc="upper left", bbox_to_anchor=(1.05, 1.0), fontsize="small")
    return ax


# --------------------------------------------------------------------------- scheme ranks


def scheme_ranks(
    scores: pd.DataFrame,
    x: str,
    y: str,
    *,
    annotate: int = 5,
    ax: Axes | None = None,
) -> Axes:
    """Scatter the ranks of the same units under two schemes (1 = best).

    Units on the diagonal get the same rank under both schemes; the title gives Spearman's
    rank correlation over the units scored by both.

    Parameters
    ----------
    scores : pandas.DataFrame
        Units x schemes, higher = better.
    x, y : str
        Column names of the two schemes.
    annotate : int, default 5
        Label the ``annotate`` units whose rank moves most.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputDataError
        If a scheme column is missing or fewer than two units are scored by both.

    Notes
    -----
    Ranks use the average rank for ties, among units scored under both schemes;
    Spearman's rho is the Pearson correlation of these ranks.
    """
    _require_columns(scores, [x, y], "scheme_ranks")
    both = scores[[x, y]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(both) < 2:
        raise InputDataError(
            f"scheme_ranks: fewer than two units scored under both {x!r} and {y!r}"
        )
    ranks = both.rank(ascending=False, method="average")
    rho = float(np.corrcoef(ranks[x], ranks[y])[0, 1])
    ax = _new_axes(ax, figsize=(5.0, 5.0))
    ax.scatter(ranks[x], ranks[y], s=18, alpha=0.7)
    n = len(ranks)
    ax.plot([1, n], [1, n], color="grey", linewidth=0.8, linestyle="--")
    shift = (ranks[x] - ranks[y]).abs().sort_values(ascending=False)
    for label in shift.index[: max(annotate, 0)]:
        ax.annotate(str(label), (ranks.at[label, x], ranks.at[label, y]), fontsize="x-small",
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(f"rank under {x} (1 = best)")
    ax.set_ylabel(f"rank under {y} (1 = best)")
    ax.set_title(f"{y} vs {x}: Spearman rho = {rho:.2f} (n = {n})")
    ax.invert_xaxis()
    ax.invert_yaxis()
    hide_overlapping_labels(ax)
    return ax


# --------------------------------------------------------------------------- DEA frontier


def _upper_hull(points: np.ndarray) -> np.ndarray:
    """Upper convex hull of 2-D points, left to right (Andrew's monotone chain)."""
    pts = np.unique(points, axis=0)  # sorted by x then y
    hull: list[np.ndarray] = []
    for p in pts[::-1]:  # right to left gives the upper chain with a '<= 0' turn test
        while len(hull) >= 2:
            o, a = hull[-2], hull[-1]
            cross = (a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0])
            if cross <= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    return np.array(hull[::-1])


def frontier_points(
    x: np.ndarray, y: np.ndarray, *, rts: str = "vrs", kind: str = "io"
) -> np.ndarray:
    """Vertices of a two-dimensional DEA frontier, as a polyline to draw.

    Parameters
    ----------
    x, y : array_like
        ``kind="io"``: input and output of each unit.  ``kind="outputs"``: the two outputs
        per unit of input (``y1/x``, ``y2/x``).
    rts : {"vrs", "crs"}, default "vrs"
        Returns to scale, for ``kind="io"``; ``kind="outputs"`` is always the
        constant-returns frontier.
    kind : {"io", "outputs"}

    Returns
    -------
    numpy.ndarray
        Shape ``(k, 2)``: the frontier from its start on an axis to its end, including the
        free-disposal segments.

    Raises
    ------
    InputDataError
        If values are not finite, are negative, or ``rts``/``kind`` is unknown.

    Notes
    -----
    One input, one output, VRS (BCC 1984): the boundary of
    :math:`T = \\{(x, y): x \\ge \\sum_j \\lambda_j x_j,\\ y \\le \\sum_j \\lambda_j y_j,
    \\sum_j \\lambda_j = 1, \\lambda \\ge 0\\}` is the vertical segment at
    :math:`x_{min}`, the upper concave hull from the best unit at :math:`x_{min}` to the
    first unit reaching :math:`y_{max}`, then the horizontal line :math:`y = y_{max}`.
    CRS (CCR 1978) drops :math:`\\sum\\lambda = 1`: the frontier is the ray
    :math:`y = x \\max_j (y_j / x_j)`.  Two outputs per input, CRS: the upper-right
    convex hull of the points :math:`(y_{1j}/x_j, y_{2j}/x_j)`, closed by horizontal and
    vertical free-disposal segments to the axes.

    References
    ----------
    Charnes, Cooper & Rhodes (1978), EJOR 2(6), 429-444.
    Banker, Charnes & Cooper (1984), Management Science 30(9), 1078-1092.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size == 0:
        raise InputDataError("frontier_points: x and y must be 1-D arrays of the same length")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputDataError("frontier_points: x and y must be finite")
    if (x < 0).any() or (y < 0).any():
        raise InputDataError("frontier_points: x and y must be non-negative")
    if kind not in ("io", "outputs"):
        raise InputDataError(f"kind={kind!r} is not allowed; use 'io' or 'outputs'")
    if rts not in ("vrs", "crs"):
        raise InputDataError(f"rts={rts!r} is not allowed for a 2-D frontier; use 'vrs' or 'crs'")

    if kind == "io":
        if rts == "crs":
            positive = x > 0
            if not positive.any():
                raise InputDataError("frontier_points: CRS frontier needs a unit with input > 0")
            slope = float(np.max(y[positive] / x[positive]))
            x_end = float(x.max()) * 1.05
            return np.array([[0.0, 0.0], [x_end, slope * x_end]])
        hull = _upper_hull(np.column_stack([x, y]))
        x_min = hull[0, 0]
        y_top = hull[:, 1].max()
        stop = int(np.argmax(hull[:, 1] >= y_top))  # first hull vertex reaching y_max
        body = hull[: stop + 1]
        x_end = max(float(x.max()) * 1.05, body[-1, 0])
        return np.vstack([[x_min, 0.0], body, [x_end, y_top]])

    hull = _upper_hull(np.column_stack([x, y]))
    top = hull[:, 1].max()
    start = int(np.nonzero(hull[:, 1] >= top)[0][-1])  # the highest point, rightmost of ties
    body = hull[start:]
    return np.vstack([[0.0, body[0, 1]], body, [body[-1, 0], 0.0]])


def dea_frontier(
    data: pd.DataFrame,
    *,
    inputs: Sequence[str],
    outputs: Sequence[str],
    rts: str = "vrs",
    scores: pd.Series | None = None,
    units: Mapping[str, str] | None = None,
    label: str | int = "efficient",
    ax: Axes | None = None,
) -> Axes:
    """Draw the units and the DEA frontier of a two-dimensional model.

    Two shapes can be drawn exactly: one input and one output (input on x, output on y,
    VRS or CRS frontier), or one input and two outputs (each output per unit of input,
    constant-returns frontier).

    Parameters
    ----------
    data : pandas.DataFrame
        Units in rows (index = unit labels).
    inputs, outputs : sequence of str
        One input; one or two outputs.
    rts : {"vrs", "crs"}, default "vrs"
        Returns to scale of the frontier (one-output case).  With two outputs only "crs"
        is drawable in two dimensions.
    scores : pandas.Series, optional
        Efficiency scores by unit; colours the points (colour bar "efficiency").
    units : mapping, optional
        Column name -> unit of measurement, used in the axis labels, e.g.
        ``{"personnel": "staff", "number_of_active_borrowers": "borrowers"}``.
    label : "efficient", "all", "none" or int, default "efficient"
        Which points get their unit label: those on the frontier, all, none, or at most
        this many (the frontier units first).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputDataError
        If the model is not one of the two drawable shapes, a column is missing or not
        numeric, or two outputs are asked with ``rts="vrs"``.

    Notes
    -----
    The frontier is computed by :func:`frontier_points` (see there for the technology).
    Units whose score is 1 (within 1e-6) lie on it.
    """
    inputs, outputs = list(inputs), list(outputs)
    if len(inputs) != 1 or len(outputs) not in (1, 2):
        raise InputDataError(
            f"dea_frontier draws one input with one or two outputs; got {len(inputs)} input(s) "
            f"and {len(outputs)} output(s)"
        )
    _require_columns(data, inputs + outputs, "dea_frontier")
    frame = data[inputs + outputs].apply(pd.to_numeric, errors="coerce")
    bad = frame.index[frame.isna().any(axis=1)]
    if len(bad):
        raise InputDataError(
            f"dea_frontier: non-numeric or missing values for unit(s) {format_labels(bad)}"
        )
    xin = frame[inputs[0]].to_numpy(float)
    if len(outputs) == 1:
        kind = "io"
        px, py = xin, frame[outputs[0]].to_numpy(float)
        xlabel, ylabel = _axis_label(inputs[0], units), _axis_label(outputs[0], units)
        title = f"DEA frontier ({rts.upper()}): {_pretty(outputs[0])} from {_pretty(inputs[0])}"
    else:
        if rts != "crs":
            raise InputDataError(
                "dea_frontier: with two outputs per input only the constant-returns frontier "
                "is exact in two dimensions; pass rts='crs'"
            )
        if (xin <= 0).any():
            raise InputDataError(
                f"dea_frontier: input {inputs[0]!r} must be positive to form outputs per input"
            )
        kind = "outputs"
        px = frame[outputs[0]].to_numpy(float) / xin
        py = frame[outputs[1]].to_numpy(float) / xin
        per = (units or {}).get(inputs[0], inputs[0])
        xlabel = f"{_axis_label(outputs[0], units)} per {per}"
        ylabel = f"{_axis_label(outputs[1], units)} per {per}"
        title = (f"DEA frontier (CRS): {_pretty(outputs[0])} and {_pretty(outputs[1])} per "
                 f"{_pretty(inputs[0])}")

    front = frontier_points(px, py, rts=rts, kind=kind)
    ax = _new_axes(ax)
    if scores is not None:
        colour = pd.to_numeric(scores.reindex(frame.index), errors="coerce").to_numpy(float)
        sc = ax.scatter(px, py, c=colour, cmap="viridis", s=22, vmin=np.nanmin(colour),
                        vmax=1.0, zorder=3)
        ax.figure.colorbar(sc, ax=ax, label="efficiency")
    else:
        ax.scatter(px, py, s=22, zorder=3)
    ax.plot(front[:, 0], front[:, 1], color="black", linewidth=1.2, label="frontier", zorder=2)

    on_frontier = _on_polyline(px, py, front)
    labels = list(frame.index)
    if label == "all":
        chosen = range(len(labels))
    elif label == "none":
        chosen = []
    else:
        order = [i for i in range(len(labels)) if on_frontier[i]]
        if isinstance(label, int) and not isinstance(label, bool):
            order += [i for i in range(len(labels)) if not on_frontier[i]]
            chosen = order[:label]
        elif label == "efficient":
            chosen = order
        else:
            raise InputDataError(
                f"label={label!r} is not allowed; use 'efficient', 'all', 'none' or an int"
            )
    for i in chosen:
        ax.annotate(str(labels[i]), (px[i], py[i]), fontsize="x-small", xytext=(3, 3),
                    textcoords="offset points")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize="medium")
    ax.legend(loc="lower right", fontsize="small")
    _thousands(ax)
    hide_overlapping_labels(ax)
    return ax


def _on_polyline(px: np.ndarray, py: np.ndarray, line: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Whether each point lies on the polyline (within a relative tolerance)."""
    scale = max(float(np.abs(line).max()), 1.0)
    out = np.zeros(len(px), dtype=bool)
    for a, b in itertools.pairwise(line):
        d = b - a
        length2 = float(d @ d)
        if length2 == 0:
            continue
        t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / length2, 0.0, 1.0)
        dist = np.hypot(a[0] + t * d[0] - px, a[1] + t * d[1] - py)
        out |= dist <= tol * scale * 1e3
    return out


def _close(ax: Any) -> None:
    """Close the figure that owns ``ax`` (used by the report writer)."""
    import matplotlib.pyplot as plt

    plt.close(ax.figure)
