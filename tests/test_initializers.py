"""Initial weights drawn with NumPy (kerasguide.zoo.initializers): Keras's distributions, the
same values in float32 and float64, fresh ones without a seed, no compiled initializer on JAX."""

from __future__ import annotations

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from kerasguide._estimator.backend import float64_available
from kerasguide.zoo import models
from kerasguide.zoo.initializers import Drawn, as_drawn
from kerasguide.zoo.vocabulary import make_initializer

#: Every name `kernel_initializer` takes that draws, or sets, values.
NAMES = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
         "lecun_normal", "variance_scaling", "random_normal", "random_uniform",
         "truncated_normal", "orthogonal", "zeros", "ones", "constant", "identity")  # fmt: skip
#: A Dense kernel, a convolution's and an LSTM's input kernel (four gates side by side).
SHAPES = ((64, 48), (3, 3, 8, 16), (12, 4 * 40))


@pytest.mark.parametrize("shape", SHAPES, ids=["dense", "conv", "rnn"])
@pytest.mark.parametrize("name", NAMES)
def test_each_initializer_draws_keras_s_distribution(name, shape):
    if name == "identity" and len(shape) != 2:
        pytest.skip("identity is for 2D kernels only")
    ours = make_initializer(name, seed=1)
    assert isinstance(ours, Drawn)
    keras_init = keras.initializers.get(name if name != "constant" else "zeros")
    a = np.asarray(ours(shape, dtype="float32"), dtype=np.float64)
    b = np.asarray(keras.ops.convert_to_numpy(keras_init(shape, dtype="float32")), np.float64)
    assert a.shape == b.shape == shape
    spread = max(b.std(), 1e-6)
    # Means within a few standard errors, spreads within 10%, the same support (a bounded
    # distribution's largest values come close to its bound in samples this size). A normal's
    # and an orthogonal matrix's largest entries have no bound: they are left to the spread
    # and, for the orthogonal one, to the check that its columns are orthonormal.
    assert abs(a.mean() - b.mean()) < 5 * spread / np.sqrt(a.size) + 1e-7
    assert a.std() == pytest.approx(b.std(), rel=0.1, abs=1e-7)
    if name not in ("random_normal", "orthogonal"):
        assert np.abs(a).max() <= np.abs(b).max() * 1.15 + 1e-7
        assert np.abs(b).max() <= np.abs(a).max() * 1.15 + 1e-7
    if name == "orthogonal":
        flat = a.reshape(-1, shape[-1])
        small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(small, np.eye(len(small)), atol=1e-5)


def test_truncated_normals_stop_at_two_standard_deviations():
    values = Drawn("truncated_normal", seed=0, stddev=1.0).draw((200_000,))
    assert np.abs(values).max() <= 2.0
    # A normal cut at 2 sd keeps 0.87962566 of its spread.
    assert values.std() == pytest.approx(0.87962566, rel=0.01)


def test_a_seeded_draw_is_the_same_in_float32_and_float64_and_unseeded_draws_differ():
    glorot = make_initializer("glorot_uniform", seed=7)
    a = keras.ops.convert_to_numpy(glorot((5, 4), dtype="float32"))
    b = keras.ops.convert_to_numpy(glorot((5, 4), dtype="float64"))
    np.testing.assert_array_equal(a.astype(np.float64), b)
    fresh = make_initializer("glorot_uniform", seed=None)
    assert not np.array_equal(fresh.draw((5, 4)), fresh.draw((5, 4)))


def _weights(dtype: str, seed, **kwargs) -> list[np.ndarray]:
    model = models.mlp(n_features=6, n_outputs=3, task="multiclass", hidden_layers=(8, 5),
                       seed=seed, dtype=dtype, **kwargs)  # fmt: skip
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.parametrize("options", [{}, {"normalization": "batch"},
                                     {"kernel_initializer": "he_normal"}])  # fmt: skip
def test_a_seeded_model_starts_from_the_same_weights_in_float32_and_float64(options):
    single, double = _weights("float32", 3, **options), _weights("float64", 3, **options)
    # float64 variables need JAX's x64 (tests/test_backend.py); without it Keras keeps float32.
    wide = np.float64 if float64_available() else np.float32
    assert [w.dtype for w in double] == [wide] * len(double)
    for a, b in zip(single, double, strict=True):
        np.testing.assert_array_equal(a.astype(np.float64), b)


