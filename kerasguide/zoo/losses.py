"""Regression losses with scikit-learn's names, and the pinball (quantile) loss Keras lacks.

``make_loss`` turns the zoo's ``loss`` compile option into a ``keras.losses.Loss``:
``"squared_error"``, ``"absolute_error"`` and ``"quantile"`` (with ``quantile=q``), spelt as
``HistGradientBoostingRegressor`` spells them. The pinball loss is
[`kerasguide.zoo.layers.Pinball`][kerasguide.zoo.layers.Pinball], one of our Keras objects.
"""

from __future__ import annotations

from typing import Any

from kerasguide.core.checks import check, invalid

__all__ = ["LOSSES", "make_loss"]

#: The loss names the zoo takes, as scikit-learn's regressors name them.
LOSSES = ("squared_error", "absolute_error", "quantile")


def make_loss(loss: Any, quantile: Any, dtype: str):
    """The Keras loss for the zoo's ``loss`` option: a scikit-learn name, or a Keras loss as is.

    Returns None for ``None`` (the task's own loss).
    """
    import keras

    if not isinstance(loss, str):
        return loss
    if loss not in LOSSES:
        # A Keras name ("mae", "huber"): Keras resolves it, as model.compile does.
        return loss
    if loss == "squared_error":
        return keras.losses.MeanSquaredError(dtype=dtype)
    if loss == "absolute_error":
        return keras.losses.MeanAbsoluteError(dtype=dtype)
    if quantile is None:
        raise invalid("quantile", "a float in (0, 1) when loss='quantile'", quantile)
    from kerasguide.zoo.layers import Pinball

    return Pinball(check("quantile", quantile), dtype=dtype)
