"""Issue 24: regression losses with scikit-learn's names, and predictive uncertainty.

``loss="squared_error" | "absolute_error" | "quantile"`` with ``quantile=q`` (as
``HistGradientBoostingRegressor``), ``uncertainty="ensemble" | "mc_dropout"`` with ``n_members``,
and ``predict(X, return_std=True) -> (mean, std)`` (as ``GaussianProcessRegressor``).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.metrics import mean_pinball_loss, r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score

from kerasguide import KerasClassifier, KerasRegressor, load
from kerasguide._estimator import compiled
from kerasguide._estimator.ensemble import member_seeds
from kerasguide.exceptions import InvalidParameterError
from kerasguide.zoo.layers import Pinball

# Short trainings: stopping before convergence is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

FAST = {"hidden_layers": (16,), "learning_rate": 0.01, "tol": 0.0}


def _heteroscedastic(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(n, 1)).astype(np.float32)
    scale = 0.1 + 0.5 * np.abs(X[:, 0])
    return X, np.sin(X[:, 0]) + scale * rng.normal(size=n), scale


# --------------------------------------------------------------------------- the losses
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"loss": "huber"}, r"`loss` must be 'squared_error', 'absolute_error' or 'quantile'\. "
                            r"Received: loss='huber'"),
        ({"loss": "quantile", "quantile": 1.0}, r"`quantile` must be a float in \(0, 1\).*"
                                                r"Received: quantile=1\.0"),
        ({"loss": "quantile"}, r"`quantile` must be a float in \(0, 1\) when loss='quantile'\. "
                               r"Received: quantile=None"),
    ],
)  # fmt: skip
def test_bad_losses_are_refused_before_training(params, match):
    X, y, _ = _heteroscedastic(30)
    reg = KerasRegressor(epochs=1, **params)
    with pytest.raises(InvalidParameterError, match=match):
        reg.fit(X, y)
    assert not hasattr(reg, "model_")


def test_the_pinball_loss_is_scikit_learns_with_sample_weight():
    rng = np.random.default_rng(0)
    y, pred, w = rng.normal(size=(3, 50))
    w = np.abs(w)
    for q in (0.1, 0.5, 0.9):
        ours = float(Pinball(q)(y[:, None], pred[:, None], sample_weight=w))
        # Keras's "sum_over_batch_size" divides by the rows, scikit-learn by the weights.
        expected = mean_pinball_loss(y, pred, alpha=q, sample_weight=w) * w.sum() / len(w)
        np.testing.assert_allclose(ours, expected, rtol=1e-5)


def test_a_quantile_regressor_predicts_the_conditional_quantile():
    X, y, _ = _heteroscedastic(1500)
    X_test, y_test, scale_test = _heteroscedastic(1500, seed=1)
    kw = {**FAST, "hidden_layers": (32, 32), "epochs": 60, "random_state": 0}
    low = KerasRegressor(loss="quantile", quantile=0.05, **kw).fit(X, y)
    high = KerasRegressor(loss="quantile", quantile=0.95, **kw).fit(X, y)
    assert compiled.supported(high.model_)  # the pinball loss trains on the compiled path
    lo, hi = low.predict(X_test), high.predict(X_test)
    assert 0.85 <= np.mean((y_test >= lo) & (y_test <= hi)) <= 0.95
    assert 0.02 <= np.mean(y_test < lo) <= 0.09
    # The band follows the noise.
    assert spearmanr(hi - lo, scale_test).statistic > 0.5
    assert high.score(X_test, y_test) == pytest.approx(r2_score(y_test, hi), abs=1e-6)


def test_absolute_error_predicts_the_median_and_weights_count():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(800, 1)).astype(np.float32)
    y = rng.exponential(size=800)  # median log 2 (0.69), mean 1
    kw = {**FAST, "epochs": 40, "random_state": 0}
    median = KerasRegressor(loss="absolute_error", **kw).fit(X, y).predict(X)
    assert abs(np.median(median) - np.log(2)) < 0.12
    # Integer weights act like repeated rows: weighting the rows above 1 by 3 lifts the median.
    weights = np.where(y > 1.0, 3.0, 1.0)
    weighted = KerasRegressor(loss="absolute_error", **kw).fit(X, y, sample_weight=weights)
    repeated = np.repeat(y, weights.astype(int))
    assert abs(np.median(weighted.predict(X)) - np.median(repeated)) < 0.15


def test_quantile_loss_with_two_targets_and_early_stopping():
    X, y, _ = _heteroscedastic(800)
    Y = np.column_stack([y, 2 * y + 1])
    reg = KerasRegressor(loss="quantile", quantile=0.8, early_stopping=True, epochs=60,
                         random_state=0, **{**FAST, "hidden_layers": (32,)})  # fmt: skip
    pred = reg.fit(X, Y).predict(X)
    assert pred.shape == (800, 2)
    assert reg.validation_loss_curve_ is not None
    below = np.mean(pred > Y, axis=0)
    assert np.all((below > 0.7) & (below < 0.9)), below


# --------------------------------------------------------------------------- uncertainty
def test_return_std_without_uncertainty_names_it():
    X, y, _ = _heteroscedastic(40)
    reg = KerasRegressor(epochs=2, **FAST).fit(X, y)
    with pytest.raises(InvalidParameterError, match=r"`uncertainty`.*Received: uncertainty=None"):
        reg.predict(X, return_std=True)


def test_mc_dropout_without_dropout_is_refused_at_fit():
    X, y, _ = _heteroscedastic(40)
    for dropout in (None, 0.0):
        reg = KerasRegressor(uncertainty="mc_dropout", dropout=dropout, epochs=1)
        with pytest.raises(InvalidParameterError, match=r"dropout > 0.*Received: dropout="):
            reg.fit(X, y)
        assert not hasattr(reg, "model_")


def test_a_seeded_ensemble_is_its_members_fitted_apart():
    X, y, _ = _heteroscedastic(200)
    kw = {**FAST, "epochs": 5}
    ens = KerasRegressor(uncertainty="ensemble", n_members=3, random_state=7, **kw).fit(X, y)
    alone = np.stack([KerasRegressor(random_state=s, **kw).fit(X, y).predict(X)
                      for s in member_seeds(7, 3)])  # fmt: skip
    mean, std = ens.predict(X, return_std=True)
    np.testing.assert_allclose(mean, alone.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(std, alone.std(axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(ens.predict(X), mean)
    assert std.shape == mean.shape == (200,)
    assert ens.score(X, y) == pytest.approx(r2_score(y, mean), abs=1e-6)


def test_the_ensembles_std_grows_in_a_gap_without_data():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.uniform(-4, -1.5, 300), rng.uniform(1.5, 4, 300)])[:, None]
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=600)
    ens = KerasRegressor(uncertainty="ensemble", n_members=5, hidden_layers=(32, 32),
                         learning_rate=0.01, epochs=60, random_state=0).fit(X, y)  # fmt: skip
    grid = np.linspace(-4, 4, 401)[:, None]
    _, std = ens.predict(grid, return_std=True)
    gap, data = np.abs(grid[:, 0]) < 1.0, np.abs(grid[:, 0]) > 1.5
    assert std[gap].mean() >= 2 * std[data].mean()


def test_mc_dropout_averages_passes_with_dropout_on():
    X, y, _ = _heteroscedastic(300)
    reg = KerasRegressor(uncertainty="mc_dropout", dropout=0.2, n_members=8, epochs=10,
                         random_state=0, **FAST).fit(X, y)  # fmt: skip
    mean, std = reg.predict(X, return_std=True)
    assert (std > 0).all()
    np.testing.assert_array_equal(reg.predict(X), mean)  # the same masks each call
    deterministic = reg.model_.predict(X, verbose=0).ravel()
    assert not np.allclose(mean, deterministic)


def test_an_ensemble_classifier_averages_its_members_probabilities(blobs):
    X, labels = blobs
    clf = KerasClassifier(uncertainty="ensemble", n_members=3, epochs=5, random_state=0,
                          **FAST).fit(X, labels)  # fmt: skip
    alone = [KerasClassifier(random_state=s, epochs=5, **FAST).fit(X, labels).predict_proba(X)
             for s in member_seeds(0, 3)]  # fmt: skip
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, np.mean(alone, axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-5)


def test_an_ensemble_pickles_saves_clones_and_searches(tmp_path):
    X, y, _ = _heteroscedastic(120)
    ens = KerasRegressor(uncertainty="ensemble", n_members=2, epochs=3, random_state=0, **FAST)
    assert clone(ens).get_params() == ens.get_params()
    ens.fit(X, y)
    expected = ens.predict(X, return_std=True)
    copy = pickle.loads(pickle.dumps(ens))
    np.testing.assert_allclose(copy.predict(X, return_std=True), expected, rtol=1e-6)
    loaded = load(ens.save(tmp_path / "ens.kgz"))
    np.testing.assert_allclose(loaded.predict(X, return_std=True), expected, rtol=1e-6)
    assert np.isfinite(cross_val_score(ens, X, y, cv=2)).all()
    search = GridSearchCV(ens, {"n_members": [2, 3]}, cv=2).fit(X, y)
    assert search.best_estimator_.predict(X, return_std=True)[1].shape == (120,)


def test_a_warm_started_ensemble_continues_its_members():
    X, y, _ = _heteroscedastic(100)
    ens = KerasRegressor(uncertainty="ensemble", n_members=2, epochs=2, warm_start=True,
                         random_state=0, **FAST).fit(X, y)  # fmt: skip
    first = [m.model_ for m in ens._members_]
    ens.fit(X, y)
    assert [m.model_ for m in ens._members_] == first
    assert all(m.n_iter_ == 4 for m in ens._members_)


def test_a_failed_ensemble_fit_leaves_the_fitted_ensemble_as_it_was():
    X, y, _ = _heteroscedastic(100)
    ens = KerasRegressor(uncertainty="ensemble", n_members=2, epochs=2, random_state=0, **FAST)
    expected = ens.fit(X, y).predict(X, return_std=True)
    members = list(ens._members_)
    bad = y.copy()
    bad[5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ens.fit(X, bad)
    assert ens._members_ == members
    np.testing.assert_array_equal(ens.predict(X, return_std=True), expected)


def test_onnx_refuses_an_ensemble_rather_than_export_one_member():
    from kerasguide import to_onnx

    X, y, _ = _heteroscedastic(60)
    ens = KerasRegressor(uncertainty="ensemble", n_members=2, epochs=1, **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"one network.*Received: uncertainty='ensemble'"):
        to_onnx(ens, X[:1])


def test_mc_dropout_predicts_a_row_alike_whatever_rows_come_with_it():
    X, y, _ = _heteroscedastic(100)
    reg = KerasRegressor(uncertainty="mc_dropout", dropout=0.3, epochs=2, random_state=0,
                         **FAST).fit(X, y)  # fmt: skip
    mean, std = reg.predict(X, return_std=True)
    order = np.random.default_rng(0).permutation(100)
    shuffled = reg.predict(X[order], return_std=True)
    np.testing.assert_allclose(shuffled[0], mean[order], rtol=1e-6)
    np.testing.assert_allclose(shuffled[1], std[order], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(reg.predict(X[:7]), mean[:7], rtol=1e-6)


def test_a_failed_warm_start_leaves_every_member_as_it_was():
    import keras

    X, y, _ = _heteroscedastic(100)
    ens = KerasRegressor(uncertainty="ensemble", n_members=2, epochs=2, warm_start=True,
                         random_state=0, **FAST).fit(X, y)  # fmt: skip
    expected = ens.predict(X, return_std=True)
    weights = [m.model_.get_weights() for m in ens._members_]

    class FailsInTheSecondMember(keras.callbacks.Callback):
        epochs_seen = 0  # on the class: each member's fit may copy the callback

        def on_epoch_end(self, epoch, logs=None):
            type(self).epochs_seen += 1
            if type(self).epochs_seen > 2:  # the first member trained its 2 epochs
                raise RuntimeError("the second member fails")

    ens.set_params(callbacks=[FailsInTheSecondMember()])
    with pytest.raises(RuntimeError, match="the second member fails"):
        ens.fit(X, y)
    assert FailsInTheSecondMember.epochs_seen == 3
    for member, before in zip(ens._members_, weights, strict=True):
        for now, then in zip(member.model_.get_weights(), before, strict=True):
            np.testing.assert_array_equal(now, then)
        assert member.callbacks is None
        assert member.n_iter_ == 2
    np.testing.assert_array_equal(ens.predict(X, return_std=True), expected)
