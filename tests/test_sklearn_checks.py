"""scikit-learn's own estimator checks, on the estimators with their default parameters.

No check is marked as an expected failure, except where the backend does not compute in float64
end to end (JAX without ``jax_enable_x64``; PyTorch under Keras 3.15, see
``kerasguide._estimator.backend``): the estimators then train in float32, and the checks that
compare two fits to ``rtol=1e-7`` ask for more digits than float32 has.
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from kerasguide import KerasClassifier, KerasRegressor
from kerasguide._estimator.backend import float64_available

_FLOAT32_ONLY = (
    "trains in float32 on this backend (no end-to-end float64); the two fits agree to "
    "float32 rounding, not to the check's rtol=1e-7"
)


def _expected_failed_checks(estimator) -> dict[str, str]:
    if float64_available():
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": _FLOAT32_ONLY,
        "check_sample_weight_equivalence_on_sparse_data": _FLOAT32_ONLY,
    }


# Default epochs on the checks' tiny random data rarely converge; that warning is not the point.
@pytest.mark.filterwarnings("ignore::kerasguide.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [KerasClassifier(), KerasRegressor()], expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
