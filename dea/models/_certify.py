"""Radial factors of many units at once: a batched simplex whose answers are proven.

Used by :func:`dea.bootstrap`, where every replication scores the n original units
against n pseudo units: n LPs of ``m + s + 1`` rows that share their whole lambda block.
:func:`batch_simplex` runs the primal simplex on all of them together in numpy (one
matrix product prices every unit's LP against a shared pool of reference units),
:func:`prove` checks each final basis on the data, and the units it cannot prove go to
the caller's LP engine (:func:`radial_factors`).  Nothing the simplex computes is
trusted; only the proof is.

Proof (input orientation; output orientation mirrors it).  Unit ``k``'s LP is ``min
theta s.t. Xr' lam <= theta x_k, Yr' lam >= y_k, lam in Lambda`` and its dual ``max
u'y_k + w s.t. v'x_k = 1, u'y_j + w - v'x_j <= 0 (all reference j), v, u >= 0``, ``w``
free (VRS), ``<= 0`` (NIRS), ``>= 0`` (NDRS), ``0`` (CRS).

1. *Upper bound.*  The basic solution with negative rounding set to 0 satisfies
   ``B x_B = b`` (residual ``<= 1e-9 (1 + max |b|)``, scaled data): a feasible point, so
   its ``theta`` bounds the optimum from above.
2. *Lower bound.*  For the basis's multipliers ``v, u >= 0`` (negative rounding set to
   0), the largest feasible ``w`` is ``-max_j (u'y_j - v'x_j)`` over *every* reference
   unit (clipped to the RTS sign; CRS, or NDRS when that ``w`` is negative: ``w = 0``
   and ``u`` scaled down until ``u'y_j <= v'x_j`` for all ``j``), so
   ``(u'y_k + w) / v'x_k`` bounds the optimum from below (weak duality), whatever the
   simplex did.
3. The unit's factor is proven when the two bounds agree to ``1e-9`` (relative).

So a proven factor equals the LP optimum to within ``1e-9`` (and in practice to
rounding, ~1e-14); a unit that is not proven costs one LP, never accuracy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

_TOL = 1e-9  # feasibility tolerance of the primal witness (scaled data)
_BLOCK_ELEMENTS = 1 << 22  # units x reference units per block (32 MB of floats)


@dataclass(frozen=True, eq=False)
class RadialArrays:
    """A radial model's numbers: evaluated ``Xe, Ye``, reference ``Xr, Yr`` (any common
    column scaling), ``rts`` and ``orientation`` ("input" or "output")."""

    Xe: np.ndarray
    Ye: np.ndarray
    Xr: np.ndarray
    Yr: np.ndarray
    rts: str
    orientation: str

    @property
    def m(self) -> int:
        return int(self.Xe.shape[1])

    @property
    def s(self) -> int:
        return int(self.Ye.shape[1])

    @property
    def n_ref(self) -> int:
        return int(self.Xr.shape[0])


_CONTROLLER: Any = None  # threadpoolctl.ThreadpoolController, built on first use


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """BLAS on one thread: the products here are small, and threads only contend
    (several times slower on a loaded machine).  Needs ``threadpoolctl``; else no-op."""
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - optional
            _CONTROLLER = False
        else:
            _CONTROLLER = ThreadpoolController()
    if _CONTROLLER is False:  # pragma: no cover - optional
        yield
        return
    with _CONTROLLER.limit(limits=1, user_api="blas"):
        yield


def directions(duals: np.ndarray, m: int, s: int, orientation: str) -> np.ndarray:
    """Multiplier directions ``[v, u]`` (rows, >= 0) from the engine's row duals.

    The engine's duals follow HiGHS (``d objective / d rhs``): input orientation
    ``v = -dual(input rows)``, ``u = dual(output rows)``; output orientation the
    opposite signs.  Tiny negative values (solver tolerance) are set to 0.
    """
    sign = -1.0 if orientation == "input" else 1.0
    V = sign * duals[:, :m]
    U = -sign * duals[:, m : m + s]
    return np.clip(np.hstack([V, U]), 0.0, None)


def _columns(spec: RadialArrays, units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-unit constraint columns of the non-lambda variables, rhs and costs.

    Returns ``(head, b, c_head)``: ``head`` (N x R x H) holds, per unit, the columns of
    the score variable, the ``m + s`` slacks and (NIRS/NDRS) the convexity slack;
    ``b`` (N x R) the right-hand sides; ``c_head`` (H) their costs in a *min* problem.
    """
    m, s, rts = spec.m, spec.s, spec.rts
    R = m + s + (rts != "crs")
    extra = rts in ("nirs", "ndrs")
    H = 1 + m + s + extra
    N = units.size
    head = np.zeros((N, R, H))
    b = np.zeros((N, R))
    if spec.orientation == "input":
        head[:, :m, 0] = -spec.Xe[units]
        b[:, m : m + s] = spec.Ye[units]
    else:
        head[:, m : m + s, 0] = -spec.Ye[units]
        b[:, :m] = spec.Xe[units]
    head[:, np.arange(m), 1 + np.arange(m)] = 1.0
    head[:, m + np.arange(s), 1 + m + np.arange(s)] = -1.0
    if rts != "crs":
        b[:, -1] = 1.0
    if extra:
        head[:, -1, -1] = 1.0 if rts == "nirs" else -1.0
    c_head = np.zeros(H)
    c_head[0] = 1.0 if spec.orientation == "input" else -1.0
    return head, b, c_head


