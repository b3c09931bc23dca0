"""Every error about a parameter's value is an ``InvalidParameterError`` (issue 21, item 6).

It is a ``ValueError`` (and a ``TypeError``), so code catching those still works; data errors
keep scikit-learn's plain ``ValueError``.
"""

from __future__ import annotations

import numpy as np
import pytest

import kerasguide
from kerasguide import KerasClassifier, KerasTransformer, datasets, scratch
from kerasguide.exceptions import InvalidParameterError

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

X = np.random.default_rng(0).normal(size=(30, 4)).astype(np.float32)
y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("distribution", ["every_gpu", ["not a device"], [], ["cpu:0", "cpu:0"]])
def test_a_bad_distribution(distribution):
    est = KerasClassifier(epochs=1, distribution=distribution)
    with pytest.raises(InvalidParameterError, match="distribution"):
        est.fit(X, y)
    assert not hasattr(est, "model_")


def test_a_bad_search_space_kind():
    with pytest.raises(InvalidParameterError, match=r"Received: kind='hyperopt'"):
        kerasguide.search_space("mlp", kind="hyperopt")


@pytest.mark.parametrize("maker", [datasets.make_houses, datasets.make_xor, datasets.make_circles])
@pytest.mark.parametrize("noise", [-1.0, float("inf"), "loud"])
def test_a_bad_dataset_noise(maker, noise):
    with pytest.raises(InvalidParameterError, match="noise"):
        maker(10, noise=noise)


@pytest.mark.parametrize("factor", [0.0, 1.0, 2, True])
def test_a_bad_circles_factor(factor):
    with pytest.raises(InvalidParameterError, match="factor"):
        datasets.make_circles(10, factor=factor)


def test_a_bad_mnist_path():
    with pytest.raises(InvalidParameterError, match="path"):
        datasets.load_mnist(path=3)


def test_a_transformer_layer_the_model_lacks():
    est = KerasTransformer(layer="nope", hidden_layers=(4,), epochs=1, random_state=0)
    with pytest.raises(InvalidParameterError, match=r"Received: layer='nope'"):
        est.fit(X)
    assert not hasattr(est, "layer_")


@pytest.mark.parametrize("rate", [0.0, -0.1, float("nan"), "fast"])
def test_a_bad_scratch_learning_rate(rate):
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        scratch.train(X, X[:, 0], learning_rate=rate)


def test_a_bad_scratch_reduction():
    with pytest.raises(InvalidParameterError, match="reduction"):
        scratch.cost([1.0], [0.0], reduction="median")


def test_data_errors_stay_plain_value_errors():
    with pytest.raises(ValueError, match="NaN") as info:
        scratch.cost([np.nan], [0.0])
    assert not isinstance(info.value, InvalidParameterError)
