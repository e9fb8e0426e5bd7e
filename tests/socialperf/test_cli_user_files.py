"""`socialperf dea` on users' own files: integer ids, header spaces, Excel."""

from __future__ import annotations

import pandas as pd
import pytest

from socialperf.cli import main


def _table(out: str) -> pd.DataFrame:
    lines = out.splitlines()
    rows = [line.split() for line in lines[2:]]
    return pd.DataFrame({r[0]: r[1:3] for r in rows}, index=["score", "status"]).T


# CRS input-oriented, one input x, one output y: score = (y/x) / max(y/x).
# y/x = 1, 1.5, 0.75 -> scores 2/3, 1, 1/2.
_UNITS = pd.DataFrame({"mfiid": [100541, 100688, 100003], "x": [2.0, 4.0, 4.0],
                       "y": [2.0, 6.0, 3.0]})


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_integer_id_first_column_labels_the_units(capsys, tmp_path):
    path = tmp_path / "u.csv"
    _UNITS.to_csv(path, index=False)
    code, out, err = _run(capsys, "dea", str(path), "--inputs", "x", "--outputs", "y",
                          "--rts", "crs")
    assert code == 0, err
    t = _table(out)
    assert list(t.index) == ["100541", "100688", "100003"]
    assert float(t.loc["100003", "score"]) == pytest.approx(0.5)
    assert float(t.loc["100541", "score"]) == pytest.approx(2 / 3, rel=1e-5)


def test_excel_file_and_header_spaces(capsys, tmp_path):
    path = tmp_path / "u.xlsx"
    _UNITS.rename(columns={"x": " Staff ", "y": "Borrowers "}).to_excel(path, index=False)
    code, out, err = _run(capsys, "dea", str(path), "--inputs", "Staff", "--outputs",
                          "Borrowers", "--rts", "crs")
    assert code == 0, err
    t = _table(out)
    assert float(t.loc["100688", "score"]) == pytest.approx(1.0)
    assert float(t.loc["100003", "score"]) == pytest.approx(0.5)


def test_unlabelled_units_are_named_by_file_row(capsys, tmp_path):
    path = tmp_path / "u.csv"
    _UNITS[["x", "y"]].to_csv(path, index=False)
    code, out, err = _run(capsys, "dea", str(path), "--inputs", "x", "--outputs", "y",
                          "--rts", "crs")
    assert code == 0, err
    t = _table(out)
    assert list(t.index) == ["2", "3", "4"]  # header is row 1
    assert float(t.loc["4", "score"]) == pytest.approx(0.5)


@pytest.mark.parametrize("ids", [["a", "b", "a"], [100541, 100688, 100541]])
def test_duplicated_unit_id_is_an_error(capsys, tmp_path, ids):
    """Issue 13, defect 5: both rows used to be scored (labelled by file row), exit 0."""
    path = tmp_path / "u.csv"
    _UNITS.assign(mfiid=ids).to_csv(path, index=False)
    code, out, err = _run(capsys, "dea", str(path), "--inputs", "x", "--outputs", "y")
    assert code != 0 and out == ""
    assert f"unit labels {ids[0]!r} in column 'mfiid' appear more than once" in err
    assert "(file rows 2, 4)" in err and len(err.strip().splitlines()) == 1


def test_duplicated_index_col_is_an_error(capsys, tmp_path):
    path = tmp_path / "u.csv"
    _UNITS.assign(name=["p", "q", "q"]).to_csv(path, index=False)
    code, _, err = _run(capsys, "dea", str(path), "--inputs", "x", "--outputs", "y",
                        "--index-col", "name")
    assert code != 0
    assert "unit labels 'q' in column 'name' appear more than once (file rows 3, 4)" in err
