"""The `socialperf` command: exit codes, one-line errors, the `dea` subcommand."""

from __future__ import annotations

import subprocess
import sys

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


def test_console_entry_point_runs_as_module(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "socialperf.cli", "dea", str(tmp_path / "none.csv"),
         "--inputs", "a", "--outputs", "b"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("socialperf: error: file not found")
    assert proc.stdout == ""


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
    assert "score" in stdout and "C" in stdout


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
