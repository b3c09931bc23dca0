"""The registry: one dict, a decorator, three verbs."""

from __future__ import annotations

import re

import pytest

import kerasguide
from kerasguide.exceptions import InvalidParameterError
from kerasguide.zoo import registry


def test_list_models_sorted_and_complete():
    names = kerasguide.list_models()
    assert names == sorted(names)
    for required in ("linear_regression", "logistic_regression", "softmax_regression", "mlp"):
        assert required in names


def test_list_models_by_task():
    assert "softmax_regression" in kerasguide.list_models(task="multiclass")
    assert "linear_regression" not in kerasguide.list_models(task="multiclass")
    assert "mlp" in kerasguide.list_models(task="regression")  # declared for any task


def test_unknown_name_names_closest_match_and_known_names():
    with pytest.raises(ValueError, match="Unknown model name 'mpl'") as info:
        kerasguide.build_model("mpl", n_features=3, n_outputs=2)
    message = str(info.value)
    assert "Did you mean 'mlp'?" in message
    for name in kerasguide.list_models():
        assert name in message


def test_cards_have_one_line_descriptions():
    for name in kerasguide.list_models():
        card = registry.get_model_card(name)
        assert card.name == name
        assert card.description
        assert "\n" not in card.description
        assert card.tasks
        assert set(card.tasks) <= set(registry.TASKS)
        assert card.input in registry.INPUTS


def test_cards_say_what_each_model_eats_and_serves():
    card = registry.get_model_card
    assert card("cnn").input == "images"
    assert card("rnn").input == "sequences"
    assert card("mlp").input == card("autoencoder").input == "rows"
    assert card("mlp").tasks == card("cnn").tasks == registry.TASKS  # no vague "any" left
    assert card("logistic_regression").tasks == ("binary",)
    assert card("autoencoder").reconstructs
    assert not card("mlp").reconstructs
    # The one-word summary older code reads: the single task, or "any" for several.
    assert card("mlp").task == "any"
    assert card("softmax_regression").task == "multiclass"


def test_list_models_by_input():
    assert kerasguide.list_models(input="images") == ["cnn"]
    assert kerasguide.list_models(input="sequences") == ["rnn"]
    assert "cnn" in kerasguide.list_models(task="binary")
    assert kerasguide.list_models(task="any") == ["cnn", "mlp", "rnn"]


@pytest.fixture
def scratch_registry(monkeypatch):
    """A copy of the registry, so test registrations do not leak."""
    monkeypatch.setattr(registry, "REGISTRY", dict(registry.REGISTRY))


def test_register_bare_and_with_arguments(scratch_registry):
    @kerasguide.register_model
    def tiny_model(n_features, n_outputs, **options):
        """A tiny test model."""
        return kerasguide.build_model("mlp", n_features=n_features, n_outputs=n_outputs, **options)

    @kerasguide.register_model(name="wide_model", task="multiclass", description="Wide.")
    def _wide(n_features, n_outputs, **options):
        return kerasguide.build_model(
            "mlp", n_features=n_features, n_outputs=n_outputs, hidden_layers=(64,), **options
        )

    assert "tiny_model" in kerasguide.list_models()
    assert registry.get_model_card("tiny_model").description == "A tiny test model."
    assert registry.get_model_card("wide_model").task == "multiclass"
    assert kerasguide.get_model_builder("wide_model") is _wide
    model = kerasguide.build_model("wide_model", n_features=4, n_outputs=3)
    assert model.get_layer("hidden_1").units == 64


def test_duplicate_registration_raises(scratch_registry):
    with pytest.raises(ValueError, match="already registered"):

        @kerasguide.register_model(name="mlp")
        def another(n_features, n_outputs):  # pragma: no cover - never built
            return None


@pytest.mark.parametrize("task", ["vision", "", 3])
def test_list_models_refuses_an_unknown_task(task):
    valid = ", ".join(repr(t) for t in registry.TASKS)
    message = rf"`task` must be None, 'any' or one of \[{valid}\]\. Received: task={task!r}$"
    with pytest.raises(InvalidParameterError, match=message):
        kerasguide.list_models(task=task)
    with pytest.raises(InvalidParameterError, match="Received: input='text'"):
        kerasguide.list_models(input="text")


@pytest.mark.parametrize("task", ["vision", ("binary", "vision"), (), 3])
def test_unknown_task_raises(task):
    with pytest.raises(InvalidParameterError, match=re.escape(f"Received: task={task!r}")):
        kerasguide.register_model(task=task)
    with pytest.raises(InvalidParameterError, match="Received: input='video'"):
        kerasguide.register_model(input="video")


def test_register_with_several_tasks_and_an_input(scratch_registry):
    @kerasguide.register_model(task=("binary", "multiclass"), input="images")
    def tiny_images(input_shape, n_outputs, task="multiclass", **options):  # pragma: no cover
        return None

    card = registry.get_model_card("tiny_images")
    assert card.tasks == ("binary", "multiclass")
    assert card.input == "images"
    assert "tiny_images" in kerasguide.list_models(task="binary", input="images")
    assert "tiny_images" not in kerasguide.list_models(task="regression")


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")
def test_estimators_train_a_model_for_each_task_its_card_serves(scratch_registry):
    import numpy as np

    from kerasguide import KerasClassifier

    @kerasguide.register_model(name="two_task", task=("binary", "multilabel"))
    def two_task(input_shape=None, n_outputs=1, *, task="binary", n_features=None, **options):
        """Binary or multilabel only."""
        return kerasguide.build_model(
            "mlp", input_shape=input_shape, n_features=n_features, n_outputs=n_outputs,
            task=task, hidden_layers=(4,), **options,
        )  # fmt: skip

    X = np.random.default_rng(0).random((30, 3))
    rows = np.arange(30)
    assert KerasClassifier(model="two_task", epochs=1).fit(X, rows % 2).task_ == "binary"
    multilabel = np.c_[rows % 2, rows % 3 == 0].astype(int)
    assert KerasClassifier(model="two_task", epochs=1).fit(X, multilabel).task_ == "multilabel"
    with pytest.raises(ValueError, match="made for binary or multilabel targets but y is multi"):
        KerasClassifier(model="two_task", epochs=1).fit(X, rows % 3)
