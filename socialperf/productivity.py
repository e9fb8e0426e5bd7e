"""Productivity change of MFIs over a panel: the Malmquist index, by MFI and by year.

:func:`malmquist_panel` runs :class:`dea.Malmquist` (the owner of the index and its
decomposition) over a MIX-style panel (one row per MFI and fiscal year) and adds what a
study of MFIs needs around it: a range of years, the MFI names beside the ids, every
MFI-year left out listed with its reason (a missing input or output, a screening rule),
a by-year summary (geometric means and quartiles over MFIs, counts by status) and a
report section with a figure of productivity change by year.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import dea
from socialperf.exceptions import InputDataError, format_labels
from socialperf.plots import productivity_by_year

__all__ = ["ProductivityResult", "malmquist_panel", "parse_years", "productivity_section"]

_PARTS = ("malmquist", "effch", "techch", "pech", "sech", "techch_vrs", "sech_rd")


def parse_years(text: str, option: str = "--years") -> tuple[int, int]:
    """Parse ``"2005-2015"`` into ``(2005, 2015)``; a clear error naming ``option`` else."""
    parts = [p.strip() for p in str(text).split("-")]
    try:
        first, last = (int(p) for p in parts)
    except ValueError:
        raise InputDataError(
            f"{option} {text!r}: expected a range of fiscal years such as 2005-2015"
        ) from None
    if first >= last:
        raise InputDataError(
            f"{option} {text!r}: the first year must be before the last (a Malmquist index "
            "compares at least two years)"
        )
    return first, last


@dataclass
class ProductivityResult:
    """Malmquist productivity change over a panel of MFIs.

    Attributes
    ----------
    table : DataFrame
        Per MFI and period pair, indexed by (unit, year) with ``year`` the later year of
        the pair: ``name``, ``from``, ``malmquist``, ``effch``, ``techch`` (with CRS also
        ``pech``, ``sech``, ``techch_vrs``, ``sech_rd``), the distances, ``status``
        (``"optimal"``, ``"missing in <year>"``, ``"missing in <from> and <to>"`` for an
        MFI with rows in those years that were all left out, or the failed cross-period
        LP) and ``reason`` (why a missing MFI-year is missing).
    by_year : DataFrame
        Per later year: ``from``, ``n`` (MFIs with an index), and for the index and each
        part its geometric mean (``<part>_gmean``) and quartiles (``_q1``, ``_median``,
        ``_q3``) over those MFIs.
    status_counts : DataFrame
        Per later year, the number of MFIs by status kind (``optimal``, ``missing in from
        year``, ``missing in to year``, ``missing in both years``, failed LPs by status).
    left_out : DataFrame
        Every MFI-year of the range not given to the index, with ``name`` and ``reason``.
    settings : dict
        rts, orientation, base, years, inputs, outputs.
    """

    table: pd.DataFrame
    by_year: pd.DataFrame
    status_counts: pd.DataFrame
    left_out: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines for a console."""
        s = self.settings
        ok = self.table["status"].eq("optimal")
        lines = [
            f"Malmquist index ({s['rts'].upper()}, {s['orientation']}-oriented, "
            f"{s['base']} base), years {s['years'][0]}-{s['years'][1]}: "
            f"{int(ok.sum())} MFI-period pairs with an index, {int((~ok).sum())} without "
            "(see the status column)"
        ]
        b = self.by_year
        for year, frm, gm, n in zip(b.index, b["from"], b["malmquist_gmean"], b["n"], strict=True):
            lines.append(
                f"  {frm}->{year}: geometric mean {gm:.4g} over {int(n)} MFIs"
                if np.isfinite(gm)
                else f"  {frm}->{year}: no MFI with an index"
            )
        if len(self.left_out):
            lines.append(f"{len(self.left_out)} MFI-year(s) left out (listed in left_out)")
        return "\n".join(lines)


def _gmean(v: pd.Series) -> float:
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.log(v).mean())) if len(v) else float("nan")


def _status_kind(status: str, frm: Any, to: Any) -> str:
    if status == f"missing in {frm} and {to}":
        return "missing in both years"
    if status == f"missing in {frm}":
        return "missing in from year"
    if status == f"missing in {to}":
        return "missing in to year"
    return status.split(":")[0] if status != "optimal" else "optimal"


