"""Solver backends behind one LP protocol (see :mod:`dea.solvers.base`).

Registered names: ``"highs"`` (default; hot-started HiGHS model per worker),
``"scipy"`` (``scipy.optimize.linprog`` per LP, the simple reference) and ``"pulp"``
(readable formulations, other solvers, LP/MPS export; imported lazily from
:mod:`dea.solvers.pulp`).
"""

from __future__ import annotations

from dea.solvers.base import (
    ColumnGeneration,
    LPBackend,
    LPBatchResult,
    LPFamily,
    LPProblem,
    LPSession,
    LPSolution,
    LPUpdate,
    SessionBackend,
    SolveStrategy,
    UnitOutcome,
    solve_family,
)
from dea.solvers.registry import available_backends, get_backend, register_backend

__all__ = [
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
    "available_backends",
    "get_backend",
    "register_backend",
    "solve_family",
]
