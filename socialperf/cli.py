"""The ``socialperf`` command.

Subcommands (``socialperf --version`` prints the version)::

    socialperf demo [--out DIR]                      whole study on the bundled example data
    socialperf run study.toml [--out DIR]            whole study from a configuration file
    socialperf dea data.csv --inputs a,b --outputs c,d [--rts vrs] [--orientation input]
                   [--model radial|sbm|additive|ddf] [--sbm-orientation non|input|output]
                   [--super] [--direction observed|inputs|outputs|unit]
                   [--slack-weights ones|ram|mip|normalized] [--cross-efficiency]
                   [--index-col COL] [--year Y] [--missing error|drop] [--screen]
                   [--out scores.csv]
    socialperf malmquist panel.csv --inputs a,b --outputs c [--years 2005-2015] [--rts crs]
                   [--orientation input] [--base consecutive|first] [--screen] [--out DIR]
    socialperf sensitivity study.toml [--runs N] [--sobol N] [--n-jobs K] [--seed S] [--out DIR]
    socialperf audit study.toml [--out DIR] [--no-universe]   quality audit (prints, writes)

``run``, ``demo``, ``dea`` and ``sensitivity`` take ``--scheduler ADDRESS``: the DEA fits and
the Monte Carlo and Sobol' runs go to that Dask scheduler (``local:N`` starts N local worker
processes), with results identical to the serial run; see :func:`dea._parallel.scheduler`.

CSV files are written with OWASP's leading apostrophe before text that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (so spreadsheets do not run it as a formula);
``--raw-csv`` writes the values unchanged, for programs.

Errors in the user's data or configuration print one line, ``socialperf: error: ...``, on
stderr and exit with status 1 (``--debug`` shows the traceback); usage errors exit with 2;
anything unexpected prints ``socialperf: internal error: ...`` and exits with 3.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import dea
from dea._parallel import resolve_jobs, scheduler
from dea._version import distribution_version
from dea.exceptions import DEAError, InputDataError, format_labels
from socialperf.audit import audit_study
from socialperf.exceptions import OutputFolderError
from socialperf.io import _id_string, read_table
from socialperf.mfi import DEFAULT_RTS
from socialperf.productivity import malmquist_panel, parse_years, productivity_section
from socialperf.report import (
    Report,
    _use_agg,
    dea_table,
    quality_section,
    write_sensitivity_report,
    write_study_report,
)
from socialperf.safety import write_csv
from socialperf.screen import screen_mfis
from socialperf.study import DEASpec, Study, StudyConfigError, run_sensitivity, run_study
from socialperf.study._files import _tomllib

__all__ = ["main"]

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

_RAW_CSV_HELP = (
    "write CSV values unchanged, for programs (default: text that starts with = + - @ tab "
    "or CR gets a leading apostrophe, so that spreadsheets do not run it as a formula)"
)
_JOBS_HELP = "parallel workers (default 1; with --scheduler, every worker of the cluster)"
_SCHEDULER_HELP = (
    "run the heavy work on a Dask cluster: 'local:N' starts N local worker processes, or "
    "give a running scheduler's address, e.g. tcp://host:8786 (trusted clusters only: "
    "tasks travel pickled); results are identical to the serial run"
)


class _UsageError(Exception):
    """Raised by the argument parser instead of exiting."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line and do not call ``sys.exit``."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _user_errors() -> tuple[type[BaseException], ...]:
    return (
        DEAError,
        OSError,
        _tomllib().TOMLDecodeError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
    )


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"file not found: {exc.filename}"
    if isinstance(exc, IsADirectoryError) and exc.filename:
        return f"expected a file, got a directory: {exc.filename}"
    if isinstance(exc, PermissionError) and exc.filename:
        return f"permission denied: {exc.filename}"
    text = str(exc) or type(exc).__name__
    if type(exc).__name__ == "TOMLDecodeError":
        text = f"invalid TOML: {text}"
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _build_parser() -> _Parser:
    p = _Parser(
        prog="socialperf",
        description="Social performance of microfinance institutions (MFIs) and investment "
        "vehicles (MIVs): DEA, composite indicators, scheme comparison and reports.",
    )
    p.add_argument("--version", action="version",
                   version=f"socialperf {distribution_version()}",
                   help="show the version and exit")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    p.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar on stderr (default: only when stderr is a terminal)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    common = _Parser(add_help=False)  # accepted after the subcommand too
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks and debug logging")
    common.add_argument("--progress", action="store_true", default=argparse.SUPPRESS,
                        help="show a progress bar on stderr")

    demo = sub.add_parser("demo", parents=[common],
                          help="run the whole study on the bundled example data")
    demo.add_argument("--out", default="socialperf-report", help="report folder "
                      "(default: ./socialperf-report)")
    demo.add_argument("--n-jobs", type=int, default=None, help=_JOBS_HELP)
    demo.add_argument("--scheduler", default=None, metavar="ADDRESS", help=_SCHEDULER_HELP)
    demo.add_argument("--no-sensitivity", action="store_true",
                      help="skip the uncertainty / Sobol' analysis")
    demo.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)

    run = sub.add_parser("run", parents=[common], help="run a study described by a TOML file")
    run.add_argument("study", help="study configuration (TOML)")
    run.add_argument("--out", default="socialperf-report", help="report folder")
    run.add_argument("--n-jobs", type=int, default=None, help=_JOBS_HELP)
    run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help=_SCHEDULER_HELP + " (default: the study's [run] scheduler)")
    run.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)

    d = sub.add_parser("dea", parents=[common],
                       help="score the units of a CSV table with a DEA model (radial by default)")
    d.add_argument("data", help="CSV or Excel file, one row per unit")
    d.add_argument("--inputs", required=True, help="comma-separated input columns")
    d.add_argument("--outputs", required=True, help="comma-separated output columns")
    d.add_argument("--rts", default=DEFAULT_RTS, choices=dea.RTS_CHOICES,
                   help=f"returns to scale (default {DEFAULT_RTS}, as in a study)")
    d.add_argument("--orientation", default="input", choices=dea.ORIENTATIONS,
                   help="orientation (default input)")
    d.add_argument("--model", default="radial", choices=("radial", "sbm", "additive", "ddf"),
                   help="DEA model (default radial; see [dea] model in socialperf.study)")
    d.add_argument("--sbm-orientation", default=None,
                   help="--model sbm: non, input or output (default non)")
    d.add_argument("--super", action="store_true", default=None,
                   help="--model sbm: super-SBM for the efficient units")
    d.add_argument("--direction", default=None,
                   help="--model ddf: observed, inputs, outputs or unit (default observed)")
    d.add_argument("--slack-weights", default=None,
                   help="--model additive: ones, ram, mip or normalized (default ones)")
    d.add_argument("--cross-efficiency", action="store_true",
                   help="add mean cross-efficiency and maverick columns")
    d.add_argument("--index-col", default=None,
                   help="column with unit labels (default: 'mfiid' when the table has it, "
                   "as MIX files do; else the first column if it holds text or whole-number "
                   "ids)")
    d.add_argument("--year", type=int, default=None,
                   help="score the rows of this fiscal year of a panel (column 'year')")
    d.add_argument("--missing", choices=("error", "drop"), default="error",
                   help="units with a missing input or output: stop naming them (default) "
                   "or leave them out and list them")
    d.add_argument("--screen", action="store_true",
                   help="apply socialperf's MIX screening rules first (annual rows only, "
                   "impossible values set missing; see socialperf.screen)")
    d.add_argument("--solver", default="highs", help="LP backend (default highs)")
    d.add_argument("--n-jobs", type=int, default=None, help=_JOBS_HELP)
    d.add_argument("--scheduler", default=None, metavar="ADDRESS", help=_SCHEDULER_HELP)
    d.add_argument("--out", default=None, help="write the result table to this CSV file "
                   "(an existing file is kept unless --overwrite is given)")
    d.add_argument("--overwrite", action="store_true",
                   help="replace the --out file if it exists")
    d.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)

    m = sub.add_parser("malmquist", parents=[common],
                       help="Malmquist productivity change of the units of a panel, by year")
    m.add_argument("panel", help="CSV or Excel panel, one row per unit (mfiid) and year")
    m.add_argument("--inputs", required=True, help="comma-separated input columns")
    m.add_argument("--outputs", required=True, help="comma-separated output columns")
    m.add_argument("--years", default=None,
                   help="range of fiscal years, e.g. 2005-2015 (default: all years)")
    m.add_argument("--rts", default="crs", choices=dea.RTS_CHOICES,
                   help="returns to scale (default crs, which also gives the scale parts)")
    m.add_argument("--orientation", default="input", choices=dea.ORIENTATIONS,
                   help="orientation (default input)")
    m.add_argument("--base", default="consecutive", choices=("consecutive", "first"),
                   help="compare consecutive years (default) or each year with the first")
    m.add_argument("--screen", action="store_true",
                   help="apply socialperf's MIX screening rules first (see socialperf.screen)")
    m.add_argument("--unit-col", default="mfiid", help="unit id column (default mfiid)")
    m.add_argument("--solver", default="highs", help="LP backend (default highs)")
    m.add_argument("--n-jobs", type=int, default=1, help="parallel workers (default 1)")
    m.add_argument("--out", default="socialperf-malmquist", help="report folder")
    m.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)

    s = sub.add_parser("sensitivity", parents=[common],
                       help="uncertainty and Sobol' analysis of a study")
    s.add_argument("study", help="study configuration (TOML), or 'demo' for the bundled one")
    s.add_argument("--runs", type=int, default=None, help="Monte Carlo runs")
    s.add_argument("--sobol", type=int, default=None,
                   help="Sobol' base sample size N (0 = skip Sobol')")
    s.add_argument("--n-jobs", type=int, default=None, help=_JOBS_HELP)
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help=_SCHEDULER_HELP + " (default: the study's [run] scheduler)")
    s.add_argument("--seed", type=int, default=None, help="random seed")
    s.add_argument("--out", default="socialperf-sensitivity", help="report folder")
    s.add_argument("--no-miv", action="store_true",
                   help="skip the MIV-level analysis ([sensitivity.miv])")
    s.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)
    a = sub.add_parser("audit", parents=[common],
                       help="quality audit of a study's indicators and MFI schemes")
    a.add_argument("study", help="study configuration (TOML), or 'demo' for the bundled one")
    a.add_argument("--out", default="socialperf-audit", help="report folder")
    a.add_argument("--no-universe", action="store_true",
                   help="skip the audit of the reference universe panel (all years)")
    a.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)
    return p


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send whatever native libraries write to file descriptor 1 to stderr meanwhile.

    Solver libraries may print banners from C code straight to fd 1 (HiGHS prints one when
    a solver object is created); the command's own results go to stdout afterwards, so
    ``socialperf dea data.csv ... > scores.txt`` holds the table only.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError, AttributeError):  # no real fd 1 (embedded use): do nothing
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _split_columns(text: str, option: str) -> list[str]:
    cols = [c.strip() for c in text.split(",") if c.strip()]
    if not cols:
        raise InputDataError(f"{option}: no column names given; pass e.g. {option} a,b")
    return cols


