"""Factor.replicates: sampling error of an estimated indicator (e.g. bootstrap
replications of DEA scores) as one more factor of an uncertainty analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dea
from dea.exceptions import InputDataError
from weighting.scheme import Scheme
from weighting.sensitivity import Factor, UncertaintyAnalysis

UNITS = [f"m{i:02d}" for i in range(25)]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {"x": rng.uniform(1, 10, 25), "y": rng.uniform(1, 10, 25), "soc": rng.uniform(0, 1, 25)},
        index=UNITS,
    )


@pytest.fixture(scope="module")
def boot(data) -> pd.DataFrame:
    """Bootstrap replications of the units' DEA scores (units x 8)."""
    model = dea.Radial(data, ["x"], ["y"], rts="vrs")
    return dea.bootstrap(model, 8, seed=5, return_replications=True).replications


def test_callable_model_receives_the_picked_replicate(data, boot):
    def score(d, eff=None):
        e = dea.Radial(d, ["x"], ["y"], rts="vrs").fit().scores if eff is None else eff
        return 0.5 * e + 0.5 * d["soc"]

    f = Factor.replicates(boot, name="eff")
    assert f.labels == tuple(f"eff[{b}]" for b in range(8))
    res = UncertaintyAnalysis(score, data, [f, Factor.uniform("w", 0, 1, apply=lambda k, v: k)])
    out = res.run(40, random_state=1)
    picked = out.design["eff"]
    assert set(picked) == set(f.labels)  # every replicate is used
    for i in (0, 5, 17, 39):
        b = int(picked.iloc[i][4:-1])
        np.testing.assert_allclose(out.scores.iloc[i], 0.5 * boot[b] + 0.5 * data["soc"])


def test_scheme_model_replaces_the_indicator_column(data, boot):
    d = data.assign(eff=dea.Radial(data, ["x"], ["y"], rts="vrs").fit().scores)
    scheme = Scheme([{"name": "eff"}, {"name": "soc"}], weights={"eff": 1.0, "soc": 1.0})
    f = Factor.replicates(boot, name="boot", indicator="eff")
    for vec in (True, False):
        ua = UncertaintyAnalysis(scheme, d, [f, Factor.weights_dirichlet(50)], vectorise=vec)
        out = ua.run(12, random_state=2)
        for i in (0, 4, 11):
            b = int(out.design["boot"].iloc[i][5:-1])
            w = out.design.iloc[i][["weights[eff]", "weights[soc]"]].to_numpy(float)
            exp = (
                scheme.replace(weights={"eff": w[0], "soc": w[1]})
                .score(d.assign(eff=boot[b]))
                .scores
            )
            np.testing.assert_allclose(out.scores.iloc[i], exp.reindex(out.scores.columns))
    # the reference run keeps the original estimate
    np.testing.assert_allclose(ua.reference_scores, scheme.score(d).scores.reindex(ua.units))


def test_custom_apply_gets_the_series(data, boot):
    seen = []

    def apply(kw, series):
        seen.append(series)
        return {**kw, "eff": series * 2}

    f = Factor.replicates(boot, name="r", apply=apply)
    out = UncertaintyAnalysis(lambda d, eff=None: d["soc"] if eff is None else eff, data, [f])
    res = out.run(6, random_state=0)
    assert all(isinstance(s, pd.Series) for s in seen)
    b = int(res.design["r"].iloc[0][2:-1])
    np.testing.assert_allclose(res.scores.iloc[0], 2 * boot[b])


def test_errors(data, boot):
    with pytest.raises(InputDataError, match="non-empty DataFrame"):
        Factor.replicates(boot.iloc[:, :0])
    bad = boot.copy()
    bad.iloc[2, 3] = np.nan
    with pytest.raises(InputDataError, match=r"replicates 3 have missing"):
        Factor.replicates(bad)
    scheme = Scheme([{"name": "x"}, {"name": "soc"}], weights={"x": 1.0, "soc": 1.0})
    with pytest.raises(InputDataError, match="indicator="):
        UncertaintyAnalysis(scheme, data, [Factor.replicates(boot)])
    with pytest.raises(InputDataError, match="'nope' is not a column"):
        UncertaintyAnalysis(scheme, data, [Factor.replicates(boot, indicator="nope")])
    with pytest.raises(InputDataError, match="lack units"):
        UncertaintyAnalysis(scheme, data, [Factor.replicates(boot.iloc[:20], indicator="x")])
