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
  ``l2``); a factory refuses a knob it does not have, naming it.

The compile options, taken by every factory:

- ``optimizer`` (default ``"sgd"``): a Keras optimizer name or instance (an instance is copied,
  never mutated).
- ``learning_rate`` (default ``None``): ``None`` keeps an instance's own rate, gives the
  talk's rate (``TALK_LEARNING_RATE``, 0.05) to ``"sgd"`` and Keras's default rate to any
  other name.
- ``kernel_initializer`` (default ``"glorot_uniform"``): a Keras initializer name or instance;
  the talk drew its weights from ``"random_normal"``.
- ``seed`` (default ``None``): makes the initial weights and the dropout masks reproducible.
- ``loss``, ``metrics``: override the task's loss and metrics.
- ``compile`` (default ``True``): ``False`` returns the model uncompiled.
- ``dtype`` (default ``"float32"``): the layers' dtype (``"float64"`` for double precision).

Keras is imported only when a model is built, so importing this module (and listing the
registry) stays quick. Every parameter is checked with the package's one table of checks
(``kerasguide._validation``), so the messages match the estimators' and the command line's.
The shared pieces of the factories are in ``kerasguide._zoo``.
"""

from __future__ import annotations

from typing import Any

from kerasguide._zoo import (
    COMPILE_OPTIONS,
    TALK_LEARNING_RATE,
    TASK_HEADS,
    build_sequential,
    check_compile_options,
    check_head,
    named_outputs,
    resolve_input_shape,
)
from kerasguide.registry import register_model

__all__ = [
    "COMPILE_OPTIONS",
    "TALK_LEARNING_RATE",
    "TASK_HEADS",
    "linear_regression",
    "logistic_regression",
    "mlp",
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
    >>> from kerasguide.models import linear_regression
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
    >>> from kerasguide.models import logistic_regression
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
    >>> from kerasguide.models import softmax_regression
    >>> softmax_regression(n_features=784, n_outputs=10).count_params()
    7850
    """
    outputs = named_outputs(n_outputs, ("n_classes", n_classes))
    units = check_head("softmax_regression", task, ("multiclass",), outputs)
    shape = resolve_input_shape(input_shape, n_features)
    options = check_compile_options("softmax_regression", compile_options)
    return build_sequential(shape, units, task=task, name="softmax_regression", **options)


@register_model(task="any", section="Hidden layers, ReLU, L2 and dropout")
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
    >>> model = mlp(n_features=784, n_outputs=10, dropout=0.5)
    >>> [layer.name for layer in model.layers]
    ['hidden_1', 'dropout_1', 'output']
    """
    units = check_head("mlp", task, tuple(TASK_HEADS), ("n_outputs", n_outputs))
    shape = resolve_input_shape(input_shape, n_features)
    options = check_compile_options("mlp", compile_options)
    return build_sequential(
        shape, units, task=task, name="mlp", hidden_layers=hidden_layers,
        activation=activation, dropout=dropout, l2=l2, **options,
    )  # fmt: skip
