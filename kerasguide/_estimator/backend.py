"""What differs between Keras backends, decided in one place: dtypes and data parallelism.

The models use ``keras.ops`` and public Keras APIs only, so they run on TensorFlow, JAX and
PyTorch alike. What still differs is whether a float64 model really computes in float64:

- TensorFlow does.
- JAX does only when the user has enabled it (``jax.config.update("jax_enable_x64", True)``
  or ``JAX_ENABLE_X64=1`` before JAX is imported). Without it JAX truncates float64 arrays to
  float32 (with a warning per array), so a "float64" model would train in float32 while
  claiming float64.
- PyTorch holds float64 variables, but Keras's torch backend (3.15) returns float32 from some
  float64 ops, ``keras.ops.matmul`` and ``keras.ops.divide_no_nan`` among them (Keras issue
  #23704), so the loss and its gradients carry float32 rounding: float64 costs twice the
  memory and time and does not deliver float64 results.

The estimators therefore ask ``training_dtype`` which dtype to build and train in: float64
for float64 data where the backend computes in float64 end to end, float32 otherwise. This is
probed, not hard-coded, so it follows fixes in Keras. This module never changes JAX's setting:
that is process-wide and belongs to the user.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator

import numpy as np

from kerasguide.exceptions import InvalidParameterError

__all__ = [
    "DATA_PARALLEL",
    "backend",
    "check_distribution",
    "distribution_scope",
    "float64_available",
    "multi_step_execution",
    "prepare_for_shards",
    "replicas",
    "shard",
    "training_dtype",
]


def backend() -> str:
    """The name of the Keras backend in use (``"tensorflow"``, ``"jax"``, ``"torch"``...)."""
    import keras

    return keras.backend.backend()


def multi_step_execution() -> bool:
    """Whether ``compile(steps_per_execution=N)`` with ``N > 1`` works (not on PyTorch)."""
    return backend() != "torch"


def float64_available() -> bool:
    """Whether a float64 model computes in float64 end to end on the Keras backend in use."""
    if backend() == "jax":
        import jax

        # Read each time: the user may enable x64 after importing kerasguide.
        if jax.dtypes.canonicalize_dtype(np.float64) != np.float64:
            return False
    return _ops_keep_float64(backend())


@functools.cache
def _ops_keep_float64(backend_name: str) -> bool:
    # The ops of a Dense layer's forward pass and of a loss reduction, on float64 operands.
    import keras

    x = keras.ops.convert_to_tensor(np.ones((1, 1)), dtype="float64")
    results = (keras.ops.matmul(x, x), keras.ops.divide_no_nan(x, x), keras.ops.add(x, x))
    return all(keras.backend.standardize_dtype(r.dtype) == "float64" for r in results)


def training_dtype(dtype) -> str:
    """The dtype to build and train a model in, for input data of ``dtype``.

    float32 data trains in float32; float64 data in float64 where the backend computes in
    float64 end to end (``float64_available``), in float32 otherwise.
    """
    if np.dtype(dtype) == np.float32:
        return "float32"
    return "float64" if float64_available() else "float32"


# --------------------------------------------------------------------------- data parallelism

#: The ``distribution`` value that means "every local device of the default kind".
DATA_PARALLEL = "data_parallel"
_DISTRIBUTED_BACKENDS = ("jax", "tensorflow")


def check_distribution(distribution) -> tuple[str, ...] | None:
    """Validate an estimator's ``distribution``: None, ``"data_parallel"`` or device names.

    Returns the device names to train on (all local devices for ``"data_parallel"``), or None.
    """
    if distribution is None:
        return None
    name = backend()
    if name not in _DISTRIBUTED_BACKENDS:
        raise InvalidParameterError(
            "`distribution` trains one model over several devices with the JAX backend "
            "(keras.distribution.DataParallel) or the TensorFlow backend "
            f"(tf.distribute.MirroredStrategy); the Keras backend in use is {name!r}. Set "
            "KERAS_BACKEND=jax or KERAS_BACKEND=tensorflow, or leave distribution=None. "
            f"Received: distribution={distribution!r}"
        )
    if isinstance(distribution, str):
        if distribution != DATA_PARALLEL:
            raise InvalidParameterError(
                f"`distribution` must be None, {DATA_PARALLEL!r} or a list of device names "
                f"(e.g. {_local_devices()!r}). Received: distribution={distribution!r}"
            )
        return _local_devices()
    # Anything but a list or tuple (a number, a dict) is as wrong as an empty list.
    devices = tuple(distribution) if isinstance(distribution, list | tuple) else ()
    if not devices or not all(isinstance(d, str) for d in devices):
        raise InvalidParameterError(
            f"`distribution` must be None, {DATA_PARALLEL!r} or a non-empty list of device "
            f"names (e.g. {_local_devices()!r}). Received: distribution={distribution!r}"
        )
    return _check_device_names(devices, distribution)


_DEVICE_NAME = re.compile(r"/?([a-z]+:[0-9]+)")


def _check_device_names(devices: tuple[str, ...], distribution) -> tuple[str, ...]:
    """The devices as ``keras.distribution.list_devices()`` spells them (any case, an optional
    leading "/"), each known to this machine and named once; else an InvalidParameterError
    saying which."""
    available = _available_devices()
    by_key = {name.lower(): name for name in available}
    matches = [_DEVICE_NAME.fullmatch(d.strip().lower()) for d in devices]
    keys = [match.group(1) if match else None for match in matches]
    malformed = [d for d, key in zip(devices, keys, strict=True) if key is None]
    unknown = [d for d, key in zip(devices, keys, strict=True) if key not in by_key]
    repeated = [d for i, (d, key) in enumerate(zip(devices, keys, strict=True)) if key in keys[:i]]
    if malformed:
        problem = "must name devices as 'type:index' (such as 'cpu:0'); these are not device "
        problem += f"names: {malformed!r}"
    elif unknown:
        problem = f"names devices this machine lacks: {unknown!r}"
    elif repeated:
        problem = f"names a device more than once: {repeated!r}"
    else:
        return tuple(by_key[key] for key in keys)
    raise InvalidParameterError(
        f"`distribution` {problem}. Available: {list(available)!r}. "
        f"Received: distribution={distribution!r}"
    )


def _local_devices() -> tuple[str, ...]:
    import keras

    return tuple(keras.distribution.list_devices())


def _available_devices() -> tuple[str, ...]:
    # The default kind (accelerators where there are any) first, then the CPUs, which
    # list_devices() leaves out where there are accelerators but which can still train.
    import keras

    return tuple(dict.fromkeys((*_local_devices(), *keras.distribution.list_devices("cpu"))))


@functools.cache
def _strategy(backend_name: str, devices: tuple[str, ...]):
    # One object per device set, reused: a model's variables belong to the strategy that made
    # them, so a warm start must train under the same object.
    if backend_name == "jax":
        import keras

        return keras.distribution.DataParallel(devices=list(devices))
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(devices=[_tf_device(d) for d in devices])


def _tf_device(name: str) -> str:
    # keras.distribution.list_devices() says "cpu:0"; TensorFlow wants "/cpu:0".
    return name if name.startswith("/") else f"/{name}"


@contextlib.contextmanager
def distribution_scope(devices: tuple[str, ...] | None) -> Iterator[None]:
    """Build and train inside this scope to spread each batch over ``devices``.

    JAX: a ``keras.distribution.DataParallel`` made current with its ``scope()`` (which puts
    the previous distribution back on exit; Keras keeps it per thread). TensorFlow: a
    ``tf.distribute.MirroredStrategy`` scope. ``None`` changes nothing.
    """
    if devices is None:
        yield
        return
    with _strategy(backend(), devices).scope():
        yield


def replicas() -> int:
    """Into how many equal shards the current scope splits a batch (1 outside any)."""
    name = backend()
    if name == "jax":
        import keras

        current = keras.distribution.distribution()
        if current is None:
            return 1
        mesh = current.device_mesh
        return int(mesh.shape[list(mesh.axis_names).index(current.batch_dim_name)])
    if name == "tensorflow":
        import tensorflow as tf

        return tf.distribute.get_strategy().num_replicas_in_sync
    return 1


def prepare_for_shards(model, batch: tuple) -> None:
    """Let ``model`` take batches from ``shard``; call once before training.

    TensorFlow builds a model's loss and metrics from the first batch it sees, and cannot read
    shapes from per-replica values: one evaluation on a plain batch builds them first.
    """
    if backend() == "tensorflow" and replicas() > 1:
        model.test_on_batch(*batch)
        model.reset_metrics()


def shard(arrays: tuple) -> tuple:
    """Hand each replica its rows of a batch (whose length ``replicas`` divides).

    JAX's trainer shards a batch itself; TensorFlow's ``train_on_batch`` needs per-replica
    values, or every replica would train on the whole batch.
    """
    n = replicas()
    if backend() != "tensorflow" or n == 1:
        return arrays
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()

    def split(array):
        if array is None:
            return None
        parts = np.split(array, n)
        return strategy.experimental_distribute_values_from_function(
            lambda context: tf.constant(parts[context.replica_id_in_sync_group])
        )

    return tuple(split(a) for a in arrays)
