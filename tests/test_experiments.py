"""The talk's experiments and datasets as data, consistent with the registry, the estimators
and the talk; and kerasguide.app.runner, which runs them through the estimators."""

from __future__ import annotations

import numpy as np
import pytest

import kerasguide
from kerasguide.app import datasets_table as dt
from kerasguide.app import experiments as ex
from kerasguide.app import runner
from kerasguide.zoo.models import TALK_LEARNING_RATE
from kerasguide.zoo.registry import list_models

ALL_SPECS = [*ex.EXPERIMENTS, *ex.BOUNDARY_MODELS]


@pytest.fixture(scope="module")
def tiny_digits():
    split = dt.load_split("digits")
    return split.X_train[:60], split.y_train[:60]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.name)
def test_every_model_is_registered_and_trains_with_its_params(spec, tiny_digits):
    # The estimator refuses a parameter the model cannot take: one epoch on a few rows.
    assert spec.model in list_models()
    X, y = tiny_digits
    if spec in ex.BOUNDARY_MODELS:
        y = y % 2  # the boundary models are binary
    clf = runner.make_estimator("multiclass", spec.model, epochs=1, batch_size=30, **spec.params)
    assert not runner.fit_epochs(clf, X, y)
    assert clf.n_iter_ == 1


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
            assert exp.params["learning_rate"] == TALK_LEARNING_RATE
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
    by_name = {e.name: e for e in ex.EXPERIMENTS}

    def result(name, accuracy, dataset="mnist"):
        exp = by_name[name]
        goal = exp.setting(dataset).goal
        return runner.ExperimentResult(exp, 1, accuracy, accuracy, 0.0, {}, goal=goal)

    met = runner.check_goals([result("softmax", 92.6), result("linear_hidden", 92.7)])
    assert met == {"softmax": True, "linear_hidden": False}
    met = runner.check_goals([result("softmax", 92.4), result("linear_hidden", 92.4)])
    assert met == {"softmax": False, "linear_hidden": True}
    # On digits the linear hidden layer may sit within 1.5 points of softmax; ReLU must beat it.
    digits = [result("softmax", 96.0, "digits"), result("linear_hidden", 97.4, "digits"),
              result("relu_hidden", 96.0, "digits")]  # fmt: skip
    assert runner.check_goals(digits) == {"softmax": True, "linear_hidden": True,
                                          "relu_hidden": False}  # fmt: skip
    unchecked = runner.ExperimentResult(by_name["softmax"], 1, 50.0, 50.0, 0.0, {})
    assert runner.check_goals([unchecked]) == {"softmax": None}


def test_check_goals_compares_zeros_with_zeros():
    # L2's goal is on its share of zeros against L1's, never against L1's accuracy.
    def result(name, accuracy, zeros):
        exp = ex.ROADMAP_BY_NAME[name]
        goal = exp.setting("mnist").goal
        return runner.ExperimentResult(exp, 1, accuracy, accuracy, 0.0, {}, goal=goal,
                                       near_zero_weights=zeros)  # fmt: skip

    # 60 % zeros is within L1's 98.2 % zeros minus 30, though above its 88 % accuracy minus 30.
    met = runner.check_goals([result("reg_l2", 93.8, 60.0), result("reg_l1", 88.0, 98.2)])
    assert met == {"reg_l2": True, "reg_l1": True}
    met = runner.check_goals([result("reg_l2", 93.8, 70.0), result("reg_l1", 88.0, 98.2)])
    assert met == {"reg_l2": False, "reg_l1": True}
    assert ex.ROADMAP_BY_NAME["reg_l2"].setting("mnist").goal.text == "<= reg_l1 - 30 (zeros)"


def test_every_row_has_a_goal_on_digits():
    # A quick run falls back to digits: every row is judged there, with a goal of its own.
    for exp in ex.EXPERIMENTS:
        setting = exp.setting("digits")
        assert setting is not None, exp.name
        assert setting.goal.text
        assert setting.epochs >= 1
        assert setting.batch_size >= 1
    assert ex.Goal(above="softmax", margin=0.5).text == "> softmax + 0.5"
    assert ex.Goal(at_most=30.0).met(29.0, {}) is True
    assert ex.Goal(not_above="x").met(1.0, {}) is None  # the row it compares with did not run


REPRODUCE_DATASETS = [name for name, spec in dt.DATASETS.items() if spec.epochs_scale]


def test_reproduce_datasets():
    assert REPRODUCE_DATASETS == ["digits", "mnist"]
    with pytest.raises(ValueError, match="not one to reproduce"):
        dt.DATASETS["xor"].epochs(10, quick=False)


def test_epochs_shrink_in_quick_mode():
    spec = dt.DATASETS["mnist"]
    for exp in ex.EXPERIMENTS:
        assert 1 <= spec.epochs(exp.epochs, quick=True) < spec.epochs(exp.epochs, quick=False)


