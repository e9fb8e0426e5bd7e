"""The indicator catalogue: which social-performance indicators exist, and how to read them.

The default catalogue ships as ``socialperf/data/catalogue.csv``; users replace it with
their own file of the same columns (:func:`load_catalogue`). Each row is one indicator:

============== ===============================================================================
column         meaning
============== ===============================================================================
name           identifier used in every result table (letters, digits, ``_``)
level          ``MFI`` (scored per institution, aggregated through portfolios) or ``MIV``
dimension      SPTF Universal Standards dimension: ``social_goals``, ``commitment``,
               ``client_needs``, ``client_protection``, ``employees``, ``balance``
scale          ``nominal``, ``ordinal``, ``interval`` or ``ratio`` (Stevens' scale levels)
direction      ``higher`` or ``lower`` (which end is socially better)
unit           unit of the value after ``transform``
source         column of the MIX-style table that holds the raw value
denominator    optional column the raw value is divided by (e.g. GDP per capita)
transform      empty or ``log`` (natural log, applied after the division)
categories     for nominal/ordinal: ``category=points;...`` with points in [0, 1]
in_bundled_data  ``yes`` when the bundled example data has the field
description    what the indicator measures
quality        notes on the quality criteria (validity, reliability, objectivity, scale,
               coverage) of Meyer & Krauss (2015), section 3
============== ===============================================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialperf.exceptions import CatalogueError, InputDataError, format_labels
from socialperf.safety import _read_csv
from weighting.indicators import Indicator, IndicatorSet

__all__ = [
    "DIMENSIONS",
    "LEVELS",
    "SCALES",
    "Catalogue",
    "IndicatorSpec",
    "load_catalogue",
]

LEVELS = ("MFI", "MIV")
SCALES = ("nominal", "ordinal", "interval", "ratio")
DIRECTIONS = ("higher", "lower")
TRANSFORMS = ("", "log")
#: SPTF Universal Standards for Social Performance Management, dimensions 1-6 (2014)
DIMENSIONS = {
    "social_goals": "1 Define and monitor social goals",
    "commitment": "2 Ensure board, management and employee commitment to social goals",
    "client_needs": "3 Design products, services and channels that meet clients' needs",
    "client_protection": "4 Treat clients responsibly",
    "employees": "5 Treat employees responsibly",
    "balance": "6 Balance financial and social performance",
}
REQUIRED = (
    "name",
    "level",
    "dimension",
    "scale",
    "direction",
    "unit",
    "source",
)
OPTIONAL = (
    "denominator",
    "transform",
    "categories",
    "in_bundled_data",
    "description",
    "quality",
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class IndicatorSpec:
    """One catalogue row: metadata of a social-performance indicator.

    Attributes
    ----------
    name, level, dimension, scale, direction, unit, source : str
        See the module docstring.
    denominator : str or None
        Column the source value is divided by.
    transform : str
        ``""`` or ``"log"``.
    categories : dict or None
        Category -> points in [0, 1] for nominal and ordinal indicators.
    in_bundled_data : bool
        Whether the bundled example data has the field.
    description, quality : str
        Free text.
    """

    name: str
    level: str
    dimension: str
    scale: str
    direction: str
    unit: str
    source: str
    denominator: str | None = None
    transform: str = ""
    categories: Mapping[str, float] | None = None
    in_bundled_data: bool = True
    description: str = ""
    quality: str = ""

    @property
    def is_metric(self) -> bool:
        """True for interval and ratio indicators (numbers), False for categories."""
        return self.scale in ("interval", "ratio")

    @property
    def is_fraction(self) -> bool:
        """True for a metric indicator whose unit is a fraction (values in [0, 1])."""
        return self.is_metric and str(self.unit).strip().lower().startswith("fraction")

    @property
    def sign(self) -> int:
        """+1 when higher values are better, -1 when lower values are better."""
        return 1 if self.direction == "higher" else -1

    @property
    def source_columns(self) -> tuple[str, ...]:
        """The table columns the indicator is computed from."""
        return (self.source,) if self.denominator is None else (self.source, self.denominator)

    def points(self, values: pd.Series) -> pd.Series:
        """Map category labels to their points (categorical indicators only).

        Parameters
        ----------
        values : pd.Series
            Category labels (strings; missing values stay missing).

        Returns
        -------
        pd.Series
            Points in [0, 1], same index.

        Raises
        ------
        InputDataError
            If the indicator is metric, or a label is not one of its categories.
        """
        if self.categories is None:
            raise InputDataError(
                f"indicator {self.name!r} is {self.scale}-scale; only nominal and ordinal "
                "indicators have a point map"
            )
        labels = values.astype(object).where(values.notna(), None)
        labels = labels.map(lambda v: None if v is None else str(v).strip()).astype(object)
        unknown = labels.notna() & ~labels.isin(list(self.categories))
        if unknown.any():
            raise InputDataError(
                f"indicator {self.name!r} has unknown categories "
                f"{format_labels(pd.unique(labels[unknown].to_numpy()))} at units "
                f"{format_labels(values.index[unknown.to_numpy()])}; allowed: "
                f"{format_labels(list(self.categories), limit=10)}"
            )
        return labels.map(
            lambda v: np.nan if v is None or pd.isna(v) else float(self.categories[v])
        ).astype(float)

    def extract(self, table: pd.DataFrame) -> pd.Series:
        """Compute the indicator from a MIX-style table (source / denominator, transform).

        Parameters
        ----------
        table : pd.DataFrame
            Must hold the columns in :attr:`source_columns`.

        Returns
        -------
        pd.Series
            Raw indicator values (metric) or points (categorical), named ``self.name``;
            impossible values (non-positive before a log or a division) become NaN.

        Raises
        ------
        InputDataError
            If a source column is missing or not numeric for a metric indicator.
        """
        missing = [c for c in self.source_columns if c not in table.columns]
        if missing:
            raise InputDataError(
                f"indicator {self.name!r} needs columns {format_labels(missing)}, which the "
                "table does not have"
            )
        if not self.is_metric:
            return self.points(table[self.source]).rename(self.name)
        raw = pd.to_numeric(table[self.source], errors="coerce").astype(float)
        bad = raw.isna() & table[self.source].notna()
        if bad.any():
            raise InputDataError(
                f"column {self.source!r} (indicator {self.name!r}) has non-numeric values at "
                f"rows {format_labels(table.index[bad.to_numpy()])}; numbers are required"
            )
        value = raw
        if self.denominator is not None:
            den = pd.to_numeric(table[self.denominator], errors="coerce").astype(float)
            den = den.where(den > 0)
            value = value / den
        if self.transform == "log":
            value = np.log(value.where(value > 0))
        return value.rename(self.name)


@dataclass(frozen=True)
class Catalogue:
    """A validated set of indicator specifications.

    Use :func:`load_catalogue` to build one. ``table`` is the catalogue as read (a copy).

    Attributes
    ----------
    specs : dict
        Indicator name -> :class:`IndicatorSpec`, in file order.
    table : pd.DataFrame
        The catalogue rows, indexed by name.
    path : str or None
        Where it was read from.
    """

    specs: Mapping[str, IndicatorSpec]
    table: pd.DataFrame = field(repr=False)
    path: str | None = None

    def __len__(self) -> int:
        return len(self.specs)

    def __iter__(self):
        return iter(self.specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self.specs

    def __getitem__(self, name: str) -> IndicatorSpec:
        try:
            return self.specs[name]
        except KeyError:
            raise InputDataError(
                f"indicator {name!r} is not in the catalogue; known: "
                f"{format_labels(list(self.specs), limit=30)}"
            ) from None

    def names(self, level: str | None = None, *, bundled_only: bool = False) -> list[str]:
        """Indicator names, optionally of one level and only those in the bundled data.

        Parameters
        ----------
        level : {"MFI", "MIV"}, optional
        bundled_only : bool, default False

        Returns
        -------
        list of str
        """
        if level is not None:
            level = _check_level(level)
        return [
            s.name
            for s in self
            if (level is None or s.level == level) and (s.in_bundled_data or not bundled_only)
        ]

    def level(self, level: str) -> Catalogue:
        """The sub-catalogue of one level (``"MFI"`` or ``"MIV"``)."""
        return self.select(self.names(level))

    def select(self, names: Iterable[str]) -> Catalogue:
        """The sub-catalogue of the given indicators, in the given order.

        Raises
        ------
        InputDataError
            If a name is not in the catalogue.
        """
        names = list(names)
        specs = {n: self[n] for n in names}
        return Catalogue(specs=specs, table=self.table.loc[names].copy(), path=self.path)

    def available(self, table: pd.DataFrame, level: str = "MFI") -> list[str]:
        """Names of the ``level`` indicators whose source columns are all in ``table``."""
        return [
            s.name
            for s in self
            if s.level == _check_level(level) and all(c in table.columns for c in s.source_columns)
        ]

    def dimensions(self, names: Iterable[str] | None = None) -> pd.Series:
        """Indicator name -> SPTF dimension, as a Series."""
        names = list(self.specs) if names is None else list(names)
        return pd.Series({n: self[n].dimension for n in names}, name="dimension", dtype=object)

    def extract(self, table: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
        """Compute the named indicators from a MIX-style table (see :meth:`IndicatorSpec.extract`).

        Returns
        -------
        pd.DataFrame
            One column per indicator, same index as ``table``.
        """
        cols = {n: self[n].extract(table) for n in names}
        return pd.DataFrame(cols, index=table.index)

    def indicator_set(self, level: str | None = None, names: Iterable[str] | None = None) -> Any:
        """The indicators as a ``weighting.IndicatorSet`` (scale, direction, group = dimension).

        Parameters
        ----------
        level : {"MFI", "MIV"}, optional
            Restrict to one level.
        names : iterable of str, optional
            Restrict to these indicators (in this order).

        Returns
        -------
        weighting.IndicatorSet

        Raises
        ------
        InputDataError
            If ``weighting`` has no ``IndicatorSet`` (an incompatible version).
        """
        if names is None:
            names = self.names(level)
        return _to_indicator_set([self[n] for n in names])

    def indicator_sets(self) -> dict[str, Any]:
        """One ``weighting.IndicatorSet`` per level present: ``{"MFI": ..., "MIV": ...}``."""
        return {lvl: self.indicator_set(lvl) for lvl in LEVELS if self.names(lvl)}

    def summary(self) -> pd.DataFrame:
        """A compact table: level, dimension, scale, direction, unit, in bundled data."""
        cols = ["level", "dimension", "scale", "direction", "unit", "in_bundled_data"]
        return self.table[cols].copy()

    def __repr__(self) -> str:
        n_mfi = len(self.names("MFI"))
        n_miv = len(self.names("MIV"))
        return f"Catalogue({n_mfi} MFI and {n_miv} MIV indicators, path={self.path!r})"


def _to_indicator_set(specs: list[IndicatorSpec]) -> Any:
    items = [
        Indicator(
            name=s.name,
            scale=s.scale,
            direction=s.direction,
            group=s.dimension,
            points=None if s.categories is None else dict(s.categories),
            unit=s.unit,
            description=s.description,
        )
        for s in specs
    ]
    return IndicatorSet(items)


def _check_level(level: str) -> str:
    up = str(level).upper()
    if up not in LEVELS:
        raise InputDataError(f"level must be one of {format_labels(LEVELS)}, got {level!r}")
    return up


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _parse_categories(text: str, where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in str(text).split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise CatalogueError(
                f"{where}, column 'categories': {part.strip()!r} is not of the form "
                "'category=points' (entries separated by ';')"
            )
        label, _, pts = part.partition("=")
        label = label.strip()
        try:
            value = float(pts)
        except ValueError:
            raise CatalogueError(
                f"{where}, column 'categories': points {pts.strip()!r} of category {label!r} "
                "are not a number"
            ) from None
        if not (0.0 <= value <= 1.0):
            raise CatalogueError(
                f"{where}, column 'categories': points {value} of category {label!r} are "
                "outside [0, 1]"
            )
        if label in out:
            raise CatalogueError(f"{where}, column 'categories': category {label!r} appears twice")
        out[label] = value
    if len(out) < 2:
        raise CatalogueError(f"{where}, column 'categories': at least two categories are needed")
    return out


def _validate(table: pd.DataFrame, path: str | None) -> dict[str, IndicatorSpec]:
    src = f"catalogue {path}" if path else "catalogue"
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise CatalogueError(
            f"{src} has no column {format_labels(missing)}; required columns are "
            f"{format_labels(REQUIRED, limit=20)}"
        )
    if table.empty:
        raise CatalogueError(f"{src} has no rows; at least one indicator is needed")
    specs: dict[str, IndicatorSpec] = {}
    for i, row in enumerate(table.to_dict("records")):
        where = f"{src} row {i + 2}"  # header is line 1 of the file
        for col in REQUIRED:
            if _blank(row[col]):
                raise CatalogueError(f"{where}: column {col!r} is empty; it is required")
        name = str(row["name"]).strip()
        where = f"{where} ({name!r})"
        if not _NAME.match(name):
            raise CatalogueError(
                f"{where}, column 'name': use letters, digits and '_' only, not starting with "
                "a digit"
            )
        if name in specs:
            raise CatalogueError(f"{where}, column 'name': indicator {name!r} appears twice")
        level = str(row["level"]).strip().upper()
        if level not in LEVELS:
            raise CatalogueError(
                f"{where}, column 'level': {row['level']!r} is not one of {format_labels(LEVELS)}"
            )
        dim = str(row["dimension"]).strip()
        if dim not in DIMENSIONS:
            raise CatalogueError(
                f"{where}, column 'dimension': {dim!r} is not an SPTF dimension; allowed: "
                f"{format_labels(list(DIMENSIONS), limit=10)}"
            )
        scale = str(row["scale"]).strip().lower()
        if scale not in SCALES:
            raise CatalogueError(
                f"{where}, column 'scale': {row['scale']!r} is not one of {format_labels(SCALES)}"
            )
        direction = str(row["direction"]).strip().lower()
        if direction not in DIRECTIONS:
            raise CatalogueError(
                f"{where}, column 'direction': {row['direction']!r} is not one of "
                f"{format_labels(DIRECTIONS)}"
            )
        transform = "" if _blank(row.get("transform")) else str(row["transform"]).strip().lower()
        if transform not in TRANSFORMS:
            raise CatalogueError(
                f"{where}, column 'transform': {transform!r} is not one of "
                f"{format_labels(TRANSFORMS)}"
            )
        cats_text = row.get("categories")
        categories = None
        if scale in ("nominal", "ordinal"):
            if _blank(cats_text):
                raise CatalogueError(
                    f"{where}, column 'categories': a {scale} indicator needs a point map "
                    "'category=points;...'"
                )
            categories = _parse_categories(str(cats_text), where)
            if transform or not _blank(row.get("denominator")):
                raise CatalogueError(
                    f"{where}: a {scale} indicator cannot have a denominator or transform"
                )
        elif not _blank(cats_text):
            raise CatalogueError(
                f"{where}, column 'categories': a {scale}-scale indicator takes no point map; "
                "leave it empty or change the scale to nominal/ordinal"
            )
        bundled = row.get("in_bundled_data")
        bundled_flag = True if _blank(bundled) else str(bundled).strip().lower() in (
            "yes", "true", "1", "y"
        )
        specs[name] = IndicatorSpec(
            name=name,
            level=level,
            dimension=dim,
            scale=scale,
            direction=direction,
            unit=str(row["unit"]).strip(),
            source=str(row["source"]).strip(),
            denominator=None if _blank(row.get("denominator")) else str(row["denominator"]).strip(),
            transform=transform,
            categories=categories,
            in_bundled_data=bundled_flag,
            description="" if _blank(row.get("description")) else str(row["description"]),
            quality="" if _blank(row.get("quality")) else str(row["quality"]),
        )
    return specs


def load_catalogue(path: str | Path | pd.DataFrame | None = None) -> Catalogue:
    """Read and validate an indicator catalogue.

    Parameters
    ----------
    path : str, Path or DataFrame, optional
        A CSV file (or a DataFrame) with the catalogue columns; ``None`` reads the default
        catalogue shipped in ``socialperf/data/catalogue.csv``.

    Returns
    -------
    Catalogue

    Raises
    ------
    CatalogueError
        If a required column is missing, or a row has an invalid level, dimension, scale,
        direction, transform or point map; the message names the file row (header = 1) and
        the column.

    References
    ----------
    Meyer, J. & Krauss, A. (2015). Measuring and aggregating social performance of
    microfinance investment vehicles. CMF Working Paper 03-2015, University of Zurich.
    SPTF (2014). Universal Standards for Social Performance Management.
    """
    if isinstance(path, pd.DataFrame):
        table = path.copy()
        where = None
    elif path is None:
        ref = resources.files("socialperf") / "data" / "catalogue.csv"
        with resources.as_file(ref) as p:
            table = pd.read_csv(p, dtype=str, keep_default_na=False)
        where = "socialperf/data/catalogue.csv"
    else:
        where = str(path)
        try:
            table = _read_csv(Path(path), dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise CatalogueError(f"catalogue file {where!r} does not exist") from None
    stripped = [str(c).strip() for c in table.columns]
    table.columns = [
        c.lower() if c.lower() in (*REQUIRED, *OPTIONAL) and c.lower() not in stripped else c
        for c in stripped
    ]
    specs = _validate(table, where)
    out = table.copy()
    out.index = pd.Index(list(specs), name="name")
    return Catalogue(specs=specs, table=out, path=where)
