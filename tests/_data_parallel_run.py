"""Run by tests/test_distribution.py in a fresh process: ``python _data_parallel_run.py BACKEND``.

Splits the CPU into two devices (which must happen before the backend starts), trains the
same classifier on one device and with ``distribution="data_parallel"``, and prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
import warnings

backend = sys.argv[1]
os.environ["KERAS_BACKEND"] = backend
if backend == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
elif backend == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402

from kerasguide import KerasClassifier  # noqa: E402

warnings.simplefilter("ignore")
# 301 rows in batches of 64: the last batch (45 rows) does not split evenly.
X, y = make_classification(
    n_samples=301, n_features=10, n_informative=6, n_classes=3, random_state=0
)
sample_weight = np.random.default_rng(0).integers(1, 4, size=len(y))
params = {"hidden_layers": (16,), "epochs": 15, "batch_size": 64, "random_state": 0}
one = KerasClassifier(**params, learning_rate=0.01).fit(X, y, sample_weight=sample_weight)
two = KerasClassifier(**params, learning_rate=0.01, distribution="data_parallel")
two.fit(X, y, sample_weight=sample_weight)
kernel = two.model_.get_layer("hidden_1").kernel
if backend == "jax":
    replicas = len(kernel.value.sharding.device_set)
    restored = keras.distribution.distribution() is None
else:
    replicas = two.model_.distribute_strategy.num_replicas_in_sync
    restored = not tf.distribute.has_strategy()
report = {
    "devices": list(keras.distribution.list_devices()),
    "replicas": replicas,
    "restored": restored,
    "score_one": one.score(X, y),
    "score_two": two.score(X, y),
    "proba_gap": float(np.abs(one.predict_proba(X) - two.predict_proba(X)).max()),
    "loss_one": one.loss_curve_,
    "loss_two": two.loss_curve_,
}
two.partial_fit(X, y)  # a warm start trains on the same devices
report["warm_start_epochs"] = two.n_iter_
print(json.dumps(report))
