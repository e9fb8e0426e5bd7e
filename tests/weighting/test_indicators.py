"""Indicator metadata, scale levels and their enforcement."""

import warnings

import numpy as np
import pandas as pd
import pytest

from dea.exceptions import InputDataError
from weighting import (
    Direction,
    Indicator,
    IndicatorSet,
    Scale,
    ScaleLevelError,
    ScaleLevelWarning,
    check_scale,
)


def test_scale_parse_and_order():
    assert Scale.parse("Ordinal") is Scale.ORDINAL
    assert Scale.parse(Scale.RATIO) is Scale.RATIO
    assert [s.level for s in (Scale.NOMINAL, Scale.ORDINAL, Scale.INTERVAL, Scale.RATIO)] == [
        0, 1, 2, 3,
    ]
    with pytest.raises(InputDataError, match="'cardinal' is not a scale level"):
        Scale.parse("cardinal")


def test_direction_aliases():
    assert Direction.parse("-") is Direction.LOWER
    assert Direction.parse(-1) is Direction.LOWER
    assert Direction.parse("Higher") is Direction.HIGHER
    assert Direction.LOWER.sign == -1
    with pytest.raises(InputDataError, match="'sideways'"):
        Direction.parse("sideways")


def test_indicator_validation_and_round_trip():
    ind = Indicator("gov", scale="ordinal", points={"Yes": 1, "Partially": 0.5, "No": 0},
                    group="governance", weight=2)
    assert ind.categories == ("Yes", "Partially", "No")
    assert ind.is_categorical
    assert Indicator.from_dict(ind.to_dict()) == ind
    with pytest.raises(InputDataError, match=r"'w'.*weights must be finite and >= 0"):
        Indicator("w", weight=-1)
    with pytest.raises(InputDataError, match="name categories 'Maybe'"):
        Indicator("g", scale="nominal", categories=["Yes", "No"], points={"Maybe": 1})
    with pytest.raises(InputDataError, match="points must be finite"):
        Indicator("g", scale="nominal", points={"Yes": "a lot"})
    with pytest.raises(InputDataError, match="unknown fields 'colour'"):
        Indicator.from_dict({"name": "x", "colour": "red"})


def test_indicator_set_basics():
    s = IndicatorSet.from_records([
        {"name": "a", "group": "D1", "weight": 1},
        {"name": "b", "group": "D2", "direction": "lower", "weight": 3},
        {"name": "c", "group": "D1", "weight": 0},
    ])
    assert s.names == ["a", "b", "c"]
    assert s.groups == {"D1": ["a", "c"], "D2": ["b"]}
    assert s.weights.tolist() == [1.0, 3.0, 0.0]
    assert s["b"].direction is Direction.LOWER
    assert IndicatorSet.from_records(s.to_records()) == s
    assert IndicatorSet.from_frame(s.to_frame()) == s
    assert s.subset(["c", "a"]).names == ["c", "a"]
    assert s.replace("a", scale="interval")["a"].scale is Scale.INTERVAL
    assert "a: ratio, higher is better" in repr(s)
    with pytest.raises(InputDataError, match="'z' is not in this set"):
        s["z"]


def test_indicator_set_errors():
    with pytest.raises(InputDataError, match="'a' appear more than once"):
        IndicatorSet([{"name": "a"}, {"name": "a"}])
    with pytest.raises(InputDataError, match="at least one"):
        IndicatorSet([])
    mixed = IndicatorSet([{"name": "a", "group": "D"}, {"name": "b"}])
    with pytest.raises(InputDataError, match="'b' have no group"):
        _ = mixed.groups


def test_infer():
    df = pd.DataFrame({"x": [1.0, 2.0], "label": ["p", "q"], "y": [3, 4]})
    s = IndicatorSet.infer(df, lower_is_better=["y"], groups={"x": "G"})
    assert s["x"].scale is Scale.RATIO and s["x"].group == "G"
    assert s["label"].scale is Scale.NOMINAL
    assert s["y"].direction is Direction.LOWER
    with pytest.raises(InputDataError, match="'nope'"):
        IndicatorSet.infer(df, lower_is_better=["nope"])


