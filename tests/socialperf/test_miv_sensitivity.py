"""MIV-level uncertainty and Sobol' analysis (socialperf.study.miv_sensitivity), on a
hand-checked three-MIV case, and its study configuration ([sensitivity.miv])."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from socialperf.study import (
    MIVSensitivitySpec,
    Study,
    StudyConfigError,
    miv_sensitivity,
    run_sensitivity,
)

# Three MIVs, two MFIs: A holds m1, B holds m2, C holds half of each.
HOLDINGS = pd.DataFrame({"holder": ["A", "B", "C", "C"], "held": ["m1", "m2", "m1", "m2"],
                         "amount": [100.0, 100.0, 50.0, 50.0]})
# MIV block = microfinance_share (the only MIV indicator given): A 0, B 1, C 0.5
MIV_IND = pd.DataFrame({"miv": ["A", "B", "C"], "microfinance_share": [0.0, 1.0, 0.5]})
SCORES = {"s": pd.Series({"m1": 0.9, "m2": 0.1}), "t": pd.Series({"m1": 0.2, "m2": 0.6})}
# Index I = w P + (1 - w) B with P = (0.9, 0.1, 0.5) under scheme s (exposure method):
#   A = 0.9 w, B = 1 - 0.9 w, C = 0.5.  For w < 5/9: B, C, A (ranks 1, 2, 3); above: A, C, B.
W_SWITCH = 5.0 / 9.0


def _only_w(lo: float = 0.3, hi: float = 0.7, **kw) -> MIVSensitivitySpec:
    base = {"w": (lo, hi), "methods": ("exposure",), "uncovered": ("renormalise",),
            "schemes": ("s",), "mfi_weights": False, "top_k": 1}
    return MIVSensitivitySpec(**{**base, **kw})


def _run(spec: MIVSensitivitySpec, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return miv_sensitivity(SCORES, HOLDINGS, MIV_IND, base_scheme="s", spec=spec, **kw)


def test_model_reproduces_hand_values():
    out = _run(_only_w(schemes=("s", "t")), runs=10, sobol=0)
    m = out.model
    pd.testing.assert_series_equal(m(), pd.Series({"A": 0.45, "B": 0.55, "C": 0.5}),
                                   check_names=False, atol=1e-12)
    # top quartile of the scores {0.9, 0.1}: 0.7 -> m1 counts 1, m2 0
    pd.testing.assert_series_equal(m(w=1.0, method="top_quartile"),
                                   pd.Series({"A": 1.0, "B": 0.0, "C": 0.5}),
                                   check_names=False, atol=1e-12)
    # scheme t: P = (0.2, 0.6, 0.4); w = 0.5 -> (0.1, 0.8, 0.45)
    pd.testing.assert_series_equal(m(mfi_scheme="t"), pd.Series({"A": 0.1, "B": 0.8, "C": 0.45}),
                                   check_names=False, atol=1e-12)


def test_median_ranks_by_hand():
    out = _run(_only_w(), runs=400, sobol=0)
    summ = out.uncertainty.summary
    # P(w < 5/9) = (5/9 - 0.3) / 0.4 = 0.639: B first and A last in most runs
    assert summ.loc[["A", "B", "C"], "median_rank"].tolist() == [3.0, 1.0, 2.0]
    assert summ.loc["C", "rank_q05"] == summ.loc["C", "rank_q95"] == 2.0
    assert (summ.loc["A", "rank_q05"], summ.loc["A", "rank_q95"]) == (1.0, 3.0)
    share_above = float((out.uncertainty.design["w"] > W_SWITCH).mean())
    assert summ.loc["A", "p_top_1"] == pytest.approx(share_above)
    assert summ.loc["B", "p_top_1"] == pytest.approx(1 - share_above)
    assert share_above == pytest.approx(1 - (W_SWITCH - 0.3) / 0.4, abs=0.08)


def test_w_alone_explains_everything():
    out = _run(_only_w(), runs=10, sobol=256)
    idx = out.sobol.indices
    assert list(idx.index) == ["w"]
    # one factor: the first-order and total indices are both 1 (up to the estimators' error)
    assert idx.loc["w", "ST"] == pytest.approx(1.0, abs=0.05)
    assert idx.loc["w", "S1"] == pytest.approx(1.0, abs=0.1)


def test_fixed_w_has_no_effect():
    spec = _only_w(0.5, 0.5, methods=("exposure", "equal", "top_quartile"),
                   schemes=("s", "t"))
    out = _run(spec, runs=120, sobol=128)
    design, ranks = out.uncertainty.design, out.uncertainty.ranks
    assert (design["w"] == 0.5).all()
    # runs with the same method and scheme have the same ranks: no variance from w
    groups = ranks.groupby([design["method"].astype(str), design["mfi_scheme"].astype(str)])
    assert (groups.nunique() == 1).all().all()
    assert ranks.nunique().max() > 1  # ...while the other factors do move the MIVs
    idx = out.sobol.indices
    assert idx.loc["w", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert idx.loc["w", "S1"] == pytest.approx(0.0, abs=0.05)
    assert idx.loc[["method", "mfi_scheme"], "ST"].sum() > 0.5


def test_reproducible_whatever_n_jobs():
    spec = _only_w(methods=("exposure", "equal"), schemes=("s", "t"))
    a = _run(spec, runs=60, sobol=32, seed=7, n_jobs=1)
    b = _run(spec, runs=60, sobol=32, seed=7, n_jobs=2)
    pd.testing.assert_frame_equal(a.uncertainty.summary, b.uncertainty.summary)
    pd.testing.assert_frame_equal(a.sobol.indices, b.sobol.indices)
    c = _run(spec, runs=60, sobol=0, seed=8)
    assert not np.array_equal(a.uncertainty.scores.to_numpy(), c.uncertainty.scores.to_numpy())


def test_unknown_scheme_is_named():
    from dea.exceptions import InputDataError

    with pytest.raises(InputDataError, match="'u'"):
        _run(_only_w(schemes=("s", "u")), runs=5, sobol=0)


# ----------------------------------------------------------------------------- config
@pytest.mark.parametrize(
    ("miv", "key"),
    [
        ({"w": [0.7, 0.3]}, "'sensitivity.miv.w'"),
        ({"w": [0.2, 1.5]}, "'sensitivity.miv.w'"),
        ({"methods": ["median"]}, "'sensitivity.miv.methods'"),
        ({"uncovered": []}, "'sensitivity.miv.uncovered'"),
        ({"top_k": 0}, "'sensitivity.miv.top_k'"),
        ({"sobol": 48}, "'sensitivity.miv.sobol'"),
        ({"colour": "red"}, "'sensitivity.miv.colour'"),
        ({"schemes": ["bod", "nope"]}, "'sensitivity.miv.schemes'"),
    ],
)
def test_bad_miv_config_names_key(miv, key):
    config = {"data": {"example": True}, "mfi": {"schemes": ["equal", "bod"]},
              "sensitivity": {"miv": miv}}
    with pytest.raises(StudyConfigError, match=re.escape(key)):
        Study.from_dict(config)


def test_bad_mfi_level_factor_config_names_key():
    for sens, key in [({"rts": ["crs", "xrs"]}, "'sensitivity.rts'"),
                      ({"missing": ["drop"]}, "'sensitivity.missing'"),
                      ({"miv": 3}, "'sensitivity.miv'")]:
        with pytest.raises(StudyConfigError, match=re.escape(key)):
            Study.from_dict({"data": {"example": True}, "sensitivity": sens})


def test_miv_config_round_trips_through_toml(tmp_path):
    st = Study.demo().replace(sensitivity={"miv": {"w": [0.4, 0.6], "top_k": 2,
                                                   "methods": ["equal", "exposure"]}})
    assert st.sensitivity.miv.w == (0.4, 0.6) and st.sensitivity.runs == 200
    path = tmp_path / "s.toml"
    st.to_toml(path)
    assert "[sensitivity.miv]" in path.read_text()
    again = Study.from_toml(path)
    assert again.sensitivity == st.sensitivity


def test_study_miv_analysis_uses_config():
    study = Study.demo().replace(
        schemes=("equal", "pca"),
        sensitivity={"runs": 40, "sobol": 0, "miv": {"w": 0.5, "schemes": ["equal"],
                                                     "mfi_weights": False, "runs": 30}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = run_sensitivity(study)
    miv = out.miv
    assert [f.name for f in miv.factors] == ["w", "method", "uncovered"]
    assert len(miv.uncertainty.scores) == 30 and miv.sobol is None
    assert len(out.uncertainty.scores) == 40
    assert miv.model().notna().sum() == 8
    assert "p_top_3" in miv.uncertainty.summary.columns
