"""What Additive, SBM and DDF share (dea/models/_envelope.py): LP export in user units,
one solve engine (``solve_family``), result conventions and the builder's layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_pulp import _highspy_solve

import dea
from dea.models._envelope import build_envelope
from dea.solvers import base

RESULTS = Path(__file__).parents[1] / "results"
TONE = pd.read_csv(RESULTS / "tone2001.csv", index_col=0)
IO = {"inputs": ["x1", "x2"], "outputs": ["y1", "y2"]}
MODELS = [
    (dea.Additive, {"weights": "ram"}),
    (dea.Additive, {"weights": "mip", "rts": "crs"}),
    (dea.SBM, {"rts": "crs"}),
    (dea.SBM, {"orientation": "input"}),
    (dea.SBM, {"orientation": "output", "rts": "nirs"}),
    (dea.DDF, {"direction": "unit", "rts": "ndrs"}),
    (dea.DDF, {"undesirable": ["y2"]}),
]


@pytest.mark.parametrize(("cls", "kw"), MODELS)
@pytest.mark.parametrize("unit", ["A", "B", "D"])
def test_exported_lp_in_user_units_gives_the_objective(tmp_path, cls, kw, unit):
    model = cls(TONE, **IO, **kw)
    res = model.fit()
    path = dea.export_lp(model, unit, tmp_path / f"{unit}.lp")
    text = path.read_text()
    assert "lambda_C" in text and "s_minus_x2" in text and "input_x1" in text
    assert "6 lambda_B" in text  # the user's x1 of B: the export is in user units
    sol = _highspy_solve(path)
    assert sol["objective"] == pytest.approx(res.objective[unit], abs=1e-9)


def test_exported_ddf_second_stage_gives_the_slacks(tmp_path):
    model = dea.DDF(TONE, **IO, rts="crs")
    res = model.fit()
    sol = _highspy_solve(dea.export_lp(model, "D", tmp_path / "d2.lp", stage=2))
    assert sol["beta"] == pytest.approx(res.scores["D"], abs=1e-12)
    got = [sol[f"s_minus_{c}"] for c in IO["inputs"]] + [sol[f"s_plus_{c}"] for c in IO["outputs"]]
    np.testing.assert_allclose(got, res.slacks.loc["D"], atol=1e-9)


def test_every_model_runs_through_solve_family(monkeypatch):
    calls = []
    real = base.solve_family

    def spy(family, *args, **kwargs):
        calls.append(type(family).__name__)
        return real(family, *args, **kwargs)

    monkeypatch.setattr("dea.models._envelope.solve_family", spy)
    for cls, kw in MODELS:
        cls(TONE, **IO, **kw).fit()
    dea.SBM(TONE, **IO, rts="crs", super_efficiency=True).fit()
    assert calls == [
        "_AdditiveFamily",
        "_AdditiveFamily",
        "_SBMFamily",
        "_SBMFamily",
        "_SBMFamily",
        "_DDFFamily",
        "_DDFFamily",
        "_SBMFamily",
        "_SBMFamily",
    ]


def test_builder_layout():
    X = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]])
    Y = np.array([[1.0], [2.0], [1.5]])
    env = build_envelope(X, Y, "vrs", extra_names=("t",), scale_col=0)
    p = env.problem
    assert (env.n_ref, env.m, env.s, env.n_extra) == (3, 2, 1, 1)
    assert (env.slack0, env.extra0, env.conv_row, env.extra_row0) == (3, 6, 3, 4)
    A = p.A.toarray()
    np.testing.assert_array_equal(A[:2, :3], X.T)
    np.testing.assert_array_equal(A[2, :3], Y[:, 0])
    np.testing.assert_array_equal(A[:3, 3:6], np.diag([1.0, 1.0, -1.0]))
    np.testing.assert_array_equal(A[3], [1, 1, 1, 0, 0, 0, -1])  # e'Lambda - t
    assert (p.row_lower[3], p.row_upper[3]) == (0.0, 0.0)
    plain = build_envelope(X, Y, "nirs")
    assert (plain.problem.row_lower[-1], plain.problem.row_upper[-1]) == (-np.inf, 1.0)
    assert build_envelope(X, Y, "crs").conv_row is None


@pytest.mark.parametrize(("cls", "kw"), MODELS)
def test_results_keep_user_labels_and_columns(cls, kw):
    df = TONE.rename(index=lambda s: f"mfi {s}")
    res = cls(df, **IO, **kw).fit()
    for frame in (res.slacks, res.targets, res.lambdas):
        assert frame.index.tolist() == df.index.tolist()
    assert res.slacks.columns.tolist() == ["x1", "x2", "y1", "y2"]
    assert res.lambdas.columns.tolist() == df.index.tolist()
    assert res.scores.index.equals(df.index) and res.status.eq("optimal").all()
    assert all(p in df.index for peers in res.peers for p in peers)
    assert res.to_frame().shape == (5, 10)
