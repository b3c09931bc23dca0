"""Regression targets standardised for training, the scaling folded into the linear head.

Training on standardised targets makes the defaults work whatever the units of ``y`` (prices in
dollars, say); folding ``y = scale * z + shift`` into the output layer's kernel and bias after
training lets the Keras model itself predict in the units of ``y``.
"""

from __future__ import annotations

import numpy as np

from kerasguide.core.checks import activation_name

__all__ = ["linear_head", "rescale_head"]


def linear_head(model):
    """The model's last layer if it is a Dense layer without activation, else None."""
    import keras

    layer = model.layers[-1] if model.layers else None
    if (
        isinstance(layer, keras.layers.Dense)
        and layer.use_bias
        and activation_name(layer.activation) == "linear"
    ):
        return layer
    return None


def rescale_head(model, scale: np.ndarray, shift: np.ndarray) -> None:
    """Make the linear head output ``scale * y + shift`` instead of ``y``."""
    layer = linear_head(model)
    if layer is None or (np.all(scale == 1.0) and np.all(shift == 0.0)):
        return
    import keras

    kernel = keras.ops.convert_to_numpy(layer.kernel) * scale
    bias = keras.ops.convert_to_numpy(layer.bias) * scale + shift
    layer.kernel.assign(kernel.astype(layer.kernel.dtype))
    layer.bias.assign(bias.astype(layer.bias.dtype))
