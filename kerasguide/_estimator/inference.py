"""A NumPy forward pass for fitted Sequential models made of Dense, Dropout and activations.

Keras's ``model.predict`` pays milliseconds of fixed cost per call (building a dataset,
dispatching a compiled function); a handful of NumPy matrix products pays microseconds. Every
model of the zoo is made of layers this module understands, so the estimators predict through
it; any other layer makes :func:`numpy_forward` return ``None`` and the caller uses Keras.

The forward pass holds a float64 snapshot of the weights taken when it is made (reading Keras
variables costs tens of microseconds each); :class:`ForwardCache` makes a new one whenever the
weights may have changed. The pass
runs in float64, so its outputs do not depend
on which other rows share the batch, and agree with Keras's float32 output to float32 rounding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

__all__ = ["ForwardCache", "numpy_forward"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Split by sign so that exp never overflows.
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1.0 + ez)
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _elu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "tanh": np.tanh,
    "elu": _elu,
    "softplus": lambda z: np.logaddexp(0.0, z),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
}


def _activation_name(activation) -> str | None:
    import keras

    try:
        name = keras.activations.serialize(activation)
    except (ValueError, TypeError, AttributeError):
        return None
    return name if isinstance(name, str) and name in _ACTIVATIONS else None


def _plan(model) -> list | None:
    """The model as a list of steps, or None when a layer is not understood."""
    import keras

    if not isinstance(model, keras.Sequential):
        return None
    steps: list = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dropout):
            continue  # identity at inference
        if isinstance(layer, keras.layers.Dense):
            name = _activation_name(layer.activation)
            if name is None:
                return None
            steps.append(("dense", layer, name))
        elif isinstance(layer, keras.layers.Activation):
            name = _activation_name(layer.activation)
            if name is None:
                return None
            steps.append(("activation", None, name))
        elif isinstance(layer, keras.layers.ReLU) and layer.get_config().get("max_value") is None:
            if layer.negative_slope or layer.threshold:
                return None
            steps.append(("activation", None, "relu"))
        else:
            return None
    return steps


def numpy_forward(model) -> Callable[[np.ndarray], np.ndarray] | None:
    """A function computing ``model(X)`` in NumPy, or ``None`` if the model has other layers.

    Parameters
    ----------
    model : keras.Model
        A built model.

    Returns
    -------
    callable or None
        ``forward(X) -> ndarray`` (float64) evaluating the model in inference mode with the
        weights it has now.
    """
    steps = _plan(model)
    if steps is None:
        return None

    import keras

    def array(variable) -> np.ndarray:
        return keras.ops.convert_to_numpy(variable).astype(np.float64)

    snapshot = []
    for kind, layer, activation in steps:
        if kind == "dense":
            kernel = array(layer.kernel)
            bias = array(layer.bias) if layer.use_bias else None
            snapshot.append((kernel, bias, _ACTIVATIONS[activation]))
        else:
            snapshot.append((None, None, _ACTIVATIONS[activation]))

    def forward(X: np.ndarray) -> np.ndarray:
        out = np.asarray(X, dtype=np.float64)
        for kernel, bias, activation in snapshot:
            if kernel is not None:
                out = out @ kernel
                if bias is not None:
                    out += bias
            out = activation(out)
        return out

    return forward


class ForwardCache:
    """The NumPy forward pass of one model, rebuilt on first use after it was marked stale.

    The estimators mark it stale whenever their ``model_`` is handed out, since the caller may
    then change the weights (``fit``, ``set_weights``, ``load_weights``): the next ``predict``
    reads the weights again instead of using a snapshot that no longer holds.
    """

    def __init__(self) -> None:
        self.stale = True
        self._forward: Callable[[np.ndarray], np.ndarray] | None = None
        self._lock = threading.Lock()

    def forward(self, model) -> Callable[[np.ndarray], np.ndarray] | None:
        """The forward pass for ``model``'s current weights (None: use Keras)."""
        if self.stale:
            with self._lock:
                if self.stale:
                    self._forward = numpy_forward(model)
                    self.stale = False
        return self._forward
