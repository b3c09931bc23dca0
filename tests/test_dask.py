"""A grid search spread over a Dask cluster gives the same results as one run in-process.

Two worker processes on this machine stand in for a real cluster: the estimators travel to
them pickled, train there on the Keras backend of this process, and send their scores back.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip(
    "distributed", reason="needs Dask's distributed scheduler: pip install 'kerasguide[dask]'"
)

import joblib  # noqa: E402
import keras  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from kerasguide import KerasClassifier  # noqa: E402
from kerasguide.exceptions import ConvergenceWarning  # noqa: E402

GRID = {"hidden_layers": [(8,), (16,)]}


def _search():
    estimator = KerasClassifier(epochs=10, learning_rate=0.01, random_state=0)
    return GridSearchCV(estimator, GRID, cv=2)


def _worker_backend() -> str:
    import keras

    return keras.backend.backend()


@pytest.fixture(scope="module")
def client():
    # The workers are fresh processes: hand them this process's backend and log level, so they
    # train on the same backend whatever their environment says.
    env = {
        "KERAS_BACKEND": keras.backend.backend(),
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
    }
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=env,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_grid_search_on_a_dask_cluster_matches_a_local_run(client):
    X, y = make_classification(
        n_samples=120, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    backends = client.run(_worker_backend)
    assert set(backends.values()) == {keras.backend.backend()}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 10 epochs on purpose
        local = _search().fit(X, y)
        remote = _search()
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            remote.fit(X, y)

    assert len(tasks.data) >= len(GRID["hidden_layers"]) * 2  # the fits ran on the workers
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
