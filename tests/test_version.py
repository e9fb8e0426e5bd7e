"""One version, written once in pyproject.toml, shown by the command and in every report."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pandas as pd

import dea
import socialperf
import weighting
from socialperf.cli import main
from socialperf.report import Report

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def test_packages_report_the_pyproject_version():
    version = _pyproject_version()
    assert metadata.version("socialperf") == version
    assert dea.__version__ == weighting.__version__ == socialperf.__version__ == version


def test_no_version_literal_outside_pyproject():
    # the version string is written once: the packages read it from the metadata
    version = _pyproject_version()
    for pkg in ("dea", "weighting", "socialperf"):
        for path in (ROOT / pkg).rglob("*.py"):
            assert f'"{version}"' not in path.read_text(encoding="utf-8"), path


def test_command_prints_version(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"socialperf {_pyproject_version()}"


def test_report_folder_names_version_without_settings(tmp_path):
    files = Report("plain").table("t", pd.DataFrame({"v": [1]})).write(tmp_path)
    text = (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert text.startswith(f"# Written by socialperf {socialperf.__version__} on ")
    assert tomllib.loads(text) == {}
    assert f"by socialperf {socialperf.__version__}." in files.html.read_text(encoding="utf-8")


def test_report_settings_written_and_shown(tmp_path):
    settings = '[study]\nname = "a <b> study"\nyear = 2011\n'
    files = Report("with settings", settings=settings).write(tmp_path)
    text = (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(f"# Written by socialperf {socialperf.__version__}")
    assert tomllib.loads(text) == {"study": {"name": "a <b> study", "year": 2011}}
    page = files.html.read_text(encoding="utf-8")
    assert "<summary>Settings" in page and "a &lt;b&gt; study" in page
