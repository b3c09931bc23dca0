"""The model zoo: the talk's models as small factories over one private builder.

Every factory returns a compiled ``keras.Sequential`` and shares one vocabulary:

``factory(input_shape=None, n_outputs=..., *, task=..., n_features=None, **knobs,
**compile_options)``

- ``input_shape`` is a tuple (``(784,)``); ``n_features=k`` is shorthand for ``input_shape=(k,)``.
- ``n_outputs`` is the number of output units; ``softmax_regression`` also takes it as
  ``n_classes`` and ``linear_regression`` as ``n_targets`` (documented aliases).
- ``task`` is one of ``"regression"``, ``"binary"``, ``"multiclass"``, ``"multilabel"``; a
  factory made for one task takes only that one, and a model that cannot express its task is
  refused (``softmax_regression(n_features=4, n_outputs=1)``).
- The *knobs* are the model's own (``mlp``'s ``hidden_layers``, ``activation``, ``dropout``,
  ``l2``, ``l1``, ``normalization``; ``cnn``'s ``filters``; ``rnn``'s ``cell``); a factory
  refuses a knob it does not have, naming it.

The compile options, taken by every factory:

- ``optimizer`` (default ``"sgd"``): a Keras optimizer name or instance (an instance is copied,
  never mutated).
- ``learning_rate`` (default ``None``): ``None`` keeps an instance's own rate, gives the
  talk's rate (``TALK_LEARNING_RATE``, 0.05) to ``"sgd"`` and Keras's default rate to any
  other name.
- ``kernel_initializer`` (default ``"glorot_uniform"``): a Keras initializer name or instance;
  the talk drew its weights from ``"random_normal"``.
- ``seed`` (default ``None``): makes the initial weights and the dropout masks reproducible.
- ``loss``, ``metrics``: override the task's loss and metrics; ``loss`` may be a Keras loss or
  one of scikit-learn's names ``"squared_error"``, ``"absolute_error"`` or ``"quantile"``.
- ``quantile``: the quantile in (0, 1) that ``loss="quantile"`` (the pinball loss) fits.
- ``compile`` (default ``True``): ``False`` returns the model uncompiled.
- ``dtype`` (default ``"float32"``): the layers' dtype (``"float64"`` for double precision).

Keras is imported only when a model is built, so importing this module (and listing the
registry) stays quick. Every parameter is checked with the package's one table of checks
(``kerasguide.core.checks``), so the messages match the estimators' and the command line's.
The shared pieces of the factories are in ``kerasguide.zoo.vocabulary``.
"""

from __future__ import annotations

from typing import Any

from kerasguide.core.space import Choice, Float
from kerasguide.zoo.builders import build_autoencoder, build_cnn, build_rnn, build_sequential
from kerasguide.zoo.registry import register_model
from kerasguide.zoo.vocabulary import (
    COMPILE_OPTIONS,
    TALK_LEARNING_RATE,
    TASK_HEADS,
    check_compile_options,
    check_head,
    named_outputs,
    resolve_input_shape,
)

__all__ = [
    "COMPILE_OPTIONS",
    "TALK_LEARNING_RATE",
    "TASK_HEADS",
    "autoencoder",
    "cnn",
    "linear_regression",
    "logistic_regression",
    "mlp",
    "rnn",
    "softmax_regression",
]


# --------------------------------------------------------------------------- the factories
@register_model(task="regression", section="Linear regression")
def linear_regression(
    input_shape: tuple[int, ...] | None = None,
    n_outputs: int | None = None,
    *,
    task: str = "regression",
    n_features: int | None = None,
    n_targets: int | None = None,
    **compile_options: Any,
):
    """Linear regression: one Dense layer, no activation, squared-error loss.

    Parameters
    ----------
    input_shape : tuple of int, optional
        The shape of one input row; ``n_features=k`` is shorthand for ``(k,)``.
    n_outputs : int, default=1
        Values predicted per row (alias: ``n_targets``).
    task : {"regression"}, default="regression"
    n_features : int, optional
        Number of input columns (3 for the talk's houses).
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.zoo.models import linear_regression
    >>> linear_regression(n_features=3).count_params()
    4
    """
    outputs = named_outputs(n_outputs, ("n_targets", n_targets))
    if outputs[1] is None:
        outputs = ("n_outputs", 1)
    units = check_head("linear_regression", task, ("regression",), outputs)
    shape = resolve_input_shape(input_shape, n_features)
    options = check_compile_options("linear_regression", compile_options)
    return build_sequential(shape, units, task=task, name="linear_regression", **options)


