"""Reading and validating MIX-style MFI tables, holdings and MIV-level indicators.

Everything a user hands to ``socialperf`` passes through here once. Errors name what is
wrong, where (file rows, columns, unit labels) and what is allowed. Inputs are never
mutated: every function works on a copy.

Row numbers in messages are *table rows*: for a file read here, row 2 is the first data row
(the header is row 1, as a spreadsheet shows it); for a DataFrame the index labels are used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from socialperf.catalogue import load_catalogue
from socialperf.exceptions import (
    HoldingsCycleError,
    HoldingsError,
    InputDataError,
    format_labels,
)
from socialperf.safety import _read_csv, read_excel

__all__ = [
    "MIX_RENAMES",
    "read_fx_rates",
    "read_mfis",
    "read_miv_indicators",
    "read_table",
    "validate_fx_rates",
    "validate_holdings",
    "validate_mfis",
    "validate_miv_indicators",
]

LOG = logging.getLogger(__name__)

#: attribution of the bundled MIX Market panel (the reference universe)
MIX_ATTRIBUTION = (
    "MFI data: The World Bank: MIX Market dataset: MIX (datacatalog.worldbank.org/dataset/"
    "mix-market), CC BY 4.0; GDP per capita from the World Bank's World Development "
    "Indicators; via the African MFI panel 1999-2019 compiled by J. Karuitha "
    "(FinancialSocialEff). Changes: annual rows only, columns selected and renamed, screened, "
    "rounded (see socialperf/data/README.md). Values are as reported to MIX, not audited."
)
#: the note on the synthetic MIV-level example data
EXAMPLE_MIV_NOTE = (
    "The MIVs, their holdings and indicators, the expert weights and the AHP matrix of the "
    "example data are illustrative (synthetic), not real funds or real experts."
)

#: raw MIX / panel column names -> the names used by the catalogue and the bundled data
MIX_RENAMES = {
    "currentlegalstatus": "legal_status",
    "profit.status": "profit_status",
    "write-off_ratio": "write_off_ratio",
    "gdp_per_capita_2010us$": "gdp_per_capita",
}
#: columns that must be numeric when present in an MFI table
NUMERIC_MFI_COLUMNS = (
    "gross_loan_portfolio",
    "assets",
    "operating_expense",
    "personnel",
    "number_of_active_borrowers",
    "average_loan_balance_per_borrower",
    "percent_of_female_borrowers",
    "portfolio_at_risk30_days",
    "write_off_ratio",
    "operational_self_sufficiency",
    "gdp_per_capita",
)
HOLDINGS_COLUMNS = ("holder", "held", "amount")


# -------------------------------------------------------------------------------------------
# generic reading
# -------------------------------------------------------------------------------------------
def read_table(source: str | Path | pd.DataFrame, *, sheet_name: str | int = 0) -> pd.DataFrame:
    """Read a CSV or Excel file (or copy a DataFrame), coping with MIX encoding quirks.

    CSV files are tried as UTF-8 first and, failing that, as Latin-1; the DOS code-page
    byte ``0x82`` that some MIX exports use for "é" is then replaced by "é". A first column
    with an empty header (an R or pandas row number) is dropped.

    Parameters
    ----------
    source : str, Path or DataFrame
        ``.csv``/``.txt`` or ``.xlsx``/``.xlsm``/``.xls`` file, or a DataFrame (copied).
    sheet_name : str or int, default 0
        Excel sheet.

    Returns
    -------
    pd.DataFrame
        A new table; for files, the index is the file row number (header = 1).

    Raises
    ------
    InputDataError
        If the file does not exist, is empty, is not a readable CSV, or its type is not
        supported; the message names the file.
    socialperf.safety.UnsafeInputError
        If the file is larger than the input limit (512 MB; environment variable
        ``SOCIALPERF_MAX_INPUT_MB``), an ``.xlsx`` expands beyond the archive limit
        (2048 MB; ``SOCIALPERF_MAX_EXPANDED_MB``) or holds XML entity declarations
        (parsed through ``defusedxml``); see :mod:`socialperf.safety`.
    """
    if isinstance(source, pd.DataFrame):
        return source.copy()
    path = Path(source)
    if not path.exists():
        raise InputDataError(f"file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        df = read_excel(path, sheet_name=sheet_name)
    elif suffix in (".csv", ".txt", ""):
        df = _read_csv(path)
    else:
        raise InputDataError(
            f"file {str(path)!r} has type {suffix!r}; supported are .csv, .txt, .xlsx, .xlsm, .xls"
        )
    df.columns = [c.strip() if isinstance(c, str) else c for c in df.columns]
    first = str(df.columns[0]) if len(df.columns) else ""
    if first == "" or first.startswith("Unnamed: 0"):
        df = df.drop(columns=df.columns[0])
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            if df[col].astype(str).str.contains("\x82", regex=False).any():
                df[col] = df[col].str.replace("\x82", "é", regex=False)
    df.index = pd.RangeIndex(2, len(df) + 2, name="row")
    return df


def _known_columns(df: pd.DataFrame, names: Any) -> pd.DataFrame:
    """Rename columns that differ from a known name only by case or surrounding spaces."""
    present = set(df.columns)
    renames = {}
    for name in names:
        if name in present:
            continue
        hits = [
            c for c in df.columns
            if isinstance(c, str) and c.strip().lower() == name.lower() and c not in renames
        ]
        if len(hits) == 1:
            renames[hits[0]] = name
    return df.rename(columns=renames) if renames else df


_DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d")


def _iso_dates(values: pd.Series, what: str) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` strings when every value is a date in one known format.

    Values that do not all parse are kept as stripped strings. Day/month orders that both
    read every value but give different dates raise :class:`InputDataError`.
    """
    text = values.astype(str).str.strip()
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").where(values.notna(), "nan")
    empty = values.isna().to_numpy() | text.isin(["", "nan", "NaT", "None"]).to_numpy()
    given = text[~empty]
    if given.empty:
        return text
    try:
        iso = pd.to_datetime(given, format="ISO8601")
    except (ValueError, TypeError):
        parsed = {}
        for fmt in _DATE_FORMATS:
            got = pd.to_datetime(given, format=fmt, errors="coerce")
            if got.notna().all():
                parsed[fmt] = got
        if not parsed:
            return text
        results = list(parsed.values())
        if any(not r.equals(results[0]) for r in results[1:]):
            raise InputDataError(
                f"{what} dates such as {given.iloc[0]!r} can be read as day/month or "
                f"month/day ({format_labels(list(parsed))}); write them as YYYY-MM-DD"
            ) from None
        iso = results[0]
    out = text.copy()
    out[~empty] = iso.dt.strftime("%Y-%m-%d")
    return out


