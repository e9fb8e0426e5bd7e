"""The LP protocol every solver backend implements.

DEA solves one small linear program per evaluated unit, and these LPs differ from each
other only in a handful of numbers.  The protocol is built around that fact.

Objects
-------
:class:`LPProblem`
    One *base* LP, shared by all evaluated units::

        min (or max)  cost @ x
        subject to    row_lower <= A @ x <= row_upper
                      col_lower <=     x <= col_upper

    ``A`` is a ``scipy.sparse`` CSC matrix (``n_rows x n_cols``).  Bounds may be
    ``-inf``/``+inf``; an equality row has ``row_lower == row_upper``.  ``sense`` is
    ``"min"`` or ``"max"``.  Optional ``col_names``/``row_names`` (for readable exports).

:class:`LPUpdate`
    The numbers that differ for one solve, as *absolute* values (not deltas):
    matrix entries ``(coeff_rows[i], coeff_cols[i]) -> coeff_values[i]``, row bounds
    ``row_index -> (row_lower, row_upper)``, column bounds ``col_index -> (col_lower,
    col_upper)``, costs ``cost_index -> cost_values`` and optionally a new ``sense``.
    Updates are **not cumulative**: ``session.solve(u)`` solves *base problem + u*,
    whatever was solved before.  Combine two updates with ``u1.merge(u2)`` (entries of
    ``u2`` win).

:class:`LPSolution`
    What one solve returns: ``status`` (see below), ``objective`` (in the problem's own
    sense; NaN unless optimal), ``x`` (primal values, length ``n_cols``),
    ``row_duals`` (length ``n_rows``) and ``col_duals`` (reduced costs, length
    ``n_cols``), or ``None`` for the arrays when the status is not optimal
    (``col_duals`` may also be None when the backend was asked not to compute them, e.g.
    ``get_backend("highs").open(problem, col_duals=False)``).

:class:`LPSession` (what a backend implements)
    Created by ``backend.open(problem)``; holds solver state (for HiGHS: one model, kept
    between solves so that each solve hot-starts from the previous basis).
    ``session.solve(update=None) -> LPSolution`` and ``session.close()``.  A session is
    used by one thread/process only and is never pickled: workers open their own
    session from the (picklable) :class:`LPProblem`.

:class:`LPBackend`
    ``backend.name`` and ``backend.open(problem, **options) -> LPSession``.  Backends are
    registered by name in :mod:`dea.solvers` (``"highs"``, ``"scipy"``, ``"pulp"``);
    use :func:`dea.solvers.get_backend`.

    Optional: ``session.add_columns(A_cols, col_lower, col_upper, cost)`` appends columns
    (``A_cols`` sparse, ``n_rows x k``) to the open model, keeping its basis (HiGHS).
    Callers check ``hasattr(session, "add_columns")``; :class:`ColumnGeneration` uses it
    (HiGHS) and falls back to the full LP on backends without it.

Conventions
-----------
Status strings (``LPSolution.status``):

``"optimal"``, ``"infeasible"``, ``"unbounded"``, ``"infeasible_or_unbounded"``,
``"iteration_limit"``, ``"time_limit"``, ``"error"`` (solver-specific trouble with this LP).
A non-optimal status is *data*, never an exception: models turn it into a per-unit status
and a NaN score.  A backend raises :class:`dea.exceptions.SolverError` only when it cannot
work at all (library missing, model rejected as a whole).

Dual sign convention (all backends, both senses): ``row_duals[i]`` is the sensitivity of
the optimal objective value to the *active bound* of row ``i``,
``d objective / d rhs_i``; ``col_duals[j]`` is the reduced cost ``cost_j - A[:, j] @
row_duals``.  For a ``"min"`` problem with a binding ``>=`` row the dual is ``>= 0``; for
``<=`` rows it is ``<= 0`` (mirror images for ``"max"``).  This is HiGHS's own convention;
other backends convert to it.

Families and batches
--------------------
:class:`LPFamily` bundles a base problem with the per-unit update
(``family.unit_update(k) -> LPUpdate``) and, optionally, a second stage
(``family.second_stage(k, first_solution) -> LPUpdate | None``; the returned update is
applied *instead of* the unit update, so it normally is ``unit_update(k).merge(...)``).
:func:`solve_family` solves it for many units, optionally in parallel with joblib
(chunks of units per task, one session per chunk, built inside the worker; a
:class:`SolveStrategy` says how a chunk's session is opened and a unit solved: hot start by
default, :class:`ColumnGeneration` on a working set of columns, or a model's own sequence
of LPs per unit reported as a :class:`UnitOutcome`), and returns
an :class:`LPBatchResult`: first-stage objective, statuses, row duals (dense,
``n_units x n_rows``) and the final-stage primal ``x`` as a ``scipy.sparse`` CSR matrix
(exact zeros dropped; a basic solution has at most ``n_rows`` non-zeros, so memory is
``O(n_units * n_rows)``), or dense when ``dense_x=True``.

Example
-------
>>> import numpy as np, scipy.sparse as sp
>>> from dea.solvers import get_backend
>>> from dea.solvers.base import LPProblem, LPUpdate
>>> prob = LPProblem(A=sp.csc_matrix(np.array([[1.0, 2.0], [3.0, 1.0]])),
...                  row_lower=np.array([-np.inf, -np.inf]), row_upper=np.array([4.0, 6.0]),
...                  col_lower=np.zeros(2), col_upper=np.array([np.inf, np.inf]),
...                  cost=np.array([1.0, 1.0]), sense="max")
>>> with get_backend("highs").open(prob) as session:
...     sol = session.solve(LPUpdate(row_index=[0], row_lower=[-np.inf], row_upper=[5.0]))
>>> sol.status, round(sol.objective, 6)
('optimal', 3.2)
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from dea._parallel import map_chunks
from dea.exceptions import InputDataError
from dea.solvers.registry import get_backend

__all__ = [
    "STATUSES",
    "ColumnGeneration",
    "LPBackend",
    "LPBatchResult",
    "LPFamily",
    "LPProblem",
    "LPSession",
    "LPSolution",
    "LPUpdate",
    "SessionBackend",
    "SolveStrategy",
    "UnitOutcome",
    "solve_family",
]

#: The status strings a backend may return.
STATUSES = (
    "optimal",
    "infeasible",
    "unbounded",
    "infeasible_or_unbounded",
    "iteration_limit",
    "time_limit",
    "error",
)


def _f(a: Any, n: int | None = None) -> np.ndarray:
    out = np.asarray(a, dtype=float).ravel()
    if n is not None and out.shape[0] != n:
        raise InputDataError(f"expected an array of length {n}, got length {out.shape[0]}")
    return out


def _i(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.int32).ravel()


@dataclass(frozen=True, eq=False)
class LPProblem:
    """A base linear program (see the module docstring for the full protocol).

    Parameters
    ----------
    A : scipy.sparse matrix
        Constraint matrix, ``n_rows x n_cols``; stored as CSC.
    row_lower, row_upper : array_like
        Row activity bounds (``-inf``/``inf`` allowed).
    col_lower, col_upper : array_like
        Variable bounds.
    cost : array_like
        Objective coefficients.
    sense : {"min", "max"}
        Optimisation sense.
    col_names, row_names : sequence of str, optional
        Names used by backends that write readable models.
    name : str
        Name of the problem.
    """

    A: sp.csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray
    sense: str = "min"
    col_names: tuple[str, ...] | None = None
    row_names: tuple[str, ...] | None = None
    name: str = "lp"

    def __post_init__(self) -> None:
        A = sp.csc_matrix(self.A, dtype=float)
        A.sort_indices()
        n_rows, n_cols = A.shape
        object.__setattr__(self, "A", A)
        for attr, n in (
            ("row_lower", n_rows),
            ("row_upper", n_rows),
            ("col_lower", n_cols),
            ("col_upper", n_cols),
            ("cost", n_cols),
        ):
            object.__setattr__(self, attr, _f(getattr(self, attr), n))
        if self.sense not in ("min", "max"):
            raise InputDataError(f"sense={self.sense!r} is not allowed; use 'min' or 'max'")
        if self.col_names is not None:
            object.__setattr__(self, "col_names", tuple(self.col_names))
        if self.row_names is not None:
            object.__setattr__(self, "row_names", tuple(self.row_names))

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return int(self.A.shape[0])

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return int(self.A.shape[1])

    def with_update(self, update: LPUpdate | None) -> LPProblem:
        """Return a new, full :class:`LPProblem` equal to this one with ``update`` applied.

        Used by backends that rebuild the LP per solve (scipy, PuLP).
        """
        if update is None or update.is_empty():
            return self
        A = self.A
        if update.coeff_rows.size:
            base = np.asarray(A[update.coeff_rows, update.coeff_cols]).ravel()
            delta = sp.csc_matrix(
                (update.coeff_values - base, (update.coeff_rows, update.coeff_cols)),
                shape=A.shape,
            )
            A = (A + delta).tocsc()
        rl, ru = self.row_lower.copy(), self.row_upper.copy()
        rl[update.row_index] = update.row_lower
        ru[update.row_index] = update.row_upper
        cl, cu = self.col_lower.copy(), self.col_upper.copy()
        cl[update.col_index] = update.col_lower
        cu[update.col_index] = update.col_upper
        c = self.cost.copy()
        c[update.cost_index] = update.cost_values
        return LPProblem(
            A=A,
            row_lower=rl,
            row_upper=ru,
            col_lower=cl,
            col_upper=cu,
            cost=c,
            sense=update.sense or self.sense,
            col_names=self.col_names,
            row_names=self.row_names,
            name=self.name,
        )


@dataclass(frozen=True, eq=False)
class LPUpdate:
    """Absolute new values for some entries of an :class:`LPProblem`.

    All fields are optional; indices are 0-based.  Later entries win if an index repeats.

    Parameters
    ----------
    coeff_rows, coeff_cols, coeff_values : array_like
        New matrix entries ``A[coeff_rows[i], coeff_cols[i]] = coeff_values[i]``.
    row_index, row_lower, row_upper : array_like
        New row bounds.
    col_index, col_lower, col_upper : array_like
        New column bounds.
    cost_index, cost_values : array_like
        New objective coefficients.
    sense : {"min", "max"} or None
        New optimisation sense (None keeps the base sense).
    """

    coeff_rows: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    coeff_cols: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    coeff_values: np.ndarray = field(default_factory=lambda: np.empty(0))
    row_index: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    row_lower: np.ndarray = field(default_factory=lambda: np.empty(0))
    row_upper: np.ndarray = field(default_factory=lambda: np.empty(0))
    col_index: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    col_lower: np.ndarray = field(default_factory=lambda: np.empty(0))
    col_upper: np.ndarray = field(default_factory=lambda: np.empty(0))
    cost_index: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    cost_values: np.ndarray = field(default_factory=lambda: np.empty(0))
    sense: str | None = None

    def __post_init__(self) -> None:
        for name in ("coeff_rows", "coeff_cols", "row_index", "col_index", "cost_index"):
            object.__setattr__(self, name, _i(getattr(self, name)))
        for name in (
            "coeff_values",
            "row_lower",
            "row_upper",
            "col_lower",
            "col_upper",
            "cost_values",
        ):
            object.__setattr__(self, name, _f(getattr(self, name)))
        n = self.coeff_rows.size
        if self.coeff_cols.size != n or self.coeff_values.size != n:
            raise InputDataError("coeff_rows, coeff_cols and coeff_values must have equal length")
        if not (self.row_index.size == self.row_lower.size == self.row_upper.size):
            raise InputDataError("row_index, row_lower and row_upper must have equal length")
        if not (self.col_index.size == self.col_lower.size == self.col_upper.size):
            raise InputDataError("col_index, col_lower and col_upper must have equal length")
        if self.cost_index.size != self.cost_values.size:
            raise InputDataError("cost_index and cost_values must have equal length")
        if self.sense not in (None, "min", "max"):
            raise InputDataError(f"sense={self.sense!r} is not allowed; use 'min', 'max' or None")

    def is_empty(self) -> bool:
        """True when the update changes nothing."""
        return (
            self.coeff_rows.size == 0
            and self.row_index.size == 0
            and self.col_index.size == 0
            and self.cost_index.size == 0
            and self.sense is None
        )

    def merge(self, other: LPUpdate | None) -> LPUpdate:
        """Combine two updates; where both set the same entry, ``other`` wins."""
        if other is None:
            return self
        cat = np.concatenate
        return LPUpdate(
            coeff_rows=cat([self.coeff_rows, other.coeff_rows]),
            coeff_cols=cat([self.coeff_cols, other.coeff_cols]),
            coeff_values=cat([self.coeff_values, other.coeff_values]),
            row_index=cat([self.row_index, other.row_index]),
            row_lower=cat([self.row_lower, other.row_lower]),
            row_upper=cat([self.row_upper, other.row_upper]),
            col_index=cat([self.col_index, other.col_index]),
            col_lower=cat([self.col_lower, other.col_lower]),
            col_upper=cat([self.col_upper, other.col_upper]),
            cost_index=cat([self.cost_index, other.cost_index]),
            cost_values=cat([self.cost_values, other.cost_values]),
            sense=other.sense if other.sense is not None else self.sense,
        )


@dataclass(frozen=True, eq=False)
class LPSolution:
    """Result of one solve.

    Attributes
    ----------
    status : str
        One of :data:`STATUSES`.
    objective : float
        Optimal objective value in the problem's own sense; NaN unless ``status ==
        "optimal"``.
    x : ndarray or None
        Primal values (``n_cols``).
    row_duals : ndarray or None
        ``d objective / d rhs`` per row (``n_rows``); see the sign convention above.
    col_duals : ndarray or None
        Reduced costs (``n_cols``).
    iterations : int
        Simplex (or other) iterations used, when the backend reports them; else -1.
    message : str
        Backend-specific detail for non-optimal outcomes.
    columns : ndarray of int or None
        None (every backend session): ``x`` and ``col_duals`` hold all columns.  A
        session that solves on a working set of the base problem's columns
        (:class:`ColumnGeneration`) sets it to the base-problem column of each entry of
        ``x``; every column not listed is 0.  Read such solutions with
        :meth:`column_value` and :meth:`x_nonzero`, which work for both forms.
    """

    status: str
    objective: float = float("nan")
    x: np.ndarray | None = None
    row_duals: np.ndarray | None = None
    col_duals: np.ndarray | None = None
    iterations: int = -1
    message: str = ""
    columns: np.ndarray | None = None

    @property
    def ok(self) -> bool:
        """True when the status is ``"optimal"``."""
        return self.status == "optimal"

    def column_value(self, j: int) -> float:
        """Primal value of base-problem column ``j`` (NaN when there is no ``x``)."""
        if self.x is None:
            return float("nan")
        if self.columns is None:
            return float(self.x[j])
        hit = np.flatnonzero(self.columns == j)
        return float(self.x[hit[0]]) if hit.size else 0.0

    def x_nonzero(self) -> tuple[np.ndarray, np.ndarray]:
        """(base-problem column indices, values) of the non-zero entries of ``x``, sorted
        by column (empty when there is no ``x``)."""
        if self.x is None:
            return np.empty(0, np.int64), np.empty(0)
        x = np.asarray(self.x, dtype=float)
        nz = np.flatnonzero(x)
        if self.columns is None:
            return nz, x[nz]
        idx = np.asarray(self.columns, dtype=np.int64)[nz]
        order = np.argsort(idx, kind="stable")
        return idx[order], x[nz][order]


@runtime_checkable
class LPSession(Protocol):
    """A backend's open solver state for one base problem (see module docstring)."""

    def solve(self, update: LPUpdate | None = None) -> LPSolution:
        """Solve *base problem + update* (updates are not cumulative)."""
        ...

    def close(self) -> None:
        """Release solver resources."""
        ...


