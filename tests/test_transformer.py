"""``KerasTransformer``: learned features (an autoencoder's code, a hidden layer)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import kerasguide
from kerasguide import KerasTransformer
from kerasguide._estimator.backend import float64_available
from kerasguide._estimator.inference import numpy_forward
from kerasguide.exceptions import InvalidParameterError

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _expected_failed_checks(estimator) -> dict[str, str]:
    # As for the estimators (test_sklearn_checks.py): without end-to-end float64, two fits
    # agree to float32 rounding, not to the checks' rtol=1e-7.
    if float64_available():
        return {}
    reason = "trains in float32 on this backend (no end-to-end float64)"
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


# 20 epochs keep the checks quick; what they test does not need a converged code.
@parametrize_with_checks(
    [KerasTransformer(epochs=20)], expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


def test_the_default_is_an_autoencoder_whose_code_is_the_features(digits):
    X, _ = digits
    tr = KerasTransformer(code_size=3, epochs=5, random_state=0).fit(X)
    assert tr.layer_ == "code"
    assert tr.task_ == "regression"
    assert tr.model_.output_shape == (None, 64)  # trained to reconstruct X
    Z = tr.transform(X)
    assert Z.shape == (1797, 3)
    code = tr.model_.get_layer("code")
    assert code.units == 3
    # The NumPy pass of the encoder, against Keras's.
    assert numpy_forward(tr._features_.model) is not None
    encoder = tr._features_.model
    np.testing.assert_allclose(Z, np.asarray(encoder.predict(X, verbose=0)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(
        tr.get_feature_names_out(), [f"kerastransformer{i}" for i in range(3)]
    )


def test_an_autoencoder_learns_a_code_that_a_linear_model_can_read(digits):
    X, y = digits
    pipe = make_pipeline(
        StandardScaler(), KerasTransformer(code_size=8, epochs=30, random_state=0),
        LogisticRegression(max_iter=1000),
    )  # fmt: skip
    pipe.fit(X[:1200], y[:1200])  # y goes to the transformer too, which does not use it
    assert pipe[1].task_ == "regression"
    assert pipe.score(X[1200:], y[1200:]) > 0.75  # 10 classes from 8 learned numbers


def test_a_supervised_model_gives_its_last_hidden_layer(digits):
    X, y = digits
    tr = KerasTransformer("mlp", hidden_layers=(32, 16), dropout=0.1, epochs=10, random_state=0)
    Z = tr.fit(X, y).transform(X)
    assert tr.layer_ == "hidden_2"  # the dropout after it is skipped
    assert tr.task_ == "multiclass"
    np.testing.assert_array_equal(tr.classes_, np.arange(10))
    assert Z.shape == (1797, 16)
    assert (Z >= 0).all()  # ReLU activations
    named = KerasTransformer("mlp", "hidden_1", hidden_layers=(32, 16), epochs=1).fit(X, y)
    assert named.transform(X).shape == (1797, 32)


def test_a_convolution_s_maps_are_flattened(digits):
    X, y = digits
    tr = KerasTransformer("cnn", "pool_1", input_shape=(8, 8, 1), epochs=1, random_state=0,
                          model_params={"filters": (4,), "dense_layers": (8,)})  # fmt: skip
    Z = tr.fit(X[:200], y[:200]).transform(X[:10].reshape(10, 8, 8, 1))
    assert Z.shape == (10, 4 * 4 * 4)
    assert len(tr.get_feature_names_out()) == 64


def test_set_output_pandas(digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    tr = KerasTransformer(code_size=2, epochs=2, random_state=0).set_output(transform="pandas")
    frame = tr.fit_transform(pd.DataFrame(X[:100], columns=[f"p{i}" for i in range(64)]))
    assert list(frame.columns) == ["kerastransformer0", "kerastransformer1"]
    assert list(tr.feature_names_in_[:2]) == ["p0", "p1"]


def test_pickle_and_clone(digits):
    X, _ = digits
    tr = KerasTransformer(code_size=2, epochs=2, random_state=0).fit(X[:100])
    expected = tr.transform(X[:20])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(tr)).transform(X[:20]), expected)
    np.testing.assert_array_equal(clone(tr).fit(X[:100]).transform(X[:20]), expected)


def test_changed_weights_are_seen_by_transform(digits):
    X, _ = digits
    tr = KerasTransformer(code_size=2, epochs=2, random_state=0).fit(X[:100])
    before = tr.transform(X[:5])
    weights = tr.model_.get_weights()
    tr.model_.set_weights([w * 2 for w in weights])
    assert not np.allclose(tr.transform(X[:5]), before)


@pytest.mark.parametrize(
    ("params", "message"),
    [({"layer": "nope"}, r"`layer` must name a layer of the model: one of \['hidden_1'"),
     ({"layer": 3}, r"`layer` must be the name of a layer"),
     ({"code_size": 0}, r"`code_size` must be an integer >= 1"),
     ({"code_size": 2, "model_params": {"code_size": 3}}, "set both")],
)  # fmt: skip
def test_bad_parameters_are_named(digits, params, message):
    X, _ = digits
    tr = KerasTransformer(epochs=1, **params)
    with pytest.raises(ValueError, match=message):
        tr.fit(X[:50])
    assert not hasattr(tr, "model_")


def test_a_classifier_model_without_labels_is_refused(digits):
    X, y = digits
    with pytest.raises(ValueError, match="made for multiclass targets but y is regression"):
        KerasTransformer("softmax_regression", epochs=1).fit(X[:50])
    with pytest.raises(InvalidParameterError, match="`hidden_layers`"):
        KerasTransformer(hidden_layers="wide", epochs=1).fit(X[:50], y[:50])


def test_it_is_public_and_lazy():
    assert "KerasTransformer" in kerasguide.__all__
    assert kerasguide.KerasTransformer is KerasTransformer


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")  # 4 epochs
def test_a_learning_rate_schedule_decays_the_rate(digits):
    X, _ = digits
    tr = KerasTransformer(code_size=2, epochs=4, learning_rate=1e-2,
                          learning_rate_schedule="cosine", random_state=0)  # fmt: skip
    tr.fit(X[:300] / 16)
    rates = tr.history_["learning_rate"]
    assert len(rates) == 4
    assert rates[0] == pytest.approx(1e-2, rel=0.05)
    assert rates == sorted(rates, reverse=True)
    assert rates[-1] < 0.5e-2
    with pytest.raises(InvalidParameterError, match="learning_rate_schedule"):
        KerasTransformer(learning_rate_schedule="linear").fit(X[:50])
