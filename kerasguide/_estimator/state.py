"""The fitted state of an estimator: its one writer, its rollback and its checks.

The fitted attributes (the names ending in ``_``) that describe a training's outcome are set
here: after a training (``set_trained``), after loading a file (``set_loaded``: all of them),
and for scikit-learn's callbacks, whose per-epoch copy gets ``epoch_state``. What training
derives from the data on the way is set where it is derived: ``n_features_in_`` by
scikit-learn's ``validate_data``, ``classes_`` and a regressor's ``y_mean_``/``y_scale_`` by
the estimator's target hooks, a transformer's ``layer_`` once its network exists. A failed
call leaves a fitted estimator as it was (``rollback_on_failure``). ``check_loaded`` checks
the attributes a file brings against its network and against each other, so an altered file
is refused instead of predicting wrongly.
The dropout seed state (``seed_state``) travels with saved files and pickles, so that a loaded
copy resumes training exactly where the original would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from kerasguide._estimator.inference import ForwardCache
from kerasguide.core.checks import activation_name

__all__ = [
    "ARRAYS",
    "OPTIONAL_SCALARS",
    "SCALARS",
    "TABLE",
    "check_loaded",
    "epoch_state",
    "members",
    "members_rolled_back_on_failure",
    "network_variables",
    "rollback_on_failure",
    "seed_state",
    "set_loaded",
    "set_members",
    "set_seed_state",
    "set_table",
    "set_trained",
    "table_embeddings",
]

#: Fitted JSON values every estimator has.
SCALARS = ("n_features_in_", "task_", "n_outputs_", "n_iter_")
#: What a table's categorical columns add: the encoding (``tabular.TableEncoding``) and the
#: public views of it. ``is_categorical_`` is None for numbers only, as in HistGradientBoosting.
TABLE = ("_table_", "is_categorical_", "categories_")
#: Fitted JSON values only some estimators have (a transformer's ``layer_``).
OPTIONAL_SCALARS = ("layer_",)
#: Fitted arrays (a regressor's target scaling).
ARRAYS = ("y_mean_", "y_scale_")
_CLASSIFYING = ("binary", "multiclass", "multilabel")
#: The tasks each estimator can have been fitted for.
_TASKS = {
    "KerasClassifier": _CLASSIFYING,
    "KerasRegressor": ("regression",),
    "KerasTransformer": ("regression", *_CLASSIFYING),
}


# --------------------------------------------------------------------------- writing
def _set_history(est, history: dict) -> None:
    est.history_ = history
    est.loss_curve_ = list(history.get("loss", []))
    est.validation_loss_curve_ = list(history["val_loss"]) if "val_loss" in history else None


def set_trained(est, *, model, plan, task: str, n_outputs: int, history: dict) -> None:
    """Set the fitted attributes from a finished training."""
    vars(est).pop("_members_", None)  # one network now, not an ensemble's
    est._model_ = model
    est._model_plan_ = plan
    est._forward_ = ForwardCache()
    est.task_ = task
    _set_history(est, history)
    est.n_iter_ = len(est.loss_curve_)
    est.n_outputs_ = n_outputs


def set_table(est, table) -> None:
    """Set what ``fit`` learned of the table's columns: ``table`` (a ``TableEncoding``), or
    None for numbers only (``is_categorical_`` None, no ``categories_``)."""
    for name in TABLE:
        vars(est).pop(name, None)
    est.is_categorical_ = None if table is None else table.is_categorical.copy()
    if table is not None:
        est._table_ = table
        est.categories_ = [c.copy() for c in table.categories]


def table_embeddings(est) -> tuple | None:
    """The embedded columns of the fitted table encoding, as the model is built for them
    (None: numbers only, or every categorical column one-hot)."""
    table = getattr(est, "_table_", None)
    return None if table is None else table.embeddings


def set_members(est, members: list) -> None:
    """Make ``est`` an ensemble of the fitted ``members`` (estimators of its own class).

    ``est`` takes the first member's fitted attributes (``model_`` is that member's network,
    the data's attributes are the same for all); its predictions average the members'.
    """
    for name, value in _fitted(members[0]).items():
        setattr(est, name, value)
    est._forward_ = ForwardCache()
    est._members_ = list(members)


def members(est) -> list:
    """The fitted members of an ensemble, or an empty list for one network."""
    return list(getattr(est, "_members_", None) or [])


def set_loaded(est, values: dict[str, Any], *, model, plan) -> None:
    """Set the fitted attributes ``values`` (checked by ``check_loaded``) and the network."""
    for name, value in values.items():
        if name == "history_":
            _set_history(est, value)
        elif name != "_table_":
            setattr(est, name, value)
    set_table(est, values.get("_table_"))
    est.input_shape_ = tuple(model.input_shape[1:])
    est._model_ = model
    est._forward_ = ForwardCache()
    est._model_plan_ = plan


def epoch_state(model, task: str, n_outputs: int, epoch: int) -> dict[str, Any]:
    """The fitted attributes of an estimator predicting with ``model`` after ``epoch``
    (0-based): what scikit-learn's callbacks set on the copy they score."""
    return {"_model_": model, "_forward_": ForwardCache(), "task_": task,
            "n_outputs_": n_outputs, "n_iter_": epoch + 1}  # fmt: skip


