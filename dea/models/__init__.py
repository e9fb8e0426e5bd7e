"""DEA models, one module per family; each builds its LPs from validated arrays."""

from dea.models.additive import Additive
from dea.models.directional import DDF
from dea.models.fdh import FDH
from dea.models.radial import Radial, scale_efficiency
from dea.models.sbm import SBM

__all__ = ["DDF", "FDH", "SBM", "Additive", "Radial", "scale_efficiency"]