def malmquist_panel(
    panel: pd.DataFrame,
    inputs: Sequence[str],
    outputs: Sequence[str],
    *,
    unit: str = "mfiid",
    period: str = "year",
    names: str | None = "mfiname",
    years: tuple[int, int] | None = None,
    rts: str = "crs",
    orientation: str = "input",
    base: str = "consecutive",
    excluded: Mapping[tuple[Any, Any], str] | None = None,
    n_jobs: int = 1,
    solver: str = "highs",
) -> ProductivityResult:
    r"""Malmquist productivity index of MFIs between years of a panel.

    Parameters
    ----------
    panel : DataFrame
        One row per MFI and year (not changed).
    inputs, outputs : list of str
        Input and output columns.
    unit, period : str, default "mfiid", "year"
        Columns with the MFI id and the fiscal year.
    names : str or None, default "mfiname"
        Column with MFI names, shown beside the ids (ignored when absent).
    years : (int, int), optional
        First and last year used (inclusive); default all years.
    rts : {"crs", "vrs", "nirs", "ndrs"}, default "crs"
        Technology; with CRS the VRS distances give the scale parts.
    orientation : {"input", "output"}, default "input"
    base : {"consecutive", "first"}, default "consecutive"
        Compare consecutive years, or every year with the first year of the range.
    excluded : mapping, optional
        ``{(unit, year): reason}`` for MFI-years removed before (e.g. by screening), to
        be listed in ``left_out`` and named as the reason of a missing status.
    n_jobs : int, default 1
    solver : str, default "highs"

    Returns
    -------
    ProductivityResult

    Raises
    ------
    InputDataError
        Missing columns (named), no or only one year in ``years``, an unknown ``base``.

    Notes
    -----
    The index, its parts and the LPs are those of :class:`dea.Malmquist` (see there):
    for a pair of years :math:`(f, t)`,
    :math:`M = \sqrt{s^f(t)/s^f(f)\cdot s^t(t)/s^t(f)}` with :math:`s^a(c)` the radial
    score of the year-:math:`c` observation against the year-:math:`a` frontier; values
    above 1 are productivity growth.  An MFI-year with a missing input or output is left
    out of the index (and listed); MFIs of the other year still get their own-frontier
    distances from every MFI observed in that year.  Geometric means and quartiles in
    ``by_year`` are over MFIs with status ``"optimal"``.

    References
    ----------
    Färe, R., Grosskopf, S., Norris, M., & Zhang, Z. (1994). Productivity growth,
    technical progress, and efficiency change in industrialized countries. *American
    Economic Review*, 84(1), 66-83.
    """
    if base not in ("consecutive", "first"):
        raise InputDataError(f"base={base!r}: use 'consecutive' or 'first'")
    inputs, outputs = list(inputs), list(outputs)
    used = [*inputs, *outputs]
    for what, cols in (("inputs", inputs), ("outputs", outputs), ("unit/period", [unit, period])):
        missing = [c for c in cols if c not in panel.columns]
        if missing:
            raise InputDataError(
                f"{what}: column(s) {format_labels(missing)} not in the panel; columns are "
                f"{format_labels(list(panel.columns), limit=10)}"
            )
    both = set(inputs) & set(outputs)
    if both:
        raise InputDataError(
            f"column(s) {format_labels(sorted(both))} given as both input and output"
        )
    frame = panel.copy()
    yr = pd.to_numeric(frame[period], errors="coerce")
    have = sorted({int(v) for v in yr.dropna()})
    if years is not None:
        frame = frame.loc[((yr >= years[0]) & (yr <= years[1])).to_numpy()]
        yr = yr.loc[frame.index]
        in_range = sorted({int(v) for v in yr.dropna()})
        if len(in_range) < 2:
            raise InputDataError(
                f"years {years[0]}-{years[1]}: the panel has "
                f"{'no year' if not in_range else 'only year ' + str(in_range[0])} in that "
                f"range; it has years {format_labels(have, limit=30, quote=False)}"
            )
    frame[period] = yr.astype("Int64")
    frame = frame.loc[frame[period].notna()]
    span = (int(frame[period].min()), int(frame[period].max()))
    name_of = pd.Series(dtype=object)
    if names is not None and names in frame.columns:
        name_of = frame.groupby(unit, sort=False)[names].last()
    values = frame[used].apply(pd.to_numeric, errors="coerce")
    incomplete = values.isna().any(axis=1)
    left: dict[tuple[Any, int], str] = {}
    for (u, y), why in (excluded or {}).items():
        if span[0] <= int(y) <= span[1]:
            left[(u, int(y))] = why
    for i in frame.index[incomplete.to_numpy()]:
        cols = [c for c in used if pd.isna(values.at[i, c])]
        left.setdefault((frame.at[i, unit], int(frame.at[i, period])), "missing " + ", ".join(cols))
    kept = frame.loc[~incomplete.to_numpy()].copy()
    kept[used] = values.loc[kept.index]
    kept[period] = kept[period].astype(int)
    periods = sorted(kept[period].unique().tolist())
    if len(periods) < 2:
        raise InputDataError(
            f"fewer than two years with complete {format_labels(used)} "
            f"(years with data: {format_labels(periods, quote=False)}); nothing to compare"
        )
    m = dea.Malmquist(
        kept,
        inputs,
        outputs,
        unit=unit,
        period=period,
        rts=rts,
        orientation=orientation,
        base=periods[0] if base == "first" else None,
        n_jobs=n_jobs,
        solver=solver,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.InfeasibleUnitWarning)
        table = m.fit()
    table.index = table.index.set_names([unit, period])
    # MFIs with rows in a pair's years that never reached the index (left out in both)
    seen = set(zip(frame[unit], frame[period].astype(int), strict=True)) | set(left)
    extra = []
    for f, t in m.pairs():
        have = set(table.xs(t, level=1).index) if t in table.index.get_level_values(1) else set()
        gone = sorted({u for u, y in seen if y in (f, t)} - have, key=str)
        if gone:
            add = pd.DataFrame(
                np.nan,
                columns=table.columns,
                index=pd.MultiIndex.from_arrays([gone, [t] * len(gone)], names=[unit, period]),
            )
            add["from"] = f
            for col in ("status", "status_vrs"):
                if col in table.columns:
                    add[col] = f"missing in {f} and {t}"
            extra.append(add)
    if extra:
        table = pd.concat([table, *extra]).sort_index(level=1, sort_remaining=False, kind="stable")
    units = table.index.get_level_values(0)
    to = table.index.get_level_values(1)
    reason = []
    for u, t, f, st in zip(units, to, table["from"], table["status"], strict=True):
        if st == f"missing in {f} and {t}":
            reason.append(
                "; ".join(f"{y}: " + left.get((u, int(y)), "no row in the panel") for y in (f, t))
            )
        elif st.startswith("missing in "):
            y = f if st == f"missing in {f}" else t
            reason.append(left.get((u, int(y)), f"no row for {y} in the panel"))
        else:
            reason.append("")
    table["reason"] = reason
    table.insert(0, "name", name_of.reindex(units).to_numpy() if len(name_of) else None)

    parts = [p for p in _PARTS if p in table.columns]
    ok = table["status"].eq("optimal")
    rows, counts = {}, {}
    for t, grp in table.groupby(level=1, sort=True):
        good = grp.loc[ok.loc[grp.index]]
        row: dict[str, Any] = {"from": grp["from"].iloc[0], "n": len(good)}
        for p in parts:
            v = good[p].astype(float)
            row[f"{p}_gmean"] = _gmean(v)
            q = v[np.isfinite(v)].quantile([0.25, 0.5, 0.75]) if len(good) else None
            for k, lab in enumerate(("q1", "median", "q3")):
                row[f"{p}_{lab}"] = float(q.iloc[k]) if q is not None and len(q) else np.nan
        rows[t] = row
        kinds = [_status_kind(s, row["from"], t) for s in grp["status"]]
        counts[t] = pd.Series(kinds).value_counts()
    by_year = pd.DataFrame.from_dict(rows, orient="index")
    by_year.index.name = period
    status_counts = pd.DataFrame(counts).T.fillna(0).astype(int)
    status_counts.index.name = period
    lead = ["optimal", "missing in from year", "missing in to year", "missing in both years"]
    status_counts = status_counts.reindex(
        columns=[*lead, *[c for c in status_counts.columns if c not in lead]], fill_value=0
    )
    left_out = pd.DataFrame(
        [
            {unit: u, period: y, "name": name_of.get(u) if len(name_of) else None, "reason": r}
            for (u, y), r in sorted(left.items(), key=lambda kv: (kv[0][1], str(kv[0][0])))
        ],
        columns=[unit, period, "name", "reason"],
    )
    settings = {
        "rts": rts,
        "orientation": orientation,
        "base": base,
        "years": span,
        "inputs": inputs,
        "outputs": outputs,
    }
    return ProductivityResult(table, by_year, status_counts, left_out, settings)


