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
