"""Sample and class weights: checked with scikit-learn's public helpers and its wording.

``sample_weight`` and the weights that ``class_weight`` gives each row get the same checks (1-D,
one per row, finite, non-negative, not all zero), so a negative class weight is refused as a
negative sample weight is. The product is scaled to mean 1, so that integer weights act like
repeated rows.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_array, check_non_negative

__all__ = ["check_weights", "effective_sample_weight"]


def check_weights(weights, n_samples: int, whom: str) -> np.ndarray:
    """``weights`` as a float64 array of ``n_samples``, checked as scikit-learn checks them."""
    if isinstance(weights, numbers.Number):
        weights = np.full(n_samples, weights, dtype=np.float64)
    weights = check_array(weights, ensure_2d=False, dtype=np.float64, input_name=whom)
    if weights.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got {weights.ndim}D array. Expected "
            f"either a scalar value or a 1D array of length {n_samples}."
        )
    if weights.shape != (n_samples,):
        raise ValueError(f"{whom}.shape == {weights.shape}, expected {(n_samples,)}!")
    check_non_negative(weights, f"`{whom}`")
    if not np.any(weights):
        raise ValueError(f"Sample weights must contain at least one non-zero number ({whom}).")
    return weights


def effective_sample_weight(sample_weight, X, class_weight_rows) -> np.ndarray | None:
    """The weights training uses: ``sample_weight`` times the class weights, mean 1."""
    n_samples = X.shape[0]
    weights = None
    if sample_weight is not None:
        weights = check_weights(sample_weight, n_samples, "sample_weight")
    if class_weight_rows is not None:
        rows = check_weights(class_weight_rows, n_samples, "class_weight")
        weights = rows if weights is None else weights * rows
        if not np.any(weights):
            raise ValueError(
                "Sample weights must contain at least one non-zero number (sample_weight "
                "times class_weight)."
            )
    if weights is not None:
        weights = weights * (n_samples / weights.sum())
    return weights
