"""[dea] model = radial | sbm | additive | ddf (and cross_efficiency) through the study, the
report and ``socialperf dea``: the numbers are those of calling the dea model directly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dea
from socialperf.cli import _read_units_csv, main
from socialperf.study import DEASpec, Study, StudyConfigError, load_study_data
from socialperf.study.run import _fit_dea

IN, OUT = ["personnel"], ["number_of_active_borrowers"]

# output-oriented super-SBM under VRS is infeasible for one demo MFI (a per-unit status)
pytestmark = pytest.mark.filterwarnings("ignore::dea.InfeasibleUnitWarning")

# study options -> the dea model called directly with the same options
CASES = [
    ({"model": "radial"}, lambda f: dea.Radial(f, inputs=IN, outputs=OUT, rts="vrs")),
    ({"model": "sbm"}, lambda f: dea.SBM(f, inputs=IN, outputs=OUT, rts="vrs")),
    (
        {"model": "sbm", "sbm_orientation": "output", "super": True},
        lambda f: dea.SBM(
            f, inputs=IN, outputs=OUT, rts="vrs", orientation="output", super_efficiency=True
        ),
    ),
    ({"model": "additive"}, lambda f: dea.Additive(f, inputs=IN, outputs=OUT, rts="vrs")),
    (
        {"model": "additive", "slack_weights": "ram"},
        lambda f: dea.Additive(f, inputs=IN, outputs=OUT, rts="vrs", weights="ram"),
    ),
    ({"model": "ddf"}, lambda f: dea.DDF(f, inputs=IN, outputs=OUT, rts="vrs")),
    (
        {"model": "ddf", "direction": "outputs"},
        lambda f: dea.DDF(f, inputs=IN, outputs=OUT, rts="vrs", direction="outputs"),
    ),
]
IDS = ["radial", "sbm", "super-sbm-output", "additive", "additive-ram", "ddf", "ddf-outputs"]


def _study(**dea_opts):
    return Study.demo().replace(sensitivity={"enabled": False}, dea=dea_opts)


def _same(a: pd.DataFrame | pd.Series, b: pd.DataFrame | pd.Series) -> None:
    pd.testing.assert_index_equal(a.index, b.index)
    np.testing.assert_array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


@pytest.mark.parametrize(("opts", "direct"), CASES, ids=IDS)
def test_study_model_equals_direct_call(opts, direct):
    study = _study(**opts)
    assert study.dea.model == opts["model"]
    result, used, _ = _fit_dea(study, load_study_data(study), 1)
    ref = direct(used).fit()
    assert type(result) is type(ref)
    _same(result.scores, ref.scores)
    _same(result.slacks, ref.slacks)
    assert result.status.tolist() == ref.status.tolist()


def test_options_reach_the_model():
    # the options change the numbers (so the equality above is not vacuous)
    data = load_study_data(_study())
    sc = {
        name: _fit_dea(_study(**o), data, 1)[0].scores
        for (o, _), name in zip(CASES, IDS, strict=True)
    }
    assert sc["super-sbm-output"].max() > 1.0 >= sc["sbm"].max()
    assert not np.allclose(sc["additive"], sc["additive-ram"])
    assert not np.allclose(sc["ddf"], sc["ddf-outputs"])
    # SBM <= radial; inefficiencies are 0 at efficient units and >= 0 elsewhere
    assert (sc["sbm"] <= sc["radial"] + 1e-9).all()
    for name in ("additive", "additive-ram", "ddf", "ddf-outputs"):
        assert (sc[name] >= 0).all() and (sc[name] == 0).any()


@pytest.mark.parametrize(("opts", "direct"), CASES, ids=IDS)
def test_toml_round_trip(opts, direct, tmp_path):
    study = _study(**opts, cross_efficiency=True)
    path = tmp_path / "study.toml"
    path.write_text(study.to_toml(), encoding="utf-8")
    back = Study.from_toml(path)
    assert back.dea == study.dea
    assert back.dea.cross_efficiency


def test_defaults_and_model_switch():
    spec = Study.demo().dea
    assert (
        spec.model,
        spec.sbm_orientation,
        spec.super,
        spec.direction,
        spec.slack_weights,
        spec.cross_efficiency,
    ) == ("radial", "non", False, "observed", "ones", False)
    assert "model" not in spec.to_dict()
    sbm = _study(model="sbm", super=True)
    # switching model drops the other model's options instead of failing
    assert _study(model="sbm", super=True).replace(dea={"model": "ddf"}).dea.model == "ddf"
    assert sbm.dea.to_dict()["super"] is True


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"model": "sbx"}, "dea.model"),
        ({"model": 3}, "dea.model"),
        ({"super": True}, "dea.super"),
        ({"model": "ddf", "slack_weights": "ram"}, "dea.slack_weights"),
        ({"model": "sbm", "sbm_orientation": "both"}, "dea.sbm_orientation"),
        ({"model": "sbm", "super": "yes"}, "dea.super"),
        ({"model": "ddf", "direction": "up"}, "dea.direction"),
        ({"model": "additive", "slack_weights": "range"}, "dea.slack_weights"),
        ({"cross_efficiency": 1}, "dea.cross_efficiency"),
        ({"model": "radial", "direction": "observed"}, "dea.direction"),
    ],
)
def test_bad_keys_one_line_naming_the_key(table, key):
    with pytest.raises(StudyConfigError) as err:
        DEASpec.from_dict({"inputs": IN, "outputs": OUT, **table})
    msg = str(err.value)
    assert f"'{key}'" in msg and "\n" not in msg
    assert "allowed" in msg or "remove it" in msg


def test_cross_efficiency_columns_and_report(tmp_path):
    from socialperf.report import write_study_report
    from socialperf.study import run_study

    study = _study(model="sbm", super=True, cross_efficiency=True)
    res = run_study(study)
    table = res.dea_table()
    ref = dea.CrossEfficiency(res.dea_data, inputs=IN, outputs=OUT, rts="vrs").fit()
    _same(table["mean_cross_efficiency"], ref.mean)
    _same(table["mean_peer_appraisal"], ref.mean_peer)
    _same(table["maverick"], ref.maverick)
    _same(
        table["score"],
        dea.SBM(res.dea_data, inputs=IN, outputs=OUT, super_efficiency=True).fit().scores,
    )
    files = write_study_report(res, tmp_path / "rep")
    html = files.html.read_text(encoding="utf-8")
    assert "slack-based measure" in html and "super-SBM" in html
    assert "maverick index" in html
    assert "dea_frontier" not in files.figures
    assert "No frontier figure: the figure shows radial scores" in html


def test_report_says_what_an_inefficiency_score_means(tmp_path):
    from socialperf.report import write_study_report
    from socialperf.study import run_study

    for opts, words in (
        ({"model": "ddf"}, "inefficiency beta"),
        ({"model": "additive"}, "weighted sum of slacks"),
    ):
        files = write_study_report(run_study(_study(**opts)), tmp_path / opts["model"])
        html = files.html.read_text(encoding="utf-8")
        assert words in html and "higher = worse" in html
    files = write_study_report(run_study(_study(model="radial")), tmp_path / "radial")
    assert "dea_frontier" in files.figures


# ---------------------------------------------------------------------------------- CLI


def _panel() -> str:
    from pathlib import Path

    import socialperf

    return str(Path(socialperf.__file__).parent / "data" / "mfi_panel.csv")


CLI_CASES = [
    ([], CASES[0][1]),
    (["--model", "sbm"], CASES[1][1]),
    (["--model", "sbm", "--sbm-orientation", "output", "--super"], CASES[2][1]),
    (["--model", "additive", "--slack-weights", "ram"], CASES[4][1]),
    (["--model", "ddf", "--direction", "outputs"], CASES[6][1]),
]


@pytest.mark.parametrize(
    ("argv", "direct"), CLI_CASES, ids=["radial", "sbm", "super-sbm", "additive-ram", "ddf-outputs"]
)
def test_cli_model_equals_direct_call(argv, direct, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    code = main(
        [
            "dea",
            _panel(),
            "--inputs",
            IN[0],
            "--outputs",
            OUT[0],
            "--year",
            "2011",
            "--missing",
            "drop",
            *argv,
            "--out",
            str(out),
            "--raw-csv",
        ]
    )
    capsys.readouterr()
    assert code == 0
    got = pd.read_csv(out, index_col=0, dtype={0: str})
    got = got[got["status"] != "dropped"]
    frame = _read_units_csv(_panel(), None, (*IN, *OUT), year=2011).dropna(subset=IN + OUT)
    ref = direct(frame).fit()
    expect = ref.scores.copy()
    if not isinstance(ref, dea.InefficiencyResult):
        expect[(expect - 1.0).abs() <= dea.EFFICIENCY_TOL] = 1.0
    assert list(got.index.astype(str)) == list(expect.index.astype(str))
    np.testing.assert_allclose(got["score"].to_numpy(), expect.to_numpy(), rtol=1e-12, atol=0)
    for col in (*IN, *OUT):
        np.testing.assert_allclose(
            got[f"slack_{col}"].to_numpy(), ref.slacks[col].to_numpy(), rtol=1e-12, atol=1e-12
        )


def test_cli_cross_efficiency_columns(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    code = main(
        [
            "dea",
            _panel(),
            "--inputs",
            IN[0],
            "--outputs",
            OUT[0],
            "--year",
            "2011",
            "--missing",
            "drop",
            "--cross-efficiency",
            "--rts",
            "crs",
            "--out",
            str(out),
            "--raw-csv",
        ]
    )
    capsys.readouterr()
    assert code == 0
    got = pd.read_csv(out, index_col=0, dtype={0: str})
    got = got[got["status"] != "dropped"]
    frame = _read_units_csv(_panel(), None, (*IN, *OUT), year=2011).dropna(subset=IN + OUT)
    ref = dea.CrossEfficiency(frame, inputs=IN, outputs=OUT, rts="crs").fit()
    np.testing.assert_allclose(got["maverick"].to_numpy(), ref.maverick.to_numpy(), rtol=1e-12)
    # mean cross-efficiency never above the unit's own CCR score
    assert (got["mean_cross_efficiency"] <= got["score"] + 1e-9).all()


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--super"], "--super"),
        (["--model", "ddf", "--direction", "up"], "--direction"),
        (["--model", "sbm", "--sbm-orientation", "both"], "--sbm-orientation"),
        (["--model", "ddf", "--slack-weights", "ram"], "--slack-weights"),
    ],
)
def test_cli_bad_options_one_line(argv, option, capsys):
    code = main(
        [
            "dea",
            _panel(),
            "--inputs",
            IN[0],
            "--outputs",
            OUT[0],
            "--year",
            "2011",
            "--missing",
            "drop",
            *argv,
        ]
    )
    _, err = capsys.readouterr()
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith("socialperf: error: option " + option), err