def test_each_model_has_a_default_dataset_that_fits_it():
    from kerasguide.zoo.registry import get_model_card, list_models

    for key in ("regression", "binary", "multiclass", "images", "sequences", "reconstruction"):
        assert len([s for s in dt.DATASETS.values() if key in s.default_for]) == 1, key
    defaults = {name: dt.default_dataset(get_model_card(name)) for name in list_models()}
    assert all(spec is not None and spec.fits(get_model_card(n)) for n, spec in defaults.items())
    names = {name: spec.name for name, spec in defaults.items()}
    assert names["logistic_regression"] == "xor"
    assert names["mlp"] == names["cnn"] == names["autoencoder"] == "digits"
    assert names["rnn"] == "sequences"


def test_which_models_fit_which_datasets():
    from kerasguide.zoo.registry import get_model_card as card

    assert dt.DATASETS["xor"].fits(card("softmax_regression"))  # a softmax over two classes
    assert dt.DATASETS["houses"].fits(card("mlp"))
    assert not dt.DATASETS["digits"].fits(card("linear_regression"))
    assert not dt.DATASETS["houses"].fits(card("logistic_regression"))
    assert dt.DATASETS["digits"].fits(card("cnn"))  # as 8x8x1 images
    assert not dt.DATASETS["houses"].fits(card("cnn"))  # no images there
    assert dt.DATASETS["sequences"].fits(card("rnn"))
    assert not dt.DATASETS["xor"].fits(card("rnn"))
    assert dt.DATASETS["houses"].fits(card("autoencoder"))  # it reconstructs any rows


@pytest.mark.parametrize("dataset", ["digits", "houses", "xor", "circles"])
def test_load_split_is_reproducible_float32(dataset):
    first = runner.load_split(dataset, seed=3)
    again = runner.load_split(dataset, seed=3)
    spec = dt.DATASETS[dataset]
    assert first.task == spec.task
    n_test = len(first.y_test) / (len(first.y_test) + len(first.y_train))
    assert n_test == pytest.approx(spec.test_size, abs=0.01)
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
    quick = runner.load_split("mnist", mnist=path, quick=True)
    assert len(quick.y_train) == 50  # fewer rows than the quick subset: all of them
    with pytest.raises(FileNotFoundError):
        runner.load_split("mnist", mnist=tmp_path / "missing.npz")


def test_unknown_dataset():
    with pytest.raises(ValueError, match="Known datasets"):
        runner.load_split("cifar")


def test_make_estimator_matches_the_task():
    assert isinstance(runner.make_estimator("binary", "mlp", epochs=3), kerasguide.KerasClassifier)
    reg = runner.make_estimator("regression", "linear_regression", epochs=3, learning_rate=0.1)
    assert isinstance(reg, kerasguide.KerasRegressor)
    params = reg.get_params()
    assert params["normalize_y"] is False  # the splits are standardised already
    assert (params["epochs"], params["n_iter_no_change"], params["learning_rate"]) == (3, 3, 0.1)


def test_a_multiclass_model_on_a_binary_split():
    xor = runner.load_split("xor", n_samples=80)
    clf = runner.make_estimator(xor.task, "softmax_regression", epochs=2, **ex.TALK_SGD)
    runner.fit_epochs(clf, xor.X_train, xor.y_train)
    assert clf.model_.output_shape == (None, 2)
    assert set(clf.predict(xor.X_test)) <= {0, 1}


def test_fit_epochs_trains_every_epoch_without_a_convergence_warning(recwarn):
    split = runner.load_split("houses", n_samples=100)
    # A tol so large that the tol rule alone would stop after n_iter_no_change epochs.
    reg = runner.make_estimator("regression", "linear_regression", epochs=30, tol=1.0)
    assert runner.fit_epochs(reg, split.X_train, split.y_train) is False
    assert reg.n_iter_ == 30
    assert not [w for w in recwarn if "ConvergenceWarning" in w.category.__name__]


def test_fit_epochs_reports_an_interruption(monkeypatch):
    import keras

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "train_on_batch", interrupt)
    monkeypatch.setattr(keras.Model, "fit", interrupt)  # the estimators' fused path
    split = runner.load_split("xor", n_samples=80)
    clf = runner.make_estimator(split.task, "logistic_regression", epochs=5)
    assert runner.fit_epochs(clf, split.X_train, split.y_train) is True
    with pytest.raises(KeyboardInterrupt):
        runner.run_experiment(ex.EXPERIMENTS[0], split, epochs=2)


def test_run_experiment_on_a_small_split():
    split = runner.load_split("digits")
    split.X_train, split.y_train = split.X_train[:300], split.y_train[:300]
    result = runner.run_experiment(ex.EXPERIMENTS[0], split, epochs=2)
    assert result.epochs == 2
    assert 0 <= result.test_accuracy <= 100
    assert 0 <= result.train_accuracy <= 100
    assert list(result.history) == ["loss"]
    assert len(result.history["loss"]) == 2
    row = result.to_dict()
    assert row["name"] == "softmax"
    assert row["talk_test_accuracy"] == 92.5


