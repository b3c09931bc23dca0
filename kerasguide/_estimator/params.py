"""The estimators' parameters, checked at the top of ``fit`` with the package's one table.

``check_params`` reads every constructor parameter of an estimator (whatever its subclass's
``__init__`` lists: ``get_params()`` is the source) and returns them checked and in canonical
form (``hidden_layers=[100]`` becomes ``(100,)``), leaving the estimator's attributes as they
were, as scikit-learn requires.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from kerasguide._estimator.backend import check_distribution
from kerasguide._estimator.building import KNOBS
from kerasguide.core.checks import check, check_random_state_arg, invalid
from kerasguide.exceptions import InvalidParameterError

__all__ = ["CheckedParams", "check_params"]

# Parameters with a rule in the table, and whether None is allowed ("the model's default").
_TABLE = {
    **dict.fromkeys(KNOBS, True),
    "input_shape": True,
    "optimizer": False,
    "learning_rate_schedule": True,
    "batch_size": False,
    "epochs": False,
    "early_stopping": False,
    "validation_fraction": False,
    "n_iter_no_change": False,
    "tol": False,
    "shuffle": False,
    "verbose": False,
    "warm_start": False,
    "model_params": True,
    "class_weight": True,
    "normalize_y": False,
    "categorical_features": True,
    "embedding_dim": True,
    "loss": False,
    "quantile": True,
    "uncertainty": True,
    "n_members": False,
}


def _check_model(model: Any) -> Any:
    import keras

    if isinstance(model, keras.Model):
        raise InvalidParameterError(
            "`model` must be a registry name or a callable that builds and compiles a new model: "
            "every fit (and every clone, as in a grid search) needs a fresh one. Wrap the code "
            "that builds your model in a function and pass the function. "
            f"Received: model=<{type(model).__name__} {model.name!r}>"
        )
    if isinstance(model, str):
        from kerasguide.zoo.registry import get_model_card

        get_model_card(model)  # an unknown name: the closest match and the known names
        return model
    if not callable(model):
        raise invalid("model", "a registry name (see kerasguide.list_models()) or a callable",
                      model)  # fmt: skip
    return model


def _check_callbacks(callbacks: Any) -> list | None:
    import keras

    if callbacks is None:
        return None
    if not isinstance(callbacks, list | tuple):
        raise invalid("callbacks", "a list of keras.callbacks.Callback, or None", callbacks)
    for item in callbacks:
        if not isinstance(item, keras.callbacks.Callback):
            raise InvalidParameterError(
                "`callbacks` must be a list of keras.callbacks.Callback instances; one item is "
                f"{type(item).__name__}. Received: callbacks={callbacks!r}"
            )
    return list(callbacks)


def _all_params(estimator) -> dict[str, Any]:
    """``get_params()``, plus the parameters a subclass's ``__init__`` fixes rather than lists.

    scikit-learn allows a subclass to add parameters or fix some of ours; what its signature
    leaves out is read from the attribute, or else from our own class's default.
    """
    params = estimator.get_params(deep=False)
    for cls in type(estimator).__mro__:
        if cls.__module__ == "kerasguide.estimators" and "__init__" in vars(cls):
            for name, p in inspect.signature(cls.__init__).parameters.items():
                if name != "self" and name not in params:
                    params[name] = getattr(estimator, name, p.default)
            break
    return params


class CheckedParams(Mapping):
    """The checked parameters of one call of ``fit``, read-only.

    Read as a mapping (``params["epochs"]``, ``params.get(...)``). Nothing adds or changes a
    key on the way down: what belongs to one call (its epochs, its callbacks of our own)
    travels as arguments. ``replace(name=value)`` returns a copy with a checked value changed.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"CheckedParams({self._values!r})"

    def replace(self, **changes: Any) -> CheckedParams:
        """A copy with the values of existing parameters changed."""
        unknown = sorted(set(changes) - set(self._values))
        if unknown:
            raise KeyError(f"no such parameter: {unknown}")
        return CheckedParams({**self._values, **changes})


def check_params(estimator) -> CheckedParams:
    """Every parameter of ``estimator``, checked; raises on the first bad one."""
    params = _all_params(estimator)
    checked = {name: params[name] for name in params if name not in _TABLE}
    for name, none_ok in _TABLE.items():
        if name in params:
            checked[name] = check(name, params[name], none_ok=none_ok)
    checked["model"] = _check_model(params["model"])
    check_random_state_arg(params.get("random_state"))
    checked["callbacks"] = _check_callbacks(params.get("callbacks"))
    checked["distribution"] = check_distribution(params.get("distribution"))
    _check_together(checked)
    return CheckedParams(checked)


def _check_together(checked: dict[str, Any]) -> None:
    """The rules that tie two parameters: a quantile loss needs its quantile, as in
    ``HistGradientBoostingRegressor``; MC dropout needs dropout to keep on."""
    if checked.get("loss") == "quantile" and checked.get("quantile") is None:
        raise invalid("quantile", "a float in (0, 1) when loss='quantile'", None)
    if checked.get("uncertainty") == "mc_dropout":
        dropout = checked.get("dropout")
        if dropout is None:
            dropout = (checked.get("model_params") or {}).get("dropout")
        if not dropout:
            raise InvalidParameterError(
                "uncertainty='mc_dropout' keeps dropout on at prediction time, so it needs "
                f"dropout > 0. Received: dropout={dropout!r}"
            )
