"""socialperf.audit: the study's quality audit, the `socialperf audit` command, the report
section; checked against plain pandas on the bundled panel and on the real shared MIX panel."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import weighting as wt
from socialperf import load_catalogue, load_reference, read_mix_panel
from socialperf.audit import StudyAudit, audit_study
from socialperf.cli import main
from socialperf.report import build_study_report
from socialperf.study import Study, run_study

ROOT = Path(__file__).resolve().parents[2]
MIX = ROOT.parent / "shared" / "data" / "mix" / "mix_africa_mfi_panel_1999_2019.csv"
METRIC = ["female_share", "depth_of_outreach", "breadth_of_outreach", "par30", "write_off_ratio"]


def _run(study: Study):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_study(study.replace(sensitivity={"enabled": False}, miv={"enabled": False}))


@pytest.fixture(scope="module")
def demo():
    study = Study.demo().replace(schemes=("rating", "equal", "pca", "bod", "dea"))
    result = _run(study)
    return result, audit_study(result)


def _coverage_by_hand(panel: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    values = load_catalogue().extract(panel, METRIC)
    overall = values.notna().mean()
    by_year = values.notna().groupby(panel["year"].to_numpy()).mean().min()
    return overall, by_year


def test_catalogue_checks_against_plain_pandas(demo):
    _, audit = demo
    checks = audit.catalogue
    overall, worst_year = _coverage_by_hand(load_reference())
    np.testing.assert_allclose(checks.loc[METRIC, "coverage"], overall[METRIC], atol=1e-12)
    np.testing.assert_allclose(
        checks.loc[METRIC, "min_year_coverage"], worst_year[METRIC], atol=1e-12
    )
    # write-off ratios are missing for half the MFIs of the worst year: a coverage failure
    assert worst_year["write_off_ratio"] < wt.THRESHOLDS["coverage"].value
    assert "coverage" in checks.at["write_off_ratio", "checks"]
    assert checks.at["female_share", "checks"] == "ok"
    # indicators the MIX panel does not carry are listed as not measurable
    assert checks.at["poverty_mission", "checks"].startswith("not measurable")
    assert checks["quality"].str.len().gt(0).all()
    # every measured indicator points the same way as the rest of its dimension
    assert (checks.loc[METRIC, "validity_r"] > 0).all()
    assert (checks.loc[METRIC, "dimension_r"] > checks.loc[METRIC, "validity_r"]).all()
    year = load_reference().query("year == 2011")
    cov_2011 = load_catalogue().extract(year, METRIC).notna().mean()
    np.testing.assert_allclose(checks.loc[METRIC, "coverage_study_year"], cov_2011, atol=1e-12)


def test_scheme_audits_read_the_study_scores(demo):
    result, audit = demo
    assert set(audit.schemes) == {"rating", "equal", "pca", "bod"}
    assert "dea" in audit.skipped
    for name in ("equal", "pca", "rating"):
        res = result.mfi_results[name]
        inf = audit.schemes[name].influence
        w = res.weights if isinstance(res.weights, pd.Series) else res.weights.loc[2011]
        np.testing.assert_allclose(inf.loc[w.index, "weight"], w / w.sum(), atol=1e-12)
        ok = res.scores.notna()
        for c in res.normalised.columns:
            s = wt.correlation_ratio(res.normalised.loc[ok, c], res.scores[ok])
            assert inf.at[c, "S"] == pytest.approx(s, abs=1e-12)
        comp = audit.schemes[name].compensability.loc["composite"]
        assert comp["median_ratio"] == pytest.approx(1.0, abs=1e-9)  # arithmetic means
    assert audit.schemes["bod"].influence["weight"].isna().all()  # unit-specific weights
    scopes = set(audit.flag_table["scope"])
    assert {"universe", "year 2011"} <= scopes
    assert not (audit.flag_table.query("scope == 'equal'")["level"] == "indicator").any()
    assert "Quality audit" in audit.summary() and "catalogue_checks" in audit.tables()


def test_report_has_the_quality_section(demo):
    result, _ = demo
    rep = build_study_report(result)
    titles = [s.title for s in rep._sections]
    assert "Indicator and aggregation quality" in titles
    assert {"quality_catalogue", "quality_equal_influence", "quality_flags"} <= set(rep.tables)


def test_custom_scheme_file_is_audited_as_it_is(tmp_path):
    scheme = wt.Scheme(
        [
            {
                "name": n,
                "scale": load_catalogue()[n].scale,
                "direction": load_catalogue()[n].direction,
            }
            for n in METRIC[:3]
        ],
        normalisation="zscore",
        weights={"female_share": 2, "depth_of_outreach": 1, "breadth_of_outreach": 1},
        name="mine",
    )
    path = tmp_path / "mine.toml"
    scheme.to_toml(path)
    result = _run(Study.demo().replace(schemes=("equal",), scheme_files=(path,)))
    audit = audit_study(result, universe=False)
    assert audit.universe is None and set(audit.schemes) == {"equal", "mine"}
    inf = audit.schemes["mine"].influence
    np.testing.assert_allclose(inf.loc[METRIC[:3], "weight"].mean(), 1 / 3, atol=1e-12)
    # the audited scores are the study's scores
    mine = result.mfi_results["mine"]
    ok = mine.scores.notna()
    s = wt.correlation_ratio(mine.normalised.loc[ok, "female_share"], mine.scores[ok])
    assert inf.at["female_share", "S"] == pytest.approx(s, abs=1e-12)


def test_cli_audit_prints_and_writes(tmp_path, capsys):
    out = tmp_path / "aud"
    assert main(["audit", "demo", "--out", str(out), "--no-universe"]) == 0
    text = capsys.readouterr().out
    assert "Quality audit" in text and "Flags (" in text
    assert (out / "index.html").is_file()
    flags = pd.read_csv(out / "tables" / "quality_flags.csv")
    assert {"scope", "criterion", "message"} <= set(flags.columns)
    assert (out / "tables" / "audit_equal_influence.csv").is_file()


def test_cli_audit_bad_file_is_one_line(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nope.toml")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("socialperf: error:")


@pytest.mark.skipif(not MIX.exists(), reason="the shared MIX panel (../shared/data/mix) is absent")
def test_audit_on_the_real_shared_mix_panel(tmp_path):
    screening = read_mix_panel(MIX)
    panel = screening.panel
    panel.to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "study.toml").write_text(
        '[study]\nyear = 2011\nreference = "self"\n[data]\nexample = false\n'
        'mfis = "panel.csv"\n[mfi]\nschemes = ["equal"]\n[miv]\nenabled = false\n',
        encoding="utf-8",
    )
    result = _run(Study.from_toml(tmp_path / "study.toml"))
    audit = audit_study(result)
    assert isinstance(audit, StudyAudit)
    overall, worst_year = _coverage_by_hand(panel)
    np.testing.assert_allclose(audit.catalogue.loc[METRIC, "coverage"], overall[METRIC], atol=1e-12)
    np.testing.assert_allclose(
        audit.catalogue.loc[METRIC, "min_year_coverage"], worst_year[METRIC], atol=1e-12
    )
    # the bundled universe is this panel, screened by the same rules (values rounded)
    bundled, _ = _coverage_by_hand(load_reference())
    np.testing.assert_allclose(overall[METRIC], bundled[METRIC], atol=1e-12)
    assert len(audit.universe.coverage.columns) >= 15  # one column per year
