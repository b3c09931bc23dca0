"""One table of parameter checks, shared by the factories, the estimators and the command line.

Every check raises [`InvalidParameterError`][kerasguide.exceptions.InvalidParameterError] (a
``ValueError`` and a ``TypeError``) with one message style, Keras's: the message names the
parameter, says what is allowed, and ends ``Received: name=value``. The same mistake reads the same
wherever it is made: ``mlp(dropout=1.5)``, ``KerasClassifier(dropout=1.5).fit(...)`` and
``kerasguide train mlp --dropout 1.5`` all say ``\\`dropout\\` must be a float in [0, 1).``

``PARAMETERS`` maps a parameter's name to its ``Rule``; ``check`` applies one, ``parse`` reads
one from command-line text and ``cli_type`` turns one into an ``argparse`` type (parse, then
check): ``kerasguide train`` builds its flags with them, so it has no checks of its own.
The small ``check_*`` functions below are the building blocks, also used directly by the
datasets and the NumPy-from-scratch code.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from kerasguide.exceptions import InvalidParameterError

__all__ = [
    "PARAMETERS",
    "Rule",
    "activation_name",
    "check",
    "check_bool",
    "check_fraction",
    "check_int",
    "check_random_state_arg",
    "cli_type",
    "get_initializer",
    "invalid",
    "is_splitter",
    "named_optimizer",
    "parse",
    "python_random_kept",
]


def invalid(name: str, allowed: str, value: Any) -> InvalidParameterError:
    """The error for ``name=value``, which should have been ``allowed``."""
    return InvalidParameterError(f"`{name}` must be {allowed}. Received: {name}={value!r}")


# --------------------------------------------------------------------------- building blocks
def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int, if it is an integer of at least ``minimum``."""
    if not _is_int(value) or value < minimum:
        raise invalid(name, f"an integer >= {minimum}", value)
    return int(value)


def check_fraction(name: str, value: Any, *, high_open: bool = True) -> float:
    """A float in [0, 1) (``high_open``), or a finite float >= 0."""
    ok = _is_real(value) and (0.0 <= value < 1.0 if high_open else 0.0 <= value < math.inf)
    if not ok:
        raise invalid(name, "a float in [0, 1)" if high_open else "a finite float >= 0", value)
    return float(value)


def check_bool(name: str, value: Any) -> bool:
    """``value`` if it is True or False (a NumPy bool included)."""
    if not isinstance(value, bool | np.bool_):
        raise invalid(name, "True or False", value)
    return bool(value)


def check_random_state_arg(random_state: Any) -> np.random.RandomState:
    """scikit-learn's ``check_random_state`` with this module's message."""
    from sklearn.utils import check_random_state

    try:
        return check_random_state(random_state)
    except ValueError:
        allowed = "None, an integer or a numpy RandomState"
        raise invalid("random_state", allowed, random_state) from None


@contextlib.contextmanager
def python_random_kept() -> Iterator[None]:
    """Leave Python's global ``random`` state as it was.

    Keras draws a seed from ``random`` whenever an initializer is made without one, and
    looking an initializer up by name makes one; kerasguide changes nothing global.
    """
    state = random.getstate()
    try:
        yield
    finally:
        random.setstate(state)


# --------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Rule:
    """How one parameter is checked.

    Attributes
    ----------
    allowed : str
        What the error message says the parameter may be.
    accepts : callable
        ``accepts(value) -> bool``.
    normalize : callable
        Turns an accepted value into its canonical form (``[100]`` into ``(100,)``).
    parse : callable, optional
        Turns command-line text into a value (``"128,64"`` into ``(128, 64)``).
    """

    allowed: str
    accepts: Callable[[Any], bool]
    normalize: Callable[[Any], Any] = lambda value: value
    parse: Callable[[str], Any] | None = None


def _layers(value: Any) -> tuple[int, ...] | None:
    if _is_int(value):
        value = (value,)
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        return None
    units = tuple(value)
    return tuple(int(u) for u in units) if all(_is_int(u) and u >= 1 for u in units) else None