def test_check_data_messages():
    s = IndicatorSet([
        {"name": "a"},
        {"name": "g", "scale": "ordinal", "points": {"Yes": 1, "No": 0}},
    ])
    good = pd.DataFrame({"a": [1.0, np.nan], "g": ["Yes", None]}, index=["u1", "u2"])
    s.check_data(good)
    with pytest.raises(InputDataError, match="indicators 'g' are not columns of data"):
        s.check_data(good[["a"]])
    bad = good.assign(g=["Yes", "Perhaps"])
    with pytest.raises(InputDataError, match=r"'Perhaps'.*units 'u2'"):
        s.check_data(bad)
    with pytest.raises(InputDataError, match=r"'a' \(ratio\).*not numeric"):
        s.check_data(good.assign(a=["x", "y"]))
    with pytest.raises(InputDataError, match="duplicated unit labels 'u1'"):
        s.check_data(good.set_axis(["u1", "u1"]))
    with pytest.raises(InputDataError, match="infinite at units 'u2'"):
        s.check_data(good.assign(a=[1.0, np.inf]))


def test_check_scale_raises_names_indicator_and_scale():
    with pytest.raises(ScaleLevelError) as err:
        check_scale("governance", Scale.ORDINAL, {Scale.INTERVAL, Scale.RATIO},
                    "arithmetic mean")
    msg = str(err.value)
    assert "'governance'" in msg and "ordinal" in msg and "interval, ratio" in msg
    assert isinstance(err.value, InputDataError) and isinstance(err.value, ValueError)
    with pytest.warns(ScaleLevelWarning, match="'governance'"):
        check_scale("governance", Scale.ORDINAL, {Scale.RATIO}, "geometric mean", allow=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_scale("x", Scale.RATIO, {Scale.RATIO}, "geometric mean")  # accepted: silent


# the measurement-theory table every method must follow (N, O, I, R = nominal ... ratio)
NORMALISER_TABLE = {
    "minmax": "IR", "zscore": "IR", "mpi": "IR", "goalposts": "IR", "target": "R",
    "rank": "OIR", "percentile": "OIR", "quantile": "OIR", "points": "NOIR", "none": "NOIR",
}
AGGREGATOR_TABLE = {
    "arithmetic": "IR", "geometric": "R", "harmonic": "R", "mpi": "IR", "borda": "OIR",
    "copeland": "OIR",
}
LETTER = {"N": Scale.NOMINAL, "O": Scale.ORDINAL, "I": Scale.INTERVAL, "R": Scale.RATIO}


@pytest.mark.parametrize("name", sorted(NORMALISER_TABLE))
@pytest.mark.parametrize("scale", list(Scale))
def test_normalisers_refuse_exactly_what_they_should(name, scale):
    from weighting import get_normaliser

    values = pd.Series([1.0, 2.0, 4.0], name="v")
    norm = get_normaliser(name, **({"points": {1.0: 0, 2.0: 1, 4.0: 2}}
                                   if name == "points" else {}))
    allowed = scale in {LETTER[c] for c in NORMALISER_TABLE[name]}
    assert (scale in norm.accepts) == allowed
    if allowed:
        norm.fit(values, scale=scale)
    else:
        with pytest.raises(ScaleLevelError, match=f"'v', which is on the {scale.value}"):
            norm.fit(values, scale=scale)


@pytest.mark.parametrize("name", sorted(AGGREGATOR_TABLE))
@pytest.mark.parametrize("scale", list(Scale))
def test_aggregators_refuse_exactly_what_they_should(name, scale):
    from weighting import get_aggregator

    agg = get_aggregator(name)
    df = pd.DataFrame({"v": [90.0, 100.0, 110.0], "u": [95.0, 105.0, 100.0]})
    allowed = scale in {LETTER[c] for c in AGGREGATOR_TABLE[name]}
    assert (scale in agg.accepts) == allowed
    scales = {"v": scale, "u": Scale.RATIO}
    if allowed:
        assert agg(df, scales=scales).notna().all()
    else:
        with pytest.raises(ScaleLevelError, match=f"'v', which is on the {scale.value}"):
            agg(df, scales=scales)
