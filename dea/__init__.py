"""dea: data envelopment analysis as linear programs, with interchangeable solver backends."""

from dea.exceptions import (
    DEAError,
    FewUnitsWarning,
    InfeasibleUnitWarning,
    InputDataError,
    SolverError,
)

__all__ = [
    "DEAError",
    "FewUnitsWarning",
    "InfeasibleUnitWarning",
    "InputDataError",
    "SolverError",
]
__version__ = "0.1.0"