def test_the_record_holds_the_parameters_a_row_trained_with():
    # The CNN's setting on digits adds its input shape, rate and small filters to the row's.
    split = runner.load_split("digits")
    split.X_train, split.y_train = split.X_train[:200], split.y_train[:200]
    cnn = ex.ROADMAP_BY_NAME["cnn"]
    setting = cnn.setting("digits")
    result = runner.run_experiment(cnn, split, epochs=1, params=dict(setting.params))
    params = result.to_dict()["params"]
    assert params["optimizer"] == "adam"
    assert params["learning_rate"] == setting.params["learning_rate"]
    assert params["input_shape"] == [8, 8, 1]
    assert params["model_params"] == {"filters": [32], "dense_layers": [64]}


def test_run_houses_quick():
    houses = runner.run_houses(quick=True)
    # The prices carry Gaussian noise of `noise` dollars: no model can do much better.
    noise = dt.DATASETS["houses"].noise
    assert houses["noise"] == noise
    for key in ("scratch_rmse", "keras_rmse"):
        assert 0.7 * noise < houses[key] < 1.5 * noise
    assert len(houses["history"]["scratch"]) == houses["epochs"]
    assert len(houses["history"]["keras"]) == houses["epochs"]


def test_fit_epochs_shows_other_warnings():
    from sklearn.exceptions import DataConversionWarning

    split = runner.load_split("xor", n_samples=80)
    clf = runner.make_estimator(split.task, "logistic_regression", epochs=2)
    with pytest.warns(DataConversionWarning):  # y as a column vector
        runner.fit_epochs(clf, split.X_train, split.y_train.reshape(-1, 1))


@pytest.fixture(scope="module")
def tiny_sequences():
    split = dt.load_split("sequences", n_samples=80)
    return split.X_train, split.y_train


@pytest.mark.parametrize("spec", ex.ROADMAP, ids=lambda s: s.name)
def test_every_roadmap_row_trains_with_its_params(spec, tiny_digits, tiny_sequences):
    X, y = tiny_sequences if spec.data == "sequences" else tiny_digits
    for dataset in ("mnist", "digits"):
        setting = spec.setting(dataset)
        assert setting.goal.text, (spec.name, dataset)
    params = dict(spec.setting("digits").params)
    if "input_shape" in params and spec.data is None:
        params["input_shape"] = (8, 8, 1)
    clf = runner.make_estimator(
        "multiclass", spec.model, epochs=1, batch_size=30,
        **runner.resolve_params({**spec.params, **params}),
    )  # fmt: skip
    assert not runner.fit_epochs(clf, X, y)
    assert clf.n_iter_ == 1


def test_the_roadmap_covers_the_talk():
    names = [e.name for e in ex.ROADMAP]
    assert len(names) == len(set(names))
    assert not set(names) & {e.name for e in ex.EXPERIMENTS}
    by_knob = {
        "activation": {"sigmoid", "tanh", "relu", "leaky_relu", "maxout"},
        "kernel_initializer": {"constant", "random_normal", "glorot_uniform", "he_normal"},
    }
    for knob, values in by_knob.items():
        assert {e.params[knob] for e in ex.ROADMAP if knob in e.params} == values
    assert {e.model for e in ex.ROADMAP} == {"mlp", "cnn", "rnn"}
    assert ex.ROADMAP_BY_NAME["cnn"].setting("mnist").goal.at_least == 99.3
    # Comparisons name rows of the same table.
    for exp in ex.ROADMAP:
        for dataset in ("mnist", "digits"):
            goal = exp.setting(dataset).goal
            assert (goal.above or goal.not_above or names[0]) in names
    assert ex.Goal(not_above="act_relu", margin=-5.0).text == "<= act_relu - 5"
    assert ex.ROADMAP_BY_NAME["seq_rnn"].setting("digits").goal.above == "seq_mlp"


def test_near_zero_weights_counts_the_first_kernel():
    split = dt.load_split("digits")
    X, y = split.X_train[:200], split.y_train[:200]
    clf = runner.make_estimator("multiclass", "mlp", epochs=1, hidden_layers=(8,),
                                kernel_initializer="zeros")  # fmt: skip
    runner.fit_epochs(clf, X, y)
    # Zero weights under ReLU get zero gradients: the first kernel stays all zeros.
    assert runner.near_zero_weights(clf) == 100.0
    clf = runner.make_estimator("multiclass", "mlp", epochs=1, hidden_layers=(8,))
    runner.fit_epochs(clf, X, y)
    assert runner.near_zero_weights(clf) < 10.0  # Glorot's weights are rarely that small


def test_optimizer_paths_use_keras_optimizers_on_the_valley():
    paths = runner.optimizer_paths()
    assert list(paths) == list(ex.OPTIMIZER_PATHS)
    start = np.asarray(ex.OPTIMIZER_START)
    for label, path in paths.items():
        assert path.shape == (ex.OPTIMIZER_STEPS + 1, 2), label
        np.testing.assert_allclose(path[0], start)
        # Every optimizer ends lower on the valley than it started.
        assert ex.valley(*path[-1]) < ex.valley(*start), label
    # Plain SGD, at a rate near the steep direction's limit, zigzags across the valley.
    assert np.all(np.diff(np.sign(paths["SGD"][:10, 1])) != 0)
