"""One default for returns to scale, and the study's ``n_jobs`` reaching the DEA scheme.

Every entry point that takes ``rts`` (the ``socialperf dea`` command, the study's ``[dea]``
table, the ``dea`` scheme of ``score_mfis``, the frontier figures) defaults to the one
constant :data:`socialperf.mfi.DEFAULT_RTS` (issue 9, item 5).
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import dea
import socialperf
from socialperf import cli, plots, score_mfis
from socialperf.mfi import DEA_INPUTS, DEA_OUTPUTS, DEFAULT_RTS
from socialperf.study import DEASpec, SensitivitySpec, Study, run_sensitivity, run_study
from socialperf.study import scoring as study_scoring
from socialperf.study import sensitivity as study_sensitivity

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_is_vrs_and_exported():
    assert DEFAULT_RTS == "vrs"
    assert socialperf.DEFAULT_RTS is DEFAULT_RTS


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise AssertionError("no subcommands")


def test_cli_dea_default():
    dea_cmd = _subparser(cli._build_parser(), "dea")
    (rts,) = [a for a in dea_cmd._actions if "--rts" in a.option_strings]
    assert rts.default == DEFAULT_RTS
    assert DEFAULT_RTS in rts.help
    args = dea_cmd.parse_args(["data.csv", "--inputs", "x", "--outputs", "y"])
    assert args.rts == DEFAULT_RTS


def test_study_config_default():
    (field,) = [f for f in dataclasses.fields(DEASpec) if f.name == "rts"]
    assert field.default == DEFAULT_RTS
    assert DEASpec.from_dict({"inputs": ["a"], "outputs": ["b"]}).rts == DEFAULT_RTS
    assert DEASpec(("a",), ("b",)).to_dict()["rts"] == DEFAULT_RTS
    # the compared settings of the sensitivity analysis include the default
    assert DEFAULT_RTS in SensitivitySpec().rts


def test_study_without_dea_table_scores_dea_at_the_default():
    st = Study.demo().replace(dea=None, schemes=("equal",))
    data = SimpleNamespace(catalogue=None, holdings=None, mfis=None)
    kwargs = study_scoring._scheme_kwargs(st, data, "dea", None)
    assert kwargs["rts"] == DEFAULT_RTS
    with_table = study_scoring._scheme_kwargs(
        Study.demo().replace(dea={"rts": "crs"}), data, "dea", None
    )
    assert with_table["rts"] == "crs"


def test_plot_defaults():
    for fn in (plots.frontier_points, plots.dea_frontier):
        assert inspect.signature(fn).parameters["rts"].default == DEFAULT_RTS


@pytest.fixture(scope="module")
def mfis_2011() -> pd.DataFrame:
    ex = socialperf.example_data()
    return ex.mfis.loc[ex.mfis["year"] == 2011].head(60)


def test_score_mfis_dea_default(mfis_2011):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = score_mfis(mfis_2011, scheme="dea")
        explicit = score_mfis(mfis_2011, scheme="dea", rts=DEFAULT_RTS)
        crs = score_mfis(mfis_2011, scheme="dea", rts="crs")
    assert default.info["rts"] == DEFAULT_RTS
    pd.testing.assert_series_equal(default.scores, explicit.scores)
    # the default is really VRS, not CRS: the same as dea.Radial with rts="vrs" on the
    # units scored, and strictly above CRS for some MFI (scale inefficiency)
    ok = default.scores.dropna().index
    direct = dea.Radial(
        default.indicators.loc[ok].reset_index(drop=True),
        inputs=list(DEA_INPUTS),
        outputs=list(DEA_OUTPUTS),
        rts="vrs",
    ).fit()
    np.testing.assert_allclose(
        default.scores.loc[ok].to_numpy(), direct.scores.to_numpy(), rtol=1e-9
    )
    assert (default.scores.loc[ok] > crs.scores.loc[ok] + 1e-6).any()


def test_docs_state_the_default():
    template = (ROOT / "socialperf" / "data" / "study_example.toml").read_text()
    assert f'rts = "{DEFAULT_RTS}"' in template
    assert "default" in template.split("[dea]")[1].split("[sensitivity]")[0]
    readme = (ROOT / "README.md").read_text()
    assert f"returns to scale default to {DEFAULT_RTS.upper()}" in readme


# -- n_jobs reaches the DEA model of the 'dea' scheme ------------------------------------------
@pytest.fixture
def radial_calls(monkeypatch):
    """Record (inputs, rts, n_jobs) of every dea.Radial; solve serially all the same."""
    calls: list[tuple[tuple[str, ...], str, int]] = []
    real = dea.Radial

    def recording(data, inputs, outputs, *args, n_jobs=1, **kwargs):
        calls.append((tuple(inputs), kwargs.get("rts"), n_jobs))
        return real(data, inputs, outputs, *args, **kwargs)

    monkeypatch.setattr(dea, "Radial", recording)
    return calls


def _small_study(**sensitivity) -> Study:
    return Study.demo().replace(
        schemes=("equal", "dea"),
        miv={"enabled": False},
        sensitivity={"enabled": False, "miv": {"enabled": False}, **sensitivity},
    )


def test_study_n_jobs_reaches_dea_scheme(radial_calls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_study(_small_study(), n_jobs=3)
    scheme = [c for c in radial_calls if c[0] == DEA_INPUTS]
    own = [c for c in radial_calls if c[0] != DEA_INPUTS]
    assert scheme and all(n == 3 for _, _, n in scheme)
    assert own and all(n == 3 for _, _, n in own)  # the study's own [dea] model
    radial_calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_study(_small_study())
    assert radial_calls and all(n == 1 for _, _, n in radial_calls)


def test_sensitivity_n_jobs_reaches_dea_scheme(radial_calls, monkeypatch):
    # keep the Monte Carlo loop itself serial: only the DEA fits are checked here
    real_analyse = study_sensitivity._analyse
    monkeypatch.setattr(
        study_sensitivity,
        "_analyse",
        lambda model, factors, runs, sobol, seed, n_jobs, *a: real_analyse(
            model, factors, runs, sobol, seed, 1, *a
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = run_sensitivity(_small_study(enabled=True, scheme="dea", runs=4, sobol=0), n_jobs=2)
    scheme = [c for c in radial_calls if c[0] == DEA_INPUTS]
    assert {rts for _, rts, _ in scheme} == {"crs", "vrs"}
    assert all(n == 2 for _, _, n in scheme)
    assert [f.name for f in out.factors] == ["rts"]
