"""How an estimator's parameters become a compiled model of the zoo (or of a ``model`` callable).

Every registry factory takes the one vocabulary (``input_shape``, ``n_outputs``, ``task``,
``seed``, ``dtype`` and the compile options), so the estimator hands each the same arguments,
plus the knobs the user set (an architecture knob left at ``None`` means "the model's own
default" and is not passed). A factory refuses a knob it does not have, naming it.

A ``model`` callable is the user's own function, written for whatever it needs: it receives the
vocabulary names its signature declares (all of them when it takes ``**kwargs``), and every knob
the user set must be one it declares, or the fit fails naming that knob. This is the one place
that reads a signature, and only a user's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerasguide._estimator import engine
from kerasguide.core.checks import activation_name
from kerasguide.exceptions import InvalidParameterError
from kerasguide.zoo.registry import TASKS, get_model_card

__all__ = ["DEFAULT_OPTIMIZER", "EMBEDDINGS", "KNOBS", "ModelPlan", "check_model_fits",
           "check_model_output", "check_takes_tables", "plan_model", "resolve_task",
           "with_embeddings"]  # fmt: skip

#: The estimators' optimizer unless told otherwise.
DEFAULT_OPTIMIZER = "adam"
#: The plan's argument that holds a table's embeddings,
#: ``(n_passed, input_dims, output_dims)``: the model is built for the embedded width and
#: the embedding layer put in front (``with_embeddings``).
EMBEDDINGS = "embeddings"
#: Estimator parameters that are the model's knobs (``None``: the model's own default).
KNOBS = ("hidden_layers", "activation", "dropout", "l2", "l1", "normalization", "learning_rate",
         "kernel_initializer")  # fmt: skip


def check_model_output(model, where: str):
    """``model`` if it is a compiled ``keras.Model``; an error naming ``where`` otherwise."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{where} must return a keras.Model. Received: {type(model).__name__}")
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        raise ValueError(f"{where} must return a compiled model (call model.compile(...)).")
    return model


#: The output activation each task's probabilities (or values) need.
_HEADS = {"binary": ("sigmoid",), "multilabel": ("sigmoid",), "multiclass": ("softmax",)}


def _head_activation(model) -> str | None:
    layer = model.layers[-1] if getattr(model, "layers", None) else None
    return activation_name(getattr(layer, "activation", None))


def check_model_fits(model, where: str, input_shape: tuple, n_outputs: int, task: str):
    """Refuse a model whose input, output width or output activation does not fit the data."""
    expected_in = (None, *input_shape)
    received_in = tuple(getattr(model, "input_shape", expected_in) or expected_in)
    if len(received_in) == len(expected_in) and tuple(received_in[1:]) != tuple(input_shape):
        raise ValueError(
            f"{where} takes inputs of shape {received_in[1:]}, but X has rows of shape "
            f"{tuple(input_shape)} (n_features_in_={int(np.prod(input_shape))}). Build the "
            "model for the data's width (the callable receives input_shape / n_features)."
        )
    width = tuple(model.output_shape)[-1] if hasattr(model, "output_shape") else n_outputs
    if width != n_outputs:
        raise ValueError(
            f"{where} has {width} output unit(s), but {task} targets here need {n_outputs}. "
            f"Build the model with n_outputs={n_outputs}."
        )
    activation = _head_activation(model)
    if task in _HEADS and activation is not None and activation not in _HEADS[task]:
        raise ValueError(
            f"{where} ends in a {activation!r} activation, but {task} targets need "
            f"{' or '.join(map(repr, _HEADS[task]))} outputs (probabilities). "
            f"Received: output activation={activation!r}"
        )
    return model


def _builder(model) -> tuple[Callable[..., Any], str, tuple[str, ...]]:
    """The factory, how to name it in messages, and the tasks its card says it serves."""
    if callable(model) and not isinstance(model, str):
        return model, "The `model` callable", TASKS
    card = get_model_card(model)
    return card.builder, f"Model {model!r}", card.tasks


def resolve_task(model, task: str, n_outputs: int) -> tuple[str, int]:
    """The task and output units to build for targets of ``task`` with ``n_outputs`` columns."""
    _, where, tasks = _builder(model)
    if task in tasks:
        return task, n_outputs
    if task == "binary" and "multiclass" in tasks:
        return "multiclass", 2  # a softmax over two classes
    raise ValueError(
        f"{where} is made for {' or '.join(tasks)} targets but y is {task}. "
        f"Received: model={model!r}"
    )


@dataclass(frozen=True)
class ModelPlan:
    """How to build the estimator's model: the factory, its arguments, its engine-pool key."""

    builder: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    where: str = ""
    #: The engine pool's key (None: not pooled, e.g. for a model callable).
    key: Hashable | None = None
    #: What the data needs: ``(input_shape, n_outputs, task)`` (None: not checked).
    expects: tuple | None = None
    #: The pool's key for an engine trained by the compiled program only, which takes the
    #: penalties' strengths as inputs (``engine.cache_key(..., fed=True)``).
    program_key: Hashable | None = None

    def build(self):
        """A new model, checked to be a compiled ``keras.Model`` that fits the data."""
        kwargs = dict(self.kwargs)
        embeddings = kwargs.pop(EMBEDDINGS, None)
        model = check_model_output(self.builder(**kwargs), self.where)
        if embeddings is not None:
            model = with_embeddings(model, embeddings, kwargs.get("seed"), self.where)
        if self.expects is not None:
            check_model_fits(model, self.where, *self.expects)
        return model


