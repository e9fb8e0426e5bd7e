"""Untrusted data in, safe files out.

socialperf reads files that other people wrote (MIX exports, fund holdings, MIV
questionnaires) and writes reports that other people open in a spreadsheet. This module is
the one owner of the rules that keep both sides safe:

- **Formula injection** (CWE-1236, OWASP "CSV injection"): a user string that begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is treated as a formula by a
  spreadsheet. In ``report.xlsx`` every such string is stored as a text cell (never a
  formula cell) with Excel's "quote prefix" flag, so the visible value is unchanged and
  editing the cell does not evaluate it; numbers stay numbers. In ``tables/*.csv`` (and the
  ``socialperf dea --out`` file) such a cell gets a leading apostrophe, OWASP's advice,
  unless raw values are asked for (``raw_csv=True``, ``--raw-csv``) for machine use. The
  pandas objects of the Python API are never changed.
- **Input files** are checked before they are parsed (:func:`check_input_file`): a file
  larger than :data:`DEFAULT_MAX_INPUT_MB` (512 MB), or an ``.xlsx`` archive whose members
  expand to more than :data:`DEFAULT_MAX_EXPANDED_MB` (2048 MB, a "zip bomb"), is refused
  with an error naming the file. The limits are overridable with the environment variables
  ``SOCIALPERF_MAX_INPUT_MB`` and ``SOCIALPERF_MAX_EXPANDED_MB``, or in Python with
  :func:`input_limits`. openpyxl parses the XML inside ``.xlsx`` files through
  ``defusedxml`` (a dependency), which refuses entity declarations (billion laughs,
  external entities); :func:`read_excel` turns that into a clear error naming the file.
- **Output folders** (:class:`OutputFolder`, used by :meth:`socialperf.Report.write` and so
  by ``--out``): a run never deletes or overwrites a file it did not write. The folder keeps
  a manifest, ``socialperf-manifest.json``, of the files the last run wrote (relative path,
  size, SHA-256). The next run into the folder may replace or remove only files listed there
  and unchanged since; it removes the listed files it does not write again, so the folder
  holds exactly the current run's files besides the user's own; it refuses, before writing
  anything, when one of its files would replace a file of the user's (unlisted, or changed
  since it was written) or when a path in the folder is a symbolic link.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from socialperf.exceptions import InputDataError, OutputFolderError, UnsafeInputError

__all__ = [
    "DEFAULT_MAX_EXPANDED_MB",
    "DEFAULT_MAX_INPUT_MB",
    "FORMULA_PREFIXES",
    "MANIFEST_NAME",
    "OutputFolder",
    "OutputFolderError",
    "UnsafeInputError",
    "check_input_file",
    "csv_safe",
    "escape_formula",
    "excel_safe_strings",
    "excel_text_cells",
    "input_limits",
    "read_excel",
    "sha256_file",
    "write_csv",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _risky(value: Any) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_PREFIXES


def escape_formula(value: Any) -> Any:
    """A CSV cell value that no spreadsheet evaluates: ``"'" + value`` for risky text.

    Parameters
    ----------
    value : object
        A cell value. Only strings beginning with one of :data:`FORMULA_PREFIXES` change;
        numbers (negative ones too), missing values and other text are returned as they are.

    Returns
    -------
    object

    Examples
    --------
    >>> escape_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> escape_formula(-1.5), escape_formula("a=1")
    (-1.5, 'a=1')

    References
    ----------
    OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection.
    """
    return "'" + value if _risky(value) else value


def _is_text(values: pd.Index | pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _is_text(dtype.categories)
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _map_labels(index: pd.Index, func: Callable[[Any], Any]) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [_map_labels(level, func) for level in index.levels]
        return index.set_levels(levels).set_names([func(n) for n in index.names])
    out = index.map(func) if _is_text(index) else index.copy()
    return out.rename(func(index.name))


def _map_strings(frame: pd.DataFrame, func: Callable[[Any], Any]) -> pd.DataFrame:
    out = frame.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if _is_text(col):
            out.isetitem(i, col.map(func, na_action="ignore"))
    out.index = _map_labels(out.index, func)
    out.columns = _map_labels(out.columns, func)
    return out


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every risky text cell, label and name escaped for CSV.

    Values, index labels, column labels and the index and column names go through
    :func:`escape_formula`; numeric columns are untouched (a negative number is not a
    formula). ``frame`` itself is not changed.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
    """
    return _map_strings(frame, escape_formula)


