"""Conformal prediction with MAPIE: the three quantile regressors its CQR takes, from one call.

MAPIE's ``ConformalizedQuantileRegressor(estimator=[lower, upper, median], prefit=True)`` takes
three fitted quantile regressors predicting the ``(1 - confidence_level) / 2``,
``(1 + confidence_level) / 2`` and 0.5 quantiles, in that order. ``quantile_regressors`` fits
them from one [`KerasRegressor`][kerasguide.estimators.KerasRegressor] (its other parameters
kept), with ``loss="quantile"``. MAPIE's other entry points (``SplitConformalRegressor`` with
``StdConformityScore`` for ``uncertainty="ensemble"``, ``SplitConformalClassifier``) take the
estimators as they are; see the "Uncertainty" how-to.
"""

from __future__ import annotations

from typing import Any

from kerasguide.core.checks import invalid

__all__ = ["quantile_levels", "quantile_regressors"]


def quantile_levels(confidence_level: float) -> tuple[float, float, float]:
    """The lower, upper and median quantiles of a ``confidence_level`` interval, MAPIE's order.

    >>> quantile_levels(0.9)
    (0.05, 0.95, 0.5)
    """
    if (
        isinstance(confidence_level, bool)
        or not isinstance(confidence_level, int | float)
        or not (0.0 < confidence_level < 1.0)
    ):
        raise invalid("confidence_level", "a float in (0, 1)", confidence_level)
    alpha = 1.0 - float(confidence_level)
    return round(alpha / 2, 12), round(1.0 - alpha / 2, 12), 0.5


def quantile_regressors(estimator, X, y, *, confidence_level: float = 0.9, **fit_params: Any):
    """Fit the three quantile regressors of MAPIE's conformalized quantile regression.

    Parameters
    ----------
    estimator : KerasRegressor
        The regressor to copy (``sklearn.base.clone``); each copy gets ``loss="quantile"`` and
        its ``quantile``, every other parameter is kept.
    X, y : array-like
        The training data (not the conformalization data).
    confidence_level : float, default=0.9
        The interval's target coverage, as MAPIE's ``confidence_level``.
    **fit_params
        Passed to each ``fit`` (``sample_weight``, ``X_val``, ...).

    Returns
    -------
    list of KerasRegressor
        The fitted ``[lower, upper, median]`` regressors, for
        ``ConformalizedQuantileRegressor(estimator=..., prefit=True)``.
    """
    from sklearn.base import clone

    levels = quantile_levels(confidence_level)
    return [clone(estimator).set_params(loss="quantile", quantile=q).fit(X, y, **fit_params)
            for q in levels]  # fmt: skip