def _lambda_rows(spec: RadialArrays) -> np.ndarray:
    """The lambda block (R x n_ref) of every unit's LP: inputs, outputs, convexity."""
    parts = [spec.Xr.T, spec.Yr.T]
    if spec.rts != "crs":
        parts.append(np.ones((1, spec.n_ref)))
    return np.vstack(parts)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with ``0 / 0 = 0`` and ``a / 0 = inf`` (a > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(num > 0, np.inf, 0.0))


def _single(spec: RadialArrays, Xk: np.ndarray, Yk: np.ndarray, Xj: np.ndarray, Yj: np.ndarray):
    """Unit k scored against reference unit j alone: ``(lam, factor, drop_x, drop_y)``.

    Input orientation: ``lam`` covers the outputs (1 under VRS), ``factor = theta`` the
    smallest contraction with ``lam x_j <= theta x_k``; output orientation mirrors it.
    ``drop_x``/``drop_y`` are the binding rows.  Works elementwise on broadcast arrays
    (last axis: inputs or outputs).
    """
    if spec.orientation == "input":
        ry = _ratio(Yk, Yj)
        lam = np.ones(ry.shape[:-1]) if spec.rts == "vrs" else ry.max(axis=-1)
        rx = lam[..., None] * _ratio(Xj, Xk)
        return lam, rx.max(axis=-1), rx.argmax(axis=-1), ry.argmax(axis=-1)
    rx = _ratio(Xk, Xj)
    lam = np.ones(rx.shape[:-1]) if spec.rts == "vrs" else rx.min(axis=-1)
    ry = lam[..., None] * _ratio(Yj, Yk)
    return lam, ry.min(axis=-1), rx.argmin(axis=-1), ry.argmin(axis=-1)