def _row_labels(df: pd.DataFrame, mask: np.ndarray | pd.Series) -> list[Any]:
    mask = np.asarray(mask, dtype=bool)
    return list(df.index[mask])


def _where(df: pd.DataFrame) -> str:
    return "rows" if df.index.name == "row" else "index labels"


def _unit_rows(
    df: pd.DataFrame, mask: np.ndarray | pd.Series, *, what: str, id_column: str,
    year_column: str | None = None, values: pd.Series | None = None, quote: bool = True,
    name_column: str | None = None,
) -> str:
    """The flagged rows as the user's units: ``"MFI 'A' in 2011 (row 3) = 85, ..."``.

    ``what`` names the unit ("MFI", "vehicle", "currency") and ``id_column`` holds its
    label (shown as its ``repr`` unless ``quote`` is False); the year (if ``year_column``
    is a column), then the row (the file row for a table read from a file, else the index
    label) follow, and the offending value if given.  With ``name_column`` (a column of
    ``df``), the unit's name follows its label: ``"MFI 'A' (Banco Uno) in 2011 (row 3)"``.
    """
    mask = np.asarray(mask, dtype=bool)
    row_word = "row" if df.index.name == "row" else "index label"
    ids = df[id_column].to_numpy()[mask]
    has_year = year_column is not None and year_column in df.columns
    years = df[year_column].to_numpy()[mask] if has_year else [None] * len(ids)
    vals = values.to_numpy()[mask] if values is not None else [None] * len(ids)
    has_name = name_column is not None and name_column in df.columns
    names = df[name_column].to_numpy()[mask] if has_name else [None] * len(ids)
    parts = [
        f"{what} {repr(i) if quote else i}"
        + (f" ({str(n).strip()})" if n is not None and not pd.isna(n) and str(n).strip() else "")
        + (f" in {y}" if y is not None else "")
        + f" ({row_word} {r})"
        + ("" if values is None else f" = {_show(v)}")
        for i, n, y, r, v in zip(ids, names, years, df.index[mask], vals, strict=True)
    ]
    return format_labels(parts, quote=False)


