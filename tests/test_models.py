"""Every model of the zoo is built, shape-checked, seed-checked and trained on a small dataset."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import kerasguide
import kerasguide.layers
from kerasguide import models, registry

N_FEATURES = 6


#: Image and sequence models: their factory arguments and the shape of one input row.
_SHAPED = {
    "cnn": ({"input_shape": (8, 8, 1), "filters": (4, 8), "dense_layers": (8,)}, (8, 8, 1)),
    "rnn": ({"input_shape": (5, 2), "units": (4,)}, (5, 2)),
}


def _arguments(name: str) -> tuple[dict, np.ndarray, tuple]:
    """Factory arguments, targets and expected output shape for a registered model."""
    rng = np.random.default_rng(0)
    task = registry.get_model_card(name).task
    if name in _SHAPED:
        kwargs = {**_SHAPED[name][0], "n_outputs": 3, "task": "multiclass"}
        return kwargs, rng.integers(0, 3, size=40), (None, 3)
    if name == "autoencoder":
        return {"n_features": N_FEATURES}, rng.normal(size=(40, N_FEATURES)), (None, N_FEATURES)
    if task == "regression":
        return {"n_features": N_FEATURES}, rng.normal(size=(40, 1)), (None, 1)
    if task == "binary":
        return {"n_features": N_FEATURES}, rng.integers(0, 2, size=(40, 1)), (None, 1)
    if task == "multiclass":
        return {"n_features": N_FEATURES, "n_classes": 3}, rng.integers(0, 3, size=40), (None, 3)
    return (
        {"n_features": N_FEATURES, "n_outputs": 3, "task": "multiclass"},
        rng.integers(0, 3, size=40),
        (None, 3),
    )


def _inputs(name: str, n_rows: int = 40) -> np.ndarray:
    """Inputs that fit the model ``name`` builds from ``_arguments(name)``."""
    row = _SHAPED[name][1] if name in _SHAPED else (N_FEATURES,)
    return np.random.default_rng(1).normal(size=(n_rows, *row)).astype("float32")


@pytest.mark.parametrize("name", kerasguide.list_models())
def test_every_model_builds_compiled_and_fits(name):
    kwargs, y, shape = _arguments(name)
    model = kerasguide.build_model(name, **kwargs)
    assert isinstance(model, keras.Sequential)
    assert model.compiled
    assert model.output_shape == shape
    X = _inputs(name)
    history = model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(X, verbose=0).shape == (40, shape[1])


@pytest.mark.parametrize("name", kerasguide.list_models())
def test_every_model_is_reproducible_with_a_seed(name):
    kwargs, _, _ = _arguments(name)
    first = kerasguide.build_model(name, seed=7, **kwargs).get_weights()
    second = kerasguide.build_model(name, seed=7, **kwargs).get_weights()
    other = kerasguide.build_model(name, seed=8, **kwargs).get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


_READABLE = ("hidden_", "dropout_", "flatten", "norm_", "conv_", "pool_", "dense_", "rnn_",
             "reshape", "code")  # fmt: skip


@pytest.mark.parametrize("name", kerasguide.list_models())
def test_every_model_has_readable_layer_names(name):
    kwargs, _, _ = _arguments(name)
    model = kerasguide.build_model(name, **kwargs)
    assert model.layers[-1].name == "output"
    for layer in model.layers[:-1]:
        assert layer.name.startswith(_READABLE)


def test_softmax_regression_has_the_talks_parameter_count():
    model = kerasguide.build_model("softmax_regression", n_features=784, n_classes=10)
    assert model.count_params() == 7850
    assert model.layers[-1].activation.__name__ == "softmax"


def test_mlp_with_dropout_and_l2():
    model = kerasguide.build_model("mlp", n_features=784, n_outputs=10, dropout=0.5, l2=1e-4)
    assert [layer.name for layer in model.layers] == ["hidden_1", "dropout_1", "output"]
    assert isinstance(model.get_layer("dropout_1"), keras.layers.Dropout)
    assert model.get_layer("dropout_1").rate == 0.5
    for name in ("hidden_1", "output"):
        penalty = model.get_layer(name).kernel_regularizer
        assert isinstance(penalty, keras.regularizers.L2)
        assert penalty.l2 == pytest.approx(1e-4)
    assert len(model.losses) == 2  # one penalty per kernel


@pytest.mark.parametrize(
    ("task", "activation", "loss"),
    [
        ("regression", "linear", "mean_squared_error"),
        ("binary", "sigmoid", "binary_crossentropy"),
        ("multiclass", "softmax", "sparse_categorical_crossentropy"),
        ("multilabel", "sigmoid", "binary_crossentropy"),
    ],
)
def test_mlp_task_decides_head_and_loss(task, activation, loss):
    n_outputs = 1 if task in ("binary", "regression") else 3
    model = models.mlp((4,), n_outputs, task=task)
    assert keras.activations.serialize(model.layers[-1].activation) == activation
    assert model.loss.name == loss


def test_linear_activation_gives_a_deeper_but_linear_model():
    # The talk's lesson: linear hidden layers compose to one affine map.
    model = models.mlp(
        (4,), 3, task="regression", hidden_layers=(8, 8), activation="linear", seed=0
    )
    (w1, b1, w2, b2, w3, b3) = model.get_weights()
    X = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    affine = X @ (w1 @ w2 @ w3) + ((b1 @ w2 + b2) @ w3 + b3)
    np.testing.assert_allclose(model.predict(X, verbose=0), affine, rtol=1e-4, atol=1e-5)


def test_compile_options():
    sgd = models.softmax_regression((4,), 3)
    assert isinstance(sgd.optimizer, keras.optimizers.SGD)
    assert float(sgd.optimizer.learning_rate) == pytest.approx(models.TALK_LEARNING_RATE)
    adam = models.softmax_regression((4,), 3, optimizer="adam", learning_rate=0.01)
    assert isinstance(adam.optimizer, keras.optimizers.Adam)
    assert float(adam.optimizer.learning_rate) == pytest.approx(0.01)
    mine = keras.optimizers.RMSprop(learning_rate=0.123)
    model = models.softmax_regression((4,), 3, optimizer=mine)
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert model.optimizer is not mine
    assert float(model.optimizer.learning_rate) == pytest.approx(0.123)
    uncompiled = models.mlp((4,), 3, compile=False)
    assert not uncompiled.compiled
    double = models.linear_regression((3,), dtype="float64")
    assert double.layers[-1].kernel.dtype == "float64"
    normal = models.linear_regression((3,), kernel_initializer="random_normal", seed=1)
    # Keras's built-in kinds are drawn by NumPy (kerasguide.zoo.initializers.Drawn), same kind.
    assert normal.layers[-1].kernel_initializer.kind == "random_normal"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dropout": 1.5}, "Received: dropout=1.5"),
        ({"dropout": -0.1}, "Received: dropout=-0.1"),
        ({"l2": -1.0}, "Received: l2=-1.0"),
        ({"hidden_layers": (0,)}, r"Received: hidden_layers=\(0,\)"),
        ({"hidden_layers": "big"}, "Received: hidden_layers='big'"),
        ({"n_features": 0}, "Received: n_features=0"),
        ({"task": "ranking"}, "Received: task='ranking'"),
        ({"optimizer": "sgdd"}, "Received: optimizer='sgdd'"),
        ({"learning_rate": -0.1}, "Received: learning_rate=-0.1"),
        ({"activation": "sigmoidal"}, "Received: activation='sigmoidal'"),
        ({"kernel_initializer": "zeroes!"}, "Received: kernel_initializer='zeroes!'"),
        ({"seed": -3}, "Received: seed=-3"),
        ({"hidden_layers": (), "dropout": 0.5}, "has none"),
        ({"task": "binary", "n_outputs": 2}, "Received: n_outputs=2"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    arguments = {"n_features": 4, "n_outputs": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        models.mlp(**arguments)


def test_unknown_compile_option_is_a_type_error():
    with pytest.raises(TypeError, match=r"'softmax_regression' does not take `hidden_layers`"):
        models.softmax_regression((4,), 3, hidden_layers=(8,))


@pytest.mark.parametrize("name", kerasguide.list_models())
def test_every_factory_takes_input_shape_and_n_outputs(name):
    kwargs, _, shape = _arguments(name)
    if name in _SHAPED:  # no n_features shorthand for images and sequences
        model = kerasguide.build_model(name, **kwargs)
        assert model.input_shape == (None, *_SHAPED[name][1])
        assert model.output_shape == shape
        return
    kwargs = {k: v for k, v in kwargs.items() if k not in ("n_features", "n_classes")}
    kwargs.setdefault("n_outputs", shape[1])
    by_shape = kerasguide.build_model(name, input_shape=(N_FEATURES,), seed=3, **kwargs)
    by_features = kerasguide.build_model(name, n_features=N_FEATURES, seed=3, **kwargs)
    assert by_shape.input_shape == by_features.input_shape == (None, N_FEATURES)
    assert by_shape.output_shape == shape
    for a, b in zip(by_shape.get_weights(), by_features.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"),
    [
        ("softmax_regression", {"n_features": 4, "n_outputs": 1}, "Received: n_outputs=1"),
        ("softmax_regression", {"n_features": 4, "n_classes": 1}, "Received: n_classes=1"),
        ("softmax_regression", {"n_features": 4, "n_classes": 0}, "Received: n_classes=0"),
        ("linear_regression", {"n_features": 4, "n_targets": -2}, "Received: n_targets=-2"),
        ("softmax_regression", {"n_features": 4, "n_outputs": 3, "n_classes": 3}, "not both"),
        ("mlp", {"input_shape": (4,), "n_features": 4, "n_outputs": 3}, "not both"),
        ("mlp", {"input_shape": 4, "n_outputs": 3}, "Received: input_shape=4"),
        ("mlp", {"n_outputs": 3}, "Received: input_shape=None"),
        ("logistic_regression", {"n_features": 4, "n_outputs": 2}, "Received: n_outputs=2"),
        ("softmax_regression", {"n_features": 4, "n_outputs": 3, "task": "regression"},
         "Received: task='regression'"),
    ],
)  # fmt: skip
def test_the_vocabulary_names_the_argument_the_caller_passed(factory, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kerasguide.build_model(factory, **kwargs)


def test_an_image_shaped_input_is_flattened_for_the_mlp():
    model = models.mlp(input_shape=(8, 8, 1), n_outputs=10, seed=0)
    assert model.input_shape == (None, 8, 8, 1)
    assert model.layers[0].name == "flatten"
    X = np.random.default_rng(0).normal(size=(3, 8, 8, 1)).astype("float32")
    assert model.predict(X, verbose=0).shape == (3, 10)


# --------------------------------------------------------------------------- the talk's knobs
def test_maxout_shape_and_save_load_round_trip(tmp_path):
    model = models.mlp((4,), 3, hidden_layers=(5,), activation="maxout", maxout_pieces=3, seed=0)
    maxout = model.get_layer("hidden_1")
    assert isinstance(maxout, kerasguide.layers.Maxout)
    assert maxout.kernel.shape == (4, 15)
    assert maxout.output.shape == (None, 5)
    X = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    model.fit(X, np.arange(6) % 3, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.get_layer("hidden_1"), kerasguide.layers.Maxout)
    assert loaded.get_layer("hidden_1").pieces == 3
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_maxout_is_the_max_of_its_affine_pieces():
    layer = kerasguide.layers.Maxout(2, pieces=3)
    X = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(X))
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in (layer.kernel, layer.bias))
    expected = (X @ kernel + bias).reshape(4, 2, 3).max(axis=-1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("normalization", "kind"),
    [("batch", keras.layers.BatchNormalization), ("layer", keras.layers.LayerNormalization)],
)
def test_normalization_follows_each_hidden_layer(normalization, kind):
    model = models.mlp((4,), 3, hidden_layers=(8, 8), dropout=0.1, normalization=normalization)
    names = [layer.name for layer in model.layers]
    assert names == ["hidden_1", "norm_1", "dropout_1", "hidden_2", "norm_2", "dropout_2", "output"]
    assert all(isinstance(model.get_layer(f"norm_{i}"), kind) for i in (1, 2))


def test_l1_and_elastic_penalties_are_in_the_losses():
    only_l1 = models.mlp((4,), 3, hidden_layers=(8,), l1=1e-3)
    penalty = only_l1.get_layer("hidden_1").kernel_regularizer
    assert isinstance(penalty, kerasguide.layers.L1L2)
    assert (penalty.l1, penalty.l2) == (pytest.approx(1e-3), 0.0)
    assert len(only_l1.losses) == 2
    both = models.mlp((4,), 3, hidden_layers=(8,), l1=1e-3, l2=1e-2, seed=0)
    kernel = keras.ops.convert_to_numpy(both.get_layer("hidden_1").kernel)
    expected = 1e-3 * np.abs(kernel).sum() + 1e-2 * (kernel**2).sum()
    assert float(both.losses[0]) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    "initializer",
    ["random_normal", "random_uniform", "truncated_normal", "constant", "glorot_uniform",
     "glorot_normal", "he_normal"],
)  # fmt: skip
def test_each_initializer_of_the_talk_builds(initializer):
    model = models.mlp((4,), 3, hidden_layers=(8,), kernel_initializer=initializer, seed=0)
    assert model.get_layer("hidden_1").kernel.shape == (4, 8)
    assert np.isfinite(model.get_weights()[0]).all()


def test_leaky_relu_has_keras_default_slope():
    model = models.mlp((4,), 2, task="regression", hidden_layers=(8,), activation="leaky_relu")
    w1, b1, w2, b2 = model.get_weights()
    X = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    z = X @ w1 + b1
    expected = np.where(z > 0, z, 0.2 * z) @ w2 + b2
    np.testing.assert_allclose(model.predict(X, verbose=0), expected, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- cnn, rnn, autoencoder
def test_cnn_layer_names_and_shapes():
    model = kerasguide.build_model("cnn", input_shape=(28, 28, 1), n_outputs=10, dropout=0.5)
    names = [layer.name for layer in model.layers]
    assert names == ["conv_1", "pool_1", "conv_2", "pool_2", "flatten", "dense_1", "dropout_1",
                     "output"]  # fmt: skip
    assert model.get_layer("pool_2").output.shape == (None, 7, 7, 64)
    assert model.output_shape == (None, 10)


def test_cnn_adds_a_channel_axis_and_normalizes():
    model = models.cnn((8, 8), 1, task="binary", filters=(4,), normalization="batch", l2=1e-4)
    names = [layer.name for layer in model.layers]
    assert names == ["reshape", "conv_1", "norm_1", "pool_1", "flatten", "dense_1", "norm_2",
                     "output"]  # fmt: skip
    assert model.get_layer("reshape").output.shape == (None, 8, 8, 1)
    assert len(model.losses) == 3  # conv_1, dense_1, output
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple"])
def test_rnn_cells_and_shapes(cell):
    model = models.rnn((6, 2), 2, task="regression", cell=cell, units=(4, 3), seed=0)
    assert [layer.name for layer in model.layers] == ["rnn_1", "rnn_2", "output"]
    assert model.get_layer("rnn_1").output.shape == (None, 6, 4)
    assert model.get_layer("rnn_2").output.shape == (None, 3)
    X = np.random.default_rng(0).normal(size=(4, 6, 2)).astype("float32")
    assert model.predict(X, verbose=0).shape == (4, 2)


def test_bidirectional_rnn_reads_both_ways():
    model = models.rnn((6, 2), 3, units=(4,), bidirectional=True, dropout=0.1, seed=0)
    wrapper = model.get_layer("rnn_1")
    assert isinstance(wrapper, keras.layers.Bidirectional)
    assert wrapper.output.shape == (None, 8)
    forward, backward = wrapper.forward_layer, wrapper.backward_layer
    assert backward.go_backwards
    assert not np.array_equal(forward.get_weights()[0], backward.get_weights()[0])


def test_autoencoder_reconstructs_its_input():
    model = models.autoencoder(n_features=6, hidden_layers=(5, 4), code_size=2, seed=0)
    assert [layer.name for layer in model.layers] == ["hidden_1", "hidden_2", "code", "hidden_4",
                                                      "hidden_5", "output"]  # fmt: skip
    assert model.get_layer("code").output.shape == (None, 2)
    assert model.output_shape == (None, 6)
    with pytest.raises(ValueError, match="Received: n_outputs=3"):
        models.autoencoder(n_features=6, n_outputs=3)


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"),
    [
        ("mlp", {"n_features": 4, "normalization": "group"}, "Received: normalization='group'"),
        ("mlp", {"n_features": 4, "l1": -1.0}, "Received: l1=-1.0"),
        ("mlp", {"n_features": 4, "activation": "maxout", "maxout_pieces": 1},
         "Received: maxout_pieces=1"),
        ("cnn", {"input_shape": (4,)}, r"Received: input_shape=\(4,\)"),
        ("cnn", {"input_shape": (8, 8), "filters": ()}, r"Received: filters=\(\)"),
        ("cnn", {"input_shape": (8, 8), "kernel_size": 0}, "Received: kernel_size=0"),
        ("cnn", {"input_shape": (8, 8), "dense_layers": (), "dropout": 0.5}, "has none"),
        ("rnn", {"input_shape": (8, 8, 1)}, r"Received: input_shape=\(8, 8, 1\)"),
        ("rnn", {"input_shape": (8, 2), "cell": "transformer"}, "Received: cell='transformer'"),
        ("rnn", {"input_shape": (8, 2), "bidirectional": 1}, "Received: bidirectional=1"),
        ("autoencoder", {"n_features": 4, "code_size": 0}, "Received: code_size=0"),
        ("cnn", {"input_shape": (8, 8), "hidden_layers": (8,)}, "does not take `hidden_layers`"),
        ("rnn", {"input_shape": (8, 2), "normalization": "batch"}, "does not take `normalization`"),
    ],
)  # fmt: skip
def test_new_knobs_are_checked_and_named(factory, kwargs, message):
    arguments = {"n_outputs": 3, **kwargs} if factory != "autoencoder" else kwargs
    with pytest.raises(ValueError, match=message):
        kerasguide.build_model(factory, **arguments)


def test_every_model_names_its_optimizer_the_same():
    # TensorFlow keeps memory for every distinct variable name (benchmarks/variable_names.py):
    # numbered optimizers (adam_1, adam_2, ...) made every fit grow memory.
    import keras

    names = []
    for _ in range(3):
        model = kerasguide.build_model("mlp", n_features=4, n_outputs=3, optimizer="Adam")
        model.optimizer.build(model.trainable_variables)
        names.append([v.path for v in model.optimizer.variables])
    assert names[0] == names[1] == names[2]
    assert names[0][0].startswith("adam/")
    # What Keras itself does with unnamed optimizers:
    assert keras.optimizers.get("adam").name != keras.optimizers.get("adam").name