def _read_units_csv(
    path: str, index_col: str | None, used: tuple[str, ...] = (), *, year: int | None = None,
    screen: bool = False, panel: bool = False,
) -> pd.DataFrame:
    """Read a CSV or Excel table of units.

    The label column is ``index_col``; else ``mfiid`` when the table has it (MIX files);
    else the first column when it holds text, or whole-number ids (not one of the ``used``
    input/output columns). Otherwise units are labelled by their file row number (header =
    row 1). Labels must be unique: a panel (one row per unit and year) needs ``year``.
    With ``screen``, socialperf's MIX screening rules run first.  With ``panel``, the
    table is returned as read (one row per unit and year, no label index) and
    ``attrs["screen_dropped_rows"]`` maps ``(mfiid, year)`` to the screening rule of each
    MFI-year that screening removed.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", str(p))
    frame = read_table(p)
    if frame.empty:
        raise InputDataError(f"{p}: the table has no rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    screen_dropped: dict[str, str] = {}
    if screen:
        screening = screen_mfis(frame)
        print(f"--screen: {screening.summary()}", file=sys.stderr)
        frame = screening.panel
        ex = screening.exclusions
        rows = ex.loc[ex["action"] == "row dropped"]
        if year is not None:
            rows = rows.loc[pd.to_numeric(rows["year"], errors="coerce") == year]
        if "mfiid" in frame.columns:  # MIX ids as text, as the exclusions table has them
            frame["mfiid"] = frame["mfiid"].map(_id_string)
        in_year = frame if year is None or "year" not in frame else frame.loc[
            pd.to_numeric(frame["year"], errors="coerce") == year]
        kept = set(in_year["mfiid"]) if "mfiid" in frame.columns else set()
        for _, r in rows.iterrows():
            mfi = _id_string(r["mfiid"])
            if mfi not in kept:  # not a quarterly row of an MFI-year with an annual one
                screen_dropped.setdefault(mfi, f"screening rule {r['rule']}")
        if panel:
            have = set(zip(frame["mfiid"], pd.to_numeric(frame["year"], errors="coerce"),
                           strict=True)) if {"mfiid", "year"} <= set(frame.columns) else set()
            gone = {}
            for _, r in ex.loc[ex["action"] == "row dropped"].iterrows():
                key = (_id_string(r["mfiid"]), int(r["year"]))
                if key not in have:
                    gone.setdefault(key, f"screening rule {r['rule']}")
            frame.attrs["screen_dropped_rows"] = gone
    if panel:
        if "mfiid" in frame.columns:
            frame["mfiid"] = frame["mfiid"].map(_id_string)
        return frame
    if year is not None:
        if "year" not in frame.columns:
            raise InputDataError(
                f"--year: {p.name} has no column 'year'; columns are "
                f"{format_labels(list(frame.columns), limit=10)}"
            )
        years = pd.to_numeric(frame["year"], errors="coerce")
        if not (years == year).any():
            have = sorted({int(v) for v in years.dropna()})
            raise InputDataError(
                f"--year {year}: no rows of that year in {p.name}; it has years "
                f"{format_labels(have, limit=30, quote=False)}"
            )
        frame = frame.loc[(years == year).to_numpy()]
    if index_col is None and "mfiid" in frame.columns:
        index_col = "mfiid"
    file_row = frame.index  # header = row 1
    if index_col is not None:
        if index_col not in frame.columns:
            raise InputDataError(
                f"--index-col: column {index_col!r} not in {p.name}; columns are "
                f"{format_labels(list(frame.columns), limit=10)}"
            )
        frame = frame.set_index(index_col)
    else:
        first = frame.columns[0]
        col = frame[first]
        is_id = pd.api.types.is_integer_dtype(col) and first not in used
        if is_id or not pd.api.types.is_numeric_dtype(col):
            frame = frame.set_index(first)
    if not frame.index.is_unique:
        dup = frame.index[frame.index.duplicated()].unique()
        file_rows = file_row[frame.index.duplicated(keep=False)]
        hint = "pass --index-col to choose the label column"
        if year is None and "year" in frame.columns:
            hint = "the table is a panel: pass --year to score one fiscal year"
        raise InputDataError(
            f"{p.name}: unit labels {format_labels(dup)} in column {frame.index.name!r} appear "
            f"more than once (file rows {format_labels(file_rows, quote=False)}); labels "
            f"must be unique ({hint})"
        )
    frame.attrs["screen_dropped"] = screen_dropped
    return frame


def _cmd_dea(args: argparse.Namespace) -> int:
    inputs = _split_columns(args.inputs, "--inputs")
    outputs = _split_columns(args.outputs, "--outputs")
    frame = _read_units_csv(args.data, args.index_col, (*inputs, *outputs), year=args.year,
                            screen=args.screen)
    for option, cols in (("--inputs", inputs), ("--outputs", outputs)):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputDataError(
                f"{option}: column(s) {format_labels(missing)} not in {Path(args.data).name}; "
                f"columns are {format_labels(list(frame.columns), limit=10)}"
            )
    both = set(inputs) & set(outputs)
    if both:
        raise InputDataError(
            f"--inputs/--outputs: column(s) {format_labels(sorted(both))} given as both input "
            "and output; give each column once"
        )
    used = [*inputs, *outputs]
    incomplete = frame.index[frame[used].isna().any(axis=1).to_numpy()]
    screened_out = pd.Series(frame.attrs.get("screen_dropped", {}), name="reason",
                             dtype=object)
    dropped = pd.Series(dtype=object)
    if len(incomplete) and args.missing == "error":
        cols = [c for c in used if frame.loc[incomplete, c].isna().any()]
        raise InputDataError(
            f"{len(incomplete)} unit(s) have missing values in {format_labels(cols)}: "
            f"{format_labels(list(incomplete))}; fill them, or pass --missing drop to leave "
            "those units out"
        )
    if len(incomplete):
        dropped = pd.Series(
            {u: "missing " + ", ".join(c for c in used if pd.isna(frame.at[u, c]))
             for u in incomplete}, name="reason", dtype=object,
        )
        frame = frame.drop(index=incomplete)
        if frame.empty:
            raise InputDataError(
                f"--missing drop: every unit has a missing value in {format_labels(used)}"
            )
    if len(screened_out):
        dropped = pd.concat([dropped, screened_out])
    names = frame["mfiname"] if "mfiname" in frame.columns else None
    spec = _dea_spec(args, inputs, outputs)
    _check_jobs(args.n_jobs)
    n_jobs = resolve_jobs(args.n_jobs)
    with _scheduler(args), _stdout_to_stderr():
        model = spec.build(frame, solver=args.solver, n_jobs=n_jobs)
        result = model.fit()
        cross = (spec.build_cross(frame, solver=args.solver, n_jobs=n_jobs).fit()
                 if spec.cross_efficiency else None)
    table = dea_table(result, cross=cross)
    if not spec.inefficiency:
        # a score within the engine's tolerance of 1 is efficient: print and write it as 1
        near_one = (table["score"] - 1.0).abs() <= dea.EFFICIENCY_TOL
        table.loc[near_one, "score"] = 1.0
    if names is not None:
        table.insert(0, "name", names.reindex(table.index))
    table.index.name = frame.index.name or "unit"
    if args.out:
        out = Path(args.out)
        if out.is_symlink() or (out.exists() and not out.is_file()):
            raise OutputFolderError(
                f"--out {str(out)!r} is a symbolic link or not a file; nothing was written"
            )
        if out.exists() and not args.overwrite:
            raise OutputFolderError(
                f"--out {str(out)!r} exists; nothing was written (pass --overwrite to replace "
                "it, or choose another file)"
            )
        if out.parent and not out.parent.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
        written = table
        if len(dropped):
            extra = pd.DataFrame({"status": "dropped", "reason": dropped})
            if names is not None:
                extra.insert(0, "name", None)
            written = pd.concat([table, extra])
        write_csv(written, out, raw=args.raw_csv)
        print(_dea_summary(table, dropped, args))
        print(f"wrote {out}")
    else:
        with pd.option_context("display.width", 120, "display.max_rows", 200,
                               "display.max_columns", 50):
            print(table.to_string(float_format=lambda v: f"{v:.6g}"))
        if len(dropped):
            print(_dropped_lines(dropped))
    return EXIT_OK


def _dea_spec(args: argparse.Namespace, inputs: list[str], outputs: list[str]) -> Any:
    """The options of ``socialperf dea`` as a :class:`socialperf.study.DEASpec` (its
    validation, its factory); errors name the option."""
    table: dict[str, Any] = {"inputs": inputs, "outputs": outputs, "rts": args.rts,
                             "orientation": args.orientation, "model": args.model,
                             "cross_efficiency": bool(args.cross_efficiency)}
    for key in ("sbm_orientation", "super", "direction", "slack_weights"):
        value = getattr(args, key)
        if value is not None:
            table[key] = value
    try:
        return DEASpec.from_dict(table)
    except StudyConfigError as err:
        msg = re.sub(r"study key 'dea\.(\w+)'",
                     lambda m: "option --" + m.group(1).replace("_", "-"), str(err))
        msg = re.sub(r'(?:dea\.)?model = "(\w+)"', r"--model \1", msg)
        raise InputDataError(msg.replace("or set --model", "or pass --model")) from None


def _dropped_lines(dropped: pd.Series) -> str:
    lines = [f"{len(dropped)} unit(s) left out (--missing drop):"]
    lines += [f"  {u}: {why}" for u, why in dropped.head(20).items()]
    if len(dropped) > 20:
        lines.append(f"  ... and {len(dropped) - 20} more (all listed in the output file)")
    return "\n".join(lines)


def _dea_summary(table: pd.DataFrame, dropped: pd.Series, args: argparse.Namespace) -> str:
    """A few lines about a DEA run whose full table went to ``--out``."""
    score = table["score"]
    status = table["status"] if "status" in table else pd.Series("optimal", index=table.index)
    ok = status.eq("optimal")
    year = f", fiscal year {args.year}" if args.year is not None else ""
    model = getattr(args, "model", "radial")
    if model in ("additive", "ddf"):  # an inefficiency: 0 = efficient, higher = worse
        lines = [
            f"{len(table)} units scored{year} ({model}, {args.rts.upper()}): "
            f"{int((score[ok] == 0.0).sum())} efficient (score 0), median score "
            f"{score[ok].median():.4g}, highest {score[ok].max():.4g} (higher = worse)",
        ]
    else:
        how = (f"{args.orientation}-oriented" if model == "radial"
               else f"sbm, {args.sbm_orientation or 'non'}-oriented")
        lines = [
            f"{len(table)} units scored{year} ({args.rts.upper()}, {how}): "
            f"{int((score[ok] >= 1.0).sum())} efficient (score "
            f"{'>= 1' if getattr(args, 'super', None) else '1'}), median score "
            f"{score[ok].median():.4g}, lowest {score[ok].min():.4g}",
        ]
    other = status[~ok]
    if len(other):
        counts = ", ".join(f"{k}: {v}" for k, v in other.value_counts().items())
        lines.append(f"{len(other)} unit(s) without a score ({counts}); see the status column")
    if len(dropped):
        lines.append(_dropped_lines(dropped))
    return "\n".join(lines)


def _progress_wanted(args: argparse.Namespace) -> bool:
    return bool(args.progress) or sys.stderr.isatty()


def _cmd_demo(args: argparse.Namespace) -> int:
    study = Study.demo()
    if args.no_sensitivity:
        study = study.replace(sensitivity={"enabled": False})
    return _run_and_report(study, args)


def _cmd_run(args: argparse.Namespace) -> int:
    return _run_and_report(Study.from_toml(args.study), args)


def _run_and_report(study, args: argparse.Namespace) -> int:
    _check_jobs(args.n_jobs)
    with _scheduler(args), _stdout_to_stderr():
        result = run_study(study, progress=_progress_wanted(args), n_jobs=args.n_jobs)
        with _out_option():
            files = write_study_report(result, args.out, raw_csv=args.raw_csv)
    print(result.summary())
    print(f"report written to {files.html}")
    return EXIT_OK


@contextlib.contextmanager
def _out_option() -> Iterator[None]:
    """Name the ``--out`` option in output-folder errors."""
    try:
        yield
    except OutputFolderError as exc:
        raise OutputFolderError(f"--out: {exc}") from None


def _scheduler(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """The ``--scheduler`` cluster for the block (nothing without the option).

    It takes precedence over a study's ``[run] scheduler`` (an enclosing scheduler block is
    kept by :func:`socialperf.run_study`).
    """
    return scheduler(getattr(args, "scheduler", None), option="--scheduler")


def _check_jobs(n_jobs: int | None) -> None:
    if n_jobs is None:
        return
    if n_jobs == 0 or n_jobs < -1:
        raise InputDataError(f"--n-jobs={n_jobs} is not allowed; use a positive number or -1")


def _cmd_malmquist(args: argparse.Namespace) -> int:
    _check_jobs(args.n_jobs)
    inputs = _split_columns(args.inputs, "--inputs")
    outputs = _split_columns(args.outputs, "--outputs")
    years = parse_years(args.years) if args.years is not None else None
    frame = _read_units_csv(args.panel, None, screen=args.screen, panel=True)
    name = Path(args.panel).name
    for option, cols in (("--inputs", inputs), ("--outputs", outputs),
                         ("--unit-col", [args.unit_col]), ("(panel)", ["year"])):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputDataError(
                f"{option}: column(s) {format_labels(missing)} not in {name}; "
                f"columns are {format_labels(list(frame.columns), limit=10)}"
            )
    try:
        with _stdout_to_stderr():
            result = malmquist_panel(
                frame, inputs, outputs, unit=args.unit_col, years=years, rts=args.rts,
                orientation=args.orientation, base=args.base, n_jobs=args.n_jobs,
                excluded=frame.attrs.get("screen_dropped_rows"), solver=args.solver,
            )
    except InputDataError as exc:
        if years is not None and str(exc).startswith("years "):
            raise InputDataError(f"--{exc}") from None
        raise
    _use_agg()
    rep = Report(f"Malmquist productivity change: {name}",
                 settings=_malmquist_settings(args))
    productivity_section(rep, result)
    with _out_option():
        files = rep.write(args.out, raw_csv=args.raw_csv)
    print(result.summary())
    print(f"report written to {files.html}")
    return EXIT_OK


def _malmquist_settings(args: argparse.Namespace) -> str:
    keys = ("panel", "inputs", "outputs", "years", "rts", "orientation", "base", "screen",
            "unit_col")
    lines = ["[malmquist]"]
    for k in keys:
        v = getattr(args, k)
        if v is None:
            continue
        lines.append(f"{k} = {str(v).lower() if isinstance(v, bool) else json.dumps(str(v))}")
    return "\n".join(lines) + "\n"


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    _check_jobs(args.n_jobs)
    study = Study.demo() if args.study == "demo" else Study.from_toml(args.study)
    changes: dict[str, object] = {"enabled": True}
    for key in ("runs", "sobol", "seed"):
        value = getattr(args, key)
        if value is not None:
            changes[key] = value
    if args.no_miv:
        changes["miv"] = {"enabled": False}
    study = study.replace(sensitivity=changes)
    with _scheduler(args), _stdout_to_stderr():
        outcome = run_sensitivity(study, progress=_progress_wanted(args), n_jobs=args.n_jobs)
        with _out_option():
            files = write_sensitivity_report(outcome, args.out,
                                             title=f"{study.name}: sensitivity",
                                             raw_csv=args.raw_csv, study=study)
    print(outcome.describe())
    if outcome.miv is not None:
        print(outcome.miv.describe())
    print(f"report written to {files.html}")
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace) -> int:
    study = Study.demo() if args.study == "demo" else Study.from_toml(args.study)
    study = study.replace(sensitivity={"enabled": False})
    with _stdout_to_stderr():
        result = run_study(study, progress=_progress_wanted(args))
        audit = audit_study(result, universe=not args.no_universe)
        _use_agg()
        rep = Report(f"{study.name}: quality audit", provenance=result.provenance,
                     settings=study.to_toml())
        with _out_option():
            files = quality_section(rep, audit, full=True).write(args.out, raw_csv=args.raw_csv)
    print(audit.summary())
    print(f"audit written to {files.html}")
    return EXIT_OK


_COMMANDS = {
    "demo": _cmd_demo,
    "run": _cmd_run,
    "dea": _cmd_dea,
    "malmquist": _cmd_malmquist,
    "sensitivity": _cmd_sensitivity,
    "audit": _cmd_audit,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``socialperf`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 1 bad input data or configuration, 2 usage error,
        3 internal error.
    """
    parser = _build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"socialperf: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="socialperf: %(levelname)s: %(message)s",
    )
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("socialperf: interrupted", file=sys.stderr)
        return 130
    except _user_errors() as exc:
        if debug:
            traceback.print_exc()
        print(f"socialperf: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:
        if debug:
            traceback.print_exc()
        else:
            print(
                f"socialperf: internal error: {type(exc).__name__}: {_one_line(exc)} "
                "(run with --debug for the traceback)",
                file=sys.stderr,
            )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
