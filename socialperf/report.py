"""Report writer: CSV and Excel tables, PNG figures and one self-contained HTML page.

A :class:`Report` collects sections of text, tables (pandas) and figures (matplotlib)
and writes them to a folder::

    out/
      index.html        one page, figures embedded as base64 PNG, no external assets
      report.xlsx       one sheet per table
      tables/*.csv      one file per table
      figures/*.png     one file per figure
      settings.toml     the socialperf version and the settings that produced the report

:func:`write_study_report` fills a Report from a :class:`socialperf.study.StudyResult`;
:func:`sensitivity_section` adds the uncertainty / Sobol' part.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dea._version import distribution_version
from dea.exceptions import InputDataError
from socialperf.io import EXAMPLE_MIV_NOTE as EXAMPLE_MIV_NOTE
from socialperf.io import MIX_ATTRIBUTION
from socialperf.safety import OutputFolder, excel_safe_strings, excel_text_cells, write_csv

if TYPE_CHECKING:  # pragma: no cover
    from socialperf.study import StudyResult

__all__ = [
    "MIX_ATTRIBUTION",
    "Report",
    "ReportFiles",
    "build_study_report",
    "dea_table",
    "quality_section",
    "write_sensitivity_report",
    "write_study_report",
]

logger = logging.getLogger(__name__)

_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.45;padding:0 1em}
h1{border-bottom:2px solid #345;padding-bottom:.2em}h2{margin-top:2em;color:#234}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right}
th{background:#eef2f6}td:first-child,th:first-child{text-align:left}
figure{margin:1em 0}figcaption{font-size:.85em;color:#555}
img{max-width:100%;height:auto}.note{font-size:.85em;color:#555}
.scroll{max-height:28em;overflow:auto}nav li{margin:.1em 0}
table.data th{cursor:pointer;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
input.filter{font-size:.85em;margin:.2em 0;padding:.1em .3em;width:16em}
"""

# Sorting and filtering of the report's tables, self-contained (no network, no user data in
# the script: it reads the table cells at run time). A header click sorts by that column
# (numbers as numbers, blanks last); the box above a table hides rows without the text.
_JS = """
(function(){
function num(c){var s=c.textContent.trim().replace(/,/g,"");
 var re=/^[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?%?$/;
 return (s!=="" && re.test(s)) ? parseFloat(s) : null;}
function sortBy(t,i,th){var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);
 var asc=th.getAttribute("aria-sort")!=="ascending";
 Array.prototype.forEach.call(th.parentNode.cells,function(c){c.removeAttribute("aria-sort");});
 th.setAttribute("aria-sort",asc?"ascending":"descending");
 rows.sort(function(a,c){var p=a.cells[i],q=c.cells[i];var x=num(p),y=num(q),r;
  var ex=p.textContent.trim()==="",ey=q.textContent.trim()==="";
  if(ex||ey){return ex===ey?0:(ex?1:-1);}
  if(x!==null&&y!==null){r=x-y;}else{r=p.textContent.localeCompare(q.textContent);}
  return asc?r:-r;});
 rows.forEach(function(r){b.appendChild(r);});}
Array.prototype.forEach.call(document.querySelectorAll("table.data"),function(t){
 if(!t.tHead||!t.tBodies.length){return;}
 Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){
  th.title="click to sort";th.addEventListener("click",function(){sortBy(t,i,th);});});
 var f=document.createElement("input");f.type="search";f.className="filter";
 f.placeholder="filter rows";f.setAttribute("aria-label","filter rows");
 f.addEventListener("input",function(){var q=f.value.toLowerCase();
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
   r.style.display=r.textContent.toLowerCase().indexOf(q)<0?"none":"";});});
 var box=t.parentNode;box.parentNode.insertBefore(f,box);});
})();
"""


FIGURE_DPI = 200  # resolution of every report figure's PNG (an SVG is written beside it)


