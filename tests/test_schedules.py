"""Learning-rate schedules as a parameter: each recorded epoch rate against its closed form."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from kerasguide import KerasClassifier, KerasRegressor

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

# 200 rows in batches of 50: 4 steps an epoch, 10 epochs: 40 steps.
PARAMS = {"hidden_layers": (8,), "batch_size": 50, "epochs": 10, "random_state": 0,
          "learning_rate": 0.02, "n_iter_no_change": 100}  # fmt: skip
STEPS, TOTAL = 4, 40


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:200] / 16.0).astype(np.float32), y[:200]


def _epoch_first_steps():
    return np.arange(PARAMS["epochs"]) * STEPS


def test_cosine_rates_follow_the_closed_form(digits):
    clf = KerasClassifier(learning_rate_schedule="cosine", **PARAMS).fit(*digits)
    expected = [0.02 * 0.5 * (1 + math.cos(math.pi * s / TOTAL)) for s in _epoch_first_steps()]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, rtol=1e-5)
    # The base rate is back on the optimizer after the fit.
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.02)


def test_step_rates_follow_the_closed_form(digits):
    clf = KerasClassifier(learning_rate_schedule="step", **PARAMS).fit(*digits)
    expected = [0.02 * 0.1 ** (s // (TOTAL // 3)) for s in _epoch_first_steps()]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, rtol=1e-5)


def test_a_keras_schedule_instance_is_called_with_the_step(digits):
    schedule = keras.optimizers.schedules.InverseTimeDecay(0.05, decay_steps=4, decay_rate=1.0)
    clf = KerasClassifier(learning_rate_schedule=schedule, **PARAMS).fit(*digits)
    expected = [0.05 / (1 + s / 4) for s in _epoch_first_steps()]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, rtol=1e-5)


def test_plateau_divides_the_rate_after_patience_epochs_without_improvement():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 4)), rng.integers(0, 2, 100)  # noise: the loss plateaus
    params = {**PARAMS, "learning_rate": 0.5, "epochs": 30, "tol": 0.0, "n_iter_no_change": 4}
    clf = KerasClassifier(learning_rate_schedule="plateau", **params).fit(X, y)
    rates, losses = clf.history_["learning_rate"], clf.history_["loss"]
    # ReduceLROnPlateau's rule, replayed on the recorded losses (patience 2, factor 0.1).
    best, wait, rate, expected = np.inf, 0, 0.5, []
    for loss in losses:
        expected.append(rate)
        if loss < best:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= 2:
                rate, wait = rate * 0.1, 0
    np.testing.assert_allclose(rates, expected, rtol=1e-5)
    assert min(rates) < 0.5


def test_partial_fit_continues_the_schedule(digits):
    X, y = digits
    clf = KerasClassifier(learning_rate_schedule="cosine", **PARAMS)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.arange(10))
    expected = [0.02 * 0.5 * (1 + math.cos(math.pi * s / TOTAL)) for s in (0, 4, 8)]
    np.testing.assert_allclose(clf.history_["learning_rate"], expected, rtol=1e-5)


def test_warm_start_runs_the_schedule_again(digits):
    clf = KerasClassifier(learning_rate_schedule="step", warm_start=True, **PARAMS)
    clf.fit(*digits).fit(*digits)
    rates = clf.history_["learning_rate"]
    assert len(rates) == 20
    np.testing.assert_allclose(rates[:10], rates[10:])


def test_schedules_are_grid_searchable(digits):
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=4, decay_rate=0.5)
    grid = {"learning_rate_schedule": ["cosine", "step", "plateau", schedule]}
    search = GridSearchCV(KerasRegressor(**{**PARAMS, "epochs": 2}), grid, cv=2,
                          error_score="raise")  # fmt: skip
    X, y = digits
    search.fit(X, y.astype(float))
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_an_unknown_schedule_is_refused(digits):
    with pytest.raises(ValueError, match="learning_rate_schedule"):
        KerasClassifier(learning_rate_schedule="linear").fit(*digits)


class _Ascent(keras.optimizers.schedules.LearningRateSchedule):
    """A negative rate: gradient ascent."""

    def __call__(self, step):
        return keras.ops.convert_to_tensor(-0.01) + 0.0 * keras.ops.cast(step, "float32")

    def get_config(self):
        return {}


@pytest.mark.parametrize(
    ("schedule", "where"),
    [(_Ascent(), "at step 0 it gives -0.01"),
     # Zero from step 30 on (the eighth of ten epochs): refused before the first step too.
     (keras.optimizers.schedules.PiecewiseConstantDecay([29], [0.01, 0.0]),
      "at step 30 it gives 0\\.")],
    ids=["negative", "zero-later"],
)  # fmt: skip
def test_a_schedule_with_a_non_positive_rate_is_refused_before_training(digits, schedule, where):
    from sklearn.exceptions import NotFittedError

    from kerasguide.exceptions import InvalidParameterError

    clf = KerasClassifier(**{**PARAMS, "learning_rate_schedule": schedule})
    match = rf"`learning_rate_schedule` must give a finite learning rate > 0 .*{where}"
    with pytest.raises(InvalidParameterError, match=match):
        clf.fit(*digits)
    with pytest.raises(NotFittedError):
        clf.predict(digits[0])
    # A fitted estimator is left as it was.
    fitted = KerasClassifier(**PARAMS).fit(*digits)
    before, history = fitted.predict_proba(digits[0]), dict(fitted.history_)
    fitted.set_params(learning_rate_schedule=schedule)
    with pytest.raises(InvalidParameterError, match=match):
        fitted.fit(*digits)
    with pytest.raises(InvalidParameterError, match="must give a finite learning rate > 0"):
        fitted.partial_fit(*digits)  # it continues the schedule from the optimizer's step
    np.testing.assert_array_equal(fitted.predict_proba(digits[0]), before)
    assert fitted.history_ == history
