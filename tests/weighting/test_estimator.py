"""The one estimator mechanism of normalisers, weighters and aggregators (and its registry)."""

import numpy as np
import pandas as pd
import pytest

from dea.exceptions import InputDataError
from weighting import (
    AGGREGATORS,
    NORMALISERS,
    WEIGHTERS,
    Aggregator,
    AHPWeights,
    Estimator,
    GeometricMean,
    MinMax,
    Normaliser,
    PCAWeights,
    PowerMean,
    Registry,
    Weighter,
    get_aggregator,
    get_normaliser,
    get_weighter,
)
from weighting.aggregate import ArithmeticMean
from weighting.estimator import same_value
from weighting.weights import EqualWeights

REGISTRIES = [NORMALISERS, AGGREGATORS, WEIGHTERS]
# a non-default parameter of one class of each registry
CHANGED = [MinMax(high=100), PowerMean(p=0.5), PCAWeights(n_factors=2)]


def test_one_mechanism():
    for base in (Normaliser, Aggregator, Weighter):
        assert issubclass(base, Estimator)
        for attr in ("get_params", "set_params", "clone", "to_spec", "__eq__", "__repr__"):
            assert getattr(base, attr) is getattr(Estimator, attr), (base, attr)


@pytest.mark.parametrize("est", CHANGED, ids=lambda e: type(e).__name__)
def test_params_clone_spec_eq(est):
    params = est.get_params()
    c = est.clone()
    assert c == est and c is not est and c.get_params() == params
    spec = est.to_spec()
    key = type(est).spec_key
    assert isinstance(spec, dict) and spec[key] == est.name
    registry = next(r for r in REGISTRIES if isinstance(est, r.base))
    assert registry.build(spec) == est
    assert registry.build(est.name) != est  # the defaults differ
    assert registry.build(est.name).to_spec() == est.name
    with pytest.raises(TypeError):
        hash(est)
    with pytest.raises(InputDataError, match="has no parameter 'bogus'"):
        est.clone().set_params(bogus=1)


def test_every_registered_class_round_trips_its_default_spec():
    required = {
        "expert": {"weights": {"a": 1.0}},
        "budget": {"allocations": pd.DataFrame({"a": [60, 40], "b": [40, 60]})},
        "ahp": {"matrix": [[1, 2], [0.5, 1]]},
    }
    for registry in REGISTRIES:
        for name, cls in registry.items():
            est = registry.build(name, **required.get(name, {}))
            assert isinstance(est, cls) and est.name == name
            again = registry.build(est.to_spec())
            assert type(again) is cls
            if name != "budget":  # a DataFrame parameter comes back as a plain dict
                assert again == est, name


def test_repr_shows_changed_parameters_only():
    assert repr(PCAWeights(n_factors=3, min_share=0.05)) == (
        "PCAWeights(min_share=0.05, n_factors=3)"
    )
    assert repr(MinMax()) == "MinMax()" and repr(PowerMean(p=2)) == "PowerMean(p=2)"
    big = AHPWeights(pd.DataFrame(np.ones((3, 3))))
    assert repr(big) == "AHPWeights(matrix=<DataFrame 3x3>)"


def test_equality_of_frame_and_array_parameters():
    m = [[1, 3], [1 / 3, 1]]
    assert AHPWeights(m) == AHPWeights(np.array(m))
    assert AHPWeights(pd.DataFrame(m)) == AHPWeights(pd.DataFrame(m))
    assert AHPWeights(pd.DataFrame(m)) != AHPWeights(pd.DataFrame([[1, 2], [0.5, 1]]))
    assert MinMax() != ArithmeticMean() and MinMax() != "minmax"
    assert same_value({"a": (1, None)}, {"a": [1, None]})
    assert not same_value(pd.Series([1.0]), [1.0])


def test_clone_is_deep_and_unfitted():
    groups = {"a": "x", "b": "y"}
    w = EqualWeights(groups=groups)
    w.fit(pd.DataFrame({"a": [1.0, 2], "b": [3.0, 4]}))
    c = w.clone()
    assert not c.is_fitted and c.groups == groups and c.groups is not groups
    n = MinMax().fit(pd.Series([0.0, 2.0]))
    assert hasattr(n, "min_") and not hasattr(n.clone(), "min_")


