"""A grid search run through Ray's joblib backend gives the same results as one run in-process.

The code that runs the search is the scaling-out guide's Ray recipe, read from the page, so the
guide shows the code this test runs. Ray starts a local runtime with two worker cores; the
estimators travel to its worker processes pickled, train there, and send their scores back.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from kerasguide import KerasClassifier
from kerasguide.exceptions import ConvergenceWarning

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "how-to" / "scaling-out.md"
GRID = {"hidden_layers": [(8,), (16,)]}


def guide_block(heading: str) -> str:
    """The first ```python block under ``heading`` in the scaling-out guide."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, f"no python block under {heading!r} in {GUIDE}"
    return blocks[0]


def _search(n_jobs=None):
    estimator = KerasClassifier(epochs=5, learning_rate=0.01, random_state=0)
    return GridSearchCV(estimator, GRID, cv=2, n_jobs=n_jobs)


def _data():
    X, y = load_digits(return_X_y=True)
    return X[:150] / 16.0, y[:150]


def _local_search(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 epochs on purpose
        return _search(n_jobs=1).fit(X, y)


def assert_same_search(remote, local, X):
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))


def test_the_guides_ray_recipe_matches_a_local_run():
    ray = pytest.importorskip("ray", reason="needs Ray: pip install 'kerasguide[ray]'")
    X, y = _data()
    recipe = guide_block("## A cluster: Ray")
    assert "ray.init(" in recipe
    assert 'joblib.parallel_backend("ray")' in recipe
    namespace = {"search": _search(), "X": X, "y": y}
    local = _local_search(X, y)

    def worker_backend() -> str:  # defined here, so that Ray ships it by value
        import keras

        return keras.backend.backend()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:  # the recipe, but the runtime stays up to ask its workers for their backend
            exec(compile(recipe.replace("ray.shutdown()", ""), str(GUIDE), "exec"), namespace)
            remote = ray.remote(worker_backend)
            workers = set(ray.get([remote.remote() for _ in range(2)]))
        finally:
            ray.shutdown()

    import keras

    assert workers == {keras.backend.backend()}
    assert_same_search(namespace["search"], local, X)


def test_the_guides_dask_local_cluster_recipe_matches_a_local_run():
    pytest.importorskip("distributed", reason="needs Dask: pip install 'kerasguide[dask]'")
    import keras

    X, y = _data()
    recipe = guide_block("## A cluster: Dask")
    assert "LocalCluster(" in recipe
    assert 'joblib.parallel_backend("dask")' in recipe
    namespace = {"search": _search(), "X": X, "y": y}
    local = _local_search(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        recipe = recipe.replace("client.close()\ncluster.close()\n", "")
        exec(compile(recipe, str(GUIDE), "exec"), namespace)
    client, cluster = namespace["client"], namespace["cluster"]
    try:
        workers = client.run(lambda: __import__("keras").backend.backend())
    finally:
        client.close()
        cluster.close()
    assert set(workers.values()) == {keras.backend.backend()}
    assert len(workers) == 2
    assert_same_search(namespace["search"], local, X)