class BaseSession(abc.ABC):
    """Convenience base class for sessions: context manager plus ``problem`` attribute."""

    def __init__(self, problem: LPProblem) -> None:
        self.problem = problem

    @abc.abstractmethod
    def solve(self, update: LPUpdate | None = None) -> LPSolution:
        """Solve *base problem + update*."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release solver resources (default: nothing to do)."""

    def __enter__(self) -> BaseSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _limit_options(time_limit: float | None, tolerance: float | None) -> dict[str, float]:
    """HiGHS option names and values for the ``time_limit`` and ``tolerance`` options.

    The same names serve ``highspy.Highs.setOptionValue`` and
    ``scipy.optimize.linprog(method="highs", options=...)``; ``tolerance`` sets both the
    primal and the dual feasibility tolerance.
    """
    opts: dict[str, float] = {}
    if time_limit is not None:
        opts["time_limit"] = float(time_limit)
    if tolerance is not None:
        opts["primal_feasibility_tolerance"] = float(tolerance)
        opts["dual_feasibility_tolerance"] = float(tolerance)
    return opts


class SessionBackend:
    """Base class of backends whose ``open`` just builds ``session_class(problem, **options)``.

    Subclasses set ``name`` and ``session_class``.
    """

    name: str = ""
    session_class: type[BaseSession]

    def open(self, problem: LPProblem, **options: Any) -> LPSession:
        """Open a session on ``problem``; ``options`` go to ``session_class``."""
        return self.session_class(problem, **options)


