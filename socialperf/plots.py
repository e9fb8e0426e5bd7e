"""Figures for socialperf reports: MIV profiles, scheme-against-scheme ranks, DEA frontiers.

Every function takes ``ax=None`` (a new figure is made when none is given) and returns
the :class:`matplotlib.axes.Axes` it drew on.  matplotlib is imported lazily, inside the
functions, so ``import socialperf`` stays light and works on machines without a display
(the report writer selects the non-interactive Agg backend before it draws).
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dea.exceptions import InputDataError, format_labels
from socialperf.mfi import DEFAULT_RTS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "dea_frontier",
    "frontier_points",
    "hide_overlapping_labels",
    "miv_profile",
    "productivity_by_year",
    "scheme_ranks",
    "use_log_axes",
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
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
    for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        axis.set_major_formatter(fmt)
        if axis.get_scale() == "log":  # label minor ticks only on a short (< 20x) log axis
            lo, hi = sorted(limits)
            axis.set_minor_formatter(fmt if hi < 20 * lo else NullFormatter())


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
    from matplotlib.text import Text

    renderer = ax.figure.canvas.get_renderer()
    kept: list[Any] = []
    hidden = 0
    for t in texts:
        if hasattr(t, "update_positions"):  # an annotation: place its text first
            t.update_positions(renderer)
        b = Text.get_window_extent(t, renderer=renderer)  # the text, not an arrow with it
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
    x: np.ndarray, y: np.ndarray, *, rts: str = DEFAULT_RTS, kind: str = "io"
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


#: ``log="auto"`` draws log axes when the positive data of an axis span more than this ratio
LOG_AUTO_SPAN = 100.0


def use_log_axes(x: np.ndarray, y: np.ndarray, log: bool | str = "auto") -> bool:
    """Whether :func:`dea_frontier` draws log axes for these coordinates.

    Parameters
    ----------
    x, y : array_like
        The plotted coordinates of the units.
    log : bool or "auto", default "auto"
        ``True``/``False`` force the choice; ``"auto"`` picks log axes when every value is
        positive and the values on either axis span more than :data:`LOG_AUTO_SPAN`
        (two orders of magnitude), i.e. :math:`\\max v / \\min v > 100`.

    Returns
    -------
    bool

    Raises
    ------
    InputDataError
        If ``log`` is not True, False or "auto", or ``log=True`` with a value that is not
        positive (a log axis cannot show it).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    positive = bool((x > 0).all() and (y > 0).all())
    if isinstance(log, bool):
        if log and not positive:
            raise InputDataError(
                "dea_frontier: log=True needs positive coordinates, but some units have a "
                "zero input or output; use log=False or 'auto'"
            )
        return log
    if log != "auto":
        raise InputDataError(f"log={log!r} is not allowed; use True, False or 'auto'")
    if not positive or x.size == 0:
        return False
    return bool(max(x.max() / x.min(), y.max() / y.min()) > LOG_AUTO_SPAN)


def _limits(v: np.ndarray, log: bool) -> tuple[float, float]:
    """Axis limits around the values ``v``: from 0 (linear) or padded by 5% of the span in
    log space, at least a factor 1.25 (log)."""
    hi = float(v.max())
    if not log:
        return 0.0, hi * 1.05 if hi > 0 else 1.0
    lo = float(v.min())
    pad = max((hi / lo) ** 0.05, 1.25)
    return lo / pad, hi * pad


def _dense(points: np.ndarray, n: int = 120) -> np.ndarray:
    """Sample every sloped segment of a polyline densely, evenly in log x.

    On log axes a straight segment :math:`y = a + b x` with :math:`a \\ne 0` is a curve,
    so it is drawn through ``n`` points with geometrically spaced x; vertical and
    horizontal segments stay straight and keep their two end points.
    """
    out = [points[:1]]
    for a, b in itertools.pairwise(points):
        if a[0] != b[0] and a[1] != b[1] and a[0] > 0 and b[0] > 0:
            xs = np.geomspace(a[0], b[0], n)[1:]
            ys = a[1] + (b[1] - a[1]) * (xs - a[0]) / (b[0] - a[0])
            xs[-1], ys[-1] = b  # end exactly on the vertex (a unit)
            out.append(np.column_stack([xs, ys]))
        else:
            out.append(b[None, :])
    return np.vstack(out)


