"""skpro reads an ensemble regressor's ``predict(X, return_std=True)`` as a Normal (issue 24)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

pd = pytest.importorskip("pandas")
pytest.importorskip("skpro")
from skpro.regression.adapters.sklearn import SklearnProbaReg  # noqa: E402

from kerasguide import KerasRegressor  # noqa: E402


@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")
def test_skpro_intervals_from_an_ensemble_regressor():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.uniform(-3, 3, 200)})
    y = pd.DataFrame({"y": np.sin(X["x"]) + 0.2 * rng.normal(size=200)})
    ens = KerasRegressor(uncertainty="ensemble", n_members=3, hidden_layers=(16,), epochs=10,
                         learning_rate=0.01, random_state=0)  # fmt: skip
    proba = SklearnProbaReg(ens).fit(X, y)
    intervals = proba.predict_interval(X, coverage=0.9).to_numpy()
    mean, std = proba.estimator_.predict(X, return_std=True)
    half = norm.ppf(0.95) * std
    np.testing.assert_allclose(intervals[:, 0], mean - half, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(intervals[:, 1], mean + half, rtol=1e-4, atol=1e-5)