@runtime_checkable
class LPBackend(Protocol):
    """A solver backend: ``name`` and ``open(problem, **options) -> LPSession``.

    Options every backend accepts (and may ignore): ``time_limit`` (seconds per solve),
    ``tolerance`` (primal/dual feasibility tolerance).
    """

    name: str

    def open(self, problem: LPProblem, **options: Any) -> LPSession:
        """Open a session on ``problem``."""
        ...


class LPFamily:
    """One base LP plus a per-unit update (and optionally a second stage).

    Subclass it, or instantiate it with callables.  Instances are sent to joblib workers,
    so they (and the callables) must be picklable (cloudpickle is used for functions).

    Parameters
    ----------
    problem : LPProblem
        The shared base LP.
    n_units : int
        Number of units ``k = 0 .. n_units - 1``.
    unit_update : callable, optional
        ``unit_update(k) -> LPUpdate``; default: no change.
    second_stage : callable, optional
        ``second_stage(k, first: LPSolution) -> LPUpdate | None``; called only when the
        first solve is optimal.  The returned update replaces the unit update for a second
        solve on the same (hot) model; ``None`` skips it.
    """

    def __init__(
        self,
        problem: LPProblem,
        n_units: int,
        unit_update: Callable[[int], LPUpdate] | None = None,
        second_stage: Callable[[int, LPSolution], LPUpdate | None] | None = None,
    ) -> None:
        self.problem = problem
        self.n_units = int(n_units)
        self._unit_update = unit_update
        self._second_stage = second_stage

    def unit_update(self, k: int) -> LPUpdate:
        """The update giving unit ``k``'s LP."""
        return self._unit_update(k) if self._unit_update is not None else LPUpdate()

    def second_stage(self, k: int, first: LPSolution) -> LPUpdate | None:
        """The second-stage update for unit ``k`` (None: no second stage)."""
        return self._second_stage(k, first) if self._second_stage is not None else None