@register_model(task="binary", section="Logistic regression")
def logistic_regression(
    input_shape: tuple[int, ...] | None = None,
    n_outputs: int = 1,
    *,
    task: str = "binary",
    n_features: int | None = None,
    **compile_options: Any,
):
    """Logistic regression: one sigmoid unit, binary cross-entropy.

    Parameters
    ----------
    input_shape : tuple of int, optional
        The shape of one input row; ``n_features=k`` is shorthand for ``(k,)``.
    n_outputs : {1}, default=1
        One sigmoid unit: the probability of the positive class.
    task : {"binary"}, default="binary"
    n_features : int, optional
        Number of input columns.
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.zoo.models import logistic_regression
    >>> logistic_regression(n_features=2).output_shape
    (None, 1)
    """
    units = check_head("logistic_regression", task, ("binary",), ("n_outputs", n_outputs))
    shape = resolve_input_shape(input_shape, n_features)
    options = check_compile_options("logistic_regression", compile_options)
    return build_sequential(shape, units, task=task, name="logistic_regression", **options)


@register_model(task="multiclass", section="Softmax regression")
def softmax_regression(
    input_shape: tuple[int, ...] | None = None,
    n_outputs: int | None = None,
    *,
    task: str = "multiclass",
    n_features: int | None = None,
    n_classes: int | None = None,
    **compile_options: Any,
):
    """Softmax regression: one Dense layer with a softmax, cross-entropy on integer labels.

    Parameters
    ----------
    input_shape : tuple of int, optional
        The shape of one input row; ``n_features=k`` is shorthand for ``(k,)``.
    n_outputs : int
        Number of classes, at least 2 (alias: ``n_classes``).
    task : {"multiclass"}, default="multiclass"
    n_features : int, optional
        Number of input columns (784 for MNIST).
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.zoo.models import softmax_regression
    >>> softmax_regression(n_features=784, n_outputs=10).count_params()
    7850
    """
    outputs = named_outputs(n_outputs, ("n_classes", n_classes))
    units = check_head("softmax_regression", task, ("multiclass",), outputs)
    shape = resolve_input_shape(input_shape, n_features)
    options = check_compile_options("softmax_regression", compile_options)
    return build_sequential(shape, units, task=task, name="softmax_regression", **options)


