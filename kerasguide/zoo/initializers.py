"""Initial weights drawn with NumPy: the same numbers on every backend and in every dtype.

Keras's own initializers draw with the backend's random generator, so one seed gives different
weights on TensorFlow, JAX and PyTorch, and in float32 and float64; on JAX each one is also a
compiled function (0.5-3.6 s of a cold process). [`Drawn`][kerasguide.zoo.initializers.Drawn]
draws the same distributions as Keras's initializers with ``numpy.random.default_rng(seed)``,
rounds them to float32 and only then casts them to the variable's dtype, so a float64 model
starts from exactly the float32 model's start.

``as_drawn`` turns a name or a Keras initializer of a built-in class into a ``Drawn``; any
other initializer (a class of the user's) is kept, and Keras draws it.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

__all__ = ["KINDS", "Drawn", "as_drawn", "ones", "zeros"]

#: Keras's stddev correction for a normal truncated at two standard deviations.
_TRUNCATED = 0.87962566103423978


def _fans(shape: tuple[int, ...], input_axes=None, output_axes=None) -> tuple[int, int]:
    """Keras's ``compute_fans``: Dense ``(in, out)``; a convolution multiplies by its window."""
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes])),
                int(np.prod([shape[a] for a in output_axes])))  # fmt: skip
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * field, shape[-1] * field


def _truncated(rng, shape, mean: float, stddev: float) -> np.ndarray:
    """Normal values, each one beyond two standard deviations drawn again (as Keras)."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2.0
    return mean + stddev * z


def _variance_scaling(rng, shape, scale=1.0, mode="fan_in", distribution="truncated_normal",
                      input_axes=None, output_axes=None):  # fmt: skip
    fan_in, fan_out = _fans(shape, input_axes, output_axes)
    fan = {"fan_in": fan_in, "fan_out": fan_out}.get(mode, (fan_in + fan_out) / 2.0)
    scale = scale / max(1.0, fan)
    if distribution == "truncated_normal":
        return _truncated(rng, shape, 0.0, math.sqrt(scale) / _TRUNCATED)
    if distribution == "untruncated_normal":
        return rng.normal(0.0, math.sqrt(scale), shape)
    limit = math.sqrt(3.0 * scale)
    return rng.uniform(-limit, limit, shape)


def _orthogonal(rng, shape, gain=1.0):
    """Keras's ``Orthogonal``: Q of a normal matrix's QR, signs fixed by R's diagonal."""
    if len(shape) < 2:
        raise ValueError(f"An orthogonal initializer needs a shape of rank >= 2. Received: "
                         f"shape={shape}")  # fmt: skip
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


def _identity(rng, shape, gain=1.0):
    if len(shape) != 2:
        raise ValueError(f"An identity initializer needs a 2D shape. Received: shape={shape}")
    return gain * np.eye(*shape)


#: Each kind's drawing function ``(rng, shape, **params)``.
KINDS = {
    "variance_scaling": _variance_scaling,
    "random_normal": lambda rng, shape, mean=0.0, stddev=0.05: rng.normal(mean, stddev, shape),
    "random_uniform": lambda rng, shape, minval=-0.05, maxval=0.05: rng.uniform(
        minval, maxval, shape
    ),
    "truncated_normal": lambda rng, shape, mean=0.0, stddev=0.05: _truncated(
        rng, shape, mean, stddev
    ),
    "orthogonal": _orthogonal,
    "identity": _identity,
    "constant": lambda rng, shape, value=0.0: np.full(shape, value, dtype=np.float64),
}


@keras.saving.register_keras_serializable(package="kerasguide", name="Drawn")
class Drawn(keras.initializers.Initializer):
    """A Keras initializer whose values NumPy draws from ``seed`` (None: fresh entropy).

    ``kind`` is one of ``KINDS``; ``params`` are that kind's (Keras's names: ``scale``,
    ``mode``, ``distribution`` for ``"variance_scaling"``, ``stddev``, ``minval``, ``gain``,
    ``value``...). Values are rounded to float32, then cast to the variable's dtype.

    >>> import numpy as np
    >>> glorot = Drawn("variance_scaling", seed=0, scale=1.0, mode="fan_avg",
    ...                distribution="uniform")
    >>> a = np.asarray(glorot((3, 2), dtype="float32"))
    >>> b = np.asarray(glorot((3, 2), dtype="float64"))
    >>> bool((a.astype("float64") == b).all()), bool(np.abs(a).max() <= np.sqrt(6 / 5))
    (True, True)
    """

    def __init__(self, kind: str, seed: int | None = None, **params: Any):
        if kind not in KINDS:
            raise ValueError(f"Drawn's kind must be one of {sorted(KINDS)}. Received: {kind!r}")
        self.kind = kind
        self.seed = None if seed is None else int(seed)
        self.params = params

    def draw(self, shape) -> np.ndarray:
        """The values, in float32."""
        rng = np.random.default_rng(self.seed)
        shape = tuple(int(d) for d in shape)
        return np.asarray(KINDS[self.kind](rng, shape, **self.params)).astype(np.float32)

    def __call__(self, shape, dtype=None):
        return keras.ops.convert_to_tensor(self.draw(shape), dtype=dtype or keras.config.floatx())

    def get_config(self):
        return {"kind": self.kind, "seed": self.seed, **self.params}


def zeros() -> Drawn:
    return Drawn("constant", value=0.0)


def ones() -> Drawn:
    return Drawn("constant", value=1.0)


def _params(initializer) -> tuple[str, dict[str, Any]] | None:
    """The kind and parameters of a Keras initializer of a built-in class, else None."""
    init = keras.initializers
    kind = type(initializer)
    if isinstance(initializer, Drawn):
        return initializer.kind, dict(initializer.params)
    if issubclass(kind, init.VarianceScaling) and kind.__module__.startswith("keras."):
        names = ("scale", "mode", "distribution", "input_axes", "output_axes")
        return "variance_scaling", {n: getattr(initializer, n) for n in names}
    table = {init.RandomNormal: ("random_normal", ("mean", "stddev")),
             init.RandomUniform: ("random_uniform", ("minval", "maxval")),
             init.TruncatedNormal: ("truncated_normal", ("mean", "stddev")),
             init.Orthogonal: ("orthogonal", ("gain",)),
             init.Identity: ("identity", ("gain",)),
             init.Constant: ("constant", ("value",))}  # fmt: skip
    if kind in (init.Zeros, init.Ones):
        return "constant", {"value": 0.0 if kind is init.Zeros else 1.0}
    if kind not in table:
        return None
    name, names = table[kind]
    params = {n: getattr(initializer, n) for n in names}
    if name == "constant" and np.ndim(params["value"]) != 0:
        return None  # an array value: Keras broadcasts it
    return name, params


def as_drawn(initializer, seed: int | None):
    """``initializer`` (a Keras initializer) as a ``Drawn`` seeded with ``seed``, or None when
    its class is not one of Keras's built-in ones (Keras then draws it)."""
    found = _params(initializer)
    if found is None:
        return None
    kind, params = found
    if kind == "constant":
        params = {"value": float(params["value"])}
    return Drawn(kind, seed=seed, **params)