def write_csv(frame: pd.DataFrame, path: str | Path, *, raw: bool = False) -> Path:
    """Write ``frame`` (index included) to a UTF-8 CSV file under the formula policy.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or pathlib.Path
    raw : bool, default False
        False: text cells, labels and names beginning with one of :data:`FORMULA_PREFIXES`
        get a leading apostrophe (:func:`csv_safe`), so a spreadsheet shows them as text.
        True: values exactly as in ``frame``, for programs that read the file; do not open
        such a file from untrusted data in a spreadsheet.

    Notes
    -----
    A table with a carriage return inside some text is written with every text field
    quoted, so that the file reads back with the same rows.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    out = frame if raw else csv_safe(frame)
    # Python's csv writer quotes a field with a line feed but not one with a lone carriage
    # return, which readers take as a line break: quote every text field then.
    quoting = csv.QUOTE_NONNUMERIC if _has_cr(out) else csv.QUOTE_MINIMAL
    out.to_csv(path, encoding="utf-8", quoting=quoting)
    return path


def _has_cr(frame: pd.DataFrame) -> bool:
    found = False

    def seen(value: Any) -> Any:
        nonlocal found
        found = found or (isinstance(value, str) and "\r" in value)
        return value

    _map_strings(frame, seen)
    return found


#: Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR); openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_clean(value: Any) -> Any:
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def excel_safe_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text an ``.xlsx`` file can hold.

    XML 1.0, and so ``.xlsx``, cannot hold the C0 control characters other than tab, line
    feed and carriage return; a user string holding one (say ``"\x0b"``) would make the
    whole workbook fail. Each such character becomes U+FFFD (the replacement character, �)
    in values, labels and names. The CSV and HTML outputs keep the original text.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
    """
    return _map_strings(frame, _xml_clean)


def excel_text_cells(worksheet: Any) -> int:
    """Store every formula-like cell of an openpyxl worksheet as text; returns how many.

    A cell openpyxl would write as a formula (data type ``"f"``: a string beginning with
    ``=``) becomes a text cell with the same visible value; every text cell beginning with
    one of :data:`FORMULA_PREFIXES` gets Excel's quote-prefix flag, so that editing it in
    Excel does not turn it into a formula either. Numbers are not touched.

    Parameters
    ----------
    worksheet : openpyxl.worksheet.worksheet.Worksheet
        A worksheet being written (for instance ``pd.ExcelWriter(...).sheets[name]``).

    Returns
    -------
    int
        Number of cells marked.
    """
    marked = 0
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (cell.data_type == "s" and _risky(cell.value)):
                cell.data_type = "s"
                cell.quotePrefix = True
                marked += 1
    return marked


# ------------------------------------------------------------------------------ input files

#: Default largest input file, in MB (2**20 bytes); env ``SOCIALPERF_MAX_INPUT_MB``.
DEFAULT_MAX_INPUT_MB = 512
#: Default largest expanded size of an ``.xlsx`` archive, in MB; env
#: ``SOCIALPERF_MAX_EXPANDED_MB``.
DEFAULT_MAX_EXPANDED_MB = 2048
_MB = 2**20
_ZIP_SUFFIXES = (".xlsx", ".xlsm")
_overrides: dict[str, float] = {}