def productivity_section(rep: Any, result: ProductivityResult) -> Any:
    """Add the Malmquist tables and the by-year figure to a :class:`socialperf.report.Report`."""
    s = result.settings
    rep.section("Productivity change (Malmquist index)")
    rep.text(
        f"Malmquist productivity index, {s['rts'].upper()} technology, "
        f"{s['orientation']}-oriented radial distances, {s['base']} base, fiscal years "
        f"{s['years'][0]}-{s['years'][1]}; inputs {', '.join(s['inputs'])}; outputs "
        f"{', '.join(s['outputs'])}. Values above 1 are productivity growth; malmquist = "
        "effch (efficiency change) x techch (technical change)"
        + (
            " and effch = pech (pure efficiency change) x sech (scale change)."
            if "pech" in result.table.columns
            else "."
        )
    )
    rep.try_figure(
        "productivity_by_year",
        lambda: productivity_by_year(result.by_year),
        caption="Geometric mean over MFIs of the Malmquist index and its parts by "
        "year (band: interquartile range of the index)",
    )
    rep.table(
        "productivity_by_year",
        result.by_year,
        caption="By year: geometric mean and quartiles over MFIs with an index",
    )
    rep.table(
        "productivity_status", result.status_counts, caption="MFIs by status of the index, per year"
    )
    main = [c for c in result.table.columns if not c.startswith(("e_", "v_"))]
    rep.table(
        "malmquist",
        result.table[main],
        caption="Per MFI and period pair: the index, its parts and the status",
    )
    if len(result.left_out):
        rep.table(
            "productivity_left_out",
            result.left_out.set_index(result.left_out.columns[0]),
            caption="MFI-years left out of the index, with the reason",
        )
    return rep
