"""Input validation at the pandas boundary (dea.data): errors name columns and labels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import dea
from dea.data import prepare
from dea.exceptions import FewUnitsWarning, InputDataError


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x1": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "x2": [2.0, 1.0, 2.0, 3.0, 1.0, 2.0],
            "y": [1.0, 1.5, 2.0, 2.5, 1.0, 3.0],
            "name": list("abcdef"),
        },
        index=[f"m{i}" for i in range(6)],
    )


def _zero_inputs(d: pd.DataFrame) -> None:
    d["x1"] = [0.0, 0, 3, 4, 5, 6]
    d["x2"] = [0.0, 0, 1, 1, 1, 1]


def radial(data, inputs=("x1", "x2"), outputs=("y",), **kw):
    return dea.Radial(data, inputs=list(inputs), outputs=list(outputs), **kw)


def test_valid_data_are_copied_not_mutated(df):
    before = df.copy(deep=True)
    res = radial(df, rts="vrs").fit()
    pd.testing.assert_frame_equal(df, before)
    d = prepare(df, ["x1", "x2"], ["y"])
    d.X[0, 0] = 99.0
    pd.testing.assert_frame_equal(df, before)
    assert list(res.scores.index) == list(df.index)


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda d: d.__setitem__("x1", [1, np.nan, 3, np.nan, 5, 6]), r"'x1'.*'m1', 'm3'"),
        (lambda d: d.__setitem__("y", [1, 2, np.inf, 1, 1, 1]), r"'y'.*infinite.*'m2'"),
        (lambda d: d.__setitem__("x2", [1, -2, 1, 1, 1, 1]), r"'x2' has negative.*'m1'"),
        (lambda d: d.__setitem__("y", [0.0] * 6), r"'y' is zero for every unit"),
        (
            _zero_inputs,
            r"'m0', 'm1' have all inputs equal to zero",
        ),
        (lambda d: d.__setitem__("x1", list("abcdef")), r"'x1' has non-numeric dtype"),
    ],
)
def test_bad_values_name_column_and_units(df, mutate, pattern):
    bad = df.copy()
    mutate(bad)
    with pytest.raises(InputDataError, match=pattern):
        radial(bad)


def test_all_outputs_zero_unit():
    d = pd.DataFrame({"x": [1.0, 2, 3], "y1": [0.0, 1, 2], "y2": [0.0, 1, 1]}, index=list("PQR"))
    with pytest.raises(InputDataError, match=r"'P' have all outputs equal to zero"):
        dea.Radial(d, inputs=["x"], outputs=["y1", "y2"])


def test_at_most_five_labels_are_listed():
    d = pd.DataFrame({"x": [-1.0] * 8 + [1.0], "y": [1.0] * 9}, index=[f"u{i}" for i in range(9)])
    with pytest.raises(InputDataError, match=r"'u0', 'u1', 'u2', 'u3', 'u4' and 3 more"):
        dea.Radial(d, inputs=["x"], outputs=["y"])


def test_duplicate_labels(df):
    dup = df.set_axis(["m0", "m1", "m1", "m3", "m0", "m5"])
    with pytest.raises(InputDataError, match=r"duplicate unit labels.*'m1', 'm0'"):
        radial(dup)


def test_unknown_and_repeated_columns(df):
    with pytest.raises(InputDataError, match=r"'x9'.*not found"):
        radial(df, inputs=("x1", "x9"))
    with pytest.raises(InputDataError, match=r"'x1' used more than once"):
        radial(df, inputs=("x1", "x2"), outputs=("x1",))
    with pytest.raises(InputDataError, match="inputs is empty"):
        radial(df, inputs=())
    twice = pd.concat([df, df[["x1"]]], axis=1)
    with pytest.raises(InputDataError, match=r"'x1' appears more than once in the data"):
        radial(twice)


def test_bad_options(df):
    with pytest.raises(InputDataError, match=r"rts='bcc' is not allowed"):
        radial(df, rts="bcc")
    with pytest.raises(InputDataError, match=r"orientation='in' is not allowed"):
        radial(df, orientation="in")
    with pytest.raises(InputDataError, match=r"solver='cplex' is not a known backend"):
        radial(df, solver="cplex")
    with pytest.raises(InputDataError, match=r"n_jobs=0"):
        radial(df, n_jobs=0)
    with pytest.raises(InputDataError, match=r"data must be a pandas DataFrame.*got list"):
        dea.Radial([[1, 2]], inputs=["x"], outputs=["y"])
    with pytest.raises(TypeError):
        dea.Radial(df, ["x1"], ["y"], "vrs")  # options are keyword-only


def test_bad_reference(df):
    with pytest.raises(InputDataError, match=r"reference unit\(s\) 'zz'"):
        radial(df, reference=["m0", "zz"])
    with pytest.raises(InputDataError, match="reference mask has length 2"):
        radial(df, reference=np.array([True, False]))
    with pytest.raises(InputDataError, match="reference set is empty"):
        radial(df, reference=np.zeros(6, dtype=bool))
    with pytest.raises(InputDataError, match=r"'x2'.*not found in the reference"):
        radial(df, reference=df[["x1", "y"]])


def test_few_units_warning():
    d = pd.DataFrame({"x1": [1.0, 2], "x2": [1.0, 1], "y": [1.0, 1.5]})
    with pytest.warns(FewUnitsWarning, match=r"only 2 units for 2 inputs and 1 outputs"):
        dea.Radial(d, inputs=["x1", "x2"], outputs=["y"])
    ok = pd.DataFrame({"x": [1.0, 2], "y": [1.0, 1.5]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewUnitsWarning)
        dea.Radial(ok, inputs=["x"], outputs=["y"])


def test_arrays_with_names_and_labels():
    X = np.array([[2.0], [4.0], [8.0], [5.0]])
    Y = np.array([1.0, 3.0, 4.0, 2.0])
    res = dea.Radial(None, inputs=X, outputs=Y, rts="crs", labels=list("ABCD")).fit()
    assert list(res.scores.index) == list("ABCD")
    assert list(res.slacks.columns) == ["x1", "y1"]
    np.testing.assert_allclose(res.scores, [2 / 3, 1, 2 / 3, 8 / 15])
    d = prepare(None, X, Y, input_names=["staff"], output_names=["loans"])
    assert d.inputs == ("staff",) and d.outputs == ("loans",)
    assert list(d.labels) == [0, 1, 2, 3]
    xf = pd.DataFrame({"a": [1.0, 2.0]}, index=["p", "q"])
    yf = pd.DataFrame({"b": [1.0, 2.0]}, index=["q", "p"])
    with pytest.raises(InputDataError, match="different indexes"):
        prepare(None, xf, yf)
    with pytest.raises(InputDataError, match="3 labels given for 4 units"):
        prepare(None, X, Y, labels=["a", "b", "c"])


def test_nullable_and_integer_dtypes(df):
    d = df.astype({"x1": "Int64", "y": "float32"})
    a = radial(d).fit().scores
    b = radial(df).fit().scores
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_labelled_series_inputs_outputs_are_not_paired_by_position():
    # Series carry labels: outputs in another order than inputs must not be paired by
    # position (that gave C 0.375 and D 0.2 instead of 2/3 and 8/15); like DataFrames,
    # differing indexes are an error naming the problem
    x = pd.Series([2.0, 4.0, 8.0, 5.0], index=list("ABCD"), name="x")
    y = pd.Series([1.0, 3.0, 4.0, 2.0], index=list("ABCD"), name="y")
    res = dea.Radial(None, x, y, rts="crs").fit()
    np.testing.assert_allclose(res.scores, [2 / 3, 1, 2 / 3, 8 / 15])
    with pytest.raises(InputDataError, match="different indexes"):
        prepare(None, x, y.iloc[::-1])
    with pytest.raises(InputDataError, match="different indexes"):
        prepare(None, x.to_frame(), y.iloc[::-1])
    # a plain array has no labels: it takes the labelled side's units in order
    d = prepare(None, x.to_numpy(), y)
    assert list(d.labels) == list("ABCD")


def test_reference_nullable_mask_with_missing_and_zero_one_array():
    df = pd.DataFrame({"x": [2.0, 4, 8, 5], "y": [1.0, 3, 4, 2]}, index=list("ABCD"))
    mask = pd.Series([True, False, None, True], index=list("ABCD"), dtype="boolean")
    with pytest.raises(InputDataError, match=r"reference mask is missing for unit.*'C'"):
        dea.Radial(df, "x", "y", rts="crs", reference=mask)
    # a complete nullable mask works: reference {A, B}; D (x 5, y 2) against B: 8/15
    full = pd.Series([True, True, False, False], index=list("ABCD"), dtype="boolean")
    res = dea.Radial(df, "x", "y", rts="crs", reference=full).fit()
    assert res.scores["D"] == pytest.approx(8 / 15)
    with pytest.raises(InputDataError, match=r"reference unit\(s\) 1, 0 are not unit labels"):
        dea.Radial(df, "x", "y", rts="crs", reference=np.array([1, 0, 0, 1]))
