"""Exception and warning classes shared by the whole toolkit.

One message style everywhere: *what* is wrong, *where* (column, unit labels,
parameter), and *what is allowed*.  ``weighting`` and ``socialperf`` subclass these
rather than inventing their own roots, so ``except dea.InputDataError`` catches bad
input from any layer.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DEAError",
    "FewUnitsWarning",
    "InfeasibleUnitWarning",
    "InputDataError",
    "SolverError",
    "format_labels",
]


class DEAError(Exception):
    """Root of the toolkit's own exceptions."""


class InputDataError(DEAError, ValueError):
    """User data or a parameter is invalid; the message names the column, unit or option."""


class SolverError(DEAError, RuntimeError):
    """A solver backend failed as a whole (not a single unit's LP: that is a per-unit status)."""


class InfeasibleUnitWarning(UserWarning):
    """Some units' LPs were infeasible or unbounded; their scores are NaN with a status."""


class FewUnitsWarning(UserWarning):
    """Fewer units than the rule of thumb asks for (e.g. n < m + s, or n < 3(m + s))."""


def format_labels(labels: Iterable[object], limit: int = 5, *, quote: bool = True) -> str:
    """Render up to ``limit`` unit or column labels for an error message.

    Parameters
    ----------
    labels : iterable
        The offending labels, in the user's order.
    limit : int, default 5
        How many to show; the rest are counted.
    quote : bool, default True
        Show each label as its ``repr``; False joins them as they are (for labels already
        written out, such as ``"MFI 'A' in 2011 (row 3)"``).

    Returns
    -------
    str
        For example ``"'A', 'B', 'C' and 4 more"``.
    """
    items = list(labels)
    shown = ", ".join(repr(x) if quote else str(x) for x in items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