@register_model(
    task="any",
    section="Hidden layers, ReLU, L2 and dropout",
    search_space={
        "hidden_layers": Choice(((64,), (128,), (256,), (128, 64), (256, 128))),
        "dropout": Float(0.0, 0.5),
        "l2": Float(1e-6, 1e-2, log=True),
    },
)
def mlp(
    input_shape: tuple[int, ...] | None = None,
    n_outputs: int | None = None,
    *,
    task: str = "multiclass",
    n_features: int | None = None,
    hidden_layers: Any = (128,),
    activation: Any = "relu",
    dropout: float = 0.0,
    l2: float = 0.0,
    l1: float = 0.0,
    normalization: str | None = None,
    maxout_pieces: int = 2,
    **compile_options: Any,
):
    """Multi-layer perceptron: hidden Dense layers with optional dropout and L2, a task head.

    Parameters
    ----------
    input_shape : tuple of int, optional
        The shape of one input row; an input of several dimensions is flattened first.
        ``n_features=k`` is shorthand for ``(k,)``.
    n_outputs : int
        Output units: classes (multiclass), labels (multilabel), 1 (binary) or targets.
    task : {"multiclass", "binary", "multilabel", "regression"}, default="multiclass"
        Decides the output activation and the loss.
    n_features : int, optional
        Number of input columns.
    hidden_layers : tuple of int, default=(128,)
        Units of each hidden layer, in order (``[128]`` means the same).
    activation : str or callable, default="relu"
        The hidden layers' activation: any Keras activation name (``"leaky_relu"``, whose
        negative slope is 0.2, ``"linear"`` for the talk's deeper but still linear model), or
        ``"maxout"``: each hidden layer is a [`Maxout`][kerasguide.zoo.layers.Maxout].
    dropout : float, default=0.0
        Fraction of each hidden layer's units dropped while training.
    l2 : float, default=0.0
        L2 penalty factor on every kernel (Keras's ``l2 * sum(w ** 2)``).
    l1 : float, default=0.0
        L1 penalty factor on every kernel (``l1 * sum(|w|)``); with ``l2``, an elastic penalty.
    normalization : {None, "batch", "layer"}, default=None
        A BatchNormalization or LayerNormalization layer (``norm_1``, ...) after each hidden
        layer, before its dropout.
    maxout_pieces : int, default=2
        Affine pieces per unit when ``activation="maxout"``.
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.zoo.models import mlp
    >>> model = mlp(n_features=784, n_outputs=10, dropout=0.5)
    >>> [layer.name for layer in model.layers]
    ['hidden_1', 'dropout_1', 'output']
    >>> model = mlp(n_features=4, n_outputs=3, activation="maxout", normalization="batch")
    >>> [type(layer).__name__ for layer in model.layers]
    ['Maxout', 'BatchNormalization', 'Dense']
    """
    units = check_head("mlp", task, tuple(TASK_HEADS), ("n_outputs", n_outputs))
    shape = resolve_input_shape(input_shape, n_features)
    options = check_compile_options("mlp", compile_options)
    return build_sequential(
        shape, units, task=task, name="mlp", hidden_layers=hidden_layers,
        activation=activation, dropout=dropout, l1=l1, l2=l2, normalization=normalization,
        maxout_pieces=maxout_pieces, **options,
    )  # fmt: skip


@register_model(
    task="any",
    input="images",
    section="Convolutional networks",
    example_input_shape=(28, 28, 1),
    search_space={
        "model_params": Choice(({"filters": (16, 32)}, {"filters": (32, 64)})),
        "dropout": Float(0.0, 0.5),
        "l2": Float(1e-6, 1e-2, log=True),
    },
)
def cnn(
    input_shape: tuple[int, ...] | None = None,
    n_outputs: int | None = None,
    *,
    task: str = "multiclass",
    filters: Any = (32, 64),
    kernel_size: int = 3,
    pool_size: int = 2,
    dense_layers: Any = (128,),
    dropout: float = 0.0,
    normalization: str | None = None,
    l2: float = 0.0,
    **compile_options: Any,
):
    """Convolutional network of the LeNet family: conv and max-pool blocks, Dense layers, a head.

    Parameters
    ----------
    input_shape : tuple of int
        ``(height, width, channels)``, or ``(height, width)``: a channel axis is added.
    n_outputs : int
        Output units, as for [`mlp`][kerasguide.zoo.models.mlp].
    task : {"multiclass", "binary", "multilabel", "regression"}, default="multiclass"
    filters : tuple of int, default=(32, 64)
        Filters of each convolution (``conv_i``, ReLU, same padding), each followed by a
        max-pool (``pool_i``).
    kernel_size : int, default=3
    pool_size : int, default=2
    dense_layers : tuple of int, default=(128,)
        Units of the ReLU Dense layers (``dense_i``) after the ``flatten``.
    dropout : float, default=0.0
        Dropout (``dropout_i``) after each Dense layer.
    normalization : {None, "batch", "layer"}, default=None
        A normalization layer after each convolution and Dense layer (``norm_1``, ...).
    l2 : float, default=0.0
        L2 penalty factor on every kernel.
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.zoo.models import cnn
    >>> model = cnn(input_shape=(28, 28, 1), n_outputs=10)
    >>> [layer.name for layer in model.layers]
    ['conv_1', 'pool_1', 'conv_2', 'pool_2', 'flatten', 'dense_1', 'output']
    """
    units = check_head("cnn", task, tuple(TASK_HEADS), ("n_outputs", n_outputs))
    shape = resolve_input_shape(input_shape)
    options = check_compile_options("cnn", compile_options)
    return build_cnn(
        shape, units, task=task, filters=filters, kernel_size=kernel_size, pool_size=pool_size,
        dense_layers=dense_layers, dropout=dropout, normalization=normalization, l2=l2, **options,
    )  # fmt: skip


