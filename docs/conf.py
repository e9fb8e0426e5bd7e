"""Sphinx configuration of the socialperf documentation.

Build (from the repository root, with the ``docs`` extra installed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Sphinx with numpydoc because every public docstring is already numpy style (the
scientific-Python convention of statsmodels, linearmodels, SALib and scikit-learn), so the
API reference is generated from the docstrings without rewriting them; autosummary makes
one page per public name; sphinx-gallery runs ``examples/`` at build time and puts their
output and figures on the page.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS))  # _ext helpers
sys.path.insert(0, str(ROOT))

os.environ.setdefault("MPLBACKEND", "Agg")

from dea._version import distribution_version  # noqa: E402

project = "socialperf"
author = "The socialperf developers"
copyright = "2026, The socialperf developers"
release = distribution_version()
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "r_tables",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "gallery/*.ipynb"]
root_doc = "index"

# -- API reference --------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

intersphinx_mapping: dict[str, tuple[str, None]] = {}

# -- gallery of examples/ -------------------------------------------------------------------
_OUT = Path(tempfile.mkdtemp(prefix="socialperf-docs-"))
atexit.register(shutil.rmtree, _OUT, ignore_errors=True)


def _example_argv(gallery_conf: dict, script_vars: dict) -> list[str]:
    """Command-line arguments of an example run by the gallery: a temporary output folder
    (never the source tree) and, for the full study, the quick variant."""
    name = Path(script_vars["src_file"]).stem
    out = _OUT / name
    args = [str(out)]
    if name == "full_study":
        args.append("--quick")
    return args


def _png_files_scraper(block, block_vars, gallery_conf) -> str:
    """Show the PNG files an example wrote to its output folder (besides open figures)."""
    from sphinx_gallery.scrapers import figure_rst

    name = Path(block_vars["src_file"]).stem
    out = _OUT / name
    if not out.is_dir():
        return ""
    seen = gallery_conf.setdefault("_socialperf_seen_png", set())
    paths = []
    for png in sorted(out.rglob("*.png")):
        if png in seen:
            continue
        seen.add(png)
        target = next(block_vars["image_path_iterator"])
        shutil.copyfile(png, target)
        paths.append(target)
    return figure_rst(paths, gallery_conf["src_dir"])


sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "gallery",
    "filename_pattern": r"\.py$",  # run every example
    # quality_audit.py reads the shared MIX panel outside the repository through __file__
    # (undefined under the gallery) and is not yet gallery-formatted; it stays a script
    "ignore_pattern": r"(__init__|quality_audit)\.py$",
    "reset_argv": _example_argv,
    "image_scrapers": ("matplotlib", _png_files_scraper),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "plot_gallery": "True",
    "within_subsection_order": "FileNameSortKey",
    "min_reported_time": 10**9,
    "write_computation_times": False,
}
suppress_warnings = ["config.cache"]  # sphinx_gallery_conf holds functions: not cached

# -- HTML -----------------------------------------------------------------------------------
html_theme = "alabaster"
html_static_path: list[str] = []
html_title = f"socialperf {release}"
html_theme_options = {
    "description": "DEA, composite indicators and social performance of microfinance",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
