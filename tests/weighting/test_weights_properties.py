"""Invariants of all weight estimators (hypothesis)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dea.exceptions import InputDataError
from weighting.weights import (
    AHPWeights,
    BudgetAllocation,
    EntropyWeights,
    EqualWeights,
    PCAWeights,
)

_pos_weights = st.lists(st.floats(0.01, 100.0), min_size=1, max_size=10)


def _check_weights(w: pd.Series, columns) -> None:
    assert list(w.index) == list(columns)
    assert np.isfinite(w.to_numpy()).all()
    assert (w.to_numpy() >= 0).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(_pos_weights)
def test_ahp_of_consistent_matrix_returns_w(raw):
    w = np.asarray(raw) / np.sum(raw)
    A = w[:, None] / w[None, :]
    names = [f"x{i}" for i in range(len(w))]
    for method in ("eigenvector", "geometric_mean"):
        est = AHPWeights(A, names=names, method=method).fit()
        np.testing.assert_allclose(est.weights_.to_numpy(), w, rtol=1e-8, atol=1e-12)
        assert est.cr_ == pytest.approx(0.0, abs=1e-8)
        _check_weights(est.weights_, names)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 8), st.integers(0, 2**31 - 1))
def test_ahp_random_reciprocal_matrix(n, seed):
    rng = np.random.default_rng(seed)
    scale = np.array([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9])
    A = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            A[i, j] = rng.choice(scale)
            A[j, i] = 1 / A[i, j]
    est = AHPWeights(A, names=list(range(n)), allow_inconsistent=True, max_cr=np.inf).fit()
    _check_weights(est.weights_, range(n))
    assert est.lambda_max_ >= n - 1e-9  # Saaty: lambda_max >= n for reciprocal matrices
    assert est.cr_ >= 0


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 6)),
              elements=st.floats(0.0, 1.0, allow_nan=False, width=32)))
def test_equal_entropy_budget_weights_valid(values):
    cols = [f"c{j}" for j in range(values.shape[1])]
    X = pd.DataFrame(values, columns=cols)
    _check_weights(EqualWeights().fit(X).weights_, cols)
    groups = {c: i % 2 for i, c in enumerate(cols)}
    _check_weights(EqualWeights(groups=groups).fit(X).weights_, cols)
    try:
        _check_weights(EntropyWeights().fit(X).weights_, cols)
    except InputDataError as exc:  # only for the documented degenerate cases
        assert "zero for every unit" in str(exc) or "same value" in str(exc)
    alloc = pd.DataFrame(values * 100 + 1, columns=cols)
    for how in ("mean", "median"):
        _check_weights(BudgetAllocation(alloc, how=how).fit(X).weights_, cols)


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 6), st.integers(0, 2**31 - 1), st.sampled_from(["oecd", "first_component"]))
def test_pca_weights_valid_and_affine_invariant(p, seed, method):
    rng = np.random.default_rng(seed)
    n = p + 1 + int(rng.integers(0, 20))
    latent = rng.normal(size=(n, 1))
    X = pd.DataFrame(latent @ rng.uniform(0.2, 1.0, (1, p)) + rng.normal(size=(n, p)),
                     columns=[f"v{j}" for j in range(p)])
    corr = np.corrcoef(X.to_numpy(), rowvar=False)
    assume(np.linalg.eigvalsh(corr).min() > 1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = PCAWeights(method=method).fit(X)
        again = PCAWeights(method=method).fit(X * rng.uniform(0.5, 3.0, p) + 7.0)
    _check_weights(est.weights_, X.columns)
    # varimax is iterative and its criterion can be very flat: 1e-6, not machine precision
    np.testing.assert_allclose(again.weights_.to_numpy(), est.weights_.to_numpy(), atol=1e-6)
    assert est.explained_variance_ratio_.sum() == pytest.approx(1.0)
    if method == "oecd":
        assert 1 <= est.n_factors_ <= p
        np.testing.assert_allclose(est.squared_loadings_.sum(axis=0), 1.0)
        assert est.factor_share_.sum() == pytest.approx(1.0)