# The example input: MNIST read row by row, 28 time steps of 28 pixels.
@register_model(
    task="any",
    input="sequences",
    section="Recurrent networks",
    example_input_shape=(28, 28),
    search_space={
        "model_params": Choice(({"units": (32,)}, {"units": (64,)}, {"units": (128,)})),
        "dropout": Float(0.0, 0.5),
    },
)
def rnn(
    input_shape: tuple[int, ...] | None = None,
    n_outputs: int | None = None,
    *,
    task: str = "multiclass",
    cell: str = "lstm",
    units: Any = (64,),
    dropout: float = 0.0,
    bidirectional: bool = False,
    **compile_options: Any,
):
    """Recurrent network: stacked LSTM, GRU or simple RNN layers read the whole sequence.

    Parameters
    ----------
    input_shape : tuple of int
        ``(timesteps, n_channels)``.
    n_outputs : int
        Output units, as for [`mlp`][kerasguide.zoo.models.mlp]; the head reads the last state.
    task : {"multiclass", "binary", "multilabel", "regression"}, default="multiclass"
    cell : {"lstm", "gru", "simple"}, default="lstm"
    units : tuple of int, default=(64,)
        Units of each recurrent layer (``rnn_i``).
    dropout : float, default=0.0
        Dropout on each recurrent layer's inputs.
    bidirectional : bool, default=False
        Read each sequence both ways (each ``rnn_i`` is a Bidirectional wrapper).
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.zoo.models import rnn
    >>> model = rnn(input_shape=(20, 3), n_outputs=1, task="regression", cell="gru")
    >>> [layer.name for layer in model.layers], model.output_shape
    (['rnn_1', 'output'], (None, 1))
    """
    outputs = check_head("rnn", task, tuple(TASK_HEADS), ("n_outputs", n_outputs))
    shape = resolve_input_shape(input_shape)
    options = check_compile_options("rnn", compile_options)
    return build_rnn(shape, outputs, task=task, cell=cell, units=units, dropout=dropout,
                     bidirectional=bidirectional, **options)  # fmt: skip


@register_model(
    task="regression",
    reconstructs=True,
    section="Autoencoders",
    search_space={
        "hidden_layers": Choice(((32,), (64,), (128,))),
        "model_params": Choice(({"code_size": 2}, {"code_size": 8}, {"code_size": 16})),
    },
)
def autoencoder(
    input_shape: tuple[int, ...] | None = None,
    n_outputs: int | None = None,
    *,
    task: str = "regression",
    n_features: int | None = None,
    hidden_layers: Any = (64,),
    code_size: int = 2,
    activation: Any = "relu",
    **compile_options: Any,
):
    """Dense autoencoder: an encoder down to a small ``code``, a mirrored decoder back up.

    Fit it with the inputs as targets (``model.fit(X, X)``); squared-error loss.

    Parameters
    ----------
    input_shape : tuple of int, optional
        ``(k,)``; ``n_features=k`` is shorthand.
    n_outputs : int, optional
        The reconstruction's width: ``k``, its default, and the only value allowed.
    task : {"regression"}, default="regression"
    n_features : int, optional
        Number of input columns.
    hidden_layers : tuple of int, default=(64,)
        The encoder's layers (``hidden_i``); the decoder repeats them in reverse.
    code_size : int, default=2
        Units of the linear ``code`` layer.
    activation : str or callable, default="relu"
        The encoder's and decoder's activation, as for [`mlp`][kerasguide.zoo.models.mlp].
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.zoo.models import autoencoder
    >>> model = autoencoder(n_features=8, hidden_layers=(4,), code_size=2)
    >>> [layer.name for layer in model.layers], model.output_shape
    (['hidden_1', 'code', 'hidden_3', 'output'], (None, 8))
    """
    shape = resolve_input_shape(input_shape, n_features)
    options = check_compile_options("autoencoder", compile_options)
    return build_autoencoder(shape, n_outputs, task=task, hidden_layers=hidden_layers,
                             code_size=code_size, activation=activation, **options)  # fmt: skip
