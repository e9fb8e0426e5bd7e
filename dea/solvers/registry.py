"""The registry of LP backends: name -> backend, imported lazily (see :func:`get_backend`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dea.exceptions import InputDataError, SolverError

if TYPE_CHECKING:
    from dea.solvers.base import LPBackend

# name -> "module:attribute" (imported lazily) or a factory returning a backend
_REGISTRY: dict[str, str | Callable[[], Any]] = {
    "highs": "dea.solvers.highs:HighsBackend",
    "scipy": "dea.solvers.scipy:ScipyBackend",
    "pulp": "dea.solvers.pulp:PulpBackend",
}


def register_backend(name: str, factory: str | Callable[[], Any]) -> None:
    """Register a backend under ``name``.

    Parameters
    ----------
    name : str
        The name users pass as ``solver=``.
    factory : str or callable
        ``"module:attribute"`` of a class/callable, or a zero-argument callable; it must
        return an object with ``name`` and ``open(problem, **options) -> LPSession``.
    """
    _REGISTRY[str(name)] = factory


def available_backends() -> list[str]:
    """Names of the registered backends (whether or not their libraries import)."""
    return sorted(_REGISTRY)


def get_backend(name: str | LPBackend) -> LPBackend:
    """Return the backend registered as ``name`` (a backend object is passed through).

    Parameters
    ----------
    name : str or backend
        ``"highs"``, ``"scipy"``, ``"pulp"`` or another registered name.

    Returns
    -------
    LPBackend

    Raises
    ------
    InputDataError
        If ``name`` is not registered.
    SolverError
        If the backend's module cannot be imported.

    Examples
    --------
    >>> from dea.solvers import available_backends, get_backend
    >>> available_backends()
    ['highs', 'pulp', 'scipy']
    >>> get_backend("scipy").name
    'scipy'
    """
    if not isinstance(name, str):
        return name
    factory = _REGISTRY.get(name)
    if factory is None:
        raise InputDataError(
            f"solver={name!r} is not a known backend; use one of {available_backends()}"
        )
    if isinstance(factory, str):
        mod_name, attr = factory.split(":")
        try:
            mod = importlib.import_module(mod_name)
            factory = getattr(mod, attr)
        except (ImportError, AttributeError) as exc:
            raise SolverError(f"solver={name!r} is not available: {exc}") from exc
    return factory()
