"""A NumPy forward pass for fitted Sequential models made of Dense, Dropout and activations.

Keras's ``model.predict`` pays milliseconds of fixed cost per call (building a dataset,
dispatching a compiled function); a handful of NumPy matrix products pays microseconds. Every
model of the zoo is made of layers this module understands, so the estimators predict through
it; any other layer makes ``numpy_forward`` return ``None`` and the caller uses Keras.

The forward pass holds a float64 snapshot of the weights taken when it is made (reading Keras
variables costs tens of microseconds each); ``ForwardCache`` makes a new one whenever the
weights may have changed. The pass runs in float64, so its outputs do not depend on which other
rows share the batch, and agree with Keras's float32 output to float32 rounding;
``predict_in_chunks`` hands them back in the model's own dtype. It also keeps the last
layer's pre-activation, so that log-probabilities are computed in log space and stay finite
where a probability underflows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from kerasguide.core.checks import activation_name

__all__ = [
    "ForwardCache",
    "NumpyForward",
    "UnsupportedLayerError",
    "chunk_rows",
    "dense_stack",
    "head_outputs",
    "numpy_forward",
    "output_dtype",
    "predict_in_chunks",
    "unsupported_layers",
]


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
    name = activation_name(activation)
    return name if name in _ACTIVATIONS else None


class UnsupportedLayerError(ValueError):
    """A layer that is not part of a plain Dense stack (see ``dense_stack``)."""


def _layer_step(index: int, layer) -> tuple[str, object, str] | None:
    """One layer as a ``(kind, layer, activation)`` step, None for a Dropout; raises
    ``UnsupportedLayerError`` for any other layer."""
    import keras

    from kerasguide.zoo.layers import CategoricalEmbedding

    if isinstance(layer, keras.layers.Dropout):
        return None
    if isinstance(layer, keras.layers.Flatten) and index == 0:
        return ("flatten", layer, "linear")
    if isinstance(layer, CategoricalEmbedding) and index == 0:
        return ("embedding", layer, "embedding")
    if isinstance(layer, keras.layers.Dense | keras.layers.Activation):
        name = _activation_name(layer.activation)
        if name is None:
            raise UnsupportedLayerError(
                f"layer {layer.name!r}: its activation {layer.activation!r} is not one of "
                f"{sorted(_ACTIVATIONS)}"
            )
        kind = "dense" if isinstance(layer, keras.layers.Dense) else "activation"
        return (kind, layer, name)
    if isinstance(layer, keras.layers.ReLU) and not (
        layer.negative_slope or layer.threshold or layer.max_value is not None
    ):
        return ("activation", layer, "relu")
    raise UnsupportedLayerError(f"layer {layer.name!r} ({type(layer).__name__})")


def dense_stack(model) -> list[tuple[str, object, str]]:
    """The model as ``(kind, layer, activation)`` steps: the one reading of a Dense stack.

    A ``keras.Sequential`` of Dense, Dropout (skipped: identity at inference), Activation and
    plain ReLU layers, after an optional leading Flatten or ``CategoricalEmbedding`` (the
    lookup of a table's categorical codes). The NumPy forward pass and the ONNX
    exporter both read models through it. Anything else raises ``UnsupportedLayerError``
    naming the layer.
    """
    import keras

    if not isinstance(model, keras.Sequential):
        raise UnsupportedLayerError(f"a {type(model).__name__} model, not a keras.Sequential")
    steps = [_layer_step(index, layer) for index, layer in enumerate(model.layers)]
    return [step for step in steps if step is not None]


def unsupported_layers(model) -> list[str]:
    """What ``dense_stack`` refuses in ``model``: every layer, each as its reason."""
    import keras

    if not isinstance(model, keras.Sequential):
        return [f"a {type(model).__name__} model, not a keras.Sequential"]
    refused = []
    for index, layer in enumerate(model.layers):
        try:
            _layer_step(index, layer)
        except UnsupportedLayerError as exc:
            refused.append(str(exc))
    return refused


def _plan(model) -> list | None:
    """The model's steps, or None when a layer is not understood (Keras then predicts)."""
    try:
        return dense_stack(model)
    except UnsupportedLayerError:
        return None


#: Heads whose log-outputs are computed from their pre-activation, in log space.
_LOG_HEADS = ("sigmoid", "softmax")


def output_dtype(model) -> np.dtype:
    """The dtype predictions of ``model`` are returned in: its output's (float32 or float64).

    A float32 model (float32 data trains one) predicts float32, a float64 model float64, as
    scikit-learn's MLP keeps float32. Other output dtypes (float16 heads) give float32.
    """
    import keras

    try:
        name = keras.backend.standardize_dtype(model.outputs[0].dtype)
    except (AttributeError, IndexError, TypeError, ValueError):
        name = keras.backend.standardize_dtype(model.layers[-1].compute_dtype)
    return np.dtype(name) if name in ("float32", "float64") else np.dtype(np.float32)


def _embed(X: np.ndarray, tables: list, n_passed: int) -> np.ndarray:
    """``CategoricalEmbedding`` in NumPy: the passed columns, then each code's vector."""
    parts = [X[:, :n_passed]]
    for i, table in enumerate(tables):
        codes = X[:, n_passed + i].astype(np.int64)
        codes[(codes < 0) | (codes >= len(table))] = 0  # as the layer reads a foreign code
        parts.append(table[codes])
    return np.concatenate(parts, axis=1)


class NumpyForward:
    """``model(X)`` in NumPy (float64) from a snapshot of the weights; see ``numpy_forward``.

    Attributes
    ----------
    dtype : numpy.dtype
        The model's output dtype (``output_dtype``).
    widest : int
        The most units of any Dense layer (bounds the rows computed at once).
    head : str or None
        The last step's activation when it is ``"sigmoid"`` or ``"softmax"``, else None.
    """

    def __init__(self, snapshot: list, dtype: np.dtype, head: str | None) -> None:
        self._snapshot = snapshot
        self.dtype = dtype
        self.head = head
        kernels = [k for k, _, a in snapshot if k is not None and a != "embedding"]
        self.widest = max((k.shape[1] for k in kernels), default=1)

    def _run(self, X, steps: list) -> np.ndarray:
        out = np.asarray(X, dtype=np.float64)
        for kernel, bias, activation in steps:
            if activation == "flatten":
                out = out.reshape(out.shape[0], -1)
                continue
            if activation == "embedding":  # kernel: the tables; bias: the columns passed
                out = _embed(out, kernel, bias)
                continue
            if kernel is not None:
                out = out @ kernel
                if bias is not None:
                    out += bias
            out = _ACTIVATIONS[activation](out)
        return out

    def __call__(self, X) -> np.ndarray:
        """The model's outputs for ``X``, float64."""
        return self._run(X, self._snapshot)

    def head_input(self, X) -> tuple[np.ndarray, str | None]:
        """``(z, head)``: a sigmoid or softmax head's pre-activation, or the outputs and None."""
        if self.head is None:
            return self(X), None
        *body, (kernel, bias, _) = self._snapshot
        return self._run(X, [*body, (kernel, bias, "linear")]), self.head


def numpy_forward(model) -> NumpyForward | None:
    """A function computing ``model(X)`` in NumPy, or ``None`` if the model has other layers.

    Parameters
    ----------
    model : keras.Model
        A built model.

    Returns
    -------
    NumpyForward or None
        Callable as ``forward(X) -> ndarray`` (float64), evaluating the model in inference
        mode with the weights it has now.
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
            bias = array(layer.bias) if layer.use_bias else None
            snapshot.append((array(layer.kernel), bias, activation))
        elif kind == "embedding":
            tables = [array(e.embeddings) for e in layer.embeddings]
            snapshot.append((tables, layer.n_passed, "embedding"))
        else:  # an activation, or the leading Flatten
            snapshot.append((None, None, "flatten" if kind == "flatten" else activation))
    head = snapshot[-1][2] if snapshot and snapshot[-1][2] in _LOG_HEADS else None
    return NumpyForward(snapshot, output_dtype(model), head)


# --------------------------------------------------------------------------- chunked prediction

#: Bytes of float64 one chunk of rows may take in the widest array of the forward pass.
CHUNK_BYTES = 16 * 2**20


def chunk_rows(width: int, max_rows: int, budget: int = CHUNK_BYTES) -> int:
    """Rows per chunk such that ``rows * width`` float64 values fit in ``budget`` bytes.

    At least one row, at most ``max_rows``. ``width`` is the widest array of a chunk's pass
    (the features, densified when sparse, or the widest layer).
    """
    return max(1, min(max_rows, budget // (max(1, width) * 8)))


def head_outputs(z: np.ndarray, head: str | None, *, log: bool, binary: bool) -> np.ndarray:
    """Probabilities (or their logs) from a head's pre-activation ``z``.

    ``head`` is ``"sigmoid"`` or ``"softmax"``; with None, ``z`` already holds the outputs.
    ``binary`` turns one sigmoid output ``p`` into the two columns ``[1 - p, p]``.
    """
    if log and head == "sigmoid":
        # log sigmoid(z) = -log(1 + exp(-z)), and log(1 - sigmoid(z)) = log sigmoid(-z).
        positive = -np.logaddexp(0.0, -z)
        return np.concatenate([-np.logaddexp(0.0, z), positive], axis=1) if binary else positive
    if log and head == "softmax":
        top = z.max(axis=1, keepdims=True)
        return z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    out = z if head is None else _ACTIVATIONS[head](z)
    if binary:
        out = np.concatenate([1.0 - out, out], axis=1)
    if log:
        # Only the probabilities are known here (the Keras fallback, or another head): one that
        # underflowed to 0 is clipped to the smallest positive float of its dtype, so that its
        # log is very negative but finite rather than -inf.
        out = np.log(np.maximum(out, np.finfo(out.dtype).smallest_subnormal))
    return out


def predict_in_chunks(model, forward: NumpyForward | None, X, *, max_rows: int,
                      log: bool = False, binary: bool = False) -> np.ndarray:  # fmt: skip
    """The model's outputs for ``X`` (2-D or N-D array, or sparse matrix), in the model's dtype.

    Rows are computed a chunk at a time (``chunk_rows``), a sparse chunk densified only
    when computed, so the memory taken does not grow with the width of ``X`` times
    ``max_rows``. ``forward`` is the NumPy pass, or None to use ``model.predict``; ``log`` and
    ``binary`` are those of ``head_outputs``.
    """
    import scipy.sparse as sp

    features = int(np.prod(X.shape[1:]))  # an image or sequence row counts all its values
    if forward is None:
        width, dtype = features, output_dtype(model)
    else:
        width, dtype = max(features, forward.widest), forward.dtype
    rows = chunk_rows(width, max_rows)

    def run(part) -> np.ndarray:
        if sp.issparse(part):
            part = part.toarray()
        if forward is None:
            z, head = np.asarray(model.predict(part, verbose=0)), None
        else:
            z, head = forward.head_input(part)
        return head_outputs(z, head, log=log, binary=binary).astype(dtype, copy=False)

    if X.shape[0] <= rows:
        return run(X)  # the common small case, without chunking
    return np.concatenate([run(X[start : start + rows]) for start in range(0, X.shape[0], rows)])


class ForwardCache:
    """The NumPy forward pass of one model, rebuilt on first use after it was marked stale.

    The estimators mark it stale whenever their ``model_`` is handed out, since the caller may
    then change the weights (``fit``, ``set_weights``, ``load_weights``): the next ``predict``
    reads the weights again instead of using a snapshot that no longer holds.
    """

    def __init__(self) -> None:
        self.stale = True
        self._forward: NumpyForward | None = None
        self._lock = threading.Lock()

    def forward(self, model) -> NumpyForward | None:
        """The forward pass for ``model``'s current weights (None: use Keras)."""
        if self.stale:
            with self._lock:
                if self.stale:
                    self._forward = numpy_forward(model)
                    self.stale = False
        return self._forward
