"""A study's own scheme declared inline ([schemes.<name>]) goes the built-in schemes' way."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import socialperf
from socialperf.study import Study, StudyConfigError, run_sensitivity
from socialperf.study.data import _reference, load_study_data
from socialperf.study.scoring import _score_schemes
from socialperf.study.sensitivity import _mfi_model
from weighting.scheme import Scheme
from weighting.sensitivity import UncertaintyAnalysis
from weighting.tomlfile import tomllib

_NAMES = ["female_share", "depth_of_outreach", "breadth_of_outreach", "par30", "write_off_ratio"]
#: The built-in "equal" scheme of the demo, written as a user's inline scheme
EQUAL_SPEC = {
    "indicators": _NAMES,
    "normalisation": "percentile",
    "weights": {n: 1.0 for n in _NAMES},
    "aggregation": "arithmetic",
    "missing": {"method": "reweight", "min_coverage": 0.6, "coverage": "weight"},
}


def _study(**changes) -> Study:
    cfg = Study.demo().to_dict()
    cfg["mfi"]["schemes"] = ["equal"]
    cfg["schemes"] = {"my_equal": dict(EQUAL_SPEC)}
    for key, value in changes.items():
        cfg[key] = value
    return Study.from_dict(cfg, source="mine.toml")


def test_inline_scheme_scores_like_the_builtin_one():
    study = _study()
    assert study.user_schemes == {"my_equal": EQUAL_SPEC}
    data = load_study_data(study)
    res = _score_schemes(study, data, ["equal", "my_equal"], _reference(study, data))
    a, b = res["equal"], res["my_equal"]
    assert a.scores.notna().sum() > 50
    pd.testing.assert_series_equal(a.scores, b.scores, check_names=False, rtol=0, atol=1e-15)
    pd.testing.assert_series_equal(
        a.excluded.sort_index(), b.excluded.sort_index(), check_names=False
    )
    np.testing.assert_allclose(
        b.normalised[_NAMES].to_numpy(), a.normalised[_NAMES].to_numpy(), rtol=0, atol=1e-15
    )


def test_inline_scheme_round_trips_through_toml(tmp_path):
    study = _study()
    path = tmp_path / "study.toml"
    study.to_toml(path)
    text = path.read_text()
    assert "[schemes.my_equal]" in text
    again = Study.from_toml(path)
    assert again.user_schemes == study.user_schemes
    assert again == study


def test_inline_scheme_can_feed_the_mivs_and_be_analysed():
    study = _study(miv={**Study.demo().miv.to_dict(), "scheme": "my_equal"})
    assert study.mfi_schemes_for_miv() == "my_equal"
    cfg = study.to_dict()
    cfg["sensitivity"]["scheme"] = "my_equal"
    assert Study.from_dict(cfg).sensitivity.scheme == "my_equal"


@pytest.mark.parametrize(
    ("change", "key", "text"),
    [
        ({"weights": {"no_such": 1.0}}, "schemes.my_equal", "no_such"),
        (
            {"indicators": ["female_share", "not_in_catalogue"]},
            "schemes.my_equal",
            "not_in_catalogue",
        ),
        ({"colour": "red"}, "schemes.my_equal", "colour"),
        ({"name": "other"}, "schemes.my_equal", "other"),
    ],
)
def test_inline_scheme_errors_name_the_study_key(change, key, text):
    cfg = Study.demo().to_dict()
    cfg["schemes"] = {"my_equal": {**EQUAL_SPEC, **change}}
    with pytest.raises(StudyConfigError, match=re.escape(f"'{key}'")) as err:
        Study.from_dict(cfg, source="mine.toml")
    assert text in str(err.value) and "mine.toml" in str(err.value)


def test_inline_scheme_may_not_take_a_builtin_name():
    cfg = Study.demo().to_dict()
    cfg["schemes"] = {"Equal": dict(EQUAL_SPEC)}
    with pytest.raises(StudyConfigError, match=r"'schemes\.Equal'.*already a scheme name"):
        Study.from_dict(cfg)


def test_unknown_sensitivity_scheme_lists_the_user_schemes():
    cfg = _study().to_dict()
    cfg["sensitivity"]["scheme"] = "nope"
    with pytest.raises(StudyConfigError, match=r"'sensitivity\.scheme'.*my_equal"):
        Study.from_dict(cfg)


def _analysed(runs: int = 20) -> Study:
    cfg = _study().to_dict()
    cfg["sensitivity"].update(enabled=True, scheme="my_equal", runs=runs, sobol=0)
    cfg["sensitivity"]["miv"]["enabled"] = False
    return Study.from_dict(cfg)


def test_user_scheme_sensitivity_is_uncertainty_analysis_over_the_scheme():
    study = _analysed()
    data = load_study_data(study)
    reference = _reference(study, data)
    scheme, factors, _, extra = _mfi_model(study, data, "my_equal", reference)
    assert isinstance(scheme, Scheme) and scheme.name == "my_equal"
    ua = UncertaintyAnalysis(scheme, extra["data"], factors, model_kwargs=extra["model_kwargs"])
    assert ua.vectorised  # the re-weighting runs as matrix products
    # the two paths agree: the analysis' base run is the study's score of the scheme
    scored = _score_schemes(study, data, ["my_equal"], reference)["my_equal"].scores
    res = ua.run(4, random_state=1)
    pd.testing.assert_series_equal(
        res.reference_scores.reindex(scored.index), scored, check_names=False, rtol=0, atol=1e-15
    )
    assert [f.name for f in factors] == [
        "weights",
        "normalisation",
        "drop_indicator",
        "aggregation",
    ]


def test_user_scheme_sensitivity_ranks_depend_only_on_the_seed():
    a = run_sensitivity(_analysed())
    b = run_sensitivity(_analysed())
    assert a.scheme == "my_equal"
    pd.testing.assert_frame_equal(a.uncertainty.summary, b.uncertainty.summary)
    ranks = a.uncertainty.summary["median_rank"]
    assert ranks.notna().sum() > 50 and ranks.min() >= 1
    # the ranks move: the factors act on the scheme
    assert a.uncertainty.mean_rank_shift.max() > 0


def test_the_template_example_of_an_inline_scheme_is_valid():
    path = Path(socialperf.__file__).parent / "data" / "study_example.toml"
    lines, block = [], False
    for line in path.read_text().splitlines():
        block = line.startswith("# [schemes.") or (
            block and line.startswith("# ") and "=" in line.split("#")[1]
        )
        lines.append(line[2:] if block else line)
    config = tomllib.loads("\n".join(lines))
    assert list(config["schemes"]) == ["my_scheme"]
    study = Study.from_dict(config, base_dir=path.parent)
    assert study.load_schemes()["my_scheme"].indicators.names[0] == "female_share"
