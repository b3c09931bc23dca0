"""The two training paths: batch by batch (with callbacks) and fused (whole epochs per call)."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator.loop import epoch_plan
from kerasguide.exceptions import ConvergenceWarning

# 150 epochs x 8 batches >= the fused threshold; 500 % 64 leaves a partial batch.
PARAMS = {"hidden_layers": (16,), "epochs": 150, "batch_size": 64, "random_state": 0}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:500] / 16.0).astype(np.float32), y[:500]


def _fit(estimator, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **kwargs)


def test_fused_and_batch_by_batch_paths_agree(digits):
    X, y = digits
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    fused = _fit(KerasClassifier(**PARAMS), X, y, sample_weight=weights)
    # Any callback needs the batch-by-batch path.
    stepped = _fit(
        KerasClassifier(callbacks=[keras.callbacks.Callback()], **PARAMS),
        X,
        y,
        sample_weight=weights,
    )
    assert fused.n_iter_ == stepped.n_iter_
    np.testing.assert_allclose(fused.loss_curve_, stepped.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(fused.predict_proba(X), stepped.predict_proba(X), atol=1e-5)


def test_fused_path_stops_where_the_batch_by_batch_path_stops(digits):
    X, y = digits
    params = {**PARAMS, "epochs": 400, "tol": 1e-2, "n_iter_no_change": 5}
    fused = _fit(KerasClassifier(**params), X, y)
    stepped = _fit(KerasClassifier(callbacks=[keras.callbacks.Callback()], **params), X, y)
    assert fused.n_iter_ == stepped.n_iter_ < 400


def test_fused_refits_are_bit_identical(digits):
    X, y = digits
    first = _fit(KerasClassifier(dropout=0.2, **PARAMS), X, y).predict_proba(X)
    second = _fit(KerasClassifier(dropout=0.2, **PARAMS), X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)


def test_fused_regressor_with_warm_start(digits):
    X, _ = digits
    y = X @ np.linspace(-1, 1, X.shape[1]) * 100
    reg = _fit(KerasRegressor(warm_start=True, **PARAMS), X, y)
    first = reg.n_iter_
    _fit(reg, X, y)
    assert reg.n_iter_ > first
    assert reg.score(X, y) > 0.9


def test_epoch_plan_pads_the_last_batch_with_weightless_rows():
    rng = np.random.default_rng(0)
    index, weight, steps = epoch_plan(10, 4, None, rng, shuffle=True, k=2)
    assert steps == 3
    assert index.shape == weight.shape == (24,)
    for epoch in range(2):
        rows = index[epoch * 12 : epoch * 12 + 10]
        assert sorted(rows) == list(range(10))
        w = weight[epoch * 12 : (epoch + 1) * 12]
        np.testing.assert_array_equal(w[:8], 1.0)
        np.testing.assert_array_equal(w[8:10], 2.0)  # 2 real rows stand for a batch of 4
        np.testing.assert_array_equal(w[10:], 0.0)


def test_the_checked_parameters_are_read_only():
    # fit_once used to slip an "epoch_hooks" key into them; a call's own things are arguments.
    from kerasguide._estimator.params import check_params

    params = check_params(KerasClassifier(learning_rate_schedule="cosine"))
    with pytest.raises(TypeError):
        params["epoch_hooks"] = []
    assert params.replace(epochs=3)["epochs"] == 3
    assert params["epochs"] == 200
    with pytest.raises(KeyError, match="epoch_hooks"):
        params.replace(epoch_hooks=[])