def _shape(value: Any) -> tuple[int, ...] | None:
    if not isinstance(value, tuple | list) or not value:
        return None
    return tuple(int(d) for d in value) if all(_is_int(d) and d >= 1 for d in value) else None


def _parse_units(text: str) -> Any:
    parts = [part.strip() for part in text.split(",")]
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else text


def _real(low: float, high: float, *, low_open: bool = False, high_open: bool = True):
    def accepts(value: Any) -> bool:
        if not _is_real(value) or math.isnan(value):
            return False
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        return above and below

    return accepts


def _keras_object(kind: str) -> Callable[[Any], bool]:
    """Accepts a name Keras knows for ``kind`` (optimizers, initializers, activations)."""

    def accepts(value: Any) -> bool:
        import keras

        module = getattr(keras, kind)
        base = {"optimizers": keras.optimizers.Optimizer,
                "initializers": keras.initializers.Initializer}.get(kind)  # fmt: skip
        if base is not None and isinstance(value, base):
            return True
        if kind == "activations" and callable(value) and not isinstance(value, str):
            return True
        if not isinstance(value, str):
            return False
        try:
            if kind == "initializers":
                get_initializer(value)
            elif kind == "optimizers":
                named_optimizer(value)
            else:
                with python_random_kept():
                    module.get(value)
        except (ValueError, TypeError):
            return False
        return True

    return accepts


def named_optimizer(name: str):
    """A new optimizer of Keras's ``name`` (any case), itself named ``name.lower()``.

    Keras numbers the optimizers it names itself (``adam_1``, ``adam_2``, ...), and their
    variables with them; TensorFlow keeps about 35 KiB for each distinct variable name it ever
    saw, so numbered optimizers grew memory by about 0.3 MiB a fit
    (``benchmarks/variable_names.py``). A fixed name keeps the variables' names the same.
    """
    import keras

    return keras.optimizers.get({"class_name": name, "config": {"name": name.lower()}})


def activation_name(activation: Any) -> str | None:
    """The name Keras gives a built-in activation function (``"softmax"``, ``"linear"``), else
    None (a function of the user's, a layer, anything else).

    ``keras.activations.serialize`` answers the same for these, but it imports TensorFlow on
    every backend (Keras's serializer checks for ``tf.TensorShape``): 1.5-2.5 s of a first fit
    on JAX or PyTorch, which never needed TensorFlow.

    >>> import keras
    >>> activation_name(keras.layers.Dense(3, activation="softmax").activation)
    'softmax'
    >>> activation_name(keras.layers.Dense(3).activation)
    'linear'
    >>> activation_name(lambda x: x) is None
    True
    """
    import keras

    name = getattr(activation, "__name__", None)
    if not isinstance(name, str) or not callable(activation):
        return None
    try:
        found = keras.activations.get(name)
    except (ValueError, TypeError):
        return None
    return name if found is activation else None


def get_initializer(name: str):
    """``keras.initializers.get(name)``, leaving ``random`` as it was.

    ``"constant"`` is made directly (``Constant()``, zeros): looking it up by name fails in
    Keras 3 (its ``from_config`` needs a ``value``).
    """
    import keras

    if name.lower() == "constant":
        return keras.initializers.Constant()
    with python_random_kept():  # the throwaway made by the lookup draws from `random`
        return keras.initializers.get(name)


