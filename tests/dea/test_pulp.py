"""The PuLP backend: agreement with HiGHS, statuses, readable names, LP/MPS export.

CBC runs as a subprocess per LP, so every case here is small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pulp
import pytest
import scipy.sparse as sp

import dea
from dea.exceptions import InputDataError
from dea.solvers import get_backend
from dea.solvers.base import LPProblem, LPUpdate
from dea.solvers.pulp import export_lp, to_pulp, write_lp

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _highspy_objective(path: Path) -> float:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) != highspy.HighsStatus.kError
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


def _highspy_solve(path: Path) -> dict[str, float]:
    """Read an LP/MPS file with HiGHS, solve it; objective and values by column name."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) != highspy.HighsStatus.kError
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    lp = h.getLp()
    out = dict(zip(lp.col_names_, h.getSolution().col_value, strict=True))
    out["objective"] = float(h.getInfo().objective_function_value)
    return out


def _random_lp(seed: int) -> LPProblem:
    """A generic (non-degenerate with probability one) bounded LP with mixed row types."""
    rng = np.random.default_rng(seed)
    m, n = 5, 7
    A = rng.uniform(0.1, 3.0, (m, n))
    sense = "max" if seed % 2 else "min"
    rl = np.full(m, -np.inf)
    ru = rng.uniform(20.0, 30.0, m)
    rl[0] = 1.0  # a ranged row
    rl[1] = ru[1]  # an equality row
    cost = rng.uniform(0.5, 2.0, n) * (1.0 if sense == "max" else -1.0)
    return LPProblem(
        A=sp.csc_matrix(A),
        row_lower=rl,
        row_upper=ru,
        col_lower=np.zeros(n),
        col_upper=np.full(n, np.inf),
        cost=cost,
        sense=sense,
    )


# ------------------------------------------------------------------------------------------
# Protocol level
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_random_lps_agree_with_highs(seed):
    prob = _random_lp(seed)
    upd = LPUpdate(cost_index=[0], cost_values=[prob.cost[0] * 1.5])
    with get_backend("highs").open(prob) as s:
        ref = s.solve(upd)
    with get_backend("pulp").open(prob) as s:
        got = s.solve(upd)
    assert ref.status == got.status == "optimal"
    assert got.objective == pytest.approx(ref.objective, abs=1e-9, rel=1e-10)
    np.testing.assert_allclose(got.x, ref.x, atol=1e-8)
    np.testing.assert_allclose(got.row_duals, ref.row_duals, atol=1e-8)
    np.testing.assert_allclose(got.col_duals, ref.col_duals, atol=1e-8)


def test_polish_removes_cbc_print_precision():
    # 1/71-type vertex: CBC's solution file holds 8 significant digits only.
    prob = LPProblem(
        A=sp.csc_matrix(np.array([[3.0, 7.0], [11.0, 2.0]])),
        row_lower=[1.0, 1.0],
        row_upper=[np.inf, np.inf],
        col_lower=[0.0, 0.0],
        col_upper=[np.inf, np.inf],
        cost=[1.0, 1.0],
    )
    exact = np.array([5 / 71, 8 / 71])
    with get_backend("pulp").open(prob, polish=False) as s:
        raw = s.solve()
    with get_backend("pulp").open(prob) as s:
        pol = s.solve()
    assert np.abs(raw.x - exact).max() < 1e-6
    assert np.abs(pol.x - exact).max() < 1e-15
    assert pol.objective == pytest.approx(13 / 71, abs=1e-15)
    np.testing.assert_allclose(pol.row_duals, [9 / 71, 4 / 71], atol=1e-15)


@pytest.mark.parametrize(
    ("row_lower", "row_upper", "cost", "sense", "expected"),
    [
        ([5.0], [4.0], [1.0, 1.0], "min", "infeasible"),
        ([-np.inf], [1.0], [1.0, 1.0], "max", "unbounded"),
    ],
)
def test_status_mapping(row_lower, row_upper, cost, sense, expected):
    A = np.array([[1.0, 1.0]]) if expected == "infeasible" else np.array([[1.0, -1.0]])
    prob = LPProblem(
        A=sp.csc_matrix(A),
        row_lower=row_lower,
        row_upper=row_upper,
        col_lower=[0.0, 0.0],
        col_upper=[np.inf, np.inf],
        cost=cost,
        sense=sense,
    )
    with get_backend("pulp").open(prob) as s:
        sol = s.solve()
    assert sol.status == expected
    assert not sol.ok and sol.x is None and np.isnan(sol.objective)


