"""How an estimator turns its parameters into a compiled model of the zoo (or of a callable).

The factory's signature decides what it receives: shapes (``n_features``, ``n_outputs`` and its
aliases, ``task``), ``seed``, ``dtype``, the compile knobs when it takes ``**compile_options``,
and the architecture knobs only when it names them; a knob it cannot take must stay at its
default, or the fit fails with a message naming it.
"""

from __future__ import annotations

import inspect

from kerasguide._estimator import engine as _engine
from kerasguide.registry import get_model_card

__all__ = ["build_plan", "check_model_output", "resolve_task"]

# Estimator parameters handed to a model factory under the same names: compile options go to
# every factory that takes **compile_options, architecture knobs only to those that name them.
_COMPILE_KNOBS = ("optimizer", "learning_rate", "kernel_initializer")
_ARCHITECTURE_KNOBS = ("hidden_layers", "activation", "dropout", "l2")


def _same(value, default) -> bool:
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return value is default


def check_model_output(model, where: str):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{where} must return a keras.Model. Received: {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        raise ValueError(f"{where} must return a compiled model (call model.compile(...)).")
    return model


def _builder(model):
    """The model factory, how to name it in messages, and the task it declares."""
    if callable(model) and not isinstance(model, str):
        return model, "The `model` callable", "any"
    card = get_model_card(model)
    return card.builder, f"Model {model!r}", card.task


def resolve_task(model, task: str, n_outputs: int) -> tuple[str, int]:
    """The task and output units to build for targets of ``task`` with ``n_outputs`` columns."""
    _, where, declared = _builder(model)
    if declared == "multiclass" and task == "binary":
        return "multiclass", 2  # a softmax over two classes
    if declared not in ("any", task):
        raise ValueError(
            f"{where} is made for {declared} targets but y is {task}. Received: model={model!r}"
        )
    return task, n_outputs


def _arguments(estimator, task: str, n_features: int, n_outputs: int, seed: int, dtype: str):
    builder, where, _ = _builder(estimator.model)
    accepted = inspect.signature(builder).parameters
    takes_options = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
    shape = {
        "n_features": n_features,
        "n_outputs": n_outputs,
        "n_classes": n_outputs,
        "n_targets": n_outputs,
        "task": task,
    }
    kwargs = {name: value for name, value in shape.items() if name in accepted}
    options = {"seed": seed, "dtype": dtype, "metrics": []}
    kwargs.update(
        {name: value for name, value in options.items() if name in accepted or takes_options}
    )
    defaults = inspect.signature(type(estimator).__init__).parameters
    for name in _COMPILE_KNOBS + _ARCHITECTURE_KNOBS:
        value = getattr(estimator, name)
        if name in accepted or (takes_options and name in _COMPILE_KNOBS):
            kwargs[name] = value
        elif not _same(value, defaults[name].default):
            raise ValueError(
                f"{where} does not take `{name}`; leave it at its default. "
                f"Received: {name}={value!r}"
            )
    kwargs.update(estimator.model_params or {})
    return builder, where, kwargs


def build_plan(estimator, task: str, n_features: int, n_outputs: int, seed: int, dtype: str):
    """A factory of the model (checked on each call) and its engine-pool key (None: not pooled).

    Nothing is built here, so a warm start can ask for the key without building a model.
    """
    builder, where, kwargs = _arguments(estimator, task, n_features, n_outputs, seed, dtype)
    name = estimator.model
    key = _engine.cache_key(name, kwargs) if isinstance(name, str) else None
    return (lambda: check_model_output(builder(**kwargs), where)), key