def _duplicate_units(df: pd.DataFrame, keys: list[str], *, what: str) -> str:
    """Duplicated ``keys`` as units with their rows: ``"MFI 'A' in 2011 (rows 2, 42)"``.

    The first key is the unit's label (``what`` names it); a second key follows as
    ``in`` (a year) or ``on`` (a date); for a holdings position the keys are holder, held.
    """
    dup = df.duplicated(subset=keys, keep=False).to_numpy()
    row_word = "rows" if df.index.name == "row" else "index labels"
    sub = df.loc[dup, keys]
    parts = []
    for key, rows in sub.groupby(keys, sort=False).groups.items():
        k = key if isinstance(key, tuple) else (key,)
        if keys == ["holder", "held"]:
            label = f"{what} {k[0]!r} -> {k[1]!r}"
        else:
            label = f"{what} {k[0]!r}" + "".join(
                f" {'on' if c == 'date' else 'in'} {v}" for c, v in zip(keys[1:], k[1:],
                                                                        strict=True)
            )
        parts.append(f"{label} ({row_word} {', '.join(map(str, rows))})")
    return format_labels(parts, quote=False)


def _show(value: object) -> str:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    ):
        return f"{value:g}"
    return repr(value)


def _check_fraction(
    values: pd.Series, spec: Any, column: str, describe: Callable[[np.ndarray], str],
    *, shown: str | None = None,
) -> None:
    """Raise if a fraction-valued catalogue indicator has values outside [0, 1].

    ``describe(mask)`` names the offending units; values in (1, 100] are said to look like
    a percent.  ``shown`` replaces ``repr(column)`` in the message (e.g. to add the file's
    own column name).
    """
    v = values.to_numpy(dtype=float)
    out = (v < 0) | (v > 1)
    if not out.any():
        return
    hint = (
        "; values in (1, 100] look like a percent: divide them by 100"
        if ((v[out] > 1) & (v[out] <= 100)).any() else ""
    )
    raise InputDataError(
        f"column {shown or repr(column)} (indicator {spec.name!r}, {spec.unit}) must be a "
        "fraction in "
        f"[0, 1]; it is outside for {describe(out)}{hint}"
    )


def _bundled_catalogue() -> Any:
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = load_catalogue()
    return _CATALOGUE


_CATALOGUE: Any = None


# -------------------------------------------------------------------------------------------
# MFI tables
# -------------------------------------------------------------------------------------------
def _mfi_known_columns(id_column: str, year_column: str) -> tuple[str, ...]:
    """Column names an MFI table's headers are matched to despite case and spaces."""
    return (
        *MIX_RENAMES, *MIX_RENAMES.values(), *NUMERIC_MFI_COLUMNS, id_column, year_column,
        "mfiname", "country", "region", "legal_status", "profit_status", "diamonds",
        "period_type",
    )


