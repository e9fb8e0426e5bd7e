"""dea: data envelopment analysis as linear programs, with interchangeable solver backends."""

from pathlib import Path

from dea._version import distribution_version as _dist_version
from dea.data import DEAData, prepare
from dea.exceptions import (
    DEAError,
    FewUnitsWarning,
    InfeasibleUnitWarning,
    InputDataError,
    SolverError,
)
from dea.models import FDH, Radial, scale_efficiency
from dea.models._base import ORIENTATIONS, RTS_CHOICES
from dea.models._envelope import InefficiencyResult
from dea.models.additive import Additive
from dea.models.bod import BoD, BoDResult
from dea.models.directional import DDF
from dea.models.sbm import SBM, SBMResult
from dea.results import EFFICIENCY_TOL, DEAResult
from dea.solvers.pulp import export_lp as _export_lp

__all__ = [
    "DDF",
    "EFFICIENCY_TOL",
    "FDH",
    "ORIENTATIONS",
    "RTS_CHOICES",
    "SBM",
    "Additive",
    "BoD",
    "BoDResult",
    "DEAData",
    "DEAError",
    "DEAResult",
    "FewUnitsWarning",
    "InefficiencyResult",
    "InfeasibleUnitWarning",
    "InputDataError",
    "Radial",
    "SBMResult",
    "SolverError",
    "export_lp",
    "prepare",
    "scale_efficiency",
]
__version__ = _dist_version()


def export_lp(model: Radial, unit: object, path: str | Path, *, stage: int = 1) -> Path:
    """Write one evaluated unit's LP to an ``.lp`` or ``.mps`` file for audit.

    A thin lazy wrapper around :func:`dea.solvers.pulp.export_lp`, so that ``import dea``
    does not pay PuLP's import time.

    Parameters
    ----------
    model : Radial
        The (unfitted or fitted) model specification.
    unit : label
        The evaluated unit, by the user's label.
    path : str or path-like
        Output file; the suffix ``.lp`` or ``.mps`` picks the format.
    stage : {1, 2}, default 1
        1 writes the radial (phase-1) LP, 2 the slack-maximising phase-2 LP.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputDataError
        Unknown unit, ``stage`` not 1 or 2, a suffix other than ``.lp``/``.mps``,
        ``orientation="graph"`` (a sequence of LPs per unit), a model without the export
        hook, or ``stage=2`` for a unit whose first stage is not optimal.

    Notes
    -----
    The LP written is the one in the Notes of :class:`Radial` (and of
    :func:`dea.solvers.pulp.export_lp`), against every reference unit, in the user's
    units and names.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd, dea
    >>> df = pd.DataFrame({"x": [2.0, 4.0, 8.0], "y": [1.0, 3.0, 4.0]}, index=["A", "B", "C"])
    >>> model = dea.Radial(df, inputs=["x"], outputs=["y"], rts="crs")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = dea.export_lp(model, "C", pathlib.Path(tmp) / "unit_C.lp")
    ...     text = path.read_text()
    >>> "theta" in text and "lambda_B" in text
    True
    """
    return _export_lp(model, unit, path, stage=stage)


from dea.bootstrap import BootstrapResult, bootstrap, bootstrap_bandwidth  # noqa: E402
from dea.models.malmquist import Malmquist  # noqa: E402

__all__ += ["BootstrapResult", "Malmquist", "bootstrap", "bootstrap_bandwidth"]

from dea.models.cross import CrossEfficiency, CrossEfficiencyResult  # noqa: E402

__all__ += ["CrossEfficiency", "CrossEfficiencyResult"]
