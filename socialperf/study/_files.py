"""File helpers of a study configuration: paths relative to the study file, the TOML reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weighting import tomlfile


def _resolve(value: str | Path, base: Path) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _tomllib() -> Any:
    """The TOML reader: ``tomllib`` (Python >= 3.11) or its backport ``tomli``."""
    return tomlfile.tomllib


def _relative(path: Path, folder: str | Path | None) -> str:
    if folder is None:
        return str(path)
    try:
        return Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
    except ValueError:
        return str(path)
