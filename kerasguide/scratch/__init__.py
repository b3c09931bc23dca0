"""The talk's linear regression from scratch, in plain NumPy.

One small function per ingredient: [`model`][kerasguide.scratch.model] (the operation,
``X @ weights + intercept``), [`cost`][kerasguide.scratch.cost] (squared errors),
[`gradients`][kerasguide.scratch.gradients] and [`update`][kerasguide.scratch.update] (one step of
gradient descent), [`train`][kerasguide.scratch.train] (epochs of per-sample or mini-batch steps)
and [`evaluate`][kerasguide.scratch.evaluate] (the root mean squared error).
[`ScratchLinearRegression`][kerasguide.scratch.ScratchLinearRegression] wraps them as a scikit-learn
regressor.

The gradients here are the correct ones, ``-2 * (y - y_hat) * x``; the talk's code multiplied
by the weights where the input belongs. No Keras is imported: this is what Keras automates.

This package may import ``kerasguide.core``, NumPy and scikit-learn, never Keras;
``checks`` holds its argument checks.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from kerasguide.scratch.checks import REDUCTIONS as REDUCTIONS  # kept here, as before
from kerasguide.scratch.checks import (
    as_batch,
    check_divergence,
    check_learning_rate,
    check_reduction,
    check_train_args,
    check_values,
)

# fmt: off
__all__ = ["ScratchLinearRegression", "TrainResult", "cost", "evaluate", "gradients", "model",
           "train", "update"]
# fmt: on


def model(X: Any, weights: Any, intercept: float) -> np.ndarray:
    """The prediction: each feature times its weight, summed, plus the intercept.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_features,)
        A batch of samples, or one sample.
    weights : array-like of shape (n_features,)
        One weight per feature.
    intercept : float
        Added to every prediction.

    Returns
    -------
    ndarray of shape (n_samples,), or a scalar for one sample

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.scratch import model
    >>> model(np.array([[1250, 350, 3], [1700, 900, 6]]), np.array([300, -10, -1]), -26497)
    array([345000, 474497])
    """
    return np.asarray(X) @ np.asarray(weights) + intercept


def cost(y_hat: Any, y: Any, *, reduction: str = "sum") -> float:
    """Squared errors: their sum (the talk's cost, the default) or their mean.

    Parameters
    ----------
    y_hat, y : array-like of the same shape
        Predictions and true values.
    reduction : {"sum", "mean"}, default="sum"
        ``"mean"`` gives the mean squared error, the loss Keras minimises.

    Examples
    --------
    >>> from kerasguide.scratch import cost
    >>> cost([1.0, 2.0], [0.0, 0.0]), cost([1.0, 2.0], [0.0, 0.0], reduction="mean")
    (5.0, 2.5)
    """
    reduction = check_reduction(reduction)
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if y_hat.shape != y.shape:  # guard against (n,) - (n, 1) broadcasting to (n, n)
        raise ValueError(
            f"`y_hat` and `y` must have the same shape. Received: y_hat.shape={y_hat.shape}, "
            f"y.shape={y.shape}"
        )
    check_values("y_hat", np.atleast_1d(y_hat))
    check_values("y", np.atleast_1d(y))
    return _sum_or_mean_of_squares(y_hat - y, reduction)


def _sum_or_mean_of_squares(errors: np.ndarray, reduction: str) -> float:
    squared = errors**2
    return float(squared.sum() if reduction == "sum" else squared.mean())


def _gradients(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, scale: float
) -> tuple[np.ndarray, float]:
    # scale * the sum over the batch of d/dw (y - y_hat)^2 = -2 (y - y_hat) x, and of
    # d/db (y - y_hat)^2 = -2 (y - y_hat): scale is 1 for the sum, 1 / n for the mean.
    delta = y - (X @ w + b)
    return (-2.0 * scale) * (delta @ X), (-2.0 * scale) * float(delta.sum())


def gradients(
    x: Any, y: Any, weights: Any, intercept: float, *, reduction: str = "sum"
) -> tuple[np.ndarray, float]:
    """Gradients of the squared error with respect to the weights and the intercept.

    For one sample, with ``delta = y - y_hat``, the chain rule gives ``-2 * delta * x`` for the
    weights and ``-2 * delta`` for the intercept (whose input is always 1). The talk's code
    multiplied by ``weights`` instead of ``x``, which is not the gradient; this function uses ``x``.
    For a batch the per-sample gradients are summed (``reduction="sum"``, the gradient of
    [`cost`][kerasguide.scratch.cost] with its default) or averaged (``"mean"``, the gradient of the
    mean squared error, what [`train`][kerasguide.scratch.train] and Keras use).

    Parameters
    ----------
    x : array-like of shape (n_features,) or (n_samples, n_features)
        One sample or a batch.
    y : float or array-like of shape (n_samples,)
        The true value(s).
    weights : array-like of shape (n_features,)
        Current weights.
    intercept : float
        Current intercept.
    reduction : {"sum", "mean"}, default="sum"
        How a batch's per-sample gradients combine; one sample gives the same either way.

    Returns
    -------
    grad_weights, grad_intercept : ndarray of shape (n_features,), float

    Examples
    --------
    The talk's back-propagation example: ``delta = y - y_hat = -2`` and ``x0 = -2`` give
    ``-8`` for the first weight.

    >>> from kerasguide.scratch import gradients
    >>> grad_w, grad_b = gradients([-2.0, 1.0, 3.0], 0.0, [1.0, 1.0, 1.0], 0.0)
    >>> grad_w.tolist(), grad_b
    ([-8.0, 4.0, 12.0], 4.0)
    """
    reduction = check_reduction(reduction)
    X, Y, w = as_batch(x, y, weights)
    return _gradients(X, Y, w, float(intercept), 1.0 if reduction == "sum" else 1.0 / len(Y))


def update(
    weights: Any, intercept: float, grads: tuple[Any, float], learning_rate: float
) -> tuple[np.ndarray, float]:
    """One step of gradient descent: move each parameter against its gradient.

    Parameters
    ----------
    weights : array-like of shape (n_features,)
    intercept : float
    grads : tuple (grad_weights, grad_intercept)
        As returned by [`gradients`][kerasguide.scratch.gradients].
    learning_rate : float
        Step size; too large overshoots and diverges, too small crawls.

    Returns
    -------
    weights : ndarray of shape (n_features,)
        New weights (the inputs are not modified).
    intercept : float

    Examples
    --------
    >>> from kerasguide.scratch import update
    >>> w, b = update([1.0, 1.0], 0.5, ([2.0, -4.0], 1.0), learning_rate=0.5)
    >>> w.tolist(), b
    ([0.0, 3.0], 0.0)
    """
    learning_rate = check_learning_rate(learning_rate)
    grad_w, grad_b = grads
    new_w = np.asarray(weights, dtype=np.float64) - learning_rate * np.asarray(grad_w)
    return new_w, float(intercept) - learning_rate * float(grad_b)


class TrainResult(NamedTuple):
    """What [`train`][kerasguide.scratch.train] returns.

    The final parameters and the mean squared error per epoch.
    """

    weights: np.ndarray
    intercept: float
    loss_curve: list[float]


def train(
    X: Any,
    y: Any,
    *,
    epochs: int = 100,
    learning_rate: float = 0.01,
    batch_size: int = 1,
    shuffle: bool = True,
    random_state: int | np.random.RandomState | None = None,
) -> TrainResult:
    """Fit the weights and intercept by stochastic or mini-batch gradient descent.

    The weights start from a standard normal draw and the intercept from 0, as in the talk.
    Each epoch visits the samples (in a fresh random order when ``shuffle``) in batches of
    ``batch_size``, taking one gradient-descent step per batch with the batch-mean gradient, so
    ``batch_size=1`` is the talk's per-sample loop and ``batch_size >= n_samples`` is plain
    gradient descent. Scale ``X`` and ``y`` first (e.g. ``StandardScaler``): on raw house
    prices any useful learning rate overshoots, and a ``ValueError`` reports the divergence.
    NaN or infinity in ``X`` or ``y``, or no samples at all, raise a ``ValueError`` saying so
    (in scikit-learn's words) before any step is taken.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    epochs : int, default=100
        Passes over the data.
    learning_rate : float, default=0.01
        Step size. The talk used 0.05, which makes per-sample steps overshoot once there are
        more than a few standardised features.
    batch_size : int, default=1
        Samples per step.
    shuffle : bool, default=True
        Visit the samples in a new random order each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the shuffling.

    Returns
    -------
    TrainResult
        ``(weights, intercept, loss_curve)``, the curve holding the training mean squared
        error after each epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.scratch import train
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0]])
    >>> result = train(X, X @ [2.0, -1.0] + 0.5, epochs=500, learning_rate=0.1, random_state=0)
    >>> result.weights.round(3).tolist(), round(result.intercept, 3)
    ([2.0, -1.0], 0.5)
    """
    X, y, epochs, learning_rate, batch_size, shuffle, rng = check_train_args(
        X, y, epochs, learning_rate, batch_size, shuffle, random_state
    )
    return _gradient_descent(X, y, rng, epochs, learning_rate, batch_size, shuffle)


def _gradient_descent(
    X: np.ndarray,
    y: np.ndarray,
    rng: np.random.RandomState,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    shuffle: bool,
) -> TrainResult:
    """The epochs of ``train``, on checked arguments, from standard normal weights and a zero
    intercept; the loss is checked after each epoch."""
    n_samples = len(y)
    weights, intercept = rng.standard_normal(X.shape[1]), 0.0
    loss_curve: list[float] = []
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
            weights, intercept = _epoch(X, y, weights, intercept, order, learning_rate, batch_size)
            loss = _sum_or_mean_of_squares(X @ weights + intercept - y, "mean")
            check_divergence(loss, epoch, learning_rate)
            loss_curve.append(loss)
    return TrainResult(weights, float(intercept), loss_curve)


def _epoch(
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    intercept: float,
    order: np.ndarray,
    learning_rate: float,
    batch_size: int,
) -> tuple[np.ndarray, float]:
    """One pass over the samples in ``order``: a step with the batch-mean gradient per batch."""
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        grad_w, grad_b = _gradients(X[batch], y[batch], weights, intercept, 1 / len(batch))
        weights = weights - learning_rate * grad_w
        intercept = intercept - learning_rate * grad_b
    return weights, intercept


def evaluate(X: Any, y: Any, weights: Any, intercept: float) -> float:
    """The root mean squared error of the model on ``(X, y)``, in the units of ``y``.

    The talk took the square root of the mean of a summed cost, which is the root of the sum;
    this divides by the number of samples first.

    Examples
    --------
    >>> from kerasguide.scratch import evaluate
    >>> evaluate([[1.0], [2.0]], [1.0, 5.0], [1.0], 0.0)
    2.1213203435596424
    """
    X, y, w = as_batch(X, y, weights, x_name="X")
    return float(np.sqrt(_sum_or_mean_of_squares(model(X, w, intercept) - y, "mean")))


class ScratchLinearRegression(RegressorMixin, BaseEstimator):
    """Linear regression trained by the from-scratch gradient descent.

    ``fit`` calls [`train`][kerasguide.scratch.train] with the estimator's parameters.

    Parameters
    ----------
    learning_rate : float, default=0.01
        Step size of each update (see [`train`][kerasguide.scratch.train]).
    epochs : int, default=100
        Passes over the training data.
    batch_size : int, default=1
        Samples per update: 1 is the talk's per-sample descent, larger values mini-batches.
    shuffle : bool, default=True
        Visit the samples in a new random order each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the shuffling.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The learned weights.
    intercept_ : float
        The learned intercept.
    loss_curve_ : list of float
        Training mean squared error after each epoch.
    n_iter_ : int
        Epochs run.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when ``X`` had string column names.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from kerasguide.datasets import make_houses
    >>> from kerasguide.scratch import ScratchLinearRegression
    >>> X, y = make_houses(100, random_state=0, return_X_y=True)
    >>> reg = make_pipeline(StandardScaler(), ScratchLinearRegression(batch_size=10))
    >>> reg.fit(X, y / 1e5).score(X, y / 1e5) > 0.98
    True
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        epochs: int = 100,
        batch_size: int = 1,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> ScratchLinearRegression:
        """Fit the weights and intercept to ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        # The constructor's parameters are train's keyword arguments, name for name.
        self.coef_, self.intercept_, self.loss_curve_ = train(X, y, **self.get_params())
        self.n_iter_ = len(self.loss_curve_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict with the fitted weights: ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return model(X, self.coef_, self.intercept_)
