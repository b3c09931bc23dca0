"""The per-backend decisions: which dtype the estimators train in."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasguide._estimator.backend import backend, float64_available, training_dtype


def test_backend_is_keras_backend():
    assert backend() == keras.backend.backend()


def test_float32_data_always_trains_in_float32():
    assert training_dtype(np.float32) == "float32"
    assert training_dtype("float32") == "float32"


def test_float64_where_the_backend_computes_it():
    name = keras.backend.backend()
    if name == "tensorflow":
        assert float64_available()
    elif name == "jax":
        import jax

        # Only with x64, which the library never turns on by itself.
        assert float64_available() == bool(jax.config.jax_enable_x64)
    elif name == "torch":
        # Keras 3.15's torch backend returns float32 from float64 matmuls (Keras #23704).
        x = keras.ops.ones((1, 1), dtype="float64")
        keeps = keras.backend.standardize_dtype(keras.ops.matmul(x, x).dtype) == "float64"
        if not keeps:
            assert not float64_available()
    else:
        pytest.fail(f"no expectation written for the {name!r} backend")
    expected = "float64" if float64_available() else "float32"
    assert training_dtype(np.float64) == expected
