"""Microfinance investment vehicles: holdings graph, look-through exposure and the MIV index.

An MIV's social performance has two blocks (Meyer & Krauss 2015, sections 4-5):

* the **portfolio block**, the scores of the MFIs it finances, aggregated through its
  holdings; funds of funds are looked through to the MFIs at the end of every chain;
* the **MIV block**, indicators of the vehicle itself (mission, policies, reporting, ...).

The index is ``w * portfolio + (1 - w) * block``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialperf._display import _SummaryRepr
from socialperf.catalogue import load_catalogue
from socialperf.exceptions import (
    HoldingsCycleError,
    InputDataError,
    LowCoverageWarning,
    MissingBlockWarning,
    MissingIndicatorWarning,
    format_labels,
)
from socialperf.io import (
    _id_string,
    read_fx_rates,
    read_table,
    validate_holdings,
    validate_miv_indicators,
)
from weighting.aggregate import ArithmeticMean
from weighting.weights import EqualWeights

__all__ = [
    "Holdings",
    "HoldingsGraph",
    "MIVScores",
    "look_through",
    "miv_index",
    "read_holdings",
    "score_miv_block",
    "score_mivs",
]

LOG = logging.getLogger(__name__)
METHODS = ("exposure", "equal", "top_quartile")
UNCOVERED_RULES = ("renormalise", "zero", "exclude")


class HoldingsGraph:
    """Holdings as a weighted directed acyclic graph: holder -> held, edge ``share``.

    Parameters
    ----------
    graph : networkx.DiGraph
        Edges holder -> held with attribute ``amount`` (> 0, one currency). Node attribute
        ``kind`` is ``"MIV"`` for holders and ``"MFI"`` for the rest. Must be acyclic.

    Attributes
    ----------
    graph : networkx.DiGraph
        A copy, with edge attribute ``share`` = amount / holder's total added.
    mivs : list of str
        Holders, sorted.
    mfis : list of str
        Nodes that hold nothing (the MFIs), sorted.

    Notes
    -----
    With direct shares :math:`s_{hx} = a_{hx} / \\sum_y a_{hy}`, the look-through exposure
    of vehicle :math:`h` to MFI :math:`m` is the sum over all holding chains
    :math:`h = v_0 \\to v_1 \\to \\dots \\to v_k = m` of :math:`\\prod_i s_{v_{i-1} v_i}`,
    computed as :math:`E_h = \\sum_x s_{hx} E_x` in reverse topological order with
    :math:`E_m = e_m` for an MFI. Each row of :math:`E` sums to one.
    """

    def __init__(self, graph: nx.DiGraph) -> None:
        g = graph.copy()
        if not nx.is_directed_acyclic_graph(g):
            cycle = [e[0] for e in nx.find_cycle(g)]
            cycle.append(cycle[0])
            raise HoldingsCycleError(
                f"holdings graph has a cycle {' -> '.join(map(str, cycle))}", cycle
            )
        for h in g.nodes:
            out = list(g.out_edges(h, data="amount"))
            total = float(sum(a for _, _, a in out))
            for _, x, a in out:
                g.edges[h, x]["share"] = float(a) / total
        self.graph = g
        self.mivs = sorted(n for n in g.nodes if g.out_degree(n) > 0)
        self.mfis = sorted(n for n in g.nodes if g.out_degree(n) == 0)

    def direct_shares(self) -> pd.DataFrame:
        """Holder x held table of direct shares (rows sum to one)."""
        cols = self.mivs + self.mfis
        out = pd.DataFrame(0.0, index=pd.Index(self.mivs, name="miv"), columns=cols)
        for h, x, s in self.graph.edges(data="share"):
            out.loc[h, x] = s
        return out

    def look_through(self) -> pd.DataFrame:
        """MIV x MFI look-through exposure shares (see the class Notes).

        Returns
        -------
        pd.DataFrame
            Rows: MIVs; columns: MFIs (sorted); each row sums to one.
        """
        col = {m: i for i, m in enumerate(self.mfis)}
        exp: dict[str, np.ndarray] = {}
        for node in reversed(list(nx.topological_sort(self.graph))):
            if node in col:
                v = np.zeros(len(self.mfis))
                v[col[node]] = 1.0
                exp[node] = v
                continue
            v = np.zeros(len(self.mfis))
            for _, x, s in self.graph.out_edges(node, data="share"):
                v += s * exp[x]
            exp[node] = v
        data = np.vstack([exp[h] for h in self.mivs]) if self.mivs else np.empty((0, 0))
        return pd.DataFrame(
            data, index=pd.Index(self.mivs, name="miv"), columns=pd.Index(self.mfis, name="mfi")
        )

    def chains(self, miv: str) -> list[list[str]]:
        """All holding chains from ``miv`` down to MFIs (lists of node labels)."""
        if miv not in self.mivs:
            raise InputDataError(f"{miv!r} is not a holder in the holdings graph")
        return [
            p for m in self.mfis for p in nx.all_simple_paths(self.graph, miv, m)
        ]

    def depth(self) -> pd.Series:
        """Longest chain length from each MIV to an MFI (1 = direct holdings only)."""
        lengths = {}
        for node in reversed(list(nx.topological_sort(self.graph))):
            succ = list(self.graph.successors(node))
            lengths[node] = 0 if not succ else 1 + max(lengths[s] for s in succ)
        return pd.Series({m: lengths[m] for m in self.mivs}, name="depth", dtype=int)


class Holdings:
    """Validated holdings of MIVs in MFIs and in other MIVs, in one currency.

    Parameters
    ----------
    table : pd.DataFrame
        Columns holder, held, amount[, currency, date] (see
        :func:`socialperf.io.validate_holdings`). Not modified.
    mfis : DataFrame, Index or list, optional
        Known MFIs, to reject unknown ``held`` labels.
    fx_rates : DataFrame or dict, optional
        Exchange rates for non-base currencies.
    base_currency : str, default "USD"
    date : str, optional
        Which date to keep when the table has several.

    Attributes
    ----------
    table : pd.DataFrame
        The validated positions (amounts in the base currency; ``amount_original`` kept).
    graph : HoldingsGraph
    base_currency : str
    date : str or None

    Raises
    ------
    HoldingsError, HoldingsCycleError
        See :func:`socialperf.io.validate_holdings`.
    """

    def __init__(
        self,
        table: pd.DataFrame,
        *,
        mfis: pd.DataFrame | pd.Index | list[str] | None = None,
        fx_rates: pd.DataFrame | Mapping[str, float] | None = None,
        base_currency: str = "USD",
        date: str | None = None,
    ) -> None:
        self.table = validate_holdings(
            table,
            mfis=mfis,
            fx_rates=dict(fx_rates) if isinstance(fx_rates, Mapping) else fx_rates,
            base_currency=base_currency,
            date=date,
        )
        self.base_currency = base_currency.upper()
        dates = self.table["date"].unique() if "date" in self.table.columns else []
        self.date = str(dates[0]) if len(dates) == 1 else None
        g = nx.DiGraph()
        for row in self.table.itertuples(index=False):
            g.add_edge(row.holder, row.held, amount=float(row.amount))
        for n in g.nodes:
            g.nodes[n]["kind"] = "MIV" if g.out_degree(n) > 0 else "MFI"
        self.graph = HoldingsGraph(g)

    @property
    def mivs(self) -> list[str]:
        """MIV labels (holders), sorted."""
        return self.graph.mivs

    @property
    def mfis(self) -> list[str]:
        """MFI ids reached by some chain, sorted."""
        return self.graph.mfis

    @property
    def year(self) -> int | None:
        """Fiscal year of the holdings date (``None`` without a date)."""
        if self.date is None:
            return None
        try:
            return int(pd.Timestamp(self.date).year)
        except ValueError:
            return None

    def totals(self) -> pd.Series:
        """Total amount held by each MIV, in the base currency."""
        return self.table.groupby("holder")["amount"].sum().rename("total")

    def look_through(self) -> pd.DataFrame:
        """MIV x MFI look-through exposure shares (see :class:`HoldingsGraph`)."""
        return self.graph.look_through()

    def __repr__(self) -> str:
        return (
            f"Holdings({len(self.table)} positions, {len(self.mivs)} MIVs, {len(self.mfis)} "
            f"MFIs, {self.base_currency}, date={self.date!r})"
        )


def read_holdings(
    source: str | Path | pd.DataFrame,
    *,
    mfis: pd.DataFrame | pd.Index | list[str] | None = None,
    fx_rates: str | Path | pd.DataFrame | dict[str, float] | None = None,
    base_currency: str = "USD",
    date: str | None = None,
    sheet_name: str | int = 0,
) -> Any:
    """Read holdings (CSV/Excel/DataFrame), validate them and build a :class:`Holdings`.

    Parameters
    ----------
    source : str, Path or DataFrame
        Columns holder, held, amount[, currency, date].
    mfis, base_currency, date
        See :func:`validate_holdings`.
    fx_rates : str, Path, DataFrame or dict, optional
        Exchange rates (file or table, see :func:`validate_fx_rates`).
    sheet_name : str or int, default 0
        Excel sheet.

    Returns
    -------
    socialperf.miv.Holdings

    Raises
    ------
    HoldingsError, HoldingsCycleError
        See :func:`validate_holdings`.
    """
    rates = None
    if fx_rates is not None:
        rates = read_fx_rates(fx_rates)
    return Holdings(
        read_table(source, sheet_name=sheet_name),
        mfis=mfis,
        fx_rates=rates,
        base_currency=base_currency,
        date=date,
    )


def look_through(holdings: Holdings | pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Look-through exposure: the share of each MIV's total invested (through any chain of
    funds of funds) in each MFI.

    Parameters
    ----------
    holdings : Holdings or DataFrame
        A :class:`Holdings`, or a table accepted by it.
    **options
        Passed to :class:`Holdings` when a table is given (``mfis``, ``fx_rates``, ...).

    Returns
    -------
    pd.DataFrame
        MIV x MFI exposure shares; every row sums to one.

    Raises
    ------
    HoldingsError, HoldingsCycleError
        For invalid holdings.

    Notes
    -----
    :math:`E_{hm} = \\sum_{\\text{chains } h \\to m} \\prod s_{v_{i-1} v_i}` with
    :math:`s_{hx} = a_{hx} / \\sum_y a_{hy}`; see :class:`HoldingsGraph`.
    """
    h = holdings if isinstance(holdings, Holdings) else Holdings(holdings, **options)
    return h.look_through()


