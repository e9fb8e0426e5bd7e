"""Fixtures of the security suite: the hostile study of :mod:`hostile_data` and its report."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_data import write_hostile_study


@pytest.fixture(scope="session")
def hostile_study(tmp_path_factory) -> Path:
    """Path of the hostile study file."""
    return write_hostile_study(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def hostile_report(hostile_study, tmp_path_factory) -> Path:
    """Folder of the report of the hostile study, written by ``socialperf run``."""
    from socialperf.cli import main

    out = tmp_path_factory.mktemp("hostile_out") / "report"
    code = main(["run", str(hostile_study), "--out", str(out)])
    assert code == 0
    return out
