"""The vocabulary every factory of the zoo shares: input shapes, task heads, compile options.

[`kerasguide.zoo.models`][kerasguide.zoo.models] holds one small function per model; the
builders in ``kerasguide.zoo.builders`` assemble the layers; what both share is here: the input
shape, the head of each task, the compile options and the compiling itself. Keras is imported
only when a model is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kerasguide.core.checks import check, get_initializer, invalid, named_optimizer
from kerasguide.exceptions import InvalidParameterError
from kerasguide.zoo.losses import make_loss

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = [
    "COMPILE_OPTIONS",
    "TALK_LEARNING_RATE",
    "TASK_HEADS",
    "check_compile_options",
    "check_head",
    "compile_model",
    "make_initializer",
    "named_outputs",
    "resolve_input_shape",
]

#: Output activation and default loss (a ``keras.losses`` class name) of each task.
TASK_HEADS = {
    "regression": ("linear", "MeanSquaredError"),
    "binary": ("sigmoid", "BinaryCrossentropy"),
    "multiclass": ("softmax", "SparseCategoricalCrossentropy"),
    "multilabel": ("sigmoid", "BinaryCrossentropy"),
}

#: The learning rate of the talk (plain gradient descent); ``"sgd"``'s default here.
TALK_LEARNING_RATE = 0.05

#: The keyword arguments every factory takes besides the vocabulary and its own knobs.
COMPILE_OPTIONS = frozenset(
    {"optimizer", "learning_rate", "kernel_initializer", "seed", "loss", "quantile", "metrics",
     "compile", "dtype"}
)  # fmt: skip


# --------------------------------------------------------------------------- the vocabulary
def resolve_input_shape(input_shape: Any = None, n_features: Any = None) -> tuple[int, ...]:
    """The input shape from ``input_shape`` or its shorthand ``n_features`` (exactly one)."""
    if input_shape is not None and n_features is not None:
        raise InvalidParameterError(
            "Pass `input_shape` or its shorthand `n_features`, not both. "
            f"Received: input_shape={input_shape!r}, n_features={n_features!r}"
        )
    if n_features is not None:
        return (check("n_features", n_features),)
    if input_shape is None:
        raise InvalidParameterError(
            "The model needs its input shape: pass input_shape=(n_features,) or n_features=k. "
            "Received: input_shape=None"
        )
    return check("input_shape", input_shape)


def named_outputs(n_outputs: Any, alias: tuple[str, Any] | None = None) -> tuple[str, Any]:
    """The output units and the name the caller gave them under (for messages)."""
    if alias is not None and alias[1] is not None:
        if n_outputs is not None:
            raise InvalidParameterError(
                f"Pass `n_outputs` or its alias `{alias[0]}`, not both. "
                f"Received: n_outputs={n_outputs!r}, {alias[0]}={alias[1]!r}"
            )
        return alias
    return "n_outputs", n_outputs


def check_head(factory: str, task: Any, tasks: tuple[str, ...], outputs: tuple[str, Any]) -> int:
    """Check that ``task`` is one the factory serves and that the head can express it."""
    if task not in tasks:
        allowed = " or ".join(repr(t) for t in tasks)
        raise invalid("task", f"{allowed} for {factory}()", task)
    name, value = outputs
    if value is None:
        raise InvalidParameterError(f"{factory}() needs `{name}`. Received: {name}=None")
    units = check("n_outputs", value) if name == "n_outputs" else _aliased(name, value)
    if task == "binary" and units != 1:
        raise InvalidParameterError(
            "A binary model has one sigmoid output; use task='multiclass' or 'multilabel' for "
            f"more. Received: {name}={value!r}"
        )
    if task == "multiclass" and units < 2:
        raise InvalidParameterError(
            "A softmax over classes needs at least 2 outputs; for one output use a binary "
            f"model (logistic_regression, or task='binary'). Received: {name}={value!r}"
        )
    return units


def _aliased(name: str, value: Any) -> int:
    try:
        return check("n_outputs", value)
    except InvalidParameterError:
        raise invalid(name, "an integer >= 1", value) from None


# --------------------------------------------------------------------------- compile options
def _learning_rate(optimizer_name: str, learning_rate: float | None, default: float) -> float:
    if learning_rate is not None:
        return learning_rate
    return TALK_LEARNING_RATE if optimizer_name == "sgd" else default


def _make_optimizer(optimizer: Any, learning_rate: Any):
    """A fresh optimizer: an instance's copy, or a named one; ``learning_rate`` overrides."""
    import keras

    optimizer = check("optimizer", optimizer)
    learning_rate = check("learning_rate", learning_rate, none_ok=True)
    if isinstance(optimizer, keras.optimizers.Optimizer):
        # A copy: a user's optimizer object is never shared between models or mutated.
        config = optimizer.get_config()
        if learning_rate is not None:
            config["learning_rate"] = learning_rate
        return optimizer.__class__.from_config(config)
    named = named_optimizer(optimizer)
    config = named.get_config()
    config["learning_rate"] = _learning_rate(
        optimizer.lower(), learning_rate, float(config["learning_rate"])
    )
    return named.__class__.from_config(config)


def make_initializer(kernel_initializer: Any, seed: int | None):
    """A fresh initializer seeded with ``seed``: NumPy draws Keras's built-in kinds
    ([`Drawn`][kerasguide.zoo.initializers.Drawn], the same values on every backend and
    dtype); an initializer of another class is copied with the seed set, and Keras draws it."""
    import keras

    from kerasguide.zoo.initializers import as_drawn

    kernel_initializer = check("kernel_initializer", kernel_initializer)
    if not isinstance(kernel_initializer, keras.initializers.Initializer):
        kernel_initializer = get_initializer(kernel_initializer)
    drawn = as_drawn(kernel_initializer, seed)
    if drawn is not None:
        return drawn
    config = kernel_initializer.get_config()
    if "seed" in config:
        config["seed"] = seed  # None: Keras draws one, as for any unseeded initializer
    return kernel_initializer.__class__.from_config(config)


def check_compile_options(factory: str, options: dict[str, Any]) -> dict[str, Any]:
    """Refuse keywords that are neither a compile option nor one of the factory's knobs."""
    unknown = sorted(set(options) - COMPILE_OPTIONS)
    if unknown:
        raise InvalidParameterError(
            f"Model {factory!r} does not take `{unknown[0]}`. Its compile options are "
            f"{sorted(COMPILE_OPTIONS)}. Received: {unknown[0]}={options[unknown[0]]!r}"
        )
    return options


def compile_model(model, task: str, dtype: str, options: dict[str, Any]) -> None:
    import keras

    metrics = options.get("metrics")
    if metrics is None:
        metrics = [] if task == "regression" else ["accuracy"]
    default_loss = TASK_HEADS[task][1]
    model.compile(
        optimizer=_make_optimizer(options.get("optimizer", "sgd"), options.get("learning_rate")),
        # The loss computes in the layers' dtype, so float64 models train in float64.
        loss=make_loss(options.get("loss"), options.get("quantile"), dtype)
        or getattr(keras.losses, default_loss)(dtype=dtype),
        metrics=metrics,
    )