def _fitted(est) -> dict[str, Any]:
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("__")}


@contextmanager
def rollback_on_failure(est) -> Iterator[None]:
    """Leave ``est``'s fitted attributes as they were if the block raises (Ctrl-C included)."""
    previous = _fitted(est)
    try:
        yield
    except BaseException:
        for key in [k for k in _fitted(est) if k not in previous]:
            delattr(est, key)
        vars(est).update(previous)
        raise


def network_variables(model) -> list:
    """Every variable a fit changes: the model's (weights, seed states) and its optimizer's."""
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    return list(model.variables) + list(optimizer.variables)


@contextmanager
def members_rolled_back_on_failure(members: list) -> Iterator[None]:
    """Leave each of ``members`` (fitted estimators that the block trains further) as it was,
    parameters, fitted attributes and network, if the block raises."""
    import keras

    saved = []
    for member in members:
        model = getattr(member, "_model_", None)
        values = None if model is None else network_variables(model)
        saved.append((member.get_params(deep=False), _fitted(member),
                      values and [keras.ops.convert_to_numpy(v) for v in values]))  # fmt: skip
    try:
        yield
    except BaseException:
        for member, (params, fitted, values) in zip(members, saved, strict=True):
            member.set_params(**params)
            for key in [k for k in _fitted(member) if k not in fitted]:
                delattr(member, key)
            vars(member).update(fitted)
            if values is not None:
                for variable, value in zip(network_variables(member._model_), values, strict=True):
                    variable.assign(value)
                member._forward_.stale = True
        raise


