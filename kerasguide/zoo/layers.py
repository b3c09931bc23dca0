"""Keras objects of kerasguide's own, registered with Keras's serialization on import.

A model saved to a ``.keras`` file records these objects by their registered names
(``"kerasguide>L2"``, ``"kerasguide>Maxout"``, the initializers' ``"kerasguide>Drawn"``), so a
process that loads the file needs them registered first. Importing this module registers them;
the factories (when they build), [`kerasguide.estimators`][kerasguide.estimators] and
unpickling an estimator import it.

>>> import keras
>>> import kerasguide.zoo.layers  # registers kerasguide's Keras objects
>>> model = keras.saving.load_model("model.keras")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keras
import numpy as np

from kerasguide.zoo.initializers import Drawn

# Plainly sorted, as tests/test_public_api.py holds every public __all__ (ruff would put the
# all-capital names first).
__all__ = [  # noqa: RUF022
    "CategoricalEmbedding", "Dropout", "L1L2", "L2", "Maxout", "Pinball", "dropout_inputs",
    "fed_rates", "pinball",
]  # fmt: skip


@keras.saving.register_keras_serializable(package="kerasguide", name="L2")
class L2(keras.regularizers.L2):
    """``keras.regularizers.L2`` whose penalty is cast to ``keras.config.floatx()``.

    Keras adds the regularisation losses to the compiled loss, which it keeps in ``floatx``
    (float32); on TensorFlow a float64 penalty then fails to add. The cast lets float64 layers
    carry an L2 penalty, and the gradients stay float64.

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.zoo.layers import L2
    >>> float(L2(0.5)(np.ones((2, 2))))
    2.0
    """

    def __call__(self, x):
        return keras.ops.cast(super().__call__(x), keras.config.floatx())


@keras.saving.register_keras_serializable(package="kerasguide", name="L1L2")
class L1L2(keras.regularizers.L1L2):
    """``keras.regularizers.L1L2`` (the elastic penalty) cast to ``keras.config.floatx()``.

    The L1 and L1-plus-L2 counterpart of [`L2`][kerasguide.zoo.layers.L2], cast for the same
    reason: ``l1 * sum(|w|) + l2 * sum(w ** 2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.zoo.layers import L1L2
    >>> float(L1L2(l1=0.5, l2=0.25)(np.ones((2, 2), dtype="float32")))
    3.0
    """

    def __call__(self, x):
        return keras.ops.cast(super().__call__(x), keras.config.floatx())


#: The attribute of a ``Dropout`` holding the row of rate values fed to it (past Keras's
#: attribute tracking: a traced tensor, never a weight or part of the config).
_FED = "_kerasguide_fed_rate"


@keras.saving.register_keras_serializable(package="kerasguide", name="Dropout")
class Dropout(keras.layers.Dropout):
    """``keras.layers.Dropout`` whose rate a compiled program can feed as an input.

    Outside [`fed_rates`][kerasguide.zoo.layers.fed_rates] it is Keras's ``Dropout``, rate and
    all (a Python float: saved in the config, read by Monte Carlo dropout). Inside, in training,
    it drops units at the rate fed to it, a tensor, so one compiled training program serves
    every rate: a grid over ``dropout`` compiles once. The mask and the scaling are computed
    exactly as ``keras.random.dropout`` computes them for a Python float rate on TensorFlow and
    JAX, from the same seed generator, so a seeded fit gives the same weights either way.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from kerasguide.zoo.layers import Dropout
    >>> layer = Dropout(0.5, seed=0)
    >>> float(keras.ops.sum(layer(np.ones((1, 4), dtype="float32"), training=False)))
    4.0
    """

    def call(self, inputs, training=False):
        fed = self.__dict__.get(_FED)
        if fed is None or not training:
            return super().call(inputs, training=training)
        return _dropped(inputs, fed, self.noise_shape, self.seed_generator)


def _dropped(inputs, fed, noise_shape, seed):
    """``inputs`` with units dropped as ``keras.random.dropout(inputs, rate, ...)`` drops them
    for a Python float ``rate`` in a compiled program; ``fed`` is a row of ``dropout_inputs``,
    each value cast to the dtype the backend casts it to."""
    from keras import ops

    shape = tuple(ops.shape(inputs)) if noise_shape is None else tuple(
        ops.shape(inputs)[i] if size is None else size for i, size in enumerate(noise_shape)
    )  # fmt: skip
    zeros = ops.zeros_like(inputs)
    if keras.backend.backend() == "jax":
        import jax

        # jax.random.bernoulli(p=1 - rate): a uniform draw in the dtype of a Python float
        # (float64 with x64 on) below p; then inputs / (1 - rate), a division by a constant,
        # which XLA compiles as a product with its reciprocal in the inputs' dtype.
        drawn = jax.dtypes.canonicalize_dtype(float)
        mask = keras.random.uniform(shape, dtype=drawn, seed=seed) < ops.cast(fed[1], drawn)
        mask = ops.broadcast_to(mask, ops.shape(inputs))
        return ops.where(mask, inputs * ops.cast(fed[3], inputs.dtype), zeros)
    # tf.nn.experimental.stateless_dropout: kept where a uniform draw in the inputs' dtype is
    # at least the rate, scaled by 1 / (1 - rate) (PyTorch never runs a fed program).
    drawn = _philox_uniform(shape, inputs.dtype, seed)
    scaled = inputs * ops.cast(fed[2], inputs.dtype)
    return ops.where(drawn >= ops.cast(fed[0], inputs.dtype), scaled, zeros)


def _philox_uniform(shape, dtype, seed):
    """``keras.random.uniform(shape, dtype=dtype, seed=seed)`` on TensorFlow, with the Philox
    algorithm named rather than left to TensorFlow's ``auto_select``.

    In a plain graph ``auto_select`` is Philox, so the values are the same bits. Under XLA on
    CPU, ``auto_select`` draws slowly: a 5-fold CV on digits with ``dropout=0.1`` took 3.2 s
    with it and 0.57 s with Philox (0.40 s without dropout), so a program with these layers
    can be compiled with XLA (the rule in ``kerasguide._estimator.compiled``). The seed is
    drawn and cast to int32 as Keras draws and casts it for ``tf.random.stateless_uniform``."""
    import tensorflow as tf

    state = seed.next()
    if state.dtype != tf.int32:
        state = tf.cast(tf.math.floormod(state, tf.int32.max - 1), tf.int32)
    return tf.random.stateless_uniform(shape, seed=state, dtype=dtype, alg="philox")


def dropout_inputs(model) -> np.ndarray:
    """``(n, 4)`` float64, a row for each of the model's
    [`Dropout`][kerasguide.zoo.layers.Dropout] layers, in order: what a compiled program
    feeds them (``fed_rates``), from the layers' own rates. Each row holds ``rate``,
    ``1 - rate`` and ``1 / (1 - rate)`` as Python computes them (TensorFlow's constants), and
    the reciprocal of ``1 - rate`` rounded to the layer's dtype, computed in that dtype (the
    constant XLA folds ``x / (1 - rate)`` into on JAX).

    >>> import keras
    >>> from kerasguide.zoo.layers import Dropout, dropout_inputs
    >>> model = keras.Sequential([keras.Input((3,)), Dropout(0.5), keras.layers.Dense(1)])
    >>> dropout_inputs(model).tolist()
    [[0.5, 0.5, 2.0, 2.0]]
    """
    rows = []
    for layer in _fed_layers(model):
        rate, kind = layer.rate, np.dtype(layer.compute_dtype).type
        rows.append((rate, 1 - rate, 1 / (1 - rate), kind(1) / kind(1 - rate)))
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


def _fed_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, Dropout)]


@contextmanager
def fed_rates(model, rates) -> Iterator[None]:
    """Within: the model's [`Dropout`][kerasguide.zoo.layers.Dropout] layers drop units at the
    rates in ``rates`` (row ``i`` for the ``i``-th, as ``dropout_inputs`` lays them out: a
    tensor a compiled program takes as an input), not at their own. Entered while tracing.

    >>> import keras, numpy as np
    >>> from kerasguide.zoo.layers import Dropout, dropout_inputs, fed_rates
    >>> model = keras.Sequential([keras.Input((1000,)), Dropout(0.1, seed=0)])
    >>> x = np.ones((1, 1000), dtype="float32")
    >>> with fed_rates(model, dropout_inputs(model) * 0 + [0.5, 0.5, 2.0, 2.0]):
    ...     kept = int((keras.ops.convert_to_numpy(model(x, training=True)) > 0).sum())
    >>> 400 < kept < 600
    True
    """
    layers = _fed_layers(model)
    for i, layer in enumerate(layers):
        object.__setattr__(layer, _FED, rates[i])  # not a Keras-tracked attribute
    try:
        yield
    finally:
        for layer in layers:
            layer.__dict__.pop(_FED, None)


@keras.saving.register_keras_serializable(package="kerasguide", name="Maxout")
class Maxout(keras.layers.Layer):
    """A maxout layer: a Dense map to ``units * pieces`` values, then the max of each group.

    Each of the ``units`` outputs is the largest of ``pieces`` affine functions of the input
    (Goodfellow et al., 2013), a learned piecewise-linear activation. Written with
    ``keras.ops``, so it runs on every backend. Inputs are ``(batch, features)``.

    Parameters
    ----------
    units : int
        Output units.
    pieces : int, default=2
        Affine pieces per unit.
    kernel_initializer, bias_initializer : str or keras.initializers.Initializer
        As for ``keras.layers.Dense``.
    kernel_regularizer : keras.regularizers.Regularizer, optional
        A penalty on the kernel.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.zoo.layers import Maxout
    >>> tuple(Maxout(4, pieces=3)(np.ones((2, 5), dtype="float32")).shape)
    (2, 4)
    """

    def __init__(self, units, pieces=2, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.units = int(units)
        self.pieces = int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        width = self.units * self.pieces
        self.kernel = self.add_weight(
            shape=(input_shape[-1], width), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, name="kernel",
        )  # fmt: skip
        self.bias = self.add_weight(shape=(width,), initializer=self.bias_initializer, name="bias")

    def call(self, inputs):
        z = keras.ops.add(keras.ops.matmul(inputs, self.kernel), self.bias)
        return keras.ops.max(keras.ops.reshape(z, (-1, self.units, self.pieces)), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "pieces": self.pieces,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer)
            if self.kernel_regularizer is not None else None,
        }  # fmt: skip


@keras.saving.register_keras_serializable(package="kerasguide", name="CategoricalEmbedding")
class CategoricalEmbedding(keras.layers.Layer):
    """Looks up the integer codes of categorical columns; passes the other columns through.

    The estimators encode a table in NumPy before the network: its first ``n_passed`` columns
    are numbers (standardized values, one-hot columns), each of the others holds one
    categorical column's codes (``0`` for unknown or missing, ``1..n`` for the learned
    categories), as floats. This layer returns the passed columns followed by one
    ``keras.layers.Embedding`` vector per coded column, so every Dense model of the zoo reads
    learned embeddings. Written with ``keras.ops``, so it runs on every backend.

    Parameters
    ----------
    n_passed : int
        Leading columns handed on unchanged.
    input_dims : sequence of int
        Codes of each coded column (its categories plus one, for code 0).
    output_dims : sequence of int
        Width of each column's embedding.
    seed : int, optional
        Seeds the embeddings' initial values (uniform in [-0.05, 0.05], Keras's default).
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from kerasguide.zoo.layers import CategoricalEmbedding
    >>> layer = CategoricalEmbedding(2, input_dims=[4], output_dims=[3], seed=0)
    >>> rows = np.array([[0.5, -1.0, 2.0], [0.0, 1.0, 0.0]], dtype="float32")
    >>> tuple(layer(rows).shape)
    (2, 5)
    """

    def __init__(self, n_passed, input_dims, output_dims, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.n_passed = int(n_passed)
        self.input_dims = [int(d) for d in input_dims]
        self.output_dims = [int(d) for d in output_dims]
        self.seed = seed
        if len(self.input_dims) != len(self.output_dims):
            raise ValueError(
                "CategoricalEmbedding needs one output_dim per input_dim. Received: "
                f"input_dims={self.input_dims}, output_dims={self.output_dims}"
            )
        self.embeddings = [
            keras.layers.Embedding(
                n, width, dtype=self.dtype_policy,
                embeddings_initializer=Drawn(
                    "random_uniform", minval=-0.05, maxval=0.05,
                    seed=None if seed is None else int(seed) + 2000 + i,
                ),
                name=f"embedding_{i}",
            )
            for i, (n, width) in enumerate(zip(self.input_dims, self.output_dims, strict=True))
        ]  # fmt: skip

    def build(self, input_shape):
        for embedding in self.embeddings:
            embedding.build((input_shape[0],))

    def call(self, inputs):
        parts = [inputs[:, : self.n_passed]]
        for i, embedding in enumerate(self.embeddings):
            codes = keras.ops.cast(inputs[:, self.n_passed + i], "int32")
            # An out-of-range code (never made by the estimators) reads as unknown.
            codes = keras.ops.where((codes < 0) | (codes >= self.input_dims[i]), 0, codes)
            parts.append(keras.ops.cast(embedding(codes), inputs.dtype))
        return keras.ops.concatenate(parts, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.n_passed + sum(self.output_dims))

    def get_config(self):
        return {
            **super().get_config(),
            "n_passed": self.n_passed,
            "input_dims": list(self.input_dims),
            "output_dims": list(self.output_dims),
            "seed": self.seed,
        }


def pinball(y_true, y_pred, quantile: float):
    """The pinball loss of each row, averaged over the outputs (``keras.ops``, every backend).

    ``max(q * (y - f), (q - 1) * (y - f))``: its minimiser is the ``q``-th quantile of ``y``.
    """
    diff = keras.ops.subtract(keras.ops.cast(y_true, y_pred.dtype), y_pred)
    loss = keras.ops.maximum(quantile * diff, (quantile - 1.0) * diff)
    return keras.ops.mean(loss, axis=-1)


@keras.saving.register_keras_serializable(package="kerasguide", name="Pinball")
class Pinball(keras.losses.Loss):
    """The pinball (quantile) loss of ``quantile``; Keras's ``Loss`` applies ``sample_weight``.

    >>> import numpy as np
    >>> round(float(Pinball(0.9)(np.array([[1.0]]), np.array([[0.0]]))), 6)  # costs q below
    0.9
    """

    def __init__(self, quantile=0.5, name="pinball", reduction="sum_over_batch_size",
                 dtype=None):  # fmt: skip
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.quantile = float(quantile)

    def call(self, y_true, y_pred):
        return pinball(y_true, y_pred, self.quantile)

    def get_config(self):
        return {**super().get_config(), "quantile": self.quantile}
