"""Every validation message names the unit, the column and the study key (issue 14, item 2).

One parametrised table per module: each case triggers one message and lists the pieces
it must contain: the MFI id (with its name and year) where a unit is involved, the file's
own column name beside the catalogue name, the study key (``section.key``) or command-line
option that caused the check, and the fix offered.  A last table checks that what data
validation accepts, the schemes handle (geometric mean over zeros, an indicator absent in
a year, a DEA unit with a missing input).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from socialperf import cli
from socialperf.exceptions import HoldingsError, InputDataError
from socialperf.io import read_mfis, validate_fx_rates, validate_mfis
from socialperf.miv import read_holdings, score_mivs
from socialperf.screen import ScreeningRules, screen_mfis
from socialperf.study import Study, StudyConfigError, run_study
from socialperf.study.data import load_study_data

BUNDLED = Path(__file__).resolve().parents[2] / "socialperf" / "data" / "mfi_panel.csv"


def _mix_frame() -> pd.DataFrame:
    """Two MFIs in the MIX release's own column names (``write-off_ratio``)."""
    return pd.DataFrame(
        {
            "mfiid": [101, 102],
            "mfiname": ["Banco Uno", "Caja Dos"],
            "year": [2011, 2012],
            "write-off_ratio": [0.1, 0.2],
            "assets": [1.0, 2.0],
        }
    )


def _check(call: Callable[[], Any], error: type[BaseException], pieces: list[str]) -> None:
    with pytest.raises(error) as err:
        call()
    message = str(err.value)
    missing = [p for p in pieces if p not in message]
    assert not missing, f"{missing} not in: {message}"