def test_to_spec_is_plain_data():
    s = get_weighter("equal", groups=pd.Series({"a": "x", "b": "y"})).to_spec()
    assert s == {"weighter": "equal", "groups": {"a": "x", "b": "y"}}
    q = get_normaliser("quantile", points=np.array([0.0, 0.5, 1.0]), n_classes=3).to_spec()
    assert q == {"method": "quantile", "n_classes": 3, "points": [0.0, 0.5, 1.0]}


def test_registry_builds_names_aliases_dicts_instances():
    assert isinstance(get_normaliser(" Min-Max "), MinMax)
    assert isinstance(get_aggregator("geometric_mean"), GeometricMean)
    g = GeometricMean()
    assert get_aggregator(g) == g and get_aggregator(g) is not g  # cloned
    assert get_weighter({"weighter": "pca", "n_factors": 2}) == PCAWeights(n_factors=2)
    assert get_normaliser(MinMax(), high=10) == MinMax(high=10)
    with pytest.raises(InputDataError, match="unknown normalisation 'softmax'; known are"):
        get_normaliser("softmax")
    with pytest.raises(InputDataError, match="needs a 'method' key"):
        get_aggregator({"p": 2})
    with pytest.raises(InputDataError, match="'power' got unknown parameters 'q'"):
        get_aggregator("power", q=2)
    with pytest.raises(InputDataError, match="must be a name, a dict or a Weighter"):
        get_weighter(3)
    with pytest.raises(InputDataError, match=r"'ahp': .*missing"):
        get_weighter("ahp")


def test_registering_a_user_class():
    reg = Registry("normalisation", Normaliser)

    class Halve(Normaliser):
        name = "halve"

        def __init__(self, factor: float = 0.5) -> None:
            self.factor = factor

        def _transform(self, values):
            return values * self.factor

    assert reg.register(Halve, "half") is Halve
    h = reg.build("HALF", factor=0.25)
    assert h.fit_transform(pd.Series([4.0])).tolist() == [1.0]
    assert h.to_spec() == {"method": "halve", "factor": 0.25} and reg.build(h.to_spec()) == h
    with pytest.raises(InputDataError, match="taken by Halve"):
        reg.register(type("Other", (Normaliser,), {"name": "halve"}))
    with pytest.raises(InputDataError, match="only Normaliser subclasses"):
        reg.register(PowerMean)
    with pytest.raises(InputDataError, match="has no name"):
        reg.register(type("Anon", (Normaliser,), {}))


def test_pretreatment_steps_share_the_mechanism():
    from weighting import MissingPolicy, OutlierTreatment

    for cls in (MissingPolicy, OutlierTreatment):
        assert issubclass(cls, Estimator)
        for attr in ("get_params", "set_params", "clone", "__eq__", "__repr__"):
            assert getattr(cls, attr) is getattr(Estimator, attr), (cls, attr)
    o = OutlierTreatment("percentile", lower=0.1)
    # their dict form always names the method (a parameter, not a registry name)
    assert o.to_spec() == {"method": "percentile", "lower": 0.1}
    assert OutlierTreatment().to_spec() == {"method": "iterative"}
    assert OutlierTreatment.from_spec(o.to_spec()) == o and o.clone() == o
    assert repr(o) == "OutlierTreatment(method='percentile', lower=0.1)"
    m = MissingPolicy("median", min_coverage=0.75)
    assert m.to_spec() == {"method": "median", "min_coverage": 0.75}
    assert MissingPolicy.from_spec(m.to_spec()) == m == m.clone() != MissingPolicy()
    with pytest.raises(InputDataError, match="has no parameter 'bogus'"):
        m.clone().set_params(bogus=1)
    with pytest.raises(InputDataError, match="allowed are 'method', 'lower'"):
        OutlierTreatment.from_spec({"cap": 3})
