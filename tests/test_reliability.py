"""Nothing silently wrong: each defect found by probing the estimators as a new user would.

Every test here failed before its fix (the issue's item number is in the test's name).
"""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator.backend import float64_available
from kerasguide.exceptions import ConvergenceWarning

FAST = {"hidden_layers": (8,), "epochs": 5, "learning_rate": 0.01, "random_state": 0}


@pytest.fixture
def binary():
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    return X, y


@pytest.fixture
def three_classes():
    X, y = make_classification(
        n_samples=90, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X, y


def _fit(estimator, X, y, **kwargs):
    with pytest.warns(ConvergenceWarning):
        return estimator.fit(X, y, **kwargs)


def _quiet_fit(estimator, X, y, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **kwargs)


def _state(estimator) -> list[np.ndarray]:
    model = estimator._model_
    return [keras.ops.convert_to_numpy(v) for v in model.variables + model.optimizer.variables]


def test_01_a_saved_model_trains_in_a_fresh_process(tmp_path, binary):
    X, y = binary
    clf = _quiet_fit(KerasClassifier(l2=1e-3, **FAST), X, y)
    path = tmp_path / "m.keras"
    clf.model_.save(path)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y.reshape(-1, 1).astype(X.dtype))
    code = textwrap.dedent(
        f"""
        import numpy as np, keras
        import kerasguide.layers  # registers kerasguide's L2
        model = keras.saving.load_model({str(path)!r})
        X, y = np.load({str(tmp_path / "X.npy")!r}), np.load({str(tmp_path / "y.npy")!r})
        X = X.astype(model.inputs[0].dtype)
        print(type(model.get_layer("output").kernel_regularizer).__module__)
        model.evaluate(X, y, verbose=0)
        model.fit(X, y, epochs=1, verbose=0)
        print("trained")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["kerasguide.zoo.layers", "trained"]


def test_01_an_unpickled_estimator_continues_training(binary):
    X, y = binary
    clf = _quiet_fit(KerasClassifier(l2=1e-3, optimizer=keras.optimizers.Adam(0.01), **{
        **FAST, "learning_rate": None}), X, y)  # fmt: skip
    code = "import pickle, sys; clf = pickle.loads(sys.stdin.buffer.read()); "
    code += "import numpy as np; rng = np.random.default_rng(0); "
    code += "X = rng.normal(size=(20, 5)); y = rng.integers(0, 2, 20); "
    code += "clf.partial_fit(X, y); print(clf.n_iter_)"
    out = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(clf), capture_output=True, timeout=120
    )
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    assert int(out.stdout.decode().split()[-1]) == clf.n_iter_ + 1


@pytest.mark.parametrize(
    ("change", "name"),
    [({"hidden_layers": (4,)}, "hidden_layers"), ({"dropout": 0.5}, "dropout"),
     ({"model": "softmax_regression", "hidden_layers": None}, "model"),
     ({"optimizer": "sgd"}, "optimizer")],
)  # fmt: skip
def test_02_warm_start_refuses_changed_architecture(binary, change, name):
    X, y = binary
    clf = _quiet_fit(KerasClassifier(warm_start=True, **FAST), X, y)
    before = _state(clf)
    clf.set_params(**change)
    with pytest.raises(ValueError, match=f"`{name}` changed since it was built"):
        clf.fit(X, y)
    for a, b in zip(before, _state(clf), strict=True):
        np.testing.assert_array_equal(a, b)


def test_02_warm_start_applies_a_new_learning_rate(binary):
    X, y = binary
    clf = _quiet_fit(KerasClassifier(warm_start=True, **FAST), X, y)
    clf.set_params(learning_rate=0.5)
    _quiet_fit(clf, X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.5)


def _callable(units: int, activation: str, width: int | None = None):
    """A ``model`` callable for binary targets (its input ``width`` fixed when given)."""

    def build(n_features, seed):
        model = keras.Sequential(
            [keras.Input((width or n_features,)), keras.layers.Dense(units, activation=activation)]
        )
        model.compile("adam", "binary_crossentropy")
        return model

    return build


@pytest.mark.parametrize(
    ("model", "message"),
    [(_callable(5, "softmax"), "has 5 output unit"),
     (_callable(1, "linear"), "ends in a 'linear' activation")],
)  # fmt: skip
def test_03_a_model_whose_outputs_do_not_fit_the_task_is_refused(binary, model, message):
    X, y = binary
    with pytest.raises(ValueError, match=message):
        KerasClassifier(model=model, epochs=1).fit(X, y)


def test_03_a_regression_head_on_a_classifier_is_refused(three_classes):
    X, y = three_classes
    clf = KerasClassifier(model_params={"task": "regression"}, epochs=1)
    with pytest.raises(ValueError, match=r"Received: task='regression'|activation"):
        clf.fit(X, y)


def test_04_a_diverged_fit_raises_and_leaves_the_estimator_as_it_was():
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    reg = _quiet_fit(KerasRegressor(**FAST), X, y)
    expected = reg.predict(X)
    with pytest.raises(ValueError, match="non-finite loss"):
        reg.fit(X * 1e200, y)
    np.testing.assert_array_equal(reg.predict(X), expected)


def test_05_a_compiled_keras_model_is_refused_naming_model(binary):
    X, y = binary
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    with pytest.raises(ValueError, match="`model` must be a registry name or a callable"):
        KerasClassifier(model=model).fit(X, y)


def test_06_the_same_seed_gives_the_same_initial_weights_for_either_dtype(binary):
    X, y = binary
    clf32 = KerasClassifier(epochs=1, random_state=3)
    clf64 = clone(clf32)
    first = {}

    class Capture(keras.callbacks.Callback):
        def __init__(self, key):
            super().__init__()
            self.key = key

        def on_train_begin(self, logs=None):
            first[self.key] = [np.asarray(w, dtype=np.float64) for w in self.model.get_weights()]

    _quiet_fit(clf32.set_params(callbacks=[Capture(32)]), X.astype(np.float32), y)
    _quiet_fit(clf64.set_params(callbacks=[Capture(64)]), X.astype(np.float64), y)
    for a, b in zip(first[32], first[64], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_07_an_optimizer_instance_keeps_its_own_learning_rate(binary):
    X, y = binary
    clf = _quiet_fit(
        KerasClassifier(optimizer=keras.optimizers.SGD(learning_rate=0.3), epochs=1), X, y
    )
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.3)
    clf = _quiet_fit(clf.set_params(learning_rate=0.02), X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.02)


def test_10_a_bad_callback_is_named(binary):
    X, y = binary
    with pytest.raises(ValueError, match=r"`callbacks` must be a list of keras\.callbacks"):
        KerasClassifier(callbacks=[3], epochs=1).fit(X, y)


def test_11_a_callable_of_the_wrong_width_says_both_widths(binary):
    X, y = binary
    build = _callable(1, "sigmoid", width=7)
    with pytest.raises(ValueError, match=r"takes inputs of shape \(7,\), but X has rows of shape"):
        KerasClassifier(model=build, epochs=1).fit(X, y)


@pytest.mark.parametrize(
    ("class_weight", "message"),
    [({0: -1.0, 1: 1.0}, "Negative values in data passed to `class_weight`"),
     ({0: 0.0, 1: 0.0}, "at least one non-zero")],
)  # fmt: skip
def test_16_class_weight_gets_the_sample_weight_checks(binary, class_weight, message):
    X, y = binary
    with pytest.raises(ValueError, match=message):
        KerasClassifier(class_weight=class_weight, epochs=1).fit(X, y)


def test_17_a_failed_warm_fit_restores_the_optimizer_state(binary):
    X, y = binary
    a = _quiet_fit(KerasClassifier(warm_start=True, **FAST), X, y)
    b = _quiet_fit(KerasClassifier(warm_start=True, **FAST), X, y)
    with pytest.raises(ValueError, match="non-finite"):
        a.fit(X * 1e200, y)
    for x, z in zip(_state(a), _state(b), strict=True):
        np.testing.assert_array_equal(x, z)
    _quiet_fit(a, X, y)
    _quiet_fit(b, X, y)
    for x, z in zip(_state(a), _state(b), strict=True):
        np.testing.assert_array_equal(x, z)


def test_18_partial_fit_refuses_changed_classes_and_warm_fit_other_classes(three_classes):
    X, y = three_classes
    clf = KerasClassifier(**FAST).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"`classes=\[0, 1\]` is not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1])
    warm = _quiet_fit(KerasClassifier(warm_start=True, **FAST), X, y)
    keep = y != 2
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
        warm.fit(X[keep], y[keep])


def test_19_callbacks_see_the_estimators_own_model_and_the_test_hooks(binary):
    X, y = binary
    seen = []

    class Keep(keras.callbacks.Callback):
        def on_test_end(self, logs=None):
            seen.append("test_end")

    keep = Keep()
    clf = _quiet_fit(
        KerasClassifier(callbacks=[keep], early_stopping=True, n_iter_no_change=50, **FAST), X, y
    )
    assert keep.model is clf._model_
    assert seen.count("test_end") == clf.n_iter_
    before = [w.copy() for w in keep.model.get_weights()]
    _quiet_fit(KerasClassifier(**FAST), X, y)  # same architecture, another estimator
    for a, b in zip(before, keep.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_20_early_stopping_refuses_a_class_too_small_to_stratify(three_classes):
    X, y = three_classes
    y = y.copy()
    y[0] = 3  # a class with one row
    with pytest.raises(ValueError, match="least populated class"):
        KerasClassifier(early_stopping=True, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="needs at least 2"):
        KerasClassifier(early_stopping=True, validation_fraction=0.01, epochs=1).fit(
            X[:40], (np.arange(40) % 2)
        )


def test_22_a_seeded_fit_leaves_pythons_random_alone(binary):
    X, y = binary
    state = random.getstate()
    _quiet_fit(KerasClassifier(**FAST), X, y)
    assert random.getstate() == state


def test_25_a_subclass_that_fixes_parameters_fits(binary):
    X, y = binary

    class Small(KerasClassifier):
        def __init__(self, width=4):
            self.width = width
            super().__init__(hidden_layers=(width,), epochs=3, random_state=0)

    clf = _quiet_fit(Small(width=6), X, y)
    assert clf.model_.get_layer("hidden_1").units == 6
    assert clone(clf).get_params() == {"width": 6}


@pytest.mark.skipif(not float64_available(), reason="the backend trains float64 data in float32")
def test_06_float64_data_trains_a_float64_model(binary):
    X, y = binary
    clf = _quiet_fit(KerasClassifier(**FAST), X, y)
    assert clf.model_.layers[-1].kernel.dtype == "float64"
