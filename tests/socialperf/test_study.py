"""Study configuration: validation messages name the key; TOML round trip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialperf.study import DEASpec, Study, StudyConfigError


def _minimal(**sections):
    cfg = {"data": {"example": True}}
    cfg.update(sections)
    return cfg


def test_defaults_from_minimal_config():
    st = Study.from_dict(_minimal())
    assert st.example is True
    assert st.schemes == ("rating", "equal", "pca")
    assert st.miv.w == 0.5 and st.miv.coverage_threshold == 0.7
    assert st.dea is None
    assert st.sensitivity.enabled is False


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"stuy": {}}, "'stuy'"),
        ({"mfi": {"shemes": ["equal"]}}, "'mfi.shemes'"),
        ({"mfi": {"schemes": ["equal", "magic"]}}, "'mfi.schemes'"),
        ({"mfi": {"schemes": "equal", "x": 1}}, "'mfi.x'"),
        ({"miv": {"w": 1.5}}, "'miv.w'"),
        ({"miv": {"w": "half"}}, "'miv.w'"),
        ({"miv": {"coverage_threshold": -0.1}}, "'miv.coverage_threshold'"),
        ({"miv": {"enabled": "yes"}}, "'miv.enabled'"),
        ({"miv": {"scheme": "pca"}, "mfi": {"schemes": ["equal"]}}, "'miv.scheme'"),
        ({"dea": {"inputs": ["a"], "outputs": ["b"], "rts": "xrs"}}, "'dea.rts'"),
        ({"dea": {"inputs": ["a"], "outputs": ["b"], "orientation": "up"}}, "'dea.orientation'"),
        ({"dea": {"inputs": [], "outputs": ["b"]}}, "'dea.inputs'"),
        ({"dea": {"inputs": ["a"], "outputs": ["a"]}}, "'dea.outputs'"),
        ({"mfi": {"schemes": ["dea"]}}, "'dea'"),
        ({"sensitivity": {"runs": 1}}, "'sensitivity.runs'"),
        ({"sensitivity": {"sobol": 2.5}}, "'sensitivity.sobol'"),
        ({"study": {"year": "2011"}}, "'study.year'"),
        ({"units": {"personnel": 3}}, "'units.personnel'"),
        ({"miv": 3}, "'miv'"),
    ],
)
def test_bad_config_names_key(config, key):
    with pytest.raises(StudyConfigError, match=re.escape(key)):
        Study.from_dict(_minimal(**config))


def test_no_data_source_is_an_error():
    with pytest.raises(StudyConfigError, match=re.escape("'data.mfis'")):
        Study.from_dict({"mfi": {"schemes": ["equal"]}})


def test_error_names_the_file(tmp_path):
    path = tmp_path / "my_study.toml"
    path.write_text('[data]\nexample = true\n[miv]\nuncoverd = "zero"\n')
    with pytest.raises(StudyConfigError, match=re.escape("'miv.uncoverd' in my_study.toml")):
        Study.from_toml(path)


def test_paths_relative_to_toml_file(tmp_path):
    sub = tmp_path / "cfg"
    sub.mkdir()
    path = sub / "study.toml"
    path.write_text('[data]\nmfis = "../data/mfis.csv"\nholdings = "h.csv"\n')
    st = Study.from_toml(path)
    assert st.data["mfis"] == (tmp_path / "data" / "mfis.csv").resolve()
    assert st.data["holdings"] == (sub / "h.csv").resolve()


def test_toml_round_trip(tmp_path):
    cfg = {
        "study": {"name": 'Quote " and \\ test', "year": 2011, "reference": "panel"},
        "data": {"example": False, "mfis": "mfis.csv", "holdings": "sub/holdings.csv"},
        "mfi": {"schemes": ["equal", "dea", "pca"]},
        "miv": {"scheme": "pca", "w": 0.25, "method": "exposure", "coverage_threshold": 0.6,
                "uncovered": "zero", "enabled": True},
        "dea": {"inputs": ["personnel"], "outputs": ["borrowers"], "rts": "crs",
                "orientation": "output"},
        "sensitivity": {"enabled": True, "runs": 50, "sobol": 0, "seed": 7},
        "units": {"personnel": "staff", "odd key": "x"},
    }
    st = Study.from_dict(cfg, base_dir=tmp_path)
    out = tmp_path / "written.toml"
    st.to_toml(out)
    back = Study.from_toml(out)
    assert back == st
    assert back.data["holdings"] == (tmp_path / "sub" / "holdings.csv").resolve()
    assert back.dea == DEASpec(("personnel",), ("borrowers",), "crs", "output")
    assert back.units == {"personnel": "staff", "odd key": "x"}
    assert 'holdings = "sub/holdings.csv"' in out.read_text()  # written relative


def test_replace_revalidates():
    st = Study.from_dict(_minimal())
    st2 = st.replace(sensitivity={"runs": 30, "enabled": True})
    assert st2.sensitivity.runs == 30 and st2.sensitivity.enabled
    assert st.sensitivity.runs == 200  # unchanged original
    with pytest.raises(StudyConfigError, match=re.escape("'sensitivity.runs'")):
        st.replace(sensitivity={"runs": 0})


def test_demo_config_is_valid():
    st = Study.demo()
    assert st.example or "mfis" in st.data
    for path in st.data.values():
        assert Path(path).is_file(), path


def test_invalid_toml_is_a_config_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[study\n")
    with pytest.raises(StudyConfigError, match=re.escape("broken.toml: invalid TOML")):
        Study.from_toml(path)


def test_missing_study_file():
    with pytest.raises(FileNotFoundError):
        Study.from_toml("/nonexistent/study.toml")


def test_miv_choices_match_domain_constants():
    from socialperf import miv
    from socialperf.study.config import _MIV_METHODS, _UNCOVERED

    assert tuple(miv.METHODS) == _MIV_METHODS
    assert tuple(miv.UNCOVERED_RULES) == _UNCOVERED
