"""The `socialperf` command: exit codes, one-line errors, the `dea` subcommand."""

from __future__ import annotations

import pandas as pd
import pytest

from socialperf.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("socialperf: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def small_csv(tmp_path):
    # one input, one output; hand-checked scores below
    path = tmp_path / "units.csv"
    pd.DataFrame(
        {"unit": list("ABCDE"), "x": [2.0, 4.0, 4.0, 6.0, 5.0], "y": [2.0, 6.0, 3.0, 7.0, 4.0]}
    ).to_csv(path, index=False)
    return path


def test_no_command_is_usage_error(capsys):
    code, _, err = _run(capsys)
    assert code == 2
    assert "usage" in err


def test_help_exits_zero(capsys):
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    assert "demo" in out and "sensitivity" in out


def test_unknown_option_one_line(capsys):
    code, _, err = _run(capsys, "dea", "x.csv", "--inputs", "a", "--outputs", "b", "--rts", "x")
    assert code == 2
    assert "invalid choice: 'x'" in _one_error_line(err)


def test_missing_file(capsys, tmp_path):
    missing = tmp_path / "nope.csv"
    code, _, err = _run(capsys, "dea", str(missing), "--inputs", "a", "--outputs", "b")
    assert code == 1
    line = _one_error_line(err)
    assert "file not found" in line and "nope.csv" in line


def test_missing_study_file(capsys, tmp_path):
    code, _, err = _run(capsys, "run", str(tmp_path / "study.toml"))
    assert code == 1
    assert "study.toml" in _one_error_line(err)


def test_dea_unknown_column(capsys, small_csv):
    code, _, err = _run(capsys, "dea", str(small_csv), "--inputs", "x,staff", "--outputs", "y")
    assert code == 1
    line = _one_error_line(err)
    assert "--inputs" in line and "'staff'" in line and "'x'" in line  # names what exists


def test_dea_column_both_input_and_output(capsys, small_csv):
    code, _, err = _run(capsys, "dea", str(small_csv), "--inputs", "x", "--outputs", "x,y")
    assert code == 1
    assert "both input and output" in _one_error_line(err)


def test_dea_bad_index_col(capsys, small_csv):
    code, _, err = _run(capsys, "dea", str(small_csv), "--inputs", "x", "--outputs", "y",
                        "--index-col", "id")
    assert code == 1
    assert "--index-col" in _one_error_line(err)


def test_bad_toml_syntax(capsys, tmp_path):
    path = tmp_path / "study.toml"
    path.write_text("[study\nname = 1\n")
    code, _, err = _run(capsys, "run", str(path))
    assert code == 1
    line = _one_error_line(err)
    assert "invalid TOML" in line and "study.toml" in line


def test_bad_toml_key(capsys, tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('[data]\nexample = true\n[mfi]\nshemes = ["equal"]\n')
    code, _, err = _run(capsys, "run", str(path))
    assert code == 1
    line = _one_error_line(err)
    assert "'mfi.shemes'" in line and "unknown key" in line and "schemes" in line


def test_bad_toml_value(capsys, tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('[data]\nexample = true\n[miv]\nw = 1.5\n')
    code, _, err = _run(capsys, "run", str(path))
    assert code == 1
    assert "'miv.w'" in _one_error_line(err)


def test_debug_shows_traceback(capsys, tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('[mfi]\nshemes = ["equal"]\n')
    code, _, err = _run(capsys, "run", str(path), "--debug")
    assert code == 1
    assert "Traceback" in err


# ----------------------------------------------------------------------------- dea subcommand
# Hand-checked case: units A(2,2) B(4,6) C(4,3) D(6,7) E(5,4), one input x, one output y.
# VRS frontier A-B-D. Input-oriented VRS: C needs x = 2 + (3-2)/2 = 2.5 for y = 3 on A-B,
# so theta_C = 2.5/4 = 0.625; E needs x = 2 + (4-2)/2 = 3, theta_E = 3/5 = 0.6.
# CRS: best ratio y/x is B's 1.5, so theta = (y/x)/1.5.
# Output-oriented VRS: C at x=4 can reach 6 (phi 2, score 0.5); E at x=5 reaches 6.5
# between B and D (phi 1.625, score 1/1.625).
HAND = {
    ("vrs", "input"): {"A": 1.0, "B": 1.0, "C": 0.625, "D": 1.0, "E": 0.6},
    ("crs", "input"): {"A": 2 / 3, "B": 1.0, "C": 0.5, "D": 7 / 9, "E": 0.8 / 1.5},
    ("vrs", "output"): {"A": 1.0, "B": 1.0, "C": 0.5, "D": 1.0, "E": 1 / 1.625},
}


@pytest.mark.parametrize(("rts", "orientation"), list(HAND))
def test_dea_hand_checked_scores(capsys, small_csv, tmp_path, rts, orientation):
    out = tmp_path / "res" / "scores.csv"
    code, stdout, err = _run(capsys, "dea", str(small_csv), "--inputs", "x", "--outputs", "y",
                             "--rts", rts, "--orientation", orientation, "--out", str(out))
    assert code == 0, err
    table = pd.read_csv(out, index_col=0)
    expected = pd.Series(HAND[(rts, orientation)])
    pd.testing.assert_series_equal(table["score"], expected, check_names=False, atol=1e-9,
                                   check_index_type=False)
    assert set(table["status"]) == {"optimal"}
    # with --out the console gets a short summary, not the table
    n_eff = sum(v == 1.0 for v in HAND[(rts, orientation)].values())
    assert stdout.splitlines()[0].startswith(f"5 units scored ({rts.upper()}, {orientation}")
    assert f"{n_eff} efficient (score 1)" in stdout and "\nC " not in stdout


def test_dea_peers_and_slacks_columns(capsys, small_csv, tmp_path):
    out = tmp_path / "scores.csv"
    code, _, _ = _run(capsys, "dea", str(small_csv), "--inputs", "x", "--outputs", "y",
                      "--out", str(out))
    assert code == 0
    table = pd.read_csv(out, index_col=0, keep_default_na=False)
    assert {"slack_x", "slack_y", "peers"} <= set(table.columns)
    assert table.loc["C", "peers"] == "A; B"  # C is projected onto the A-B facet
    assert table.loc["B", "peers"] == "B"
    assert float(table.loc["C", "slack_x"]) == pytest.approx(0.0, abs=1e-9)


def test_dea_index_col_and_numeric_first_column(capsys, tmp_path):
    path = tmp_path / "u.csv"
    pd.DataFrame({"x": [2.0, 4.0, 4.0], "y": [2.0, 6.0, 3.0], "name": ["p", "q", "r"]}).to_csv(
        path, index=False)
    code, out, err = _run(capsys, "dea", str(path), "--inputs", "x", "--outputs", "y",
                          "--index-col", "name", "--rts", "crs")
    assert code == 0, err
    lines = out.splitlines()
    assert any(line.startswith("r ") for line in lines)


def test_dea_non_numeric_input_is_one_line(capsys, tmp_path):
    path = tmp_path / "u.csv"
    pd.DataFrame({"u": ["a", "b", "c"], "x": ["1", "two", "3"], "y": [1, 2, 3]}).to_csv(
        path, index=False)
    code, _, err = _run(capsys, "dea", str(path), "--inputs", "x", "--outputs", "y")
    assert code == 1
    assert "'x'" in _one_error_line(err)


# ----------------------------------------------------------------------------- run / sensitivity


@pytest.fixture
def user_study(tmp_path):
    """A study file pointing at copies of the bundled data, by relative paths."""
    import shutil
    from importlib import resources

    data = tmp_path / "data"
    data.mkdir()
    for name in ["mfi_panel.csv", "holdings.csv", "fx_rates.csv", "miv_indicators.csv"]:
        with resources.as_file(resources.files("socialperf") / "data" / name) as p:
            shutil.copy(p, data / name)
    path = tmp_path / "study.toml"
    path.write_text(
        '[study]\nname = "user study"\nyear = 2011\n'
        '[data]\nmfis = "data/mfi_panel.csv"\nholdings = "data/holdings.csv"\n'
        'fx_rates = "data/fx_rates.csv"\nmiv_indicators = "data/miv_indicators.csv"\n'
        '[mfi]\nschemes = ["equal", "rating"]\n'
        '[miv]\nscheme = "equal"\nw = 0.5\n'
        '[sensitivity]\nscheme = "equal"\nruns = 20\nsobol = 0\nseed = 3\n'
    )
    return path


def test_run_user_study_from_files(capsys, user_study, tmp_path):
    out = tmp_path / "rep"
    code, stdout, err = _run(capsys, "run", str(user_study), "--out", str(out))
    assert code == 0, err
    assert "user study" in stdout
    scores = pd.read_csv(out / "tables" / "mfi_scores.csv", index_col=0)
    assert list(scores.columns) == ["name", "equal", "rating"]
    miv = pd.read_csv(out / "tables" / "miv_index.csv", index_col=0)
    assert len(miv) == 8 and miv["index"].between(0, 1).all()
    html = (out / "index.html").read_text()
    assert "mfi_panel.csv (supplied by the user)" in html


def test_sensitivity_command(capsys, user_study, tmp_path):
    out = tmp_path / "sens"
    code, stdout, err = _run(capsys, "sensitivity", str(user_study), "--runs", "25",
                             "--sobol", "0", "--seed", "9", "--out", str(out), "--progress")
    assert code == 0, err
    assert "25 Monte Carlo runs (seed 9)" in stdout
    assert "Monte Carlo [" in err  # the progress bar, on stderr
    table = pd.read_csv(out / "tables" / "sensitivity_rank_intervals.csv", index_col=0)
    assert {"median_rank", "rank_q05", "rank_q95"} <= set(table.columns)
    assert (out / "figures" / "sensitivity_rank_intervals.png").is_file()
    # the user study has holdings: the MIV analysis runs too, with the same runs and seed
    assert "Uncertainty analysis of the MIV index" in stdout
    miv = pd.read_csv(out / "tables" / "sensitivity_miv_rank_intervals.csv", index_col=0)
    assert miv["median_rank"].between(1, len(miv)).all()
    assert (out / "figures" / "sensitivity_miv_rank_intervals.png").is_file()


def test_sensitivity_command_without_miv(capsys, user_study, tmp_path):
    out = tmp_path / "sens"
    code, stdout, err = _run(capsys, "sensitivity", str(user_study), "--runs", "10",
                             "--sobol", "0", "--no-miv", "--out", str(out))
    assert code == 0, err
    assert "MIV index" not in stdout
    assert not (out / "tables" / "sensitivity_miv_rank_intervals.csv").exists()


def test_sensitivity_sobol_not_power_of_two(capsys, user_study):
    code, _, err = _run(capsys, "sensitivity", str(user_study), "--sobol", "100")
    assert code == 1
    line = _one_error_line(err)
    assert "'sensitivity.sobol'" in line and "power of two" in line


def test_progress_bar_writes_to_given_stream():
    import io

    from socialperf.study._runtime import _Progress

    buf = io.StringIO()
    bar = _Progress(4, enabled=True, label="study", stream=buf)
    for _ in range(4):
        bar.step("x")
    assert buf.getvalue().count("\r") == 4 and "4/4" in buf.getvalue()
    quiet = io.StringIO()
    _Progress(2, enabled=False, stream=quiet).step()
    assert quiet.getvalue() == ""


def test_dea_stdout_holds_only_the_table(small_csv, tmp_path):
    """As a separate process: solver banners must not end up in piped stdout."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "socialperf.cli", "dea", str(small_csv), "--inputs", "x",
         "--outputs", "y"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["score", "status", "slack_x", "slack_y", "peers"]
    assert lines[1].strip() == "unit"  # the index name line of DataFrame.to_string
    assert [ln.split()[0] for ln in lines[2:]] == list("ABCDE")
    assert float(lines[2 + 2].split()[1]) == 0.625  # C, hand-checked above


def test_sensitivity_folder_holds_the_settings_used(capsys, user_study, tmp_path):
    from socialperf import __version__
    from socialperf.study import Study

    out = tmp_path / "sens"
    code, _, err = _run(capsys, "sensitivity", str(user_study), "--runs", "10",
                        "--sobol", "0", "--seed", "4", "--no-miv", "--out", str(out))
    assert code == 0, err
    settings = out / "settings.toml"
    assert settings.read_text().startswith(f"# Written by socialperf {__version__} on ")
    used = Study.from_toml(settings)  # the command-line overrides are what was run
    assert (used.sensitivity.runs, used.sensitivity.seed) == (10, 4)
    assert used.sensitivity.miv.enabled is False
    assert used.data == Study.from_toml(user_study).data
