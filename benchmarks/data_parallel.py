"""What ``distribution="data_parallel"`` costs on simulated devices (the scaling-out guide).

``python benchmarks/data_parallel.py [jax|tensorflow]`` splits the CPU into two devices before
the backend starts, then times the same fit on one device and on both, after one warm-up fit of
each. The model is larger than the zoo's defaults (784-512-512-10, batch 1024, 12,800 rows of
MNIST or random data of that shape) so that each step has arithmetic to share. Both simulated
devices share the same cores: the figure shows the synchronisation's cost, not a speed-up.
Not part of the test suite.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

backend = sys.argv[1] if len(sys.argv) > 1 else "jax"
os.environ["KERAS_BACKEND"] = backend
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if backend == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
elif backend == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import numpy as np  # noqa: E402

from kerasguide import KerasClassifier  # noqa: E402

MNIST = Path(
    os.environ.get("KERASGUIDE_MNIST", Path(__file__).parents[2] / "shared" / "data" / "mnist.npz")
)
PARAMS = {"hidden_layers": (512, 512), "batch_size": 1024, "epochs": 3, "tol": 0.0,
          "learning_rate": 1e-3, "random_state": 0}  # fmt: skip


def data():
    if MNIST.is_file():
        with np.load(MNIST) as d:
            return (d["x_train"][:12800].reshape(-1, 784) / 255.0).astype(np.float32), d["y_train"][
                :12800
            ]
    rng = np.random.default_rng(0)
    return rng.random((12800, 784), dtype=np.float32), rng.integers(0, 10, 12800)


def fit_seconds(X, y, **extra) -> float:
    KerasClassifier(**{**PARAMS, "epochs": 1}, **extra).fit(X, y)  # warm-up: builds, compiles
    start = time.perf_counter()
    KerasClassifier(**PARAMS, **extra).fit(X, y)
    return time.perf_counter() - start


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    X, y = data()
    one = fit_seconds(X, y)
    two = fit_seconds(X, y, distribution="data_parallel")
    print(json.dumps({"backend": backend, "epochs": PARAMS["epochs"], "one_device_s": one,
                      "two_simulated_devices_s": two, "ratio": two / one}))  # fmt: skip