@dataclass(frozen=True, eq=False)
class LPBatchResult:
    """Solutions of an :class:`LPFamily` for several units (row ``i`` <-> ``units[i]``).

    Attributes
    ----------
    units : ndarray of int
        The unit indices solved, in order.
    objective : ndarray
        First-stage optimal objective values (NaN when not optimal).
    status : ndarray of str
        First-stage statuses.
    status2 : ndarray of str
        Second-stage statuses (``""`` when no second stage was run).
    x : scipy.sparse.csr_matrix or ndarray
        Primal values of the *last* stage solved for each unit (``n_units x n_cols``);
        rows of non-optimal units are zero (check ``status``).
    row_duals : ndarray
        First-stage row duals (``n_units x n_rows``), NaN rows when not optimal.
    iterations : ndarray of int
        Total iterations per unit (both stages), -1 when unknown.
    """

    units: np.ndarray
    objective: np.ndarray
    status: np.ndarray
    status2: np.ndarray
    x: Any
    row_duals: np.ndarray
    iterations: np.ndarray


_NO_X = (np.empty(0, np.int64), np.empty(0))


def _trusted_update(**fields: Any) -> LPUpdate:
    """An :class:`LPUpdate` from arrays already of the right dtypes and equal lengths
    (skips the checks of ``__post_init__``; for updates derived from checked ones)."""
    u = object.__new__(LPUpdate)
    for name, value in fields.items():
        object.__setattr__(u, name, value)
    return u


