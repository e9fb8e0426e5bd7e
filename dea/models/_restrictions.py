"""Weight restrictions of multiplier-form models: the one parser and row builder.

Every multiplier model (``BoD``, ``Radial``) accepts the same two kinds of restriction on
its weights ``w`` (one weight per named variable: indicator, input or output):

* absolute bounds ``L_j <= w_j <= U_j`` (``weight_bounds``): a pair ``(L, U)`` for all
  variables or a mapping ``name -> (L, U)``; ``None`` leaves a side free;
* assurance-region ratios ``L <= w_a / w_b <= U`` (``ratio_bounds``): a mapping
  ``(a, b) -> (L, U)`` (Thompson et al. 1990).  For ``Radial``, ``a`` and ``b`` both
  inputs or both outputs give an assurance region of type I, an input and an output one
  of type II (a "linked cone").

:func:`parse_bounds` and :func:`ratio_rows` validate them (unknown names, negative bounds,
lower above upper, a variable compared with itself, entries that contradict each other)
with messages naming the option and the variables; :func:`restriction_rows` turns both
into linear rows ``g @ w <= h`` on the weights of the *scaled* data a model solves on
(``w_scaled = scale * w``), each scaled to a largest coefficient of 1, with the factor that
maps the row's dual back to the restriction in user units.  Models add the rows to their
multiplier LP (BoD) or, equivalently, one column per row to the envelopment LP (Radial).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dea.exceptions import InputDataError, format_labels
from dea.solvers import get_backend
from dea.solvers.base import LPProblem

__all__ = [
    "Bounds",
    "RatioRow",
    "RestrictionRow",
    "check_restrictions",
    "parse_bounds",
    "ratio_coefficients",
    "ratio_rows",
    "restriction_columns",
    "restriction_matrix",
    "restriction_report",
    "restriction_rows",
]

Bounds = Mapping[Hashable, tuple[float | None, float | None]] | tuple[float | None, float | None]


def parse_bounds(
    spec: Bounds | None, names: Sequence[Hashable], option: str, what: str = "indicators"
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound per variable (NaN = no bound) from a pair or a mapping.

    Parameters
    ----------
    spec : (L, U), mapping name -> (L, U), or None
        The option's value.
    names : sequence
        The variables, in weight order.
    option : str
        The option's name, for messages (``"weight_bounds"``).
    what : str
        What the variables are called in messages (``"indicators"``, ``"inputs and outputs"``).

    Raises
    ------
    InputDataError
        Unknown names, a value that is not a pair, negative bounds, lower above upper.
    """
    names = list(names)
    m = len(names)
    lo = np.full(m, np.nan)
    hi = np.full(m, np.nan)
    if spec is None:
        return lo, hi
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise InputDataError(
                f"{option} names {format_labels(unknown)}, which are not among the "
                f"{what} {format_labels(names, 10)}"
            )
        items = [(names.index(k), v) for k, v in spec.items()]
    else:
        items = [(j, spec) for j in range(m)]
    for j, pair in items:
        try:
            lo_j, hi_j = pair
        except (TypeError, ValueError) as exc:
            raise InputDataError(
                f"{option} for {names[j]!r} must be a pair (lower, upper), got {pair!r}"
            ) from exc
        lo[j] = np.nan if lo_j is None else float(lo_j)
        hi[j] = np.nan if hi_j is None else float(hi_j)
        if (not np.isnan(lo[j]) and lo[j] < 0) or (not np.isnan(hi[j]) and hi[j] < 0):
            raise InputDataError(f"{option} for {names[j]!r} are negative; bounds must be >= 0")
        if not np.isnan(lo[j]) and not np.isnan(hi[j]) and lo[j] > hi[j]:
            raise InputDataError(f"{option} for {names[j]!r}: lower {lo[j]} exceeds upper {hi[j]}")
    return lo, hi


@dataclass(frozen=True)
class RatioRow:
    """One side of an assurance-region entry: ``w_a - bound * w_b >= 0`` (lower) or
    ``<= 0`` (upper), for the weights in user units."""

    a: int
    b: int
    bound: float
    lower: bool
    key: tuple[Hashable, Hashable]

    def label(self, names: Sequence[Hashable]) -> str:
        """Readable name, e.g. ``"x1/x2 >= 0.5"``."""
        op = ">=" if self.lower else "<="
        return f"{names[self.a]}/{names[self.b]} {op} {self.bound:g}"


