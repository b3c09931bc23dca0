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

ray = pytest.importorskip("ray", reason="needs Ray: pip install 'kerasguide[ray]'")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from kerasguide import KerasClassifier  # noqa: E402
from kerasguide.exceptions import ConvergenceWarning  # noqa: E402

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


def test_the_guides_ray_recipe_matches_a_local_run():
    X, y = load_digits(return_X_y=True)
    X, y = X[:150] / 16.0, y[:150]
    recipe = guide_block("## A cluster: Ray")
    assert "ray.init(" in recipe
    assert 'joblib.parallel_backend("ray")' in recipe
    backends = {}

    def worker_backend() -> str:  # defined here, so that Ray ships it by value
        import keras

        return keras.backend.backend()

    def report_backends():  # while the recipe's runtime is still up
        remote = ray.remote(worker_backend)
        backends["workers"] = set(ray.get([remote.remote() for _ in range(2)]))

    namespace = {"search": _search(), "X": X, "y": y}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 epochs on purpose
        local = _search(n_jobs=1).fit(X, y)
        try:
            exec(compile(recipe.replace("ray.shutdown()", ""), str(GUIDE), "exec"), namespace)
            report_backends()
        finally:
            ray.shutdown()
    remote = namespace["search"]

    import keras

    assert backends["workers"] == {keras.backend.backend()}
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))