def pick_starts(spec: RadialArrays, block: int | None = None) -> np.ndarray:
    """Per evaluated unit, the reference unit that alone gives the best feasible point
    (the start of :func:`batch_simplex`), or -1 if none does (then an LP is solved).

    Feasible alone: VRS input orientation needs ``y_j >= y_k``, output ``x_j <= x_k``;
    NIRS / NDRS need the covering ``lam <= 1`` / ``>= 1``.  O(block * n_ref) memory in
    blocks of ``block`` evaluated units (default: about 8 MB per array).
    """
    n = spec.Xe.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    inp = spec.orientation == "input"
    if block is None:
        block = max(1, (_BLOCK_ELEMENTS // 4) // max(1, spec.n_ref * max(spec.m, spec.s)))
    for a in range(0, n, block):
        Xk, Yk = spec.Xe[a : a + block, None, :], spec.Ye[a : a + block, None, :]
        lam, f, _, _ = _single(spec, Xk, Yk, spec.Xr[None], spec.Yr[None])
        ok = np.isfinite(f)
        if spec.rts == "vrs":
            ok &= (spec.Yr[None] >= Yk).all(-1) if inp else (spec.Xr[None] <= Xk).all(-1)
        elif spec.rts == "nirs":
            ok &= lam <= 1.0
        elif spec.rts == "ndrs":
            ok &= lam >= 1.0
        ok &= lam > 0
        score = np.where(ok, f if inp else -f, np.inf)
        best = score.argmin(axis=1)
        found = np.isfinite(score[np.arange(best.size), best])
        out[a : a + block] = np.where(found, best, -1)
    return out


def _start(spec: RadialArrays, units: np.ndarray, own: np.ndarray) -> np.ndarray:
    """A basis per unit (N x R column ids; lambdas 0..n_ref-1, then the head columns).

    The score, the lambda of reference unit ``own[k]`` and every slack except the
    binding input row's and (without a convexity equality) the binding output row's:
    unit ``k`` scored against ``own[k]`` alone (:func:`_single`), primal feasible when
    :func:`pick_starts` chose ``own`` (or ``own[k]`` lies on unit ``k``'s ray, as the
    bootstrap's pseudo unit ``k``).
    """
    m, s, rts, n_ref = spec.m, spec.s, spec.rts, spec.n_ref
    inp = spec.orientation == "input"
    own = np.asarray(own, dtype=np.int64)
    _, _, drop_x, drop_y = _single(spec, spec.Xe[units], spec.Ye[units], spec.Xr[own], spec.Yr[own])
    n_slack = m + s + (rts in ("nirs", "ndrs"))
    keep = np.ones((units.size, n_slack), dtype=bool)
    rows = np.arange(units.size)
    if inp or rts != "vrs":
        keep[rows, drop_x] = False
    if not inp or rts != "vrs":
        keep[rows, m + drop_y] = False
    slack = np.broadcast_to(n_ref + 1 + np.arange(n_slack), keep.shape)[keep]
    slack = slack.reshape(units.size, -1)
    return np.hstack([own[:, None], np.full((units.size, 1), n_ref), slack])


def _basis_matrices(
    basis: np.ndarray, A_lam: np.ndarray, head: np.ndarray, n_ref: int
) -> np.ndarray:
    """B (N x R x R) from basis column ids."""
    N, R = basis.shape
    is_lam = basis < n_ref
    B = np.empty((N, R, R))
    lam_cols = A_lam[:, np.where(is_lam, basis, 0)]  # R x N x R
    lam_cols = np.transpose(lam_cols, (1, 0, 2))
    hc = np.take_along_axis(head, np.where(is_lam, 0, basis - n_ref)[:, None, :], axis=2)
    B[:] = np.where(is_lam[:, None, :], lam_cols, hc)
    return B


def batch_simplex(
    spec: RadialArrays,
    units: np.ndarray,
    own: np.ndarray,
    pool: np.ndarray | None = None,
    max_iter: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Primal simplex on many units' radial LPs at once (numpy), from :func:`_start`.

    Pricing: the largest gain per unit length of the column (a static steepest-edge
    proxy; about 15 % fewer iterations than Dantzig's rule here).
    Batched column generation: entering columns are priced among a shared ``pool`` of
    reference units (default: all); a unit optimal over the pool is priced against every
    reference unit, and a column found there joins the pool.  A heuristic (Dantzig
    pricing, a ratio-test tie-break, an iteration cap): its bases are *proven* (or
    rejected) by :func:`prove`, and a unit it does not finish is solved as an LP.

    Returns ``(basis, xB, pi, finished, pool)``: per unit the basic columns, their
    values, the simplex multipliers (of the *min* problem) and whether pricing found it
    optimal; and the pool as grown.  Memory: ``units x pool`` floats for pricing.
    """
    n_ref = spec.n_ref
    A_lam = _lambda_rows(spec)
    head, b, c_head = _columns(spec, units)
    own = np.asarray(own, dtype=np.int64)
    none = own < 0
    basis = _start(spec, units, np.where(none, 0, own))
    N, R = basis.shape
    out_basis = basis.copy()
    out_x = np.full((N, R), np.nan)
    out_pi = np.full((N, R), np.nan)
    finished = np.zeros(N, dtype=bool)
    in_pool = np.zeros(n_ref, dtype=bool)
    in_pool[np.arange(n_ref) if pool is None else np.asarray(pool, dtype=np.int64)] = True
    P = np.flatnonzero(in_pool)
    AP = A_lam[:, P]
    inv_norm = 1.0 / np.maximum(np.linalg.norm(A_lam, axis=0), 1e-300)
    B = _basis_matrices(basis, A_lam, head, n_ref)
    with np.errstate(all="ignore"):
        det = np.linalg.det(B)
    good = np.isfinite(det) & (np.abs(det) > 1e-300) & ~none
    Binv = np.zeros_like(B)
    if good.any():
        Binv[good] = np.linalg.inv(B[good])
    xB = np.einsum("nij,nj->ni", Binv, b)
    cost_of = np.concatenate([np.zeros(n_ref), c_head])
    act = np.flatnonzero(good & (xB >= -1e-12).all(axis=1) & np.isfinite(xB).all(axis=1))
    # compact working arrays of the active units
    Bi, x, bas, hd = Binv[act], xB[act], basis[act], head[act]
    for _ in range(max_iter):
        na = act.size
        if na == 0:
            break
        idx = np.arange(na)
        pi = np.einsum("ni,nij->nj", cost_of[bas], Bi)  # na x R
        # reduced costs: lambda columns -pi' a_j (c = 0), head columns c - pi' a
        gain = pi @ AP
        jp = np.argmax(gain * inv_norm[P], axis=1)
        d_pool = -gain[idx, jp]
        d_head = c_head[None, :] - np.einsum("ni,nih->nh", pi, hd)
        jh = np.argmin(d_head, axis=1)
        dh = d_head[idx, jh]
        q = np.where(dh < d_pool, n_ref + jh, P[jp])
        dq = np.minimum(dh, d_pool)
        near = dq >= -1e-11
        if near.any():  # optimal over the pool: price every reference unit
            full = pi[near] @ A_lam
            jf = np.argmax(full * inv_norm, axis=1)
            df = -full[np.arange(jf.size), jf]
            q[near] = np.where(df < -1e-11, jf, q[near])
            dq[near] = np.minimum(df, dq[near])
            new = jf[df < -1e-11]
            if new.size:
                in_pool[new] = True
                P = np.flatnonzero(in_pool)
                AP = A_lam[:, P]
        is_lam = q < n_ref
        aq = np.where(
            is_lam[:, None],
            A_lam[:, np.where(is_lam, q, 0)].T,
            hd[idx, :, np.where(is_lam, 0, q - n_ref)],
        )
        direc = np.einsum("nij,nj->ni", Bi, aq)
        pos = direc > 1e-11
        ratio = np.where(pos, np.maximum(x, 0.0) / np.where(pos, direc, 1.0), np.inf)
        rmin = ratio.min(axis=1)
        opt = dq >= -1e-11
        stop = opt | ~np.isfinite(rmin)
        if stop.any():
            done = act[stop]
            out_basis[done], out_x[done], out_pi[done] = bas[stop], x[stop], pi[stop]
            finished[act[opt]] = True
            go = ~stop
            act, q, Bi, x, bas, hd = act[go], q[go], Bi[go], x[go], bas[go], hd[go]
            direc, pos, ratio, rmin = direc[go], pos[go], ratio[go], rmin[go]
            na = act.size
            if na == 0:
                break
            idx = np.arange(na)
        # ties: the largest pivot element among the minimal ratios
        tie = pos & (ratio <= rmin[:, None] + 1e-12)
        r = np.argmax(np.where(tie, direc, -np.inf), axis=1)
        piv = direc[idx, r]
        row_r = Bi[idx, r, :] / piv[:, None]
        Bi = Bi - direc[:, :, None] * row_r[:, None, :]
        Bi[idx, r, :] = row_r
        step = x[idx, r] / piv
        x = x - step[:, None] * direc
        x[idx, r] = step
        bas[idx, r] = q
    return out_basis, out_x, out_pi, finished, P


def prove(
    spec: RadialArrays, units: np.ndarray, basis: np.ndarray, xB: np.ndarray, pi: np.ndarray
) -> np.ndarray:
    """Optimal radial factor per unit where its basis is proven optimal, NaN elsewhere.

    Checks, on the data, that the basic solution ``xB`` with its (rounding-size)
    negative entries set to 0 solves ``B xB = b`` (a primal feasible point, so an upper
    bound of a min problem), then bounds the optimum from the other side with the
    multipliers ``pi`` repaired over every reference unit (dual feasible by
    construction, weak duality); a unit is proven when the two bounds agree to ``1e-9``
    (relative).  So nothing computed by the simplex is trusted: only these two checks.
    """
    n_ref, m, s = spec.n_ref, spec.m, spec.s
    N = units.size
    value = np.full(N, np.nan)
    A_lam = _lambda_rows(spec)
    head, b, _ = _columns(spec, units)
    B = _basis_matrices(basis, A_lam, head, n_ref)
    x = np.clip(np.nan_to_num(xB), 0.0, None)  # the point checked: non-negative
    with np.errstate(invalid="ignore"):
        resid = np.abs(np.einsum("nij,nj->ni", B, x) - b).max(axis=1)
    ok = np.isfinite(xB).all(axis=1) & np.isfinite(pi).all(axis=1)
    ok &= resid <= _TOL * (1.0 + np.abs(b).max(axis=1))
    where = basis == n_ref
    ok &= where.any(axis=1)
    primal = np.where(where, x, 0.0).sum(axis=1)
    duals = np.nan_to_num(pi) if spec.orientation == "input" else -np.nan_to_num(pi)
    VU = directions(duals, m, s, spec.orientation)
    V, U = VU[:, :m].copy(), VU[:, m:].copy()
    inp = spec.orientation == "input"
    rts = spec.rts
    # u'y_j - v'x_j for every unit and reference unit: one product
    gap = np.hstack([U, -V]) @ np.hstack([spec.Yr, spec.Xr]).T  # N x n_ref
    gmax = gap.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if inp:  # need u'y_j + w <= v'x_j for all j
            w = -gmax
            if rts == "nirs":
                w = np.minimum(w, 0.0)
            # CRS, and NDRS where w >= 0 fails: w = 0 and u scaled down until feasible
            zero = np.full(N, rts == "crs") if rts != "ndrs" else w < 0.0
            if zero.any():
                vx, uy = V[zero] @ spec.Xr.T, U[zero] @ spec.Yr.T
                t = np.where(uy > 0, vx / uy, np.inf).min(axis=1)
                U[zero] *= np.minimum(1.0, t)[:, None]
                w[zero] = 0.0
            bound = (np.einsum("ns,ns->n", U, spec.Ye[units]) + w) / np.einsum(
                "nm,nm->n", V, spec.Xe[units]
            )
        else:  # need v'x_j + w >= u'y_j for all j
            w = gmax
            if rts == "nirs":
                w = np.maximum(w, 0.0)
            zero = np.full(N, rts == "crs") if rts != "ndrs" else w > 0.0
            if zero.any():
                vx, uy = V[zero] @ spec.Xr.T, U[zero] @ spec.Yr.T
                t = np.where(vx > 0, uy / vx, np.inf).max(axis=1)
                t = np.where(np.isfinite(t), t, np.where((uy > 0).any(axis=1), np.nan, 1.0))
                V[zero] *= np.maximum(1.0, t)[:, None]
                w[zero] = 0.0
            bound = (np.einsum("nm,nm->n", V, spec.Xe[units]) + w) / np.einsum(
                "ns,ns->n", U, spec.Ye[units]
            )
    ok &= np.isfinite(bound) & np.isfinite(primal)
    ok &= np.abs(bound - primal) <= _TOL * np.maximum(1.0, np.abs(primal))
    value[ok] = primal[ok]
    return value


def radial_factors(
    arrays: RadialArrays,
    own: np.ndarray | None,
    solve_lps: Callable[[np.ndarray], np.ndarray],
    pool: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal radial factors of all evaluated units: batched simplex, proof, LPs.

    Parameters
    ----------
    arrays : RadialArrays
        The evaluated and reference units and the model.
    own : ndarray or None
        Per evaluated unit, the reference unit the simplex starts from (-1: none, solve
        an LP); None: :func:`pick_starts`.
    solve_lps : callable
        ``solve_lps(units) -> factors`` solves the LPs of the units left unproven (the
        caller's engine, e.g. a :class:`dea.Radial` fit of those units); NaN where not
        optimal.
    pool : ndarray, optional
        Reference units priced first (:func:`batch_simplex`).

    Returns
    -------
    value : ndarray
        Optimal theta (input) / phi (output) per evaluated unit.
    by_lp : ndarray of bool
        Units whose factor came from ``solve_lps``.
    """
    n = arrays.Xe.shape[0]
    units = np.arange(n)
    value = np.full(n, np.nan)
    # blocks of units keep the pricing and proof matrices (units x reference) small
    block = max(16, _BLOCK_ELEMENTS // max(1, arrays.n_ref))
    with _one_thread():
        if own is None:
            own = pick_starts(arrays)
        own = np.asarray(own, dtype=np.int64)
        for a in range(0, n, block):
            u = units[a : a + block]
            basis, xB, pi, finished, pool = batch_simplex(arrays, u, own[u], pool)
            if finished.any():
                value[u[finished]] = prove(
                    arrays, u[finished], basis[finished], xB[finished], pi[finished]
                )
    by_lp = ~np.isfinite(value)
    if by_lp.any():
        value[by_lp] = solve_lps(units[by_lp])
    return value, by_lp
