"""Behaviours of KerasClassifier and KerasRegressor, each with a test that fails without it."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
import warnings

import joblib
import keras
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator.backend import float64_available
from kerasguide.exceptions import ConvergenceWarning, TrainingInterruptedWarning

FAST = {"hidden_layers": (16,), "epochs": 15, "learning_rate": 0.01, "random_state": 0}
# Enough epochs to pass an accuracy bar whatever initial weights the backend's seeded random
# generator draws (each backend draws different numbers from the same seed).
TRAINED = {**FAST, "epochs": 30}


def fit(estimator, *args, **kwargs):
    """``estimator.fit``, with the ConvergenceWarning of short test fits ignored (only it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        return estimator.fit(*args, **kwargs)


# --------------------------------------------------------------------------- targets


def test_string_labels_and_proba_shapes(blobs):
    X, y = blobs
    clf = fit(KerasClassifier(**TRAINED), X, y)
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    assert clf.task_ == "multiclass"
    assert set(clf.predict(X)) <= set(clf.classes_)
    assert clf.score(X, y) > 0.9
    proba = clf.predict_proba(X[:1])
    assert proba.shape == (1, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_non_contiguous_integer_labels(blobs):
    X, y = blobs
    labels = np.select([y == "cat", y == "dog"], [-7, 40], 1000)
    clf = fit(KerasClassifier(**TRAINED), X, labels)
    np.testing.assert_array_equal(clf.classes_, [-7, 40, 1000])
    assert clf.score(X, labels) > 0.9


def test_binary_has_one_sigmoid_unit_and_two_probability_columns(blobs):
    X, y = blobs
    keep = y != "emu"
    clf = fit(KerasClassifier(**FAST), X[keep], y[keep])
    assert clf.task_ == "binary"
    assert clf.n_outputs_ == 1
    assert clf.model_.output_shape == (None, 1)
    proba = clf.predict_proba(X[keep][:1])
    assert proba.shape == (1, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_softmax_regression_on_binary_targets_uses_two_units(blobs):
    X, y = blobs
    keep = y != "emu"
    clf = fit(
        KerasClassifier(model="softmax_regression", epochs=10, random_state=0), X[keep], y[keep]
    )
    assert clf.model_.output_shape == (None, 2)
    assert clf.predict_proba(X[:3]).shape == (3, 2)


def test_multilabel():
    from sklearn.datasets import make_multilabel_classification

    X, Y = make_multilabel_classification(n_samples=120, n_classes=4, random_state=0)
    clf = fit(KerasClassifier(**{**FAST, "epochs": 100}), X, Y)
    assert clf.task_ == "multilabel"
    assert clf.predict(X).shape == Y.shape
    assert set(np.unique(clf.predict(X))) <= {0, 1}
    assert clf.predict_proba(X[:1]).shape == (1, 4)
    assert (clf.predict(X) == Y).mean() > 0.8  # per-label accuracy


def test_logistic_regression_refuses_multiclass(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="made for binary targets but y is multiclass"):
        fit(KerasClassifier(model="logistic_regression"), X, y)


def test_one_class_is_refused():
    with pytest.raises(ValueError, match="only one class"):
        KerasClassifier().fit(np.zeros((5, 2)), np.ones(5))


def test_single_and_multi_output_regression(regression_data):
    X, Y = regression_data
    single = fit(KerasRegressor(**{**FAST, "epochs": 100}), X, Y[:, 0])
    assert single.predict(X).shape == (len(X),)
    assert single.score(X, Y[:, 0]) > 0.9
    multi = fit(KerasRegressor(**{**FAST, "epochs": 100}), X, Y)
    assert multi.predict(X).shape == Y.shape
    assert multi.n_outputs_ == 2
    assert multi.score(X, Y) > 0.9


def test_normalize_y_is_folded_into_the_model(regression_data):
    X, Y = regression_data
    reg = fit(KerasRegressor(**{**FAST, "epochs": 100}), X, Y * 1000 + 5e5)
    assert np.all(reg.y_scale_ > 100)
    np.testing.assert_allclose(
        reg.model_.predict(X, verbose=0), reg.predict(X), rtol=1e-4, atol=1e-2 * 1000
    )
    assert reg.score(X, Y * 1000 + 5e5) > 0.9
    raw = fit(KerasRegressor(normalize_y=False, **FAST), X, Y)
    np.testing.assert_array_equal(raw.y_scale_, [1.0, 1.0])


# --------------------------------------------------------------------------- weights


def test_sample_weight_changes_the_fit_and_integer_weights_act_like_repeats(blobs):
    X, y = blobs
    weights = np.where(y == "cat", 5.0, 1.0)
    params = {**FAST, "batch_size": 1000, "shuffle": False}
    weighted = fit(KerasClassifier(**params), X, y, sample_weight=weights)
    repeated = fit(
        KerasClassifier(**params),
        np.repeat(X, weights.astype(int), axis=0),
        np.repeat(y, weights.astype(int)),
    )
    plain = fit(KerasClassifier(**params), X, y)
    assert not np.allclose(weighted.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6)


def test_sample_weight_through_metadata_routing(blobs):
    import sklearn
    from sklearn.model_selection import cross_validate

    X, y = blobs
    weights = np.linspace(0.1, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        clf = KerasClassifier(**FAST).set_fit_request(sample_weight=True)
        clf = clf.set_score_request(sample_weight=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = cross_validate(clf, X, y, cv=2, params={"sample_weight": weights})
    assert result["test_score"].shape == (2,)


def test_class_weight_dict_and_balanced(blobs):
    X, y = blobs
    keep = (y != "emu") | (np.arange(len(y)) % 8 == 0)  # few emus
    X, y = X[keep], y[keep]
    heavy = fit(KerasClassifier(class_weight={"emu": 50.0, "cat": 1.0, "dog": 1.0}, **FAST), X, y)
    plain = fit(KerasClassifier(**FAST), X, y)
    emu = list(plain.classes_).index("emu")
    assert heavy.predict_proba(X)[:, emu].mean() > plain.predict_proba(X)[:, emu].mean()
    balanced = fit(KerasClassifier(class_weight="balanced", **FAST), X, y)
    assert balanced.predict_proba(X)[:, emu].mean() > plain.predict_proba(X)[:, emu].mean()


# --------------------------------------------------------------------------- training


def test_partial_fit_needs_classes_then_trains_one_epoch_per_call(blobs):
    X, y = blobs
    clf = KerasClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    assert not hasattr(clf, "model_")
    clf.partial_fit(X[:60], y[:60], classes=["cat", "dog", "emu"])
    assert clf.n_iter_ == 1
    for _ in range(9):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 10
    assert len(clf.loss_curve_) == 10
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match="outside classes_"):
        clf.partial_fit(X[:3], ["yak", "cat", "dog"])
    assert clf.n_iter_ == 10


def test_warm_start_continues_training(blobs):
    X, y = blobs
    clf = fit(KerasClassifier(warm_start=True, **{**FAST, "epochs": 5, "tol": 0}), X, y)
    model, first_curve = clf.model_, list(clf.loss_curve_)
    fit(clf, X, y)
    assert clf.model_ is model
    assert clf.n_iter_ == 10
    assert clf.loss_curve_[:5] == first_curve
    assert clf.loss_curve_[5] < first_curve[0]
    cold = fit(KerasClassifier(warm_start=False, **{**FAST, "epochs": 5}), X, y)
    model = cold.model_
    fit(cold, X, y)
    assert cold.model_ is not model
    assert cold.n_iter_ == 5


def test_warm_start_regressor_keeps_its_units(regression_data):
    X, Y = regression_data
    reg = fit(KerasRegressor(warm_start=True, **{**FAST, "epochs": 5}), X, Y * 100)
    before = reg.score(X, Y * 100)
    fit(reg, X, Y * 100)
    assert reg.score(X, Y * 100) >= before - 1e-3


def test_convergence_stops_early_and_warns_otherwise(blobs):
    X, y = blobs
    converged = fit(KerasClassifier(tol=10.0, n_iter_no_change=2, **FAST), X, y)
    assert converged.n_iter_ == 3
    with pytest.warns(ConvergenceWarning, match="stopped at epochs=3 while the loss was still"):
        KerasClassifier(**{**FAST, "epochs": 3, "tol": 0.0}).fit(X, y)


def test_early_stopping_on_a_validation_split(blobs):
    X, y = blobs
    clf = fit(
        KerasClassifier(
            early_stopping=True,
            validation_fraction=0.2,
            n_iter_no_change=3,
            **{**FAST, "epochs": 300},
        ),
        X,
        y,
    )
    assert "val_loss" in clf.history_
    assert len(clf.history_["val_loss"]) == clf.n_iter_ < 300


def test_history_is_a_dict_of_lists(blobs):
    X, y = blobs
    clf = fit(KerasClassifier(**{**FAST, "epochs": 4, "tol": 0}), X, y)
    assert isinstance(clf.history_, dict)
    assert all(isinstance(v, list) for v in clf.history_.values())
    assert clf.history_["loss"] == clf.loss_curve_
    assert all(isinstance(v, float) for v in clf.loss_curve_)
    assert clf.n_iter_ == 4


def test_keras_callbacks_are_called_and_can_stop_training(blobs):
    X, y = blobs

    class Counter(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs, self.batches = 0, 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1
            assert "loss" in logs

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1

    counter = Counter()
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=100.0)
    clf = fit(KerasClassifier(callbacks=[counter, stopper], batch_size=40, **FAST), X, y)
    assert counter.epochs == clf.n_iter_ == 2
    assert counter.batches == 2 * 3


def test_ctrl_c_stops_cleanly_and_keeps_weights(blobs):
    X, y = blobs

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    clf = KerasClassifier(callbacks=[Interrupt()], **{**FAST, "epochs": 50})
    with pytest.warns(TrainingInterruptedWarning, match="interrupted after 3"):
        clf.fit(X, y)
    assert clf.n_iter_ == 3
    assert clf.predict(X).shape == (len(X),)


# --------------------------------------------------------------------------- inputs


def test_pandas_feature_names_and_column_checks(blobs):
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = fit(KerasClassifier(**FAST), frame, pd.Series(y))
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    clf.predict(frame)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame[["b", "a", "c", "d"]])
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame.rename(columns={"a": "z"}))


def test_sparse_input_is_accepted(blobs):
    X, y = blobs
    dense = fit(KerasClassifier(**FAST), X, y)
    sparse = fit(KerasClassifier(**FAST), sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-6)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-6
    )


def test_float32_and_float64_mix(blobs):
    X, y = blobs
    single = fit(KerasClassifier(**FAST), X.astype(np.float32), y)
    assert single.model_.layers[0].kernel.dtype == "float32"
    np.testing.assert_allclose(
        single.predict_proba(X), single.predict_proba(X.astype(np.float32)), rtol=1e-6
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        double = KerasClassifier(**FAST).fit(X, y)
    # JAX warns when it truncates a float64 array to float32: that must never happen.
    assert not [w for w in caught if "is not available" in str(w.message)]
    # float64 data trains in float64 where the backend computes it end to end (TensorFlow,
    # JAX with x64), in float32 elsewhere; the model's dtype says which (tests/test_backend.py).
    expected = "float64" if float64_available() else "float32"
    assert double.model_.layers[0].kernel.dtype == expected
    assert double.predict(X.astype(np.float32)).shape == (len(X),)


# --------------------------------------------------------------------------- sklearn contract


def test_clone_keeps_every_option_and_grid_search_trains_what_was_asked(blobs):
    from sklearn.model_selection import GridSearchCV

    X, y = blobs
    clf = KerasClassifier(
        epochs=3, batch_size=17, dropout=0.25, hidden_layers=(9,), tol=0, random_state=1
    )
    assert clone(clf).get_params() == clf.get_params()
    search = GridSearchCV(clf, {"hidden_layers": [(5,), (7, 3)]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    best = search.best_estimator_
    assert best.n_iter_ == 3
    assert best.model_.get_layer("dropout_1").rate == 0.25
    units = tuple(
        best.model_.get_layer(f"hidden_{i + 1}").units for i in range(len(best.hidden_layers))
    )
    assert units == best.hidden_layers


def test_fit_never_mutates_parameters(blobs):
    X, y = blobs
    params = {"hidden_layers": [8, 4], "model_params": {}, "callbacks": [], "class_weight": {}}
    clf = KerasClassifier(**params, epochs=2)
    before = {k: (list(v) if isinstance(v, list) else dict(v)) for k, v in params.items()}
    fit(clf, X, y)
    for key, value in before.items():
        assert getattr(clf, key) == value
        assert getattr(clf, key) is params[key]


def test_seeded_refits_are_bit_identical_without_global_side_effects(blobs):
    X, y = blobs
    state = np.random.get_state()  # noqa: NPY002 - the legacy global state is what must not move
    first = fit(KerasClassifier(dropout=0.3, **FAST), X, y).predict_proba(X)
    after = np.random.get_state()  # noqa: NPY002
    assert all(np.array_equal(a, b) for a, b in zip(state, after, strict=True))
    second = fit(KerasClassifier(dropout=0.3, **FAST), X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    unseeded = fit(KerasClassifier(**{**FAST, "random_state": None}), X, y)
    assert unseeded.predict(X).shape == (len(X),)
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    plain.compile("adam", "sparse_categorical_crossentropy")
    plain.fit(X.astype("float32"), np.searchsorted(["cat", "dog", "emu"], y), epochs=1, verbose=0)


def test_pickle_joblib_and_a_fresh_process_predict_identically(blobs, tmp_path):
    X, y = blobs
    clf = fit(KerasClassifier(dropout=0.2, **FAST), X, y)
    expected = clf.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), expected)
    np.testing.assert_array_equal(clf.predict_proba(X), expected)  # pickling changed nothing
    joblib.dump(clf, tmp_path / "clf.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "clf.joblib").predict_proba(X), expected)
    np.save(tmp_path / "X.npy", X)
    X_path, out_path = str(tmp_path / "X.npy"), str(tmp_path / "out.npy")
    code = (
        "import joblib, numpy as np, sys\n"
        f"clf = joblib.load({str(tmp_path / 'clf.joblib')!r})\n"
        f"np.save({out_path!r}, clf.predict_proba(np.load({X_path!r})))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)


def test_predict_from_several_threads(blobs):
    X, y = blobs
    clf = fit(KerasClassifier(**FAST), X, y)
    expected = clf.predict_proba(X)
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(clf.predict_proba(X))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 80
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_memory_does_not_grow_across_many_fits(blobs):
    from pathlib import Path

    statm = Path("/proc/self/statm")
    if not statm.exists():
        pytest.skip("needs /proc/self/statm (Linux) to read the resident set size")
    import os

    page = os.sysconf("SC_PAGE_SIZE")
    X, y = blobs

    def rss() -> float:
        return int(statm.read_text().split()[1]) * page / 2**20

    for _ in range(5):
        fit(KerasClassifier(**{**FAST, "epochs": 2}), X, y)
    before = rss()
    for _ in range(25):
        fit(KerasClassifier(**{**FAST, "epochs": 2}), X, y)
    assert rss() - before < 60


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"dropout": 1.5},
            r"`dropout` must be a float in \[0, 1\), or None. Received: dropout=1.5",
        ),
        ({"epochs": -1}, "`epochs` must be an integer >= 1. Received: epochs=-1"),
        ({"batch_size": 0}, "Received: batch_size=0"),
        ({"learning_rate": 0.0}, "`learning_rate` must be a finite float > 0"),
        ({"hidden_layers": [0]}, r"Received: hidden_layers=\[0\]"),
        ({"optimizer": 3}, "Received: optimizer=3"),
        ({"kernel_initializer": "nope"}, "Received: kernel_initializer='nope'"),
        ({"model": "softmax_regression", "hidden_layers": None, "l2": 0.0}, "does not take `l2`"),
        (
            {"model": "softmax_regression", "hidden_layers": None, "normalization": "batch"},
            "does not take `normalization`",
        ),
        ({"model": "softmax_regression", "hidden_layers": None, "l1": 1e-4}, "does not take `l1`"),
        ({"normalization": "group"}, "Received: normalization='group'"),
        ({"l1": -1.0}, "Received: l1=-1.0"),
        ({"dropout": 0.1, "model_params": {"dropout": 0.2}}, "set it once"),
        ({"model": "mpl"}, "Did you mean 'mlp'"),
        ({"optimizer": "sgdd"}, "Received: optimizer='sgdd'"),
        ({"hidden_layers": (0,)}, r"Received: hidden_layers=\(0,\)"),
        (
            {"model": "softmax_regression", "hidden_layers": (100,), "dropout": 0.5},
            "does not take `dropout`|does not take `hidden_layers`",
        ),
        ({"model_params": {"bogus": 1}}, "bogus"),
    ],
)
def test_bad_parameters_name_the_value_and_leave_a_fitted_estimator_alone(blobs, params, message):
    X, y = blobs
    clf = fit(KerasClassifier(**FAST), X, y)
    state = {k: v for k, v in vars(clf).items() if k.endswith("_")}
    expected = clf.predict_proba(X)
    clf.set_params(**params)
    with pytest.raises((ValueError, TypeError), match=message):
        clf.fit(X, y)
    assert {k: v for k, v in vars(clf).items() if k.endswith("_")}.keys() == state.keys()
    for key, value in state.items():
        assert getattr(clf, key) is value
    np.testing.assert_array_equal(clf.predict_proba(X), expected)


def test_bad_data_gets_scikit_learns_messages(blobs):
    X, y = blobs
    clf = fit(KerasClassifier(**FAST), X, y)
    expected = clf.predict_proba(X)
    with pytest.raises(ValueError, match="X has 3 features, but KerasClassifier is expecting 4"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.fit(np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict(np.full_like(X, np.nan))
    with pytest.raises(ValueError, match="Input X contains infinity"):
        clf.predict(np.full_like(X, np.inf))
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        clf.predict(X[0])
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(X[:0])
    with pytest.raises(ValueError, match="Found input variables with inconsistent numbers"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="Unknown label type"):
        KerasClassifier().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(NotFittedError):
        KerasClassifier().predict(X)
    np.testing.assert_array_equal(clf.predict_proba(X), expected)


def test_a_custom_model_callable(blobs):
    X, y = blobs

    def build(n_features, n_outputs, seed, width=8):
        model = keras.Sequential(
            [
                keras.Input((n_features,)),
                keras.layers.Dense(
                    width,
                    activation="relu",
                    kernel_initializer=keras.initializers.GlorotUniform(seed),
                ),
                keras.layers.Dense(
                    n_outputs,
                    activation="softmax",
                    kernel_initializer=keras.initializers.GlorotUniform(seed + 1),
                ),
            ]
        )
        model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
        return model

    clf = fit(
        KerasClassifier(model=build, model_params={"width": 12}, epochs=60, random_state=0), X, y
    )
    assert clf.model_.layers[0].units == 12
    assert clf.score(X, y) > 0.9
    with pytest.raises(ValueError, match="does not take `dropout`"):
        KerasClassifier(model=build, dropout=0.5).fit(X, y)


def test_uncompiled_custom_model_is_refused(blobs):
    X, y = blobs

    def build(n_features, n_outputs):
        return keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(n_outputs)])

    with pytest.raises(ValueError, match="must return a compiled model"):
        KerasClassifier(model=build).fit(X, y)


# --------------------------------------------------------------------------- the talk's knobs
def test_batch_normalization_and_l1_fit_and_predict(blobs):
    from kerasguide._estimator.inference import numpy_forward

    X, y = blobs
    clf = fit(KerasClassifier(normalization="batch", l1=1e-4, **{**FAST, "epochs": 2}), X, y)
    assert (clf.normalization, clf.l1) == ("batch", 1e-4)  # stored as given
    assert isinstance(clf.model_.get_layer("norm_1"), keras.layers.BatchNormalization)
    assert clf.model_.get_layer("hidden_1").kernel_regularizer.l1 == pytest.approx(1e-4)
    assert numpy_forward(clf.model_) is None  # BatchNormalization: Keras predicts
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, clf.model_.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
    assert set(clf.predict(X)) <= set(y)


@pytest.mark.parametrize("activation", ["maxout", "leaky_relu"])
def test_maxout_and_leaky_relu_predict_like_keras(regression_data, activation):
    X, y = regression_data
    reg = fit(KerasRegressor(activation=activation, **{**FAST, "epochs": 2}), X, y)
    expected = reg.model_.predict(X.astype("float32"), verbose=0)
    np.testing.assert_allclose(reg.predict(X).reshape(expected.shape), expected, rtol=1e-4,
                               atol=1e-5)  # fmt: skip


def test_a_maxout_estimator_saves_and_loads(tmp_path, regression_data):
    import kerasguide

    X, y = regression_data
    reg = fit(KerasRegressor(activation="maxout", normalization="layer", l1=1e-4,
                             **{**FAST, "epochs": 2}), X, y)  # fmt: skip
    reg.save(tmp_path / "est.zip")
    loaded = kerasguide.load(tmp_path / "est.zip")
    assert (loaded.activation, loaded.normalization) == ("maxout", "layer")
    np.testing.assert_allclose(loaded.predict(X), reg.predict(X), rtol=1e-6)
