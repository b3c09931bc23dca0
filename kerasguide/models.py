"""The model zoo: the talk's models as small factories over one private builder.

Every factory returns a compiled ``keras.Sequential`` and shares one vocabulary of keyword
arguments (the *compile options*):

optimizer : str or keras.optimizers.Optimizer, default="sgd"
    A Keras optimizer name or instance (an instance is copied, never mutated).
learning_rate : float, optional
    Defaults to the talk's 0.05 for a named optimizer; ignored for an instance when ``None``.
kernel_initializer : str or keras.initializers.Initializer, default="glorot_uniform"
    The talk drew weights from ``"random_normal"``; Glorot and He initialisers train better.
seed : int, optional
    Makes the initial weights and the dropout masks reproducible.
loss, metrics
    Override the task's loss and metrics.
compile : bool, default=True
    ``False`` returns the model unbuilt by ``compile``.
dtype : str, default="float32"
    The layers' dtype (``"float64"`` for double precision).

Keras is imported only when a model is built, so importing this module (and listing the
registry) stays quick.
"""

from __future__ import annotations

import functools
import numbers
from typing import TYPE_CHECKING, Any

from kerasguide._validation import check_fraction as _check_fraction
from kerasguide._validation import check_int as _check_int
from kerasguide.registry import register_model

if TYPE_CHECKING:  # pragma: no cover
    import keras

__all__ = ["linear_regression", "logistic_regression", "mlp", "softmax_regression"]

#: Output activation and default loss (a ``keras.losses`` class name) of each task.
TASK_HEADS = {
    "regression": ("linear", "MeanSquaredError"),
    "binary": ("sigmoid", "BinaryCrossentropy"),
    "multiclass": ("softmax", "SparseCategoricalCrossentropy"),
    "multilabel": ("sigmoid", "BinaryCrossentropy"),
}

#: The learning rate of the talk (plain gradient descent).
TALK_LEARNING_RATE = 0.05

#: The keyword arguments every factory takes besides its own.
COMPILE_OPTIONS = frozenset(
    {
        "optimizer",
        "learning_rate",
        "kernel_initializer",
        "seed",
        "loss",
        "metrics",
        "compile",
        "dtype",
    }
)


def _check_hidden_layers(hidden_layers: Any) -> tuple[int, ...]:
    if isinstance(hidden_layers, numbers.Integral) and not isinstance(hidden_layers, bool):
        hidden_layers = (hidden_layers,)
    try:
        layers = tuple(hidden_layers)
    except TypeError:
        layers = None
    if layers is None or not all(
        isinstance(u, numbers.Integral) and not isinstance(u, bool) and u >= 1 for u in layers
    ):
        raise ValueError(
            "`hidden_layers` must be a sequence of positive integers, e.g. (128,) or (128, 64). "
            f"Received: hidden_layers={hidden_layers!r}"
        )
    return tuple(int(u) for u in layers)


def _make_optimizer(optimizer: Any, learning_rate: float | None):
    import keras

    if learning_rate is not None and (
        not isinstance(learning_rate, numbers.Real)
        or isinstance(learning_rate, bool)
        or not learning_rate > 0
    ):
        raise ValueError(
            f"`learning_rate` must be a positive float. Received: learning_rate={learning_rate!r}"
        )
    if isinstance(optimizer, keras.optimizers.Optimizer):
        # A fresh copy: a user's optimizer object is never shared between models or mutated.
        config = optimizer.get_config()
        if learning_rate is not None:
            config["learning_rate"] = float(learning_rate)
        return optimizer.__class__.from_config(config)
    if not isinstance(optimizer, str):
        raise ValueError(
            "`optimizer` must be a Keras optimizer name (e.g. 'sgd', 'adam') or instance. "
            f"Received: optimizer={optimizer!r}"
        )
    try:
        opt = keras.optimizers.get(optimizer)
    except ValueError:
        raise ValueError(
            "`optimizer` must be a Keras optimizer name (e.g. 'sgd', 'adam', 'rmsprop') or "
            f"instance. Received: optimizer={optimizer!r}"
        ) from None
    config = opt.get_config()
    config["learning_rate"] = float(TALK_LEARNING_RATE if learning_rate is None else learning_rate)
    return opt.__class__.from_config(config)


