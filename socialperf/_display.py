"""Display of result objects: a text and an HTML view driven by their ``summary()`` table."""

from __future__ import annotations

import pandas as pd


class _SummaryRepr:
    """``__repr__`` and ``_repr_html_`` of a result, both driven by its ``summary()`` table."""

    def summary(self) -> pd.DataFrame:  # pragma: no cover - implemented by subclasses
        raise NotImplementedError

    def _headline(self) -> str:  # pragma: no cover - implemented by subclasses
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self._headline()}\n{self.summary().round(4).to_string()}"

    def _repr_html_(self) -> str:
        return self.summary().round(4).to_html()
