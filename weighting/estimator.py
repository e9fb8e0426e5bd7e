"""The estimator mechanism shared by normalisers, weighters and aggregators.

Every configurable step of a composite indicator (a :class:`~weighting.normalise.Normaliser`,
a :class:`~weighting.weights.Weighter`, an :class:`~weighting.aggregate.Aggregator`) is an
:class:`Estimator`: its hyperparameters are the keyword arguments of ``__init__``, stored
unchanged under the same attribute names (the scikit-learn contract), and from that alone
this module derives, once for all of them,

* ``get_params`` / ``set_params`` / ``clone`` (an unfitted copy);
* ``to_spec``: the plain-data form (the registry name, or ``{key: name, **changed
  parameters}``) that a :class:`~weighting.Scheme` writes to a dict or TOML file;
* ``__eq__`` (same class and parameters) and ``__repr__`` (the parameters that differ from
  their defaults);

and a :class:`Registry` (name -> class, aliases, and building an estimator from a name, a
dict spec or an instance, with one style of error message).

>>> from weighting import MinMax, NORMALISERS
>>> m = NORMALISERS.build({"method": "minmax", "high": 100})
>>> m, m.to_spec(), m == MinMax(high=100)
(MinMax(high=100), {'method': 'minmax', 'high': 100}, True)
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from weighting.exceptions import InputDataError, format_labels

__all__ = ["Estimator", "Registry"]

E = TypeVar("E", bound="Estimator")


class Estimator:
    """Base class of the configurable steps: parameters, copies, plain-data form, equality.

    Subclasses list their hyperparameters as keyword arguments of ``__init__`` and store
    each, unchanged, under the same attribute name. Fitted attributes end in ``_`` and are
    never parameters.

    Attributes
    ----------
    name : str
        Registry name (``"minmax"``, ``"pca"``, ``"geometric"``, ...); empty for a class
        that is not registered.
    spec_key : str
        The key naming the method in a dict spec: ``"method"`` (normalisers, aggregators)
        or ``"weighter"`` (weighters, some of which have a parameter called ``method``).
    """

    name: ClassVar[str] = ""
    spec_key: ClassVar[str] = "method"

    # -- parameters -------------------------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    @classmethod
    def _defaults(cls) -> dict[str, Any]:
        """Parameter -> default (``inspect.Parameter.empty`` for required ones)."""
        sig = inspect.signature(cls.__init__)
        return {p.name: p.default for p in sig.parameters.values() if p.name != "self"}

    def get_params(self) -> dict[str, Any]:
        """Return the hyperparameters as a dict ``{name: value}``.

        Returns
        -------
        dict
            The values given to ``__init__`` (or later to ``set_params``).
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self: E, **params: Any) -> E:
        """Set hyperparameters and return ``self``.

        Parameters
        ----------
        **params
            Names and new values of hyperparameters.

        Returns
        -------
        Estimator
            ``self``, so calls can be chained.

        Raises
        ------
        InputDataError
            If a name is not a hyperparameter of this estimator.
        """
        valid = self._param_names()
        unknown = [k for k in params if k not in valid]
        if unknown:
            raise InputDataError(
                f"{type(self).__name__} has no parameter {format_labels(unknown)}; "
                f"valid parameters are {format_labels(valid, limit=20) or 'none'}"
            )
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def clone(self: E) -> E:
        """Return an unfitted copy with deep-copied hyperparameters.

        Returns
        -------
        Estimator
            A new estimator of the same class and parameters, without fitted attributes.
        """
        return type(self)(**copy.deepcopy(self.get_params()))

    def _changed_params(self) -> dict[str, Any]:
        """The parameters whose values differ from their defaults, in signature order."""
        defaults = self._defaults()
        return {
            k: v
            for k, v in self.get_params().items()
            if not (
                defaults.get(k, inspect.Parameter.empty) is not inspect.Parameter.empty
                and same_value(defaults[k], v)
            )
        }

    # -- plain-data form --------------------------------------------------------------------
    def to_spec(self) -> str | dict[str, Any]:
        """Plain form for :meth:`Scheme.to_dict`: the name, or a dict with parameters.

        Returns
        -------
        str or dict
            ``name`` when every parameter has its default, else ``{spec_key: name,
            **changed}``; pandas parameters become plain dicts (a Series ``{label: value}``,
            a DataFrame ``{column: {row: value}}``) and arrays lists.
        """
        params = {k: _plain(v) for k, v in self._changed_params().items()}
        return {self.spec_key: self.name, **params} if params else self.name

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short_repr(v)}" for k, v in self._changed_params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented if not isinstance(other, Estimator) else False
        return same_value(self.get_params(), other.get_params())  # type: ignore[union-attr]

    __hash__ = None  # type: ignore[assignment]