def _make_initializer(kernel_initializer: Any, seed: int | None):
    import keras

    if isinstance(kernel_initializer, keras.initializers.Initializer):
        config = kernel_initializer.get_config()
    else:
        try:
            config = keras.initializers.get(kernel_initializer).get_config()
        except (ValueError, TypeError):
            raise ValueError(
                "`kernel_initializer` must be a Keras initializer name (e.g. 'glorot_uniform', "
                f"'he_normal', 'random_normal') or instance. "
                f"Received: kernel_initializer={kernel_initializer!r}"
            ) from None
        kernel_initializer = keras.initializers.get(kernel_initializer)
    if "seed" in config:
        config["seed"] = seed
    return kernel_initializer.__class__.from_config(config)


@functools.cache
def _l2_class():
    """``keras.regularizers.L2``, its value cast to ``floatx`` so float64 layers can use it.

    Keras sums the compiled loss (in ``floatx``) with the regularisation losses; a float64
    penalty would not add to a float32 loss. The cast keeps float64 gradients.
    """
    import keras

    @keras.saving.register_keras_serializable(package="kerasguide", name="L2")
    class L2(keras.regularizers.L2):
        def __call__(self, x):
            return keras.ops.cast(super().__call__(x), keras.config.floatx())

    return L2


def _l2_penalty(factor: float):
    return _l2_class()(factor)


def _compile_only(factory: str, options: dict[str, Any]) -> dict[str, Any]:
    """Refuse architecture keywords in a factory that has a fixed architecture."""
    unknown = sorted(set(options) - COMPILE_OPTIONS)
    if unknown:
        raise TypeError(
            f"{factory}() got an unexpected keyword argument {unknown[0]!r}. Its compile options "
            f"are {sorted(COMPILE_OPTIONS)}."
        )
    return options


def _build_sequential(
    n_features: int,
    n_outputs: int,
    *,
    task: str,
    name: str,
    hidden_layers: Any = (),
    activation: Any = "relu",
    dropout: float = 0.0,
    l2: float = 0.0,
    **compile_options: Any,
) -> keras.Sequential:
    """The one builder behind every factory: Dense layers, optional dropout and L2, a task head."""
    import keras

    _compile_only(name, compile_options)
    optimizer = compile_options.get("optimizer", "sgd")
    learning_rate = compile_options.get("learning_rate")
    kernel_initializer = compile_options.get("kernel_initializer", "glorot_uniform")
    seed = compile_options.get("seed")
    dtype = compile_options.get("dtype", "float32")
    metrics = compile_options.get("metrics")

    n_features = _check_int("n_features", n_features)
    n_outputs = _check_int("n_outputs", n_outputs)
    if task not in TASK_HEADS:
        raise ValueError(f"`task` must be one of {sorted(TASK_HEADS)}. Received: task={task!r}")
    if task == "binary" and n_outputs != 1:
        raise ValueError(
            "A binary model has one sigmoid output; use task='multiclass' or 'multilabel' for "
            f"more. Received: n_outputs={n_outputs}"
        )
    hidden = _check_hidden_layers(hidden_layers)
    dropout = _check_fraction("dropout", dropout)
    l2 = _check_fraction("l2", l2, high_open=False)
    if dropout and not hidden:
        raise ValueError(
            "`dropout` applies to hidden layers and this model has none. "
            f"Received: dropout={dropout!r}, hidden_layers={hidden!r}"
        )
    if seed is not None:
        seed = _check_int("seed", seed, minimum=0)
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError):
        raise ValueError(
            "`activation` must be a Keras activation name (e.g. 'relu', 'tanh', 'linear'). "
            f"Received: activation={activation!r}"
        ) from None
    if dtype not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(
            f"`dtype` must be 'float32', 'float64', 'float16' or 'bfloat16'. Received: {dtype=}"
        )

    def seeded(offset: int) -> int | None:
        return None if seed is None else seed + offset

    def dense(units: int, act: Any, layer_name: str, index: int):
        return keras.layers.Dense(
            units,
            activation=act,
            kernel_initializer=_make_initializer(kernel_initializer, seeded(index)),
            kernel_regularizer=_l2_penalty(l2) if l2 else None,
            dtype=dtype,
            name=layer_name,
        )

    layers: list[Any] = [keras.Input(shape=(n_features,), dtype=dtype, name="inputs")]
    for i, units in enumerate(hidden, start=1):
        layers.append(dense(units, activation, f"hidden_{i}", i))
        if dropout:
            layers.append(
                keras.layers.Dropout(
                    dropout, seed=seeded(1000 + i), dtype=dtype, name=f"dropout_{i}"
                )
            )
    head_activation, default_loss = TASK_HEADS[task]
    layers.append(dense(n_outputs, head_activation, "output", 0))
    model = keras.Sequential(layers, name=name)
    if compile_options.get("compile", True):
        if metrics is None:
            metrics = [] if task == "regression" else ["accuracy"]
        model.compile(
            optimizer=_make_optimizer(optimizer, learning_rate),
            # The loss computes in the layers' dtype, so float64 models train in float64.
            loss=compile_options.get("loss") or getattr(keras.losses, default_loss)(dtype=dtype),
            metrics=metrics,
        )
    return model