def ratio_rows(
    spec: Mapping[tuple[Hashable, Hashable], tuple[float | None, float | None]] | None,
    names: Sequence[Hashable],
    option: str = "ratio_bounds",
    what: str = "indicators",
) -> list[RatioRow]:
    """Validated assurance-region rows, in the order given (lower before upper).

    A bound given as ``None`` adds no row (a lower bound of 0 adds the trivial row).

    Raises
    ------
    InputDataError
        Not a mapping, an entry that is not ``(a, b) -> (L, U)``, unknown names, ``a == b``,
        a negative bound, lower above upper, or entries (in either direction) whose
        intersection only all-zero weights satisfy.
    """
    if spec is None:
        return []
    names = list(names)
    if not isinstance(spec, Mapping):
        raise InputDataError(f"{option} must be a mapping (name_a, name_b) -> (lower, upper)")
    rows: list[RatioRow] = []
    seen: dict[tuple[int, int], tuple[float, float]] = {}
    for key, pair in spec.items():
        try:
            a, b = key
            lo_r, hi_r = pair
        except (TypeError, ValueError) as exc:
            raise InputDataError(
                f"{option} entry {key!r}: {pair!r} must be (a, b) -> (lower, upper)"
            ) from exc
        unknown = [x for x in (a, b) if x not in names]
        if unknown:
            raise InputDataError(
                f"{option} names {format_labels(unknown)}, which are not among the "
                f"{what} {format_labels(names, 10)}"
            )
        if a == b:
            raise InputDataError(f"{option} entry {key!r} compares {a!r} to itself")
        ja, jb = names.index(a), names.index(b)
        for bound, is_lower in ((lo_r, True), (hi_r, False)):
            if bound is None:
                continue
            bound = float(bound)
            if not np.isfinite(bound) or bound < 0:
                raise InputDataError(f"{option} for {key!r} must be finite and >= 0, got {bound!r}")
            rows.append(RatioRow(ja, jb, bound, is_lower, (a, b)))
        lo_f = 0.0 if lo_r is None else float(lo_r)
        hi_f = np.inf if hi_r is None else float(hi_r)
        if lo_f > hi_f:
            raise InputDataError(f"{option} for {key!r}: lower {lo_r} exceeds upper {hi_r}")
        # intersect with what earlier entries (either direction) imply for w_a / w_b
        prev_lo, prev_hi = seen.get((ja, jb), (0.0, np.inf))
        new_lo, new_hi = max(prev_lo, lo_f), min(prev_hi, hi_f)
        if new_lo > new_hi * (1 + 1e-12):
            raise InputDataError(
                f"{option} for {a!r} / {b!r} contradict each other: together they "
                f"ask for {new_lo:g} <= w_{a} / w_{b} <= {new_hi:g}; only all-zero "
                "weights would satisfy them"
            )
        seen[(ja, jb)] = (new_lo, new_hi)
        seen[(jb, ja)] = (
            1.0 / new_hi if new_hi > 0 else np.inf,
            1.0 / new_lo if new_lo > 0 else np.inf,
        )
    return rows


def ratio_coefficients(row: RatioRow, inv: np.ndarray) -> np.ndarray:
    """``w_a - bound * w_b`` written in the scaled weights ``v = w / inv`` (i.e.
    ``w = inv * v``), scaled to a largest absolute coefficient of 1."""
    coef = np.zeros(inv.size)
    coef[row.a] = inv[row.a]
    coef[row.b] -= row.bound * inv[row.b]
    return coef / np.abs(coef).max()


@dataclass(frozen=True)
class RestrictionRow:
    """One restriction as ``g @ v <= h`` on the scaled weights ``v = scale * w``.

    ``g`` has largest absolute entry 1; the restriction in user weights is
    ``norm * (g @ (scale * w)) <= norm * h``, written as ``user @ w <= rhs`` with
    ``user = norm * g * scale`` (e.g. ``w_b * L - w_a <= 0`` for a ratio lower bound), so
    the dual of the user-unit restriction is the dual of this row divided by ``norm``.
    """

    label: str
    kind: str  # "ratio" or "bound"
    variables: tuple[Hashable, ...]
    g: np.ndarray
    h: float
    norm: float