def _limit_mb(key: str, env: str, default: float) -> float:
    if key in _overrides:
        return _overrides[key]
    text = os.environ.get(env)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise InputDataError(
            f"environment variable {env}={text!r} is not allowed; give a positive number of MB"
        )
    return value


def _limits() -> tuple[float, float]:
    """(input MB, expanded MB) now in force."""
    return (
        _limit_mb("input", "SOCIALPERF_MAX_INPUT_MB", DEFAULT_MAX_INPUT_MB),
        _limit_mb("expanded", "SOCIALPERF_MAX_EXPANDED_MB", DEFAULT_MAX_EXPANDED_MB),
    )


@contextlib.contextmanager
def input_limits(
    *, max_bytes: int | None = None, max_expanded_bytes: int | None = None
) -> Iterator[None]:
    """Change the input size limits for the duration of a ``with`` block.

    Parameters
    ----------
    max_bytes : int, optional
        Largest input file, in bytes (default: :data:`DEFAULT_MAX_INPUT_MB` MB, or the
        environment variable ``SOCIALPERF_MAX_INPUT_MB``).
    max_expanded_bytes : int, optional
        Largest total expanded size of the members of an ``.xlsx`` archive, in bytes
        (default :data:`DEFAULT_MAX_EXPANDED_MB` MB, or ``SOCIALPERF_MAX_EXPANDED_MB``).

    Examples
    --------
    >>> with input_limits(max_bytes=4 * 2**30):  # doctest: +SKIP
    ...     mfis = socialperf.read_mfis("whole_mix_export.csv")
    """
    saved = dict(_overrides)
    for key, value in (("input", max_bytes), ("expanded", max_expanded_bytes)):
        if value is not None:
            if not value > 0:
                raise InputDataError(f"input_limits: {key} limit {value!r} must be positive")
            _overrides[key] = value / _MB
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def _mb(n: float) -> str:
    return f"{n:.3g} MB"


def check_input_file(path: str | Path) -> None:
    """Refuse an input file that is too large, or an ``.xlsx`` that expands too far.

    Called by every reader of user files before parsing. The limits and how to raise them
    are in the module docstring.

    Parameters
    ----------
    path : str or pathlib.Path

    Raises
    ------
    UnsafeInputError
        Naming the file, its size and the limit, and the setting that raises it.
    """
    path = Path(path)
    max_mb, max_expanded_mb = _limits()
    size = path.stat().st_size
    if size > max_mb * _MB:
        raise UnsafeInputError(
            f"file {str(path)!r} is {_mb(size / _MB)}, above the input limit of "
            f"{_mb(max_mb)}; if you trust it, raise the limit with the environment variable "
            "SOCIALPERF_MAX_INPUT_MB (or socialperf.safety.input_limits in Python)"
        )
    if path.suffix.lower() not in _ZIP_SUFFIXES:
        return
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeInputError(
            f"file {str(path)!r} is not a valid {path.suffix} workbook (not a zip archive: {exc})"
        ) from None
    expanded = sum(info.file_size for info in infos)
    if expanded > max_expanded_mb * _MB:
        raise UnsafeInputError(
            f"file {str(path)!r} expands to {_mb(expanded / _MB)} when unpacked "
            f"({_mb(size / _MB)} packed), above the archive expansion limit of "
            f"{_mb(max_expanded_mb)}; if you trust it, raise the limit with the environment "
            "variable SOCIALPERF_MAX_EXPANDED_MB (or socialperf.safety.input_limits)"
        )


