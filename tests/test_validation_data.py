"""Explicit validation data (``X_val``, ``y_val``) and splitters as ``validation_fraction``."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, GroupShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator.loop import Stopper
from kerasguide.exceptions import ConvergenceWarning

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

PARAMS = {"hidden_layers": (16,), "batch_size": 20, "random_state": 0, "learning_rate": 0.01}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16.0).astype(np.float32), y[:300]


class Recorder(keras.callbacks.Callback):
    """Counts the training batches of each epoch and computes the loss on a given set."""

    def __init__(self, X_val=None, y_val=None):
        super().__init__()
        self.X_val, self.y_val = X_val, y_val
        self.batches, self.own_val_loss = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.batches[-1] += 1

    def on_epoch_end(self, epoch, logs=None):
        if self.X_val is not None:
            proba = keras.ops.convert_to_numpy(self.model(self.X_val)).astype(np.float64)
            picked = proba[np.arange(len(self.y_val)), self.y_val]
            self.own_val_loss.append(float(-np.mean(np.log(picked))))


def _quiet_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def test_x_val_alone_decides_stopping_and_no_training_row_is_held_out(digits):
    X, y = digits
    rng = np.random.default_rng(0)
    # Validation labels unrelated to the inputs: its loss soon rises while the training loss
    # keeps falling, so only the validation rows can stop training early.
    X_val, y_val = X[:60], rng.permutation(y[:60])
    recorder = Recorder(X_val, y_val)
    clf = KerasClassifier(early_stopping=True, n_iter_no_change=3, epochs=100,
                          callbacks=[recorder], **PARAMS)  # fmt: skip
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    # Every training row trains: 300 rows in batches of 20, none held out.
    assert set(recorder.batches) == {15}
    # The recorded validation loss is the loss on X_val, epoch by epoch...
    np.testing.assert_allclose(clf.history_["val_loss"], recorder.own_val_loss, rtol=1e-4)
    assert clf.validation_loss_curve_ == clf.history_["val_loss"]
    # ...and the stopping epoch follows from it alone.
    stopper = Stopper(clf.tol, 3)
    stop = next(i + 1 for i, v in enumerate(clf.validation_loss_curve_)
                if (stopper.update(v), stopper.done)[1])  # fmt: skip
    assert clf.n_iter_ == stop < 100
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_validation_fraction_holds_rows_out_without_x_val(digits):
    X, y = digits
    recorder = Recorder()
    clf = KerasClassifier(early_stopping=True, epochs=3, validation_fraction=0.2,
                          callbacks=[recorder], **PARAMS)  # fmt: skip
    _quiet_fit(clf, X, y)
    assert set(recorder.batches) == {12}  # 240 training rows
    assert len(clf.validation_loss_curve_) == 3
    assert KerasClassifier(epochs=2, **PARAMS).fit(X, y).validation_loss_curve_ is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X_val": "X"}, "X_val is provided, but y_val was not provided"),
        ({"y_val": "y"}, "y_val is provided, but X_val was not provided"),
        ({"sample_weight_val": "w"}, "sample_weight_val is provided"),
        ({"groups": "w"}, "groups are passed to the splitter"),
    ],
)
def test_validation_arguments_are_checked(digits, kwargs, message):
    X, y = digits
    values = {"X": X[:20], "y": y[:20], "w": np.ones(20)}
    clf = KerasClassifier(early_stopping=True, epochs=1, **PARAMS)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y, **{k: values[v] for k, v in kwargs.items()})


def test_x_val_needs_early_stopping_as_in_hist_gradient_boosting(digits):
    X, y = digits
    with pytest.raises(ValueError, match="early_stopping is False"):
        KerasClassifier(epochs=1, **PARAMS).fit(X, y, X_val=X[:20], y_val=y[:20])


def test_x_val_with_unknown_labels_or_features_is_refused(digits):
    X, y = digits
    clf = KerasClassifier(early_stopping=True, epochs=1, **PARAMS)
    with pytest.raises(ValueError, match=r"^y_val contains labels \[10, 11"):
        clf.fit(X[y < 5], y[y < 5], X_val=X[:20], y_val=y[:20] + 10)
    with pytest.raises(ValueError, match="features"):
        clf.fit(X, y, X_val=X[:20, :10], y_val=y[:20])
    assert not hasattr(clf, "model_")


def test_regressor_validates_in_the_units_it_trains_in():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = 1000.0 + 50.0 * X @ np.array([1.0, -2.0, 0.5])
    reg = KerasRegressor(early_stopping=True, epochs=30, **PARAMS)
    _quiet_fit(reg, X[:150], y[:150], X_val=X[150:], y_val=y[150:],
               sample_weight_val=np.ones(50))  # fmt: skip
    # Standardised units: a good fit has a validation loss far below 1, not in dollars.
    assert reg.validation_loss_curve_[-1] < 0.1


def test_pipeline_transforms_x_val_through_metadata_routing(digits):
    X, y = digits
    X_val, y_val = X[:50] * 3.0 + 1.0, y[:50]
    params = {"early_stopping": True, "epochs": 4, **PARAMS}
    with sklearn.config_context(enable_metadata_routing=True):
        clf = KerasClassifier(**params).set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)], transform_input=["X_val"])
        _quiet_fit(pipe, X, y, X_val=X_val, y_val=y_val)
    scaler = StandardScaler().fit(X)
    by_hand = _quiet_fit(KerasClassifier(**params), scaler.transform(X), y,
                         X_val=scaler.transform(X_val), y_val=y_val)  # fmt: skip
    np.testing.assert_allclose(
        pipe[-1].validation_loss_curve_, by_hand.validation_loss_curve_, rtol=1e-5
    )


def test_a_splitter_holds_out_whole_groups(digits):
    X, y = digits
    groups = np.arange(len(y)) // 10  # 30 groups of 10 rows
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
    recorder = Recorder()
    clf = KerasClassifier(early_stopping=True, epochs=2, validation_fraction=splitter,
                          callbacks=[recorder], **{**PARAMS, "batch_size": 10})  # fmt: skip
    _quiet_fit(clf, X, y, groups=groups)
    assert set(recorder.batches) == {24}  # 6 of 30 groups held out: 240 rows train
    with pytest.raises(ValueError, match="groups"):
        KerasClassifier(early_stopping=True, epochs=1, validation_fraction=splitter).fit(X, y)


def test_groups_reach_the_splitter_inside_a_grid_search(digits):
    X, y = digits
    groups = np.arange(len(y)) // 10
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = KerasClassifier(early_stopping=True, epochs=2, validation_fraction=splitter,
                              **PARAMS).set_fit_request(groups=True)  # fmt: skip
        search = GridSearchCV(clf, {"dropout": [0.0]}, cv=2, error_score="raise")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(X, y, groups=groups)
    assert len(search.best_estimator_.validation_loss_curve_) == 2


def test_validation_fraction_rule_names_the_splitter():
    with pytest.raises(ValueError, match="splitter"):
        KerasClassifier(validation_fraction="half").fit(np.ones((4, 2)), [0, 1, 0, 1])


def test_a_loaded_estimator_keeps_its_validation_curve(digits, tmp_path):
    import kerasguide

    X, y = digits
    clf = KerasClassifier(early_stopping=True, epochs=3, **PARAMS).fit(X, y, X_val=X, y_val=y)
    loaded = kerasguide.load(clf.save(tmp_path / "clf.zip"))
    assert loaded.validation_loss_curve_ == clf.validation_loss_curve_
    plain = kerasguide.load(KerasClassifier(epochs=1, **PARAMS).fit(X, y).save(tmp_path / "p"))
    assert plain.validation_loss_curve_ is None


def test_an_unseen_y_val_label_is_blamed_on_y_val(digits):
    X, y = digits
    labels = np.array(["a", "b", "c"])[y % 3]
    clf = KerasClassifier(early_stopping=True, epochs=1, **PARAMS)
    y_val = labels[:20].copy()
    y_val[3] = "z"
    with pytest.raises(ValueError, match=r"^y_val contains labels \['z'\]") as info:
        clf.fit(X, labels, X_val=X[:20], y_val=y_val)
    assert "['a', 'b', 'c']" in str(info.value)
    assert "partial_fit" not in str(info.value)
    assert not hasattr(clf, "model_")


@pytest.mark.parametrize(
    ("model", "row_shape", "model_params"),
    [("cnn", (8, 8, 1), {"filters": (4,)}), ("rnn", (8, 8), {"units": (8,)})],
)
@pytest.mark.parametrize("input_shape", [None, "given"])
def test_x_val_takes_the_row_shapes_x_takes(digits, model, row_shape, model_params, input_shape):
    """Flat (n_val, n_features) or shaped (n_val, *input_shape) X_val, with either form of X:
    the same validation curve, the loss on the same rows."""
    X, y = digits
    X_nd = X.reshape(-1, *row_shape)
    curves = []
    for X_fit in [X_nd] if input_shape is None else [X, X_nd]:
        for X_val in (X[:40].reshape(40, -1), X_nd[:40]):
            clf = KerasClassifier(
                model, model_params=model_params, early_stopping=True, epochs=2, batch_size=50,
                random_state=0, input_shape=row_shape if input_shape else None,
            )  # fmt: skip
            _quiet_fit(clf, X_fit[40:], y[40:], X_val=X_val, y_val=y[:40])
            curves.append(clf.validation_loss_curve_)
    assert all(np.isfinite(curve).all() and len(curve) == 2 for curve in curves)
    for curve in curves[1:]:
        np.testing.assert_allclose(curve, curves[0], rtol=1e-5)


def test_x_val_rows_of_the_wrong_shape_are_refused(digits):
    X, y = digits
    clf = KerasClassifier("cnn", model_params={"filters": (4,)}, early_stopping=True, epochs=1)
    with pytest.raises(ValueError, match=r"rows of shape \(4, 16, 1\)"):
        clf.fit(X.reshape(-1, 8, 8, 1), y, X_val=X[:20].reshape(20, 4, 16, 1), y_val=y[:20])
    with pytest.raises(ValueError, match="features"):
        clf.fit(X.reshape(-1, 8, 8, 1), y, X_val=X[:20, :10], y_val=y[:20])
    assert not hasattr(clf, "model_")
