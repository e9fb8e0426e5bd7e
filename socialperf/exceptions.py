"""Exception and warning classes of the ``socialperf`` package.

They subclass the toolkit roots in :mod:`dea.exceptions`, so ``except dea.InputDataError``
catches bad input from any layer. One message style: what is wrong, where (file row,
column, unit labels, parameter), and what is allowed.
"""

from __future__ import annotations

from dea.exceptions import InputDataError, format_labels

__all__ = [
    "CatalogueError",
    "HoldingsCycleError",
    "HoldingsError",
    "InputDataError",
    "LowCoverageWarning",
    "MissingBlockWarning",
    "MissingColumnWarning",
    "MissingIndicatorWarning",
    "OutputFolderError",
    "UnsafeInputError",
    "format_labels",
]


class CatalogueError(InputDataError):
    """The indicator catalogue is malformed; the message names the row and the column."""


class HoldingsError(InputDataError):
    """A holdings table is invalid: unknown units, non-positive amounts, duplicates, currencies."""


class HoldingsCycleError(HoldingsError):
    """Funds of funds hold each other in a cycle, so look-through exposure is undefined.

    Attributes
    ----------
    cycle : list
        The MIV labels on the cycle, in holding order (the first one is repeated at the end).
    """

    def __init__(self, message: str, cycle: list[object]) -> None:
        super().__init__(message)
        self.cycle = cycle

    def __reduce__(self) -> tuple[object, ...]:  # copy and pickle (worker processes)
        return (type(self), (str(self), self.cycle))


class UnsafeInputError(InputDataError):
    """An input file is refused before or while parsing: larger than the input limit, an
    archive that expands beyond the expansion limit, or XML that a safe parser does not
    accept (see :mod:`socialperf.safety`)."""


class OutputFolderError(InputDataError):
    """A report folder cannot be written without overwriting or deleting a file socialperf
    did not write, or without following a symbolic link (see
    :class:`socialperf.safety.OutputFolder`)."""


class LowCoverageWarning(UserWarning):
    """Some MIVs have less than the required share of their exposure in scored MFIs."""


class MissingBlockWarning(UserWarning):
    """Some MIVs have no MIV-level indicator row (or only missing values), so no index.

    They are listed in ``MIVScores.excluded`` with the reason "no MIV-level indicators".
    """


class MissingColumnWarning(UserWarning):
    """A user's MFI file lacks a catalogue column entirely (not just some cells).

    The indicator computed from it is left out of every scheme that would use it; the
    message names the column, the indicator and those schemes, and the study report shows
    the same note.
    """


class MissingIndicatorWarning(UserWarning):
    """Some MIV-level indicator values are missing; the block re-weights the others."""


def _with_context(exc: InputDataError, prefix: str) -> InputDataError:
    """A copy of ``exc`` whose message starts with ``prefix`` (e.g. the file it came from).

    The copy keeps the class and its attributes (such as :attr:`HoldingsCycleError.cycle`),
    so a subclass with extra constructor arguments is re-raised, not turned into a
    ``TypeError``.
    """
    message = f"{prefix}{exc}"
    out = type(exc).__new__(type(exc), message)
    out.__dict__.update(exc.__dict__)
    out.args = (message,)
    return out
