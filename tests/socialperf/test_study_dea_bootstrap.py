"""``[dea] bootstrap`` / ``alpha``: Simar-Wilson confidence intervals in the study's DEA table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dea
from socialperf.study import DEASpec, Study, StudyConfigError, run_study

BOOT_COLS = ["scores_bc", "lower", "upper", "bias", "std_error", "use_bias_correction"]


def test_defaults_off_and_round_trip(tmp_path):
    spec = DEASpec.from_dict({"inputs": ["a"], "outputs": ["b"]})
    assert (spec.bootstrap, spec.alpha) == (0, 0.05)
    study = Study.demo().replace(dea={"bootstrap": 40, "alpha": 0.1})
    path = tmp_path / "s.toml"
    path.write_text(study.to_toml(), encoding="utf-8")
    back = Study.from_toml(path)
    assert (back.dea.bootstrap, back.dea.alpha) == (40, 0.1)
    assert back.dea == study.dea


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"bootstrap": -1}, "study key 'dea.bootstrap'"),
        ({"bootstrap": 2.5}, "study key 'dea.bootstrap'"),
        ({"bootstrap": True}, "study key 'dea.bootstrap'"),
        ({"alpha": 0.0}, "study key 'dea.alpha'"),
        ({"alpha": 1.5}, "study key 'dea.alpha'"),
        ({"alpha": "5%"}, "study key 'dea.alpha'"),
    ],
)
def test_bad_settings_name_the_key(changes, needle):
    with pytest.raises(StudyConfigError, match=needle):
        DEASpec.from_dict({"inputs": ["a"], "outputs": ["b"], **changes})


@pytest.fixture(scope="module")
def boot_run():
    study = Study.demo().replace(
        sensitivity={"enabled": False, "seed": 7}, dea={"bootstrap": 20, "alpha": 0.1}
    )
    return study, run_study(study)


def test_off_by_default_no_columns():
    study = Study.demo().replace(sensitivity={"enabled": False}, miv={"enabled": False})
    table = run_study(study).dea_table()
    assert not set(BOOT_COLS) & set(table.columns)


def test_table_columns_equal_dea_bootstrap(boot_run):
    study, result = boot_run
    table = result.dea_table()
    assert list(table.columns[:7]) == ["score", *BOOT_COLS]
    # the same numbers as dea.bootstrap on the study's model, seeded from the study's seed
    model = dea.Radial(
        result.dea_data,
        inputs=list(study.dea.inputs),
        outputs=list(study.dea.outputs),
        rts=study.dea.rts,
        orientation=study.dea.orientation,
    )
    direct = dea.bootstrap(model, 20, alpha=0.1, seed=7)
    for col in BOOT_COLS:
        pd.testing.assert_series_equal(
            table[col], getattr(direct, col).reindex(table.index), check_names=False
        )
    assert result.dea_bootstrap.alpha == 0.1 and result.dea_bootstrap.n_boot == 20
    # input orientation: bias-corrected <= original; the interval holds the corrected score
    assert (table["scores_bc"] <= table["score"] + 1e-12).all()
    assert (table["lower"] <= table["scores_bc"] + 1e-12).all()
    assert (table["scores_bc"] <= table["upper"] + 1e-12).all()
    assert np.allclose(table["bias"], table["score"] - table["scores_bc"])


def test_report_shows_intervals(boot_run, tmp_path):
    from socialperf.report import write_study_report

    _, result = boot_run
    files = write_study_report(result, tmp_path / "rep")
    written = pd.read_csv(files.tables["dea_results"], index_col=0)
    assert set(BOOT_COLS) <= set(written.columns)
    html = files.html.read_text(encoding="utf-8")
    assert "[dea] bootstrap = 20" in html and "90% confidence interval" in html


def test_seed_and_n_jobs_passed_through(monkeypatch):
    seen = {}
    real = dea.bootstrap

    def spy(model, n_boot, **kw):
        seen.update(kw, n_boot=n_boot)
        return real(model, n_boot, **kw)

    monkeypatch.setattr(dea, "bootstrap", spy)
    study = Study.demo().replace(
        sensitivity={"enabled": False, "seed": 99}, dea={"bootstrap": 3}, miv={"enabled": False}
    )
    run_study(study, n_jobs=2)
    assert seen == {"n_boot": 3, "alpha": 0.05, "seed": 99, "n_jobs": 2}


def test_bootstrap_needs_the_radial_model():
    """dea.bootstrap resamples radial scores: asking for it with another model is an error."""
    spec = {"inputs": ["personnel"], "outputs": ["number_of_active_borrowers"],
            "model": "sbm", "bootstrap": 20}
    with pytest.raises(StudyConfigError, match=r"dea\.bootstrap.*radial"):
        DEASpec.from_dict(spec)
    assert DEASpec.from_dict({**spec, "bootstrap": 0}).model == "sbm"
