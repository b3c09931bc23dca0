"""scikit-learn's own estimator checks, on the estimators with their default parameters.

No check is marked as an expected failure.
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from kerasguide import KerasClassifier, KerasRegressor


@parametrize_with_checks([KerasClassifier(), KerasRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
