"""The report file writer: :class:`Report` collects sections of text, tables (pandas) and
figures (matplotlib) and writes them as CSV and Excel tables, PNG/SVG figures and one
self-contained HTML page (see :mod:`socialperf.report` for the layout and the study sections).
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dea._version import distribution_version
from dea.exceptions import InputDataError
from socialperf.io import EXAMPLE_MIV_NOTE as EXAMPLE_MIV_NOTE
from socialperf.safety import OutputFolder, excel_safe_strings, excel_text_cells, write_csv

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = ["FIGURE_DPI", "Report", "ReportFiles"]


logger = logging.getLogger("socialperf.report")

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
