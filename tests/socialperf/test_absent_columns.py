"""A catalogue column absent from the whole MFI file (issue 13, defect 6).

It used to be treated like missing cells, silently: the study ran, exit 0, and the
schemes scored without the indicator. Now a warning names the column, the indicator and
the schemes that lose it; the CLI prints it once and the report carries the same note.
"""

from __future__ import annotations

import warnings

import pytest

from socialperf import MissingColumnWarning, example_data
from socialperf.cli import main
from socialperf.study import Study, load_study_data


@pytest.fixture
def study_without_female_share(tmp_path):
    ex = example_data()
    ex.mfis.drop(columns=["percent_of_female_borrowers"]).to_csv(tmp_path / "m.csv", index=False)
    path = tmp_path / "study.toml"
    path.write_text(
        '[study]\nyear = 2011\n[data]\nexample = true\nmfis = "m.csv"\n'
        '[mfi]\nschemes = ["rating", "equal", "pca"]\n'
        "[miv]\nenabled = false\n[sensitivity]\nenabled = false\n"
    )
    return path


def test_load_study_data_warns_naming_column_and_schemes(study_without_female_share):
    study = Study.from_toml(study_without_female_share)
    with pytest.warns(MissingColumnWarning) as rec:
        data = load_study_data(study)
    assert len(rec) == 1
    msg = str(rec[0].message)
    assert "m.csv has no column 'percent_of_female_borrowers' (indicator 'female_share')" in msg
    assert "schemes 'rating', 'equal', 'pca' score without it" in msg
    assert msg in data.provenance


def test_cli_run_warns_once_and_report_shows_it(
    capsys, caplog, study_without_female_share, tmp_path
):
    out = tmp_path / "rep"
    with caplog.at_level("WARNING", logger="socialperf.study"):
        code = main(["run", str(study_without_female_share), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    msgs = [r.getMessage() for r in caplog.records]
    assert sum("has no column 'percent_of_female_borrowers'" in m for m in msgs) == 1
    assert "has no column" not in err  # not a second time as a Python warning
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "has no column &#x27;percent_of_female_borrowers&#x27;" in html


def test_complete_file_gives_no_warning(tmp_path):
    example_data().mfis.to_csv(tmp_path / "m.csv", index=False)
    study = Study.from_dict({"data": {"example": True, "mfis": "m.csv"}}, base_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingColumnWarning)
        data = load_study_data(study)
    assert "has no column" not in data.provenance
