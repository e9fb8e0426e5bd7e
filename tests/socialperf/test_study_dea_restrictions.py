"""``[dea] ratio_bounds``: assurance regions on the study's radial or DDF model."""

from __future__ import annotations

import numpy as np
import pytest

import dea
from socialperf.study import DEASpec, Study, StudyConfigError, run_study

BASE = {"inputs": ["a", "c"], "outputs": ["b"]}
AR = [
    {"numerator": "b", "denominator": "a", "upper": 0.5},
    {"numerator": "c", "denominator": "a", "lower": 1},
]


def test_parse_round_trip_describe_and_build():
    spec = DEASpec.from_dict({**BASE, "ratio_bounds": AR})
    assert spec.ratio_bounds == (("b", "a", None, 0.5), ("c", "a", 1.0, None))
    assert DEASpec.from_dict(spec.to_dict()) == spec
    assert spec.to_dict()["ratio_bounds"][0] == {"numerator": "b", "denominator": "a", "upper": 0.5}
    assert "assurance regions" in spec.describe() and "w_b / w_a <= 0.5" in spec.describe()
    assert "1 <= w_c / w_a" in spec.describe()
    assert DEASpec.from_dict(BASE).ratio_bounds == ()
    assert "ratio_bounds" not in DEASpec.from_dict(BASE).to_dict()
    ddf = DEASpec.from_dict({**BASE, "model": "ddf", "ratio_bounds": AR})
    assert ddf.ratio_bounds == spec.ratio_bounds


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"model": "sbm"}, r"study key 'dea.ratio_bounds'.*model = \"radial\" or \"ddf\""),
        (
            {"ratio_bounds": [{"numerator": "zz", "denominator": "a", "upper": 1}]},
            r"'dea.ratio_bounds\[0\].numerator'.*'zz' is not a DEA input or output",
        ),
        (
            {"ratio_bounds": [{"numerator": "b", "denominator": "a", "upper": -1}]},
            r"'dea.ratio_bounds\[0\].upper'.*>= 0",
        ),
        ({"ratio_bounds": [{"numerator": "b", "denominator": "a"}]}, "neither lower nor upper"),
        ({"ratio_bounds": [{"numerator": "b", "denominator": "a", "up": 1}]}, "unknown key"),
        ({"ratio_bounds": "b/a <= 1"}, "expected an array of tables"),
    ],
)
def test_bad_ratio_bounds_name_the_key(extra, needle):
    d = {**BASE, "ratio_bounds": AR, **extra}
    with pytest.raises(StudyConfigError, match=needle):
        DEASpec.from_dict(d)


def test_study_run_uses_the_restrictions_and_reports_them(tmp_path):
    demo = Study.demo().replace(sensitivity={"enabled": False}, miv={"enabled": False})
    (x,), (y,) = demo.dea.inputs, demo.dea.outputs
    free = run_study(demo)
    frame = free.dea_data
    # a type II bound well inside the unrestricted weights, so it binds for many MFIs
    w = dea.Radial(frame, [x], [y], rts=demo.dea.rts).fit().weights
    ok = (w[x] > 0) & (w[y] > 0)
    upper = float((w.loc[ok, y] / w.loc[ok, x]).median())
    study = demo.replace(dea={"ratio_bounds": [{"numerator": y, "denominator": x, "upper": upper}]})
    path = tmp_path / "s.toml"
    path.write_text(study.to_toml(), encoding="utf-8")
    assert Study.from_toml(path).dea == study.dea
    res = run_study(study)
    direct = dea.Radial(
        frame, [x], [y], rts=study.dea.rts, ratio_bounds={(y, x): (None, upper)}
    ).fit()
    table = res.dea_table()
    np.testing.assert_allclose(table["score"], direct.scores.reindex(table.index), atol=1e-12)
    before = free.dea_table()["score"].reindex(table.index)
    assert (table["score"] <= before + 1e-9).all() and (table["score"] < before - 1e-6).any()
    from socialperf.report import write_study_report

    html = write_study_report(res, tmp_path / "rep").html.read_text(encoding="utf-8")
    assert "assurance regions" in html