# --------------------------------------------------------------------------- dropout seeds
def _seed_variables(model) -> list:
    # Keras documents ``variables`` as the weights plus the seed generators' states.
    weights = {id(w) for w in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def seed_state(model) -> list[list[int]]:
    """The state of each random seed generator of ``model`` (dropout's), as lists of ints."""
    import keras

    return [keras.ops.convert_to_numpy(v).astype(np.int64).tolist() for v in _seed_variables(model)]


def set_seed_state(model, state) -> None:
    """Give ``model``'s seed generators the ``state`` that ``seed_state`` returned.

    Raises ``ValueError`` if ``state`` does not fit the model's generators.
    """
    variables = _seed_variables(model)
    if not isinstance(state, list) or len(state) != len(variables):
        raise ValueError(f"the network has {len(variables)} seed generator(s), not {state!r}")
    for variable, values in zip(variables, state, strict=True):
        array = np.asarray(values)
        if array.shape != tuple(variable.shape) or array.dtype.kind not in "iu":
            raise ValueError(f"a seed state has {tuple(variable.shape)} integers, not {values!r}")
        variable.assign(array.astype(variable.dtype))


# --------------------------------------------------------------------------- checking
def _refuse(field: str, value: Any, why: str) -> None:
    shown = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    raise ValueError(f"{field}={shown}, but {why}")


def _count(field: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        _refuse(field, value, f"it must be an integer >= {minimum}")
    return value


def _check_table(table, n_features: int, model) -> None:
    """A table's encoding against its columns and the network's input (and embeddings)."""
    shape = tuple(model.input_shape[1:])
    if len(table.is_categorical) != n_features:
        _refuse("is_categorical_", table.is_categorical, f"n_features_in_={n_features}")
    if shape != (table.width,):
        _refuse(
            "categories_",
            [len(c) for c in table.categories],
            f"the encoded rows have {table.width} columns and the network reads {shape}",
        )
    layer = model.layers[0] if model.layers else None
    found = None
    if type(layer).__name__ == "CategoricalEmbedding":
        found = (layer.n_passed, tuple(layer.input_dims), tuple(layer.output_dims))
    if found != table.embeddings:
        _refuse(
            "categories_",
            [len(c) for c in table.categories],
            f"the network's embeddings are {found}, not {table.embeddings}",
        )


def _check_features(values: dict[str, Any], model) -> None:
    shape = tuple(model.input_shape[1:])
    n_features = _count("n_features_in_", values["n_features_in_"], 1)
    table = values.get("_table_")
    if table is not None:
        _check_table(table, n_features, model)
    elif n_features != int(np.prod(shape)):
        _refuse("n_features_in_", n_features, f"the network reads rows of shape {shape}")
    names = values.get("feature_names_in_")
    if names is None:
        return
    if names.ndim != 1 or len(names) != n_features:
        _refuse("feature_names_in_", names, f"n_features_in_={n_features}")
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        _refuse("feature_names_in_", names, "feature names must be distinct strings")


def _check_history(history: Any) -> None:
    if not isinstance(history, dict) or not all(
        isinstance(k, str) and isinstance(v, list) for k, v in history.items()
    ):
        _refuse("history_", history, "it must map metric names to lists of numbers")


def _check_classes(task: str, classes: np.ndarray | None, n_outputs: int) -> None:
    if task not in _CLASSIFYING:
        if classes is not None:
            _refuse("classes_", classes, f"task_={task!r} has no classes")
        return
    if classes is None:
        _refuse("classes_", None, f"task_={task!r} needs them")
    try:
        ordered = classes.ndim == 1 and np.array_equal(np.unique(classes), classes)
    except TypeError:  # labels of mixed types do not sort
        ordered = False
    if not ordered:
        _refuse("classes_", classes, "classes_ must be distinct labels in sorted order")
    expected = {"binary": 2, "multiclass": n_outputs, "multilabel": n_outputs}[task]
    if len(classes) != expected or (task == "binary" and n_outputs != 1):
        _refuse("classes_", classes, f"task_={task!r} with n_outputs_={n_outputs} needs "
                f"{expected} classes")  # fmt: skip
    if task == "multilabel" and not np.array_equal(classes, np.arange(n_outputs)):
        _refuse("classes_", classes, "a multilabel task's classes are arange(n_outputs_)")


def _check_scaling(kind: str, values: dict[str, Any], n_outputs: int) -> None:
    for name in ARRAYS:
        array = values.get(name)
        if kind != "KerasRegressor":
            if array is not None:
                _refuse(name, array, f"a {kind} has no {name}")
            continue
        if array is None:
            _refuse(name, None, "a KerasRegressor needs it")
        if array.shape != (n_outputs,) or array.dtype.kind != "f":
            why = (f"it must be a float array of shape ({n_outputs},) (n_outputs_); it has "
                   f"shape {array.shape} and dtype {array.dtype}")  # fmt: skip
            _refuse(name, array, why)
        if not np.isfinite(array).all() or (name == "y_scale_" and not (array > 0).all()):
            _refuse(name, array, "it must be finite (and y_scale_ positive)")


def _head(model) -> str | None:
    """The last layer's activation when it is a sigmoid or a softmax, else None."""
    activation = getattr(model.layers[-1], "activation", None) if model.layers else None
    name = activation_name(activation)
    return name if name in ("sigmoid", "softmax") else None


def _check_head(task: str, model) -> None:
    # A model of the user's own may end otherwise; a sigmoid or softmax head tells the task.
    head = _head(model)
    if head is not None and task in _CLASSIFYING:
        expected = "softmax" if task == "multiclass" else "sigmoid"
        if head != expected:
            _refuse("task_", task, f"the network ends in a {head}, not a {expected}")


def check_loaded(kind: str, values: dict[str, Any], model) -> None:
    """Check the fitted attributes ``values`` of a ``kind`` estimator against its network
    ``model`` and against each other.

    Raises ``ValueError`` naming the first attribute that does not fit.
    """
    task = values["task_"]
    if task not in _TASKS[kind]:
        _refuse("task_", task, f"a {kind} is fitted for one of {', '.join(_TASKS[kind])}")
    n_outputs = _count("n_outputs_", values["n_outputs_"], 1)
    width = int(model.output_shape[-1])
    if n_outputs != width:
        _refuse("n_outputs_", n_outputs, f"the network gives {width} outputs")
    _check_head(task, model)
    _check_features(values, model)
    _count("n_iter_", values["n_iter_"], 0)
    _check_history(values["history_"])
    _check_classes(task, values.get("classes_"), n_outputs)
    _check_scaling(kind, values, n_outputs)
    if kind == "KerasTransformer" and not isinstance(values.get("layer_"), str):
        _refuse("layer_", values.get("layer_"), "a KerasTransformer names the layer it reads")