@dataclass(eq=False, slots=True)
class UnitOutcome:
    """What a :class:`SolveStrategy` reports for one unit (one row of the batch).

    A plain record: a strategy may adjust the default's outcome before returning it
    (e.g. ``out.status2 = "skipped"``).

    Attributes
    ----------
    status : str
        The unit's status (first stage, or the model's own procedure).
    objective : float
        The unit's value (the first-stage optimum for two-stage solves); NaN unless
        ``status == "optimal"``.
    row_duals : ndarray or None
        First-stage row duals (``n_rows``).
    solution : LPSolution or None
        The solution whose ``x`` is kept (the last optimal stage); None when not optimal.
    status2 : str
        Second-stage status, ``""`` when none was run (a model may use its own word,
        e.g. ``"skipped"``).
    iterations : int
        Total iterations of all solves for the unit, -1 when unknown.
    """

    status: str
    objective: float = float("nan")
    row_duals: np.ndarray | None = None
    solution: LPSolution | None = None
    status2: str = ""
    iterations: int = -1

    @property
    def ok(self) -> bool:
        """True when the status is ``"optimal"``."""
        return self.status == "optimal"


def _add_iterations(a: int, b: int) -> int:
    return a + b if a >= 0 and b >= 0 else a


class SolveStrategy:
    """How :func:`solve_family` solves the units of one chunk (the default: hot start).

    The loop in :func:`solve_family` owns chunking, ``n_jobs``, per-unit status and
    result assembly; a strategy owns what happens inside one chunk, in two hooks that a
    model may override (subclass; instances are sent to workers, so keep them
    picklable):

    * :meth:`open_session` opens the chunk's session (default: one backend session on
      ``family.problem``, so that every solve hot-starts from the previous basis;
      :class:`ColumnGeneration` opens a working-set session instead);
    * :meth:`solve_unit` solves one unit on that session (default: the first stage
      ``family.unit_update(k)``, then, if it is optimal and ``family.second_stage``
      returns an update, the second stage on the same hot model).  A model whose unit
      needs a sequence of LPs (e.g. a search over a parameter) overrides it.
    """

    def open_session(self, family: LPFamily, solver: str, options: dict[str, Any]) -> LPSession:
        """Open the session a chunk's units are solved on."""
        return get_backend(solver).open(family.problem, **options)

    def solve_unit(self, session: LPSession, family: LPFamily, k: int) -> UnitOutcome:
        """Solve unit ``k``: first stage, then the optional second stage."""
        first = session.solve(family.unit_update(k))
        if not first.ok:
            return UnitOutcome(status=first.status, iterations=first.iterations)
        final, status2, iters = first, "", first.iterations
        upd2 = family.second_stage(k, first)
        if upd2 is not None:
            second = session.solve(upd2)
            status2 = second.status
            iters = _add_iterations(iters, second.iterations)
            if second.ok:
                final = second
        return UnitOutcome(
            status="optimal",
            objective=first.objective,
            row_duals=first.row_duals,
            solution=final,
            status2=status2,
            iterations=iters,
        )


