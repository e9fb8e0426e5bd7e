"""Weights must be numbers: text, booleans and None are refused naming the indicator.

Issue 13, defect 3: ``ExpertWeights({"women": "0.4", ...})`` used to be accepted (the text
was converted silently). Every weight-taking entry point is checked here.
"""

import numpy as np
import pandas as pd
import pytest

from dea.exceptions import InputDataError
from weighting import ExpertWeights, Indicator, Scheme
from weighting.weights.expert import AHPWeights, BudgetAllocation

NOT_NUMBERS = ["0.4", True, np.True_, None, [0.4], b"1"]


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=repr)
def test_expert_weights_refuse_non_numbers(bad):
    with pytest.raises(InputDataError, match=r"indicator 'women'.*a number is expected"):
        ExpertWeights({"women": bad, "rural": 0.6}).fit()


def test_expert_weights_refuse_text_in_a_series():
    w = pd.Series({"women": "0.4", "rural": 0.6})
    with pytest.raises(InputDataError, match=r"indicator 'women' \(in weights\) is '0.4'"):
        ExpertWeights(w).fit()
    with pytest.raises(InputDataError, match=r"indicator 'women'"):
        ExpertWeights(pd.Series({"women": True, "rural": False})).fit()


def test_expert_weights_accept_numpy_and_python_numbers():
    w = ExpertWeights({"women": np.float32(0.25), "rural": np.int64(0), "x": 0.75}).fit().weights_
    assert w.to_dict() == {"women": 0.25, "rural": 0.0, "x": 0.75}


def test_budget_allocation_refuses_text_and_booleans():
    alloc = pd.DataFrame({"women": [40, "50"], "rural": [60, 50]}, index=["e1", "e2"])
    with pytest.raises(InputDataError, match=r"expert 'e2' to indicator 'women' is '50'"):
        BudgetAllocation(alloc).fit()
    alloc = pd.DataFrame({"women": [True, False], "rural": [60, 50]}, index=["e1", "e2"])
    with pytest.raises(InputDataError, match=r"expert 'e1' to indicator 'women' is True"):
        BudgetAllocation(alloc).fit()


def test_ahp_matrix_refuses_text_and_booleans():
    m = pd.DataFrame([[1, "3"], [1 / 3, 1]], index=["a", "b"], columns=["a", "b"])
    with pytest.raises(InputDataError, match=r"matrix\['a', 'b'\] is '3'.*must be numbers"):
        AHPWeights(m).fit()
    with pytest.raises(InputDataError, match=r"matrix\['a', 'b'\] is True"):
        AHPWeights([[1, True], [1, 1]], names=["a", "b"]).fit()
    with pytest.raises(InputDataError, match=r"matrix of expert 1\['b', 'a'\] is '1/3'"):
        AHPWeights([[[1, 3], [1 / 3, 1]], [[1, 3], ["1/3", 1]]], names=["a", "b"]).fit()
    # numbers of any kind still work: a consistent 2x2 matrix gives 3:1
    w = AHPWeights([[1, np.int64(3)], [1 / 3, 1]], names=["a", "b"]).fit().weights_
    assert w.to_dict() == pytest.approx({"a": 0.75, "b": 0.25})


def test_indicator_weight_refuses_text():
    with pytest.raises(InputDataError, match=r"weight of indicator 'women' is '2'"):
        Indicator("women", weight="2")
    assert Indicator("women", weight=2).weight == 2.0


def test_scheme_spec_from_toml_refuses_quoted_weights(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "s"\n[weights]\nwomen = "2"\nrural = 1\n'
        '[[indicators]]\nname = "women"\n[[indicators]]\nname = "rural"\n'
    )
    with pytest.raises(InputDataError, match=r"weights of 'women' is '2'.*a number is expected"):
        Scheme.from_toml(path)
    path.write_text(path.read_text().replace('"2"', "2"))
    assert Scheme.from_toml(path).weights.weights == {"women": 2.0, "rural": 1.0}


def test_scheme_dimension_weights_refuse_text():
    inds = [{"name": "a", "group": "g"}, {"name": "b", "group": "h"}]
    with pytest.raises(InputDataError, match=r"dimension_weights of 'g' is 'x'"):
        Scheme.from_dict({"indicators": inds, "dimension_weights": {"g": "x", "h": 1}})