def _defused_error(exc: BaseException) -> BaseException | None:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - a dependency
        return None
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def read_excel(path: str | Path, *, sheet_name: str | int = 0) -> pd.DataFrame:
    """Read one sheet of an Excel file from an untrusted source.

    The file is checked first (:func:`check_input_file`); openpyxl parses it through
    ``defusedxml``. Any failure to read the workbook becomes one error naming the file.

    Parameters
    ----------
    path : str or pathlib.Path
    sheet_name : str or int, default 0

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    UnsafeInputError
        Too large, expands too far, or holds XML entity declarations / a DTD.
    InputDataError
        Not readable as a workbook, or no such sheet.
    """
    path = Path(path)
    check_input_file(path)
    try:
        return pd.read_excel(path, sheet_name=sheet_name)
    except (ValueError, KeyError, IndexError, zipfile.BadZipFile, EOFError) as exc:
        defused = _defused_error(exc)
        if defused is not None:
            raise UnsafeInputError(
                f"file {str(path)!r} holds XML that is refused for safety ({defused!r}): "
                "entity declarations and DTDs can expand without bound (billion laughs) or "
                "read other files; save the workbook again from a spreadsheet program"
            ) from None
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise InputDataError(
            f"file {str(path)!r}: cannot read it as an Excel workbook: {text}"
        ) from None


# ----------------------------------------------------------------------------- output folders