def restriction_rows(
    names: Sequence[Hashable],
    scale: np.ndarray,
    *,
    weight_bounds: Bounds | None = None,
    ratio_bounds: Mapping[tuple[Hashable, Hashable], tuple[float | None, float | None]]
    | None = None,
    what: str = "inputs and outputs",
) -> list[RestrictionRow]:
    """Absolute and ratio restrictions as ``<=`` rows on the scaled weights.

    Parameters
    ----------
    names : sequence
        The variables in weight order.
    scale : ndarray
        Column scales of the data the LP sees (data divided by ``scale``), so that the
        LP's weights are ``v = scale * w``.
    weight_bounds, ratio_bounds
        The options (see the module docstring).
    what : str
        What the variables are called in messages.

    Returns
    -------
    list of RestrictionRow
        Absolute lower, absolute upper rows per variable (in variable order), then the
        ratio rows in the order given.  Labels read ``"x1 >= 0.1"``, ``"x1/x2 <= 4"``.
    """
    names = list(names)
    scale = np.asarray(scale, dtype=float)
    inv = 1.0 / scale
    out: list[RestrictionRow] = []
    lo, hi = parse_bounds(weight_bounds, names, "weight_bounds", what)
    for j, name in enumerate(names):
        # w_j >= L:  -v_j <= -L scale_j  (norm: the row -w_j <= -L written on v has
        # coefficient -inv_j; scaled to 1 it is multiplied by scale_j)
        if not np.isnan(lo[j]) and lo[j] > 0:
            g = np.zeros(len(names))
            g[j] = -1.0
            out.append(
                RestrictionRow(
                    f"{name} >= {lo[j]:g}", "bound", (name,), g, -lo[j] * scale[j], inv[j]
                )
            )
        if not np.isnan(hi[j]):
            g = np.zeros(len(names))
            g[j] = 1.0
            out.append(
                RestrictionRow(
                    f"{name} <= {hi[j]:g}", "bound", (name,), g, hi[j] * scale[j], inv[j]
                )
            )
    for row in ratio_rows(ratio_bounds, names, "ratio_bounds", what):
        if row.lower and row.bound == 0:
            continue  # w_a >= 0 holds anyway
        raw = np.zeros(len(names))
        raw[row.a] = inv[row.a]
        raw[row.b] -= row.bound * inv[row.b]
        nrm = float(np.abs(raw).max())
        g = raw / nrm
        sign = -1.0 if row.lower else 1.0  # lower: bound w_b - w_a <= 0
        out.append(
            RestrictionRow(
                row.label(names), "ratio", (names[row.a], names[row.b]), sign * g, 0.0, nrm
            )
        )
    return out


