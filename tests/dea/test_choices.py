"""One owner for the returns-to-scale and orientation choices (issue 14, debt item 2)."""

import argparse

import pytest

import dea
from dea.models import _base
from socialperf import cli
from socialperf.study import config


def test_public_tuples_are_the_models_own():
    assert dea.RTS_CHOICES == ("crs", "vrs", "nirs", "ndrs")
    assert dea.ORIENTATIONS == ("input", "output")
    assert dea.RTS_CHOICES is _base.RTS_CHOICES
    assert dea.ORIENTATIONS is _base.ORIENTATIONS
    assert _base.GRAPH_ORIENTATIONS == ("input", "output", "graph")


def test_study_config_and_cli_use_the_dea_tuples():
    assert config._RTS is dea.RTS_CHOICES
    assert config._ORIENTATIONS is dea.ORIENTATIONS
    parser = cli._build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command in ("dea", "malmquist"):
        actions = {a.dest: a for a in sub.choices[command]._actions}
        assert tuple(actions["rts"].choices) == dea.RTS_CHOICES
        assert tuple(actions["orientation"].choices) == dea.ORIENTATIONS


@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
def test_every_rts_choice_is_accepted_by_radial(rts):
    import pandas as pd

    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 3.0, 3.0]}, index=list("abc"))
    assert dea.Radial(df, inputs=["x"], outputs=["y"], rts=rts).rts == rts


def test_an_rts_outside_the_tuple_is_refused_naming_the_choices():
    import pandas as pd

    df = pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 3.0]}, index=list("ab"))
    with pytest.raises(dea.InputDataError, match=r"rts='drs'.*'nirs', 'ndrs'"):
        dea.Radial(df, inputs=["x"], outputs=["y"], rts="drs")
