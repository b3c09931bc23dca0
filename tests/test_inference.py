"""The NumPy forward pass equals Keras's output to float32 rounding."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import kerasguide
from kerasguide._estimator.inference import numpy_forward


def _randomise(model, seed: int) -> None:
    rng = np.random.default_rng(seed)
    model.set_weights(
        [rng.normal(scale=0.5, size=w.shape).astype(w.dtype) for w in model.get_weights()]
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"task": "multiclass", "hidden_layers": (16, 8), "dropout": 0.5},
        {"task": "binary", "n_outputs": 1, "activation": "tanh"},
        {"task": "multilabel", "activation": "sigmoid"},
        {"task": "regression", "hidden_layers": (), "n_outputs": 2},
        {"task": "multiclass", "activation": "elu", "hidden_layers": (7,)},
    ],
)
def test_forward_matches_keras_on_random_weights(kwargs):
    arguments = {"n_features": 5, "n_outputs": 4, **kwargs}
    model = kerasguide.build_model("mlp", **arguments)
    _randomise(model, seed=len(kwargs))
    X = np.random.default_rng(3).normal(size=(64, 5)).astype("float32")
    forward = numpy_forward(model)
    assert forward is not None
    expected = model.predict(X, verbose=0)
    np.testing.assert_allclose(forward(X), expected, rtol=2e-5, atol=1e-6)


def test_forward_rows_do_not_depend_on_the_batch():
    model = kerasguide.build_model("mlp", n_features=5, n_outputs=3, seed=0)
    forward = numpy_forward(model)
    X = np.random.default_rng(0).normal(size=(50, 5))
    full = forward(X)
    rows = np.vstack([forward(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(full, rows, rtol=1e-12, atol=1e-15)


def test_unsupported_layers_fall_back_to_keras():
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization()]
    )
    assert numpy_forward(model) is None
    functional = keras.Model(*(lambda i: (i, keras.layers.Dense(2)(i)))(keras.Input((3,))))
    assert numpy_forward(functional) is None


def test_a_leading_flatten_is_part_of_the_fast_path():
    from kerasguide.models import mlp

    model = mlp(input_shape=(4, 2), n_outputs=3, seed=0)
    forward = numpy_forward(model)
    assert forward is not None
    X = np.random.default_rng(0).normal(size=(5, 4, 2)).astype("float32")
    np.testing.assert_allclose(forward(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