# ------------------------------------------------------------------- study configuration
_EX = {"example": True}
_DEA = {"inputs": ["a"], "outputs": ["b"]}
CONFIG_CASES = {
    "unknown key": ({"data": {**_EX, "bogus": 1}}, ["'data.bogus'", "allowed keys: example"]),
    "no mfis": ({"data": {}}, ["'data.mfis'", "set data.example = true"]),
    "unknown scheme": (
        {"data": _EX, "mfi": {"schemes": ["best"]}},
        ["'mfi.schemes'", "'best'", "allowed: rating, equal"],
    ),
    "empty schemes": ({"data": _EX, "mfi": {"schemes": []}}, ["'mfi.schemes'", "choose from"]),
    "schemes not a list": (
        {"data": _EX, "mfi": {"schemes": 3}},
        ["'mfi.schemes'", 'write e.g. ["a", "b"]'],
    ),
    "section not a table": ({"data": _EX, "mfi": 3}, ["'mfi'", "write [mfi] with keys"]),
    "dea scheme without table": (
        {"data": _EX, "mfi": {"schemes": ["dea"]}},
        ["'dea'", "add [dea] with inputs and outputs"],
    ),
    "rts": (
        {"data": _EX, "dea": {**_DEA, "rts": "drs"}},
        ["'dea.rts'", "'drs'", "allowed: crs, vrs, nirs, ndrs"],
    ),
    "orientation": (
        {"data": _EX, "dea": {**_DEA, "orientation": "graph"}},
        ["'dea.orientation'", "allowed: input, output"],
    ),
    "no inputs": (
        {"data": _EX, "dea": {"inputs": [], "outputs": ["b"]}},
        ["'dea.inputs'", "give at least one column"],
    ),
    "input and output": (
        {"data": _EX, "dea": {"inputs": ["a"], "outputs": ["a"]}},
        ["'dea.outputs'", "'a' also an input", "not both"],
    ),
    "key of another model": (
        {"data": _EX, "dea": {**_DEA, "direction": "x"}},
        ["'dea.direction'", 'set dea.model = "ddf"'],
    ),
    "bootstrap of sbm": (
        {"data": _EX, "dea": {**_DEA, "model": "sbm", "bootstrap": 100}},
        ["'dea.bootstrap'", "set bootstrap = 0", 'model = "radial"'],
    ),
    "alpha": (
        {"data": _EX, "dea": {**_DEA, "bootstrap": 100, "alpha": 2}},
        ["'dea.alpha'", "between 0 and 1"],
    ),
    "miv scheme": (
        {"data": _EX, "miv": {"scheme": "pca2"}},
        ["'miv.scheme'", "'pca2'", "allowed: rating, equal, pca"],
    ),
    "aggregation": (
        {"data": _EX, "sensitivity": {"aggregation": ["harmonic"]}},
        ["'sensitivity.aggregation'", "'harmonic'", "choose from arithmetic, geometric"],
    ),
    "sobol": (
        {"data": _EX, "sensitivity": {"sobol": 100}},
        ["'sensitivity.sobol'", "power of two", "32, 64, 128"],
    ),
    "sensitivity rts": (
        {"data": _EX, "sensitivity": {"rts": ["drs"]}},
        ["'sensitivity.rts'", "choose from crs, vrs, nirs, ndrs"],
    ),
    "sensitivity miv schemes": (
        {"data": _EX, "sensitivity": {"miv": {"schemes": ["ahp"]}}},
        ["'sensitivity.miv.schemes'", "'ahp'", "allowed: rating, equal, pca"],
    ),
    "sensitivity miv not a table": (
        {"data": _EX, "sensitivity": {"miv": 3}},
        ["'sensitivity.miv'", "write [sensitivity.miv]"],
    ),
    "units": ({"data": _EX, "units": {"staff": 3}}, ["'units.staff'", 'staff = "FTE"']),
    "run key": ({"data": _EX, "run": {"workers": 3}}, ["'run.workers'", "allowed keys"]),
    "scheduler": (
        {"data": _EX, "run": {"scheduler": "local:x"}},
        ["run.scheduler", "'local:2'"],
    ),
    "screening value": (
        {"data": {**_EX, "screening": 3}},
        ["'data.screening'", "screening = false"],
    ),
    "screening key": (
        {"data": {"mfis": "x.csv", "screening": {"bogus": 1}}},
        ["data.screening", "'bogus'", "'alb_factor'"],
    ),
    "screening rule": (
        {"data": {"mfis": "x.csv", "screening": {"rules": ["nope"]}}},
        ["data.screening.rules", "'nope'", "'no_lending'"],
    ),
    "year": ({"data": _EX, "study": {"year": "2011"}}, ["'study.year'", "give an integer"]),
    "boolean": ({"data": {"example": "yes"}}, ["'data.example'", "allowed: true, false"]),
    "scheme file": (
        {"data": _EX, "mfi": {"scheme_files": ["nope.toml"]}},
        ["'mfi.scheme_files'", "nope.toml", "relative to the study file"],
    ),
    "reference": (
        {"data": _EX, "study": {"reference": 3}},
        ["'study.reference'", '"bundled", "self"'],
    ),
    "geometric mean of the rating scheme": (
        {
            "data": _EX,
            "sensitivity": {"enabled": True, "aggregation": ["geometric"]},
            "mfi": {"schemes": ["rating"]},
        },
        [
            "'sensitivity.aggregation'",
            "rating scheme",
            'aggregation = ["arithmetic"]',
            "sensitivity.scheme = equal",
        ],
    ),
}


@pytest.mark.parametrize("config, pieces", CONFIG_CASES.values(), ids=CONFIG_CASES.keys())
def test_study_config_messages_name_the_key_and_the_fix(config, pieces, tmp_path):
    _check(
        lambda: Study.from_dict(config, base_dir=tmp_path, source="study.toml"),
        StudyConfigError,
        [*pieces, "study.toml"],
    )


# ------------------------------------------------------------------- MFI files (io.py)
IO_CASES = {
    "fraction outside [0, 1]": (
        {"write-off_ratio": [0.1, 5.0]},
        [
            "'write_off_ratio' (file column 'write-off_ratio')",
            "indicator 'write_off_ratio'",
            "MFI '102' (Caja Dos) in 2012",
            "divide them by 100",
        ],
    ),
    "non-numeric": (
        {"write-off_ratio": [0.1, "x"]},
        [
            "'write_off_ratio' (file column 'write-off_ratio')",
            "MFI '102' (Caja Dos) in 2012",
            "= 'x'",
            "numbers (or empty) are required",
        ],
    ),
    "negative": (
        {"assets": [1.0, -2.0]},
        ["column 'assets'", "MFI '102' (Caja Dos) in 2012", "= -2", "must be >= 0"],
    ),
    "bad year": (
        {"year": [2011, "z"]},
        ["column 'year'", "MFI '102' (Caja Dos)", "= 'z'", "give a fiscal year like 2011"],
    ),
    "duplicated MFI-year": (
        {"year": [2011, 2011], "mfiid": [101, 101]},
        ["MFI '101' in 2011", "keep one row per MFI and year"],
    ),
    "missing id": (
        {"mfiid": [101, None]},
        ["no 'mfiid' at"],
    ),
}


