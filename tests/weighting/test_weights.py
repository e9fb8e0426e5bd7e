"""Tests of the weight estimators: base class, registry, equal, expert, budget, AHP, entropy.

Reference values
----------------
* AHP on the OECD/JRC (2008) Handbook's Table 20 matrix (eight TAI indicators, p. 97):
  the weights were cross-checked against **ahpy 2.1** (PyPI, installed in a scratch venv
  outside the repository): ``ahpy.Compare("tai", upper-triangle comparisons,
  precision=10, random_index="saaty").target_weights``. ahpy's CR uses Saaty's 2005 RI
  table (RI(8) = 1.40; we use Saaty 1980, RI(8) = 1.41), so we compare the implied
  lambda_max = 8 + 7 * 1.40 * CR_ahpy = 8 + 7 * 1.40 * 0.021538714.
* Everything else is hand-checked (written out next to each test).
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from dea.exceptions import InputDataError
from weighting.weights import (
    SAATY_RANDOM_INDEX,
    WEIGHTERS,
    AHPConsistencyWarning,
    AHPWeights,
    BudgetAllocation,
    ConsistencyError,
    EntropyWeights,
    EqualWeights,
    ExpertWeights,
    NotFittedError,
    PCAWeights,
    Weighter,
    WeightNormalisationWarning,
    ahp_consistency,
    get_weighter,
)

X3 = pd.DataFrame(
    {"a": [0.1, 0.5, 0.9, 0.4], "b": [0.3, 0.2, 0.8, 0.6], "c": [1.0, 0.0, 0.5, 0.25]},
    index=["u1", "u2", "u3", "u4"],
)


# ---------------------------------------------------------------------------------------------
# base class and registry
# ---------------------------------------------------------------------------------------------
def test_registry_names_and_params():
    assert set(WEIGHTERS) == {"equal", "expert", "budget", "ahp", "pca", "entropy", "bod"}
    assert all(issubclass(c, Weighter) for c in WEIGHTERS.values())
    w = get_weighter("PCA", n_factors=2, rotation=None)
    assert isinstance(w, PCAWeights)
    assert w.get_params()["n_factors"] == 2 and w.rotation is None
    assert isinstance(get_weighter("equal"), EqualWeights)
    with pytest.raises(InputDataError, match="unknown weighting method 'magic'"):
        get_weighter("magic")
    with pytest.raises(InputDataError, match="no parameter"):
        get_weighter("entropy", alpha=1)
    with pytest.raises(InputDataError, match="expert"):
        get_weighter("expert")  # required 'weights' missing


def test_get_set_params_clone_repr():
    w = PCAWeights(n_factors=3, min_share=0.05)
    assert repr(w) == "PCAWeights(min_share=0.05, n_factors=3)"
    assert w.set_params(n_factors=2) is w and w.n_factors == 2
    with pytest.raises(InputDataError, match="no parameter 'bogus'"):
        w.set_params(bogus=1)
    w.fit(X3)
    c = w.clone()
    assert c.get_params() == w.get_params()
    assert not c.is_fitted and w.is_fitted
    assert repr(EqualWeights()) == "EqualWeights()"
    assert isinstance(w, Weighter) and PCAWeights.unit_specific is False


def test_not_fitted_error():
    w = EqualWeights()
    with pytest.raises(NotFittedError, match="not fitted"):
        w._check_fitted()


def test_user_frame_not_mutated():
    X = X3.copy()
    before = X.copy()
    for est in (EqualWeights(), EntropyWeights(), PCAWeights(n_factors=2)):
        est.fit(X)
    pd.testing.assert_frame_equal(X, before)


# ---------------------------------------------------------------------------------------------
# equal
# ---------------------------------------------------------------------------------------------
def test_equal_flat():
    w = EqualWeights().fit(X3).weights_
    assert list(w.index) == ["a", "b", "c"]
    np.testing.assert_allclose(w.to_numpy(), [1 / 3] * 3)


def test_equal_grouped_hand_checked():
    # two groups: g1 = {a, b}, g2 = {c}: each group 1/2, so a = b = 1/4, c = 1/2
    est = EqualWeights(groups={"a": "g1", "b": "g1", "c": "g2"}).fit(X3)
    np.testing.assert_allclose(est.weights_.to_numpy(), [0.25, 0.25, 0.5])
    assert est.group_weights_.to_dict() == {"g1": 0.5, "g2": 0.5}


def test_equal_grouped_errors():
    with pytest.raises(InputDataError, match="no group for indicators 'c'"):
        EqualWeights(groups={"a": 1, "b": 1}).fit(X3)
    with pytest.raises(InputDataError, match="'z', which are not columns"):
        EqualWeights(groups={"a": 1, "b": 1, "c": 2, "z": 2}).fit(X3)
    with pytest.raises(InputDataError, match="DataFrame"):
        EqualWeights().fit(np.ones((3, 2)))


# ---------------------------------------------------------------------------------------------
# expert / direct
# ---------------------------------------------------------------------------------------------
def test_expert_weights_reordered_to_columns():
    est = ExpertWeights({"c": 0.5, "a": 0.3, "b": 0.2}).fit(X3)
    assert est.weights_.to_dict() == pytest.approx({"a": 0.3, "b": 0.2, "c": 0.5})
    assert list(est.weights_.index) == ["a", "b", "c"]


def test_expert_weights_normalised_with_warning():
    with pytest.warns(WeightNormalisationWarning, match="sum to 10"):
        est = ExpertWeights({"a": 5, "b": 3, "c": 2}).fit(X3)
    np.testing.assert_allclose(est.weights_.to_numpy(), [0.5, 0.3, 0.2])


def test_expert_weights_errors():
    with pytest.raises(InputDataError, match="'z' that are not columns"):
        ExpertWeights({"a": 0.5, "b": 0.3, "z": 0.2}).fit(X3)
    with pytest.raises(InputDataError, match="has columns 'c' without a weights entry"):
        ExpertWeights({"a": 0.5, "b": 0.5}).fit(X3)
    with pytest.raises(InputDataError, match="'b' are negative"):
        ExpertWeights({"a": 1.2, "b": -0.2, "c": 0.0}).fit(X3)
    with pytest.raises(InputDataError, match="all zero"):
        ExpertWeights({"a": 0, "b": 0, "c": 0}).fit(X3)
    with pytest.raises(InputDataError, match="not finite"):
        ExpertWeights({"a": np.nan, "b": 0.5, "c": 0.5}).fit(X3)
    with pytest.raises(InputDataError, match="mapping"):
        ExpertWeights([0.5, 0.5]).fit()


# ---------------------------------------------------------------------------------------------
# budget allocation
# ---------------------------------------------------------------------------------------------
ALLOC = pd.DataFrame(
    {"a": [50, 20, 30], "b": [30, 40, 30], "c": [20, 40, 40]}, index=["e1", "e2", "e3"]
)


def test_budget_mean_hand_checked():
    est = BudgetAllocation(ALLOC).fit(X3)
    # shares: a = (.5, .2, .3), b = (.3, .4, .3), c = (.2, .4, .4); means 1/3, 1/3, 1/3
    np.testing.assert_allclose(est.weights_.to_numpy(), [1 / 3, 1 / 3, 1 / 3])
    disp = est.dispersion_
    np.testing.assert_allclose(disp.loc["a", "std"], np.std([0.5, 0.2, 0.3], ddof=1))
    assert disp.loc["a", "min"] == pytest.approx(0.2) and disp.loc["a", "max"] == 0.5
    # IQR of (.2, .3, .5) with linear interpolation: q75 = .4, q25 = .25
    assert disp.loc["a", "iqr"] == pytest.approx(0.15)
    assert est.n_experts_ == 3


def test_budget_median_renormalised_and_unequal_budgets():
    alloc = ALLOC.copy()
    alloc.loc["e2"] *= 10  # a 1000-point budget gives the same shares
    est = BudgetAllocation(alloc, how="median").fit()
    # medians of shares: a .3, b .3, c .4 -> already sum 1
    np.testing.assert_allclose(est.weights_.to_numpy(), [0.3, 0.3, 0.4])
    est = BudgetAllocation(
        pd.DataFrame({"a": [60, 0, 40], "b": [40, 50, 0], "c": [0, 50, 60]}), how="median"
    ).fit()
    # medians .4, .4, .5 -> renormalised /1.3
    np.testing.assert_allclose(est.weights_.to_numpy(), np.array([0.4, 0.4, 0.5]) / 1.3)


def test_budget_errors():
    with pytest.raises(InputDataError, match="experts 'e2' contain negative"):
        BudgetAllocation(ALLOC.assign(a=[50, -1, 30])).fit()
    with pytest.raises(InputDataError, match="experts 'e9' allocated no points"):
        BudgetAllocation(pd.concat([ALLOC, pd.DataFrame({"a": [0], "b": [0], "c": [0]},
                                                        index=["e9"])])).fit()
    with pytest.raises(InputDataError, match="how must be"):
        BudgetAllocation(ALLOC, how="mode").fit()
    with pytest.raises(InputDataError, match="without a allocations entry"):
        BudgetAllocation(ALLOC[["a", "b"]]).fit(X3)


# ---------------------------------------------------------------------------------------------
# AHP
# ---------------------------------------------------------------------------------------------
def _consistent(w):
    w = np.asarray(w, dtype=float)
    return w[:, None] / w[None, :]


def test_ahp_consistent_3x3_exact():
    # a_ij = w_i / w_j for w = (0.6, 0.3, 0.1): lambda_max = 3, CI = CR = 0
    A = pd.DataFrame(_consistent([6, 3, 1]), index=list("abc"), columns=list("abc"))
    est = AHPWeights(A).fit(X3)
    np.testing.assert_allclose(est.weights_.to_numpy(), [0.6, 0.3, 0.1], atol=1e-12)
    assert est.lambda_max_ == pytest.approx(3.0, abs=1e-12)
    assert est.ci_ == pytest.approx(0.0, abs=1e-12) and est.cr_ == pytest.approx(0.0, abs=1e-12)


def test_ahp_hand_checked_inconsistent_3x3():
    # A = [[1, 2, 4], [1/2, 1, 1], [1/4, 1, 1]]. For any 3x3 reciprocal matrix,
    # det(A - lambda I) = (1 - lambda)^3 - 3 (1 - lambda) + c + 1/c, i.e.
    # (lambda - 1)^3 - 3 (lambda - 1) = c + 1/c with c = a13 / (a12 a23) = 4 / (2 * 1) = 2,
    # whose largest root is lambda_max = 1 + c^(1/3) + c^(-1/3).
    A = np.array([[1, 2, 4], [0.5, 1, 1], [0.25, 1, 1]])
    lam = 1 + 2 ** (1 / 3) + 2 ** (-1 / 3)
    est = AHPWeights(A, names=["x", "y", "z"]).fit()
    assert est.lambda_max_ == pytest.approx(lam, rel=1e-12)
    assert est.ci_ == pytest.approx((lam - 3) / 2, rel=1e-10)
    assert est.cr_ == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-10)
    # for n = 3 the eigenvector equals the row geometric means (Crawford & Williams 1985)
    g = np.exp(np.log(A).mean(axis=1))
    np.testing.assert_allclose(est.weights_.to_numpy(), g / g.sum(), rtol=1e-10)
    gm = AHPWeights(A, names=["x", "y", "z"], method="geometric_mean").fit()
    np.testing.assert_allclose(gm.weights_.to_numpy(), g / g.sum(), rtol=1e-12)


TAI_NAMES = ["patents", "royalties", "internet", "exports",
             "telephones", "electricity", "schooling", "university"]
# OECD/JRC (2008) Handbook, Table 20 (p. 97), columns as printed (column j = judgements
# a[i, j] for rows i); e.g. a[patents, internet] = 3 ("patents is three times more
# important than Internet").
_F = Fraction
_TABLE20_COLUMNS = {
    "patents": [1, _F(1, 2), _F(1, 3), _F(1, 2), _F(1, 5), _F(1, 5), 1, _F(1, 3)],
    "royalties": [2, 1, _F(1, 2), 2, _F(1, 4), _F(1, 4), 2, _F(1, 3)],
    "internet": [3, 2, 1, 4, _F(1, 2), _F(1, 2), 5, 2],
    "exports": [2, _F(1, 2), _F(1, 4), 1, _F(1, 4), _F(1, 4), 2, _F(1, 3)],
    "telephones": [5, 4, 2, 4, 1, 1, 5, 2],
    "electricity": [5, 4, 2, 4, 1, 1, 5, 2],
    "schooling": [1, _F(1, 2), _F(1, 5), _F(1, 2), _F(1, 5), _F(1, 5), 1, _F(1, 4)],
    "university": [3, 3, _F(1, 2), 3, _F(1, 2), _F(1, 2), 4, 1],
}
TABLE20 = pd.DataFrame(
    {c: [float(v) for v in vals] for c, vals in _TABLE20_COLUMNS.items()}, index=TAI_NAMES
)
AHPY_WEIGHTS = {  # ahpy 2.1, precision=10
    "schooling": 0.252234812, "patents": 0.2290633077, "exports": 0.1761449454,
    "royalties": 0.1345710041, "university": 0.0715396052, "internet": 0.0593617281,
    "telephones": 0.0385422988, "electricity": 0.0385422988,
}


def test_ahp_handbook_table20_against_ahpy():
    est = AHPWeights(TABLE20).fit()
    for k, v in AHPY_WEIGHTS.items():
        assert est.weights_[k] == pytest.approx(v, abs=2e-10)
    lam_ahpy = 8 + 7 * 1.40 * 0.021538714
    assert est.lambda_max_ == pytest.approx(lam_ahpy, abs=1e-7)
    assert est.cr_ == pytest.approx((est.lambda_max_ - 8) / 7 / 1.41, rel=1e-12)
    assert est.cr_ < 0.10


def test_ahp_random_index_table_is_saaty_1980():
    assert [SAATY_RANDOM_INDEX[n] for n in range(3, 11)] == [
        0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49
    ]
    big = _consistent(np.arange(1, 12))
    with pytest.raises(InputDataError, match="n = 11"):
        ahp_consistency(big)
    assert ahp_consistency(big, random_index=1.51)["cr"] == pytest.approx(0, abs=1e-12)


def test_ahp_inconsistent_raises_or_warns():
    # cyclic judgements a > b > c > a: strongly inconsistent
    A = np.array([[1, 5, 1 / 5], [1 / 5, 1, 5], [5, 1 / 5, 1]])
    with pytest.raises(ConsistencyError, match=r"CR = \d\.\d+ > max_cr = 0.1"):
        AHPWeights(A, names=list("abc")).fit()
    with pytest.warns(AHPConsistencyWarning):
        est = AHPWeights(A, names=list("abc"), allow_inconsistent=True).fit()
    np.testing.assert_allclose(est.weights_.to_numpy(), [1 / 3] * 3, atol=1e-12)
    assert est.cr_ > 1
    assert issubclass(ConsistencyError, InputDataError)


def test_ahp_validation_messages():
    A = _consistent([3, 2, 1])
    bad = A.copy()
    bad[0, 2] = 4.0  # a_13 * a_31 = 4 / 3
    with pytest.raises(InputDataError, match=r"not reciprocal at \('a', 'c'\)"):
        AHPWeights(bad, names=list("abc")).fit()
    bad = A.copy()
    bad[1, 1] = 2.0
    with pytest.raises(InputDataError, match=r"\['b', 'b'\] = 2; the diagonal must be 1"):
        AHPWeights(bad, names=list("abc")).fit()
    bad = A.copy()
    bad[0, 1] = -1
    with pytest.raises(InputDataError, match="positive finite"):
        AHPWeights(bad, names=list("abc")).fit()
    with pytest.raises(InputDataError, match="square"):
        AHPWeights(np.ones((2, 3))).fit()
    with pytest.raises(InputDataError, match="names has 2 entries"):
        AHPWeights(A, names=["a", "b"]).fit()
    with pytest.raises(InputDataError, match="same labels"):
        AHPWeights(pd.DataFrame(A, index=list("abc"), columns=list("acb"))).fit()
    with pytest.raises(InputDataError, match="'c' that are not columns of X"):
        AHPWeights(A, names=["a", "b", "c"]).fit(X3[["a", "b"]])
    with pytest.raises(InputDataError, match="method must be"):
        AHPWeights(A, names=list("abc"), method="power").fit()


def test_ahp_rounded_reciprocals_accepted_and_reordered_to_x():
    A = np.array([[1, 3, 0.5], [0.33, 1, 0.2], [2, 5, 1]])  # 0.33 typed for 1/3
    est = AHPWeights(A, names=["b", "c", "a"]).fit(X3)
    assert list(est.weights_.index) == ["a", "b", "c"]
    M = est.matrix_.to_numpy()
    np.testing.assert_allclose(M * M.T, 1.0, rtol=1e-14)


def test_ahp_several_experts_geometric_mean():
    # two consistent experts: w1 = (4, 2, 1), w2 = (1, 2, 4). Element-wise geometric mean
    # of a_ij = w_i / w_j is consistent with w = sqrt(w1 * w2) = (2, 2, 2): equal weights.
    e1, e2 = _consistent([4, 2, 1]), _consistent([1, 2, 4])
    est = AHPWeights([e1, e2], names=list("abc")).fit()
    np.testing.assert_allclose(est.weights_.to_numpy(), [1 / 3] * 3, atol=1e-12)
    assert est.cr_ == pytest.approx(0, abs=1e-12)
    assert list(est.expert_cr_.round(12)) == [0, 0]
    with pytest.raises(InputDataError, match="expert 1"):
        AHPWeights(
            [pd.DataFrame(e1, index=list("abc"), columns=list("abc")),
             pd.DataFrame(e2, index=list("abd"), columns=list("abd"))]
        ).fit()


def test_ahp_n1_and_n2():
    est = AHPWeights([[1.0]], names=["a"]).fit()
    assert est.weights_.tolist() == [1.0] and est.cr_ == 0
    est = AHPWeights([[1, 3], [1 / 3, 1]], names=["a", "b"]).fit()
    np.testing.assert_allclose(est.weights_.to_numpy(), [0.75, 0.25])
    assert est.cr_ == 0


# ---------------------------------------------------------------------------------------------
# entropy
# ---------------------------------------------------------------------------------------------
def test_entropy_hand_checked():
    X = pd.DataFrame({"even": [1.0, 1.0, 1.0, 1.0], "one": [0.0, 0.0, 0.0, 2.0],
                      "half": [1.0, 1.0, 0.0, 0.0]})
    est = EntropyWeights().fit(X)
    # E(even) = 1, E(one) = 0, E(half) = ln 2 / ln 4 = 1/2 -> d = (0, 1, 1/2)
    np.testing.assert_allclose(est.entropy_.to_numpy(), [1.0, 0.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(est.weights_.to_numpy(), [0.0, 2 / 3, 1 / 3], atol=1e-12)


def test_entropy_scale_invariant_not_shift_invariant():
    a = EntropyWeights().fit(X3).weights_
    b = EntropyWeights().fit(X3 * [2.0, 7.0, 0.5]).weights_
    np.testing.assert_allclose(a, b, rtol=1e-12)
    c = EntropyWeights().fit(X3 + 1.0).weights_
    assert not np.allclose(a, c)


def test_entropy_errors():
    with pytest.raises(InputDataError, match=r"column 'b' is negative at units 'u2'"):
        EntropyWeights().fit(X3.assign(b=[0.3, -0.2, 0.8, 0.6]))
    with pytest.raises(InputDataError, match="'c' are zero for every unit"):
        EntropyWeights().fit(X3.assign(c=0.0))
    with pytest.raises(InputDataError, match="same value for all units"):
        EntropyWeights().fit(pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}))
    with pytest.raises(InputDataError, match=r"column 'a' has missing .* units 'u1'"):
        EntropyWeights().fit(X3.assign(a=[np.nan, 0.5, 0.9, 0.4]))
    with pytest.raises(InputDataError, match="at least 2"):
        EntropyWeights().fit(X3.iloc[:1])


def test_warnings_not_raised_for_clean_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ExpertWeights({"a": 0.2, "b": 0.3, "c": 0.5}).fit(X3)
        AHPWeights(_consistent([1, 2, 3]), names=list("abc")).fit(X3)
