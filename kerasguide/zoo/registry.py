"""The model registry: one dict from a model's name to its factory and a one-line card.

Three verbs, as in torchvision and timm: [`list_models`][kerasguide.zoo.registry.list_models],
[`get_model_builder`][kerasguide.zoo.registry.get_model_builder] (with
[`get_model_card`][kerasguide.zoo.registry.get_model_card] for the description) and
[`build_model`][kerasguide.zoo.registry.build_model]. New models join with the
[`register_model`][kerasguide.zoo.registry.register_model] decorator. The registry imports nothing
heavy, so listing models is quick. The zoo's own models are registered by ``kerasguide.zoo``
itself, which imports its factories before anyone can reach this module.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kerasguide.core.checks import invalid
from kerasguide.core.space import TRAINING_SPACE

__all__ = [
    "INPUTS",
    "TASKS",
    "ModelCard",
    "build_model",
    "get_model_builder",
    "get_model_card",
    "list_models",
    "register_model",
]

#: The learning tasks a model can serve. ``register_model(task="any")`` is shorthand for all of
#: them (the factory then takes a ``task`` argument).
TASKS = ("regression", "binary", "multiclass", "multilabel")
#: What one input row of a model is: a row of features (``(n_features,)``; an MLP flattens
#: anything), an image (``(height, width, channels)``) or a sequence (``(timesteps, channels)``).
INPUTS = ("rows", "images", "sequences")


@dataclass(frozen=True)
class ModelCard:
    """What the registry knows about one model.

    Attributes
    ----------
    name : str
        The registry name, as passed to [`build_model`][kerasguide.zoo.registry.build_model].
    builder : callable
        The factory; it returns a compiled ``keras.Sequential``.
    tasks : tuple of str
        The learning tasks the model serves, from ``TASKS``.
    input : str
        The input rows it takes, one of ``INPUTS``.
    section : str
        Where the model appears in the talk the package follows.
    description : str
        One line saying what the model is.
    example_input_shape : tuple of int or None
        The shape of one input row the model is shown with (``kerasguide models --json``
        counts its parameters for it); None: MNIST's 784 features.
    search_space : dict
        The model's default search space: estimator parameter -> ``Int``, ``Float`` or
        ``Choice`` (``kerasguide.tuning``); see
        [`kerasguide.search_space`][kerasguide.tuning.search_space].
    reconstructs : bool
        Whether the model's targets are its own inputs (an autoencoder: ``fit(X, X)``, or
        [`KerasTransformer`][kerasguide.transformer.KerasTransformer] without ``y``).
    """

    name: str
    builder: Callable[..., Any]
    tasks: tuple[str, ...]
    section: str
    description: str
    example_input_shape: tuple[int, ...] | None = None
    search_space: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    input: str = "rows"
    reconstructs: bool = False

    @property
    def task(self) -> str:
        """The one task the model serves, or ``"any"`` when it serves several (the factory then
        takes a ``task`` argument); ``tasks`` says which."""
        return self.tasks[0] if len(self.tasks) == 1 else "any"


#: The registry itself: a model's name -> its card. Read it through the verbs below; tests copy
#: it to register throw-away models without leaving them behind.
REGISTRY: dict[str, ModelCard] = {}


def _first_line(text: str | None) -> str:
    for line in (text or "").strip().splitlines():
        if line.strip():
            return line.strip()
    return ""


def register_model(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    task: str | tuple[str, ...] = "any",
    section: str = "",
    description: str | None = None,
    example_input_shape: tuple[int, ...] | None = None,
    search_space: dict[str, Any] | None = None,
    input: str = "rows",
    reconstructs: bool = False,
):
    """Register a model factory under a name.

    Use it bare (``@register_model``: the name is the function's name) or with
    arguments (``@register_model(name="wide_mlp", task="multiclass")``).
    The card says what the model eats (``input``) and which tasks it serves (``task``), so
    that the command line, the docs tables and the search spaces can read them.

    Parameters
    ----------
    fn : callable, optional
        The factory, when used bare.
    name : str, optional
        The registry name; defaults to ``fn.__name__``.
    task : str or tuple of str, default="any"
        The task or tasks of ``TASKS`` the model serves; ``"any"``: all of them (the factory
        takes a ``task`` argument).
    section : str, default=""
        The part of the talk the model belongs to.
    description : str, optional
        One line; defaults to the first line of the docstring.
    example_input_shape : tuple of int, optional
        A typical input row's shape (``(28, 28, 1)`` for an image model); None: 784 features.
    search_space : dict, optional
        The model's own dimensions (estimator parameter -> ``Int``, ``Float`` or ``Choice``
        of [`kerasguide.tuning`][kerasguide.tuning]), added to the training ones (learning
        rate, batch size, epochs).
    input : {"rows", "images", "sequences"}, default="rows"
        What one input row is (``INPUTS``).
    reconstructs : bool, default=False
        Whether the model learns to reproduce its inputs (its targets are ``X``).

    Returns
    -------
    callable
        The factory, unchanged.

    Raises
    ------
    ValueError
        If the name is taken; an ``InvalidParameterError`` if the task or input is unknown.
    """
    tasks = _tasks(task)
    if input not in INPUTS:
        raise invalid("input", f"one of {list(INPUTS)}", input)

    def decorator(builder: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(builder):
            raise TypeError(f"register_model expects a callable. Received: {builder!r}")
        model_name = name or builder.__name__
        if model_name in REGISTRY:
            raise ValueError(
                f"A model named {model_name!r} is already registered "
                f"(by {REGISTRY[model_name].builder.__module__})."
            )
        REGISTRY[model_name] = ModelCard(
            name=model_name,
            builder=builder,
            tasks=tasks,
            section=section,
            description=description or _first_line(builder.__doc__),
            example_input_shape=None if example_input_shape is None else tuple(example_input_shape),
            search_space={**TRAINING_SPACE, **(search_space or {})},
            input=input,
            reconstructs=bool(reconstructs),
        )
        return builder

    if fn is not None:
        return decorator(fn)
    return decorator


def _tasks(task: Any) -> tuple[str, ...]:
    """``register_model``'s ``task`` as the tuple of tasks served."""
    if task == "any":
        return TASKS
    tasks = (task,) if isinstance(task, str) else task
    try:
        tasks = tuple(tasks)
    except TypeError:
        tasks = ()
    if not tasks or not all(isinstance(t, str) and t in TASKS for t in tasks):
        raise invalid("task", f"'any', one of {list(TASKS)} or a tuple of them", task)
    return tuple(dict.fromkeys(tasks))