def test_user_solver_object_is_used():
    prob = _random_lp(3)
    with get_backend("highs").open(prob) as s:
        ref = s.solve()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=30)
    with get_backend("pulp").open(prob, solver=solver) as s:
        got = s.solve()
    assert got.objective == pytest.approx(ref.objective, abs=1e-9)
    with pytest.raises(InputDataError, match="not a PuLP solver"):
        get_backend("pulp").open(prob, solver="cbc")


def test_names_are_readable_and_safe():
    prob = LPProblem(
        A=sp.csc_matrix(np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])),
        row_lower=[-np.inf, 1.0],
        row_upper=[4.0, 1.0],
        col_lower=np.zeros(3),
        col_upper=np.full(3, np.inf),
        cost=[1.0, 0.0, 0.0],
        col_names=["theta", "lambda_A-1", "lambda_A 1"],
        row_names=["input_staff (FTE)", "output_loans"],
    )
    m = to_pulp(prob)
    assert [v.name for v in m.variables()] == sorted(["theta", "lambda_A_1", "lambda_A_1_2"])
    assert set(m.constraints) == {"input_staff__FTE_", "output_loans"}


def test_write_lp_and_mps_round_trip(tmp_path):
    prob = _random_lp(1)  # a max problem with a ranged and an equality row
    with get_backend("highs").open(prob) as s:
        ref = s.solve().objective
    lp = write_lp(prob, tmp_path / "m.lp")
    mps = write_lp(prob, tmp_path / "m.mps")
    assert _highspy_objective(lp) == pytest.approx(ref, rel=1e-9)
    assert _highspy_objective(mps) == pytest.approx(ref, rel=1e-9)
    _, back = pulp.LpProblem.fromMPS(str(mps), sense=pulp.LpMaximize)
    back.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.value(back.objective) == pytest.approx(ref, rel=1e-7)
    with pytest.raises(InputDataError, match="suffix"):
        write_lp(prob, tmp_path / "m.txt")


# ------------------------------------------------------------------------------------------
# Model level: dea.Radial with solver="pulp"
# ------------------------------------------------------------------------------------------
EG1 = pd.read_csv(RESULTS / "deap_eg1.csv", index_col="firm")
FLS = pd.read_csv(RESULTS / "fls11.csv", index_col="unit")


@pytest.mark.parametrize(
    ("rts", "orientation"), [("crs", "input"), ("vrs", "output"), ("vrs", "input")]
)
def test_radial_pulp_agrees_with_highs(rts, orientation):
    kw = {"inputs": ["x1", "x2"], "outputs": ["y"], "rts": rts, "orientation": orientation}
    ref = dea.Radial(FLS, **kw, solver="highs").fit()
    got = dea.Radial(FLS, **kw, solver="pulp").fit()
    assert (got.status == "optimal").all()
    np.testing.assert_allclose(got.scores, ref.scores, atol=1e-8, rtol=0)
    np.testing.assert_allclose(got.slacks.sum(axis=1), ref.slacks.sum(axis=1), atol=1e-8)
    np.testing.assert_allclose(got.targets, ref.targets, atol=1e-8)


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
@pytest.mark.parametrize(("rts", "orientation"), [("vrs", "input"), ("crs", "output")])
def test_export_unit_lp_resolves_to_its_score(tmp_path, suffix, rts, orientation):
    model = dea.Radial(FLS, inputs=["x1", "x2"], outputs=["y"], rts=rts, orientation=orientation)
    res = model.fit()
    path = export_lp(model, "U05", tmp_path / f"u05{suffix}")
    text = path.read_text()
    for name in ("lambda_U02", "s_minus_x2", "s_plus_y", "input_x1", "output_y"):
        assert name in text
    assert ("theta" if orientation == "input" else "phi") in text
    assert ("convexity" in text) == (rts == "vrs")
    # the user's data appear as coefficients (the export undoes the engine's scaling)
    if suffix == ".lp":
        assert "16 lambda_U02" in text or "16.0 lambda_U02" in text
    sol = _highspy_solve(path)
    assert sol["objective"] == pytest.approx(res.objective["U05"], abs=1e-9)