@pytest.mark.parametrize("change, pieces", IO_CASES.values(), ids=IO_CASES.keys())
def test_mfi_file_messages_name_mfi_and_file_column(change, pieces, tmp_path):
    frame = _mix_frame().assign(**change)
    before = frame.copy()
    _check(lambda: validate_mfis(frame), InputDataError, pieces)
    pd.testing.assert_frame_equal(frame, before)  # the user's DataFrame is not changed
    path = tmp_path / "mix.csv"
    frame.to_csv(path, index=False)
    # read from a file, the row is the file row (header = row 1): MFI 102 is on row 3
    file_pieces = [p.replace("index label", "row") for p in pieces]
    _check(lambda: read_mfis(path), InputDataError, file_pieces)


def test_other_io_messages_name_the_vehicle_and_currency(tmp_path):
    _check(
        lambda: validate_fx_rates(pd.DataFrame({"currency": ["EUR"], "usd_per_unit": [-1.0]})),
        InputDataError,
        ["currency 'EUR'", "= -1", "rates must be > 0"],
    )
    path = tmp_path / "h.csv"
    pd.DataFrame({"holder": ["F1"], "held": ["F1"], "amount": [1.0]}).to_csv(path, index=False)
    _check(lambda: read_holdings(path), HoldingsError, ["vehicle 'F1' (row 2)"])


# ------------------------------------------------------------------- screening (screen.py)
SCREEN_CASES = {
    "non-numeric": (
        lambda: screen_mfis(_mix_frame().assign(**{"write-off_ratio": [0.1, "x"]})),
        [
            "'write_off_ratio' (file column 'write-off_ratio')",
            "MFI '102' (Caja Dos) in 2012",
            "= 'x'",
            "numbers (or empty)",
        ],
    ),
    "unknown key": (
        lambda: ScreeningRules.from_dict({"bogus": 1}, origin="data.screening"),
        ["data.screening", "'bogus'", "'glp_assets_max', 'alb_factor'"],
    ),
    "unknown rule": (
        lambda: ScreeningRules.from_dict({"rules": ["nope"]}, origin="data.screening"),
        ["data.screening.rules", "'nope'", "'alb_inconsistent', 'no_lending'"],
    ),
    "threshold": (
        lambda: ScreeningRules.from_dict({"alb_factor": 0.5}, origin="data.screening"),
        ["data.screening.alb_factor", "above 1", "0.5"],
    ),
    "not a list": (
        lambda: ScreeningRules.from_dict({"positive": "assets"}, origin="data.screening"),
        ["data.screening.positive", "list of strings"],
    ),
}


@pytest.mark.parametrize("call, pieces", SCREEN_CASES.values(), ids=SCREEN_CASES.keys())
def test_screening_messages_name_mfi_and_key(call, pieces):
    _check(call, InputDataError, pieces)


# ------------------------------------------------------------------- study data and run
@pytest.fixture(scope="module")
def small_panel(tmp_path_factory) -> Path:
    """40 bundled MFIs in 2010 and 2011 (a small raw-style panel)."""
    folder = tmp_path_factory.mktemp("panel")
    panel = pd.read_csv(BUNDLED)
    panel = panel[panel["year"].isin([2010, 2011])].groupby("year").head(40)
    panel.to_csv(folder / "p.csv", index=False)
    return folder


def _miv_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "miv": ["MIV01", "MIV02"],
            "name": ["Women First", "Tier One"],
            "microfinance_share": [0.7, 0.5],
        }
    )


