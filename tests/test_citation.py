"""CITATION.cff is valid Citation File Format 1.2.0 and names the pyproject version."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CFF = ROOT / "CITATION.cff"


@pytest.fixture(scope="module")
def cff() -> dict:
    yaml = pytest.importorskip("yaml")  # PyYAML comes with dask, in the test extra
    return yaml.safe_load(CFF.read_text(encoding="utf-8"))


def test_required_keys_and_version(cff):
    with open(ROOT / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    assert cff["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert cff["type"] == "software"
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]["text"]
    for author in cff["authors"]:
        assert author.get("name") or author.get("family-names"), author


def test_references_are_complete(cff):
    for ref in cff["references"]:
        assert {"type", "title", "authors"} <= set(ref), ref
        if "doi" in ref:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", ref["doi"]), ref["doi"]


@pytest.mark.skipif(shutil.which("cffconvert") is None, reason="cffconvert not installed")
def test_cffconvert_validates():
    proc = subprocess.run(
        ["cffconvert", "--validate", "-i", str(CFF)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
