"""Compiled training models reused across fits of the same architecture.

The first ``train_on_batch`` of a Keras model traces and compiles its training step: a few
hundred milliseconds, and a few megabytes that TensorFlow keeps after the model is gone. A grid
search or a cross-validation fits the same architecture many times, so the estimators train on
a pooled *engine*: a compiled model of that architecture whose variables (weights, optimizer
slots, dropout seed state) are loaded from the estimator's own model before training and copied
back after. The arithmetic is the same as training the estimator's model directly; only the
compiled step is shared. An engine serves one fit at a time (fits in parallel threads borrow
different engines), and the pool keeps the most recently used architectures only.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "FED",
    "FED_DROPOUT",
    "LOADED",
    "borrow",
    "cache_key",
    "clear",
    "copy_state",
    "pooled_engines",
    "programs",
    "release",
    "with_steps_per_execution",
]

#: Architectures kept in the pool.
MAX_ARCHITECTURES = 16

_pool: OrderedDict[Hashable, list[Any]] = OrderedDict()
_lock = threading.Lock()

_PLAIN = (str, int, float, bool, type(None))


def _frozen(value: Any) -> Hashable | None:
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, tuple | list):
        items = [_frozen(v) for v in value]
        return None if any(i is None for i in items) else ("seq", tuple(items))
    return None  # objects (optimizer or initializer instances, callables) are not pooled


#: Arguments whose values are loaded into an engine, never part of what it compiles: the
#: seed decides initial values (loaded), the learning rate lives in the optimizer's variable
#: (loaded, and fed to the compiled program step by step).
LOADED = frozenset({"seed", "learning_rate"})
#: Arguments whose values the compiled program takes as inputs (``compiled.fed_penalties``,
#: ``compiled.fed_dropout``): only whether one is set changes what it computes (which weights
#: are penalized; whether the model has dropout layers at all), so fits that differ in their
#: values share a program key.
FED = frozenset({"l1", "l2"})
FED_DROPOUT = "dropout"


def cache_key(
    builder: Callable[..., Any], kwargs: dict[str, Any], fed: bool = False
) -> Hashable | None:
    """A key for the model ``builder(**kwargs)`` builds, or None if it cannot be pooled.

    The builder itself is part of the key (not only its registry name), so a factory
    registered again under an old name never reuses the old factory's engines. ``LOADED``
    arguments are left out. With ``fed`` (the key of an engine that trains only with the
    compiled program), the ``FED`` penalties count only as some set or none, and the
    ``FED_DROPOUT`` rate only as dropout or none.
    """
    items = []
    if fed:
        penalties = [kwargs.get(name) for name in sorted(FED)]
        dropout = kwargs.get(FED_DROPOUT)
        if not all(isinstance(v, int | float | None) for v in [*penalties, dropout]):
            return None
        items.append(("penalized", ("bool", any(penalties))))
        items.append(("dropout", ("bool", bool(dropout))))  # 0 builds no dropout layer
    for name in sorted(kwargs):
        if name in LOADED or (fed and (name in FED or name == FED_DROPOUT)):
            continue
        frozen = _frozen(kwargs[name])
        if frozen is None:
            return None
        items.append((name, frozen))
    return (builder, "fed" if fed else "", tuple(items))


@contextmanager
def borrow(key: Hashable, build: Callable[[], Any]) -> Iterator[Any]:
    """Lend an engine for ``key`` (building one with ``build()`` if none is free)."""
    with _lock:
        free = _pool.get(key)
        engine = free.pop() if free else None
    if engine is None:
        engine = build()
    try:
        yield engine
    finally:
        evicted = []
        with _lock:
            _pool.setdefault(key, []).append(engine)
            _pool.move_to_end(key)
            while len(_pool) > MAX_ARCHITECTURES:
                evicted.append(_pool.popitem(last=False))
        del engine
        _release(evicted)


def pooled_engines() -> list:
    """The engines in the pool now, free ones only (what benchmarks and tests inspect: the
    compiled programs each holds, ``programs(model)``)."""
    with _lock:
        return [model for engines in _pool.values() for model in engines]


#: The attribute of an engine model holding its compiled programs (set past Keras's tracking).
_PROGRAMS = "_kerasguide_programs"


def programs(model) -> dict:
    """The compiled programs kept on ``model`` (``compiled`` fills it), by key; dropped with
    the engine when the pool evicts it."""
    found = model.__dict__.get(_PROGRAMS)
    if found is None:
        found = {}
        object.__setattr__(model, _PROGRAMS, found)  # not a Keras-tracked attribute
    return found


def release(model) -> None:
    """Drop what a compiled model holds beyond its variables: Keras's traced train, test and
    predict functions and our compiled programs (their graphs, XLA executables and the
    closures that hold the model), so that they go when the model's last reference goes."""
    for name in ("train_function", "test_function", "predict_function"):
        if getattr(model, name, None) is not None:
            setattr(model, name, None)
    for runner in programs(model).values():
        runner.close()
    programs(model).clear()


def _release(evicted: list) -> None:
    # No gc.collect() here: with TensorFlow loaded a full collection walks about half a million
    # objects (0.2-0.35 s on 2 cores), which doubled the time of each fit once the pool was full
    # (benchmarks/many_architectures.py). The functions and programs, the bulk of an engine,
    # are released explicitly; the model's own reference cycles go with Python's next
    # automatic collection. TensorFlow keeps about 2 MiB per traced function it ever ran
    # (tf.function leaves a called function's graph undismantled), which no public API frees.
    for _, engines in evicted:
        for model in engines:
            release(model)
    evicted.clear()


def clear() -> None:
    """Drop every pooled engine.

    Public as [`kerasguide.clear_engine_pool`][kerasguide.estimators.clear_engine_pool].
    """
    with _lock:
        dropped = list(_pool.items())
        _pool.clear()
    _release(dropped)
    gc.collect()  # asked for explicitly, once: the engines' memory is free when this returns


def _optimizer_variables(model) -> list:
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    return list(optimizer.variables)


def copy_state(source, target) -> None:
    """Copy every variable of ``source`` (and of its optimizer) into ``target``, and the
    strengths and rates the compiled program is fed (regularizers, dropout rates).

    Both models must have the same architecture and optimizer.
    """
    pairs = list(zip(source.variables, target.variables, strict=True))
    pairs += list(zip(_optimizer_variables(source), _optimizer_variables(target), strict=True))
    for src, dst in pairs:
        if tuple(src.shape) != tuple(dst.shape):
            raise ValueError(f"Cannot copy {src.path} {src.shape} into {dst.path} {dst.shape}.")
        dst.assign(src.value)
        if getattr(src, "regularizer", None) is not None:
            # The penalty's strength: an engine keyed with ``fed`` trains at the fit's own.
            dst.regularizer = src.regularizer
    import keras

    for src, dst in zip(source.layers, target.layers, strict=True):
        if isinstance(src, keras.layers.Dropout) and isinstance(dst, keras.layers.Dropout):
            dst.rate = src.rate  # the dropout rate: likewise fed at the fit's own


def with_steps_per_execution(model, steps: int):
    """Recompile ``model`` (same optimizer, loss and metrics) to run ``steps`` steps per call."""
    model.compile(
        optimizer=model.optimizer,
        loss=model.loss,
        metrics=None,
        steps_per_execution=steps,
    )
    return model
