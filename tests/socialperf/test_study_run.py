"""Running the demo study: consistency with the domain API, DEA against geometry, MIVs,
sensitivity, and the demo report folder written by the CLI."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import dea
from socialperf import example_data, score_mfis
from socialperf.cli import main
from socialperf.plots import frontier_points
from socialperf.study import Study, StudyConfigError, run_sensitivity, run_study
from weighting import tomlfile
from weighting.scheme import Scheme

SCHEMES = ["rating", "equal", "expert", "ahp", "pca", "bod", "dea"]


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_study(Study.demo())


def test_demo_includes_sensitivity(result):
    sens = result.sensitivity
    assert sens is not None and sens.scheme == "equal"
    assert len(sens.uncertainty.scores) == 200 and sens.sobol.n_runs == 64 * (5 + 2)
    assert list(sens.sobol.indices.index) == ["weights", "normalisation", "drop_indicator",
                                              "missing", "aggregation"]
    # the demo includes the MIV-level analysis: one row per MIV, 5 factors
    miv = sens.miv
    assert miv is not None and len(miv.uncertainty.summary) == 8
    assert list(miv.sobol.indices.index) == ["w", "method", "uncovered", "mfi_scheme",
                                             "mfi_weights"]
    # total-order indices are at least (about) the first-order ones
    idx = sens.sobol.indices
    assert (idx["ST"] >= idx["S1"] - idx["S1_conf"] - idx["ST_conf"]).all()


def test_demo_scores_every_scheme(result):
    scores = result.mfi_scores
    assert list(scores.columns) == SCHEMES
    assert scores.index.is_unique
    assert len(scores) == 342  # MFIs with a 2011 row in the bundled panel
    finite = scores.to_numpy()[np.isfinite(scores.to_numpy())]
    assert finite.min() >= 0.0 and finite.max() <= 1.0 + 1e-12


def test_study_scores_equal_domain_api(result):
    ex = example_data()
    for scheme, kwargs in [("equal", {}), ("ahp", {"weights": ex.ahp_matrix})]:
        direct = score_mfis(ex.mfis, scheme=scheme, year=2011, **kwargs).scores
        pd.testing.assert_series_equal(result.mfi_scores[scheme].dropna(), direct.dropna(),
                                       check_names=False, atol=1e-12)


def test_comparison_matches_scores(result):
    comp = result.comparison
    assert comp.spearman.loc["equal", "equal"] == pytest.approx(1.0)
    common = result.mfi_scores.dropna()
    rho = common["equal"].rank().corr(common["pca"].rank())
    assert comp.spearman.loc["equal", "pca"] == pytest.approx(rho, abs=1e-12)


def test_dea_model_matches_frontier_geometry(result):
    """Input-oriented VRS theta equals x*(y)/x with x*(y) read off the 2-D hull."""
    spec = result.study.dea
    assert (spec.inputs, spec.outputs, spec.rts) == (("personnel",),
                                                     ("number_of_active_borrowers",), "vrs")
    data = result.dea_data
    x = data["personnel"].to_numpy(float)
    y = data["number_of_active_borrowers"].to_numpy(float)
    front = frontier_points(x, y, rts="vrs")
    body = front[1:-1]  # drop the free-disposal ends
    x_star = np.where(y <= body[0, 1], body[0, 0], np.interp(y, body[:, 1], body[:, 0]))
    np.testing.assert_allclose(result.dea.scores.to_numpy(), x_star / x, rtol=1e-7)
    # and the engine called directly on the same table agrees
    direct = dea.Radial(data, inputs=["personnel"], outputs=["number_of_active_borrowers"],
                        rts="vrs").fit()
    pd.testing.assert_series_equal(direct.scores, result.dea.scores)


def test_dea_exclusions_have_reasons(result):
    excl = result.dea_excluded
    assert len(excl) + len(result.dea_data) == 342
    assert excl.str.startswith(("missing", "non-positive")).all()


def test_miv_index_is_weighted_blend(result):
    miv = result.miv
    assert len(miv.index) == 8
    blend = 0.5 * miv.portfolio + 0.5 * miv.block
    pd.testing.assert_series_equal(miv.index, blend, check_names=False, atol=1e-12)
    assert miv.coverage.between(0, 1).all()
    prof = result.miv_profile()
    assert prof.columns[0] == "portfolio (look-through)"
    assert prof.to_numpy().min() >= 0 and prof.to_numpy().max() <= 1


def test_miv_uses_configured_scheme():
    study = Study.demo().replace(miv={"scheme": "pca", "w": 1.0}, schemes=("equal", "pca"),
                                 dea=None, sensitivity={"enabled": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_study(study)
    expected = res.miv.exposures.mul(res.mfi_scores["pca"].reindex(res.miv.exposures.columns),
                                     axis=1)
    covered = res.miv.exposures.loc[:, res.mfi_scores["pca"].reindex(
        res.miv.exposures.columns).notna().to_numpy()].sum(axis=1)
    pd.testing.assert_series_equal(res.miv.index, expected.sum(axis=1) / covered,
                                   check_names=False, atol=1e-12)


def test_sensitivity_runs_and_fast_model_matches_score_mfis():
    study = Study.demo().replace(sensitivity={"enabled": True, "runs": 30, "sobol": 0,
                                              "seed": 5, "scheme": "expert"})
    out = run_sensitivity(study)
    assert out.sobol is None and len(out.uncertainty.scores) == 30
    summ = out.uncertainty.summary
    scored = summ["p_scored"] > 0
    assert (summ.loc[scored, "rank_q05"] <= summ.loc[scored, "median_rank"]).all()
    assert (summ.loc[scored, "median_rank"] <= summ.loc[scored, "rank_q95"]).all()
    # the fast composite used for the runs equals score_mfis on a changed assumption:
    # drop one indicator (weights of the rest renormalised) and use min-max normalisation
    ex = example_data()
    w = ex.expert_weights.drop("par30")
    direct = score_mfis(ex.mfis, scheme="expert", year=2011, weights=w / w.sum(),
                        normalisation="minmax",
                        indicators=[n for n in out.model.names if n != "par30"]).scores
    fast = out.model(normalisation="minmax", drop_indicator="par30")
    pd.testing.assert_series_equal(fast.reindex(direct.index), direct, check_names=False,
                                   atol=1e-12)


def test_sensitivity_rejects_unknown_scheme():
    with pytest.raises(StudyConfigError, match=re.escape("'sensitivity.scheme'")):
        Study.demo().replace(sensitivity={"scheme": "magic"})


def test_dea_sensitivity_varies_returns_to_scale():
    study = Study.demo().replace(
        schemes=("equal", "dea"),
        sensitivity={"enabled": True, "runs": 20, "sobol": 0, "scheme": "dea",
                     "miv": {"enabled": False}})
    out = run_sensitivity(study)
    assert [f.name for f in out.factors] == ["rts"] and out.miv is None
    ex = example_data()
    for rts in ("crs", "vrs"):
        direct = score_mfis(ex.mfis, scheme="dea", year=2011, rts=rts).scores
        pd.testing.assert_series_equal(out.model(rts=rts), direct, check_names=False)
    # the runs are the two settings: each MFI's scores take at most two values
    assert (out.uncertainty.scores.nunique() <= 2).all()
    # VRS scores are never below CRS scores (Banker, Charnes & Cooper 1984)
    crs, vrs = out.model(rts="crs"), out.model(rts="vrs")
    ok = crs.notna() & vrs.notna()
    assert (vrs[ok] >= crs[ok] - 1e-9).all()
    with pytest.raises(StudyConfigError, match=re.escape("'sensitivity.rts'")):
        run_sensitivity(study.replace(sensitivity={"rts": ["vrs"]}))


def test_unknown_dea_column_names_key():
    study = Study.demo().replace(dea={"inputs": ["staff"]}, schemes=("equal",))
    with pytest.raises(StudyConfigError, match=r"'dea.inputs'.*'staff'"):
        run_study(study)


# ----------------------------------------------------------------------------- demo via CLI


def _external_refs(text: str) -> list[str]:
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", text, flags=re.I)
    refs += re.findall(r"url\(([^)]*)\)", text)
    return [r for r in refs if not (r.startswith("data:") or r.startswith("#"))]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory, result):
    """`socialperf demo`, reusing the study run of the `result` fixture to keep tests fast
    (run_study itself is tested above; this checks the command and the report)."""
    out = tmp_path_factory.mktemp("demo") / "report"
    calls = []

    def _cached(study, **kwargs):
        calls.append((study, kwargs))
        return result

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("socialperf.cli.run_study", _cached)
        code = main(["demo", "--out", str(out)])
    assert code == 0
    assert calls and calls[0][0] == Study.demo()
    return out


def test_demo_writes_expected_files(demo_folder):
    for name in ["index.html", "report.xlsx"]:
        assert (demo_folder / name).is_file()
    tables = {p.stem for p in (demo_folder / "tables").glob("*.csv")}
    assert {"mfi_scores", "comparison_pairs", "dea_results", "miv_index", "miv_coverage",
            "miv_profile"} <= tables
    figures = {p.stem for p in (demo_folder / "figures").glob("*.png")}
    assert {"scheme_ranks", "rank_shift", "dea_frontier", "miv_profile",
            "sensitivity_rank_intervals", "sensitivity_sobol"} <= figures
    assert {"sensitivity_rank_intervals", "sensitivity_sobol_indices"} <= tables
    sheets = pd.ExcelFile(demo_folder / "report.xlsx").sheet_names
    assert set(sheets) == {t[:31] for t in tables}  # Excel's limit on sheet names
    scores = pd.read_csv(demo_folder / "tables" / "mfi_scores.csv", index_col=0)
    assert list(scores.columns) == ["name", *SCHEMES]  # MFI names beside the ids
    assert scores["name"].notna().all()
    assert {p.stem for p in (demo_folder / "figures").glob("*.svg")} == figures


def test_demo_html_is_self_contained(demo_folder):
    text = (demo_folder / "index.html").read_text(encoding="utf-8")
    assert _external_refs(text) == []
    assert text.count("data:image/png;base64,") == len(list((demo_folder / "figures").glob(
        "*.png")))
    assert "<link" not in text and "<script src" not in text  # only the inline script
    assert "MIX Market" in text and "CC BY 4.0" in text
    for phrase in ["Rating scale", "Equal weights", "Expert weights", "AHP", "PCA",
                   "Benefit of the doubt", "DEA: social efficiency"]:
        assert phrase in text, phrase


# ----------------------------------------------------------------------------- custom schemes

SCHEME_TOML = """
name = "outreach_first"
normalisation = "minmax"
[weights]
female_share = 2
depth_of_outreach = 2
par30 = 1
[[indicators]]
name = "female_share"
scale = "ratio"
[[indicators]]
name = "depth_of_outreach"
direction = "lower"
scale = "ratio"
[[indicators]]
name = "par30"
direction = "lower"
scale = "ratio"
"""


def test_user_scheme_file_runs_and_feeds_mivs(tmp_path):
    from weighting.scheme import Scheme

    (tmp_path / "schemes").mkdir()
    (tmp_path / "schemes" / "mine.toml").write_text(SCHEME_TOML)
    path = tmp_path / "study.toml"
    path.write_text('[study]\nyear = 2011\n[data]\nexample = true\n'
                    '[mfi]\nschemes = ["equal"]\nscheme_files = ["schemes/mine.toml"]\n'
                    '[miv]\nscheme = "outreach_first"\n')
    study = Study.from_toml(path)
    assert study.scheme_files == ((tmp_path / "schemes" / "mine.toml").resolve(),)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_study(study)
        direct = score_mfis(example_data().mfis, scheme=Scheme.from_toml(
            tmp_path / "schemes" / "mine.toml"), year=2011).scores
    assert list(res.mfi_scores.columns) == ["equal", "outreach_first"]
    pd.testing.assert_series_equal(res.mfi_scores["outreach_first"], direct,
                                   check_names=False)
    assert res.miv.details["portfolio"].notna().any()
    # written back, the study file keeps the relative scheme path
    study.to_toml(tmp_path / "again.toml")
    written = tomlfile.loads((tmp_path / "again.toml").read_text())
    assert written["mfi"]["scheme_files"] == ["schemes/mine.toml"]
    assert Study.from_toml(tmp_path / "again.toml") == study


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        (SCHEME_TOML.replace("outreach_first", "equal"), "built-in scheme name"),
        (SCHEME_TOML.replace('name = "outreach_first"', 'name = "x"\ncolour = 1'),
         "unknown keys"),
    ],
)
def test_bad_scheme_file_names_key(tmp_path, text, message):
    if text is not None:
        (tmp_path / "mine.toml").write_text(text)
    cfg = {"data": {"example": True}, "mfi": {"scheme_files": ["mine.toml"]}}
    with pytest.raises(StudyConfigError, match=re.escape("'mfi.scheme_files'")) as err:
        Study.from_dict(cfg, base_dir=tmp_path)
    assert message in str(err.value)


def test_miv_sensitivity_mfi_weights_match_full_rescoring(result):
    """The MIV model's re-weighted MFI scores equal score_mfis + score_mivs from scratch."""
    from socialperf import score_mivs

    miv = result.sensitivity.miv
    base_w = next(f for f in miv.factors if f.name == "mfi_weights").params["base"]
    w2 = base_w.copy()
    w2.iloc[0] *= 3.0
    w2 /= w2.sum()
    ex = example_data()
    mfi = score_mfis(ex.mfis, scheme="expert", year=2011, weights=w2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = score_mivs(mfi, ex.holdings, ex.miv_indicators, w=0.5, year=2011)
    pd.testing.assert_series_equal(miv.model(mfi_weights=w2), direct.index, check_names=False,
                                   atol=1e-12)
    pd.testing.assert_series_equal(miv.model(), result.miv.index, check_names=False,
                                   atol=1e-12)


def test_bod_sensitivity_varies_normalisation():
    study = Study.demo().replace(
        schemes=("equal", "bod"),
        sensitivity={"enabled": True, "runs": 12, "sobol": 0, "scheme": "bod",
                     "miv": {"enabled": False}})
    out = run_sensitivity(study)
    assert [f.name for f in out.factors] == ["normalisation"]
    direct = score_mfis(example_data().mfis, scheme="bod", year=2011,
                        normalisation="minmax").scores
    # the model is the bod Scheme itself; its min-max variant's runs are score_mfis' scores
    assert isinstance(out.model, Scheme) and out.model.name == "bod"
    runs = out.uncertainty.scores
    target = direct.reindex(runs.columns).to_numpy()
    hits = [np.allclose(r, target, rtol=0, atol=1e-12, equal_nan=True) for r in runs.to_numpy()]
    assert any(hits) and not all(hits)
    assert (out.uncertainty.scores.nunique() <= 2).all()


def test_holdings_year_differing_from_study_year_is_logged(caplog):
    study = Study.demo().replace(year=2010, schemes=("equal",), dea=None,
                                 miv={"scheme": "equal"}, sensitivity={"enabled": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with caplog.at_level("WARNING", logger="socialperf.study"):
            run_study(study)
    msgs = [r.getMessage() for r in caplog.records]
    assert any("dated 2011-12-31" in m and "fiscal year 2010" in m for m in msgs), msgs


def test_study_dea_model_logs_few_units(caplog):
    import dataclasses

    from socialperf.study import load_study_data
    from socialperf.study.run import _fit_dea

    study = Study.demo().replace(dea={
        "inputs": ["personnel", "operating_expense"], "outputs": ["number_of_active_borrowers"],
    })
    data = load_study_data(study)
    few = data.mfis[data.mfis["mfiid"].isin(["100030", "100035"])]
    data = dataclasses.replace(data, mfis=few)
    with caplog.at_level("WARNING", logger="socialperf.study"):
        result, used, _ = _fit_dea(study, data, 1)
    assert len(used) == 1 + 1
    # two units, three variables: both efficient
    assert list(result.scores) == pytest.approx([1.0, 1.0])
    assert any("only 2 MFIs in 2011" in r.getMessage() for r in caplog.records)


def test_demo_folder_holds_version_and_settings(demo_folder):
    import socialperf

    text = (demo_folder / "settings.toml").read_text(encoding="utf-8")
    assert text.startswith(f"# Written by socialperf {socialperf.__version__} on ")
    assert Study.from_toml(demo_folder / "settings.toml") == Study.demo()  # reads back
    page = (demo_folder / "index.html").read_text(encoding="utf-8")
    assert f"by socialperf {socialperf.__version__}." in page
