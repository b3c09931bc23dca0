"""What reading a model's weights costs, per predict, on each backend.

kerasguide's NumPy predict keeps a float64 snapshot of the weights and rebuilds it only after
``model_`` has been handed out (which may change them), instead of reading the Keras variables
on every call. This measures why: reading four variables against the NumPy forward pass itself.

Run: ``python benchmarks/weight_read_cost.py`` (and with ``KERAS_BACKEND=jax``).
"""

from __future__ import annotations

import time

import numpy as np


def per_call_us(fn, repeats: int = 2000) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e6


def main() -> None:
    import keras

    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    variables = model.trainable_variables
    weights = [keras.ops.convert_to_numpy(v).astype(np.float64) for v in variables]
    x = np.random.default_rng(0).random((1, 64))

    def forward():
        hidden = np.maximum(x @ weights[0] + weights[1], 0.0)
        z = hidden @ weights[2] + weights[3]
        e = np.exp(z - z.max())
        return e / e.sum()

    print(f"backend {keras.backend.backend()}")

    def read():
        return [keras.ops.convert_to_numpy(v) for v in variables]

    print(f"  read 4 variables (convert_to_numpy): {per_call_us(read):8.1f} us")
    print(f"  NumPy forward pass of one row:      {per_call_us(forward):8.1f} us")


if __name__ == "__main__":
    main()