def _set_knobs(params: dict[str, Any]) -> dict[str, Any]:
    knobs = {name: params[name] for name in KNOBS if params.get(name) is not None}
    extra = dict(params.get("model_params") or {})
    twice = sorted(set(knobs) & set(extra))
    if twice:
        raise InvalidParameterError(
            f"`{twice[0]}` is set both as a parameter and in `model_params`; set it once. "
            f"Received: {twice[0]}={knobs[twice[0]]!r}, model_params={extra!r}"
        )
    if params.get("loss", "squared_error") != "squared_error":
        # scikit-learn's loss names, which the zoo's compile options take as they are.
        knobs["loss"] = params["loss"]
        if params["loss"] == "quantile":
            knobs["quantile"] = params["quantile"]
    return {"optimizer": params["optimizer"], **knobs, **extra}


def _callable_arguments(builder, vocabulary: dict, knobs: dict, where: str) -> dict[str, Any]:
    accepted = inspect.signature(builder).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
    kwargs = {k: v for k, v in vocabulary.items() if takes_any or k in accepted}
    for name, value in knobs.items():
        if takes_any or name in accepted:
            kwargs[name] = value
        elif not (name == "optimizer" and value == DEFAULT_OPTIMIZER):
            raise InvalidParameterError(
                f"{where} does not take `{name}`; leave it at its default or give the callable "
                f"a `{name}` argument. Received: {name}={value!r}"
            )
    return kwargs


def check_takes_tables(params: dict[str, Any]) -> bool:
    """Refuse categorical columns for a model that reads images or sequences (its card's
    ``input``), or rows reshaped by ``input_shape``; True for a model that reconstructs its
    input (its card says so)."""
    model = params["model"]
    card = get_model_card(model) if isinstance(model, str) else None
    if card is not None and card.input != "rows":
        raise ValueError(
            f"Model {model!r} reads {card.input}, but X has categorical columns "
            f"(categorical_features={params['categorical_features']!r}); only models that take "
            "rows of features take them (kerasguide.list_models(input='rows')). Use such a "
            "model, or set categorical_features=None and encode the columns yourself."
        )
    if params["input_shape"] is not None:
        raise ValueError(
            "X has categorical columns, which are encoded into rows of their own width; "
            f"input_shape cannot reshape them. Received: input_shape={params['input_shape']!r}"
        )
    return card is not None and card.reconstructs


def with_embeddings(model, embeddings: tuple, seed: int | None, where: str):
    """``model`` (built for the embedded width) behind a ``CategoricalEmbedding`` layer: one flat
    Sequential, compiled as ``model`` was, so its head and its layers stay where the estimators
    (and the NumPy, ONNX and transformer code) look for them."""
    import keras

    from kerasguide.zoo.layers import CategoricalEmbedding

    if not isinstance(model, keras.Sequential):
        raise ValueError(
            f"{where} builds a {type(model).__name__}; a table with many-level categorical "
            "columns needs a Sequential model, which the estimator puts behind its embedding "
            "layer. Return a keras.Sequential, or one-hot encode those columns yourself."
        )
    n_passed, input_dims, output_dims = embeddings
    layer = CategoricalEmbedding(
        n_passed,
        input_dims,
        output_dims,
        seed=seed,
        dtype=model.dtype_policy,
        name="categorical_embedding",
    )
    width = n_passed + len(input_dims)
    wrapped = keras.Sequential([keras.Input((width,), dtype=model.inputs[0].dtype), layer,
                                *model.layers], name=model.name)  # fmt: skip
    config = model.get_compile_config() or {}
    wrapped.compile(optimizer=model.optimizer, loss=model.loss, metrics=config.get("metrics"),
                    weighted_metrics=config.get("weighted_metrics"))  # fmt: skip
    return wrapped


def plan_model(params: Mapping[str, Any], task: str, input_shape: tuple, n_outputs: int,
               seed: int, dtype: str, *, pooled: bool = True,
               embeddings: tuple | None = None) -> ModelPlan:  # fmt: skip
    """The ``ModelPlan`` for an estimator's checked parameters ``params``.

    Nothing is built here, so a warm start can ask for the key without building a model.
    With a table's ``embeddings`` (the fitted encoding's), the model is built for the rows
    its embedding layer hands on.
    """
    builder, where, _ = _builder(params["model"])
    expects = tuple(input_shape)
    if embeddings is not None:
        input_shape = (embeddings[0] + sum(embeddings[2]),)
    vocabulary = {"input_shape": tuple(input_shape), "n_outputs": n_outputs, "task": task,
                  "seed": seed, "dtype": dtype, "metrics": []}  # fmt: skip
    knobs = _set_knobs(params)
    if embeddings is not None:
        knobs[EMBEDDINGS] = embeddings
    if isinstance(params["model"], str):
        kwargs = {**vocabulary, **knobs}
        # The builder itself is in the key: a name registered again gets new engines.
        key = engine.cache_key(builder, kwargs) if pooled else None
        program_key = engine.cache_key(builder, kwargs, fed=True) if pooled else None
        return ModelPlan(builder, kwargs, where, key, (expects, n_outputs, task), program_key)
    if len(input_shape) == 1:
        vocabulary["n_features"] = input_shape[0]  # the shorthand, for callables that use it
    knobs.pop(EMBEDDINGS, None)
    kwargs = _callable_arguments(builder, vocabulary, knobs, where)
    if embeddings is not None:
        kwargs[EMBEDDINGS] = embeddings
    return ModelPlan(builder, kwargs, where, None, (expects, n_outputs, task))
