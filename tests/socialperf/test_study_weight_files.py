"""Weight files of a study: each cell must parse as a number; the message names the cell.

Issue 13, defect 3 (the study's weight-taking entry points).
"""

import pytest

from dea.exceptions import InputDataError
from socialperf.study import Study, load_study_data


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        (
            "expert_weights",
            "indicator,weight\nfemale_share,0.4\nrural,abc\n",
            "data.expert_weights (w.csv): the weight of indicator 'rural' is 'abc'; a number",
        ),
        (
            "ahp_matrix",
            ",a,b\na,1,x\nb,1,1\n",
            "data.ahp_matrix (w.csv): row 'a', column 'b' is 'x'; a number is expected",
        ),
        (
            "budget_allocations",
            ",a,b\ne1,40,60\ne2,fifty,50\n",
            "data.budget_allocations (w.csv): row 'e2', column 'a' is 'fifty'; a number",
        ),
    ],
)
def test_study_weight_files_name_the_bad_cell(tmp_path, key, text, message):
    (tmp_path / "w.csv").write_text(text)
    study = Study.from_dict({"data": {"example": True, key: "w.csv"}}, base_dir=tmp_path)
    with pytest.raises(InputDataError) as err:
        load_study_data(study)
    assert message in str(err.value)


def test_study_weight_files_parse_numbers_written_as_text(tmp_path):
    (tmp_path / "w.csv").write_text('indicator,weight\nfemale_share," 0.4"\nrural,0.6\n')
    study = Study.from_dict(
        {"data": {"example": True, "expert_weights": "w.csv"}}, base_dir=tmp_path
    )
    w = load_study_data(study).expert_weights
    assert w.to_dict() == {"female_share": 0.4, "rural": 0.6}