class ColumnGeneration(SolveStrategy):
    """Solve every LP on a working set of *candidate* columns, priced against all of them.

    For families with many columns of which few are non-zero at any optimum (DEA's
    lambda columns).  The chunk's session holds the non-candidate columns of
    ``family.problem`` plus a working set W of candidates (``initial`` first).  After each
    solve the reduced costs ``c_j - A_j' y`` of all candidates are computed from the row
    duals; candidates that would improve the objective by more than ``tolerance`` (at
    most ``batch`` per round, most improving first) are appended to the open model, whose
    basis is kept, and the LP is re-solved, so the returned solution is optimal for the
    full LP (exact, certified by pricing).  If the LP on W is infeasible, the full LP is
    solved instead (on a second session opened when first needed) and the candidates in
    its solution join W.  W grows over the chunk's units.

    Updates are given in ``family.problem``'s coordinates, as always.  Candidates must
    have lower bound 0 in the base problem (a candidate outside W is at 0).  An update
    that fixes a candidate at 0 removes it from pricing for that solve; an update that
    changes a candidate's coefficients, cost or bounds otherwise first brings it into W.
    Solutions list the base columns they hold in ``LPSolution.columns``; ``col_duals`` are
    not reported.  Backends whose sessions cannot ``add_columns`` solve the full LP.

    Parameters
    ----------
    candidates : array_like of int
        Columns of ``family.problem`` that may be left out of the working set.
    initial : array_like of int, optional
        Candidates in the first working set (default: none).
    batch : int, default 8
        Most candidates added per pricing round.
    tolerance : float, default 1e-9
        Reduced-cost improvement above which a candidate is added.
    ignore : array_like of int, optional
        Columns the caller has proven can never improve any LP of the family while
        the candidates are priced (e.g. DEA units spanned by a frame of other units):
        they are never brought into the working set and never priced, so pricing costs
        O(candidates).  Lower bound 0 in the base problem; an update may only fix them
        at 0.  The full-LP fallback (working set infeasible) still holds them.
    pricing : bool, default True
        False when the caller knows that ``initial`` suffices for every LP of the family
        (e.g. a frame that spans the technology, so no other candidate can improve any
        objective): each LP is then solved on the working set alone (still falling back
        to the full LP when that is infeasible).  A strategy may switch pricing on for
        single solves with ``session.pricing = True`` (e.g. a unit whose update fixes a
        working-set column at 0).
    unit_columns : array_like of int, optional
        One entry per unit of the family: a candidate column brought into the working
        set before unit ``k`` is solved (``-1``: none), e.g. the evaluated unit's own
        lambda column, which makes every envelopment LP of a unit in the reference set
        feasible on the working set (no full-LP fallback).  Only speed depends on it:
        the solution is certified by pricing either way.
    """

    def __init__(
        self,
        candidates: Any,
        initial: Any = None,
        *,
        batch: int = 8,
        tolerance: float = 1e-9,
        pricing: bool = True,
        ignore: Any = None,
        unit_columns: Any = None,
    ) -> None:
        self.candidates = np.asarray(candidates, dtype=np.int64).ravel()
        self.ignore = np.asarray([] if ignore is None else ignore, dtype=np.int64).ravel()
        if np.isin(self.ignore, self.candidates).any():
            raise InputDataError("ColumnGeneration: a column cannot be candidate and ignored")
        self.initial = np.asarray([] if initial is None else initial, dtype=np.int64).ravel()
        if not np.isin(self.initial, self.candidates).all():
            raise InputDataError("ColumnGeneration: initial columns must be candidates")
        self.batch = max(1, int(batch))
        self.tolerance = float(tolerance)
        self.pricing = bool(pricing)
        self.unit_columns = (
            None if unit_columns is None else np.asarray(unit_columns, dtype=np.int64).ravel()
        )
        self._cache: tuple[int, np.ndarray] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = None  # rebuilt in the worker
        return state

    def solve_unit(self, session: LPSession, family: LPFamily, k: int) -> UnitOutcome:
        """Bring unit ``k``'s column (``unit_columns``) into the working set, then solve
        as :class:`SolveStrategy` does."""
        if self.unit_columns is not None and isinstance(session, _WorkingSetSession):
            session.include(self.unit_columns[k : k + 1])
        return super().solve_unit(session, family, k)

    def _candidate_rows(self, problem: LPProblem) -> np.ndarray:
        """Candidates' constraint columns as dense rows (n_candidates x n_rows), cached."""
        if self._cache is None or self._cache[0] != id(problem):
            rows = np.ascontiguousarray(problem.A[:, self.candidates].T.toarray())
            self._cache = (id(problem), rows)
        return self._cache[1]

    def open_session(self, family: LPFamily, solver: str, options: dict[str, Any]) -> LPSession:
        """A working-set session (plain session if the backend cannot add columns)."""
        backend = get_backend(solver)
        session = _WorkingSetSession(family.problem, self, backend, options)
        if session.supported:
            return session
        session.close()
        return backend.open(family.problem, **options)


