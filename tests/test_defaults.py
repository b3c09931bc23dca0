"""The defaults work: on scikit-learn's embedded data sets, the default estimators in a
StandardScaler pipeline score at least as well as scikit-learn's default MLPs, with the same
cross-validation folds."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_digits
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide.exceptions import ConvergenceWarning


def _cv(estimator, X, y, seeds=(0, 1)) -> float:
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in seeds:
            estimator.set_params(random_state=seed)
            scores.append(cross_val_score(make_pipeline(StandardScaler(), estimator), X, y, cv=5))
    return float(np.mean(scores))


def test_default_classifier_matches_mlp_on_digits():
    X, y = load_digits(return_X_y=True)
    ours = _cv(KerasClassifier(), X, y)
    theirs = _cv(MLPClassifier(), X, y)
    assert ours >= theirs, (ours, theirs)
    assert ours >= 0.935


def test_default_regressor_matches_mlp_on_diabetes():
    X, y = load_diabetes(return_X_y=True)
    ours = _cv(KerasRegressor(), X, y)
    theirs = _cv(MLPRegressor(), X, y)
    assert ours >= theirs, (ours, theirs)
    assert ours >= 0.45