def test_export_second_stage_gives_the_slacks(tmp_path):
    model = dea.Radial(EG1, inputs=["x1", "x2"], outputs=["y"], rts="crs", orientation="input")
    res = model.fit()
    sol = _highspy_solve(export_lp(model, 1, tmp_path / "firm1_stage2.mps", stage=2))
    assert sol["theta"] == pytest.approx(0.5, abs=1e-12)
    assert sol["s_minus_x2"] == pytest.approx(res.slacks.loc[1, "x2"], abs=1e-9)
    assert sol["s_minus_x2"] == pytest.approx(0.5, abs=1e-9)  # DEAP 2.1 example 1, firm 1
    assert sol["lambda_2"] == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize(("rule", "expected"), [("scaled", (0.0, 1.0)), ("unweighted", (2.0, 0.0))])
def test_export_second_stage_follows_the_slack_rule(tmp_path, rule, expected):
    # the hand case of test_radial.test_slack_sum_rules_by_hand: K's output slacks are
    # (0, 1) under the scaled rule and (2, 0) under the unweighted one
    df = pd.DataFrame(
        {"x": [1.0, 1.0, 1.0, 10.0], "y1": [1.0, 3.0, 1.0, 100.0], "y2": [1.0, 1.0, 2.0, 1.0]},
        index=["K", "A", "B", "C"],
    )
    model = dea.Radial(df, inputs=["x"], outputs=["y1", "y2"], rts="vrs", slack_sum=rule)
    sol = _highspy_solve(export_lp(model, "K", tmp_path / f"k_{rule}.lp", stage=2))
    assert (sol["s_plus_y1"], sol["s_plus_y2"]) == pytest.approx(expected, abs=1e-9)
    assert model.fit().slacks.loc["K", ["y1", "y2"]].tolist() == pytest.approx(expected, abs=1e-9)
    no_phase2 = dea.Radial(df, inputs=["x"], outputs=["y1", "y2"], two_phase=False)
    with pytest.raises(InputDataError, match="no second stage"):
        export_lp(no_phase2, "K", tmp_path / "k.lp", stage=2)


def test_export_errors(tmp_path):
    model = dea.Radial(EG1, inputs=["x1", "x2"], outputs=["y"], rts="crs", orientation="input")
    with pytest.raises(InputDataError, match="not among the evaluated units"):
        export_lp(model, 99, tmp_path / "x.lp")
    with pytest.raises(InputDataError, match="stage"):
        export_lp(model, 1, tmp_path / "x.lp", stage=3)
    with pytest.raises(InputDataError, match="cannot be exported"):
        export_lp(object(), 1, tmp_path / "x.lp")
    graph = dea.Radial(EG1, inputs=["x1", "x2"], outputs=["y"], orientation="graph")
    with pytest.raises(InputDataError, match="graph"):
        export_lp(graph, 1, tmp_path / "x.lp")


@pytest.mark.skipif(not pulp.HiGHS(msg=False).available(), reason="pulp.HiGHS not available")
def test_radial_with_another_pulp_solver():
    # any PuLP solver object reaches the backend through solver_options
    kw = {"inputs": ["x1", "x2"], "outputs": ["y"], "rts": "vrs", "orientation": "input"}
    ref = dea.Radial(FLS, **kw).fit()
    got = dea.Radial(
        FLS, **kw, solver="pulp", solver_options={"solver": pulp.HiGHS(msg=False)}
    ).fit()
    np.testing.assert_allclose(got.scores, ref.scores, atol=1e-9, rtol=0)
    np.testing.assert_allclose(got.targets, ref.targets, atol=1e-8)
