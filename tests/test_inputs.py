"""Images and sequences in the estimators: ``input_shape``, 2-D and N-D ``X``."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import kerasguide
from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator.inference import numpy_forward
from kerasguide.exceptions import InvalidParameterError

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

# A small CNN for 8x8 digits: about 1.5 s of training on 2 cores (TensorFlow).
_SMALL_CNN = dict(filters=(16, 32), dense_layers=(64,))


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def tiny_cnn():
    X, y = load_digits(return_X_y=True)
    X, y = X[:120] / 16.0, y[:120]
    est = KerasClassifier(model="cnn", input_shape=(8, 8, 1), epochs=2, random_state=0,
                          model_params=dict(filters=(4,), dense_layers=(8,)))  # fmt: skip
    return est.fit(X, y), X, y


def test_cnn_on_digits_as_images_scores_097_in_a_pipeline(digits):
    X_train, X_test, y_train, y_test = digits
    cnn = KerasClassifier(model="cnn", input_shape=(8, 8, 1), model_params=_SMALL_CNN,
                          learning_rate=0.01, batch_size=128, epochs=12, tol=0.0,
                          random_state=0)  # fmt: skip
    clf = make_pipeline(StandardScaler(), cnn)
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.97
    est = clf[-1]
    assert est.n_features_in_ == 64
    assert est.input_shape_ == (8, 8, 1)
    assert est.model_.input_shape == (None, 8, 8, 1)


def test_2d_and_nd_rows_give_the_same_predictions(tiny_cnn):
    est, X, _ = tiny_cnn
    flat = est.predict_proba(X)
    assert flat.shape == (120, 10)
    np.testing.assert_array_equal(est.predict_proba(X.reshape(-1, 8, 8, 1)), flat)
    np.testing.assert_array_equal(est.predict(X.reshape(-1, 8, 8, 1).tolist()), est.predict(X))


def test_nd_x_without_input_shape_builds_for_its_rows():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 6, 2)), rng.integers(0, 2, 40)
    est = KerasClassifier(model="rnn", epochs=1, random_state=0).fit(X, y)
    assert est.input_shape_ == (6, 2)
    assert est.n_features_in_ == 12
    assert est.predict_proba(X.reshape(40, 12)).shape == (40, 2)


def test_a_wrong_size_names_both_shapes(tiny_cnn):
    est, X, y = tiny_cnn
    with pytest.raises(ValueError, match=r"60 features.*input_shape=\(8, 8, 1\) needs 64"):
        est.predict(X[:, :60])
    with pytest.raises(ValueError, match=r"rows of shape \(8, 8\), but input_shape=\(8, 8, 1\)"):
        est.predict(X.reshape(-1, 8, 8))
    fresh = clone(est)
    with pytest.raises(ValueError, match=r"63 features.*input_shape=\(8, 8, 1\) needs 64"):
        fresh.fit(X[:, :63], y)
    assert not hasattr(fresh, "n_features_in_")


def test_a_failed_fit_leaves_the_fitted_estimator_unchanged(tiny_cnn):
    est, X, y = tiny_cnn
    est = pickle.loads(pickle.dumps(est))
    before = est.predict_proba(X)
    with pytest.raises(ValueError, match="input_shape"):
        est.fit(X.reshape(-1, 4, 16), y)
    assert est.input_shape_ == (8, 8, 1)
    np.testing.assert_array_equal(est.predict_proba(X), before)


@pytest.mark.parametrize("bad", [(0, 8), (), "8x8", (8.5, 8)])
def test_input_shape_is_checked_by_the_table(bad):
    X, y = np.ones((10, 64)), np.arange(10) % 2
    with pytest.raises(InvalidParameterError, match=r"`input_shape` must be .*Received: input"):
        KerasClassifier(input_shape=bad, epochs=1).fit(X, y)


def test_warm_start_refuses_a_changed_input_shape(tiny_cnn):
    est, X, y = tiny_cnn
    est = clone(est).set_params(warm_start=True).fit(X, y)
    est.set_params(input_shape=(4, 16, 1))
    with pytest.raises(ValueError, match="`input_shape` changed"):
        est.fit(X, y)


def test_pickle_clone_and_save_keep_the_predictions(tiny_cnn, tmp_path):
    est, X, _ = tiny_cnn
    expected = est.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X), expected)
    loaded = kerasguide.load(est.save(tmp_path / "cnn.zip"))
    assert loaded.input_shape_ == (8, 8, 1)
    np.testing.assert_allclose(loaded.predict_proba(X.reshape(-1, 8, 8, 1)), expected, rtol=1e-6)
    assert clone(est).get_params()["input_shape"] == (8, 8, 1)


def test_grid_search_over_a_cnn(tiny_cnn):
    _, X, y = tiny_cnn
    search = GridSearchCV(clone(tiny_cnn[0]), {"learning_rate": [0.001, 0.01]}, cv=2)
    search.fit(X, y)
    assert search.best_estimator_.input_shape_ == (8, 8, 1)
    assert search.predict(X).shape == (120,)


def test_the_numpy_forward_pass_falls_back_to_keras_for_convolutions(tiny_cnn):
    est, X, _ = tiny_cnn
    assert numpy_forward(est.model_) is None
    keras_out = np.asarray(est.model_.predict(X.reshape(-1, 8, 8, 1), verbose=0))
    np.testing.assert_allclose(est.predict_proba(X), keras_out, rtol=1e-6, atol=1e-7)


def test_an_mlp_on_images_keeps_the_exact_numpy_forward_pass():
    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16.0, y[:200]
    est = KerasClassifier(input_shape=(8, 8), hidden_layers=(16,), epochs=2, random_state=0)
    est.fit(X.reshape(-1, 8, 8), y)
    assert est.model_.layers[0].name == "flatten"
    assert numpy_forward(est.model_) is not None
    keras_out = np.asarray(est.model_.predict(X.reshape(-1, 8, 8), verbose=0))
    np.testing.assert_allclose(est.predict_proba(X), keras_out, rtol=1e-5, atol=1e-6)


def test_a_regressor_reads_sequences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5, 1))
    y = X[:, :, 0].sum(axis=1)
    est = KerasRegressor(model="rnn", input_shape=(5, 1), model_params={"cell": "gru"},
                         epochs=2, random_state=0)  # fmt: skip
    est.fit(X.reshape(64, 5), y)
    assert est.predict(X).shape == (64,)
    np.testing.assert_allclose(est.predict(X), est.predict(X.reshape(64, 5)))


# --------------------------------------------------------------------------- export and listing
def test_to_onnx_names_every_layer_it_cannot_export(tiny_cnn):
    pytest.importorskip("onnx", reason="the onnx extra is not installed")
    est = tiny_cnn[0]
    with pytest.raises(ValueError, match="to_onnx") as caught:
        kerasguide.to_onnx(est)
    message = str(caught.value)
    assert "'conv_1' (Conv2D)" in message
    assert "'pool_1' (MaxPooling2D)" in message
    assert "'flatten'" in message  # a Flatten after convolutions is not a leading one


def test_to_onnx_exports_an_mlp_on_images_with_a_flat_input():
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    X, y = load_digits(return_X_y=True)
    X, y = (X[:200] / 16.0).astype(np.float32), y[:200]
    est = KerasClassifier(input_shape=(8, 8, 1), hidden_layers=(8,), epochs=2, random_state=0)
    est.fit(X.reshape(-1, 8, 8, 1), y)
    proto = kerasguide.to_onnx(est, X[:1])
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    _, proba = session.run(None, {"X": X})
    np.testing.assert_allclose(proba, est.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_models_json_counts_the_parameters_of_every_model(capsys):
    import json

    from kerasguide.app import cli

    assert cli.main(["models", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert all(row["parameters"] for row in rows.values()), rows
    assert rows["cnn"]["input_shape"] == [28, 28, 1]
    built = kerasguide.build_model("cnn", input_shape=(28, 28, 1), n_outputs=10)
    assert rows["cnn"]["parameters"] == built.count_params()
    assert rows["rnn"]["input_shape"] == [28, 28]
    assert rows["autoencoder"]["n_outputs"] == 784
    assert rows["mlp"]["parameters"] == 784 * 128 + 128 + 128 * 10 + 10
