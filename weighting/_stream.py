"""Mergeable per-unit summaries of many runs, for streamed uncertainty analysis.

:class:`weighting.UncertaintyAnalysis` evaluates its runs chunk by chunk.  With
``keep="summary"`` no runs x units matrix is built: each chunk's scores and ranks are folded
into the accumulators below, which joblib tasks (threads, processes, dask workers) build
apart and the caller merges.  Memory is O(units x bins), independent of the number of runs.

What is exact and what is approximate
-------------------------------------
* Ranks are integers or halves (ties averaged) in ``[1, n_units]``.  :class:`GridCounts`
  with width 0.5 counts each of them exactly, so rank quantiles (numpy's default "linear"
  rule, replicated step by step), the probability of a top-k place, the mean and the
  standard deviation of the ranks equal the full-matrix computation.  Only above
  ``max_cells`` counters (``units x 2 units``; more than about 2,900 units at the default
  2**24) are bins merged in pairs, and then every rank quantile is within
  ``(width - 0.5) / 2`` of the exact one.
* Scores are continuous.  They are counted on the grid ``floor(x / width)`` with ``width``
  the reference scores' range / ``score_bins``; a quantile is interpolated between the
  midpoints of the bins holding the two order statistics numpy would interpolate between,
  so it is within ``width / 2`` of ``numpy.nanquantile`` on the full matrix (and it is
  clipped to the unit's exact minimum and maximum, which are kept).  Counts of scored runs
  are exact; score means and standard deviations are merged per chunk (Chan et al. 1979)
  in chunk order, so they equal the full matrix's to rounding (about 1e-15 relative) and
  are identical for any ``n_jobs``.

References
----------
Chan, T. F., Golub, G. H. and LeVeque, R. J. (1979). Updating formulae and a pairwise
algorithm for computing sample variances. Stanford CS report STAN-CS-79-773.

Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The American
Statistician* 50(4), 361-365 (numpy's "linear" is their definition 7).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_MAX_CELLS", "GridCounts", "Moments", "RunSummary", "linear_quantile"]

#: Largest number of counters (units x bins) one histogram keeps before it merges bins in
#: pairs: 2**24 int64 counters are 128 MiB.
DEFAULT_MAX_CELLS = 1 << 24


def linear_quantile(n: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """Order-statistic positions and weight of numpy's "linear" quantile of ``n`` values.

    Returns ``(j, gamma)``: the quantile is ``lerp(x_(j), x_(j+1), gamma)`` (0-based order
    statistics, ``j + 1`` clipped to ``n - 1``), computed with numpy's own formulas so that
    the result is bitwise the same as ``numpy.nanquantile``.
    """
    nf = n.astype(np.float64)
    qa = np.float64(q)
    v = (nf - 1) * qa  # numpy's virtual index of method 'linear'
    prev = np.floor(v)
    above = v >= nf - 1
    below = v < 0
    j = np.where(above, nf - 1, np.where(below, 0.0, prev))
    gamma = v - np.where(above, -1.0, np.where(below, 0.0, prev))
    return np.maximum(j, 0).astype(np.int64), gamma


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's ``_lerp``: ``a + (b - a) t``, from ``b`` when ``t >= 0.5``."""
    diff = b - a
    out = a + diff * t
    return np.where(t >= 0.5, b - diff * (1 - t), out)