def _study(folder: Path, **tables: Any) -> Study:
    config = {
        "study": {"reference": "self", "year": 2011},
        "sensitivity": {"enabled": False},
        "miv": {"enabled": False},
    }
    config.update(tables)
    return Study.from_dict(config, base_dir=folder, source="study.toml")


def _write(folder: Path, name: str, frame: pd.DataFrame) -> str:
    frame.to_csv(folder / name, index=False)
    return name


STUDY_CASES = {
    "dea input absent": (
        lambda f: run_study(
            _study(
                f,
                data={"mfis": "p.csv"},
                mfi={"schemes": ["dea"]},
                dea={"inputs": ["staff"], "outputs": ["number_of_active_borrowers"]},
            )
        ),
        StudyConfigError,
        ["study key 'dea.inputs'", "'staff'", "allowed: ", "'personnel'"],
    ),
    "dea output absent": (
        lambda f: run_study(
            _study(
                f,
                data={"mfis": "p.csv"},
                mfi={"schemes": ["dea"]},
                dea={"inputs": ["personnel"], "outputs": ["clients"]},
            )
        ),
        StudyConfigError,
        ["study key 'dea.outputs'", "'clients'"],
    ),
    "expert weights name an unscored indicator": (
        lambda f: run_study(
            _study(
                f,
                data={
                    "mfis": "p.csv",
                    "expert_weights": _write(
                        f, "w.csv", pd.DataFrame({"indicator": ["par90"], "weight": [1.0]})
                    ),
                },
                mfi={"schemes": ["expert"]},
            )
        ),
        InputDataError,
        [
            "scheme 'expert'",
            "study key 'data.expert_weights', w.csv",
            "'par90'",
            "scored indicators are 'female_share'",
        ],
    ),
    "weights not numeric": (
        lambda f: load_study_data(
            _study(
                f,
                data={
                    "mfis": "p.csv",
                    "expert_weights": _write(
                        f, "w2.csv", pd.DataFrame({"indicator": ["par30"], "weight": ["high"]})
                    ),
                },
                mfi={"schemes": ["expert"]},
            )
        ),
        InputDataError,
        ["data.expert_weights (w2.csv)", "indicator 'par30'", "'high'", "a number is expected"],
    ),
    "weights with three columns": (
        lambda f: load_study_data(
            _study(
                f,
                data={
                    "mfis": "p.csv",
                    "expert_weights": _write(
                        f, "w3.csv", pd.DataFrame({"a": ["par30"], "b": [1.0], "c": [2.0]})
                    ),
                },
                mfi={"schemes": ["expert"]},
            )
        ),
        InputDataError,
        ["w3.csv", "two columns (indicator, weight)", "found 3"],
    ),
    "MFI file with a bad value": (
        lambda f: load_study_data(
            _study(
                f,
                data={
                    "mfis": _write(f, "bad.csv", _mix_frame().assign(assets=[1.0, "x"])),
                    "screening": False,
                },
            )
        ),
        InputDataError,
        ["data.mfis (bad.csv)", "column 'assets'", "MFI '102' (Caja Dos) in 2012 (row 3)"],
    ),
    "MIV indicators with a percent": (
        lambda f: load_study_data(
            _study(
                f,
                data={
                    "mfis": "p.csv",
                    "miv_indicators": _write(
                        f, "m.csv", _miv_table().assign(microfinance_share=[73.8, 0.5])
                    ),
                },
            )
        ),
        InputDataError,
        [
            "data.miv_indicators (m.csv)",
            "column 'microfinance_share'",
            "MIV 'MIV01' (Women First) = 73.8",
            "divide them by 100",
        ],
    ),
    "MIV indicators not numeric": (
        lambda f: load_study_data(
            _study(
                f,
                data={
                    "mfis": "p.csv",
                    "miv_indicators": _write(
                        f, "m2.csv", _miv_table().assign(microfinance_share=[0.5, "most"])
                    ),
                },
            )
        ),
        InputDataError,
        [
            "data.miv_indicators (m2.csv)",
            "(column 'microfinance_share')",
            "MIV 'MIV02' (Tier One) = 'most'",
            "numbers (or empty)",
        ],
    ),
    "MIV listed twice": (
        lambda f: load_study_data(
            _study(
                f,
                data={
                    "mfis": "p.csv",
                    "miv_indicators": _write(f, "m3.csv", _miv_table().assign(miv="MIV01")),
                },
            )
        ),
        InputDataError,
        ["data.miv_indicators (m3.csv)", "'MIV01' more than once", "keep one row per MIV"],
    ),
    "holdings of a vehicle by itself": (
        lambda f: load_study_data(
            _study(
                f,
                data={
                    "mfis": "p.csv",
                    "holdings": _write(
                        f,
                        "h.csv",
                        pd.DataFrame({"holder": ["F1"], "held": ["F1"], "amount": [1.0]}),
                    ),
                },
            )
        ),
        InputDataError,
        ["data.holdings (h.csv)", "vehicle 'F1' (row 2)"],
    ),
    "reference file absent": (
        lambda f: run_study(
            _study(
                f,
                data={"mfis": "p.csv"},
                mfi={"schemes": ["equal"]},
                study={"reference": "gone.csv", "year": 2011},
            )
        ),
        FileNotFoundError,
        ["study.reference: no such file", "gone.csv"],
    ),
    "reference file with a bad value": (
        lambda f: run_study(
            _study(
                f,
                data={"mfis": "p.csv", "screening": False},
                mfi={"schemes": ["equal"]},
                study={
                    "reference": _write(f, "r.csv", _mix_frame().assign(assets=[1, -2])),
                    "year": 2011,
                },
            )
        ),
        InputDataError,
        [
            "study.reference (r.csv)",
            "column 'assets'",
            "MFI '102' (Caja Dos) in 2012 (row 3)",
            "must be >= 0",
        ],
    ),
    "missing file": (
        lambda f: load_study_data(_study(f, data={"mfis": "absent.csv"})),
        FileNotFoundError,
        ["data.mfis: no such file", "absent.csv"],
    ),
}