@register_model(task="regression", section="Linear regression")
def linear_regression(n_features: int, n_targets: int = 1, **compile_options: Any):
    """Linear regression: one Dense layer, no activation, squared-error loss.

    Parameters
    ----------
    n_features : int
        Number of input columns (3 for the talk's houses).
    n_targets : int, default=1
        Number of values predicted per row.
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.models import linear_regression
    >>> linear_regression(3).count_params()
    4
    """
    return _build_sequential(
        n_features,
        n_targets,
        task="regression",
        name="linear_regression",
        **_compile_only("linear_regression", compile_options),
    )


@register_model(task="binary", section="Logistic regression")
def logistic_regression(n_features: int, **compile_options: Any):
    """Logistic regression: one sigmoid unit, binary cross-entropy.

    Examples
    --------
    >>> from kerasguide.models import logistic_regression
    >>> logistic_regression(2).output_shape
    (None, 1)
    """
    return _build_sequential(
        n_features,
        1,
        task="binary",
        name="logistic_regression",
        **_compile_only("logistic_regression", compile_options),
    )


@register_model(task="multiclass", section="Softmax regression")
def softmax_regression(n_features: int, n_classes: int, **compile_options: Any):
    """Softmax regression: one Dense layer with a softmax, cross-entropy on integer labels.

    Examples
    --------
    >>> from kerasguide.models import softmax_regression
    >>> softmax_regression(784, 10).count_params()
    7850
    """
    return _build_sequential(
        n_features,
        n_classes,
        task="multiclass",
        name="softmax_regression",
        **_compile_only("softmax_regression", compile_options),
    )


@register_model(task="any", section="Hidden layers, ReLU, L2 and dropout")
def mlp(
    n_features: int,
    n_outputs: int,
    *,
    task: str = "multiclass",
    hidden_layers: Any = (128,),
    activation: Any = "relu",
    dropout: float = 0.0,
    l2: float = 0.0,
    **compile_options: Any,
):
    """Multi-layer perceptron: hidden Dense layers with optional dropout and L2, a task head.

    Parameters
    ----------
    n_features : int
        Number of input columns.
    n_outputs : int
        Output units: classes (multiclass), labels (multilabel), 1 (binary) or targets.
    task : {"multiclass", "binary", "multilabel", "regression"}, default="multiclass"
        Decides the output activation and the loss.
    hidden_layers : tuple of int, default=(128,)
        Units of each hidden layer, in order.
    activation : str, default="relu"
        The hidden layers' activation; ``"linear"`` gives the talk's deeper but still linear
        model.
    dropout : float, default=0.0
        Fraction of each hidden layer's units dropped while training.
    l2 : float, default=0.0
        L2 penalty factor on every kernel (Keras's ``l2 * sum(w ** 2)``).
    **compile_options
        See the module documentation.

    Examples
    --------
    >>> from kerasguide.models import mlp
    >>> model = mlp(784, 10, dropout=0.5)
    >>> [layer.name for layer in model.layers]
    ['hidden_1', 'dropout_1', 'output']
    """
    return _build_sequential(
        n_features,
        n_outputs,
        task=task,
        name="mlp",
        hidden_layers=hidden_layers,
        activation=activation,
        dropout=dropout,
        l2=l2,
        **compile_options,
    )