def same_value(a: Any, b: Any) -> bool:
    """Whether two parameter values are equal (pandas, arrays and nested containers too)."""
    if a is b:
        return True
    if isinstance(a, (pd.Series, pd.DataFrame)) or isinstance(b, (pd.Series, pd.DataFrame)):
        return type(a) is type(b) and a.equals(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return bool(np.array_equal(np.asarray(a), np.asarray(b)))
        except (TypeError, ValueError):
            return False
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Series):
        return {k: _plain(v) for k, v in value.to_dict().items()}
    if isinstance(value, pd.DataFrame):
        return {c: _plain(v) for c, v in value.to_dict().items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _short_repr(value: object) -> str:
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame {value.shape[0]}x{value.shape[1]}>"
    if isinstance(value, pd.Series):
        return f"<Series of {len(value)}>"
    if isinstance(value, np.ndarray):
        return f"<array {'x'.join(map(str, value.shape))}>"
    if isinstance(value, Mapping) and len(value) > 6:
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, (list, tuple)) and len(value) > 6:
        return f"<{type(value).__name__} of {len(value)}>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Registry(dict[str, type]):
    """Registry name -> estimator class, with aliases; builds estimators from specs.

    A plain dict of the registered classes (``NORMALISERS["minmax"]``,
    ``sorted(WEIGHTERS)``), plus :meth:`register`, :meth:`key` and :meth:`build`.

    Parameters
    ----------
    kind : str
        What the estimators are, for messages (``"normalisation"``, ``"aggregation"``,
        ``"weighting method"``).
    base : type
        The base class every registered class and every instance given must derive from.
    classes : iterable of type, optional
        Classes to register under their ``name``.
    aliases : mapping, optional
        Other spellings -> registry name.
    """

    def __init__(
        self,
        kind: str,
        base: type[E],
        classes: Iterable[type[E]] = (),
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.base = base
        self.aliases: dict[str, str] = {}
        for cls in classes:
            self.register(cls)
        for alias, target in (aliases or {}).items():
            self.aliases[alias.lower()] = target

    def register(self, cls: type[E], *aliases: str) -> type[E]:
        """Register ``cls`` under its ``name`` (and ``aliases``); usable as a decorator.

        Raises
        ------
        InputDataError
            If ``cls`` is not a subclass of the base, has no name, or the name is taken by
            another class.
        """
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise InputDataError(
                f"only {self.base.__name__} subclasses can be registered as a {self.kind}, "
                f"got {cls!r}"
            )
        name = str(cls.name).strip().lower()
        if not name:
            raise InputDataError(f"{cls.__name__} has no name; set the class attribute 'name'")
        if name in self and self[name] is not cls:
            raise InputDataError(f"the {self.kind} name {name!r} is taken by {self[name].__name__}")
        self[name] = cls
        for alias in aliases:
            self.aliases[alias.lower()] = name
        return cls

    def key(self, name: str) -> str:
        """The registry name of ``name`` (case, spaces and aliases resolved).

        Raises
        ------
        InputDataError
            For an unknown name, listing the known ones.
        """
        text = str(name).strip().lower()
        key = self.aliases.get(text, text)
        if key not in self:
            raise InputDataError(
                f"unknown {self.kind} {name!r}; known are {format_labels(sorted(self), 20)}"
            )
        return key

    def build(self, spec: Any, **params: Any) -> E:
        """An unfitted estimator from a name, a dict spec or an instance.

        Parameters
        ----------
        spec : str, dict or estimator
            ``"minmax"``; ``{spec_key: "minmax", "high": 100}``; or an instance of the base
            class (cloned).
        **params
            Hyperparameters when ``spec`` is a name (or added to a dict spec).

        Returns
        -------
        Estimator

        Raises
        ------
        InputDataError
            For an unknown name, a dict without the method key, parameters the estimator
            does not take or a missing required one, or a spec of another type.
        """
        if isinstance(spec, self.base):
            if params:
                return spec.clone().set_params(**params)
            return spec.clone()
        key_name = self.base.spec_key
        if isinstance(spec, Mapping):
            spec = dict(spec)
            if key_name not in spec:
                raise InputDataError(
                    f"a {self.kind} spec needs a {key_name!r} key, got {format_labels(list(spec))}"
                )
            method = spec.pop(key_name)
            return self.build(method, **spec, **params)
        if not isinstance(spec, str):
            raise InputDataError(
                f"a {self.kind} must be a name, a dict or a {self.base.__name__}, got "
                f"{type(spec).__name__}"
            )
        key = self.key(spec)
        cls = self[key]
        valid = cls._param_names()
        unknown = [k for k in params if k not in valid]
        if unknown:
            raise InputDataError(
                f"{self.kind} {key!r} got unknown parameters {format_labels(unknown)} (it has "
                f"no parameter of that name); it takes {format_labels(valid, 20) or 'none'}"
            )
        try:
            return cls(**params)
        except TypeError as exc:  # e.g. a required parameter is missing
            raise InputDataError(f"{self.kind} {key!r}: {exc}") from exc