def validate_mfis(
    table: pd.DataFrame,
    *,
    id_column: str = "mfiid",
    year_column: str = "year",
    annual_only: bool = True,
    catalogue: Any = None,
) -> pd.DataFrame:
    """Check and tidy an MFI table (one row per MFI and fiscal year).

    Parameters
    ----------
    table : pd.DataFrame
        MIX-style table; raw MIX column names (``write-off_ratio``, ...) are renamed as in
        :data:`MIX_RENAMES`.
    id_column, year_column : str
        Columns with the MFI identifier and the fiscal year. Without a year column every
        row is taken as one MFI (a cross-section) and a column ``year`` is not added.
    annual_only : bool, default True
        If a ``period_type`` column exists, keep only annual (``ANN``) rows.
    catalogue : Catalogue, optional
        Its fraction-valued MFI indicators (unit "fraction of ...", read straight from a
        column) must lie in [0, 1]. Default: the bundled catalogue.

    Returns
    -------
    pd.DataFrame
        A copy: ids as strings, years as integers, numeric columns as floats, sorted by id
        and year, same index labels as the input.

    Raises
    ------
    InputDataError
        For a missing id column, missing ids, non-integer years, non-numeric values in the
        numeric MIX columns, negative amounts or counts, fractions outside [0, 1] (a
        percent such as 85 for a share of 0.85), or duplicated (id, year) rows; the message
        names the MFI ids and years (and the rows).
    """
    if not isinstance(table, pd.DataFrame):
        raise InputDataError(f"the MFI table must be a DataFrame, got {type(table).__name__}")
    df = _known_columns(table.copy(), _mfi_known_columns(id_column, year_column))
    file_names = {MIX_RENAMES[c]: c for c in df.columns if c in MIX_RENAMES}
    df = df.rename(columns=MIX_RENAMES)
    where = _where(df)

    def named(col: str) -> str:
        """``'write_off_ratio' (file column 'write-off_ratio')`` where the file differs."""
        return f"{col!r} (file column {file_names[col]!r})" if col in file_names else repr(col)

    if id_column not in df.columns:
        raise InputDataError(
            f"the MFI table has no id column {id_column!r}; its columns are "
            f"{format_labels(list(df.columns), limit=10)} (pass id_column=)"
        )
    if annual_only and "period_type" in df.columns:
        keep = df["period_type"].astype(str).str.upper().eq("ANN")
        if (~keep).any():
            LOG.info("dropped %d non-annual rows (period_type != ANN)", int((~keep).sum()))
        df = df.loc[keep.to_numpy()]
    ids = df[id_column]
    missing = ids.isna().to_numpy()
    if missing.any():
        raise InputDataError(
            f"the MFI table has no {id_column!r} at {where} "
            f"{format_labels(_row_labels(df, missing))}"
        )
    df[id_column] = ids.map(_id_string)
    keys = [id_column]
    if year_column in df.columns:
        years = pd.to_numeric(df[year_column], errors="coerce")
        bad = (years.isna() | (years != np.round(years))).to_numpy()
        if bad.any():
            flagged = _unit_rows(df, bad, what="MFI", id_column=id_column,
                                 values=df[year_column], name_column="mfiname")
            raise InputDataError(
                f"column {year_column!r} has missing or non-integer years for {flagged}; "
                "give a fiscal year like 2011"
            )
        df[year_column] = years.astype(int)
        keys.append(year_column)
    if df.duplicated(subset=keys, keep=False).any():
        raise InputDataError(
            f"the MFI table has more than one row for "
            f"{_duplicate_units(df, keys, what='MFI')}; keep one row per MFI and year"
        )
    for col in NUMERIC_MFI_COLUMNS:
        if col not in df.columns:
            continue
        values = pd.to_numeric(df[col], errors="coerce")
        bad = (values.isna() & df[col].notna()).to_numpy()
        def units(mask: np.ndarray, v: pd.Series) -> str:
            return _unit_rows(df, mask, what="MFI", id_column=id_column,
                              year_column=year_column, values=v, name_column="mfiname")

        if bad.any():
            raise InputDataError(
                f"column {named(col)} has non-numeric values for {units(bad, df[col])}; "
                "numbers (or empty) are required"
            )
        values = values.astype(float)
        neg = (values < 0).to_numpy()
        if neg.any() and col != "operational_self_sufficiency":
            raise InputDataError(
                f"column {named(col)} is negative for {units(neg, values)}; amounts, counts and "
                "shares must be >= 0"
            )
        df[col] = values
    cat = _bundled_catalogue() if catalogue is None else catalogue
    for spec in cat:
        if (spec.level != "MFI" or not spec.is_fraction or spec.denominator is not None
                or spec.transform or spec.source not in df.columns):
            continue
        values = pd.to_numeric(df[spec.source], errors="coerce").astype(float)
        _check_fraction(values, spec, spec.source, lambda m, v=values: _unit_rows(
            df, m, what="MFI", id_column=id_column, year_column=year_column, values=v,
            name_column="mfiname"), shown=named(spec.source))
    return df.sort_values(keys, kind="stable")