class _WorkingSetSession(BaseSession):
    """The session :class:`ColumnGeneration` opens (see there)."""

    def __init__(
        self,
        problem: LPProblem,
        strategy: ColumnGeneration,
        backend: LPBackend,
        options: dict[str, Any],
    ) -> None:
        super().__init__(problem)
        cand = strategy.candidates
        if cand.size and (cand.min() < 0 or cand.max() >= problem.n_cols):
            raise InputDataError("ColumnGeneration: candidate column out of range")
        ign = strategy.ignore
        if ign.size and (ign.min() < 0 or ign.max() >= problem.n_cols):
            raise InputDataError("ColumnGeneration: ignored column out of range")
        if (problem.col_lower[cand] != 0.0).any() or (problem.col_lower[ign] != 0.0).any():
            raise InputDataError(
                "ColumnGeneration: candidate and ignored columns need lower bound 0"
            )
        self._strategy, self._backend, self._options = strategy, backend, options
        self._cand = cand
        self._cand_pos = np.full(problem.n_cols, -1, dtype=np.int64)  # column -> candidate
        self._cand_pos[cand] = np.arange(cand.size)
        self._rows = strategy._candidate_rows(problem)
        self._cost = problem.cost[cand]
        self._zero_cost = not self._cost.any()
        self._fixed = np.flatnonzero(problem.col_upper[cand] <= 0.0)  # never worth adding
        self._head = np.ones(problem.n_cols, dtype=bool)  # always in the model
        self._head[cand] = False
        self._head[ign] = False
        head = np.flatnonzero(self._head)
        init = strategy.initial
        self._cols = np.concatenate([head, init])  # local column -> base column
        self._loc = np.full(problem.n_cols, -1, dtype=np.int64)  # base column -> local
        self._loc[self._cols] = np.arange(self._cols.size)
        self._ws_pos = self._cand_pos[init]  # candidate positions in the working set
        sub = LPProblem(
            A=problem.A[:, self._cols],
            row_lower=problem.row_lower,
            row_upper=problem.row_upper,
            col_lower=problem.col_lower[self._cols],
            col_upper=problem.col_upper[self._cols],
            cost=problem.cost[self._cols],
            sense=problem.sense,
            name=problem.name,
        )
        self._ws: Any = backend.open(sub, **options)
        self.supported = hasattr(self._ws, "add_columns")
        self.pricing = strategy.pricing
        self._full: Any = None

    def _add(self, base_cols: np.ndarray) -> None:
        p = self.problem
        pos = self._cand_pos[base_cols]
        block = sp.csc_matrix(self._rows[pos].T)  # = A[:, base_cols], built faster
        lo, up, cost = p.col_lower[base_cols], p.col_upper[base_cols], p.cost[base_cols]
        self._ws.add_columns(block, lo, up, cost)
        self._loc[base_cols] = self._cols.size + np.arange(base_cols.size)
        self._cols = np.concatenate([self._cols, base_cols])
        self._ws_pos = np.concatenate([self._ws_pos, pos])

    def include(self, base_cols: Any) -> None:
        """Add candidate columns ``base_cols`` to the working set (others are skipped)."""
        cols = np.asarray(base_cols, dtype=np.int64).ravel()
        cols = cols[(cols >= 0) & (cols < self.problem.n_cols)]
        cols = cols[(self._cand_pos[cols] >= 0) & (self._loc[cols] < 0)]
        if cols.size:
            self._add(np.unique(cols))

    def _localise(self, u: LPUpdate) -> tuple[LPUpdate, np.ndarray]:
        """The update in working-set columns, and the candidates it fixes at 0."""
        cp, ci = self._cand_pos, u.col_index
        n_coeff, n_cost = u.coeff_cols.size, u.cost_index.size
        cols = np.concatenate((u.coeff_cols, u.cost_index, ci))
        if self._head[cols].all():  # only head columns: always in the model
            local_cols = self._loc[cols].astype(np.int32)
            lc = local_cols[n_coeff + n_cost :]
            lo, up = u.col_lower, u.col_upper
            fixed = _NO_X[0]
        else:
            zero_fix = (u.col_lower == 0.0) & (u.col_upper == 0.0)
            touched = np.concatenate((u.coeff_cols, u.cost_index, ci[~zero_fix]))
            if not (self._head[touched] | (cp[touched] >= 0)).all():
                raise InputDataError(
                    "ColumnGeneration: an update may only fix an ignored column at 0"
                )
            need = touched[cp[touched] >= 0]
            need = need[self._loc[need] < 0]
            if need.size:
                self._add(np.unique(need).astype(np.int64))
            local_cols = self._loc[cols].astype(np.int32)
            lc = local_cols[n_coeff + n_cost :]
            keep = lc >= 0
            fixed = cp[ci[zero_fix]]
            fixed = fixed[fixed >= 0]
            if keep.all():
                lo, up = u.col_lower, u.col_upper
            else:
                lc, lo, up = lc[keep], u.col_lower[keep], u.col_upper[keep]
        local = _trusted_update(
            coeff_rows=u.coeff_rows,
            coeff_cols=local_cols[:n_coeff],
            coeff_values=u.coeff_values,
            row_index=u.row_index,
            row_lower=u.row_lower,
            row_upper=u.row_upper,
            col_index=lc,
            col_lower=lo,
            col_upper=up,
            cost_index=local_cols[n_coeff : n_coeff + n_cost],
            cost_values=u.cost_values,
            sense=u.sense,
        )
        return local, fixed

    def solve(self, update: LPUpdate | None = None) -> LPSolution:
        """Solve *base problem + update* to full-LP optimality by pricing."""
        u = update if update is not None else LPUpdate()
        maximise = (u.sense or self.problem.sense) == "max"
        iters = 0
        # Columns added by pricing are never ones the update touches (those were brought
        # in first) or fixes at 0 (priced out), so the local update stays valid.
        local, fixed = self._localise(u)
        while True:
            sol = self._ws.solve(local)
            iters = _add_iterations(iters, sol.iterations)
            if not sol.ok:
                if self._full is None:
                    self._full = self._backend.open(self.problem, **self._options)
                full = self._full.solve(u)
                if full.ok:
                    nz = np.flatnonzero(full.x)
                    new = nz[(self._cand_pos[nz] >= 0) & (self._loc[nz] < 0)]
                    if new.size:
                        self._add(new)
                return full
            if not self.pricing:
                return self._working_solution(sol, iters)
            price = self._rows @ sol.row_duals  # A_j' y
            if self._zero_cost:
                gain = -price if maximise else price
            else:
                gain = self._cost - price if maximise else price - self._cost
            gain[self._ws_pos] = 0.0
            gain[self._fixed] = 0.0
            gain[fixed] = 0.0
            cand = np.flatnonzero(gain > self._strategy.tolerance)
            if cand.size == 0:
                return self._working_solution(sol, iters)
            batch = self._strategy.batch
            if cand.size > batch:
                cand = cand[np.argsort(-gain[cand], kind="stable")[:batch]]
            self._add(self._cand[cand])

    def _working_solution(self, sol: LPSolution, iters: int) -> LPSolution:
        return LPSolution(
            status=sol.status,
            objective=sol.objective,
            x=sol.x,
            row_duals=sol.row_duals,
            iterations=iters,
            message=sol.message,
            columns=self._cols,
        )

    def close(self) -> None:
        """Close the working-set and (if opened) the full-LP session."""
        for sess in (self._ws, self._full):
            if sess is not None:
                sess.close()
        self._ws = self._full = None


