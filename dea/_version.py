"""The toolkit's version, read from the installed distribution's metadata.

``pyproject.toml`` is the one place the version is written; ``dea.__version__``,
``weighting.__version__``, ``socialperf.__version__``, ``socialperf --version`` and every
report read it from here.
"""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "socialperf"


def distribution_version() -> str:
    """The installed ``socialperf`` distribution's version (``"0+unknown"`` if not installed).

    Returns
    -------
    str
        For example ``0.1.0``.
    """
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # a source tree never installed
        return "0+unknown"
