"""Property tests: the drawn 2-D frontier agrees with the DEA engine; study TOML round trip."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import dea
from socialperf.plots import dea_frontier, frontier_points
from socialperf.study import MFI_SCHEMES, Study

_values = st.floats(min_value=0.5, max_value=100.0, allow_nan=False, allow_infinity=False)


@st.composite
def _units(draw):
    n = draw(st.integers(min_value=3, max_value=12))
    x = draw(st.lists(_values, min_size=n, max_size=n))
    y = draw(st.lists(_values, min_size=n, max_size=n))
    return np.round(np.array(x), 3), np.round(np.array(y), 3)


def _theta_from_frontier(x, y, rts):
    front = frontier_points(x, y, rts=rts)
    if rts == "crs":
        slope = front[1, 1] / front[1, 0]
        return (y / slope) / x
    body = front[1:-1]
    x_star = np.where(y <= body[0, 1], body[0, 0], np.interp(y, body[:, 1], body[:, 0]))
    return x_star / x


@settings(max_examples=30, deadline=None)
@given(_units(), st.sampled_from(["vrs", "crs"]))
def test_frontier_geometry_equals_lp_scores(units, rts):
    x, y = units
    df = pd.DataFrame({"x": x, "y": y}, index=[f"u{i}" for i in range(len(x))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dea.Radial(df, inputs=["x"], outputs=["y"], rts=rts).fit()
    np.testing.assert_allclose(res.scores.to_numpy(), _theta_from_frontier(x, y, rts),
                               rtol=1e-6, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(_units())
def test_every_unit_on_or_inside_vrs_frontier(units):
    x, y = units
    theta = _theta_from_frontier(x, y, "vrs")
    assert np.all(theta <= 1 + 1e-12) and np.all(theta > 0)
    assert np.isclose(theta, 1.0).any()  # the unit with the smallest input is on it


_wide = st.floats(min_value=0.5, max_value=1e5, allow_nan=False, allow_infinity=False)


@settings(max_examples=20, deadline=None)
@given(st.integers(3, 10).flatmap(lambda n: st.tuples(st.lists(_wide, min_size=n, max_size=n),
                                                      st.lists(_wide, min_size=n, max_size=n))),
       st.booleans())
def test_drawn_frontier_passes_through_lp_efficient_units(units, log):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y = (np.round(np.array(v), 3) for v in units)
    df = pd.DataFrame({"x": x, "y": y}, index=[f"u{i}" for i in range(len(x))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = dea.Radial(df, inputs=["x"], outputs=["y"], rts="vrs").fit().scores
    ax = dea_frontier(df, inputs=["x"], outputs=["y"], scores=scores, log=log, label="none")
    (line,) = [ln for ln in ax.lines if ln.get_label() == "frontier"]
    drawn = line.get_xydata()
    plt.close(ax.figure)
    pts = df.to_numpy(float)[scores.to_numpy() >= 1 - 1e-9]
    if log:
        drawn, pts = np.log10(drawn), np.log10(pts)
    span = np.maximum(np.ptp(drawn, axis=0), 1e-12)
    drawn, pts = drawn / span, pts / span
    dist = np.full(len(pts), np.inf)
    for a, b in itertools.pairwise(drawn):
        d = b - a
        t = np.clip(((pts - a) @ d) / max(float(d @ d), 1e-300), 0.0, 1.0)
        dist = np.minimum(dist, np.hypot(*(a + t[:, None] * d - pts).T))
    assert (dist < 1e-6).all()


_names = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
_keys = st.text(min_size=1, max_size=8)  # any unit key: bare or quoted in TOML


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(min_size=0, max_size=20),
    year=st.one_of(st.none(), st.integers(1990, 2030)),
    schemes=st.lists(st.sampled_from([s for s in MFI_SCHEMES if s != "dea"]), min_size=1,
                     max_size=6, unique=True),
    w=st.floats(0, 1),
    threshold=st.floats(0, 1),
    method=st.sampled_from(["exposure", "equal", "top_quartile"]),
    uncovered=st.sampled_from(["renormalise", "zero", "exclude"]),
    dea_cols=st.lists(_names, min_size=2, max_size=4, unique=True),
    rts=st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
    runs=st.integers(2, 10_000),
    sobol_exp=st.integers(0, 10),
    units=st.dictionaries(_keys, st.text(max_size=10), max_size=3),
)
def test_study_toml_round_trip(tmp_path_factory, name, year, schemes, w, threshold, method,
                               uncovered, dea_cols, rts, runs, sobol_exp, units):
    cfg = {
        "study": {"name": name, **({"year": year} if year is not None else {})},
        "data": {"example": True, "mfis": "x/mfis.csv"},
        "mfi": {"schemes": schemes},
        "miv": {"w": w, "coverage_threshold": threshold, "method": method,
                "uncovered": uncovered, "scheme": schemes[0]},
        "dea": {"inputs": dea_cols[:1], "outputs": dea_cols[1:], "rts": rts},
        "sensitivity": {"runs": runs, "sobol": 0 if sobol_exp == 0 else 2 ** sobol_exp},
        "units": units,
    }
    folder = tmp_path_factory.mktemp("toml")
    study = Study.from_dict(cfg, base_dir=folder)
    path = folder / "s.toml"
    study.to_toml(path)
    again = Study.from_toml(path)
    assert again == study
    assert again.miv.w == w and again.units == units and again.name == name
