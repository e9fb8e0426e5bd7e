"""Compare the scores that several aggregation schemes give the same units.

``compare({"equal": s1, "pca": s2, "bod": s3})`` aligns the scores on their unit labels,
ranks them (rank 1 = best), and measures how much the schemes agree: Spearman and Kendall
rank correlations, mean and maximum absolute rank shifts, top-k overlap and the units whose
rank moves most.  Units that some schemes do not score are reported and left out, so every
number is computed on the same (common) set of units.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from dea.exceptions import InputDataError, format_labels
from weighting.plots import plot_rank_shifts, plot_scatter_matrix

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["Comparison", "MissingUnitsWarning", "compare", "rank_scores"]

_MIN_COMMON = 3


class MissingUnitsWarning(UserWarning):
    """Some units are not scored by every scheme; they are left out of the comparison."""


def rank_scores(scores: pd.DataFrame | pd.Series, higher_is_better: bool = True) -> Any:
    """Rank scores so that rank 1 is the best unit; ties share their average rank.

    Parameters
    ----------
    scores : pandas.Series or pandas.DataFrame
        Scores indexed by unit; a DataFrame is ranked column by column.
    higher_is_better : bool, default True
        Whether a larger score is better.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Float ranks in ``1 .. n`` (NaN scores get NaN ranks), same shape and labels.
    """
    return scores.rank(ascending=not higher_is_better, method="average")


def _as_series(obj: object, name: str, what: str | None = None) -> pd.Series:
    """Turn a scheme's output (Series, one-column DataFrame, result object) into a Series.

    Checked: one column, unique unit labels, numbers, no infinities; ``what`` heads the
    error messages (default ``"scores for scheme <name>"``).  The Series is named ``name``.
    """
    what = what or f"scores for scheme {name!r}"
    if isinstance(obj, pd.DataFrame):
        if obj.shape[1] != 1:
            raise InputDataError(
                f"{what} are a DataFrame with {obj.shape[1]} columns; "
                "pass a Series (or a one-column DataFrame) of scores indexed by unit"
            )
        obj = obj.iloc[:, 0]
    if not isinstance(obj, pd.Series):
        inner = getattr(obj, "scores", None)
        if inner is None:
            inner = getattr(obj, "score", None)
        if isinstance(inner, pd.Series | pd.DataFrame):
            return _as_series(inner, name, what)
        raise InputDataError(
            f"{what} are a {type(obj).__name__}; expected a pandas Series of scores indexed "
            "by unit label (or a result object with a `scores` Series)"
        )
    if not obj.index.is_unique:
        dup = obj.index[obj.index.duplicated()].unique()
        raise InputDataError(
            f"{what} have duplicated unit labels: {format_labels(dup)}; each unit may appear once"
        )
    try:
        values = pd.to_numeric(obj, errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise InputDataError(f"{what} are not numeric ({exc}); only numbers are allowed") from None
    inf = values.index[np.isinf(values.to_numpy())]
    if len(inf):
        raise InputDataError(
            f"{what} are infinite for units {format_labels(inf)}; "
            "scores must be finite (NaN marks a unit the scheme does not score)"
        )
    return values.rename(name)


class Comparison:
    """Agreement between the scores of several schemes on their common units.

    Built by :func:`compare` (not by users); all attributes are pandas objects labelled by
    the user's unit labels and scheme names.

    Attributes
    ----------
    scores : pandas.DataFrame
        Scores on the common units (rows) for each scheme (columns).
    ranks : pandas.DataFrame
        Ranks on the common units, 1 = best, ties averaged.
    spearman, kendall : pandas.DataFrame
        Scheme-by-scheme Spearman rho and Kendall tau-b of the scores.
    rank_shift, max_rank_shift : pandas.DataFrame
        Scheme-by-scheme mean and maximum absolute rank difference over the common units.
    rank_range : pandas.Series
        For each unit, worst minus best rank across schemes.
    missing : pandas.DataFrame
        Boolean table over all units seen (rows) and schemes: True where a scheme gives no
        score (absent or NaN).
    common : pandas.Index
        The units compared (scored by every scheme), in order of first appearance.
    dropped : pandas.Index
        Units left out because at least one scheme does not score them.
    """

    def __init__(
        self,
        scores: pd.DataFrame,
        missing: pd.DataFrame,
        higher_is_better: Mapping[str, bool],
    ) -> None:
        self.scores = scores
        self.missing = missing
        self.higher_is_better = dict(higher_is_better)
        self.common = scores.index
        self.dropped = missing.index[missing.any(axis=1).to_numpy()]
        self.ranks = pd.DataFrame(
            {c: rank_scores(scores[c], self.higher_is_better[c]) for c in scores.columns},
            index=scores.index,
        )
        self.schemes = list(scores.columns)
        r = self.ranks.to_numpy()
        n_s = r.shape[1]
        sp = np.eye(n_s)
        kt = np.eye(n_s)
        mean_shift = np.zeros((n_s, n_s))
        max_shift = np.zeros((n_s, n_s))
        for i in range(n_s):
            for j in range(i + 1, n_s):
                sp[i, j] = sp[j, i] = _pearson(r[:, i], r[:, j])
                kt[i, j] = kt[j, i] = _kendall(r[:, i], r[:, j])
                d = np.abs(r[:, i] - r[:, j])
                mean_shift[i, j] = mean_shift[j, i] = d.mean()
                max_shift[i, j] = max_shift[j, i] = d.max()
        for i in range(n_s):  # a constant scheme has no defined correlation, even with itself
            if np.ptp(r[:, i]) == 0:
                sp[i, i] = kt[i, i] = np.nan
        lab = pd.Index(self.schemes, name="scheme")
        self.spearman = pd.DataFrame(sp, index=lab, columns=lab)
        self.kendall = pd.DataFrame(kt, index=lab, columns=lab)
        self.rank_shift = pd.DataFrame(mean_shift, index=lab, columns=lab)
        self.max_rank_shift = pd.DataFrame(max_shift, index=lab, columns=lab)
        self.rank_range = (self.ranks.max(axis=1) - self.ranks.min(axis=1)).rename("rank_range")

    # ------------------------------------------------------------------ queries
    def top_k(self, k: int) -> dict[str, pd.Index]:
        """Units in each scheme's top ``k`` (rank <= k; units tied at the cut are all in).

        Parameters
        ----------
        k : int
            Size of the top group, ``1 <= k <= n_units``.

        Returns
        -------
        dict of str to pandas.Index
        """
        k = self._check_k(k)
        out = {}
        for c in self.schemes:
            best = self.scores[c].rank(ascending=not self.higher_is_better[c], method="min")
            out[c] = best.index[(best <= k).to_numpy()]
        return out

    def top_k_overlap(self, k: int = 10) -> pd.DataFrame:
        """Share of the top ``k`` that two schemes have in common.

        Parameters
        ----------
        k : int, default 10
            Size of the top group, ``1 <= k <= n_units``.

        Returns
        -------
        pandas.DataFrame
            Scheme by scheme, ``|A & B| / max(|A|, |B|)`` where A, B are the two schemes' top
            groups (``|A| = k`` unless units tie at the cut); 1 on the diagonal.
        """
        tops = self.top_k(k)
        lab = pd.Index(self.schemes, name="scheme")
        out = pd.DataFrame(np.nan, index=lab, columns=lab)
        for a in self.schemes:
            for b in self.schemes:
                inter = len(tops[a].intersection(tops[b]))
                out.loc[a, b] = inter / max(len(tops[a]), len(tops[b]))
        return out

    def movers(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` units whose rank moves most across schemes.

        Parameters
        ----------
        n : int, default 10
            How many units to return (all if larger than the common set).

        Returns
        -------
        pandas.DataFrame
            Indexed by unit: ``best_rank``, ``worst_rank``, ``rank_range``, ``best_scheme``,
            ``worst_scheme`` and the rank under each scheme; sorted by ``rank_range``
            (largest first), ties kept in unit order.

        Raises
        ------
        InputDataError
            If ``n < 1``.
        """
        if n < 1:
            raise InputDataError(f"movers: n={n} is invalid; n must be a positive integer")
        out = pd.DataFrame(
            {
                "best_rank": self.ranks.min(axis=1),
                "worst_rank": self.ranks.max(axis=1),
                "rank_range": self.rank_range,
                "best_scheme": self.ranks.idxmin(axis=1),
                "worst_scheme": self.ranks.idxmax(axis=1),
            }
        )
        out = pd.concat([out, self.ranks.add_prefix("rank_")], axis=1)
        return out.sort_values("rank_range", ascending=False, kind="stable").head(n)

    def pairs(self, k: int | None = None) -> pd.DataFrame:
        """One row per pair of schemes: correlations, rank shifts and top-k overlap.

        Parameters
        ----------
        k : int, optional
            Top group size for the overlap column; default ``min(10, n_units)``.

        Returns
        -------
        pandas.DataFrame
            Indexed by (``scheme_a``, ``scheme_b``) with columns ``spearman``, ``kendall``,
            ``mean_rank_shift``, ``max_rank_shift`` and ``top_<k>_overlap``.
        """
        k = min(10, len(self.common)) if k is None else k
        ov = self.top_k_overlap(k)
        rows = []
        for i, a in enumerate(self.schemes):
            for b in self.schemes[i + 1 :]:
                rows.append(
                    (
                        a,
                        b,
                        self.spearman.loc[a, b],
                        self.kendall.loc[a, b],
                        self.rank_shift.loc[a, b],
                        self.max_rank_shift.loc[a, b],
                        ov.loc[a, b],
                    )
                )
        cols = ["scheme_a", "scheme_b", "spearman", "kendall", "mean_rank_shift",
                "max_rank_shift", f"top_{k}_overlap"]
        return pd.DataFrame(rows, columns=cols).set_index(["scheme_a", "scheme_b"])

    def _check_k(self, k: int) -> int:
        n = len(self.common)
        if not isinstance(k, int | np.integer) or not 1 <= k <= n:
            raise InputDataError(
                f"top-k: k={k!r} is invalid; k must be an integer between 1 and the number "
                f"of common units ({n})"
            )
        return int(k)

    # ------------------------------------------------------------------ plots
    def plot_rank_shifts(
        self, ax: Axes | None = None, highlight: int | list[object] = 5, **kwargs: Any
    ) -> Axes:
        """Rank of every unit under each scheme, one line per unit (a bump chart).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure if omitted.
        highlight : int or list, default 5
            The number of top movers to colour and label, or the unit labels to highlight.
        **kwargs
            Passed to :func:`weighting.plots.plot_rank_shifts`.

        Returns
        -------
        matplotlib.axes.Axes
        """
        if isinstance(highlight, int | np.integer):
            highlight = list(self.movers(max(int(highlight), 1)).index) if highlight else []
        return plot_rank_shifts(self.ranks, ax=ax, highlight=highlight, **kwargs)

    def plot_scatter_matrix(self, ax: Any = None, use_ranks: bool = False, **kwargs: Any) -> Any:
        """Pairwise scatter plots of the schemes' scores (or ranks).

        Parameters
        ----------
        ax : 2-D array of matplotlib Axes, optional
            A square grid with one row and column per scheme; a new figure if omitted.
        use_ranks : bool, default False
            Plot ranks instead of scores.
        **kwargs
            Passed to :func:`weighting.plots.plot_scatter_matrix`.

        Returns
        -------
        numpy.ndarray of matplotlib.axes.Axes
        """
        return plot_scatter_matrix(self.ranks if use_ranks else self.scores, ax=ax, **kwargs)

    # ------------------------------------------------------------------ display
    def summary(self) -> str:
        """Plain-text summary: units compared, units dropped, and the per-pair table.

        Returns
        -------
        str
        """
        lines = [
            f"Comparison of {len(self.schemes)} schemes on {len(self.common)} common units",
            f"schemes: {', '.join(map(str, self.schemes))}",
        ]
        if len(self.dropped):
            per = self.missing.sum(axis=0)
            desc = ", ".join(f"{s}: {int(c)}" for s, c in per.items() if c)
            lines.append(
                f"dropped {len(self.dropped)} units not scored by every scheme "
                f"({format_labels(self.dropped)}); missing per scheme: {desc}"
            )
        with pd.option_context("display.width", 100, "display.precision", 3):
            lines.append(self.pairs().to_string())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = self.summary().split("\n")[:3 if len(self.dropped) else 2]
        paras = "".join(f"<p>{h}</p>" for h in head)
        return paras + self.pairs().to_html(float_format=lambda x: f"{x:.3f}")


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation; NaN when either vector is constant (no warning)."""
    da = a - a.mean()
    db = b - b.mean()
    den = np.sqrt((da * da).sum() * (db * db).sum())
    return float((da * db).sum() / den) if den > 0 else float("nan")


def _kendall(a: np.ndarray, b: np.ndarray) -> float:
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.kendalltau(a, b).statistic)


def compare(
    scores: Mapping[str, object] | pd.DataFrame,
    *,
    higher_is_better: bool | Mapping[str, bool] = True,
    warn_missing: bool = True,
) -> Comparison:
    """Compare the scores several schemes give the same units.

    Parameters
    ----------
    scores : mapping of scheme name to pandas.Series, or pandas.DataFrame
        Each scheme's scores indexed by unit label (a result object with a ``scores`` Series
        is accepted too); or one DataFrame with a column per scheme.  NaN means "not scored".
    higher_is_better : bool or mapping of scheme name to bool, default True
        Direction of each scheme's scores.
    warn_missing : bool, default True
        Emit a :class:`MissingUnitsWarning` when some units are not scored by every scheme.

    Returns
    -------
    Comparison
        Aligned scores and ranks, correlation and rank-shift matrices, top-k overlap, movers.

    Raises
    ------
    InputDataError
        Fewer than two schemes; non-numeric, infinite or duplicated-label scores; fewer than
        three units scored by every scheme (the message names the schemes).

    Notes
    -----
    Ranks are computed on the common units only, 1 = best, ties sharing their average rank.
    Spearman's rho is the Pearson correlation of these ranks; Kendall's tau is tau-b
    (``scipy.stats.kendalltau``).  For schemes :math:`a, b` over :math:`n` common units, the
    mean absolute rank shift is :math:`\\frac1n\\sum_i |r_i^a - r_i^b|` and the maximum is
    :math:`\\max_i |r_i^a - r_i^b|`.  These follow the robustness checks recommended for
    composite indicators in OECD/JRC (2008), section 1.7.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
    Guide*. OECD Publishing, Paris.
    """
    if isinstance(scores, pd.DataFrame):
        scores = {c: scores[c] for c in scores.columns}
    if not isinstance(scores, Mapping):
        raise InputDataError(
            f"compare: scores is a {type(scores).__name__}; pass a dict {{scheme name: Series}} "
            "or a DataFrame with one column per scheme"
        )
    if len(scores) < 2:
        raise InputDataError(
            f"compare: {len(scores)} scheme(s) given ({format_labels(scores)}); "
            "at least two are needed"
        )
    series = {name: _as_series(obj, name) for name, obj in scores.items()}
    if isinstance(higher_is_better, Mapping):
        unknown = set(higher_is_better) - set(series)
        if unknown:
            raise InputDataError(
                f"compare: higher_is_better names unknown schemes {format_labels(unknown)}; "
                f"allowed: {format_labels(series)}"
            )
        hib = {n: bool(higher_is_better.get(n, True)) for n in series}
    else:
        hib = dict.fromkeys(series, bool(higher_is_better))
    indexes = [s.index for s in series.values()]
    all_units = indexes[0]
    for idx in indexes[1:]:
        all_units = all_units.append(idx[~idx.isin(all_units)])
    wide = pd.DataFrame({n: s.reindex(all_units) for n, s in series.items()}, index=all_units)
    missing = wide.isna()
    common_mask = ~missing.any(axis=1).to_numpy()
    n_common = int(common_mask.sum())
    if n_common < _MIN_COMMON:
        raise InputDataError(
            f"compare: only {n_common} unit(s) are scored by all schemes "
            f"({format_labels(series, limit=10)}); at least {_MIN_COMMON} common units are "
            "needed"
        )
    if warn_missing and not common_mask.all():
        per = missing.sum(axis=0)
        desc = "; ".join(
            f"{name!r} lacks {format_labels(all_units[missing[name].to_numpy()])}"
            for name in per.index[per.to_numpy() > 0]
        )
        warnings.warn(
            f"compare: {int((~common_mask).sum())} units are not scored by every scheme and are "
            f"left out ({desc}); comparing the {n_common} common units",
            MissingUnitsWarning,
            stacklevel=2,
        )
    return Comparison(wide.loc[common_mask].copy(), missing, hib)