def _id_string(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def read_mfis(
    source: str | Path | pd.DataFrame,
    *,
    sheet_name: str | int = 0,
    id_column: str = "mfiid",
    year_column: str = "year",
    annual_only: bool = True,
) -> pd.DataFrame:
    """Read a MIX-style MFI table from CSV or Excel and validate it.

    Parameters
    ----------
    source : str, Path or DataFrame
        File or table; see :func:`read_table` for encodings.
    sheet_name : str or int, default 0
        Excel sheet.
    id_column, year_column, annual_only
        See :func:`validate_mfis`.

    Returns
    -------
    pd.DataFrame
        The validated table (see :func:`validate_mfis`).

    Raises
    ------
    InputDataError
        See :func:`read_table` and :func:`validate_mfis`.
    """
    return validate_mfis(
        read_table(source, sheet_name=sheet_name),
        id_column=id_column,
        year_column=year_column,
        annual_only=annual_only,
    )


# -------------------------------------------------------------------------------------------
# fx rates
# -------------------------------------------------------------------------------------------
def validate_fx_rates(rates: pd.DataFrame | dict[str, float]) -> pd.DataFrame:
    """Check an exchange-rate table.

    Parameters
    ----------
    rates : DataFrame or dict
        Columns ``currency``, ``usd_per_unit`` (base-currency units per one unit of the
        currency; the name is kept for the USD default) and optionally ``date``; or a dict
        currency -> rate.

    Returns
    -------
    pd.DataFrame
        Columns currency, date (or absent), usd_per_unit.

    Raises
    ------
    InputDataError
        For missing columns, non-positive rates or duplicated currency/date pairs.
    """
    if isinstance(rates, dict):
        df = pd.DataFrame({"currency": list(rates), "usd_per_unit": list(rates.values())})
    elif isinstance(rates, pd.DataFrame):
        df = _known_columns(rates.copy(), ("currency", "usd_per_unit", "rate", "date"))
    else:
        raise InputDataError(
            f"fx_rates must be a DataFrame or a dict currency -> rate, got {type(rates).__name__}"
        )
    if "rate" in df.columns and "usd_per_unit" not in df.columns:
        df = df.rename(columns={"rate": "usd_per_unit"})
    missing = [c for c in ("currency", "usd_per_unit") if c not in df.columns]
    if missing:
        raise InputDataError(
            f"fx_rates has no column {format_labels(missing)}; it needs currency and "
            "usd_per_unit (base-currency units per unit), and optionally date"
        )
    df["currency"] = df["currency"].astype(str).str.strip().str.upper()
    rate = pd.to_numeric(df["usd_per_unit"], errors="coerce").astype(float)
    bad = ~(np.isfinite(rate.to_numpy()) & (rate.to_numpy() > 0))
    if bad.any():
        units = _unit_rows(df, bad, what="currency", id_column="currency",
                           values=df["usd_per_unit"])
        raise InputDataError(
            f"fx_rates has missing, non-numeric or non-positive rates for {units}; rates "
            "must be > 0"
        )
    df["usd_per_unit"] = rate
    keys = ["currency", "date"] if "date" in df.columns else ["currency"]
    if "date" in df.columns:
        df["date"] = _iso_dates(df["date"], "fx_rates")
    if df.duplicated(subset=keys, keep=False).any():
        raise InputDataError(
            f"fx_rates has more than one rate for "
            f"{_duplicate_units(df, keys, what='currency')}; keep one per "
            f"{' and '.join(keys)}"
        )
    return df


def read_fx_rates(source: str | Path | pd.DataFrame | dict[str, float]) -> pd.DataFrame:
    """Read and validate an exchange-rate table (see :func:`validate_fx_rates`).

    Parameters
    ----------
    source : str, Path, DataFrame or dict

    Returns
    -------
    pd.DataFrame

    Raises
    ------
    InputDataError
        See :func:`validate_fx_rates`.
    """
    if isinstance(source, dict):
        return validate_fx_rates(source)
    return validate_fx_rates(read_table(source))


# -------------------------------------------------------------------------------------------
# holdings
# -------------------------------------------------------------------------------------------
def validate_holdings(
    holdings: pd.DataFrame,
    *,
    mfis: pd.DataFrame | pd.Index | list[str] | None = None,
    fx_rates: pd.DataFrame | dict[str, float] | None = None,
    base_currency: str = "USD",
    date: str | None = None,
    id_column: str = "mfiid",
) -> pd.DataFrame:
    """Check a holdings table and convert amounts to one currency.

    Parameters
    ----------
    holdings : pd.DataFrame
        One row per position: ``holder`` (MIV label), ``held`` (MFI id or MIV label),
        ``amount`` (> 0), optional ``currency`` (default ``base_currency``) and ``date``.
    mfis : DataFrame, Index or list, optional
        Known MFIs (a table with ``id_column``, or the ids). When given, every ``held``
        that is not itself a holder must be one of them.
    fx_rates : DataFrame or dict, optional
        Exchange rates (see :func:`validate_fx_rates`), needed when a currency other than
        ``base_currency`` appears. A rate with a ``date`` matches positions of that date;
        an undated rate matches any date.
    base_currency : str, default "USD"
    date : str, optional
        Keep only positions of this date. Required when the table holds several dates.
    id_column : str, default "mfiid"

    Returns
    -------
    pd.DataFrame
        A copy with columns holder, held, amount (in ``base_currency``), currency (the
        original), amount_original, date (if given), and ``held_type`` (``"MIV"`` or
        ``"MFI"``).

    Raises
    ------
    HoldingsError
        For missing columns or labels; non-numeric, zero or negative amounts; duplicated
        positions; a vehicle holding itself; unknown MFIs; several dates without ``date``;
        currencies without a rate. The message names the rows.
    HoldingsCycleError
        If funds of funds hold each other in a cycle (the cycle is named).
    """
    if not isinstance(holdings, pd.DataFrame):
        raise HoldingsError(f"holdings must be a DataFrame, got {type(holdings).__name__}")
    df = _known_columns(holdings.copy(), (*HOLDINGS_COLUMNS, "currency", "date"))
    where = _where(df)
    missing = [c for c in HOLDINGS_COLUMNS if c not in df.columns]
    if missing:
        raise HoldingsError(
            f"holdings has no column {format_labels(missing)}; required are holder, held, "
            "amount (optional: currency, date)"
        )
    if df.empty:
        raise HoldingsError("holdings has no rows; at least one position is needed")
    for col in ("holder", "held"):
        miss = df[col].isna().to_numpy()
        if miss.any():
            raise HoldingsError(
                f"holdings column {col!r} is empty at {where} "
                f"{format_labels(_row_labels(df, miss))}"
            )
        df[col] = df[col].map(_id_string)
    amount = pd.to_numeric(df["amount"], errors="coerce").astype(float)
    bad = ~np.isfinite(amount.to_numpy())
    position = df.assign(_position=df["holder"].map(repr) + " -> " + df["held"].map(repr))

    def positions(mask: np.ndarray, v: pd.Series) -> str:
        return _unit_rows(position, mask, what="position", id_column="_position", values=v,
                          quote=False)

    if bad.any():
        raise HoldingsError(
            f"holdings amount is missing or not a number for {positions(bad, df['amount'])}"
        )
    nonpos = amount.to_numpy() <= 0
    if nonpos.any():
        raise HoldingsError(
            f"holdings amount is zero or negative for {positions(nonpos, amount)}; amounts "
            "must be > 0 (drop closed positions)"
        )
    df["amount"] = amount
    if "date" in df.columns:
        df["date"] = _iso_dates(df["date"], "holdings")
        if date is not None:
            date = str(_iso_dates(pd.Series([date]), "the date= argument").iloc[0])
            df = df.loc[(df["date"] == date).to_numpy()]
            if df.empty:
                raise HoldingsError(f"holdings has no positions dated {date!r}")
        dates = sorted(df["date"].unique())
        if len(dates) > 1:
            raise HoldingsError(
                f"holdings has positions at several dates {format_labels(dates)}; pass "
                "date= to choose one"
            )
    self_hold = (df["holder"] == df["held"]).to_numpy()
    if self_hold.any():
        raise HoldingsError(
            "holdings has vehicles holding themselves: "
            f"{_unit_rows(df, self_hold, what='vehicle', id_column='holder')}"
        )
    if df.duplicated(subset=["holder", "held"], keep=False).any():
        raise HoldingsError(
            "holdings has duplicated positions (same holder and held): "
            f"{_duplicate_units(df, ['holder', 'held'], what='position')}; add them up into "
            "one row"
        )
    holders = set(df["holder"])
    is_miv = df["held"].isin(holders).to_numpy()
    if mfis is not None:
        if isinstance(mfis, pd.DataFrame):
            known = set(validate_mfis(mfis, id_column=id_column, annual_only=False)[id_column])
        else:
            known = {_id_string(m) for m in mfis}
        unknown = ~is_miv & ~df["held"].isin(known).to_numpy()
        if unknown.any():
            labels = pd.unique(df["held"].to_numpy()[unknown])
            raise HoldingsError(
                f"holdings names unknown MFIs {format_labels(labels)} at {where} "
                f"{format_labels(_row_labels(df, unknown))}; each held unit must be an MFI of "
                "the MFI table or a holder (MIV) of the holdings"
            )
    df["held_type"] = np.where(is_miv, "MIV", "MFI")
    _check_cycles(df)
    df = _convert_currency(df, fx_rates, base_currency)
    return df


def _check_cycles(df: pd.DataFrame) -> None:
    g = nx.DiGraph()
    g.add_edges_from(zip(df["holder"], df["held"], strict=True))
    try:
        edges = nx.find_cycle(g, orientation="original")
    except nx.NetworkXNoCycle:
        return
    cycle = [e[0] for e in edges] + [edges[0][0]]
    raise HoldingsCycleError(
        f"holdings contain a fund-of-funds cycle {' -> '.join(map(str, cycle))}; look-through "
        "exposure is undefined when vehicles hold each other in a loop",
        cycle,
    )


def _convert_currency(
    df: pd.DataFrame, fx_rates: pd.DataFrame | dict[str, float] | None, base: str
) -> pd.DataFrame:
    base = base.strip().upper()
    if "currency" not in df.columns:
        df["currency"] = base
    cur = df["currency"].astype(object).where(df["currency"].notna(), base)
    df["currency"] = cur.map(lambda c: str(c).strip().upper())
    df["amount_original"] = df["amount"]
    foreign = (df["currency"] != base).to_numpy()
    if not foreign.any():
        return df
    where = _where(df)
    if fx_rates is None:
        curs = pd.unique(df["currency"].to_numpy()[foreign])
        raise HoldingsError(
            f"holdings mixes currencies ({format_labels(curs)} besides {base}) at {where} "
            f"{format_labels(_row_labels(df, foreign))} and no fx_rates were given; pass an "
            f"fx-rate table (currency, usd_per_unit[, date]) to convert to {base}"
        )
    rates = validate_fx_rates(fx_rates)
    dated = "date" in rates.columns and "date" in df.columns
    factor = np.full(len(df), np.nan)
    factor[~foreign] = 1.0
    for i, (c, d) in enumerate(
        zip(df["currency"], df["date"] if "date" in df.columns else [None] * len(df), strict=True)
    ):
        if not foreign[i]:
            continue
        match = rates.loc[rates["currency"] == c]
        if dated and len(match):
            exact = match.loc[match["date"] == d]
            match = exact if len(exact) else match.loc[match["date"].isin(["", "nan"])]
        if len(match) == 1:
            factor[i] = float(match["usd_per_unit"].iloc[0])
    missing = np.isnan(factor)
    if missing.any():
        curs = pd.unique(df["currency"].to_numpy()[missing])
        raise HoldingsError(
            f"no exchange rate to {base} for {format_labels(curs)} at holdings {where} "
            f"{format_labels(_row_labels(df, missing))}; add them to fx_rates"
        )
    df["amount"] = df["amount"].to_numpy() * factor
    return df


# -------------------------------------------------------------------------------------------
# MIV-level indicators
# -------------------------------------------------------------------------------------------
def validate_miv_indicators(
    table: pd.DataFrame, *, catalogue: Any = None, id_column: str = "miv"
) -> pd.DataFrame:
    """Check a table of MIV-level indicators against the catalogue.

    Parameters
    ----------
    table : pd.DataFrame
        One row per MIV; the MIV label in ``id_column`` (or already the index); one column
        per MIV-level indicator named as the catalogue's ``source`` (extra columns such as
        names or strategy are kept).
    catalogue : Catalogue, optional
        Default: the bundled catalogue.
    id_column : str, default "miv"

    Returns
    -------
    pd.DataFrame
        A copy indexed by MIV label (strings).

    Raises
    ------
    InputDataError
        For duplicated or missing MIV labels, categories not in an indicator's point map,
        non-numeric or out-of-range metric values; the message names the MIVs.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    if not isinstance(table, pd.DataFrame):
        raise InputDataError(f"MIV indicators must be a DataFrame, got {type(table).__name__}")
    known = [id_column, *(spec.source for spec in cat if spec.level == "MIV")]
    df = _known_columns(table.copy(), known)
    if id_column not in df.columns and (
        isinstance(df.index, pd.RangeIndex) or df.index.name == "row"
    ):
        raise InputDataError(
            f"MIV indicators have no id column {id_column!r} (and the rows are numbered, not "
            f"labelled by MIV); its columns are {format_labels(list(df.columns), limit=10)}"
        )
    if id_column in df.columns:
        if df[id_column].isna().any():
            rows = _row_labels(df, df[id_column].isna().to_numpy())
            raise InputDataError(
                f"MIV indicators have no {id_column!r} at rows {format_labels(rows)}"
            )
        df.index = pd.Index(df[id_column].map(_id_string), name="miv")
        df = df.drop(columns=[id_column])
    else:
        df.index = pd.Index([_id_string(i) for i in df.index], name="miv")
    if df.index.has_duplicates:
        dup = df.index[df.index.duplicated()].unique()
        raise InputDataError(
            f"MIV indicators list MIVs {format_labels(dup)} more than once; keep one row per MIV"
        )
    present = [s for s in cat if s.level == "MIV" and s.source in df.columns]
    if not present:
        raise InputDataError(
            "MIV indicators have none of the catalogue's MIV-level columns "
            f"{format_labels([s.source for s in cat if s.level == 'MIV'], limit=10)}"
        )
    names = df["name"] if "name" in df.columns else pd.Series(np.nan, index=df.index)

    def mivs(mask: np.ndarray, v: pd.Series) -> str:
        """``MIV 'MIV01' (Women First Fund) = 'x'``: the flagged MIVs with names and values."""
        return format_labels(
            [f"MIV {i!r}" + (f" ({n})" if isinstance(n, str) and n.strip() else "")
             + f" = {_show(x)}"
             for i, n, x in zip(df.index[mask], names[mask], v[mask], strict=True)],
            quote=False)

    for spec in present:
        col = df[spec.source]
        if spec.is_metric:
            values = pd.to_numeric(col, errors="coerce").astype(float)
            bad = (values.isna() & col.notna()).to_numpy()
            if bad.any():
                raise InputDataError(
                    f"MIV indicator {spec.name!r} (column {spec.source!r}) is not numeric for "
                    f"{mivs(bad, col)}; numbers (or empty) are required"
                )
            if spec.is_fraction:
                _check_fraction(values, spec, spec.source,
                                lambda m, v=values: mivs(m, v))
            df[spec.source] = values
        else:
            spec.points(col)  # raises naming MIVs with unknown categories
    return df


def read_miv_indicators(
    source: str | Path | pd.DataFrame,
    *,
    catalogue: Any = None,
    id_column: str = "miv",
    sheet_name: str | int = 0,
) -> pd.DataFrame:
    """Read MIV-level indicators from CSV/Excel and validate them.

    Parameters
    ----------
    source : str, Path or DataFrame
    catalogue, id_column
        See :func:`validate_miv_indicators`.
    sheet_name : str or int, default 0

    Returns
    -------
    pd.DataFrame
        Indexed by MIV label.

    Raises
    ------
    InputDataError
        See :func:`validate_miv_indicators`.
    """
    return validate_miv_indicators(
        read_table(source, sheet_name=sheet_name), catalogue=catalogue, id_column=id_column
    )
