"""The talk's experiments as data, consistent with the registry, the factories and the talk;
and kerasguide.app.runner, which runs them."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from kerasguide.app import experiments as ex
from kerasguide.app import runner
from kerasguide.models import COMPILE_OPTIONS
from kerasguide.registry import get_model_builder, list_models

ALL_SPECS = [*ex.EXPERIMENTS, *ex.BOUNDARY_MODELS]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.name)
def test_every_model_is_registered_and_takes_its_params(spec):
    assert spec.model in list_models()
    accepted = set(inspect.signature(get_model_builder(spec.model)).parameters)
    unknown = set(spec.params) - accepted - COMPILE_OPTIONS
    assert not unknown, f"{spec.name}: {spec.model} does not take {unknown}"


def test_names_are_unique():
    for specs in (ex.EXPERIMENTS, ex.BOUNDARY_MODELS):
        names = [s.name for s in specs]
        assert len(names) == len(set(names))


def test_the_talk_order_and_figures():
    figures = {e.name: e.talk.test for e in ex.EXPERIMENTS if e.talk}
    assert figures == {
        "softmax": 92.5,
        "linear_hidden": 88.8,
        "relu_hidden": 95.2,
        "l2": 95.1,
        "dropout": 93.1,
    }
    assert [e.name for e in ex.EXPERIMENTS][-1] == "modern"  # our own row comes last
    assert ex.TALK_NO_REGULARIZATION.test == 92.9
    assert (ex.HOUSES.talk_scratch_rmse, ex.HOUSES.talk_keras_rmse) == (6052.79, 5967.39)


def test_the_talk_rows_use_the_talk_settings():
    by_name = {e.name: e for e in ex.EXPERIMENTS}
    for exp in ex.EXPERIMENTS:
        if exp.talk is not None:
            assert exp.params["optimizer"] == "sgd"
            assert exp.params["learning_rate"] == 0.05
            assert exp.batch_size == ex.BATCH_SIZE
    assert by_name["linear_hidden"].params["activation"] == "linear"
    assert by_name["dropout"].params["dropout"] == 0.5
    # The talk doubled the epochs for dropout.
    assert by_name["dropout"].epochs == 2 * by_name["relu_hidden"].epochs


def test_goals():
    goals = {e.name: (e.at_least, e.not_above) for e in ex.EXPERIMENTS}
    assert goals["softmax"] == (92.5, None)
    assert goals["linear_hidden"] == (None, "softmax")
    assert goals["relu_hidden"][0] == 95.2
    assert goals["l2"][0] == 95.1
    assert goals["dropout"][0] == 93.1
    assert goals["modern"][0] >= 98.0
    assert all(e.goal for e in ex.EXPERIMENTS)


def test_check_goals():
    def result(name, accuracy):
        exp = next(e for e in ex.EXPERIMENTS if e.name == name)
        return runner.ExperimentResult(exp, 1, accuracy, accuracy, 0.0, {})

    met = runner.check_goals([result("softmax", 92.6), result("linear_hidden", 92.7)])
    assert met == {"softmax": True, "linear_hidden": False}
    met = runner.check_goals([result("softmax", 92.4), result("linear_hidden", 92.4)])
    assert met == {"softmax": False, "linear_hidden": True}


@pytest.mark.parametrize("dataset", list(ex.SCHEDULES))
def test_schedules_shrink_in_quick_mode(dataset):
    schedule = ex.SCHEDULES[dataset]
    for exp in ex.EXPERIMENTS:
        assert 1 <= schedule.epochs(exp, quick=True) <= schedule.epochs(exp, quick=False)


@pytest.mark.parametrize("dataset", ["digits", "houses", "xor", "circles"])
def test_load_split_is_reproducible_float32(dataset):
    first = runner.load_split(dataset, seed=3)
    again = runner.load_split(dataset, seed=3)
    assert first.task == ex.DATASETS[dataset]
    assert first.X_train.dtype == np.float32
    assert first.X_train.shape[1] == first.X_test.shape[1]
    assert len(first.X_train) == len(first.y_train) > len(first.y_test) > 0
    np.testing.assert_array_equal(first.X_test, again.X_test)
    np.testing.assert_array_equal(first.y_train, again.y_train)


def test_houses_are_standardised_with_the_training_statistics():
    split = runner.load_split("houses", seed=0)
    assert split.target_std > 1000  # prices are in dollars
    np.testing.assert_allclose(split.X_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(split.y_train.mean(), 0.0, atol=1e-5)


def test_mnist_from_a_local_file(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 50),
        x_test=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 20),
    )
    split = runner.load_split("mnist", mnist=path)
    assert split.X_train.shape == (50, 784)
    assert split.X_test.shape == (20, 784)
    assert split.source.startswith("MNIST")
    assert split.n_outputs == 10
    with pytest.raises(FileNotFoundError):
        runner.load_split("mnist", mnist=tmp_path / "missing.npz")


def test_unknown_dataset():
    with pytest.raises(ValueError, match="Known datasets"):
        runner.load_split("cifar")


def test_build_matches_the_model_to_the_dataset():
    xor = runner.load_split("xor", n_samples=40)
    assert runner.build("softmax_regression", xor, seed=0).output_shape == (None, 2)
    assert runner.build("mlp", xor, seed=0, hidden_layers=(3,)).output_shape == (None, 1)
    with pytest.raises(ValueError, match="datasets it fits: houses"):
        runner.build("linear_regression", runner.load_split("digits"), seed=0)
    with pytest.raises(ValueError, match="Unknown model name"):
        runner.build("resnet", xor, seed=0)


def test_run_experiment_on_a_small_split():
    split = runner.load_split("digits")
    split.X_train, split.y_train = split.X_train[:300], split.y_train[:300]
    result = runner.run_experiment(ex.EXPERIMENTS[0], split, epochs=2)
    assert result.epochs == 2
    assert 0 <= result.test_accuracy <= 100
    assert 0 <= result.train_accuracy <= 100
    assert len(result.history["loss"]) == len(result.history["test_accuracy"]) == 2
    row = result.to_dict()
    assert row["name"] == "softmax"
    assert row["talk_test_accuracy"] == 92.5


def test_run_houses_quick():
    houses = runner.run_houses(quick=True)
    # The prices carry Gaussian noise of ex.HOUSES.noise dollars: no model can do much better.
    for key in ("scratch_rmse", "keras_rmse"):
        assert 0.7 * ex.HOUSES.noise < houses[key] < 1.5 * ex.HOUSES.noise
    assert len(houses["history"]["scratch"]) == houses["epochs"]