def list_models(task: str | None = None, *, input: str | None = None) -> list[str]:
    """Names of the registered models, sorted.

    Parameters
    ----------
    task : str, optional
        Keep only models that serve this task (one of ``TASKS``; ``"any"``: those that
        serve every task).
    input : str, optional
        Keep only models that take this input (one of ``INPUTS``).

    Raises
    ------
    InvalidParameterError
        If ``task`` or ``input`` is not None nor one it knows.

    Examples
    --------
    >>> import kerasguide
    >>> kerasguide.list_models()[:4]
    ['autoencoder', 'cnn', 'linear_regression', 'logistic_regression']
    """
    if task is not None and task not in (*TASKS, "any"):
        raise invalid("task", f"None, 'any' or one of {list(TASKS)}", task)
    if input is not None and input not in INPUTS:
        raise invalid("input", f"None or one of {list(INPUTS)}", input)
    wanted = set(TASKS) if task == "any" else {task}
    return sorted(
        card.name
        for card in REGISTRY.values()
        if (task is None or wanted <= set(card.tasks)) and input in (None, card.input)
    )


def get_model_card(name: str) -> ModelCard:
    """The [`ModelCard`][kerasguide.zoo.registry.ModelCard] of a registered model.

    Raises
    ------
    ValueError
        If no model has that name; the message names the closest match and the known names.
    """
    if not isinstance(name, str) or name not in REGISTRY:
        known = sorted(REGISTRY)
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Unknown model name {name!r}.{hint} Known models: {', '.join(known)}.")
    return REGISTRY[name]


def get_model_builder(name: str) -> Callable[..., Any]:
    """The factory registered under ``name``."""
    return get_model_card(name).builder


def build_model(name: str, **kwargs: Any):
    """Build a registered model: ``build_model("mlp", n_features=784, n_outputs=10)``.

    Parameters
    ----------
    name : str
        A name from [`list_models`][kerasguide.zoo.registry.list_models].
    **kwargs
        Passed to the factory.

    Returns
    -------
    keras.Sequential
        Compiled and ready to fit (unless ``compile=False``).
    """
    return get_model_builder(name)(**kwargs)