class GridCounts:
    """Counts per unit on the grid ``k = floor(x / width)``, mergeable, bounded in size.

    Parameters
    ----------
    n_units : int
    width : float
        Bin width (> 0).  Bins are aligned on 0, so doubling the width maps bin ``k`` to
        ``k // 2`` exactly, and histograms of widths ``w 2**a`` and ``w 2**b`` merge.
    atom : float
        Spacing of the values counted (0.5 for averaged ranks: then width 0.5 is exact; 0
        for continuous values).  A bin stands for the midpoint of the atoms it can hold.
    max_cells : int
        Largest ``n_units x bins``.  When the units' ranges need more, the width doubles
        (bins merge in pairs) until they fit, so the final width is the smallest
        ``width 2**a`` that fits all values seen, however they were split into tasks.
    """

    def __init__(
        self, n_units: int, width: float, atom: float = 0.0, max_cells: int = DEFAULT_MAX_CELLS
    ) -> None:
        self.n_units = int(n_units)
        self.width = float(width)
        self.atom = float(atom)
        self.max_cells = int(max_cells)
        self.lo = np.zeros(self.n_units, dtype=np.int64)  # first bin used, per unit
        self.hi = np.full(self.n_units, -1, dtype=np.int64)  # last bin used (< lo: none)
        self.base = np.zeros(self.n_units, dtype=np.int64)  # bin of column 0, per unit
        self._counts = np.zeros((self.n_units, 0), dtype=np.int32)
        self._pending: list[np.ndarray] = []  # flat keys into _counts not yet counted
        self._n_pending = 0

    # ------------------------------------------------------------------ building
    @property
    def error(self) -> float:
        """Largest distance between a counted value and the value its bin stands for."""
        return max(self.width - self.atom, 0.0) / 2

    @property
    def counts(self) -> np.ndarray:
        """Counts (units x bins); column ``c`` of unit ``u`` is bin ``base[u] + c``."""
        self._flush()
        return self._counts

    def _flush(self) -> None:
        if not self._pending:
            return
        flat = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending, self._n_pending = [], 0
        self._counts += (
            np.bincount(flat, minlength=self._counts.size)
            .reshape(self._counts.shape)
            .astype(np.int32, copy=False)
        )

    def __getstate__(self) -> dict:
        """Compact pickle (what a process or dask worker sends back): the non-zero counts
        only, as (unit, bin offset, count) triplets."""
        counts = self.counts
        r, c = np.nonzero(counts)
        state = {k: v for k, v in self.__dict__.items() if k not in ("_counts", "_pending")}
        state["_nz"] = (
            r.astype(np.int32),
            (c + (self.base - self.lo)[r]).astype(np.int32),  # offset from lo
            counts[r, c],
        )
        return state

    def __setstate__(self, state: dict) -> None:
        r, c, v = state.pop("_nz")
        self.__dict__.update(state)
        self._pending, self._n_pending = [], 0
        span = int(np.max(self.hi - self.lo + 1, initial=0))
        self.base = self.lo.copy()
        self._counts = np.zeros((self.n_units, span), dtype=np.int32)
        self._counts[r, c] = v

    def copy(self) -> GridCounts:
        out = GridCounts(self.n_units, self.width, self.atom, self.max_cells)
        out.lo, out.hi, out.base = self.lo.copy(), self.hi.copy(), self.base.copy()
        out._counts = self.counts.copy()
        return out

    def _fits(self, lo: np.ndarray, hi: np.ndarray) -> bool:
        span = int(np.max(hi - lo + 1, initial=0))
        return span * self.n_units <= self.max_cells or span <= 2  # 2: straddling 0

    def _coarsen(self) -> None:
        """Double the width: bins ``2k`` and ``2k + 1`` merge into ``k``."""
        counts = self.counts
        self.width *= 2
        used = self.hi >= self.lo
        self.lo = np.where(used, np.floor_divide(self.lo, 2), 0)
        self.hi = np.where(used, np.floor_divide(self.hi, 2), -1)
        old_base = self.base
        self.base = np.floor_divide(old_base, 2)
        span = counts.shape[1]
        out = np.zeros((self.n_units, span // 2 + 1), dtype=np.int32)
        if span:
            col = (old_base[:, None] + np.arange(span)[None, :]) // 2 - self.base[:, None]
            r, c = np.nonzero(counts)
            np.add.at(out, (r, col[r, c]), counts[r, c])
        self._counts = out

    def _ensure(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Make room for bins ``lo..hi`` per unit (at the current width; empty: hi < lo),
        coarsening while the units' ranges do not fit ``max_cells``."""
        while True:
            used = self.hi >= self.lo
            want = hi >= lo
            nlo = np.where(used & want, np.minimum(self.lo, lo), np.where(used, self.lo, lo))
            nhi = np.where(used & want, np.maximum(self.hi, hi), np.where(used, self.hi, hi))
            nlo = np.where(used | want, nlo, 0)
            nhi = np.where(used | want, nhi, -1)
            if self._fits(nlo, nhi):
                break
            self._coarsen()
            lo = np.where(want, np.floor_divide(lo, 2), 0)
            hi = np.where(want, np.floor_divide(hi, 2), -1)
        self.lo, self.hi = nlo, nhi
        alloc = self._counts.shape[1]
        occ = nhi >= nlo
        if alloc and not (
            (nlo[occ] >= self.base[occ]).all() and (nhi[occ] < self.base[occ] + alloc).all()
        ):
            alloc = 0  # outside the allocation: re-allocate
        if alloc:
            return
        counts = self.counts
        span = int(np.max(nhi - nlo + 1, initial=0))
        pad = span // 8 + 1  # headroom: re-allocations stay rare as ranges grow
        new_base = np.where(occ, nlo - pad, self.base)
        new = np.zeros((self.n_units, span + 2 * pad), dtype=np.int32)
        if counts.shape[1]:
            shift = self.base - new_base
            keep = counts.shape[1]
            cols = shift[:, None] + np.arange(keep)[None, :]
            ok = (cols >= 0) & (cols < new.shape[1])
            r, c = np.nonzero(ok & (counts != 0))
            new[r, cols[r, c]] = counts[r, c]
        self.base, self._counts = new_base, new

    def add(self, x: np.ndarray) -> None:
        """Count ``x`` (rows x units); NaN values are skipped."""
        if not x.size:
            return
        with np.errstate(invalid="ignore"):
            k = np.floor(x / self.width)
        finite = np.isfinite(k)
        have = finite.any(axis=0)
        if not have.any():
            return
        kmin = np.where(have, np.min(np.where(finite, k, np.inf), axis=0), 0).astype(np.int64)
        kmax = np.where(have, np.max(np.where(finite, k, -np.inf), axis=0), -1).astype(np.int64)
        width = self.width
        self._ensure(kmin, kmax)  # a layout change first counts the pending keys
        if self.width != width:  # coarsened: bin this chunk afresh
            with np.errstate(invalid="ignore"):
                k = np.floor(x / self.width)
        span = self._counts.shape[1]
        key = np.int32 if self._counts.size < 2**31 else np.int64  # compact pending keys
        rel = np.where(finite, k - self.base[None, :], 0).astype(key)
        flat = (rel + (np.arange(self.n_units, dtype=key) * key(span))[None, :])[finite]
        self._pending.append(flat)
        self._n_pending += flat.size
        if self._n_pending >= max(self._counts.size // 4, 1 << 20):  # amortised zeroing
            self._flush()

    def merge(self, other: GridCounts) -> None:
        """Add another histogram's counts (of width ``w 2**a`` on the same grid)."""
        o = other
        while True:
            if o.width < self.width:
                o = o.copy() if o is other else o
                while o.width < self.width:
                    o._coarsen()
            while self.width < o.width:
                self._coarsen()
            self._ensure(o.lo, o.hi)
            if self.width == o.width:
                break
        oc = o.counts
        if not oc.shape[1]:
            return
        sc = self.counts
        src0 = o.lo - o.base
        dst0 = o.lo - self.base
        size = o.hi - o.lo + 1
        for u in np.flatnonzero(size > 0).tolist():  # one slice per unit: no fancy index
            w, a, b = int(size[u]), int(src0[u]), int(dst0[u])
            sc[u, b : b + w] += oc[u, a : a + w]

    # ------------------------------------------------------------------ reading
    def n(self) -> np.ndarray:
        """Number of values counted per unit."""
        return self.counts.sum(axis=1)

    def _value(self, k: np.ndarray) -> np.ndarray:
        return (
            k * self.width + (self.width - self.atom) / 2
            if self.width > self.atom
            else k * self.width
        )

    def order_statistic(self, j: np.ndarray) -> np.ndarray:
        """The value standing for the ``j``-th smallest (0-based) count of each unit."""
        cum = np.cumsum(self.counts, axis=1)
        b = (cum <= j[:, None]).sum(axis=1)
        b = np.minimum(b, max(self.counts.shape[1] - 1, 0))
        return self._value((self.base + b).astype(np.float64))

    def quantile(self, q: float) -> np.ndarray:
        """numpy's "linear" quantile of each unit's values (NaN where none)."""
        n = self.n()
        if not self.counts.shape[1]:
            return np.full(self.n_units, np.nan)
        j, gamma = linear_quantile(n, q)
        a = self.order_statistic(j)
        b = self.order_statistic(np.minimum(j + 1, np.maximum(n - 1, 0)))
        out = lerp(a, b, gamma)
        out[n == 0] = np.nan
        return out

    def share_at_most(self, t: float, total: int) -> np.ndarray:
        """Share of ``total`` runs whose value is ``<= t`` (exact for width == atom)."""
        if not self.counts.shape[1]:
            return np.zeros(self.n_units)
        vals = self._value(
            (self.base[:, None] + np.arange(self.counts.shape[1])[None, :]).astype(np.float64)
        )
        hits = np.where(vals <= t, self.counts, 0).sum(axis=1)
        return hits / total

    def moments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Count, mean and population variance per unit from the bin values.

        Exact for width == atom (ranks): integer sums of ``k`` and ``k**2``.
        """
        n = self.n()
        if not self.counts.shape[1]:
            return n, np.full(self.n_units, np.nan), np.full(self.n_units, np.nan)
        if self.width > self.atom:
            vals = self._value(
                (self.base[:, None] + np.arange(self.counts.shape[1])[None, :]).astype(np.float64)
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = (self.counts * vals).sum(axis=1) / n
                var = (self.counts * (vals - mean[:, None]) ** 2).sum(axis=1) / n
            return n, mean, var
        k = self.base[:, None] + np.arange(self.counts.shape[1])[None, :]
        s1 = (self.counts * k).sum(axis=1)
        s2 = (self.counts * k * k).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_k = s1 / n
            var_k = (s2 - s1 * mean_k) / n  # s1 * mean_k: float, exact integers below 2**53
        return n, mean_k * self.width, np.maximum(var_k, 0) * self.width**2


class Moments:
    """Per-unit count, mean and sum of squared deviations, merged chunk by chunk.

    Each chunk's moments are computed from its values; :meth:`merge` combines two with the
    update of Chan, Golub and LeVeque (1979).  Merged in chunk order, the result does not
    depend on how chunks were grouped into tasks.
    """

    def __init__(self, n_units: int) -> None:
        self.n = np.zeros(n_units)
        self.mean = np.zeros(n_units)
        self.m2 = np.zeros(n_units)

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        """Moments of a chunk ``x`` (rows x units), NaN skipped."""
        out = cls(x.shape[1])
        ok = ~np.isnan(x)
        out.n = ok.sum(axis=0).astype(np.float64)
        xs = np.where(ok, x, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = xs.sum(axis=0) / out.n
        out.mean = np.where(out.n > 0, mean, 0.0)
        dev = np.where(ok, x - out.mean[None, :], 0.0)
        out.m2 = (dev * dev).sum(axis=0)
        return out

    def merge(self, other: Moments) -> None:
        n = self.n + other.n
        delta = other.mean - self.mean
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(n > 0, other.n / n, 0.0)
        self.mean = np.where(self.n == 0, other.mean, self.mean + delta * frac)
        self.m2 = self.m2 + other.m2 + delta * delta * self.n * frac
        self.n = n

    def mean_sd(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sample standard deviation (ddof=1); NaN where undefined."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(self.n > 0, self.mean, np.nan)
            sd = np.where(self.n > 1, np.sqrt(self.m2 / (self.n - 1)), np.nan)
        return mean, sd


class RunSummary:
    """Everything a streamed Monte Carlo keeps about the units' scores and ranks.

    Parameters
    ----------
    n_units : int
    score_width : float
        Bin width of the score histogram.
    max_cells : int
        Size cap of the rank histogram (see :class:`GridCounts`).
    score_cells : int, optional
        Size cap of the score histogram (default ``max_cells``).
    """

    def __init__(
        self,
        n_units: int,
        score_width: float,
        max_cells: int = DEFAULT_MAX_CELLS,
        score_cells: int | None = None,
    ) -> None:
        self.n_units = n_units
        self.runs = 0
        self.ranks = GridCounts(n_units, 0.5, atom=0.5, max_cells=max_cells)
        self.scores = GridCounts(
            n_units,
            score_width,
            atom=0.0,
            max_cells=max_cells if score_cells is None else score_cells,
        )
        self.score_min = np.full(n_units, np.inf)
        self.score_max = np.full(n_units, -np.inf)
        self.chunk_moments: list[Moments] = []  # per chunk, in order (tasks)
        self.score_moments = Moments(n_units)  # merged (caller)

    def add(self, scores: np.ndarray, ranks: np.ndarray, same: np.ndarray | None = None) -> None:
        """Fold one chunk (rows x units) in; ``same`` (bool per row) marks the runs on the
        reference scale, the only ones the score histogram, range and moments keep."""
        self.runs += scores.shape[0]
        self.ranks.add(ranks)
        if same is not None:
            scores = scores[np.asarray(same, dtype=bool)]
        self.scores.add(scores)
        with np.errstate(invalid="ignore"):
            self.score_min = np.fmin(
                self.score_min,
                np.nanmin(np.where(np.isnan(scores), np.inf, scores), axis=0, initial=np.inf),
            )
            self.score_max = np.fmax(
                self.score_max,
                np.nanmax(np.where(np.isnan(scores), -np.inf, scores), axis=0, initial=-np.inf),
            )
        self.chunk_moments.append(Moments.of(scores))

    def merge(self, other: RunSummary) -> None:
        """Fold a task's summary in (call in chunk order for n_jobs-invariant moments)."""
        self.runs += other.runs
        self.ranks.merge(other.ranks)
        self.scores.merge(other.scores)
        self.score_min = np.fmin(self.score_min, other.score_min)
        self.score_max = np.fmax(self.score_max, other.score_max)
        for m in other.chunk_moments:
            self.score_moments.merge(m)

    def score_quantile(self, q: float) -> np.ndarray:
        """Approximate score quantile, clipped to each unit's exact range."""
        est = self.scores.quantile(q)
        with np.errstate(invalid="ignore"):
            return np.clip(est, self.score_min, self.score_max)
