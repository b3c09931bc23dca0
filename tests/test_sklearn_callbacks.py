"""scikit-learn's callbacks (sklearn.callback, scikit-learn >= 1.9): one task per epoch."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kerasguide import KerasClassifier, KerasRegressor

callback = pytest.importorskip("sklearn.callback", reason="sklearn.callback needs scikit-learn 1.9")

pytestmark = pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")

PARAMS = {"hidden_layers": (8,), "epochs": 4, "random_state": 0, "learning_rate": 0.01}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:200] / 16.0, y[:200]


class TaskRecorder(callback.AutoPropagatedCallback):
    """Records every task that ends, and asks to stop after ``stop_after`` epochs."""

    max_propagation_depth = None  # reaches every level

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.ended = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ended.append((context.estimator_name, context.task_name, context.task_id))
        if fitted_estimator is not None and context.task_name == "epoch":
            assert fitted_estimator.n_iter_ == context.task_id + 1
        return self.stop_after is not None and context.task_id + 1 >= self.stop_after


def _epochs(recorder):
    return [task for task in recorder.ended if task[1] == "epoch"]


def test_scoring_monitor_logs_one_record_per_epoch(digits):
    X, y = digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    seen = []
    keras_callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))
    clf = KerasClassifier(callbacks=[keras_callback], **PARAMS).set_callbacks(monitor)
    clf.fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert [row["task_id"] for row in rows] == [0, 1, 2, 3] == seen  # Keras's callback too
    # The last epoch's record scores the fitted model.
    assert rows[-1]["accuracy"] == pytest.approx(clf.score(X, y))


def test_a_regressor_is_scored_in_the_units_of_y(digits):
    X, y = digits
    y = 1000.0 + 50.0 * y
    monitor = callback.ScoringMonitor(scoring="r2")
    reg = KerasRegressor(**PARAMS).set_callbacks(monitor).fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert rows[-1]["r2"] == pytest.approx(reg.score(X, y), rel=1e-6)
    # Scoring left the training unit scaling as it was: the same fit without the monitor.
    plain = KerasRegressor(**PARAMS).fit(X, y)
    np.testing.assert_allclose(plain.predict(X), reg.predict(X), rtol=1e-5)


def test_a_callback_can_stop_training(digits):
    recorder = TaskRecorder(stop_after=2)
    clf = KerasClassifier(**{**PARAMS, "epochs": 10}).set_callbacks(recorder).fit(*digits)
    assert clf.n_iter_ == 2
    assert len(_epochs(recorder)) == 2


def test_callbacks_on_a_grid_search_reach_every_inner_fit(digits):
    recorder = TaskRecorder()
    search = GridSearchCV(KerasClassifier(**PARAMS), {"dropout": [0.0, 0.2]}, cv=2)
    search.set_callbacks(recorder).fit(*digits)
    inner = [t for t in _epochs(recorder) if t[0] == "KerasClassifier"]
    assert len(inner) == (2 * 2 + 1) * 4  # 4 fits of the search, the refit; 4 epochs each


def test_callbacks_on_a_pipeline_reach_the_estimator(digits):
    recorder = TaskRecorder()
    pipe = make_pipeline(StandardScaler(), KerasClassifier(**PARAMS)).set_callbacks(recorder)
    pipe.fit(*digits)
    assert len(_epochs(recorder)) == 4


def test_progress_bar_runs_with_partial_fit(digits, capsys):
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    X, y = digits
    clf = KerasClassifier(**PARAMS).set_callbacks(callback.ProgressBar())
    clf.partial_fit(X, y, classes=np.arange(10)).fit(X, y)
    assert clf.n_iter_ == 4
