"""Screening a raw MIX-style panel: impossible values out, every change listed.

A MIX Market release (or any panel in its layout) holds reported values, among them
values that cannot be true: a negative portfolio, a share above one, a loan portfolio
larger than the balance sheet. :func:`screen_mfis` applies a documented set of rules to
such a table and returns the screened panel together with an exclusions table that lists
every value set missing and every row dropped, by MFI id, MFI name, year, column (the
catalogue's name and the file's own name), value and rule. The user's table is never
changed.

The rules are those used to build the bundled reference universe (``socialperf/data``),
so a user who screens the raw shared MIX panel with the defaults gets the same rows and
values (before the bundle's rounding to five significant figures).

==========================  ===============================================================
rule                        what it does (default threshold)
==========================  ===============================================================
``period_type``             drop rows whose ``period_type`` is not in ``period_types``
                            (``["ANN"]``: figures from a quarterly report are not annual)
``nonpositive``             amounts and counts of an active lender that are <= 0 become
                            missing (GLP, assets, operating expense, staff, active
                            borrowers, average loan balance)
``outside_unit``            shares outside [0, 1] become missing (female share, PAR30,
                            write-off ratio; negative write-offs are net recoveries)
``glp_gt_assets``           GLP more than ``glp_assets_max`` (1.5) x total assets: one of the
                            two is misreported, both become missing
``alb_inconsistent``        average loan balance more than a factor ``alb_factor`` (2) away
                            from GLP / active borrowers becomes missing
``no_lending``              rows with neither GLP nor active borrowers are dropped
==========================  ===============================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialperf.exceptions import InputDataError, format_labels
from socialperf.io import (
    MIX_RENAMES,
    NUMERIC_MFI_COLUMNS,
    _known_columns,
    _mfi_known_columns,
    _unit_rows,
    read_table,
    validate_mfis,
)

__all__ = [
    "EXCLUSION_COLUMNS",
    "RULES",
    "Screening",
    "ScreeningRules",
    "read_mix_panel",
    "screen_mfis",
]

#: the rules in the order they are applied
RULES = (
    "period_type",
    "nonpositive",
    "outside_unit",
    "glp_gt_assets",
    "alb_inconsistent",
    "no_lending",
)
#: columns of :attr:`Screening.exclusions`
EXCLUSION_COLUMNS = (
    "mfiid", "mfiname", "year", "column", "source_column", "value", "rule", "action",
)
_DESCRIPTIONS = {
    "period_type": "period type not annual",
    "nonpositive": "amount or count <= 0",
    "outside_unit": "share outside [0, 1]",
    "glp_gt_assets": "gross loan portfolio > {glp_assets_max:g} x assets",
    "alb_inconsistent": "average loan balance > {alb_factor:g}x away from GLP / borrowers",
    "no_lending": "neither gross loan portfolio nor active borrowers",
}
_FRACTIONS = ("percent_of_female_borrowers", "portfolio_at_risk30_days", "write_off_ratio")
_POSITIVE = (
    "gross_loan_portfolio",
    "assets",
    "operating_expense",
    "personnel",
    "number_of_active_borrowers",
    "average_loan_balance_per_borrower",
)


@dataclass(frozen=True)
class ScreeningRules:
    """Which screening rules run, and their thresholds (the defaults a MIX user expects).

    Parameters
    ----------
    rules : tuple of str, default all of :data:`RULES`
        The rules applied, always in the order of :data:`RULES`.
    period_types : tuple of str, default ("ANN",)
        Values of ``period_type`` kept by the ``period_type`` rule (``"QTR"`` adds the rows
        taken from quarterly reports).
    positive : tuple of str
        Columns that must be > 0 (rule ``nonpositive``).
    fractions : tuple of str
        Columns that must lie in [0, 1] (rule ``outside_unit``).
    glp_assets_max : float, default 1.5
        Rule ``glp_gt_assets``: the largest credible ratio of GLP to total assets.
    alb_factor : float, default 2.0
        Rule ``alb_inconsistent``: the largest credible factor between the reported
        average loan balance and GLP / active borrowers (either way).

    Examples
    --------
    >>> ScreeningRules.from_dict({"rules": ["nonpositive", "outside_unit"]}).rules
    ('nonpositive', 'outside_unit')
    """

    rules: tuple[str, ...] = RULES
    period_types: tuple[str, ...] = ("ANN",)
    positive: tuple[str, ...] = _POSITIVE
    fractions: tuple[str, ...] = _FRACTIONS
    glp_assets_max: float = 1.5
    alb_factor: float = 2.0
    _origin: str = field(default="rules", repr=False, compare=False)

    def __post_init__(self) -> None:
        where = self._origin
        for name in ("rules", "period_types", "positive", "fractions"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise InputDataError(
                    f"{where}.{name} must be a list of strings, got {value!r}"
                )
            value = tuple(value)
            if not all(isinstance(v, str) for v in value):
                raise InputDataError(f"{where}.{name} must be a list of strings, got {value!r}")
            object.__setattr__(self, name, value)
        unknown = [r for r in self.rules if r not in RULES]
        if unknown:
            raise InputDataError(
                f"{where}.rules has unknown rules {format_labels(unknown)}; "
                f"choose from {format_labels(list(RULES), limit=len(RULES))}"
            )
        object.__setattr__(self, "rules", tuple(r for r in RULES if r in self.rules))
        object.__setattr__(
            self, "period_types", tuple(p.strip().upper() for p in self.period_types)
        )
        for name, low in (("glp_assets_max", 0.0), ("alb_factor", 1.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                np.isfinite(value) and value > low
            ):
                raise InputDataError(
                    f"{where}.{name} must be a number above {low:g}, got {value!r}"
                )
            object.__setattr__(self, name, float(value))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any] | None, *, origin: str = "rules") -> ScreeningRules:
        """Rules from a mapping (e.g. a study's ``[data.screening]`` table).

        Unknown keys raise :class:`~socialperf.exceptions.InputDataError` naming the key;
        ``origin`` prefixes the key in messages (e.g. ``"data.screening"``).
        """
        spec = dict(spec or {})
        allowed = [f.name for f in fields(cls) if not f.name.startswith("_")]
        unknown = [k for k in spec if k not in allowed]
        if unknown:
            raise InputDataError(
                f"{origin} has unknown keys {format_labels(unknown)}; "
                f"allowed are {format_labels(allowed, limit=len(allowed))}"
            )
        return cls(**spec, _origin=origin)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain mapping (round-trips through :meth:`from_dict`)."""
        return {
            f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
            for f in fields(self) if not f.name.startswith("_")
        }

    def describe(self, rule: str) -> str:
        """One-line description of ``rule`` with this object's thresholds."""
        return _DESCRIPTIONS[rule].format(
            glp_assets_max=self.glp_assets_max, alb_factor=self.alb_factor
        )


@dataclass(frozen=True)
class Screening:
    """A screened panel and the record of what screening changed.

    Attributes
    ----------
    panel : pd.DataFrame
        The screened table (catalogue column names; a copy, never the user's object).
    exclusions : pd.DataFrame
        One row per value set missing or row dropped, columns :data:`EXCLUSION_COLUMNS`:
        MFI id, MFI name, year, catalogue column, the file's own column name, the value,
        the rule and the action (``"set missing"`` or ``"row dropped"``).
    counts : pd.DataFrame
        Per rule: its description, values set missing, rows dropped, MFIs affected.
    rules : ScreeningRules
        The settings used.
    rows_in, rows_out : int
        Rows before and after screening.
    """

    panel: pd.DataFrame
    exclusions: pd.DataFrame
    counts: pd.DataFrame
    rules: ScreeningRules
    rows_in: int
    rows_out: int

    def summary(self) -> str:
        """A few lines for a console or a report."""
        lines = [
            f"screening: {self.rows_in:,} rows in, {self.rows_out:,} rows kept "
            f"({self.panel['mfiid'].nunique():,} MFIs)"
            if "mfiid" in self.panel else
            f"screening: {self.rows_in:,} rows in, {self.rows_out:,} rows kept"
        ]
        for rule, row in self.counts.iterrows():
            if row["values_set_missing"] or row["rows_dropped"]:
                lines.append(
                    f"  {rule:<17} {row['description']}: {row['values_set_missing']:,} values "
                    f"set missing, {row['rows_dropped']:,} rows dropped"
                )
        quarterly = self.quarterly_only_years()
        if len(quarterly):
            lines.append(
                f"  {len(quarterly):,} MFI-years exist only as quarterly-report rows and were "
                "dropped (add \"QTR\" to period_types to keep them)"
            )
        return "\n".join(lines)

    def quarterly_only_years(self) -> pd.DataFrame:
        """MFI-years whose only rows were dropped by the ``period_type`` rule."""
        ex = self.exclusions
        dropped = ex.loc[(ex["rule"] == "period_type"), ["mfiid", "mfiname", "year", "value"]]
        if dropped.empty or "year" not in self.panel:
            return dropped.reset_index(drop=True)
        kept = pd.MultiIndex.from_frame(self.panel[["mfiid", "year"]].astype({"year": float}))
        key = pd.MultiIndex.from_frame(dropped[["mfiid", "year"]].astype({"year": float}))
        return dropped.loc[~key.isin(kept)].drop_duplicates(["mfiid", "year"]).reset_index(
            drop=True
        )

    def __repr__(self) -> str:
        return self.summary()


def _records(
    df: pd.DataFrame, mask: np.ndarray, column: str, source: Mapping[str, str], rule: str,
    action: str, *, id_column: str, year_column: str, name_column: str,
) -> pd.DataFrame:
    rows = df.loc[mask]
    n = len(rows)
    return pd.DataFrame(
        {
            "mfiid": rows[id_column].to_numpy() if id_column in rows else [None] * n,
            "mfiname": rows[name_column].to_numpy() if name_column in rows else [None] * n,
            "year": rows[year_column].to_numpy() if year_column in rows else [None] * n,
            "column": [column] * n,
            "source_column": [source.get(column, column)] * n,
            "value": rows[column].to_numpy(dtype=object) if column in rows else [None] * n,
            "rule": [rule] * n,
            "action": [action] * n,
        },
        index=rows.index,
    )


def screen_mfis(
    table: pd.DataFrame,
    rules: ScreeningRules | Mapping[str, Any] | None = None,
    *,
    id_column: str = "mfiid",
    year_column: str = "year",
    name_column: str = "mfiname",
) -> Screening:
    """Apply the screening rules to a MIX-style table; list every change.

    Parameters
    ----------
    table : pd.DataFrame
        Raw MIX-style table (raw MIX names such as ``write-off_ratio`` are accepted and
        renamed as :data:`socialperf.io.MIX_RENAMES`; headers are matched despite case and
        spaces). Not modified.
    rules : ScreeningRules or mapping, optional
        Settings (default: every rule with MIX defaults; see :class:`ScreeningRules`).
    id_column, year_column, name_column : str
        Columns naming the MFI and the fiscal year in the exclusions table.

    Returns
    -------
    Screening
        The screened panel (not yet validated: see :func:`read_mix_panel`), the exclusions
        table and the counts per rule.

    Raises
    ------
    InputDataError
        If the table is not a DataFrame, or a column that a selected rule needs holds
        non-numeric text (naming the column, the file's own column name and the MFIs).

    Notes
    -----
    Rules run in the order of :data:`RULES`; a value set missing by an earlier rule is not
    tested again by a later one (so each change is listed once, under its first rule).
    """
    if not isinstance(table, pd.DataFrame):
        raise InputDataError(f"the MFI table must be a DataFrame, got {type(table).__name__}")
    if not isinstance(rules, ScreeningRules):
        rules = ScreeningRules.from_dict(rules)
    original = list(table.columns)
    df = _known_columns(table.copy(), _mfi_known_columns(id_column, year_column))
    matched = dict(zip(df.columns, original, strict=True))
    df = df.rename(columns=MIX_RENAMES)
    inverse = {MIX_RENAMES.get(c, c): orig for c, orig in matched.items()}
    if id_column in df:
        df[id_column] = df[id_column].map(
            lambda v: v if pd.isna(v) else
            str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer()
            else str(v).strip()
        )
    rows_in = len(df)
    where = dict(id_column=id_column, year_column=year_column, name_column=name_column)
    found: list[pd.DataFrame] = []

    def numeric(col: str) -> pd.Series:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            units = (
                _unit_rows(df, bad.to_numpy(), what="MFI", id_column=id_column,
                           year_column=year_column, values=df[col], name_column=name_column)
                if id_column in df else format_labels(list(df.index[bad]))
            )
            raise InputDataError(
                f"column {col!r} (file column {inverse.get(col, col)!r}) has non-numeric "
                f"values for {units}; numbers (or empty) are required"
            )
        return values.astype(float)

    for col in {*rules.positive, *rules.fractions, *NUMERIC_MFI_COLUMNS}:
        if col in df:
            df[col] = numeric(col)

    def set_missing(mask: pd.Series, cols: list[str], rule: str) -> None:
        m = mask.fillna(False).to_numpy(dtype=bool)
        if not m.any():
            return
        for col in cols:
            hit = m & df[col].notna().to_numpy()
            found.append(_records(df, hit, col, inverse, rule, "set missing", **where))
        df.loc[m, cols] = np.nan

    def drop(mask: pd.Series, col: str, rule: str) -> pd.DataFrame:
        m = mask.fillna(False).to_numpy(dtype=bool)
        if m.any():
            found.append(_records(df, m, col, inverse, rule, "row dropped", **where))
        return df.loc[~m]

    for rule in rules.rules:
        if rule == "period_type" and "period_type" in df:
            ptype = df["period_type"].astype(str).str.strip().str.upper()
            df = drop(~ptype.isin(rules.period_types), "period_type", rule)
        elif rule == "nonpositive":
            for col in rules.positive:
                if col in df:
                    set_missing(df[col] <= 0, [col], rule)
        elif rule == "outside_unit":
            for col in rules.fractions:
                if col in df:
                    set_missing((df[col] < 0) | (df[col] > 1), [col], rule)
        elif rule == "glp_gt_assets" and {"gross_loan_portfolio", "assets"} <= set(df):
            bad = df["gross_loan_portfolio"] > rules.glp_assets_max * df["assets"]
            set_missing(bad, ["gross_loan_portfolio", "assets"], rule)
        elif rule == "alb_inconsistent" and {
            "gross_loan_portfolio", "number_of_active_borrowers",
            "average_loan_balance_per_borrower",
        } <= set(df):
            implied = df["gross_loan_portfolio"] / df["number_of_active_borrowers"]
            ratio = implied / df["average_loan_balance_per_borrower"]
            bad = (ratio < 1 / rules.alb_factor) | (ratio > rules.alb_factor)
            set_missing(bad, ["average_loan_balance_per_borrower"], rule)
        elif rule == "no_lending":
            lending = [c for c in ("gross_loan_portfolio", "number_of_active_borrowers")
                       if c in df]
            if lending:
                df = drop(df[lending].isna().all(axis=1), lending[0], rule)

    exclusions = (
        pd.concat(found, ignore_index=True) if found
        else pd.DataFrame({c: pd.Series(dtype=object) for c in EXCLUSION_COLUMNS})
    )
    exclusions = exclusions[list(EXCLUSION_COLUMNS)]
    return Screening(
        panel=df,
        exclusions=exclusions,
        counts=_counts(exclusions, rules),
        rules=rules,
        rows_in=rows_in,
        rows_out=len(df),
    )


def _counts(exclusions: pd.DataFrame, rules: ScreeningRules) -> pd.DataFrame:
    out = []
    for rule in rules.rules:
        ex = exclusions.loc[exclusions["rule"] == rule]
        missing = ex.loc[ex["action"] == "set missing"]
        out.append(
            {
                "rule": rule,
                "description": rules.describe(rule),
                "values_set_missing": len(missing),
                "rows_dropped": int((ex["action"] == "row dropped").sum()),
                "mfis_affected": int(ex["mfiid"].nunique()),
            }
        )
    return pd.DataFrame(out).set_index("rule")


def read_mix_panel(
    source: str | Path | pd.DataFrame,
    rules: ScreeningRules | Mapping[str, Any] | None = None,
    *,
    sheet_name: str | int = 0,
    id_column: str = "mfiid",
    year_column: str = "year",
) -> Screening:
    """Read a MIX-style panel as it comes, screen it and validate the result.

    The file is read by :func:`socialperf.io.read_table` (UTF-8 or Latin-1, the MIX DOS
    byte for "é" fixed, an R row-number column dropped), screened by :func:`screen_mfis`
    and validated by :func:`socialperf.io.validate_mfis`.

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV/Excel file or a table (never modified).
    rules : ScreeningRules or mapping, optional
        Screening settings (default: every rule, MIX defaults).
    sheet_name : str or int, default 0
        Excel sheet.
    id_column, year_column : str
        MFI id and fiscal-year columns.

    Returns
    -------
    Screening
        ``panel`` is the validated table ready for :func:`socialperf.score_mfis`.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"mfiid": [1, 2], "year": [2011, 2011],
    ...                     "period_type": ["ANN", "ANN"], "gross_loan_portfolio": [5e6, -1.0],
    ...                     "number_of_active_borrowers": [2000, 300],
    ...                     "write-off_ratio": [0.01, -0.2]})
    >>> s = read_mix_panel(raw)
    >>> s.exclusions[["mfiid", "source_column", "rule"]].values.tolist()
    [['2', 'gross_loan_portfolio', 'nonpositive'], ['2', 'write-off_ratio', 'outside_unit']]
    >>> float(raw.loc[1, "gross_loan_portfolio"])   # the user's table is unchanged
    -1.0
    """
    table = read_table(source, sheet_name=sheet_name)
    screened = screen_mfis(table, rules, id_column=id_column, year_column=year_column)
    # period types were screened above; validation must not drop rows a second time
    panel = validate_mfis(
        screened.panel, id_column=id_column, year_column=year_column, annual_only=False
    )
    return replace(screened, panel=panel)