def _drawn_frontier(front: np.ndarray, kind: str, rts: str, xlim: tuple[float, float],
                    ylim: tuple[float, float], log: bool) -> np.ndarray:
    """The frontier of :func:`frontier_points` as drawn in the plotted region.

    The free-disposal segments run to the edges of the axes: VRS, the vertical segment
    down from the smallest-input efficient unit to the bottom edge and the horizontal one
    right of the largest efficient unit to the right edge; the CRS ray spans the x range;
    two outputs, the horizontal and vertical segments to the left and bottom edges.  On
    log axes sloped segments are sampled densely (see :func:`_dense`).
    """
    line = front.astype(float).copy()
    if kind == "io" and rts == "crs":
        slope = line[1, 1] / line[1, 0]
        xs = np.geomspace(*xlim, 200) if log else np.array(xlim)
        return np.column_stack([xs, slope * xs])
    if kind == "io":  # vertical down to the bottom edge, horizontal to the right edge
        line[0, 1] = ylim[0]
        line[-1, 0] = max(xlim[1], line[-2, 0])
    else:  # two outputs: to the left and bottom edges
        line[0, 0] = xlim[0]
        line[-1, 1] = ylim[0]
    return _dense(line) if log else line


def _name_lookup(data: pd.DataFrame, names: pd.Series | Mapping[Any, Any] | str | None
                 ) -> Callable[[Any], str]:
    """Unit label -> text of its point label: the name if known, else the label."""
    if names is None:
        return str
    if isinstance(names, str):
        _require_columns(data, [names], "dea_frontier: names")
        table: Mapping[Any, Any] = data[names]
    else:
        table = names
    lookup = {str(k): v for k, v in dict(table).items() if pd.notna(v) and str(v).strip()}

    def name(label: Any) -> str:
        text = str(lookup.get(str(label), label))
        return text if len(text) <= 24 else text[:23] + "\N{HORIZONTAL ELLIPSIS}"

    return name


