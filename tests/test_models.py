"""Every model of the zoo is built, shape-checked, seed-checked and trained on a small dataset."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import kerasguide
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
    assert normal.layers[-1].kernel_initializer.__class__.__name__ == "RandomNormal"


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