def test_unseeded_models_start_from_different_weights():
    first, second = _weights("float32", None), _weights("float32", None)
    assert not np.array_equal(first[0], second[0])


def test_an_rnn_s_recurrent_kernels_are_drawn_orthogonal_and_the_same_in_both_dtypes():
    kwargs = {"input_shape": (4, 3), "n_outputs": 1, "task": "regression", "units": (6,),
              "seed": 5}  # fmt: skip
    single = models.rnn(**kwargs, dtype="float32").get_weights()
    double = models.rnn(**kwargs, dtype="float64").get_weights()
    for a, b in zip(single, double, strict=True):
        np.testing.assert_array_equal(np.asarray(a, np.float64), b)
    recurrent = np.asarray(single[1], np.float64)  # (units, 4 * units)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(6), atol=1e-5)


class Halves(keras.initializers.Initializer):
    """An initializer of the user's own class: Keras draws it."""

    def __call__(self, shape, dtype=None):
        return keras.ops.full(shape, 0.5, dtype=dtype)


def test_an_initializer_of_another_class_is_kept_and_keras_draws_it():
    assert as_drawn(Halves(), seed=0) is None
    model = models.mlp(n_features=3, n_outputs=1, task="regression", hidden_layers=(2,),
                       kernel_initializer=Halves(), seed=0)  # fmt: skip
    np.testing.assert_array_equal(model.get_weights()[0], np.full((3, 2), 0.5, np.float32))


def test_a_drawn_initializer_round_trips_through_keras_serialization():
    original = make_initializer("he_normal", seed=11)
    copy = keras.initializers.deserialize(keras.initializers.serialize(original))
    assert isinstance(copy, Drawn)
    assert copy.get_config() == original.get_config()
    np.testing.assert_array_equal(copy.draw((4, 3)), original.draw((4, 3)))


def test_a_drawn_initializer_names_an_unknown_kind():
    with pytest.raises(ValueError, match="Received: 'gaussian'"):
        Drawn("gaussian")


_COLD_FIT = """
import numpy as np
from kerasguide import KerasClassifier
rng = np.random.default_rng(0)
X, y = rng.normal(size=(60, 5)).astype("float32"), rng.integers(0, 3, 60)
KerasClassifier(hidden_layers=(4,), epochs=2, random_state=0).fit(X, y)
"""


@pytest.mark.skipif(not __import__("importlib").util.find_spec("jax"), reason="needs JAX")
def test_a_cold_jax_fit_compiles_no_initializer():
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_LOG_COMPILES": "1",
           "KERASGUIDE_COMPILE_CACHE": "0"}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", _COLD_FIT], env=env, capture_output=True,
                            text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr + result.stdout
    compiled = [line for line in log.splitlines() if "Compiling" in line]
    assert compiled, "JAX_LOG_COMPILES logged nothing; the check would be vacuous"
    for name in ("_uniform", "_normal", "truncated_normal", "orthogonal", "qr"):
        assert not [line for line in compiled if name in line], (name, compiled)


def _callable_with_keras_initializers(n_features, n_outputs, dtype, seed):
    # Keras's own initializer (not the zoo's): it draws other numbers in float64 for one seed.
    def init(offset):
        return keras.initializers.GlorotUniform(seed=seed + offset)

    model = keras.Sequential([
        keras.Input((n_features,), dtype=dtype),
        keras.layers.Dense(8, activation="relu", kernel_initializer=init(0), dtype=dtype),
        keras.layers.Dense(n_outputs, activation="softmax", kernel_initializer=init(1),
                           dtype=dtype),
    ])  # fmt: skip
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "sparse_categorical_crossentropy")
    return model


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")
def test_a_model_callable_starts_float64_data_from_the_float32_start():
    from kerasguide import KerasClassifier

    X, y = np.random.default_rng(0).random((40, 5)), np.arange(40) % 3
    fits = [KerasClassifier(model=_callable_with_keras_initializers, epochs=1, random_state=0)
            .fit(X.astype(dtype), y) for dtype in ("float32", "float64")]  # fmt: skip
    single, double = (fit.model_.get_weights() for fit in fits)
    for a, b in zip(single, double, strict=True):  # a learning rate of 0: the starts themselves
        np.testing.assert_array_equal(a.astype(b.dtype), b)
