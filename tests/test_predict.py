"""predict, predict_proba and predict_log_proba: memory, log space and dtypes.

Each test fails on the code before the change it covers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs, make_classification

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator import inference
from kerasguide._estimator.backend import training_dtype
from kerasguide.exceptions import ConvergenceWarning

FAST = {"hidden_layers": (8,), "learning_rate": 0.01, "random_state": 0}
#: The most bytes of dense float64 one chunk of a prediction may take.
BUDGET = 16 * 2**20


def fit(estimator, X, y):
    with warnings.catch_warnings():
        # Short fits on purpose: whether they converge does not matter here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _spy_on_densifying(monkeypatch) -> list[int]:
    """Record the bytes of every dense array a CSR matrix is turned into."""
    sizes: list[int] = []
    original = sp.csr_matrix.toarray

    def toarray(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        sizes.append(out.nbytes)
        return out

    monkeypatch.setattr(sp.csr_matrix, "toarray", toarray)
    return sizes


# --------------------------------------------------------------------------- memory


def test_chunk_rows_bound_the_dense_chunk():
    for width in (1, 20, 20_000, 10**6, 10**8):
        rows = inference.chunk_rows(width, max_rows=4096)
        assert 1 <= rows <= 4096
        assert rows == 1 or rows * width * 8 <= BUDGET
    assert inference.chunk_rows(20, max_rows=4096) == 4096  # narrow data: chunks as before


def test_sparse_predict_densifies_bounded_chunks(monkeypatch):
    # 300 x 200,000 with ~3 nonzeros a row: one 4,096-row chunk would be 480 MB of float64.
    X = sp.random(300, 200_000, density=1.5e-5, format="csr", random_state=0, dtype=np.float64)
    y = np.asarray(X.sum(axis=1)).ravel() + np.arange(300) % 2
    reg = fit(KerasRegressor(**FAST, epochs=1, batch_size=25), X, y)
    sizes = _spy_on_densifying(monkeypatch)
    sparse_pred = reg.predict(X)
    assert sizes
    assert max(sizes) <= BUDGET
    assert sparse_pred.shape == (300,)
    # The same predictions as the dense input gives, on a small slice.
    np.testing.assert_allclose(sparse_pred[:5], reg.predict(X[:5].toarray()), rtol=1e-6)


def test_sparse_predict_proba_matches_dense(monkeypatch):
    X = sp.random(400, 20_000, density=2e-4, format="csr", random_state=1, dtype=np.float64)
    y = np.arange(400) % 3
    clf = fit(KerasClassifier(**FAST, epochs=2), X, y)
    dense = clf.predict_proba(X.toarray())
    sizes = _spy_on_densifying(monkeypatch)
    np.testing.assert_allclose(clf.predict_proba(X), dense, rtol=1e-6, atol=1e-7)
    assert len(sizes) > 1
    assert max(sizes) <= BUDGET


# --------------------------------------------------------------------------- log-probabilities


@pytest.fixture(scope="module", params=["binary", "multiclass", "multilabel"])
def classifier(request):
    if request.param == "multilabel":
        X, labels = make_blobs(n_samples=150, centers=3, n_features=4, random_state=0)
        y = np.stack([labels == 0, labels != 1], axis=1).astype(int)
    else:
        centers = 2 if request.param == "binary" else 3
        X, y = make_blobs(n_samples=150, centers=centers, n_features=4, random_state=0)
    clf = fit(KerasClassifier(**FAST, epochs=40), X, y)
    assert clf.task_ == request.param
    return clf, X


def test_log_proba_is_the_log_of_proba(classifier):
    clf, X = classifier
    proba = clf.predict_proba(X)
    log_proba = clf.predict_log_proba(X)
    assert log_proba.shape == proba.shape
    assert log_proba.dtype == proba.dtype
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-4, atol=1e-7)


def test_log_proba_stays_finite_where_proba_underflows(classifier):
    clf, X = classifier
    huge = X * 1e4
    proba = clf.predict_proba(huge)
    assert (proba == 0).any()  # the case this test is about
    log_proba = clf.predict_log_proba(huge)
    assert np.isfinite(log_proba).all()
    if clf.task_ == "multilabel":
        np.testing.assert_array_equal((log_proba > np.log(0.5)).astype(int), clf.predict(huge))
    else:
        np.testing.assert_array_equal(clf.classes_[log_proba.argmax(axis=1)], clf.predict(huge))


def test_log_proba_without_the_numpy_pass_is_clipped(classifier, monkeypatch):
    clf, X = classifier
    monkeypatch.setattr(inference, "numpy_forward", lambda model: None)
    clf.model_  # marks the forward pass stale: the next call uses model.predict
    try:
        huge = X * 1e4
        log_proba = clf.predict_log_proba(huge)
        assert np.isfinite(log_proba).all()
        if clf.task_ != "multilabel":
            np.testing.assert_array_equal(clf.classes_[log_proba.argmax(axis=1)], clf.predict(huge))
        np.testing.assert_allclose(
            np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), rtol=1e-4, atol=1e-6
        )
    finally:
        monkeypatch.undo()
        clf.model_  # back to the NumPy pass for the other tests


# --------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predictions_come_in_the_models_dtype(dtype):
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    X = X.astype(dtype)
    expected = np.dtype(training_dtype(dtype))
    reg = fit(KerasRegressor(**FAST, epochs=2), X, y.astype(dtype))
    assert reg.predict(X).dtype == expected
    assert reg.predict(sp.csr_matrix(X)).dtype == expected
    clf = fit(KerasClassifier(**FAST, epochs=2), X, y)
    assert clf.predict_proba(X).dtype == expected
    assert clf.predict_log_proba(X).dtype == expected


def test_float32_predictions_without_the_numpy_pass(monkeypatch):
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    X = X.astype(np.float32)
    reg = fit(KerasRegressor(**FAST, epochs=2), X, y.astype(np.float32))
    fast = reg.predict(X)
    monkeypatch.setattr(inference, "numpy_forward", lambda model: None)
    reg.model_  # marks the forward pass stale
    slow = reg.predict(X)
    assert slow.dtype == fast.dtype == np.float32
    np.testing.assert_allclose(slow, fast, rtol=1e-4, atol=1e-4)
