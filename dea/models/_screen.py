"""Vectorised certification of radial phase-1 optima against a frame (basis reuse).

The radial phase-1 LP of unit ``k`` against a frame ``F`` (reference units spanning the
technology) differs from unit to unit only in the score column ``a_k`` (``-x_k`` on the
input rows, or ``-y_k`` on the output rows) and the right-hand side ``b_k``.  An optimal
basis of one unit's LP, ``B = [a_f, A_S]`` (the score column plus the basic frame,
slack and convexity-slack columns ``S``), is tried for every other unit by numpy, with
no LP at all:

* dual: ``B_k = [a_k, A_S]`` has the dual ``y_k = y_f / (a_k' y_f)`` (the homogeneous
  equations ``A_S' y = 0`` fix ``y`` up to scale, the score row fixes the scale), so
  ``y_k`` is dual feasible for every column exactly when ``y_f`` is and ``a_k' y_f > 0``;
  ``b_k' y_k`` bounds the optimum (below for "min", above for "max");
* primal: ``z = B_k^{-1} b_k`` (one Sherman-Morrison update of the stored ``B^{-1}``,
  since ``B_k`` differs from ``B`` in one column); ``z >= 0`` makes the basis primal
  feasible.

Primal and dual feasible bases are optimal, so a unit whose best bound's basis gives
``z >= 0`` is solved exactly (its score, lambdas on the frame and multipliers).  Each
stored dual is recomputed from its basis and checked against *every* frame column
(``FacetPool.add``), so certificates do not depend on the tolerance of the LP that
produced them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# a reduced cost (a_j' y with y scaled so that its score row is 1) this close to 0 makes
# column j part of a stored basis; a stored dual must price every column to >= -_DUAL_TOL
_TIGHT_TOL = 1e-9
_DUAL_TOL = 1e-11
_PRIMAL_TOL = 1e-10  # a basic value this far below 0 still counts as feasible (set to 0)
_PIVOT_TOL = 1e-9  # |1 + d_0| of the Sherman-Morrison update below this: no certificate
_ENTER_TOL = 1e-9  # a column enters the dual simplex only where -alpha exceeds this
_DEGENERATE_MAX = 256  # dual degenerate duals turned into bases per call
_CHUNK = 2048  # units per block of the bound matrix (units x facets)


@dataclass(frozen=True, eq=False)
class Geometry:
    """The phase-1 LP against a frame, as dense arrays (scaled data).

    Attributes
    ----------
    A : ndarray
        ``R x C`` columns other than the score column: the frame units' lambda columns
        (first ``n_frame``), the ``m + s`` slack columns, and for NIRS/NDRS the slack of
        the convexity row.
    n_frame, m, s : int
        Frame size, inputs and outputs.
    score_cols, rhs : ndarray
        ``n_eval x R`` score column ``a_k`` and right-hand side ``b_k`` per unit.
    sign : float
        +1 for a "min" LP (input orientation), -1 for "max" (output orientation).
    """

    A: np.ndarray
    n_frame: int
    m: int
    s: int
    score_cols: np.ndarray
    rhs: np.ndarray
    sign: float


def geometry(
    Xf: np.ndarray,
    Yf: np.ndarray,
    Xe: np.ndarray,
    Ye: np.ndarray,
    rts: str,
    orientation: str,
) -> Geometry:
    """The :class:`Geometry` of frame data ``Xf``, ``Yf`` and evaluated units ``Xe``, ``Ye``.

    ``orientation`` is "input" or "output"; ``rts`` one of crs, vrs, nirs, ndrs (rows as
    in ``dea.models.radial._build_problem``).
    """
    nf, m = Xf.shape
    s = Yf.shape[1]
    n = Xe.shape[0]
    conv = rts != "crs"
    R = m + s + conv
    parts = [np.vstack([Xf.T, Yf.T] + ([np.ones((1, nf))] if conv else []))]
    slack = np.zeros((R, m + s))
    slack[np.arange(m), np.arange(m)] = 1.0
    slack[m + np.arange(s), m + np.arange(s)] = -1.0
    parts.append(slack)
    if rts in ("nirs", "ndrs"):
        extra = np.zeros((R, 1))
        extra[-1, 0] = 1.0 if rts == "nirs" else -1.0  # e'lambda + t = 1 / - t = 1
        parts.append(extra)
    A = np.hstack(parts)
    score = np.zeros((n, R))
    rhs = np.zeros((n, R))
    if orientation == "output":
        score[:, m : m + s] = -Ye
        rhs[:, :m] = Xe
    else:
        score[:, :m] = -Xe
        rhs[:, m : m + s] = Ye
    if conv:
        rhs[:, -1] = 1.0
    sign = -1.0 if orientation == "output" else 1.0
    return Geometry(A=A, n_frame=nf, m=m, s=s, score_cols=score, rhs=rhs, sign=sign)


class FacetPool:
    """Optimal bases of phase-1 LPs (one per distinct set of basic columns).

    ``add`` turns LP duals into stored bases; ``certify`` tries them on other units.
    """

    def __init__(self, geo: Geometry) -> None:
        self.geo = geo
        R = geo.A.shape[0]
        self._keys: set[bytes] = set()
        self.cols = np.empty((0, R - 1), dtype=np.int64)  # basic columns of A, per basis
        self.a0 = np.empty((0, R))  # the score column the basis was stored with
        self.inv = np.empty((0, R, R))  # B^{-1}
        self.y = np.empty((0, R))  # exact dual of B, score row normalised to 1

    @property
    def size(self) -> int:
        """Number of stored bases."""
        return int(self.cols.shape[0])

    def add(self, units: np.ndarray, duals: np.ndarray, limit: int | None = None) -> int:
        """Store the bases implied by the phase-1 duals of ``units`` (optimal LPs).

        The basic columns are those priced to 0 by the dual (besides the score column);
        a dual pricing other than ``R - 1`` columns to 0 (dual degenerate) or whose
        basis is singular is skipped; at most ``limit`` new bases are kept.  Returns the
        number of new bases.
        """
        units = np.asarray(units, dtype=np.int64)
        if units.size == 0:
            return 0
        return self._add(self.geo.score_cols[units], np.asarray(duals, dtype=float), limit)

    def seed(self) -> int:
        """Store the trivial optimal-for-some-unit bases that need no LP.

        Input orientation: for each input ``i`` the hyperplane ``v = e_i, u = 0`` with
        the free term at the smallest frame input ``i`` (VRS, NDRS) or 0 (CRS, NIRS),
        which prices every column right (``-x_ij + min_j x_ij <= 0``); output
        orientation likewise with ``u = e_r`` and the largest frame output ``r``.
        Candidates whose priced-to-zero columns do not form a basis are skipped by
        :meth:`add`'s checks.  Returns the number stored.
        """
        geo = self.geo
        A, R, m, s, nf = geo.A, geo.A.shape[0], geo.m, geo.s, geo.n_frame
        conv = R > m + s
        Ys, a0s = [], []
        rows = range(m) if geo.sign > 0 else range(m, m + s)
        for i in rows:
            for free in (True, False):
                if free and not conv:
                    continue
                y = np.zeros(R)
                y[i] = -1.0
                a0 = np.zeros(R)
                if geo.sign > 0:
                    a0[:m] = -1.0
                else:
                    a0[m : m + s] = -1.0
                if free and nf:  # the hyperplane through the extreme frame unit
                    y[-1] = A[i, :nf].min() if geo.sign > 0 else A[i, :nf].max()
                Ys.append(y)
                a0s.append(a0)
        if not Ys:
            return 0
        return self._add(np.asarray(a0s), np.asarray(Ys), None)

    def _add(self, a: np.ndarray, Y: np.ndarray, limit: int | None) -> int:
        geo = self.geo
        A, R = geo.A, geo.A.shape[0]
        norm = np.einsum("ij,ij->i", a, Y)
        good = np.isfinite(norm) & (np.abs(norm) > 1e-12)
        Y, a, norm = Y[good], a[good], norm[good]
        Y = Y / norm[:, None]
        G = Y @ A  # reduced costs up to sign (costs of these columns are 0)
        scale = np.maximum(1.0, np.abs(Y).max(axis=1))
        tight = np.abs(G) <= _TIGHT_TOL * scale[:, None]
        count = tight.sum(axis=1)
        pick = np.flatnonzero(count == R - 1)
        cols = np.nonzero(tight[pick])[1].reshape(pick.size, R - 1)
        # dual degenerate (more columns priced to 0, e.g. ties): any R - 1 of them
        # independent of each other and of the score column make a basis with this dual
        extra = [i for i in np.flatnonzero(count > R - 1)[:_DEGENERATE_MAX]]
        more = [_independent(a[i], A, np.flatnonzero(tight[i]), R - 1) for i in extra]
        keep = [i for i, c in zip(extra, more, strict=True) if c is not None]
        if keep:
            pick = np.concatenate([pick, np.asarray(keep, dtype=np.int64)])
            cols = np.vstack([cols, np.asarray([c for c in more if c is not None])])
        if pick.size == 0:
            return 0
        cols, first = np.unique(cols, axis=0, return_index=True)
        a = a[pick[first]]
        fresh = np.array([c.tobytes() not in self._keys for c in cols], dtype=bool)
        cols, a = cols[fresh], a[fresh]
        if limit is not None:
            cols, a = cols[: max(0, limit)], a[: max(0, limit)]
        if cols.shape[0] == 0:
            return 0
        B = np.concatenate([a[:, :, None], A[:, cols].transpose(1, 0, 2)], axis=2)
        inv, good = _inverses(B)
        y = inv[:, 0, :]  # B' y = e_0  ->  y = row 0 of B^{-1}
        with np.errstate(invalid="ignore"):
            viol = (geo.sign * (y @ A)).max(axis=1)
        good &= viol <= _DUAL_TOL * np.maximum(1.0, np.abs(y).max(axis=1))
        if not good.any():
            return 0
        cols, a, inv, y = cols[good], a[good], inv[good], y[good]
        self._keys.update(c.tobytes() for c in cols)
        self.cols = np.vstack([self.cols, cols])
        self.a0 = np.vstack([self.a0, a])
        self.inv = np.concatenate([self.inv, inv])
        self.y = np.vstack([self.y, y])
        return int(cols.shape[0])

    def best(self, units: np.ndarray, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Best dual bound per unit over the bases from ``start`` on: (bound, basis index).

        Bound ``-inf`` ("min"; ``+inf`` for "max") and index -1 where no basis applies.
        """
        geo = self.geo
        units = np.asarray(units, dtype=np.int64)
        worst = -np.inf if geo.sign > 0 else np.inf
        bound = np.full(units.size, worst)
        which = np.full(units.size, -1, dtype=np.int64)
        Yt = self.y[start:].T
        if Yt.shape[1] == 0 or units.size == 0:
            return bound, which
        for lo in range(0, units.size, _CHUNK):
            u = units[lo : lo + _CHUNK]
            num = geo.rhs[u] @ Yt
            den = geo.score_cols[u] @ Yt
            with np.errstate(divide="ignore", invalid="ignore"):
                val = np.where(den > 1e-12, num / den, worst)
            j = np.argmax(val, axis=1) if geo.sign > 0 else np.argmin(val, axis=1)
            v = val[np.arange(u.size), j]
            hit = np.isfinite(v)
            bound[lo : lo + u.size] = v
            which[lo : lo + u.size] = np.where(hit, j + start, -1)
        return bound, which

    def start(self, units: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit ``units[i]``'s copy of basis ``which[i]`` (>= 0): ``(B_k^{-1}, columns)``.

        ``B_k`` is the stored basis with its score column replaced by the unit's (one
        Sherman-Morrison update of the stored inverse); NaN rows where that is singular.
        """
        geo = self.geo
        w = np.asarray(which, dtype=np.int64)
        inv = self.inv[w]
        d = np.einsum("kij,kj->ki", inv, geo.score_cols[units] - self.a0[w])
        piv = 1.0 + d[:, 0]
        bad = np.abs(piv) <= _PIVOT_TOL
        piv = np.where(bad, 1.0, piv)
        inv = inv - d[:, :, None] * (inv[:, 0, :] / piv[:, None])[:, None, :]
        inv[bad] = np.nan
        return inv, self.cols[w].copy()


def _independent(a0: np.ndarray, A: np.ndarray, cand: np.ndarray, k: int) -> np.ndarray | None:
    """``k`` of the columns ``cand`` of ``A`` independent of each other and of ``a0``
    (greedy, slack columns last so that lambdas are preferred), or None."""
    chosen: list[int] = []
    basis = a0[:, None]
    for j in cand:
        trial = np.column_stack([basis, A[:, j]])
        if np.linalg.matrix_rank(trial, tol=1e-9) == trial.shape[1]:
            basis = trial
            chosen.append(int(j))
            if len(chosen) == k:
                return np.sort(np.asarray(chosen, dtype=np.int64))
    return None


def _pivot(inv: np.ndarray, z: np.ndarray, w: np.ndarray, r: np.ndarray) -> None:
    """Replace basis position ``r[i]`` by the column whose ``B^{-1} a`` is ``w[i]`` (in place)."""
    ar = np.arange(r.size)
    p = w[ar, r]
    inv_r = inv[ar, r, :] / p[:, None]
    z_r = z[ar, r] / p
    inv -= w[:, :, None] * inv_r[:, None, :]
    inv[ar, r, :] = inv_r
    z -= w * z_r[:, None]
    z[ar, r] = z_r


def _basic_mask(cols: np.ndarray, n_cols: int) -> np.ndarray:
    mask = np.zeros((cols.shape[0], n_cols), dtype=bool)
    np.put_along_axis(mask, cols, True, axis=1)
    return mask


def phase1(
    geo: Geometry, units: np.ndarray, inv: np.ndarray, cols: np.ndarray, max_iter: int = 60
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Phase-1 optima of ``units`` by a batched dual simplex from dual feasible bases.

    ``inv``, ``cols``: each unit's starting basis ``[a_k, A[:, cols]]`` and its inverse
    (:meth:`FacetPool.start`; dual feasible).  Each iteration, for every unit still
    primal infeasible: the most negative basic value leaves (the score column never
    does: such units fail), the column of least ratio of reduced cost to ``-alpha``
    enters.  The final bases are re-inverted and checked primal and dual feasible
    (:func:`check_phase1`).  Returns ``ok``, ``z`` (score, basic values), ``cols`` and
    the row duals ``y``.
    """
    A = geo.A
    inv = inv.copy()
    cols = cols.copy()
    z = np.einsum("kij,kj->ki", inv, geo.rhs[units])
    alive = np.isfinite(z).all(axis=1)
    for _ in range(max_iter):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        zi = z[idx]
        scale = np.maximum(1.0, np.abs(zi).max(axis=1))
        neg = zi < -_PRIMAL_TOL * scale[:, None]
        busy = neg.any(axis=1)
        alive[idx[~busy]] = False
        idx, zi = idx[busy], zi[busy]
        if idx.size == 0:
            break
        r = np.argmin(zi / scale[busy, None], axis=1)
        stop = r == 0  # the score column would leave: not this method's case
        alive[idx[stop]] = False
        idx, r = idx[~stop], r[~stop]
        if idx.size == 0:
            break
        invi = inv[idx]
        ar = np.arange(idx.size)
        # row r of B^{-1} A, negated; basic columns give 0 or -1 there, never candidates
        nalpha = invi[ar, r, :] @ -A
        dd = invi[:, 0, :] @ (-geo.sign * A)  # reduced costs (min form), >= 0
        np.maximum(dd, 0.0, out=dd)
        ratio = np.full(nalpha.shape, np.inf)
        np.divide(dd, nalpha, out=ratio, where=nalpha > _ENTER_TOL)
        q = np.argmin(ratio, axis=1)
        none = ~np.isfinite(ratio[ar, q])  # no entering column: LP infeasible
        alive[idx[none]] = False
        keep = ~none
        idx, r, q, invi = idx[keep], r[keep], q[keep], invi[keep]
        if idx.size == 0:
            break
        w = np.einsum("kij,jk->ki", invi, A[:, q])
        zz = z[idx]
        _pivot(invi, zz, w, r)
        inv[idx], z[idx] = invi, zz
        cols[idx, r - 1] = q
    ok, z, y = check_phase1(geo, units, cols)
    return ok, z, cols, y