def dea_frontier(
    data: pd.DataFrame,
    *,
    inputs: Sequence[str],
    outputs: Sequence[str],
    rts: str = DEFAULT_RTS,
    scores: pd.Series | None = None,
    units: Mapping[str, str] | None = None,
    label: str | int = "efficient",
    names: pd.Series | Mapping[Any, Any] | str | None = None,
    log: bool | str = "auto",
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
        Which points get a label: those on the frontier, all, none, or at most this many
        (the frontier units first).
    names : pandas.Series, mapping or str, optional
        Display names of the units (unit label -> name), or the name of a column of
        ``data`` holding them; point labels show the name (shortened to 24 characters),
        or the unit label where no name is given.
    log : bool or "auto", default "auto"
        Log scale on both axes; ``"auto"`` chooses it when the data span more than two
        orders of magnitude (see :func:`use_log_axes`), so that a few very large units do
        not crush the others into a corner.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputDataError
        If the model is not one of the two drawable shapes, a column is missing or not
        numeric, two outputs are asked with ``rts="vrs"``, ``log`` is not allowed, or
        ``log=True`` with a zero coordinate.

    Notes
    -----
    The frontier is computed by :func:`frontier_points` (see there for the technology)
    and drawn to the edges of the plotted region: for VRS, the vertical free-disposal
    segment runs from the smallest-input efficient unit down to the bottom edge and the
    horizontal one from the first unit with the largest output to the right edge.  On log
    axes the straight frontier segments :math:`y = a + b x` are curves and are drawn
    through densely sampled points; the CRS ray :math:`y = s x` is a line of slope one.
    Units whose score is 1 (within 1e-6) lie on the frontier.
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
    use_log = use_log_axes(px, py, log)
    name_of = _name_lookup(data, names)
    ax = _new_axes(ax)
    if scores is not None:
        colour = pd.to_numeric(scores.reindex(frame.index), errors="coerce").to_numpy(float)
        sc = ax.scatter(px, py, c=colour, cmap="viridis", s=22, vmin=np.nanmin(colour),
                        vmax=1.0, zorder=3)
        ax.figure.colorbar(sc, ax=ax, label="efficiency")
    else:
        ax.scatter(px, py, s=22, zorder=3)
    if use_log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    xlim, ylim = _limits(px, use_log), _limits(py, use_log)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    drawn = _drawn_frontier(front, kind, rts, xlim, ylim, use_log)
    ax.plot(drawn[:, 0], drawn[:, 1], color="black", linewidth=1.2, label="frontier",
            zorder=2)
    ax.set_xlim(*xlim)  # the frontier's edge segments must not widen the axes
    ax.set_ylim(*ylim)

    on_frontier = _on_polyline(px, py, front)
    if scores is not None:
        s = pd.to_numeric(scores.reindex(frame.index), errors="coerce").to_numpy(float)
        on_frontier = on_frontier | (s >= 1 - 1e-6)
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
    ax.set_xlabel(xlabel + (" (log scale)" if use_log else ""))
    ax.set_ylabel(ylabel + (" (log scale)" if use_log else ""))
    ax.set_title(title, fontsize="medium")
    ax.legend(loc="lower right", fontsize="small")
    _thousands(ax)
    _place_labels(ax, [(name_of(labels[i]), px[i], py[i]) for i in chosen])
    return ax


#: offsets (points) and horizontal alignment tried in turn for a point label
_LABEL_SPOTS = ((3, 3, "left"), (3, -9, "left"), (-3, 3, "right"), (-3, -9, "right"))


def _place_labels(ax: Axes, items: Sequence[tuple[str, float, float]]) -> int:
    """Annotate points, each at the first spot around it that overlaps no earlier label
    and stays inside the axes; a label with no free spot is hidden.

    Returns
    -------
    int
        The number of labels hidden.
    """
    if not items:
        return 0
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer=renderer)
    kept: list[Any] = []
    hidden = 0
    for text, x, y in items:
        spots = _LABEL_SPOTS
        if ax.transAxes.inverted().transform(ax.transData.transform((x, y)))[0] > 0.75:
            spots = _LABEL_SPOTS[2:] + _LABEL_SPOTS[:2]  # right part: try the left side first
        for dx, dy, ha in spots:
            t = ax.annotate(text, (x, y), fontsize="x-small", xytext=(dx, dy),
                            textcoords="offset points", ha=ha)
            box = t.get_window_extent(renderer=renderer).padded(1.0)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(k) for k in kept):
                kept.append(box)
                break
            t.remove()
        else:
            hidden += 1
    return hidden


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


def productivity_by_year(by_year: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Productivity change by year: geometric means of the Malmquist index and its parts.

    Parameters
    ----------
    by_year : DataFrame
        :attr:`socialperf.productivity.ProductivityResult.by_year` (columns
        ``<part>_gmean``, ``malmquist_q1``, ``malmquist_q3``), indexed by the later year.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    _require_columns(by_year, ["malmquist_gmean", "malmquist_q1", "malmquist_q3"],
                     "productivity_by_year")
    ax = _new_axes(ax, figsize=(7.0, 4.5))
    x = np.asarray(by_year.index, dtype=float)
    ax.fill_between(x, by_year["malmquist_q1"], by_year["malmquist_q3"], alpha=0.2,
                    color="C0", label="Malmquist, interquartile range")
    labels = {"malmquist": "Malmquist index", "effch": "efficiency change",
              "techch": "technical change", "sech": "scale change"}
    for k, (part, label) in enumerate(labels.items()):
        col = f"{part}_gmean"
        if col in by_year.columns:
            ax.plot(x, by_year[col], marker="o" if part == "malmquist" else ".",
                    lw=2 if part == "malmquist" else 1, color=f"C{k}", label=label)
    ax.axhline(1.0, color="0.4", lw=0.8, ls="--")
    ax.set_xlabel("year (compared with the year before, or with the base year)")
    ax.set_ylabel("change (1 = none; geometric mean over MFIs)")
    ax.set_xticks(x)
    ax.set_xticklabels([str(int(v)) for v in x], rotation=45 if len(x) > 8 else 0)
    ax.legend(fontsize="small")
    return ax
