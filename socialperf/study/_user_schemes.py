"""A study's own schemes declared inline (``[schemes.<name>]`` tables of the study file)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from socialperf.catalogue import Catalogue, load_catalogue
from socialperf.exceptions import InputDataError
from socialperf.safety import check_input_file
from socialperf.schemes import SCHEMES, mfi_indicator_set
from weighting.scheme import Scheme


def user_scheme(name: str, spec: Mapping[str, Any], catalogue: Catalogue) -> Scheme:
    """The ``weighting.Scheme`` of an inline ``[schemes.<name>]`` table.

    Parameters
    ----------
    name : str
        The table's key: the scheme's name in scores, comparison and report.
    spec : mapping
        :meth:`weighting.Scheme.from_dict`'s format (``indicators``, ``normalisation``,
        ``weights``, ``aggregation``, ``dimension_weights``, ``missing``, ...), except that
        ``indicators`` may be a list of catalogue names: their scale and direction then
        come from the catalogue, as in the built-in schemes.
    catalogue : Catalogue

    Returns
    -------
    weighting.Scheme

    Raises
    ------
    InputDataError
        A ``name`` key that differs from the table's key, an unknown catalogue indicator,
        or an invalid spec (the message of :meth:`weighting.Scheme.from_dict`).
    """
    spec = dict(spec)
    given = spec.pop("name", name)
    if given != name:
        raise InputDataError(
            f"name = {given!r} differs from the table's name {name!r}; drop the name key"
        )
    ind = spec.get("indicators")
    if isinstance(ind, list) and ind and all(isinstance(v, str) for v in ind):
        unknown = [v for v in ind if v not in catalogue]
        if unknown:
            raise InputDataError(f"indicators {unknown} are not in the catalogue")
        spec["indicators"] = [i.to_dict() for i in mfi_indicator_set(catalogue, ind)]
    return Scheme.from_dict({**spec, "name": name})


class UserSchemeError(InputDataError):
    """An invalid ``[schemes.<name>]`` table: the study key, the problem, what is allowed."""

    def __init__(self, key: str, problem: str, allowed: str) -> None:
        super().__init__(f"{key}: {problem}; {allowed}")
        self.key, self.problem, self.allowed = key, problem, allowed


def read_user_schemes(
    table: Any, catalogue_path: Any, taken: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The ``[schemes.<name>]`` tables of a study, each checked by building its Scheme.

    Parameters
    ----------
    table : mapping
        The study file's ``schemes`` table (name -> spec).
    catalogue_path : path, optional
        The study's ``data.catalogue`` (default the bundled catalogue).
    taken : sequence of str
        Scheme names already in use (built-in ones, scheme files).

    Returns
    -------
    dict of str to dict
        The specs, by name, as written.

    Raises
    ------
    UserSchemeError
        Naming the study key ``schemes.<name>``.
    """
    if not isinstance(table, Mapping):
        raise UserSchemeError("schemes", "expected a table", "write [schemes.my_scheme] tables")
    out: dict[str, dict[str, Any]] = {}
    cat = load_catalogue(catalogue_path) if table else None
    for name, spec in table.items():
        key = f"schemes.{name}"
        if not isinstance(spec, Mapping):
            raise UserSchemeError(key, "expected a table", f"write [{key}] with keys under it")
        if name.lower() in taken or name in taken:
            raise UserSchemeError(
                key,
                f"{name!r} is already a scheme name (built-in or a scheme file)",
                "give your scheme another name",
            )
        try:
            user_scheme(name, spec, cat)
        except InputDataError as exc:
            raise UserSchemeError(
                key, str(exc), "see weighting.Scheme.from_dict for the format"
            ) from exc
        out[name] = dict(spec)
    return out


def user_schemes(
    specs: Mapping[str, Any], catalogue: Catalogue | None = None, catalogue_path: Any = None
) -> dict[str, Scheme]:
    """The Schemes of a study's inline specs, by name (:func:`user_scheme` of each), with
    ``catalogue`` (default: read from ``catalogue_path``, or the bundled one)."""
    if not specs:
        return {}
    cat = catalogue if catalogue is not None else load_catalogue(catalogue_path)
    return {name: user_scheme(name, spec, cat) for name, spec in specs.items()}


def scheme_name(value: str | None) -> str | None:
    """A built-in scheme name in lower case; a user scheme's name as written."""
    return value.lower() if value is not None and value.lower() in SCHEMES else value


def scheme_file_name(path: Path, taken: Sequence[str]) -> str:
    """Read a scheme file (:meth:`weighting.Scheme.from_toml`) and return its checked name.

    Raises
    ------
    UserSchemeError
        Naming ``mfi.scheme_files``: no such file, an invalid or oversized file, or a name
        in ``taken`` (the built-in ones).
    """
    if not path.is_file():
        raise UserSchemeError(
            "mfi.scheme_files",
            f"no such file {str(path)!r}",
            "give the path of a scheme TOML file, relative to the study file",
        )
    try:
        check_input_file(path)
        scheme = Scheme.from_toml(path)
    except InputDataError as exc:
        raise UserSchemeError(
            "mfi.scheme_files",
            f"{path.name}: {exc}",
            "see weighting.Scheme.from_toml for the format",
        ) from exc
    name = str(scheme.name)
    if name in taken:
        raise UserSchemeError(
            "mfi.scheme_files",
            f"{path.name} names its scheme {name!r}, a built-in scheme name",
            "set another name = ... in the scheme file",
        )
    return name


def check_scheme(key: str, name: str | None, custom: Sequence[str]) -> None:
    """Raise :class:`UserSchemeError` (``key``) if ``name`` is neither built-in nor in
    ``custom`` (the study's user schemes)."""
    if name is not None and name not in (*SCHEMES, *custom):
        raise UserSchemeError(
            key, f"{name!r} is not allowed", f"allowed: {', '.join((*SCHEMES, *custom))}"
        )
