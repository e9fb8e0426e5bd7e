"""TOML files of plain settings (schemes here, studies in ``socialperf``): one reader, one writer.

Writing goes through `tomli-w <https://pypi.org/project/tomli-w/>`_, reading through the
standard library's ``tomllib`` (its backport ``tomli`` on Python 3.10). Before writing,
:func:`dumps` turns the settings into what TOML can hold, and says where it cannot:

* mapping keys become strings (TOML keys always are; ``{1: 1.0}`` reads back as
  ``{"1": 1.0}``, which the point maps of :mod:`weighting.indicators` match);
* numpy scalars and arrays become Python numbers and lists, tuples lists, paths strings;
* ``None`` and other objects raise :class:`~weighting.exceptions.InputDataError` naming the
  setting (``weights.rotation``): TOML has no null, and leaving the key out would read back
  as the default, a different setting.

>>> print(dumps({"name": "demo", "weights": {"a": 2, "b": 1}}), end="")
name = "demo"
<BLANKLINE>
[weights]
a = 2
b = 1
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import tomli_w

from weighting.exceptions import InputDataError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = ["TOMLDecodeError", "dumps", "loads", "toml_data", "tomllib", "write"]

TOMLDecodeError = tomllib.TOMLDecodeError


def toml_data(value: Any, where: str = "", what: str = "setting") -> Any:
    """``value`` as types TOML can hold (see the module docstring).

    Parameters
    ----------
    value : any
        Nested mappings, sequences and scalars.
    where : str
        Dotted key of ``value`` (for messages).
    what : str
        What the settings are (``"scheme setting"``, ``"study key"``), for messages.

    Raises
    ------
    InputDataError
        For ``None`` or an object with no TOML form, naming its key.
    """
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k.item() if isinstance(k, np.generic) else k)
            if key in out:
                raise InputDataError(
                    f"the {what} {where or 'table'!r} has two keys written {key!r}; TOML keys "
                    "are strings, so they would collide"
                )
            out[key] = toml_data(v, f"{where}.{key}" if where else key, what)
        return out
    if isinstance(value, np.ndarray):
        return [toml_data(v, where, what) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [toml_data(v, where, what) for v in value]
    if isinstance(value, np.generic):
        return toml_data(value.item(), where, what)
    if isinstance(value, (bool, int, float, str)):
        return value  # nan and inf are TOML floats too
    if isinstance(value, PurePath):
        return str(value)
    if value is None:
        raise InputDataError(
            f"the {what} {where!r} is None, which TOML cannot hold (it has no null, and "
            "leaving the key out would mean the default); set a value, or keep the settings "
            "as a dict (to_dict) instead"
        )
    raise InputDataError(
        f"the {what} {where!r} holds a {type(value).__name__}, which has no TOML form; keep "
        "the settings as a dict (to_dict) instead"
    )


def dumps(data: Mapping[str, Any], *, what: str = "setting") -> str:
    """TOML text of nested settings (tables for mappings, arrays of tables for lists of them).

    Parameters
    ----------
    data : mapping
        The settings.
    what : str, default "setting"
        What they are, for messages.

    Returns
    -------
    str

    Raises
    ------
    InputDataError
        If a value has no TOML form (see :func:`toml_data`).
    """
    return tomli_w.dumps(toml_data(data, "", what))


def loads(text: str) -> dict[str, Any]:
    """Parse TOML text (``tomllib.loads``); raises :data:`TOMLDecodeError` if invalid."""
    return tomllib.loads(text)


def write(data: Mapping[str, Any], path: str | Path | None, *, what: str = "setting") -> str:
    """:func:`dumps` and, when ``path`` is given, write the text there (UTF-8)."""
    text = dumps(data, what=what)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