@pytest.mark.parametrize("call, error, pieces", STUDY_CASES.values(), ids=STUDY_CASES.keys())
def test_study_data_messages_name_key_file_and_unit(call, error, pieces, small_panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check(lambda: call(small_panel), error, pieces)


# ------------------------------------------------------------------- MIV (miv.py)
MIV_CASES = {
    "cycle": (
        lambda: score_mivs(
            pd.Series({"m1": 0.5}),
            pd.DataFrame({"holder": ["F1", "F2"], "held": ["F2", "F1"], "amount": [1.0, 1.0]}),
        ),
        ["cycle", "F1 -> F2", "F2"],
    ),
    "method": (
        lambda: score_mivs(
            pd.Series({"m1": 0.5}),
            pd.DataFrame({"holder": ["F1"], "held": ["m1"], "amount": [1.0]}),
            method="best",
        ),
        ["method must be one of", "'exposure'", "'best'"],
    ),
    "weight of the portfolio block": (
        lambda: score_mivs(
            pd.Series({"m1": 0.5}),
            pd.DataFrame({"holder": ["F1"], "held": ["m1"], "amount": [1.0]}),
            w=2.0,
        ),
        ["w must be a number in [0, 1]", "2.0"],
    ),
}


@pytest.mark.parametrize("call, pieces", MIV_CASES.values(), ids=MIV_CASES.keys())
def test_miv_messages_name_vehicle_and_setting(call, pieces):
    _check(call, InputDataError, pieces)


# ------------------------------------------------------------------- command line
def _cli_panel(folder: Path) -> str:
    frame = _mix_frame().assign(personnel=[3.0, np.nan], borrowers=[10.0, 20.0])
    frame = pd.concat(
        [frame, frame.assign(mfiid=[103, 104], mfiname=["Tres", "Cuatro"], personnel=[2.0, 5.0])],
        ignore_index=True,
    )
    frame.to_csv(folder / "u.csv", index=False)
    return str(folder / "u.csv")


CLI_CASES = {
    "absent input": (
        ["--inputs", "staff", "--outputs", "borrowers"],
        ["--inputs", "'staff'", "not in u.csv", "columns are"],
    ),
    "input and output": (
        ["--inputs", "assets", "--outputs", "assets"],
        ["--inputs/--outputs", "'assets'", "give each column once"],
    ),
    "missing values": (
        ["--inputs", "personnel", "--outputs", "borrowers"],
        ["'personnel'", "102", "--missing drop"],
    ),
    "year absent": (
        ["--inputs", "assets", "--outputs", "borrowers", "--year", "1999"],
        ["--year 1999", "u.csv", "2011"],
    ),
    "index column": (
        ["--inputs", "assets", "--outputs", "borrowers", "--index-col", "id"],
        ["--index-col", "'id'", "columns are"],
    ),
    "rts": (
        ["--inputs", "assets", "--outputs", "borrowers", "--rts", "drs"],
        ["--rts", "'drs'", "'nirs'"],
    ),
}


@pytest.mark.parametrize("args, pieces", CLI_CASES.values(), ids=CLI_CASES.keys())
def test_cli_messages_name_option_and_unit(args, pieces, tmp_path, capsys):
    code = cli.main(["dea", _cli_panel(tmp_path), *args])
    err = capsys.readouterr().err
    assert code in (cli.EXIT_INPUT, cli.EXIT_USAGE), err
    missing = [p for p in pieces if p not in err]
    assert not missing, f"{missing} not in: {err}"


# ------------------------------------------------------------------- validation and schemes agree
def test_a_dea_unit_with_a_missing_input_is_listed_not_dropped_silently(small_panel):
    panel = pd.read_csv(small_panel / "p.csv")
    row = panel.index[panel["year"] == 2011][3]
    mfi = str(panel.at[row, "mfiid"])
    panel.loc[row, "personnel"] = np.nan
    name = _write(small_panel, "nan.csv", panel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_study(
            _study(
                small_panel,
                data={"mfis": name},
                mfi={"schemes": ["dea"]},
                dea={
                    "inputs": ["personnel", "operating_expense"],
                    "outputs": ["number_of_active_borrowers"],
                },
            )
        )
    assert res.dea_excluded.to_dict() == {mfi: "missing personnel"}
    scored = {str(u) for u in res.dea.scores.index}
    assert mfi not in scored
    assert len(scored) == (panel["year"] == 2011).sum() - 1


def test_an_indicator_absent_in_the_scored_year_is_left_out_like_an_absent_column(small_panel):
    panel = pd.read_csv(small_panel / "p.csv")
    blank = _write(
        small_panel,
        "blank.csv",
        panel.assign(write_off_ratio=panel["write_off_ratio"].where(panel["year"] != 2011)),
    )
    absent = _write(
        small_panel, "absent.csv", panel[panel["year"] == 2011].drop(columns="write_off_ratio")
    )
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in (blank, absent):
            res = run_study(_study(small_panel, data={"mfis": name}, mfi={"schemes": ["equal"]}))
            scores[name] = res.mfi_results["equal"].scores
    a = scores[blank].sort_index()
    b = scores[absent].sort_index()
    assert len(a) == 40 and a.notna().all()
    pd.testing.assert_series_equal(a, b, check_names=False, rtol=1e-12)


def test_geometric_mean_over_a_zero_share_is_handled_not_rejected(small_panel):
    """Validation accepts a 0 share; the geometric-mean runs floor it (GEOMETRIC_ZERO_FLOOR),
    so the MFI is scored in every run with finite scores."""
    panel = pd.read_csv(small_panel / "p.csv")
    row = panel.index[panel["year"] == 2011][3]
    mfi = str(panel.at[row, "mfiid"])
    panel.loc[row, "percent_of_female_borrowers"] = 0.0
    name = _write(small_panel, "zero.csv", panel)
    sensitivity = {
        "enabled": True,
        "scheme": "equal",
        "runs": 16,
        "sobol": 0,
        "aggregation": ["arithmetic", "geometric"],
    }
    study = _study(
        small_panel, data={"mfis": name}, mfi={"schemes": ["equal"]}, sensitivity=sensitivity
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_study(study)
    unc = res.sensitivity.uncertainty
    geometric = (unc.design["aggregation"].astype(str) == "geometric").to_numpy()
    assert geometric.any()
    assert np.isfinite(unc.scores.loc[geometric, mfi]).all()
    assert unc.summary.loc[mfi, "p_scored"] == 1
