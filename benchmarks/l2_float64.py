"""Why kerasguide has an L2 regularizer of its own (``kerasguide.layers.L2``).

Keras keeps its compiled loss in ``floatx`` (float32) and adds the layers' regularisation
losses to it; on TensorFlow a float64 penalty then fails to add ("Cannot convert a list
containing a tensor of dtype float64 to float32"), whatever the loss's own dtype. JAX promotes
and trains. kerasguide's ``L2`` casts the penalty to ``floatx``.

Run: ``python benchmarks/l2_float64.py`` (and with ``KERAS_BACKEND=jax``).
"""

from __future__ import annotations

import numpy as np


def train_once(regularizer) -> str:
    import keras

    model = keras.Sequential(
        [
            keras.Input((4,), dtype="float64"),
            keras.layers.Dense(3, dtype="float64", kernel_regularizer=regularizer),
            keras.layers.Dense(1, dtype="float64", kernel_regularizer=regularizer),
        ]
    )
    model.compile("adam", keras.losses.MeanSquaredError(dtype="float64"))
    rng = np.random.default_rng(0)
    try:
        model.train_on_batch(rng.random((20, 4)), rng.random((20, 1)))
    except TypeError as exc:
        return f"fails: {str(exc)[:90]}"
    return "trains"


def main() -> None:
    import keras

    from kerasguide.layers import L2

    print(f"backend {keras.backend.backend()}, float64 model:")
    print(f"  keras.regularizers.L2: {train_once(keras.regularizers.L2(1e-3))}")
    print(f"  kerasguide.layers.L2:  {train_once(L2(1e-3))}")


if __name__ == "__main__":
    main()
