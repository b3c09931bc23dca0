"""What differs between Keras backends, decided in one place.

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

The estimators therefore ask :func:`training_dtype` which dtype to build and train in: float64
for float64 data where the backend computes in float64 end to end, float32 otherwise. This is
probed, not hard-coded, so it follows fixes in Keras. This module never changes JAX's setting:
that is process-wide and belongs to the user.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["backend", "float64_available", "training_dtype"]


def backend() -> str:
    """The name of the Keras backend in use (``"tensorflow"``, ``"jax"``, ``"torch"``...)."""
    import keras

    return keras.backend.backend()


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
    float64 end to end (:func:`float64_available`), in float32 otherwise.
    """
    if np.dtype(dtype) == np.float32:
        return "float32"
    return "float64" if float64_available() else "float32"
