"""Empty and unreadable files are named in the error (issue 13, defect 9).

``read_mfis`` on an empty file used to raise pandas' bare ``EmptyDataError: No columns to
parse from file`` (and the CLI printed that line) without naming the file.
"""

from __future__ import annotations

import pytest

import socialperf as sp
from socialperf.catalogue import load_catalogue
from socialperf.cli import main
from socialperf.exceptions import InputDataError
from socialperf.io import read_table
from socialperf.study import Study, load_study_data


@pytest.mark.parametrize("text", ["", "\n\n", "   \n"])
def test_read_mfis_on_an_empty_file_names_it(tmp_path, text):
    path = tmp_path / "mfis.csv"
    path.write_text(text)
    with pytest.raises(InputDataError) as err:
        sp.read_mfis(path)
    assert str(err.value) == f"file {str(path)!r} is empty: it has no header row and no data"


def test_every_reader_names_the_empty_file(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("")
    for reader in (sp.read_holdings, sp.read_miv_indicators, read_table):
        with pytest.raises(InputDataError, match=r"e\.csv' is empty"):
            reader(path)
    with pytest.raises(InputDataError, match=r"file .*e\.csv' is empty"):
        load_catalogue(path)


def test_malformed_csv_names_the_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('a,b\n1,2\n3,"4\n')
    with pytest.raises(InputDataError, match=r"bad.csv' is not a readable CSV table: "):
        sp.read_mfis(path)


@pytest.mark.parametrize("key", ["expert_weights", "ahp_matrix", "budget_allocations"])
def test_study_weight_files_empty(tmp_path, key):
    (tmp_path / "w.csv").write_text("")
    study = Study.from_dict({"data": {"example": True, key: "w.csv"}}, base_dir=tmp_path)
    with pytest.raises(InputDataError, match=rf"data.{key} \(w.csv\): file .*w.csv' is empty"):
        load_study_data(study)


def test_cli_dea_on_an_empty_file(capsys, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("")
    code = main(["dea", str(path), "--inputs", "x", "--outputs", "y"])
    err = capsys.readouterr().err
    assert code != 0
    assert (
        err.strip() == f"socialperf: error: file {str(path)!r} is empty: it has no header "
        "row and no data"
    )