#: File name of the manifest an :class:`OutputFolder` keeps.
MANIFEST_NAME = "socialperf-manifest.json"


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 digest of a file's bytes (read in 1 MB blocks)."""
    path = Path(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _safe_relative(text: Any) -> str | None:
    """A manifest path if it is a plain relative path inside the folder, else None."""
    if not isinstance(text, str) or not text or "\\" in text:
        return None
    parts = text.split("/")
    if text.startswith("/") or any(p in ("", ".", "..") for p in parts) or ":" in parts[0]:
        return None
    return text


class OutputFolder:
    """Write a set of files into a folder without touching files this code did not write.

    Use it as a context manager: on entry the folder is checked (and created if missing);
    :meth:`file` gives the path for each planned file; on a clean exit the files of the
    previous run that were not written again are removed, and the manifest is rewritten.
    If writing fails part way, the manifest still lists what was written, so a later run
    can replace it.

    Parameters
    ----------
    folder : str or pathlib.Path
        The output folder. It may itself be a symbolic link (the user's choice); links
        inside it are never followed.
    planned : iterable of str
        The files to write, as relative paths with ``/`` (``"tables/x.csv"``).

    Raises
    ------
    OutputFolderError
        On entry, before anything is written: the folder is a file; a planned path, or a
        folder on the way to it, is a symbolic link; a planned file exists but is not in the
        manifest, or has changed since it was written; a stale file of the previous run has
        changed or became a link; the manifest cannot be read.

    Notes
    -----
    The manifest is JSON: ``{"tool": "socialperf", "written": <UTC time>, "files": [{"path":
    "tables/x.csv", "bytes": 123, "sha256": "..."}, ...]}``. Entries that are not plain
    relative paths inside the folder (absolute, with ``..``) are ignored, never acted on.
    """

    def __init__(self, folder: str | Path, planned: Iterable[str]) -> None:
        self.folder = Path(folder)
        self.planned = list(dict.fromkeys(planned))
        self.manifest = self.folder / MANIFEST_NAME
        self._previous: dict[str, dict[str, Any]] = {}
        self._started: list[str] = []

    # -- checks -------------------------------------------------------------------------
    def _fail(self, rel: str, problem: str) -> OutputFolderError:
        return OutputFolderError(
            f"output folder {str(self.folder)!r}: {rel!r} {problem}; nothing was written. "
            "Move it away, or choose another folder"
        )

    def _read_manifest(self) -> dict[str, dict[str, Any]]:
        if self.manifest.is_symlink():
            raise self._fail(MANIFEST_NAME, "is a symbolic link")
        if not self.manifest.exists():
            return {}
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
            entries = data["files"]
            out = {}
            for entry in entries:
                rel = _safe_relative(entry.get("path"))
                if rel is not None:
                    out[rel] = {"bytes": int(entry["bytes"]), "sha256": str(entry["sha256"])}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._fail(
                MANIFEST_NAME, f"cannot be read as a socialperf manifest ({exc})"
            ) from None
        return out

    def _check_parents(self, rel: str) -> None:
        parts = rel.split("/")
        here = self.folder
        for i, part in enumerate(parts[:-1]):
            here = here / part
            sub = "/".join(parts[: i + 1])
            if here.is_symlink():
                raise self._fail(sub, "is a symbolic link (links are never followed)")
            if here.exists() and not here.is_dir():
                raise self._fail(sub, "is a file where socialperf writes a folder")

    def _unchanged(self, rel: str) -> bool:
        entry = self._previous.get(rel)
        path = self.folder / rel
        return (
            entry is not None
            and path.stat().st_size == entry["bytes"]
            and sha256_file(path) == entry["sha256"]
        )

    def _check_existing(self, rel: str, *, stale: bool) -> bool:
        """True if ``rel`` exists (and may be replaced or removed)."""
        self._check_parents(rel)
        path = self.folder / rel
        if path.is_symlink():
            raise self._fail(rel, "is a symbolic link (links are never followed)")
        if not path.exists():
            return False
        if not path.is_file():
            raise self._fail(rel, "is not a regular file")
        if rel not in self._previous:
            raise self._fail(
                rel, f"exists and was not written by socialperf (it is not in {MANIFEST_NAME})"
            )
        if not self._unchanged(rel):
            what = "would be removed as a file of the previous run, but it" if stale else "was"
            raise self._fail(rel, f"{what} changed since socialperf wrote it")
        return True

    def __enter__(self) -> OutputFolder:
        if self.folder.exists() and not self.folder.is_dir():
            raise OutputFolderError(
                f"output folder {str(self.folder)!r} is not a folder; choose a folder name"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self._previous = self._read_manifest()
        for rel in self.planned:
            if _safe_relative(rel) is None or rel == MANIFEST_NAME:
                raise ValueError(f"OutputFolder: {rel!r} is not a plain relative path")
            self._check_existing(rel, stale=False)
        self._stale = [
            rel
            for rel in self._previous
            if rel not in self.planned and self._check_existing(rel, stale=True)
        ]
        return self

    # -- writing ------------------------------------------------------------------------
    def file(self, rel: str) -> Path:
        """The path to write planned file ``rel`` to (its folder is created)."""
        if rel not in self.planned:
            raise ValueError(f"OutputFolder: {rel!r} was not planned")
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._started.append(rel)
        return path

    def mkdir(self, rel: str) -> Path:
        """Create sub-folder ``rel`` (refused if it is a link or a file)."""
        self._check_parents(f"{rel}/x")
        path = self.folder / rel
        path.mkdir(parents=True, exist_ok=True)
        return path

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # after a failure, the files of the previous run that were not replaced stay listed
        entries = {} if exc_type is None else dict(self._previous)
        for rel in self._started:
            path = self.folder / rel
            entries.pop(rel, None)
            if path.is_file() and not path.is_symlink():
                entries[rel] = {"bytes": path.stat().st_size, "sha256": sha256_file(path)}
        if exc_type is None:
            for rel in self._stale:
                (self.folder / rel).unlink(missing_ok=True)
        data = {
            "tool": "socialperf",
            "written": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "files": [{"path": rel, **entries[rel]} for rel in sorted(entries)],
        }
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(data, indent=1) + "\n")
            os.replace(tmp, self.manifest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV (UTF-8, else Latin-1); an empty or malformed file names the file.

    The input limits of :func:`check_input_file` are checked first.
    """
    check_input_file(path)
    try:
        try:
            return pd.read_csv(path, encoding="utf-8", **kwargs)
        except UnicodeDecodeError:
            return pd.read_csv(path, encoding="latin-1", **kwargs)
    except pd.errors.EmptyDataError:
        raise InputDataError(
            f"file {str(path)!r} is empty: it has no header row and no data"
        ) from None
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        raise InputDataError(f"file {str(path)!r} is not a readable CSV table: {detail}") from None