# -------------------------------------------------------------------------------------------
# the MIV block
# -------------------------------------------------------------------------------------------
def score_miv_block(
    miv_indicators: pd.DataFrame,
    *,
    catalogue: Any = None,
    weights: Mapping[str, float] | pd.Series | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Score the MIV-level indicators: point maps / shares, then a weighted mean.

    Parameters
    ----------
    miv_indicators : pd.DataFrame
        One row per MIV (see :func:`socialperf.io.validate_miv_indicators`).
    catalogue : Catalogue, optional
        Default: the bundled catalogue.
    weights : mapping, Series or weighting.Scheme, optional
        Indicator -> weight. Default: equal weights per SPTF dimension, equal within a
        dimension (``weighting.weights.EqualWeights(groups=...)``). A ``weighting.Scheme``
        (built on MIV-level indicators) is applied to the raw table instead (its
        ``.score(data).scores``; categories as labels, named by indicator).

    Returns
    -------
    (pd.Series, pd.DataFrame)
        The block score per MIV in [0, 1], and the per-indicator points.

    Raises
    ------
    InputDataError
        See :func:`socialperf.io.validate_miv_indicators`; weights naming unknown indicators.

    Warns
    -----
    MissingIndicatorWarning
        Once, naming the MIVs with a missing positive-weight indicator (and some other
        indicator given) and those indicators; their weights are rescaled as in the Notes.
        An MIV with every indicator missing gets NaN (``score_mivs`` excludes it).

    Notes
    -----
    Categorical indicators are scored by their catalogue point map (points in [0, 1]);
    metric ones are shares in [0, 1] taken as they are (goalposts 0 and 1); lower-is-better
    indicators are reflected. Missing indicators are left out (with a warning) and the
    weights of the others rescaled:
    :math:`B_h = \\sum_{j \\in J_h} w_j p_{hj} / \\sum_{j \\in J_h} w_j`.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    df = validate_miv_indicators(miv_indicators, catalogue=cat)
    specs = [s for s in cat if s.level == "MIV" and s.source in df.columns]
    pts = {}
    for s in specs:
        if s.is_metric:
            v = df[s.source].astype(float).clip(0.0, 1.0)
            pts[s.name] = v if s.sign > 0 else 1.0 - v
        else:
            p = s.points(df[s.source])
            pts[s.name] = p if s.sign > 0 else 1.0 - p
    points = pd.DataFrame(pts, index=df.index)
    if hasattr(weights, "score"):
        raw = pd.DataFrame({s.name: df[s.source] for s in specs}, index=df.index)
        res = weights.score(raw)
        return getattr(res, "scores", res).astype(float).rename("block"), points
    if weights is None:
        w = EqualWeights(groups={s.name: s.dimension for s in specs}).fit(points).weights_
    else:
        w = pd.Series(dict(weights) if isinstance(weights, Mapping) else weights,
                      dtype=float)  # type: ignore[arg-type]
        unknown = [k for k in w.index if k not in points.columns]
        if unknown:
            raise InputDataError(
                f"MIV block weights name {format_labels(unknown)}, which are not MIV indicators "
                f"of the data; known: {format_labels(list(points.columns), limit=10)}"
            )
        if (w < 0).any() or w.sum() <= 0:
            raise InputDataError("MIV block weights must be >= 0 with a positive sum")
        w = w.reindex(points.columns).fillna(0.0)
        w = w / w.sum()
    mask = points.notna().to_numpy()
    num = np.nansum(points.to_numpy() * w.to_numpy(), axis=1)
    den = (mask * w.to_numpy()).sum(axis=1)
    _warn_reweighted(points, mask, w.to_numpy(), den)
    score = pd.Series(np.where(den > 0, num / np.where(den > 0, den, 1), np.nan),
                      index=points.index, name="block")
    return score, points


def _warn_reweighted(
    points: pd.DataFrame, mask: np.ndarray, w: np.ndarray, den: np.ndarray
) -> None:
    """One :class:`MissingIndicatorWarning` naming the MIVs whose block was re-weighted
    (some positive-weight indicator missing, some given) and the indicators concerned."""
    gap = ~mask & (w > 0)[None, :] & (den > 0)[:, None]
    if not gap.any():
        return
    rows, cols = gap.any(axis=1), gap.any(axis=0)
    warnings.warn(
        f"MIVs {format_labels(points.index[rows])} lack MIV-level indicators "
        f"{format_labels(points.columns[cols])}; their block is the weighted mean of the "
        "indicators given, the other weights rescaled to sum to one. Give the values to "
        "score them on every indicator",
        MissingIndicatorWarning,
        stacklevel=3,
    )


# -------------------------------------------------------------------------------------------
# MIV scores
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class MIVScores(_SummaryRepr):
    """Scores of microfinance investment vehicles.

    Attributes
    ----------
    index : pd.Series
        ``w * portfolio + (1 - w) * block`` per MIV (NaN for excluded MIVs).
    portfolio : pd.Series
        Portfolio block: aggregated MFI scores.
    block : pd.Series
        MIV-level block (NaN if no MIV indicators were given).
    coverage : pd.Series
        Share of each MIV's look-through exposure in MFIs with a score.
    exposures : pd.DataFrame
        MIV x MFI look-through exposure shares.
    details : pd.DataFrame
        Per MIV: portfolio, block, index, coverage, n_mfis, n_scored, below_threshold,
        and the method, rule and w used.
    excluded : pd.Series
        MIV -> reason, for MIVs without an index.
    block_points : pd.DataFrame or None
        Points of each MIV-level indicator.
    w : float
    method : str
    uncovered : str
    """

    index: pd.Series
    portfolio: pd.Series
    block: pd.Series
    coverage: pd.Series
    exposures: pd.DataFrame = field(repr=False)
    details: pd.DataFrame = field(repr=False)
    excluded: pd.Series = field(repr=False)
    block_points: pd.DataFrame | None = field(default=None, repr=False)
    w: float = 0.5
    method: str = "exposure"
    uncovered: str = "renormalise"

    def summary(self) -> pd.DataFrame:
        """The details table sorted by index (best first)."""
        return self.details.sort_values("index", ascending=False)

    def _headline(self) -> str:
        return (f"MIVScores({len(self.index)} MIVs, method={self.method!r}, "
                f"uncovered={self.uncovered!r}, w={self.w})")


def _mfi_series(mfi_scores: Any, year: int | None) -> pd.Series:
    s = getattr(mfi_scores, "scores", mfi_scores)
    if isinstance(s, pd.DataFrame):
        if s.shape[1] != 1:
            raise InputDataError(
                "mfi_scores is a table with several columns; pass one column (one scheme)"
            )
        s = s.iloc[:, 0]
    if not isinstance(s, pd.Series):
        raise InputDataError(
            f"mfi_scores must be MFIScores or a Series indexed by MFI id, got {type(s).__name__}"
        )
    if isinstance(s.index, pd.MultiIndex):
        years = s.index.get_level_values(-1)
        if year is None:
            raise InputDataError(
                "mfi_scores has several years (index MFI x year); pass year= (default: the "
                "year of the holdings date, which these holdings do not have)"
            )
        if year not in set(years):
            raise InputDataError(
                f"mfi_scores has no scores for year {year}; years are "
                f"{format_labels(sorted(set(years)), limit=10)}"
            )
        s = s.xs(year, level=-1)
    s = pd.to_numeric(s, errors="coerce").astype(float)
    s.index = pd.Index([_id_string(i) for i in s.index], name="mfi")
    if s.index.has_duplicates:
        raise InputDataError(
            f"mfi_scores lists MFIs {format_labels(s.index[s.index.duplicated()].unique())} twice"
        )
    return s


def _portfolio(
    E: np.ndarray, sv: np.ndarray, universe: np.ndarray, method: str, uncovered: str
) -> tuple[np.ndarray, np.ndarray]:
    """Portfolio block of every MIV (before exclusions) and its covered weight.

    ``E`` is MIV x MFI look-through exposure, ``sv`` the MFI scores in ``E``'s column order
    (NaN = unscored), ``universe`` the finite scores the top quartile is taken over.  See
    :func:`score_mivs` for the formulas.
    """
    covered = np.isfinite(sv)
    if method == "top_quartile":
        q75 = float(np.quantile(universe, 0.75))
        vals = np.where(covered, (np.nan_to_num(sv) >= q75).astype(float), 0.0)
    else:
        vals = np.where(covered, np.nan_to_num(sv), 0.0)
    if method == "equal":
        held = E > 0
        weights = held / np.maximum(held.sum(axis=1), 1)[:, None]
    else:
        weights = E
    covered_w = (weights * covered).sum(axis=1)
    total = (weights * vals).sum(axis=1)
    if uncovered == "zero":
        return total, covered_w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(covered_w > 0, total / covered_w, np.nan), covered_w


def _drop_uncovered(
    port: np.ndarray, covered_w: np.ndarray, below: np.ndarray, uncovered: str
) -> np.ndarray:
    """NaN for MIVs with no scored exposure (unless rule "zero") or, under rule "exclude",
    coverage below the threshold."""
    if uncovered == "zero":
        return port
    drop = covered_w <= 0
    if uncovered == "exclude":
        drop = drop | below
    return np.where(drop, np.nan, port)


def miv_index(
    portfolio: pd.Series, block: pd.Series, w: float | Any
) -> pd.Series | pd.DataFrame:
    """The MIV index: a two-dimension composite of the portfolio and MIV blocks.

    Parameters
    ----------
    portfolio : pd.Series
        Portfolio block :math:`P_h` per MIV.
    block : pd.Series
        MIV block :math:`B_h` per MIV (same MIVs; NaN where an MIV has none).
    w : float or 1-D array-like
        Weight of the portfolio block, in [0, 1]; an array gives one run per weight (a
        sensitivity analysis), all computed at once.

    Returns
    -------
    pd.Series or pd.DataFrame
        ``index`` per MIV for a scalar ``w``; runs x MIVs for an array. NaN where a block
        with positive weight is missing (no re-weighting onto the other block).

    Raises
    ------
    InputDataError
        A weight outside [0, 1], or blocks over different MIVs.

    Notes
    -----
    :math:`I_h = w P_h + (1 - w) B_h`, the weighted arithmetic mean of the two dimensions
    with weights :math:`(w, 1 - w)` (:meth:`weighting.ArithmeticMean.aggregate_runs`):
    ``w = 1`` is the portfolio block alone, ``w = 0`` the MIV block alone.

    References
    ----------
    Meyer, J. & Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich,
    section 5.
    """
    if not portfolio.index.equals(block.index):
        raise InputDataError(
            "miv_index: the portfolio and MIV blocks must be indexed by the same MIVs"
        )
    ws = np.atleast_1d(np.asarray(w, dtype=float))
    if ws.ndim != 1 or not np.all((ws >= 0.0) & (ws <= 1.0)):
        raise InputDataError(f"w (weight of the portfolio block) must be in [0, 1], got {w!r}")
    X = np.column_stack([portfolio.to_numpy(dtype=float), block.to_numpy(dtype=float)])
    W = np.column_stack([ws, 1.0 - ws])
    runs = ArithmeticMean().aggregate_runs(X, W) if len(X) else np.empty((len(ws), 0))
    gap = (np.isnan(X).astype(float) @ (W > 0).T.astype(float)).T > 0
    runs = np.where(gap, np.nan, runs)
    if np.ndim(w) == 0:
        return pd.Series(runs[0], index=portfolio.index, name="index")
    return pd.DataFrame(runs, columns=portfolio.index)


def score_mivs(
    mfi_scores: Any,
    holdings: Holdings | pd.DataFrame,
    miv_indicators: pd.DataFrame | None = None,
    *,
    w: float = 0.5,
    method: str = "exposure",
    coverage_threshold: float = 0.7,
    uncovered: str = "renormalise",
    catalogue: Any = None,
    year: int | None = None,
    block_weights: Mapping[str, float] | pd.Series | None = None,
) -> MIVScores:
    """Score MIVs from their MFIs' scores (portfolio block) and their own indicators.

    Parameters
    ----------
    mfi_scores : MFIScores or pd.Series
        MFI scores indexed by MFI id (or by MFI and year, then ``year`` picks one).
    holdings : Holdings or DataFrame
        Positions (a table is validated by :class:`Holdings`).
    miv_indicators : pd.DataFrame, optional
        MIV-level indicators (one row per MIV). Without them the index is the portfolio
        block (``w`` is taken as 1 and recorded so). With ``w < 1``, an MIV without a row
        here (a fund of funds, say) or with only missing values gets no index: it is listed
        in ``excluded`` with the reason "no MIV-level indicators" and a
        :class:`~socialperf.exceptions.MissingBlockWarning` names it.
    w : float, default 0.5
        Weight of the portfolio block in the index, in [0, 1].
    method : {"exposure", "equal", "top_quartile"}, default "exposure"
        Portfolio aggregation: exposure-weighted mean of MFI scores; equally weighted mean
        over the MFIs held (through any chain); or the share of exposure in MFIs in the top
        quartile of all scored MFIs (the universe given in ``mfi_scores``).
    coverage_threshold : float, default 0.7
        Minimum share of exposure in scored MFIs; MIVs below it are flagged (warning
        :class:`LowCoverageWarning`) and, with ``uncovered="exclude"``, get no score.
    uncovered : {"renormalise", "zero", "exclude"}, default "renormalise"
        Rule for exposure to MFIs without a score: rescale over the covered exposure; count
        it as score 0; or renormalise but exclude MIVs below the threshold.
    catalogue : Catalogue, optional
        For the MIV block (default: bundled).
    year : int, optional
        Year of the MFI scores to use (default: the year of the holdings date).
    block_weights : mapping, Series or weighting.Scheme, optional
        Weights of the MIV-level indicators (default: equal per dimension), or a scheme
        for the block (see :func:`score_miv_block`).

    Returns
    -------
    MIVScores

    Raises
    ------
    InputDataError
        For an invalid ``w``, ``method``, ``uncovered`` or ``coverage_threshold``, or MFI
        scores that cannot be matched to a year.

    Warns
    -----
    LowCoverageWarning
        MIVs with less than ``coverage_threshold`` of their exposure in scored MFIs.
    MissingBlockWarning
        With ``w < 1``, MIVs without MIV-level indicators (they get no index).

    Notes
    -----
    With look-through exposures :math:`E_{hm}` (rows sum to 1), scores :math:`s_m` and the
    covered set :math:`C` (MFIs with a score), coverage is :math:`c_h = \\sum_{m\\in C} E_{hm}`
    and the exposure method gives

    .. math:: P_h = \\frac{1}{c_h}\\sum_{m \\in C} E_{hm} s_m \\ \\text{(renormalise)}, \\qquad
              P_h = \\sum_{m \\in C} E_{hm} s_m \\ \\text{(zero)}.

    The equal method replaces :math:`E_{hm}` by :math:`1/n_h` over the :math:`n_h` MFIs with
    :math:`E_{hm} > 0`; top quartile replaces :math:`s_m` by
    :math:`1[s_m \\ge Q_{0.75}(s)]`. The index is :math:`I_h = w P_h + (1 - w) B_h`.

    References
    ----------
    Meyer, J. & Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich.
    """
    if not (isinstance(w, (int, float)) and 0.0 <= float(w) <= 1.0):
        raise InputDataError(f"w must be a number in [0, 1], got {w!r}")
    if method not in METHODS:
        raise InputDataError(f"method must be one of {format_labels(METHODS)}, got {method!r}")
    if uncovered not in UNCOVERED_RULES:
        raise InputDataError(
            f"uncovered must be one of {format_labels(UNCOVERED_RULES)}, got {uncovered!r}"
        )
    if not (0.0 <= float(coverage_threshold) <= 1.0):
        raise InputDataError(
            f"coverage_threshold must be in [0, 1], got {coverage_threshold!r}"
        )
    h = holdings if isinstance(holdings, Holdings) else Holdings(holdings)
    if year is None:
        year = h.year
    scores = _mfi_series(mfi_scores, year)
    E = h.look_through()
    s = scores.reindex(E.columns)
    covered = s.notna().to_numpy()
    Ev = E.to_numpy()
    cov = Ev[:, covered].sum(axis=1)
    coverage = pd.Series(cov, index=E.index, name="coverage")
    n_mfis = (Ev > 0).sum(axis=1)
    n_scored = ((Ev > 0) & covered).sum(axis=1)
    universe = scores.dropna().to_numpy()
    if method == "top_quartile" and universe.size == 0:
        raise InputDataError("mfi_scores has no finite scores; cannot form a top quartile")
    port, covered_w = _portfolio(Ev, s.to_numpy(), universe, method, uncovered)
    below = cov < float(coverage_threshold) - 1e-12
    excluded: dict[str, str] = {}
    for i, miv in enumerate(E.index):
        if covered_w[i] <= 0 and uncovered != "zero":
            excluded[miv] = "no exposure to any scored MFI"
        elif below[i] and uncovered == "exclude":
            excluded[miv] = (
                f"coverage {cov[i]:.3f} below threshold {coverage_threshold} (rule 'exclude')"
            )
    port = _drop_uncovered(port, covered_w, below, uncovered)
    if below.any():
        warnings.warn(
            f"MIVs {format_labels(E.index[below])} have less than {coverage_threshold:.0%} of "
            f"their exposure in scored MFIs (rule {uncovered!r})",
            LowCoverageWarning,
            stacklevel=2,
        )
    portfolio = pd.Series(port, index=E.index, name="portfolio")
    block_points = None
    if miv_indicators is not None:
        block, block_points = score_miv_block(
            miv_indicators, catalogue=catalogue, weights=block_weights
        )
        block = block.reindex(E.index)
        w_used = float(w)
        if w_used < 1.0:
            no_block = block.index[block.isna()]
            for miv in no_block:
                excluded.setdefault(miv, "no MIV-level indicators")
            if len(no_block):
                warnings.warn(
                    f"MIVs {format_labels(no_block)} have no MIV-level indicators (no row in "
                    f"miv_indicators, or only missing values), so no index with w={w_used}; "
                    "they are listed in excluded. Give their indicators, or use w=1 (portfolio "
                    "block alone)",
                    MissingBlockWarning,
                    stacklevel=2,
                )
    else:
        block = pd.Series(np.nan, index=E.index, name="block")
        w_used = 1.0
    index = miv_index(portfolio, block, w_used)
    details = pd.DataFrame(
        {
            "portfolio": portfolio,
            "block": block,
            "index": index,
            "coverage": coverage,
            "n_mfis": n_mfis,
            "n_scored": n_scored,
            "below_threshold": below,
            "method": method,
            "uncovered": uncovered,
            "w": w_used,
        },
        index=E.index,
    )
    return MIVScores(
        index=index,
        portfolio=portfolio,
        block=block.rename("block"),
        coverage=coverage,
        exposures=E,
        details=details,
        excluded=pd.Series(excluded, name="reason", dtype=object),
        block_points=block_points,
        w=w_used,
        method=method,
        uncovered=uncovered,
    )
