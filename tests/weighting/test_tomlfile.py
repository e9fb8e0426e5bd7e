"""The one TOML writer (tomli-w) of schemes and studies: round trips and clear refusals."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dea.exceptions import InputDataError
from weighting import PCAWeights, Scheme, tomlfile


def test_round_trip_of_plain_settings():
    data = {
        "name": 'quote " backslash \\ tab \t cr \r nul-ish \x01 del \x7f é ✓',
        "n": np.int64(3),
        "x": np.float64(0.1),
        "big": 1e300,
        "flags": (True, False),
        "path": Path("sub/file.csv"),
        "points": {1: 1.0, 2: 0.0},
        "table": {"odd key": "x", "nested": {"a": [1, 2]}},
        "records": [{"name": "a"}, {"name": "b", "w": 2.5}],
    }
    back = tomlfile.loads(tomlfile.dumps(data))
    assert back == {
        "name": data["name"],
        "n": 3,
        "x": 0.1,
        "big": 1e300,
        "flags": [True, False],
        "path": "sub/file.csv",
        "points": {"1": 1.0, "2": 0.0},
        "table": {"odd key": "x", "nested": {"a": [1, 2]}},
        "records": [{"name": "a"}, {"name": "b", "w": 2.5}],
    }
    nan = tomlfile.loads(tomlfile.dumps({"a": math.nan, "b": -math.inf}))
    assert math.isnan(nan["a"]) and nan["b"] == -math.inf


def test_refusals_name_the_key():
    with pytest.raises(InputDataError, match=r"'weights\.rotation' is None"):
        tomlfile.dumps({"weights": {"rotation": None}}, what="scheme setting")
    with pytest.raises(InputDataError, match=r"'a\.b' holds a object"):
        tomlfile.dumps({"a": {"b": object()}})
    with pytest.raises(InputDataError, match="two keys written '1'"):
        tomlfile.dumps({"t": {1: 0, "1": 1}})


def test_scheme_with_a_none_parameter_is_refused_not_silently_changed(tmp_path):
    s = Scheme([{"name": "a"}, {"name": "b"}], weights=PCAWeights(rotation=None))
    assert s.to_dict()["weights"] == {"weighter": "pca", "rotation": None}
    assert Scheme.from_dict(s.to_dict()) == s
    with pytest.raises(InputDataError, match=r"weights\.rotation"):
        s.to_toml(tmp_path / "s.toml")


def test_scheme_toml_layout(tmp_path):
    s = Scheme(
        [{"name": "a", "group": "g"}, {"name": "b", "group": "h"}],
        weights={"a": 2, "b": 1},
        name="lay",
        dimension_weights={"g": 1, "h": 3},
    )
    text = s.to_toml(tmp_path / "s.toml")
    assert (tmp_path / "s.toml").read_text(encoding="utf-8") == text
    assert text.startswith('name = "lay"\n')
    assert "[weights]\na = 2.0\nb = 1.0\n" in text
    # tomli-w writes the indicators as [[indicators]] tables or, when short, inline
    assert [i["group"] for i in tomlfile.loads(text)["indicators"]] == ["g", "h"]
    assert Scheme.from_toml(tmp_path / "s.toml") == s


@settings(max_examples=40, deadline=None)
@given(
    st.text(min_size=1, max_size=12),
    st.text(max_size=30),
    st.floats(0.01, 100, allow_nan=False),
    st.sampled_from(["minmax", "zscore", "percentile", {"method": "minmax", "high": 100}]),
)
def test_scheme_round_trip_property(name, description, w, norm):
    inds = [{"name": "a", "description": description}, {"name": "b", "direction": "lower"}]
    s = Scheme(inds, name=name, weights={"a": w, "b": 1.0}, normalisation=norm)
    assert Scheme.from_dict(tomlfile.loads(s.to_toml())) == s


def test_study_round_trip(tmp_path):
    from socialperf.study import Study

    demo = Study.demo()
    path = tmp_path / "study.toml"
    demo.to_toml(path)
    assert Study.from_toml(path) == demo
    assert tomlfile.loads(path.read_text())["sensitivity"]["miv"]["top_k"] == 3
