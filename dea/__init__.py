"""dea: data envelopment analysis as linear programs, with interchangeable solver backends."""

from dea.data import DEAData, prepare
from dea.exceptions import (
    DEAError,
    FewUnitsWarning,
    InfeasibleUnitWarning,
    InputDataError,
    SolverError,
)
from dea.models import FDH, Radial, scale_efficiency
from dea.models.bod import BoD, BoDResult
from dea.results import EFFICIENCY_TOL, DEAResult

__all__ = [
    "EFFICIENCY_TOL",
    "FDH",
    "BoD",
    "BoDResult",
    "DEAData",
    "DEAError",
    "DEAResult",
    "FewUnitsWarning",
    "InfeasibleUnitWarning",
    "InputDataError",
    "Radial",
    "SolverError",
    "prepare",
    "scale_efficiency",
]
__version__ = "0.1.0"
