"""Indicator metadata and measurement theory.

An :class:`Indicator` records what a column *means*: its scale level (Stevens 1946:
nominal, ordinal, interval, ratio), whether higher or lower values are better, the
dimension (group) it belongs to, an optional weight, and for categorical indicators the
categories and the points each is worth. An :class:`IndicatorSet` is an ordered, validated
collection of them.

The scale level is enforced, not just documented: normalisers and aggregators declare the
scale levels they are meaningful for, and :func:`check_scale` raises
:class:`~weighting.exceptions.ScaleLevelError` (or warns, if the user opted in) when an
operation is applied to an indicator whose scale does not support it.

References
----------
Stevens, S. S. (1946). On the theory of scales of measurement. *Science* 103(2684), 677-680.

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing, Paris. Section 1.6 (scale levels and normalisation).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from weighting.exceptions import (
    InputDataError,
    ScaleLevelError,
    ScaleLevelWarning,
    _check_numbers,
    format_labels,
)

__all__ = [
    "Direction",
    "Indicator",
    "IndicatorSet",
    "Scale",
    "check_scale",
]


class Scale(str, Enum):
    """Scale level of an indicator (Stevens 1946), from weakest to strongest.

    ``NOMINAL`` categories without order; ``ORDINAL`` ordered categories or codes whose
    differences mean nothing; ``INTERVAL`` numbers whose differences are meaningful but
    whose zero is arbitrary; ``RATIO`` numbers with a true zero, so ratios are meaningful.
    """

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"
    RATIO = "ratio"

    @property
    def level(self) -> int:
        """Rank of the scale, 0 (nominal) to 3 (ratio)."""
        return _SCALE_ORDER.index(self)

    @classmethod
    def parse(cls, value: object) -> Scale:
        """Turn ``"ordinal"`` (any case) or a :class:`Scale` into a :class:`Scale`.

        Raises
        ------
        InputDataError
            If the value names no scale level.
        """
        if isinstance(value, Scale):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise InputDataError(
                f"scale {value!r} is not a scale level; use one of "
                f"{format_labels([s.value for s in cls])}"
            ) from None

    def __str__(self) -> str:
        return self.value


_SCALE_ORDER = [Scale.NOMINAL, Scale.ORDINAL, Scale.INTERVAL, Scale.RATIO]

#: Convenience sets used by normalisers and aggregators to declare what they accept.
ALL_SCALES = frozenset(_SCALE_ORDER)
ORDINAL_UP = frozenset({Scale.ORDINAL, Scale.INTERVAL, Scale.RATIO})
INTERVAL_UP = frozenset({Scale.INTERVAL, Scale.RATIO})
RATIO_ONLY = frozenset({Scale.RATIO})
CATEGORICAL = frozenset({Scale.NOMINAL, Scale.ORDINAL})


class Direction(str, Enum):
    """Polarity of an indicator: are higher or lower raw values better?"""

    HIGHER = "higher"
    LOWER = "lower"

    @classmethod
    def parse(cls, value: object) -> Direction:
        """Accept ``"higher"``/``"lower"`` (also ``"+"``/``"-"``, ``1``/``-1``).

        Raises
        ------
        InputDataError
            If the value is none of those.
        """
        if isinstance(value, Direction):
            return value
        aliases = {
            "higher": cls.HIGHER, "high": cls.HIGHER, "+": cls.HIGHER, "1": cls.HIGHER,
            "positive": cls.HIGHER, "lower": cls.LOWER, "low": cls.LOWER, "-": cls.LOWER,
            "-1": cls.LOWER, "negative": cls.LOWER,
        }
        key = str(value).strip().lower()
        if key not in aliases:
            raise InputDataError(
                f"direction {value!r} is not understood; use 'higher' (higher is better) "
                "or 'lower' (lower is better)"
            )
        return aliases[key]

    @property
    def sign(self) -> int:
        """``+1`` for higher-is-better, ``-1`` for lower-is-better."""
        return 1 if self is Direction.HIGHER else -1

    def __str__(self) -> str:
        return self.value


def check_scale(
    indicator: str,
    scale: Scale,
    accepts: Iterable[Scale],
    operation: str,
    *,
    allow: bool = False,
    hint: str | None = None,
) -> None:
    """Refuse an operation that is not meaningful for an indicator's scale level.

    Parameters
    ----------
    indicator : str
        Indicator name, for the message.
    scale : Scale
        The indicator's scale level (at the point the operation sees it).
    accepts : iterable of Scale
        Scale levels the operation is meaningful for.
    operation : str
        Human-readable operation name, e.g. ``"arithmetic mean"``.
    allow : bool, default False
        If True, warn with :class:`ScaleLevelWarning` instead of raising.
    hint : str, optional
        What to do instead, appended to the message.

    Raises
    ------
    ScaleLevelError
        If ``scale`` is not in ``accepts`` and ``allow`` is False.
    """
    accepted = frozenset(accepts)
    if scale in accepted:
        return
    allowed = ", ".join(s.value for s in _SCALE_ORDER if s in accepted) or "none"
    message = (
        f"{operation} is not meaningful for indicator {indicator!r}, which is on the "
        f"{scale.value} scale; it accepts {allowed} indicators"
    )
    hint = hint or "choose a method that accepts this scale, or correct the declared scale"
    _scale_violation(message, hint, allow, stacklevel=4)


def _scale_violation(message: str, hint: str, allow: bool, stacklevel: int) -> None:
    """Warn (``allow``: the user opted in) or raise :class:`ScaleLevelError` for ``message``.

    ``stacklevel`` counts from this function, so the warning points at the user's call.
    """
    if allow:
        warnings.warn(message + " (allowed by allow_scale_violations)", ScaleLevelWarning,
                      stacklevel=stacklevel)
        return
    raise ScaleLevelError(
        f"{message}; {hint}; or pass allow_scale_violations=True to proceed anyway"
    )


@dataclass(frozen=True)
class Indicator:
    """Metadata of one indicator.

    Parameters
    ----------
    name : str
        Column name in the data.
    scale : Scale or str, default "ratio"
        Scale level: ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.
    direction : Direction or str, default "higher"
        ``"higher"`` if higher raw values are better, ``"lower"`` otherwise.
    group : str, optional
        Dimension (sub-index) the indicator belongs to.
    weight : float, optional
        A nominal weight (non-negative); used by a scheme when no other weights are given.
    categories : sequence, optional
        Allowed categories of a nominal/ordinal indicator (for ordinal: worst to best).
    points : mapping, optional
        Category -> points (e.g. ``{"Yes": 1, "Partially": 0.5, "No": 0}``). Keys must be
        among ``categories`` when both are given; if ``categories`` is omitted it is taken
        from the keys.
    unit : str, default ""
        Measurement unit, e.g. ``"%"``.
    description : str, default ""
        Free text.

    Raises
    ------
    InputDataError
        For an empty name, a negative or non-finite weight, points that are not finite
        numbers, or point keys outside the categories.
    """

    name: str
    scale: Scale = Scale.RATIO
    direction: Direction = Direction.HIGHER
    group: str | None = None
    weight: float | None = None
    categories: tuple[Any, ...] | None = None
    points: Mapping[Any, float] | None = field(default=None, hash=False)
    unit: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputDataError(f"indicator name must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "scale", Scale.parse(self.scale))
        object.__setattr__(self, "direction", Direction.parse(self.direction))
        if self.group is not None and not isinstance(self.group, str):
            object.__setattr__(self, "group", str(self.group))
        if self.weight is not None:
            _check_numbers([(self.name, self.weight)], expected="a number is expected",
                           where=lambda k: f"the weight of indicator {k!r}")
            w = float(self.weight)
            if not math.isfinite(w) or w < 0:
                raise InputDataError(
                    f"weight of indicator {self.name!r} is {self.weight!r}; weights must be "
                    "finite and >= 0"
                )
            object.__setattr__(self, "weight", w)
        if self.points is not None:
            if not isinstance(self.points, Mapping) or not self.points:
                raise InputDataError(
                    f"points of indicator {self.name!r} must be a non-empty mapping "
                    "category -> points"
                )
            pts = {}
            for key, value in self.points.items():
                try:
                    p = float(value)
                except (TypeError, ValueError):
                    p = math.nan
                if not math.isfinite(p):
                    raise InputDataError(
                        f"points of indicator {self.name!r}: category {key!r} has points "
                        f"{value!r}; points must be finite numbers"
                    )
                pts[key] = p
            object.__setattr__(self, "points", pts)
        if self.categories is not None:
            cats = tuple(self.categories)
            if len(set(cats)) != len(cats):
                raise InputDataError(f"categories of indicator {self.name!r} repeat a value")
            object.__setattr__(self, "categories", cats)
            if self.points is not None:
                # TOML keys are strings: key "1" stands for category 1 (as written by to_toml)
                by_text = {str(c): c for c in cats if not isinstance(c, str)}
                object.__setattr__(self, "points", {
                    (by_text[k] if isinstance(k, str) and k not in cats and k in by_text
                     else k): v
                    for k, v in self.points.items()
                })
                extra = [k for k in self.points if k not in cats]
                if extra:
                    raise InputDataError(
                        f"points of indicator {self.name!r} name categories "
                        f"{format_labels(extra)} that are not in its categories "
                        f"{format_labels(cats)}"
                    )
        elif self.points is not None:
            object.__setattr__(self, "categories", tuple(self.points))

    @property
    def is_categorical(self) -> bool:
        """True for nominal and ordinal indicators."""
        return self.scale in CATEGORICAL

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for TOML/JSON); omits unset fields.

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {
            "name": self.name,
            "scale": self.scale.value,
            "direction": self.direction.value,
        }
        for key in ("group", "weight", "unit", "description"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        if self.categories is not None:
            out["categories"] = list(self.categories)
        if self.points is not None:
            out["points"] = dict(self.points)
        return out

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Indicator:
        """Build from a mapping with the field names as keys.

        Raises
        ------
        InputDataError
            If a key is not a field of :class:`Indicator`, or a value is invalid.
        """
        if isinstance(spec, Indicator):
            return spec
        if not isinstance(spec, Mapping):
            raise InputDataError(
                f"an indicator must be given as a mapping, got {type(spec).__name__}"
            )
        known = set(cls.__dataclass_fields__)
        unknown = [k for k in spec if k not in known]
        if unknown:
            raise InputDataError(
                f"indicator {spec.get('name')!r} has unknown fields {format_labels(unknown)}; "
                f"allowed are {format_labels(sorted(known), limit=10)}"
            )
        if "name" not in spec:
            raise InputDataError("an indicator spec has no 'name'")
        clean = {k: v for k, v in spec.items() if not _is_missing(v)}
        return cls(**clean)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


class IndicatorSet(Sequence[Indicator]):
    """An ordered, validated collection of :class:`Indicator` with unique names.

    Parameters
    ----------
    indicators : iterable of Indicator or mapping
        The indicators, in the order they should appear in results.

    Raises
    ------
    InputDataError
        If the set is empty or names repeat.

    Examples
    --------
    >>> ind = IndicatorSet.from_records([
    ...     {"name": "women", "scale": "ratio", "group": "outreach"},
    ...     {"name": "par30", "direction": "lower", "group": "quality"},
    ... ])
    >>> ind.names
    ['women', 'par30']
    """

    def __init__(self, indicators: Iterable[Indicator | Mapping[str, Any]]) -> None:
        items = [Indicator.from_dict(i) for i in indicators]
        if not items:
            raise InputDataError("an IndicatorSet needs at least one indicator")
        names = [i.name for i in items]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InputDataError(f"indicator names {format_labels(dup)} appear more than once")
        self._items = tuple(items)
        self._by_name = {i.name: i for i in items}

    # -- Sequence protocol ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._items)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, (int, slice)):
            return self._items[key]
        try:
            return self._by_name[key]
        except KeyError:
            raise InputDataError(
                f"indicator {key!r} is not in this set; known are {format_labels(self.names)}"
            ) from None

    def __contains__(self, key: object) -> bool:
        if isinstance(key, Indicator):
            return key in self._items
        return key in self._by_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IndicatorSet) and self.to_records() == other.to_records()

    def __hash__(self) -> int:
        return hash(tuple(self.names))

    def __repr__(self) -> str:
        lines = [f"IndicatorSet of {len(self)} indicators"]
        for i in self._items:
            extra = f", group={i.group!r}" if i.group else ""
            extra += f", weight={i.weight:g}" if i.weight is not None else ""
            lines.append(f"  {i.name}: {i.scale.value}, {i.direction.value} is better{extra}")
        return "\n".join(lines)

    # -- views ------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Indicator names, in order."""
        return [i.name for i in self._items]

    @property
    def has_groups(self) -> bool:
        """True if at least one indicator has a group."""
        return any(i.group is not None for i in self._items)

    @property
    def groups(self) -> dict[str, list[str]]:
        """Group -> indicator names, groups in order of first appearance.

        Raises
        ------
        InputDataError
            If some indicators have a group and others do not.
        """
        if not self.has_groups:
            return {}
        missing = [i.name for i in self._items if i.group is None]
        if missing:
            raise InputDataError(
                f"indicators {format_labels(missing)} have no group while others do; give "
                "every indicator a group (dimension) or none"
            )
        out: dict[str, list[str]] = {}
        for i in self._items:
            out.setdefault(str(i.group), []).append(i.name)
        return out

    @property
    def weights(self) -> pd.Series | None:
        """Nominal weights as a Series if every indicator has one, else ``None``."""
        if any(i.weight is None for i in self._items):
            return None
        return pd.Series([i.weight for i in self._items], index=self.names, dtype=float)

    def subset(self, names: Iterable[str]) -> IndicatorSet:
        """A new set with only ``names`` (in the order given).

        Raises
        ------
        InputDataError
            If a name is not in the set.
        """
        return IndicatorSet([self[n] for n in names])

    def replace(self, name: str, **changes: Any) -> IndicatorSet:
        """A new set where indicator ``name`` has some fields changed."""
        items = [
            Indicator.from_dict({**i.to_dict(), **changes}) if i.name == name else i
            for i in self._items
        ]
        self[name]  # raises for an unknown name
        return IndicatorSet(items)

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any] | Indicator]) -> IndicatorSet:
        """Build from a list of dicts (one per indicator, keys = Indicator fields)."""
        return cls(records)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> IndicatorSet:
        """Build from a metadata table: one row per indicator, columns = Indicator fields.

        The ``name`` column (or, failing that, the index) gives the names. Points may be
        given as a dict per cell.

        Raises
        ------
        InputDataError
            For unknown columns or invalid values.
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputDataError(f"from_frame needs a DataFrame, got {type(frame).__name__}")
        df = frame.copy()
        if "name" not in df.columns:
            df = df.reset_index().rename(columns={df.index.name or "index": "name"})
        records = []
        for rec in df.to_dict(orient="records"):
            records.append({k: v for k, v in rec.items() if not _is_missing_cell(v)})
        return cls(records)

    @classmethod
    def infer(
        cls,
        data: pd.DataFrame,
        *,
        lower_is_better: Iterable[str] = (),
        groups: Mapping[str, str] | None = None,
    ) -> IndicatorSet:
        """Guess metadata from a data table: numeric columns ratio, others nominal.

        Parameters
        ----------
        data : pd.DataFrame
            Units in rows, indicators in columns.
        lower_is_better : iterable of str
            Columns where lower values are better.
        groups : mapping, optional
            Column -> group.

        Returns
        -------
        IndicatorSet

        Raises
        ------
        InputDataError
            If ``lower_is_better`` or ``groups`` name columns that do not exist.
        """
        lower = set(lower_is_better)
        unknown = [c for c in [*lower, *(groups or {})] if c not in data.columns]
        if unknown:
            raise InputDataError(
                f"columns {format_labels(unknown)} are not in the data; columns are "
                f"{format_labels(list(data.columns))}"
            )
        records = []
        for col in data.columns:
            numeric = pd.api.types.is_numeric_dtype(data[col]) and not pd.api.types.is_bool_dtype(
                data[col]
            )
            records.append(
                {
                    "name": str(col),
                    "scale": Scale.RATIO if numeric else Scale.NOMINAL,
                    "direction": Direction.LOWER if col in lower else Direction.HIGHER,
                    "group": (groups or {}).get(col),
                }
            )
        return cls(records)

    def to_records(self) -> list[dict[str, Any]]:
        """List of plain dicts, one per indicator (inverse of :meth:`from_records`)."""
        return [i.to_dict() for i in self._items]

    def to_frame(self) -> pd.DataFrame:
        """Metadata table indexed by indicator name."""
        return pd.DataFrame(self.to_records()).set_index("name")

    # -- data checks ------------------------------------------------------------------------
    def check_data(self, data: pd.DataFrame, *, name: str = "data") -> None:
        """Check that ``data`` has every indicator as a usable column.

        Numeric indicators (interval, ratio) must be numeric columns with finite values or
        NaN; categorical indicators with points must only hold known categories (or NaN).

        Parameters
        ----------
        data : pd.DataFrame
            Units in rows, indicators in columns (extra columns are ignored).
        name : str
            Name of the table in messages.

        Raises
        ------
        InputDataError
            Naming the missing columns, the non-numeric column, or unknown categories and
            up to five units holding them.
        """
        if not isinstance(data, pd.DataFrame):
            raise InputDataError(
                f"{name} must be a pandas DataFrame (units in rows, indicators in columns), "
                f"got {type(data).__name__}"
            )
        missing = [n for n in self.names if n not in data.columns]
        if missing:
            raise InputDataError(
                f"indicators {format_labels(missing)} are not columns of {name}; its columns "
                f"are {format_labels(list(data.columns))}"
                + (
                    "; indicator names are strings, so rename non-string column labels "
                    "(data.rename(columns=str))"
                    if any(not isinstance(c, str) for c in data.columns)
                    else ""
                )
            )
        if data.index.has_duplicates:
            dup = data.index[data.index.duplicated()].unique()
            raise InputDataError(
                f"{name} has duplicated unit labels {format_labels(dup)}; labels must be unique"
            )
        if data.columns.has_duplicates:
            dup = data.columns[data.columns.duplicated()].unique()
            raise InputDataError(f"{name} has duplicated columns {format_labels(dup)}")
        for ind in self._items:
            col = data[ind.name]
            if ind.points is not None:
                _check_categories(col, ind.points, f"indicator {ind.name!r} in {name}")
                continue
            if ind.is_categorical and not pd.api.types.is_numeric_dtype(col):
                if ind.categories is not None:
                    present = col.dropna()
                    unknown = present[~present.isin(list(ind.categories))]
                    if len(unknown):
                        raise InputDataError(
                            f"indicator {ind.name!r} in {name} has values "
                            f"{format_labels(pd.unique(unknown.astype(str).to_numpy()))} that "
                            f"are not among its categories {format_labels(ind.categories)} "
                            f"(units {format_labels(unknown.index)})"
                        )
                continue
            if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
                raise InputDataError(
                    f"indicator {ind.name!r} ({ind.scale.value}) in {name} is not numeric "
                    f"(dtype {col.dtype}); give numbers, or declare it nominal/ordinal with "
                    "a point map"
                )
            values = col.to_numpy(dtype=float, na_value=np.nan)
            bad = np.isinf(values)
            if bad.any():
                raise InputDataError(
                    f"indicator {ind.name!r} in {name} is infinite at units "
                    f"{format_labels(data.index[bad])}; values must be finite or missing (NaN)"
                )


def _is_missing_cell(value: object) -> bool:
    if isinstance(value, (dict, list, tuple)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_categories(series: pd.Series, points: Iterable[Any], where: str) -> None:
    """Raise :class:`InputDataError` if ``series`` has values outside the known categories.

    ``where`` names the indicator (and table) at the head of the message.
    """
    known = list(points)
    present = _match_keys(series, known).dropna()
    unknown = present[~present.isin(known)]
    if len(unknown):
        raise InputDataError(
            f"{where} has values {format_labels(pd.unique(unknown.astype(str).to_numpy()))} "
            f"with no points (units {format_labels(unknown.index)}); points are given for "
            f"{format_labels(known)}"
        )


def _match_keys(series: pd.Series, keys: Iterable[Any]) -> pd.Series:
    """``series`` with coded values (e.g. 1 or 1.0) that are not keys themselves replaced by
    the string key spelling them (``"1"``), as TOML files give point maps string keys."""
    keys = list(keys)
    text_keys = {k for k in keys if isinstance(k, str)}
    if not text_keys:
        return series

    def one(v: Any) -> Any:
        if isinstance(v, str) or _is_missing_cell(v) or v in keys:
            return v
        for t in (str(v), str(int(v)) if isinstance(v, float | np.floating) and
                  float(v).is_integer() else None):
            if t is not None and t in text_keys:
                return t
        return v

    present = series.dropna()
    if not len(present) or present.map(lambda v: v in keys).all():
        return series
    return series.astype(object).map(one)