def _solve_chunk(
    units: Sequence[int],
    family: LPFamily,
    backend: str,
    options: dict[str, Any],
    dense_x: bool,
    strategy: SolveStrategy | None = None,
) -> LPBatchResult:
    strategy = strategy if strategy is not None else SolveStrategy()
    prob = family.problem
    n = len(units)
    obj = np.full(n, np.nan)
    status = np.empty(n, dtype=object)
    status2 = np.full(n, "", dtype=object)
    duals = np.full((n, prob.n_rows), np.nan)
    iters = np.full(n, -1, dtype=np.int64)
    xs: list[np.ndarray] = []
    nz_idx: list[np.ndarray] = []
    nz_val: list[np.ndarray] = []
    session = strategy.open_session(family, backend, options) if n else None
    try:
        for i, k in enumerate(units):
            out = strategy.solve_unit(session, family, int(k))
            status[i] = out.status
            status2[i] = out.status2
            iters[i] = out.iterations
            sol = out.solution if out.ok else None
            if out.ok:
                obj[i] = out.objective
                duals[i] = out.row_duals
            if dense_x:
                if sol is None or sol.x is None:
                    xs.append(np.zeros(prob.n_cols))
                elif sol.columns is None:
                    xs.append(np.asarray(sol.x, dtype=float))
                else:
                    x = np.zeros(prob.n_cols)
                    x[sol.columns] = sol.x
                    xs.append(x)
            else:
                idx, val = sol.x_nonzero() if sol is not None else _NO_X
                nz_idx.append(idx)
                nz_val.append(val)
    finally:
        if session is not None:
            session.close()
    if dense_x:
        X = np.vstack(xs) if xs else np.zeros((0, prob.n_cols))
    else:
        indptr = np.concatenate([[0], np.cumsum([a.size for a in nz_idx])]).astype(np.int64)
        X = sp.csr_matrix(
            (
                np.concatenate(nz_val) if nz_val else np.empty(0),
                np.concatenate(nz_idx) if nz_idx else np.empty(0, np.int64),
                indptr,
            ),
            shape=(n, prob.n_cols),
        )
    return LPBatchResult(
        units=np.asarray(units, dtype=np.int64),
        objective=obj,
        status=status.astype(str),
        status2=status2.astype(str),
        x=X,
        row_duals=duals,
        iterations=iters,
    )


def solve_family(
    family: LPFamily,
    units: Sequence[int] | None = None,
    *,
    solver: str = "highs",
    n_jobs: int = 1,
    chunk_size: int | None = None,
    progress: bool = False,
    dense_x: bool = False,
    options: dict[str, Any] | None = None,
    strategy: SolveStrategy | None = None,
) -> LPBatchResult:
    """Solve an :class:`LPFamily` for many units.

    The one solve loop of :mod:`dea`: every model's per-unit LPs go through it (chunks,
    ``n_jobs``, per-unit status, two stages); a model changes *how* a chunk is solved
    with a ``strategy``, never by a loop of its own.

    Parameters
    ----------
    family : LPFamily
        Base problem plus per-unit update (and optional second stage).
    units : sequence of int, optional
        Which units to solve (default: all ``range(family.n_units)``).
    solver : str, default "highs"
        Backend name, see :func:`dea.solvers.available_backends`.
    n_jobs : int, default 1
        joblib workers; chunks of units per task, one session per chunk built in the
        worker.  No joblib backend is hard-coded: wrap the call in
        ``joblib.parallel_config(backend=...)`` to choose one (e.g. dask).
    chunk_size : int, optional
        Units per task (default ``max(50, ceil(n / 64))``, independent of ``n_jobs`` so
        that hot-started results are identical for any ``n_jobs``).
    progress : bool, default False
        Report progress on stderr.
    dense_x : bool, default False
        Return ``x`` as a dense array instead of a CSR matrix.
    options : dict, optional
        Passed to ``backend.open`` (``time_limit``, ``tolerance``).
    strategy : SolveStrategy, optional
        How each chunk opens its session and solves a unit (default
        :class:`SolveStrategy`: one hot-started backend session per chunk, first stage
        then second stage).  :class:`ColumnGeneration` solves on a working set of
        columns; a model may subclass either (e.g. a sequence of LPs per unit).  Sent to
        the workers, so it must be picklable.

    Returns
    -------
    LPBatchResult
        Results in the order of ``units``; identical for any ``n_jobs``.  ``objective``,
        ``status``, ``status2`` and ``row_duals`` are the strategy's
        :class:`UnitOutcome` fields; ``x`` holds its ``solution``'s primal values in
        ``family.problem``'s columns.

    Raises
    ------
    SolverError
        If the backend cannot be used at all.
    """
    units_arr = (
        np.arange(family.n_units) if units is None else np.asarray(units, dtype=np.int64)
    )
    opts = dict(options or {})
    parts = map_chunks(
        _solve_chunk,
        units_arr,
        family,
        solver,
        opts,
        dense_x,
        strategy,
        n_jobs=n_jobs,
        chunk_size=chunk_size,
        progress=progress,
    )
    if not parts:
        parts = [_solve_chunk([], family, solver, opts, dense_x, strategy)]
    X = np.vstack([p.x for p in parts]) if dense_x else sp.vstack([p.x for p in parts]).tocsr()
    return LPBatchResult(
        units=np.concatenate([p.units for p in parts]),
        objective=np.concatenate([p.objective for p in parts]),
        status=np.concatenate([p.status for p in parts]),
        status2=np.concatenate([p.status2 for p in parts]),
        x=X,
        row_duals=np.vstack([p.row_duals for p in parts]),
        iterations=np.concatenate([p.iterations for p in parts]),
    )
