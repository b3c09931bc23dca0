"""The checks of ``kerasguide.scratch``: its functions' arguments, checked and converted, and
the training's divergence.

Internal to the ``kerasguide.scratch`` package, whose functions raise these messages; the names
carry no underscore because another module imports them.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.utils import check_array

from kerasguide.core.checks import check_bool as _check_bool
from kerasguide.core.checks import check_int as _check_int
from kerasguide.core.checks import check_random_state_arg as _check_random_state
from kerasguide.exceptions import InvalidParameterError

REDUCTIONS = ("sum", "mean")


def check_reduction(reduction: Any) -> str:
    if reduction not in REDUCTIONS:
        raise InvalidParameterError(
            f"`reduction` must be 'sum' or 'mean'. Received: reduction={reduction!r}"
        )
    return reduction


def check_learning_rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < np.inf:
        raise InvalidParameterError(
            f"`learning_rate` must be a float > 0. Received: learning_rate={value!r}"
        )
    return float(value)


def check_values(name: str, array: np.ndarray) -> None:
    """scikit-learn's checks and wording: at least one sample, and no NaN or infinity."""
    check_array(array, ensure_2d=False, allow_nd=True, ensure_all_finite=True, input_name=name)


def as_batch(
    x: Any, y: Any, weights: Any = None, *, x_name: str = "x"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x`` as a 2-D batch, ``y`` and ``weights`` as 1-D, with matching sizes; ``x`` and ``y``
    finite and not empty."""
    X = np.atleast_2d(np.asarray(x, dtype=np.float64))
    Y = np.atleast_1d(np.asarray(y, dtype=np.float64))
    w = np.zeros(X.shape[-1]) if weights is None else np.asarray(weights, dtype=np.float64)
    if X.ndim != 2 or w.shape != (X.shape[1],):
        raise ValueError(
            "`x` must be one sample (n_features,) or a batch (n_samples, n_features) and "
            f"`weights` (n_features,). Received: x.shape={X.shape}, weights.shape={w.shape}"
        )
    if Y.shape != (X.shape[0],):
        raise ValueError(
            f"`y` must hold one target per sample ({X.shape[0]}). Received: y.shape={Y.shape}"
        )
    check_values(x_name, X)
    check_values("y", Y)
    return X, Y, w


def check_train_args(
    X: Any,
    y: Any,
    epochs: Any,
    learning_rate: Any,
    batch_size: Any,
    shuffle: Any,
    random_state: Any,
) -> tuple[np.ndarray, np.ndarray, int, float, int, bool, np.random.RandomState]:
    """``train``'s arguments, checked in its order and converted: ``X`` and ``y`` as a batch,
    the numbers as ``int`` and ``float``, ``random_state`` as a ``RandomState``."""
    epochs = _check_int("epochs", epochs)
    learning_rate = check_learning_rate(learning_rate)
    batch_size = _check_int("batch_size", batch_size)
    shuffle = _check_bool("shuffle", shuffle)
    rng = _check_random_state(random_state)
    if np.ndim(X) != 2:
        raise ValueError(f"`X` must be 2-D (n_samples, n_features). Received: X.ndim={np.ndim(X)}")
    X, y, _ = as_batch(X, y, x_name="X")
    return X, y, epochs, learning_rate, batch_size, shuffle, rng


def check_divergence(loss: float, epoch: int, learning_rate: float) -> None:
    """Raise the ``ValueError`` that reports a diverged training, where ``loss`` is not finite."""
    if not np.isfinite(loss):
        raise ValueError(
            f"Training diverged at epoch {epoch}: the loss overflowed. Lower the "
            "learning rate or standardise X and y (e.g. with StandardScaler). "
            f"Received: learning_rate={learning_rate!r}"
        )
