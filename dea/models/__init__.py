"""DEA models, one module per family; each builds its LPs from validated arrays."""

from dea.models.fdh import FDH
from dea.models.radial import Radial, scale_efficiency

__all__ = ["FDH", "Radial", "scale_efficiency"]