def _float(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _int(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text


def _is_schedule(value: Any) -> bool:
    import keras

    return isinstance(value, keras.optimizers.schedules.LearningRateSchedule)


def is_splitter(value: Any) -> bool:
    """A scikit-learn cross-validation splitter: an object with a ``split`` method."""
    return not isinstance(value, str) and callable(getattr(value, "split", None))


def _categorical_spec(value: Any) -> bool:
    """``"from_dtype"``, or a 1-D array-like of bools (a mask), ints (indices) or strs (names)."""
    if isinstance(value, str):
        return value == "from_dtype"
    if not isinstance(value, list | tuple | np.ndarray):
        return False
    array = np.asarray(value)
    if array.ndim != 1:
        return False
    if array.dtype.kind == "O":
        return all(isinstance(v, str) for v in array)
    return array.size == 0 or array.dtype.kind in "biU"


_POSITIVE = _real(0.0, math.inf, low_open=True)
_NON_NEGATIVE = _real(0.0, math.inf)
_FRACTION = _real(0.0, 1.0)

#: Every checked parameter, by name.
PARAMETERS: dict[str, Rule] = {
    "input_shape": Rule("a non-empty tuple of positive integers, e.g. (784,) or (28, 28, 1)",
                        lambda v: _shape(v) is not None, _shape),
    "n_features": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    "n_outputs": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    "hidden_layers": Rule("a sequence of positive integers, e.g. (128,) or (128, 64)",
                          lambda v: _layers(v) is not None, _layers, _parse_units),
    "activation": Rule("a Keras activation name (e.g. 'relu', 'tanh', 'leaky_relu', 'linear'), "
                       "'maxout' or a callable",
                       lambda v: v == "maxout" or _keras_object("activations")(v), parse=str),
    "maxout_pieces": Rule("an integer >= 2", lambda v: _is_int(v) and v >= 2, int, _int),
    "dropout": Rule("a float in [0, 1)", _FRACTION, float, _float),
    "l1": Rule("a finite float >= 0", _NON_NEGATIVE, float, _float),
    "l2": Rule("a finite float >= 0", _NON_NEGATIVE, float, _float),
    "normalization": Rule("'batch' or 'layer'", lambda v: v in ("batch", "layer"), parse=str),
    "filters": Rule("a non-empty sequence of positive integers, e.g. (32, 64)",
                    lambda v: bool(_layers(v)), _layers, _parse_units),
    "kernel_size": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    "pool_size": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    "dense_layers": Rule("a sequence of positive integers, e.g. (128,) or ()",
                         lambda v: _layers(v) is not None, _layers, _parse_units),
    "units": Rule("a non-empty sequence of positive integers, e.g. (64,) or (64, 32)",
                  lambda v: bool(_layers(v)), _layers, _parse_units),
    "cell": Rule("'lstm', 'gru' or 'simple'", lambda v: v in ("lstm", "gru", "simple"),
                 parse=str),
    "bidirectional": Rule("True or False", lambda v: isinstance(v, bool | np.bool_), bool),
    "code_size": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    "layer": Rule("the name of a layer of the model (a non-empty str)",
                  lambda v: isinstance(v, str) and bool(v), parse=str),
    "optimizer": Rule("a Keras optimizer name (e.g. 'sgd', 'adam', 'rmsprop') or instance",
                      _keras_object("optimizers"), parse=str),
    "learning_rate": Rule("a finite float > 0", _POSITIVE, float, _float),
    "learning_rate_schedule": Rule(
        "None, 'cosine', 'step', 'plateau' or a keras.optimizers.schedules.LearningRateSchedule",
        lambda v: v in ("cosine", "step", "plateau") or _is_schedule(v), parse=str),
    "kernel_initializer": Rule(
        "a Keras initializer name (e.g. 'glorot_uniform', 'he_normal', 'random_normal') or "
        "instance", _keras_object("initializers"), parse=str),
    # NumPy's (and scikit-learn's random_state's) range, so a seed is one any of them takes.
    "seed": Rule("an integer in [0, 2**32 - 1]", lambda v: _is_int(v) and 0 <= v < 2**32, int,
                 _int),
    "dtype": Rule("'float32', 'float64', 'float16' or 'bfloat16'",
                  lambda v: v in ("float32", "float64", "float16", "bfloat16"), parse=str),
    "batch_size": Rule("'auto' or an integer >= 1",
                       lambda v: v == "auto" or (_is_int(v) and v >= 1), parse=_int),
    "epochs": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    "validation_fraction": Rule(
        "a float in (0, 1) or a scikit-learn splitter (e.g. GroupShuffleSplit(n_splits=1))",
        lambda v: _real(0.0, 1.0, low_open=True)(v) or is_splitter(v),
        lambda v: v if is_splitter(v) else float(v)),
    "n_iter_no_change": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    "tol": Rule("a finite float >= 0", _NON_NEGATIVE, float, _float),
    "verbose": Rule("0, 1 or 2", lambda v: _is_int(v) and 0 <= v <= 2, int, _int),
    "early_stopping": Rule("True or False", lambda v: isinstance(v, bool | np.bool_), bool),
    "shuffle": Rule("True or False", lambda v: isinstance(v, bool | np.bool_), bool),
    "warm_start": Rule("True or False", lambda v: isinstance(v, bool | np.bool_), bool),
    "normalize_y": Rule("True or False", lambda v: isinstance(v, bool | np.bool_), bool),
    "model_params": Rule("a dict of keyword arguments for the model factory, or None",
                         lambda v: isinstance(v, dict)),
    "class_weight": Rule("a dict of class weights, 'balanced' or None",
                         lambda v: isinstance(v, dict) or v == "balanced"),
    # HistGradientBoosting's spec; which columns it names is checked against X in fit.
    "categorical_features": Rule(
        "'from_dtype', None, or an array-like of bool (a mask), int (indices) or str (column "
        "names)", _categorical_spec,
        lambda v: v if isinstance(v, str) else np.asarray(v)),
    "embedding_dim": Rule("an integer >= 1", lambda v: _is_int(v) and v >= 1, int, _int),
    # As HistGradientBoostingRegressor spells them (its "poisson" and "gamma" are not offered).
    "loss": Rule("'squared_error', 'absolute_error' or 'quantile'",
                 lambda v: isinstance(v, str) and v in ("squared_error", "absolute_error",
                                                        "quantile"), parse=str),
    "quantile": Rule("a float in (0, 1)", _real(0.0, 1.0, low_open=True), float, _float),
    "uncertainty": Rule("None, 'ensemble' or 'mc_dropout'",
                        lambda v: isinstance(v, str) and v in ("ensemble", "mc_dropout"),
                        parse=str),
    "n_members": Rule("an integer >= 2", lambda v: _is_int(v) and v >= 2, int, _int),
}  # fmt: skip


def check(name: str, value: Any, *, none_ok: bool = False) -> Any:
    """``value`` in its canonical form if ``PARAMETERS`` accepts it for ``name``.

    ``none_ok`` lets ``None`` through unchanged (an estimator's "the model's own default").
    """
    if value is None and none_ok:
        return None
    rule = PARAMETERS[name]
    if not rule.accepts(value):
        raise invalid(name, rule.allowed + (", or None" if none_ok else ""), value)
    return rule.normalize(value)


def parse(name: str, text: str) -> Any:
    """``name``'s value read from command-line text (``"128,64"`` -> ``(128, 64)``, ``"0.5"`` ->
    ``0.5``); text that does not parse is returned as is, for ``check`` to refuse by name.

    >>> parse("hidden_layers", "128,64"), parse("dropout", "half")
    ((128, 64), 'half')
    """
    return (PARAMETERS[name].parse or str)(text)


def cli_type(name: str, *, none_ok: bool = False) -> Callable[[str], Any]:
    """An ``argparse`` type for ``name``: ``parse``, then ``check`` (with ``none_ok`` as the
    estimator checks it), so the command line says what Python says.

    >>> cli_type("dropout", none_ok=True)("0.25")
    0.25
    """
    import argparse

    def convert(text: str) -> Any:
        try:
            return check(name, parse(name, text), none_ok=none_ok)
        except InvalidParameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name  # argparse names the type in its messages
    return convert