def _safe_name(name: str) -> str:
    """File-system and Excel friendly name: letters, digits, '_' and '-'."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", str(name)).strip("_")
    return cleaned or "table"


@dataclass
class _Table:
    name: str
    frame: pd.DataFrame
    caption: str
    max_rows: int | None


@dataclass
class _Figure:
    name: str
    png: bytes
    caption: str
    svg: bytes | None = None


@dataclass
class _Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[_Table | _Figure | str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportFiles:
    """Paths written by :meth:`Report.write` (``manifest``: the folder's list of the files
    written, see :class:`socialperf.safety.OutputFolder`)."""

    folder: Path
    html: Path
    excel: Path
    tables: dict[str, Path]
    figures: dict[str, Path]
    manifest: Path | None = None


class Report:
    """A report under construction: sections of text, tables and figures.

    Parameters
    ----------
    title : str
        Page title.
    provenance : str, optional
        Data provenance / attribution line printed under the title and in the footer.
    settings : str, optional
        The settings that produced the report, as TOML text (for a study,
        :meth:`socialperf.study.Study.to_toml`).  Written to ``settings.toml`` under a
        header naming the socialperf version, and shown at the end of the HTML page.

    Notes
    -----
    Every written report names the socialperf version that produced it: in the HTML page
    and in the header comment of ``settings.toml`` (written even without ``settings``).

    Examples
    --------
    >>> rep = Report("My study")
    >>> rep.section("Scores").table("scores", df, caption="Scores by scheme")  # doctest: +SKIP
    >>> rep.write("out")  # doctest: +SKIP
    """

    def __init__(
        self, title: str, *, provenance: str | None = None, settings: str | None = None
    ) -> None:
        self.title = title
        self.provenance = provenance
        self.settings = settings
        self._sections: list[_Section] = []
        self._names: set[tuple[str, str]] = set()

    # -- building ---------------------------------------------------------------------------
    def section(self, title: str) -> Report:
        """Start a new section; following ``text``/``table``/``figure`` calls go into it."""
        self._sections.append(_Section(title))
        return self

    def _current(self) -> _Section:
        if not self._sections:
            self.section(self.title)
        return self._sections[-1]

    def _unique(self, name: str, kind: str) -> str:
        base = _safe_name(name)
        out, i = base, 2
        while (kind, out.lower()) in self._names:
            out = f"{base}_{i}"
            i += 1
        self._names.add((kind, out.lower()))
        return out

    def text(self, paragraph: str) -> Report:
        """Add a paragraph of plain text (HTML-escaped when written)."""
        self._current().items.append(str(paragraph))
        return self

    def table(
        self,
        name: str,
        frame: pd.DataFrame | pd.Series,
        *,
        caption: str = "",
        max_rows: int | None = 60,
    ) -> Report:
        """Add a table; written in full to CSV and Excel, shown up to ``max_rows`` in HTML.

        Raises
        ------
        InputDataError
            If ``frame`` is not a pandas object.
        """
        if isinstance(frame, pd.Series):
            frame = frame.to_frame(frame.name if frame.name is not None else "value")
        if not isinstance(frame, pd.DataFrame):
            raise InputDataError(f"Report.table({name!r}): expected a DataFrame or Series")
        table = _Table(self._unique(name, "table"), frame.copy(), caption, max_rows)
        self._current().items.append(table)
        return self

    def figure(
        self, name: str, fig_or_ax: Any, *, caption: str = "", dpi: int = FIGURE_DPI
    ) -> Report:
        """Add a matplotlib figure (or the Axes of one), rendered to PNG (``dpi``, default
        200) and to SVG, then closed; both are written to ``figures/``."""
        import matplotlib.pyplot as plt

        fig = getattr(fig_or_ax, "figure", fig_or_ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        svg = io.BytesIO()
        fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(fig)
        self._current().items.append(
            _Figure(self._unique(name, "figure"), buf.getvalue(), caption, svg.getvalue())
        )
        return self

    def try_figure(
        self, name: str, draw: Callable[[], Any], *, caption: str = "", dpi: int = FIGURE_DPI
    ) -> Report:
        """Draw a figure with ``draw()``; if drawing fails, put a visible note instead.

        A report should not be lost because one figure cannot be drawn (say, a DEA model
        with three inputs has no 2-D frontier); the reason is shown where the figure
        would be and logged.
        """
        _use_agg()
        try:
            ax = draw()
        except Exception as exc:  # the note carries the reason
            logger.warning("figure %s not drawn: %s", name, exc)
            self.text(f"[Figure '{name}' not drawn: {exc}]")
            return self
        return self.figure(name, ax, caption=caption, dpi=dpi)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables added so far, by file name."""
        return {
            it.name: it.frame
            for sec in self._sections
            for it in sec.items
            if isinstance(it, _Table)
        }

    # -- writing ----------------------------------------------------------------------------
    def to_html(self) -> str:
        """The whole report as one self-contained HTML document (no external references)."""
        esc = html.escape
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{esc(self.title)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<h1>{esc(self.title)}</h1>",
        ]
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(
            f'<p class="note">Generated {stamp} by socialperf {esc(distribution_version())}.</p>'
        )
        if self.provenance:
            parts.append(f'<p class="note">{esc(self.provenance)}</p>')
        if len(self._sections) > 1:
            parts.append("<nav><ul>")
            for i, sec in enumerate(self._sections):
                parts.append(f'<li><a href="#s{i}">{esc(sec.title)}</a></li>')
            parts.append("</ul></nav>")
        for i, sec in enumerate(self._sections):
            parts.append(f'<h2 id="s{i}">{esc(sec.title)}</h2>')
            for item in sec.items:
                if isinstance(item, str):
                    parts.append(f"<p>{esc(item)}</p>")
                elif isinstance(item, _Table):
                    parts.append(_table_html(item))
                else:
                    data = base64.b64encode(item.png).decode("ascii")
                    parts.append(
                        f'<figure><img alt="{esc(item.name)}" '
                        f'src="data:image/png;base64,{data}">'
                        f"<figcaption>{esc(item.caption or item.name)}</figcaption></figure>"
                    )
        if self.settings:
            parts.append(
                "<details><summary>Settings (settings.toml)</summary>"
                f"<pre>{esc(self.settings)}</pre></details>"
            )
        if self.provenance:
            parts.append(f'<hr><p class="note">{esc(self.provenance)}</p>')
        parts.append(f"<script>{_JS}</script>")
        parts.append("</body></html>")
        return "\n".join(parts)

    def settings_text(self) -> str:
        """The text of ``settings.toml``: a header naming the version, then the settings."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        head = (
            f"# Written by socialperf {distribution_version()} on {stamp}: {self.title}\n"
            "# The settings below reproduce this report (socialperf run settings.toml).\n"
        )
        if not self.settings:
            return head.splitlines()[0] + "\n"
        return head + "\n" + self.settings.rstrip("\n") + "\n"

    def write(self, folder: str | Path, *, raw_csv: bool = False) -> ReportFiles:
        """Write ``index.html``, ``report.xlsx``, ``tables/*.csv``, ``figures/*.png`` and
        ``settings.toml``.

        User strings are written safely for spreadsheets (:mod:`socialperf.safety`): in
        ``report.xlsx`` as text cells, never formulas; in the CSV files text beginning with
        ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
        unless ``raw_csv`` is true. :attr:`tables` keeps the exact values.

        Parameters
        ----------
        folder : str or pathlib.Path
            Created if missing. Files of an earlier report in it are replaced, and those
            this report does not write again are removed; other files are never touched,
            and a folder where this report would overwrite one of them is refused
            (:class:`socialperf.safety.OutputFolder`).
        raw_csv : bool, default False
            Write the CSV tables with their values unchanged (for programs, not
            spreadsheets).

        Returns
        -------
        ReportFiles

        Raises
        ------
        socialperf.safety.OutputFolderError
            Before anything is written, if the folder holds a file of the user's under a name
            this report writes, a changed file of an earlier report, or a symbolic link.
        """
        folder = Path(folder)
        tables: dict[str, Path] = {}
        figures: dict[str, Path] = {}
        items = [it for sec in self._sections for it in sec.items]
        planned = ["index.html", "report.xlsx", "settings.toml"]
        for it in items:
            if isinstance(it, _Table):
                planned.append(f"tables/{it.name}.csv")
            elif isinstance(it, _Figure):
                planned.append(f"figures/{it.name}.png")
                if it.svg is not None:
                    planned.append(f"figures/{it.name}.svg")
        sheets: set[str] = set()
        with OutputFolder(folder, planned) as out:
            out.mkdir("tables")
            out.mkdir("figures")
            excel_path = out.file("report.xlsx")
            with pd.ExcelWriter(excel_path, engine="openpyxl") as writer:
                wrote_sheet = False
                for it in items:
                    if isinstance(it, _Table):
                        path = out.file(f"tables/{it.name}.csv")
                        write_csv(it.frame, path, raw=raw_csv)
                        tables[it.name] = path
                        sheet = _sheet_name(it.name, sheets)
                        _excel_frame(it.frame).to_excel(writer, sheet_name=sheet)
                        excel_text_cells(writer.sheets[sheet])
                        _excel_layout(writer.sheets[sheet], it.frame)
                        wrote_sheet = True
                    elif isinstance(it, _Figure):
                        path = out.file(f"figures/{it.name}.png")
                        path.write_bytes(it.png)
                        figures[it.name] = path
                        if it.svg is not None:
                            out.file(f"figures/{it.name}.svg").write_bytes(it.svg)
                if not wrote_sheet:
                    pd.DataFrame({"note": ["no tables in this report"]}).to_excel(
                        writer, sheet_name="README", index=False
                    )
            html_path = out.file("index.html")
            html_path.write_text(self.to_html(), encoding="utf-8")
            out.file("settings.toml").write_text(self.settings_text(), encoding="utf-8")
        logger.info("report written to %s", folder)
        return ReportFiles(folder, html_path, excel_path, tables, figures, out.manifest)


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel sheet names are at most 31 characters and unique (case-insensitively)."""
    out, i = name[:31], 2
    while out.lower() in taken:
        suffix = f"~{i}"
        out = name[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(out.lower())
    return out


def _excel_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold lists, sets or tz-aware times: render those cells as text (and
    replace the control characters XML cannot hold, see :mod:`socialperf.safety`)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: ", ".join(map(str, v)) if isinstance(v, list | tuple | set) else v
            )
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" | ".join(map(str, c)) for c in out.columns]
    return excel_safe_strings(out)


def _excel_layout(ws: Any, frame: pd.DataFrame) -> None:
    """Freeze the header row(s) and the label column(s); widen columns to their content."""
    from openpyxl.utils import get_column_letter

    n_index = frame.index.nlevels
    n_header = frame.columns.nlevels if isinstance(frame.columns, pd.MultiIndex) else 1
    ws.freeze_panes = ws.cell(row=n_header + 1 + int(n_header > 1), column=n_index + 1)
    for j, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), 1):
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 50)


def _flat_html_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its index as leading column(s) and one header row (for HTML)."""
    out = frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" | ".join(map(str, c)) for c in out.columns]
    names = [n if n is not None else ("" if out.index.nlevels == 1 else f"level_{i}")
             for i, n in enumerate(out.index.names)]
    if list(names) == [""] and isinstance(out.index, pd.RangeIndex):
        return out
    taken = set(map(str, out.columns))
    names = [f"{n} (index)" if str(n) in taken else n for n in names]
    out.index = out.index.set_names(names)
    return out.reset_index()


def _table_html(table: _Table) -> str:
    frame = table.frame
    shown = frame if table.max_rows is None else frame.head(table.max_rows)
    flat = _flat_html_frame(shown)
    body = flat.to_html(formatters=_formatters(flat), na_rep="", border=0, escape=True,
                        index=False, classes="data", table_id=f"t-{table.name}")
    note = ""
    if len(shown) < len(frame):
        note = (
            f'<p class="note">First {len(shown)} of {len(frame)} rows; the full table is in '
            f"tables/{html.escape(table.name)}.csv and report.xlsx.</p>"
        )
    caption = f"<p><b>{html.escape(table.caption or table.name)}</b></p>"
    return f'{caption}<div class="scroll">{body}</div>{note}'


def _formatters(frame: pd.DataFrame) -> dict[Any, Callable[[Any], str]]:
    """Per-column number formats for HTML: whole numbers with thousands separators, other
    numbers with three decimals (large ones with none), so a column lines up."""
    out: dict[Any, Callable[[Any], str]] = {}
    for col in frame.columns:
        values = frame[col]
        if not pd.api.types.is_float_dtype(values):
            continue
        finite = values.to_numpy(dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size and np.all(finite == np.round(finite)):
            out[col] = lambda v: "" if pd.isna(v) else f"{v:,.0f}"
        elif finite.size and np.abs(finite).max() >= 1000:
            out[col] = lambda v: "" if pd.isna(v) else f"{v:,.0f}"
        else:
            out[col] = lambda v: "" if pd.isna(v) else f"{v:.3f}"
    return out


def _use_agg() -> None:
    """Select the non-interactive Agg backend unless pyplot is already in use."""
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")


# ----------------------------------------------------------------------------- study report

SCHEME_METHODS: dict[str, str] = {
    "rating": (
        "Rating scale: each metric indicator is rated by its percentile class (quintiles, "
        "points 0 to 1) in the reference universe's distribution for the same year, "
        "categorical ones by their catalogue point maps; ratings are averaged within each SPTF "
        "dimension, then across dimensions (Meyer & Krauss 2015)."
    ),
    "equal": (
        "Equal weights: indicators normalised as percentile ranks in the reference universe of "
        "the same year, averaged with equal weights over the indicators present "
        "(OECD/JRC 2008, section 6)."
    ),
    "expert": (
        "Expert weights: the same normalised indicators, weighted by weights given directly "
        "or by budget allocation (100 points shared among the indicators) by experts "
        "(OECD/JRC 2008, section 6)."
    ),
    "ahp": (
        "AHP: the same normalised indicators, weighted by the principal eigenvector of a "
        "pairwise comparison matrix (Saaty 1980)."
    ),
    "pca": (
        "PCA / factor analysis: the same normalised indicators, weighted by the squared rotated "
        "loadings of the retained factors scaled by their explained variance, fitted on the "
        "reference year (OECD/JRC 2008, section 6.1)."
    ),
    "bod": (
        "Benefit of the doubt: each MFI gets the weights most favourable to it, a DEA model "
        "with a unit input and the normalised indicators as outputs (Cherchye et al. 2007)."
    ),
    "dea": (
        "DEA: social efficiency, the radial DEA score of turning assets, operating expense and "
        "staff into gross loan portfolio, women borrowers and depth-weighted borrowers "
        "(Gutierrez-Nieto, Serrano-Cinca & Mar Molinero 2009; Charnes, Cooper & Rhodes 1978; "
        "Banker, Charnes & Cooper 1984)."
    ),
}


def _scheme_method(name: str) -> str:
    return SCHEME_METHODS.get(str(name).lower(), f"{name}: user-defined scheme.")


def _first_attr(obj: Any, names: Sequence[str]) -> Any:
    for n in names:
        value = getattr(obj, n, None)
        if value is not None:
            return value
    return None


def write_study_report(
    result: StudyResult,
    folder: str | Path,
    *,
    title: str | None = None,
    raw_csv: bool = False,
) -> ReportFiles:
    """Write the full report of a study run (see :class:`Report` for the files).

    Parameters
    ----------
    result : socialperf.study.StudyResult
        From :func:`socialperf.study.run_study`.
    folder : str or pathlib.Path
        Output folder (created).
    title : str, optional
        Page title; default the study's name.
    raw_csv : bool, default False
        See :meth:`Report.write`.

    Returns
    -------
    ReportFiles
    """
    _use_agg()
    rep = build_study_report(result, title=title)
    return rep.write(folder, raw_csv=raw_csv)


def build_study_report(result: StudyResult, *, title: str | None = None) -> Report:
    """Assemble (but do not write) the :class:`Report` of a study run."""
    from socialperf import plots

    study = result.study
    rep = Report(title or study.name, provenance=result.provenance, settings=study.to_toml())

    # -- overview and methods
    rep.section("Study and methods")
    rep.text(result.describe())
    inputs = study.input_files()
    if not inputs.empty:
        rep.table("study_files", inputs, caption="Files the study read: paths as resolved "
                  "(relative paths in a study file are taken relative to its folder), sizes "
                  "and SHA-256 digests")
    custom = {str(getattr(r, "scheme", "")): r for r in result.mfi_results.values()}
    files = {p.stem: p for p in study.scheme_files}
    for scheme in result.mfi_scores.columns:
        if scheme in SCHEME_METHODS:
            rep.text(_scheme_method(scheme))
        else:
            info = getattr(custom.get(scheme), "info", {}) or {}
            recipe = info.get("scheme") or info.get("spec") or ""
            where = ", ".join(p.name for p in files.values()) if files else "a scheme file"
            rep.text(f"{scheme}: user-defined scheme (weighting.Scheme, from {where}). "
                     f"{' '.join(str(recipe).split())}".strip())
    if result.miv is not None:
        rep.text(
            f"MIV index: w = {study.miv.w:g} of the index comes from the look-through "
            f"({study.miv.method}) score of the MFIs an MIV holds, 1 - w from the MIV's own "
            f"indicators. Coverage below {study.miv.coverage_threshold:g} of the portfolio is "
            f"flagged; the uncovered part is handled by the '{study.miv.uncovered}' rule."
        )

    for note in getattr(result, "skipped", ()):
        rep.text(f"Not run: {note}.")

    # -- screening
    scr = getattr(result.data, "screening", None)
    if scr is not None:
        screening_section(rep, scr)

    # -- MFI scores
    rep.section("MFI scores by scheme")
    feed = study.mfi_schemes_for_miv()
    ordered = result.mfi_scores.sort_values(feed, ascending=False, na_position="last")
    names = _mfi_names(result)
    rep.table("mfi_scores", _named(ordered, names),
              caption=f"MFI scores by scheme (higher = better), sorted by '{feed}'")
    ranks = ordered.rank(ascending=False, method="min")
    rep.table("mfi_ranks", _named(ranks, names),
              caption="MFI ranks by scheme (1 = best; ties share the best rank)")
    excluded = result.excluded_table()
    if not excluded.empty:
        if names:
            excluded.insert(2, "name", excluded["mfi"].astype(str).map(names))
        rep.table("mfi_excluded", excluded, caption="MFIs excluded from a scheme, and why")

    # -- comparison
    cols = list(result.mfi_scores.columns)
    if len(cols) >= 2:
        rep.section("Scheme comparison")
        captions = {
            "pairs": "Agreement of each pair of schemes on the MFIs they all score: Spearman "
                     "rho, Kendall tau-b, mean and maximum absolute rank shift, top-10 overlap",
            "spearman": "Spearman rank correlation between schemes",
            "kendall": "Kendall tau-b between schemes",
            "mean_rank_shift": "Mean absolute rank shift between schemes (places)",
            "movers": "MFIs whose rank differs most across schemes",
        }
        comp = result.comparison
        if comp is not None:
            rep.text(
                f"Compared on the {len(comp.common)} MFIs scored by every scheme "
                f"({len(comp.dropped)} MFIs lack a score under some scheme and are left out)."
            )
        for name, frame in result.comparison_tables().items():
            shown = _named(frame, names) if name == "movers" else frame
            rep.table(f"comparison_{name}", shown,
                      caption=captions.get(name, f"Scheme comparison: {name}"))
        base = cols[0]
        rep.try_figure(
            "scheme_ranks",
            lambda: _rank_grid(result.mfi_scores, base, cols[1:]),
            caption=f"Rank of each MFI under every other scheme against {base} (1 = best; "
            "the dashed line is equal rank; the MFIs that move most are labelled)",
        )
        if comp is not None:
            for meth in ("plot_rank_shift", "plot_rank_shifts", "rank_shift_plot"):
                if hasattr(comp, meth):
                    rep.try_figure("rank_shift", _decluttered(getattr(comp, meth)),
                                   caption="Rank of each MFI under each scheme (1 = best); "
                                   "the MFIs that move most are coloured and labelled "
                                   "(labels of nearby ends spread apart, with leader "
                                   "lines)")
                    break

    # -- DEA
    if result.dea is not None:
        spec = study.dea
        rep.section("Study DEA model ([dea])")
        rep.text(
            f"The study's own DEA model (study table [dea]; not the 'dea' MFI scheme, whose "
            f"social-efficiency inputs and outputs are fixed): {spec.describe()}; inputs: "
            f"{', '.join(spec.inputs)}; outputs: {', '.join(spec.outputs)}."
            + (" Cross-efficiency columns (Doyle & Green 1994, simple secondary goal): mean "
               "cross-efficiency with and without self-appraisal and the maverick index "
               "(own score / peer mean - 1; high = the unit rates itself far better than "
               "its peers do)." if getattr(result, "dea_cross", None) is not None else "")
        )
        boot = getattr(result, "dea_bootstrap", None)
        if boot is not None:
            rep.text(
                f"Bootstrap ([dea] bootstrap = {boot.n_boot}): smoothed homogeneous bootstrap "
                "of Simar & Wilson (1998), seed "
                f"{study.sensitivity.seed}, bandwidth {boot.bandwidth:.4g}; scores_bc is the "
                f"bias-corrected score, [lower, upper] its {100 * (1 - boot.alpha):g}% "
                "confidence interval; use_bias_correction is false where the bias is "
                "smaller than its noise (|bias| <= std/sqrt(3)): keep the original score there."
            )
        rep.table("dea_results", _named(result.dea_table(), names),
                  caption="Study DEA model: scores, slacks and peers")
        model = getattr(spec, "model", "radial")
        drawable = model == "radial" and len(spec.inputs) == 1 and (
            (len(spec.outputs) == 1 and spec.rts in ("crs", "vrs"))
            or (len(spec.outputs) == 2 and spec.rts == "crs")
        )
        if drawable:
            rep.try_figure(
                "dea_frontier",
                lambda: plots.dea_frontier(
                    result.dea_data, inputs=spec.inputs, outputs=spec.outputs, rts=spec.rts,
                    scores=result.dea.scores, units=study.units, label="efficient",
                    names=_mfi_names(result), log="auto",
                ),
                caption="Units (coloured by efficiency score) and the DEA frontier; the "
                "units on the frontier are labelled with their names (log axes when the "
                "data span more than two orders of magnitude)",
            )
        elif model != "radial":
            rep.text(
                f"No frontier figure: the figure shows radial scores on the frontier, and "
                f"the {model} score measures distance to it differently (see the table)."
            )
        else:
            rep.text(
                "No frontier figure: an exact 2-D frontier exists for one input with one output "
                "(CRS or VRS) or with two outputs (CRS) only."
            )

    # -- MIVs
    if result.miv is not None:
        miv = result.miv
        rep.section("MIV index")
        miv_names = _miv_names(result)
        rep.table("miv_index", _named(_as_frame(miv.index, "index"), miv_names),
                  caption="MIV social performance index")
        if getattr(miv, "coverage", None) is not None:
            rep.table("miv_coverage", _named(_as_frame(miv.coverage, "coverage"), miv_names),
                      caption="Share of each MIV's portfolio with a scored MFI")
        details = getattr(miv, "details", None)
        if isinstance(details, pd.DataFrame):
            rep.table("miv_details", _named(details, miv_names),
                      caption="MIV index, blocks, coverage and rules")
        profile = result.miv_profile()
        if not profile.empty:
            rep.table("miv_profile", _named(profile, miv_names),
                      caption="MIV profile: look-through score and own-indicator points by "
                      "dimension")
            rep.try_figure("miv_profile", lambda: plots.miv_profile(profile, limit=8),
                           caption="MIV profile by dimension (scores in [0, 1])")

    quality_section(rep, result)

    # -- sensitivity
    if result.sensitivity is not None:
        sensitivity_section(rep, result.sensitivity)
    return rep


def screening_section(rep: Report, screening: Any) -> Report:
    """Add the "Data screening" section: what each rule did, and every change by MFI."""
    rep.section("Data screening")
    rep.text(
        f"The MFI file was screened before scoring (study key 'data.screening'): "
        f"{screening.rows_in:,} rows in, {screening.rows_out:,} rows kept. Each rule below sets "
        "impossible values missing or drops rows; the user's file is not changed. Every change "
        "is listed by MFI id, name, year, column (the catalogue's name and the file's own), "
        "value and rule in the table 'screening_exclusions' (in full in the CSV and Excel "
        "files)."
    )
    rep.table("screening_counts", screening.counts,
              caption="Screening rules: values set missing, rows dropped, MFIs affected")
    quarterly = screening.quarterly_only_years()
    if len(quarterly):
        rep.text(
            f"{len(quarterly):,} MFI-years exist only as quarterly-report rows and were dropped "
            "(add \"QTR\" to data.screening.period_types to keep them)."
        )
    if len(screening.exclusions):
        rep.table("screening_exclusions", screening.exclusions.set_index("mfiid"),
                  caption="Every value set missing and every row dropped by screening "
                  "(first rows shown; the CSV and Excel files hold all)")
    return rep


def quality_section(rep: Report, audit: Any, *, full: bool = False) -> Report:
    """Add the section "Indicator and aggregation quality" (see :mod:`socialperf.audit`).

    Parameters
    ----------
    rep : Report
    audit : socialperf.audit.StudyAudit or StudyResult
        The audit, or a study result to audit (:func:`socialperf.audit.audit_study`).
    full : bool, default False
        Also add every other table of the audit (``StudyAudit.tables()``), as
        ``socialperf audit`` does.

    Returns
    -------
    Report
        ``rep``, with the catalogue checks, each scheme's set and aggregation tables and
        the list of failed criteria. If the audit cannot be computed the section says why.
    """
    from socialperf.audit import StudyAudit, audit_study

    rep.section("Indicator and aggregation quality")
    if not isinstance(audit, StudyAudit):
        try:
            audit = audit_study(audit)
        except InputDataError as exc:
            rep.text(f"The quality audit could not be computed: {exc}")
            return rep
    rep.text(
        "Formal quality criteria (Meyer & Krauss 2015, section 3; OECD/JRC 2008): each "
        "indicator's coverage, discrimination, skewness and kurtosis (JRC rule: treat when "
        "|skew| > 2 and kurtosis > 3.5), validity proxy (Spearman correlation with the rest "
        "of its dimension) and year-to-year stability in the reference universe; the set's "
        "correlations, Cronbach's alpha and KMO per dimension; and the aggregation: each "
        "indicator's main effect S_i on the score (Paruolo, Saisana & Saltelli 2013) against "
        "its nominal weight, and the compensability of the aggregation (1 = fully "
        "compensatory). Thresholds and their sources: weighting.THRESHOLDS."
    )
    rep.table("quality_catalogue", audit.catalogue,
              caption="Catalogue quality criteria measured in the reference universe (all "
              "years) and in the study year; 'checks' lists the failed criteria")
    if audit.universe is not None and len(audit.universe.coverage.columns) > 1:
        rep.table("quality_coverage_by_year", audit.universe.coverage.T,
                  caption="Share of MFIs with a value, by year, in the reference universe")
    for name, res in audit.schemes.items():
        rep.table(f"quality_{name}_dimensions", res.dimensions,
                  caption=f"Scheme {name}: indicators, weight, Cronbach's alpha, KMO and "
                  f"first-component share per dimension ({audit.year})")
        rep.table(f"quality_{name}_influence", res.influence,
                  caption=f"Scheme {name}: main effect S_i of each indicator on the score and "
                  "its share, against the effective nominal weight")
        if len(res.compensability.columns):
            rep.table(f"quality_{name}_compensability", res.compensability,
                      caption=f"Scheme {name}: gain from a rise in the worst vs the best "
                      "indicator, per unit of weight (median and quartiles over MFIs)")
    for name, why in audit.skipped.items():
        rep.text(f"Scheme {name}: not audited ({why}).")
    flags = audit.flag_table
    if len(flags):
        rep.table("quality_flags", flags[["scope", "level", "criterion", "subject",
                                          "message"]],
                  caption="Failed quality criteria", max_rows=100)
    else:
        rep.text("No quality criterion fails.")
    if full:
        for name, table in audit.tables().items():
            if name != "flags":
                rep.table(f"audit_{name}", table, caption=f"Audit table {name}")
    return rep


def _named(frame: pd.DataFrame, names: Mapping[str, str] | None) -> pd.DataFrame:
    """``frame`` with a ``name`` column first, when its index holds ids that have names."""
    if not names or "name" in frame.columns:
        return frame
    labels = frame.index.astype(str)
    if not labels.isin(list(names)).any():
        return frame
    out = frame.copy()
    out.insert(0, "name", [names.get(k) for k in labels])
    return out


def _mfi_names(result: StudyResult) -> dict[str, str] | None:
    """MFI label -> MFI name from the study's MFI table (None without a name column)."""
    from socialperf.study.sensitivity import _unit_names

    data = getattr(result, "data", None)
    return _unit_names(getattr(data, "mfis", None), "mfiid", "mfiname")


def _miv_names(result: StudyResult) -> dict[str, str] | None:
    """MIV id -> MIV name from the study's MIV indicator table (None without names)."""
    table = getattr(getattr(result, "data", None), "miv_indicators", None)
    if not isinstance(table, pd.DataFrame) or "name" not in table.columns:
        return None
    names = table["name"].dropna()
    return {str(k): str(v) for k, v in names.items()} or None


def _rank_grid(scores: pd.DataFrame, base: str, others: Sequence[str]) -> Any:
    """One figure: ``scheme_ranks(base, other)`` for each other scheme, in a grid."""
    import matplotlib.pyplot as plt

    from socialperf import plots

    n = len(others)
    ncol = min(3, n)
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 4.0 * nrow), squeeze=False)
    for ax, other in zip(axes.flat, others, strict=False):
        plots.scheme_ranks(scores, base, other, annotate=3, ax=ax)
        ax.title.set_fontsize("small")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _decluttered(draw: Callable[[], Any]) -> Callable[[], Any]:
    """``draw`` followed by hiding the text labels that overlap earlier ones."""

    def run() -> Any:
        from socialperf.plots import hide_overlapping_labels

        out = draw()
        for ax in getattr(getattr(out, "figure", out), "axes", [out]):
            hide_overlapping_labels(ax)
        return out

    return run


def _as_frame(obj: Any, name: str) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, pd.Series):
        return obj.to_frame(obj.name if obj.name is not None else name)
    return pd.DataFrame({name: [obj]})


def write_sensitivity_report(
    outcome: Any, folder: str | Path, *, title: str = "Sensitivity analysis",
    provenance: str | None = MIX_ATTRIBUTION, raw_csv: bool = False, study: Any = None,
) -> ReportFiles:
    """Write a report holding only the sensitivity section (``socialperf sensitivity``).

    Parameters
    ----------
    outcome : socialperf.study.SensitivityOutcome
    folder : str or pathlib.Path
    title : str
    provenance : str, optional
    raw_csv : bool, default False
        See :meth:`Report.write`.
    study : socialperf.study.Study, optional
        The study analysed; its settings go into ``settings.toml`` and the page.

    Returns
    -------
    ReportFiles
    """
    _use_agg()
    settings = study.to_toml() if study is not None else None
    rep = Report(title, provenance=provenance, settings=settings)
    sensitivity_section(rep, outcome)
    return rep.write(folder, raw_csv=raw_csv)


def sensitivity_section(rep: Report, sens: Any) -> Report:
    """Add the uncertainty and Sobol' part of a study to ``rep``.

    Parameters
    ----------
    rep : Report
    sens : socialperf.study.SensitivityOutcome
        Holds ``uncertainty`` (rank statistics per unit), ``sobol`` (first and total order
        indices per input factor) and the raw objects from :mod:`weighting.sensitivity`;
        its ``miv`` analysis, if run, gets a section of its own (rank intervals of the MIVs,
        Sobol' indices of w, portfolio method, uncovered rule, feeding scheme, MFI weights).

    Returns
    -------
    Report
    """
    rep.section("Sensitivity and uncertainty: MFIs")
    _analysis_items(rep, sens, "sensitivity", "MFI")
    miv = getattr(sens, "miv", None)
    if miv is not None:
        rep.section("Sensitivity and uncertainty: MIVs")
        _analysis_items(rep, miv, "sensitivity_miv", "MIV")
    return rep


_SENSITIVITY_CAPTIONS = {
    "rank_intervals": "{unit} ranks across the Monte Carlo runs (1 = best): base rank, median "
                      "and 5-95% interval, probability of a top-k place, score quantiles and "
                      "share of runs in which the {unit} is scored (rarely_scored: in fewer "
                      "than half of the runs; such {unit}s are left out of the rank-interval "
                      "figure)",
    "rank_shift_distribution": "Distribution over the runs of the mean absolute rank shift "
                               "(places) of the {unit}s from their base ranks",
    "sobol_indices": "Sobol' indices of the mean absolute rank shift: S1 first order (the "
                     "factor alone), ST total (with interactions), with 95% bootstrap "
                     "half-widths (_conf); levels: the number of values a factor takes (2 "
                     "for a two-way choice such as returns to scale; empty for a continuous "
                     "range); ST_zero: the interval of ST reaches 0, so the factor's effect "
                     "cannot be told from none with these runs",
}


def _analysis_items(rep: Report, outcome: Any, prefix: str, unit: str) -> None:
    """Text, tables and figures of one uncertainty analysis (MFI or MIV level)."""
    rep.text(outcome.describe())
    for name, frame in outcome.tables().items():
        caption = _SENSITIVITY_CAPTIONS.get(name, name).format(unit=unit)
        rep.table(f"{prefix}_{name}", frame, caption=caption)
    for name, draw, caption in outcome.figures():
        rep.try_figure(f"{prefix}_{name}", draw, caption=caption)


def numeric_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Count, mean, min, median and max of each numeric column (for the methods section)."""
    num = frame.select_dtypes(include=[np.number])
    return pd.DataFrame(
        {
            "n": num.notna().sum(),
            "mean": num.mean(),
            "min": num.min(),
            "median": num.median(),
            "max": num.max(),
        }
    )


def dea_table(result: Any, cross: Any = None) -> pd.DataFrame:
    """One row per unit: DEA score, status, slacks and peers of a :mod:`dea` result.

    Parameters
    ----------
    result : dea result
        Anything with ``scores`` (Series by unit); ``status``, ``slacks`` (DataFrame by unit
        and column) and ``peers`` (per unit: a list of peer labels, or a units x peers
        DataFrame of lambdas) are used when present.  This covers :class:`dea.Radial`,
        :class:`dea.SBM` (score rho or super-SBM delta), :class:`dea.Additive` (score =
        slack sum) and :class:`dea.DDF` (score = beta) results alike.
    cross : dea.CrossEfficiencyResult, optional
        Adds ``mean_cross_efficiency`` (with self-appraisal), ``mean_peer_appraisal``
        (without) and ``maverick`` for the same units.

    Returns
    -------
    pandas.DataFrame
        Columns ``score``, ``status``, ``slack_<column>`` for each input and output, and
        ``peers`` (peer labels joined by ``"; "``), indexed by unit label; then the
        cross-efficiency columns when ``cross`` is given.
    """
    scores = result.scores
    out = pd.DataFrame({"score": pd.to_numeric(scores, errors="coerce")}, index=scores.index)
    status = getattr(result, "status", None)
    if isinstance(status, pd.Series):
        out["status"] = status.reindex(out.index).astype(str)
    slacks = getattr(result, "slacks", None)
    if isinstance(slacks, pd.DataFrame):
        if isinstance(slacks.columns, pd.MultiIndex):
            names = ["slack_" + "_".join(map(str, c)) for c in slacks.columns]
        else:
            names = [c if str(c).startswith("slack") else f"slack_{c}" for c in slacks.columns]
        sl = slacks.copy()
        sl.columns = names
        out = out.join(sl.reindex(out.index))
    peers = getattr(result, "peers", None)
    if peers is not None:
        out["peers"] = _peer_strings(peers, out.index)
    if cross is not None:
        out["mean_cross_efficiency"] = cross.mean.reindex(out.index)
        out["mean_peer_appraisal"] = cross.mean_peer.reindex(out.index)
        out["maverick"] = cross.maverick.reindex(out.index)
    return out


def _peer_strings(peers: Any, index: pd.Index) -> pd.Series:
    if isinstance(peers, pd.DataFrame):  # units x reference units, lambdas
        numeric = peers.apply(pd.to_numeric, errors="coerce")
        if numeric.notna().all().all():
            rows = {
                u: "; ".join(str(c) for c in numeric.columns if numeric.at[u, c] > 1e-9)
                for u in numeric.index
            }
            return pd.Series(rows).reindex(index)
        return peers.astype(str).agg("; ".join, axis=1).reindex(index)
    if isinstance(peers, pd.Series):
        return peers.map(
            lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple | set | pd.Index)
            else ("" if v is None else str(v))
        ).reindex(index)
    if isinstance(peers, Mapping):
        return pd.Series({k: "; ".join(map(str, v)) for k, v in peers.items()}).reindex(index)
    return pd.Series([str(peers)] * len(index), index=index)
