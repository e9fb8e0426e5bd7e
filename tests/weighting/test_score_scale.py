"""Score quantiles stay on the reference scheme's scale (issue 14, item 6).

A factor whose alternatives put the scores on different scales (a normalisation, an
aggregator) is built with ``scale_reference``; the score quantiles of
``UncertaintyResult.summarise`` then use only the runs on the reference scale, and
``score_runs`` states their share.  Hand-checked on a callable model whose two
"normalisations" differ by a factor of 100.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dea.exceptions import InputDataError
from weighting.sensitivity import Factor, UncertaintyAnalysis

DATA = pd.DataFrame({"x": [1.0, 2.0, 4.0]}, index=["A", "B", "C"])


def model(data: pd.DataFrame, norm: str = "share", bump: float = 0.0) -> pd.Series:
    """``share``: x / sum(x) (in [0, 1]); ``percent``: the same times 100; ``bump`` is
    added to unit A's share (a same-scale factor)."""
    s = data["x"] / data["x"].sum()
    s = s + pd.Series({"A": bump, "B": 0.0, "C": 0.0})
    return s * (100.0 if norm == "percent" else 1.0)


def _analysis(scale_reference):
    kw = {} if scale_reference is None else {"scale_reference": scale_reference}
    factors = [
        Factor.choice("norm", ["share", "percent"], **kw),
        Factor.choice("bump", [0.0, 0.5]),
    ]
    return UncertaintyAnalysis(model, DATA, factors)


def test_quantiles_use_only_runs_on_the_reference_scale():
    res = _analysis("share").run(64, random_state=3)
    same = res.on_reference_scale
    design = res.design
    # the tag is exactly "norm takes the reference alternative"
    assert (same.to_numpy() == (design["norm"].astype(str) == "share").to_numpy()).all()
    assert 0 < same.mean() < 1
    summ = res.summarise(levels=(0.0, 1.0))
    # hand check on the share scale: B = 2/7, C = 4/7 in every run; A = 1/7 or 1/7 + 0.5
    assert summ.loc["B", "score_median"] == pytest.approx(2 / 7)
    assert summ.loc["C", "score_q00"] == pytest.approx(4 / 7)
    assert summ.loc["C", "score_q100"] == pytest.approx(4 / 7)
    bumped = design.loc[same.to_numpy(), "bump"].astype(float)
    assert summ.loc["A", "score_q00"] == pytest.approx(
        1 / 7 if (bumped == 0).any() else 1 / 7 + 0.5
    )
    assert summ.loc["A", "score_q100"] == pytest.approx(
        1 / 7 + 0.5 if (bumped > 0).any() else 1 / 7
    )
    # every quantile lies in the reference scheme's own range, [0, 1]
    for col in ("score_q00", "score_median", "score_q100"):
        assert summ[col].between(0, 1).all()
    assert summ["score_runs"].eq(same.mean()).all()
    # ranks still use every run: the percent runs rank as the share runs do
    assert summ["p_scored"].eq(1).all()
    assert summ.loc["C", "median_rank"] == 1


def test_without_scale_reference_every_run_counts_and_quantiles_mix_scales():
    res = _analysis(None).run(64, random_state=3)
    assert res.on_reference_scale.all()
    summ = res.summarise(levels=(0.0, 1.0))
    assert (summ["score_runs"] == 1).all()
    # the mixture the rule prevents: C's "interval" spans 4/7 to 400/7
    assert summ.loc["C", "score_q100"] == pytest.approx(400 / 7)


def test_no_run_on_the_reference_scale_gives_nan_quantiles():
    factors = [Factor.choice("norm", ["percent"], scale_reference="percent")]
    res = UncertaintyAnalysis(model, DATA, factors).run(8, random_state=0)
    assert res.on_reference_scale.all()
    res.on_reference_scale[:] = False
    summ = res.summarise()
    assert summ["score_median"].isna().all() and (summ["score_runs"] == 0).all()
    assert summ["median_rank"].notna().all()


def test_scale_reference_must_be_an_alternative():
    with pytest.raises(InputDataError, match=r"scale_reference='rank' is not one of"):
        Factor.normalisation(["minmax", "zscore"], scale_reference="rank")
    f = Factor.normalisation(["minmax", "zscore"], scale_reference="zscore")
    assert f.params["scale_reference"] == 1


def test_streamed_summaries_keep_only_reference_scale_runs():
    """keep="summary" folds only the runs on the reference scale into the score
    histogram, range and moments: the same quantiles as the full matrices (within
    ``score_error``) and every score moment on the share scale."""
    ua = _analysis("share")
    full = ua.run(200, random_state=5, keep="full").summarise(levels=(0.0, 1.0))
    streamed_res = ua.run(200, random_state=5, keep="summary")
    streamed = streamed_res.summarise(levels=(0.0, 1.0))
    err = streamed_res.score_error
    for col in ("score_q00", "score_median", "score_q100"):
        assert (streamed[col] - full[col]).abs().max() <= err + 1e-12
        assert streamed[col].between(0, 1).all()
    assert streamed["score_runs"].equals(full["score_runs"])
    assert streamed_res.moments["score_mean"].between(0, 1).all()
