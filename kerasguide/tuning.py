"""Search spaces that ship with the zoo, for scikit-learn, Optuna and Keras Tuner.

Each model's card ([`get_model_card`][kerasguide.zoo.registry.get_model_card]) holds a default
search space over estimator parameters: the sizes (``hidden_layers``, or ``model_params`` such
as a CNN's ``filters``), ``dropout`` and ``l2`` where the model has them, and the training's
``learning_rate``, ``batch_size`` and ``epochs``. ``search_space`` returns it in the form a
tuner takes:

- ``"sklearn"``: a dict of scipy distributions and lists, for ``RandomizedSearchCV`` and
  ``HalvingRandomSearchCV`` (drop ``"epochs"`` with ``exclude`` when it is the resource);
- ``"optuna"``: ``suggest(trial) -> dict`` of parameters, for an objective that
  cross-validates (``trial.suggest_int``, ``suggest_float``, ``suggest_categorical``);
- ``"keras_tuner"``: ``params(hp) -> dict``, from ``hp.Int``, ``hp.Float`` and ``hp.Choice``.

A model registered with ``register_model(..., search_space={"units": Choice(((32,), (64,)))})``
(``Int``, ``Float`` and ``Choice`` are defined here) gets its own space beside the training one.

Optuna and Keras Tuner take plain choices only, so a choice among tuples or dicts is offered
under labels (``"128-64"``, ``"filters=16-32"``) and mapped back to the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasguide.core.space import Choice, Float, Int
from kerasguide.exceptions import InvalidParameterError

__all__ = ["Choice", "Float", "Int", "search_space"]

_KINDS = ("sklearn", "optuna", "keras_tuner")
_PLAIN = (bool, int, float, str)


def _label(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "-".join(_label(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}={_label(v)}" for k, v in value.items())
    return str(value)


def _labelled(choice: Choice) -> tuple[list, dict]:
    """The options as a tuner offers them, and the map back to the values."""
    options = list(choice.options)
    if all(type(o) is type(options[0]) and isinstance(o, _PLAIN) for o in options):
        return options, {o: o for o in options}
    labels = [_label(o) for o in options]
    return labels, dict(zip(labels, options, strict=True))


def _sklearn(space: dict) -> dict:
    from scipy import stats

    out = {}
    for name, dim in space.items():
        if isinstance(dim, Choice):
            out[name] = list(dim.options)
        elif isinstance(dim, Int):
            out[name] = (stats.randint(dim.low, dim.high + 1) if not dim.log
                         else _LogInt(dim.low, dim.high))  # fmt: skip
        else:
            out[name] = (stats.loguniform(dim.low, dim.high) if dim.log
                         else stats.uniform(dim.low, dim.high - dim.low))  # fmt: skip
    return out


class _LogInt:
    """Integers drawn log-uniformly (scipy has no such distribution); has ``rvs``."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def rvs(self, size=None, random_state=None):
        from scipy import stats

        draw = stats.loguniform(self.low, self.high + 1).rvs(size, random_state=random_state)
        return draw.astype(int) if size is not None else int(draw)

    def __repr__(self) -> str:
        return f"LogInt({self.low}, {self.high})"


def _optuna(space: dict) -> Callable:
    def suggest(trial) -> dict:
        params = {}
        for name, dim in space.items():
            if isinstance(dim, Int):
                params[name] = trial.suggest_int(name, dim.low, dim.high, log=dim.log)
            elif isinstance(dim, Float):
                params[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
            else:
                labels, back = _labelled(dim)
                params[name] = back[trial.suggest_categorical(name, labels)]
        return params

    return suggest


def _keras_tuner(space: dict) -> Callable:
    def params(hp) -> dict:
        out = {}
        for name, dim in space.items():
            sampling = "log" if getattr(dim, "log", False) else "linear"
            if isinstance(dim, Int):
                out[name] = hp.Int(name, dim.low, dim.high, sampling=sampling)
            elif isinstance(dim, Float):
                low = dim.low if dim.log or dim.low > 0 else 0.0
                out[name] = hp.Float(name, low, dim.high, sampling=sampling)
            else:
                labels, back = _labelled(dim)
                out[name] = back[hp.Choice(name, labels)]
        return out

    return params


def search_space(model="mlp", kind: str = "sklearn", *, exclude=()):
    """The default search space of a model of the zoo, for a tuner.

    Parameters
    ----------
    model : str or estimator, default="mlp"
        A registry name, or a ``KerasClassifier``/``KerasRegressor`` whose ``model`` is one.
    kind : {"sklearn", "optuna", "keras_tuner"}, default="sklearn"
        ``"sklearn"``: a dict of scipy distributions and lists (``param_distributions``);
        ``"optuna"``: a function ``suggest(trial) -> dict``; ``"keras_tuner"``: a function
        ``params(hp) -> dict``. The dicts hold estimator parameters.
    exclude : str or iterable of str, default=()
        Parameters to leave out: one name (``"epochs"``, e.g. for
        ``HalvingRandomSearchCV(..., resource="epochs")``) or several. A name that is not in
        the model's space is an error.

    Returns
    -------
    dict or callable

    Raises
    ------
    InvalidParameterError
        An unknown ``kind``, a ``model`` without a default space, or a name in ``exclude``
        that the space does not have.

    Examples
    --------
    >>> import kerasguide
    >>> space = kerasguide.search_space("mlp", exclude=("epochs",))
    >>> sorted(space)
    ['batch_size', 'dropout', 'hidden_layers', 'l2', 'learning_rate']
    >>> space["hidden_layers"][:2]
    [(64,), (128,)]
    """
    from kerasguide.zoo.registry import get_model_card

    if not isinstance(kind, str) or kind not in _KINDS:
        raise InvalidParameterError(
            f"`kind` must be one of {list(_KINDS)}. Received: kind={kind!r}"
        )
    name = model if isinstance(model, str) else getattr(model, "model", model)
    if not isinstance(name, str):
        raise InvalidParameterError(
            "`model` must be a registry name or an estimator whose `model` is one; a custom "
            f"callable has no default search space. Received: model={model!r}"
        )
    space = get_model_card(name).search_space
    exclude = _excluded(exclude, space)
    space = {k: v for k, v in space.items() if k not in exclude}
    return {"sklearn": _sklearn, "optuna": _optuna, "keras_tuner": _keras_tuner}[kind](space)


def _excluded(exclude, space: dict) -> set[str]:
    """``exclude`` as a set of names of ``space``: one name, or an iterable of names."""
    # A string is one name, not the iterable of its letters.
    names = [exclude] if isinstance(exclude, str) else exclude
    try:
        names = list(names)
    except TypeError:
        names = None
    if names is None or not all(isinstance(n, str) for n in names):
        raise InvalidParameterError(
            f"`exclude` must be a parameter name or an iterable of them. Received: {exclude=!r}"
        )
    unknown = [n for n in names if n not in space]
    if unknown:
        raise InvalidParameterError(
            f"`exclude` names {unknown}, which the search space does not have; its parameters "
            f"are {sorted(space)}. Received: {exclude=!r}"
        )
    return set(names)
