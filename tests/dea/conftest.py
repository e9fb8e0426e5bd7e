"""Shared data for the dea tests: hand-checked small cases and a random data generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def random_frame(seed: int, n: int = 10, m: int = 2, s: int = 2) -> pd.DataFrame:
    """Strictly positive random production data (``x1..xm``, ``y1..ys``), labels ``u0..``.

    Outputs follow a noisy Cobb-Douglas frontier, so most units are inefficient and a
    few are efficient, as in real data.
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, size=(n, m))
    frontier = np.prod(X ** (0.8 / m), axis=1)
    Y = frontier[:, None] * rng.uniform(0.3, 1.0, size=(n, s)) * rng.uniform(0.5, 2.0, (1, s))
    cols = [f"x{i + 1}" for i in range(m)] + [f"y{r + 1}" for r in range(s)]
    return pd.DataFrame(np.hstack([X, Y]), columns=cols, index=[f"u{i}" for i in range(n)])


def io_names(df: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Input and output column names of a :func:`random_frame`."""
    cols = list(df.columns)
    return [c for c in cols if c.startswith("x")], [c for c in cols if c.startswith("y")]


@pytest.fixture
def one_one() -> pd.DataFrame:
    """1 input, 1 output; frontier hand-checked in test_radial.py.

    A(2,1), B(4,3), C(8,4), D(5,2).  CRS frontier: ray through B (y/x = 3/4).  VRS frontier:
    A-B (y = x - 1) then B-C (y = 3 + (x - 4)/4).
    """
    return pd.DataFrame(
        {"x": [2.0, 4.0, 8.0, 5.0], "y": [1.0, 3.0, 4.0, 2.0]}, index=list("ABCD")
    )


@pytest.fixture
def two_one() -> pd.DataFrame:
    """2 inputs, output 1 for all: A(1,4), B(2,2), C(4,1), D(4,4), E(3,3), F(6,2), G(5,1)."""
    return pd.DataFrame(
        {
            "x1": [1.0, 2.0, 4.0, 4.0, 3.0, 6.0, 5.0],
            "x2": [4.0, 2.0, 1.0, 4.0, 3.0, 2.0, 1.0],
            "y": [1.0] * 7,
        },
        index=list("ABCDEFG"),
    )