def restriction_matrix(rows: Sequence[RestrictionRow], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack rows into ``(G, h)`` with ``G`` of shape ``(len(rows), k)``."""
    if not rows:
        return np.zeros((0, k)), np.zeros(0)
    return np.vstack([r.g for r in rows]), np.array([r.h for r in rows], dtype=float)


def check_restrictions(
    data: Any,
    weight_bounds: Bounds | None,
    ratio_bounds: Mapping[tuple[Hashable, Hashable], tuple[float | None, float | None]] | None,
) -> None:
    """Validate an input/output model's restrictions before any unit is solved.

    ``data`` is a :class:`dea.data.DEAData`.  Besides the checks of
    :func:`restriction_rows`, two small LPs on the restrictions alone: the system must
    have a solution ``w >= 0`` at all, and its homogeneous part (the ratio rows and upper
    bounds of 0) must leave some input weight and some output weight free to be
    positive; otherwise no unit's multiplier LP is feasible.

    Raises
    ------
    InputDataError
        Naming the option, the restrictions and the variables.
    """
    ins, outs = list(data.inputs), list(data.outputs)
    both = [c for c in ins if c in outs]
    if both:
        raise InputDataError(
            f"{format_labels(both)} are both inputs and outputs, so weight restrictions "
            "naming them are ambiguous; rename one side"
        )
    names = ins + outs
    k = len(names)
    rows = restriction_rows(
        names, np.ones(k), weight_bounds=weight_bounds, ratio_bounds=ratio_bounds
    )
    if not rows:
        return
    G, h = restriction_matrix(rows, k)
    labels = [r.label for r in rows]
    backend = get_backend("highs")
    # (1) any w >= 0 at all?
    feas = LPProblem(
        A=G,
        row_lower=np.full(len(rows), -np.inf),
        row_upper=h,
        col_lower=np.zeros(k),
        col_upper=np.full(k, np.inf),
        cost=np.zeros(k),
    )
    with backend.open(feas) as session:
        if session.solve().status != "optimal":
            raise InputDataError(
                f"the weight restrictions {format_labels(labels, 20)} contradict each other: "
                "no non-negative weights satisfy them all; loosen the bounds"
            )
    # (2) which weights can be positive under the homogeneous rows?  max sum t,
    # t_j <= w_j, 0 <= t <= 1, G0 w <= 0 (a cone, so t_j = 1 iff w_j can be positive)
    homog = [i for i, r in enumerate(rows) if r.h == 0.0]
    G0 = G[homog] if homog else np.zeros((0, k))
    A = np.block([[G0, np.zeros((len(homog), k))], [-np.eye(k), np.eye(k)]])
    cone = LPProblem(
        A=A,
        row_lower=np.full(A.shape[0], -np.inf),
        row_upper=np.zeros(A.shape[0]),
        col_lower=np.zeros(2 * k),
        col_upper=np.concatenate([np.full(k, np.inf), np.ones(k)]),
        cost=np.concatenate([np.zeros(k), np.ones(k)]),
        sense="max",
    )
    with backend.open(cone) as session:
        sol = session.solve()
    if sol.status != "optimal" or sol.x is None:  # pragma: no cover - always feasible (w = 0)
        return
    free = sol.x[k:] > 0.5
    used = [labels[i] for i in homog]
    for side, idx in (("input", range(len(ins))), ("output", range(len(ins), k))):
        if not free[list(idx)].any():
            raise InputDataError(
                f"the weight restrictions {format_labels(used, 20)} force every {side} "
                f"weight ({format_labels([names[j] for j in idx], 10)}) to zero, so no "
                "unit's multiplier LP is feasible; loosen them"
            )


def restriction_columns(rows: Sequence[RestrictionRow], m: int) -> np.ndarray:
    """Envelopment columns of the restriction rows, shape ``(m + s, len(rows))``.

    The multiplier row ``g @ (v, u) <= h`` (dual ``pi >= 0``) becomes the envelopment
    column ``pi`` with ``-g_v`` in the input rows and ``+g_u`` in the output rows of
    ``X lambda + s- = ...``, ``Y lambda - s+ = ...`` (radial and directional models alike;
    its cost is ``h`` in a min and ``-h`` in a max envelopment LP).
    """
    if not rows:
        return np.zeros((0, 0))
    G = np.vstack([r.g for r in rows]).T.copy()
    G[:m] *= -1.0
    return G


def restriction_report(
    rows: Sequence[RestrictionRow], ws: np.ndarray, pi: np.ndarray, ok: np.ndarray
) -> dict[str, Any]:
    """Per unit and restriction: dual value (user units) and binding flag.

    Parameters
    ----------
    rows : the restriction rows of the LP
    ws : ndarray (n, m + s)
        Multiplier weights on the LP's scaled data (the envelopment LP's row duals).
    pi : ndarray (n, len(rows))
        The restriction columns' values in the envelopment solution.
    ok : ndarray of bool
        Units with an optimal LP (others get NaN).

    Returns
    -------
    dict
        ``restriction_labels``, ``restriction_dual_values`` (``pi / norm``: the dual of the
        restriction as written in user weights) and ``restriction_binding_values`` (1.0
        where the restriction holds with equality at ``ws`` to 1e-9 relative, or where
        ``pi > 1e-9``; by complementary slackness a positive dual binds), as the
        :class:`dea.results.DEAResult` fields of the same names.
    """
    G = np.vstack([row.g for row in rows])
    h = np.array([row.h for row in rows])
    norm = np.array([row.norm for row in rows])
    ws = np.nan_to_num(np.asarray(ws, dtype=float))
    act = ws @ G.T - h
    size = 1.0 + np.abs(h) + np.abs(ws) @ np.abs(G).T
    pi = np.maximum(np.nan_to_num(np.asarray(pi, dtype=float)), 0.0)
    binding = (act >= -1e-9 * size) | (pi > 1e-9)
    duals = pi / norm + 0.0
    duals[~ok] = np.nan
    flags = binding.astype(float)
    flags[~ok] = np.nan
    return {
        "restriction_labels": tuple(row.label for row in rows),
        "restriction_dual_values": duals,
        "restriction_binding_values": flags,
    }