def _inverses(B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched inverses (NaN where singular or badly conditioned) and a usable mask."""
    k, R = B.shape[0], B.shape[1]
    good = np.isfinite(B).all(axis=(1, 2))
    inv = np.full((k, R, R), np.nan)
    if good.any():
        cond = np.full(k, np.inf)
        cond[good] = np.linalg.cond(B[good])
        good &= cond < 1e10
    if good.any():
        inv[good] = np.linalg.inv(B[good])
    return inv, good


def check_phase1(
    geo: Geometry, units: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Is ``[a_k, A[:, cols]]`` an optimal basis of unit ``k``'s phase-1 LP?

    Re-inverted from the data: primal values ``z >= 0`` and reduced costs of every column
    of ``A`` of the right sign, both to tolerance.  Returns ``ok``, ``z`` (negatives
    within tolerance set to 0; zeros where not ok) and the row duals ``y`` (``d score /
    d rhs``, the LP's own sense).
    """
    A = geo.A
    k = units.size
    R = A.shape[0]
    z = np.zeros((k, R))
    y = np.zeros((k, R))
    if k == 0:
        return np.zeros(0, dtype=bool), z, y
    B = np.concatenate([geo.score_cols[units][:, :, None], A[:, cols].transpose(1, 0, 2)], axis=2)
    inv, ok = _inverses(B)
    idx = np.flatnonzero(ok)
    zz = np.einsum("kij,kj->ki", inv[idx], geo.rhs[units[idx]])
    yy = inv[idx, 0, :]
    scale = np.maximum(1.0, np.abs(zz).max(axis=1))
    feas = (zz >= -_PRIMAL_TOL * scale[:, None]).all(axis=1)
    dscale = np.maximum(1.0, np.abs(yy).max(axis=1))
    feas &= (geo.sign * (yy @ A)).max(axis=1) <= _DUAL_TOL * dscale
    ok[idx] = feas
    z[idx[feas]] = np.maximum(zz[feas], 0.0)
    y[idx[feas]] = yy[feas]
    return ok, z, y


def phase2(
    geo: Geometry,
    units: np.ndarray,
    theta: np.ndarray,
    cols1: np.ndarray,
    slack_cost: np.ndarray,
    max_iter: int = 60,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Max-slack (phase-2) optima by a batched primal simplex from the phase-1 optimum.

    The score fixed at ``theta``, the right-hand side is ``b_k - theta a_k``; the
    phase-1 basic columns ``cols1`` plus one slack column (the one with the largest
    pivot in place of the score column) form a primal feasible basis.  Each iteration
    the column of most negative reduced cost of ``-slack_cost @ s`` enters, the ratio
    test picks the leaving one.  Final bases are re-inverted and checked (primal values
    ``>= 0``, reduced costs ``>= 0`` to tolerance).  Returns ``ok``, ``z`` (basic
    values) and the basic columns (``k x R``).
    """
    A = geo.A
    R, C = A.shape
    nf, m, s = geo.n_frame, geo.m, geo.s
    k = units.size
    cost = np.zeros(C)
    cost[nf : nf + m + s] = -np.asarray(slack_cost, dtype=float)
    rhs = geo.rhs[units] - theta[:, None] * geo.score_cols[units]
    B1 = np.concatenate([geo.score_cols[units][:, :, None], A[:, cols1].transpose(1, 0, 2)], axis=2)
    inv, alive = _inverses(B1)
    slack_cols = np.arange(nf, nf + m + s)
    cols = np.zeros((k, R), dtype=np.int64)
    cols[:, 1:] = cols1
    z = np.zeros((k, R))
    idx = np.flatnonzero(alive)
    if idx.size:
        coef = np.abs(inv[idx, 0, :] @ A[:, slack_cols])
        coef[_basic_mask(cols1[idx], C)[:, slack_cols]] = 0.0
        pick = np.argmax(coef, axis=1)
        usable = coef[np.arange(idx.size), pick] > 1e-9
        alive[idx[~usable]] = False
        idx, pick = idx[usable], pick[usable]
        q = slack_cols[pick]
        invi = inv[idx]
        zi = np.einsum("kij,kj->ki", invi, rhs[idx])
        zi[:, 0] = 0.0
        w = np.einsum("kij,jk->ki", invi, A[:, q])
        _pivot(invi, zi, w, np.zeros(idx.size, dtype=np.int64))
        inv[idx], z[idx] = invi, zi
        cols[idx, 0] = q
    for _ in range(max_iter):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        invi = inv[idx]
        yv = np.einsum("kp,kpi->ki", cost[cols[idx]], invi)
        d = cost[None, :] - yv @ A
        d[_basic_mask(cols[idx], C)] = 0.0
        q = np.argmin(d, axis=1)
        ar = np.arange(idx.size)
        dscale = np.maximum(1.0, np.abs(yv).max(axis=1))
        enter = d[ar, q] < -_DUAL_TOL * dscale
        alive[idx[~enter]] = False
        idx, q, invi = idx[enter], q[enter], invi[enter]
        if idx.size == 0:
            break
        w = np.einsum("kij,jk->ki", invi, A[:, q])
        zi = z[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(w > 1e-12, np.maximum(zi, 0.0) / w, np.inf)
        r = np.argmin(ratio, axis=1)
        ar = np.arange(idx.size)
        bounded = np.isfinite(ratio[ar, r])
        alive[idx[~bounded]] = False  # unbounded: left to the LP
        idx, r, q, invi, w, zi = (
            idx[bounded],
            r[bounded],
            q[bounded],
            invi[bounded],
            w[bounded],
            zi[bounded],
        )
        if idx.size == 0:
            break
        _pivot(invi, zi, w, r)
        inv[idx], z[idx] = invi, zi
        cols[idx, r] = q
    # re-invert and check every final basis
    Bf = A[:, cols].transpose(1, 0, 2)
    invf, ok = _inverses(Bf)
    idx = np.flatnonzero(ok)
    zz = np.einsum("kij,kj->ki", invf[idx], rhs[idx])
    scale = np.maximum(1.0, np.abs(zz).max(axis=1))
    feas = (zz >= -_PRIMAL_TOL * scale[:, None]).all(axis=1)
    yv = np.einsum("kp,kpi->ki", cost[cols[idx]], invf[idx])
    d = cost[None, :] - yv @ A
    dscale = np.maximum(1.0, np.abs(yv).max(axis=1))
    feas &= d.min(axis=1) >= -_DUAL_TOL * 100 * dscale
    ok[idx] = feas
    out = np.zeros((k, R))
    out[idx[feas]] = np.maximum(zz[feas], 0.0)
    return ok, out, cols
